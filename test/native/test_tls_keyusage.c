/*
 * test_tls_keyusage.c: the peer's leaf must allow signing whatever the
 * verify policy (RFC 8446 4.4.2.2: "the digitalSignature bit MUST be set
 * if the Key Usage extension is present"; 4.4.2.4 for a client's
 * certificate; RFC 5280 4.2.1.3). With WT_TLS_VERIFY_CHAIN the validator
 * enforces it; under EXTERNAL and INSECURE_NO_CHAIN the handshake itself
 * must (BoGo ECDSAKeyUsage-Client/Server-TLS13,
 * RSAKeyUsage-*-WantSignature-GotEncipherment-TLS13 /
 * -GotSignature-TLS13). Refused with unsupported_certificate, the alert
 * the validator sends for the same defect.
 *
 * The certificates are self-signed leaves made with OpenSSL 3.0 for the
 * P-256 and RSA-2048 test keys of tls_testlib.h:
 *   openssl req -new -key k.pem -subj /CN=ku.test -out k.csr
 *   openssl x509 -req -in k.csr -signkey k.pem -days 36500 -set_serial 7
 *     -extfile ext -outform DER
 * with ext = basicConstraints=critical,CA:FALSE, subjectAltName=DNS:ku.test
 * and the keyUsage named beside each.
 */
#include "tls_mitm.h"

#define SENT(a) (uint32_t)(WT_TLS_ERR_SEND_ALERT + (a))
#define RECV(a) (uint32_t)(WT_TLS_ERR_RECV_ALERT + (a))

/* keyUsage=critical,keyAgreement (P-256) */
static const char P256_AGREE_HEX[] =
	"308201683082010ea003020102020107300a06082a8648ce3d04030230123110"
	"300e06035504030c076b752e746573743020170d323631323037303332383034"
	"5a180f32313236313131333033323830345a30123110300e06035504030c076b"
	"752e746573743059301306072a8648ce3d020106082a8648ce3d030107034200"
	"04f6df6068aa6073f65a6026485b30928ef76282b53127f52cabe354876f4a7b"
	"29716941ef8637e3670319696ddbf0edd2930d1406f518a851f909e5fd50fa5d"
	"fea3533051300c0603551d130101ff04023000300e0603551d0f0101ff040403"
	"02030830120603551d11040b300982076b752e74657374301d0603551d0e0416"
	"0414de353edfc34a358c4cb0d07d60d412caccc507f6300a06082a8648ce3d04"
	"0302034800304502204588f9baf21de28eec27e016f82c047346f352c3a49e2f"
	"2b928de3b2202340e40221009cb96cc4635adde85030eb321ac40c74f78cf60b"
	"fda9262849a5e212d7c121fb";
/* keyUsage=critical,digitalSignature (P-256) */
static const char P256_SIGN_HEX[] =
	"308201673082010ea003020102020107300a06082a8648ce3d04030230123110"
	"300e06035504030c076b752e746573743020170d323631323037303332383034"
	"5a180f32313236313131333033323830345a30123110300e06035504030c076b"
	"752e746573743059301306072a8648ce3d020106082a8648ce3d030107034200"
	"04f6df6068aa6073f65a6026485b30928ef76282b53127f52cabe354876f4a7b"
	"29716941ef8637e3670319696ddbf0edd2930d1406f518a851f909e5fd50fa5d"
	"fea3533051300c0603551d130101ff04023000300e0603551d0f0101ff040403"
	"02078030120603551d11040b300982076b752e74657374301d0603551d0e0416"
	"0414de353edfc34a358c4cb0d07d60d412caccc507f6300a06082a8648ce3d04"
	"03020347003044022063ff69766c2355533f4a18e110c67f1812eab8adf0ba79"
	"efdae77134d735ffb502207f1f8226a2c4bd722bcb55bfa1e2d92e00bb2f2dc8"
	"808c726b05a1599d59e4e6";
