/*
 * f25519.c: GF(2^255 - 19) in ten signed 25.5-bit limbs with 64-bit
 * products; see f25519.h for the representation, the bounds and why.
 * Constant-time throughout.
 */
#include "f25519.h"

/* Limb widths: 26 bits at even positions, 25 at odd ones. */
#define WT_W(i) (26 - ((i)&1))

/* Constants, computed with Python from RFC 8032 5.1 and checked by
 * test/native/test_ec25519.c (d * 121666 = -121665, sqrtm1^2 = -1). */
const wt_fe wt_fe_d = { { 56195235, 13857412, 51736253, 6949390, 114729, 24766616,
			  60832955, 30306712, 48412415, 21499315 } };
const wt_fe wt_fe_d2 = { { 45281625, 27714825, 36363642, 13898781, 229458, 15978800,
			   54557047, 27058993, 29715967, 9444199 } };
const wt_fe wt_fe_sqrtm1 = { { 34513072, 25610706, 9377949, 3500415, 12389472, 33281959,
			       41962654, 31548777, 326685, 11406482 } };

/* Move the excess of limb i above its width into limb j, rounding so that
 * limb i ends in [-2^(w-1), 2^(w-1)). The multiplication (not a left
 * shift) keeps negative carries defined behaviour; the right shift of a
 * negative value is arithmetic on every compiler we build with. */
#define WT_CARRY(h, i, j)                                                         \
	do {                                                                      \
		int64_t c_ = ((h)[i] + ((int64_t)1 << (WT_W(i) - 1))) >> WT_W(i); \
		(h)[j] += c_;                                                     \
		(h)[i] -= c_ * ((int64_t)1 << WT_W(i));                           \
	} while (0)

/* Bring 64-bit partial sums back to reduced limbs. Two interleaved
 * chains (from limb 0 and from limb 4) shorten the dependency path; the
 * carry out of limb 9 weighs 2^255 = 19 mod p. With |h[i]| < 2^63 on
 * entry, every limb ends below 2^25 in magnitude except limbs 1 and 5,
 * which may exceed it by a carry of at most 2^18. */
static inline void wt_fe_carry(wt_fe *out, int64_t h[10])
{
	int64_t c;
	int i;
	WT_CARRY(h, 0, 1);
	WT_CARRY(h, 4, 5);
	WT_CARRY(h, 1, 2);
	WT_CARRY(h, 5, 6);
	WT_CARRY(h, 2, 3);
	WT_CARRY(h, 6, 7);
	WT_CARRY(h, 3, 4);
	WT_CARRY(h, 7, 8);
	WT_CARRY(h, 4, 5);
	WT_CARRY(h, 8, 9);
	c = (h[9] + ((int64_t)1 << 24)) >> 25;
	h[0] += 19 * c;
	h[9] -= c * ((int64_t)1 << 25);
	WT_CARRY(h, 0, 1);
	for (i = 0; i < 10; i++)
		out->v[i] = (int32_t)h[i];
}

/*
 * Schoolbook product. Limb i times limb j weighs 2^(ceil(25.5 i) +
 * ceil(25.5 j)), which is twice the weight of limb i+j when i and j are
 * both odd (hence the f*_2 factors), and products landing at or above
 * 2^255 fold back times 19 (the g*_19 factors). 100 multiplications.
 */
