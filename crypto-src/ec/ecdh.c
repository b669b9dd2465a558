/*
 * ecdh.c: key pairs, public-key validation and the ECDH primitive for
 * P-256 and P-384 (SP 800-56A rev 3 section 5.7.1.2, "ECC CDH" with
 * cofactor 1), as TLS 1.3 (RFC 8446 section 7.4.2) uses it: the shared
 * secret is the x coordinate of the product.
 */
#include "ec_inner.h"
#include "wt_ecp.h"
#include "wt_host.h"

/* see wt_ecp.h */
size_t wt_ecp_scalar_len(uint32_t curve)
{
	const wt_ec_curve *c = wt_ec_curve_get(curve);
	return c ? c->len : 0;
}

size_t wt_ecp_point_len(uint32_t curve)
{
	const wt_ec_curve *c = wt_ec_curve_get(curve);
	return c ? 1 + 2 * (size_t)c->len : 0;
}

int wt_ecp_public_key(uint32_t curve, const uint8_t *priv, uint8_t *pub)
{
	const wt_ec_curve *c = wt_ec_curve_get(curve);
	wt_ec_point P;
	uint32_t ok;
	int r;
	if (c == NULL)
		return -1;
	/* Whether the key is in range is what the caller learns anyway. */
	ok = wt_ec_scalar_ok(c, priv);
	WT_EC_PUBLIC(&ok, sizeof ok);
	if (!ok)
		return -1;
	wt_ec_point_mul_g(c, &P, priv);
	r = wt_ec_point_encode(c, pub, &P);
	wt_wipe(&P, sizeof P);
	return r;
}

/*
 * FIPS 186-5 appendix A.2.2 (rejection sampling): draw len random bytes
 * until they form an integer in [1, n-1]. n is within 2^-32 (P-256) or
 * 2^-190 (P-384) of 2^bits, so a second draw is rare; a rejected
 * candidate is discarded, so the loop count reveals nothing about the key.
 */
int wt_ecp_keygen(uint32_t curve, uint8_t *priv, uint8_t *pub)
{
	const wt_ec_curve *c = wt_ec_curve_get(curve);
	uint32_t ok;
	if (c == NULL)
		return -1;
	do {
		wt_random(priv, c->len);
		ok = wt_ec_scalar_ok(c, priv);
		WT_EC_PUBLIC(&ok, sizeof ok);
	} while (!ok);
	return wt_ecp_public_key(curve, priv, pub);
}

int wt_ecp_point_check(uint32_t curve, const uint8_t *pub, size_t publen)
{
	const wt_ec_curve *c = wt_ec_curve_get(curve);
	wt_ec_point P;
	if (c == NULL)
		return -1;
	return wt_ec_point_decode(c, &P, pub, publen);
}

int wt_ecp_point_normalize(uint32_t curve, const uint8_t *in, size_t inlen, uint8_t *out)
{
	const wt_ec_curve *c = wt_ec_curve_get(curve);
	wt_ec_point P;
	if (c == NULL || inlen == 0)
		return -1;
	if (in[0] == 0x04) {
		if (wt_ec_point_decode(c, &P, in, inlen) != 0)
			return -1;
		memcpy(out, in, inlen);
		return 0;
	}
	return wt_ec_point_decompress(c, out, in, inlen);
}

/*
 * SP 800-56A rev 3 section 5.7.1.2: Z = x(d * Q), an error if the product
 * is the point at infinity. The peer point gets the full validation of
 * section 5.6.2.3.3 first (an invalid-curve point would leak d). With a
 * valid point on a prime-order curve and 1 <= d <= n-1 the product is
 * never infinity; the check stays as the standard requires it.
 */
int wt_ecdh(uint32_t curve, const uint8_t *priv, const uint8_t *peer, size_t peerlen,
	    uint8_t *secret)
{
	const wt_ec_curve *c = wt_ec_curve_get(curve);
	wt_ec_point Q, R;
	uint32_t ok;
	int r;
	if (c == NULL)
		return -1;
	ok = wt_ec_scalar_ok(c, priv);
	WT_EC_PUBLIC(&ok, sizeof ok);
	if (!ok || wt_ec_point_decode(c, &Q, peer, peerlen) != 0)
		return -1;
	wt_ec_point_mul(c, &R, &Q, priv);
	r = wt_ec_point_x(c, secret, &R);
	wt_wipe(&R, sizeof R);
	if (r != 0)
		wt_wipe(secret, c->len);
	return r;
}
