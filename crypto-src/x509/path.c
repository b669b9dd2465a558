/*
 * path.c: certification path building and validation (RFC 5280 section 6,
 * profiled for TLS as rustls/webpki and OpenSSL do).
 *
 * Building. The peer's list starts with its end-entity certificate; the
 * others may come in any order, include extras, repeat, or be missing
 * (RFC 8446 4.4.2: "the sender's certificate MUST come in the first
 * CertificateEntry ... each following certificate SHOULD directly certify
 * the one immediately preceding it", and clients "SHOULD be prepared to
 * handle potentially extraneous certificates and arbitrary orderings").
 * Every certificate sent is a candidate, however many (read through a
 * get function, so a caller needs no array and nothing is dropped). From
 * the current certificate we look for issuers whose subject equals its
 * issuer name (as DER octets) and, when both carry key identifiers, whose
 * subjectKeyIdentifier equals its authorityKeyIdentifier: trust anchors
 * first, then the peer's other certificates. Each candidate's signature is
 * checked before going up. When a candidate leads nowhere or its complete
 * path fails validation, the next one is tried (depth-first with
 * backtracking: cross-signed intermediates give several paths). Two
 * memories keep that polynomial on real meshes of cross-signed CAs: a
 * signature is verified once per (certificate, issuer key), and a
 * certificate found to be a dead end for reasons of its own (a check it
 * fails by itself, or no way up that was refused for reasons independent
 * of the path below) is not explored again. Work is bounded by budgets of
 * signature checks (in proportion to the certificates sent) and of steps.
 *
 * Validation of a complete path (leaf ... top, then the anchor): unknown
 * critical extensions, basicConstraints cA and pathLenConstraint,
 * keyUsage keyCertSign on CAs, extKeyUsage for the purpose, the CA
 * profile (positive serial, key identifiers), the end-entity profile (not
 * a CA, a key the handshake accepts, digitalSignature, subjectAltName
 * syntax and criticality), name constraints, the host name, and validity
 * against the given time. The anchor's name and key are trust input (RFC
 * 5280 6.1.1 d) and its signature is not checked, but it must be a CA
 * within its validity period with no unknown critical extension (as
 * OpenSSL, Go and pyca/cryptography require), and its pathLenConstraint
 * and name constraints apply to what it issues.
 *
 * Public data only: NOT constant-time.
 */
#include "inner.h"
#include "wt_der.h"
#include "wt_host.h"
#include "wt_pk.h"
#include "wt_x509.h"

/* Rank of a search failure: the most telling one is reported. A route
 * cut by the depth limit says less than a route that ends at an unknown
 * issuer (in a mesh both happen; OpenSSL reports the issuer). */
enum {
	RANK_NONE = 0,
	RANK_DEPTH = 1,
	RANK_NO_ISSUER = 2,
	RANK_SELF_SIGNED = 3,
	RANK_SIG = 4,
	RANK_PATH = 5
};

/* Signature results remembered: a (certificate, issuer key) pair is
 * verified once however many paths reach it (cross-signed copies of one
 * CA share its key). */
#define SIGMEMO 128

typedef struct {
	uint32_t child; /* chain index of the signed certificate */
	uint32_t spkilen;
	const uint8_t *spki; /* the issuer's SubjectPublicKeyInfo */
	int r;
} sigmemo;

typedef struct {
	const wt_x509_params *p;
	wt_x509_chain_get_fn get;
	void *gctx;
	size_t n;
	const wt_x509_store *store;
	int64_t now; /* seconds */
	uint32_t max_depth;
	uint32_t purpose;
	uint32_t budget; /* signature checks left */
	uint32_t steps;  /* candidate issuers left */
	uint64_t scan;   /* certificates looked at, left */
	/* The path being built, leaf first: chain index, DER, parsed. */
	uint32_t depth;
	uint32_t path[WT_X509_MAX_DEPTH];
	wt_x509_blob pb[WT_X509_MAX_DEPTH];
	wt_x509_cert pc[WT_X509_MAX_DEPTH];
	/* What is known of each certificate (the first WT_X509_SEARCH_MEMO):
	 * MEMO_DEAD, it cannot be on a valid path whatever lies below it (a
	 * check of its own failed); r + 1, no valid way up from it within r
	 * more certificates; 0, nothing yet. */
	uint8_t memo[WT_X509_SEARCH_MEMO];
	/* Count of refusals that depend on the path below (pathLen, name
	 * constraints): a search that saw one proves nothing about its top
	 * certificate alone. */
	uint32_t taint;
	int stop; /* the leaf itself failed: no path can do */
	sigmemo sm[SIGMEMO];
	uint32_t nsm;
	int err, rank;
	int32_t err_index;
	wt_x509_result *res;
} vstate;

