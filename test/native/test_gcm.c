/*
 * test_gcm.c: AES (FIPS 197 appendix C) and AES-GCM (the test cases 1-18
 * of McGrew and Viega, "The Galois/Counter Mode of Operation (GCM)", the
 * NIST GCM spec) as known answers typed here, for both AES
 * implementations; then properties: the two implementations agree
 * (counter wrap included), in-place = out-of-place, seal/open round trips
 * for lengths 0..300 with several IV lengths, tampering is refused with
 * the output wiped, bad arguments are refused.
 */
#include "wt_gcm.h"
#include "aead/aes_ct.h"
#include "testutil.h"

int wt_gcm_init_impl(wt_gcm_ctx *c, const uint8_t *key, size_t keylen, uint32_t impl);

static const uint32_t IMPLS[] = {
	WT_AES_IMPL_CT64,
#if WT_HAVE_AESV
	WT_AES_IMPL_V128,
#endif
};
#define NIMPL (sizeof IMPLS / sizeof IMPLS[0])

static const char *impl_name(uint32_t impl)
{
	return impl == WT_AES_IMPL_CT64 ? "ct64" : "v128";
}

/* One block through an implementation's CTR: E(K, X) = X's counter block
 * with a zero input. */
static void aes_block(uint32_t impl, const uint64_t *sk, unsigned nr, const uint8_t x[16],
		      uint8_t y[16])
{
	static const uint8_t z[16];
	if (impl == WT_AES_IMPL_CT64)
		wt_aes_ct64_ctr(sk, nr, x, wt_load32_be(x + 12), z, y, 16, 1);
#if WT_HAVE_AESV
	else
		wt_aes_ctv128_ctr(sk, nr, x, wt_load32_be(x + 12), z, y, 16, 1);
#endif
}

static void schedule(uint32_t impl, uint64_t *sk, const uint8_t *rk, unsigned nr)
{
	if (impl == WT_AES_IMPL_CT64)
		wt_aes_ct64_schedule(sk, rk, nr);
#if WT_HAVE_AESV
	else
		wt_aes_ctv128_schedule(sk, rk, nr);
#endif
}

WT_AES_SBOX_DEFINE(sbox_planes, uint32_t)

/* GF(2^8) product modulo x^8 + x^4 + x^3 + x + 1 (FIPS 197 section 4.2),
 * bit by bit: a reference for the S-box circuit, not constant-time. */
static uint8_t gf_mul(uint8_t a, uint8_t b)
{
	uint8_t p = 0;
	while (b) {
		if (b & 1)
			p ^= a;
		a = (uint8_t)((a << 1) ^ ((a & 0x80) ? 0x1B : 0));
		b >>= 1;
	}
	return p;
}

/* The circuit against the S-box's definition (FIPS 197 section 5.1.1:
 * inverse in GF(2^8), then the affine map), for all 256 bytes at once:
 * plane b holds bit b of byte x at bit position x % 32 of word x / 32. */
static void test_sbox(void)
{
	uint32_t q[8][8] = { { 0 } }, p[8];
	int x, b, w, bad = 0;
	for (x = 0; x < 256; x++)
		for (b = 0; b < 8; b++)
			q[x / 32][b] |= (uint32_t)((x >> b) & 1) << (x % 32);
	for (w = 0; w < 8; w++)
		sbox_planes(q[w]);
	for (x = 0; x < 256; x++) {
		uint8_t inv = 0, s = 0, r;
		int y;
		for (y = 1; y < 256 && x != 0; y++)
			if (gf_mul((uint8_t)x, (uint8_t)y) == 1)
				inv = (uint8_t)y;
		for (b = 0; b < 8; b++) {
			int bit = ((inv >> b) ^ (inv >> ((b + 4) & 7)) ^
				   (inv >> ((b + 5) & 7)) ^ (inv >> ((b + 6) & 7)) ^
				   (inv >> ((b + 7) & 7)) ^ (0x63 >> b)) &
				1;
			s |= (uint8_t)(bit << b);
		}
		for (b = 0; b < 8; b++)
			p[b] = (q[x / 32][b] >> (x % 32)) & 1;
		r = 0;
		for (b = 0; b < 8; b++)
			r |= (uint8_t)(p[b] << b);
		bad += (uint8_t)(r ^ 0x63) != s;
	}
	CHECK(bad == 0, "S-box circuit wrong for %d inputs", bad);
	CHECK(gf_mul(0x57, 0x83) == 0xC1, "FIPS 197 4.2 example");
}

