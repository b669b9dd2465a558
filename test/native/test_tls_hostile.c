/*
 * test_tls_hostile.c: hostile input against the engine, client and
 * server, through a man in the middle (tls_mitm.h) that opens, changes
 * and reseals what the honest peer sent. Every case checks the alert the
 * RFC asks for, that the error sticks, that nothing but the alert goes
 * out, and (ASan build) no crash; every loop is bounded, so no hang.
 *
 * Record layer (RFC 8446 5): truncated, oversized, mis-typed records,
 * bad MACs, replays, zero-length records of each type, all-zero inner
 * plaintext, padding, alert framing, data after close_notify, every
 * alert received. Handshake (RFC 8446 4): every message type in every
 * state of both roles, duplicated and misplaced extensions (the 4.2
 * table), messages spanning key changes, change_cipher_spec rules,
 * 1-byte fragmentation of every handshake message, the downgrade
 * sentinel, legacy_version / legacy_session_id / compression rules.
 */
#include "tls_mitm.h"

#define SENT(a) (uint32_t)(WT_TLS_ERR_SEND_ALERT + (a))
#define RECV(a) (uint32_t)(WT_TLS_ERR_RECV_ALERT + (a))

extern const uint8_t wt_hrr_random[32];
static uint8_t scratch[1 << 17];

/* ---- post-handshake record layer ------------------------------------------ */

/* A connected pair; k gets the client's current write key, so the test
 * speaks as the client to the server. */
static void connected(tpair *p, tkey *k)
{
	tp_ctx(p);
	tp_conns(p);
	CHECK(tp_handshake(p), "handshake");
	tk_init(k, p->c, p->c->wr.secret);
	k->seq = p->c->wr.seq;
}

/* A record sealed with k and given to the server, then t_expect. */
static void post_case(const char *what, uint8_t outer, const uint8_t *inner, size_t n,
		      uint32_t code)
{
	tpair p;
	tkey k;
	size_t rl;
	connected(&p, &k);
	rl = tk_seal_raw(&k, outer, inner, n, scratch);
	t_give(p.s, scratch, rl);
	t_expect(p.s, code, what);
	tp_free(&p);
}

static void test_record_layer(void)
{
	tpair p;
	tkey k;
	uint8_t b[64], *big;
	size_t n, rl;
	static const uint8_t alert_close[3] = { 1, 0, 21 };

	/* RFC 8446 5.2: "The length MUST NOT exceed 2^14 + 256 bytes ...
	 * record_overflow" - seen from the header alone. */
	connected(&p, &k);
	{
		uint8_t h[5] = { 23, 3, 3, (16384 + 257) >> 8, (uint8_t)(16384 + 257) };
		t_give(p.s, h, 5);
		t_expect(p.s, SENT(WT_ALERT_RECORD_OVERFLOW), "ciphertext 2^14+257");
	}
	tp_free(&p);

	/* 5.2 last paragraph: TLSInnerPlaintext at most 2^14 + 1 octets. */
	big = calloc(1, 16384 + 300);
	memset(big, 'x', 16385);
	big[16385] = 23;
	post_case("inner plaintext 2^14+2", 23, big, 16386,
		  SENT(WT_ALERT_RECORD_OVERFLOW));
	/* content 10, type, padding to 2^14+2 */
	memset(big, 0, 16386);
	big[0] = 'a';
	big[10] = 23;
	post_case("padding past 2^14+1", 23, big, 16386, SENT(WT_ALERT_RECORD_OVERFLOW));

	/* At the limit: 2^14 content + type, and content + padding to 2^14+1. */
	connected(&p, &k);
	memset(big, 'y', 16384);
	big[16384] = 23;
	rl = tk_seal_raw(&k, 23, big, 16385, scratch);
	t_give(p.s, scratch, rl);
	memset(big, 0, 16385);
	memcpy(big, "pad", 3);
	big[3] = 23;
	rl = tk_seal_raw(&k, 23, big, 16385, scratch);
	t_give(p.s, scratch, rl);
	{
		size_t got = 0;
		uint8_t *r = malloc(16387);
		while (got < 16387 && wt_tls_read_ex(p.s, r + got, 16387 - got, &n))
			got += n;
		CHECK(got == 16387 && r[0] == 'y' && r[16383] == 'y' &&
			      memcmp(r + 16384, "pad", 3) == 0,
		      "2^14 content, and padding to 2^14+1: accepted (%zu)", got);
		free(r);
	}
	tp_free(&p);
	free(big);

	/* Mis-typed records (5: unexpected record type -> unexpected_message;
	 * 5.2: protected records are always outer type 23). */
	{
		static const uint8_t outer[] = { 0, 19, 24, 25, 255, 22, 21, 20 };
		size_t i;
		for (i = 0; i < sizeof outer; i++) {
			char what[64];
			uint8_t in[6] = { 'h', 'e', 'l', 'l', 'o', 23 };
			snprintf(what, sizeof what, "protected record with outer type %u",
				 outer[i]);
			post_case(what, outer[i], in, 6,
				  SENT(WT_ALERT_UNEXPECTED_MESSAGE));
		}
	}
	/* Inner types: change_cipher_spec protected (5: "receives a protected
	 * change_cipher_spec record MUST abort ... unexpected_message"),
	 * unknown types. */
	{
		static const uint8_t inner_t[] = { 20, 24, 1, 99, 255 };
		size_t i;
		for (i = 0; i < sizeof inner_t; i++) {
			char what[64];
			uint8_t in[2] = { 1, inner_t[i] };
			snprintf(what, sizeof what, "inner content type %u", inner_t[i]);
			post_case(what, 23, in, 2, SENT(WT_ALERT_UNEXPECTED_MESSAGE));
		}
	}
	/* 5.4: no non-zero octet -> unexpected_message; empty inner too. */
	memset(b, 0, sizeof b);
	post_case("inner plaintext all zeros", 23, b, 40,
		  SENT(WT_ALERT_UNEXPECTED_MESSAGE));
	post_case("inner plaintext empty", 23, b, 0, SENT(WT_ALERT_UNEXPECTED_MESSAGE));
	/* 5.4: "Implementations MUST NOT send Handshake and Alert records
	 * that have a zero-length TLSInnerPlaintext.content; if such a
	 * message is received, the receiving implementation MUST terminate
	 * the connection with an "unexpected_message" alert" (OpenSSL: the
	 * same alert). Otherwise an alert is exactly two bytes (not
	 * fragmented, not coalesced): decode_error. */
	b[0] = 22;
	post_case("zero-length handshake record", 23, b, 1,
		  SENT(WT_ALERT_UNEXPECTED_MESSAGE));
	b[0] = 21;
	post_case("zero-length alert record", 23, b, 1,
		  SENT(WT_ALERT_UNEXPECTED_MESSAGE));
	{
		/* ... however much padding follows the type. */
		uint8_t zp[33] = { 21 };
		post_case("zero-length alert record, 32 bytes of padding", 23, zp, 33,
			  SENT(WT_ALERT_UNEXPECTED_MESSAGE));
	}
	{
		uint8_t a1[2] = { 2, 21 }, a3[4] = { 1, 0, 0, 21 },
			a4[5] = { 1, 0, 1, 0, 21 };
		post_case("one-byte alert", 23, a1, 2, SENT(WT_ALERT_DECODE_ERROR));
		post_case("three-byte alert", 23, a3, 4, SENT(WT_ALERT_DECODE_ERROR));
		post_case("two alerts coalesced", 23, a4, 5, SENT(WT_ALERT_DECODE_ERROR));
	}
	/* Tag shorter than the AEAD's: bad_record_mac. */
	connected(&p, &k);
	{
		uint8_t r[20] = { 23, 3, 3, 0, 15 };
		t_give(p.s, r, 20);
		t_expect(p.s, SENT(WT_ALERT_BAD_RECORD_MAC),
			 "record shorter than the tag");
	}
	tp_free(&p);

	/* Bad MACs: a flipped bit in body, tag, header (the header is the AAD,
	 * so even legacy_record_version, otherwise ignored, is covered), a
	 * replayed record, a record from the future (sequence skipped). */
	{
		static const char *const what[] = { "bit flipped in body",
						    "bit flipped in tag",
						    "record version changed (AAD)",
						    "replayed record",
						    "skipped sequence number" };
		int i;
		for (i = 0; i < 5; i++) {
			uint8_t m[6] = { 'h', 'e', 'l', 'l', 'o', 23 };
			connected(&p, &k);
			if (i == 4)
				k.seq++;
			rl = tk_seal_raw(&k, 23, m, 6, scratch);
			if (i == 0)
				scratch[6] ^= 1;
			if (i == 1)
				scratch[rl - 1] ^= 0x80;
			if (i == 2)
				scratch[2] = 1;
			t_give(p.s, scratch, rl);
			if (i == 3) {
				CHECK(wt_tls_read_ex(p.s, b, sizeof b, &n) == 1 && n == 5,
				      "first copy read");
				t_give(p.s, scratch, rl);
			}
			t_expect(p.s, SENT(WT_ALERT_BAD_RECORD_MAC), what[i]);
			tp_free(&p);
		}
	}

	/* Zero-length application data is allowed (5.1: "Zero-length
	 * fragments of Application Data MAY be sent"); padding is stripped. */
	connected(&p, &k);
	{
		uint8_t z[1] = { 23 }, pd[40] = { 'o', 'k', 23 };
		rl = tk_seal_raw(&k, 23, z, 1, scratch);
		t_give(p.s, scratch, rl);
		CHECK(wt_tls_read_ex(p.s, b, sizeof b, &n) == 0 &&
			      wt_tls_get_error(p.s, 0) == WT_TLS_ERROR_WANT_READ &&
			      !wt_tls_error_code(p.s),
		      "zero-length application record: nothing to read, no error");
		rl = tk_seal_raw(&k, 23, pd, sizeof pd, scratch);
		t_give(p.s, scratch, rl);
		CHECK(wt_tls_read_ex(p.s, b, sizeof b, &n) == 1 && n == 2 &&
			      memcmp(b, "ok", 2) == 0,
		      "padded record: content read, padding stripped");
	}
	tp_free(&p);

	/* The content type is the last non-zero octet wherever it falls
	 * relative to the scan's 8-byte words: content of 1..40 bytes (zeros
	 * inside it included) with 0..40 bytes of padding. */
	connected(&p, &k);
	{
		static uint8_t in[100];
		size_t cl, pl, i;
		int bad = 0;
		for (cl = 1; cl <= 40; cl++) {
			for (pl = 0; pl <= 40; pl++) {
				for (i = 0; i < cl; i++)
					in[i] = (uint8_t)((i * 7 + cl) % 3 == 0 ? 0 :
										  i + 1);
				in[cl] = 23;
				memset(in + cl + 1, 0, pl);
				rl = tk_seal_raw(&k, 23, in, cl + 1 + pl, scratch);
				t_give(p.s, scratch, rl);
				if (wt_tls_read_ex(p.s, b, sizeof b, &n) != 1 ||
				    n != cl || memcmp(b, in, cl) != 0)
					bad++;
			}
		}
		CHECK(bad == 0,
		      "content type found across word boundaries: 1,640 records (%d "
		      "wrong)",
		      bad);
	}
	tp_free(&p);

	/* Truncation: half a record then EOF is SYSCALL (no alert); the same
	 * record completed later is read normally. */
	connected(&p, &k);
	{
		uint8_t m[6] = { 'h', 'e', 'l', 'l', 'o', 23 };
		rl = tk_seal_raw(&k, 23, m, 6, scratch);
		t_give(p.s, scratch, 10);
		CHECK(wt_tls_read_ex(p.s, b, sizeof b, &n) == 0 &&
			      wt_tls_get_error(p.s, 0) == WT_TLS_ERROR_WANT_READ,
		      "half a record: WANT_READ");
		t_give(p.s, scratch + 10, rl - 10);
		CHECK(wt_tls_read_ex(p.s, b, sizeof b, &n) == 1 && n == 5,
		      "rest of it: read");
		t_give(p.s, scratch, 3);
		wt_tls_net_in_eof(p.s);
		CHECK(wt_tls_read_ex(p.s, b, sizeof b, &n) == 0 &&
			      wt_tls_get_error(p.s, 0) == WT_TLS_ERROR_SYSCALL &&
			      wt_tls_net_out_pending(p.s) == 0,
		      "truncated record then EOF: SYSCALL, nothing sent");
	}
	tp_free(&p);

	/* 6.1: "Any data received after a closure alert has been received
	 * MUST be ignored" - even garbage. */
	connected(&p, &k);
	{
		uint8_t m[6] = { 'l', 'a', 't', 'e', '!', 23 };
		rl = tk_seal_raw(&k, 23, alert_close, 3, scratch);
		rl += tk_seal_raw(&k, 23, m, 6, scratch + rl);
		memcpy(scratch + rl, "\x99\x99\x99\x99\x99garbage", 12);
		t_give(p.s, scratch, rl + 12);
		CHECK(wt_tls_read_ex(p.s, b, sizeof b, &n) == 0 &&
			      wt_tls_get_error(p.s, 0) == WT_TLS_ERROR_ZERO_RETURN,
		      "close_notify: ZERO_RETURN");
		CHECK(wt_tls_read_ex(p.s, b, sizeof b, &n) == 0 &&
			      wt_tls_get_error(p.s, 0) == WT_TLS_ERROR_ZERO_RETURN &&
			      !wt_tls_error_code(p.s) && wt_tls_net_out_pending(p.s) == 0,
		      "records and garbage after close_notify ignored");
		CHECK(wt_tls_write(p.s, 1, (const uint8_t *)"x", 1) == 1,
		      "half-closed: the server can still write");
	}
	tp_free(&p);

	/* Handshake bytes then application data (5.1: no interleaving). */
	{
		uint8_t part[3] = { 24, 0, 22 };
		connected(&p, &k);
		rl = tk_seal_raw(&k, 23, part, 3, scratch);
		rl += tk_seal(&k, 23, (const uint8_t *)"data", 4, 0, scratch + rl);
		t_give(p.s, scratch, rl);
		t_expect(p.s, SENT(WT_ALERT_UNEXPECTED_MESSAGE),
			 "application data inside a handshake message");
		tp_free(&p);
	}
}

