/*
 * ct_hash.c: SHA-2, HMAC and HKDF with secret message, key and IKM under
 * Valgrind (see ct.h). Only lengths are public.
 */
#include "ct.h"
#include "wt_hash.h"
#include "wt_host.h"
#include "testutil.h"

int main(void)
{
	uint8_t key[200], msg[300], out[64], okm[100];
	uint32_t ids[3] = { WT_SHA256, WT_SHA384, WT_SHA512 };
	int i;
	wt_random(key, sizeof key);
	wt_random(msg, sizeof msg);
	CT_SECRET(key, sizeof key);
	CT_SECRET(msg, sizeof msg);
	for (i = 0; i < 3; i++) {
		wt_hash(ids[i], msg, sizeof msg, out);
		wt_hmac(ids[i], key, 20, msg, sizeof msg, out);
		wt_hmac(ids[i], key, sizeof key, msg, 33, out); /* long key: hashed */
		wt_hkdf_extract(ids[i], key, 32, msg, 48, out);
		wt_hkdf_expand(ids[i], out, wt_hash_len(ids[i]), msg, 10, okm,
			       sizeof okm);
		wt_hkdf_expand_label(ids[i], out, wt_hash_len(ids[i]), "key", 3, msg, 0,
				     okm, 32);
	}
	CT_PUBLIC(okm, sizeof okm);
	CHECK(1, "ran");
	return t_done();
}
