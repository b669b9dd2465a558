/*
 * cert.c: the X.509 certificate parser (RFC 5280 section 4) over the
 * strict DER reader of wt_der.h.
 *
 * Results are spans (offset, length) into the caller's DER, never
 * pointers, so a wt_x509_cert can be copied, stored in wasm memory and
 * outlive the cursor used to fill it. Structures of unbounded length (the
 * SAN list, name constraints, name attributes) are checked here once and
 * walked again by the iterators below, which can then trust them.
 *
 * Public data only: NOT constant-time.
 */
#include "inner.h"
#include "wt_der.h"
#include "wt_pk.h"
#include "wt_x509.h"

/* ---- object identifiers (contents octets) ------------------------------ */

#define OID(name, ...) static const uint8_t name[] = { __VA_ARGS__ }
/* PKCS #1 (RFC 8017 A.1, A.2.4) */
OID(OID_RSA, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01);
OID(OID_RSA_PSS, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a);
OID(OID_MGF1, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x08);
OID(OID_RSA_SHA256, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b);
OID(OID_RSA_SHA384, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0c);
OID(OID_RSA_SHA512, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0d);
/* NIST hashes (RFC 5754 2) */
OID(OID_SHA256, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01);
OID(OID_SHA384, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02);
OID(OID_SHA512, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03);
/* ECDSA (RFC 5758 3.2, RFC 5480 2.1.1) */
OID(OID_ECDSA_SHA256, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02);
OID(OID_ECDSA_SHA384, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x03);
OID(OID_EC_PUBKEY, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01);
OID(OID_P256, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07);
OID(OID_P384, 0x2b, 0x81, 0x04, 0x00, 0x22);
/* Ed25519 (RFC 8410 3) */
OID(OID_ED25519, 0x2b, 0x65, 0x70);
/* extKeyUsage purposes (RFC 5280 4.2.1.12) */
OID(OID_KP_SERVER, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x01);
OID(OID_KP_CLIENT, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x02);
OID(OID_KP_ANY, 0x55, 0x1d, 0x25, 0x00);

/* More extensions than this fail parsing (duplicate detection is
 * quadratic). */
#define WT_X509_MAX_EXTENSIONS 64

#define OIDEQ(d, ref) wt_der_oid_eq((d), (ref), sizeof(ref))

/* Propagate an error code. */
#define TRY(expr)                  \
	do {                       \
		int r_ = (expr);   \
		if (r_ < 0)        \
			return r_; \
	} while (0)
/* A DER error becomes the given X.509 code. */
#define DER(expr, code)                \
	do {                           \
		if ((expr) < 0)        \
			return (code); \
	} while (0)

static wt_x509_span span_of(const uint8_t *base, const wt_der *d)
{
	wt_x509_span s;
	s.off = (uint32_t)(d->buf - base);
	s.len = (uint32_t)d->len;
	return s;
}

/* ---- AlgorithmIdentifier ------------------------------------------------ */

/* A hash AlgorithmIdentifier inside RSASSA-PSS-params: parameters absent
 * or NULL ("implementations MUST accept both", RFC 4055 2.1). Returns the
 * hash length or a negative error. */
static int read_hash_alg(wt_der *d)
{
	wt_der seq, oid;
	size_t n;
	DER(wt_der_enter_seq(d, &seq), WT_X509_ERR_DECODE);
	DER(wt_der_read_oid(&seq, &oid), WT_X509_ERR_DECODE);
	if (seq.len != 0)
		DER(wt_der_read_null(&seq), WT_X509_ERR_DECODE);
	DER(wt_der_end(&seq), WT_X509_ERR_DECODE);
	if (OIDEQ(&oid, OID_SHA256))
		n = 32;
	else if (OIDEQ(&oid, OID_SHA384))
		n = 48;
	else if (OIDEQ(&oid, OID_SHA512))
		n = 64;
	else
		return WT_X509_ERR_UNSUPPORTED_SIG;
	return (int)n;
}

/*
 * RSASSA-PSS-params (RFC 4055 3.1). Only the forms TLS can name are
 * accepted: explicit SHA-2 hash, MGF1 with the same hash, a salt as long as
 * the hash (RFC 8446 4.2.3: "The length of the Salt MUST be equal to the
 * length of the digest algorithm"), trailer field 1. The SHA-1 defaults
 * are refused. Returns WT_X509_SIG_RSA_PSS_* or a negative error.
 */
