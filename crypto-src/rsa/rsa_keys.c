/*
 * rsa_keys.c: RSA key parsing (see wt_rsa.h) from PKCS #1, SPKI and PKCS #8
 * DER, and from PEM, through the strict reader of wt_der.h.
 *
 * The DER structure is public (its lengths and tags are visible in the
 * file anyway) and parsed with branches. The private values are decoded
 * into limbs and checked (dp < p, dq < q, qinv < p, n = p*q) with the
 * constant-time helpers of wt_i32.h, combining every check into one flag
 * that is looked at once: whether a key is well formed is public.
 */
#include "inner.h"
#include "int/wt_i32.h"
#include "wt_der.h"
#include "wt_pem.h"
#include "wt_rsa.h"

/* rsaEncryption, 1.2.840.113549.1.1.1 (RFC 8017 A.1), contents octets */
static const uint8_t OID_RSA[] = { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01 };

/* Bit length of a big-endian magnitude with no leading zero octet
 * (public values only: branches). */
static uint32_t mag_bits(const uint8_t *m, size_t len)
{
	uint32_t b = 0, top;
	if (len == 0)
		return 0;
	for (top = m[0]; top != 0; top >>= 1)
		b++;
	return (uint32_t)(8 * (len - 1)) + b;
}

/* Fill a public key from the modulus and exponent magnitudes. */
static int set_public(wt_rsa_public_key *k, const uint8_t *n, size_t nlen,
		      const uint8_t *e, size_t elen)
{
	uint32_t bits = mag_bits(n, nlen), ebits = mag_bits(e, elen);
	memset(k, 0, sizeof *k);
	if (bits < WT_RSA_MIN_BITS || bits > WT_RSA_MAX_BITS)
		return WT_RSA_ERR_KEY_SIZE;
	/* n odd (a product of odd primes; Montgomery needs it); e odd, at
	 * least 3 (RFC 8017 3.1: 3 <= e <= n - 1) */
	if ((n[nlen - 1] & 1) == 0 || ebits < 2 || (e[elen - 1] & 1) == 0 || ebits > bits)
		return WT_RSA_ERR_KEY;
	k->bits = bits;
	k->len = (bits + 7) / 8;
	k->limbs = (bits + 31) / 32;
	k->elimbs = (ebits + 31) / 32;
	wt_i32_decode(k->n, k->limbs, n, nlen);
	wt_i32_decode(k->e, k->limbs, e, elen);
	if (!wt_i32_lt(k->e, k->n, k->limbs)) {
		memset(k, 0, sizeof *k);
		return WT_RSA_ERR_KEY;
	}
	k->n0i = wt_i32_ninv32(k->n[0]);
	wt_i32_mont_r2(k->r2, k->n, k->limbs, k->n0i);
	return 0;
}

/* AlgorithmIdentifier { rsaEncryption, NULL } (RFC 3279 2.3.1: "the
 * parameters component of that type SHALL be the ASN.1 type NULL"). */
static int read_rsa_alg(wt_der *d)
{
	wt_der alg, oid;
	int r;
	if ((r = wt_der_enter_seq(d, &alg)) != 0 ||
	    (r = wt_der_read_oid(&alg, &oid)) != 0)
		return r;
	if (!wt_der_oid_eq(&oid, OID_RSA, sizeof OID_RSA))
		return WT_RSA_ERR_OID;
	if ((r = wt_der_read_null(&alg)) != 0)
		return r;
	return wt_der_end(&alg);
}

/* see wt_rsa.h */
int wt_rsa_public_from_pkcs1(wt_rsa_public_key *k, const uint8_t *der, size_t len)
{
	wt_der in, seq;
	const uint8_t *n, *e;
	size_t nlen, elen;
	int r;
	wt_der_init(&in, der, len);
	if ((r = wt_der_enter_seq(&in, &seq)) != 0 || (r = wt_der_end(&in)) != 0 ||
	    (r = wt_der_read_uint(&seq, &n, &nlen)) != 0 ||
	    (r = wt_der_read_uint(&seq, &e, &elen)) != 0 || (r = wt_der_end(&seq)) != 0)
		return r;
	return set_public(k, n, nlen, e, elen);
}

/* see wt_rsa.h */
int wt_rsa_public_from_spki(wt_rsa_public_key *k, const uint8_t *der, size_t len)
{
	wt_der in, seq, key;
	int r;
	wt_der_init(&in, der, len);
	if ((r = wt_der_enter_seq(&in, &seq)) != 0 || (r = wt_der_end(&in)) != 0 ||
	    (r = read_rsa_alg(&seq)) != 0 ||
	    (r = wt_der_read_bit_string_octets(&seq, &key)) != 0 ||
	    (r = wt_der_end(&seq)) != 0)
		return r;
	return wt_rsa_public_from_pkcs1(k, key.buf, key.len);
}

