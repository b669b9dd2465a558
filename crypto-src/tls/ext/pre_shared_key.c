/* pre_shared_key (RFC 8446 4.2.11): one resumption ticket offered. The
 * binder is written as zeros here and patched by the ClientHello builder
 * once the truncated message can be hashed. */
#include "../tls_inner.h"

static int recv(wt_tls_conn *c, uint32_t msg, wt_rd *b)
{
	uint32_t sel;
	if (msg == M_CH) {
		c->psk_ext = b->p;
		c->psk_extlen = b->len;
		b->len = 0;
		return 0;
	}
	if (wt_rd_u16(b, &sel) || b->len)
		return FAIL(c, WT_ALERT_DECODE_ERROR, WT_TLS_R_DECODE);
	c->psk_selected = sel;
	return 0;
}

static void send(wt_tls_conn *c, uint32_t msg, wt_wr *w)
{
	size_t p, q, r;
	if (msg == M_CH && c->offered_psk) {
		uint32_t h, a, k;
		size_t hl;
		/* RFC 8446 4.2.11.1: obfuscated_ticket_age = age in ms +
		 * ticket_age_add, mod 2^32. */
		uint32_t age =
			(uint32_t)(wt_now() - c->sess->received_ms) + c->sess->age_add;
		(void)wt_ks_suite_params(c->sess->suite, &h, &a, &k);
		hl = wt_hash_len(h);
		wt_wr_u16(w, EXT_PRE_SHARED_KEY);
		p = wt_wr_open(w, 2);
		q = wt_wr_open(w, 2);
		r = wt_wr_open(w, 2);
		wt_wr_bytes(w, c->sess->ticket, c->sess->ticketlen);
		wt_wr_close(w, r, 2);
		wt_wr_u32(w, age);
		wt_wr_close(w, q, 2);
		q = wt_wr_open(w, 2);
		r = wt_wr_open(w, 1);
		for (; hl > 0; hl--)
			wt_wr_u8(w, 0);
		wt_wr_close(w, r, 1);
		wt_wr_close(w, q, 2);
		wt_wr_close(w, p, 2);
	} else if (msg == M_SH && c->resumed) {
		/* uint16 selected_identity */
		wt_wr_u16(w, EXT_PRE_SHARED_KEY);
		wt_wr_u16(w, 2);
		wt_wr_u16(w, c->psk_index_sel);
	}
}

const wt_tls_ext wt_ext_pre_shared_key = { EXT_PRE_SHARED_KEY, M_CH | M_SH, recv, send };
