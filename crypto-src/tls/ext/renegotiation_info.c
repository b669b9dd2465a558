/* renegotiation_info (RFC 5746 3.2), TLS 1.2 only. We never renegotiate
 * (a HelloRequest or a second ClientHello is refused: hs12.c), so only
 * the initial handshake's form exists here: an empty
 * renegotiated_connection both ways. Sending it tells the peer we are
 * not vulnerable to the renegotiation splicing attack (RFC 5746 1). */
#include "../tls_inner.h"

static int recv(wt_tls_conn *c, uint32_t msg, wt_rd *b)
{
	wt_rd rc;
	(void)msg;
	/* opaque renegotiated_connection<0..255> */
	if (wt_rd_vec(b, 1, &rc) || b->len)
		return FAIL(c, WT_ALERT_DECODE_ERROR, WT_TLS_R_DECODE);
	/* RFC 5746 3.6 (server): "verify that ... the "renegotiated_connection"
	 * field is of zero length. If it is not, the server MUST abort the
	 * handshake" with handshake_failure; 3.4 (client): "verify that the
	 * length of the "renegotiated_connection" field is zero, and if it
	 * is not, MUST abort the handshake (by sending a fatal
	 * handshake_failure alert)". */
	if (rc.len != 0)
		return FAIL(c, WT_ALERT_HANDSHAKE_FAILURE,
			    WT_TLS_R_BAD_RENEGOTIATION_INFO);
	c->peer_reneg = 1;
	return 0;
}

static void send(wt_tls_conn *c, uint32_t msg, wt_wr *w)
{
	/* RFC 5746 3.4: the client "MUST include either an empty
	 * "renegotiation_info" extension, or the
	 * TLS_EMPTY_RENEGOTIATION_INFO_SCSV signaling cipher suite value";
	 * 3.6: a server that saw either "MUST include an empty
	 * "renegotiation_info" extension in the ServerHello message". */
	if ((msg == M_CH && c->ctx->min_version <= WT_TLS_VERSION_12) ||
	    (msg == M_SH12 && c->peer_reneg)) {
		wt_wr_u16(w, EXT_RENEGOTIATION_INFO);
		wt_wr_u16(w, 1);
		wt_wr_u8(w, 0);
	}
}

const wt_tls_ext wt_ext_renegotiation_info = { EXT_RENEGOTIATION_INFO, M_CH | M_SH12,
					       recv, send };
