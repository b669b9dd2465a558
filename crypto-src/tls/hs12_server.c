/*
 * hs12_server.c: the TLS 1.2 server (RFC 5246 7.3, 7.4) for the ECDHE +
 * AEAD suites (RFC 8422, RFC 5288, RFC 5289, RFC 7905), with the extended
 * master secret (RFC 7627), secure renegotiation signalling (RFC 5746;
 * we never renegotiate), the fallback SCSV (RFC 7507) and stateless
 * resumption by session ticket (RFC 5077). One handler per expected
 * message:
 *
 *   full:        ClientHello -> ServerHello Certificate ServerKeyExchange
 *                [CertificateRequest] ServerHelloDone
 *                [Certificate] ClientKeyExchange [CertificateVerify]
 *                ChangeCipherSpec Finished
 *                -> [NewSessionTicket] ChangeCipherSpec Finished
 *   abbreviated: ClientHello (with a ticket we accept) -> ServerHello
 *                [NewSessionTicket] ChangeCipherSpec Finished
 *                ChangeCipherSpec Finished
 *
 * hs13_server.c parses the ClientHello's extension block and hands the
 * hello over (wt_hs12_server_client_hello) when TLS 1.2 is the version;
 * dispatch.c then brings every handshake message here, the pump every
 * ChangeCipherSpec (wt_hs12_server_ccs).
 *
 * Secrets: the ECDHE private key lives in c->hs->kex from ServerKeyExchange
 * to ClientKeyExchange (wt_kex_client_finish wipes it), the shared secret
 * on the stack of on_cke only (wiped); the master secret in c->ms.
 */
#include "tls_inner.h"

/* ---- tickets (RFC 5077 4, "Recommended Ticket Construction", our form) -- *
 * ticket = nonce(12) || AEAD(ChaCha20-Poly1305, ticket_key,
 *          "wt12tkt" || version u16 || suite u16 || master_secret(48) ||
 *          ems u8 || issued_ms u64 || lifetime u32 || flags u8 ||
 *          SHA-256(SNI)) || tag(16)
 * The AAD differs from the TLS 1.3 tickets' ("wt13tkt", hs13_server.c), so
 * a ticket of one version never opens as one of the other, even under the
 * same key. The flags and the SNI hash follow the 1.3 rules (see the
 * comment in hs13_server.c): a server requiring client certificates
 * resumes only a session whose client proved one; RFC 6066 3: "A server
 * that implements this extension MUST NOT accept the request to resume
 * the session if the server_name extension contains a different name."
 * RFC 7627 5.3: we issue tickets for extended-master-secret sessions only
 * (ems is always 1 in a ticket we made; checked again when it opens). */
static const uint8_t TKT12_AAD[7] = { 'w', 't', '1', '2', 't', 'k', 't' };
#define TKT12_CLIENT_AUTH 0x1u
#define TKT12_CLIENT_VERIFIED 0x2u
#define TKT12_PLAIN (2 + 2 + 48 + 1 + 8 + 4 + 1 + 32)
#define TKT12_LEN (12 + TKT12_PLAIN + 16)

static void sni_hash(const wt_tls_conn *c, uint8_t out[32])
{
	if (c->snilen)
		wt_sha256(c->sni, c->snilen, out);
	else
		memset(out, 0, 32);
}

static int ticket_seal(const wt_tls_conn *c, uint8_t out[TKT12_LEN])
{
	wt_aead_ctx a;
	uint8_t pt[TKT12_PLAIN], *p = pt;
	int r;
	wt_store16_be(p, WT_TLS_VERSION_12);
	p += 2;
	wt_store16_be(p, c->suite);
	p += 2;
	memcpy(p, c->ms, 48);
	p += 48;
	*p++ = (uint8_t)c->ems;
	wt_store64_be(p, wt_now());
	p += 8;
	wt_store32_be(p, c->ctx->ticket_lifetime);
	p += 4;
	*p++ = (uint8_t)((c->peer_auth == PEER_AUTH_VERIFIED ? TKT12_CLIENT_AUTH : 0) |
			 (c->peer_auth == PEER_AUTH_VERIFIED && c->verify_code == 0 ?
				  TKT12_CLIENT_VERIFIED :
				  0));
	sni_hash(c, p);
	wt_random(out, 12);
	r = wt_aead_init(&a, WT_AEAD_CHACHA20POLY1305, c->ctx->ticket_key, 32);
	if (r == 0)
		r = wt_aead_seal(&a, out, 12, TKT12_AAD, sizeof TKT12_AAD, pt,
				 TKT12_PLAIN, out + 12, out + 12 + TKT12_PLAIN);
	wt_wipe(&a, sizeof a);
	wt_wipe(pt, sizeof pt);
	return r;
}

