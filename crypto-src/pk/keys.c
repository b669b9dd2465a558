/*
 * keys.c: public keys from SubjectPublicKeyInfo and private keys from the
 * DER forms servers are configured with (see wt_pk.h). Parsing runs on
 * public structure; the private scalars are copied, never branched on.
 *
 *   SubjectPublicKeyInfo  RFC 5280 4.1.2.7
 *   rsaEncryption         RFC 3279 2.3.1 (parameters NULL)
 *   id-RSASSA-PSS         RFC 4055 1.2, 3.1 (RSASSA-PSS-params absent or
 *                         present); RFC 8017 A.2.3
 *   id-ecPublicKey        RFC 5480 2.1.1 (namedCurve only), 2.2 (point)
 *   id-Ed25519            RFC 8410 3 (parameters absent), 7 (private key)
 *   ECPrivateKey          RFC 5915 3
 *   PrivateKeyInfo        RFC 5208 5 / OneAsymmetricKey RFC 5958 2
 *
 * A well-formed key of a type or with parameters we cannot use gives
 * WT_PK_ERR_UNSUPPORTED, and wt_pk_key_error names it, so that "bad key"
 * never hides "a DSA key" or "a PSS key restricted to SHA-1".
 */
#include "inner.h"
#include "wt_der.h"
#include "wt_ec25519.h"
#include "wt_ecp.h"
#include "wt_hash.h"
#include "wt_pk.h"

/* OID contents octets */
static const uint8_t OID_RSA[] = { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01 };
static const uint8_t OID_EC[] = { 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01 };
static const uint8_t OID_P256[] = { 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07 };
static const uint8_t OID_P384[] = { 0x2b, 0x81, 0x04, 0x00, 0x22 };
static const uint8_t OID_ED25519[] = { 0x2b, 0x65, 0x70 };
/* id-RSASSA-PSS 1.2.840.113549.1.1.10, id-mgf1 1.2.840.113549.1.1.8
 * (RFC 8017 A.2.3, B.2.1); the hashes of RFC 4055 2.1 */
static const uint8_t OID_RSA_PSS[] = { 0x2a, 0x86, 0x48, 0x86, 0xf7,
				       0x0d, 0x01, 0x01, 0x0a };
static const uint8_t OID_MGF1[] = {
	0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x08
};
static const uint8_t OID_SHA1[] = { 0x2b, 0x0e, 0x03, 0x02, 0x1a };
static const uint8_t OID_SHA256[] = {
	0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01
};
static const uint8_t OID_SHA384[] = {
	0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02
};
static const uint8_t OID_SHA512[] = {
	0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03
};
/* Key algorithms and curves we do not implement, only to name them in
 * errors: id-dsa (RFC 3279 2.3.2), dhpublicnumber (RFC 3279 2.3.3), PKCS #3
 * dhKeyAgreement, X25519/X448/Ed448 (RFC 8410 3), secp521r1 and
 * secp256k1 (SEC 2), SM2 (GB/T 32918, as OpenSSL names it). */
static const uint8_t OID_DSA[] = { 0x2a, 0x86, 0x48, 0xce, 0x38, 0x04, 0x01 };
static const uint8_t OID_DH_X942[] = { 0x2a, 0x86, 0x48, 0xce, 0x3e, 0x02, 0x01 };
static const uint8_t OID_DH_PKCS3[] = { 0x2a, 0x86, 0x48, 0x86, 0xf7,
					0x0d, 0x01, 0x03, 0x01 };
static const uint8_t OID_X25519[] = { 0x2b, 0x65, 0x6e };
static const uint8_t OID_X448[] = { 0x2b, 0x65, 0x6f };
static const uint8_t OID_ED448[] = { 0x2b, 0x65, 0x71 };
static const uint8_t OID_P521[] = { 0x2b, 0x81, 0x04, 0x00, 0x23 };
static const uint8_t OID_SECP256K1[] = { 0x2b, 0x81, 0x04, 0x00, 0x0a };
static const uint8_t OID_SM2[] = { 0x2a, 0x81, 0x1c, 0xcf, 0x55, 0x01, 0x82, 0x2d };

#define OID_IS(o, ref) wt_der_oid_eq(&(o), (ref), sizeof(ref))

