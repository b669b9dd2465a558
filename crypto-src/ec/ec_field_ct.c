/*
 * ec_field_ct.c: constant-time arithmetic mod p and mod n for P-256 and
 * P-384 (FIPS 186-5, SP 800-186 section 3.2.1), and the two curve
 * descriptors.
 *
 * Representation (see ec_inner.h): unsaturated limbs, radix 2^29 x 9 for
 * P-256 and 2^28 x 14 for P-384, products accumulated per column in signed
 * 64-bit integers. Multiplication is Montgomery's (R = 2^(w*nl)) in
 * product-scanning order, one reduction step per limb.
 *
 * Mod p, the reduction uses the shape of the primes: both satisfy
 * p = -1 mod 2^w, so the Montgomery quotient digit is simply the current
 * limb m, and m*p = m*(p+1) - m where p+1 has only four nonzero signed
 * binary digits:
 *   P-256: p + 1 = 2^256 - 2^224 + 2^192 + 2^96
 *   P-384: p + 1 = 2^384 - 2^128 - 2^96 + 2^32
 * Subtracting m clears the limb (its value moves up as the carry); adding
 * m*(p+1) is four shifted additions. No multiplication at all.
 * Mod n there is no such shape: the textbook digit m = limb * (-1/n) mod
 * 2^w and m*n added limb by limb.
 *
 * Weak reduction: sums and differences are folded with 2^bits = c mod p,
 *   P-256: c = 2^224 - 2^192 - 2^96 + 1
 *   P-384: c = 2^128 + 2^96 - 2^32 + 1
 * (the bits above 2^bits, times c, added back at the bottom), which keeps
 * every element below 2^(bits+1) without a comparison. Only fcanon()
 * and the scalar functions compare with the modulus, by a masked
 * subtraction.
 *
 * Nothing here branches on or indexes memory with an operand. Loops run
 * over public limb counts; the exponentiations take public exponents.
 */
#include "ec_inner.h"
#include "ec_tables.h"

/* A signed power of two 2^(w*limb + shift). */
typedef struct {
	uint8_t limb, shift;
	int8_t sign;
} term;

typedef struct {
	uint32_t nl, w, topbits; /* topbits = bits - w*(nl-1) */
	term red[4];             /* p + 1 */
	term fold[4];            /* c = 2^bits mod p */
} shape;

static const shape P256S = { 9,
			     29,
			     24,
			     { { 3, 9, 1 }, { 6, 18, 1 }, { 7, 21, -1 }, { 8, 24, 1 } },
			     { { 0, 0, 1 }, { 3, 9, -1 }, { 6, 18, -1 }, { 7, 21, 1 } } };
static const shape P384S = { 14,
			     28,
			     20,
			     { { 1, 4, 1 }, { 3, 12, -1 }, { 4, 16, -1 }, { 13, 20, 1 } },
			     { { 0, 0, 1 }, { 1, 4, -1 }, { 3, 12, 1 }, { 4, 16, 1 } } };

#define MASK(S) (((int64_t)1 << (S)->w) - 1)

/* Every loop below has a trip count fixed by the shape; unrolled, the
 * limbs live in registers (wasm locals) and the shape's constants fold. */
#ifdef __clang__
#define UNROLL _Pragma("clang loop unroll(full)")
#else
#define UNROLL
#endif

/* Column sums of a*b: c[k] = sum over i+j=k of a[i]*b[j], k < 2nl-1. */
WT_INLINE void g_product(const shape *S, int64_t *c, const uint32_t *a, const uint32_t *b)
{
	uint32_t i, j;
	UNROLL
	for (i = 0; i < 2 * S->nl; i++)
		c[i] = 0;
	UNROLL
	for (i = 0; i < S->nl; i++)
		UNROLL
	for (j = 0; j < S->nl; j++)
		c[i + j] += (int64_t)((uint64_t)a[i] * b[j]);
}

