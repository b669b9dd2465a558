/*
 * i32_modpow2_ct.c: the two RSA-CRT exponentiations (mod p and mod q) run
 * side by side in the two 64-bit lanes of 128-bit vectors (see wt_i32.h).
 *
 * Why: a private-key operation is two independent exponentiations of
 * equal size, and wasm's i64x2.extmul_low/high_i32x4_u gives two
 * 32x32->64-bit products per instruction (pmuludq on x86). With lane 0
 * computing mod p and lane 1 mod q, every instruction of the Montgomery
 * multiplication below does the work of two scalar ones, and the carry
 * chains stay within a lane, so the limb arithmetic is exactly that of
 * wt_i32_montmul (FIOS, two carry chains, no bound changes).
 *
 * Layout: an "interleaved" number holds limb j of the p-lane value at
 * u32 position 2j and limb j of the q-lane value at 2j+1, so one vector
 * {xp[j], xq[j], xp[j+1], xq[j+1]} feeds two extending multiplies (low
 * half: limb j, high half: limb j+1). The running sum t holds one v2 per
 * limb (lane p, lane q), each below 2^32.
 *
 * Constant-time: as wt_i32_modpow_ct, per lane: a fixed 4-bit window,
 * every window processed, table entries read by scanning the whole table
 * under per-lane masks; Montgomery multiplication with loops over the
 * (public) length and a masked final subtraction.
 */
#include "inner.h"
#include "int/wt_i32.h"

/* GCC-compatible vector extensions with __builtin_convertvector (clang):
 * emcc -msimd128 turns the widening multiplies into
 * i64x2.extmul_{low,high}_i32x4_u; native x86 builds (the Valgrind
 * constant-time checks) into pmuludq. The scalar wasm build has no
 * vectors: it runs the two exponentiations one after the other. */
#if WT_I32_VEC

typedef uint32_t v4 __attribute__((vector_size(16)));
typedef uint64_t v2 __attribute__((vector_size(16)));

/* Vectors per interleaved number at most: primes of half a 4096-bit key
 * (64 limbs per lane, two limbs of each lane per vector). */
#define MAXV (WT_I32_MAX_LIMBS / 4)
#define WIN 4
#define TAB (1u << WIN)

/* LLVM's wasm backend makes i64x2.extmul_*_i32x4_u only where it sees
 * both widenings next to the multiply; in a loop it hoists the widening
 * of the loop-invariant operand and emits i64x2.mul, which V8 expands to
 * three pmuludq and shifts on x86. An empty asm on that operand in each
 * iteration keeps the pattern whole. Native x86 makes pmuludq from the
 * widened form anyway. */
#ifdef __wasm__
#define KEEP(x) __asm__ volatile("" : "+r"(x))
#else
#define KEEP(x) (void)0
#endif

/* Products of the low (limbs j) or high (limbs j+1) halves, per lane. */
static inline v2 mul_lo(v4 a, v4 b)
{
	return __builtin_convertvector(__builtin_shufflevector(a, a, 0, 1), v2) *
		__builtin_convertvector(__builtin_shufflevector(b, b, 0, 1), v2);
}
static inline v2 mul_hi(v4 a, v4 b)
{
	return __builtin_convertvector(__builtin_shufflevector(a, a, 2, 3), v2) *
		__builtin_convertvector(__builtin_shufflevector(b, b, 2, 3), v2);
}

/* d = a b / R mod m in each lane, R = 2^(32 len), as wt_i32_montmul: m
 * odd with a nonzero top limb per lane, b < m, a < R; m0i = {p0i, 0,
 * q0i, 0}; nv = ceil(len / 2) vectors. An odd len leaves a zero limb on
 * top of a, b and m: the columns run over w = 2 nv limbs, which adds a
 * zero product column and changes no sum, and the rows over len, which
 * keeps R. d may alias a or b. */
