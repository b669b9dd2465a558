/*
 * ct_gcm.c: AES-GCM under Valgrind (see ct.h) with secret key, IV (so J0
 * and every counter block), AAD, plaintext and tag; seal and open (a
 * genuine and a forged tag), for both AES implementations and the three
 * key sizes, with 12-byte and other IV lengths (the non-12-byte ones go
 * through GHASH to J0). Only lengths are public, and the open verdict,
 * the one value declassified, where it is returned.
 */
#include "ct.h"
#include "wt_gcm.h"
#include "aead/aes_ct.h"
#include "wt_host.h"
#include "testutil.h"

int wt_gcm_init_impl(wt_gcm_ctx *c, const uint8_t *key, size_t keylen, uint32_t impl);

int main(void)
{
	static wt_gcm_ctx ctx;
	static uint8_t key[32], iv[40], aad[50], msg[700], ct[700], pt[700];
	uint8_t tag[16];
	static const uint32_t impls[] = {
		WT_AES_IMPL_CT64,
#if WT_HAVE_AESV
		WT_AES_IMPL_V128,
#endif
	};
	static const size_t lens[] = { 0, 15, 112, 113, 700 };
	unsigned m, k, l;
	int r, good = 0, forged = 0;
	for (m = 0; m < sizeof impls / sizeof impls[0]; m++) {
		for (k = 0; k < 3; k++) {
			wt_random(key, sizeof key);
			CT_SECRET(key, sizeof key);
			/* H = E(K, 0), its powers and the round keys all derive
			 * from the key and so are secret too. The result depends
			 * on the key length only: not declassified. */
			r = wt_gcm_init_impl(&ctx, key, 16 + 8 * k, impls[m]);
			CHECK(r == 0, "init");
			for (l = 0; l < sizeof lens / sizeof lens[0]; l++) {
				size_t ivl = l == 2 ? 40 : l == 3 ? 8 : 12;
				wt_random(iv, sizeof iv);
				wt_random(aad, sizeof aad);
				wt_random(msg, sizeof msg);
				CT_SECRET(iv, sizeof iv);
				CT_SECRET(aad, sizeof aad);
				CT_SECRET(msg, sizeof msg);
				wt_gcm_seal(&ctx, iv, ivl, aad, 13 + l, msg, lens[l], ct,
					    tag);
				r = wt_gcm_open(&ctx, iv, ivl, aad, 13 + l, ct, lens[l],
						pt, tag);
				CT_PUBLIC(&r, sizeof r);
				good += r == 0;
				tag[3] ^= 0x10;
				r = wt_gcm_open(&ctx, iv, ivl, aad, 13 + l, ct, lens[l],
						pt, tag);
				CT_PUBLIC(&r, sizeof r);
				forged += r == -2;
			}
		}
	}
	CHECK(good == (int)(sizeof impls / sizeof impls[0]) * 15,
	      "genuine records open: %d", good);
	CHECK(forged == (int)(sizeof impls / sizeof impls[0]) * 15,
	      "forgeries refused: %d", forged);
	return t_done();
}
