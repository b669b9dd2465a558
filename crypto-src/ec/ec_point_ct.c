/*
 * ec_point_ct.c: constant-time point arithmetic on P-256 and P-384
 * (y^2 = x^3 - 3x + b): complete projective formulas, scalar
 * multiplication for secret scalars, point decoding and encoding.
 *
 * The formulas are algorithms 4 (addition), 5 (mixed addition) and 6
 * (doubling) of Renes, Costello and Batina, "Complete addition formulas
 * for prime order elliptic curves" (EUROCRYPT 2016, eprint 2015/1060),
 * for a = -3. They are valid for every pair of inputs, the point at
 * infinity (0:1:0) and P == Q included, so a scalar multiplication needs
 * no special case and hence no branch on secret data. (Mixed addition is
 * complete except for an affine second input at infinity, which the comb
 * tables never hold.) ec_tables_gen.py checks the formula sequences
 * against affine arithmetic.
 *
 * Secret scalars never select a branch or a memory address: table entries
 * are read by scanning the whole table under masks, and conditional
 * updates are masked copies.
 */
#include "ec_inner.h"

#define M WT_EC_MAXL
#define FMUL(r, a, b) c->fmul(r, a, b)
#define FADD(r, a, b) c->fadd(r, a, b)
#define FSUB(r, a, b) c->fsub(r, a, b)

static void set_infinity(const wt_ec_curve *c, wt_ec_point *P)
{
	memset(P, 0, sizeof *P);
	memcpy(P->y, c->one, c->nl * 4);
}

/*
 * The three formulas below follow the paper's step numbering; runs of
 * additions that only form small multiples (t + t + t, t - u - u - u...)
 * are merged into one fmul_small or flin call, which computes the same
 * value with one carry pass instead of two or three. The merged sequences
 * are what ec_tables_gen.py checks.
 */

/* see ec_inner.h; RCB16 algorithm 4 (a = -3). R may alias P or Q. */
void wt_ec_point_add(const wt_ec_curve *c, wt_ec_point *R, const wt_ec_point *P,
		     const wt_ec_point *Q)
{
	uint32_t t0[M], t1[M], t2[M], t3[M], t4[M], X3[M], Y3[M], Z3[M];
	FMUL(t0, P->x, Q->x);      /* 1.  t0 = X1 X2 */
	FMUL(t1, P->y, Q->y);      /* 2.  t1 = Y1 Y2 */
	FMUL(t2, P->z, Q->z);      /* 3.  t2 = Z1 Z2 */
	FADD(t3, P->x, P->y);      /* 4.  t3 = X1 + Y1 */
	FADD(t4, Q->x, Q->y);      /* 5.  t4 = X2 + Y2 */
	FMUL(t3, t3, t4);          /* 6.  t3 = t3 t4 */
	FADD(t4, t0, t1);          /* 7.  t4 = t0 + t1 */
	FSUB(t3, t3, t4);          /* 8.  t3 = t3 - t4 */
	FADD(t4, P->y, P->z);      /* 9.  t4 = Y1 + Z1 */
	FADD(X3, Q->y, Q->z);      /* 10. X3 = Y2 + Z2 */
	FMUL(t4, t4, X3);          /* 11. t4 = t4 X3 */
	FADD(X3, t1, t2);          /* 12. X3 = t1 + t2 */
	FSUB(t4, t4, X3);          /* 13. t4 = t4 - X3 */
	FADD(X3, P->x, P->z);      /* 14. X3 = X1 + Z1 */
	FADD(Y3, Q->x, Q->z);      /* 15. Y3 = X2 + Z2 */
	FMUL(X3, X3, Y3);          /* 16. X3 = X3 Y3 */
	FADD(Y3, t0, t2);          /* 17. Y3 = t0 + t2 */
	FSUB(Y3, X3, Y3);          /* 18. Y3 = X3 - Y3 */
	FMUL(Z3, c->b, t2);        /* 19. Z3 = b t2 */
	FSUB(X3, Y3, Z3);          /* 20. X3 = Y3 - Z3 */
	c->fmul_small(X3, X3, 3);  /* 21-22. X3 = 3 X3 */
	FSUB(Z3, t1, X3);          /* 23. Z3 = t1 - X3 */
	FADD(X3, t1, X3);          /* 24. X3 = t1 + X3 */
	FMUL(Y3, c->b, Y3);        /* 25. Y3 = b Y3 */
	c->fmul_small(t2, t2, 3);  /* 26-27. t2 = 3 t2 */
	FSUB(Y3, Y3, t2);          /* 28. Y3 = Y3 - t2 */
	c->flin(Y3, Y3, 3, t0, 3); /* 29-31. Y3 = 3 (Y3 - t0) */
	c->flin(t0, t0, 3, t2, 1); /* 32-34. t0 = 3 t0 - t2 */
	FMUL(t1, t4, Y3);          /* 35. t1 = t4 Y3 */
	FMUL(t2, t0, Y3);          /* 36. t2 = t0 Y3 */
	FMUL(Y3, X3, Z3);          /* 37. Y3 = X3 Z3 */
	FADD(Y3, Y3, t2);          /* 38. Y3 = Y3 + t2 */
	FMUL(X3, t3, X3);          /* 39. X3 = t3 X3 */
	FSUB(X3, X3, t1);          /* 40. X3 = X3 - t1 */
	FMUL(Z3, t4, Z3);          /* 41. Z3 = t4 Z3 */
	FMUL(t1, t3, t0);          /* 42. t1 = t3 t0 */
	FADD(Z3, Z3, t1);          /* 43. Z3 = Z3 + t1 */
	memcpy(R->x, X3, sizeof X3);
	memcpy(R->y, Y3, sizeof Y3);
	memcpy(R->z, Z3, sizeof Z3);
}

