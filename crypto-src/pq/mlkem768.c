/*
 * mlkem768.c: ML-KEM-768 (FIPS 203): K-PKE (section 5) and the KEM built
 * on it (sections 6 and 7), with k = 3, eta1 = eta2 = 2, du = 10, dv = 4.
 *
 * Hash functions (FIPS 203 4.1): H = SHA3-256, G = SHA3-512,
 * J(s) = SHAKE256(s, 32 bytes), PRF_eta(s, b) = SHAKE256(s || b, 64 eta),
 * XOF = SHAKE128.
 *
 * Constant-time: secrets (d, z, sigma, s, e, m, r, y, K) only meet
 * arithmetic from mlkem_poly.c and SHA-3. The decapsulation compares the
 * re-encryption with wt_ct_eq and picks K' or K-bar with wt_ccopy, so its
 * timing does not say which one was returned. The matrix seed rho is
 * public (it is part of ek) and drives variable-time rejection sampling.
 */
#include "inner.h"
#include "wt_host.h"
#include "wt_mlkem.h"
#include "wt_sha3.h"
#include "mlkem_poly.h"

#define K 3
#define DU 10
#define DV 4
#define VEC_BYTES (K * MLKEM_POLYBYTES) /* 1152: ByteEncode_12 of a vector */
#define C1_BYTES (K * 32 * DU)          /* 960 */
#define C2_BYTES (32 * DV)              /* 128 */
#define EK_LEN (VEC_BYTES + 32)         /* 1184 */
#define DK_LEN (2 * VEC_BYTES + 96)     /* 2400 */
#define CT_LEN (C1_BYTES + C2_BYTES)    /* 1088 */

/* dk = dk_PKE || ek || H(ek) || z (Algorithm 16 line 3) */
#define DK_EK VEC_BYTES
#define DK_H (VEC_BYTES + EK_LEN)
#define DK_Z (DK_H + 32)

_Static_assert(EK_LEN == WT_MLKEM768_EK_LEN && DK_LEN == WT_MLKEM768_DK_LEN &&
		       CT_LEN == WT_MLKEM768_CT_LEN,
	       "sizes of FIPS 203 Table 3");

/* s <- SamplePolyCBD_eta(PRF_eta(seed, nonce)), eta = 2 (both eta1 and
 * eta2 are 2 for ML-KEM-768). */
static void sample_cbd(wt_mlkem_poly *p, const uint8_t seed[32], uint8_t nonce)
{
	uint8_t in[33], buf[128];
	memcpy(in, seed, 32);
	in[32] = nonce;
	wt_shake256(buf, sizeof buf, in, sizeof in);
	wt_mlkem_cbd2(p, buf);
	wt_wipe(in, sizeof in);
	wt_wipe(buf, sizeof buf);
}

/* A-hat[i][j] = SampleNTT(rho || j || i) (Algorithm 13 lines 3-7, Algorithm
 * 14 lines 4-8); transposed gives A-hat^T[i][j] = A-hat[j][i], which is
 * what Encrypt multiplies by. */
static void gen_matrix(wt_mlkem_poly a[K][K], const uint8_t rho[32], int transposed)
{
	uint8_t seed[34];
	unsigned i, j;
	memcpy(seed, rho, 32);
	for (i = 0; i < K; i++) {
		for (j = 0; j < K; j++) {
			seed[32] = (uint8_t)(transposed ? i : j);
			seed[33] = (uint8_t)(transposed ? j : i);
			wt_mlkem_sample_ntt(&a[i][j], seed);
		}
	}
}

/* K-PKE.KeyGen(d) (Algorithm 13): ek_PKE = ByteEncode_12(t-hat) || rho,
 * dk_PKE = ByteEncode_12(s-hat). */
static void pke_keygen(uint8_t ek[EK_LEN], uint8_t dkp[VEC_BYTES], const uint8_t d[32])
{
	wt_mlkem_poly a[K][K], s[K], e[K], t;
	wt_mlkem_mulcache sx[K];
	uint8_t in[33], rs[64]; /* (rho, sigma) = G(d || k) */
	unsigned i;

	memcpy(in, d, 32);
	in[32] = K; /* domain separation by k (line 1) */
	wt_sha3_512(in, sizeof in, rs);
	/* rho comes out of G(d || k) with the secret d but is public by
	 * design (it is written into ek): see inner.h. */
	WT_DECLASSIFY_MEM(rs, 32);
	gen_matrix(a, rs, 0);
	for (i = 0; i < K; i++)
		sample_cbd(&s[i], rs + 32, (uint8_t)i);
	for (i = 0; i < K; i++)
		sample_cbd(&e[i], rs + 32, (uint8_t)(K + i));
	for (i = 0; i < K; i++) {
		wt_mlkem_ntt(&s[i]);
		wt_mlkem_ntt(&e[i]);
		wt_mlkem_mulcache_compute(&sx[i], &s[i]);
	}
	/* t-hat = A-hat o s-hat + e-hat (line 18). basemul leaves a factor
	 * 2^-16 that tomont takes back out. */
	for (i = 0; i < K; i++) {
		wt_mlkem_basemul_acc(&t, a[i], s, sx, K);
		wt_mlkem_poly_tomont(&t);
		wt_mlkem_poly_add(&t, &e[i]);
		wt_mlkem_poly_reduce(&t);
		wt_mlkem_encode12(ek + i * MLKEM_POLYBYTES, &t);
		wt_mlkem_encode12(dkp + i * MLKEM_POLYBYTES, &s[i]);
	}
	memcpy(ek + VEC_BYTES, rs, 32);

	wt_wipe(s, sizeof s);
	wt_wipe(e, sizeof e);
	wt_wipe(sx, sizeof sx);
	wt_wipe(&t, sizeof t);
	wt_wipe(in, sizeof in);
	wt_wipe(rs, sizeof rs);
}

