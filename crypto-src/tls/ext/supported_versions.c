/* supported_versions (RFC 8446 4.2.1): TLS 1.3, and 1.2 beside it. */
#include "../tls_inner.h"

static int recv(wt_tls_conn *c, uint32_t msg, wt_rd *b)
{
	uint32_t v;
	if (msg == M_CH) {
		wt_rd list;
		/* ProtocolVersion versions<2..254> */
		if (wt_rd_vec(b, 1, &list) || b->len || list.len < 2 || (list.len & 1))
			return FAIL(c, WT_ALERT_DECODE_ERROR, WT_TLS_R_DECODE);
		while (list.len) {
			(void)wt_rd_u16(&list, &v);
			if (v == WT_TLS_VERSION_13)
				c->peer_versions_ok = 1;
			else if (v == WT_TLS_VERSION_12)
				c->peer_v12 = 1;
		}
		return 0;
	}
	if (wt_rd_u16(b, &v) || b->len)
		return FAIL(c, WT_ALERT_DECODE_ERROR, WT_TLS_R_DECODE);
	/* "If the "supported_versions" extension in the ServerHello contains
	 * a version not offered by the client or contains a version prior to
	 * TLS 1.3, the client MUST abort the handshake with an
	 * "illegal_parameter" alert." */
	if (v != 0x0304)
		return FAIL(c, WT_ALERT_ILLEGAL_PARAMETER, WT_TLS_R_NO_TLS13);
	c->peer_versions_ok = 1;
	return 0;
}

static void send(wt_tls_conn *c, uint32_t msg, wt_wr *w)
{
	if (msg == M_CH) {
		/* Our versions, newest first (RFC 8446 4.2.1: "in preference
		 * order, with the most preferred version first"). A client
		 * without TLS 1.3 sends none (handshake.c leaves the 1.3-only
		 * extensions out). */
		int v12 = c->ctx->min_version <= WT_TLS_VERSION_12;
		wt_wr_u16(w, EXT_SUPPORTED_VERSIONS);
		wt_wr_u16(w, v12 ? 5 : 3);
		wt_wr_u8(w, v12 ? 4 : 2);
		wt_wr_u16(w, WT_TLS_VERSION_13);
		if (v12)
			wt_wr_u16(w, WT_TLS_VERSION_12);
	} else if (msg == M_SH || msg == M_HRR) {
		wt_wr_u16(w, EXT_SUPPORTED_VERSIONS);
		wt_wr_u16(w, 2);
		wt_wr_u16(w, 0x0304);
	}
}

const wt_tls_ext wt_ext_supported_versions = { EXT_SUPPORTED_VERSIONS,
					       M_CH | M_SH | M_HRR, recv, send };