/* The wt_ecp curve and key type named by a namedCurve OID; 0 if neither. */
static uint32_t curve_of(const wt_der *oid, uint32_t *type, uint32_t *bits)
{
	if (wt_der_oid_eq(oid, OID_P256, sizeof OID_P256)) {
		*type = WT_KEY_EC_P256;
		*bits = 256;
		return WT_P256;
	}
	if (wt_der_oid_eq(oid, OID_P384, sizeof OID_P384)) {
		*type = WT_KEY_EC_P384;
		*bits = 384;
		return WT_P384;
	}
	return 0;
}

/* The name of a curve we do not implement (for errors). */
static const char *curve_name(const wt_der *oid)
{
	if (OID_IS(*oid, OID_P521))
		return "EC P-521";
	if (OID_IS(*oid, OID_SECP256K1))
		return "EC secp256k1";
	if (OID_IS(*oid, OID_SM2))
		return "EC SM2";
	return "EC on a curve other than P-256 and P-384";
}

/* The name of a key algorithm we do not implement, NULL if unknown. */
static const char *alg_name(const wt_der *oid)
{
	if (OID_IS(*oid, OID_DSA))
		return "DSA";
	if (OID_IS(*oid, OID_DH_X942) || OID_IS(*oid, OID_DH_PKCS3))
		return "DH";
	if (OID_IS(*oid, OID_X25519))
		return "X25519 (key agreement only, it cannot sign)";
	if (OID_IS(*oid, OID_X448))
		return "X448";
	if (OID_IS(*oid, OID_ED448))
		return "Ed448";
	return "unknown algorithm";
}

/* Key size outside what wt_rsa takes (WT_RSA_MIN_BITS..WT_RSA_MAX_BITS). */
static const char RSA_SIZE[] = "RSA with a modulus outside 2048..4096 bits";

/* Hash ids beyond wt_hash's, for parameters we can name but not use. */
enum { H_SHA1 = 0x100, H_OTHER = 0x101 };

/* A HashAlgorithm inside RSASSA-PSS-params: "implementations MUST accept
 * both" absent and NULL parameters (RFC 4055 2.1). */
static int pss_hash_alg(wt_der *d, uint32_t *hash)
{
	wt_der oid;
	if (wt_der_read_oid(d, &oid))
		return WT_PK_ERR_KEY;
	if (d->len != 0 && (wt_der_read_null(d) || wt_der_end(d)))
		return WT_PK_ERR_KEY;
	*hash = OID_IS(oid, OID_SHA256) ? WT_SHA256 :
		OID_IS(oid, OID_SHA384) ? WT_SHA384 :
		OID_IS(oid, OID_SHA512) ? WT_SHA512 :
		OID_IS(oid, OID_SHA1)   ? H_SHA1 :
					  H_OTHER;
	return WT_PK_OK;
}

/*
 * The parameters of an id-RSASSA-PSS key's AlgorithmIdentifier (alg after
 * the OID). RFC 4055 3.1: in subject public key information "the
 * parameters may be either absent or present"; absent, the key may sign
 * with any hash (*hash = 0); present, they fix the hash and the MGF and a
 * minimum salt length for every signature it makes:
 *
 *   RSASSA-PSS-params ::= SEQUENCE {
 *     hashAlgorithm    [0] HashAlgorithm    DEFAULT sha1,
 *     maskGenAlgorithm [1] MaskGenAlgorithm DEFAULT mgf1SHA1,
 *     saltLength       [2] INTEGER          DEFAULT 20,
 *     trailerField     [3] TrailerField     DEFAULT trailerFieldBC }
 *
 * TLS 1.3 signs with rsa_pss_pss_sha{256,384,512} only: "the mask
 * generation function ... MGF1 ... with the same hash", "The length of
 * the Salt MUST be equal to the length of the digest algorithm" (RFC 8446
 * 4.2.3). A key whose parameters forbid that (SHA-1 or another hash, a
 * different MGF1 hash, a minimum salt longer than the hash, another
 * trailer) is well formed but unusable: WT_PK_ERR_UNSUPPORTED, *why
 * says which. OpenSSL 3.0's `genpkey -algorithm RSA-PSS -pkeyopt
 * rsa_pss_keygen_md:sha256` without rsa_pss_keygen_mgf1_md writes such a
 * key (MGF1 with SHA-1, the DEFAULT).
 */
