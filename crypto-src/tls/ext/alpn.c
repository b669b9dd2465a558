/* application_layer_protocol_negotiation (RFC 7301). */
#include "../tls_inner.h"

static int in_list(const uint8_t *l, size_t n, const uint8_t *p, size_t pl)
{
	size_t i = 0;
	while (i < n) {
		size_t k = l[i];
		if (k == pl && memcmp(l + i + 1, p, pl) == 0)
			return 1;
		i += 1 + k;
	}
	return 0;
}

static int recv(wt_tls_conn *c, uint32_t msg, wt_rd *b)
{
	wt_rd list, name, scan;
	const wt_tls_ctx *ctx = c->ctx;
	size_t i;
	/* ProtocolName protocol_name_list<2..2^16-1>, names <1..2^8-1> */
	if (wt_rd_vec(b, 2, &list) || b->len || list.len < 2)
		return FAIL(c, WT_ALERT_DECODE_ERROR, WT_TLS_R_DECODE);
	scan = list;
	while (scan.len)
		if (wt_rd_vec(&scan, 1, &name) || name.len == 0)
			return FAIL(c, WT_ALERT_DECODE_ERROR, WT_TLS_R_DECODE);
	if (msg == M_EE || msg == M_SH12) {
		/* RFC 7301 3.1: the server's list "MUST contain exactly one
		 * ProtocolName", one the client offered. */
		(void)wt_rd_vec(&list, 1, &name);
		if (list.len || !in_list(ctx->alpn, ctx->alpnlen, name.p, name.len))
			return FAIL(c, WT_ALERT_ILLEGAL_PARAMETER, WT_TLS_R_NO_ALPN);
		memcpy(c->alpn, name.p, name.len);
		c->alpnlen = (uint32_t)name.len;
		return 0;
	}
	if (ctx->alpnlen == 0)
		return 0;
	/* Server preference order. */
	for (i = 0; i < ctx->alpnlen; i += 1 + (size_t)ctx->alpn[i]) {
		if (in_list(list.p, list.len, ctx->alpn + i + 1, ctx->alpn[i])) {
			memcpy(c->alpn, ctx->alpn + i + 1, ctx->alpn[i]);
			c->alpnlen = ctx->alpn[i];
			return 0;
		}
	}
	/* RFC 7301 3.2: "the server SHALL respond with a fatal
	 * "no_application_protocol" alert." */
	return FAIL(c, WT_ALERT_NO_APPLICATION_PROTOCOL, WT_TLS_R_NO_ALPN);
}

static void send(wt_tls_conn *c, uint32_t msg, wt_wr *w)
{
	size_t p, q;
	if (msg == M_CH && c->ctx->alpnlen) {
		wt_wr_u16(w, EXT_ALPN);
		p = wt_wr_open(w, 2);
		q = wt_wr_open(w, 2);
		wt_wr_bytes(w, c->ctx->alpn, c->ctx->alpnlen);
		wt_wr_close(w, q, 2);
		wt_wr_close(w, p, 2);
	} else if ((msg == M_EE || msg == M_SH12) && c->alpnlen) {
		wt_wr_u16(w, EXT_ALPN);
		p = wt_wr_open(w, 2);
		q = wt_wr_open(w, 2);
		wt_wr_u8(w, c->alpnlen);
		wt_wr_bytes(w, c->alpn, c->alpnlen);
		wt_wr_close(w, q, 2);
		wt_wr_close(w, p, 2);
	}
}

const wt_tls_ext wt_ext_alpn = { EXT_ALPN, M_CH | M_EE | M_SH12, recv, send };
