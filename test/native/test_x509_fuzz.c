/*
 * test_x509_fuzz.c: robustness of the X.509 parser and validator against
 * truncated, over-long and randomly mutated certificates (the two of
 * x509_certs.h), run in the plain and ASan+UBSan builds by
 * test/native.test.ts. Nothing may crash, read out of bounds or hang; a
 * certificate that still parses is run through every reader (names, SANs,
 * host check, name constraints, pins) and the path validator.
 *
 * Deterministic (xorshift64* with a fixed seed), so a failure replays.
 * Set WT_FUZZ_ITERS in the environment to run longer.
 */
#include "wt_x509.h"
#include "testutil.h"
#include "x509_certs.h"

static uint64_t rng = 0x9e3779b97f4a7c15u;

static uint32_t rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (uint32_t)((rng * 0x2545f4914f6cdd1du) >> 32);
}

static int accept_all(void *ctx, const uint8_t *spki, size_t spkilen, uint32_t scheme,
		      const uint8_t *msg, size_t msglen, const uint8_t *sig,
		      size_t siglen)
{
	(void)ctx;
	(void)spki;
	(void)spkilen;
	(void)scheme;
	(void)msg;
	(void)msglen;
	(void)sig;
	(void)siglen;
	return 0;
}

static union {
	wt_x509_store s;
	uint8_t b[4096];
} STORE;

/* Use everything that reads a parsed certificate. Returns a value that
 * depends on what was read, so nothing is optimised away. */
static uint32_t exercise(const uint8_t *der, size_t len, const wt_x509_cert *c)
{
	wt_x509_span oid, val, v;
	uint32_t tag, form, i, acc = 0;
	uint8_t pin[32];
	wt_x509_cert ca;
	for (i = 0; i < 64 && wt_x509_name_attr(der, c->subject, i, &oid, &tag, &val);
	     i++)
		acc += val.len + oid.len + tag;
	for (i = 0; i < 64 && wt_x509_name_attr(der, c->issuer, i, &oid, &tag, &val); i++)
		acc += val.len;
	for (i = 0; i < 64 && wt_x509_san_get(der, c, i, &form, &v); i++)
		acc += form + v.len;
	acc += (uint32_t)wt_x509_check_host(der, c, "www.example.test", 16);
	acc += (uint32_t)wt_x509_check_host(der, c, "192.0.2.1", 9);
	acc += (uint32_t)wt_x509_check_host(der, c, "2001:db8::1", 11);
	wt_x509_spki_sha256(der, c, pin);
	acc += pin[0];
	if (wt_x509_parse(&ca, CA_DER, sizeof CA_DER) == 0) {
		acc += (uint32_t)wt_x509_check_name_constraints(CA_DER, &ca, der, c);
		acc += (uint32_t)wt_x509_check_name_constraints(der, c, CA_DER, &ca);
		acc += (uint32_t)wt_x509_check_name_constraints(der, c, der, c);
	}
	{
		wt_x509_params p;
		wt_x509_result res;
		wt_x509_blob chain[2] = { { der, len }, { CA_DER, sizeof CA_DER } };
		memset(&p, 0, sizeof p);
		p.now_ms = (uint64_t)(c->not_before + 60) * 1000;
		p.host = "www.example.test";
		p.host_len = 16;
		p.sig_verify = accept_all;
		acc += (uint32_t)wt_x509_verify(&p, chain, 2, &STORE.s, &res);
		chain[0].der = LEAF_DER;
		chain[0].len = sizeof LEAF_DER;
		chain[1].der = der;
		chain[1].len = len;
		acc += (uint32_t)wt_x509_verify(&p, chain, 2, &STORE.s, &res);
	}
	return acc;
}

