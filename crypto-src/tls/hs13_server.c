/*
 * hs13_server.c: the TLS 1.3 server (RFC 8446 2, 4), one handler per
 * expected message; HelloRetryRequest, PSK resumption with tickets sealed
 * under the context's ticket key, client certificates.
 */
#include "tls_inner.h"

/* ---- tickets ---------------------------------------------------------------- *
 * ticket = nonce(12) || AEAD(ChaCha20-Poly1305, ticket_key,
 *          "wt13tkt" || suite u16 || psklen u8 || psk || age_add u32 ||
 *          issued_ms u64 || lifetime u32 || flags u8 || SHA-256(SNI) ||
 *          0-RTT (early_server.c)) || tag(16)
 * Only the server that holds the key can read or forge one.
 *
 * What the original handshake established travels with the ticket, since
 * a resumed handshake exchanges no certificates (RFC 8446 2.2):
 *  - flags: TKT_CLIENT_AUTH when the client proved a certificate
 *    (CertificateVerify checked), TKT_CLIENT_VERIFIED when its chain also
 *    validated (policy 'chain'). A server that requires a client
 *    certificate does not resume a ticket without the first: otherwise a
 *    ticket issued while certificates were optional, or by another
 *    context sharing the key, would let a client skip authentication.
 *  - the SNI's SHA-256 (zeros without SNI): RFC 6066 3, "A server that
 *    implements this extension MUST NOT accept the request to resume the
 *    session if the server_name extension contains a different name." */
static const uint8_t TKT_AAD[7] = { 'w', 't', '1', '3', 't', 'k', 't' };
#define TKT_CLIENT_AUTH 0x1u
#define TKT_CLIENT_VERIFIED 0x2u
#define TKT_PLAIN_MAX (2 + 1 + WT_HASH_MAX_LEN + 4 + 8 + 4 + 1 + 32 + WT_EARLY_TICKET_LEN)

static void sni_hash(const wt_tls_conn *c, uint8_t out[32])
{
	if (c->snilen)
		wt_sha256(c->sni, c->snilen, out);
	else
		memset(out, 0, 32);
}

static int ticket_seal(const wt_tls_conn *c, const uint8_t *psk, uint32_t age_add,
		       uint8_t *out, size_t *outlen)
{
	wt_aead_ctx a;
	uint8_t pt[TKT_PLAIN_MAX], *p = pt;
	size_t n;
	int r;
	wt_store16_be(p, c->suite);
	p += 2;
	*p++ = (uint8_t)c->hashlen;
	memcpy(p, psk, c->hashlen);
	p += c->hashlen;
	wt_store32_be(p, age_add);
	p += 4;
	wt_store64_be(p, wt_now());
	p += 8;
	wt_store32_be(p, c->ctx->ticket_lifetime);
	p += 4;
	*p++ = (uint8_t)((c->peer_auth == PEER_AUTH_VERIFIED ? TKT_CLIENT_AUTH : 0) |
			 (c->peer_auth == PEER_AUTH_VERIFIED && c->verify_code == 0 ?
				  TKT_CLIENT_VERIFIED :
				  0));
	sni_hash(c, p);
	p += 32;
	p += wt_early_ticket_put(c, p);
	n = (size_t)(p - pt);
	wt_random(out, 12);
	r = wt_aead_init(&a, WT_AEAD_CHACHA20POLY1305, c->ctx->ticket_key, 32);
	if (r == 0)
		r = wt_aead_seal(&a, out, 12, TKT_AAD, sizeof TKT_AAD, pt, n, out + 12,
				 out + 12 + n);
	wt_wipe(&a, sizeof a);
	wt_wipe(pt, sizeof pt);
	*outlen = 12 + n + 16;
	return r;
}

/* 0 and the PSK when the ticket opens, is for a suite with this hash and
 * is not expired; -1 otherwise (a full handshake follows, not an error). */
