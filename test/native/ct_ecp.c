/*
 * ct_ecp.c: P-256 / P-384 under Valgrind with secrets marked undefined
 * (see ct.h): key generation from secret entropy, public-key derivation,
 * ECDH with a secret private key, ECDSA signing with a secret key and
 * secret additional data. Public points, shared secrets and signatures
 * are declassified before they are compared; verification (public
 * inputs, variable-time by design) runs on the declassified results.
 */
#include "ct.h"
#include "wt_ecp.h"
#include "wt_hash.h"
#include "wt_host.h"
#include "testutil.h"

static void run(uint32_t curve)
{
	size_t len = wt_ecp_scalar_len(curve), plen = wt_ecp_point_len(curve);
	uint8_t rnd[2 * 48], priv[48], pub[97], priv2[48], pub2[97], s1[48], s2[48];
	uint8_t sig[96], dig[64], extra[48];
	int r;

	/* Key generation: the entropy is the secret. */
	wt_random(rnd, sizeof rnd);
	CT_SECRET(rnd, sizeof rnd);
	wt_test_set_random(rnd, sizeof rnd);
	r = wt_ecp_keygen(curve, priv, pub);
	wt_test_set_random(NULL, 0);
	CT_PUBLIC(pub, plen);
	CHECK(r == 0 && wt_ecp_point_check(curve, pub, plen) == 0, "keygen %u", curve);

	/* Public key from a secret private key. */
	wt_random(priv2, len);
	priv2[0] &= 0x7f;
	CT_SECRET(priv2, len);
	r = wt_ecp_public_key(curve, priv2, pub2);
	CT_PUBLIC(pub2, plen);
	CHECK(r == 0, "public key %u", curve);

	/* ECDH both ways, each with its secret key. */
	CT_SECRET(priv, len);
	r = wt_ecdh(curve, priv, pub2, plen, s1);
	CT_PUBLIC(s1, len);
	CHECK(r == 0, "ecdh %u", curve);
	r = wt_ecdh(curve, priv2, pub, plen, s2);
	CT_PUBLIC(s2, len);
	CHECK(r == 0 && memcmp(s1, s2, len) == 0, "ecdh agrees %u", curve);

	/* ECDSA: secret key, public digest; hedged (module entropy) and with
	 * secret additional data. */
	wt_sha256("message", 7, dig);
	r = wt_ecdsa_sign_digest(curve, WT_SHA256, priv, dig, sig);
	CT_PUBLIC(sig, 2 * len);
	CHECK(r == 0 && wt_ecdsa_verify_digest(curve, pub, plen, dig, 32, sig) == 0,
	      "sign %u", curve);
	wt_random(extra, len);
	CT_SECRET(extra, len);
	wt_sha384("message", 7, dig);
	r = wt_ecdsa_sign_digest_ex(curve, WT_SHA384, priv, dig, extra, len, sig);
	CT_PUBLIC(sig, 2 * len);
	CHECK(r == 0 && wt_ecdsa_verify_digest(curve, pub, plen, dig, 48, sig) == 0,
	      "sign ex %u", curve);
	/* Deterministic (RFC 6979 without k'), digest longer than n. */
	wt_sha512("message", 7, dig);
	r = wt_ecdsa_sign_digest_ex(curve, WT_SHA512, priv2, dig, NULL, 0, sig);
	CT_PUBLIC(sig, 2 * len);
	CHECK(r == 0 && wt_ecdsa_verify_digest(curve, pub2, plen, dig, 64, sig) == 0,
	      "sign det %u", curve);
}

int main(void)
{
	run(WT_P256);
	run(WT_P384);
	return t_done();
}
