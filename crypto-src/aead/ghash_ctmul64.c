/*
 * ghash_ctmul64.c: GHASH (NIST SP 800-38D section 6.4) in constant time
 * with 64-bit integer multiplies, in the manner of BearSSL's
 * ghash_ctmul64: no table indexed by H or by data, no branch on either.
 *
 * Carry-less products from integer products: split x and y into four
 * words that keep only the bits at positions = i (mod 4) (masks 0x1111...
 * shifted by i). In an integer product of two such words every result bit
 * at the right residue is the parity of at most 16 one-bit products, and
 * the carries of that sum land on the three positions above it, which
 * belong to other residues and are masked off; only the low 64 bits are
 * kept, where the count stays below 16. So the low half of a 64x64
 * carry-less product costs 16 multiplies. The high half is the low half of
 * the product of the bit-reversed operands, reversed (and shifted by 1).
 *
 * wasm has a 64x64->64 multiply (i64.mul) and no wider one, which makes
 * this the cheapest exact scheme there: each multiply covers 16 x 16 bit
 * pairs, up to half of them in the kept low half, twice what the exact
 * 32x32->64 products of 8-bit residue words give. 64-bit vector
 * multiplies do not help: x86 engines without AVX-512 expand i64x2.mul
 * into several instructions, and i64x2.extmul needs two shuffles each.
 *
 * Speed-ups over the plain scheme:
 *  - Karatsuba: a 128x128 product is 3 64x64 products (6 half products);
 *  - aggregated reduction: 8 blocks at a time,
 *      Y' = (Y ^ X1) H^8 ^ X2 H^7 ^ ... ^ X8 H,
 *    with H^1..H^8 split and bit-reversed once per key;
 *  - since everything after the multiplies is linear, the per-residue sums
 *    of all 8 blocks are accumulated before masking, and the 128-bit sum
 *    is bit-reversed and reduced once per 8 blocks.
 *
 * Representation: a block is two words, w[0] = bytes 0..7 and w[1] =
 * bytes 8..15 big-endian, so the coefficient of x^k (SP 800-38D bit k) is
 * bit 127 - k of the 128-bit integer w[0]:w[1].
 */
#include "aes_ct.h"

#define M0 0x1111111111111111ull
#define M1 0x2222222222222222ull
#define M2 0x4444444444444444ull
#define M3 0x8888888888888888ull

/* Layout of one power in hk: operand o (0..5: lo, hi, mid, then their
 * bit reversals) at hk[24 * (power - 1) + 4 * o], split in 4 parts. */
enum { OP_LO, OP_HI, OP_MID, OP_RLO, OP_RHI, OP_RMID };

WT_INLINE uint64_t rev8_each(uint64_t x)
{
	/* reverse the bits inside each byte */
	x = ((x >> 1) & 0x5555555555555555ull) | ((x & 0x5555555555555555ull) << 1);
	x = ((x >> 2) & 0x3333333333333333ull) | ((x & 0x3333333333333333ull) << 2);
	return ((x >> 4) & 0x0F0F0F0F0F0F0F0Full) | ((x & 0x0F0F0F0F0F0F0F0Full) << 4);
}

WT_INLINE uint64_t bswap64(uint64_t x)
{
	/* The barrier keeps clang from recognizing a byte swap: wasm has no
	 * bswap instruction and clang's expansion takes 22 operations, this
	 * one 9. */
	x = (x >> 32) | (x << 32);
	WT_BARRIER(x);
	x = ((x >> 16) & 0x0000FFFF0000FFFFull) | ((x & 0x0000FFFF0000FFFFull) << 16);
	return ((x >> 8) & 0x00FF00FF00FF00FFull) | ((x & 0x00FF00FF00FF00FFull) << 8);
}

WT_INLINE uint64_t rev64(uint64_t x)
{
	return rev8_each(bswap64(x));
}

WT_INLINE void split(uint64_t *s, uint64_t y)
{
	s[0] = y & M0;
	s[1] = y & M1;
	s[2] = y & M2;
	s[3] = y & M3;
}

/* x * y, kept a scalar 64-bit multiply: with SIMD128 enabled, clang's
 * SLP vectorizer otherwise pairs these into i64x2.mul, which engines
 * without a 64-bit vector multiply (x86 before AVX-512) expand into
 * several instructions; that made GHASH 40% slower. The empty asm is a
 * value barrier and emits nothing. */