static int ticket_open(wt_tls_conn *c, const uint8_t *t, size_t len, uint32_t obf_age)
{
	wt_aead_ctx a;
	uint8_t pt[TKT_PLAIN_MAX];
	size_t n;
	uint32_t suite, psklen, age_add, lifetime, h, al, kl, flags;
	uint64_t issued, now = wt_now(), age;
	uint8_t sh[32];
	int r;
	if (!c->ctx->has_ticket_key || len < 12 + 16 || len > 12 + TKT_PLAIN_MAX + 16)
		return -1;
	n = len - 12 - 16;
	r = wt_aead_init(&a, WT_AEAD_CHACHA20POLY1305, c->ctx->ticket_key, 32);
	if (r == 0)
		r = wt_aead_open(&a, t, 12, TKT_AAD, sizeof TKT_AAD, t + 12, n, pt,
				 t + 12 + n);
	wt_wipe(&a, sizeof a);
	if (r || n < 3)
		goto no;
	suite = (uint32_t)pt[0] << 8 | pt[1];
	psklen = pt[2];
	if (n != 3 + psklen + 16 + 1 + 32 + WT_EARLY_TICKET_LEN ||
	    wt_ks_suite_params(suite, &h, &al, &kl) || h != c->hash ||
	    psklen != c->hashlen)
		goto no;
	age_add = wt_load32_be(pt + 3 + psklen);
	issued = wt_load64_be(pt + 7 + psklen);
	lifetime = wt_load32_be(pt + 15 + psklen);
	flags = pt[19 + psklen];
	/* The SNI must be the one the ticket was issued under (RFC 6066 3),
	 * and a server requiring client certificates resumes only what an
	 * authenticated client was issued (see the ticket comment). */
	sni_hash(c, sh);
	if (!wt_ct_eq(sh, pt + 20 + psklen, 32))
		goto no;
	if ((c->ctx->client_cert & WT_TLS_CLIENT_CERT_REQUIRE) &&
	    !(flags & TKT_CLIENT_AUTH))
		goto no;
	/* RFC 8446 4.6.1: the ticket is usable for ticket_lifetime seconds;
	 * 8.3 the server may also check the client's view of the age
	 * (obfuscated_ticket_age - ticket_age_add), which 0-RTT checks. */
	age = now >= issued ? now - issued : 0;
	if (now < issued || age > (uint64_t)lifetime * 1000)
		goto no;
	wt_early_ticket_get(c, t, len, pt + 52 + psklen, suite, obf_age - age_add, age,
			    issued + (uint64_t)lifetime * 1000);
	memcpy(c->psk, pt + 3, psklen);
	c->tkt_flags = flags;
	wt_wipe(pt, sizeof pt);
	return 0;
no:
	wt_wipe(pt, sizeof pt);
	return -1;
}

static int send_tickets(wt_tls_conn *c)
{
	uint32_t i;
	/* RFC 8446 4.2.9: "Servers SHOULD NOT send NewSessionTicket with
	 * tickets that are not compatible with the advertised modes": ours
	 * need psk_dhe_ke. */
	for (i = 0; i < c->ctx->tickets && c->ctx->has_ticket_key && c->psk_modes_ok;
	     i++) {
		uint8_t nonce[8], psk[WT_HASH_MAX_LEN], age[4];
		uint8_t ticket[12 + TKT_PLAIN_MAX + 16];
		size_t tl, p;
		wt_wr w;
		wt_store64_be(nonce, c->tickets_sent++);
		wt_random(age, 4);
		if (wt_ks_ticket_psk(c->hash, c->ks_m.resumption, nonce, 8, psk) ||
		    ticket_seal(c, psk, wt_load32_be(age), ticket, &tl))
			return FAIL(c, WT_ALERT_INTERNAL_ERROR, WT_TLS_ERR_INTERNAL);
		wt_wipe(psk, sizeof psk);
		wt_hs_writer(c, &w);
		wt_wr_u32(&w, c->ctx->ticket_lifetime);
		wt_wr_bytes(&w, age, 4);
		p = wt_wr_open(&w, 1);
		wt_wr_bytes(&w, nonce, 8);
		wt_wr_close(&w, p, 1);
		p = wt_wr_open(&w, 2);
		wt_wr_bytes(&w, ticket, tl);
		wt_wr_close(&w, p, 2);
		wt_early_server_nst_ext(c, &w);
		if (w.overflow)
			return FAIL(c, WT_ALERT_INTERNAL_ERROR, WT_TLS_R_HS_TOO_LARGE);
		/* Post-handshake messages are not part of the transcript. */
		if (wt_hs_put(c, HS_NEW_SESSION_TICKET, w.buf, w.len, 0))
			return -1;
	}
	return wt_hs_flush(c);
}

/* ---- PSK: the first identity whose ticket opens; its binder must check ---- */

/* Identities tried at most (each costs one AEAD open of a ticket). */
#define WT_TLS_PSK_TRY 8

