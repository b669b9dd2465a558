/*
 * test_tls12_client.c: hostile TLS 1.2 servers against our TLS 1.2 client
 * (hs12_client.c). The server here is written by hand in the test, byte by
 * byte from RFC 5246 / RFC 8422 / RFC 7627 (ServerHello, Certificate,
 * ServerKeyExchange signed with the ECDSA P-256 test key of tls_testlib.h,
 * ServerHelloDone, then ChangeCipherSpec and Finished sealed with its own
 * record code below), so each case changes exactly one thing in an
 * otherwise correct flight. A positive control per suite family checks
 * that the untouched flight completes, the client's Finished decrypts and
 * verifies under the keys this server derived on its own, and
 * application data flows both ways - so every refusal below is about the
 * change it makes, not a broken harness.
 *
 * The alert each refusal must carry is the RFC's: decrypt_error for a bad
 * signature or Finished (RFC 5246 7.2.2 / 7.4.9), illegal_parameter for
 * a curve, point, scheme or suite we did not offer or a downgrade
 * sentinel (RFC 8422 5.4, RFC 5246 7.4.1.3, RFC 8446 4.1.3),
 * unexpected_message for a ChangeCipherSpec out of place (RFC 5246 7.3).
 */
#include "tls_mitm.h"
#include "wt_hash.h"

#define SENT(a) (uint32_t)(WT_TLS_ERR_SEND_ALERT + (a))

static wt_privkey skey; /* the server's ECDSA P-256 key */
static uint8_t *scrt;   /* its certificate (DER) */
static size_t scrtlen;

typedef struct {
	wt_tls_ctx *ctx;
	wt_tls_conn *c;
	uint8_t *arena;
	uint8_t tr[16384]; /* handshake messages so far, in order */
	size_t trlen;
	uint8_t cr[32], sr[32];
	uint8_t csid[32]; /* the ClientHello's session ID */
	size_t csidlen;
	uint32_t suite, hash, aead, keylen, ivlen;
	wt_kex_ctx kex; /* the server's ephemeral key */
	uint8_t spub[133];
	size_t spublen;
	uint8_t ms[48], kb[88];
	wt_aead_ctx cw, sw; /* client / server write keys */
	uint64_t cseq, sseq;
	uint8_t out[65536]; /* what the client sent last */
	size_t outlen;
} ts;

/* ---- the client --------------------------------------------------------- */

/* A fresh client (TLS 1.2 and 1.3 offered unless only12; the given TLS
 * 1.2 suites when n > 0), its ClientHello taken apart. */
static void start_with(ts *t, int only12, const uint16_t *suites12, size_t n)
{
	size_t al;
	const uint8_t *m;
	memset(t, 0, sizeof *t);
	t->ctx = calloc(1, wt_tls_ctx_size());
	wt_tls_ctx_init(t->ctx);
	wt_tls_ctx_set_verify(t->ctx, WT_TLS_VERIFY_INSECURE_NO_CHAIN, 0);
	if (only12)
		CHECK(wt_tls_ctx_set_versions(t->ctx, WT_TLS_VERSION_12,
					      WT_TLS_VERSION_12) == 0,
		      "versions");
	if (n)
		CHECK(wt_tls_ctx_set_suites12(t->ctx, suites12, n) == 0, "suites12");
	al = wt_tls_conn_arena_size(t->ctx);
	t->c = calloc(1, wt_tls_conn_size());
	t->arena = malloc(al);
	wt_tls_conn_init(t->c, t->ctx, t->arena, al);
	wt_tls_set_connect_state(t->c);
	CHECK(wt_tls_do_handshake(t->c) != 1, "client hello");
	t->outlen = t_take(t->c, t->out, sizeof t->out);
	/* One plaintext handshake record holding the ClientHello. */
	m = t->out + 5;
	CHECK(t->outlen > 5 + 40 && t->out[0] == 22 && m[0] == 1 &&
		      t->outlen == 5 + ((size_t)t->out[3] << 8 | t->out[4]),
	      "one ClientHello record");
	memcpy(t->tr, m, t->outlen - 5);
	t->trlen = t->outlen - 5;
	memcpy(t->cr, m + 6, 32);
	t->csidlen = m[38];
	memcpy(t->csid, m + 39, t->csidlen);
}

static void start(ts *t, int only12)
{
	start_with(t, only12, NULL, 0);
}

static void stop(ts *t)
{
	wt_tls_conn_clear(t->c);
	wt_tls_ctx_clear(t->ctx);
	free(t->c);
	free(t->ctx);
	free(t->arena);
}

/* ---- the server's messages ------------------------------------------------ */

static size_t put24(uint8_t *p, size_t n)
{
	p[0] = (uint8_t)(n >> 16);
	p[1] = (uint8_t)(n >> 8);
	p[2] = (uint8_t)n;
	return 3;
}

/* Handshake message type || uint24 length || body, appended to buf. */
static size_t msg(uint8_t *buf, uint8_t type, const uint8_t *body, size_t n)
{
	buf[0] = type;
	put24(buf + 1, n);
	if (n)
		memmove(buf + 4, body, n);
	return 4 + n;
}

