/* session_ticket (RFC 5077 3.2), TLS 1.2 only. In a ClientHello: empty
 * (asking for a ticket) or a ticket to resume; in a ServerHello: empty,
 * announcing a NewSessionTicket. */
#include "../tls_inner.h"

static int recv(wt_tls_conn *c, uint32_t msg, wt_rd *b)
{
	if (msg == M_CH) {
		/* The ticket is opaque to everyone but its issuer; kept as a
		 * pointer into hs_in for hs12_server.c. */
		c->peer_ticket_ext = 1;
		c->peer_ticket = b->p;
		c->peer_ticketlen = b->len;
		return 0;
	}
	/* RFC 5077 3.2: the server's "SessionTicket extension ... MUST be
	 * empty". */
	if (b->len)
		return FAIL(c, WT_ALERT_DECODE_ERROR, WT_TLS_R_DECODE);
	c->peer_ticket_ext = 1;
	return 0;
}

static void send(wt_tls_conn *c, uint32_t msg, wt_wr *w)
{
	size_t p;
	if (msg == M_CH && c->ctx->min_version <= WT_TLS_VERSION_12) {
		wt_wr_u16(w, EXT_SESSION_TICKET);
		p = wt_wr_open(w, 2);
		/* A TLS 1.2 session's ticket, when that is what is offered. */
		if (c->have_sess && c->sess->version == WT_TLS_VERSION_12 &&
		    c->offered_sess12)
			wt_wr_bytes(w, c->sess->ticket, c->sess->ticketlen);
		wt_wr_close(w, p, 2);
	} else if (msg == M_SH12 && c->send_ticket) {
		wt_wr_u16(w, EXT_SESSION_TICKET);
		wt_wr_u16(w, 0);
	}
}

const wt_tls_ext wt_ext_session_ticket = { EXT_SESSION_TICKET, M_CH | M_SH12, recv,
					   send };