static int pss_key_params(wt_der *alg, uint32_t *hash, const char **why)
{
	wt_der seq, f, mgf, oid;
	uint32_t h = H_SHA1, mh = H_SHA1, salt = 20, trailer = 1;
	int r;
	*hash = 0;
	if (alg->len == 0)
		return WT_PK_OK;
	if (wt_der_enter_seq(alg, &seq) || wt_der_end(alg))
		return WT_PK_ERR_KEY;
	if ((r = wt_der_read_optional(&seq, WT_DER_CONTEXT(0), &f)) < 0)
		return WT_PK_ERR_KEY;
	if (r == 1) {
		wt_der ha;
		if (wt_der_enter_seq(&f, &ha) || wt_der_end(&f) || pss_hash_alg(&ha, &h))
			return WT_PK_ERR_KEY;
	}
	if ((r = wt_der_read_optional(&seq, WT_DER_CONTEXT(1), &f)) < 0)
		return WT_PK_ERR_KEY;
	if (r == 1) {
		wt_der ha;
		if (wt_der_enter_seq(&f, &mgf) || wt_der_end(&f) ||
		    wt_der_read_oid(&mgf, &oid))
			return WT_PK_ERR_KEY;
		if (!OID_IS(oid, OID_MGF1)) {
			*why = "RSASSA-PSS with a mask generation function other than "
			       "MGF1";
			return WT_PK_ERR_UNSUPPORTED;
		}
		if (wt_der_enter_seq(&mgf, &ha) || wt_der_end(&mgf) ||
		    pss_hash_alg(&ha, &mh))
			return WT_PK_ERR_KEY;
	}
	if ((r = wt_der_read_optional(&seq, WT_DER_CONTEXT(2), &f)) < 0)
		return WT_PK_ERR_KEY;
	if (r == 1 && (wt_der_read_u32(&f, &salt) || wt_der_end(&f)))
		return WT_PK_ERR_KEY;
	if ((r = wt_der_read_optional(&seq, WT_DER_CONTEXT(3), &f)) < 0)
		return WT_PK_ERR_KEY;
	if (r == 1 && (wt_der_read_u32(&f, &trailer) || wt_der_end(&f)))
		return WT_PK_ERR_KEY;
	if (wt_der_end(&seq))
		return WT_PK_ERR_KEY;
	if (h == H_SHA1)
		*why = "RSASSA-PSS restricted to SHA-1";
	else if (h == H_OTHER)
		*why = "RSASSA-PSS restricted to a hash other than SHA-256, SHA-384 and "
		       "SHA-512";
	else if (mh != h)
		*why = "RSASSA-PSS whose MGF1 hash differs from its hash (TLS 1.3 needs "
		       "the same hash)";
	else if (salt > wt_hash_len(h))
		*why = "RSASSA-PSS with a minimum salt length above the hash length (TLS "
		       "1.3 uses salt length = hash length)";
	else if (trailer != 1)
		*why = "RSASSA-PSS with a trailer field other than 1";
	else {
		*hash = h;
		return WT_PK_OK;
	}
	return WT_PK_ERR_UNSUPPORTED;
}

/* wt_rsa's error for a key: the size limits are a "cannot use", the rest
 * is malformed. */
static int rsa_err(int r, const char **why)
{
	if (r == WT_RSA_ERR_KEY_SIZE) {
		*why = RSA_SIZE;
		return WT_PK_ERR_UNSUPPORTED;
	}
	return WT_PK_ERR_KEY;
}