static int read_pss_params(wt_der *params)
{
	wt_der seq, f, mgf, oid;
	int hlen, mhlen, r;
	uint32_t salt, trailer;
	DER(wt_der_enter_seq(params, &seq), WT_X509_ERR_DECODE);
	r = wt_der_read_optional(&seq, WT_DER_CONTEXT(0), &f);
	if (r < 0)
		return WT_X509_ERR_DECODE;
	if (r == 0)
		return WT_X509_ERR_UNSUPPORTED_SIG; /* SHA-1 default */
	hlen = read_hash_alg(&f);
	TRY(hlen);
	DER(wt_der_end(&f), WT_X509_ERR_DECODE);
	r = wt_der_read_optional(&seq, WT_DER_CONTEXT(1), &f);
	if (r < 0)
		return WT_X509_ERR_DECODE;
	if (r == 0)
		return WT_X509_ERR_UNSUPPORTED_SIG;
	DER(wt_der_enter_seq(&f, &mgf), WT_X509_ERR_DECODE);
	DER(wt_der_end(&f), WT_X509_ERR_DECODE);
	DER(wt_der_read_oid(&mgf, &oid), WT_X509_ERR_DECODE);
	if (!OIDEQ(&oid, OID_MGF1))
		return WT_X509_ERR_UNSUPPORTED_SIG;
	mhlen = read_hash_alg(&mgf);
	TRY(mhlen);
	DER(wt_der_end(&mgf), WT_X509_ERR_DECODE);
	if (mhlen != hlen)
		return WT_X509_ERR_UNSUPPORTED_SIG;
	r = wt_der_read_optional(&seq, WT_DER_CONTEXT(2), &f);
	if (r < 0)
		return WT_X509_ERR_DECODE;
	if (r == 0)
		return WT_X509_ERR_UNSUPPORTED_SIG; /* default salt 20 */
	DER(wt_der_read_u32(&f, &salt), WT_X509_ERR_DECODE);
	DER(wt_der_end(&f), WT_X509_ERR_DECODE);
	if (salt != (uint32_t)hlen)
		return WT_X509_ERR_UNSUPPORTED_SIG;
	r = wt_der_read_optional(&seq, WT_DER_CONTEXT(3), &f);
	if (r < 0)
		return WT_X509_ERR_DECODE;
	if (r == 1) {
		DER(wt_der_read_u32(&f, &trailer), WT_X509_ERR_DECODE);
		DER(wt_der_end(&f), WT_X509_ERR_DECODE);
		if (trailer != 1)
			return WT_X509_ERR_UNSUPPORTED_SIG;
	}
	DER(wt_der_end(&seq), WT_X509_ERR_DECODE);
	DER(wt_der_end(params), WT_X509_ERR_DECODE);
	return hlen == 32  ? WT_X509_SIG_RSA_PSS_SHA256 :
		hlen == 48 ? WT_X509_SIG_RSA_PSS_SHA384 :
			     WT_X509_SIG_RSA_PSS_SHA512;
}

/*
 * A signature AlgorithmIdentifier (contents of the SEQUENCE). Returns a
 * WT_X509_SIG_* (WT_X509_SIG_UNKNOWN for a well-formed identifier we do not
 * support: the certificate still parses and fails only if that signature
 * must be checked) or a negative error for malformed input.
 */
static int read_sig_alg(wt_der *alg)
{
	wt_der oid, params = *alg;
	int r;
	DER(wt_der_read_oid(alg, &oid), WT_X509_ERR_DECODE);
	params = *alg;
	/* RFC 8017 A.2.4 / RFC 4055 5: PKCS #1 v1.5 parameters "SHALL be
	 * NULL". */
	if (OIDEQ(&oid, OID_RSA_SHA256) || OIDEQ(&oid, OID_RSA_SHA384) ||
	    OIDEQ(&oid, OID_RSA_SHA512)) {
		DER(wt_der_read_null(alg), WT_X509_ERR_DECODE);
		DER(wt_der_end(alg), WT_X509_ERR_DECODE);
		return OIDEQ(&oid, OID_RSA_SHA256)  ? WT_X509_SIG_RSA_PKCS1_SHA256 :
			OIDEQ(&oid, OID_RSA_SHA384) ? WT_X509_SIG_RSA_PKCS1_SHA384 :
						      WT_X509_SIG_RSA_PKCS1_SHA512;
	}
	/* RFC 5758 3.2: ECDSA "the parameters field MUST be absent";
	 * RFC 8410 3: Ed25519 "the parameters MUST be absent". */
	if (OIDEQ(&oid, OID_ECDSA_SHA256) || OIDEQ(&oid, OID_ECDSA_SHA384) ||
	    OIDEQ(&oid, OID_ED25519)) {
		DER(wt_der_end(alg), WT_X509_ERR_DECODE);
		return OIDEQ(&oid, OID_ECDSA_SHA256)  ? WT_X509_SIG_ECDSA_SHA256 :
			OIDEQ(&oid, OID_ECDSA_SHA384) ? WT_X509_SIG_ECDSA_SHA384 :
							WT_X509_SIG_ED25519;
	}
	if (OIDEQ(&oid, OID_RSA_PSS)) {
		r = read_pss_params(&params);
		if (r == WT_X509_ERR_UNSUPPORTED_SIG)
			return WT_X509_SIG_UNKNOWN;
		return r;
	}
	/* Anything else (sha1WithRSAEncryption on old roots, ecdsa-with-SHA512,
	 * ...): skip its parameters, whatever they are. */
	while (alg->len != 0)
		DER(wt_der_skip(alg), WT_X509_ERR_DECODE);
	return WT_X509_SIG_UNKNOWN;
}

/* see wt_x509.h */
uint32_t wt_x509_sig_scheme(uint32_t sig_alg, uint32_t key)
{
	int rsa = key == WT_X509_KEY_RSA, pss = key == WT_X509_KEY_RSA_PSS;
	switch (sig_alg) {
	case WT_X509_SIG_RSA_PKCS1_SHA256: return rsa ? WT_SIG_RSA_PKCS1_SHA256 : 0;
	case WT_X509_SIG_RSA_PKCS1_SHA384: return rsa ? WT_SIG_RSA_PKCS1_SHA384 : 0;
	case WT_X509_SIG_RSA_PKCS1_SHA512: return rsa ? WT_SIG_RSA_PKCS1_SHA512 : 0;
	/* RFC 8446 4.2.3: rsa_pss_rsae_* for rsaEncryption keys,
	 * rsa_pss_pss_* for id-RSASSA-PSS keys. */
	case WT_X509_SIG_RSA_PSS_SHA256:
		return rsa  ? WT_SIG_RSA_PSS_RSAE_SHA256 :
			pss ? WT_SIG_RSA_PSS_PSS_SHA256 :
			      0;
	case WT_X509_SIG_RSA_PSS_SHA384:
		return rsa  ? WT_SIG_RSA_PSS_RSAE_SHA384 :
			pss ? WT_SIG_RSA_PSS_PSS_SHA384 :
			      0;
	case WT_X509_SIG_RSA_PSS_SHA512:
		return rsa  ? WT_SIG_RSA_PSS_RSAE_SHA512 :
			pss ? WT_SIG_RSA_PSS_PSS_SHA512 :
			      0;
	/* TLS 1.3 pairs each curve with one hash (ecdsa_secp256r1_sha256,
	 * ecdsa_secp384r1_sha384); other pairings have no codepoint. */
	case WT_X509_SIG_ECDSA_SHA256:
		return key == WT_X509_KEY_EC_P256 ? WT_SIG_ECDSA_SECP256R1_SHA256 : 0;
	case WT_X509_SIG_ECDSA_SHA384:
		return key == WT_X509_KEY_EC_P384 ? WT_SIG_ECDSA_SECP384R1_SHA384 : 0;
	case WT_X509_SIG_ED25519: return key == WT_X509_KEY_ED25519 ? WT_SIG_ED25519 : 0;
	default: return 0;
	}
}