void wt_fe_mul(wt_fe *h, const wt_fe *f, const wt_fe *g)
{
	int64_t f0 = f->v[0], f1 = f->v[1], f2 = f->v[2], f3 = f->v[3], f4 = f->v[4];
	int64_t f5 = f->v[5], f6 = f->v[6], f7 = f->v[7], f8 = f->v[8], f9 = f->v[9];
	int64_t g0 = g->v[0], g1 = g->v[1], g2 = g->v[2], g3 = g->v[3], g4 = g->v[4];
	int64_t g5 = g->v[5], g6 = g->v[6], g7 = g->v[7], g8 = g->v[8], g9 = g->v[9];
	int64_t f1_2 = 2 * f1, f3_2 = 2 * f3, f5_2 = 2 * f5, f7_2 = 2 * f7, f9_2 = 2 * f9;
	int64_t g1_19 = 19 * g1, g2_19 = 19 * g2, g3_19 = 19 * g3, g4_19 = 19 * g4;
	int64_t g5_19 = 19 * g5, g6_19 = 19 * g6, g7_19 = 19 * g7, g8_19 = 19 * g8;
	int64_t g9_19 = 19 * g9;
	int64_t r[10];

	r[0] = f0 * g0 + f1_2 * g9_19 + f2 * g8_19 + f3_2 * g7_19 + f4 * g6_19 +
		f5_2 * g5_19 + f6 * g4_19 + f7_2 * g3_19 + f8 * g2_19 + f9_2 * g1_19;
	r[1] = f0 * g1 + f1 * g0 + f2 * g9_19 + f3 * g8_19 + f4 * g7_19 + f5 * g6_19 +
		f6 * g5_19 + f7 * g4_19 + f8 * g3_19 + f9 * g2_19;
	r[2] = f0 * g2 + f1_2 * g1 + f2 * g0 + f3_2 * g9_19 + f4 * g8_19 + f5_2 * g7_19 +
		f6 * g6_19 + f7_2 * g5_19 + f8 * g4_19 + f9_2 * g3_19;
	r[3] = f0 * g3 + f1 * g2 + f2 * g1 + f3 * g0 + f4 * g9_19 + f5 * g8_19 +
		f6 * g7_19 + f7 * g6_19 + f8 * g5_19 + f9 * g4_19;
	r[4] = f0 * g4 + f1_2 * g3 + f2 * g2 + f3_2 * g1 + f4 * g0 + f5_2 * g9_19 +
		f6 * g8_19 + f7_2 * g7_19 + f8 * g6_19 + f9_2 * g5_19;
	r[5] = f0 * g5 + f1 * g4 + f2 * g3 + f3 * g2 + f4 * g1 + f5 * g0 + f6 * g9_19 +
		f7 * g8_19 + f8 * g7_19 + f9 * g6_19;
	r[6] = f0 * g6 + f1_2 * g5 + f2 * g4 + f3_2 * g3 + f4 * g2 + f5_2 * g1 + f6 * g0 +
		f7_2 * g9_19 + f8 * g8_19 + f9_2 * g7_19;
	r[7] = f0 * g7 + f1 * g6 + f2 * g5 + f3 * g4 + f4 * g3 + f5 * g2 + f6 * g1 +
		f7 * g0 + f8 * g9_19 + f9 * g8_19;
	r[8] = f0 * g8 + f1_2 * g7 + f2 * g6 + f3_2 * g5 + f4 * g4 + f5_2 * g3 + f6 * g2 +
		f7_2 * g1 + f8 * g0 + f9_2 * g9_19;
	r[9] = f0 * g9 + f1 * g8 + f2 * g7 + f3 * g6 + f4 * g5 + f5 * g4 + f6 * g3 +
		f7 * g2 + f8 * g1 + f9 * g0;
	wt_fe_carry(h, r);
}

/* The same sums with f = g: the cross terms i != j pair up, 55
 * multiplications. Factors: 2 for a pair, 2 more for odd-odd, 19 for a
 * fold past 2^255. */
