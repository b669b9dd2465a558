/*
 * test_x509.c: X.509 units natively (plain and ASan+UBSan): RFC 5280 time
 * rules, RFC 9525 host matching (wildcards, IP literals), RFC 5280 name
 * constraint matching, the parser on two OpenSSL-made certificates
 * (x509_certs.h) and on byte-patched variants of them, the trust store,
 * and path validation with an injected signature verifier (and with the
 * wt_pk.h one when it is linked in).
 */
#include <time.h>
#include "wt_pk.h"
#include "wt_x509.h"
#include "testutil.h"
#include "x509_certs.h"

/* ---- times ------------------------------------------------------------- */

static const struct {
	uint32_t tag;
	const char *s;
	int ok;
	int64_t t;
} TIMES[] = {
	{ 0x17, "700101000000Z", 1, 0 },
	{ 0x17, "000101000000Z", 1, 946684800 },
	/* 4.1.2.5.1: YY >= 50 is 19YY, YY < 50 is 20YY */
	{ 0x17, "491231235959Z", 1, 2524607999 },
	{ 0x17, "500101000000Z", 1, -631152000 },
	{ 0x18, "20380119031408Z", 1, 2147483648 },
	{ 0x18, "99991231235959Z", 1, 253402300799 },
	{ 0x18, "20500101000000Z", 1, 2524608000 },
	{ 0x17, "240229120000Z", 1, 1709208000 },  /* leap day */
	{ 0x18, "20000229000000Z", 1, 951782400 }, /* 2000 is a leap year */
	{ 0x18, "21000229000000Z", 0, 0 },         /* 2100 is not */
	{ 0x17, "230229000000Z", 0, 0 },
	{ 0x17, "4912312359Z", 0, 0 },       /* seconds missing */
	{ 0x18, "20500101000000.5Z", 0, 0 }, /* fractional seconds */
	{ 0x17, "491231235959+0100", 0, 0 }, /* not Zulu */
	{ 0x17, "491231235959z", 0, 0 },
	{ 0x17, "491331235959Z", 0, 0 }, /* month 13 */
	{ 0x17, "490100235959Z", 0, 0 }, /* day 0 */
	{ 0x17, "490431000000Z", 0, 0 }, /* April 31 */
	{ 0x17, "491231240000Z", 0, 0 }, /* hour 24 */
	{ 0x17, "491231236000Z", 0, 0 }, /* minute 60 */
	{ 0x17, "491231235960Z", 0, 0 }, /* second 60 */
	{ 0x17, "4912312359 9Z", 0, 0 },
	{ 0x17, "20491231235959Z", 0, 0 }, /* GeneralizedTime length as UTCTime */
	{ 0x18, "491231235959Z", 0, 0 },
	{ 0x04, "491231235959Z", 0, 0 }, /* not a time type */
};

static void test_times(void)
{
	size_t i;
	for (i = 0; i < sizeof TIMES / sizeof TIMES[0]; i++) {
		int64_t t = -1;
		int r = wt_x509_parse_time(TIMES[i].tag, (const uint8_t *)TIMES[i].s,
					   strlen(TIMES[i].s), &t);
		if (TIMES[i].ok)
			CHECK(r == 0 && t == TIMES[i].t, "time %s: r=%d t=%lld",
			      TIMES[i].s, r, (long long)t);
		else
			CHECK(r == WT_X509_ERR_TIME_FORMAT, "time %s accepted",
			      TIMES[i].s);
	}
}

/* ---- host names (RFC 9525 6.3) ------------------------------------------ */

static const struct {
	const char *pat, *host;
	int match;
} DNS[] = {
	{ "www.example.test", "www.example.test", 1 },
	{ "www.example.test", "WWW.Example.TEST", 1 },
	{ "WWW.EXAMPLE.TEST", "www.example.test", 1 },
	{ "www.example.test", "www.example.test.", 1 }, /* absolute form */
	{ "www.example.test", "example.test", 0 },
	{ "www.example.test", "wwww.example.test", 0 },
	{ "*.a.example", "b.a.example", 1 },
	{ "*.a.example", "B.A.EXAMPLE", 1 },
	{ "*.a.example", "a.example", 0 },
	{ "*.a.example", "x.y.a.example", 0 },
	{ "*.a.example", ".a.example", 0 },
	{ "*.example", "a.example", 0 }, /* wildcard needs two labels after it */
	{ "*.com", "example.com", 0 },
	{ "b*.a.example", "bb.a.example", 0 }, /* partial wildcards not honoured */
	{ "*b.a.example", "bb.a.example", 0 },
	{ "b.*.example", "b.a.example", 0 },
	{ "*.*.example", "a.b.example", 0 },
	{ "*", "a", 0 },
	{ "a..example", "a..example", 0 },
	{ "", "", 0 },
	{ "a.example", "*.example", 0 }, /* wildcard in the reference identity */
	{ "xn--bcher-kva.example", "XN--BCHER-KVA.example", 1 },
};

