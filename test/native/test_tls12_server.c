/*
 * test_tls12_server.c: our TLS 1.2 server (crypto-src/tls/hs12_server.c)
 * against our TLS 1.2 client in memory, and against that client's
 * messages changed on the way: the client's second flight ([Certificate]
 * ClientKeyExchange [CertificateVerify] before ChangeCipherSpec) travels
 * in the clear in TLS 1.2 (RFC 5246 7.3), so the tests cut it into
 * messages and records and put it back together reordered, duplicated,
 * truncated or with a bad point, signature or Finished. Each refusal is
 * pinned by the alert sent and the reason (RFC 5246 7.2.2 names the
 * alerts). The real peers are in test/tls12-server.test.ts.
 */
#include "tls_testlib.h"
#include "../../crypto-src/tls/tls_inner.h"

#define BUF 65536

static uint8_t cbuf[BUF], sbuf[BUF];

/* A pair whose client speaks TLS 1.2 only; the server keeps its default
 * versions (1.2 and 1.3) and the identity `kind`. */
static void pair12(tpair *p, int kind)
{
	tp_ctx(p);
	if (wt_tls_ctx_set_versions(p->cctx, WT_TLS_VERSION_12, WT_TLS_VERSION_12))
		fprintf(stderr, "set_versions failed\n");
	if (kind != TK_ED25519 && tp_use_cert(p->sctx, kind))
		fprintf(stderr, "tp_use_cert failed\n");
}

/* Everything a side has sent, taken off its outgoing side. */
static size_t take(wt_tls_conn *c, uint8_t *buf)
{
	size_t n, total = 0;
	uint8_t *src;
	while ((src = wt_tls_net_out_buf(c, &n)) != NULL && n > 0 && total + n <= BUF) {
		memcpy(buf + total, src, n);
		wt_tls_net_out_ack(c, n);
		total += n;
	}
	return total;
}

/* Bytes into a side's incoming side (all fit in these tests). */
static void give(wt_tls_conn *c, const uint8_t *buf, size_t len)
{
	while (len > 0) {
		size_t room, n;
		uint8_t *dst = wt_tls_net_in_buf(c, &room);
		if (room == 0)
			break;
		n = len < room ? len : room;
		memcpy(dst, buf, n);
		wt_tls_net_in_ack(c, n);
		buf += n;
		len -= n;
	}
}

/* The server's verdict on what it was given: 1 when it is still fine
 * (waiting for more, or done). */
static int server_ok(tpair *p)
{
	int r = wt_tls_do_handshake(p->s);
	return r == 1 || wt_tls_get_error(p->s, r) == WT_TLS_ERROR_WANT_READ;
}

/* The server failed with `alert` sent and `reason`. */
static int server_sent(tpair *p, uint32_t alert, uint32_t reason)
{
	int r = wt_tls_do_handshake(p->s);
	return r != 1 && wt_tls_get_error(p->s, r) == WT_TLS_ERROR_SSL &&
		wt_tls_error_code(p->s) == WT_TLS_ERR_SEND_ALERT + alert &&
		wt_tls_reason(p->s) == reason;
}

/* ---- records and messages ------------------------------------------------- */

/* Append a plaintext record. */
static size_t rec(uint8_t *out, size_t at, uint8_t type, const uint8_t *b, size_t n)
{
	out[at] = type;
	out[at + 1] = 3;
	out[at + 2] = 3;
	out[at + 3] = (uint8_t)(n >> 8);
	out[at + 4] = (uint8_t)n;
	memcpy(out + at + 5, b, n);
	return at + 5 + n;
}

/* The client's second flight, cut up: the handshake messages sent in the
 * clear (concatenated, headers kept), whether a ChangeCipherSpec came,
 * and the protected Finished record, whole. */
typedef struct {
	uint8_t hs[BUF];
	size_t hslen;
	int ccs;
	uint8_t fin[1024];
	size_t finlen;
} flight;

static void cut(const uint8_t *b, size_t n, flight *f)
{
	size_t at = 0;
	memset(f, 0, sizeof *f);
	while (at + 5 <= n) {
		size_t len = (size_t)b[at + 3] << 8 | b[at + 4];
		if (b[at] == CT_CCS) {
			f->ccs = 1;
		} else if (f->ccs) {
			memcpy(f->fin, b + at, 5 + len);
			f->finlen = 5 + len;
		} else if (b[at] == CT_HANDSHAKE) {
			memcpy(f->hs + f->hslen, b + at + 5, len);
			f->hslen += len;
		}
		at += 5 + len;
	}
}

/* Offset and whole length of the first message of `type` in hs, or -1. */
static long msg_at(const flight *f, uint32_t type, size_t *len)
{
	size_t at = 0;
	while (at + 4 <= f->hslen) {
		size_t l = 4 +
			((size_t)f->hs[at + 1] << 16 | (size_t)f->hs[at + 2] << 8 |
			 f->hs[at + 3]);
		if (f->hs[at] == type) {
			*len = l;
			return (long)at;
		}
		at += l;
	}
	return -1;
}

/* Run the pair to the point where the client has sent its second flight;
 * that flight is returned cut up (and nothing of it reached the server). */
static int to_client_flight(tpair *p, flight *f)
{
	size_t n;
	wt_tls_do_handshake(p->c);
	tp_move(p->c, p->s, 0);
	if (!server_ok(p))
		return 0;
	tp_move(p->s, p->c, 0);
	wt_tls_do_handshake(p->c);
	n = take(p->c, cbuf);
	cut(cbuf, n, f);
	return f->hslen > 0 && f->ccs && f->finlen > 0;
}

static const uint8_t CCS1[1] = { 1 };

/* Give the server: hs messages (one record), then CCS and Finished as
 * flagged. */
static void send_flight(tpair *p, const uint8_t *hs, size_t hslen, int ccs,
			const flight *f)
{
	size_t at = 0;
	if (hslen)
		at = rec(sbuf, at, CT_HANDSHAKE, hs, hslen);
	if (ccs)
		at = rec(sbuf, at, CT_CCS, CCS1, 1);
	if (ccs && f) {
		memcpy(sbuf + at, f->fin, f->finlen);
		at += f->finlen;
	}
	give(p->s, sbuf, at);
}

/* ---- the handshake works --------------------------------------------------- */