static int try_psk(wt_tls_conn *c, const uint8_t *ch, size_t chlen)
{
	wt_rd r = { c->psk_ext, c->psk_extlen }, ids, binders, id, b, scan;
	uint32_t age, nids = 0, nbinders = 0, i, j;
	uint8_t bk[WT_HASH_MAX_LEN], th[WT_HASH_MAX_LEN], want[WT_HASH_MAX_LEN];
	wt_hash_ctx h;
	size_t trunc, blen;
	uint32_t ok;
	/* RFC 8446 4.2.11: PskIdentity identities<7..2^16-1>;
	 * PskBinderEntry binders<33..2^16-1>, each opaque<32..255>. */
	if (wt_rd_vec(&r, 2, &ids) || wt_rd_vec(&r, 2, &binders) || r.len ||
	    ids.len == 0 || binders.len == 0 || c->psk_ext + c->psk_extlen != ch + chlen)
		return FAIL(c, WT_ALERT_DECODE_ERROR, WT_TLS_R_BAD_PSK);
	blen = binders.len;
	for (scan = ids; scan.len; nids++)
		if (wt_rd_vec(&scan, 2, &id) || id.len == 0 || wt_rd_u32(&scan, &age))
			return FAIL(c, WT_ALERT_DECODE_ERROR, WT_TLS_R_BAD_PSK);
	for (scan = binders; scan.len; nbinders++)
		if (wt_rd_vec(&scan, 1, &b) || b.len < 32)
			return FAIL(c, WT_ALERT_DECODE_ERROR, WT_TLS_R_BAD_PSK);
	/* "binders: A series of HMAC values, one for each value in the
	 * identities list and in the same order": otherwise the fields are
	 * inconsistent (6.2 illegal_parameter). */
	if (nids != nbinders)
		return FAIL(c, WT_ALERT_ILLEGAL_PARAMETER, WT_TLS_R_BAD_PSK);
	/* RFC 8446 4.2.9: "If clients offer "pre_shared_key" without a
	 * "psk_key_exchange_modes" extension, servers MUST abort the
	 * handshake" (9.2: a missing mandatory extension). */
	if (!wt_hs_ext_seen(c, EXT_PSK_KEY_EXCHANGE_MODES))
		return FAIL(c, WT_ALERT_MISSING_EXTENSION, WT_TLS_R_MISSING_EXTENSION);
	/* We do psk_dhe_ke only: without it the PSK is not used. */
	if (!c->psk_modes_ok)
		return 0;
	/* The first identity whose ticket opens (is ours, unexpired, for
	 * this suite's hash). 4.2.11: "Servers SHOULD NOT attempt to validate
	 * multiple binders; rather, they SHOULD select a single PSK and
	 * validate solely the binder that corresponds to that PSK." None:
	 * a full handshake, not an error. */
	for (scan = ids, i = 0; i < nids && i < WT_TLS_PSK_TRY; i++) {
		(void)wt_rd_vec(&scan, 2, &id);
		(void)wt_rd_u32(&scan, &age);
		if (ticket_open(c, id.p, id.len, age) == 0)
			break;
	}
	if (i == nids || i == WT_TLS_PSK_TRY)
		return 0;
	c->psk_index_sel = i;
	for (scan = binders, j = 0; j <= i; j++)
		(void)wt_rd_vec(&scan, 1, &b);
	/* RFC 8446 4.2.11.2: the binder over Truncate(ClientHello), with the
	 * HelloRetryRequest transcript before it on a second hello. 4.2.11:
	 * "If this value is not present or does not validate, the server
	 * MUST abort the handshake"; 6.2 decrypt_error covers "a PSK binder"
	 * that cannot be validated. pre_shared_key is the last extension,
	 * binders its last field. */
	trunc = chlen - 2 - blen;
	if (b.len != c->hashlen)
		return FAIL(c, WT_ALERT_DECRYPT_ERROR, WT_TLS_R_BAD_BINDER);
	h = c->hs->th;
	wt_hash_update(&h, ch, trunc);
	wt_hash_out(&h, th);
	wt_ks_early_init(&c->hs->ks_e, c->hash, c->psk, c->hashlen);
	if (wt_ks_binder_key(&c->hs->ks_e, c->hash, 1, bk) ||
	    wt_ks_finished(c->hash, bk, th, want))
		return FAIL(c, WT_ALERT_INTERNAL_ERROR, WT_TLS_ERR_INTERNAL);
	ok = wt_ct_eq(want, b.p, c->hashlen);
	wt_wipe(bk, sizeof bk);
	wt_wipe(want, sizeof want);
	if (!WT_DECLASSIFY(ok))
		return FAIL(c, WT_ALERT_DECRYPT_ERROR, WT_TLS_R_BAD_BINDER);
	c->resumed = 1;
	/* The client's authentication carries over from the original
	 * handshake: peer_authenticated and the verdict say so (no chain is
	 * exchanged; verify_code stays 1, "no validation ran", unless it was
	 * validated then). */
	c->peer_auth =
		(c->tkt_flags & TKT_CLIENT_AUTH) ? PEER_AUTH_VERIFIED : PEER_AUTH_NONE;
	if (c->tkt_flags & TKT_CLIENT_VERIFIED)
		c->verify_code = 0;
	return 0;
}

/* ---- ClientHello ------------------------------------------------------------ */

