/*
 * ge25519.h: the group edwards25519 (RFC 8032 5.1), -x^2 + y^2 = 1 + d x^2 y^2
 * over GF(2^255 - 19), for Ed25519 (ed25519.c) and the fixed-base X25519
 * key generation (x25519.c). Internal header.
 *
 * Coordinates (Hisil-Wong-Carter-Dawson 2008, "Twisted Edwards curves
 * revisited", with a = -1):
 *   p2      projective (X:Y:Z), x = X/Z, y = Y/Z
 *   p3      extended (X:Y:Z:T), additionally T = XY/Z
 *   p1p1    "completed" ((X:Z),(Y:T)): x = X/Z, y = Y/T; what an addition
 *           or doubling produces before the final multiplications, so
 *           the caller pays only for the coordinates it needs next
 *   cached  (Y+X, Y-X, Z, 2dT), a p3 prepared as the second addend
 *   precomp (y+x, y-x, 2dxy), an affine point prepared likewise (Z = 1)
 */
#ifndef WT_GE25519_H
#define WT_GE25519_H

#include "f25519.h"

typedef struct {
	wt_fe X, Y, Z;
} wt_ge_p2;
typedef struct {
	wt_fe X, Y, Z, T;
} wt_ge_p3;
typedef struct {
	wt_fe X, Y, Z, T;
} wt_ge_p1p1;
typedef struct {
	wt_fe YplusX, YminusX, Z, T2d;
} wt_ge_cached;
typedef struct {
	wt_fe ypx, ymx, xy2d;
} wt_ge_precomp;

/* h = a B for the base point B (RFC 8032 5.1), a given as 32 bytes
 * little-endian with a[31] <= 127 (any clamped or reduced scalar).
 * Constant-time in a: signed radix-16 digits, each looked up by scanning
 * all eight entries of its table row. */
void wt_ge_scalarmult_base(wt_ge_p3 *h, const uint8_t a[32]);

/* Encoding of RFC 8032 5.1.2: y little-endian, bit 255 = low bit of x.
 * Constant-time. */
void wt_ge_tobytes(uint8_t s[32], const wt_ge_p3 *h);
void wt_ge_p2_tobytes(uint8_t s[32], const wt_ge_p2 *h);
/* Two encodings for the price of one inversion (signing encodes both A
 * and R). */
void wt_ge_tobytes2(uint8_t s1[32], const wt_ge_p3 *h1, uint8_t s2[32],
		    const wt_ge_p3 *h2);

/* Decoding of RFC 8032 5.1.3 to -P (the negation is what verification
 * needs). Returns 0, or -1 when the encoding is refused: y >= p, no
 * square root for x, or x = 0 with the sign bit set. NOT constant-time:
 * for public keys only. */
int wt_ge_frombytes_negate_vartime(wt_ge_p3 *h, const uint8_t s[32]);

/* r = a A + b B for scalars a, b < 2^253 (a reduced mod L, b checked
 * below L by the caller). NOT constant-time (sliding windows, branches
 * on the digits): for signature verification, where every input is
 * public. */
void wt_ge_double_scalarmult_vartime(wt_ge_p2 *r, const uint8_t a[32], const wt_ge_p3 *A,
				     const uint8_t b[32]);

#endif