static int exchange(tpair *p)
{
	uint8_t buf[64];
	int a = wt_tls_write(p->c, 1, (const uint8_t *)"ping", 4), b, r;
	tp_move(p->c, p->s, 0);
	r = wt_tls_read(p->s, buf, sizeof buf);
	b = wt_tls_write(p->s, 2, (const uint8_t *)"pong!", 5);
	tp_move(p->s, p->c, 0);
	return a == 4 && r == 4 && memcmp(buf, "ping", 4) == 0 && b == 5 &&
		wt_tls_read(p->c, buf, sizeof buf) == 5 && memcmp(buf, "pong!", 5) == 0;
}

static void test_suites(void)
{
	static const uint16_t ec[] = { WT_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
				       WT_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
				       WT_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 };
	static const uint16_t rsa[] = { WT_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
					WT_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
					WT_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256 };
	static const uint16_t groups[] = { WT_GROUP_X25519, WT_GROUP_SECP256R1,
					   WT_GROUP_SECP384R1 };
	int kind;
	size_t i, g;
	for (kind = 0; kind < TK_N; kind++)
		for (i = 0; i < 3; i++)
			for (g = 0; g < 3; g++) {
				tpair p;
				uint16_t s = kind == TK_RSA ? rsa[i] : ec[i];
				/* The server held to the group tested; the client
				 * lists it and the curve of an ECDSA certificate
				 * (RFC 8422 5.3, see below). */
				uint16_t cg[2] = { groups[g],
						   kind == TK_P384 ? WT_GROUP_SECP384R1 :
								     WT_GROUP_SECP256R1 };
				pair12(&p, kind);
				wt_tls_ctx_set_suites12(p.cctx, &s, 1);
				wt_tls_ctx_set_groups(p.sctx, &groups[g], 1);
				wt_tls_ctx_set_groups(p.cctx, cg, cg[0] == cg[1] ? 1 : 2);
				tp_conns(&p);
				CHECK(tp_handshake(&p) && exchange(&p),
				      "%s suite %04x group %04x: handshake",
				      TK_NAME[kind], s, groups[g]);
				CHECK(wt_tls_get_version(p.s) == WT_TLS_VERSION_12 &&
					      wt_tls_get_suite(p.s) == s &&
					      wt_tls_get_group(p.s) == groups[g] &&
					      !wt_tls_session_reused(p.s),
				      "%s suite %04x group %04x: negotiated",
				      TK_NAME[kind], s, groups[g]);
				/* RFC 8446 4.1.3: "44 4F 57 4E 47 52 44 01" ends our
				 * random (we do 1.3, the client offered 1.2). */
				CHECK(memcmp(p.s->random + 24, "DOWNGRD\x01", 8) == 0,
				      "downgrade sentinel");
				CHECK(p.s->ems == 1, "EMS negotiated");
				tp_free(&p);
			}
	/* An RSA key with ECDSA suites only offered: nothing to choose
	 * (7.2.2 handshake_failure). */
	{
		tpair p;
		pair12(&p, TK_RSA);
		wt_tls_ctx_set_suites12(p.cctx, ec, 3);
		tp_conns(&p);
		wt_tls_do_handshake(p.c);
		tp_move(p.c, p.s, 0);
		CHECK(server_sent(&p, WT_ALERT_HANDSHAKE_FAILURE,
				  WT_TLS_R_NO_SHARED_SUITE),
		      "RSA key, ECDSA suites: handshake_failure");
		tp_free(&p);
	}
	/* RFC 8422 5.3: a P-384 certificate with a client listing P-256 only:
	 * no ECDSA suite fits. */
	{
		tpair p;
		pair12(&p, TK_P384);
		wt_tls_ctx_set_groups(p.cctx, &groups[1], 1);
		tp_conns(&p);
		wt_tls_do_handshake(p.c);
		tp_move(p.c, p.s, 0);
		CHECK(server_sent(&p, WT_ALERT_HANDSHAKE_FAILURE,
				  WT_TLS_R_NO_SHARED_SUITE),
		      "P-384 key, client without P-384: handshake_failure");
		tp_free(&p);
	}
}

static void test_client_cert(void)
{
	uint32_t flags[2] = { WT_TLS_CLIENT_CERT_REQUEST,
			      WT_TLS_CLIENT_CERT_REQUEST | WT_TLS_CLIENT_CERT_REQUIRE };
	int kind, i;
	/* Not Ed25519: a TLS 1.2 CertificateVerify signs the transcript
	 * hash here (hs12.c), which PureEdDSA cannot; our CertificateRequest
	 * does not list it. */
	for (i = 0; i < 2; i++)
		for (kind = TK_P256; kind < TK_N; kind++) {
			tpair p;
			pair12(&p, TK_P256);
			wt_tls_ctx_set_verify(p.sctx, WT_TLS_VERIFY_INSECURE_NO_CHAIN,
					      flags[i]);
			tp_use_cert(p.cctx, kind);
			tp_conns(&p);
			CHECK(tp_handshake(&p) && exchange(&p) &&
				      wt_tls_peer_authenticated(p.s) == 1,
			      "client certificate %s (flags %u)", TK_NAME[kind],
			      flags[i]);
			tp_free(&p);
		}
	/* Requested, none: fine; required, none: handshake_failure (RFC
	 * 5246 7.4.6). */
	for (i = 0; i < 2; i++) {
		tpair p;
		pair12(&p, TK_P256);
		wt_tls_ctx_set_verify(p.sctx, WT_TLS_VERIFY_INSECURE_NO_CHAIN, flags[i]);
		tp_conns(&p);
		if (i == 0) {
			CHECK(tp_handshake(&p) && exchange(&p) &&
				      wt_tls_peer_authenticated(p.s) == 0,
			      "no client certificate, requested");
		} else {
			CHECK(!tp_handshake(&p) &&
				      wt_tls_error_code(p.s) ==
					      WT_TLS_ERR_SEND_ALERT +
						      WT_ALERT_HANDSHAKE_FAILURE &&
				      wt_tls_reason(p.s) == WT_TLS_R_NO_CERTIFICATE,
			      "no client certificate, required: handshake_failure");
		}
		tp_free(&p);
	}
}

/* ---- resumption (RFC 5077) ------------------------------------------------- */

static const uint8_t TKEY[32] = { 12, 1, 2, 3 };
static size_t client_hello(tpair *p);
static long ch_ext(const uint8_t *r, size_t n, uint32_t type, size_t *len);

static size_t full_then_session(tpair *p, uint8_t *sess)
{
	size_t n;
	tp_conns(p);
	if (!tp_handshake(p) || !exchange(p))
		return 0;
	n = wt_tls_get_session(p->c, sess, WT_TLS_SESSION_MAX);
	tp_free_conns(p);
	return n;
}

