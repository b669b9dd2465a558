/*
 * wt_aead.h: the one AEAD interface the TLS record layer calls, over
 * AES-GCM (NIST SP 800-38D) and ChaCha20-Poly1305 (RFC 8439 section 2.8).
 *
 * The key schedule runs once, in wt_aead_init; seal and open then take
 * only the per-record nonce, AAD and data. The context holds no interior
 * pointer and no secret besides the key schedule: copy it with memcpy,
 * wipe it with wt_wipe when the key is retired.
 *
 * `in` and `out` may be the same pointer (in place); other overlaps are
 * undefined. The tag is always 16 bytes and kept apart from the
 * ciphertext so the record layer can place it where the record wants it.
 */
#ifndef WT_AEAD_H
#define WT_AEAD_H

#include <stddef.h>
#include <stdint.h>
#include "wt_chapol.h"
#include "wt_gcm.h"

/* Algorithm ids; the numbering is shared with ts/core/aead.ts. */
enum {
	WT_AEAD_AES128GCM = 1,
	WT_AEAD_AES256GCM = 2,
	WT_AEAD_CHACHA20POLY1305 = 3,
	WT_AEAD_AES192GCM = 4 /* not a TLS 1.3 suite; for completeness */
};

/* Result codes of this interface. */
#define WT_OK 0
#define WT_ERR_ARG (-1)      /* bad key/nonce length, unknown id, too long */
#define WT_ERR_AEAD_TAG (-2) /* authentication failed; output zeroed */

#define WT_AEAD_TAG_LEN 16

typedef struct {
	uint32_t alg;
	union {
		wt_chapol_ctx chapol;
		wt_gcm_ctx gcm;
	} u;
} wt_aead_ctx;

/* Key length of an algorithm id, 0 if unknown. */
size_t wt_aead_key_len(uint32_t alg);
/* Nonce length TLS uses with the algorithm: 12 for all of them
 * (RFC 8446 section 5.3: iv_length = max(8, N_MIN) = 12). Seal and open
 * accept exactly 12 for ChaCha20-Poly1305 (RFC 8439 section 2.8) and any
 * non-zero length for GCM (SP 800-38D section 5.2.1.1; 12 is its fast
 * path, other lengths are hashed into J0). */
size_t wt_aead_nonce_len(uint32_t alg);

/* 0, or WT_ERR_ARG for an unknown id or a key of the wrong length (the
 * context is then unusable). */
int wt_aead_init(wt_aead_ctx *c, uint32_t alg, const uint8_t *key, size_t keylen);

/* Encrypt len bytes of in into out, write the tag. 0, or WT_ERR_ARG (a
 * nonce length the algorithm does not take, or len over its limit:
 * 2^38 - 64 bytes for ChaCha20-Poly1305, 2^36 - 32 for GCM, reachable on
 * 64-bit hosts only); nothing is written then. */
int wt_aead_seal(const wt_aead_ctx *c, const uint8_t *nonce, size_t noncelen,
		 const uint8_t *aad, size_t aadlen, const uint8_t *in, size_t len,
		 uint8_t *out, uint8_t tag[16]);

/* Verify the tag over (aad, in) in constant time, then decrypt into out.
 * 0; WT_ERR_AEAD_TAG when the tag does not match, with out holding len
 * zero bytes (no plaintext is ever written for a forgery); WT_ERR_ARG as
 * for seal. */
int wt_aead_open(const wt_aead_ctx *c, const uint8_t *nonce, size_t noncelen,
		 const uint8_t *aad, size_t aadlen, const uint8_t *in, size_t len,
		 uint8_t *out, const uint8_t tag[16]);

#endif
