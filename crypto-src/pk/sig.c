/*
 * sig.c: signatures by TLS SignatureScheme (RFC 8446 4.2.3; see wt_pk.h).
 *
 *   ecdsa_secp256r1_sha256 / ecdsa_secp384r1_sha384: DER ECDSA-Sig-Value
 *       (RFC 8446 4.2.3 "as a DER-encoded ECDSA-Sig-Value structure")
 *   rsa_pss_rsae_*: RSASSA-PSS, MGF1 with the same hash, "the length of the
 *       Salt MUST be equal to the length of the digest algorithm output"
 *   rsa_pkcs1_*: RSASSA-PKCS1-v1_5 (certificates only in TLS 1.3; the
 *       caller refuses it in CertificateVerify)
 *   rsa_pss_pss_*: the same RSASSA-PSS, for id-RSASSA-PSS keys only;
 *       rsa_pss_rsae_* and rsa_pkcs1_* never fit such a key (RFC 8446
 *       4.2.3), and a key whose parameters name a hash fits only the
 *       scheme of that hash (RFC 4055 3.1)
 *   ed25519: PureEdDSA, RFC 8032
 */
#include "inner.h"
#include "wt_ec25519.h"
#include "wt_ecp.h"
#include "wt_hash.h"
#include "wt_pk.h"

typedef struct {
	uint32_t scheme;
	uint32_t keytype; /* WT_KEY_* */
	uint32_t hash;    /* wt_hash id; 0 for Ed25519 (hashes internally) */
	uint32_t rsa_pad; /* WT_RSA_PKCS1 / WT_RSA_PSS for RSA schemes */
} scheme_info;

static const scheme_info SCHEMES[] = {
	{ WT_SIG_ECDSA_SECP256R1_SHA256, WT_KEY_EC_P256, WT_SHA256, 0 },
	{ WT_SIG_ECDSA_SECP384R1_SHA384, WT_KEY_EC_P384, WT_SHA384, 0 },
	{ WT_SIG_RSA_PSS_RSAE_SHA256, WT_KEY_RSA, WT_SHA256, WT_RSA_PSS },
	{ WT_SIG_RSA_PSS_RSAE_SHA384, WT_KEY_RSA, WT_SHA384, WT_RSA_PSS },
	{ WT_SIG_RSA_PSS_RSAE_SHA512, WT_KEY_RSA, WT_SHA512, WT_RSA_PSS },
	{ WT_SIG_RSA_PKCS1_SHA256, WT_KEY_RSA, WT_SHA256, WT_RSA_PKCS1 },
	{ WT_SIG_RSA_PKCS1_SHA384, WT_KEY_RSA, WT_SHA384, WT_RSA_PKCS1 },
	{ WT_SIG_RSA_PKCS1_SHA512, WT_KEY_RSA, WT_SHA512, WT_RSA_PKCS1 },
	{ WT_SIG_ED25519, WT_KEY_ED25519, 0, 0 },
	{ WT_SIG_RSA_PSS_PSS_SHA256, WT_KEY_RSA_PSS, WT_SHA256, WT_RSA_PSS },
	{ WT_SIG_RSA_PSS_PSS_SHA384, WT_KEY_RSA_PSS, WT_SHA384, WT_RSA_PSS },
	{ WT_SIG_RSA_PSS_PSS_SHA512, WT_KEY_RSA_PSS, WT_SHA512, WT_RSA_PSS },
};

static const scheme_info *find(uint32_t scheme)
{
	size_t i;
	for (i = 0; i < sizeof SCHEMES / sizeof SCHEMES[0]; i++)
		if (SCHEMES[i].scheme == scheme)
			return &SCHEMES[i];
	return NULL;
}

int wt_sig_scheme_fits(uint32_t scheme, uint32_t keytype, uint32_t bits)
{
	const scheme_info *s = find(scheme);
	if (s == NULL || s->keytype != keytype)
		return 0;
	/* RFC 8017 9.1.1: PSS needs emLen >= hLen + sLen + 2; with sLen =
	 * hLen that is 2*64+2 bytes for SHA-512, which every 2048-bit or
	 * larger modulus (the parser's minimum) satisfies. */
	(void)bits;
	return 1;
}

