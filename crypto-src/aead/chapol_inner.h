/*
 * chapol_inner.h: the ChaCha20 core shared by chacha20_simd.c and
 * chapol.c, with the key already decoded into state words. Not public;
 * test/native/test_aead.c includes it to cross-check the SIMD paths
 * against the portable one.
 */
#ifndef WT_CHAPOL_INNER_H
#define WT_CHAPOL_INNER_H

#include <stddef.h>
#include <stdint.h>
#include "wt_chapol.h"

/* out = (in XOR keystream) AND mask, for mask = 0xFFFFFFFF or 0. With
 * mask 0 the output is zeros yet the time taken is the same: the AEAD
 * open path uses it to release plaintext, or wipe, without branching on
 * the tag verdict. kw: key words (little-endian decoding of the key). */
void wt_chacha20_run(const uint32_t kw[8], const uint8_t nonce[12], uint32_t counter,
		     const uint8_t *in, uint8_t *out, size_t len, uint32_t mask);

/* The same with the portable one-block 32-bit code only (what builds
 * without SIMD run); tests compare the two. */
void wt_chacha20_run_scalar(const uint32_t kw[8], const uint8_t nonce[12],
			    uint32_t counter, const uint8_t *in, uint8_t *out, size_t len,
			    uint32_t mask);

/* Poly1305 over m then zero padding to a 16-byte boundary, as the AEAD
 * MAC input needs (RFC 8439 section 2.8: "padding1", "padding2"). Only
 * valid while the context holds no buffered partial block. */
void wt_poly1305_update_padded(wt_poly1305_ctx *c, const uint8_t *m, size_t len);

#endif
