/*
 * ec_point_vartime.c: u1*G + u2*Q for ECDSA verification on P-256 and
 * P-384. NOT constant-time: every input (the public key, the signature, the
 * message hash) is public, so this code branches on scalar digits, indexes
 * tables with them and takes the exceptional cases of the addition formulas
 * as branches.
 *
 * Jacobian coordinates (x = X/Z^2, y = Y/Z^3) with a = -3, formulas from
 * the Explicit-Formulas Database: dbl-2001-b, madd-2007-bl and add-2007-bl
 * (each squaring of a sum that only recovers a product 2xy replaced by
 * that product, which costs less here); cheaper than the complete projective
 * formulas, whose uniformity is not needed here. Both scalars are recoded
 * to width-w NAF and processed together (Straus / Shamir's trick): one
 * shared chain of doublings, an addition of a precomputed odd multiple for
 * each nonzero digit. G uses width 7 and a precomputed affine table
 * (ec_tables.h, 32 points); Q uses width 5 and 8 multiples computed here.
 * Also here: the inversion mod n of verification (s^-1), a binary GCD on
 * the public s.
 */
#include "ec_inner.h"

#define M WT_EC_MAXL

typedef struct {
	wt_ec_point p;
	int inf;
} jpt;

/* dbl-2001-b (a = -3), with 2 Y1 Z1 for (Y1 + Z1)^2 - gamma - delta:
 * 4M + 4S and six linear steps. */
static void jdbl(const wt_ec_curve *c, jpt *R, const jpt *P)
{
	uint32_t delta[M], gamma[M], beta[M], alpha[M], t[M], X3[M], Y3[M], Z3[M];
	if (P->inf) {
		R->inf = 1;
		return;
	}
	c->fsqr(delta, P->p.z);       /* delta = Z1^2 */
	c->fsqr(gamma, P->p.y);       /* gamma = Y1^2 */
	c->fmul(beta, P->p.x, gamma); /* beta = X1 gamma */
	c->flin(t, P->p.x, 3, delta, 3);
	c->fadd(alpha, P->p.x, delta);
	c->fmul(alpha, alpha, t); /* alpha = 3 (X1 - delta)(X1 + delta) */
	c->fsqr(X3, alpha);
	c->flin(X3, X3, 1, beta, 8); /* X3 = alpha^2 - 8 beta */
	c->fmul(Z3, P->p.y, P->p.z);
	c->fadd(Z3, Z3, Z3); /* Z3 = 2 Y1 Z1 */
	c->flin(t, beta, 4, X3, 1);
	c->fmul(Y3, alpha, t);
	c->fsqr(t, gamma);
	c->flin(Y3, Y3, 1, t, 8); /* Y3 = alpha (4 beta - X3) - 8 gamma^2 */
	memcpy(R->p.x, X3, sizeof X3);
	memcpy(R->p.y, Y3, sizeof Y3);
	memcpy(R->p.z, Z3, sizeof Z3);
	R->inf = 0;
}

/* R = P + (x2, y2), the second point affine: madd-2007-bl, with 2 Z1 H
 * for (Z1 + H)^2 - Z1Z1 - HH. */
static void jmadd(const wt_ec_curve *c, jpt *R, const jpt *P, const uint32_t *x2,
		  const uint32_t *y2)
{
	uint32_t z1z1[M], u2[M], s2[M], h[M], hh[M], i4[M], j[M], r[M], v[M], X3[M],
		Y3[M], Z3[M];
	if (P->inf) {
		memcpy(R->p.x, x2, c->nl * 4);
		memcpy(R->p.y, y2, c->nl * 4);
		memcpy(R->p.z, c->one, c->nl * 4);
		R->inf = 0;
		return;
	}
	c->fsqr(z1z1, P->p.z);
	c->fmul(u2, x2, z1z1);
	c->fmul(s2, y2, P->p.z);
	c->fmul(s2, s2, z1z1);
	c->fsub(h, u2, P->p.x);
	c->fsub(r, s2, P->p.y);
	if (wt_ec_fis_zero(c, h)) {
		/* Same x: P == (x2, y2) (double it) or P == -(x2, y2). */
		if (wt_ec_fis_zero(c, r))
			jdbl(c, R, P);
		else
			R->inf = 1;
		return;
	}
	c->fadd(r, r, r); /* r = 2 (S2 - Y1) */
	c->fsqr(hh, h);
	c->fmul_small(i4, hh, 4); /* I = 4 HH */
	c->fmul(j, h, i4);        /* J = H I */
	c->fmul(v, P->p.x, i4);   /* V = X1 I */
	c->fsqr(X3, r);
	c->fsub(X3, X3, j);
	c->flin(X3, X3, 1, v, 2); /* X3 = r^2 - J - 2 V */
	c->fsub(v, v, X3);
	c->fmul(Y3, r, v);
	c->fmul(j, P->p.y, j);
	c->flin(Y3, Y3, 1, j, 2); /* Y3 = r (V - X3) - 2 Y1 J */
	c->fmul(Z3, P->p.z, h);
	c->fadd(Z3, Z3, Z3); /* Z3 = 2 Z1 H */
	memcpy(R->p.x, X3, sizeof X3);
	memcpy(R->p.y, Y3, sizeof Y3);
	memcpy(R->p.z, Z3, sizeof Z3);
	R->inf = 0;
}

