/*
 * test_rsa.c: the DER reader and PEM decoder on edge cases (non-minimal
 * and indefinite lengths, truncation, INTEGER sign and minimality, BIT
 * STRING padding, OIDs, strict base64), the big-integer helpers against
 * identities, and RSA: known-answer PKCS#1 v1.5 signatures computed by
 * OpenSSL with fixed keys typed in rsa_kat.h, PSS round trips, every key
 * format, malformed keys, truncations and random mutations (no crash
 * under ASan+UBSan), and the fault check.
 */
#include "inner.h"
#include "int/wt_i32.h"
#include "wt_der.h"
#include "wt_hash.h"
#include "wt_host.h"
#include "wt_pem.h"
#include "wt_rsa.h"
#include "testutil.h"
#include "rsa_kat.h"

/* ---- helpers ------------------------------------------------------------ */

static uint8_t hb[8192];
static size_t hlen_;

/* A cursor over hex decoded into a static buffer (one at a time). */
static wt_der H(const char *h)
{
	size_t n;
	uint8_t *b = unhex(h, &n);
	wt_der d;
	memcpy(hb, b, n);
	free(b);
	hlen_ = n;
	wt_der_init(&d, hb, n);
	return d;
}

/* header + body: short or long length form as DER requires */
static size_t tlv(uint8_t *out, uint8_t tag, const uint8_t *body, size_t len)
{
	size_t h = 0;
	out[h++] = tag;
	if (len < 0x80) {
		out[h++] = (uint8_t)len;
	} else if (len < 0x100) {
		out[h++] = 0x81;
		out[h++] = (uint8_t)len;
	} else {
		out[h++] = 0x82;
		out[h++] = (uint8_t)(len >> 8);
		out[h++] = (uint8_t)len;
	}
	memmove(out + h, body, len);
	return h + len;
}

