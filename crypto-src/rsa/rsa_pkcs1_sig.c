/*
 * rsa_pkcs1_sig.c: RSASSA-PKCS1-v1_5 (RFC 8017 8.2) with SHA-256/384/512
 * (see wt_rsa.h). Verification re-encodes and compares the whole encoded
 * message (RFC 8017 8.2.2 step 3-4), so no parser of the recovered
 * padding or DigestInfo exists to get wrong (Bleichenbacher's 2006
 * e = 3 forgery exploited lax parsers of exactly that).
 */
#include "inner.h"
#include "wt_hash.h"
#include "wt_rsa.h"
#include "rsa/rsa_inner.h"

/* DER of DigestInfo ::= SEQUENCE { SEQUENCE { OID, NULL }, OCTET STRING }
 * up to the digest, RFC 8017 9.2 note 1. */
static const uint8_t DI_SHA256[] = { 0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60,
				     0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
				     0x01, 0x05, 0x00, 0x04, 0x20 };
static const uint8_t DI_SHA384[] = { 0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60,
				     0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
				     0x02, 0x05, 0x00, 0x04, 0x30 };
static const uint8_t DI_SHA512[] = { 0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60,
				     0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
				     0x03, 0x05, 0x00, 0x04, 0x40 };

/* EMSA-PKCS1-v1_5-ENCODE (RFC 8017 9.2) of a digest into em[0..emlen):
 *   EM = 0x00 || 0x01 || PS (0xff, at least 8) || 0x00 || DigestInfo */
static int emsa_pkcs1_encode(uint32_t hash_id, const uint8_t *digest, size_t dlen,
			     uint8_t *em, size_t emlen)
{
	const uint8_t *di;
	size_t dil = sizeof DI_SHA256, tlen;
	switch (hash_id) {
	case WT_SHA256: di = DI_SHA256; break;
	case WT_SHA384: di = DI_SHA384; break;
	case WT_SHA512: di = DI_SHA512; break;
	default: return WT_RSA_ERR_HASH;
	}
	if (dlen != wt_hash_len(hash_id))
		return WT_RSA_ERR_HASH;
	tlen = dil + dlen;
	/* step 3: "If emLen < tLen + 11, output 'intended encoded message
	 * length too short'" (cannot happen from 2048 bits up) */
	if (emlen < tlen + 11)
		return WT_RSA_ERR_KEY_SIZE;
	em[0] = 0x00;
	em[1] = 0x01;
	memset(em + 2, 0xff, emlen - tlen - 3);
	em[emlen - tlen - 1] = 0x00;
	memcpy(em + emlen - tlen, di, dil);
	memcpy(em + emlen - dlen, digest, dlen);
	return 0;
}

/* see wt_rsa.h */
int wt_rsa_verify_pkcs1(const wt_rsa_public_key *k, uint32_t hash_id,
			const uint8_t *digest, size_t digestlen, const uint8_t *sig,
			size_t siglen)
{
	uint8_t em[WT_RSA_MAX_LEN], want[WT_RSA_MAX_LEN];
	int r = emsa_pkcs1_encode(hash_id, digest, digestlen, want, k->len);
	if (r != 0)
		return r;
	if (!wt_rsa_public_op(k, sig, siglen, em))
		return 0;
	return (int)wt_ct_eq(em, want, k->len);
}

/* see wt_rsa.h */
int wt_rsa_sign_pkcs1(const wt_rsa_private_key *k, uint32_t hash_id,
		      const uint8_t *digest, size_t digestlen, uint8_t *sig,
		      size_t sigcap)
{
	uint8_t em[WT_RSA_MAX_LEN];
	int r;
	if (sigcap < k->pub.len)
		return WT_RSA_ERR_BUFFER;
	r = emsa_pkcs1_encode(hash_id, digest, digestlen, em, k->pub.len);
	if (r != 0)
		return r;
	r = wt_rsa_private_op(k, em, sig);
	/* r is 0 or WT_RSA_ERR_FAULT; select without a branch */
	return wt_rsa_select_result(r, k->pub.len);
}
