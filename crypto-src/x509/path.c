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
 * From the current certificate we look for issuers whose subject equals
 * its issuer name (as DER octets) and, when both carry key identifiers,
 * whose subjectKeyIdentifier equals its authorityKeyIdentifier: trust
 * anchors first, then the peer's other certificates. Each candidate's
 * signature is checked before going up. When a candidate leads nowhere or
 * its complete path fails validation, the next one is tried (depth-first
 * with backtracking: cross-signed intermediates give several paths), and
 * the whole search is bounded by a budget of signature checks.
 *
 * Validation of a complete path (leaf ... top, then the anchor): unknown
 * critical extensions, basicConstraints cA and pathLenConstraint,
 * keyUsage keyCertSign on CAs and digitalSignature on the leaf,
 * extKeyUsage for the purpose, name constraints, the host name, and
 * validity against the given time. The anchor is trust input (RFC 5280
 * 6.1.1 d): its own validity and signature are not checked, but its
 * basicConstraints, keyUsage and name constraints apply to what it issues
 * when present.
 *
 * Public data only: NOT constant-time.
 */
#include "inner.h"
#include "wt_host.h"
#include "wt_pk.h"
#include "wt_x509.h"

/* Rank of a search failure: the most telling one is reported. */
enum { RANK_NONE = 0, RANK_NO_ISSUER = 1, RANK_SELF_SIGNED = 2, RANK_SIG = 3, RANK_PATH = 4 };

typedef struct {
	const wt_x509_params *p;
	const wt_x509_blob *certs;
	uint32_t n;
	wt_x509_cert c[WT_X509_MAX_CHAIN];
	const wt_x509_store *store;
	int64_t now;            /* seconds */
	uint32_t max_depth;
	uint32_t purpose;
	uint32_t budget;        /* signature checks left */
	uint32_t steps;         /* path extensions left */
	uint32_t path[WT_X509_MAX_DEPTH];
	uint32_t depth;
	uint32_t used;          /* bitmask of chain indexes on the path */
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

static int span_eq(const uint8_t *a, wt_x509_span sa, const uint8_t *b,
	wt_x509_span sb)
{
	return sa.len == sb.len && memcmp(a + sa.off, b + sb.off, sa.len) == 0;
}

/* May the certificate (der, c) have been issued by (ider, ic)? Names must
 * be equal (RFC 5280 6.1.3 a 4: "the certificate issuer name is the
 * working_issuer_name"), key identifiers equal when both are present
 * (4.2.1.1: AKI "to identify the public key corresponding to the private
 * key used to sign a certificate"). */
static int may_issue(const uint8_t *ider, const wt_x509_cert *ic,
	const uint8_t *der, const wt_x509_cert *c)
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
int wt_x509_sig_verify_pk(void *ctx, const uint8_t *spki, size_t spkilen,
	uint32_t scheme, const uint8_t *msg, size_t msglen, const uint8_t *sig,
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
static int sig_check(const wt_x509_params *p, uint32_t *budget,
	const uint8_t *ider, const wt_x509_cert *ic, const uint8_t *der,
	const wt_x509_cert *c)
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
		return ic->key_type == WT_X509_KEY_UNKNOWN ? WT_X509_ERR_UNSUPPORTED_KEY
			: WT_X509_ERR_UNSUPPORTED_SIG;
	r = (p->sig_verify != NULL ? p->sig_verify : wt_x509_sig_verify_pk)(
		p->sig_ctx, ider + ic->spki.off, ic->spki.len, scheme,
		der + c->tbs.off, c->tbs.len, der + c->signature.off, c->signature.len);
	if (r == 0)
		return WT_X509_OK;
	if (r <= -100)
		return r;              /* already an X.509 code */
	if (r == WT_PK_ERR_SIG)
		return WT_X509_ERR_BAD_SIGNATURE;
	/* WT_PK_ERR_KEY / _ARG / _MISMATCH / _POINT: the issuer's key or the
	 * scheme cannot be used. */
	return r == WT_PK_ERR_POINT ? WT_X509_ERR_BAD_SIGNATURE : WT_X509_ERR_UNSUPPORTED_KEY;
}

static int check_sig(vstate *s, const uint8_t *ider, const wt_x509_cert *ic,
	const uint8_t *der, const wt_x509_cert *c)
{
	return sig_check(s->p, &s->budget, ider, ic, der, c);
}

/* see wt_x509.h */
int wt_x509_check_signature(const wt_x509_params *p, const uint8_t *der,
	size_t len, const uint8_t *ider, size_t ilen)
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
	want = purpose == WT_X509_PURPOSE_CLIENT ? WT_X509_EKU_CLIENT_AUTH : WT_X509_EKU_SERVER_AUTH;
	/* A leaf must name the purpose itself (anyExtendedKeyUsage is not
	 * accepted, as OpenSSL and webpki); on a CA anyExtendedKeyUsage passes
	 * (EKU on CAs constrains what they issue). */
	return (c->eku & want) != 0 || (is_ca && (c->eku & WT_X509_EKU_ANY));
}

