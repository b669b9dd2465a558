/* key_share (RFC 8446 4.2.8), groups through wt_pk.h only. */
#include "../tls_inner.h"

/* Our rank of a group, lower is better; -1 if we do not do it. A
 * post-quantum hybrid ranks first wherever it stands in ctx->groups: a
 * client that sent an X25519MLKEM768 share (Chromium and Firefox send one
 * first, with an X25519 one beside it) gets it, as from BoringSSL and
 * OpenSSL 3.5 servers, although our default list names the hybrid last
 * (its place there orders our HelloRetryRequest and our client's share:
 * 1.2 KiB a client sends only when asked). The rest follow ctx->groups.
 * A server that does not want the hybrid leaves it out of its groups. */
static int group_rank(const wt_tls_ctx *ctx, uint32_t g)
{
	uint32_t k;
	for (k = 0; k < ctx->ngroups; k++)
		if (ctx->groups[k] == g)
			return g == WT_GROUP_X25519MLKEM768 ? 0 : 1 + (int)k;
	return -1;
}

/* The client's KeyShareEntry list, read whole: work is bounded by the
 * message's size, not by an entry count (a client may send many shares
 * of groups we do not know before one we do). The best share by
 * group_rank is kept as a pointer into the message. */
static int recv_ch(wt_tls_conn *c, wt_rd *b)
{
	/* Every group seen, as a 2^16-bit map: "Clients MUST NOT offer
	 * multiple KeyShareEntry values for the same group" (RFC 8446 4.2.8)
	 * is checked over the whole list, not over its first entries. */
	uint32_t seen[2048];
	wt_rd list, e;
	uint32_t g;
	int best = -1, r;
	if (wt_rd_vec(b, 2, &list) || b->len)
		return FAIL(c, WT_ALERT_DECODE_ERROR, WT_TLS_R_DECODE);
	memset(seen, 0, sizeof seen);
	c->npeer_shares = 0;
	c->peer_share = NULL;
	while (list.len) {
		/* KeyShareEntry: NamedGroup group; opaque key_exchange
		 * <1..2^16-1>. */
		if (wt_rd_u16(&list, &g) || wt_rd_vec(&list, 2, &e) || e.len == 0)
			return FAIL(c, WT_ALERT_DECODE_ERROR, WT_TLS_R_DECODE);
		c->npeer_shares++;
		/* Servers may enforce the rule above with illegal_parameter. */
		if (seen[g >> 5] & (1u << (g & 31)))
			return FAIL(c, WT_ALERT_ILLEGAL_PARAMETER,
				    WT_TLS_R_BAD_KEY_SHARE);
		seen[g >> 5] |= 1u << (g & 31);
		r = group_rank(c->ctx, g);
		if (r >= 0 && (best < 0 || r < best)) {
			best = r;
			c->peer_group = g;
			c->peer_share = e.p;
			c->peer_sharelen = e.len;
		}
	}
	/* A share of the wrong size for its group is malformed (RFC 8446
	 * 4.2.8.1/2, draft-ietf-tls-ecdhe-mlkem: fixed sizes). */
	if (c->peer_share != NULL &&
	    c->peer_sharelen != wt_kex_client_share_len(c->peer_group))
		return FAIL(c, WT_ALERT_ILLEGAL_PARAMETER, WT_TLS_R_BAD_KEY_SHARE);
	return 0;
}

/* The X25519 share a client sends beside its X25519MLKEM768 one, as
 * Chromium, Firefox, BoringSSL and Go do, so that a server without the
 * hybrid needs no HelloRetryRequest (a round trip and a second
 * ClientHello of 1.2 KiB): only while our share is the hybrid and X25519
 * is one of our groups, and not after a HelloRetryRequest that named a
 * group ("a list containing a single KeyShareEntry from the indicated
 * group", RFC 8446 4.1.2).
 *
 * Its key is the hybrid's own X25519 half (its share is the last 32
 * bytes of the hybrid share), as Go's crypto/tls does, not a second key:
 * the server completes exactly one of the two exchanges, so the key is
 * still used once, and the client saves a key generation and keeps one
 * private key. */
static int x25519_beside(const wt_tls_conn *c)
{
	return c->role == ROLE_CLIENT && c->kex_group == WT_GROUP_X25519MLKEM768 &&
		c->hrr_group == 0 && wt_tls_group_ok(c->ctx, WT_GROUP_X25519);
}

