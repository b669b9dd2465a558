/*
 * rsa_priv_crt.c: RSASP1, the private-key operation (see wt_rsa.h), with
 * the Chinese remainder theorem (RFC 8017 5.1.2 step 2.b, two primes),
 * base blinding and a check of the result against the public key.
 *
 * Constant-time in everything secret (p, q, dp, dq, qinv, the blinding
 * factors, intermediate values and the signature): the only data-dependent
 * operations are the public exponent's square-and-multiply sequence (e is
 * public) and the loops over limb counts (the key size is public). The
 * outcome of the fault check is folded into the return value and the
 * output under masks, so nothing here branches on it; the caller does.
 *
 * The blinding (Kocher 1996) is done modulo p and q, where the
 * exponentiations run: a random r_p < p and r_q < q stand for the r < n
 * with r = r_p mod p and r = r_q mod q (CRT), so it is the same blinding
 * as c r^e mod n, without its 2048-bit r^e and inverse: r_p^e and r_q^e
 * are two 1024-bit powers side by side, and the two 1024-bit inverses cost
 * half of one 2048-bit one (the binary GCD is quadratic).
 *
 *   r_p, r_q   random, 0 < r_p < 2^(bits(p)-1) < p, the same for q
 *   c_p'       = (c mod p) r_p^e mod p, c_q' = (c mod q) r_q^e mod q
 *   m1         = c_p'^dp r_p^-1 mod p (= c^dp mod p: r_p^(e dp) = r_p)
 *   m2         = c_q'^dq r_q^-1 mod q
 *   h          = qinv (m1 - m2) mod p
 *   s          = m2 + q h  (= c^d mod n)
 *   check      s^e mod n == c, else release nothing (Boneh-DeMillo-Lipton:
 *              one faulty CRT half gives gcd(s^e - c, n) = p or q).
 */
#include "inner.h"
#include "int/wt_i32.h"
#include "wt_host.h"
#include "wt_rsa.h"

/* r = a random value below 2^(bitlen(m) - 1), hence below m (len limbs,
 * the top one nonzero): the top limb keeps only the bits below m's top
 * bit, a mask made without branches (m is secret). r = 0 happens with
 * probability about 2^-1000 and ends in WT_RSA_ERR_FAULT (no inverse),
 * not in a wrong signature. */
static void blind_factor(uint32_t *r, const uint32_t *m, size_t len)
{
	uint8_t rb[4 * WT_RSA_MAX_PLIMBS];
	uint32_t top = m[len - 1];
	wt_random(rb, 4 * len);
	wt_i32_decode(r, len, rb, 4 * len);
	top |= top >> 1;
	top |= top >> 2;
	top |= top >> 4;
	top |= top >> 8;
	top |= top >> 16;
	r[len - 1] &= top >> 1;
	wt_wipe(rb, sizeof rb);
}

/* see wt_rsa.h */
int wt_rsa_private_op(const wt_rsa_private_key *k, const uint8_t *em, uint8_t *sig)
{
	const wt_rsa_public_key *pk = &k->pub;
	size_t ln = pk->limbs, lp = k->plimbs, lq = k->qlimbs, i;
	uint32_t c[WT_RSA_MAX_LIMBS], t[WT_RSA_MAX_LIMBS], x[WT_RSA_MAX_LIMBS];
	uint32_t prod[2 * WT_RSA_MAX_PLIMBS];
	uint32_t mp[WT_RSA_MAX_PLIMBS], mq[WT_RSA_MAX_PLIMBS];
	uint32_t rp[WT_RSA_MAX_PLIMBS], rq[WT_RSA_MAX_PLIMBS];
	uint32_t bp[WT_RSA_MAX_PLIMBS], bq[WT_RSA_MAX_PLIMBS];
	uint32_t ok, inv;

	wt_i32_decode(c, ln, em, pk->len);

	/* The blinding factors and their e-th powers, in Montgomery form. */
	blind_factor(rp, k->p, lp);
	blind_factor(rq, k->q, lq);
	wt_i32_montmul(bp, rp, k->r2p, k->p, lp, k->p0i);
	wt_i32_montmul(bq, rq, k->r2q, k->q, lq, k->q0i);
	if (lp == lq) { /* public: the primes' sizes */
		wt_i32_modpow2_vartime_e(bp, bq, pk->e, pk->elimbs, k->p, k->q, lp,
					 k->p0i, k->q0i);
	} else {
		wt_i32_modpow_vartime_e(bp, pk->e, pk->elimbs, k->p, lp, k->p0i);
		wt_i32_modpow_vartime_e(bq, pk->e, pk->elimbs, k->q, lq, k->q0i);
	}

	/* The two blinded halves c r^e mod p and mod q, Montgomery form. */
	wt_i32_to_mont_wide(mp, c, ln, k->p, k->r2p, lp, k->p0i);
	wt_i32_montmul(mp, mp, bp, k->p, lp, k->p0i);
	wt_i32_to_mont_wide(mq, c, ln, k->q, k->r2q, lq, k->q0i);
	wt_i32_montmul(mq, mq, bq, k->q, lq, k->q0i);
	if (lp == lq) { /* public: the primes' sizes */
		/* both at once, p and q in the two lanes of 128-bit vectors */
		wt_i32_modpow2_ct(mp, mq, k->dp, k->dq, lp, k->p, k->q, k->r2p, k->r2q,
				  lp, k->p0i, k->q0i);
	} else {
		wt_i32_modpow_ct(mp, k->dp, lp, k->p, k->r2p, lp, k->p0i);
		wt_i32_modpow_ct(mq, k->dq, lq, k->q, k->r2q, lq, k->q0i);
	}

	/* Unblind: m1 (Montgomery form kept for h) and m2 (normal form). */
	inv = wt_i32_modinv_ct(bp, rp, k->p, lp) & wt_i32_modinv_ct(bq, rq, k->q, lq);
	wt_i32_montmul(bp, bp, k->r2p, k->p, lp, k->p0i); /* r_p^-1 R */
	wt_i32_montmul(mp, mp, bp, k->p, lp, k->p0i);     /* m1 R */
	wt_i32_montmul(mq, mq, bq, k->q, lq, k->q0i);     /* m2 */

	/* h = qinv (m1 - m2) mod p: m2 (< q, maybe >= p) reduced into
	 * Montgomery form mod p, subtracted there, and the Montgomery
	 * factor dropped by the multiplication with qinv (< p, checked at
	 * parse time). */
	wt_i32_to_mont_wide(x, mq, lq, k->p, k->r2p, lp, k->p0i);
	wt_i32_modsub(mp, x, k->p, lp);
	wt_i32_montmul(mp, mp, k->qinv, k->p, lp, k->p0i);

	/* s = m2 + q h < n: lp + lq >= ln limbs, the top ones zero */
	wt_i32_mul(prod, mp, lp, k->q, lq);
	memset(x, 0, (lp + lq) * sizeof *x);
	memcpy(x, mq, lq * sizeof *x);
	wt_i32_add(prod, x, lp + lq, 1);
	memcpy(t, prod, ln * sizeof *t);

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
	wt_wipe(t, sizeof t);
	wt_wipe(x, sizeof x);
	wt_wipe(prod, sizeof prod);
	wt_wipe(mp, sizeof mp);
	wt_wipe(mq, sizeof mq);
	wt_wipe(rp, sizeof rp);
	wt_wipe(rq, sizeof rq);
	wt_wipe(bp, sizeof bp);
	wt_wipe(bq, sizeof bq);
	return (int)((uint32_t)WT_RSA_ERR_FAULT & ~ok);
}