static void test_resumption(void)
{
	static uint8_t sess[WT_TLS_SESSION_MAX];
	tpair p;
	size_t n;
	pair12(&p, TK_P256);
	wt_tls_ctx_set_ticket_key(p.sctx, TKEY, 1, 3600);
	n = full_then_session(&p, sess);
	CHECK(n > 0, "a session after the full handshake");

	/* The ticket resumes: abbreviated handshake both sides agree on. */
	tp_conns(&p);
	wt_tls_set_session(p.c, sess, n);
	CHECK(tp_handshake(&p) && exchange(&p), "resumed handshake");
	CHECK(wt_tls_session_reused(p.s) && wt_tls_session_reused(p.c),
	      "both sides resumed");
	CHECK(p.s->tickets_sent == 1, "a renewed ticket in the abbreviated handshake");
	tp_free_conns(&p);

	/* Another ticket key: a full handshake (RFC 5077 3.4), and a new
	 * ticket. */
	wt_tls_ctx_set_ticket_key(p.sctx, (const uint8_t[32]){ 13 }, 1, 3600);
	tp_conns(&p);
	wt_tls_set_session(p.c, sess, n);
	CHECK(tp_handshake(&p) && exchange(&p) && !wt_tls_session_reused(p.s) &&
		      p.s->tickets_sent == 1,
	      "ticket under another key: full handshake");
	tp_free_conns(&p);

	/* The suite of the session no longer offered by the client: full. */
	wt_tls_ctx_set_ticket_key(p.sctx, TKEY, 1, 3600);
	{
		uint16_t other = WT_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384;
		uint32_t was;
		tp_conns(&p);
		CHECK(tp_handshake(&p), "setup");
		was = wt_tls_get_suite(p.s);
		n = wt_tls_get_session(p.c, sess, WT_TLS_SESSION_MAX);
		tp_free_conns(&p);
		CHECK(was != other, "the default suite is not AES-256");
		wt_tls_ctx_set_suites12(p.cctx, &other, 1);
		tp_conns(&p);
		wt_tls_set_session(p.c, sess, n);
		CHECK(tp_handshake(&p) && !wt_tls_session_reused(p.s) &&
			      wt_tls_get_suite(p.s) == other,
		      "session suite not offered: full handshake");
		tp_free_conns(&p);
	}
	/* RFC 7627 5.3: a hello without extended_master_secret does not
	 * resume an EMS session (ours all are): a full handshake. */
	{
		size_t cn, el;
		long eo;
		n = full_then_session(&p, sess);
		tp_conns(&p);
		wt_tls_set_session(p.c, sess, n);
		cn = client_hello(&p);
		eo = ch_ext(cbuf, cn, EXT_EXTENDED_MASTER_SECRET, &el);
		CHECK(eo > 0, "EMS offered");
		cbuf[eo - 4] = 0xEE;
		give(p.s, cbuf, cn);
		CHECK(server_ok(&p) && !p.s->resumed && p.s->ems == 0,
		      "ticket without EMS in the new hello: full handshake");
		tp_free_conns(&p);
		/* The same hello untouched resumes (the case above is not
		 * refused for another reason). */
		tp_conns(&p);
		wt_tls_set_session(p.c, sess, n);
		cn = client_hello(&p);
		give(p.s, cbuf, cn);
		CHECK(server_ok(&p) && p.s->resumed, "the same hello with EMS resumes");
		tp_free_conns(&p);
	}
	/* RFC 5077 5.6: an expired ticket does not resume (lifetime 3600 s;
	 * the client keeps offering it). */
	{
		const uint64_t t0 = 1800000000000ull;
		size_t cn, el;
		wt_test_set_now(t0);
		n = full_then_session(&p, sess);
		wt_test_set_now(t0 + 3599 * 1000ull);
		tp_conns(&p);
		wt_tls_set_session(p.c, sess, n);
		CHECK(tp_handshake(&p) && wt_tls_session_reused(p.s),
		      "ticket within its lifetime: resumed");
		tp_free_conns(&p);
		/* The hello made while the client still takes the ticket as
		 * valid, read by the server once it is not. */
		wt_test_set_now(t0 + 3599 * 1000ull);
		tp_conns(&p);
		wt_tls_set_session(p.c, sess, n);
		cn = client_hello(&p);
		CHECK(ch_ext(cbuf, cn, EXT_SESSION_TICKET, &el) > 0 && el > 0,
		      "ticket offered");
		wt_test_set_now(t0 + 3601 * 1000ull);
		give(p.s, cbuf, cn);
		CHECK(server_ok(&p) && !p.s->resumed, "expired ticket: full handshake");
		tp_free_conns(&p);
		wt_test_set_now(0);
	}
	/* RFC 6066 3: another server_name does not resume. */
	{
		tp_conns(&p);
		wt_tls_set_server_name(p.c, "a.test", 6);
		CHECK(tp_handshake(&p), "setup");
		n = wt_tls_get_session(p.c, sess, WT_TLS_SESSION_MAX);
		tp_free_conns(&p);
		tp_conns(&p);
		wt_tls_set_server_name(p.c, "b.test", 6);
		wt_tls_set_session(p.c, sess, n);
		CHECK(tp_handshake(&p) && !wt_tls_session_reused(p.s),
		      "other SNI: full handshake");
		tp_free_conns(&p);
		tp_conns(&p);
		wt_tls_set_server_name(p.c, "a.test", 6);
		wt_tls_set_session(p.c, sess, n);
		CHECK(tp_handshake(&p) && wt_tls_session_reused(p.s),
		      "same SNI: resumed");
		tp_free_conns(&p);
	}
	/* Client certificates required: a ticket of a client that did not
	 * authenticate does not resume (it would skip the requirement). */
	{
		tpair q;
		pair12(&q, TK_P256);
		wt_tls_ctx_set_ticket_key(q.sctx, TKEY, 1, 3600);
		n = full_then_session(&q, sess);
		wt_tls_ctx_set_verify(q.sctx, WT_TLS_VERIFY_INSECURE_NO_CHAIN,
				      WT_TLS_CLIENT_CERT_REQUEST |
					      WT_TLS_CLIENT_CERT_REQUIRE);
		tp_use_cert(q.cctx, TK_P256);
		tp_conns(&q);
		wt_tls_set_session(q.c, sess, n);
		CHECK(tp_handshake(&q) && !wt_tls_session_reused(q.s) &&
			      wt_tls_peer_authenticated(q.s) == 1,
		      "unauthenticated ticket under REQUIRE: full handshake with a "
		      "certificate");
		tp_free(&q);
	}
	tp_free(&p);
}

