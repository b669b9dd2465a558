/*
 * hs13_client.c: the TLS 1.3 client (RFC 8446 2, 4), one handler per
 * expected message. The order of messages is the table at the end
 * (s2n's tls13_handshakes as data).
 */
#include "tls_inner.h"

static void send_ccs_once(wt_tls_conn *c);

static int session_usable(const wt_tls_conn *c)
{
	uint64_t now = wt_now();
	if (!c->have_sess || c->sess == NULL)
		return 0;
	/* A session is offered in its own version only, if that is enabled:
	 * a TLS 1.2 session as a ticket or session ID (hs12_client.c), a
	 * TLS 1.3 one as a PSK. RFC 7627 5.3: a client "SHOULD NOT" offer a
	 * session made without the extended master secret; we never store
	 * one (hs12_client.c). */
	if (c->sess->version == WT_TLS_VERSION_12 ?
		    (c->ctx->min_version > WT_TLS_VERSION_12 ||
		     !wt_tls_suite12_ok(c->ctx, c->sess->suite)) :
		    (c->ctx->max_version < WT_TLS_VERSION_13 ||
		     !wt_tls_suite_ok(c->ctx, c->sess->suite)))
		return 0;
	/* RFC 8446 4.6.1: "Clients MUST NOT cache tickets for longer than 7
	 * days, regardless of the ticket_lifetime". */
	if (now < c->sess->received_ms ||
	    now - c->sess->received_ms > (uint64_t)c->sess->lifetime * 1000)
		return 0;
	return 1;
}

/* Build a ClientHello into hs_out (not yet in the transcript). With a
 * PSK, the binder is computed over the truncated message (RFC 8446
 * 4.2.11.2) and patched in. */
static int build_hello_msg(wt_tls_conn *c, uint8_t **out, size_t *outlen)
{
	wt_wr w;
	size_t p, i, pass;
	uint8_t *msg = wt_tls_hsout(c) + c->hso_len;
	wt_hs_writer(c, &w);
	wt_wr_u16(&w, 0x0303); /* legacy_version */
	wt_wr_bytes(&w, c->random, 32);
	p = wt_wr_open(&w, 1);
	wt_wr_bytes(&w, c->session_id, c->sid_len);
	wt_wr_close(&w, p, 1);
	p = wt_wr_open(&w, 2);
	/* RFC 8446 4.2.11: "the server MUST ensure that it selects a
	 * compatible PSK (if any) and cipher suite", and 4.6.1: "Any ticket
	 * MUST only be resumed with a cipher suite that has the same KDF
	 * hash algorithm as that used to establish the original
	 * connection." Servers that pick the suite first by the client's
	 * order (OpenSSL by default) and only then look at the PSK take our
	 * first suite and drop a session of another hash: so when a session
	 * is offered, the suites of its hash come first, each part in our
	 * order. Pass 0 writes those (all, without a session), pass 1 the
	 * rest. The order is fixed at the first ClientHello and repeated in
	 * the second (4.1.2: only the listed changes are allowed). */
	for (pass = 0; pass < 2 && c->ctx->max_version >= WT_TLS_VERSION_13; pass++)
		for (i = 0; i < c->ctx->nsuites; i++) {
			uint32_t h, a, k;
			(void)wt_ks_suite_params(c->ctx->suites[i], &h, &a, &k);
			if ((c->psk_hash_first == 0 || h == c->psk_hash_first) ==
			    (pass == 0))
				wt_wr_u16(&w, c->ctx->suites[i]);
		}
	/* Then TLS 1.2's (a 1.3 server ignores them; the renegotiation
	 * indication goes as the extension, RFC 5746 3.4). */
	for (i = 0; i < c->ctx->nsuites12 && c->ctx->min_version <= WT_TLS_VERSION_12;
	     i++)
		wt_wr_u16(&w, c->ctx->suites12[i]);
	wt_wr_close(&w, p, 2);
	wt_wr_u8(&w, 1); /* legacy_compression_methods */
	wt_wr_u8(&w, 0);
	c->ext_sent = 0;
	wt_ext_write_all(c, M_CH, &w);
	if (w.overflow || c->err)
		return FAIL(c, WT_ALERT_INTERNAL_ERROR, WT_TLS_R_HS_TOO_LARGE);
	msg[0] = HS_CLIENT_HELLO;
	msg[1] = (uint8_t)(w.len >> 16);
	msg[2] = (uint8_t)(w.len >> 8);
	msg[3] = (uint8_t)w.len;
	if (c->offered_psk) {
		/* RFC 8446 4.2.11.2: the binder is an HMAC like Finished, over
		 * Transcript-Hash(Truncate(ClientHello)): everything up to
		 * the binders list (u16 length, u8 length, hash). */
		uint32_t hash, aead, keylen;
		size_t hl, trunc;
		wt_hash_ctx th;
		uint8_t bk[WT_HASH_MAX_LEN], thv[WT_HASH_MAX_LEN];
		(void)wt_ks_suite_params(c->sess->suite, &hash, &aead, &keylen);
		hl = wt_hash_len(hash);
		trunc = 4 + w.len - (2 + 1 + hl);
		th = (c->hash == 0 && hash == WT_SHA384) ? c->hs->th384 : c->hs->th;
		wt_hash_update(&th, msg, trunc);
		wt_hash_out(&th, thv);
		wt_ks_early_init(&c->hs->ks_e, hash, c->sess->psk, c->sess->psklen);
		if (wt_ks_binder_key(&c->hs->ks_e, hash, 1, bk) ||
		    wt_ks_finished(hash, bk, thv, msg + trunc + 3))
			return FAIL(c, WT_ALERT_INTERNAL_ERROR, WT_TLS_ERR_INTERNAL);
		wt_wipe(bk, sizeof bk);
	}
	*out = msg;
	*outlen = 4 + w.len;
	return 0;
}