/* IP literals: text -> bytes (len 0: not an IP literal). */
static const struct {
	const char *s;
	size_t len;
	const char *hex;
} IPS[] = {
	{ "192.0.2.1", 4, "c0000201" },
	{ "0.0.0.0", 4, "00000000" },
	{ "255.255.255.255", 4, "ffffffff" },
	{ "256.0.0.1", 0, "" },
	{ "1.2.3", 0, "" },
	{ "1.2.3.4.5", 0, "" },
	{ "01.2.3.4", 0, "" }, /* leading zero: octal in some parsers */
	{ "1.2.3.4 ", 0, "" },
	{ "::1", 16, "00000000000000000000000000000001" },
	{ "::", 16, "00000000000000000000000000000000" },
	{ "2001:db8::1", 16, "20010db8000000000000000000000001" },
	{ "2001:DB8:0:0:0:0:0:1", 16, "20010db8000000000000000000000001" },
	{ "1::", 16, "00010000000000000000000000000000" },
	{ "1:2:3:4:5:6:7:8", 16, "00010002000300040005000600070008" },
	{ "::ffff:192.0.2.1", 16, "00000000000000000000ffffc0000201" },
	{ "1:2:3:4:5:6:192.0.2.1", 16, "000100020003000400050006c0000201" },
	{ "1:2:3:4:5:6:7:8:9", 0, "" },
	{ "1::2::3", 0, "" },
	{ ":1::", 0, "" },
	{ "1:", 0, "" },
	{ "12345::", 0, "" },
	{ "g::", 0, "" },
	{ "1:2:3:4:5:6:7::8", 0, "" },
	{ "fe80::1%eth0", 0, "" },
	{ "www.example.test", 0, "" },
};

static void test_names(void)
{
	size_t i;
	for (i = 0; i < sizeof DNS / sizeof DNS[0]; i++)
		CHECK(wt_x509_dns_match(DNS[i].pat, strlen(DNS[i].pat), DNS[i].host,
					strlen(DNS[i].host)) == DNS[i].match,
		      "dns %s vs %s", DNS[i].pat, DNS[i].host);
	for (i = 0; i < sizeof IPS / sizeof IPS[0]; i++) {
		uint8_t ip[16];
		size_t n = wt_x509_parse_ip(IPS[i].s, strlen(IPS[i].s), ip);
		CHECK(n == IPS[i].len && (n == 0 || eqhex(ip, n, IPS[i].hex)),
		      "ip %s -> %zu", IPS[i].s, n);
	}
}

/* ---- name constraint matching (RFC 5280 4.2.1.10) -------------------------- */

static const struct {
	const char *name, *base;
	int in;
} SUBTREES[] = {
	{ "example.test", "example.test", 1 },
	{ "www.example.test", "example.test", 1 },
	{ "a.b.example.test", "EXAMPLE.test", 1 },
	{ "wwwexample.test", "example.test", 0 }, /* labels, not characters */
	{ "example.test", ".example.test", 0 },   /* leading dot: subdomains only */
	{ "www.example.test", ".example.test", 1 },
	{ "anything.at.all", "", 1 }, /* empty base: everything */
	{ "example.test.", "example.test", 1 },
	{ "test", "example.test", 0 },
};

/* RFC 1034 3.5 / RFC 1123 2.1 preferred name syntax (RFC 5280 4.2.1.6),
 * as SAN (wildcard allowed) and as name constraint base (leading dot and
 * empty allowed). */
static const struct {
	const char *s;
	int san, subtree;
} DNS_SYNTAX[] = {
	{ "www.example.test", 1, 1 },
	{ "a", 1, 1 },
	{ "1password.com", 1, 1 }, /* RFC 1123: leading digit */
	{ "xn--bcher-kva.example", 1, 1 },
	{ "a-b.example", 1, 1 },
	{ "*.example.test", 1, 0 },
	{ ".example.test", 0, 1 },
	{ "", 0, 1 },
	{ "under_score.example", 0, 0 },
	{ "a..b.example", 0, 0 },
	{ "example.test.", 0, 0 },
	{ "..example", 0, 0 },
	{ "-a.example", 0, 0 },
	{ "a-.example", 0, 0 },
	{ "w*.example", 0, 0 },
	{ "*", 0, 0 },
	{ "*.", 0, 0 },
	{ "a.*.example", 0, 0 },
	{ "sp ace.example", 0, 0 },
	{ "a\x80.example", 0, 0 },
	{ "abcdefghij0123456789abcdefghij0123456789abcdefghij0123456789abc.x", 1,
	  1 }, /* 63 */
	{ "abcdefghij0123456789abcdefghij0123456789abcdefghij0123456789abcd.x", 0,
	  0 }, /* 64 */
};

