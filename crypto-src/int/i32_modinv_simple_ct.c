/*
 * i32_modinv_simple_ct.c: modular inverse for an odd modulus by the plain
 * constant-time binary extended GCD, one bit per step over the full
 * length (see wt_i32.h). Simple and slow (about 2 * bits full-length
 * passes of eight operations); the tests use it as the oracle of the
 * optimized wt_i32_modinv_ct (i32_modinv_ct.c).
 *
 * Invariants a = u*x and b = v*x (mod m), starting from a = x, u = 1,
 * b = m, v = 0; b stays odd. Each step:
 *     if a is odd: if a < b, swap (a, u) and (b, v); a -= b; u -= v
 *     a /= 2; u /= 2 (mod m)
 * Every step shrinks bitlen(a) + bitlen(b) by at least one until a = 0,
 * so 2 * 32 * len steps always suffice; then b = gcd(x, m) and, when it is
 * 1, v = x^-1. Every step does all the work under masks, whatever the
 * values, and the step count depends on len only.
 */
#include "inner.h"
#include "int/wt_i32.h"

/* u = u / 2 mod m (m odd): add m first when u is odd; the sum may carry
 * one bit past the top limb, which the shift brings back in. */
static void mod_half(uint32_t *u, const uint32_t *m, size_t len)
{
	uint32_t odd = u[0] & 1;
	/* wt_i32_add reports the carry of the sum even when it does not
	 * apply it: keep it only when the addition happened */
	uint32_t carry = wt_i32_add(u, m, len, odd) & odd;
	size_t i;
	for (i = 0; i + 1 < len; i++)
		u[i] = (u[i] >> 1) | (u[i + 1] << 31);
	u[len - 1] = (u[len - 1] >> 1) | (carry << 31);
}

/* see wt_i32.h */
uint32_t wt_i32_modinv_simple_ct(uint32_t *d, const uint32_t *x, const uint32_t *m,
				 size_t len)
{
	uint32_t a[WT_I32_MAX_LIMBS], b[WT_I32_MAX_LIMBS], u[WT_I32_MAX_LIMBS];
	uint32_t *v = d;
	uint32_t one[WT_I32_MAX_LIMBS];
	size_t k, i, steps = 64 * len;
	uint32_t ok;

	memcpy(a, x, len * sizeof *a);
	memcpy(b, m, len * sizeof *b);
	memset(u, 0, len * sizeof *u);
	u[0] = 1;
	memset(v, 0, len * sizeof *v);
	for (k = 0; k < steps; k++) {
		uint32_t odd = a[0] & 1;
		uint32_t swap = odd & wt_i32_lt(a, b, len);
		wt_i32_cswap(swap, a, b, len);
		wt_i32_cswap(swap, u, v, len);
		/* a - b is exact (a >= b here when odd); u - v is mod m */
		wt_i32_sub(a, b, len, odd);
		{
			uint32_t borrow = wt_i32_sub(u, v, len, odd);
			wt_i32_add(u, m, len, borrow & odd);
		}
		for (i = 0; i + 1 < len; i++)
			a[i] = (a[i] >> 1) | (a[i + 1] << 31);
		a[len - 1] >>= 1;
		mod_half(u, m, len);
	}
	memset(one, 0, len * sizeof *one);
	one[0] = 1;
	ok = wt_i32_eq(b, one, len);
	wt_wipe(a, sizeof a);
	wt_wipe(b, sizeof b);
	wt_wipe(u, sizeof u);
	return ok;
}
