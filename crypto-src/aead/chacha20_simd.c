/*
 * chacha20_simd.c: ChaCha20 (RFC 8439 section 2.4), four blocks per
 * pass in 128-bit vectors where the target has them, one block
 * at a time for short tails (vectors as the rows of the state), and one
 * block at a time in plain 32-bit code where there is no SIMD.
 *
 * Constant time by construction: ChaCha20 is add, rotate and xor on
 * 32-bit words; there is no table and no branch on key or data. The
 * length is public.
 *
 * SIMD layout ("vertical"): vector x[i] holds state word i of four
 * consecutive blocks, one block per lane, so each quarter round is the
 * scalar one applied to vectors and no lane shuffling is needed between
 * rounds. The four keystream blocks come out transposed: 4x4 transposes
 * bring each block's words together before the xor with the input.
 * Written with clang vector extensions, so the same code is wasm SIMD128
 * under -msimd128 and SSE2 natively (the native tests and Valgrind run
 * it). Rotations by 12 and 7 are two shifts and an or. Rotations by 16
 * and 8 move whole bytes: in wasm, an i8x16.swizzle whose index vector
 * is a variable (see ROT_DECL), natively a shuffle and shifts. Measured
 * in Node 20 on x86-64 (bench/chapol-kernels.sh, ChaCha20 alone at
 * 16 KiB, issue #16): with a constant i8x16.shuffle, V8 rebuilds the
 * 16-byte mask in a register before every pshufb (two 64-bit immediates,
 * vmovq, vpinsrq: five instructions), 1.16 GB/s; with shifts for the
 * rotation by 8, 1.36 GB/s; with the swizzle, which V8 lowers to one
 * vpaddusb (with a constant in memory) and one vpshufb on the mask
 * register, 1.52 GB/s.
 */
#include "inner.h"
#include "chapol_inner.h"

#if defined(__clang__) &&                                                          \
	(defined(__wasm_simd128__) || defined(__SSE2__) || defined(__ARM_NEON)) && \
	defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
/* Lanes are loaded from and stored to bytes with memcpy, which is the
 * little-endian word order only on a little-endian target. */
#define WT_CHACHA_SIMD 1
#endif

/* "expand 32-byte k" (RFC 8439 section 2.3) */
#define C0 0x61707865u
#define C1 0x3320646eu
#define C2 0x79622d32u
#define C3 0x6b206574u

#define ROTL(x, n) (((x) << (n)) | ((x) >> (32 - (n))))

/* RFC 8439 section 2.1: the quarter round. */
#define QR(a, b, c, d)           \
	do {                     \
		a += b;          \
		d ^= a;          \
		d = ROTL(d, 16); \
		c += d;          \
		b ^= c;          \
		b = ROTL(b, 12); \
		a += b;          \
		d ^= a;          \
		d = ROTL(d, 8);  \
		c += d;          \
		b ^= c;          \
		b = ROTL(b, 7);  \
	} while (0)

/* One block function (RFC 8439 section 2.3): 20 rounds as 10 column +
 * diagonal double rounds, then the input state added back. */
static void chacha_block(const uint32_t kw[8], const uint32_t nw[3], uint32_t counter,
			 uint32_t out[16])
{
	uint32_t s[16], x[16];
	int i;
	s[0] = C0;
	s[1] = C1;
	s[2] = C2;
	s[3] = C3;
	for (i = 0; i < 8; i++)
		s[4 + i] = kw[i];
	s[12] = counter;
	s[13] = nw[0];
	s[14] = nw[1];
	s[15] = nw[2];
	memcpy(x, s, sizeof x);
	for (i = 0; i < 10; i++) {
		QR(x[0], x[4], x[8], x[12]);
		QR(x[1], x[5], x[9], x[13]);
		QR(x[2], x[6], x[10], x[14]);
		QR(x[3], x[7], x[11], x[15]);
		QR(x[0], x[5], x[10], x[15]);
		QR(x[1], x[6], x[11], x[12]);
		QR(x[2], x[7], x[8], x[13]);
		QR(x[3], x[4], x[9], x[14]);
	}
	for (i = 0; i < 16; i++)
		out[i] = x[i] + s[i];
}