static int spki_parse(wt_pubkey *pk, const uint8_t *der, size_t len, const char **why)
{
	wt_der in, spki, alg, oid, params, key;
	int r;
	memset(pk, 0, sizeof *pk);
	wt_der_init(&in, der, len);
	if (wt_der_enter_seq(&in, &spki) || wt_der_end(&in) ||
	    wt_der_enter_seq(&spki, &alg) || wt_der_read_oid(&alg, &oid))
		return WT_PK_ERR_KEY;
	if (OID_IS(oid, OID_RSA)) {
		/* The RSA parser reads the whole SPKI again (and checks the
		 * NULL parameters and the key size limits). */
		if ((r = wt_rsa_public_from_spki(&pk->u.rsa, der, len)) != 0)
			return rsa_err(r, why);
		pk->type = WT_KEY_RSA;
		pk->bits = pk->u.rsa.bits;
		return WT_PK_OK;
	}
	if (OID_IS(oid, OID_RSA_PSS)) {
		/* RFC 4055 1.2: the subjectPublicKey is an RSAPublicKey, as
		 * for rsaEncryption; only the AlgorithmIdentifier differs. */
		uint32_t hash;
		if ((r = pss_key_params(&alg, &hash, why)) != WT_PK_OK)
			return r;
		if (wt_der_read_bit_string_octets(&spki, &key) || wt_der_end(&spki))
			return WT_PK_ERR_KEY;
		if ((r = wt_rsa_public_from_pkcs1(&pk->u.rsa, key.buf, key.len)) != 0)
			return rsa_err(r, why);
		pk->type = WT_KEY_RSA_PSS;
		pk->bits = pk->u.rsa.bits;
		pk->pss_hash = hash;
		return WT_PK_OK;
	}
	if (OID_IS(oid, OID_EC)) {
		uint32_t curve;
		/* RFC 5480 2.1.1: "implicitCurve and specifiedCurve MUST
		 * NOT be used": only a namedCurve OID. */
		if (wt_der_read_oid(&alg, &params) || wt_der_end(&alg))
			return WT_PK_ERR_KEY;
		curve = curve_of(&params, &pk->type, &pk->bits);
		if (curve == 0) {
			*why = curve_name(&params);
			return WT_PK_ERR_UNSUPPORTED;
		}
		/* RFC 5480 2.2: the point, here uncompressed only (TLS 1.3
		 * and every certificate seen in practice). */
		if (wt_der_read_bit_string_octets(&spki, &key) || wt_der_end(&spki)) {
			pk->type = 0;
			return WT_PK_ERR_KEY;
		}
		/* SEC 1 2.3.3 compressed form (02/03 || X): valid, not ours. */
		if (key.len == 1 + wt_ecp_scalar_len(curve) &&
		    (key.buf[0] == 0x02 || key.buf[0] == 0x03)) {
			pk->type = 0;
			*why = "EC public key in compressed form";
			return WT_PK_ERR_UNSUPPORTED;
		}
		if (key.len != wt_ecp_point_len(curve) ||
		    wt_ecp_point_check(curve, key.buf, key.len) != 0) {
			pk->type = 0;
			return WT_PK_ERR_KEY;
		}
		memcpy(pk->u.ec.point, key.buf, key.len);
		pk->u.ec.len = (uint32_t)key.len;
		return WT_PK_OK;
	}
	if (OID_IS(oid, OID_ED25519)) {
		/* RFC 8410 3: "the parameters MUST be absent". */
		if (wt_der_end(&alg) || wt_der_read_bit_string_octets(&spki, &key) ||
		    wt_der_end(&spki) || key.len != 32)
			return WT_PK_ERR_KEY;
		memcpy(pk->u.ed25519, key.buf, 32);
		pk->type = WT_KEY_ED25519;
		pk->bits = 256;
		return WT_PK_OK;
	}
	*why = alg_name(&oid);
	return WT_PK_ERR_UNSUPPORTED;
}

/* see wt_pk.h */
int wt_pk_spki_type(const uint8_t *der, size_t len, uint32_t *type, uint32_t *pss_hash)
{
	wt_der in, spki, alg, oid, params;
	const char *why = NULL;
	uint32_t bits;
	*type = 0;
	*pss_hash = 0;
	wt_der_init(&in, der, len);
	if (wt_der_enter_seq(&in, &spki) || wt_der_end(&in) ||
	    wt_der_enter_seq(&spki, &alg) || wt_der_read_oid(&alg, &oid))
		return WT_PK_ERR_KEY;
	if (OID_IS(oid, OID_RSA)) {
		*type = WT_KEY_RSA;
		return WT_PK_OK;
	}
	if (OID_IS(oid, OID_RSA_PSS)) {
		int r = pss_key_params(&alg, pss_hash, &why);
		if (r == WT_PK_OK)
			*type = WT_KEY_RSA_PSS;
		return r;
	}
	if (OID_IS(oid, OID_EC)) {
		if (wt_der_read_oid(&alg, &params) || curve_of(&params, type, &bits) == 0)
			return WT_PK_ERR_UNSUPPORTED;
		return WT_PK_OK;
	}
	if (OID_IS(oid, OID_ED25519)) {
		*type = WT_KEY_ED25519;
		return WT_PK_OK;
	}
	return WT_PK_ERR_UNSUPPORTED;
}