__attribute__((noinline)) static void montmul2(v4 *d, const v4 *a, const v4 *b,
					       const v4 *m, size_t len, size_t nv, v4 m0i)
{
	const v2 lo32 = { 0xffffffffu, 0xffffffffu };
	v2 t[2 * MAXV + 1], s[2 * MAXV];
	v2 z1, z2, c1, c2, br, ctl;
	size_t w = 2 * nv, i, k;
	for (k = 0; k <= w; k++)
		t[k] = (v2){ 0, 0 };
	for (i = 0; i < len; i++) {
		/* A = {ap[i], aq[i], ap[i], aq[i]} */
		v4 av = a[i >> 1], A, U, uu, b0, m0;
		A = (i & 1) ? __builtin_shufflevector(av, av, 2, 3, 2, 3) :
			      __builtin_shufflevector(av, av, 0, 1, 0, 1);
		b0 = b[0];
		m0 = m[0];
		KEEP(b0);
		KEEP(m0);
		/* limb 0: u = lo32(t0 + a_i b_0) m0i makes the sum's low limb
		 * vanish (the u32 lanes 0 and 2 of z1 are the lanes' low words) */
		z1 = mul_lo(A, b0) + t[0];
		uu = (v4)z1 * m0i;
		U = __builtin_shufflevector(uu, uu, 0, 2, 0, 2);
		z2 = mul_lo(U, m0) + (z1 & lo32);
		c1 = z1 >> 32;
		c2 = z2 >> 32;
		/* limb 1 */
		z1 = mul_hi(A, b0) + t[1] + c1;
		c1 = z1 >> 32;
		z2 = mul_hi(U, m0) + (z1 & lo32) + c2;
		c2 = z2 >> 32;
		t[0] = z2 & lo32;
		for (k = 1; k < nv; k++) {
			v4 bk = b[k], mk = m[k];
			KEEP(A);
			KEEP(U);
			z1 = mul_lo(A, bk) + t[2 * k] + c1;
			c1 = z1 >> 32;
			z2 = mul_lo(U, mk) + (z1 & lo32) + c2;
			c2 = z2 >> 32;
			t[2 * k - 1] = z2 & lo32;
			z1 = mul_hi(A, bk) + t[2 * k + 1] + c1;
			c1 = z1 >> 32;
			z2 = mul_hi(U, mk) + (z1 & lo32) + c2;
			c2 = z2 >> 32;
			t[2 * k] = z2 & lo32;
		}
		z1 = t[w] + c1 + c2;
		t[w - 1] = z1 & lo32;
		t[w] = z1 >> 32;
	}
	/* t < 2m per lane: s = t - m, kept where t overflowed into t[w]
	 * or the subtraction did not borrow (64-bit wrap: bit 63 is the
	 * borrow). */
	br = (v2){ 0, 0 };
	for (k = 0; k < nv; k++) {
		v4 mk = m[k];
		z1 = t[2 * k] -
			__builtin_convertvector(__builtin_shufflevector(mk, mk, 0, 1),
						v2) -
			br;
		br = z1 >> 63;
		s[2 * k] = z1 & lo32;
		z1 = t[2 * k + 1] -
			__builtin_convertvector(__builtin_shufflevector(mk, mk, 2, 3),
						v2) -
			br;
		br = z1 >> 63;
		s[2 * k + 1] = z1 & lo32;
	}
	ctl = (v2){ 0, 0 } - (t[w] | (br ^ 1)); /* all ones: take s */
	for (k = 0; k < nv; k++) {
		v2 x0 = (s[2 * k] & ctl) | (t[2 * k] & ~ctl);
		v2 x1 = (s[2 * k + 1] & ctl) | (t[2 * k + 1] & ~ctl);
		d[k] = __builtin_shufflevector((v4)x0, (v4)x1, 0, 2, 4, 6);
	}
	wt_wipe(t, sizeof t);
	wt_wipe(s, sizeof s);
}

/* d = tab[ip] in the p lane, tab[iq] in the q lane, reading every entry. */
__attribute__((noinline, minsize)) static void select2(v4 *d, const v4 *tab, uint32_t ip,
						       uint32_t iq, size_t nv)
{
	uint32_t k;
	size_t i;
	for (i = 0; i < nv; i++)
		d[i] = (v4){ 0, 0, 0, 0 };
	for (k = 0; k < TAB; k++) {
		uint32_t mp = wt_barrier(-WT_EQ(k, ip)), mq = wt_barrier(-WT_EQ(k, iq));
		v4 mask = { mp, mq, mp, mq };
		const v4 *e = tab + k * nv;
		for (i = 0; i < nv; i++)
			d[i] |= mask & e[i];
	}
}

/* d = a in the p lane, b in the q lane, len limbs each, a zero limb on
 * top when len is odd */
__attribute__((noinline, minsize)) static void interleave(v4 *d, const uint32_t *a,
							  const uint32_t *b, size_t len)
{
	size_t k;
	for (k = 0; 2 * k < len; k++) {
		uint32_t a1 = 0, b1 = 0;
		if (2 * k + 1 < len) { /* public: the length */
			a1 = a[2 * k + 1];
			b1 = b[2 * k + 1];
		}
		d[k] = (v4){ a[2 * k], b[2 * k], a1, b1 };
	}
}

