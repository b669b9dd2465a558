/*
 * tls_testlib.h: an in-memory client <-> server pair for the TLS tests
 * (rustls' do_handshake / transfer, s2n's io pair): each side's outgoing
 * ciphertext is copied into the other's incoming side, as far as there
 * is room, both bounded.
 *
 * Test key material: an Ed25519 key and self-signed certificate made once
 * with
 *   openssl genpkey -algorithm ed25519 -outform DER -out ed.key
 *   openssl req -x509 -new -key ed.key -keyform DER -subj /CN=wasmtls-test \
 *     -days 36500 -outform DER -out ed.crt
 * and typed in below as hex.
 */
#ifndef WT_TLS_TESTLIB_H
#define WT_TLS_TESTLIB_H

#include "wt_tls.h"
#include "wt_pk.h"
#include "testutil.h"

static const char ED_KEY_HEX[] =
	"302e020100300506032b65700422042083cb4ccd858ccd8f959c25aa407b5d2e"
	"2cd127baed7024d5a7119784520b9c83";
static const char ED_CRT_HEX[] =
	"308201443081f7a0030201020214200b0f3c2dcfe4250a1d6e257b3cea68e04f"
	"fc91300506032b657030173115301306035504030c0c7761736d746c732d7465"
	"73743020170d3236313132373231343435325a180f3231323631313033323134"
	"3435325a30173115301306035504030c0c7761736d746c732d74657374302a30"
	"0506032b65700321009976fb60f17c31c86194e4454a18dad684f766f9c34d53"
	"be7e77b1ed003ff857a3533051301d0603551d0e04160414fcbb6681782e52ed"
	"298e842e4383064e633dc243301f0603551d23041830168014fcbb6681782e52"
	"ed298e842e4383064e633dc243300f0603551d130101ff040530030101ff3005"
	"06032b6570034100fc5e33ed2a1d2e8fee63cbd6932530cf835a2584326dd8ba"
	"19a903f5b0a0cfcd67d7e1331985991c728f23d6c400174ba3bd184450f7c1ca"
	"9a7207227836840a";

/* ECDSA P-256 (PKCS#8) made the same way with
 *   openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 ... */
static const char P256_KEY_HEX[] =
	"30770201010420957263997bc51f9054abca3ee267ad107b56d0a2c06dae9edc"
	"65f7dbe1d15851a00a06082a8648ce3d030107a14403420004f6df6068aa6073"
	"f65a6026485b30928ef76282b53127f52cabe354876f4a7b29716941ef8637e3"
	"670319696ddbf0edd2930d1406f518a851f909e5fd50fa5dfe";
static const char P256_CRT_HEX[] =
	"3082018f30820135a00302010202143229765286bba1585ccdf9d91c93ef2c7c"
	"c5947f300a06082a8648ce3d040302301c311a301806035504030c117761736d"
	"746c732d746573742d703235363020170d3236313132373231343931325a180f"
	"32313236313130333231343931325a301c311a301806035504030c117761736d"
	"746c732d746573742d703235363059301306072a8648ce3d020106082a8648ce"
	"3d03010703420004f6df6068aa6073f65a6026485b30928ef76282b53127f52c"
	"abe354876f4a7b29716941ef8637e3670319696ddbf0edd2930d1406f518a851"
	"f909e5fd50fa5dfea3533051301d0603551d0e04160414de353edfc34a358c4c"
	"b0d07d60d412caccc507f6301f0603551d23041830168014de353edfc34a358c"
	"4cb0d07d60d412caccc507f6300f0603551d130101ff040530030101ff300a06"
	"082a8648ce3d04030203480030450220013c17a8d50fc439c6d3157e0e281dac"
	"875d2432f26cac030b50563df18efec2022100835c048faa21be71044457ccc6"
	"e4e8b62c6838c8b973eb23517bd8f5440c6091";

