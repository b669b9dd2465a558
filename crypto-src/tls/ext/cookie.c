/* cookie (RFC 8446 4.2.2): echoed from a HelloRetryRequest. This server
 * keeps its HRR state in the connection and sends no cookie. */
#include "../tls_inner.h"

static int recv(wt_tls_conn *c, uint32_t msg, wt_rd *b)
{
	wt_rd ck;
	if (wt_rd_vec(b, 2, &ck) || b->len || ck.len == 0)
		return FAIL(c, WT_ALERT_DECODE_ERROR, WT_TLS_R_DECODE);
	if (msg == M_HRR) {
		if (ck.len > WT_TLS_COOKIE_MAX)
			return FAIL(c, WT_ALERT_ILLEGAL_PARAMETER, WT_TLS_R_BAD_HRR);
		memcpy(c->cookie, ck.p, ck.len);
		c->cookielen = (uint32_t)ck.len;
	}
	return 0;
}

static void send(wt_tls_conn *c, uint32_t msg, wt_wr *w)
{
	size_t p;
	if (msg != M_CH || c->cookielen == 0)
		return;
	wt_wr_u16(w, EXT_COOKIE);
	wt_wr_u16(w, c->cookielen + 2);
	p = wt_wr_open(w, 2);
	wt_wr_bytes(w, c->cookie, c->cookielen);
	wt_wr_close(w, p, 2);
}

const wt_tls_ext wt_ext_cookie = { EXT_COOKIE, M_CH | M_HRR, recv, send };
