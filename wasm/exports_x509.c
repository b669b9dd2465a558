/*
 * exports_x509.c: certificates, trust stores and path validation to
 * TypeScript (ts/core/x509.ts). Thin wrappers: integers and pointers only;
 * structures that TS reads are flattened into uint32_t arrays whose layout
 * is written out here and mirrored in x509.ts.
 */
#include "exports.h"
#include <string.h>
#include "wt_x509.h"

WT_EXPORT size_t wt_x509_cert_size(void)
{
	return sizeof(wt_x509_cert);
}
WT_EXPORT size_t wt_x509_result_size(void)
{
	return sizeof(wt_x509_result);
}

WT_EXPORT int wt_x_x509_parse(wt_x509_cert *c, const uint8_t *der, size_t len)
{
	return wt_x509_parse(c, der, len);
}

static void put_span(uint32_t *o, wt_x509_span s)
{
	o[0] = s.off;
	o[1] = s.len;
}

/* Flattened wt_x509_cert, 31 words:
 *   0 der_len  1 version  2,3 tbs  4,5 serial  6 sig_alg  7,8 signature
 *   9,10 issuer  11,12 subject  13,14 not_before (lo, hi)  15,16 not_after
 *   17,18 spki  19 key_type  20 ext  21 ca  22 path_len (int32)
 *   23 key_usage  24 eku  25 san_forms  26 unknown_critical
 *   27,28 ski  29,30 aki */
WT_EXPORT void wt_x_x509_info(const wt_x509_cert *c, uint32_t *o)
{
	o[0] = c->der_len;
	o[1] = c->version;
	put_span(o + 2, c->tbs);
	put_span(o + 4, c->serial);
	o[6] = c->sig_alg;
	put_span(o + 7, c->signature);
	put_span(o + 9, c->issuer);
	put_span(o + 11, c->subject);
	o[13] = (uint32_t)(uint64_t)c->not_before;
	o[14] = (uint32_t)((uint64_t)c->not_before >> 32);
	o[15] = (uint32_t)(uint64_t)c->not_after;
	o[16] = (uint32_t)((uint64_t)c->not_after >> 32);
	put_span(o + 17, c->spki);
	o[19] = c->key_type;
	o[20] = c->ext;
	o[21] = c->ca;
	o[22] = (uint32_t)c->path_len;
	o[23] = c->key_usage;
	o[24] = c->eku;
	o[25] = c->san_forms;
	o[26] = c->unknown_critical;
	put_span(o + 27, c->ski);
	put_span(o + 29, c->aki);
}

/* o: oid off, oid len, tag, value off, value len. Returns 1 or 0 (end). */
WT_EXPORT int wt_x_x509_name_attr(const uint8_t *der, uint32_t off, uint32_t len,
				  uint32_t idx, uint32_t *o)
{
	wt_x509_span name, oid, val;
	uint32_t tag;
	name.off = off;
	name.len = len;
	if (!wt_x509_name_attr(der, name, idx, &oid, &tag, &val))
		return 0;
	put_span(o, oid);
	o[2] = tag;
	put_span(o + 3, val);
	return 1;
}

/* o: form, off, len. Returns 1 or 0 (end). */
WT_EXPORT int wt_x_x509_san(const uint8_t *der, const wt_x509_cert *c, uint32_t idx,
			    uint32_t *o)
{
	wt_x509_span v;
	uint32_t form;
	if (!wt_x509_san_get(der, c, idx, &form, &v))
		return 0;
	o[0] = form;
	put_span(o + 1, v);
	return 1;
}

WT_EXPORT void wt_x_x509_spki_sha256(const uint8_t *der, const wt_x509_cert *c,
				     uint8_t *out)
{
	wt_x509_spki_sha256(der, c, out);
}

WT_EXPORT int wt_x_x509_check_host(const uint8_t *der, const wt_x509_cert *c,
				   const char *host, size_t len)
{
	return wt_x509_check_host(der, c, host, len);
}

WT_EXPORT int wt_x_x509_store_init(wt_x509_store *s, size_t cap)
{
	return wt_x509_store_init(s, cap);
}
WT_EXPORT int wt_x_x509_store_add_der(wt_x509_store *s, const uint8_t *der, size_t len)
{
	return wt_x509_store_add_der(s, der, len);
}
WT_EXPORT int wt_x_x509_store_add_pem(wt_x509_store *s, const char *pem, size_t len,
				      uint32_t *added)
{
	return wt_x509_store_add_pem(s, pem, len, added);
}
WT_EXPORT uint32_t wt_x_x509_store_count(const wt_x509_store *s)
{
	return s->count;
}
WT_EXPORT uint32_t wt_x_x509_store_used(const wt_x509_store *s)
{
	return s->used + WT_X509_STORE_HEADER;
}
/* The idx-th anchor: *len set, returns its pointer (0 past the end). */
WT_EXPORT const uint8_t *wt_x_x509_store_get(const wt_x509_store *s, uint32_t idx,
					     uint32_t *len)
{
	size_t n = 0;
	const uint8_t *p = wt_x509_store_get(s, idx, &n);
	*len = (uint32_t)n;
	return p;
}

/*
 * certs: n (pointer, length) pairs of 32-bit words (wt_x509_blob in
 * wasm32). now_ms as a double (exact below 2^53). res is a wt_x509_result;
 * the return value is its code.
 */
WT_EXPORT int wt_x_x509_verify(const wt_x509_blob *certs, size_t n,
			       const wt_x509_store *store, const char *host,
			       size_t hostlen, uint32_t purpose, double now_ms,
			       uint32_t max_depth, uint32_t flags, wt_x509_result *res)
{
	wt_x509_params p;
	p.now_ms = now_ms > 0 ? (uint64_t)now_ms : 0;
	p.purpose = purpose;
	p.max_depth = max_depth;
	p.host = host;
	p.host_len = hostlen;
	p.flags = flags;
	p.sig_verify = NULL;
	p.sig_ctx = NULL;
	return wt_x509_verify(&p, certs, n, store, res);
}

WT_EXPORT int wt_x_x509_check_signature(const uint8_t *der, size_t len,
					const uint8_t *ider, size_t ilen)
{
	wt_x509_params p;
	memset(&p, 0, sizeof p);
	return wt_x509_check_signature(&p, der, len, ider, ilen);
}

/* Flattened result: code, cert_index, anchor, path_len, path[0..16). */
WT_EXPORT void wt_x_x509_result_info(const wt_x509_result *r, uint32_t *o)
{
	uint32_t i;
	o[0] = (uint32_t)r->code;
	o[1] = (uint32_t)r->cert_index;
	o[2] = (uint32_t)r->anchor;
	o[3] = r->path_len;
	for (i = 0; i < WT_X509_MAX_DEPTH; i++)
		o[4 + i] = r->path[i];
}

WT_EXPORT const char *wt_x_x509_err_name(int code)
{
	return wt_x509_err_name(code);
}
WT_EXPORT const char *wt_x_x509_err_reason(int code)
{
	return wt_x509_err_reason(code);
}
WT_EXPORT uint32_t wt_x_x509_err_alert(int code)
{
	return wt_x509_err_alert(code);
}