/* see wt_rsa.h */
int wt_rsa_public_from_der(wt_rsa_public_key *k, const uint8_t *der, size_t len)
{
	/* SPKI opens with the AlgorithmIdentifier SEQUENCE, RSAPublicKey
	 * with the modulus INTEGER. */
	wt_der in, seq;
	int r;
	wt_der_init(&in, der, len);
	if ((r = wt_der_enter_seq(&in, &seq)) != 0)
		return r;
	if (wt_der_peek_tag(&seq) == WT_DER_SEQUENCE)
		return wt_rsa_public_from_spki(k, der, len);
	return wt_rsa_public_from_pkcs1(k, der, len);
}

/* Decode a secret magnitude into exactly len limbs; 1 if it fits. */
static uint32_t get_secret(uint32_t *x, size_t len, const uint8_t *m, size_t mlen)
{
	return wt_i32_decode(x, len, m, mlen);
}

/* see wt_rsa.h */
int wt_rsa_private_from_pkcs1(wt_rsa_private_key *k, const uint8_t *der, size_t len)
{
	/* RSAPrivateKey ::= SEQUENCE { version, modulus, publicExponent,
	 *   privateExponent, prime1, prime2, exponent1, exponent2,
	 *   coefficient, otherPrimeInfos OPTIONAL } (RFC 8017 A.1.2) */
	wt_der in, seq;
	const uint8_t *v[8];
	size_t vl[8];
	uint32_t version, pbits, qbits, ok;
	uint32_t prod[2 * WT_RSA_MAX_PLIMBS];
	size_t i, lp, lq, ln;
	int r;

	memset(k, 0, sizeof *k);
	wt_der_init(&in, der, len);
	if ((r = wt_der_enter_seq(&in, &seq)) != 0 || (r = wt_der_end(&in)) != 0 ||
	    (r = wt_der_read_u32(&seq, &version)) != 0)
		return r;
	/* Version 1 (multi) announces otherPrimeInfos: two primes only. */
	if (version != 0)
		return WT_RSA_ERR_VERSION;
	for (i = 0; i < 8; i++)
		if ((r = wt_der_read_uint(&seq, &v[i], &vl[i])) != 0)
			return r;
	if ((r = wt_der_end(&seq)) != 0)
		return r;
	if ((r = set_public(&k->pub, v[0], vl[0], v[1], vl[1])) != 0)
		return r;
	/* v[2] = d is parsed (it must be a well-formed INTEGER) but unused:
	 * the CRT values replace it. */
	pbits = mag_bits(v[3], vl[3]);
	qbits = mag_bits(v[4], vl[4]);
	if (pbits < 2 || qbits < 2 || pbits > 32 * WT_RSA_MAX_PLIMBS ||
	    qbits > 32 * WT_RSA_MAX_PLIMBS) {
		memset(k, 0, sizeof *k);
		return WT_RSA_ERR_KEY;
	}
	lp = k->plimbs = (pbits + 31) / 32;
	lq = k->qlimbs = (qbits + 31) / 32;
	ln = k->pub.limbs;
	ok = get_secret(k->p, lp, v[3], vl[3]);
	ok &= get_secret(k->q, lq, v[4], vl[4]);
	ok &= get_secret(k->dp, lp, v[5], vl[5]);
	ok &= get_secret(k->dq, lq, v[6], vl[6]);
	ok &= get_secret(k->qinv, lp, v[7], vl[7]);
	/* p, q odd (Montgomery); exponents and coefficient reduced (the
	 * CRT code relies on qinv < p) */
	ok &= k->p[0] & k->q[0] & 1;
	ok &= wt_i32_lt(k->dp, k->p, lp) & wt_i32_lt(k->dq, k->q, lq);
	ok &= wt_i32_lt(k->qinv, k->p, lp);
	/* n = p * q (RFC 8017 3.2); the product has lp + lq >= ln limbs */
	wt_i32_mul(prod, k->p, lp, k->q, lq);
	if (lp + lq < ln) {
		ok = 0;
	} else {
		ok &= wt_i32_eq(prod, k->pub.n, ln);
		ok &= wt_i32_iszero(prod + ln, lp + lq - ln);
	}
	wt_wipe(prod, sizeof prod);
	if (!WT_DECLASSIFY(ok)) {
		wt_wipe(k, sizeof *k);
		return WT_RSA_ERR_KEY;
	}
	k->p0i = wt_i32_ninv32(k->p[0]);
	k->q0i = wt_i32_ninv32(k->q[0]);
	wt_i32_mont_r2(k->r2p, k->p, lp, k->p0i);
	wt_i32_mont_r2(k->r2q, k->q, lq, k->q0i);
	return 0;
}