void wt_fe_sq(wt_fe *h, const wt_fe *f)
{
	int64_t f0 = f->v[0], f1 = f->v[1], f2 = f->v[2], f3 = f->v[3], f4 = f->v[4];
	int64_t f5 = f->v[5], f6 = f->v[6], f7 = f->v[7], f8 = f->v[8], f9 = f->v[9];
	int64_t f0_2 = 2 * f0, f1_2 = 2 * f1, f2_2 = 2 * f2, f3_2 = 2 * f3;
	int64_t f4_2 = 2 * f4, f5_2 = 2 * f5, f6_2 = 2 * f6, f7_2 = 2 * f7;
	int64_t f5_38 = 38 * f5, f6_19 = 19 * f6, f7_38 = 38 * f7;
	int64_t f8_19 = 19 * f8, f9_38 = 38 * f9;
	int64_t r[10];

	r[0] = f0 * f0 + f1_2 * f9_38 + f2_2 * f8_19 + f3_2 * f7_38 + f4_2 * f6_19 +
		f5 * f5_38;
	r[1] = f0_2 * f1 + f2 * f9_38 + f3_2 * f8_19 + f4 * f7_38 + f5_2 * f6_19;
	r[2] = f0_2 * f2 + f1_2 * f1 + f3_2 * f9_38 + f4_2 * f8_19 + f5_2 * f7_38 +
		f6 * f6_19;
	r[3] = f0_2 * f3 + f1_2 * f2 + f4 * f9_38 + f5_2 * f8_19 + f6 * f7_38;
	r[4] = f0_2 * f4 + f1_2 * f3_2 + f2 * f2 + f5_2 * f9_38 + f6_2 * f8_19 +
		f7 * f7_38;
	r[5] = f0_2 * f5 + f1_2 * f4 + f2_2 * f3 + f6 * f9_38 + f7_2 * f8_19;
	r[6] = f0_2 * f6 + f1_2 * f5_2 + f2_2 * f4 + f3_2 * f3 + f7_2 * f9_38 +
		f8 * f8_19;
	r[7] = f0_2 * f7 + f1_2 * f6 + f2_2 * f5 + f3_2 * f4 + f8 * f9_38;
	r[8] = f0_2 * f8 + f1_2 * f7_2 + f2_2 * f6 + f3_2 * f5_2 + f4 * f4 + f9 * f9_38;
	r[9] = f0_2 * f9 + f1_2 * f8 + f2_2 * f7 + f3_2 * f6 + f4_2 * f5;
	wt_fe_carry(h, r);
}

void wt_fe_mul_small(wt_fe *h, const wt_fe *f, int32_t c)
{
	int64_t r[10];
	int i;
	for (i = 0; i < 10; i++)
		r[i] = (int64_t)f->v[i] * c;
	wt_fe_carry(h, r);
}

void wt_fe_sqn(wt_fe *h, const wt_fe *f, int n)
{
	wt_fe_sq(h, f);
	while (--n > 0)
		wt_fe_sq(h, h);
}

/* z11 = z^11 and z250 = z^(2^250 - 1): the common start of the two
 * exponentiations below (254 squarings and 11 multiplications for the
 * inverse in all). */
static void wt_fe_pow250(wt_fe *z250, wt_fe *z11, const wt_fe *z)
{
	wt_fe z2, z9, a, b, c;
	wt_fe_sq(&z2, z);         /* 2 */
	wt_fe_sqn(&a, &z2, 2);    /* 8 */
	wt_fe_mul(&z9, &a, z);    /* 9 */
	wt_fe_mul(z11, &z9, &z2); /* 11 */
	wt_fe_sq(&a, z11);        /* 22 */
	wt_fe_mul(&a, &a, &z9);   /* 31 = 2^5 - 1 */
	wt_fe_sqn(&b, &a, 5);
	wt_fe_mul(&a, &b, &a); /* 2^10 - 1 */
	wt_fe_sqn(&b, &a, 10);
	wt_fe_mul(&b, &b, &a); /* 2^20 - 1 */
	wt_fe_sqn(&c, &b, 20);
	wt_fe_mul(&b, &c, &b); /* 2^40 - 1 */
	wt_fe_sqn(&b, &b, 10);
	wt_fe_mul(&a, &b, &a); /* 2^50 - 1 */
	wt_fe_sqn(&b, &a, 50);
	wt_fe_mul(&b, &b, &a); /* 2^100 - 1 */
	wt_fe_sqn(&c, &b, 100);
	wt_fe_mul(&b, &c, &b); /* 2^200 - 1 */
	wt_fe_sqn(&b, &b, 50);
	wt_fe_mul(z250, &b, &a); /* 2^250 - 1 */
}

void wt_fe_invert(wt_fe *h, const wt_fe *f)
{
	wt_fe z250, z11;
	wt_fe_pow250(&z250, &z11, f);
	wt_fe_sqn(&z250, &z250, 5); /* 2^255 - 32 */
	wt_fe_mul(h, &z250, &z11);  /* 2^255 - 21 = p - 2 */
}

void wt_fe_pow22523(wt_fe *h, const wt_fe *f)
{
	wt_fe z250, z11;
	wt_fe_pow250(&z250, &z11, f);
	wt_fe_sqn(&z250, &z250, 2); /* 2^252 - 4 */
	wt_fe_mul(h, &z250, f);     /* 2^252 - 3 = (p - 5) / 8 */
}