typedef struct {
	uint32_t suite;
	const uint8_t *sid; /* session ID to send (NULL: 32 fresh bytes) */
	size_t sidlen;
	int downgrade; /* -1 none, else DOWNGRD || this byte */
	int ticket;    /* announce a NewSessionTicket */
} sh_opts;

/* RFC 5246 7.4.1.3 ServerHello with extended_master_secret (RFC 7627),
 * renegotiation_info (RFC 5746) and ec_point_formats (RFC 8422 5.2). */
static size_t server_hello(ts *t, const sh_opts *o, uint8_t *buf)
{
	uint8_t b[200];
	size_t n = 0, i, e;
	b[n++] = 3;
	b[n++] = 3;
	for (i = 0; i < 32; i++)
		t->sr[i] = (uint8_t)(0xA0 + 7 * i);
	if (o->downgrade >= 0) {
		memcpy(t->sr + 24, "DOWNGRD", 7);
		t->sr[31] = (uint8_t)o->downgrade;
	}
	memcpy(b + n, t->sr, 32);
	n += 32;
	if (o->sid) {
		b[n++] = (uint8_t)o->sidlen;
		memcpy(b + n, o->sid, o->sidlen);
		n += o->sidlen;
	} else {
		b[n++] = 32;
		for (i = 0; i < 32; i++)
			b[n++] = (uint8_t)(0x51 + i);
	}
	b[n++] = (uint8_t)(o->suite >> 8);
	b[n++] = (uint8_t)o->suite;
	b[n++] = 0; /* null compression */
	e = n;
	n += 2;
	memcpy(b + n,
	       "\x00\x17\x00\x00"
	       "\xff\x01\x00\x01\x00"
	       "\x00\x0b\x00\x02\x01\x00",
	       15);
	n += 15;
	if (o->ticket) {
		memcpy(b + n, "\x00\x23\x00\x00", 4);
		n += 4;
	}
	b[e] = (uint8_t)((n - e - 2) >> 8);
	b[e + 1] = (uint8_t)(n - e - 2);
	/* The suite's parameters, for the keys later. */
	{
		uint32_t ecdsa;
		if (wt_ks12_suite_params(o->suite, &t->hash, &t->aead, &t->keylen,
					 &ecdsa) == 0)
			t->ivlen = t->aead == WT_AEAD_CHACHA20POLY1305 ? 12 : 4;
		t->suite = o->suite;
	}
	return msg(buf, 2, b, n);
}

/* RFC 5246 7.4.2: certificate_list<0..2^24-1>, one ASN.1Cert<1..2^24-1>. */
static size_t certificate(uint8_t *buf)
{
	uint8_t *b = malloc(scrtlen + 6);
	size_t n;
	put24(b, scrtlen + 3);
	put24(b + 3, scrtlen);
	memcpy(b + 6, scrt, scrtlen);
	n = msg(buf, 11, b, scrtlen + 6);
	free(b);
	return n;
}

typedef struct {
	uint32_t ctype;       /* ECCurveType: 3 named_curve */
	uint32_t group;       /* NamedCurve */
	const uint8_t *point; /* NULL: the server's own key on `group` */
	size_t pointlen;
	uint32_t scheme;  /* written in the message */
	uint32_t sign_as; /* the scheme actually signed with */
	int bad_sig;      /* flip a bit of the signature */
} ske_opts;

/* RFC 8422 5.4 ServerKeyExchange: ServerECDHParams then the signature
 * over client_random + server_random + ServerECDHParams (RFC 5246
 * 7.4.3, digitally-signed with a SignatureAndHashAlgorithm). */
static size_t server_key_exchange(ts *t, const ske_opts *o, uint8_t *buf)
{
	uint8_t b[600], tbs[64 + 200], sig[600];
	size_t n = 0, sl = 0, pl;
	const uint8_t *pt = o->point;
	pl = o->pointlen;
	if (!pt) {
		CHECK(wt_kex_client_keygen(&t->kex, o->group, t->spub) == 0,
		      "server ephemeral key");
		t->spublen = wt_kex_client_share_len(o->group);
		pt = t->spub;
		pl = t->spublen;
	}
	b[n++] = (uint8_t)o->ctype;
	b[n++] = (uint8_t)(o->group >> 8);
	b[n++] = (uint8_t)o->group;
	b[n++] = (uint8_t)pl;
	memcpy(b + n, pt, pl);
	n += pl;
	memcpy(tbs, t->cr, 32);
	memcpy(tbs + 32, t->sr, 32);
	memcpy(tbs + 64, b, n);
	CHECK(wt_sig12_sign(&skey, o->sign_as, tbs, 64 + n, sig, &sl) == 0, "SKE signed");
	if (o->bad_sig)
		sig[sl / 2] ^= 0x10;
	b[n++] = (uint8_t)(o->scheme >> 8);
	b[n++] = (uint8_t)o->scheme;
	b[n++] = (uint8_t)(sl >> 8);
	b[n++] = (uint8_t)sl;
	memcpy(b + n, sig, sl);
	n += sl;
	return msg(buf, 12, b, n);
}

