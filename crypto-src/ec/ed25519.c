/*
 * ed25519.c: Ed25519 (RFC 8032 section 5.1): key generation and signing
 * in constant time, verification in variable time (public inputs).
 */
#include "wt_ec25519.h"
#include "wt_hash.h"
#include "ge25519.h"
#include "sc25519.h"

/* RFC 8032 5.1.5 steps 1-3: h = SHA-512(seed); the scalar s is the
 * first half "pruned" (low three bits and bit 255 cleared, bit 254 set),
 * the second half is the nonce prefix. */
static void wt_ed25519_expand(uint8_t s[32], uint8_t prefix[32], const uint8_t seed[32])
{
	uint8_t h[64];
	wt_sha512(seed, 32, h);
	h[0] &= 248;
	h[31] &= 127;
	h[31] |= 64;
	memcpy(s, h, 32);
	memcpy(prefix, h + 32, 32);
	wt_wipe(h, sizeof h);
}

/* 5.1.6 step 2: r = SHA-512(prefix || M) mod L. */
static void wt_ed25519_nonce(uint8_t r[32], const uint8_t prefix[32], const uint8_t *msg,
			     size_t len)
{
	wt_sha512_ctx c;
	uint8_t d[64];
	wt_sha512_init(&c);
	wt_sha512_update(&c, prefix, 32);
	if (len > 0) /* msg may be NULL when len is 0 */
		wt_sha512_update(&c, msg, len);
	wt_sha512_out(&c, d);
	wt_sc_reduce64(r, d);
	wt_wipe(&c, sizeof c);
	wt_wipe(d, sizeof d);
}

/* k = SHA-512(R || A || M) mod L (5.1.6 step 4, 5.1.7 step 2). */
static void wt_ed25519_challenge(uint8_t k[32], const uint8_t R[32], const uint8_t A[32],
				 const uint8_t *msg, size_t len)
{
	wt_sha512_ctx c;
	uint8_t d[64];
	wt_sha512_init(&c);
	wt_sha512_update(&c, R, 32);
	wt_sha512_update(&c, A, 32);
	if (len > 0)
		wt_sha512_update(&c, msg, len);
	wt_sha512_out(&c, d);
	wt_sc_reduce64(k, d);
}

void wt_ed25519_key_from_seed(wt_ed25519_key *key, const uint8_t seed[32])
{
	wt_ge_p3 A;
	wt_ed25519_expand(key->s, key->prefix, seed);
	wt_ge_scalarmult_base(&A, key->s); /* 5.1.5 step 4: A = [s]B */
	wt_ge_tobytes(key->pub, &A);
	wt_wipe(&A, sizeof A);
}

void wt_ed25519_public_key(uint8_t pub[32], const uint8_t seed[32])
{
	wt_ed25519_key key;
	wt_ed25519_key_from_seed(&key, seed);
	memcpy(pub, key.pub, 32);
	wt_wipe(&key, sizeof key);
}

void wt_ed25519_sign_key(uint8_t sig[64], const wt_ed25519_key *key, const uint8_t *msg,
			 size_t len)
{
	uint8_t r[32], k[32];
	wt_ge_p3 R;

	wt_ed25519_nonce(r, key->prefix, msg, len);
	wt_ge_scalarmult_base(&R, r); /* step 3: R = [r]B */
	wt_ge_tobytes(sig, &R);
	wt_ed25519_challenge(k, sig, key->pub, msg, len);
	wt_sc_muladd(sig + 32, k, key->s, r); /* step 5: S = (r + k s) mod L */
	wt_wipe(r, sizeof r);
	wt_wipe(&R, sizeof R);
}

void wt_ed25519_sign(uint8_t sig[64], const uint8_t seed[32], const uint8_t *msg,
		     size_t len)
{
	uint8_t s[32], prefix[32], pub[32], r[32], k[32];
	wt_ge_p3 A, R;

	/* wt_ed25519_key_from_seed then wt_ed25519_sign_key, except that A
	 * and R are encoded together with a single field inversion. */
	wt_ed25519_expand(s, prefix, seed);
	wt_ed25519_nonce(r, prefix, msg, len);
	wt_ge_scalarmult_base(&A, s);
	wt_ge_scalarmult_base(&R, r);
	wt_ge_tobytes2(pub, &A, sig, &R);
	wt_ed25519_challenge(k, sig, pub, msg, len);
	wt_sc_muladd(sig + 32, k, s, r);
	wt_wipe(s, sizeof s);
	wt_wipe(prefix, sizeof prefix);
	wt_wipe(r, sizeof r);
	wt_wipe(&A, sizeof A);
	wt_wipe(&R, sizeof R);
}

/* Variable-time: signature, message and public key are all public. */
int wt_ed25519_verify(const uint8_t pub[32], const uint8_t *msg, size_t len,
		      const uint8_t sig[64])
{
	uint8_t k[32], check[32];
	wt_ge_p3 negA;
	wt_ge_p2 R;

	/* 5.1.7 step 1: S must be in [0, L) (this is what makes signatures
	 * non-malleable, section 8.4), and A must decode: y < p, on the
	 * curve, not "-0". R is not decoded: it is compared with the
	 * canonical encoding of the recomputed point below, which refuses
	 * every non-canonical or off-curve R. */
	if (!wt_sc_canonical(sig + 32))
		return 0;
	if (wt_ge_frombytes_negate_vartime(&negA, pub) != 0)
		return 0;
	/* Step 2: k from R and A as received. */
	wt_ed25519_challenge(k, sig, pub, msg, len);
	/* Step 3, without the cofactor: [S]B = R + [k]A, checked as
	 * encode([S]B - [k]A) == R. The cofactored equation would also
	 * accept R or A with a small-order component; RFC 8032 allows either,
	 * and the cofactorless one agrees with OpenSSL (node:crypto), Go and
	 * libsodium. */
	wt_ge_double_scalarmult_vartime(&R, k, &negA, sig + 32);
	wt_ge_p2_tobytes(check, &R);
	return (int)wt_ct_eq(check, sig, 32);
}
