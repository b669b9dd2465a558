/*
 * exports_tls.c: the TLS engine to TypeScript (ts/core/connection.ts).
 * Thin wrappers only: handles are pointers into linear memory, every
 * argument and result is an integer; lengths come back through a size_t
 * slot the caller passes (a pointer into linear memory). Memory the ctx
 * keeps by reference (chain, ALPN) stays owned by the host (TS mallocs
 * it and frees it with the ctx).
 */
#include <string.h>
#include "exports.h"
#include "wt_pem.h"
#include "wt_tls.h"

WT_EXPORT size_t wt_x_tls_ctx_size(void)
{
	return wt_tls_ctx_size();
}
WT_EXPORT size_t wt_x_tls_conn_size(void)
{
	return wt_tls_conn_size();
}
WT_EXPORT void wt_x_tls_ctx_init(wt_tls_ctx *c)
{
	wt_tls_ctx_init(c);
}
WT_EXPORT void wt_x_tls_ctx_clear(wt_tls_ctx *c)
{
	wt_tls_ctx_clear(c);
}
WT_EXPORT int wt_x_tls_ctx_set_suites(wt_tls_ctx *c, const uint16_t *l, size_t n)
{
	return wt_tls_ctx_set_suites(c, l, n);
}
WT_EXPORT int wt_x_tls_ctx_set_suites12(wt_tls_ctx *c, const uint16_t *l, size_t n)
{
	return wt_tls_ctx_set_suites12(c, l, n);
}
WT_EXPORT int wt_x_tls_ctx_set_versions(wt_tls_ctx *c, uint32_t min, uint32_t max)
{
	return wt_tls_ctx_set_versions(c, min, max);
}
WT_EXPORT int wt_x_tls_ctx_set_groups(wt_tls_ctx *c, const uint16_t *l, size_t n)
{
	return wt_tls_ctx_set_groups(c, l, n);
}
WT_EXPORT int wt_x_tls_ctx_set_sigalgs(wt_tls_ctx *c, const uint16_t *l, size_t n)
{
	return wt_tls_ctx_set_sigalgs(c, l, n);
}
/* The host keeps der/wire alive as long as the ctx (TS allocates them
 * with malloc and frees them with the ctx). */
WT_EXPORT int wt_x_tls_ctx_set_chain(wt_tls_ctx *c, const uint8_t *d, size_t n)
{
	return wt_tls_ctx_set_chain(c, d, n);
}
WT_EXPORT int wt_x_tls_ctx_set_key(wt_tls_ctx *c, const uint8_t *d, size_t n)
{
	return wt_tls_ctx_set_key(c, d, n);
}
WT_EXPORT const char *wt_x_tls_ctx_key_error(const wt_tls_ctx *c)
{
	return wt_tls_ctx_key_error(c);
}
WT_EXPORT int wt_x_tls_ctx_set_alpn(wt_tls_ctx *c, const uint8_t *d, size_t n)
{
	return wt_tls_ctx_set_alpn(c, d, n);
}
WT_EXPORT int wt_x_tls_ctx_set_verify(wt_tls_ctx *c, uint32_t p, uint32_t f)
{
	return wt_tls_ctx_set_verify(c, p, f);
}
WT_EXPORT int wt_x_tls_ctx_set_trust(wt_tls_ctx *c, const void *store)
{
	return wt_tls_ctx_set_trust(c, store);
}
WT_EXPORT int wt_x_tls_ctx_add_pin(wt_tls_ctx *c, const uint8_t *pin)
{
	return wt_tls_ctx_add_pin(c, pin);
}
WT_EXPORT int wt_x_tls_ctx_set_ticket_key(wt_tls_ctx *c, const uint8_t *k, uint32_t t,
					  uint32_t l)
{
	return wt_tls_ctx_set_ticket_key(c, k, t, l);
}
WT_EXPORT void wt_x_tls_ctx_set_mode(wt_tls_ctx *c, uint32_t m)
{
	wt_tls_ctx_set_mode(c, m);
}
WT_EXPORT void wt_x_tls_ctx_clear_mode(wt_tls_ctx *c, uint32_t m)
{
	wt_tls_ctx_clear_mode(c, m);
}
WT_EXPORT uint32_t wt_x_tls_ctx_get_mode(const wt_tls_ctx *c)
{
	return wt_tls_ctx_get_mode(c);
}
WT_EXPORT void wt_x_tls_ctx_set_options(wt_tls_ctx *c, uint32_t o)
{
	wt_tls_ctx_set_options(c, o);
}
WT_EXPORT void wt_x_tls_ctx_clear_options(wt_tls_ctx *c, uint32_t o)
{
	wt_tls_ctx_clear_options(c, o);
}
WT_EXPORT int wt_x_tls_ctx_set_record_size_limit(wt_tls_ctx *c, uint32_t l)
{
	return wt_tls_ctx_set_record_size_limit(c, l);
}
WT_EXPORT int wt_x_tls_ctx_set_sizes(wt_tls_ctx *c, size_t i, size_t o, size_t h)
{
	return wt_tls_ctx_set_sizes(c, i, o, h);
}

