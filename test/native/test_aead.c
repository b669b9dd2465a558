/*
 * test_aead.c: ChaCha20, Poly1305 and AEAD_CHACHA20_POLY1305 against the
 * known answers of RFC 8439 (sections 2.4.2, 2.5.2, 2.6.2, 2.8.2 and
 * Appendix A, typed from the RFC text) and AES-GCM through wt_aead.h
 * (the GCM specification's test cases), plus properties: the SIMD
 * multi-block path equals the one-block scalar path at every length and
 * counter; in place equals out of place; incremental Poly1305 equals
 * one-shot; a forged message is refused with WT_ERR_AEAD_TAG and the
 * output zeroed; bad arguments are refused. Runs plain and ASan+UBSan.
 */
#include "wt_aead.h"
#include "wt_chapol.h"
#include "aead/chapol_inner.h"
#include "inner.h"
#include "testutil.h"

/* RFC 8439 plaintexts that are ASCII text. */
static const char SUNSCREEN[] =
	"Ladies and Gentlemen of the class of '99: If I could offer you "
	"only one tip for the future, sunscreen would be it.";
static const char IETF[] =
	"Any submission to the IETF intended by the Contributor for publication "
	"as all or part of an IETF Internet-Draft or RFC and any statement made within "
	"the context of "
	"an IETF activity is considered an \"IETF Contribution\". Such statements "
	"include oral "
	"statements in IETF sessions, as well as written and electronic communications "
	"made at any "
	"time or place, which are addressed to";
static const char JABBER[] =
	"'Twas brillig, and the slithy toves\nDid gyre and gimble in the "
	"wabe:\nAll mimsy were the borogoves,\nAnd the mome raths outgrabe.";

#define K0TO31 "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
#define K80 "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f"
#define KZERO "0000000000000000000000000000000000000000000000000000000000000000"
#define KONE "0000000000000000000000000000000000000000000000000000000000000001"
#define KJAB "1c9240a5eb55d38af333888604f6b5f0473917c1402b80099dca5cbc207075c0"

/* ChaCha20 encryption: section 2.4.2 and Appendix A.1 (keystream = the
 * encryption of zeros) and A.2. pt NULL means zeros of len(ct) bytes. */
