/*
 * aes_ct.h: internal interface of the constant-time AES implementations
 * (encryption only: GCM needs no inverse cipher) and of GHASH.
 *
 *   aes_ct64.c    bitsliced, 4 blocks in 8 uint64_t words (any target)
 *   aes_ctv128.c  bitsliced, 8 blocks in 8 128-bit vectors, one byte per
 *                 state position so ShiftRows/MixColumns are byte shuffles
 *                 (wasm SIMD128, and natively with SSE2/NEON for tests)
 *   ghash_ctmul64.c  GHASH with 64-bit integer multiplies
 *
 * Both AES implementations share the FIPS 197 key expansion below and the
 * Boyar-Peralta S-box circuit, and expose CTR mode with a 32-bit big-endian
 * counter in the last 4 bytes of the counter block (SP 800-38D inc32).
 */
#ifndef WT_AES_CT_H
#define WT_AES_CT_H

#include "inner.h"

#if defined(__wasm_simd128__) || \
	(!defined(__wasm__) && (defined(__SSE2__) || defined(__aarch64__)))
#define WT_HAVE_AESV 1
#else
#define WT_HAVE_AESV 0
#endif

/* Implementation ids (wt_gcm_ctx.impl). */
enum { WT_AES_IMPL_CT64 = 1, WT_AES_IMPL_V128 = 2 };

/* FIPS 197 section 5.2 KeyExpansion, constant-time (the S-box is the
 * bitsliced circuit). Writes the round keys as 16 bytes each, rk[16 * r]
 * for round r = 0..Nr, and returns Nr (10, 12, 14), or 0 for a key length
 * other than 16, 24, 32. */
unsigned wt_aes_expand(uint8_t rk[16 * 15], const uint8_t *key, size_t keylen);

/* Round keys of wt_aes_expand() in the bitsliced layouts: ct64 uses
 * 8 * (nr + 1) words of sk, v128 16 * (nr + 1). Both fold the S-box's
 * affine constant 0x63 into rounds 1..Nr (see the .c files). */
void wt_aes_ct64_schedule(uint64_t *sk, const uint8_t *rk, unsigned nr);
void wt_aes_ctv128_schedule(uint64_t *sk, const uint8_t *rk, unsigned nr);

/* out = in XOR AES-CTR keystream of blocks cb[0..11] || be32(ctr + i),
 * i = 0, 1, ... (mod 2^32), if ok is 1; zeros if ok is 0 (the same work
 * either way: GCM decryption after a tag check whose verdict is secret
 * until returned). len is any byte count; out may equal in. */
void wt_aes_ct64_ctr(const uint64_t *sk, unsigned nr, const uint8_t cb[12],
	uint32_t ctr, const uint8_t *in, uint8_t *out, size_t len, uint32_t ok);
void wt_aes_ctv128_ctr(const uint64_t *sk, unsigned nr, const uint8_t cb[12],
	uint32_t ctr, const uint8_t *in, uint8_t *out, size_t len, uint32_t ok);

/* ---- GHASH (ghash_ctmul64.c) ---------------------------------------- */

#define WT_GHASH_POWERS 8
/* Key: H^1..H^8, each as 6 operands (Karatsuba lo/hi/mid, and their bit
 * reversals) split into 4 masked parts: 8 * 6 * 4 words. */
#define WT_GHASH_KEY_WORDS (WT_GHASH_POWERS * 24)

void wt_ghash_key(uint64_t hk[WT_GHASH_KEY_WORDS], const uint8_t h[16]);
/* y = GHASH state (y[0] = bytes 0..7 big-endian, y[1] = bytes 8..15);
 * absorbs len bytes, the last partial block zero-padded (SP 800-38D
 * section 7.1 pads A and C separately, so callers feed each in one call
 * or in multiples of 16 bytes). */
void wt_ghash_update(const uint64_t hk[WT_GHASH_KEY_WORDS], uint64_t y[2],
	const uint8_t *data, size_t len);

/* ---- the S-box circuit ------------------------------------------------ */

/*
 * Boyar and Peralta's circuit for the AES S-box ("A depth-16 circuit for
 * the AES S-box", 2011): a top linear layer, a shared inversion in GF(2^4)
 * towers, and a bottom linear layer; XOR and AND only, so it applies to any
 * type with ^ and &: a word of bitsliced planes or a vector of them.
 * q[7] is the most significant bit. The four XNORs of the published circuit
 * are plain XORs here: the outputs are S(x) ^ 0x63, and every caller
 * folds 0x63 into the following round key (or applies it itself).
 */
