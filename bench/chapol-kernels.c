/*
 * chapol-kernels.c: ChaCha20 alone, Poly1305 alone and the AEAD seal on
 * one buffer, the same C built to wasm (SIMD) and natively, to see which
 * of the two primitives bounds ChaCha20-Poly1305 (issue #16). Built and
 * run by bench/chapol-kernels.sh; not part of the module.
 *
 * run(which, len, iters): which = 0 ChaCha20, 1 Poly1305, 2 seal,
 * 3 open, 4 ChaCha20 on the portable scalar path. With -DNATIVE_MAIN
 * this file also has a main() timing them natively.
 */
#include "chapol_inner.h"
#include "wt_chapol.h"
#include <stdint.h>
#include <string.h>

static uint8_t buf[16384 + 64], out[16384 + 64], sealed[16384 + 64];
static uint8_t key[32] = { 1, 2, 3 }, nonce[12] = { 4 }, tag[16], stag[16];
static wt_chapol_ctx ctx;
static uint32_t kw[8];

__attribute__((used, visibility("default"))) uint32_t run(int which, size_t len,
							  int iters)
{
	static int ready;
	int i;
	if (!ready) {
		ready = 1;
		wt_chapol_init(&ctx, key, 32);
		for (i = 0; i < 8; i++)
			kw[i] = (uint32_t)i * 77;
		for (i = 0; i < (int)sizeof buf; i++)
			buf[i] = (uint8_t)(i * 31);
	}
	wt_chapol_seal(&ctx, nonce, buf, 13, buf, len, sealed, stag);
	for (i = 0; i < iters; i++) {
		switch (which) {
		case 0: wt_chacha20_run(kw, nonce, 1, buf, out, len, 0xFFFFFFFFu); break;
		case 1:
			wt_poly1305(key, buf, len, tag);
			buf[0] ^= tag[0];
			break;
		case 2: wt_chapol_seal(&ctx, nonce, buf, 13, buf, len, out, tag); break;
		case 3:
			if (wt_chapol_open(&ctx, nonce, buf, 13, sealed, len, out,
					   stag) != 0)
				return 0xFFFFFFFFu;
			break;
		default: wt_chacha20_run_scalar(kw, nonce, 1, buf, out, len, 0xFFFFFFFFu);
		}
	}
	return out[5] ^ tag[3];
}

#ifdef NATIVE_MAIN
#include <stdio.h>
#include <time.h>

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* Best of ROUNDS 2 ms runs, the kernels interleaved: on a shared
 * machine the best run is the one least disturbed. */
#define ROUNDS 301
int main(void)
{
	static const char *const names[] = { "chacha20", "poly1305", "seal", "open",
					     "chacha20 scalar" };
	static const size_t lens[] = { 16384, 1024 };
	size_t l;
	int w, r;
	for (l = 0; l < 2; l++) {
		double best[5] = { 0 };
		for (r = 0; r < ROUNDS; r++)
			for (w = 0; w < 5; w++) {
				long n = 0;
				double t0 = now(), t;
				do {
					run(w, lens[l], 20);
					n += 20;
					t = now();
				} while (t - t0 < 0.002);
				if ((double)n * (double)lens[l] / (t - t0) / 1e6 >
				    best[w])
					best[w] = (double)n * (double)lens[l] / (t - t0) /
						1e6;
			}
		for (w = 0; w < 5; w++)
			printf("%-16s %5zu B: %6.0f MB/s\n", names[w], lens[l], best[w]);
	}
	return 0;
}
#endif
