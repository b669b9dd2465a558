/*
 * sha3.c: Keccak-f[1600] (FIPS 202 section 3) and the sponge functions
 * SHA3-256, SHA3-512, SHAKE128, SHAKE256 (FIPS 202 sections 4 to 6).
 *
 * Plain 64-bit scalar code (wasm has native i64 and i64.rotl). There is no
 * data-dependent branch or index anywhere: hashing secrets is constant-
 * time by construction. The byte counters are lengths, hence public.
 */
#include "inner.h"
#include "wt_sha3.h"

/* (n & 63) keeps the count in range, so a rotation by 0 is defined. */
#define ROL64(x, n) (((x) << (n)) | ((x) >> ((64 - (n)) & 63)))

/* FIPS 202 section 3.2.5: the round constants RC[ir] of iota, i.e.
 * rc(j + 7 * ir) placed at bit 2^j - 1 for j = 0..6. */
static const uint64_t RC[24] = {
	0x0000000000000001ULL, 0x0000000000008082ULL, 0x800000000000808aULL,
	0x8000000080008000ULL, 0x000000000000808bULL, 0x0000000080000001ULL,
	0x8000000080008081ULL, 0x8000000000008009ULL, 0x000000000000008aULL,
	0x0000000000000088ULL, 0x0000000080008009ULL, 0x000000008000000aULL,
	0x000000008000808bULL, 0x800000000000008bULL, 0x8000000000008089ULL,
	0x8000000000008003ULL, 0x8000000000008002ULL, 0x8000000000000080ULL,
	0x000000000000800aULL, 0x800000008000000aULL, 0x8000000080008081ULL,
	0x8000000000008080ULL, 0x0000000080000001ULL, 0x8000000080008008ULL
};

/*
 * The permutation in the "lane complementing" form of the Keccak team's
 * implementation overview (section 2.2): lanes 1, 2, 8, 12, 17 and 20 are
 * kept complemented inside the rounds. chi, b[x] ^ (~b[x+1] & b[x+2]),
 * then needs one NOT per row instead of five (wasm and baseline x86-64
 * have no and-not), which saves about 15% of the instructions.
 *
 * Lanes are named by row (b g k m s for y = 0..4) and column (a e i o u
 * for x = 0..4): Abe is lane (1, 0) = st[1], Asu is (4, 4) = st[24].
 * Each output row y reads the lanes that pi sends there, ((x + 3y) mod 5,
 * x), after theta (3.2.1) and the rho rotation of Table 2 (3.2.2), then
 * applies chi (3.2.4) with the complement pattern folded in; iota (3.2.5)
 * ends the round. test_sha3.c checks this against a plain transcription
 * of the step mappings on random states.
 */
