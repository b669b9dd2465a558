/*
 * ge25519.c: edwards25519 group operations, fixed-base scalar
 * multiplication (constant-time) and the double scalar multiplication of
 * signature verification (variable-time, public inputs only).
 *
 * Formulas: Hisil, Wong, Carter, Dawson, "Twisted Edwards Curves
 * Revisited" (2008), a = -1: dbl-2008-hwcd and add-2008-hwcd-3 (k = 2d),
 * written to stop at the completed (p1p1) form; see ge25519.h. Operand
 * magnitudes stay within four reduced field elements before every
 * multiplication (f25519.h bounds).
 *
 * Tables: the fixed-base table holds j 256^i B for i < 32, 1 <= j <= 8
 * (the signed radix-16 method of Bernstein, Duif, Lange, Schwabe, Yang,
 * "High-speed high-security signatures", 2011, section 4), and the
 * verification table the odd multiples B, 3B, ..., 127B. Both are
 * computed from B on first use rather than shipped in the module (40 KB
 * of data against under 10,000 field multiplications, once per instance);
 * the computation involves no secret. Two threads racing through the first
 * call would both write the same values; the wasm build has one thread.
 */
#include "ge25519.h"

/* ---- group law --------------------------------------------------------- */

static void wt_ge_p3_0(wt_ge_p3 *h)
{
	wt_fe_0(&h->X);
	wt_fe_1(&h->Y);
	wt_fe_1(&h->Z);
	wt_fe_0(&h->T);
}

static void wt_ge_p1p1_to_p2(wt_ge_p2 *r, const wt_ge_p1p1 *p)
{
	wt_fe_mul(&r->X, &p->X, &p->T);
	wt_fe_mul(&r->Y, &p->Y, &p->Z);
	wt_fe_mul(&r->Z, &p->Z, &p->T);
}

static void wt_ge_p1p1_to_p3(wt_ge_p3 *r, const wt_ge_p1p1 *p)
{
	wt_fe_mul(&r->X, &p->X, &p->T);
	wt_fe_mul(&r->Y, &p->Y, &p->Z);
	wt_fe_mul(&r->Z, &p->Z, &p->T);
	wt_fe_mul(&r->T, &p->X, &p->Y);
}

static void wt_ge_p3_to_cached(wt_ge_cached *r, const wt_ge_p3 *p)
{
	wt_fe_add(&r->YplusX, &p->Y, &p->X);
	wt_fe_sub(&r->YminusX, &p->Y, &p->X);
	r->Z = p->Z;
	wt_fe_mul(&r->T2d, &p->T, &wt_fe_d2);
}

/* dbl-2008-hwcd: E = 2XY, G = Y^2 - X^2, H = -(X^2 + Y^2),
 * F = G - 2Z^2; result x = E/G, y = H/F, stored with H and F negated. */
static void wt_ge_p2_dbl(wt_ge_p1p1 *r, const wt_ge_p2 *p)
{
	wt_fe xx, yy, zz2, s;
	wt_fe_sq(&xx, &p->X);
	wt_fe_sq(&yy, &p->Y);
	wt_fe_sq(&zz2, &p->Z);
	wt_fe_add(&zz2, &zz2, &zz2);
	wt_fe_add(&s, &p->X, &p->Y);
	wt_fe_sq(&s, &s);
	wt_fe_add(&r->Y, &yy, &xx);    /* -H */
	wt_fe_sub(&r->Z, &yy, &xx);    /* G */
	wt_fe_sub(&r->X, &s, &r->Y);   /* E: 3 reduced terms */
	wt_fe_sub(&r->T, &zz2, &r->Z); /* -F: 4, the most of any caller */
}

static void wt_ge_p3_dbl(wt_ge_p1p1 *r, const wt_ge_p3 *p)
{
	wt_ge_p2 q;
	q.X = p->X;
	q.Y = p->Y;
	q.Z = p->Z;
	wt_ge_p2_dbl(r, &q);
}

/* add-2008-hwcd-3: A = (Y1-X1)(Y2-X2), B = (Y1+X1)(Y2+X2), C = 2d T1 T2,
 * D = 2 Z1 Z2; E = B - A, F = D - C, G = D + C, H = B + A; x = E/G,
 * y = H/F. Subtraction uses -Q = (-X2, Y2, Z2, -T2): the two sums swap
 * and C changes sign. */
