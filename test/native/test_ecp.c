/*
 * test_ecp.c: P-256 / P-384 ECDH and ECDSA. Known answers typed from RFC
 * 6979 appendix A.2.5 (P-256) and A.2.6 (P-384) with the hedge off (no
 * additional data: the deterministic signatures of RFC 6979 section 3.2),
 * then group-law properties of the point arithmetic, point decoding
 * rejections, DER strictness and hedged signing. Wycheproof and the
 * node:crypto differential run from test/suites/ecp.ts.
 */
#include "wt_ecp.h"
#include "wt_hash.h"
#include "wt_host.h"
#include "ec/ec_inner.h"
#include "testutil.h"

typedef struct {
	uint32_t hash;
	const char *msg, *r, *s;
} sigkat;

/* RFC 6979 A.2.5: NIST P-256. */
static const char *P256_X =
	"C9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721";
static const char *P256_U =
	"04"
	"60FED4BA255A9D31C961EB74C6356D68C049B8923B61FA6CE669622E60F29FB6"
	"7903FE1008B8BC99A41AE9E95628BC64F2F1B20C2D7E9F5177A3C294D4462299";
static const sigkat P256_SIGS[] = {
	{ WT_SHA256, "sample",
	  "EFD48B2AACB6A8FD1140DD9CD45E81D69D2C877B56AAF991C34D0EA84EAF3716",
	  "F7CB1C942D657C41D436C7A1B6E29F65F3E900DBB9AFF4064DC4AB2F843ACDA8" },
	{ WT_SHA256, "test",
	  "F1ABB023518351CD71D881567B1EA663ED3EFCF6C5132B354F28D3B0B7D38367",
	  "019F4113742A2B14BD25926B49C649155F267E60D3814B4C0CC84250E46F0083" },
	/* Digests longer than n: truncated to the leftmost 256 bits. */
	{ WT_SHA384, "sample",
	  "0EAFEA039B20E9B42309FB1D89E213057CBF973DC0CFC8F129EDDDC800EF7719",
	  "4861F0491E6998B9455193E34E7B0D284DDD7149A74B95B9261F13ABDE940954" },
	{ WT_SHA512, "sample",
	  "8496A60B5E9B47C825488827E0495B0E3FA109EC4568FD3F8D1097678EB97F00",
	  "2362AB1ADBE2B8ADF9CB9EDAB740EA6049C028114F2460F96554F61FAE3302FE" },
	{ WT_SHA512, "test",
	  "461D93F31B6540894788FD206C07CFA0CC35F46FA3C91816FFF1040AD1581A04",
	  "39AF9F15DE0DB8D97E72719C74820D304CE5226E32DEDAE67519E840D1194E55" },
};

/* RFC 6979 A.2.6: NIST P-384. */
static const char *P384_X = "6B9D3DAD2E1B8C1C05B19875B6659F4DE23C3B667BF297BA"
			    "9AA47740787137D896D5724E4C70A825F872C9EA60D2EDF5";
static const char *P384_U = "04"
			    "EC3A4E415B4E19A4568618029F427FA5DA9A8BC4AE92E02E"
			    "06AAE5286B300C64DEF8F0EA9055866064A254515480BC13"
			    "8015D9B72D7D57244EA8EF9AC0C621896708A59367F9DFB9"
			    "F54CA84B3F1C9DB1288B231C3AE0D4FE7344FD2533264720";
