/*
 * mlkem_poly.c: ML-KEM ring arithmetic, sampling and encodings (FIPS 203
 * sections 4.2 and 4.3). See mlkem_poly.h for the bounds each function
 * expects and gives.
 *
 * Constant-time: coefficients never steer a branch or an index. Canonical
 * forms are reached with an arithmetic shift of the sign into a mask
 * (x + ((x >> 31) & q)); Compress divides by q with a multiply and a shift,
 * so no division instruction (variable-time on many CPUs, and i32.div_u in
 * wasm) ever sees a secret. The NTT reads its twiddle tables at indexes
 * given by the loop counters only. The one exception, SampleNTT, consumes
 * the public matrix seed and says so.
 */
#include "inner.h"
#include "wt_sha3.h"
#include "mlkem_poly.h"

/* q^-1 mod 2^16 */
#define QINV 62209u
/* 2^32 mod q: multiplying by it through a Montgomery reduction multiplies
 * by 2^16 (poly_tomont). */
#define R2_MOD_Q 1353
/* 2^32 / 128 mod q: the scaling of NTT^-1 (128^-1, Algorithm 10 line 14)
 * and a factor 2^16 that cancels the 2^-16 of basemul. */
#define INVNTT_F 1441
/* round(2^26 / q), for Barrett reduction. */
#define BARRETT_V 20159
/* ceil(2^36 / q): for N < 2^23, floor(N * M / 2^36) = floor(N / q), since
 * the error N * (M - 2^36/q) / 2^36 < 2^-13 stays below 1/q. */
#define DIVQ_M 20642679u

/* The twiddle tables wt_mlkem_zetas and wt_mlkem_gammas live in
 * mlkem_zetas.c, below this file and mlkem_ntt_v128.c, which both read them. */

/* ---- field arithmetic ------------------------------------------------- */

/* see mlkem_poly.h */
int16_t wt_mlkem_montgomery_reduce(int32_t a)
{
	/* t = a * q^-1 mod 2^16 taken as signed, so that a - t * q is a
	 * multiple of 2^16; the shift divides exactly. The unsigned product
	 * wraps by definition; the narrowing conversions and the shift of a
	 * negative number are two's complement / arithmetic on every target
	 * we build for (clang, wasm32 and x86-64). */
	int16_t t = (int16_t)(uint16_t)((uint32_t)a * QINV);
	return (int16_t)((a - (int32_t)t * MLKEM_Q) >> 16);
}

/* see mlkem_poly.h */
int16_t wt_mlkem_barrett_reduce(int16_t a)
{
	int32_t t = (BARRETT_V * (int32_t)a + (1 << 25)) >> 26;
	return (int16_t)(a - t * MLKEM_Q);
}

WT_INLINE int16_t fqmul(int16_t a, int16_t b)
{
	return wt_mlkem_montgomery_reduce((int32_t)a * b);
}

/* see mlkem_poly.h */
uint32_t wt_mlkem_compress_raw(uint32_t x, unsigned d)
{
	uint64_t n = ((uint64_t)x << d) + (MLKEM_Q - 1) / 2;
	return (uint32_t)((n * DIVQ_M) >> 36);
}

/* Placed before the byte-level loops below (codecs, CBD): clang's
 * auto-vectorizer turns them into code several times larger and, in wasm
 * SIMD, slower than the scalar loop. Only a hint; the code is correct
 * either way. */
#define NO_AUTOVEC _Pragma("clang loop vectorize(disable) interleave(disable)")

/* x in (-q, q) -> [0, q) */
WT_INLINE uint32_t canon(int32_t x)
{
	return (uint32_t)(x + ((x >> 31) & MLKEM_Q));
}

/* ---- NTT ------------------------------------------------------------------ */

/* see mlkem_poly.h. Each of the 7 layers grows |coefficients| by less than
 * q (|zeta * x| after Montgomery < q), so from < q they stay < 8q < 2^15. */