static size_t b64(char *out, const uint8_t *in, size_t n)
{
	static const char A[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i, o = 0;
	for (i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16;
		if (i + 1 < n)
			v |= (uint32_t)in[i + 1] << 8;
		if (i + 2 < n)
			v |= in[i + 2];
		out[o++] = A[v >> 18];
		out[o++] = A[(v >> 12) & 63];
		out[o++] = i + 1 < n ? A[(v >> 6) & 63] : '=';
		out[o++] = i + 2 < n ? A[v & 63] : '=';
		if ((i / 3) % 16 == 15)
			out[o++] = '\n';
	}
	return o;
}

static size_t pem(char *out, const char *label, const uint8_t *der, size_t n)
{
	size_t o = (size_t)sprintf(out, "-----BEGIN %s-----\n", label);
	o += b64(out + o, der, n);
	o += (size_t)sprintf(out + o, "\n-----END %s-----\n", label);
	return o;
}

/* ---- DER ------------------------------------------------------------------ */

static void test_der(void)
{
	wt_der d, v, raw, save;
	uint32_t tag, u;
	const uint8_t *m;
	size_t ml;
	char big[600];
	int i;

	d = H("020105");
	CHECK(wt_der_read(&d, WT_DER_INTEGER, &v) == 0 && v.len == 1 && v.buf[0] == 5 &&
		      d.len == 0,
	      "short form");
	strcpy(big, "048180");
	for (i = 0; i < 128; i++)
		strcat(big, "aa");
	d = H(big);
	CHECK(wt_der_read_octet_string(&d, &v) == 0 && v.len == 128 && d.len == 0,
	      "long form 0x81 0x80");
	strcpy(big, "04820100");
	for (i = 0; i < 256; i++)
		strcat(big, "bb");
	d = H(big);
	CHECK(wt_der_read_octet_string(&d, &v) == 0 && v.len == 256,
	      "long form 0x82 0x0100");

	/* X.690 10.1: minimal length octets */
	d = H("04810541414141");
	CHECK(wt_der_read_octet_string(&d, &v) == WT_DER_ERR_LENGTH,
	      "0x81 for a length < 128");
	d = H("048200054141414141");
	CHECK(wt_der_read_octet_string(&d, &v) == WT_DER_ERR_LENGTH,
	      "leading zero length octet");
	d = H("04ff00");
	CHECK(wt_der_skip(&d) == WT_DER_ERR_LENGTH, "reserved length 0xff");
	d = H("0485000000000100");
	CHECK(wt_der_skip(&d) == WT_DER_ERR_LENGTH, "5 length octets");
	d = H("30800201010000");
	CHECK(wt_der_enter_seq(&d, &v) == WT_DER_ERR_INDEFINITE, "indefinite length");

	/* truncation everywhere */
	d = H("");
	CHECK(wt_der_skip(&d) == WT_DER_ERR_TRUNCATED &&
		      wt_der_peek_tag(&d) == WT_DER_ERR_TRUNCATED,
	      "empty");
	d = H("30");
	CHECK(wt_der_skip(&d) == WT_DER_ERR_TRUNCATED, "tag only");
	d = H("3081");
	CHECK(wt_der_skip(&d) == WT_DER_ERR_TRUNCATED, "missing long length octet");
	d = H("308201");
	CHECK(wt_der_skip(&d) == WT_DER_ERR_TRUNCATED, "half a long length");
	d = H("3005020101");
	CHECK(wt_der_enter_seq(&d, &v) == WT_DER_ERR_TRUNCATED, "length past the end");
	d = H("30040405aabb");
	CHECK(wt_der_enter_seq(&d, &v) == 0 &&
		      wt_der_read_octet_string(&v, &raw) == WT_DER_ERR_TRUNCATED,
	      "inner length past its SEQUENCE");
	d = H("3003040100ff");
	CHECK(wt_der_enter_seq(&d, &v) == 0 && wt_der_end(&d) == WT_DER_ERR_TRAILING,
	      "trailing byte after the outer element");

	/* tags */
	d = H("1f0100");
	CHECK(wt_der_peek_tag(&d) == WT_DER_ERR_TAG && wt_der_skip(&d) == WT_DER_ERR_TAG,
	      "high-tag-number form");
	d = H("040100");
	CHECK(wt_der_read_uint(&d, &m, &ml) == WT_DER_ERR_TAG,
	      "OCTET STRING is not INTEGER");
	d = H("2203020101");
	CHECK(wt_der_read_uint(&d, &m, &ml) == WT_DER_ERR_TAG, "constructed INTEGER");

	/* INTEGER: X.690 8.3 */
	d = H("0200");
	CHECK(wt_der_read_uint(&d, &m, &ml) == WT_DER_ERR_INTEGER, "empty INTEGER");
	d = H("0202007f");
	CHECK(wt_der_read_uint(&d, &m, &ml) == WT_DER_ERR_INTEGER, "redundant 0x00");
	d = H("0202ff80");
	CHECK(wt_der_read_int_raw(&d, &v) == WT_DER_ERR_INTEGER, "redundant 0xff");
	d = H("02020080");
	CHECK(wt_der_read_uint(&d, &m, &ml) == 0 && ml == 1 && m[0] == 0x80,
	      "0x80 with its sign octet");
	d = H("020100");
	CHECK(wt_der_read_uint(&d, &m, &ml) == 0 && ml == 0,
	      "zero has an empty magnitude");
	d = H("020180");
	save = d;
	CHECK(wt_der_read_uint(&d, &m, &ml) == WT_DER_ERR_NEGATIVE, "-128 is negative");
	CHECK(d.buf == save.buf && d.len == save.len, "cursor unchanged on error");
	CHECK(wt_der_read_int_raw(&d, &v) == 0 && v.len == 1 && v.buf[0] == 0x80,
	      "raw -128");
	d = H("0202ff7f");
	CHECK(wt_der_read_uint(&d, &m, &ml) == WT_DER_ERR_NEGATIVE, "-129 is negative");
	d = H("020500ffffffff");
	CHECK(wt_der_read_u32(&d, &u) == 0 && u == 0xffffffffu, "u32 max");
	d = H("02050100000000");
	CHECK(wt_der_read_u32(&d, &u) == WT_DER_ERR_RANGE, "u32 overflow");

	/* BIT STRING: X.690 8.6, 11.2 */
	d = H("030100");
	CHECK(wt_der_read_bit_string(&d, &u, &v) == 0 && u == 0 && v.len == 0,
	      "empty BIT STRING");
	d = H("0300");
	CHECK(wt_der_read_bit_string(&d, &u, &v) == WT_DER_ERR_BITSTRING,
	      "no unused-bits octet");
	d = H("030101");
	CHECK(wt_der_read_bit_string(&d, &u, &v) == WT_DER_ERR_BITSTRING,
	      "unused bits in an empty string");
	d = H("03020800");
	CHECK(wt_der_read_bit_string(&d, &u, &v) == WT_DER_ERR_BITSTRING,
	      "8 unused bits");
	d = H("03020101");
	CHECK(wt_der_read_bit_string(&d, &u, &v) == WT_DER_ERR_BITSTRING,
	      "nonzero unused bit");
	d = H("03020102");
	CHECK(wt_der_read_bit_string(&d, &u, &v) == 0 && u == 1 && v.len == 1,
	      "one unused bit");
	d = H("03020102");
	CHECK(wt_der_read_bit_string_octets(&d, &v) == WT_DER_ERR_BITSTRING,
	      "octets need 0 unused bits");

	/* OBJECT IDENTIFIER: X.690 8.19 */
	d = H("06092a864886f70d010101");
	CHECK(wt_der_read_oid(&d, &v) == 0 &&
		      wt_der_oid_eq(
			      &v, (const uint8_t *)"\x2a\x86\x48\x86\xf7\x0d\x01\x01\x01",
			      9) &&
		      !wt_der_oid_eq(
			      &v, (const uint8_t *)"\x2a\x86\x48\x86\xf7\x0d\x01\x01\x0a",
			      9),
	      "rsaEncryption");
	d = H("0600");
	CHECK(wt_der_read_oid(&d, &v) == WT_DER_ERR_OID, "empty OID");
	d = H("06022a86");
	CHECK(wt_der_read_oid(&d, &v) == WT_DER_ERR_OID,
	      "OID ends inside a subidentifier");
	d = H("06032a8001");
	CHECK(wt_der_read_oid(&d, &v) == WT_DER_ERR_OID,
	      "subidentifier with a leading 0x80");
	d = H("06052a86");
	CHECK(wt_der_read_oid(&d, &v) == WT_DER_ERR_TRUNCATED, "OID length past the end");

	/* NULL, BOOLEAN */
	d = H("0500");
	CHECK(wt_der_read_null(&d) == 0, "NULL");
	d = H("050100");
	CHECK(wt_der_read_null(&d) == WT_DER_ERR_NULL, "NULL with contents");
	d = H("0101ff");
	CHECK(wt_der_read_bool(&d, &u) == 0 && u == 1, "TRUE");
	d = H("010100");
	CHECK(wt_der_read_bool(&d, &u) == 0 && u == 0, "FALSE");
	d = H("010101");
	CHECK(wt_der_read_bool(&d, &u) == WT_DER_ERR_BOOLEAN, "TRUE must be 0xff in DER");
	d = H("01020000");
	CHECK(wt_der_read_bool(&d, &u) == WT_DER_ERR_BOOLEAN, "two-octet BOOLEAN");

	/* structure helpers */
	d = H("3003020101");
	CHECK(wt_der_read_any(&d, &tag, &v, &raw) == 0 && tag == 0x30 && v.len == 3 &&
		      raw.len == 5 && raw.buf == hb && d.len == 0,
	      "read_any gives contents and the raw element");
	d = H("a003020101020102");
	CHECK(wt_der_read_optional(&d, WT_DER_CONTEXT(0), &v) == 1 && v.len == 3,
	      "optional [0] present");
	CHECK(wt_der_read_optional(&d, WT_DER_CONTEXT(0), &v) == 0 && d.len == 3,
	      "optional [0] absent");
	CHECK(wt_der_read_u32(&d, &u) == 0 && u == 2 && wt_der_end(&d) == 0,
	      "then the INTEGER");
	CHECK(wt_der_read_optional(&d, WT_DER_CONTEXT(0), &v) == 0,
	      "optional at the end");
	d = H("0403aabbcc0500");
	CHECK(wt_der_skip(&d) == 0 && wt_der_read_null(&d) == 0 && wt_der_end(&d) == 0,
	      "skip");
	d = H("3006020101020102");
	CHECK(wt_der_enter_seq(&d, &v) == 0 && wt_der_skip(&v) == 0 &&
		      wt_der_end(&v) == WT_DER_ERR_TRAILING && wt_der_skip(&v) == 0 &&
		      wt_der_end(&v) == 0,
	      "end inside a SEQUENCE");
}

/* ---- PEM ------------------------------------------------------------------ */

static int pem_err(const char *s)
{
	uint8_t out[64];
	wt_pem_block b;
	return wt_pem_decode(s, strlen(s), out, sizeof out, &b);
}

static void test_pem(void)
{
	static const char two[] = "explanatory text\n"
				  "-----BEGIN TEST DATA-----\n"
				  "AAEC\n"
				  "Aw==\n"
				  "-----END TEST DATA-----\n"
				  "-----BEGIN X-----\r\n"
				  "QQ==\r\n"
				  "-----END X-----";
	uint8_t out[64];
	wt_pem_block b;
	size_t first;

	CHECK(wt_pem_decode(two, strlen(two), out, sizeof out, &b) == 0 &&
		      strcmp(b.label, "TEST DATA") == 0 && b.label_len == 9 &&
		      b.der_len == 4 && memcmp(out, "\x00\x01\x02\x03", 4) == 0,
	      "first block");
	first = b.consumed;
	CHECK(strncmp(two + first, "-----BEGIN X", 12) == 0,
	      "consumed ends after the END line");
	CHECK(wt_pem_decode(two + first, strlen(two) - first, out, sizeof out, &b) == 0 &&
		      strcmp(b.label, "X") == 0 && b.der_len == 1 && out[0] == 'A' &&
		      b.consumed == strlen(two) - first,
	      "second block, CRLF, END at end of input");
	CHECK(pem_err("-----BEGIN A-B C-----\nQUJD\n-----END A-B C-----\n") == 0,
	      "label with - and space");
	CHECK(pem_err("-----BEGIN A-----\n  QU\tJD  \n\n-----END A-----  \n") == 0,
	      "whitespace anywhere");
	CHECK(pem_err("-----BEGIN A-----\n-----END A-----\n") == 0, "empty body");
	CHECK(pem_err("nothing here") == WT_PEM_ERR_NO_BEGIN, "no BEGIN");
	CHECK(pem_err("x-----BEGIN A-----\nQQ==\n-----END A-----\n") ==
		      WT_PEM_ERR_NO_BEGIN,
	      "BEGIN not at a line start");
	CHECK(pem_err("-----BEGIN A-----\nQQ==\n") == WT_PEM_ERR_NO_END, "no END");
	CHECK(pem_err("-----BEGIN A-----\nQQ==\n-----END B-----\n") == WT_PEM_ERR_LABEL,
	      "END label differs");
	CHECK(pem_err("-----BEGIN A-----\nQQ==\n-----END AB-----\n") == WT_PEM_ERR_LABEL,
	      "END label longer");
	CHECK(pem_err("-----BEGIN  A-----\nQQ==\n-----END  A-----\n") == WT_PEM_ERR_LABEL,
	      "label starts with a space");
	CHECK(pem_err("-----BEGIN A--B-----\nQQ==\n-----END A--B-----\n") ==
		      WT_PEM_ERR_LABEL,
	      "double hyphen in label");
	CHECK(pem_err("-----BEGIN A----- x\nQQ==\n-----END A-----\n") == WT_PEM_ERR_LABEL,
	      "text after BEGIN line");
	CHECK(pem_err("-----BEGIN A-----\nQR==\n-----END A-----\n") == WT_PEM_ERR_BASE64,
	      "non-canonical 1-byte tail");
	CHECK(pem_err("-----BEGIN A-----\nQUJ=\n-----END A-----\n") == WT_PEM_ERR_BASE64,
	      "non-canonical 2-byte tail");
	CHECK(pem_err("-----BEGIN A-----\nQUI=\n-----END A-----\n") == 0,
	      "canonical 2-byte tail");
	CHECK(pem_err("-----BEGIN A-----\nQQ=\n-----END A-----\n") == WT_PEM_ERR_BASE64,
	      "short padding");
	CHECK(pem_err("-----BEGIN A-----\nQ===\n-----END A-----\n") == WT_PEM_ERR_BASE64,
	      "three pads");
	CHECK(pem_err("-----BEGIN A-----\nQQ\n-----END A-----\n") == WT_PEM_ERR_BASE64,
	      "missing padding");
	CHECK(pem_err("-----BEGIN A-----\nQQ==QQ==\n-----END A-----\n") ==
		      WT_PEM_ERR_BASE64,
	      "data after padding");
	CHECK(pem_err("-----BEGIN A-----\nQQ*=\n-----END A-----\n") == WT_PEM_ERR_BASE64,
	      "character outside the alphabet");
	CHECK(pem_err("-----BEGIN A-----\nQQ_-\n-----END A-----\n") ==
			      WT_PEM_ERR_BASE64 ||
		      pem_err("-----BEGIN A-----\nQQ_-\n-----END A-----\n") ==
			      WT_PEM_ERR_LABEL,
	      "base64url is not base64");
	CHECK(pem_err("-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n\nQUJD\n"
		      "-----END RSA PRIVATE KEY-----\n") == WT_PEM_ERR_BASE64,
	      "encapsulated headers refused");
	CHECK(wt_pem_decode("-----BEGIN A-----\nQUJDRA==\n-----END A-----\n", 38, out, 3,
			    &b) == WT_PEM_ERR_BUFFER,
	      "output too small");
}

/* ---- big integers ------------------------------------------------------------ */

/* x = x^e mod m in Montgomery form by square and multiply over the
 * scalar wt_i32_montmul: the reference for the vector code (which both
 * modpow_ct and modpow_vartime_e use where WT_I32_VEC is 1). */
static void ref_pow(uint32_t *x, const uint32_t *e, size_t elen, const uint32_t *m,
		    const uint32_t *r2, size_t len, uint32_t m0i)
{
	uint32_t b[WT_I32_MAX_LIMBS], one[WT_I32_MAX_LIMBS];
	size_t i;
	memcpy(b, x, len * 4);
	memset(one, 0, sizeof one);
	one[0] = 1;
	wt_i32_montmul(x, r2, one, m, len, m0i); /* Montgomery 1 */
	for (i = 32 * elen; i-- > 0;) {
		wt_i32_montmul(x, x, x, m, len, m0i);
		if ((e[i >> 5] >> (i & 31)) & 1)
			wt_i32_montmul(x, x, b, m, len, m0i);
	}
}

static void test_i32(const wt_rsa_private_key *k)
{
	const wt_rsa_public_key *pk = &k->pub;
	size_t ln = pk->limbs, lp = k->plimbs, i;
	uint32_t x[WT_I32_MAX_LIMBS], inv[WT_I32_MAX_LIMBS], t[WT_I32_MAX_LIMBS],
		one[WT_I32_MAX_LIMBS];
	uint32_t a[WT_I32_MAX_LIMBS], b[WT_I32_MAX_LIMBS], e[WT_I32_MAX_LIMBS];
	uint8_t rb[512];
	int it, ok = 1;

	memset(one, 0, sizeof one);
	one[0] = 1;
	for (it = 0; it < 8; it++) {
		wt_random(rb, pk->len);
		wt_i32_decode(x, ln, rb, pk->len - 1); /* < n */
		ok &= wt_i32_modinv_ct(inv, x, pk->n, ln) == 1;
		wt_i32_montmul(t, x, inv, pk->n, ln, pk->n0i);    /* x x^-1 / R */
		wt_i32_montmul(t, t, pk->r2, pk->n, ln, pk->n0i); /* x x^-1 */
		ok &= wt_i32_eq(t, one, ln);
	}
	CHECK(ok, "x * modinv(x) = 1 mod n");
	/* the optimized inversion against the one-bit-per-step reference,
	 * modulo n and modulo p, on random values and edge cases */
	ok = 1;
	for (it = 0; it < 24; it++) {
		const uint32_t *m = (it & 1) ? k->p : pk->n;
		size_t len = (it & 1) ? lp : ln;
		uint32_t ok1, ok2;
		wt_random(rb, 4 * len);
		wt_i32_decode(x, len, rb, 4 * len - 1);
		if (it % 8 == 2)
			memset(x, 0, len * 4), x[0] = 1;
		if (it % 8 == 4)
			memcpy(x, m, len * 4), x[0] -= 1; /* m - 1 */
		if (it % 8 == 6)
			memset(x, 0, len * 4); /* 0 */
		ok1 = wt_i32_modinv_simple_ct(t, x, m, len);
		ok2 = wt_i32_modinv_ct(inv, x, m, len);
		ok &= ok1 == ok2 && (!ok1 || wt_i32_eq(t, inv, len));
		ok &= ok1 == (uint32_t)(it % 8 != 6);
	}
	CHECK(ok, "modinv_ct = modinv_simple_ct");
	memset(x, 0, sizeof x);
	memcpy(x, k->q, k->qlimbs * 4);
	CHECK(wt_i32_modinv_ct(inv, x, pk->n, ln) == 0, "q has no inverse mod n");

	/* constant-time window exponentiation = square-and-multiply, mod p */
	ok = 1;
	for (it = 0; it < 4; it++) {
		wt_random(rb, 4 * lp);
		wt_i32_decode(a, lp, rb, 4 * lp - 1);
		wt_i32_montmul(a, a, k->r2p, k->p, lp, k->p0i);
		memcpy(b, a, lp * 4);
		wt_random(rb, 4 * lp);
		wt_i32_decode(e, lp, rb, 4 * lp);
		if (it == 0)
			memset(e, 0, lp * 4), e[0] = 1; /* exponent 1 */
		wt_i32_modpow_ct(a, e, lp, k->p, k->r2p, lp, k->p0i);
		wt_i32_modpow_vartime_e(b, e, lp, k->p, lp, k->p0i);
		ok &= wt_i32_eq(a, b, lp);
	}
	CHECK(ok, "modpow_ct = modpow_vartime_e");
	/* modpow_vartime_e (on n: the verification size) = the reference */
	wt_random(rb, 4 * ln);
	wt_i32_decode(a, ln, rb, 4 * ln - 1);
	while (!wt_i32_lt(a, pk->n, ln))
		a[ln - 1] >>= 1;
	wt_i32_montmul(a, a, pk->r2, pk->n, ln, pk->n0i);
	memcpy(b, a, ln * 4);
	wt_i32_modpow_vartime_e(a, pk->e, pk->elimbs, pk->n, ln, pk->n0i);
	ref_pow(b, pk->e, pk->elimbs, pk->n, pk->r2, ln, pk->n0i);
	CHECK(wt_i32_eq(a, b, ln), "modpow_vartime_e = scalar square and multiply");
	/* the two-lane exponentiation (p and q side by side) = square and
	 * multiply over the scalar montmul in each lane, with exponents 0 and all ones and the
	 * largest bases; and on an odd limb count (the top 33 limbs of n,
	 * odd, with its top limb nonzero, in both lanes) */
	ok = 1;
	for (it = 0; it < 5; it++) {
		uint32_t aq[WT_RSA_MAX_LIMBS], bq[WT_RSA_MAX_LIMBS], eq[WT_RSA_MAX_LIMBS];
		uint32_t mo[WT_RSA_MAX_LIMBS], r2o[WT_RSA_MAX_LIMBS];
		/* the q lane on q where it has p's limb count, else on p */
		int qq = k->qlimbs == lp;
		const uint32_t *mp_ = k->p, *mq_ = qq ? k->q : k->p;
		const uint32_t *r2p_ = k->r2p, *r2q_ = qq ? k->r2q : k->r2p;
		uint32_t p0i = k->p0i, q0i = qq ? k->q0i : k->p0i;
		size_t len = lp;
		if (it == 4) {
			len = 33;
			memcpy(mo, pk->n + ln - len, len * 4);
			mo[0] |= 1;
			p0i = q0i = wt_i32_ninv32(mo[0]);
			wt_i32_mont_r2(r2o, mo, len, p0i);
			mp_ = mq_ = mo;
			r2p_ = r2q_ = r2o;
		}
		wt_random(rb, 4 * len);
		wt_i32_decode(a, len, rb, 4 * len - 1);
		wt_random(rb, 4 * len);
		wt_i32_decode(aq, len, rb, 4 * len - 1);
		if (it == 3) {
			memcpy(a, k->p, lp * 4);
			a[0] -= 2;
			memcpy(aq, mq_, lp * 4);
			aq[0] -= 2;
		}
		wt_i32_montmul(a, a, r2p_, mp_, len, p0i);
		wt_i32_montmul(aq, aq, r2q_, mq_, len, q0i);
		memcpy(b, a, len * 4);
		memcpy(bq, aq, len * 4);
		wt_random(rb, 4 * len);
		wt_i32_decode(e, len, rb, 4 * len);
		wt_random(rb, 4 * len);
		wt_i32_decode(eq, len, rb, 4 * len);
		if (it == 1)
			memset(e, 0, len * 4), memset(eq, 0xff, len * 4);
		wt_i32_modpow2_ct(a, aq, e, eq, len, mp_, mq_, r2p_, r2q_, len, p0i, q0i);
		ref_pow(b, e, len, mp_, r2p_, len, p0i);
		ref_pow(bq, eq, len, mq_, r2q_, len, q0i);
		ok &= wt_i32_eq(a, b, len) & wt_i32_eq(aq, bq, len);
	}
	CHECK(ok,
	      "modpow2_ct = scalar square and multiply per lane, even and odd lengths");
	/* the blinding factors' powers: modpow2_vartime_e (p and q lanes, the
	 * public exponent) = the reference per lane, where p and q have one
	 * limb count */
	if (k->qlimbs == lp) {
		uint32_t aq[WT_RSA_MAX_LIMBS], bq[WT_RSA_MAX_LIMBS];
		wt_random(rb, 4 * lp);
		wt_i32_decode(a, lp, rb, 4 * lp - 1);
		wt_random(rb, 4 * lp);
		wt_i32_decode(aq, lp, rb, 4 * lp - 1);
		wt_i32_montmul(a, a, k->r2p, k->p, lp, k->p0i);
		wt_i32_montmul(aq, aq, k->r2q, k->q, lp, k->q0i);
		memcpy(b, a, lp * 4);
		memcpy(bq, aq, lp * 4);
		wt_i32_modpow2_vartime_e(a, aq, pk->e, pk->elimbs, k->p, k->q, lp, k->p0i,
					 k->q0i);
		ref_pow(b, pk->e, pk->elimbs, k->p, k->r2p, lp, k->p0i);
		ref_pow(bq, pk->e, pk->elimbs, k->q, k->r2q, lp, k->q0i);
		CHECK(wt_i32_eq(a, b, lp) && wt_i32_eq(aq, bq, lp),
		      "modpow2_vartime_e = scalar square and multiply per lane");
	}
	/* montsqr = montmul(a, a), including the largest values below m */
	ok = 1;
	for (it = 0; it < 16; it++) {
		const uint32_t *m = (it & 1) ? k->p : pk->n;
		size_t len = (it & 1) ? lp : ln;
		uint32_t m0i = (it & 1) ? k->p0i : pk->n0i;
		wt_random(rb, 4 * len);
		wt_i32_decode(a, len, rb, 4 * len);
		if (it >= 12) {
			memcpy(a, m, len * 4);
			a[0] -= (uint32_t)(it - 10); /* m - 2, m - 3, ... */
		}
		while (!wt_i32_lt(a, m, len))
			a[len - 1] >>= 1;
		wt_i32_montmul(b, a, a, m, len, m0i);
		wt_i32_montsqr(a, a, m, len, m0i);
		ok &= wt_i32_eq(a, b, len);
	}
	CHECK(ok, "montsqr = montmul(a, a)");
	/* exponent 0 gives Montgomery 1 */
	memset(e, 0, sizeof e);
	wt_i32_modpow_ct(a, e, lp, k->p, k->r2p, lp, k->p0i);
	wt_i32_from_mont(a, k->p, lp, k->p0i);
	CHECK(wt_i32_eq(a, one, lp), "x^0 = 1");
	/* to_mont_wide of n (a multiple of p) is 0 mod p, of n + 1 is R */
	wt_i32_to_mont_wide(a, pk->n, ln, k->p, k->r2p, lp, k->p0i);
	CHECK(wt_i32_iszero(a, lp), "n mod p = 0");
	memcpy(t, pk->n, ln * 4);
	t[0] += 1; /* n is odd: no carry */
	wt_i32_to_mont_wide(a, t, ln, k->p, k->r2p, lp, k->p0i);
	wt_i32_from_mont(a, k->p, lp, k->p0i);
	CHECK(wt_i32_eq(a, one, lp), "(n + 1) mod p = 1");
	CHECK(wt_i32_bitlen(pk->n, ln) == pk->bits && wt_i32_bitlen(one, ln) == 1 &&
		      wt_i32_bitlen(e, ln) == 0,
	      "bitlen");
	for (i = 0; i < 4; i++)
		rb[i] = (uint8_t)(i + 1);
	CHECK(wt_i32_decode(x, 1, rb, 4) == 1 && x[0] == 0x01020304 &&
		      wt_i32_decode(x, 1, (const uint8_t *)"\x01\x00\x00\x00\x05", 5) ==
			      0 &&
		      wt_i32_decode(x, 1, (const uint8_t *)"\x00\x00\x00\x00\x05", 5) ==
			      1 &&
		      x[0] == 5,
	      "decode");
}

/* ---- RSA ------------------------------------------------------------------ */

static uint8_t priv_der[2][1300];
static size_t priv_len[2];
static wt_rsa_private_key K[2];
static const char *const KHEX[2] = { K2048, K2049 };

static void digest_of(uint32_t id, const char *msg, uint8_t *out)
{
	wt_hash(id, msg, strlen(msg), out);
}

static void test_kat(void)
{
	uint8_t d[64], sig[512], want[512];
	uint8_t *w;
	size_t wl;
	int i;

	for (i = 0; i < 2; i++) {
		uint8_t *b = unhex(KHEX[i], &priv_len[i]);
		memcpy(priv_der[i], b, priv_len[i]);
		free(b);
		CHECK(wt_rsa_private_from_pkcs1(&K[i], priv_der[i], priv_len[i]) == 0,
		      "parse key %d", i);
	}
	CHECK(K[0].pub.bits == 2048 && K[0].pub.len == 256 && K[0].plimbs == 32 &&
		      K[0].qlimbs == 32,
	      "2048-bit sizes");
	CHECK(K[1].pub.bits == 2049 && K[1].pub.len == 257 && K[1].pub.limbs == 65 &&
		      K[1].plimbs == 33 && K[1].qlimbs == 32,
	      "2049-bit sizes");

	digest_of(WT_SHA256, MSG, d);
	CHECK(wt_rsa_sign_pkcs1(&K[0], WT_SHA256, d, 32, sig, sizeof sig) == 256,
	      "sign 2048/SHA-256");
	CHECK(eqhex(sig, 256, SIG2048_SHA256),
	      "PKCS#1 v1.5 SHA-256 signature = OpenSSL's");
	CHECK(wt_rsa_verify_pkcs1(&K[0].pub, WT_SHA256, d, 32, sig, 256) == 1,
	      "verify it");
	sig[100] ^= 0x10;
	CHECK(wt_rsa_verify_pkcs1(&K[0].pub, WT_SHA256, d, 32, sig, 256) == 0,
	      "flipped bit refused");
	sig[100] ^= 0x10;
	d[0] ^= 1;
	CHECK(wt_rsa_verify_pkcs1(&K[0].pub, WT_SHA256, d, 32, sig, 256) == 0,
	      "other digest refused");
	d[0] ^= 1;
	CHECK(wt_rsa_verify_pkcs1(&K[0].pub, WT_SHA256, d, 32, sig, 255) == 0,
	      "short signature refused");
	CHECK(wt_rsa_verify_pkcs1(&K[1].pub, WT_SHA256, d, 32, sig, 256) == 0,
	      "other key refused");
	CHECK(wt_rsa_verify_pkcs1(&K[0].pub, 9, d, 32, sig, 256) == WT_RSA_ERR_HASH,
	      "unknown hash id");
	CHECK(wt_rsa_verify_pkcs1(&K[0].pub, WT_SHA256, d, 31, sig, 256) ==
		      WT_RSA_ERR_HASH,
	      "digest length");
	CHECK(wt_rsa_sign_pkcs1(&K[0], WT_SHA256, d, 32, sig, 255) == WT_RSA_ERR_BUFFER,
	      "signature buffer");
	/* sig = n is out of range (RFC 8017 5.2.2 step 1) */
	wt_i32_encode(sig, 256, K[0].pub.n, K[0].pub.limbs);
	CHECK(wt_rsa_verify_pkcs1(&K[0].pub, WT_SHA256, d, 32, sig, 256) == 0,
	      "s = n refused");

	digest_of(WT_SHA512, MSG, d);
	CHECK(wt_rsa_sign_pkcs1(&K[0], WT_SHA512, d, 64, sig, sizeof sig) == 256 &&
		      eqhex(sig, 256, SIG2048_SHA512),
	      "PKCS#1 v1.5 SHA-512 signature = OpenSSL's");
	CHECK(wt_rsa_verify_pkcs1(&K[0].pub, WT_SHA384, d, 48, sig, 256) == 0,
	      "SHA-512 signature is not SHA-384");

	digest_of(WT_SHA384, MSG, d);
	CHECK(wt_rsa_sign_pkcs1(&K[1], WT_SHA384, d, 48, sig, sizeof sig) == 257 &&
		      eqhex(sig, 257, SIG2049_SHA384),
	      "PKCS#1 v1.5 SHA-384 with the 2049-bit key = OpenSSL's");
	w = unhex(SIG2049_SHA384, &wl);
	memcpy(want, w, wl);
	free(w);
	CHECK(wt_rsa_verify_pkcs1(&K[1].pub, WT_SHA384, d, 48, want, wl) == 1,
	      "verify OpenSSL's 2049-bit signature");
}

static void test_pss(void)
{
	static const uint32_t ids[3] = { WT_SHA256, WT_SHA384, WT_SHA512 };
	uint8_t d[64], sig[512], sig2[512];
	int i, j, ok = 1, r;
	for (i = 0; i < 2; i++) {
		for (j = 0; j < 3; j++) {
			size_t hl = wt_hash_len(ids[j]), k = K[i].pub.len;
			digest_of(ids[j], MSG, d);
			r = wt_rsa_sign_pss(&K[i], ids[j], hl, d, hl, sig, sizeof sig);
			ok &= r == (int)k;
			ok &= wt_rsa_verify_pss(&K[i].pub, ids[j], hl, d, hl, sig, k) ==
				1;
			/* randomized: a second signature differs and verifies */
			wt_rsa_sign_pss(&K[i], ids[j], hl, d, hl, sig2, sizeof sig2);
			ok &= memcmp(sig, sig2, k) != 0;
			ok &= wt_rsa_verify_pss(&K[i].pub, ids[j], hl, d, hl, sig2, k) ==
				1;
			ok &= wt_rsa_verify_pss(&K[i].pub, ids[j], hl - 1, d, hl, sig,
						k) == 0;
			ok &= wt_rsa_verify_pss(&K[i].pub, ids[j], 0, d, hl, sig, k) == 0;
			ok &= wt_rsa_verify_pkcs1(&K[i].pub, ids[j], d, hl, sig, k) == 0;
			sig[k / 2] ^= 4;
			ok &= wt_rsa_verify_pss(&K[i].pub, ids[j], hl, d, hl, sig, k) ==
				0;
			/* salt of 0 and of 100 bytes */
			ok &= wt_rsa_sign_pss(&K[i], ids[j], 0, d, hl, sig, sizeof sig) ==
					(int)k &&
				wt_rsa_verify_pss(&K[i].pub, ids[j], 0, d, hl, sig, k) ==
					1;
			ok &= wt_rsa_sign_pss(&K[i], ids[j], 100, d, hl, sig,
					      sizeof sig) == (int)k &&
				wt_rsa_verify_pss(&K[i].pub, ids[j], 100, d, hl, sig,
						  k) == 1;
			if (!ok)
				fprintf(stderr, "PSS key %d hash %u\n", i, ids[j]);
		}
	}
	CHECK(ok, "PSS sign/verify round trips, salt lengths, tampering");
	digest_of(WT_SHA512, MSG, d);
	CHECK(wt_rsa_sign_pss(&K[0], WT_SHA512, 256 - 64 - 1, d, 64, sig, sizeof sig) ==
		      WT_RSA_ERR_SALT,
	      "salt too long for the modulus");
}

/* Build the other key encodings from the PKCS#1 private key. */
static size_t make_pub_pkcs1(const uint8_t *priv, size_t plen, uint8_t *out)
{
	wt_der d, seq, nraw, eraw;
	uint32_t tag;
	uint8_t body[700];
	size_t bl = 0;
	wt_der_init(&d, priv, plen);
	wt_der_enter_seq(&d, &seq);
	wt_der_skip(&seq);
	wt_der_read_any(&seq, &tag, NULL, &nraw);
	wt_der_read_any(&seq, &tag, NULL, &eraw);
	memcpy(body, nraw.buf, nraw.len);
	bl = nraw.len;
	memcpy(body + bl, eraw.buf, eraw.len);
	bl += eraw.len;
	return tlv(out, 0x30, body, bl);
}

static const uint8_t ALG_RSA[] = { 0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86,
				   0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00 };

static size_t make_spki(const uint8_t *pub, size_t publen, const uint8_t *alg,
			size_t alglen, uint8_t *out)
{
	uint8_t body[800], bits[700];
	size_t bl;
	bits[0] = 0;
	memcpy(bits + 1, pub, publen);
	memcpy(body, alg, alglen);
	bl = alglen + tlv(body + alglen, 0x03, bits, publen + 1);
	return tlv(out, 0x30, body, bl);
}

static size_t make_pkcs8(const uint8_t *priv, size_t privlen, const uint8_t *alg,
			 size_t alglen, uint32_t version, const uint8_t *extra,
			 size_t extralen, uint8_t *out)
{
	uint8_t body[1500];
	size_t bl = 0;
	body[bl++] = 0x02;
	body[bl++] = 0x01;
	body[bl++] = (uint8_t)version;
	memcpy(body + bl, alg, alglen);
	bl += alglen;
	bl += tlv(body + bl, 0x04, priv, privlen);
	if (extralen != 0)
		memcpy(body + bl, extra, extralen);
	bl += extralen;
	return tlv(out, 0x30, body, bl);
}

static void test_formats(void)
{
	uint8_t pub[600], spki[700], p8[1500], bad[1500];
	char text[3000];
	wt_rsa_public_key pk;
	wt_rsa_private_key sk;
	size_t publen, spkilen, p8len, tl;
	const uint8_t *priv = priv_der[0];
	size_t privlen = priv_len[0];
	uint8_t alg_pss[sizeof ALG_RSA];

	publen = make_pub_pkcs1(priv, privlen, pub);
	spkilen = make_spki(pub, publen, ALG_RSA, sizeof ALG_RSA, spki);
	p8len = make_pkcs8(priv, privlen, ALG_RSA, sizeof ALG_RSA, 0, NULL, 0, p8);

	CHECK(wt_rsa_public_from_pkcs1(&pk, pub, publen) == 0 &&
		      memcmp(&pk, &K[0].pub, sizeof pk) == 0,
	      "RSAPublicKey = the private key's public half");
	CHECK(wt_rsa_public_from_spki(&pk, spki, spkilen) == 0 &&
		      memcmp(&pk, &K[0].pub, sizeof pk) == 0,
	      "SPKI");
	CHECK(wt_rsa_public_from_der(&pk, spki, spkilen) == 0 &&
		      memcmp(&pk, &K[0].pub, sizeof pk) == 0,
	      "der: SPKI");
	CHECK(wt_rsa_public_from_der(&pk, pub, publen) == 0 &&
		      memcmp(&pk, &K[0].pub, sizeof pk) == 0,
	      "der: PKCS#1");
	CHECK(wt_rsa_public_from_pkcs1(&pk, spki, spkilen) == WT_DER_ERR_TAG,
	      "SPKI is not PKCS#1");
	CHECK(wt_rsa_public_from_spki(&pk, pub, publen) == WT_DER_ERR_TAG,
	      "PKCS#1 is not SPKI");
	CHECK(wt_rsa_private_from_pkcs8(&sk, p8, p8len) == 0 &&
		      memcmp(&sk, &K[0], sizeof sk) == 0,
	      "PKCS#8");
	CHECK(wt_rsa_private_from_der(&sk, p8, p8len) == 0 &&
		      memcmp(&sk, &K[0], sizeof sk) == 0,
	      "der: PKCS#8");
	CHECK(wt_rsa_private_from_der(&sk, priv, privlen) == 0 &&
		      memcmp(&sk, &K[0], sizeof sk) == 0,
	      "der: PKCS#1");
	CHECK(wt_rsa_private_from_pkcs1(&sk, p8, p8len) < 0, "PKCS#8 is not PKCS#1");
	CHECK(wt_rsa_private_from_der(&sk, spki, spkilen) < 0 &&
		      wt_rsa_public_from_der(&pk, priv, privlen) < 0,
	      "public and private kinds not confused");
	{
		/* OneAsymmetricKey v2 with attributes [0] and publicKey [1] */
		static const uint8_t extra[] = { 0xa0, 0x00, 0x81, 0x02, 0x00, 0xaa };
		size_t l = make_pkcs8(priv, privlen, ALG_RSA, sizeof ALG_RSA, 1, extra,
				      sizeof extra, bad);
		CHECK(wt_rsa_private_from_pkcs8(&sk, bad, l) == 0,
		      "PKCS#8 v2 with attributes and publicKey");
		l = make_pkcs8(priv, privlen, ALG_RSA, sizeof ALG_RSA, 0, extra,
			       sizeof extra, bad);
		CHECK(wt_rsa_private_from_pkcs8(&sk, bad, l) == WT_DER_ERR_TRAILING,
		      "publicKey needs v2");
		l = make_pkcs8(priv, privlen, ALG_RSA, sizeof ALG_RSA, 2, NULL, 0, bad);
		CHECK(wt_rsa_private_from_pkcs8(&sk, bad, l) == WT_RSA_ERR_VERSION,
		      "PKCS#8 version 2");
	}

	/* PEM, all four labels, and labels that do not fit */
	tl = pem(text, "RSA PUBLIC KEY", pub, publen);
	CHECK(wt_rsa_public_from_pem(&pk, text, tl) == 0 &&
		      memcmp(&pk, &K[0].pub, sizeof pk) == 0,
	      "PEM RSA PUBLIC KEY");
	tl = pem(text, "PUBLIC KEY", spki, spkilen);
	CHECK(wt_rsa_public_from_pem(&pk, text, tl) == 0 &&
		      memcmp(&pk, &K[0].pub, sizeof pk) == 0,
	      "PEM PUBLIC KEY");
	tl = pem(text, "RSA PUBLIC KEY", spki, spkilen);
	CHECK(wt_rsa_public_from_pem(&pk, text, tl) == WT_DER_ERR_TAG,
	      "PEM label says PKCS#1, body is SPKI");
	tl = pem(text, "RSA PRIVATE KEY", priv, privlen);
	CHECK(wt_rsa_private_from_pem(&sk, text, tl) == 0 &&
		      memcmp(&sk, &K[0], sizeof sk) == 0,
	      "PEM RSA PRIVATE KEY");
	CHECK(wt_rsa_public_from_pem(&pk, text, tl) == WT_RSA_ERR_PEM_LABEL,
	      "private PEM is not a public key");
	tl = pem(text, "PRIVATE KEY", p8, p8len);
	CHECK(wt_rsa_private_from_pem(&sk, text, tl) == 0 &&
		      memcmp(&sk, &K[0], sizeof sk) == 0,
	      "PEM PRIVATE KEY");
	tl = pem(text, "ENCRYPTED PRIVATE KEY", p8, p8len);
	CHECK(wt_rsa_private_from_pem(&sk, text, tl) == WT_RSA_ERR_PEM_LABEL,
	      "encrypted PKCS#8 refused");
	tl = pem(text, "CERTIFICATE", spki, spkilen);
	CHECK(wt_rsa_public_from_pem(&pk, text, tl) == WT_RSA_ERR_PEM_LABEL,
	      "CERTIFICATE label refused");
	CHECK(wt_rsa_public_from_pem(&pk, "garbage", 7) == WT_PEM_ERR_NO_BEGIN,
	      "no PEM at all");

	/* wrong algorithm: id-RSASSA-PSS (1.2.840.113549.1.1.10) */
	memcpy(alg_pss, ALG_RSA, sizeof ALG_RSA);
	alg_pss[12] = 0x0a;
	tl = make_spki(pub, publen, alg_pss, sizeof alg_pss, bad);
	CHECK(wt_rsa_public_from_spki(&pk, bad, tl) == WT_RSA_ERR_OID,
	      "SPKI with the PSS OID");
	tl = make_pkcs8(priv, privlen, alg_pss, sizeof alg_pss, 0, NULL, 0, bad);
	CHECK(wt_rsa_private_from_pkcs8(&sk, bad, tl) == WT_RSA_ERR_OID,
	      "PKCS#8 with the PSS OID");
	{
		/* parameters absent instead of NULL */
		static const uint8_t noparams[] = { 0x30, 0x0b, 0x06, 0x09, 0x2a,
						    0x86, 0x48, 0x86, 0xf7, 0x0d,
						    0x01, 0x01, 0x01 };
		tl = make_spki(pub, publen, noparams, sizeof noparams, bad);
		CHECK(wt_rsa_public_from_spki(&pk, bad, tl) == WT_DER_ERR_TRUNCATED,
		      "rsaEncryption without NULL");
	}
	/* trailing bytes */
	memcpy(bad, spki, spkilen);
	bad[spkilen] = 0;
	CHECK(wt_rsa_public_from_spki(&pk, bad, spkilen + 1) == WT_DER_ERR_TRAILING,
	      "byte after SPKI");
	memcpy(bad, priv, privlen);
	bad[privlen] = 0;
	CHECK(wt_rsa_private_from_pkcs1(&sk, bad, privlen + 1) == WT_DER_ERR_TRAILING,
	      "byte after RSAPrivateKey");
	/* version 1 (multi-prime) */
	memcpy(bad, priv, privlen);
	bad[6] = 1; /* 30 82 LL LL 02 01 [version] */
	CHECK(bad[4] == 2 &&
		      wt_rsa_private_from_pkcs1(&sk, bad, privlen) == WT_RSA_ERR_VERSION,
	      "multi-prime version");
}

/* INTEGER from a magnitude, with a sign octet when the top bit is set. */
static size_t int_tlv(uint8_t *out, const uint8_t *mag, size_t len)
{
	uint8_t body[600];
	size_t s = (mag[0] & 0x80) ? 1 : 0;
	body[0] = 0;
	memcpy(body + s, mag, len);
	return tlv(out, 0x02, body, len + s);
}

/* RSAPublicKey from a modulus and exponent given in hex magnitudes. */
static int pub_from(const char *nhex, const char *ehex)
{
	uint8_t body[1200], out[1300], *n, *e;
	size_t nl, el, bl, ol;
	wt_rsa_public_key pk;
	n = unhex(nhex, &nl);
	e = unhex(ehex, &el);
	bl = int_tlv(body, n, nl);
	bl += int_tlv(body + bl, e, el);
	ol = tlv(out, 0x30, body, bl);
	free(n);
	free(e);
	return wt_rsa_public_from_pkcs1(&pk, out, ol);
}

static void test_bad_keys(void)
{
	char n[1100];
	int i;
	/* a 2048-bit odd modulus: 0x80 ff..ff; the sign octet keeps it positive */
	strcpy(n, "80");
	for (i = 1; i < 256; i++)
		strcat(n, "ff");
	CHECK(pub_from(n, "010001") == 0, "2048-bit modulus accepted");
	CHECK(pub_from(n, "03") == 0, "e = 3 accepted");
	CHECK(pub_from(n, "01") == WT_RSA_ERR_KEY, "e = 1 refused");
	CHECK(pub_from(n, "010000") == WT_RSA_ERR_KEY, "even e refused");
	CHECK(pub_from(n, n) == WT_RSA_ERR_KEY, "e = n refused");
	n[2 * 256 - 1] = 'e';
	CHECK(pub_from(n, "010001") == WT_RSA_ERR_KEY, "even modulus refused");
	n[2 * 256 - 1] = 'f';
	/* 2047 bits: 0x7f ff..ff */
	n[0] = '7';
	CHECK(pub_from(n, "010001") == WT_RSA_ERR_KEY_SIZE, "2047-bit modulus refused");
	CHECK(pub_from(n + 256, "010001") == WT_RSA_ERR_KEY_SIZE,
	      "1024-bit modulus refused");
	/* 4096 bits accepted, 4097 refused */
	strcpy(n, "80");
	for (i = 1; i < 512; i++)
		strcat(n, "ff");
	CHECK(pub_from(n, "010001") == 0, "4096-bit modulus accepted");
	strcpy(n, "01");
	for (i = 0; i < 512; i++)
		strcat(n, "ff");
	CHECK(pub_from(n, "010001") == WT_RSA_ERR_KEY_SIZE, "4097-bit modulus refused");
}

/* Every truncation and many random mutations of each encoding: the
 * parsers must return cleanly (ASan/UBSan watch). */
static void test_mutations(void)
{
	uint8_t pub[600], spki[700], p8[1500], buf[1500];
	size_t lens[4], l, i;
	const uint8_t *enc[4];
	wt_rsa_public_key pk;
	wt_rsa_private_key sk;
	int ok = 1, it, accepted = 0;
	uint8_t rnd[3];

	lens[0] = make_pub_pkcs1(priv_der[0], priv_len[0], pub);
	lens[1] = make_spki(pub, lens[0], ALG_RSA, sizeof ALG_RSA, spki);
	lens[2] = priv_len[0];
	lens[3] = make_pkcs8(priv_der[0], priv_len[0], ALG_RSA, sizeof ALG_RSA, 0, NULL,
			     0, p8);
	enc[0] = pub;
	enc[1] = spki;
	enc[2] = priv_der[0];
	enc[3] = p8;
	for (i = 0; i < 4; i++) {
		for (l = 0; l < lens[i]; l++) {
			memcpy(buf, enc[i], l);
			if (i < 2)
				ok &= wt_rsa_public_from_der(&pk, buf, l) < 0;
			else
				ok &= wt_rsa_private_from_der(&sk, buf, l) < 0;
		}
	}
	CHECK(ok, "every truncation refused");
	/* mutate one byte at a random place; a mutation that still parses
	 * (a change inside the modulus) gives a key that signs or faults */
	for (it = 0; it < 3000; it++) {
		size_t w = (size_t)it & 3;
		memcpy(buf, enc[w], lens[w]);
		wt_random(rnd, 3);
		buf[((size_t)rnd[0] << 8 | rnd[1]) % lens[w]] ^= (uint8_t)(rnd[2] | 1);
		if (w < 2) {
			if (wt_rsa_public_from_der(&pk, buf, lens[w]) == 0)
				accepted++;
		} else if (wt_rsa_private_from_der(&sk, buf, lens[w]) == 0) {
			/* signing is slow under ASan: try the first few */
			if (accepted < 40) {
				uint8_t d[32] = { 0 }, sig[512];
				int r = wt_rsa_sign_pkcs1(&sk, WT_SHA256, d, 32, sig,
							  sizeof sig);
				ok &= r == (int)sk.pub.len || r == WT_RSA_ERR_FAULT;
			}
			accepted++;
		}
	}
	CHECK(ok, "mutated keys: clean errors (%d of 3000 still parsed)", accepted);
}

static void test_fault(void)
{
	wt_rsa_private_key sk = K[0];
	uint8_t d[32], sig[512];
	size_t i;
	int zero = 1;
	digest_of(WT_SHA256, MSG, d);
	sk.dp[3] ^= 0x100; /* a corrupted CRT half */
	memset(sig, 0xaa, sizeof sig);
	CHECK(wt_rsa_sign_pkcs1(&sk, WT_SHA256, d, 32, sig, sizeof sig) ==
		      WT_RSA_ERR_FAULT,
	      "faulty dp caught");
	for (i = 0; i < 256; i++)
		zero &= sig[i] == 0;
	CHECK(zero, "nothing of the faulty signature released");
	sk = K[1];
	sk.qinv[0] ^= 2;
	CHECK(wt_rsa_sign_pss(&sk, WT_SHA256, 32, d, 32, sig, sizeof sig) ==
		      WT_RSA_ERR_FAULT,
	      "faulty qinv caught");
	wt_wipe(&sk, sizeof sk);
}

int main(void)
{
	test_der();
	test_pem();
	test_kat();
	test_i32(&K[0]);
	test_i32(&K[1]);
	test_pss();
	test_formats();
	test_bad_keys();
	test_mutations();
	test_fault();
	return t_done();
}