/* ---- hostile client flights ------------------------------------------------ */

/* A pair at the client's second flight; cert: the server asks for a
 * client certificate and the client has one. */
static int hostile_setup(tpair *p, flight *f, int cert, uint16_t group)
{
	pair12(p, TK_P256);
	if (cert) {
		wt_tls_ctx_set_verify(p->sctx, WT_TLS_VERIFY_INSECURE_NO_CHAIN,
				      WT_TLS_CLIENT_CERT_REQUEST);
		tp_use_cert(p->cctx, TK_P256);
	}
	if (group) {
		/* The client lists the certificate's curve too (RFC 8422 5.3). */
		uint16_t cg[2] = { group, WT_GROUP_SECP256R1 };
		wt_tls_ctx_set_groups(p->sctx, &group, 1);
		wt_tls_ctx_set_groups(p->cctx, cg, group == cg[1] ? 1 : 2);
	}
	tp_conns(p);
	return to_client_flight(p, f);
}

static void test_flight_untouched(void)
{
	tpair p;
	static flight f;
	CHECK(hostile_setup(&p, &f, 1, 0), "setup");
	send_flight(&p, f.hs, f.hslen, 1, &f);
	CHECK(server_ok(&p) && wt_tls_is_init_finished(p.s) &&
		      wt_tls_peer_authenticated(p.s) == 1,
	      "the flight put back together unchanged is taken");
	tp_free(&p);
}

static void test_order(void)
{
	static flight f;
	static uint8_t hs[BUF];
	size_t cl, kl, vl;
	long co, ko, vo;
	tpair p;

	/* ClientKeyExchange before the requested Certificate. */
	CHECK(hostile_setup(&p, &f, 1, 0), "setup");
	co = msg_at(&f, HS_CERTIFICATE, &cl);
	ko = msg_at(&f, HS_CLIENT_KEY_EXCHANGE, &kl);
	vo = msg_at(&f, HS_CERTIFICATE_VERIFY, &vl);
	CHECK(co >= 0 && ko >= 0 && vo >= 0, "Certificate, CKE, CertificateVerify sent");
	memcpy(hs, f.hs + ko, kl);
	memcpy(hs + kl, f.hs + co, cl);
	memcpy(hs + kl + cl, f.hs + vo, vl);
	send_flight(&p, hs, kl + cl + vl, 1, &f);
	CHECK(server_sent(&p, WT_ALERT_UNEXPECTED_MESSAGE, WT_TLS_R_UNEXPECTED_MESSAGE),
	      "CKE before the Certificate asked for: unexpected_message");
	tp_free(&p);

	/* CertificateVerify before ClientKeyExchange. */
	CHECK(hostile_setup(&p, &f, 1, 0), "setup");
	co = msg_at(&f, HS_CERTIFICATE, &cl);
	ko = msg_at(&f, HS_CLIENT_KEY_EXCHANGE, &kl);
	vo = msg_at(&f, HS_CERTIFICATE_VERIFY, &vl);
	memcpy(hs, f.hs + co, cl);
	memcpy(hs + cl, f.hs + vo, vl);
	memcpy(hs + cl + vl, f.hs + ko, kl);
	send_flight(&p, hs, kl + cl + vl, 1, &f);
	CHECK(server_sent(&p, WT_ALERT_UNEXPECTED_MESSAGE, WT_TLS_R_UNEXPECTED_MESSAGE),
	      "CertificateVerify before CKE: unexpected_message");
	tp_free(&p);

	/* No CertificateVerify after a certificate: CCS comes early. */
	CHECK(hostile_setup(&p, &f, 1, 0), "setup");
	co = msg_at(&f, HS_CERTIFICATE, &cl);
	ko = msg_at(&f, HS_CLIENT_KEY_EXCHANGE, &kl);
	memcpy(hs, f.hs + co, cl);
	memcpy(hs + cl, f.hs + ko, kl);
	send_flight(&p, hs, cl + kl, 1, &f);
	CHECK(server_sent(&p, WT_ALERT_UNEXPECTED_MESSAGE, WT_TLS_R_BAD_CCS),
	      "CertificateVerify missing: the CCS is unexpected");
	tp_free(&p);

	/* CCS before ClientKeyExchange (CVE-2014-0224's early CCS): there are
	 * no keys to change to. */
	CHECK(hostile_setup(&p, &f, 0, 0), "setup");
	{
		size_t at = rec(sbuf, 0, CT_CCS, CCS1, 1);
		at = rec(sbuf, at, CT_HANDSHAKE, f.hs, f.hslen);
		give(p.s, sbuf, at);
	}
	CHECK(server_sent(&p, WT_ALERT_UNEXPECTED_MESSAGE, WT_TLS_R_BAD_CCS),
	      "CCS before CKE: unexpected_message");
	tp_free(&p);

	/* Finished in the clear instead of CCS + protected Finished (RFC 5246
	 * 7.4.9: "It is a fatal error if a Finished message is not preceded
	 * by a ChangeCipherSpec message"). */
	CHECK(hostile_setup(&p, &f, 0, 0), "setup");
	{
		static const uint8_t fin[16] = { HS_FINISHED, 0, 0, 12 };
		memcpy(hs, f.hs, f.hslen);
		memcpy(hs + f.hslen, fin, 16);
		send_flight(&p, hs, f.hslen + 16, 0, NULL);
	}
	CHECK(server_sent(&p, WT_ALERT_UNEXPECTED_MESSAGE, WT_TLS_R_UNEXPECTED_MESSAGE),
	      "Finished before CCS: unexpected_message");
	tp_free(&p);

	/* A duplicated ClientKeyExchange. */
	CHECK(hostile_setup(&p, &f, 0, 0), "setup");
	memcpy(hs, f.hs, f.hslen);
	memcpy(hs + f.hslen, f.hs, f.hslen);
	send_flight(&p, hs, 2 * f.hslen, 1, &f);
	CHECK(server_sent(&p, WT_ALERT_UNEXPECTED_MESSAGE, WT_TLS_R_UNEXPECTED_MESSAGE),
	      "duplicate CKE: unexpected_message");
	tp_free(&p);

	/* A duplicated Certificate. */
	CHECK(hostile_setup(&p, &f, 1, 0), "setup");
	co = msg_at(&f, HS_CERTIFICATE, &cl);
	memcpy(hs, f.hs + co, cl);
	memcpy(hs + cl, f.hs, f.hslen);
	send_flight(&p, hs, cl + f.hslen, 1, &f);
	CHECK(server_sent(&p, WT_ALERT_UNEXPECTED_MESSAGE, WT_TLS_R_UNEXPECTED_MESSAGE),
	      "duplicate Certificate: unexpected_message");
	tp_free(&p);

	/* A second ChangeCipherSpec (protected, under the new keys) before
	 * the Finished. */
	CHECK(hostile_setup(&p, &f, 0, 0), "setup");
	{
		size_t at = rec(sbuf, 0, CT_HANDSHAKE, f.hs, f.hslen), n;
		at = rec(sbuf, at, CT_CCS, CCS1, 1);
		p.c->wr.seq = 0;
		wt_tls_seal(p.c, CT_CCS, CCS1, 1);
		wt_tls_flush(p.c);
		n = take(p.c, cbuf);
		memcpy(sbuf + at, cbuf, n);
		give(p.s, sbuf, at + n);
	}
	CHECK(server_sent(&p, WT_ALERT_UNEXPECTED_MESSAGE, WT_TLS_R_BAD_CCS),
	      "second CCS: unexpected_message");
	tp_free(&p);

	/* A message whose header claims more than the handshake limit. */
	CHECK(hostile_setup(&p, &f, 0, 0), "setup");
	{
		static const uint8_t big[8] = {
			HS_CLIENT_KEY_EXCHANGE, 0x10, 0, 0, 1, 2, 3, 4
		};
		send_flight(&p, big, sizeof big, 0, NULL);
	}
	CHECK(server_sent(&p, WT_ALERT_DECODE_ERROR, WT_TLS_R_HS_TOO_LARGE),
	      "1 MiB CKE header: decode_error");
	tp_free(&p);

	/* A second ClientHello during the handshake. */
	CHECK(hostile_setup(&p, &f, 0, 0), "setup");
	{
		static const uint8_t ch[4] = { HS_CLIENT_HELLO, 0, 0, 0 };
		send_flight(&p, ch, 4, 0, NULL);
	}
	CHECK(server_sent(&p, WT_ALERT_UNEXPECTED_MESSAGE, WT_TLS_R_UNEXPECTED_MESSAGE),
	      "ClientHello in the client's flight: unexpected_message");
	tp_free(&p);

	/* Application data before the handshake ends. */
	CHECK(hostile_setup(&p, &f, 0, 0), "setup");
	{
		size_t at = rec(sbuf, 0, CT_APPDATA, (const uint8_t *)"early", 5);
		give(p.s, sbuf, at);
	}
	CHECK(server_sent(&p, WT_ALERT_UNEXPECTED_MESSAGE, WT_TLS_R_BAD_RECORD_TYPE),
	      "application data during the handshake: unexpected_message");
	tp_free(&p);
}

