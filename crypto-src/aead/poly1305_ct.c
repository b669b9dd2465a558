/*
 * poly1305_ct.c: Poly1305 (RFC 8439 section 2.5) with radix-2^26 limbs.
 *
 * The accumulator h and the clamped key r are five 26-bit limbs; a block
 * costs 25 multiplies of 32x32->64 bits, the widest wasm has natively
 * (i64.mul on zero-extended i32), and the sums stay below 2^64 because
 * each limb is at most 2^26 + small carries and 5*r_i < 2^29. Reduction
 * mod p = 2^130 - 5 folds the top carry back times 5 (2^130 = 5 mod p).
 *
 * Constant time: multiplies, shifts and masks only; the final "subtract p
 * if h >= p" is a mask select (no branch on h); there is no table. The
 * message length is public.
 */
#include "inner.h"
#include "chapol_inner.h"

#if defined(__clang__) &&                                                          \
	(defined(__wasm_simd128__) || defined(__SSE2__) || defined(__ARM_NEON)) && \
	defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define WT_POLY_SIMD 1
#endif

#define M26 0x3ffffffu
#define HIBIT (1u << 24)

/* see wt_chapol.h */
void wt_poly1305_init(wt_poly1305_ctx *c, const uint8_t key[32])
{
	/* RFC 8439 section 2.5: r &= 0x0ffffffc0ffffffc0ffffffc0fffffff
	 * (clamp), applied limb by limb as the masks below. */
	c->r[0] = wt_load32_le(key) & 0x3ffffff;
	c->r[1] = (wt_load32_le(key + 3) >> 2) & 0x3ffff03;
	c->r[2] = (wt_load32_le(key + 6) >> 4) & 0x3ffc0ff;
	c->r[3] = (wt_load32_le(key + 9) >> 6) & 0x3f03fff;
	c->r[4] = (wt_load32_le(key + 12) >> 8) & 0x00fffff;
	c->h[0] = c->h[1] = c->h[2] = c->h[3] = c->h[4] = 0;
	c->pad[0] = wt_load32_le(key + 16);
	c->pad[1] = wt_load32_le(key + 20);
	c->pad[2] = wt_load32_le(key + 24);
	c->pad[3] = wt_load32_le(key + 28);
	c->buflen = 0;
}

/* Absorb nblocks 16-byte blocks, each with 2^128 added (hibit = 1<<24 in
 * the top limb) as section 2.5 appends a 0x01 byte to every full block;
 * hibit = 0 for the final partial block, whose 0x01 is in the buffer. */