static const struct {
	const char *key, *nonce;
	uint32_t ctr;
	const char *pt, *ct;
} CHACHA[] = {
	{ K0TO31, "000000000000004a00000000", 1, SUNSCREEN,
	  "6e2e359a2568f98041ba0728dd0d6981"
	  "e97e7aec1d4360c20a27afccfd9fae0b"
	  "f91b65c5524733ab8f593dabcd62b357"
	  "1639d624e65152ab8f530c359f0861d8"
	  "07ca0dbf500d6a6156a38e088a22b65e"
	  "52bc514d16ccf806818ce91ab7793736"
	  "5af90bbf74a35be6b40b8eedf2785e42"
	  "874d" },
	/* A.1 #1 (= A.2 #1) */
	{ KZERO, "000000000000000000000000", 0, NULL,
	  "76b8e0ada0f13d90405d6ae55386bd28"
	  "bdd219b8a08ded1aa836efcc8b770dc7"
	  "da41597c5157488d7724e03fb8d84a37"
	  "6a43b8f41518a11cc387b669b2ee6586" },
	/* A.1 #2 */
	{ KZERO, "000000000000000000000000", 1, NULL,
	  "9f07e7be5551387a98ba977c732d080d"
	  "cb0f29a048e3656912c6533e32ee7aed"
	  "29b721769ce64e43d57133b074d839d5"
	  "31ed1f28510afb45ace10a1f4b794d6f" },
	/* A.1 #3 */
	{ KONE, "000000000000000000000000", 1, NULL,
	  "3aeb5224ecf849929b9d828db1ced4dd"
	  "832025e8018b8160b82284f3c949aa5a"
	  "8eca00bbb4a73bdad192b5c42f73f2fd"
	  "4e273644c8b36125a64addeb006c13a0" },
	/* A.1 #4 */
	{ "00ff000000000000000000000000000000000000000000000000000000000000",
	  "000000000000000000000000", 2, NULL,
	  "72d54dfbf12ec44b362692df94137f32"
	  "8fea8da73990265ec1bbbea1ae9af0ca"
	  "13b25aa26cb4a648cb9b9d1be65b2c09"
	  "24a66c54d545ec1b7374f4872e99f096" },
	/* A.1 #5 */
	{ KZERO, "000000000000000000000002", 0, NULL,
	  "c2c64d378cd536374ae204b9ef933fcd"
	  "1a8b2288b3dfa49672ab765b54ee27c7"
	  "8a970e0e955c14f3a88e741b97c286f7"
	  "5f8fc299e8148362fa198a39531bed6d" },
	/* A.2 #2 */
	{ KONE, "000000000000000000000002", 1, IETF,
	  "a3fbf07df3fa2fde4f376ca23e827370"
	  "41605d9f4f4f57bd8cff2c1d4b7955ec"
	  "2a97948bd3722915c8f3d337f7d37005"
	  "0e9e96d647b7c39f56e031ca5eb6250d"
	  "4042e02785ececfa4b4bb5e8ead0440e"
	  "20b6e8db09d881a7c6132f420e527950"
	  "42bdfa7773d8a9051447b3291ce1411c"
	  "680465552aa6c405b7764d5e87bea85a"
	  "d00f8449ed8f72d0d662ab052691ca66"
	  "424bc86d2df80ea41f43abf937d3259d"
	  "c4b2d0dfb48a6c9139ddd7f76966e928"
	  "e635553ba76c5c879d7b35d49eb2e62b"
	  "0871cdac638939e25e8a1e0ef9d5280f"
	  "a8ca328b351c3c765989cbcf3daa8b6c"
	  "cc3aaf9f3979c92b3720fc88dc95ed84"
	  "a1be059c6499b9fda236e7e818b04b0b"
	  "c39c1e876b193bfe5569753f88128cc0"
	  "8aaa9b63d1a16f80ef2554d7189c411f"
	  "5869ca52c5b83fa36ff216b9c1d30062"
	  "bebcfd2dc5bce0911934fda79a86f6e6"
	  "98ced759c3ff9b6477338f3da4f9cd85"
	  "14ea9982ccafb341b2384dd902f3d1ab"
	  "7ac61dd29c6f21ba5b862f3730e37cfd"
	  "c4fd806c22f221" },
	/* A.2 #3 */
	{ KJAB, "000000000000000000000002", 42, JABBER,
	  "62e6347f95ed87a45ffae7426f27a1df"
	  "5fb69110044c0d73118effa95b01e5cf"
	  "166d3df2d721caf9b21e5fb14c616871"
	  "fd84c54f9d65b283196c7fe4f60553eb"
	  "f39c6402c42234e32a356b3e764312a6"
	  "1a5532055716ead6962568f87d3f3f77"
	  "04c6a8d1bcd1bf4d50d6154b6da731b1"
	  "87b58dfd728afa36757a797ac188d1" },
	/* 2.6.2 and A.4: the Poly1305 key is block 0's first 32 bytes. */
	{ K80, "000000000001020304050607", 0, NULL,
	  "8ad5a08b905f81cc815040274ab29471a833b637e3fd0da508dbb8e2fdd1a646" },
	{ KONE, "000000000000000000000002", 0, NULL,
	  "ecfa254f845f647473d3cb140da9e87606cb33066c447b87bc2666dde3fbb739" },
	{ KJAB, "000000000000000000000002", 0, NULL,
	  "965e3bc6f9ec7ed9560808f4d229f94b137ff275ca9b3fcbdd59deaad23310ae" },
};

/* Poly1305: section 2.5.2 and Appendix A.3 (#5 to #11 give R and S: the
 * key is R | S). Messages in hex, or ASCII when msg_ascii is set. */
