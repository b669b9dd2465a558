/*
 * store.c: the trust store, SPKI pins, and the table of X.509 result codes.
 *
 * A store is one caller-allocated block: a 16-byte header, then entries
 * laid end to end, each a fixed header (the DER length and the spans used
 * for issuer lookup) followed by the anchor's DER, padded to 4 bytes.
 * Entry headers are copied in and out with memcpy (no alignment
 * assumption) and hold offsets relative to the entry's DER, so the whole
 * block can be moved or copied. The store never shrinks: anchors are
 * added at run time, and a new store is made to drop some.
 *
 * Public data only: NOT constant-time.
 */
#include "inner.h"
#include "wt_hash.h"
#include "wt_pem.h"
#include "wt_x509.h"

#define STORE_MAGIC WT_X509_STORE_MAGIC

typedef struct {
	uint32_t len; /* DER length */
	uint32_t subj_off, subj_len;
	uint32_t ski_off, ski_len;
	uint32_t reserved;
} entry_hdr;

typedef char
	entry_hdr_size_check[sizeof(entry_hdr) == WT_X509_STORE_ENTRY_OVERHEAD ? 1 : -1];
typedef char store_hdr_size_check[sizeof(wt_x509_store) == WT_X509_STORE_HEADER ? 1 : -1];

static uint32_t pad4(uint32_t n)
{
	return (n + 3u) & ~3u;
}

/* see wt_x509.h */
int wt_x509_store_init(wt_x509_store *s, size_t cap)
{
	if (cap < WT_X509_STORE_HEADER || cap > 0x7fffffffu)
		return WT_X509_ERR_ARG;
	s->magic = STORE_MAGIC;
	s->cap = (uint32_t)cap;
	s->used = 0;
	s->count = 0;
	return WT_X509_OK;
}

/* The entry at byte offset off of the entries area. */
static void get_hdr(const wt_x509_store *s, uint32_t off, entry_hdr *h)
{
	memcpy(h, s->data + off, sizeof *h);
}

/* see wt_x509.h */
const uint8_t *wt_x509_store_get(const wt_x509_store *s, uint32_t idx, size_t *len)
{
	uint32_t off = 0, i;
	entry_hdr h;
	if (s == NULL || s->magic != STORE_MAGIC || idx >= s->count)
		return NULL;
	for (i = 0; i < idx; i++) {
		get_hdr(s, off, &h);
		off += (uint32_t)sizeof h + pad4(h.len);
	}
	get_hdr(s, off, &h);
	*len = h.len;
	return s->data + off + sizeof h;
}

/* see wt_x509.h */
const uint8_t *wt_x509_store_find(const wt_x509_store *s, uint32_t *cursor,
				  const uint8_t *name, size_t namelen, uint32_t *idx,
				  size_t *len)
{
	entry_hdr h;
	if (s == NULL || s->magic != STORE_MAGIC)
		return NULL;
	/* *cursor packs the byte offset of the next entry to look at; the
	 * entry index is counted alongside in *idx. */
	while (*cursor < s->used) {
		uint32_t off = *cursor;
		const uint8_t *der = s->data + off + sizeof h;
		get_hdr(s, off, &h);
		*cursor = off + (uint32_t)sizeof h + pad4(h.len);
		(*idx)++;
		if (h.subj_len == namelen &&
		    memcmp(der + h.subj_off, name, namelen) == 0) {
			*len = h.len;
			return der;
		}
	}
	return NULL;
}

/* Commit the DER already placed at the free position (after room for its
 * header): parse it, skip a duplicate, write the header. */
static int commit(wt_x509_store *s, size_t len)
{
	uint32_t off = s->used, o, i;
	uint8_t *der = s->data + off + sizeof(entry_hdr);
	wt_x509_cert c;
	entry_hdr h;
	int r = wt_x509_parse(&c, der, len);
	if (r != WT_X509_OK)
		return r;
	for (i = 0, o = 0; i < s->count; i++) {
		get_hdr(s, o, &h);
		if (h.len == len && memcmp(s->data + o + sizeof h, der, len) == 0)
			return WT_X509_OK;
		o += (uint32_t)sizeof h + pad4(h.len);
	}
	h.len = (uint32_t)len;
	h.subj_off = c.subject.off;
	h.subj_len = c.subject.len;
	h.ski_off = c.ski.off;
	h.ski_len = c.ski.len;
	h.reserved = 0;
	memcpy(s->data + off, &h, sizeof h);
	s->used = off + (uint32_t)sizeof h + pad4((uint32_t)len);
	s->count++;
	return WT_X509_OK;
}

static size_t room(const wt_x509_store *s)
{
	size_t free_bytes = s->cap - WT_X509_STORE_HEADER - s->used;
	return free_bytes > sizeof(entry_hdr) + 3 ? free_bytes - sizeof(entry_hdr) - 3 :
						    0;
}

