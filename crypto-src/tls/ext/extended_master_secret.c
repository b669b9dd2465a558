/* extended_master_secret (RFC 7627 5.1), TLS 1.2 only: always offered by
 * our client, echoed by our server when offered. Its extension_data
 * "MUST be empty". */
#include "../tls_inner.h"

static int recv(wt_tls_conn *c, uint32_t msg, wt_rd *b)
{
	(void)msg;
	if (b->len)
		return FAIL(c, WT_ALERT_DECODE_ERROR, WT_TLS_R_DECODE);
	c->peer_ems = 1;
	return 0;
}

static void send(wt_tls_conn *c, uint32_t msg, wt_wr *w)
{
	if ((msg == M_CH && c->ctx->min_version <= WT_TLS_VERSION_12) ||
	    (msg == M_SH12 && c->ems)) {
		wt_wr_u16(w, EXT_EXTENDED_MASTER_SECRET);
		wt_wr_u16(w, 0);
	}
}

const wt_tls_ext wt_ext_extended_master_secret = { EXT_EXTENDED_MASTER_SECRET,
						   M_CH | M_SH12, recv, send };