void wt_mlkem_ntt_scalar(wt_mlkem_poly *p)
{
	int16_t *r = p->c;
	unsigned len, start, j, k = 1;
	for (len = 128; len >= 2; len >>= 1) {
		for (start = 0; start < MLKEM_N; start += 2 * len) {
			int16_t zeta = wt_mlkem_zetas[k++];
			for (j = start; j < start + len; j++) {
				int16_t t = fqmul(zeta, r[j + len]);
				r[j + len] = (int16_t)(r[j] - t);
				r[j] = (int16_t)(r[j] + t);
			}
		}
	}
	wt_mlkem_poly_reduce(p);
}

/* see mlkem_poly.h. Sums are Barrett-reduced at once, differences go
 * through a Montgomery product, so every coefficient stays below q in
 * absolute value from layer to layer. */
void wt_mlkem_invntt_scalar(wt_mlkem_poly *p)
{
	int16_t *r = p->c;
	unsigned len, start, j, k = 127;
	for (len = 2; len <= 128; len <<= 1) {
		for (start = 0; start < MLKEM_N; start += 2 * len) {
			int16_t zeta = wt_mlkem_zetas[k--];
			for (j = start; j < start + len; j++) {
				int16_t t = r[j];
				r[j] = wt_mlkem_barrett_reduce((int16_t)(t + r[j + len]));
				r[j + len] = fqmul(zeta, (int16_t)(r[j + len] - t));
			}
		}
	}
	for (j = 0; j < MLKEM_N; j++)
		r[j] = fqmul(r[j], INVNTT_F);
}

void wt_mlkem_ntt(wt_mlkem_poly *p)
{
#ifdef WT_MLKEM_V128
	wt_mlkem_ntt_v128(p);
#else
	wt_mlkem_ntt_scalar(p);
#endif
}

void wt_mlkem_invntt(wt_mlkem_poly *p)
{
#ifdef WT_MLKEM_V128
	wt_mlkem_invntt_v128(p);
#else
	wt_mlkem_invntt_scalar(p);
#endif
}

/* see mlkem_poly.h */
void wt_mlkem_mulcache_compute_scalar(wt_mlkem_mulcache *x, const wt_mlkem_poly *b)
{
	unsigned i;
	for (i = 0; i < MLKEM_N / 2; i++)
		x->c[i] = fqmul(b->c[2 * i + 1], wt_mlkem_gammas[i]);
}

/*
 * see mlkem_poly.h. BaseCaseMultiply (Algorithm 12) per pair:
 *   c0 = a0 b0 + a1 b1 gamma,  c1 = a0 b1 + a1 b0,
 * with b1 gamma taken from the cache. Bounds: |a| < q, |b| <= (q-1)/2,
 * |cache| < q give |a0 b0 + a1 b1 gamma| < q^2 * 3/2 per term, at most
 * 4 terms: < 6.7e7 < q * 2^15, as Montgomery reduction requires.
 */
void wt_mlkem_basemul_acc_scalar(wt_mlkem_poly *r, const wt_mlkem_poly *a,
				 const wt_mlkem_poly *b, const wt_mlkem_mulcache *bx,
				 unsigned k)
{
	unsigned i, j;
	for (i = 0; i < MLKEM_N / 2; i++) {
		int32_t c0 = 0, c1 = 0;
		for (j = 0; j < k; j++) {
			int32_t a0 = a[j].c[2 * i], a1 = a[j].c[2 * i + 1];
			int32_t b0 = b[j].c[2 * i], b1 = b[j].c[2 * i + 1];
			c0 += a0 * b0 + a1 * bx[j].c[i];
			c1 += a0 * b1 + a1 * b0;
		}
		r->c[2 * i] = wt_mlkem_montgomery_reduce(c0);
		r->c[2 * i + 1] = wt_mlkem_montgomery_reduce(c1);
	}
}

void wt_mlkem_mulcache_compute(wt_mlkem_mulcache *x, const wt_mlkem_poly *b)
{
#ifdef WT_MLKEM_V128
	wt_mlkem_mulcache_compute_v128(x, b);
#else
	wt_mlkem_mulcache_compute_scalar(x, b);
#endif
}

