/*
 * test_hash.c: SHA-2, HMAC, HKDF and the TLS 1.3 label helpers against
 * known answers typed from FIPS 180-4 (examples), RFC 4231, RFC 5869 and
 * RFC 8448 section 3. The same answers are checked from TypeScript in
 * test/hash.test.ts; this binary runs them natively, plain and under
 * ASan+UBSan.
 */
#include "wt_hash.h"
#include "testutil.h"

static const struct {
	uint32_t id;
	const char *msg;
	long repeat;
	const char *md;
} SHA[] = {
	{ WT_SHA256, "abc", 1,
	  "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
	{ WT_SHA256, "", 1,
	  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
	{ WT_SHA256, "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 1,
	  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
	{ WT_SHA256, "a", 1000000,
	  "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0" },
	{ WT_SHA384, "abc", 1,
	  "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed"
	  "8086072ba1e7cc2358baeca134c825a7" },
	{ WT_SHA384, "", 1,
	  "38b060a751ac96384cd9327eb1b1e36a21fdb71114be07434c0cc7bf63f6e1da"
	  "274edebfe76f65fbd51ad2f14898b95b" },
	{ WT_SHA384,
	  "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmno"
	  "pqklmnopqrlmnopqrsmnopqrstnopqrstu",
	  1,
	  "09330c33f71147e83d192fc782cd1b4753111b173b3b05d22fa08086e3b0f712"
	  "fcc7c71a557e2db966c3e9fa91746039" },
	{ WT_SHA384, "a", 1000000,
	  "9d0e1809716474cb086e834e310a4a1ced149e9c00f248527972cec5704c2a5b"
	  "07b8b3dc38ecc4ebae97ddd87f3d8985" },
	{ WT_SHA512, "abc", 1,
	  "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
	  "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f" },
	{ WT_SHA512, "", 1,
	  "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce"
	  "47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e" },
	{ WT_SHA512,
	  "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmno"
	  "pqklmnopqrlmnopqrsmnopqrstnopqrstu",
	  1,
	  "8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018"
	  "501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909" },
	{ WT_SHA512, "a", 1000000,
	  "e718483d0ce769644e2e42c7bc15b4638e1f98b13b2044285632a803afa973eb"
	  "de0ff244877ea60a4cb0432ce577c31beb009c5c2c49aa2e4eadb217ad8cc09b" },
};

/* RFC 4231 test cases 1, 2, 6 and 7 (key and data in hex). */
static const struct {
	const char *key, *data, *m256, *m384, *m512;
} HMAC[] = {
	{ "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "4869205468657265",
	  "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
	  "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59c"
	  "faea9ea9076ede7f4af152e8b2fa9cb6",
	  "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde"
	  "daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854" },
	{ "4a656665", "7768617420646f2079612077616e7420666f72206e6f7468696e673f",
	  "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
	  "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e"
	  "8e2240ca5e69e2c78b3239ecfab21649",
	  "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
	  "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737" },
	{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	  "54657374205573696e67204c6172676572205468616e20426c6f636b2d53697a"
	  "65204b6579202d2048617368204b6579204669727374",
	  "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
	  "4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c6"
	  "0c2ef6ab4030fe8296248df163f44952",
	  "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f352"
	  "6b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598" },
};

/* RFC 5869 appendix A, cases 1 to 3 (SHA-256). */
static const struct {
	const char *ikm, *salt, *info, *prk, *okm;
} HKDF[] = {
	{ "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "000102030405060708090a0b0c",
	  "f0f1f2f3f4f5f6f7f8f9",
	  "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5",
	  "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887"
	  "185865" },
	{ "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
	  "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"
	  "404142434445464748494a4b4c4d4e4f",
	  "606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f"
	  "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f"
	  "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf",
	  "b0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecf"
	  "d0d1d2d3d4d5d6d7d8d9dadbdcdddedfe0e1e2e3e4e5e6e7e8e9eaebecedeeef"
	  "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff",
	  "06a6b88c5853361a06104c9ceb35b45cef760014904671014a193f40c15fc244",
	  "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c"
	  "59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71"
	  "cc30c58179ec3e87c14c01d5c1f3434f1d87" },
	{ "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "", "",
	  "19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04",
	  "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b6"
	  "1a96c8" },
};

int main(void)
{
	size_t i;
	for (i = 0; i < sizeof SHA / sizeof SHA[0]; i++) {
		uint8_t md[64], md2[64];
		wt_hash_ctx c, fork;
		size_t ml = strlen(SHA[i].msg), hl = wt_hash_len(SHA[i].id);
		long r;
		wt_hash_init(&c, SHA[i].id);
		for (r = 0; r < SHA[i].repeat; r++)
			wt_hash_update(&c, SHA[i].msg, ml);
		fork = c; /* a copied context gives the same digest */
		wt_hash_out(&c, md);
		wt_hash_out(&fork, md2);
		CHECK(eqhex(md, hl, SHA[i].md), "sha id %u case %zu", SHA[i].id, i);
		CHECK(memcmp(md, md2, hl) == 0, "fork %zu", i);
		if (SHA[i].repeat == 1) {
			CHECK(wt_hash(SHA[i].id, SHA[i].msg, ml, md) == 0 &&
				      eqhex(md, hl, SHA[i].md),
			      "one-shot %zu", i);
			/* one byte at a time */
			wt_hash_init(&c, SHA[i].id);
			for (r = 0; r < (long)ml; r++)
				wt_hash_update(&c, SHA[i].msg + r, 1);
			wt_hash_out(&c, md);
			CHECK(eqhex(md, hl, SHA[i].md), "bytewise %zu", i);
		}
	}
	for (i = 0; i < sizeof HMAC / sizeof HMAC[0]; i++) {
		size_t kl, dl;
		uint8_t *k = unhex(HMAC[i].key, &kl), *d = unhex(HMAC[i].data, &dl);
		uint8_t m[64];
		wt_hmac(WT_SHA256, k, kl, d, dl, m);
		CHECK(eqhex(m, 32, HMAC[i].m256), "hmac-sha256 %zu", i);
		wt_hmac(WT_SHA384, k, kl, d, dl, m);
		CHECK(eqhex(m, 48, HMAC[i].m384), "hmac-sha384 %zu", i);
		wt_hmac(WT_SHA512, k, kl, d, dl, m);
		CHECK(eqhex(m, 64, HMAC[i].m512), "hmac-sha512 %zu", i);
		free(k);
		free(d);
	}
	for (i = 0; i < sizeof HKDF / sizeof HKDF[0]; i++) {
		size_t il, sl, nl, ol;
		uint8_t *ikm = unhex(HKDF[i].ikm, &il), *salt = unhex(HKDF[i].salt, &sl);
		uint8_t *info = unhex(HKDF[i].info, &nl), *okm = unhex(HKDF[i].okm, &ol);
		uint8_t prk[32], out[100];
		CHECK(wt_hkdf_extract(WT_SHA256, salt, sl, ikm, il, prk) == 0 &&
			      eqhex(prk, 32, HKDF[i].prk),
		      "hkdf prk %zu", i);
		CHECK(wt_hkdf_expand(WT_SHA256, prk, 32, info, nl, out, ol) == 0 &&
			      memcmp(out, okm, ol) == 0,
		      "hkdf okm %zu", i);
		free(ikm);
		free(salt);
		free(info);
		free(okm);
	}
	{
		/* RFC 5869 2.3: L > 255*HashLen is refused. */
		static uint8_t big[255 * 32 + 1];
		uint8_t prk[32] = { 0 };
		CHECK(wt_hkdf_expand(WT_SHA256, prk, 32, "", 0, big, sizeof big) == -1,
		      "L limit");
		CHECK(wt_hkdf_expand(WT_SHA256, prk, 32, "", 0, big, sizeof big - 1) == 0,
		      "L max");
	}
	{
		/* RFC 8448 section 3: early secret with no PSK and its
		 * "derived" secret, which use Extract with an empty salt and
		 * Derive-Secret over the empty transcript. */
		uint8_t zero[32] = { 0 }, early[32], th[32], derived[32];
		wt_hkdf_extract(WT_SHA256, NULL, 0, zero, 32, early);
		CHECK(eqhex(early, 32,
			    "33ad0a1c607ec03b09e6cd9893680ce210adf300aa1f2660e1b22e10f170"
			    "f92a"),
		      "early");
		wt_sha256("", 0, th);
		wt_derive_secret(WT_SHA256, early, "derived", 7, th, derived);
		CHECK(eqhex(derived, 32,
			    "6f2615a108c702c5678f54fc9dbab69716c076189c48250cebeac3576c36"
			    "11ba"),
		      "derived");
	}
	return t_done();
}
