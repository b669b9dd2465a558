/*
 * kex.c: (EC)DHE and hybrid key exchange by TLS NamedGroup (see wt_pk.h).
 *
 *   x25519          RFC 7748 / RFC 8446 7.4.2: shares are 32-byte u-coordinates,
 *                   an all-zero shared secret is refused.
 *   secp256r1/384r1 RFC 8446 4.2.8.2: UncompressedPointRepresentation, the
 *                   peer's point validated (on the curve, not infinity);
 *                   7.4.1: the shared secret is the X coordinate.
 *   X25519MLKEM768  draft-ietf-tls-ecdhe-mlkem section 3: client share =
 *                   ML-KEM-768 encapsulation key (1184) || X25519 (32);
 *                   server share = ciphertext (1088) || X25519 (32);
 *                   shared secret = ML-KEM secret (32) || X25519 secret (32).
 *
 * Ephemeral secrets are wiped once used; wt_kex_client_finish wipes the
 * whole context.
 */
#include "inner.h"
#include "wt_ec25519.h"
#include "wt_ecp.h"
#include "wt_host.h"
#include "wt_mlkem.h"
#include "wt_pk.h"

#define MLKEM_EK WT_MLKEM768_EK_LEN
#define MLKEM_CT WT_MLKEM768_CT_LEN

/* The wt_ecp curve id of a NIST group, 0 for other groups. */
static uint32_t ecp_curve(uint32_t group)
{
	switch (group) {
	case WT_GROUP_SECP256R1: return WT_P256;
	case WT_GROUP_SECP384R1: return WT_P384;
	default: return 0;
	}
}

int wt_kex_supported(uint32_t group)
{
	return wt_kex_client_share_len(group) != 0;
}

size_t wt_kex_client_share_len(uint32_t group)
{
	switch (group) {
	case WT_GROUP_X25519: return 32;
	case WT_GROUP_SECP256R1: return 65;
	case WT_GROUP_SECP384R1: return 97;
	case WT_GROUP_X25519MLKEM768: return MLKEM_EK + 32;
	default: return 0;
	}
}

size_t wt_kex_server_share_len(uint32_t group)
{
	if (group == WT_GROUP_X25519MLKEM768)
		return MLKEM_CT + 32;
	return wt_kex_client_share_len(group);
}

/* X25519 key pair from fresh entropy; RFC 7748 5: the scalar is clamped
 * inside wt_x25519, so any 32 random bytes make a private key. */
static void x25519_keygen(uint8_t priv[32], uint8_t pub[32])
{
	wt_random(priv, 32);
	wt_x25519_base(pub, priv);
}

int wt_kex_client_keygen(wt_kex_ctx *k, uint32_t group, uint8_t *share)
{
	uint32_t curve = ecp_curve(group);
	memset(k, 0, sizeof *k);
	k->group = group;
	switch (group) {
	case WT_GROUP_X25519: x25519_keygen(k->ec_priv, share); return WT_PK_OK;
	case WT_GROUP_SECP256R1:
	case WT_GROUP_SECP384R1:
		return wt_ecp_keygen(curve, k->ec_priv, share) == 0 ? WT_PK_OK :
								      WT_PK_ERR_ARG;
	case WT_GROUP_X25519MLKEM768:
		wt_mlkem768_keygen(share, k->mlkem_sk);
		x25519_keygen(k->ec_priv, share + MLKEM_EK);
		return WT_PK_OK;
	default: return WT_PK_ERR_ARG;
	}
}