static int build_client_hello(wt_tls_conn *c)
{
	uint8_t *msg, *outer;
	size_t len, olen, base = c->hso_len;
	if (build_hello_msg(c, &msg, &len))
		return -1;
	wt_th_add(c, msg, len);
	if (c->ech && wt_ech_client_pair(c)) {
		/* Encrypted Client Hello: msg is ClientHelloInner, the
		 * transcript's if the server accepts; ClientHelloOuter, built
		 * behind it with the inner sealed in, takes its place on the
		 * wire (ech.c). */
		c->hso_len += len;
		if (wt_ech_client_begin_outer(c, msg, len) ||
		    build_hello_msg(c, &outer, &olen) ||
		    wt_ech_client_end_outer(c, outer, olen))
			return -1;
		memmove(msg, outer, olen);
		len = olen;
	}
	c->hso_len = base + len;
	return 0;
}

int wt_hs_client_start(wt_tls_conn *c)
{
	/* Issue: "the API requires an explicit verification policy and
	 * refuses to connect without one: no silent insecure default". */
	if (c->ctx->verify == WT_TLS_VERIFY_UNSET)
		return FAIL(c, NO_ALERT, WT_TLS_ERR_NO_VERIFY_POLICY);
	/* Chain validation with no anchors could only ever fail: say so
	 * before anything is sent. */
	if (c->ctx->verify == WT_TLS_VERIFY_CHAIN && c->ctx->trust == NULL)
		return FAIL(c, NO_ALERT, WT_TLS_ERR_CONFIG);
	if (c->ctx->ngroups == 0 ||
	    (c->ctx->nsuites == 0 && c->ctx->max_version >= WT_TLS_VERSION_13) ||
	    (c->ctx->nsuites12 == 0 && c->ctx->min_version <= WT_TLS_VERSION_12))
		return FAIL(c, NO_ALERT, WT_TLS_ERR_CRYPTO_UNAVAILABLE);
	wt_th_init(c);
	wt_random(c->random, 32);
	/* RFC 8446 D.4: in compatibility mode "the client ... MUST send a
	 * non-empty legacy_session_id" (32 random bytes); a client that does
	 * not offer TLS 1.3 has no such mode (and its empty session ID says
	 * it resumes nothing, RFC 5246 7.4.1.2). */
	if ((c->ctx->options & WT_TLS_OP_ENABLE_MIDDLEBOX_COMPAT) &&
	    c->ctx->max_version >= WT_TLS_VERSION_13) {
		c->sid_len = 32;
		wt_random(c->session_id, 32);
	}
	c->offered_psk = session_usable(c);
	c->offered_sess12 = 0;
	c->psk_hash_first = 0;
	if (c->offered_psk && c->sess->version == WT_TLS_VERSION_12) {
		/* RFC 5246 7.4.1.2: the session ID of the session to resume;
		 * RFC 5077 3.4: with a ticket, a session ID the server echoes
		 * when it accepts the ticket (ours: the stored one, or the
		 * random one of compatibility mode, or fresh random bytes). */
		c->offered_psk = 0;
		c->offered_sess12 = 1;
		if (c->sess->sidlen) {
			memcpy(c->session_id, c->sess->sid, c->sess->sidlen);
			c->sid_len = c->sess->sidlen;
		} else if (c->sid_len == 0) {
			c->sid_len = 32;
			wt_random(c->session_id, 32);
		}
	}
	if (c->offered_psk) {
		uint32_t a, k;
		(void)wt_ks_suite_params(c->sess->suite, &c->psk_hash_first, &a, &k);
	}
	if (c->ech && wt_ech_client_start(c))
		return -1;
	c->kex_group = c->ctx->groups[0];
	wt_early_client_offer(c);
	if (build_client_hello(c) || wt_hs_flush(c))
		return -1;
	/* 0-RTT: the compatibility CCS goes right after the ClientHello (RFC
	 * 8446 D.4 "either immediately after its first ClientHello or
	 * immediately before its second flight"), before the early data. */
	if (c->early_state == EARLY_OFFERED)
		send_ccs_once(c);
	if (wt_early_client_keys(c))
		return -1;
	c->hs_seen_ch = 1;
	c->state = ST_C_EXPECT_SH;
	return 0;
}

