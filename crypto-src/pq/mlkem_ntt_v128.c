/*
 * mlkem_ntt_v128.c: the ML-KEM NTT, inverse NTT and NTT-domain product
 * (basemul) on 128-bit vectors of eight int16 coefficients (clang vector
 * extensions: wasm SIMD128 in the SIMD build, SSE2 natively, where the
 * tests and Valgrind run it).
 *
 * Bit-exact with the scalar versions in mlkem_poly.c: the same butterflies
 * in the same order, Montgomery products computed as
 *   hi(a b) - hi(t q),  t = a b q^-1 mod 2^16
 * (the low halves of a b and t q are equal, so this is exactly
 * (a b - t q) / 2^16), and Barrett as ((hi(a v) + 2^9) >> 10), which
 * equals (a v + 2^25) >> 26; basemul forms the same 32-bit sums as the
 * scalar code with pairwise dot products. test_mlkem.c compares both
 * paths.
 *
 * Layers with len >= 8 pair whole vectors; for len = 4 and len = 2 two
 * vectors are regrouped by shuffles so that each butterfly again pairs
 * lanes of two vectors. Twiddles are read at indexes given by the loop
 * counters only; no coefficient steers a branch or an address.
 */
#include "inner.h"
#include "mlkem_poly.h"

#ifdef WT_MLKEM_V128

typedef int16_t v8 __attribute__((vector_size(16)));
typedef uint16_t v8u __attribute__((vector_size(16)));
typedef int32_t v4i32 __attribute__((vector_size(16)));
typedef int32_t v8i32 __attribute__((vector_size(32)));
typedef uint32_t v4u32 __attribute__((vector_size(16)));
typedef int64_t v2i64 __attribute__((vector_size(16)));

#define SPLAT(x) ((v8){ (x), (x), (x), (x), (x), (x), (x), (x) })
#define QINV_16 (-3327) /* q^-1 mod 2^16, signed */
#define BARRETT_V 20159 /* round(2^26 / q) */
#define INVNTT_F 1441   /* 2^32 / 128 mod q, see mlkem_poly.c */

WT_INLINE v8 load8(const int16_t *p)
{
	v8 v;
	memcpy(&v, p, sizeof v);
	return v;
}

WT_INLINE void store8(int16_t *p, v8 v)
{
	memcpy(p, &v, sizeof v);
}

/* Four consecutive int16 in lanes 0..3 (and again in 4..7). */
WT_INLINE v8 load4(const int16_t *p)
{
	int64_t x;
	v2i64 v;
	memcpy(&x, p, sizeof x);
	v = (v2i64){ x, x };
	return (v8)v;
}

/* High halves of the signed 16 x 16 -> 32-bit products. wasm SIMD128 has
 * no i16x8 mulhi; two extending multiplies and one shuffle make it. On
 * x86 the widening form below becomes a single pmulhw. */
WT_INLINE v8 mulhi(v8 a, v8 b)
{
#ifdef __wasm_simd128__
	v4i32 lo = __builtin_convertvector(__builtin_shufflevector(a, a, 0, 1, 2, 3),
					   v4i32) *
		__builtin_convertvector(__builtin_shufflevector(b, b, 0, 1, 2, 3), v4i32);
	v4i32 hi = __builtin_convertvector(__builtin_shufflevector(a, a, 4, 5, 6, 7),
					   v4i32) *
		__builtin_convertvector(__builtin_shufflevector(b, b, 4, 5, 6, 7), v4i32);
	return __builtin_shufflevector((v8)lo, (v8)hi, 1, 3, 5, 7, 9, 11, 13, 15);
#else
	v8i32 p = __builtin_convertvector(a, v8i32) * __builtin_convertvector(b, v8i32);
	return __builtin_convertvector(p >> 16, v8);
#endif
}

/* Low halves, in unsigned arithmetic where wrapping is defined. */
WT_INLINE v8 mullo(v8 a, v8 b)
{
	return (v8)((v8u)a * (v8u)b);
}

/* a * b * 2^-16 mod q in (-q, q), for |a b| < q 2^15 (as fqmul). */
WT_INLINE v8 fqmul(v8 a, v8 b)
{
	v8 t = mullo(mullo(a, b), SPLAT(QINV_16));
	return mulhi(a, b) - mulhi(t, SPLAT(MLKEM_Q));
}

/* wt_mlkem_barrett_reduce on each lane. */
WT_INLINE v8 barrett(v8 a)
{
	v8 t = (mulhi(a, SPLAT(BARRETT_V)) + SPLAT(1 << 9)) >> 10;
	return a - mullo(t, SPLAT(MLKEM_Q));
}

/* Cooley-Tukey (forward) and Gentleman-Sande (inverse) butterflies. */
#define CT_BF(a, b, z)                   \
	do {                             \
		v8 t_ = fqmul((b), (z)); \
		(b) = (a)-t_;            \
		(a) = (a) + t_;          \
	} while (0)
