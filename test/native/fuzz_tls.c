/*
 * fuzz_tls.c: a libFuzzer-compatible target for the TLS engine: bytes
 * from the fuzzer arrive as records at a client or a server frozen in one
 * of several handshake states (rustls fuzz/fuzzers/client.rs, server.rs).
 *
 * Build with libFuzzer (not done by build.sh; from the repository root):
 *   clang-16 -std=c11 -D_DEFAULT_SOURCE -O1 -g \
 *     -fsanitize=fuzzer,address,undefined -Icrypto-src -Icrypto-src/inc \
 *     test/native/fuzz_tls.c test/native/host_native.c \
 *     $(find crypto-src -name '*.c') -o build/fuzz_tls -lm
 *   build/fuzz_tls test/native/corpus/tls/
 * In the normal test build, test_tls_fuzz.c includes this file and
 * replays the committed corpus plus mutations of recorded handshakes.
 *
 * Input: byte 0 picks the scenario (the victim and its state); the rest
 * is a sequence of chunks, each acted on before the next:
 *   0x80 | x, len u16, bytes   given raw to the victim as network input
 *   0x7E, op                   an API call on the victim (op % 4: write
 *                              6 bytes, KeyUpdate(0), KeyUpdate(1),
 *                              shutdown)
 *   t (< 0x7E), len u16, bytes one record of inner type t sealed as the
 *                              peer would (with its current write key in
 *                              that state; plaintext before keys)
 * In the TLS 1.2 scenarios (FZ12_*) a record of type t is what a 1.2 peer
 * sends: plaintext until its ChangeCipherSpec, then sealed with its half
 * of the key block (RFC 5246 6.2.3.3: the header's type the real one, the
 * explicit nonce for AES-GCM); a chunk of type 20 goes out in the clear
 * and switches the peer's writing on, as the peer's own CCS does.
 * After each chunk the victim is driven (handshake or read) and its
 * output drained. A truncated chunk ends the input.
 *
 * The scenarios are built once per process with deterministic entropy
 * and time, by real handshakes between two engines, and restored for
 * every input by copying the victim's connection and arena back (a
 * connection points to its ctx and arena, which stay put, and to the
 * handshake regions the engine allocates, which are copied too).
 *
 * Checked on every input (abort() on violation, which the fuzzer
 * reports): buffer fill levels stay within their regions; once an error
 * is set it does not change and nothing more is sent after the alert;
 * every loop is bounded.
 */
#include <stddef.h>
#include "tls_mitm.h"

/* ---- deterministic host ---------------------------------------------------- */

static uint8_t fz_entropy[1 << 16];

static void fz_det(void)
{
	static int init;
	size_t i;
	uint64_t x = 0x9E3779B97F4A7C15ull;
	if (!init) {
		for (i = 0; i < sizeof fz_entropy; i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			fz_entropy[i] = (uint8_t)(x >> 32);
		}
		init = 1;
	}
	wt_test_set_random(fz_entropy, sizeof fz_entropy);
	wt_test_set_now(1700000000000ull);
}

/* ---- scenarios ------------------------------------------------------------------- */

enum {
	FZ_SERVER_FRESH,       /* server, expects ClientHello */
	FZ_CLIENT_SENT_CH,     /* client, expects ServerHello */
	FZ_CLIENT_EXPECT_EE,   /* client, after ServerHello (handshake keys) */
	FZ_SERVER_EXPECT_FIN,  /* server, after its flight */
	FZ_CLIENT_CONNECTED,   /* client, after the handshake (tickets on) */
	FZ_SERVER_CONNECTED,   /* server, after the handshake */
	FZ_SERVER_EXPECT_CH2,  /* server, after a HelloRetryRequest */
	FZ_CLIENT_EXPECT_SH2,  /* client, after sending ClientHello2 */
	FZ_SERVER_EXPECT_CERT, /* server requiring a client certificate */
	FZ_CLIENT_RESUMING,    /* client offering a PSK, expects ServerHello */
	/* TLS 1.2 (hs12_client.c, hs12_server.c). Every seed below is a real
	 * handshake's next messages to the end of the handshake: the frozen
	 * victim starts each input with the deterministic entropy it had when
	 * the recording peer answered it, so its ephemeral keys and hence
	 * the peer's answers hold in the replay. */
	FZ12_SERVER_FRESH,        /* server, 1.2 only, expects ClientHello (of a
	                          * client offering 1.3 and 1.2) */
	FZ12_SERVER_FRESH_BOTH,   /* server, 1.3 and 1.2, expects the ClientHello
	                          * of a 1.2-only client (ChaCha20-Poly1305) */
	FZ12_CLIENT_SENT_CH,      /* client (1.3 and 1.2) after its ClientHello,
	                          * expects a 1.2 ServerHello flight */
	FZ12_CLIENT_EXPECT_FIN,   /* client after its Finished, expects
	                          * NewSessionTicket CCS Finished */
	FZ12_SERVER_EXPECT_CKE,   /* server after ServerHelloDone, expects
	                          * ClientKeyExchange CCS Finished */
	FZ12_SERVER_EXPECT_CERT,  /* the same with a client certificate
	                          * required (AES-256-GCM, SHA-384 PRF; an
	                          * ECDSA P-384 server certificate) */
	FZ12_CLIENT_AUTH_SENT_CH, /* client after its ClientHello, the server's
	                          * flight asks for its certificate */
	FZ12_CLIENT_CONNECTED,    /* client after the handshake: data, alerts,
	                          * HelloRequest */
	FZ12_SERVER_CONNECTED,    /* server after the handshake: data, alerts, a
	                          * ClientHello (renegotiation attempt) */
	FZ12_CLIENT_RESUMING,     /* client offering a 1.2 ticket, expects
	                          * ServerHello [NewSessionTicket] CCS Finished */
	FZ12_SERVER_RESUMING,     /* server, 1.2 only, expects ClientHello; its
	                          * seed offers a ticket */
	FZ_N
};

