/* compress_certificate (RFC 8879 3):
 *   struct { CertificateCompressionAlgorithm algorithms<2..2^8-2>; }
 * in a ClientHello (the algorithms a client can decompress) and in a
 * CertificateRequest (those a server can). "This extension is only
 * supported with TLS 1.3 and newer; if TLS 1.2 or earlier is negotiated,
 * the peers MUST ignore this extension": a TLS 1.2 ClientHello's is still
 * parsed (a malformed one is refused either way, as BoringSSL does), its
 * content then unused. */
#include "../tls_inner.h"

static int recv(wt_tls_conn *c, uint32_t msg, wt_rd *b)
{
	wt_rd list;
	size_t i, j, n = 0;
	(void)msg;
	if (wt_rd_vec(b, 1, &list) || b->len || list.len < 2 || (list.len & 1))
		return FAIL(c, WT_ALERT_DECODE_ERROR, WT_TLS_R_DECODE);
	c->cc_peer_algs = 0;
	for (i = 0; i < list.len; i += 2) {
		uint32_t alg = (uint32_t)list.p[i] << 8 | list.p[i + 1];
		/* A list naming an algorithm twice is malformed (BoringSSL
		 * refuses it: its DuplicateCertCompressionExt tests). At most
		 * 127 entries: a quadratic scan is cheap. */
		for (j = 0; j < i; j += 2)
			if (list.p[j] == list.p[i] && list.p[j + 1] == list.p[i + 1])
				return FAIL(c, WT_ALERT_DECODE_ERROR, WT_TLS_R_DECODE);
		/* Kept in the peer's order: RFC 8879 3, the sender picks
		 * one of the algorithms the peer supports (certcomp.c). */
		if (alg >= WT_TLS_CERTCOMP_ZLIB && alg <= 3)
			c->cc_peer_algs |= alg << (2 * n++);
	}
	return 0;
}

static void send(wt_tls_conn *c, uint32_t msg, wt_wr *w)
{
	size_t body, list;
	if (!c->ctx->cc_algs || (msg != M_CH && msg != M_CR) ||
	    (msg == M_CH && c->ctx->max_version < WT_TLS_VERSION_13))
		return;
	wt_wr_u16(w, EXT_COMPRESS_CERTIFICATE);
	body = wt_wr_open(w, 2);
	list = wt_wr_open(w, 1);
	wt_wr_u16(w, WT_TLS_CERTCOMP_ZLIB); /* the one we can decompress */
	wt_wr_close(w, list, 1);
	wt_wr_close(w, body, 2);
}

const wt_tls_ext wt_ext_compress_certificate = { EXT_COMPRESS_CERTIFICATE, M_CH | M_CR,
						 recv, send };
