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
static void post_case(const char *what, uint8_t outer, const uint8_t *inner,
	size_t n, uint32_t code)
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
	post_case("inner plaintext 2^14+2", 23, big, 16386, SENT(WT_ALERT_RECORD_OVERFLOW));
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
			memcmp(r + 16384, "pad", 3) == 0, "2^14 content, and padding to 2^14+1: accepted (%zu)", got);
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
			snprintf(what, sizeof what, "protected record with outer type %u", outer[i]);
			post_case(what, outer[i], in, 6, SENT(WT_ALERT_UNEXPECTED_MESSAGE));
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
	post_case("inner plaintext all zeros", 23, b, 40, SENT(WT_ALERT_UNEXPECTED_MESSAGE));
	post_case("inner plaintext empty", 23, b, 0, SENT(WT_ALERT_UNEXPECTED_MESSAGE));
	/* 5.1: zero-length handshake fragments are forbidden; an alert is
	 * exactly two bytes (not fragmented, not coalesced). */
	b[0] = 22;
	post_case("zero-length handshake record", 23, b, 1, SENT(WT_ALERT_UNEXPECTED_MESSAGE));
	b[0] = 21;
	post_case("zero-length alert record", 23, b, 1, SENT(WT_ALERT_DECODE_ERROR));
	{
		uint8_t a1[2] = { 2, 21 }, a3[4] = { 1, 0, 0, 21 }, a4[5] = { 1, 0, 1, 0, 21 };
		post_case("one-byte alert", 23, a1, 2, SENT(WT_ALERT_DECODE_ERROR));
		post_case("three-byte alert", 23, a3, 4, SENT(WT_ALERT_DECODE_ERROR));
		post_case("two alerts coalesced", 23, a4, 5, SENT(WT_ALERT_DECODE_ERROR));
	}
	/* Tag shorter than the AEAD's: bad_record_mac. */
	connected(&p, &k);
	{
		uint8_t r[20] = { 23, 3, 3, 0, 15 };
		t_give(p.s, r, 20);
		t_expect(p.s, SENT(WT_ALERT_BAD_RECORD_MAC), "record shorter than the tag");
	}
	tp_free(&p);

	/* Bad MACs: a flipped bit in body, tag, header (the header is the AAD,
	 * so even legacy_record_version, otherwise ignored, is covered), a
	 * replayed record, a record from the future (sequence skipped). */
	{
		static const char *const what[] = { "bit flipped in body",
			"bit flipped in tag", "record version changed (AAD)",
			"replayed record", "skipped sequence number" };
		int i;
		for (i = 0; i < 5; i++) {
			uint8_t m[6] = { 'h', 'e', 'l', 'l', 'o', 23 };
			connected(&p, &k);
			if (i == 4)
				k.seq++;
			rl = tk_seal_raw(&k, 23, m, 6, scratch);
			if (i == 0) scratch[6] ^= 1;
			if (i == 1) scratch[rl - 1] ^= 0x80;
			if (i == 2) scratch[2] = 1;
			t_give(p.s, scratch, rl);
			if (i == 3) {
				CHECK(wt_tls_read_ex(p.s, b, sizeof b, &n) == 1 && n == 5, "first copy read");
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
			wt_tls_get_error(p.s, 0) == WT_TLS_ERROR_WANT_READ && !wt_tls_error_code(p.s),
			"zero-length application record: nothing to read, no error");
		rl = tk_seal_raw(&k, 23, pd, sizeof pd, scratch);
		t_give(p.s, scratch, rl);
		CHECK(wt_tls_read_ex(p.s, b, sizeof b, &n) == 1 && n == 2 && memcmp(b, "ok", 2) == 0,
			"padded record: content read, padding stripped");
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
			wt_tls_get_error(p.s, 0) == WT_TLS_ERROR_WANT_READ, "half a record: WANT_READ");
		t_give(p.s, scratch + 10, rl - 10);
		CHECK(wt_tls_read_ex(p.s, b, sizeof b, &n) == 1 && n == 5, "rest of it: read");
		t_give(p.s, scratch, 3);
		wt_tls_net_in_eof(p.s);
		CHECK(wt_tls_read_ex(p.s, b, sizeof b, &n) == 0 &&
			wt_tls_get_error(p.s, 0) == WT_TLS_ERROR_SYSCALL &&
			wt_tls_net_out_pending(p.s) == 0, "truncated record then EOF: SYSCALL, nothing sent");
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
			wt_tls_get_error(p.s, 0) == WT_TLS_ERROR_ZERO_RETURN, "close_notify: ZERO_RETURN");
		CHECK(wt_tls_read_ex(p.s, b, sizeof b, &n) == 0 &&
			wt_tls_get_error(p.s, 0) == WT_TLS_ERROR_ZERO_RETURN && !wt_tls_error_code(p.s) &&
			wt_tls_net_out_pending(p.s) == 0, "records and garbage after close_notify ignored");
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
		t_expect(p.s, SENT(WT_ALERT_UNEXPECTED_MESSAGE), "application data inside a handshake message");
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
			rl += tk_seal(&k, 23, (const uint8_t *)"after", 5, 0, scratch + rl);
			t_give(p.s, scratch, rl);
			r = wt_tls_read_ex(p.s, b, sizeof b, &n);
			if (a == WT_ALERT_CLOSE_NOTIFY) {
				/* 6.1 close_notify; 6: in TLS 1.3 "the severity is
				 * implicit in the type": fatal-level close_notify is
				 * still a closure. */
				CHECK(r == 0 && wt_tls_get_error(p.s, 0) == WT_TLS_ERROR_ZERO_RETURN &&
					!wt_tls_error_code(p.s), "close_notify level %d: ZERO_RETURN", lvl);
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
				int ok = r == 0 && wt_tls_get_error(p.s, 0) == WT_TLS_ERROR_SSL &&
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
	CHECK(bad == 0 && errors == 2 * 254, "every other alert (%d) at both levels: error, "
		"sticky, nothing sent (%d wrong)", errors, bad);
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
	case HS_KEY_UPDATE:
		memcpy(out + 1, "\0\0\1\0", 4);
		return 5;
	case HS_NEW_SESSION_TICKET:   /* lifetime, age_add, nonce, ticket, exts */
		memcpy(out + 1, "\0\0\x0f" "\0\0\0\x3c" "\0\0\0\0" "\0" "\0\2ab" "\0\0", 18);
		return 19;
	case HS_CERTIFICATE_REQUEST:  /* empty context, signature_algorithms */
		memcpy(out + 1, "\0\0\x0b" "\0" "\0\x08" "\0\x0d\0\x04\0\x02\x08\x07", 14);
		return 15;
	case HS_MESSAGE_HASH:
		memcpy(out + 1, "\0\0\x20", 3);
		memset(out + 4, 0x11, 32);
		return 36;
	default:                      /* EndOfEarlyData and unknown types: empty */
		memcpy(out + 1, "\0\0\0", 3);
		return 4;
	}
}