/* see wt_rsa.h */
int wt_rsa_private_from_pkcs8(wt_rsa_private_key *k, const uint8_t *der, size_t len)
{
	/* PrivateKeyInfo ::= SEQUENCE { version, privateKeyAlgorithm,
	 *   privateKey OCTET STRING, attributes [0] IMPLICIT OPTIONAL }
	 * (RFC 5208 5); OneAsymmetricKey (RFC 5958 2) adds version 1 and
	 * publicKey [1] IMPLICIT BIT STRING OPTIONAL. */
	wt_der in, seq, key, skip;
	uint32_t version;
	int r;
	wt_der_init(&in, der, len);
	if ((r = wt_der_enter_seq(&in, &seq)) != 0 || (r = wt_der_end(&in)) != 0 ||
	    (r = wt_der_read_u32(&seq, &version)) != 0)
		return r;
	if (version > 1)
		return WT_RSA_ERR_VERSION;
	if ((r = read_rsa_alg(&seq)) != 0 ||
	    (r = wt_der_read_octet_string(&seq, &key)) != 0)
		return r;
	if ((r = wt_der_read_optional(&seq, WT_DER_CONTEXT(0), &skip)) < 0)
		return r;
	if (version == 1 &&
	    (r = wt_der_read_optional(&seq, WT_DER_CONTEXT_PRIM(1), &skip)) < 0)
		return r;
	if ((r = wt_der_end(&seq)) != 0)
		return r;
	return wt_rsa_private_from_pkcs1(k, key.buf, key.len);
}

/* see wt_rsa.h */
int wt_rsa_private_from_der(wt_rsa_private_key *k, const uint8_t *der, size_t len)
{
	/* Both open with a version INTEGER; then PKCS #8 has the
	 * AlgorithmIdentifier SEQUENCE, PKCS #1 the modulus INTEGER. */
	wt_der in, seq;
	int r;
	wt_der_init(&in, der, len);
	if ((r = wt_der_enter_seq(&in, &seq)) != 0 || (r = wt_der_skip(&seq)) != 0)
		return r;
	if (wt_der_peek_tag(&seq) == WT_DER_SEQUENCE)
		return wt_rsa_private_from_pkcs8(k, der, len);
	return wt_rsa_private_from_pkcs1(k, der, len);
}

/* Largest DER we accept through PEM: a 4096-bit PKCS #8 private key is
 * about 2,400 bytes. */
#define PEM_DER_MAX 4096

/* see wt_rsa.h */
int wt_rsa_public_from_pem(wt_rsa_public_key *k, const char *pem, size_t len)
{
	uint8_t der[PEM_DER_MAX];
	wt_pem_block b;
	int r = wt_pem_decode(pem, len, der, sizeof der, &b);
	if (r == WT_PEM_ERR_BUFFER)
		return WT_RSA_ERR_KEY_SIZE;
	if (r != 0)
		return r;
	if (strcmp(b.label, "RSA PUBLIC KEY") == 0)
		return wt_rsa_public_from_pkcs1(k, der, b.der_len);
	if (strcmp(b.label, "PUBLIC KEY") == 0)
		return wt_rsa_public_from_spki(k, der, b.der_len);
	return WT_RSA_ERR_PEM_LABEL;
}

/* see wt_rsa.h */
int wt_rsa_private_from_pem(wt_rsa_private_key *k, const char *pem, size_t len)
{
	uint8_t der[PEM_DER_MAX];
	wt_pem_block b;
	int r = wt_pem_decode(pem, len, der, sizeof der, &b);
	if (r == 0) {
		if (strcmp(b.label, "RSA PRIVATE KEY") == 0)
			r = wt_rsa_private_from_pkcs1(k, der, b.der_len);
		else if (strcmp(b.label, "PRIVATE KEY") == 0)
			r = wt_rsa_private_from_pkcs8(k, der, b.der_len);
		else
			r = WT_RSA_ERR_PEM_LABEL;
	} else if (r == WT_PEM_ERR_BUFFER) {
		r = WT_RSA_ERR_KEY_SIZE;
	}
	wt_wipe(der, sizeof der);
	return r;
}
