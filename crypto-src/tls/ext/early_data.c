/* early_data (RFC 8446 4.2.10). Client: sent in the first ClientHello
 * when early.c offers 0-RTT; in EncryptedExtensions it says the server
 * took it (early.c checks the rest), and when we did not offer it the
 * extension-block walker refuses it (unsupported_extension); in a
 * NewSessionTicket it gives max_early_data_size, kept with the session.
 * Server: a ClientHello's extension makes it skip the client's early
 * data (record.c) unless early_server.c accepts it. */
#include "../tls_inner.h"

static int recv(wt_tls_conn *c, uint32_t msg, wt_rd *b)
{
	uint32_t max;
	if (msg == M_NST) {
		/* struct { uint32 max_early_data_size; } */
		if (wt_rd_u32(b, &max) || b->len)
			return FAIL(c, WT_ALERT_DECODE_ERROR, WT_TLS_R_DECODE);
		c->nst_max_early = max;
		return 0;
	}
	/* ClientHello, EncryptedExtensions: struct {} Empty. */
	if (b->len)
		return FAIL(c, WT_ALERT_DECODE_ERROR, WT_TLS_R_DECODE);
	return 0;
}

static void send(wt_tls_conn *c, uint32_t msg, wt_wr *w)
{
	/* Never in a second ClientHello (4.2.10): early.c has then moved
	 * early_state on (wt_early_client_hrr). */
	if (msg == M_CH && c->early_state == EARLY_OFFERED) {
		wt_wr_u16(w, EXT_EARLY_DATA);
		wt_wr_u16(w, 0);
	}
	/* RFC 8446 4.2.10: a server accepting early data sends the extension
	 * (empty) in EncryptedExtensions (early_server.c decides). */
	if (msg == M_EE && c->role == ROLE_SERVER && c->early_state == EARLY_ACCEPTED) {
		wt_wr_u16(w, EXT_EARLY_DATA);
		wt_wr_u16(w, 0);
	}
}

const wt_tls_ext wt_ext_early_data = { EXT_EARLY_DATA, M_CH | M_EE | M_NST, recv, send };
