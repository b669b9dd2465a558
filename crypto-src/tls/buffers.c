/*
 * buffers.c: where the regions of a connection lie (see the layout in
 * tls_inner.h) and how large they are.
 *
 * The host's arena holds what every connection needs for its whole life:
 * in, out, and a stage for one application record (with a KeyUpdate and
 * an alert beside it). What only the handshake needs is allocated here
 * (malloc: emmalloc in the wasm build) while it is needed and given back
 * after, so an idle established connection does not pay for handshake
 * messages of up to hs_max bytes (certificate lists of 100 KiB and more):
 *   hs_stage  a stage for a whole flight, from the start of the handshake
 *             until it is done and that stage has drained;
 *   hs_out    our handshake messages being built, sized for our own
 *             messages (the certificate chain, the ALPN list), the same
 *             lifetime;
 *   hs_in     one incoming message being reassembled; it grows with the
 *             message up to hs_max, and after the handshake it exists
 *             only while a post-handshake message is in it.
 *
 * Layer "base" (see tls_inner.h): calls nothing in crypto-src/tls/.
 */
#include <stddef.h>
#include <stdlib.h>
#include "tls_inner.h"

/* One application record, a KeyUpdate, an alert: what the stage holds
 * after the handshake (write.c flushes it before each new record). */
static size_t small_stage_size(void)
{
	return WT_TLS_HDR + WT_TLS_MAX_CIPHER + 4096;
}

/* Our own handshake messages: the Certificate message of the chain, the
 * ALPN list, and room for every other message of a flight (hellos with
 * key shares, a ticket and a cookie; EncryptedExtensions,
 * CertificateRequest, CertificateVerify, Finished; NewSessionTickets). */
static size_t hsout_size(const wt_tls_ctx *ctx)
{
	return ctx->cert_msg_len + ctx->alpnlen + 12288;
}

/* A whole flight sealed: hs_out's bytes in records, the server's hello
 * sealed before the rest, a compatibility CCS, an alert. */
static size_t stage_size(const wt_tls_ctx *ctx)
{
	return hsout_size(ctx) + 4096 + 2 * (WT_TLS_HDR + WT_TLS_MAX_CIPHER);
}

size_t wt_tls_hsin_max(size_t hs_max)
{
	return hs_max + 4 + WT_TLS_MAX_PLAIN + 1;
}

/* Where the two expanded AEAD contexts start: after the stage, aligned
 * as the allocator aligns (the contexts were inside wt_tls_conn, which
 * the host allocates the same way). */
static size_t aead_off(size_t in, size_t out)
{
	return (in + out + small_stage_size() + 15) & ~(size_t)15;
}

size_t wt_tls_conn_arena_size(const wt_tls_ctx *ctx)
{
	return aead_off(ctx->net_in, ctx->net_out) + 2 * sizeof(wt_aead_ctx);
}

wt_aead_ctx *wt_tls_aead(wt_tls_conn *c, wt_tls_dir *d)
{
	wt_aead_ctx *a;
	if (c->arena == NULL)
		return NULL;
	a = (wt_aead_ctx *)(void *)(c->arena + aead_off(c->in_cap, c->out_alloc));
	if (d == &c->wr)
		a++;
	if (!d->ready) {
		if (wt_aead_init(a, d->alg, d->key, d->keylen) != 0)
			return NULL;
		d->ready = 1;
	}
	return a;
}

void wt_tls_buffers_init(wt_tls_conn *c)
{
	c->stage_cap = small_stage_size();
}

uint8_t *wt_tls_in(wt_tls_conn *c)
{
	return c->arena;
}
uint8_t *wt_tls_out(wt_tls_conn *c)
{
	return c->arena + c->in_cap;
}
uint8_t *wt_tls_stage(wt_tls_conn *c)
{
	return c->hs_stage ? c->hs_stage : wt_tls_out(c) + c->out_alloc;
}
uint8_t *wt_tls_hsin(wt_tls_conn *c)
{
	return c->hsi_buf;
}
uint8_t *wt_tls_hsout(wt_tls_conn *c)
{
	return c->hso_buf;
}

/* Wipe and free n bytes at *p (handshake plaintext: certificates,
 * tickets; nothing is left behind in freed memory). */
static void drop(uint8_t **p, size_t n)
{
	if (*p) {
		wt_wipe(*p, n);
		free(*p);
		*p = NULL;
	}
}

/* The handshake's own state: key exchange private keys, handshake
 * secrets, the key block. */