typedef struct {
	wt_tls_conn conn; /* the victim, as frozen */
	uint8_t *arena_copy;
	int have_key; /* the peer's write key for sealed chunks */
	tkey key;
	uint8_t secret[WT_HASH_MAX_LEN]; /* its traffic secret */
	/* TLS 1.2: the peer's write direction as the peer keeps it (its
	 * key-block half: key, salt or fixed_iv, sequence number), and
	 * whether its ChangeCipherSpec had switched it on at the freeze. */
	int v12, active12;
	wt_tls_dir dir12;
	/* A recorded input reaching further (the fuzz driver mutates it). */
	uint8_t seed[8192];
	size_t seedlen;
} fz_scene;

static wt_tls_ctx fz_cctx, fz_sctx, fz_cctx_hrr, fz_sctx_hrr, fz_sctx_auth, fz_cctx_auth;
static wt_tls_ctx fz_sctx12, fz_cctx12, fz_sctx12_auth;
static fz_scene fz_sc[FZ_N];
static uint8_t *fz_arena; /* the victim's arena, restored per input */
static size_t fz_arena_len;
static wt_tls_conn fz_victim;
static int fz_ready;

static void fz_ctx(wt_tls_ctx *c, int server, int variant)
{
	static const uint16_t two[] = { 0x001D, 0x0017 }, p256[] = { 0x0017 };
	static const uint8_t tkey[32] = { 0x5A };
	wt_tls_ctx_init(c);
	/* Small buffers keep the per-input copy small; one largest record
	 * still fits, and handshake messages up to 8 KiB. */
	wt_tls_ctx_set_sizes(c, 2 * (WT_TLS_HDR + WT_TLS_MAX_CIPHER), 4096, 8192);
	wt_tls_ctx_set_verify(c, WT_TLS_VERIFY_INSECURE_NO_CHAIN,
			      server && (variant == 2 || variant == 5) ?
				      WT_TLS_CLIENT_CERT_REQUIRE :
				      0);
	if (server) {
		tp_use_cert(c, TK_ED25519);
		wt_tls_ctx_set_ticket_key(c, tkey, 1, 3600);
	}
	if (variant == 1)
		wt_tls_ctx_set_groups(c, server ? p256 : two, server ? 1 : 2);
	if (variant == 2 && !server)
		tp_use_cert(c, TK_P256);
	/* TLS 1.2: 3 a 1.2-only server with AES-128-GCM (RFC 5288: the
	 * explicit nonce; a client's default order puts ChaCha20 first);
	 * 4 a 1.2-only client offering
	 * ChaCha20-Poly1305 only (RFC 7905: no explicit nonce); 5 a 1.2-only
	 * server requiring a client certificate, AES-256-GCM (SHA-384). */
	if (variant >= 3 && variant <= 5)
		(void)wt_tls_ctx_set_versions(c, WT_TLS_VERSION_12, WT_TLS_VERSION_12);
	if (variant == 3) {
		static const uint16_t aes128[] = {
			WT_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
		};
		(void)wt_tls_ctx_set_suites12(c, aes128, 1);
	}
	if (variant == 4) {
		static const uint16_t chacha[] = {
			WT_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256
		};
		(void)wt_tls_ctx_set_suites12(c, chacha, 1);
	}
	if (variant == 5) {
		static const uint16_t aes256[] = {
			WT_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384
		};
		(void)wt_tls_ctx_set_suites12(c, aes256, 1);
		/* an ECDSA P-384 certificate: its curve must be one the
		 * client lists (RFC 8422 5.1), ServerKeyExchange signed
		 * with ECDSA */
		tp_use_cert(c, TK_P384);
	}
}

/* The handshake regions a connection holds (buffers.c: engine-allocated
 * while the handshake runs or a post-handshake message is read) are its
 * own: a frozen or a restored copy gets copies of them. */
static uint8_t *fz_dup(const uint8_t *p, size_t n)
{
	uint8_t *q;
	if (p == NULL)
		return NULL;
	q = malloc(n);
	memcpy(q, p, n);
	return q;
}
static void fz_dup_hs(wt_tls_conn *c)
{
	c->hs = (wt_tls_hss *)(void *)fz_dup((const uint8_t *)c->hs, sizeof *c->hs);
	if (c->sess)
		c->sess = (wt_tls_session *)(void *)fz_dup(
			(const uint8_t *)c->sess,
			offsetof(wt_tls_session, ticket) + c->sess->ticketlen);
	c->hs_stage = fz_dup(c->hs_stage, c->stage_cap);
	c->hsi_buf = fz_dup(c->hsi_buf, c->hsi_cap);
	c->hso_buf = fz_dup(c->hso_buf, c->hso_cap);
}

