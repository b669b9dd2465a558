/*
 * aes_ct.h: internal interface of the constant-time AES implementations
 * (encryption only: GCM needs no inverse cipher) and of GHASH.
 *
 *   aes_ct64.c    bitsliced, 4 blocks in 8 uint64_t words (any target)
 *   aes_ctv128.c  bitsliced, 8 blocks in 8 128-bit vectors, one byte per
 *                 state position (wasm SIMD128, and natively with
 *                 SSE2/NEON for tests and Valgrind)
 *   ghash_ctmul64.c  GHASH with 64-bit integer multiplies
 *
 * Both AES implementations share the FIPS 197 key expansion (aes_ct64.c)
 * and the S-box circuit below, and expose CTR mode with a 32-bit big-endian
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

/* Value barrier: the compiler forgets what it knew about x (its range, or
 * that it is worth vectorizing). Emits no instruction. */
#if defined(__GNUC__) || defined(__clang__)
#define WT_BARRIER(x) __asm__("" : "+r"(x))
#else
#define WT_BARRIER(x) ((void)0)
#endif

/* The same for a 128-bit vector (the register class differs by target). */
#if defined(__wasm__)
#define WT_VBARRIER(x) __asm__("" : "+r"(x))
#elif defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define WT_VBARRIER(x) __asm__("" : "+x"(x))
#elif defined(__aarch64__) && (defined(__GNUC__) || defined(__clang__))
#define WT_VBARRIER(x) __asm__("" : "+w"(x))
#else
#define WT_VBARRIER(x) ((void)0)
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
void wt_aes_ct64_ctr(const uint64_t *sk, unsigned nr, const uint8_t cb[12], uint32_t ctr,
		     const uint8_t *in, uint8_t *out, size_t len, uint32_t ok);
void wt_aes_ctv128_ctr(const uint64_t *sk, unsigned nr, const uint8_t cb[12],
		       uint32_t ctr, const uint8_t *in, uint8_t *out, size_t len,
		       uint32_t ok);

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
 * The AES S-box as a circuit of 113 gates (32 AND, 77 XOR, 4 XNOR) by
 * Boyar, Matthews and Peralta ("Logic minimization techniques with
 * applications to cryptology", J. Cryptology 2013): a top linear layer
 * (y), a shared inversion in GF(2^4) towers (t, z), and a bottom linear
 * layer; XOR and AND only, so it applies to any type with ^ and &: a word
 * of bitsliced planes or a vector of them. q[7] is the most significant
 * bit (the paper's U0 / S0). The four XNORs are plain XORs here, which
 * leaves S(x) ^ 0x63 (they produce bits 6, 5, 1, 0); every caller folds
 * 0x63 into the following round key or applies it itself. Checked for all
 * 256 inputs by test/native/test_gcm.c.
 */
#define WT_AES_SBOX_DEFINE(name, T)                                                   \
	WT_INLINE void name(T *q)                                                     \
	{                                                                             \
		T U0 = q[7], U1 = q[6], U2 = q[5], U3 = q[4], U4 = q[3], U5 = q[2],   \
		  U6 = q[1], U7 = q[0];                                               \
		T y14 = U3 ^ U5, y13 = U0 ^ U6, y9 = U0 ^ U3, y8 = U0 ^ U5,           \
		  t0 = U1 ^ U2;                                                       \
		T y1 = t0 ^ U7, y4 = y1 ^ U3, y12 = y13 ^ y14, y2 = y1 ^ U0,          \
		  y5 = y1 ^ U6;                                                       \
		T y3 = y5 ^ y8, t1 = U4 ^ y12, y15 = t1 ^ U5, y20 = t1 ^ U1,          \
		  y6 = y15 ^ U7;                                                      \
		T y10 = y15 ^ t0, y11 = y20 ^ y9, y7 = U7 ^ y11, y17 = y10 ^ y11,     \
		  y19 = y10 ^ y8;                                                     \
		T y16 = t0 ^ y11, y21 = y13 ^ y16, y18 = U0 ^ y16;                    \
		T t2 = y12 & y15, t3 = y3 & y6, t4 = t3 ^ t2, t5 = y4 & U7,           \
		  t6 = t5 ^ t2;                                                       \
		T t7 = y13 & y16, t8 = y5 & y1, t9 = t8 ^ t7, t10 = y2 & y7,          \
		  t11 = t10 ^ t7;                                                     \
		T t12 = y9 & y11, t13 = y14 & y17, t14 = t13 ^ t12, t15 = y8 & y10,   \
		  t16 = t15 ^ t12;                                                    \
		T t17 = t4 ^ t14, t18 = t6 ^ t16, t19 = t9 ^ t14, t20 = t11 ^ t16;    \
		T t21 = t17 ^ y20, t22 = t18 ^ y19, t23 = t19 ^ y21, t24 = t20 ^ y18; \
		T t25 = t21 ^ t22, t26 = t21 & t23, t27 = t24 ^ t26, t28 = t25 & t27, \
		  t29 = t28 ^ t22;                                                    \
		T t30 = t23 ^ t24, t31 = t22 ^ t26, t32 = t31 & t30, t33 = t32 ^ t24, \
		  t34 = t23 ^ t33;                                                    \
		T t35 = t27 ^ t33, t36 = t24 & t35, t37 = t36 ^ t34, t38 = t27 ^ t36, \
		  t39 = t29 & t38;                                                    \
		T t40 = t25 ^ t39, t41 = t40 ^ t37, t42 = t29 ^ t33, t43 = t29 ^ t40, \
		  t44 = t33 ^ t37;                                                    \
		T t45 = t42 ^ t41;                                                    \
		T z0 = t44 & y15, z1 = t37 & y6, z2 = t33 & U7, z3 = t43 & y16,       \
		  z4 = t40 & y1;                                                      \
		T z5 = t29 & y7, z6 = t42 & y11, z7 = t45 & y17, z8 = t41 & y10,      \
		  z9 = t44 & y12;                                                     \
		T z10 = t37 & y3, z11 = t33 & y4, z12 = t43 & y13, z13 = t40 & y5,    \
		  z14 = t29 & y2;                                                     \
		T z15 = t42 & y9, z16 = t45 & y14, z17 = t41 & y8;                    \
		T t46 = z15 ^ z16, t47 = z10 ^ z11, t48 = z5 ^ z13, t49 = z9 ^ z10,   \
		  t50 = z2 ^ z12;                                                     \
		T t51 = z2 ^ z5, t52 = z7 ^ z8, t53 = z0 ^ z3, t54 = z6 ^ z7,         \
		  t55 = z16 ^ z17;                                                    \
		T t56 = z12 ^ t48, t57 = t50 ^ t53, t58 = z4 ^ t46, t59 = z3 ^ t54,   \
		  t60 = t46 ^ t57;                                                    \
		T t61 = z14 ^ t57, t62 = t52 ^ t58, t63 = t49 ^ t58, t64 = z4 ^ t59,  \
		  t65 = t61 ^ t62;                                                    \
		T t66 = z1 ^ t63, t67 = t64 ^ t65;                                    \
		T s3 = t53 ^ t66;                                                     \
		q[7] = t59 ^ t63;                                                     \
		q[1] = t56 ^ t62;                                                     \
		q[0] = t48 ^ t60;                                                     \
		q[4] = s3;                                                            \
		q[3] = t51 ^ t66;                                                     \
		q[2] = t47 ^ t65;                                                     \
		q[6] = t64 ^ s3;                                                      \
		q[5] = t55 ^ t67;                                                     \
	}

#endif