/* add-2007-bl, with 2 Z1 Z2 H for ((Z1 + Z2)^2 - Z1Z1 - Z2Z2) H. */
static void jadd(const wt_ec_curve *c, jpt *R, const jpt *P, const jpt *Q)
{
	uint32_t z1z1[M], z2z2[M], u1[M], u2[M], s1[M], s2[M], h[M], i4[M], j[M], r[M],
		v[M];
	uint32_t X3[M], Y3[M], Z3[M];
	if (P->inf) {
		*R = *Q;
		return;
	}
	if (Q->inf) {
		*R = *P;
		return;
	}
	c->fsqr(z1z1, P->p.z);
	c->fsqr(z2z2, Q->p.z);
	c->fmul(u1, P->p.x, z2z2);
	c->fmul(u2, Q->p.x, z1z1);
	c->fmul(s1, P->p.y, Q->p.z);
	c->fmul(s1, s1, z2z2);
	c->fmul(s2, Q->p.y, P->p.z);
	c->fmul(s2, s2, z1z1);
	c->fsub(h, u2, u1);
	c->fsub(r, s2, s1);
	if (wt_ec_fis_zero(c, h)) {
		if (wt_ec_fis_zero(c, r))
			jdbl(c, R, P);
		else
			R->inf = 1;
		return;
	}
	c->fadd(r, r, r); /* r = 2 (S2 - S1) */
	c->fadd(i4, h, h);
	c->fsqr(i4, i4);    /* I = (2H)^2 */
	c->fmul(j, h, i4);  /* J = H I */
	c->fmul(v, u1, i4); /* V = U1 I */
	c->fsqr(X3, r);
	c->fsub(X3, X3, j);
	c->flin(X3, X3, 1, v, 2); /* X3 = r^2 - J - 2 V */
	c->fsub(v, v, X3);
	c->fmul(Y3, r, v);
	c->fmul(s1, s1, j);
	c->flin(Y3, Y3, 1, s1, 2); /* Y3 = r (V - X3) - 2 S1 J */
	c->fmul(Z3, P->p.z, Q->p.z);
	c->fmul(Z3, Z3, h);
	c->fadd(Z3, Z3, Z3); /* Z3 = 2 Z1 Z2 H */
	memcpy(R->p.x, X3, sizeof X3);
	memcpy(R->p.y, Y3, sizeof Y3);
	memcpy(R->p.z, Z3, sizeof Z3);
	R->inf = 0;
}

/*
 * Width-w NAF of the len-byte big-endian k: digits (least significant
 * first) are 0 or odd in (-2^(w-1), 2^(w-1)), and any w consecutive ones
 * hold at most one nonzero. Returns the number of digits (<= 8*len + 1).
 * One pass over the bits, a window at a time (as libsecp256k1's
 * secp256k1_ecmult_wnaf): where bit + carry is odd, the w bits from there
 * plus the carry give the digit, and a digit at or above 2^(w-1) becomes
 * digit - 2^w with a carry into the next window. Shifting the whole
 * scalar once per bit cost 2.5 us per scalar in wasm.
 */
static int wnaf(int8_t *out, const uint8_t *k, size_t len, int w)
{
	int bits = 8 * (int)len, bit = 0, carry = 0, n = 0;
	memset(out, 0, (size_t)bits + 1);
	while (bit < bits) {
		size_t byte = (size_t)bit >> 3;
		uint32_t v;
		int now, d;
		if ((int)((k[len - 1 - byte] >> (bit & 7)) & 1) == carry) {
			bit++;
			continue;
		}
		/* w <= 8 bits from a bit offset below 8 span two bytes. */
		v = k[len - 1 - byte];
		if (byte + 1 < len)
			v |= (uint32_t)k[len - 2 - byte] << 8;
		now = bits - bit < w ? bits - bit : w;
		d = (int)((v >> (bit & 7)) & ((1u << now) - 1)) + carry;
		carry = (d >> (w - 1)) & 1;
		d -= carry << w;
		out[bit] = (int8_t)d;
		bit += now;
		n = bit;
	}
	if (carry) {
		out[bits] = 1;
		n = bits + 1;
	}
	return n;
}