static const struct {
	const char *key, *msg;
	int ascii;
	const char *tag;
} POLY[] = {
	{ "85d6be7857556d337f4452fe42d506a80103808afb0db2fd4abff6af4149f51b",
	  "43727970746f6772617068696320466f72756d2052657365617263682047726f7570", 0,
	  "a8061dc1305136c6c22b8baf0c0127a9" },
	{ KZERO,
	  "000000000000000000000000000000000000000000000000000000000000000000000000000000"
	  "00"
	  "000000000000000000000000000000000000000000000000",
	  0, "00000000000000000000000000000000" },
	{ "0000000000000000000000000000000036e5f6b5c5e06070f0efca96227a863e", IETF, 1,
	  "36e5f6b5c5e06070f0efca96227a863e" },
	{ "36e5f6b5c5e06070f0efca96227a863e00000000000000000000000000000000", IETF, 1,
	  "f3477e7cd95417af89a6b8794c310cf0" },
	{ KJAB, JABBER, 1, "4541669a7eaaee61e708dc7cbcc5eb62" },
	/* #5: partially reduced result not fully reduced */
	{ "0200000000000000000000000000000000000000000000000000000000000000",
	  "ffffffffffffffffffffffffffffffff", 0, "03000000000000000000000000000000" },
	/* #6: s addition overflows 2^128 */
	{ "02000000000000000000000000000000ffffffffffffffffffffffffffffffff",
	  "02000000000000000000000000000000", 0, "03000000000000000000000000000000" },
	/* #7: data limb all ones with a carry from below */
	{ "0100000000000000000000000000000000000000000000000000000000000000",
	  "ffffffffffffffffffffffffffffffff"
	  "f0ffffffffffffffffffffffffffffff"
	  "11000000000000000000000000000000",
	  0, "05000000000000000000000000000000" },
	/* #8: final value exactly 2^130-5 */
	{ "0100000000000000000000000000000000000000000000000000000000000000",
	  "ffffffffffffffffffffffffffffffff"
	  "fbfefefefefefefefefefefefefefefe"
	  "01010101010101010101010101010101",
	  0, "00000000000000000000000000000000" },
	/* #9: final value exactly 2^130-6 */
	{ "0200000000000000000000000000000000000000000000000000000000000000",
	  "fdffffffffffffffffffffffffffffff", 0, "faffffffffffffffffffffffffffffff" },
	/* #10: 5*H+L reduction gives a 131-bit intermediate */
	{ "0100000000000000040000000000000000000000000000000000000000000000",
	  "e33594d7505e43b90000000000000000"
	  "3394d7505e4379cd0100000000000000"
	  "00000000000000000000000000000000"
	  "01000000000000000000000000000000",
	  0, "14000000000000005500000000000000" },
	/* #11: and a 131-bit final result */
	{ "0100000000000000040000000000000000000000000000000000000000000000",
	  "e33594d7505e43b90000000000000000"
	  "3394d7505e4379cd0100000000000000"
	  "00000000000000000000000000000000",
	  0, "13000000000000000000000000000000" },
};

/* AEAD: RFC 8439 2.8.2 (seal) and A.5 (open); AES-GCM through the same
 * interface with test cases 1, 2, 4, 7, 8, 13 and 14 of McGrew and
 * Viega's GCM specification (also in wt_gcm's own test). */
