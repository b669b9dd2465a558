/*
 * test_tls_resume.c: NewSessionTicket and PSK resumption (psk_dhe_ke,
 * RFC 8446 4.2.9-4.2.11, 4.6.1) and KeyUpdate under load (4.6.3).
 *
 * Tickets: what the server sends, resumption in every suite, expiry seen
 * by the client (not offered) and by the server (refused, full
 * handshake), a ticket from the future, corrupt or foreign tickets (full
 * handshake, no error), binder mismatches (decrypt_error), identity /
 * binder count mismatch (illegal_parameter), several identities (the
 * first that opens is selected and its binder checked), the
 * obfuscated_ticket_age the client sends, no tickets for a client without
 * psk_dhe_ke, NewSessionTicket parsing at the client, the session blob.
 *
 * The server does not check the obfuscated ticket age against its own
 * clock: RFC 8446 requires that only to accept 0-RTT (4.2.10, 8.3), which
 * this engine never does; expiry (4.6.1) is checked from the ticket's
 * issue time.
 */
#include "tls_mitm.h"

#define SENT(a) (uint32_t)(WT_TLS_ERR_SEND_ALERT + (a))

static const uint8_t TKEY[32] = { 0x42, 1, 2, 3 };
#define T0 1700000000000ull

/* Full handshake with tickets; returns the session blob length. */
static size_t first(tpair *p, uint8_t *sess, uint32_t lifetime, uint32_t n)
{
	uint8_t b[8];
	size_t r;
	wt_tls_ctx_set_ticket_key(p->sctx, TKEY, n, lifetime);
	tp_conns(p);
	CHECK(tp_handshake(p), "first handshake");
	CHECK(!wt_tls_session_reused(p->c), "first is full");
	CHECK(wt_tls_tickets_received(p->c) == 0, "no ticket counted before reading");
	(void)wt_tls_read_ex(p->c, b, sizeof b, &r);
	CHECK(wt_tls_tickets_received(p->c) == n, "%u tickets counted", n);
	r = wt_tls_get_session(p->c, sess, WT_TLS_SESSION_MAX);
	tp_free_conns(p);
	return r;
}

/* Offset of the lifetime field in the session blob. */
/* The session blob "WTS3" (hs13_client.c): magic, version u16, suite
 * u16, sidlen u8, sid, psklen u8, psk, age_add, lifetime, received_ms,
 * ticketlen u16, ticket, then (0-RTT) max_early_data_size u32, alpnlen
 * u8, alpn: BLOB_TAIL bytes after the ticket here (no ALPN). */
#define BLOB_TAIL 5
static size_t blob_psk(const uint8_t *s)
{
	return 4 + 2 + 2 + 1 + s[8] + 1;
}
static size_t blob_age_add(const uint8_t *s)
{
	return blob_psk(s) + s[blob_psk(s) - 1];
}
static size_t blob_lifetime(const uint8_t *s)
{
	return blob_age_add(s) + 4;
}
static size_t blob_ticket(const uint8_t *s)
{
	return blob_lifetime(s) + 4 + 8 + 2;
}

static void test_tickets_sent(void)
{
	tpair p;
	tflight f;
	tmsg m[8];
	tkey k;
	size_t n, i;
	wt_test_set_now(T0);
	tp_ctx(&p);
	wt_tls_ctx_set_ticket_key(p.sctx, TKEY, 3, 3600);
	tp_conns(&p);
	CHECK(tp_handshake(&p), "handshake");
	/* The tickets left with the client's last flight: open them. */
	tp_free_conns(&p);
	tp_conns(&p);
	{
		int a = 0, b = 0, it;
		for (it = 0; it < 20 && !(a == 1 && b == 1); it++) {
			if (a != 1)
				a = wt_tls_do_handshake(p.c);
			if (b != 1)
				b = wt_tls_do_handshake(p.s);
			if (b != 1)
				tp_move(p.s, p.c, 0);
			tp_move(p.c, p.s, 0);
		}
		CHECK(a == 1 && b == 1, "handshake (tickets held back)");
	}
	tk_init(&k, p.s, p.s->ks_m.s_ap);
	tf_take(&f, p.s, &k);
	n = tf_msgs(&f, m, 8);
	CHECK(n == 3, "three NewSessionTickets (%zu)", n);
	for (i = 0; i < n; i++) {
		const uint8_t *t = m[i].p;
		CHECK(t[0] == HS_NEW_SESSION_TICKET && t[4] == 0 && t[5] == 0 &&
			      t[6] == 0x0e && t[7] == 0x10,
		      "ticket %zu: lifetime 3600", i);
		/* nonce<0..255>: 8 bytes, distinct per ticket (4.6.1: "unique
		 * across all tickets issued on this connection") */
		CHECK(t[12] == 8 && t[12 + 8] == i, "ticket %zu: nonce %zu", i, i);
		/* ticket: 12 nonce + (2+1+32+4+8+4 + 1 flags + 32 SNI hash
		 * + 36 0-RTT: max_early_data_size, ALPN hash) + 16 tag = 148 */
		CHECK(t[21] == 0 && t[22] == 148, "ticket %zu: 148 bytes", i);
	}
	tp_free(&p);
}

