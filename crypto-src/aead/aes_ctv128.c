/*
 * aes_ctv128.c: AES encryption (FIPS 197), bitsliced over 128-bit vectors,
 * eight blocks a batch, written with clang vector extensions: wasm SIMD128 in the SIMD build,
 * SSE2/NEON natively (tests, Valgrind). The scalar wasm build leaves it
 * out and uses aes_ct64.c.
 *
 * Constant-time: no table, no secret-dependent branch or index; the S-box
 * is the Boyar-Matthews-Peralta circuit (aes_ct.h) on bit planes, and the
 * only other operations are XOR, shifts by constants and shuffles with
 * constant indices.
 *
 * Layout: q[b] holds bit b of the state of eight blocks; its byte i is
 * state byte i (row i % 4, column i / 4, the FIPS 197 input order) and bit
 * j of that byte belongs to block j. Every state byte position is then a
 * byte lane and every column a 32-bit lane, so the row rotations of
 * MixColumns are rotations inside 32-bit lanes, and the bit-matrix
 * transpose in and out works within each byte.
 *
 * ShiftRows is not done at all between rounds: the state is kept in a
 * frame that drifts by SR^-1 each round (as fixslicing does, Adomnicai and
 * Peyrin 2020), MixColumns' rotations are conjugated to that frame (they
 * gain a 32-bit lane shuffle), and the round keys are stored in it. The
 * frame repeats every 4 rounds; one shuffle per plane after the last round
 * returns to the natural order.
 *
 * Speed notes (V8 on x86-64, where the module mostly runs): arbitrary
 * byte shuffles cost ~6 instructions each (pshufb plus building its mask),
 * so none is left inside the rounds; vector constants are rebuilt at every
 * use inside a loop, so the transposes take theirs as values loaded once.
 * One batch at a time: two batches round by round (to fill the idle
 * slots of one batch's S-box dependency chains) need 16 state vectors in
 * x86-64's 16 registers, and V8 then spilled: 1,056 of the 2,694
 * instructions of four rounds were stack loads and stores, against 279
 * of 1,137 for one batch, which runs 1.3-1.4x faster per byte in Node 20
 * on an AMD EPYC (bench/gcm-profile.sh; the two-batch loop had been
 * measured +20% on another machine).
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
 * shuffles by pinv[rot[p[i]]]. With SR = {0,5,10,15,4,9,14,3,8,13,2,7,12,
 * 1,6,11}, for phase = r mod 4:
 *   p_1 = {0,13,10,7,4,1,14,11,8,5,2,15,12,9,6,3}
 *   p_2 = {0,9,2,11,4,13,6,15,8,1,10,3,12,5,14,7}  (its own inverse)
 *   p_3 = SR, p_4 = p_0 = identity;
 *   rot1: {1,2,3,0, 5,6,7,4, ...} moved by 'phase' 32-bit lanes
 *   rot2: {2,3,0,1, 6,7,4,5, ...} moved by 2 lanes in odd phases.
 * Within a 32-bit lane (a column) these are a rotation by 8 bits and by
 * 16; across lanes, a 32-bit lane shuffle. Written that way rather than
 * as one byte shuffle each because engines lower them far more cheaply:
 * V8 on x64 turns an arbitrary i8x16.shuffle into pshufb plus ~5
 * instructions building its mask, a 32-bit lane shuffle into one pshufd,
 * a 16-bit swap into pshuflw + pshufhw, a lane rotation into two shifts and
 * an OR. Value barriers stop clang from fusing them back into a generic
 * shuffle.
 */
#define PINV_2 0, 9, 2, 11, 4, 13, 6, 15, 8, 1, 10, 3, 12, 5, 14, 7

typedef uint16_t v16 __attribute__((vector_size(16)));

WT_INLINE v64 lanes(v64 x, int k)
{
	/* k is a constant after inlining; 0 is no shuffle at all */
	v32 y = (v32)x;
	switch (k & 3) {
	case 1: y = __builtin_shufflevector(y, y, 1, 2, 3, 0); break;
	case 2: y = __builtin_shufflevector(y, y, 2, 3, 0, 1); break;
	case 3: y = __builtin_shufflevector(y, y, 3, 0, 1, 2); break;
	default: return x;
	}
	WT_VBARRIER(y);
	return (v64)y;
}

/* byte j of each column takes byte j + 1 */
WT_INLINE v64 rot8(v64 x)
{
	v32 a = (v32)x >> 8, b = (v32)x << 24;
	WT_VBARRIER(a);
	return (v64)(a | b);
}

/* byte j of each column takes byte j + 2 */
WT_INLINE v64 rot16(v64 x)
{
	v16 y = (v16)x;
	return (v64)__builtin_shufflevector(y, y, 1, 0, 3, 2, 5, 4, 7, 6);
}

static const uint8_t FRAME[4][16] = {
	{ 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 },
	{ 0, 13, 10, 7, 4, 1, 14, 11, 8, 5, 2, 15, 12, 9, 6, 3 },
	{ 0, 9, 2, 11, 4, 13, 6, 15, 8, 1, 10, 3, 12, 5, 14, 7 },
	{ 0, 5, 10, 15, 4, 9, 14, 3, 8, 13, 2, 7, 12, 1, 6, 11 },
};

