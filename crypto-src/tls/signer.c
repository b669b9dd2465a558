/*
 * signer.c: a ctx whose private key stays with the host (wt_tls.h,
 * "private key operations"). The engine still chooses the scheme: from
 * the leaf certificate's key (the peer judges the signature by it, RFC
 * 8446 4.2.3 and 4.4.2.2), the signer's list and the peer's. The key's
 * type and size, read from the leaf, stand in ctx->key (its secret part
 * stays zero and is never used: every place that signs asks keyop.c
 * first), so the scheme and TLS 1.2 suite choices work unchanged.
 *
 * Layer: above handshake.c (reads the leaf's SubjectPublicKeyInfo);
 * called by the exports only.
 */
#include "tls_inner.h"

/* The length of the leaf, the chain's first DER element (wt_tls_ctx_set_chain
 * checked the chain is a sequence of them): a definite length of at most
 * three bytes, as any certificate that fits a handshake has. */
static size_t leaf_len(const uint8_t *p, size_t n)
{
	size_t len = 0, i, k;
	if (n < 2)
		return 0;
	if (p[1] < 0x80)
		return 2 + (size_t)p[1];
	k = p[1] & 0x7F;
	if (k == 0 || k > 3 || n < 2 + k)
		return 0;
	for (i = 0; i < k; i++)
		len = len << 8 | p[2 + i];
	return 2 + k + len > n ? 0 : 2 + k + len;
}

int wt_tls_ctx_set_signer(wt_tls_ctx *ctx, const uint16_t *schemes, size_t n)
{
	const uint8_t *spki;
	size_t sl, i;
	wt_pubkey pk;
	if (n == 0 || n > WT_TLS_MAX_SIGNER ||
	    wt_tls_spki_of_cert(ctx->chain, leaf_len(ctx->chain, ctx->chainlen), &spki,
				&sl) ||
	    wt_pubkey_from_spki(&pk, spki, sl) != 0)
		return WT_TLS_ERR_CONFIG;
	for (i = 0; i < n; i++) {
		/* a scheme we know (Ed25519's names no separate hash) */
		if (wt_sig_scheme_hash(schemes[i]) == 0 && schemes[i] != WT_SIG_ED25519)
			return WT_TLS_ERR_CONFIG;
		ctx->signer_schemes[i] = schemes[i];
	}
	wt_wipe(&ctx->key, sizeof ctx->key);
	ctx->key.type = pk.type;
	ctx->key.bits = pk.bits;
	ctx->key.pss_hash = pk.pss_hash;
	ctx->nsigner = (uint32_t)n;
	ctx->signer = 1;
	ctx->has_key = 1;
	return 0;
}