static void test_resume_suites(void)
{
	static const uint16_t suites[] = { 0x1301, 0x1302, 0x1303 };
	size_t i;
	for (i = 0; i < 3; i++) {
		tpair p;
		uint8_t sess[WT_TLS_SESSION_MAX];
		size_t sl;
		tscene s;
		tp_ctx(&p);
		wt_tls_ctx_set_suites(p.cctx, &suites[i], 1);
		sl = first(&p, sess, 3600, 1);
		CHECK(sl > 0, "suite %04x: ticket", suites[i]);
		/* Resumed: ServerHello (with pre_shared_key 0),
		 * EncryptedExtensions, Finished - no certificate. */
		s.p = p;
		sc_start_with(&s, sess, sl);
		CHECK(s.nsm == 3 && s.sm[0].p[0] == 2 && s.sm[1].p[0] == 8 &&
			      s.sm[2].p[0] == 20,
		      "suite %04x: resumed flight SH EE Fin (%zu messages)", suites[i],
		      s.nsm);
		{
			tmb m;
			size_t bl;
			const uint8_t *b;
			tm_set(&m, s.sm[0].p, s.sm[0].len);
			b = tm_ext_body(&m, EXT_PRE_SHARED_KEY, &bl);
			CHECK(b && bl == 2 && b[0] == 0 && b[1] == 0,
			      "selected_identity 0");
		}
		tp_free_conns(&s.p);
		p = s.p;
		/* And through: data flows, both sides say resumed. */
		tp_conns(&p);
		wt_tls_set_session(p.c, sess, sl);
		CHECK(tp_handshake(&p) && wt_tls_session_reused(p.c) &&
			      wt_tls_session_reused(p.s) &&
			      wt_tls_get_suite(p.c) == suites[i],
		      "suite %04x: resumed", suites[i]);
		CHECK(wt_tls_write(p.c, 1, (const uint8_t *)"r", 1) == 1, "write");
		tp_free(&p);
	}
	{
		/* A ticket of a SHA-256 suite at a server now limited to a
		 * SHA-384 suite: not usable (4.2.11: "compatible PSK"), full. */
		tpair p;
		uint8_t sess[WT_TLS_SESSION_MAX];
		size_t sl;
		static const uint16_t s384[] = { 0x1302 };
		tp_ctx(&p);
		sl = first(&p, sess, 3600, 1);
		wt_tls_ctx_set_suites(p.sctx, s384, 1);
		tp_conns(&p);
		wt_tls_set_session(p.c, sess, sl);
		CHECK(tp_handshake(&p) && !wt_tls_session_reused(p.s) &&
			      !wt_tls_session_reused(p.c),
		      "SHA-256 ticket, SHA-384 suite: full handshake");
		tp_free(&p);
	}
	{
		/* Resumption with client certificates required: the PSK
		 * handshake has no CertificateRequest (4.3.2: "Servers which
		 * are authenticating with a PSK MUST NOT send the
		 * CertificateRequest message in the main handshake"). */
		tpair p;
		uint8_t sess[WT_TLS_SESSION_MAX];
		size_t sl;
		tp_ctx(&p);
		tp_use_cert(p.cctx, TK_P256);
		wt_tls_ctx_set_verify(p.sctx, WT_TLS_VERIFY_INSECURE_NO_CHAIN,
				      WT_TLS_CLIENT_CERT_REQUIRE);
		sl = first(&p, sess, 3600, 1);
		tp_conns(&p);
		wt_tls_set_session(p.c, sess, sl);
		CHECK(tp_handshake(&p) && wt_tls_session_reused(p.s) &&
			      !p.s->cert_requested,
		      "client cert required + PSK: resumed without CertificateRequest");
		/* The ticket carries the client's authentication (2.2: the
		 * PSK stands for the original handshake). */
		CHECK(wt_tls_peer_authenticated(p.s) == 1,
		      "resumed: the server knows the client authenticated with a "
		      "certificate");
		tp_free(&p);
	}
	{
		/* A ticket issued while client certificates were optional
		 * (and none was sent) is not resumed by a server that now
		 * requires one (same ticket key): a full handshake asks for
		 * the certificate, so a ticket cannot skip authentication. */
		tpair p;
		uint8_t sess[WT_TLS_SESSION_MAX];
		size_t sl;
		tp_ctx(&p);
		wt_tls_ctx_set_verify(p.sctx, WT_TLS_VERIFY_INSECURE_NO_CHAIN,
				      WT_TLS_CLIENT_CERT_REQUEST);
		sl = first(&p, sess, 3600, 1);
		CHECK(sl > 0, "ticket issued to a client without a certificate");
		wt_tls_ctx_set_verify(p.sctx, WT_TLS_VERIFY_INSECURE_NO_CHAIN,
				      WT_TLS_CLIENT_CERT_REQUEST |
					      WT_TLS_CLIENT_CERT_REQUIRE);
		tp_use_cert(p.cctx, TK_P256);
		tp_conns(&p);
		wt_tls_set_session(p.c, sess, sl);
		CHECK(tp_handshake(&p) && !wt_tls_session_reused(p.s) &&
			      p.s->cert_requested && wt_tls_peer_authenticated(p.s) == 1,
		      "unauthenticated ticket + certificate required: full handshake "
		      "with CertificateRequest");
		/* Optional certificates, none sent: resumption says so. */
		tp_free(&p);
		tp_ctx(&p);
		wt_tls_ctx_set_verify(p.sctx, WT_TLS_VERIFY_INSECURE_NO_CHAIN,
				      WT_TLS_CLIENT_CERT_REQUEST);
		sl = first(&p, sess, 3600, 1);
		tp_conns(&p);
		wt_tls_set_session(p.c, sess, sl);
		CHECK(tp_handshake(&p) && wt_tls_session_reused(p.s) &&
			      wt_tls_peer_authenticated(p.s) == 0,
		      "optional certificate, none sent: resumed, not authenticated");
		tp_free(&p);
	}
	{
		/* RFC 6066 3: "A server that implements this extension MUST NOT
		 * accept the request to resume the session if the server_name
		 * extension contains a different name." */
		tpair p;
		uint8_t b[8], sess[WT_TLS_SESSION_MAX];
		size_t sl, r;
		tp_ctx(&p);
		wt_tls_ctx_set_ticket_key(p.sctx, TKEY, 1, 3600);
		tp_conns(&p);
		wt_tls_set_server_name(p.c, "a.test", 6);
		CHECK(tp_handshake(&p), "handshake with SNI a.test");
		(void)wt_tls_read_ex(p.c, b, sizeof b, &r);
		sl = wt_tls_get_session(p.c, sess, WT_TLS_SESSION_MAX);
		tp_free_conns(&p);
		CHECK(sl > 0, "ticket for a.test");
		tp_conns(&p);
		wt_tls_set_server_name(p.c, "b.test", 6);
		wt_tls_set_session(p.c, sess, sl);
		CHECK(tp_handshake(&p) && !wt_tls_session_reused(p.s) &&
			      !wt_tls_session_reused(p.c),
		      "ticket for a.test offered under SNI b.test: full handshake");
		tp_free_conns(&p);
		tp_conns(&p);
		wt_tls_set_session(p.c, sess, sl);
		CHECK(tp_handshake(&p) && !wt_tls_session_reused(p.s),
		      "ticket for a.test offered without SNI: full handshake");
		tp_free_conns(&p);
		tp_conns(&p);
		wt_tls_set_server_name(p.c, "a.test", 6);
		wt_tls_set_session(p.c, sess, sl);
		CHECK(tp_handshake(&p) && wt_tls_session_reused(p.s),
		      "ticket for a.test offered under a.test: resumed");
		tp_free(&p);
	}
}

/* A resumption attempt: 1 if resumed, 0 if full, -1 on an error. The
 * client hello is built at time tc, the server processes it at ts. */
static int attempt(tpair *p, const uint8_t *sess, size_t sl, uint64_t tc, uint64_t ts,
		   int *offered)
{
	tflight f;
	tmsg m[2];
	tmb b;
	size_t bl;
	int r;
	tp_conns(p);
	CHECK(wt_tls_set_session(p->c, sess, sl) == 0, "set_session");
	wt_test_set_now(tc);
	(void)wt_tls_do_handshake(p->c);
	tf_tap(&f, p->c, p->s, NULL);
	tf_msgs(&f, m, 2);
	tm_set(&b, m[0].p, m[0].len);
	*offered = tm_ext_body(&b, EXT_PRE_SHARED_KEY, &bl) != NULL;
	wt_test_set_now(ts);
	r = tp_handshake(p);
	r = r ? wt_tls_session_reused(p->s) : -1;
	CHECK(r < 0 || wt_tls_session_reused(p->c) == r, "both sides agree");
	tp_free_conns(p);
	wt_test_set_now(T0);
	return r;
}

