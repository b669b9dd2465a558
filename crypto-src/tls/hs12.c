/*
 * hs12.c: what the TLS 1.2 client and server share (RFC 5246, with the
 * ECDHE suites of RFC 8422, the AEAD records of RFC 5288 / RFC 7905 and
 * the extended master secret of RFC 7627): the suite, the master secret
 * and key block, ChangeCipherSpec on each side, Finished, the signed
 * ECDH parameters, CertificateVerify and the refusal to renegotiate.
 *
 * Layer "shared" (see tls_inner.h), beside handshake.c: called by
 * hs12_client.c, hs12_server.c, post.c and the pump; calls errors.c,
 * record.c, the key schedule and the transcript.
 *
 * Secrets: the master secret lives in c->ms for the connection (a
 * session to resume is made from it); the key block in c->hs->kb from the
 * master secret until both sides changed cipher spec, then wiped.
 */
#include "tls_inner.h"

void wt_tls_set_suite12(wt_tls_conn *c, uint32_t suite)
{
	uint32_t ecdsa;
	c->version = WT_TLS_VERSION_12;
	c->suite = suite;
	(void)wt_ks12_suite_params(suite, &c->hash, &c->aead, &c->keylen, &ecdsa);
	c->hashlen = (uint32_t)wt_hash_len(c->hash);
	/* Both transcript hashes keep running (wt_th_out_hash). RFC 8449 4:
	 * in TLS 1.2 record_size_limit counts plaintext bytes, the content
	 * type not included; what the ClientHello's parse set assumed 1.3. */
	c->send_frag = c->peer_rsl && c->peer_rsl < WT_TLS_MAX_PLAIN ? c->peer_rsl :
								       WT_TLS_MAX_PLAIN;
	c->recv_limit = c->peer_rsl && c->ctx->rsl ? c->ctx->rsl : WT_TLS_MAX_PLAIN;
}

/* Key block sizes: the AEAD key, and the IV (RFC 5288 3: a 4-byte salt;
 * RFC 7905 2: a 12-byte fixed_iv). */
static size_t iv_len(const wt_tls_conn *c)
{
	return c->aead == WT_AEAD_CHACHA20POLY1305 ? 12 : 4;
}

int wt_hs12_master(wt_tls_conn *c, const uint8_t *pms, size_t pmslen)
{
	uint8_t sh[WT_HASH_MAX_LEN];
	const uint8_t *cr = c->role == ROLE_CLIENT ? c->random : c->peer_random;
	const uint8_t *sr = c->role == ROLE_CLIENT ? c->peer_random : c->random;
	/* RFC 7627 3: session_hash = Hash(handshake_messages) "up to and
	 * including the ClientKeyExchange message". */
	wt_th_out(c, sh);
	if (wt_ks12_master(c->hash, pms, pmslen, (int)c->ems, sh, cr, sr, c->ms) ||
	    wt_ks12_key_block(c->hash, c->ms, cr, sr, c->keylen, iv_len(c), c->hs->kb))
		return FAIL(c, WT_ALERT_INTERNAL_ERROR, WT_TLS_ERR_INTERNAL);
	/* NSS key log: "CLIENT_RANDOM <client_random> <master_secret>". */
	wt_tls_keylog_put(c, WT_TLS_KEYLOG_CLIENT_RANDOM, c->ms);
	return 0;
}

/* Install one side's key and IV from the key block (RFC 5246 6.3 order:
 * client_write_key, server_write_key, client_write_IV, server_write_IV). */
static int install(wt_tls_conn *c, wt_tls_dir *d, int client_side)
{
	size_t kl = c->keylen, il = iv_len(c);
	const uint8_t *key = c->hs->kb + (client_side ? 0 : kl);
	const uint8_t *iv = c->hs->kb + 2 * kl + (client_side ? 0 : il);
	uint32_t e = wt_rec_set_keys12(c, d, key, iv);
	if (e)
		return wt_tls_fail(c, WT_ALERT_INTERNAL_ERROR, e);
	return 0;
}

/* Once both directions use the new keys, the key block is no longer
 * needed (the AEAD contexts hold the keys). */
static void kb_done(wt_tls_conn *c)
{
	if (c->wr.v12 && c->rd.v12)
		wt_wipe(c->hs->kb, sizeof c->hs->kb);
}

int wt_hs12_change_write(wt_tls_conn *c)
{
	static const uint8_t one = 1;
	/* RFC 5246 7.1: "The ChangeCipherSpec message is sent ... to notify
	 * the receiving party that subsequent records will be protected
	 * under the newly negotiated CipherSpec and keys." What hs_out holds
	 * goes out before it, under the old state. */
	if (wt_hs_flush(c) || wt_tls_seal(c, CT_CCS, &one, 1) ||
	    install(c, &c->wr, c->role == ROLE_CLIENT))
		return -1;
	kb_done(c);
	return 0;
}

