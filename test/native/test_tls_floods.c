/*
 * test_tls_floods.c: records and messages that carry nothing, sent
 * without end (CVE-2016-8610 for OpenSSL's warning alerts). RFC 8446
 * lets each one through by itself - a change_cipher_spec is dropped
 * (5), user_canceled is no error (6.1), zero-length application data
 * "may be sent" (5.4), KeyUpdate and NewSessionTicket may come at any
 * time (4.6) - but a peer sending only those must not keep us working
 * for ever. The engine counts consecutive ones (tls_inner.h
 * WT_TLS_MAX_EMPTY, BoringSSL's limits, which its runner pins: 32 empty
 * records pass and 33 fail, 4 user_canceled pass and 5 fail, 33
 * KeyUpdates fail) and fails one past the limit with unexpected_message;
 * application data (or handshake bytes during the handshake) starts the
 * count again. Each case is run at the limit (must pass) and one past it
 * (must fail, with the reason and the alert), both roles where both
 * can receive it.
 */
#include "tls_mitm.h"

#define SENT(a) (uint32_t)(WT_TLS_ERR_SEND_ALERT + (a))
#define RECV(a) (uint32_t)(WT_TLS_ERR_RECV_ALERT + (a))

static uint8_t scratch[1 << 16];
static const uint8_t CCS[1] = { 1 };
static const uint8_t USER_CANCELED[2] = { 1, WT_ALERT_USER_CANCELED };

/* n plaintext records of type/body given to `to` (one per record). */
static void give_n(wt_tls_conn *to, uint8_t type, const uint8_t *b, size_t bl, int n)
{
	int i;
	for (i = 0; i < n; i++)
		t_give_plain(to, type, b, bl);
}

/* The failure a flood must end in: our alert, the reason, and the peer
 * told (it received unexpected_message). */
static int failed_with(tpair *p, wt_tls_conn *victim, wt_tls_conn *peer, uint32_t reason)
{
	tp_move(victim, peer, 0);
	(void)t_poke(peer);
	return wt_tls_error_code(victim) == SENT(WT_ALERT_UNEXPECTED_MESSAGE) &&
		wt_tls_reason(victim) == reason &&
		wt_tls_error_code(peer) == RECV(WT_ALERT_UNEXPECTED_MESSAGE) && p != NULL;
}

/* During the handshake: ClientHello delivered and the server's flight
 * built (not yet delivered), then n records of type/body injected into
 * the server (server != 0: they precede the client's second flight) or
 * the client (they precede the server's flight). 1 when the handshake
 * then completed, 0 when it failed with `reason`, -1 otherwise. */
static int hs_flood(int server, uint8_t type, const uint8_t *b, size_t bl, int n,
		    uint32_t reason)
{
	tpair p;
	int r, ok;
	tp_ctx(&p);
	tp_conns(&p);
	(void)wt_tls_do_handshake(p.c);
	tp_move(p.c, p.s, 0);
	(void)wt_tls_do_handshake(p.s);
	give_n(server ? p.s : p.c, type, b, bl, n);
	if (server) {
		/* The client's second flight must come after the flood. */
		tp_move(p.s, p.c, 0);
		(void)wt_tls_do_handshake(p.c);
		(void)wt_tls_do_handshake(p.s);
		if (wt_tls_error_code(p.s)) {
			ok = failed_with(&p, p.s, p.c, reason);
			tp_free(&p);
			return ok ? 0 : -1;
		}
	}
	r = tp_handshake(&p);
	if (r == 1) {
		tp_free(&p);
		return 1;
	}
	ok = failed_with(&p, server ? p.s : p.c, server ? p.c : p.s, reason);
	tp_free(&p);
	return ok ? 0 : -1;
}

/* Before anything: n records given to a fresh server, then the
 * handshake. 1 completed, 0 failed with reason, -1 otherwise. */