/* Scalar path from block `counter` on; see chapol_inner.h for mask. */
static void run_scalar(const uint32_t kw[8], const uint32_t nw[3], uint32_t counter,
		       const uint8_t *in, uint8_t *out, size_t len, uint32_t mask)
{
	uint32_t ks[16];
	size_t i;
	while (len >= 64) {
		chacha_block(kw, nw, counter++, ks);
		for (i = 0; i < 16; i++)
			wt_store32_le(out + 4 * i,
				      (wt_load32_le(in + 4 * i) ^ ks[i]) & mask);
		in += 64;
		out += 64;
		len -= 64;
	}
	if (len > 0) {
		uint8_t kb[64];
		uint8_t m8 = (uint8_t)mask;
		chacha_block(kw, nw, counter, ks);
		for (i = 0; i < 16; i++)
			wt_store32_le(kb + 4 * i, ks[i]);
		for (i = 0; i < len; i++)
			out[i] = (uint8_t)((in[i] ^ kb[i]) & m8);
		wt_wipe(kb, sizeof kb);
	}
	wt_wipe(ks, sizeof ks);
}

#ifdef WT_CHACHA_SIMD

typedef uint32_t v4u32 __attribute__((vector_size(16)));
typedef uint8_t v16u8 __attribute__((vector_size(16)));

WT_INLINE v4u32 splat(uint32_t x)
{
	return (v4u32){ x, x, x, x };
}

#define ROTV(v, n) (((v) << (n)) | ((v) >> (32 - (n))))

#ifdef __wasm_simd128__
/* The byte-index vectors of the rotations by 8 and 16 (little-endian
 * word b0 b1 b2 b3 rotated left 8: b3 b0 b1 b2; left 16: b2 b3 b0 b1).
 * The empty asm hides their value from clang, which would otherwise fold
 * the swizzles back into constant i8x16.shuffles (the slow form above).
 * The indices are public constants, the data only what is permuted. */
#define ROT_DECL                                                               \
	v16u8 r8m = { 3, 0, 1, 2, 7, 4, 5, 6, 11, 8, 9, 10, 15, 12, 13, 14 };  \
	v16u8 r16m = { 2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13 }; \
	__asm__ volatile("" : "+r"(r8m));                                      \
	__asm__ volatile("" : "+r"(r16m))
#define ROT8(v) ((v4u32)__builtin_wasm_swizzle_i8x16((v16u8)(v), r8m))
#define ROT16(v) ((v4u32)__builtin_wasm_swizzle_i8x16((v16u8)(v), r16m))
#else
#define ROT_DECL (void)0
#define ROT8(v) ROTV(v, 8)
/* Little-endian word b0 b1 b2 b3 rotated left 16: b2 b3 b0 b1. */
#define ROT16(v)                                                                        \
	((v4u32)__builtin_shufflevector((v16u8)(v), (v16u8)(v), 2, 3, 0, 1, 6, 7, 4, 5, \
					10, 11, 8, 9, 14, 15, 12, 13))
#endif

#define QRV(a, b, c, d)          \
	do {                     \
		a += b;          \
		d ^= a;          \
		d = ROT16(d);    \
		c += d;          \
		b ^= c;          \
		b = ROTV(b, 12); \
		a += b;          \
		d ^= a;          \
		d = ROT8(d);     \
		c += d;          \
		b ^= c;          \
		b = ROTV(b, 7);  \
	} while (0)

WT_INLINE v4u32 loadv(const uint8_t *p)
{
	v4u32 v;
	memcpy(&v, p, 16);
	return v;
}
WT_INLINE void storev(uint8_t *p, v4u32 v)
{
	memcpy(p, &v, 16);
}

/* Transpose words a, b, c, d (lane j of each is block j's words
 * 4g..4g+3) and xor the four 16-byte rows into out at block stride. */
WT_INLINE void emit4(v4u32 a, v4u32 b, v4u32 c, v4u32 d, const uint8_t *in, uint8_t *out,
		     v4u32 m)
{
	v4u32 t0 = __builtin_shufflevector(a, b, 0, 4, 1, 5); /* a0 b0 a1 b1 */
	v4u32 t1 = __builtin_shufflevector(c, d, 0, 4, 1, 5); /* c0 d0 c1 d1 */
	v4u32 t2 = __builtin_shufflevector(a, b, 2, 6, 3, 7); /* a2 b2 a3 b3 */
	v4u32 t3 = __builtin_shufflevector(c, d, 2, 6, 3, 7); /* c2 d2 c3 d3 */
	storev(out, (loadv(in) ^ __builtin_shufflevector(t0, t1, 0, 1, 4, 5)) & m);
	storev(out + 64,
	       (loadv(in + 64) ^ __builtin_shufflevector(t0, t1, 2, 3, 6, 7)) & m);
	storev(out + 128,
	       (loadv(in + 128) ^ __builtin_shufflevector(t2, t3, 0, 1, 4, 5)) & m);
	storev(out + 192,
	       (loadv(in + 192) ^ __builtin_shufflevector(t2, t3, 2, 3, 6, 7)) & m);
}

