/*
 * pem.c: RFC 7468 PEM decoding with strict base64 (see wt_pem.h).
 * The structure (boundary lines, whitespace, padding) is parsed with
 * ordinary branches; the value of each base64 character is computed with
 * constant-time masks because a PEM body may be a private key.
 */
#include "inner.h"
#include "wt_pem.h"

/* RFC 4648 table 1, without a table: each range contributes its offset
 * under a mask. *bad is set to 1 if c is not in the alphabet. */
static uint32_t b64_value(uint32_t c, uint32_t *bad)
{
	uint32_t up = WT_GE(c, 'A') & WT_LE(c, 'Z');
	uint32_t lo = WT_GE(c, 'a') & WT_LE(c, 'z');
	uint32_t dg = WT_GE(c, '0') & WT_LE(c, '9');
	uint32_t pl = WT_EQ(c, '+');
	uint32_t sl = WT_EQ(c, '/');
	uint32_t v = (-up & (c - 'A')) | (-lo & (c - 'a' + 26)) | (-dg & (c - '0' + 52)) |
		(-pl & 62) | (-sl & 63);
	*bad |= WT_NOT(up | lo | dg | pl | sl);
	return v;
}

static int is_space(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* RFC 7468 section 3: label = [ labelchar *( ["-" / SP] labelchar ) ],
 * labelchar = %x21-2C / %x2E-7E. */
static int label_ok(const uint8_t *l, size_t n)
{
	size_t i;
	if (n > WT_PEM_MAX_LABEL)
		return 0;
	for (i = 0; i < n; i++) {
		uint8_t c = l[i];
		if (c == ' ' || c == '-') {
			/* a separator sits between two labelchars */
			if (i == 0 || i + 1 == n || l[i - 1] == ' ' || l[i - 1] == '-')
				return 0;
		} else if (c < 0x21 || c > 0x7e) {
			return 0;
		}
	}
	return 1;
}

static int starts(const uint8_t *s, size_t n, const char *lit)
{
	size_t k = strlen(lit);
	return n >= k && memcmp(s, lit, k) == 0;
}

/* After a boundary line's closing dashes: optional blanks, then a line
 * break (CRLF, LF or CR) or, for the END line only, the end of input.
 * Returns the index after the line, or 0 when something else follows. */
static size_t end_of_line(const uint8_t *s, size_t n, size_t i, int eof_ok)
{
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (i == n)
		return eof_ok ? i : 0;
	if (s[i] == '\r')
		return (i + 1 < n && s[i + 1] == '\n') ? i + 2 : i + 1;
	if (s[i] == '\n')
		return i + 1;
	return 0;
}

/* see wt_pem.h */
int wt_pem_decode(const char *in, size_t inlen, uint8_t *out, size_t outcap,
		  wt_pem_block *blk)
{
	const uint8_t *s = (const uint8_t *)in;
	size_t i = 0, lab, labn, body, o = 0, nchar = 0, npad = 0, j;
	uint32_t acc = 0, bad = 0;

	/* The BEGIN line, at the start of a line. */
	for (;; i++) {
		if (i >= inlen)
			return WT_PEM_ERR_NO_BEGIN;
		if ((i == 0 || s[i - 1] == '\n' || s[i - 1] == '\r') &&
		    starts(s + i, inlen - i, "-----BEGIN "))
			break;
	}
	lab = i + 11;
	for (j = lab; j + 5 <= inlen && !starts(s + j, inlen - j, "-----"); j++)
		if (s[j] == '\n' || s[j] == '\r')
			return WT_PEM_ERR_LABEL;
	if (j + 5 > inlen)
		return WT_PEM_ERR_LABEL;
	labn = j - lab;
	if (!label_ok(s + lab, labn))
		return WT_PEM_ERR_LABEL;
	body = end_of_line(s, inlen, j + 5, 0);
	if (body == 0)
		return WT_PEM_ERR_LABEL;

	/* The body: base64 quads, whitespace anywhere, '=' only last. */
	for (i = body; i < inlen; i++) {
		uint8_t c = s[i];
		if (c == '-' && starts(s + i, inlen - i, "-----"))
			break;
		if (is_space(c))
			continue;
		if (c == '=') {
			npad++;
			continue;
		}
		if (npad != 0)
			return WT_PEM_ERR_BASE64; /* data after padding */
		acc = (acc << 6) | b64_value(c, &bad);
		nchar++;
		if ((nchar & 3) == 0) {
			if (outcap - o < 3)
				return WT_PEM_ERR_BUFFER;
			out[o++] = (uint8_t)(acc >> 16);
			out[o++] = (uint8_t)(acc >> 8);
			out[o++] = (uint8_t)acc;
			acc = 0;
		}
	}
	if (i >= inlen)
		return WT_PEM_ERR_NO_END;
	/* RFC 4648 3.2 / 4: the padded length is a multiple of four; a
	 * final quad of two characters carries one byte (its low 4 bits
	 * must be zero, 3.5), of three characters two bytes (low 2 bits
	 * zero). */
	if (npad > 2 || ((nchar + npad) & 3) != 0)
		return WT_PEM_ERR_BASE64;
	if (npad == 2) {
		if (outcap - o < 1)
			return WT_PEM_ERR_BUFFER;
		bad |= WT_NEQ(acc & 0xf, 0);
		out[o++] = (uint8_t)(acc >> 4);
	} else if (npad == 1) {
		if (outcap - o < 2)
			return WT_PEM_ERR_BUFFER;
		bad |= WT_NEQ(acc & 0x3, 0);
		out[o++] = (uint8_t)(acc >> 10);
		out[o++] = (uint8_t)(acc >> 2);
	}
	acc = 0;
	if (bad)
		return WT_PEM_ERR_BASE64;

	/* The END line, with the same label. */
	if (!starts(s + i, inlen - i, "-----END ") || inlen - i - 9 < labn + 5 ||
	    memcmp(s + i + 9, s + lab, labn) != 0 ||
	    !starts(s + i + 9 + labn, inlen - i - 9 - labn, "-----"))
		return WT_PEM_ERR_LABEL;
	i = end_of_line(s, inlen, i + 14 + labn, 1);
	if (i == 0)
		return WT_PEM_ERR_LABEL;

	memcpy(blk->label, s + lab, labn);
	blk->label[labn] = 0;
	blk->label_len = labn;
	blk->der_len = o;
	blk->consumed = i;
	return 0;
}