/* 0 when the ticket opens under our key, is a TLS 1.2 EMS session, is
 * unexpired and may be resumed here: *suite, c->ms and c->tkt_flags set.
 * -1 otherwise: a full handshake follows, not an error (RFC 5077 3.4:
 * "If the server cannot or does not want to honor the ticket, then it
 * can initiate a full handshake with the client"). */
static int ticket_open(wt_tls_conn *c, const uint8_t *t, size_t len, uint32_t *suite)
{
	wt_aead_ctx a;
	uint8_t pt[TKT12_PLAIN], sh[32];
	uint64_t issued, now = wt_now();
	uint32_t lifetime, flags;
	int r;
	if (!c->ctx->has_ticket_key || len != TKT12_LEN)
		return -1;
	r = wt_aead_init(&a, WT_AEAD_CHACHA20POLY1305, c->ctx->ticket_key, 32);
	if (r == 0)
		r = wt_aead_open(&a, t, 12, TKT12_AAD, sizeof TKT12_AAD, t + 12,
				 TKT12_PLAIN, pt, t + 12 + TKT12_PLAIN);
	wt_wipe(&a, sizeof a);
	if (r || ((uint32_t)pt[0] << 8 | pt[1]) != WT_TLS_VERSION_12 || pt[52] != 1)
		goto no;
	*suite = (uint32_t)pt[2] << 8 | pt[3];
	issued = wt_load64_be(pt + 53);
	lifetime = wt_load32_be(pt + 61);
	flags = pt[65];
	sni_hash(c, sh);
	if (!wt_ct_eq(sh, pt + 66, 32))
		goto no;
	if ((c->ctx->client_cert & WT_TLS_CLIENT_CERT_REQUIRE) &&
	    !(flags & TKT12_CLIENT_AUTH))
		goto no;
	/* RFC 5077 5.6: "the server MUST check that the ticket has not
	 * expired"; the lifetime is the one it was issued with. */
	if (now < issued || now - issued > (uint64_t)lifetime * 1000)
		goto no;
	memcpy(c->ms, pt + 4, 48);
	c->tkt_flags = flags;
	wt_wipe(pt, sizeof pt);
	return 0;
no:
	wt_wipe(pt, sizeof pt);
	return -1;
}

/* RFC 5077 3.3: struct { uint32 ticket_lifetime_hint; opaque
 * ticket<0..2^16-1>; } NewSessionTicket; a handshake message of the
 * handshake (in the transcript, before our ChangeCipherSpec). */
static int send_ticket(wt_tls_conn *c)
{
	uint8_t t[TKT12_LEN];
	size_t p;
	wt_wr w;
	if (!c->send_ticket)
		return 0;
	if (ticket_seal(c, t))
		return FAIL(c, WT_ALERT_INTERNAL_ERROR, WT_TLS_ERR_INTERNAL);
	c->tickets_sent++;
	wt_hs_writer(c, &w);
	wt_wr_u32(&w, c->ctx->ticket_lifetime);
	p = wt_wr_open(&w, 2);
	wt_wr_bytes(&w, t, sizeof t);
	wt_wr_close(&w, p, 2);
	return wt_hs_commit(c, HS_NEW_SESSION_TICKET, &w);
}

/* ---- ClientHello ------------------------------------------------------------ */

/* 1 if the client's cipher_suites list holds s. */
static int offered(const uint8_t *suites, size_t len, uint32_t s)
{
	size_t j;
	for (j = 0; j + 1 < len; j += 2)
		if (((uint32_t)suites[j] << 8 | suites[j + 1]) == s)
			return 1;
	return 0;
}