#define GS_BF(a, b, z)                    \
	do {                              \
		v8 t_ = (a);              \
		(a) = barrett(t_ + (b));  \
		(b) = fqmul((b)-t_, (z)); \
	} while (0)

/* see mlkem_poly.h */
void wt_mlkem_ntt_v128(wt_mlkem_poly *p)
{
	int16_t *r = p->c;
	unsigned len, nb, b, start, j, m;

	/* len = 128 .. 8 coefficients: len / 8 vectors apart; nb blocks of
	 * 2 len use zetas nb .. 2 nb - 1 (k runs 1..31 in FIPS order). The
	 * block count is carried along rather than derived, so no division
	 * appears even on these public counters. */
	for (len = 16, nb = 1; len >= 1; len >>= 1, nb <<= 1) {
		for (b = 0; b < nb; b++) {
			v8 z = SPLAT(wt_mlkem_zetas[nb + b]);
			start = 2 * len * b;
			for (j = start; j < start + len; j++) {
				v8 a = load8(r + 8 * j), c = load8(r + 8 * (j + len));
				CT_BF(a, c, z);
				store8(r + 8 * j, a);
				store8(r + 8 * (j + len), c);
			}
		}
	}
	/* len = 4: each vector is one block (zeta 32 + vector index); pair
	 * the low halves of two vectors with their high halves. */
	for (m = 0; m < 16; m++) {
		v8 a = load8(r + 16 * m), b = load8(r + 16 * m + 8);
		v8 z = __builtin_shufflevector(load4(wt_mlkem_zetas + 32 + 2 * m),
					       SPLAT(0), 0, 0, 0, 0, 1, 1, 1, 1);
		v8 x = __builtin_shufflevector(a, b, 0, 1, 2, 3, 8, 9, 10, 11);
		v8 y = __builtin_shufflevector(a, b, 4, 5, 6, 7, 12, 13, 14, 15);
		CT_BF(x, y, z);
		store8(r + 16 * m,
		       __builtin_shufflevector(x, y, 0, 1, 2, 3, 8, 9, 10, 11));
		store8(r + 16 * m + 8,
		       __builtin_shufflevector(x, y, 4, 5, 6, 7, 12, 13, 14, 15));
	}
	/* len = 2: blocks of four (zeta 64 + block index), lanes 0,1 | 4,5
	 * paired with 2,3 | 6,7. */
	for (m = 0; m < 16; m++) {
		v8 a = load8(r + 16 * m), b = load8(r + 16 * m + 8);
		v8 z = __builtin_shufflevector(load4(wt_mlkem_zetas + 64 + 4 * m),
					       SPLAT(0), 0, 0, 1, 1, 2, 2, 3, 3);
		v8 x = __builtin_shufflevector(a, b, 0, 1, 4, 5, 8, 9, 12, 13);
		v8 y = __builtin_shufflevector(a, b, 2, 3, 6, 7, 10, 11, 14, 15);
		CT_BF(x, y, z);
		store8(r + 16 * m,
		       __builtin_shufflevector(x, y, 0, 1, 8, 9, 2, 3, 10, 11));
		store8(r + 16 * m + 8,
		       __builtin_shufflevector(x, y, 4, 5, 12, 13, 6, 7, 14, 15));
	}
	for (j = 0; j < 32; j++)
		store8(r + 8 * j, barrett(load8(r + 8 * j)));
}

/* see mlkem_poly.h */
void wt_mlkem_invntt_v128(wt_mlkem_poly *p)
{
	int16_t *r = p->c;
	unsigned len, nb, b, start, j, m;

	/* len = 2: blocks 4m .. 4m+3 use zetas 127 - 4m down to 124 - 4m */
	for (m = 0; m < 16; m++) {
		v8 a = load8(r + 16 * m), b = load8(r + 16 * m + 8);
		v8 z = __builtin_shufflevector(load4(wt_mlkem_zetas + 124 - 4 * m),
					       SPLAT(0), 3, 3, 2, 2, 1, 1, 0, 0);
		v8 x = __builtin_shufflevector(a, b, 0, 1, 4, 5, 8, 9, 12, 13);
		v8 y = __builtin_shufflevector(a, b, 2, 3, 6, 7, 10, 11, 14, 15);
		GS_BF(x, y, z);
		store8(r + 16 * m,
		       __builtin_shufflevector(x, y, 0, 1, 8, 9, 2, 3, 10, 11));
		store8(r + 16 * m + 8,
		       __builtin_shufflevector(x, y, 4, 5, 12, 13, 6, 7, 14, 15));
	}
	/* len = 4: blocks 2m, 2m+1 use zetas 63 - 2m, 62 - 2m */
	for (m = 0; m < 16; m++) {
		v8 a = load8(r + 16 * m), b = load8(r + 16 * m + 8);
		v8 z = __builtin_shufflevector(load4(wt_mlkem_zetas + 60 - 2 * m),
					       SPLAT(0), 3, 3, 3, 3, 2, 2, 2, 2);
		v8 x = __builtin_shufflevector(a, b, 0, 1, 2, 3, 8, 9, 10, 11);
		v8 y = __builtin_shufflevector(a, b, 4, 5, 6, 7, 12, 13, 14, 15);
		GS_BF(x, y, z);
		store8(r + 16 * m,
		       __builtin_shufflevector(x, y, 0, 1, 2, 3, 8, 9, 10, 11));
		store8(r + 16 * m + 8,
		       __builtin_shufflevector(x, y, 4, 5, 6, 7, 12, 13, 14, 15));
	}
	/* len = 8 .. 128 coefficients: nb blocks use zetas 2 nb - 1 down
	 * to nb (k runs 31..1) */
	for (len = 1, nb = 16; len <= 16; len <<= 1, nb >>= 1) {
		for (b = 0; b < nb; b++) {
			v8 z = SPLAT(wt_mlkem_zetas[2 * nb - 1 - b]);
			start = 2 * len * b;
			for (j = start; j < start + len; j++) {
				v8 a = load8(r + 8 * j), c = load8(r + 8 * (j + len));
				GS_BF(a, c, z);
				store8(r + 8 * j, a);
				store8(r + 8 * (j + len), c);
			}
		}
	}
	for (j = 0; j < 32; j++)
		store8(r + 8 * j, fqmul(load8(r + 8 * j), SPLAT(INVNTT_F)));
}