/* FIPS 197 appendix C: plaintext 00112233445566778899aabbccddeeff, keys
 * 000102... of 16, 24, 32 bytes. */
static const char *AES_KAT[3] = {
	"69c4e0d86a7b0430d8cdb78070b4c55a",
	"dda97ca4864cdfe06eaf70a0ec0d7191",
	"8ea2b7ca516745bfeafc49904b496089",
};

/* FIPS 197 appendix A: the last round-key word of each expansion. */
static const struct {
	const char *key, *last;
} KEXP[3] = {
	{ "2b7e151628aed2a6abf7158809cf4f3c", "b6630ca6" },
	{ "8e73b0f7da0e6452c810f32b809079e562f8ead2522c6b7b", "01002202" },
	{ "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4",
	  "706c631e" },
};

static void test_aes(void)
{
	uint8_t key[32], pt[16], ct[16], rk[240];
	uint64_t sk[240];
	unsigned i, k, nr;
	for (i = 0; i < 32; i++)
		key[i] = (uint8_t)i;
	for (i = 0; i < 16; i++)
		pt[i] = (uint8_t)(0x11 * i);
	for (k = 0; k < 3; k++) {
		nr = wt_aes_expand(rk, key, 16 + 8 * k);
		CHECK(nr == 10 + 2 * k, "nr %u", nr);
		for (i = 0; i < NIMPL; i++) {
			schedule(IMPLS[i], sk, rk, nr);
			aes_block(IMPLS[i], sk, nr, pt, ct);
			CHECK(eqhex(ct, 16, AES_KAT[k]), "FIPS 197 C.%u (%s)", k + 1,
			      impl_name(IMPLS[i]));
		}
	}
	for (k = 0; k < 3; k++) {
		size_t kl;
		uint8_t *kb = unhex(KEXP[k].key, &kl);
		nr = wt_aes_expand(rk, kb, kl);
		CHECK(eqhex(rk + 16 * nr + 12, 4, KEXP[k].last),
		      "FIPS 197 A.%u last word", k + 1);
		free(kb);
	}
	CHECK(wt_aes_expand(rk, key, 20) == 0, "key length 20 refused");
}

/* GCM spec test cases 1-18: key, IV, AAD, plaintext, ciphertext, tag. */
#define P60                                                                \
	"d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72" \
	"1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39"
#define P64 P60 "1aafd255"
#define A20 "feedfacedeadbeeffeedfacedeadbeefabaddad2"
#define IV60                                                               \
	"9313225df88406e555909c5aff5269aa6a7a9538534f7da1e4c303d2a318a728" \
	"c3c0c95156809539fcf0e2429a6b525416aedbf5a0de6a57a637b39b"
