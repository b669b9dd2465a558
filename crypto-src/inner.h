/*
 * inner.h: helpers shared by every file under crypto-src/.
 *
 * Constant-time conventions (after BearSSL's inner.h): a "boolean" is a
 * uint32_t that is exactly 0 or 1. Functions below never branch on their
 * arguments and never index memory with them, so they may be applied to
 * secret values. Anything that is NOT constant-time says so where it is
 * defined.
 *
 * Byte order goes through load/store helpers, never pointer casts: wasm is
 * little-endian, but the same sources also build natively and the helpers
 * compile to single loads where the target allows it.
 */
#ifndef WT_INNER_H
#define WT_INNER_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#if defined(__GNUC__) || defined(__clang__)
#define WT_WARN_UNUSED __attribute__((warn_unused_result))
#define WT_INLINE static inline __attribute__((always_inline))
#else
#define WT_WARN_UNUSED
#define WT_INLINE static inline
#endif

/* ---- byte order ---------------------------------------------------- */

WT_INLINE uint32_t wt_load32_be(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) |
		(uint32_t)p[3];
}
WT_INLINE uint32_t wt_load32_le(const uint8_t *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
		((uint32_t)p[3] << 24);
}
WT_INLINE uint64_t wt_load64_be(const uint8_t *p)
{
	return ((uint64_t)wt_load32_be(p) << 32) | wt_load32_be(p + 4);
}
WT_INLINE uint64_t wt_load64_le(const uint8_t *p)
{
	return (uint64_t)wt_load32_le(p) | ((uint64_t)wt_load32_le(p + 4) << 32);
}
WT_INLINE void wt_store32_be(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}
WT_INLINE void wt_store32_le(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}
WT_INLINE void wt_store64_be(uint8_t *p, uint64_t v)
{
	wt_store32_be(p, (uint32_t)(v >> 32));
	wt_store32_be(p + 4, (uint32_t)v);
}
WT_INLINE void wt_store64_le(uint8_t *p, uint64_t v)
{
	wt_store32_le(p, (uint32_t)v);
	wt_store32_le(p + 4, (uint32_t)(v >> 32));
}
WT_INLINE void wt_store16_be(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* ---- constant-time booleans (0 or 1) ------------------------------ */

/* Returns x, hidden from the optimizer: past this point the compiler can
 * no longer prove a boolean is 0 or 1, so it cannot turn masked code back
 * into a branch, or into a select between two addresses (clang -O2 did
 * that to wt_ccopy(wt_ct_eq(...)) once both were inlined: a memory access
 * chosen by a secret, caught by the ctgrind test). Every mask below is
 * made from a barriered value. */
WT_INLINE uint32_t wt_barrier(uint32_t x)
{
#if defined(__GNUC__) || defined(__clang__)
	__asm__ volatile("" : "+r"(x));
#endif
	return x;
}

/* NOT(1) = 0, NOT(0) = 1 */
WT_INLINE uint32_t WT_NOT(uint32_t ctl)
{
	return ctl ^ 1;
}
/* ctl ? x : y, without a branch */
WT_INLINE uint32_t WT_MUX(uint32_t ctl, uint32_t x, uint32_t y)
{
	return y ^ (-wt_barrier(ctl) & (x ^ y));
}
/* x == y */
WT_INLINE uint32_t WT_EQ(uint32_t x, uint32_t y)
{
	uint32_t q = x ^ y;
	return WT_NOT((q | -q) >> 31);
}
/* x != y */
WT_INLINE uint32_t WT_NEQ(uint32_t x, uint32_t y)
{
	uint32_t q = x ^ y;
	return (q | -q) >> 31;
}
/* x > y, unsigned */
WT_INLINE uint32_t WT_GT(uint32_t x, uint32_t y)
{
	/* Sign of y - x taken over 33 bits, computed without a borrow branch. */
	uint32_t z = y - x;
	return (z ^ ((x ^ y) & (x ^ z))) >> 31;
}
WT_INLINE uint32_t WT_GE(uint32_t x, uint32_t y)
{
	return WT_NOT(WT_GT(y, x));
}
WT_INLINE uint32_t WT_LT(uint32_t x, uint32_t y)
{
	return WT_GT(y, x);
}
WT_INLINE uint32_t WT_LE(uint32_t x, uint32_t y)
{
	return WT_NOT(WT_GT(x, y));
}
/* x == 0 */
WT_INLINE uint32_t WT_EQ0(uint32_t x)
{
	return WT_NOT((x | -x) >> 31);
}

/* If ctl is 1, copy len bytes from src to dst; if 0, leave dst alone.
 * Reads and writes every byte either way. */
WT_INLINE void wt_ccopy(uint32_t ctl, void *dst, const void *src, size_t len)
{
	uint8_t *d = (uint8_t *)dst;
	const uint8_t *s = (const uint8_t *)src;
	uint8_t m = (uint8_t)-wt_barrier(ctl);
	size_t i;
	for (i = 0; i < len; i++)
		d[i] = (uint8_t)(d[i] ^ (m & (d[i] ^ s[i])));
}

/* 1 if the len bytes at a and b are equal, else 0; time depends on len
 * only (tag and Finished comparisons). */
WT_INLINE uint32_t wt_ct_eq(const void *a, const void *b, size_t len)
{
	const uint8_t *x = (const uint8_t *)a, *y = (const uint8_t *)b;
	uint32_t acc = 0;
	size_t i;
	for (i = 0; i < len; i++)
		acc |= (uint32_t)(x[i] ^ y[i]);
	return WT_EQ0(acc);
}

/* Wipe a secret. The volatile function pointer keeps the compiler from
 * removing a memset it can prove is followed by no read. */
void wt_wipe(void *p, size_t len);

/* Declassification, where a value computed from secrets is public by
 * design (a tag comparison's verdict, a rejected random candidate, an
 * "is zero" error). WT_DECLASSIFY(x) marks the spot in an expression and
 * compiles to x; the ctgrind tests declassify such results themselves.
 * WT_DECLASSIFY_MEM(p, n) tells Valgrind, in the native builds that have
 * its header, that n bytes at p are public from here on (a client request:
 * a few no-op instructions when not under Valgrind); in wasm it is
 * nothing. Use it where a secret-derived bit steers a loop inside the
 * library, which the tests cannot reach to declassify. */
#define WT_DECLASSIFY(x) (x)
#if !defined(__EMSCRIPTEN__) && defined(__has_include)
#if __has_include(<valgrind/memcheck.h>)
#include <valgrind/memcheck.h>
#define WT_DECLASSIFY_MEM(p, n) ((void)VALGRIND_MAKE_MEM_DEFINED((p), (n)))
#endif
#endif
#ifndef WT_DECLASSIFY_MEM
#define WT_DECLASSIFY_MEM(p, n) ((void)(p), (void)(n))
#endif

#endif