/* Mutate buf[0..len) in place (len may change; cap bytes available). */
static size_t mutate(uint8_t *buf, size_t len, size_t cap)
{
	uint32_t n = 1 + rnd() % 4, k;
	for (k = 0; k < n; k++) {
		uint32_t op = rnd() % 6, at = len ? rnd() % (uint32_t)len : 0;
		switch (op) {
		case 0: /* flip a bit */
			if (len)
				buf[at] ^= (uint8_t)(1u << (rnd() % 8));
			break;
		case 1: /* random byte */
			if (len)
				buf[at] = (uint8_t)rnd();
			break;
		case 2: /* interesting byte: length and tag values */
			if (len) {
				static const uint8_t I[] = { 0x00, 0x01, 0x7f, 0x80, 0x81,
							     0x82, 0x84, 0xff, 0x30, 0x31,
							     0xa0, 0xa3, 0x04, 0x06 };
				buf[at] = I[rnd() % sizeof I];
			}
			break;
		case 3: /* delete a run */
			if (len) {
				size_t m = 1 + rnd() % 8;
				if (m > len - at)
					m = len - at;
				memmove(buf + at, buf + at + m, len - at - m);
				len -= m;
			}
			break;
		case 4: /* insert random bytes */
		{
			size_t m = 1 + rnd() % 8, j;
			if (len + m > cap)
				break;
			memmove(buf + at + m, buf + at, len - at);
			for (j = 0; j < m; j++)
				buf[at + j] = (uint8_t)rnd();
			len += m;
		} break;
		default: /* duplicate a run elsewhere */
			if (len > 16) {
				size_t m = 1 + rnd() % 16, to = rnd() % (uint32_t)len;
				if (m > len - at)
					m = len - at;
				if (m > len - to)
					m = len - to;
				memmove(buf + to, buf + at, m);
			}
			break;
		}
	}
	return len;
}

int main(void)
{
	static const struct {
		const uint8_t *der;
		size_t len;
	} SEEDS[] = {
		{ LEAF_DER, sizeof LEAF_DER },
		{ CA_DER, sizeof CA_DER },
	};
	static uint8_t buf[2048];
	wt_x509_cert c;
	uint32_t acc = 0;
	long iters = 50000, i, parsed = 0;
	size_t s, n;
	const char *e = getenv("WT_FUZZ_ITERS");
	if (e != NULL)
		iters = atol(e);
	wt_x509_store_init(&STORE.s, sizeof STORE);
	CHECK(wt_x509_store_add_der(&STORE.s, CA_DER, sizeof CA_DER) == 0, "store");

	for (s = 0; s < 2; s++) {
		const uint8_t *der = SEEDS[s].der;
		size_t len = SEEDS[s].len;
		int bad = 0;
		CHECK(wt_x509_parse(&c, der, len) == 0, "seed %zu parses", s);
		acc += exercise(der, len, &c);
		/* Every truncation fails (the outer length no longer fits), and
		 * reads stay inside the shorter buffer: copy to an exact-size
		 * heap block so ASan sees any overrun. */
		for (n = 0; n < len; n++) {
			uint8_t *t = malloc(n ? n : 1);
			memcpy(t, der, n);
			if (wt_x509_parse(&c, t, n) == 0)
				bad++;
			free(t);
		}
		CHECK(bad == 0, "seed %zu: %d truncations parsed", s, bad);
		/* Over-long: trailing bytes, and an outer length claiming more
		 * than there is. */
		for (n = 1; n <= 64; n++) {
			uint8_t *t = malloc(len + n);
			memcpy(t, der, len);
			memset(t + len, (int)n, n);
			if (wt_x509_parse(&c, t, len + n) == 0)
				bad++;
			t[2] = (uint8_t)(t[2] + 1); /* 30 82 LL LL: length + 256 */
			if (wt_x509_parse(&c, t, len + n) == 0)
				bad++;
			free(t);
		}
		CHECK(bad == 0, "seed %zu: %d over-long inputs parsed", s, bad);
	}

	/* Random mutations of either seed. */
	for (i = 0; i < iters; i++) {
		size_t k = rnd() % 2;
		uint8_t *t;
		memcpy(buf, SEEDS[k].der, SEEDS[k].len);
		n = mutate(buf, SEEDS[k].len, sizeof buf);
		t = malloc(n ? n : 1);
		memcpy(t, buf, n);
		if (wt_x509_parse(&c, t, n) == 0) {
			parsed++;
			acc += exercise(t, n, &c);
		}
		free(t);
	}
	/* Random bytes behind a plausible header. */
	for (i = 0; i < iters / 10; i++) {
		size_t len = 4 + rnd() % 600, j;
		uint8_t *t = malloc(len);
		for (j = 0; j < len; j++)
			t[j] = (uint8_t)rnd();
		t[0] = 0x30;
		t[1] = 0x82;
		t[2] = (uint8_t)((len - 4) >> 8);
		t[3] = (uint8_t)(len - 4);
		if (wt_x509_parse(&c, t, len) == 0)
			acc += exercise(t, len, &c);
		free(t);
	}
	printf("fuzz: %ld mutations, %ld still parsed (checksum %u)\n", iters, parsed,
	       acc);
	CHECK(parsed > 0 && parsed < iters,
	      "mutations both parse and fail (%ld of %ld parsed)", parsed, iters);
	return t_done();
}
