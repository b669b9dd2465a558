/*
 * wt_host.h: the only two things crypto-src/ takes from its host.
 *
 * In wasm they are the module's imports env.wt_random and env.wt_now,
 * supplied by ts/core/loader.ts from crypto.getRandomValues and Date.now.
 * Natively they come from test/native/host_native.c (getrandom(2) and
 * time, or a deterministic stream for trace tests).
 */
#ifndef WT_HOST_H
#define WT_HOST_H

#include <stddef.h>
#include <stdint.h>

/* Fill buf with len bytes from a cryptographically secure source. */
void wt_random(uint8_t *buf, size_t len);

/* Milliseconds since the Unix epoch. */
uint64_t wt_now(void);

#endif