int wt_hs12_change_read(wt_tls_conn *c)
{
	if (install(c, &c->rd, c->role != ROLE_CLIENT))
		return -1;
	c->ccs_seen = 1;
	c->rd_epoch++;
	kb_done(c);
	return 0;
}

int wt_hs12_send_finished(wt_tls_conn *c)
{
	uint8_t th[WT_HASH_MAX_LEN];
	wt_th_out(c, th);
	if (wt_ks12_finished(c->hash, c->ms, c->role == ROLE_CLIENT, th, c->own_vd))
		return FAIL(c, WT_ALERT_INTERNAL_ERROR, WT_TLS_ERR_INTERNAL);
	return wt_hs_put(c, HS_FINISHED, c->own_vd, 12, 1);
}

int wt_hs12_recv_finished(wt_tls_conn *c, const uint8_t *msg, size_t len)
{
	uint8_t th[WT_HASH_MAX_LEN], vd[12];
	uint32_t ok;
	/* RFC 5246 7.4.9: opaque verify_data[verify_data_length], 12 here. */
	if (len != 4 + 12)
		return FAIL(c, WT_ALERT_DECODE_ERROR, WT_TLS_R_DECODE);
	wt_th_out(c, th);
	if (wt_ks12_finished(c->hash, c->ms, c->role != ROLE_CLIENT, th, vd))
		return FAIL(c, WT_ALERT_INTERNAL_ERROR, WT_TLS_ERR_INTERNAL);
	/* "Recipients of Finished messages MUST verify that the contents are
	 * correct"; a mismatch is decrypt_error (7.2.2: "a handshake
	 * cryptographic operation failed, including being unable to ...
	 * validate a finished message"). Constant-time compare. */
	ok = wt_ct_eq(vd, msg + 4, 12);
	if (!WT_DECLASSIFY(ok)) {
		wt_wipe(vd, sizeof vd);
		return FAIL(c, WT_ALERT_DECRYPT_ERROR, WT_TLS_R_BAD_FINISHED);
	}
	memcpy(c->peer_vd, vd, 12);
	wt_wipe(vd, sizeof vd);
	wt_th_add(c, msg, len);
	return 0;
}

size_t wt_hs12_ske_params(const wt_tls_conn *c, uint32_t group, const uint8_t *point,
			  size_t plen, uint8_t *out)
{
	const uint8_t *cr = c->role == ROLE_CLIENT ? c->random : c->peer_random;
	const uint8_t *sr = c->role == ROLE_CLIENT ? c->peer_random : c->random;
	/* RFC 8422 5.4: signed_params = Hash(ClientHello.random +
	 * ServerHello.random + ServerKeyExchange.params), params being
	 * ECParameters (curve_type named_curve(3), NamedCurve) and ECPoint
	 * (opaque point <1..2^8-1>). */
	memcpy(out, cr, 32);
	memcpy(out + 32, sr, 32);
	out[64] = 3;
	wt_store16_be(out + 65, group);
	out[67] = (uint8_t)plen;
	memcpy(out + 68, point, plen);
	return 68 + plen;
}

/* The schemes we may sign with in TLS 1.2, in our preference: the
 * context's list, then RSASSA-PKCS1-v1_5 (tls_inner.h). Bit i of
 * peer_sigalg_mask for ctx->sigalgs[i], WT_SIGMASK_PKCS1 + j for
 * wt_tls_sigalgs_pkcs1[j]. */
uint32_t wt_hs12_pick_sigalg(const wt_tls_conn *c, int cv)
{
	const wt_tls_ctx *ctx = c->ctx;
	uint32_t i, ltype, lhash;
	int have_leaf = wt_hs_own_leaf_type(ctx, &ltype, &lhash) == 0;
	for (i = 0; i < ctx->nsigalgs + 3; i++) {
		uint32_t s, bit;
		if (i < ctx->nsigalgs) {
			s = ctx->sigalgs[i];
			bit = i;
		} else {
			s = wt_tls_sigalgs_pkcs1[i - ctx->nsigalgs];
			bit = WT_SIGMASK_PKCS1 + (i - ctx->nsigalgs);
			if (!((ctx->pkcs1_mask >> (i - ctx->nsigalgs)) & 1))
				continue;
		}
		if (!((c->peer_sigalg_mask >> bit) & 1))
			continue;
		/* CertificateVerify signs the transcript hash, which runs
		 * for SHA-256 and SHA-384 only (transcript.c). */
		if (cv && wt_sig_scheme_hash(s) != WT_SHA256 &&
		    wt_sig_scheme_hash(s) != WT_SHA384)
			continue;
		if (wt_sig12_privkey_fits(s, &ctx->key) && wt_keyop_allows(ctx, s) &&
		    (!have_leaf || wt_sig12_type_fits(s, ltype, lhash)))
			return s;
	}
	return 0;
}

