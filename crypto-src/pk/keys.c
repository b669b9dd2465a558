/*
 * keys.c: public keys from SubjectPublicKeyInfo and private keys from the
 * DER forms servers are configured with (see wt_pk.h). Parsing runs on
 * public structure; the private scalars are copied, never branched on.
 *
 *   SubjectPublicKeyInfo  RFC 5280 4.1.2.7
 *   rsaEncryption         RFC 3279 2.3.1 (parameters NULL)
 *   id-ecPublicKey        RFC 5480 2.1.1 (namedCurve only), 2.2 (point)
 *   id-Ed25519            RFC 8410 3 (parameters absent), 7 (private key)
 *   ECPrivateKey          RFC 5915 3
 *   PrivateKeyInfo        RFC 5208 5 / OneAsymmetricKey RFC 5958 2
 */
#include "inner.h"
#include "wt_der.h"
#include "wt_ec25519.h"
#include "wt_ecp.h"
#include "wt_pk.h"

/* OID contents octets */
static const uint8_t OID_RSA[] = { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01 };
static const uint8_t OID_EC[] = { 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01 };
static const uint8_t OID_P256[] = { 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07 };
static const uint8_t OID_P384[] = { 0x2b, 0x81, 0x04, 0x00, 0x22 };
static const uint8_t OID_ED25519[] = { 0x2b, 0x65, 0x70 };

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

int wt_pubkey_from_spki(wt_pubkey *pk, const uint8_t *der, size_t len)
{
	wt_der in, spki, alg, oid, params, key;
	memset(pk, 0, sizeof *pk);
	wt_der_init(&in, der, len);
	if (wt_der_enter_seq(&in, &spki) || wt_der_end(&in) ||
	    wt_der_enter_seq(&spki, &alg) || wt_der_read_oid(&alg, &oid))
		return WT_PK_ERR_KEY;
	if (OID_IS(oid, OID_RSA)) {
		/* The RSA parser reads the whole SPKI again (and checks the
		 * NULL parameters and the key size limits). */
		if (wt_rsa_public_from_spki(&pk->u.rsa, der, len) != 0)
			return WT_PK_ERR_KEY;
		pk->type = WT_KEY_RSA;
		pk->bits = pk->u.rsa.bits;
		return WT_PK_OK;
	}
	if (OID_IS(oid, OID_EC)) {
		uint32_t curve;
		/* RFC 5480 2.1.1: "implicitCurve and specifiedCurve MUST
		 * NOT be used": only a namedCurve OID. */
		if (wt_der_read_oid(&alg, &params) || wt_der_end(&alg))
			return WT_PK_ERR_KEY;
		curve = curve_of(&params, &pk->type, &pk->bits);
		if (curve == 0)
			return WT_PK_ERR_KEY;
		/* RFC 5480 2.2: the point, here uncompressed only (TLS 1.3
		 * and every certificate seen in practice). */
		if (wt_der_read_bit_string_octets(&spki, &key) || wt_der_end(&spki) ||
		    key.len != wt_ecp_point_len(curve) ||
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
	return WT_PK_ERR_KEY;
}

/* RFC 5915 3: ECPrivateKey ::= SEQUENCE { version INTEGER (1), privateKey
 * OCTET STRING, parameters [0] ECParameters OPTIONAL, publicKey [1] BIT
 * STRING OPTIONAL }. curve is known from PKCS#8 (0: take it from [0]). */
static int ec_private(wt_privkey *sk, const uint8_t *der, size_t len,
	uint32_t curve)
{
	wt_der in, seq, d, params, oid;
	uint32_t v;
	int r;
	wt_der_init(&in, der, len);
	if (wt_der_enter_seq(&in, &seq) || wt_der_end(&in) ||
	    wt_der_read_u32(&seq, &v) || v != 1 ||
	    wt_der_read_octet_string(&seq, &d))
		return WT_PK_ERR_KEY;
	r = wt_der_read_optional(&seq, WT_DER_CONTEXT(0), &params);
	if (r < 0)
		return WT_PK_ERR_KEY;
	if (r == 1) {
		uint32_t t = 0, b = 0, c;
		if (wt_der_read_oid(&params, &oid) || wt_der_end(&params))
			return WT_PK_ERR_KEY;
		c = curve_of(&oid, &t, &b);
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

int wt_privkey_from_der(wt_privkey *sk, const uint8_t *der, size_t len)
{
	wt_der in, seq, alg, oid, params, key, inner;
	uint32_t version;
	memset(sk, 0, sizeof *sk);
	/* PKCS#1 RSAPrivateKey and SEC 1 ECPrivateKey first: both start
	 * with an INTEGER version like PKCS#8, so try the specific parsers
	 * and fall through on failure. */
	if (wt_rsa_private_from_pkcs1(&sk->u.rsa, der, len) == 0) {
		sk->type = WT_KEY_RSA;
		sk->bits = sk->u.rsa.pub.bits;
		return WT_PK_OK;
	}
	if (ec_private(sk, der, len, 0) == WT_PK_OK)
		return WT_PK_OK;
	memset(sk, 0, sizeof *sk);
	/* PrivateKeyInfo ::= SEQUENCE { version (0, or 1 for RFC 5958),
	 * privateKeyAlgorithm AlgorithmIdentifier, privateKey OCTET STRING,
	 * attributes [0] OPTIONAL, publicKey [1] OPTIONAL } */
	wt_der_init(&in, der, len);
	if (wt_der_enter_seq(&in, &seq) || wt_der_end(&in) ||
	    wt_der_read_u32(&seq, &version) || version > 1 ||
	    wt_der_enter_seq(&seq, &alg) || wt_der_read_oid(&alg, &oid) ||
	    wt_der_read_octet_string(&seq, &key))
		return WT_PK_ERR_KEY;
	if (OID_IS(oid, OID_RSA)) {
		if (wt_rsa_private_from_pkcs8(&sk->u.rsa, der, len) != 0)
			return WT_PK_ERR_KEY;
		sk->type = WT_KEY_RSA;
		sk->bits = sk->u.rsa.pub.bits;
		return WT_PK_OK;
	}
	if (OID_IS(oid, OID_EC)) {
		uint32_t t, b, curve;
		if (wt_der_read_oid(&alg, &params) || wt_der_end(&alg))
			return WT_PK_ERR_KEY;
		curve = curve_of(&params, &t, &b);
		if (curve == 0)
			return WT_PK_ERR_KEY;
		return ec_private(sk, key.buf, key.len, curve);
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
	return WT_PK_ERR_KEY;
}