#define Z12 "000000000000000000000000"
#define Z16 "00000000000000000000000000000000"
static const struct {
	uint32_t alg;
	const char *key, *nonce, *aad, *pt;
	int ascii;
	const char *ct, *tag;
} AEAD[] = {
	{ WT_AEAD_AES128GCM, Z16, Z12, "", "", 0, "",
	  "58e2fccefa7e3061367f1d57a4e7455a" },
	{ WT_AEAD_AES128GCM, Z16, Z12, "", Z16, 0, "0388dace60b6a392f328c2b971b2fe78",
	  "ab6e47d42cec13bdf53a67b21257bddf" },
	{ WT_AEAD_AES128GCM, "feffe9928665731c6d6a8f9467308308",
	  "cafebabefacedbaddecaf888", "feedfacedeadbeeffeedfacedeadbeefabaddad2",
	  "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
	  "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39",
	  0,
	  "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
	  "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091",
	  "5bc94fbc3221a5db94fae95ae7121a47" },
	{ WT_AEAD_AES192GCM, Z16 "0000000000000000", Z12, "", "", 0, "",
	  "cd33b28ac773f74ba00ed1f312572435" },
	{ WT_AEAD_AES192GCM, Z16 "0000000000000000", Z12, "", Z16, 0,
	  "98e7247c07f0fe411c267e4384b0f600", "2ff58d80033927ab8ef4d4587514f0fb" },
	{ WT_AEAD_AES256GCM, KZERO, Z12, "", "", 0, "",
	  "530f8afbc74536b9a963b4f1c4cb738b" },
	{ WT_AEAD_AES256GCM, KZERO, Z12, "", Z16, 0, "cea7403d4d606b6e074ec5d3baf39d18",
	  "d0d1c8a799996bf0265b98b5d48ab919" },
	{ WT_AEAD_CHACHA20POLY1305, K80, "070000004041424344454647",
	  "50515253c0c1c2c3c4c5c6c7", SUNSCREEN, 1,
	  "d31a8d34648e60db7b86afbc53ef7ec2"
	  "a4aded51296e08fea9e2b5a736ee62d6"
	  "3dbea45e8ca9671282fafb69da92728b"
	  "1a71de0a9e060b2905d6a5b67ecd3b36"
	  "92ddbd7f2d778b8c9803aee328091b58"
	  "fab324e4fad675945585808b4831d7bc"
	  "3ff4def08e4b7a9de576d26586cec64b"
	  "6116",
	  "1ae10b594f09e26a7e902ecbd0600691" },
	{ WT_AEAD_CHACHA20POLY1305, KJAB, "000000000102030405060708",
	  "f33388860000000000004e91",
	  "496e7465726e65742d44726166747320"
	  "61726520647261667420646f63756d65"
	  "6e74732076616c696420666f72206120"
	  "6d6178696d756d206f6620736978206d"
	  "6f6e74687320616e64206d6179206265"
	  "20757064617465642c207265706c6163"
	  "65642c206f72206f62736f6c65746564"
	  "206279206f7468657220646f63756d65"
	  "6e747320617420616e792074696d652e"
	  "20497420697320696e617070726f7072"
	  "6961746520746f2075736520496e7465"
	  "726e65742d4472616674732061732072"
	  "65666572656e6365206d617465726961"
	  "6c206f7220746f206369746520746865"
	  "6d206f74686572207468616e20617320"
	  "2fe2809c776f726b20696e2070726f67"
	  "726573732e2fe2809d",
	  0,
	  "64a0861575861af460f062c79be643bd"
	  "5e805cfd345cf389f108670ac76c8cb2"
	  "4c6cfc18755d43eea09ee94e382d26b0"
	  "bdb7b73c321b0100d4f03b7f355894cf"
	  "332f830e710b97ce98c8a84abd0b9481"
	  "14ad176e008d33bd60f982b1ff37c855"
	  "9797a06ef4f0ef61c186324e2b350638"
	  "3606907b6a7c02b0f9f6157b53c867e4"
	  "b9166c767b804d46a59b5216cde7a4e9"
	  "9040c5a40433225ee282a1b0a06c523e"
	  "af4534d7f83fa1155b0047718cbc546a"
	  "0d072b04b3564eea1b422273f548271a"
	  "0bb2316053fa76991955ebd63159434e"
	  "cebb4e466dae5a1073a6727627097a10"
	  "49e617d91d361094fa68f0ff77987130"
	  "305beaba2eda04df997b714d6c6f2c29"
	  "a6ad5cb4022b02709b",
	  "eead9d67890cbb22392336fea1851f38" },
};

/* Deterministic filler for the property tests (not a secret source). */
static uint64_t rng_state = 0x9e3779b97f4a7c15u;
static uint32_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 16);
}
static void fill(uint8_t *b, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		b[i] = (uint8_t)rnd();
}
static int all_zero(const uint8_t *b, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (b[i])
			return 0;
	return 1;
}

