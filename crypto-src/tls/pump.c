/*
 * pump.c: the ONE pump (BearSSL ssl_io.c run_until(): flush what is
 * pending, stop at the target state, else read records). Every verb -
 * SSL_do_handshake, SSL_read, SSL_write's "a call to a write function can
 * also cause read operations", SSL_shutdown - runs it with the goal it
 * waits for; it is the one place that interprets what the record layer
 * reports, applies the policy of which record may come when
 * (change_cipher_spec, alerts in the clear, interleaving, application
 * data before the handshake completes), hands handshake bytes to the
 * handshake layer, and turns "no record yet" into WANT_READ or, after the
 * transport ended, into the truncation error.
 *
 * Layer "pump" (see tls_inner.h): calls dispatch.c, hs13_client.c (the
 * client's first flight), record.c and errors.c; called by engine.c and
 * write.c.
 */
#include "tls_inner.h"

int wt_tls_enter(wt_tls_conn *c)
{
	c->transient = 0;
	c->last = WT_TLS_ERROR_SSL;
	if (c->err) {
		/* Let the alert drain; do nothing else. */
		if (c->arena)
			(void)wt_tls_flush(c);
		return 0;
	}
	if (c->arena == NULL) {
		/* A server that has received nothing waits for its first byte
		 * without buffers (wt_tls_conn_awaiting_first). */
		if (wt_tls_conn_awaiting_first(c)) {
			c->last = WT_TLS_ERROR_WANT_READ;
			return 0;
		}
		c->transient = WT_TLS_ERR_NO_BUFFERS;
		return 0;
	}
	if (c->role == ROLE_UNSET) {
		/* SSL_write(3)/SSL_read(3): "If the underlying BIO is ... and
		 * SSL_set_connect_state() or SSL_set_accept_state() has not
		 * yet been called" - a clear error instead. */
		c->transient = WT_TLS_ERR_NO_STATE;
		return 0;
	}
	return 1;
}

/* A record that carried something: application data, or handshake bytes
 * while the handshake runs. The counts of what carried nothing start
 * again (tls_inner.h WT_TLS_MAX_EMPTY). */
static void progress(wt_tls_conn *c)
{
	c->idle_empty = 0;
	c->idle_warn = 0;
	c->idle_ku = 0;
	c->idle_nst = 0;
}

/* One more empty or dropped record. RFC 8446 5 lets a CCS be dropped
 * "at any time" and 5.4 allows zero-length application data ("may be
 * sent as they are potentially useful as a traffic analysis
 * countermeasure"), but neither gives a peer the right to keep us
 * working without end (CVE-2016-8610): past WT_TLS_MAX_EMPTY in a row,
 * unexpected_message, as BoringSSL (TOO_MANY_EMPTY_FRAGMENTS). 0 or -1. */
static int idle_empty(wt_tls_conn *c)
{
	if (++c->idle_empty > WT_TLS_MAX_EMPTY)
		return FAIL(c, WT_ALERT_UNEXPECTED_MESSAGE, WT_TLS_R_TOO_MANY_EMPTY);
	return 0;
}