static void wt_ge_add(wt_ge_p1p1 *r, const wt_ge_p3 *p, const wt_ge_cached *q, int neg)
{
	wt_fe a, b, c, d;
	wt_fe_sub(&a, &p->Y, &p->X);
	wt_fe_mul(&a, &a, neg ? &q->YplusX : &q->YminusX);
	wt_fe_add(&b, &p->Y, &p->X);
	wt_fe_mul(&b, &b, neg ? &q->YminusX : &q->YplusX);
	wt_fe_mul(&c, &q->T2d, &p->T);
	wt_fe_mul(&d, &p->Z, &q->Z);
	wt_fe_add(&d, &d, &d);
	wt_fe_sub(&r->X, &b, &a);
	wt_fe_add(&r->Y, &b, &a);
	if (neg) {
		wt_fe_sub(&r->Z, &d, &c);
		wt_fe_add(&r->T, &d, &c);
	} else {
		wt_fe_add(&r->Z, &d, &c);
		wt_fe_sub(&r->T, &d, &c);
	}
}

/* The same with an affine second point (Z2 = 1). Always adds: the
 * constant-time caller negates the table entry itself. */
static void wt_ge_madd(wt_ge_p1p1 *r, const wt_ge_p3 *p, const wt_ge_precomp *q)
{
	wt_fe a, b, c, d;
	wt_fe_sub(&a, &p->Y, &p->X);
	wt_fe_mul(&a, &a, &q->ymx);
	wt_fe_add(&b, &p->Y, &p->X);
	wt_fe_mul(&b, &b, &q->ypx);
	wt_fe_mul(&c, &q->xy2d, &p->T);
	wt_fe_add(&d, &p->Z, &p->Z);
	wt_fe_sub(&r->X, &b, &a);
	wt_fe_add(&r->Y, &b, &a);
	wt_fe_add(&r->Z, &d, &c);
	wt_fe_sub(&r->T, &d, &c);
}

static void wt_ge_precomp_neg(wt_ge_precomp *r, const wt_ge_precomp *q)
{
	r->ypx = q->ymx;
	r->ymx = q->ypx;
	wt_fe_neg(&r->xy2d, &q->xy2d);
}

/* ---- encoding (RFC 8032 5.1.2, 5.1.3) ------------------------------- */

/* y with the sign of x in bit 255, from x = X zi and y = Y zi. */
static void wt_ge_encode(uint8_t s[32], const wt_fe *X, const wt_fe *Y, const wt_fe *zi)
{
	wt_fe x, y;
	wt_fe_mul(&x, X, zi);
	wt_fe_mul(&y, Y, zi);
	wt_fe_tobytes(s, &y);
	s[31] ^= (uint8_t)(wt_fe_isnegative(&x) << 7);
}

void wt_ge_tobytes(uint8_t s[32], const wt_ge_p3 *h)
{
	wt_fe zi;
	wt_fe_invert(&zi, &h->Z);
	wt_ge_encode(s, &h->X, &h->Y, &zi);
}

void wt_ge_tobytes2(uint8_t s1[32], const wt_ge_p3 *h1, uint8_t s2[32],
		    const wt_ge_p3 *h2)
{
	wt_fe z, zi, zi1, zi2;
	/* 1/Z1 = Z2 / (Z1 Z2), 1/Z2 = Z1 / (Z1 Z2): one inversion. */
	wt_fe_mul(&z, &h1->Z, &h2->Z);
	wt_fe_invert(&zi, &z);
	wt_fe_mul(&zi1, &zi, &h2->Z);
	wt_fe_mul(&zi2, &zi, &h1->Z);
	wt_ge_encode(s1, &h1->X, &h1->Y, &zi1);
	wt_ge_encode(s2, &h2->X, &h2->Y, &zi2);
}

void wt_ge_p2_tobytes(uint8_t s[32], const wt_ge_p2 *h)
{
	wt_fe zi;
	wt_fe_invert(&zi, &h->Z);
	wt_ge_encode(s, &h->X, &h->Y, &zi);
}