static void test_expiry(void)
{
	tpair p;
	uint8_t sess[WT_TLS_SESSION_MAX], mod[WT_TLS_SESSION_MAX];
	size_t sl;
	int off, r;
	wt_test_set_now(T0);
	tp_ctx(&p);
	sl = first(&p, sess, 100, 1);
	CHECK(sl > 0, "ticket with lifetime 100 s");
	r = attempt(&p, sess, sl, T0 + 99000, T0 + 99000, &off);
	CHECK(r == 1 && off, "99 s later: offered and resumed");
	/* 4.6.1: a ticket is not used past ticket_lifetime. */
	r = attempt(&p, sess, sl, T0 + 101000, T0 + 101000, &off);
	CHECK(r == 0 && !off, "101 s later: the client does not offer it");
	/* The server checks its own issue time and lifetime: a client that
	 * believes the ticket lives longer gets a full handshake. */
	memcpy(mod, sess, sl);
	mod[blob_lifetime(mod) + 2] = 0x10; /* lifetime 100 -> 0x1064 s */
	r = attempt(&p, mod, sl, T0 + 101000, T0 + 101000, &off);
	CHECK(r == 0 && off,
	      "101 s later, client told 4196 s: offered, the server refuses (full)");
	/* A ticket issued "after now" (the server's clock went back). */
	r = attempt(&p, sess, sl, T0 + 1000, T0 - 10000, &off);
	CHECK(r == 0 && off, "ticket from the future: full handshake");
	/* The client caps what it keeps at 7 days (4.6.1). */
	memcpy(mod, sess, sl);
	memcpy(mod + blob_lifetime(mod), "\xff\xff\xff\xff", 4);
	r = attempt(&p, mod, sl, T0 + 8ull * 86400 * 1000, T0 + 8ull * 86400 * 1000,
		    &off);
	CHECK(r == 0, "8 days later: full handshake");
	tp_free(&p);
}

static void test_bad_tickets(void)
{
	tpair p;
	uint8_t sess[WT_TLS_SESSION_MAX], mod[WT_TLS_SESSION_MAX];
	size_t sl, t;
	int off, r;
	wt_test_set_now(T0);
	tp_ctx(&p);
	sl = first(&p, sess, 3600, 1);
	t = blob_ticket(sess);
	/* A corrupt ticket, anywhere: not ours, so a full handshake (4.2.11:
	 * the server may decline any PSK). */
	{
		size_t at[] = { t, t + 11, t + 12, t + 40, sl - BLOB_TAIL - 1 };
		size_t i;
		for (i = 0; i < 5; i++) {
			memcpy(mod, sess, sl);
			mod[at[i]] ^= 0x20;
			r = attempt(&p, mod, sl, T0, T0, &off);
			CHECK(r == 0 && off,
			      "ticket byte %zu flipped: full handshake, no error",
			      at[i] - t);
		}
	}
	/* A truncated ticket. */
	memcpy(mod, sess, sl);
	mod[t - 1] -= 1;
	r = attempt(&p, mod, sl - 1, T0, T0, &off);
	CHECK(r == 0 && off, "truncated ticket: full handshake");
	/* A ticket sealed under another server's key. */
	{
		uint8_t other[32] = { 0x43 };
		wt_tls_ctx_set_ticket_key(p.sctx, other, 1, 3600);
		r = attempt(&p, sess, sl, T0, T0, &off);
		CHECK(r == 0 && off, "foreign ticket: full handshake");
		wt_tls_ctx_set_ticket_key(p.sctx, TKEY, 1, 3600);
	}
	/* A wrong PSK with the right ticket: the binder fails (4.2.11 "MUST
	 * abort"; 6.2 decrypt_error). */
	memcpy(mod, sess, sl);
	mod[blob_psk(mod)] ^= 1; /* first PSK byte */
	tp_conns(&p);
	wt_tls_set_session(p.c, mod, sl);
	CHECK(!tp_handshake(&p) && wt_tls_error_code(p.s) == SENT(WT_ALERT_DECRYPT_ERROR),
	      "wrong PSK: the server sends decrypt_error (%s)",
	      wt_tls_err_string(wt_tls_error_code(p.s)));
	tp_free(&p);
}

/* ---- the pre_shared_key extension changed on the way ------------------------ */

/* The client's ClientHello (offering sess) changed by fn, given to the
 * server; the expected server error (0: success expected). */
static void psk_case(const char *what, void (*fn)(tmb *, const uint8_t *psk),
		     uint32_t code, uint32_t want_sel)
{
	tpair p;
	uint8_t sess[WT_TLS_SESSION_MAX];
	size_t sl, bl;
	tflight f;
	tmsg m[2];
	tmb b;
	wt_test_set_now(T0);
	tp_ctx(&p);
	sl = first(&p, sess, 3600, 1);
	tp_conns(&p);
	wt_tls_set_session(p.c, sess, sl);
	(void)wt_tls_do_handshake(p.c);
	tf_take(&f, p.c, NULL);
	tf_msgs(&f, m, 2);
	tm_set(&b, m[0].p, m[0].len);
	fn(&b, p.c->sess->psk);
	t_give_plain(p.s, 22, b.b, b.len);
	if (code) {
		t_expect(p.s, code, what);
	} else {
		tkey k;
		tflight g;
		tmsg sm[8];
		tmb sh;
		const uint8_t *x;
		CHECK(wt_tls_do_handshake(p.s) <= 0 &&
			      wt_tls_get_error(p.s, -1) == WT_TLS_ERROR_WANT_READ,
		      "%s: server answers (%s)", what,
		      wt_tls_err_string(wt_tls_error_code(p.s)));
		tk_init(&k, p.s, p.s->hs->ks_h.s_hs);
		tf_take(&g, p.s, &k);
		tf_msgs(&g, sm, 8);
		tm_set(&sh, sm[0].p, sm[0].len);
		x = tm_ext_body(&sh, EXT_PRE_SHARED_KEY, &bl);
		CHECK(x && bl == 2 && x[1] == want_sel && wt_tls_session_reused(p.s),
		      "%s: resumed with selected_identity %u", what, want_sel);
		/* Our client offered one identity: any other index is out of
		 * range (4.2.11: "Clients MUST verify that the server's
		 * selected_identity is within the range supplied by the
		 * client"). */
		if (want_sel != 0) {
			t_give_plain(p.c, 22, sh.b, sh.len);
			t_expect(p.c, SENT(WT_ALERT_ILLEGAL_PARAMETER),
				 "client: selected_identity out of range");
		}
	}
	tp_free(&p);
}

/* The pre_shared_key body: identities, binders; rebuild with the
 * binders computed over the new truncated hello (as a client would). */
static void psk_rebuild(tmb *m, const uint8_t *ids, size_t idl, size_t nb,
			const uint8_t *psk, int good)
{
	uint8_t body[2048], bk[32], th[32], fin[32];
	size_t o = 0, i, bl = nb * 33, trunc;
	wt_ks_early e;
	body[o++] = (uint8_t)(idl >> 8);
	body[o++] = (uint8_t)idl;
	memcpy(body + o, ids, idl);
	o += idl;
	body[o++] = (uint8_t)(bl >> 8);
	body[o++] = (uint8_t)bl;
	for (i = 0; i < nb; i++) {
		body[o++] = 32;
		memset(body + o, 0, 32);
		o += 32;
	}
	tm_ext_drop(m, EXT_PRE_SHARED_KEY);
	tm_ext_add(m, EXT_PRE_SHARED_KEY, body, o, -1);
	/* binders over Truncate(ClientHello) */
	trunc = m->len - 2 - bl;
	wt_hash(WT_SHA256, m->b, trunc, th);
	wt_ks_early_init(&e, WT_SHA256, psk, 32);
	wt_ks_binder_key(&e, WT_SHA256, 1, bk);
	wt_ks_finished(WT_SHA256, bk, th, fin);
	for (i = 0; i < nb; i++)
		if (good)
			memcpy(m->b + trunc + 2 + 33 * i + 1, fin, 32);
}

/* The client's identity (ticket + age) as sent. */
static size_t own_identity(tmb *m, uint8_t *out)
{
	size_t bl, l;
	uint8_t *b = tm_ext_body(m, EXT_PRE_SHARED_KEY, &bl);
	l = (size_t)b[0] << 8 | b[1];
	memcpy(out, b + 2, l);
	return l;
}

