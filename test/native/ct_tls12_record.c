/*
 * ct_tls12_record.c: the TLS 1.2 record layer (RFC 5246 6.2.3.3 with
 * RFC 5288 AES-GCM and RFC 7905 ChaCha20-Poly1305) under Valgrind with
 * secret keys and secret application data (ctgrind, see ct.h); the TLS
 * 1.2 counterpart of ct_tls_record.c.
 *
 * Two connections are keyed directly, past the handshake, with key
 * block bytes marked secret (as wt_hs12_change_write/read install them),
 * for each of the six suites: every sealed record and every opened one
 * is secret-derived. Application data marked secret goes both ways
 * through the public calls (records of 1 byte to 2^14 and beyond, a
 * WANT_WRITE round with its retry check), a forged record is refused,
 * and close_notify ends it (answered, RFC 5246 7.2.1). Ciphertext handed
 * from one side to the other is marked public (it is on the wire).
 * Declassified inside the engine, by design: the AEAD verdict and
 * alert contents (parsed); see record.c. Zero reports.
 */
#include "ct_pair.h"

static void make(side *s, int client, uint32_t suite)
{
	size_t n = wt_tls_conn_arena_size(&ctx);
	s->arena = malloc(n);
	wt_tls_conn_init(&s->c, &ctx, s->arena, n);
	if (client)
		wt_tls_set_connect_state(&s->c);
	else
		wt_tls_set_accept_state(&s->c);
	/* The handshake's state (the transcript) exists while it runs. */
	wt_tls_hs_acquire(&s->c);
	wt_th_init(&s->c);
	wt_tls_set_suite12(&s->c, suite);
	s->c.hs_done = 1;
	s->c.state = ST_CONNECTED;
}

static void run(uint32_t suite)
{
	side a, b;
	uint8_t kb[2 * 32 + 2 * 12];
	size_t sizes[] = { 1, 17, 1000, 16383, 16384, 16385, PT_MAX }, i, n;
	size_t kl, il;
	make(&a, 1, suite);
	make(&b, 0, suite);
	kl = a.c.keylen;
	il = a.c.aead == WT_AEAD_CHACHA20POLY1305 ? 12 : 4;
	/* The key block (RFC 5246 6.3): client key, server key, client IV,
	 * server IV - all secret. */
	wt_random(kb, sizeof kb);
	CT_SECRET(kb, sizeof kb);
	CHECK(wt_rec_set_keys12(&a.c, &a.c.wr, kb, kb + 2 * kl) == 0 &&
		      wt_rec_set_keys12(&b.c, &b.c.rd, kb, kb + 2 * kl) == 0 &&
		      wt_rec_set_keys12(&b.c, &b.c.wr, kb + kl, kb + 2 * kl + il) == 0 &&
		      wt_rec_set_keys12(&a.c, &a.c.rd, kb + kl, kb + 2 * kl + il) == 0,
	      "suite %04x: keys", suite);

	for (i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		CHECK(send_secret(&a, &b, sizes[i]), "suite %04x: %zu secret bytes a->b",
		      suite, sizes[i]);
		CHECK(send_secret(&b, &a, sizes[i]), "suite %04x: %zu secret bytes b->a",
		      suite, sizes[i]);
	}
	wt_tls_conn_set_net_out_cap(&a.c, 700);
	CHECK(send_secret(&a, &b, 20000), "suite %04x: WANT_WRITE rounds", suite);
	wt_tls_conn_set_net_out_cap(&a.c, WT_TLS_DEFAULT_NET_OUT);

	/* A forged record a->b: refused without a secret-dependent branch. */
	{
		size_t w;
		uint8_t *o;
		wt_random(pt, 300);
		CT_SECRET(pt, 300);
		CHECK(wt_tls_write_ex(&a.c, 1, pt, 300, &w) == 1, "write");
		o = wt_tls_net_out_buf(&a.c, &n);
		CT_PUBLIC(o, n);
		o[n - 20] ^= 1;
		wire(&a, &b);
		CHECK(wt_tls_read_ex(&b.c, got, sizeof got, &n) == 0 &&
			      wt_tls_error_code(&b.c) ==
				      WT_TLS_ERR_SEND_ALERT + WT_ALERT_BAD_RECORD_MAC,
		      "suite %04x: forgery refused", suite);
	}
	/* close_notify b->a... b failed; a closes to b' = a fresh pair is not
	 * needed: a's close_notify is sealed under a secret key too. */
	CHECK(wt_tls_shutdown(&a.c) == 0, "suite %04x: shutdown", suite);

	wt_tls_conn_clear(&a.c);
	wt_tls_conn_clear(&b.c);
	free(a.arena);
	free(b.arena);
}

/* close_notify answered (RFC 5246 7.2.1) under secret keys. */
static void closing(uint32_t suite)
{
	side a, b;
	uint8_t kb[2 * 32 + 2 * 12];
	size_t n, kl, il;
	make(&a, 1, suite);
	make(&b, 0, suite);
	kl = a.c.keylen;
	il = a.c.aead == WT_AEAD_CHACHA20POLY1305 ? 12 : 4;
	wt_random(kb, sizeof kb);
	CT_SECRET(kb, sizeof kb);
	wt_rec_set_keys12(&a.c, &a.c.wr, kb, kb + 2 * kl);
	wt_rec_set_keys12(&b.c, &b.c.rd, kb, kb + 2 * kl);
	wt_rec_set_keys12(&b.c, &b.c.wr, kb + kl, kb + 2 * kl + il);
	wt_rec_set_keys12(&a.c, &a.c.rd, kb + kl, kb + 2 * kl + il);
	CHECK(send_secret(&a, &b, 5000), "suite %04x: data before close", suite);
	CHECK(wt_tls_shutdown(&a.c) == 0, "suite %04x: shutdown sends close_notify",
	      suite);
	wire(&a, &b);
	CHECK(wt_tls_read_ex(&b.c, got, 16, &n) == 0 &&
		      wt_tls_get_error(&b.c, 0) == WT_TLS_ERROR_ZERO_RETURN,
	      "suite %04x: close_notify read", suite);
	CHECK(wt_tls_get_shutdown(&b.c) == 3, "suite %04x: answered with its own", suite);
	wire(&b, &a);
	CHECK(wt_tls_shutdown(&a.c) == 1, "suite %04x: the answer arrives", suite);
	wt_tls_conn_clear(&a.c);
	wt_tls_conn_clear(&b.c);
	free(a.arena);
	free(b.arena);
}

int main(void)
{
	static const uint32_t suites[] = {
		WT_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
		WT_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
		WT_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
		WT_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
		WT_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
		WT_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256
	};
	size_t i;
	wt_tls_ctx_init(&ctx);
	for (i = 0; i < sizeof suites / sizeof suites[0]; i++) {
		run(suites[i]);
		closing(suites[i]);
	}
	return t_done();
}