/* Pairwise dot product: lane i = a[2i] b[2i] + a[2i+1] b[2i+1] (wasm
 * i32x4.dot_i16x8_s; x86 pmaddwd). */
WT_INLINE v4i32 dot(v8 a, v8 b)
{
#ifdef __wasm_simd128__
	return __builtin_wasm_dot_s_i32x4_i16x8(a, b);
#else
	v4i32 pe = __builtin_convertvector(__builtin_shufflevector(a, a, 0, 2, 4, 6),
					   v4i32) *
		__builtin_convertvector(__builtin_shufflevector(b, b, 0, 2, 4, 6), v4i32);
	v4i32 po = __builtin_convertvector(__builtin_shufflevector(a, a, 1, 3, 5, 7),
					   v4i32) *
		__builtin_convertvector(__builtin_shufflevector(b, b, 1, 3, 5, 7), v4i32);
	return pe + po;
#endif
}

/* wt_mlkem_montgomery_reduce on 32-bit lanes (|c| < q 2^15): t is the
 * low half of c q^-1, sign-extended. */
WT_INLINE v4i32 mont32(v4i32 c)
{
	v4i32 t = (v4i32)(((v4u32)c * (v4u32){ 62209u, 62209u, 62209u, 62209u }) << 16) >>
		16;
	return (c - t * MLKEM_Q) >> 16;
}

/* see mlkem_poly.h: the gammas of four pairs times the odd coefficients,
 * eight at a time. */
void wt_mlkem_mulcache_compute_v128(wt_mlkem_mulcache *x, const wt_mlkem_poly *b)
{
	unsigned i;
	for (i = 0; i < MLKEM_N / 2; i += 8) {
		v8 b0 = load8(b->c + 2 * i), b1 = load8(b->c + 2 * i + 8);
		v8 odd = __builtin_shufflevector(b0, b1, 1, 3, 5, 7, 9, 11, 13, 15);
		store8(x->c + i, fqmul(odd, load8(wt_mlkem_gammas + i)));
	}
}

/*
 * see mlkem_poly.h. Four pairs at a time: with a = (a0, a1, ...) and the
 * b-side regrouped as (b0, b1 gamma, ...) and (b1, b0, ...), one dot
 * product each gives c0 = a0 b0 + a1 b1 gamma and c1 = a0 b1 + a1 b0 in
 * 32 bits, the same sums as the scalar code, reduced once at the end.
 */
void wt_mlkem_basemul_acc_v128(wt_mlkem_poly *r, const wt_mlkem_poly *a,
			       const wt_mlkem_poly *b, const wt_mlkem_mulcache *bx,
			       unsigned k)
{
	unsigned i, j;
	for (i = 0; i < MLKEM_N; i += 8) {
		v4i32 c0 = { 0, 0, 0, 0 }, c1 = { 0, 0, 0, 0 };
		for (j = 0; j < k; j++) {
			v8 av = load8(a[j].c + i), bv = load8(b[j].c + i);
			v8 xv = load4(bx[j].c + i / 2);
			c0 += dot(av,
				  __builtin_shufflevector(bv, xv, 0, 8, 2, 9, 4, 10, 6,
							  11));
			c1 += dot(
				av,
				__builtin_shufflevector(bv, bv, 1, 0, 3, 2, 5, 4, 7, 6));
		}
		store8(r->c + i,
		       __builtin_shufflevector((v8)mont32(c0), (v8)mont32(c1), 0, 8, 2,
					       10, 4, 12, 6, 14));
	}
}


#endif