/* Squaring: each cross product once, doubled. */
WT_INLINE void g_square(const shape *S, int64_t *c, const uint32_t *a)
{
	uint32_t i, j;
	UNROLL
	for (i = 0; i < 2 * S->nl; i++)
		c[i] = 0;
	UNROLL
	for (i = 0; i < S->nl; i++) {
		uint64_t ai2 = (uint64_t)a[i] << 1;
		c[2 * i] += (int64_t)((uint64_t)a[i] * a[i]);
		UNROLL
		for (j = i + 1; j < S->nl; j++)
			c[i + j] += (int64_t)(ai2 * a[j]);
	}
}

/*
 * Montgomery reduction mod p of the columns c (value T < R*p): r = T/R mod
 * p, r < 2p, limbs normalized. Step i: m = limb i (its carry included);
 * the limb minus m is a multiple of 2^w and moves up as the carry; m*(p+1)
 * lands on four higher columns. Columns nl..2nl-2 then hold T/R.
 */
WT_INLINE void g_redc_p(const shape *S, uint32_t *r, int64_t *c)
{
	const int64_t mask = MASK(S);
	int64_t carry = 0, v, m;
	uint32_t i, k;
	UNROLL
	for (i = 0; i < S->nl; i++) {
		v = c[i] + carry;
		m = v & mask;
		carry = v >> S->w;
		UNROLL
		for (k = 0; k < 4; k++) {
			int64_t t = m << S->red[k].shift;
			if (S->red[k].sign > 0)
				c[i + S->red[k].limb] += t;
			else
				c[i + S->red[k].limb] -= t;
		}
	}
	UNROLL
	for (i = S->nl; i < 2 * S->nl - 1; i++) {
		v = c[i] + carry;
		r[i - S->nl] = (uint32_t)(v & mask);
		carry = v >> S->w;
	}
	r[S->nl - 1] = (uint32_t)carry;
}

WT_INLINE void g_mul(const shape *S, uint32_t *r, const uint32_t *a, const uint32_t *b)
{
	int64_t c[2 * WT_EC_MAXL];
	g_product(S, c, a, b);
	g_redc_p(S, r, c);
}

WT_INLINE void g_sqr(const shape *S, uint32_t *r, const uint32_t *a)
{
	int64_t c[2 * WT_EC_MAXL];
	g_square(S, c, a);
	g_redc_p(S, r, c);
}

/*
 * Fold, then normalize, limbs t that are all nonnegative (each caller
 * makes sure) and below 2^34, with a value below 2^(bits+7):
 * h = t[top] >> topbits (< 2^7) counts the multiples of 2^bits held by
 * the top limb, and h*2^bits is replaced by h*c, equal mod p. What stays
 * of t is >= 0 and h*c > 0, so the value remains nonnegative even though c
 * has negative digits, and one signed carry pass normalizes the limbs (the
 * top one absorbs the last carry, below 2^6). The result is below
 * 2^bits + 2^7*c + 2^6*2^(bits-topbits) < 2^(bits+1): weakly reduced.
 */
WT_INLINE void g_fold_norm(const shape *S, uint32_t *r, int64_t *t)
{
	const int64_t mask = MASK(S);
	int64_t carry = 0, v, h;
	uint32_t i, k, top = S->nl - 1;
	h = t[top] >> S->topbits;
	t[top] &= ((int64_t)1 << S->topbits) - 1;
	UNROLL
	for (k = 0; k < 4; k++) {
		int64_t f = h << S->fold[k].shift;
		if (S->fold[k].sign > 0)
			t[S->fold[k].limb] += f;
		else
			t[S->fold[k].limb] -= f;
	}
	UNROLL
	for (i = 0; i < top; i++) {
		v = t[i] + carry;
		r[i] = (uint32_t)(v & mask);
		carry = v >> S->w;
	}
	r[top] = (uint32_t)(t[top] + carry);
}

WT_INLINE void g_add(const shape *S, uint32_t *r, const uint32_t *a, const uint32_t *b)
{
	int64_t t[WT_EC_MAXL];
	uint32_t i;
	UNROLL
	for (i = 0; i < S->nl; i++)
		t[i] = (int64_t)a[i] + b[i];
	g_fold_norm(S, r, t);
}

