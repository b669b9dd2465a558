/*
 * rsa_priv_crt.c: RSASP1, the private-key operation (see wt_rsa.h), with
 * the Chinese remainder theorem (RFC 8017 5.1.2 step 2.b, two primes),
 * base blinding and a check of the result against the public key.
 *
 * Constant-time in everything secret (p, q, dp, dq, qinv, the blinding
 * factor, intermediate values and the signature): the only data-dependent
 * operations are the public exponent's square-and-multiply sequence (e is
 * public) and the loops over limb counts (the key size is public). The
 * outcome of the fault check is folded into the return value and the
 * output under masks, so nothing here branches on it; the caller does.
 *
 *   r      random, 0 < r < 2^(bits-1) <= n        (blinding; Kocher 1996)
 *   c'     = c * r^e mod n
 *   m1     = c'^dp mod p, m2 = c'^dq mod q
 *   h      = qinv (m1 - m2) mod p
 *   s'     = m2 + q h  (= c'^d mod n = c^d r mod n)
 *   s      = s' r^-1 mod n
 *   check  s^e mod n == c, else release nothing (Boneh-DeMillo-Lipton:
 *          one faulty CRT half gives gcd(s^e - c, n) = p or q).
 */
#include "inner.h"
#include "int/wt_i32.h"
#include "wt_host.h"
#include "wt_rsa.h"

/* see wt_rsa.h */
int wt_rsa_private_op(const wt_rsa_private_key *k, const uint8_t *em, uint8_t *sig)
{
	const wt_rsa_public_key *pk = &k->pub;
	size_t ln = pk->limbs, lp = k->plimbs, lq = k->qlimbs, i;
	uint32_t c[WT_RSA_MAX_LIMBS], r[WT_RSA_MAX_LIMBS], rinv[WT_RSA_MAX_LIMBS];
	uint32_t t[WT_RSA_MAX_LIMBS], x[WT_RSA_MAX_LIMBS];
	uint32_t prod[2 * WT_RSA_MAX_PLIMBS];
	uint32_t mp[WT_RSA_MAX_PLIMBS], mq[WT_RSA_MAX_PLIMBS];
	uint8_t rb[WT_RSA_MAX_LEN];
	uint32_t ok, inv, b = pk->bits - 1;

	wt_i32_decode(c, ln, em, pk->len);

	/* The blinding factor: k random bytes cut below 2^(bits-1), hence
	 * below n. r = 0 or gcd(r, n) != 1 happen with probability about
	 * 2^-1000 and end in WT_RSA_ERR_FAULT, not in a wrong signature. */
	wt_random(rb, pk->len);
	wt_i32_decode(r, ln, rb, pk->len);
	for (i = 0; i < ln; i++) {
		if (32 * i >= b)
			r[i] = 0;
		else if (32 * (i + 1) > b)
			r[i] &= ((uint32_t)1 << (b - 32 * i)) - 1;
	}

	/* c' = c r^e mod n, normal form, in t */
	wt_i32_montmul(x, r, pk->r2, pk->n, ln, pk->n0i); /* r R */
	wt_i32_modpow_vartime_e(x, pk->e, pk->elimbs, pk->n, ln, pk->n0i);
	wt_i32_montmul(t, x, c, pk->n, ln, pk->n0i); /* c r^e */

	/* The two halves, in Montgomery form modulo p and q. */
	wt_i32_to_mont_wide(mp, t, ln, k->p, k->r2p, lp, k->p0i);
	wt_i32_to_mont_wide(mq, t, ln, k->q, k->r2q, lq, k->q0i);
	if (lp == lq) { /* public: the primes' sizes */
		/* both at once, p and q in the two lanes of 128-bit vectors */
		wt_i32_modpow2_ct(mp, mq, k->dp, k->dq, lp, k->p, k->q, k->r2p, k->r2q,
				  lp, k->p0i, k->q0i);
	} else {
		wt_i32_modpow_ct(mp, k->dp, lp, k->p, k->r2p, lp, k->p0i);
		wt_i32_modpow_ct(mq, k->dq, lq, k->q, k->r2q, lq, k->q0i);
	}
	wt_i32_from_mont(mq, k->q, lq, k->q0i); /* m2 */

	/* h = qinv (m1 - m2) mod p: m2 (< q, maybe >= p) reduced into
	 * Montgomery form mod p, subtracted there, and the Montgomery
	 * factor dropped by the multiplication with qinv (< p, checked at
	 * parse time). */
	wt_i32_to_mont_wide(x, mq, lq, k->p, k->r2p, lp, k->p0i);
	wt_i32_modsub(mp, x, k->p, lp);
	wt_i32_montmul(mp, mp, k->qinv, k->p, lp, k->p0i);

	/* s' = m2 + q h < n: lp + lq >= ln limbs, the top ones zero */
	wt_i32_mul(prod, mp, lp, k->q, lq);
	memset(x, 0, (lp + lq) * sizeof *x);
	memcpy(x, mq, lq * sizeof *x);
	wt_i32_add(prod, x, lp + lq, 1);
	memcpy(t, prod, ln * sizeof *t);

	/* s = s' r^-1 mod n */
	inv = wt_i32_modinv_ct(rinv, r, pk->n, ln);
	wt_i32_montmul(t, t, rinv, pk->n, ln, pk->n0i);   /* s' r^-1 / R */
	wt_i32_montmul(t, t, pk->r2, pk->n, ln, pk->n0i); /* s' r^-1 */

	/* Verify before release: s^e mod n must give back c. */
	wt_i32_montmul(x, t, pk->r2, pk->n, ln, pk->n0i);
	wt_i32_modpow_vartime_e(x, pk->e, pk->elimbs, pk->n, ln, pk->n0i);
	wt_i32_from_mont(x, pk->n, ln, pk->n0i);
	ok = wt_i32_eq(x, c, ln) & inv;

	wt_i32_encode(sig, pk->len, t, ln);
	ok = wt_barrier(-ok); /* all ones or zero */
	for (i = 0; i < pk->len; i++)
		sig[i] &= (uint8_t)ok;

	wt_wipe(c, sizeof c);
	wt_wipe(r, sizeof r);
	wt_wipe(rinv, sizeof rinv);
	wt_wipe(t, sizeof t);
	wt_wipe(x, sizeof x);
	wt_wipe(prod, sizeof prod);
	wt_wipe(mp, sizeof mp);
	wt_wipe(mq, sizeof mq);
	wt_wipe(rb, sizeof rb);
	return (int)((uint32_t)WT_RSA_ERR_FAULT & ~ok);
}