/* Variable-time: public input. */
int wt_ge_frombytes_negate_vartime(wt_ge_p3 *h, const uint8_t s[32])
{
	wt_fe u, v, v3, vxx, chk;
	uint32_t sign = s[31] >> 7;

	/* 5.1.3 step 1: "If the resulting value is >= p, decoding fails." */
	if (!wt_fe_canonical(s))
		return -1;
	wt_fe_frombytes(&h->Y, s);
	wt_fe_1(&h->Z);
	/* Step 2: x^2 = u/v with u = y^2 - 1, v = d y^2 + 1. */
	wt_fe_sq(&u, &h->Y);
	wt_fe_mul(&v, &u, &wt_fe_d);
	wt_fe_sub(&u, &u, &h->Z);
	wt_fe_add(&v, &v, &h->Z);
	/* Step 3: candidate x = u v^3 (u v^7)^((p-5)/8). */
	wt_fe_sq(&v3, &v);
	wt_fe_mul(&v3, &v3, &v); /* v^3 */
	wt_fe_sq(&h->X, &v3);
	wt_fe_mul(&h->X, &h->X, &v);
	wt_fe_mul(&h->X, &h->X, &u); /* u v^7 */
	wt_fe_pow22523(&h->X, &h->X);
	wt_fe_mul(&h->X, &h->X, &v3);
	wt_fe_mul(&h->X, &h->X, &u);
	/* Step 3 cont.: v x^2 = u: x is a root; v x^2 = -u: x sqrt(-1) is;
	 * otherwise there is none and decoding fails. */
	wt_fe_sq(&vxx, &h->X);
	wt_fe_mul(&vxx, &vxx, &v);
	wt_fe_sub(&chk, &vxx, &u);
	if (!wt_fe_iszero(&chk)) {
		wt_fe_add(&chk, &vxx, &u);
		if (!wt_fe_iszero(&chk))
			return -1;
		wt_fe_mul(&h->X, &h->X, &wt_fe_sqrtm1);
	}
	/* Step 4: "If x = 0, and x_0 = 1, decoding fails." Otherwise the
	 * point has x of parity x_0; we return its negation. */
	if (sign && wt_fe_iszero(&h->X))
		return -1;
	if (wt_fe_isnegative(&h->X) == sign)
		wt_fe_neg(&h->X, &h->X);
	wt_fe_mul(&h->T, &h->X, &h->Y);
	return 0;
}

/* ---- tables ----------------------------------------------------------- */

/* A table entry: a precomp, padded to eight 16-byte vectors. */
typedef uint32_t wt_v4u32 __attribute__((vector_size(16)));
typedef union {
	wt_ge_precomp p;
	uint32_t w[32];
} wt_ge_entry;
_Static_assert(sizeof(wt_ge_precomp) == 120, "precomp is 30 words");

static wt_ge_entry wt_base_table[256]; /* [8i + j-1] = j 256^i B */
static wt_ge_entry wt_base_odd[64];    /* [i] = (2i+1) B */
static int wt_tables_ready;

/* B: y = 4/5 with x even (RFC 8032 5.1). */
static const uint8_t WT_BASE[32] = {
	0x58, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
	0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
	0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
};

/* Up to 64 extended points to affine precomputed form with a single
 * inversion (Montgomery's trick: invert the product of the Z, then peel
 * each 1/Z off with two multiplications). */
#define WT_BATCH 64
static void wt_ge_to_entries(wt_ge_entry *out, const wt_ge_p3 *in, int n)
{
	wt_fe acc[WT_BATCH], inv, zi, x, y;
	int i;
	acc[0] = in[0].Z;
	for (i = 1; i < n; i++)
		wt_fe_mul(&acc[i], &acc[i - 1], &in[i].Z);
	wt_fe_invert(&inv, &acc[n - 1]);
	for (i = n - 1; i >= 0; i--) {
		if (i > 0) {
			wt_fe_mul(&zi, &inv, &acc[i - 1]);
			wt_fe_mul(&inv, &inv, &in[i].Z);
		} else {
			zi = inv;
		}
		wt_fe_mul(&x, &in[i].X, &zi);
		wt_fe_mul(&y, &in[i].Y, &zi);
		memset(&out[i], 0, sizeof out[i]);
		wt_fe_add(&out[i].p.ypx, &y, &x);
		wt_fe_sub(&out[i].p.ymx, &y, &x);
		wt_fe_mul(&out[i].p.xy2d, &x, &y);
		wt_fe_mul(&out[i].p.xy2d, &out[i].p.xy2d, &wt_fe_d2);
	}
}

/* Under 10,000 field multiplications, once. The points are converted 64
 * at a time (20 KB of stack). */
