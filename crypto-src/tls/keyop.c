/*
 * keyop.c: signatures made by the host (BoringSSL's SSL_PRIVATE_KEY_METHOD
 * and SSL_ERROR_WANT_PRIVATE_KEY_OPERATION). With a signer in the ctx
 * (signer.c) the engine holds no private key: where it would sign, the
 * flight being built stops, the bytes to sign wait here, get_error says
 * WANT_PRIVATE_KEY_OPERATION, and the handshake message that started the
 * flight stays in hs_in. Once the host answered (wt_tls_keyop_complete),
 * the pump hands that message again to the state ST_*_KEYOP, whose handler
 * runs the flight's second half: the signature goes out, then the rest.
 *
 * A TLS 1.2 client's CertificateVerify signs all handshake messages
 * (RFC 5246 7.4.8), where the engine otherwise keeps a running hash: a
 * client with a signer keeps the messages too (wt_keyop_record, from the
 * transcript), until TLS 1.3 is chosen or they are signed or not needed.
 *
 * Layer: shared (called by handshake.c, hs12_server.c, hs13_*.c, the pump
 * and engine.c); it calls nothing in crypto-src/tls but the base.
 */
#include <stdlib.h>
#include <string.h>
#include "tls_inner.h"

int wt_keyop_allows(const wt_tls_ctx *ctx, uint32_t scheme)
{
	uint32_t i;
	if (!ctx->signer)
		return 1;
	for (i = 0; i < ctx->nsigner; i++)
		if (ctx->signer_schemes[i] == scheme)
			return 1;
	return 0;
}

int wt_keyop_sig(wt_tls_conn *c, uint32_t *scheme, const uint8_t *in, size_t inlen,
		 const uint8_t **sig, size_t *siglen)
{
	struct wt_keyop *k = c->keyop;
	if (k == NULL) {
		k = calloc(1, sizeof *k + inlen);
		if (k == NULL)
			return WT_TLS_ERR_NO_MEMORY;
		k->state = KEYOP_WAITING;
		k->scheme = *scheme;
		k->inlen = inlen;
		memcpy(k->in, in, inlen);
		c->keyop = k;
		return WT_HS_PAUSE;
	}
	if (k->state != KEYOP_DONE)
		return WT_TLS_R_KEYOP_FAILED;
	*scheme = k->scheme;
	*sig = k->sig;
	*siglen = k->siglen;
	return 0;
}

static void drop_tr12(wt_tls_conn *c)
{
	if (c->tr12) {
		wt_wipe(c->tr12, c->tr12_len);
		free(c->tr12);
	}
	c->tr12 = NULL;
	c->tr12_len = c->tr12_cap = 0;
}

void wt_keyop_free(wt_tls_conn *c)
{
	/* The input holds a transcript (hash), the signature nothing secret;
	 * wiped all the same, as everything a handshake leaves. */
	if (c->keyop) {
		wt_wipe(c->keyop, sizeof *c->keyop + c->keyop->inlen);
		free(c->keyop);
		c->keyop = NULL;
	}
	drop_tr12(c);
	c->tr12_done = 1;
}

void wt_keyop_record(wt_tls_conn *c, const uint8_t *p, size_t len)
{
	uint8_t *n;
	size_t cap;
	if (!c->ctx->signer || c->role != ROLE_CLIENT || c->tr12_done)
		return;
	/* TLS 1.3 signs a transcript hash: nothing to keep. */
	if (c->version == WT_TLS_VERSION_13) {
		wt_keyop_free(c);
		return;
	}
	if (c->tr12_len + len > c->tr12_cap) {
		cap = c->tr12_cap ? c->tr12_cap : 4096;
		while (cap < c->tr12_len + len)
			cap *= 2;
		n = malloc(cap);
		if (n == NULL) {
			wt_keyop_free(c);
			return;
		}
		if (c->tr12_len)
			memcpy(n, c->tr12, c->tr12_len);
		if (c->tr12) {
			wt_wipe(c->tr12, c->tr12_len);
			free(c->tr12);
		}
		c->tr12 = n;
		c->tr12_cap = cap;
	}
	memcpy(c->tr12 + c->tr12_len, p, len);
	c->tr12_len += len;
}

uint32_t wt_tls_keyop_scheme(const wt_tls_conn *c)
{
	return c->keyop && c->keyop->state == KEYOP_WAITING ? c->keyop->scheme : 0;
}

const uint8_t *wt_tls_keyop_input(const wt_tls_conn *c, size_t *len)
{
	int w = c->keyop && c->keyop->state == KEYOP_WAITING;
	*len = w ? c->keyop->inlen : 0;
	return w ? c->keyop->in : NULL;
}

int wt_tls_keyop_complete(wt_tls_conn *c, const uint8_t *sig, size_t len)
{
	struct wt_keyop *k = c->keyop;
	if (k == NULL || k->state != KEYOP_WAITING)
		return WT_TLS_ERR_CONFIG;
	if (len == 0 || len > WT_SIG_MAX) {
		k->state = KEYOP_FAILED;
		return 0;
	}
	memcpy(k->sig, sig, len);
	k->siglen = len;
	k->state = KEYOP_DONE;
	return 0;
}