/* ---- alerts received --------------------------------------------------------- */

static void test_alerts_received(void)
{
	int a, lvl, errors = 0, bad = 0;
	for (lvl = 1; lvl <= 2; lvl++) {
		for (a = 0; a < 256; a++) {
			tpair p;
			tkey k;
			uint8_t in[3] = { (uint8_t)lvl, (uint8_t)a, 21 }, b[8];
			size_t rl, n;
			int r;
			connected(&p, &k);
			rl = tk_seal_raw(&k, 23, in, 3, scratch);
			rl += tk_seal(&k, 23, (const uint8_t *)"after", 5, 0,
				      scratch + rl);
			t_give(p.s, scratch, rl);
			r = wt_tls_read_ex(p.s, b, sizeof b, &n);
			if (a == WT_ALERT_CLOSE_NOTIFY) {
				/* 6.1 close_notify; 6: in TLS 1.3 "the severity is
				 * implicit in the type": fatal-level close_notify is
				 * still a closure. */
				CHECK(r == 0 &&
					      wt_tls_get_error(p.s, 0) ==
						      WT_TLS_ERROR_ZERO_RETURN &&
					      !wt_tls_error_code(p.s),
				      "close_notify level %d: ZERO_RETURN", lvl);
			} else if (a == WT_ALERT_USER_CANCELED) {
				/* 6.1 user_canceled is not an error by itself (it is
				 * followed by close_notify); data after it is read. */
				CHECK(r == 1 && n == 5 && !wt_tls_error_code(p.s),
				      "user_canceled level %d: not fatal", lvl);
			} else {
				/* 6: "Unknown Alert types MUST be treated as error
				 * alerts"; 6.2: error alerts end the connection, at
				 * any level ("the severity is implicit"); nothing is
				 * sent back. */
				int ok = r == 0 &&
					wt_tls_get_error(p.s, 0) == WT_TLS_ERROR_SSL &&
					wt_tls_error_code(p.s) == RECV(a) &&
					wt_tls_net_out_pending(p.s) == 0;
				r = wt_tls_write(p.s, 1, (const uint8_t *)"x", 1);
				ok &= r <= 0 && wt_tls_error_code(p.s) == RECV(a) &&
					wt_tls_net_out_pending(p.s) == 0;
				if (!ok)
					bad++;
				errors++;
			}
			tp_free(&p);
		}
	}
	CHECK(bad == 0 && errors == 2 * 254,
	      "every other alert (%d) at both levels: error, "
	      "sticky, nothing sent (%d wrong)",
	      errors, bad);
}

/* ---- every handshake message type in every client state ------------------- */

/* Message bodies of each type, to inject where they do not belong. */
static size_t msg_of_type(uint32_t type, tscene *s, uint8_t *out)
{
	size_t i;
	/* A real one from the flights if there is one. */
	for (i = 0; i < s->nsm; i++)
		if (s->sm[i].p[0] == type) {
			memcpy(out, s->sm[i].p, s->sm[i].len);
			return s->sm[i].len;
		}
	for (i = 0; i < s->ncm; i++)
		if (s->cm[i].p[0] == type) {
			memcpy(out, s->cm[i].p, s->cm[i].len);
			return s->cm[i].len;
		}
	out[0] = (uint8_t)type;
	switch (type) {
	case HS_KEY_UPDATE: memcpy(out + 1, "\0\0\1\0", 4); return 5;
	case HS_NEW_SESSION_TICKET: /* lifetime, age_add, nonce, ticket, exts */
		memcpy(out + 1,
		       "\0\0\x0f"
		       "\0\0\0\x3c"
		       "\0\0\0\0"
		       "\0"
		       "\0\2ab"
		       "\0\0",
		       18);
		return 19;
	case HS_CERTIFICATE_REQUEST: /* empty context, signature_algorithms */
		memcpy(out + 1,
		       "\0\0\x0b"
		       "\0"
		       "\0\x08"
		       "\0\x0d\0\x04\0\x02\x08\x07",
		       14);
		return 15;
	case HS_MESSAGE_HASH:
		memcpy(out + 1, "\0\0\x20", 3);
		memset(out + 4, 0x11, 32);
		return 36;
	default: /* EndOfEarlyData and unknown types: empty */
		memcpy(out + 1, "\0\0\0", 3);
		return 4;
	}
}

static const uint32_t ALL_TYPES[] = { HS_CLIENT_HELLO,
				      HS_SERVER_HELLO,
				      HS_NEW_SESSION_TICKET,
				      HS_END_OF_EARLY_DATA,
				      HS_ENCRYPTED_EXTENSIONS,
				      HS_CERTIFICATE,
				      HS_CERTIFICATE_REQUEST,
				      HS_CERTIFICATE_VERIFY,
				      HS_FINISHED,
				      HS_KEY_UPDATE,
				      HS_MESSAGE_HASH,
				      0,
				      3,
				      99,
				      255 };
#define NTYPES (sizeof ALL_TYPES / sizeof ALL_TYPES[0])

/* The client, in the state after the server's first k protected messages
 * (k = -1: before ServerHello), gets a message of each type but the one
 * it expects (RFC 8446 4: "A peer which receives a handshake message in
 * an unexpected order MUST abort the handshake with an
 * "unexpected_message" alert."). cr: the server asks for a certificate. */
static void client_states(int cr)
{
	int k, cases = 0, bad = 0;
	size_t t;
	for (k = -1; k < 4 + cr; k++) {
		for (t = 0; t < NTYPES; t++) {
			tscene s;
			uint8_t m[8192], stream[32768];
			size_t ml, sl = 0, i;
			uint32_t want;
			tp_ctx(&s.p);
			if (cr)
				wt_tls_ctx_set_verify(s.p.sctx,
						      WT_TLS_VERIFY_INSECURE_NO_CHAIN,
						      WT_TLS_CLIENT_CERT_REQUEST);
			sc_start(&s);
			/* What the client expects next. */
			want = k < 0 ? HS_SERVER_HELLO : s.sm[1 + k].p[0];
			/* After EncryptedExtensions both CertificateRequest and
			 * Certificate are in order. */
			if (ALL_TYPES[t] == want ||
			    (k == 1 &&
			     (ALL_TYPES[t] == HS_CERTIFICATE_REQUEST ||
			      ALL_TYPES[t] == HS_CERTIFICATE))) {
				tp_free(&s.p);
				continue;
			}
			ml = msg_of_type(ALL_TYPES[t], &s, m);
			if (k < 0) {
				t_give_plain(s.p.c, 22, m, ml);
			} else {
				sc_give_plain(&s);
				for (i = 0; i < (size_t)k; i++) {
					memcpy(stream + sl, s.sm[1 + i].p,
					       s.sm[1 + i].len);
					sl += s.sm[1 + i].len;
				}
				memcpy(stream + sl, m, ml);
				sc_give_enc(&s, stream, sl + ml, 0);
			}
			{
				char what[96];
				snprintf(what, sizeof what,
					 "client%s after %d protected messages: type %u",
					 cr ? " (CR)" : "", k, ALL_TYPES[t]);
				if (!t_expect(s.p.c, SENT(WT_ALERT_UNEXPECTED_MESSAGE),
					      what))
					bad++;
			}
			cases++;
			tp_free(&s.p);
		}
	}
	printf("client%s: %d unexpected messages across %d states\n", cr ? " (CR)" : "",
	       cases, 5 + cr);
	CHECK(bad == 0, "client states: %d wrong", bad);
}


/* The server in each state gets each type it does not expect: before the
 * ClientHello (plaintext), then after 0..n-1 of the client's protected
 * messages (Certificate, CertificateVerify, Finished with a client
 * certificate; Finished alone without). */
static void server_states(int ccert)
{
	int k, cases = 0, bad = 0;
	size_t t;
	for (k = -1; k < (ccert ? 3 : 1); k++) {
		for (t = 0; t < NTYPES; t++) {
			tscene s;
			tflight cf2;
			tmsg cm2[8];
			tkey ck;
			uint8_t m[8192], stream[32768];
			size_t ml, sl = 0, i, n2;
			uint32_t want;
			char what[96];
			tp_ctx(&s.p);
			if (ccert) {
				wt_tls_ctx_set_verify(s.p.sctx,
						      WT_TLS_VERIFY_INSECURE_NO_CHAIN,
						      WT_TLS_CLIENT_CERT_REQUIRE);
				tp_use_cert(s.p.cctx, TK_P256);
			}
			if (k < 0) {
				/* A fresh server: anything but a ClientHello. */
				tp_conns(&s.p);
				(void)wt_tls_do_handshake(s.p.c);
				tf_take(&s.cf, s.p.c, NULL);
				s.ncm = tf_msgs(&s.cf, s.cm, 8);
				s.nsm = 0;
				if (ALL_TYPES[t] == HS_CLIENT_HELLO) {
					tp_free(&s.p);
					continue;
				}
				ml = msg_of_type(ALL_TYPES[t], &s, m);
				t_give_plain(s.p.s, 22, m, ml);
			} else {
				sc_start(&s);
				/* The whole server flight to the client, resealed. */
				sc_give_plain(&s);
				for (i = 1; i < s.nsm; i++) {
					memcpy(stream + sl, s.sm[i].p, s.sm[i].len);
					sl += s.sm[i].len;
				}
				sc_give_enc(&s, stream, sl, 0);
				(void)wt_tls_do_handshake(s.p.c);
				tk_init(&ck, s.p.c,
					t_keylog_peek(
						s.p.c,
						WT_TLS_KEYLOG_CLIENT_HANDSHAKE_TRAFFIC_SECRET));
				tf_take(&cf2, s.p.c, &ck);
				n2 = tf_msgs(&cf2, cm2, 8);
				CHECK(n2 == (ccert ? 3u : 1u),
				      "client flight has %zu messages", n2);
				want = cm2[k].p[0];
				if (ALL_TYPES[t] == want) {
					tp_free(&s.p);
					continue;
				}
				ml = msg_of_type(ALL_TYPES[t], &s, m);
				for (i = 0; i < n2; i++)
					if (cm2[i].p[0] == ALL_TYPES[t]) {
						memcpy(m, cm2[i].p, cm2[i].len);
						ml = cm2[i].len;
					}
				sl = 0;
				for (i = 0; i < (size_t)k; i++) {
					memcpy(stream + sl, cm2[i].p, cm2[i].len);
					sl += cm2[i].len;
				}
				memcpy(stream + sl, m, ml);
				tk_init(&ck, s.p.c,
					t_keylog_peek(
						s.p.c,
						WT_TLS_KEYLOG_CLIENT_HANDSHAKE_TRAFFIC_SECRET));
				t_give_frag(s.p.s, &ck, 22, stream, sl + ml, 0);
			}
			snprintf(what, sizeof what,
				 "server%s after %d client messages: type %u",
				 ccert ? " (client cert)" : "", k, ALL_TYPES[t]);
			if (!t_expect(s.p.s, SENT(WT_ALERT_UNEXPECTED_MESSAGE), what))
				bad++;
			cases++;
			tp_free(&s.p);
		}
	}
	printf("server%s: %d unexpected messages across %d states\n",
	       ccert ? " (client cert)" : "", cases, ccert ? 4 : 2);
	CHECK(bad == 0, "server states: %d wrong", bad);
}