/* RCB16 algorithm 5 (a = -3): P + (x2, y2) with the second point affine
 * and not infinity. R may alias P. */
static void point_add_affine(const wt_ec_curve *c, wt_ec_point *R, const wt_ec_point *P,
			     const uint32_t *x2, const uint32_t *y2)
{
	uint32_t t0[M], t1[M], t2[M], t3[M], t4[M], X3[M], Y3[M], Z3[M];
	FMUL(t0, P->x, x2);         /* 1.  t0 = X1 X2 */
	FMUL(t1, P->y, y2);         /* 2.  t1 = Y1 Y2 */
	FADD(t3, x2, y2);           /* 3.  t3 = X2 + Y2 */
	FADD(t4, P->x, P->y);       /* 4.  t4 = X1 + Y1 */
	FMUL(t3, t3, t4);           /* 5.  t3 = t3 t4 */
	FADD(t4, t0, t1);           /* 6.  t4 = t0 + t1 */
	FSUB(t3, t3, t4);           /* 7.  t3 = t3 - t4 */
	FMUL(t4, y2, P->z);         /* 8.  t4 = Y2 Z1 */
	FADD(t4, t4, P->y);         /* 9.  t4 = t4 + Y1 */
	FMUL(Y3, x2, P->z);         /* 10. Y3 = X2 Z1 */
	FADD(Y3, Y3, P->x);         /* 11. Y3 = Y3 + X1 */
	FMUL(Z3, c->b, P->z);       /* 12. Z3 = b Z1 */
	FSUB(X3, Y3, Z3);           /* 13. X3 = Y3 - Z3 */
	c->fmul_small(X3, X3, 3);   /* 14-15. X3 = 3 X3 */
	FSUB(Z3, t1, X3);           /* 16. Z3 = t1 - X3 */
	FADD(X3, t1, X3);           /* 17. X3 = t1 + X3 */
	FMUL(Y3, c->b, Y3);         /* 18. Y3 = b Y3 */
	c->fmul_small(t2, P->z, 3); /* 19-20. t2 = 3 Z1 */
	FSUB(Y3, Y3, t2);           /* 21. Y3 = Y3 - t2 */
	c->flin(Y3, Y3, 3, t0, 3);  /* 22-24. Y3 = 3 (Y3 - t0) */
	c->flin(t0, t0, 3, t2, 1);  /* 25-27. t0 = 3 t0 - t2 */
	FMUL(t1, t4, Y3);           /* 28. t1 = t4 Y3 */
	FMUL(t2, t0, Y3);           /* 29. t2 = t0 Y3 */
	FMUL(Y3, X3, Z3);           /* 30. Y3 = X3 Z3 */
	FADD(Y3, Y3, t2);           /* 31. Y3 = Y3 + t2 */
	FMUL(X3, t3, X3);           /* 32. X3 = t3 X3 */
	FSUB(X3, X3, t1);           /* 33. X3 = X3 - t1 */
	FMUL(Z3, t4, Z3);           /* 34. Z3 = t4 Z3 */
	FMUL(t1, t3, t0);           /* 35. t1 = t3 t0 */
	FADD(Z3, Z3, t1);           /* 36. Z3 = Z3 + t1 */
	memcpy(R->x, X3, sizeof X3);
	memcpy(R->y, Y3, sizeof Y3);
	memcpy(R->z, Z3, sizeof Z3);
}

