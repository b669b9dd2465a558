/*
 * i32_modinv_ct.c: modular inverse for an odd modulus, constant-time, by
 * the optimized binary GCD of T. Pornin, "Optimized Binary GCD for
 * Modular Inversion" (IACR ePrint 2020/972), algorithm 2 with k = 32
 * (see wt_i32.h). RSA signing uses it to unblind:
 * s = (c r^e)^d * r^-1 mod n, where r is secret.
 *
 * The plain binary GCD (i32_modinv_simple_ct.c) makes 2 * bits steps, each
 * a full-length compare, swap, subtract and halve. Here 31 steps at a time
 * run on 64-bit approximations of a and b (their low 31 bits, exact, and
 * their top 33 bits), recording the steps as a matrix of small signed
 * factors (f0 g0; f1 g1); one full-length pass then applies the matrix:
 *     a' = (a f0 + b g0) / 2^31,  b' = (a f1 + b g1) / 2^31
 *     u' = (u f0 + v g0) / 2^31 mod m,  v' = (u f1 + v g1) / 2^31 mod m
 * The low bits being exact makes both divisions of a and b exact; a wrong
 * decision caused by the approximate high bits can only leave a' or b'
 * negative, which is undone by negating it and its row of factors. Each
 * group of 31 steps shrinks len(a) + len(b) by at least 31 bits (the
 * paper's analysis), so ceil((2 bits - 1) / 31) groups suffice; we run
 * two more, which leave a finished GCD unchanged (with a = 0 the matrix is
 * (1 0; 0 2^31) and b, v stay as they are).
 *
 * Internally the numbers use 31-bit limbs, so that a limb times a factor
 * (|f| <= 2^31) plus another such product fits a signed 64-bit integer,
 * as in the paper. Every step runs whatever the values, with masks in
 * place of branches and no shift by a secret amount.
 *
 * Checked against the one-bit-per-step version (wt_i32_modinv_simple_ct)
 * in test/native/test_rsa.c, and during development on 26,000 random and
 * edge-case moduli of 1 to 128 limbs (inputs 0, 1, m - 1, powers of two,
 * non-invertible) with no difference.
 */
#include "inner.h"
#include "int/wt_i32.h"

#define M31 0x7fffffffu
/* 31-bit limbs for up to 128 32-bit limbs, plus headroom for 2m */
#define L31 (((32 * WT_I32_MAX_LIMBS) + 30) / 31 + 1)

/* Arithmetic shift right by 31 of a signed 64-bit value, spelled out
 * (>> on a negative value is implementation-defined in C). */
static inline int64_t asr31(int64_t x)
{
	uint64_t u = (uint64_t)x;
	return (int64_t)((u >> 31) | (-(u >> 63) << 33));
}

/* 32-bit limbs -> n 31-bit limbs. */
static void to31(uint32_t *d, size_t n, const uint32_t *x, size_t len)
{
	size_t i;
	for (i = 0; i < n; i++) {
		size_t bit = 31 * i, w = bit >> 5, s = bit & 31;
		uint64_t v = 0;
		if (w < len)
			v = x[w];
		if (w + 1 < len)
			v |= (uint64_t)x[w + 1] << 32;
		d[i] = (uint32_t)(v >> s) & M31;
	}
}

/* n 31-bit limbs -> len 32-bit limbs (the value must fit). */
static void from31(uint32_t *x, size_t len, const uint32_t *d, size_t n)
{
	size_t i;
	memset(x, 0, len * sizeof *x);
	for (i = 0; i < n; i++) {
		size_t bit = 31 * i, w = bit >> 5, s = bit & 31;
		uint64_t v = (uint64_t)d[i] << s;
		if (w < len)
			x[w] |= (uint32_t)v;
		if (w + 1 < len)
			x[w + 1] |= (uint32_t)(v >> 32);
	}
}

/* Bit length of one word, branch-free. */
static uint32_t bitlen32(uint32_t w)
{
	uint32_t n = 0, c;
	c = WT_GT(w, 0xffff);
	w = WT_MUX(c, w >> 16, w);
	n += c << 4;
	c = WT_GT(w, 0xff);
	w = WT_MUX(c, w >> 8, w);
	n += c << 3;
	c = WT_GT(w, 0xf);
	w = WT_MUX(c, w >> 4, w);
	n += c << 2;
	c = WT_GT(w, 0x3);
	w = WT_MUX(c, w >> 2, w);
	n += c << 1;
	c = WT_GT(w, 0x1);
	w = WT_MUX(c, w >> 1, w);
	n += c;
	return n + w;
}