/* After the handshake: only KeyUpdate (both) and NewSessionTicket (to
 * the client) are in order; post-handshake authentication was not
 * offered, so a CertificateRequest is unexpected too (4.6.2: "Clients
 * MUST NOT send this extension ... servers MUST NOT send a post-handshake
 * CertificateRequest to clients which do not offer this extension"). */
static void connected_states(void)
{
	int role, cases = 0, bad = 0;
	size_t t;
	for (role = 0; role < 2; role++) {
		for (t = 0; t < NTYPES; t++) {
			tpair p;
			tscene s;
			tkey k;
			uint8_t m[8192];
			size_t ml, rl;
			wt_tls_conn *from, *to;
			char what[96];
			uint32_t ty = ALL_TYPES[t];
			if (ty == HS_KEY_UPDATE ||
			    (role == 1 && ty == HS_NEW_SESSION_TICKET))
				continue;
			tp_ctx(&p);
			tp_conns(&p);
			CHECK(tp_handshake(&p), "handshake");
			from = role ? p.s : p.c;
			to = role ? p.c : p.s;
			tk_init(&k, from, from->wr.secret);
			k.seq = from->wr.seq;
			s.nsm = s.ncm = 0;
			ml = msg_of_type(ty, &s, m);
			rl = tk_seal(&k, 22, m, ml, 0, scratch);
			t_give(to, scratch, rl);
			snprintf(what, sizeof what, "connected %s: type %u",
				 role ? "client" : "server", ty);
			if (!t_expect(to, SENT(WT_ALERT_UNEXPECTED_MESSAGE), what))
				bad++;
			cases++;
			tp_free(&p);
		}
	}
	printf("connected: %d unexpected messages (both roles)\n", cases);
	CHECK(bad == 0, "connected states: %d wrong", bad);
}

/* ---- ServerHello, EncryptedExtensions, CertificateRequest, Certificate,
 *      CertificateVerify, Finished: changed fields and extensions ------- */

typedef void (*tmut)(tmb *m);

/* Both sides TLS 1.3 only: the cases about what a 1.3 peer must refuse
 * (with TLS 1.2 enabled, a hello without 1.3 negotiates 1.2 instead). */
static void only13(tpair *p)
{
	wt_tls_ctx_set_versions(p->cctx, WT_TLS_VERSION_13, WT_TLS_VERSION_13);
	wt_tls_ctx_set_versions(p->sctx, WT_TLS_VERSION_13, WT_TLS_VERSION_13);
}

/* The client gets the server's flight with message `idx` changed by fn;
 * everything before it as sent. cfg: extra client/server setup. */
static void flight_case(const char *what, int idx, tmut fn, uint32_t code,
			void (*cfg)(tpair *))
{
	tscene s;
	tmb m;
	uint8_t stream[32768];
	size_t sl = 0, i;
	tp_ctx(&s.p);
	if (cfg)
		cfg(&s.p);
	sc_start(&s);
	tm_set(&m, s.sm[idx].p, s.sm[idx].len);
	fn(&m);
	if (idx == 0) {
		t_give_plain(s.p.c, 22, m.b, m.len);
	} else {
		sc_give_plain(&s);
		for (i = 1; i < (size_t)idx; i++) {
			memcpy(stream + sl, s.sm[i].p, s.sm[i].len);
			sl += s.sm[i].len;
		}
		memcpy(stream + sl, m.b, m.len);
		sc_give_enc(&s, stream, sl + m.len, 0);
	}
	t_expect(s.p.c, code, what);
	tp_free(&s.p);
}

static void sh_dup_versions(tmb *m)
{
	tm_ext_dup(m, EXT_SUPPORTED_VERSIONS);
}
static void sh_dup_share(tmb *m)
{
	tm_ext_dup(m, EXT_KEY_SHARE);
}
static void sh_add_sni(tmb *m)
{
	tm_ext_add(m, EXT_SERVER_NAME, NULL, 0, -1);
}
static void sh_add_alpn(tmb *m)
{
	tm_ext_add(m, EXT_ALPN, (const uint8_t *)"\0\3\2h2", 5, 1);
}
static void sh_add_cookie(tmb *m)
{
	tm_ext_add(m, EXT_COOKIE, (const uint8_t *)"\0\2ck", 4, -1);
}
static void sh_add_unknown(tmb *m)
{
	tm_ext_add(m, 0x1234, NULL, 0, 0);
}
static void sh_add_psk(tmb *m)
{
	tm_ext_add(m, EXT_PRE_SHARED_KEY, (const uint8_t *)"\0\0", 2, -1);
}
static void sh_ver_12(tmb *m)
{
	tm_ext_set(m, EXT_SUPPORTED_VERSIONS, (const uint8_t *)"\3\3", 2);
}
static void sh_ver_draft(tmb *m)
{
	tm_ext_set(m, EXT_SUPPORTED_VERSIONS, (const uint8_t *)"\x7f\x1c", 2);
}
static void sh_ver_empty(tmb *m)
{
	tm_ext_set(m, EXT_SUPPORTED_VERSIONS, NULL, 0);
}
static void sh_no_versions(tmb *m)
{
	tm_ext_drop(m, EXT_SUPPORTED_VERSIONS);
}
static void sh_down1(tmb *m)
{
	sh_no_versions(m);
	memcpy(m->b + 4 + 2 + 24, "DOWNGRD\1", 8);
}
static void sh_down0(tmb *m)
{
	sh_no_versions(m);
	memcpy(m->b + 4 + 2 + 24, "DOWNGRD\0", 8);
}
static void sh_down1_13(tmb *m)
{
	memcpy(m->b + 4 + 2 + 24, "DOWNGRD\1", 8);
}
static void sh_no_share(tmb *m)
{
	tm_ext_drop(m, EXT_KEY_SHARE);
}
static void sh_share_group(tmb *m)
{
	size_t l;
	uint8_t *b = tm_ext_body(m, EXT_KEY_SHARE, &l);
	b[1] = 0x17;
}
static void sh_share_short(tmb *m)
{
	size_t l;
	uint8_t *b = tm_ext_body(m, EXT_KEY_SHARE, &l), t[64];
	memcpy(t, b, l);
	t[3] = 31;
	tm_ext_set(m, EXT_KEY_SHARE, t, 35);
}
static void sh_share_zero(tmb *m)
{
	size_t l;
	uint8_t *b = tm_ext_body(m, EXT_KEY_SHARE, &l);
	memset(b + 4, 0, l - 4);
}
static void sh_sid_flip(tmb *m)
{
	m->b[39] ^= 1;
}
static void sh_sid_empty(tmb *m)
{
	/* legacy_session_id_echo of length 0 where the client sent 32 */
	memmove(m->b + 39, m->b + 39 + 32, m->len - 39 - 32);
	m->b[38] = 0;
	m->len -= 32;
	tm_fix_len(m);
}
static void sh_suite(tmb *m)
{
	m->b[4 + 2 + 32 + 1 + 32] = 0x13;
	m->b[4 + 2 + 32 + 1 + 32 + 1] = 0x04;
}
static void sh_suite_12(tmb *m)
{
	m->b[4 + 2 + 32 + 1 + 32] = 0xc0;
	m->b[4 + 2 + 32 + 1 + 32 + 1] = 0x2f;
}
static void sh_comp(tmb *m)
{
	m->b[4 + 2 + 32 + 1 + 32 + 2] = 1;
}
static void sh_legacy_ver(tmb *m)
{
	m->b[5] = 1;
}
static void sh_trunc(tmb *m)
{
	m->len -= 1;
	tm_fix_len(m);
}
static void sh_trail(tmb *m)
{
	m->b[m->len++] = 0;
	tm_fix_len(m);
}
static void sh_extlen(tmb *m)
{
	size_t o = tm_ext_off(m);
	m->b[o + 1] += 1;
}
static void sh_hrr_random(tmb *m)
{
	/* A HelloRetryRequest asking for the group the client already sent
	 * a share for (4.1.4 / 4.2.8: illegal_parameter). */
	static const uint8_t hrr[32] = { 0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11,
					 0xBE, 0x1D, 0x8C, 0x02, 0x1E, 0x65, 0xB8, 0x91,
					 0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB, 0x8C, 0x5E,
					 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C };
	memcpy(m->b + 6, hrr, 32);
	tm_ext_set(m, EXT_KEY_SHARE, (const uint8_t *)"\0\x1d", 2);
}

static void test_server_hello(void)
{
	flight_case("SH: supported_versions twice", 0, sh_dup_versions,
		    SENT(WT_ALERT_ILLEGAL_PARAMETER), NULL);
	flight_case("SH: key_share twice", 0, sh_dup_share,
		    SENT(WT_ALERT_ILLEGAL_PARAMETER), NULL);
	/* 4.2: a recognized extension "not specified for the message in which
	 * it appears" -> illegal_parameter; an extension not sent in the
	 * ClientHello -> unsupported_extension. */
	flight_case("SH: server_name (CH/EE only)", 0, sh_add_sni,
		    SENT(WT_ALERT_ILLEGAL_PARAMETER), NULL);
	flight_case("SH: ALPN (CH/EE only)", 0, sh_add_alpn,
		    SENT(WT_ALERT_ILLEGAL_PARAMETER), NULL);
	flight_case("SH: cookie (CH/HRR only)", 0, sh_add_cookie,
		    SENT(WT_ALERT_ILLEGAL_PARAMETER), NULL);
	flight_case("SH: unknown extension", 0, sh_add_unknown,
		    SENT(WT_ALERT_UNSUPPORTED_EXTENSION), NULL);
	flight_case("SH: pre_shared_key not offered", 0, sh_add_psk,
		    SENT(WT_ALERT_UNSUPPORTED_EXTENSION), NULL);
	/* 4.2.1: a version not offered or prior to TLS 1.3 -> illegal_parameter. */
	flight_case("SH: supported_versions 0x0303", 0, sh_ver_12,
		    SENT(WT_ALERT_ILLEGAL_PARAMETER), NULL);
	flight_case("SH: supported_versions draft", 0, sh_ver_draft,
		    SENT(WT_ALERT_ILLEGAL_PARAMETER), NULL);
	flight_case("SH: supported_versions empty", 0, sh_ver_empty,
		    SENT(WT_ALERT_DECODE_ERROR), NULL);
	/* 4.1.3 downgrade protection. */
	flight_case("SH: TLS 1.2 (no supported_versions), client 1.3 only", 0,
		    sh_no_versions, SENT(WT_ALERT_PROTOCOL_VERSION), only13);
	/* With TLS 1.2 offered, the same hello is a 1.2 ServerHello naming a
	 * suite we did not offer for 1.2 (RFC 5246 7.4.1.3). */
	flight_case("SH: TLS 1.2 (no supported_versions) with a 1.3 suite", 0,
		    sh_no_versions, SENT(WT_ALERT_ILLEGAL_PARAMETER), NULL);
	flight_case("SH: TLS 1.2 with DOWNGRD\\1", 0, sh_down1,
		    SENT(WT_ALERT_ILLEGAL_PARAMETER), NULL);
	flight_case("SH: TLS 1.1 with DOWNGRD\\0", 0, sh_down0,
		    SENT(WT_ALERT_ILLEGAL_PARAMETER), NULL);
	flight_case("SH: key_share missing", 0, sh_no_share,
		    SENT(WT_ALERT_MISSING_EXTENSION), NULL);
	flight_case("SH: key_share of another group", 0, sh_share_group,
		    SENT(WT_ALERT_ILLEGAL_PARAMETER), NULL);
	flight_case("SH: key_share too short", 0, sh_share_short,
		    SENT(WT_ALERT_ILLEGAL_PARAMETER), NULL);
	flight_case("SH: X25519 share of zeros", 0, sh_share_zero,
		    SENT(WT_ALERT_ILLEGAL_PARAMETER), NULL);
	flight_case("SH: session id echo differs", 0, sh_sid_flip,
		    SENT(WT_ALERT_ILLEGAL_PARAMETER), NULL);
	flight_case("SH: session id echo empty", 0, sh_sid_empty,
		    SENT(WT_ALERT_ILLEGAL_PARAMETER), NULL);
	flight_case("SH: suite not offered", 0, sh_suite,
		    SENT(WT_ALERT_ILLEGAL_PARAMETER), NULL);
	flight_case("SH: TLS 1.2 suite", 0, sh_suite_12, SENT(WT_ALERT_ILLEGAL_PARAMETER),
		    NULL);
	flight_case("SH: compression 1", 0, sh_comp, SENT(WT_ALERT_ILLEGAL_PARAMETER),
		    NULL);
	flight_case("SH: legacy_version 0x0301", 0, sh_legacy_ver,
		    SENT(WT_ALERT_ILLEGAL_PARAMETER), NULL);
	flight_case("SH: truncated", 0, sh_trunc, SENT(WT_ALERT_DECODE_ERROR), NULL);
	flight_case("SH: trailing byte", 0, sh_trail, SENT(WT_ALERT_DECODE_ERROR), NULL);
	flight_case("SH: extension block length", 0, sh_extlen,
		    SENT(WT_ALERT_DECODE_ERROR), NULL);
	flight_case("HRR for the group already shared", 0, sh_hrr_random,
		    SENT(WT_ALERT_ILLEGAL_PARAMETER), NULL);
	{
		/* A TLS 1.3 ServerHello whose random merely ends like the
		 * sentinel is fine (the check is for TLS 1.2 and below): the
		 * handshake then fails later, at the Finished, since the
		 * transcript changed - not with illegal_parameter at the SH. */
		tscene s;
		tmb m;
		tp_ctx(&s.p);
		sc_start(&s);
		tm_set(&m, s.sm[0].p, s.sm[0].len);
		sh_down1_13(&m);
		t_give_plain(s.p.c, 22, m.b, m.len);
		CHECK(wt_tls_do_handshake(s.p.c) <= 0 &&
			      wt_tls_get_error(s.p.c, -1) == WT_TLS_ERROR_WANT_READ,
		      "TLS 1.3 SH with DOWNGRD\\1 in random: accepted at the SH");
		tp_free(&s.p);
	}
}

