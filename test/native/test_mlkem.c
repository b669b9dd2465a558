/*
 * test_mlkem.c: ML-KEM-768 and its ring arithmetic.
 *
 *  - field: Barrett over every int16, Montgomery on edge and random
 *    inputs, Compress_d by multiply-shift against the defining rounding
 *    for every x < q and d in {1, 4, 5, 10, 11}, Decompress_d;
 *  - the zeta/gamma tables recomputed from 17 (FIPS 203 Appendix A);
 *  - NTT: NTT^-1(NTT(a)) = a * 2^16 and NTT-domain products equal
 *    schoolbook products in Z_q[X]/(X^256 + 1);
 *  - a deterministic known answer (seed, m) whose outputs were computed
 *    with @noble/post-quantum 0.7.1 (see KAT below);
 *  - key generation from wt_random = from the seed; round trips; implicit
 *    rejection gives J(z || c) for ciphertexts changed anywhere;
 *  - the input checks of FIPS 203 7.2 (modulus) and 7.3 (hash).
 */
#include "wt_mlkem.h"
#include "wt_sha3.h"
#include "wt_host.h"
#include "pq/mlkem_poly.h"
#include "testutil.h"

#define Q 3329

static int32_t modq(int64_t x)
{
	x %= Q;
	return (int32_t)(x < 0 ? x + Q : x);
}

static int32_t powq(int32_t b, unsigned e)
{
	int64_t r = 1;
	while (e--)
		r = r * b % Q;
	return (int32_t)r;
}

static unsigned brv7(unsigned i)
{
	unsigned r = 0, k;
	for (k = 0; k < 7; k++)
		r |= ((i >> k) & 1) << (6 - k);
	return r;
}

/* xorshift: reproducible test data */
static uint64_t rs = 0x9e3779b97f4a7c15ULL;
static uint32_t rnd(void)
{
	rs ^= rs << 13;
	rs ^= rs >> 7;
	rs ^= rs << 17;
	return (uint32_t)(rs >> 16);
}

/*
 * KAT produced with @noble/post-quantum 0.7.1 (node_modules, Node 20):
 *   seed = 00 01 .. 3f (d = 00..1f, z = 20..3f), m = 80 81 .. 9f
 *   const { publicKey, secretKey } = ml_kem768.keygen(seed);
 *   const { cipherText, sharedSecret } = ml_kem768.encapsulate(publicKey, m);
 *   sha3_256(publicKey), sha3_256(secretKey), sha3_256(cipherText) from
 *   @noble/hashes; rej = ml_kem768.decapsulate(cipherText with byte 0
 *   xored with 1, secretKey).
 */
static const char *KAT_H_EK =
	"a24e16d8f8f9383a95b77050f4d9fd2f5733eec1d63ef3c23ebf9918173669a7";
static const char *KAT_H_DK =
	"1149f17c3c4ac6ab1e3e2d9d8bd0171355ac0fa31bb8855c48ceade874c0864b";
static const char *KAT_H_CT =
	"df7ac66499b94b59272371c2ebbace7fc7efa27c07d02959c7501c84644bbc40";
static const char *KAT_SS =
	"ef91db44b6cd5b2c50f483481a3d6e2a08cc149764fcb8dc568851332da45ed9";
static const char *KAT_REJ =
	"016b585c8abc901fa45387c496d0ed74332aa06501ace2bb65ab9f8458a35bfc";

