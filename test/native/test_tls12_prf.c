/*
 * test_tls12_prf.c: the TLS 1.2 key schedule (keysched12.c) against known
 * answers: the PRF (RFC 5246 5) with SHA-256 and SHA-384, the master
 * secret with and without the extended master secret (RFC 5246 8.1,
 * RFC 7627 4), the key block (RFC 5246 6.3) and verify_data (RFC 5246
 * 7.4.9).
 *
 * Every expected value was produced by OpenSSL 3.0's TLS1-PRF, independent
 * of our code, with (label given as hex in front of the seed):
 *
 *   openssl kdf -keylen N -kdfopt digest:SHA256 -kdfopt hexsecret:SECRET \
 *       -kdfopt hexseed:$(printf %s "LABEL" | xxd -p)SEED TLS1-PRF
 *
 * (digest:SHA384 for the SHA-384 rows). The two PRF rows are also the
 * widely used test vectors posted to the IETF TLS list ("test label"),
 * which OpenSSL reproduces. The inputs of the key-schedule rows are
 * arbitrary patterns (see each row); the seed order they exercise is the
 * one the RFCs fix: client_random + server_random for the master secret,
 * server_random + client_random for the key block.
 */
#include "testutil.h"
#include "../../crypto-src/tls/tls_inner.h"
#include "wt_hash.h"

/* bytes (i * mul + add) mod 256, i = 0 .. 31 or 47 */
#define PMS \
	"0b30557a9fc4e90e33587da2c7ec11365b80a5caef14395e83a8cdf2173c6186" /* i*37+11 */
#define PMS48 PMS "abd0f51a3f6489aed3f81d42678cb1d6"                       /* i*37+11 */
#define CR "05121f2c394653606d7a8794a1aebbc8d5e2effc091623303d4a5764717e8b98" /* i*13+5 */
#define SR \
	"ffe2c5a88b6e513417faddc0a386694c2f12f5d8bb9e8164472a0df0d3b6997c" /* 255-i*29 */
#define SH32 \
	"034a91d81f66adf43b82c910579ee52c73ba01488fd61d64abf23980c70e559c" /* i*71+3 */
#define SH48 SH32 "e32a71b8ff468dd41b62a9f0377ec50c"                       /* i*71+3 */

/* hexsecret:PMS hexseed:"extended master secret"||SH32, SHA256, 48 */
#define EMS256                                                                           \
	"b495984b304027a08d0c86e3a4c691a0be1f0c66cfc204309df78767a1a863c22959a7cbd6dd57" \
	"ee48a6ad1a5ce3a32c"
/* hexsecret:PMS48 hexseed:"extended master secret"||SH48, SHA384, 48 */
#define EMS384                                                                           \
	"13242080ab6a436cb3d44887c49ba484e295f72f5599e467bc6c48e12354ce10ab292c0674f4b8" \
	"9d560a9324a7d253fc"

