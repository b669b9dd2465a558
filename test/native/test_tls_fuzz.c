/*
 * test_tls_fuzz.c: the TLS fuzz target (fuzz_tls.c) in the normal test
 * build, so the ASan+UBSan run exercises it: the committed corpus under
 * test/native/corpus/tls/ (or $WT_TLS_CORPUS), the recorded seeds of
 * every scenario (each checked to get through: the harness reaches the
 * states it claims), and a fixed number of deterministic mutations of
 * them. A crash, sanitizer report or broken invariant fails the run.
 *
 *   test_tls_fuzz --write-corpus DIR   writes the seeds as corpus files
 */
#include "fuzz_tls.c"
#include <dirent.h>

static uint64_t rs = 0x243F6A8885A308D3ull;
static uint32_t rnd(void)
{
	rs ^= rs << 13;
	rs ^= rs >> 7;
	rs ^= rs << 17;
	return (uint32_t)(rs >> 16);
}

/* One structural mutation of b (cap bytes of room). */
static void mutate(uint8_t *b, size_t *n, size_t cap)
{
	size_t at = *n > 1 ? 1 + rnd() % (*n - 1) : 1, l;
	switch (rnd() % 8) {
	case 0:
		if (at < *n)
			b[at] ^= (uint8_t)(1u << (rnd() % 8));
		break;
	case 1:
		if (at < *n)
			b[at] = (uint8_t)rnd();
		break;
	case 2: /* insert */
		if (*n < cap && at <= *n) {
			memmove(b + at + 1, b + at, *n - at);
			b[at] = (uint8_t)rnd();
			(*n)++;
		}
		break;
	case 3: /* delete */
		if (at < *n) {
			memmove(b + at, b + at + 1, *n - at - 1);
			(*n)--;
		}
		break;
	case 4: /* duplicate a range */
		l = 1 + rnd() % 64;
		if (at + l <= *n && *n + l <= cap) {
			memmove(b + at + l, b + at, *n - at);
			(*n) += l;
		}
		break;
	case 5: /* truncate */ *n = at; break;
	case 6: /* a small number somewhere (lengths, types) */
		if (at < *n)
			b[at] = (uint8_t)(rnd() % 4 ? rnd() % 8 : 0xFF);
		break;
	default: /* swap two bytes */
		if (at < *n) {
			size_t o = 1 + rnd() % (*n - 1);
			uint8_t t = b[at];
			b[at] = b[o];
			b[o] = t;
		}
		break;
	}
}

static size_t seed_input(int sc, uint8_t *buf)
{
	buf[0] = (uint8_t)sc;
	memcpy(buf + 1, fz_sc[sc].seed, fz_sc[sc].seedlen);
	return 1 + fz_sc[sc].seedlen;
}

static int run_corpus(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int files = 0;
	if (!d)
		return -1;
	while ((e = readdir(d)) != NULL) {
		char path[1024];
		FILE *f;
		static uint8_t buf[1 << 16];
		size_t n;
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		if (!(f = fopen(path, "rb")))
			continue;
		n = fread(buf, 1, sizeof buf, f);
		fclose(f);
		LLVMFuzzerTestOneInput(buf, n);
		files++;
	}
	closedir(d);
	return files;
}

static void write_corpus(const char *dir)
{
	static uint8_t buf[16384];
	int sc;
	for (sc = 0; sc < FZ_N; sc++) {
		char path[1024];
		FILE *f;
		size_t n = seed_input(sc, buf);
		snprintf(path, sizeof path, "%s/seed-%02d", dir, sc);
		f = fopen(path, "wb");
		if (f) {
			fwrite(buf, 1, n, f);
			fclose(f);
		}
	}
}

/* The records a connected 1.2 victim sent while its seed ran, opened
 * with its write key as frozen (fz_open12, from the RFCs): 1 if they
 * hold the no_renegotiation warning (RFC 5746 4.2 / 4.4), the data the
 * seed's write call sent and the close_notify answering the peer's. */
