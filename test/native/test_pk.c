/*
 * test_pk.c: key exchange and signatures by TLS codepoint (crypto-src/pk):
 * key parsing in every supported form, signatures made by OpenSSL verified
 * here (pk_keys.h), our signatures verified back and tampered, scheme/key
 * mismatches, and every group's exchange agreeing between client and
 * server, with invalid shares refused.
 */
#include "wt_pk.h"
#include "wt_mlkem.h"
#include "wt_hash.h"
#include "testutil.h"
#include "pk_keys.h"

static uint8_t *H(const char *hex, size_t *len)
{
	return unhex(hex, len);
}

static void spki_and_private(const char *spki_hex, const char *priv_hex, uint32_t type,
			     uint32_t bits, const char *sig_hex, uint32_t scheme,
			     const char *what)
{
	size_t sl, pl, gl, siglen;
	uint8_t *spki = H(spki_hex, &sl), *priv = H(priv_hex, &pl);
	uint8_t *osig = H(sig_hex, &gl);
	uint8_t sig[WT_SIG_MAX];
	static wt_pubkey pk;
	static wt_privkey sk;
	CHECK(wt_pubkey_from_spki(&pk, spki, sl) == WT_PK_OK && pk.type == type &&
		      pk.bits == bits,
	      "%s: SPKI parses (type %u bits %u)", what, pk.type, pk.bits);
	CHECK(wt_privkey_from_der(&sk, priv, pl) == WT_PK_OK && sk.type == type &&
		      sk.bits == bits,
	      "%s: private key parses", what);
	/* OpenSSL's signature over MSG verifies. */
	CHECK(wt_sig_verify(&pk, scheme, (const uint8_t *)MSG, strlen(MSG), osig, gl) ==
		      WT_PK_OK,
	      "%s: OpenSSL's signature verifies", what);
	/* Ours verifies, and a flipped bit or another message does not. */
	CHECK(wt_sig_sign(&sk, scheme, (const uint8_t *)MSG, strlen(MSG), sig, &siglen) ==
			      WT_PK_OK &&
		      siglen > 0,
	      "%s: sign", what);
	CHECK(wt_sig_verify(&pk, scheme, (const uint8_t *)MSG, strlen(MSG), sig,
			    siglen) == WT_PK_OK,
	      "%s: our signature verifies", what);
	sig[siglen / 2] ^= 0x10;
	CHECK(wt_sig_verify(&pk, scheme, (const uint8_t *)MSG, strlen(MSG), sig,
			    siglen) == WT_PK_ERR_SIG,
	      "%s: tampered signature refused", what);
	CHECK(wt_sig_verify(&pk, scheme, (const uint8_t *)MSG, strlen(MSG) - 1, osig,
			    gl) == WT_PK_ERR_SIG,
	      "%s: other message refused", what);
	CHECK(wt_sig_scheme_fits(scheme, type, bits) == 1, "%s: scheme fits", what);
	/* Ed25519 never fits another key type, and vice versa. */
	if (type != WT_KEY_ED25519) {
		CHECK(wt_sig_verify(&pk, WT_SIG_ED25519, (const uint8_t *)MSG, 1, osig,
				    64) == WT_PK_ERR_MISMATCH,
		      "%s: scheme of another key type refused", what);
		CHECK(wt_sig_scheme_fits(WT_SIG_ED25519, type, bits) == 0,
		      "%s: Ed25519 does not fit", what);
	}
	/* Truncated SPKI / key never parse. */
	CHECK(wt_pubkey_from_spki(&pk, spki, sl - 1) != WT_PK_OK, "%s: truncated SPKI",
	      what);
	CHECK(wt_privkey_from_der(&sk, priv, pl - 1) != WT_PK_OK, "%s: truncated key",
	      what);
	free(spki);
	free(priv);
	free(osig);
}

/* id-RSASSA-PSS keys: which schemes fit them (RFC 8446 4.2.3, RFC 4055
 * 3.1), and the parameters TLS 1.3 cannot use. */
