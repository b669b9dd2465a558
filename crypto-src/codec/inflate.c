/*
 * inflate.c: RFC 1950 zlib framing and RFC 1951 DEFLATE decoding into a
 * buffer of a known size (see wt_inflate.h).
 *
 * Huffman codes are decoded canonically, one bit at a time, from the
 * count of codes of each length and the symbols in code order (RFC 1951
 * 3.2.2): the smallest code, no lookup tables to build, and fast enough
 * for the few kilobytes of a certificate chain.
 */
#include "inner.h"
#include "wt_inflate.h"

#define MAXBITS 15    /* RFC 1951 3.2.7: code lengths 0..15 */
#define MAXLCODES 288 /* literal/length symbols the fixed code defines */
#define MAXDCODES 32  /* distance symbols the fixed code defines */

typedef struct {
	const uint8_t *in;
	size_t inlen, pos; /* next input byte */
	uint32_t bitbuf, bitcnt;
	uint8_t *out;
	size_t outlen, outpos;
} state;

typedef struct {
	uint16_t count[MAXBITS + 1]; /* codes of each length */
	uint16_t symbol[MAXLCODES];  /* symbols in canonical code order */
} huffman;

/* need bits, LSB first (RFC 1951 3.1.1); -1 when the input ends. */
static int bits(state *s, uint32_t need, uint32_t *v)
{
	while (s->bitcnt < need) {
		if (s->pos == s->inlen)
			return -1;
		s->bitbuf |= (uint32_t)s->in[s->pos++] << s->bitcnt;
		s->bitcnt += 8;
	}
	*v = s->bitbuf & ((1u << need) - 1);
	s->bitbuf >>= need;
	s->bitcnt -= need;
	return 0;
}

/* The next symbol of code h: codes are read MSB first (3.1.1). At most
 * MAXBITS bits; an input end or a bit string no code has is an error. */
static int decode(state *s, const huffman *h, uint32_t *sym)
{
	int32_t code = 0, first = 0, index = 0;
	uint32_t len, b;
	for (len = 1; len <= MAXBITS; len++) {
		int32_t count = h->count[len];
		if (bits(s, 1, &b))
			return WT_INFLATE_ERR_TRUNCATED;
		code |= (int32_t)b;
		if (code - count < first) {
			*sym = h->symbol[index + (code - first)];
			return 0;
		}
		index += count;
		first += count;
		first <<= 1;
		code <<= 1;
	}
	return WT_INFLATE_ERR_DATA;
}

/* Build h from n code lengths. Returns the number of unused codes (0 for
 * a complete code), or -1 for an over-subscribed set. */
static int build(huffman *h, const uint8_t *length, uint32_t n)
{
	uint16_t offs[MAXBITS + 1];
	int32_t left = 1;
	uint32_t len, sym;
	memset(h->count, 0, sizeof h->count);
	for (sym = 0; sym < n; sym++)
		h->count[length[sym]]++;
	if (h->count[0] == n)
		return 0; /* no codes: decoding anything with it fails */
	for (len = 1; len <= MAXBITS; len++) {
		left <<= 1;
		left -= h->count[len];
		if (left < 0)
			return -1;
	}
	offs[1] = 0;
	for (len = 1; len < MAXBITS; len++)
		offs[len + 1] = (uint16_t)(offs[len] + h->count[len]);
	for (sym = 0; sym < n; sym++)
		if (length[sym] != 0)
			h->symbol[offs[length[sym]]++] = (uint16_t)sym;
	return left;
}

/* zlib's rule for a literal/length or distance code (inftrees.c): no
 * codes at all, a complete code, or, incomplete, a single code of one
 * bit (left is then 2^14 of the 2^15 codes of 15 bits). */
static int usable(const huffman *h, int left)
{
	return left == 0 || (left == 1 << (MAXBITS - 1) && h->count[1] == 1);
}

/* RFC 1951 3.2.5: base lengths and extra bits of symbols 257..285, and of
 * distance symbols 0..29. */
static const uint16_t LBASE[29] = { 3,  4,  5,  6,   7,   8,   9,   10,  11, 13,
				    15, 17, 19, 23,  27,  31,  35,  43,  51, 59,
				    67, 83, 99, 115, 131, 163, 195, 227, 258 };
static const uint8_t LEXT[29] = { 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
				  2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0 };
static const uint16_t DBASE[30] = { 1,    2,    3,    4,     5,     7,    9,    13,
				    17,   25,   33,   49,    65,    97,   129,  193,
				    257,  385,  513,  769,   1025,  1537, 2049, 3073,
				    4097, 6145, 8193, 12289, 16385, 24577 };
static const uint8_t DEXT[30] = { 0, 0, 0, 0, 1, 1, 2, 2,  3,  3,  4,  4,  5,  5,  6,
				  6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13 };

