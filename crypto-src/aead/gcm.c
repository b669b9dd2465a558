/*
 * gcm.c: AES-GCM (NIST SP 800-38D) over the bitsliced AES of aes_ct64.c /
 * aes_ctv128.c and the GHASH of ghash_ctmul64.c. Constant-time: the only
 * branches are on lengths (AAD, IV, data) and on the implementation id;
 * open applies its tag verdict by masking, so not even that is branched
 * on before it is returned.
 *
 * wt_gcm_init picks aes_ctv128 where the target has 128-bit vectors (the
 * SIMD wasm build; natively x86-64/aarch64) and aes_ct64 otherwise (the
 * scalar wasm build). wt_gcm_init_impl (tests only) forces one, so both
 * run natively under the KATs and Valgrind.
 */
#include "wt_gcm.h"
#include "aes_ct.h"

/* SP 800-38D section 5.2.1.1: len(P) <= 2^39 - 256 bits. */
#define GCM_MAX_LEN ((((uint64_t)1) << 36) - 32)

static const uint8_t ZERO[128];

/* Where the tag mask E(K, J0) comes from: the first keystream batch runs
 * from J0 itself, so the mask costs no batch of its own (1 KiB records
 * would otherwise pay 1/8 more). FIRST is that batch's data bytes. */
#define FIRST 112

static int init_impl(wt_gcm_ctx *c, const uint8_t *key, size_t keylen, uint32_t impl)
{
	uint8_t rk[16 * 15], h[16];
	unsigned nr;
	memset(c, 0, sizeof *c);
	nr = wt_aes_expand(rk, key, keylen);
	if (nr == 0)
		return -1;
	c->impl = impl;
	c->rounds = nr;
	if (impl == WT_AES_IMPL_CT64)
		wt_aes_ct64_schedule(c->sk, rk, nr);
#if WT_HAVE_AESV
	else
		wt_aes_ctv128_schedule(c->sk, rk, nr);
#endif
	wt_wipe(rk, sizeof rk);
	/* H = E(K, 0^128) */
	if (impl == WT_AES_IMPL_CT64)
		wt_aes_ct64_ctr(c->sk, nr, ZERO, 0, ZERO, h, 16, 1);
#if WT_HAVE_AESV
	else
		wt_aes_ctv128_ctr(c->sk, nr, ZERO, 0, ZERO, h, 16, 1);
#endif
	wt_ghash_key(c->hk, h);
	wt_wipe(h, sizeof h);
	return 0;
}

/* Internal (tests): force one AES implementation; see wt_gcm_init. */
int wt_gcm_init_impl(wt_gcm_ctx *c, const uint8_t *key, size_t keylen, uint32_t impl);
int wt_gcm_init_impl(wt_gcm_ctx *c, const uint8_t *key, size_t keylen, uint32_t impl)
{
	if (impl != WT_AES_IMPL_CT64 && !(WT_HAVE_AESV && impl == WT_AES_IMPL_V128))
		return -1;
	return init_impl(c, key, keylen, impl);
}

/* see wt_gcm.h */
int wt_gcm_init(wt_gcm_ctx *c, const uint8_t *key, size_t keylen)
{
	return init_impl(c, key, keylen,
			 WT_HAVE_AESV ? WT_AES_IMPL_V128 : WT_AES_IMPL_CT64);
}

/* Hide a value's range from the optimizer: knowing a verdict is 0 or 1,
 * clang turns "x & -ok" into a branch on ok (seen with -O2 on x86-64). */
WT_INLINE uint32_t opaque(uint32_t x)
{
	WT_BARRIER(x);
	return x;
}

/* c->impl is public (fixed at init). */
static void ctr(const wt_gcm_ctx *c, const uint8_t cb[12], uint32_t n, const uint8_t *in,
		uint8_t *out, size_t len, uint32_t ok)
{
#if WT_HAVE_AESV
	if (c->impl == WT_AES_IMPL_V128) {
		wt_aes_ctv128_ctr(c->sk, c->rounds, cb, n, in, out, len, ok);
		return;
	}
#endif
	wt_aes_ct64_ctr(c->sk, c->rounds, cb, n, in, out, len, ok);
}

/* J0 (SP 800-38D section 7.1 step 2): IV || 0^31 || 1 for a 96-bit IV,
 * else GHASH(IV || 0^(s+64) || [len(IV)]_64). */
static void make_j0(const wt_gcm_ctx *c, uint8_t j0[16], const uint8_t *iv, size_t ivlen)
{
	if (ivlen == 12) {
		memcpy(j0, iv, 12);
		wt_store32_be(j0 + 12, 1);
	} else {
		uint64_t y[2] = { 0, 0 };
		uint8_t lb[16];
		wt_ghash_update(c->hk, y, iv, ivlen);
		wt_store64_be(lb, 0);
		wt_store64_be(lb + 8, (uint64_t)ivlen << 3);
		wt_ghash_update(c->hk, y, lb, 16);
		wt_store64_be(j0, y[0]);
		wt_store64_be(j0 + 8, y[1]);
		wt_wipe(y, sizeof y);
	}
}

/*
 * S = GHASH(A || 0^v || C || 0^u || [len(A)]_64 || [len(C)]_64) (section
 * 7.1 step 5) into y. GHASH works in groups of 8 blocks and a short group
 * costs nearly as much as a full one, so a short A (a TLS record header)
 * shares its group with the first blocks of C, and the lengths block the
 * group of C's tail: a 1 KiB record takes 9 groups, not 11.
 */
