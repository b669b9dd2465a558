/* supported_groups (RFC 8446 4.2.7). */
#include "../tls_inner.h"

/* Read whole (see signature_algorithms.c): hundreds of groups we do not
 * know may come before one we do. Kept: which of ours the client lists
 * (peer_group_mask, bit i for ctx->groups[i]), for a HelloRetryRequest. */
static int recv(wt_tls_conn *c, uint32_t msg, wt_rd *b)
{
	const wt_tls_ctx *ctx = c->ctx;
	wt_rd list;
	uint32_t g, i, mask = 0;
	/* RFC 8446 4.2.7: NamedGroup named_group_list<2..2^16-1>. */
	if (wt_rd_vec(b, 2, &list) || b->len || list.len < 2 || (list.len & 1))
		return FAIL(c, WT_ALERT_DECODE_ERROR, WT_TLS_R_DECODE);
	if (msg != M_CH)
		return 0; /* EncryptedExtensions, a 1.2 ServerHello: informational */
	while (list.len) {
		(void)wt_rd_u16(&list, &g);
		for (i = 0; i < ctx->ngroups; i++)
			if (ctx->groups[i] == g)
				mask |= 1u << i;
	}
	c->peer_group_mask = mask;
	return 0;
}

static void send(wt_tls_conn *c, uint32_t msg, wt_wr *w)
{
	size_t p, q, i;
	if (msg != M_CH)
		return;
	wt_wr_u16(w, EXT_SUPPORTED_GROUPS);
	p = wt_wr_open(w, 2);
	q = wt_wr_open(w, 2);
	for (i = 0; i < c->ctx->ngroups; i++)
		/* The hybrid is a TLS 1.3 key share (no TLS 1.2 ECDHE curve):
		 * a client without 1.3 does not offer it. */
		if (c->ctx->groups[i] != WT_GROUP_X25519MLKEM768 ||
		    c->ctx->max_version >= WT_TLS_VERSION_13)
			wt_wr_u16(w, c->ctx->groups[i]);
	wt_wr_close(w, q, 2);
	wt_wr_close(w, p, 2);
}

const wt_tls_ext wt_ext_supported_groups = {
	/* In a TLS 1.2 ServerHello it is tolerated and ignored (RFC 7919 4
	 * has servers send it; BoringSSL takes it the same way). */
	EXT_SUPPORTED_GROUPS, M_CH | M_EE | M_SH12, recv, send
};