/* CA checks for an issuer (chain certificate or anchor) with `below`
 * non-self-issued intermediates between it and the leaf. */
static int ca_checks(const wt_x509_cert *c, uint32_t below, int anchor)
{
	/* RFC 5280 6.1.4 (k): "If certificate i is a version 3 certificate,
	 * verify that the basicConstraints extension is present and that cA
	 * is set to TRUE." Version 1 and 2 intermediates are refused too
	 * (nothing says they are CAs); a v1 trust anchor is accepted as
	 * configured. */
	if ((c->ext & WT_X509_EXT_BASIC_CONSTRAINTS) ? !c->ca : !anchor)
		return WT_X509_ERR_NOT_CA;
	/* 6.1.4 (n): "If a key usage extension is present, verify that the
	 * keyCertSign bit is set." */
	if ((c->ext & WT_X509_EXT_KEY_USAGE) && !(c->key_usage & WT_X509_KU_KEY_CERT_SIGN))
		return WT_X509_ERR_KEY_USAGE_CA;
	/* 6.1.4 (l), (m): max_path_length counts the non-self-issued
	 * intermediates below; pathLenConstraint "gives the maximum number
	 * of non-self-issued intermediate certificates that may follow this
	 * certificate in a valid certification path" (4.2.1.9). */
	if (c->path_len >= 0 && below > (uint32_t)c->path_len)
		return WT_X509_ERR_PATH_LEN;
	return WT_X509_OK;
}

/* Validate the complete path s->path[0..depth) ending at anchor (ader,
 * ac); ader == NULL when the leaf itself is the anchor. Sets *idx to the
 * chain index at fault. */