/* see ec_inner.h; RCB16 algorithm 6 (a = -3). R may alias P. */
void wt_ec_point_double(const wt_ec_curve *c, wt_ec_point *R, const wt_ec_point *P)
{
	uint32_t t0[M], t1[M], t2[M], t3[M], X3[M], Y3[M], Z3[M];
	c->fsqr(t0, P->x);         /* 1.  t0 = X X */
	c->fsqr(t1, P->y);         /* 2.  t1 = Y Y */
	c->fsqr(t2, P->z);         /* 3.  t2 = Z Z */
	FMUL(t3, P->x, P->y);      /* 4.  t3 = X Y */
	FADD(t3, t3, t3);          /* 5.  t3 = t3 + t3 */
	FMUL(Z3, P->x, P->z);      /* 6.  Z3 = X Z */
	FMUL(Y3, c->b, t2);        /* 8.  Y3 = b t2 */
	c->flin(Y3, Y3, 1, Z3, 2); /* 7, 9. Y3 = Y3 - 2 Z3 */
	c->fmul_small(Y3, Y3, 3);  /* 10-11. Y3 = 3 Y3 */
	FSUB(X3, t1, Y3);          /* 12. X3 = t1 - Y3 */
	FADD(Y3, t1, Y3);          /* 13. Y3 = t1 + Y3 */
	FMUL(Y3, X3, Y3);          /* 14. Y3 = X3 Y3 */
	FMUL(X3, X3, t3);          /* 15. X3 = X3 t3 */
	c->fmul_small(t2, t2, 3);  /* 16-17. t2 = 3 t2 */
	FMUL(Z3, c->b, Z3);        /* 18. Z3 = b Z3 (the Z3 of step 6) */
	c->flin(Z3, Z3, 2, t2, 1); /* 7, 18, 19. Z3 = b (2 X Z) - t2 */
	c->flin(Z3, Z3, 3, t0, 3); /* 20-22. Z3 = 3 (Z3 - t0) */
	c->flin(t0, t0, 3, t2, 1); /* 23-25. t0 = 3 t0 - t2 */
	FMUL(t0, t0, Z3);          /* 26. t0 = t0 Z3 */
	FADD(Y3, Y3, t0);          /* 27. Y3 = Y3 + t0 */
	FMUL(t0, P->y, P->z);      /* 28. t0 = Y Z */
	FADD(t0, t0, t0);          /* 29. t0 = t0 + t0 */
	FMUL(Z3, t0, Z3);          /* 30. Z3 = t0 Z3 */
	FSUB(X3, X3, Z3);          /* 31. X3 = X3 - Z3 */
	FMUL(Z3, t0, t1);          /* 32. Z3 = t0 t1 */
	c->fmul_small(Z3, Z3, 4);  /* 33-34. Z3 = 4 Z3 */
	memcpy(R->x, X3, sizeof X3);
	memcpy(R->y, Y3, sizeof Y3);
	memcpy(R->z, Z3, sizeof Z3);
}

/* dst = src if ctl, over the nl limbs of each coordinate. */
static void point_cmov(const wt_ec_curve *c, wt_ec_point *dst, const wt_ec_point *src,
		       uint32_t ctl)
{
	uint32_t m = -ctl, i;
	for (i = 0; i < c->nl; i++) {
		dst->x[i] ^= m & (dst->x[i] ^ src->x[i]);
		dst->y[i] ^= m & (dst->y[i] ^ src->y[i]);
		dst->z[i] ^= m & (dst->z[i] ^ src->z[i]);
	}
}

