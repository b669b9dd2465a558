/*
 * hs12_client.c: the TLS 1.2 client (RFC 5246 7.3; ECDHE as RFC 8422
 * has it; RFC 7627 extended master secret; RFC 5077 tickets and session
 * IDs for resumption), one handler per expected message, the order as
 * data at the end, as hs13_client.c.
 *
 *   full:     ServerHello Certificate ServerKeyExchange
 *             [CertificateRequest] ServerHelloDone
 *             -> [Certificate] ClientKeyExchange [CertificateVerify]
 *                ChangeCipherSpec Finished
 *             [NewSessionTicket] ChangeCipherSpec Finished
 *   resumed:  ServerHello [NewSessionTicket] ChangeCipherSpec Finished
 *             -> ChangeCipherSpec Finished
 *
 * hs13_client.c builds the one ClientHello (both versions) and hands a
 * ServerHello without supported_versions here.
 */
#include "tls_inner.h"

int wt_hs12_client_server_hello(wt_tls_conn *c, const uint8_t *msg, size_t len)
{
	wt_rd r = { msg + 4, len - 4 }, sid, exts;
	uint32_t ver, suite, comp;
	const uint8_t *random;
	if (wt_rd_u16(&r, &ver) || wt_rd_bytes(&r, 32, &random) ||
	    wt_rd_vec(&r, 1, &sid) || sid.len > 32 || wt_rd_u16(&r, &suite) ||
	    wt_rd_u8(&r, &comp))
		return FAIL(c, WT_ALERT_DECODE_ERROR, WT_TLS_R_DECODE);
	if (r.len == 0) {
		exts.p = r.p;
		exts.len = 0;
	} else if (wt_rd_vec(&r, 2, &exts) || r.len)
		return FAIL(c, WT_ALERT_DECODE_ERROR, WT_TLS_R_DECODE);
	/* RFC 8446 4.1.3: "TLS 1.3 clients receiving a ServerHello
	 * indicating TLS 1.2 or below MUST check that the last 8 bytes are
	 * not equal to either of these values ... If a match is found, the
	 * client MUST abort the handshake with an "illegal_parameter"
	 * alert." A server that could have spoken 1.3 with us says so there:
	 * an attacker removed it from our hello. */
	if (c->ctx->max_version >= WT_TLS_VERSION_13 &&
	    memcmp(random + 24, "DOWNGRD", 7) == 0 &&
	    (random[31] == 0 || random[31] == 1))
		return FAIL(c, WT_ALERT_ILLEGAL_PARAMETER, WT_TLS_R_DOWNGRADE);
	/* RFC 5246 7.4.1.3: cipher_suite "selected by the server from the
	 * list in ClientHello.cipher_suites"; a suite we did not offer is
	 * illegal_parameter as in TLS 1.3 (RFC 8446 4.1.3). */
	if (!wt_tls_suite12_ok(c->ctx, suite))
		return FAIL(c, WT_ALERT_ILLEGAL_PARAMETER, WT_TLS_R_NO_SHARED_SUITE);
	/* We offered the null compression method only. */
	if (comp != 0)
		return FAIL(c, WT_ALERT_ILLEGAL_PARAMETER, WT_TLS_R_BAD_COMPRESSION);
	memcpy(c->peer_random, random, 32);
	wt_tls_set_suite12(c, suite);
	c->peer_ems = 0;
	c->peer_reneg = 0;
	c->peer_point_ok = 0;
	c->peer_ticket_ext = 0;
	c->alpnlen = 0;
	if (wt_hs_check_ext_block(c, &exts, M_SH12))
		return -1;
	/* RFC 8422 5.2: the server's list "MUST contain" uncompressed, the
	 * only format we send or read. */
	if (c->peer_point_ok == 2)
		return FAIL(c, WT_ALERT_ILLEGAL_PARAMETER, WT_TLS_R_BAD_POINT_FORMAT);
	c->ems = c->peer_ems;

	/* RFC 5246 7.4.1.3: a session_id equal to the one offered means the
	 * server resumes it; RFC 5077 3.4 the same for the session ID sent
	 * with a ticket. */
	if (c->offered_sess12 && sid.len > 0 && sid.len == c->sid_len &&
	    memcmp(sid.p, c->session_id, sid.len) == 0) {
		uint32_t kl = c->keylen,
			 il = c->aead == WT_AEAD_CHACHA20POLY1305 ? 12 : 4;
		/* "For resumed sessions, this field [cipher_suite] is the value
		 * from the state of the session being resumed." */
		if (suite != c->sess->suite)
			return FAIL(c, WT_ALERT_ILLEGAL_PARAMETER,
				    WT_TLS_R_BAD_SESSION_ID);
		/* RFC 7627 5.3: "If the original session used the
		 * "extended_master_secret" extension but the new ServerHello
		 * does not contain the extension, the client MUST abort the
		 * handshake." (We store EMS sessions only.) */
		if (!c->ems)
			return FAIL(c, WT_ALERT_HANDSHAKE_FAILURE, WT_TLS_R_NO_EMS);
		c->resumed = 1;
		memcpy(c->ms, c->sess->psk, 48);
		if (wt_ks12_key_block(c->hash, c->ms, c->random, c->peer_random, kl, il,
				      c->hs->kb))
			return FAIL(c, WT_ALERT_INTERNAL_ERROR, WT_TLS_ERR_INTERNAL);
		wt_tls_keylog_put(c, WT_TLS_KEYLOG_CLIENT_RANDOM, c->ms);
		/* The server authenticated in the original handshake. */
		c->peer_auth = PEER_AUTH_VERIFIED;
		wt_th_add(c, msg, len);
		c->state = c->peer_ticket_ext ? ST_C12_EXPECT_NST : ST_C12_EXPECT_CCS;
		return 0;
	}
	/* RFC 5246 7.4.1.3: a session_id equal to the ClientHello's means
	 * the server resumes that session. When we offered none (the ID
	 * sent was the random one of RFC 8446 D.4 compatibility mode), an
	 * echo claims a resumption we cannot follow: illegal_parameter, as
	 * BoringSSL does (SERVER_ECHOED_INVALID_SESSION_ID). */
	if (!c->offered_sess12 && sid.len > 0 && sid.len == c->sid_len &&
	    memcmp(sid.p, c->session_id, sid.len) == 0)
		return FAIL(c, WT_ALERT_ILLEGAL_PARAMETER, WT_TLS_R_BAD_SESSION_ID);
	/* A full handshake: the server's session ID names the new session
	 * (it may be empty: no session-ID resumption). */
	memcpy(c->session_id, sid.p, sid.len);
	c->sid_len = (uint32_t)sid.len;
	c->resumed = 0;
	wt_th_add(c, msg, len);
	c->state = ST_C12_EXPECT_CERT;
	return 0;
}

