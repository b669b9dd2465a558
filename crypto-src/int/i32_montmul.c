/*
 * i32_montmul.c: Montgomery multiplication over 32-bit limbs and the
 * conversions into and out of Montgomery form (see wt_i32.h).
 * Constant-time: loops run over limb counts, the final subtraction is a
 * masked one.
 */
#include "inner.h"
#include "int/wt_i32.h"

/* see wt_i32.h */
void wt_i32_montmul(uint32_t *d, const uint32_t *a, const uint32_t *b, const uint32_t *m,
		    size_t len, uint32_t m0i)
{
	/* Finely integrated operand scanning (FIOS): for each limb a[i],
	 * t = (t + a[i]*b + u*m) / 2^32 with u chosen so the low limb
	 * vanishes. Two carry chains keep every 64-bit sum in range:
	 * a[i]*b[j] + t[j] + c1 <= (2^32-1)^2 + 2(2^32-1) = 2^64 - 1, and the
	 * same for u*m[j] + lo + c2. With a < R and b < m the running t
	 * stays below 2m (HAC 14.36 note), so t fits len limbs plus one
	 * bit in t[len]. */
	uint32_t t[WT_I32_MAX_LIMBS + 1];
	uint32_t ctl;
	size_t i, j;
	memset(t, 0, (len + 1) * sizeof *t);
	for (i = 0; i < len; i++) {
		uint32_t ai = a[i], u;
		uint64_t z1, z2, c1, c2;
		z1 = (uint64_t)ai * b[0] + t[0];
		u = (uint32_t)z1 * m0i;
		z2 = (uint64_t)u * m[0] + (uint32_t)z1; /* low limb is 0 */
		c1 = z1 >> 32;
		c2 = z2 >> 32;
		for (j = 1; j < len; j++) {
			z1 = (uint64_t)ai * b[j] + t[j] + c1;
			c1 = z1 >> 32;
			z2 = (uint64_t)u * m[j] + (uint32_t)z1 + c2;
			c2 = z2 >> 32;
			t[j - 1] = (uint32_t)z2;
		}
		z1 = (uint64_t)t[len] + c1 + c2;
		t[len - 1] = (uint32_t)z1;
		t[len] = (uint32_t)(z1 >> 32);
	}
	/* t < 2m: subtract m once when t >= m, i.e. when t overflowed into
	 * t[len] or t - m does not borrow. */
	ctl = t[len] | WT_NOT(wt_i32_sub(t, m, len, 0));
	wt_i32_sub(t, m, len, ctl);
	memcpy(d, t, len * sizeof *d);
	wt_wipe(t, sizeof t);
}

/* see wt_i32.h */
void wt_i32_montsqr(uint32_t *d, const uint32_t *a, const uint32_t *m, size_t len,
		    uint32_t m0i)
{
	/* Square, then reduce (separated operand scanning, HAC 14.32 for
	 * REDC): the cross products a[i]a[j], i < j, are computed once and
	 * doubled, so the square costs len(len+1)/2 limb products and the
	 * reduction len^2, against 2 len^2 for montmul(a, a). With a < m the
	 * reduced value is below 2m, as in montmul. */
	uint32_t t[2 * WT_I32_MAX_LIMBS];
	uint32_t top, cc, ctl;
	uint64_t z, c;
	size_t i, j;
	memset(t, 0, 2 * len * sizeof *t);
	for (i = 0; i + 1 < len; i++) {
		uint32_t ai = a[i];
		c = 0;
		for (j = i + 1; j < len; j++) {
			z = (uint64_t)ai * a[j] + t[i + j] + c;
			t[i + j] = (uint32_t)z;
			c = z >> 32;
		}
		t[i + len] = (uint32_t)c;
	}
	/* t = 2t (the cross sum is below a^2 / 2: no bit falls off) */
	top = 0;
	for (i = 0; i < 2 * len; i++) {
		uint32_t w = t[i];
		t[i] = (w << 1) | top;
		top = w >> 31;
	}
	/* + the squares on the diagonal */
	c = 0;
	for (i = 0; i < len; i++) {
		z = (uint64_t)a[i] * a[i] + t[2 * i] + c;
		t[2 * i] = (uint32_t)z;
		z = (uint64_t)t[2 * i + 1] + (z >> 32);
		t[2 * i + 1] = (uint32_t)z;
		c = z >> 32;
	}
	/* REDC: clear one low limb per row by adding u m; cc carries into
	 * the limb above each row's end */
	cc = 0;
	for (i = 0; i < len; i++) {
		uint32_t u = t[i] * m0i;
		c = 0;
		for (j = 0; j < len; j++) {
			z = (uint64_t)u * m[j] + t[i + j] + c;
			t[i + j] = (uint32_t)z;
			c = z >> 32;
		}
		z = (uint64_t)t[i + len] + c + cc;
		t[i + len] = (uint32_t)z;
		cc = (uint32_t)(z >> 32);
	}
	ctl = cc | WT_NOT(wt_i32_sub(t + len, m, len, 0));
	wt_i32_sub(t + len, m, len, ctl);
	memcpy(d, t + len, len * sizeof *d);
	wt_wipe(t, sizeof t);
}