/* Record the victim's state into scene i, and the peer's write key. */
static void fz_freeze(int i, wt_tls_conn *victim, const wt_tls_conn *peer,
		      const uint8_t *secret, uint64_t seq)
{
	fz_scene *s = &fz_sc[i];
	s->conn = *victim;
	fz_dup_hs(&s->conn);
	s->arena_copy = malloc(victim->arenalen);
	memcpy(s->arena_copy, victim->arena, victim->arenalen);
	s->have_key = secret != NULL;
	if (secret) {
		tk_init(&s->key, peer, secret);
		memcpy(s->secret, secret, peer->hashlen);
		s->key.seq = seq;
	}
}

/* The peer's key, known only later (its handshake secret). */
static void fz_key(int i, const wt_tls_conn *peer, const uint8_t *secret)
{
	fz_scene *s = &fz_sc[i];
	tk_init(&s->key, peer, secret);
	memcpy(s->secret, secret, peer->hashlen);
	s->have_key = 1;
}

static void fz_seed_chunk(fz_scene *s, uint8_t type, const uint8_t *p, size_t n)
{
	if (s->seedlen + 3 + n > sizeof s->seed)
		return;
	s->seed[s->seedlen++] = type;
	s->seed[s->seedlen++] = (uint8_t)(n >> 8);
	s->seed[s->seedlen++] = (uint8_t)n;
	memcpy(s->seed + s->seedlen, p, n);
	s->seedlen += n;
}

/* The handshake bytes of a flight (one epoch), as one sealed chunk. */
static void fz_seed_flight(fz_scene *s, tflight *f, int enc)
{
	fz_seed_chunk(s, 22, f->hs[enc], f->hslen[enc]);
}

static void fz_seed_raw(fz_scene *s, const uint8_t *p, size_t n)
{
	fz_seed_chunk(s, 0x80, p, n);
}

/* Pairs from a ctx pair, both conns with arenas of the fuzz size. */
static void fz_pair(tpair *p, wt_tls_ctx *cc, wt_tls_ctx *sc)
{
	size_t n = wt_tls_conn_arena_size(cc);
	p->cctx = cc;
	p->sctx = sc;
	p->c = calloc(1, wt_tls_conn_size());
	p->s = calloc(1, wt_tls_conn_size());
	p->ca = malloc(n);
	p->sa = malloc(n);
	wt_tls_conn_init(p->c, cc, p->ca, n);
	wt_tls_conn_init(p->s, sc, p->sa, n);
	wt_tls_set_connect_state(p->c);
	wt_tls_set_accept_state(p->s);
	wt_tls_set_keylog(p->c, 1); /* t_keylog_peek */
}

static void fz_unpair(tpair *p)
{
	wt_tls_conn_clear(p->c);
	wt_tls_conn_clear(p->s);
	free(p->c);
	free(p->s);
	free(p->ca);
	free(p->sa);
}

static void fz_fail(const char *why);

/* ---- TLS 1.2 records as the peer protects them ------------------------------ */

/* RFC 5246 6.2.3.3: additional_data = seq_num + TLSCompressed.type +
 * TLSCompressed.version + TLSCompressed.length; the nonce is RFC 5288 3's
 * salt || nonce_explicit for AES-GCM (the 8 explicit bytes on the wire:
 * the sequence number, as the engine sends them) and RFC 7905 2's
 * fixed_iv XOR the padded sequence number for ChaCha20-Poly1305. Written
 * here from the RFCs, not with record.c: fz_seed12 checks that records
 * sealed this way are byte for byte the ones the real peer sent. */
static void fz_nonce_aad12(const wt_tls_dir *d, uint8_t type, size_t n, uint8_t nonce[12],
			   uint8_t aad[13])
{
	int i;
	memcpy(nonce, d->iv, 12);
	for (i = 0; i < 8; i++) {
		uint8_t b = (uint8_t)(d->seq >> (56 - 8 * i));
		if (d->explicit_nonce)
			nonce[4 + i] = b;
		else
			nonce[4 + i] ^= b;
		aad[i] = b;
	}
	aad[8] = type;
	aad[9] = 3;
	aad[10] = 3;
	aad[11] = (uint8_t)(n >> 8);
	aad[12] = (uint8_t)n;
}

/* GenericAEADCipher { nonce_explicit, aead-ciphered content } of n
 * plaintext bytes of type `type`; returns the record length. */
static size_t fz_seal12(wt_tls_dir *d, uint8_t type, const uint8_t *p, size_t n,
			uint8_t *out)
{
	size_t ex = d->explicit_nonce ? 8 : 0, body = ex + n + 16;
	uint8_t nonce[12], aad[13];
	fz_nonce_aad12(d, type, n, nonce, aad);
	out[0] = type;
	out[1] = 3;
	out[2] = 3;
	out[3] = (uint8_t)(body >> 8);
	out[4] = (uint8_t)body;
	memmove(out + 5 + ex, p, n);
	memcpy(out + 5, nonce + 4, ex);
	wt_aead_ctx a;
	wt_aead_init(&a, d->alg, d->key, d->keylen);
	wt_aead_seal(&a, nonce, 12, aad, 13, out + 5 + ex, n, out + 5 + ex,
		     out + 5 + ex + n);
	d->seq++;
	return 5 + body;
}