#define K128 "feffe9928665731c6d6a8f9467308308"
static const struct {
	const char *k, *iv, *a, *p, *c, *t;
} GCM[18] = {
	/* 1 */ { "00000000000000000000000000000000", "000000000000000000000000", "", "",
		  "", "58e2fccefa7e3061367f1d57a4e7455a" },
	/* 2 */
	{ "00000000000000000000000000000000", "000000000000000000000000", "",
	  "00000000000000000000000000000000", "0388dace60b6a392f328c2b971b2fe78",
	  "ab6e47d42cec13bdf53a67b21257bddf" },
	/* 3 */
	{ K128, "cafebabefacedbaddecaf888", "", P64,
	  "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
	  "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091473f5985",
	  "4d5c2af327cd64a62cf35abd2ba6fab4" },
	/* 4 */
	{ K128, "cafebabefacedbaddecaf888", A20, P60,
	  "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
	  "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091",
	  "5bc94fbc3221a5db94fae95ae7121a47" },
	/* 5 */
	{ K128, "cafebabefacedbad", A20, P60,
	  "61353b4c2806934a777ff51fa22a4755699b2a714fcdc6f83766e5f97b6c7423"
	  "73806900e49f24b22b097544d4896b424989b5e1ebac0f07c23f4598",
	  "3612d2e79e3b0785561be14aaca2fccb" },
	/* 6 */
	{ K128, IV60, A20, P60,
	  "8ce24998625615b603a033aca13fb894be9112a5c3a211a8ba262a3cca7e2ca7"
	  "01e4a9a4fba43c90ccdcb281d48c7c6fd62875d2aca417034c34aee5",
	  "619cc5aefffe0bfa462af43c1699d050" },
	/* 7 */
	{ "000000000000000000000000000000000000000000000000", "000000000000000000000000",
	  "", "", "", "cd33b28ac773f74ba00ed1f312572435" },
	/* 8 */
	{ "000000000000000000000000000000000000000000000000", "000000000000000000000000",
	  "", "00000000000000000000000000000000", "98e7247c07f0fe411c267e4384b0f600",
	  "2ff58d80033927ab8ef4d4587514f0fb" },
	/* 9 */
	{ K128 "feffe9928665731c", "cafebabefacedbaddecaf888", "", P64,
	  "3980ca0b3c00e841eb06fac4872a2757859e1ceaa6efd984628593b40ca1e19c"
	  "7d773d00c144c525ac619d18c84a3f4718e2448b2fe324d9ccda2710acade256",
	  "9924a7c8587336bfb118024db8674a14" },
	/* 10 */
	{ K128 "feffe9928665731c", "cafebabefacedbaddecaf888", A20, P60,
	  "3980ca0b3c00e841eb06fac4872a2757859e1ceaa6efd984628593b40ca1e19c"
	  "7d773d00c144c525ac619d18c84a3f4718e2448b2fe324d9ccda2710",
	  "2519498e80f1478f37ba55bd6d27618c" },
	/* 11 */
	{ K128 "feffe9928665731c", "cafebabefacedbad", A20, P60,
	  "0f10f599ae14a154ed24b36e25324db8c566632ef2bbb34f8347280fc4507057"
	  "fddc29df9a471f75c66541d4d4dad1c9e93a19a58e8b473fa0f062f7",
	  "65dcc57fcf623a24094fcca40d3533f8" },
	/* 12 */
	{ K128 "feffe9928665731c", IV60, A20, P60,
	  "d27e88681ce3243c4830165a8fdcf9ff1de9a1d8e6b447ef6ef7b79828666e45"
	  "81e79012af34ddd9e2f037589b292db3e67c036745fa22e7e9b7373b",
	  "dcf566ff291c25bbb8568fc3d376a6d9" },
	/* 13 */
	{ "0000000000000000000000000000000000000000000000000000000000000000",
	  "000000000000000000000000", "", "", "", "530f8afbc74536b9a963b4f1c4cb738b" },
	/* 14 */
	{ "0000000000000000000000000000000000000000000000000000000000000000",
	  "000000000000000000000000", "", "00000000000000000000000000000000",
	  "cea7403d4d606b6e074ec5d3baf39d18", "d0d1c8a799996bf0265b98b5d48ab919" },
	/* 15 */
	{ K128 K128, "cafebabefacedbaddecaf888", "", P64,
	  "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
	  "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad",
	  "b094dac5d93471bdec1a502270e3cc6c" },
	/* 16 */
	{ K128 K128, "cafebabefacedbaddecaf888", A20, P60,
	  "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
	  "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662",
	  "76fc6ece0f4e1768cddf8853bb2d551b" },
	/* 17 */
	{ K128 K128, "cafebabefacedbad", A20, P60,
	  "c3762df1ca787d32ae47c13bf19844cbaf1ae14d0b976afac52ff7d79bba9de0"
	  "feb582d33934a4f0954cc2363bc73f7862ac430e64abe499f47c9b1f",
	  "3a337dbf46a792c45e454913fe2ea8f2" },
	/* 18 */
	{ K128 K128, IV60, A20, P60,
	  "5a8def2f0c9e53f1f75d7853659e2a20eeb2b22aafde6419a058ab4f6f746bf4"
	  "0fc0c3b780f244452da3ebf1c5d82cdea2418997200ef82e44ae7e3f",
	  "a44a8266ee1c8eb0c8b5d4cf5ae9f19a" },
};

