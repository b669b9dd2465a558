/*
 * ec_inner.h: what the files of crypto-src/ec/ share about P-256 and P-384.
 *
 * Field elements (mod p) and scalars (mod n) are arrays of unsaturated
 * limbs: radix 2^29 with 9 limbs for P-256, radix 2^28 with 14 limbs for
 * P-384, least significant first. Wasm has a 64x64->64 multiply but no
 * 128-bit product, so a limb product must fit 64 bits; with limbs below
 * 2^29 a whole column of a schoolbook product (up to 9 products of 58 bits,
 * or 14 of 56 bits, plus the Montgomery reduction terms) still fits a
 * signed 64-bit accumulator, and carries are propagated once per column
 * instead of once per product.
 *
 * Field elements are kept in Montgomery form (x * R mod p, R = 2^(w*nl))
 * and only "weakly" reduced: every function below returns limbs in
 * [0, 2^w) (the top limb excepted) and a value below 2^(bits+1), which is
 * what the multiplication accepts; fcanon() gives the unique value in
 * [0, p). Scalars mod n are always fully reduced.
 *
 * Everything here is constant-time unless its comment says otherwise.
 */
#ifndef WT_EC_INNER_H
#define WT_EC_INNER_H

#include "inner.h"

/*
 * Rejection sampling (key generation, RFC 6979 nonces) and the
 * "result is zero / infinity" checks branch on a bit computed from
 * secrets that is public by design: a rejected candidate is discarded, an
 * error is returned to the caller. Under Valgrind (the ctgrind check,
 * test/native/ct_ecp.c) such a bit must be marked defined or every run
 * reports it; natively the client request is a few no-op instructions when
 * not under Valgrind, and in wasm (or without the header) nothing at all.
 */
#define WT_EC_PUBLIC(p, n) WT_DECLASSIFY_MEM((p), (n)) /* see inner.h */

#define WT_EC_MAXL 14   /* limbs of the largest field (P-384) */
#define WT_EC_MAXLEN 48 /* bytes of the largest coordinate/scalar */

typedef void (*wt_ec_fn3)(uint32_t *r, const uint32_t *a, const uint32_t *b);
typedef void (*wt_ec_fn2)(uint32_t *r, const uint32_t *a);

typedef struct wt_ec_curve {
	uint32_t id;  /* TLS NamedGroup: 23 or 24 */
	uint32_t nl;  /* limbs per element */
	uint32_t len; /* bytes of a coordinate or a scalar */

	/* Arithmetic mod p, Montgomery form, weakly reduced (see above). */
	wt_ec_fn3 fmul, fadd, fsub;
	wt_ec_fn2 fsqr;
	void (*fmul_small)(uint32_t *r, const uint32_t *a, uint32_t k); /* k <= 8 */
	/* r = ka*a - kb*b, ka and kb at most 8 (kb may be 0). */
	void (*flin)(uint32_t *r, const uint32_t *a, uint32_t ka, const uint32_t *b,
		     uint32_t kb);
	wt_ec_fn2 fcanon; /* to the unique representative in [0, p) */
	/* Arithmetic mod n, Montgomery form, fully reduced. */
	wt_ec_fn3 nmul, nadd;
	/* len big-endian bytes <-> plain (non-Montgomery) limbs; from_be needs
	 * a value below 2^(8*len), to_be a fully reduced one. */
	void (*from_be)(uint32_t *r, const uint8_t *src);
	void (*to_be)(uint8_t *dst, const uint32_t *a);

	const uint32_t *rr;               /* R^2 mod p: to Montgomery form */
	const uint32_t *one;              /* R mod p */
	const uint32_t *b;                /* curve coefficient b, Montgomery form */
	const uint32_t *n;                /* group order, plain limbs */
	const uint32_t *nrr;              /* R^2 mod n */
	const uint8_t *p_bytes, *n_bytes; /* big-endian, len bytes */
	const uint8_t *p_minus_2, *sqrt_exp, *n_minus_2;

	/* Fixed-base comb (ec_point_ct.c): 4 tables of 15 affine points,
	 * table t entry j-1 = sum over set bits u of j of 2^(u*d + t*e) G. */
	const uint32_t *comb;
	uint32_t comb_d, comb_e;
	/* Odd multiples G, 3G, ..., 63G, affine (ec_point_vartime.c). */
	const uint32_t *godd;
} wt_ec_curve;

/* NULL for an unknown curve id. */
const wt_ec_curve *wt_ec_curve_get(uint32_t id);

/* ---- helpers over a curve (ec_field_ct.c) ----------------------------- */

/* r = a^e mod p with e a public big-endian exponent of c->len bytes (the
 * exponent drives branches; a does not). */
