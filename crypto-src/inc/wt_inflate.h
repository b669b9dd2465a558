/*
 * wt_inflate.h: a zlib stream decoder (RFC 1950 framing around RFC 1951
 * DEFLATE: stored, fixed-Huffman and dynamic-Huffman blocks) for bounded
 * output, as RFC 8879 certificate compression needs: the caller knows the
 * exact uncompressed length and gives a buffer of that size.
 *
 * The stream is refused (a negative WT_INFLATE_ERR_*) when it would write
 * past out, ends short of outlen, carries a preset dictionary (FDICT: the
 * certificate compression algorithm "zlib" uses none), has a bad header
 * or a bad Adler-32, or has bytes after the Adler-32. No recursion; every
 * loop consumes input bits or produces output, so the work is bounded by
 * inlen and outlen; input is never read past inlen. Code sets follow the
 * rules zlib's inflate applies (over-subscribed codes refused, incomplete
 * ones only as a single one-bit code), so what zlib refuses we refuse.
 *
 * Compressed certificates are public data: this code is not constant
 * time.
 */
#ifndef WT_INFLATE_H
#define WT_INFLATE_H

#include <stddef.h>
#include <stdint.h>

enum {
	WT_INFLATE_OK = 0,
	WT_INFLATE_ERR_HEADER = -1,    /* not CM 8 / CINFO <= 7, or bad FCHECK */
	WT_INFLATE_ERR_DICT = -2,      /* FDICT set */
	WT_INFLATE_ERR_TRUNCATED = -3, /* input ended inside the stream */
	WT_INFLATE_ERR_DATA = -4,      /* invalid block type, code set, code */
	WT_INFLATE_ERR_OVERFLOW = -5,  /* more output than outlen */
	WT_INFLATE_ERR_SHORT = -6,     /* stream ended short of outlen */
	WT_INFLATE_ERR_CHECK = -7,     /* Adler-32 mismatch */
	WT_INFLATE_ERR_TRAILING = -8   /* bytes after the Adler-32 */
};

/* Decode the zlib stream in[0..inlen) into exactly outlen bytes of out.
 * WT_INFLATE_OK or a WT_INFLATE_ERR_*; out's content is unspecified after
 * a failure. */
int wt_zlib_inflate(const uint8_t *in, size_t inlen, uint8_t *out, size_t outlen);

#endif