static void send_ccs_once(wt_tls_conn *c)
{
	/* RFC 8446 D.4: "The server sends a dummy change_cipher_spec record
	 * immediately after its first handshake message" when the client
	 * sent a non-empty legacy_session_id. */
	static const uint8_t one = 1;
	if ((c->ctx->options & WT_TLS_OP_ENABLE_MIDDLEBOX_COMPAT) && c->sid_len > 0 &&
	    !c->ccs_sent) {
		(void)wt_tls_seal(c, CT_CCS, &one, 1);
		c->ccs_sent = 1;
	}
}

static int write_server_hello(wt_tls_conn *c, int hrr)
{
	wt_wr w;
	size_t p;
	wt_hs_writer(c, &w);
	wt_wr_u16(&w, 0x0303);
	wt_wr_bytes(&w, hrr ? wt_hrr_random : c->random, 32);
	p = wt_wr_open(&w, 1);
	wt_wr_bytes(&w, c->session_id, c->sid_len);
	wt_wr_close(&w, p, 1);
	wt_wr_u16(&w, c->suite);
	wt_wr_u8(&w, 0);
	wt_ext_write_all(c, hrr ? M_HRR : M_SH, &w);
	if (c->ech && wt_ech_server_hello(c, &w, hrr))
		return -1;
	return wt_hs_commit(c, HS_SERVER_HELLO, &w);
}

/* RFC 8446 4.1.2: after a HelloRetryRequest "the client MUST send the
 * same ClientHello without modification, except as follows": a new
 * key_share, early_data removed, the cookie added, pre_shared_key
 * updated, padding changed. The first ClientHello is kept as a hash of
 * everything else - every field, every other extension in order - which
 * the second must reproduce. exts: the extension block, unread. */
static void ch_digest(const uint8_t *msg, wt_rd exts, uint8_t out[32])
{
	wt_hash_ctx h;
	(void)wt_hash_init(&h, WT_SHA256);
	/* legacy_version .. legacy_compression_methods */
	wt_hash_update(&h, msg + 4, (size_t)(exts.p - 2 - (msg + 4)));
	while (exts.len > 0) {
		const uint8_t *start = exts.p;
		uint32_t type;
		wt_rd body;
		if (wt_rd_u16(&exts, &type) || wt_rd_vec(&exts, 2, &body))
			break; /* already checked by the block walker */
		if (type == EXT_KEY_SHARE || type == EXT_PRE_SHARED_KEY ||
		    type == EXT_EARLY_DATA || type == EXT_COOKIE || type == EXT_PADDING)
			continue;
		wt_hash_update(&h, start, (size_t)(exts.p - start));
	}
	wt_hash_out(&h, out);
}

static int flight_end(wt_tls_conn *c);