static void drop_hss(wt_tls_conn *c)
{
	if (c->hs) {
		drop(&c->hs->cc_msg, c->hs->cc_len); /* RFC 8879 (certcomp.c) */
		wt_wipe(c->hs, sizeof *c->hs);
		free(c->hs);
		c->hs = NULL;
	}
}

/* see wt_tls.h: a server before its first byte needs no buffers */
int wt_tls_conn_awaiting_first(const wt_tls_conn *c)
{
	return c->role == ROLE_SERVER && c->state == ST_S_EXPECT_CH && c->hs == NULL &&
		c->hsi_len == 0 && !c->eof && !c->err && c->in_len == c->in_off &&
		c->out_len == 0 && c->st_len == 0;
}

int wt_tls_hs_acquire(wt_tls_conn *c)
{
	if (c->hs_done)
		return 0;
	if (c->hs == NULL) {
		c->hs = calloc(1, sizeof *c->hs);
		if (c->hs == NULL)
			return -1;
	}
	if (c->hso_buf == NULL) {
		c->hso_cap = hsout_size(c->ctx);
		c->hso_buf = malloc(c->hso_cap);
		if (c->hso_buf == NULL)
			return -1;
	}
	/* The stage moves only while empty (its offsets stay valid). */
	if (c->hs_stage == NULL && c->st_len == 0) {
		size_t n = stage_size(c->ctx);
		c->hs_stage = malloc(n);
		if (c->hs_stage == NULL)
			return -1;
		c->stage_cap = n;
		c->st_off = 0;
	}
	return wt_tls_hsin_reserve(c, 4096);
}

int wt_tls_hsin_reserve(wt_tls_conn *c, size_t need)
{
	size_t max = wt_tls_hsin_max(c->hs_max), cap;
	uint8_t *p;
	if (need <= c->hsi_cap)
		return 0;
	if (need > max)
		return -1;
	/* Doubling: a message of n bytes costs O(n) copies in all. */
	cap = c->hsi_cap * 2 > need ? c->hsi_cap * 2 : need;
	if (cap > max)
		cap = max;
	p = malloc(cap);
	if (p == NULL)
		return -1;
	if (c->hsi_len)
		memcpy(p, c->hsi_buf, c->hsi_len);
	drop(&c->hsi_buf, c->hsi_cap);
	c->hsi_buf = p;
	c->hsi_cap = cap;
	return 0;
}

void wt_tls_hs_trim(wt_tls_conn *c)
{
	if (!c->hs_done)
		return;
	drop_hss(c);
	if (c->hso_len == 0) {
		drop(&c->hso_buf, c->hso_cap);
		c->hso_cap = 0;
	}
	if (c->hs_stage && c->st_len == 0) {
		drop(&c->hs_stage, c->stage_cap);
		c->stage_cap = small_stage_size();
		c->st_off = 0;
	}
	/* A verdict pending keeps the message (wt_tls_peer_cert reads it). */
	if (c->hsi_len == 0 && c->verify_state != VERIFY_WAITING) {
		drop(&c->hsi_buf, c->hsi_cap);
		c->hsi_cap = 0;
	}
}

void wt_tls_hs_free(wt_tls_conn *c)
{
	drop_hss(c);
	drop(&c->hso_buf, c->hso_cap);
	drop(&c->hs_stage, c->stage_cap);
	drop(&c->hsi_buf, c->hsi_cap);
	c->hso_cap = c->hsi_cap = 0;
	c->hso_len = c->hsi_len = 0;
	c->st_len = c->st_off = 0;
	c->stage_cap = small_stage_size();
}

int wt_tls_sess_resize(wt_tls_conn *c, size_t ticketlen)
{
	size_t head = offsetof(wt_tls_session, ticket);
	wt_tls_session *n;
	if (ticketlen > WT_TLS_TICKET_MAX)
		return -1;
	n = calloc(1, head + ticketlen);
	if (n == NULL)
		return -1;
	if (c->sess) {
		memcpy(n, c->sess, head);
		wt_tls_sess_free(c);
	}
	n->ticketlen = (uint32_t)ticketlen;
	c->sess = n;
	return 0;
}

void wt_tls_sess_free(wt_tls_conn *c)
{
	if (c->sess) {
		/* The PSK (a resumption secret) and the ticket. */
		wt_wipe(c->sess, offsetof(wt_tls_session, ticket) + c->sess->ticketlen);
		free(c->sess);
		c->sess = NULL;
	}
	c->have_sess = 0;
}