/*
 * Modular inversion of public values: the binary GCD of Pornin,
 * "Optimized Binary GCD for Modular Inversion" (IACR ePrint 2020/972,
 * algorithm 2), variable-time. Numbers are 31-bit limbs (little-endian,
 * in uint32_t). Each outer step runs 31 binary-GCD steps on 64-bit
 * approximations of a and b (their low 31 bits and top 33 bits, exact
 * once both fit 64 bits), collecting them in a matrix (f0 g0; f1 g1) with
 * |f| + |g| <= 2^31, then applies it to the full values:
 *   a, b <- (f0 a + g0 b) / 2^31, (f1 a + g1 b) / 2^31   (exact divisions)
 *   u, v <- (f0 u + g0 v) / 2^31, (f1 u + g1 v) / 2^31   (mod m)
 * keeping a = u x and b = v x (mod m). From a = x, b = m, u = 1, v = 0 it
 * ends at a = 0, b = gcd = 1, so v = 1/x. About 2*bits/31 outer steps:
 * for P-256 mod n, 3.8 us in wasm against 47 us for Fermat's x^(n-2)
 * (same run, loaded machine), which was 11% of a verification.
 */
#define L31 ((WT_EC_MAXLEN * 8) / 31 + 1) /* limbs for the largest modulus */
#define W31 0x7fffffffu
/* Run once per verification: compiled for size (at -O3 with inlining,
 * unrolling and vectorizing it took 4 KB of code for no measurable gain). */
#define SMALL __attribute__((noinline, minsize))

/* r = (x f + y g) / 2^31, the division exact; returns the sign of the
 * result (0 or -1; r is then its two's complement over nl limbs). With
 * limbs below 2^31 and |f| + |g| <= 2^31 a column stays below 2^62. */
SMALL static int64_t lin31(uint32_t *r, const uint32_t *x, const uint32_t *y, int64_t f,
			   int64_t g, size_t nl)
{
	int64_t c = ((int64_t)x[0] * f + (int64_t)y[0] * g) >> 31;
	size_t i;
	for (i = 1; i < nl; i++) {
		c += (int64_t)x[i] * f + (int64_t)y[i] * g;
		r[i - 1] = (uint32_t)c & W31;
		c >>= 31;
	}
	r[nl - 1] = (uint32_t)c & W31;
	return c >> 31;
}

/* r += k m (k = 1 or -1) over nl limbs; returns the carry out. */
SMALL static int64_t addm31(uint32_t *r, const uint32_t *m, int64_t k, size_t nl)
{
	int64_t c = 0;
	size_t i;
	for (i = 0; i < nl; i++) {
		c += (int64_t)r[i] + k * m[i];
		r[i] = (uint32_t)c & W31;
		c >>= 31;
	}
	return c;
}

/* r = (x f + y g) / 2^31 mod m for x, y in [0, m): adding k m with
 * k = -(x f + y g) / m mod 2^31 makes the division exact (Montgomery's
 * step; m0i = -1/m mod 2^31). A column stays below 2^63 (x f + y g below
 * 2^62, k m[i] below 2^62), the result is in (-2m, 3m) and brought to
 * [0, m) by at most three additions or subtractions of m. */
SMALL static void lin31_mod(uint32_t *r, const uint32_t *x, const uint32_t *y, int64_t f,
			    int64_t g, const uint32_t *m, uint32_t m0i, size_t nl)
{
	int64_t lo = (int64_t)x[0] * f + (int64_t)y[0] * g, c, top;
	uint32_t k = ((uint32_t)lo * m0i) & W31;
	size_t i;
	c = (lo + (int64_t)k * m[0]) >> 31;
	for (i = 1; i < nl; i++) {
		c += (int64_t)x[i] * f + (int64_t)y[i] * g + (int64_t)k * m[i];
		r[i - 1] = (uint32_t)c & W31;
		c >>= 31;
	}
	r[nl - 1] = (uint32_t)c & W31;
	top = c >> 31;
	while (top < 0)
		top += addm31(r, m, 1, nl);
	for (;;) { /* subtract m while r >= m */
		for (i = nl; i-- > 0;)
			if (r[i] != m[i])
				break;
		if (i != (size_t)-1 && r[i] < m[i])
			return;
		(void)addm31(r, m, -1, nl);
	}
}