static void note(vstate *s, int rank, int err, int32_t idx)
{
	if (rank > s->rank) {
		s->rank = rank;
		s->err = err;
		s->err_index = idx;
	}
}

#define MEMO_DEAD 255u

static int is_dead(const vstate *s, uint32_t i)
{
	return i < WT_X509_SEARCH_MEMO && s->memo[i] == MEMO_DEAD;
}

static void mark_dead(vstate *s, uint32_t i)
{
	if (i < WT_X509_SEARCH_MEMO)
		s->memo[i] = MEMO_DEAD;
}

/* Certificate i, with room for rem more certificates above it, already
 * failed with at least that much room. */
static int known_failure(const vstate *s, uint32_t i, uint32_t rem)
{
	return i < WT_X509_SEARCH_MEMO && s->memo[i] > rem;
}

static void note_failure(vstate *s, uint32_t i, uint32_t rem)
{
	if (i < WT_X509_SEARCH_MEMO && s->memo[i] != MEMO_DEAD && s->memo[i] < rem + 1)
		s->memo[i] = (uint8_t)(rem + 1);
}

static int span_eq(const uint8_t *a, wt_x509_span sa, const uint8_t *b, wt_x509_span sb)
{
	return sa.len == sb.len && memcmp(a + sa.off, b + sb.off, sa.len) == 0;
}

/* May the certificate (der, c) have been issued by (ider, ic)? Names must
 * be equal (RFC 5280 6.1.3 a 4: "the certificate issuer name is the
 * working_issuer_name"), key identifiers equal when both are present
 * (4.2.1.1: AKI "to identify the public key corresponding to the private
 * key used to sign a certificate"). */
static int may_issue(const uint8_t *ider, const wt_x509_cert *ic, const uint8_t *der,
		     const wt_x509_cert *c)
{
	if (!span_eq(ider, ic->subject, der, c->issuer))
		return 0;
	if (c->aki.len != 0 && ic->ski.len != 0 && !span_eq(ider, ic->ski, der, c->aki))
		return 0;
	return 1;
}

static int self_issued(const uint8_t *der, const wt_x509_cert *c)
{
	return span_eq(der, c->subject, der, c->issuer);
}

/* see wt_x509.h */
int wt_x509_sig_verify_pk(void *ctx, const uint8_t *spki, size_t spkilen, uint32_t scheme,
			  const uint8_t *msg, size_t msglen, const uint8_t *sig,
			  size_t siglen)
{
	wt_pubkey pk;
	int r;
	(void)ctx;
	r = wt_pubkey_from_spki(&pk, spki, spkilen);
	if (r == 0)
		r = wt_sig_verify(&pk, scheme, msg, msglen, sig, siglen);
	return r;
}

/* Check that (der, c) is signed by the key of (ider, ic). */
static int sig_check(const wt_x509_params *p, uint32_t *budget, const uint8_t *ider,
		     const wt_x509_cert *ic, const uint8_t *der, const wt_x509_cert *c)
{
	uint32_t scheme;
	int r;
	if (p->flags & WT_X509_INSECURE_SKIP_SIGNATURES)
		return WT_X509_OK;
	if (*budget == 0)
		return WT_X509_ERR_LIMIT;
	(*budget)--;
	if (c->sig_alg == WT_X509_SIG_UNKNOWN)
		return WT_X509_ERR_UNSUPPORTED_SIG;
	scheme = wt_x509_sig_scheme(c->sig_alg, ic->key_type);
	if (scheme == 0)
		return ic->key_type == WT_X509_KEY_UNKNOWN ? WT_X509_ERR_UNSUPPORTED_KEY :
							     WT_X509_ERR_UNSUPPORTED_SIG;
	r = (p->sig_verify != NULL ? p->sig_verify : wt_x509_sig_verify_pk)(
		p->sig_ctx, ider + ic->spki.off, ic->spki.len, scheme, der + c->tbs.off,
		c->tbs.len, der + c->signature.off, c->signature.len);
	if (r == 0)
		return WT_X509_OK;
	if (r <= -100)
		return r; /* already an X.509 code */
	if (r == WT_PK_ERR_SIG)
		return WT_X509_ERR_BAD_SIGNATURE;
	/* WT_PK_ERR_KEY / _ARG / _MISMATCH / _POINT: the issuer's key or the
	 * scheme cannot be used. */
	return r == WT_PK_ERR_POINT ? WT_X509_ERR_BAD_SIGNATURE :
				      WT_X509_ERR_UNSUPPORTED_KEY;
}