static const sigkat P384_SIGS[] = {
	{ WT_SHA384, "sample",
	  "94EDBB92A5ECB8AAD4736E56C691916B3F88140666CE9FA73D64C4EA95AD133C81A648152E44AC"
	  "F96E36DD1E80FABE46",
	  "99EF4AEB15F178CEA1FE40DB2603138F130E740A19624526203B6351D0A3A94FA329C145786E67"
	  "9E7B82C71A38628AC8" },
	{ WT_SHA384, "test",
	  "8203B63D3C853E8D77227FB377BCF7B7B772E97892A80F36AB775D509D7A5FEB0542A7F0812998"
	  "DA8F1DD3CA3CF023DB",
	  "DDD0760448D42D8A43AF45AF836FCE4DE8BE06B485E9B61B827C2F13173923E06A739F040649A6"
	  "67BF3B828246BAA5A5" },
	/* A digest shorter than n: bits2int pads, and the DRBG output needs
	 * two HMAC-SHA-256 blocks per candidate. */
	{ WT_SHA256, "sample",
	  "21B13D1E013C7FA1392D03C5F99AF8B30C570C6F98D4EA8E354B63A21D3DAA33BDE1E888E63355"
	  "D92FA2B3C36D8FB2CD",
	  "F3AA443FB107745BF4BD77CB3891674632068A10CA67E3D45DB2266FA7D1FEEBEFDC63ECCD1AC4"
	  "2EC0CB8668A4FA0AB0" },
	{ WT_SHA256, "test",
	  "6D6DEFAC9AB64DABAFE36C6BF510352A4CC27001263638E5B16D9BB51D451559F918EEDAF2293B"
	  "E5B475CC8F0188636B",
	  "2D46F3BECBCC523D5F1A1256BF0C9B024D879BA9E838144C8BA6BAEB4B53B47D51AB373F9845C0"
	  "514EEFB14024787265" },
	{ WT_SHA512, "sample",
	  "ED0959D5880AB2D869AE7F6C2915C6D60F96507F9CB3E047C0046861DA4A799CFE30F35CC90005"
	  "6D7C99CD7882433709",
	  "512C8CCEEE3890A84058CE1E22DBC2198F42323CE8ACA9135329F03C068E5112DC7CC3EF3446DE"
	  "FCEB01A45C2667FDD5" },
};

/* Generators and orders (FIPS 186-5 / SP 800-186 section 3.2.1). */
static const char *P256_G =
	"04"
	"6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296"
	"4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5";
static const char *P256_N =
	"FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551";
static const char *P384_G =
	"04"
	"AA87CA22BE8B05378EB1C71EF320AD746E1D3B628BA79B9859F741E082542A38"
	"5502F25DBF55296C3A545E3872760AB7"
	"3617DE4A96262C6F5D9E98BF9292DC29F8F41DBD289A147CE9DA3113B5F0B8C0"
	"0A60B1CE1D7E819D7A431D7C90EA0E5F";
static const char *P384_N = "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF"
			    "C7634D81F4372DDF581A0DB248B0A77AECEC196ACCC52973";

static int eqhex_ci(const uint8_t *b, size_t n, const char *h)
{
	char low[512];
	size_t i;
	for (i = 0; h[i] && i + 1 < sizeof low; i++)
		low[i] = (char)((h[i] >= 'A' && h[i] <= 'F') ? h[i] + 32 : h[i]);
	low[i] = 0;
	return eqhex(b, n, low);
}

static void rfc6979(uint32_t curve, const char *xhex, const char *uhex, const sigkat *k,
		    size_t nk)
{
	size_t len = wt_ecp_scalar_len(curve), xl, ul, i;
	uint8_t *x = unhex(xhex, &xl), *u = unhex(uhex, &ul);
	uint8_t pub[WT_ECP_MAX_POINT_LEN], sig[WT_ECP_MAX_SIG_LEN], dig[64],
		der[WT_ECP_MAX_DER_SIG_LEN];
	uint8_t back[WT_ECP_MAX_SIG_LEN];
	size_t derlen;
	CHECK(xl == len && ul == 1 + 2 * len, "vector sizes");
	CHECK(wt_ecp_public_key(curve, x, pub) == 0, "public key");
	CHECK(memcmp(pub, u, ul) == 0, "curve %u: U = xG", curve);
	for (i = 0; i < nk; i++) {
		wt_hash(k[i].hash, k[i].msg, strlen(k[i].msg), dig);
		CHECK(wt_ecdsa_sign_digest_ex(curve, k[i].hash, x, dig, NULL, 0, sig) ==
			      0,
		      "sign");
		CHECK(eqhex_ci(sig, len, k[i].r), "curve %u hash %u %s: r", curve,
		      k[i].hash, k[i].msg);
		CHECK(eqhex_ci(sig + len, len, k[i].s), "curve %u hash %u %s: s", curve,
		      k[i].hash, k[i].msg);
		CHECK(wt_ecdsa_verify_digest(curve, pub, ul, dig, wt_hash_len(k[i].hash),
					     sig) == 0,
		      "verify");
		CHECK(wt_ecdsa_verify(curve, k[i].hash, pub, ul, k[i].msg,
				      strlen(k[i].msg), sig) == 0,
		      "verify msg");
		CHECK(wt_ecdsa_sig_to_der(curve, sig, der, &derlen) == 0, "to der");
		CHECK(wt_ecdsa_sig_from_der(curve, der, derlen, back) == 0 &&
			      memcmp(back, sig, 2 * len) == 0,
		      "der round trip");
		/* A flipped bit anywhere in r, s or the digest must fail. */
		sig[i % (2 * len)] ^= 0x10;
		CHECK(wt_ecdsa_verify_digest(curve, pub, ul, dig, wt_hash_len(k[i].hash),
					     sig) != 0,
		      "bad sig");
		sig[i % (2 * len)] ^= 0x10;
		dig[3] ^= 1;
		CHECK(wt_ecdsa_verify_digest(curve, pub, ul, dig, wt_hash_len(k[i].hash),
					     sig) != 0,
		      "bad digest");
	}
	free(x);
	free(u);
}

