/*
 * wt_x509.h: X.509 certificates (RFC 5280): a strict parser, path building
 * and validation to configured trust anchors, service identity checks
 * (RFC 9525), SPKI pinning, and a trust store that lives in one
 * caller-allocated block.
 *
 * Memory model. A parsed certificate (wt_x509_cert) is fixed-size and holds
 * no pointer: every variable-length field is a span (offset, length) into
 * the DER it was parsed from, so the same DER must be passed again to the
 * functions that read a span (name attributes, SANs, ...). Lists of
 * unbounded length (SANs, name constraints, name attributes) are not copied
 * out: the parser checks them once, and iterators walk them from the DER on
 * demand. The trust store (wt_x509_store) is a header followed by the
 * anchors' DER in the same block; it too holds no pointer and can be moved
 * or copied with memcpy. Nothing here allocates.
 *
 * All inputs are public (certificates, names, times): nothing in this
 * module is constant-time, and nothing needs to be.
 *
 * Signatures go through wt_pk.h (wt_pubkey_from_spki, wt_sig_verify), by
 * TLS SignatureScheme codepoint; a verifier can be injected instead
 * (wt_x509_params.sig_verify) for tests and for engines with their own.
 *
 * Use from the TLS engine (RFC 8446 4.4.2, 4.4.2.4):
 *   - hand over every CertificateEntry's cert_data, end-entity first, as
 *     wt_x509_blob (no copy; read during the call only) or through a get
 *     function (wt_x509_verify_fn: no array, however many were sent);
 *   - wt_x509_verify(&params, blobs, n, store, &res) with params.host the
 *     SNI name (or IP literal), params.purpose SERVER on a client and
 *     CLIENT on a server, params.now_ms 0 for wt_now();
 *   - on failure send the fatal alert wt_x509_err_alert(res.code) and
 *     report wt_x509_err_name(res.code) ("CERT_HAS_EXPIRED", ...);
 *   - on success wt_x509_parse(blobs[0]) and hand its spki span to
 *     wt_pubkey_from_spki for CertificateVerify; res.path / res.anchor give
 *     the chain to show (getPeerCertificate).
 * An empty Certificate message is WT_X509_ERR_NO_CERT (a server that
 * requires client certificates sends certificate_required itself, RFC 8446
 * 4.4.2.4; that alert is the engine's, not in this table).
 */
#ifndef WT_X509_H
#define WT_X509_H

#include <stddef.h>
#include <stdint.h>

/* ---- result codes ---------------------------------------------------
 *
 * 0 is success; errors are negative. Each has a stable name a user can
 * search for (wt_x509_err_name: OpenSSL's / Node's code where one exists,
 * e.g. "CERT_HAS_EXPIRED"), a sentence (wt_x509_err_reason), and the TLS
 * alert (RFC 8446 6.2) a peer is sent (wt_x509_err_alert). */