/* RFC 8422 5.3 / RFC 5246 7.4.2: the certificate must carry a key of the
 * suite's authentication: ECDSA (or EdDSA, RFC 8422 5.3) for
 * ECDHE_ECDSA, RSA for ECDHE_RSA. */
static int key_fits_suite(const wt_tls_conn *c)
{
	uint32_t h, a, k, ecdsa, t = c->hs->peer_key.type;
	(void)wt_ks12_suite_params(c->suite, &h, &a, &k, &ecdsa);
	if (ecdsa)
		return t == WT_KEY_EC_P256 || t == WT_KEY_EC_P384 || t == WT_KEY_ED25519;
	return t == WT_KEY_RSA || t == WT_KEY_RSA_PSS;
}

/* RFC 8422 5.3: in TLS 1.2 an ECDSA certificate's curve must be one the
 * client listed in supported_groups (the curve is not in the signature
 * scheme, as it is in TLS 1.3). */
static int curve_offered(const wt_tls_conn *c)
{
	uint32_t t = c->hs->peer_key.type;
	if (t == WT_KEY_EC_P256)
		return wt_tls_group_ok(c->ctx, WT_GROUP_SECP256R1);
	if (t == WT_KEY_EC_P384)
		return wt_tls_group_ok(c->ctx, WT_GROUP_SECP384R1);
	return 1;
}