static void test_chacha_kats(void)
{
	size_t i;
	for (i = 0; i < sizeof CHACHA / sizeof CHACHA[0]; i++) {
		size_t kl, nl, cl;
		uint8_t *key = unhex(CHACHA[i].key, &kl),
			*nonce = unhex(CHACHA[i].nonce, &nl);
		uint8_t *ct = unhex(CHACHA[i].ct, &cl);
		uint8_t *pt = calloc(1, cl + 1), *out = malloc(cl + 1);
		uint32_t kw[8];
		int j;
		if (CHACHA[i].pt)
			memcpy(pt, CHACHA[i].pt, cl);
		CHECK(!CHACHA[i].pt || strlen(CHACHA[i].pt) == cl, "chacha %zu pt length",
		      i);
		wt_chacha20(key, nonce, CHACHA[i].ctr, pt, out, cl);
		CHECK(memcmp(out, ct, cl) == 0, "chacha20 KAT %zu", i);
		for (j = 0; j < 8; j++)
			kw[j] = wt_load32_le(key + 4 * j);
		wt_chacha20_run_scalar(kw, nonce, CHACHA[i].ctr, pt, out, cl,
				       0xFFFFFFFFu);
		CHECK(memcmp(out, ct, cl) == 0, "chacha20 scalar KAT %zu", i);
		/* decryption is the same operation, here in place */
		memcpy(out, ct, cl);
		wt_chacha20(key, nonce, CHACHA[i].ctr, out, out, cl);
		CHECK(memcmp(out, pt, cl) == 0, "chacha20 in-place decrypt %zu", i);
		free(key);
		free(nonce);
		free(ct);
		free(pt);
		free(out);
	}
}

static void test_poly_kats(void)
{
	size_t i;
	for (i = 0; i < sizeof POLY / sizeof POLY[0]; i++) {
		size_t kl, ml, j;
		uint8_t *key = unhex(POLY[i].key, &kl), *msg;
		uint8_t tag[16];
		wt_poly1305_ctx c;
		if (POLY[i].ascii) {
			ml = strlen(POLY[i].msg);
			msg = malloc(ml);
			memcpy(msg, POLY[i].msg, ml);
		} else {
			msg = unhex(POLY[i].msg, &ml);
		}
		wt_poly1305(key, msg, ml, tag);
		CHECK(eqhex(tag, 16, POLY[i].tag), "poly1305 KAT %zu", i);
		/* one byte at a time */
		wt_poly1305_init(&c, key);
		for (j = 0; j < ml; j++)
			wt_poly1305_update(&c, msg + j, 1);
		wt_poly1305_final(&c, tag);
		CHECK(eqhex(tag, 16, POLY[i].tag), "poly1305 bytewise KAT %zu", i);
		free(key);
		free(msg);
	}
}

static void test_aead_kats(void)
{
	size_t i;
	for (i = 0; i < sizeof AEAD / sizeof AEAD[0]; i++) {
		size_t kl, nl, al, pl, cl, tl;
		uint8_t *key = unhex(AEAD[i].key, &kl),
			*nonce = unhex(AEAD[i].nonce, &nl);
		uint8_t *aad = unhex(AEAD[i].aad, &al), *ct = unhex(AEAD[i].ct, &cl);
		uint8_t *tagx = unhex(AEAD[i].tag, &tl), *pt, *out, tag[16];
		wt_aead_ctx c;
		if (AEAD[i].ascii) {
			pl = strlen(AEAD[i].pt);
			pt = malloc(pl);
			memcpy(pt, AEAD[i].pt, pl);
		} else {
			pt = unhex(AEAD[i].pt, &pl);
		}
		out = malloc(pl + 1);
		CHECK(pl == cl && tl == 16, "aead %zu lengths", i);
		CHECK(wt_aead_init(&c, AEAD[i].alg, key, kl) == 0, "init %zu", i);
		CHECK(wt_aead_seal(&c, nonce, nl, aad, al, pt, pl, out, tag) == 0,
		      "seal %zu", i);
		CHECK(memcmp(out, ct, cl) == 0, "aead ct KAT %zu", i);
		CHECK(memcmp(tag, tagx, 16) == 0, "aead tag KAT %zu", i);
		CHECK(wt_aead_open(&c, nonce, nl, aad, al, ct, cl, out, tagx) == 0,
		      "open %zu", i);
		CHECK(memcmp(out, pt, pl) == 0, "aead pt KAT %zu", i);
		/* in place, both ways */
		memcpy(out, pt, pl);
		CHECK(wt_aead_seal(&c, nonce, nl, aad, al, out, pl, out, tag) == 0 &&
			      memcmp(out, ct, cl) == 0 && memcmp(tag, tagx, 16) == 0,
		      "seal in place %zu", i);
		CHECK(wt_aead_open(&c, nonce, nl, aad, al, out, cl, out, tagx) == 0 &&
			      memcmp(out, pt, pl) == 0,
		      "open in place %zu", i);
		/* a flipped tag bit: refused, output zeroed */
		tagx[5] ^= 0x10;
		memset(out, 0xAA, pl);
		CHECK(wt_aead_open(&c, nonce, nl, aad, al, ct, cl, out, tagx) ==
				      WT_ERR_AEAD_TAG &&
			      all_zero(out, pl),
		      "forged tag %zu", i);
		wt_wipe(&c, sizeof c);
		free(key);
		free(nonce);
		free(aad);
		free(ct);
		free(tagx);
		free(pt);
		free(out);
	}
}

