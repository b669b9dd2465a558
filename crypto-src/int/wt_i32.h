/*
 * wt_i32.h: big integers over 32-bit limbs, for RSA (internal to
 * crypto-src/; include as "int/wt_i32.h").
 *
 * An integer is an array of uint32_t limbs, least significant first, with
 * an explicit limb count len (1..WT_I32_MAX_LIMBS). Limb counts and bit
 * lengths of moduli are public (they are the announced key sizes); limb
 * values may be secret. Products are 32x32->64 bits: WebAssembly has
 * i64.mul but no 64x64->128 product, so 32-bit limbs with 64-bit
 * accumulators are the widest that compile to single instructions there.
 *
 * Unless a function says "variable time", it is constant-time: no branch
 * and no memory index depends on limb values, only on lengths. Booleans
 * are uint32_t 0/1 as in inner.h.
 *
 * Montgomery arithmetic (HAC 14.36; Koc, Acar, Kaliski, "Analyzing and
 * comparing Montgomery multiplication algorithms", 1996): for an odd
 * modulus m of len limbs, R = 2^(32*len); "Montgomery form" of x is
 * x*R mod m; montmul(a, b) = a*b/R mod m.
 */
#ifndef WT_I32_H
#define WT_I32_H

#include <stddef.h>
#include <stdint.h>

/* 4096-bit moduli. */
#define WT_I32_MAX_LIMBS 128

/* 1 where clang's vector extensions map to 128-bit SIMD (wasm simd128,
 * x86 SSE2, Arm NEON): the Montgomery exponentiation then runs two
 * exponentiations side by side, one per 64-bit lane (i32_modpow2_ct.c).
 * The scalar wasm build has 0. */
#if defined(__clang__) && \
	(defined(__wasm_simd128__) || defined(__SSE2__) || defined(__ARM_NEON))
#define WT_I32_VEC 1
#else
#define WT_I32_VEC 0
#endif

/* Big-endian bytes to len limbs. Returns 1 if the value fits (excess
 * leading bytes are zero), else 0 (x then holds the value truncated).
 * Constant-time in the byte values. */
uint32_t wt_i32_decode(uint32_t *x, size_t len, const uint8_t *src, size_t srclen);

/* len limbs to dstlen big-endian bytes (zero-padded or truncated at the
 * top). */
void wt_i32_encode(uint8_t *dst, size_t dstlen, const uint32_t *x, size_t len);

/* Bit length of x (0 for zero). */
uint32_t wt_i32_bitlen(const uint32_t *x, size_t len);

uint32_t wt_i32_iszero(const uint32_t *x, size_t len);
uint32_t wt_i32_eq(const uint32_t *a, const uint32_t *b, size_t len);
/* a < b */
uint32_t wt_i32_lt(const uint32_t *a, const uint32_t *b, size_t len);

/* If ctl: a += b; returns the carry either way (computed, a unchanged
 * when ctl is 0). */
uint32_t wt_i32_add(uint32_t *a, const uint32_t *b, size_t len, uint32_t ctl);
/* If ctl: a -= b; returns the borrow either way. */
uint32_t wt_i32_sub(uint32_t *a, const uint32_t *b, size_t len, uint32_t ctl);

/* d = a * b (alen + blen limbs); d must not overlap a or b. */
void wt_i32_mul(uint32_t *d, const uint32_t *a, size_t alen, const uint32_t *b,
		size_t blen);

/* If ctl: swap a and b. */
void wt_i32_cswap(uint32_t ctl, uint32_t *a, uint32_t *b, size_t len);

/* -1/m0 mod 2^32 for odd m0 (the Montgomery constant of a modulus whose
 * low limb is m0). */
uint32_t wt_i32_ninv32(uint32_t m0);

/* a = a + b mod m and a = a - b mod m, for a, b < m. */
void wt_i32_modadd(uint32_t *a, const uint32_t *b, const uint32_t *m, size_t len);
void wt_i32_modsub(uint32_t *a, const uint32_t *b, const uint32_t *m, size_t len);

/* d = a * b / R mod m, fully reduced (d < m). Requires m odd with a
 * nonzero top limb, b < m and a < R (any len-limb value). d may alias a
 * or b. */
void wt_i32_montmul(uint32_t *d, const uint32_t *a, const uint32_t *b, const uint32_t *m,
		    size_t len, uint32_t m0i);

/* d = a^2 / R mod m, as montmul(d, a, a) with fewer limb products.
 * Requires a < m. d may alias a. */
void wt_i32_montsqr(uint32_t *d, const uint32_t *a, const uint32_t *m, size_t len,
		    uint32_t m0i);

/* r2 = R^2 mod m, the constant that takes values into Montgomery form.
 * Constant-time in m's value; its bit length is public. */