static int on_client_hello(wt_tls_conn *c, const uint8_t *msg, size_t len)
{
	const wt_tls_ctx *ctx = c->ctx;
	wt_rd r = { msg + 4, len - 4 }, sid, suites, comp, exts;
	uint32_t ver, i, j, suite = 0, group = 0, second = c->state == ST_S_EXPECT_CH2;
	const uint8_t *random;
	uint8_t th[WT_HASH_MAX_LEN], secret[WT_KEX_SECRET_MAX];
	size_t slen;

	if (wt_rd_u16(&r, &ver) || wt_rd_bytes(&r, 32, &random) ||
	    wt_rd_vec(&r, 1, &sid) || sid.len > 32 || wt_rd_vec(&r, 2, &suites) ||
	    suites.len == 0 || (suites.len & 1) || wt_rd_vec(&r, 1, &comp) ||
	    comp.len == 0)
		return FAIL(c, WT_ALERT_DECODE_ERROR, WT_TLS_R_DECODE);
	/* RFC 8446 D.5: "Any endpoint receiving a Hello message with
	 * ClientHello.legacy_version or ServerHello.legacy_version set to
	 * 0x0300 MUST abort the handshake with a "protocol_version" alert",
	 * whatever supported_versions says (as OpenSSL and BoringSSL do;
	 * older values are older still). */
	if (ver <= 0x0300)
		return FAIL(c, WT_ALERT_PROTOCOL_VERSION, WT_TLS_R_BAD_LEGACY_VERSION);
	/* No extensions at all: a TLS 1.2 (or older) hello (RFC 5246
	 * 7.4.1.2: the extensions block may be absent). */
	if (r.len == 0) {
		exts.p = r.p;
		exts.len = 0;
	} else if (wt_rd_vec(&r, 2, &exts) || r.len)
		return FAIL(c, WT_ALERT_DECODE_ERROR, WT_TLS_R_DECODE);
	c->hs_seen_ch = 1;
	/* Kept for the key log only (its lines are keyed by it). The second
	 * ClientHello repeats the first's random (RFC 8446 4.1.2 lists what
	 * may change); taken from each, as OpenSSL does. */
	memcpy(c->peer_random, random, 32);
	if (!second) {
		if (ctx->nsuites == 0 || ctx->ngroups == 0)
			return FAIL(c, WT_ALERT_INTERNAL_ERROR,
				    WT_TLS_ERR_CRYPTO_UNAVAILABLE);
		wt_th_init(c);
		memcpy(c->session_id, sid.p, sid.len);
		c->sid_len = (uint32_t)sid.len;
	} else if (sid.len != c->sid_len || memcmp(sid.p, c->session_id, sid.len)) {
		/* RFC 8446 4.1.2: the second ClientHello repeats the first,
		 * with only the listed changes. */
		return FAIL(c, WT_ALERT_ILLEGAL_PARAMETER, WT_TLS_R_BAD_HRR);
	}
	c->peer_versions_ok = 0;
	c->peer_v12 = 0;
	c->peer_share = NULL;
	c->peer_group_mask = 0;
	c->peer_sigalg_mask = 0;
	c->psk_modes_ok = 0;
	c->psk_ext = NULL;
	c->ext_seen_peer = 0;
	c->cookie_ok = 0;
	{
		wt_rd all = exts;
		uint8_t d[32];
		if (wt_hs_check_ext_block(c, &exts, M_CH))
			return -1;
		c->ext_seen_peer = c->seen_ext[0];
		ch_digest(msg, all, d);
		if (!second) {
			memcpy(c->hs->ch1_digest, d, 32);
			/* RFC 8446 4.2.10: a server that does not accept 0-RTT
			 * "skips past early data" - by deprotection failures after
			 * a ServerHello, by outer type application_data after a
			 * HelloRetryRequest - "up to the configured
			 * max_early_data_size" (record.c). */
			c->early_skip = wt_hs_ext_seen(c, EXT_EARLY_DATA) ?
				WT_TLS_EARLY_SKIP_MAX :
				0;
		} else {
			c->early_skip = 0;
			if (memcmp(d, c->hs->ch1_digest, 32) != 0)
				return FAIL(c, WT_ALERT_ILLEGAL_PARAMETER,
					    WT_TLS_R_BAD_HRR);
			/* 4.2.10: "A client MUST NOT include the "early_data"
			 * extension in its followup ClientHello." */
			if (wt_hs_ext_seen(c, EXT_EARLY_DATA))
				return FAIL(c, WT_ALERT_ILLEGAL_PARAMETER,
					    WT_TLS_R_EARLY_DATA);
			/* 4.2.2: "When sending the new ClientHello, the client
			 * MUST copy the contents of the extension received in
			 * the HelloRetryRequest into a "cookie" extension". */
			if (c->hs->cookielen && !c->cookie_ok)
				return FAIL(c, WT_ALERT_ILLEGAL_PARAMETER,
					    WT_TLS_R_BAD_COOKIE);
			/* 4.1.2: "If a "key_share" extension was supplied in the
			 * HelloRetryRequest, replacing the list of shares with a
			 * list containing a single KeyShareEntry from the
			 * indicated group." */
			if (c->npeer_shares != 1)
				return FAIL(c, WT_ALERT_ILLEGAL_PARAMETER,
					    WT_TLS_R_BAD_KEY_SHARE);
			/* 4.1.2: the only change allowed to "pre_shared_key" is
			 * "Updating the "pre_shared_key" extension if present by
			 * recomputing the obfuscated_ticket_age and binder values
			 * and (optionally) removing any PSKs which are
			 * incompatible with the server's indicated cipher suite".
			 * A PSK we accepted on the first ClientHello is compatible
			 * with the suite we named, so it may not vanish; 9.2 makes
			 * a missing required extension "missing_extension" (as
			 * BoringSSL answers). A PSK we could not use may be
			 * dropped (our client drops one of another hash). */
			if (c->psk_ch1 && c->psk_ext == NULL)
				return FAIL(c, WT_ALERT_MISSING_EXTENSION,
					    WT_TLS_R_MISSING_EXTENSION);
		}
	}
	/* Version negotiation. RFC 8446 4.2.1: with "supported_versions"
	 * "servers MUST ignore the ClientHello.legacy_version value and MUST
	 * use only the "supported_versions" extension to determine client
	 * preferences"; without it the client offers legacy_version and
	 * below. TLS 1.3 when both sides have it; else TLS 1.2 when both
	 * have that (hs12_server.c); else protocol_version. */
	if (!c->peer_versions_ok || ctx->max_version < WT_TLS_VERSION_13) {
		int sv = wt_hs_ext_seen(c, EXT_SUPPORTED_VERSIONS);
		int v12 = sv ? (int)c->peer_v12 : ver >= WT_TLS_VERSION_12;
		/* 4.1.2: a second ClientHello answers our HelloRetryRequest,
		 * which only a TLS 1.3 exchange has. */
		if (second)
			return FAIL(c, WT_ALERT_ILLEGAL_PARAMETER, WT_TLS_R_BAD_HRR);
		if (!v12 || ctx->min_version > WT_TLS_VERSION_12) {
			/* RFC 7507 3: with TLS_FALLBACK_SCSV, "If the highest
			 * protocol version supported by the server is higher
			 * than the version indicated by the client, the server
			 * MUST respond with a fatal inappropriate_fallback
			 * alert" - ours is (the client has nothing we speak). */
			for (i = 0; i + 1 < suites.len; i += 2)
				if (((uint32_t)suites.p[i] << 8 | suites.p[i + 1]) ==
				    WT_TLS_FALLBACK_SCSV)
					return FAIL(c, WT_ALERT_INAPPROPRIATE_FALLBACK,
						    WT_TLS_R_INAPPROPRIATE_FALLBACK);
		}
		if (!v12 || ctx->min_version > WT_TLS_VERSION_12)
			return FAIL(c, WT_ALERT_PROTOCOL_VERSION,
				    ctx->min_version > WT_TLS_VERSION_12 ?
					    WT_TLS_R_NO_TLS13 :
					    WT_TLS_R_NO_SHARED_VERSION);
		return wt_hs12_server_client_hello(c, msg, len, sid.p, sid.len, suites.p,
						   suites.len, comp.p, comp.len);
	}
	/* RFC 8446 4.1.2: "For every TLS 1.3 ClientHello, this vector MUST
	 * contain exactly one byte, set to zero ... If a TLS 1.3 ClientHello
	 * is received with any other value in this field, the server MUST
	 * abort the handshake with an "illegal_parameter" alert." */
	if (comp.len != 1 || comp.p[0] != 0)
		return FAIL(c, WT_ALERT_ILLEGAL_PARAMETER, WT_TLS_R_BAD_COMPRESSION);
	/* Our preference among the client's suites. */
	for (i = 0; i < ctx->nsuites && !suite; i++)
		for (j = 0; j < suites.len; j += 2)
			if (((uint32_t)suites.p[j] << 8 | suites.p[j + 1]) ==
			    ctx->suites[i])
				suite = ctx->suites[i];
	/* 6.2 handshake_failure: "unable to negotiate an acceptable set of
	 * security parameters given the options available". */
	if (!suite)
		return FAIL(c, WT_ALERT_HANDSHAKE_FAILURE, WT_TLS_R_NO_SHARED_SUITE);
	/* 4.1.4: the cipher suite after a HelloRetryRequest is the one it
	 * named (the client's list must not change: 4.1.2). */
	if (second && suite != c->suite)
		return FAIL(c, WT_ALERT_ILLEGAL_PARAMETER, WT_TLS_R_BAD_HRR);
	/* RFC 8446 9.2: a TLS 1.3 ClientHello "If containing a
	 * "supported_groups" extension, it MUST also contain a "key_share"
	 * extension, and vice versa"; "Servers receiving a ClientHello which
	 * does not conform to these requirements MUST abort the handshake
	 * with a "missing_extension" alert". We do (EC)DHE always (psk_dhe_ke
	 * only), so both are required. */
	if (!wt_hs_ext_seen(c, EXT_SUPPORTED_GROUPS) || !wt_hs_ext_seen(c, EXT_KEY_SHARE))
		return FAIL(c, WT_ALERT_MISSING_EXTENSION, WT_TLS_R_MISSING_EXTENSION);
	if (!second)
		wt_tls_set_suite(c, suite);

	/* PSK first: it decides whether a certificate is needed. What a
	 * ticket accepted on a first ClientHello said about the client does
	 * not outlive a HelloRetryRequest: the second hello decides again. */
	c->resumed = 0;
	c->peer_auth = PEER_AUTH_NONE;
	c->verify_code = 1;
	if (c->psk_ext) {
		if (try_psk(c, msg, len))
			return -1;
	}
	wt_th_add(c, msg, len);

	/* RFC 8446 9.2: "If a server is authenticating via a certificate and
	 * the client has not sent a "signature_algorithms" extension, then
	 * the server MUST abort the handshake with a "missing_extension"
	 * alert." */
	if (!c->resumed) {
		if (!(ctx->chainlen && ctx->has_key))
			return FAIL(c, WT_ALERT_INTERNAL_ERROR, WT_TLS_ERR_CONFIG);
		if (!wt_hs_ext_seen(c, EXT_SIGNATURE_ALGORITHMS))
			return FAIL(c, WT_ALERT_MISSING_EXTENSION,
				    WT_TLS_R_MISSING_EXTENSION);
		if (wt_hs_pick_sigalg(c) == 0)
			return FAIL(c, WT_ALERT_HANDSHAKE_FAILURE,
				    WT_TLS_R_NO_SHARED_SIGALG);
	}

	if (c->peer_share != NULL) {
		group = c->peer_group;
	} else {
		/* No usable share: the first of our groups the client
		 * supports, by HelloRetryRequest (RFC 8446 4.1.1). */
		for (i = 0; i < ctx->ngroups && !group; i++)
			if ((c->peer_group_mask >> i) & 1)
				group = ctx->groups[i];
		if (!group)
			return FAIL(c, WT_ALERT_HANDSHAKE_FAILURE,
				    WT_TLS_R_NO_SHARED_GROUP);
		/* RFC 8446 4.1.4: after a HelloRetryRequest the client MUST
		 * send the share asked for. */
		if (second)
			return FAIL(c, WT_ALERT_ILLEGAL_PARAMETER,
				    WT_TLS_R_BAD_KEY_SHARE);
		c->hrr = 1;
		c->hrr_group = group;
		c->psk_ch1 = c->resumed;
		/* A fresh cookie (cookie.c) the second ClientHello must echo. */
		wt_random(c->hs->cookie, 32);
		c->hs->cookielen = 32;
		/* Not with ECH accepted: Go's client (1.26) puts the cookie in
		 * ClientHelloInner2 only, by an ech_outer_extensions reference
		 * ClientHelloOuter2 cannot satisfy (the cookie is optional). */
		if (wt_tls_ech_status(c) == WT_TLS_ECH_ACCEPTED)
			c->hs->cookielen = 0;
		wt_th_hrr_reset(c);
		if (write_server_hello(c, 1) || wt_hs_flush(c))
			return -1;
		send_ccs_once(c);
		c->resumed = 0;
		c->state = ST_S_EXPECT_CH2;
		return 0;
	}
	if (second && group != c->hrr_group)
		return FAIL(c, WT_ALERT_ILLEGAL_PARAMETER, WT_TLS_R_BAD_KEY_SHARE);

	if (wt_early_server_decide(c))
		return -1;
	/* ServerHello: random, then the ephemeral share (entropy in that
	 * order, which the RFC 8448 trace test relies on). */
	wt_random(c->random, 32);
	c->group = group;
	/* 4.2.8.2 / 7.4.2: the client's share is validated (a point on the
	 * curve, a non-zero X25519 secret, an ML-KEM key of the right form). */
	if (wt_kex_server(group, c->peer_share, c->peer_sharelen, c->hs->own_share,
			  secret, &slen) != 0)
		return FAIL(c, WT_ALERT_ILLEGAL_PARAMETER, WT_TLS_R_BAD_KEY_SHARE);
	c->hs->own_sharelen = wt_kex_server_share_len(group);
	if (write_server_hello(c, 0) || wt_hs_flush(c)) {
		wt_wipe(secret, sizeof secret);
		return -1;
	}
	send_ccs_once(c);
	if (!c->resumed)
		wt_ks_early_init(&c->hs->ks_e, c->hash, NULL, 0);
	wt_th_out(c, th);
	i = (uint32_t)wt_ks_handshake_init(&c->hs->ks_h, &c->hs->ks_e, c->hash, secret,
					   slen, th);
	wt_wipe(secret, sizeof secret);
	if (i)
		return FAIL(c, WT_ALERT_INTERNAL_ERROR, WT_TLS_ERR_INTERNAL);
	if (wt_tls_set_keys(c, &c->wr, c->hs->ks_h.s_hs) ||
	    wt_tls_set_keys(c, &c->rd, c->hs->ks_h.c_hs))
		return -1;
	/* Key log, in OpenSSL's server order (see wt_tls.h). */
	wt_tls_keylog_put(c, WT_TLS_KEYLOG_SERVER_HANDSHAKE_TRAFFIC_SECRET,
			  c->hs->ks_h.s_hs);
	wt_tls_keylog_put(c, WT_TLS_KEYLOG_CLIENT_HANDSHAKE_TRAFFIC_SECRET,
			  c->hs->ks_h.c_hs);
	c->rd_epoch++;

	/* EncryptedExtensions [CertificateRequest] [Certificate
	 * CertificateVerify] Finished, one flight under the handshake key. */
	{
		wt_wr w;
		wt_hs_writer(c, &w);
		wt_ext_write_all(c, M_EE, &w);
		if (wt_hs_commit(c, HS_ENCRYPTED_EXTENSIONS, &w))
			return -1;
	}
	if (!c->resumed) {
		if (ctx->client_cert & WT_TLS_CLIENT_CERT_REQUEST) {
			wt_wr w;
			wt_hs_writer(c, &w);
			wt_wr_u8(&w, 0); /* empty certificate_request_context */
			wt_ext_write_all(c, M_CR, &w);
			if (wt_hs_commit(c, HS_CERTIFICATE_REQUEST, &w))
				return -1;
			c->cert_requested = 1;
			c->hs->cr_contextlen = 0;
		}
		if (wt_hs_send_certificate(c, NULL, 0))
			return -1;
	}
	return flight_end(c);
}