static int on_certificate(wt_tls_conn *c, const uint8_t *msg, size_t len)
{
	int r;
	if (c->verify_state != VERIFY_ANSWERED) {
		if (wt_hs_recv_certificate(c, msg, len))
			return -1;
		if (!key_fits_suite(c))
			return FAIL(c, WT_ALERT_UNSUPPORTED_CERTIFICATE,
				    WT_TLS_R_BAD_CERTIFICATE);
		/* illegal_parameter, as BoringSSL answers (BAD_ECC_CERT). */
		if (!curve_offered(c))
			return FAIL(c, WT_ALERT_ILLEGAL_PARAMETER,
				    WT_TLS_R_BAD_CERTIFICATE);
	}
	r = wt_hs_verify_gate(c);
	if (r)
		return r;
	wt_th_add(c, msg, len);
	c->state = ST_C12_EXPECT_SKE;
	return 0;
}

static int on_server_key_exchange(wt_tls_conn *c, const uint8_t *msg, size_t len)
{
	wt_rd r = { msg + 4, len - 4 }, point, sig;
	uint32_t ctype, group, scheme;
	uint8_t params[68 + 255], secret[WT_KEX_SECRET_MAX];
	size_t plen, slen;
	/* RFC 8422 5.4: ServerECDHParams { ECParameters curve_params;
	 * ECPoint public; } then the signature (RFC 5246 7.4.1.4.1:
	 * SignatureAndHashAlgorithm, opaque signature<0..2^16-1>). */
	if (wt_rd_u8(&r, &ctype) || wt_rd_u16(&r, &group) || wt_rd_vec(&r, 1, &point) ||
	    point.len == 0 || wt_rd_u16(&r, &scheme) || wt_rd_vec(&r, 2, &sig) || r.len)
		return FAIL(c, WT_ALERT_DECODE_ERROR, WT_TLS_R_DECODE);
	/* named_curve (3) only (RFC 8422 5.4: explicit curves are
	 * deprecated), one of the groups we offered; the hybrid group is a
	 * TLS 1.3 key share, not a curve. */
	if (ctype != 3 || !wt_tls_group_ok(c->ctx, group) ||
	    group == WT_GROUP_X25519MLKEM768)
		return FAIL(c, WT_ALERT_ILLEGAL_PARAMETER, WT_TLS_R_NO_SHARED_GROUP);
	/* RFC 5246 7.4.1.4.1: the server "MUST" sign with a pair we listed;
	 * and with one its certificate's key can make. */
	if (!wt_tls_sigalg12_ok(c->ctx, scheme) ||
	    !wt_sig12_pubkey_fits(scheme, &c->hs->peer_key))
		return FAIL(c, WT_ALERT_ILLEGAL_PARAMETER, WT_TLS_R_NO_SHARED_SIGALG);
	plen = wt_hs12_ske_params(c, group, point.p, point.len, params);
	/* 7.2.2 decrypt_error: "unable to correctly verify a signature". */
	if (wt_sig12_verify(&c->hs->peer_key, scheme, params, plen, sig.p, sig.len) != 0)
		return FAIL(c, WT_ALERT_DECRYPT_ERROR, WT_TLS_R_BAD_SIGNATURE);
	c->peer_sigalg = scheme;
	c->peer_auth = PEER_AUTH_VERIFIED;
	/* Our ephemeral key, and the shared secret at once: RFC 8422 5.10
	 * (the x-coordinate for the NIST curves), RFC 7748 6.1 for X25519;
	 * a point off the curve or an all-zero X25519 result is refused
	 * (RFC 8422 5.11; illegal_parameter as RFC 8446 4.2.8.2 has it). */
	if (wt_kex_client_keygen(&c->hs->kex, group, c->hs->own_share) != 0)
		return FAIL(c, WT_ALERT_INTERNAL_ERROR, WT_TLS_ERR_INTERNAL);
	c->hs->own_sharelen = wt_kex_client_share_len(group);
	if (wt_kex_client_finish(&c->hs->kex, point.p, point.len, secret, &slen) != 0 ||
	    slen > sizeof c->ms) {
		wt_wipe(secret, sizeof secret);
		return FAIL(c, WT_ALERT_ILLEGAL_PARAMETER, WT_TLS_R_BAD_KEY_SHARE);
	}
	/* Kept until our flight: the master secret comes from it once the
	 * ClientKeyExchange is in the transcript (RFC 7627 3). */
	memcpy(c->ms, secret, slen);
	c->pmslen = (uint32_t)slen;
	wt_wipe(secret, sizeof secret);
	c->group = group;
	wt_th_add(c, msg, len);
	c->state = ST_C12_EXPECT_CR_SHD;
	return 0;
}

