/*
 * exports_sha3.c: SHA-3 and SHAKE (crypto-src/inc/wt_sha3.h) to
 * TypeScript. Thin wrappers: integers and pointers into linear memory;
 * a function is chosen by its bit size (256/512 for SHA-3, 128/256 for
 * SHAKE), and -1 means an unknown size.
 */
#include "exports.h"
#include "wt_sha3.h"

WT_EXPORT size_t wt_keccak_ctx_size(void)
{
	return sizeof(wt_keccak_ctx);
}

WT_EXPORT int wt_x_sha3_init(wt_sha3_ctx *c, uint32_t bits)
{
	if (bits == 256)
		wt_sha3_256_init(c);
	else if (bits == 512)
		wt_sha3_512_init(c);
	else
		return -1;
	return 0;
}

WT_EXPORT int wt_x_shake_init(wt_shake_ctx *c, uint32_t bits)
{
	if (bits == 128)
		wt_shake128_init(c);
	else if (bits == 256)
		wt_shake256_init(c);
	else
		return -1;
	return 0;
}

WT_EXPORT void wt_x_sha3_update(wt_sha3_ctx *c, const uint8_t *p, size_t n)
{
	wt_sha3_update(c, p, n);
}
WT_EXPORT void wt_x_sha3_out(const wt_sha3_ctx *c, uint8_t *out)
{
	wt_sha3_out(c, out);
}
WT_EXPORT int wt_x_shake_absorb(wt_shake_ctx *c, const uint8_t *p, size_t n)
{
	return wt_shake_absorb(c, p, n);
}
WT_EXPORT void wt_x_shake_squeeze(wt_shake_ctx *c, uint8_t *out, size_t n)
{
	wt_shake_squeeze(c, out, n);
}

WT_EXPORT int wt_x_sha3(uint32_t bits, const uint8_t *p, size_t n, uint8_t *out)
{
	if (bits == 256)
		wt_sha3_256(p, n, out);
	else if (bits == 512)
		wt_sha3_512(p, n, out);
	else
		return -1;
	return 0;
}

WT_EXPORT int wt_x_shake(uint32_t bits, uint8_t *out, size_t outlen, const uint8_t *p,
			 size_t n)
{
	if (bits == 128)
		wt_shake128(out, outlen, p, n);
	else if (bits == 256)
		wt_shake256(out, outlen, p, n);
	else
		return -1;
	return 0;
}