/* SubjectPublicKeyInfo (RFC 5280 4.1.2.7): algorithm and key type. The key
 * itself is decoded by wt_pubkey_from_spki when it is used. */
static int read_spki(wt_der *d, uint32_t *type)
{
	wt_der spki, alg, oid, bits, curve;
	DER(wt_der_enter_seq(d, &spki), WT_X509_ERR_DECODE);
	DER(wt_der_enter_seq(&spki, &alg), WT_X509_ERR_DECODE);
	DER(wt_der_read_oid(&alg, &oid), WT_X509_ERR_DECODE);
	*type = WT_X509_KEY_UNKNOWN;
	if (OIDEQ(&oid, OID_EC_PUBKEY)) {
		/* RFC 5480 2.1.1: namedCurve only in PKIX. */
		if (wt_der_peek_tag(&alg) == WT_DER_OID) {
			DER(wt_der_read_oid(&alg, &curve), WT_X509_ERR_DECODE);
			if (OIDEQ(&curve, OID_P256))
				*type = WT_X509_KEY_EC_P256;
			else if (OIDEQ(&curve, OID_P384))
				*type = WT_X509_KEY_EC_P384;
		}
	} else if (OIDEQ(&oid, OID_RSA)) {
		*type = WT_X509_KEY_RSA;
	} else if (OIDEQ(&oid, OID_RSA_PSS)) {
		*type = WT_X509_KEY_RSA_PSS;
	} else if (OIDEQ(&oid, OID_ED25519)) {
		*type = WT_X509_KEY_ED25519;
	}
	while (alg.len != 0)
		DER(wt_der_skip(&alg), WT_X509_ERR_DECODE);
	DER(wt_der_read_bit_string_octets(&spki, &bits), WT_X509_ERR_DECODE);
	DER(wt_der_end(&spki), WT_X509_ERR_DECODE);
	return WT_X509_OK;
}

/* ---- time (RFC 5280 4.1.2.5) ----------------------------------------------- */

static int digits(const uint8_t *s, size_t n, uint32_t *v)
{
	size_t i;
	uint32_t x = 0;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		x = x * 10 + (uint32_t)(s[i] - '0');
	}
	*v = x;
	return 0;
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar
 * (the "days from civil" method: years start in March so the leap day is
 * last). */