static int on_certificate_request(wt_tls_conn *c, const uint8_t *msg, size_t len)
{
	wt_rd r = { msg + 4, len - 4 }, types, algs, cas;
	/* RFC 5246 7.4.4: ClientCertificateType certificate_types<1..2^8-1>;
	 * SignatureAndHashAlgorithm supported_signature_algorithms
	 * <2..2^16-2>; DistinguishedName certificate_authorities
	 * <0..2^16-1>. */
	if (wt_rd_vec(&r, 1, &types) || types.len == 0 || wt_rd_vec(&r, 2, &algs) ||
	    algs.len < 2 || (algs.len & 1) || wt_rd_vec(&r, 2, &cas) || r.len)
		return FAIL(c, WT_ALERT_DECODE_ERROR, WT_TLS_R_DECODE);
	c->peer_sigalg_mask = wt_ext_sigalg_mask(c->ctx, algs);
	/* RFC 5246 7.4.6: the client's certificate "MUST be appropriate for
	 * the negotiated cipher suite's key exchange algorithm" and its type
	 * one of certificate_types: rsa_sign (1) for an RSA key, ecdsa_sign
	 * (64) for an ECDSA or (RFC 8422 5.5) EdDSA one. Without a match we
	 * send no certificate (7.4.6: "If no suitable certificate is
	 * available, the client MUST send a certificate message containing
	 * no certificates"). */
	c->cert_type_ok = 0;
	while (types.len) {
		uint32_t t, k = c->ctx->key.type;
		(void)wt_rd_u8(&types, &t);
		if ((t == 1 && (k == WT_KEY_RSA || k == WT_KEY_RSA_PSS)) ||
		    (t == 64 &&
		     (k == WT_KEY_EC_P256 || k == WT_KEY_EC_P384 || k == WT_KEY_ED25519)))
			c->cert_type_ok = 1;
	}
	c->cert_requested = 1;
	wt_th_add(c, msg, len);
	c->state = ST_C12_EXPECT_SHD;
	return 0;
}

static int flight_end(wt_tls_conn *c);

static int on_server_hello_done(wt_tls_conn *c, const uint8_t *msg, size_t len)
{
	uint8_t pms[48];
	size_t pmslen = c->pmslen;
	wt_wr w;
	size_t p;
	int r;
	/* RFC 5246 7.4.5: struct { } ServerHelloDone; */
	if (len != 4)
		return FAIL(c, WT_ALERT_DECODE_ERROR, WT_TLS_R_DECODE);
	wt_th_add(c, msg, len);
	/* RFC 5246 7.4.6: "This message is only sent if the server requests
	 * a certificate. If no suitable certificate is available, the client
	 * MUST send a certificate message containing no certificates." Ours
	 * is suitable when our key can sign with a scheme the server listed
	 * (CertificateVerify signs the transcript hash: SHA-256/384). */
	if (c->cert_requested) {
		if (c->ctx->chainlen > 0 && c->ctx->has_key && c->cert_type_ok &&
		    wt_hs12_pick_sigalg(c, 1) != 0) {
			if (wt_hs_send_certificate(c, NULL, 0))
				return -1;
		} else {
			static const uint8_t empty[3] = { 0, 0, 0 };
			if (wt_hs_put(c, HS_CERTIFICATE, empty, 3, 1))
				return -1;
			c->sent_cert = 0;
		}
	}
	/* RFC 8422 5.7: ClientECDiffieHellmanPublic { ECPoint ecdh_Yc; },
	 * opaque point <1..2^8-1>. */
	wt_hs_writer(c, &w);
	p = wt_wr_open(&w, 1);
	wt_wr_bytes(&w, c->hs->own_share, c->hs->own_sharelen);
	wt_wr_close(&w, p, 1);
	if (wt_hs_commit(c, HS_CLIENT_KEY_EXCHANGE, &w))
		return -1;
	memcpy(pms, c->ms, pmslen);
	wt_wipe(c->ms, sizeof c->ms);
	r = wt_hs12_master(c, pms, pmslen);
	wt_wipe(pms, sizeof pms);
	c->pmslen = 0;
	if (r)
		return -1;
	return flight_end(c);
}