/* The scheme's entry if it fits a key of this type whose PSS parameters
 * (if any) name pss_hash; NULL otherwise. */
static const scheme_info *fits(uint32_t scheme, uint32_t type, uint32_t bits,
			       uint32_t pss_hash)
{
	const scheme_info *s = find(scheme);
	if (s == NULL || !wt_sig_scheme_fits(scheme, type, bits))
		return NULL;
	/* RFC 4055 3.1: parameters in the key restrict every signature it
	 * makes to their hash (and MGF1 with it: the key parser took only
	 * keys whose MGF1 hash is the hash). */
	if (type == WT_KEY_RSA_PSS && pss_hash != 0 && pss_hash != s->hash)
		return NULL;
	return s;
}

/* see wt_pk.h */
int wt_sig_type_fits(uint32_t scheme, uint32_t type, uint32_t pss_hash)
{
	return fits(scheme, type, 0, pss_hash) != NULL;
}

/* see wt_pk.h */
int wt_sig_pubkey_fits(uint32_t scheme, const wt_pubkey *pk)
{
	return fits(scheme, pk->type, pk->bits, pk->pss_hash) != NULL;
}

/* see wt_pk.h */
int wt_sig_privkey_fits(uint32_t scheme, const wt_privkey *sk)
{
	return fits(scheme, sk->type, sk->bits, sk->pss_hash) != NULL;
}

static int is_rsa(uint32_t keytype)
{
	return keytype == WT_KEY_RSA || keytype == WT_KEY_RSA_PSS;
}

static uint32_t ecp_curve(uint32_t keytype)
{
	return keytype == WT_KEY_EC_P256 ? WT_P256 : WT_P384;
}

int wt_sig_verify(const wt_pubkey *pk, uint32_t scheme, const uint8_t *msg, size_t msglen,
		  const uint8_t *sig, size_t siglen)
{
	const scheme_info *s = find(scheme);
	uint8_t digest[WT_HASH_MAX_LEN];
	size_t hl;
	int ok = 0;
	if (s == NULL)
		return WT_PK_ERR_ARG;
	if (fits(scheme, pk->type, pk->bits, pk->pss_hash) == NULL)
		return WT_PK_ERR_MISMATCH;
	if (s->keytype == WT_KEY_ED25519) {
		if (siglen != 64)
			return WT_PK_ERR_SIG;
		return wt_ed25519_verify(pk->u.ed25519, msg, msglen, sig) == 1 ?
			WT_PK_OK :
			WT_PK_ERR_SIG;
	}
	hl = wt_hash_len(s->hash);
	wt_hash(s->hash, msg, msglen, digest);
	if (is_rsa(s->keytype)) {
		if (s->rsa_pad == WT_RSA_PSS)
			ok = wt_rsa_verify_pss(&pk->u.rsa, s->hash, hl, digest, hl, sig,
					       siglen) == 1;
		else
			ok = wt_rsa_verify_pkcs1(&pk->u.rsa, s->hash, digest, hl, sig,
						 siglen) == 1;
	} else {
		uint8_t raw[WT_ECP_MAX_SIG_LEN];
		uint32_t curve = ecp_curve(s->keytype);
		ok = wt_ecdsa_sig_from_der(curve, sig, siglen, raw) == 0 &&
			wt_ecdsa_verify_digest(curve, pk->u.ec.point, pk->u.ec.len,
					       digest, hl, raw) == 0;
	}
	return ok ? WT_PK_OK : WT_PK_ERR_SIG;
}

