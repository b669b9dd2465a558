/*
 * test_tls_hrr.c: HelloRetryRequest, both roles (RFC 8446 4.1.1, 4.1.2,
 * 4.1.4, 4.2.2, 4.4.1).
 *
 * The client offers a share the server does not take (client groups
 * X25519 then P-256, its one share X25519; server P-256 only): the server
 * asks for P-256 with a HelloRetryRequest carrying a fresh cookie, the
 * client answers with a second ClientHello. Checked: the transcript
 * through the client's Finished equals Hash(message_hash || 00 00 Hash.len
 * || Hash(ClientHello1) || HelloRetryRequest || ClientHello2 || ...)
 * computed here from the captured messages (4.4.1), on both sides, for a
 * SHA-256 and a SHA-384 suite; the cookie round trip; HRR with
 * resumption and with client certificates. Then the rules: a second HRR,
 * an HRR naming a group already offered or never offered, an HRR that
 * changes nothing, a changed suite; at the server, a second ClientHello
 * changed other than allowed, without or with another cookie, with two
 * shares, with early_data; and skipping a client's 0-RTT records.
 */
#include "tls_mitm.h"

#define SENT(a) (uint32_t)(WT_TLS_ERR_SEND_ALERT + (a))

extern const uint8_t wt_hrr_random[32];

static const uint16_t CG[] = { 0x001D, 0x0017 }, SG[] = { 0x0017 };

static void hrr_ctx(tpair *p)
{
	tp_ctx(p);
	wt_tls_ctx_set_groups(p->cctx, CG, 2);
	wt_tls_ctx_set_groups(p->sctx, SG, 1);
}

/* The messages of one HRR handshake, captured on the way. */
typedef struct {
	tmsg m[24];
	size_t n;
	tflight f[8];
	size_t nf;
	/* The server's transcript hash before it reads the client's last
	 * flight (its handshake state is freed once it is done), and the
	 * message count it covers. */
	uint8_t th_s[48];
	size_t n_s;
} tcap;

static void cap_add(tcap *cp, tflight *f)
{
	tmsg mm[16];
	size_t k = tf_msgs(f, mm, 16), i;
	for (i = 0; i < k && cp->n < 24; i++)
		cp->m[cp->n++] = mm[i];
}

/* Run the HRR handshake flight by flight, keeping every handshake
 * message (protected ones opened with the sender's keys). */
static int hrr_run(tpair *p, tcap *cp)
{
	tkey k;
	int rc, rs;
	cp->n = cp->nf = 0;
	wt_tls_set_keylog(p->c, 1);     /* for its handshake secret (t_keylog_peek) */
	rc = wt_tls_do_handshake(p->c); /* ClientHello1 */
	tf_tap(&cp->f[cp->nf], p->c, p->s, NULL);
	cap_add(cp, &cp->f[cp->nf++]);
	rs = wt_tls_do_handshake(p->s); /* HRR */
	tf_tap(&cp->f[cp->nf], p->s, p->c, NULL);
	cap_add(cp, &cp->f[cp->nf++]);
	rc = wt_tls_do_handshake(p->c); /* CCS, ClientHello2 */
	tf_tap(&cp->f[cp->nf], p->c, p->s, NULL);
	cap_add(cp, &cp->f[cp->nf++]);
	rs = wt_tls_do_handshake(p->s); /* SH .. Finished */
	if (!p->s->rd_epoch)
		return 0;
	tk_init(&k, p->s, p->s->hs->ks_h.s_hs);
	tf_tap(&cp->f[cp->nf], p->s, p->c, &k);
	cap_add(cp, &cp->f[cp->nf++]);
	rc = wt_tls_do_handshake(p->c); /* [Cert CV] Finished */
	if (!p->c->rd_epoch)
		return 0;
	tk_init(&k, p->c,
		t_keylog_peek(p->c, WT_TLS_KEYLOG_CLIENT_HANDSHAKE_TRAFFIC_SECRET));
	cp->n_s = cp->n;
	wt_th_out(p->s, cp->th_s);
	tf_tap(&cp->f[cp->nf], p->c, p->s, &k);
	cap_add(cp, &cp->f[cp->nf++]);
	rs = wt_tls_do_handshake(p->s);
	(void)rc;
	return rs == 1 && wt_tls_is_init_finished(p->c);
}

/* RFC 8446 4.4.1, computed here. */
static void expected_transcript(const tcap *cp, uint32_t hash, uint8_t *out)
{
	wt_hash_ctx h;
	uint8_t mh[4 + 48];
	size_t hl = wt_hash_len(hash), i;
	wt_hash(hash, cp->m[0].p, cp->m[0].len, mh + 4);
	mh[0] = 254;
	mh[1] = mh[2] = 0;
	mh[3] = (uint8_t)hl;
	wt_hash_init(&h, hash);
	wt_hash_update(&h, mh, 4 + hl);
	for (i = 1; i < cp->n; i++)
		wt_hash_update(&h, cp->m[i].p, cp->m[i].len);
	wt_hash_out(&h, out);
}