static void test_cke(void)
{
	static flight f;
	static uint8_t hs[BUF];
	tpair p;
	size_t kl;
	long ko;

	/* Truncated: the point one byte short (its length byte kept). */
	CHECK(hostile_setup(&p, &f, 0, WT_GROUP_X25519), "setup");
	ko = msg_at(&f, HS_CLIENT_KEY_EXCHANGE, &kl);
	CHECK(ko == 0 && kl == 4 + 1 + 32, "X25519 CKE: 33 bytes");
	memcpy(hs, f.hs, kl - 1);
	hs[3]--;
	send_flight(&p, hs, kl - 1, 1, &f);
	CHECK(server_sent(&p, WT_ALERT_DECODE_ERROR, WT_TLS_R_DECODE),
	      "truncated CKE: decode_error");
	tp_free(&p);

	/* A byte too many after the point. */
	CHECK(hostile_setup(&p, &f, 0, WT_GROUP_X25519), "setup");
	memcpy(hs, f.hs, f.hslen);
	hs[f.hslen] = 0;
	hs[3]++;
	send_flight(&p, hs, f.hslen + 1, 1, &f);
	CHECK(server_sent(&p, WT_ALERT_DECODE_ERROR, WT_TLS_R_DECODE),
	      "trailing byte in CKE: decode_error");
	tp_free(&p);

	/* An empty point (ECPoint is <1..2^8-1>). */
	CHECK(hostile_setup(&p, &f, 0, WT_GROUP_X25519), "setup");
	{
		static const uint8_t cke[5] = { HS_CLIENT_KEY_EXCHANGE, 0, 0, 1, 0 };
		send_flight(&p, cke, 5, 1, &f);
	}
	CHECK(server_sent(&p, WT_ALERT_DECODE_ERROR, WT_TLS_R_DECODE),
	      "empty point: decode_error");
	tp_free(&p);

	/* A P-256 point of the right size but off the curve. */
	CHECK(hostile_setup(&p, &f, 0, WT_GROUP_SECP256R1), "setup");
	ko = msg_at(&f, HS_CLIENT_KEY_EXCHANGE, &kl);
	CHECK(ko == 0 && kl == 4 + 1 + 65 && f.hs[5] == 4,
	      "P-256 CKE: uncompressed point");
	memcpy(hs, f.hs, kl);
	hs[kl - 1] ^= 1;
	send_flight(&p, hs, kl, 1, &f);
	CHECK(server_sent(&p, WT_ALERT_ILLEGAL_PARAMETER, WT_TLS_R_BAD_KEY_SHARE),
	      "P-256 point off the curve: illegal_parameter");
	tp_free(&p);

	/* A compressed P-256 point (33 bytes): we take uncompressed only; a
	 * well-formed vector holding a point of the wrong size is
	 * illegal_parameter (as a TLS 1.3 key share of the wrong size, and as
	 * BoringSSL answers: BoGo CurveTest-Invalid-Compressed-Server). */
	CHECK(hostile_setup(&p, &f, 0, WT_GROUP_SECP256R1), "setup");
	memcpy(hs, f.hs, 4 + 1 + 33);
	hs[3] = 34;
	hs[4] = 33;
	hs[5] = 2;
	send_flight(&p, hs, 4 + 34, 1, &f);
	CHECK(server_sent(&p, WT_ALERT_ILLEGAL_PARAMETER, WT_TLS_R_BAD_KEY_SHARE),
	      "compressed P-256 point: illegal_parameter");
	tp_free(&p);

	/* X25519's all-zero point gives the all-zero secret (RFC 7748 6.1). */
	CHECK(hostile_setup(&p, &f, 0, WT_GROUP_X25519), "setup");
	memcpy(hs, f.hs, f.hslen);
	memset(hs + 5, 0, 32);
	send_flight(&p, hs, f.hslen, 1, &f);
	CHECK(server_sent(&p, WT_ALERT_ILLEGAL_PARAMETER, WT_TLS_R_BAD_KEY_SHARE),
	      "X25519 zero point: illegal_parameter");
	tp_free(&p);

	/* Another client point, valid: the handshake goes as far as the
	 * Finished, which cannot match (decrypt fails first: the record key
	 * comes from the other secret). */
	CHECK(hostile_setup(&p, &f, 0, WT_GROUP_X25519), "setup");
	memcpy(hs, f.hs, f.hslen);
	hs[5 + 3] ^= 0x10;
	send_flight(&p, hs, f.hslen, 1, &f);
	CHECK(server_sent(&p, WT_ALERT_BAD_RECORD_MAC, WT_TLS_R_BAD_RECORD_MAC),
	      "another valid point: the Finished record does not open");
	tp_free(&p);
}