/* 1 if the ClientHello (whole message) has no supported_groups extension
 * or lists group in it. Read from the message itself: peer_group_mask
 * only knows the groups of our own list, and the curve of our
 * certificate need not be one of those. */
static int client_lists_group(const uint8_t *msg, size_t len, uint32_t group)
{
	wt_rd r = { msg + 4, len - 4 }, v, exts, body, list;
	const uint8_t *random;
	uint32_t type, g;
	/* Already parsed by hs13_server.c: a failure here cannot happen. */
	if (wt_rd_u16(&r, &type) || wt_rd_bytes(&r, 32, &random) ||
	    wt_rd_vec(&r, 1, &v) || wt_rd_vec(&r, 2, &v) || wt_rd_vec(&r, 1, &v))
		return 0;
	if (r.len == 0 || wt_rd_vec(&r, 2, &exts))
		return 1;
	while (exts.len > 0) {
		if (wt_rd_u16(&exts, &type) || wt_rd_vec(&exts, 2, &body))
			return 0;
		if (type != EXT_SUPPORTED_GROUPS)
			continue;
		if (wt_rd_vec(&body, 2, &list))
			return 0;
		while (list.len >= 2) {
			(void)wt_rd_u16(&list, &g);
			if (g == group)
				return 1;
		}
		return 0;
	}
	return 1;
}

/* 1 if our key can sign for suite: ECDHE_ECDSA for EC and Ed25519 keys
 * (RFC 8422 2.1: the ECDSA suites name "an ECDSA- or EdDSA-capable public
 * key"), ECDHE_RSA for RSA ones. RFC 8422 5.3 (Server Certificate): "If
 * the client has used a Supported Elliptic Curves Extension, the public
 * key in the server's certificate MUST respect the client's choice of
 * elliptic curves" (OpenSSL clients check it: "wrong curve"). Ed25519
 * is asked for in signature_algorithms instead (RFC 8422 5.1.1), which
 * the scheme choice checks. */
static int suite_fits_key(const wt_tls_ctx *ctx, uint32_t suite, const uint8_t *ch,
			  size_t chlen)
{
	uint32_t h, a, k, ecdsa, t = ctx->key.type;
	if (wt_ks12_suite_params(suite, &h, &a, &k, &ecdsa))
		return 0;
	if (ecdsa)
		return (t == WT_KEY_EC_P256 &&
			client_lists_group(ch, chlen, WT_GROUP_SECP256R1)) ||
			(t == WT_KEY_EC_P384 &&
			 client_lists_group(ch, chlen, WT_GROUP_SECP384R1)) ||
			t == WT_KEY_ED25519;
	return t == WT_KEY_RSA || t == WT_KEY_RSA_PSS;
}

static int write_server_hello(wt_tls_conn *c)
{
	wt_wr w;
	size_t p;
	wt_hs_writer(c, &w);
	/* RFC 5246 7.4.1.3: server_version, random, session_id,
	 * cipher_suite, compression_method (null), extensions. */
	wt_wr_u16(&w, WT_TLS_VERSION_12);
	wt_wr_bytes(&w, c->random, 32);
	p = wt_wr_open(&w, 1);
	wt_wr_bytes(&w, c->session_id, c->sid_len);
	wt_wr_close(&w, p, 1);
	wt_wr_u16(&w, c->suite);
	wt_wr_u8(&w, 0);
	wt_ext_write_all(c, M_SH12, &w);
	return wt_hs_commit(c, HS_SERVER_HELLO, &w);
}

/* The key block for the abbreviated handshake: the resumed master secret
 * with the new randoms (RFC 5246 6.3). */
static int resumed_keys(wt_tls_conn *c)
{
	size_t ivlen = c->aead == WT_AEAD_CHACHA20POLY1305 ? 12 : 4;
	if (wt_ks12_key_block(c->hash, c->ms, c->peer_random, c->random, c->keylen, ivlen,
			      c->hs->kb))
		return FAIL(c, WT_ALERT_INTERNAL_ERROR, WT_TLS_ERR_INTERNAL);
	wt_tls_keylog_put(c, WT_TLS_KEYLOG_CLIENT_RANDOM, c->ms);
	return 0;
}