/* State words of one group of four blocks, x0..x15 suffixed by the group
 * letter; lane j of group G is block counter + 4*G + j. Lane counters
 * wrap mod 2^32 like the scalar counter (callers keep it from wrapping,
 * RFC 8439 section 2.4). */
#define GROUP_INIT(G, first)                                           \
	const v4u32 ctr##G = splat(first) + lane;                      \
	v4u32 x0##G = splat(C0), x1##G = splat(C1), x2##G = splat(C2), \
	      x3##G = splat(C3);                                       \
	v4u32 x4##G = k0, x5##G = k1, x6##G = k2, x7##G = k3;          \
	v4u32 x8##G = k4, x9##G = k5, x10##G = k6, x11##G = k7;        \
	v4u32 x12##G = ctr##G, x13##G = n0, x14##G = n1, x15##G = n2

/* RFC 8439 section 2.3: the input state is added back at the end. */
#define GROUP_EMIT(G, off)                                                               \
	do {                                                                             \
		x0##G += splat(C0);                                                      \
		x1##G += splat(C1);                                                      \
		x2##G += splat(C2);                                                      \
		x3##G += splat(C3);                                                      \
		x4##G += k0;                                                             \
		x5##G += k1;                                                             \
		x6##G += k2;                                                             \
		x7##G += k3;                                                             \
		x8##G += k4;                                                             \
		x9##G += k5;                                                             \
		x10##G += k6;                                                            \
		x11##G += k7;                                                            \
		x12##G += ctr##G;                                                        \
		x13##G += n0;                                                            \
		x14##G += n1;                                                            \
		x15##G += n2;                                                            \
		emit4(x0##G, x1##G, x2##G, x3##G, in + (off), out + (off), m);           \
		emit4(x4##G, x5##G, x6##G, x7##G, in + (off) + 16, out + (off) + 16, m); \
		emit4(x8##G, x9##G, x10##G, x11##G, in + (off) + 32, out + (off) + 32,   \
		      m);                                                                \
		emit4(x12##G, x13##G, x14##G, x15##G, in + (off) + 48, out + (off) + 48, \
		      m);                                                                \
	} while (0)

/* One column + diagonal double round on group G. */
#define GROUP_DOUBLE_ROUND(G)                      \
	do {                                       \
		QRV(x0##G, x4##G, x8##G, x12##G);  \
		QRV(x1##G, x5##G, x9##G, x13##G);  \
		QRV(x2##G, x6##G, x10##G, x14##G); \
		QRV(x3##G, x7##G, x11##G, x15##G); \
		QRV(x0##G, x5##G, x10##G, x15##G); \
		QRV(x1##G, x6##G, x11##G, x12##G); \
		QRV(x2##G, x7##G, x8##G, x13##G);  \
		QRV(x3##G, x4##G, x9##G, x14##G);  \
	} while (0)

#define SPLAT_INPUTS                                                         \
	const v4u32 m = splat(mask), lane = { 0, 1, 2, 3 };                  \
	const v4u32 k0 = splat(kw[0]), k1 = splat(kw[1]), k2 = splat(kw[2]), \
		    k3 = splat(kw[3]);                                       \
	const v4u32 k4 = splat(kw[4]), k5 = splat(kw[5]), k6 = splat(kw[6]), \
		    k7 = splat(kw[7]);                                       \
	const v4u32 n0 = splat(nw[0]), n1 = splat(nw[1]), n2 = splat(nw[2]); \
	ROT_DECL

/* Four blocks (exactly 256 bytes) from `counter`. */
static void run_simd4(const uint32_t kw[8], const uint32_t nw[3], uint32_t counter,
		      const uint8_t *in, uint8_t *out, uint32_t mask)
{
	SPLAT_INPUTS;
	GROUP_INIT(A, counter);
	int i;
	for (i = 0; i < 10; i++)
		GROUP_DOUBLE_ROUND(A);
	GROUP_EMIT(A, 0);
}

/* One block in "horizontal" layout: the four rows of the state are four
 * vectors, a column round is one vector quarter round, and rotating rows
 * 1..3 by 1, 2, 3 lanes lines the diagonals up as columns (RFC 8439
 * section 2.3's inner_block). Used for the otk block and tails of up to
 * two blocks: measured in V8 several times faster than the scalar block,
 * which clang's SLP vectorizer otherwise turns into lane inserts and
 * extracts under -msimd128. */
static void run_simd1(const uint32_t kw[8], const uint32_t nw[3], uint32_t counter,
		      const uint8_t *in, uint8_t *out, size_t len, uint32_t mask)
{
	const v4u32 a0 = { C0, C1, C2, C3 };
	const v4u32 b0 = { kw[0], kw[1], kw[2], kw[3] };
	const v4u32 c0 = { kw[4], kw[5], kw[6], kw[7] };
	const v4u32 m = splat(mask);
	ROT_DECL;
	while (len > 0) {
		v4u32 a = a0, b = b0, c = c0;
		v4u32 d0 = { counter, nw[0], nw[1], nw[2] }, d = d0;
		uint8_t tmp[64];
		uint8_t *dst = len >= 64 ? out : tmp;
		const uint8_t *src = in;
		int i;
		if (len < 64) {
			memcpy(tmp, in, len);
			src = tmp;
		}
		for (i = 0; i < 10; i++) {
			QRV(a, b, c, d);
			b = __builtin_shufflevector(b, b, 1, 2, 3, 0);
			c = __builtin_shufflevector(c, c, 2, 3, 0, 1);
			d = __builtin_shufflevector(d, d, 3, 0, 1, 2);
			QRV(a, b, c, d);
			b = __builtin_shufflevector(b, b, 3, 0, 1, 2);
			c = __builtin_shufflevector(c, c, 2, 3, 0, 1);
			d = __builtin_shufflevector(d, d, 1, 2, 3, 0);
		}
		storev(dst, (loadv(src) ^ (a + a0)) & m);
		storev(dst + 16, (loadv(src + 16) ^ (b + b0)) & m);
		storev(dst + 32, (loadv(src + 32) ^ (c + c0)) & m);
		storev(dst + 48, (loadv(src + 48) ^ (d + d0)) & m);
		if (len < 64) {
			memcpy(out, tmp, len);
			wt_wipe(tmp, sizeof tmp);
			return;
		}
		counter++;
		in += 64;
		out += 64;
		len -= 64;
	}
}
#endif

static void nonce_words(const uint8_t nonce[12], uint32_t nw[3])
{
	nw[0] = wt_load32_le(nonce);
	nw[1] = wt_load32_le(nonce + 4);
	nw[2] = wt_load32_le(nonce + 8);
}

/* see chapol_inner.h */
void wt_chacha20_run(const uint32_t kw[8], const uint8_t nonce[12], uint32_t counter,
		     const uint8_t *in, uint8_t *out, size_t len, uint32_t mask)
{
	uint32_t nw[3];
	nonce_words(nonce, nw);
#ifdef WT_CHACHA_SIMD
	{
		/* One group of four blocks per pass: two interleaved groups
		 * (eight blocks, 32 live vectors on x86's 16) measured no
		 * faster once the rotations were shifts, and cost code. */
		while (len >= 256) {
			run_simd4(kw, nw, counter, in, out, mask);
			counter += 4;
			in += 256;
			out += 256;
			len -= 256;
		}
		if (len > 128) {
			/* Four blocks at once are about twice as fast as four
			 * scalar ones, so a tail of three or four blocks also
			 * goes through the vector code, via a 256-byte buffer. */
			uint8_t tmp[256];
			memcpy(tmp, in, len);
			run_simd4(kw, nw, counter, tmp, tmp, mask);
			memcpy(out, tmp, len);
			wt_wipe(tmp, sizeof tmp);
			return;
		}
		run_simd1(kw, nw, counter, in, out, len, mask);
		return;
	}
#endif
	run_scalar(kw, nw, counter, in, out, len, mask);
}

/* see chapol_inner.h */
void wt_chacha20_run_scalar(const uint32_t kw[8], const uint8_t nonce[12],
			    uint32_t counter, const uint8_t *in, uint8_t *out, size_t len,
			    uint32_t mask)
{
	uint32_t nw[3];
	nonce_words(nonce, nw);
	run_scalar(kw, nw, counter, in, out, len, mask);
}

/* see wt_chapol.h */
void wt_chacha20(const uint8_t key[32], const uint8_t nonce[12], uint32_t counter,
		 const uint8_t *in, uint8_t *out, size_t len)
{
	uint32_t kw[8];
	int i;
	for (i = 0; i < 8; i++)
		kw[i] = wt_load32_le(key + 4 * i);
	wt_chacha20_run(kw, nonce, counter, in, out, len, 0xFFFFFFFFu);
	wt_wipe(kw, sizeof kw);
}