/* The SIMD path (four blocks per pass where built in) against the
 * one-block scalar path: every length 0..1100 (eight-block passes,
 * four-block passes, the buffered three-block tail, scalar blocks) at
 * several counters,
 * including one where the 32-bit counter wraps inside a pass, and both
 * masks. In place = out of place. */
static void test_paths(void)
{
	static uint8_t in[1100], a[1100], b[1100], c[1100];
	static const uint32_t ctrs[] = { 0, 1, 7, 0xFFFFFFFEu };
	uint32_t kw[8];
	uint8_t nonce[12];
	size_t len, k;
	int bad_simd = 0, bad_inplace = 0, bad_mask = 0;
	for (k = 0; k < 8; k++)
		kw[k] = rnd();
	fill(nonce, sizeof nonce);
	fill(in, sizeof in);
	for (k = 0; k < sizeof ctrs / sizeof ctrs[0]; k++) {
		for (len = 0; len <= 1100; len++) {
			wt_chacha20_run(kw, nonce, ctrs[k], in, a, len, 0xFFFFFFFFu);
			wt_chacha20_run_scalar(kw, nonce, ctrs[k], in, b, len,
					       0xFFFFFFFFu);
			bad_simd += memcmp(a, b, len) != 0;
			memcpy(c, in, len);
			wt_chacha20_run(kw, nonce, ctrs[k], c, c, len, 0xFFFFFFFFu);
			bad_inplace += memcmp(a, c, len) != 0;
			memset(c, 0x55, len);
			wt_chacha20_run(kw, nonce, ctrs[k], in, c, len, 0);
			bad_mask += !all_zero(c, len);
		}
	}
	CHECK(bad_simd == 0, "SIMD path != scalar path in %d cases", bad_simd);
	CHECK(bad_inplace == 0, "in place != out of place in %d cases", bad_inplace);
	CHECK(bad_mask == 0, "mask 0 left non-zero output in %d cases", bad_mask);
}

/* Poly1305 incremental with random splits equals one-shot. Pieces are
 * under 256 bytes, so the incremental side runs the scalar loop only,
 * while one-shot runs the four-way vector loop from 16 blocks on: this
 * cross-checks the two, on random data and on all-ones key and data
 * (largest limbs, longest carries). */
static void test_poly_splits(void)
{
	static uint8_t rmsg[1200], ones[1200];
	uint8_t key[32], t1[16], t2[16];
	int i, bad = 0;
	fill(rmsg, sizeof rmsg);
	memset(ones, 0xff, sizeof ones);
	for (i = 0; i < 400; i++) {
		const uint8_t *msg = i % 4 == 0 ? ones : rmsg;
		size_t len = i < 100 ? (size_t)i * 12 : rnd() % sizeof rmsg, off = 0;
		wt_poly1305_ctx c;
		if (i % 4 == 0)
			memset(key, 0xff, sizeof key);
		else
			fill(key, sizeof key);
		wt_poly1305(key, msg, len, t1);
		wt_poly1305_init(&c, key);
		while (off < len) {
			size_t n = rnd() % 40;
			if (n > len - off)
				n = len - off;
			wt_poly1305_update(&c, msg + off, n);
			off += n;
		}
		wt_poly1305_final(&c, t2);
		bad += memcmp(t1, t2, 16) != 0;
	}
	CHECK(bad == 0, "poly1305 split != one-shot in %d cases", bad);
}

