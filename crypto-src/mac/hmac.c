/*
 * hmac.c: HMAC (RFC 2104) over the hashes of wt_hash.h.
 */
#include "inner.h"
#include "wt_hash.h"

int wt_hmac_init(wt_hmac_ctx *c, uint32_t id, const void *key, size_t keylen)
{
	uint8_t k[WT_HASH_MAX_BLOCK];
	size_t bl = wt_hash_block_len(id), i;
	if (bl == 0)
		return -1;
	/* RFC 2104 section 2: keys longer than B bytes are first hashed. */
	memset(k, 0, sizeof k);
	if (keylen > bl)
		wt_hash(id, key, keylen, k);
	else if (keylen > 0)
		memcpy(k, key, keylen);
	for (i = 0; i < bl; i++)
		k[i] ^= 0x36;
	wt_hash_init(&c->inner, id);
	wt_hash_update(&c->inner, k, bl);
	for (i = 0; i < bl; i++)
		k[i] ^= 0x36 ^ 0x5c;
	wt_hash_init(&c->outer, id);
	wt_hash_update(&c->outer, k, bl);
	wt_wipe(k, sizeof k);
	return 0;
}

void wt_hmac_update(wt_hmac_ctx *c, const void *data, size_t len)
{
	wt_hash_update(&c->inner, data, len);
}

void wt_hmac_out(const wt_hmac_ctx *c, uint8_t *out)
{
	wt_hash_ctx o = c->outer;
	uint8_t ih[WT_HASH_MAX_LEN];
	wt_hash_out(&c->inner, ih);
	wt_hash_update(&o, ih, wt_hash_len(c->inner.id));
	wt_hash_out(&o, out);
	wt_wipe(ih, sizeof ih);
	wt_wipe(&o, sizeof o);
}

int wt_hmac(uint32_t id, const void *key, size_t keylen, const void *data, size_t len,
	    uint8_t *out)
{
	wt_hmac_ctx c;
	if (wt_hmac_init(&c, id, key, keylen) != 0)
		return -1;
	wt_hmac_update(&c, data, len);
	wt_hmac_out(&c, out);
	wt_wipe(&c, sizeof c);
	return 0;
}