static void blocks_scalar(wt_poly1305_ctx *c, const uint8_t *m, size_t nblocks,
			  uint32_t hibit)
{
	const uint32_t r0 = c->r[0], r1 = c->r[1], r2 = c->r[2], r3 = c->r[3],
		       r4 = c->r[4];
	const uint32_t s1 = r1 * 5, s2 = r2 * 5, s3 = r3 * 5, s4 = r4 * 5;
	uint32_t h0 = c->h[0], h1 = c->h[1], h2 = c->h[2], h3 = c->h[3], h4 = c->h[4];
	while (nblocks-- > 0) {
		uint64_t d0, d1, d2, d3, d4;
		uint32_t cy;
		h0 += wt_load32_le(m) & M26;
		h1 += (wt_load32_le(m + 3) >> 2) & M26;
		h2 += (wt_load32_le(m + 6) >> 4) & M26;
		h3 += (wt_load32_le(m + 9) >> 6) & M26;
		h4 += (wt_load32_le(m + 12) >> 8) | hibit;

		d0 = (uint64_t)h0 * r0 + (uint64_t)h1 * s4 + (uint64_t)h2 * s3 +
			(uint64_t)h3 * s2 + (uint64_t)h4 * s1;
		d1 = (uint64_t)h0 * r1 + (uint64_t)h1 * r0 + (uint64_t)h2 * s4 +
			(uint64_t)h3 * s3 + (uint64_t)h4 * s2;
		d2 = (uint64_t)h0 * r2 + (uint64_t)h1 * r1 + (uint64_t)h2 * r0 +
			(uint64_t)h3 * s4 + (uint64_t)h4 * s3;
		d3 = (uint64_t)h0 * r3 + (uint64_t)h1 * r2 + (uint64_t)h2 * r1 +
			(uint64_t)h3 * r0 + (uint64_t)h4 * s4;
		d4 = (uint64_t)h0 * r4 + (uint64_t)h1 * r3 + (uint64_t)h2 * r2 +
			(uint64_t)h3 * r1 + (uint64_t)h4 * r0;

		/* Partial carry: limbs back to 26 bits plus a small excess. */
		cy = (uint32_t)(d0 >> 26);
		h0 = (uint32_t)d0 & M26;
		d1 += cy;
		cy = (uint32_t)(d1 >> 26);
		h1 = (uint32_t)d1 & M26;
		d2 += cy;
		cy = (uint32_t)(d2 >> 26);
		h2 = (uint32_t)d2 & M26;
		d3 += cy;
		cy = (uint32_t)(d3 >> 26);
		h3 = (uint32_t)d3 & M26;
		d4 += cy;
		cy = (uint32_t)(d4 >> 26);
		h4 = (uint32_t)d4 & M26;
		h0 += cy * 5;
		cy = h0 >> 26;
		h0 &= M26;
		h1 += cy;
		m += 16;
	}
	c->h[0] = h0;
	c->h[1] = h1;
	c->h[2] = h2;
	c->h[3] = h3;
	c->h[4] = h4;
}


#ifdef WT_POLY_SIMD
/*
 * Four-way vector path (1.6x the scalar loop in V8, see below). Lane j of
 * each vector carries its own accumulator over blocks j, j+4, j+8, ...:
 *   h = sum_i m_i r^(n-i)  (n blocks)
 *     = sum_j sum_t m_{4t+j} r^(4(k-1-t)) r^(4-j)
 * so each lane multiplies by r^4 after every block of its own, except
 * after the last four blocks, where lane j multiplies by r^(4-j); the
 * lanes are then added. The incoming h enters lane 0. Each product is a
 * 32x32->64 multiply of two lanes (i64x2.extmul_{low,high}_i32x4_u in
 * wasm, pmuludq natively); limbs and bounds are the scalar ones.
 */
typedef uint32_t v4u32 __attribute__((vector_size(16)));
typedef uint64_t v2u64 __attribute__((vector_size(16)));

WT_INLINE v4u32 splat4(uint32_t x)
{
	return (v4u32){ x, x, x, x };
}

/* clang selects i64x2.extmul_*_i32x4_u only when each widened operand
 * feeds one multiply; once it shares a widened h or r between the five
 * products using it, it emits i64x2.mul, which V8 emulates on x86 with
 * three pmuludq and several shifts (measured: the vector path then ran
 * at half the scalar speed). An empty volatile asm gives every product
 * its own copy of the operands. */
/* Even so, V8 (Node 20, x86-64) lowers each extmul to two vpunpck (one
 * per operand) and one vpmuludq: three instructions per two products,
 * where native SSE2 code needs one pmuludq. That is what bounds this
 * loop in wasm (bench/chapol-kernels.sh, 16 KiB: 2.3 GB/s in Node, 3.0
 * GB/s the same C natively; issue #16). */
#ifdef __wasm_simd128__
#define OWN(x) __asm__ volatile("" : "+r"(x))
#else
#define OWN(x) ((void)0)
#endif

