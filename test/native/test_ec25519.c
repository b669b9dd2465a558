/*
 * test_ec25519.c: X25519 and Ed25519 against known answers typed from
 * RFC 7748 (section 5.2 vectors, the 1 and 1,000 iteration results,
 * the section 6.1 Diffie-Hellman example) and RFC 8032 section 7.1
 * (TEST 1, 2, 3 and SHA(abc)), plus properties: the fixed-base X25519
 * equals the ladder on 9, low-order inputs give an error, sign/verify
 * round trips, malleated or non-canonical signatures fail; and the field
 * and scalar layers directly (constants, canonical encoding edges,
 * reduction mod L against values computed with Python).
 */
#include "wt_ec25519.h"
#include "wt_hash.h"
#include "wt_host.h"
#include "ec/f25519.h"
#include "ec/sc25519.h"
#include "testutil.h"

static void fromhex(uint8_t *out, size_t n, const char *h)
{
	size_t len;
	uint8_t *b = unhex(h, &len);
	if (len != n) {
		fprintf(stderr, "bad hex length %zu != %zu\n", len, n);
		exit(2);
	}
	memcpy(out, b, n);
	free(b);
}

/* RFC 7748 section 5.2 */
static const struct {
	const char *k, *u, *out;
} X_KAT[] = {
	{ "a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4",
	  "e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c",
	  "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552" },
	/* The u-coordinate has its top bit set: it must be masked. */
	{ "4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d",
	  "e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493",
	  "95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957" },
};

/* RFC 8032 section 7.1 */
static const struct {
	const char *seed, *pub, *msg, *sig;
} ED_KAT[] = {
	{ "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
	  "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
	  "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
	  "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b" },
	{ "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
	  "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
	  "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
	  "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00" },
	{ "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
	  "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
	  "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac"
	  "18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a" },
	/* TEST SHA(abc): the message is SHA-512("abc"). */
	{ "833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42",
	  "ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf",
	  "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
	  "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
	  "dc2a4459e7369633a52b1bf277839a00201009a3efbf3ecb69bea2186c26b589"
	  "09351fc9ac90b3ecfdfbc7c66431e0303dca179c138ac17ad9bef1177331a704" },
};

