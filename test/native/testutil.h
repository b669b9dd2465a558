/*
 * testutil.h: tiny helpers for the native C tests (test/native/test_*.c).
 * Each test binary prints one line per failure and a closing
 * "N passed, M failed" line, and exits non-zero on any failure;
 * test/native.test.ts runs every binary in the plain and ASan+UBSan builds.
 */
#ifndef WT_TESTUTIL_H
#define WT_TESTUTIL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void wt_test_set_random(const uint8_t *buf, size_t len);
void wt_test_set_now(uint64_t ms);

static int t_pass, t_fail;

#define CHECK(cond, ...)                                                     \
	do {                                                                 \
		if (cond) {                                                  \
			t_pass++;                                            \
		} else {                                                     \
			t_fail++;                                            \
			fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
			fprintf(stderr, __VA_ARGS__);                        \
			fputc('\n', stderr);                                 \
		}                                                            \
	} while (0)

/* Decode hex (no separators) into a fresh buffer; *len gets the size. */
static inline uint8_t *unhex(const char *h, size_t *len)
{
	size_t n = strlen(h) / 2, i;
	uint8_t *b = malloc(n ? n : 1);
	for (i = 0; i < n; i++) {
		unsigned v;
		sscanf(h + 2 * i, "%2x", &v);
		b[i] = (uint8_t)v;
	}
	*len = n;
	return b;
}

static inline int eqhex(const uint8_t *b, size_t n, const char *h)
{
	size_t hl;
	uint8_t *x = unhex(h, &hl);
	int ok = hl == n && memcmp(x, b, n) == 0;
	free(x);
	return ok;
}

static inline int t_done(void)
{
	printf("%d passed, %d failed\n", t_pass, t_fail);
	return t_fail ? 1 : 0;
}

#endif