static const ske_opts SKE_OK = { 3,
				 WT_GROUP_X25519,
				 NULL,
				 0,
				 WT_SIG_ECDSA_SECP256R1_SHA256,
				 WT_SIG_ECDSA_SECP256R1_SHA256,
				 0 };

/* Handshake messages to the client in one plaintext record, added to the
 * transcript. */
static void give_hs(ts *t, const uint8_t *p, size_t n)
{
	t_give_plain(t->c, 22, p, n);
	memcpy(t->tr + t->trlen, p, n);
	t->trlen += n;
}

/* ---- TLS 1.2 AEAD records (RFC 5246 6.2.3.3, RFC 5288 3, RFC 7905 2) ----- */

/* nonce and additional_data = seq_num + type + version + length. */
static size_t nonce_aad(const ts *t, int server, uint64_t seq, uint8_t type, size_t n,
			uint8_t nonce[12], uint8_t aad[13])
{
	const uint8_t *iv = t->kb + 2 * t->keylen + (server ? t->ivlen : 0);
	int i;
	for (i = 0; i < 8; i++)
		aad[i] = (uint8_t)(seq >> (56 - 8 * i));
	aad[8] = type;
	aad[9] = 3;
	aad[10] = 3;
	aad[11] = (uint8_t)(n >> 8);
	aad[12] = (uint8_t)n;
	if (t->ivlen == 4) {
		/* GCMNonce { salt[4]; nonce_explicit[8] }: the explicit part
		 * is the sequence number here (any unique value will do). */
		memcpy(nonce, iv, 4);
		memcpy(nonce + 4, aad, 8);
		return 8;
	}
	memcpy(nonce, iv, 12);
	for (i = 0; i < 8; i++)
		nonce[4 + i] ^= aad[i];
	return 0;
}

static size_t seal12(ts *t, uint8_t type, const uint8_t *p, size_t n, uint8_t *out)
{
	uint8_t nonce[12], aad[13];
	size_t ex = nonce_aad(t, 1, t->sseq++, type, n, nonce, aad), l = ex + n + 16;
	out[0] = type;
	out[1] = 3;
	out[2] = 3;
	out[3] = (uint8_t)(l >> 8);
	out[4] = (uint8_t)l;
	memcpy(out + 5, aad, ex);
	wt_aead_seal(&t->sw, nonce, 12, aad, 13, p, n, out + 5 + ex, out + 5 + ex + n);
	return 5 + l;
}

/* Open a client record in place: plaintext length or -1. */
static long open12(ts *t, uint8_t *rec, size_t len, uint8_t **pt)
{
	uint8_t nonce[12], aad[13];
	size_t ex = t->ivlen == 4 ? 8 : 0, n;
	if (len < 5 + ex + 16)
		return -1;
	n = len - 5 - ex - 16;
	(void)nonce_aad(t, 0, t->cseq, rec[0], n, nonce, aad);
	if (ex && memcmp(rec + 5, aad, 8) != 0)
		memcpy(nonce + 4, rec + 5, 8); /* its explicit nonce, whatever it is */
	if (wt_aead_open(&t->cw, nonce, 12, aad, 13, rec + 5 + ex, n, rec + 5 + ex,
			 rec + 5 + ex + n))
		return -1;
	t->cseq++;
	*pt = rec + 5 + ex;
	return (long)n;
}

/* ---- the usual flight, and the client's answer ----------------------------- */

/* ServerHello Certificate ServerKeyExchange ServerHelloDone. */
static void flight(ts *t, const sh_opts *sh, const ske_opts *ske)
{
	static uint8_t b[8192];
	size_t n = server_hello(t, sh, b);
	n += certificate(b + n);
	n += server_key_exchange(t, ske, b + n);
	n += msg(b + n, 14, NULL, 0);
	give_hs(t, b, n);
}

/* The client's ClientKeyExchange, ChangeCipherSpec, Finished: keys
 * derived here from our own ephemeral key and the transcript (RFC 7627
 * 4 EMS), the client's Finished opened and its verify_data checked
 * against RFC 5246 7.4.9. 1 if all held. */