/* see wt_i32.h (minsize: the time is in montmul2; the rest runs once
 * or once per window) */
__attribute__((minsize)) void
wt_i32_vec_modpow2_ct(uint32_t *xp, uint32_t *xq, const uint32_t *ep, const uint32_t *eq,
		      size_t elen, const uint32_t *p, const uint32_t *q,
		      const uint32_t *r2p, const uint32_t *r2q, size_t len, uint32_t p0i,
		      uint32_t q0i)
{
	v4 tab[TAB * MAXV], m[MAXV], x[MAXV], t[MAXV];
	v4 m0i = { p0i, 0, q0i, 0 };
	uint32_t onep[2 * MAXV], oneq[2 * MAXV];
	size_t nv = (len + 1) / 2, k, i, nwin = elen * (32 / WIN);
	uint32_t wp, wq;

	interleave(m, p, q, len);
	interleave(x, xp, xq, len);

	/* tab[0] = Montgomery 1 = montmul(R^2, 1) per lane; tab[k] = x^k */
	memset(onep, 0, len * sizeof *onep);
	onep[0] = 1;
	memcpy(oneq, onep, len * sizeof *oneq);
	wt_i32_montmul(onep, r2p, onep, p, len, p0i);
	wt_i32_montmul(oneq, r2q, oneq, q, len, q0i);
	interleave(tab, onep, oneq, len);
	memcpy(tab + nv, x, nv * sizeof *x);
	/* (not unrolled: 14 inlined calls cost 0.3 KB of module for nothing) */
#pragma clang loop unroll(disable)
	for (k = 2; k < TAB; k++)
		montmul2(tab + k * nv, tab + (k - 1) * nv, x, m, len, nv, m0i);

	/* Windows from the most significant; the first one just selects. */
	for (k = nwin; k-- > 0;) {
		size_t sh = (k % (32 / WIN)) * WIN;
		wp = (ep[k / (32 / WIN)] >> sh) & (TAB - 1);
		wq = (eq[k / (32 / WIN)] >> sh) & (TAB - 1);
		select2(t, tab, wp, wq, nv);
		if (k == nwin - 1) {
			memcpy(x, t, nv * sizeof *x);
			continue;
		}
		for (i = 0; i < WIN; i++)
			montmul2(x, x, x, m, len, nv, m0i);
		montmul2(x, x, t, m, len, nv, m0i);
	}
	for (k = 0; k < len; k++) {
		xp[k] = x[k >> 1][(k & 1) << 1];
		xq[k] = x[k >> 1][((k & 1) << 1) + 1];
	}
	wp = wq = 0;
	wt_wipe(tab, sizeof tab);
	wt_wipe(x, sizeof x);
	wt_wipe(t, sizeof t);
	wt_wipe(onep, sizeof onep);
	wt_wipe(oneq, sizeof oneq);
}

/* see wt_i32.h: square and multiply on e's bits, p in one lane and q in
 * the other (or both lanes on one modulus, for wt_i32_modpow_vartime_e:
 * at 2048 bits one montmul2 with a lane to spare takes less time than
 * the scalar montsqr, fewer instructions per limb product). */
void wt_i32_vec_modpow2_vartime_e(uint32_t *xp, uint32_t *xq, const uint32_t *e,
				  size_t elen, const uint32_t *p, const uint32_t *q,
				  size_t len, uint32_t p0i, uint32_t q0i)
{
	v4 mv[MAXV], xv[MAXV], bv[MAXV];
	v4 m0iv = { p0i, 0, q0i, 0 };
	size_t nv = (len + 1) / 2, k;
	uint32_t ebits = wt_i32_bitlen(e, elen), i;
	if (ebits == 0)
		return; /* caller's contract: e != 0 */
	interleave(mv, p, q, len);
	interleave(bv, xp, xq, len);
	memcpy(xv, bv, nv * sizeof *xv);
	/* x already equals b^1 for the leading one bit */
	for (i = ebits - 1; i-- > 0;) {
		montmul2(xv, xv, xv, mv, len, nv, m0iv);
		if ((e[i >> 5] >> (i & 31)) & 1)
			montmul2(xv, xv, bv, mv, len, nv, m0iv);
	}
	for (k = 0; k < len; k++) {
		xp[k] = xv[k >> 1][(k & 1) << 1];
		xq[k] = xv[k >> 1][((k & 1) << 1) + 1];
	}
	wt_wipe(xv, sizeof xv);
	wt_wipe(bv, sizeof bv);
}

#endif
