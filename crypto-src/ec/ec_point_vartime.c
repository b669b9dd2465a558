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
 */
static int wnaf(int8_t *out, const uint8_t *k, size_t len, int w)
{
	uint32_t v[WT_EC_MAXLEN / 4 + 1];
	size_t nw = len / 4 + 1, i;
	int n = 0, nonzero;
	for (i = 0; i < nw - 1; i++)
		v[i] = wt_load32_be(k + len - 4 * (i + 1));
	v[nw - 1] = 0;
	for (;;) {
		int d = 0;
		nonzero = 0;
		for (i = 0; i < nw; i++)
			nonzero |= v[i] != 0;
		if (!nonzero)
			break;
		if (v[0] & 1) {
			uint64_t carry;
			d = (int)(v[0] & ((1u << w) - 1));
			if (d >= 1 << (w - 1))
				d -= 1 << w;
			/* v -= d: the low w bits become zero. */
			if (d > 0) {
				carry = (uint64_t)v[0] - (uint32_t)d;
				v[0] = (uint32_t)carry;
				for (i = 1; i < nw && (carry >> 63); i++) {
					carry = (uint64_t)v[i] - 1;
					v[i] = (uint32_t)carry;
				}
			} else {
				carry = (uint64_t)v[0] + (uint32_t)-d;
				v[0] = (uint32_t)carry;
				for (i = 1; i < nw && (carry >> 32); i++) {
					carry = (uint64_t)v[i] + 1;
					v[i] = (uint32_t)carry;
				}
			}
		}
		out[n++] = (int8_t)d;
		for (i = 0; i + 1 < nw; i++)
			v[i] = (v[i] >> 1) | (v[i + 1] << 31);
		v[nw - 1] >>= 1;
	}
	return n;
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