static int client_flight(ts *t)
{
	uint8_t pms[WT_KEX_SECRET_MAX], th[48], vd[12];
	size_t pmslen = 0, off = 0, l;
	uint8_t *p;
	long m;
	int ok;
	CHECK(wt_tls_do_handshake(t->c) != 1 &&
		      wt_tls_get_error(t->c, 0) == WT_TLS_ERROR_WANT_READ,
	      "client waits for the server's Finished");
	t->outlen = t_take(t->c, t->out, sizeof t->out);
	/* record 1: ClientKeyExchange (RFC 8422 5.7: opaque point <1..2^8-1>) */
	l = (size_t)t->out[3] << 8 | t->out[4];
	p = t->out + 5;
	ok = t->outlen > 5 && t->out[0] == 22 && p[0] == 16 && l == 4 + 1 + (size_t)p[4];
	CHECK(ok, "ClientKeyExchange record");
	if (!ok)
		return 0;
	CHECK(wt_kex_client_finish(&t->kex, p + 5, p[4], pms, &pmslen) == 0, "ECDH");
	memcpy(t->tr + t->trlen, p, l);
	t->trlen += l;
	wt_hash(t->hash, t->tr, t->trlen, th);
	wt_ks12_master(t->hash, pms, pmslen, 1, th, t->cr, t->sr, t->ms);
	wt_ks12_key_block(t->hash, t->ms, t->cr, t->sr, t->keylen, t->ivlen, t->kb);
	wt_aead_init(&t->cw, t->aead, t->kb, t->keylen);
	wt_aead_init(&t->sw, t->aead, t->kb + t->keylen, t->keylen);
	off = 5 + l;
	/* record 2: ChangeCipherSpec */
	ok = t->outlen >= off + 6 &&
		memcmp(t->out + off, "\x14\x03\x03\x00\x01\x01", 6) == 0;
	CHECK(ok, "client ChangeCipherSpec");
	off += 6;
	/* record 3: Finished under the client's new key */
	l = t->outlen >= off + 5 ? (size_t)t->out[off + 3] << 8 | t->out[off + 4] : 0;
	ok &= t->outlen == off + 5 + l && t->out[off] == 22;
	m = ok ? open12(t, t->out + off, 5 + l, &p) : -1;
	wt_ks12_finished(t->hash, t->ms, 1, th, vd);
	ok &= m == 16 && memcmp(p, "\x14\x00\x00\x0c", 4) == 0 &&
		memcmp(p + 4, vd, 12) == 0;
	CHECK(ok, "client Finished opens and verifies under the keys we derived");
	if (ok) {
		memcpy(t->tr + t->trlen, p, 16);
		t->trlen += 16;
	}
	return ok;
}

/* ChangeCipherSpec, then Finished (verify_data xor `flip` in byte 0). */
static void server_finish(ts *t, uint8_t flip)
{
	uint8_t th[48], f[16], rec[64];
	size_t n;
	wt_hash(t->hash, t->tr, t->trlen, th);
	memcpy(f, "\x14\x00\x00\x0c", 4);
	wt_ks12_finished(t->hash, t->ms, 0, th, f + 4);
	f[4] ^= flip;
	t_give_plain(t->c, 20, (const uint8_t *)"\x01", 1);
	n = seal12(t, 22, f, 16, rec);
	t_give_all(t->c, rec, n);
}

/* After the client's ChangeCipherSpec: the next call fails with `code`,
 * and what it sent is that one fatal alert under its write key. */
static void expect_enc_alert(ts *t, uint32_t code, uint32_t reason, const char *what)
{
	uint8_t *p = NULL;
	long m;
	size_t l;
	int r = t_poke(t->c);
	CHECK(!r && wt_tls_error_code(t->c) == code, "%s: error %s (want %s)", what,
	      wt_tls_err_string(wt_tls_error_code(t->c)), wt_tls_err_string(code));
	t->outlen = t_take(t->c, t->out, sizeof t->out);
	l = t->outlen >= 5 ? (size_t)t->out[3] << 8 | t->out[4] : 0;
	CHECK(t->outlen == 5 + l && t->out[0] == 21, "%s: one alert record (%zu bytes)",
	      what, t->outlen);
	m = t->outlen == 5 + l ? open12(t, t->out, t->outlen, &p) : -1;
	CHECK(m == 2 && p[0] == 2 && p[1] == (code & 0xFF), "%s: fatal alert %u, sealed",
	      what, code & 0xFF);
	CHECK(wt_tls_reason(t->c) == reason, "%s: reason %s (want %s)", what,
	      wt_tls_err_string(wt_tls_reason(t->c)), wt_tls_err_string(reason));
	r = t_poke(t->c);
	CHECK(!r && wt_tls_error_code(t->c) == code && wt_tls_net_out_pending(t->c) == 0,
	      "%s: sticky and silent", what);
}

/* t_expect, and the local reason behind the alert (so a refusal is for
 * the cause the case is about, not another check on the way). */
static void expect_r(wt_tls_conn *c, uint32_t code, uint32_t reason, const char *what)
{
	t_expect(c, code, what);
	CHECK(wt_tls_reason(c) == reason, "%s: reason %s (want %s)", what,
	      wt_tls_err_string(wt_tls_reason(c)), wt_tls_err_string(reason));
}

/* ---- cases ------------------------------------------------------------------ */