/* see wt_x509.h */
int wt_x509_store_add_der(wt_x509_store *s, const uint8_t *der, size_t len)
{
	if (s->magic != STORE_MAGIC)
		return WT_X509_ERR_ARG;
	if (len > room(s))
		return WT_X509_ERR_LIMIT;
	memmove(s->data + s->used + sizeof(entry_hdr), der, len);
	return commit(s, len);
}

/* see wt_x509.h */
int wt_x509_store_add_pem(wt_x509_store *s, const char *pem, size_t len, uint32_t *added)
{
	size_t pos = 0;
	uint32_t n = 0;
	int r = WT_X509_OK;
	if (s->magic != STORE_MAGIC)
		return WT_X509_ERR_ARG;
	while (pos < len) {
		wt_pem_block blk;
		uint32_t before = s->count;
		uint8_t *out = s->data + s->used + sizeof(entry_hdr);
		int pr = wt_pem_decode(pem + pos, len - pos, out, room(s), &blk);
		if (pr == WT_PEM_ERR_NO_BEGIN)
			break;
		if (pr == WT_PEM_ERR_BUFFER) {
			r = WT_X509_ERR_LIMIT;
			break;
		}
		if (pr != 0) {
			r = WT_X509_ERR_DECODE;
			break;
		}
		pos += blk.consumed;
		if (strcmp(blk.label, "CERTIFICATE") != 0)
			continue;
		r = commit(s, blk.der_len);
		if (r != WT_X509_OK)
			break;
		n += s->count - before;
	}
	if (added != NULL)
		*added = n;
	return r;
}

/* ---- pins (RFC 7469 2.4: SHA-256 of the DER SubjectPublicKeyInfo) ---- */

/* see wt_x509.h */
void wt_x509_spki_sha256(const uint8_t *der, const wt_x509_cert *c, uint8_t out[32])
{
	wt_sha256(der + c->spki.off, c->spki.len, out);
}

/* see wt_x509.h */
int wt_x509_check_pin(const uint8_t *der, const wt_x509_cert *c, const uint8_t *pins,
		      size_t npins)
{
	uint8_t h[32];
	size_t i;
	wt_x509_spki_sha256(der, c, h);
	for (i = 0; i < npins; i++)
		if (memcmp(h, pins + 32 * i, 32) == 0)
			return WT_X509_OK;
	return WT_X509_ERR_PIN;
}

/* ---- result codes ------------------------------------------------------- */

/* Names follow OpenSSL's X509_V_ERR_* (as Node reports them in
 * authorizationError) where one exists; alerts follow RFC 8446 6.2
 * ("certificate_expired: A certificate has expired or is not currently
 * valid", "unknown_ca: A valid certificate chain or partial chain was
 * received, but the certificate was not accepted because the CA
 * certificate could not be located or could not be matched with a known
 * trust anchor") and OpenSSL's ssl_x509err2alert for the rest. */