int wt_kex_client_finish(wt_kex_ctx *k, const uint8_t *server_share, size_t len,
			 uint8_t *secret, size_t *secretlen)
{
	uint32_t group = k->group, curve = ecp_curve(group);
	int r = WT_PK_ERR_ARG;
	*secretlen = 0;
	if (len != wt_kex_server_share_len(group)) {
		r = WT_PK_ERR_POINT;
		goto out;
	}
	switch (group) {
	case WT_GROUP_X25519:
		if (wt_x25519(secret, k->ec_priv, server_share) != 0) {
			r = WT_PK_ERR_ZERO;
			break;
		}
		*secretlen = 32;
		r = WT_PK_OK;
		break;
	case WT_GROUP_SECP256R1:
	case WT_GROUP_SECP384R1:
		if (wt_ecdh(curve, k->ec_priv, server_share, len, secret) != 0) {
			r = WT_PK_ERR_POINT;
			break;
		}
		*secretlen = wt_ecp_scalar_len(curve);
		r = WT_PK_OK;
		break;
	case WT_GROUP_X25519MLKEM768:
		/* Our own decapsulation key: no 7.3 check needed. A bad
		 * ciphertext is not an error here (implicit rejection): the
		 * Finished check fails later instead. */
		wt_mlkem768_decaps_internal(secret, k->mlkem_sk, server_share);
		if (wt_x25519(secret + 32, k->ec_priv, server_share + MLKEM_CT) != 0) {
			wt_wipe(secret, 64);
			r = WT_PK_ERR_ZERO;
			break;
		}
		*secretlen = 64;
		r = WT_PK_OK;
		break;
	default: break;
	}
out:
	wt_wipe(k, sizeof *k);
	return r;
}

/* see wt_pk.h */
int wt_kex_client_narrow(wt_kex_ctx *k, uint32_t group)
{
	if (k->group != WT_GROUP_X25519MLKEM768 || group != WT_GROUP_X25519)
		return WT_PK_ERR_ARG;
	wt_wipe(k->mlkem_sk, sizeof k->mlkem_sk);
	k->group = WT_GROUP_X25519;
	return WT_PK_OK;
}

int wt_kex_server(uint32_t group, const uint8_t *client_share, size_t len,
		  uint8_t *server_share, uint8_t *secret, size_t *secretlen)
{
	uint8_t priv[48];
	uint32_t curve = ecp_curve(group);
	int r = WT_PK_ERR_ARG;
	*secretlen = 0;
	if (!wt_kex_supported(group))
		return WT_PK_ERR_ARG;
	if (len != wt_kex_client_share_len(group))
		return WT_PK_ERR_POINT;
	switch (group) {
	case WT_GROUP_X25519:
		x25519_keygen(priv, server_share);
		r = wt_x25519(secret, priv, client_share) == 0 ? WT_PK_OK :
								 WT_PK_ERR_ZERO;
		*secretlen = 32;
		break;
	case WT_GROUP_SECP256R1:
	case WT_GROUP_SECP384R1:
		/* Validate the peer's point before spending a key on it. */
		if (wt_ecp_point_check(curve, client_share, len) != 0) {
			r = WT_PK_ERR_POINT;
			break;
		}
		if (wt_ecp_keygen(curve, priv, server_share) != 0 ||
		    wt_ecdh(curve, priv, client_share, len, secret) != 0) {
			r = WT_PK_ERR_POINT;
			break;
		}
		*secretlen = wt_ecp_scalar_len(curve);
		r = WT_PK_OK;
		break;
	case WT_GROUP_X25519MLKEM768:
		/* FIPS 203 7.2 encapsulation key check happens inside encaps;
		 * draft-ietf-tls-ecdhe-mlkem: a failed check is an
		 * illegal_parameter, reported here as an invalid share. */
		if (wt_mlkem768_encaps(server_share, secret, client_share) != 0) {
			r = WT_PK_ERR_POINT;
			break;
		}
		x25519_keygen(priv, server_share + MLKEM_CT);
		if (wt_x25519(secret + 32, priv, client_share + MLKEM_EK) != 0) {
			r = WT_PK_ERR_ZERO;
			break;
		}
		*secretlen = 64;
		r = WT_PK_OK;
		break;
	}
	if (r != WT_PK_OK) {
		wt_wipe(secret, WT_KEX_SECRET_MAX);
		*secretlen = 0;
	}
	wt_wipe(priv, sizeof priv);
	return r;
}