int wt_pubkey_from_spki(wt_pubkey *pk, const uint8_t *der, size_t len)
{
	const char *why = NULL;
	int r = spki_parse(pk, der, len, &why);
	if (r != WT_PK_OK)
		memset(pk, 0, sizeof *pk);
	return r;
}

/* RFC 5915 3: ECPrivateKey ::= SEQUENCE { version INTEGER (1), privateKey
 * OCTET STRING, parameters [0] ECParameters OPTIONAL, publicKey [1] BIT
 * STRING OPTIONAL }. curve is known from PKCS#8 (0: take it from [0]). */
static int ec_private(wt_privkey *sk, const uint8_t *der, size_t len, uint32_t curve,
		      const char **why)
{
	wt_der in, seq, d, params, oid;
	uint32_t v;
	int r;
	wt_der_init(&in, der, len);
	if (wt_der_enter_seq(&in, &seq) || wt_der_end(&in) || wt_der_read_u32(&seq, &v) ||
	    v != 1 || wt_der_read_octet_string(&seq, &d))
		return WT_PK_ERR_KEY;
	r = wt_der_read_optional(&seq, WT_DER_CONTEXT(0), &params);
	if (r < 0)
		return WT_PK_ERR_KEY;
	if (r == 1) {
		uint32_t t = 0, b = 0, c;
		if (wt_der_read_oid(&params, &oid) || wt_der_end(&params))
			return WT_PK_ERR_KEY;
		c = curve_of(&oid, &t, &b);
		if (c == 0 && curve == 0) {
			*why = curve_name(&oid);
			return WT_PK_ERR_UNSUPPORTED;
		}
		/* A curve named twice must be the same curve. */
		if (c == 0 || (curve != 0 && c != curve))
			return WT_PK_ERR_KEY;
		curve = c;
	}
	if (curve == WT_P256) {
		sk->type = WT_KEY_EC_P256;
		sk->bits = 256;
	} else if (curve == WT_P384) {
		sk->type = WT_KEY_EC_P384;
		sk->bits = 384;
	} else {
		return WT_PK_ERR_KEY;
	}
	/* The public key [1], if present, is recomputed from d anyway. */
	if (d.len != wt_ecp_scalar_len(curve)) {
		sk->type = 0;
		return WT_PK_ERR_KEY;
	}
	memcpy(sk->u.ec.d, d.buf, d.len);
	{
		uint8_t pub[WT_ECP_MAX_POINT_LEN];
		/* Checks 1 <= d <= n-1. */
		if (wt_ecp_public_key(curve, sk->u.ec.d, pub) != 0) {
			wt_wipe(sk, sizeof *sk);
			return WT_PK_ERR_KEY;
		}
	}
	return WT_PK_OK;
}

