/*
 * wt_der.h: a strict DER reader (ITU-T X.690 section 10) over a bounded
 * cursor, in the manner of s2n's stuffer and rustls' Reader: every read
 * consumes bytes from the front of a wt_der and can only see the bytes
 * that cursor covers, so a length can never reach past its enclosing
 * element. Reading an element gives a new wt_der over its contents, which
 * is read the same way ("entering" a SEQUENCE).
 *
 * Strict means DER, not BER:
 *   - lengths are definite and minimal (X.690 8.1.3, 10.1): the short form
 *     for 0..127, the long form with no leading zero octet otherwise; the
 *     indefinite form (0x80) and the reserved 0xFF are refused;
 *   - INTEGER contents are minimal (X.690 8.3.2: the first nine bits are
 *     not all zeros nor all ones);
 *   - BOOLEAN is 0x00 or 0xFF (X.690 11.1); NULL is empty (8.8.2);
 *   - BIT STRING unused bits are 0..7, 0 for an empty string, and the
 *     unused bits of the last octet are zero (X.690 11.2.1);
 *   - OBJECT IDENTIFIER subidentifiers have no leading 0x80 octet
 *     (X.690 8.19.2) and the last octet ends a subidentifier.
 * Tags are single identifier octets (class, constructed bit, number 0..30).
 * The high-tag-number form (number 31 and up, X.690 8.1.2.4) is refused:
 * no structure in X.509, PKCS #1 or PKCS #8 uses it. Because the tag is
 * compared as a whole octet, reading an INTEGER (0x02) refuses a
 * constructed encoding (0x22), as DER requires for primitive types.
 *
 * Every function returns WT_DER_OK (0) or a negative WT_DER_ERR_*; on an
 * error the cursor is left unchanged. Nothing here allocates or copies:
 * results point into the caller's buffer, which must outlive them.
 * Parsing runs on public data (certificates, key files) and is NOT
 * constant-time.
 *
 * Example (RFC 8017 A.1.1 RSAPublicKey ::= SEQUENCE { modulus INTEGER,
 * publicExponent INTEGER }):
 *
 *     wt_der in, seq;
 *     const uint8_t *n, *e; size_t nlen, elen;
 *     wt_der_init(&in, buf, len);
 *     if (wt_der_enter_seq(&in, &seq) || wt_der_read_uint(&seq, &n, &nlen)
 *         || wt_der_read_uint(&seq, &e, &elen) || wt_der_end(&seq)
 *         || wt_der_end(&in))
 *             return error;
 */
#ifndef WT_DER_H
#define WT_DER_H

#include <stddef.h>
#include <stdint.h>

/* Error codes (negative; 0 is success). */
enum {
	WT_DER_OK = 0,
	WT_DER_ERR_TRUNCATED = -1,  /* ran out of bytes / length past the end */
	WT_DER_ERR_LENGTH = -2,     /* non-minimal or reserved length form */
	WT_DER_ERR_INDEFINITE = -3, /* indefinite length (BER only) */
	WT_DER_ERR_TAG = -4,        /* unexpected tag, or high-tag-number form */
	WT_DER_ERR_INTEGER = -5,    /* empty or non-minimal INTEGER */
	WT_DER_ERR_NEGATIVE = -6,   /* negative INTEGER where unsigned expected */
	WT_DER_ERR_RANGE = -7,      /* INTEGER too large for the requested type */
	WT_DER_ERR_BITSTRING = -8,  /* bad unused-bits count or nonzero padding */
	WT_DER_ERR_OID = -9,        /* malformed OBJECT IDENTIFIER */
	WT_DER_ERR_NULL = -10,      /* NULL with contents */
	WT_DER_ERR_BOOLEAN = -11,   /* BOOLEAN not exactly 0x00 or 0xFF */
	WT_DER_ERR_TRAILING = -12   /* bytes left where the structure ends */
};