/* ECDSA P-384 (SEC 1) and RSA 2048 (PKCS#8), made the same way with
 *   openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 \
 *     -outform DER -out p384.key
 *   openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
 *     -outform DER -out rsa.key
 *   openssl req -x509 -new -key K -keyform DER -subj /CN=wasmtls-test-p384 \
 *     (or -rsa) -days 36500 -outform DER -out C
 * (OpenSSL 3.0.22). */
static const char P384_KEY_HEX[] =
	"3081a40201010430f45c7812970ecbe78852e444f3ba73ab32340399c209f71f"
	"0faa12f9f90c4530833b5f71c4eba5f9fc9274d360e300eaa00706052b810400"
	"22a16403620004bbba1605a6e31a04b4cd32236d5bf369a9525c647ff84bebe2"
	"db40d302fbc34b4a393e2176ed197e7b3d62396855a4be613829b5cdd9fdd135"
	"6fa9e294613b0bea23b31beaafa9b7cd1d3613ce1edc51f9823dfcb99ddf7bdd"
	"b78821f1c66e72";
static const char P384_CRT_HEX[] =
	"308201cb30820152a003020102021422388a7b9da4366055a6a198c9c270a20b"
	"559853300a06082a8648ce3d040302301c311a301806035504030c117761736d"
	"746c732d746573742d703338343020170d3236313132373232343630355a180f"
	"32313236313130333232343630355a301c311a301806035504030c117761736d"
	"746c732d746573742d703338343076301006072a8648ce3d020106052b810400"
	"2203620004bbba1605a6e31a04b4cd32236d5bf369a9525c647ff84bebe2db40"
	"d302fbc34b4a393e2176ed197e7b3d62396855a4be613829b5cdd9fdd1356fa9"
	"e294613b0bea23b31beaafa9b7cd1d3613ce1edc51f9823dfcb99ddf7bddb788"
	"21f1c66e72a3533051301d0603551d0e0416041468d858ca7a2dcf13a039b7b7"
	"059b9b5d2408dce9301f0603551d2304183016801468d858ca7a2dcf13a039b7"
	"b7059b9b5d2408dce9300f0603551d130101ff040530030101ff300a06082a86"
	"48ce3d040302036700306402301e8237494c6da24772c9fed9bcb1d9973211df"
	"d030c1e62b1104f2e20cef38640cb424e149ab51dbb64b1501e608c70b023057"
	"e3d3c4b0ecec9e846d31cd93ec72d559e500f4bc5df1b5922e2e6968f1a24479"
	"f36f56aec11d3d165fb0bf9df351b1";
