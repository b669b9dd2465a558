/*
 * ecdsa_der.c: ECDSA-Sig-Value (RFC 3279 section 2.2.3, RFC 5480
 * section 2.2) in DER, as TLS carries ECDSA signatures (RFC 8446 section
 * 4.2.3):
 *   ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }
 *
 * The reader is strict X.690 DER, so that exactly one encoding of a
 * signature is accepted (BER leniency has let signatures be malleated or
 * smuggled past other parsers): definite lengths in their shortest form,
 * INTEGERs in their shortest two's-complement form and nonnegative, and no
 * byte before, between or after. The two small readers below (one TLV, one
 * unsigned INTEGER) could move into a shared DER reader (codec/der.c)
 * once the X.509 code needs one.
 *
 * Signatures are public: nothing here needs to be constant-time.
 */
#include "inner.h"
#include "wt_ecp.h"

/*
 * One TLV with tag `tag` from the front of (*p, *n): on success *val, *vlen
 * get the contents and (*p, *n) the rest. X.690 section 8.1.3: the length
 * is definite (0x80, the indefinite form, is BER only); section 10.1: in
 * its shortest form, so the long form only for lengths of 128 and more and
 * without leading zero bytes.
 */
static int der_tlv(const uint8_t **p, size_t *n, uint8_t tag, const uint8_t **val,
		   size_t *vlen)
{
	const uint8_t *s = *p;
	size_t rest = *n, l;
	if (rest < 2 || s[0] != tag)
		return -1;
	if (s[1] < 0x80) {
		l = s[1];
		s += 2;
		rest -= 2;
	} else {
		size_t k = s[1] & 0x7f, i;
		if (k == 0 || k > 3 || rest - 2 < k || s[2] == 0)
			return -1;
		l = 0;
		for (i = 0; i < k; i++)
			l = (l << 8) | s[2 + i];
		if (l < 0x80)
			return -1;
		s += 2 + k;
		rest -= 2 + k;
	}
	if (l > rest)
		return -1;
	*val = s;
	*vlen = l;
	*p = s + l;
	*n = rest - l;
	return 0;
}

/*
 * A nonnegative INTEGER into len big-endian bytes. X.690 section 8.3.1:
 * at least one content byte; 8.3.2: the first nine bits not all equal
 * (no redundant 0x00 or 0xff byte); a set top bit means a negative value,
 * which r and s never are. A 0x00 in front of a byte with its top bit set
 * is the sign byte and is dropped before the size check.
 */
static int der_uint(const uint8_t *v, size_t vl, uint8_t *out, size_t len)
{
	if (vl == 0 || (v[0] & 0x80) != 0)
		return -1;
	if (vl > 1 && v[0] == 0x00) {
		if ((v[1] & 0x80) == 0)
			return -1;
		v++;
		vl--;
	}
	if (vl > len)
		return -1;
	memset(out, 0, len - vl);
	memcpy(out + len - vl, v, vl);
	return 0;
}

/* see wt_ecp.h */
int wt_ecdsa_sig_from_der(uint32_t curve, const uint8_t *der, size_t derlen, uint8_t *raw)
{
	size_t len = wt_ecp_scalar_len(curve), sl, il;
	const uint8_t *seq, *iv;
	if (len == 0)
		return -1;
	if (der_tlv(&der, &derlen, 0x30, &seq, &sl) != 0 || derlen != 0)
		return -1;
	if (der_tlv(&seq, &sl, 0x02, &iv, &il) != 0 || der_uint(iv, il, raw, len) != 0)
		return -1;
	if (der_tlv(&seq, &sl, 0x02, &iv, &il) != 0 ||
	    der_uint(iv, il, raw + len, len) != 0)
		return -1;
	return sl == 0 ? 0 : -1;
}

/* INTEGER for a len-byte unsigned value: shortest form, sign byte when the
 * top bit is set. Returns the bytes written. */
static size_t der_put_uint(uint8_t *out, const uint8_t *v, size_t len)
{
	size_t i = 0, n;
	while (i + 1 < len && v[i] == 0)
		i++;
	n = len - i;
	out[0] = 0x02;
	if (v[i] & 0x80) {
		out[1] = (uint8_t)(n + 1);
		out[2] = 0x00;
		memcpy(out + 3, v + i, n);
		return n + 3;
	}
	out[1] = (uint8_t)n;
	memcpy(out + 2, v + i, n);
	return n + 2;
}

int wt_ecdsa_sig_to_der(uint32_t curve, const uint8_t *raw, uint8_t *der, size_t *derlen)
{
	size_t len = wt_ecp_scalar_len(curve), n;
	if (len == 0)
		return -1;
	/* At most 2 * (3 + 48) = 102 content bytes: the short length form. */
	n = der_put_uint(der + 2, raw, len);
	n += der_put_uint(der + 2 + n, raw + len, len);
	der[0] = 0x30;
	der[1] = (uint8_t)n;
	*derlen = n + 2;
	return 0;
}