WT_INLINE v2u64 mul_lo(v4u32 a, v4u32 b)
{
	OWN(a);
	OWN(b);
	return __builtin_convertvector(__builtin_shufflevector(a, a, 0, 1), v2u64) *
		__builtin_convertvector(__builtin_shufflevector(b, b, 0, 1), v2u64);
}
WT_INLINE v2u64 mul_hi(v4u32 a, v4u32 b)
{
	OWN(a);
	OWN(b);
	return __builtin_convertvector(__builtin_shufflevector(a, a, 2, 3), v2u64) *
		__builtin_convertvector(__builtin_shufflevector(b, b, 2, 3), v2u64);
}
/* 5x without a 64-bit lane multiply (see OWN). */
WT_INLINE v2u64 times5(v2u64 x)
{
	v2u64 y = x << 2;
	OWN(y); /* else folded back into a multiply by 5 */
	return x + y;
}

/* Low 32 bits of the four 64-bit lanes of lo and hi, in order. */
WT_INLINE v4u32 pack(v2u64 lo, v2u64 hi)
{
	return __builtin_shufflevector((v4u32)lo, (v4u32)hi, 0, 2, 4, 6);
}

/* out = a * b mod p, partially reduced (scalar; for the powers of r). */
static void fe_mul(uint32_t out[5], const uint32_t a[5], const uint32_t b[5])
{
	uint64_t d[5];
	uint32_t s1 = b[1] * 5, s2 = b[2] * 5, s3 = b[3] * 5, s4 = b[4] * 5, cy;
	int i;
	d[0] = (uint64_t)a[0] * b[0] + (uint64_t)a[1] * s4 + (uint64_t)a[2] * s3 +
		(uint64_t)a[3] * s2 + (uint64_t)a[4] * s1;
	d[1] = (uint64_t)a[0] * b[1] + (uint64_t)a[1] * b[0] + (uint64_t)a[2] * s4 +
		(uint64_t)a[3] * s3 + (uint64_t)a[4] * s2;
	d[2] = (uint64_t)a[0] * b[2] + (uint64_t)a[1] * b[1] + (uint64_t)a[2] * b[0] +
		(uint64_t)a[3] * s4 + (uint64_t)a[4] * s3;
	d[3] = (uint64_t)a[0] * b[3] + (uint64_t)a[1] * b[2] + (uint64_t)a[2] * b[1] +
		(uint64_t)a[3] * b[0] + (uint64_t)a[4] * s4;
	d[4] = (uint64_t)a[0] * b[4] + (uint64_t)a[1] * b[3] + (uint64_t)a[2] * b[2] +
		(uint64_t)a[3] * b[1] + (uint64_t)a[4] * b[0];
	for (i = 0; i < 4; i++) {
		d[i + 1] += d[i] >> 26;
		out[i] = (uint32_t)d[i] & M26;
	}
	cy = (uint32_t)(d[4] >> 26);
	out[4] = (uint32_t)d[4] & M26;
	out[0] += cy * 5;
	out[1] += out[0] >> 26;
	out[0] &= M26;
}