static void test_hrr_transcript(void)
{
	static const uint16_t suites[] = { 0x1301, 0x1302, 0x1303 };
	size_t i;
	for (i = 0; i < 3; i++) {
		tpair p;
		tcap cp;
		uint8_t want[48], got[48];
		size_t bl, hl;
		tmb m;
		const uint8_t *ck;
		hrr_ctx(&p);
		wt_tls_ctx_set_suites(p.cctx, &suites[i], 1);
		tp_conns(&p);
		CHECK(hrr_run(&p, &cp), "suite %04x: HRR handshake (c %s / s %s)",
		      suites[i], wt_tls_err_string(wt_tls_error_code(p.c)),
		      wt_tls_err_string(wt_tls_error_code(p.s)));
		CHECK(wt_tls_hrr_seen(p.c) && wt_tls_hrr_seen(p.s) &&
			      wt_tls_get_group(p.c) == 0x0017 &&
			      wt_tls_get_group(p.s) == 0x0017,
		      "suite %04x: HRR to P-256", suites[i]);
		/* CH1, HRR, CH2, SH, EE, Cert, CV, Fin, Fin */
		CHECK(cp.n == 9 && cp.m[0].p[0] == 1 && cp.m[1].p[0] == 2 &&
			      cp.m[2].p[0] == 1 && cp.m[3].p[0] == 2 &&
			      cp.m[8].p[0] == 20,
		      "suite %04x: message sequence (%zu)", suites[i], cp.n);
		/* The server's transcript through its Finished (the
		 * handshake state, transcript included, is freed once the
		 * handshake is done); the client's agrees with it, or the
		 * server would have refused the client's Finished. */
		hl = wt_hash_len(p.c->hash);
		{
			size_t all = cp.n;
			cp.n = cp.n_s;
			expected_transcript(&cp, p.c->hash, want);
			cp.n = all;
		}
		memcpy(got, cp.th_s, hl);
		CHECK(memcmp(want, got, hl) == 0,
		      "suite %04x: server transcript = 4.4.1 message_hash form",
		      suites[i]);
		CHECK(p.c->hs == NULL && p.s->hs == NULL,
		      "suite %04x: the handshake state is freed once done", suites[i]);
		/* HRR: supported_versions, key_share selected_group P-256, and a
		 * 32-byte cookie; ClientHello2 echoes the cookie and shares only
		 * P-256. */
		tm_set(&m, cp.m[1].p, cp.m[1].len);
		ck = tm_ext_body(&m, EXT_COOKIE, &bl);
		CHECK(ck && bl == 34 && ck[1] == 32, "HRR carries a 32-byte cookie");
		{
			uint8_t cookie[34];
			size_t b2;
			const uint8_t *ks;
			memcpy(cookie, ck, 34);
			ks = tm_ext_body(&m, EXT_KEY_SHARE, &b2);
			CHECK(ks && b2 == 2 && ks[0] == 0 && ks[1] == 0x17,
			      "HRR selected_group P-256");
			tm_set(&m, cp.m[2].p, cp.m[2].len);
			ck = tm_ext_body(&m, EXT_COOKIE, &bl);
			CHECK(ck && bl == 34 && memcmp(ck, cookie, 34) == 0,
			      "ClientHello2 echoes the cookie");
			ks = tm_ext_body(&m, EXT_KEY_SHARE, &b2);
			CHECK(ks && b2 == 2 + 4 + 65 && ks[2] == 0 && ks[3] == 0x17,
			      "ClientHello2: one P-256 share");
			/* Same random and session id as ClientHello1. */
			CHECK(memcmp(cp.m[0].p + 6, cp.m[2].p + 6, 32 + 1 + 32) == 0,
			      "ClientHello2 keeps random and session id");
		}
		/* Legacy record version: 0x0301 allowed for ClientHello1 only
		 * (5.1); ClientHello2 uses 0x0303. */
		CHECK(cp.f[0].wire[1] == 3 && cp.f[0].wire[2] == 1,
		      "ClientHello1 record version 0x0301");
		{
			size_t r;
			int found = 0;
			for (r = 0; r < cp.f[2].n; r++)
				if (cp.f[2].r[r].outer == 22)
					found = cp.f[2].r[r].p[-4] == 3 &&
						cp.f[2].r[r].p[-3] == 3;
			CHECK(found, "ClientHello2 record version 0x0303");
		}
		/* Middlebox compatibility (D.4): the client's CCS right before
		 * ClientHello2, the server's right after the HRR. */
		CHECK(cp.f[2].n == 2 && cp.f[2].r[0].outer == 20,
		      "client CCS before ClientHello2");
		CHECK(cp.f[1].n == 2 && cp.f[1].r[1].outer == 20,
		      "server CCS after the HRR");
		CHECK(cp.f[3].r[0].outer == 22 && cp.f[3].r[1].outer == 23,
		      "no second server CCS");
		tp_free(&p);
	}
}

static void test_hrr_variants(void)
{
	tpair p;
	uint8_t key[32] = { 7 }, sess[WT_TLS_SESSION_MAX], b[8];
	size_t sl, n;
	/* HRR then resumption: the binder of ClientHello2 covers
	 * message_hash(ClientHello1) and the HRR (4.2.11.2). */
	hrr_ctx(&p);
	wt_tls_ctx_set_ticket_key(p.sctx, key, 1, 3600);
	tp_conns(&p);
	CHECK(tp_handshake(&p), "HRR + tickets: first");
	(void)wt_tls_read_ex(p.c, b, sizeof b, &n);
	sl = wt_tls_get_session(p.c, sess, sizeof sess);
	CHECK(sl > 0, "ticket");
	tp_free_conns(&p);
	tp_conns(&p);
	wt_tls_set_session(p.c, sess, sl);
	CHECK(tp_handshake(&p), "HRR + PSK: handshake (c %s / s %s)",
	      wt_tls_err_string(wt_tls_error_code(p.c)),
	      wt_tls_err_string(wt_tls_error_code(p.s)));
	CHECK(wt_tls_hrr_seen(p.s) && wt_tls_session_reused(p.c) &&
		      wt_tls_session_reused(p.s),
	      "HRR + PSK: resumed after HRR");
	tp_free(&p);
	/* A SHA-384 ticket offered when the server picks a SHA-256 suite
	 * after HRR is dropped from ClientHello2 (4.1.2) - full handshake. */
	hrr_ctx(&p);
	{
		static const uint16_t s384[] = { 0x1302 }, s256[] = { 0x1301 };
		wt_tls_ctx_set_suites(p.sctx, s384, 1);
		wt_tls_ctx_set_ticket_key(p.sctx, key, 1, 3600);
		tp_conns(&p);
		CHECK(tp_handshake(&p), "SHA-384 ticket: first");
		(void)wt_tls_read_ex(p.c, b, sizeof b, &n);
		sl = wt_tls_get_session(p.c, sess, sizeof sess);
		tp_free_conns(&p);
		wt_tls_ctx_set_suites(p.sctx, s256, 1);
		tp_conns(&p);
		wt_tls_set_session(p.c, sess, sl);
		CHECK(tp_handshake(&p),
		      "SHA-384 ticket, SHA-256 suite after HRR: handshake (c %s / s %s)",
		      wt_tls_err_string(wt_tls_error_code(p.c)),
		      wt_tls_err_string(wt_tls_error_code(p.s)));
		CHECK(wt_tls_hrr_seen(p.c) && !wt_tls_session_reused(p.c) &&
			      !wt_tls_session_reused(p.s),
		      "incompatible PSK dropped: full handshake");
	}
	tp_free(&p);
	/* HRR with client certificates, each key type. */
	{
		int k;
		for (k = 0; k < TK_N; k++) {
			hrr_ctx(&p);
			tp_use_cert(p.cctx, k);
			wt_tls_ctx_set_verify(p.sctx, WT_TLS_VERIFY_INSECURE_NO_CHAIN,
					      WT_TLS_CLIENT_CERT_REQUIRE);
			tp_conns(&p);
			CHECK(tp_handshake(&p) && wt_tls_hrr_seen(p.c) &&
				      wt_tls_peer_authenticated(p.s) == 1,
			      "HRR + client certificate %s", TK_NAME[k]);
			tp_free(&p);
		}
	}
	/* Every group the server may ask for. */
	{
		static const uint16_t g[] = { 0x001D, 0x0017, 0x0018, 0x11EC };
		size_t i, j;
		for (i = 0; i < 4; i++)
			for (j = 0; j < 4; j++) {
				uint16_t cg[2];
				if (i == j)
					continue;
				cg[0] = g[i];
				cg[1] = g[j];
				tp_ctx(&p);
				wt_tls_ctx_set_groups(p.cctx, cg, 2);
				wt_tls_ctx_set_groups(p.sctx, &g[j], 1);
				tp_conns(&p);
				/* A hybrid client also sends an X25519 share
				 * (key_share.c): an X25519 server takes it, no HRR. */
				CHECK(tp_handshake(&p) &&
					      wt_tls_hrr_seen(p.c) ==
						      !(g[i] == 0x11EC &&
							g[j] == 0x001D) &&
					      wt_tls_get_group(p.c) == g[j],
				      "HRR from %04x to %04x", g[i], g[j]);
				tp_free(&p);
			}
	}
}