/* 64-bit approximation of x: bits [pos, pos + 33) on top of bits [0, 31). */
SMALL static uint64_t approx31(const uint32_t *x, size_t nl, uint32_t pos)
{
	size_t q = pos / 31;
	uint32_t o = pos % 31;
	uint64_t w = (uint64_t)x[q] >> o;
	if (q + 1 < nl)
		w |= (uint64_t)x[q + 1] << (31 - o);
	if (q + 2 < nl)
		w |= (uint64_t)x[q + 2] << (62 - o);
	return ((w & (((uint64_t)1 << 33) - 1)) << 31) | x[0];
}

/* Limbs of len big-endian bytes, and back. */
SMALL static void be_to31(uint32_t *r, const uint8_t *src, size_t len, size_t nl)
{
	uint64_t acc = 0;
	uint32_t bits = 0;
	size_t k = 0, i = len;
	memset(r, 0, nl * 4);
	while (i-- > 0) {
		acc |= (uint64_t)src[i] << bits;
		bits += 8;
		if (bits >= 31) {
			r[k++] = (uint32_t)acc & W31;
			acc >>= 31;
			bits -= 31;
		}
	}
	if (k < nl)
		r[k] = (uint32_t)acc;
}

SMALL static void be_from31(uint8_t *dst, const uint32_t *a, size_t len, size_t nl)
{
	uint64_t acc = 0;
	uint32_t bits = 0;
	size_t k = 0, i = len;
	while (i-- > 0) {
		if (bits < 8 && k < nl) {
			acc |= (uint64_t)a[k++] << bits;
			bits += 31;
		}
		dst[i] = (uint8_t)acc;
		acc >>= 8;
		bits -= 8;
	}
}

/* see ec_inner.h */
SMALL int wt_ec_inv_vartime_be(const wt_ec_curve *c, uint8_t *r, const uint8_t *x,
			       const uint8_t *mod)
{
	uint32_t a[L31], b[L31], u[L31], v[L31], m[L31], t[L31], inv, acc;
	size_t nl = (8 * c->len) / 31 + 1, i;
	int iter, j, cap = (int)(32 * c->len) / 31 + 8;

	be_to31(m, mod, c->len, nl);
	be_to31(a, x, c->len, nl);
	memcpy(b, m, nl * 4);
	memset(u, 0, nl * 4);
	memset(v, 0, nl * 4);
	u[0] = 1;
	/* -1/m mod 2^31 by Newton's iteration (each doubles the valid bits;
	 * m * m = 1 mod 8 for odd m starts with 3). */
	inv = m[0];
	for (j = 0; j < 4; j++)
		inv *= 2 - m[0] * inv;
	inv = (0u - inv) & W31;
	/* The bound is generous (twice the paper's): each outer step removes
	 * about 31 bits of len(a) + len(b). */
	for (iter = 0; iter < cap; iter++) {
		uint64_t xa, xb;
		int64_t f0 = 1, g0 = 0, f1 = 0, g1 = 1, sa, sb;
		uint32_t top = 0, n;
		for (i = 0; i < nl; i++)
			top |= a[i];
		if (top == 0)
			break;
		/* n = max(bit length of a, of b, 64). */
		for (i = nl; i-- > 1;)
			if ((a[i] | b[i]) != 0)
				break;
		top = a[i] | b[i];
		n = (uint32_t)i * 31 + 32 - (uint32_t)__builtin_clz(top | 1);
		if (n < 64)
			n = 64;
		xa = approx31(a, nl, n - 33);
		xb = approx31(b, nl, n - 33);
		for (j = 0; j < 31; j++) {
			if (xa & 1) {
				if (xa < xb) {
					uint64_t tx = xa;
					int64_t tf = f0, tg = g0;
					xa = xb;
					xb = tx;
					f0 = f1;
					g0 = g1;
					f1 = tf;
					g1 = tg;
				}
				xa -= xb;
				f0 -= f1;
				g0 -= g1;
			}
			xa >>= 1;
			f1 *= 2; /* not <<: f1, g1 may be negative (UB) */
			g1 *= 2;
		}
		sa = lin31(t, a, b, f0, g0, nl);
		sb = lin31(b, a, b, f1, g1, nl);
		memcpy(a, t, nl * 4);
		if (sa < 0) {
			(void)addm31(a, a, -2, nl); /* a = -a */
			f0 = -f0;
			g0 = -g0;
		}
		if (sb < 0) {
			(void)addm31(b, b, -2, nl);
			f1 = -f1;
			g1 = -g1;
		}
		lin31_mod(t, u, v, f0, g0, m, inv, nl);
		lin31_mod(v, u, v, f1, g1, m, inv, nl);
		memcpy(u, t, nl * 4);
	}
	/* a == 0: b is the gcd, 1 for an invertible x, and v its inverse. */
	for (i = 1, acc = b[0] ^ 1; i < nl; i++)
		acc |= b[i];
	if (acc != 0 || iter == cap)
		return -1;
	be_from31(r, v, c->len, nl);
	return 0;
}