/*
 * a - b + 4p: 4p exceeds any weakly reduced b (< 2^(bits+1)). The limbs of
 * 4p are "spread" (ec_tables_gen.py): every limb but the top one is at
 * least 2^w - 1, borrowed from the limb above, so a[i] - b[i] + p4[i] is
 * nonnegative limb by limb, as g_fold_norm needs.
 */
WT_INLINE void g_sub(const shape *S, uint32_t *r, const uint32_t *a, const uint32_t *b,
		     const uint32_t *p4)
{
	int64_t t[WT_EC_MAXL];
	uint32_t i;
	UNROLL
	for (i = 0; i < S->nl; i++)
		t[i] = (int64_t)a[i] - b[i] + p4[i];
	g_fold_norm(S, r, t);
}

WT_INLINE void g_mul_small(const shape *S, uint32_t *r, const uint32_t *a, uint32_t k)
{
	int64_t t[WT_EC_MAXL];
	uint32_t i;
	UNROLL
	for (i = 0; i < S->nl; i++)
		t[i] = (int64_t)a[i] * k;
	g_fold_norm(S, r, t);
}

/* ka*a - kb*b + kb*4p (ka, kb <= 8): the small linear combinations of the
 * point formulas in one pass. Limbs stay nonnegative as in g_sub, the
 * value below 8*2^(bits+1) + 32p < 2^(bits+6). */
WT_INLINE void g_lin(const shape *S, uint32_t *r, const uint32_t *a, uint32_t ka,
		     const uint32_t *b, uint32_t kb, const uint32_t *p4)
{
	int64_t t[WT_EC_MAXL];
	uint32_t i;
	UNROLL
	for (i = 0; i < S->nl; i++)
		t[i] = (int64_t)a[i] * ka + ((int64_t)p4[i] - b[i]) * kb;
	g_fold_norm(S, r, t);
}

/* r = a - m if a >= m, else a (a, m normalized; m's top limb included). */
WT_INLINE void g_csub(const shape *S, uint32_t *r, const uint32_t *a, const uint32_t *m)
{
	const int64_t mask = MASK(S);
	uint32_t t[WT_EC_MAXL], keep, i, top = S->nl - 1;
	int64_t carry = 0, v;
	UNROLL
	for (i = 0; i < top; i++) {
		v = (int64_t)a[i] - m[i] + carry;
		t[i] = (uint32_t)(v & mask);
		carry = v >> S->w;
	}
	v = (int64_t)a[top] - m[top] + carry;
	t[top] = (uint32_t)v;
	keep = (uint32_t)(v >> 63); /* all ones when a < m */
	UNROLL
	for (i = 0; i < S->nl; i++)
		r[i] = t[i] ^ (keep & (t[i] ^ a[i]));
}

/* Weakly reduced values are below 2^(bits+1) < 3p: two subtractions. */
WT_INLINE void g_canon(const shape *S, uint32_t *r, const uint32_t *a, const uint32_t *p)
{
	g_csub(S, r, a, p);
	g_csub(S, r, r, p);
}

/*
 * Montgomery multiplication mod n (dense modulus), inputs below n: the
 * digit is m = limb * n0 mod 2^w with n0 = -1/n mod 2^w, and m*n is added
 * limb by limb. Each column then holds at most 2*nl products below 2^58,
 * which a signed 64-bit column still holds (18 * 2^58 < 2^63).
 */