WT_INLINE uint64_t mul(uint64_t x, uint64_t y)
{
	uint64_t r = x * y;
	WT_BARRIER(r);
	return r;
}

/* z[r] ^= the residue-r part of x * y (unmasked), y pre-split. */
WT_INLINE void mulacc(uint64_t *z, uint64_t x, const uint64_t *y)
{
	uint64_t x0 = x & M0, x1 = x & M1, x2 = x & M2, x3 = x & M3;
	z[0] ^= mul(x0, y[0]) ^ mul(x1, y[3]) ^ mul(x2, y[2]) ^ mul(x3, y[1]);
	z[1] ^= mul(x0, y[1]) ^ mul(x1, y[0]) ^ mul(x2, y[3]) ^ mul(x3, y[2]);
	z[2] ^= mul(x0, y[2]) ^ mul(x1, y[1]) ^ mul(x2, y[0]) ^ mul(x3, y[3]);
	z[3] ^= mul(x0, y[3]) ^ mul(x1, y[2]) ^ mul(x2, y[1]) ^ mul(x3, y[0]);
}

WT_INLINE uint64_t fold(const uint64_t *z)
{
	return (z[0] & M0) | (z[1] & M1) | (z[2] & M2) | (z[3] & M3);
}

/*
 * From the three low halves (lo, hi, mid) and the three reversed low
 * halves of a Karatsuba product sum, the reduced 128-bit result in y.
 */
WT_INLINE void wt_ghash_finish(uint64_t y[2], const uint64_t h[6])
{
	/* 128-bit products: low word = h[o], high word = rev(h[o+3]) >> 1 */
	uint64_t lo0 = h[OP_LO], lo1 = rev64(h[OP_RLO]) >> 1;
	uint64_t hi0 = h[OP_HI], hi1 = rev64(h[OP_RHI]) >> 1;
	uint64_t mi0 = h[OP_MID], mi1 = rev64(h[OP_RMID]) >> 1;
	uint64_t w0, w1, w2, w3;
	/* In words: a = a_hi:a_lo with a_hi = w[0] (the x^0..x^63 end).
	 * The OP_HI products pair w[0] words, OP_LO w[1] words. */
	mi0 ^= lo0 ^ hi0;
	mi1 ^= lo1 ^ hi1;
	/* 256-bit product, w3 most significant: hi * 2^128 + mid * 2^64 + lo */
	w3 = hi1;
	w2 = hi0 ^ mi1;
	w1 = lo1 ^ mi0;
	w0 = lo0;
	/* The product of two bit-reflected values has x^k at bit 254 - k;
	 * shift left by one to put it at 255 - k. */
	w3 = (w3 << 1) | (w2 >> 63);
	w2 = (w2 << 1) | (w1 >> 63);
	w1 = (w1 << 1) | (w0 >> 63);
	w0 <<= 1;
	/* Reduce by x^128 = x^7 + x^2 + x + 1: x^(128+m) folds onto x^m,
	 * x^(m+1), x^(m+2), x^(m+7), i.e. onto the word 128 bits up, shifted
	 * right (towards higher powers) by 0, 1, 2, 7; bits pushed past the
	 * word's end go to the next word down. w0 first, since it spills
	 * into w1. */
	w2 ^= w0 ^ (w0 >> 1) ^ (w0 >> 2) ^ (w0 >> 7);
	w1 ^= (w0 << 63) ^ (w0 << 62) ^ (w0 << 57);
	w3 ^= w1 ^ (w1 >> 1) ^ (w1 >> 2) ^ (w1 >> 7);
	w2 ^= (w1 << 63) ^ (w1 << 62) ^ (w1 << 57);
	y[0] = w3;
	y[1] = w2;
}

/*
 * One group of n (1..8) blocks: wt_ghash_prep (loads), wt_ghash_pass for
 * o = 0..5 (one Karatsuba operand across all blocks: the multiplies), then
 * wt_ghash_finish(y, g->h). Result: y = (y ^ X_1) H^n ^ ... ^ X_n H.
 * (Interleaving these steps with the AES rounds, "stitching", was 20%
 * faster natively but 25% slower in V8, which seems front-end bound on
 * the resulting 40 KB loop; so GCM runs them one after the other.)
 */