static void m_binder_flip(tmb *m, const uint8_t *psk)
{
	(void)psk;
	m->b[m->len - 1] ^= 1;
}
static void m_binder_long(tmb *m, const uint8_t *psk)
{
	/* A 33-byte binder (valid form, wrong length for SHA-256). */
	uint8_t id[1024], body[2048];
	size_t il = own_identity(m, id), o = 0;
	(void)psk;
	body[o++] = (uint8_t)(il >> 8);
	body[o++] = (uint8_t)il;
	memcpy(body + o, id, il);
	o += il;
	body[o++] = 0;
	body[o++] = 34;
	body[o++] = 33;
	memset(body + o, 7, 33);
	o += 33;
	tm_ext_drop(m, EXT_PRE_SHARED_KEY);
	tm_ext_add(m, EXT_PRE_SHARED_KEY, body, o, -1);
}
static void m_binder_short(tmb *m, const uint8_t *psk)
{
	uint8_t id[1024], body[2048];
	size_t il = own_identity(m, id), o = 0;
	(void)psk;
	body[o++] = (uint8_t)(il >> 8);
	body[o++] = (uint8_t)il;
	memcpy(body + o, id, il);
	o += il;
	body[o++] = 0;
	body[o++] = 32;
	body[o++] = 31;
	memset(body + o, 7, 31);
	o += 31;
	tm_ext_drop(m, EXT_PRE_SHARED_KEY);
	tm_ext_add(m, EXT_PRE_SHARED_KEY, body, o, -1);
}
static void m_two_ids_one_binder(tmb *m, const uint8_t *psk)
{
	uint8_t id[2048];
	size_t il = own_identity(m, id);
	memcpy(id + il, id, il);
	psk_rebuild(m, id, 2 * il, 1, psk, 1);
}
static void m_garbage_first(tmb *m, const uint8_t *psk)
{
	uint8_t id[2048];
	size_t il = own_identity(m, id);
	static const uint8_t junk[] = { 0, 5, 'j', 'u', 'n', 'k', '!', 0, 0, 0, 0 };
	memmove(id + sizeof junk, id, il);
	memcpy(id, junk, sizeof junk);
	psk_rebuild(m, id, il + sizeof junk, 2, psk, 1);
}
static void m_garbage_second(tmb *m, const uint8_t *psk)
{
	uint8_t id[2048];
	size_t il = own_identity(m, id);
	static const uint8_t junk[] = { 0, 5, 'j', 'u', 'n', 'k', '!', 0, 0, 0, 0 };
	memcpy(id + il, junk, sizeof junk);
	psk_rebuild(m, id, il + sizeof junk, 2, psk, 1);
}
static void m_bad_binder_second(tmb *m, const uint8_t *psk)
{
	/* The valid identity second, its binder wrong. */
	m_garbage_first(m, psk);
	m->b[m->len - 1] ^= 1;
}
static void m_no_modes(tmb *m, const uint8_t *psk)
{
	(void)psk;
	tm_ext_drop(m, EXT_PSK_KEY_EXCHANGE_MODES);
}

static void test_binders(void)
{
	psk_case("binder flipped", m_binder_flip, SENT(WT_ALERT_DECRYPT_ERROR), 0);
	psk_case("33-byte binder", m_binder_long, SENT(WT_ALERT_DECRYPT_ERROR), 0);
	psk_case("31-byte binder (PskBinderEntry<32..255>)", m_binder_short,
		 SENT(WT_ALERT_DECODE_ERROR), 0);
	psk_case("two identities, one binder", m_two_ids_one_binder,
		 SENT(WT_ALERT_ILLEGAL_PARAMETER), 0);
	psk_case("garbage identity first: the second is selected", m_garbage_first, 0, 1);
	psk_case("garbage identity second: the first is selected", m_garbage_second, 0,
		 0);
	psk_case("selected identity's binder wrong", m_bad_binder_second,
		 SENT(WT_ALERT_DECRYPT_ERROR), 0);
	psk_case("pre_shared_key without psk_key_exchange_modes", m_no_modes,
		 SENT(WT_ALERT_MISSING_EXTENSION), 0);
}

/* ---- what the client sends and stores ------------------------------------------ */

static void test_client_side(void)
{
	tpair p;
	uint8_t sess[WT_TLS_SESSION_MAX], tmp[8];
	size_t sl, bl;
	tflight f;
	tmsg m[2];
	tmb b;
	uint32_t age_add, obf;
	const uint8_t *x;
	wt_test_set_now(T0);
	tp_ctx(&p);
	sl = first(&p, sess, 3600, 1);
	age_add = wt_load32_be(sess + blob_age_add(sess));
	/* 4.2.11.1: obfuscated_ticket_age = (ms since the ticket arrived +
	 * ticket_age_add) mod 2^32. */
	tp_conns(&p);
	wt_tls_set_session(p.c, sess, sl);
	wt_test_set_now(T0 + 5123);
	(void)wt_tls_do_handshake(p.c);
	tf_take(&f, p.c, NULL);
	tf_msgs(&f, m, 2);
	tm_set(&b, m[0].p, m[0].len);
	x = tm_ext_body(&b, EXT_PRE_SHARED_KEY, &bl);
	CHECK(x != NULL, "PSK offered");
	if (x) {
		size_t il = (size_t)x[2] << 8 | x[3];
		obf = wt_load32_be(x + 4 + il);
		CHECK(obf - age_add == 5123,
		      "obfuscated_ticket_age - age_add = 5123 ms (%u)", obf - age_add);
		CHECK(tm_ext_find(&b, EXT_PRE_SHARED_KEY) + 4 + bl == b.len,
		      "pre_shared_key last");
	}
	x = tm_ext_body(&b, EXT_PSK_KEY_EXCHANGE_MODES, &bl);
	CHECK(x && bl == 2 && x[0] == 1 && x[1] == 1,
	      "psk_key_exchange_modes: psk_dhe_ke");
	tp_free_conns(&p);
	/* Without a session the modes are still sent (tickets need them). */
	tp_conns(&p);
	(void)wt_tls_do_handshake(p.c);
	tf_take(&f, p.c, NULL);
	tf_msgs(&f, m, 2);
	tm_set(&b, m[0].p, m[0].len);
	CHECK(tm_ext_body(&b, EXT_PSK_KEY_EXCHANGE_MODES, &bl) &&
		      !tm_ext_body(&b, EXT_PRE_SHARED_KEY, &bl),
	      "no session: modes, no pre_shared_key");
	tp_free_conns(&p);
	wt_test_set_now(T0);

	/* Session blob API. */
	tp_conns(&p);
	CHECK(wt_tls_get_session(p.c, tmp, sizeof tmp) == 0, "no session yet: 0");
	CHECK(wt_tls_set_session(p.c, sess, sl - 1) == WT_TLS_ERR_CONFIG,
	      "short blob refused");
	memcpy(tmp, "WTS9", 4);
	CHECK(wt_tls_set_session(p.c, tmp, 4) == WT_TLS_ERR_CONFIG, "bad magic refused");
	CHECK(wt_tls_set_session(p.c, sess, sl) == 0, "blob accepted");
	CHECK(wt_tls_get_session(p.s, tmp, sizeof tmp) == 0, "server: no session blob");
	CHECK(tp_handshake(&p), "handshake");
	tp_free_conns(&p);
	tp_free(&p);
}

/* NewSessionTickets of every shape at the client (sealed with the
 * server's application key after a handshake). */