enum {
	WT_X509_OK = 0,
	WT_X509_ERR_DECODE = -100,  /* malformed DER / structure */
	WT_X509_ERR_VERSION = -101, /* version not 1..3, or v1/v2 with v3 fields */
	WT_X509_ERR_SIG_ALG_MISMATCH =
		-102,                   /* inner and outer signature algorithms differ */
	WT_X509_ERR_TIME_FORMAT = -103, /* validity time not as RFC 5280 4.1.2.5 */
	WT_X509_ERR_DUPLICATE_EXT = -104,        /* an extension appears twice */
	WT_X509_ERR_BAD_EXT = -105,              /* a known extension is malformed */
	WT_X509_ERR_UNSUPPORTED_SIG = -110,      /* signature algorithm not supported */
	WT_X509_ERR_UNSUPPORTED_KEY = -111,      /* issuer public key not supported */
	WT_X509_ERR_BAD_SIGNATURE = -112,        /* signature does not verify */
	WT_X509_ERR_EXPIRED = -120,              /* now > notAfter */
	WT_X509_ERR_NOT_YET_VALID = -121,        /* now < notBefore */
	WT_X509_ERR_UNKNOWN_ISSUER = -130,       /* no path to a trust anchor */
	WT_X509_ERR_SELF_SIGNED_LEAF = -131,     /* untrusted self-signed end-entity */
	WT_X509_ERR_SELF_SIGNED_IN_CHAIN = -132, /* chain ends at an untrusted root */
	WT_X509_ERR_NOT_CA = -133,           /* issuer is not a CA (basicConstraints) */
	WT_X509_ERR_PATH_LEN = -134,         /* pathLenConstraint exceeded */
	WT_X509_ERR_CHAIN_TOO_LONG = -135,   /* longer than max_depth */
	WT_X509_ERR_KEY_USAGE_CA = -136,     /* CA keyUsage lacks keyCertSign */
	WT_X509_ERR_KEY_USAGE = -137,        /* leaf keyUsage lacks digitalSignature */
	WT_X509_ERR_PURPOSE = -138,          /* extKeyUsage lacks serverAuth/clientAuth */
	WT_X509_ERR_UNKNOWN_CRITICAL = -139, /* unrecognised critical extension */
	WT_X509_ERR_NAME_PERMITTED = -140,   /* name outside the permitted subtrees */
	WT_X509_ERR_NAME_EXCLUDED = -141,    /* name inside an excluded subtree */
	WT_X509_ERR_NAME_UNSUPPORTED = -142, /* constrained name form we cannot check */
	WT_X509_ERR_HOSTNAME = -150,         /* reference identity not in the SANs */
	WT_X509_ERR_PIN = -151,              /* no SPKI pin matched */
	WT_X509_ERR_NO_CERT = -160,          /* empty chain */
	WT_X509_ERR_LIMIT = -161,            /* too many certificates / search too long */
	WT_X509_ERR_ARG = -162,              /* bad argument (buffer too small, ...) */
	WT_X509_ERR_LEAF_CA =
		-163, /* end entity with CA markings (cA, keyCertSign, nameConstraints) */
	WT_X509_ERR_LEAF_KEY = -164,        /* end-entity key the TLS handshake refuses */
	WT_X509_ERR_NEGATIVE_SERIAL = -165, /* serialNumber is negative */
	WT_X509_ERR_MISSING_AKI =
		-166, /* CA certificate without authorityKeyIdentifier */
	WT_X509_ERR_MISSING_SKI = -167, /* CA certificate without subjectKeyIdentifier */
	WT_X509_ERR_SAN_CRITICAL =
		-168 /* subjectAltName criticality contradicts the subject */
};

/* "CERT_HAS_EXPIRED" etc.; "UNKNOWN" for a code not listed above. */
const char *wt_x509_err_name(int code);
/* A sentence for a log or an exception message. */
const char *wt_x509_err_reason(int code);
/* TLS AlertDescription to send for code (42 bad_certificate, 43
 * unsupported_certificate, 45 certificate_expired, 46 certificate_unknown,
 * 48 unknown_ca, 50 decode_error for an empty chain, 80 internal_error), 0
 * for WT_X509_OK. */
uint32_t wt_x509_err_alert(int code);

/* ---- parsed certificate ----------------------------------------------- */

/* A byte range of the certificate DER. */
typedef struct {
	uint32_t off, len;
} wt_x509_span;

/* Signature algorithms (certificate AlgorithmIdentifier), kept apart from
 * the TLS codepoint because RSA-PSS maps to rsae or pss by the issuer's
 * key (wt_x509_sig_scheme). */
enum {
	WT_X509_SIG_UNKNOWN = 0,
	WT_X509_SIG_RSA_PKCS1_SHA256,
	WT_X509_SIG_RSA_PKCS1_SHA384,
	WT_X509_SIG_RSA_PKCS1_SHA512,
	WT_X509_SIG_RSA_PSS_SHA256,
	WT_X509_SIG_RSA_PSS_SHA384,
	WT_X509_SIG_RSA_PSS_SHA512,
	WT_X509_SIG_ECDSA_SHA256,
	WT_X509_SIG_ECDSA_SHA384,
	WT_X509_SIG_ED25519
};

/* Public key algorithm of a SubjectPublicKeyInfo (WT_KEY_* of wt_pk.h where
 * one exists). */
enum {
	WT_X509_KEY_UNKNOWN = 0,
	WT_X509_KEY_RSA = 1,
	WT_X509_KEY_EC_P256 = 2,
	WT_X509_KEY_EC_P384 = 3,
	WT_X509_KEY_ED25519 = 4,
	WT_X509_KEY_RSA_PSS = 5 /* id-RSASSA-PSS key (RFC 4055 1.2) */
};