static void send_ccs_once(wt_tls_conn *c)
{
	/* RFC 8446 D.4: "the client ... sends a dummy change_cipher_spec
	 * record immediately before its second flight" (the second
	 * ClientHello or the encrypted flight). */
	static const uint8_t one = 1;
	if ((c->ctx->options & WT_TLS_OP_ENABLE_MIDDLEBOX_COMPAT) && !c->ccs_sent) {
		wt_tls_dir save = c->wr;
		c->wr.active = 0;
		(void)wt_tls_seal(c, CT_CCS, &one, 1);
		c->wr = save;
		wt_wipe(&save, sizeof save);
		c->ccs_sent = 1;
	}
}

static int on_server_hello(wt_tls_conn *c, const uint8_t *msg, size_t len)
{
	wt_rd r = { msg + 4, len - 4 }, sid, exts;
	uint32_t ver, suite, comp, i;
	const uint8_t *random;
	int is_hrr;
	uint8_t th[WT_HASH_MAX_LEN], secret[WT_KEX_SECRET_MAX];
	size_t slen;

	if (wt_rd_u16(&r, &ver) || wt_rd_bytes(&r, 32, &random) ||
	    wt_rd_vec(&r, 1, &sid) || wt_rd_u16(&r, &suite) || wt_rd_u8(&r, &comp))
		return FAIL(c, WT_ALERT_DECODE_ERROR, WT_TLS_R_DECODE);
	if (r.len == 0) {
		/* A ServerHello without extensions is TLS 1.2 or older. */
		exts.p = r.p;
		exts.len = 0;
	} else if (wt_rd_vec(&r, 2, &exts) || r.len)
		return FAIL(c, WT_ALERT_DECODE_ERROR, WT_TLS_R_DECODE);
	/* RFC 8446 4.2.1: a server negotiating TLS 1.3 sends
	 * supported_versions; without it the ServerHello is TLS 1.2 (or
	 * older), which hs12_client.c takes when we offered 1.2 - not after
	 * a HelloRetryRequest, which only a 1.3 server sends. */
	if (!wt_hs_sh_is_tls13(msg, len)) {
		if (ver == WT_TLS_VERSION_12 &&
		    c->ctx->min_version <= WT_TLS_VERSION_12 && !c->hrr)
			return wt_hs12_client_server_hello(c, msg, len);
		/* RFC 8446 4.1.3: "TLS 1.3 clients receiving a ServerHello
		 * indicating TLS 1.2 or below MUST check that the last 8
		 * bytes are not equal to either of these values [DOWNGRD\1,
		 * DOWNGRD\0] ... If a match is found, the client MUST abort
		 * the handshake with an "illegal_parameter" alert." Else the
		 * version is one we do not speak (TLS 1.1 and older, or 1.2
		 * when it is off): protocol_version, before any extension of
		 * that older hello is judged by 1.3 rules. */
		if (memcmp(random + 24, "DOWNGRD", 7) == 0 &&
		    (random[31] == 0 || random[31] == 1) &&
		    c->ctx->max_version >= WT_TLS_VERSION_13)
			return FAIL(c, WT_ALERT_ILLEGAL_PARAMETER, WT_TLS_R_DOWNGRADE);
		return FAIL(c, WT_ALERT_PROTOCOL_VERSION,
			    c->ctx->min_version > WT_TLS_VERSION_12 ?
				    WT_TLS_R_NO_TLS13 :
				    WT_TLS_R_NO_SHARED_VERSION);
	}
	is_hrr = memcmp(random, wt_hrr_random, 32) == 0;
	/* RFC 8446 4.1.4: "If a client receives a second HelloRetryRequest
	 * in the same connection ..., it MUST abort the handshake with an
	 * "unexpected_message" alert." */
	if (is_hrr && c->hrr)
		return FAIL(c, WT_ALERT_UNEXPECTED_MESSAGE, WT_TLS_R_BAD_HRR);
	c->peer_versions_ok = 0;
	c->peer_share = NULL;
	c->hrr_group = 0;
	c->psk_selected = 0xFFFF;
	c->hs->cookielen = is_hrr ? 0 : c->hs->cookielen;
	if (wt_hs_check_ext_block(c, &exts, is_hrr ? M_HRR : M_SH))
		return -1;
	/* A HelloRetryRequest must name TLS 1.3 too (4.1.4). */
	if (!c->peer_versions_ok)
		return FAIL(c, WT_ALERT_PROTOCOL_VERSION, WT_TLS_R_NO_TLS13);
	/* RFC 8446 4.1.3: "In TLS 1.3, ... the legacy_version field MUST be
	 * set to 0x0303"; a server negotiating TLS 1.3 "MUST set the
	 * ServerHello.legacy_version field to 0x0303" (4.2.1). Anything else
	 * is a field "inconsistent with other fields" (6.2). */
	if (ver <= 0x0300)
		/* RFC 8446 D.5: "Any endpoint receiving a Hello message with
		 * ... ServerHello.legacy_version set to 0x0300 MUST abort the
		 * handshake with a "protocol_version" alert." */
		return FAIL(c, WT_ALERT_PROTOCOL_VERSION, WT_TLS_R_BAD_LEGACY_VERSION);
	if (ver != 0x0303)
		return FAIL(c, WT_ALERT_ILLEGAL_PARAMETER, WT_TLS_R_BAD_LEGACY_VERSION);
	/* RFC 8446 4.1.3: "A client which receives a legacy_session_id_echo
	 * field that does not match what it sent in the ClientHello MUST
	 * abort the handshake with an "illegal_parameter" alert." */
	if (sid.len != c->sid_len || memcmp(sid.p, c->session_id, sid.len))
		return FAIL(c, WT_ALERT_ILLEGAL_PARAMETER, WT_TLS_R_BAD_SESSION_ID);
	/* "A client which receives a cipher suite that was not offered MUST
	 * abort the handshake with an "illegal_parameter" alert."; 4.1.4:
	 * the ServerHello's suite must be the HelloRetryRequest's. */
	if (!wt_tls_suite_ok(c->ctx, suite) || (c->hrr && suite != c->suite))
		return FAIL(c, WT_ALERT_ILLEGAL_PARAMETER, WT_TLS_R_NO_SHARED_SUITE);
	/* 4.1.3 legacy_compression_method: "Single byte which MUST have the
	 * value 0." */
	if (comp != 0)
		return FAIL(c, WT_ALERT_ILLEGAL_PARAMETER, WT_TLS_R_BAD_COMPRESSION);
	if (c->suite == 0)
		wt_tls_set_suite(c, suite);

	if (is_hrr) {
		/* RFC 8446 4.1.4: "Clients MUST abort the handshake with an
		 * "illegal_parameter" alert if the HelloRetryRequest would not
		 * result in any change in the ClientHello." */
		if (c->hrr_group == 0 && c->hs->cookielen == 0)
			return FAIL(c, WT_ALERT_ILLEGAL_PARAMETER, WT_TLS_R_BAD_HRR);
		/* ECH (draft 6.1.5): the HRR says whether it was accepted. */
		if (c->ech && wt_ech_client_hrr(c, msg, len))
			return -1;
		c->hrr = 1;
		wt_early_client_hrr(c);
		wt_th_hrr_reset(c);
		wt_th_add(c, msg, len);
		if (c->hrr_group)
			c->kex_group = c->hrr_group;
		/* A PSK whose hash is not the suite's cannot be offered again. */
		if (c->offered_psk) {
			uint32_t h, a, k;
			(void)wt_ks_suite_params(c->sess->suite, &h, &a, &k);
			if (h != c->hash)
				c->offered_psk = 0;
		}
		send_ccs_once(c);
		if (build_client_hello(c) || wt_hs_flush(c))
			return -1;
		c->state = ST_C_EXPECT_SH2;
		return 0;
	}

	if (c->ech && wt_ech_client_server_hello(c, msg, len))
		return -1;
	wt_th_add(c, msg, len);
	if (c->psk_selected != 0xFFFF) {
		uint32_t h, a, k;
		/* RFC 8446 4.2.11: "the server MUST ensure that it selects a
		 * compatible PSK (if any) and cipher suite"; the client MUST
		 * verify both. */
		(void)wt_ks_suite_params(c->sess->suite, &h, &a, &k);
		if (!c->offered_psk || c->psk_selected != 0 || h != c->hash)
			return FAIL(c, WT_ALERT_ILLEGAL_PARAMETER, WT_TLS_R_BAD_PSK);
		c->resumed = 1;
	}
	/* We offer psk_dhe_ke only, so a key share is always required
	 * (9.2: a missing mandatory extension is "missing_extension"). */
	if (c->peer_share == NULL)
		return FAIL(c, WT_ALERT_MISSING_EXTENSION, WT_TLS_R_MISSING_EXTENSION);
	/* 4.2.8.2: "peers MUST validate each other's public value Q by
	 * ensuring that the point is a valid point on the elliptic curve";
	 * 7.4.2: X25519 "implementations MUST check whether the computed
	 * Diffie-Hellman shared secret is the all-zero value and abort if
	 * so". A value of the wrong size is malformed too. */
	if (wt_kex_client_finish(&c->hs->kex, c->peer_share, c->peer_sharelen, secret,
				 &slen) != 0)
		return FAIL(c, WT_ALERT_ILLEGAL_PARAMETER, WT_TLS_R_BAD_KEY_SHARE);
	c->group = c->kex_group;
	if (!c->resumed)
		wt_ks_early_init(&c->hs->ks_e, c->hash, NULL, 0);
	wt_th_out(c, th);
	i = (uint32_t)wt_ks_handshake_init(&c->hs->ks_h, &c->hs->ks_e, c->hash, secret,
					   slen, th);
	wt_wipe(secret, sizeof secret);
	if (i)
		return FAIL(c, WT_ALERT_INTERNAL_ERROR, WT_TLS_ERR_INTERNAL);
	send_ccs_once(c);
	/* With 0-RTT offered the write side stays on the early key until
	 * the server's Finished (early.c). */
	if (wt_tls_set_keys(c, &c->rd, c->hs->ks_h.s_hs) ||
	    (!c->early_wr && wt_tls_set_keys(c, &c->wr, c->hs->ks_h.c_hs)))
		return -1;
	/* Key log, in OpenSSL's client order (a Node/OpenSSL peer's log then
	 * matches line for line): the server's handshake secret now, our own
	 * when our second flight goes out under it (nothing is sent under it
	 * before). */
	wt_tls_keylog_put(c, WT_TLS_KEYLOG_SERVER_HANDSHAKE_TRAFFIC_SECRET,
			  c->hs->ks_h.s_hs);
	c->rd_epoch++;
	c->state = ST_C_EXPECT_EE;
	return 0;
}

