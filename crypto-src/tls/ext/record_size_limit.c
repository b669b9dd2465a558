/* record_size_limit (RFC 8449). */
#include "../tls_inner.h"

static int recv(wt_tls_conn *c, uint32_t msg, wt_rd *b)
{
	uint32_t v;
	(void)msg;
	if (wt_rd_u16(b, &v) || b->len)
		return FAIL(c, WT_ALERT_DECODE_ERROR, WT_TLS_R_DECODE);
	/* RFC 8449 4: "An endpoint MUST treat receipt of a smaller value
	 * [than 64] as a fatal error and generate an "illegal_parameter"
	 * alert." */
	if (v < 64)
		return FAIL(c, WT_ALERT_ILLEGAL_PARAMETER,
			    WT_TLS_R_BAD_RECORD_SIZE_LIMIT);
	c->peer_rsl = v;
	if (msg == M_SH12) {
		/* RFC 8449 4: in TLS 1.2 the limit counts the plaintext only. */
		c->send_frag = v < WT_TLS_MAX_PLAIN ? v : WT_TLS_MAX_PLAIN;
		c->recv_limit = c->ctx->rsl ? c->ctx->rsl : WT_TLS_MAX_PLAIN;
		return 0;
	}
	/* "In TLS 1.3 ... the value ... includes the content type and
	 * padding": v - 1 bytes of content per protected record. */
	c->send_frag = v - 1 < WT_TLS_MAX_PLAIN ? v - 1 : WT_TLS_MAX_PLAIN;
	/* Both sides know our limit now: enforce it on what we receive. */
	if (c->ctx->rsl)
		c->recv_limit = c->ctx->rsl;
	return 0;
}

static void send(wt_tls_conn *c, uint32_t msg, wt_wr *w)
{
	if (!c->ctx->rsl)
		return;
	if (msg == M_CH || ((msg == M_EE || msg == M_SH12) && c->peer_rsl)) {
		wt_wr_u16(w, EXT_RECORD_SIZE_LIMIT);
		wt_wr_u16(w, 2);
		wt_wr_u16(w, c->ctx->rsl);
	}
}

const wt_tls_ext wt_ext_record_size_limit = { EXT_RECORD_SIZE_LIMIT, M_CH | M_EE | M_SH12,
					      recv, send };