/* Open a whole record in place (the explicit nonce must be the sequence
 * number); plaintext length or -1. */
static long fz_open12(wt_tls_dir *d, uint8_t *rec, size_t len)
{
	size_t ex = d->explicit_nonce ? 8 : 0, n;
	uint8_t nonce[12], aad[13];
	wt_aead_ctx a;
	if (len < 5 + ex + 16)
		return -1;
	n = len - 5 - ex - 16;
	fz_nonce_aad12(d, rec[0], n, nonce, aad);
	if (ex && memcmp(rec + 5, nonce + 4, 8) != 0)
		return -1;
	wt_aead_init(&a, d->alg, d->key, d->keylen);
	if (wt_aead_open(&a, nonce, 12, aad, 13, rec + 5 + ex, n, rec + 5 + ex,
			 rec + 5 + ex + n))
		return -1;
	d->seq++;
	memmove(rec + 5, rec + 5 + ex, n);
	return (long)n;
}

/* Scene i is a TLS 1.2 one; its peer writes with peer->wr as it was
 * `back` records ago (before the protected records of the flight the
 * seed holds), switched on already if `active`. */
static void fz_key12(int i, const wt_tls_conn *peer, uint64_t back, int active)
{
	fz_scene *s = &fz_sc[i];
	s->v12 = 1;
	s->have_key = 1;
	s->dir12 = peer->wr;
	s->dir12.seq -= back;
	s->active12 = active;
}

/* Protected records in a recorded flight (after its ChangeCipherSpec). */
static uint64_t fz_nprot12(const uint8_t *w, size_t n)
{
	size_t off = 0;
	uint64_t k = 0;
	int on = 0;
	while (off + 5 <= n) {
		k += on;
		if (w[off] == 20)
			on = 1;
		off += 5 + ((size_t)w[off + 3] << 8 | w[off + 4]);
	}
	return k;
}

/* A 1.2 peer's recorded records appended to scene i's seed as chunks:
 * each record's type and content, the protected ones opened with the
 * scene's key (a copy, advanced as the replay advances it) and checked
 * to seal back to the very bytes the peer sent. Each call starts from
 * the key as the scene holds it: records appended by an earlier call
 * must not have switched it on (a ClientHello, a plaintext flight). */
static void fz_seed12(int i, const uint8_t *w, size_t n)
{
	fz_scene *s = &fz_sc[i];
	wt_tls_dir d = s->dir12;
	int on = s->active12;
	size_t off = 0;
	static uint8_t rec[16384 + 300], again[16384 + 300];
	s->v12 = 1;
	while (off + 5 <= n) {
		size_t len = (size_t)w[off + 3] << 8 | w[off + 4];
		if (off + 5 + len > n)
			fz_fail("a recorded 1.2 flight is cut");
		if (!on) {
			fz_seed_chunk(s, w[off], w + off + 5, len);
			if (w[off] == 20 && s->have_key)
				on = 1;
		} else {
			wt_tls_dir before = d;
			long m;
			memcpy(rec, w + off, 5 + len);
			m = fz_open12(&d, rec, 5 + len);
			if (m < 0)
				fz_fail("a recorded 1.2 record does not open with the "
					"peer's key");
			if (fz_seal12(&before, rec[0], rec + 5, (size_t)m, again) !=
				    5 + len ||
			    memcmp(again, w + off, 5 + len) != 0)
				fz_fail("a 1.2 record sealed here differs from the "
					"peer's");
			fz_seed_chunk(s, w[off], rec + 5, (size_t)m);
		}
		off += 5 + len;
	}
}

/* One TLS 1.2 full handshake, cctx against sctx, frozen where the scene
 * indices ask (-1: not wanted): the server before the ClientHello
 * (i_sfresh), the client after it (i_csent), the server after its flight
 * (i_sexp), the client after its Finished (i_cfin). Before each side
 * takes the other's flight the entropy restarts, as in every replay. The
 * pair is left connected; *ch gets the ClientHello message. */