static int on_encrypted_extensions(wt_tls_conn *c, const uint8_t *msg, size_t len)
{
	wt_rd r = { msg + 4, len - 4 }, exts;
	if (wt_rd_vec(&r, 2, &exts) || r.len)
		return FAIL(c, WT_ALERT_DECODE_ERROR, WT_TLS_R_DECODE);
	c->alpnlen = 0;
	if (wt_hs_check_ext_block(c, &exts, M_EE) || wt_early_client_ee(c))
		return -1;
	wt_th_add(c, msg, len);
	c->state = c->resumed ? ST_C_EXPECT_FIN : ST_C_EXPECT_CERT_CR;
	return 0;
}

static int on_certificate_request(wt_tls_conn *c, const uint8_t *msg, size_t len)
{
	wt_rd r = { msg + 4, len - 4 }, ctxv, exts;
	if (wt_rd_vec(&r, 1, &ctxv) || wt_rd_vec(&r, 2, &exts) || r.len)
		return FAIL(c, WT_ALERT_DECODE_ERROR, WT_TLS_R_DECODE);
	/* RFC 8446 4.3.2: "certificate_request_context ... SHALL be zero
	 * length unless used for the post-handshake authentication". */
	if (ctxv.len != 0)
		return FAIL(c, WT_ALERT_ILLEGAL_PARAMETER, WT_TLS_R_DECODE);
	c->peer_sigalg_mask = 0;
	if (wt_hs_check_ext_block(c, &exts, M_CR))
		return -1;
	/* "The "signature_algorithms" extension MUST be specified". */
	if (!wt_hs_ext_seen(c, EXT_SIGNATURE_ALGORITHMS))
		return FAIL(c, WT_ALERT_MISSING_EXTENSION, WT_TLS_R_MISSING_EXTENSION);
	c->cert_requested = 1;
	c->hs->cr_contextlen = 0;
	wt_th_add(c, msg, len);
	c->state = ST_C_EXPECT_CERT;
	return 0;
}