static void ghash_s(const wt_gcm_ctx *c, uint64_t y[2], const uint8_t *aad, size_t aadlen,
		    const uint8_t *ct, size_t len)
{
	uint8_t tmp[128];
	size_t na = (aadlen + 15) / 16, off = 0, full, tail, nt;
	if (na > 0 && na < 8) {
		/* padded A, then as many whole blocks of C as fit */
		size_t take = 16 * (8 - na);
		if (take > (len & ~(size_t)15))
			take = len & ~(size_t)15;
		memset(tmp, 0, 16 * na);
		memcpy(tmp, aad, aadlen);
		memcpy(tmp + 16 * na, ct, take);
		wt_ghash_update(c->hk, y, tmp, 16 * na + take);
		off = take;
	} else {
		wt_ghash_update(c->hk, y, aad, aadlen);
	}
	full = (len - off) & ~(size_t)127;
	wt_ghash_update(c->hk, y, ct + off, full);
	off += full;
	tail = len - off;
	nt = (tail + 15) / 16;
	if (nt == 8) {
		/* no room for the lengths block in the tail's group */
		wt_ghash_update(c->hk, y, ct + off, tail);
		nt = 0;
		tail = 0;
	}
	memset(tmp, 0, 16 * nt);
	memcpy(tmp, ct + off, tail);
	wt_store64_be(tmp + 16 * nt, (uint64_t)aadlen << 3);
	wt_store64_be(tmp + 16 * nt + 8, (uint64_t)len << 3);
	wt_ghash_update(c->hk, y, tmp, 16 * nt + 16);
	wt_wipe(tmp, sizeof tmp);
}

/* see wt_gcm.h */
void wt_gcm_seal(const wt_gcm_ctx *c, const uint8_t *iv, size_t ivlen, const uint8_t *aad,
		 size_t aadlen, const uint8_t *in, size_t len, uint8_t *out,
		 uint8_t tag[16])
{
	uint8_t j0[16], ks[16 + FIRST];
	uint64_t y[2] = { 0, 0 };
	uint32_t n0;
	size_t first = len < FIRST ? len : FIRST, i;
	if (ivlen == 0 || (uint64_t)len > GCM_MAX_LEN) {
		/* Invalid per SP 800-38D section 5.2.1.1: emit nothing usable. */
		memset(out, 0, len);
		memset(tag, 0, 16);
		return;
	}
	make_j0(c, j0, iv, ivlen);
	n0 = wt_load32_be(j0 + 12);
	/* Keystream from J0: the first block masks the tag, the rest
	 * encrypts the first bytes (counter inc32(J0) onwards, section 7.1
	 * step 3). */
	ctr(c, j0, n0, ZERO, ks, 16 + first, 1);
	for (i = 0; i < first; i++)
		out[i] = (uint8_t)(in[i] ^ ks[16 + i]);
	if (len > first)
		ctr(c, j0, n0 + 1 + FIRST / 16, in + first, out + first, len - first, 1);
	/* GHASH over the ciphertext; a record of TLS size is still in
	 * cache. */
	ghash_s(c, y, aad, aadlen, out, len);
	wt_store64_be(tag, y[0]);
	wt_store64_be(tag + 8, y[1]);
	for (i = 0; i < 16; i++)
		tag[i] ^= ks[i];
	wt_wipe(ks, sizeof ks);
	wt_wipe(j0, sizeof j0);
	wt_wipe(y, sizeof y);
}

/* see wt_gcm.h */
int wt_gcm_open(const wt_gcm_ctx *c, const uint8_t *iv, size_t ivlen, const uint8_t *aad,
		size_t aadlen, const uint8_t *in, size_t len, uint8_t *out,
		const uint8_t tag[16])
{
	uint8_t j0[16], ks[16 + FIRST], t[16];
	uint64_t y[2] = { 0, 0 };
	uint32_t n0, ok;
	uint8_t m;
	size_t first = len < FIRST ? len : FIRST, i;
	if (ivlen == 0 || (uint64_t)len > GCM_MAX_LEN)
		return -1;
	make_j0(c, j0, iv, ivlen);
	n0 = wt_load32_be(j0 + 12);
	/* Authenticate first (section 7.2 steps 5-8), decrypt only after. */
	ghash_s(c, y, aad, aadlen, in, len);
	ctr(c, j0, n0, ZERO, ks, 16 + first, 1);
	wt_store64_be(t, y[0]);
	wt_store64_be(t + 8, y[1]);
	for (i = 0; i < 16; i++)
		t[i] ^= ks[i];
	/* Decrypt under the verdict without branching on it: out gets the
	 * plaintext if the tag matched and zeros otherwise, so no plaintext
	 * of a forgery is ever written, and the verdict stays secret until
	 * the caller reads the return value (the only thing the
	 * constant-time harness declassifies). A forgery costs the same
	 * AES work as a genuine record. */
	ok = opaque(wt_ct_eq(t, tag, 16));
	m = (uint8_t)-ok;
	for (i = 0; i < first; i++)
		out[i] = (uint8_t)((in[i] ^ ks[16 + i]) & m);
	if (len > first)
		ctr(c, j0, n0 + 1 + FIRST / 16, in + first, out + first, len - first, ok);
	wt_wipe(ks, sizeof ks);
	wt_wipe(t, sizeof t);
	wt_wipe(j0, sizeof j0);
	wt_wipe(y, sizeof y);
	return -2 * (int)(ok ^ 1);
}
