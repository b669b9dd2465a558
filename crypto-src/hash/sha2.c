/*
 * sha2.c: SHA-256, SHA-384, SHA-512 (FIPS 180-4).
 *
 * Plain scalar code: hashing is constant-time by construction (no data-
 * dependent branches or indexes), so nothing special is needed for secrets.
 * The buffered-bytes count is public (it is the message length).
 */
#include "inner.h"
#include "wt_hash.h"

#define ROTR32(x, n) (((x) >> (n)) | ((x) << (32 - (n))))
#define ROTR64(x, n) (((x) >> (n)) | ((x) << (64 - (n))))
#define CH(x, y, z) (((x) & (y)) ^ (~(x) & (z)))
#define MAJ(x, y, z) (((x) & (y)) ^ ((x) & (z)) ^ ((y) & (z)))

/* FIPS 180-4 section 4.2.2: first 32 bits of the fractional parts of the
 * cube roots of the first 64 primes. */
static const uint32_t K256[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
	0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
	0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
	0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
	0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
	0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
};

/* FIPS 180-4 section 4.2.3. */
static const uint64_t K512[80] = {
	0x428a2f98d728ae22ULL, 0x7137449123ef65cdULL, 0xb5c0fbcfec4d3b2fULL,
	0xe9b5dba58189dbbcULL, 0x3956c25bf348b538ULL, 0x59f111f1b605d019ULL,
	0x923f82a4af194f9bULL, 0xab1c5ed5da6d8118ULL, 0xd807aa98a3030242ULL,
	0x12835b0145706fbeULL, 0x243185be4ee4b28cULL, 0x550c7dc3d5ffb4e2ULL,
	0x72be5d74f27b896fULL, 0x80deb1fe3b1696b1ULL, 0x9bdc06a725c71235ULL,
	0xc19bf174cf692694ULL, 0xe49b69c19ef14ad2ULL, 0xefbe4786384f25e3ULL,
	0x0fc19dc68b8cd5b5ULL, 0x240ca1cc77ac9c65ULL, 0x2de92c6f592b0275ULL,
	0x4a7484aa6ea6e483ULL, 0x5cb0a9dcbd41fbd4ULL, 0x76f988da831153b5ULL,
	0x983e5152ee66dfabULL, 0xa831c66d2db43210ULL, 0xb00327c898fb213fULL,
	0xbf597fc7beef0ee4ULL, 0xc6e00bf33da88fc2ULL, 0xd5a79147930aa725ULL,
	0x06ca6351e003826fULL, 0x142929670a0e6e70ULL, 0x27b70a8546d22ffcULL,
	0x2e1b21385c26c926ULL, 0x4d2c6dfc5ac42aedULL, 0x53380d139d95b3dfULL,
	0x650a73548baf63deULL, 0x766a0abb3c77b2a8ULL, 0x81c2c92e47edaee6ULL,
	0x92722c851482353bULL, 0xa2bfe8a14cf10364ULL, 0xa81a664bbc423001ULL,
	0xc24b8b70d0f89791ULL, 0xc76c51a30654be30ULL, 0xd192e819d6ef5218ULL,
	0xd69906245565a910ULL, 0xf40e35855771202aULL, 0x106aa07032bbd1b8ULL,
	0x19a4c116b8d2d0c8ULL, 0x1e376c085141ab53ULL, 0x2748774cdf8eeb99ULL,
	0x34b0bcb5e19b48a8ULL, 0x391c0cb3c5c95a63ULL, 0x4ed8aa4ae3418acbULL,
	0x5b9cca4f7763e373ULL, 0x682e6ff3d6b2b8a3ULL, 0x748f82ee5defb2fcULL,
	0x78a5636f43172f60ULL, 0x84c87814a1f0ab72ULL, 0x8cc702081a6439ecULL,
	0x90befffa23631e28ULL, 0xa4506cebde82bde9ULL, 0xbef9a3f7b2c67915ULL,
	0xc67178f2e372532bULL, 0xca273eceea26619cULL, 0xd186b8c721c0c207ULL,
	0xeada7dd6cde0eb1eULL, 0xf57d4f7fee6ed178ULL, 0x06f067aa72176fbaULL,
	0x0a637dc5a2c898a6ULL, 0x113f9804bef90daeULL, 0x1b710b35131c471bULL,
	0x28db77f523047d84ULL, 0x32caab7b40c72493ULL, 0x3c9ebe0a15c9bebcULL,
	0x431d67c49c100d4cULL, 0x4cc5d4becb3e42b6ULL, 0x597f299cfc657e2aULL,
	0x5fcb6fab3ad6faecULL, 0x6c44198c4a475817ULL
};