int wt_sig_sign(const wt_privkey *sk, uint32_t scheme, const uint8_t *msg, size_t msglen,
		uint8_t *sig, size_t *siglen)
{
	const scheme_info *s = find(scheme);
	uint8_t digest[WT_HASH_MAX_LEN];
	size_t hl;
	int r = WT_PK_ERR_ARG;
	*siglen = 0;
	if (s == NULL)
		return WT_PK_ERR_ARG;
	if (fits(scheme, sk->type, sk->bits, sk->pss_hash) == NULL)
		return WT_PK_ERR_MISMATCH;
	if (s->keytype == WT_KEY_ED25519) {
		wt_ed25519_sign_key(sig, &sk->u.ed25519, msg, msglen);
		*siglen = 64;
		return WT_PK_OK;
	}
	hl = wt_hash_len(s->hash);
	wt_hash(s->hash, msg, msglen, digest);
	if (is_rsa(s->keytype)) {
		int n = s->rsa_pad == WT_RSA_PSS ?
			wt_rsa_sign_pss(&sk->u.rsa, s->hash, hl, digest, hl, sig,
					WT_SIG_MAX) :
			wt_rsa_sign_pkcs1(&sk->u.rsa, s->hash, digest, hl, sig,
					  WT_SIG_MAX);
		if (n > 0) {
			*siglen = (size_t)n;
			r = WT_PK_OK;
		}
	} else {
		uint8_t raw[WT_ECP_MAX_SIG_LEN];
		uint32_t curve = ecp_curve(s->keytype);
		if (wt_ecdsa_sign_digest(curve, s->hash, sk->u.ec.d, digest, raw) == 0 &&
		    wt_ecdsa_sig_to_der(curve, raw, sig, siglen) == 0)
			r = WT_PK_OK;
		else
			*siglen = 0;
	}
	wt_wipe(digest, sizeof digest);
	return r;
}

/* ---- TLS 1.2 (RFC 5246 7.4.1.4.1) ---------------------------------------- *
 * In TLS 1.2 a SignatureAndHashAlgorithm {sha256, ecdsa} names the hash
 * only: the curve is the certificate's (RFC 8422 5.4 sends ECDSA
 * signatures "using the hash named"), so ecdsa_secp256r1_sha256 signed
 * with a P-384 key is valid there. The TLS 1.3 code points keep their
 * meaning for every other scheme. */

static int is_ecdsa_scheme(uint32_t scheme)
{
	return scheme == WT_SIG_ECDSA_SECP256R1_SHA256 ||
		scheme == WT_SIG_ECDSA_SECP384R1_SHA384;
}

static int is_ec_key(uint32_t type)
{
	return type == WT_KEY_EC_P256 || type == WT_KEY_EC_P384;
}

uint32_t wt_sig_scheme_hash(uint32_t scheme)
{
	const scheme_info *s = find(scheme);
	return s ? s->hash : 0;
}

int wt_sig12_type_fits(uint32_t scheme, uint32_t type, uint32_t pss_hash)
{
	if (is_ecdsa_scheme(scheme))
		return is_ec_key(type);
	return fits(scheme, type, 0, pss_hash) != NULL;
}

int wt_sig12_pubkey_fits(uint32_t scheme, const wt_pubkey *pk)
{
	if (is_ecdsa_scheme(scheme))
		return is_ec_key(pk->type);
	return wt_sig_pubkey_fits(scheme, pk);
}

int wt_sig12_privkey_fits(uint32_t scheme, const wt_privkey *sk)
{
	if (is_ecdsa_scheme(scheme))
		return is_ec_key(sk->type);
	return wt_sig_privkey_fits(scheme, sk);
}

