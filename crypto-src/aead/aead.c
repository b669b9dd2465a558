/*
 * aead.c: wt_aead.h, a dispatch on the algorithm id to the per-cipher
 * code. The id is public, so switching on it is constant-time with
 * respect to every secret.
 */
#include "inner.h"
#include "wt_aead.h"

/* SP 800-38D section 5.2.1.1: len(P) <= 2^39 - 256 bits. */
#define GCM_MAX_LEN (((uint64_t)1 << 36) - 32)

WT_INLINE uint32_t is_gcm(uint32_t alg)
{
	return alg == WT_AEAD_AES128GCM || alg == WT_AEAD_AES192GCM ||
		alg == WT_AEAD_AES256GCM;
}

/* see wt_aead.h */
size_t wt_aead_key_len(uint32_t alg)
{
	switch (alg) {
	case WT_AEAD_AES128GCM: return 16;
	case WT_AEAD_AES192GCM: return 24;
	case WT_AEAD_AES256GCM: return 32;
	case WT_AEAD_CHACHA20POLY1305: return 32;
	default: return 0;
	}
}

/* see wt_aead.h */
size_t wt_aead_nonce_len(uint32_t alg)
{
	return wt_aead_key_len(alg) ? 12 : 0;
}

/* see wt_aead.h */
int wt_aead_init(wt_aead_ctx *c, uint32_t alg, const uint8_t *key, size_t keylen)
{
	c->alg = 0;
	switch (alg) {
	case WT_AEAD_AES128GCM:
	case WT_AEAD_AES192GCM:
	case WT_AEAD_AES256GCM:
		/* The id fixes the key size: a 32-byte key is not AES-128. */
		if (keylen != wt_aead_key_len(alg) ||
		    wt_gcm_init(&c->u.gcm, key, keylen) != 0)
			return WT_ERR_ARG;
		break;
	case WT_AEAD_CHACHA20POLY1305:
		if (wt_chapol_init(&c->u.chapol, key, keylen) != 0)
			return WT_ERR_ARG;
		break;
	default: return WT_ERR_ARG;
	}
	c->alg = alg;
	return WT_OK;
}

/* see wt_aead.h */
int wt_aead_seal(const wt_aead_ctx *c, const uint8_t *nonce, size_t noncelen,
		 const uint8_t *aad, size_t aadlen, const uint8_t *in, size_t len,
		 uint8_t *out, uint8_t tag[16])
{
	if (is_gcm(c->alg)) {
		/* wt_gcm_seal has no error return: refuse here what it
		 * would turn into zeros. */
		if (noncelen == 0 || (uint64_t)len > GCM_MAX_LEN)
			return WT_ERR_ARG;
		wt_gcm_seal(&c->u.gcm, nonce, noncelen, aad, aadlen, in, len, out, tag);
		return WT_OK;
	}
	switch (c->alg) {
	case WT_AEAD_CHACHA20POLY1305:
		/* RFC 8439 section 2.8: the nonce is 96 bits. */
		if (noncelen != 12)
			return WT_ERR_ARG;
		return wt_chapol_seal(&c->u.chapol, nonce, aad, aadlen, in, len, out,
				      tag) == 0 ?
			WT_OK :
			WT_ERR_ARG;
	default: return WT_ERR_ARG;
	}
}

/* see wt_aead.h */
int wt_aead_open(const wt_aead_ctx *c, const uint8_t *nonce, size_t noncelen,
		 const uint8_t *aad, size_t aadlen, const uint8_t *in, size_t len,
		 uint8_t *out, const uint8_t tag[16])
{
	if (is_gcm(c->alg))
		return wt_gcm_open(&c->u.gcm, nonce, noncelen, aad, aadlen, in, len, out,
				   tag);
	switch (c->alg) {
	case WT_AEAD_CHACHA20POLY1305:
		if (noncelen != 12)
			return WT_ERR_ARG;
		return wt_chapol_open(&c->u.chapol, nonce, aad, aadlen, in, len, out,
				      tag);
	default: return WT_ERR_ARG;
	}
}