/* ServerKeyExchange (RFC 8422 5.4): ServerECDHParams (curve_type
 * named_curve, the group, our ephemeral point) and the signature over
 * client_random || server_random || params (RFC 5246 7.4.3,
 * digitally-signed: SignatureAndHashAlgorithm, then the signature). */
static int send_ske(wt_tls_conn *c, uint32_t scheme)
{
	uint8_t point[WT_KEX_SHARE_MAX], tbs[64 + 4 + 255], sig[WT_SIG_MAX];
	size_t plen = wt_kex_client_share_len(c->group), tlen, siglen = 0, p;
	const uint8_t *s = sig;
	int r;
	wt_wr w;
	/* With a signer, the second call (the host has signed) finds the
	 * params it signed in c->keyop: the ephemeral key is made once. */
	if (c->keyop) {
		tlen = c->keyop->inlen;
		memcpy(tbs, c->keyop->in, tlen);
	} else if (plen == 0 || plen > 255 ||
		   wt_kex_client_keygen(&c->hs->kex, c->group, point) != 0)
		return FAIL(c, WT_ALERT_INTERNAL_ERROR, WT_TLS_ERR_INTERNAL);
	else
		tlen = wt_hs12_ske_params(c, c->group, point, plen, tbs);
	if (c->ctx->signer) {
		r = wt_keyop_sig(c, &scheme, tbs, tlen, &s, &siglen);
		if (r == WT_HS_PAUSE)
			return 0;
		if (r)
			return FAIL(c, WT_ALERT_INTERNAL_ERROR, (uint32_t)r);
	} else if (wt_sig12_sign(&c->ctx->key, scheme, tbs, tlen, sig, &siglen) != 0)
		return FAIL(c, WT_ALERT_INTERNAL_ERROR, WT_TLS_ERR_INTERNAL);
	c->own_sigalg = scheme;
	wt_hs_writer(c, &w);
	wt_wr_bytes(&w, tbs + 64, tlen - 64);
	wt_wr_u16(&w, scheme);
	p = wt_wr_open(&w, 2);
	wt_wr_bytes(&w, s, siglen);
	wt_wr_close(&w, p, 2);
	wt_keyop_free(c);
	return wt_hs_commit(c, HS_SERVER_KEY_EXCHANGE, &w);
}

/* CertificateRequest (RFC 5246 7.4.4): certificate_types, the schemes
 * we accept in the client's CertificateVerify, certificate_authorities
 * (empty: any). TLS 1.2's CertificateVerify signs the transcript hash
 * (7.4.8), which runs for SHA-256 and SHA-384 only (transcript.c): so
 * no Ed25519 and no SHA-512 schemes (hs12.c checks the same on receipt). */
static int send_cert_request(wt_tls_conn *c)
{
	const wt_tls_ctx *ctx = c->ctx;
	uint32_t i, h;
	size_t p;
	wt_wr w;
	wt_hs_writer(c, &w);
	/* ClientCertificateType certificate_types<1..2^8-1>: rsa_sign(1),
	 * ecdsa_sign(64) (RFC 8422 5.5). */
	p = wt_wr_open(&w, 1);
	wt_wr_u8(&w, 1);
	wt_wr_u8(&w, 64);
	wt_wr_close(&w, p, 1);
	/* SignatureAndHashAlgorithm supported_signature_algorithms<2..2^16-2> */
	p = wt_wr_open(&w, 2);
	for (i = 0; i < ctx->nsigalgs; i++) {
		h = wt_sig_scheme_hash(ctx->sigalgs[i]);
		if (h == WT_SHA256 || h == WT_SHA384)
			wt_wr_u16(&w, ctx->sigalgs[i]);
	}
	/* RSASSA-PKCS1-v1_5 with SHA-256/384, if the context has them. */
	for (i = 0; i < 2; i++)
		if ((ctx->pkcs1_mask >> i) & 1)
			wt_wr_u16(&w, wt_tls_sigalgs_pkcs1[i]);
	wt_wr_close(&w, p, 2);
	/* DistinguishedName certificate_authorities<0..2^16-1> */
	wt_wr_u16(&w, 0);
	c->cert_requested = 1;
	return wt_hs_commit(c, HS_CERTIFICATE_REQUEST, &w);
}