/* Our flight from CertificateVerify on; a signer's pause (keyop.c) comes
 * back here through on_keyop. */
static int flight_end(wt_tls_conn *c)
{
	/* RFC 5246 7.4.8: CertificateVerify follows a certificate "that has
	 * signing capability". */
	if (c->sent_cert) {
		if (wt_hs12_send_cert_verify(c))
			return -1;
		if (c->keyop) {
			c->state = ST_C12_KEYOP;
			return WT_HS_PAUSE;
		}
	}
	/* A signer's copy of the messages is no longer needed. */
	wt_keyop_free(c);
	if (wt_hs12_change_write(c) || wt_hs12_send_finished(c) || wt_hs_flush(c))
		return -1;
	c->state = c->peer_ticket_ext ? ST_C12_EXPECT_NST : ST_C12_EXPECT_CCS;
	return 0;
}

static int on_new_session_ticket(wt_tls_conn *c, const uint8_t *msg, size_t len)
{
	wt_rd r = { msg + 4, len - 4 }, ticket;
	uint32_t hint;
	/* RFC 5077 3.3: uint32 ticket_lifetime_hint; opaque ticket<0..2^16-1>. */
	if (wt_rd_u32(&r, &hint) || wt_rd_vec(&r, 2, &ticket) || r.len)
		return FAIL(c, WT_ALERT_DECODE_ERROR, WT_TLS_R_DECODE);
	wt_th_add(c, msg, len);
	/* Kept for the session stored after the server's Finished. An empty
	 * ticket ("the server ... MAY ... send an empty ticket", 3.3) or one
	 * too large to keep means no ticket, not an error. The ticket of the
	 * session offered is replaced (a new one was issued for it). */
	c->send_ticket = 0;
	if (ticket.len > 0 && ticket.len <= WT_TLS_TICKET_MAX) {
		if (wt_tls_sess_resize(c, ticket.len))
			return FAIL(c, WT_ALERT_INTERNAL_ERROR, WT_TLS_ERR_NO_BUFFERS);
		memcpy(c->sess->ticket, ticket.p, ticket.len);
		/* "A ticket_lifetime_hint of 0 MUST be interpreted as ...
		 * unspecified"; our TLS 1.3 rule caps it at 7 days. */
		c->sess->lifetime = hint == 0 || hint > 604800 ? 7200 : hint;
		if (hint > 604800)
			c->sess->lifetime = 604800;
		c->send_ticket = 1;
	}
	c->state = ST_C12_EXPECT_CCS;
	return 0;
}

int wt_hs12_client_ccs(wt_tls_conn *c)
{
	/* RFC 5246 7.3: the server's ChangeCipherSpec comes after its
	 * NewSessionTicket (if announced) and before its Finished, nowhere
	 * else. */
	if (c->state != ST_C12_EXPECT_CCS)
		return FAIL(c, WT_ALERT_UNEXPECTED_MESSAGE, WT_TLS_R_BAD_CCS);
	if (wt_hs12_change_read(c))
		return -1;
	c->state = ST_C12_EXPECT_FIN;
	return 0;
}

/* The session to offer next time (RFC 5077 ticket and/or session ID),
 * for EMS sessions only: RFC 7627 5.3, "a client SHOULD NOT offer an
 * abbreviated handshake to resume a session that does not use an
 * extended master secret" - we keep none, so we never offer one. */