/* An alert record's content (RFC 8446 6). 1 consumed, -1 fatal. */
static int got_alert(wt_tls_conn *c, const uint8_t *p, size_t n)
{
	/* RFC 8446 5.1: "Alert messages MUST NOT be fragmented across
	 * records, and multiple alert messages MUST NOT be coalesced into a
	 * single TLSPlaintext record." */
	if (n != 2)
		return FAIL(c, WT_ALERT_DECODE_ERROR, WT_TLS_R_DECODE);
	if (p[1] == WT_ALERT_CLOSE_NOTIFY) {
		c->shut |= SHUT_RECEIVED;
		/* RFC 5246 7.2.1: "The other party MUST respond with a
		 * close_notify alert of its own and close down the connection
		 * immediately, discarding any pending writes." (TLS 1.3 made
		 * closure per direction, RFC 8446 6.1.) Sealed here, sent as
		 * the verb returns (engine.c flushes). */
		if (c->version == WT_TLS_VERSION_12 && c->hs_done &&
		    !(c->shut & SHUT_SENT)) {
			c->shut |= SHUT_SENT;
			if (wt_tls_send_alert(c, 1, WT_ALERT_CLOSE_NOTIFY))
				return -1;
		}
		return 1;
	}
	/* RFC 8446 6.1: user_canceled "SHOULD be followed by a close_notify";
	 * it is not an error by itself. */
	if (p[1] == WT_ALERT_USER_CANCELED) {
		/* A peer that cancels and never closes is counted like any
		 * record that carries nothing; OpenSSL (CVE-2016-8610) and
		 * BoringSSL (TOO_MANY_WARNING_ALERTS) cap these warnings. */
		if (++c->idle_warn > WT_TLS_MAX_WARNINGS)
			return FAIL(c, WT_ALERT_UNEXPECTED_MESSAGE,
				    WT_TLS_R_TOO_MANY_WARNINGS);
		return 1;
	}
	/* RFC 5246 7.2: a warning alert (level 1) does not end a TLS 1.2
	 * connection ("If an alert with a level of warning is sent and
	 * received, generally the connection can continue normally"), nor
	 * one before the version is known when TLS 1.2 may be it (a TLS 1.2
	 * server's unrecognized_name warning comes before its ServerHello);
	 * counted with user_canceled, so a run of them cannot keep us busy. */
	if ((c->version == WT_TLS_VERSION_12 ||
	     (c->version == 0 && c->ctx->min_version <= WT_TLS_VERSION_12)) &&
	    p[0] == 1) {
		if (++c->idle_warn > WT_TLS_MAX_WARNINGS)
			return FAIL(c, WT_ALERT_UNEXPECTED_MESSAGE,
				    WT_TLS_R_TOO_MANY_WARNINGS);
		return 1;
	}
	/* RFC 8446 6: "Unknown Alert types MUST be treated as error alerts";
	 * 6.2: on receiving an error alert, "the connection MUST be
	 * terminated"; nothing is sent back. */
	return wt_tls_fail_code(c, NO_ALERT, WT_TLS_ERR_RECV_ALERT + p[1], 0);
}

/* One record from the record layer through the policy. 1 one was
 * consumed, 0 none is complete yet, -1 fatal. */