/* sig_check through the memo. child is a chain index. */
static int check_sig(vstate *s, uint32_t child, const uint8_t *ider,
		     const wt_x509_cert *ic, const uint8_t *der, const wt_x509_cert *c)
{
	const uint8_t *spki = ider + ic->spki.off;
	uint32_t k, m = s->nsm < SIGMEMO ? s->nsm : SIGMEMO;
	int r;
	if (s->p->flags & WT_X509_INSECURE_SKIP_SIGNATURES)
		return WT_X509_OK;
	for (k = 0; k < m; k++) {
		const sigmemo *e = &s->sm[k];
		if (e->child == child && e->spkilen == ic->spki.len &&
		    (e->spki == spki || memcmp(e->spki, spki, e->spkilen) == 0))
			return e->r;
	}
	r = sig_check(s->p, &s->budget, ider, ic, der, c);
	if (r != WT_X509_ERR_LIMIT) {
		sigmemo *e = &s->sm[s->nsm++ % SIGMEMO];
		e->child = child;
		e->spki = spki;
		e->spkilen = ic->spki.len;
		e->r = r;
	}
	return r;
}

/* see wt_x509.h */
int wt_x509_check_signature(const wt_x509_params *p, const uint8_t *der, size_t len,
			    const uint8_t *ider, size_t ilen)
{
	wt_x509_cert c, ic;
	uint32_t budget = 1;
	int r = wt_x509_parse(&c, der, len);
	if (r != WT_X509_OK)
		return r;
	r = wt_x509_parse(&ic, ider, ilen);
	if (r != WT_X509_OK)
		return r;
	return sig_check(p, &budget, ider, &ic, der, &c);
}

static int eku_ok(const wt_x509_cert *c, uint32_t purpose, int is_ca)
{
	uint32_t want;
	/* Absent extKeyUsage: any purpose (RFC 5280 4.2.1.12 is silent; the
	 * CA/Browser Forum requires it on leaves, but private PKIs omit it). */
	if (!(c->ext & WT_X509_EXT_EXT_KEY_USAGE) || purpose == WT_X509_PURPOSE_ANY)
		return 1;
	want = purpose == WT_X509_PURPOSE_CLIENT ? WT_X509_EKU_CLIENT_AUTH :
						   WT_X509_EKU_SERVER_AUTH;
	/* A leaf must name the purpose itself (anyExtendedKeyUsage is not
	 * accepted, as OpenSSL and webpki); on a CA anyExtendedKeyUsage passes
	 * (EKU on CAs constrains what they issue). */
	return (c->eku & want) != 0 || (is_ca && (c->eku & WT_X509_EKU_ANY));
}

/* see wt_x509.h */
int wt_x509_leaf_key(const uint8_t *spki, size_t len, void *out, int *pkerr)
{
	wt_pubkey pk;
	int r;
	/* The keys the handshake can use for CertificateVerify: wt_pk.h
	 * refuses what it cannot (RSA below 2048 bits, P-192, DSA, ...). */
	r = wt_pubkey_from_spki(&pk, spki, len);
	if (pkerr != NULL)
		*pkerr = r;
	if (r != 0)
		return WT_X509_ERR_LEAF_KEY;
	/* CA/Browser Forum BR 6.1.5: RSA "the modulus size, in bits, is
	 * evenly divisible by 8" (rsaEncryption and id-RSASSA-PSS alike). */
	if ((pk.type == WT_KEY_RSA || pk.type == WT_KEY_RSA_PSS) && (pk.bits & 7) != 0) {
		if (pkerr != NULL)
			*pkerr = WT_PK_ERR_UNSUPPORTED;
		return WT_X509_ERR_LEAF_KEY;
	}
	if (out != NULL)
		memcpy(out, &pk, sizeof pk);
	return WT_X509_OK;
}

/* A negative serialNumber (RFC 5280 4.1.2.2: "The serial number MUST be a
 * positive integer"). Zero is let through: a few roots in public stores
 * carry it. */
static int negative_serial(const uint8_t *der, const wt_x509_cert *c)
{
	return c->serial.len != 0 && (der[c->serial.off] & 0x80) != 0;
}