/* ---- the client's rules ------------------------------------------------------ */

typedef void (*tmut)(tmb *m);

/* The client gets the server's HRR changed by fn. */
static void hrr_case(const char *what, tmut fn, uint32_t code)
{
	tscene s;
	tmb m;
	hrr_ctx(&s.p);
	sc_start(&s);
	CHECK(s.nsm == 1 && s.sm[0].p[0] == 2, "%s: an HRR", what);
	tm_set(&m, s.sm[0].p, s.sm[0].len);
	fn(&m);
	t_give_plain(s.p.c, 22, m.b, m.len);
	t_expect(s.p.c, code, what);
	tp_free(&s.p);
}

static void h_group_offered(tmb *m)
{
	tm_ext_set(m, EXT_KEY_SHARE, (const uint8_t *)"\0\x1d", 2);
}
static void h_group_unknown(tmb *m)
{
	tm_ext_set(m, EXT_KEY_SHARE, (const uint8_t *)"\0\x18", 2);
}
static void h_group_bogus(tmb *m)
{
	tm_ext_set(m, EXT_KEY_SHARE, (const uint8_t *)"\x12\x34", 2);
}
static void h_no_change(tmb *m)
{
	tm_ext_drop(m, EXT_KEY_SHARE);
	tm_ext_drop(m, EXT_COOKIE);
}
static void h_suite(tmb *m)
{
	m->b[4 + 2 + 32 + 1 + 32 + 1] = 0x04;
}
static void h_sid(tmb *m)
{
	m->b[40] ^= 1;
}
static void h_cookie_empty(tmb *m)
{
	tm_ext_set(m, EXT_COOKIE, (const uint8_t *)"\0\0", 2);
}
static void h_unknown(tmb *m)
{
	tm_ext_add(m, 0x7777, NULL, 0, -1);
}
static void h_sni(tmb *m)
{
	tm_ext_add(m, EXT_SERVER_NAME, NULL, 0, -1);
}
static void h_psk(tmb *m)
{
	tm_ext_add(m, EXT_PRE_SHARED_KEY, (const uint8_t *)"\0\0", 2, -1);
}
static void h_dup_cookie(tmb *m)
{
	tm_ext_dup(m, EXT_COOKIE);
}
static void h_no_versions(tmb *m)
{
	tm_ext_drop(m, EXT_SUPPORTED_VERSIONS);
}
static void h_share_entry(tmb *m)
{
	/* A ServerHello-style KeyShareEntry in an HRR. */
	tm_ext_set(m, EXT_KEY_SHARE, (const uint8_t *)"\0\x17\0\1\4", 5);
}

