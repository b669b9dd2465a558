/*
 * ct_mlkem.c: ML-KEM-768 under Valgrind with secrets marked undefined
 * (see ct.h): key generation with a secret seed d || z, encapsulation
 * with a secret m, decapsulation with a secret s and z (valid and
 * rejected ciphertexts), plus SHA-3/SHAKE on a secret input and the
 * scalar NTT and basemul (the native KEM uses the vector ones). Public by
 * design and declassified: ek (and the matrix seed rho inside key
 * generation, by WT_DECLASSIFY_MEM in the library: see inner.h), ciphertexts,
 * and the final shared secrets before they are compared.
 */
#include "ct.h"
#include "wt_mlkem.h"
#include "wt_sha3.h"
#include "wt_host.h"
#include "pq/mlkem_poly.h"
#include "testutil.h"

int main(void)
{
	static uint8_t ek[1184], dk[2400], ct[1088], ct2[1088];
	uint8_t seed[64], m[32], ss[32], ss2[32], ss3[32], h[64];
	int r1, r2;

	wt_random(seed, sizeof seed);
	wt_random(m, sizeof m);

	/* SHA-3 and SHAKE with secret input */
	CT_SECRET(seed, sizeof seed);
	wt_sha3_256(seed, sizeof seed, h);
	wt_sha3_512(seed, sizeof seed, h);
	wt_shake128(h, 64, seed, sizeof seed);
	wt_shake256(h, 64, seed, 33);

	/* key generation from a secret seed */
	wt_mlkem768_keygen_seed(ek, dk, seed);
	CT_PUBLIC(ek, sizeof ek);
	CT_PUBLIC(dk + 1152, 1184 + 32); /* dk's copy of ek, and H(ek) */

	/* encapsulation with a secret m; ek public */
	CT_SECRET(m, sizeof m);
	r1 = wt_mlkem768_encaps_m(ct, ss, ek, m);
	CT_PUBLIC(ct, sizeof ct);

	/* decapsulation: s (dk[0:1152]) and z (dk[2368:2400]) secret, ct
	 * public; the same code runs for a ciphertext that is rejected */
	CT_SECRET(dk, 1152);
	CT_SECRET(dk + 2368, 32);
	r2 = wt_mlkem768_decaps(ss2, dk, ct);
	memcpy(ct2, ct, sizeof ct);
	ct2[1087] ^= 0x10;
	wt_mlkem768_decaps_internal(ss3, dk, ct2);

	/* Natively the KEM runs the vector NTT and basemul; the scalar ones
	 * (the wasm scalar build's) get a secret polynomial here. */
	{
		wt_mlkem_poly p;
		wt_random((uint8_t *)p.c, sizeof p.c);
		for (size_t i = 0; i < 256; i++)
			p.c[i] = (int16_t)(p.c[i] % 3329);
		CT_SECRET(&p, sizeof p);
		wt_mlkem_ntt_scalar(&p);
		{
			wt_mlkem_poly r;
			wt_mlkem_mulcache x;
			wt_mlkem_mulcache_compute_scalar(&x, &p);
			wt_mlkem_basemul_acc_scalar(&r, &p, &p, &x, 1);
		}
		wt_mlkem_invntt_scalar(&p);
	}

	CT_PUBLIC(ss, sizeof ss);
	CT_PUBLIC(ss2, sizeof ss2);
	CT_PUBLIC(ss3, sizeof ss3);
	CHECK(r1 == 0 && r2 == 0, "encaps/decaps accepted the keys");
	CHECK(memcmp(ss, ss2, 32) == 0, "round trip");
	CHECK(memcmp(ss, ss3, 32) != 0, "rejected ciphertext gives another key");
	return t_done();
}