static int flight_end(wt_tls_conn *c, uint32_t scheme);

int wt_hs12_server_client_hello(wt_tls_conn *c, const uint8_t *msg, size_t len,
				const uint8_t *sid, size_t sidlen, const uint8_t *suites,
				size_t suiteslen, const uint8_t *comp, size_t complen)
{
	/* RFC 8446 4.1.3: a TLS 1.3 server negotiating TLS 1.2 "MUST set the
	 * last 8 bytes of their Random value to the bytes: 44 4F 57 4E 47 52
	 * 44 01". */
	static const uint8_t DOWNGRADE12[8] = { 0x44, 0x4F, 0x57, 0x4E,
						0x47, 0x52, 0x44, 0x01 };
	const wt_tls_ctx *ctx = c->ctx;
	uint32_t i, suite = 0, group = 0, scheme = 0, tsuite = 0, have_null = 0;
	int can_ticket;
	/* The client's session_id is already in c->session_id / sid_len
	 * (hs13_server.c): echoed when a ticket resumes, never looked up. */
	(void)sid;
	(void)sidlen;

	/* No 0-RTT in TLS 1.2: nothing is skipped. */
	c->early_skip = 0;
	c->resumed = 0;
	c->peer_auth = PEER_AUTH_NONE;
	c->verify_code = 1;
	/* RFC 5246 7.4.1.2: "This vector MUST contain, and all
	 * implementations MUST support, CompressionMethod.null"; a list
	 * without it cannot be answered (7.2.2 illegal_parameter: "A field
	 * in the handshake was out of range or inconsistent with other
	 * fields"). */
	for (i = 0; i < complen; i++)
		have_null |= comp[i] == 0;
	if (!have_null)
		return FAIL(c, WT_ALERT_ILLEGAL_PARAMETER, WT_TLS_R_BAD_COMPRESSION);
	/* RFC 7507 3: "If TLS_FALLBACK_SCSV appears in
	 * ClientHello.cipher_suites and the highest protocol version
	 * supported by the server is higher than the version indicated in
	 * ClientHello.client_version, the server MUST respond with a fatal
	 * inappropriate_fallback alert". We are here because the client
	 * offers 1.2 at most; we support more when 1.3 is on. */
	if (offered(suites, suiteslen, WT_TLS_FALLBACK_SCSV) &&
	    ctx->max_version >= WT_TLS_VERSION_13)
		return FAIL(c, WT_ALERT_INAPPROPRIATE_FALLBACK,
			    WT_TLS_R_INAPPROPRIATE_FALLBACK);
	/* RFC 5746 3.6: "When a ClientHello is received, the server MUST
	 * check if it includes the TLS_EMPTY_RENEGOTIATION_INFO_SCSV SCSV.
	 * If it does, set the secure_renegotiation flag to TRUE." */
	if (offered(suites, suiteslen, WT_TLS_EMPTY_RENEGOTIATION_INFO_SCSV))
		c->peer_reneg = 1;

	/* Resumption first: a ticket that opens, for a suite the client
	 * still offers and we still allow (RFC 5246 7.4.1.2: a resumed
	 * session's cipher suite must be among those offered: "the client
	 * MUST include at least the cipher_suite from that session"). RFC
	 * 7627 5.3: a session with EMS is not resumed by a hello without it
	 * ("the server MUST NOT perform the abbreviated handshake"); we
	 * issue tickets for EMS sessions only. A session ID alone resumes
	 * nothing: we keep no session cache. */
	can_ticket = c->peer_ticket_ext && ctx->has_ticket_key && ctx->tickets > 0;
	if (c->peer_ticket_ext && c->peer_ticketlen > 0 && c->peer_ems &&
	    ticket_open(c, c->peer_ticket, c->peer_ticketlen, &tsuite) == 0 &&
	    offered(suites, suiteslen, tsuite) && wt_tls_suite12_ok(ctx, tsuite)) {
		c->resumed = 1;
		c->ems = 1;
		/* The client's authentication carries over from the original
		 * handshake (no certificates in an abbreviated one). */
		c->peer_auth = (c->tkt_flags & TKT12_CLIENT_AUTH) ? PEER_AUTH_VERIFIED :
								    PEER_AUTH_NONE;
		if (c->tkt_flags & TKT12_CLIENT_VERIFIED)
			c->verify_code = 0;
		/* RFC 5077 3.4: the server "MAY" renew the ticket in the
		 * abbreviated handshake (NewSessionTicket after ServerHello). */
		c->send_ticket = (uint32_t)can_ticket;
		wt_tls_set_suite12(c, tsuite);
		wt_th_add(c, msg, len);
		wt_random(c->random, 32);
		if (ctx->max_version >= WT_TLS_VERSION_13)
			memcpy(c->random + 24, DOWNGRADE12, 8);
		/* RFC 5077 3.4: "If the server accepts the ticket and the
		 * Session ID is not empty, then it MUST respond with the same
		 * Session ID present in the ClientHello." (c->session_id holds
		 * the client's.) */
		if (write_server_hello(c) || send_ticket(c) || resumed_keys(c) ||
		    wt_hs12_change_write(c) || wt_hs12_send_finished(c) || wt_hs_flush(c))
			return -1;
		c->state = ST_S12_EXPECT_CCS;
		return 0;
	}
	/* The ticket did not open (or there was none): forget what a partial
	 * try may have left. */
	wt_wipe(c->ms, sizeof c->ms);
	c->tkt_flags = 0;

	if (!(ctx->chainlen && ctx->has_key))
		return FAIL(c, WT_ALERT_INTERNAL_ERROR, WT_TLS_ERR_CONFIG);
	/* Our preference among the client's suites, for our key. 7.2.2
	 * handshake_failure: "the sender was unable to negotiate an
	 * acceptable set of security parameters given the options
	 * available." */
	for (i = 0; i < ctx->nsuites12 && !suite; i++)
		if (offered(suites, suiteslen, ctx->suites12[i]) &&
		    suite_fits_key(ctx, ctx->suites12[i], msg, len))
			suite = ctx->suites12[i];
	if (!suite)
		return FAIL(c, WT_ALERT_HANDSHAKE_FAILURE, WT_TLS_R_NO_SHARED_SUITE);
	/* The curve: our first that the client lists (RFC 8422 5.1.1). The
	 * hybrid X25519MLKEM768 is a TLS 1.3 group only (it has no TLS 1.2
	 * key exchange). RFC 8422 4: "A client that proposes ECC cipher
	 * suites may choose not to include these extensions. In this case,
	 * the server is free to choose any one of the elliptic curves or
	 * point formats". */
	for (i = 0; i < ctx->ngroups && !group; i++) {
		uint32_t g = ctx->groups[i];
		if (g != WT_GROUP_X25519 && g != WT_GROUP_SECP256R1 &&
		    g != WT_GROUP_SECP384R1)
			continue;
		if (!wt_hs_ext_seen(c, EXT_SUPPORTED_GROUPS) ||
		    ((c->peer_group_mask >> i) & 1))
			group = g;
	}
	if (!group)
		return FAIL(c, WT_ALERT_HANDSHAKE_FAILURE, WT_TLS_R_NO_SHARED_GROUP);
	/* RFC 8422 5.1.2: the uncompressed format "MUST be supported"; a
	 * list without it cannot take our point ("the client ... MUST abort
	 * the handshake" in the mirror case, 5.2: illegal_parameter). */
	if (c->peer_point_ok == 2)
		return FAIL(c, WT_ALERT_ILLEGAL_PARAMETER, WT_TLS_R_BAD_POINT_FORMAT);
	/* RFC 5246 7.4.1.4.1: without signature_algorithms the client is
	 * taken to support {sha1, rsa/ecdsa} only; we do not sign with SHA-1,
	 * so that, like a list we share nothing with, is a failure. */
	scheme = wt_hs12_pick_sigalg(c, 0);
	if (scheme == 0)
		return FAIL(c, WT_ALERT_HANDSHAKE_FAILURE, WT_TLS_R_NO_SHARED_SIGALG);
	/* RFC 7627 5.2: the server echoes extended_master_secret when offered
	 * and then uses it. Without it we still go on with the RFC 5246
	 * master secret: clients from before 2015 (RFC 7627's date) lack the
	 * extension, and refusing them is a policy RFC 7627 5.2 leaves open
	 * ("MAY ... abort"); such a session gets no ticket, so it is never
	 * resumed (5.3/5.4 name resumption as where the attack bites). */
	c->ems = c->peer_ems;
	c->send_ticket = (uint32_t)(can_ticket && c->ems);
	c->group = group;
	c->kex_group = group;
	wt_tls_set_suite12(c, suite);
	wt_th_add(c, msg, len);

	wt_random(c->random, 32);
	if (ctx->max_version >= WT_TLS_VERSION_13)
		memcpy(c->random + 24, DOWNGRADE12, 8);
	/* An empty session_id: RFC 5246 7.4.1.3 "the session will not be
	 * cached and therefore cannot be resumed" by ID; we keep no cache.
	 * Resumption goes by ticket (RFC 5077 3.4), and OpenSSL's server
	 * answers the same way when it will issue one. */
	c->sid_len = 0;
	if (write_server_hello(c) || wt_hs_send_certificate(c, NULL, 0))
		return -1;
	return flight_end(c, scheme);
}