static int64_t days_from_civil(int64_t y, uint32_t m, uint32_t d)
{
	int64_t era, yoe, doy, doe;
	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (int64_t)(m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* see wt_x509.h */
int wt_x509_parse_time(uint32_t tag, const uint8_t *s, size_t len, int64_t *t)
{
	uint32_t y, mo, d, h, mi, se, yl, mdays;
	static const uint8_t MDAYS[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};
	/* RFC 5280 4.1.2.5.1: UTCTime "MUST be expressed in Greenwich Mean
	 * Time (Zulu) and MUST include seconds (i.e., times are YYMMDDHHMMSSZ)";
	 * 4.1.2.5.2: GeneralizedTime likewise YYYYMMDDHHMMSSZ, "MUST NOT
	 * include fractional seconds". */
	if (tag == WT_DER_UTC_TIME)
		yl = 2;
	else if (tag == WT_DER_GENERALIZED_TIME)
		yl = 4;
	else
		return WT_X509_ERR_TIME_FORMAT;
	if (len != yl + 11 || s[len - 1] != 'Z')
		return WT_X509_ERR_TIME_FORMAT;
	if (digits(s, yl, &y) || digits(s + yl, 2, &mo) || digits(s + yl + 2, 2, &d) ||
	    digits(s + yl + 4, 2, &h) || digits(s + yl + 6, 2, &mi) ||
	    digits(s + yl + 8, 2, &se))
		return WT_X509_ERR_TIME_FORMAT;
	/* 4.1.2.5.1: "Where YY is greater than or equal to 50, the year SHALL
	 * be interpreted as 19YY; and Where YY is less than 50, the year SHALL
	 * be interpreted as 20YY." */
	if (yl == 2)
		y += y >= 50 ? 1900 : 2000;
	if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || se > 59)
		return WT_X509_ERR_TIME_FORMAT;
	mdays = MDAYS[mo - 1];
	if (mo == 2 && (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
		mdays = 29;
	if (d > mdays)
		return WT_X509_ERR_TIME_FORMAT;
	*t = days_from_civil(y, mo, d) * 86400 + (int64_t)h * 3600 + mi * 60 + se;
	return WT_X509_OK;
}

static int read_time(wt_der *d, int64_t *t)
{
	uint32_t tag;
	wt_der v;
	DER(wt_der_read_any(d, &tag, &v, NULL), WT_X509_ERR_DECODE);
	return wt_x509_parse_time(tag, v.buf, v.len, t);
}

/* ---- names ------------------------------------------------------------------- */

/* Name ::= SEQUENCE OF RelativeDistinguishedName; RDN ::= SET SIZE (1..MAX)
 * OF AttributeTypeAndValue; ATV ::= SEQUENCE { type OID, value ANY }
 * (RFC 5280 4.1.2.4). Walks the Name: with cb == NULL just checks it,
 * otherwise stops at attribute idx. */
static int walk_name(const uint8_t *base, wt_der name, uint32_t idx,
		     wt_x509_span *oid_out, uint32_t *tag_out, wt_x509_span *val_out)
{
	uint32_t n = 0;
	while (name.len != 0) {
		wt_der rdn;
		DER(wt_der_read(&name, WT_DER_SET, &rdn), WT_X509_ERR_DECODE);
		if (rdn.len == 0)
			return WT_X509_ERR_DECODE;
		while (rdn.len != 0) {
			wt_der atv, oid, val;
			uint32_t tag;
			DER(wt_der_enter_seq(&rdn, &atv), WT_X509_ERR_DECODE);
			DER(wt_der_read_oid(&atv, &oid), WT_X509_ERR_DECODE);
			DER(wt_der_read_any(&atv, &tag, &val, NULL), WT_X509_ERR_DECODE);
			DER(wt_der_end(&atv), WT_X509_ERR_DECODE);
			if (oid_out != NULL && n == idx) {
				*oid_out = span_of(base, &oid);
				*tag_out = tag;
				*val_out = span_of(base, &val);
				return 1;
			}
			n++;
		}
	}
	return 0;
}

static int read_name(const uint8_t *base, wt_der *d, wt_x509_span *out)
{
	wt_der name, raw, c = *d;
	uint32_t tag;
	DER(wt_der_read_any(&c, &tag, &name, &raw), WT_X509_ERR_DECODE);
	if (tag != WT_DER_SEQUENCE)
		return WT_X509_ERR_DECODE;
	TRY(walk_name(base, name, 0, NULL, NULL, NULL));
	*out = span_of(base, &raw);
	*d = c;
	return WT_X509_OK;
}

/* see wt_x509.h */
int wt_x509_name_attr(const uint8_t *der, wt_x509_span name, uint32_t idx,
		      wt_x509_span *oid, uint32_t *tag, wt_x509_span *value)
{
	wt_der d, inner;
	wt_der_init(&d, der + name.off, name.len);
	if (wt_der_enter_seq(&d, &inner) < 0)
		return 0;
	return walk_name(der, inner, idx, oid, tag, value) == 1;
}

/* ---- GeneralName ------------------------------------------------------------ */

/*
 * One GeneralName (RFC 5280 4.2.1.6): *form gets its tag number, *val its
 * contents (for directoryName, the Name with its header). dNSName and
 * rfc822Name/URI are IA5String: ASCII only. iPAddress is 4 or 16 octets in
 * a SAN; in a name constraint (subtree) address and mask, 8 or 32
 * (4.2.1.10).
 */
static int read_general_name(wt_der *d, int subtree, uint32_t *form, wt_der *val)
{
	uint32_t tag;
	wt_der v, raw;
	size_t i;
	DER(wt_der_read_any(d, &tag, &v, &raw), WT_X509_ERR_BAD_EXT);
	if ((tag & 0xc0) != 0x80)
		return WT_X509_ERR_BAD_EXT;
	*form = tag & 0x1f;
	switch (tag) {
	case 0x81:
	case 0x82:
	case 0x86:
		for (i = 0; i < v.len; i++)
			if (v.buf[i] >= 0x80)
				return WT_X509_ERR_BAD_EXT;
		break;
	case 0x87:
		if (subtree ? (v.len != 8 && v.len != 32) : (v.len != 4 && v.len != 16))
			return WT_X509_ERR_BAD_EXT;
		break;
	case 0xa4: {
		/* [4] EXPLICIT Name (Name is a CHOICE, so the tag is explicit). */
		wt_der name = v, inner;
		DER(wt_der_enter_seq(&name, &inner), WT_X509_ERR_BAD_EXT);
		DER(wt_der_end(&name), WT_X509_ERR_BAD_EXT);
		if (walk_name(NULL, inner, 0, NULL, NULL, NULL) < 0)
			return WT_X509_ERR_BAD_EXT;
		break;
	}
	case 0xa0:
	case 0xa3:
	case 0xa5:
	case 0x88: break;
	default: return WT_X509_ERR_BAD_EXT;
	}
	*val = v;
	return WT_X509_OK;
}

/* see wt_x509.h. Here, below names.c: the SAN check of the parse uses it
 * (RFC 5280 4.2.1.6), and names.c uses wt_x509_san_get from this file. */
int wt_x509_dns_syntax(const uint8_t *s, size_t n, uint32_t flags)
{
	size_t i, lab = 0;
	if (n == 0)
		return (flags & WT_X509_DNS_SUBTREE) != 0; /* every name */
	if ((flags & WT_X509_DNS_SUBTREE) && s[0] == '.') {
		s++;
		n--;
	} else if ((flags & WT_X509_DNS_WILDCARD) && n >= 2 && s[0] == '*' &&
		   s[1] == '.') {
		s += 2;
		n -= 2;
	}
	if (n == 0 || n > 253)
		return 0;
	for (i = 0; i <= n; i++) {
		if (i == n || s[i] == '.') {
			/* a label ends: 1..63 octets, no hyphen at either end */
			if (lab == 0 || lab > 63 || s[i - 1] == '-' || s[i - lab] == '-')
				return 0;
			lab = 0;
		} else if ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
			   (s[i] >= '0' && s[i] <= '9') || s[i] == '-') {
			lab++;
		} else {
			return 0; /* '_', '*' elsewhere, spaces, ... */
		}
	}
	return 1;
}

/* see wt_x509.h */
int wt_x509_san_get(const uint8_t *der, const wt_x509_cert *c, uint32_t idx,
		    uint32_t *form, wt_x509_span *value)
{
	wt_der d, v;
	uint32_t i = 0, f;
	if (!(c->ext & WT_X509_EXT_SAN))
		return 0;
	wt_der_init(&d, der + c->san.off, c->san.len);
	while (d.len != 0) {
		if (read_general_name(&d, 0, &f, &v) < 0)
			return 0;
		if (i++ == idx) {
			*form = f;
			*value = span_of(der, &v);
			return 1;
		}
	}
	return 0;
}

/* ---- extensions ---------------------------------------------------------------- */

/* basicConstraints (4.2.1.9): SEQUENCE { cA BOOLEAN DEFAULT FALSE,
 * pathLenConstraint INTEGER (0..MAX) OPTIONAL }. An explicit FALSE, which
 * DER forbids (X.690 11.5), is tolerated: some deployed certificates carry
 * it and it means the same. */
static int ext_basic_constraints(wt_x509_cert *c, wt_der *v)
{
	wt_der seq;
	uint32_t ca = 0, pl;
	DER(wt_der_enter_seq(v, &seq), WT_X509_ERR_BAD_EXT);
	if (wt_der_peek_tag(&seq) == WT_DER_BOOLEAN)
		DER(wt_der_read_bool(&seq, &ca), WT_X509_ERR_BAD_EXT);
	c->ca = ca;
	c->path_len = -1;
	if (seq.len != 0) {
		DER(wt_der_read_u32(&seq, &pl), WT_X509_ERR_BAD_EXT);
		if (pl > 255)
			pl = 255;
		c->path_len = (int32_t)pl;
	}
	DER(wt_der_end(&seq), WT_X509_ERR_BAD_EXT);
	return WT_X509_OK;
}

/* keyUsage (4.2.1.3): a named BIT STRING; bit 0 is the top bit of the
 * first octet. */
static int ext_key_usage(wt_x509_cert *c, wt_der *v)
{
	wt_der bits;
	uint32_t unused, ku = 0;
	size_t i;
	DER(wt_der_read_bit_string(v, &unused, &bits), WT_X509_ERR_BAD_EXT);
	for (i = 0; i < bits.len && i < 2; i++) {
		uint32_t b;
		for (b = 0; b < 8; b++)
			if (bits.buf[i] & (0x80u >> b))
				ku |= 1u << (i * 8 + b);
	}
	/* "When the keyUsage extension appears in a certificate, at least one
	 * of the bits MUST be set to 1." */
	if (ku == 0)
		return WT_X509_ERR_BAD_EXT;
	c->key_usage = ku;
	return WT_X509_OK;
}

/* extKeyUsage (4.2.1.12): SEQUENCE SIZE (1..MAX) OF KeyPurposeId. */
static int ext_eku(wt_x509_cert *c, wt_der *v)
{
	wt_der seq, oid;
	uint32_t eku = 0;
	DER(wt_der_enter_seq(v, &seq), WT_X509_ERR_BAD_EXT);
	if (seq.len == 0)
		return WT_X509_ERR_BAD_EXT;
	while (seq.len != 0) {
		DER(wt_der_read_oid(&seq, &oid), WT_X509_ERR_BAD_EXT);
		if (OIDEQ(&oid, OID_KP_SERVER))
			eku |= WT_X509_EKU_SERVER_AUTH;
		else if (OIDEQ(&oid, OID_KP_CLIENT))
			eku |= WT_X509_EKU_CLIENT_AUTH;
		else if (OIDEQ(&oid, OID_KP_ANY))
			eku |= WT_X509_EKU_ANY;
		else
			eku |= WT_X509_EKU_OTHER;
	}
	c->eku = eku;
	return WT_X509_OK;
}

/* subjectAltName (4.2.1.6): GeneralNames ::= SEQUENCE SIZE (1..MAX) OF
 * GeneralName. Checked here, walked by wt_x509_san_get. */
static int ext_san(const uint8_t *base, wt_x509_cert *c, wt_der *v)
{
	wt_der seq, it, val;
	uint32_t form;
	DER(wt_der_enter_seq(v, &seq), WT_X509_ERR_BAD_EXT);
	if (seq.len == 0)
		return WT_X509_ERR_BAD_EXT;
	c->san = span_of(base, &seq);
	it = seq;
	while (it.len != 0) {
		TRY(read_general_name(&it, 0, &form, &val));
		c->san_forms |= 1u << form;
	}
	return WT_X509_OK;
}

/* A name constraint base that cannot mean anything is refused rather than
 * matched loosely (as pyca/cryptography and rustls-webpki do):
 * a dNSName must be a host name, optionally with a leading '.' (OpenSSL's
 * and Go's "subdomains only" form) or empty (every name), RFC 5280
 * 4.2.1.10 "DNS name restrictions are expressed as host.example.com";
 * an iPAddress mask must be a CIDR prefix ("the iPAddress field MUST
 * contain eight (8) octets, encoded in the style of RFC 4632 (CIDR)"). */
static int check_subtree_base(uint32_t form, const wt_der *val)
{
	size_t i, half;
	int zero = 0;
	if (form == WT_X509_GN_DNS)
		return wt_x509_dns_syntax(val->buf, val->len, WT_X509_DNS_SUBTREE) ?
			WT_X509_OK :
			WT_X509_ERR_BAD_EXT;
	if (form != WT_X509_GN_IP)
		return WT_X509_OK;
	half = val->len / 2;
	for (i = 0; i < half; i++) {
		uint8_t m = val->buf[half + i], inv = (uint8_t)~m;
		/* Ones then zeros: octets 0xff, then one of the form 1..10..0
		 * (its complement 0..01..1), then only zero octets. */
		if (zero ? m != 0 : (inv & (uint8_t)(inv + 1)) != 0)
			return WT_X509_ERR_BAD_EXT;
		if (m != 0xff)
			zero = 1;
	}
	return WT_X509_OK;
}

/* GeneralSubtrees ::= SEQUENCE SIZE (1..MAX) OF GeneralSubtree;
 * GeneralSubtree ::= SEQUENCE { base GeneralName, minimum [0] DEFAULT 0,
 * maximum [1] OPTIONAL }: "Within this profile, the minimum and maximum
 * fields are not used with any name forms, thus, the minimum MUST be zero,
 * and maximum MUST be absent." (4.2.1.10) */
static int read_subtrees(wt_der *st, uint32_t *forms)
{
	if (st->len == 0)
		return WT_X509_ERR_BAD_EXT;
	while (st->len != 0) {
		wt_der sub, val;
		uint32_t form;
		DER(wt_der_enter_seq(st, &sub), WT_X509_ERR_BAD_EXT);
		TRY(read_general_name(&sub, 1, &form, &val));
		DER(wt_der_end(&sub), WT_X509_ERR_BAD_EXT);
		TRY(check_subtree_base(form, &val));
		*forms |= 1u << form;
	}
	return WT_X509_OK;
}

/* nameConstraints (4.2.1.10): SEQUENCE { permittedSubtrees [0]
 * GeneralSubtrees OPTIONAL, excludedSubtrees [1] GeneralSubtrees OPTIONAL };
 * "Conforming CAs MUST NOT issue certificates where name constraints is an
 * empty sequence". */
static int ext_name_constraints(const uint8_t *base, wt_x509_cert *c, wt_der *v)
{
	wt_der seq, st;
	int r;
	DER(wt_der_enter_seq(v, &seq), WT_X509_ERR_BAD_EXT);
	if (seq.len == 0)
		return WT_X509_ERR_BAD_EXT;
	r = wt_der_read_optional(&seq, WT_DER_CONTEXT(0), &st);
	if (r < 0)
		return WT_X509_ERR_BAD_EXT;
	if (r == 1) {
		c->nc_permitted = span_of(base, &st);
		TRY(read_subtrees(&st, &c->nc_forms));
	}
	r = wt_der_read_optional(&seq, WT_DER_CONTEXT(1), &st);
	if (r < 0)
		return WT_X509_ERR_BAD_EXT;
	if (r == 1) {
		c->nc_excluded = span_of(base, &st);
		TRY(read_subtrees(&st, &c->nc_forms));
	}
	DER(wt_der_end(&seq), WT_X509_ERR_BAD_EXT);
	return WT_X509_OK;
}

/* authorityKeyIdentifier (4.2.1.1): SEQUENCE { keyIdentifier [0] OPTIONAL,
 * authorityCertIssuer [1] OPTIONAL, authorityCertSerialNumber [2]
 * OPTIONAL }; only the key identifier is used (issuer matching). */
static int ext_aki(const uint8_t *base, wt_x509_cert *c, wt_der *v)
{
	wt_der seq, f;
	int r;
	DER(wt_der_enter_seq(v, &seq), WT_X509_ERR_BAD_EXT);
	r = wt_der_read_optional(&seq, WT_DER_CONTEXT_PRIM(0), &f);
	if (r < 0)
		return WT_X509_ERR_BAD_EXT;
	if (r == 1)
		c->aki = span_of(base, &f);
	r = wt_der_read_optional(&seq, WT_DER_CONTEXT(1), &f);
	if (r < 0)
		return WT_X509_ERR_BAD_EXT;
	r = wt_der_read_optional(&seq, WT_DER_CONTEXT_PRIM(2), &f);
	if (r < 0)
		return WT_X509_ERR_BAD_EXT;
	DER(wt_der_end(&seq), WT_X509_ERR_BAD_EXT);
	return WT_X509_OK;
}

/* authorityInfoAccess (4.2.2.1): AuthorityInfoAccessSyntax ::= SEQUENCE
 * SIZE (1..MAX) OF AccessDescription; AccessDescription ::= SEQUENCE {
 * accessMethod OBJECT IDENTIFIER, accessLocation GeneralName }. Not used
 * (no fetching), but checked: a malformed one is a malformed certificate,
 * and "Conforming CAs MUST mark this extension as non-critical". */
static int ext_aia(wt_x509_cert *c, wt_der *v, uint32_t crit)
{
	wt_der seq;
	(void)c;
	if (crit)
		return WT_X509_ERR_BAD_EXT;
	DER(wt_der_enter_seq(v, &seq), WT_X509_ERR_BAD_EXT);
	if (seq.len == 0)
		return WT_X509_ERR_BAD_EXT;
	while (seq.len != 0) {
		wt_der ad, oid, val;
		uint32_t form;
		DER(wt_der_enter_seq(&seq, &ad), WT_X509_ERR_BAD_EXT);
		DER(wt_der_read_oid(&ad, &oid), WT_X509_ERR_BAD_EXT);
		TRY(read_general_name(&ad, 0, &form, &val));
		DER(wt_der_end(&ad), WT_X509_ERR_BAD_EXT);
	}
	return WT_X509_OK;
}

static int ext_ski(const uint8_t *base, wt_x509_cert *c, wt_der *v)
{
	wt_der oct;
	DER(wt_der_read_octet_string(v, &oct), WT_X509_ERR_BAD_EXT);
	c->ski = span_of(base, &oct);
	return WT_X509_OK;
}

/* Extensions ::= SEQUENCE SIZE (1..MAX) OF Extension; Extension ::=
 * SEQUENCE { extnID OID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET
 * STRING } (4.1.2.9): "A certificate MUST NOT include more than one
 * instance of a particular extension." */
static int read_extensions(const uint8_t *base, wt_x509_cert *c, wt_der *exts)
{
	wt_der seq;
	DER(wt_der_enter_seq(exts, &seq), WT_X509_ERR_DECODE);
	DER(wt_der_end(exts), WT_X509_ERR_DECODE);
	if (seq.len == 0)
		return WT_X509_ERR_DECODE;
	while (seq.len != 0) {
		wt_der ext, oid, val;
		uint32_t crit = 0, bit = 0;
		int r = WT_X509_OK;
		DER(wt_der_enter_seq(&seq, &ext), WT_X509_ERR_DECODE);
		DER(wt_der_read_oid(&ext, &oid), WT_X509_ERR_DECODE);
		if (wt_der_peek_tag(&ext) == WT_DER_BOOLEAN)
			DER(wt_der_read_bool(&ext, &crit), WT_X509_ERR_DECODE);
		DER(wt_der_read_octet_string(&ext, &val), WT_X509_ERR_DECODE);
		DER(wt_der_end(&ext), WT_X509_ERR_DECODE);
		if (oid.len == 3 && oid.buf[0] == 0x55 && oid.buf[1] == 0x1d) {
			switch (oid.buf[2]) {
			case 19: bit = WT_X509_EXT_BASIC_CONSTRAINTS; break;
			case 15: bit = WT_X509_EXT_KEY_USAGE; break;
			case 37: bit = WT_X509_EXT_EXT_KEY_USAGE; break;
			case 17: bit = WT_X509_EXT_SAN; break;
			case 30: bit = WT_X509_EXT_NAME_CONSTRAINTS; break;
			case 35: bit = WT_X509_EXT_AKI; break;
			case 14: bit = WT_X509_EXT_SKI; break;
			default: break;
			}
		}
		/* id-pe-authorityInfoAccess 1.3.6.1.5.5.7.1.1 */
		if (oid.len == 8 &&
		    memcmp(oid.buf, "\x2b\x06\x01\x05\x05\x07\x01\x01", 8) == 0)
			bit = WT_X509_EXT_AIA;
		if (bit != 0) {
			c->ext |= bit;
			if (crit)
				c->ext_critical |= bit;
			switch (bit) {
			case WT_X509_EXT_BASIC_CONSTRAINTS:
				r = ext_basic_constraints(c, &val);
				break;
			case WT_X509_EXT_KEY_USAGE: r = ext_key_usage(c, &val); break;
			case WT_X509_EXT_EXT_KEY_USAGE: r = ext_eku(c, &val); break;
			case WT_X509_EXT_SAN: r = ext_san(base, c, &val); break;
			case WT_X509_EXT_NAME_CONSTRAINTS:
				r = ext_name_constraints(base, c, &val);
				break;
			case WT_X509_EXT_AKI: r = ext_aki(base, c, &val); break;
			case WT_X509_EXT_AIA: r = ext_aia(c, &val, crit); break;
			default: r = ext_ski(base, c, &val); break;
			}
			TRY(r);
			/* The extension value must be exactly one element. */
			DER(wt_der_end(&val), WT_X509_ERR_BAD_EXT);
		} else {
			/* 4.2: "A certificate-using system MUST reject the
			 * certificate if it encounters a critical extension it
			 * does not recognize"; counted here, enforced by the
			 * validator. (Duplicates were refused by
			 * check_duplicates.) */
			if (crit)
				c->unknown_critical++;
		}
	}
	return WT_X509_OK;
}

/* ---- the certificate ----------------------------------------------------------- */

/* see wt_x509.h */
size_t wt_x509_der_element_len(const uint8_t *buf, size_t len)
{
	wt_der d;
	uint32_t tag;
	wt_der raw;
	wt_der_init(&d, buf, len);
	if (wt_der_read_any(&d, &tag, NULL, &raw) < 0 || tag != WT_DER_SEQUENCE)
		return 0;
	return raw.len;
}

/* 4.2: "A certificate MUST NOT include more than one instance of a
 * particular extension": every pair of extnIDs compared (the list is
 * short; the quadratic scan is bounded by the certificate size). */
static int check_duplicates(wt_der exts)
{
	wt_der seq, a;
	if (wt_der_enter_seq(&exts, &seq) < 0)
		return WT_X509_ERR_DECODE;
	a = seq;
	/* Bound the quadratic scan: real certificates carry a dozen. */
	{
		wt_der cnt = seq;
		uint32_t n = 0;
		while (cnt.len != 0) {
			if (wt_der_skip(&cnt) < 0 || ++n > WT_X509_MAX_EXTENSIONS)
				return WT_X509_ERR_DECODE;
		}
	}
	while (a.len != 0) {
		wt_der ea, oa, b;
		if (wt_der_enter_seq(&a, &ea) < 0 || wt_der_read_oid(&ea, &oa) < 0)
			return WT_X509_ERR_DECODE;
		b = a;
		while (b.len != 0) {
			wt_der eb, ob;
			if (wt_der_enter_seq(&b, &eb) < 0 ||
			    wt_der_read_oid(&eb, &ob) < 0)
				return WT_X509_ERR_DECODE;
			if (oa.len == ob.len && memcmp(oa.buf, ob.buf, oa.len) == 0)
				return WT_X509_ERR_DUPLICATE_EXT;
		}
	}
	return WT_X509_OK;
}

/* see wt_x509.h */
int wt_x509_parse(wt_x509_cert *c, const uint8_t *der, size_t len)
{
	wt_der in, cert, tbs, tbsraw, alg, alg2, algraw, alg2raw, f, validity;
	wt_der sig, exts;
	uint32_t tag;
	int r, sa;

	memset(c, 0, sizeof *c);
	c->path_len = -1;
	if (len > 0xffffffu)
		return WT_X509_ERR_DECODE;
	/* Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm,
	 * signatureValue BIT STRING } (4.1) */
	wt_der_init(&in, der, len);
	DER(wt_der_enter_seq(&in, &cert), WT_X509_ERR_DECODE);
	DER(wt_der_end(&in), WT_X509_ERR_DECODE);
	c->der_len = (uint32_t)len;
	DER(wt_der_read_any(&cert, &tag, &tbs, &tbsraw), WT_X509_ERR_DECODE);
	if (tag != WT_DER_SEQUENCE)
		return WT_X509_ERR_DECODE;
	c->tbs = span_of(der, &tbsraw);
	DER(wt_der_read_any(&cert, &tag, &alg, &algraw), WT_X509_ERR_DECODE);
	if (tag != WT_DER_SEQUENCE)
		return WT_X509_ERR_DECODE;
	DER(wt_der_read_bit_string_octets(&cert, &sig), WT_X509_ERR_DECODE);
	DER(wt_der_end(&cert), WT_X509_ERR_DECODE);
	c->signature = span_of(der, &sig);

	/* version [0] EXPLICIT Version DEFAULT v1 (4.1.2.1) */
	r = wt_der_read_optional(&tbs, WT_DER_CONTEXT(0), &f);
	if (r < 0)
		return WT_X509_ERR_DECODE;
	c->version = 1;
	if (r == 1) {
		uint32_t v;
		DER(wt_der_read_u32(&f, &v), WT_X509_ERR_DECODE);
		DER(wt_der_end(&f), WT_X509_ERR_DECODE);
		if (v > 2)
			return WT_X509_ERR_VERSION;
		c->version = v + 1;
	}
	/* serialNumber: "Certificate users SHOULD be prepared to gracefully
	 * handle such certificates" (negative or zero serials, 4.1.2.2), so
	 * any INTEGER is taken; the length is capped at 20 octets of
	 * magnitude (plus a sign octet). */
	DER(wt_der_read_int_raw(&tbs, &f), WT_X509_ERR_DECODE);
	if (f.len > 21)
		return WT_X509_ERR_DECODE;
	c->serial = span_of(der, &f);
	/* signature: "MUST contain the same algorithm identifier as the
	 * signatureAlgorithm field in the sequence Certificate" (4.1.2.3):
	 * compared byte for byte. */
	DER(wt_der_read_any(&tbs, &tag, &alg2, &alg2raw), WT_X509_ERR_DECODE);
	if (tag != WT_DER_SEQUENCE)
		return WT_X509_ERR_DECODE;
	if (alg2raw.len != algraw.len || memcmp(alg2raw.buf, algraw.buf, algraw.len) != 0)
		return WT_X509_ERR_SIG_ALG_MISMATCH;
	sa = read_sig_alg(&alg);
	TRY(sa);
	c->sig_alg = (uint32_t)sa;
	TRY(read_name(der, &tbs, &c->issuer));
	/* Validity ::= SEQUENCE { notBefore Time, notAfter Time } (4.1.2.5) */
	DER(wt_der_enter_seq(&tbs, &validity), WT_X509_ERR_DECODE);
	TRY(read_time(&validity, &c->not_before));
	TRY(read_time(&validity, &c->not_after));
	DER(wt_der_end(&validity), WT_X509_ERR_DECODE);
	TRY(read_name(der, &tbs, &c->subject));
	{
		wt_der spkiraw = tbs, tmp;
		TRY(read_spki(&tbs, &c->key_type));
		wt_der_init(&tmp, spkiraw.buf, spkiraw.len - tbs.len);
		c->spki = span_of(der, &tmp);
	}
	/* issuerUniqueID [1], subjectUniqueID [2]: "MUST only appear if the
	 * version is 2 or 3"; extensions [3]: "MUST only appear if the version
	 * is 3" (4.1.2.8, 4.1.2.9). */
	r = wt_der_read_optional(&tbs, WT_DER_CONTEXT_PRIM(1), &f);
	if (r < 0)
		return WT_X509_ERR_DECODE;
	if (r == 1 && c->version < 2)
		return WT_X509_ERR_VERSION;
	r = wt_der_read_optional(&tbs, WT_DER_CONTEXT_PRIM(2), &f);
	if (r < 0)
		return WT_X509_ERR_DECODE;
	if (r == 1 && c->version < 2)
		return WT_X509_ERR_VERSION;
	r = wt_der_read_optional(&tbs, WT_DER_CONTEXT(3), &exts);
	if (r < 0)
		return WT_X509_ERR_DECODE;
	if (r == 1) {
		wt_der copy = exts;
		if (c->version < 3)
			return WT_X509_ERR_VERSION;
		TRY(check_duplicates(copy));
		TRY(read_extensions(der, c, &exts));
	}
	DER(wt_der_end(&tbs), WT_X509_ERR_DECODE);
	return WT_X509_OK;
}