static void test_cert_verify_and_finished(void)
{
	static flight f;
	static uint8_t hs[BUF];
	tpair p;
	size_t vl;
	long vo;

	/* A CertificateVerify signature with a bit flipped. */
	CHECK(hostile_setup(&p, &f, 1, 0), "setup");
	vo = msg_at(&f, HS_CERTIFICATE_VERIFY, &vl);
	CHECK(vo > 0, "CertificateVerify sent");
	memcpy(hs, f.hs, f.hslen);
	hs[vo + (long)vl - 5] ^= 1;
	send_flight(&p, hs, f.hslen, 1, &f);
	CHECK(server_sent(&p, WT_ALERT_DECRYPT_ERROR, WT_TLS_R_BAD_SIGNATURE),
	      "bad CertificateVerify: decrypt_error");
	tp_free(&p);

	/* A CertificateVerify with a scheme we did not list (Ed25519: not in
	 * our TLS 1.2 CertificateRequest). */
	CHECK(hostile_setup(&p, &f, 1, 0), "setup");
	vo = msg_at(&f, HS_CERTIFICATE_VERIFY, &vl);
	memcpy(hs, f.hs, f.hslen);
	hs[vo + 4] = 0x08;
	hs[vo + 5] = 0x07;
	send_flight(&p, hs, f.hslen, 1, &f);
	CHECK(server_sent(&p, WT_ALERT_ILLEGAL_PARAMETER, WT_TLS_R_NO_SHARED_SIGALG),
	      "CertificateVerify scheme not requested: illegal_parameter");
	tp_free(&p);

	/* A Finished whose verify_data is wrong, sealed with the client's
	 * own keys (its sequence number set back to the Finished's). */
	CHECK(hostile_setup(&p, &f, 0, 0), "setup");
	{
		uint8_t fin[16] = { HS_FINISHED, 0, 0, 12 };
		size_t n;
		memcpy(fin + 4, p.c->own_vd, 12);
		fin[4 + 11] ^= 0x80;
		p.c->wr.seq = 0;
		wt_tls_seal(p.c, CT_HANDSHAKE, fin, sizeof fin);
		wt_tls_flush(p.c);
		n = take(p.c, cbuf);
		CHECK(n == f.finlen, "forged Finished record");
		memcpy(f.fin, cbuf, n);
	}
	send_flight(&p, f.hs, f.hslen, 1, &f);
	CHECK(server_sent(&p, WT_ALERT_DECRYPT_ERROR, WT_TLS_R_BAD_FINISHED),
	      "bad Finished: decrypt_error");
	tp_free(&p);

	/* A Finished of the wrong length, under the right keys. */
	CHECK(hostile_setup(&p, &f, 0, 0), "setup");
	{
		uint8_t fin[17] = { HS_FINISHED, 0, 0, 13 };
		memcpy(fin + 4, p.c->own_vd, 12);
		p.c->wr.seq = 0;
		wt_tls_seal(p.c, CT_HANDSHAKE, fin, sizeof fin);
		wt_tls_flush(p.c);
		f.finlen = take(p.c, cbuf);
		memcpy(f.fin, cbuf, f.finlen);
	}
	send_flight(&p, f.hs, f.hslen, 1, &f);
	CHECK(server_sent(&p, WT_ALERT_DECODE_ERROR, WT_TLS_R_DECODE),
	      "13-byte Finished: decode_error");
	tp_free(&p);

	/* The right Finished re-sealed the same way is taken (the forging
	 * above changes only what it says). */
	CHECK(hostile_setup(&p, &f, 0, 0), "setup");
	{
		uint8_t fin[16] = { HS_FINISHED, 0, 0, 12 };
		memcpy(fin + 4, p.c->own_vd, 12);
		p.c->wr.seq = 0;
		wt_tls_seal(p.c, CT_HANDSHAKE, fin, sizeof fin);
		wt_tls_flush(p.c);
		f.finlen = take(p.c, cbuf);
		memcpy(f.fin, cbuf, f.finlen);
	}
	send_flight(&p, f.hs, f.hslen, 1, &f);
	CHECK(server_ok(&p) && wt_tls_is_init_finished(p.s),
	      "re-sealed true Finished: taken (%x %u)", wt_tls_error_code(p.s),
	      wt_tls_reason(p.s));
	tp_free(&p);
}

/* ---- ClientHello surgery ------------------------------------------------------ */

/* The client's ClientHello, in one plaintext record, in cbuf; its length. */
static size_t client_hello(tpair *p)
{
	wt_tls_do_handshake(p->c);
	return take(p->c, cbuf);
}

/* Offsets in a ClientHello record: cipher_suites length field,
 * compression vector, extension block length field. */
static void ch_offsets(const uint8_t *r, size_t *suites, size_t *comp, size_t *exts)
{
	size_t at = 5 + 4 + 2 + 32;
	at += 1 + r[at];
	*suites = at;
	at += 2 + ((size_t)r[at] << 8 | r[at + 1]);
	*comp = at;
	at += 1 + r[at];
	*exts = at;
}

/* Grow the record, the message and (when inner) one vector at `vec`
 * (2-byte length) by `by` bytes inserted at `at`. */
static size_t ch_insert(uint8_t *r, size_t n, size_t at, const uint8_t *b, size_t by,
			size_t vec)
{
	size_t v;
	memmove(r + at + by, r + at, n - at);
	memcpy(r + at, b, by);
	v = ((size_t)r[3] << 8 | r[4]) + by;
	r[3] = (uint8_t)(v >> 8);
	r[4] = (uint8_t)v;
	v = ((size_t)r[7] << 8 | r[8]) + by;
	r[7] = (uint8_t)(v >> 8);
	r[8] = (uint8_t)v;
	v = ((size_t)r[vec] << 8 | r[vec + 1]) + by;
	r[vec] = (uint8_t)(v >> 8);
	r[vec + 1] = (uint8_t)v;
	return n + by;
}