/* 1 if the Name (header included) has no RDN. */
static int name_empty(const uint8_t *der, wt_x509_span name)
{
	wt_der d, in;
	wt_der_init(&d, der + name.off, name.len);
	return wt_der_enter_seq(&d, &in) == 0 && in.len == 0;
}

/* Checks of an intermediate CA certificate on its own (its place in the
 * path does not matter). */
static int ca_own_checks(const uint8_t *der, const wt_x509_cert *c, uint32_t purpose)
{
	if (c->unknown_critical)
		return WT_X509_ERR_UNKNOWN_CRITICAL;
	/* RFC 5280 6.1.4 (k): "If certificate i is a version 3 certificate,
	 * verify that the basicConstraints extension is present and that cA
	 * is set to TRUE." Version 1 and 2 intermediates are refused too
	 * (nothing says they are CAs). */
	if (!(c->ext & WT_X509_EXT_BASIC_CONSTRAINTS) || !c->ca)
		return WT_X509_ERR_NOT_CA;
	/* 6.1.4 (n): "If a key usage extension is present, verify that the
	 * keyCertSign bit is set." */
	if ((c->ext & WT_X509_EXT_KEY_USAGE) &&
	    !(c->key_usage & WT_X509_KU_KEY_CERT_SIGN))
		return WT_X509_ERR_KEY_USAGE_CA;
	if (!eku_ok(c, purpose, 1))
		return WT_X509_ERR_PURPOSE;
	if (negative_serial(der, c))
		return WT_X509_ERR_NEGATIVE_SERIAL;
	/* 4.2.1.2: "this extension MUST appear in all conforming CA
	 * certificates, that is, all certificates including the basic
	 * constraints extension where the value of cA is TRUE." */
	if (!(c->ext & WT_X509_EXT_SKI))
		return WT_X509_ERR_MISSING_SKI;
	/* 4.2.1.1: "The keyIdentifier field of the authorityKeyIdentifier
	 * extension MUST be included in all certificates generated by
	 * conforming CAs to facilitate certification path construction",
	 * except self-signed ones. */
	if (c->aki.len == 0 && !self_issued(der, c))
		return WT_X509_ERR_MISSING_AKI;
	return WT_X509_OK;
}

/* Checks of a trust anchor used as an issuer. RFC 5280 6.1.1 (d) makes the
 * anchor's name and key trust input, but what the anchor certificate says
 * about itself is still honoured, as OpenSSL, Go and pyca/cryptography do:
 * its validity period, its critical extensions, and that it is a CA. */
static int anchor_checks(vstate *s, const wt_x509_cert *ac)
{
	/* 4.2: "A certificate-using system MUST reject the certificate if it
	 * encounters a critical extension it does not recognize". */
	if (ac->unknown_critical)
		return WT_X509_ERR_UNKNOWN_CRITICAL;
	/* basicConstraints cA: absent on a v3 certificate, or a version 1
	 * certificate (no extensions at all), is not a CA (OpenSSL
	 * -x509_strict: "invalid CA certificate" for both). */
	if (!(ac->ext & WT_X509_EXT_BASIC_CONSTRAINTS) || !ac->ca)
		return WT_X509_ERR_NOT_CA;
	if ((ac->ext & WT_X509_EXT_KEY_USAGE) &&
	    !(ac->key_usage & WT_X509_KU_KEY_CERT_SIGN))
		return WT_X509_ERR_KEY_USAGE_CA;
	/* 4.1.2.5: "the period of time from notBefore through notAfter,
	 * inclusive". */
	if (s->now < ac->not_before)
		return WT_X509_ERR_NOT_YET_VALID;
	if (s->now > ac->not_after)
		return WT_X509_ERR_EXPIRED;
	return WT_X509_OK;
}

/* Checks of the end-entity certificate on its own. self_anchor: the leaf
 * is itself the configured anchor (a pinned self-signed server), so the
 * CA markings of a self-signed root are not held against it. */
