/*
 * exports.c: the hash family to TypeScript. Thin wrappers only: every
 * argument is an integer or a pointer into linear memory, and each call
 * returns an integer result (0 ok, -1 bad argument).
 */
#include "exports.h"
#include "wt_hash.h"

WT_EXPORT size_t wt_hash_ctx_size(void)
{
	return sizeof(wt_hash_ctx);
}
WT_EXPORT size_t wt_hmac_ctx_size(void)
{
	return sizeof(wt_hmac_ctx);
}
WT_EXPORT size_t wt_hash_len_of(uint32_t id)
{
	return wt_hash_len(id);
}

WT_EXPORT int wt_x_hash_init(wt_hash_ctx *c, uint32_t id)
{
	return wt_hash_init(c, id);
}
WT_EXPORT void wt_x_hash_update(wt_hash_ctx *c, const uint8_t *p, size_t n)
{
	wt_hash_update(c, p, n);
}
WT_EXPORT void wt_x_hash_out(const wt_hash_ctx *c, uint8_t *out)
{
	wt_hash_out(c, out);
}
WT_EXPORT int wt_x_hash(uint32_t id, const uint8_t *p, size_t n, uint8_t *out)
{
	return wt_hash(id, p, n, out);
}

WT_EXPORT int wt_x_hmac_init(wt_hmac_ctx *c, uint32_t id, const uint8_t *k, size_t kl)
{
	return wt_hmac_init(c, id, k, kl);
}
WT_EXPORT void wt_x_hmac_update(wt_hmac_ctx *c, const uint8_t *p, size_t n)
{
	wt_hmac_update(c, p, n);
}
WT_EXPORT void wt_x_hmac_out(const wt_hmac_ctx *c, uint8_t *out)
{
	wt_hmac_out(c, out);
}
WT_EXPORT int wt_x_hmac(uint32_t id, const uint8_t *k, size_t kl, const uint8_t *p,
			size_t n, uint8_t *out)
{
	return wt_hmac(id, k, kl, p, n, out);
}

WT_EXPORT int wt_x_hkdf_extract(uint32_t id, const uint8_t *salt, size_t sl,
				const uint8_t *ikm, size_t il, uint8_t *prk)
{
	return wt_hkdf_extract(id, salt, sl, ikm, il, prk);
}
WT_EXPORT int wt_x_hkdf_expand(uint32_t id, const uint8_t *prk, size_t pl,
			       const uint8_t *info, size_t nl, uint8_t *out, size_t ol)
{
	return wt_hkdf_expand(id, prk, pl, info, nl, out, ol);
}
WT_EXPORT int wt_x_hkdf_expand_label(uint32_t id, const uint8_t *sec, size_t sl,
				     const char *label, size_t ll, const uint8_t *ctx,
				     size_t cl, uint8_t *out, size_t ol)
{
	return wt_hkdf_expand_label(id, sec, sl, label, ll, ctx, cl, out, ol);
}
WT_EXPORT int wt_x_derive_secret(uint32_t id, const uint8_t *sec, const char *label,
				 size_t ll, const uint8_t *th, uint8_t *out)
{
	return wt_derive_secret(id, sec, label, ll, th, out);
}

/* 1 in the SIMD128 build, 0 in the scalar one: the loader reports it. */
WT_EXPORT int wt_build_simd(void)
{
#ifdef __wasm_simd128__
	return 1;
#else
	return 0;
#endif
}

/* The engine's own accounting of linear memory (emmalloc's, -sMALLOC=
 * emmalloc in build.sh): bytes in blocks handed out and not freed
 * (headers included), and the size of the heap emmalloc manages. Tests
 * and bench/conns.ts read per-connection memory from the first, which
 * unlike memory.buffer.byteLength goes down when memory is freed. */
#include <emscripten/emmalloc.h>
WT_EXPORT size_t wt_x_heap_used(void)
{
	return emmalloc_dynamic_heap_size() - emmalloc_free_dynamic_memory();
}
WT_EXPORT size_t wt_x_heap_size(void)
{
	return emmalloc_dynamic_heap_size();
}
