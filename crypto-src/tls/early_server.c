/*
 * early_server.c: 0-RTT early data, the server's side (RFC 8446 2.3,
 * 4.2.10, 8). Off unless the context sets a max_early_data_size
 * (wt_tls_ctx_set_max_early_data) and the host reads early data
 * (wt_tls_read_early, OpenSSL's SSL_read_early_data: as there, a server
 * that is not asked for early data does not accept it).
 *
 * Then the NewSessionTicket carries early_data with that size (4.6.1),
 * and a resumption ClientHello offering early_data is accepted only when
 * (4.2.10) the PSK is the first identity, the ticket's suite and ALPN are
 * the connection's, the ticket allowed early data, the client's view of
 * the ticket age is within WT_TLS_EARLY_AGE_WINDOW_MS of ours (8.3), and
 * the ticket was never used for 0-RTT before (8.1 single-use tickets: a
 * bounded set in the context remembers the identities until the ticket
 * expires; when it is full, 0-RTT is refused and 1-RTT goes on). The
 * early records are read under client_early_traffic_secret (7.1) until
 * EndOfEarlyData (4.5), at most max_early_data_size plaintext bytes.
 * A refusal is the existing skip path (record.c early_skip).
 *
 * Layer "shared" (see tls_inner.h): called by hs13_server.c, pump.c,
 * ext/early_data.c and the verb in early_io.c; calls errors.c, the key
 * schedule and record keys.
 */
#include "tls_inner.h"

int wt_tls_ctx_set_max_early_data(wt_tls_ctx *ctx, uint32_t max)
{
	ctx->max_early = max;
	return 0;
}

uint32_t wt_tls_ctx_get_max_early_data(const wt_tls_ctx *ctx)
{
	return ctx->max_early;
}

size_t wt_early_ticket_put(const wt_tls_conn *c, uint8_t *p)
{
	/* The ticket records what 4.2.10 checks on resumption: the size it
	 * allowed (0: none) and the ALPN protocol (its SHA-256, zeros
	 * without one) early data is then sent under. */
	wt_store32_be(p, c->ctx->max_early);
	if (c->alpnlen)
		wt_sha256(c->alpn, c->alpnlen, p + 4);
	else
		memset(p + 4, 0, 32);
	return WT_EARLY_TICKET_LEN;
}

void wt_early_ticket_get(wt_tls_conn *c, const uint8_t *id, size_t idlen,
			 const uint8_t *tail, uint32_t suite, uint32_t client_age_ms,
			 uint64_t age_ms, uint64_t expiry_ms)
{
	uint8_t ah[32];
	uint64_t d;
	c->early_tkt_max = 0;
	if (c->alpnlen)
		wt_sha256(c->alpn, c->alpnlen, ah);
	else
		memset(ah, 0, 32);
	/* 8.3: "the server can determine the client's view of the age of
	 * the ticket" (obfuscated_ticket_age - ticket_age_add) and compare
	 * it with its own; far apart, the ClientHello may be a replay made
	 * later (or the clocks disagree): no 0-RTT. */
	d = (uint64_t)client_age_ms > age_ms ? (uint64_t)client_age_ms - age_ms :
					       age_ms - (uint64_t)client_age_ms;
	if (suite != c->suite || memcmp(ah, tail + 4, 32) != 0 ||
	    d > WT_TLS_EARLY_AGE_WINDOW_MS)
		return;
	c->early_tkt_max = wt_load32_be(tail);
	wt_sha256(id, idlen, ah);
	memcpy(c->early_tkt_id, ah, sizeof c->early_tkt_id);
	c->early_tkt_expiry = expiry_ms;
}

void wt_early_server_nst_ext(const wt_tls_conn *c, wt_wr *w)
{
	/* RFC 8446 4.6.1: extensions<0..2^16-2>, early_data's
	 * "max_early_data_size: The maximum amount of 0-RTT data that the
	 * client is allowed to send when using this ticket, in bytes." */
	size_t p = wt_wr_open(w, 2);
	if (c->ctx->max_early) {
		wt_wr_u16(w, EXT_EARLY_DATA);
		wt_wr_u16(w, 4);
		wt_wr_u32(w, c->ctx->max_early);
	}
	wt_wr_close(w, p, 2);
}

/* 8.1 single-use tickets: 1 when the identity was not used for 0-RTT
 * before and is now remembered until the ticket expires; 0 when it was,
 * or when the set is full (refused, never accepted: a forgotten identity
 * could be replayed). The context's set is the one part of it its
 * connections change. */