static int priv_parse(wt_privkey *sk, const uint8_t *der, size_t len, const char **why)
{
	wt_der in, seq, alg, oid, params, key, inner;
	uint32_t version;
	int r;
	memset(sk, 0, sizeof *sk);
	/* PKCS#1 RSAPrivateKey and SEC 1 ECPrivateKey first: both start
	 * with an INTEGER version like PKCS#8, so try the specific parsers
	 * and fall through on failure. */
	r = wt_rsa_private_from_pkcs1(&sk->u.rsa, der, len);
	if (r == 0) {
		sk->type = WT_KEY_RSA;
		sk->bits = sk->u.rsa.pub.bits;
		return WT_PK_OK;
	}
	if (r == WT_RSA_ERR_KEY_SIZE)
		return rsa_err(r, why);
	r = ec_private(sk, der, len, 0, why);
	if (r == WT_PK_OK || r == WT_PK_ERR_UNSUPPORTED)
		return r;
	memset(sk, 0, sizeof *sk);
	/* PrivateKeyInfo ::= SEQUENCE { version (0, or 1 for RFC 5958),
	 * privateKeyAlgorithm AlgorithmIdentifier, privateKey OCTET STRING,
	 * attributes [0] OPTIONAL, publicKey [1] OPTIONAL } */
	wt_der_init(&in, der, len);
	if (wt_der_enter_seq(&in, &seq) || wt_der_end(&in))
		return WT_PK_ERR_KEY;
	/* EncryptedPrivateKeyInfo (RFC 5958 3) opens with the encryption
	 * AlgorithmIdentifier SEQUENCE where PrivateKeyInfo has its
	 * version. */
	if (wt_der_peek_tag(&seq) == WT_DER_SEQUENCE) {
		*why = "encrypted PKCS #8 (EncryptedPrivateKeyInfo): decrypt it first";
		return WT_PK_ERR_UNSUPPORTED;
	}
	if (wt_der_read_u32(&seq, &version) || version > 1 ||
	    wt_der_enter_seq(&seq, &alg) || wt_der_read_oid(&alg, &oid) ||
	    wt_der_read_octet_string(&seq, &key))
		return WT_PK_ERR_KEY;
	if (OID_IS(oid, OID_RSA)) {
		if ((r = wt_rsa_private_from_pkcs8(&sk->u.rsa, der, len)) != 0)
			return rsa_err(r, why);
		sk->type = WT_KEY_RSA;
		sk->bits = sk->u.rsa.pub.bits;
		return WT_PK_OK;
	}
	if (OID_IS(oid, OID_RSA_PSS)) {
		/* What `openssl genpkey -algorithm RSA-PSS` writes: the
		 * privateKey is an RSAPrivateKey (RFC 8017 A.1.2) as for
		 * rsaEncryption, the AlgorithmIdentifier carries the key's
		 * RSASSA-PSS-params, if any (RFC 4055 3.1). */
		uint32_t hash;
		wt_der rest;
		if ((r = pss_key_params(&alg, &hash, why)) != WT_PK_OK)
			return r;
		/* attributes [0] and (version 1) publicKey [1], unused */
		if (wt_der_read_optional(&seq, WT_DER_CONTEXT(0), &rest) < 0 ||
		    (version == 1 &&
		     wt_der_read_optional(&seq, WT_DER_CONTEXT_PRIM(1), &rest) < 0) ||
		    wt_der_end(&seq))
			return WT_PK_ERR_KEY;
		if ((r = wt_rsa_private_from_pkcs1(&sk->u.rsa, key.buf, key.len)) != 0)
			return rsa_err(r, why);
		sk->type = WT_KEY_RSA_PSS;
		sk->bits = sk->u.rsa.pub.bits;
		sk->pss_hash = hash;
		return WT_PK_OK;
	}
	if (OID_IS(oid, OID_EC)) {
		uint32_t t, b, curve;
		if (wt_der_peek_tag(&alg) == WT_DER_SEQUENCE) {
			*why = "EC with explicit curve parameters";
			return WT_PK_ERR_UNSUPPORTED;
		}
		if (wt_der_read_oid(&alg, &params) || wt_der_end(&alg))
			return WT_PK_ERR_KEY;
		curve = curve_of(&params, &t, &b);
		if (curve == 0) {
			*why = curve_name(&params);
			return WT_PK_ERR_UNSUPPORTED;
		}
		return ec_private(sk, key.buf, key.len, curve, why);
	}
	if (OID_IS(oid, OID_ED25519)) {
		/* RFC 8410 7: privateKey holds CurvePrivateKey ::= OCTET
		 * STRING, the 32-byte seed. */
		if (wt_der_end(&alg) || wt_der_read_octet_string(&key, &inner) ||
		    wt_der_end(&key) || inner.len != 32)
			return WT_PK_ERR_KEY;
		wt_ed25519_key_from_seed(&sk->u.ed25519, inner.buf);
		sk->type = WT_KEY_ED25519;
		sk->bits = 256;
		return WT_PK_OK;
	}
	*why = alg_name(&oid);
	return WT_PK_ERR_UNSUPPORTED;
}

int wt_privkey_from_der(wt_privkey *sk, const uint8_t *der, size_t len)
{
	const char *why = NULL;
	int r = priv_parse(sk, der, len, &why);
	if (r != WT_PK_OK)
		wt_wipe(sk, sizeof *sk);
	return r;
}

/* see wt_pk.h */
const char *wt_pk_key_error(const uint8_t *der, size_t len, int priv)
{
	const char *why = NULL;
	int r;
	if (priv) {
		wt_privkey sk;
		r = priv_parse(&sk, der, len, &why);
		wt_wipe(&sk, sizeof sk);
	} else {
		wt_pubkey pk;
		r = spki_parse(&pk, der, len, &why);
	}
	return r == WT_PK_ERR_UNSUPPORTED ? why : NULL;
}
