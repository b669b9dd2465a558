/*
 * test_sha3.c: Keccak-f[1600], SHA3-256, SHA3-512, SHAKE128, SHAKE256
 * against known answers typed from the NIST FIPS 202 example files
 * (csrc.nist.gov "Cryptographic Standards and Guidelines: Examples with
 * Intermediate Values": SHA3-256/512 of "" and "abc" and of 1600 bits of
 * 0xa3; SHAKE128/256 of "" and of 1600 bits of 0xa3) and the Keccak team's
 * KeccakF-1600-IntermediateValues.txt (permutation of the zero state).
 * Also: one-shot = incremental for every split, bytewise absorb and
 * squeeze, forked contexts, absorb refused after squeezing.
 */
#include "wt_sha3.h"
#include "testutil.h"

static const char *A3_SHAKE128_FIRST =
	"131ab8d2b594946b9c81333f9bb6e0ce75c3b93104fa3469d3917457385da037";
static const char *A3_SHAKE128_LAST = /* bytes 480..511 of 512 */
	"44c9fb359fd56ac0a9a75a743cff6862f17d7259ab075216c0699511643b6439";
static const char *A3_SHAKE256_FIRST =
	"cd8a920ed141aa0407a22d59288652e9d9f1a7ee0c1e7c1ca699424da84a904d";
static const char *A3_SHAKE256_LAST =
	"6a1a9d7846436e4dca5728b6f760eef0ca92bf0be5615e96959d767197a0beeb";

/*
 * A direct transcription of FIPS 202 section 3.2, with rho's offsets and
 * iota's constants computed by the standard's own procedures (Algorithms
 * 2 and 5), independent of the tables and the lane-complemented form in
 * sha3.c.
 */
static int rc_bit(unsigned t) /* Algorithm 5: rc(t) */
{
	unsigned r = 1, i; /* R = 10000000, bit 0 first */
	if (t % 255 == 0)
		return 1;
	for (i = 1; i <= t % 255; i++) {
		r <<= 1; /* R = 0 || R, then R[0..8] */
		if (r & 0x100)
			r ^= 0x171; /* R[0]^=R[8], R[4]^=R[8], R[5]^=R[8], R[6]^=R[8], drop R[8] */
	}
	return r & 1;
}

static void ref_keccak(uint64_t a[25])
{
	int ir, x, y, t, j;
	for (ir = 0; ir < 24; ir++) {
		uint64_t c[5], d, b[25];
		/* theta */
		for (x = 0; x < 5; x++)
			c[x] = a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20];
		for (x = 0; x < 5; x++) {
			uint64_t c1 = c[(x + 1) % 5];
			d = c[(x + 4) % 5] ^ ((c1 << 1) | (c1 >> 63));
			for (y = 0; y < 5; y++)
				a[x + 5 * y] ^= d;
		}
		/* rho: Algorithm 2, offsets (t + 1)(t + 2) / 2 along the path */
		x = 1;
		y = 0;
		for (t = 0; t < 24; t++) {
			unsigned off = (unsigned)((t + 1) * (t + 2) / 2) % 64;
			uint64_t v = a[x + 5 * y];
			int nx = y, ny = (2 * x + 3 * y) % 5;
			a[x + 5 * y] = off ? (v << off) | (v >> (64 - off)) : v;
			x = nx;
			y = ny;
		}
		/* pi */
		for (x = 0; x < 5; x++)
			for (y = 0; y < 5; y++)
				b[x + 5 * y] = a[(x + 3 * y) % 5 + 5 * x];
		/* chi */
		for (x = 0; x < 5; x++)
			for (y = 0; y < 5; y++)
				a[x + 5 * y] = b[x + 5 * y] ^
					(~b[(x + 1) % 5 + 5 * y] &
					 b[(x + 2) % 5 + 5 * y]);
		/* iota */
		for (j = 0; j <= 6; j++)
			if (rc_bit((unsigned)(j + 7 * ir)))
				a[0] ^= (uint64_t)1 << ((1u << j) - 1);
	}
}

