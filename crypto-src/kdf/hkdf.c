/*
 * hkdf.c: HKDF (RFC 5869) and the TLS 1.3 labels over it (RFC 8446 7.1).
 */
#include "inner.h"
#include "wt_hash.h"

int wt_hkdf_extract(uint32_t id, const void *salt, size_t saltlen, const void *ikm,
		    size_t ikmlen, uint8_t *prk)
{
	static const uint8_t zeros[WT_HASH_MAX_LEN] = { 0 };
	size_t hl = wt_hash_len(id);
	if (hl == 0)
		return -1;
	/* RFC 5869 2.2: "if not provided, [salt] is set to a string of
	 * HashLen zeros". HMAC pads short keys with zeros anyway, so an empty
	 * salt and HashLen zeros give the same PRK; we say so explicitly. */
	if (saltlen == 0) {
		salt = zeros;
		saltlen = hl;
	}
	return wt_hmac(id, salt, saltlen, ikm, ikmlen, prk);
}

int wt_hkdf_expand(uint32_t id, const void *prk, size_t prklen, const void *info,
		   size_t infolen, uint8_t *out, size_t outlen)
{
	wt_hmac_ctx key, c;
	uint8_t t[WT_HASH_MAX_LEN];
	size_t hl = wt_hash_len(id), done = 0;
	uint8_t ctr = 1;
	/* RFC 5869 2.3: L <= 255*HashLen */
	if (hl == 0 || outlen > 255 * hl)
		return -1;
	if (wt_hmac_init(&key, id, prk, prklen) != 0)
		return -1;
	/* T(i) = HMAC-Hash(PRK, T(i-1) | info | i), T(0) empty */
	while (done < outlen) {
		size_t n = outlen - done < hl ? outlen - done : hl;
		c = key;
		if (ctr > 1)
			wt_hmac_update(&c, t, hl);
		wt_hmac_update(&c, info, infolen);
		wt_hmac_update(&c, &ctr, 1);
		wt_hmac_out(&c, t);
		memcpy(out + done, t, n);
		done += n;
		ctr++;
	}
	wt_wipe(t, sizeof t);
	wt_wipe(&c, sizeof c);
	wt_wipe(&key, sizeof key);
	return 0;
}

int wt_hkdf_expand_label(uint32_t id, const void *secret, size_t secretlen,
			 const char *label, size_t labellen, const void *context,
			 size_t ctxlen, uint8_t *out, size_t outlen)
{
	/* 2 + 1 + 255 + 1 + 255 bytes at most */
	uint8_t info[2 + 1 + 255 + 1 + 255];
	size_t n = 0;
	/* RFC 8446 7.1: opaque label<7..255> = "tls13 " + Label;
	 * opaque context<0..255>; uint16 length. */
	if (6 + labellen > 255 || ctxlen > 255 || outlen > 0xFFFF)
		return -1;
	wt_store16_be(info, (uint32_t)outlen);
	n = 2;
	info[n++] = (uint8_t)(6 + labellen);
	memcpy(info + n, "tls13 ", 6);
	n += 6;
	memcpy(info + n, label, labellen);
	n += labellen;
	info[n++] = (uint8_t)ctxlen;
	if (ctxlen > 0)
		memcpy(info + n, context, ctxlen);
	n += ctxlen;
	return wt_hkdf_expand(id, secret, secretlen, info, n, out, outlen);
}

int wt_derive_secret(uint32_t id, const void *secret, const char *label, size_t labellen,
		     const uint8_t *thash, uint8_t *out)
{
	size_t hl = wt_hash_len(id);
	if (hl == 0)
		return -1;
	return wt_hkdf_expand_label(id, secret, hl, label, labellen, thash, hl, out, hl);
}
