/*
 * ecdsa.c: ECDSA signing and verification on P-256 and P-384 (FIPS 186-5
 * section 6.4), with RFC 6979 nonces hedged by fresh entropy.
 *
 * Signing is constant-time in the private key and the nonce: the nonce
 * comes from an HMAC_DRBG keyed with the private key (wt_hmac), k*G from
 * the constant-time comb, k^-1 by Fermat's little theorem with a public
 * exponent, and the only branches are on values that are public by design
 * (whether a DRBG candidate is in range, whether r or s is zero).
 *
 * Verification handles public data only and uses the variable-time
 * double multiplication of ec_point_vartime.c.
 */
#include "ec_inner.h"
#include "wt_ecp.h"
#include "wt_hash.h"
#include "wt_host.h"

/*
 * RFC 6979 section 2.3.2 bits2int for qlen = 8*len (both curves): the
 * leftmost qlen bits of b, i.e. its first len bytes when b is longer
 * (FIPS 186-5 section 6.4.1 step 3 truncates the hash the same way), or b
 * itself, left-padded, when shorter.
 */
static void bits2int(const wt_ec_curve *c, uint8_t *out, const uint8_t *b, size_t blen)
{
	if (blen >= c->len) {
		memcpy(out, b, c->len);
	} else {
		memset(out, 0, c->len - blen);
		memcpy(out + c->len - blen, b, blen);
	}
}

/*
 * RFC 6979 section 3.2 steps d-g (with x and h1 given) or the retry step
 * of h.3 (x == NULL):
 *   K = HMAC_K(V || sep || int2octets(x) || bits2octets(h1) || k')
 *   V = HMAC_K(V)
 * k' is the additional data of section 3.6.
 */
static void drbg_update(uint32_t hash, size_t hlen, uint8_t *K, uint8_t *V, uint8_t sep,
			const uint8_t *x, const uint8_t *h1, size_t len,
			const uint8_t *extra, size_t extralen)
{
	wt_hmac_ctx m;
	wt_hmac_init(&m, hash, K, hlen);
	wt_hmac_update(&m, V, hlen);
	wt_hmac_update(&m, &sep, 1);
	if (x != NULL) {
		wt_hmac_update(&m, x, len);
		wt_hmac_update(&m, h1, len);
		if (extralen > 0)
			wt_hmac_update(&m, extra, extralen);
	}
	wt_hmac_out(&m, K);
	wt_hmac(hash, K, hlen, V, hlen, V);
	wt_wipe(&m, sizeof m);
}

static uint32_t bytes_zero(const uint8_t *b, size_t len)
{
	uint32_t acc = 0;
	size_t i;
	for (i = 0; i < len; i++)
		acc |= b[i];
	return WT_EQ0(acc);
}

/* see wt_ecp.h */
int wt_ecdsa_sign_digest_ex(uint32_t curve, uint32_t hash, const uint8_t *priv,
			    const uint8_t *digest, const uint8_t *extra, size_t extralen,
			    uint8_t *sig)
{
	const wt_ec_curve *c = wt_ec_curve_get(curve);
	size_t hlen = wt_hash_len(hash), len, tl;
	uint8_t e[WT_EC_MAXLEN], h1[WT_EC_MAXLEN], k[WT_EC_MAXLEN], xr[WT_EC_MAXLEN];
	uint8_t K[WT_HASH_MAX_LEN], V[WT_HASH_MAX_LEN];
	uint32_t em[WT_EC_MAXL], dm[WT_EC_MAXL], km[WT_EC_MAXL], rm[WT_EC_MAXL];
	uint32_t sm[WT_EC_MAXL], kinv[WT_EC_MAXL];
	wt_ec_point R;
	uint32_t ok;

	if (c == NULL || hlen == 0)
		return -1;
	len = c->len;
	ok = wt_ec_scalar_ok(c, priv);
	WT_EC_PUBLIC(&ok, sizeof ok);
	if (!ok)
		return -1;

	/* e = bits2int(H(m)) mod n; bits2octets(h1) is the same value as
	 * bytes (RFC 6979 section 2.3.4). */
	bits2int(c, e, digest, hlen);
	wt_ec_ndecode(c, em, e);
	wt_ec_nencode(c, h1, em);
	wt_ec_ndecode(c, dm, priv);

	/* RFC 6979 section 3.2 steps b-g. */
	memset(V, 0x01, hlen);
	memset(K, 0x00, hlen);
	drbg_update(hash, hlen, K, V, 0x00, priv, h1, len, extra, extralen);
	drbg_update(hash, hlen, K, V, 0x01, priv, h1, len, extra, extralen);

	for (;;) {
		/* Step h: T = V || V' || ... until qlen bits, k = bits2int(T). */
		for (tl = 0; tl < len; tl += hlen) {
			wt_hmac(hash, K, hlen, V, hlen, V);
			memcpy(k + tl, V, len - tl < hlen ? len - tl : hlen);
		}
		ok = wt_ec_scalar_ok(c, k);
		WT_EC_PUBLIC(&ok, sizeof ok);
		if (ok) {
			/* FIPS 186-5 section 6.4.1 steps 5-11:
			 * R = kG, r = x(R) mod n, s = k^-1 (e + r d) mod n. */
			wt_ec_point_mul_g(c, &R, k);
			(void)wt_ec_point_x(c, xr, &R); /* never infinity: 0 < k < n */
			wt_ec_ndecode(c, rm, xr);
			wt_ec_nencode(c, sig, rm);
			WT_EC_PUBLIC(sig, len);
			if (!bytes_zero(sig, len)) {
				wt_ec_ndecode(c, km, k);
				wt_ec_npow(c, kinv, km, c->n_minus_2);
				c->nmul(sm, rm, dm);
				c->nadd(sm, sm, em);
				c->nmul(sm, sm, kinv);
				wt_ec_nencode(c, sig + len, sm);
				WT_EC_PUBLIC(sig + len, len);
				if (!bytes_zero(sig + len, len))
					break;
			}
		}
		/* Step h.3: a rejected candidate (or r = 0, s = 0) moves the
		 * DRBG on: K = HMAC_K(V || 0x00), V = HMAC_K(V). */
		drbg_update(hash, hlen, K, V, 0x00, NULL, NULL, 0, NULL, 0);
	}
	wt_wipe(K, sizeof K);
	wt_wipe(V, sizeof V);
	wt_wipe(k, sizeof k);
	wt_wipe(xr, sizeof xr);
	wt_wipe(dm, sizeof dm);
	wt_wipe(km, sizeof km);
	wt_wipe(kinv, sizeof kinv);
	wt_wipe(sm, sizeof sm);
	wt_wipe(&R, sizeof R);
	return 0;
}

