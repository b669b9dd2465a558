/*
 * aes_ct64.c: AES encryption (FIPS 197), bitsliced over 64-bit words, four
 * blocks at a time; and the key expansion shared with aes_ctv128.c.
 *
 * Constant-time: no table, no secret-dependent branch or index. The S-box
 * is the Boyar-Matthews-Peralta circuit (aes_ct.h) on bit planes.
 *
 * Layout (after BearSSL's aes_ct64, arranged our own way): q[b] holds bit b
 * of every state byte of four blocks. Bit 16*row + 4*col + blk of q[b] is
 * bit b of byte (row, col) of block blk. A row is then a 16-bit group, so
 * ShiftRows rotates each group by a multiple of 4 bits and the row
 * rotations of MixColumns are 64-bit rotations by 16 and 32.
 *
 * This is the path of the scalar (no SIMD) wasm build; wasm has native
 * 64-bit XOR/AND/rotate, so one instruction handles 64 state bits.
 */
#include "aes_ct.h"

WT_AES_SBOX_DEFINE(sbox64, uint64_t)
WT_AES_SBOX_DEFINE(sbox32, uint32_t)

/* ---- key expansion (FIPS 197 section 5.2) ------------------------------ */

/* SubWord on the four bytes of w: plane b is bit b of each byte, left in
 * place (bits 8i + b shifted down to 8i), so the circuit runs on all four
 * bytes at once. */
static uint32_t sub_word(uint32_t w)
{
	uint32_t p[8], r = 0;
	int b;
	for (b = 0; b < 8; b++)
		p[b] = (w >> b) & 0x01010101;
	sbox32(p);
	for (b = 0; b < 8; b++)
		r |= p[b] << b;
	return r ^ 0x63636363;
}

/* see aes_ct.h */
unsigned wt_aes_expand(uint8_t rk[16 * 15], const uint8_t *key, size_t keylen)
{
	/* Words little-endian: byte 0 of w[i] is its low byte, so RotWord
	 * (a0,a1,a2,a3) -> (a1,a2,a3,a0) is a right rotation by 8. */
	uint32_t w[60], rcon = 1;
	unsigned nk, nr, i;
	if (keylen != 16 && keylen != 24 && keylen != 32)
		return 0;
	nk = (unsigned)keylen / 4;
	nr = nk + 6;
	for (i = 0; i < nk; i++)
		w[i] = wt_load32_le(key + 4 * i);
	for (i = nk; i < 4 * (nr + 1); i++) {
		uint32_t t = w[i - 1];
		/* i and nk are public: these branches are on the schedule's
		 * shape, not on key bits. */
		if (i % nk == 0) {
			t = sub_word((t >> 8) | (t << 24)) ^ rcon;
			rcon = ((rcon << 1) ^ (0x1B & -(rcon >> 7))) & 0xFF;
		} else if (nk > 6 && i % nk == 4) {
			t = sub_word(t);
		}
		w[i] = w[i - nk] ^ t;
	}
	for (i = 0; i < 4 * (nr + 1); i++)
		wt_store32_le(rk + 4 * i, w[i]);
	wt_wipe(w, sizeof w);
	return nr;
}

/* ---- layout conversions -------------------------------------------------- */

/* Put byte k of a 32-bit value at byte 2k of a 64-bit one, and back. */
WT_INLINE uint64_t spread(uint64_t x)
{
	x = (x | (x << 16)) & 0x0000FFFF0000FFFFull;
	return (x | (x << 8)) & 0x00FF00FF00FF00FFull;
}
WT_INLINE uint64_t unspread(uint64_t x)
{
	x &= 0x00FF00FF00FF00FFull;
	x = (x | (x >> 8)) & 0x0000FFFF0000FFFFull;
	return (x | (x >> 16)) & 0x00000000FFFFFFFFull;
}

/* A block (bytes 0..7 in a, 8..15 in b, little-endian) as two words whose
 * byte 2*row + (col >> 1) is state byte (row, col), for col even (lo) and
 * odd (hi). After ortho() they land at bit 16*row + 4*col + blk. */
WT_INLINE void interleave(uint64_t *lo, uint64_t *hi, uint64_t a, uint64_t b)
{
	*lo = spread(a & 0xFFFFFFFF) | (spread(b & 0xFFFFFFFF) << 8);
	*hi = spread(a >> 32) | (spread(b >> 32) << 8);
}
WT_INLINE void deinterleave(uint64_t *a, uint64_t *b, uint64_t lo, uint64_t hi)
{
	*a = unspread(lo) | (unspread(hi) << 32);
	*b = unspread(lo >> 8) | (unspread(hi >> 8) << 32);
}

/* Transpose the 8x8 bit matrix in each byte position across q[0..7]:
 * bit j of byte p of q[b] <-> bit b of byte p of q[j]. Its own inverse. */