/* The server's flight from ServerKeyExchange on; a signer's pause
 * (keyop.c) comes back here through on_keyop. */
static int flight_end(wt_tls_conn *c, uint32_t scheme)
{
	const wt_tls_ctx *ctx = c->ctx;
	if (send_ske(c, scheme))
		return -1;
	if (c->keyop) {
		c->state = ST_S12_KEYOP;
		return WT_HS_PAUSE;
	}
	if ((ctx->client_cert & WT_TLS_CLIENT_CERT_REQUEST) && send_cert_request(c))
		return -1;
	/* ServerHelloDone (RFC 5246 7.4.5): empty. */
	if (wt_hs_put(c, HS_SERVER_HELLO_DONE, NULL, 0, 1) || wt_hs_flush(c))
		return -1;
	c->state = c->cert_requested ? ST_S12_EXPECT_CERT : ST_S12_EXPECT_CKE;
	return 0;
}

/* ---- the client's flight ---------------------------------------------------- */

static int on_certificate(wt_tls_conn *c, const uint8_t *msg, size_t len)
{
	/* RFC 5246 7.4.6: the client's Certificate; an empty list when it
	 * has none (fatal under REQUIRE: wt_hs_recv_certificate). */
	int r = wt_hs_server_recv_certificate(c, msg, len);
	if (r)
		return r;
	c->state = ST_S12_EXPECT_CKE;
	return 0;
}