/* keyUsage=critical,keyEncipherment (RSA-2048) */
static const char RSA_ENCIPHER_HEX[] =
	"308202f4308201dca003020102020107300d06092a864886f70d01010b050030"
	"123110300e06035504030c076b752e746573743020170d323631323037303332"
	"3830345a180f32313236313131333033323830345a30123110300e0603550403"
	"0c076b752e7465737430820122300d06092a864886f70d01010105000382010f"
	"003082010a0282010100b45835b198566c0d2635f2871b042e79697d11cc7955"
	"540d770d1376c20a4f576baf2c2b74280e1556899c04867bf8365db28931b5f3"
	"21b8f83de70620712a1c5d2c8a9b6c22537309e9827dd3f4f07e7dd2d419083f"
	"76f800756a679650cff63d2c9bc261e25c04d37871a04079a0ac3efab62f8f7e"
	"134cae85e441b0a054c23f38400485b9913326b59592fb766708847c60af2e65"
	"130847f5276d552c6a7b62dce9adcebb6d650f568b3254f09de994bb26ef0da1"
	"70070a644cad687c7f2a3bf942495942bddf95b3fdf8ae436fe3c42a692b0302"
	"e07b7ebca52c00ee5f5fa0e9f0a3caca4345145229e7f1856ea5ea62903157d3"
	"ec645f8fff71887cd6490203010001a3533051300c0603551d130101ff040230"
	"00300e0603551d0f0101ff04040302052030120603551d11040b300982076b75"
	"2e74657374301d0603551d0e041604148f42ba8abdaad0cb1ac7c6036bae783d"
	"502cc200300d06092a864886f70d01010b05000382010100992716b3785a1ee6"
	"cb0bbffe50ae6c6f3c4ce16ea86aee1c4e6476816ed0069c7a2fbf53d4613088"
	"ea67da82a43da4b332445e15f018f22f6a4dd3962093095526f944716db5f9e2"
	"67df44e8c5b70b155a1135946c3f5dd2f6af24bd154da85ac4e3c5441ead822f"
	"6b3427bb517985f0fe6e8b223da5f2bb5a4f2c65ac5ffb5e95e91db6c9c54a0f"
	"1074fb04dfe0ea93d58a71a5d83edc1fbffb9f0714ffc757359f721a5c1074aa"
	"9f04425e6ebf4f52d13471a061beaaecbafa9e0d5fcf9575e4334cedecd1f914"
	"4e0f6e8e5a21a373c2431e9d50f6784b94aea04873e9762f5cb14e4754ffa8bd"
	"621887b6e8e808cd7c9761d568319720afcfa7d291c98ffd";
/* keyUsage=critical,digitalSignature,keyEncipherment (RSA-2048) */
static const char RSA_SIGN_HEX[] =
	"308202f4308201dca003020102020107300d06092a864886f70d01010b050030"
	"123110300e06035504030c076b752e746573743020170d323631323037303332"
	"3830345a180f32313236313131333033323830345a30123110300e0603550403"
	"0c076b752e7465737430820122300d06092a864886f70d01010105000382010f"
	"003082010a0282010100b45835b198566c0d2635f2871b042e79697d11cc7955"
	"540d770d1376c20a4f576baf2c2b74280e1556899c04867bf8365db28931b5f3"
	"21b8f83de70620712a1c5d2c8a9b6c22537309e9827dd3f4f07e7dd2d419083f"
	"76f800756a679650cff63d2c9bc261e25c04d37871a04079a0ac3efab62f8f7e"
	"134cae85e441b0a054c23f38400485b9913326b59592fb766708847c60af2e65"
	"130847f5276d552c6a7b62dce9adcebb6d650f568b3254f09de994bb26ef0da1"
	"70070a644cad687c7f2a3bf942495942bddf95b3fdf8ae436fe3c42a692b0302"
	"e07b7ebca52c00ee5f5fa0e9f0a3caca4345145229e7f1856ea5ea62903157d3"
	"ec645f8fff71887cd6490203010001a3533051300c0603551d130101ff040230"
	"00300e0603551d0f0101ff0404030205a030120603551d11040b300982076b75"
	"2e74657374301d0603551d0e041604148f42ba8abdaad0cb1ac7c6036bae783d"
	"502cc200300d06092a864886f70d01010b0500038201010031ddef60dcd5b509"
	"551f1dad7c8f2bc297a10dc462b79d49466b1562f43d8d6d5f60f49ed0b9e924"
	"caf100e83ca7dce080c865c649a109bb9ab9dc535fbcb4e186f6845b86746474"
	"8c33c888f6317f44d5f91b47028a3889870cb211b0f68b895afb499743c1721d"
	"ae9fd7296e2b7ba2872ae258e161758bad5c7fbfbe32336ef98a7bd00493c5a7"
	"c14a29a1c5185dd1d4d56d8809862624913faa33438578630f55e7862790560d"
	"7ae7c7cf0b11ef0a896a486eb672fcae3f5e7940fc3de4eaaa8f318badb1ce22"
	"16f78a01112abb0200ef1a6fd4cc25976fc3751b2be3a4d570f33d4ee025c754"
	"bb2d315192bd034ee3068bed99bac70d726bd81f3a6e51bf";

/* Drive both sides, answering a WANT_RETRY_VERIFY with "accept" (the
 * host's verdict is not what is tested). 1 both done, 0 a failure. */
