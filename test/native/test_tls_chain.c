/*
 * test_tls_chain.c: WT_TLS_VERIFY_CHAIN in the engine: the peer's chain
 * validated by crypto-src/x509 during the handshake (client checking a
 * server, server checking a client certificate), the alert each failure
 * sends, the verdict code, the host callback flag, and SPKI pins.
 * Certificates: chain_certs.h (a CA and a localhost leaf made by OpenSSL).
 */
#include "wt_hash.h"
#include "wt_tls.h"
#include "wt_x509.h"
#include "testutil.h"
#include "tls_testlib.h"
#include "chain_certs.h"

static uint8_t *ca, *leaf, *leafkey;
static size_t calen, leaflen, leafkeylen;

/* A store holding the test CA (or nothing). */
static wt_x509_store *store_with(int with_ca)
{
	size_t cap = 8192;
	wt_x509_store *s = malloc(cap);
	wt_x509_store_init(s, cap);
	if (with_ca && wt_x509_store_add_der(s, ca, calen) != 0)
		fprintf(stderr, "store add failed\n");
	return s;
}

/* A pair whose server presents leaf+CA and whose client validates. */
static void setup(tpair *p, const wt_x509_store *st, uint32_t flags, const char *sni)
{
	static uint8_t chain[4096];
	tp_ctx(p);
	memcpy(chain, leaf, leaflen);
	memcpy(chain + leaflen, ca, calen);
	CHECK(wt_tls_ctx_set_chain(p->sctx, chain, leaflen + calen) == 0 &&
		      wt_tls_ctx_set_key(p->sctx, leafkey, leafkeylen) == 0,
	      "server chain and key");
	CHECK(wt_tls_ctx_set_verify(p->cctx, WT_TLS_VERIFY_CHAIN, flags) == 0,
	      "CHAIN policy");
	wt_tls_ctx_set_trust(p->cctx, st);
	tp_conns(p);
	if (sni)
		wt_tls_set_server_name(p->c, sni, strlen(sni));
}

static uint32_t alert_sent(const wt_tls_conn *c)
{
	uint32_t e = wt_tls_error_code(c);
	return (e & WT_TLS_ERR_SEND_ALERT) ? (e & 0xFF) : 0xFFFF;
}

