/*
 * keysched13.c: the TLS 1.3 key schedule (RFC 8446 section 7.1), one
 * function per stage, each stage its own struct (rustls' KeySchedule*
 * types): early -> handshake -> master. The transcript hashes are passed
 * in; nothing here keeps state between calls.
 *
 *              0
 *              |
 *    PSK ->  HKDF-Extract = Early Secret
 *              +-----> Derive-Secret(., "ext binder" | "res binder", "")
 *              v
 *        Derive-Secret(., "derived", "")
 *              |
 *  (EC)DHE -> HKDF-Extract = Handshake Secret
 *              +-----> Derive-Secret(., "c hs traffic", CH..SH)
 *              +-----> Derive-Secret(., "s hs traffic", CH..SH)
 *              v
 *        Derive-Secret(., "derived", "")
 *              |
 *    0 -> HKDF-Extract = Master Secret
 *              +-----> Derive-Secret(., "c ap traffic", CH..server Finished)
 *              +-----> Derive-Secret(., "s ap traffic", CH..server Finished)
 *              +-----> Derive-Secret(., "exp master", CH..server Finished)
 *              +-----> Derive-Secret(., "res master", CH..client Finished)
 */
#include "tls_inner.h"

int wt_ks_suite_params(uint32_t suite, uint32_t *hash, uint32_t *aead, uint32_t *keylen)
{
	switch (suite) {
	case WT_TLS_AES_128_GCM_SHA256:
		*hash = WT_SHA256;
		*aead = WT_AEAD_AES128GCM;
		*keylen = 16;
		return 0;
	case WT_TLS_AES_256_GCM_SHA384:
		*hash = WT_SHA384;
		*aead = WT_AEAD_AES256GCM;
		*keylen = 32;
		return 0;
	case WT_TLS_CHACHA20_POLY1305_SHA256:
		*hash = WT_SHA256;
		*aead = WT_AEAD_CHACHA20POLY1305;
		*keylen = 32;
		return 0;
	}
	return -1;
}

#define LBL(s) s, sizeof(s) - 1

/* Derive-Secret(secret, "derived", "") : the hash of the empty string. */
static int derived(uint32_t hash, const uint8_t *secret, uint8_t *out)
{
	uint8_t empty[WT_HASH_MAX_LEN];
	if (wt_hash(hash, "", 0, empty))
		return -1;
	return wt_derive_secret(hash, secret, LBL("derived"), empty, out);
}

void wt_ks_early_init(wt_ks_early *e, uint32_t hash, const uint8_t *psk, size_t psklen)
{
	/* RFC 8446 7.1: "If a given secret is not available, then the 0-value
	 * consisting of a string of Hash.length bytes set to zeros is used." */
	uint8_t zeros[WT_HASH_MAX_LEN] = { 0 };
	size_t hl = wt_hash_len(hash);
	if (psk == NULL) {
		psk = zeros;
		psklen = hl;
	}
	(void)wt_hkdf_extract(hash, zeros, hl, psk, psklen, e->secret);
}

int wt_ks_binder_key(const wt_ks_early *e, uint32_t hash, int resumption, uint8_t *out)
{
	uint8_t empty[WT_HASH_MAX_LEN];
	if (wt_hash(hash, "", 0, empty))
		return -1;
	return resumption ?
		wt_derive_secret(hash, e->secret, LBL("res binder"), empty, out) :
		wt_derive_secret(hash, e->secret, LBL("ext binder"), empty, out);
}

int wt_ks_handshake_init(wt_ks_handshake *h, const wt_ks_early *e, uint32_t hash,
			 const uint8_t *dhe, size_t dhelen, const uint8_t *th_ch_sh)
{
	uint8_t salt[WT_HASH_MAX_LEN];
	size_t hl = wt_hash_len(hash);
	int r = derived(hash, e->secret, salt);
	r |= wt_hkdf_extract(hash, salt, hl, dhe, dhelen, h->secret);
	r |= wt_derive_secret(hash, h->secret, LBL("c hs traffic"), th_ch_sh, h->c_hs);
	r |= wt_derive_secret(hash, h->secret, LBL("s hs traffic"), th_ch_sh, h->s_hs);
	wt_wipe(salt, sizeof salt);
	return r ? -1 : 0;
}