static int take_record(wt_tls_conn *c)
{
	wt_rec_in in;
	int r = wt_rec_read(c, &in);
	if (r == WT_REC_ERROR)
		return wt_tls_fail(c, in.alert, in.reason);
	if (r == WT_REC_NONE)
		return 0;
	if (r == WT_REC_SKIPPED)
		return 1;

	if (in.type == CT_CCS && c->version == WT_TLS_VERSION_12) {
		/* RFC 5246 7.1: "The message consists of a single byte of
		 * value 1"; it switches the read side to the pending keys, so
		 * it may come at one point of the handshake only (the role's
		 * handler checks the state: CVE-2014-0224 was a CCS taken
		 * early), and never inside a fragmented handshake message
		 * (the keys would change under it) nor after the handshake
		 * (we do not renegotiate). */
		if (in.len != 1 || in.body[0] != 1 || c->hsi_len > 0 || c->hs_done)
			return FAIL(c, WT_ALERT_UNEXPECTED_MESSAGE, WT_TLS_R_BAD_CCS);
		progress(c);
		return (c->role == ROLE_CLIENT ? wt_hs12_client_ccs(c) :
						 wt_hs12_server_ccs(c)) ?
			-1 :
			1;
	}
	if (in.type == CT_CCS) {
		/* RFC 8446 5: "An implementation may receive an unencrypted
		 * record of type change_cipher_spec consisting of the single
		 * byte value 0x01 at any time after the first ClientHello
		 * message has been sent or received and before the peer's
		 * Finished message has been received and MUST simply drop it
		 * ... An implementation which receives any other
		 * change_cipher_spec value or which receives a protected
		 * change_cipher_spec record MUST abort the handshake with an
		 * "unexpected_message" alert." A CCS inside a fragmented
		 * handshake message breaks 5.1's no-interleaving rule. */
		if (in.len != 1 || in.body[0] != 1 || !c->hs_seen_ch ||
		    c->state == ST_CONNECTED || c->hsi_len > 0)
			return FAIL(c, WT_ALERT_UNEXPECTED_MESSAGE, WT_TLS_R_BAD_CCS);
		return idle_empty(c) ? -1 : 1;
	}
	if (!in.prot && in.type == CT_APPDATA)
		/* Application data is only valid under application keys. */
		return FAIL(c, WT_ALERT_UNEXPECTED_MESSAGE, WT_TLS_R_BAD_RECORD_TYPE);
	if (!in.prot && c->rd.active && !(in.type == CT_ALERT && !c->hs_done))
		/* RFC 8446 5.2: "the outer opaque_type field of a TLSCiphertext
		 * record is always set to the value 23 (application_data)".
		 * RFC 8446 6: alerts "are encrypted as specified by the current
		 * connection state" - the sender's. A peer that fails before it
		 * has our ServerHello (or before it derived keys) can only
		 * alert in plaintext while we already read with handshake
		 * keys; during the handshake such an alert is taken as what it
		 * says (ending the connection, as anyone on the path could
		 * anyway), after it it is a record-type violation. */
		return FAIL(c, WT_ALERT_UNEXPECTED_MESSAGE, WT_TLS_R_BAD_RECORD_TYPE);

	/* RFC 8446 5.1: "Handshake messages MUST NOT be interleaved with other
	 * record types." */
	if (in.type != CT_HANDSHAKE && c->hsi_len > 0)
		return FAIL(c, WT_ALERT_UNEXPECTED_MESSAGE, WT_TLS_R_UNEXPECTED_MESSAGE);
	/* RFC 8446 5.4: "Implementations MUST NOT send Handshake and Alert
	 * records that have a zero-length TLSInnerPlaintext.content; if such
	 * a message is received, the receiving implementation MUST terminate
	 * the connection with an "unexpected_message" alert." 5.1 says the
	 * same of zero-length handshake fragments in the clear; an empty
	 * alert in the clear is refused alike (as OpenSSL does), before the
	 * two-byte rule of got_alert would call it decode_error. */
	if ((in.type == CT_HANDSHAKE || in.type == CT_ALERT) && in.len == 0)
		return FAIL(c, WT_ALERT_UNEXPECTED_MESSAGE, WT_TLS_R_EMPTY_RECORD);

	if (in.type == CT_ALERT)
		return got_alert(c, in.body, in.len);

	if (in.type == CT_HANDSHAKE) {
		/* Handshake bytes move the handshake on; after it, what a
		 * message changes is counted by post.c, message by message. */
		if (!c->hs_done)
			progress(c);
		/* hs_in grows to hold the message (at most hs_max + 4 bytes:
		 * wt_hs_dispatch refuses a longer one from its header) and the
		 * rest of this record. */
		if (wt_tls_hsin_reserve(c, c->hsi_len + in.len))
			return wt_tls_fail(c, WT_ALERT_INTERNAL_ERROR,
					   WT_TLS_ERR_NO_BUFFERS);
		memcpy(wt_tls_hsin(c) + c->hsi_len, in.body, in.len);
		c->hsi_len += in.len;
		return wt_hs_dispatch(c) < 0 ? -1 : 1;
	}

	/* Application data: only under application traffic keys, or as
	 * accepted 0-RTT (early_server.c). */
	if (!c->hs_done && wt_early_server_data(c, in.len))
		return -1;
	if (in.len == 0)
		return idle_empty(c) ? -1 : 1;
	progress(c);
	c->app_off = (size_t)(in.body - wt_tls_in(c));
	c->app_len = in.len;
	return 1;
}