/* keyUsage bits (RFC 5280 4.2.1.3): bit n of the BIT STRING is 1 << n. */
enum {
	WT_X509_KU_DIGITAL_SIGNATURE = 1u << 0,
	WT_X509_KU_NON_REPUDIATION = 1u << 1,
	WT_X509_KU_KEY_ENCIPHERMENT = 1u << 2,
	WT_X509_KU_DATA_ENCIPHERMENT = 1u << 3,
	WT_X509_KU_KEY_AGREEMENT = 1u << 4,
	WT_X509_KU_KEY_CERT_SIGN = 1u << 5,
	WT_X509_KU_CRL_SIGN = 1u << 6,
	WT_X509_KU_ENCIPHER_ONLY = 1u << 7,
	WT_X509_KU_DECIPHER_ONLY = 1u << 8
};

/* extKeyUsage purposes seen (RFC 5280 4.2.1.12). */
enum {
	WT_X509_EKU_SERVER_AUTH = 1u << 0,
	WT_X509_EKU_CLIENT_AUTH = 1u << 1,
	WT_X509_EKU_ANY = 1u << 2,
	WT_X509_EKU_OTHER = 1u << 3
};

/* Extensions present (bitmask in wt_x509_cert.ext). */
enum {
	WT_X509_EXT_BASIC_CONSTRAINTS = 1u << 0,
	WT_X509_EXT_KEY_USAGE = 1u << 1,
	WT_X509_EXT_EXT_KEY_USAGE = 1u << 2,
	WT_X509_EXT_SAN = 1u << 3,
	WT_X509_EXT_NAME_CONSTRAINTS = 1u << 4,
	WT_X509_EXT_AKI = 1u << 5,
	WT_X509_EXT_SKI = 1u << 6,
	WT_X509_EXT_AIA = 1u << 7 /* authorityInfoAccess (RFC 5280 4.2.2.1) */
};

/* GeneralName tags (RFC 5280 4.2.1.6), numbered as their context tag. */
enum {
	WT_X509_GN_OTHER = 0,
	WT_X509_GN_EMAIL = 1,
	WT_X509_GN_DNS = 2,
	WT_X509_GN_X400 = 3,
	WT_X509_GN_DIRNAME = 4,
	WT_X509_GN_EDI = 5,
	WT_X509_GN_URI = 6,
	WT_X509_GN_IP = 7,
	WT_X509_GN_RID = 8
};

typedef struct {
	uint32_t der_len;       /* the whole Certificate element */
	uint32_t version;       /* 1, 2 or 3 */
	wt_x509_span tbs;       /* TBSCertificate, header included (signed) */
	wt_x509_span serial;    /* INTEGER contents, two's complement */
	uint32_t sig_alg;       /* WT_X509_SIG_* */
	wt_x509_span signature; /* signatureValue octets */
	wt_x509_span issuer;    /* Name, header included (compare as bytes) */
	wt_x509_span subject;
	int64_t not_before; /* seconds since the Unix epoch, UTC */
	int64_t not_after;
	wt_x509_span spki;         /* SubjectPublicKeyInfo, header included */
	uint32_t key_type;         /* WT_X509_KEY_* */
	uint32_t ext;              /* WT_X509_EXT_* present */
	uint32_t ca;               /* basicConstraints cA */
	int32_t path_len;          /* pathLenConstraint, -1 when absent */
	uint32_t key_usage;        /* WT_X509_KU_* (meaningful if ext has KU) */
	uint32_t eku;              /* WT_X509_EKU_* (if ext has EKU) */
	uint32_t san_forms;        /* 1 << WT_X509_GN_* of each SAN form */
	wt_x509_span san;          /* GeneralNames contents (iterate) */
	wt_x509_span nc_permitted; /* GeneralSubtrees contents */
	wt_x509_span nc_excluded;
	uint32_t nc_forms;         /* 1 << WT_X509_GN_* of constrained forms */
	wt_x509_span ski;          /* subjectKeyIdentifier octets */
	wt_x509_span aki;          /* authorityKeyIdentifier keyIdentifier */
	uint32_t unknown_critical; /* count of critical extensions not understood */
	uint32_t ext_critical; /* WT_X509_EXT_* of the known extensions marked critical */
} wt_x509_cert;

/* Parse one DER certificate. The certificate must fill der exactly (no
 * trailing bytes). Returns WT_X509_OK or a parse error (WT_X509_ERR_DECODE,
 * _VERSION, _SIG_ALG_MISMATCH, _TIME_FORMAT, _DUPLICATE_EXT, _BAD_EXT).
 * Unknown critical extensions do not fail parsing (the certificate can
 * still be shown); they fail validation. */
int wt_x509_parse(wt_x509_cert *c, const uint8_t *der, size_t len);