static int renegotiation_declined(int sc)
{
	static uint8_t out[65536];
	uint8_t buf[16384];
	wt_tls_dir d = fz_sc[sc].conn.wr;
	size_t n = seed_input(sc, buf), off = 0;
	int warn = 0, data = 0, close = 0, bad = 0;
	fz_cap = out;
	fz_cap_len = 0;
	fz_cap_max = sizeof out;
	LLVMFuzzerTestOneInput(buf, n);
	fz_cap = NULL;
	while (off + 5 <= fz_cap_len) {
		size_t len = (size_t)out[off + 3] << 8 | out[off + 4];
		long m;
		if (off + 5 + len > fz_cap_len)
			break;
		m = fz_open12(&d, out + off, 5 + len);
		if (m < 0)
			bad++;
		else if (out[off] == 21 && m == 2 && out[off + 5] == 1 &&
			 out[off + 6] == WT_ALERT_NO_RENEGOTIATION)
			warn++;
		else if (out[off] == 21 && m == 2 && out[off + 5] == 1 &&
			 out[off + 6] == 0)
			close++;
		else if (out[off] == 23 && m == 6 &&
			 memcmp(out + off + 5, "fuzzed", 6) == 0)
			data++;
		else
			bad++;
		off += 5 + len;
	}
	CHECK(warn == 1 && data == 1 && close == 1 && bad == 0 && off == fz_cap_len,
	      "seed %d: the answers are no_renegotiation x%d, data x%d, close_notify x%d "
	      "(%d others)",
	      sc, warn, data, close, bad);
	return warn == 1 && data == 1 && close == 1 && bad == 0;
}