/* Compress nblocks 64-byte blocks into h. The message schedule is kept in
 * a 16-word ring so the working set stays small. */
static void sha256_blocks(uint32_t h[8], const uint8_t *p, size_t nblocks)
{
	uint32_t w[16];
	while (nblocks-- > 0) {
		uint32_t a = h[0], b = h[1], c = h[2], d = h[3];
		uint32_t e = h[4], f = h[5], g = h[6], hh = h[7];
		int i;
		for (i = 0; i < 16; i++)
			w[i] = wt_load32_be(p + 4 * i);
		for (i = 0; i < 64; i++) {
			uint32_t t1, t2, wi;
			if (i < 16) {
				wi = w[i];
			} else {
				uint32_t w15 = w[(i - 15) & 15], w2 = w[(i - 2) & 15];
				uint32_t s0 =
					ROTR32(w15, 7) ^ ROTR32(w15, 18) ^ (w15 >> 3);
				uint32_t s1 =
					ROTR32(w2, 17) ^ ROTR32(w2, 19) ^ (w2 >> 10);
				wi = w[i & 15] = w[i & 15] + s0 + w[(i - 7) & 15] + s1;
			}
			t1 = hh + (ROTR32(e, 6) ^ ROTR32(e, 11) ^ ROTR32(e, 25)) +
				CH(e, f, g) + K256[i] + wi;
			t2 = (ROTR32(a, 2) ^ ROTR32(a, 13) ^ ROTR32(a, 22)) +
				MAJ(a, b, c);
			hh = g;
			g = f;
			f = e;
			e = d + t1;
			d = c;
			c = b;
			b = a;
			a = t1 + t2;
		}
		h[0] += a;
		h[1] += b;
		h[2] += c;
		h[3] += d;
		h[4] += e;
		h[5] += f;
		h[6] += g;
		h[7] += hh;
		p += 64;
	}
}

static void sha512_blocks(uint64_t h[8], const uint8_t *p, size_t nblocks)
{
	uint64_t w[16];
	while (nblocks-- > 0) {
		uint64_t a = h[0], b = h[1], c = h[2], d = h[3];
		uint64_t e = h[4], f = h[5], g = h[6], hh = h[7];
		int i;
		for (i = 0; i < 16; i++)
			w[i] = wt_load64_be(p + 8 * i);
		for (i = 0; i < 80; i++) {
			uint64_t t1, t2, wi;
			if (i < 16) {
				wi = w[i];
			} else {
				uint64_t w15 = w[(i - 15) & 15], w2 = w[(i - 2) & 15];
				uint64_t s0 =
					ROTR64(w15, 1) ^ ROTR64(w15, 8) ^ (w15 >> 7);
				uint64_t s1 = ROTR64(w2, 19) ^ ROTR64(w2, 61) ^ (w2 >> 6);
				wi = w[i & 15] = w[i & 15] + s0 + w[(i - 7) & 15] + s1;
			}
			t1 = hh + (ROTR64(e, 14) ^ ROTR64(e, 18) ^ ROTR64(e, 41)) +
				CH(e, f, g) + K512[i] + wi;
			t2 = (ROTR64(a, 28) ^ ROTR64(a, 34) ^ ROTR64(a, 39)) +
				MAJ(a, b, c);
			hh = g;
			g = f;
			f = e;
			e = d + t1;
			d = c;
			c = b;
			b = a;
			a = t1 + t2;
		}
		h[0] += a;
		h[1] += b;
		h[2] += c;
		h[3] += d;
		h[4] += e;
		h[5] += f;
		h[6] += g;
		h[7] += hh;
		p += 128;
	}
}