static int leaf_checks(vstate *s, int self_anchor)
{
	const wt_x509_cert *c = &s->pc[0];
	const uint8_t *der = s->pb[0].der;
	int r;
	if (c->unknown_critical)
		return WT_X509_ERR_UNKNOWN_CRITICAL;
	/* An end entity is not a CA: RFC 5280 4.2.1.9 "The cA boolean
	 * indicates whether the certified public key may be used to verify
	 * certificate signatures"; 4.2.1.3 "The keyCertSign bit is asserted
	 * when the subject public key is used for verifying signatures on
	 * public key certificates ... If the keyCertSign bit is asserted,
	 * then the cA bit in the basic constraints extension MUST also be
	 * asserted"; 4.2.1.10 "The name constraints extension, which MUST be
	 * used only in a CA certificate". */
	if (!self_anchor &&
	    (((c->ext & WT_X509_EXT_BASIC_CONSTRAINTS) && c->ca) ||
	     ((c->ext & WT_X509_EXT_KEY_USAGE) &&
	      (c->key_usage & WT_X509_KU_KEY_CERT_SIGN)) ||
	     (c->ext & WT_X509_EXT_NAME_CONSTRAINTS)))
		return WT_X509_ERR_LEAF_CA;
	/* A key the handshake would refuse is refused here too, so a
	 * verdict from verifyChain means the chain is usable. */
	r = wt_x509_leaf_key(der + c->spki.off, c->spki.len, NULL, NULL);
	if (r != WT_X509_OK)
		return r;
	/* keyUsage digitalSignature (TLS 1.3 CertificateVerify and ECDHE
	 * signatures; RFC 5280 4.2.1.3), extKeyUsage for the purpose
	 * (4.2.1.12: "the certificate MUST only be used for one of the
	 * purposes indicated"). */
	if (s->purpose != WT_X509_PURPOSE_ANY && (c->ext & WT_X509_EXT_KEY_USAGE) &&
	    !(c->key_usage & WT_X509_KU_DIGITAL_SIGNATURE))
		return WT_X509_ERR_KEY_USAGE;
	if (!eku_ok(c, s->purpose, 0))
		return WT_X509_ERR_PURPOSE;
	if (negative_serial(der, c))
		return WT_X509_ERR_NEGATIVE_SERIAL;
	/* 4.2.1.6: "If the subject field contains an empty sequence, then the
	 * issuing CA MUST include a subjectAltName extension that is marked
	 * as critical. When including the subjectAltName extension in a
	 * certificate that has a non-empty subject distinguished name,
	 * conforming CAs SHOULD mark the subjectAltName extension as
	 * non-critical." (pyca/cryptography holds both.) */
	if ((c->ext & WT_X509_EXT_SAN) &&
	    name_empty(der, c->subject) != !!(c->ext_critical & WT_X509_EXT_SAN))
		return WT_X509_ERR_SAN_CRITICAL;
	r = wt_x509_check_san_syntax(der, c);
	if (r != WT_X509_OK)
		return r;
	/* Service identity (RFC 9525 6). */
	if (s->p->host != NULL) {
		r = wt_x509_check_host(der, c, s->p->host, s->p->host_len);
		if (r != WT_X509_OK)
			return r;
	}
	return WT_X509_OK;
}

/* Validate the complete path s->pc[0..depth) ending at anchor (ader, ac);
 * ader == NULL when the leaf itself is the anchor. On failure *idx is the
 * chain index at fault (-1: the anchor) and *own says whether the check
 * concerned that certificate alone (1) or the path (0: pathLen, name
 * constraints). */
static int validate(vstate *s, const uint8_t *ader, const wt_x509_cert *ac, int32_t *idx,
		    int *own)
{
	uint32_t k = s->depth, i, j, below;
	int r;

	*own = 1;
	/* Intermediates as CAs, bottom up; 6.1.4 (l), (m): max_path_length
	 * counts the non-self-issued intermediates below; pathLenConstraint
	 * "gives the maximum number of non-self-issued intermediate
	 * certificates that may follow this certificate in a valid
	 * certification path" (4.2.1.9). The anchor's own checks ran when
	 * it was picked (anchor_checks); its pathLen applies here. */
	below = 0;
	for (i = 1; i <= k; i++) {
		const wt_x509_cert *c = i < k ? &s->pc[i] : ac;
		if (i == k && ader == NULL)
			break;
		*idx = i < k ? (int32_t)s->path[i] : -1;
		if (i < k) {
			r = ca_own_checks(s->pb[i].der, c, s->purpose);
			if (r != WT_X509_OK)
				return r;
		}
		if (c->path_len >= 0 && below > (uint32_t)c->path_len) {
			*own = 0;
			return WT_X509_ERR_PATH_LEN;
		}
		if (i < k && !self_issued(s->pb[i].der, c))
			below++;
	}
	*idx = (int32_t)s->path[0];
	r = leaf_checks(s, ader == NULL);
	if (r != WT_X509_OK)
		return r;
	/* Name constraints of every CA (and the anchor) apply to every
	 * certificate below it, except self-issued intermediates (6.1.3 b:
	 * "If certificate i is self-issued and it is not the final certificate
	 * in the path, skip this step"). */
	for (j = 1; j <= k; j++) {
		const wt_x509_cert *ca = j < k ? &s->pc[j] : ac;
		const uint8_t *cader = j < k ? s->pb[j].der : ader;
		if (j == k && ader == NULL)
			break;
		if (!(ca->ext & WT_X509_EXT_NAME_CONSTRAINTS))
			continue;
		for (i = 0; i < j; i++) {
			const uint8_t *der = s->pb[i].der;
			const wt_x509_cert *c = &s->pc[i];
			if (i > 0 && self_issued(der, c))
				continue;
			*idx = (int32_t)s->path[i];
			r = wt_x509_check_name_constraints(cader, ca, der, c);
			if (r != WT_X509_OK) {
				*own = 0;
				return r;
			}
		}
	}
	/* 6.1.3 (a)(2): "The certificate validity period includes the current
	 * time"; notBefore and notAfter are inclusive (4.1.2.5). Top down, as
	 * OpenSSL reports. */
	for (i = k; i-- > 0;) {
		const wt_x509_cert *c = &s->pc[i];
		*idx = (int32_t)s->path[i];
		if (s->now < c->not_before)
			return WT_X509_ERR_NOT_YET_VALID;
		if (s->now > c->not_after)
			return WT_X509_ERR_EXPIRED;
	}
	*idx = -1;
	return WT_X509_OK;
}