static void with_sni(tpair *p)
{
	(void)p;
}
static void ee_dup_sni(tmb *m)
{
	tm_ext_add(m, EXT_SERVER_NAME, NULL, 0, -1);
	tm_ext_dup(m, EXT_SERVER_NAME);
}
static void ee_sni(tmb *m)
{
	tm_ext_add(m, EXT_SERVER_NAME, NULL, 0, -1);
}
static void ee_sni_body(tmb *m)
{
	tm_ext_add(m, EXT_SERVER_NAME, (const uint8_t *)"\0\0", 2, -1);
}
static void ee_share(tmb *m)
{
	tm_ext_add(m, EXT_KEY_SHARE, (const uint8_t *)"\0\x1d\0\0", 4, -1);
}
static void ee_versions(tmb *m)
{
	tm_ext_add(m, EXT_SUPPORTED_VERSIONS, (const uint8_t *)"\3\4", 2, -1);
}
static void ee_psk(tmb *m)
{
	tm_ext_add(m, EXT_PRE_SHARED_KEY, (const uint8_t *)"\0\0", 2, -1);
}
static void ee_sigalgs(tmb *m)
{
	tm_ext_add(m, EXT_SIGNATURE_ALGORITHMS, (const uint8_t *)"\0\2\x08\x07", 4, -1);
}
static void ee_modes(tmb *m)
{
	tm_ext_add(m, EXT_PSK_KEY_EXCHANGE_MODES, (const uint8_t *)"\1\1", 2, -1);
}
static void ee_cookie(tmb *m)
{
	tm_ext_add(m, EXT_COOKIE, (const uint8_t *)"\0\2ck", 4, -1);
}
static void ee_alpn(tmb *m)
{
	tm_ext_add(m, EXT_ALPN, (const uint8_t *)"\0\3\2h2", 5, -1);
}
static void ee_alpn_other(tmb *m)
{
	tm_ext_drop(m, EXT_ALPN);
	tm_ext_add(m, EXT_ALPN, (const uint8_t *)"\0\3\2h3", 5, -1);
}
static void ee_alpn_two(tmb *m)
{
	tm_ext_drop(m, EXT_ALPN);
	tm_ext_add(m, EXT_ALPN, (const uint8_t *)"\0\6\2h2\2h2", 8, -1);
}
static void ee_unknown(tmb *m)
{
	tm_ext_add(m, 0xfafa, NULL, 0, -1);
}
static void ee_early(tmb *m)
{
	tm_ext_add(m, EXT_EARLY_DATA, NULL, 0, -1);
}
static void ee_groups(tmb *m)
{
	tm_ext_add(m, EXT_SUPPORTED_GROUPS, (const uint8_t *)"\0\4\0\x17\0\x1d", 6, -1);
}
static void ee_rsl_small(tmb *m)
{
	tm_ext_add(m, EXT_RECORD_SIZE_LIMIT, (const uint8_t *)"\0\x3f", 2, -1);
}
static void ee_trail(tmb *m)
{
	m->b[m->len++] = 0;
	tm_fix_len(m);
}

static void cfg_alpn(tpair *p)
{
	static const uint8_t l[] = { 2, 'h', '2' };
	wt_tls_ctx_set_alpn(p->cctx, l, 3);
	wt_tls_ctx_set_alpn(p->sctx, l, 3);
}
static void cfg_rsl(tpair *p)
{
	wt_tls_ctx_set_record_size_limit(p->cctx, 1000);
}
static void cfg_cr(tpair *p)
{
	wt_tls_ctx_set_verify(p->sctx, WT_TLS_VERIFY_INSECURE_NO_CHAIN,
			      WT_TLS_CLIENT_CERT_REQUEST);
}

static void test_encrypted_extensions(void)
{
	(void)with_sni;
	flight_case("EE: server_name not sent", 1, ee_sni,
		    SENT(WT_ALERT_UNSUPPORTED_EXTENSION), NULL);
	flight_case("EE: key_share", 1, ee_share, SENT(WT_ALERT_ILLEGAL_PARAMETER), NULL);
	flight_case("EE: supported_versions", 1, ee_versions,
		    SENT(WT_ALERT_ILLEGAL_PARAMETER), NULL);
	flight_case("EE: pre_shared_key", 1, ee_psk, SENT(WT_ALERT_ILLEGAL_PARAMETER),
		    NULL);
	flight_case("EE: signature_algorithms", 1, ee_sigalgs,
		    SENT(WT_ALERT_ILLEGAL_PARAMETER), NULL);
	flight_case("EE: psk_key_exchange_modes", 1, ee_modes,
		    SENT(WT_ALERT_ILLEGAL_PARAMETER), NULL);
	flight_case("EE: cookie", 1, ee_cookie, SENT(WT_ALERT_ILLEGAL_PARAMETER), NULL);
	flight_case("EE: ALPN not offered", 1, ee_alpn,
		    SENT(WT_ALERT_UNSUPPORTED_EXTENSION), NULL);
	flight_case("EE: unknown extension", 1, ee_unknown,
		    SENT(WT_ALERT_UNSUPPORTED_EXTENSION), NULL);
	flight_case("EE: early_data not offered", 1, ee_early,
		    SENT(WT_ALERT_UNSUPPORTED_EXTENSION), NULL);
	flight_case("EE: record_size_limit not offered", 1, ee_rsl_small,
		    SENT(WT_ALERT_UNSUPPORTED_EXTENSION), NULL);
	flight_case("EE: record_size_limit 63", 1, ee_rsl_small,
		    SENT(WT_ALERT_ILLEGAL_PARAMETER), cfg_rsl);
	flight_case("EE: trailing byte", 1, ee_trail, SENT(WT_ALERT_DECODE_ERROR), NULL);
	/* RFC 7301 3.1: the server's list has exactly one name, one offered. */
	flight_case("EE: ALPN not in our list", 1, ee_alpn_other,
		    SENT(WT_ALERT_ILLEGAL_PARAMETER), cfg_alpn);
	flight_case("EE: ALPN with two names", 1, ee_alpn_two,
		    SENT(WT_ALERT_ILLEGAL_PARAMETER), cfg_alpn);
	flight_case("EE: ALPN twice", 1, ee_alpn, SENT(WT_ALERT_ILLEGAL_PARAMETER),
		    cfg_alpn);
	{
		/* supported_groups is allowed in EE (informational). */
		tscene s;
		tmb m;
		tp_ctx(&s.p);
		sc_start(&s);
		tm_set(&m, s.sm[1].p, s.sm[1].len);
		ee_groups(&m);
		sc_give_plain(&s);
		sc_give_enc(&s, m.b, m.len, 0);
		CHECK(wt_tls_do_handshake(s.p.c) <= 0 &&
			      wt_tls_get_error(s.p.c, -1) == WT_TLS_ERROR_WANT_READ,
		      "EE: supported_groups accepted");
		tp_free(&s.p);
	}
	(void)ee_dup_sni;
	(void)ee_sni_body;
}

static void cr_share(tmb *m)
{
	tm_ext_add(m, EXT_KEY_SHARE, (const uint8_t *)"\0\x1d\0\0", 4, -1);
}
static void cr_dup_sig(tmb *m)
{
	tm_ext_dup(m, EXT_SIGNATURE_ALGORITHMS);
}
static void cr_no_sig(tmb *m)
{
	tm_ext_drop(m, EXT_SIGNATURE_ALGORITHMS);
}
static void cr_context(tmb *m)
{
	memmove(m->b + 6, m->b + 5, m->len - 5);
	m->b[4] = 1;
	m->b[5] = 7;
	m->len++;
	tm_fix_len(m);
}
static void cr_trail(tmb *m)
{
	m->b[m->len++] = 0;
	tm_fix_len(m);
}

/* Certificate: replace the first entry's extensions. */
static void cert_exts(tmb *m, const uint8_t *e, size_t el)
{
	size_t o = 4 + 1 + m->b[4] + 3, cl, eo, old;
	cl = (size_t)m->b[o] << 16 | (size_t)m->b[o + 1] << 8 | m->b[o + 2];
	eo = o + 3 + cl;
	old = (size_t)m->b[eo] << 8 | m->b[eo + 1];
	memmove(m->b + eo + 2 + el, m->b + eo + 2 + old, m->len - eo - 2 - old);
	memcpy(m->b + eo + 2, e, el);
	m->b[eo] = (uint8_t)(el >> 8);
	m->b[eo + 1] = (uint8_t)el;
	m->len = m->len - old + el;
	{
		size_t ll = m->len - (4 + 1 + m->b[4] + 3);
		size_t lo = 4 + 1 + m->b[4];
		m->b[lo] = (uint8_t)(ll >> 16);
		m->b[lo + 1] = (uint8_t)(ll >> 8);
		m->b[lo + 2] = (uint8_t)ll;
	}
	tm_fix_len(m);
}
static void ct_share(tmb *m)
{
	cert_exts(m, (const uint8_t *)"\0\x33\0\4\0\x1d\0\0", 8);
}
static void ct_status(tmb *m)
{
	cert_exts(m, (const uint8_t *)"\0\x05\0\0", 4);
}
static void cr_dup_unknown(tmb *m)
{
	tm_ext_add(m, 0xfafa, NULL, 0, 0);
	tm_ext_dup(m, 0xfafa);
}
static void ct_context(tmb *m)
{
	cr_context(m);
}
static void ct_empty(tmb *m)
{
	m->len = 8;
	memset(m->b + 4, 0, 4);
	tm_fix_len(m);
}
static void ct_garbage(tmb *m)
{
	m->b[4 + 1 + 3 + 3 + 1] ^= 0x55;
}
static void ct_trail(tmb *m)
{
	cr_trail(m);
}
static void cv_flip(tmb *m)
{
	m->b[m->len - 5] ^= 1;
}
static void cv_pkcs1(tmb *m)
{
	m->b[4] = 4;
	m->b[5] = 1;
}
static void cv_ecdsa(tmb *m)
{
	m->b[4] = 4;
	m->b[5] = 3;
}
static void cv_unknown(tmb *m)
{
	m->b[4] = 0xfe;
	m->b[5] = 0xfe;
}
static void cv_trail(tmb *m)
{
	cr_trail(m);
}
static void fin_flip(tmb *m)
{
	m->b[10] ^= 1;
}
static void fin_long(tmb *m)
{
	cr_trail(m);
}
static void fin_short(tmb *m)
{
	m->len--;
	tm_fix_len(m);
}

