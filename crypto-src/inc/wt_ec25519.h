/*
 * wt_ec25519.h: X25519 key agreement (RFC 7748) and Ed25519 signatures
 * (RFC 8032, pure Ed25519: no context, no prehash).
 *
 * Secret inputs (X25519 private keys, Ed25519 seeds) are handled in
 * constant time; Ed25519 verification works on public data only and is
 * variable-time. Nothing here allocates or keeps state between calls,
 * except the precomputed multiples of the Ed25519 base point, which are
 * computed on first use from public constants.
 */
#ifndef WT_EC25519_H
#define WT_EC25519_H

#include <stddef.h>
#include <stdint.h>

#define WT_X25519_LEN 32
#define WT_ED25519_SEED_LEN 32
#define WT_ED25519_PUB_LEN 32
#define WT_ED25519_SIG_LEN 64

/* out = X25519(scalar, point) (RFC 7748 section 5): the scalar is
 * clamped, the top bit of point is ignored, non-canonical u-coordinates
 * (>= 2^255 - 19) are taken mod p, and points on the twist are computed
 * like any other. Returns 0, or -1 when the result is all zeros (a
 * low-order point: RFC 7748 section 6.1 lets a party abort there, and
 * TLS 1.3 requires it, RFC 8446 section 7.4.2); out then holds the 32
 * zero bytes. The check itself is constant-time. */
int wt_x25519(uint8_t out[32], const uint8_t scalar[32], const uint8_t point[32]);

/* pub = X25519(priv, 9), the public key for a private key (RFC 7748
 * section 6.1). Uses a fixed-base method on the birationally equivalent
 * Edwards curve, several times faster than the ladder; same result. */
void wt_x25519_base(uint8_t pub[32], const uint8_t priv[32]);

/* Public key for a 32-byte seed (RFC 8032 5.1.5). */
void wt_ed25519_public_key(uint8_t pub[32], const uint8_t seed[32]);

/* Signature of msg under the key of seed (RFC 8032 5.1.6). The public
 * key is recomputed from the seed rather than taken as an argument: with
 * a public key that does not belong to the seed, two signatures of one
 * message would reveal the secret scalar. */
void wt_ed25519_sign(uint8_t sig[64], const uint8_t seed[32], const uint8_t *msg,
		     size_t len);

/* A signing key expanded once for many signatures (a server's long-term
 * key): the secret scalar, the nonce prefix and the public key, all
 * derived from the seed here, so the public key cannot disagree with
 * the seed. Signing with it skips one of the two base-point
 * multiplications. Holds secrets: wt_wipe it after use. */
typedef struct {
	uint8_t s[32];
	uint8_t prefix[32];
	uint8_t pub[32];
} wt_ed25519_key;

void wt_ed25519_key_from_seed(wt_ed25519_key *key, const uint8_t seed[32]);
void wt_ed25519_sign_key(uint8_t sig[64], const wt_ed25519_key *key, const uint8_t *msg,
			 size_t len);

/* 1 if sig is a valid signature of msg under pub (RFC 8032 5.1.7), else
 * 0. Refuses S >= L, a public key or R whose y is >= p, a public key
 * that is not on the curve, and any R whose encoding differs from the
 * canonical encoding of [S]B - [k]A (cofactorless check, which is what
 * OpenSSL, Go and Wycheproof expect). NOT constant-time: every input is
 * public. */
int wt_ed25519_verify(const uint8_t pub[32], const uint8_t *msg, size_t len,
		      const uint8_t sig[64]);

#endif