WT_INLINE void g_nmul(const shape *S, uint32_t *r, const uint32_t *a, const uint32_t *b,
		      const uint32_t *n, uint32_t n0)
{
	const int64_t mask = MASK(S);
	int64_t c[2 * WT_EC_MAXL], carry = 0, v;
	uint32_t i, j, t[WT_EC_MAXL];
	g_product(S, c, a, b);
	UNROLL
	for (i = 0; i < S->nl; i++) {
		uint64_t m;
		v = c[i] + carry;
		m = ((uint64_t)v * n0) & (uint64_t)mask;
		v += (int64_t)(m * n[0]);
		carry = v >> S->w;
		UNROLL
		for (j = 1; j < S->nl; j++)
			c[i + j] += (int64_t)(m * n[j]);
	}
	UNROLL
	for (i = S->nl; i < 2 * S->nl - 1; i++) {
		v = c[i] + carry;
		t[i - S->nl] = (uint32_t)(v & mask);
		carry = v >> S->w;
	}
	t[S->nl - 1] = (uint32_t)carry;
	g_csub(S, r, t, n);
}

/* (a + b) mod n for a, b < n. */
WT_INLINE void g_nadd(const shape *S, uint32_t *r, const uint32_t *a, const uint32_t *b,
		      const uint32_t *n)
{
	const int64_t mask = MASK(S);
	uint32_t t[WT_EC_MAXL], i;
	uint32_t carry = 0;
	UNROLL
	for (i = 0; i < S->nl - 1; i++) {
		uint32_t v = a[i] + b[i] + carry;
		t[i] = v & (uint32_t)mask;
		carry = v >> S->w;
	}
	t[S->nl - 1] = a[S->nl - 1] + b[S->nl - 1] + carry;
	g_csub(S, r, t, n);
}

/* Big-endian bytes (len = bits/8) to plain limbs, and back. */
WT_INLINE void g_from_be(const shape *S, uint32_t *r, const uint8_t *src, size_t len)
{
	uint64_t acc = 0;
	uint32_t bits = 0, k = 0;
	size_t i = len;
	while (i-- > 0) {
		acc |= (uint64_t)src[i] << bits;
		bits += 8;
		if (bits >= S->w) {
			r[k++] = (uint32_t)(acc & (uint64_t)MASK(S));
			acc >>= S->w;
			bits -= S->w;
		}
	}
	while (k < S->nl) {
		r[k++] = (uint32_t)acc;
		acc = 0;
	}
}

WT_INLINE void g_to_be(const shape *S, uint8_t *dst, const uint32_t *a, size_t len)
{
	uint64_t acc = 0;
	uint32_t bits = 0, k = 0;
	size_t i = len;
	while (i-- > 0) {
		if (bits < 8 && k < S->nl) {
			acc |= (uint64_t)a[k++] << bits;
			bits += S->w;
		}
		dst[i] = (uint8_t)acc;
		acc >>= 8;
		bits -= 8;
	}
}

/* ---- the two instantiations ---------------------------------------------- */

