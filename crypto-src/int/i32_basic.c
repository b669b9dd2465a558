/*
 * i32_basic.c: encoding, comparison, addition, subtraction and schoolbook
 * multiplication of 32-bit-limb integers (see wt_i32.h). All
 * constant-time: loops run over lengths only.
 */
#include "inner.h"
#include "int/wt_i32.h"

/* see wt_i32.h */
uint32_t wt_i32_decode(uint32_t *x, size_t len, const uint8_t *src, size_t srclen)
{
	size_t i;
	uint32_t over = 0;
	memset(x, 0, len * sizeof *x);
	for (i = 0; i < srclen; i++) {
		/* byte i counts from the most significant end */
		size_t k = srclen - 1 - i; /* its weight in bytes */
		if (k < 4 * len)
			x[k >> 2] |= (uint32_t)src[i] << ((k & 3) << 3);
		else
			over |= src[i];
	}
	return WT_EQ0(over);
}

/* see wt_i32.h */
void wt_i32_encode(uint8_t *dst, size_t dstlen, const uint32_t *x, size_t len)
{
	size_t i;
	for (i = 0; i < dstlen; i++) {
		size_t k = dstlen - 1 - i;
		dst[i] = k < 4 * len ? (uint8_t)(x[k >> 2] >> ((k & 3) << 3)) : 0;
	}
}

/* Bit length of one word without branching: binary search by masks. */
static uint32_t bitlen32(uint32_t w)
{
	uint32_t n = 0, c;
	c = WT_GT(w, 0xffff);
	w = WT_MUX(c, w >> 16, w);
	n += c << 4;
	c = WT_GT(w, 0xff);
	w = WT_MUX(c, w >> 8, w);
	n += c << 3;
	c = WT_GT(w, 0xf);
	w = WT_MUX(c, w >> 4, w);
	n += c << 2;
	c = WT_GT(w, 0x3);
	w = WT_MUX(c, w >> 2, w);
	n += c << 1;
	c = WT_GT(w, 0x1);
	w = WT_MUX(c, w >> 1, w);
	n += c;
	return n + w;
}

/* see wt_i32.h */
uint32_t wt_i32_bitlen(const uint32_t *x, size_t len)
{
	uint32_t r = 0;
	size_t i;
	/* the highest nonzero limb wins: scan upwards, overwrite */
	for (i = 0; i < len; i++) {
		uint32_t nz = wt_barrier(-WT_NEQ(x[i], 0));
		r = (((uint32_t)(32 * i) + bitlen32(x[i])) & nz) | (r & ~nz);
	}
	return r;
}

/* see wt_i32.h */
uint32_t wt_i32_iszero(const uint32_t *x, size_t len)
{
	uint32_t z = 0;
	size_t i;
	for (i = 0; i < len; i++)
		z |= x[i];
	return WT_EQ0(z);
}

/* see wt_i32.h */
uint32_t wt_i32_eq(const uint32_t *a, const uint32_t *b, size_t len)
{
	uint32_t z = 0;
	size_t i;
	for (i = 0; i < len; i++)
		z |= a[i] ^ b[i];
	return WT_EQ0(z);
}

/* see wt_i32.h */
uint32_t wt_i32_lt(const uint32_t *a, const uint32_t *b, size_t len)
{
	/* the borrow out of a - b, discarding the difference */
	uint32_t borrow = 0;
	size_t i;
	for (i = 0; i < len; i++) {
		uint64_t z = (uint64_t)a[i] - b[i] - borrow;
		borrow = (uint32_t)(z >> 63);
	}
	return borrow;
}

/* see wt_i32.h */
uint32_t wt_i32_add(uint32_t *a, const uint32_t *b, size_t len, uint32_t ctl)
{
	uint32_t carry = 0, m = wt_barrier(-ctl);
	size_t i;
	for (i = 0; i < len; i++) {
		uint64_t z = (uint64_t)a[i] + b[i] + carry;
		carry = (uint32_t)(z >> 32);
		a[i] = ((uint32_t)z & m) | (a[i] & ~m);
	}
	return carry;
}

/* see wt_i32.h */
uint32_t wt_i32_sub(uint32_t *a, const uint32_t *b, size_t len, uint32_t ctl)
{
	uint32_t borrow = 0, m = wt_barrier(-ctl);
	size_t i;
	for (i = 0; i < len; i++) {
		/* 64-bit wrap-around: bit 63 is set exactly on a borrow */
		uint64_t z = (uint64_t)a[i] - b[i] - borrow;
		borrow = (uint32_t)(z >> 63);
		a[i] = ((uint32_t)z & m) | (a[i] & ~m);
	}
	return borrow;
}

/* see wt_i32.h */
void wt_i32_mul(uint32_t *d, const uint32_t *a, size_t alen, const uint32_t *b,
		size_t blen)
{
	size_t i, j;
	memset(d, 0, (alen + blen) * sizeof *d);
	for (i = 0; i < alen; i++) {
		uint64_t c = 0;
		for (j = 0; j < blen; j++) {
			/* (2^32-1)^2 + 2(2^32-1) = 2^64-1: never overflows */
			uint64_t z = (uint64_t)a[i] * b[j] + d[i + j] + c;
			d[i + j] = (uint32_t)z;
			c = z >> 32;
		}
		d[i + blen] = (uint32_t)c;
	}
}

/* see wt_i32.h */
void wt_i32_cswap(uint32_t ctl, uint32_t *a, uint32_t *b, size_t len)
{
	uint32_t m = wt_barrier(-ctl);
	size_t i;
	for (i = 0; i < len; i++) {
		uint32_t t = m & (a[i] ^ b[i]);
		a[i] ^= t;
		b[i] ^= t;
	}
}

/* see wt_i32.h */
uint32_t wt_i32_ninv32(uint32_t m0)
{
	/* Newton iteration y = y(2 - m0 y) doubles the number of correct
	 * low bits; m0 itself is correct to 3 bits for odd m0
	 * (m0 * m0 = 1 mod 8). 3 -> 6 -> 12 -> 24 -> 48 bits. */
	uint32_t y = m0;
	y *= 2 - m0 * y;
	y *= 2 - m0 * y;
	y *= 2 - m0 * y;
	y *= 2 - m0 * y;
	return -y;
}

/* see wt_i32.h */
void wt_i32_modadd(uint32_t *a, const uint32_t *b, const uint32_t *m, size_t len)
{
	/* a + b < 2m: subtract m when the sum carried out or is >= m */
	uint32_t carry = wt_i32_add(a, b, len, 1);
	uint32_t ge = WT_NOT(wt_i32_sub(a, m, len, 0));
	wt_i32_sub(a, m, len, carry | ge);
}

/* see wt_i32.h */
void wt_i32_modsub(uint32_t *a, const uint32_t *b, const uint32_t *m, size_t len)
{
	uint32_t borrow = wt_i32_sub(a, b, len, 1);
	wt_i32_add(a, m, len, borrow);
}