/* Round trips at lengths 0..300 with AAD 0..40, and every single-bit
 * change of AAD, ciphertext or tag is refused for a few lengths. */
static void test_roundtrip_and_tamper(uint32_t alg)
{
	static uint8_t pt[300], ct[300], out[300], aad[40];
	static wt_aead_ctx c;
	uint8_t key[32], nonce[12], tag[16];
	size_t len;
	int bad_rt = 0, bad_tamper = 0, tries = 0;
	fill(key, 32);
	CHECK(wt_aead_init(&c, alg, key, wt_aead_key_len(alg)) == 0, "init %u", alg);
	for (len = 0; len <= 300; len++) {
		size_t al = len % 41, bit;
		fill(pt, len);
		fill(aad, al);
		fill(nonce, 12);
		wt_aead_seal(&c, nonce, 12, aad, al, pt, len, ct, tag);
		bad_rt += wt_aead_open(&c, nonce, 12, aad, al, ct, len, out, tag) != 0 ||
			memcmp(out, pt, len) != 0;
		if (len % 37 != 0 && len != 1 && len != 16)
			continue;
		/* each bit of tag, AAD and ciphertext */
		for (bit = 0; bit < 8 * (16 + al + len); bit++) {
			uint8_t *p = bit < 128 ? tag : bit < 8 * (16 + al) ? aad : ct;
			size_t off = bit < 128      ? bit :
				bit < 8 * (16 + al) ? bit - 128 :
						      bit - 8 * (16 + al);
			int r;
			p[off / 8] ^= (uint8_t)(1u << (off % 8));
			memset(out, 0xAA, len);
			r = wt_aead_open(&c, nonce, 12, aad, al, ct, len, out, tag);
			bad_tamper += r != WT_ERR_AEAD_TAG || !all_zero(out, len);
			p[off / 8] ^= (uint8_t)(1u << (off % 8));
			tries++;
		}
		/* a wrong nonce too */
		nonce[0] ^= 1;
		bad_tamper += wt_aead_open(&c, nonce, 12, aad, al, ct, len, out, tag) !=
			WT_ERR_AEAD_TAG;
		nonce[0] ^= 1;
	}
	CHECK(bad_rt == 0, "alg %u: round trip failed in %d cases", alg, bad_rt);
	CHECK(bad_tamper == 0 && tries > 10000,
	      "alg %u: tampering accepted in %d of %d cases", alg, bad_tamper, tries);
}

