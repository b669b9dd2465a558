/*
 * keysched12.c: the TLS 1.2 key schedule (RFC 5246 5, 6.3, 7.4.9, 8.1;
 * RFC 7627 4), for the ECDHE + AEAD suites only:
 *
 *   pre_master_secret (the ECDHE shared secret, RFC 8422 5.10)
 *     -> master_secret = PRF(pms, "extended master secret", session_hash)
 *                        (RFC 7627 4; or "master secret" over the two
 *                        randoms when the peer has no EMS, RFC 5246 8.1)
 *     -> key_block = PRF(ms, "key expansion", server_random + client_random)
 *     -> verify_data = PRF(ms, "client finished" | "server finished",
 *                          Hash(handshake_messages))[0..11]
 *
 * The PRF is P_<hash> with the suite's hash (SHA-256, or SHA-384 for the
 * _SHA384 suites, RFC 5288 3 / RFC 5289 3.2). Like keysched13.c nothing
 * is kept between calls; every intermediate value is wiped.
 */
#include "tls_inner.h"

int wt_ks12_suite_params(uint32_t suite, uint32_t *hash, uint32_t *aead, uint32_t *keylen,
			 uint32_t *ecdsa)
{
	switch (suite) {
	case WT_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256:
	case WT_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256:
		*hash = WT_SHA256;
		*aead = WT_AEAD_AES128GCM;
		*keylen = 16;
		break;
	case WT_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384:
	case WT_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384:
		*hash = WT_SHA384;
		*aead = WT_AEAD_AES256GCM;
		*keylen = 32;
		break;
	case WT_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256:
	case WT_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256:
		*hash = WT_SHA256;
		*aead = WT_AEAD_CHACHA20POLY1305;
		*keylen = 32;
		break;
	default: return -1;
	}
	*ecdsa = suite == WT_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 ||
		suite == WT_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 ||
		suite == WT_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256;
	return 0;
}

/* label || seed1 || seed2 into h (an empty piece may be NULL). */
static void seed_in(wt_hmac_ctx *h, const char *label, size_t ll, const uint8_t *seed1,
		    size_t s1len, const uint8_t *seed2, size_t s2len)
{
	wt_hmac_update(h, label, ll);
	if (s1len)
		wt_hmac_update(h, seed1, s1len);
	if (s2len)
		wt_hmac_update(h, seed2, s2len);
}

/* RFC 5246 5:
 *   P_hash(secret, seed) = HMAC_hash(secret, A(1) + seed) +
 *                          HMAC_hash(secret, A(2) + seed) + ...
 *   A(0) = seed, A(i) = HMAC_hash(secret, A(i-1))
 *   PRF(secret, label, seed) = P_<hash>(secret, label + seed)
 * The seed is label || seed1 || seed2, fed in pieces. */
int wt_prf12(uint32_t hash, const uint8_t *secret, size_t slen, const char *label,
	     const uint8_t *seed1, size_t s1len, const uint8_t *seed2, size_t s2len,
	     uint8_t *out, size_t outlen)
{
	wt_hmac_ctx keyed, h;
	uint8_t a[WT_HASH_MAX_LEN], blk[WT_HASH_MAX_LEN];
	size_t hl = wt_hash_len(hash), ll = strlen(label), n;
	if (hl == 0 || wt_hmac_init(&keyed, hash, secret, slen) != 0)
		return -1;
	/* A(1) = HMAC(secret, seed) */
	h = keyed;
	seed_in(&h, label, ll, seed1, s1len, seed2, s2len);
	wt_hmac_out(&h, a);
	while (outlen > 0) {
		h = keyed;
		wt_hmac_update(&h, a, hl);
		seed_in(&h, label, ll, seed1, s1len, seed2, s2len);
		wt_hmac_out(&h, blk);
		n = outlen < hl ? outlen : hl;
		memcpy(out, blk, n);
		out += n;
		outlen -= n;
		if (outlen > 0) {
			h = keyed;
			wt_hmac_update(&h, a, hl);
			wt_hmac_out(&h, a);
		}
	}
	wt_wipe(&keyed, sizeof keyed);
	wt_wipe(&h, sizeof h);
	wt_wipe(a, sizeof a);
	wt_wipe(blk, sizeof blk);
	return 0;
}

int wt_ks12_master(uint32_t hash, const uint8_t *pms, size_t pmslen, int ems,
		   const uint8_t *session_hash, const uint8_t cr[32],
		   const uint8_t sr[32], uint8_t ms[48])
{
	/* RFC 7627 4: "master_secret = PRF(pre_master_secret, "extended
	 * master secret", session_hash)[0..47]", session_hash being the
	 * transcript hash up to and including ClientKeyExchange. */
	if (ems)
		return wt_prf12(hash, pms, pmslen, "extended master secret", session_hash,
				wt_hash_len(hash), NULL, 0, ms, 48);
	/* RFC 5246 8.1: "master_secret = PRF(pre_master_secret, "master
	 * secret", ClientHello.random + ServerHello.random)[0..47];" */
	return wt_prf12(hash, pms, pmslen, "master secret", cr, 32, sr, 32, ms, 48);
}

int wt_ks12_key_block(uint32_t hash, const uint8_t ms[48], const uint8_t cr[32],
		      const uint8_t sr[32], size_t keylen, size_t ivlen, uint8_t *out)
{
	/* RFC 5246 6.3: "key_block = PRF(SecurityParameters.master_secret,
	 * "key expansion", SecurityParameters.server_random +
	 * SecurityParameters.client_random);" partitioned as client MAC key,
	 * server MAC key (none for AEAD suites), client_write_key,
	 * server_write_key, client_write_IV, server_write_IV. */
	return wt_prf12(hash, ms, 48, "key expansion", sr, 32, cr, 32, out,
			2 * keylen + 2 * ivlen);
}

int wt_ks12_finished(uint32_t hash, const uint8_t ms[48], int client,
		     const uint8_t *thash, uint8_t out[12])
{
	/* RFC 5246 7.4.9: "verify_data = PRF(master_secret, finished_label,
	 * Hash(handshake_messages))[0..verify_data_length-1];" with
	 * verify_data_length 12 for every suite here. */
	return wt_prf12(hash, ms, 48, client ? "client finished" : "server finished",
			thash, wt_hash_len(hash), NULL, 0, out, 12);
}
