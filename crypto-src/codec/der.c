/*
 * der.c: the strict DER reader declared in wt_der.h. Public data only:
 * NOT constant-time (it branches on every byte it reads).
 *
 * Each reader works on a local copy of the cursor and stores it back only
 * on success, so a failed read leaves the caller's cursor where it was.
 */
#include "inner.h"
#include "wt_der.h"

/* see wt_der.h */
void wt_der_init(wt_der *d, const void *buf, size_t len)
{
	d->buf = (const uint8_t *)buf;
	d->len = buf != NULL ? len : 0;
}

/* see wt_der.h */
int wt_der_peek_tag(const wt_der *d)
{
	if (d->len == 0)
		return WT_DER_ERR_TRUNCATED;
	/* X.690 8.1.2.4: number bits all ones announce the high-tag-number
	 * form, which nothing we read uses. */
	if ((d->buf[0] & 0x1f) == 0x1f)
		return WT_DER_ERR_TAG;
	return d->buf[0];
}

/* see wt_der.h */
int wt_der_read_any(wt_der *d, uint32_t *tag, wt_der *value, wt_der *raw)
{
	wt_der c = *d;
	size_t len, hdr;
	int t = wt_der_peek_tag(&c);
	if (t < 0)
		return t;
	if (c.len < 2)
		return WT_DER_ERR_TRUNCATED;
	len = c.buf[1];
	hdr = 2;
	if (len & 0x80) {
		size_t n = len & 0x7f, i;
		/* X.690 8.1.3.6: 0x80 is the indefinite form, which DER
		 * forbids (10.1). */
		if (n == 0)
			return WT_DER_ERR_INDEFINITE;
		/* 0xFF is reserved (8.1.3.5 c); more than 4 length octets
		 * cannot describe anything that fits in memory here. */
		if (n > 4)
			return WT_DER_ERR_LENGTH;
		if (c.len < 2 + n)
			return WT_DER_ERR_TRUNCATED;
		/* X.690 10.1: "the definite form of length encoding shall
		 * be used, encoded in the minimum number of octets": no
		 * leading zero octet... */
		if (c.buf[2] == 0)
			return WT_DER_ERR_LENGTH;
		len = 0;
		for (i = 0; i < n; i++)
			len = (len << 8) | c.buf[2 + i];
		/* ...and the long form only where the short one cannot
		 * express the length. */
		if (len < 0x80)
			return WT_DER_ERR_LENGTH;
		hdr = 2 + n;
	}
	if (len > c.len - hdr)
		return WT_DER_ERR_TRUNCATED;
	*tag = (uint32_t)t;
	if (value != NULL)
		wt_der_init(value, c.buf + hdr, len);
	if (raw != NULL)
		wt_der_init(raw, c.buf, hdr + len);
	d->buf = c.buf + hdr + len;
	d->len = c.len - hdr - len;
	return WT_DER_OK;
}

/* see wt_der.h */
int wt_der_read(wt_der *d, uint32_t tag, wt_der *value)
{
	wt_der c = *d;
	uint32_t t;
	int r = wt_der_read_any(&c, &t, value, NULL);
	if (r != WT_DER_OK)
		return r;
	if (t != tag)
		return WT_DER_ERR_TAG;
	*d = c;
	return WT_DER_OK;
}

/* see wt_der.h */
int wt_der_read_optional(wt_der *d, uint32_t tag, wt_der *value)
{
	int t, r;
	if (d->len == 0)
		return 0;
	t = wt_der_peek_tag(d);
	if (t < 0)
		return t;
	if ((uint32_t)t != tag)
		return 0;
	r = wt_der_read(d, tag, value);
	return r < 0 ? r : 1;
}

/* see wt_der.h */
int wt_der_enter_seq(wt_der *d, wt_der *inner)
{
	return wt_der_read(d, WT_DER_SEQUENCE, inner);
}

/* see wt_der.h */
int wt_der_skip(wt_der *d)
{
	uint32_t t;
	return wt_der_read_any(d, &t, NULL, NULL);
}

/* see wt_der.h */
int wt_der_end(const wt_der *d)
{
	return d->len == 0 ? WT_DER_OK : WT_DER_ERR_TRAILING;
}

/* see wt_der.h */
int wt_der_read_int_raw(wt_der *d, wt_der *contents)
{
	wt_der c = *d, v;
	int r = wt_der_read(&c, WT_DER_INTEGER, &v);
	if (r != WT_DER_OK)
		return r;
	/* X.690 8.3.1: at least one contents octet. */
	if (v.len == 0)
		return WT_DER_ERR_INTEGER;
	/* X.690 8.3.2: with more than one octet, the first nine bits are
	 * not all ones and not all zeros (no redundant sign extension). */
	if (v.len > 1 &&
	    ((v.buf[0] == 0x00 && (v.buf[1] & 0x80) == 0) ||
	     (v.buf[0] == 0xff && (v.buf[1] & 0x80) != 0)))
		return WT_DER_ERR_INTEGER;
	*contents = v;
	*d = c;
	return WT_DER_OK;
}