static void test_bad_args(void)
{
	uint8_t key[33] = { 0 }, nonce[13] = { 0 }, buf[16] = { 0 }, tag[16] = { 0 };
	static wt_aead_ctx c;
	wt_chapol_ctx cc;
	CHECK(wt_aead_init(&c, 0, key, 32) == WT_ERR_ARG, "alg 0");
	CHECK(wt_aead_init(&c, 99, key, 32) == WT_ERR_ARG, "alg 99");
	CHECK(wt_aead_seal(&c, nonce, 12, NULL, 0, buf, 16, buf, tag) == WT_ERR_ARG,
	      "seal on failed init");
	CHECK(wt_aead_init(&c, WT_AEAD_CHACHA20POLY1305, key, 31) == WT_ERR_ARG,
	      "key 31");
	CHECK(wt_aead_init(&c, WT_AEAD_CHACHA20POLY1305, key, 33) == WT_ERR_ARG,
	      "key 33");
	CHECK(wt_aead_init(&c, WT_AEAD_CHACHA20POLY1305, key, 32) == 0, "key 32");
	CHECK(wt_aead_seal(&c, nonce, 11, NULL, 0, buf, 16, buf, tag) == WT_ERR_ARG,
	      "nonce 11");
	CHECK(wt_aead_seal(&c, nonce, 13, NULL, 0, buf, 16, buf, tag) == WT_ERR_ARG,
	      "nonce 13");
	CHECK(wt_aead_open(&c, nonce, 8, NULL, 0, buf, 16, buf, tag) == WT_ERR_ARG,
	      "open nonce 8");
	CHECK(wt_chapol_init(&cc, key, 16) == -1, "chapol key 16");
	/* GCM: the id fixes the key size */
	CHECK(wt_aead_init(&c, WT_AEAD_AES128GCM, key, 32) == WT_ERR_ARG,
	      "aes128 with 32");
	CHECK(wt_aead_init(&c, WT_AEAD_AES256GCM, key, 16) == WT_ERR_ARG,
	      "aes256 with 16");
	CHECK(wt_aead_init(&c, WT_AEAD_AES192GCM, key, 32) == WT_ERR_ARG,
	      "aes192 with 32");
	CHECK(wt_aead_init(&c, WT_AEAD_AES128GCM, key, 16) == 0, "aes128");
	/* GCM takes any non-empty IV (SP 800-38D 5.2.1.1), not an empty one */
	memset(buf, 0x33, sizeof buf);
	CHECK(wt_aead_seal(&c, nonce, 0, NULL, 0, buf, 16, buf, tag) == WT_ERR_ARG,
	      "gcm iv 0 seal");
	CHECK(buf[0] == 0x33, "gcm iv 0 seal wrote nothing");
	CHECK(wt_aead_open(&c, nonce, 0, NULL, 0, buf, 16, buf, tag) == WT_ERR_ARG,
	      "gcm iv 0 open");
	CHECK(wt_aead_seal(&c, nonce, 8, NULL, 0, buf, 16, buf, tag) == 0 &&
		      wt_aead_open(&c, nonce, 8, NULL, 0, buf, 16, buf, tag) == 0 &&
		      buf[15] == 0x33,
	      "gcm iv 8");
	CHECK(wt_aead_seal(&c, nonce, 13, NULL, 0, buf, 16, buf, tag) == 0 &&
		      wt_aead_open(&c, nonce, 13, NULL, 0, buf, 16, buf, tag) == 0 &&
		      buf[15] == 0x33,
	      "gcm iv 13");
	CHECK(wt_aead_key_len(WT_AEAD_AES128GCM) == 16 &&
		      wt_aead_key_len(WT_AEAD_AES192GCM) == 24 &&
		      wt_aead_key_len(WT_AEAD_AES256GCM) == 32,
	      "gcm key lens");
	CHECK(wt_aead_key_len(WT_AEAD_CHACHA20POLY1305) == 32 && wt_aead_key_len(77) == 0,
	      "key len");
	CHECK(wt_aead_nonce_len(WT_AEAD_CHACHA20POLY1305) == 12, "nonce len");
#if SIZE_MAX > 0xFFFFFFFFu
	/* RFC 8439 2.8: P_MAX = 274,877,906,880 bytes. Checked before any
	 * byte is touched, so the small buffer is never overrun. */
	CHECK(wt_chapol_seal(&cc, nonce, NULL, 0, buf, (size_t)WT_CHAPOL_MAX_LEN + 1, buf,
			     tag) == -1,
	      "P_MAX");
	/* SP 800-38D 5.2.1.1: 2^36 - 32 bytes for GCM */
	CHECK(wt_aead_seal(&c, nonce, 12, NULL, 0, buf, ((size_t)1 << 36) - 31, buf,
			   tag) == WT_ERR_ARG,
	      "gcm P_MAX seal");
	CHECK(wt_aead_open(&c, nonce, 12, NULL, 0, buf, ((size_t)1 << 36) - 31, buf,
			   tag) == WT_ERR_ARG,
	      "gcm P_MAX open");
#endif
}

int main(void)
{
	test_chacha_kats();
	test_poly_kats();
	test_aead_kats();
	test_paths();
	test_poly_splits();
	test_roundtrip_and_tamper(WT_AEAD_CHACHA20POLY1305);
	test_roundtrip_and_tamper(WT_AEAD_AES128GCM);
	test_roundtrip_and_tamper(WT_AEAD_AES192GCM);
	test_roundtrip_and_tamper(WT_AEAD_AES256GCM);
	test_bad_args();
	return t_done();
}