static void test_gcm_kat(void)
{
	unsigned i, m;
	for (i = 0; i < 18; i++) {
		size_t kl, ivl, al, pl, cl, tl;
		uint8_t *k = unhex(GCM[i].k, &kl), *iv = unhex(GCM[i].iv, &ivl);
		uint8_t *a = unhex(GCM[i].a, &al), *p = unhex(GCM[i].p, &pl);
		uint8_t *c = unhex(GCM[i].c, &cl), *t = unhex(GCM[i].t, &tl);
		uint8_t out[64], tag[16];
		for (m = 0; m < NIMPL; m++) {
			wt_gcm_ctx ctx;
			CHECK(wt_gcm_init_impl(&ctx, k, kl, IMPLS[m]) == 0, "init");
			wt_gcm_seal(&ctx, iv, ivl, a, al, p, pl, out, tag);
			CHECK(memcmp(out, c, cl) == 0, "GCM case %u ciphertext (%s)",
			      i + 1, impl_name(IMPLS[m]));
			CHECK(memcmp(tag, t, 16) == 0, "GCM case %u tag (%s)", i + 1,
			      impl_name(IMPLS[m]));
			memset(out, 0xAA, sizeof out);
			CHECK(wt_gcm_open(&ctx, iv, ivl, a, al, c, cl, out, t) == 0,
			      "GCM case %u open", i + 1);
			CHECK(memcmp(out, p, pl) == 0, "GCM case %u plaintext (%s)",
			      i + 1, impl_name(IMPLS[m]));
			t[15] ^= 1;
			memset(out, 0xAA, sizeof out);
			CHECK(wt_gcm_open(&ctx, iv, ivl, a, al, c, cl, out, t) == -2,
			      "GCM case %u bad tag", i + 1);
			CHECK(pl == 0 || (out[0] == 0 && out[pl - 1] == 0),
			      "GCM case %u output wiped", i + 1);
			t[15] ^= 1;
		}
		/* The public entry point agrees with the forced ones. */
		{
			wt_gcm_ctx ctx;
			CHECK(wt_gcm_init(&ctx, k, kl) == 0, "init");
			wt_gcm_seal(&ctx, iv, ivl, a, al, p, pl, out, tag);
			CHECK(memcmp(out, c, cl) == 0 && memcmp(tag, t, 16) == 0,
			      "GCM case %u (default)", i + 1);
		}
		free(k);
		free(iv);
		free(a);
		free(p);
		free(c);
		free(t);
	}
}

/* Deterministic filler (xorshift): these are property tests, the inputs
 * need only vary. */
static uint64_t rs = 0x9E3779B97F4A7C15ull;
static void fill(uint8_t *b, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++) {
		rs ^= rs << 13;
		rs ^= rs >> 7;
		rs ^= rs << 17;
		b[i] = (uint8_t)(rs >> 24);
	}
}

/* ct64 and v128 CTR agree at every length and offset, across the 2^32
 * counter wrap (inc32 wraps without carrying into the IV bytes). */
static void test_impls_agree(void)
{
#if WT_HAVE_AESV
	static uint8_t in[1000], a[1000], b[1000];
	uint8_t key[32], rk[240], cb[12];
	uint64_t s1[240], s2[240];
	unsigned kl, nr;
	size_t len;
	int bad = 0;
	for (kl = 16; kl <= 32; kl += 8) {
		fill(key, kl);
		fill(cb, 12);
		fill(in, sizeof in);
		nr = wt_aes_expand(rk, key, kl);
		wt_aes_ct64_schedule(s1, rk, nr);
		wt_aes_ctv128_schedule(s2, rk, nr);
		for (len = 0; len <= sizeof in; len += (len < 300 ? 1 : 97)) {
			uint32_t n = len & 1 ? 0xFFFFFFF0u + (uint32_t)(len % 16) :
					       (uint32_t)len * 7919u;
			wt_aes_ct64_ctr(s1, nr, cb, n, in, a, len, 1);
			wt_aes_ctv128_ctr(s2, nr, cb, n, in, b, len, 1);
			bad += memcmp(a, b, len) != 0;
		}
		CHECK(bad == 0, "ct64 and v128 CTR differ (key %u bytes)", kl);
	}
	/* The wrap itself: block 2^32 - 1 then block 0 of the same IV. */
	{
		uint8_t z[32] = { 0 }, x[32], y[16], blk[16];
		wt_aes_ct64_ctr(s1, nr, cb, 0xFFFFFFFFu, z, x, 32, 1);
		memcpy(blk, cb, 12);
		wt_store32_be(blk + 12, 0);
		aes_block(WT_AES_IMPL_CT64, s1, nr, blk, y);
		CHECK(memcmp(x + 16, y, 16) == 0, "inc32 wraps to 0");
	}
#else
	CHECK(1, "one implementation only");
#endif
}