static void fz_hs12(tpair *p, wt_tls_ctx *cc, wt_tls_ctx *sc, int i_sfresh, int i_csent,
		    int i_sexp, int i_cfin, uint8_t *ch, size_t *chlen)
{
	static uint8_t w1[16384], w2[16384], w3[16384], w4[16384];
	size_t n1, n2, n3, n4;
	fz_det();
	fz_pair(p, cc, sc);
	if (i_sfresh >= 0)
		fz_freeze(i_sfresh, p->s, NULL, NULL, 0);
	(void)wt_tls_do_handshake(p->c);
	if (i_csent >= 0)
		fz_freeze(i_csent, p->c, NULL, NULL, 0);
	n1 = t_take(p->c, w1, sizeof w1);
	if (ch && n1 >= 5) {
		/* one record, the ClientHello */
		*chlen = (size_t)w1[3] << 8 | w1[4];
		memcpy(ch, w1 + 5, *chlen);
	}
	fz_det();
	t_give(p->s, w1, n1);
	(void)wt_tls_do_handshake(p->s);
	if (i_sexp >= 0)
		fz_freeze(i_sexp, p->s, NULL, NULL, 0);
	n2 = t_take(p->s, w2, sizeof w2);
	fz_det();
	t_give(p->c, w2, n2);
	(void)wt_tls_do_handshake(p->c);
	if (i_cfin >= 0)
		fz_freeze(i_cfin, p->c, NULL, NULL, 0);
	n3 = t_take(p->c, w3, sizeof w3);
	/* The client's key as its first protected record found it. */
	if (i_sfresh >= 0)
		fz_key12(i_sfresh, p->c, fz_nprot12(w3, n3), 0);
	if (i_sexp >= 0)
		fz_key12(i_sexp, p->c, fz_nprot12(w3, n3), 0);
	t_give(p->s, w3, n3);
	(void)wt_tls_do_handshake(p->s);
	n4 = t_take(p->s, w4, sizeof w4);
	if (i_csent >= 0)
		fz_key12(i_csent, p->s, fz_nprot12(w4, n4), 0);
	if (i_cfin >= 0)
		fz_key12(i_cfin, p->s, fz_nprot12(w4, n4), 0);
	t_give(p->c, w4, n4);
	(void)wt_tls_do_handshake(p->c);
	if (i_sfresh >= 0) {
		fz_seed12(i_sfresh, w1, n1);
		fz_seed12(i_sfresh, w3, n3);
	}
	if (i_csent >= 0) {
		fz_seed12(i_csent, w2, n2);
		fz_seed12(i_csent, w4, n4);
	}
	if (i_sexp >= 0)
		fz_seed12(i_sexp, w3, n3);
	if (i_cfin >= 0)
		fz_seed12(i_cfin, w4, n4);
}

static void fz_build12(void)
{
	static const uint8_t cn[] = { 1, 0 }, hello_req[] = { 0, 0, 0, 0 },
			     no_reneg[] = { 1, WT_ALERT_NO_RENEGOTIATION };
	static uint8_t ch[8192];
	size_t chlen = 0;
	tpair p;
	uint8_t sess[WT_TLS_SESSION_MAX];
	size_t sl;
	fz_scene *c, *s;

	fz_ctx(&fz_sctx12, 1, 3);
	fz_ctx(&fz_cctx12, 0, 4);
	fz_ctx(&fz_sctx12_auth, 1, 5);

	/* A client offering 1.3 and 1.2, a 1.2-only server (AES-128-GCM):
	 * every step, then both ends connected. */
	fz_hs12(&p, &fz_cctx, &fz_sctx12, FZ12_SERVER_FRESH, FZ12_CLIENT_SENT_CH,
		FZ12_SERVER_EXPECT_CKE, FZ12_CLIENT_EXPECT_FIN, ch, &chlen);
	fz_freeze(FZ12_CLIENT_CONNECTED, p.c, NULL, NULL, 0);
	fz_freeze(FZ12_SERVER_CONNECTED, p.s, NULL, NULL, 0);
	fz_key12(FZ12_CLIENT_CONNECTED, p.s, 0, 1);
	fz_key12(FZ12_SERVER_CONNECTED, p.c, 0, 1);
	c = &fz_sc[FZ12_CLIENT_CONNECTED];
	s = &fz_sc[FZ12_SERVER_CONNECTED];
	/* RFC 5246 7.4.1.1 / RFC 5746 4.2: a HelloRequest is declined with
	 * a no_renegotiation warning and the connection goes on; 4.4 (the
	 * server's side): likewise a ClientHello. A warning received does
	 * not end the connection either (RFC 5246 7.2). */
	fz_seed_chunk(c, 23, (const uint8_t *)"application data", 16);
	fz_seed_chunk(c, 22, hello_req, 4);
	fz_seed_chunk(c, 23, (const uint8_t *)"after", 5);
	fz_seed_chunk(c, 21, no_reneg, 2);
	c->seed[c->seedlen++] = 0x7E;
	c->seed[c->seedlen++] = 0;
	fz_seed_chunk(c, 21, cn, 2);
	fz_seed_chunk(s, 23, (const uint8_t *)"application data", 16);
	fz_seed_chunk(s, 22, ch, chlen);
	fz_seed_chunk(s, 23, (const uint8_t *)"after", 5);
	fz_seed_chunk(s, 21, no_reneg, 2);
	s->seed[s->seedlen++] = 0x7E;
	s->seed[s->seedlen++] = 0;
	fz_seed_chunk(s, 21, cn, 2);
	sl = wt_tls_get_session(p.c, sess, sizeof sess);
	fz_unpair(&p);

	/* A 1.2-only client against a server speaking both (ChaCha20). */
	fz_hs12(&p, &fz_cctx12, &fz_sctx, FZ12_SERVER_FRESH_BOTH, -1, -1, -1, NULL, NULL);
	fz_unpair(&p);

	/* Client certificates (AES-256-GCM). */
	fz_hs12(&p, &fz_cctx_auth, &fz_sctx12_auth, -1, FZ12_CLIENT_AUTH_SENT_CH,
		FZ12_SERVER_EXPECT_CERT, -1, NULL, NULL);
	fz_unpair(&p);

	/* Resumption with the first connection's ticket: ServerHello
	 * [NewSessionTicket] CCS Finished, then the client's CCS Finished. */
	{
		static uint8_t w1[16384], w2[16384], w3[16384];
		size_t n1, n2, n3;
		fz_det();
		fz_pair(&p, &fz_cctx, &fz_sctx12);
		fz_freeze(FZ12_SERVER_RESUMING, p.s, NULL, NULL, 0);
		wt_tls_set_session(p.c, sess, sl);
		(void)wt_tls_do_handshake(p.c);
		fz_freeze(FZ12_CLIENT_RESUMING, p.c, NULL, NULL, 0);
		n1 = t_take(p.c, w1, sizeof w1);
		fz_det();
		t_give(p.s, w1, n1);
		(void)wt_tls_do_handshake(p.s);
		n2 = t_take(p.s, w2, sizeof w2);
		fz_key12(FZ12_CLIENT_RESUMING, p.s, fz_nprot12(w2, n2), 0);
		fz_det();
		t_give(p.c, w2, n2);
		(void)wt_tls_do_handshake(p.c);
		n3 = t_take(p.c, w3, sizeof w3);
		fz_key12(FZ12_SERVER_RESUMING, p.c, fz_nprot12(w3, n3), 0);
		fz_seed12(FZ12_CLIENT_RESUMING, w2, n2);
		fz_seed12(FZ12_SERVER_RESUMING, w1, n1);
		fz_seed12(FZ12_SERVER_RESUMING, w3, n3);
		fz_unpair(&p);
	}
}

