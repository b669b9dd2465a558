/*
 * wt_rsa.h: RSA signatures for TLS (RFC 8017): RSASSA-PKCS1-v1_5 and
 * RSASSA-PSS with SHA-256/384/512, key parsing from PKCS #1, SPKI
 * (RFC 5280 4.1.2.7) and PKCS #8 (RFC 5208) DER or PEM.
 *
 * Key sizes: moduli of 2048 to 4096 bits, for signing and verifying
 * alike. TLS 1.3 peers are not required to use less, the CA/Browser
 * Forum has required 2048-bit keys since 2014, and 1024-bit RSA is within
 * reach of well-funded attackers; a smaller key is refused at parse time
 * (WT_RSA_ERR_KEY_SIZE). The public exponent is odd, at least 3 and less
 * than n; the private key's primes are at most 2048 bits each.
 *
 * Keys are plain structs with fixed 4096-bit arrays and no pointers: the
 * caller allocates them (in wasm memory from TypeScript), copies them
 * freely, and must wipe a private key with wt_wipe when done.
 *
 * The private-key operation is constant-time in p, q, dp, dq, qinv and in
 * the message (CRT with fixed-window exponentiation and masked table
 * reads), blinded with a fresh random r (the base is multiplied by r^e,
 * the result by r^-1), and the signature is checked against the public
 * key before it is released (a fault in the CRT computation would
 * otherwise reveal a factor of n: Boneh, DeMillo, Lipton 1997).
 * Public-key operations are variable time in e, which is public.
 *
 * Functions return 0 (or a length) on success and a negative code on
 * error; the codes come from wt_der.h (malformed DER), wt_pem.h
 * (malformed PEM) and the WT_RSA_ERR_* below. Verification returns 1 for
 * a valid signature and 0 for an invalid one.
 */
#ifndef WT_RSA_H
#define WT_RSA_H

#include <stddef.h>
#include <stdint.h>

#define WT_RSA_MIN_BITS 2048
#define WT_RSA_MAX_BITS 4096
#define WT_RSA_MAX_LEN (WT_RSA_MAX_BITS / 8) /* signature bytes */
#define WT_RSA_MAX_LIMBS (WT_RSA_MAX_BITS / 32)
#define WT_RSA_MAX_PLIMBS (WT_RSA_MAX_LIMBS / 2) /* one prime */

enum {
	WT_RSA_ERR_OID = -30,       /* algorithm is not rsaEncryption */
	WT_RSA_ERR_KEY_SIZE = -31,  /* modulus outside 2048..4096 bits */
	WT_RSA_ERR_KEY = -32,       /* inconsistent or invalid key values */
	WT_RSA_ERR_VERSION = -33,   /* multi-prime or unknown version */
	WT_RSA_ERR_PEM_LABEL = -34, /* PEM label is not an RSA key kind */
	WT_RSA_ERR_HASH = -35,      /* unknown hash id / wrong hash length */
	WT_RSA_ERR_BUFFER = -36,    /* output buffer too small */
	WT_RSA_ERR_FAULT = -37,     /* the signature failed its own check */
	WT_RSA_ERR_SALT = -38       /* PSS salt too long for the modulus */
};

/* Signature schemes (numbering shared with ts/core/rsa.ts). */
enum { WT_RSA_PKCS1 = 1, WT_RSA_PSS = 2 };

typedef struct {
	uint32_t bits;   /* modulus bit length */
	uint32_t len;    /* modulus (and signature) length in bytes, k */
	uint32_t limbs;  /* 32-bit limbs of n */
	uint32_t n0i;    /* -1/n mod 2^32 */
	uint32_t elimbs; /* limbs of e */
	uint32_t n[WT_RSA_MAX_LIMBS];
	uint32_t r2[WT_RSA_MAX_LIMBS]; /* 2^(64 limbs) mod n */
	uint32_t e[WT_RSA_MAX_LIMBS];
} wt_rsa_public_key;

/* Two-prime CRT form (RFC 8017 3.2 second representation). d itself is
 * not kept. */
typedef struct {
	wt_rsa_public_key pub;
	uint32_t plimbs, qlimbs;
	uint32_t p0i, q0i;
	uint32_t p[WT_RSA_MAX_PLIMBS];
	uint32_t q[WT_RSA_MAX_PLIMBS];
	uint32_t dp[WT_RSA_MAX_PLIMBS];   /* d mod (p-1) */
	uint32_t dq[WT_RSA_MAX_PLIMBS];   /* d mod (q-1) */
	uint32_t qinv[WT_RSA_MAX_PLIMBS]; /* q^-1 mod p */
	uint32_t r2p[WT_RSA_MAX_PLIMBS];
	uint32_t r2q[WT_RSA_MAX_PLIMBS];
} wt_rsa_private_key;

/* ---- keys ----------------------------------------------------------- */

/* RSAPublicKey ::= SEQUENCE { modulus, publicExponent } (RFC 8017 A.1.1) */
int wt_rsa_public_from_pkcs1(wt_rsa_public_key *k, const uint8_t *der, size_t len);
/* SubjectPublicKeyInfo with algorithm rsaEncryption and NULL parameters
 * (RFC 3279 2.3.1) around an RSAPublicKey. */