static void store_session(wt_tls_conn *c)
{
	int new_ticket = c->send_ticket == 1;
	if (!c->ems)
		return;
	if (c->resumed && !new_ticket)
		return; /* the stored session stays as it is */
	if (!new_ticket) {
		/* A session ID only: the offered session's ticket goes. */
		if (wt_tls_sess_resize(c, 0))
			return;
		c->sess->lifetime = 7200;
	}
	if (c->sess->ticketlen == 0 && c->sid_len == 0)
		return; /* nothing the server could resume */
	c->sess->version = WT_TLS_VERSION_12;
	c->sess->suite = c->suite;
	c->sess->sidlen = c->sid_len;
	memcpy(c->sess->sid, c->session_id, c->sid_len);
	c->sess->psklen = 48;
	memcpy(c->sess->psk, c->ms, 48);
	c->sess->age_add = 0;
	c->sess->received_ms = wt_now();
	c->have_sess = 1;
	c->tickets_recv++;
}

static int on_finished(wt_tls_conn *c, const uint8_t *msg, size_t len)
{
	if (wt_hs12_recv_finished(c, msg, len))
		return -1;
	/* Abbreviated handshake: ours comes after the server's. */
	if (c->resumed &&
	    (wt_hs12_change_write(c) || wt_hs12_send_finished(c) || wt_hs_flush(c)))
		return -1;
	store_session(c);
	wt_keyop_free(c); /* a resumed signer's copy of the messages */
	c->state = ST_CONNECTED;
	c->hs_done = 1;
	return 0;
}

static int on_keyop(wt_tls_conn *c, const uint8_t *msg, size_t len)
{
	(void)msg;
	(void)len;
	return flight_end(c);
}

typedef int (*handler)(wt_tls_conn *, const uint8_t *, size_t);
static const struct {
	uint32_t state, type;
	handler h;
} CLIENT12[] = {
	{ ST_C12_EXPECT_CERT, HS_CERTIFICATE, on_certificate },
	{ ST_C12_EXPECT_SKE, HS_SERVER_KEY_EXCHANGE, on_server_key_exchange },
	{ ST_C12_EXPECT_CR_SHD, HS_CERTIFICATE_REQUEST, on_certificate_request },
	{ ST_C12_EXPECT_CR_SHD, HS_SERVER_HELLO_DONE, on_server_hello_done },
	{ ST_C12_EXPECT_SHD, HS_SERVER_HELLO_DONE, on_server_hello_done },
	{ ST_C12_EXPECT_NST, HS_NEW_SESSION_TICKET, on_new_session_ticket },
	{ ST_C12_EXPECT_FIN, HS_FINISHED, on_finished },
	{ ST_C12_KEYOP, HS_SERVER_HELLO_DONE, on_keyop },
};

int wt_hs12_client_msg(wt_tls_conn *c, uint32_t type, const uint8_t *msg, size_t len)
{
	size_t i;
	/* RFC 5246 7.4.1.1: a HelloRequest "will be ignored by the client
	 * if the client is currently negotiating a session"; it is not part
	 * of the transcript ("HelloRequest messages MUST NOT be included in
	 * the message hashes"). Counted: a stream of them is a flood. */
	if (type == HS_HELLO_REQUEST && len == 4) {
		if (++c->idle_ku > WT_TLS_MAX_POST_MSGS)
			return FAIL(c, WT_ALERT_UNEXPECTED_MESSAGE,
				    WT_TLS_R_TOO_MANY_POST_MSGS);
		return 0;
	}
	for (i = 0; i < sizeof CLIENT12 / sizeof CLIENT12[0]; i++)
		if (CLIENT12[i].state == c->state && CLIENT12[i].type == type)
			return CLIENT12[i].h(c, msg, len);
	/* RFC 5246 7.4: "Sending handshake messages in an unexpected order
	 * results in a fatal error" (unexpected_message, 7.2.2). */
	return FAIL(c, WT_ALERT_UNEXPECTED_MESSAGE, WT_TLS_R_UNEXPECTED_MESSAGE);
}