static void test_client_rules(void)
{
	tscene s;
	tmb m;
	tkey k;
	/* 4.1.4 / 4.2.8: "the selected_group field corresponds to a group
	 * which was provided in the "supported_groups" extension ... [and]
	 * does not correspond to a group which was provided in the
	 * "key_share" extension ... illegal_parameter". */
	hrr_case("HRR for the group already shared", h_group_offered,
		 SENT(WT_ALERT_ILLEGAL_PARAMETER));
	hrr_case("HRR for a group not in supported_groups", h_group_unknown,
		 SENT(WT_ALERT_ILLEGAL_PARAMETER));
	hrr_case("HRR for an unknown group", h_group_bogus,
		 SENT(WT_ALERT_ILLEGAL_PARAMETER));
	/* 4.1.4: "if the HelloRetryRequest would not result in any change in
	 * the ClientHello ... illegal_parameter". */
	hrr_case("HRR changing nothing", h_no_change, SENT(WT_ALERT_ILLEGAL_PARAMETER));
	/* 4.1.4: the cipher suite must be one offered. */
	hrr_case("HRR with a suite not offered", h_suite,
		 SENT(WT_ALERT_ILLEGAL_PARAMETER));
	hrr_case("HRR with another session id", h_sid, SENT(WT_ALERT_ILLEGAL_PARAMETER));
	/* 4.2.2 opaque cookie<1..2^16-1>. */
	hrr_case("HRR with an empty cookie", h_cookie_empty, SENT(WT_ALERT_DECODE_ERROR));
	hrr_case("HRR with cookie twice", h_dup_cookie, SENT(WT_ALERT_ILLEGAL_PARAMETER));
	/* 4.1.4: "an HRR ... MUST NOT contain any extensions that were not
	 * first offered by the client in its ClientHello, with the exception
	 * of optionally the "cookie"". */
	hrr_case("HRR with an unknown extension", h_unknown,
		 SENT(WT_ALERT_UNSUPPORTED_EXTENSION));
	hrr_case("HRR with server_name (not an HRR extension)", h_sni,
		 SENT(WT_ALERT_ILLEGAL_PARAMETER));
	hrr_case("HRR with pre_shared_key (not an HRR extension)", h_psk,
		 SENT(WT_ALERT_ILLEGAL_PARAMETER));
	hrr_case("HRR without supported_versions", h_no_versions,
		 SENT(WT_ALERT_PROTOCOL_VERSION));
	hrr_case("HRR with a KeyShareEntry", h_share_entry, SENT(WT_ALERT_DECODE_ERROR));

	/* 4.1.4: "If a client receives a second HelloRetryRequest in the same
	 * connection (i.e., where the ClientHello was itself in response to a
	 * HelloRetryRequest), it MUST abort the handshake with an
	 * "unexpected_message" alert." */
	hrr_ctx(&s.p);
	sc_start(&s);
	sc_give_plain(&s);
	CHECK(wt_tls_do_handshake(s.p.c) <= 0, "CH2 sent");
	t_take(s.p.c, scratch_rec, sizeof scratch_rec);
	t_give_plain(s.p.c, 22, s.sm[0].p, s.sm[0].len);
	t_expect(s.p.c, SENT(WT_ALERT_UNEXPECTED_MESSAGE), "second HelloRetryRequest");
	tp_free(&s.p);

	/* The ServerHello after an HRR: same suite (4.1.4 "the ServerHello
	 * ... cipher suite [MUST be] the same"), share of the asked group. */
	{
		int i;
		for (i = 0; i < 2; i++) {
			tflight f;
			tmsg mm[8];
			hrr_ctx(&s.p);
			if (i == 0) {
				static const uint16_t two[] = { 0x1301, 0x1303 };
				wt_tls_ctx_set_suites(s.p.cctx, two, 2);
			}
			sc_start(&s);
			sc_give_plain(&s);
			(void)wt_tls_do_handshake(s.p.c);
			t_give_all(s.p.s, scratch_rec,
				   t_take(s.p.c, scratch_rec, sizeof scratch_rec));
			(void)wt_tls_do_handshake(s.p.s);
			tk_init(&k, s.p.s, s.p.s->hs->ks_h.s_hs);
			tf_take(&f, s.p.s, &k);
			CHECK(tf_msgs(&f, mm, 8) >= 1 && mm[0].p[0] == 2, "ServerHello");
			tm_set(&m, mm[0].p, mm[0].len);
			if (i == 0) {
				/* The suite the server did not pick of the two. */
				uint8_t *sb = &m.b[4 + 2 + 32 + 1 + 32 + 1];
				*sb = *sb == 0x03 ? 0x01 : 0x03;
			} else {
				size_t l;
				uint8_t *b = tm_ext_body(&m, EXT_KEY_SHARE, &l);
				b[1] = 0x1d;
			}
			t_give_plain(s.p.c, 22, m.b, m.len);
			t_expect(s.p.c, SENT(WT_ALERT_ILLEGAL_PARAMETER),
				 i ? "SH after HRR: share of the first group" :
				     "SH after HRR: other suite");
			tp_free(&s.p);
		}
	}
}

/* ---- the server's rules -------------------------------------------------------- */

/* The server gets the client's ClientHello2 changed by fn. */
static void ch2_case(const char *what, tmut fn, uint32_t code)
{
	tscene s;
	tflight f;
	tmsg mm[4];
	tmb m;
	hrr_ctx(&s.p);
	sc_start(&s);
	sc_give_plain(&s);
	(void)wt_tls_do_handshake(s.p.c);
	tf_take(&f, s.p.c, NULL);
	CHECK(tf_msgs(&f, mm, 4) == 1 && mm[0].p[0] == 1, "%s: ClientHello2", what);
	tm_set(&m, mm[0].p, mm[0].len);
	fn(&m);
	t_give_plain(s.p.s, 20, (const uint8_t *)"\1", 1);
	t_give_plain(s.p.s, 22, m.b, m.len);
	if (code)
		t_expect(s.p.s, code, what);
	else
		CHECK(wt_tls_do_handshake(s.p.s) <= 0 &&
			      wt_tls_get_error(s.p.s, -1) == WT_TLS_ERROR_WANT_READ,
		      "%s: accepted (%s)", what,
		      wt_tls_err_string(wt_tls_error_code(s.p.s)));
	tp_free(&s.p);
}

static void c_none(tmb *m)
{
	(void)m;
}
static void c_no_cookie(tmb *m)
{
	tm_ext_drop(m, EXT_COOKIE);
}
static void c_cookie(tmb *m)
{
	size_t l;
	uint8_t *b = tm_ext_body(m, EXT_COOKIE, &l);
	b[5] ^= 1;
}
static void c_cookie_short(tmb *m)
{
	size_t l;
	uint8_t *b = tm_ext_body(m, EXT_COOKIE, &l), t[40];
	memcpy(t, b, l);
	t[1] -= 1;
	tm_ext_set(m, EXT_COOKIE, t, l - 1);
}
static void c_random(tmb *m)
{
	m->b[10] ^= 1;
}
static void c_sid(tmb *m)
{
	m->b[39] ^= 1;
}
static void c_version(tmb *m)
{
	m->b[5] = 1;
}
static void c_suites(tmb *m)
{
	m->b[4 + 2 + 32 + 1 + 32 + 2 + 1] ^= 0x03;
}
static void c_add_alpn(tmb *m)
{
	tm_ext_add(m, EXT_ALPN, (const uint8_t *)"\0\3\2h2", 5, 0);
}
static void c_add_unknown(tmb *m)
{
	tm_ext_add(m, 0x4a4a, NULL, 0, 0);
}
static void c_drop_sigalgs(tmb *m)
{
	tm_ext_drop(m, EXT_SIGNATURE_ALGORITHMS);
}
static void c_groups(tmb *m)
{
	tm_ext_set(m, EXT_SUPPORTED_GROUPS, (const uint8_t *)"\0\2\0\x17", 4);
}
static void c_reorder(tmb *m)
{
	size_t l;
	uint8_t t[256], *b = tm_ext_body(m, EXT_SIGNATURE_ALGORITHMS, &l);
	memcpy(t, b, l);
	tm_ext_drop(m, EXT_SIGNATURE_ALGORITHMS);
	tm_ext_add(m, EXT_SIGNATURE_ALGORITHMS, t, l, 0);
}
static void c_padding(tmb *m)
{
	static const uint8_t z[100];
	tm_ext_add(m, EXT_PADDING, z, 100, 0);
}
static void c_two_shares(tmb *m)
{
	size_t l;
	uint8_t t[256], *b = tm_ext_body(m, EXT_KEY_SHARE, &l);
	memcpy(t, b, l);
	memcpy(t + l, "\0\x1d\0\x20", 4);
	memset(t + l + 4, 9, 32);
	t[0] = (uint8_t)((l - 2 + 36) >> 8);
	t[1] = (uint8_t)(l - 2 + 36);
	tm_ext_set(m, EXT_KEY_SHARE, t, l + 36);
}
static void c_old_share(tmb *m)
{
	uint8_t t[40] = { 0, 36, 0, 0x1d, 0, 32 };
	memset(t + 6, 9, 32);
	tm_ext_set(m, EXT_KEY_SHARE, t, 38);
}
static void c_early(tmb *m)
{
	tm_ext_add(m, EXT_EARLY_DATA, NULL, 0, 0);
}