#define SWAPN(cl, ch, s, x, y)                            \
	do {                                              \
		uint64_t a_ = (x), b_ = (y);              \
		(x) = (a_ & (cl)) | ((b_ & (cl)) << (s)); \
		(y) = ((a_ & (ch)) >> (s)) | (b_ & (ch)); \
	} while (0)
#define SWAP2(x, y) SWAPN(0x5555555555555555ull, 0xAAAAAAAAAAAAAAAAull, 1, x, y)
#define SWAP4(x, y) SWAPN(0x3333333333333333ull, 0xCCCCCCCCCCCCCCCCull, 2, x, y)
#define SWAP8(x, y) SWAPN(0x0F0F0F0F0F0F0F0Full, 0xF0F0F0F0F0F0F0F0ull, 4, x, y)

WT_INLINE void ortho(uint64_t *q)
{
	SWAP2(q[0], q[1]);
	SWAP2(q[2], q[3]);
	SWAP2(q[4], q[5]);
	SWAP2(q[6], q[7]);
	SWAP4(q[0], q[2]);
	SWAP4(q[1], q[3]);
	SWAP4(q[4], q[6]);
	SWAP4(q[5], q[7]);
	SWAP8(q[0], q[4]);
	SWAP8(q[1], q[5]);
	SWAP8(q[2], q[6]);
	SWAP8(q[3], q[7]);
}

WT_INLINE void shift_rows(uint64_t *q);

/* see aes_ct.h */
void wt_aes_ct64_schedule(uint64_t *sk, const uint8_t *rk, unsigned nr)
{
	unsigned r;
	int b;
	for (r = 0; r <= nr; r++) {
		uint64_t q[8], lo, hi;
		interleave(&lo, &hi, wt_load64_le(rk + 16 * r),
			   wt_load64_le(rk + 16 * r + 8));
		for (b = 0; b < 4; b++) {
			q[b] = lo;
			q[4 + b] = hi;
		}
		ortho(q);
		/* Round key r lives in the frame of round r (see encrypt4):
		 * SR^-r = SR^(3r mod 4). */
		for (b = 0; b < (int)((3 * r) & 3); b++)
			shift_rows(q);
		for (b = 0; b < 8; b++) {
			/* sbox64 leaves S(x) ^ 0x63; MixColumns maps a state of
			 * all-0x63 bytes to itself (2c ^ 3c ^ c ^ c = c) and so
			 * does ShiftRows, so the constant is added here to every
			 * round key after the first. 0x63 has bits 0, 1, 5, 6. */
			uint64_t c = (r > 0 && ((0x63 >> b) & 1)) ? ~(uint64_t)0 : 0;
			sk[8 * r + b] = q[b] ^ c;
		}
		wt_wipe(q, sizeof q);
	}
}

/* ---- rounds ---------------------------------------------------------------- */

WT_INLINE uint64_t rotr64(uint64_t x, unsigned n)
{
	return (x >> n) | (x << (64 - n));
}

WT_INLINE void add_round_key(uint64_t *q, const uint64_t *sk)
{
	int b;
	for (b = 0; b < 8; b++)
		q[b] ^= sk[b];
}

/* Row r of the state rotates left by r columns: the 16-bit group of row r
 * rotates right by 4r bits. */
WT_INLINE void shift_rows(uint64_t *q)
{
	int b;
	for (b = 0; b < 8; b++) {
		uint64_t x = q[b];
		q[b] = (x & 0x000000000000FFFFull) | ((x & 0x00000000FFF00000ull) >> 4) |
			((x & 0x00000000000F0000ull) << 12) |
			((x & 0x0000FF0000000000ull) >> 8) |
			((x & 0x000000FF00000000ull) << 8) |
			((x & 0xF000000000000000ull) >> 12) |
			((x & 0x0FFF000000000000ull) << 4);
	}
}

/* Rotate every 16-bit group (a row) right by 4k bits (k columns). */
WT_INLINE uint64_t rot_rows(uint64_t x, int k)
{
	/* k is a constant after inlining */
	switch (k & 3) {
	case 1:
		return ((x >> 4) & 0x0FFF0FFF0FFF0FFFull) |
			((x << 12) & 0xF000F000F000F000ull);
	case 2:
		return ((x >> 8) & 0x00FF00FF00FF00FFull) |
			((x << 8) & 0xFF00FF00FF00FF00ull);
	case 3:
		return ((x >> 12) & 0x000F000F000F000Full) |
			((x << 4) & 0xFFF0FFF0FFF0FFF0ull);
	default: return x;
	}
}