/* x = 2x mod m for x < m. */
static void mod_double(uint32_t *x, const uint32_t *m, size_t len)
{
	uint32_t top = 0, ctl;
	size_t i;
	for (i = 0; i < len; i++) {
		uint32_t w = x[i];
		x[i] = (w << 1) | top;
		top = w >> 31;
	}
	ctl = top | WT_NOT(wt_i32_sub(x, m, len, 0));
	wt_i32_sub(x, m, len, ctl);
}

/* see wt_i32.h */
void wt_i32_mont_r2(uint32_t *r2, const uint32_t *m, size_t len, uint32_t m0i)
{
	/* The bit length of m is public (the key size), so it may steer
	 * loop counts; the limb values never do. */
	uint32_t mb = wt_i32_bitlen(m, len);
	uint32_t K = (uint32_t)(32 * len), bit, i;

	/* R mod m: start from 2^(mb-1) < m and double up to 2^(32 len). */
	memset(r2, 0, len * sizeof *r2);
	r2[(mb - 1) >> 5] = (uint32_t)1 << ((mb - 1) & 31);
	for (i = mb - 1; i < K; i++)
		mod_double(r2, m, len);
	/* r2 now holds R mod m = the Montgomery form of 1. Montgomery forms
	 * of powers of two: doubling 2^k R gives 2^(k+1) R, montmul squares
	 * 2^k R into 2^(2k) R. Walk K's bits from the top (the leading one
	 * is the first doubling) to reach 2^K R = R^2 mod m. K is public. */
	mod_double(r2, m, len);
	bit = 31;
	while (((K >> bit) & 1) == 0)
		bit--;
	while (bit-- > 0) {
		wt_i32_montsqr(r2, r2, m, len, m0i);
		if ((K >> bit) & 1)
			mod_double(r2, m, len);
	}
}

/* see wt_i32.h */
void wt_i32_to_mont_wide(uint32_t *d, const uint32_t *x, size_t xlen, const uint32_t *m,
			 const uint32_t *r2, size_t len, uint32_t m0i)
{
	/* Horner over len-limb chunks, most significant first, in
	 * Montgomery form: with X = x_hi*R + c,
	 *   mont(X) = X*R = montmul(mont(x_hi), R^2) + montmul(c, R^2),
	 * and montmul accepts any chunk c < R as its first operand. The
	 * chunk count depends on lengths only. */
	uint32_t c[WT_I32_MAX_LIMBS], t[WT_I32_MAX_LIMBS];
	size_t nch = (xlen + len - 1) / len, k, i;
	memset(d, 0, len * sizeof *d);
	for (k = nch; k-- > 0;) {
		for (i = 0; i < len; i++) {
			size_t idx = k * len + i;
			c[i] = idx < xlen ? x[idx] : 0;
		}
		wt_i32_montmul(d, d, r2, m, len, m0i);
		wt_i32_montmul(t, c, r2, m, len, m0i);
		wt_i32_modadd(d, t, m, len);
	}
	wt_wipe(c, sizeof c);
	wt_wipe(t, sizeof t);
}

/* see wt_i32.h */
void wt_i32_from_mont(uint32_t *x, const uint32_t *m, size_t len, uint32_t m0i)
{
	uint32_t one[WT_I32_MAX_LIMBS];
	memset(one, 0, len * sizeof *one);
	one[0] = 1;
	/* montmul(x, 1) = x/R; 1 < m as montmul requires of b */
	wt_i32_montmul(x, x, one, m, len, m0i);
}