static void nst_case(const char *what, const uint8_t *body, size_t n, uint32_t code,
		     int stored, uint32_t lifetime)
{
	tpair p;
	tkey k;
	uint8_t msg[2048], b[8];
	size_t rl, r;
	wt_test_set_now(T0);
	tp_ctx(&p);
	tp_conns(&p);
	CHECK(tp_handshake(&p), "handshake");
	tk_init(&k, p.s, p.s->wr.secret);
	k.seq = p.s->wr.seq;
	msg[0] = HS_NEW_SESSION_TICKET;
	msg[1] = 0;
	msg[2] = (uint8_t)(n >> 8);
	msg[3] = (uint8_t)n;
	memcpy(msg + 4, body, n);
	rl = tk_seal(&k, 22, msg, 4 + n, 0, scratch_rec);
	t_give_all(p.c, scratch_rec, rl);
	if (code) {
		t_expect(p.c, code, what);
	} else {
		uint8_t s[WT_TLS_SESSION_MAX];
		size_t sl;
		CHECK(wt_tls_read_ex(p.c, b, sizeof b, &r) == 0 &&
			      wt_tls_get_error(p.c, 0) == WT_TLS_ERROR_WANT_READ,
		      "%s: accepted (%s)", what,
		      wt_tls_err_string(wt_tls_error_code(p.c)));
		sl = wt_tls_get_session(p.c, s, sizeof s);
		CHECK((sl > 0) == stored, "%s: %s", what,
		      stored ? "stored" : "not stored");
		if (stored && sl)
			CHECK(wt_load32_be(s + blob_lifetime(s)) == lifetime,
			      "%s: lifetime %u", what, lifetime);
	}
	tp_free(&p);
}

static void test_nst_parsing(void)
{
	/* lifetime, age_add, nonce<0..255>, ticket<1..2^16-1>, extensions */
	nst_case("NST plain",
		 (const uint8_t *)"\0\0\x0e\x10"
				  "\1\2\3\4"
				  "\1\0"
				  "\0\3abc"
				  "\0\0",
		 17, 0, 1, 3600);
	nst_case("NST lifetime 0: discard",
		 (const uint8_t *)"\0\0\0\0"
				  "\1\2\3\4"
				  "\1\0"
				  "\0\3abc"
				  "\0\0",
		 17, 0, 0, 0);
	nst_case("NST lifetime > 7 days: capped",
		 (const uint8_t *)"\0\x10\0\0"
				  "\1\2\3\4"
				  "\1\0"
				  "\0\3abc"
				  "\0\0",
		 17, 0, 1, 604800);
	nst_case("NST unknown extension: ignored",
		 (const uint8_t *)"\0\0\x0e\x10"
				  "\1\2\3\4"
				  "\1\0"
				  "\0\3abc"
				  "\0\4\x7a\x7a\0\0",
		 21, 0, 1, 3600);
	nst_case("NST early_data max size: ignored",
		 (const uint8_t *)"\0\0\x0e\x10"
				  "\1\2\3\4"
				  "\1\0"
				  "\0\3abc"
				  "\0\x08\0\x2a\0\4\0\0\x40\0",
		 25, 0, 1, 3600);
	nst_case("NST early_data of 2 bytes",
		 (const uint8_t *)"\0\0\x0e\x10"
				  "\1\2\3\4"
				  "\1\0"
				  "\0\3abc"
				  "\0\6\0\x2a\0\2\0\0",
		 23, SENT(WT_ALERT_DECODE_ERROR), 0, 0);
	nst_case("NST key_share (not an NST extension)",
		 (const uint8_t *)"\0\0\x0e\x10"
				  "\1\2\3\4"
				  "\1\0"
				  "\0\3abc"
				  "\0\4\0\x33\0\0",
		 21, SENT(WT_ALERT_ILLEGAL_PARAMETER), 0, 0);
	nst_case("NST empty ticket",
		 (const uint8_t *)"\0\0\x0e\x10"
				  "\1\2\3\4"
				  "\1\0"
				  "\0\0"
				  "\0\0",
		 14, SENT(WT_ALERT_DECODE_ERROR), 0, 0);
	nst_case("NST trailing byte",
		 (const uint8_t *)"\0\0\x0e\x10"
				  "\1\2\3\4"
				  "\1\0"
				  "\0\3abc"
				  "\0\0"
				  "x",
		 18, SENT(WT_ALERT_DECODE_ERROR), 0, 0);
	nst_case("NST truncated",
		 (const uint8_t *)"\0\0\x0e\x10"
				  "\1\2\3\4"
				  "\1\0"
				  "\0\3ab",
		 14, SENT(WT_ALERT_DECODE_ERROR), 0, 0);
}

/* No tickets for a client that does not offer psk_dhe_ke (4.2.9). */
static void test_no_modes_no_tickets(void)
{
	int variant;
	for (variant = 0; variant < 2; variant++) {
		tpair p;
		tflight f;
		tmsg m[2];
		tmb b;
		uint8_t buf[8];
		size_t n;
		tp_ctx(&p);
		wt_tls_ctx_set_ticket_key(p.sctx, TKEY, 2, 3600);
		tp_conns(&p);
		(void)wt_tls_do_handshake(p.c);
		tf_take(&f, p.c, NULL);
		tf_msgs(&f, m, 2);
		tm_set(&b, m[0].p, m[0].len);
		if (variant == 0)
			tm_ext_drop(&b, EXT_PSK_KEY_EXCHANGE_MODES);
		else
			tm_ext_set(&b, EXT_PSK_KEY_EXCHANGE_MODES,
				   (const uint8_t *)"\1\0", 2);
		/* TEST CODE: the client's transcript follows the change. */
		wt_th_init(p.c);
		wt_th_add(p.c, b.b, b.len);
		t_give_plain(p.s, 22, b.b, b.len);
		CHECK(tp_handshake(&p), "%s: handshake",
		      variant ? "psk_ke only" : "no modes");
		(void)wt_tls_read_ex(p.c, buf, sizeof buf, &n);
		CHECK(wt_tls_get_session(p.c, buf, sizeof buf) == 0 &&
			      p.s->tickets_sent == 0,
		      "%s: no tickets", variant ? "psk_ke only" : "no modes");
		tp_free(&p);
	}
}

/* ---- KeyUpdate under load ---------------------------------------------------------- */

