/*
 * early_io.c: the client's 0-RTT verb and questions (OpenSSL's
 * SSL_write_early_data, SSL_get_early_data_status,
 * SSL_SESSION_get_max_early_data). The protocol side is early.c.
 *
 * Layer "verbs" (see tls_inner.h): calls pump.c, record.c, errors.c.
 */
#include "tls_inner.h"

static int refuse(wt_tls_conn *c)
{
	/* Not sticky: nothing was sent, the connection goes on (OpenSSL
	 * raises SSL_R_TOO_MUCH_EARLY_DATA / ERR_R_SHOULD_NOT_HAVE_BEEN_CALLED
	 * without failing the connection). */
	c->transient = WT_TLS_R_EARLY_DATA;
	c->last = WT_TLS_ERROR_SSL;
	return 0;
}

int wt_tls_write_early(wt_tls_conn *c, const uint8_t *buf, size_t len, size_t *written)
{
	size_t done = 0;
	*written = 0;
	/* A server never writes early data here (OpenSSL's server side of
	 * SSL_write_early_data, 0.5-RTT data, is not offered): refused before
	 * anything else, also while it waits for its first byte. */
	if (c->role == ROLE_SERVER)
		return refuse(c);
	if (!wt_tls_enter(c))
		return 0;
	if (c->role != ROLE_CLIENT)
		return refuse(c);
	/* RFC 8446 4.2.10: "the client MUST NOT send more than
	 * max_early_data_size bytes of 0-RTT data" (plaintext bytes, as
	 * OpenSSL and the server count them): refused before anything is
	 * sent, the first ClientHello included. */
	if (!c->have_sess || c->sess == NULL || c->sess->max_early == 0 ||
	    len > (size_t)(c->sess->max_early - c->early_sent))
		return refuse(c);
	if (c->state == ST_C_START) {
		/* SSL_write_early_data(3): the first call sends the ClientHello.
		 * Offered only with a session whose ticket allows early data
		 * (wt_early_client_offer); the pump builds the hello, seals it
		 * and switches the write side to the early key, and returns
		 * without waiting for the server. */
		c->early_want = 1;
		if (wt_tls_pump(c, PUMP_BUFFERED) <= 0)
			return 0;
		if (c->early_state != EARLY_OFFERED) {
			/* The session was not offered (expired, another suite
			 * or ALPN list): the handshake goes on without 0-RTT. */
			return refuse(c);
		}
	}
	/* 0-RTT goes under the early key until the server's Finished is read
	 * (then EndOfEarlyData went out: early.c); after a rejection the
	 * server would only skip it. */
	if (!c->early_wr ||
	    (c->early_state != EARLY_OFFERED && c->early_state != EARLY_ACCEPTED))
		return refuse(c);
	while (done < len) {
		size_t n = len - done;
		/* One record at a time, each flushed before the next is sealed:
		 * a full outgoing side ends the call with what was sealed. */
		if (!wt_tls_flush(c))
			break;
		if (n > c->send_frag)
			n = c->send_frag;
		if (wt_tls_seal(c, CT_APPDATA, buf + done, n))
			return 0;
		done += n;
		c->early_sent += (uint32_t)n;
	}
	(void)wt_tls_flush(c);
	if (done == 0 && len > 0) {
		c->last = WT_TLS_ERROR_WANT_WRITE;
		return 0;
	}
	*written = done;
	c->last = WT_TLS_ERROR_NONE;
	return 1;
}

uint32_t wt_tls_get_early_data_status(const wt_tls_conn *c)
{
	/* OpenSSL marks early data REJECTED when it offers it and ACCEPTED
	 * when the server's EncryptedExtensions says so. */
	return c->early_state == EARLY_ACCEPTED ? WT_TLS_EARLY_DATA_ACCEPTED :
		c->early_state == EARLY_NONE    ? WT_TLS_EARLY_DATA_NOT_SENT :
						  WT_TLS_EARLY_DATA_REJECTED;
}

uint32_t wt_tls_get_max_early_data(const wt_tls_conn *c)
{
	return c->have_sess && c->sess ? c->sess->max_early : 0;
}

int wt_tls_read_early(wt_tls_conn *c, uint8_t *buf, size_t len, size_t *readbytes)
{
	size_t n;
	*readbytes = 0;
	/* SSL_read_early_data(3) is a server's call, before the handshake
	 * (the first call asks for early data: early_server.c accepts 0-RTT
	 * only then, as OpenSSL). */
	if (c->role == ROLE_CLIENT || (c->hs_seen_ch && !c->early_want)) {
		refuse(c);
		return WT_TLS_READ_EARLY_ERROR;
	}
	c->early_want = 1;
	if (!wt_tls_enter(c))
		return WT_TLS_READ_EARLY_ERROR;
	if (c->role != ROLE_SERVER) {
		refuse(c);
		return WT_TLS_READ_EARLY_ERROR;
	}
	if (wt_tls_pump(c, PUMP_EARLY) <= 0)
		return WT_TLS_READ_EARLY_ERROR;
	c->last = WT_TLS_ERROR_NONE;
	if (c->app_len == 0 || !wt_early_server_pending(c))
		/* "SSL_READ_EARLY_DATA_FINISH is returned ... no more early
		 * data": the host goes on with the handshake. */
		return WT_TLS_READ_EARLY_FINISH;
	n = len < c->app_len ? len : c->app_len;
	memcpy(buf, wt_tls_in(c) + c->app_off, n);
	c->app_off += n;
	c->app_len -= n;
	*readbytes = n;
	return WT_TLS_READ_EARLY_SUCCESS;
}