static int finish(vstate *s, int32_t anchor)
{
	uint32_t i;
	wt_x509_result *res = s->res;
	res->code = WT_X509_OK;
	res->cert_index = -1;
	res->anchor = anchor;
	res->path_len = s->depth;
	for (i = 0; i < s->depth; i++)
		res->path[i] = s->path[i];
	return 1;
}

/* After a complete path failed validation: remember what it proves. */
static void path_failed(vstate *s, int r, int32_t idx, int own)
{
	note(s, RANK_PATH, r, idx);
	if (!own)
		s->taint++;
	else if (idx == 0)
		s->stop = 1; /* the leaf's own fault */
	else if (idx > 0)
		mark_dead(s, (uint32_t)idx);
}

/* Try the trust anchors whose subject equals the issuer of the top of the
 * path (the store compares names without parsing every anchor). Returns 1
 * when a valid path ends there, 0 otherwise, -1 when the budget ran out;
 * *found is set if any anchor matched by name and key identifier. */
static int try_anchors(vstate *s, uint32_t *found)
{
	uint32_t top = s->depth - 1, cur = s->path[top];
	const uint8_t *der = s->pb[top].der, *ader;
	const wt_x509_cert *c = &s->pc[top];
	uint32_t cursor = 0, n = 0;
	size_t alen;
	int r, own;
	int32_t idx;
	while (s->store != NULL &&
	       (ader = wt_x509_store_find(s->store, &cursor, der + c->issuer.off,
					  c->issuer.len, &n, &alen)) != NULL) {
		wt_x509_cert ac;
		if (wt_x509_parse(&ac, ader, alen) != WT_X509_OK ||
		    !may_issue(ader, &ac, der, c))
			continue;
		*found = 1;
		if (s->steps == 0)
			return -1;
		s->steps--;
		r = anchor_checks(s, &ac);
		if (r != WT_X509_OK) {
			note(s, RANK_PATH, r, -1);
			continue;
		}
		r = check_sig(s, cur, ader, &ac, der, c);
		if (r == WT_X509_ERR_LIMIT)
			return -1;
		if (r != WT_X509_OK) {
			note(s, RANK_SIG, r, (int32_t)cur);
			continue;
		}
		r = validate(s, ader, &ac, &idx, &own);
		if (r == WT_X509_OK)
			return finish(s, (int32_t)(n - 1));
		path_failed(s, r, idx, own);
		if (s->stop || is_dead(s, cur))
			return 0;
	}
	return 0;
}

/* The issuer and subject Names (headers included) of a certificate, read
 * without parsing the rest: the cheap test that picks candidates. */
static int quick_names(const wt_x509_blob *b, wt_der *issuer, wt_der *subject)
{
	wt_der d, cert, tbs, tmp;
	uint32_t tag;
	wt_der_init(&d, b->der, b->len);
	if (wt_der_enter_seq(&d, &cert) < 0 || wt_der_enter_seq(&cert, &tbs) < 0)
		return -1;
	if (wt_der_read_optional(&tbs, WT_DER_CONTEXT(0), &tmp) < 0 ||
	    wt_der_skip(&tbs) < 0 || wt_der_skip(&tbs) < 0 ||
	    wt_der_read_any(&tbs, &tag, NULL, issuer) < 0 || wt_der_skip(&tbs) < 0 ||
	    wt_der_read_any(&tbs, &tag, NULL, subject) < 0)
		return -1;
	return 0;
}

