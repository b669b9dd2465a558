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
 * One output row y of rho, pi and chi together. pi sends lane
 * ((x + 3y) mod 5, x) to (x, y) (FIPS 202 3.2.3), so row y reads the five
 * lanes i0..i4 below, each after theta's column parity (d[i % 5], 3.2.1)
 * and its rho rotation r0..r4 (Table 2, 3.2.2); chi (3.2.4) then mixes the
 * row: b[x] ^ (~b[x+1] & b[x+2]).
 */
#define KROW(a, e, y, i0, r0, i1, r1, i2, r2, i3, r3, i4, r4) do { \
	uint64_t b0 = ROL64(a[i0] ^ d[(i0) % 5], r0); \
	uint64_t b1 = ROL64(a[i1] ^ d[(i1) % 5], r1); \
	uint64_t b2 = ROL64(a[i2] ^ d[(i2) % 5], r2); \
	uint64_t b3 = ROL64(a[i3] ^ d[(i3) % 5], r3); \
	uint64_t b4 = ROL64(a[i4] ^ d[(i4) % 5], r4); \
	e[5 * (y) + 0] = b0 ^ (~b1 & b2); \
	e[5 * (y) + 1] = b1 ^ (~b2 & b3); \
	e[5 * (y) + 2] = b2 ^ (~b3 & b4); \
	e[5 * (y) + 3] = b3 ^ (~b4 & b0); \
	e[5 * (y) + 4] = b4 ^ (~b0 & b1); \
} while (0)

/* One round from state a into state e. Every index is a constant, so the
 * two 25-lane arrays live in registers / wasm locals. */
#define KROUND(a, e, rc) do { \
	uint64_t c[5], d[5]; \
	int x_; \
	for (x_ = 0; x_ < 5; x_++) \
		c[x_] = a[x_] ^ a[x_ + 5] ^ a[x_ + 10] ^ a[x_ + 15] ^ a[x_ + 20]; \
	for (x_ = 0; x_ < 5; x_++) \
		d[x_] = c[(x_ + 4) % 5] ^ ROL64(c[(x_ + 1) % 5], 1); \
	KROW(a, e, 0,  0,  0,  6, 44, 12, 43, 18, 21, 24, 14); \
	KROW(a, e, 1,  3, 28,  9, 20, 10,  3, 16, 45, 22, 61); \
	KROW(a, e, 2,  1,  1,  7,  6, 13, 25, 19,  8, 20, 18); \
	KROW(a, e, 3,  4, 27,  5, 36, 11, 10, 17, 15, 23, 56); \
	KROW(a, e, 4,  2, 62,  8, 55, 14, 39, 15, 41, 21,  2); \
	e[0] ^= (rc); \
} while (0)

void wt_keccak_f1600(uint64_t st[25])
{
	uint64_t a[25], e[25];
	int i;
	memcpy(a, st, sizeof a);
	for (i = 0; i < 24; i += 2) {
		KROUND(a, e, RC[i]);
		KROUND(e, a, RC[i + 1]);
	}
	memcpy(st, a, sizeof a);
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

void wt_sha3_256_init(wt_sha3_ctx *c) { keccak_init(c, WT_SHA3_256_RATE, 0x06); }
void wt_sha3_512_init(wt_sha3_ctx *c) { keccak_init(c, WT_SHA3_512_RATE, 0x06); }

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

void wt_shake128_init(wt_shake_ctx *c) { keccak_init(c, WT_SHAKE128_RATE, 0x1f); }
void wt_shake256_init(wt_shake_ctx *c) { keccak_init(c, WT_SHAKE256_RATE, 0x1f); }

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