static void test_auth_messages(void)
{
	flight_case("CR: key_share", 2, cr_share, SENT(WT_ALERT_ILLEGAL_PARAMETER),
		    cfg_cr);
	flight_case("CR: signature_algorithms twice", 2, cr_dup_sig,
		    SENT(WT_ALERT_ILLEGAL_PARAMETER), cfg_cr);
	/* 4.3.2: "The "signature_algorithms" extension MUST be specified". */
	flight_case("CR: no signature_algorithms", 2, cr_no_sig,
		    SENT(WT_ALERT_MISSING_EXTENSION), cfg_cr);
	flight_case("CR: non-empty context in the handshake", 2, cr_context,
		    SENT(WT_ALERT_ILLEGAL_PARAMETER), cfg_cr);
	/* Unknown extensions in a request are ignored, but not twice (4.2). */
	flight_case("CR: unknown extension twice", 2, cr_dup_unknown,
		    SENT(WT_ALERT_ILLEGAL_PARAMETER), cfg_cr);
	flight_case("CR: trailing byte", 2, cr_trail, SENT(WT_ALERT_DECODE_ERROR),
		    cfg_cr);
	/* 4.4.2: "Extensions in the Certificate message from the server MUST
	 * correspond to ones from the ClientHello message." */
	flight_case("Cert: key_share in an entry", 2, ct_share,
		    SENT(WT_ALERT_ILLEGAL_PARAMETER), NULL);
	flight_case("Cert: status_request not asked", 2, ct_status,
		    SENT(WT_ALERT_UNSUPPORTED_EXTENSION), NULL);
	flight_case("Cert: non-empty context", 2, ct_context,
		    SENT(WT_ALERT_ILLEGAL_PARAMETER), NULL);
	/* 4.4.2.4: empty server Certificate -> decode_error. */
	flight_case("Cert: empty list", 2, ct_empty, SENT(WT_ALERT_DECODE_ERROR), NULL);
	flight_case("Cert: not DER", 2, ct_garbage, SENT(WT_ALERT_BAD_CERTIFICATE), NULL);
	flight_case("Cert: trailing byte", 2, ct_trail, SENT(WT_ALERT_DECODE_ERROR),
		    NULL);
	/* 4.4.3: "If the verification fails, the receiver MUST terminate the
	 * handshake with a "decrypt_error" alert"; the scheme must be one we
	 * offered and fit the key. */
	flight_case("CV: bad signature", 3, cv_flip, SENT(WT_ALERT_DECRYPT_ERROR), NULL);
	flight_case("CV: PKCS#1 v1.5 scheme", 3, cv_pkcs1,
		    SENT(WT_ALERT_ILLEGAL_PARAMETER), NULL);
	flight_case("CV: scheme of another key type", 3, cv_ecdsa,
		    SENT(WT_ALERT_ILLEGAL_PARAMETER), NULL);
	flight_case("CV: unknown scheme", 3, cv_unknown, SENT(WT_ALERT_ILLEGAL_PARAMETER),
		    NULL);
	flight_case("CV: trailing byte", 3, cv_trail, SENT(WT_ALERT_DECODE_ERROR), NULL);
	/* 4.4.4: wrong verify_data -> decrypt_error. */
	flight_case("Fin: wrong verify_data", 4, fin_flip, SENT(WT_ALERT_DECRYPT_ERROR),
		    NULL);
	flight_case("Fin: too long", 4, fin_long, SENT(WT_ALERT_DECODE_ERROR), NULL);
	flight_case("Fin: too short", 4, fin_short, SENT(WT_ALERT_DECODE_ERROR), NULL);
}

/* ---- ClientHello at the server ------------------------------------------- */

static void ch_case(const char *what, tmut fn, uint32_t code, void (*cfg)(tpair *))
{
	tpair p;
	tflight f;
	tmsg m[4];
	tmb b;
	tp_ctx(&p);
	if (cfg)
		cfg(&p);
	tp_conns(&p);
	(void)wt_tls_do_handshake(p.c);
	tf_take(&f, p.c, NULL);
	CHECK(tf_msgs(&f, m, 4) == 1 && m[0].p[0] == HS_CLIENT_HELLO, "%s: a ClientHello",
	      what);
	tm_set(&b, m[0].p, m[0].len);
	fn(&b);
	t_give_plain(p.s, 22, b.b, b.len);
	t_expect(p.s, code, what);
	tp_free(&p);
}

static void ch_dup_groups(tmb *m)
{
	tm_ext_dup(m, EXT_SUPPORTED_GROUPS);
}
static void ch_dup_unknown(tmb *m)
{
	tm_ext_add(m, 0x0a0a, NULL, 0, 0);
	tm_ext_add(m, 0x0a0a, (const uint8_t *)"x", 1, -1);
}
static void ch_psk_mid(tmb *m)
{
	static const uint8_t psk[] = { 0,  10, 0,  4,  't', 'k', 't', '1', 0,  0,  0,  0,
				       0,  33, 32, 1,  2,   3,   4,   5,   6,  7,  8,  9,
				       10, 11, 12, 13, 14,  15,  16,  17,  18, 19, 20, 21,
				       22, 23, 24, 25, 26,  27,  28,  29,  30, 31, 32 };
	tm_ext_add(m, EXT_PRE_SHARED_KEY, psk, sizeof psk, 0);
}
static void ch_psk_no_modes(tmb *m)
{
	static const uint8_t psk[] = { 0,  10, 0,  4,  't', 'k', 't', '1', 0,  0,  0,  0,
				       0,  33, 32, 1,  2,   3,   4,   5,   6,  7,  8,  9,
				       10, 11, 12, 13, 14,  15,  16,  17,  18, 19, 20, 21,
				       22, 23, 24, 25, 26,  27,  28,  29,  30, 31, 32 };
	tm_ext_drop(m, EXT_PSK_KEY_EXCHANGE_MODES);
	tm_ext_add(m, EXT_PRE_SHARED_KEY, psk, sizeof psk, -1);
}
static void ch_no_versions(tmb *m)
{
	tm_ext_drop(m, EXT_SUPPORTED_VERSIONS);
}
static void ch_versions_12(tmb *m)
{
	tm_ext_set(m, EXT_SUPPORTED_VERSIONS, (const uint8_t *)"\4\3\3\3\2", 5);
}
static void ch_versions_odd(tmb *m)
{
	tm_ext_set(m, EXT_SUPPORTED_VERSIONS, (const uint8_t *)"\3\3\4\3", 4);
}
static void ch_no_share(tmb *m)
{
	tm_ext_drop(m, EXT_KEY_SHARE);
}
static void ch_no_groups(tmb *m)
{
	tm_ext_drop(m, EXT_SUPPORTED_GROUPS);
}
static void ch_no_sigalgs(tmb *m)
{
	tm_ext_drop(m, EXT_SIGNATURE_ALGORITHMS);
}
static void ch_share_short(tmb *m)
{
	size_t l;
	uint8_t *b = tm_ext_body(m, EXT_KEY_SHARE, &l), t[64];
	memcpy(t, b, 37);
	t[0] = 0;
	t[1] = 35;
	t[4] = 0;
	t[5] = 31;
	tm_ext_set(m, EXT_KEY_SHARE, t, 37);
}
static void ch_share_dup_group(tmb *m)
{
	size_t l;
	uint8_t *b = tm_ext_body(m, EXT_KEY_SHARE, &l), t[128];
	memcpy(t, b, 38);
	memcpy(t + 38, b + 2, 36);
	t[0] = 0;
	t[1] = 72;
	tm_ext_set(m, EXT_KEY_SHARE, t, 74);
}
static void ch_share_zero(tmb *m)
{
	size_t l;
	uint8_t *b = tm_ext_body(m, EXT_KEY_SHARE, &l);
	memset(b + 6, 0, 32);
}
static void ch_share_empty_entry(tmb *m)
{
	tm_ext_set(m, EXT_KEY_SHARE, (const uint8_t *)"\0\4\0\x1d\0\0", 6);
}
static void ch_sid_33(tmb *m)
{
	memmove(m->b + 39 + 33, m->b + 39 + 32, m->len - 39 - 32);
	m->b[38] = 33;
	m->len++;
	tm_fix_len(m);
}
static void ch_comp(size_t at, tmb *m, const uint8_t *c, size_t n)
{
	size_t old = 1 + m->b[at];
	memmove(m->b + at + 1 + n, m->b + at + old, m->len - at - old);
	m->b[at] = (uint8_t)n;
	if (n)
		memcpy(m->b + at + 1, c, n);
	m->len = m->len - old + 1 + n;
	tm_fix_len(m);
}
static size_t ch_comp_off(const tmb *m)
{
	size_t o = 4 + 2 + 32;
	o += 1 + m->b[o];
	return o + 2 + ((size_t)m->b[o] << 8 | m->b[o + 1]);
}
static void ch_comp1(tmb *m)
{
	ch_comp(ch_comp_off(m), m, (const uint8_t *)"\1", 1);
}
static void ch_comp01(tmb *m)
{
	ch_comp(ch_comp_off(m), m, (const uint8_t *)"\0\1", 2);
}
static void ch_comp_none(tmb *m)
{
	ch_comp(ch_comp_off(m), m, NULL, 0);
}
static void ch_suites_none(tmb *m)
{
	/* Only TLS 1.2 suites: no shared TLS 1.3 suite. */
	size_t o = 4 + 2 + 32 + 1 + m->b[38], l = (size_t)m->b[o] << 8 | m->b[o + 1], i;
	for (i = 0; i < l; i += 2) {
		m->b[o + 2 + i] = 0xc0;
		m->b[o + 2 + i + 1] = 0x2f;
	}
}
static void ch_suites_odd(tmb *m)
{
	size_t o = 4 + 2 + 32 + 1 + m->b[38];
	m->b[o + 1] -= 1;
	memmove(m->b + o + 2 + m->b[o + 1], m->b + o + 2 + m->b[o + 1] + 1,
		m->len - (o + 2 + m->b[o + 1] + 1));
	m->len--;
	tm_fix_len(m);
}
static void ch_no_exts(tmb *m)
{
	m->len = ch_comp_off(m) + 1 + 1;
	tm_fix_len(m);
}
static void ch_trunc(tmb *m)
{
	m->len--;
	tm_fix_len(m);
}
static void ch_trail(tmb *m)
{
	m->b[m->len++] = 0;
	tm_fix_len(m);
}
static void ch_alpn_h3(tmb *m)
{
	tm_ext_add(m, EXT_ALPN, (const uint8_t *)"\0\3\2h3", 5, -1);
}
static void ch_alpn_empty_name(tmb *m)
{
	tm_ext_add(m, EXT_ALPN, (const uint8_t *)"\0\3\0\1a", 5, -1);
}
static void ch_sni_empty(tmb *m)
{
	tm_ext_add(m, EXT_SERVER_NAME, (const uint8_t *)"\0\3\0\0\0", 5, 0);
}
static void ch_rsl_63(tmb *m)
{
	tm_ext_add(m, EXT_RECORD_SIZE_LIMIT, (const uint8_t *)"\0\x3f", 2, -1);
}
static void ch_sigalgs_odd(tmb *m)
{
	tm_ext_set(m, EXT_SIGNATURE_ALGORITHMS, (const uint8_t *)"\0\3\x08\x07\x04", 5);
}
static void ch_sigalgs_none(tmb *m)
{
	tm_ext_set(m, EXT_SIGNATURE_ALGORITHMS, (const uint8_t *)"\0\2\x02\x01", 4);
}
static void ch_groups_none(tmb *m)
{
	tm_ext_set(m, EXT_SUPPORTED_GROUPS, (const uint8_t *)"\0\2\x01\0", 4);
	tm_ext_set(m, EXT_KEY_SHARE, (const uint8_t *)"\0\0", 2);
}
static void cfg_alpn_srv(tpair *p)
{
	static const uint8_t l[] = { 2, 'h', '2' };
	wt_tls_ctx_set_alpn(p->sctx, l, 3);
}