/* R = tab[idx], reading all n entries. */
static void select_point(const wt_ec_curve *c, wt_ec_point *R, const wt_ec_point *tab,
			 uint32_t n, uint32_t idx)
{
	uint32_t i;
	memset(R, 0, sizeof *R);
	for (i = 0; i < n; i++)
		point_cmov(c, R, &tab[i], WT_EQ(i, idx));
}

/* (x, y) = entry idx-1 of a table of n affine points (2*nl limbs each),
 * reading every entry; all zeros when idx == 0. */
static void select_affine(const wt_ec_curve *c, uint32_t *x, uint32_t *y,
			  const uint32_t *tab, uint32_t n, uint32_t idx)
{
	uint32_t i, j, nl = c->nl;
	memset(x, 0, nl * 4);
	memset(y, 0, nl * 4);
	for (i = 0; i < n; i++) {
		uint32_t m = -WT_EQ(i + 1, idx);
		const uint32_t *e = tab + (size_t)i * 2 * nl;
		for (j = 0; j < nl; j++) {
			x[j] |= m & e[j];
			y[j] |= m & e[nl + j];
		}
	}
}

/*
 * Jacobian doubling (x = X/Z^2, y = Y/Z^3), dbl-2001-b for a = -3 with
 * 2YZ for (Y+Z)^2 - Y^2 - Z^2: 4M + 4S, against 8M + 3S for the projective
 * doubling above. Doubling has no exceptional case on these curves (no
 * point of order 2): a point with Z = 0 (infinity) stays so, and (1, 1, 0)
 * maps to itself, as the window loop below relies on.
 */
static void jacobian_double(const wt_ec_curve *c, wt_ec_point *R, const wt_ec_point *P)
{
	uint32_t delta[M], gamma[M], beta[M], alpha[M], t[M];
	c->fsqr(delta, P->z);
	c->fsqr(gamma, P->y);
	FMUL(beta, P->x, gamma);
	c->flin(t, P->x, 3, delta, 3);
	FADD(alpha, P->x, delta);
	FMUL(alpha, alpha, t); /* alpha = 3 (X - delta)(X + delta) */
	FMUL(R->z, P->y, P->z);
	FADD(R->z, R->z, R->z); /* Z3 = 2 Y Z */
	c->fsqr(R->x, alpha);
	c->flin(R->x, R->x, 1, beta, 8); /* X3 = alpha^2 - 8 beta */
	c->flin(t, beta, 4, R->x, 1);
	FMUL(R->y, alpha, t);
	c->fsqr(t, gamma);
	c->flin(R->y, R->y, 1, t, 8); /* Y3 = alpha (4 beta - X3) - 8 gamma^2 */
}

/*
 * see ec_inner.h. Fixed 4-bit window, most significant digit first: a
 * table of 0P..15P (0P the point at infinity), then per digit four
 * doublings and one complete addition of the scanned entry. A zero digit
 * adds infinity, which the complete formula handles like any point.
 *
 * The four doublings run in Jacobian coordinates, about 45% cheaper:
 * (X:Y:Z) projective is (XZ, YZ^2, Z) Jacobian and (X, Y, Z) Jacobian is
 * (XZ : Y : Z^3) projective (4M + 2S for both conversions). Infinity,
 * (0:Y:0), would convert to (0, 0, 0) and back to the invalid (0:0:0), so
 * it is replaced, under a mask, by (1, 1, 0), which converts back to
 * (0:1:0).
 */