/* One vector multiply-and-reduce of h (four lanes) by (r, s = 5r). */
#define VMUL(H, R, S)                                                                 \
	do {                                                                          \
		v2u64 a0 = mul_lo(H[0], R[0]) + mul_lo(H[1], S[4]) +                  \
			mul_lo(H[2], S[3]) + mul_lo(H[3], S[2]) + mul_lo(H[4], S[1]); \
		v2u64 b0 = mul_hi(H[0], R[0]) + mul_hi(H[1], S[4]) +                  \
			mul_hi(H[2], S[3]) + mul_hi(H[3], S[2]) + mul_hi(H[4], S[1]); \
		v2u64 a1 = mul_lo(H[0], R[1]) + mul_lo(H[1], R[0]) +                  \
			mul_lo(H[2], S[4]) + mul_lo(H[3], S[3]) + mul_lo(H[4], S[2]); \
		v2u64 b1 = mul_hi(H[0], R[1]) + mul_hi(H[1], R[0]) +                  \
			mul_hi(H[2], S[4]) + mul_hi(H[3], S[3]) + mul_hi(H[4], S[2]); \
		v2u64 a2 = mul_lo(H[0], R[2]) + mul_lo(H[1], R[1]) +                  \
			mul_lo(H[2], R[0]) + mul_lo(H[3], S[4]) + mul_lo(H[4], S[3]); \
		v2u64 b2 = mul_hi(H[0], R[2]) + mul_hi(H[1], R[1]) +                  \
			mul_hi(H[2], R[0]) + mul_hi(H[3], S[4]) + mul_hi(H[4], S[3]); \
		v2u64 a3 = mul_lo(H[0], R[3]) + mul_lo(H[1], R[2]) +                  \
			mul_lo(H[2], R[1]) + mul_lo(H[3], R[0]) + mul_lo(H[4], S[4]); \
		v2u64 b3 = mul_hi(H[0], R[3]) + mul_hi(H[1], R[2]) +                  \
			mul_hi(H[2], R[1]) + mul_hi(H[3], R[0]) + mul_hi(H[4], S[4]); \
		v2u64 a4 = mul_lo(H[0], R[4]) + mul_lo(H[1], R[3]) +                  \
			mul_lo(H[2], R[2]) + mul_lo(H[3], R[1]) + mul_lo(H[4], R[0]); \
		v2u64 b4 = mul_hi(H[0], R[4]) + mul_hi(H[1], R[3]) +                  \
			mul_hi(H[2], R[2]) + mul_hi(H[3], R[1]) + mul_hi(H[4], R[0]); \
		const v2u64 m26 = { M26, M26 };                                       \
		a1 += a0 >> 26;                                                       \
		a0 &= m26;                                                            \
		b1 += b0 >> 26;                                                       \
		b0 &= m26;                                                            \
		a2 += a1 >> 26;                                                       \
		a1 &= m26;                                                            \
		b2 += b1 >> 26;                                                       \
		b1 &= m26;                                                            \
		a3 += a2 >> 26;                                                       \
		a2 &= m26;                                                            \
		b3 += b2 >> 26;                                                       \
		b2 &= m26;                                                            \
		a4 += a3 >> 26;                                                       \
		a3 &= m26;                                                            \
		b4 += b3 >> 26;                                                       \
		b3 &= m26;                                                            \
		a0 += times5(a4 >> 26);                                               \
		a4 &= m26;                                                            \
		b0 += times5(b4 >> 26);                                               \
		b4 &= m26;                                                            \
		a1 += a0 >> 26;                                                       \
		a0 &= m26;                                                            \
		b1 += b0 >> 26;                                                       \
		b0 &= m26;                                                            \
		H[0] = pack(a0, b0);                                                  \
		H[1] = pack(a1, b1);                                                  \
		H[2] = pack(a2, b2);                                                  \
		H[3] = pack(a3, b3);                                                  \
		H[4] = pack(a4, b4);                                                  \
	} while (0)

/* Add four message blocks (64 bytes at m), block j into lane j. */
WT_INLINE void vadd_blocks(v4u32 h[5], const uint8_t *m)
{
	v4u32 b0, b1, b2, b3, t0, t1, t2, t3, w0, w1, w2, w3;
	const v4u32 m26 = splat4(M26);
	memcpy(&b0, m, 16);
	memcpy(&b1, m + 16, 16);
	memcpy(&b2, m + 32, 16);
	memcpy(&b3, m + 48, 16);
	/* Transpose: w_k = word k of blocks 0..3. */
	t0 = __builtin_shufflevector(b0, b1, 0, 4, 1, 5);
	t1 = __builtin_shufflevector(b2, b3, 0, 4, 1, 5);
	t2 = __builtin_shufflevector(b0, b1, 2, 6, 3, 7);
	t3 = __builtin_shufflevector(b2, b3, 2, 6, 3, 7);
	w0 = __builtin_shufflevector(t0, t1, 0, 1, 4, 5);
	w1 = __builtin_shufflevector(t0, t1, 2, 3, 6, 7);
	w2 = __builtin_shufflevector(t2, t3, 0, 1, 4, 5);
	w3 = __builtin_shufflevector(t2, t3, 2, 3, 6, 7);
	h[0] += w0 & m26;
	h[1] += ((w0 >> 26) | (w1 << 6)) & m26;
	h[2] += ((w1 >> 20) | (w2 << 12)) & m26;
	h[3] += ((w2 >> 14) | (w3 << 18)) & m26;
	h[4] += (w3 >> 8) | splat4(HIBIT);
}