/* Group-law checks through the internal point API. */
static void group_law(uint32_t curve, const char *ghex, const char *nhex)
{
	const wt_ec_curve *c = wt_ec_curve_get(curve);
	size_t len = c->len, gl, nl, i;
	uint8_t *g = unhex(ghex, &gl), *n = unhex(nhex, &nl);
	uint8_t k[WT_EC_MAXLEN], k2[WT_EC_MAXLEN], e1[WT_ECP_MAX_POINT_LEN],
		e2[WT_ECP_MAX_POINT_LEN];
	wt_ec_point G, A, B, C, inf;
	uint32_t one[WT_EC_MAXL];

	CHECK(wt_ec_point_decode(c, &G, g, gl) == 0, "G decodes");
	memset(&inf, 0, sizeof inf);
	memcpy(inf.y, c->one, c->nl * 4);
	memset(one, 0, sizeof one);

	/* 1*G by both multipliers. */
	memset(k, 0, len);
	k[len - 1] = 1;
	wt_ec_point_mul_g(c, &A, k);
	CHECK(wt_ec_point_encode(c, e1, &A) == 0 && memcmp(e1, g, gl) == 0, "1*G comb");
	wt_ec_point_mul(c, &A, &G, k);
	CHECK(wt_ec_point_encode(c, e1, &A) == 0 && memcmp(e1, g, gl) == 0, "1*G window");

	/* n*G = infinity; (n-1)*G = -G. */
	wt_ec_point_mul_g(c, &A, n);
	CHECK(wt_ec_point_encode(c, e1, &A) == -1, "n*G comb = O");
	wt_ec_point_mul(c, &A, &G, n);
	CHECK(wt_ec_point_encode(c, e1, &A) == -1, "n*G window = O");
	memcpy(k, n, len);
	k[len - 1] -= 1;
	wt_ec_point_mul_g(c, &A, k);
	CHECK(wt_ec_point_encode(c, e1, &A) == 0 && memcmp(e1 + 1, g + 1, len) == 0 &&
		      memcmp(e1 + 1 + len, g + 1 + len, len) != 0,
	      "(n-1)G = -G");
	wt_ec_point_add(c, &B, &A, &G);
	CHECK(wt_ec_point_encode(c, e2, &B) == -1, "-G + G = O");

	/* Complete formulas: P + P == 2P, P + O == P, O + O == O, 2*O == O. */
	wt_ec_point_add(c, &A, &G, &G);
	wt_ec_point_double(c, &B, &G);
	CHECK(wt_ec_point_encode(c, e1, &A) == 0 && wt_ec_point_encode(c, e2, &B) == 0 &&
		      memcmp(e1, e2, gl) == 0,
	      "G + G == 2G");
	wt_ec_point_add(c, &A, &G, &inf);
	CHECK(wt_ec_point_encode(c, e1, &A) == 0 && memcmp(e1, g, gl) == 0, "G + O == G");
	wt_ec_point_add(c, &A, &inf, &G);
	CHECK(wt_ec_point_encode(c, e1, &A) == 0 && memcmp(e1, g, gl) == 0, "O + G == G");
	wt_ec_point_add(c, &A, &inf, &inf);
	CHECK(wt_ec_point_encode(c, e1, &A) == -1, "O + O == O");
	wt_ec_point_double(c, &A, &inf);
	CHECK(wt_ec_point_encode(c, e1, &A) == -1, "2 O == O");

	/* Random scalars: comb == window; a(bG) == b(aG) == (ab)G via ECDH. */
	for (i = 0; i < 24; i++) {
		uint8_t pa[WT_ECP_MAX_POINT_LEN], pb[WT_ECP_MAX_POINT_LEN],
			sa[WT_EC_MAXLEN], sb[WT_EC_MAXLEN];
		wt_random(k, len);
		if (i == 0)
			memset(k, 0xff, len); /* above n: both reduce mod n alike */
		if (i == 1)
			memset(k, 0, len); /* 0*G = O */
		if (i >= 2 && i < 6) {     /* leading zero windows */
			memset(k, 0, len - 1 - i);
			k[len - 1 - i] &= 0x0f;
		}
		wt_ec_point_mul_g(c, &A, k);
		wt_ec_point_mul(c, &B, &G, k);
		CHECK(wt_ec_point_encode(c, e1, &A) == wt_ec_point_encode(c, e2, &B) &&
			      memcmp(e1, e2, gl) == 0,
		      "comb == window (%zu)", i);
		wt_random(k2, len);
		k[0] &= 0x7f;
		k2[0] &= 0x7f;
		k[len - 1] |= 1;
		k2[len - 1] |= 1;
		CHECK(wt_ecp_public_key(curve, k, pa) == 0 &&
			      wt_ecp_public_key(curve, k2, pb) == 0,
		      "keys");
		CHECK(wt_ecdh(curve, k, pb, gl, sa) == 0 &&
			      wt_ecdh(curve, k2, pa, gl, sb) == 0,
		      "ecdh");
		CHECK(memcmp(sa, sb, len) == 0, "ecdh agrees (%zu)", i);
		/* (A + B) - B == A through the complete addition. */
		wt_ec_point_decode(c, &A, pa, gl);
		wt_ec_point_decode(c, &B, pb, gl);
		wt_ec_point_add(c, &C, &A, &B);
		memset(one, 0, sizeof one);
		c->fsub(B.y, one, B.y);
		wt_ec_point_add(c, &C, &C, &B);
		CHECK(wt_ec_point_encode(c, e1, &C) == 0 && memcmp(e1, pa, gl) == 0,
		      "(A+B)-B == A");
	}
	free(g);
	free(n);
}