#define WT_AES_SBOX_DEFINE(name, T) \
WT_INLINE void name(T *q) \
{ \
	T u0 = q[7], u1 = q[6], u2 = q[5], u3 = q[4]; \
	T u4 = q[3], u5 = q[2], u6 = q[1], u7 = q[0]; \
	T t1 = u0 ^ u3, t2 = u0 ^ u5, t3 = u0 ^ u6, t4 = u3 ^ u5; \
	T t5 = u4 ^ u6, t6 = t1 ^ t5, t7 = u1 ^ u2, t8 = u7 ^ t6; \
	T t9 = u7 ^ t7, t10 = t6 ^ t7, t11 = u1 ^ u5, t12 = u2 ^ u5; \
	T t13 = t3 ^ t4, t14 = t6 ^ t11, t15 = t5 ^ t11, t16 = t5 ^ t12; \
	T t17 = t9 ^ t16, t18 = u3 ^ u7, t19 = t7 ^ t18, t20 = t1 ^ t19; \
	T t21 = u6 ^ u7, t22 = t7 ^ t21, t23 = t2 ^ t22, t24 = t2 ^ t10; \
	T t25 = t20 ^ t17, t26 = t3 ^ t16, t27 = t1 ^ t12; \
	T m1 = t13 & t6, m2 = t23 & t8, m3 = t14 ^ m1, m4 = t19 & u7; \
	T m5 = m4 ^ m1, m6 = t3 & t16, m7 = t22 & t9, m8 = t26 ^ m6; \
	T m9 = t20 & t17, m10 = m9 ^ m6, m11 = t1 & t15, m12 = t4 & t27; \
	T m13 = m12 ^ m11, m14 = t2 & t10, m15 = m14 ^ m11, m16 = m3 ^ m2; \
	T m17 = m5 ^ t24, m18 = m8 ^ m7, m19 = m10 ^ m15, m20 = m16 ^ m13; \
	T m21 = m17 ^ m15, m22 = m18 ^ m13, m23 = m19 ^ t25; \
	T m24 = m22 ^ m23, m25 = m22 & m20, m26 = m21 ^ m25; \
	T m27 = m20 ^ m21, m28 = m23 ^ m25, m29 = m28 & m27; \
	T m30 = m26 & m24, m31 = m20 & m23, m32 = m27 & m31; \
	T m33 = m27 ^ m25, m34 = m21 & m22, m35 = m24 & m34; \
	T m36 = m24 ^ m25, m37 = m21 ^ m29, m38 = m32 ^ m33; \
	T m39 = m23 ^ m30, m40 = m35 ^ m36, m41 = m38 ^ m40; \
	T m42 = m37 ^ m39, m43 = m37 ^ m38, m44 = m39 ^ m40; \
	T m45 = m42 ^ m41; \
	T m46 = m44 & t6, m47 = m40 & t8, m48 = m39 & u7, m49 = m43 & t16; \
	T m50 = m38 & t9, m51 = m37 & t17, m52 = m42 & t15, m53 = m45 & t27; \
	T m54 = m41 & t10, m55 = m44 & t13, m56 = m40 & t23, m57 = m39 & t19; \
	T m58 = m43 & t3, m59 = m38 & t22, m60 = m37 & t20, m61 = m42 & t1; \
	T m62 = m45 & t4, m63 = m41 & t2; \
	T l0 = m61 ^ m62, l1 = m50 ^ m56, l2 = m46 ^ m48, l3 = m47 ^ m55; \
	T l4 = m54 ^ m58, l5 = m49 ^ m61, l6 = m62 ^ l5, l7 = m46 ^ l3; \
	T l8 = m51 ^ m59, l9 = m52 ^ m53, l10 = m53 ^ l4, l11 = m60 ^ l2; \
	T l12 = m48 ^ m51, l13 = m50 ^ l0, l14 = m52 ^ m61, l15 = m55 ^ l1; \
	T l16 = m56 ^ l0, l17 = m57 ^ l1, l18 = m58 ^ l8, l19 = m63 ^ l4; \
	T l20 = l0 ^ l1, l21 = l1 ^ l7, l22 = l3 ^ l12, l23 = l18 ^ l2; \
	T l24 = l15 ^ l9, l25 = l6 ^ l10, l26 = l7 ^ l9, l27 = l8 ^ l10; \
	T l28 = l11 ^ l14, l29 = l11 ^ l17; \
	q[7] = l6 ^ l24; \
	q[6] = l16 ^ l26; \
	q[5] = l19 ^ l28; \
	q[4] = l6 ^ l21; \
	q[3] = l20 ^ l22; \
	q[2] = l25 ^ l29; \
	q[1] = l13 ^ l27; \
	q[0] = l6 ^ l23; \
}

#endif