static void test_client_hello(void)
{
	ch_case("CH: supported_groups twice", ch_dup_groups,
		SENT(WT_ALERT_ILLEGAL_PARAMETER), NULL);
	ch_case("CH: unknown extension twice", ch_dup_unknown,
		SENT(WT_ALERT_ILLEGAL_PARAMETER), NULL);
	ch_case("CH: pre_shared_key not last", ch_psk_mid,
		SENT(WT_ALERT_ILLEGAL_PARAMETER), NULL);
	/* 4.2.9: "If clients offer "pre_shared_key" without a
	 * "psk_key_exchange_modes" extension, servers MUST abort the
	 * handshake." */
	ch_case("CH: pre_shared_key without psk_key_exchange_modes", ch_psk_no_modes,
		SENT(WT_ALERT_MISSING_EXTENSION), NULL);
	/* 4.2.1: no TLS 1.3 -> protocol_version. */
	ch_case("CH: no supported_versions (server 1.3 only)", ch_no_versions,
		SENT(WT_ALERT_PROTOCOL_VERSION), only13);
	ch_case("CH: supported_versions without 1.3 (server 1.3 only)", ch_versions_12,
		SENT(WT_ALERT_PROTOCOL_VERSION), only13);
	ch_case("CH: supported_versions odd length", ch_versions_odd,
		SENT(WT_ALERT_DECODE_ERROR), NULL);
	/* 9.2: supported_groups and key_share go together, and a server
	 * authenticating with a certificate needs signature_algorithms:
	 * "missing_extension". */
	ch_case("CH: no key_share", ch_no_share, SENT(WT_ALERT_MISSING_EXTENSION), NULL);
	ch_case("CH: no supported_groups", ch_no_groups, SENT(WT_ALERT_MISSING_EXTENSION),
		NULL);
	ch_case("CH: no signature_algorithms", ch_no_sigalgs,
		SENT(WT_ALERT_MISSING_EXTENSION), NULL);
	ch_case("CH: signature_algorithms odd length", ch_sigalgs_odd,
		SENT(WT_ALERT_DECODE_ERROR), NULL);
	ch_case("CH: no usable signature scheme", ch_sigalgs_none,
		SENT(WT_ALERT_HANDSHAKE_FAILURE), NULL);
	ch_case("CH: no shared group", ch_groups_none, SENT(WT_ALERT_HANDSHAKE_FAILURE),
		NULL);
	ch_case("CH: X25519 share too short", ch_share_short,
		SENT(WT_ALERT_ILLEGAL_PARAMETER), NULL);
	/* 4.2.8: "Clients MUST NOT offer multiple KeyShareEntry values for
	 * the same group"; servers "MAY check ... illegal_parameter". */
	ch_case("CH: two shares of one group", ch_share_dup_group,
		SENT(WT_ALERT_ILLEGAL_PARAMETER), NULL);
	ch_case("CH: X25519 share of zeros", ch_share_zero,
		SENT(WT_ALERT_ILLEGAL_PARAMETER), NULL);
	ch_case("CH: empty key_exchange", ch_share_empty_entry,
		SENT(WT_ALERT_DECODE_ERROR), NULL);
	/* 4.1.2 legacy_session_id<0..32>. */
	ch_case("CH: 33-byte session id", ch_sid_33, SENT(WT_ALERT_DECODE_ERROR), NULL);
	/* 4.1.2: "exactly one byte, set to zero ... illegal_parameter". */
	ch_case("CH: compression {1}", ch_comp1, SENT(WT_ALERT_ILLEGAL_PARAMETER), NULL);
	ch_case("CH: compression {0,1}", ch_comp01, SENT(WT_ALERT_ILLEGAL_PARAMETER),
		NULL);
	ch_case("CH: compression empty", ch_comp_none, SENT(WT_ALERT_DECODE_ERROR), NULL);
	ch_case("CH: no shared suite", ch_suites_none, SENT(WT_ALERT_HANDSHAKE_FAILURE),
		NULL);
	ch_case("CH: odd suites length", ch_suites_odd, SENT(WT_ALERT_DECODE_ERROR),
		NULL);
	ch_case("CH: no extensions (TLS 1.2, server 1.3 only)", ch_no_exts,
		SENT(WT_ALERT_PROTOCOL_VERSION), only13);
	/* A TLS 1.2 server: without signature_algorithms RFC 5246 7.4.1.4.1
	 * defaults to SHA-1, which we do not sign with (hs12_server.c). */
	ch_case("CH: no extensions, TLS 1.2 server", ch_no_exts,
		SENT(WT_ALERT_HANDSHAKE_FAILURE), NULL);
	ch_case("CH: truncated", ch_trunc, SENT(WT_ALERT_DECODE_ERROR), NULL);
	ch_case("CH: trailing byte", ch_trail, SENT(WT_ALERT_DECODE_ERROR), NULL);
	/* RFC 7301 3.2: no overlap -> no_application_protocol; 3.1: empty
	 * names are malformed. */
	ch_case("CH: ALPN without overlap", ch_alpn_h3,
		SENT(WT_ALERT_NO_APPLICATION_PROTOCOL), cfg_alpn_srv);
	ch_case("CH: ALPN empty name", ch_alpn_empty_name, SENT(WT_ALERT_DECODE_ERROR),
		cfg_alpn_srv);
	ch_case("CH: empty host_name", ch_sni_empty, SENT(WT_ALERT_DECODE_ERROR), NULL);
	/* RFC 8449 4: a limit below 64 -> illegal_parameter. */
	ch_case("CH: record_size_limit 63", ch_rsl_63, SENT(WT_ALERT_ILLEGAL_PARAMETER),
		NULL);
}

/* ---- key changes, change_cipher_spec, alerts in the handshake -------------- */

static void test_key_change_and_ccs(void)
{
	tscene s;
	uint8_t stream[32768], m[64];
	size_t sl, i, ml;

	/* 5.1: "Handshake messages MUST NOT span key changes ... MUST verify
	 * that all messages immediately preceding a key change align with a
	 * record boundary; if not ... "unexpected_message"". */
	tp_ctx(&s.p);
	sc_start(&s);
	memcpy(stream, s.sm[0].p, s.sm[0].len);
	memcpy(stream + s.sm[0].len, s.sm[1].p, 3);
	t_give_plain(s.p.c, 22, stream, s.sm[0].len + 3);
	t_expect(s.p.c, SENT(WT_ALERT_UNEXPECTED_MESSAGE),
		 "SH and part of EE in one record");
	tp_free(&s.p);

	tp_ctx(&s.p);
	sc_start(&s);
	memcpy(stream, s.sm[0].p, s.sm[0].len);
	memcpy(stream + s.sm[0].len, s.sm[0].p, s.sm[0].len);
	t_give_plain(s.p.c, 22, stream, 2 * s.sm[0].len);
	t_expect(s.p.c, SENT(WT_ALERT_UNEXPECTED_MESSAGE),
		 "two ServerHellos in one record");
	tp_free(&s.p);

	tp_ctx(&s.p);
	sc_start(&s);
	sc_give_plain(&s);
	t_give_plain(s.p.c, 22, s.sm[0].p, s.sm[0].len);
	t_expect(s.p.c, SENT(WT_ALERT_UNEXPECTED_MESSAGE),
		 "second ServerHello, in its own record");
	tp_free(&s.p);

	/* The server's Finished followed by a NewSessionTicket in the same
	 * record: the client's read key changes after Finished. */
	for (i = 0; i < 2; i++) {
		tp_ctx(&s.p);
		sc_start(&s);
		sc_give_plain(&s);
		for (sl = 0, ml = 1; ml < s.nsm; ml++) {
			memcpy(stream + sl, s.sm[ml].p, s.sm[ml].len);
			sl += s.sm[ml].len;
		}
		s.nsm = 0;
		ml = msg_of_type(HS_NEW_SESSION_TICKET, &s, m);
		memcpy(stream + sl, m, i ? 2 : ml);
		sc_give_enc(&s, stream, sl + (i ? 2 : ml), 0);
		t_expect(s.p.c, SENT(WT_ALERT_UNEXPECTED_MESSAGE),
			 i ? "Finished and 2 bytes more in one record" :
			     "Finished and NewSessionTicket in one record");
		tp_free(&s.p);
	}

	/* The ClientHello with a stray byte after it (the server's read key
	 * changes after the ClientHello). */
	{
		tpair p;
		tflight f;
		tp_ctx(&p);
		tp_conns(&p);
		(void)wt_tls_do_handshake(p.c);
		tf_take(&f, p.c, NULL);
		memcpy(stream, f.r[0].p, f.r[0].len);
		stream[f.r[0].len] = HS_FINISHED;
		t_give_plain(p.s, 22, stream, f.r[0].len + 1);
		t_expect(p.s, SENT(WT_ALERT_UNEXPECTED_MESSAGE),
			 "ClientHello and a stray byte in one record");
		tp_free(&p);
	}

	/* Two KeyUpdates in one record (each changes the read key). */
	{
		tpair p;
		tkey k;
		uint8_t ku[10] = { 24, 0, 0, 1, 0, 24, 0, 0, 1, 0 };
		size_t rl;
		connected(&p, &k);
		rl = tk_seal(&k, 22, ku, 10, 0, scratch);
		t_give(p.s, scratch, rl);
		t_expect(p.s, SENT(WT_ALERT_UNEXPECTED_MESSAGE),
			 "two KeyUpdates in one record");
		tp_free(&p);
		/* ... and a KeyUpdate with a bad request value (4.6.3). */
		connected(&p, &k);
		ku[4] = 2;
		rl = tk_seal(&k, 22, ku, 5, 0, scratch);
		t_give(p.s, scratch, rl);
		t_expect(p.s, SENT(WT_ALERT_ILLEGAL_PARAMETER),
			 "KeyUpdate request_update 2");
		tp_free(&p);
		connected(&p, &k);
		ku[3] = 2;
		ku[4] = 0;
		rl = tk_seal(&k, 22, ku, 6, 0, scratch);
		t_give(p.s, scratch, rl);
		t_expect(p.s, SENT(WT_ALERT_DECODE_ERROR), "KeyUpdate of 2 bytes");
		tp_free(&p);
	}

	/* change_cipher_spec (5, D.4): one byte 0x01 between the first
	 * ClientHello and the peer's Finished is dropped, however many;
	 * anything else is unexpected_message. */
	tp_ctx(&s.p);
	sc_start(&s);
	for (i = 0; i < 3; i++)
		t_give_plain(s.p.c, 20, (const uint8_t *)"\1", 1);
	sc_give_plain(&s);
	t_give_plain(s.p.c, 20, (const uint8_t *)"\1", 1);
	for (sl = 0, ml = 1; ml < s.nsm; ml++) {
		memcpy(stream + sl, s.sm[ml].p, s.sm[ml].len);
		sl += s.sm[ml].len;
	}
	sc_give_enc(&s, stream, sl, 0);
	CHECK(wt_tls_do_handshake(s.p.c) == 1,
	      "several CCS records before and after the SH: dropped");
	tp_free(&s.p);
	{
		static const struct {
			const char *what;
			const uint8_t *b;
			size_t n;
		} bad[] = {
			{ "CCS 0x02", (const uint8_t *)"\2", 1 },
			{ "CCS of two bytes", (const uint8_t *)"\1\1", 2 },
			{ "CCS empty", (const uint8_t *)"", 0 },
		};
		for (i = 0; i < 3; i++) {
			tp_ctx(&s.p);
			sc_start(&s);
			t_give_plain(s.p.c, 20, bad[i].b, bad[i].n);
			t_expect(s.p.c, SENT(WT_ALERT_UNEXPECTED_MESSAGE), bad[i].what);
			tp_free(&s.p);
		}
	}
	{
		/* Before any ClientHello, at the server. */
		tpair p;
		tp_ctx(&p);
		tp_conns(&p);
		t_give_plain(p.s, 20, (const uint8_t *)"\1", 1);
		t_expect(p.s, SENT(WT_ALERT_UNEXPECTED_MESSAGE),
			 "CCS before the ClientHello");
		tp_free(&p);
		/* After the handshake. */
		tp_ctx(&p);
		tp_conns(&p);
		CHECK(tp_handshake(&p), "handshake");
		t_give_plain(p.s, 20, (const uint8_t *)"\1", 1);
		t_expect(p.s, SENT(WT_ALERT_UNEXPECTED_MESSAGE),
			 "CCS after the handshake");
		tp_free(&p);
	}
	/* Between fragments of a handshake message (5.1: no interleaving). */
	tp_ctx(&s.p);
	sc_start(&s);
	t_give_plain(s.p.c, 22, s.sm[0].p, 10);
	t_give_plain(s.p.c, 20, (const uint8_t *)"\1", 1);
	t_give_plain(s.p.c, 22, s.sm[0].p + 10, s.sm[0].len - 10);
	t_expect(s.p.c, SENT(WT_ALERT_UNEXPECTED_MESSAGE),
		 "CCS inside a fragmented ServerHello");
	tp_free(&s.p);
	/* A protected CCS during the handshake. */
	tp_ctx(&s.p);
	sc_start(&s);
	sc_give_plain(&s);
	{
		size_t rl = tk_seal(&s.sk, 20, (const uint8_t *)"\1", 1, 0, scratch);
		t_give(s.p.c, scratch, rl);
	}
	t_expect(s.p.c, SENT(WT_ALERT_UNEXPECTED_MESSAGE),
		 "protected CCS in the handshake");
	tp_free(&s.p);
	/* Handshake data before the ClientHello is answered: a plaintext
	 * application record is unexpected (5: no keys yet). */
	{
		tpair p;
		tp_ctx(&p);
		tp_conns(&p);
		t_give_plain(p.s, 23, (const uint8_t *)"early", 5);
		t_expect(p.s, SENT(WT_ALERT_UNEXPECTED_MESSAGE),
			 "plaintext application data before the handshake");
		tp_free(&p);
	}
}

