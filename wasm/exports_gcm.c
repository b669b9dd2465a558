/*
 * exports_gcm.c: AES-GCM (crypto-src/inc/wt_gcm.h) to TypeScript, thin
 * wrappers only. The generic AEAD layer may replace these.
 */
#include "exports.h"
#include "wt_gcm.h"

WT_EXPORT size_t wt_gcm_ctx_size(void)
{
	return sizeof(wt_gcm_ctx);
}

WT_EXPORT int wt_x_gcm_init(wt_gcm_ctx *c, const uint8_t *key, size_t keylen)
{
	return wt_gcm_init(c, key, keylen);
}

/* Writes len bytes of ciphertext to out and the 16-byte tag to tag. */
WT_EXPORT void wt_x_gcm_seal(const wt_gcm_ctx *c, const uint8_t *iv, size_t ivlen,
			     const uint8_t *aad, size_t aadlen, const uint8_t *in,
			     size_t len, uint8_t *out, uint8_t *tag)
{
	wt_gcm_seal(c, iv, ivlen, aad, aadlen, in, len, out, tag);
}

/* 0 ok, -2 tag mismatch (out zeroed), -1 bad arguments. */
WT_EXPORT int wt_x_gcm_open(const wt_gcm_ctx *c, const uint8_t *iv, size_t ivlen,
			    const uint8_t *aad, size_t aadlen, const uint8_t *in,
			    size_t len, uint8_t *out, const uint8_t *tag)
{
	return wt_gcm_open(c, iv, ivlen, aad, aadlen, in, len, out, tag);
}
