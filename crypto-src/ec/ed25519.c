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
 * the second half is the nonce prefix. Returns s in h[0..32). */
static void wt_ed25519_expand(uint8_t h[64], const uint8_t seed[32])
{
	wt_sha512(seed, 32, h);
	h[0] &= 248;
	h[31] &= 127;
	h[31] |= 64;
}

void wt_ed25519_public_key(uint8_t pub[32], const uint8_t seed[32])
{
	uint8_t h[64];
	wt_ge_p3 A;
	wt_ed25519_expand(h, seed);
	wt_ge_scalarmult_base(&A, h);       /* 5.1.5 step 4: A = [s]B */
	wt_ge_tobytes(pub, &A);
	wt_wipe(h, sizeof h);
	wt_wipe(&A, sizeof A);
}

void wt_ed25519_sign(uint8_t sig[64], const uint8_t seed[32],
	const uint8_t *msg, size_t len)
{
	uint8_t h[64], pub[32], d[64], r[32], k[32];
	wt_sha512_ctx c;
	wt_ge_p3 P;

	wt_ed25519_expand(h, seed);
	wt_ge_scalarmult_base(&P, h);
	wt_ge_tobytes(pub, &P);

	/* 5.1.6 step 2: r = SHA-512(prefix || M) mod L. */
	wt_sha512_init(&c);
	wt_sha512_update(&c, h + 32, 32);
	if (len > 0)  /* msg may be NULL when len is 0 */
		wt_sha512_update(&c, msg, len);
	wt_sha512_out(&c, d);
	wt_sc_reduce64(r, d);
	/* Step 3: R = [r]B. */
	wt_ge_scalarmult_base(&P, r);
	wt_ge_tobytes(sig, &P);
	/* Step 4: k = SHA-512(R || A || M) mod L. */
	wt_sha512_init(&c);
	wt_sha512_update(&c, sig, 32);
	wt_sha512_update(&c, pub, 32);
	if (len > 0)
		wt_sha512_update(&c, msg, len);
	wt_sha512_out(&c, d);
	wt_sc_reduce64(k, d);
	/* Step 5: S = (r + k s) mod L. */
	wt_sc_muladd(sig + 32, k, h, r);

	wt_wipe(h, sizeof h);
	wt_wipe(d, sizeof d);
	wt_wipe(r, sizeof r);
	wt_wipe(&c, sizeof c);
	wt_wipe(&P, sizeof P);
}

/* Variable-time: signature, message and public key are all public. */
int wt_ed25519_verify(const uint8_t pub[32], const uint8_t *msg, size_t len,
	const uint8_t sig[64])
{
	uint8_t d[64], k[32], check[32];
	wt_sha512_ctx c;
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
	/* Step 2: k = SHA-512(R || A || M) mod L, with R and A as received. */
	wt_sha512_init(&c);
	wt_sha512_update(&c, sig, 32);
	wt_sha512_update(&c, pub, 32);
	if (len > 0)
		wt_sha512_update(&c, msg, len);
	wt_sha512_out(&c, d);
	wt_sc_reduce64(k, d);
	/* Step 3, without the cofactor: [S]B = R + [k]A, checked as
	 * encode([S]B - [k]A) == R. The cofactored equation would also
	 * accept R or A with a small-order component; RFC 8032 allows either,
	 * and the cofactorless one agrees with OpenSSL (node:crypto), Go and
	 * libsodium. */
	wt_ge_double_scalarmult_vartime(&R, k, &negA, sig + 32);
	wt_ge_p2_tobytes(check, &R);
	return (int)wt_ct_eq(check, sig, 32);
}