static int pump(wt_tls_conn *c, enum wt_pump_goal goal)
{
	int r, took = 0;
	uint32_t was_done;
	for (;;) {
		if (c->err)
			return -1;
		if (!c->hs_done) {
			/* The handshake's regions exist while it runs (see
			 * buffers.c), from the first byte on for a server; only a
			 * failed malloc stops that. */
			if (!wt_tls_conn_awaiting_first(c) && wt_tls_hs_acquire(c))
				return wt_tls_fail(c, WT_ALERT_INTERNAL_ERROR,
						   WT_TLS_ERR_NO_MEMORY);
			/* Our flight goes out before we wait for the peer's
			 * answer. */
			if (!wt_tls_flush(c)) {
				c->last = WT_TLS_ERROR_WANT_WRITE;
				return 0;
			}
			if (c->role == ROLE_CLIENT && c->state == ST_C_START) {
				if (wt_hs_client_start(c))
					return -1;
				continue;
			}
			/* A message left waiting for the host's verdict, or
			 * for its signature (keyop.c). */
			if ((c->verify_state == VERIFY_ANSWERED ||
			     (c->keyop && c->keyop->state != KEYOP_WAITING)) &&
			    c->hsi_len > 0) {
				if (wt_hs_dispatch(c))
					return -1;
				continue;
			}
			if (c->verify_state == VERIFY_WAITING) {
				c->last = WT_TLS_ERROR_WANT_RETRY_VERIFY;
				return 0;
			}
			if (c->keyop) {
				c->last = WT_TLS_ERROR_WANT_PRIVATE_KEY_OPERATION;
				return 0;
			}
		} else if (goal == PUMP_HANDSHAKE) {
			/* What is still staged (our Finished) is the caller's
			 * to flush: a pending write must see its retry checked,
			 * not a WANT_WRITE from here. */
			return 1;
		}
		if (goal == PUMP_CLOSE) {
			/* The app asked to close: data before the close_notify
			 * is dropped. */
			c->app_len = 0;
			if (c->shut & SHUT_RECEIVED)
				return 1;
		}
		if (c->app_len > 0 && (goal == PUMP_APPDATA || goal == PUMP_BUFFERED))
			return 1;
		/* SSL_read_early_data: early data, or none can come any more. */
		if (goal == PUMP_EARLY && (c->app_len > 0 || !wt_early_server_pending(c)))
			return 1;
		if (c->shut & SHUT_RECEIVED) {
			/* RFC 8446 6.1: "Any data received after a closure alert
			 * has been received MUST be ignored": no record is read
			 * past it. SSL_get_error(3) ZERO_RETURN: "The TLS/SSL
			 * peer has closed the connection for writing by sending
			 * the close_notify alert." */
			if (goal == PUMP_BUFFERED)
				return 1;
			c->last = WT_TLS_ERROR_ZERO_RETURN;
			return 0;
		}
		if (goal == PUMP_APPDATA && took && !(c->mode & WT_TLS_MODE_AUTO_RETRY)) {
			/* SSL_CTX_set_mode(3): without AUTO_RETRY, "SSL_read()
			 * ... will return with -1 and SSL_ERROR_WANT_READ" after
			 * processing non-application data. */
			c->last = WT_TLS_ERROR_WANT_READ;
			return 0;
		}
		was_done = c->hs_done;
		r = take_record(c);
		if (r < 0)
			return -1;
		if (r == 0) {
			if (goal == PUMP_BUFFERED)
				return 1;
			if (c->eof)
				/* Transport ended without close_notify: truncation
				 * (SSL_ERROR_SYSCALL with EOF). */
				return wt_tls_fail(c, NO_ALERT,
						   WT_TLS_ERR_UNEXPECTED_EOF);
			c->last = WT_TLS_ERROR_WANT_READ;
			return 0;
		}
		/* Records that completed the handshake are the handshake's;
		 * AUTO_RETRY is about those that come after it. */
		if (was_done)
			took = 1;
	}
}

int wt_tls_pump(wt_tls_conn *c, enum wt_pump_goal goal)
{
	int r = pump(c, goal);
	/* What the handshake no longer needs goes back as soon as it is
	 * empty (a post-handshake message consumed, the handshake done). */
	wt_tls_hs_trim(c);
	return r;
}