static void test_field(void)
{
	int32_t a;
	unsigned d, i, bad = 0;
	for (a = -32768; a <= 32767; a++) {
		int16_t r = wt_mlkem_barrett_reduce((int16_t)a);
		if (modq(r) != modq(a) || r < -(Q - 1) / 2 || r > (Q - 1) / 2)
			bad++;
	}
	CHECK(bad == 0, "Barrett: %u bad", bad);

	/* Montgomery: a * 2^-16 mod q, |result| < q, for |a| < q 2^15 */
	{
		const int32_t lim = Q * 32768 - 1;
		int32_t edge[] = { 0,  1,     -1,     lim,      -lim,     Q,
				   -Q, 65536, -65536, 12345678, -98765432 };
		int32_t rinv = powq(powq(2, 16), Q - 2);
		bad = 0;
		for (i = 0; i < 200000 + sizeof edge / sizeof edge[0]; i++) {
			int32_t x = i < sizeof edge / sizeof edge[0] ?
				edge[i] :
				(int32_t)(rnd() % (2u * (uint32_t)lim + 1)) - lim;
			int16_t r = wt_mlkem_montgomery_reduce(x);
			if (modq(r) != modq((int64_t)modq(x) * rinv) || r <= -Q || r >= Q)
				bad++;
		}
		CHECK(bad == 0, "Montgomery: %u bad", bad);
	}

	/* Compress_d(x) = round(2^d x / q) mod 2^d, round(y) = floor(y + 1/2):
	 * floor((2^(d+1) x + q) / 2q) computed here with a real division. */
	{
		unsigned ds[] = { 1, 4, 5, 10, 11 };
		bad = 0;
		for (d = 0; d < 5; d++) {
			uint32_t x;
			for (x = 0; x < Q; x++) {
				uint32_t want = (((x << (ds[d] + 1)) + Q) / (2 * Q)) &
					((1u << ds[d]) - 1);
				if ((wt_mlkem_compress_raw(x, ds[d]) &
				     ((1u << ds[d]) - 1)) != want)
					bad++;
			}
		}
		CHECK(bad == 0, "Compress: %u bad", bad);
	}

	/* compress/decompress through the packers: Decompress_d(y) =
	 * floor((2 q y + 2^d) / 2^(d+1)), and Compress(Decompress(y)) = y. */
	{
		unsigned ds[] = { 1, 4, 5, 10, 11 };
		for (d = 0; d < 5; d++) {
			uint8_t in[32 * 11], out[32 * 11];
			wt_mlkem_poly p;
			unsigned dd = ds[d], n = 32 * dd;
			for (i = 0; i < n; i++)
				in[i] = (uint8_t)rnd();
			wt_mlkem_decompress(&p, in, dd);
			bad = 0;
			for (i = 0; i < 256; i++) {
				/* the i-th d-bit value of in, read bit by bit */
				uint32_t y = 0, b;
				for (b = 0; b < dd; b++) {
					unsigned bit = i * dd + b;
					y |= (uint32_t)((in[bit / 8] >> (bit % 8)) & 1)
						<< b;
				}
				if ((uint32_t)p.c[i] !=
				    (2 * Q * y + (1u << dd)) / (1u << (dd + 1)))
					bad++;
			}
			wt_mlkem_compress(out, &p, dd);
			CHECK(bad == 0 && memcmp(in, out, n) == 0,
			      "decompress d=%u: %u bad", dd, bad);
		}
	}

	/* ByteDecode_12 reduces mod q; the modulus check spots values >= q */
	{
		uint8_t e[384], e2[384];
		wt_mlkem_poly p;
		for (i = 0; i < 384; i++)
			e[i] = (uint8_t)rnd();
		wt_mlkem_decode12(&p, e);
		bad = 0;
		for (i = 0; i < 256; i++) {
			uint32_t v = i & 1 ? (e[3 * (i / 2) + 1] >> 4) |
					((uint32_t)e[3 * (i / 2) + 2] << 4) :
					     e[3 * (i / 2)] |
					((uint32_t)(e[3 * (i / 2) + 1] & 15) << 8);
			if (p.c[i] != (int16_t)(v % Q))
				bad++;
		}
		CHECK(bad == 0, "decode12");
		wt_mlkem_encode12(e2, &p);
		wt_mlkem_decode12(&p, e2);
		CHECK(wt_mlkem_check12(e2) == 1, "check12 canonical");
		memset(e, 0, sizeof e);
		e[3 * 100] = 0xff;
		e[3 * 100 + 1] = 0x0c; /* coefficient 200 = 0xcff */
		CHECK(wt_mlkem_check12(e) == 1, "check12 3327");
		e[3 * 100] = 0x00;
		e[3 * 100 + 1] = 0x0d; /* 0xd00 = 3328 */
		CHECK(wt_mlkem_check12(e) == 1, "check12 q-1");
		e[3 * 100] = 0x01; /* 0xd01 = q */
		CHECK(wt_mlkem_check12(e) == 0, "check12 q");
		e[3 * 100] = 0x00;
		e[3 * 100 + 1] = 0x00;
		e[3 * 100 + 2] = 0xff; /* coefficient 201 = 4080 */
		CHECK(wt_mlkem_check12(e) == 0, "check12 4080");
	}
}