static int on_certificate(wt_tls_conn *c, const uint8_t *msg, size_t len)
{
	int r;
	if (c->verify_state != VERIFY_ANSWERED) {
		/* RFC 8879 4: a CompressedCertificate's Certificate is read in
		 * its place; the transcript keeps the message as sent. */
		if (c->hs->cc_msg ?
			    wt_hs_recv_certificate(c, c->hs->cc_msg, c->hs->cc_len) :
			    wt_hs_recv_certificate(c, msg, len))
			return -1;
	}
	r = wt_hs_verify_gate(c);
	if (r)
		return r;
	wt_th_add(c, msg, len);
	c->state = ST_C_EXPECT_CV;
	return 0;
}

static int on_compressed_certificate(wt_tls_conn *c, const uint8_t *msg, size_t len)
{
	return wt_certcomp_open(c, msg, len) ? -1 : on_certificate(c, msg, len);
}

static int on_cert_verify(wt_tls_conn *c, const uint8_t *msg, size_t len)
{
	if (wt_hs_recv_cert_verify(c, msg, len))
		return -1;
	c->state = ST_C_EXPECT_FIN;
	return 0;
}

static int flight_end(wt_tls_conn *c);

static int on_finished(wt_tls_conn *c, const uint8_t *msg, size_t len)
{
	uint8_t th[WT_HASH_MAX_LEN];
	if (wt_hs_recv_finished(c, msg, len, c->hs->ks_h.s_hs))
		return -1;
	if (c->ech && wt_ech_client_finished(c))
		return -1;
	wt_th_out(c, th);
	if (wt_ks_master_init(&c->ks_m, &c->hs->ks_h, c->hash, th))
		return FAIL(c, WT_ALERT_INTERNAL_ERROR, WT_TLS_ERR_INTERNAL);
	if (wt_tls_set_keys(c, &c->rd, c->ks_m.s_ap))
		return -1;
	wt_tls_keylog_put(c, WT_TLS_KEYLOG_EXPORTER_SECRET, c->ks_m.exporter);
	wt_tls_keylog_put(c, WT_TLS_KEYLOG_SERVER_TRAFFIC_SECRET_0, c->ks_m.s_ap);
	c->rd_epoch++;
	if (wt_early_client_end(c))
		return -1;
	/* Our second flight, under the client handshake key. */
	wt_tls_keylog_put(c, WT_TLS_KEYLOG_CLIENT_HANDSHAKE_TRAFFIC_SECRET,
			  c->hs->ks_h.c_hs);
	if (c->cert_requested &&
	    wt_hs_send_certificate(c, c->hs->cr_context, c->hs->cr_contextlen))
		return -1;
	return flight_end(c);
}

