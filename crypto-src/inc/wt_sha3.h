/*
 * wt_sha3.h: Keccak-f[1600] and the FIPS 202 functions built on it:
 * SHA3-256, SHA3-512, SHAKE128 and SHAKE256, with incremental absorbing
 * and (for SHAKE) incremental squeezing.
 *
 * One context type serves all four; it holds the 25-lane state and three
 * counters, no pointer, so it may be copied with memcpy at any point (a
 * running SHA-3 hash can be forked, an XOF stream duplicated). Nothing
 * here allocates. Everything is constant-time in the data: only lengths
 * steer the code.
 */
#ifndef WT_SHA3_H
#define WT_SHA3_H

#include <stddef.h>
#include <stdint.h>

#define WT_SHA3_256_LEN 32
#define WT_SHA3_512_LEN 64
/* Rates in bytes: 200 - 2 * (capacity / 2) (FIPS 202 sections 6.1, 6.2). */
#define WT_SHA3_256_RATE 136
#define WT_SHA3_512_RATE 72
#define WT_SHAKE128_RATE 168
#define WT_SHAKE256_RATE 136

typedef struct {
	uint64_t st[25];    /* lane (x, y) at st[x + 5 * y] */
	uint32_t rate;      /* bytes per block */
	uint32_t pos;       /* absorbing: bytes in the current block;
	                           squeezing: bytes of it already output */
	uint32_t dsbyte;    /* domain bits and the first pad bit */
	uint32_t squeezing; /* 0 while absorbing, 1 after the pad */
} wt_keccak_ctx;

typedef wt_keccak_ctx wt_sha3_ctx;
typedef wt_keccak_ctx wt_shake_ctx;

/* The permutation, 24 rounds (FIPS 202 section 3.4). */
void wt_keccak_f1600(uint64_t st[25]);

/* ---- SHA3-256, SHA3-512 ---------------------------------------------- */

void wt_sha3_256_init(wt_sha3_ctx *c);
void wt_sha3_512_init(wt_sha3_ctx *c);
void wt_sha3_update(wt_sha3_ctx *c, const void *data, size_t len);
/* Writes the digest (32 or 64 bytes, by the init used); c is left
 * unchanged, so hashing may go on. */
void wt_sha3_out(const wt_sha3_ctx *c, uint8_t *out);
void wt_sha3_256(const void *data, size_t len, uint8_t out[32]);
void wt_sha3_512(const void *data, size_t len, uint8_t out[64]);

/* ---- SHAKE128, SHAKE256 -------------------------------------------- */

void wt_shake128_init(wt_shake_ctx *c);
void wt_shake256_init(wt_shake_ctx *c);
/* Absorb more input. Returns 0, or -1 (and absorbs nothing) once
 * squeezing has started: the XOF input is then fixed. */
int wt_shake_absorb(wt_shake_ctx *c, const void *data, size_t len);
/* Squeeze len more bytes; the first call pads the input. Output is one
 * stream: two squeezes of 10 and 20 bytes give the same 30 bytes as one
 * squeeze of 30. */
void wt_shake_squeeze(wt_shake_ctx *c, uint8_t *out, size_t len);
void wt_shake128(uint8_t *out, size_t outlen, const void *data, size_t len);
void wt_shake256(uint8_t *out, size_t outlen, const void *data, size_t len);

#endif