static void test_key_update_load(void)
{
	enum { LEN = 60000 };
	static uint8_t a[LEN], b[LEN], ga[LEN], gb[LEN];
	tpair p;
	int round, bad = 0, updates = 0;
	size_t i;
	for (i = 0; i < LEN; i++) {
		a[i] = (uint8_t)(i * 3);
		b[i] = (uint8_t)(i * 5 + 1);
	}
	tp_ctx(&p);
	tp_conns(&p);
	CHECK(tp_handshake(&p), "handshake");
	/* A small outgoing side on both: WANT_WRITE rounds mid-write. */
	wt_tls_conn_set_net_out_cap(p.c, 3000);
	wt_tls_conn_set_net_out_cap(p.s, 5000);
	for (round = 0; round < 24; round++) {
		size_t wa = 0, wb = 0, ra = 0, rb = 0, n;
		uint32_t ce = p.c->rd_epoch, se = p.s->rd_epoch;
		int who = round % 3, req = (round / 3) % 2, loops = 0;
		/* who: 0 client, 1 server, 2 both; req: update_requested */
		if (who != 1)
			CHECK(wt_tls_key_update(p.c, req), "client KeyUpdate(%d)", req);
		if (who != 0)
			CHECK(wt_tls_key_update(p.s, req), "server KeyUpdate(%d)", req);
		while ((wa < LEN || wb < LEN || ra < LEN || rb < LEN) &&
		       loops++ < 100000) {
			/* From round 12 on, one more KeyUpdate(0) from the client
			 * in the middle of its pending write. */
			if (round >= 12 && loops == 3)
				CHECK(wt_tls_key_update(p.c, 0), "mid-write KeyUpdate");
			if (wa < LEN && wt_tls_write_ex(p.c, 1, a, LEN, &n))
				wa = n;
			if (wb < LEN && wt_tls_write_ex(p.s, 2, b, LEN, &n))
				wb = n;
			tp_move(p.c, p.s, 1500);
			tp_move(p.s, p.c, 2500);
			while (ra < LEN && wt_tls_read_ex(p.s, ga + ra, LEN - ra, &n))
				ra += n;
			while (rb < LEN && wt_tls_read_ex(p.c, gb + rb, LEN - rb, &n))
				rb += n;
			if (wt_tls_error_code(p.c) || wt_tls_error_code(p.s))
				break;
		}
		if (!(wa == LEN && wb == LEN && ra == LEN && rb == LEN &&
		      !memcmp(a, ga, LEN) && !memcmp(b, gb, LEN)))
			bad++;
		/* Each KeyUpdate received moves the receiver's read key on;
		 * update_requested makes the receiver answer with its own
		 * (4.6.3), so both directions move. With both sides
		 * requesting, the requests are answered by the KeyUpdates
		 * already sent (no third one). */
		{
			/* Each KeyUpdate received moves the receiver's read key;
			 * update_requested makes the receiver send one of its own
			 * before its next application data (4.6.3) - also when it
			 * had just sent one itself, since that one went out before
			 * the request arrived. */
			uint32_t dc = p.c->rd_epoch - ce, ds = p.s->rd_epoch - se;
			uint32_t want_s = who != 1, want_c = who != 0;
			if (req) {
				want_s += who != 0;
				want_c += who != 1;
			}
			/* The mid-write one: the round's first went out with the
			 * first record, so this is one more. */
			if (round >= 12 && loops > 3)
				want_s++;
			CHECK(ds == want_s && dc == want_c,
			      "round %d (who %d req %d): read keys moved c %u (want %u) "
			      "s %u (want %u)",
			      round, who, req, dc, want_c, ds, want_s);
			updates += (int)(dc + ds);
		}
	}
	CHECK(bad == 0, "KeyUpdate under load: %d rounds lost data", bad);
	printf("KeyUpdate: %d key changes over 24 rounds of %d bytes each way\n", updates,
	       LEN);
	/* Not before the handshake is done. */
	tp_free_conns(&p);
	tp_conns(&p);
	CHECK(wt_tls_key_update(p.c, 1) == 0, "key_update before the handshake: refused");
	tp_free(&p);
}

/* RFC 6066 3: "When resuming a session, the server MUST NOT include a
 * server_name extension in the server hello" - in TLS 1.3, in its
 * EncryptedExtensions. A full handshake acknowledges the name. */
static int ee_has_sni(tscene *s)
{
	tmb m;
	CHECK(s->nsm >= 2 && s->sm[1].p[0] == HS_ENCRYPTED_EXTENSIONS,
	      "an EncryptedExtensions");
	if (s->nsm < 2)
		return -1;
	tm_set(&m, s->sm[1].p, s->sm[1].len);
	return tm_ext_find(&m, EXT_SERVER_NAME) != 0;
}

static void test_resume_sni(void)
{
	tpair p;
	tscene s;
	uint8_t sess[WT_TLS_SESSION_MAX], b[8];
	size_t sl, r;
	static const char name[] = "resume.example";
	tp_ctx(&p);
	wt_tls_ctx_set_ticket_key(p.sctx, TKEY, 1, 3600);
	/* Full handshake with SNI: the name is acknowledged. */
	s.p = p;
	tp_conns(&s.p);
	wt_tls_set_server_name(s.p.c, name, sizeof name - 1);
	sc_run(&s);
	CHECK(ee_has_sni(&s) == 1,
	      "full handshake with SNI: EncryptedExtensions has server_name");
	tp_free_conns(&s.p);
	p = s.p;
	/* A ticket issued under that name. */
	tp_conns(&p);
	wt_tls_set_server_name(p.c, name, sizeof name - 1);
	CHECK(tp_handshake(&p), "full handshake with SNI");
	(void)wt_tls_read_ex(p.c, b, sizeof b, &r);
	sl = wt_tls_get_session(p.c, sess, sizeof sess);
	CHECK(sl > 0, "SNI: a ticket");
	tp_free_conns(&p);
	/* Resumed under the same name: no server_name in EE. */
	s.p = p;
	tp_conns(&s.p);
	wt_tls_set_server_name(s.p.c, name, sizeof name - 1);
	wt_tls_set_session(s.p.c, sess, sl);
	sc_run(&s);
	CHECK(s.p.s->resumed == 1, "SNI: resumed");
	CHECK(ee_has_sni(&s) == 0,
	      "resumed with SNI: EncryptedExtensions has no server_name");
	tp_free_conns(&s.p);
	p = s.p;
	/* And the resumption completes on both sides. */
	tp_conns(&p);
	wt_tls_set_server_name(p.c, name, sizeof name - 1);
	wt_tls_set_session(p.c, sess, sl);
	CHECK(tp_handshake(&p) && wt_tls_session_reused(p.c) &&
		      wt_tls_session_reused(p.s),
	      "resumed with SNI: both sides resumed");
	tp_free(&p);
}

/* ---- 0-RTT offered with a ticket, skipped by the server ---------------------- */

/* RFC 8446 4.2.10: a server that does not accept early data (we never
 * do) "skips past early data": after a ServerHello, records that fail
 * to deprotect under the client's handshake key; after a
 * HelloRetryRequest, records of outer type application_data; "up to the
 * configured max_early_data_size". Here the client offers its ticket
 * with early_data (the ClientHello rebuilt with the extension and binders
 * recomputed, the client's transcript following), and nrec records of
 * 0-RTT garbage follow the ClientHello in the same read. reject: the
 * server cannot open the ticket (another ticket key): a full handshake.
 * hrr: the server asks for another group first. */