static void test_server_rules(void)
{
	ch2_case("CH2 as sent", c_none, 0);
	/* 4.2.2: the cookie must come back. */
	ch2_case("CH2 without the cookie", c_no_cookie, SENT(WT_ALERT_ILLEGAL_PARAMETER));
	ch2_case("CH2 with another cookie", c_cookie, SENT(WT_ALERT_ILLEGAL_PARAMETER));
	ch2_case("CH2 with a truncated cookie", c_cookie_short,
		 SENT(WT_ALERT_ILLEGAL_PARAMETER));
	/* 4.1.2: "the client MUST send the same ClientHello without
	 * modification, except as follows". */
	ch2_case("CH2 with another random", c_random, SENT(WT_ALERT_ILLEGAL_PARAMETER));
	ch2_case("CH2 with another session id", c_sid, SENT(WT_ALERT_ILLEGAL_PARAMETER));
	ch2_case("CH2 with another legacy_version", c_version,
		 SENT(WT_ALERT_ILLEGAL_PARAMETER));
	ch2_case("CH2 with other suites", c_suites, SENT(WT_ALERT_ILLEGAL_PARAMETER));
	ch2_case("CH2 with an extension added", c_add_alpn,
		 SENT(WT_ALERT_ILLEGAL_PARAMETER));
	ch2_case("CH2 with an unknown extension added", c_add_unknown,
		 SENT(WT_ALERT_ILLEGAL_PARAMETER));
	ch2_case("CH2 without signature_algorithms", c_drop_sigalgs,
		 SENT(WT_ALERT_ILLEGAL_PARAMETER));
	ch2_case("CH2 with other supported_groups", c_groups,
		 SENT(WT_ALERT_ILLEGAL_PARAMETER));
	ch2_case("CH2 with extensions reordered", c_reorder,
		 SENT(WT_ALERT_ILLEGAL_PARAMETER));
	/* "Optionally adding, removing, or changing the length of the
	 * "padding" extension" is allowed. */
	ch2_case("CH2 with padding added", c_padding, 0);
	/* "replacing the list of shares with a list containing a single
	 * KeyShareEntry from the indicated group". */
	ch2_case("CH2 with two shares", c_two_shares, SENT(WT_ALERT_ILLEGAL_PARAMETER));
	ch2_case("CH2 with the first group's share again", c_old_share,
		 SENT(WT_ALERT_ILLEGAL_PARAMETER));
	/* 4.2.10: "A client MUST NOT include the "early_data" extension in
	 * its followup ClientHello." */
	ch2_case("CH2 with early_data", c_early, SENT(WT_ALERT_ILLEGAL_PARAMETER));
}

/* ---- 0-RTT records skipped (4.2.10) --------------------------------------------- */

/* The client's first ClientHello gets early_data added (and the client's
 * transcript follows, so the handshake stays consistent); 0-RTT records
 * (garbage under no key the server has) follow it. With hrr, the server
 * answers with an HRR and skips records of outer type application_data
 * until ClientHello2; without, it answers with a ServerHello and skips
 * records that fail to open with the client's handshake key. */
static void early_case(int hrr, size_t nrec, size_t reclen, uint32_t code)
{
	tpair p;
	tflight f;
	tmsg mm[4];
	tmb m;
	uint8_t rec[16384 + 5 + 256];
	size_t i;
	char what[96];
	int a = 0, b = 0, k;
	snprintf(what, sizeof what, "%s: %zu 0-RTT records of %zu bytes",
		 hrr ? "HRR" : "1-RTT", nrec, reclen);
	if (hrr)
		hrr_ctx(&p);
	else
		tp_ctx(&p);
	tp_conns(&p);
	(void)wt_tls_do_handshake(p.c);
	tf_take(&f, p.c, NULL);
	tf_msgs(&f, mm, 4);
	tm_set(&m, mm[0].p, mm[0].len);
	tm_ext_add(&m, EXT_EARLY_DATA, NULL, 0, 0);
	wt_th_init(p.c);
	wt_th_add(p.c, m.b, m.len);
	t_give_plain(p.s, 22, m.b, m.len);
	rec[0] = 23;
	rec[1] = 3;
	rec[2] = 3;
	rec[3] = (uint8_t)(reclen >> 8);
	rec[4] = (uint8_t)reclen;
	for (i = 0; i < reclen; i++)
		rec[5 + i] = (uint8_t)(i * 31 + 7);
	/* The early records go right after the ClientHello, as a client
	 * would send them; the server reaches them after its answer. */
	for (i = 0; i < nrec; i++)
		t_give_all(p.s, rec, 5 + reclen);
	for (k = 0; k < 50; k++) {
		if (a != 1)
			a = wt_tls_do_handshake(p.c);
		if (b != 1)
			b = wt_tls_do_handshake(p.s);
		tp_move(p.c, p.s, 0);
		tp_move(p.s, p.c, 0);
		if ((a == 1 && b == 1) || wt_tls_error_code(p.c) ||
		    wt_tls_error_code(p.s))
			break;
	}
	if (code == 0) {
		CHECK(a == 1 && b == 1, "%s: handshake completes (c %s / s %s)", what,
		      wt_tls_err_string(wt_tls_error_code(p.c)),
		      wt_tls_err_string(wt_tls_error_code(p.s)));
		CHECK(!hrr || wt_tls_hrr_seen(p.s), "%s: HRR", what);
	} else {
		CHECK(wt_tls_error_code(p.s) == code, "%s: server %s", what,
		      wt_tls_err_string(wt_tls_error_code(p.s)));
	}
	tp_free(&p);
}

