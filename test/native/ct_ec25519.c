/*
 * ct_ec25519.c: X25519 (ladder and fixed base) with a secret scalar,
 * Ed25519 key generation and signing (one-shot and with an expanded key)
 * with a secret seed, under Valgrind (see ct.h). The point, the message
 * and the outputs are public; outputs are declassified before they are
 * looked at. Verification is variable-time by design (public inputs) and
 * only checks the signatures here.
 */
#include "ct.h"
#include "wt_ec25519.h"
#include "wt_host.h"
#include "testutil.h"

int main(void)
{
	uint8_t k[32], k2[32], pub[32], pub2[32], out[32], seed[32], sig[64], msg[200];
	int i, r;

	wt_random(msg, sizeof msg);
	for (i = 0; i < 3; i++) {
		wt_random(k, 32);
		wt_random(k2, 32);
		wt_random(seed, 32);
		CT_SECRET(k, 32);
		CT_SECRET(k2, 32);
		CT_SECRET(seed, 32);

		/* Key generation, then agreement with the peer's public key. */
		wt_x25519_base(pub, k);
		wt_x25519_base(pub2, k2);
		CT_PUBLIC(pub, 32);
		CT_PUBLIC(pub2, 32);
		r = wt_x25519(out, k, pub2);
		CT_PUBLIC(&r, sizeof r);
		CT_PUBLIC(out, 32);
		CHECK(r == 0, "x25519 %d", i);
		/* A low-order point: the zero check on a secret-derived output
		 * must not branch either. */
		memset(pub2, 0, 32);
		r = wt_x25519(out, k, pub2);
		CT_PUBLIC(&r, sizeof r);
		CHECK(r == -1, "x25519 zero %d", i);

		wt_ed25519_public_key(pub, seed);
		CT_PUBLIC(pub, 32);
		wt_ed25519_sign(sig, seed, msg, (size_t)i * 70);
		CT_PUBLIC(sig, 64);
		CHECK(wt_ed25519_verify(pub, msg, (size_t)i * 70, sig) == 1, "ed25519 %d",
		      i);
		{
			wt_ed25519_key key;
			wt_ed25519_key_from_seed(&key, seed);
			wt_ed25519_sign_key(sig, &key, msg, 33);
			CT_PUBLIC(sig, 64);
			CT_PUBLIC(key.pub, 32);
			CHECK(wt_ed25519_verify(key.pub, msg, 33, sig) == 1,
			      "ed25519 key %d", i);
		}
	}
	return t_done();
}