static void test_field(void)
{
	wt_fe a, b;
	uint8_t s[32], t[32];
	int i, j;

	/* d = -121665/121666: d * 121666 + 121665 = 0. */
	wt_fe_mul_small(&a, &wt_fe_d, 121666);
	wt_fe_1(&b);
	wt_fe_mul_small(&b, &b, 121665);
	wt_fe_add(&a, &a, &b);
	CHECK(wt_fe_iszero(&a), "d");
	wt_fe_add(&a, &wt_fe_d, &wt_fe_d);
	wt_fe_sub(&a, &a, &wt_fe_d2);
	CHECK(wt_fe_iszero(&a), "2d");
	/* sqrtm1^2 = -1 */
	wt_fe_sq(&a, &wt_fe_sqrtm1);
	wt_fe_1(&b);
	wt_fe_add(&a, &a, &b);
	CHECK(wt_fe_iszero(&a), "sqrt(-1)");

	/* Encoding edges: p, p - 1, p + 1, 2^255 - 1 (all decoded mod p),
	 * and the canonical test. */
	fromhex(s, 32,
		"edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f");
	wt_fe_frombytes(&a, s);
	wt_fe_tobytes(t, &a);
	CHECK(eqhex(t, 32,
		    "0000000000000000000000000000000000000000000000000000000000000000"),
	      "p -> 0");
	CHECK(!wt_fe_canonical(s), "p not canonical");
	s[31] |= 0x80; /* bit 255 is ignored */
	CHECK(!wt_fe_canonical(s), "p|2^255 not canonical");
	fromhex(s, 32,
		"ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f");
	wt_fe_frombytes(&a, s);
	wt_fe_tobytes(t, &a);
	CHECK(memcmp(s, t, 32) == 0, "p - 1 round trip");
	CHECK(wt_fe_canonical(s), "p - 1 canonical");
	fromhex(s, 32,
		"ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff");
	wt_fe_frombytes(&a, s);
	wt_fe_tobytes(t, &a);
	CHECK(eqhex(t, 32,
		    "1200000000000000000000000000000000000000000000000000000000000000"),
	      "2^255-1 -> 18");
	CHECK(!wt_fe_canonical(s), "2^255-1 not canonical");
	/* -1 from arithmetic encodes as p - 1; 0 - 0 as 0. */
	wt_fe_0(&a);
	wt_fe_1(&b);
	wt_fe_sub(&a, &a, &b);
	wt_fe_tobytes(t, &a);
	CHECK(eqhex(t, 32,
		    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"),
	      "-1");
	CHECK(wt_fe_isnegative(&a) == 0 && wt_fe_iszero(&a) == 0, "-1 flags");

	/* Random canonical values round-trip; a (1/a) = 1; a^2 = a a;
	 * negative limbs (0 - a) encode as p - a. */
	for (i = 0; i < 200; i++) {
		wt_fe inv, one, sq, m, n;
		wt_random(s, 32);
		s[31] &= 0x7f;
		if (!wt_fe_canonical(s))
			continue;
		wt_fe_frombytes(&a, s);
		wt_fe_tobytes(t, &a);
		CHECK(memcmp(s, t, 32) == 0, "round trip %d", i);
		wt_fe_invert(&inv, &a);
		wt_fe_mul(&one, &a, &inv);
		wt_fe_tobytes(t, &one);
		CHECK(eqhex(t, 32,
			    "010000000000000000000000000000000000000000000000000000000000"
			    "0000"),
		      "inverse %d", i);
		wt_fe_sq(&sq, &a);
		wt_fe_mul(&m, &a, &a);
		wt_fe_sub(&sq, &sq, &m);
		CHECK(wt_fe_iszero(&sq), "square %d", i);
		wt_fe_0(&n);
		wt_fe_sub(&n, &n, &a);
		wt_fe_add(&n, &n, &a);
		CHECK(wt_fe_iszero(&n), "negation %d", i);
	}
	/* The documented input bound with margin: every limb +-5 * 2^25 (a
	 * sum of five reduced elements; callers stay at four). Overflow
	 * would be reported by UBSan in the ASan build; the values are
	 * checked against Python's. */
	{
		wt_fe neg;
		for (j = 0; j < 10; j++) {
			a.v[j] = 5 << 25;
			neg.v[j] = (j & 1) ? -(5 << 25) : 5 << 25;
		}
		wt_fe_sq(&b, &a);
		wt_fe_tobytes(t, &b);
		CHECK(eqhex(t, 32,
			    "472f001c25004c6800a0f000a0990200c30500870f00082000085200c08f"
			    "0040"),
		      "large sq");
		wt_fe_mul(&b, &a, &neg);
		wt_fe_tobytes(t, &b);
		CHECK(eqhex(t, 32,
			    "edd9ffffffffdbd3ffffffff1fd7feffffffff7af8ffffffffe7d1ffffff"
			    "ff3f"),
		      "large mul");
		wt_fe_mul(&b, &neg, &neg);
		wt_fe_tobytes(t, &b);
		CHECK(eqhex(t, 32,
			    "472f00e4daff4b6800600fff9f9902003dfaff860f00f8dfff0752004070"
			    "ff3f"),
		      "large mixed signs");
		wt_fe_tobytes(t, &a);
		wt_fe_frombytes(&b, t);
		wt_fe_sub(&b, &b, &a);
		CHECK(wt_fe_iszero(&b), "large tobytes");
	}
}

static void test_scalar(void)
{
	uint8_t in[64], out[32], a[32], b[32], c[32];
	int i;

	memset(in, 0xff, 64);
	wt_sc_reduce64(out, in);
	CHECK(eqhex(out, 32,
		    "000f9c44e31106a447938568a71b0ed065bef517d273ecce3d9a307c1b419903"),
	      "(2^512-1) mod L");
	wt_sha512("abc", 3, in);
	wt_sc_reduce64(out, in);
	CHECK(eqhex(out, 32,
		    "d15dbef29abf1ff29f9cf91c4b75ee0bb1012cb031d9605d684e841df034de0b"),
	      "sha512(abc) mod L");
	memset(in, 0, 64);
	fromhex(in, 32,
		"edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010");
	wt_sc_reduce64(out, in);
	CHECK(eqhex(out, 32,
		    "0000000000000000000000000000000000000000000000000000000000000000"),
	      "L mod L");
	CHECK(!wt_sc_canonical(in), "L not canonical");
	in[0]--;
	wt_sc_reduce64(out, in);
	CHECK(memcmp(out, in, 32) == 0, "L - 1 mod L");
	CHECK(wt_sc_canonical(in), "L - 1 canonical");
	for (i = 0; i < 32; i++) {
		a[i] = (uint8_t)i;
		b[i] = (uint8_t)(32 + i);
		c[i] = (uint8_t)(64 + i);
	}
	wt_sc_muladd(out, a, b, c);
	CHECK(eqhex(out, 32,
		    "71d813d08bb829eb9961d72cd7c266b6f4d04c6a4cba2f90e7081b1111178900"),
	      "muladd");
	memset(a, 0xff, 32);
	wt_sc_muladd(out, a, a, a);
	CHECK(eqhex(out, 32,
		    "d14df91389432c25ad60ff9791b9fd1d67bef517d273ecce3d9a307c1b419903"),
	      "muladd max");
}

static void test_x25519(void)
{
	uint8_t k[32], u[32], out[32], r[32], nine[32] = { 9 };
	uint8_t a[32], b[32], apub[32], bpub[32], s1[32], s2[32];
	size_t i;
	int n;

	for (i = 0; i < sizeof X_KAT / sizeof X_KAT[0]; i++) {
		fromhex(k, 32, X_KAT[i].k);
		fromhex(u, 32, X_KAT[i].u);
		CHECK(wt_x25519(out, k, u) == 0 && eqhex(out, 32, X_KAT[i].out),
		      "RFC 7748 5.2 vector %zu", i + 1);
	}

	/* RFC 7748 5.2 iterations: k = u = 9; k, u = X25519(k, u), k. */
	memcpy(k, nine, 32);
	memcpy(u, nine, 32);
	for (n = 1; n <= 1000; n++) {
		CHECK(wt_x25519(r, k, u) == 0, "iteration %d", n);
		memcpy(u, k, 32);
		memcpy(k, r, 32);
		if (n == 1)
			CHECK(eqhex(k, 32,
				    "422c8e7a6227d7bca1350b3e2bb7279f7897b87bb6854b783c60"
				    "e80311ae3079"),
			      "1 iteration");
	}
	CHECK(eqhex(k, 32,
		    "684cf59ba83309552800ef566f2f4d3c1c3887c49360e3875f2eb94d99532c51"),
	      "1,000 iterations");

	/* RFC 7748 6.1 */
	fromhex(a, 32,
		"77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
	fromhex(b, 32,
		"5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
	wt_x25519_base(apub, a);
	wt_x25519_base(bpub, b);
	CHECK(eqhex(apub, 32,
		    "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a"),
	      "Alice's public key");
	CHECK(eqhex(bpub, 32,
		    "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f"),
	      "Bob's public key");
	CHECK(wt_x25519(s1, a, bpub) == 0 && wt_x25519(s2, b, apub) == 0,
	      "6.1 agreement ok");
	CHECK(eqhex(s1, 32,
		    "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742"),
	      "6.1 shared (Alice)");
	CHECK(memcmp(s1, s2, 32) == 0, "6.1 shared (Bob)");

	/* The fixed-base path equals the ladder on u = 9, for random and
	 * edge scalars (clamping makes 0 and all-ones ordinary). */
	for (n = 0; n < 300; n++) {
		if (n == 0)
			memset(k, 0, 32);
		else if (n == 1)
			memset(k, 0xff, 32);
		else
			wt_random(k, 32);
		wt_x25519_base(out, k);
		CHECK(wt_x25519(r, k, nine) == 0 && memcmp(out, r, 32) == 0,
		      "base = ladder, %d", n);
	}

	/* Low-order u-coordinates (and non-canonical encodings of them)
	 * give the all-zero output, which is refused (RFC 7748 6.1). */
	{
		static const char *low[] = {
			"000000000000000000000000000000000000000000000000000000000000000"
			"0",
			"010000000000000000000000000000000000000000000000000000000000000"
			"0",
			"e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b80"
			"0",
			"5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f115"
			"7",
			"ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7"
			"f",
			"edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7"
			"f",
			"eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7"
			"f",
		};
		for (i = 0; i < sizeof low / sizeof low[0]; i++) {
			fromhex(u, 32, low[i]);
			wt_random(k, 32);
			memset(out, 0xaa, 32);
			CHECK(wt_x25519(out, k, u) == -1, "low order %zu refused", i);
			CHECK(eqhex(out, 32,
				    "0000000000000000000000000000000000000000000000000000"
				    "000000000000"),
			      "low order %zu zero", i);
		}
	}

	/* Random agreement both ways. */
	for (n = 0; n < 50; n++) {
		wt_random(a, 32);
		wt_random(b, 32);
		wt_x25519_base(apub, a);
		wt_x25519_base(bpub, b);
		CHECK(wt_x25519(s1, a, bpub) == 0 && wt_x25519(s2, b, apub) == 0 &&
			      memcmp(s1, s2, 32) == 0,
		      "agreement %d", n);
	}
}

static void test_ed25519(void)
{
	uint8_t seed[32], pub[32], sig[64], bad[64], msg[300], pk2[32];
	size_t i, ml;
	int n;

	for (i = 0; i < sizeof ED_KAT / sizeof ED_KAT[0]; i++) {
		uint8_t *m = unhex(ED_KAT[i].msg, &ml);
		fromhex(seed, 32, ED_KAT[i].seed);
		wt_ed25519_public_key(pub, seed);
		CHECK(eqhex(pub, 32, ED_KAT[i].pub), "RFC 8032 7.1 #%zu public key", i);
		wt_ed25519_sign(sig, seed, m, ml);
		CHECK(eqhex(sig, 64, ED_KAT[i].sig), "RFC 8032 7.1 #%zu signature", i);
		CHECK(wt_ed25519_verify(pub, m, ml, sig) == 1,
		      "RFC 8032 7.1 #%zu verifies", i);
		{
			/* The expanded key signs the same. */
			wt_ed25519_key key;
			uint8_t sig2[64];
			wt_ed25519_key_from_seed(&key, seed);
			wt_ed25519_sign_key(sig2, &key, m, ml);
			CHECK(memcmp(key.pub, pub, 32) == 0 && memcmp(sig2, sig, 64) == 0,
			      "#%zu expanded key", i);
		}
		/* Every single-bit change of R, S or the key is refused. */
		for (n = 0; n < 512; n += 7) {
			memcpy(bad, sig, 64);
			bad[n >> 3] ^= (uint8_t)(1 << (n & 7));
			CHECK(wt_ed25519_verify(pub, m, ml, bad) == 0, "#%zu sig bit %d",
			      i, n);
		}
		for (n = 0; n < 256; n += 5) {
			memcpy(pk2, pub, 32);
			pk2[n >> 3] ^= (uint8_t)(1 << (n & 7));
			CHECK(wt_ed25519_verify(pk2, m, ml, sig) == 0, "#%zu key bit %d",
			      i, n);
		}
		if (ml > 0) {
			m[0] ^= 1;
			CHECK(wt_ed25519_verify(pub, m, ml, sig) == 0,
			      "#%zu message changed", i);
		}
		/* S + L satisfies the group equation but is refused (RFC 8032
		 * 5.1.7, malleability). */
		{
			static const uint8_t L[32] = {
				0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58,
				0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
				0,    0,    0,    0,    0,    0,    0,    0,
				0,    0,    0,    0,    0,    0,    0,    0x10,
			};
			unsigned c = 0;
			int j;
			if (ml > 0)
				m[0] ^= 1;
			memcpy(bad, sig, 64);
			for (j = 0; j < 32; j++) {
				c += (unsigned)bad[32 + j] + L[j];
				bad[32 + j] = (uint8_t)c;
				c >>= 8;
			}
			CHECK(wt_ed25519_verify(pub, m, ml, bad) == 0,
			      "#%zu S + L refused", i);
		}
		free(m);
	}

	/* A public key with y >= p is refused even though y mod p would be
	 * a point: y = p + 1 encodes the same y as 1, the identity. */
	fromhex(pk2, 32,
		"eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f");
	memset(sig, 0, 64);
	CHECK(wt_ed25519_verify(pk2, msg, 0, sig) == 0, "non-canonical key");

	/* Random round trips, messages up to 300 bytes. */
	for (n = 0; n < 60; n++) {
		wt_random(seed, 32);
		ml = (size_t)n * 5;
		wt_random(msg, ml);
		wt_ed25519_public_key(pub, seed);
		wt_ed25519_sign(sig, seed, msg, ml);
		CHECK(wt_ed25519_verify(pub, msg, ml, sig) == 1, "round trip %d", n);
		sig[n % 64] ^= 0x10;
		CHECK(wt_ed25519_verify(pub, msg, ml, sig) == 0, "tampered %d", n);
	}
}

int main(void)
{
	test_field();
	test_scalar();
	test_x25519();
	test_ed25519();
	return t_done();
}