static const char RSA_KEY_HEX[] =
	"308204a30201000282010100b45835b198566c0d2635f2871b042e79697d11cc"
	"7955540d770d1376c20a4f576baf2c2b74280e1556899c04867bf8365db28931"
	"b5f321b8f83de70620712a1c5d2c8a9b6c22537309e9827dd3f4f07e7dd2d419"
	"083f76f800756a679650cff63d2c9bc261e25c04d37871a04079a0ac3efab62f"
	"8f7e134cae85e441b0a054c23f38400485b9913326b59592fb766708847c60af"
	"2e65130847f5276d552c6a7b62dce9adcebb6d650f568b3254f09de994bb26ef"
	"0da170070a644cad687c7f2a3bf942495942bddf95b3fdf8ae436fe3c42a692b"
	"0302e07b7ebca52c00ee5f5fa0e9f0a3caca4345145229e7f1856ea5ea629031"
	"57d3ec645f8fff71887cd6490203010001028201002f46fa987a8b995adf1c00"
	"5edbbdbe6334bcc55839ac9d52c45568b756c9f61fc04a954534f7b52d71d8b4"
	"4e5965115e4b34dd136b93f7d0b23f241bae908c0e107cf73f245b614e0498b3"
	"0d426df147efbb3fbfea321d0189b93e3236ad2bbf6d2d0f0e27b3fc1485cd8a"
	"d80c5ef63881701f279bb1dce45ad21dd2fcb72350b1215dfa31c309a5adbc48"
	"ac934d451c6b851442ec0bce774c5202576db23ec12a95f2bb831887db8cbdb6"
	"853b0773c350b7b2ce1d6fc63f6ad62ac5c5c13211aadcaf108e838d4152f524"
	"0c69e874758281e005ee410f6cafa4d9973bcac1e128ee5d1ea83e08e39f902d"
	"f567e6ae370bc2cf1d47999712895e91a92c24967b02818100f692286944d525"
	"8c4f06fa0d0f1cf91e35af20a394f53f7fb052402ca77a5c75091781f251964a"
	"ffb329f80fd09940cf362e8dea509c8f90420b4052774bce3835204544f80c30"
	"2caab0811b9756ea92e4d5f55d50de0026c699cd0dae090e84cf3ac55f24ac1d"
	"86e631c12faa1f98af73c5739c66e673dce328c4d4a21938b702818100bb3db8"
	"213e62b08e6fe28b81cf9f8d8dcb9fcc92af0a0ff809864c97b8498ae87e01f8"
	"b18f65cdc076001b7fa70ac52a3767b41697d7fa7ffd6c2dd493511a47a776aa"
	"f0e190bc47b28e43b80e02026a1f39b676dbc10fd67ec2c10d1215ef19bb7792"
	"f6129393c4448e11dece78779fa347cccf5ee56649fc0a52bbbf4568ff028180"
	"560a5889ab58497af594b4aadbec3b4dfc63b91afbfebc82bd2f666f6e9db727"
	"abdd851ddeb4784553eac0421c836de720bc0c0f88c3a92128baae5e587c9e60"
	"64c1770a831815b370789904dcc19aa759ad03aae56e2255659603c4d3471bc6"
	"e25d5ac44192c1d6f1fac8b3ee448a4e2732ee8dd42674a5ceaaca4c7ca81a6f"
	"0281800d56e7504efe7eef96deffeb5e9c525c60be60b7ae8abbfa82cb3397b7"
	"845dc6147c1578a8ebaacde45a3b9b4b8e43dfaf14cf4ab0c4ad4f0301fafde3"
	"04eb2761b1dd99cda81f11c891c4174fc02ae5de95a0ff34c6bb571faec64c25"
	"16b4f3135d0076517a7c138682cc9920028b1b2f69c5189cfd20dd727c55ca94"
	"64e08702818100a463bb7eeb53851ab27c6f04338e125316266b233614174757"
	"b073c6fd155ad79708e5fdaa5e64f7ef7884a3039448da99563b581afea50765"
	"bebf423f1146a60e4a1215ff610f453931a2914aa9cf7094091cf5bc47aa24f2"
	"69d95b04f29d6dfc5d8ad218543c14a387a7e8fbe9618cc688cd416d90c75853"
	"9a27102f32b827";
static const char RSA_CRT_HEX[] =
	"3082031930820201a00302010202144a89914afd9aee3797a77de5282faa167c"
	"da5d4f300d06092a864886f70d01010b0500301b3119301706035504030c1077"
	"61736d746c732d746573742d7273613020170d3236313132373232343630355a"
	"180f32313236313130333232343630355a301b3119301706035504030c107761"
	"736d746c732d746573742d72736130820122300d06092a864886f70d01010105"
	"000382010f003082010a0282010100b45835b198566c0d2635f2871b042e7969"
	"7d11cc7955540d770d1376c20a4f576baf2c2b74280e1556899c04867bf8365d"
	"b28931b5f321b8f83de70620712a1c5d2c8a9b6c22537309e9827dd3f4f07e7d"
	"d2d419083f76f800756a679650cff63d2c9bc261e25c04d37871a04079a0ac3e"
	"fab62f8f7e134cae85e441b0a054c23f38400485b9913326b59592fb76670884"
	"7c60af2e65130847f5276d552c6a7b62dce9adcebb6d650f568b3254f09de994"
	"bb26ef0da170070a644cad687c7f2a3bf942495942bddf95b3fdf8ae436fe3c4"
	"2a692b0302e07b7ebca52c00ee5f5fa0e9f0a3caca4345145229e7f1856ea5ea"
	"62903157d3ec645f8fff71887cd6490203010001a3533051301d0603551d0e04"
	"1604148f42ba8abdaad0cb1ac7c6036bae783d502cc200301f0603551d230418"
	"301680148f42ba8abdaad0cb1ac7c6036bae783d502cc200300f0603551d1301"
	"01ff040530030101ff300d06092a864886f70d01010b0500038201010012da50"
	"0e7bd25acf22fe10d7ae526ea94c317d099bf4853703776377655074a75739c5"
	"93cac1a9e582b893a351c11f078a657fa172b5f8ec0a0ce9bf87df30431fe830"
	"7f95bea8ae399d5ba2a6862fa0ab524c0da49feeb9d1f0415c59538ee7c690b3"
	"629dcefedf0a38deff28437d290d43e68c33edd12e79d6b66381952c0b294a92"
	"14e080c3057ef2bb2e15342b7b916b66f071f65c56831ef0a565787001538500"
	"e1c91f2bb5edb1b9b1d403895bc8b448c96a0818507028c01fb5becfd3177d1f"
	"00ec078bf0b2b23fb84b328e81bfa617b319deca4a53cb6946a1bb17dcec5545"
	"099f8e1e37769574bc3dbbde837dead37d5e0f5452ccd6b400ad776f09";