static void fz_build(void)
{
	tpair p;
	tflight f, g;
	tkey k;
	uint8_t b[64];
	size_t n;
	fz_det();
	fz_ctx(&fz_cctx, 0, 0);
	fz_ctx(&fz_sctx, 1, 0);
	fz_ctx(&fz_cctx_hrr, 0, 1);
	fz_ctx(&fz_sctx_hrr, 1, 1);
	fz_ctx(&fz_cctx_auth, 0, 2);
	fz_ctx(&fz_sctx_auth, 1, 2);
	fz_arena_len = wt_tls_conn_arena_size(&fz_cctx);
	fz_arena = malloc(fz_arena_len);

	/* The plain handshake, frozen at each step. */
	fz_pair(&p, &fz_cctx, &fz_sctx);
	fz_freeze(FZ_SERVER_FRESH, p.s, p.c, NULL, 0);
	(void)wt_tls_do_handshake(p.c);
	fz_freeze(FZ_CLIENT_SENT_CH, p.c, p.s, NULL, 0);
	tf_tap(&f, p.c, p.s, NULL);
	fz_seed_flight(&fz_sc[FZ_SERVER_FRESH], &f, 0);
	(void)wt_tls_do_handshake(p.s);
	fz_freeze(FZ_SERVER_EXPECT_FIN, p.s, p.c, NULL, 0);
	tk_init(&k, p.s, p.s->hs->ks_h.s_hs);
	n = t_take(p.s, scratch_rec, sizeof scratch_rec);
	fz_seed_raw(&fz_sc[FZ_CLIENT_SENT_CH], scratch_rec, n);
	/* The client takes the ServerHello only, then freezes. */
	{
		size_t shrec = 5 + ((size_t)scratch_rec[3] << 8 | scratch_rec[4]);
		size_t ccs = scratch_rec[shrec] == 20 ? 6 : 0;
		t_give(p.c, scratch_rec, shrec + ccs);
		(void)wt_tls_do_handshake(p.c);
		fz_freeze(FZ_CLIENT_EXPECT_EE, p.c, p.s, p.s->hs->ks_h.s_hs, 0);
		t_give(p.c, scratch_rec + shrec + ccs, n - shrec - ccs);
	}
	(void)wt_tls_do_handshake(p.c);
	tk_init(&k, p.c,
		t_keylog_peek(p.c, WT_TLS_KEYLOG_CLIENT_HANDSHAKE_TRAFFIC_SECRET));
	tf_tap(&g, p.c, p.s, &k);
	fz_key(FZ_SERVER_EXPECT_FIN, p.c,
	       t_keylog_peek(p.c, WT_TLS_KEYLOG_CLIENT_HANDSHAKE_TRAFFIC_SECRET));
	fz_seed_flight(&fz_sc[FZ_SERVER_EXPECT_FIN], &g, 1);
	(void)wt_tls_do_handshake(p.s);
	/* Tickets and the end of the handshake. */
	tk_init(&k, p.s, p.s->ks_m.s_ap);
	tf_tap(&g, p.s, p.c, &k);
	(void)wt_tls_read_ex(p.c, b, sizeof b, &n);
	fz_freeze(FZ_CLIENT_CONNECTED, p.c, p.s, p.s->wr.secret, p.s->wr.seq);
	fz_freeze(FZ_SERVER_CONNECTED, p.s, p.c, p.c->wr.secret, p.c->wr.seq);
	{
		static const uint8_t ku1[] = { 24, 0, 0, 1, 1 }, cn[] = { 1, 0 };
		fz_scene *c = &fz_sc[FZ_CLIENT_CONNECTED],
			 *s = &fz_sc[FZ_SERVER_CONNECTED];
		fz_seed_flight(c, &g, 1);
		fz_seed_chunk(c, 23, (const uint8_t *)"application data", 16);
		fz_seed_chunk(c, 22, ku1, 5);
		fz_seed_chunk(c, 23, (const uint8_t *)"after", 5);
		c->seed[c->seedlen++] = 0x7E;
		c->seed[c->seedlen++] = 0;
		fz_seed_chunk(c, 21, cn, 2);
		fz_seed_chunk(s, 23, (const uint8_t *)"application data", 16);
		fz_seed_chunk(s, 22, ku1, 5);
		s->seed[s->seedlen++] = 0x7E;
		s->seed[s->seedlen++] = 2;
		fz_seed_chunk(s, 23, (const uint8_t *)"after", 5);
		fz_seed_chunk(s, 21, cn, 2);
	}
	fz_unpair(&p);

	/* Again, to capture the server's protected flight as plaintext. */
	fz_det();
	fz_pair(&p, &fz_cctx, &fz_sctx);
	(void)wt_tls_do_handshake(p.c);
	tp_move(p.c, p.s, 0);
	(void)wt_tls_do_handshake(p.s);
	tk_init(&k, p.s, p.s->hs->ks_h.s_hs);
	tf_take(&f, p.s, &k);
	fz_seed_flight(&fz_sc[FZ_CLIENT_EXPECT_EE], &f, 1);
	fz_unpair(&p);

	/* HelloRetryRequest. */
	fz_det();
	fz_pair(&p, &fz_cctx_hrr, &fz_sctx_hrr);
	(void)wt_tls_do_handshake(p.c);
	tp_move(p.c, p.s, 0);
	(void)wt_tls_do_handshake(p.s);
	fz_freeze(FZ_SERVER_EXPECT_CH2, p.s, p.c, NULL, 0);
	n = t_take(p.s, scratch_rec, sizeof scratch_rec);
	t_give(p.c, scratch_rec, n);
	(void)wt_tls_do_handshake(p.c);
	fz_freeze(FZ_CLIENT_EXPECT_SH2, p.c, p.s, NULL, 0);
	tf_tap(&f, p.c, p.s, NULL);
	fz_seed_chunk(&fz_sc[FZ_SERVER_EXPECT_CH2], 20, (const uint8_t *)"\1", 1);
	fz_seed_flight(&fz_sc[FZ_SERVER_EXPECT_CH2], &f, 0);
	(void)wt_tls_do_handshake(p.s);
	n = t_take(p.s, scratch_rec, sizeof scratch_rec);
	fz_seed_raw(&fz_sc[FZ_CLIENT_EXPECT_SH2], scratch_rec, n);
	fz_unpair(&p);

	/* Client certificates. */
	fz_det();
	fz_pair(&p, &fz_cctx_auth, &fz_sctx_auth);
	(void)wt_tls_do_handshake(p.c);
	tp_move(p.c, p.s, 0);
	(void)wt_tls_do_handshake(p.s);
	fz_freeze(FZ_SERVER_EXPECT_CERT, p.s, p.c, NULL, 0);
	/* the client's Certificate, CertificateVerify, Finished */
	tp_move(p.s, p.c, 0);
	(void)wt_tls_do_handshake(p.c);
	tk_init(&k, p.c,
		t_keylog_peek(p.c, WT_TLS_KEYLOG_CLIENT_HANDSHAKE_TRAFFIC_SECRET));
	tf_take(&g, p.c, &k);
	fz_key(FZ_SERVER_EXPECT_CERT, p.c,
	       t_keylog_peek(p.c, WT_TLS_KEYLOG_CLIENT_HANDSHAKE_TRAFFIC_SECRET));
	fz_seed_flight(&fz_sc[FZ_SERVER_EXPECT_CERT], &g, 1);
	fz_unpair(&p);

	/* Resumption: a ticket from a first connection, then the second
	 * client's hello. */
	fz_det();
	fz_pair(&p, &fz_cctx, &fz_sctx);
	tp_handshake(&p);
	(void)wt_tls_read_ex(p.c, b, sizeof b, &n);
	{
		uint8_t sess[WT_TLS_SESSION_MAX];
		size_t sl = wt_tls_get_session(p.c, sess, sizeof sess);
		fz_unpair(&p);
		fz_pair(&p, &fz_cctx, &fz_sctx);
		wt_tls_set_session(p.c, sess, sl);
	}
	(void)wt_tls_do_handshake(p.c);
	fz_freeze(FZ_CLIENT_RESUMING, p.c, p.s, NULL, 0);
	tp_move(p.c, p.s, 0);
	(void)wt_tls_do_handshake(p.s);
	n = t_take(p.s, scratch_rec, sizeof scratch_rec);
	fz_seed_raw(&fz_sc[FZ_CLIENT_RESUMING], scratch_rec, n);
	fz_unpair(&p);

	fz_build12();
	wt_test_set_random(NULL, 0);
	fz_ready = 1;
}