/* The untouched flight completes, for each AEAD and PRF hash. */
static void t_control(void)
{
	static const uint32_t S[] = { WT_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
				      WT_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
				      WT_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 };
	static const uint32_t G[] = { WT_GROUP_X25519, WT_GROUP_SECP384R1,
				      WT_GROUP_SECP256R1 };
	size_t i;
	for (i = 0; i < 3; i++) {
		ts t;
		sh_opts sh = { S[i], NULL, 0, -1, 0 };
		ske_opts ske = SKE_OK;
		uint8_t rec[128], buf[64], *p = NULL;
		size_t n, got = 0;
		ske.group = G[i];
		start(&t, 0);
		flight(&t, &sh, &ske);
		if (client_flight(&t)) {
			server_finish(&t, 0);
			CHECK(wt_tls_do_handshake(t.c) == 1,
			      "control %04x: handshake completes", S[i]);
			CHECK(wt_tls_get_version(t.c) == WT_TLS_VERSION_12 &&
				      wt_tls_get_suite(t.c) == S[i] &&
				      wt_tls_get_group(t.c) == G[i],
			      "control %04x: version, suite, group", S[i]);
			/* Data both ways under the keys derived here. */
			n = seal12(&t, 23, (const uint8_t *)"ping from server", 16, rec);
			t_give_all(t.c, rec, n);
			CHECK(wt_tls_read_ex(t.c, buf, sizeof buf, &got) == 1 &&
				      got == 16 &&
				      memcmp(buf, "ping from server", 16) == 0,
			      "control %04x: server data read", S[i]);
			CHECK(wt_tls_write_ex(t.c, 1, (const uint8_t *)"pong", 4, &got) ==
				      1,
			      "control %04x: write", S[i]);
			t.outlen = t_take(t.c, t.out, sizeof t.out);
			CHECK(open12(&t, t.out, t.outlen, &p) == 4 &&
				      memcmp(p, "pong", 4) == 0,
			      "control %04x: client data opened", S[i]);
		}
		stop(&t);
	}
}

/* One change to the first flight; the client must answer `alert`. */
static void first_flight_case(const char *what, int only12, const sh_opts *sh,
			      const ske_opts *ske, uint32_t code, uint32_t reason)
{
	ts t;
	start(&t, only12);
	flight(&t, sh, ske);
	expect_r(t.c, code, reason, what);
	stop(&t);
}

static void t_ske(void)
{
	sh_opts sh = { WT_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, NULL, 0, -1, 0 };
	ske_opts o;
	uint8_t pt[65];
	size_t i;

	/* RFC 5246 7.2.2: decrypt_error, "a handshake cryptographic operation
	 * failed, including being unable to correctly verify a signature". */
	o = SKE_OK;
	o.bad_sig = 1;
	first_flight_case("SKE: bad signature", 0, &sh, &o, SENT(WT_ALERT_DECRYPT_ERROR),
			  WT_TLS_R_BAD_SIGNATURE);

	/* RFC 8422 5.4 / 5.1.1: a curve the client did not list
	 * (secp521r1, 0x0019; and an unassigned value). */
	o = SKE_OK;
	o.group = 0x0019;
	memset(pt, 4, sizeof pt);
	o.point = pt;
	o.pointlen = 65;
	first_flight_case("SKE: curve not offered (secp521r1)", 0, &sh, &o,
			  SENT(WT_ALERT_ILLEGAL_PARAMETER), WT_TLS_R_NO_SHARED_GROUP);
	o.group = 0x7777;
	first_flight_case("SKE: unknown curve", 0, &sh, &o,
			  SENT(WT_ALERT_ILLEGAL_PARAMETER), WT_TLS_R_NO_SHARED_GROUP);
	/* The hybrid group is a TLS 1.3 key share, never a 1.2 curve. */
	o.group = WT_GROUP_X25519MLKEM768;
	first_flight_case("SKE: X25519MLKEM768 as a curve", 0, &sh, &o,
			  SENT(WT_ALERT_ILLEGAL_PARAMETER), WT_TLS_R_NO_SHARED_GROUP);

	/* RFC 8422 5.4: explicit_prime (1) and explicit_char2 (2) curve
	 * types are deprecated; only named_curve (3). */
	for (i = 1; i <= 2; i++) {
		o = SKE_OK;
		o.ctype = (uint32_t)i;
		first_flight_case(i == 1 ? "SKE: explicit_prime curve type" :
					   "SKE: explicit_char2 curve type",
				  0, &sh, &o, SENT(WT_ALERT_ILLEGAL_PARAMETER),
				  WT_TLS_R_NO_SHARED_GROUP);
	}

	/* RFC 8422 5.11: the point must be on the curve (P-256: y changed;
	 * signed correctly, so only the point is wrong). */
	{
		ts t;
		wt_kex_ctx k;
		start(&t, 0);
		CHECK(wt_kex_client_keygen(&k, WT_GROUP_SECP256R1, pt) == 0,
		      "P-256 point");
		pt[64] ^= 1;
		o = SKE_OK;
		o.group = WT_GROUP_SECP256R1;
		o.point = pt;
		o.pointlen = 65;
		flight(&t, &sh, &o);
		expect_r(t.c, SENT(WT_ALERT_ILLEGAL_PARAMETER), WT_TLS_R_BAD_KEY_SHARE,
			 "SKE: P-256 point off the curve");
		stop(&t);
	}
	/* A compressed point (RFC 8422 5.1.2: we listed uncompressed only). */
	{
		ts t;
		wt_kex_ctx k;
		start(&t, 0);
		CHECK(wt_kex_client_keygen(&k, WT_GROUP_SECP256R1, pt) == 0,
		      "P-256 point");
		pt[0] = (uint8_t)(2 + (pt[64] & 1));
		o = SKE_OK;
		o.group = WT_GROUP_SECP256R1;
		o.point = pt;
		o.pointlen = 33;
		flight(&t, &sh, &o);
		expect_r(t.c, SENT(WT_ALERT_ILLEGAL_PARAMETER), WT_TLS_R_BAD_KEY_SHARE,
			 "SKE: compressed P-256 point");
		stop(&t);
	}
	/* X25519: the all-zero point gives an all-zero secret (RFC 7748 6.1,
	 * RFC 8422 5.11 "MUST check"). */
	memset(pt, 0, 32);
	o = SKE_OK;
	o.point = pt;
	o.pointlen = 32;
	first_flight_case("SKE: X25519 zero point", 0, &sh, &o,
			  SENT(WT_ALERT_ILLEGAL_PARAMETER), WT_TLS_R_BAD_KEY_SHARE);
	/* An X25519 share of the wrong length. */
	o.pointlen = 31;
	first_flight_case("SKE: X25519 share of 31 bytes", 0, &sh, &o,
			  SENT(WT_ALERT_ILLEGAL_PARAMETER), WT_TLS_R_BAD_KEY_SHARE);

	/* RFC 5246 7.4.1.4.1: the server signs with a pair the client
	 * listed: ecdsa_sha1 (0x0203) and ecdsa_secp521r1_sha512 (0x0603)
	 * were not; the SKE is otherwise valid for the scheme named. */
	o = SKE_OK;
	o.scheme = 0x0203;
	first_flight_case("SKE: ecdsa_sha1, not offered", 0, &sh, &o,
			  SENT(WT_ALERT_ILLEGAL_PARAMETER), WT_TLS_R_NO_SHARED_SIGALG);
	o.scheme = 0x0603;
	first_flight_case("SKE: ecdsa_sha512, not offered", 0, &sh, &o,
			  SENT(WT_ALERT_ILLEGAL_PARAMETER), WT_TLS_R_NO_SHARED_SIGALG);
	/* Offered, but not one the certificate's key can make (RSA-PSS with
	 * an ECDSA key). */
	o.scheme = WT_SIG_RSA_PSS_RSAE_SHA256;
	first_flight_case("SKE: rsa_pss scheme for an ECDSA key", 0, &sh, &o,
			  SENT(WT_ALERT_ILLEGAL_PARAMETER), WT_TLS_R_NO_SHARED_SIGALG);
}

