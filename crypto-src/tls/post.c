/*
 * post.c: the messages of an established connection (RFC 8446 4.6):
 * KeyUpdate both ways, the receipt of NewSessionTicket (handed to the
 * client's ticket code), and the key usage limits of RFC 8446 5.5 that
 * make us rekey before a key has protected too much.
 *
 * Layer "messages" (see tls_inner.h): calls hs13_client.c (tickets), errors.c,
 * record.c through errors.c, keysched13.c; called by dispatch.c, the
 * pump's callers (engine.c, write.c).
 */
#include "tls_inner.h"

/* RFC 8446 5.5: "For AES-GCM, up to 2^24.5 full-size records (about 24
 * million) may be encrypted on a given connection while keeping a safety
 * margin of approximately 2^-57 for Authenticated Encryption (AE)
 * security. For ChaCha20/Poly1305, the record sequence number would wrap
 * before the safety limit is reached." 2^24.5 = 23726566.4; rustls
 * (record_layer.rs pre_encrypt_action) rekeys on reaching its limit the
 * same way. The sequence number wraps at 2^64 (record.c refuses that). */
#define AES_GCM_RECORD_LIMIT 23726566u

uint64_t wt_tls_key_limit(const wt_tls_conn *c)
{
	if (c->ctx->key_limit)
		return c->ctx->key_limit;
	if (c->aead == WT_AEAD_AES128GCM || c->aead == WT_AEAD_AES256GCM)
		return AES_GCM_RECORD_LIMIT;
	return UINT64_MAX;
}

int wt_tls_post_send(wt_tls_conn *c)
{
	/* TLS 1.2 has no KeyUpdate: a key lasts the connection (the record
	 * layer stops at the sequence number's end). */
	if (!c->hs_done || (c->shut & SHUT_SENT) || c->version == WT_TLS_VERSION_12)
		return 0;
	/* The write key has sealed as many records as it may but one: that
	 * one is the KeyUpdate (which needs no answer), and the next record
	 * goes under the next key. */
	if (c->ku_pending == KU_NONE && c->wr.seq + 1 >= wt_tls_key_limit(c))
		c->ku_pending = KU_NOT_REQUESTED;
	if (c->ku_pending != KU_NONE) {
		uint8_t m[5] = { HS_KEY_UPDATE, 0, 0, 1, 0 };
		m[4] = (uint8_t)(c->ku_pending == KU_REQUESTED);
		c->ku_pending = KU_NONE;
		/* RFC 8446 4.6.3: the sender switches to the next generation
		 * of keys right after sending KeyUpdate. */
		if (wt_tls_seal(c, CT_HANDSHAKE, m, 5) ||
		    wt_ks_next_traffic(c->hash, c->wr.secret) ||
		    wt_tls_set_keys(c, &c->wr, c->wr.secret))
			return wt_tls_fail(c, WT_ALERT_INTERNAL_ERROR,
					   WT_TLS_ERR_INTERNAL);
		/* Silent (4.6.3) until our next application data record
		 * (write.c clears it). */
		c->ku_silent = 1;
	}
	return 0;
}

int wt_tls_key_update(wt_tls_conn *c, int update_requested)
{
	if (c->err || !c->hs_done || c->version == WT_TLS_VERSION_12)
		return 0;
	/* A request asked for earlier and not sent yet stays a request. */
	if (update_requested || c->ku_pending == KU_NONE)
		c->ku_pending = update_requested ? KU_REQUESTED : KU_NOT_REQUESTED;
	return 1;
}