static void pss_keys(void)
{
	static wt_pubkey pk, rpk;
	static wt_privkey sk;
	static const uint32_t all[] = {
		WT_SIG_RSA_PSS_PSS_SHA256,  WT_SIG_RSA_PSS_PSS_SHA384,
		WT_SIG_RSA_PSS_PSS_SHA512,  WT_SIG_RSA_PSS_RSAE_SHA256,
		WT_SIG_RSA_PSS_RSAE_SHA384, WT_SIG_RSA_PSS_RSAE_SHA512,
		WT_SIG_RSA_PKCS1_SHA256,    WT_SIG_RSA_PKCS1_SHA384,
		WT_SIG_RSA_PKCS1_SHA512
	};
	uint8_t sig[WT_SIG_MAX];
	size_t sl, pl, kl, i, siglen;
	uint8_t *spki = H(PSS_SPKI_DER, &sl), *priv = H(PSS_P8_DER, &pl),
		*rspki = H(RSA_SPKI_DER, &kl);
	const char *why;

	/* Unrestricted (parameters absent): every pss_pss scheme, and no
	 * rsae or PKCS #1 v1.5 scheme, signs and verifies. */
	CHECK(wt_pubkey_from_spki(&pk, spki, sl) == WT_PK_OK && pk.pss_hash == 0,
	      "PSS SPKI unrestricted");
	CHECK(wt_privkey_from_der(&sk, priv, pl) == WT_PK_OK && sk.pss_hash == 0,
	      "PSS key unrestricted");
	CHECK(wt_pubkey_from_spki(&rpk, rspki, kl) == WT_PK_OK && rpk.type == WT_KEY_RSA,
	      "rsaEncryption SPKI");
	for (i = 0; i < sizeof all / sizeof all[0]; i++) {
		int pss = i < 3;
		int r = wt_sig_sign(&sk, all[i], (const uint8_t *)MSG, 5, sig, &siglen);
		CHECK(wt_sig_privkey_fits(all[i], &sk) == pss &&
			      wt_sig_pubkey_fits(all[i], &pk) == pss,
		      "PSS key: scheme %04x fits = %d", all[i], pss);
		CHECK(pss ? r == WT_PK_OK : r == WT_PK_ERR_MISMATCH,
		      "PSS key: sign %04x -> %d", all[i], r);
		if (pss)
			CHECK(wt_sig_verify(&pk, all[i], (const uint8_t *)MSG, 5, sig,
					    siglen) == WT_PK_OK,
			      "PSS key: %04x verifies", all[i]);
		/* ... and an rsaEncryption key fits exactly the others. */
		CHECK(wt_sig_pubkey_fits(all[i], &rpk) == (!pss),
		      "rsaEncryption key: %04x fits = %d", all[i], !pss);
	}
	CHECK(wt_sig_sign(&sk, WT_SIG_RSA_PSS_PSS_SHA256, (const uint8_t *)MSG, 5, sig,
			  &siglen) == WT_PK_OK,
	      "PSS sign");
	CHECK(wt_sig_verify(&pk, WT_SIG_RSA_PSS_RSAE_SHA256, (const uint8_t *)MSG, 5, sig,
			    siglen) == WT_PK_ERR_MISMATCH,
	      "PSS key: rsae verify refused");
	free(spki);
	free(priv);

	/* Restricted to SHA-384: only rsa_pss_pss_sha384. */
	spki = H(PSS384_SPKI_DER, &sl);
	priv = H(PSS384_P8_DER, &pl);
	CHECK(wt_pubkey_from_spki(&pk, spki, sl) == WT_PK_OK && pk.pss_hash == WT_SHA384,
	      "PSS-384 SPKI");
	CHECK(wt_privkey_from_der(&sk, priv, pl) == WT_PK_OK && sk.pss_hash == WT_SHA384,
	      "PSS-384 key");
	for (i = 0; i < sizeof all / sizeof all[0]; i++) {
		int ok = all[i] == WT_SIG_RSA_PSS_PSS_SHA384;
		CHECK(wt_sig_privkey_fits(all[i], &sk) == ok &&
			      wt_sig_pubkey_fits(all[i], &pk) == ok,
		      "PSS-384 key: %04x fits = %d", all[i], ok);
	}
	CHECK(wt_sig_sign(&sk, WT_SIG_RSA_PSS_PSS_SHA256, (const uint8_t *)MSG, 5, sig,
			  &siglen) == WT_PK_ERR_MISMATCH,
	      "PSS-384 key will not sign with SHA-256");
	CHECK(wt_sig_sign(&sk, WT_SIG_RSA_PSS_PSS_SHA384, (const uint8_t *)MSG, 5, sig,
			  &siglen) == WT_PK_OK,
	      "PSS-384 sign");
	/* Verifying under another hash is refused as a mismatch, before
	 * any arithmetic. */
	CHECK(wt_sig_verify(&pk, WT_SIG_RSA_PSS_PSS_SHA512, (const uint8_t *)MSG, 5, sig,
			    siglen) == WT_PK_ERR_MISMATCH,
	      "PSS-384 key: SHA-512 verify refused");
	free(spki);
	free(priv);

	/* Parameters TLS 1.3 cannot use: refused as unsupported, named. */
	{
		static const struct {
			const char *hex, *word;
		} bad[] = {
			{ PSS_SHA1_SPKI_DER, "restricted to SHA-1" },
			{ PSS_MGF1_SHA1_SPKI_DER, "MGF1 hash differs" },
			{ PSS_SALT64_SPKI_DER, "minimum salt length" },
		};
		for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
			spki = H(bad[i].hex, &sl);
			why = wt_pk_key_error(spki, sl, 0);
			CHECK(wt_pubkey_from_spki(&pk, spki, sl) ==
					      WT_PK_ERR_UNSUPPORTED &&
				      pk.type == 0,
			      "PSS SPKI %zu refused", i);
			CHECK(why != NULL && strstr(why, bad[i].word) != NULL,
			      "PSS SPKI %zu named: %s", i, why ? why : "(null)");
			free(spki);
		}
	}
	/* A good key is no error; a malformed one is not "unsupported". */
	spki = H(PSS_SPKI_DER, &sl);
	CHECK(wt_pk_key_error(spki, sl, 0) == NULL, "good PSS SPKI: no error");
	CHECK(wt_pubkey_from_spki(&pk, spki, sl - 3) == WT_PK_ERR_KEY &&
		      wt_pk_key_error(spki, sl - 3, 0) == NULL,
	      "truncated PSS SPKI is malformed, not unsupported");
	free(spki);
	free(rspki);
}

