/*
 * buffers.c: where the regions of a connection's arena lie (see the
 * layout in tls_inner.h) and how large they are for a context.
 *
 * Layer "base" (see tls_inner.h): calls nothing.
 */
#include "tls_inner.h"

size_t wt_tls_stage_size(size_t hs_max)
{
	return hs_max + 4096 + 2 * (WT_TLS_HDR + WT_TLS_MAX_CIPHER);
}
size_t wt_tls_hsin_size(size_t hs_max) { return hs_max + 4 + WT_TLS_MAX_PLAIN + 1; }
static size_t hsout_size(size_t hs_max) { return hs_max + 4096; }

size_t wt_tls_conn_arena_size(const wt_tls_ctx *ctx)
{
	return ctx->net_in + ctx->net_out + wt_tls_stage_size(ctx->hs_max) +
		wt_tls_hsin_size(ctx->hs_max) + hsout_size(ctx->hs_max);
}

uint8_t *wt_tls_in(wt_tls_conn *c) { return c->arena; }
uint8_t *wt_tls_out(wt_tls_conn *c) { return c->arena + c->in_cap; }
uint8_t *wt_tls_stage(wt_tls_conn *c) { return wt_tls_out(c) + c->out_alloc; }
uint8_t *wt_tls_hsin(wt_tls_conn *c) { return wt_tls_stage(c) + c->stage_cap; }
uint8_t *wt_tls_hsout(wt_tls_conn *c) { return wt_tls_hsin(c) + wt_tls_hsin_size(c->hs_max); }