static void t_prf(void)
{
	size_t sl, dl, n;
	uint8_t out[148];
	/* -keylen 100 -kdfopt digest:SHA256 -kdfopt hexsecret:9bbe436ba940f017b17652849a71db35
	 * -kdfopt hexseed:<"test label">a0ba9f936cda311827a6f796ffd5198c */
	uint8_t *s = unhex("9bbe436ba940f017b17652849a71db35", &sl);
	uint8_t *d = unhex("a0ba9f936cda311827a6f796ffd5198c", &dl);
	CHECK(wt_prf12(WT_SHA256, s, sl, "test label", d, dl, NULL, 0, out, 100) == 0,
	      "prf sha256");
	CHECK(eqhex(out, 100,
		    "e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a"
		    "6b301791e90d35c9c9a46b4e14baf9af0fa022f7077def17abfd3797c0564bab4fbc"
		    "91666e9def9b"
		    "97fce34f796789baa48082d122ee42c5a72e5a5110fff70187347b66"),
	      "prf sha256 value");
	/* The seed given in two pieces is the same seed. */
	memset(out, 0, sizeof out);
	CHECK(wt_prf12(WT_SHA256, s, sl, "test label", d, 5, d + 5, dl - 5, out, 100) ==
			      0 &&
		      eqhex(out, 100,
			    "e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61e"
			    "db5a"
			    "6b301791e90d35c9c9a46b4e14baf9af0fa022f7077def17abfd3797c056"
			    "4bab4fbc91666e9def9b"
			    "97fce34f796789baa48082d122ee42c5a72e5a5110fff70187347b66"),
	      "prf sha256 split seed");
	/* A shorter output is a prefix of the longer one, and nothing past
	 * outlen is written (outlen not a multiple of the hash length). */
	{
		uint8_t full[100];
		memcpy(full, out, sizeof full);
		for (n = 1; n <= 99; n += 7) {
			memset(out, 0xee, sizeof out);
			CHECK(wt_prf12(WT_SHA256, s, sl, "test label", d, dl, NULL, 0,
				       out, n) == 0 &&
				      memcmp(out, full, n) == 0 && out[n] == 0xee,
			      "prf sha256 prefix %zu", n);
		}
	}
	free(s);
	free(d);
	/* -keylen 148 -kdfopt digest:SHA384 -kdfopt hexsecret:b80b733d6ceefcdc71566ea48e5567df
	 * -kdfopt hexseed:<"test label">cd665cf6a8447dd6ff8b27555edb7465 */
	s = unhex("b80b733d6ceefcdc71566ea48e5567df", &sl);
	d = unhex("cd665cf6a8447dd6ff8b27555edb7465", &dl);
	CHECK(wt_prf12(WT_SHA384, s, sl, "test label", d, dl, NULL, 0, out, 148) == 0,
	      "prf sha384");
	CHECK(eqhex(out, 148,
		    "7b0c18e9ced410ed1804f2cfa34a336a1c14dffb4900bb5fd7942107e81c83cd"
		    "e9ca0faa60be9fe34f82b1233c9146a0e534cb400fed2700884f9dc236f80edd8bfa"
		    "961144c9e8d7"
		    "92eca722a7b32fc3d416d473ebc2c5fd4abfdad05d9184259b5bf8cd4d90fa0d31e2"
		    "dec479e4f1a2"
		    "6066f2eea9a69236a3e52655c9e9aee691c8f3a26854308d5eaa3be85e0990703d73"
		    "e56f"),
	      "prf sha384 value");
	free(s);
	free(d);
	CHECK(wt_prf12(0, (const uint8_t *)"k", 1, "x", NULL, 0, NULL, 0, out, 12) != 0,
	      "prf: unknown hash refused");
}

static void t_master(void)
{
	size_t l;
	uint8_t ms[48];
	uint8_t *pms = unhex(PMS48, &l), *cr = unhex(CR, &l), *sr = unhex(SR, &l);
	uint8_t *sh = unhex(SH48, &l);
	/* -keylen 48 -kdfopt digest:SHA256 -kdfopt hexsecret:PMS -kdfopt hexseed:<"master secret">CR SR */
	CHECK(wt_ks12_master(WT_SHA256, pms, 32, 0, NULL, cr, sr, ms) == 0 &&
		      eqhex(ms, 48,
			    "5e6463783f67e9314d5a0fcc2149cb7c215696d919100fcd5aa135974ef2"
			    "69293c700cdf2cd8eaabe4988a87815d1278"),
	      "master secret sha256 (RFC 5246 8.1)");
	/* -keylen 48 -kdfopt digest:SHA384 -kdfopt hexsecret:PMS48 -kdfopt hexseed:<"master secret">CR SR */
	CHECK(wt_ks12_master(WT_SHA384, pms, 48, 0, NULL, cr, sr, ms) == 0 &&
		      eqhex(ms, 48,
			    "5c48a06f35cffa27926eef179143087ee7f85636ff92f59d160c1f11cd7a"
			    "99bc33b758277a306183da8be59271d4df6d"),
	      "master secret sha384 (RFC 5246 8.1)");
	/* EMS: the randoms play no part (RFC 7627 4). */
	CHECK(wt_ks12_master(WT_SHA256, pms, 32, 1, sh, cr, sr, ms) == 0 &&
		      eqhex(ms, 48, EMS256),
	      "extended master secret sha256 (RFC 7627 4)");
	CHECK(wt_ks12_master(WT_SHA256, pms, 32, 1, sh, sr, cr, ms) == 0 &&
		      eqhex(ms, 48, EMS256),
	      "extended master secret ignores the randoms");
	CHECK(wt_ks12_master(WT_SHA384, pms, 48, 1, sh, cr, sr, ms) == 0 &&
		      eqhex(ms, 48, EMS384),
	      "extended master secret sha384 (session hash of 48 bytes)");
	free(pms);
	free(cr);
	free(sr);
	free(sh);
}