/* Test identities by key type. */
enum { TK_ED25519, TK_P256, TK_P384, TK_RSA, TK_N };
static const char *const TK_NAME[TK_N] = { "Ed25519", "ECDSA P-256", "ECDSA P-384",
					   "RSA 2048" };
/* The scheme a peer holding this key signs with when offered all. */
static const uint16_t TK_SIG[TK_N] = { WT_SIG_ED25519, WT_SIG_ECDSA_SECP256R1_SHA256,
				       WT_SIG_ECDSA_SECP384R1_SHA384,
				       WT_SIG_RSA_PSS_RSAE_SHA256 };
static uint8_t *tk_key[TK_N], *tk_crt[TK_N];
static size_t tk_keylen[TK_N], tk_crtlen[TK_N];

/* Install test identity `kind` (certificate and key) on a ctx. The
 * decoded buffers live for the whole run (the ctx keeps the chain by
 * reference). 0 or the ctx setter's error. */
static inline int tp_use_cert(wt_tls_ctx *ctx, int kind)
{
	static const char *const K[TK_N] = { ED_KEY_HEX, P256_KEY_HEX, P384_KEY_HEX,
					     RSA_KEY_HEX };
	static const char *const C[TK_N] = { ED_CRT_HEX, P256_CRT_HEX, P384_CRT_HEX,
					     RSA_CRT_HEX };
	int r;
	if (!tk_key[kind]) {
		tk_key[kind] = unhex(K[kind], &tk_keylen[kind]);
		tk_crt[kind] = unhex(C[kind], &tk_crtlen[kind]);
	}
	r = wt_tls_ctx_set_chain(ctx, tk_crt[kind], tk_crtlen[kind]);
	return r ? r : wt_tls_ctx_set_key(ctx, tk_key[kind], tk_keylen[kind]);
}

typedef struct {
	wt_tls_ctx *cctx, *sctx;
	wt_tls_conn *c, *s;
	uint8_t *ca, *sa;
	uint8_t *key, *crt;
	size_t keylen, crtlen;
} tpair;

/* Contexts with the test certificate on the server (and client, for
 * client-auth tests) and the insecure-for-tests verification policy. */