static int validate(vstate *s, const uint8_t *ader, const wt_x509_cert *ac,
	int32_t *idx)
{
	uint32_t k = s->depth, i, j, below;
	int r;
	const wt_x509_cert *leaf = &s->c[s->path[0]];
	const uint8_t *lder = s->certs[s->path[0]].der;

	/* RFC 5280 4.2: "A certificate-using system MUST reject the
	 * certificate if it encounters a critical extension it does not
	 * recognize". The anchor's extensions are trust input. */
	for (i = 0; i < k; i++) {
		*idx = (int32_t)s->path[i];
		if (s->c[s->path[i]].unknown_critical && !(ader == NULL && i == 0))
			return WT_X509_ERR_UNKNOWN_CRITICAL;
	}
	/* Intermediates, then the anchor, as CAs. */
	below = 0;
	for (i = 1; i <= k; i++) {
		const wt_x509_cert *c = i < k ? &s->c[s->path[i]] : ac;
		if (i == k && ader == NULL)
			break;
		*idx = i < k ? (int32_t)s->path[i] : -1;
		r = ca_checks(c, below, i == k);
		if (r != WT_X509_OK)
			return r;
		if (i < k && !eku_ok(c, s->purpose, 1))
			return WT_X509_ERR_PURPOSE;
		if (i < k && !self_issued(s->certs[s->path[i]].der, c))
			below++;
	}
	/* The end entity: keyUsage digitalSignature (TLS 1.3 CertificateVerify
	 * and ECDHE signatures; RFC 5280 4.2.1.3), extKeyUsage for the
	 * purpose (4.2.1.12: "the certificate MUST only be used for one of
	 * the purposes indicated"). */
	*idx = (int32_t)s->path[0];
	if (s->purpose != WT_X509_PURPOSE_ANY && (leaf->ext & WT_X509_EXT_KEY_USAGE)
	    && !(leaf->key_usage & WT_X509_KU_DIGITAL_SIGNATURE))
		return WT_X509_ERR_KEY_USAGE;
	if (!eku_ok(leaf, s->purpose, 0))
		return WT_X509_ERR_PURPOSE;
	/* Name constraints of every CA (and the anchor) apply to every
	 * certificate below it, except self-issued intermediates (6.1.3 b:
	 * "If certificate i is self-issued and it is not the final certificate
	 * in the path, skip this step"). */
	for (j = 1; j <= k; j++) {
		const wt_x509_cert *ca = j < k ? &s->c[s->path[j]] : ac;
		const uint8_t *cader = j < k ? s->certs[s->path[j]].der : ader;
		if (j == k && ader == NULL)
			break;
		if (!(ca->ext & WT_X509_EXT_NAME_CONSTRAINTS))
			continue;
		for (i = 0; i < j; i++) {
			const uint8_t *der = s->certs[s->path[i]].der;
			const wt_x509_cert *c = &s->c[s->path[i]];
			if (i > 0 && self_issued(der, c))
				continue;
			*idx = (int32_t)s->path[i];
			r = wt_x509_check_name_constraints(cader, ca, der, c);
			if (r != WT_X509_OK)
				return r;
		}
	}
	/* Service identity (RFC 9525 6). */
	*idx = (int32_t)s->path[0];
	if (s->p->host != NULL) {
		r = wt_x509_check_host(lder, leaf, s->p->host, s->p->host_len);
		if (r != WT_X509_OK)
			return r;
	}
	/* 6.1.3 (a)(2): "The certificate validity period includes the current
	 * time"; notBefore and notAfter are inclusive (4.1.2.5). Top down, as
	 * OpenSSL reports. */
	for (i = k; i-- > 0;) {
		const wt_x509_cert *c = &s->c[s->path[i]];
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

/* Try the trust anchors whose subject equals the issuer of chain index
 * cur (the store compares names without parsing every anchor). Returns 1
 * when a valid path ends there, 0 otherwise, -1 when the budget ran out;
 * *found is set if any anchor matched by name and key identifier. */
static int try_anchors(vstate *s, uint32_t cur, uint32_t *found)
{
	const uint8_t *der = s->certs[cur].der, *ader;
	const wt_x509_cert *c = &s->c[cur];
	uint32_t cursor = 0, n = 0;
	size_t alen;
	int r;
	int32_t idx;
	while (s->store != NULL && (ader = wt_x509_store_find(s->store, &cursor,
	    der + c->issuer.off, c->issuer.len, &n, &alen)) != NULL) {
		wt_x509_cert ac;
		if (wt_x509_parse(&ac, ader, alen) != WT_X509_OK || !may_issue(ader, &ac, der, c))
			continue;
		*found = 1;
		r = check_sig(s, ader, &ac, der, c);
		if (r == WT_X509_ERR_LIMIT)
			return -1;
		if (r != WT_X509_OK) {
			note(s, RANK_SIG, r, (int32_t)cur);
			continue;
		}
		r = validate(s, ader, &ac, &idx);
		if (r == WT_X509_OK)
			return finish(s, (int32_t)(n - 1));
		note(s, RANK_PATH, r, idx);
	}
	return 0;
}

/* Extend the path whose top is chain index cur. Returns 1 when a valid
 * path was found (s->res filled), 0 otherwise (errors noted), -1 when the
 * budget ran out. */
static int extend(vstate *s, uint32_t cur)
{
	const uint8_t *der = s->certs[cur].der;
	const wt_x509_cert *c = &s->c[cur];
	uint32_t i, found = 0;
	int r;

	r = try_anchors(s, cur, &found);
	if (r != 0)
		return r;
	/* Other certificates of the peer's list. */
	for (i = 1; i < s->n; i++) {
		const uint8_t *ider = s->certs[i].der;
		if (s->used & (1u << i))
			continue;
		if (!may_issue(ider, &s->c[i], der, c))
			continue;
		found = 1;
		/* Every edge tried costs one step, signatures checked or not:
		 * identical or mutually issuing certificates would otherwise
		 * make the search exponential. */
		if (s->steps == 0)
			return -1;
		s->steps--;
		if (s->depth >= s->max_depth) {
			note(s, RANK_SIG, WT_X509_ERR_CHAIN_TOO_LONG, (int32_t)i);
			continue;
		}
		r = check_sig(s, ider, &s->c[i], der, c);
		if (r == WT_X509_ERR_LIMIT)
			return -1;
		if (r != WT_X509_OK) {
			note(s, RANK_SIG, r, (int32_t)cur);
			continue;
		}
		s->path[s->depth++] = i;
		s->used |= 1u << i;
		r = extend(s, i);
		s->used &= ~(1u << i);
		s->depth--;
		if (r != 0)
			return r;
	}
	if (!found) {
		/* The path ends at cur without an anchor. OpenSSL's names:
		 * DEPTH_ZERO_SELF_SIGNED_CERT for a lone self-signed leaf,
		 * SELF_SIGNED_CERT_IN_CHAIN for an untrusted root, otherwise
		 * UNABLE_TO_GET_ISSUER_CERT_LOCALLY. */
		if (self_issued(der, c))
			note(s, RANK_SELF_SIGNED, cur == 0 ? WT_X509_ERR_SELF_SIGNED_LEAF
				: WT_X509_ERR_SELF_SIGNED_IN_CHAIN, (int32_t)cur);
		else
			note(s, RANK_NO_ISSUER, WT_X509_ERR_UNKNOWN_ISSUER, (int32_t)cur);
	}
	return 0;
}

/* see wt_x509.h */
int wt_x509_verify(const wt_x509_params *p, const wt_x509_blob *certs,
	size_t n, const wt_x509_store *store, wt_x509_result *res)
{
	vstate s;
	uint32_t i;
	int r;

	memset(res, 0, sizeof *res);
	res->cert_index = -1;
	res->anchor = -1;
	if (n == 0) {
		res->code = WT_X509_ERR_NO_CERT;
		return res->code;
	}
	memset(&s, 0, sizeof s);
	s.p = p;
	s.certs = certs;
	s.store = store;
	s.res = res;
	s.n = n > WT_X509_MAX_CHAIN ? WT_X509_MAX_CHAIN : (uint32_t)n;
	s.max_depth = p->max_depth == 0 ? WT_X509_DEFAULT_DEPTH
		: p->max_depth > WT_X509_MAX_DEPTH ? WT_X509_MAX_DEPTH : p->max_depth;
	s.purpose = p->purpose == 0 ? WT_X509_PURPOSE_SERVER : p->purpose;
	s.budget = WT_X509_SEARCH_BUDGET;
	s.steps = WT_X509_SEARCH_STEPS;
	s.now = (int64_t)((p->now_ms != 0 ? p->now_ms : wt_now()) / 1000);
	s.err = WT_X509_ERR_UNKNOWN_ISSUER;
	s.err_index = 0;
	if (store != NULL && store->magic != WT_X509_STORE_MAGIC) {
		res->code = WT_X509_ERR_ARG;
		return res->code;
	}
	/* The leaf must parse; other certificates that do not parse are
	 * ignored as extras (they can still be the reason nothing chains). */
	for (i = 0; i < s.n; i++) {
		r = wt_x509_parse(&s.c[i], certs[i].der, certs[i].len);
		if (r != WT_X509_OK) {
			if (i == 0) {
				res->code = r;
				res->cert_index = 0;
				return r;
			}
			/* A subject no real name equals: never an issuer. */
			memset(&s.c[i], 0, sizeof s.c[i]);
			s.c[i].subject.len = 0xffffffffu;
		}
	}
	s.path[0] = 0;
	s.depth = 1;
	s.used = 1;
	/* The leaf itself configured as an anchor (a pinned self-signed
	 * server): the path is the leaf alone; its own checks still apply. */
	for (i = 0; store != NULL && i < store->count; i++) {
		size_t alen;
		const uint8_t *ader = wt_x509_store_get(store, i, &alen);
		int32_t idx;
		if (ader != NULL && alen == certs[0].len && memcmp(ader, certs[0].der, alen) == 0) {
			r = validate(&s, NULL, NULL, &idx);
			if (r == WT_X509_OK) {
				finish(&s, (int32_t)i);
				return WT_X509_OK;
			}
			note(&s, RANK_PATH, r, idx);
		}
	}
	r = extend(&s, 0);
	if (r == 1)
		return WT_X509_OK;
	if (r < 0)
		note(&s, RANK_PATH + 1, WT_X509_ERR_LIMIT, -1);
	res->code = s.err;
	res->cert_index = s.err_index;
	return res->code;
}