static int recv(wt_tls_conn *c, uint32_t msg, wt_rd *b)
{
	uint32_t g;
	wt_rd e;
	if (msg == M_CH)
		return recv_ch(c, b);
	if (msg == M_HRR) {
		if (wt_rd_u16(b, &g) || b->len)
			return FAIL(c, WT_ALERT_DECODE_ERROR, WT_TLS_R_DECODE);
		/* "the client MUST verify that (1) the selected_group field
		 * corresponds to a group which was provided in the
		 * "supported_groups" extension in the original ClientHello and
		 * (2) the selected_group field does not correspond to a group
		 * which was provided in the "key_share" extension ... If either
		 * of these checks fails, then the client MUST abort the
		 * handshake with an "illegal_parameter" alert." */
		if (!wt_tls_group_ok(c->ctx, g) || g == c->kex_group ||
		    (c->x25519_beside && g == WT_GROUP_X25519))
			return FAIL(c, WT_ALERT_ILLEGAL_PARAMETER, WT_TLS_R_BAD_HRR);
		c->hrr_group = g;
		return 0;
	}
	/* ServerHello: "This value MUST be in the same group as the
	 * KeyShareEntry value offered by the client". */
	if (wt_rd_u16(b, &g) || wt_rd_vec(b, 2, &e) || b->len)
		return FAIL(c, WT_ALERT_DECODE_ERROR, WT_TLS_R_DECODE);
	if (g != c->kex_group) {
		if (!(c->x25519_beside && g == WT_GROUP_X25519) ||
		    wt_kex_client_narrow(&c->hs->kex, g) != 0)
			return FAIL(c, WT_ALERT_ILLEGAL_PARAMETER,
				    WT_TLS_R_BAD_KEY_SHARE);
		c->kex_group = g;
	}
	c->peer_share = e.p;
	c->peer_sharelen = e.len;
	return 0;
}

static void send(wt_tls_conn *c, uint32_t msg, wt_wr *w)
{
	size_t p, q, n;
	if (msg == M_CH) {
		n = wt_kex_client_share_len(c->kex_group);
		wt_wr_u16(w, EXT_KEY_SHARE);
		p = wt_wr_open(w, 2);
		q = wt_wr_open(w, 2);
		wt_wr_u16(w, c->kex_group);
		wt_wr_u16(w, (uint32_t)n);
		if (w->cap - w->len < n) {
			w->overflow = 1;
			return;
		}
		if ((c->hrr && c->hrr_group == 0 && c->hs->own_sharelen == n) ||
		    c->ech_outer) {
			/* RFC 8446 4.1.2: the second ClientHello is the first
			 * "without modification, except as follows", and a new
			 * key_share is among the changes only "If a "key_share"
			 * extension was supplied in the HelloRetryRequest": after
			 * one that asked for a cookie only, the same share (and
			 * the same key, still in c->hs->kex) goes again. */
			memcpy(w->buf + w->len, c->hs->own_share, n);
		} else {
			/* The ephemeral key is made here (entropy via
			 * wt_random). */
			if (n > sizeof c->hs->own_share ||
			    wt_kex_client_keygen(&c->hs->kex, c->kex_group,
						 w->buf + w->len)) {
				(void)FAIL(c, WT_ALERT_INTERNAL_ERROR,
					   WT_TLS_ERR_CRYPTO_UNAVAILABLE);
				w->overflow = 1;
				return;
			}
			memcpy(c->hs->own_share, w->buf + w->len, n);
			c->hs->own_sharelen = n;
		}
		w->len += n;
		c->x25519_beside = (uint32_t)x25519_beside(c);
		if (c->x25519_beside) {
			/* draft-ietf-tls-ecdhe-mlkem: the hybrid client share
			 * is the ML-KEM encapsulation key || the X25519 share. */
			wt_wr_u16(w, WT_GROUP_X25519);
			wt_wr_u16(w, 32);
			wt_wr_bytes(w, c->hs->own_share + n - 32, 32);
		}
		wt_wr_close(w, q, 2);
		wt_wr_close(w, p, 2);
	} else if (msg == M_SH) {
		wt_wr_u16(w, EXT_KEY_SHARE);
		p = wt_wr_open(w, 2);
		wt_wr_u16(w, c->group);
		q = wt_wr_open(w, 2);
		wt_wr_bytes(w, c->hs->own_share, c->hs->own_sharelen);
		wt_wr_close(w, q, 2);
		wt_wr_close(w, p, 2);
	} else if (msg == M_HRR) {
		wt_wr_u16(w, EXT_KEY_SHARE);
		wt_wr_u16(w, 2);
		wt_wr_u16(w, c->hrr_group);
	}
}

const wt_tls_ext wt_ext_key_share = { EXT_KEY_SHARE, M_CH | M_SH | M_HRR, recv, send };