static void test_early_data_skipped(void)
{
	early_case(0, 0, 0, 0);
	early_case(0, 1, 100, 0);
	early_case(1, 0, 0, 0);
	early_case(1, 1, 100, 0);
	/* Records shorter than an AEAD tag (BoGo's SkipEarlyData-TLS13 sends
	 * such a one) and empty ones fail deprotection like any other. */
	early_case(0, 1, 4, 0);
	early_case(0, 2, 0, 0);
	early_case(1, 1, 4, 0);
	{
		/* The budget: 16384 bytes of records, headers included
		 * (WT_TLS_EARLY_SKIP_MAX, counted as BoringSSL counts
		 * early_data_skipped). Up to it, skipped, on both sides of a
		 * HelloRetryRequest: one record of the whole budget, two that
		 * fill it exactly. */
		int hrr;
		for (hrr = 0; hrr < 2; hrr++) {
			early_case(hrr, 1, WT_TLS_EARLY_SKIP_MAX - 5, 0);
			early_case(hrr, 2, WT_TLS_EARLY_SKIP_MAX / 2 - 5, 0);
			early_case(hrr, 64, WT_TLS_EARLY_SKIP_MAX / 64 - 5, 0);
			/* One byte past it (4.6.1: "SHOULD terminate the
			 * connection with an "unexpected_message" alert"): in
			 * one record, in the last of three; BoGo
			 * SkipEarlyData(-HRR)-TooMuchData-TLS13's record of
			 * 16385 bytes; many of the largest. */
			early_case(hrr, 1, WT_TLS_EARLY_SKIP_MAX - 4,
				   SENT(WT_ALERT_UNEXPECTED_MESSAGE));
			early_case(hrr, 3, (WT_TLS_EARLY_SKIP_MAX + 1 + 2) / 3 - 5,
				   SENT(WT_ALERT_UNEXPECTED_MESSAGE));
			early_case(hrr, 1, 16384 + 1, SENT(WT_ALERT_UNEXPECTED_MESSAGE));
			early_case(hrr, 5, 16384 + 256,
				   SENT(WT_ALERT_UNEXPECTED_MESSAGE));
		}
	}
	{
		/* Without early_data in the ClientHello, such a record is a
		 * bad_record_mac (1-RTT) or unexpected_message (plaintext
		 * epoch). */
		tpair p;
		uint8_t rec[5 + 40] = { 23, 3, 3, 0, 40 };
		tp_ctx(&p);
		tp_conns(&p);
		(void)wt_tls_do_handshake(p.c);
		tp_move(p.c, p.s, 0);
		t_give(p.s, rec, sizeof rec);
		(void)wt_tls_do_handshake(p.s);
		CHECK(wt_tls_error_code(p.s) == SENT(WT_ALERT_BAD_RECORD_MAC),
		      "no early_data: bad_record_mac (%s)",
		      wt_tls_err_string(wt_tls_error_code(p.s)));
		tp_free(&p);
	}
}

/* ---- a HelloRetryRequest that asks for a cookie only -------------------------- */

/* RFC 8446 4.1.2: after a HelloRetryRequest the client sends "the same
 * ClientHello without modification, except as follows"; a new key_share
 * only "If a "key_share" extension was supplied in the
 * HelloRetryRequest". With a cookie alone, ClientHello2 is ClientHello1
 * plus the cookie: same key_share bytes (same key). OpenSSL's stateless
 * server (s_server -stateless) sends such a HelloRetryRequest. */
static void test_cookie_only_hrr(void)
{
	tscene s;
	tmb m, ch1, ch2;
	tflight f;
	tmsg mm[4];
	size_t n, i, l1, l2;
	const uint8_t *ks1, *ks2;
	hrr_ctx(&s.p);
	sc_start(&s);
	CHECK(s.nsm == 1 && s.sm[0].p[0] == 2, "cookie-only HRR: an HRR");
	tm_set(&m, s.sm[0].p, s.sm[0].len);
	tm_ext_drop(&m, EXT_KEY_SHARE);
	t_give_plain(s.p.c, 22, m.b, m.len);
	(void)wt_tls_do_handshake(s.p.c);
	CHECK(wt_tls_error_code(s.p.c) == 0, "cookie-only HRR: accepted (%s)",
	      wt_tls_err_string(wt_tls_error_code(s.p.c)));
	tf_take(&f, s.p.c, NULL);
	n = tf_msgs(&f, mm, 4);
	for (i = 0; i < n && mm[i].p[0] != HS_CLIENT_HELLO; i++)
		;
	CHECK(i < n, "cookie-only HRR: a second ClientHello");
	if (i < n) {
		tm_set(&ch1, s.cm[0].p, s.cm[0].len);
		tm_set(&ch2, mm[i].p, mm[i].len);
		CHECK(tm_ext_find(&ch2, EXT_COOKIE) != 0,
		      "cookie-only HRR: ClientHello2 echoes the cookie");
		ks1 = tm_ext_body(&ch1, EXT_KEY_SHARE, &l1);
		ks2 = tm_ext_body(&ch2, EXT_KEY_SHARE, &l2);
		CHECK(ks1 && ks2 && l1 == l2 && memcmp(ks1, ks2, l1) == 0,
		      "cookie-only HRR: the key_share is repeated unchanged");
		tm_ext_drop(&ch2, EXT_COOKIE);
		CHECK(ch1.len == ch2.len && memcmp(ch1.b, ch2.b, ch1.len) == 0,
		      "cookie-only HRR: ClientHello2 is ClientHello1 plus the cookie");
	}
	tp_free(&s.p);
}

/* ---- ClientHello2 drops the PSK that ClientHello1 offered -------------------- */

/* 4.1.2 lets ClientHello2 update "pre_shared_key" (ages, binders) and
 * drop PSKs "incompatible with the server's indicated cipher suite"; a
 * PSK the server accepted on ClientHello1 is compatible, so dropping it
 * is a forbidden change: missing_extension (BoringSSL's answer). */