int wt_rsa_public_from_spki(wt_rsa_public_key *k, const uint8_t *der, size_t len);
/* Either of the two, told apart by their first element. */
int wt_rsa_public_from_der(wt_rsa_public_key *k, const uint8_t *der, size_t len);

/* RSAPrivateKey (RFC 8017 A.1.2), version 0 (two primes) only.
 * Checked here: the public part as above, p and q odd and at most 2048
 * bits, dp < p, dq < q, qinv < p, and n = p q. Not checked: that dp, dq
 * and qinv are the right values (d itself is parsed but not kept); a key
 * where they are wrong makes every signature fail its self-check with
 * WT_RSA_ERR_FAULT instead of releasing a wrong signature. */
int wt_rsa_private_from_pkcs1(wt_rsa_private_key *k, const uint8_t *der, size_t len);
/* PrivateKeyInfo / OneAsymmetricKey (RFC 5208 5, RFC 5958 2) with
 * rsaEncryption, wrapping an RSAPrivateKey. */
int wt_rsa_private_from_pkcs8(wt_rsa_private_key *k, const uint8_t *der, size_t len);
/* Either of the two. */
int wt_rsa_private_from_der(wt_rsa_private_key *k, const uint8_t *der, size_t len);

/* PEM with label "RSA PUBLIC KEY" (PKCS #1) or "PUBLIC KEY" (SPKI). */
int wt_rsa_public_from_pem(wt_rsa_public_key *k, const char *pem, size_t len);
/* PEM with label "RSA PRIVATE KEY" (PKCS #1) or "PRIVATE KEY" (PKCS #8);
 * encrypted keys ("ENCRYPTED PRIVATE KEY", Proc-Type headers) are
 * refused. */
int wt_rsa_private_from_pem(wt_rsa_private_key *k, const char *pem, size_t len);

/* ---- verification (public data, variable time) ------------------------ */

/* RSASSA-PKCS1-v1_5-VERIFY (RFC 8017 8.2.2) of a message digest: the
 * signature must be exactly k bytes, and the recovered encoded message
 * must equal EMSA-PKCS1-v1_5-ENCODE of the digest byte for byte (DigestInfo
 * with the NULL parameters, RFC 8017 9.2 note 1; no other encoding is
 * accepted). 1 valid, 0 invalid, WT_RSA_ERR_HASH for a bad hash id or
 * digest length. */
int wt_rsa_verify_pkcs1(const wt_rsa_public_key *k, uint32_t hash_id,
			const uint8_t *digest, size_t digestlen, const uint8_t *sig,
			size_t siglen);

/* RSASSA-PSS-VERIFY (RFC 8017 8.1.2 with EMSA-PSS-VERIFY 9.1.2), MGF1
 * with the same hash, exactly saltlen bytes of salt (TLS 1.3: saltlen =
 * digest length, RFC 8446 4.2.3). 1 valid, 0 invalid, negative on bad
 * arguments. */
int wt_rsa_verify_pss(const wt_rsa_public_key *k, uint32_t hash_id, size_t saltlen,
		      const uint8_t *digest, size_t digestlen, const uint8_t *sig,
		      size_t siglen);

/* ---- signing (constant-time in the private key) ------------------------ */

/* RSASSA-PKCS1-v1_5-SIGN (RFC 8017 8.2.1) of a message digest into sig
 * (sigcap >= k->pub.len). Returns the signature length k or a negative
 * code; on WT_RSA_ERR_FAULT sig is zeroed. Deterministic output. */
int wt_rsa_sign_pkcs1(const wt_rsa_private_key *k, uint32_t hash_id,
		      const uint8_t *digest, size_t digestlen, uint8_t *sig,
		      size_t sigcap);

/* RSASSA-PSS-SIGN (RFC 8017 8.1.1), MGF1 with the same hash, a random salt
 * of saltlen bytes from wt_random (TLS: saltlen = digest length). */
int wt_rsa_sign_pss(const wt_rsa_private_key *k, uint32_t hash_id, size_t saltlen,
		    const uint8_t *digest, size_t digestlen, uint8_t *sig, size_t sigcap);

/* ---- primitives ------------------------------------------------------- */

/* RSAVP1 (RFC 8017 5.2.2): em = sig^e mod n, k bytes. Returns 1, or 0 when
 * siglen != k or sig >= n. Variable time in e (public). */
int wt_rsa_public_op(const wt_rsa_public_key *k, const uint8_t *sig, size_t siglen,
		     uint8_t *em);

/* RSASP1 (RFC 8017 5.2.1) with CRT, blinding and the fault check:
 * sig = em^d mod n, k bytes; em (k bytes) must be < n, which every EMSA
 * encoding guarantees. Returns 0 or WT_RSA_ERR_FAULT, computed without
 * branching on secrets (sig is zeroed on a fault). */
int wt_rsa_private_op(const wt_rsa_private_key *k, const uint8_t *em, uint8_t *sig);

#endif