/* The offset of extension `type`'s body in the ClientHello record. */
static long ch_ext(const uint8_t *r, size_t n, uint32_t type, size_t *len)
{
	size_t s, c, e, at;
	ch_offsets(r, &s, &c, &e);
	at = e + 2;
	while (at + 4 <= n) {
		uint32_t t = (uint32_t)r[at] << 8 | r[at + 1];
		size_t l = (size_t)r[at + 2] << 8 | r[at + 3];
		if (t == type) {
			*len = l;
			return (long)(at + 4);
		}
		at += 4 + l;
	}
	return -1;
}

static void test_client_hello(void)
{
	static const uint8_t scsv[2] = { 0x56, 0x00 }, reneg_scsv[2] = { 0x00, 0xFF };
	size_t n, s, c, e, el;
	long eo;
	tpair p;

	/* RFC 7507 3: TLS_FALLBACK_SCSV while we support 1.3. */
	pair12(&p, TK_P256);
	tp_conns(&p);
	n = client_hello(&p);
	ch_offsets(cbuf, &s, &c, &e);
	n = ch_insert(cbuf, n, s + 2, scsv, 2, s);
	give(p.s, cbuf, n);
	CHECK(server_sent(&p, WT_ALERT_INAPPROPRIATE_FALLBACK,
			  WT_TLS_R_INAPPROPRIATE_FALLBACK),
	      "fallback SCSV: inappropriate_fallback");
	tp_free(&p);

	/* The same with a server whose highest version is 1.2: no fallback. */
	pair12(&p, TK_P256);
	wt_tls_ctx_set_versions(p.sctx, WT_TLS_VERSION_12, WT_TLS_VERSION_12);
	tp_conns(&p);
	n = client_hello(&p);
	ch_offsets(cbuf, &s, &c, &e);
	n = ch_insert(cbuf, n, s + 2, scsv, 2, s);
	give(p.s, cbuf, n);
	CHECK(server_ok(&p), "fallback SCSV to a 1.2-only server: goes on");
	tp_move(p.s, p.c, 0);
	CHECK(memcmp(p.s->random + 24, "DOWNGRD", 7) != 0,
	      "no downgrade sentinel from a 1.2-only server");
	tp_free(&p);

	/* EMPTY_RENEGOTIATION_INFO_SCSV without the extension: the server
	 * answers with renegotiation_info (RFC 5746 3.6). */
	pair12(&p, TK_P256);
	tp_conns(&p);
	n = client_hello(&p);
	eo = ch_ext(cbuf, n, EXT_RENEGOTIATION_INFO, &el);
	CHECK(eo > 0 && el == 1, "our client sends renegotiation_info");
	cbuf[eo - 3] = 0xEE; /* its type made unknown (0xEEFF) */
	ch_offsets(cbuf, &s, &c, &e);
	n = ch_insert(cbuf, n, s + 2, reneg_scsv, 2, s);
	give(p.s, cbuf, n);
	CHECK(server_ok(&p) && p.s->peer_reneg == 1, "renegotiation SCSV seen");
	{
		size_t sn = take(p.s, sbuf);
		/* ServerHello extensions hold FF01 00 01 00. */
		int found = 0;
		size_t i;
		for (i = 0; i + 5 <= sn && i < 200; i++)
			found |= memcmp(sbuf + i, "\xff\x01\x00\x01\x00", 5) == 0;
		CHECK(found, "empty renegotiation_info in the ServerHello");
	}
	tp_free(&p);

	/* No null compression (RFC 5246 7.4.1.2). */
	pair12(&p, TK_P256);
	tp_conns(&p);
	n = client_hello(&p);
	ch_offsets(cbuf, &s, &c, &e);
	CHECK(cbuf[c] == 1 && cbuf[c + 1] == 0, "null compression offered");
	cbuf[c + 1] = 1;
	give(p.s, cbuf, n);
	CHECK(server_sent(&p, WT_ALERT_ILLEGAL_PARAMETER, WT_TLS_R_BAD_COMPRESSION),
	      "no null compression: illegal_parameter");
	tp_free(&p);

	/* ec_point_formats without uncompressed (RFC 8422 5.1.2). */
	pair12(&p, TK_P256);
	tp_conns(&p);
	n = client_hello(&p);
	eo = ch_ext(cbuf, n, EXT_EC_POINT_FORMATS, &el);
	CHECK(eo > 0 && el == 2 && cbuf[eo + 1] == 0, "uncompressed offered");
	cbuf[eo + 1] = 1;
	give(p.s, cbuf, n);
	CHECK(server_sent(&p, WT_ALERT_ILLEGAL_PARAMETER, WT_TLS_R_BAD_POINT_FORMAT),
	      "no uncompressed point format: illegal_parameter");
	tp_free(&p);

	/* No signature_algorithms: RFC 5246's SHA-1 default, which we refuse. */
	pair12(&p, TK_P256);
	tp_conns(&p);
	n = client_hello(&p);
	eo = ch_ext(cbuf, n, EXT_SIGNATURE_ALGORITHMS, &el);
	CHECK(eo > 0, "signature_algorithms sent");
	cbuf[eo - 4] = 0xEE; /* unknown type: as if absent */
	give(p.s, cbuf, n);
	CHECK(server_sent(&p, WT_ALERT_HANDSHAKE_FAILURE, WT_TLS_R_NO_SHARED_SIGALG),
	      "no signature_algorithms: handshake_failure");
	tp_free(&p);

	/* No supported_groups: any curve (RFC 8422 4): our first, X25519. */
	pair12(&p, TK_RSA);
	tp_conns(&p);
	n = client_hello(&p);
	eo = ch_ext(cbuf, n, EXT_SUPPORTED_GROUPS, &el);
	CHECK(eo > 0, "supported_groups sent");
	cbuf[eo - 4] = 0xEE;
	give(p.s, cbuf, n);
	CHECK(server_ok(&p) && p.s->group == WT_GROUP_X25519,
	      "no supported_groups: X25519");
	tp_free(&p);

	/* Without extended_master_secret: a full handshake all the same (the
	 * RFC 5246 master secret), but no ticket for that session. */
	pair12(&p, TK_P256);
	wt_tls_ctx_set_ticket_key(p.sctx, TKEY, 1, 3600);
	tp_conns(&p);
	n = client_hello(&p);
	eo = ch_ext(cbuf, n, EXT_EXTENDED_MASTER_SECRET, &el);
	CHECK(eo > 0 && el == 0, "extended_master_secret sent");
	cbuf[eo - 4] = 0xEE;
	give(p.s, cbuf, n);
	CHECK(server_ok(&p) && p.s->ems == 0 && p.s->send_ticket == 0,
	      "no EMS: no EMS, no ticket");
	tp_free(&p);
}

