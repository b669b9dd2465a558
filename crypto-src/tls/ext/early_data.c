/* early_data (RFC 8446 4.2.10). We never send or accept 0-RTT: a
 * ClientHello's extension makes the server skip the client's early data
 * (record.c); in a NewSessionTicket it only announces max_early_data_size
 * (ignored); in EncryptedExtensions it was never asked for, which the
 * extension-block walker refuses (unsupported_extension). */
#include "../tls_inner.h"

static int recv(wt_tls_conn *c, uint32_t msg, wt_rd *b)
{
	uint32_t max;
	if (msg == M_NST) {
		/* struct { uint32 max_early_data_size; } */
		if (wt_rd_u32(b, &max) || b->len)
			return FAIL(c, WT_ALERT_DECODE_ERROR, WT_TLS_R_DECODE);
		return 0;
	}
	/* ClientHello: struct {} Empty. */
	if (b->len)
		return FAIL(c, WT_ALERT_DECODE_ERROR, WT_TLS_R_DECODE);
	return 0;
}

static void send(wt_tls_conn *c, uint32_t msg, wt_wr *w)
{
	(void)c;
	(void)msg;
	(void)w;
}

const wt_tls_ext wt_ext_early_data = { EXT_EARLY_DATA, M_CH | M_EE | M_NST, recv, send };