typedef struct {
	/* The six operands of each block, already split in their four
	 * residue parts, in pairs of two (the lanes of a vector):
	 * xs[block][pair][part][lane], pairs (hi, lo), (rev hi, rev lo),
	 * (mid, rev mid). */
	uint64_t xs[8][3][4][2];
	uint64_t h[6]; /* per-operand product sums, folded */
} wt_ghash_group;

/* Where operand o (OP_*) sits in a pair. */
static const uint8_t PAIR[6] = { 0, 0, 2, 1, 1, 2 };
static const uint8_t LANE[6] = { 1, 0, 0, 1, 0, 1 };

/* z[r] ^= the residue-r part of x * y (unmasked), both pre-split; the
 * parts of x are 2 words apart (see xs). */
WT_INLINE void mulacc_s(uint64_t *z, const uint64_t *x, const uint64_t *y)
{
	uint64_t x0 = x[0], x1 = x[2], x2 = x[4], x3 = x[6];
	z[0] ^= mul(x0, y[0]) ^ mul(x1, y[3]) ^ mul(x2, y[2]) ^ mul(x3, y[1]);
	z[1] ^= mul(x0, y[1]) ^ mul(x1, y[0]) ^ mul(x2, y[3]) ^ mul(x3, y[2]);
	z[2] ^= mul(x0, y[2]) ^ mul(x1, y[1]) ^ mul(x2, y[0]) ^ mul(x3, y[3]);
	z[3] ^= mul(x0, y[3]) ^ mul(x1, y[2]) ^ mul(x2, y[1]) ^ mul(x3, y[0]);
}

#define XS(g, k, o) (&(g)->xs[k][PAIR[o]][0][LANE[o]])

#if WT_HAVE_AESV
typedef uint8_t gv8 __attribute__((vector_size(16)));
typedef uint64_t gv64 __attribute__((vector_size(16)));

/* Masks passed around as values, loaded once behind barriers (a vector
 * constant inside a loop is rebuilt at every use by V8). */
typedef struct {
	gv64 r1, r2, r4; /* bit reversal in bytes */
	gv64 m[4];       /* residue parts M0..M3 */
} gmasks;

/* Split the operand pairs b, r, mm of block k into their residue parts. */
WT_INLINE void split_block(wt_ghash_group *g, unsigned k, gv64 b, gv64 r, const gmasks *m)
{
	gv64 mm =
		__builtin_shufflevector(b, r, 0, 2) ^ __builtin_shufflevector(b, r, 1, 3);
	int i;
	for (i = 0; i < 4; i++) {
		gv64 t0 = b & m->m[i], t1 = r & m->m[i], t2 = mm & m->m[i];
		memcpy(g->xs[k][0][i], &t0, 16);
		memcpy(g->xs[k][1][i], &t1, 16);
		memcpy(g->xs[k][2][i], &t2, 16);
	}
}
#endif