/* nblocks (a multiple of 4, at least 8) full blocks. */
static void blocks_simd(wt_poly1305_ctx *c, const uint8_t *m, size_t nblocks)
{
	uint32_t r2[5], r3[5], r4[5];
	v4u32 h[5], R[5], S[5], RL[5], SL[5];
	uint32_t acc[5], cy;
	int i;
	fe_mul(r2, c->r, c->r);
	fe_mul(r3, r2, c->r);
	fe_mul(r4, r2, r2);
	for (i = 0; i < 5; i++) {
		R[i] = splat4(r4[i]);
		S[i] = R[i] * 5;
		/* last step: lane j times r^(4-j) */
		RL[i] = (v4u32){ r4[i], r3[i], r2[i], c->r[i] };
		SL[i] = RL[i] * 5;
		h[i] = (v4u32){ c->h[i], 0, 0, 0 };
	}
	for (; nblocks > 4; nblocks -= 4, m += 64) {
		vadd_blocks(h, m);
		VMUL(h, R, S);
	}
	vadd_blocks(h, m);
	VMUL(h, RL, SL);
	/* Sum the lanes (each limb below 2^27, so four fit 32 bits) and
	 * carry back to the scalar invariant. */
	for (i = 0; i < 5; i++)
		acc[i] = h[i][0] + h[i][1] + h[i][2] + h[i][3];
	cy = acc[0] >> 26;
	acc[0] &= M26;
	acc[1] += cy;
	cy = acc[1] >> 26;
	acc[1] &= M26;
	acc[2] += cy;
	cy = acc[2] >> 26;
	acc[2] &= M26;
	acc[3] += cy;
	cy = acc[3] >> 26;
	acc[3] &= M26;
	acc[4] += cy;
	cy = acc[4] >> 26;
	acc[4] &= M26;
	acc[0] += cy * 5;
	cy = acc[0] >> 26;
	acc[0] &= M26;
	acc[1] += cy;
	memcpy(c->h, acc, sizeof acc);
	wt_wipe(r2, sizeof r2);
	wt_wipe(r3, sizeof r3);
	wt_wipe(r4, sizeof r4);
}
#endif

static void blocks(wt_poly1305_ctx *c, const uint8_t *m, size_t nblocks, uint32_t hibit)
{
#ifdef WT_POLY_SIMD
	/* Below 16 blocks, computing r^2..r^4 costs more than it saves. */
	if (nblocks >= 16 && hibit) {
		size_t n4 = nblocks & ~(size_t)3;
		blocks_simd(c, m, n4);
		m += 16 * n4;
		nblocks -= n4;
	}
#endif
	blocks_scalar(c, m, nblocks, hibit);
}

/* see wt_chapol.h */
void wt_poly1305_update(wt_poly1305_ctx *c, const uint8_t *m, size_t len)
{
	if (c->buflen > 0) {
		size_t take = 16 - c->buflen;
		if (take > len)
			take = len;
		memcpy(c->buf + c->buflen, m, take);
		c->buflen += (uint32_t)take;
		m += take;
		len -= take;
		if (c->buflen < 16)
			return;
		blocks(c, c->buf, 1, HIBIT);
		c->buflen = 0;
	}
	if (len >= 16) {
		blocks(c, m, len / 16, HIBIT);
		m += len & ~(size_t)15;
		len &= 15;
	}
	if (len > 0) {
		memcpy(c->buf, m, len);
		c->buflen = (uint32_t)len;
	}
}