static void wt_ge_tables_init(void)
{
	wt_ge_p3 B, P, pts[WT_BATCH];
	wt_ge_p1p1 t;
	wt_ge_cached c;
	int i, j;

	wt_ge_frombytes_negate_vartime(&B, WT_BASE);
	wt_fe_neg(&B.X, &B.X);
	wt_fe_neg(&B.T, &B.T);

	P = B;
	for (i = 0; i < 32; i++) {
		/* P = 256^i B; row i is P, 2P, ..., 8P. */
		wt_ge_p3 *row = &pts[8 * (i & 7)];
		wt_ge_p3_to_cached(&c, &P);
		row[0] = P;
		for (j = 1; j < 8; j++) {
			wt_ge_add(&t, &row[j - 1], &c, 0);
			wt_ge_p1p1_to_p3(&row[j], &t);
		}
		P = row[7];
		for (j = 0; j < 5; j++) { /* 8P -> 256P */
			wt_ge_p3_dbl(&t, &P);
			wt_ge_p1p1_to_p3(&P, &t);
		}
		if ((i & 7) == 7)
			wt_ge_to_entries(&wt_base_table[8 * (i - 7)], pts, WT_BATCH);
	}

	/* Odd multiples for verification: B, B + 2B, B + 2B + 2B, ... */
	wt_ge_p3_dbl(&t, &B);
	wt_ge_p1p1_to_p3(&P, &t);
	wt_ge_p3_to_cached(&c, &P);
	pts[0] = B;
	for (i = 1; i < 64; i++) {
		wt_ge_add(&t, &pts[i - 1], &c, 0);
		wt_ge_p1p1_to_p3(&pts[i], &t);
	}
	wt_ge_to_entries(wt_base_odd, pts, 64);
	wt_tables_ready = 1;
}

/* ---- fixed base, constant-time ------------------------------------ */

/* t = b 256^pos B for -8 <= b <= 8, reading all eight row entries:
 * each entry is ANDed with an all-ones or all-zeros mask and ORed into
 * the result (at most one mask is all ones). Entries are padded to 128
 * bytes and handled as eight 4-word vectors: wasm SIMD128 in the SIMD
 * build, plain words where the target has no vectors. */
static void wt_ge_select(wt_ge_precomp *t, int pos, int8_t b)
{
	uint32_t bneg = (uint32_t)(int32_t)b >> 31;
	uint32_t babs = ((uint32_t)(int32_t)b ^ -bneg) + bneg;
	wt_v4u32 acc[8], e, m;
	wt_fe nxy;
	int j, k;

	/* b = 0: the neutral element (y+x, y-x, 2dxy) = (1, 1, 0); limb 0
	 * of y-x is word 10, the third word of vector 2. */
	for (k = 0; k < 8; k++)
		acc[k] = (wt_v4u32){ 0, 0, 0, 0 };
	acc[0][0] = WT_EQ0(babs);
	acc[2][2] = WT_EQ0(babs);
	for (j = 0; j < 8; j++) {
		uint32_t mj = -WT_EQ(babs, (uint32_t)j + 1);
		m = (wt_v4u32){ mj, mj, mj, mj };
		for (k = 0; k < 8; k++) {
			memcpy(&e, wt_base_table[8 * pos + j].w + 4 * k, sizeof e);
			acc[k] |= m & e;
		}
	}
	memcpy(t, acc, sizeof *t);
	/* b < 0: -(x, y) = (-x, y) swaps y+x and y-x and negates 2dxy. */
	wt_fe_cswap(&t->ypx, &t->ymx, bneg);
	wt_fe_neg(&nxy, &t->xy2d);
	wt_fe_cmov(&t->xy2d, &nxy, bneg);
}

void wt_ge_scalarmult_base(wt_ge_p3 *h, const uint8_t a[32])
{
	int8_t e[64], carry;
	wt_ge_precomp t;
	wt_ge_p1p1 r;
	wt_ge_p2 s;
	int i;

	if (!wt_tables_ready)
		wt_ge_tables_init();

	/* a = sum e[i] 16^i with -8 <= e[i] <= 7 (e[63] <= 8 as a[31] <=
	 * 127): arithmetic on the digits only, no branch. */
	for (i = 0; i < 32; i++) {
		e[2 * i] = (int8_t)(a[i] & 15);
		e[2 * i + 1] = (int8_t)(a[i] >> 4);
	}
	carry = 0;
	for (i = 0; i < 63; i++) {
		e[i] = (int8_t)(e[i] + carry);
		carry = (int8_t)((e[i] + 8) >> 4);
		e[i] = (int8_t)(e[i] - carry * 16);
	}
	e[63] = (int8_t)(e[63] + carry);

	/* Odd digits first, then times 16, then the even digits:
	 * e[2k+1] 16^(2k+1) = 16 (e[2k+1] 256^k). */
	wt_ge_p3_0(h);
	for (i = 1; i < 64; i += 2) {
		wt_ge_select(&t, i / 2, e[i]);
		wt_ge_madd(&r, h, &t);
		wt_ge_p1p1_to_p3(h, &r);
	}
	wt_ge_p3_dbl(&r, h);
	wt_ge_p1p1_to_p2(&s, &r);
	wt_ge_p2_dbl(&r, &s);
	wt_ge_p1p1_to_p2(&s, &r);
	wt_ge_p2_dbl(&r, &s);
	wt_ge_p1p1_to_p2(&s, &r);
	wt_ge_p2_dbl(&r, &s);
	wt_ge_p1p1_to_p3(h, &r);
	for (i = 0; i < 64; i += 2) {
		wt_ge_select(&t, i / 2, e[i]);
		wt_ge_madd(&r, h, &t);
		wt_ge_p1p1_to_p3(h, &r);
	}
	wt_wipe(e, sizeof e);
	wt_wipe(&t, sizeof t);
	wt_wipe(&r, sizeof r);
	wt_wipe(&s, sizeof s);
}