#define KROUND(A, E, rc)                                         \
	do {                                                     \
		uint64_t Ca, Ce, Ci, Co, Cu, Da, De, Di, Do, Du; \
		uint64_t B0, B1, B2, B3, B4;                     \
		Ca = A##ba ^ A##ga ^ A##ka ^ A##ma ^ A##sa;      \
		Ce = A##be ^ A##ge ^ A##ke ^ A##me ^ A##se;      \
		Ci = A##bi ^ A##gi ^ A##ki ^ A##mi ^ A##si;      \
		Co = A##bo ^ A##go ^ A##ko ^ A##mo ^ A##so;      \
		Cu = A##bu ^ A##gu ^ A##ku ^ A##mu ^ A##su;      \
		Da = Cu ^ ROL64(Ce, 1);                          \
		De = Ca ^ ROL64(Ci, 1);                          \
		Di = Ce ^ ROL64(Co, 1);                          \
		Do = Ci ^ ROL64(Cu, 1);                          \
		Du = Co ^ ROL64(Ca, 1);                          \
		B0 = A##ba ^ Da;                                 \
		B1 = ROL64(A##ge ^ De, 44);                      \
		B2 = ROL64(A##ki ^ Di, 43);                      \
		B3 = ROL64(A##mo ^ Do, 21);                      \
		B4 = ROL64(A##su ^ Du, 14);                      \
		E##ba = B0 ^ (B1 | B2) ^ (rc);                   \
		E##be = B1 ^ (~B2 | B3);                         \
		E##bi = B2 ^ (B3 & B4);                          \
		E##bo = B3 ^ (B4 | B0);                          \
		E##bu = B4 ^ (B0 & B1);                          \
		B0 = ROL64(A##bo ^ Do, 28);                      \
		B1 = ROL64(A##gu ^ Du, 20);                      \
		B2 = ROL64(A##ka ^ Da, 3);                       \
		B3 = ROL64(A##me ^ De, 45);                      \
		B4 = ROL64(A##si ^ Di, 61);                      \
		E##ga = B0 ^ (B1 | B2);                          \
		E##ge = B1 ^ (B2 & B3);                          \
		E##gi = B2 ^ (B3 | ~B4);                         \
		E##go = B3 ^ (B4 | B0);                          \
		E##gu = B4 ^ (B0 & B1);                          \
		B0 = ROL64(A##be ^ De, 1);                       \
		B1 = ROL64(A##gi ^ Di, 6);                       \
		B2 = ROL64(A##ko ^ Do, 25);                      \
		B3 = ROL64(A##mu ^ Du, 8);                       \
		B4 = ROL64(A##sa ^ Da, 18);                      \
		E##ka = B0 ^ (B1 | B2);                          \
		E##ke = B1 ^ (B2 & B3);                          \
		E##ki = B2 ^ (~B3 & B4);                         \
		E##ko = ~B3 ^ (B4 | B0);                         \
		E##ku = B4 ^ (B0 & B1);                          \
		B0 = ROL64(A##bu ^ Du, 27);                      \
		B1 = ROL64(A##ga ^ Da, 36);                      \
		B2 = ROL64(A##ke ^ De, 10);                      \
		B3 = ROL64(A##mi ^ Di, 15);                      \
		B4 = ROL64(A##so ^ Do, 56);                      \
		E##ma = B0 ^ (B1 & B2);                          \
		E##me = B1 ^ (B2 | B3);                          \
		E##mi = B2 ^ (~B3 | B4);                         \
		E##mo = ~B3 ^ (B4 & B0);                         \
		E##mu = B4 ^ (B0 | B1);                          \
		B0 = ROL64(A##bi ^ Di, 62);                      \
		B1 = ROL64(A##go ^ Do, 55);                      \
		B2 = ROL64(A##ku ^ Du, 39);                      \
		B3 = ROL64(A##ma ^ Da, 41);                      \
		B4 = ROL64(A##se ^ De, 2);                       \
		E##sa = B0 ^ (~B1 & B2);                         \
		E##se = ~B1 ^ (B2 | B3);                         \
		E##si = B2 ^ (B3 & B4);                          \
		E##so = B3 ^ (B4 | B0);                          \
		E##su = B4 ^ (B0 & B1);                          \
	} while (0)

#define KLANES(P)                                                                     \
	P##ba, P##be, P##bi, P##bo, P##bu, P##ga, P##ge, P##gi, P##go, P##gu, P##ka,  \
		P##ke, P##ki, P##ko, P##ku, P##ma, P##me, P##mi, P##mo, P##mu, P##sa, \
		P##se, P##si, P##so, P##su

void wt_keccak_f1600(uint64_t st[25])
{
	uint64_t KLANES(A), KLANES(E);
	int i;
	Aba = st[0];
	Abe = ~st[1];
	Abi = ~st[2];
	Abo = st[3];
	Abu = st[4];
	Aga = st[5];
	Age = st[6];
	Agi = st[7];
	Ago = ~st[8];
	Agu = st[9];
	Aka = st[10];
	Ake = st[11];
	Aki = ~st[12];
	Ako = st[13];
	Aku = st[14];
	Ama = st[15];
	Ame = st[16];
	Ami = ~st[17];
	Amo = st[18];
	Amu = st[19];
	Asa = ~st[20];
	Ase = st[21];
	Asi = st[22];
	Aso = st[23];
	Asu = st[24];
	for (i = 0; i < 24; i += 2) {
		KROUND(A, E, RC[i]);
		KROUND(E, A, RC[i + 1]);
	}
	st[0] = Aba;
	st[1] = ~Abe;
	st[2] = ~Abi;
	st[3] = Abo;
	st[4] = Abu;
	st[5] = Aga;
	st[6] = Age;
	st[7] = Agi;
	st[8] = ~Ago;
	st[9] = Agu;
	st[10] = Aka;
	st[11] = Ake;
	st[12] = ~Aki;
	st[13] = Ako;
	st[14] = Aku;
	st[15] = Ama;
	st[16] = Ame;
	st[17] = ~Ami;
	st[18] = Amo;
	st[19] = Amu;
	st[20] = ~Asa;
	st[21] = Ase;
	st[22] = Asi;
	st[23] = Aso;
	st[24] = Asu;
}

/* ---- sponge ------------------------------------------------------------ */

static void keccak_init(wt_keccak_ctx *c, uint32_t rate, uint32_t dsbyte)
{
	memset(c->st, 0, sizeof c->st);
	c->rate = rate;
	c->pos = 0;
	c->dsbyte = dsbyte;
	c->squeezing = 0;
}

/* XOR len bytes into the state from byte offset off (off + len <= rate). */
static void xor_bytes(uint64_t st[25], size_t off, const uint8_t *p, size_t len)
{
	/* Whole lanes when aligned; byte by byte at the edges. */
	while (len > 0 && (off & 7) != 0) {
		st[off >> 3] ^= (uint64_t)*p++ << (8 * (off & 7));
		off++;
		len--;
	}
	while (len >= 8) {
		st[off >> 3] ^= wt_load64_le(p);
		p += 8;
		off += 8;
		len -= 8;
	}
	while (len > 0) {
		st[off >> 3] ^= (uint64_t)*p++ << (8 * (off & 7));
		off++;
		len--;
	}
}

static void get_bytes(const uint64_t st[25], size_t off, uint8_t *p, size_t len)
{
	while (len > 0 && (off & 7) != 0) {
		*p++ = (uint8_t)(st[off >> 3] >> (8 * (off & 7)));
		off++;
		len--;
	}
	while (len >= 8) {
		wt_store64_le(p, st[off >> 3]);
		p += 8;
		off += 8;
		len -= 8;
	}
	while (len > 0) {
		*p++ = (uint8_t)(st[off >> 3] >> (8 * (off & 7)));
		off++;
		len--;
	}
}

static void absorb(wt_keccak_ctx *c, const uint8_t *p, size_t len)
{
	size_t rate = c->rate;
	while (len > 0) {
		size_t n = rate - c->pos;
		if (n > len)
			n = len;
		xor_bytes(c->st, c->pos, p, n);
		c->pos += (uint32_t)n;
		p += n;
		len -= n;
		if (c->pos == rate) {
			wt_keccak_f1600(c->st);
			c->pos = 0;
		}
	}
}

/*
 * pad10*1 after the domain bits (FIPS 202 5.1 and B.2): SHA-3 appends the
 * bits 01, SHAKE the bits 1111, then the pad's first 1; in byte terms
 * 0x06 or 0x1f at the end of the message and 0x80 in the last byte of the
 * block (the two meet in one byte when a single byte is free). Leaves
 * the context ready to output one block.
 */
static void pad_and_flip(wt_keccak_ctx *c)
{
	size_t p = c->pos;
	c->st[p >> 3] ^= (uint64_t)c->dsbyte << (8 * (p & 7));
	c->st[(c->rate - 1) >> 3] ^= (uint64_t)0x80 << (8 * ((c->rate - 1) & 7));
	wt_keccak_f1600(c->st);
	c->pos = 0;
	c->squeezing = 1;
}

static void squeeze(wt_keccak_ctx *c, uint8_t *out, size_t len)
{
	size_t rate = c->rate;
	while (len > 0) {
		size_t n;
		if (c->pos == rate) {
			wt_keccak_f1600(c->st);
			c->pos = 0;
		}
		n = rate - c->pos;
		if (n > len)
			n = len;
		get_bytes(c->st, c->pos, out, n);
		c->pos += (uint32_t)n;
		out += n;
		len -= n;
	}
}

/* ---- SHA-3 ------------------------------------------------------------- */

void wt_sha3_256_init(wt_sha3_ctx *c)
{
	keccak_init(c, WT_SHA3_256_RATE, 0x06);
}
void wt_sha3_512_init(wt_sha3_ctx *c)
{
	keccak_init(c, WT_SHA3_512_RATE, 0x06);
}

void wt_sha3_update(wt_sha3_ctx *c, const void *data, size_t len)
{
	absorb(c, (const uint8_t *)data, len);
}

void wt_sha3_out(const wt_sha3_ctx *c, uint8_t *out)
{
	wt_keccak_ctx t = *c;
	/* d = capacity / 2 and capacity = 200 - rate bytes. */
	size_t dlen = (200 - t.rate) / 2;
	pad_and_flip(&t);
	get_bytes(t.st, 0, out, dlen);
	wt_wipe(&t, sizeof t);
}

void wt_sha3_256(const void *data, size_t len, uint8_t out[32])
{
	wt_sha3_ctx c;
	wt_sha3_256_init(&c);
	absorb(&c, (const uint8_t *)data, len);
	pad_and_flip(&c);
	get_bytes(c.st, 0, out, 32);
	wt_wipe(&c, sizeof c);
}

void wt_sha3_512(const void *data, size_t len, uint8_t out[64])
{
	wt_sha3_ctx c;
	wt_sha3_512_init(&c);
	absorb(&c, (const uint8_t *)data, len);
	pad_and_flip(&c);
	get_bytes(c.st, 0, out, 64);
	wt_wipe(&c, sizeof c);
}

/* ---- SHAKE ----------------------------------------------------------- */

void wt_shake128_init(wt_shake_ctx *c)
{
	keccak_init(c, WT_SHAKE128_RATE, 0x1f);
}
void wt_shake256_init(wt_shake_ctx *c)
{
	keccak_init(c, WT_SHAKE256_RATE, 0x1f);
}

int wt_shake_absorb(wt_shake_ctx *c, const void *data, size_t len)
{
	if (c->squeezing)
		return -1;
	absorb(c, (const uint8_t *)data, len);
	return 0;
}

void wt_shake_squeeze(wt_shake_ctx *c, uint8_t *out, size_t len)
{
	if (!c->squeezing)
		pad_and_flip(c);
	squeeze(c, out, len);
}

void wt_shake128(uint8_t *out, size_t outlen, const void *data, size_t len)
{
	wt_shake_ctx c;
	wt_shake128_init(&c);
	absorb(&c, (const uint8_t *)data, len);
	wt_shake_squeeze(&c, out, outlen);
	wt_wipe(&c, sizeof c);
}

void wt_shake256(uint8_t *out, size_t outlen, const void *data, size_t len)
{
	wt_shake_ctx c;
	wt_shake256_init(&c);
	absorb(&c, (const uint8_t *)data, len);
	wt_shake_squeeze(&c, out, outlen);
	wt_wipe(&c, sizeof c);
}
