/*
 * ctleak_fixture.c: deliberately leaky code, so the constant-time check is
 * shown to catch what it is meant to catch. Valgrind must report both: a
 * branch on a secret, and a table indexed by a secret. (At -O2 a simple
 * `if (s) return a; return b;` becomes a cmov memcheck does not report, so
 * the branch here does real work on each side.)
 */
#include <stdio.h>
#include "ct.h"
#include "inner.h"
#include "wt_host.h"

static volatile uint32_t sink;

__attribute__((noinline)) static uint32_t leaky_compare(const uint8_t *a,
							const uint8_t *b, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (a[i] != b[i]) /* early exit on a secret: a timing leak */
			return 0;
	return 1;
}

static const uint8_t SBOX[256] = { 1, 2, 3, 4, 5, 6, 7, 8 };

__attribute__((noinline)) static uint32_t leaky_lookup(uint8_t secret)
{
	return SBOX[secret]; /* cache-timing leak */
}

int main(void)
{
	uint8_t tag[16], guess[16] = { 0 };
	wt_random(tag, sizeof tag);
	CT_SECRET(tag, sizeof tag);
	sink = leaky_compare(tag, guess, sizeof tag);
	sink += leaky_lookup(tag[0]);
	printf("leaky fixture ran\n");
	return 0;
}