static int first_byte_flood(uint8_t type, const uint8_t *b, size_t bl, int n,
			    uint32_t reason)
{
	tpair p;
	int ok;
	tp_ctx(&p);
	tp_conns(&p);
	give_n(p.s, type, b, bl, n);
	if (tp_handshake(&p)) {
		tp_free(&p);
		return 1;
	}
	ok = wt_tls_error_code(p.s) == SENT(WT_ALERT_UNEXPECTED_MESSAGE) &&
		wt_tls_reason(p.s) == reason;
	tp_free(&p);
	return ok ? 0 : -1;
}

static void test_handshake_floods(void)
{
	int srv;
	for (srv = 0; srv < 2; srv++) {
		const char *who = srv ? "server" : "client";
		/* BoGo TooManyChangeCipherSpec-Client/Server-TLS13 (the
		 * peer's own compatibility CCS and 33 more). At the client
		 * the flood precedes the ServerHello, which starts the count
		 * again before the server's own CCS; at the server the
		 * client's own CCS follows the flood and is one of the run. */
		int own = srv;
		CHECK(hs_flood(srv, 20, CCS, 1, WT_TLS_MAX_EMPTY - own, 0) == 1,
		      "%s: %d CCS records in a row mid-handshake: dropped, handshake "
		      "completes",
		      who, WT_TLS_MAX_EMPTY);
		CHECK(hs_flood(srv, 20, CCS, 1, WT_TLS_MAX_EMPTY + 1 - own,
			       WT_TLS_R_TOO_MANY_EMPTY) == 0,
		      "%s: %d CCS records in a row: unexpected_message, too many empty",
		      who, WT_TLS_MAX_EMPTY + 1);
		CHECK(hs_flood(srv, 20, CCS, 1, 5000, WT_TLS_R_TOO_MANY_EMPTY) == 0,
		      "%s: 5000 CCS records: unexpected_message at the first past the "
		      "limit",
		      who);
		/* BoGo SendUserCanceledAlerts(-TooMany)-TLS13. */
		CHECK(hs_flood(srv, 21, USER_CANCELED, 2, WT_TLS_MAX_WARNINGS, 0) == 1,
		      "%s: %d user_canceled mid-handshake: handshake completes", who,
		      WT_TLS_MAX_WARNINGS);
		CHECK(hs_flood(srv, 21, USER_CANCELED, 2, WT_TLS_MAX_WARNINGS + 1,
			       WT_TLS_R_TOO_MANY_WARNINGS) == 0,
		      "%s: %d user_canceled: unexpected_message, too many warnings", who,
		      WT_TLS_MAX_WARNINGS + 1);
	}
	/* "warning alerts from the first byte": before any ClientHello. */
	CHECK(first_byte_flood(21, USER_CANCELED, 2, WT_TLS_MAX_WARNINGS, 0) == 1,
	      "server: %d user_canceled before the ClientHello: handshake completes",
	      WT_TLS_MAX_WARNINGS);
	CHECK(first_byte_flood(21, USER_CANCELED, 2, 200000,
			       WT_TLS_R_TOO_MANY_WARNINGS) == 0,
	      "server: 200000 user_canceled before the ClientHello: fails at %d",
	      WT_TLS_MAX_WARNINGS + 1);
}

/* ---- after the handshake -------------------------------------------------- */

/* A connected pair; k speaks as the client to the server. */
static void connected(tpair *p, tkey *k, uint8_t *secret, int as_server)
{
	wt_tls_conn *from;
	tp_ctx(p);
	tp_conns(p);
	CHECK(tp_handshake(p), "handshake");
	from = as_server ? p->s : p->c;
	memcpy(secret, from->wr.secret, from->hashlen);
	tk_init(k, from, secret);
	k->seq = from->wr.seq;
}

/* What a flood record is. */
enum { F_EMPTY, F_CANCEL, F_KU, F_NST, F_DATA };

/* One record of kind f sealed with k (k follows a KeyUpdate's next key,
 * as the sender's would); its length. */