static void test_dns_syntax(void)
{
	size_t i;
	for (i = 0; i < sizeof DNS_SYNTAX / sizeof DNS_SYNTAX[0]; i++) {
		const uint8_t *s = (const uint8_t *)DNS_SYNTAX[i].s;
		size_t n = strlen(DNS_SYNTAX[i].s);
		CHECK(wt_x509_dns_syntax(s, n, WT_X509_DNS_WILDCARD) == DNS_SYNTAX[i].san,
		      "SAN syntax '%s'", DNS_SYNTAX[i].s);
		CHECK(wt_x509_dns_syntax(s, n, WT_X509_DNS_SUBTREE) ==
			      DNS_SYNTAX[i].subtree,
		      "subtree syntax '%s'", DNS_SYNTAX[i].s);
	}
}

static void test_subtrees(void)
{
	size_t i;
	for (i = 0; i < sizeof SUBTREES / sizeof SUBTREES[0]; i++)
		CHECK(wt_x509_dns_in_subtree((const uint8_t *)SUBTREES[i].name,
					     strlen(SUBTREES[i].name),
					     (const uint8_t *)SUBTREES[i].base,
					     strlen(SUBTREES[i].base)) == SUBTREES[i].in,
		      "subtree %s in %s", SUBTREES[i].name, SUBTREES[i].base);
}

/* ---- the embedded certificates ---------------------------------------------- */

static const int64_t NB = 1795816633, NA = 1867096633; /* leaf validity */

static int span_is(const uint8_t *der, wt_x509_span s, const char *str)
{
	return s.len == strlen(str) && memcmp(der + s.off, str, s.len) == 0;
}

static void test_parse(void)
{
	wt_x509_cert c, ca;
	wt_x509_span oid, val, v;
	uint32_t tag, form, i;
	uint8_t pin[32];
	CHECK(wt_x509_parse(&c, LEAF_DER, sizeof LEAF_DER) == 0, "leaf parses");
	CHECK(c.version == 3 && c.der_len == sizeof LEAF_DER, "leaf version");
	CHECK(eqhex(LEAF_DER + c.serial.off, c.serial.len, "00c0ffee"), "leaf serial");
	CHECK(c.sig_alg == WT_X509_SIG_ECDSA_SHA256 && c.key_type == WT_X509_KEY_EC_P256,
	      "leaf algorithms");
	CHECK(c.not_before == NB && c.not_after == NA, "leaf validity %lld %lld",
	      (long long)c.not_before, (long long)c.not_after);
	CHECK(c.ext ==
		      (WT_X509_EXT_BASIC_CONSTRAINTS | WT_X509_EXT_KEY_USAGE |
		       WT_X509_EXT_EXT_KEY_USAGE | WT_X509_EXT_SAN | WT_X509_EXT_AKI |
		       WT_X509_EXT_SKI),
	      "leaf extensions %x", c.ext);
	CHECK(c.ca == 0 && c.path_len == -1, "leaf basicConstraints");
	CHECK(c.key_usage == WT_X509_KU_DIGITAL_SIGNATURE, "leaf keyUsage");
	CHECK(c.eku == WT_X509_EKU_SERVER_AUTH, "leaf EKU");
	CHECK(c.unknown_critical == 0, "leaf critical");
	CHECK(c.san_forms == ((1u << WT_X509_GN_DNS) | (1u << WT_X509_GN_IP)),
	      "leaf SAN forms");
	CHECK(c.ski.len == 20 && c.aki.len == 20, "key identifiers");
	CHECK(wt_x509_name_attr(LEAF_DER, c.subject, 0, &oid, &tag, &val) &&
		      eqhex(LEAF_DER + oid.off, oid.len, "550403") && tag == 0x0c &&
		      span_is(LEAF_DER, val, "www.example.test"),
	      "leaf subject CN");
	CHECK(!wt_x509_name_attr(LEAF_DER, c.subject, 1, &oid, &tag, &val),
	      "leaf subject has one attribute");
	CHECK(wt_x509_name_attr(LEAF_DER, c.issuer, 1, &oid, &tag, &val) &&
		      span_is(LEAF_DER, val, "Native Root"),
	      "leaf issuer CN");
	CHECK(wt_x509_san_get(LEAF_DER, &c, 0, &form, &v) && form == WT_X509_GN_DNS &&
		      span_is(LEAF_DER, v, "www.example.test"),
	      "SAN 0");
	CHECK(wt_x509_san_get(LEAF_DER, &c, 1, &form, &v) && form == WT_X509_GN_DNS &&
		      span_is(LEAF_DER, v, "*.w.example.test"),
	      "SAN 1");
	CHECK(wt_x509_san_get(LEAF_DER, &c, 2, &form, &v) && form == WT_X509_GN_IP &&
		      eqhex(LEAF_DER + v.off, v.len, "c0000201"),
	      "SAN 2");
	CHECK(wt_x509_san_get(LEAF_DER, &c, 3, &form, &v) && form == WT_X509_GN_IP &&
		      v.len == 16,
	      "SAN 3");
	CHECK(!wt_x509_san_get(LEAF_DER, &c, 4, &form, &v), "four SANs");

	/* Host checks on the real certificate. */
	{
		static const struct {
			const char *h;
			int ok;
		} H[] = {
			{ "www.example.test", 1 },   { "WWW.EXAMPLE.TEST.", 1 },
			{ "a.w.example.test", 1 },   { "w.example.test", 0 },
			{ "a.b.w.example.test", 0 }, { "example.test", 0 },
			{ "192.0.2.1", 1 },          { "192.0.2.2", 0 },
			{ "2001:db8:0::1", 1 },      { "2001:db8::2", 0 },
			{ "::ffff:192.0.2.1", 0 },
		};
		for (i = 0; i < sizeof H / sizeof H[0]; i++)
			CHECK((wt_x509_check_host(LEAF_DER, &c, H[i].h, strlen(H[i].h)) ==
			       0) == H[i].ok,
			      "host %s", H[i].h);
	}

	CHECK(wt_x509_parse(&ca, CA_DER, sizeof CA_DER) == 0, "CA parses");
	CHECK(ca.ca == 1 && ca.path_len == 0 && ca.key_usage == WT_X509_KU_KEY_CERT_SIGN,
	      "CA basics");
	CHECK(ca.nc_forms == ((1u << WT_X509_GN_DNS) | (1u << WT_X509_GN_IP)),
	      "CA constraint forms");
	CHECK(ca.nc_permitted.len > 0 && ca.nc_excluded.len > 0, "CA subtrees");
	CHECK(wt_x509_check_name_constraints(CA_DER, &ca, LEAF_DER, &c) == 0,
	      "leaf within the CA's constraints");
	CHECK(ca.subject.len == c.issuer.len &&
		      memcmp(CA_DER + ca.subject.off, LEAF_DER + c.issuer.off,
			     c.issuer.len) == 0,
	      "issuer name = CA subject");
	CHECK(ca.ski.len == c.aki.len &&
		      memcmp(CA_DER + ca.ski.off, LEAF_DER + c.aki.off, c.aki.len) == 0,
	      "AKI = SKI");

	/* Pins: SHA-256 of the SPKI. */
	wt_x509_spki_sha256(LEAF_DER, &c, pin);
	CHECK(wt_x509_check_pin(LEAF_DER, &c, pin, 1) == 0, "pin matches");
	pin[0] ^= 1;
	CHECK(wt_x509_check_pin(LEAF_DER, &c, pin, 1) == WT_X509_ERR_PIN, "pin mismatch");
	CHECK(wt_x509_der_element_len(LEAF_DER, sizeof LEAF_DER) == sizeof LEAF_DER,
	      "element length");
	CHECK(wt_x509_der_element_len(LEAF_DER, 3) == 0, "element length, truncated");
}