WT_EXPORT size_t wt_x_tls_conn_arena_size(const wt_tls_ctx *c)
{
	return wt_tls_conn_arena_size(c);
}
WT_EXPORT int wt_x_tls_conn_init(wt_tls_conn *c, const wt_tls_ctx *x, uint8_t *a,
				 size_t n)
{
	return wt_tls_conn_init(c, x, a, n);
}
WT_EXPORT void wt_x_tls_conn_clear(wt_tls_conn *c)
{
	wt_tls_conn_clear(c);
}
/* The handshake buffers the engine allocated (malloc) for c, freed
 * without touching its arena (ts/core/handle.ts calls it when a
 * connection is garbage collected without dispose()). */
WT_EXPORT void wt_x_tls_conn_free_buffers(wt_tls_conn *c)
{
	wt_tls_conn_free_buffers(c);
}
WT_EXPORT void wt_x_tls_set_connect_state(wt_tls_conn *c)
{
	wt_tls_set_connect_state(c);
}
WT_EXPORT void wt_x_tls_set_accept_state(wt_tls_conn *c)
{
	wt_tls_set_accept_state(c);
}
WT_EXPORT int wt_x_tls_is_server(const wt_tls_conn *c)
{
	return wt_tls_is_server(c);
}
WT_EXPORT void wt_x_tls_set_mode(wt_tls_conn *c, uint32_t m)
{
	wt_tls_set_mode(c, m);
}
WT_EXPORT void wt_x_tls_clear_mode(wt_tls_conn *c, uint32_t m)
{
	wt_tls_clear_mode(c, m);
}
WT_EXPORT uint32_t wt_x_tls_get_mode(const wt_tls_conn *c)
{
	return wt_tls_get_mode(c);
}
WT_EXPORT int wt_x_tls_set_server_name(wt_tls_conn *c, const char *n, size_t l)
{
	return wt_tls_set_server_name(c, n, l);
}
WT_EXPORT int wt_x_tls_set_net_out_cap(wt_tls_conn *c, size_t n)
{
	return wt_tls_conn_set_net_out_cap(c, n);
}
/* RELEASE_BUFFERS: the host frees what this returns and later gives a
 * fresh arena of wt_x_tls_conn_arena_size() bytes. */
WT_EXPORT uint8_t *wt_x_tls_release_arena(wt_tls_conn *c)
{
	return wt_tls_conn_release_arena(c);
}
WT_EXPORT int wt_x_tls_set_arena(wt_tls_conn *c, uint8_t *a, size_t n)
{
	return wt_tls_conn_set_arena(c, a, n);
}
WT_EXPORT int wt_x_tls_has_arena(const wt_tls_conn *c)
{
	return wt_tls_conn_has_arena(c);
}
WT_EXPORT int wt_x_tls_awaiting_first(const wt_tls_conn *c)
{
	return wt_tls_conn_awaiting_first(c);
}

WT_EXPORT uint8_t *wt_x_tls_net_in_buf(wt_tls_conn *c, size_t *len)
{
	return wt_tls_net_in_buf(c, len);
}
WT_EXPORT void wt_x_tls_net_in_ack(wt_tls_conn *c, size_t n)
{
	wt_tls_net_in_ack(c, n);
}
WT_EXPORT void wt_x_tls_net_in_eof(wt_tls_conn *c)
{
	wt_tls_net_in_eof(c);
}
WT_EXPORT uint8_t *wt_x_tls_net_out_buf(wt_tls_conn *c, size_t *len)
{
	return wt_tls_net_out_buf(c, len);
}
WT_EXPORT void wt_x_tls_net_out_ack(wt_tls_conn *c, size_t n)
{
	wt_tls_net_out_ack(c, n);
}
WT_EXPORT size_t wt_x_tls_net_out_pending(const wt_tls_conn *c)
{
	return wt_tls_net_out_pending(c);
}
WT_EXPORT size_t wt_x_tls_net_in_pending(const wt_tls_conn *c)
{
	return wt_tls_net_in_pending(c);
}
WT_EXPORT size_t wt_x_tls_pending(const wt_tls_conn *c)
{
	return wt_tls_pending(c);
}

