/*
 * ct_rsa.c: RSA signing under Valgrind with the private key material
 * (p, q, dp, dq, qinv and the Montgomery constants derived from them)
 * and every random byte (blinding factor, PSS salt) marked secret (see
 * ct.h). Only the signature, declassified once returned, and the return
 * code are looked at. Both fixed keys run: the 2049-bit one has primes of
 * different limb counts.
 */
#include "ct.h"
#include "inner.h"
#include "wt_hash.h"
#include "wt_host.h"
#include "wt_rsa.h"
#include "testutil.h"
#include "rsa_kat.h"

static uint8_t rnd[4096];

/* The entropy the signer draws, from a stream marked secret. */
static void secret_random(void)
{
	wt_test_set_random(NULL, 0); /* back to getrandom */
	wt_random(rnd, sizeof rnd);
	CT_SECRET(rnd, sizeof rnd);
	wt_test_set_random(rnd, sizeof rnd);
}

static void mark_private(wt_rsa_private_key *k)
{
	/* everything after the public half and the limb counts (the sizes
	 * of p and q are public, as the key size is) */
	uint8_t *from = (uint8_t *)&k->p0i;
	CT_SECRET(from, (size_t)((uint8_t *)(k + 1) - from));
}

int main(void)
{
	static const char *const keys[2] = { K2048, K2049 };
	static const uint32_t ids[3] = { WT_SHA256, WT_SHA384, WT_SHA512 };
	wt_rsa_private_key k;
	uint8_t d[64], sig[512], *der;
	size_t len;
	int i, j, r;

	for (i = 0; i < 2; i++) {
		der = unhex(keys[i], &len);
		r = wt_rsa_private_from_pkcs1(&k, der, len);
		wt_wipe(der, len);
		free(der);
		CHECK(r == 0, "parse key %d", i);
		mark_private(&k);
		for (j = 0; j < 3; j++) {
			size_t hl = wt_hash_len(ids[j]);
			wt_hash(ids[j], MSG, strlen(MSG), d);

			secret_random();
			r = wt_rsa_sign_pkcs1(&k, ids[j], d, hl, sig, sizeof sig);
			CT_PUBLIC(&r, sizeof r);
			CT_PUBLIC(sig, sizeof sig);
			CHECK(r == (int)k.pub.len, "PKCS#1 sign key %d hash %u: %d", i,
			      ids[j], r);
			CHECK(wt_rsa_verify_pkcs1(&k.pub, ids[j], d, hl, sig,
						  k.pub.len) == 1,
			      "PKCS#1 verifies");

			secret_random();
			r = wt_rsa_sign_pss(&k, ids[j], hl, d, hl, sig, sizeof sig);
			CT_PUBLIC(&r, sizeof r);
			CT_PUBLIC(sig, sizeof sig);
			CHECK(r == (int)k.pub.len, "PSS sign key %d hash %u: %d", i,
			      ids[j], r);
			CHECK(wt_rsa_verify_pss(&k.pub, ids[j], hl, d, hl, sig,
						k.pub.len) == 1,
			      "PSS verifies");
		}
		wt_wipe(&k, sizeof k);
	}
	wt_test_set_random(NULL, 0);
	return t_done();
}