int main(void)
{
	uint8_t md[64], a3[200], out[512], out2[512];
	size_t i, j;
	memset(a3, 0xa3, sizeof a3);

	{
		uint64_t st[25] = { 0 };
		wt_keccak_f1600(st);
		CHECK(st[0] == 0xf1258f7940e1dde7ULL && st[1] == 0x84d5ccf933c0478aULL,
		      "Keccak-f[1600](0) lanes 0, 1");
	}
	{
		/* random states against the reference transcription */
		uint64_t x = 0x0123456789abcdefULL;
		int n, bad = 0;
		for (n = 0; n < 1000; n++) {
			uint64_t st[25], ref[25];
			for (i = 0; i < 25; i++) {
				x ^= x << 13;
				x ^= x >> 7;
				x ^= x << 17;
				st[i] = ref[i] = n == 1 ? ~(uint64_t)0 : x;
			}
			wt_keccak_f1600(st);
			ref_keccak(ref);
			bad += memcmp(st, ref, sizeof st) != 0;
		}
		CHECK(bad == 0, "Keccak-f[1600] = reference on 1000 states: %d bad", bad);
	}

	wt_sha3_256("", 0, md);
	CHECK(eqhex(md, 32,
		    "a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a"),
	      "SHA3-256('')");
	wt_sha3_256("abc", 3, md);
	CHECK(eqhex(md, 32,
		    "3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532"),
	      "SHA3-256(abc)");
	wt_sha3_256(a3, 200, md);
	CHECK(eqhex(md, 32,
		    "79f38adec5c20307a98ef76e8324afbfd46cfd81b22e3973c65fa1bd9de31787"),
	      "SHA3-256(a3*200)");
	wt_sha3_512("", 0, md);
	CHECK(eqhex(md, 64,
		    "a69f73cca23a9ac5c8b567dc185a756e97c982164fe25859e0d1dcc1475c80a6"
		    "15b2123af1f5f94c11e3e9402c3ac558f500199d95b6d3e301758586281dcd26"),
	      "SHA3-512('')");
	wt_sha3_512("abc", 3, md);
	CHECK(eqhex(md, 64,
		    "b751850b1a57168a5693cd924b6b096e08f621827444f70d884f5d0240d2712e"
		    "10e116e9192af3c91a7ec57647e3934057340b4cf408d5a56592f8274eec53f0"),
	      "SHA3-512(abc)");
	wt_sha3_512(a3, 200, md);
	CHECK(eqhex(md, 64,
		    "e76dfad22084a8b1467fcf2ffa58361bec7628edf5f3fdc0e4805dc48caeeca8"
		    "1b7c13c30adf52a3659584739a2df46be589c51ca1a4a8416df6545a1ce8ba00"),
	      "SHA3-512(a3*200)");

	wt_shake128(out, 32, "", 0);
	CHECK(eqhex(out, 32,
		    "7f9c2ba4e88f827d616045507605853ed73b8093f6efbc88eb1a6eacfa66ef26"),
	      "SHAKE128('')");
	wt_shake256(out, 64, "", 0);
	CHECK(eqhex(out, 64,
		    "46b9dd2b0ba88d13233b3feb743eeb243fcd52ea62b81b82b50c27646ed5762f"
		    "d75dc4ddd8c0f200cb05019d67b592f6fc821c49479ab48640292eacb3b7c4be"),
	      "SHAKE256('')");
	wt_shake128(out, 512, a3, 200);
	CHECK(eqhex(out, 32, A3_SHAKE128_FIRST) && eqhex(out + 480, 32, A3_SHAKE128_LAST),
	      "SHAKE128(a3*200)");
	wt_shake256(out, 512, a3, 200);
	CHECK(eqhex(out, 32, A3_SHAKE256_FIRST) && eqhex(out + 480, 32, A3_SHAKE256_LAST),
	      "SHAKE256(a3*200)");

	/* The 200-byte message split at every point, in two updates; a copy
	 * taken at the split gives the same digest. */
	for (i = 0; i <= 200; i++) {
		wt_sha3_ctx c, f;
		uint8_t m2[64];
		wt_sha3_256_init(&c);
		wt_sha3_update(&c, a3, i);
		f = c;
		wt_sha3_update(&c, a3 + i, 200 - i);
		wt_sha3_update(&f, a3 + i, 200 - i);
		wt_sha3_out(&c, md);
		wt_sha3_out(&f, m2);
		CHECK(eqhex(md, 32,
			    "79f38adec5c20307a98ef76e8324afbfd46cfd81b22e3973c65fa1bd9de3"
			    "1787") &&
			      memcmp(md, m2, 32) == 0,
		      "SHA3-256 split %zu", i);
		wt_sha3_512_init(&c);
		wt_sha3_update(&c, a3, i);
		wt_sha3_update(&c, a3 + i, 200 - i);
		wt_sha3_out(&c, md);
		CHECK(eqhex(md, 64,
			    "e76dfad22084a8b1467fcf2ffa58361bec7628edf5f3fdc0e4805dc48cae"
			    "eca8"
			    "1b7c13c30adf52a3659584739a2df46be589c51ca1a4a8416df6545a1ce8"
			    "ba00"),
		      "SHA3-512 split %zu", i);
		/* out leaves the context usable */
		wt_sha3_out(&c, m2);
		CHECK(memcmp(md, m2, 64) == 0, "SHA3-512 out twice %zu", i);
	}

	/* SHAKE: absorb byte by byte, squeeze in pieces of every size 1..200. */
	for (j = 1; j <= 200; j++) {
		wt_shake_ctx c;
		size_t off = 0;
		wt_shake128_init(&c);
		for (i = 0; i < 200; i++)
			wt_shake_absorb(&c, a3 + i, 1);
		while (off < 512) {
			size_t n = 512 - off < j ? 512 - off : j;
			wt_shake_squeeze(&c, out2 + off, n);
			off += n;
		}
		CHECK(eqhex(out2, 32, A3_SHAKE128_FIRST) &&
			      eqhex(out2 + 480, 32, A3_SHAKE128_LAST),
		      "SHAKE128 squeeze pieces of %zu", j);
		wt_shake256_init(&c);
		wt_shake_absorb(&c, a3, j);
		wt_shake_absorb(&c, a3 + j, 200 - j);
		wt_shake_squeeze(&c, out2, j);
		CHECK(wt_shake_absorb(&c, a3, 1) == -1, "absorb after squeeze refused");
		wt_shake_squeeze(&c, out2 + j, 512 - j);
		CHECK(eqhex(out2, 32, A3_SHAKE256_FIRST) &&
			      eqhex(out2 + 480, 32, A3_SHAKE256_LAST),
		      "SHAKE256 split %zu", j);
	}
	return t_done();
}