/*
 * Field elements are only weakly reduced (ec_inner.h): any value below
 * 2^(bits+1) in normalized limbs may reach an operation. Feed every
 * operation extreme representations (x + k*p up to the bound, and the
 * bound minus one itself) and check that (1) the result is the same
 * residue as with canonical inputs and (2) the result is weakly reduced
 * again: limbs below 2^w, the top limb below 2^(bits+1 - w*(nl-1)).
 */
static uint32_t weak_ok(const wt_ec_curve *c, const uint32_t *a, uint32_t w)
{
	uint32_t i, top = c->nl - 1, tb = 8 * c->len + 1 - w * top;
	for (i = 0; i < top; i++)
		if (a[i] >> w)
			return 0;
	return (a[top] >> tb) == 0;
}

/* r = a + k*m over normalized limbs; 0 if the result reaches 2^(bits+1). */
static int add_multiple(const wt_ec_curve *c, uint32_t *r, const uint32_t *a,
			const uint32_t *m, uint32_t k, uint32_t w)
{
	uint64_t carry = 0;
	uint32_t i;
	for (i = 0; i < c->nl; i++) {
		carry += (uint64_t)a[i] + (uint64_t)k * m[i];
		r[i] = i + 1 < c->nl ? (uint32_t)(carry & ((1u << w) - 1)) :
				       (uint32_t)carry;
		carry >>= w;
	}
	return weak_ok(c, r, w);
}

