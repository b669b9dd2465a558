/*
 * ct_aead.c: the AEADs (ChaCha20-Poly1305, AES-128/192/256-GCM), through
 * wt_aead.h, under Valgrind with secret key, nonce-derived
 * state and plaintext (see ct.h). Key and plaintext are marked secret
 * before the key schedule, so every derived value (round keys, one-time
 * Poly1305 key, keystream, tag) is secret too. Only lengths are public;
 * the one value declassified is the verdict of open, which the caller
 * branches on by design.
 *
 * Both verdicts are exercised: a genuine message (tag accepted) and a
 * forged one (tag refused); neither may branch on a secret inside.
 */
#include "ct.h"
#include "wt_aead.h"
#include "wt_chapol.h"
#include "wt_host.h"
#include "inner.h"
#include "testutil.h"

#define LEN 1100 /* eight-block, four-block, buffered-tail and scalar paths */

static void run(uint32_t alg, size_t keylen)
{
	static uint8_t pt[LEN], ct[LEN], out[LEN];
	uint8_t key[32], nonce[12], aad[29], tag[16], bad[16];
	static wt_aead_ctx c;
	size_t lens[] = { 0, 1, 63, 64, 200, 256, 511, 512, LEN };
	size_t i;
	int r;
	wt_random(key, sizeof key);
	wt_random(nonce, sizeof nonce);
	wt_random(aad, sizeof aad);
	wt_random(pt, sizeof pt);
	CT_SECRET(key, sizeof key);
	CT_SECRET(pt, sizeof pt);
	CT_SECRET(nonce, sizeof nonce); /* public in TLS; secret here is stricter */
	r = wt_aead_init(&c, alg, key, keylen);
	CHECK(r == 0, "init alg %u", alg);
	for (i = 0; i < sizeof lens / sizeof lens[0]; i++) {
		size_t n = lens[i];
		r = wt_aead_seal(&c, nonce, 12, aad, sizeof aad, pt, n, ct, tag);
		CHECK(r == 0, "seal alg %u len %zu", alg, n);

		/* genuine: accepted */
		r = wt_aead_open(&c, nonce, 12, aad, sizeof aad, ct, n, out, tag);
		CT_PUBLIC(&r, sizeof r);
		CHECK(r == 0, "open alg %u len %zu", alg, n);

		/* forged: refused, and without a secret-dependent branch on
		 * the way (the forged tag is the real one with a bit flipped,
		 * so it is secret-derived too) */
		memcpy(bad, tag, 16);
		bad[15] ^= 0x80;
		r = wt_aead_open(&c, nonce, 12, aad, sizeof aad, ct, n, out, bad);
		CT_PUBLIC(&r, sizeof r);
		CHECK(r == WT_ERR_AEAD_TAG, "forgery alg %u len %zu", alg, n);

		/* in place */
		memcpy(out, pt, n);
		r = wt_aead_seal(&c, nonce, 12, aad, sizeof aad, out, n, out, tag);
		CHECK(r == 0, "seal in place alg %u len %zu", alg, n);
		r = wt_aead_open(&c, nonce, 12, aad, sizeof aad, out, n, out, tag);
		CT_PUBLIC(&r, sizeof r);
		CHECK(r == 0, "open in place alg %u len %zu", alg, n);
	}
	/* Nothing secret was printed or compared on the way except r. */
	wt_wipe(&c, sizeof c);
}

int main(void)
{
	uint8_t key[32], nonce[12], msg[300], tag[16];
	run(WT_AEAD_CHACHA20POLY1305, 32);
	run(WT_AEAD_AES128GCM, 16);
	run(WT_AEAD_AES192GCM, 24);
	run(WT_AEAD_AES256GCM, 32);

	/* The primitives alone, nonce secret too. */
	wt_random(key, sizeof key);
	wt_random(nonce, sizeof nonce);
	wt_random(msg, sizeof msg);
	CT_SECRET(key, sizeof key);
	CT_SECRET(nonce, sizeof nonce);
	CT_SECRET(msg, sizeof msg);
	wt_chacha20(key, nonce, 1, msg, msg, sizeof msg);
	wt_poly1305(key, msg, sizeof msg, tag);
	wt_poly1305(key, msg, 17, tag);
	return t_done();
}