void wt_i32_mont_r2(uint32_t *r2, const uint32_t *m, size_t len, uint32_t m0i);

/* d = x * R mod m for an x of any length xlen (not necessarily < m):
 * reduces x and enters Montgomery form in one go (RSA-CRT takes c mod p
 * with it). d has len limbs and must not overlap x. */
void wt_i32_to_mont_wide(uint32_t *d, const uint32_t *x, size_t xlen, const uint32_t *m,
			 const uint32_t *r2, size_t len, uint32_t m0i);

/* x = x / R mod m: leave Montgomery form. */
void wt_i32_from_mont(uint32_t *x, const uint32_t *m, size_t len, uint32_t m0i);

/* x = x^e mod m in Montgomery form (x < m in Montgomery form in and out)
 * with a fixed 4-bit window: the exponent's elen limbs are all processed,
 * whatever their value, and each table entry is fetched by scanning the
 * whole table. Constant-time in x, e and m. len <= WT_I32_MAX_LIMBS / 2
 * (the primes of RSA-CRT; with WT_I32_VEC this is wt_i32_modpow2_ct with
 * both lanes on m). */
void wt_i32_modpow_ct(uint32_t *x, const uint32_t *e, size_t elen, const uint32_t *m,
		      const uint32_t *r2, size_t len, uint32_t m0i);

/* The two exponentiations of RSA-CRT at once: xp = xp^ep mod p and
 * xq = xq^eq mod q, both in Montgomery form and len limbs
 * (len <= WT_I32_MAX_LIMBS / 2), exponents of elen limbs: the results of
 * two calls of wt_i32_modpow_ct. With WT_I32_VEC, p and q are processed
 * in the two lanes of 128-bit vectors (i32_modpow2_ct.c); without, it is
 * the two calls. Constant-time in xp, xq, ep, eq, p and q. */
void wt_i32_modpow2_ct(uint32_t *xp, uint32_t *xq, const uint32_t *ep, const uint32_t *eq,
		       size_t elen, const uint32_t *p, const uint32_t *q,
		       const uint32_t *r2p, const uint32_t *r2q, size_t len, uint32_t p0i,
		       uint32_t q0i);

/* x = x^e mod m in Montgomery form, VARIABLE TIME in e (square and
 * multiply on e's bits): for public exponents only (RSA e). Constant-time
 * in x and m. e must be nonzero. */
void wt_i32_modpow_vartime_e(uint32_t *x, const uint32_t *e, size_t elen,
			     const uint32_t *m, size_t len, uint32_t m0i);

/* wt_i32_modpow2_ct's two-lane form (i32_modpow2_ct.c, WT_I32_VEC builds
 * only); i32_modpow_ct.c, which holds both public forms, calls it. */
void wt_i32_vec_modpow2_ct(uint32_t *xp, uint32_t *xq, const uint32_t *ep,
			   const uint32_t *eq, size_t elen, const uint32_t *p,
			   const uint32_t *q, const uint32_t *r2p, const uint32_t *r2q,
			   size_t len, uint32_t p0i, uint32_t q0i);

/* The same for two moduli of len limbs (len <= WT_I32_MAX_LIMBS / 2) and
 * one exponent: xp = xp^e mod p and xq = xq^e mod q, both in Montgomery
 * form (RSA-CRT's blinding factors mod p and q). With WT_I32_VEC, p and q
 * run in the two lanes of montmul2 (wt_i32_vec_modpow2_vartime_e,
 * i32_modpow2_ct.c); without, it is two calls. */
void wt_i32_modpow2_vartime_e(uint32_t *xp, uint32_t *xq, const uint32_t *e, size_t elen,
			      const uint32_t *p, const uint32_t *q, size_t len,
			      uint32_t p0i, uint32_t q0i);
void wt_i32_vec_modpow2_vartime_e(uint32_t *xp, uint32_t *xq, const uint32_t *e,
				  size_t elen, const uint32_t *p, const uint32_t *q,
				  size_t len, uint32_t p0i, uint32_t q0i);

/* d = x^-1 mod m for odd m and x < m, by a constant-time binary extended
 * GCD. Returns 1 if x was invertible (gcd 1), 0 otherwise (d is then
 * meaningless). d must not overlap x or m. */
uint32_t wt_i32_modinv_ct(uint32_t *d, const uint32_t *x, const uint32_t *m, size_t len);
/* The same result by the plain one-bit-per-step algorithm (slower; the
 * reference the tests check wt_i32_modinv_ct against). */
uint32_t wt_i32_modinv_simple_ct(uint32_t *d, const uint32_t *x, const uint32_t *m,
				 size_t len);

#endif