int wt_ks_master_init(wt_ks_master *m, const wt_ks_handshake *h, uint32_t hash,
		      const uint8_t *th_ch_sfin)
{
	uint8_t salt[WT_HASH_MAX_LEN], zeros[WT_HASH_MAX_LEN] = { 0 };
	size_t hl = wt_hash_len(hash);
	int r = derived(hash, h->secret, salt);
	r |= wt_hkdf_extract(hash, salt, hl, zeros, hl, m->secret);
	r |= wt_derive_secret(hash, m->secret, LBL("c ap traffic"), th_ch_sfin, m->c_ap);
	r |= wt_derive_secret(hash, m->secret, LBL("s ap traffic"), th_ch_sfin, m->s_ap);
	r |= wt_derive_secret(hash, m->secret, LBL("exp master"), th_ch_sfin,
			      m->exporter);
	wt_wipe(salt, sizeof salt);
	return r ? -1 : 0;
}

int wt_ks_resumption(wt_ks_master *m, uint32_t hash, const uint8_t *th_ch_cfin)
{
	return wt_derive_secret(hash, m->secret, LBL("res master"), th_ch_cfin,
				m->resumption);
}

/* RFC 8446 4.4.4: finished_key = HKDF-Expand-Label(BaseKey, "finished",
 * "", Hash.length); verify_data = HMAC(finished_key, Transcript-Hash). */
int wt_ks_finished(uint32_t hash, const uint8_t *base_key, const uint8_t *thash,
		   uint8_t *out)
{
	uint8_t fk[WT_HASH_MAX_LEN];
	size_t hl = wt_hash_len(hash);
	int r = wt_hkdf_expand_label(hash, base_key, hl, LBL("finished"), NULL, 0, fk,
				     hl);
	r |= wt_hmac(hash, fk, hl, thash, hl, out);
	wt_wipe(fk, sizeof fk);
	return r ? -1 : 0;
}

/* RFC 8446 7.2: application_traffic_secret_N+1 =
 *   HKDF-Expand-Label(application_traffic_secret_N, "traffic upd", "",
 *                     Hash.length) */
int wt_ks_next_traffic(uint32_t hash, uint8_t *secret)
{
	uint8_t next[WT_HASH_MAX_LEN];
	size_t hl = wt_hash_len(hash);
	int r = wt_hkdf_expand_label(hash, secret, hl, LBL("traffic upd"), NULL, 0, next,
				     hl);
	memcpy(secret, next, hl);
	wt_wipe(next, sizeof next);
	return r;
}

/* RFC 8446 4.6.1: PSK = HKDF-Expand-Label(resumption_master_secret,
 *   "resumption", ticket_nonce, Hash.length) */
int wt_ks_ticket_psk(uint32_t hash, const uint8_t *res, const uint8_t *nonce,
		     size_t noncelen, uint8_t *psk)
{
	size_t hl = wt_hash_len(hash);
	return wt_hkdf_expand_label(hash, res, hl, LBL("resumption"), nonce, noncelen,
				    psk, hl);
}

/* RFC 8446 7.3: [sender]_write_key = HKDF-Expand-Label(Secret, "key", "",
 * key_length); [sender]_write_iv = HKDF-Expand-Label(Secret, "iv", "",
 * iv_length). */
int wt_ks_traffic_keys(uint32_t hash, const uint8_t *secret, uint8_t *key, size_t keylen,
		       uint8_t iv[12])
{
	size_t hl = wt_hash_len(hash);
	int r = wt_hkdf_expand_label(hash, secret, hl, LBL("key"), NULL, 0, key, keylen);
	r |= wt_hkdf_expand_label(hash, secret, hl, LBL("iv"), NULL, 0, iv, 12);
	return r ? -1 : 0;
}