WT_INLINE void wt_ghash_prep(wt_ghash_group *g, const uint64_t y[2], const uint8_t *p,
			     unsigned n)
{
	/* A little-endian load has the bytes of the big-endian word in
	 * reverse order: its per-byte bit reversal is the 64-bit reversal of
	 * the big-endian word, and its byte swap is that word. Block 0 takes
	 * the running state y, so its reversals come after the XOR. Where
	 * vectors exist, the swaps, reversals and splits of a block's two
	 * words go through one vector: a quarter of the instructions, and
	 * the vector unit is idle while GHASH runs. */
	unsigned k;
#if WT_HAVE_AESV
	gmasks m;
	int i;
	m.r1 = (gv64){ 0x5555555555555555ull, 0x5555555555555555ull };
	m.r2 = (gv64){ 0x3333333333333333ull, 0x3333333333333333ull };
	m.r4 = (gv64){ 0x0F0F0F0F0F0F0F0Full, 0x0F0F0F0F0F0F0F0Full };
	m.m[0] = (gv64){ M0, M0 };
	m.m[1] = (gv64){ M1, M1 };
	m.m[2] = (gv64){ M2, M2 };
	m.m[3] = (gv64){ M3, M3 };
	WT_VBARRIER(m.r1);
	WT_VBARRIER(m.r2);
	WT_VBARRIER(m.r4);
	for (i = 0; i < 4; i++)
		WT_VBARRIER(m.m[i]);
	for (k = 0; k < n; k++) {
		gv64 b, r;
		if (k == 0) {
			uint64_t hi = wt_load64_be(p) ^ y[0],
				 lo = wt_load64_be(p + 8) ^ y[1];
			b = (gv64){ hi, lo };
			r = (gv64){ rev64(hi), rev64(lo) };
		} else {
			gv8 v;
			memcpy(&v, p + 16 * k, 16);
			b = (gv64)__builtin_shufflevector(v, v, 7, 6, 5, 4, 3, 2, 1, 0,
							  15, 14, 13, 12, 11, 10, 9, 8);
			r = (gv64)v;
			r = ((r >> 1) & m.r1) | ((r & m.r1) << 1);
			r = ((r >> 2) & m.r2) | ((r & m.r2) << 2);
			r = ((r >> 4) & m.r4) | ((r & m.r4) << 4);
		}
		split_block(g, k, b, r, &m);
	}
#else
	for (k = 0; k < n; k++) {
		uint64_t ops[6], s[4];
		int o, i;
		if (k == 0) {
			uint64_t hi = wt_load64_be(p) ^ y[0],
				 lo = wt_load64_be(p + 8) ^ y[1];
			ops[OP_HI] = hi;
			ops[OP_LO] = lo;
			ops[OP_RHI] = rev64(hi);
			ops[OP_RLO] = rev64(lo);
		} else {
			uint64_t l0 = wt_load64_le(p + 16 * k),
				 l1 = wt_load64_le(p + 16 * k + 8);
			ops[OP_HI] = bswap64(l0);
			ops[OP_LO] = bswap64(l1);
			ops[OP_RHI] = rev8_each(l0);
			ops[OP_RLO] = rev8_each(l1);
		}
		ops[OP_MID] = ops[OP_HI] ^ ops[OP_LO];
		ops[OP_RMID] = ops[OP_RHI] ^ ops[OP_RLO];
		for (o = 0; o < 6; o++) {
			split(s, ops[o]);
			for (i = 0; i < 4; i++)
				g->xs[k][PAIR[o]][i][LANE[o]] = s[i];
		}
	}
#endif
}

/* Operand o of every block against H^n..H^1. Only four running sums are
 * live (a block-at-a-time order would need 24). */
WT_INLINE void wt_ghash_pass(wt_ghash_group *g, const uint64_t *hk, unsigned n, int o)
{
	const uint64_t *hp = hk + 24 * (n - 1) + 4 * o;
	uint64_t z[4] = { 0, 0, 0, 0 };
	unsigned k;
	for (k = 0; k < n; k++, hp -= 24)
		mulacc_s(z, XS(g, k, o), hp);
	g->h[o] = fold(z);
}


/* y = a * b for one pair of blocks, operands unsplit (key setup only). */
static void gmul(uint64_t y[2], const uint64_t a[2], const uint64_t b[2])
{
	uint64_t ops[6][2], s[4], h[6];
	int o;
	ops[OP_LO][0] = a[1];
	ops[OP_LO][1] = b[1];
	ops[OP_HI][0] = a[0];
	ops[OP_HI][1] = b[0];
	ops[OP_MID][0] = a[0] ^ a[1];
	ops[OP_MID][1] = b[0] ^ b[1];
	for (o = 0; o < 3; o++) {
		ops[o + 3][0] = rev64(ops[o][0]);
		ops[o + 3][1] = rev64(ops[o][1]);
	}
	for (o = 0; o < 6; o++) {
		uint64_t z[4] = { 0, 0, 0, 0 };
		split(s, ops[o][1]);
		mulacc(z, ops[o][0], s);
		h[o] = fold(z);
	}
	wt_ghash_finish(y, h);
	wt_wipe(ops, sizeof ops);
	wt_wipe(s, sizeof s);
	wt_wipe(h, sizeof h);
}

