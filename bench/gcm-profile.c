/*
 * gcm-profile.c: where AES-GCM's time goes per 16 KiB record: AES-CTR
 * alone, GHASH alone and the whole seal (also as 1 KiB records), in MB/s. One source for both
 * sides of the comparison: `bash bench/gcm-profile.sh` builds it with emcc
 * (wasm SIMD128 and scalar; bench/gcm-profile-run.mjs times the exports
 * prof_init / prof_run in Node) and natively with clang-16 -O2 (main
 * below; the vector AES over SSE2 and the 64-bit bitslice). Each figure
 * is the fastest of many short interleaved runs: on a shared, loaded
 * machine the rest mostly measure the other processes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aead/aes_ct.h"
#include "wt_gcm.h"

int wt_gcm_init_impl(wt_gcm_ctx *c, const uint8_t *key, size_t keylen, uint32_t impl);

#define LEN 16384
#define REPS 4
#define RUNS 201

static uint8_t buf[LEN], out[LEN];
static wt_gcm_ctx ctx;

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static void run_ctr(void)
{
	static const uint8_t cb[12] = { 1, 2, 3 };
#if WT_HAVE_AESV
	if (ctx.impl == WT_AES_IMPL_V128) {
		wt_aes_ctv128_ctr(ctx.sk, ctx.rounds, cb, 2, buf, out, LEN, 1);
		return;
	}
#endif
	wt_aes_ct64_ctr(ctx.sk, ctx.rounds, cb, 2, buf, out, LEN, 1);
}

static void run_ghash(void)
{
	uint64_t y[2] = { 0, 0 };
	wt_ghash_update(ctx.hk, y, buf, LEN);
	out[0] ^= (uint8_t)y[0];
}

static void run_seal(void)
{
	static const uint8_t iv[12] = { 9 }, aad[13] = { 7 };
	uint8_t tag[16];
	wt_gcm_seal(&ctx, iv, 12, aad, 13, buf, LEN, out, tag);
}

/* The same bytes as 1 KiB records */
static void run_seal1k(void)
{
	static const uint8_t iv[12] = { 9 }, aad[13] = { 7 };
	uint8_t tag[16];
	size_t off;
	for (off = 0; off < LEN; off += 1024)
		wt_gcm_seal(&ctx, iv, 12, aad, 13, buf + off, 1024, out + off, tag);
}

/* Entry points for bench/gcm-profile-run.mjs, which times several wasm
 * builds of this file interleaved in one process (one build's rows
 * against another's are then comparable on a loaded machine). */
__attribute__((used, visibility("default"))) int prof_init(int keylen, int impl)
{
	uint8_t key[32];
	int i;
	for (i = 0; i < 32; i++)
		key[i] = (uint8_t)(i * 37 + 1);
	for (i = 0; i < LEN; i++)
		buf[i] = (uint8_t)i;
	if (impl == 0)
		impl = WT_HAVE_AESV ? WT_AES_IMPL_V128 : WT_AES_IMPL_CT64;
	return wt_gcm_init_impl(&ctx, key, (size_t)keylen, (uint32_t)impl);
}

/* k: 0 AES-CTR, 1 GHASH, 2 seal, 3 seal as 1 KiB records; reps times
 * LEN bytes. */
__attribute__((used, visibility("default"))) void prof_run(int k, int reps)
{
	void (*fns[4])(void) = { run_ctr, run_ghash, run_seal, run_seal1k };
	while (reps-- > 0)
		fns[k]();
}

/* Native: gcm-profile keylen label [impl] */
int main(int argc, char **argv)
{
	static const char *names[4] = { "aes-ctr", "ghash", "gcm-seal", "seal-1k" };
	static double t[4][RUNS];
	int keylen = argc > 1 ? atoi(argv[1]) : 16, r, k;
	const char *label = argc > 2 ? argv[2] : "";
	if (prof_init(keylen, argc > 3 ? atoi(argv[3]) : 0) != 0) {
		fprintf(stderr, "gcm-profile: bad key length or implementation\n");
		return 1;
	}
	for (k = 0; k < 4; k++)
		prof_run(k, 8);
	for (r = 0; r < RUNS; r++) {
		for (k = 0; k < 4; k++) {
			double t0 = now();
			prof_run(k, REPS);
			t[k][r] = now() - t0;
		}
	}
	for (k = 0; k < 4; k++) {
		qsort(t[k], RUNS, sizeof(double), cmp);
		printf("AES-%d %-9s %-24s %7.1f MB/s\n", keylen * 8, names[k], label,
		       (double)LEN * REPS / t[k][0] / 1e6);
	}
	return 0;
}