/* Damaged PSS keys (every truncation, every byte of the header and the
 * AlgorithmIdentifier with its parameters flipped): never a crash (ASan),
 * only OK, malformed or unsupported, and OK only as a PSS key. */
static void pss_damaged(const char *hex, int priv, const char *what)
{
	static wt_pubkey pk;
	static wt_privkey sk;
	size_t l, i, bad = 0, ok = 0;
	uint8_t *der = H(hex, &l);
	for (i = 0; i < l; i++) {
		int r = priv ? wt_privkey_from_der(&sk, der, i) :
			       wt_pubkey_from_spki(&pk, der, i);
		if (r == WT_PK_OK)
			bad++;
	}
	CHECK(bad == 0, "%s: no truncation parses (%zu did)", what, bad);
	bad = 0;
	for (i = 0; i < 80 && i < l; i++) {
		int r;
		uint32_t t;
		der[i] ^= 0xFF;
		r = priv ? wt_privkey_from_der(&sk, der, l) :
			   wt_pubkey_from_spki(&pk, der, l);
		t = priv ? sk.type : pk.type;
		if (r == WT_PK_OK)
			ok++;
		if (!(r == WT_PK_ERR_KEY || r == WT_PK_ERR_UNSUPPORTED ||
		      (r == WT_PK_OK && t == WT_KEY_RSA_PSS)))
			bad++;
		(void)wt_pk_key_error(der, l, priv);
		der[i] ^= 0xFF;
	}
	CHECK(bad == 0,
	      "%s: flipped bytes give OK, malformed or unsupported only (%zu others, %zu "
	      "OK)",
	      what, bad, ok);
	free(der);
}