static void ch2_psk_case(const char *what, int drop, uint32_t code)
{
	tpair p;
	tscene s;
	uint8_t key[32] = { 7 }, sess[WT_TLS_SESSION_MAX], b[8];
	size_t sl, n, i;
	tflight f;
	tmsg mm[4];
	tmb m;
	hrr_ctx(&p);
	wt_tls_ctx_set_ticket_key(p.sctx, key, 1, 3600);
	tp_conns(&p);
	CHECK(tp_handshake(&p), "%s: first handshake", what);
	(void)wt_tls_read_ex(p.c, b, sizeof b, &n);
	sl = wt_tls_get_session(p.c, sess, sizeof sess);
	tp_free_conns(&p);
	s.p = p;
	sc_start_with(&s, sess, sl);
	CHECK(s.nsm == 1 && memcmp(s.sm[0].p + 6, wt_hrr_random, 32) == 0, "%s: an HRR",
	      what);
	sc_give_plain(&s);
	(void)wt_tls_do_handshake(s.p.c);
	tf_take(&f, s.p.c, NULL);
	n = tf_msgs(&f, mm, 4);
	for (i = 0; i < n && mm[i].p[0] != HS_CLIENT_HELLO; i++)
		;
	CHECK(i < n, "%s: ClientHello2", what);
	if (i < n) {
		tm_set(&m, mm[i].p, mm[i].len);
		CHECK(tm_ext_find(&m, EXT_PRE_SHARED_KEY) != 0,
		      "%s: our client keeps the PSK", what);
		if (drop)
			tm_ext_drop(&m, EXT_PRE_SHARED_KEY);
		t_give_plain(s.p.s, 20, (const uint8_t *)"\1", 1);
		t_give_plain(s.p.s, 22, m.b, m.len);
		if (code)
			t_expect(s.p.s, code, what);
		else
			CHECK(wt_tls_do_handshake(s.p.s) <= 0 &&
				      wt_tls_get_error(s.p.s, -1) ==
					      WT_TLS_ERROR_WANT_READ &&
				      wt_tls_session_reused(s.p.s),
			      "%s: resumed (%s)", what,
			      wt_tls_err_string(wt_tls_error_code(s.p.s)));
	}
	tp_free(&s.p);
}

static void test_ch2_psk(void)
{
	ch2_psk_case("CH2 keeps the accepted PSK", 0, 0);
	ch2_psk_case("CH2 drops the accepted PSK", 1, SENT(WT_ALERT_MISSING_EXTENSION));
}

/* ---- an X25519 share beside the X25519MLKEM768 one ------------------------------ */

/* The KeyShareEntry list of a ClientHello: groups and lengths, and where
 * each key_exchange starts. Returns the count (at most max). */
static size_t ks_entries(tmb *m, uint16_t *g, size_t *len, const uint8_t **kx, size_t max)
{
	size_t l, o = 2, n = 0;
	const uint8_t *b = tm_ext_body(m, EXT_KEY_SHARE, &l);
	while (b && o + 4 <= l && n < max) {
		g[n] = (uint16_t)(b[o] << 8 | b[o + 1]);
		len[n] = (size_t)b[o + 2] << 8 | b[o + 3];
		kx[n] = b + o + 4;
		o += 4 + len[n];
		n++;
	}
	return n;
}

static void test_x25519_beside_hybrid(void)
{
	static const uint16_t hx[] = { 0x11EC, 0x001D, 0x0017 },
			      hp[] = { 0x11EC, 0x0017 }, x[] = { 0x001D },
			      h[] = { 0x11EC }, p256[] = { 0x0017 };
	tpair p;
	tflight f;
	tmsg mm[4];
	tmb m;
	uint16_t g[8];
	size_t len[8], n;
	const uint8_t *kx[8];
	/* A client whose first group is the hybrid sends an X25519 share
	 * after it (Chromium's order), the hybrid's own X25519 half. */
	tp_ctx(&p);
	wt_tls_ctx_set_groups(p.cctx, hx, 3);
	tp_conns(&p);
	(void)wt_tls_do_handshake(p.c);
	tf_take(&f, p.c, NULL);
	tf_msgs(&f, mm, 4);
	tm_set(&m, mm[0].p, mm[0].len);
	n = ks_entries(&m, g, len, kx, 8);
	CHECK(n == 2 && g[0] == 0x11EC && len[0] == 1216 && g[1] == 0x001D &&
		      len[1] == 32,
	      "hybrid client: key_share X25519MLKEM768 (1216) then X25519 (32) (%zu "
	      "entries)",
	      n);
	CHECK(n == 2 && memcmp(kx[1], kx[0] + 1184, 32) == 0,
	      "hybrid client: the X25519 share is the hybrid's X25519 half");
	tp_free(&p);
	/* Without X25519 among its groups: the hybrid share alone. */
	tp_ctx(&p);
	wt_tls_ctx_set_groups(p.cctx, hp, 2);
	tp_conns(&p);
	(void)wt_tls_do_handshake(p.c);
	tf_take(&f, p.c, NULL);
	tf_msgs(&f, mm, 4);
	tm_set(&m, mm[0].p, mm[0].len);
	n = ks_entries(&m, g, len, kx, 8);
	CHECK(n == 1 && g[0] == 0x11EC, "hybrid client without X25519: one share (%zu)",
	      n);
	tp_free(&p);
	/* A server without the hybrid takes the X25519 share: no
	 * HelloRetryRequest, and the connection works. */
	tp_ctx(&p);
	wt_tls_ctx_set_groups(p.cctx, hx, 3);
	wt_tls_ctx_set_groups(p.sctx, x, 1);
	tp_conns(&p);
	CHECK(tp_handshake(&p) && !wt_tls_hrr_seen(p.c) &&
		      wt_tls_get_group(p.c) == 0x001D && wt_tls_get_group(p.s) == 0x001D,
	      "hybrid client, X25519-only server: X25519 without HRR (c %s / s %s)",
	      wt_tls_err_string(wt_tls_error_code(p.c)),
	      wt_tls_err_string(wt_tls_error_code(p.s)));
	{
		uint8_t buf[8];
		size_t r = 0;
		CHECK(wt_tls_write(p.c, 1, (const uint8_t *)"beside", 6) == 6,
		      "X25519 beside: write");
		tp_move(p.c, p.s, 0);
		CHECK(wt_tls_read_ex(p.s, buf, sizeof buf, &r) == 1 && r == 6 &&
			      memcmp(buf, "beside", 6) == 0,
		      "X25519 beside: the server reads what the client wrote");
	}
	tp_free(&p);
	/* A hybrid server takes the hybrid. */
	tp_ctx(&p);
	wt_tls_ctx_set_groups(p.cctx, hx, 3);
	wt_tls_ctx_set_groups(p.sctx, h, 1);
	tp_conns(&p);
	CHECK(tp_handshake(&p) && !wt_tls_hrr_seen(p.c) &&
		      wt_tls_get_group(p.c) == 0x11EC,
	      "hybrid client, hybrid server: X25519MLKEM768");
	tp_free(&p);
	/* After a HelloRetryRequest for P-256: one P-256 share only (4.1.2). */
	tp_ctx(&p);
	wt_tls_ctx_set_groups(p.cctx, hx, 3);
	wt_tls_ctx_set_groups(p.sctx, p256, 1);
	tp_conns(&p);
	{
		tcap cp;
		size_t i;
		int ok = hrr_run(&p, &cp);
		CHECK(ok && wt_tls_hrr_seen(p.c) && wt_tls_get_group(p.c) == 0x0017,
		      "hybrid client, P-256 server: HRR to P-256");
		for (i = 1; i < cp.n && cp.m[i].p[0] != HS_CLIENT_HELLO; i++)
			;
		if (i < cp.n) {
			tm_set(&m, cp.m[i].p, cp.m[i].len);
			n = ks_entries(&m, g, len, kx, 8);
			CHECK(n == 1 && g[0] == 0x0017,
			      "after HRR: a single P-256 share (%zu)", n);
		}
	}
	tp_free(&p);
	/* 4.2.8: an HRR naming X25519, whose share the client sent beside
	 * the hybrid's -> illegal_parameter. */
	{
		tscene s;
		tp_ctx(&s.p);
		wt_tls_ctx_set_groups(s.p.cctx, hx, 3);
		wt_tls_ctx_set_groups(s.p.sctx, p256, 1);
		sc_start(&s);
		tm_set(&m, s.sm[0].p, s.sm[0].len);
		tm_ext_set(&m, EXT_KEY_SHARE, (const uint8_t *)"\0\x1d", 2);
		t_give_plain(s.p.c, 22, m.b, m.len);
		t_expect(s.p.c, SENT(WT_ALERT_ILLEGAL_PARAMETER),
			 "HRR for the X25519 group sent beside the hybrid");
		tp_free(&s.p);
	}
}

