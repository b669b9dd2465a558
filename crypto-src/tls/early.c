/*
 * early.c: 0-RTT early data, the client's side (RFC 8446 2.3, 4.2.10).
 *
 * A client holding a session whose ticket allowed early data
 * (NewSessionTicket's early_data extension, 4.6.1: max_early_data_size)
 * offers early_data in its ClientHello when the host writes early data,
 * then seals application data under client_early_traffic_secret (7.1)
 * right after the ClientHello. The server's EncryptedExtensions says
 * whether it took it (an empty early_data extension); if so the client
 * ends it with EndOfEarlyData under the same key once the server's
 * Finished is in (4.5), else nothing was delivered: the host is told by
 * wt_tls_get_early_data_status and sends the bytes again after the
 * handshake if it wants them delivered.
 *
 * Layer "shared" (see tls_inner.h): called by hs13_client.c and the
 * verb in early_io.c; calls handshake.c, errors.c, the key schedule.
 */
#include "tls_inner.h"

/* 1 when the offered session may carry early data with this context. */
static int session_allows_early(const wt_tls_conn *c)
{
	const wt_tls_ctx *ctx = c->ctx;
	size_t i;
	if (!c->offered_psk || c->sess->version != WT_TLS_VERSION_13 ||
	    c->sess->max_early == 0)
		return 0;
	/* RFC 8446 4.2.10: the server accepts early data only when "the
	 * selected ALPN protocol" is the one of the session, so early data
	 * is sent under that protocol: the client must offer it (a session
	 * without ALPN: only when we offer none either, since a server then
	 * cannot pick one for the early data). */
	if (c->sess->alpnlen == 0)
		return ctx->alpnlen == 0;
	for (i = 0; i < ctx->alpnlen; i += 1 + (size_t)ctx->alpn[i])
		if (ctx->alpn[i] == c->sess->alpnlen &&
		    memcmp(ctx->alpn + i + 1, c->sess->alpn, c->sess->alpnlen) == 0)
			return 1;
	return 0;
}

void wt_early_client_offer(wt_tls_conn *c)
{
	c->early_state =
		(c->early_want && session_allows_early(c)) ? EARLY_OFFERED : EARLY_NONE;
	c->early_sent = 0;
}

int wt_early_client_keys(wt_tls_conn *c)
{
	/* RFC 8446 7.1: client_early_traffic_secret = Derive-Secret(Early
	 * Secret, "c e traffic", ClientHello), the Early Secret of the PSK
	 * offered first (build_client_hello made it for the binder), under
	 * that session's suite: 4.2.10 "the client ... MUST use the same
	 * cipher suite" as the session for early data. The connection has
	 * no suite yet (the ServerHello picks it): the record layer is given
	 * the session's for this one key, and both transcript hashes still
	 * run (transcript.c). */
	uint32_t hash, aead, keylen, saved[4];
	uint8_t th[WT_HASH_MAX_LEN], secret[WT_HASH_MAX_LEN];
	int r;
	if (c->early_state != EARLY_OFFERED)
		return 0;
	(void)wt_ks_suite_params(c->sess->suite, &hash, &aead, &keylen);
	wt_hash_out(hash == WT_SHA384 ? &c->hs->th384 : &c->hs->th, th);
	if (wt_derive_secret(hash, c->hs->ks_e.secret, "c e traffic", 11, th, secret))
		return FAIL(c, WT_ALERT_INTERNAL_ERROR, WT_TLS_ERR_INTERNAL);
	saved[0] = c->hash;
	saved[1] = c->hashlen;
	saved[2] = c->aead;
	saved[3] = c->keylen;
	c->hash = hash;
	c->hashlen = (uint32_t)wt_hash_len(hash);
	c->aead = aead;
	c->keylen = keylen;
	r = wt_tls_set_keys(c, &c->wr, secret);
	/* Key log (Wireshark opens the 0-RTT records with it); OpenSSL's
	 * client logs it first too. */
	wt_tls_keylog_put(c, WT_TLS_KEYLOG_CLIENT_EARLY_TRAFFIC_SECRET, secret);
	c->hash = saved[0];
	c->hashlen = saved[1];
	c->aead = saved[2];
	c->keylen = saved[3];
	wt_wipe(secret, sizeof secret);
	if (r)
		return -1;
	c->early_wr = 1;
	return 0;
}

void wt_early_client_hrr(wt_tls_conn *c)
{
	/* RFC 8446 4.2.10: "A client MUST NOT include the "early_data"
	 * extension in its followup ClientHello" and a server that sends a
	 * HelloRetryRequest has rejected the early data; the second
	 * ClientHello goes in the clear, as the first did. */
	if (c->early_state == EARLY_OFFERED)
		c->early_state = EARLY_REJECTED;
	if (c->early_wr) {
		wt_wipe(&c->wr, sizeof c->wr);
		c->early_wr = 0;
	}
}

int wt_early_client_ee(wt_tls_conn *c)
{
	if (c->early_state != EARLY_OFFERED)
		return 0;
	if (!wt_hs_ext_seen(c, EXT_EARLY_DATA)) {
		c->early_state = EARLY_REJECTED;
		return 0;
	}
	/* RFC 8446 4.2.10: a server accepting early data must have "selected
	 * the first key offered in the client's "pre_shared_key" extension",
	 * with "the same cipher suite" and "the same ALPN" as the session
	 * (in 4.2.10's words the client "MUST verify that the server
	 * selected the same cipher suite and ALPN" ... else
	 * illegal_parameter; BoringSSL's runner checks the ALPN part). */
	if (!c->resumed || c->suite != c->sess->suite || c->alpnlen != c->sess->alpnlen ||
	    memcmp(c->alpn, c->sess->alpn, c->alpnlen) != 0)
		return FAIL(c, WT_ALERT_ILLEGAL_PARAMETER, WT_TLS_R_EARLY_DATA);
	c->early_state = EARLY_ACCEPTED;
	return 0;
}

int wt_early_client_end(wt_tls_conn *c)
{
	/* RFC 8446 4.5: "If the server sent an "early_data" extension in
	 * EncryptedExtensions, the client MUST send an EndOfEarlyData message
	 * after receiving the server Finished ... This message is encrypted
	 * under keys derived from the client_early_traffic_secret." It is part
	 * of the transcript (4.4.1) before the client's Certificate. */
	if (c->early_state == EARLY_ACCEPTED &&
	    (wt_hs_put(c, HS_END_OF_EARLY_DATA, NULL, 0, 1) || wt_hs_flush(c)))
		return -1;
	if (c->early_wr) {
		c->early_wr = 0;
		return wt_tls_set_keys(c, &c->wr, c->hs->ks_h.c_hs);
	}
	return 0;
}

void wt_early_client_ticket(wt_tls_conn *c)
{
	/* RFC 8446 4.6.1: max_early_data_size, "the maximum amount of 0-RTT
	 * data that the client is allowed to send when using this ticket, in
	 * bytes"; the ALPN it must be sent under (4.2.10). */
	c->sess->max_early = c->nst_max_early;
	c->sess->alpnlen = c->alpnlen;
	memcpy(c->sess->alpn, c->alpn, c->alpnlen);
}