#define FIELD_FUNCS(pre, S, L)                                                    \
	static void pre##_fmul(uint32_t *r, const uint32_t *a, const uint32_t *b) \
	{                                                                         \
		g_mul(&S, r, a, b);                                               \
	}                                                                         \
	static void pre##_fsqr(uint32_t *r, const uint32_t *a)                    \
	{                                                                         \
		g_sqr(&S, r, a);                                                  \
	}                                                                         \
	static void pre##_fadd(uint32_t *r, const uint32_t *a, const uint32_t *b) \
	{                                                                         \
		g_add(&S, r, a, b);                                               \
	}                                                                         \
	static void pre##_fsub(uint32_t *r, const uint32_t *a, const uint32_t *b) \
	{                                                                         \
		g_sub(&S, r, a, b, L##_P4);                                       \
	}                                                                         \
	static void pre##_fmul_small(uint32_t *r, const uint32_t *a, uint32_t k)  \
	{                                                                         \
		g_mul_small(&S, r, a, k);                                         \
	}                                                                         \
	static void pre##_flin(uint32_t *r, const uint32_t *a, uint32_t ka,       \
			       const uint32_t *b, uint32_t kb)                    \
	{                                                                         \
		g_lin(&S, r, a, ka, b, kb, L##_P4);                               \
	}                                                                         \
	static void pre##_fcanon(uint32_t *r, const uint32_t *a)                  \
	{                                                                         \
		g_canon(&S, r, a, L##_P);                                         \
	}                                                                         \
	static void pre##_nmul(uint32_t *r, const uint32_t *a, const uint32_t *b) \
	{                                                                         \
		g_nmul(&S, r, a, b, L##_N, L##_N0);                               \
	}                                                                         \
	static void pre##_nadd(uint32_t *r, const uint32_t *a, const uint32_t *b) \
	{                                                                         \
		g_nadd(&S, r, a, b, L##_N);                                       \
	}                                                                         \
	static void pre##_from_be(uint32_t *r, const uint8_t *src)                \
	{                                                                         \
		g_from_be(&S, r, src, sizeof L##_P_BYTES);                        \
	}                                                                         \
	static void pre##_to_be(uint8_t *dst, const uint32_t *a)                  \
	{                                                                         \
		g_to_be(&S, dst, a, sizeof L##_P_BYTES);                          \
	}

FIELD_FUNCS(p256, P256S, P256)
FIELD_FUNCS(p384, P384S, P384)

#define CURVE(pre, L, ID)                                                         \
	{                                                                         \
		ID, sizeof L##_P / 4, sizeof L##_P_BYTES, pre##_fmul, pre##_fadd, \
			pre##_fsub, pre##_fsqr, pre##_fmul_small, pre##_flin,     \
			pre##_fcanon, pre##_nmul, pre##_nadd, pre##_from_be,      \
			pre##_to_be, L##_RR, L##_ONE, L##_B, L##_N, L##_NRR,      \
			L##_P_BYTES, L##_N_BYTES, L##_P_MINUS_2, L##_P_SQRT_EXP,  \
			L##_N_MINUS_2, L##_COMB, L##_COMB_D, L##_COMB_E, L##_GODD \
	}

static const wt_ec_curve CURVES[2] = {
	CURVE(p256, P256, 23),
	CURVE(p384, P384, 24),
};

/* see ec_inner.h */
const wt_ec_curve *wt_ec_curve_get(uint32_t id)
{
	if (id == 23)
		return &CURVES[0];
	if (id == 24)
		return &CURVES[1];
	return NULL;
}

/* ---- helpers over a curve -------------------------------------------------- */

/*
 * Left-to-right sliding window of up to 5 bits over the odd powers a^1,
 * a^3, ..., a^31. The exponent is public (p - 2, (p + 1)/4, n - 2), so the
 * window boundaries and the skipped multiplications depend on nothing
 * secret; the base may be secret and is only multiplied. sqr may be
 * NULL (then mul squares).
 */
static void pow_window(const wt_ec_curve *c, uint32_t *r, const uint32_t *a,
		       const uint8_t *e, const uint32_t *one, wt_ec_fn3 mul,
		       wt_ec_fn2 sqr)
{
	uint32_t tab[16][WT_EC_MAXL], acc[WT_EC_MAXL], a2[WT_EC_MAXL];
	size_t nl = c->nl;
	int i, j, started = 0;
#define EBIT(k) ((e[c->len - 1 - (size_t)(k) / 8] >> ((k) % 8)) & 1)
#define SQR(x) (sqr != NULL ? sqr(x, x) : mul(x, x, x))
	memcpy(tab[0], a, nl * 4);
	memcpy(a2, a, nl * 4);
	SQR(a2);
	for (i = 1; i < 16; i++)
		mul(tab[i], tab[i - 1], a2);
	memcpy(acc, one, nl * 4);
	for (i = 8 * (int)c->len - 1; i >= 0;) {
		uint32_t d = 0;
		if (!EBIT(i)) {
			if (started)
				SQR(acc);
			i--;
			continue;
		}
		/* Window [i, j]: at most 5 bits, ending on a set bit. */
		j = i - 4 < 0 ? 0 : i - 4;
		while (!EBIT(j))
			j++;
		for (; i >= j; i--) {
			d = (d << 1) | EBIT(i);
			if (started)
				SQR(acc);
		}
		mul(acc, acc, tab[d >> 1]);
		started = 1;
	}
#undef EBIT
#undef SQR
	memcpy(r, acc, nl * 4);
	wt_wipe(tab, sizeof tab);
	wt_wipe(acc, sizeof acc);
	wt_wipe(a2, sizeof a2);
}

/* see ec_inner.h */
void wt_ec_fpow(const wt_ec_curve *c, uint32_t *r, const uint32_t *a, const uint8_t *e)
{
	pow_window(c, r, a, e, c->one, c->fmul, c->fsqr);
}

void wt_ec_finv(const wt_ec_curve *c, uint32_t *r, const uint32_t *a)
{
	wt_ec_fpow(c, r, a, c->p_minus_2);
}

uint32_t wt_ec_fis_zero(const wt_ec_curve *c, const uint32_t *a)
{
	uint32_t t[WT_EC_MAXL], acc = 0, i;
	c->fcanon(t, a);
	for (i = 0; i < c->nl; i++)
		acc |= t[i];
	return WT_EQ0(acc);
}

uint32_t wt_ec_fequal(const wt_ec_curve *c, const uint32_t *a, const uint32_t *b)
{
	uint32_t t[WT_EC_MAXL];
	c->fsub(t, a, b);
	return wt_ec_fis_zero(c, t);
}

void wt_ec_fdecode(const wt_ec_curve *c, uint32_t *r, const uint8_t *src)
{
	uint32_t t[WT_EC_MAXL];
	c->from_be(t, src);
	c->fmul(r, t, c->rr);
}

void wt_ec_fencode(const wt_ec_curve *c, uint8_t *dst, const uint32_t *a)
{
	uint32_t t[WT_EC_MAXL], one[WT_EC_MAXL];
	memset(one, 0, sizeof one);
	one[0] = 1;
	c->fmul(t, a, one); /* out of Montgomery form */
	c->fcanon(t, t);
	c->to_be(dst, t);
	wt_wipe(t, sizeof t); /* may be an ECDH secret */
}

/* Montgomery one mod n is computed (R mod n = R^2 * 1 / R). */
void wt_ec_npow(const wt_ec_curve *c, uint32_t *r, const uint32_t *a, const uint8_t *e)
{
	uint32_t one[WT_EC_MAXL], t[WT_EC_MAXL];
	memset(t, 0, sizeof t);
	t[0] = 1;
	c->nmul(one, t, c->nrr);
	pow_window(c, r, a, e, one, c->nmul, NULL); /* no dedicated squaring mod n */
}

void wt_ec_ndecode(const wt_ec_curve *c, uint32_t *r, const uint8_t *src)
{
	uint32_t t[WT_EC_MAXL], z[WT_EC_MAXL];
	c->from_be(t, src);
	/* t < 2^bits < 2n, so one conditional subtraction (nadd with zero)
	 * brings it below n, as the Montgomery multiplication needs. */
	memset(z, 0, sizeof z);
	c->nadd(t, t, z);
	c->nmul(r, t, c->nrr);
	wt_wipe(t, sizeof t);
}

void wt_ec_nencode(const wt_ec_curve *c, uint8_t *dst, const uint32_t *a)
{
	uint32_t t[WT_EC_MAXL], one[WT_EC_MAXL];
	memset(one, 0, sizeof one);
	one[0] = 1;
	c->nmul(t, a, one);
	c->to_be(dst, t);
	wt_wipe(t, sizeof t);
}

uint32_t wt_ec_lt_be(const uint8_t *a, const uint8_t *b, size_t len)
{
	uint32_t borrow = 0;
	size_t i = len;
	while (i-- > 0) {
		uint32_t d = (uint32_t)a[i] - b[i] - borrow;
		borrow = d >> 31;
	}
	return borrow;
}

uint32_t wt_ec_scalar_ok(const wt_ec_curve *c, const uint8_t *k)
{
	uint32_t acc = 0;
	size_t i;
	for (i = 0; i < c->len; i++)
		acc |= k[i];
	return wt_ec_lt_be(k, c->n_bytes, c->len) & WT_NEQ(acc, 0);
}