/* Identifier octets of the universal types used by PKIX. */
enum {
	WT_DER_BOOLEAN = 0x01,
	WT_DER_INTEGER = 0x02,
	WT_DER_BIT_STRING = 0x03,
	WT_DER_OCTET_STRING = 0x04,
	WT_DER_NULL = 0x05,
	WT_DER_OID = 0x06,
	WT_DER_ENUMERATED = 0x0a,
	WT_DER_UTF8_STRING = 0x0c,
	WT_DER_PRINTABLE_STRING = 0x13,
	WT_DER_IA5_STRING = 0x16,
	WT_DER_UTC_TIME = 0x17,
	WT_DER_GENERALIZED_TIME = 0x18,
	WT_DER_SEQUENCE = 0x30,
	WT_DER_SET = 0x31
};
/* Context-specific tags: [n] EXPLICIT or constructed IMPLICIT, and
 * primitive IMPLICIT. */
#define WT_DER_CONTEXT(n) (0xa0u | (uint32_t)(n))
#define WT_DER_CONTEXT_PRIM(n) (0x80u | (uint32_t)(n))

/* A cursor: the bytes not yet read. Copy it freely (a copy is a
 * look-ahead that leaves the original where it was). */
typedef struct {
	const uint8_t *buf;
	size_t len;
} wt_der;

void wt_der_init(wt_der *d, const void *buf, size_t len);

/* The next identifier octet (>= 0) without consuming anything;
 * WT_DER_ERR_TRUNCATED when the cursor is empty, WT_DER_ERR_TAG for the
 * high-tag-number form. */
int wt_der_peek_tag(const wt_der *d);

/* Read one element of any tag. *tag gets the identifier octet, *value the
 * contents; raw (may be NULL) gets the whole element, header included
 * (what a signature covers, e.g. a TBSCertificate). */
int wt_der_read_any(wt_der *d, uint32_t *tag, wt_der *value, wt_der *raw);

/* Read one element whose identifier octet is exactly tag; WT_DER_ERR_TAG
 * otherwise. */
int wt_der_read(wt_der *d, uint32_t tag, wt_der *value);

/* An OPTIONAL or DEFAULT element: 1 and the contents when the next element
 * has this tag, 0 (nothing consumed) when it has another tag or the cursor
 * is empty, negative on malformed input. */
int wt_der_read_optional(wt_der *d, uint32_t tag, wt_der *value);

/* Read a SEQUENCE; inner covers its contents. */
int wt_der_enter_seq(wt_der *d, wt_der *inner);

/* Skip one element of any tag (still checking its header). */
int wt_der_skip(wt_der *d);

/* WT_DER_OK when every byte has been read, WT_DER_ERR_TRAILING otherwise:
 * call it on each entered structure and on the outermost cursor. */
int wt_der_end(const wt_der *d);

/* A non-negative INTEGER as its big-endian magnitude with no leading zero
 * octet: zero has *len == 0. WT_DER_ERR_NEGATIVE for a negative value. */
int wt_der_read_uint(wt_der *d, const uint8_t **mag, size_t *len);

/* A non-negative INTEGER that fits 32 bits (version fields). */
int wt_der_read_u32(wt_der *d, uint32_t *v);

/* An INTEGER's raw two's-complement contents (minimal, checked), for
 * callers that need signed values or the exact bytes (serial numbers). */
int wt_der_read_int_raw(wt_der *d, wt_der *contents);

/* An OBJECT IDENTIFIER's contents octets, checked well formed. */
int wt_der_read_oid(wt_der *d, wt_der *oid);

/* 1 if the OID contents equal ref (contents octets, no header), else 0. */
int wt_der_oid_eq(const wt_der *oid, const uint8_t *ref, size_t reflen);

/* A BIT STRING: *unused gets the unused-bit count (0..7) of the last
 * octet, bits the octets after the count. */
int wt_der_read_bit_string(wt_der *d, uint32_t *unused, wt_der *bits);

/* A BIT STRING that must hold whole octets (unused bits 0), as a
 * subjectPublicKey or a signature does. */
int wt_der_read_bit_string_octets(wt_der *d, wt_der *octets);

int wt_der_read_octet_string(wt_der *d, wt_der *octets);
int wt_der_read_null(wt_der *d);
/* *v gets 1 for TRUE (0xFF), 0 for FALSE (0x00). */
int wt_der_read_bool(wt_der *d, uint32_t *v);

#endif