static void field_weak_forms(uint32_t curve, uint32_t w)
{
	const wt_ec_curve *c = wt_ec_curve_get(curve);
	uint32_t p[WT_EC_MAXL], vals[6][WT_EC_MAXL], forms[24][WT_EC_MAXL],
		canon[24][WT_EC_MAXL];
	uint32_t r1[WT_EC_MAXL], r2[WT_EC_MAXL], ca[WT_EC_MAXL], cb[WT_EC_MAXL];
	uint8_t bytes[WT_EC_MAXLEN];
	size_t nf = 0, i, j, v, k;
	int bad = 0, seen = 0;

	c->from_be(p, c->p_bytes);
	memset(vals, 0, sizeof vals);
	vals[1][0] = 1; /* 0, 1, p-1, random x3 */
	memcpy(bytes, c->p_bytes, c->len);
	bytes[c->len - 1] -= 1;
	c->from_be(vals[2], bytes);
	for (v = 3; v < 6; v++) {
		wt_random(bytes, c->len);
		bytes[0] &= 0x7f;
		c->from_be(vals[v], bytes);
	}
	for (v = 0; v < 6; v++)
		for (k = 0; k < 4 && nf < 23; k++)
			if (add_multiple(c, forms[nf], vals[v], p, (uint32_t)k, w))
				memcpy(canon[nf++], vals[v], sizeof vals[v]);
	/* The largest weak value, 2^(bits+1) - 1, and its residue. */
	for (i = 0; i + 1 < c->nl; i++)
		forms[nf][i] = (1u << w) - 1;
	forms[nf][c->nl - 1] = (1u << (8 * c->len + 1 - w * (c->nl - 1))) - 1;
	c->fcanon(canon[nf], forms[nf]);
	nf++;
	for (i = 0; i < nf; i++) {
		c->fcanon(ca, forms[i]);
		bad |= memcmp(ca, canon[i], c->nl * 4) != 0;
		for (j = 0; j < nf; j++) {
			wt_ec_fn3 ops[3] = { c->fmul, c->fadd, c->fsub };
			for (k = 0; k < 6; k++) {
				if (k < 3) {
					ops[k](r1, forms[i], forms[j]);
					ops[k](r2, canon[i], canon[j]);
				} else if (k == 3) {
					c->fsqr(r1, forms[i]);
					c->fsqr(r2, canon[i]);
				} else if (k == 4) {
					c->fmul_small(r1, forms[i],
						      (uint32_t)(j % 8) + 1);
					c->fmul_small(r2, canon[i],
						      (uint32_t)(j % 8) + 1);
				} else {
					uint32_t ka = (uint32_t)(j % 8) + 1,
						 kb = (uint32_t)(i % 9);
					c->flin(r1, forms[i], ka, forms[j], kb);
					c->flin(r2, canon[i], ka, canon[j], kb);
				}
				bad |= !weak_ok(c, r1, w) || !weak_ok(c, r2, w);
				c->fcanon(ca, r1);
				c->fcanon(cb, r2);
				bad |= memcmp(ca, cb, c->nl * 4) != 0;
				seen++;
			}
		}
	}
	CHECK(!bad && nf > 12, "curve %u: %d weak-form operations (%zu forms)", curve,
	      seen, nf);
}