/* Find needle in LEAF_DER, copy the certificate and patch byte at
 * needle + k. */
static size_t patched(uint8_t *out, const char *needle_hex, size_t k, uint8_t v)
{
	size_t nl, i;
	uint8_t *needle = unhex(needle_hex, &nl);
	memcpy(out, LEAF_DER, sizeof LEAF_DER);
	for (i = 0; i + nl <= sizeof LEAF_DER; i++)
		if (memcmp(LEAF_DER + i, needle, nl) == 0) {
			out[i + k] = v;
			free(needle);
			return i;
		}
	free(needle);
	return 0;
}

static void test_patched(void)
{
	uint8_t b[sizeof LEAF_DER];
	wt_x509_cert c;
	/* authorityKeyIdentifier's OID turned into subjectKeyIdentifier's:
	 * RFC 5280 4.2 "MUST NOT include more than one instance". */
	CHECK(patched(b, "0603551d23", 4, 0x0e) &&
		      wt_x509_parse(&c, b, sizeof b) == WT_X509_ERR_DUPLICATE_EXT,
	      "duplicate extension refused");
	/* The inner signature algorithm (first ecdsa-with-SHA256 OID, in the
	 * TBS) changed to SHA-384: 4.1.1.2 requires the two to match. */
	CHECK(patched(b, "06082a8648ce3d040302", 9, 0x03) &&
		      wt_x509_parse(&c, b, sizeof b) == WT_X509_ERR_SIG_ALG_MISMATCH,
	      "signature algorithm mismatch refused");
	/* keyUsage (critical) turned into an unknown extension 2.5.29.127:
	 * parses, counted, fails validation. */
	CHECK(patched(b, "0603551d0f", 4, 0x7f) && wt_x509_parse(&c, b, sizeof b) == 0 &&
		      c.unknown_critical == 1,
	      "unknown critical extension counted");
	/* Version 4 (value 3) does not exist. */
	CHECK(patched(b, "a003020102", 4, 0x03) &&
		      wt_x509_parse(&c, b, sizeof b) == WT_X509_ERR_VERSION,
	      "version 4");
	/* UTCTime 'Z' -> '+': not RFC 5280 4.1.2.5.1. */
	CHECK(patched(b, "170d3236313132373231353731335a", 14, '+') &&
		      wt_x509_parse(&c, b, sizeof b) == WT_X509_ERR_TIME_FORMAT,
	      "time zone refused");
	/* Name constraints (the CA permits 2001:db8::/32 and example.test):
	 * SAN 3001:db8::1, and a dNSName ending "example.tesu". */
	{
		wt_x509_cert ca;
		wt_x509_parse(&ca, CA_DER, sizeof CA_DER);
		CHECK(patched(b, "871020010db8", 2, 0x30) &&
			      wt_x509_parse(&c, b, sizeof b) == 0 &&
			      wt_x509_check_name_constraints(CA_DER, &ca, b, &c) ==
				      WT_X509_ERR_NAME_PERMITTED,
		      "IPv6 outside permitted");
		CHECK(patched(b, "82107777772e6578616d706c652e74657374", 17, 'u') &&
			      wt_x509_parse(&c, b, sizeof b) == 0 &&
			      wt_x509_check_name_constraints(CA_DER, &ca, b, &c) ==
				      WT_X509_ERR_NAME_PERMITTED,
		      "DNS outside permitted");
	}
	/* Trailing bytes after the certificate. */
	{
		uint8_t t[sizeof LEAF_DER + 1];
		memcpy(t, LEAF_DER, sizeof LEAF_DER);
		t[sizeof LEAF_DER] = 0;
		CHECK(wt_x509_parse(&c, t, sizeof t) == WT_X509_ERR_DECODE,
		      "trailing byte refused");
	}
}

