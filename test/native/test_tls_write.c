/*
 * test_tls_write.c: OpenSSL's SSL_write/SSL_read/SSL_shutdown rules at
 * the C level (issue rules 2-10), and hostile input: 1-byte fragmentation
 * of the whole handshake, a flipped bit in a record (bad_record_mac), an
 * oversized record (record_overflow), a mis-typed record, sticky errors.
 */
#include "tls_testlib.h"

static void setup(tpair *p)
{
	tp_ctx(p);
	tp_conns(p);
	CHECK(tp_handshake(p), "handshake");
}

/* Read everything the server can get now into buf; returns bytes. */
static size_t drain_server(tpair *p, uint8_t *buf, size_t cap)
{
	size_t n, got = 0;
	tp_move(p->c, p->s, 1000);
	while (got < cap && wt_tls_read_ex(p->s, buf + got, cap - got, &n))
		got += n;
	return got;
}

static void test_want_write_all_or_nothing(void)
{
	tpair p;
	enum { LEN = 70000 };
	static uint8_t data[LEN], got[LEN];
	size_t w = 0, total = 0, i;
	int r, rounds = 0;
	for (i = 0; i < LEN; i++)
		data[i] = (uint8_t)(i ^ (i >> 8));
	setup(&p);
	/* A network side smaller than one record: WANT_WRITE rounds. */
	CHECK(wt_tls_conn_set_net_out_cap(p.c, 1000) == 0, "cap");
	for (;;) {
		r = wt_tls_write_ex(p.c, 7, data, LEN, &w);
		if (r)
			break;
		CHECK(wt_tls_get_error(p.c, r) == WT_TLS_ERROR_WANT_WRITE,
		      "WANT_WRITE while full");
		CHECK(wt_tls_net_out_pending(p.c) <= 1000, "bounded outgoing side");
		total += drain_server(&p, got + total, LEN - total);
		if (++rounds > 10000)
			break;
	}
	CHECK(r == 1 && w == LEN, "all-or-nothing: all %d bytes reported once (w=%zu)",
	      LEN, w);
	CHECK(rounds > 50, "many WANT_WRITE rounds (%d)", rounds);
	total += drain_server(&p, got + total, LEN - total);
	CHECK(total == LEN && memcmp(got, data, LEN) == 0,
	      "never lost, never twice (%zu)", total);
	tp_free(&p);
}

static void test_partial_write(void)
{
	tpair p;
	static uint8_t data[40000];
	size_t w;
	setup(&p);
	wt_tls_set_mode(p.c, WT_TLS_MODE_ENABLE_PARTIAL_WRITE);
	CHECK(wt_tls_write_ex(p.c, 1, data, sizeof data, &w) == 1 && w == 16384,
	      "partial write: one record's worth (%zu)", w);
	tp_move(p.c, p.s, 0);
	CHECK(wt_tls_write(p.c, 1, data + w, sizeof data - w) == 16384, "second record");
	tp_free(&p);
}

