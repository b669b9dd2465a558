/*
 * i32_modpow_vartime.c: modular exponentiation by a PUBLIC exponent,
 * VARIABLE TIME in the exponent (see wt_i32.h): plain left-to-right
 * square-and-multiply that branches on e's bits and skips its leading
 * zeros. Used for RSA's public exponent e (verification, the blinding
 * factors r_p^e and r_q^e, and the signer's own check of its signature), where e is
 * part of the public key. The base may be secret: montmul is
 * constant-time, and the sequence of operations depends on e only.
 */
#include "inner.h"
#include "int/wt_i32.h"

/* see wt_i32.h */
void wt_i32_modpow_vartime_e(uint32_t *x, const uint32_t *e, size_t elen,
			     const uint32_t *m, size_t len, uint32_t m0i)
{
	uint32_t b[WT_I32_MAX_LIMBS];
	uint32_t ebits, i;
#if WT_I32_VEC
	if (len <= WT_I32_MAX_LIMBS / 2) { /* public: the modulus size */
		/* both lanes on m, the second lane's result dropped */
		memcpy(b, x, len * sizeof *x);
		wt_i32_vec_modpow2_vartime_e(x, b, e, elen, m, m, len, m0i, m0i);
		wt_wipe(b, sizeof b);
		return;
	}
#endif
	ebits = wt_i32_bitlen(e, elen);
	if (ebits == 0)
		return; /* caller's contract: e != 0 */
	memcpy(b, x, len * sizeof *x);
	/* x already equals b^1 for the leading one bit */
	for (i = ebits - 1; i-- > 0;) {
		wt_i32_montsqr(x, x, m, len, m0i);
		if ((e[i >> 5] >> (i & 31)) & 1)
			wt_i32_montmul(x, x, b, m, len, m0i);
	}
	wt_wipe(b, sizeof b);
}

/* see wt_i32.h */
void wt_i32_modpow2_vartime_e(uint32_t *xp, uint32_t *xq, const uint32_t *e, size_t elen,
			      const uint32_t *p, const uint32_t *q, size_t len,
			      uint32_t p0i, uint32_t q0i)
{
#if WT_I32_VEC
	wt_i32_vec_modpow2_vartime_e(xp, xq, e, elen, p, q, len, p0i, q0i);
#else
	wt_i32_modpow_vartime_e(xp, e, elen, p, len, p0i);
	wt_i32_modpow_vartime_e(xq, e, elen, q, len, q0i);
#endif
}