/* Our second flight from CertificateVerify on; a signer's pause (keyop.c)
 * comes back here through on_keyop. */
static int flight_end(wt_tls_conn *c)
{
	uint8_t th[WT_HASH_MAX_LEN];
	/* RFC 8446 4.4.3: CertificateVerify only with a certificate. */
	if (c->cert_requested && c->sent_cert) {
		if (wt_hs_send_cert_verify(c))
			return -1;
		if (c->keyop) {
			c->state = ST_C_KEYOP;
			return WT_HS_PAUSE;
		}
	}
	if (wt_hs_send_finished(c, c->hs->ks_h.c_hs) || wt_hs_flush(c))
		return -1;
	wt_th_out(c, th);
	if (wt_ks_resumption(&c->ks_m, c->hash, th) ||
	    wt_tls_set_keys(c, &c->wr, c->ks_m.c_ap))
		return FAIL(c, WT_ALERT_INTERNAL_ERROR, WT_TLS_ERR_INTERNAL);
	wt_tls_keylog_put(c, WT_TLS_KEYLOG_CLIENT_TRAFFIC_SECRET_0, c->ks_m.c_ap);
	/* The kex context was wiped by finish; handshake secrets go too. */
	wt_wipe(&c->hs->ks_e, sizeof c->hs->ks_e);
	c->state = ST_CONNECTED;
	c->hs_done = 1;
	return 0;
}

/* RFC 8446 4.6.1 NewSessionTicket: lifetime, age_add, nonce, ticket,
 * extensions. The ticket is stored with its PSK for the next connection. */