/* ---- SHA-256 ---------------------------------------------------------- */

void wt_sha256_init(wt_sha256_ctx *c)
{
	/* FIPS 180-4 section 5.3.3 */
	static const uint32_t iv[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
					0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };
	memcpy(c->h, iv, sizeof iv);
	c->count = 0;
}

void wt_sha256_update(wt_sha256_ctx *c, const void *data, size_t len)
{
	const uint8_t *p = (const uint8_t *)data;
	size_t used = (size_t)(c->count & 63);
	c->count += len;
	if (used > 0) {
		size_t take = 64 - used;
		if (take > len)
			take = len;
		memcpy(c->buf + used, p, take);
		p += take;
		len -= take;
		if (used + take < 64)
			return;
		sha256_blocks(c->h, c->buf, 1);
	}
	if (len >= 64) {
		sha256_blocks(c->h, p, len >> 6);
		p += len & ~(size_t)63;
		len &= 63;
	}
	memcpy(c->buf, p, len);
}

/* Padding per FIPS 180-4 section 5.1.1, on a copy of the state. */
void wt_sha256_out(const wt_sha256_ctx *c, uint8_t out[32])
{
	uint8_t blk[128];
	uint32_t h[8];
	size_t used = (size_t)(c->count & 63);
	size_t n = used < 56 ? 64 : 128;
	int i;
	memcpy(blk, c->buf, used);
	memset(blk + used, 0, n - used);
	blk[used] = 0x80;
	wt_store64_be(blk + n - 8, c->count << 3);
	memcpy(h, c->h, sizeof h);
	sha256_blocks(h, blk, n >> 6);
	for (i = 0; i < 8; i++)
		wt_store32_be(out + 4 * i, h[i]);
	wt_wipe(blk, sizeof blk);
	wt_wipe(h, sizeof h);
}

void wt_sha256(const void *data, size_t len, uint8_t out[32])
{
	wt_sha256_ctx c;
	wt_sha256_init(&c);
	wt_sha256_update(&c, data, len);
	wt_sha256_out(&c, out);
	wt_wipe(&c, sizeof c);
}

/* ---- SHA-512 / SHA-384 ------------------------------------------------ */

void wt_sha512_init(wt_sha512_ctx *c)
{
	/* FIPS 180-4 section 5.3.5 */
	static const uint64_t iv[8] = { 0x6a09e667f3bcc908ULL, 0xbb67ae8584caa73bULL,
					0x3c6ef372fe94f82bULL, 0xa54ff53a5f1d36f1ULL,
					0x510e527fade682d1ULL, 0x9b05688c2b3e6c1fULL,
					0x1f83d9abfb41bd6bULL, 0x5be0cd19137e2179ULL };
	memcpy(c->h, iv, sizeof iv);
	c->count = 0;
}

void wt_sha384_init(wt_sha512_ctx *c)
{
	/* FIPS 180-4 section 5.3.4 */
	static const uint64_t iv[8] = { 0xcbbb9d5dc1059ed8ULL, 0x629a292a367cd507ULL,
					0x9159015a3070dd17ULL, 0x152fecd8f70e5939ULL,
					0x67332667ffc00b31ULL, 0x8eb44a8768581511ULL,
					0xdb0c2e0d64f98fa7ULL, 0x47b5481dbefa4fa4ULL };
	memcpy(c->h, iv, sizeof iv);
	c->count = 0;
}

