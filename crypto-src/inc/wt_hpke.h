/*
 * wt_hpke.h: Hybrid Public Key Encryption (RFC 9180), base mode (mode 0)
 * only: what Encrypted Client Hello uses. One KEM, DHKEM(X25519,
 * HKDF-SHA256) (0x0020); one KDF, HKDF-SHA256 (0x0001); the AEADs
 * AES-128-GCM (0x0001), AES-256-GCM (0x0002) and ChaCha20-Poly1305
 * (0x0003), reusing wt_aead (wt_aead.h), wt_x25519 and wt_hkdf_*.
 *
 * The context holds no pointer: copy it with memcpy, wipe it with
 * wt_hpke_clear when done (it holds the AEAD key schedule). The secret
 * export interface (RFC 9180 5.3) is left out: ECH does not use it. No RNG here: the sender passes the ephemeral
 * private key in (RFC 9180 4.1: "GenerateKeyPair()"; the caller draws
 * 32 random bytes, or DeriveKeyPair's output for the test vectors).
 */
#ifndef WT_HPKE_H
#define WT_HPKE_H

#include <stddef.h>
#include <stdint.h>
#include "wt_aead.h"

/* RFC 9180 7.1, 7.2, 7.3 identifiers. */
#define WT_HPKE_KEM_X25519_SHA256 0x0020
#define WT_HPKE_KDF_SHA256 0x0001
#define WT_HPKE_AEAD_AES128GCM 0x0001
#define WT_HPKE_AEAD_AES256GCM 0x0002
#define WT_HPKE_AEAD_CHACHA20POLY1305 0x0003

#define WT_HPKE_ENC_LEN 32 /* Nenc of DHKEM(X25519) */
#define WT_HPKE_TAG_LEN 16 /* Nt of the three AEADs */

typedef struct {
	wt_aead_ctx aead;
	uint8_t base_nonce[12];
	uint64_t seq;
} wt_hpke_ctx;

/* 1 when (kem, kdf, aead) is a suite this module implements, else 0. */
int wt_hpke_suite_ok(uint32_t kem, uint32_t kdf, uint32_t aead);

/* RFC 9180 7.1.3 DeriveKeyPair for X25519: sk from ikm (32 bytes or
 * more), pk = X25519(sk, 9). */
void wt_hpke_derive_keypair(uint8_t sk[32], uint8_t pk[32], const uint8_t *ikm,
			    size_t ikmlen);

/* SetupBaseS(pkR, info) with the ephemeral private key skE: writes enc
 * (32 bytes) and the context. 0; -1 for an unsupported suite or a
 * low-order pkR (the DH output is all zeros, RFC 9180 7.1.4). */
int wt_hpke_setup_s(wt_hpke_ctx *c, uint32_t kdf, uint32_t aead, uint8_t enc[32],
		    const uint8_t pkR[32], const uint8_t skE[32], const uint8_t *info,
		    size_t infolen);

/* SetupBaseR(enc, skR, info). 0, or -1 as for setup_s. */
int wt_hpke_setup_r(wt_hpke_ctx *c, uint32_t kdf, uint32_t aead, const uint8_t enc[32],
		    const uint8_t skR[32], const uint8_t *info, size_t infolen);

/* ContextS.Seal(aad, pt): out gets len + 16 bytes (ciphertext then tag);
 * the sequence number then advances. 0, or -1. */
int wt_hpke_seal(wt_hpke_ctx *c, const uint8_t *aad, size_t aadlen, const uint8_t *pt,
		 size_t len, uint8_t *out);

/* ContextR.Open(aad, ct) for ct of len bytes (len >= 16): out gets
 * len - 16 bytes. 0 and the sequence number advances; -1 when the tag
 * does not verify (out is zeroed, the sequence number stays, RFC 9180
 * 5.2: "the sequence number is not incremented" on failure). */
int wt_hpke_open(wt_hpke_ctx *c, const uint8_t *aad, size_t aadlen, const uint8_t *ct,
		 size_t len, uint8_t *out);

/* The context's sequence number, set by tests to reach the RFC's
 * encryptions at sequence 255 and 256 (never by protocol code). */
void wt_hpke_set_seq(wt_hpke_ctx *c, uint64_t seq);

/* Wipe a context. */
void wt_hpke_clear(wt_hpke_ctx *c);

#endif