/* a + b and a - b over len big-endian bytes (carry/borrow out dropped). */
static void be_add(uint8_t *r, const uint8_t *a, const uint8_t *b, size_t len)
{
	uint32_t carry = 0;
	while (len-- > 0) {
		carry += (uint32_t)a[len] + b[len];
		r[len] = (uint8_t)carry;
		carry >>= 8;
	}
}

static void be_sub(uint8_t *r, const uint8_t *a, const uint8_t *b, size_t len)
{
	uint32_t borrow = 0;
	while (len-- > 0) {
		uint32_t d = (uint32_t)a[len] - b[len] - borrow;
		r[len] = (uint8_t)d;
		borrow = d >> 31;
	}
}

/* see ec_inner.h */
uint32_t wt_ec_verify_combination(const wt_ec_curve *c, const uint8_t *u1,
				  const uint8_t *u2, const wt_ec_point *Q,
				  const uint8_t *r)
{
	int8_t n1[8 * WT_EC_MAXLEN + 1], n2[8 * WT_EC_MAXLEN + 1];
	jpt qt[8], q2, R;
	uint32_t y[M], zz[M], t[M], zero[M];
	uint8_t pmn[WT_EC_MAXLEN], rn[WT_EC_MAXLEN];
	int l1, l2, i, nl = (int)c->nl;

	l1 = wnaf(n1, u1, c->len, 7);
	l2 = wnaf(n2, u2, c->len, 5);
	qt[0].p = *Q;
	qt[0].inf = 0;
	jdbl(c, &q2, &qt[0]);
	for (i = 1; i < 8; i++)
		jadd(c, &qt[i], &qt[i - 1], &q2);
	memset(zero, 0, sizeof zero);
	memset(&R, 0, sizeof R);
	R.inf = 1;
	for (i = (l1 > l2 ? l1 : l2) - 1; i >= 0; i--) {
		jdbl(c, &R, &R);
		if (i < l1 && n1[i] != 0) {
			int d = n1[i];
			const uint32_t *e =
				c->godd + (size_t)((d < 0 ? -d : d) >> 1) * 2 * nl;
			if (d < 0) {
				c->fsub(y, zero, e + nl);
				jmadd(c, &R, &R, e, y);
			} else {
				jmadd(c, &R, &R, e, e + nl);
			}
		}
		if (i < l2 && n2[i] != 0) {
			int d = n2[i];
			const jpt *e = &qt[(d < 0 ? -d : d) >> 1];
			if (d < 0) {
				jpt neg = *e;
				c->fsub(neg.p.y, zero, e->p.y);
				jadd(c, &R, &R, &neg);
			} else {
				jadd(c, &R, &R, e);
			}
		}
	}
	if (R.inf)
		return 0;
	/*
	 * FIPS 186-5 section 6.4.2 steps 6-7: accept iff x(R) mod n == r. With
	 * x(R) = X/Z^2 in [0, p) and n < p < 2n, x mod n == r means x == r or
	 * x == r + n (possible only when r + n < p): compare X with r Z^2 and
	 * (r + n) Z^2, sparing the inversion.
	 */
	c->fsqr(zz, R.p.z);
	wt_ec_fdecode(c, t, r);
	c->fmul(t, t, zz);
	if (wt_ec_fequal(c, t, R.p.x))
		return 1;
	be_sub(pmn, c->p_bytes, c->n_bytes, c->len);
	if (!wt_ec_lt_be(r, pmn, c->len))
		return 0;
	be_add(rn, r, c->n_bytes, c->len);
	wt_ec_fdecode(c, t, rn);
	c->fmul(t, t, zz);
	return wt_ec_fequal(c, t, R.p.x);
}