static void t_key_block(void)
{
	size_t l;
	uint8_t kb[88];
	uint8_t *ms256 = unhex(EMS256, &l), *ms384 = unhex(EMS384, &l);
	uint8_t *cr = unhex(CR, &l), *sr = unhex(SR, &l);
	/* -keylen 40 -kdfopt digest:SHA256 -kdfopt hexsecret:EMS256 -kdfopt hexseed:<"key expansion">SR CR
	 * (AES-128-GCM: 2 keys of 16, 2 implicit nonces of 4, RFC 5288 3) */
	memset(kb, 0xee, sizeof kb);
	CHECK(wt_ks12_key_block(WT_SHA256, ms256, cr, sr, 16, 4, kb) == 0 &&
		      eqhex(kb, 40,
			    "1545b604f8fb7510059e991ced4108238aefb4b1d1cfff5e7a4ffe0c8a1f"
			    "1c776c383b6ac0540a09") &&
		      kb[40] == 0xee,
	      "key block AES-128-GCM");
	/* -keylen 88, same (ChaCha20-Poly1305: 2 keys of 32, 2 IVs of 12, RFC 7905 2) */
	CHECK(wt_ks12_key_block(WT_SHA256, ms256, cr, sr, 32, 12, kb) == 0 &&
		      eqhex(kb, 88,
			    "1545b604f8fb7510059e991ced4108238aefb4b1d1cfff5e7a4ffe0c8a1f"
			    "1c776c383b6ac0540a09"
			    "291556b6a54df987e5a2cbe0dcc98f05df927672e135715ea90c8f919a17"
			    "6015775bbd18e1709319d33d214077467f02"),
	      "key block ChaCha20-Poly1305");
	/* -keylen 72 -kdfopt digest:SHA384 -kdfopt hexsecret:EMS384 -kdfopt hexseed:<"key expansion">SR CR
	 * (AES-256-GCM: 2 keys of 32, 2 implicit nonces of 4) */
	memset(kb, 0xee, sizeof kb);
	CHECK(wt_ks12_key_block(WT_SHA384, ms384, cr, sr, 32, 4, kb) == 0 &&
		      eqhex(kb, 72,
			    "bad4f767e31dbfa7362abdac162b60c6804736971bb92264e5b45a3a0c00"
			    "99ca90bc284dfa4359b1"
			    "41abc411416870b5b386a95a49c564d2d83b1f45c221f90cb78eb0d904cf"
			    "bf85") &&
		      kb[72] == 0xee,
	      "key block AES-256-GCM (SHA-384 PRF)");
	free(ms256);
	free(ms384);
	free(cr);
	free(sr);
}

static void t_finished(void)
{
	size_t l;
	uint8_t vd[12];
	uint8_t *ms256 = unhex(EMS256, &l), *ms384 = unhex(EMS384, &l),
		*th = unhex(SH48, &l);
	/* -keylen 12 -kdfopt digest:SHA256 -kdfopt hexsecret:EMS256 -kdfopt hexseed:<"client finished">SH32 */
	CHECK(wt_ks12_finished(WT_SHA256, ms256, 1, th, vd) == 0 &&
		      eqhex(vd, 12, "aa7b8532a143473e58d7d171"),
	      "client verify_data sha256");
	/* ... <"server finished">SH32 */
	CHECK(wt_ks12_finished(WT_SHA256, ms256, 0, th, vd) == 0 &&
		      eqhex(vd, 12, "f24530f0521559a026a4a452"),
	      "server verify_data sha256");
	/* -keylen 12 -kdfopt digest:SHA384 -kdfopt hexsecret:EMS384 -kdfopt hexseed:<"client finished">SH48 */
	CHECK(wt_ks12_finished(WT_SHA384, ms384, 1, th, vd) == 0 &&
		      eqhex(vd, 12, "58a526018869c2e03b60331d"),
	      "client verify_data sha384");
	/* ... <"server finished">SH48 */
	CHECK(wt_ks12_finished(WT_SHA384, ms384, 0, th, vd) == 0 &&
		      eqhex(vd, 12, "867ea9f0fe7cecc5b7b08546"),
	      "server verify_data sha384");
	free(ms256);
	free(ms384);
	free(th);
}

int main(void)
{
	t_prf();
	t_master();
	t_key_block();
	t_finished();
	return t_done();
}
