/*
 * exports_ec25519.c: X25519 and Ed25519 to TypeScript (ts/core/ec25519.ts).
 * Thin wrappers: pointers into linear memory and lengths only.
 */
#include "exports.h"
#include "wt_ec25519.h"

/* 0, or -1 for an all-zero shared secret. */
WT_EXPORT int wt_x_x25519(uint8_t *out, const uint8_t *scalar, const uint8_t *point)
{
	return wt_x25519(out, scalar, point);
}
WT_EXPORT void wt_x_x25519_base(uint8_t *pub, const uint8_t *priv)
{
	wt_x25519_base(pub, priv);
}
WT_EXPORT void wt_x_ed25519_public_key(uint8_t *pub, const uint8_t *seed)
{
	wt_ed25519_public_key(pub, seed);
}
WT_EXPORT void wt_x_ed25519_sign(uint8_t *sig, const uint8_t *seed, const uint8_t *msg,
				 size_t len)
{
	wt_ed25519_sign(sig, seed, msg, len);
}
/* 1 valid, 0 invalid. */
WT_EXPORT int wt_x_ed25519_verify(const uint8_t *pub, const uint8_t *msg, size_t len,
				  const uint8_t *sig)
{
	return wt_ed25519_verify(pub, msg, len, sig);
}

/* The expanded signing key (wt_ed25519_key) is kept by TypeScript as
 * bytes and passed back in for each signature. */
WT_EXPORT size_t wt_ed25519_key_size(void)
{
	return sizeof(wt_ed25519_key);
}
WT_EXPORT void wt_x_ed25519_key_from_seed(wt_ed25519_key *key, const uint8_t *seed)
{
	wt_ed25519_key_from_seed(key, seed);
}
WT_EXPORT void wt_x_ed25519_sign_key(uint8_t *sig, const wt_ed25519_key *key,
				     const uint8_t *msg, size_t len)
{
	wt_ed25519_sign_key(sig, key, msg, len);
}