static const struct {
	int code;
	uint8_t alert;
	const char *name, *reason;
} ERRS[] = {
	{ WT_X509_OK, 0, "OK", "certificate verified" },
	{ WT_X509_ERR_DECODE, 42, "CERT_DECODE_ERROR",
	  "certificate is not valid DER or not an X.509 structure" },
	{ WT_X509_ERR_VERSION, 42, "CERT_BAD_VERSION",
	  "certificate version is invalid or does not allow its fields" },
	{ WT_X509_ERR_SIG_ALG_MISMATCH, 42, "CERT_SIGNATURE_ALGORITHM_MISMATCH",
	  "inner and outer signature algorithms differ" },
	{ WT_X509_ERR_TIME_FORMAT, 42, "ERROR_IN_CERT_VALIDITY_FIELD",
	  "validity time is not in the RFC 5280 format" },
	{ WT_X509_ERR_DUPLICATE_EXT, 42, "CERT_DUPLICATE_EXTENSION",
	  "an extension appears more than once" },
	{ WT_X509_ERR_BAD_EXT, 42, "CERT_BAD_EXTENSION", "an extension is malformed" },
	{ WT_X509_ERR_UNSUPPORTED_SIG, 43, "CERT_UNSUPPORTED_SIGNATURE_ALGORITHM",
	  "certificate signature algorithm is not supported" },
	{ WT_X509_ERR_UNSUPPORTED_KEY, 43, "UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY",
	  "issuer public key is not supported" },
	{ WT_X509_ERR_BAD_SIGNATURE, 42, "CERT_SIGNATURE_FAILURE",
	  "certificate signature failure" },
	{ WT_X509_ERR_EXPIRED, 45, "CERT_HAS_EXPIRED", "certificate has expired" },
	{ WT_X509_ERR_NOT_YET_VALID, 45, "CERT_NOT_YET_VALID",
	  "certificate is not yet valid" },
	{ WT_X509_ERR_UNKNOWN_ISSUER, 48, "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
	  "unable to get local issuer certificate" },
	{ WT_X509_ERR_SELF_SIGNED_LEAF, 48, "DEPTH_ZERO_SELF_SIGNED_CERT",
	  "self-signed certificate" },
	{ WT_X509_ERR_SELF_SIGNED_IN_CHAIN, 48, "SELF_SIGNED_CERT_IN_CHAIN",
	  "self-signed certificate in certificate chain" },
	{ WT_X509_ERR_NOT_CA, 48, "INVALID_CA",
	  "invalid CA certificate (basicConstraints cA is not set)" },
	{ WT_X509_ERR_PATH_LEN, 48, "PATH_LENGTH_EXCEEDED",
	  "path length constraint exceeded" },
	{ WT_X509_ERR_CHAIN_TOO_LONG, 48, "CERT_CHAIN_TOO_LONG",
	  "certificate chain too long" },
	{ WT_X509_ERR_KEY_USAGE_CA, 48, "KEYUSAGE_NO_CERTSIGN",
	  "key usage does not include certificate signing" },
	{ WT_X509_ERR_KEY_USAGE, 43, "KEYUSAGE_NO_DIGITAL_SIGNATURE",
	  "key usage does not include digital signature" },
	{ WT_X509_ERR_PURPOSE, 43, "INVALID_PURPOSE",
	  "unsupported certificate purpose (extended key usage)" },
	{ WT_X509_ERR_UNKNOWN_CRITICAL, 43, "UNHANDLED_CRITICAL_EXTENSION",
	  "unhandled critical extension" },
	{ WT_X509_ERR_NAME_PERMITTED, 42, "PERMITTED_VIOLATION",
	  "permitted subtree violation (name constraints)" },
	{ WT_X509_ERR_NAME_EXCLUDED, 42, "EXCLUDED_VIOLATION",
	  "excluded subtree violation (name constraints)" },
	{ WT_X509_ERR_NAME_UNSUPPORTED, 42, "UNSUPPORTED_NAME_SYNTAX",
	  "name constraint of a form that cannot be checked" },
	{ WT_X509_ERR_HOSTNAME, 42, "ERR_TLS_CERT_ALTNAME_INVALID",
	  "host name does not match the certificate's subject alternative names" },
	{ WT_X509_ERR_PIN, 42, "CERT_PIN_MISMATCH", "no public key pin matched" },
	/* RFC 8446 4.4.2.4: "If the server supplies an empty Certificate
	 * message, the client MUST abort the handshake with a "decode_error"
	 * alert." (A server wanting a client certificate sends
	 * certificate_required instead; the engine knows which side it is.) */
	{ WT_X509_ERR_NO_CERT, 50, "NO_PEER_CERTIFICATE", "peer sent no certificate" },
	{ WT_X509_ERR_LIMIT, 46, "CERT_LIMIT_EXCEEDED",
	  "too many certificates or path search too long" },
	{ WT_X509_ERR_ARG, 80, "INVALID_CALL", "invalid argument" },
	/* OpenSSL's X509_V_ERR_INVALID_NON_CA: "invalid non-CA certificate
	 * (has CA markings)". */
	{ WT_X509_ERR_LEAF_CA, 42, "INVALID_NON_CA",
	  "end-entity certificate has CA markings (cA, keyCertSign or nameConstraints)" },
	{ WT_X509_ERR_LEAF_KEY, 43, "EE_KEY_UNSUPPORTED",
	  "end-entity public key is one TLS refuses (RSA below 2048 bits or not a whole "
	  "number of octets, P-192, DSA, ...)" },
	{ WT_X509_ERR_NEGATIVE_SERIAL, 42, "CERT_NEGATIVE_SERIAL",
	  "certificate serial number is negative" },
	{ WT_X509_ERR_MISSING_AKI, 42, "MISSING_AUTHORITY_KEY_IDENTIFIER",
	  "CA certificate lacks an authority key identifier" },
	{ WT_X509_ERR_MISSING_SKI, 42, "MISSING_SUBJECT_KEY_IDENTIFIER",
	  "CA certificate lacks a subject key identifier" },
	{ WT_X509_ERR_SAN_CRITICAL, 42, "SAN_CRITICALITY_INVALID",
	  "subjectAltName criticality contradicts the subject (critical with a subject, "
	  "or not critical without one)" },
};

static int find_err(int code)
{
	size_t i;
	for (i = 0; i < sizeof ERRS / sizeof ERRS[0]; i++)
		if (ERRS[i].code == code)
			return (int)i;
	return -1;
}

/* see wt_x509.h */
const char *wt_x509_err_name(int code)
{
	int i = find_err(code);
	return i < 0 ? "UNKNOWN" : ERRS[i].name;
}

/* see wt_x509.h */
const char *wt_x509_err_reason(int code)
{
	int i = find_err(code);
	return i < 0 ? "unknown certificate error" : ERRS[i].reason;
}

/* see wt_x509.h */
uint32_t wt_x509_err_alert(int code)
{
	int i = find_err(code);
	/* certificate_unknown: "Some other (unspecified) issue arose in
	 * processing the certificate, rendering it unacceptable." */
	return i < 0 ? 46 : ERRS[i].alert;
}