WT_EXPORT int wt_x_tls_do_handshake(wt_tls_conn *c)
{
	return wt_tls_do_handshake(c);
}
WT_EXPORT int wt_x_tls_write_ex2(wt_tls_conn *c, uint32_t tok, const uint8_t *b, size_t n,
				 uint32_t f, size_t *w)
{
	return wt_tls_write_ex2(c, tok, b, n, f, w);
}
WT_EXPORT int wt_x_tls_write(wt_tls_conn *c, uint32_t tok, const uint8_t *b, size_t n)
{
	return wt_tls_write(c, tok, b, n);
}
/* r[0]: the byte count, r[1]: where they are (wt_tls_read_view). */
WT_EXPORT int wt_x_tls_read_view(wt_tls_conn *c, size_t n, size_t *r, int peek)
{
	const uint8_t *v;
	int ok = wt_tls_read_view(c, n, &r[0], &v, peek);
	r[1] = (size_t)v;
	return ok;
}
WT_EXPORT int wt_x_tls_shutdown(wt_tls_conn *c)
{
	return wt_tls_shutdown(c);
}
WT_EXPORT int wt_x_tls_get_error(const wt_tls_conn *c, int ret)
{
	return wt_tls_get_error(c, ret);
}
WT_EXPORT uint32_t wt_x_tls_error_code(const wt_tls_conn *c)
{
	return wt_tls_error_code(c);
}
WT_EXPORT uint32_t wt_x_tls_reason(const wt_tls_conn *c)
{
	return wt_tls_reason(c);
}
/* NUL-terminated reason text for any code (static storage). */
WT_EXPORT const char *wt_x_tls_err_string(uint32_t code)
{
	return wt_tls_err_string(code);
}
WT_EXPORT int wt_x_tls_key_update(wt_tls_conn *c, int r)
{
	return wt_tls_key_update(c, r);
}
WT_EXPORT int wt_x_tls_get_shutdown(const wt_tls_conn *c)
{
	return wt_tls_get_shutdown(c);
}

WT_EXPORT int wt_x_tls_is_init_finished(const wt_tls_conn *c)
{
	return wt_tls_is_init_finished(c);
}
WT_EXPORT uint32_t wt_x_tls_get_suite(const wt_tls_conn *c)
{
	return wt_tls_get_suite(c);
}
WT_EXPORT uint32_t wt_x_tls_get_group(const wt_tls_conn *c)
{
	return wt_tls_get_group(c);
}
WT_EXPORT uint32_t wt_x_tls_get_peer_sigalg(const wt_tls_conn *c)
{
	return wt_tls_get_peer_sigalg(c);
}
WT_EXPORT uint32_t wt_x_tls_get_version(const wt_tls_conn *c)
{
	return wt_tls_get_version(c);
}
WT_EXPORT int wt_x_tls_session_reused(const wt_tls_conn *c)
{
	return wt_tls_session_reused(c);
}
WT_EXPORT int wt_x_tls_ems(const wt_tls_conn *c)
{
	return wt_tls_ems(c);
}
WT_EXPORT int wt_x_tls_secure_renegotiation(const wt_tls_conn *c)
{
	return wt_tls_secure_renegotiation(c);
}
WT_EXPORT int wt_x_tls_hrr_seen(const wt_tls_conn *c)
{
	return wt_tls_hrr_seen(c);
}
WT_EXPORT const uint8_t *wt_x_tls_get_alpn(const wt_tls_conn *c, size_t *n)
{
	return wt_tls_get_alpn(c, n);
}
WT_EXPORT const char *wt_x_tls_get_server_name(const wt_tls_conn *c, size_t *n)
{
	return wt_tls_get_server_name(c, n);
}
WT_EXPORT int wt_x_tls_peer_authenticated(const wt_tls_conn *c)
{
	return wt_tls_peer_authenticated(c);
}
WT_EXPORT const uint8_t *wt_x_tls_peer_cert(const wt_tls_conn *c, size_t i, size_t *n)
{
	return wt_tls_peer_cert(c, i, n);
}
WT_EXPORT int wt_x_tls_set_verify_result(wt_tls_conn *c, uint32_t a)
{
	return wt_tls_set_verify_result(c, a);
}
WT_EXPORT int wt_x_tls_set_verify_host(wt_tls_conn *c, const char *n, size_t l)
{
	return wt_tls_set_verify_host(c, n, l);
}
WT_EXPORT int wt_x_tls_verify_code(const wt_tls_conn *c)
{
	return wt_tls_verify_code(c);
}
WT_EXPORT size_t wt_x_tls_get_session(const wt_tls_conn *c, uint8_t *o, size_t n)
{
	return wt_tls_get_session(c, o, n);
}
WT_EXPORT uint32_t wt_x_tls_tickets_received(const wt_tls_conn *c)
{
	return wt_tls_tickets_received(c);
}
WT_EXPORT int wt_x_tls_set_session(wt_tls_conn *c, const uint8_t *i, size_t n)
{
	return wt_tls_set_session(c, i, n);
}