/* wt_pk_spki_type (AlgorithmIdentifier only) agrees with the full parse
 * on type and PSS restriction, and on which keys are unsupported. */
static void spki_type(void)
{
	static const char *const spkis[] = { RSA_SPKI_DER,       PSS_SPKI_DER,
					     PSS384_SPKI_DER,    P256_SPKI_DER,
					     P384_SPKI_DER,      ED_SPKI_DER,
					     PSS_SHA1_SPKI_DER,  PSS_MGF1_SHA1_SPKI_DER,
					     PSS_SALT64_SPKI_DER };
	static wt_pubkey pk;
	size_t i, l;
	for (i = 0; i < sizeof spkis / sizeof spkis[0]; i++) {
		uint8_t *d = H(spkis[i], &l);
		uint32_t t = 99, h = 99;
		int full = wt_pubkey_from_spki(&pk, d, l),
		    light = wt_pk_spki_type(d, l, &t, &h);
		CHECK(full == light &&
			      (full != WT_PK_OK || (t == pk.type && h == pk.pss_hash)),
		      "SPKI %zu: wt_pk_spki_type %d (type %u hash %u) = full parse %d "
		      "(type %u hash %u)",
		      i, light, t, h, full, pk.type, pk.pss_hash);
		free(d);
	}
	CHECK(wt_sig_type_fits(WT_SIG_RSA_PSS_PSS_SHA384, WT_KEY_RSA_PSS, WT_SHA384) ==
			      1 &&
		      wt_sig_type_fits(WT_SIG_RSA_PSS_PSS_SHA256, WT_KEY_RSA_PSS,
				       WT_SHA384) == 0 &&
		      wt_sig_type_fits(WT_SIG_RSA_PSS_PSS_SHA512, WT_KEY_RSA_PSS, 0) ==
			      1 &&
		      wt_sig_type_fits(WT_SIG_RSA_PSS_RSAE_SHA256, WT_KEY_RSA_PSS, 0) ==
			      0 &&
		      wt_sig_type_fits(WT_SIG_RSA_PSS_RSAE_SHA256, WT_KEY_RSA, 0) == 1,
	      "wt_sig_type_fits");
}

/* Key types we do not implement are named (wt_pk_key_error). */
static void unsupported_keys(void)
{
	static const struct {
		const char *hex, *name;
	} keys[] = {
		{ X448_P8_DER, "X448" },
		{ ED448_P8_DER, "Ed448" },
		{ P521_P8_DER, "EC P-521" },
		{ X25519_P8_DER, "X25519" },
	};
	static wt_privkey sk;
	static wt_pubkey pk;
	size_t i, l;
	{
		/* The P-256 SPKI with its point compressed (SEC 1 2.3.3:
		 * 02/03 || X): well formed, not supported. */
		uint8_t *spki = H(P256_SPKI_DER, &l), c[128];
		const char *why;
		size_t n = l - 32; /* drop Y */
		CHECK(l == 91 && spki[26] == 0x04, "P-256 SPKI layout");
		memcpy(c, spki, n);
		c[1] -= 32;  /* SEQUENCE length */
		c[24] -= 32; /* BIT STRING length */
		c[26] = 0x02 | (spki[l - 1] & 1);
		why = wt_pk_key_error(c, n, 0);
		CHECK(wt_pubkey_from_spki(&pk, c, n) == WT_PK_ERR_UNSUPPORTED &&
			      why != NULL && strstr(why, "compressed") != NULL,
		      "compressed P-256 point named: %s", why ? why : "(null)");
		c[26] = 0x05; /* no such form: malformed */
		CHECK(wt_pubkey_from_spki(&pk, c, n) == WT_PK_ERR_KEY,
		      "bad point form is malformed");
		free(spki);
	}
	for (i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		uint8_t *der = H(keys[i].hex, &l);
		const char *why = wt_pk_key_error(der, l, 1);
		CHECK(wt_privkey_from_der(&sk, der, l) == WT_PK_ERR_UNSUPPORTED &&
			      sk.type == 0,
		      "%s private key refused as unsupported", keys[i].name);
		CHECK(why != NULL &&
			      strncmp(why, keys[i].name, strlen(keys[i].name)) == 0,
		      "%s named: %s", keys[i].name, why ? why : "(null)");
		free(der);
	}
}

