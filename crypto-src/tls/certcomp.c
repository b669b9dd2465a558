/*
 * certcomp.c: receiving a compressed certificate (RFC 8879 4).
 *
 *   struct {
 *       CertificateCompressionAlgorithm algorithm;
 *       uint24 uncompressed_length;
 *       opaque compressed_certificate_message<1..2^24-1>;
 *   } CompressedCertificate;
 *
 * "If the received CompressedCertificate message cannot be decompressed,
 * he connection MUST be terminated with the "bad_certificate" alert",
 * and "If the specified algorithm is not one of the algorithms offered in
 * the "compress_certificate" extension, the connection MUST be terminated
 * with the "illegal_parameter" alert". The length is checked against our
 * limit for any handshake message (hs_max, which bounds a Certificate
 * message) before a byte is decoded, so a decompression bomb costs
 * nothing; the decoder then writes into exactly uncompressed_length
 * bytes and refuses a stream that would write more or end short (7: "the
 * uncompressed length MUST be checked").
 *
 * Sending: a Certificate message with an empty certificate_request_context
 * (a server's always, RFC 8446 4.4.2; a client's during the handshake,
 * 4.3.2) is the same for every connection of a ctx, so the host
 * compresses it once (ts/core/context.ts, with the runtime's zlib) and
 * hands the engine the CompressedCertificate body, sent where the peer
 * offered its algorithm: no compressor in the module.
 *
 * Layer "shared" (see tls_inner.h): called by hs13_client.c,
 * hs13_server.c and handshake.c; calls codec/inflate.c and errors.c.
 */
#include "tls_inner.h"
#include "wt_inflate.h"

#include <stdlib.h>

/* (buffers.c frees it the same way with the rest of the handshake.) */
static void drop(wt_tls_hss *hs)
{
	wt_wipe(hs->cc_msg, hs->cc_len);
	free(hs->cc_msg);
	hs->cc_msg = NULL;
	hs->cc_len = 0;
}

int wt_certcomp_open(wt_tls_conn *c, const uint8_t *msg, size_t len)
{
	wt_rd r = { msg + 4, len - 4 }, data;
	uint32_t alg, hi, lo;
	size_t ulen;
	uint8_t *m;
	if (c->hs->cc_msg)
		return 0; /* handled again after a verify pause */
	if (wt_rd_u16(&r, &alg) || wt_rd_u8(&r, &hi) || wt_rd_u16(&r, &lo) ||
	    wt_rd_vec(&r, 3, &data) || r.len || data.len == 0)
		return FAIL(c, WT_ALERT_DECODE_ERROR, WT_TLS_R_DECODE);
	/* We offered (ClientHello / CertificateRequest) what ctx->cc_algs
	 * holds: zlib, or nothing; never brotli or zstd, which we only send. */
	if (alg != WT_TLS_CERTCOMP_ZLIB || !(c->ctx->cc_algs & 1))
		return FAIL(c, WT_ALERT_ILLEGAL_PARAMETER, WT_TLS_R_CERT_COMPRESSION_ALG);
	ulen = (size_t)hi << 16 | lo;
	if (ulen > c->hs_max)
		return FAIL(c, WT_ALERT_BAD_CERTIFICATE, WT_TLS_R_CERT_DECOMPRESS);
	m = malloc(4 + ulen);
	if (m == NULL)
		return FAIL(c, WT_ALERT_INTERNAL_ERROR, WT_TLS_ERR_INTERNAL);
	m[0] = HS_CERTIFICATE;
	m[1] = (uint8_t)(ulen >> 16);
	m[2] = (uint8_t)(ulen >> 8);
	m[3] = (uint8_t)ulen;
	c->hs->cc_msg = m;
	c->hs->cc_len = 4 + ulen;
	if (wt_zlib_inflate(data.p, data.len, m + 4, ulen) != WT_INFLATE_OK) {
		drop(c->hs);
		return FAIL(c, WT_ALERT_BAD_CERTIFICATE, WT_TLS_R_CERT_DECOMPRESS);
	}
	c->cc_alg = alg;
	return 0;
}

int wt_certcomp_put(wt_tls_conn *c, size_t ctxlen, wt_wr *w)
{
	const wt_tls_ctx *ctx = c->ctx;
	uint32_t order = c->cc_peer_algs, alg;
	if (ctx->cc_force) {
		wt_wr_bytes(w, ctx->cc_force, ctx->cc_forcelen);
		c->cc_sent = (uint32_t)ctx->cc_force[0] << 8 | ctx->cc_force[1];
		return 1;
	}
	if (c->version != WT_TLS_VERSION_13 || ctxlen != 0)
		return 0;
	/* RFC 8879 3: the peer lists the algorithms it can decompress, we
	 * send with one of them: the first, in its order, we have a body
	 * for; none, a plain Certificate. */
	for (; order; order >>= 2) {
		alg = order & 3;
		if (ctx->cc_out[alg - 1]) {
			wt_wr_bytes(w, ctx->cc_out[alg - 1], ctx->cc_outlen[alg - 1]);
			c->cc_sent = alg;
			return 1;
		}
	}
	return 0;
}

int wt_tls_ctx_set_compressed_certificate(wt_tls_ctx *ctx, uint32_t alg,
					  const uint8_t *body, size_t len, int always)
{
	size_t i;
	if (always) {
		ctx->cc_force = len ? body : NULL;
		ctx->cc_forcelen = len;
		return 0;
	}
	if (alg == 0) { /* every body goes (a new chain) */
		for (i = 0; i < 3; i++) {
			ctx->cc_out[i] = NULL;
			ctx->cc_outlen[i] = 0;
		}
		ctx->cc_force = NULL;
		ctx->cc_forcelen = 0;
		return 0;
	}
	if (alg > WT_TLS_CERTCOMP_ZSTD)
		return WT_TLS_ERR_CONFIG;
	ctx->cc_out[alg - 1] = len ? body : NULL;
	ctx->cc_outlen[alg - 1] = len;
	return 0;
}

int wt_tls_ctx_set_cert_compression(wt_tls_ctx *ctx, const uint16_t *algs, size_t n)
{
	uint32_t bits = 0;
	size_t i;
	for (i = 0; i < n; i++) {
		if (algs[i] != WT_TLS_CERTCOMP_ZLIB)
			return WT_TLS_ERR_CONFIG; /* nothing else is built in */
		bits |= 1;
	}
	ctx->cc_algs = bits;
	return 0;
}

uint32_t wt_tls_peer_cert_compression(const wt_tls_conn *c)
{
	return c->cc_alg;
}

uint32_t wt_tls_cert_compression_sent(const wt_tls_conn *c)
{
	return c->cc_sent;
}