int wt_hs_client_ticket(wt_tls_conn *c, const uint8_t *msg, size_t len)
{
	wt_rd r = { msg + 4, len - 4 }, nonce, ticket, exts;
	uint32_t lifetime, age_add;
	if (wt_rd_u32(&r, &lifetime) || wt_rd_u32(&r, &age_add) ||
	    wt_rd_vec(&r, 1, &nonce) || wt_rd_vec(&r, 2, &ticket) ||
	    wt_rd_vec(&r, 2, &exts) || r.len || ticket.len == 0)
		return FAIL(c, WT_ALERT_DECODE_ERROR, WT_TLS_R_DECODE);
	c->nst_max_early = 0;
	if (wt_hs_check_ext_block(c, &exts, M_NST))
		return -1;
	/* A ticket we cannot store is not an error: no resumption. */
	if (ticket.len > WT_TLS_TICKET_MAX || lifetime == 0)
		return 0;
	if (lifetime > 604800)
		lifetime = 604800;
	/* Memory short: no resumption, as for a ticket too large. */
	if (wt_tls_sess_resize(c, ticket.len))
		return 0;
	c->sess->version = WT_TLS_VERSION_13;
	c->sess->sidlen = 0;
	c->sess->suite = c->suite;
	c->sess->psklen = c->hashlen;
	if (wt_ks_ticket_psk(c->hash, c->ks_m.resumption, nonce.p, nonce.len,
			     c->sess->psk))
		return FAIL(c, WT_ALERT_INTERNAL_ERROR, WT_TLS_ERR_INTERNAL);
	c->sess->age_add = age_add;
	c->sess->lifetime = lifetime;
	c->sess->received_ms = wt_now();
	memcpy(c->sess->ticket, ticket.p, ticket.len);
	wt_early_client_ticket(c);
	c->have_sess = 1;
	c->tickets_recv++;
	return 0;
}

/* see wt_tls.h */
uint32_t wt_tls_tickets_received(const wt_tls_conn *c)
{
	return c->tickets_recv;
}

/* Serialized session: "WTS3", version u16, suite u16, sidlen u8, sid,
 * psklen u8, psk, age_add u32, lifetime u32, received_ms u64, ticketlen
 * u16, ticket, max_early_data_size u32, alpnlen u8, alpn. A TLS 1.3
 * session has no sid and a ticket; a TLS 1.2 one (psk: the master
 * secret) a sid, a ticket or both. "WTS2" (before 0-RTT: ends with the
 * ticket) and "WTS1" (before TLS 1.2: no version, no sid) are still read,
 * as sessions allowing no early data. */
size_t wt_tls_get_session(const wt_tls_conn *c, uint8_t *out, size_t cap)
{
	size_t n;
	uint8_t *p = out;
	if (!c->have_sess || c->sess == NULL || c->role != ROLE_CLIENT)
		return 0;
	n = 4 + 2 + 2 + 1 + c->sess->sidlen + 1 + c->sess->psklen + 4 + 4 + 8 + 2 +
		c->sess->ticketlen + 4 + 1 + c->sess->alpnlen;
	if (cap < n)
		return n;
	memcpy(p, "WTS3", 4);
	p += 4;
	wt_store16_be(p, c->sess->version);
	p += 2;
	wt_store16_be(p, c->sess->suite);
	p += 2;
	*p++ = (uint8_t)c->sess->sidlen;
	memcpy(p, c->sess->sid, c->sess->sidlen);
	p += c->sess->sidlen;
	*p++ = (uint8_t)c->sess->psklen;
	memcpy(p, c->sess->psk, c->sess->psklen);
	p += c->sess->psklen;
	wt_store32_be(p, c->sess->age_add);
	p += 4;
	wt_store32_be(p, c->sess->lifetime);
	p += 4;
	wt_store64_be(p, c->sess->received_ms);
	p += 8;
	wt_store16_be(p, c->sess->ticketlen);
	p += 2;
	memcpy(p, c->sess->ticket, c->sess->ticketlen);
	p += c->sess->ticketlen;
	wt_store32_be(p, c->sess->max_early);
	p += 4;
	*p++ = (uint8_t)c->sess->alpnlen;
	memcpy(p, c->sess->alpn, c->sess->alpnlen);
	return n;
}