int wt_hs12_send_cert_verify(wt_tls_conn *c)
{
	uint8_t digest[WT_HASH_MAX_LEN], sig[WT_SIG_MAX];
	uint32_t scheme = wt_hs12_pick_sigalg(c, 1), h;
	size_t siglen = 0, p;
	const uint8_t *s = sig;
	int r;
	wt_wr w;
	if (scheme == 0)
		return FAIL(c, WT_ALERT_HANDSHAKE_FAILURE, WT_TLS_R_NO_SHARED_SIGALG);
	h = wt_sig_scheme_hash(scheme);
	/* RFC 5246 7.4.8: the signature covers handshake_messages, "all
	 * handshake messages sent or received, starting at client hello and
	 * up to, but not including, this message", hashed with the scheme's
	 * hash: by us from the running hash, by a signer (keyop.c) from the
	 * messages themselves, kept for it. */
	if (c->ctx->signer) {
		if (c->tr12 == NULL)
			return FAIL(c, WT_ALERT_INTERNAL_ERROR, WT_TLS_ERR_NO_MEMORY);
		r = wt_keyop_sig(c, &scheme, c->tr12, c->tr12_len, &s, &siglen);
		if (r == WT_HS_PAUSE)
			return 0;
		if (r)
			return FAIL(c, WT_ALERT_INTERNAL_ERROR, (uint32_t)r);
	} else if (wt_th_out_hash(c, h, digest) ||
		   wt_sig12_sign_digest(&c->ctx->key, scheme, digest, wt_hash_len(h), sig,
					&siglen) != 0)
		return FAIL(c, WT_ALERT_INTERNAL_ERROR, WT_TLS_ERR_INTERNAL);
	c->own_sigalg = scheme;
	wt_hs_writer(c, &w);
	wt_wr_u16(&w, scheme);
	p = wt_wr_open(&w, 2);
	wt_wr_bytes(&w, s, siglen);
	wt_wr_close(&w, p, 2);
	wt_keyop_free(c);
	return wt_hs_commit(c, HS_CERTIFICATE_VERIFY, &w);
}

int wt_hs12_recv_cert_verify(wt_tls_conn *c, const uint8_t *msg, size_t len)
{
	uint8_t digest[WT_HASH_MAX_LEN];
	wt_rd r = { msg + 4, len - 4 }, sig;
	uint32_t scheme, h;
	if (wt_rd_u16(&r, &scheme) || wt_rd_vec(&r, 2, &sig) || r.len)
		return FAIL(c, WT_ALERT_DECODE_ERROR, WT_TLS_R_DECODE);
	h = wt_sig_scheme_hash(scheme);
	/* RFC 5246 7.4.8: "The hash and signature algorithms used in the
	 * signature MUST be one of those present in the
	 * supported_signature_algorithms field of the CertificateRequest
	 * message" - ours lists SHA-256/384 schemes only - and fit the
	 * client's key. */
	if (!wt_tls_sigalg12_ok(c->ctx, scheme) || (h != WT_SHA256 && h != WT_SHA384) ||
	    !wt_sig12_pubkey_fits(scheme, &c->hs->peer_key))
		return FAIL(c, WT_ALERT_ILLEGAL_PARAMETER, WT_TLS_R_NO_SHARED_SIGALG);
	if (wt_th_out_hash(c, h, digest))
		return FAIL(c, WT_ALERT_INTERNAL_ERROR, WT_TLS_ERR_INTERNAL);
	/* 7.2.2 decrypt_error: "unable to correctly verify a signature". */
	if (wt_sig12_verify_digest(&c->hs->peer_key, scheme, digest, wt_hash_len(h),
				   sig.p, sig.len) != 0)
		return FAIL(c, WT_ALERT_DECRYPT_ERROR, WT_TLS_R_BAD_SIGNATURE);
	c->peer_sigalg = scheme;
	c->peer_auth = PEER_AUTH_VERIFIED;
	wt_th_add(c, msg, len);
	return 0;
}

int wt_hs12_refuse_renegotiation(wt_tls_conn *c)
{
	/* RFC 5246 7.2.2 no_renegotiation: "This message is always a
	 * warning." */
	if (wt_tls_send_alert(c, 1, WT_ALERT_NO_RENEGOTIATION))
		return -1;
	return 0;
}