static int handshake_accepting(tpair *p)
{
	int i, rc = 0, rs = 0;
	for (i = 0; i < 200; i++) {
		if (rc != 1)
			rc = wt_tls_do_handshake(p->c);
		if (rs != 1)
			rs = wt_tls_do_handshake(p->s);
		if (rc != 1 &&
		    wt_tls_get_error(p->c, rc) == WT_TLS_ERROR_WANT_RETRY_VERIFY)
			wt_tls_set_verify_result(p->c, 0);
		if (rs != 1 &&
		    wt_tls_get_error(p->s, rs) == WT_TLS_ERROR_WANT_RETRY_VERIFY)
			wt_tls_set_verify_result(p->s, 0);
		tp_move(p->c, p->s, 0);
		tp_move(p->s, p->c, 0);
		if (rc == 1 && rs == 1 && !wt_tls_net_out_pending(p->c) &&
		    !wt_tls_net_out_pending(p->s))
			return 1;
		if (wt_tls_error_code(p->c) || wt_tls_error_code(p->s)) {
			/* let the alert reach the other side */
			(void)t_poke(p->c);
			(void)t_poke(p->s);
			tp_move(p->c, p->s, 0);
			tp_move(p->s, p->c, 0);
			(void)t_poke(p->c);
			(void)t_poke(p->s);
			return 0;
		}
	}
	return 0;
}

/* The leaf cert_hex with key key_hex presented by the server (client=0)
 * or the client (client=1, the server requiring one) to a peer verifying
 * with policy. 1 handshake done; 0 the verifier refused it with
 * unsupported_certificate and WT_TLS_R_KEY_USAGE, the presenter told;
 * -1 anything else. */
static int present(const char *cert_hex, const char *key_hex, int client, uint32_t policy)
{
	tpair p;
	size_t cl, kl;
	uint8_t *crt = unhex(cert_hex, &cl), *key = unhex(key_hex, &kl);
	wt_tls_ctx *own;
	wt_tls_conn *v, *o;
	int r;
	tp_ctx(&p);
	own = client ? p.cctx : p.sctx;
	CHECK(wt_tls_ctx_set_chain(own, crt, cl) == 0 &&
		      wt_tls_ctx_set_key(own, key, kl) == 0,
	      "test certificate and key accepted");
	wt_tls_ctx_set_verify(p.cctx, client ? WT_TLS_VERIFY_INSECURE_NO_CHAIN : policy,
			      0);
	if (client)
		wt_tls_ctx_set_verify(p.sctx, policy, WT_TLS_CLIENT_CERT_REQUIRE);
	tp_conns(&p);
	r = handshake_accepting(&p);
	v = client ? p.s : p.c;
	o = client ? p.c : p.s;
	if (r == 0)
		r = wt_tls_error_code(v) == SENT(WT_ALERT_UNSUPPORTED_CERTIFICATE) &&
				wt_tls_reason(v) == WT_TLS_R_KEY_USAGE &&
				wt_tls_error_code(o) ==
					RECV(WT_ALERT_UNSUPPORTED_CERTIFICATE) ?
			0 :
			-1;
	tp_free(&p);
	free(crt);
	free(key);
	return r;
}

int main(void)
{
	static const struct {
		uint32_t v;
		const char *name;
	} pol[] = {
		{ WT_TLS_VERIFY_INSECURE_NO_CHAIN, "insecure-no-chain" },
		{ WT_TLS_VERIFY_EXTERNAL, "external" },
	};
	int i, client;
	for (client = 0; client < 2; client++) {
		const char *who =
			client ? "server checks client" : "client checks server";
		for (i = 0; i < 2; i++) {
			CHECK(present(P256_AGREE_HEX, P256_KEY_HEX, client, pol[i].v) ==
				      0,
			      "%s, %s: ECDSA leaf with keyUsage keyAgreement only: "
			      "unsupported_certificate",
			      who, pol[i].name);
			CHECK(present(RSA_ENCIPHER_HEX, RSA_KEY_HEX, client, pol[i].v) ==
				      0,
			      "%s, %s: RSA leaf with keyUsage keyEncipherment only: "
			      "unsupported_certificate",
			      who, pol[i].name);
			CHECK(present(P256_SIGN_HEX, P256_KEY_HEX, client, pol[i].v) == 1,
			      "%s, %s: ECDSA leaf with digitalSignature: accepted", who,
			      pol[i].name);
			CHECK(present(RSA_SIGN_HEX, RSA_KEY_HEX, client, pol[i].v) == 1,
			      "%s, %s: RSA leaf with digitalSignature, keyEncipherment: "
			      "accepted",
			      who, pol[i].name);
		}
	}
	return t_done();
}