/* A peer that failed before it could derive keys alerts in plaintext
 * (6: alerts "are encrypted as specified by the current connection
 * state" - the sender's): the server, already reading with handshake
 * keys, takes it as the peer's alert during the handshake; after the
 * handshake a plaintext alert is a record-type violation. */
static void test_plaintext_alerts(void)
{
	tscene s;
	tpair p;
	uint8_t a[2] = { 2, WT_ALERT_ILLEGAL_PARAMETER };
	tp_ctx(&s.p);
	sc_start(&s);
	t_take(s.p.s, scratch, sizeof scratch);
	t_give_plain(s.p.s, 21, a, 2);
	t_expect(s.p.s, RECV(WT_ALERT_ILLEGAL_PARAMETER),
		 "plaintext alert after ServerHello (server)");
	tp_free(&s.p);
	/* The client before the ServerHello. */
	tp_ctx(&s.p);
	sc_start(&s);
	a[1] = WT_ALERT_HANDSHAKE_FAILURE;
	t_give_plain(s.p.c, 21, a, 2);
	t_expect(s.p.c, RECV(WT_ALERT_HANDSHAKE_FAILURE),
		 "plaintext alert before ServerHello (client)");
	tp_free(&s.p);
	/* The client after the ServerHello (a server that failed on
	 * something it parsed after writing the ServerHello would encrypt,
	 * but one that never derived keys cannot). */
	tp_ctx(&s.p);
	sc_start(&s);
	sc_give_plain(&s);
	t_give_plain(s.p.c, 21, a, 2);
	t_expect(s.p.c, RECV(WT_ALERT_HANDSHAKE_FAILURE),
		 "plaintext alert after ServerHello (client)");
	tp_free(&s.p);
	tp_ctx(&p);
	tp_conns(&p);
	CHECK(tp_handshake(&p), "handshake");
	t_give_plain(p.s, 21, a, 2);
	t_expect(p.s, SENT(WT_ALERT_UNEXPECTED_MESSAGE),
		 "plaintext alert after the handshake");
	tp_free(&p);
	/* A plaintext close_notify during the handshake: ZERO_RETURN-like
	 * end, no error alert sent. */
	tp_ctx(&s.p);
	sc_start(&s);
	t_give_plain(s.p.c, 21, (const uint8_t *)"\1\0", 2);
	CHECK(wt_tls_do_handshake(s.p.c) <= 0 &&
		      wt_tls_get_error(s.p.c, -1) == WT_TLS_ERROR_ZERO_RETURN &&
		      wt_tls_net_out_pending(s.p.c) == 0,
	      "close_notify during the handshake: ZERO_RETURN");
	tp_free(&s.p);
	/* user_canceled then close_notify (6.1). */
	tp_ctx(&s.p);
	sc_start(&s);
	t_give_plain(s.p.c, 21, (const uint8_t *)"\1\x5a", 2);
	t_give_plain(s.p.c, 21, (const uint8_t *)"\1\0", 2);
	CHECK(wt_tls_do_handshake(s.p.c) <= 0 &&
		      wt_tls_get_error(s.p.c, -1) == WT_TLS_ERROR_ZERO_RETURN,
	      "user_canceled + close_notify during the handshake: ZERO_RETURN");
	tp_free(&s.p);
}

/* ---- fragmentation and coalescing of every handshake message ------------- */

static int relay_handshake(tpair *p, size_t frag, trelay *rc, trelay *rs)
{
	int i, a = 0, b = 0;
	wt_tls_set_keylog(p->c, 1); /* t_hs_traffic */
	wt_tls_set_keylog(p->s, 1);
	for (i = 0; i < 400; i++) {
		if (a != 1)
			a = wt_tls_do_handshake(p->c);
		if (b != 1)
			b = wt_tls_do_handshake(p->s);
		relay(p->c, p->s, rc, frag);
		relay(p->s, p->c, rs, frag);
		if (a == 1 && b == 1 && !wt_tls_net_out_pending(p->c) &&
		    !wt_tls_net_out_pending(p->s))
			return 1;
		if (wt_tls_error_code(p->c) || wt_tls_error_code(p->s))
			return 0;
	}
	return 0;
}

/* Data and a KeyUpdate both ways through the relay. */
static int relay_data(tpair *p, size_t frag, trelay *rc, trelay *rs)
{
	uint8_t b[256];
	size_t n, got;
	int ok = 1, dir;
	for (dir = 0; dir < 2; dir++) {
		wt_tls_conn *w = dir ? p->s : p->c, *r = dir ? p->c : p->s;
		trelay *rl = dir ? rs : rc, *back = dir ? rc : rs;
		wt_tls_key_update(w, 1);
		ok &= wt_tls_write(w, 1, (const uint8_t *)"0123456789", 10) == 10;
		relay(w, r, rl, frag);
		got = 0;
		while (got < 10 && wt_tls_read_ex(r, b + got, sizeof b - got, &n))
			got += n;
		ok &= got == 10 && memcmp(b, "0123456789", 10) == 0;
		/* The answer to update_requested, and data under new keys. */
		ok &= wt_tls_write(r, 1, (const uint8_t *)"abc", 3) == 3;
		relay(r, w, back, frag);
		got = 0;
		while (got < 3 && wt_tls_read_ex(w, b + got, sizeof b - got, &n))
			got += n;
		ok &= got == 3 && memcmp(b, "abc", 3) == 0;
	}
	return ok && !wt_tls_error_code(p->c) && !wt_tls_error_code(p->s);
}

static void test_fragmentation(void)
{
	static const size_t frags[] = { 1, 2, 7, 100, 0 };
	static const char *const cfgs[] = { "plain", "client cert", "HRR", "resumed" };
	size_t f;
	int k;
	for (f = 0; f < sizeof frags / sizeof frags[0]; f++) {
		for (k = 0; k < 4; k++) {
			tpair p;
			trelay rc, rs;
			char what[96];
			static const uint16_t cg[] = { 0x001D, 0x0017 },
					      sg[] = { 0x0017 };
			uint8_t tkt[32] = { 9 }, sess[WT_TLS_SESSION_MAX];
			size_t sl = 0;
			snprintf(what, sizeof what, "%s, handshake records of %zu bytes",
				 cfgs[k], frags[f]);
			memset(&rc, 0, sizeof rc);
			memset(&rs, 0, sizeof rs);
			tp_ctx(&p);
			if (k == 1) {
				tp_use_cert(p.cctx, TK_P256);
				wt_tls_ctx_set_verify(p.sctx,
						      WT_TLS_VERIFY_INSECURE_NO_CHAIN,
						      WT_TLS_CLIENT_CERT_REQUIRE);
			} else if (k == 2) {
				wt_tls_ctx_set_groups(p.cctx, cg, 2);
				wt_tls_ctx_set_groups(p.sctx, sg, 1);
			} else if (k == 3) {
				uint8_t b[8];
				size_t n;
				wt_tls_ctx_set_ticket_key(p.sctx, tkt, 1, 3600);
				tp_conns(&p);
				CHECK(relay_handshake(&p, frags[f], &rc, &rs),
				      "%s: first handshake", what);
				(void)wt_tls_read_ex(p.c, b, sizeof b, &n);
				sl = wt_tls_get_session(p.c, sess, sizeof sess);
				CHECK(sl > 0, "%s: ticket through the relay", what);
				tp_free_conns(&p);
				memset(&rc, 0, sizeof rc);
				memset(&rs, 0, sizeof rs);
			}
			tp_conns(&p);
			if (k == 3)
				wt_tls_set_session(p.c, sess, sl);
			CHECK(relay_handshake(&p, frags[f], &rc, &rs),
			      "%s: handshake (c %s / s %s)", what,
			      wt_tls_err_string(wt_tls_error_code(p.c)),
			      wt_tls_err_string(wt_tls_error_code(p.s)));
			CHECK(k != 1 || wt_tls_peer_authenticated(p.s) == 1,
			      "%s: client authenticated", what);
			CHECK(k != 2 || (wt_tls_hrr_seen(p.c) && wt_tls_hrr_seen(p.s)),
			      "%s: HRR", what);
			CHECK(k != 3 ||
				      (wt_tls_session_reused(p.c) &&
				       wt_tls_session_reused(p.s)),
			      "%s: resumed", what);
			if (frags[f] == 1)
				CHECK(rs.records > 100 && rc.records > 100,
				      "%s: records %zu / %zu", what, rc.records,
				      rs.records);
			CHECK(relay_data(&p, frags[f], &rc, &rs),
			      "%s: data and KeyUpdate", what);
			tp_free(&p);
		}
	}
}

/* ---- sizes and empty records in the handshake -------------------------------- */

static void test_handshake_sizes(void)
{
	tscene s;
	tpair p;
	/* A handshake message claiming more than the handshake buffer holds
	 * is refused at its header (bounded memory), not buffered. */
	tp_ctx(&s.p);
	sc_start(&s);
	t_give_plain(s.p.c, 22, (const uint8_t *)"\2\xff\xff\xff", 4);
	t_expect(s.p.c, SENT(WT_ALERT_DECODE_ERROR), "ServerHello claiming 16 MiB");
	tp_free(&s.p);
	tp_ctx(&p);
	tp_conns(&p);
	t_give_plain(p.s, 22, (const uint8_t *)"\1\2\0\x01", 4);
	t_expect(p.s, SENT(WT_ALERT_DECODE_ERROR),
		 "ClientHello claiming 128 KiB + 1 (over hs_max)");
	tp_free(&p);
	/* Up to the limit it waits for the rest (then the EOF). */
	tp_ctx(&p);
	tp_conns(&p);
	t_give_plain(p.s, 22, (const uint8_t *)"\1\2\0\0", 4);
	CHECK(wt_tls_do_handshake(p.s) <= 0 &&
		      wt_tls_get_error(p.s, -1) == WT_TLS_ERROR_WANT_READ,
	      "ClientHello of exactly hs_max: waits for its bytes");
	wt_tls_net_in_eof(p.s);
	CHECK(wt_tls_do_handshake(p.s) <= 0 &&
		      wt_tls_get_error(p.s, -1) == WT_TLS_ERROR_SYSCALL,
	      "then EOF: SYSCALL");
	tp_free(&p);
	/* 5.1: "Implementations MUST NOT send zero-length fragments of
	 * Handshake types"; an empty alert is refused alike (5.4, OpenSSL:
	 * unexpected_message). Plaintext, before keys. */
	tp_ctx(&s.p);
	sc_start(&s);
	t_give_plain(s.p.c, 22, NULL, 0);
	t_expect(s.p.c, SENT(WT_ALERT_UNEXPECTED_MESSAGE),
		 "zero-length plaintext handshake record");
	tp_free(&s.p);
	tp_ctx(&s.p);
	sc_start(&s);
	t_give_plain(s.p.c, 21, NULL, 0);
	t_expect(s.p.c, SENT(WT_ALERT_UNEXPECTED_MESSAGE),
		 "zero-length plaintext alert record");
	tp_free(&s.p);
	/* 5.1: a plaintext record over 2^14 -> record_overflow. */
	{
		static uint8_t big[16385];
		tp_ctx(&p);
		tp_conns(&p);
		t_give_plain(p.s, 22, big, sizeof big);
		t_expect(p.s, SENT(WT_ALERT_RECORD_OVERFLOW),
			 "plaintext record of 2^14+1");
		tp_free(&p);
	}
}