static void t_server_hello(void)
{
	sh_opts sh = { WT_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, NULL, 0, 1, 0 };
	/* RFC 8446 4.1.3: a TLS 1.3 client seeing DOWNGRD || 01 (or 00) in a
	 * TLS 1.2 ServerHello aborts with illegal_parameter. */
	first_flight_case("ServerHello 1.2 with DOWNGRD 01", 0, &sh, &SKE_OK,
			  SENT(WT_ALERT_ILLEGAL_PARAMETER), WT_TLS_R_DOWNGRADE);
	sh.downgrade = 0;
	first_flight_case("ServerHello 1.2 with DOWNGRD 00", 0, &sh, &SKE_OK,
			  SENT(WT_ALERT_ILLEGAL_PARAMETER), WT_TLS_R_DOWNGRADE);
	/* A client that offered 1.2 only has nothing to be downgraded from:
	 * the same hello goes on (the control that the sentinel is what the
	 * refusal above is about). */
	{
		ts t;
		sh.downgrade = 1;
		start(&t, 1);
		flight(&t, &sh, &SKE_OK);
		CHECK(client_flight(&t),
		      "DOWNGRD 01 to a 1.2-only client: the handshake goes on");
		server_finish(&t, 0);
		CHECK(wt_tls_do_handshake(t.c) == 1,
		      "DOWNGRD 01 to a 1.2-only client: completes");
		stop(&t);
	}
	/* RFC 5246 7.4.1.3: a suite the client did not offer - a CBC suite
	 * (TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA), a TLS 1.3 suite, and an
	 * offered-family suite removed from this client's list. */
	sh.downgrade = -1;
	sh.suite = 0xC009;
	first_flight_case("ServerHello: CBC suite not offered", 0, &sh, &SKE_OK,
			  SENT(WT_ALERT_ILLEGAL_PARAMETER), WT_TLS_R_NO_SHARED_SUITE);
	sh.suite = 0x1301;
	first_flight_case("ServerHello 1.2: TLS 1.3 suite", 0, &sh, &SKE_OK,
			  SENT(WT_ALERT_ILLEGAL_PARAMETER), WT_TLS_R_NO_SHARED_SUITE);
	{
		ts t;
		static const uint16_t only[] = {
			WT_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256
		};
		start_with(&t, 0, only, 1);
		sh.suite = WT_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256;
		flight(&t, &sh, &SKE_OK);
		expect_r(t.c, SENT(WT_ALERT_ILLEGAL_PARAMETER), WT_TLS_R_NO_SHARED_SUITE,
			 "ServerHello: suite removed from our list");
		stop(&t);
	}
	/* RFC 5246 7.4.1.3 / 8446 D.4: our ClientHello carries a random
	 * legacy session ID (middlebox compatibility) but no TLS 1.2 session;
	 * a 1.2 ServerHello echoing it claims to resume a session we never
	 * offered. */
	{
		ts t;
		start(&t, 0);
		CHECK(t.csidlen == 32, "compatibility session ID sent");
		sh.suite = WT_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256;
		sh.sid = t.csid;
		sh.sidlen = t.csidlen;
		flight(&t, &sh, &SKE_OK);
		expect_r(t.c, SENT(WT_ALERT_ILLEGAL_PARAMETER), WT_TLS_R_BAD_SESSION_ID,
			 "ServerHello echoes a session ID we did not offer");
		stop(&t);
		sh.sid = NULL;
	}
}

