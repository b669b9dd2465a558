/*
 * exports_mlkem.c: ML-KEM-768 (crypto-src/inc/wt_mlkem.h) to TypeScript.
 * Thin wrappers; a null seed or m (pointer 0) means "draw it from
 * wt_random". Buffers have the fixed FIPS 203 sizes, checked by
 * ts/core/mlkem.ts before the call.
 */
#include "exports.h"
#include "wt_mlkem.h"

WT_EXPORT void wt_x_mlkem768_keygen(uint8_t *ek, uint8_t *dk, const uint8_t *seed)
{
	if (seed)
		wt_mlkem768_keygen_seed(ek, dk, seed);
	else
		wt_mlkem768_keygen(ek, dk);
}

/* 0, or -1 when ek fails the modulus check (FIPS 203 7.2). */
WT_EXPORT int wt_x_mlkem768_encaps(uint8_t *ct, uint8_t *ss, const uint8_t *ek,
				   const uint8_t *m)
{
	return m ? wt_mlkem768_encaps_m(ct, ss, ek, m) : wt_mlkem768_encaps(ct, ss, ek);
}

/* 0, or -1 when dk fails the hash check (FIPS 203 7.3). */
WT_EXPORT int wt_x_mlkem768_decaps(uint8_t *ss, const uint8_t *dk, const uint8_t *ct)
{
	return wt_mlkem768_decaps(ss, dk, ct);
}