static void kex(uint32_t group, const char *what)
{
	static wt_kex_ctx k;
	static uint8_t cshare[WT_KEX_SHARE_MAX], sshare[WT_KEX_SHARE_MAX];
	uint8_t s1[WT_KEX_SECRET_MAX], s2[WT_KEX_SECRET_MAX];
	size_t l1 = 0, l2 = 0, cl = wt_kex_client_share_len(group),
	       sl = wt_kex_server_share_len(group);
	CHECK(wt_kex_supported(group) == 1 && cl > 0 && sl > 0, "%s supported", what);
	CHECK(wt_kex_client_keygen(&k, group, cshare) == WT_PK_OK, "%s client keygen",
	      what);
	CHECK(wt_kex_server(group, cshare, cl, sshare, s2, &l2) == WT_PK_OK, "%s server",
	      what);
	CHECK(wt_kex_client_finish(&k, sshare, sl, s1, &l1) == WT_PK_OK,
	      "%s client finish", what);
	CHECK(l1 == l2 && l1 > 0 && memcmp(s1, s2, l1) == 0,
	      "%s secrets agree (%zu bytes)", what, l1);
	/* Wrong share lengths are refused on both sides. */
	CHECK(wt_kex_server(group, cshare, cl - 1, sshare, s2, &l2) == WT_PK_ERR_POINT,
	      "%s short client share", what);
	CHECK(wt_kex_client_keygen(&k, group, cshare) == WT_PK_OK &&
		      wt_kex_client_finish(&k, sshare, sl + 1, s1, &l1) ==
			      WT_PK_ERR_POINT &&
		      l1 == 0,
	      "%s long server share", what);
}