static void t_ccs(void)
{
	sh_opts sh = { WT_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, NULL, 0, -1, 0 };
	static uint8_t b[8192];
	ts t;
	size_t n;
	/* RFC 5246 7.3 (and 7.1): ChangeCipherSpec before ServerHelloDone. */
	start(&t, 0);
	n = server_hello(&t, &sh, b);
	n += certificate(b + n);
	n += server_key_exchange(&t, &SKE_OK, b + n);
	give_hs(&t, b, n);
	CHECK(wt_tls_do_handshake(t.c) != 1 &&
		      wt_tls_get_error(t.c, 0) == WT_TLS_ERROR_WANT_READ,
	      "SKE accepted, waiting for ServerHelloDone");
	t_give_plain(t.c, 20, (const uint8_t *)"\x01", 1);
	expect_r(t.c, SENT(WT_ALERT_UNEXPECTED_MESSAGE), WT_TLS_R_BAD_CCS,
		 "CCS before ServerHelloDone");
	stop(&t);
	/* Right after the ServerHello. */
	start(&t, 0);
	n = server_hello(&t, &sh, b);
	give_hs(&t, b, n);
	t_give_plain(t.c, 20, (const uint8_t *)"\x01", 1);
	expect_r(t.c, SENT(WT_ALERT_UNEXPECTED_MESSAGE), WT_TLS_R_BAD_CCS,
		 "CCS before Certificate");
	stop(&t);
	/* RFC 5077 3.3: announced with the session_ticket extension, the
	 * NewSessionTicket comes before the server's ChangeCipherSpec. */
	sh.ticket = 1;
	start(&t, 0);
	flight(&t, &sh, &SKE_OK);
	if (client_flight(&t)) {
		t_give_plain(t.c, 20, (const uint8_t *)"\x01", 1);
		expect_enc_alert(&t, SENT(WT_ALERT_UNEXPECTED_MESSAGE), WT_TLS_R_BAD_CCS,
				 "CCS before NewSessionTicket");
	}
	stop(&t);
}

static void t_finished(void)
{
	sh_opts sh = { WT_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, NULL, 0, -1, 0 };
	static const uint32_t S[] = { WT_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
				      WT_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 };
	size_t i;
	for (i = 0; i < 2; i++) {
		ts t;
		sh.suite = S[i];
		start(&t, 0);
		flight(&t, &sh, &SKE_OK);
		/* RFC 5246 7.4.9: "Recipients of Finished messages MUST verify
		 * that the contents are correct"; 7.2.2 decrypt_error. */
		if (client_flight(&t)) {
			server_finish(&t, 0x01);
			expect_enc_alert(&t, SENT(WT_ALERT_DECRYPT_ERROR),
					 WT_TLS_R_BAD_FINISHED,
					 i ? "bad server Finished (ChaCha20)" :
					     "bad server Finished (AES-GCM)");
		}
		stop(&t);
	}
}

/* RFC 5746 4.2 / RFC 5246 7.4.1.1: a HelloRequest after the handshake
 * is answered with a warning no_renegotiation (we never renegotiate),
 * and the connection goes on: data both ways after it. (OpenSSL and
 * Node servers end the connection on that warning, so the interop test
 * can only see the alert arrive; here the server carries on, as RFC
 * 5246 7.2.2 lets it.) */