/* Key log (NSS SSLKEYLOGFILE lines, built in TypeScript): on/off, then
 * after each call take queued secrets until 0. out: 48 bytes; *len gets
 * the secret's length. The client random is 32 bytes at the returned
 * pointer (0 before the ClientHello). */
WT_EXPORT void wt_x_tls_set_keylog(wt_tls_conn *c, int on)
{
	wt_tls_set_keylog(c, on);
}
WT_EXPORT uint32_t wt_x_tls_keylog_next(wt_tls_conn *c, uint8_t *out, size_t *len)
{
	return wt_tls_keylog_next(c, out, len);
}
WT_EXPORT const uint8_t *wt_x_tls_client_random(const wt_tls_conn *c)
{
	return wt_tls_client_random(c);
}
/* NUL-terminated label text of an id (static storage; 0 for others). */
WT_EXPORT const char *wt_x_tls_keylog_label(uint32_t id)
{
	return wt_tls_keylog_label(id);
}

/* PEM (RFC 7468) for the ctx setters in TypeScript: certificate chains and
 * private keys given as text go through the C decoder, whose base64 is
 * constant time (a key travels through it). Decodes the first block of
 * in[0..inlen) into out (cap bytes); res[0] = DER length, res[1] = input
 * bytes consumed (decode again from there for the next block), and the
 * NUL-terminated label into label (WT_PEM_MAX_LABEL + 1 bytes). 0 or a
 * WT_PEM_ERR_*. */
WT_EXPORT int wt_x_pem_decode(const char *in, size_t inlen, uint8_t *out, size_t cap,
			      size_t *res, char *label)
{
	wt_pem_block b;
	int r = wt_pem_decode(in, inlen, out, cap, &b);
	if (r != 0)
		return r;
	res[0] = b.der_len;
	res[1] = b.consumed;
	memcpy(label, b.label, b.label_len + 1);
	return 0;
}
/* private key operations done by the host (keyop.c, signer.c) */
WT_EXPORT int wt_x_tls_ctx_set_signer(wt_tls_ctx *c, const uint16_t *s, size_t n)
{
	return wt_tls_ctx_set_signer(c, s, n);
}
WT_EXPORT uint32_t wt_x_tls_keyop_scheme(const wt_tls_conn *c)
{
	return wt_tls_keyop_scheme(c);
}
WT_EXPORT const uint8_t *wt_x_tls_keyop_input(const wt_tls_conn *c, size_t *len)
{
	return wt_tls_keyop_input(c, len);
}
WT_EXPORT int wt_x_tls_keyop_complete(wt_tls_conn *c, const uint8_t *s, size_t n)
{
	return wt_tls_keyop_complete(c, s, n);
}

/* 0-RTT early data, client (early_io.c): SSL_write_early_data with the
 * count into *written; SSL_get_early_data_status; the session's
 * max_early_data_size. */
WT_EXPORT int wt_x_tls_write_early(wt_tls_conn *c, const uint8_t *b, size_t n, size_t *w)
{
	return wt_tls_write_early(c, b, n, w);
}
WT_EXPORT uint32_t wt_x_tls_get_early_data_status(const wt_tls_conn *c)
{
	return wt_tls_get_early_data_status(c);
}
WT_EXPORT uint32_t wt_x_tls_get_max_early_data(const wt_tls_conn *c)
{
	return wt_tls_get_max_early_data(c);
}
/* 0-RTT early data, server (early_server.c, early_io.c). */
WT_EXPORT int wt_x_tls_ctx_set_max_early_data(wt_tls_ctx *c, uint32_t max)
{
	return wt_tls_ctx_set_max_early_data(c, max);
}
WT_EXPORT int wt_x_tls_read_early(wt_tls_conn *c, uint8_t *b, size_t n, size_t *r)
{
	return wt_tls_read_early(c, b, n, r);
}