/* K-PKE.Encrypt(ek, m, r) (Algorithm 14). ek's t-hat is decoded modulo q;
 * the callers have checked or produced ek. */
static void pke_encrypt(uint8_t c[CT_LEN], const uint8_t ek[EK_LEN], const uint8_t m[32],
			const uint8_t r[32])
{
	wt_mlkem_poly at[K][K], t[K], y[K], u, v, e, mu;
	wt_mlkem_mulcache yx[K];
	unsigned i;

	for (i = 0; i < K; i++)
		wt_mlkem_decode12(&t[i], ek + i * MLKEM_POLYBYTES);
	gen_matrix(at, ek + VEC_BYTES, 1);
	for (i = 0; i < K; i++) {
		sample_cbd(&y[i], r, (uint8_t)i);
		wt_mlkem_ntt(&y[i]);
		wt_mlkem_mulcache_compute(&yx[i], &y[i]);
	}
	/* u = NTT^-1(A-hat^T o y-hat) + e1 (line 19); e1 uses nonces k..2k-1 */
	for (i = 0; i < K; i++) {
		wt_mlkem_basemul_acc(&u, at[i], y, yx, K);
		wt_mlkem_invntt(&u);
		sample_cbd(&e, r, (uint8_t)(K + i));
		wt_mlkem_poly_add(&u, &e);
		wt_mlkem_poly_reduce(&u);
		wt_mlkem_compress(c + i * 32 * DU, &u, DU);
	}
	/* v = NTT^-1(t-hat^T o y-hat) + e2 + mu (lines 20-21); e2 nonce 2k */
	wt_mlkem_basemul_acc(&v, t, y, yx, K);
	wt_mlkem_invntt(&v);
	sample_cbd(&e, r, (uint8_t)(2 * K));
	wt_mlkem_poly_add(&v, &e);
	wt_mlkem_decompress(&mu, m, 1);
	wt_mlkem_poly_add(&v, &mu);
	wt_mlkem_poly_reduce(&v);
	wt_mlkem_compress(c + C1_BYTES, &v, DV);

	wt_wipe(y, sizeof y);
	wt_wipe(yx, sizeof yx);
	wt_wipe(&u, sizeof u);
	wt_wipe(&v, sizeof v);
	wt_wipe(&e, sizeof e);
	wt_wipe(&mu, sizeof mu);
}

/* K-PKE.Decrypt(dk_PKE, c) (Algorithm 15):
 * m = ByteEncode_1(Compress_1(v' - NTT^-1(s-hat^T o NTT(u')))). */
static void pke_decrypt(uint8_t m[32], const uint8_t dkp[VEC_BYTES],
			const uint8_t c[CT_LEN])
{
	wt_mlkem_poly u[K], s[K], w, v;
	wt_mlkem_mulcache ux[K];
	unsigned i;

	for (i = 0; i < K; i++) {
		wt_mlkem_decompress(&u[i], c + i * 32 * DU, DU);
		wt_mlkem_ntt(&u[i]);
		wt_mlkem_mulcache_compute(&ux[i], &u[i]);
		wt_mlkem_decode12(&s[i], dkp + i * MLKEM_POLYBYTES);
	}
	wt_mlkem_basemul_acc(&w, s, u, ux, K);
	wt_mlkem_invntt(&w);
	wt_mlkem_decompress(&v, c + C1_BYTES, DV);
	wt_mlkem_poly_sub(&w, &v);
	wt_mlkem_poly_reduce(&w);
	wt_mlkem_compress(m, &w, 1);

	wt_wipe(s, sizeof s);
	wt_wipe(&w, sizeof w);
}

/* ---- ML-KEM --------------------------------------------------------------- */

void wt_mlkem768_keygen_seed(uint8_t ek[1184], uint8_t dk[2400], const uint8_t seed[64])
{
	pke_keygen(ek, dk, seed);
	memcpy(dk + DK_EK, ek, EK_LEN);
	wt_sha3_256(ek, EK_LEN, dk + DK_H);
	memcpy(dk + DK_Z, seed + 32, 32);
}