int main(void)
{
	tpair p;
	wt_x509_store *good, *empty;
	ca = unhex(CHAIN_CA_HEX, &calen);
	leaf = unhex(CHAIN_LEAF_HEX, &leaflen);
	leafkey = unhex(CHAIN_LEAF_KEY_HEX, &leafkeylen);
	good = store_with(1);
	empty = store_with(0);

	/* 1. A valid chain for the name asked for. */
	setup(&p, good, 0, "localhost");
	CHECK(tp_handshake(&p) == 1, "valid chain: handshake completes (%s)",
	      wt_tls_err_string(wt_tls_error_code(p.c)));
	CHECK(wt_tls_verify_code(p.c) == 0, "verdict 0, got %d", wt_tls_verify_code(p.c));
	tp_free(&p);

	/* 2. An IP literal as the reference identity (no SNI, RFC 6066 3). */
	setup(&p, good, 0, NULL);
	wt_tls_set_verify_host(p.c, "127.0.0.1", 9);
	CHECK(tp_handshake(&p) == 1 && wt_tls_verify_code(p.c) == 0,
	      "IP SAN matches 127.0.0.1");
	tp_free(&p);

	/* 3. Wrong host: the leaf is for localhost (RFC 9525). */
	setup(&p, good, 0, "example.com");
	CHECK(tp_handshake(&p) == 0, "wrong host fails");
	CHECK(wt_tls_verify_code(p.c) == WT_X509_ERR_HOSTNAME,
	      "host mismatch code %d (%s)", wt_tls_verify_code(p.c),
	      wt_x509_err_name(wt_tls_verify_code(p.c)));
	CHECK(alert_sent(p.c) == wt_x509_err_alert(wt_tls_verify_code(p.c)),
	      "its alert was sent");
	wt_tls_do_handshake(p.s); /* the server reads what was delivered */
	CHECK(wt_tls_error_code(p.s) ==
		      (WT_TLS_ERR_RECV_ALERT | wt_x509_err_alert(WT_X509_ERR_HOSTNAME)),
	      "the server received the alert (0x%x)", wt_tls_error_code(p.s));
	tp_free(&p);

	/* 4. No anchor for the chain: unknown_ca (RFC 8446 6.2). */
	setup(&p, empty, 0, "localhost");
	CHECK(tp_handshake(&p) == 0, "unknown CA fails");
	CHECK(alert_sent(p.c) == WT_ALERT_UNKNOWN_CA, "unknown_ca sent (%u, %s)",
	      alert_sent(p.c), wt_x509_err_name(wt_tls_verify_code(p.c)));
	tp_free(&p);

	/* 5. The callback flag: the engine pauses with its verdict, and the
	 * host may overrule it either way. */
	setup(&p, empty, WT_TLS_VERIFY_CALLBACK, "localhost");
	{
		int i, rc = 0, paused = 0;
		for (i = 0; i < 50 && rc != 1; i++) {
			rc = wt_tls_do_handshake(p.c);
			if (rc != 1 &&
			    wt_tls_get_error(p.c, rc) == WT_TLS_ERROR_WANT_RETRY_VERIFY &&
			    !paused) {
				size_t l;
				paused = 1;
				CHECK(wt_tls_verify_code(p.c) < 0,
				      "verdict visible during the pause");
				CHECK(wt_tls_peer_cert(p.c, 0, &l) != NULL &&
					      l == leaflen,
				      "chain visible");
				wt_tls_set_verify_result(p.c, 0); /* accept anyway */
			}
			wt_tls_do_handshake(p.s);
			tp_move(p.c, p.s, 0);
			tp_move(p.s, p.c, 0);
		}
		CHECK(paused && rc == 1, "callback overruled a failed chain");
	}
	tp_free(&p);
	setup(&p, good, WT_TLS_VERIFY_CALLBACK, "localhost");
	{
		int i, rc = 0;
		for (i = 0; i < 50; i++) {
			rc = wt_tls_do_handshake(p.c);
			if (rc != 1 &&
			    wt_tls_get_error(p.c, rc) == WT_TLS_ERROR_WANT_RETRY_VERIFY)
				wt_tls_set_verify_result(p.c, WT_ALERT_BAD_CERTIFICATE);
			if (rc != 1 && wt_tls_get_error(p.c, rc) == WT_TLS_ERROR_SSL)
				break;
			wt_tls_do_handshake(p.s);
			tp_move(p.c, p.s, 0);
			tp_move(p.s, p.c, 0);
		}
		CHECK(rc != 1 && alert_sent(p.c) == WT_ALERT_BAD_CERTIFICATE,
		      "callback rejected a valid chain");
	}
	tp_free(&p);

	/* 6. Pins: the leaf's SPKI, the CA's (the anchor), and a wrong one. */
	{
		wt_x509_cert lc, cc;
		uint8_t lpin[32], cpin[32], bad[32] = { 1 };
		wt_x509_parse(&lc, leaf, leaflen);
		wt_x509_parse(&cc, ca, calen);
		wt_x509_spki_sha256(leaf, &lc, lpin);
		wt_x509_spki_sha256(ca, &cc, cpin);
		setup(&p, good, 0, "localhost");
		wt_tls_ctx_add_pin(p.cctx, bad);
		wt_tls_ctx_add_pin(p.cctx, lpin);
		CHECK(tp_handshake(&p) == 1, "leaf pin accepted");
		tp_free(&p);
		setup(&p, good, 0, "localhost");
		wt_tls_ctx_add_pin(p.cctx, cpin);
		CHECK(tp_handshake(&p) == 1, "anchor pin accepted");
		tp_free(&p);
		setup(&p, good, 0, "localhost");
		wt_tls_ctx_add_pin(p.cctx, bad);
		CHECK(tp_handshake(&p) == 0 && wt_tls_verify_code(p.c) == WT_X509_ERR_PIN,
		      "wrong pin refused");
		tp_free(&p);
	}

	/* 7. CHAIN with no trust store is a configuration error, before
	 * anything is sent. */
	tp_ctx(&p);
	wt_tls_ctx_set_verify(p.cctx, WT_TLS_VERIFY_CHAIN, 0);
	tp_conns(&p);
	CHECK(wt_tls_do_handshake(p.c) <= 0 &&
		      wt_tls_error_code(p.c) == WT_TLS_ERR_CONFIG &&
		      wt_tls_net_out_pending(p.c) == 0,
	      "no trust store: config error, nothing sent");
	tp_free(&p);
	/* The callback flag belongs to CHAIN only. */
	tp_ctx(&p);
	CHECK(wt_tls_ctx_set_verify(p.cctx, WT_TLS_VERIFY_INSECURE_NO_CHAIN,
				    WT_TLS_VERIFY_CALLBACK) == WT_TLS_ERR_CONFIG,
	      "callback flag without CHAIN refused");
	tp_free(&p);

	/* 8. A server validating client certificates (purpose clientAuth). */
	tp_ctx(&p);
	{
		static uint8_t chain[4096];
		memcpy(chain, leaf, leaflen);
		memcpy(chain + leaflen, ca, calen);
		wt_tls_ctx_set_chain(p.cctx, chain, leaflen + calen);
		wt_tls_ctx_set_key(p.cctx, leafkey, leafkeylen);
		wt_tls_ctx_set_verify(p.sctx, WT_TLS_VERIFY_CHAIN,
				      WT_TLS_CLIENT_CERT_REQUIRE);
		wt_tls_ctx_set_trust(p.sctx, good);
		tp_conns(&p);
		CHECK(tp_handshake(&p) == 1 && wt_tls_verify_code(p.s) == 0 &&
			      wt_tls_peer_authenticated(p.s) == 1,
		      "client certificate validated by the server");
	}
	tp_free(&p);
	tp_ctx(&p);
	{
		wt_tls_ctx_set_verify(p.sctx, WT_TLS_VERIFY_CHAIN,
				      WT_TLS_CLIENT_CERT_REQUIRE);
		wt_tls_ctx_set_trust(p.sctx, good);
		/* The client presents the Ed25519 test certificate: no anchor. */
		tp_use_cert(p.cctx, 0);
		tp_conns(&p);
		CHECK(tp_handshake(&p) == 0 && alert_sent(p.s) == WT_ALERT_UNKNOWN_CA,
		      "untrusted client certificate refused with unknown_ca");
	}
	tp_free(&p);

	free(good);
	free(empty);
	free(ca);
	free(leaf);
	free(leafkey);
	return t_done();
}
