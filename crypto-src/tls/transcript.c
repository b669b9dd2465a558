/*
 * transcript.c: the running transcript hash (RFC 8446 4.4.1). A client
 * does not know the hash before the ServerHello picks a suite, so SHA-256
 * and SHA-384 both run until wt_th_select(); reading the hash copies the
 * context (wt_hash_out leaves it unchanged), so it can be read at every
 * point the key schedule needs.
 */
#include "tls_inner.h"

void wt_th_init(wt_tls_conn *c)
{
	(void)wt_hash_init(&c->hs->th, WT_SHA256);
	(void)wt_hash_init(&c->hs->th384, WT_SHA384);
}

void wt_th_add(wt_tls_conn *c, const uint8_t *p, size_t len)
{
	wt_hash_update(&c->hs->th, p, len);
	wt_keyop_record(c, p, len); /* a signer's TLS 1.2 CertificateVerify */
	if (c->hash == 0 || c->version == WT_TLS_VERSION_12)
		wt_hash_update(&c->hs->th384, p, len);
}

void wt_th_select(wt_tls_conn *c, uint32_t hash)
{
	if (hash == WT_SHA384)
		c->hs->th = c->hs->th384;
	wt_wipe(&c->hs->th384, sizeof c->hs->th384);
}

void wt_th_out(const wt_tls_conn *c, uint8_t *out)
{
	/* TLS 1.2 keeps SHA-256 in th and SHA-384 in th384 throughout. */
	if (c->version == WT_TLS_VERSION_12 && c->hash == WT_SHA384)
		wt_hash_out(&c->hs->th384, out);
	else
		wt_hash_out(&c->hs->th, out);
}

int wt_th_out_hash(const wt_tls_conn *c, uint32_t hash, uint8_t *out)
{
	if (c->version != WT_TLS_VERSION_12 && hash != c->hash)
		return -1;
	if (hash == WT_SHA256)
		wt_hash_out(&c->hs->th, out);
	else if (hash == WT_SHA384)
		wt_hash_out(&c->hs->th384, out);
	else
		return -1;
	return 0;
}

/* RFC 8446 4.4.1: "When the server responds to a ClientHello with a
 * HelloRetryRequest, the value of ClientHello1 is replaced with a special
 * synthetic handshake message of handshake type "message_hash" containing
 * Hash(ClientHello1)":
 *   Transcript-Hash(ClientHello1, HelloRetryRequest, ... Mn) =
 *     Hash(message_hash ||  00 00 Hash.length  || Hash(ClientHello1) || ...)
 * Called with the suite (and so c->hash) known, after ClientHello1 only. */
void wt_th_hrr_reset(wt_tls_conn *c)
{
	uint8_t h[4 + WT_HASH_MAX_LEN];
	size_t hl = wt_hash_len(c->hash);
	wt_hash_out(&c->hs->th, h + 4);
	h[0] = HS_MESSAGE_HASH;
	h[1] = 0;
	h[2] = 0;
	h[3] = (uint8_t)hl;
	(void)wt_hash_init(&c->hs->th, c->hash);
	wt_hash_update(&c->hs->th, h, 4 + hl);
}
