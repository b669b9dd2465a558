/*
 * names.c: service identity (RFC 9525) and name constraints (RFC 5280
 * 4.2.1.10) over the spans of a parsed certificate.
 *
 * Public data only: NOT constant-time.
 */
#include "inner.h"
#include "wt_der.h"
#include "wt_x509.h"

static uint8_t lower(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') ? (uint8_t)(c + 32) : c;
}

/* ASCII case-insensitive equality (RFC 9525 6.3: "case-insensitive ASCII
 * comparison"; RFC 4343). */
static int ieq(const uint8_t *a, const uint8_t *b, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (lower(a[i]) != lower(b[i]))
			return 0;
	return 1;
}

/* 1 if every dot-separated label of s is non-empty and s holds no '*'. */
static int labels_ok(const uint8_t *s, size_t n)
{
	size_t i, lab = 0;
	if (n == 0)
		return 0;
	for (i = 0; i < n; i++) {
		if (s[i] == '*' || s[i] == 0)
			return 0;
		if (s[i] == '.') {
			if (lab == 0)
				return 0;
			lab = 0;
		} else {
			lab++;
		}
	}
	return lab != 0;
}

/* see wt_x509.h */
int wt_x509_dns_match(const char *patc, size_t plen, const char *hostc, size_t hlen)
{
	const uint8_t *pat = (const uint8_t *)patc, *host = (const uint8_t *)hostc;
	size_t i;
	/* An absolute name's trailing dot is not part of the comparison. */
	if (hlen > 0 && host[hlen - 1] == '.')
		hlen--;
	if (plen > 0 && pat[plen - 1] == '.')
		plen--;
	if (!labels_ok(host, hlen))
		return 0;
	if (plen >= 2 && pat[0] == '*' && pat[1] == '.') {
		/*
		 * RFC 9525 6.3: "If the DNS domain name portion of a presented
		 * identifier contains the wildcard character '*' ... the client
		 * MUST NOT attempt to match a presented identifier in which the
		 * wildcard character comprises a label other than the left-most
		 * label"; "*.example.com would match foo.example.com but not
		 * bar.foo.example.com or example.com". The rest must hold at
		 * least two labels, so "*.com" matches nothing (as OpenSSL).
		 */
		const uint8_t *rest = pat + 2;
		size_t rlen = plen - 2, dots = 0;
		if (!labels_ok(rest, rlen))
			return 0;
		for (i = 0; i < rlen; i++)
			dots += rest[i] == '.';
		if (dots == 0)
			return 0;
		for (i = 0; i < hlen && host[i] != '.'; i++)
			;
		/* host = label "." rest, with a non-empty first label */
		if (i == 0 || i == hlen)
			return 0;
		return hlen - i - 1 == rlen && ieq(host + i + 1, rest, rlen);
	}
	/* No other wildcard form is honoured ("w*.example.com", "*w.",
	 * "a.*.example.com"): labels_ok refuses '*' anywhere. */
	if (!labels_ok(pat, plen))
		return 0;
	return plen == hlen && ieq(pat, host, hlen);
}

