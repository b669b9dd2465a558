/*
 * exports_aead.c: the generic AEAD (wt_aead.h) to TypeScript. Thin
 * wrappers; integers and pointers only.
 *
 * seal and open take the layout ts/core/aead.ts uses, so that a call is
 * one copy in and one copy out of linear memory: the sealed form is
 * ciphertext || tag in one buffer (the TLS record layout too).
 */
#include "exports.h"
#include "wt_aead.h"

WT_EXPORT size_t wt_aead_ctx_size(void)
{
	return sizeof(wt_aead_ctx);
}
WT_EXPORT size_t wt_x_aead_key_len(uint32_t alg)
{
	return wt_aead_key_len(alg);
}

/* 0, or -1 (unknown id, wrong key length). */
WT_EXPORT int wt_x_aead_init(wt_aead_ctx *c, uint32_t alg, const uint8_t *key,
			     size_t keylen)
{
	return wt_aead_init(c, alg, key, keylen);
}

/* Seal len bytes at in into out[0..len) and the tag into out[len..len+16).
 * in may equal out. 0, or -1 (nonce length, too long). */
WT_EXPORT int wt_x_aead_seal(const wt_aead_ctx *c, const uint8_t *nonce, size_t noncelen,
			     const uint8_t *aad, size_t aadlen, const uint8_t *in,
			     size_t len, uint8_t *out)
{
	return wt_aead_seal(c, nonce, noncelen, aad, aadlen, in, len, out, out + len);
}

/* Open sealed = ciphertext || tag of sealedlen bytes (at least 16) into
 * out[0..sealedlen-16). sealed may equal out. 0; -2 tag mismatch (out
 * zeroed); -1 bad argument, including sealedlen < 16. */
WT_EXPORT int wt_x_aead_open(const wt_aead_ctx *c, const uint8_t *nonce, size_t noncelen,
			     const uint8_t *aad, size_t aadlen, const uint8_t *sealed,
			     size_t sealedlen, uint8_t *out)
{
	if (sealedlen < WT_AEAD_TAG_LEN)
		return WT_ERR_ARG;
	return wt_aead_open(c, nonce, noncelen, aad, aadlen, sealed,
			    sealedlen - WT_AEAD_TAG_LEN, out,
			    sealed + sealedlen - WT_AEAD_TAG_LEN);
}