/* see wt_der.h */
int wt_der_read_uint(wt_der *d, const uint8_t **mag, size_t *len)
{
	wt_der c = *d, v;
	int r = wt_der_read_int_raw(&c, &v);
	if (r != WT_DER_OK)
		return r;
	/* Two's complement: a set top bit is a negative number. */
	if (v.buf[0] & 0x80)
		return WT_DER_ERR_NEGATIVE;
	/* Minimality leaves at most one leading zero octet, the one that
	 * keeps the sign bit clear (or the whole of zero). */
	if (v.buf[0] == 0) {
		v.buf++;
		v.len--;
	}
	*mag = v.buf;
	*len = v.len;
	*d = c;
	return WT_DER_OK;
}

/* see wt_der.h */
int wt_der_read_u32(wt_der *d, uint32_t *v)
{
	wt_der c = *d;
	const uint8_t *m;
	size_t n, i;
	uint32_t x = 0;
	int r = wt_der_read_uint(&c, &m, &n);
	if (r != WT_DER_OK)
		return r;
	if (n > 4)
		return WT_DER_ERR_RANGE;
	for (i = 0; i < n; i++)
		x = (x << 8) | m[i];
	*v = x;
	*d = c;
	return WT_DER_OK;
}

/* see wt_der.h */
int wt_der_read_oid(wt_der *d, wt_der *oid)
{
	wt_der c = *d, v;
	size_t i;
	int r = wt_der_read(&c, WT_DER_OID, &v);
	if (r != WT_DER_OK)
		return r;
	/* X.690 8.19.2: at least one subidentifier; each is base-128 with
	 * the top bit marking continuation, "the leading octet of the
	 * subidentifier shall not have the value 0x80" (minimal), and the
	 * last octet of the contents must end a subidentifier. */
	if (v.len == 0 || (v.buf[v.len - 1] & 0x80))
		return WT_DER_ERR_OID;
	for (i = 0; i < v.len; i++) {
		int starts = i == 0 || (v.buf[i - 1] & 0x80) == 0;
		if (starts && v.buf[i] == 0x80)
			return WT_DER_ERR_OID;
	}
	*oid = v;
	*d = c;
	return WT_DER_OK;
}

/* see wt_der.h */
int wt_der_oid_eq(const wt_der *oid, const uint8_t *ref, size_t reflen)
{
	return oid->len == reflen && memcmp(oid->buf, ref, reflen) == 0;
}

/* see wt_der.h */
int wt_der_read_bit_string(wt_der *d, uint32_t *unused, wt_der *bits)
{
	wt_der c = *d, v;
	uint32_t u;
	int r = wt_der_read(&c, WT_DER_BIT_STRING, &v);
	if (r != WT_DER_OK)
		return r;
	/* X.690 8.6.2: an initial octet with the unused-bit count 0..7;
	 * 8.6.2.3: zero when the string is empty; 11.2.1 (DER): the unused
	 * bits are zero. */
	if (v.len == 0)
		return WT_DER_ERR_BITSTRING;
	u = v.buf[0];
	if (u > 7 || (v.len == 1 && u != 0))
		return WT_DER_ERR_BITSTRING;
	if (u != 0 && (v.buf[v.len - 1] & ((1u << u) - 1)) != 0)
		return WT_DER_ERR_BITSTRING;
	*unused = u;
	wt_der_init(bits, v.buf + 1, v.len - 1);
	*d = c;
	return WT_DER_OK;
}

/* see wt_der.h */
int wt_der_read_bit_string_octets(wt_der *d, wt_der *octets)
{
	wt_der c = *d, v;
	uint32_t u;
	int r = wt_der_read_bit_string(&c, &u, &v);
	if (r != WT_DER_OK)
		return r;
	if (u != 0)
		return WT_DER_ERR_BITSTRING;
	*octets = v;
	*d = c;
	return WT_DER_OK;
}

/* see wt_der.h */
int wt_der_read_octet_string(wt_der *d, wt_der *octets)
{
	return wt_der_read(d, WT_DER_OCTET_STRING, octets);
}

/* see wt_der.h */
int wt_der_read_null(wt_der *d)
{
	wt_der c = *d, v;
	int r = wt_der_read(&c, WT_DER_NULL, &v);
	if (r != WT_DER_OK)
		return r;
	/* X.690 8.8.2: "The contents octets shall not contain any octets." */
	if (v.len != 0)
		return WT_DER_ERR_NULL;
	*d = c;
	return WT_DER_OK;
}

/* see wt_der.h */
int wt_der_read_bool(wt_der *d, uint32_t *b)
{
	wt_der c = *d, v;
	int r = wt_der_read(&c, WT_DER_BOOLEAN, &v);
	if (r != WT_DER_OK)
		return r;
	/* X.690 8.2.1: one octet; 11.1 (DER): TRUE is 0xFF. */
	if (v.len != 1 || (v.buf[0] != 0x00 && v.buf[0] != 0xff))
		return WT_DER_ERR_BOOLEAN;
	*b = v.buf[0] ? 1 : 0;
	*d = c;
	return WT_DER_OK;
}