void wt_ec_point_mul(const wt_ec_curve *c, wt_ec_point *R, const wt_ec_point *P,
		     const uint8_t *k)
{
	wt_ec_point tab[16], acc, T, J, jinf;
	uint32_t i, zz[M];
	set_infinity(c, &tab[0]);
	tab[1] = *P;
	for (i = 2; i < 16; i++) {
		if ((i & 1) == 0)
			wt_ec_point_double(c, &tab[i], &tab[i / 2]);
		else
			wt_ec_point_add(c, &tab[i], &tab[i - 1], P);
	}
	memset(&jinf, 0, sizeof jinf);
	memcpy(jinf.x, c->one, c->nl * 4);
	memcpy(jinf.y, c->one, c->nl * 4);
	set_infinity(c, &acc);
	for (i = 0; i < 2 * c->len; i++) {
		uint32_t d = (k[i >> 1] >> (((i & 1) ^ 1) << 2)) & 15;
		if (i != 0) {
			c->fsqr(zz, acc.z);
			FMUL(J.x, acc.x, acc.z);
			FMUL(J.y, acc.y, zz);
			memcpy(J.z, acc.z, sizeof J.z);
			point_cmov(c, &J, &jinf, wt_ec_fis_zero(c, acc.z));
			jacobian_double(c, &J, &J);
			jacobian_double(c, &J, &J);
			jacobian_double(c, &J, &J);
			jacobian_double(c, &J, &J);
			c->fsqr(zz, J.z);
			FMUL(acc.x, J.x, J.z);
			memcpy(acc.y, J.y, sizeof acc.y);
			FMUL(acc.z, zz, J.z);
		}
		select_point(c, &T, tab, 16, d);
		wt_ec_point_add(c, &acc, &acc, &T);
	}
	*R = acc;
	wt_wipe(tab, sizeof tab);
	wt_wipe(&acc, sizeof acc);
	wt_wipe(&T, sizeof T);
	wt_wipe(&J, sizeof J);
	wt_wipe(zz, sizeof zz);
}

/*
 * see ec_inner.h. Lim-Lee comb: the scalar's bits are read as 4 teeth d
 * positions apart (4d >= bits), and the d positions as 4 blocks of e.
 * Table t holds, for every 4-bit j != 0, sum over set bits u of j of
 * 2^(u*d + t*e) G. Then
 *   k*G = sum over i < e of 2^i * sum over t of T_t[bits of k at
 *         u*d + t*e + i, u = 0..3],
 * evaluated with e-1 doublings and 4e = d mixed additions (P-256: 15 and
 * 64; P-384: 23 and 96). A zero index leaves the accumulator unchanged by
 * a masked copy (the affine formula cannot add infinity).
 */
void wt_ec_point_mul_g(const wt_ec_curve *c, wt_ec_point *R, const uint8_t *k)
{
	wt_ec_point acc, S;
	uint32_t x[M], y[M];
	uint32_t d = c->comb_d, e = c->comb_e, t, u, nl = c->nl;
	int i;
	set_infinity(c, &acc);
	for (i = (int)e - 1; i >= 0; i--) {
		if (i != (int)e - 1)
			wt_ec_point_double(c, &acc, &acc);
		for (t = 0; t < 4; t++) {
			uint32_t j = 0;
			for (u = 0; u < 4; u++) {
				uint32_t pos = u * d + t * e + (uint32_t)i;
				j |= (uint32_t)((k[c->len - 1 - (pos >> 3)] >>
						 (pos & 7)) &
						1)
					<< u;
			}
			select_affine(c, x, y, c->comb + (size_t)t * 15 * 2 * nl, 15, j);
			point_add_affine(c, &S, &acc, x, y);
			point_cmov(c, &acc, &S, WT_NEQ(j, 0));
		}
	}
	*R = acc;
	wt_wipe(&acc, sizeof acc);
	wt_wipe(&S, sizeof S);
	wt_wipe(x, sizeof x);
	wt_wipe(y, sizeof y);
}

/* Affine coordinates of P (Montgomery form); returns 1 if P is infinity
 * (x, y are then 0). Inversion by Fermat, constant-time. */
static uint32_t to_affine(const wt_ec_curve *c, uint32_t *x, uint32_t *y,
			  const wt_ec_point *P)
{
	uint32_t zi[M];
	wt_ec_finv(c, zi, P->z);
	FMUL(x, P->x, zi);
	FMUL(y, P->y, zi);
	wt_wipe(zi, sizeof zi);
	return wt_ec_fis_zero(c, P->z);
}