int wt_tls_set_session(wt_tls_conn *c, const uint8_t *in, size_t len)
{
	wt_rd r = { in, len };
	const uint8_t *p, *psk, *sid = NULL, *alpn = NULL;
	uint32_t version = WT_TLS_VERSION_13, suite, sidlen = 0, psklen, age, life, tl,
		 hi, lo, v2, v3, max_early = 0, alpnlen = 0;
	if (wt_rd_bytes(&r, 4, &p))
		return WT_TLS_ERR_CONFIG;
	v3 = memcmp(p, "WTS3", 4) == 0;
	v2 = v3 || memcmp(p, "WTS2", 4) == 0;
	if (!v2 && memcmp(p, "WTS1", 4) != 0)
		return WT_TLS_ERR_CONFIG;
	if (v2 &&
	    (wt_rd_u16(&r, &version) ||
	     (version != WT_TLS_VERSION_12 && version != WT_TLS_VERSION_13)))
		return WT_TLS_ERR_CONFIG;
	if (wt_rd_u16(&r, &suite))
		return WT_TLS_ERR_CONFIG;
	if (v2 && (wt_rd_u8(&r, &sidlen) || sidlen > 32 || wt_rd_bytes(&r, sidlen, &sid)))
		return WT_TLS_ERR_CONFIG;
	if (wt_rd_u8(&r, &psklen) || psklen > WT_HASH_MAX_LEN ||
	    (version == WT_TLS_VERSION_12 && psklen != 48) ||
	    wt_rd_bytes(&r, psklen, &psk))
		return WT_TLS_ERR_CONFIG;
	/* A TLS 1.3 session needs its ticket; a TLS 1.2 one a ticket or a
	 * session ID. */
	if (wt_rd_u32(&r, &age) || wt_rd_u32(&r, &life) || wt_rd_u32(&r, &hi) ||
	    wt_rd_u32(&r, &lo) || wt_rd_u16(&r, &tl) || tl > WT_TLS_TICKET_MAX ||
	    (tl == 0 && (version == WT_TLS_VERSION_13 || sidlen == 0)) ||
	    wt_rd_bytes(&r, tl, &p))
		return WT_TLS_ERR_CONFIG;
	/* 0-RTT only in TLS 1.3 (RFC 8446 4.2.10). */
	if (v3 &&
	    (wt_rd_u32(&r, &max_early) || wt_rd_u8(&r, &alpnlen) ||
	     wt_rd_bytes(&r, alpnlen, &alpn) ||
	     (version != WT_TLS_VERSION_13 && max_early != 0)))
		return WT_TLS_ERR_CONFIG;
	if (r.len)
		return WT_TLS_ERR_CONFIG;
	if (wt_tls_sess_resize(c, tl))
		return WT_TLS_ERR_NO_BUFFERS;
	memcpy(c->sess->psk, psk, psklen);
	c->sess->version = version;
	c->sess->suite = suite;
	c->sess->sidlen = sidlen;
	if (sidlen)
		memcpy(c->sess->sid, sid, sidlen);
	c->sess->psklen = psklen;
	c->sess->age_add = age;
	c->sess->lifetime = life;
	c->sess->received_ms = (uint64_t)hi << 32 | lo;
	c->sess->max_early = max_early;
	c->sess->alpnlen = alpnlen;
	if (alpnlen)
		memcpy(c->sess->alpn, alpn, alpnlen);
	memcpy(c->sess->ticket, p, tl);
	c->have_sess = 1;
	return 0;
}

/* ---- message order as data ------------------------------------------------ */

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
} CLIENT[] = {
	{ ST_C_EXPECT_SH, HS_SERVER_HELLO, on_server_hello },
	{ ST_C_EXPECT_SH2, HS_SERVER_HELLO, on_server_hello },
	{ ST_C_EXPECT_EE, HS_ENCRYPTED_EXTENSIONS, on_encrypted_extensions },
	{ ST_C_EXPECT_CERT_CR, HS_CERTIFICATE_REQUEST, on_certificate_request },
	{ ST_C_EXPECT_CERT_CR, HS_CERTIFICATE, on_certificate },
	{ ST_C_EXPECT_CERT, HS_CERTIFICATE, on_certificate },
	{ ST_C_EXPECT_CV, HS_CERTIFICATE_VERIFY, on_cert_verify },
	{ ST_C_EXPECT_FIN, HS_FINISHED, on_finished },
	{ ST_C_EXPECT_CERT_CR, HS_COMPRESSED_CERTIFICATE, on_compressed_certificate },
	{ ST_C_EXPECT_CERT, HS_COMPRESSED_CERTIFICATE, on_compressed_certificate },
	{ ST_C_KEYOP, HS_FINISHED, on_keyop },
};

int wt_hs_client_msg(wt_tls_conn *c, uint32_t type, const uint8_t *msg, size_t len)
{
	size_t i;
	for (i = 0; i < sizeof CLIENT / sizeof CLIENT[0]; i++)
		if (CLIENT[i].state == c->state && CLIENT[i].type == type)
			return CLIENT[i].h(c, msg, len);
	/* RFC 8446 4: messages "MUST be sent in the order specified ...
	 * A peer which receives a handshake message in an unexpected order
	 * MUST abort the handshake with an "unexpected_message" alert." */
	return FAIL(c, WT_ALERT_UNEXPECTED_MESSAGE, WT_TLS_R_UNEXPECTED_MESSAGE);
}
