/*
 * dispatch.c: handshake messages out of the bytes the pump collected in
 * hs_in: reassembly across records, the key-change alignment rule, and
 * dispatch of each whole message to the handler of the connection's
 * state (client, server, or after the handshake, post.c).
 *
 * Layer "dispatch" (see tls_inner.h): calls hs13_client.c, hs13_server.c,
 * hs12_client.c, hs12_server.c (while a TLS 1.2 handshake runs), post.c
 * and errors.c; called by the pump.
 */
#include "tls_inner.h"

int wt_hs_dispatch(wt_tls_conn *c)
{
	uint8_t *hs = wt_tls_hsin(c);
	while (!c->err && c->hsi_len >= 4) {
		size_t len = (size_t)hs[1] << 16 | (size_t)hs[2] << 8 | hs[3];
		uint32_t type = hs[0], epoch = c->rd_epoch;
		int r;
		if (len > c->hs_max)
			return FAIL(c, WT_ALERT_DECODE_ERROR, WT_TLS_R_HS_TOO_LARGE);
		if (c->hsi_len < 4 + len)
			break;
		/* RFC 8446 5.1: "Handshake messages MUST NOT span key changes.
		 * ... an implementation MUST verify that all messages
		 * immediately preceding a key change align with a record
		 * boundary; if not, then it MUST terminate the connection with
		 * an "unexpected_message" alert." Checked before the message is
		 * handled, so nothing goes out in answer to it: after a hello
		 * (our read key changes, or after a HelloRetryRequest the peer
		 * must wait for our answer), a Finished or a KeyUpdate, the
		 * record must end (hs_in holds the rest of the current record
		 * only, earlier messages being consumed). A TLS 1.2 ServerHello
		 * is no key change: it starts a flight (Certificate,
		 * ServerKeyExchange, ServerHelloDone may share its record), and
		 * TLS 1.2's key changes are ChangeCipherSpec records (pump.c).
		 * A ServerHelloDone ends the server's flight: the server waits
		 * for ours, so nothing of its next flight can follow it (as
		 * BoringSSL, EXCESS_HANDSHAKE_DATA). */
		if ((type == HS_CLIENT_HELLO ||
		     (type == HS_SERVER_HELLO && c->version != WT_TLS_VERSION_12 &&
		      wt_hs_sh_is_tls13(hs, 4 + len)) ||
		     type == HS_FINISHED || type == HS_KEY_UPDATE ||
		     type == HS_SERVER_HELLO_DONE) &&
		    c->hsi_len > 4 + len)
			return FAIL(c, WT_ALERT_UNEXPECTED_MESSAGE,
				    WT_TLS_R_HS_KEY_CHANGE);
		if (c->hs_done)
			r = wt_hs_post_msg(c, type, hs, 4 + len);
		else if (c->version == WT_TLS_VERSION_12)
			r = c->role == ROLE_CLIENT ?
				wt_hs12_client_msg(c, type, hs, 4 + len) :
				wt_hs12_server_msg(c, type, hs, 4 + len);
		else if (c->role == ROLE_CLIENT)
			r = wt_hs_client_msg(c, type, hs, 4 + len);
		else
			r = wt_hs_server_msg(c, type, hs, 4 + len);
		if (r == WT_HS_PAUSE)
			return 0;
		if (r < 0 || c->err)
			return -1;
		c->hsi_len -= 4 + len;
		memmove(hs, hs + 4 + len, c->hsi_len);
		/* The same rule, for any other message that changed the key. */
		if (epoch != c->rd_epoch && c->hsi_len > 0)
			return FAIL(c, WT_ALERT_UNEXPECTED_MESSAGE,
				    WT_TLS_R_HS_KEY_CHANGE);
	}
	return 0;
}
