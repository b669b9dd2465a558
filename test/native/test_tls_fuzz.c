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
	case 0: if (at < *n) b[at] ^= (uint8_t)(1u << (rnd() % 8)); break;
	case 1: if (at < *n) b[at] = (uint8_t)rnd(); break;
	case 2:   /* insert */
		if (*n < cap && at <= *n) {
			memmove(b + at + 1, b + at, *n - at);
			b[at] = (uint8_t)rnd();
			(*n)++;
		}
		break;
	case 3:   /* delete */
		if (at < *n) {
			memmove(b + at, b + at + 1, *n - at - 1);
			(*n)--;
		}
		break;
	case 4:   /* duplicate a range */
		l = 1 + rnd() % 64;
		if (at + l <= *n && *n + l <= cap) {
			memmove(b + at + l, b + at, *n - at);
			(*n) += l;
		}
		break;
	case 5:   /* truncate */
		*n = at;
		break;
	case 6:   /* a small number somewhere (lengths, types) */
		if (at < *n) b[at] = (uint8_t)(rnd() % 4 ? rnd() % 8 : 0xFF);
		break;
	default:  /* swap two bytes */
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
		case FZ_CLIENT_SENT_CH: case FZ_CLIENT_EXPECT_EE: case FZ_SERVER_EXPECT_FIN:
		case FZ_SERVER_EXPECT_CERT: case FZ_CLIENT_RESUMING: case FZ_CLIENT_EXPECT_SH2:
			CHECK(wt_tls_is_init_finished(&fz_victim) && !wt_tls_error_code(&fz_victim),
				"seed %d completes the handshake (%s)", sc,
				wt_tls_err_string(wt_tls_error_code(&fz_victim)));
			break;
		case FZ_SERVER_FRESH: case FZ_SERVER_EXPECT_CH2:
			CHECK(fz_victim.state == ST_S_EXPECT_FIN && !wt_tls_error_code(&fz_victim),
				"seed %d: the server sent its flight (%s)", sc,
				wt_tls_err_string(wt_tls_error_code(&fz_victim)));
			break;
		default:   /* connected: data, KeyUpdate, close_notify */
			CHECK(wt_tls_get_shutdown(&fz_victim) & 2 && !wt_tls_error_code(&fz_victim),
				"seed %d: data, KeyUpdate, close_notify (%s)", sc,
				wt_tls_err_string(wt_tls_error_code(&fz_victim)));
			break;
		}
		if (sc == FZ_CLIENT_RESUMING)
			CHECK(wt_tls_session_reused(&fz_victim), "seed %d resumes", sc);
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
		"%d with the handshake done and no error)\n", files, FZ_N, mutations, errors, done);
	{
		int c;
		uint32_t recv = 0, local = 0;
		printf("fuzz: alerts sent:");
		for (c = 0; c < 1024; c++) {
			if (!codes[c])
				continue;
			if (c >= WT_TLS_ERR_SEND_ALERT && c < WT_TLS_ERR_SEND_ALERT + 256)
				printf(" %s x%u;", wt_tls_err_string((uint32_t)c) + 18, codes[c]);
			else if (c >= WT_TLS_ERR_RECV_ALERT && c < WT_TLS_ERR_SEND_ALERT)
				recv += codes[c];
			else
				local += codes[c];
		}
		printf(" alerts received (fuzzed ones): %u; local errors: %u\n", recv, local);
	}
	CHECK(mutations == 20000, "mutations ran");
	return t_done();
}
