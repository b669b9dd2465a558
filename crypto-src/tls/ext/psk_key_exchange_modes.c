/* psk_key_exchange_modes (RFC 8446 4.2.9): psk_dhe_ke (1) only. */
#include "../tls_inner.h"

static int recv(wt_tls_conn *c, uint32_t msg, wt_rd *b)
{
	wt_rd list;
	uint32_t m;
	(void)msg;
	if (wt_rd_vec(b, 1, &list) || b->len || list.len == 0)
		return FAIL(c, WT_ALERT_DECODE_ERROR, WT_TLS_R_DECODE);
	while (list.len) {
		(void)wt_rd_u8(&list, &m);
		if (m == 1)
			c->psk_modes_ok = 1;
	}
	return 0;
}

/* Sent in every ClientHello, with or without a PSK offered: it also
 * tells the server which tickets are of use to us (4.2.9: "Servers
 * SHOULD NOT send NewSessionTicket with tickets that are not compatible
 * with the advertised modes"), and it must not vanish from a second
 * ClientHello that drops an incompatible PSK (4.1.2). */
static void send(wt_tls_conn *c, uint32_t msg, wt_wr *w)
{
	if (msg != M_CH || c->role != ROLE_CLIENT)
		return;
	wt_wr_u16(w, EXT_PSK_KEY_EXCHANGE_MODES);
	wt_wr_u16(w, 2);
	wt_wr_u8(w, 1);
	wt_wr_u8(w, 1);
}

const wt_tls_ext wt_ext_psk_modes = { EXT_PSK_KEY_EXCHANGE_MODES, M_CH, recv, send };
