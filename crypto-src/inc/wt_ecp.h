/*
 * wt_ecp.h: ECDH and ECDSA over the NIST prime curves P-256 and P-384
 * (FIPS 186-5, SP 800-186 section 3.2.1, SP 800-56A rev 3, SEC 1 v2).
 *
 * Curves are named by their TLS NamedGroup codepoints (RFC 8446 section
 * 4.2.7). Keys and coordinates are big-endian byte strings of exactly
 * wt_ecp_scalar_len(curve) bytes; public keys are SEC 1 uncompressed
 * points 0x04 || X || Y, as TLS 1.3 key shares carry them (RFC 8446
 * section 4.2.8.2).
 *
 * Everything that touches a private key or a nonce is constant-time;
 * verification, which only sees public data, is not. Nothing allocates;
 * results are 0 for success and -1 for any error (unknown curve, invalid
 * key, point, signature or encoding).
 */
#ifndef WT_ECP_H
#define WT_ECP_H

#include <stddef.h>
#include <stdint.h>

/* TLS NamedGroup codepoints; shared with ts/core/ecp.ts. */
enum { WT_P256 = 23, WT_P384 = 24 };

#define WT_ECP_MAX_SCALAR_LEN 48   /* private key, coordinate, ECDH secret */
#define WT_ECP_MAX_POINT_LEN 97    /* 0x04 || X || Y */
#define WT_ECP_MAX_SIG_LEN 96      /* raw r || s */
#define WT_ECP_MAX_DER_SIG_LEN 104 /* SEQUENCE { INTEGER r, INTEGER s } */

/* 32 (P-256) or 48 (P-384); 0 for an unknown curve. */
size_t wt_ecp_scalar_len(uint32_t curve);
/* 1 + 2 * scalar_len: 65 or 97; 0 for an unknown curve. */
size_t wt_ecp_point_len(uint32_t curve);

/* ---- keys and ECDH (SP 800-56A rev 3 section 5.7.1.2) ------------------- */

/* A fresh key pair: priv uniform in [1, n-1] by rejection sampling over
 * wt_random (FIPS 186-5 appendix A.2.2), pub = priv * G uncompressed. */
int wt_ecp_keygen(uint32_t curve, uint8_t *priv, uint8_t *pub);
/* pub = priv * G; -1 unless 1 <= priv <= n-1. */
int wt_ecp_public_key(uint32_t curve, const uint8_t *priv, uint8_t *pub);
/* Full public-key validation of an uncompressed point (right length,
 * prefix 0x04, coordinates below p, on the curve, not infinity). */
int wt_ecp_point_check(uint32_t curve, const uint8_t *pub, size_t publen);
/* Any SEC 1 encoding, compressed (0x02/0x03 || X) or uncompressed, to a
 * validated uncompressed point in out (point_len bytes). Not constant-time
 * (public keys only). */
int wt_ecp_point_normalize(uint32_t curve, const uint8_t *in, size_t inlen, uint8_t *out);
/* Shared secret: the x coordinate of priv * peer, scalar_len bytes.
 * peer must be an uncompressed point (TLS); -1 if it is invalid, if priv
 * is out of range, or if the result is the point at infinity. */
int wt_ecdh(uint32_t curve, const uint8_t *priv, const uint8_t *peer, size_t peerlen,
	    uint8_t *secret);

/* ---- ECDSA (FIPS 186-5 section 6.4) -------------------------------------- */

/*
 * Sign a message digest (wt_hash_len(hash) bytes, hash an id of wt_hash.h)
 * into raw r || s (2 * scalar_len bytes). The nonce is RFC 6979's, with
 * scalar_len fresh bytes of wt_random as the additional data k' of RFC
 * 6979 section 3.6: signatures stay safe if the random source fails and
 * are not reproducible when it works. The digest is truncated to the
 * bit length of n when longer (FIPS 186-5 section 6.4.1 step 3).
 */
int wt_ecdsa_sign_digest(uint32_t curve, uint32_t hash, const uint8_t *priv,
			 const uint8_t *digest, uint8_t *sig);
/* The same with explicit additional data; extralen == 0 gives the
 * deterministic signatures of RFC 6979 section 3.2 (its test vectors). */
int wt_ecdsa_sign_digest_ex(uint32_t curve, uint32_t hash, const uint8_t *priv,
			    const uint8_t *digest, const uint8_t *extra, size_t extralen,
			    uint8_t *sig);
/* Hash msg with `hash`, then sign as above. */
int wt_ecdsa_sign(uint32_t curve, uint32_t hash, const uint8_t *priv, const void *msg,
		  size_t msglen, uint8_t *sig);

/* 0 if sig (raw r || s, 2 * scalar_len bytes) is valid for the digest
 * (any length, truncated as above) and pub (compressed or uncompressed),
 * else -1. Not constant-time: all inputs are public. */
int wt_ecdsa_verify_digest(uint32_t curve, const uint8_t *pub, size_t publen,
			   const uint8_t *digest, size_t digestlen, const uint8_t *sig);
int wt_ecdsa_verify(uint32_t curve, uint32_t hash, const uint8_t *pub, size_t publen,
		    const void *msg, size_t msglen, const uint8_t *sig);

/* ---- DER ECDSA-Sig-Value (RFC 3279 section 2.2.3, X.690 DER) ------------- */

/* raw r || s to DER in der (room for WT_ECP_MAX_DER_SIG_LEN bytes);
 * *derlen gets the length. */
int wt_ecdsa_sig_to_der(uint32_t curve, const uint8_t *raw, uint8_t *der, size_t *derlen);
/* Strict DER to raw r || s: definite minimal lengths, minimal positive
 * INTEGERs, nothing before or after, each value fitting scalar_len bytes.
 * Range checks (1 <= r, s <= n-1) are left to verification. */
int wt_ecdsa_sig_from_der(uint32_t curve, const uint8_t *der, size_t derlen,
			  uint8_t *raw);

#endif
