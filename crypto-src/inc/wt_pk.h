/*
 * wt_pk.h: key exchange and signatures by TLS codepoint.
 *
 * The TLS engine and the X.509 code call these and never name an
 * algorithm's internals: a NamedGroup (RFC 8446 4.2.7) selects a key
 * exchange, a SignatureScheme (RFC 8446 4.2.3) a signature. Keys are parsed
 * from the DER forms TLS and certificates carry. Every structure is
 * fixed-size with no interior pointer (it can live in wasm memory, be
 * copied and be wiped with wt_wipe).
 *
 * The fields of wt_kex_ctx, wt_pubkey and wt_privkey are private to
 * crypto-src/pk/: callers allocate them (sizeof) and pass pointers; only
 * `type`, `bits` and `pss_hash` may be read. Their layout will change as the
 * primitives' own key structures are folded in.
 */
#ifndef WT_PK_H
#define WT_PK_H

#include <stddef.h>
#include <stdint.h>
#include "wt_ec25519.h"
#include "wt_rsa.h"

/* ---- errors (negative; shared numbering with the TLS error table) ---- */
#define WT_PK_OK 0
#define WT_PK_ERR_ARG -1      /* unknown group/scheme, bad length */
#define WT_PK_ERR_POINT -2    /* peer share/public key invalid */
#define WT_PK_ERR_ZERO -3     /* X25519 all-zero shared secret */
#define WT_PK_ERR_KEY -4      /* malformed or unsupported key encoding */
#define WT_PK_ERR_SIG -5      /* signature does not verify */
#define WT_PK_ERR_MISMATCH -6 /* scheme does not fit the key */
#define WT_PK_ERR_UNSUPPORTED \
	-7 /* well-formed key of a type or with
                                    parameters TLS 1.3 here cannot use
                                    (wt_pk_key_error names it) */

/* ---- key exchange ---------------------------------------------------- */

/* RFC 8446 4.2.7 NamedGroup; X25519MLKEM768 per draft-ietf-tls-ecdhe-mlkem */
enum {
	WT_GROUP_SECP256R1 = 0x0017,
	WT_GROUP_SECP384R1 = 0x0018,
	WT_GROUP_X25519 = 0x001D,
	WT_GROUP_X25519MLKEM768 = 0x11EC
};

/* Largest key_exchange field: X25519MLKEM768 client share is an ML-KEM-768
 * encapsulation key (1184) || X25519 (32); the server share is a
 * ciphertext (1088) || X25519 (32). */
#define WT_KEX_SHARE_MAX 1216
/* Largest shared secret: ML-KEM (32) || X25519 (32). */
#define WT_KEX_SECRET_MAX 64

/* The client's ephemeral state between ClientHello and ServerHello. */
typedef struct {
	uint32_t group;
	uint8_t ec_priv[48];    /* X25519 scalar or P-256/P-384 scalar */
	uint8_t mlkem_sk[2400]; /* ML-KEM-768 decapsulation key */
} wt_kex_ctx;

/* Length of a client's / server's key_exchange for group, 0 if unknown. */
size_t wt_kex_client_share_len(uint32_t group);
size_t wt_kex_server_share_len(uint32_t group);
/* 1 if group is implemented. */
int wt_kex_supported(uint32_t group);

/* Client: make an ephemeral key (entropy from wt_random) and write its
 * share (wt_kex_client_share_len(group) bytes). */
int wt_kex_client_keygen(wt_kex_ctx *k, uint32_t group, uint8_t *share);
/* Client: from the server's share, the shared secret (*secretlen set).
 * Wipes k. */
int wt_kex_client_finish(wt_kex_ctx *k, const uint8_t *server_share, size_t len,
			 uint8_t *secret, size_t *secretlen);
/* Client: the X25519 key inside an X25519MLKEM768 key pair, on its own:
 * k (made for X25519MLKEM768) becomes an X25519 context whose share is
 * the last 32 bytes of the hybrid share; the ML-KEM key is wiped. For a
 * client that sends that X25519 share beside the hybrid one and gets
 * X25519 chosen. 0, or WT_PK_ERR_ARG for any other pair of groups. */