static void decoding(uint32_t curve, const char *ghex)
{
	const wt_ec_curve *c = wt_ec_curve_get(curve);
	size_t len = c->len, gl;
	uint8_t *g = unhex(ghex, &gl), bad[WT_ECP_MAX_POINT_LEN],
		out[WT_ECP_MAX_POINT_LEN];
	uint8_t priv[WT_EC_MAXLEN], sec[WT_EC_MAXLEN], comp[1 + WT_EC_MAXLEN];
	CHECK(wt_ecp_point_check(curve, g, gl) == 0, "G valid");
	CHECK(wt_ecp_point_check(curve, g, gl - 1) != 0, "short");
	memcpy(bad, g, gl);
	bad[0] = 0x05;
	CHECK(wt_ecp_point_check(curve, bad, gl) != 0, "prefix 05");
	bad[0] = 0x06; /* hybrid form: not accepted */
	CHECK(wt_ecp_point_check(curve, bad, gl) != 0, "hybrid");
	memcpy(bad, g, gl);
	bad[gl - 1] ^= 1;
	CHECK(wt_ecp_point_check(curve, bad, gl) != 0, "off curve");
	/* x = p (range check) and y = p. */
	memcpy(bad, g, gl);
	memcpy(bad + 1, c->p_bytes, len);
	CHECK(wt_ecp_point_check(curve, bad, gl) != 0, "x = p");
	memcpy(bad, g, gl);
	memcpy(bad + 1 + len, c->p_bytes, len);
	CHECK(wt_ecp_point_check(curve, bad, gl) != 0, "y = p");
	memset(bad, 0xff, gl);
	bad[0] = 0x04;
	CHECK(wt_ecp_point_check(curve, bad, gl) != 0, "all ones");
	bad[0] = 0x00;
	CHECK(wt_ecp_point_check(curve, bad, 1) != 0, "infinity encoding");
	memset(bad, 0, gl);
	bad[0] = 0x04;
	CHECK(wt_ecp_point_check(curve, bad, gl) != 0, "(0, 0)");

	/* ECDH refuses invalid peers and out-of-range keys. */
	memset(priv, 0, len);
	priv[len - 1] = 7;
	CHECK(wt_ecdh(curve, priv, g, gl, sec) == 0, "7G ok");
	memcpy(bad, g, gl);
	bad[5] ^= 1;
	CHECK(wt_ecdh(curve, priv, bad, gl, sec) != 0, "ecdh off-curve peer");
	memset(priv, 0, len);
	CHECK(wt_ecdh(curve, priv, g, gl, sec) != 0, "ecdh zero key");
	memcpy(priv, c->n_bytes, len);
	CHECK(wt_ecdh(curve, priv, g, gl, sec) != 0, "ecdh key = n");
	CHECK(wt_ecp_public_key(curve, priv, out) != 0, "public key of n");

	/* Compression round trip, both parities. */
	comp[0] = (uint8_t)(0x02 | (g[gl - 1] & 1));
	memcpy(comp + 1, g + 1, len);
	CHECK(wt_ecp_point_normalize(curve, comp, 1 + len, out) == 0 &&
		      memcmp(out, g, gl) == 0,
	      "decompress G");
	comp[0] ^= 1;
	CHECK(wt_ecp_point_normalize(curve, comp, 1 + len, out) == 0 &&
		      memcmp(out, g, 1 + len) == 0 &&
		      memcmp(out + 1 + len, g + 1 + len, len) != 0,
	      "decompress -G");
	/* x with no square root: x = 0 fails for one of them, search a few. */
	{
		int found = 0, x;
		for (x = 1; x < 40 && !found; x++) {
			memset(comp, 0, sizeof comp);
			comp[0] = 0x02;
			comp[len] = (uint8_t)x;
			found = wt_ecp_point_normalize(curve, comp, 1 + len, out) != 0;
		}
		CHECK(found, "some x has no point");
	}
	free(g);
}

static void der_strictness(void)
{
	uint8_t raw[64];
	size_t i;
	static const struct {
		const char *der;
		int ok;
	} cases[] = {
		{ "3006020101020102", 1 },
		{ "3006020101020102"
		  "00",
		  0 },                       /* trailing byte */
		{ "308106020101020102", 0 }, /* long form for a short length */
		{ "3080020101020102"
		  "0000",
		  0 },                           /* indefinite length */
		{ "300702020001020102", 0 },     /* INTEGER with a redundant 0x00 */
		{ "3006020181020102", 0 },       /* negative r */
		{ "30060201ff020102", 0 },       /* negative r */
		{ "300702020081020102", 1 },     /* sign byte before 0x81: fine */
		{ "3005020101020100", 0 },       /* wrong SEQUENCE length */
		{ "30050200020102", 0 },         /* empty INTEGER */
		{ "3009020101020102020103", 0 }, /* a third INTEGER */
		{ "3106020101020102", 0 },       /* SET, not SEQUENCE */
		{ "3006030101020102", 0 },       /* BIT STRING for r */
		{ "3003020101", 0 },             /* s missing */
		{ "", 0 },
		/* 32-byte r; 33 bytes with a sign byte; 33 bytes of value (too big). */
		{ "3025022001000000000000000000000000000000000000000000000000000000000000"
		  "00020101",
		  1 },
		{ "3026022100800000000000000000000000000000000000000000000000000000000000"
		  "0000020101",
		  1 },
		{ "3026022101000000000000000000000000000000000000000000000000000000000000"
		  "0000020101",
		  0 },
	};
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		size_t dl;
		uint8_t *d = unhex(cases[i].der, &dl);
		int r = wt_ecdsa_sig_from_der(WT_P256, d, dl, raw);
		CHECK((r == 0) == cases[i].ok, "DER case %zu: %s", i, cases[i].der);
		free(d);
	}
}