static void test_tables(void)
{
	unsigned i, bad = 0;
	int32_t r = powq(2, 16);
	for (i = 0; i < 128; i++) {
		if (modq(wt_mlkem_zetas[i]) != modq((int64_t)powq(17, brv7(i)) * r) ||
		    modq(wt_mlkem_gammas[i]) !=
			    modq((int64_t)powq(17, 2 * brv7(i) + 1) * r) ||
		    wt_mlkem_zetas[i] < -(Q - 1) / 2 || wt_mlkem_zetas[i] > (Q - 1) / 2 ||
		    wt_mlkem_gammas[i] < -(Q - 1) / 2 || wt_mlkem_gammas[i] > (Q - 1) / 2)
			bad++;
	}
	CHECK(bad == 0, "zeta/gamma tables: %u bad", bad);
}

static void test_ntt(void)
{
	int iter;
	int32_t r = powq(2, 16);
	for (iter = 0; iter < 20; iter++) {
		wt_mlkem_poly a, b, an, bn, c;
		wt_mlkem_mulcache bx;
		int64_t want[256];
		unsigned i, j, bad = 0;
		for (i = 0; i < 256; i++) {
			/* inputs anywhere in (-q, q), the NTT's stated range */
			a.c[i] = (int16_t)((int32_t)(rnd() % (2 * Q - 1)) - (Q - 1));
			b.c[i] = (int16_t)((int32_t)(rnd() % (2 * Q - 1)) - (Q - 1));
		}
		an = a;
		wt_mlkem_ntt(&an);
		c = an;
		wt_mlkem_invntt(&c);
		for (i = 0; i < 256; i++)
			if (modq(c.c[i]) != modq((int64_t)a.c[i] * r) || c.c[i] <= -Q ||
			    c.c[i] >= Q)
				bad++;
		CHECK(bad == 0, "invntt(ntt(a)) = a R, iter %d", iter);

		/* schoolbook a * b mod X^256 + 1 */
		memset(want, 0, sizeof want);
		for (i = 0; i < 256; i++)
			for (j = 0; j < 256; j++) {
				int64_t t = (int64_t)a.c[i] * b.c[j];
				if (i + j < 256)
					want[i + j] += t;
				else
					want[i + j - 256] -= t;
			}
		bn = b;
		wt_mlkem_ntt(&bn);
		wt_mlkem_mulcache_compute(&bx, &bn);
		/* a in [0, q) as the decoders give, and centred as NTT gives */
		for (i = 0; i < 256; i++)
			an.c[i] = (int16_t)(iter & 1 ? modq(an.c[i]) : an.c[i]);
		wt_mlkem_basemul_acc(&c, &an, &bn, &bx, 1);
		wt_mlkem_invntt(&c);
		bad = 0;
		for (i = 0; i < 256; i++)
			if (modq(c.c[i]) != modq(want[i]))
				bad++;
		CHECK(bad == 0, "NTT product = schoolbook, iter %d: %u bad", iter, bad);
	}
}

/* The scalar and vector NTTs give the same bits, on random inputs in the
 * stated range (|x| < q) and on the extremes. */