void wt_mlkem_basemul_acc(wt_mlkem_poly *r, const wt_mlkem_poly *a,
			  const wt_mlkem_poly *b, const wt_mlkem_mulcache *bx, unsigned k)
{
#ifdef WT_MLKEM_V128
	wt_mlkem_basemul_acc_v128(r, a, b, bx, k);
#else
	wt_mlkem_basemul_acc_scalar(r, a, b, bx, k);
#endif
}

void wt_mlkem_poly_reduce(wt_mlkem_poly *p)
{
	unsigned i;
	for (i = 0; i < MLKEM_N; i++)
		p->c[i] = wt_mlkem_barrett_reduce(p->c[i]);
}

void wt_mlkem_poly_tomont(wt_mlkem_poly *p)
{
	unsigned i;
	for (i = 0; i < MLKEM_N; i++)
		p->c[i] = fqmul(p->c[i], R2_MOD_Q);
}

void wt_mlkem_poly_add(wt_mlkem_poly *restrict r, const wt_mlkem_poly *restrict a)
{
	unsigned i;
	for (i = 0; i < MLKEM_N; i++)
		r->c[i] = (int16_t)(r->c[i] + a->c[i]);
}

void wt_mlkem_poly_sub(wt_mlkem_poly *restrict r, const wt_mlkem_poly *restrict a)
{
	unsigned i;
	for (i = 0; i < MLKEM_N; i++)
		r->c[i] = (int16_t)(a->c[i] - r->c[i]);
}

/* ---- sampling ------------------------------------------------------------- */

/* see mlkem_poly.h. Coefficient n is (b[4n] + b[4n+1]) - (b[4n+2] +
 * b[4n+3]) over the little-endian bits b of buf: adding the odd bits of
 * each word to its even bits leaves the eight pair sums side by side. */
void wt_mlkem_cbd2(wt_mlkem_poly *p, const uint8_t buf[128])
{
	unsigned i, j;
	NO_AUTOVEC
	for (i = 0; i < MLKEM_N / 8; i++) {
		uint32_t t = wt_load32_le(buf + 4 * i);
		uint32_t s = (t & 0x55555555u) + ((t >> 1) & 0x55555555u);
		for (j = 0; j < 8; j++) {
			int32_t x = (int32_t)((s >> (4 * j)) & 3);
			int32_t y = (int32_t)((s >> (4 * j + 2)) & 3);
			p->c[8 * i + j] = (int16_t)(x - y);
		}
	}
}

/* see mlkem_poly.h. Three blocks (504 bytes) cover 256 coefficients unless
 * more than ~19% of the candidates are rejected; then one block at a time.
 * Each candidate is written and the count advanced by (d < q), which
 * avoids a hard-to-predict branch per candidate; tmp has room for the
 * two candidates that may land past the end. The stream is public, so
 * its length may vary. */
void wt_mlkem_sample_ntt(wt_mlkem_poly *p, const uint8_t seed34[34])
{
	wt_shake_ctx x;
	uint8_t buf[3 * WT_SHAKE128_RATE];
	int16_t tmp[MLKEM_N + 2];
	size_t pos, have = sizeof buf;
	unsigned j = 0;
	wt_shake128_init(&x);
	wt_shake_absorb(&x, seed34, 34);
	wt_shake_squeeze(&x, buf, sizeof buf);
	for (;;) {
		/* rates and buf are multiples of 3 */
		for (pos = 0; pos < have && j < MLKEM_N; pos += 3) {
			uint32_t d1 = buf[pos] | ((uint32_t)(buf[pos + 1] & 15) << 8);
			uint32_t d2 = (uint32_t)(buf[pos + 1] >> 4) |
				((uint32_t)buf[pos + 2] << 4);
			tmp[j] = (int16_t)d1;
			j += d1 < MLKEM_Q;
			tmp[j] = (int16_t)d2;
			j += d2 < MLKEM_Q;
		}
		if (j >= MLKEM_N)
			break;
		wt_shake_squeeze(&x, buf, WT_SHAKE128_RATE);
		have = WT_SHAKE128_RATE;
	}
	memcpy(p->c, tmp, sizeof p->c);
}