/* Hedged signatures: different every time, all valid; the additional data
 * really enters the nonce (a fixed k' gives a fixed, different signature). */
static void hedged(uint32_t curve)
{
	size_t len = wt_ecp_scalar_len(curve), i;
	uint8_t priv[WT_EC_MAXLEN], pub[WT_ECP_MAX_POINT_LEN], s1[WT_ECP_MAX_SIG_LEN],
		s2[WT_ECP_MAX_SIG_LEN];
	uint8_t s3[WT_ECP_MAX_SIG_LEN], extra[WT_EC_MAXLEN], dig[32];
	CHECK(wt_ecp_keygen(curve, priv, pub) == 0, "keygen");
	CHECK(wt_ecp_point_check(curve, pub, 1 + 2 * len) == 0, "keygen point valid");
	for (i = 0; i < 4; i++) {
		CHECK(wt_ecdsa_sign(curve, WT_SHA256, priv, "msg", 3, s1) == 0, "sign");
		CHECK(wt_ecdsa_sign(curve, WT_SHA256, priv, "msg", 3, s2) == 0, "sign");
		CHECK(memcmp(s1, s2, 2 * len) != 0, "hedged signatures differ");
		CHECK(wt_ecdsa_verify(curve, WT_SHA256, pub, 1 + 2 * len, "msg", 3, s1) ==
				      0 &&
			      wt_ecdsa_verify(curve, WT_SHA256, pub, 1 + 2 * len, "msg",
					      3, s2) == 0,
		      "both verify");
		CHECK(wt_ecdsa_verify(curve, WT_SHA256, pub, 1 + 2 * len, "msh", 3, s1) !=
			      0,
		      "other msg");
	}
	wt_sha256("msg", 3, dig);
	memset(extra, 0x5a, sizeof extra);
	wt_ecdsa_sign_digest_ex(curve, WT_SHA256, priv, dig, extra, len, s1);
	wt_ecdsa_sign_digest_ex(curve, WT_SHA256, priv, dig, extra, len, s2);
	wt_ecdsa_sign_digest_ex(curve, WT_SHA256, priv, dig, NULL, 0, s3);
	CHECK(memcmp(s1, s2, 2 * len) == 0 && memcmp(s1, s3, 2 * len) != 0,
	      "k' enters the nonce");
	/* r = 0 or s = 0, and values >= n, are refused. */
	memset(s3, 0, sizeof s3);
	CHECK(wt_ecdsa_verify_digest(curve, pub, 1 + 2 * len, dig, 32, s3) != 0,
	      "zero sig");
	memcpy(s3, s1, 2 * len);
	memcpy(s3 + len, wt_ec_curve_get(curve)->n_bytes, len);
	CHECK(wt_ecdsa_verify_digest(curve, pub, 1 + 2 * len, dig, 32, s3) != 0, "s = n");
	CHECK(wt_ecp_keygen(99, priv, pub) != 0 && wt_ecp_scalar_len(99) == 0,
	      "unknown curve");
}

/*
 * The variable-time inversion of verification (binary GCD,
 * ec_point_vartime.c) against Fermat's x^(m-2) (the constant-time power of
 * ec_field_ct.c) and against x * (1/x) == 1, mod n and mod p: edge values
 * (1, 2, m-1, m-2, powers of two, all-ones below m) and random ones.
 */