static inline void tp_ctx(tpair *p)
{
	p->c = p->s = NULL;
	p->cctx = calloc(1, wt_tls_ctx_size());
	p->sctx = calloc(1, wt_tls_ctx_size());
	wt_tls_ctx_init(p->cctx);
	wt_tls_ctx_init(p->sctx);
	p->key = unhex(ED_KEY_HEX, &p->keylen);
	p->crt = unhex(ED_CRT_HEX, &p->crtlen);
	if (wt_tls_ctx_set_chain(p->sctx, p->crt, p->crtlen) ||
	    wt_tls_ctx_set_key(p->sctx, p->key, p->keylen))
		fprintf(stderr, "test key setup failed\n");
	wt_tls_ctx_set_verify(p->cctx, WT_TLS_VERIFY_INSECURE_NO_CHAIN, 0);
	/* WT_TEST_TLS12=1: both sides TLS 1.2 only, so a test of the SSL
	 * object's rules (test_tls_write ...) runs them over TLS 1.2 records
	 * too (test/native.test.ts runs those binaries both ways). */
	if (getenv("WT_TEST_TLS12") && strcmp(getenv("WT_TEST_TLS12"), "1") == 0) {
		wt_tls_ctx_set_versions(p->cctx, WT_TLS_VERSION_12, WT_TLS_VERSION_12);
		wt_tls_ctx_set_versions(p->sctx, WT_TLS_VERSION_12, WT_TLS_VERSION_12);
	}
}

static inline void tp_conns(tpair *p)
{
	size_t ca = wt_tls_conn_arena_size(p->cctx), sa = wt_tls_conn_arena_size(p->sctx);
	p->c = calloc(1, wt_tls_conn_size());
	p->s = calloc(1, wt_tls_conn_size());
	p->ca = malloc(ca);
	p->sa = malloc(sa);
	wt_tls_conn_init(p->c, p->cctx, p->ca, ca);
	wt_tls_conn_init(p->s, p->sctx, p->sa, sa);
	wt_tls_set_connect_state(p->c);
	wt_tls_set_accept_state(p->s);
}

static inline void tp_free_conns(tpair *p)
{
	wt_tls_conn_clear(p->c);
	wt_tls_conn_clear(p->s);
	free(p->c);
	free(p->s);
	free(p->ca);
	free(p->sa);
	p->c = p->s = NULL;
}

static inline void tp_free(tpair *p)
{
	if (p->c)
		tp_free_conns(p);
	wt_tls_ctx_clear(p->cctx);
	wt_tls_ctx_clear(p->sctx);
	free(p->cctx);
	free(p->sctx);
	free(p->key);
	free(p->crt);
}

/* Move up to max bytes (0 = all that fit) from a's out to b's in. */
static inline size_t tp_move(wt_tls_conn *a, wt_tls_conn *b, size_t max)
{
	size_t n, room, total = 0;
	for (;;) {
		uint8_t *src = wt_tls_net_out_buf(a, &n), *dst;
		if (n == 0)
			break;
		dst = wt_tls_net_in_buf(b, &room);
		if (room == 0)
			break;
		if (n > room)
			n = room;
		if (max && n > max - total)
			n = max - total;
		if (n == 0)
			break;
		memcpy(dst, src, n);
		wt_tls_net_in_ack(b, n);
		wt_tls_net_out_ack(a, n);
		total += n;
	}
	return total;
}

/* Drive both handshakes; 1 when both completed. frag: bytes per move
 * (0 = all), to exercise fragmentation. */
static inline int tp_handshake_frag(tpair *p, size_t frag)
{
	int i, rc = 0, rs = 0;
	for (i = 0; i < 100000; i++) {
		if (rc != 1)
			rc = wt_tls_do_handshake(p->c);
		if (rs != 1)
			rs = wt_tls_do_handshake(p->s);
		if (rc == 1 && rs == 1 && !wt_tls_net_out_pending(p->c) &&
		    !wt_tls_net_out_pending(p->s))
			return 1;
		if ((rc != 1 && wt_tls_get_error(p->c, rc) == WT_TLS_ERROR_SSL) ||
		    (rs != 1 && wt_tls_get_error(p->s, rs) == WT_TLS_ERROR_SSL)) {
			tp_move(p->c, p->s, 0);
			tp_move(p->s, p->c, 0);
			return 0;
		}
		if (!tp_move(p->c, p->s, frag) && !tp_move(p->s, p->c, frag) && rc != 0 &&
		    rs != 0 && i > 3) {
			/* no progress possible */
		}
	}
	return 0;
}
static inline int tp_handshake(tpair *p)
{
	return tp_handshake_frag(p, 0);
}

#endif
