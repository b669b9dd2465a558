/*
 * exports_certcomp.c: certificate compression (RFC 8879) to TypeScript
 * (ts/core/context.ts, connection.ts), and the zlib decoder it uses, for
 * the differential tests against node:zlib (test/inflate.test.ts).
 */
#include "exports.h"
#include "wt_inflate.h"
#include "wt_tls.h"

WT_EXPORT int wt_x_tls_ctx_set_cert_compression(wt_tls_ctx *c, const uint16_t *l,
						size_t n)
{
	return wt_tls_ctx_set_cert_compression(c, l, n);
}
/* body: kept by the host as long as the ctx (TS mallocs it). */
WT_EXPORT int wt_x_tls_ctx_set_compressed_certificate(wt_tls_ctx *c, uint32_t alg,
						      const uint8_t *body, size_t len,
						      int always)
{
	return wt_tls_ctx_set_compressed_certificate(c, alg, body, len, always);
}
WT_EXPORT uint32_t wt_x_tls_peer_cert_compression(const wt_tls_conn *c)
{
	return wt_tls_peer_cert_compression(c);
}
WT_EXPORT uint32_t wt_x_tls_cert_compression_sent(const wt_tls_conn *c)
{
	return wt_tls_cert_compression_sent(c);
}
/* 0 with exactly outlen bytes in out, or a WT_INFLATE_ERR_*. */
WT_EXPORT int wt_x_zlib_inflate(const uint8_t *in, size_t inlen, uint8_t *out,
				size_t outlen)
{
	return wt_zlib_inflate(in, inlen, out, outlen);
}
