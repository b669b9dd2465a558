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
static void blocks(wt_poly1305_ctx *c, const uint8_t *m, size_t nblocks,
	uint32_t hibit)
{
	const uint32_t r0 = c->r[0], r1 = c->r[1], r2 = c->r[2], r3 = c->r[3], r4 = c->r[4];
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
		cy = (uint32_t)(d0 >> 26); h0 = (uint32_t)d0 & M26;
		d1 += cy; cy = (uint32_t)(d1 >> 26); h1 = (uint32_t)d1 & M26;
		d2 += cy; cy = (uint32_t)(d2 >> 26); h2 = (uint32_t)d2 & M26;
		d3 += cy; cy = (uint32_t)(d3 >> 26); h3 = (uint32_t)d3 & M26;
		d4 += cy; cy = (uint32_t)(d4 >> 26); h4 = (uint32_t)d4 & M26;
		h0 += cy * 5; cy = h0 >> 26; h0 &= M26;
		h1 += cy;
		m += 16;
	}
	c->h[0] = h0; c->h[1] = h1; c->h[2] = h2; c->h[3] = h3; c->h[4] = h4;
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
	h0 = c->h[0]; h1 = c->h[1]; h2 = c->h[2]; h3 = c->h[3]; h4 = c->h[4];

	/* Full carry so every limb is below 2^26 and h < 2^130 + small. */
	cy = h1 >> 26; h1 &= M26;
	h2 += cy; cy = h2 >> 26; h2 &= M26;
	h3 += cy; cy = h3 >> 26; h3 &= M26;
	h4 += cy; cy = h4 >> 26; h4 &= M26;
	h0 += cy * 5; cy = h0 >> 26; h0 &= M26;
	h1 += cy;

	/* g = h + 5 - 2^130; h >= p exactly when g does not go negative,
	 * i.e. the borrow out of g4 is clear. Select h or g by mask. */
	g0 = h0 + 5; cy = g0 >> 26; g0 &= M26;
	g1 = h1 + cy; cy = g1 >> 26; g1 &= M26;
	g2 = h2 + cy; cy = g2 >> 26; g2 &= M26;
	g3 = h3 + cy; cy = g3 >> 26; g3 &= M26;
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
void wt_poly1305(const uint8_t key[32], const uint8_t *m, size_t len,
	uint8_t tag[16])
{
	wt_poly1305_ctx c;
	wt_poly1305_init(&c, key);
	wt_poly1305_update(&c, m, len);
	wt_poly1305_final(&c, tag);
}
