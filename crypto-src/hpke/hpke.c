/*
 * hpke.c: HPKE base mode (RFC 9180) over DHKEM(X25519, HKDF-SHA256),
 * HKDF-SHA256 and the three AEADs of wt_aead.h. See wt_hpke.h.
 *
 * Constant time: the secrets (skE, skR, the DH output, the PRKs, the
 * key and nonce) only pass through X25519, HMAC and the AEAD key
 * schedule, all constant-time; no branch here depends on them except
 * the all-zero DH check, which RFC 9180 7.1.4 requires and which
 * wt_x25519 computes without branching on the value (its result, an
 * error or not, is public: the peer chose the point).
 */
#include "inner.h"
#include "wt_ec25519.h"
#include "wt_hash.h"
#include "wt_hpke.h"

/* RFC 9180 4: suite_id = "KEM" || I2OSP(kem_id, 2) for the KEM's own
 * derivations, "HPKE" || I2OSP(kem_id, 2) || I2OSP(kdf_id, 2) ||
 * I2OSP(aead_id, 2) for the key schedule. */
typedef struct {
	uint8_t b[10];
	size_t n;
} suite_id;

static void kem_suite(suite_id *s)
{
	memcpy(s->b, "KEM", 3);
	wt_store16_be(s->b + 3, WT_HPKE_KEM_X25519_SHA256);
	s->n = 5;
}

static void hpke_suite(suite_id *s, uint32_t kdf, uint32_t aead)
{
	memcpy(s->b, "HPKE", 4);
	wt_store16_be(s->b + 4, WT_HPKE_KEM_X25519_SHA256);
	wt_store16_be(s->b + 6, kdf);
	wt_store16_be(s->b + 8, aead);
	s->n = 10;
}

/* LabeledExtract(salt, label, ikm) = Extract(salt, "HPKE-v1" ||
 * suite_id || label || ikm) (RFC 9180 4), streamed into HMAC so a long
 * ikm (ECH's info carries a whole ECHConfig) needs no buffer. An empty
 * salt is HashLen zeros (RFC 5869 2.2). */
static void labeled_extract(uint8_t prk[32], const suite_id *s, const uint8_t *salt,
			    size_t saltlen, const char *label, const uint8_t *ikm,
			    size_t ikmlen)
{
	static const uint8_t zeros[32] = { 0 };
	wt_hmac_ctx h;
	if (saltlen == 0) {
		salt = zeros;
		saltlen = 32;
	}
	wt_hmac_init(&h, WT_SHA256, salt, saltlen);
	wt_hmac_update(&h, "HPKE-v1", 7);
	wt_hmac_update(&h, s->b, s->n);
	wt_hmac_update(&h, label, strlen(label));
	if (ikmlen > 0)
		wt_hmac_update(&h, ikm, ikmlen);
	wt_hmac_out(&h, prk);
	wt_wipe(&h, sizeof h);
}

/* LabeledExpand(prk, label, info, L) = Expand(prk, I2OSP(L, 2) ||
 * "HPKE-v1" || suite_id || label || info, L). Here info is at most the
 * 65-byte key schedule context and labels are short literals. */
static void labeled_expand(uint8_t *out, size_t L, const suite_id *s,
			   const uint8_t prk[32], const char *label, const uint8_t *info,
			   size_t infolen)
{
	uint8_t buf[2 + 7 + 10 + 16 + 65];
	size_t ll = strlen(label), n = 0;
	wt_store16_be(buf, (uint32_t)L);
	n = 2;
	memcpy(buf + n, "HPKE-v1", 7);
	n += 7;
	memcpy(buf + n, s->b, s->n);
	n += s->n;
	memcpy(buf + n, label, ll);
	n += ll;
	if (infolen > 0)
		memcpy(buf + n, info, infolen);
	n += infolen;
	wt_hkdf_expand(WT_SHA256, prk, 32, buf, n, out, L);
}

int wt_hpke_suite_ok(uint32_t kem, uint32_t kdf, uint32_t aead)
{
	return kem == WT_HPKE_KEM_X25519_SHA256 && kdf == WT_HPKE_KDF_SHA256 &&
		aead >= 1 && aead <= 3;
}

void wt_hpke_derive_keypair(uint8_t sk[32], uint8_t pk[32], const uint8_t *ikm,
			    size_t ikmlen)
{
	/* RFC 9180 7.1.3: dkp_prk = LabeledExtract("", "dkp_prk", ikm);
	 * sk = LabeledExpand(dkp_prk, "sk", "", Nsk). */
	suite_id s;
	uint8_t prk[32];
	kem_suite(&s);
	labeled_extract(prk, &s, NULL, 0, "dkp_prk", ikm, ikmlen);
	labeled_expand(sk, 32, &s, prk, "sk", NULL, 0);
	wt_x25519_base(pk, sk);
	wt_wipe(prk, sizeof prk);
}

/* DHKEM ExtractAndExpand (RFC 9180 4.1): eae_prk = LabeledExtract("",
 * "eae_prk", dh); shared_secret = LabeledExpand(eae_prk,
 * "shared_secret", enc || pkR, Nsecret); then the base-mode key
 * schedule (5.1) from it into the context. */
