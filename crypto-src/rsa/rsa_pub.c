/*
 * rsa_pub.c: RSAVP1, the public-key operation (see wt_rsa.h). Public
 * inputs only (key, signature): VARIABLE TIME in the exponent e by way of
 * wt_i32_modpow_vartime_e, and early returns on malformed signatures.
 */
#include "inner.h"
#include "int/wt_i32.h"
#include "wt_rsa.h"

/* see wt_rsa.h */
int wt_rsa_public_op(const wt_rsa_public_key *k, const uint8_t *sig, size_t siglen,
		     uint8_t *em)
{
	uint32_t s[WT_RSA_MAX_LIMBS];
	size_t len = k->limbs;
	/* RFC 8017 8.1.2 / 8.2.2 step 1: "If the length of the signature S
	 * is not k octets, output 'invalid signature'". */
	if (siglen != k->len)
		return 0;
	wt_i32_decode(s, len, sig, siglen);
	/* RFC 8017 5.2.2 step 1: "If the signature representative s is not
	 * between 0 and n - 1, output 'signature representative out of
	 * range'". */
	if (!wt_i32_lt(s, k->n, len))
		return 0;
	wt_i32_montmul(s, s, k->r2, k->n, len, k->n0i); /* s R */
	wt_i32_modpow_vartime_e(s, k->e, k->elimbs, k->n, len, k->n0i);
	wt_i32_from_mont(s, k->n, len, k->n0i);
	wt_i32_encode(em, k->len, s, len);
	return 1;
}
