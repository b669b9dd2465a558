/*
 * f25519.h: arithmetic in GF(p), p = 2^255 - 19, shared by X25519
 * (x25519.c) and Ed25519 (ge25519.c, ed25519.c). Internal header.
 *
 * Representation: ten signed limbs in radix 2^25.5, limb i weighing
 * 2^ceil(25.5 i) (26-bit limbs at even i, 25-bit at odd i):
 *     f = v[0] + v[1] 2^26 + v[2] 2^51 + v[3] 2^77 + ... + v[9] 2^230.
 * Why this and not five 51-bit limbs: wasm has a 64x64->64 multiply but
 * no 128-bit product, so 51-bit limbs need four i64.mul and carry fixing
 * per partial product (25 of them), where 25.5-bit limbs need exactly one
 * i64.mul per partial product (100 of them, 55 for a square) and no
 * carries until the end. Measured in Node 20 (V8), emcc -O3, on this
 * project's build machine (best of many short runs): one field
 * multiplication takes about 30 ns with 10 limbs and about 80 ns with 5,
 * whether the 128-bit products are unsigned __int128 (lowered to __multi3
 * calls) or a hand-written four-multiply emulation.
 *
 * Bounds. A "reduced" element (output of mul, sq, mul_small, frombytes)
 * has |v[i]| <= 2^25 * 1.01. add/sub/neg do not carry: a sum or
 * difference of k reduced elements has |v[i]| <= k * 2^25 * 1.01. mul and
 * sq accept inputs with |v[i]| <= 1.35 * 2^27, which covers k <= 5: the
 * largest partial sum (limb 0, worth 1 + 5 * 38 + 4 * 19 = 267 products)
 * is then below 267 * 1.35^2 * 2^54 < 2^63. Every caller keeps k <= 4
 * (the largest is the doubling in ge25519.c); test_ec25519.c multiplies
 * at k = 5 under UBSan.
 *
 * Everything here is constant-time: no branch and no memory index depends
 * on a limb value.
 */
#ifndef WT_F25519_H
#define WT_F25519_H

#include "inner.h"

typedef struct {
	int32_t v[10];
} wt_fe;

/* Constants (f25519.c). */
extern const wt_fe wt_fe_d;      /* d = -121665/121666, edwards25519 */
extern const wt_fe wt_fe_d2;     /* 2d */
extern const wt_fe wt_fe_sqrtm1; /* sqrt(-1) = 2^((p-1)/4) */

WT_INLINE void wt_fe_0(wt_fe *h)
{
	memset(h, 0, sizeof *h);
}

WT_INLINE void wt_fe_1(wt_fe *h)
{
	memset(h, 0, sizeof *h);
	h->v[0] = 1;
}

WT_INLINE void wt_fe_add(wt_fe *h, const wt_fe *f, const wt_fe *g)
{
	int i;
	for (i = 0; i < 10; i++)
		h->v[i] = f->v[i] + g->v[i];
}

WT_INLINE void wt_fe_sub(wt_fe *h, const wt_fe *f, const wt_fe *g)
{
	int i;
	for (i = 0; i < 10; i++)
		h->v[i] = f->v[i] - g->v[i];
}

WT_INLINE void wt_fe_neg(wt_fe *h, const wt_fe *f)
{
	int i;
	for (i = 0; i < 10; i++)
		h->v[i] = -f->v[i];
}

/* If b is 1, swap f and g; if 0, leave them. b must be 0 or 1. */
WT_INLINE void wt_fe_cswap(wt_fe *f, wt_fe *g, uint32_t b)
{
	int32_t m = -(int32_t)b;
	int i;
	for (i = 0; i < 10; i++) {
		int32_t t = m & (f->v[i] ^ g->v[i]);
		f->v[i] ^= t;
		g->v[i] ^= t;
	}
}

/* If b is 1, f = g; if 0, leave f. b must be 0 or 1. */
WT_INLINE void wt_fe_cmov(wt_fe *f, const wt_fe *g, uint32_t b)
{
	int32_t m = -(int32_t)b;
	int i;
	for (i = 0; i < 10; i++)
		f->v[i] ^= m & (f->v[i] ^ g->v[i]);
}

/* h = f * g, h = f^2, h = f * c for 0 <= c < 2^20. Arguments may
 * alias. */
void wt_fe_mul(wt_fe *h, const wt_fe *f, const wt_fe *g);
void wt_fe_sq(wt_fe *h, const wt_fe *f);
void wt_fe_mul_small(wt_fe *h, const wt_fe *f, int32_t c);
/* h = f^(2^n), n >= 1 */
void wt_fe_sqn(wt_fe *h, const wt_fe *f, int n);
/* h = 1/f (Fermat: f^(p-2)); 0 maps to 0. */
void wt_fe_invert(wt_fe *h, const wt_fe *f);
/* h = f^((p-5)/8), the core of a square root (RFC 8032 5.1.3). */
void wt_fe_pow22523(wt_fe *h, const wt_fe *f);

/* Decode 32 little-endian bytes, ignoring bit 255 (RFC 7748 section 5:
 * "implementations of X25519 MUST mask the most significant bit"). Values
 * in [p, 2^255) are accepted and taken mod p; callers that must refuse
 * them (Ed25519 point decoding) check with wt_fe_canonical first. */
void wt_fe_frombytes(wt_fe *h, const uint8_t s[32]);
/* 1 if the low 255 bits of s encode a value below p, else 0. */
uint32_t wt_fe_canonical(const uint8_t s[32]);
/* The unique representative in [0, p), 32 bytes little-endian. */
void wt_fe_tobytes(uint8_t s[32], const wt_fe *f);

/* 1 if f = 0 mod p, else 0. */
uint32_t wt_fe_iszero(const wt_fe *f);
/* Low bit of the canonical value (the "sign" of x, RFC 8032 5.1.2). */
uint32_t wt_fe_isnegative(const wt_fe *f);

#endif