/* 1 if a certificate with the subject and key of (der, c) is on the path
 * already: going up through it again is a loop (RFC 4158 5.2: the same
 * name and key), whichever copy or cross-certificate brings it. */
static int on_path(const vstate *s, const uint8_t *der, const wt_x509_cert *c)
{
	uint32_t k;
	for (k = 0; k < s->depth; k++)
		if (span_eq(s->pb[k].der, s->pc[k].subject, der, c->subject) &&
		    span_eq(s->pb[k].der, s->pc[k].spki, der, c->spki))
			return 1;
	return 0;
}

/* Extend the path from its top certificate. Returns 1 when a valid path
 * was found (s->res filled), 0 otherwise (errors noted), -1 when the
 * budget ran out. Depth-first with backtracking (RFC 4158 2.3: path
 * building as a tree search); dead ends are remembered (s->memo), so a
 * certificate that leads nowhere is explored once, not once per path
 * that reaches it. */
static int extend(vstate *s)
{
	uint32_t top = s->depth - 1, cur = s->path[top], found = 0;
	const uint8_t *der = s->pb[top].der;
	const wt_x509_cert *c = &s->pc[top];
	/* Room above a candidate pushed at s->depth. */
	uint32_t rem = s->depth < s->max_depth ? s->max_depth - s->depth - 1 : 0;
	size_t i;
	int r;

	r = try_anchors(s, &found);
	if (r != 0 || s->stop || is_dead(s, cur))
		return r;
	/* Other certificates of the peer's list, every one of them. */
	for (i = 1; i < s->n; i++) {
		wt_x509_blob b;
		wt_der iss, sub;
		wt_x509_cert ic;
		uint32_t t0;
		if (s->scan == 0)
			return -1;
		s->scan--;
		if (known_failure(s, (uint32_t)i, rem))
			continue;
		if (s->get(s->gctx, i, &b) != 0 || b.der == NULL ||
		    quick_names(&b, &iss, &sub) < 0 || sub.len != c->issuer.len ||
		    memcmp(sub.buf, der + c->issuer.off, sub.len) != 0)
			continue;
		r = wt_x509_parse(&ic, b.der, b.len);
		if (r != WT_X509_OK) {
			/* Named as the issuer but malformed (a bad extension,
			 * ...): that is why nothing chains, say so. */
			note(s, RANK_SIG, r, (int32_t)i);
			mark_dead(s, (uint32_t)i);
			continue;
		}
		if (!may_issue(b.der, &ic, der, c))
			continue;
		if (on_path(s, b.der, &ic)) {
			/* A loop (a self-signed root, mutually cross-signed
			 * CAs). Not a path-dependent refusal: this CA (same name
			 * and key) is below, where every copy of it is tried as
			 * a candidate too, on a shorter path; so, as in any
			 * depth-first search, what is finished stays finished. */
			continue;
		}
		found = 1;
		/* Every edge tried costs one step, signatures checked or not. */
		if (s->steps == 0)
			return -1;
		s->steps--;
		if (s->depth >= s->max_depth) {
			/* No room: remembered per room left (s->memo), not a
			 * reason to explore again with the same room. */
			note(s, RANK_DEPTH, WT_X509_ERR_CHAIN_TOO_LONG, (int32_t)i);
			continue;
		}
		r = check_sig(s, cur, b.der, &ic, der, c);
		if (r == WT_X509_ERR_LIMIT)
			return -1;
		if (r != WT_X509_OK) {
			note(s, RANK_SIG, r, (int32_t)cur);
			continue;
		}
		s->path[s->depth] = (uint32_t)i;
		s->pb[s->depth] = b;
		s->pc[s->depth] = ic;
		s->depth++;
		t0 = s->taint;
		r = extend(s);
		s->depth--;
		if (r != 0 || s->stop)
			return r;
		if (s->taint == t0)
			note_failure(s, (uint32_t)i, rem);
		if (is_dead(s, cur))
			return 0;
	}
	if (!found) {
		/* The path ends at cur without an anchor. OpenSSL's names:
		 * DEPTH_ZERO_SELF_SIGNED_CERT for a lone self-signed leaf,
		 * SELF_SIGNED_CERT_IN_CHAIN for an untrusted root, otherwise
		 * UNABLE_TO_GET_ISSUER_CERT_LOCALLY. */
		if (self_issued(der, c))
			note(s, RANK_SELF_SIGNED,
			     cur == 0 ? WT_X509_ERR_SELF_SIGNED_LEAF :
					WT_X509_ERR_SELF_SIGNED_IN_CHAIN,
			     (int32_t)cur);
		else
			note(s, RANK_NO_ISSUER, WT_X509_ERR_UNKNOWN_ISSUER, (int32_t)cur);
	}
	return 0;
}