/* The flight from CertificateVerify on; a signer's pause (keyop.c) comes
 * back here through on_keyop. */
static int flight_end(wt_tls_conn *c)
{
	uint8_t th[WT_HASH_MAX_LEN];
	if (!c->resumed) {
		if (wt_hs_send_cert_verify(c))
			return -1;
		if (c->keyop) {
			c->state = ST_S_KEYOP;
			return WT_HS_PAUSE;
		}
	}
	if (wt_hs_send_finished(c, c->hs->ks_h.s_hs) || wt_hs_flush(c))
		return -1;
	wt_th_out(c, th);
	if (wt_ks_master_init(&c->ks_m, &c->hs->ks_h, c->hash, th) ||
	    wt_tls_set_keys(c, &c->wr, c->ks_m.s_ap))
		return FAIL(c, WT_ALERT_INTERNAL_ERROR, WT_TLS_ERR_INTERNAL);
	wt_tls_keylog_put(c, WT_TLS_KEYLOG_EXPORTER_SECRET, c->ks_m.exporter);
	wt_tls_keylog_put(c, WT_TLS_KEYLOG_SERVER_TRAFFIC_SECRET_0, c->ks_m.s_ap);
	c->state = c->cert_requested ? ST_S_EXPECT_CERT : ST_S_EXPECT_FIN;
	return wt_early_server_flight(c);
}