/* see aes_ct.h */
void wt_ghash_key(uint64_t hk[WT_GHASH_KEY_WORDS], const uint8_t h[16])
{
	uint64_t hh[2], p[2];
	int i;
	hh[0] = wt_load64_be(h);
	hh[1] = wt_load64_be(h + 8);
	p[0] = hh[0];
	p[1] = hh[1];
	for (i = 0; i < WT_GHASH_POWERS; i++) {
		uint64_t *k = hk + 24 * i;
		if (i > 0)
			gmul(p, p, hh);
		split(k + 4 * OP_LO, p[1]);
		split(k + 4 * OP_HI, p[0]);
		split(k + 4 * OP_MID, p[0] ^ p[1]);
		split(k + 4 * OP_RLO, rev64(p[1]));
		split(k + 4 * OP_RHI, rev64(p[0]));
		split(k + 4 * OP_RMID, rev64(p[0] ^ p[1]));
	}
	wt_wipe(hh, sizeof hh);
	wt_wipe(p, sizeof p);
}

/* wt_ghash_pass for a full group, one block at a time in a loop (clang's
 * unrolling by 2 or 8 measured the same or 6% slower). */
WT_INLINE void pass8(wt_ghash_group *g, const uint64_t *hk, int o)
{
	const uint64_t *hp = hk + 4 * o + 24 * 7;
	const uint64_t *xp = XS(g, 0, o);
	uint64_t z0 = 0, z1 = 0, z2 = 0, z3 = 0;
	int k;
#pragma clang loop unroll(disable)
	for (k = 0; k < 8; k++) {
		uint64_t y0 = hp[0], y1 = hp[1], y2 = hp[2], y3 = hp[3], x;
		x = xp[0];
		z0 ^= mul(x, y0);
		z1 ^= mul(x, y1);
		z2 ^= mul(x, y2);
		z3 ^= mul(x, y3);
		x = xp[2];
		z0 ^= mul(x, y3);
		z1 ^= mul(x, y0);
		z2 ^= mul(x, y1);
		z3 ^= mul(x, y2);
		x = xp[4];
		z0 ^= mul(x, y2);
		z1 ^= mul(x, y3);
		z2 ^= mul(x, y0);
		z3 ^= mul(x, y1);
		x = xp[6];
		z0 ^= mul(x, y1);
		z1 ^= mul(x, y2);
		z2 ^= mul(x, y3);
		z3 ^= mul(x, y0);
		hp -= 24;
		xp += sizeof g->xs[0] / sizeof(uint64_t);
		/* Value barrier: the next block's loads wait for this block's
		 * sums. Clang otherwise hoists all 64 loads of the group to the
		 * top, and V8 spills and reloads them: 307 of the 562
		 * instructions of a pass were stack moves, and GHASH runs 1.13x
		 * faster without (bench/gcm-profile.sh). Emits nothing. */
		__asm__("" : "+r"(hp), "+r"(xp) : "r"(z0), "r"(z1), "r"(z2), "r"(z3));
	}
	g->h[o] = (z0 & M0) | (z1 & M1) | (z2 & M2) | (z3 & M3);
}

/* see aes_ct.h */
void wt_ghash_update(const uint64_t hk[WT_GHASH_KEY_WORDS], uint64_t y[2],
		     const uint8_t *data, size_t len)
{
	/* The temporaries hold H products and the state: wiped once, at
	 * the end (per group it cost as much as a tenth of the work). */
	wt_ghash_group g;
	int o;
	while (len > 0) {
		uint8_t tmp[128];
		const uint8_t *p = data;
		unsigned n = 8;
		if (len < 128) {
			/* Up to 7 full blocks and a zero-padded partial one. */
			n = (unsigned)((len + 15) >> 4);
			memcpy(tmp, data, len);
			memset(tmp + len, 0, 16 * n - len);
			p = tmp;
		}
		wt_ghash_prep(&g, y, p, n);
		if (n == 8) {
			for (o = 0; o < 6; o++)
				pass8(&g, hk, o);
		} else {
			for (o = 0; o < 6; o++)
				wt_ghash_pass(&g, hk, n, o);
		}
		wt_ghash_finish(y, g.h);
		if (len < 128) {
			wt_wipe(tmp, sizeof tmp);
			break;
		}
		data += 128;
		len -= 128;
	}
	wt_wipe(&g, sizeof g);
}
