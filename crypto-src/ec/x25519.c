/*
 * x25519.c: X25519 (RFC 7748 section 5) with the Montgomery ladder of
 * section 5 and constant-time conditional swaps, plus a fixed-base key
 * generation through edwards25519.
 *
 * No SIMD ladder: the ladder's independent products could be paired in
 * SIMD128 lanes (i64x2.extmul_low_i32x4_s), but measured in V8 a pair of
 * such 10-limb multiplications takes 54 ns against 59 ns for two scalar
 * ones, too little for a second implementation.
 */
#include "wt_ec25519.h"
#include "f25519.h"
#include "ge25519.h"

/* RFC 7748 section 5: "decodeScalar25519": clear the three low bits and
 * bit 255, set bit 254. */
static void wt_x25519_clamp(uint8_t k[32], const uint8_t scalar[32])
{
	memcpy(k, scalar, 32);
	k[0] &= 248;
	k[31] &= 127;
	k[31] |= 64;
}

/* 1 if out is all zeros; constant-time in out. */
static uint32_t wt_x25519_zero(const uint8_t out[32])
{
	uint32_t acc = 0;
	int i;
	for (i = 0; i < 32; i++)
		acc |= out[i];
	return WT_EQ0(acc);
}

int wt_x25519(uint8_t out[32], const uint8_t scalar[32], const uint8_t point[32])
{
	uint8_t k[32];
	wt_fe x1, x2, z2, x3, z3, a, aa, b, bb, e, c, d, da, cb;
	uint32_t swap = 0, bit;
	int t;

	wt_x25519_clamp(k, scalar);
	/* The top bit of the u-coordinate is masked by frombytes. */
	wt_fe_frombytes(&x1, point);
	wt_fe_1(&x2);
	wt_fe_0(&z2);
	x3 = x1;
	wt_fe_1(&z3);

	for (t = 254; t >= 0; t--) {
		bit = (k[t >> 3] >> (t & 7)) & 1;
		swap ^= bit;
		wt_fe_cswap(&x2, &x3, swap);
		wt_fe_cswap(&z2, &z3, swap);
		swap = bit;

		/* The ladder step as written in RFC 7748 section 5. */
		wt_fe_add(&a, &x2, &z2); /* A = x_2 + z_2 */
		wt_fe_sq(&aa, &a);       /* AA = A^2 */
		wt_fe_sub(&b, &x2, &z2); /* B = x_2 - z_2 */
		wt_fe_sq(&bb, &b);       /* BB = B^2 */
		wt_fe_sub(&e, &aa, &bb); /* E = AA - BB */
		wt_fe_add(&c, &x3, &z3); /* C = x_3 + z_3 */
		wt_fe_sub(&d, &x3, &z3); /* D = x_3 - z_3 */
		wt_fe_mul(&da, &d, &a);  /* DA = D * A */
		wt_fe_mul(&cb, &c, &b);  /* CB = C * B */
		wt_fe_add(&x3, &da, &cb);
		wt_fe_sq(&x3, &x3); /* x_3 = (DA + CB)^2 */
		wt_fe_sub(&z3, &da, &cb);
		wt_fe_sq(&z3, &z3);
		wt_fe_mul(&z3, &z3, &x1); /* z_3 = x_1 * (DA - CB)^2 */
		wt_fe_mul(&x2, &aa, &bb); /* x_2 = AA * BB */
		wt_fe_mul_small(&z2, &e, 121665);
		wt_fe_add(&z2, &z2, &aa);
		wt_fe_mul(&z2, &z2, &e); /* z_2 = E * (AA + a24 * E) */
	}
	wt_fe_cswap(&x2, &x3, swap);
	wt_fe_cswap(&z2, &z3, swap);

	/* x_2 * z_2^(p - 2); z_2 = 0 (a low-order input) gives 0. */
	wt_fe_invert(&z2, &z2);
	wt_fe_mul(&x2, &x2, &z2);
	wt_fe_tobytes(out, &x2);

	wt_wipe(k, sizeof k);
	wt_wipe(&x2, sizeof x2);
	wt_wipe(&z2, sizeof z2);
	wt_wipe(&x3, sizeof x3);
	wt_wipe(&z3, sizeof z3);
	wt_wipe(&aa, sizeof aa);
	wt_wipe(&bb, sizeof bb);
	wt_wipe(&e, sizeof e);
	wt_wipe(&da, sizeof da);
	wt_wipe(&cb, sizeof cb);
	/* RFC 7748 section 6.1: "check, without leaking extra information
	 * about the value of K, whether K is the all-zero value and abort if
	 * so". Whether it was is public (the handshake fails). */
	return -(int)WT_DECLASSIFY(wt_x25519_zero(out));
}

void wt_x25519_base(uint8_t pub[32], const uint8_t priv[32])
{
	uint8_t k[32];
	wt_ge_p3 P;
	wt_fe n, dd;

	/* The clamped scalar is below 2^255, as wt_ge_scalarmult_base needs,
	 * and the Montgomery base point u = 9 corresponds to the Ed25519 base
	 * point B under u = (1 + y) / (1 - y) (RFC 7748 section 4.1), so
	 * u(k * 9) = (Z + Y) / (Z - Y) for (X:Y:Z) = k B. k B is never the
	 * identity (Z = Y): k is not a multiple of the prime L. */
	wt_x25519_clamp(k, priv);
	wt_ge_scalarmult_base(&P, k);
	wt_fe_add(&n, &P.Z, &P.Y);
	wt_fe_sub(&dd, &P.Z, &P.Y);
	wt_fe_invert(&dd, &dd);
	wt_fe_mul(&n, &n, &dd);
	wt_fe_tobytes(pub, &n);

	wt_wipe(k, sizeof k);
	wt_wipe(&P, sizeof P);
	wt_wipe(&n, sizeof n);
	wt_wipe(&dd, sizeof dd);
}