int wt_hs_post_msg(wt_tls_conn *c, uint32_t type, const uint8_t *msg, size_t len)
{
	if (c->version == WT_TLS_VERSION_12) {
		/* RFC 5246 7.4.1.1: a HelloRequest asks the client to
		 * renegotiate, a ClientHello after the handshake is the client
		 * asking; we renegotiate never (as rustls and BoringSSL by
		 * default): RFC 5746 4.2 / 4.4 let either side decline with a
		 * no_renegotiation warning and go on. Each costs us an alert
		 * record: a run of them with no application data is counted
		 * like KeyUpdates. */
		if ((type == HS_HELLO_REQUEST && c->role == ROLE_CLIENT && len == 4) ||
		    (type == HS_CLIENT_HELLO && c->role == ROLE_SERVER)) {
			if (++c->idle_ku > WT_TLS_MAX_POST_MSGS)
				return FAIL(c, WT_ALERT_UNEXPECTED_MESSAGE,
					    WT_TLS_R_TOO_MANY_POST_MSGS);
			return wt_hs12_refuse_renegotiation(c);
		}
		if (type == HS_HELLO_REQUEST && c->role == ROLE_CLIENT)
			return FAIL(c, WT_ALERT_DECODE_ERROR, WT_TLS_R_DECODE);
		return FAIL(c, WT_ALERT_UNEXPECTED_MESSAGE, WT_TLS_R_UNEXPECTED_MESSAGE);
	}
	if (type == HS_KEY_UPDATE) {
		/* A KeyUpdate with no application data since the last one
		 * protects nothing new, yet costs a key derivation: past
		 * WT_TLS_MAX_POST_MSGS in a row (pump.c counts application
		 * data), unexpected_message, as BoringSSL
		 * (TOO_MANY_KEY_UPDATES). */
		if (++c->idle_ku > WT_TLS_MAX_POST_MSGS)
			return FAIL(c, WT_ALERT_UNEXPECTED_MESSAGE,
				    WT_TLS_R_TOO_MANY_POST_MSGS);
		/* RFC 8446 4.6.3: enum { update_not_requested(0),
		 * update_requested(1) } KeyUpdateRequest; "If an implementation
		 * receives any other value, it MUST terminate the connection
		 * with an "illegal_parameter" alert." */
		if (len != 5)
			return FAIL(c, WT_ALERT_DECODE_ERROR, WT_TLS_R_DECODE);
		if (msg[4] > 1)
			return FAIL(c, WT_ALERT_ILLEGAL_PARAMETER,
				    WT_TLS_R_BAD_KEY_UPDATE);
		if (wt_ks_next_traffic(c->hash, c->rd.secret))
			return FAIL(c, WT_ALERT_INTERNAL_ERROR, WT_TLS_ERR_INTERNAL);
		if (wt_tls_set_keys(c, &c->rd, c->rd.secret))
			return -1;
		c->rd_epoch++;
		/* "If the request_update field is set to "update_requested",
		 * then the receiver MUST send a KeyUpdate of its own with
		 * request_update set to "update_not_requested" prior to sending
		 * its next Application Data record." One answer serves every
		 * request that arrived before it goes out (4.6.3 lets a peer
		 * send "a single update" after several requests, as BoringSSL
		 * does): the answer is only queued here and sealed when the
		 * verb returns or before our next record (wt_tls_post_send),
		 * never per request, so a flood of requests costs one record.
		 * A KeyUpdate of ours already queued answers as well, and so
		 * does one already sent with no application data after it:
		 * 4.6.3 "causes an implementation which receives multiple
		 * KeyUpdates while it is silent to respond with a single
		 * update" - our current key has protected nothing yet, so a
		 * new one would protect nothing more (requests arriving a
		 * record at a time, as over a slow transport, get one answer
		 * too). */
		if (msg[4] == 1 && c->ku_pending == KU_NONE && !c->ku_silent)
			c->ku_pending = KU_NOT_REQUESTED;
		return 0;
	}
	if (type == HS_NEW_SESSION_TICKET && c->role == ROLE_CLIENT) {
		/* RFC 8446 4.6.1 lets a server send several tickets; an
		 * endless run of them with no application data is a flood,
		 * counted like KeyUpdates. */
		if (++c->idle_nst > WT_TLS_MAX_POST_MSGS)
			return FAIL(c, WT_ALERT_UNEXPECTED_MESSAGE,
				    WT_TLS_R_TOO_MANY_POST_MSGS);
		return wt_hs_client_ticket(c, msg, len);
	}
	/* Post-handshake authentication was not offered; anything else is
	 * out of place. */
	return FAIL(c, WT_ALERT_UNEXPECTED_MESSAGE, WT_TLS_R_UNEXPECTED_MESSAGE);
}