void wt_sha512_update(wt_sha512_ctx *c, const void *data, size_t len)
{
	const uint8_t *p = (const uint8_t *)data;
	size_t used = (size_t)(c->count & 127);
	c->count += len;
	if (used > 0) {
		size_t take = 128 - used;
		if (take > len)
			take = len;
		memcpy(c->buf + used, p, take);
		p += take;
		len -= take;
		if (used + take < 128)
			return;
		sha512_blocks(c->h, c->buf, 1);
	}
	if (len >= 128) {
		sha512_blocks(c->h, p, len >> 7);
		p += len & ~(size_t)127;
		len &= 127;
	}
	memcpy(c->buf, p, len);
}

/* FIPS 180-4 section 5.1.2: the length field is the 128-bit bit count;
 * its low 64 bits are count << 3 and its high bits count >> 61. */
static void sha512_final(const wt_sha512_ctx *c, uint8_t *out, int nwords)
{
	uint8_t blk[256];
	uint64_t h[8];
	size_t used = (size_t)(c->count & 127);
	size_t n = used < 112 ? 128 : 256;
	int i;
	memcpy(blk, c->buf, used);
	memset(blk + used, 0, n - used);
	blk[used] = 0x80;
	wt_store64_be(blk + n - 16, c->count >> 61);
	wt_store64_be(blk + n - 8, c->count << 3);
	memcpy(h, c->h, sizeof h);
	sha512_blocks(h, blk, n >> 7);
	for (i = 0; i < nwords; i++)
		wt_store64_be(out + 8 * i, h[i]);
	wt_wipe(blk, sizeof blk);
	wt_wipe(h, sizeof h);
}

void wt_sha512_out(const wt_sha512_ctx *c, uint8_t out[64])
{
	sha512_final(c, out, 8);
}

void wt_sha384_out(const wt_sha512_ctx *c, uint8_t out[48])
{
	sha512_final(c, out, 6);
}

void wt_sha512(const void *data, size_t len, uint8_t out[64])
{
	wt_sha512_ctx c;
	wt_sha512_init(&c);
	wt_sha512_update(&c, data, len);
	wt_sha512_out(&c, out);
	wt_wipe(&c, sizeof c);
}

void wt_sha384(const void *data, size_t len, uint8_t out[48])
{
	wt_sha512_ctx c;
	wt_sha384_init(&c);
	wt_sha512_update(&c, data, len);
	wt_sha384_out(&c, out);
	wt_wipe(&c, sizeof c);
}

/* ---- by id --------------------------------------------------------------- */

size_t wt_hash_len(uint32_t id)
{
	switch (id) {
	case WT_SHA256: return 32;
	case WT_SHA384: return 48;
	case WT_SHA512: return 64;
	default: return 0;
	}
}

size_t wt_hash_block_len(uint32_t id)
{
	switch (id) {
	case WT_SHA256: return 64;
	case WT_SHA384:
	case WT_SHA512: return 128;
	default: return 0;
	}
}

int wt_hash_init(wt_hash_ctx *c, uint32_t id)
{
	c->id = id;
	switch (id) {
	case WT_SHA256: wt_sha256_init(&c->u.s256); return 0;
	case WT_SHA384: wt_sha384_init(&c->u.s512); return 0;
	case WT_SHA512: wt_sha512_init(&c->u.s512); return 0;
	default: return -1;
	}
}

void wt_hash_update(wt_hash_ctx *c, const void *data, size_t len)
{
	if (c->id == WT_SHA256)
		wt_sha256_update(&c->u.s256, data, len);
	else
		wt_sha512_update(&c->u.s512, data, len);
}

void wt_hash_out(const wt_hash_ctx *c, uint8_t *out)
{
	switch (c->id) {
	case WT_SHA256: wt_sha256_out(&c->u.s256, out); break;
	case WT_SHA384: wt_sha384_out(&c->u.s512, out); break;
	default: wt_sha512_out(&c->u.s512, out); break;
	}
}

int wt_hash(uint32_t id, const void *data, size_t len, uint8_t *out)
{
	wt_hash_ctx c;
	if (wt_hash_init(&c, id) != 0)
		return -1;
	wt_hash_update(&c, data, len);
	wt_hash_out(&c, out);
	wt_wipe(&c, sizeof c);
	return 0;
}