/* ---- encodings -------------------------------------------------------------- */

void wt_mlkem_encode12(uint8_t out[384], const wt_mlkem_poly *p)
{
	unsigned i;
	NO_AUTOVEC
	for (i = 0; i < MLKEM_N / 2; i++) {
		uint32_t a0 = canon(p->c[2 * i]), a1 = canon(p->c[2 * i + 1]);
		out[3 * i] = (uint8_t)a0;
		out[3 * i + 1] = (uint8_t)((a0 >> 8) | (a1 << 4));
		out[3 * i + 2] = (uint8_t)(a1 >> 4);
	}
}

/* The 12-bit values at pair i of in. */
WT_INLINE void get12(const uint8_t *in, unsigned i, uint32_t *a0, uint32_t *a1)
{
	*a0 = in[3 * i] | ((uint32_t)(in[3 * i + 1] & 15) << 8);
	*a1 = (uint32_t)(in[3 * i + 1] >> 4) | ((uint32_t)in[3 * i + 2] << 4);
}

/* see mlkem_poly.h. ByteDecode_12 works modulo q (Algorithm 6, m = q for
 * d = 12); a value in [0, 4096) needs at most one subtraction of q. */
void wt_mlkem_decode12(wt_mlkem_poly *p, const uint8_t in[384])
{
	unsigned i;
	NO_AUTOVEC
	for (i = 0; i < MLKEM_N / 2; i++) {
		uint32_t a0, a1;
		get12(in, i, &a0, &a1);
		p->c[2 * i] = (int16_t)canon((int32_t)a0 - MLKEM_Q);
		p->c[2 * i + 1] = (int16_t)canon((int32_t)a1 - MLKEM_Q);
	}
}

/* see mlkem_poly.h */
uint32_t wt_mlkem_check12(const uint8_t in[384])
{
	unsigned i;
	uint32_t over = 0;
	NO_AUTOVEC
	for (i = 0; i < MLKEM_N / 2; i++) {
		uint32_t a0, a1;
		get12(in, i, &a0, &a1);
		/* (q - 1 - a) wraps to a value with bit 31 set iff a >= q */
		over |= (MLKEM_Q - 1 - a0) | (MLKEM_Q - 1 - a1);
	}
	return (over >> 31) ^ 1;
}

/* see mlkem_poly.h. The bit packing loops depend on d only. Input
 * coefficients in (-q, q). */
void wt_mlkem_compress(uint8_t *out, const wt_mlkem_poly *p, unsigned d)
{
	uint32_t acc = 0, mask = (1u << d) - 1;
	unsigned i, bits = 0;
	NO_AUTOVEC
	for (i = 0; i < MLKEM_N; i++) {
		acc |= (wt_mlkem_compress_raw(canon(p->c[i]), d) & mask) << bits;
		bits += d;
		while (bits >= 8) {
			*out++ = (uint8_t)acc;
			acc >>= 8;
			bits -= 8;
		}
	}
}

/* see mlkem_poly.h. Decompress_d(y) = round(q y / 2^d) with ties up
 * (FIPS 203 4.2.1), i.e. floor((q y + 2^(d-1)) / 2^d). */
void wt_mlkem_decompress(wt_mlkem_poly *p, const uint8_t *in, unsigned d)
{
	uint32_t acc = 0, mask = (1u << d) - 1;
	unsigned i, bits = 0;
	NO_AUTOVEC
	for (i = 0; i < MLKEM_N; i++) {
		uint32_t y;
		NO_AUTOVEC
		while (bits < d) {
			acc |= (uint32_t)*in++ << bits;
			bits += 8;
		}
		y = acc & mask;
		acc >>= d;
		bits -= d;
		p->c[i] = (int16_t)((MLKEM_Q * y + (1u << (d - 1))) >> d);
	}
}