static void early_psk_case(int hrr, int reject, size_t nrec, size_t reclen)
{
	static const uint16_t CG[] = { 0x001D, 0x0017 }, SG[] = { 0x0017 };
	static const uint8_t OTHER[32] = { 9, 9, 9 };
	tpair p;
	uint8_t sess[WT_TLS_SESSION_MAX], ids[1400], rec[16384 + 5 + 256];
	size_t sl, idl, i;
	tflight f;
	tmsg m[2];
	tmb b;
	char what[128];
	int a = 0, c = 0, k;
	snprintf(what, sizeof what,
		 "0-RTT with a ticket (%s%s): %zu records of %zu bytes",
		 reject ? "PSK rejected" : "PSK accepted", hrr ? ", HRR" : "", nrec,
		 reclen);
	wt_test_set_now(T0);
	tp_ctx(&p);
	sl = first(&p, sess, 3600, 1);
	if (reject)
		wt_tls_ctx_set_ticket_key(p.sctx, OTHER, 1, 3600);
	if (hrr) {
		wt_tls_ctx_set_groups(p.cctx, CG, 2);
		wt_tls_ctx_set_groups(p.sctx, SG, 1);
	}
	tp_conns(&p);
	wt_tls_set_session(p.c, sess, sl);
	(void)wt_tls_do_handshake(p.c);
	tf_take(&f, p.c, NULL);
	tf_msgs(&f, m, 2);
	tm_set(&b, m[0].p, m[0].len);
	idl = own_identity(&b, ids);
	tm_ext_add(&b, EXT_EARLY_DATA, NULL, 0, 0);
	psk_rebuild(&b, ids, idl, 1, p.c->sess->psk, 1);
	wt_th_init(p.c);
	wt_th_add(p.c, b.b, b.len);
	t_give_plain(p.s, 22, b.b, b.len);
	rec[0] = 23;
	rec[1] = 3;
	rec[2] = 3;
	rec[3] = (uint8_t)(reclen >> 8);
	rec[4] = (uint8_t)reclen;
	for (i = 0; i < reclen; i++)
		rec[5 + i] = (uint8_t)(i * 13 + 5);
	for (i = 0; i < nrec; i++)
		t_give_all(p.s, rec, 5 + reclen);
	for (k = 0; k < 50; k++) {
		if (a != 1)
			a = wt_tls_do_handshake(p.c);
		if (c != 1)
			c = wt_tls_do_handshake(p.s);
		tp_move(p.c, p.s, 0);
		tp_move(p.s, p.c, 0);
		if ((a == 1 && c == 1) || wt_tls_error_code(p.c) ||
		    wt_tls_error_code(p.s))
			break;
	}
	CHECK(a == 1 && c == 1, "%s: handshake completes (c %s / s %s)", what,
	      wt_tls_err_string(wt_tls_error_code(p.c)),
	      wt_tls_err_string(wt_tls_error_code(p.s)));
	CHECK(wt_tls_session_reused(p.s) == !reject &&
		      wt_tls_session_reused(p.c) == !reject,
	      "%s: %s", what, reject ? "full handshake" : "resumed");
	CHECK(!hrr || wt_tls_hrr_seen(p.s), "%s: HRR", what);
	tp_free(&p);
}

static void test_early_data_with_ticket(void)
{
	int hrr, reject;
	for (hrr = 0; hrr < 2; hrr++)
		for (reject = 0; reject < 2; reject++) {
			early_psk_case(hrr, reject, 0, 0);
			early_psk_case(hrr, reject, 1, 40);
			/* The whole skip budget (16384 bytes, headers
			 * counted: WT_TLS_EARLY_SKIP_MAX), in one record and
			 * in two; test_tls_hrr.c early_case tests past it. */
			early_psk_case(hrr, reject, 1, WT_TLS_EARLY_SKIP_MAX - 5);
			early_psk_case(hrr, reject, 2, WT_TLS_EARLY_SKIP_MAX / 2 - 5);
		}
}

/* ---- large tickets (a client certificate chain inside) ------------------------ */

/* A GnuTLS server's ticket carries the client's whole certificate chain:
 * 1910 bytes for an RSA-2048 leaf and intermediate (gnutls-serv 3.7.9,
 * measured with openssl s_client -sess_out / sess_id). Such tickets were
 * dropped (the client kept 1200 bytes at most): no session after a
 * client-authenticated handshake with a chain. A ticket of tl bytes, sent
 * after a handshake, must be stored, serialized and offered again whole. */
static void big_ticket_case(size_t tl, int stored)
{
	tpair p, q;
	tkey k;
	static uint8_t msg[8192], rec[8192 + 64], s[WT_TLS_SESSION_MAX + 16];
	uint8_t b[8];
	size_t rl, r, sl, i, bl;
	tflight f;
	tmsg m[2];
	tmb ch;
	const uint8_t *psk;
	wt_test_set_now(T0);
	tp_ctx(&p);
	tp_conns(&p);
	CHECK(tp_handshake(&p), "big ticket: handshake");
	tk_init(&k, p.s, p.s->wr.secret);
	k.seq = p.s->wr.seq;
	/* lifetime 3600, age_add, nonce {0}, ticket<tl>, no extensions */
	msg[0] = HS_NEW_SESSION_TICKET;
	wt_store32_be(msg + 4, 3600);
	wt_store32_be(msg + 8, 0x01020304);
	msg[12] = 1;
	msg[13] = 0;
	msg[14] = (uint8_t)(tl >> 8);
	msg[15] = (uint8_t)tl;
	for (i = 0; i < tl; i++)
		msg[16 + i] = (uint8_t)(i * 7 + 1);
	msg[16 + tl] = 0;
	msg[17 + tl] = 0;
	msg[1] = 0;
	msg[2] = (uint8_t)((14 + tl) >> 8);
	msg[3] = (uint8_t)(14 + tl);
	rl = tk_seal(&k, 22, msg, 18 + tl, 0, rec);
	t_give_all(p.c, rec, rl);
	CHECK(wt_tls_read_ex(p.c, b, sizeof b, &r) == 0 &&
		      wt_tls_get_error(p.c, 0) == WT_TLS_ERROR_WANT_READ,
	      "ticket of %zu bytes: accepted (%s)", tl,
	      wt_tls_err_string(wt_tls_error_code(p.c)));
	CHECK(wt_tls_tickets_received(p.c) == (uint32_t)stored, "ticket of %zu bytes: %s",
	      tl, stored ? "counted" : "not counted");
	sl = wt_tls_get_session(p.c, s, sizeof s);
	CHECK(stored ? sl > tl && sl <= WT_TLS_SESSION_MAX : sl == 0,
	      "ticket of %zu bytes: session blob %zu", tl, sl);
	if (stored && sl > tl) {
		/* Offered again whole: the identity in the next ClientHello is
		 * the ticket as received. */
		tp_ctx(&q);
		tp_conns(&q);
		CHECK(wt_tls_set_session(q.c, s, sl) == 0,
		      "ticket of %zu bytes: set_session", tl);
		(void)wt_tls_do_handshake(q.c);
		tf_take(&f, q.c, NULL);
		tf_msgs(&f, m, 2);
		tm_set(&ch, m[0].p, m[0].len);
		psk = tm_ext_body(&ch, EXT_PRE_SHARED_KEY, &bl);
		CHECK(psk != NULL && ((size_t)psk[2] << 8 | psk[3]) == tl &&
			      memcmp(psk + 4, msg + 16, tl) == 0,
		      "ticket of %zu bytes: offered whole in the next ClientHello", tl);
		tp_free(&q);
	}
	tp_free(&p);
}

static void test_big_tickets(void)
{
	big_ticket_case(1910, 1); /* GnuTLS, RSA-2048 leaf + intermediate */
	big_ticket_case(4096, 1);
	big_ticket_case(4097, 0); /* past our cap: dropped, not an error */
}

/* ---- a session of another hash than our first suite ------------------------- */

/* The TLS 1.3 cipher_suites of a ClientHello (whole message) into out
 * (the TLS 1.2 ones after them are left out); the count. */
static size_t ch_suites(const uint8_t *ch, uint16_t *out, size_t max)
{
	size_t o = 4 + 2 + 32, n, i, k = 0;
	o += 1 + ch[o];
	n = ((size_t)ch[o] << 8 | ch[o + 1]) / 2;
	for (i = 0; i < n && k < max; i++)
		if (ch[o + 2 + 2 * i] == 0x13)
			out[k++] = (uint16_t)(ch[o + 2 + 2 * i] << 8 | ch[o + 3 + 2 * i]);
	return k;
}