int wt_sig12_verify_digest(const wt_pubkey *pk, uint32_t scheme, const uint8_t *digest,
			   size_t hl, const uint8_t *sig, size_t siglen)
{
	const scheme_info *s = find(scheme);
	uint8_t raw[WT_ECP_MAX_SIG_LEN];
	uint32_t curve;
	int ok;
	if (s == NULL || s->hash == 0 || hl != wt_hash_len(s->hash))
		return WT_PK_ERR_ARG;
	if (!wt_sig12_pubkey_fits(scheme, pk))
		return WT_PK_ERR_MISMATCH;
	if (is_rsa(s->keytype)) {
		if (s->rsa_pad == WT_RSA_PSS)
			ok = wt_rsa_verify_pss(&pk->u.rsa, s->hash, hl, digest, hl, sig,
					       siglen) == 1;
		else
			ok = wt_rsa_verify_pkcs1(&pk->u.rsa, s->hash, digest, hl, sig,
						 siglen) == 1;
		return ok ? WT_PK_OK : WT_PK_ERR_SIG;
	}
	curve = ecp_curve(pk->type);
	ok = wt_ecdsa_sig_from_der(curve, sig, siglen, raw) == 0 &&
		wt_ecdsa_verify_digest(curve, pk->u.ec.point, pk->u.ec.len, digest, hl,
				       raw) == 0;
	return ok ? WT_PK_OK : WT_PK_ERR_SIG;
}

int wt_sig12_sign_digest(const wt_privkey *sk, uint32_t scheme, const uint8_t *digest,
			 size_t hl, uint8_t *sig, size_t *siglen)
{
	const scheme_info *s = find(scheme);
	uint8_t raw[WT_ECP_MAX_SIG_LEN];
	uint32_t curve;
	*siglen = 0;
	if (s == NULL || s->hash == 0 || hl != wt_hash_len(s->hash))
		return WT_PK_ERR_ARG;
	if (!wt_sig12_privkey_fits(scheme, sk))
		return WT_PK_ERR_MISMATCH;
	if (is_rsa(s->keytype)) {
		int n = s->rsa_pad == WT_RSA_PSS ?
			wt_rsa_sign_pss(&sk->u.rsa, s->hash, hl, digest, hl, sig,
					WT_SIG_MAX) :
			wt_rsa_sign_pkcs1(&sk->u.rsa, s->hash, digest, hl, sig,
					  WT_SIG_MAX);
		if (n <= 0)
			return WT_PK_ERR_SIG;
		*siglen = (size_t)n;
		return WT_PK_OK;
	}
	curve = ecp_curve(sk->type);
	if (wt_ecdsa_sign_digest(curve, s->hash, sk->u.ec.d, digest, raw) != 0 ||
	    wt_ecdsa_sig_to_der(curve, raw, sig, siglen) != 0) {
		*siglen = 0;
		return WT_PK_ERR_SIG;
	}
	return WT_PK_OK;
}

int wt_sig12_verify(const wt_pubkey *pk, uint32_t scheme, const uint8_t *msg,
		    size_t msglen, const uint8_t *sig, size_t siglen)
{
	uint8_t digest[WT_HASH_MAX_LEN];
	uint32_t h = wt_sig_scheme_hash(scheme);
	if (scheme == WT_SIG_ED25519 || !is_ecdsa_scheme(scheme))
		return wt_sig_verify(pk, scheme, msg, msglen, sig, siglen);
	if (h == 0 || wt_hash(h, msg, msglen, digest))
		return WT_PK_ERR_ARG;
	return wt_sig12_verify_digest(pk, scheme, digest, wt_hash_len(h), sig, siglen);
}

int wt_sig12_sign(const wt_privkey *sk, uint32_t scheme, const uint8_t *msg,
		  size_t msglen, uint8_t *sig, size_t *siglen)
{
	uint8_t digest[WT_HASH_MAX_LEN];
	uint32_t h = wt_sig_scheme_hash(scheme);
	int r;
	if (scheme == WT_SIG_ED25519 || !is_ecdsa_scheme(scheme))
		return wt_sig_sign(sk, scheme, msg, msglen, sig, siglen);
	*siglen = 0;
	if (h == 0 || wt_hash(h, msg, msglen, digest))
		return WT_PK_ERR_ARG;
	r = wt_sig12_sign_digest(sk, scheme, digest, wt_hash_len(h), sig, siglen);
	wt_wipe(digest, sizeof digest);
	return r;
}
