/*
 * i32_modpow_ct.c: constant-time modular exponentiation with a fixed
 * 4-bit window (see wt_i32.h). This is the RSA private-key operation's
 * core: the exponent (dp, dq) and the base are secret.
 *
 * Left-to-right fixed window (HAC 14.82 with k = 4, the window not
 * slid): every 4 exponent bits cost 4 squarings and 1 multiplication,
 * including windows that are zero (multiplication by the table's
 * Montgomery 1), and the table entry is read by scanning all 16 entries
 * under masks, so neither timing nor the memory access pattern depends
 * on the exponent.
 */
#include "inner.h"
#include "int/wt_i32.h"

#if WT_I32_VEC

/* see wt_i32.h: with 128-bit vectors, one exponentiation is both lanes of
 * wt_i32_vec_modpow2_ct (i32_modpow2_ct.c) on the same modulus, the q lane's
 * result dropped, which takes the time of one lane; the one-lane code
 * below is left out of these builds. */
void wt_i32_modpow_ct(uint32_t *x, const uint32_t *e, size_t elen, const uint32_t *m,
		      const uint32_t *r2, size_t len, uint32_t m0i)
{
	uint32_t y[WT_I32_MAX_LIMBS / 2];
	memcpy(y, x, len * sizeof *y);
	wt_i32_vec_modpow2_ct(x, y, e, e, elen, m, m, r2, r2, len, m0i, m0i);
	wt_wipe(y, sizeof y);
}

/* see wt_i32.h: p and q in the two lanes (i32_modpow2_ct.c). */
void wt_i32_modpow2_ct(uint32_t *xp, uint32_t *xq, const uint32_t *ep, const uint32_t *eq,
		       size_t elen, const uint32_t *p, const uint32_t *q,
		       const uint32_t *r2p, const uint32_t *r2q, size_t len, uint32_t p0i,
		       uint32_t q0i)
{
	wt_i32_vec_modpow2_ct(xp, xq, ep, eq, elen, p, q, r2p, r2q, len, p0i, q0i);
}

#else

#define WIN 4
#define TAB (1u << WIN)

/* d = tab[idx] by reading every entry. */
static void select_entry(uint32_t *d, const uint32_t *tab, uint32_t idx, size_t len)
{
	uint32_t k;
	size_t i;
	memset(d, 0, len * sizeof *d);
	for (k = 0; k < TAB; k++) {
		uint32_t m = wt_barrier(-WT_EQ(k, idx));
		const uint32_t *e = tab + k * len;
		for (i = 0; i < len; i++)
			d[i] |= m & e[i];
	}
}

/* see wt_i32.h */
void wt_i32_modpow_ct(uint32_t *x, const uint32_t *e, size_t elen, const uint32_t *m,
		      const uint32_t *r2, size_t len, uint32_t m0i)
{
	/* 16 entries of up to half a 4096-bit key are what RSA-CRT uses;
	 * the full size is allowed (8 KiB of stack at 128 limbs). */
	uint32_t tab[TAB * WT_I32_MAX_LIMBS];
	uint32_t t[WT_I32_MAX_LIMBS];
	size_t k, i, nwin = elen * (32 / WIN);
	uint32_t w;

	/* tab[0] = Montgomery 1 = R mod m = montmul(R^2, 1); tab[k] = x^k. */
	memset(t, 0, len * sizeof *t);
	t[0] = 1;
	wt_i32_montmul(tab, r2, t, m, len, m0i);
	memcpy(tab + len, x, len * sizeof *x);
	for (k = 2; k < TAB; k++)
		wt_i32_montmul(tab + k * len, tab + (k - 1) * len, x, m, len, m0i);

	/* Windows from the most significant; the first one just selects. */
	for (k = nwin; k-- > 0;) {
		w = (e[k / (32 / WIN)] >> ((k % (32 / WIN)) * WIN)) & (TAB - 1);
		select_entry(t, tab, w, len);
		if (k == nwin - 1) {
			memcpy(x, t, len * sizeof *x);
			continue;
		}
		for (i = 0; i < WIN; i++)
			wt_i32_montsqr(x, x, m, len, m0i);
		wt_i32_montmul(x, x, t, m, len, m0i);
	}
	w = 0;
	wt_wipe(tab, sizeof tab);
	wt_wipe(t, sizeof t);
}

/* see wt_i32.h: without vectors, the two exponentiations one after the other. */
void wt_i32_modpow2_ct(uint32_t *xp, uint32_t *xq, const uint32_t *ep, const uint32_t *eq,
		       size_t elen, const uint32_t *p, const uint32_t *q,
		       const uint32_t *r2p, const uint32_t *r2q, size_t len, uint32_t p0i,
		       uint32_t q0i)
{
	wt_i32_modpow_ct(xp, ep, elen, p, r2p, len, p0i);
	wt_i32_modpow_ct(xq, eq, elen, q, r2q, len, q0i);
}

#endif
