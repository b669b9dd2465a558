/*
 * exports_hpke.c: HPKE base mode (crypto-src/hpke/hpke.c) to TypeScript,
 * for the RFC 9180 vectors in test/hpke.test.ts; the engine's ECH calls
 * HPKE directly. Thin wrappers: pointers into linear memory and lengths.
 */
#include "exports.h"
#include "wt_hpke.h"

WT_EXPORT size_t wt_x_hpke_ctx_size(void)
{
	return sizeof(wt_hpke_ctx);
}
WT_EXPORT void wt_x_hpke_derive_keypair(uint8_t *sk, uint8_t *pk, const uint8_t *ikm,
					size_t len)
{
	wt_hpke_derive_keypair(sk, pk, ikm, len);
}
/* 0, or -1 (unsupported suite, low-order public key). */
WT_EXPORT int wt_x_hpke_setup_s(wt_hpke_ctx *c, uint32_t kdf, uint32_t aead, uint8_t *enc,
				const uint8_t *pkR, const uint8_t *skE,
				const uint8_t *info, size_t infolen)
{
	return wt_hpke_setup_s(c, kdf, aead, enc, pkR, skE, info, infolen);
}
WT_EXPORT int wt_x_hpke_setup_r(wt_hpke_ctx *c, uint32_t kdf, uint32_t aead,
				const uint8_t *enc, const uint8_t *skR,
				const uint8_t *info, size_t infolen)
{
	return wt_hpke_setup_r(c, kdf, aead, enc, skR, info, infolen);
}
WT_EXPORT int wt_x_hpke_seal(wt_hpke_ctx *c, const uint8_t *aad, size_t aadlen,
			     const uint8_t *pt, size_t len, uint8_t *out)
{
	return wt_hpke_seal(c, aad, aadlen, pt, len, out);
}
WT_EXPORT int wt_x_hpke_open(wt_hpke_ctx *c, const uint8_t *aad, size_t aadlen,
			     const uint8_t *ct, size_t len, uint8_t *out)
{
	return wt_hpke_open(c, aad, aadlen, ct, len, out);
}
WT_EXPORT void wt_x_hpke_set_seq(wt_hpke_ctx *c, uint32_t seq)
{
	wt_hpke_set_seq(c, seq);
}