static int finish(wt_hpke_ctx *c, uint32_t kdf, uint32_t aead, const uint8_t dh[32],
		  const uint8_t enc[32], const uint8_t pkR[32], const uint8_t *info,
		  size_t infolen)
{
	suite_id s;
	uint8_t kem_ctx[64], prk[32], ss[32], ks_ctx[65], key[32];
	size_t nk = wt_aead_key_len(aead);
	int r;

	kem_suite(&s);
	memcpy(kem_ctx, enc, 32);
	memcpy(kem_ctx + 32, pkR, 32);
	labeled_extract(prk, &s, NULL, 0, "eae_prk", dh, 32);
	labeled_expand(ss, 32, &s, prk, "shared_secret", kem_ctx, 64);

	/* key_schedule_context = mode || psk_id_hash || info_hash, mode 0
	 * (base), psk and psk_id empty (RFC 9180 5.1). */
	hpke_suite(&s, kdf, aead);
	ks_ctx[0] = 0;
	labeled_extract(ks_ctx + 1, &s, NULL, 0, "psk_id_hash", NULL, 0);
	labeled_extract(ks_ctx + 33, &s, NULL, 0, "info_hash", info, infolen);
	/* secret = LabeledExtract(shared_secret, "secret", psk) */
	labeled_extract(prk, &s, ss, 32, "secret", NULL, 0);
	labeled_expand(key, nk, &s, prk, "key", ks_ctx, 65);
	labeled_expand(c->base_nonce, 12, &s, prk, "base_nonce", ks_ctx, 65);
	c->seq = 0;
	r = wt_aead_init(&c->aead, aead, key, nk);
	wt_wipe(prk, sizeof prk);
	wt_wipe(ss, sizeof ss);
	wt_wipe(key, sizeof key);
	return r == 0 ? 0 : -1;
}

int wt_hpke_setup_s(wt_hpke_ctx *c, uint32_t kdf, uint32_t aead, uint8_t enc[32],
		    const uint8_t pkR[32], const uint8_t skE[32], const uint8_t *info,
		    size_t infolen)
{
	uint8_t dh[32];
	int r;
	memset(c, 0, sizeof *c);
	if (!wt_hpke_suite_ok(WT_HPKE_KEM_X25519_SHA256, kdf, aead))
		return -1;
	/* Encap: enc = SerializePublicKey(pkE); dh = DH(skE, pkR), which
	 * "MUST" fail on an all-zero output (RFC 9180 7.1.4). */
	wt_x25519_base(enc, skE);
	r = wt_x25519(dh, skE, pkR);
	if (r == 0)
		r = finish(c, kdf, aead, dh, enc, pkR, info, infolen);
	wt_wipe(dh, sizeof dh);
	return r;
}

int wt_hpke_setup_r(wt_hpke_ctx *c, uint32_t kdf, uint32_t aead, const uint8_t enc[32],
		    const uint8_t skR[32], const uint8_t *info, size_t infolen)
{
	uint8_t dh[32], pkR[32];
	int r;
	memset(c, 0, sizeof *c);
	if (!wt_hpke_suite_ok(WT_HPKE_KEM_X25519_SHA256, kdf, aead))
		return -1;
	/* Decap: dh = DH(skR, pkE); kem_context = enc || pk(skR). */
	wt_x25519_base(pkR, skR);
	r = wt_x25519(dh, skR, enc);
	if (r == 0)
		r = finish(c, kdf, aead, dh, enc, pkR, info, infolen);
	wt_wipe(dh, sizeof dh);
	return r;
}

/* RFC 9180 5.2 ComputeNonce(seq): base_nonce XOR I2OSP(seq, Nn). */
static void nonce(const wt_hpke_ctx *c, uint8_t n[12])
{
	int i;
	memcpy(n, c->base_nonce, 12);
	for (i = 0; i < 8; i++)
		n[11 - i] ^= (uint8_t)(c->seq >> (8 * i));
}

int wt_hpke_seal(wt_hpke_ctx *c, const uint8_t *aad, size_t aadlen, const uint8_t *pt,
		 size_t len, uint8_t *out)
{
	uint8_t n[12];
	/* RFC 9180 5.2 IncrementSeq: "if self.seq >= (1 << (8*Nn)) - 1:
	 * raise MessageLimitReachedError"; with a 64-bit counter the limit
	 * is 2^64 - 1. */
	if (c->seq == UINT64_MAX)
		return -1;
	nonce(c, n);
	if (wt_aead_seal(&c->aead, n, 12, aad, aadlen, pt, len, out, out + len) != 0)
		return -1;
	c->seq++;
	return 0;
}

int wt_hpke_open(wt_hpke_ctx *c, const uint8_t *aad, size_t aadlen, const uint8_t *ct,
		 size_t len, uint8_t *out)
{
	uint8_t n[12];
	if (len < WT_HPKE_TAG_LEN || c->seq == UINT64_MAX)
		return -1;
	len -= WT_HPKE_TAG_LEN;
	nonce(c, n);
	if (wt_aead_open(&c->aead, n, 12, aad, aadlen, ct, len, out, ct + len) != 0)
		return -1;
	c->seq++;
	return 0;
}

void wt_hpke_set_seq(wt_hpke_ctx *c, uint64_t seq)
{
	c->seq = seq;
}

void wt_hpke_clear(wt_hpke_ctx *c)
{
	wt_wipe(c, sizeof *c);
}