/* The symbols of one Huffman-coded block up to end-of-block (256). Each
 * pass of the loop reads at least one bit or fails, and output is checked
 * against outlen before it is written. */
static int codes(state *s, const huffman *lencode, const huffman *distcode)
{
	for (;;) {
		uint32_t sym, v, len, dist;
		int r = decode(s, lencode, &sym);
		if (r)
			return r;
		if (sym < 256) {
			if (s->outpos == s->outlen)
				return WT_INFLATE_ERR_OVERFLOW;
			s->out[s->outpos++] = (uint8_t)sym;
			continue;
		}
		if (sym == 256)
			return 0;
		sym -= 257;
		if (sym >= 29) /* 286, 287: in the fixed code, never valid */
			return WT_INFLATE_ERR_DATA;
		if (bits(s, LEXT[sym], &v))
			return WT_INFLATE_ERR_TRUNCATED;
		len = LBASE[sym] + v;
		r = decode(s, distcode, &sym);
		if (r)
			return r;
		if (sym >= 30) /* 30, 31: in the fixed code, never valid */
			return WT_INFLATE_ERR_DATA;
		if (bits(s, DEXT[sym], &v))
			return WT_INFLATE_ERR_TRUNCATED;
		dist = DBASE[sym] + v;
		/* No preset dictionary: nothing before the first output byte
		 * (zlib: "invalid distance too far back"). */
		if (dist > s->outpos)
			return WT_INFLATE_ERR_DATA;
		if (len > s->outlen - s->outpos)
			return WT_INFLATE_ERR_OVERFLOW;
		/* Byte by byte: the copy may overlap what it writes (3.2.3). */
		while (len--) {
			s->out[s->outpos] = s->out[s->outpos - dist];
			s->outpos++;
		}
	}
}

/* 3.2.4: a stored block, after the 3 header bits: to a byte boundary,
 * LEN, NLEN (its one's complement), LEN bytes. */
static int stored(state *s)
{
	uint32_t len, nlen;
	s->bitbuf = 0; /* the bits left of the current byte are dropped */
	s->bitcnt = 0;
	if (s->inlen - s->pos < 4)
		return WT_INFLATE_ERR_TRUNCATED;
	len = s->in[s->pos] | (uint32_t)s->in[s->pos + 1] << 8;
	nlen = s->in[s->pos + 2] | (uint32_t)s->in[s->pos + 3] << 8;
	s->pos += 4;
	if (len != (~nlen & 0xFFFF))
		return WT_INFLATE_ERR_DATA;
	if (len > s->inlen - s->pos)
		return WT_INFLATE_ERR_TRUNCATED;
	if (len > s->outlen - s->outpos)
		return WT_INFLATE_ERR_OVERFLOW;
	memcpy(s->out + s->outpos, s->in + s->pos, len);
	s->pos += len;
	s->outpos += len;
	return 0;
}

/* 3.2.6: the fixed code (literal/length lengths 8, 9, 7, 8 by range;
 * 32 distance codes of 5 bits, 30 and 31 never valid). */
static int fixed(state *s)
{
	uint8_t lengths[MAXLCODES];
	huffman lencode, distcode;
	uint32_t sym;
	for (sym = 0; sym < 144; sym++)
		lengths[sym] = 8;
	for (; sym < 256; sym++)
		lengths[sym] = 9;
	for (; sym < 280; sym++)
		lengths[sym] = 7;
	for (; sym < MAXLCODES; sym++)
		lengths[sym] = 8;
	build(&lencode, lengths, MAXLCODES);
	for (sym = 0; sym < MAXDCODES; sym++)
		lengths[sym] = 5;
	build(&distcode, lengths, MAXDCODES);
	return codes(s, &lencode, &distcode);
}

/* 3.2.7: a dynamic block: HLIT, HDIST, HCLEN, the code length code, then
 * the literal/length and distance code lengths coded with it. */