/* ---- whole lists in the ClientHello (issue: "Lists are read whole") ------ */

/* The client's ClientHello, changed by fn, goes to the server, and the
 * client's transcript is rebuilt over the changed message, so the
 * handshake completes if the server takes it. 1 if it completed. */
static int ch_ok_case(const char *what, tmut fn, tpair *p)
{
	tflight f;
	tmsg m[4];
	static tmb b;
	tp_conns(p);
	(void)wt_tls_do_handshake(p->c);
	tf_take(&f, p->c, NULL);
	CHECK(tf_msgs(&f, m, 4) == 1 && m[0].p[0] == HS_CLIENT_HELLO, "%s: a ClientHello",
	      what);
	tm_set(&b, m[0].p, m[0].len);
	fn(&b);
	/* The client hashes what the server will see (nothing else of the
	 * client depends on the bytes it sent). */
	wt_th_init(p->c);
	wt_th_add(p->c, b.b, b.len);
	t_give_plain(p->s, 22, b.b, b.len);
	return tp_handshake(p);
}

/* 1000 signature schemes nobody implements, then Ed25519 (the test
 * server's key) last. */
static void ch_sigalgs_long(tmb *m)
{
	static uint8_t l[2 + 2002];
	size_t i;
	l[0] = 2002 >> 8;
	l[1] = 2002 & 0xFF;
	for (i = 0; i < 1000; i++) {
		l[2 + 2 * i] = (uint8_t)(0x0A + (i >> 8));
		l[3 + 2 * i] = (uint8_t)i;
	}
	l[2 + 2000] = 0x08;
	l[2 + 2001] = 0x07;
	tm_ext_set(m, EXT_SIGNATURE_ALGORITHMS, l, sizeof l);
}
/* n key shares of unknown groups (one byte each) then the client's own
 * X25519 share, then (dup >= 0) the unknown share dup again. */
static void ch_shares_unknown(tmb *m, size_t n, int dup)
{
	size_t l, i, o = 2;
	uint8_t *b = tm_ext_body(m, EXT_KEY_SHARE, &l), t[4096];
	for (i = 0; i < n; i++) {
		t[o++] = 0x3A;
		t[o++] = (uint8_t)i; /* group 0x3Axx */
		t[o++] = 0;
		t[o++] = 1;
		t[o++] = (uint8_t)i;
	}
	memcpy(t + o, b + 2, l - 2); /* the real entry */
	o += l - 2;
	if (dup >= 0) {
		t[o++] = 0x3A;
		t[o++] = (uint8_t)dup;
		t[o++] = 0;
		t[o++] = 1;
		t[o++] = 0;
	}
	t[0] = (uint8_t)((o - 2) >> 8);
	t[1] = (uint8_t)(o - 2);
	tm_ext_set(m, EXT_KEY_SHARE, t, o);
}
static void ch_shares_40(tmb *m)
{
	ch_shares_unknown(m, 40, -1);
}
static void ch_shares_40_dup(tmb *m)
{
	ch_shares_unknown(m, 40, 30);
}
/* No share; 400 unknown groups, then secp256r1. */
static void ch_groups_long(tmb *m)
{
	static uint8_t l[2 + 802];
	size_t i;
	l[0] = 802 >> 8;
	l[1] = 802 & 0xFF;
	for (i = 0; i < 400; i++) {
		l[2 + 2 * i] = (uint8_t)(0x20 + (i >> 8));
		l[3 + 2 * i] = (uint8_t)i;
	}
	l[2 + 800] = 0x00;
	l[2 + 801] = 0x17;
	tm_ext_set(m, EXT_SUPPORTED_GROUPS, l, sizeof l);
	tm_ext_set(m, EXT_KEY_SHARE, (const uint8_t *)"\0\0", 2);
}

static void test_whole_lists(void)
{
	tpair p;
	tflight f;
	tmsg m[4];
	static tmb b;
	size_t l;
	uint8_t *ks;

	/* OpenSSL reads every entry; so must we (work bounded by the
	 * message size, which the record layer and hs_max bound). */
	tp_ctx(&p);
	CHECK(ch_ok_case("CH: 1000 sigalgs, usable last", ch_sigalgs_long, &p),
	      "CH: 1000 unknown signature schemes then Ed25519: handshake completes");
	CHECK(p.s->own_sigalg == WT_SIG_ED25519,
	      "CH: long sigalgs: server signed with Ed25519 (%04x)", p.s->own_sigalg);
	tp_free(&p);

	tp_ctx(&p);
	CHECK(ch_ok_case("CH: 40 unknown shares then X25519", ch_shares_40, &p),
	      "CH: 40 unknown key shares then X25519: handshake completes");
	CHECK(p.s->hrr == 0 && p.s->group == WT_GROUP_X25519 && p.c->hrr == 0,
	      "CH: 40 unknown shares: X25519 taken without HelloRetryRequest (hrr %u "
	      "group %04x)",
	      p.s->hrr, p.s->group);
	tp_free(&p);

	/* 4.2.8: "Clients MUST NOT offer multiple KeyShareEntry values for
	 * the same group" - anywhere in the list. */
	ch_case("CH: duplicate share group after the 40th entry", ch_shares_40_dup,
		SENT(WT_ALERT_ILLEGAL_PARAMETER), NULL);

	/* 400 unknown groups, then P-256, and no share: a HelloRetryRequest
	 * for P-256 (not handshake_failure). */
	tp_ctx(&p);
	tp_conns(&p);
	(void)wt_tls_do_handshake(p.c);
	tf_take(&f, p.c, NULL);
	(void)tf_msgs(&f, m, 4);
	tm_set(&b, m[0].p, m[0].len);
	ch_groups_long(&b);
	t_give_plain(p.s, 22, b.b, b.len);
	(void)wt_tls_do_handshake(p.s);
	CHECK(wt_tls_error_code(p.s) == 0,
	      "CH: 400 unknown groups then P-256: no error (%s)",
	      wt_tls_err_string(wt_tls_error_code(p.s)));
	tf_take(&f, p.s, NULL);
	l = tf_msgs(&f, m, 4);
	CHECK(l >= 1 && m[0].p[0] == HS_SERVER_HELLO &&
		      memcmp(m[0].p + 6, wt_hrr_random, 32) == 0,
	      "CH: 400 unknown groups: the answer is a HelloRetryRequest");
	if (l >= 1 && m[0].p[0] == HS_SERVER_HELLO) {
		tm_set(&b, m[0].p, m[0].len);
		ks = tm_ext_body(&b, EXT_KEY_SHARE, &l);
		CHECK(ks != NULL && l == 2 && ks[0] == 0 && ks[1] == 0x17,
		      "CH: 400 unknown groups: HelloRetryRequest asks for secp256r1");
	}
	tp_free(&p);
}

/* ---- legacy_version (RFC 8446 D.5) ------------------------------------------ */

static void ch_legacy_0300(tmb *m)
{
	m->b[4] = 3;
	m->b[5] = 0;
}
static void ch_legacy_0200(tmb *m)
{
	m->b[4] = 2;
	m->b[5] = 0;
}
static void ch_legacy_0301(tmb *m)
{
	m->b[4] = 3;
	m->b[5] = 1;
}
static void sh_legacy_0300(tmb *m)
{
	m->b[4] = 3;
	m->b[5] = 0;
}

static void test_legacy_version(void)
{
	tpair p;
	/* D.5: "Any endpoint receiving a Hello message with
	 * ClientHello.legacy_version or ServerHello.legacy_version set to
	 * 0x0300 MUST abort the handshake with a "protocol_version" alert"
	 * (supported_versions still offers TLS 1.3). */
	ch_case("CH: legacy_version 0x0300", ch_legacy_0300,
		SENT(WT_ALERT_PROTOCOL_VERSION), NULL);
	ch_case("CH: legacy_version 0x0200", ch_legacy_0200,
		SENT(WT_ALERT_PROTOCOL_VERSION), NULL);
	flight_case("SH: legacy_version 0x0300", 0, sh_legacy_0300,
		    SENT(WT_ALERT_PROTOCOL_VERSION), NULL);
	/* 4.2.1: with supported_versions, legacy_version is otherwise
	 * ignored: 0x0301 (TLS 1.0, as some old stacks send) completes. */
	tp_ctx(&p);
	CHECK(ch_ok_case("CH: legacy_version 0x0301", ch_legacy_0301, &p),
	      "CH: legacy_version 0x0301 with TLS 1.3 in supported_versions: handshake "
	      "completes");
	tp_free(&p);
}

/* ---- TLS 1.2-only extensions in a TLS 1.3 server's messages --------------- */

/* RFC 8446 4.2: "Implementations MUST NOT send extension responses if
 * the remote endpoint did not send the corresponding extension
 * requests"; "Upon receiving such an extension, an endpoint MUST abort
 * the handshake with an "unsupported_extension" alert." Our client
 * offers neither extended_master_secret (RFC 7627) nor
 * renegotiation_info (RFC 5746), which TLS 1.3 does not use (BoGo
 * EMS-Forbidden-TLS13, RenegotiationInfo-Forbidden-TLS13). */
static void x_ems(tmb *m)
{
	tm_ext_add(m, 0x0017, NULL, 0, -1);
}
static void x_reneg(tmb *m)
{
	tm_ext_add(m, 0xff01, (const uint8_t *)"\0", 1, -1);
}
static void x_ems_first(tmb *m)
{
	tm_ext_add(m, 0x0017, NULL, 0, 0);
}
static void x_reneg_first(tmb *m)
{
	tm_ext_add(m, 0xff01, (const uint8_t *)"\0", 1, 0);
}
static void x_sct(tmb *m)
{
	tm_ext_add(m, 18, NULL, 0, -1);
}
static void x_ticket(tmb *m)
{
	tm_ext_add(m, 35, NULL, 0, -1);
}
static void x_ct_ems(tmb *m)
{
	cert_exts(m, (const uint8_t *)"\0\x17\0\0", 4);
}
static void x_ct_reneg(tmb *m)
{
	cert_exts(m, (const uint8_t *)"\xff\x01\0\1\0", 5);
}

static void test_tls12_extensions(void)
{
	flight_case("SH: extended_master_secret", 0, x_ems,
		    SENT(WT_ALERT_UNSUPPORTED_EXTENSION), NULL);
	flight_case("SH: renegotiation_info", 0, x_reneg,
		    SENT(WT_ALERT_UNSUPPORTED_EXTENSION), NULL);
	flight_case("SH: extended_master_secret first", 0, x_ems_first,
		    SENT(WT_ALERT_UNSUPPORTED_EXTENSION), NULL);
	flight_case("SH: renegotiation_info first", 0, x_reneg_first,
		    SENT(WT_ALERT_UNSUPPORTED_EXTENSION), NULL);
	flight_case("SH: session_ticket (TLS 1.2)", 0, x_ticket,
		    SENT(WT_ALERT_UNSUPPORTED_EXTENSION), NULL);
	flight_case("EE: extended_master_secret", 1, x_ems,
		    SENT(WT_ALERT_UNSUPPORTED_EXTENSION), NULL);
	flight_case("EE: renegotiation_info", 1, x_reneg,
		    SENT(WT_ALERT_UNSUPPORTED_EXTENSION), NULL);
	flight_case("EE: signed_certificate_timestamp not asked", 1, x_sct,
		    SENT(WT_ALERT_UNSUPPORTED_EXTENSION), NULL);
	flight_case("Cert: extended_master_secret in an entry", 2, x_ct_ems,
		    SENT(WT_ALERT_UNSUPPORTED_EXTENSION), NULL);
	flight_case("Cert: renegotiation_info in an entry", 2, x_ct_reneg,
		    SENT(WT_ALERT_UNSUPPORTED_EXTENSION), NULL);
}

int main(void)
{
	test_record_layer();
	test_alerts_received();
	client_states(0);
	client_states(1);
	server_states(0);
	server_states(1);
	connected_states();
	test_server_hello();
	test_encrypted_extensions();
	test_auth_messages();
	test_client_hello();
	test_key_change_and_ccs();
	test_plaintext_alerts();
	test_fragmentation();
	test_handshake_sizes();
	test_whole_lists();
	test_legacy_version();
	test_tls12_extensions();
	return t_done();
}