/* 8x8 bit transpose in every byte lane across q[0..7]: bit j of byte i of
 * q[b] <-> bit b of byte i of q[j]. Its own inverse. Swap-moves on 64-bit
 * lanes; the masks keep every bit inside its byte. They are passed in,
 * loaded once per call behind a value barrier: a constant used inside the
 * loop is rebuilt at every use by V8 (a few instructions each). */
#define SWAPMOVE(a, b, m, s)                         \
	do {                                         \
		v64 t_ = (((a) >> (s)) ^ (b)) & (m); \
		(b) ^= t_;                           \
		(a) ^= t_ << (s);                    \
	} while (0)

typedef struct {
	v64 m1, m2, m4;
} masks;

WT_INLINE masks ortho_masks(void)
{
	masks k;
	k.m1 = SPLAT(0x5555555555555555ull);
	k.m2 = SPLAT(0x3333333333333333ull);
	k.m4 = SPLAT(0x0F0F0F0F0F0F0F0Full);
	WT_VBARRIER(k.m1);
	WT_VBARRIER(k.m2);
	WT_VBARRIER(k.m4);
	return k;
}

WT_INLINE void ortho(v64 *q, const masks *k)
{
	SWAPMOVE(q[0], q[1], k->m1, 1);
	SWAPMOVE(q[2], q[3], k->m1, 1);
	SWAPMOVE(q[4], q[5], k->m1, 1);
	SWAPMOVE(q[6], q[7], k->m1, 1);
	SWAPMOVE(q[0], q[2], k->m2, 2);
	SWAPMOVE(q[1], q[3], k->m2, 2);
	SWAPMOVE(q[4], q[6], k->m2, 2);
	SWAPMOVE(q[5], q[7], k->m2, 2);
	SWAPMOVE(q[0], q[4], k->m4, 4);
	SWAPMOVE(q[1], q[5], k->m4, 4);
	SWAPMOVE(q[2], q[6], k->m4, 4);
	SWAPMOVE(q[3], q[7], k->m4, 4);
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
				pl[i] = (uint8_t) - ((k >> b) & 1);
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

/* MixColumns in frame phase ph (see aes_ct64.c for the plane formula):
 * b = 2t ^ rot1(a) ^ rot2(t), t = a ^ rot1(a); per plane,
 *   q'[b] = t[b-1] ^ r[b] ^ u[b] (^ t[7] for b = 1, 3, 4; t[-1] = t[7])
 * with r = rot1(q), u = rot2(t). Computed plane by plane, in order, so
 * that only t[7], r[7] ^ u[7] and the previous plane's t are live besides
 * the state (all 24 were, before): AES-CTR 1.03x in Node 20
 * (bench/gcm-profile.sh). Not through fewer spills: V8's round loop has
 * as many stack moves as before (296 against 279 per four rounds). */
WT_INLINE void mix_columns(v64 *q, int ph)
{
	v64 r, t, u, t7, ru7, prev;
	r = rot8(lanes(q[7], ph));
	t7 = q[7] ^ r;
	ru7 = r ^ rot16(lanes(t7, 2 * ph));
	prev = t7;
#define M_(b, extra)                 \
	r = rot8(lanes(q[b], ph));   \
	t = q[b] ^ r;                \
	u = rot16(lanes(t, 2 * ph)); \
	q[b] = prev ^ r ^ u extra;   \
	prev = t
	M_(0, );
	M_(1, ^t7);
	M_(2, );
	M_(3, ^t7);
	M_(4, ^t7);
	M_(5, );
	M_(6, );
#undef M_
	q[7] = prev ^ ru7;
}

/* One full round into frame phase PH: SubBytes, (free) ShiftRows,
 * MixColumns, AddRoundKey. */
#define ROUND(PH)                              \
	do {                                   \
		sboxv(q);                      \
		mix_columns(q, PH);            \
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
	sboxv(q);
	add_round_key(q, sk + 16 * nr);
	/* Final frame P_Nr: Nr mod 4 is 2 for AES-128/256, 0 for AES-192. */
	if ((nr & 3) == 2) {
		for (b = 0; b < 8; b++)
			q[b] = SHUF(q[b], PINV_2);
	}
}

WT_INLINE void counters(v64 *q, v32 base, uint32_t ctr)
{
	int j;
	for (j = 0; j < 8; j++) {
		v32 blk = base;
		uint32_t c = ctr + (uint32_t)j;
		/* bytes 12..15 = be32(c), read as a little-endian lane */
		blk[3] = (c >> 24) | ((c >> 8) & 0xFF00) | ((c << 8) & 0xFF0000) |
			(c << 24);
		q[j] = (v64)blk;
	}
}

/* see aes_ct.h */
void wt_aes_ctv128_ctr(const uint64_t *sk, unsigned nr, const uint8_t cb[12],
		       uint32_t ctr, const uint8_t *in, uint8_t *out, size_t len,
		       uint32_t ok)
{
	v32 base = { wt_load32_le(cb), wt_load32_le(cb + 4), wt_load32_le(cb + 8), 0 };
	v64 q[8], m = SPLAT(-(uint64_t)ok);
	masks k = ortho_masks();
	uint8_t ks[128];
	int j;
	while (len > 0) {
		counters(q, base, ctr);
		ortho(q, &k);
		encrypt8(sk, nr, q);
		ortho(q, &k);
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