static int same_suites(const uint16_t *a, size_t n, const uint16_t *b, size_t m)
{
	return n == m && memcmp(a, b, n * sizeof *a) == 0;
}

/* The ClientHello a client with our default suites sends when offering
 * sess (sl 0: none), checked against want; with_psk: whether
 * pre_shared_key must be there. */
static void ch_order_case(const char *what, const uint8_t *sess, size_t sl,
			  const uint16_t *want, size_t nwant, int with_psk)
{
	static const uint16_t dflt[] = { 0x1303, 0x1301, 0x1302 };
	tpair p;
	tflight f;
	tmsg m[2];
	tmb b;
	uint16_t got[8];
	size_t n, bl;
	tp_ctx(&p);
	CHECK(same_suites(p.cctx->suites, p.cctx->nsuites, dflt, 3),
	      "%s: default suites 1303 1301 1302", what);
	tp_conns(&p);
	if (sl)
		wt_tls_set_session(p.c, sess, sl);
	(void)wt_tls_do_handshake(p.c);
	tf_take(&f, p.c, NULL);
	CHECK(tf_msgs(&f, m, 2) >= 1 && m[0].p[0] == HS_CLIENT_HELLO, "%s: ClientHello",
	      what);
	n = ch_suites(m[0].p, got, 8);
	CHECK(same_suites(got, n, want, nwant), "%s: suites %04x %04x %04x (%zu)", what,
	      n > 0 ? got[0] : 0, n > 1 ? got[1] : 0, n > 2 ? got[2] : 0, n);
	tm_set(&b, m[0].p, m[0].len);
	CHECK((tm_ext_body(&b, EXT_PRE_SHARED_KEY, &bl) != NULL) == with_psk,
	      "%s: pre_shared_key %s", what, with_psk ? "offered" : "absent");
	tp_free(&p);
}

/* RFC 8446 4.2.11 and 4.6.1: a PSK goes only with a suite of its hash.
 * Servers that take the suite by the client's order, then look at the
 * PSK (OpenSSL, Node), dropped a SHA-384 session because our list starts
 * with ChaCha20 (SHA-256): the suites of the session's hash go first. */
static void test_resume_other_hash(void)
{
	static const uint16_t s384[] = { 0x1302 }, s256[] = { 0x1301 };
	static const uint16_t ours[] = { 0x1303, 0x1301, 0x1302 },
			      first384[] = { 0x1302, 0x1303, 0x1301 };
	static const uint16_t cg[] = { WT_GROUP_X25519, WT_GROUP_SECP256R1 },
			      sg[] = { WT_GROUP_SECP256R1 };
	uint8_t s3[WT_TLS_SESSION_MAX], s2[WT_TLS_SESSION_MAX];
	size_t l3, l2;
	tpair p;
	wt_test_set_now(T0);
	tp_ctx(&p);
	wt_tls_ctx_set_suites(p.cctx, s384, 1);
	l3 = first(&p, s3, 3600, 1);
	tp_free(&p);
	tp_ctx(&p);
	wt_tls_ctx_set_suites(p.cctx, s256, 1);
	l2 = first(&p, s2, 3600, 1);
	tp_free(&p);
	CHECK(l3 > 0 && l2 > 0, "SHA-384 and SHA-256 sessions");

	ch_order_case("no session", NULL, 0, ours, 3, 0);
	ch_order_case("SHA-384 session", s3, l3, first384, 3, 1);
	/* Both SHA-256 suites first, in our order: the list is unchanged. */
	ch_order_case("SHA-256 session", s2, l2, ours, 3, 1);
	{
		/* An expired session is not offered: our order. */
		wt_test_set_now(T0 + 3601ull * 1000);
		ch_order_case("expired SHA-384 session", s3, l3, ours, 3, 0);
		wt_test_set_now(T0);
	}
	{
		/* A server that takes only ChaCha20 after a HelloRetryRequest
		 * (it wants P-256): the PSK cannot go with that suite and is
		 * dropped from the second ClientHello, whose suites stay those
		 * of the first (4.1.2 lists what may change; the suites are not
		 * among them). Full handshake. */
		static const uint16_t cc[] = { 0x1303 };
		tflight f1, f2;
		tmsg m1[2], m2[2];
		tmb b;
		uint16_t a1[8], a2[8];
		size_t n1, n2, bl;
		tp_ctx(&p);
		wt_tls_ctx_set_groups(p.cctx, cg, 2);
		wt_tls_ctx_set_groups(p.sctx, sg, 1);
		wt_tls_ctx_set_suites(p.sctx, cc, 1);
		tp_conns(&p);
		wt_tls_set_session(p.c, s3, l3);
		(void)wt_tls_do_handshake(p.c);
		tf_tap(&f1, p.c, p.s, NULL);
		(void)wt_tls_do_handshake(p.s);
		tp_move(p.s, p.c, 0);
		(void)wt_tls_do_handshake(p.c);
		tf_tap(&f2, p.c, p.s, NULL);
		CHECK(wt_tls_hrr_seen(p.c), "HRR: seen");
		CHECK(tf_msgs(&f1, m1, 2) >= 1 && tf_msgs(&f2, m2, 2) >= 1 &&
			      m2[0].p[0] == HS_CLIENT_HELLO,
		      "HRR: two ClientHellos");
		n1 = ch_suites(m1[0].p, a1, 8);
		n2 = ch_suites(m2[0].p, a2, 8);
		CHECK(same_suites(a1, n1, first384, 3) &&
			      same_suites(a2, n2, first384, 3),
		      "HRR to ChaCha20: both ClientHellos list 1302 1303 1301");
		tm_set(&b, m2[0].p, m2[0].len);
		CHECK(tm_ext_body(&b, EXT_PRE_SHARED_KEY, &bl) == NULL,
		      "HRR to ChaCha20: PSK dropped");
		CHECK(tp_handshake(&p) && !wt_tls_session_reused(p.c) &&
			      !wt_tls_session_reused(p.s) &&
			      wt_tls_get_suite(p.c) == 0x1303,
		      "HRR to ChaCha20: full handshake");
		tp_free(&p);
	}
	{
		/* The same HelloRetryRequest from a server that takes the
		 * session's suite: the PSK stays, resumed. */
		tp_ctx(&p);
		wt_tls_ctx_set_groups(p.cctx, cg, 2);
		wt_tls_ctx_set_groups(p.sctx, sg, 1);
		wt_tls_ctx_set_suites(p.sctx, s384, 1);
		wt_tls_ctx_set_ticket_key(p.sctx, TKEY, 1, 3600);
		tp_conns(&p);
		wt_tls_set_session(p.c, s3, l3);
		CHECK(tp_handshake(&p) && wt_tls_hrr_seen(p.c) &&
			      wt_tls_session_reused(p.c) && wt_tls_session_reused(p.s) &&
			      wt_tls_get_suite(p.c) == 0x1302,
		      "HRR to AES-256-GCM: resumed");
		tp_free(&p);
	}
}

int main(void)
{
	test_tickets_sent();
	test_resume_suites();
	test_expiry();
	test_bad_tickets();
	test_binders();
	test_client_side();
	test_nst_parsing();
	test_no_modes_no_tickets();
	test_key_update_load();
	test_resume_sni();
	test_early_data_with_ticket();
	test_big_tickets();
	test_resume_other_hash();
	return t_done();
}