static void inverse_vartime(uint32_t curve)
{
	const wt_ec_curve *c = wt_ec_curve_get(curve);
	size_t len = c->len, i;
	int mod, t;
	for (mod = 0; mod < 2; mod++) {
		const uint8_t *m = mod ? c->p_bytes : c->n_bytes;
		for (t = 0; t < 8 * (int)len + 200; t++) {
			uint8_t x[WT_EC_MAXLEN], r[WT_EC_MAXLEN], f[WT_EC_MAXLEN];
			uint32_t xm[WT_EC_MAXL], rm[WT_EC_MAXL], pm[WT_EC_MAXL],
				one[WT_EC_MAXL];
			memset(x, 0, len);
			if (t < 8 * (int)len) { /* 2^t */
				x[len - 1 - (size_t)t / 8] = (uint8_t)(1u << (t % 8));
			} else if (t < 8 * (int)len + 4) { /* m-1, m-2, m-3, m-4 */
				uint32_t borrow = (uint32_t)(t - 8 * (int)len) + 1;
				for (i = len; i-- > 0;) {
					uint32_t d = (uint32_t)m[i] - (borrow & 0xff);
					x[i] = (uint8_t)d;
					borrow = (borrow >> 8) + (d >> 31);
				}
			} else if (t == 8 * (int)len + 4) {
				memset(x, 0xff, len);
				x[0] = 0x7f;
			} else {
				wt_random(x, len);
				if (t % 2)
					x[0] >>= (t % 7) + 1;
			}
			if (!wt_ec_lt_be(x, m, len))
				continue;
			CHECK(wt_ec_inv_vartime_be(c, r, x, m) == 0,
			      "curve %u mod %s t %d: inverse", curve, mod ? "p" : "n", t);
			if (mod) {
				wt_ec_fdecode(c, xm, x);
				wt_ec_finv(c, pm, xm);
				wt_ec_fencode(c, f, pm);
				wt_ec_fdecode(c, rm, r);
				c->fmul(rm, rm, xm);
				CHECK(wt_ec_fequal(c, rm, c->one),
				      "curve %u mod p t %d: x/x", curve, t);
			} else {
				wt_ec_ndecode(c, xm, x);
				wt_ec_npow(c, pm, xm, c->n_minus_2);
				wt_ec_nencode(c, f, pm);
				wt_ec_ndecode(c, rm, r);
				c->nmul(rm, rm, xm);
				memset(one, 0, sizeof one);
				one[0] = 1;
				c->nmul(rm, rm, one); /* out of Montgomery form: 1 */
				CHECK(rm[0] == 1 &&
					      memcmp(rm + 1, one + 1, (c->nl - 1) * 4) ==
						      0,
				      "curve %u mod n t %d: x/x", curve, t);
			}
			CHECK(memcmp(r, f, len) == 0, "curve %u mod %s t %d: = Fermat",
			      curve, mod ? "p" : "n", t);
		}
		{
			uint8_t z[WT_EC_MAXLEN], r[WT_EC_MAXLEN];
			memset(z, 0, len);
			CHECK(wt_ec_inv_vartime_be(c, r, z, m) == -1,
			      "curve %u: 0 has no inverse", curve);
		}
	}
}

int main(void)
{
	rfc6979(WT_P256, P256_X, P256_U, P256_SIGS,
		sizeof P256_SIGS / sizeof P256_SIGS[0]);
	rfc6979(WT_P384, P384_X, P384_U, P384_SIGS,
		sizeof P384_SIGS / sizeof P384_SIGS[0]);
	group_law(WT_P256, P256_G, P256_N);
	group_law(WT_P384, P384_G, P384_N);
	inverse_vartime(WT_P256);
	inverse_vartime(WT_P384);
	field_weak_forms(WT_P256, 29);
	field_weak_forms(WT_P384, 28);
	decoding(WT_P256, P256_G);
	decoding(WT_P384, P384_G);
	der_strictness();
	hedged(WT_P256);
	hedged(WT_P384);
	return t_done();
}