/* The 64-bit approximations of a and b (paper, algorithm 2 line 3-5):
 * with t = max(len(a), len(b)), a~ = (a mod 2^31) + 2^31 floor(a / 2^(t-33))
 * when t > 64, and a itself otherwise (then exact). Branch-free and
 * without shifts by secret amounts: the top limb is found by a masked
 * scan, and the final alignment is a barrel shift of masked steps
 * (Valgrind's memcheck reports a secret shift count, and some CPUs once
 * made variable shifts slower). */
static void approx(const uint32_t *a, const uint32_t *b, size_t n, uint64_t *aa,
		   uint64_t *bb)
{
	uint32_t top = 0, j = 0, a2 = 0, a1 = 0, a0 = 0, b2 = 0, b1 = 0, b0 = 0;
	uint32_t sig, big;
	uint64_t wa, wb, ea, eb, mk;
	size_t i, k;
	for (i = 0; i < n; i++) {
		uint32_t w = a[i] | b[i];
		uint32_t nz = wt_barrier(-WT_NEQ(w, 0));
		uint32_t p1a = i >= 1 ? a[i - 1] : 0, p1b = i >= 1 ? b[i - 1] : 0;
		uint32_t p2a = i >= 2 ? a[i - 2] : 0, p2b = i >= 2 ? b[i - 2] : 0;
		top = (((uint32_t)(31 * i) + bitlen32(w)) & nz) | (top & ~nz);
		j = ((uint32_t)i & nz) | (j & ~nz);
		a2 = (a[i] & nz) | (a2 & ~nz);
		a1 = (p1a & nz) | (a1 & ~nz);
		a0 = (p2a & nz) | (a0 & ~nz);
		b2 = (b[i] & nz) | (b2 & ~nz);
		b1 = (p1b & nz) | (b1 & ~nz);
		b0 = (p2b & nz) | (b0 & ~nz);
	}
	/* 64 bits ending at the top of limb j: positions [31j - 33, 31j + 31);
	 * the wanted 33 bits start sig = top - 31j (1..31) bits up. */
	wa = ((uint64_t)a2 << 33) | ((uint64_t)a1 << 2) | (a0 >> 29);
	wb = ((uint64_t)b2 << 33) | ((uint64_t)b1 << 2) | (b0 >> 29);
	sig = top - 31 * j;
	for (k = 0; k < 5; k++) {
		uint64_t m = (uint64_t)0 - (uint64_t)wt_barrier((sig >> k) & 1);
		wa = (wa & ~m) | ((wa >> (1u << k)) & m);
		wb = (wb & ~m) | ((wb >> (1u << k)) & m);
	}
	wa = (wa & (((uint64_t)1 << 33) - 1)) << 31 | a[0];
	wb = (wb & (((uint64_t)1 << 33) - 1)) << 31 | b[0];
	/* t <= 64: the exact values (limbs 0..2, the third one < 4) */
	ea = (uint64_t)a[0] | ((uint64_t)a[1] << 31) | ((uint64_t)a[2] << 62);
	eb = (uint64_t)b[0] | ((uint64_t)b[1] << 31) | ((uint64_t)b[2] << 62);
	big = WT_GT(top, 64);
	mk = (uint64_t)0 - (uint64_t)wt_barrier(big);
	*aa = (wa & mk) | (ea & ~mk);
	*bb = (wb & mk) | (eb & ~mk);
}

/* x = (xs f + ys g) / 2^31, exact by construction; then |x|, with the
 * row (f, g) negated when x was negative. */
static void update_ab(uint32_t *x, const uint32_t *xs, const uint32_t *ys, size_t n,
		      int64_t *f, int64_t *g)
{
	int64_t c = 0;
	uint32_t neg, cc;
	size_t i;
	for (i = 0; i < n; i++) {
		int64_t z = (int64_t)xs[i] * *f + (int64_t)ys[i] * *g + c;
		if (i > 0)
			x[i - 1] = (uint32_t)z & M31;
		c = asr31(z);
	}
	x[n - 1] = (uint32_t)c & M31;
	neg = (uint32_t)((uint64_t)c >> 63);
	/* conditional two's-complement negation over n 31-bit limbs */
	cc = neg;
	for (i = 0; i < n; i++) {
		uint32_t w = (x[i] ^ (-neg & M31)) + cc;
		x[i] = w & M31;
		cc = w >> 31;
	}
	*f = (*f ^ -(int64_t)neg) + neg;
	*g = (*g ^ -(int64_t)neg) + neg;
}

/* x = (us f + vs g) / 2^31 mod m, for us, vs in [0, m) and
 * |f| + |g| <= 2^31: add k m with k making the sum divisible by 2^31
 * (a Montgomery step), giving a value in (-m, 2m), then fold into
 * [0, m). */