static int replay_take(wt_tls_conn *c)
{
	wt_tls_ctx *ctx = (wt_tls_ctx *)c->ctx;
	uint64_t now = wt_now();
	uint32_t i, free_slot = WT_TLS_EARLY_USED;
	for (i = 0; i < WT_TLS_EARLY_USED; i++) {
		if (ctx->early_used_exp[i] <= now) {
			if (free_slot == WT_TLS_EARLY_USED)
				free_slot = i;
			continue;
		}
		if (memcmp(ctx->early_used[i], c->early_tkt_id, sizeof c->early_tkt_id) ==
		    0)
			return 0;
	}
	if (free_slot == WT_TLS_EARLY_USED)
		return 0;
	memcpy(ctx->early_used[free_slot], c->early_tkt_id, sizeof c->early_tkt_id);
	ctx->early_used_exp[free_slot] = c->early_tkt_expiry;
	return 1;
}

int wt_early_server_decide(wt_tls_conn *c)
{
	uint8_t th[WT_HASH_MAX_LEN];
	if (!wt_hs_ext_seen(c, EXT_EARLY_DATA) || c->state != ST_S_EXPECT_CH)
		return 0;
	/* 4.2.10: accepted only with "the first key offered in the client's
	 * "pre_shared_key" extension", the ticket's suite and ALPN (checked
	 * with the ticket), a host reading early data, and a ticket not used
	 * for 0-RTT before. Otherwise the records are skipped (record.c). */
	c->early_state = EARLY_REJECTED;
	if (!c->early_want || !c->ctx->max_early || !c->resumed ||
	    c->psk_index_sel != 0 || c->early_tkt_max == 0 || !replay_take(c))
		return 0;
	/* 7.1: client_early_traffic_secret = Derive-Secret(Early Secret,
	 * "c e traffic", ClientHello); the transcript holds the ClientHello
	 * only (no HelloRetryRequest: state EXPECT_CH). */
	wt_th_out(c, th);
	if (wt_derive_secret(c->hash, c->hs->ks_e.secret, "c e traffic", 11, th,
			     c->early_secret))
		return FAIL(c, WT_ALERT_INTERNAL_ERROR, WT_TLS_ERR_INTERNAL);
	wt_tls_keylog_put(c, WT_TLS_KEYLOG_CLIENT_EARLY_TRAFFIC_SECRET, c->early_secret);
	c->early_state = EARLY_ACCEPTED;
	c->early_skip = 0;
	c->early_rcvd = 0;
	return 0;
}

int wt_early_server_flight(wt_tls_conn *c)
{
	/* Our flight is out: the client's early records come first, under
	 * its early key, then EndOfEarlyData (4.5). */
	int r;
	if (c->early_state != EARLY_ACCEPTED || c->role != ROLE_SERVER)
		return 0;
	r = wt_tls_set_keys(c, &c->rd, c->early_secret);
	wt_wipe(c->early_secret, sizeof c->early_secret);
	if (r)
		return -1;
	c->state = ST_S_EXPECT_EOED;
	return 0;
}

int wt_early_server_data(wt_tls_conn *c, size_t len)
{
	/* Application data before the handshake is done: only accepted 0-RTT
	 * (4.2.10); 4.6.1 / 4.2.10 "If the server ... receives more than
	 * max_early_data_size bytes of 0-RTT data, it SHOULD abort the
	 * handshake with an "unexpected_message" alert." */
	if (c->state != ST_S_EXPECT_EOED)
		return FAIL(c, WT_ALERT_UNEXPECTED_MESSAGE, WT_TLS_R_BAD_RECORD_TYPE);
	if (len > (size_t)(c->ctx->max_early - c->early_rcvd))
		return FAIL(c, WT_ALERT_UNEXPECTED_MESSAGE, WT_TLS_R_EARLY_DATA);
	c->early_rcvd += (uint32_t)len;
	return 0;
}

int wt_early_server_eoed(wt_tls_conn *c, const uint8_t *msg, size_t len)
{
	/* 4.5: struct {} EndOfEarlyData; part of the transcript; after it
	 * the client's handshake key (no client certificate on resumption,
	 * 4.3.2: a certificate request is not sent with a PSK). */
	if (len != 4)
		return FAIL(c, WT_ALERT_DECODE_ERROR, WT_TLS_R_DECODE);
	wt_th_add(c, msg, len);
	if (wt_tls_set_keys(c, &c->rd, c->hs->ks_h.c_hs))
		return -1;
	c->rd_epoch++;
	c->state = ST_S_EXPECT_FIN;
	return 0;
}

int wt_early_server_pending(const wt_tls_conn *c)
{
	/* 1 while early data may still come: the ClientHello not processed
	 * yet (a HelloRetryRequest's second one included), or EndOfEarlyData
	 * not read. */
	return c->state == ST_S_EXPECT_CH || c->state == ST_S_EXPECT_CH2 ||
		c->state == ST_S_EXPECT_EOED;
}
