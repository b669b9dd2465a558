/* cookie (RFC 8446 4.2.2). Client: echoes the HelloRetryRequest's cookie
 * in the second ClientHello. Server: sends a fresh random cookie in every
 * HelloRetryRequest and requires it back unchanged. The server's state
 * stays in the connection (this is not a stateless HelloRetryRequest);
 * the cookie ties the second ClientHello to this HelloRetryRequest. */
#include "../tls_inner.h"

static int recv(wt_tls_conn *c, uint32_t msg, wt_rd *b)
{
	wt_rd ck;
	/* opaque cookie<1..2^16-1> */
	if (wt_rd_vec(b, 2, &ck) || b->len || ck.len == 0)
		return FAIL(c, WT_ALERT_DECODE_ERROR, WT_TLS_R_DECODE);
	if (msg == M_HRR) {
		if (ck.len > WT_TLS_COOKIE_MAX)
			return FAIL(c, WT_ALERT_ILLEGAL_PARAMETER, WT_TLS_R_BAD_HRR);
		memcpy(c->hs->cookie, ck.p, ck.len);
		c->hs->cookielen = (uint32_t)ck.len;
		return 0;
	}
	/* ClientHello: only a second one may carry our cookie ("Clients MUST
	 * NOT use cookies in their initial ClientHello in subsequent
	 * connections"; one in a first ClientHello is ignored). */
	if (c->state == ST_S_EXPECT_CH2) {
		if (ck.len != c->hs->cookielen ||
		    memcmp(ck.p, c->hs->cookie, ck.len) != 0)
			return FAIL(c, WT_ALERT_ILLEGAL_PARAMETER, WT_TLS_R_BAD_COOKIE);
		c->cookie_ok = 1;
	}
	return 0;
}

static void send(wt_tls_conn *c, uint32_t msg, wt_wr *w)
{
	size_t p;
	if (c->hs->cookielen == 0 ||
	    !((msg == M_CH && c->role == ROLE_CLIENT) ||
	      (msg == M_HRR && c->role == ROLE_SERVER)))
		return;
	wt_wr_u16(w, EXT_COOKIE);
	wt_wr_u16(w, c->hs->cookielen + 2);
	p = wt_wr_open(w, 2);
	wt_wr_bytes(w, c->hs->cookie, c->hs->cookielen);
	wt_wr_close(w, p, 2);
}

const wt_tls_ext wt_ext_cookie = { EXT_COOKIE, M_CH | M_HRR, recv, send };