static int on_certificate(wt_tls_conn *c, const uint8_t *msg, size_t len)
{
	int r = wt_hs_server_recv_certificate(c, msg, len);
	if (r)
		return r;
	c->state = c->peer_auth == PEER_AUTH_CERT_SEEN ? ST_S_EXPECT_CV : ST_S_EXPECT_FIN;
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
	c->state = ST_S_EXPECT_FIN;
	return 0;
}

static int on_finished(wt_tls_conn *c, const uint8_t *msg, size_t len)
{
	uint8_t th[WT_HASH_MAX_LEN];
	if (wt_hs_recv_finished(c, msg, len, c->hs->ks_h.c_hs))
		return -1;
	wt_th_out(c, th);
	if (wt_ks_resumption(&c->ks_m, c->hash, th) ||
	    wt_tls_set_keys(c, &c->rd, c->ks_m.c_ap))
		return FAIL(c, WT_ALERT_INTERNAL_ERROR, WT_TLS_ERR_INTERNAL);
	/* Logged once the client's Finished is verified and its application
	 * key installed, as OpenSSL does. */
	wt_tls_keylog_put(c, WT_TLS_KEYLOG_CLIENT_TRAFFIC_SECRET_0, c->ks_m.c_ap);
	c->rd_epoch++;
	wt_wipe(&c->hs->ks_e, sizeof c->hs->ks_e);
	c->state = ST_CONNECTED;
	c->hs_done = 1;
	return send_tickets(c);
}

