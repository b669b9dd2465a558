/*
 * aes_ctv128.c: AES encryption (FIPS 197), bitsliced over 128-bit vectors,
 * eight blocks at a time, written with clang vector extensions: wasm
 * SIMD128 in the SIMD build, SSE2/NEON natively (tests, Valgrind). The
 * scalar wasm build leaves it out and uses aes_ct64.c.
 *
 * Constant-time: no table, no secret-dependent branch or index; the S-box
 * is the Boyar-Peralta circuit (aes_ct.h) on bit planes, and the only
 * other operations are XOR and byte shuffles with constant indices.
 *
 * Layout: q[b] holds bit b of the state of eight blocks; its byte i is
 * state byte i (row i % 4, column i / 4, the FIPS 197 input order) and bit
 * j of that byte belongs to block j. Every state byte position is then a
 * byte lane, so ShiftRows and the row rotations of MixColumns are plain
 * byte shuffles (one i8x16.shuffle each), and the bit-matrix transpose in
 * and out works within each byte.
 *
 * ShiftRows is not done at all between rounds: the state is kept in a
 * frame that drifts by SR^-1 each round (as fixslicing does, Adomnicai and
 * Peyrin 2020), MixColumns' rotations are conjugated to that frame, and the
 * round keys are stored in it. The frame repeats every 4 rounds; one
 * shuffle per plane after the last round returns to the natural order.
 */
#include "aes_ct.h"

#if WT_HAVE_AESV

typedef uint8_t v8 __attribute__((vector_size(16)));
typedef uint32_t v32 __attribute__((vector_size(16)));
typedef uint64_t v64 __attribute__((vector_size(16)));

WT_AES_SBOX_DEFINE(sboxv, v64)

WT_INLINE v64 loadv(const void *p)
{
	v64 v;
	memcpy(&v, p, 16);
	return v;
}
WT_INLINE void storev(void *p, v64 v)
{
	memcpy(p, &v, 16);
}

#define SHUF(x, ...) ((v64)__builtin_shufflevector((v8)(x), (v8)(x), __VA_ARGS__))
#define SPLAT(c) ((v64){ (c), (c) })

/*
 * Frames. The state after round r is stored as P_r(a), byte i holding
 * a[p_r[i]], with P_0 the identity and p_{r+1}[i] = SR^-1[p_r[i]], so that
 * P_{r+1}(ShiftRows(x)) = P_r(x): ShiftRows is free. MixColumns' rot1/rot2
 * (byte i of column c takes row (i+1)%4, (i+2)%4) become, in frame P,
 * shuffles by pinv[rot[p[i]]]. Tables (phase = r mod 4) computed from
 * SR = {0,5,10,15,4,9,14,3,8,13,2,7,12,1,6,11}:
 *   p_1 = {0,13,10,7,4,1,14,11,8,5,2,15,12,9,6,3}
 *   p_2 = {0,9,2,11,4,13,6,15,8,1,10,3,12,5,14,7}  (its own inverse)
 *   p_3 = SR, p_4 = p_0 = identity.
 */
#define ROT1_0 1, 2, 3, 0, 5, 6, 7, 4, 9, 10, 11, 8, 13, 14, 15, 12
#define ROT2_0 2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13
#define ROT1_1 5, 6, 7, 4, 9, 10, 11, 8, 13, 14, 15, 12, 1, 2, 3, 0
#define ROT2_1 10, 11, 8, 9, 14, 15, 12, 13, 2, 3, 0, 1, 6, 7, 4, 5
#define ROT1_2 9, 10, 11, 8, 13, 14, 15, 12, 1, 2, 3, 0, 5, 6, 7, 4
#define ROT2_2 ROT2_0
#define ROT1_3 13, 14, 15, 12, 1, 2, 3, 0, 5, 6, 7, 4, 9, 10, 11, 8
#define ROT2_3 ROT2_1
#define PINV_2 0, 9, 2, 11, 4, 13, 6, 15, 8, 1, 10, 3, 12, 5, 14, 7

static const uint8_t FRAME[4][16] = {
	{ 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 },
	{ 0, 13, 10, 7, 4, 1, 14, 11, 8, 5, 2, 15, 12, 9, 6, 3 },
	{ 0, 9, 2, 11, 4, 13, 6, 15, 8, 1, 10, 3, 12, 5, 14, 7 },
	{ 0, 5, 10, 15, 4, 9, 14, 3, 8, 13, 2, 7, 12, 1, 6, 11 },
};

/* 8x8 bit transpose in every byte lane across q[0..7]: bit j of byte i of
 * q[b] <-> bit b of byte i of q[j]. Its own inverse. Shifts are on 64-bit
 * lanes; the masks keep every bit inside its byte. */
#define SWAPN(cl, ch, s, x, y) do { \
		v64 a_ = (x), b_ = (y); \
		(x) = (a_ & SPLAT(cl)) | ((b_ & SPLAT(cl)) << (s)); \
		(y) = ((a_ & SPLAT(ch)) >> (s)) | (b_ & SPLAT(ch)); \
	} while (0)
#define SWAP2(x, y) SWAPN(0x5555555555555555ull, 0xAAAAAAAAAAAAAAAAull, 1, x, y)
#define SWAP4(x, y) SWAPN(0x3333333333333333ull, 0xCCCCCCCCCCCCCCCCull, 2, x, y)
#define SWAP8(x, y) SWAPN(0x0F0F0F0F0F0F0F0Full, 0xF0F0F0F0F0F0F0F0ull, 4, x, y)