int wt_ecdsa_sign_digest(uint32_t curve, uint32_t hash, const uint8_t *priv,
			 const uint8_t *digest, uint8_t *sig)
{
	uint8_t extra[WT_EC_MAXLEN];
	size_t len = wt_ecp_scalar_len(curve);
	int r;
	if (len == 0)
		return -1;
	wt_random(extra, len);
	r = wt_ecdsa_sign_digest_ex(curve, hash, priv, digest, extra, len, sig);
	wt_wipe(extra, sizeof extra);
	return r;
}

int wt_ecdsa_sign(uint32_t curve, uint32_t hash, const uint8_t *priv, const void *msg,
		  size_t msglen, uint8_t *sig)
{
	uint8_t h[WT_HASH_MAX_LEN];
	if (wt_hash(hash, msg, msglen, h) != 0)
		return -1;
	return wt_ecdsa_sign_digest(curve, hash, priv, h, sig);
}

/*
 * FIPS 186-5 section 6.4.2. Not constant-time (public inputs). The public
 * key gets full validation (SP 800-56A section 5.6.2.3.3 also applies to
 * signature keys: FIPS 186-5 section 6.4.2 assumes a valid Q).
 */
int wt_ecdsa_verify_digest(uint32_t curve, const uint8_t *pub, size_t publen,
			   const uint8_t *digest, size_t digestlen, const uint8_t *sig)
{
	const wt_ec_curve *c = wt_ec_curve_get(curve);
	uint8_t e[WT_EC_MAXLEN], u1[WT_EC_MAXLEN], u2[WT_EC_MAXLEN];
	uint8_t q[WT_ECP_MAX_POINT_LEN];
	uint32_t em[WT_EC_MAXL], rm[WT_EC_MAXL], w[WT_EC_MAXL], t[WT_EC_MAXL];
	wt_ec_point Q;
	size_t len;

	if (c == NULL)
		return -1;
	len = c->len;
	if (wt_ecp_point_normalize(curve, pub, publen, q) != 0 ||
	    wt_ec_point_decode(c, &Q, q, 1 + 2 * len) != 0)
		return -1;
	/* Step 2: r and s in [1, n-1]. */
	if (!wt_ec_scalar_ok(c, sig) || !wt_ec_scalar_ok(c, sig + len))
		return -1;
	/* Steps 3-5: e, w = s^-1, u1 = e w, u2 = r w (all mod n). s is
	 * public: the variable-time binary GCD (ec_point_vartime.c) is 12x
	 * faster than the constant-time s^(n-2) the signer needs. That power
	 * stays as the fallback should the GCD report failure, which it
	 * cannot for 0 < s < n (n is prime): a GCD that ran past its
	 * iteration bound would then cost time, not reject a valid
	 * signature. */
	bits2int(c, e, digest, digestlen);
	wt_ec_ndecode(c, em, e);
	if (wt_ec_inv_vartime_be(c, u1, sig + len, c->n_bytes) == 0) {
		wt_ec_ndecode(c, w, u1);
	} else {
		wt_ec_ndecode(c, t, sig + len);
		wt_ec_npow(c, w, t, c->n_minus_2);
	}
	wt_ec_ndecode(c, rm, sig);
	c->nmul(t, em, w);
	wt_ec_nencode(c, u1, t);
	c->nmul(t, rm, w);
	wt_ec_nencode(c, u2, t);
	/* Steps 6-8: R = u1 G + u2 Q, not infinity, x(R) mod n == r. */
	return wt_ec_verify_combination(c, u1, u2, &Q, sig) ? 0 : -1;
}

int wt_ecdsa_verify(uint32_t curve, uint32_t hash, const uint8_t *pub, size_t publen,
		    const void *msg, size_t msglen, const uint8_t *sig)
{
	uint8_t h[WT_HASH_MAX_LEN];
	if (wt_hash(hash, msg, msglen, h) != 0)
		return -1;
	return wt_ecdsa_verify_digest(curve, pub, publen, h, wt_hash_len(hash), sig);
}