/* ---- after the handshake ---------------------------------------------------- */

static void test_renegotiation(void)
{
	/* A ClientHello after the handshake, sealed under the client's keys:
	 * a no_renegotiation warning (RFC 5746 4.4 / RFC 5246 7.2.2) and the
	 * connection goes on. */
	static const uint8_t ch[8] = { HS_CLIENT_HELLO, 0, 0, 4, 3, 3, 0, 0 };
	uint8_t buf[64];
	int r;
	tpair p;
	pair12(&p, TK_P256);
	tp_conns(&p);
	CHECK(tp_handshake(&p) && exchange(&p), "handshake");
	wt_tls_seal(p.c, CT_HANDSHAKE, ch, sizeof ch);
	wt_tls_flush(p.c);
	tp_move(p.c, p.s, 0);
	r = wt_tls_read(p.s, buf, sizeof buf);
	CHECK(r <= 0 && wt_tls_get_error(p.s, r) == WT_TLS_ERROR_WANT_READ,
	      "server: renegotiation refused without error");
	CHECK(wt_tls_net_out_pending(p.s) > 0, "server: an alert record out");
	tp_move(p.s, p.c, 0);
	r = wt_tls_read(p.c, buf, sizeof buf);
	CHECK(r <= 0 && wt_tls_get_error(p.c, r) == WT_TLS_ERROR_WANT_READ &&
		      p.c->idle_warn == 1,
	      "client: a warning alert taken (r %d err %d warn %u code %x)", r,
	      wt_tls_get_error(p.c, r), p.c->idle_warn, wt_tls_error_code(p.c));
	CHECK(exchange(&p), "data both ways after the refusal");
	tp_free(&p);

	/* A ChangeCipherSpec after the handshake. */
	pair12(&p, TK_P256);
	tp_conns(&p);
	CHECK(tp_handshake(&p), "handshake");
	wt_tls_seal(p.c, CT_CCS, CCS1, 1);
	wt_tls_flush(p.c);
	tp_move(p.c, p.s, 0);
	r = wt_tls_read(p.s, buf, sizeof buf);
	CHECK(r <= 0 &&
		      wt_tls_error_code(p.s) ==
			      WT_TLS_ERR_SEND_ALERT + WT_ALERT_UNEXPECTED_MESSAGE &&
		      wt_tls_reason(p.s) == WT_TLS_R_BAD_CCS,
	      "CCS after the handshake: unexpected_message");
	tp_free(&p);
}

/* ---- mutations ---------------------------------------------------------------- */

static uint64_t rs = 0x9E3779B97F4A7C15ull;
static uint32_t rnd(void)
{
	rs ^= rs << 13;
	rs ^= rs >> 7;
	rs ^= rs << 17;
	return (uint32_t)(rs >> 16);
}

/* One byte changed, inserted or removed, or the end cut, somewhere past
 * the record header (so the record still frames). */
static size_t mutate(uint8_t *b, size_t n)
{
	size_t at = 5 + rnd() % (n - 5);
	switch (rnd() % 4) {
	case 0: b[at] ^= (uint8_t)(1u << (rnd() % 8)); break;
	case 1: b[at] ^= (uint8_t)(1 + rnd() % 255); break; /* never a no-op */
	case 2:
		memmove(b + at, b + at + 1, n - at - 1);
		n--;
		break;
	default: n = at; break;
	}
	b[3] = (uint8_t)((n - 5) >> 8);
	b[4] = (uint8_t)(n - 5);
	return n;
}

/* The server's answer to a mutated ClientHello or client flight: it goes
 * on or fails with a sticky error (ASan/UBSan watch the parsing). */
static int settled(tpair *p)
{
	int r = wt_tls_do_handshake(p->s), e = wt_tls_get_error(p->s, r);
	uint32_t code;
	if (r == 1 || e == WT_TLS_ERROR_WANT_READ)
		return 1;
	if (e != WT_TLS_ERROR_SSL)
		return 0;
	code = wt_tls_error_code(p->s);
	r = wt_tls_do_handshake(p->s);
	return r != 1 && wt_tls_error_code(p->s) == code;
}

static void test_mutations(void)
{
	static flight f;
	int i, ok = 1, failed = 0;
	for (i = 0; i < 500; i++) {
		tpair p;
		size_t n;
		pair12(&p, i % 2 ? TK_P256 : TK_RSA);
		wt_tls_ctx_set_ticket_key(p.sctx, TKEY, 1, 3600);
		tp_conns(&p);
		n = mutate(cbuf, client_hello(&p));
		give(p.s, cbuf, n);
		ok &= settled(&p);
		failed += wt_tls_error_code(p.s) != 0;
		tp_free(&p);
	}
	CHECK(ok, "mutated ClientHellos: answered or refused, sticky");
	CHECK(failed > 0, "some mutated ClientHellos refused (%d)", failed);
	for (i = 0, failed = 0; i < 500; i++) {
		tpair p;
		size_t n;
		if (!hostile_setup(&p, &f, i % 2, 0)) {
			ok = 0;
			tp_free(&p);
			continue;
		}
		n = rec(sbuf, 0, CT_HANDSHAKE, f.hs, f.hslen);
		n = mutate(sbuf, n);
		n = rec(sbuf, n, CT_CCS, CCS1, 1);
		memcpy(sbuf + n, f.fin, f.finlen);
		give(p.s, sbuf, n + f.finlen);
		ok &= settled(&p);
		failed += wt_tls_error_code(p.s) != 0;
		tp_free(&p);
	}
	CHECK(ok, "mutated client flights: answered or refused, sticky");
	/* Any change to the flight changes the transcript at least: none
	 * can be taken. */
	CHECK(failed == 500, "mutated client flights refused (%d of 500)", failed);
}

int main(void)
{
	test_mutations();
	test_suites();
	test_client_cert();
	test_resumption();
	test_flight_untouched();
	test_order();
	test_cke();
	test_cert_verify_and_finished();
	test_client_hello();
	test_renegotiation();
	return t_done();
}