static int blob_get(void *ctx, size_t i, wt_x509_blob *out)
{
	*out = ((const wt_x509_blob *)ctx)[i];
	return 0;
}

/* see wt_x509.h */
int wt_x509_verify(const wt_x509_params *p, const wt_x509_blob *certs, size_t n,
		   const wt_x509_store *store, wt_x509_result *res)
{
	return wt_x509_verify_fn(p, blob_get, (void *)(uintptr_t)certs, n, store, res);
}

/* see wt_x509.h */
int wt_x509_verify_fn(const wt_x509_params *p, wt_x509_chain_get_fn get, void *gctx,
		      size_t n, const wt_x509_store *store, wt_x509_result *res)
{
	vstate s;
	uint32_t i;
	uint64_t budget;
	int r;

	memset(res, 0, sizeof *res);
	res->cert_index = -1;
	res->anchor = -1;
	if (n == 0) {
		res->code = WT_X509_ERR_NO_CERT;
		return res->code;
	}
	if (store != NULL && store->magic != WT_X509_STORE_MAGIC) {
		res->code = WT_X509_ERR_ARG;
		return res->code;
	}
	memset(&s, 0, sizeof s);
	s.p = p;
	s.get = get;
	s.gctx = gctx;
	s.n = n;
	s.store = store;
	s.res = res;
	s.max_depth = p->max_depth == 0          ? WT_X509_DEFAULT_DEPTH :
		p->max_depth > WT_X509_MAX_DEPTH ? WT_X509_MAX_DEPTH :
						   p->max_depth;
	s.purpose = p->purpose == 0 ? WT_X509_PURPOSE_SERVER : p->purpose;
	/* Work in proportion to what was sent: a valid chain of n
	 * certificates verifies at most one signature per (certificate,
	 * issuer key) pair. */
	budget = WT_X509_SEARCH_BUDGET + (uint64_t)WT_X509_SEARCH_PER_CERT * n;
	s.budget = budget > 0xffffffffu ? 0xffffffffu : (uint32_t)budget;
	s.steps = WT_X509_SEARCH_STEPS;
	s.scan = (uint64_t)WT_X509_SEARCH_STEPS * 8;
	s.now = (int64_t)((p->now_ms != 0 ? p->now_ms : wt_now()) / 1000);
	s.err = WT_X509_ERR_UNKNOWN_ISSUER;
	s.err_index = 0;
	/* The leaf must parse; other certificates that do not parse are
	 * ignored as extras (they can still be the reason nothing chains). */
	if (get(gctx, 0, &s.pb[0]) != 0 || s.pb[0].der == NULL) {
		res->code = WT_X509_ERR_ARG;
		return res->code;
	}
	r = wt_x509_parse(&s.pc[0], s.pb[0].der, s.pb[0].len);
	if (r != WT_X509_OK) {
		res->code = r;
		res->cert_index = 0;
		return r;
	}
	s.path[0] = 0;
	s.depth = 1;
	/* The leaf itself configured as an anchor (a pinned self-signed
	 * server): the path is the leaf alone; its own checks still apply. */
	for (i = 0; store != NULL && i < store->count; i++) {
		size_t alen;
		const uint8_t *ader = wt_x509_store_get(store, i, &alen);
		int32_t idx;
		int own;
		if (ader != NULL && alen == s.pb[0].len &&
		    memcmp(ader, s.pb[0].der, alen) == 0) {
			r = validate(&s, NULL, NULL, &idx, &own);
			if (r == WT_X509_OK) {
				finish(&s, (int32_t)i);
				return WT_X509_OK;
			}
			note(&s, RANK_PATH, r, idx);
		}
	}
	r = extend(&s);
	if (r == 1)
		return WT_X509_OK;
	if (r < 0)
		note(&s, RANK_PATH + 1, WT_X509_ERR_LIMIT, -1);
	res->code = s.err;
	res->cert_index = s.err_index;
	return res->code;
}