static void test_ntt_paths(void)
{
#ifdef WT_MLKEM_V128
	int iter;
	for (iter = 0; iter < 200; iter++) {
		wt_mlkem_poly a, b;
		unsigned i;
		for (i = 0; i < 256; i++) {
			int32_t x = (int32_t)(rnd() % (2 * Q - 1)) - (Q - 1);
			if (iter == 0)
				x = Q - 1;
			if (iter == 1)
				x = -(Q - 1);
			if (iter == 2)
				x = i & 1 ? Q - 1 : -(Q - 1);
			a.c[i] = (int16_t)x;
		}
		b = a;
		wt_mlkem_ntt_scalar(&a);
		wt_mlkem_ntt_v128(&b);
		CHECK(memcmp(&a, &b, sizeof a) == 0, "ntt scalar = v128, iter %d", iter);
		/* invntt input: as basemul leaves it, |x| < q */
		for (i = 0; i < 256; i++)
			a.c[i] = (int16_t)((int32_t)(rnd() % (2 * Q - 1)) - (Q - 1));
		if (iter < 2)
			for (i = 0; i < 256; i++)
				a.c[i] = (int16_t)(iter ? Q - 1 : -(Q - 1));
		b = a;
		wt_mlkem_invntt_scalar(&a);
		wt_mlkem_invntt_v128(&b);
		CHECK(memcmp(&a, &b, sizeof a) == 0, "invntt scalar = v128, iter %d",
		      iter);
		/* basemul with k = 1..4 terms: a anywhere in (-q, q), b centred */
		{
			wt_mlkem_poly va[4], vb[4], r1, r2;
			wt_mlkem_mulcache x1[4], x2[4];
			unsigned j, k = 1 + (unsigned)iter % 4;
			for (j = 0; j < 4; j++)
				for (i = 0; i < 256; i++) {
					va[j].c[i] =
						(int16_t)((int32_t)(rnd() % (2 * Q - 1)) -
							  (Q - 1));
					vb[j].c[i] = (int16_t)((int32_t)(rnd() % Q) -
							       (Q - 1) / 2);
					if (iter < 4) { /* extremes */
						va[j].c[i] =
							(int16_t)(iter & 1 ? Q - 1 :
									     -(Q - 1));
						vb[j].c[i] =
							(int16_t)(iter & 2 ?
									  (Q - 1) / 2 :
									  -(Q - 1) / 2);
					}
				}
			for (j = 0; j < 4; j++) {
				wt_mlkem_mulcache_compute_scalar(&x1[j], &vb[j]);
				wt_mlkem_mulcache_compute_v128(&x2[j], &vb[j]);
			}
			CHECK(memcmp(x1, x2, sizeof x1) == 0,
			      "mulcache scalar = v128, iter %d", iter);
			wt_mlkem_basemul_acc_scalar(&r1, va, vb, x1, k);
			wt_mlkem_basemul_acc_v128(&r2, va, vb, x1, k);
			CHECK(memcmp(&r1, &r2, sizeof r1) == 0,
			      "basemul scalar = v128, k %u iter %d", k, iter);
		}
	}
#else
	CHECK(1, "no vector path in this build");
#endif
}

static void hash_is(const uint8_t *p, size_t n, const char *h, const char *what)
{
	uint8_t md[32];
	wt_sha3_256(p, n, md);
	CHECK(eqhex(md, 32, h), "%s", what);
}

/* K-bar = J(z || c) = SHAKE256(z || c, 32), computed independently */
static void kbar(uint8_t out[32], const uint8_t dk[2400], const uint8_t ct[1088])
{
	uint8_t in[32 + 1088];
	memcpy(in, dk + 2368, 32);
	memcpy(in + 32, ct, 1088);
	wt_shake256(out, 32, in, sizeof in);
}