static size_t seal_kind(int f, tkey *k, const wt_tls_conn *like, uint8_t *secret,
			uint8_t *out)
{
	static const uint8_t ku[5] = { HS_KEY_UPDATE, 0, 0, 1, 0 };
	/* lifetime 7200 s, age_add, nonce "\1", ticket "abcd", no
	 * extensions (RFC 8446 4.6.1). */
	static const uint8_t nst[4 + 4 + 4 + 2 + 2 + 4 + 2] = { HS_NEW_SESSION_TICKET,
								0,
								0,
								18,
								0,
								0,
								0x1c,
								0x20,
								1,
								2,
								3,
								4,
								1,
								1,
								0,
								4,
								'a',
								'b',
								'c',
								'd',
								0,
								0 };
	size_t n;
	switch (f) {
	case F_EMPTY: return tk_seal(k, 23, (const uint8_t *)"", 0, 0, out);
	case F_CANCEL: return tk_seal(k, 21, USER_CANCELED, 2, 0, out);
	case F_KU:
		n = tk_seal(k, 22, ku, 5, 0, out);
		wt_ks_next_traffic(like->hash, secret);
		tk_init(k, like, secret);
		return n;
	case F_NST: return tk_seal(k, 22, nst, sizeof nst, 0, out);
	default: return tk_seal(k, 23, (const uint8_t *)"data", 4, 0, out);
	}
}

/* Post-handshake: the script (kinds, ending with -1) sent to the
 * server (kinds other than F_NST) or the client (F_NST), then
 * "data" and a read. 1 when the read gave every "data" and no error,
 * 0 when it failed with `reason` and unexpected_message, -1 else. */
static int post_flood(const int *script, uint32_t reason)
{
	tpair p;
	tkey k;
	uint8_t secret[WT_HASH_MAX_LEN], b[64];
	size_t n, rl, want = 4, got = 0;
	int i, to_client = 0, r = 1, ok;
	wt_tls_conn *to, *from;
	for (i = 0; script[i] >= 0; i++) {
		to_client |= script[i] == F_NST;
		want += script[i] == F_DATA ? 4 : 0;
	}
	connected(&p, &k, secret, to_client);
	to = to_client ? p.c : p.s;
	from = to_client ? p.s : p.c;
	for (i = 0; script[i] >= 0; i++) {
		rl = seal_kind(script[i], &k, from, secret, scratch);
		t_give_all(to, scratch, rl);
	}
	rl = seal_kind(F_DATA, &k, from, secret, scratch);
	t_give_all(to, scratch, rl);
	for (i = 0; i < 100000 && got < want; i++) {
		r = wt_tls_read_ex(to, b, sizeof b, &n);
		if (r == 1)
			got += n;
		else if (wt_tls_get_error(to, r) != WT_TLS_ERROR_WANT_READ)
			break;
	}
	if (got == want && !wt_tls_error_code(to)) {
		tp_free(&p);
		return 1;
	}
	tp_move(to, from, 0);
	(void)wt_tls_read_ex(from, b, sizeof b, &n);
	ok = wt_tls_error_code(to) == SENT(WT_ALERT_UNEXPECTED_MESSAGE) &&
		wt_tls_reason(to) == reason &&
		wt_tls_error_code(from) == RECV(WT_ALERT_UNEXPECTED_MESSAGE);
	tp_free(&p);
	return ok ? 0 : -1;
}

/* script: n of kind f (then, with every > 0, a data record after each
 * run of `every`), -1 terminated, in s (room for 512). */
static const int *run_of(int *s, int f, int n, int every)
{
	int i, j = 0;
	for (i = 0; i < n; i++) {
		s[j++] = f;
		if (every > 0 && (i + 1) % every == 0)
			s[j++] = F_DATA;
	}
	s[j] = -1;
	return s;
}