int main(void)
{
	spki_and_private(P256_SPKI_DER, P256_P8_DER, WT_KEY_EC_P256, 256, P256_SIG,
			 WT_SIG_ECDSA_SECP256R1_SHA256, "P-256 PKCS#8");
	spki_and_private(P256_SPKI_DER, P256_SEC1_DER, WT_KEY_EC_P256, 256, P256_SIG,
			 WT_SIG_ECDSA_SECP256R1_SHA256, "P-256 SEC 1");
	spki_and_private(P384_SPKI_DER, P384_P8_DER, WT_KEY_EC_P384, 384, P384_SIG,
			 WT_SIG_ECDSA_SECP384R1_SHA384, "P-384 PKCS#8");
	spki_and_private(RSA_SPKI_DER, RSA_P8_DER, WT_KEY_RSA, 2048, RSA_PSS_SIG,
			 WT_SIG_RSA_PSS_RSAE_SHA256, "RSA-PSS PKCS#8");
	spki_and_private(RSA_SPKI_DER, RSA_PKCS1_DER, WT_KEY_RSA, 2048, RSA_PKCS1_SIG,
			 WT_SIG_RSA_PKCS1_SHA384, "RSA PKCS#1 v1.5, PKCS#1 key");
	spki_and_private(ED_SPKI_DER, ED_P8_DER, WT_KEY_ED25519, 256, ED_SIG,
			 WT_SIG_ED25519, "Ed25519 PKCS#8");
	{
		/* RFC 8446 4.2.3: rsa_pss_pss_* are for id-RSASSA-PSS keys,
		 * never an rsaEncryption key. */
		CHECK(wt_sig_scheme_fits(WT_SIG_RSA_PSS_PSS_SHA256, WT_KEY_RSA, 2048) ==
			      0,
		      "pss_pss does not fit an rsaEncryption key");
		CHECK(wt_sig_scheme_fits(0x0201, WT_KEY_RSA, 2048) == 0,
		      "SHA-1 scheme unknown");
	}
	spki_and_private(PSS_SPKI_DER, PSS_P8_DER, WT_KEY_RSA_PSS, 2048, PSS_SIG,
			 WT_SIG_RSA_PSS_PSS_SHA256, "RSASSA-PSS unrestricted PKCS#8");
	spki_and_private(PSS384_SPKI_DER, PSS384_P8_DER, WT_KEY_RSA_PSS, 2048, PSS384_SIG,
			 WT_SIG_RSA_PSS_PSS_SHA384, "RSASSA-PSS SHA-384 PKCS#8");
	pss_keys();
	pss_damaged(PSS384_SPKI_DER, 0, "PSS-384 SPKI");
	pss_damaged(PSS384_P8_DER, 1, "PSS-384 PKCS#8");
	spki_type();
	unsupported_keys();

	kex(WT_GROUP_X25519, "X25519");
	kex(WT_GROUP_SECP256R1, "P-256");
	kex(WT_GROUP_SECP384R1, "P-384");
	kex(WT_GROUP_X25519MLKEM768, "X25519MLKEM768");
	CHECK(wt_kex_supported(0x0019) == 0 && wt_kex_client_share_len(0x0019) == 0,
	      "secp521r1 not offered");
	{
		static wt_kex_ctx k;
		static uint8_t cs[WT_KEX_SHARE_MAX], ss[WT_KEX_SHARE_MAX];
		uint8_t sec[WT_KEX_SECRET_MAX];
		size_t sl;
		/* X25519: a low-order peer point gives the all-zero secret
		 * (RFC 7748 6.1, RFC 8446 7.4.2: MUST abort). */
		memset(cs, 0, 32);
		CHECK(wt_kex_server(WT_GROUP_X25519, cs, 32, ss, sec, &sl) ==
				      WT_PK_ERR_ZERO &&
			      sl == 0,
		      "X25519 all-zero secret refused");
		/* P-256: a point off the curve (RFC 8446 4.2.8.2 validation). */
		CHECK(wt_kex_client_keygen(&k, WT_GROUP_SECP256R1, cs) == WT_PK_OK,
		      "P-256 keygen");
		cs[64] ^= 1;
		CHECK(wt_kex_server(WT_GROUP_SECP256R1, cs, 65, ss, sec, &sl) ==
			      WT_PK_ERR_POINT,
		      "P-256 off-curve client share refused");
		cs[0] = 0x02; /* compressed form is not TLS 1.3's */
		CHECK(wt_kex_server(WT_GROUP_SECP256R1, cs, 65, ss, sec, &sl) ==
			      WT_PK_ERR_POINT,
		      "P-256 non-uncompressed share refused");
		/* ML-KEM: an encapsulation key failing the FIPS 203 7.2
		 * modulus check (first coefficient 0xFFF >= q). */
		CHECK(wt_kex_client_keygen(&k, WT_GROUP_X25519MLKEM768, cs) == WT_PK_OK,
		      "hybrid keygen");
		cs[0] = 0xFF;
		cs[1] |= 0x0F;
		CHECK(wt_kex_server(WT_GROUP_X25519MLKEM768, cs, WT_MLKEM768_EK_LEN + 32,
				    ss, sec, &sl) == WT_PK_ERR_POINT,
		      "ML-KEM key failing the modulus check refused");
	}
	return t_done();
}
