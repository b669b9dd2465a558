/*
 * sc25519.h: integers modulo the group order
 * L = 2^252 + 27742317777372353535851937790883648493 (RFC 8032 5.1),
 * 32 bytes little-endian. Internal header for ed25519.c.
 *
 * Constant-time: signing reduces a secret nonce hash and computes
 * S = r + k a with the secret scalar a.
 */
#ifndef WT_SC25519_H
#define WT_SC25519_H

#include "inner.h"

/* out = in mod L, in being 64 bytes little-endian (a SHA-512 output). */
void wt_sc_reduce64(uint8_t out[32], const uint8_t in[64]);

/* out = (a b + c) mod L for any 32-byte a, b, c. */
void wt_sc_muladd(uint8_t out[32], const uint8_t a[32], const uint8_t b[32],
		  const uint8_t c[32]);

/* 1 if s < L (the check of RFC 8032 5.1.7 on S), else 0. */
uint32_t wt_sc_canonical(const uint8_t s[32]);

#endif