WT_INLINE void ortho(v64 *q)
{
	SWAP2(q[0], q[1]); SWAP2(q[2], q[3]); SWAP2(q[4], q[5]); SWAP2(q[6], q[7]);
	SWAP4(q[0], q[2]); SWAP4(q[1], q[3]); SWAP4(q[4], q[6]); SWAP4(q[5], q[7]);
	SWAP8(q[0], q[4]); SWAP8(q[1], q[5]); SWAP8(q[2], q[6]); SWAP8(q[3], q[7]);
}

/* see aes_ct.h */
void wt_aes_ctv128_schedule(uint64_t *sk, const uint8_t *rk, unsigned nr)
{
	/* Plane b of round key r, in frame P_r: byte i is 0xFF where bit b
	 * of key byte p_r[i] is set. 0x63 is folded into rounds 1..Nr as in
	 * aes_ct64.c (the S-box circuit leaves S(x) ^ 0x63). Key bits turn
	 * into masks arithmetically, without a branch. */
	uint8_t pl[16];
	unsigned r, i;
	int b;
	for (r = 0; r <= nr; r++) {
		for (b = 0; b < 8; b++) {
			for (i = 0; i < 16; i++) {
				uint8_t k = rk[16 * r + FRAME[r & 3][i]];
				if (r > 0)
					k ^= 0x63;
				pl[i] = (uint8_t)-((k >> b) & 1);
			}
			memcpy(sk + 16 * r + 2 * b, pl, 16);
		}
	}
	wt_wipe(pl, sizeof pl);
}

WT_INLINE void add_round_key(v64 *q, const uint64_t *sk)
{
	int b;
	for (b = 0; b < 8; b++)
		q[b] ^= loadv(sk + 2 * b);
}

/* MixColumns in the current frame (see aes_ct64.c for the plane formula):
 * b = 2t ^ rot1(a) ^ rot2(t), t = a ^ rot1(a). */
#define MIX_COLUMNS(q, R1, R2) do { \
		v64 r_[8], t_[8]; \
		int b_; \
		for (b_ = 0; b_ < 8; b_++) { \
			r_[b_] = SHUF(q[b_], R1); \
			t_[b_] = q[b_] ^ r_[b_]; \
		} \
		q[0] = t_[7] ^ r_[0] ^ SHUF(t_[0], R2); \
		q[1] = t_[0] ^ t_[7] ^ r_[1] ^ SHUF(t_[1], R2); \
		q[2] = t_[1] ^ r_[2] ^ SHUF(t_[2], R2); \
		q[3] = t_[2] ^ t_[7] ^ r_[3] ^ SHUF(t_[3], R2); \
		q[4] = t_[3] ^ t_[7] ^ r_[4] ^ SHUF(t_[4], R2); \
		q[5] = t_[4] ^ r_[5] ^ SHUF(t_[5], R2); \
		q[6] = t_[5] ^ r_[6] ^ SHUF(t_[6], R2); \
		q[7] = t_[6] ^ r_[7] ^ SHUF(t_[7], R2); \
	} while (0)

/* One full round into frame phase PH: SubBytes, (free) ShiftRows,
 * MixColumns, AddRoundKey. */
#define ROUND(PH) do { \
		sboxv(q); \
		MIX_COLUMNS(q, ROT1_##PH, ROT2_##PH); \
		add_round_key(q, sk + 16 * r); \
	} while (0)

static void encrypt8(const uint64_t *sk, unsigned nr, v64 *q)
{
	/* r and nr are public (10, 12 or 14); the branches below only
	 * count rounds. */
	unsigned r = 1;
	int b;
	add_round_key(q, sk);
	for (;;) {
		ROUND(1); if (++r == nr) break;
		ROUND(2); if (++r == nr) break;
		ROUND(3); if (++r == nr) break;
		ROUND(0); if (++r == nr) break;
	}
	sboxv(q);
	add_round_key(q, sk + 16 * nr);
	/* Final frame P_Nr: Nr mod 4 is 2 for AES-128/256, 0 for AES-192. */
	if ((nr & 3) == 2) {
		for (b = 0; b < 8; b++)
			q[b] = SHUF(q[b], PINV_2);
	}
}

/* see aes_ct.h */
void wt_aes_ctv128_ctr(const uint64_t *sk, unsigned nr, const uint8_t cb[12],
	uint32_t ctr, const uint8_t *in, uint8_t *out, size_t len, uint32_t ok)
{
	v32 base = { wt_load32_le(cb), wt_load32_le(cb + 4), wt_load32_le(cb + 8), 0 };
	v64 q[8], m = SPLAT(-(uint64_t)ok);
	uint8_t ks[128];
	int j;
	while (len > 0) {
		for (j = 0; j < 8; j++) {
			v32 blk = base;
			uint32_t c = ctr + (uint32_t)j;
			/* bytes 12..15 = be32(c), read as a little-endian lane */
			blk[3] = (c >> 24) | ((c >> 8) & 0xFF00) | ((c << 8) & 0xFF0000) | (c << 24);
			q[j] = (v64)blk;
		}
		ortho(q);
		encrypt8(sk, nr, q);
		ortho(q);
		if (len >= 128) {
			for (j = 0; j < 8; j++)
				storev(out + 16 * j, (loadv(in + 16 * j) ^ q[j]) & m);
			in += 128;
			out += 128;
			len -= 128;
		} else {
			size_t i;
			for (j = 0; j < 8; j++)
				storev(ks + 16 * j, q[j]);
			for (i = 0; i < len; i++)
				out[i] = (uint8_t)((in[i] ^ ks[i]) & -ok);
			wt_wipe(ks, sizeof ks);
			len = 0;
		}
		ctr += 8;
	}
	wt_wipe(q, sizeof q);
}

#endif /* WT_HAVE_AESV */