int wt_kex_client_narrow(wt_kex_ctx *k, uint32_t group);
/* Server: from the client's share, the server's share and the secret
 * (an ECDH key pair or an ML-KEM encapsulation made here). */
int wt_kex_server(uint32_t group, const uint8_t *client_share, size_t len,
		  uint8_t *server_share, uint8_t *secret, size_t *secretlen);

/* ---- signatures -------------------------------------------------------- */

/* RFC 8446 4.2.3 SignatureScheme */
enum {
	WT_SIG_RSA_PKCS1_SHA256 = 0x0401,
	WT_SIG_RSA_PKCS1_SHA384 = 0x0501,
	WT_SIG_RSA_PKCS1_SHA512 = 0x0601,
	WT_SIG_ECDSA_SECP256R1_SHA256 = 0x0403,
	WT_SIG_ECDSA_SECP384R1_SHA384 = 0x0503,
	WT_SIG_RSA_PSS_RSAE_SHA256 = 0x0804,
	WT_SIG_RSA_PSS_RSAE_SHA384 = 0x0805,
	WT_SIG_RSA_PSS_RSAE_SHA512 = 0x0806,
	WT_SIG_ED25519 = 0x0807,
	WT_SIG_RSA_PSS_PSS_SHA256 = 0x0809,
	WT_SIG_RSA_PSS_PSS_SHA384 = 0x080A,
	WT_SIG_RSA_PSS_PSS_SHA512 = 0x080B
};

/* Key types. WT_KEY_RSA is an rsaEncryption key (rsa_pss_rsae_*, and
 * rsa_pkcs1_* in certificates); WT_KEY_RSA_PSS an id-RSASSA-PSS key
 * (RFC 4055 1.2), which only the rsa_pss_pss_* schemes fit (RFC 8446
 * 4.2.3). The values match WT_X509_KEY_* of wt_x509.h. */
enum {
	WT_KEY_RSA = 1,
	WT_KEY_EC_P256 = 2,
	WT_KEY_EC_P384 = 3,
	WT_KEY_ED25519 = 4,
	WT_KEY_RSA_PSS = 5
};

#define WT_SIG_MAX 512 /* RSA-4096; ECDSA DER and Ed25519 fit */

typedef struct {
	uint32_t type;     /* WT_KEY_* */
	uint32_t bits;     /* modulus / curve size */
	uint32_t pss_hash; /* WT_KEY_RSA_PSS: the wt_hash id its
	                             RSASSA-PSS-params restrict it to, 0 if
	                             unrestricted (parameters absent) */
	union {
		wt_rsa_public_key rsa;
		struct {
			uint8_t point[97];
			uint32_t len;
		} ec; /* 04||X||Y */
		uint8_t ed25519[32];
	} u;
} wt_pubkey;

typedef struct {
	uint32_t type;
	uint32_t bits;
	uint32_t pss_hash; /* as in wt_pubkey */
	union {
		wt_rsa_private_key rsa;
		struct {
			uint8_t d[48];
		} ec;
		wt_ed25519_key ed25519; /* expanded once: one base-point
		                             multiplication per signature */
	} u;
} wt_privkey;

/* SubjectPublicKeyInfo DER -> public key (RSA, RSASSA-PSS, EC
 * P-256/P-384, Ed25519). WT_PK_ERR_KEY for malformed input,
 * WT_PK_ERR_UNSUPPORTED for a well-formed key we cannot use. */
int wt_pubkey_from_spki(wt_pubkey *pk, const uint8_t *der, size_t len);
/* Private key DER: PKCS#8 PrivateKeyInfo (rsaEncryption, id-RSASSA-PSS,
 * EC, Ed25519), PKCS#1 RSAPrivateKey or SEC 1 ECPrivateKey. Errors as
 * wt_pubkey_from_spki. */
int wt_privkey_from_der(wt_privkey *sk, const uint8_t *der, size_t len);