static void test_bad_retry(void)
{
	tpair p;
	static uint8_t data[50000], other[50000];
	size_t w;
	int r;
	setup(&p);
	wt_tls_conn_set_net_out_cap(p.c, 100);
	r = wt_tls_write_ex(p.c, 1, data, sizeof data, &w);
	CHECK(r == 0 && wt_tls_get_error(p.c, r) == WT_TLS_ERROR_WANT_WRITE,
	      "pending write");
	/* Same bytes from another buffer object without the mode: refused. */
	memcpy(other, data, sizeof data);
	r = wt_tls_write_ex(p.c, 2, other, sizeof other, &w);
	CHECK(r == 0 && wt_tls_get_error(p.c, r) == WT_TLS_ERROR_SSL &&
		      wt_tls_error_code(p.c) == WT_TLS_ERR_BAD_WRITE_RETRY,
	      "bad write retry (token)");
	/* Sticky: every later call returns it. */
	CHECK(wt_tls_write_ex(p.c, 1, data, sizeof data, &w) == 0 &&
		      wt_tls_error_code(p.c) == WT_TLS_ERR_BAD_WRITE_RETRY,
	      "sticky");
	tp_free(&p);

	setup(&p);
	wt_tls_conn_set_net_out_cap(p.c, 100);
	wt_tls_set_mode(p.c, WT_TLS_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	r = wt_tls_write_ex(p.c, 1, data, sizeof data, &w);
	CHECK(r == 0, "pending write 2");
	tp_move(p.c, p.s, 0);
	r = wt_tls_write_ex(p.c, 2, other, sizeof other, &w);
	CHECK(r == 0 && wt_tls_get_error(p.c, r) == WT_TLS_ERROR_WANT_WRITE,
	      "moving buffer, same bytes: accepted");
	other[0] ^= 1;
	r = wt_tls_write_ex(p.c, 2, other, sizeof other, &w);
	CHECK(r == 0 && wt_tls_error_code(p.c) == WT_TLS_ERR_BAD_WRITE_RETRY,
	      "moving buffer, other bytes: refused");
	tp_free(&p);

	setup(&p);
	wt_tls_conn_set_net_out_cap(p.c, 100);
	r = wt_tls_write_ex(p.c, 1, data, sizeof data, &w);
	r = wt_tls_write_ex(p.c, 1, data, sizeof data - 1, &w);
	CHECK(r == 0 && wt_tls_error_code(p.c) == WT_TLS_ERR_BAD_WRITE_RETRY,
	      "other length: refused");
	tp_free(&p);
}

static void test_zero_length(void)
{
	tpair p;
	size_t w = 99;
	setup(&p);
	CHECK(wt_tls_write_ex(p.c, 1, (const uint8_t *)"", 0, &w) == 1 && w == 0,
	      "write_ex(0) ok");
	CHECK(wt_tls_net_out_pending(p.c) == 0, "write_ex(0) sends nothing");
	CHECK(wt_tls_write(p.c, 1, (const uint8_t *)"", 0) <= 0 &&
		      wt_tls_get_error(p.c, -1) == WT_TLS_ERROR_SSL &&
		      wt_tls_reason(p.c) == WT_TLS_ERR_BAD_LENGTH,
	      "write(0) is an error");
	CHECK(wt_tls_error_code(p.c) == 0 &&
		      wt_tls_write(p.c, 1, (const uint8_t *)"x", 1) == 1,
	      "write(0) error does not stick");
	tp_free(&p);
}

/* Run over TLS 1.2 (WT_TEST_TLS12=1, tls_testlib.h): the same SSL object
 * rules, with TLS 1.2's differences asserted where the protocols differ. */
static int tls12(void)
{
	const char *v = getenv("WT_TEST_TLS12");
	return v != NULL && strcmp(v, "1") == 0;
}

static void test_conclude_and_shutdown(void)
{
	tpair p;
	uint8_t b[16];
	size_t w, n;
	setup(&p);
	CHECK(wt_tls_write_ex2(p.c, 1, (const uint8_t *)"bye", 3,
			       WT_TLS_WRITE_FLAG_CONCLUDE, &w) == 1 &&
		      w == 3,
	      "write_ex2 CONCLUDE");
	CHECK(wt_tls_get_shutdown(p.c) & 1, "write side closed");
	CHECK(wt_tls_write_ex(p.c, 1, (const uint8_t *)"x", 1, &w) == 0 &&
		      wt_tls_reason(p.c) == WT_TLS_ERR_PROTOCOL_SHUTDOWN &&
		      wt_tls_error_code(p.c) == 0,
	      "no write after conclude (not sticky: reading goes on)");
	tp_move(p.c, p.s, 0);
	CHECK(wt_tls_read_ex(p.s, b, sizeof b, &n) == 1 && n == 3 &&
		      memcmp(b, "bye", 3) == 0,
	      "data arrives");
	CHECK(wt_tls_read_ex(p.s, b, sizeof b, &n) == 0 &&
		      wt_tls_get_error(p.s, 0) == WT_TLS_ERROR_ZERO_RETURN,
	      "close_notify after the data in the same flight: ZERO_RETURN");
	if (!tls12()) {
		/* Half-close: the server can still write; the client still reads. */
		CHECK(wt_tls_write(p.s, 1, (const uint8_t *)"late", 4) == 4,
		      "server writes after client concluded");
	} else {
		/* RFC 5246 7.2.1: TLS 1.2 has no half-close; the other party
		 * "MUST respond with a close_notify alert of its own and close
		 * down the connection immediately, discarding any pending
		 * writes". */
		CHECK(wt_tls_get_shutdown(p.s) == 3 &&
			      wt_tls_write(p.s, 1, (const uint8_t *)"late", 4) <= 0 &&
			      wt_tls_reason(p.s) == WT_TLS_ERR_PROTOCOL_SHUTDOWN,
		      "TLS 1.2: the server answered with its close_notify and writes no "
		      "more");
		tp_move(p.s, p.c, 0);
		CHECK(wt_tls_read_ex(p.c, b, sizeof b, &n) == 0 &&
			      wt_tls_get_error(p.c, 0) == WT_TLS_ERROR_ZERO_RETURN,
		      "TLS 1.2: the client reads the answer");
	}
	tp_move(p.s, p.c, 0);
	tp_free(&p);

	setup(&p);
	CHECK(wt_tls_shutdown(p.c) == 0, "shutdown 1st call: 0");
	tp_move(p.c, p.s, 0);
	CHECK(wt_tls_read_ex(p.s, b, sizeof b, &n) == 0 &&
		      wt_tls_get_error(p.s, 0) == WT_TLS_ERROR_ZERO_RETURN,
	      "peer sees ZERO_RETURN");
	CHECK(wt_tls_shutdown(p.c) == -1 &&
		      wt_tls_get_error(p.c, -1) == WT_TLS_ERROR_WANT_READ,
	      "shutdown 2nd call waits");
	CHECK(wt_tls_shutdown(p.s) == 1,
	      "peer answers: 1 (close_notify already received)");
	tp_move(p.s, p.c, 0);
	CHECK(wt_tls_shutdown(p.c) == 1, "shutdown 2nd call: 1");
	tp_free(&p);

	/* EOF without close_notify: SYSCALL. */
	setup(&p);
	wt_tls_net_in_eof(p.c);
	CHECK(wt_tls_read_ex(p.c, b, sizeof b, &n) == 0 &&
		      wt_tls_get_error(p.c, 0) == WT_TLS_ERROR_SYSCALL,
	      "truncation: SYSCALL");
	tp_free(&p);
}

/* SSL_shutdown(3) on a bounded outgoing side (BoGo
 * Shutdown-Shim-KeyUpdate-TLS-Async): the first call cannot get the
 * close_notify out and returns -1 / WANT_WRITE; once the host drains it,
 * the repeated call finishes that step and returns 0 (sent, the peer's
 * not yet received) - not -1 / WANT_READ - and only the call after it
 * waits for the peer. The peer opens what went out: a close_notify. */
static void test_shutdown_want_write(void)
{
	tpair p;
	uint8_t b[16];
	size_t n;
	int r, rounds, answered;
	/* In TLS 1.2 the peer's close_notify is answered by the read that
	 * takes it (RFC 5246 7.2.1): no shutdown call of ours is left to send
	 * one, so only the first case applies. */
	for (answered = 0; answered < (tls12() ? 1 : 2); answered++) {
		setup(&p);
		if (answered) {
			/* The peer closed first: its close_notify is read before
			 * our shutdown, so the repeat's answer is 1. */
			CHECK(wt_tls_shutdown(p.s) == 0, "peer shuts down first");
			tp_move(p.s, p.c, 0);
			CHECK(wt_tls_read_ex(p.c, b, sizeof b, &n) == 0 &&
				      wt_tls_get_error(p.c, 0) ==
					      WT_TLS_ERROR_ZERO_RETURN,
			      "its close_notify read: ZERO_RETURN");
		}
		/* Less room than one protected alert record (24 bytes). */
		CHECK(wt_tls_conn_set_net_out_cap(p.c, 7) == 0, "7-byte outgoing side");
		r = wt_tls_shutdown(p.c);
		CHECK(r == -1 && wt_tls_get_error(p.c, r) == WT_TLS_ERROR_WANT_WRITE,
		      "%s: 1st call: -1, WANT_WRITE", answered ? "answered" : "first");
		CHECK(wt_tls_get_shutdown(p.c) & 1,
		      "SENT_SHUTDOWN set whether or not it went out");
		for (rounds = 0; rounds < 100; rounds++) {
			tp_move(p.c, p.s, 0);
			r = wt_tls_shutdown(p.c);
			if (!(r == -1 &&
			      wt_tls_get_error(p.c, r) == WT_TLS_ERROR_WANT_WRITE))
				break;
		}
		CHECK(r == answered && wt_tls_get_error(p.c, r) == WT_TLS_ERROR_NONE,
		      "%s: repeated call once drained: %d (got %d, error %d)",
		      answered ? "answered" : "first", answered, r,
		      wt_tls_get_error(p.c, r));
		tp_move(p.c, p.s, 0);
		if (!answered) {
			CHECK(wt_tls_read_ex(p.s, b, sizeof b, &n) == 0 &&
				      wt_tls_get_error(p.s, 0) ==
					      WT_TLS_ERROR_ZERO_RETURN,
			      "the peer got the whole close_notify");
			r = wt_tls_shutdown(p.c);
			CHECK(r == -1 &&
				      wt_tls_get_error(p.c, r) == WT_TLS_ERROR_WANT_READ,
			      "the call after it waits for the peer");
			/* BoGo Shutdown-Shim-KeyUpdate: the peer asks for a
			 * KeyUpdate and sends data before its close_notify; the
			 * waiting call takes the KeyUpdate (and drops the data)
			 * and sends nothing after its close_notify (RFC 8446
			 * 6.1: no data after it; the answer would be a record). */
			if (tls12())
				/* No KeyUpdate in TLS 1.2 (SSL_key_update fails),
				 * and the peer already answered our close_notify
				 * with its own (RFC 5246 7.2.1): no data either. */
				CHECK(wt_tls_key_update(p.s, 1) == 0 &&
					      wt_tls_write(p.s, 1,
							   (const uint8_t *)"late",
							   4) <= 0 &&
					      wt_tls_reason(p.s) ==
						      WT_TLS_ERR_PROTOCOL_SHUTDOWN,
				      "peer: no KeyUpdate in TLS 1.2, no data after its "
				      "close_notify");
			else
				CHECK(wt_tls_key_update(p.s, 1) == 1 &&
					      wt_tls_write(p.s, 1,
							   (const uint8_t *)"late",
							   4) == 4,
				      "peer: KeyUpdate requested, then data");
			CHECK(wt_tls_shutdown(p.s) == 1, "peer answers");
			tp_move(p.s, p.c, 0);
			CHECK(wt_tls_shutdown(p.c) == 1 && wt_tls_error_code(p.c) == 0,
			      "then 1: the KeyUpdate taken, as the data and close_notify "
			      "under the next key opened (%s)",
			      wt_tls_err_string(wt_tls_error_code(p.c)));
			CHECK(wt_tls_net_out_pending(p.c) == 0,
			      "nothing sent after our close_notify");
		} else {
			CHECK(wt_tls_shutdown(p.s) == 1,
			      "the peer gets our close_notify: 1");
			CHECK(wt_tls_shutdown(p.c) == 1, "later calls: 1");
		}
		tp_free(&p);
	}
}

static void test_fragmented_handshake(void)
{
	tpair p;
	tp_ctx(&p);
	tp_conns(&p);
	CHECK(tp_handshake_frag(&p, 1), "1-byte fragmentation of every message");
	tp_free(&p);
}

static void hostile_record(const char *what, void (*mut)(uint8_t *rec, size_t n),
			   uint32_t code)
{
	tpair p;
	uint8_t *o, *in, b[8];
	size_t n, room;
	setup(&p);
	CHECK(wt_tls_write(p.c, 1, (const uint8_t *)"hello", 5) == 5, "%s: write", what);
	o = wt_tls_net_out_buf(p.c, &n);
	mut(o, n);
	in = wt_tls_net_in_buf(p.s, &room);
	memcpy(in, o, n);
	wt_tls_net_in_ack(p.s, n);
	wt_tls_net_out_ack(p.c, n);
	CHECK(wt_tls_read_ex(p.s, b, sizeof b, &n) == 0 &&
		      wt_tls_get_error(p.s, 0) == WT_TLS_ERROR_SSL,
	      "%s: read fails", what);
	CHECK(wt_tls_error_code(p.s) == code, "%s: code %s", what,
	      wt_tls_err_string(wt_tls_error_code(p.s)));
	/* The alert went out; nothing else follows; the error sticks. */
	o = wt_tls_net_out_buf(p.s, &n);
	CHECK(n > 0, "%s: alert sent", what);
	wt_tls_net_out_ack(p.s, n);
	CHECK(wt_tls_write(p.s, 1, (const uint8_t *)"x", 1) <= 0 &&
		      wt_tls_error_code(p.s) == code && wt_tls_net_out_pending(p.s) == 0,
	      "%s: sticky, nothing more sent", what);
	tp_free(&p);
}

static void flip_body(uint8_t *r, size_t n)
{
	r[n - 3] ^= 0x40;
}
static void oversize(uint8_t *r, size_t n)
{
	(void)n;
	r[3] = 0x41;
	r[4] = 0x01;
}
static void bad_type(uint8_t *r, size_t n)
{
	(void)n;
	r[0] = 0x19;
}
static void plain_hs(uint8_t *r, size_t n)
{
	(void)n;
	r[0] = 22;
}

int main(void)
{
	test_want_write_all_or_nothing();
	test_partial_write();
	test_bad_retry();
	test_zero_length();
	test_conclude_and_shutdown();
	test_shutdown_want_write();
	test_fragmented_handshake();
	hostile_record("bad MAC", flip_body,
		       WT_TLS_ERR_SEND_ALERT + WT_ALERT_BAD_RECORD_MAC);
	hostile_record("oversized", oversize,
		       WT_TLS_ERR_SEND_ALERT + WT_ALERT_RECORD_OVERFLOW);
	hostile_record("unknown type", bad_type,
		       WT_TLS_ERR_SEND_ALERT + WT_ALERT_UNEXPECTED_MESSAGE);
	/* TLS 1.3 reads a record typed handshake as plaintext, which is
	 * out of place under keys; TLS 1.2 puts the type in the additional
	 * data (RFC 5246 6.2.3.3), so the record does not authenticate. */
	hostile_record("protected record typed handshake", plain_hs,
		       WT_TLS_ERR_SEND_ALERT +
			       (tls12() ? WT_ALERT_BAD_RECORD_MAC :
					  WT_ALERT_UNEXPECTED_MESSAGE));
	return t_done();
}
