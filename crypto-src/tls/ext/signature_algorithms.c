/* signature_algorithms and signature_algorithms_cert (RFC 8446 4.2.3). */
#include "../tls_inner.h"

/* The whole list is read (work bounded by the message's size, not by an
 * entry count: a peer may list hundreds of schemes with the one we can
 * use last, and OpenSSL reads them all); what is kept is which of our own
 * schemes it holds (peer_sigalg_mask, bit i for ctx->sigalgs[i]). */
uint32_t wt_ext_sigalg_mask(const wt_tls_ctx *ctx, wt_rd list)
{
	uint32_t s, i, mask = 0;
	while (wt_rd_u16(&list, &s) == 0) {
		for (i = 0; i < ctx->nsigalgs; i++)
			if (ctx->sigalgs[i] == s)
				mask |= 1u << i;
		/* TLS 1.2's RSASSA-PKCS1-v1_5 schemes (tls_inner.h). */
		for (i = 0; i < 3; i++)
			if (wt_tls_sigalgs_pkcs1[i] == s)
				mask |= 1u << (WT_SIGMASK_PKCS1 + i);
	}
	return mask;
}

static int parse(wt_tls_conn *c, wt_rd *b, int keep)
{
	wt_rd list;
	/* RFC 8446 4.2.3: SignatureScheme supported_signature_algorithms
	 * <2..2^16-2>. */
	if (wt_rd_vec(b, 2, &list) || b->len || list.len < 2 || (list.len & 1))
		return FAIL(c, WT_ALERT_DECODE_ERROR, WT_TLS_R_DECODE);
	if (keep)
		c->peer_sigalg_mask = wt_ext_sigalg_mask(c->ctx, list);
	return 0;
}

static int recv(wt_tls_conn *c, uint32_t msg, wt_rd *b)
{
	(void)msg;
	return parse(c, b, 1);
}

/* The chain is not validated in this issue: the list is checked for
 * form and otherwise ignored. */
static int recv_cert(wt_tls_conn *c, uint32_t msg, wt_rd *b)
{
	(void)msg;
	return parse(c, b, 0);
}

static void send(wt_tls_conn *c, uint32_t msg, wt_wr *w)
{
	size_t p, q, i;
	if (!(msg == M_CH && c->role == ROLE_CLIENT) &&
	    !(msg == M_CR && c->role == ROLE_SERVER))
		return;
	wt_wr_u16(w, EXT_SIGNATURE_ALGORITHMS);
	p = wt_wr_open(w, 2);
	q = wt_wr_open(w, 2);
	for (i = 0; i < c->ctx->nsigalgs; i++)
		wt_wr_u16(w, c->ctx->sigalgs[i]);
	/* A client that may end up in TLS 1.2 accepts RSASSA-PKCS1-v1_5 in
	 * ServerKeyExchange (RFC 5246 7.4.1.4.1; many RSA servers sign so);
	 * in TLS 1.3 they stand for certificate signatures only (RFC 8446
	 * 4.2.3) and our CertificateVerify check refuses them there. */
	if (msg == M_CH && c->ctx->min_version <= WT_TLS_VERSION_12)
		for (i = 0; i < 3; i++)
			if ((c->ctx->pkcs1_mask >> i) & 1)
				wt_wr_u16(w, wt_tls_sigalgs_pkcs1[i]);
	wt_wr_close(w, q, 2);
	wt_wr_close(w, p, 2);
}

static void send_none(wt_tls_conn *c, uint32_t msg, wt_wr *w)
{
	(void)c;
	(void)msg;
	(void)w;
}

const wt_tls_ext wt_ext_signature_algorithms = { EXT_SIGNATURE_ALGORITHMS, M_CH | M_CR,
						 recv, send };
const wt_tls_ext wt_ext_signature_algorithms_cert = { EXT_SIGNATURE_ALGORITHMS_CERT,
						      M_CH | M_CR, recv_cert, send_none };
