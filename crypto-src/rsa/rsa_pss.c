/*
 * rsa_pss.c: RSASSA-PSS (RFC 8017 8.1, EMSA-PSS 9.1) with MGF1 (B.2.1)
 * over the same hash as the message, for SHA-256/384/512 (see wt_rsa.h).
 * TLS 1.3 uses it with a salt as long as the digest (RFC 8446 4.2.3).
 *
 * Verification handles public data and returns early. Encoding for a
 * signature handles a secret salt (it becomes public in the signature,
 * but only once the signature is released): it is hashed and XORed, never
 * branched on.
 */
#include "inner.h"
#include "wt_hash.h"
#include "wt_host.h"
#include "wt_rsa.h"
#include "rsa/rsa_inner.h"

/* out ^= MGF1(seed, outlen) (RFC 8017 B.2.1):
 * T = Hash(seed || C(0)) || Hash(seed || C(1)) || ... with 4-byte
 * big-endian counters. */
static void mgf1_xor(uint32_t id, uint8_t *out, size_t outlen, const uint8_t *seed,
		     size_t seedlen)
{
	size_t hlen = wt_hash_len(id), off, i;
	uint8_t block[WT_HASH_MAX_LEN], ctr[4];
	wt_hash_ctx h;
	uint32_t c = 0;
	for (off = 0; off < outlen; off += hlen, c++) {
		wt_hash_init(&h, id);
		wt_hash_update(&h, seed, seedlen);
		wt_store32_be(ctr, c);
		wt_hash_update(&h, ctr, 4);
		wt_hash_out(&h, block);
		for (i = 0; i < hlen && off + i < outlen; i++)
			out[off + i] ^= block[i];
	}
	wt_wipe(block, sizeof block);
	wt_wipe(&h, sizeof h);
}

/* H = Hash(0x00 * 8 || mHash || salt) (RFC 8017 9.1.1 steps 5-6). */
static void pss_hash(uint32_t id, const uint8_t *mhash, size_t hlen, const uint8_t *salt,
		     size_t slen, uint8_t *out)
{
	static const uint8_t zeros[8] = { 0 };
	wt_hash_ctx h;
	wt_hash_init(&h, id);
	wt_hash_update(&h, zeros, 8);
	wt_hash_update(&h, mhash, hlen);
	wt_hash_update(&h, salt, slen);
	wt_hash_out(&h, out);
	wt_wipe(&h, sizeof h);
}

/* see wt_rsa.h */
int wt_rsa_verify_pss(const wt_rsa_public_key *k, uint32_t hash_id, size_t saltlen,
		      const uint8_t *digest, size_t digestlen, const uint8_t *sig,
		      size_t siglen)
{
	uint8_t buf[WT_RSA_MAX_LEN], hh[WT_HASH_MAX_LEN];
	size_t hlen = wt_hash_len(hash_id), embits, emlen, dblen, i, ps;
	const uint8_t *em, *H;
	uint8_t *db;
	uint8_t topmask;

	if (hlen == 0 || digestlen != hlen)
		return WT_RSA_ERR_HASH;
	if (!wt_rsa_public_op(k, sig, siglen, buf))
		return 0;
	/* RFC 8017 8.1.2 step 2.c: EM = I2OSP(m, emLen), emLen =
	 * ceil((modBits - 1) / 8): one byte shorter than k when modBits is
	 * 1 mod 8, and then m's leading byte must be zero to fit. */
	embits = k->bits - 1;
	emlen = (embits + 7) / 8;
	if (emlen < k->len && buf[0] != 0)
		return 0;
	em = buf + (k->len - emlen);
	/* 9.1.2 step 3: emLen >= hLen + sLen + 2 */
	if (emlen < hlen + saltlen + 2)
		return 0;
	/* step 4: the rightmost octet is 0xbc */
	if (em[emlen - 1] != 0xbc)
		return 0;
	/* step 5-6: maskedDB || H || 0xbc; the leftmost 8emLen - emBits bits
	 * of maskedDB are zero */
	dblen = emlen - hlen - 1;
	H = em + dblen;
	topmask = (uint8_t)(0xff >> (8 * emlen - embits));
	if (em[0] & ~topmask)
		return 0;
	/* steps 7-9: DB = maskedDB ^ MGF(H, dbLen), top bits cleared; done
	 * in place (em points into buf) */
	db = buf + (k->len - emlen);
	mgf1_xor(hash_id, db, dblen, H, hlen);
	db[0] &= topmask;
	/* step 10: emLen - hLen - sLen - 2 zero octets, then 0x01 */
	ps = dblen - saltlen - 1;
	for (i = 0; i < ps; i++)
		if (db[i] != 0)
			return 0;
	if (db[ps] != 0x01)
		return 0;
	/* steps 11-14: salt = the last sLen octets of DB; H' = Hash(M') */
	pss_hash(hash_id, digest, hlen, db + dblen - saltlen, saltlen, hh);
	return (int)wt_ct_eq(hh, H, hlen);
}

/* see wt_rsa.h */
int wt_rsa_sign_pss(const wt_rsa_private_key *k, uint32_t hash_id, size_t saltlen,
		    const uint8_t *digest, size_t digestlen, uint8_t *sig, size_t sigcap)
{
	uint8_t em[WT_RSA_MAX_LEN], salt[WT_RSA_MAX_LEN];
	size_t hlen = wt_hash_len(hash_id), embits, emlen, dblen, off;
	uint8_t *db;
	int r;

	if (hlen == 0 || digestlen != hlen)
		return WT_RSA_ERR_HASH;
	if (sigcap < k->pub.len)
		return WT_RSA_ERR_BUFFER;
	embits = k->pub.bits - 1;
	emlen = (embits + 7) / 8;
	/* 9.1.1 step 3: "If emLen < hLen + sLen + 2, output 'encoding
	 * error'" */
	if (emlen < hlen + saltlen + 2)
		return WT_RSA_ERR_SALT;
	off = k->pub.len - emlen; /* a leading zero byte, or none */
	dblen = emlen - hlen - 1;
	db = em + off;

	/* step 4: a random salt */
	wt_random(salt, saltlen);
	memset(em, 0, k->pub.len);
	/* steps 5-6: H into its place after DB */
	pss_hash(hash_id, digest, hlen, salt, saltlen, db + dblen);
	/* steps 7-8: DB = PS || 0x01 || salt */
	db[dblen - saltlen - 1] = 0x01;
	memcpy(db + dblen - saltlen, salt, saltlen);
	/* steps 9-11: maskedDB = DB ^ MGF(H), leftmost 8emLen - emBits bits
	 * zeroed */
	mgf1_xor(hash_id, db, dblen, db + dblen, hlen);
	db[0] &= (uint8_t)(0xff >> (8 * emlen - embits));
	/* step 12: || 0xbc */
	em[k->pub.len - 1] = 0xbc;

	r = wt_rsa_private_op(k, em, sig);
	wt_wipe(salt, sizeof salt);
	wt_wipe(em, sizeof em);
	return wt_rsa_select_result(r, k->pub.len);
}