/* Bit offset of each limb: ceil(25.5 i). Every limb lies within the 32
 * bits loaded at byte offset/8 (checked by hand: at most 6 + 26). */
static const uint8_t WT_OFF[10] = { 0, 26, 51, 77, 102, 128, 153, 179, 204, 230 };

void wt_fe_frombytes(wt_fe *h, const uint8_t s[32])
{
	int64_t r[10];
	int i;
	for (i = 0; i < 10; i++) {
		uint32_t x = wt_load32_le(s + (WT_OFF[i] >> 3)) >> (WT_OFF[i] & 7);
		r[i] = x & (((uint32_t)1 << WT_W(i)) - 1);
	}
	/* Limbs up to 2^26 - 1 are re-centred to the reduced bound. */
	wt_fe_carry(h, r);
}

uint32_t wt_fe_canonical(const uint8_t s[32])
{
	/* p = 2^255 - 19 is ed ff .. ff 7f little-endian: the low 255 bits
	 * are >= p exactly when bytes 1..30 are ff, byte 31 is 7f (bit 255
	 * ignored) and byte 0 is at least ed. */
	uint32_t acc = (uint32_t)(s[31] & 0x7f) ^ 0x7f;
	int i;
	for (i = 1; i < 31; i++)
		acc |= (uint32_t)s[i] ^ 0xff;
	return WT_NOT(WT_EQ0(acc) & WT_GE(s[0], 0xed));
}

void wt_fe_tobytes(uint8_t s[32], const wt_fe *f)
{
	int64_t h[10], t[10], c, m;
	uint64_t acc;
	int i, pass, bits, o;

	for (i = 0; i < 10; i++)
		h[i] = f->v[i];
	/* Two passes of floor carries make every limb non-negative and
	 * within its width, the value W in [0, 2^255) with W = f mod p. The
	 * first pass leaves a fold of at most 19 * 9 in limb 0 (limbs below
	 * 2^28 carry at most 8 out of limb 9); the second pass then carries
	 * at most one unit out of limb 9 either way, and that last fold
	 * cannot leave limb 0 out of range: a +1 fold means W was below
	 * 2^255 + 19 * 9, so limb 0 was small; a -1 fold means W was
	 * negative, so limb 0 was near 2^26. */
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < 9; i++) {
			c = h[i] >> WT_W(i);
			h[i + 1] += c;
			h[i] -= c * ((int64_t)1 << WT_W(i));
		}
		c = h[9] >> 25;
		h[0] += 19 * c;
		h[9] -= c * ((int64_t)1 << 25);
	}
	/* W >= p exactly when W + 19 reaches 2^255; then W - p is W + 19
	 * without bit 255. Selected by mask, not by branch. */
	for (i = 0; i < 10; i++)
		t[i] = h[i];
	t[0] += 19;
	for (i = 0; i < 9; i++) {
		c = t[i] >> WT_W(i);
		t[i + 1] += c;
		t[i] -= c * ((int64_t)1 << WT_W(i));
	}
	m = -(t[9] >> 25);
	t[9] &= ((int64_t)1 << 25) - 1;
	for (i = 0; i < 10; i++)
		h[i] ^= m & (h[i] ^ t[i]);

	acc = 0;
	bits = 0;
	o = 0;
	for (i = 0; i < 10; i++) {
		acc |= (uint64_t)h[i] << bits;
		bits += WT_W(i);
		while (bits >= 8) {
			s[o++] = (uint8_t)acc;
			acc >>= 8;
			bits -= 8;
		}
	}
	s[31] = (uint8_t)acc;
}

uint32_t wt_fe_iszero(const wt_fe *f)
{
	uint8_t s[32];
	uint32_t acc = 0;
	int i;
	wt_fe_tobytes(s, f);
	for (i = 0; i < 32; i++)
		acc |= s[i];
	return WT_EQ0(acc);
}

uint32_t wt_fe_isnegative(const wt_fe *f)
{
	uint8_t s[32];
	wt_fe_tobytes(s, f);
	return s[0] & 1;
}
