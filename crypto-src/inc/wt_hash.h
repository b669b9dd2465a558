/*
 * wt_hash.h: SHA-2 (FIPS 180-4), HMAC (RFC 2104) and HKDF (RFC 5869) with
 * the TLS 1.3 HKDF-Expand-Label and Derive-Secret (RFC 8446 section 7.1).
 *
 * Contexts hold no interior pointer and no pointer to a vtable (the hash is
 * named by an id), so a context can be copied with memcpy at any point: a
 * TLS transcript hash is forked that way. Nothing here allocates.
 */
#ifndef WT_HASH_H
#define WT_HASH_H

#include <stddef.h>
#include <stdint.h>

/* Hash ids; the numbering is shared with ts/core/hash.ts. */
enum { WT_SHA256 = 1, WT_SHA384 = 2, WT_SHA512 = 3 };

#define WT_SHA256_LEN 32
#define WT_SHA384_LEN 48
#define WT_SHA512_LEN 64
#define WT_HASH_MAX_LEN 64
#define WT_HASH_MAX_BLOCK 128

typedef struct {
	uint32_t h[8];
	uint64_t count; /* bytes hashed so far */
	uint8_t buf[64];
} wt_sha256_ctx;

/* SHA-384 is SHA-512 with another IV and a truncated output. */
typedef struct {
	uint64_t h[8];
	uint64_t count;
	uint8_t buf[128];
} wt_sha512_ctx;

void wt_sha256_init(wt_sha256_ctx *c);
void wt_sha256_update(wt_sha256_ctx *c, const void *data, size_t len);
/* Writes the digest; c is left unchanged, so hashing may go on (a running
 * transcript hash is read at several points this way). */
void wt_sha256_out(const wt_sha256_ctx *c, uint8_t out[32]);
void wt_sha256(const void *data, size_t len, uint8_t out[32]);

void wt_sha384_init(wt_sha512_ctx *c);
void wt_sha384_out(const wt_sha512_ctx *c, uint8_t out[48]);
void wt_sha384(const void *data, size_t len, uint8_t out[48]);
void wt_sha512_init(wt_sha512_ctx *c);
void wt_sha512_update(wt_sha512_ctx *c, const void *data, size_t len);
#define wt_sha384_update wt_sha512_update
void wt_sha512_out(const wt_sha512_ctx *c, uint8_t out[64]);
void wt_sha512(const void *data, size_t len, uint8_t out[64]);

/* ---- one interface over the three, by id ---------------------------- */

typedef struct {
	uint32_t id;
	union {
		wt_sha256_ctx s256;
		wt_sha512_ctx s512;
	} u;
} wt_hash_ctx;

/* Digest length and block length of a hash id; 0 for an unknown id. */
size_t wt_hash_len(uint32_t id);
size_t wt_hash_block_len(uint32_t id);
/* Returns 0, or -1 for an unknown id (c is then unusable). */
int wt_hash_init(wt_hash_ctx *c, uint32_t id);
void wt_hash_update(wt_hash_ctx *c, const void *data, size_t len);
/* Writes wt_hash_len(c->id) bytes; c is left unchanged. */
void wt_hash_out(const wt_hash_ctx *c, uint8_t *out);
int wt_hash(uint32_t id, const void *data, size_t len, uint8_t *out);

/* ---- HMAC ----------------------------------------------------------- */

/* Both keyed states are kept, so the context can be copied and reused
 * (ctx after init = the key; HKDF-Expand restarts from it each block). */
typedef struct {
	wt_hash_ctx inner;
	wt_hash_ctx outer;
} wt_hmac_ctx;

int wt_hmac_init(wt_hmac_ctx *c, uint32_t id, const void *key, size_t keylen);
void wt_hmac_update(wt_hmac_ctx *c, const void *data, size_t len);
/* Writes wt_hash_len(id) bytes; c is left unchanged. */
void wt_hmac_out(const wt_hmac_ctx *c, uint8_t *out);
int wt_hmac(uint32_t id, const void *key, size_t keylen, const void *data, size_t len,
	    uint8_t *out);

/* ---- HKDF and the TLS 1.3 key schedule helpers --------------------- */

/* PRK = HMAC-Hash(salt, IKM); an empty salt means HashLen zeros
 * (RFC 5869 section 2.2). Writes wt_hash_len(id) bytes. */
int wt_hkdf_extract(uint32_t id, const void *salt, size_t saltlen, const void *ikm,
		    size_t ikmlen, uint8_t *prk);
/* OKM of outlen bytes; -1 if outlen > 255 * HashLen (RFC 5869 2.3). */
int wt_hkdf_expand(uint32_t id, const void *prk, size_t prklen, const void *info,
		   size_t infolen, uint8_t *out, size_t outlen);

/* RFC 8446 section 7.1:
 *   HKDF-Expand-Label(Secret, Label, Context, Length) =
 *        HKDF-Expand(Secret, HkdfLabel, Length)
 *   struct { uint16 length; opaque label<7..255> = "tls13 " + Label;
 *            opaque context<0..255>; } HkdfLabel;
 * label is given without the "tls13 " prefix. -1 when a length does not
 * fit its field. */
int wt_hkdf_expand_label(uint32_t id, const void *secret, size_t secretlen,
			 const char *label, size_t labellen, const void *context,
			 size_t ctxlen, uint8_t *out, size_t outlen);
/* Derive-Secret(Secret, Label, Messages) =
 *   HKDF-Expand-Label(Secret, Label, Transcript-Hash(Messages), Hash.length)
 * taking the transcript hash already computed (thash, HashLen bytes). */
int wt_derive_secret(uint32_t id, const void *secret, const char *label, size_t labellen,
		     const uint8_t *thash, uint8_t *out);

#endif