static int dynamic(state *s)
{
	static const uint8_t ORDER[19] = { 16, 17, 18, 0, 8,  7, 9,  6, 10, 5,
					   11, 4,  12, 3, 13, 2, 14, 1, 15 };
	uint8_t lengths[MAXLCODES + MAXDCODES];
	huffman lencode, distcode;
	uint32_t nlen, ndist, ncode, index, v, sym;
	int left, r;
	if (bits(s, 5, &nlen) || bits(s, 5, &ndist) || bits(s, 4, &ncode))
		return WT_INFLATE_ERR_TRUNCATED;
	nlen += 257;
	ndist += 1;
	ncode += 4;
	/* zlib refuses 287/288 literal/length and 31/32 distance codes,
	 * which name symbols that can never be valid. */
	if (nlen > 286 || ndist > 30)
		return WT_INFLATE_ERR_DATA;
	for (index = 0; index < ncode; index++) {
		if (bits(s, 3, &v))
			return WT_INFLATE_ERR_TRUNCATED;
		lengths[ORDER[index]] = (uint8_t)v;
	}
	for (; index < 19; index++)
		lengths[ORDER[index]] = 0;
	/* The code length code must be complete (zlib: "invalid code
	 * lengths set"). */
	if (build(&lencode, lengths, 19) != 0)
		return WT_INFLATE_ERR_DATA;
	index = 0;
	while (index < nlen + ndist) {
		uint32_t len = 0, rep;
		r = decode(s, &lencode, &sym);
		if (r)
			return r;
		if (sym < 16) {
			lengths[index++] = (uint8_t)sym;
			continue;
		}
		if (sym == 16) { /* repeat the previous length 3..6 times */
			if (index == 0)
				return WT_INFLATE_ERR_DATA;
			len = lengths[index - 1];
			if (bits(s, 2, &v))
				return WT_INFLATE_ERR_TRUNCATED;
			rep = 3 + v;
		} else if (sym == 17) { /* 3..10 zeros */
			if (bits(s, 3, &v))
				return WT_INFLATE_ERR_TRUNCATED;
			rep = 3 + v;
		} else { /* 18: 11..138 zeros */
			if (bits(s, 7, &v))
				return WT_INFLATE_ERR_TRUNCATED;
			rep = 11 + v;
		}
		if (rep > nlen + ndist - index)
			return WT_INFLATE_ERR_DATA;
		while (rep--)
			lengths[index++] = (uint8_t)len;
	}
	/* A block without an end-of-block code could never end. */
	if (lengths[256] == 0)
		return WT_INFLATE_ERR_DATA;
	left = build(&lencode, lengths, nlen);
	if (!usable(&lencode, left))
		return WT_INFLATE_ERR_DATA;
	left = build(&distcode, lengths + nlen, ndist);
	if (!usable(&distcode, left))
		return WT_INFLATE_ERR_DATA;
	return codes(s, &lencode, &distcode);
}

/* RFC 1950 8.2: Adler-32, sums reduced mod 65521 every 5552 bytes (the
 * most that cannot overflow 32 bits). */
static uint32_t adler32(const uint8_t *p, size_t n)
{
	uint32_t a = 1, b = 0;
	while (n > 0) {
		size_t k = n < 5552 ? n : 5552;
		n -= k;
		while (k--) {
			a += *p++;
			b += a;
		}
		a %= 65521;
		b %= 65521;
	}
	return b << 16 | a;
}

int wt_zlib_inflate(const uint8_t *in, size_t inlen, uint8_t *out, size_t outlen)
{
	state s;
	uint32_t last, type;
	int r;
	/* RFC 1950 2.2: CMF (CM 8 = deflate, CINFO <= 7: a window of at most
	 * 32 KiB), FLG; CMF*256 + FLG a multiple of 31; FDICT (bit 5 of FLG)
	 * would need a dictionary we do not have. */
	if (inlen < 2)
		return WT_INFLATE_ERR_TRUNCATED;
	if ((in[0] & 0x0F) != 8 || (in[0] >> 4) > 7 ||
	    ((uint32_t)in[0] << 8 | in[1]) % 31)
		return WT_INFLATE_ERR_HEADER;
	if (in[1] & 0x20)
		return WT_INFLATE_ERR_DICT;
	memset(&s, 0, sizeof s);
	s.in = in;
	s.inlen = inlen;
	s.pos = 2;
	s.out = out;
	s.outlen = outlen;
	do {
		if (bits(&s, 1, &last) || bits(&s, 2, &type))
			return WT_INFLATE_ERR_TRUNCATED;
		if (type == 0)
			r = stored(&s);
		else if (type == 1)
			r = fixed(&s);
		else if (type == 2)
			r = dynamic(&s);
		else
			r = WT_INFLATE_ERR_DATA; /* 3: reserved */
		if (r)
			return r;
	} while (!last);
	if (s.outpos != outlen)
		return WT_INFLATE_ERR_SHORT;
	/* The Adler-32 starts at the next byte boundary: bits() loads a byte
	 * only when it needs its bits, so fewer than 8 bits, the rest of the
	 * last byte read, are left over and dropped. */
	if (s.inlen - s.pos < 4)
		return WT_INFLATE_ERR_TRUNCATED;
	if (wt_load32_be(in + s.pos) != adler32(out, outlen))
		return WT_INFLATE_ERR_CHECK;
	if (s.inlen - s.pos != 4)
		return WT_INFLATE_ERR_TRAILING;
	return WT_INFLATE_OK;
}