/*
 * Per column, b_r = 2(a_r ^ a_{r+1}) ^ a_{r+1} ^ a_{r+2} ^ a_{r+3}
 * (FIPS 197 section 5.1.3) with t = a ^ rot1(a): b = 2t ^ rot1(a) ^ rot2(t).
 * rot1 moves row r+1 to row r: a right rotation by 16. Doubling in GF(2^8)
 * on planes: bit k takes t_{k-1}, and t_7 feeds bits 0, 1, 3, 4 (0x1B).
 *
 * ShiftRows is not done between rounds (fixslicing, Adomnicai and Peyrin
 * 2020): after round r the state is kept as SR^-r of itself, so that the
 * next ShiftRows only moves the frame; in that frame row r + 1 sits k
 * columns further along than row r (phase k = r mod 4), so rot1 becomes a
 * rotation by 16 and then of each row by k columns, rot2 one by 32 and
 * then by 2k columns. Round keys are stored in their round's frame.
 */
WT_INLINE void mix_columns(uint64_t *q, int ph)
{
	uint64_t r[8], t[8], u[8];
	int b;
	for (b = 0; b < 8; b++) {
		r[b] = rot_rows(rotr64(q[b], 16), ph);
		t[b] = q[b] ^ r[b];
		u[b] = rot_rows(rotr64(t[b], 32), 2 * ph);
	}
	q[0] = t[7] ^ r[0] ^ u[0];
	q[1] = t[0] ^ t[7] ^ r[1] ^ u[1];
	q[2] = t[1] ^ r[2] ^ u[2];
	q[3] = t[2] ^ t[7] ^ r[3] ^ u[3];
	q[4] = t[3] ^ t[7] ^ r[4] ^ u[4];
	q[5] = t[4] ^ r[5] ^ u[5];
	q[6] = t[5] ^ r[6] ^ u[6];
	q[7] = t[6] ^ r[7] ^ u[7];
}

#define ROUND(PH)                             \
	do {                                  \
		sbox64(q);                    \
		mix_columns(q, PH);           \
		add_round_key(q, sk + 8 * r); \
	} while (0)

static void encrypt4(const uint64_t *sk, unsigned nr, uint64_t *q)
{
	/* r and nr are public (10, 12 or 14); the branches count rounds. */
	unsigned r = 1;
	add_round_key(q, sk);
	for (;;) {
		ROUND(1);
		if (++r == nr)
			break;
		ROUND(2);
		if (++r == nr)
			break;
		ROUND(3);
		if (++r == nr)
			break;
		ROUND(0);
		if (++r == nr)
			break;
	}
	sbox64(q);
	add_round_key(q, sk + 8 * nr);
	/* Back from the frame SR^-Nr: Nr mod 4 is 2 (AES-128/256) or 0. */
	if ((nr & 3) == 2) {
		shift_rows(q);
		shift_rows(q);
	}
}

/* see aes_ct.h */
void wt_aes_ct64_ctr(const uint64_t *sk, unsigned nr, const uint8_t cb[12], uint32_t ctr,
		     const uint8_t *in, uint8_t *out, size_t len, uint32_t ok)
{
	/* Bytes 0..11 of every counter block are the same, so their half of
	 * the interleaved words is computed once: the even-column word holds
	 * bytes 0-3 and 8-11, the odd-column word bytes 4-7 and 12-15, and
	 * only bytes 12-15 (the counter) change between blocks. */
	uint64_t a = wt_load64_le(cb);
	uint64_t lo, hi0;
	uint64_t q[8];
	uint8_t ks[64], m = (uint8_t)-ok;
	uint64_t m64 = -(uint64_t)ok;
	int j;
	interleave(&lo, &hi0, a, (uint64_t)wt_load32_le(cb + 8));
	while (len > 0) {
		size_t n = len < 64 ? len : 64, i;
		for (j = 0; j < 4; j++) {
			uint32_t c = ctr + (uint32_t)j;
			uint64_t cbe = (uint64_t)((c >> 24) | ((c >> 8) & 0xFF00) |
						  ((c << 8) & 0xFF0000) | (c << 24));
			q[j] = lo;
			q[4 + j] = hi0 | (spread(cbe) << 8);
		}
		ortho(q);
		encrypt4(sk, nr, q);
		ortho(q);
		for (j = 0; j < 4; j++) {
			uint64_t x, y;
			deinterleave(&x, &y, q[j], q[4 + j]);
			if (n == 64) {
				wt_store64_le(out + 16 * j,
					      (wt_load64_le(in + 16 * j) ^ x) & m64);
				wt_store64_le(out + 16 * j + 8,
					      (wt_load64_le(in + 16 * j + 8) ^ y) & m64);
			} else {
				wt_store64_le(ks + 16 * j, x);
				wt_store64_le(ks + 16 * j + 8, y);
			}
		}
		for (i = 0; n < 64 && i < n; i++)
			out[i] = (uint8_t)((in[i] ^ ks[i]) & m);
		in += n;
		out += n;
		len -= n;
		ctr += 4;
	}
	wt_wipe(q, sizeof q);
	wt_wipe(ks, sizeof ks);
}
