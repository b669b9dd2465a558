/*
 * host_native.c: the host side of crypto-src/inc/wt_host.h for native test
 * binaries. Entropy from getrandom(2) unless a test installs a
 * deterministic stream with wt_test_set_random(); time from time(2) unless
 * pinned with wt_test_set_now().
 */
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include "wt_host.h"
#include "testutil.h"

static const uint8_t *det_buf;
static size_t det_len, det_off;
static int det_on;
static uint64_t pinned_now;

void wt_test_set_random(const uint8_t *buf, size_t len)
{
	det_buf = buf;
	det_len = len;
	det_off = 0;
	det_on = buf != NULL;
}

void wt_test_set_now(uint64_t ms)
{
	pinned_now = ms;
}

void wt_random(uint8_t *buf, size_t len)
{
	if (det_on) {
		/* A trace test that asks for more than it supplied is a bug. */
		if (det_len - det_off < len)
			abort();
		memcpy(buf, det_buf + det_off, len);
		det_off += len;
		return;
	}
	while (len > 0) {
		ssize_t r = getrandom(buf, len, 0);
		if (r <= 0)
			abort();
		buf += r;
		len -= (size_t)r;
	}
}

uint64_t wt_now(void)
{
	if (pinned_now)
		return pinned_now;
	return (uint64_t)time(NULL) * 1000;
}
