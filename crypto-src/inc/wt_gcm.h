/*
 * wt_gcm.h: AES-GCM (NIST SP 800-38D) with AES-128, AES-192 and AES-256
 * (FIPS 197), constant-time throughout: bitsliced AES (no S-box table) and
 * GHASH by integer multiplication with masked "holes" (no table indexed by
 * H or data). No branch and no memory index depends on the key, H, the
 * plaintext or the counter blocks.
 *
 * The context holds the expanded key and the GHASH key (H^1..H^8) and no
 * interior pointer, so it can live anywhere (wasm linear memory included)
 * and be copied with memcpy. It is a secret: wipe it (wt_wipe) when done.
 * Nothing here allocates.
 */
#ifndef WT_GCM_H
#define WT_GCM_H

#include <stddef.h>
#include <stdint.h>

#define WT_GCM_TAG_LEN 16

typedef struct {
	uint32_t impl;    /* AES implementation that laid out sk (aes_ct.h) */
	uint32_t rounds;  /* 10, 12 or 14 */
	uint64_t sk[240]; /* bitsliced round keys; layout depends on impl */
	uint64_t hk[192]; /* GHASH key: H^1..H^8 prepared for ghash_ctmul64 */
} wt_gcm_ctx;

/* Expand an AES key of keylen 16, 24 or 32 bytes. Returns 0, or -1 for
 * another length (c is then left zeroed). */
int wt_gcm_init(wt_gcm_ctx *c, const uint8_t *key, size_t keylen);

/* Encrypt len bytes of in to out (out may equal in; otherwise the two must
 * not overlap) and write the 16-byte tag over aad and the ciphertext.
 * iv is any length of at least 1 byte (12 is TLS's and the fast path);
 * ivlen 0 is invalid: out is zeroed and so is the tag. len must not exceed
 * 2^36 - 32 bytes (SP 800-38D section 5.2.1.1), which only a 64-bit host
 * can reach. */
void wt_gcm_seal(const wt_gcm_ctx *c, const uint8_t *iv, size_t ivlen, const uint8_t *aad,
		 size_t aadlen, const uint8_t *in, size_t len, uint8_t *out,
		 uint8_t tag[16]);

/* Check the tag over aad and the ciphertext in, then decrypt to out (out
 * may equal in). Nothing is written before the tag has been verified; the
 * verdict is then applied by masking, not branching (out receives the
 * plaintext or zeros, for the same work), so it stays secret until
 * returned. Returns 0 when authentic; -2 on tag mismatch, with out zeroed;
 * -1 for bad arguments (ivlen 0, or len over 2^36 - 32), out untouched. */
int wt_gcm_open(const wt_gcm_ctx *c, const uint8_t *iv, size_t ivlen, const uint8_t *aad,
		size_t aadlen, const uint8_t *in, size_t len, uint8_t *out,
		const uint8_t tag[16]);

#endif
