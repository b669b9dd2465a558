/* ec_point_formats (RFC 8422 5.1.2), TLS 1.2 only: we send and accept
 * uncompressed points only (RFC 8422 5.1.2: "uncompressed" is the one
 * format every implementation supports; the others are deprecated). */
#include "../tls_inner.h"

static int recv(wt_tls_conn *c, uint32_t msg, wt_rd *b)
{
	wt_rd list;
	uint32_t f;
	(void)msg;
	/* ECPointFormat ec_point_format_list<1..2^8-1> */
	if (wt_rd_vec(b, 1, &list) || b->len || list.len == 0)
		return FAIL(c, WT_ALERT_DECODE_ERROR, WT_TLS_R_DECODE);
	c->peer_point_ok = 2;
	while (list.len) {
		(void)wt_rd_u8(&list, &f);
		if (f == 0)
			c->peer_point_ok = 1;
	}
	/* Without uncompressed the peer cannot take our points; whether that
	 * matters is known once TLS 1.2 is chosen (hs12*.c: illegal_parameter,
	 * as RFC 8422 5.1.2 has a client do). A TLS 1.3 hello ignores it. */
	return 0;
}

static void send(wt_tls_conn *c, uint32_t msg, wt_wr *w)
{
	/* RFC 8422 5.2: the server includes it in a ServerHello for an ECC
	 * suite when the client sent one. */
	if ((msg == M_CH && c->ctx->min_version <= WT_TLS_VERSION_12) ||
	    (msg == M_SH12 && c->peer_point_ok == 1)) {
		wt_wr_u16(w, EXT_EC_POINT_FORMATS);
		wt_wr_u16(w, 2);
		wt_wr_u8(w, 1);
		wt_wr_u8(w, 0); /* uncompressed */
	}
}

const wt_tls_ext wt_ext_ec_point_formats = { EXT_EC_POINT_FORMATS, M_CH | M_SH12, recv,
					     send };