/* The WT_KEY_* type and pss_hash of an SPKI from its AlgorithmIdentifier
 * alone: no key arithmetic (wt_pubkey_from_spki sets up Montgomery
 * constants for RSA, about 0.1 ms native), for choosing a scheme for our own
 * certificate. Errors as wt_pubkey_from_spki; the key itself is not
 * checked. */
int wt_pk_spki_type(const uint8_t *der, size_t len, uint32_t *type, uint32_t *pss_hash);

/* Why der (a private key when priv is 1, else an SPKI) is refused, when
 * the reason is its type or parameters: a static string naming them
 * ("DSA", "Ed448", "EC P-521", "RSASSA-PSS restricted to SHA-1", ...),
 * or NULL when the key parses or is merely malformed. Parses again, so
 * call it on the error path only. */
const char *wt_pk_key_error(const uint8_t *der, size_t len, int priv);

/* 1 if scheme can be used with a key of this type and size. TLS 1.3
 * forbids PKCS#1 v1.5 in CertificateVerify (RFC 8446 4.4.3); that rule
 * belongs to the caller, which knows the context. For an id-RSASSA-PSS
 * key this says nothing of its parameters: use the two below. */
int wt_sig_scheme_fits(uint32_t scheme, uint32_t keytype, uint32_t bits);
/* As wt_sig_scheme_fits, and an id-RSASSA-PSS key restricted to one hash
 * fits only the rsa_pss_pss_* scheme of that hash (RFC 4055 3.1). */
int wt_sig_pubkey_fits(uint32_t scheme, const wt_pubkey *pk);
int wt_sig_privkey_fits(uint32_t scheme, const wt_privkey *sk);
/* The same for a key known only by its WT_KEY_* type and pss_hash. */
int wt_sig_type_fits(uint32_t scheme, uint32_t type, uint32_t pss_hash);

/* Verify sig over msg (the message itself; the scheme's hash is applied
 * here). Variable time: every input is public. */
/* TLS 1.2 (RFC 5246 7.4.1.4.1): ecdsa_secp256r1_sha256 and
 * ecdsa_secp384r1_sha384 name a hash only ({sha256, ecdsa}), the curve
 * being the key's (P-256 or P-384); every other scheme as in TLS 1.3. */
int wt_sig12_pubkey_fits(uint32_t scheme, const wt_pubkey *pk);
int wt_sig12_privkey_fits(uint32_t scheme, const wt_privkey *sk);
int wt_sig12_type_fits(uint32_t scheme, uint32_t type, uint32_t pss_hash);
int wt_sig12_verify(const wt_pubkey *pk, uint32_t scheme, const uint8_t *msg,
		    size_t msglen, const uint8_t *sig, size_t siglen);
int wt_sig12_sign(const wt_privkey *sk, uint32_t scheme, const uint8_t *msg,
		  size_t msglen, uint8_t *sig, size_t *siglen);
/* The same over a digest already made with the scheme's hash (hl bytes):
 * TLS 1.2 CertificateVerify signs the running transcript hash. Not for
 * Ed25519 (WT_PK_ERR_ARG: PureEdDSA signs the message itself). */
int wt_sig12_verify_digest(const wt_pubkey *pk, uint32_t scheme, const uint8_t *digest,
			   size_t hl, const uint8_t *sig, size_t siglen);
int wt_sig12_sign_digest(const wt_privkey *sk, uint32_t scheme, const uint8_t *digest,
			 size_t hl, uint8_t *sig, size_t *siglen);
/* The hash of a scheme (0 for Ed25519 or an unknown one). */
uint32_t wt_sig_scheme_hash(uint32_t scheme);
int wt_sig_verify(const wt_pubkey *pk, uint32_t scheme, const uint8_t *msg, size_t msglen,
		  const uint8_t *sig, size_t siglen);
/* Sign msg; writes at most WT_SIG_MAX bytes and sets *siglen. Constant
 * time in the key; entropy from wt_random (ECDSA hedge, PSS salt, RSA
 * blinding). */
int wt_sig_sign(const wt_privkey *sk, uint32_t scheme, const uint8_t *msg, size_t msglen,
		uint8_t *sig, size_t *siglen);

#endif