/* A ClientHello, opened first when it carries Encrypted Client Hello for
 * one of our keys (the second after a HelloRetryRequest that accepted
 * it, with the first's HPKE context): the rest of the handshake then
 * answers ClientHelloInner (ech.c). */
static int on_client_hello1(wt_tls_conn *c, const uint8_t *msg, size_t len)
{
	if (c->ctx->ech_keys && wt_ech_server_open(c, &msg, &len))
		return -1;
	return on_client_hello(c, msg, len);
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
} SERVER[] = {
	{ ST_S_EXPECT_CH, HS_CLIENT_HELLO, on_client_hello1 },
	{ ST_S_EXPECT_CH2, HS_CLIENT_HELLO, on_client_hello1 },
	{ ST_S_EXPECT_CERT, HS_CERTIFICATE, on_certificate },
	{ ST_S_EXPECT_CV, HS_CERTIFICATE_VERIFY, on_cert_verify },
	{ ST_S_EXPECT_FIN, HS_FINISHED, on_finished },
	{ ST_S_EXPECT_CERT, HS_COMPRESSED_CERTIFICATE, on_compressed_certificate },
	{ ST_S_KEYOP, HS_CLIENT_HELLO, on_keyop },
	{ ST_S_EXPECT_EOED, HS_END_OF_EARLY_DATA, wt_early_server_eoed },
};

int wt_hs_server_msg(wt_tls_conn *c, uint32_t type, const uint8_t *msg, size_t len)
{
	size_t i;
	for (i = 0; i < sizeof SERVER / sizeof SERVER[0]; i++)
		if (SERVER[i].state == c->state && SERVER[i].type == type)
			return SERVER[i].h(c, msg, len);
	return FAIL(c, WT_ALERT_UNEXPECTED_MESSAGE, WT_TLS_R_UNEXPECTED_MESSAGE);
}
