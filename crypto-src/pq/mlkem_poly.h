/*
 * mlkem_poly.h: the ring arithmetic of ML-KEM (FIPS 203 sections 4.2.1 to
 * 4.3), shared by the parameter sets. Internal to crypto-src/pq/.
 *
 * A polynomial is 256 int16_t coefficients modulo q = 3329. Between steps
 * coefficients are kept small but not canonical; each function states the
 * bound it expects and the bound it gives, and only the encoders make
 * them canonical (in [0, q)). Multiplications go through Montgomery
 * reduction with R = 2^16, additions through Barrett reduction; neither
 * branches nor indexes memory by a coefficient, so all of this is
 * constant-time on secrets. The exception is wt_mlkem_sample_ntt, whose
 * input (the matrix seed rho) is public.
 */
#ifndef WT_MLKEM_POLY_H
#define WT_MLKEM_POLY_H

#include <stddef.h>
#include <stdint.h>

#define MLKEM_N 256
#define MLKEM_Q 3329
#define MLKEM_POLYBYTES 384 /* ByteEncode_12 of one polynomial */

typedef struct {
	int16_t c[MLKEM_N];
} wt_mlkem_poly;

/* b1 * gamma_i for each pair of a polynomial b in the NTT domain: the
 * part of BaseCaseMultiply that depends on b only, computed once when b
 * is multiplied by several polynomials (FIPS 203 Algorithm 12). */
typedef struct {
	int16_t c[MLKEM_N / 2];
} wt_mlkem_mulcache;

/* Montgomery form of 17^BitRev7(i) and of gamma_i = 17^(2 BitRev7(i) + 1),
 * centred (|x| <= (q - 1) / 2); exposed for the native tests, which
 * recompute them. */
extern const int16_t wt_mlkem_zetas[128];
extern const int16_t wt_mlkem_gammas[128];

/* a * 2^-16 mod q, result in (-q, q), for |a| < q * 2^15. */
int16_t wt_mlkem_montgomery_reduce(int32_t a);
/* The representative of a mod q in [-(q-1)/2, (q-1)/2], for any int16. */
int16_t wt_mlkem_barrett_reduce(int16_t a);
/* floor((x * 2^d + (q - 1) / 2) / q) for x in [0, q) and d <= 11, by a
 * multiply and a shift (no division instruction). The caller masks it to d
 * bits to get Compress_d (FIPS 203 4.2.1). */
uint32_t wt_mlkem_compress_raw(uint32_t x, unsigned d);

/* NTT (Algorithm 9): input |coefficients| < q, output centred. */
void wt_mlkem_ntt(wt_mlkem_poly *p);
/* NTT^-1 (Algorithm 10) times 2^16: input |coefficients| < q (as left by
 * basemul), output in (-q, q). The 2^16 cancels the 2^-16 that
 * wt_mlkem_basemul_acc leaves. */
void wt_mlkem_invntt(wt_mlkem_poly *p);

/* The two strategies behind these and the two functions below, bit-exact
 * with each other: plain C (mlkem_poly.c) and 8 x int16 vectors
 * (mlkem_ntt_v128.c), the latter where 128-bit vectors exist: wasm
 * SIMD128, or SSE2 natively. */
void wt_mlkem_ntt_scalar(wt_mlkem_poly *p);
void wt_mlkem_invntt_scalar(wt_mlkem_poly *p);
#if defined(__wasm_simd128__) || defined(__SSE2__)
#define WT_MLKEM_V128 1
void wt_mlkem_ntt_v128(wt_mlkem_poly *p);
void wt_mlkem_invntt_v128(wt_mlkem_poly *p);
void wt_mlkem_mulcache_compute_v128(wt_mlkem_mulcache *x, const wt_mlkem_poly *b);
void wt_mlkem_basemul_acc_v128(wt_mlkem_poly *r, const wt_mlkem_poly *a,
			       const wt_mlkem_poly *b, const wt_mlkem_mulcache *bx,
			       unsigned k);
#endif
void wt_mlkem_mulcache_compute_scalar(wt_mlkem_mulcache *x, const wt_mlkem_poly *b);
void wt_mlkem_basemul_acc_scalar(wt_mlkem_poly *r, const wt_mlkem_poly *a,
				 const wt_mlkem_poly *b, const wt_mlkem_mulcache *bx,
				 unsigned k);

void wt_mlkem_mulcache_compute(wt_mlkem_mulcache *x, const wt_mlkem_poly *b);
/* r = 2^-16 * sum over j < k of a[j] x b[j] in the NTT domain
 * (MultiplyNTTs, Algorithm 11), accumulated in 32 bits and reduced once.
 * Needs |a| < q and b centred (as NTT output and decoders give);
 * k <= 4. Output in (-q, q). */
void wt_mlkem_basemul_acc(wt_mlkem_poly *r, const wt_mlkem_poly *a,
			  const wt_mlkem_poly *b, const wt_mlkem_mulcache *bx,
			  unsigned k);

void wt_mlkem_poly_reduce(wt_mlkem_poly *p); /* Barrett, centred */
void wt_mlkem_poly_tomont(wt_mlkem_poly *p); /* times 2^16, (-q, q) */
void wt_mlkem_poly_add(wt_mlkem_poly *restrict r, const wt_mlkem_poly *restrict a);
void wt_mlkem_poly_sub(wt_mlkem_poly *restrict r,
		       const wt_mlkem_poly *restrict a); /* r = a - r */

/* SamplePolyCBD_2 (Algorithm 8, eta = 2) from 128 PRF bytes. */
void wt_mlkem_cbd2(wt_mlkem_poly *p, const uint8_t buf[128]);
/* SampleNTT (Algorithm 7): the polynomial read from SHAKE128(seed34),
 * seed34 = rho || j || i. NOT constant-time (rejection sampling): for the
 * public matrix only. */
void wt_mlkem_sample_ntt(wt_mlkem_poly *p, const uint8_t seed34[34]);

/* ByteEncode_12 of the canonical coefficients (Algorithm 5). */
void wt_mlkem_encode12(uint8_t out[384], const wt_mlkem_poly *p);
/* ByteDecode_12 (Algorithm 6): coefficients reduced mod q, in [0, q). */
void wt_mlkem_decode12(wt_mlkem_poly *p, const uint8_t in[384]);
/* 1 when all 256 encoded 12-bit values are < q (the modulus check of
 * FIPS 203 7.2 for one polynomial), else 0. */
uint32_t wt_mlkem_check12(const uint8_t in[384]);
/* ByteEncode_d(Compress_d(p)) for d in {1, 4, 5, 10, 11}: 32 * d bytes. */
void wt_mlkem_compress(uint8_t *out, const wt_mlkem_poly *p, unsigned d);
/* Decompress_d(ByteDecode_d(in)): coefficients in [0, q). */
void wt_mlkem_decompress(wt_mlkem_poly *p, const uint8_t *in, unsigned d);

#endif