/* ---- the server's choice among the client's shares ------------------------------ */

/* A client that sent an X25519MLKEM768 share gets it by default, though
 * the server's default group list names the hybrid last (as BoringSSL and
 * OpenSSL 3.5 servers choose); without the hybrid in the server's groups,
 * the X25519 share beside it. */
static void test_server_prefers_hybrid(void)
{
	static const uint16_t hx[] = { 0x11EC, 0x001D },
			      classic[] = { 0x001D, 0x0017, 0x0018 },
			      xh[] = { 0x001D, 0x11EC };
	tpair p;
	tp_ctx(&p);
	wt_tls_ctx_set_groups(p.cctx, hx, 2);
	tp_conns(&p);
	CHECK(tp_handshake(&p) && wt_tls_get_group(p.s) == 0x11EC &&
		      wt_tls_get_group(p.c) == 0x11EC && !wt_tls_hrr_seen(p.s),
	      "default server, client shares hybrid + X25519: X25519MLKEM768 (%04x)",
	      wt_tls_get_group(p.s));
	tp_free(&p);
	/* Even when the server lists X25519 first. */
	tp_ctx(&p);
	wt_tls_ctx_set_groups(p.cctx, hx, 2);
	wt_tls_ctx_set_groups(p.sctx, xh, 2);
	tp_conns(&p);
	CHECK(tp_handshake(&p) && wt_tls_get_group(p.s) == 0x11EC,
	      "server X25519 first, client shares hybrid + X25519: X25519MLKEM768 (%04x)",
	      wt_tls_get_group(p.s));
	tp_free(&p);
	tp_ctx(&p);
	wt_tls_ctx_set_groups(p.cctx, hx, 2);
	wt_tls_ctx_set_groups(p.sctx, classic, 3);
	tp_conns(&p);
	CHECK(tp_handshake(&p) && wt_tls_get_group(p.s) == 0x001D &&
		      !wt_tls_hrr_seen(p.s),
	      "server without the hybrid: the X25519 share (%04x)",
	      wt_tls_get_group(p.s));
	tp_free(&p);
	/* A default client (X25519 share only) still gets X25519, no HRR. */
	tp_ctx(&p);
	tp_conns(&p);
	CHECK(tp_handshake(&p) && wt_tls_get_group(p.s) == 0x001D &&
		      !wt_tls_hrr_seen(p.s),
	      "default client and server: X25519 (%04x)", wt_tls_get_group(p.s));
	tp_free(&p);
}

/* ---- TLS 1.2-only extensions in a HelloRetryRequest --------------------------- */

/* RFC 8446 4.2: an extension response to nothing we asked for ->
 * "unsupported_extension" (extended_master_secret, RFC 7627, and
 * renegotiation_info, RFC 5746, are never offered by a TLS 1.3 client). */
static void h_ems(tmb *m)
{
	tm_ext_add(m, 0x0017, NULL, 0, -1);
}
static void h_reneg(tmb *m)
{
	tm_ext_add(m, 0xff01, (const uint8_t *)"\0", 1, -1);
}

static void test_hrr_tls12_extensions(void)
{
	hrr_case("HRR with extended_master_secret", h_ems,
		 SENT(WT_ALERT_UNSUPPORTED_EXTENSION));
	hrr_case("HRR with renegotiation_info", h_reneg,
		 SENT(WT_ALERT_UNSUPPORTED_EXTENSION));
}

int main(void)
{
	test_hrr_transcript();
	test_hrr_variants();
	test_client_rules();
	test_server_rules();
	test_early_data_skipped();
	test_cookie_only_hrr();
	test_ch2_psk();
	test_x25519_beside_hybrid();
	test_server_prefers_hybrid();
	test_hrr_tls12_extensions();
	return t_done();
}
