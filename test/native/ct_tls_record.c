/*
 * ct_tls_record.c: the TLS record layer under Valgrind with secret
 * traffic secrets and secret application data (ctgrind, see ct.h).
 *
 * Two connections are keyed directly, past the handshake, from traffic
 * secrets marked secret, for each suite: so the traffic keys and IVs
 * (HKDF-Expand-Label), every sealed record and every opened one are
 * secret-derived. Application data marked secret goes both ways through
 * the public calls (SSL_write/SSL_read semantics, records of 1 byte to
 * 2^14, a WANT_WRITE round with its retry check), padded records made
 * here are opened (the content-type scan), KeyUpdates move both
 * directions to the next secrets, a forged record is refused, and
 * close_notify ends it. Ciphertext handed from one side to the other is
 * marked public (it is on the wire). Declassified inside the engine, by
 * design: the AEAD verdict, the inner content type and content length,
 * and handshake/alert contents (parsed); see record.c. Zero reports.
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
	wt_tls_set_suite(&s->c, suite);
	s->c.hs_done = 1;
	s->c.state = ST_CONNECTED;
}

/* A record sealed here with a's write state: content || type || pad. */
static size_t seal_padded(side *a, const uint8_t *content, size_t n, size_t pad,
			  uint8_t *out)
{
	wt_tls_dir *d = &a->c.wr;
	uint8_t nonce[12];
	size_t i, m = n + 1 + pad;
	out[0] = 23;
	out[1] = 3;
	out[2] = 3;
	out[3] = (uint8_t)((m + 16) >> 8);
	out[4] = (uint8_t)(m + 16);
	memcpy(out + 5, content, n);
	out[5 + n] = 23;
	memset(out + 5 + n + 1, 0, pad);
	memcpy(nonce, d->iv, 12);
	for (i = 0; i < 8; i++)
		nonce[4 + i] ^= (uint8_t)(d->seq >> (56 - 8 * i));
	wt_aead_seal(wt_tls_aead(&a->c, d), nonce, 12, out, 5, out + 5, m, out + 5,
		     out + 5 + m);
	d->seq++;
	CT_PUBLIC(out, 5 + m + 16);
	return 5 + m + 16;
}

static void run(uint32_t suite)
{
	side a, b;
	uint8_t s1[48], s2[48], rec[16384 + 400];
	size_t sizes[] = { 1, 17, 1000, 16383, 16384, 16385, PT_MAX }, i, n, rl;
	uint32_t hl;
	make(&a, 1, suite);
	make(&b, 0, suite);
	hl = a.c.hashlen;
	wt_random(s1, sizeof s1);
	wt_random(s2, sizeof s2);
	CT_SECRET(s1, sizeof s1);
	CT_SECRET(s2, sizeof s2);
	CHECK(wt_tls_set_keys(&a.c, &a.c.wr, s1) == 0 &&
		      wt_tls_set_keys(&b.c, &b.c.rd, s1) == 0 &&
		      wt_tls_set_keys(&b.c, &b.c.wr, s2) == 0 &&
		      wt_tls_set_keys(&a.c, &a.c.rd, s2) == 0,
	      "suite %04x: keys (hash len %u)", suite, hl);

	for (i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		CHECK(send_secret(&a, &b, sizes[i]), "suite %04x: %zu secret bytes a->b",
		      suite, sizes[i]);
		CHECK(send_secret(&b, &a, sizes[i]), "suite %04x: %zu secret bytes b->a",
		      suite, sizes[i]);
	}

	/* A small outgoing side: WANT_WRITE rounds, the retry check. */
	wt_tls_conn_set_net_out_cap(&a.c, 700);
	CHECK(send_secret(&a, &b, 20000), "suite %04x: WANT_WRITE rounds", suite);
	wt_tls_conn_set_net_out_cap(&a.c, WT_TLS_DEFAULT_NET_OUT);

	/* Padded records: the content type found in constant time. */
	{
		static const size_t pads[] = { 0, 1, 255, 16000 };
		uint8_t c8[8];
		for (i = 0; i < 4; i++) {
			wt_random(c8, 8);
			CT_SECRET(c8, 8);
			rl = seal_padded(&a, c8, 8, pads[i], rec);
			CHECK(rl <= sizeof rec, "record fits");
			memcpy(wt_tls_net_in_buf(&b.c, &n), rec, rl);
			wt_tls_net_in_ack(&b.c, rl);
			CHECK(wt_tls_read_ex(&b.c, got, sizeof got, &n) == 1 && n == 8,
			      "suite %04x: 8 bytes with %zu of padding", suite, pads[i]);
		}
	}

	/* KeyUpdate both ways, with update_requested: the next secrets are
	 * derived from secret ones. */
	CHECK(wt_tls_key_update(&a.c, 1), "key update a");
	CHECK(send_secret(&a, &b, 5000), "suite %04x: after KeyUpdate(1) a->b", suite);
	CHECK(send_secret(&b, &a, 5000), "suite %04x: after the answer b->a", suite);
	CHECK(a.c.rd_epoch == 1 && b.c.rd_epoch == 1,
	      "suite %04x: both directions updated", suite);
	CHECK(wt_tls_key_update(&b.c, 0), "key update b");
	CHECK(send_secret(&b, &a, 3000), "suite %04x: after KeyUpdate(0) b->a", suite);

	/* close_notify a->b. */
	CHECK(wt_tls_shutdown(&a.c) == 0, "shutdown");
	wire(&a, &b);
	CHECK(wt_tls_read_ex(&b.c, got, 16, &n) == 0 &&
		      wt_tls_get_error(&b.c, 0) == WT_TLS_ERROR_ZERO_RETURN,
	      "suite %04x: close_notify", suite);

	/* A forged record b->a: refused without a secret-dependent branch. */
	{
		size_t w;
		wt_random(pt, 300);
		CT_SECRET(pt, 300);
		CHECK(wt_tls_write_ex(&b.c, 1, pt, 300, &w) == 1, "write");
		{
			uint8_t *o = wt_tls_net_out_buf(&b.c, &n);
			CT_PUBLIC(o, n);
			o[n - 20] ^= 1;
		}
		wire(&b, &a);
		CHECK(wt_tls_read_ex(&a.c, got, sizeof got, &n) == 0 &&
			      wt_tls_error_code(&a.c) ==
				      WT_TLS_ERR_SEND_ALERT + WT_ALERT_BAD_RECORD_MAC,
		      "suite %04x: forgery refused", suite);
	}

	wt_tls_conn_clear(&a.c);
	wt_tls_conn_clear(&b.c);
	free(a.arena);
	free(b.arena);
}

int main(void)
{
	wt_tls_ctx_init(&ctx);
	run(WT_TLS_AES_128_GCM_SHA256);
	run(WT_TLS_AES_256_GCM_SHA384);
	run(WT_TLS_CHACHA20_POLY1305_SHA256);
	return t_done();
}