int main(int argc, char **argv)
{
	static uint8_t buf[16384];
	const char *dirs[] = { getenv("WT_TLS_CORPUS"), "test/native/corpus/tls",
			       "../../test/native/corpus/tls" };
	int sc, i, files = -1, mutations = 0, errors = 0, done = 0;
	size_t d;
	uint32_t codes[1024] = { 0 };
	fz_build();
	if (argc == 3 && strcmp(argv[1], "--write-corpus") == 0) {
		write_corpus(argv[2]);
		printf("wrote %d seeds to %s\n", FZ_N, argv[2]);
		return 0;
	}
	/* The seeds go through: the harness reaches its states. */
	for (sc = 0; sc < FZ_N; sc++) {
		size_t n = seed_input(sc, buf);
		LLVMFuzzerTestOneInput(buf, n);
		switch (sc) {
		case FZ_CLIENT_SENT_CH:
		case FZ_CLIENT_EXPECT_EE:
		case FZ_SERVER_EXPECT_FIN:
		case FZ_SERVER_EXPECT_CERT:
		case FZ_CLIENT_RESUMING:
		case FZ_CLIENT_EXPECT_SH2:
			CHECK(wt_tls_is_init_finished(&fz_victim) &&
				      !wt_tls_error_code(&fz_victim),
			      "seed %d completes the handshake (%s)", sc,
			      wt_tls_err_string(wt_tls_error_code(&fz_victim)));
			break;
		case FZ_SERVER_FRESH:
		case FZ_SERVER_EXPECT_CH2:
			CHECK(fz_victim.state == ST_S_EXPECT_FIN &&
				      !wt_tls_error_code(&fz_victim),
			      "seed %d: the server sent its flight (%s)", sc,
			      wt_tls_err_string(wt_tls_error_code(&fz_victim)));
			break;
		case FZ12_SERVER_FRESH:
		case FZ12_SERVER_FRESH_BOTH:
		case FZ12_CLIENT_SENT_CH:
		case FZ12_CLIENT_EXPECT_FIN:
		case FZ12_SERVER_EXPECT_CKE:
		case FZ12_SERVER_EXPECT_CERT:
		case FZ12_CLIENT_AUTH_SENT_CH:
		case FZ12_CLIENT_RESUMING:
		case FZ12_SERVER_RESUMING:
			CHECK(wt_tls_is_init_finished(&fz_victim) &&
				      !wt_tls_error_code(&fz_victim) &&
				      wt_tls_get_version(&fz_victim) == WT_TLS_VERSION_12,
			      "seed %d completes a TLS 1.2 handshake (%s)", sc,
			      wt_tls_err_string(wt_tls_error_code(&fz_victim)));
			break;
		default: /* connected: data, KeyUpdate, close_notify */
			CHECK(wt_tls_get_shutdown(&fz_victim) & 2 &&
				      !wt_tls_error_code(&fz_victim),
			      "seed %d: data, KeyUpdate, close_notify (%s)", sc,
			      wt_tls_err_string(wt_tls_error_code(&fz_victim)));
			break;
		}
		if (sc == FZ_CLIENT_RESUMING || sc == FZ12_CLIENT_RESUMING ||
		    sc == FZ12_SERVER_RESUMING)
			CHECK(wt_tls_session_reused(&fz_victim), "seed %d resumes", sc);
		if (sc == FZ12_SERVER_EXPECT_CERT || sc == FZ12_CLIENT_AUTH_SENT_CH)
			CHECK(wt_tls_peer_authenticated(&fz_victim),
			      "seed %d: peer authenticated", sc);
		if (sc == FZ12_CLIENT_CONNECTED || sc == FZ12_SERVER_CONNECTED) {
			CHECK(wt_tls_get_version(&fz_victim) == WT_TLS_VERSION_12,
			      "seed %d: a TLS 1.2 connection", sc);
			(void)renegotiation_declined(sc);
		}
		/* The suites the 1.2 scenes were built for: GCM's explicit
		 * nonce and ChaCha20's fixed_iv both sealed by the harness. */
		if (sc == FZ12_SERVER_FRESH || sc == FZ12_CLIENT_SENT_CH ||
		    sc == FZ12_CLIENT_RESUMING)
			CHECK(wt_tls_get_suite(&fz_victim) ==
				      WT_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
			      "seed %d: AES-128-GCM (%04x)", sc,
			      wt_tls_get_suite(&fz_victim));
		if (sc == FZ12_SERVER_FRESH_BOTH)
			CHECK(wt_tls_get_suite(&fz_victim) ==
				      WT_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
			      "seed %d: ChaCha20-Poly1305 (%04x)", sc,
			      wt_tls_get_suite(&fz_victim));
		if (sc == FZ12_SERVER_EXPECT_CERT || sc == FZ12_CLIENT_AUTH_SENT_CH)
			CHECK(wt_tls_get_suite(&fz_victim) ==
				      WT_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
			      "seed %d: AES-256-GCM (%04x)", sc,
			      wt_tls_get_suite(&fz_victim));
		/* TLS 1.2 ties no curve to the scheme: ECDSA with any hash
		 * the client offered (RFC 5246 7.4.1.4.1, signature 3). */
		if (sc == FZ12_CLIENT_AUTH_SENT_CH)
			CHECK((wt_tls_get_peer_sigalg(&fz_victim) & 0xFF) == 3,
			      "seed %d: the server signed with its ECDSA key (%04x)", sc,
			      wt_tls_get_peer_sigalg(&fz_victim));
	}
	for (d = 0; d < sizeof dirs / sizeof dirs[0] && files < 0; d++)
		if (dirs[d])
			files = run_corpus(dirs[d]);
	CHECK(files >= FZ_N, "corpus found (%d files)", files);
	/* Mutations: 1 to 4 each, of every seed. */
	for (i = 0; i < 20000; i++) {
		size_t n = seed_input(i % FZ_N, buf);
		int k, m = 1 + (int)(rnd() % 4);
		for (k = 0; k < m; k++)
			mutate(buf, &n, sizeof buf);
		LLVMFuzzerTestOneInput(buf, n);
		mutations++;
		if (wt_tls_error_code(&fz_victim)) {
			errors++;
			codes[wt_tls_error_code(&fz_victim) & 1023]++;
		} else if (wt_tls_is_init_finished(&fz_victim)) {
			done++;
		}
	}
	printf("fuzz: %d corpus files, %d seeds, %d mutations (%d ended in an error, "
	       "%d with the handshake done and no error)\n",
	       files, FZ_N, mutations, errors, done);
	{
		int c;
		uint32_t recv = 0, local = 0;
		printf("fuzz: alerts sent:");
		for (c = 0; c < 1024; c++) {
			if (!codes[c])
				continue;
			if (c >= WT_TLS_ERR_SEND_ALERT && c < WT_TLS_ERR_SEND_ALERT + 256)
				printf(" %s x%u;", wt_tls_err_string((uint32_t)c) + 18,
				       codes[c]);
			else if (c >= WT_TLS_ERR_RECV_ALERT && c < WT_TLS_ERR_SEND_ALERT)
				recv += codes[c];
			else
				local += codes[c];
		}
		printf(" alerts received (fuzzed ones): %u; local errors: %u\n", recv,
		       local);
	}
	CHECK(mutations == 20000, "mutations ran");
	return t_done();
}