static void update_uv(uint32_t *x, const uint32_t *us, const uint32_t *vs, int64_t f,
		      int64_t g, const uint32_t *m, uint32_t m0i, size_t n)
{
	int64_t c = 0, z;
	uint32_t k, neg, cc, ge;
	size_t i;
	z = (int64_t)us[0] * f + (int64_t)vs[0] * g;
	k = ((uint32_t)z * m0i) & M31;
	for (i = 0; i < n; i++) {
		z = (int64_t)us[i] * f + (int64_t)vs[i] * g + (int64_t)m[i] * k + c;
		if (i > 0)
			x[i - 1] = (uint32_t)z & M31;
		c = asr31(z);
	}
	x[n - 1] = (uint32_t)c & M31;
	neg = (uint32_t)((uint64_t)c >> 63);
	/* negative: add m (the top limb's sign bits drop off) */
	cc = 0;
	for (i = 0; i < n; i++) {
		uint32_t w = x[i] + (m[i] & -neg) + cc;
		x[i] = w & M31;
		cc = w >> 31;
	}
	/* >= m: subtract m */
	cc = 0;
	for (i = 0; i < n; i++) {
		uint32_t w = x[i] - m[i] - cc;
		cc = w >> 31;
	}
	ge = cc ^ 1;
	cc = 0;
	for (i = 0; i < n; i++) {
		uint32_t w = x[i] - (m[i] & -ge) - cc;
		x[i] = w & M31;
		cc = w >> 31;
	}
}

/* see wt_i32.h */
uint32_t wt_i32_modinv_ct(uint32_t *d, const uint32_t *x, const uint32_t *m, size_t len)
{
	uint32_t a[L31], b[L31], u[L31], v[L31], m31[L31];
	uint32_t ta[L31], tb[L31], tu[L31], tv[L31];
	size_t n = (32 * len + 30) / 31 + 1, i, iter, nit;
	uint32_t m0i, ok, z;
	/* The iteration count comes from the limb count, an upper bound of
	 * the modulus' bit length (extra groups leave a finished GCD as it
	 * is, see above): RSA signing inverts modulo the secret primes,
	 * whose exact bit lengths are not to steer a loop. */
	size_t mb = 32 * len;

	to31(a, n, x, len);
	to31(m31, n, m, len);
	memcpy(b, m31, n * sizeof *b);
	memset(u, 0, n * sizeof *u);
	memset(v, 0, n * sizeof *v);
	u[0] = 1;
	/* -1/m mod 2^31 */
	m0i = wt_i32_ninv32(m[0]) & M31;

	nit = (2 * mb - 1 + 30) / 31 + 2;
	for (iter = 0; iter < nit; iter++) {
		uint64_t aa, bb;
		int64_t f0 = 1, g0 = 0, f1 = 0, g1 = 1;
		uint32_t j;

		approx(a, b, n, &aa, &bb);
		for (j = 0; j < 31; j++) {
			/* a odd: if a < b swap (a, b) and the rows; a -= b */
			uint64_t odd = aa & 1, diff = aa - bb;
			/* aa < bb: the borrow of aa - bb (inner.h's WT_GT, 64 bits) */
			uint64_t lt = (diff ^ ((aa ^ bb) & (bb ^ diff))) >> 63;
			uint64_t sw = (uint64_t)0 - (odd & lt);
			uint64_t t = (aa ^ bb) & sw;
			int64_t tf, tg, om = -(int64_t)odd;
			aa ^= t;
			bb ^= t;
			tf = (f0 ^ f1) & (int64_t)sw;
			f0 ^= tf;
			f1 ^= tf;
			tg = (g0 ^ g1) & (int64_t)sw;
			g0 ^= tg;
			g1 ^= tg;
			aa -= bb & (uint64_t)om;
			f0 -= f1 & om;
			g0 -= g1 & om;
			/* a /= 2; the other row doubles to keep the scale */
			aa >>= 1;
			f1 *= 2;
			g1 *= 2;
		}

		memcpy(ta, a, n * sizeof *ta);
		memcpy(tb, b, n * sizeof *tb);
		update_ab(a, ta, tb, n, &f0, &g0);
		update_ab(b, ta, tb, n, &f1, &g1);
		memcpy(tu, u, n * sizeof *tu);
		memcpy(tv, v, n * sizeof *tv);
		update_uv(u, tu, tv, f0, g0, m31, m0i, n);
		update_uv(v, tu, tv, f1, g1, m31, m0i, n);
	}

	/* b = gcd(x, m); it is 1 exactly when x was invertible */
	z = b[0] ^ 1;
	for (i = 1; i < n; i++)
		z |= b[i];
	ok = WT_EQ0(z);
	from31(d, len, v, n);
	wt_wipe(a, sizeof a);
	wt_wipe(b, sizeof b);
	wt_wipe(u, sizeof u);
	wt_wipe(v, sizeof v);
	wt_wipe(ta, sizeof ta);
	wt_wipe(tb, sizeof tb);
	wt_wipe(tu, sizeof tu);
	wt_wipe(tv, sizeof tv);
	return ok;
}