static const uint32_t ALL_TYPES[] = { HS_CLIENT_HELLO, HS_SERVER_HELLO,
	HS_NEW_SESSION_TICKET, HS_END_OF_EARLY_DATA, HS_ENCRYPTED_EXTENSIONS,
	HS_CERTIFICATE, HS_CERTIFICATE_REQUEST, HS_CERTIFICATE_VERIFY,
	HS_FINISHED, HS_KEY_UPDATE, HS_MESSAGE_HASH, 0, 3, 99, 255 };
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
				wt_tls_ctx_set_verify(s.p.sctx, WT_TLS_VERIFY_INSECURE_NO_CHAIN,
					WT_TLS_CLIENT_CERT_REQUEST);
			sc_start(&s);
			/* What the client expects next. */
			want = k < 0 ? HS_SERVER_HELLO : s.sm[1 + k].p[0];
			/* After EncryptedExtensions both CertificateRequest and
			 * Certificate are in order. */
			if (ALL_TYPES[t] == want || (k == 1 &&
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
					memcpy(stream + sl, s.sm[1 + i].p, s.sm[1 + i].len);
					sl += s.sm[1 + i].len;
				}
				memcpy(stream + sl, m, ml);
				sc_give_enc(&s, stream, sl + ml, 0);
			}
			{
				char what[96];
				snprintf(what, sizeof what, "client%s after %d protected messages: type %u",
					cr ? " (CR)" : "", k, ALL_TYPES[t]);
				if (!t_expect(s.p.c, SENT(WT_ALERT_UNEXPECTED_MESSAGE), what))
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

int main(void)
{
	test_record_layer();
	test_alerts_received();
	client_states(0);
	client_states(1);
	return t_done();
}