/* Length of the DER element at the start of buf (a certificate's total
 * length from its header), 0 if buf does not start with a well-formed
 * SEQUENCE header that fits. For splitting concatenated DER. */
size_t wt_x509_der_element_len(const uint8_t *buf, size_t len);

/* Name attributes, in order (RDNs flattened). idx counts from 0. Fills the
 * OID contents span, the value's string tag and contents span; returns 1,
 * or 0 past the last attribute. name is c->issuer or c->subject. */
int wt_x509_name_attr(const uint8_t *der, wt_x509_span name, uint32_t idx,
		      wt_x509_span *oid, uint32_t *tag, wt_x509_span *value);

/* SubjectAltName entries, in order: 1 and the entry's form (WT_X509_GN_*)
 * and contents span, or 0 past the last. */
int wt_x509_san_get(const uint8_t *der, const wt_x509_cert *c, uint32_t idx,
		    uint32_t *form, wt_x509_span *value);

/* TLS SignatureScheme (wt_pk.h WT_SIG_*) for the signature algorithm of a
 * certificate signed by a key of issuer_key_type, 0 when none fits (e.g.
 * ECDSA whose hash is not the one TLS pairs with the issuer's curve). */
uint32_t wt_x509_sig_scheme(uint32_t sig_alg, uint32_t issuer_key_type);

/* RFC 5280 4.1.2.5 time: UTCTime "YYMMDDHHMMSSZ" (YY >= 50 is 19YY) or
 * GeneralizedTime "YYYYMMDDHHMMSSZ". Returns 0 and seconds since the
 * epoch, or WT_X509_ERR_TIME_FORMAT. */
int wt_x509_parse_time(uint32_t tag, const uint8_t *s, size_t len, int64_t *t);

/* ---- identity checks (RFC 9525) and constraints ------------------------- */

/* Parse an IPv4 dotted quad or an IPv6 text address (RFC 4291 2.2, with
 * "::" and a trailing dotted quad) into 4 or 16 bytes; returns the length,
 * 0 if host is not an IP literal. */
size_t wt_x509_parse_ip(const char *host, size_t len, uint8_t out[16]);

/* 1 if the DNS reference identity host matches the presented dNSName pat:
 * ASCII case-insensitive, a wildcard only as the complete leftmost label
 * and standing for exactly one label (RFC 9525 6.3). */
int wt_x509_dns_match(const char *pat, size_t patlen, const char *host, size_t hostlen);

/* 1 if s (n octets) is a DNS name in the preferred name syntax (RFC 1034
 * 3.5 as relaxed by RFC 1123 2.1: labels of 1..63 letters, digits and
 * hyphens, not starting or ending with a hyphen; no empty label, so no
 * leading, trailing or doubled dot; 253 octets at most). Flags:
 * WT_X509_DNS_WILDCARD admits "*" as the whole leftmost label (a SAN
 * pattern), WT_X509_DNS_SUBTREE admits one leading "." and the empty name
 * (a name constraint base). */
#define WT_X509_DNS_WILDCARD 1u
#define WT_X509_DNS_SUBTREE 2u
int wt_x509_dns_syntax(const uint8_t *s, size_t n, uint32_t flags);

/* Check host (a DNS name or an IP literal) against the certificate's SANs.
 * No Common Name fallback (RFC 9525 6.3: the CN-ID is not used). Returns
 * WT_X509_OK or WT_X509_ERR_HOSTNAME. */
int wt_x509_check_host(const uint8_t *der, const wt_x509_cert *c, const char *host,
		       size_t hostlen);

/* 1 if DNS name is within the dNSName subtree base (RFC 5280 4.2.1.10:
 * zero or more labels added on the left; a base starting with '.' means
 * proper subdomains only). */
int wt_x509_dns_in_subtree(const uint8_t *name, size_t namelen, const uint8_t *base,
			   size_t baselen);

/* Apply the name constraints of CA certificate (cader, ca) to the subject
 * and SANs of certificate (der, c). Returns WT_X509_OK,
 * WT_X509_ERR_NAME_PERMITTED, _NAME_EXCLUDED or _NAME_UNSUPPORTED. */
int wt_x509_check_name_constraints(const uint8_t *cader, const wt_x509_cert *ca,
				   const uint8_t *der, const wt_x509_cert *c);