static void t_hello_request(void)
{
	sh_opts sh = { WT_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, NULL, 0, -1, 0 };
	ts t;
	uint8_t rec[128], buf[64], *p = NULL;
	size_t n, got = 0, k;
	start(&t, 0);
	flight(&t, &sh, &SKE_OK);
	if (client_flight(&t)) {
		server_finish(&t, 0);
		CHECK(wt_tls_do_handshake(t.c) == 1, "HelloRequest: handshake");
		for (k = 0; k < 3; k++) {
			n = seal12(&t, 22, (const uint8_t *)"\x00\x00\x00\x00", 4, rec);
			t_give_all(t.c, rec, n);
			n = seal12(&t, 23, (const uint8_t *)"after", 5, rec);
			t_give_all(t.c, rec, n);
			CHECK(wt_tls_read_ex(t.c, buf, sizeof buf, &got) == 1 &&
				      got == 5 && memcmp(buf, "after", 5) == 0,
			      "HelloRequest %zu: data after it is read", k);
			t.outlen = t_take(t.c, t.out, sizeof t.out);
			CHECK(t.outlen > 5 && t.out[0] == 21 &&
				      open12(&t, t.out, t.outlen, &p) == 2 && p[0] == 1 &&
				      p[1] == WT_ALERT_NO_RENEGOTIATION,
			      "HelloRequest %zu: answered with one warning "
			      "no_renegotiation",
			      k);
			CHECK(wt_tls_write_ex(t.c, 1, (const uint8_t *)"still here", 10,
					      &got) == 1,
			      "HelloRequest %zu: write after it", k);
			t.outlen = t_take(t.c, t.out, sizeof t.out);
			CHECK(open12(&t, t.out, t.outlen, &p) == 10 &&
				      memcmp(p, "still here", 10) == 0,
			      "HelloRequest %zu: our data after it opens", k);
		}
	}
	stop(&t);
}

/* The signature_algorithms a ClientHello of this client carries. */
static size_t ch_sigalgs(wt_tls_ctx *cctx, uint16_t *out, size_t max)
{
	wt_tls_conn *c = calloc(1, wt_tls_conn_size());
	size_t al = wt_tls_conn_arena_size(cctx), n, bl, k = 0;
	uint8_t *arena = malloc(al), *o, *b;
	tmb m;
	wt_tls_conn_init(c, cctx, arena, al);
	wt_tls_set_connect_state(c);
	(void)wt_tls_do_handshake(c);
	o = wt_tls_net_out_buf(c, &n);
	/* one plaintext record holding the ClientHello */
	tm_set(&m, o + 5, n - 5);
	b = tm_ext_body(&m, 13, &bl);
	if (b != NULL && bl >= 2)
		for (n = 2; n + 1 < bl && k < max; n += 2)
			out[k++] = (uint16_t)(b[n] << 8 | b[n + 1]);
	wt_tls_conn_clear(c);
	free(c);
	free(arena);
	return k;
}

/* RSASSA-PKCS1-v1_5 is offered for TLS 1.2 by default only: a list set
 * on the context is the list (a user's "ECDSA+SHA256" is not widened),
 * and PKCS1 entries in it stay TLS 1.2's. */
static void t_sigalg_list(void)
{
	wt_tls_ctx *ctx = calloc(1, wt_tls_ctx_size());
	uint16_t got[32];
	static const uint16_t ecdsa[] = { 0x0403 }, with_pkcs1[] = { 0x0804, 0x0401 };
	size_t n, i;
	int pk;
	wt_tls_ctx_init(ctx);
	wt_tls_ctx_set_verify(ctx, WT_TLS_VERIFY_INSECURE_NO_CHAIN, 0);
	n = ch_sigalgs(ctx, got, 32);
	for (pk = 0, i = 0; i < n; i++)
		pk += got[i] == 0x0401 || got[i] == 0x0501 || got[i] == 0x0601;
	CHECK(pk == 3,
	      "default list: the three PKCS1 schemes offered for TLS 1.2 (%zu schemes)",
	      n);
	CHECK(wt_tls_ctx_set_sigalgs(ctx, ecdsa, 1) == 0, "set ECDSA+SHA256 only");
	n = ch_sigalgs(ctx, got, 32);
	CHECK(n == 1 && got[0] == 0x0403,
	      "ECDSA+SHA256 only: the ClientHello lists it alone (%zu)", n);
	CHECK(wt_tls_ctx_set_sigalgs(ctx, with_pkcs1, 2) == 0,
	      "set rsa_pss_rsae_sha256 + rsa_pkcs1_sha256");
	n = ch_sigalgs(ctx, got, 32);
	CHECK(n == 2 && got[0] == 0x0804 && got[1] == 0x0401, "both, PSS first (%zu)", n);
	wt_tls_ctx_set_versions(ctx, WT_TLS_VERSION_13, WT_TLS_VERSION_13);
	n = ch_sigalgs(ctx, got, 32);
	CHECK(n == 1 && got[0] == 0x0804, "TLS 1.3 only: no PKCS1 (%zu)", n);
	wt_tls_ctx_clear(ctx);
	free(ctx);
}

int main(void)
{
	size_t kl;
	uint8_t *k = unhex(P256_KEY_HEX, &kl);
	CHECK(wt_privkey_from_der(&skey, k, kl) == 0, "server key");
	free(k);
	scrt = unhex(P256_CRT_HEX, &scrtlen);
	t_control();
	t_ske();
	t_server_hello();
	t_ccs();
	t_finished();
	t_hello_request();
	t_sigalg_list();
	free(scrt);
	return t_done();
}