static void test_properties(void)
{
	static uint8_t p[300], c[300], c2[300], d[300], buf[300];
	uint8_t key[32], iv[64], aad[40], tag[16], tag2[16];
	static const size_t ivls[] = { 12, 1, 8, 16, 17, 64 };
	unsigned m, k;
	int bad_rt = 0, bad_inplace = 0, bad_agree = 0, bad_tamper = 0, bad_wipe = 0;
	size_t len;
	for (k = 0; k < 3; k++) {
		wt_gcm_ctx ctx[2];
		fill(key, 32);
		for (m = 0; m < NIMPL; m++)
			wt_gcm_init_impl(&ctx[m], key, 16 + 8 * k, IMPLS[m]);
		for (len = 0; len <= 300; len++) {
			size_t ivl = ivls[len % 6], al = len % 41;
			fill(p, len);
			fill(iv, ivl);
			fill(aad, al);
			for (m = 0; m < NIMPL; m++) {
				int r;
				wt_gcm_seal(&ctx[m], iv, ivl, aad, al, p, len, c, tag);
				if (m == 0) {
					memcpy(c2, c, len);
					memcpy(tag2, tag, 16);
				} else {
					bad_agree += memcmp(c, c2, len) != 0 ||
						memcmp(tag, tag2, 16) != 0;
				}
				/* in place */
				memcpy(buf, p, len);
				wt_gcm_seal(&ctx[m], iv, ivl, aad, al, buf, len, buf,
					    tag2);
				bad_inplace += memcmp(buf, c, len) != 0 ||
					memcmp(tag, tag2, 16) != 0;
				r = wt_gcm_open(&ctx[m], iv, ivl, aad, al, buf, len, buf,
						tag);
				bad_inplace += r != 0 || memcmp(buf, p, len) != 0;
				/* round trip */
				r = wt_gcm_open(&ctx[m], iv, ivl, aad, al, c, len, d,
						tag);
				bad_rt += r != 0 || memcmp(d, p, len) != 0;
				/* flip one bit of ciphertext, AAD, tag or IV in turn */
				{
					size_t w = len % 4, pos;
					uint8_t *t = w == 0 && len ? c :
						w == 1 && al       ? aad :
						w == 2             ? iv :
								     tag;
					size_t tl = t == c ? len :
						t == aad   ? al :
						t == iv    ? ivl :
							     16;
					pos = (len * 31) % tl;
					t[pos] ^= (uint8_t)(1u << (len % 8));
					memset(d, 0x55, len);
					r = wt_gcm_open(&ctx[m], iv, ivl, aad, al, c, len,
							d, tag);
					t[pos] ^= (uint8_t)(1u << (len % 8));
					bad_tamper += r != -2;
					for (pos = 0; pos < len; pos++)
						bad_wipe += d[pos] != 0;
				}
			}
		}
		wt_wipe(ctx, sizeof ctx);
	}
	CHECK(bad_agree == 0, "implementations agree on seal: %d", bad_agree);
	CHECK(bad_inplace == 0, "in-place = out-of-place: %d", bad_inplace);
	CHECK(bad_rt == 0, "round trips 0..300: %d", bad_rt);
	CHECK(bad_tamper == 0, "tampering refused: %d", bad_tamper);
	CHECK(bad_wipe == 0, "output wiped on refusal: %d", bad_wipe);
}

static void test_arguments(void)
{
	wt_gcm_ctx ctx;
	uint8_t key[32] = { 1 }, buf[20], tag[16];
	memset(buf, 0x77, sizeof buf);
	CHECK(wt_gcm_init(&ctx, key, 0) == -1, "keylen 0");
	CHECK(wt_gcm_init(&ctx, key, 17) == -1, "keylen 17");
	CHECK(wt_gcm_init(&ctx, key, 33) == -1, "keylen 33");
	CHECK(wt_gcm_init(&ctx, key, 32) == 0, "keylen 32");
	CHECK(wt_gcm_open(&ctx, key, 0, NULL, 0, buf, 4, buf, tag) == -1, "open ivlen 0");
	CHECK(buf[0] == 0x77, "open with ivlen 0 writes nothing");
	wt_gcm_seal(&ctx, key, 0, NULL, 0, buf, 4, buf, tag);
	CHECK(buf[0] == 0 && buf[3] == 0 && buf[4] == 0x77 && tag[0] == 0 && tag[15] == 0,
	      "seal with ivlen 0 zeroes out and tag");
}

int main(void)
{
	test_sbox();
	test_aes();
	test_gcm_kat();
	test_impls_agree();
	test_properties();
	test_arguments();
	return t_done();
}