static int on_cke(wt_tls_conn *c, const uint8_t *msg, size_t len)
{
	uint8_t secret[WT_KEX_SECRET_MAX];
	size_t slen = 0;
	wt_rd r = { msg + 4, len - 4 }, point;
	int e;
	/* RFC 8422 5.7: struct { ECPoint ecdh_Yc; } ClientECDiffieHellmanPublic,
	 * ECPoint being opaque point <1..2^8-1>. */
	if (wt_rd_vec(&r, 1, &point) || r.len || point.len == 0)
		return FAIL(c, WT_ALERT_DECODE_ERROR, WT_TLS_R_DECODE);
	/* The point's encoding has one size per curve (RFC 8422 5.4.1:
	 * uncompressed X9.62; RFC 7748 5: 32 bytes for X25519): another size
	 * (a compressed point, a padded or truncated one) is not a point we
	 * can take - illegal_parameter, as for a TLS 1.3 key share of the
	 * wrong size (key_share.c) and as BoringSSL answers (BAD_ECPOINT). */
	if (point.len != wt_kex_server_share_len(c->group))
		return FAIL(c, WT_ALERT_ILLEGAL_PARAMETER, WT_TLS_R_BAD_KEY_SHARE);
	/* RFC 8422 5.11: the peer's point must be on the curve (and for
	 * X25519, RFC 7748 6.1, not give the all-zero secret); 7.2.2
	 * illegal_parameter. wt_kex_client_finish checks both, and wipes our
	 * ephemeral key whatever the outcome. */
	e = wt_kex_client_finish(&c->hs->kex, point.p, point.len, secret, &slen);
	if (e != 0) {
		wt_wipe(secret, sizeof secret);
		return FAIL(c, WT_ALERT_ILLEGAL_PARAMETER, WT_TLS_R_BAD_KEY_SHARE);
	}
	/* RFC 7627 3: the session hash covers the messages "up to and
	 * including the ClientKeyExchange". */
	wt_th_add(c, msg, len);
	e = wt_hs12_master(c, secret, slen);
	wt_wipe(secret, sizeof secret);
	if (e)
		return -1;
	/* RFC 5246 7.4.8: CertificateVerify follows a client certificate
	 * "that has signing capability" (every key we accept can sign). */
	c->state = c->peer_auth == PEER_AUTH_CERT_SEEN ? ST_S12_EXPECT_CV :
							 ST_S12_EXPECT_CCS;
	return 0;
}