/* SHA-256 of the SubjectPublicKeyInfo (an RFC 7469 pin). */
void wt_x509_spki_sha256(const uint8_t *der, const wt_x509_cert *c, uint8_t out[32]);
/* WT_X509_OK if the certificate's SPKI SHA-256 equals one of npins pins
 * (32 bytes each, concatenated), else WT_X509_ERR_PIN. */
int wt_x509_check_pin(const uint8_t *der, const wt_x509_cert *c, const uint8_t *pins,
		      size_t npins);

/* ---- trust store -------------------------------------------------------- */

/* The store is this header followed by its entries, in one block of
 * `cap` bytes the caller allocates (wt_x509_store_init). Each entry keeps
 * the anchor's DER and the spans used to look it up. */
#define WT_X509_STORE_MAGIC 0x58353039u /* "X509" */

typedef struct {
	uint32_t magic; /* WT_X509_STORE_MAGIC once initialised */
	uint32_t cap;   /* bytes in the whole block */
	uint32_t used;  /* bytes of entries in use */
	uint32_t count; /* anchors */
	uint8_t data[]; /* entries */
} wt_x509_store;

/* Bytes a block needs for the header; add per anchor its DER length plus
 * WT_X509_STORE_ENTRY_OVERHEAD (rounded up to 4). */
#define WT_X509_STORE_HEADER 16u
#define WT_X509_STORE_ENTRY_OVERHEAD 24u

/* Make an empty store in a block of cap bytes (cap >= header). */
int wt_x509_store_init(wt_x509_store *s, size_t cap);
/* Add one DER certificate as a trust anchor. The certificate must parse;
 * an identical one already present is not added twice (WT_X509_OK).
 * WT_X509_ERR_LIMIT when the block is full. */
int wt_x509_store_add_der(wt_x509_store *s, const uint8_t *der, size_t len);
/* Add every "CERTIFICATE" block of PEM text; *added (may be NULL) gets the
 * count added. Other PEM labels are skipped. Stops at the first error. */
int wt_x509_store_add_pem(wt_x509_store *s, const char *pem, size_t len, uint32_t *added);
/* The idx-th anchor's DER (pointer into the store, valid while the store
 * is neither moved nor changed), NULL past the end. */
const uint8_t *wt_x509_store_get(const wt_x509_store *s, uint32_t idx, size_t *len);

/* Anchors whose subject Name (DER, header included) equals name, in
 * order, without parsing the others: start with *cursor = 0 and *idx = 0;
 * each call returns the next match (its DER, *len, and *idx - 1 its
 * index) or NULL when there is none left. */
const uint8_t *wt_x509_store_find(const wt_x509_store *s, uint32_t *cursor,
				  const uint8_t *name, size_t namelen, uint32_t *idx,
				  size_t *len);

/* ---- path validation ----------------------------------------------------- */

enum {
	WT_X509_PURPOSE_SERVER = 1, /* serverAuth EKU (a client checks a server) */
	WT_X509_PURPOSE_CLIENT = 2, /* clientAuth EKU (a server checks a client) */
	WT_X509_PURPOSE_ANY = 3     /* no EKU requirement */
};

/* Flags (wt_x509_params.flags). */
/* Test/debug only: do not verify signatures. Every other check still runs;
 * an attacker can forge any chain. Named loudly on purpose. */
#define WT_X509_INSECURE_SKIP_SIGNATURES 0x1u

/* A signature verifier: spki is the issuer's SubjectPublicKeyInfo DER,
 * scheme a TLS SignatureScheme. Returns 0 if the signature verifies, a
 * negative WT_PK_ERR_* otherwise (WT_PK_ERR_KEY/WT_PK_ERR_ARG: unsupported
 * key or scheme). */
typedef int (*wt_x509_sig_verify_fn)(void *ctx, const uint8_t *spki, size_t spkilen,
				     uint32_t scheme, const uint8_t *msg, size_t msglen,
				     const uint8_t *sig, size_t siglen);

/* The default verifier, through wt_pk.h. */
int wt_x509_sig_verify_pk(void *ctx, const uint8_t *spki, size_t spkilen, uint32_t scheme,
			  const uint8_t *msg, size_t msglen, const uint8_t *sig,
			  size_t siglen);

/* One certificate of the peer's chain (pointers are read during the call
 * only). */
typedef struct {
	const uint8_t *der;
	size_t len;
} wt_x509_blob;

/* A peer chain read by index: certificate i's DER into *out, returning 0
 * (or -1 when there is none). Lets a caller hand over a list of any length
 * without an array of blobs (the TLS engine walks its Certificate message;
 * nothing here allocates). Certificates are read in increasing index order
 * within one scan, and each scan starts again at 1. */
