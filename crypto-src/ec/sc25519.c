/*
 * sc25519.c: arithmetic modulo L, the order of the edwards25519 base
 * point, by Barrett reduction (Handbook of Applied Cryptography,
 * algorithm 14.42) in 32-bit words: b = 2^32, k = 8, any input below
 * b^2k = 2^512. Fixed loop bounds, 32x32->64 products and masks only:
 * constant-time.
 */
#include "sc25519.h"

/* L, little-endian words. */
static const uint32_t WT_L[8] = {
	0x5cf5d3ed, 0x5812631a, 0xa2f79cd6, 0x14def9de, 0, 0, 0, 0x10000000,
};
/* mu = floor(2^512 / L), a 260-bit constant (computed with Python). */
static const uint32_t WT_MU[9] = {
	0x0a2c131b, 0xed9ce5a3, 0x086329a7, 0x2106215d, 0xffffffeb,
	0xffffffff, 0xffffffff, 0xffffffff, 0x0000000f,
};

/* r = r - L if r >= L, over 9 words; returns nothing, selects by mask. */
static void wt_sc_csub(uint32_t r[9])
{
	uint32_t t[9], borrow = 0, m;
	int i;
	for (i = 0; i < 9; i++) {
		uint64_t d = (uint64_t)r[i] - (i < 8 ? WT_L[i] : 0) - borrow;
		t[i] = (uint32_t)d;
		borrow = (uint32_t)(d >> 63);
	}
	m = borrow - 1; /* all ones when r >= L */
	for (i = 0; i < 9; i++)
		r[i] ^= m & (r[i] ^ t[i]);
}

static void wt_sc_barrett(uint8_t out[32], const uint32_t x[16])
{
	uint32_t q2[18], r[9], r2[9], borrow;
	const uint32_t *q1 = x + 7;  /* q1 = floor(x / b^(k-1)) */
	const uint32_t *q3 = q2 + 9; /* q3 = floor(q1 mu / b^(k+1)) */
	int i, j;

	/* Products of 32-bit words plus two words never exceed 2^64 - 1. */
	memset(q2, 0, sizeof q2);
	for (i = 0; i < 9; i++) {
		uint64_t c = 0;
		for (j = 0; j < 9; j++) {
			c += (uint64_t)q1[i] * WT_MU[j] + q2[i + j];
			q2[i + j] = (uint32_t)c;
			c >>= 32;
		}
		q2[i + 9] = (uint32_t)c;
	}
	/* r2 = q3 L mod b^(k+1) */
	memset(r2, 0, sizeof r2);
	for (i = 0; i < 9; i++) {
		uint64_t c = 0;
		for (j = 0; j < 8 && i + j < 9; j++) {
			c += (uint64_t)q3[i] * WT_L[j] + r2[i + j];
			r2[i + j] = (uint32_t)c;
			c >>= 32;
		}
		if (i + 8 < 9)
			r2[i + 8] = (uint32_t)c;
	}
	/* r = (x mod b^(k+1)) - r2, taken mod b^(k+1): HAC 14.42 step 3 adds
	 * b^(k+1) when negative, which the wrap-around does by itself. */
	borrow = 0;
	for (i = 0; i < 9; i++) {
		uint64_t d = (uint64_t)x[i] - r2[i] - borrow;
		r[i] = (uint32_t)d;
		borrow = (uint32_t)(d >> 63);
	}
	/* Now r < 3L: at most two subtractions, both always computed. */
	wt_sc_csub(r);
	wt_sc_csub(r);
	for (i = 0; i < 8; i++)
		wt_store32_le(out + 4 * i, r[i]);
	wt_wipe(q2, sizeof q2);
	wt_wipe(r, sizeof r);
	wt_wipe(r2, sizeof r2);
}

void wt_sc_reduce64(uint8_t out[32], const uint8_t in[64])
{
	uint32_t x[16];
	int i;
	for (i = 0; i < 16; i++)
		x[i] = wt_load32_le(in + 4 * i);
	wt_sc_barrett(out, x);
	wt_wipe(x, sizeof x);
}

void wt_sc_muladd(uint8_t out[32], const uint8_t a[32], const uint8_t b[32],
		  const uint8_t c[32])
{
	uint32_t aw[8], bw[8], x[16];
	uint64_t t;
	int i, j;

	for (i = 0; i < 8; i++) {
		aw[i] = wt_load32_le(a + 4 * i);
		bw[i] = wt_load32_le(b + 4 * i);
		x[i] = wt_load32_le(c + 4 * i);
		x[i + 8] = 0;
	}
	/* x = c + a b < 2^256 + (2^256 - 1)^2 < 2^512 */
	for (i = 0; i < 8; i++) {
		t = 0;
		for (j = 0; j < 8; j++) {
			t += (uint64_t)aw[i] * bw[j] + x[i + j];
			x[i + j] = (uint32_t)t;
			t >>= 32;
		}
		for (j = i + 8; j < 16; j++) {
			t += x[j];
			x[j] = (uint32_t)t;
			t >>= 32;
		}
	}
	wt_sc_barrett(out, x);
	wt_wipe(aw, sizeof aw);
	wt_wipe(bw, sizeof bw);
	wt_wipe(x, sizeof x);
}

uint32_t wt_sc_canonical(const uint8_t s[32])
{
	uint32_t borrow = 0;
	int i;
	for (i = 0; i < 8; i++) {
		uint64_t d = (uint64_t)wt_load32_le(s + 4 * i) - WT_L[i] - borrow;
		borrow = (uint32_t)(d >> 63);
	}
	return borrow;
}