static int hexval(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = lower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Dotted quad: four decimal octets, no leading zeros (which some parsers
 * read as octal), nothing else. */
static int parse_v4(const uint8_t *s, size_t n, uint8_t out[4])
{
	size_t i = 0, k;
	for (k = 0; k < 4; k++) {
		uint32_t v = 0, nd = 0;
		if (k > 0) {
			if (i >= n || s[i] != '.')
				return 0;
			i++;
		}
		while (i < n && s[i] >= '0' && s[i] <= '9' && nd < 4) {
			v = v * 10 + (uint32_t)(s[i] - '0');
			i++;
			nd++;
		}
		if (nd == 0 || nd > 3 || v > 255 || (nd > 1 && s[i - nd] == '0'))
			return 0;
		out[k] = (uint8_t)v;
	}
	return i == n;
}

/* RFC 4291 2.2 text forms: eight 16-bit groups, "::" once for a run of
 * zero groups, and optionally a dotted quad as the last 32 bits. */
static int parse_v6(const uint8_t *s, size_t n, uint8_t out[16])
{
	uint8_t g[16];
	size_t i = 0, ng = 0;
	int gap = -1;
	if (n >= 2 && s[0] == ':' && s[1] == ':') {
		gap = 0;
		i = 2;
	} else if (n >= 1 && s[0] == ':') {
		return 0;
	}
	while (i < n) {
		size_t j = i, nd = 0;
		uint32_t v = 0;
		int h;
		/* A dotted quad may end the address. */
		for (j = i; j < n && s[j] != ':'; j++)
			;
		if (j == n) {
			size_t t;
			for (t = i; t < n && s[t] != '.'; t++)
				;
			if (t < n) {
				if (ng > 6 || !parse_v4(s + i, n - i, g + 2 * ng))
					return 0;
				ng += 2;
				i = n;
				break;
			}
		}
		while (i < n && (h = hexval(s[i])) >= 0 && nd < 5) {
			v = (v << 4) | (uint32_t)h;
			i++;
			nd++;
		}
		if (nd == 0 || nd > 4 || ng >= 8)
			return 0;
		g[2 * ng] = (uint8_t)(v >> 8);
		g[2 * ng + 1] = (uint8_t)v;
		ng++;
		if (i == n)
			break;
		if (s[i] != ':')
			return 0;
		i++;
		if (i < n && s[i] == ':') {
			if (gap >= 0)
				return 0;
			gap = (int)ng;
			i++;
		} else if (i == n) {
			return 0; /* trailing single ':' */
		}
	}
	if (gap < 0) {
		if (ng != 8)
			return 0;
		memcpy(out, g, 16);
	} else {
		size_t z;
		if (ng > 7)
			return 0;
		z = 8 - ng;
		memset(out, 0, 16);
		memcpy(out, g, 2 * (size_t)gap);
		memcpy(out + 2 * ((size_t)gap + z), g + 2 * gap, 2 * (ng - (size_t)gap));
	}
	return 1;
}

/* see wt_x509.h */
size_t wt_x509_parse_ip(const char *host, size_t len, uint8_t out[16])
{
	const uint8_t *s = (const uint8_t *)host;
	size_t i;
	for (i = 0; i < len; i++)
		if (s[i] == ':')
			return parse_v6(s, len, out) ? 16 : 0;
	return parse_v4(s, len, out) ? 4 : 0;
}

/* see wt_x509.h */
int wt_x509_check_san_syntax(const uint8_t *der, const wt_x509_cert *c)
{
	uint32_t i, form;
	wt_x509_span v;
	for (i = 0; wt_x509_san_get(der, c, i, &form, &v); i++)
		if (form == WT_X509_GN_DNS &&
		    !wt_x509_dns_syntax(der + v.off, v.len, WT_X509_DNS_WILDCARD))
			return WT_X509_ERR_BAD_EXT;
	return WT_X509_OK;
}

/* see wt_x509.h */
int wt_x509_check_host(const uint8_t *der, const wt_x509_cert *c, const char *host,
		       size_t hostlen)
{
	uint8_t ip[16];
	size_t iplen = wt_x509_parse_ip(host, hostlen, ip);
	uint32_t i, form;
	wt_x509_span v;
	/* RFC 9525 6.3: the CN-ID is not used: only subjectAltName DNS-IDs
	 * and, for an IP address reference identity, iPAddress entries
	 * (6.2: "the reference identity ... an IP address ... matched by
	 * octet-for-octet comparison"; never against a DNS-ID, so no
	 * wildcard can match an IP). */
	for (i = 0; wt_x509_san_get(der, c, i, &form, &v); i++) {
		if (iplen != 0) {
			if (form == WT_X509_GN_IP && v.len == iplen &&
			    memcmp(der + v.off, ip, iplen) == 0)
				return WT_X509_OK;
		} else if (form == WT_X509_GN_DNS) {
			if (wt_x509_dns_match((const char *)der + v.off, v.len, host,
					      hostlen))
				return WT_X509_OK;
		}
	}
	return WT_X509_ERR_HOSTNAME;
}

/* see wt_x509.h */
int wt_x509_dns_in_subtree(const uint8_t *name, size_t nlen, const uint8_t *base,
			   size_t blen)
{
	/* RFC 5280 4.2.1.10: "any DNS name that can be constructed by simply
	 * adding zero or more labels to the left-hand side of the name
	 * satisfies the name constraint"; an empty base matches everything.
	 * A leading '.' (a common extension, honoured by OpenSSL) admits
	 * only proper subdomains. */
	if (nlen > 0 && name[nlen - 1] == '.')
		nlen--;
	if (blen > 0 && base[blen - 1] == '.')
		blen--;
	if (blen == 0)
		return 1;
	if (base[0] == '.')
		return nlen > blen && ieq(name + nlen - blen, base, blen);
	if (nlen == blen)
		return ieq(name, base, blen);
	return nlen > blen && name[nlen - blen - 1] == '.' &&
		ieq(name + nlen - blen, base, blen);
}

/* An excluded DNS subtree also catches a wildcard SAN that could stand for
 * a name inside it: "*.example.com" covers "bad.example.com". */
static int wildcard_reaches(const uint8_t *name, size_t nlen, const uint8_t *base,
			    size_t blen)
{
	size_t rlen, i;
	if (nlen < 3 || name[0] != '*' || name[1] != '.')
		return 0;
	if (blen > 0 && base[0] == '.') {
		base++;
		blen--;
	}
	rlen = nlen - 2;
	/* base = one label "." rest-of-wildcard */
	if (blen <= rlen + 1 || base[blen - rlen - 1] != '.' ||
	    !ieq(base + blen - rlen, name + 2, rlen))
		return 0;
	for (i = 0; i < blen - rlen - 1; i++)
		if (base[i] == '.')
			return 0;
	return 1;
}

/* IP subtree: address and mask (RFC 5280 4.2.1.10: "the iPAddress field
 * MUST contain eight (8) octets ... CIDR notation"). */
static int ip_in_subtree(const uint8_t *ip, size_t len, const uint8_t *st, size_t stlen)
{
	size_t i;
	if (stlen != 2 * len)
		return 0;
	for (i = 0; i < len; i++)
		if ((ip[i] & st[len + i]) != (st[i] & st[len + i]))
			return 0;
	return 1;
}

/* Contents of a Name element (SEQUENCE header stripped). */
static wt_der name_contents(const uint8_t *p, size_t n)
{
	wt_der d, in;
	wt_der_init(&d, p, n);
	if (wt_der_enter_seq(&d, &in) < 0)
		wt_der_init(&in, p, 0);
	return in;
}

/* directoryName subtree: the name's RDN sequence begins with the base's
 * RDNs, compared as DER octets (RFC 5280 7.1 allows binary comparison of
 * names encoded the same way; we do not case-fold). */
static int dn_in_subtree(const uint8_t *name, size_t nlen, const uint8_t *base,
			 size_t blen)
{
	wt_der n = name_contents(name, nlen), b = name_contents(base, blen);
	return b.len <= n.len && memcmp(n.buf, b.buf, b.len) == 0;
}

/* Name comparisons one validation may spend on constraints; past it the
 * certificate is refused rather than searched (pathological sizes). */
#define NC_BUDGET 100000u

/* Is (form, name) allowed by the subtrees of ca? */
static int nc_one(const uint8_t *cader, const wt_x509_cert *ca, uint32_t form,
		  const uint8_t *name, size_t nlen, uint32_t *budget)
{
	int pass;
	for (pass = 0; pass < 2; pass++) {
		wt_x509_span sp = pass == 0 ? ca->nc_permitted : ca->nc_excluded;
		wt_der st;
		int seen = 0, hit = 0;
		if (sp.len == 0)
			continue;
		wt_der_init(&st, cader + sp.off, sp.len);
		while (st.len != 0) {
			wt_der sub, val;
			uint32_t tag;
			if (wt_der_enter_seq(&st, &sub) < 0 ||
			    wt_der_read_any(&sub, &tag, &val, NULL) < 0)
				return WT_X509_ERR_DECODE;
			if ((tag & 0x1f) != form)
				continue;
			if (*budget == 0)
				return WT_X509_ERR_LIMIT;
			(*budget)--;
			seen = 1;
			switch (form) {
			case WT_X509_GN_DNS:
				hit = wt_x509_dns_in_subtree(name, nlen, val.buf,
							     val.len) ||
					(pass == 1 &&
					 wildcard_reaches(name, nlen, val.buf, val.len));
				break;
			case WT_X509_GN_IP:
				hit = ip_in_subtree(name, nlen, val.buf, val.len);
				break;
			case WT_X509_GN_DIRNAME:
				hit = dn_in_subtree(name, nlen, val.buf, val.len);
				break;
			default: break;
			}
			if (hit)
				break;
		}
		/* 4.2.1.10: names must fall within a permitted subtree of
		 * their form, if any is given, and in no excluded subtree. */
		if (pass == 0 && seen && !hit)
			return WT_X509_ERR_NAME_PERMITTED;
		if (pass == 1 && hit)
			return WT_X509_ERR_NAME_EXCLUDED;
	}
	return WT_X509_OK;
}

/* see wt_x509.h */
int wt_x509_check_name_constraints(const uint8_t *cader, const wt_x509_cert *ca,
				   const uint8_t *der, const wt_x509_cert *c)
{
	const uint32_t handled = (1u << WT_X509_GN_DNS) | (1u << WT_X509_GN_IP) |
		(1u << WT_X509_GN_DIRNAME);
	uint32_t budget = NC_BUDGET, i, form;
	wt_x509_span v;
	int r;
	if (!(ca->ext & WT_X509_EXT_NAME_CONSTRAINTS))
		return WT_X509_OK;
	/* 4.2.1.10: "If a name constraints extension that is marked as
	 * critical imposes constraints on a particular name form, and an
	 * instance of that name form appears in the subject field or
	 * subjectAltName extension of a subsequent certificate, then the
	 * application MUST either process the constraint or reject the
	 * certificate." We process DNS, IP and directoryName; for the rest
	 * we reject (whether or not the extension is critical). */
	if (c->san_forms & ca->nc_forms & ~handled)
		return WT_X509_ERR_NAME_UNSUPPORTED;
	for (i = 0; wt_x509_san_get(der, c, i, &form, &v); i++) {
		if (!((1u << form) & handled))
			continue;
		r = nc_one(cader, ca, form, der + v.off, v.len, &budget);
		if (r != WT_X509_OK)
			return r;
	}
	/* The subject is a directoryName too ("subject field"), unless it is
	 * empty. */
	if (name_contents(der + c->subject.off, c->subject.len).len != 0) {
		r = nc_one(cader, ca, WT_X509_GN_DIRNAME, der + c->subject.off,
			   c->subject.len, &budget);
		if (r != WT_X509_OK)
			return r;
	}
	return WT_X509_OK;
}