typedef int (*wt_x509_chain_get_fn)(void *ctx, size_t i, wt_x509_blob *out);

#define WT_X509_DEFAULT_DEPTH 8 /* certificates in a path, anchor excluded */
#define WT_X509_MAX_DEPTH 16
/* The path search (path.c) is bounded by work, not by a count of the
 * certificates sent: every certificate the peer sent is a candidate.
 * Signature verifications: each distinct (certificate, issuer key) pair is
 * verified at most once, so a valid chain of n certificates needs at most
 * n per issuer key its issuers' name has; the budget is
 * WT_X509_SEARCH_BUDGET + WT_X509_SEARCH_PER_CERT * n. Steps: candidate
 * issuers (name matches) examined, dead ends remembered for the first
 * WT_X509_SEARCH_MEMO certificates. */
#define WT_X509_SEARCH_BUDGET 64
#define WT_X509_SEARCH_PER_CERT 4
#define WT_X509_SEARCH_STEPS 100000
#define WT_X509_SEARCH_MEMO 4096

typedef struct {
	uint64_t now_ms;    /* 0: wt_now() */
	uint32_t purpose;   /* WT_X509_PURPOSE_*; 0 means SERVER */
	uint32_t max_depth; /* 0: WT_X509_DEFAULT_DEPTH */
	const char *host;   /* reference identity, NULL: no check */
	size_t host_len;
	uint32_t flags;
	wt_x509_sig_verify_fn sig_verify; /* NULL: wt_x509_sig_verify_pk */
	void *sig_ctx;
} wt_x509_params;

typedef struct {
	int code;           /* WT_X509_OK or WT_X509_ERR_* */
	int32_t cert_index; /* chain index of the certificate at fault, -1 if none */
	uint32_t path_len;  /* certificates of the chain in the path */
	uint32_t path[WT_X509_MAX_DEPTH]; /* their chain indexes, leaf first */
	int32_t anchor;                   /* store index of the anchor, -1 on failure */
} wt_x509_result;

/* Check only that certificate der was signed by the key of certificate
 * ider (names, validity and extensions are not looked at): a root's
 * self-signature, or a single link. Uses p->sig_verify / p->sig_ctx. */
int wt_x509_check_signature(const wt_x509_params *p, const uint8_t *der, size_t len,
			    const uint8_t *ider, size_t ilen);

/* Build a path from certs[0] (the end-entity) through any of certs[1..n)
 * (any order; extras ignored) to an anchor of store, and validate it
 * (RFC 5280 6.1 as profiled in path.c). Returns res->code. */
int wt_x509_verify(const wt_x509_params *p, const wt_x509_blob *certs, size_t n,
		   const wt_x509_store *store, wt_x509_result *res);

/* The same with the chain read through get (certificate 0 the end
 * entity). */
int wt_x509_verify_fn(const wt_x509_params *p, wt_x509_chain_get_fn get, void *ctx,
		      size_t n, const wt_x509_store *store, wt_x509_result *res);

/* The end-entity key rule shared by the TLS handshake and the validator:
 * a key wt_pk.h can use (RSA 2048..4096 bits, P-256, P-384, Ed25519; not
 * P-192, DSA, ...), and an RSA modulus a whole number of octets (CA/B
 * Forum BR 6.1.5: "the modulus size, in bits, is evenly divisible by 8").
 * Fills pk (a wt_pubkey *, may be NULL) and *pkerr (may be NULL) with
 * wt_pk.h's verdict (0, WT_PK_ERR_KEY for a malformed key,
 * WT_PK_ERR_UNSUPPORTED for one we cannot use). Returns WT_X509_OK or
 * WT_X509_ERR_LEAF_KEY. */
int wt_x509_leaf_key(const uint8_t *spki, size_t len, void *pk, int *pkerr);

/* RFC 5280 4.2.1.6 dNSName syntax of every DNS SAN of the certificate:
 * the preferred name syntax (RFC 1034 3.5, RFC 1123 2.1: letters, digits,
 * hyphens; labels of 1..63 octets, no leading or trailing hyphen; no
 * empty label, so no leading, trailing or double dot), with "*" allowed
 * as the whole leftmost label. WT_X509_OK or WT_X509_ERR_BAD_EXT. */
int wt_x509_check_san_syntax(const uint8_t *der, const wt_x509_cert *c);

#endif