/* see ec_inner.h */
int wt_ec_point_encode(const wt_ec_curve *c, uint8_t *dst, const wt_ec_point *P)
{
	uint32_t x[M], y[M], inf;
	inf = to_affine(c, x, y, P);
	dst[0] = 0x04;
	wt_ec_fencode(c, dst + 1, x);
	wt_ec_fencode(c, dst + 1 + c->len, y);
	wt_wipe(x, sizeof x);
	wt_wipe(y, sizeof y);
	WT_EC_PUBLIC(&inf, sizeof inf);
	return inf ? -1 : 0;
}

/* see ec_inner.h */
int wt_ec_point_x(const wt_ec_curve *c, uint8_t *dst, const wt_ec_point *P)
{
	uint32_t zi[M], x[M], inf;
	wt_ec_finv(c, zi, P->z);
	FMUL(x, P->x, zi);
	wt_ec_fencode(c, dst, x);
	inf = wt_ec_fis_zero(c, P->z);
	wt_wipe(zi, sizeof zi);
	wt_wipe(x, sizeof x);
	WT_EC_PUBLIC(&inf, sizeof inf);
	return inf ? -1 : 0;
}

/* y^2 = x^3 - 3x + b, Montgomery form in and out. */
static void curve_rhs(const wt_ec_curve *c, uint32_t *r, const uint32_t *x)
{
	uint32_t t[M], u[M];
	c->fsqr(t, x);
	FMUL(t, t, x);
	c->fmul_small(u, x, 3);
	FSUB(t, t, u);
	FADD(r, t, c->b);
}

/*
 * see ec_inner.h. SEC 1 v2 section 2.3.4 with the public-key validation of
 * SP 800-56A rev 3 section 5.6.2.3.4 (partial validation suffices for a
 * prime-order curve): the encoding has the right length and form, both
 * coordinates are integers in [0, p-1], and the point satisfies the curve
 * equation. The point at infinity (encoded as the single byte 0x00) and
 * the compressed and hybrid forms are rejected here.
 */
int wt_ec_point_decode(const wt_ec_curve *c, wt_ec_point *P, const uint8_t *src,
		       size_t len)
{
	uint32_t lhs[M], rhs[M];
	if (len != 1 + 2 * (size_t)c->len || src[0] != 0x04)
		return -1;
	if (!wt_ec_lt_be(src + 1, c->p_bytes, c->len) ||
	    !wt_ec_lt_be(src + 1 + c->len, c->p_bytes, c->len))
		return -1;
	memset(P, 0, sizeof *P);
	wt_ec_fdecode(c, P->x, src + 1);
	wt_ec_fdecode(c, P->y, src + 1 + c->len);
	memcpy(P->z, c->one, c->nl * 4);
	c->fsqr(lhs, P->y);
	curve_rhs(c, rhs, P->x);
	return wt_ec_fequal(c, lhs, rhs) ? 0 : -1;
}

/*
 * Compressed form 0x02/0x03 || X (SEC 1 section 2.3.4 step 2.4): y is
 * the square root of x^3 - 3x + b whose parity matches the prefix. p = 3
 * mod 4 for both curves, so a root is rhs^((p+1)/4), valid only if its
 * square gives rhs back. Inputs are public; branches are fine.
 */
int wt_ec_point_decompress(const wt_ec_curve *c, uint8_t *out, const uint8_t *src,
			   size_t len)
{
	uint32_t x[M], y[M], rhs[M], chk[M], zero[M];
	uint8_t yb[WT_EC_MAXLEN];
	if (len != 1 + (size_t)c->len || (src[0] != 0x02 && src[0] != 0x03))
		return -1;
	if (!wt_ec_lt_be(src + 1, c->p_bytes, c->len))
		return -1;
	wt_ec_fdecode(c, x, src + 1);
	curve_rhs(c, rhs, x);
	wt_ec_fpow(c, y, rhs, c->sqrt_exp);
	c->fsqr(chk, y);
	if (!wt_ec_fequal(c, chk, rhs))
		return -1;
	wt_ec_fencode(c, yb, y);
	if ((yb[c->len - 1] & 1) != (src[0] & 1)) {
		memset(zero, 0, sizeof zero);
		FSUB(y, zero, y);
		wt_ec_fencode(c, yb, y);
	}
	out[0] = 0x04;
	memcpy(out + 1, src + 1, c->len);
	memcpy(out + 1 + c->len, yb, c->len);
	return 0;
}