/* ---- double scalar multiplication, variable-time ---------------------- */

/* Width-w NAF of k < 2^253 (a reduced scalar; the last carry then lands
 * below bit 256): naf[i] odd in (-2^(w-1), 2^(w-1)) or 0, any two
 * non-zero digits at least w apart, k = sum naf[i] 2^i. Variable-time. */
static void wt_wnaf(int8_t naf[256], const uint8_t k[32], int w)
{
	uint8_t bit[256 + 9];
	int i, j;

	for (i = 0; i < 256; i++)
		bit[i] = (k[i >> 3] >> (i & 7)) & 1;
	memset(bit + 256, 0, 9);
	memset(naf, 0, 256);
	for (i = 0; i < 256; i++) {
		int v = 0;
		if (!bit[i])
			continue;
		for (j = 0; j < w; j++) {
			v |= bit[i + j] << j;
			bit[i + j] = 0;
		}
		if (v >= 1 << (w - 1)) {
			/* k - v 2^i with v - 2^w negative: add 2^(i+w). */
			v -= 1 << w;
			for (j = i + w; bit[j]; j++)
				bit[j] = 0;
			bit[j] = 1;
		}
		naf[i] = (int8_t)v;
	}
}

void wt_ge_double_scalarmult_vartime(wt_ge_p2 *r, const uint8_t a[32], const wt_ge_p3 *A,
				     const uint8_t b[32])
{
	int8_t an[256], bn[256];
	wt_ge_cached Ai[8], c2; /* A, 3A, ..., 15A; 2A */
	wt_ge_p1p1 t;
	wt_ge_p3 u, A2;
	wt_ge_precomp nb;
	int i;

	if (!wt_tables_ready)
		wt_ge_tables_init();
	wt_wnaf(an, a, 5);
	wt_wnaf(bn, b, 8);

	wt_ge_p3_to_cached(&Ai[0], A);
	wt_ge_p3_dbl(&t, A);
	wt_ge_p1p1_to_p3(&A2, &t);
	wt_ge_p3_to_cached(&c2, &A2);
	u = *A;
	for (i = 1; i < 8; i++) {
		wt_ge_add(&t, &u, &c2, 0);
		wt_ge_p1p1_to_p3(&u, &t);
		wt_ge_p3_to_cached(&Ai[i], &u);
	}

	wt_fe_0(&r->X);
	wt_fe_1(&r->Y);
	wt_fe_1(&r->Z);
	for (i = 255; i >= 0 && !an[i] && !bn[i]; i--)
		;
	for (; i >= 0; i--) {
		wt_ge_p2_dbl(&t, r);
		if (an[i]) {
			wt_ge_p1p1_to_p3(&u, &t);
			if (an[i] > 0)
				wt_ge_add(&t, &u, &Ai[an[i] / 2], 0);
			else
				wt_ge_add(&t, &u, &Ai[-an[i] / 2], 1);
		}
		if (bn[i]) {
			wt_ge_p1p1_to_p3(&u, &t);
			if (bn[i] > 0) {
				wt_ge_madd(&t, &u, &wt_base_odd[bn[i] / 2].p);
			} else {
				wt_ge_precomp_neg(&nb, &wt_base_odd[-bn[i] / 2].p);
				wt_ge_madd(&t, &u, &nb);
			}
		}
		wt_ge_p1p1_to_p2(r, &t);
	}
}
