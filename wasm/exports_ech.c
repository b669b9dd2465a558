/*
 * exports_ech.c: Encrypted Client Hello (crypto-src/tls/ech.c) to
 * TypeScript (ts/core/connection.ts, context.ts). Thin wrappers.
 */
#include "exports.h"
#include "wt_tls.h"

/* 0; -1 malformed; -2 no usable config; -3 wrong state; -4 memory. */
WT_EXPORT int wt_x_tls_set_ech_config_list(wt_tls_conn *c, const uint8_t *l, size_t n)
{
	return wt_tls_set_ech_config_list(c, l, n);
}
WT_EXPORT uint32_t wt_x_tls_ech_status(const wt_tls_conn *c)
{
	return wt_tls_ech_status(c);
}
/* The length; copied when cap allows. */
WT_EXPORT size_t wt_x_tls_ech_retry_configs(const wt_tls_conn *c, uint8_t *out,
					    size_t cap)
{
	return wt_tls_ech_retry_configs(c, out, cap);
}
/* 0; -1 unusable config or not sk's; -2 memory. */
WT_EXPORT int wt_x_tls_ctx_add_ech_key(wt_tls_ctx *ctx, const uint8_t *config, size_t n,
				       const uint8_t *sk)
{
	return wt_tls_ctx_add_ech_key(ctx, config, n, sk);
}