/* ---- store ----------------------------------------------------------------- */

static void b64(const uint8_t *in, size_t n, char *out)
{
	static const char A[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i, o = 0;
	for (i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 |
			(i + 1 < n ? (uint32_t)in[i + 1] << 8 : 0) |
			(i + 2 < n ? in[i + 2] : 0);
		out[o++] = A[v >> 18];
		out[o++] = A[(v >> 12) & 63];
		out[o++] = i + 1 < n ? A[(v >> 6) & 63] : '=';
		out[o++] = i + 2 < n ? A[v & 63] : '=';
		if ((i / 3) % 16 == 15)
			out[o++] = '\n';
	}
	out[o] = 0;
}

static union {
	wt_x509_store s;
	uint8_t b[4096];
} STORE;

static void test_store(void)
{
	char pem[4096], body[1024];
	uint32_t added = 0;
	size_t len;
	const uint8_t *p;
	CHECK(wt_x509_store_init(&STORE.s, 8) == WT_X509_ERR_ARG, "store too small");
	CHECK(wt_x509_store_init(&STORE.s, sizeof STORE) == 0, "store init");
	CHECK(wt_x509_store_add_der(&STORE.s, CA_DER, sizeof CA_DER) == 0 &&
		      STORE.s.count == 1,
	      "add DER");
	CHECK(wt_x509_store_add_der(&STORE.s, CA_DER, sizeof CA_DER) == 0 &&
		      STORE.s.count == 1,
	      "duplicate not added");
	CHECK(wt_x509_store_add_der(&STORE.s, CA_DER, 10) == WT_X509_ERR_DECODE &&
		      STORE.s.count == 1,
	      "bad DER refused");
	b64(LEAF_DER, sizeof LEAF_DER, body);
	snprintf(pem, sizeof pem,
		 "comment\n-----BEGIN OTHER-----\nAAAA\n-----END OTHER-----\n"
		 "-----BEGIN CERTIFICATE-----\n%s\n-----END CERTIFICATE-----\n",
		 body);
	CHECK(wt_x509_store_add_pem(&STORE.s, pem, strlen(pem), &added) == 0 &&
		      added == 1 && STORE.s.count == 2,
	      "add PEM");
	p = wt_x509_store_get(&STORE.s, 1, &len);
	CHECK(p != NULL && len == sizeof LEAF_DER && memcmp(p, LEAF_DER, len) == 0,
	      "get");
	CHECK(wt_x509_store_get(&STORE.s, 2, &len) == NULL, "get past the end");
	{
		static union {
			wt_x509_store s;
			uint8_t b[600];
		} small;
		wt_x509_store_init(&small.s, sizeof small);
		CHECK(wt_x509_store_add_der(&small.s, CA_DER, sizeof CA_DER) == 0,
		      "small store: one fits");
		CHECK(wt_x509_store_add_der(&small.s, LEAF_DER, sizeof LEAF_DER) ==
			      WT_X509_ERR_LIMIT,
		      "small store: full");
	}
}

/* ---- path validation with an injected verifier ------------------------------ */

static struct {
	int calls;
	uint32_t scheme;
	int answer;
	size_t spkilen, msglen;
} FAKE;

static int fake_verify(void *ctx, const uint8_t *spki, size_t spkilen, uint32_t scheme,
		       const uint8_t *msg, size_t msglen, const uint8_t *sig,
		       size_t siglen)
{
	(void)ctx;
	(void)spki;
	(void)msg;
	(void)sig;
	(void)siglen;
	FAKE.calls++;
	FAKE.scheme = scheme;
	FAKE.spkilen = spkilen;
	FAKE.msglen = msglen;
	return FAKE.answer;
}

static int run(const wt_x509_blob *chain, size_t n, const wt_x509_store *st,
	       const char *host, uint32_t purpose, int64_t now, wt_x509_result *res)
{
	wt_x509_params p;
	memset(&p, 0, sizeof p);
	p.now_ms = (uint64_t)now * 1000;
	p.purpose = purpose;
	p.host = host;
	p.host_len = host ? strlen(host) : 0;
	p.sig_verify = fake_verify;
	return wt_x509_verify(&p, chain, n, st, res);
}

static void test_verify(void)
{
	static union {
		wt_x509_store s;
		uint8_t b[2048];
	} st, self, empty;
	wt_x509_blob chain[3] = { { LEAF_DER, sizeof LEAF_DER },
				  { CA_DER, sizeof CA_DER },
				  { CA_DER, sizeof CA_DER } };
	wt_x509_result res;
	wt_x509_cert c, ca;
	int64_t now = NB + 86400;
	int r;
	wt_x509_parse(&c, LEAF_DER, sizeof LEAF_DER);
	wt_x509_parse(&ca, CA_DER, sizeof CA_DER);
	wt_x509_store_init(&st.s, sizeof st);
	wt_x509_store_add_der(&st.s, CA_DER, sizeof CA_DER);
	wt_x509_store_init(&empty.s, sizeof empty);

	memset(&FAKE, 0, sizeof FAKE);
	r = run(chain, 1, &st.s, "www.example.test", WT_X509_PURPOSE_SERVER, now, &res);
	CHECK(r == 0 && res.code == 0 && res.anchor == 0 && res.path_len == 1 &&
		      res.path[0] == 0,
	      "valid: %d", r);
	/* The verifier saw the CA's SPKI, the leaf's TBS, ecdsa_secp256r1_sha256. */
	CHECK(FAKE.calls == 1 && FAKE.scheme == WT_SIG_ECDSA_SECP256R1_SHA256 &&
		      FAKE.spkilen == ca.spki.len && FAKE.msglen == c.tbs.len,
	      "verifier inputs");
	CHECK(run(chain, 3, &st.s, "a.w.example.test", WT_X509_PURPOSE_SERVER, now,
		  &res) == 0,
	      "root sent too, wildcard host");
	CHECK(run(chain, 1, &st.s, "192.0.2.1", WT_X509_PURPOSE_ANY, now, &res) == 0,
	      "IP host, any purpose");
	CHECK(run(chain, 1, &st.s, "other.test", WT_X509_PURPOSE_SERVER, now, &res) ==
			      WT_X509_ERR_HOSTNAME &&
		      res.cert_index == 0 && wt_x509_err_alert(res.code) == 42,
	      "host mismatch");
	CHECK(run(chain, 1, &st.s, NULL, WT_X509_PURPOSE_CLIENT, now, &res) ==
			      WT_X509_ERR_PURPOSE &&
		      wt_x509_err_alert(res.code) == 43,
	      "client purpose");
	CHECK(run(chain, 1, &st.s, NULL, 0, NB - 1, &res) == WT_X509_ERR_NOT_YET_VALID,
	      "one second early");
	CHECK(run(chain, 1, &st.s, NULL, 0, NB, &res) == 0, "notBefore inclusive");
	CHECK(run(chain, 1, &st.s, NULL, 0, NA, &res) == 0, "notAfter inclusive");
	CHECK(run(chain, 1, &st.s, NULL, 0, NA + 1, &res) == WT_X509_ERR_EXPIRED &&
		      wt_x509_err_alert(res.code) == 45,
	      "one second late");
	FAKE.answer = WT_PK_ERR_SIG;
	CHECK(run(chain, 1, &st.s, NULL, 0, now, &res) == WT_X509_ERR_BAD_SIGNATURE,
	      "bad signature");
	FAKE.answer = WT_PK_ERR_KEY;
	CHECK(run(chain, 1, &st.s, NULL, 0, now, &res) == WT_X509_ERR_UNSUPPORTED_KEY,
	      "unsupported key");
	FAKE.answer = 0;
	CHECK(run(chain, 1, &empty.s, NULL, 0, now, &res) == WT_X509_ERR_UNKNOWN_ISSUER &&
		      wt_x509_err_alert(res.code) == 48,
	      "no anchor");
	CHECK(run(chain, 1, NULL, NULL, 0, now, &res) == WT_X509_ERR_UNKNOWN_ISSUER,
	      "no store");
	CHECK(run(chain, 2, &empty.s, NULL, 0, now, &res) ==
			      WT_X509_ERR_SELF_SIGNED_IN_CHAIN &&
		      res.cert_index == 1,
	      "untrusted root in chain");
	CHECK(run(chain + 1, 1, &empty.s, NULL, 0, now, &res) ==
		      WT_X509_ERR_SELF_SIGNED_LEAF,
	      "self-signed alone");
	CHECK(run(chain, 0, &st.s, NULL, 0, now, &res) == WT_X509_ERR_NO_CERT,
	      "empty chain");
	/* The leaf itself trusted: no signature needed. */
	wt_x509_store_init(&self.s, sizeof self);
	wt_x509_store_add_der(&self.s, LEAF_DER, sizeof LEAF_DER);
	FAKE.calls = 0;
	CHECK(run(chain, 1, &self.s, "www.example.test", 0, now, &res) == 0 &&
		      FAKE.calls == 0,
	      "leaf as anchor");
	/* A store that is not one. */
	{
		static union {
			wt_x509_store s;
			uint8_t b[64];
		} junk;
		memset(&junk, 0x41, sizeof junk);
		CHECK(run(chain, 1, &junk.s, NULL, 0, now, &res) == WT_X509_ERR_ARG,
		      "bad store");
	}
	/* Forty copies of the self-issued root after the leaf, nothing
	 * trusted, every signature "valid": each copy is the same name and key
	 * as the others, so going up through another copy is a loop; the
	 * search ends with the untrusted root, after one signature check per
	 * (certificate, issuer key), not one per ordering. All forty are
	 * looked at (no first-16 cut): trusting the CA finds the path. */
	{
		wt_x509_blob many[41];
		size_t k;
		many[0] = chain[0];
		for (k = 1; k < 41; k++)
			many[k] = chain[1];
		FAKE.calls = 0;
		r = run(many, 41, &empty.s, NULL, 0, now, &res);
		CHECK(r == WT_X509_ERR_SELF_SIGNED_IN_CHAIN, "copies of a root: %d", r);
		CHECK(FAKE.calls <= 41 * 2, "signature checks bounded: %d", FAKE.calls);
		r = run(many, 41, &st.s, NULL, 0, now, &res);
		CHECK(r == 0 && res.path_len == 1, "anchor found first: %d", r);
		/* The only issuer sent last, behind 39 unrelated leaves. */
		for (k = 1; k < 40; k++)
			many[k] = chain[0];
		many[40] = chain[1];
		r = run(many, 41, &empty.s, NULL, 0, now, &res);
		CHECK(r == WT_X509_ERR_SELF_SIGNED_IN_CHAIN && res.cert_index == 40,
		      "issuer at index 40 found: %d %d", r, res.cert_index);
	}
	/* Store lookup by subject. */
	{
		uint32_t cur = 0, idx = 0;
		size_t len;
		const uint8_t *p = wt_x509_store_find(
			&st.s, &cur, LEAF_DER + c.issuer.off, c.issuer.len, &idx, &len);
		CHECK(p != NULL && idx == 1 && len == sizeof CA_DER, "find by subject");
		CHECK(wt_x509_store_find(&st.s, &cur, LEAF_DER + c.issuer.off,
					 c.issuer.len, &idx, &len) == NULL,
		      "only one");
	}
	/* The CA used as its own leaf: basicConstraints says CA, keyUsage
	 * lacks digitalSignature. */
	CHECK(run(chain + 1, 1, &st.s, NULL, WT_X509_PURPOSE_SERVER, now, &res) ==
		      WT_X509_ERR_KEY_USAGE,
	      "CA as leaf");

	/* The wt_pk.h verifier (the default). */
	{
		wt_x509_params p;
		memset(&p, 0, sizeof p);
		p.now_ms = (uint64_t)now * 1000;
		CHECK(wt_x509_verify(&p, chain, 1, &st.s, &res) == 0,
		      "real signature verifies");
		CHECK(wt_x509_check_signature(&p, CA_DER, sizeof CA_DER, CA_DER,
					      sizeof CA_DER) == 0,
		      "root self-signature");
		CHECK(wt_x509_check_signature(&p, LEAF_DER, sizeof LEAF_DER, LEAF_DER,
					      sizeof LEAF_DER) ==
			      WT_X509_ERR_BAD_SIGNATURE,
		      "leaf is not signed by its own key");
		{
			uint8_t b[sizeof LEAF_DER];
			wt_x509_blob bad = { b, sizeof b };
			memcpy(b, LEAF_DER, sizeof b);
			b[sizeof b - 3] ^= 0x10;
			CHECK(wt_x509_verify(&p, &bad, 1, &st.s, &res) ==
					      WT_X509_ERR_BAD_SIGNATURE &&
				      res.cert_index == 0,
			      "flipped signature bit");
			/* The loudly named test mode skips exactly that check. */
			p.flags = WT_X509_INSECURE_SKIP_SIGNATURES;
			CHECK(wt_x509_verify(&p, &bad, 1, &st.s, &res) == 0,
			      "insecure mode skips signatures");
		}
	}
}

/* Adversarial work: 40 self-issued CAs with one name and 40 different keys
 * after the leaf (each can "issue" every other, every signature "valid",
 * nothing trusted): 1640 distinct (certificate, key) pairs, orderings
 * without end. The search stops at its signature budget
 * (WT_X509_SEARCH_BUDGET + WT_X509_SEARCH_PER_CERT per certificate) with
 * CERT_LIMIT_EXCEEDED, in bounded time; with the real CA trusted, the
 * valid path is found first. */
static void test_search_bounds(void)
{
	enum { N = 41 };
	static uint8_t copies[N - 1][sizeof CA_DER];
	static union {
		wt_x509_store s;
		uint8_t b[2048];
	} st, empty;
	wt_x509_blob chain[N];
	wt_x509_result res;
	wt_x509_cert ca;
	clock_t t0;
	double ms;
	int64_t now = NB + 86400;
	size_t k;
	int r;
	wt_x509_parse(&ca, CA_DER, sizeof CA_DER);
	chain[0].der = LEAF_DER;
	chain[0].len = sizeof LEAF_DER;
	for (k = 0; k + 1 < N; k++) {
		memcpy(copies[k], CA_DER, sizeof CA_DER);
		/* another key: two octets of the EC point */
		copies[k][ca.spki.off + ca.spki.len - 1] ^= (uint8_t)(k + 1);
		copies[k][ca.spki.off + ca.spki.len - 2] ^=
			(uint8_t)((k + 1) >> 8 | 0x40);
		chain[k + 1].der = copies[k];
		chain[k + 1].len = sizeof CA_DER;
	}
	wt_x509_store_init(&st.s, sizeof st);
	wt_x509_store_add_der(&st.s, CA_DER, sizeof CA_DER);
	wt_x509_store_init(&empty.s, sizeof empty);
	memset(&FAKE, 0, sizeof FAKE);
	t0 = clock();
	r = run(chain, N, &empty.s, NULL, 0, now, &res);
	ms = (double)(clock() - t0) * 1000.0 / CLOCKS_PER_SEC;
	CHECK(r == WT_X509_ERR_LIMIT, "no anchor: %d", r);
	CHECK(FAKE.calls == WT_X509_SEARCH_BUDGET + WT_X509_SEARCH_PER_CERT * N,
	      "signature checks %d", FAKE.calls);
	CHECK(ms < 2000, "bounded time: %.1f ms", ms);
	printf("x509 search, %d self-issuing CAs with distinct keys, no anchor: %s in "
	       "%.1f ms, %d signature checks\n",
	       N - 1, wt_x509_err_name(r), ms, FAKE.calls);
	FAKE.calls = 0;
	r = run(chain, N, &st.s, NULL, 0, now, &res);
	CHECK(r == 0 && res.path_len == 1 && FAKE.calls == 1,
	      "anchor first: %d, %d checks", r, FAKE.calls);
}

static void test_errors(void)
{
	static const int codes[] = {
		WT_X509_ERR_DECODE,
		WT_X509_ERR_VERSION,
		WT_X509_ERR_SIG_ALG_MISMATCH,
		WT_X509_ERR_TIME_FORMAT,
		WT_X509_ERR_DUPLICATE_EXT,
		WT_X509_ERR_BAD_EXT,
		WT_X509_ERR_UNSUPPORTED_SIG,
		WT_X509_ERR_UNSUPPORTED_KEY,
		WT_X509_ERR_BAD_SIGNATURE,
		WT_X509_ERR_EXPIRED,
		WT_X509_ERR_NOT_YET_VALID,
		WT_X509_ERR_UNKNOWN_ISSUER,
		WT_X509_ERR_SELF_SIGNED_LEAF,
		WT_X509_ERR_SELF_SIGNED_IN_CHAIN,
		WT_X509_ERR_NOT_CA,
		WT_X509_ERR_PATH_LEN,
		WT_X509_ERR_CHAIN_TOO_LONG,
		WT_X509_ERR_KEY_USAGE_CA,
		WT_X509_ERR_KEY_USAGE,
		WT_X509_ERR_PURPOSE,
		WT_X509_ERR_UNKNOWN_CRITICAL,
		WT_X509_ERR_NAME_PERMITTED,
		WT_X509_ERR_NAME_EXCLUDED,
		WT_X509_ERR_NAME_UNSUPPORTED,
		WT_X509_ERR_HOSTNAME,
		WT_X509_ERR_PIN,
		WT_X509_ERR_NO_CERT,
		WT_X509_ERR_LIMIT,
		WT_X509_ERR_ARG,
		WT_X509_ERR_LEAF_CA,
		WT_X509_ERR_LEAF_KEY,
		WT_X509_ERR_NEGATIVE_SERIAL,
		WT_X509_ERR_MISSING_AKI,
		WT_X509_ERR_MISSING_SKI,
		WT_X509_ERR_SAN_CRITICAL,
	};
	size_t i;
	for (i = 0; i < sizeof codes / sizeof codes[0]; i++)
		CHECK(strcmp(wt_x509_err_name(codes[i]), "UNKNOWN") != 0 &&
			      wt_x509_err_alert(codes[i]) != 0,
		      "code %d named", codes[i]);
	CHECK(strcmp(wt_x509_err_name(-9999), "UNKNOWN") == 0 &&
		      wt_x509_err_alert(-9999) == 46,
	      "unknown code");
	CHECK(wt_x509_err_alert(0) == 0, "OK has no alert");
}

int main(void)
{
	test_times();
	test_names();
	test_subtrees();
	test_dns_syntax();
	test_parse();
	test_patched();
	test_store();
	test_verify();
	test_search_bounds();
	test_errors();
	return t_done();
}
