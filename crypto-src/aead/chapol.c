/*
 * chapol.c: AEAD_CHACHA20_POLY1305 (RFC 8439 section 2.8).
 *
 *   otk  = first 32 bytes of ChaCha20 block 0 under (key, nonce)  (2.6)
 *   ct   = ChaCha20(key, nonce, counter 1) XOR plaintext
 *   tag  = Poly1305(otk, aad | pad16 | ct | pad16 | le64(|aad|) | le64(|ct|))
 *
 * Open verifies first and decrypts after, and does so without a branch
 * on the verdict: the comparison gives a mask that the decryption pass
 * ANDs into every output word, so a forged message yields zeros where the
 * plaintext would be, in the same time as a genuine one. The verdict
 * becomes public only in the returned code.
 */
#include "inner.h"
#include "chapol_inner.h"
#include "wt_chapol.h"

/* see wt_chapol.h */
int wt_chapol_init(wt_chapol_ctx *c, const uint8_t *key, size_t keylen)
{
	int i;
	if (keylen != 32)
		return -1;
	for (i = 0; i < 8; i++)
		c->k[i] = wt_load32_le(key + 4 * i);
	return 0;
}

/* The Poly1305 tag over (aad, ct) with the one-time key of this nonce. */
static void compute_tag(const wt_chapol_ctx *c, const uint8_t nonce[12],
			const uint8_t *aad, size_t aadlen, const uint8_t *ct, size_t len,
			uint8_t tag[16])
{
	/* Section 2.6: the one-time key is the first 32 bytes of block 0. */
	static const uint8_t zero[32] = { 0 };
	uint8_t otk[32], lens[16];
	wt_poly1305_ctx p;
	wt_chacha20_run(c->k, nonce, 0, zero, otk, 32, 0xFFFFFFFFu);
	wt_poly1305_init(&p, otk);
	wt_poly1305_update_padded(&p, aad, aadlen);
	wt_poly1305_update_padded(&p, ct, len);
	wt_store64_le(lens, (uint64_t)aadlen);
	wt_store64_le(lens + 8, (uint64_t)len);
	wt_poly1305_update(&p, lens, 16);
	wt_poly1305_final(&p, tag);
	wt_wipe(otk, sizeof otk);
}

/* see wt_chapol.h
 * Two passes, ChaCha20 over the record then Poly1305 over the
 * ciphertext (16 KiB stays in L1). Stitching the two, each group of four
 * ChaCha20 blocks' rounds interleaved with Poly1305 over the previous
 * group, measured slower in V8 with the scalar Poly1305 step and with the
 * vector one alike (seal 16 KiB at about 0.85x of the two passes): the
 * joined state spills (issue #16). */
int wt_chapol_seal(const wt_chapol_ctx *c, const uint8_t nonce[12], const uint8_t *aad,
		   size_t aadlen, const uint8_t *in, size_t len, uint8_t *out,
		   uint8_t tag[16])
{
	if ((uint64_t)len > WT_CHAPOL_MAX_LEN)
		return -1;
	wt_chacha20_run(c->k, nonce, 1, in, out, len, 0xFFFFFFFFu);
	compute_tag(c, nonce, aad, aadlen, out, len, tag);
	return 0;
}

/* see wt_chapol.h */
int wt_chapol_open(const wt_chapol_ctx *c, const uint8_t nonce[12], const uint8_t *aad,
		   size_t aadlen, const uint8_t *in, size_t len, uint8_t *out,
		   const uint8_t tag[16])
{
	uint8_t want[16];
	uint32_t ok;
	if ((uint64_t)len > WT_CHAPOL_MAX_LEN)
		return -1;
	/* The MAC is over the ciphertext, so it is checked before a byte of
	 * plaintext exists (in may be out: in place it must be). */
	compute_tag(c, nonce, aad, aadlen, in, len, want);
	ok = wt_ct_eq(want, tag, 16);
	wt_wipe(want, sizeof want);
	/* Plaintext if ok, zeros otherwise (see the file comment). */
	wt_chacha20_run(c->k, nonce, 1, in, out, len, -ok);
	/* 0 if ok, -2 if not, computed without a branch. */
	return -(int)(2 * (ok ^ 1));
}