void wt_mlkem768_keygen(uint8_t ek[1184], uint8_t dk[2400])
{
	uint8_t seed[64];
	wt_random(seed, sizeof seed);
	wt_mlkem768_keygen_seed(ek, dk, seed);
	wt_wipe(seed, sizeof seed);
}

/* see wt_mlkem.h. FIPS 203 7.2 line 2: test = ByteEncode_12(ByteDecode_12(
 * ek[0:384k])) must equal ek[0:384k], i.e. no 12-bit value reaches q. */
int wt_mlkem768_check_ek(const uint8_t ek[1184])
{
	uint32_t ok = 1;
	unsigned i;
	for (i = 0; i < K; i++)
		ok &= wt_mlkem_check12(ek + i * MLKEM_POLYBYTES);
	return ok ? 0 : -1;
}

/* see wt_mlkem.h. FIPS 203 7.3 line 3: test = H(dk[384k : 768k + 32]) must
 * equal dk[768k + 32 : 768k + 64]. Only the public ek part is hashed; the
 * verdict is public. */
int wt_mlkem768_check_dk(const uint8_t dk[2400])
{
	uint8_t h[32];
	wt_sha3_256(dk + DK_EK, EK_LEN, h);
	return WT_DECLASSIFY(wt_ct_eq(h, dk + DK_H, 32)) ? 0 : -1;
}

/* ML-KEM.Encaps_internal(ek, m) (Algorithm 17):
 * (K, r) = G(m || H(ek)), c = K-PKE.Encrypt(ek, m, r). */
static void encaps_internal(uint8_t ct[CT_LEN], uint8_t ss[32], const uint8_t ek[EK_LEN],
			    const uint8_t m[32])
{
	uint8_t in[64], kr[64];
	memcpy(in, m, 32);
	wt_sha3_256(ek, EK_LEN, in + 32);
	wt_sha3_512(in, sizeof in, kr);
	pke_encrypt(ct, ek, m, kr + 32);
	memcpy(ss, kr, 32);
	wt_wipe(in, sizeof in);
	wt_wipe(kr, sizeof kr);
}

int wt_mlkem768_encaps_m(uint8_t ct[1088], uint8_t ss[32], const uint8_t ek[1184],
			 const uint8_t m[32])
{
	if (wt_mlkem768_check_ek(ek) != 0) {
		memset(ct, 0, CT_LEN);
		memset(ss, 0, 32);
		return -1;
	}
	encaps_internal(ct, ss, ek, m);
	return 0;
}

int wt_mlkem768_encaps(uint8_t ct[1088], uint8_t ss[32], const uint8_t ek[1184])
{
	uint8_t m[32];
	int r;
	if (wt_mlkem768_check_ek(ek) != 0) {
		memset(ct, 0, CT_LEN);
		memset(ss, 0, 32);
		return -1;
	}
	wt_random(m, sizeof m);
	r = wt_mlkem768_encaps_m(ct, ss, ek, m);
	wt_wipe(m, sizeof m);
	return r;
}

/*
 * see wt_mlkem.h. ML-KEM.Decaps_internal (Algorithm 18):
 *   m' = K-PKE.Decrypt(dk_PKE, c); (K', r') = G(m' || h);
 *   K-bar = J(z || c); c' = K-PKE.Encrypt(ek_PKE, m', r');
 *   return c == c' ? K' : K-bar.
 * The comparison runs over all 1088 bytes whatever they hold (a memcmp or
 * strcmp that stops early would leak where c' first differs), and the
 * choice is a masked copy.
 */
void wt_mlkem768_decaps_internal(uint8_t ss[32], const uint8_t dk[2400],
				 const uint8_t ct[1088])
{
	wt_shake_ctx j;
	uint8_t in[64], kr[64], cmp[CT_LEN];
	uint32_t eq;

	pke_decrypt(in, dk, ct);
	memcpy(in + 32, dk + DK_H, 32);
	wt_sha3_512(in, sizeof in, kr);
	pke_encrypt(cmp, dk + DK_EK, in, kr + 32);

	wt_shake256_init(&j);
	wt_shake_absorb(&j, dk + DK_Z, 32);
	wt_shake_absorb(&j, ct, CT_LEN);
	wt_shake_squeeze(&j, ss, 32);

	eq = wt_barrier(wt_ct_eq(ct, cmp, CT_LEN)) /* see inner.h */;
	wt_ccopy(eq, ss, kr, 32);

	wt_wipe(&j, sizeof j);
	wt_wipe(in, sizeof in);
	wt_wipe(kr, sizeof kr);
	wt_wipe(cmp, sizeof cmp);
}

int wt_mlkem768_decaps(uint8_t ss[32], const uint8_t dk[2400], const uint8_t ct[1088])
{
	if (wt_mlkem768_check_dk(dk) != 0) {
		memset(ss, 0, 32);
		return -1;
	}
	wt_mlkem768_decaps_internal(ss, dk, ct);
	return 0;
}
