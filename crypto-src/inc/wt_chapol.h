/*
 * wt_chapol.h: ChaCha20 and Poly1305 (RFC 8439 sections 2.4 and 2.5) and
 * the AEAD_CHACHA20_POLY1305 construction built from them (section 2.8).
 *
 * The TLS record layer goes through wt_aead.h; the primitives are public
 * for tests and for protocol code that needs them alone. Contexts hold no
 * interior pointer and may be copied with memcpy. Nothing here allocates.
 *
 * Buffers: `in` and `out` may be the same pointer (in place); any other
 * overlap is undefined.
 */
#ifndef WT_CHAPOL_H
#define WT_CHAPOL_H

#include <stddef.h>
#include <stdint.h>

/* ---- ChaCha20 (RFC 8439 section 2.4) -------------------------------- */

/* out = in XOR the keystream of (key, nonce) starting at block `counter`.
 * len is at most 64 * (2^32 - counter) bytes: the 32-bit block counter
 * must not wrap (RFC 8439 section 2.4); callers bound it. */
void wt_chacha20(const uint8_t key[32], const uint8_t nonce[12], uint32_t counter,
		 const uint8_t *in, uint8_t *out, size_t len);

/* ---- Poly1305 (RFC 8439 section 2.5) --------------------------------- */

/* 26-bit limbs: h, r and 5*r fit 32-bit words and every product is a
 * 32x32->64 multiply, which wasm has (i64.mul) while 64x64->128 it has
 * not. */
typedef struct {
	uint32_t r[5];
	uint32_t h[5];
	uint32_t pad[4]; /* s, the second half of the one-time key */
	uint8_t buf[16];
	uint32_t buflen;
} wt_poly1305_ctx;

/* A Poly1305 key is one-time: never authenticate two messages with it. */
void wt_poly1305_init(wt_poly1305_ctx *c, const uint8_t key[32]);
void wt_poly1305_update(wt_poly1305_ctx *c, const uint8_t *m, size_t len);
/* Writes the tag and wipes c. */
void wt_poly1305_final(wt_poly1305_ctx *c, uint8_t tag[16]);
void wt_poly1305(const uint8_t key[32], const uint8_t *m, size_t len, uint8_t tag[16]);

/* ---- AEAD_CHACHA20_POLY1305 (RFC 8439 section 2.8) ------------------- */

/* The key as ChaCha20 state words, decoded once per key. */
typedef struct {
	uint32_t k[8];
} wt_chapol_ctx;

/* RFC 8439 section 2.8 limits: plaintext at most 2^38 - 64 bytes (the
 * block counter starts at 1 and must not wrap). AAD is bounded only by
 * the 64-bit length field. */
#define WT_CHAPOL_MAX_LEN ((uint64_t)274877906880u)

/* 0, or -1 if keylen is not 32. */
int wt_chapol_init(wt_chapol_ctx *c, const uint8_t *key, size_t keylen);
/* Encrypt len bytes of in into out and write the 16-byte tag.
 * Returns 0, or -1 if len exceeds WT_CHAPOL_MAX_LEN (nothing written). */
int wt_chapol_seal(const wt_chapol_ctx *c, const uint8_t nonce[12], const uint8_t *aad,
		   size_t aadlen, const uint8_t *in, size_t len, uint8_t *out,
		   uint8_t tag[16]);
/* Verify the tag over (aad, in) in constant time, then decrypt into out.
 * Returns 0; -2 on tag mismatch, with out set to len zero bytes (nothing
 * of the plaintext is ever written); -1 if len exceeds the limit. */
int wt_chapol_open(const wt_chapol_ctx *c, const uint8_t nonce[12], const uint8_t *aad,
		   size_t aadlen, const uint8_t *in, size_t len, uint8_t *out,
		   const uint8_t tag[16]);

#endif