static int on_cert_verify(wt_tls_conn *c, const uint8_t *msg, size_t len)
{
	if (wt_hs12_recv_cert_verify(c, msg, len))
		return -1;
	c->state = ST_S12_EXPECT_CCS;
	return 0;
}

int wt_hs12_server_ccs(wt_tls_conn *c)
{
	/* RFC 5246 7.3 / 7.4.9: the client's ChangeCipherSpec comes after
	 * its ClientKeyExchange (and CertificateVerify) or, resuming, after
	 * our Finished; "It is a fatal error if a Finished message is not
	 * preceded by a ChangeCipherSpec message at the appropriate point in
	 * the handshake." Anywhere else (before the keys exist: the
	 * CVE-2014-0224 early CCS) it is unexpected. */
	if (c->state != ST_S12_EXPECT_CCS)
		return FAIL(c, WT_ALERT_UNEXPECTED_MESSAGE, WT_TLS_R_BAD_CCS);
	if (wt_hs12_change_read(c))
		return -1;
	c->state = ST_S12_EXPECT_FIN;
	return 0;
}

static int on_finished(wt_tls_conn *c, const uint8_t *msg, size_t len)
{
	if (wt_hs12_recv_finished(c, msg, len))
		return -1;
	/* Resuming, our Finished went first: the handshake is done. Else
	 * ours follow: [NewSessionTicket] ChangeCipherSpec Finished. */
	if (!c->resumed &&
	    (send_ticket(c) || wt_hs12_change_write(c) || wt_hs12_send_finished(c) ||
	     wt_hs_flush(c)))
		return -1;
	c->state = ST_CONNECTED;
	c->hs_done = 1;
	return 0;
}

static int on_keyop(wt_tls_conn *c, const uint8_t *msg, size_t len)
{
	(void)msg;
	(void)len;
	return flight_end(c, c->keyop->scheme);
}

typedef int (*handler)(wt_tls_conn *, const uint8_t *, size_t);
static const struct {
	uint32_t state, type;
	handler h;
} SERVER12[] = {
	{ ST_S12_EXPECT_CERT, HS_CERTIFICATE, on_certificate },
	{ ST_S12_EXPECT_CKE, HS_CLIENT_KEY_EXCHANGE, on_cke },
	{ ST_S12_EXPECT_CV, HS_CERTIFICATE_VERIFY, on_cert_verify },
	{ ST_S12_EXPECT_FIN, HS_FINISHED, on_finished },
	{ ST_S12_KEYOP, HS_CLIENT_HELLO, on_keyop },
};

int wt_hs12_server_msg(wt_tls_conn *c, uint32_t type, const uint8_t *msg, size_t len)
{
	size_t i;
	for (i = 0; i < sizeof SERVER12 / sizeof SERVER12[0]; i++)
		if (SERVER12[i].state == c->state && SERVER12[i].type == type)
			return SERVER12[i].h(c, msg, len);
	/* RFC 5246 7.4: "Sending handshake messages in an unexpected order
	 * results in a fatal error" (unexpected_message, 7.2.2). */
	return FAIL(c, WT_ALERT_UNEXPECTED_MESSAGE, WT_TLS_R_UNEXPECTED_MESSAGE);
}
