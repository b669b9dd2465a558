/* server_name (RFC 6066 3). */
#include "../tls_inner.h"

static int recv(wt_tls_conn *c, uint32_t msg, wt_rd *b)
{
	wt_rd list, name;
	uint32_t type;
	if (msg == M_EE || msg == M_SH12) {
		/* "The "extension_data" field of this extension SHALL be
		 * empty." */
		if (b->len)
			return FAIL(c, WT_ALERT_DECODE_ERROR, WT_TLS_R_DECODE);
		return 0;
	}
	if (wt_rd_vec(b, 2, &list) || b->len || list.len == 0)
		return FAIL(c, WT_ALERT_DECODE_ERROR, WT_TLS_R_DECODE);
	c->snilen = 0;
	while (list.len) {
		if (wt_rd_u8(&list, &type) || wt_rd_vec(&list, 2, &name))
			return FAIL(c, WT_ALERT_DECODE_ERROR, WT_TLS_R_DECODE);
		if (type == 0 && c->snilen == 0) {
			if (name.len == 0 || name.len > 255)
				return FAIL(c, WT_ALERT_DECODE_ERROR, WT_TLS_R_DECODE);
			memcpy(c->sni, name.p, name.len);
			c->snilen = (uint32_t)name.len;
		}
	}
	return 0;
}

static void send(wt_tls_conn *c, uint32_t msg, wt_wr *w)
{
	size_t p, q, r;
	if (msg == M_CH && c->snilen) {
		wt_wr_u16(w, EXT_SERVER_NAME);
		p = wt_wr_open(w, 2);
		q = wt_wr_open(w, 2);
		wt_wr_u8(w, 0); /* host_name */
		r = wt_wr_open(w, 2);
		wt_wr_bytes(w, c->sni, c->snilen);
		wt_wr_close(w, r, 2);
		wt_wr_close(w, q, 2);
		wt_wr_close(w, p, 2);
	} else if ((msg == M_EE || msg == M_SH12) && c->snilen && !c->resumed) {
		/* The server acknowledges the name it received, on a full
		 * handshake only: RFC 6066 3, "When resuming a session, the
		 * server MUST NOT include a server_name extension in the server
		 * hello" (TLS 1.3 moved it to EncryptedExtensions; OpenSSL and
		 * BoringSSL leave it out of a resumed one). */
		wt_wr_u16(w, EXT_SERVER_NAME);
		wt_wr_u16(w, 0);
	}
}

const wt_tls_ext wt_ext_server_name = { EXT_SERVER_NAME, M_CH | M_EE | M_SH12, recv,
					send };