static void test_kem(void)
{
	static uint8_t ek[1184], dk[2400], ek2[1184], dk2[2400], ct[1088], ct2[1088];
	uint8_t seed[64], m[32], ss[32], ss2[32], want[32];
	unsigned i;
	int iter;

	for (i = 0; i < 64; i++)
		seed[i] = (uint8_t)i;
	for (i = 0; i < 32; i++)
		m[i] = (uint8_t)(0x80 + i);
	wt_mlkem768_keygen_seed(ek, dk, seed);
	hash_is(ek, sizeof ek, KAT_H_EK, "KAT ek");
	hash_is(dk, sizeof dk, KAT_H_DK, "KAT dk");
	CHECK(memcmp(dk + 1152, ek, 1184) == 0 && memcmp(dk + 2368, seed + 32, 32) == 0,
	      "dk layout");
	CHECK(wt_mlkem768_check_ek(ek) == 0 && wt_mlkem768_check_dk(dk) == 0,
	      "own keys pass checks");
	CHECK(wt_mlkem768_encaps_m(ct, ss, ek, m) == 0, "encaps_m");
	hash_is(ct, sizeof ct, KAT_H_CT, "KAT ct");
	CHECK(eqhex(ss, 32, KAT_SS), "KAT ss");
	CHECK(wt_mlkem768_decaps(ss2, dk, ct) == 0 && eqhex(ss2, 32, KAT_SS),
	      "KAT decaps");
	memcpy(ct2, ct, sizeof ct);
	ct2[0] ^= 1;
	CHECK(wt_mlkem768_decaps(ss2, dk, ct2) == 0 && eqhex(ss2, 32, KAT_REJ),
	      "KAT implicit rejection");

	/* wt_random pinned: keygen and encaps draw exactly seed and m */
	wt_test_set_random(seed, 64);
	wt_mlkem768_keygen(ek2, dk2);
	CHECK(memcmp(ek, ek2, sizeof ek) == 0 && memcmp(dk, dk2, sizeof dk) == 0,
	      "keygen from wt_random");
	wt_test_set_random(m, 32);
	CHECK(wt_mlkem768_encaps(ct2, ss2, ek) == 0, "encaps");
	CHECK(memcmp(ct, ct2, sizeof ct) == 0 && memcmp(ss, ss2, 32) == 0,
	      "encaps from wt_random");
	wt_test_set_random(NULL, 0);

	/* Implicit rejection: one bit changed in c1, in c2, in the last byte
	 * (a strcmp-style compare would miss it) gives K-bar = J(z || c). */
	{
		size_t pos[] = { 0, 1, 500, 959, 960, 1000, 1087 };
		for (i = 0; i < sizeof pos / sizeof pos[0]; i++) {
			memcpy(ct2, ct, sizeof ct);
			ct2[pos[i]] ^= (uint8_t)(1u << (i % 8));
			kbar(want, dk, ct2);
			CHECK(wt_mlkem768_decaps(ss2, dk, ct2) == 0 &&
				      memcmp(ss2, want, 32) == 0 &&
				      memcmp(ss2, ss, 32) != 0,
			      "implicit rejection, byte %zu", pos[i]);
		}
	}

	/* random round trips */
	for (iter = 0; iter < 50; iter++) {
		wt_mlkem768_keygen(ek, dk);
		CHECK(wt_mlkem768_check_ek(ek) == 0 && wt_mlkem768_check_dk(dk) == 0,
		      "checks %d", iter);
		CHECK(wt_mlkem768_encaps(ct, ss, ek) == 0, "encaps %d", iter);
		CHECK(wt_mlkem768_decaps(ss2, dk, ct) == 0 && memcmp(ss, ss2, 32) == 0,
		      "round trip %d", iter);
		wt_mlkem768_decaps_internal(ss2, dk, ct);
		CHECK(memcmp(ss, ss2, 32) == 0, "decaps_internal %d", iter);
	}

	/* FIPS 203 7.2: a 12-bit value >= q in t fails the modulus check. The
	 * last value of t (coefficient 255 of polynomial 2) sits in the top
	 * 12 bits of bytes 1149..1151. */
	memcpy(ek2, ek, sizeof ek);
	ek2[1151] = 0xd0;
	ek2[1150] = (uint8_t)((ek2[1150] & 0x0f) | 0x10); /* 0xd01 = q */
	CHECK(wt_mlkem768_check_ek(ek2) == -1, "modulus check q");
	memset(ss2, 0xaa, 32);
	CHECK(wt_mlkem768_encaps(ct2, ss2, ek2) == -1, "encaps refuses ek");
	for (i = 0; i < 32 && ss2[i] == 0; i++)
		;
	CHECK(i == 32, "ss zeroed on refusal");
	ek2[1150] = (uint8_t)(ek2[1150] & 0x0f); /* 0xd00 = q - 1 */
	CHECK(wt_mlkem768_check_ek(ek2) == 0, "modulus check q - 1");
	ek2[0] = 0xff;
	ek2[1] = 0xff; /* 0xfff in poly 0 */
	CHECK(wt_mlkem768_check_ek(ek2) == -1, "modulus check 4095");

	/* FIPS 203 7.3: a dk whose H(ek) does not match is refused */
	memcpy(dk2, dk, sizeof dk);
	dk2[1152 + 7] ^= 0x40;
	CHECK(wt_mlkem768_check_dk(dk2) == -1 && wt_mlkem768_decaps(ss2, dk2, ct) == -1,
	      "hash check ek");
	memcpy(dk2, dk, sizeof dk);
	dk2[2336] ^= 1;
	CHECK(wt_mlkem768_check_dk(dk2) == -1 && wt_mlkem768_decaps(ss2, dk2, ct) == -1,
	      "hash check h");
	memcpy(dk2, dk, sizeof dk);
	dk2[5] ^= 1; /* s is not covered by the check (FIPS 203 7.3) */
	CHECK(wt_mlkem768_check_dk(dk2) == 0, "hash check ignores s");
}

int main(void)
{
	test_field();
	test_tables();
	test_ntt();
	test_ntt_paths();
	test_kem();
	return t_done();
}
