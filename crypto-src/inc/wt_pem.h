/*
 * wt_pem.h: PEM decoding (RFC 7468 textual encoding): the base64 body
 * between "-----BEGIN label-----" and "-----END label-----" lines.
 *
 * Text before the BEGIN line is ignored (RFC 7468 section 2 allows
 * explanatory text); the END label must equal the BEGIN label. Between
 * base64 characters any whitespace (space, tab, CR, LF) is skipped, so
 * line length is free (section 3's "lax" reading), but the base64 itself
 * is strict (RFC 4648 section 4): only the standard alphabet, '=' padding
 * only at the very end and making the length a multiple of four, and the
 * bits the padding discards zero (canonical encoding, RFC 4648 3.5).
 * Encapsulated headers ("Proc-Type:", legacy encrypted keys) are refused as
 * invalid base64.
 *
 * A private key travels through here, so the alphabet decoding is done
 * with constant-time range masks rather than a table or branches on the
 * character's value (key-loading side channels: a lookup table indexed by
 * secret characters leaks through the cache). The only branches are on
 * whitespace, '=' and '-', which no character of a valid body's alphabet
 * takes.
 */
#ifndef WT_PEM_H
#define WT_PEM_H

#include <stddef.h>
#include <stdint.h>

enum {
	WT_PEM_ERR_NO_BEGIN = -20, /* no "-----BEGIN ...-----" line */
	WT_PEM_ERR_NO_END = -21,   /* body not closed by an END line */
	WT_PEM_ERR_LABEL = -22,    /* bad label, or END label differs */
	WT_PEM_ERR_BASE64 = -23,   /* invalid base64 body */
	WT_PEM_ERR_BUFFER = -24    /* decoded data larger than outcap */
};

#define WT_PEM_MAX_LABEL 64

typedef struct {
	char label[WT_PEM_MAX_LABEL + 1]; /* NUL-terminated */
	size_t label_len;
	size_t der_len;  /* bytes written to out */
	size_t consumed; /* input bytes up to and including the END line;
			    * decode again from in + consumed for the next
			    * block (a certificate chain) */
} wt_pem_block;

/* Decode the first PEM block in in[0..inlen) into out (outcap bytes;
 * inlen * 3 / 4 always suffices). Returns 0 or a WT_PEM_ERR_*. out and in
 * may not overlap. On error out may hold partial output: wipe it if the
 * input was secret. */
int wt_pem_decode(const char *in, size_t inlen, uint8_t *out, size_t outcap,
		  wt_pem_block *blk);

#endif