/* see chapol_inner.h */
void wt_poly1305_update_padded(wt_poly1305_ctx *c, const uint8_t *m, size_t len)
{
	size_t full = len & ~(size_t)15;
	blocks(c, m, full / 16, HIBIT);
	if (len > full) {
		/* RFC 8439 section 2.8: zero padding up to 16 bytes; the
		 * padded block is then a full block (its 0x01 at byte 16). */
		uint8_t b[16] = { 0 };
		memcpy(b, m + full, len - full);
		blocks(c, b, 1, HIBIT);
		wt_wipe(b, sizeof b);
	}
}

/* see wt_chapol.h */
void wt_poly1305_final(wt_poly1305_ctx *c, uint8_t tag[16])
{
	uint32_t h0, h1, h2, h3, h4, g0, g1, g2, g3, g4, cy, mask;
	uint64_t f;
	if (c->buflen > 0) {
		/* Last partial block: the 0x01 byte goes right after the
		 * message bytes, then zeros, and no 2^128 term. */
		size_t i;
		c->buf[c->buflen] = 1;
		for (i = c->buflen + 1; i < 16; i++)
			c->buf[i] = 0;
		blocks(c, c->buf, 1, 0);
	}
	h0 = c->h[0];
	h1 = c->h[1];
	h2 = c->h[2];
	h3 = c->h[3];
	h4 = c->h[4];

	/* Full carry so every limb is below 2^26 and h < 2^130 + small. */
	cy = h1 >> 26;
	h1 &= M26;
	h2 += cy;
	cy = h2 >> 26;
	h2 &= M26;
	h3 += cy;
	cy = h3 >> 26;
	h3 &= M26;
	h4 += cy;
	cy = h4 >> 26;
	h4 &= M26;
	h0 += cy * 5;
	cy = h0 >> 26;
	h0 &= M26;
	h1 += cy;

	/* g = h + 5 - 2^130; h >= p exactly when g does not go negative,
	 * i.e. the borrow out of g4 is clear. Select h or g by mask. */
	g0 = h0 + 5;
	cy = g0 >> 26;
	g0 &= M26;
	g1 = h1 + cy;
	cy = g1 >> 26;
	g1 &= M26;
	g2 = h2 + cy;
	cy = g2 >> 26;
	g2 &= M26;
	g3 = h3 + cy;
	cy = g3 >> 26;
	g3 &= M26;
	g4 = h4 + cy - (1u << 26);
	mask = (g4 >> 31) - 1; /* all ones if h >= p */
	h0 = (h0 & ~mask) | (g0 & mask);
	h1 = (h1 & ~mask) | (g1 & mask);
	h2 = (h2 & ~mask) | (g2 & mask);
	h3 = (h3 & ~mask) | (g3 & mask);
	h4 = (h4 & ~mask) | (g4 & mask);

	/* h mod 2^128 as four 32-bit words, plus s (section 2.5: "the
	 * value of the secret key s is added ... the 128 least significant
	 * bits are serialized"). */
	h0 = h0 | (h1 << 26);
	h1 = (h1 >> 6) | (h2 << 20);
	h2 = (h2 >> 12) | (h3 << 14);
	h3 = (h3 >> 18) | (h4 << 8);
	f = (uint64_t)h0 + c->pad[0];
	wt_store32_le(tag, (uint32_t)f);
	f = (uint64_t)h1 + c->pad[1] + (f >> 32);
	wt_store32_le(tag + 4, (uint32_t)f);
	f = (uint64_t)h2 + c->pad[2] + (f >> 32);
	wt_store32_le(tag + 8, (uint32_t)f);
	f = (uint64_t)h3 + c->pad[3] + (f >> 32);
	wt_store32_le(tag + 12, (uint32_t)f);
	wt_wipe(c, sizeof *c);
}

/* see wt_chapol.h */
void wt_poly1305(const uint8_t key[32], const uint8_t *m, size_t len, uint8_t tag[16])
{
	wt_poly1305_ctx c;
	wt_poly1305_init(&c, key);
	wt_poly1305_update(&c, m, len);
	wt_poly1305_final(&c, tag);
}