void wt_ec_fpow(const wt_ec_curve *c, uint32_t *r, const uint32_t *a, const uint8_t *e);
/* r = 1/a mod p (0 for 0), Fermat: a^(p-2). */
void wt_ec_finv(const wt_ec_curve *c, uint32_t *r, const uint32_t *a);
/* 1 if a == 0 mod p, else 0. */
uint32_t wt_ec_fis_zero(const wt_ec_curve *c, const uint32_t *a);
/* 1 if a == b mod p, else 0. */
uint32_t wt_ec_fequal(const wt_ec_curve *c, const uint32_t *a, const uint32_t *b);
/* Montgomery form of the len-byte big-endian integer src, which must be
 * below p (checked by the caller). */
void wt_ec_fdecode(const wt_ec_curve *c, uint32_t *r, const uint8_t *src);
/* len big-endian bytes of the Montgomery-form element a. */
void wt_ec_fencode(const wt_ec_curve *c, uint8_t *dst, const uint32_t *a);

/* Scalars: r = a^e mod n (Montgomery in and out, e public, as above). */
void wt_ec_npow(const wt_ec_curve *c, uint32_t *r, const uint32_t *a, const uint8_t *e);
/* Montgomery form of src mod n for any len-byte src (one conditional
 * subtraction suffices: 2^(8*len) < 2n for both curves). */
void wt_ec_ndecode(const wt_ec_curve *c, uint32_t *r, const uint8_t *src);
void wt_ec_nencode(const wt_ec_curve *c, uint8_t *dst, const uint32_t *a);

/* 1 if the len-byte big-endian integers satisfy a < b, else 0. */
uint32_t wt_ec_lt_be(const uint8_t *a, const uint8_t *b, size_t len);
/* 1 if 1 <= k < n, else 0. */
uint32_t wt_ec_scalar_ok(const wt_ec_curve *c, const uint8_t *k);

/* ---- points (ec_point_ct.c) ------------------------------------------- */

/* Projective (X:Y:Z), x = X/Z, y = Y/Z; infinity is (0:1:0). The variable-
 * time code in ec_point_vartime.c uses the same struct for Jacobian
 * coordinates (x = X/Z^2, y = Y/Z^3). */
typedef struct {
	uint32_t x[WT_EC_MAXL], y[WT_EC_MAXL], z[WT_EC_MAXL];
} wt_ec_point;

/* Decode 0x04 || X || Y (SEC 1 section 2.3.4), 1 + 2*len bytes: both
 * coordinates below p and the point on the curve. Returns 0 or -1. */
int wt_ec_point_decode(const wt_ec_curve *c, wt_ec_point *P, const uint8_t *src,
		       size_t len);
/* Compressed 0x02/0x03 || X (1 + len bytes) to 0x04 || X || Y: x below p,
 * x^3 - 3x + b a square. Returns 0 or -1. Inputs public (not constant-time
 * in its error paths). */
int wt_ec_point_decompress(const wt_ec_curve *c, uint8_t *out, const uint8_t *src,
			   size_t len);
/* Encode a point as 0x04 || X || Y; returns 0, or -1 for infinity (the
 * coordinates written are then zero). Constant-time. */
int wt_ec_point_encode(const wt_ec_curve *c, uint8_t *dst, const wt_ec_point *P);
/* Affine x coordinate only, len bytes; -1 for infinity. */
int wt_ec_point_x(const wt_ec_curve *c, uint8_t *dst, const wt_ec_point *P);

/* Complete formulas (Renes, Costello, Batina 2016), valid for all inputs. */
void wt_ec_point_add(const wt_ec_curve *c, wt_ec_point *R, const wt_ec_point *P,
		     const wt_ec_point *Q);
void wt_ec_point_double(const wt_ec_curve *c, wt_ec_point *R, const wt_ec_point *P);
/* R = k*P, k a len-byte big-endian scalar (any value, secret), P any point. */
void wt_ec_point_mul(const wt_ec_curve *c, wt_ec_point *R, const wt_ec_point *P,
		     const uint8_t *k);
/* R = k*G with the precomputed comb, k secret, any value below 2^bits. */
void wt_ec_point_mul_g(const wt_ec_curve *c, wt_ec_point *R, const uint8_t *k);

/* ---- verification (ec_point_vartime.c): NOT constant-time ------------- */

/* 1 if x(u1*G + u2*Q) mod n == r, else 0 (also 0 for infinity). u1, u2
 * and r are len-byte big-endian values below n; Q is projective (from
 * wt_ec_point_decode). All inputs are public. */
uint32_t wt_ec_verify_combination(const wt_ec_curve *c, const uint8_t *u1,
				  const uint8_t *u2, const wt_ec_point *Q,
				  const uint8_t *r);

/* r = 1/x mod m, all len-byte big-endian (len = c->len), m odd (c->p_bytes
 * or c->n_bytes), x below m. Returns 0, or -1 when x has no inverse (x = 0)
 * or the iteration bound is reached. Variable time: public values only. */
int wt_ec_inv_vartime_be(const wt_ec_curve *c, uint8_t *r, const uint8_t *x,
			 const uint8_t *m);

#endif
