/*
 * exports_ecp.c: P-256 / P-384 ECDH and ECDSA (wt_ecp.h) to TypeScript.
 * Thin wrappers: integers and pointers into linear memory; each returns 0
 * or -1 as its wt_ecp.h function does.
 */
#include "exports.h"
#include "wt_ecp.h"

WT_EXPORT size_t wt_x_ecp_scalar_len(uint32_t curve)
{
	return wt_ecp_scalar_len(curve);
}
WT_EXPORT size_t wt_x_ecp_point_len(uint32_t curve)
{
	return wt_ecp_point_len(curve);
}

WT_EXPORT int wt_x_ecp_keygen(uint32_t curve, uint8_t *priv, uint8_t *pub)
{
	return wt_ecp_keygen(curve, priv, pub);
}
WT_EXPORT int wt_x_ecp_public_key(uint32_t curve, const uint8_t *priv, uint8_t *pub)
{
	return wt_ecp_public_key(curve, priv, pub);
}
WT_EXPORT int wt_x_ecp_point_check(uint32_t curve, const uint8_t *pub, size_t publen)
{
	return wt_ecp_point_check(curve, pub, publen);
}
WT_EXPORT int wt_x_ecp_point_normalize(uint32_t curve, const uint8_t *in, size_t inlen,
				       uint8_t *out)
{
	return wt_ecp_point_normalize(curve, in, inlen, out);
}
WT_EXPORT int wt_x_ecdh(uint32_t curve, const uint8_t *priv, const uint8_t *peer,
			size_t peerlen, uint8_t *secret)
{
	return wt_ecdh(curve, priv, peer, peerlen, secret);
}

/* extra == NULL with extralen == 1 asks for fresh entropy (the hedged
 * wt_ecdsa_sign_digest); extralen == 0 is deterministic RFC 6979. */
WT_EXPORT int wt_x_ecdsa_sign_digest(uint32_t curve, uint32_t hash, const uint8_t *priv,
				     const uint8_t *digest, const uint8_t *extra,
				     size_t extralen, uint8_t *sig)
{
	if (extra == NULL && extralen == 1)
		return wt_ecdsa_sign_digest(curve, hash, priv, digest, sig);
	return wt_ecdsa_sign_digest_ex(curve, hash, priv, digest, extra, extralen, sig);
}
WT_EXPORT int wt_x_ecdsa_verify_digest(uint32_t curve, const uint8_t *pub, size_t publen,
				       const uint8_t *digest, size_t digestlen,
				       const uint8_t *sig)
{
	return wt_ecdsa_verify_digest(curve, pub, publen, digest, digestlen, sig);
}
WT_EXPORT int wt_x_ecdsa_sig_to_der(uint32_t curve, const uint8_t *raw, uint8_t *der,
				    size_t *derlen)
{
	return wt_ecdsa_sig_to_der(curve, raw, der, derlen);
}
WT_EXPORT int wt_x_ecdsa_sig_from_der(uint32_t curve, const uint8_t *der, size_t derlen,
				      uint8_t *raw)
{
	return wt_ecdsa_sig_from_der(curve, der, derlen, raw);
}