/* ---- one input ------------------------------------------------------------------ */

static void fz_fail(const char *why)
{
	fprintf(stderr, "fuzz_tls invariant broken: %s\n", why);
	abort();
}

static void fz_invariants(const wt_tls_conn *c)
{
	if (c->in_len > c->in_cap || c->in_off > c->in_len)
		fz_fail("net-in region");
	if (c->out_off + c->out_len > c->out_alloc || c->out_len > c->out_cap)
		fz_fail("net-out region");
	if (c->st_len > c->stage_cap || c->st_off > c->st_len)
		fz_fail("stage region");
	if (c->hsi_len > c->hs_max + 4 + WT_TLS_MAX_PLAIN + 1)
		fz_fail("handshake-in region");
	if (c->app_len && c->app_off + c->app_len > c->in_len)
		fz_fail("application data outside net-in");
}

/* When set, the victim's output is copied here (the replay test reads
 * what the victim answered). */
static uint8_t *fz_cap;
static size_t fz_cap_len, fz_cap_max;

/* Drive the victim once; drain its output; check the sticky error. */
static void fz_step(wt_tls_conn *c, uint32_t *err, int *alerted)
{
	uint8_t b[512];
	size_t n;
	if (!wt_tls_is_init_finished(c))
		(void)wt_tls_do_handshake(c);
	else
		(void)wt_tls_read_ex(c, b, sizeof b, &n);
	fz_invariants(c);
	for (;;) {
		uint8_t *o = wt_tls_net_out_buf(c, &n);
		if (n == 0)
			break;
		if (*alerted)
			fz_fail("output after the fatal alert was sent");
		if (fz_cap && fz_cap_len + n <= fz_cap_max) {
			memcpy(fz_cap + fz_cap_len, o, n);
			fz_cap_len += n;
		}
		wt_tls_net_out_ack(c, n);
	}
	if (*err && wt_tls_error_code(c) != *err)
		fz_fail("the first error changed");
	if (!*err && wt_tls_error_code(c)) {
		*err = wt_tls_error_code(c);
		/* The alert went out with the drain above. */
		*alerted = 1;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz_scene *s;
	tkey k;
	uint8_t secret[WT_HASH_MAX_LEN];
	wt_tls_dir d12;
	size_t off = 1;
	uint32_t err = 0;
	int alerted = 0, chunks = 0, i, active12;
	if (!fz_ready)
		fz_build();
	if (size < 1)
		return 0;
	s = &fz_sc[data[0] % FZ_N];
	fz_det();
	/* Restore the frozen victim into the one arena. */
	wt_tls_hs_free(&fz_victim);
	wt_tls_sess_free(&fz_victim);
	fz_victim = s->conn;
	fz_dup_hs(&fz_victim);
	memcpy(fz_arena, s->arena_copy, s->conn.arenalen);
	fz_victim.arena = fz_arena;
	k = s->key;
	memcpy(secret, s->secret, sizeof secret);
	d12 = s->dir12;
	active12 = s->active12;
	while (off < size && chunks++ < 256) {
		uint8_t h = data[off++];
		size_t len;
		if (h == 0x7E) {
			size_t w;
			if (off >= size)
				break;
			switch (data[off++] % 4) {
			case 0:
				(void)wt_tls_write_ex(&fz_victim, 1,
						      (const uint8_t *)"fuzzed", 6, &w);
				break;
			case 1: (void)wt_tls_key_update(&fz_victim, 0); break;
			case 2: (void)wt_tls_key_update(&fz_victim, 1); break;
			default: (void)wt_tls_shutdown(&fz_victim); break;
			}
		} else {
			if (size - off < 2)
				break;
			len = (size_t)data[off] << 8 | data[off + 1];
			off += 2;
			if (len > size - off)
				len = size - off;
			if (h & 0x80) {
				(void)t_give(&fz_victim, data + off, len);
			} else if (s->v12 && active12 && len <= WT_TLS_MAX_PLAIN) {
				size_t rl =
					fz_seal12(&d12, h, data + off, len, scratch_rec);
				(void)t_give(&fz_victim, scratch_rec, rl);
			} else if (!s->v12 && s->have_key && len <= WT_TLS_MAX_PLAIN) {
				size_t rl = tk_seal(&k, h, data + off, len, 0,
						    scratch_rec),
				       o = 0;
				(void)t_give(&fz_victim, scratch_rec, rl);
				/* The peer moves to its next key after each KeyUpdate
				 * it sends (4.6.3): so does the sealing here. */
				while (h == 22 && o + 4 <= len) {
					size_t ml = (size_t)data[off + o + 1] << 16 |
						(size_t)data[off + o + 2] << 8 |
						data[off + o + 3];
					if (data[off + o] == HS_KEY_UPDATE &&
					    o + 4 + ml <= len) {
						wt_ks_next_traffic(fz_victim.hash,
								   secret);
						tk_init(&k, &fz_victim, secret);
					}
					o += 4 + ml;
				}
			} else if (len <= WT_TLS_MAX_PLAIN) {
				uint8_t hdr[5] = { h, 3, 3, (uint8_t)(len >> 8),
						   (uint8_t)len };
				size_t room;
				uint8_t *in = wt_tls_net_in_buf(&fz_victim, &room);
				if (room >= 5 + len) {
					memcpy(in, hdr, 5);
					memcpy(in + 5, data + off, len);
					wt_tls_net_in_ack(&fz_victim, 5 + len);
				}
				/* A 1.2 peer's ChangeCipherSpec switches its
				 * writing on (RFC 5246 7.1). */
				if (s->v12 && h == 20 && s->have_key)
					active12 = 1;
			}
			off += len;
		}
		fz_step(&fz_victim, &err, &alerted);
	}
	/* Let it finish what it can (bounded). */
	for (i = 0; i < 4; i++)
		fz_step(&fz_victim, &err, &alerted);
	wt_test_set_random(NULL, 0);
	return 0;
}
