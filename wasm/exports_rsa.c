/*
 * exports_rsa.c: RSA keys and signatures to TypeScript (ts/core/rsa.ts).
 * Thin wrappers: the key structs live in wasm memory allocated by the
 * caller (sizes exported), messages are hashed here so the TypeScript side
 * passes whole messages. Results: 0 or a length on success, 1/0 for a
 * verification, negative codes from wt_der.h, wt_pem.h and wt_rsa.h.
 */
#include <string.h>
#include "exports.h"
#include "wt_hash.h"
#include "wt_rsa.h"

WT_EXPORT size_t wt_rsa_public_key_size(void)
{
	return sizeof(wt_rsa_public_key);
}
WT_EXPORT size_t wt_rsa_private_key_size(void)
{
	return sizeof(wt_rsa_private_key);
}

/* pem: 0 = DER (PKCS #1 or SPKI / PKCS #8, told apart), 1 = PEM text */
WT_EXPORT int wt_x_rsa_public_parse(wt_rsa_public_key *k, const uint8_t *in, size_t len,
				    int pem)
{
	return pem ? wt_rsa_public_from_pem(k, (const char *)in, len) :
		     wt_rsa_public_from_der(k, in, len);
}
WT_EXPORT int wt_x_rsa_private_parse(wt_rsa_private_key *k, const uint8_t *in, size_t len,
				     int pem)
{
	return pem ? wt_rsa_private_from_pem(k, (const char *)in, len) :
		     wt_rsa_private_from_der(k, in, len);
}

WT_EXPORT uint32_t wt_x_rsa_public_bits(const wt_rsa_public_key *k)
{
	return k->bits;
}
WT_EXPORT void wt_x_rsa_public_of_private(wt_rsa_public_key *pub,
					  const wt_rsa_private_key *k)
{
	memcpy(pub, &k->pub, sizeof *pub);
}

/* saltlen < 0: the digest length (TLS 1.3's choice) */
static size_t salt_of(uint32_t hash, int saltlen)
{
	return saltlen < 0 ? wt_hash_len(hash) : (size_t)saltlen;
}

WT_EXPORT int wt_x_rsa_verify(const wt_rsa_public_key *k, uint32_t scheme, uint32_t hash,
			      int saltlen, const uint8_t *msg, size_t msglen,
			      const uint8_t *sig, size_t siglen)
{
	uint8_t d[WT_HASH_MAX_LEN];
	size_t dl = wt_hash_len(hash);
	if (wt_hash(hash, msg, msglen, d) != 0)
		return WT_RSA_ERR_HASH;
	if (scheme == WT_RSA_PKCS1)
		return wt_rsa_verify_pkcs1(k, hash, d, dl, sig, siglen);
	if (scheme == WT_RSA_PSS)
		return wt_rsa_verify_pss(k, hash, salt_of(hash, saltlen), d, dl, sig,
					 siglen);
	return WT_RSA_ERR_HASH; /* unknown scheme (ts/core/rsa.ts checks first) */
}

WT_EXPORT int wt_x_rsa_sign(const wt_rsa_private_key *k, uint32_t scheme, uint32_t hash,
			    int saltlen, const uint8_t *msg, size_t msglen, uint8_t *sig,
			    size_t sigcap)
{
	uint8_t d[WT_HASH_MAX_LEN];
	size_t dl = wt_hash_len(hash);
	if (wt_hash(hash, msg, msglen, d) != 0)
		return WT_RSA_ERR_HASH;
	if (scheme == WT_RSA_PKCS1)
		return wt_rsa_sign_pkcs1(k, hash, d, dl, sig, sigcap);
	if (scheme == WT_RSA_PSS)
		return wt_rsa_sign_pss(k, hash, salt_of(hash, saltlen), d, dl, sig,
				       sigcap);
	return WT_RSA_ERR_HASH;
}