static void test_post_handshake_floods(void)
{
	static int s[1024];
	int i, j;

	/* BoGo SendEmptyRecords(-Pass) / TooManyEmptyRecords. */
	CHECK(post_flood(run_of(s, F_EMPTY, WT_TLS_MAX_EMPTY, 0), 0) == 1,
	      "%d empty application data records then data: read", WT_TLS_MAX_EMPTY);
	CHECK(post_flood(run_of(s, F_EMPTY, WT_TLS_MAX_EMPTY + 1, 0),
			 WT_TLS_R_TOO_MANY_EMPTY) == 0,
	      "%d empty application data records: unexpected_message, too many empty",
	      WT_TLS_MAX_EMPTY + 1);
	CHECK(post_flood(run_of(s, F_EMPTY, 10 * WT_TLS_MAX_EMPTY, WT_TLS_MAX_EMPTY),
			 0) == 1,
	      "runs of %d empty records with data between: the count starts again",
	      WT_TLS_MAX_EMPTY);

	/* user_canceled after the handshake, protected. */
	CHECK(post_flood(run_of(s, F_CANCEL, WT_TLS_MAX_WARNINGS, 0), 0) == 1,
	      "%d user_canceled then data: read", WT_TLS_MAX_WARNINGS);
	CHECK(post_flood(run_of(s, F_CANCEL, WT_TLS_MAX_WARNINGS + 1, 0),
			 WT_TLS_R_TOO_MANY_WARNINGS) == 0,
	      "%d user_canceled: unexpected_message, too many warnings",
	      WT_TLS_MAX_WARNINGS + 1);

	/* BoGo TooManyKeyUpdates: 33 with no data between. */
	CHECK(post_flood(run_of(s, F_KU, WT_TLS_MAX_POST_MSGS, 0), 0) == 1,
	      "%d KeyUpdates then data: read under the last key", WT_TLS_MAX_POST_MSGS);
	CHECK(post_flood(run_of(s, F_KU, WT_TLS_MAX_POST_MSGS + 1, 0),
			 WT_TLS_R_TOO_MANY_POST_MSGS) == 0,
	      "%d KeyUpdates: unexpected_message, too many post-handshake messages",
	      WT_TLS_MAX_POST_MSGS + 1);
	CHECK(post_flood(run_of(s, F_KU, 4 * WT_TLS_MAX_POST_MSGS, WT_TLS_MAX_POST_MSGS),
			 0) == 1,
	      "runs of %d KeyUpdates with data between: the count starts again",
	      WT_TLS_MAX_POST_MSGS);

	/* NewSessionTicket floods on a client. */
	CHECK(post_flood(run_of(s, F_NST, WT_TLS_MAX_POST_MSGS, 0), 0) == 1,
	      "client: %d NewSessionTickets then data: read", WT_TLS_MAX_POST_MSGS);
	CHECK(post_flood(run_of(s, F_NST, WT_TLS_MAX_POST_MSGS + 1, 0),
			 WT_TLS_R_TOO_MANY_POST_MSGS) == 0,
	      "client: %d NewSessionTickets: unexpected_message",
	      WT_TLS_MAX_POST_MSGS + 1);

	/* Each kind has its own count (BoGo
	 * AlternateEmptyRecordsAndWarningAlerts: 32 empty records and 4
	 * warnings interleaved pass); one kind does not restart another's
	 * (AlternateEmptyRecordsAndTooManyWarningAlerts fails). */
	for (i = 0, j = 0; i < WT_TLS_MAX_EMPTY; i++) {
		s[j++] = F_EMPTY;
		if (i % 8 == 0)
			s[j++] = F_CANCEL;
	}
	s[j] = -1;
	CHECK(post_flood(s, 0) == 1,
	      "%d empty records and %d user_canceled interleaved: read", WT_TLS_MAX_EMPTY,
	      WT_TLS_MAX_WARNINGS);
	s[j++] = F_CANCEL;
	s[j] = -1;
	CHECK(post_flood(s, WT_TLS_R_TOO_MANY_WARNINGS) == 0,
	      "%d empty records and %d user_canceled interleaved: too many warnings",
	      WT_TLS_MAX_EMPTY, WT_TLS_MAX_WARNINGS + 1);
	for (i = 0, j = 0; i < 2 * WT_TLS_MAX_EMPTY + 1; i++)
		s[j++] = i % 2 ? F_KU : F_EMPTY;
	s[j] = -1;
	CHECK(post_flood(s, WT_TLS_R_TOO_MANY_EMPTY) == 0,
	      "empty records and KeyUpdates alternating: the empty count is not "
	      "restarted by a KeyUpdate");
}

int main(void)
{
	test_handshake_floods();
	test_post_handshake_floods();
	return t_done();
}
