/*
 * test_tls_rfc8448.c: RFC 8448 (Example Handshake Traces for TLS 1.3),
 * sections 3, 4 and 5, against the engine. Vectors are read at run time
 * from $WT_RFC8448_DIR (or ../shared/vectors/rfc8448/ and the like):
 * rfc8448_simple_1rtt.json (section 3 as named values) and
 * rfc8448_all_traces.json (sections 3-7 as steps); when absent it prints
 * "skipped" and checks nothing else.
 *
 * What cannot be checked, and why:
 *  - The traces' server certificate is a 1024-bit RSA key (section 2),
 *    below our RSA minimum (2048): we cannot verify its CertificateVerify
 *    (our client refuses the certificate with unsupported_certificate,
 *    which the test asserts) nor sign with it. The client role therefore
 *    verifies everything before and after: its handshake keys open the
 *    server's flight, EncryptedExtensions goes through the engine, the
 *    Certificate and CertificateVerify enter the transcript unverified
 *    (test code, marked), then the engine verifies the server's Finished
 *    and produces the client's Finished record byte for byte. The server
 *    role signs with an ECDSA P-256 test key instead, so its flight after
 *    EncryptedExtensions (and everything keyed by the transcript after
 *    it: application keys, the client Finished it expects) differs.
 *  - Our client's ClientHello is not the trace's (other extensions), so
 *    the client role is given the trace's random and key shares as
 *    entropy and then has its transcript replaced by the trace's
 *    ClientHello (test code, marked); everything after is the engine.
 *  - Section 4 is a resumed 0-RTT handshake; we do not do 0-RTT. Our
 *    server cannot open the trace's ticket (sealed by the trace server's
 *    own key), so it cannot resume it; it is checked to do a full
 *    handshake and to skip the client's early records (4.2.10). Our
 *    client resumes with the section 3 ticket it received itself, but
 *    never sends EndOfEarlyData, so its client Finished and resumption
 *    secret differ from the trace; those two values are checked at the
 *    key-schedule level instead, with the trace's transcript.
 *  - Section 7 (middlebox compatibility mode) is checked like section 3:
 *    ServerHello and change_cipher_spec byte for byte at the server; the
 *    client's change_cipher_spec and Finished byte for byte.
 *  - The HelloRetryRequest cookie is the trace server's own opaque value;
 *    ours is 32 random bytes. The server role shows the HRR differs only
 *    in it, then continues with the trace's HRR in its transcript.
 */
#include "tls_mitm.h"
#include "wt_hash.h"
#include "wt_aead.h"

static const uint16_t TRACE_SERVER_SUITES[] = { 0x1301, 0x1302, 0x1303 };

#define SENT(a) (uint32_t)(WT_TLS_ERR_SEND_ALERT + (a))

static char *json, *all;

static char *load(const char *file)
{
	const char *dirs[] = { getenv("WT_RFC8448_DIR"), "../shared/vectors/rfc8448",
			       "../../shared/vectors/rfc8448",
			       "/work/shared/vectors/rfc8448" };
	size_t i;
	for (i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
		char path[512];
		FILE *f;
		long n;
		char *b;
		if (!dirs[i])
			continue;
		snprintf(path, sizeof path, "%s/%s", dirs[i], file);
		if (!(f = fopen(path, "rb")))
			continue;
		fseek(f, 0, SEEK_END);
		n = ftell(f);
		fseek(f, 0, SEEK_SET);
		b = malloc((size_t)n + 1);
		if (fread(b, 1, (size_t)n, f) != (size_t)n)
			n = 0;
		b[n] = 0;
		fclose(f);
		return b;
	}
	return NULL;
}

/* The hex value of "name" in the section 3 summary (flat key -> string). */
static uint8_t *val(const char *name, size_t *len)
{
	char key[128], *p, *e, *h;
	uint8_t *r;
	snprintf(key, sizeof key, "\"%s\": \"", name);
	p = strstr(strstr(json, "\"summary\""), key);
	if (!p) {
		fprintf(stderr, "missing %s\n", name);
		exit(2);
	}
	p += strlen(key);
	e = strchr(p, '"');
	h = strndup(p, (size_t)(e - p));
	r = unhex(h, len);
	free(h);
	return r;
}

/* Field `name` of step k (0-based, as in the JSON) of section sec. */
static uint8_t *stepv(int sec, int k, const char *name, size_t *len)
{
	char key[128], *p, *end, *stop, *q, *e, *h;
	uint8_t *r;
	int i;
	snprintf(key, sizeof key, "\n  \"%d\": {", sec);
	p = strstr(all, key);
	if (!p)
		goto missing;
	end = strstr(p + 1, "\n  }");
	p = strstr(p, "\"steps\"");
	for (i = 0; i <= k && p; i++)
		p = strstr(p + 1, "\"actor\"");
	if (!p || p > end)
		goto missing;
	stop = strstr(p + 1, "\"actor\"");
	if (!stop || stop > end)
		stop = end;
	snprintf(key, sizeof key, "\"name\": \"%s\"", name);
	q = strstr(p, key);
	if (!q || q > stop)
		goto missing;
	q = strstr(q, "\"hex\": \"");
	if (!q || q > stop)
		goto missing;
	q += 8;
	e = strchr(q, '"');
	h = strndup(q, (size_t)(e - q));
	r = unhex(h, len);
	free(h);
	return r;
missing:
	fprintf(stderr, "missing section %d step %d %s\n", sec, k, name);
	exit(2);
}

static void expect(const uint8_t *got, size_t n, const char *name)
{
	size_t l;
	uint8_t *w = val(name, &l);
	CHECK(l == n && memcmp(w, got, n) == 0, "RFC 8448 3: %s", name);
	free(w);
}

static void expect_step(const uint8_t *got, size_t n, int sec, int k, const char *name,
			const char *what)
{
	size_t l;
	uint8_t *w = stepv(sec, k, name, &l);
	CHECK(l == n && memcmp(w, got, n) == 0, "RFC 8448 %d step %d %s: %s", sec, k,
	      name, what);
	free(w);
}

static void th(const uint8_t *msgs[], const size_t lens[], size_t k, uint8_t out[32])
{
	wt_hash_ctx h;
	size_t i;
	wt_hash_init(&h, WT_SHA256);
	for (i = 0; i < k; i++)
		wt_hash_update(&h, msgs[i], lens[i]);
	wt_hash_out(&h, out);
}

/* ---- section 3: the key schedule from the trace's values ----------------- */

static void test_key_schedule(void)
{
	size_t l[8], dl;
	uint8_t *m[8], *dhe, t[32], key[16], iv[12], fin[32], psk[32];
	wt_ks_early e;
	wt_ks_handshake h;
	wt_ks_master ms;
	static const uint8_t nonce[2] = { 0, 0 };
	m[0] = val("client_hello", &l[0]);
	m[1] = val("server_hello", &l[1]);
	m[2] = val("encrypted_extensions", &l[2]);
	m[3] = val("certificate", &l[3]);
	m[4] = val("certificate_verify", &l[4]);
	m[5] = val("server_finished", &l[5]);
	m[6] = val("client_finished", &l[6]);
	dhe = val("ecdhe_shared_secret", &dl);

	wt_ks_early_init(&e, WT_SHA256, NULL, 0);
	expect(e.secret, 32, "early_secret");
	th((const uint8_t **)m, l, 2, t);
	expect(t, 32, "transcript_hash_ch_sh");
	CHECK(wt_ks_handshake_init(&h, &e, WT_SHA256, dhe, dl, t) == 0, "hs init");
	expect(h.secret, 32, "handshake_secret");
	expect(h.c_hs, 32, "client_handshake_traffic_secret");
	expect(h.s_hs, 32, "server_handshake_traffic_secret");
	wt_ks_traffic_keys(WT_SHA256, h.s_hs, key, 16, iv);
	expect(key, 16, "server_handshake_write_key");
	expect(iv, 12, "server_handshake_write_iv");
	wt_ks_traffic_keys(WT_SHA256, h.c_hs, key, 16, iv);
	expect(key, 16, "client_handshake_write_key");
	expect(iv, 12, "client_handshake_write_iv");
	th((const uint8_t **)m, l, 5, t);
	wt_ks_finished(WT_SHA256, h.s_hs, t, fin);
	expect(fin, 32, "server_finished_verify_data");
	th((const uint8_t **)m, l, 6, t);
	expect(t, 32, "transcript_hash_through_server_finished");
	CHECK(wt_ks_master_init(&ms, &h, WT_SHA256, t) == 0, "master init");
	expect(ms.secret, 32, "master_secret");
	expect(ms.c_ap, 32, "client_application_traffic_secret_0");
	expect(ms.s_ap, 32, "server_application_traffic_secret_0");
	expect(ms.exporter, 32, "exporter_master_secret");
	wt_ks_traffic_keys(WT_SHA256, ms.s_ap, key, 16, iv);
	expect(key, 16, "server_application_write_key");
	expect(iv, 12, "server_application_write_iv");
	wt_ks_traffic_keys(WT_SHA256, ms.c_ap, key, 16, iv);
	expect(key, 16, "client_application_write_key");
	expect(iv, 12, "client_application_write_iv");
	wt_ks_finished(WT_SHA256, h.c_hs, t, fin);
	expect(fin, 32, "client_finished_verify_data");
	th((const uint8_t **)m, l, 7, t);
	expect(t, 32, "transcript_hash_through_client_finished");
	wt_ks_resumption(&ms, WT_SHA256, t);
	expect(ms.resumption, 32, "resumption_master_secret");
	/* The trace's NewSessionTicket has ticket_nonce 00 00. */
	wt_ks_ticket_psk(WT_SHA256, ms.resumption, nonce, 2, psk);
	expect(psk, 32, "ticket_psk");
	for (dl = 0; dl < 7; dl++)
		free(m[dl]);
	free(dhe);
}

/* ---- the server role ---------------------------------------------------------- */

/* A server with the ECDSA P-256 test identity (the trace's 1024-bit RSA
 * key is below our minimum; every trace ClientHello offers
 * ecdsa_secp256r1_sha256). */
static void server_pair(tpair *p)
{
	tp_ctx(p);
	tp_use_cert(p->sctx, TK_P256);
	wt_tls_ctx_set_record_size_limit(p->sctx, 16385);
	/* The trace's server picked TLS_AES_128_GCM_SHA256 of the client's
	 * 1301, 1303, 1302: its preference, not our default (ChaCha first). */
	wt_tls_ctx_set_suites(p->sctx, TRACE_SERVER_SUITES, 3);
	tp_conns(p);
}

/* Give a whole trace record (hex field) to a connection. */
static void give_step(wt_tls_conn *c, int sec, int k)
{
	size_t n;
	uint8_t *r = stepv(sec, k, "complete record", &n);
	t_give_all(c, r, n);
	free(r);
}

/* EncryptedExtensions: every extension we send is in the trace's with the
 * same body; the trace's extra ones are listed (the order is ours). */
static void compare_ee(const uint8_t *ours, size_t ol, const uint8_t *theirs, size_t tl,
		       const char *what)
{
	tmb a, b;
	size_t o, end, matched = 0, total = 0, extra = 0;
	tm_set(&a, ours, ol);
	tm_set(&b, theirs, tl);
	o = 6;
	end = 4 + 2 + ((size_t)a.b[4] << 8 | a.b[5]);
	while (o + 4 <= end) {
		uint32_t t = (uint32_t)a.b[o] << 8 | a.b[o + 1];
		size_t l = (size_t)a.b[o + 2] << 8 | a.b[o + 3], bl;
		uint8_t *tb = tm_ext_body(&b, t, &bl);
		total++;
		if (tb && bl == l && memcmp(tb, a.b + o + 4, l) == 0)
			matched++;
		o += 4 + l;
	}
	o = 6;
	end = 4 + 2 + ((size_t)b.b[4] << 8 | b.b[5]);
	while (o + 4 <= end) {
		uint32_t t = (uint32_t)b.b[o] << 8 | b.b[o + 1];
		size_t bl;
		if (!tm_ext_body(&a, t, &bl)) {
			printf("  %s: the trace's EncryptedExtensions also has extension "
			       "%u "
			       "(we do not send it)\n",
			       what, t);
			extra++;
		}
		o += 4 + ((size_t)b.b[o + 2] << 8 | b.b[o + 3]);
	}
	CHECK(total > 0 && matched == total,
	      "%s: our EncryptedExtensions' %zu extensions are "
	      "the trace's, byte for byte (%zu matched)",
	      what, total, matched);
	(void)extra;
}

/* Open a flight record with a key derived from a trace secret; returns
 * the inner content length and the handshake messages in *msgs. */
static size_t open_with(const uint8_t *rec, size_t n, const uint8_t *key,
			const uint8_t *iv, uint64_t seq, uint8_t *out)
{
	wt_aead_ctx a;
	uint8_t nonce[12];
	size_t i, m = n - 5 - 16;
	memcpy(nonce, iv, 12);
	for (i = 0; i < 8; i++)
		nonce[4 + i] ^= (uint8_t)(seq >> (56 - 8 * i));
	wt_aead_init(&a, WT_AEAD_AES128GCM, key, 16);
	if (wt_aead_open(&a, nonce, 12, rec, 5, rec + 5, m, out, rec + 5 + m))
		return 0;
	while (m > 0 && out[m - 1] == 0)
		m--;
	return m ? m - 1 : 0;
}

static void test_server_role_3(void)
{
	tpair p;
	size_t chl, shl, rl, kl, il, n;
	uint8_t *ch = val("client_hello", &chl), *sh = val("server_hello", &shl);
	uint8_t *spriv, *ent, *key, *ivb, *out, *b, *ee, *sec;
	size_t eel, sl;
	spriv = val("server_x25519_private", &kl);
	key = val("server_handshake_write_key", &kl);
	ivb = val("server_handshake_write_iv", &il);
	/* 32 bytes of ServerHello.random and the X25519 key from the trace,
	 * then room for what signing draws (the ECDSA hedge of RFC 6979 3.6),
	 * which the trace does not fix: zeros, giving plain RFC 6979. */
	ent = calloc(1, 64 + 512);
	memcpy(ent, sh + 6, 32);
	memcpy(ent + 32, spriv, 32);
	server_pair(&p);
	/* The trace's ClientHello as one record. */
	t_give_plain(p.s, 22, ch, chl);
	wt_test_set_random(ent, 64 + 512);
	CHECK(wt_tls_do_handshake(p.s) <= 0 &&
		      wt_tls_get_error(p.s, -1) == WT_TLS_ERROR_WANT_READ,
	      "server waits for the client's Finished (%s)",
	      wt_tls_err_string(wt_tls_error_code(p.s)));
	wt_test_set_random(NULL, 0);
	out = malloc(65536);
	n = t_take(p.s, out, 65536);
	/* ServerHello record, byte for byte (the trace's client sent an empty
	 * legacy_session_id, so no compatibility CCS follows). */
	CHECK(n > 5 + shl && out[0] == 22 && out[3] == 0 && out[4] == shl &&
		      memcmp(out + 5, sh, shl) == 0,
	      "RFC 8448 3: ServerHello byte for byte");
	sec = val("server_handshake_traffic_secret", &sl);
	CHECK(memcmp(p.s->hs->ks_h.s_hs, sec, 32) == 0,
	      "RFC 8448 3: server's server_handshake_traffic_secret");
	free(sec);
	sec = val("client_handshake_traffic_secret", &sl);
	CHECK(memcmp(p.s->hs->ks_h.c_hs, sec, 32) == 0,
	      "RFC 8448 3: server's client_handshake_traffic_secret");
	free(sec);
	/* The next record opens with the trace's server handshake key. */
	rl = (size_t)out[5 + shl + 3] << 8 | out[5 + shl + 4];
	b = malloc(rl);
	CHECK(out[5 + shl] == 23 && 5 + shl + 5 + rl <= n, "encrypted flight record");
	il = open_with(out + 5 + shl, 5 + rl, key, ivb, 0, b);
	CHECK(il > 0 && b[il] == 22 && b[0] == 8,
	      "RFC 8448 3: our flight opens with the trace's server handshake key/iv, "
	      "EncryptedExtensions first");
	ee = val("encrypted_extensions", &eel);
	compare_ee(b, 4 + ((size_t)b[2] << 8 | b[3]), ee, eel, "RFC 8448 3 server");
	free(ee);
	/* The trace client's Finished opens with our client handshake key
	 * but its verify_data covers the trace's Certificate/CV, not ours:
	 * decrypt_error (a bad_record_mac would mean a wrong key). */
	{
		uint8_t *cf = val("client_finished_record", &rl);
		t_give_all(p.s, cf, rl);
		t_expect(p.s, SENT(WT_ALERT_DECRYPT_ERROR),
			 "RFC 8448 3: trace client Finished at our server");
		free(cf);
	}
	free(b);
	free(out);
	free(ch);
	free(sh);
	free(spriv);
	free(ent);
	free(key);
	free(ivb);
	tp_free(&p);
}

/* ---- the client role ------------------------------------------------------------ */

/* A client whose ClientHello will be replaced by the trace's: groups as
 * given, no compatibility mode (the traces' clients send an empty
 * legacy_session_id), SNI "server" and record_size_limit 16385 as the
 * traces' clients send (so the server's answers are solicited). */
static int compat_mode; /* section 7 */

static void client_pair(tpair *p, const uint16_t *groups, size_t ng)
{
	tp_ctx(p);
	wt_tls_ctx_set_groups(p->cctx, groups, ng);
	if (!compat_mode)
		wt_tls_ctx_clear_options(p->cctx, WT_TLS_OP_ENABLE_MIDDLEBOX_COMPAT);
	wt_tls_ctx_set_record_size_limit(p->cctx, 16385);
	tp_conns(p);
	wt_tls_set_server_name(p->c, "server", 6);
}

/* Our ClientHello: the trace's random and key share (pinned entropy) at
 * their places. Then, TEST CODE: the transcript is the trace's. */
static void client_hello(tpair *p, const uint8_t *tch, size_t tchl, const uint8_t *ent,
			 size_t entl, int keep_random)
{
	tflight f;
	tmsg m[2];
	tmb a, b;
	size_t al, bl;
	uint8_t *ka, *kb;
	wt_test_set_random(ent, entl);
	CHECK(wt_tls_do_handshake(p->c) <= 0 &&
		      wt_tls_get_error(p->c, -1) == WT_TLS_ERROR_WANT_READ,
	      "client hello sent");
	if (!keep_random)
		wt_test_set_random(NULL, 0);
	tf_take(&f, p->c, NULL);
	CHECK(tf_msgs(&f, m, 2) == 1, "one ClientHello");
	tm_set(&a, m[0].p, m[0].len);
	tm_set(&b, tch, tchl);
	CHECK(memcmp(a.b + 6, b.b + 6, 32) == 0,
	      "our ClientHello has the trace's random");
	ka = tm_ext_body(&a, EXT_KEY_SHARE, &al);
	kb = tm_ext_body(&b, EXT_KEY_SHARE, &bl);
	CHECK(ka && kb && al == bl && memcmp(ka, kb, al) == 0,
	      "our key_share is the trace's (same private key, same public key)");
	/* TEST CODE: the trace's ClientHello in place of ours. */
	wt_th_init(p->c);
	wt_th_add(p->c, tch, tchl);
}

/* After the ServerHello: open the server's flight with the client's own
 * read key (the record layer's state), give EncryptedExtensions to the
 * engine, put Certificate and CertificateVerify in the transcript
 * unverified (TEST CODE: RSA 1024), and the server's Finished to the
 * engine. Returns 1 if the engine accepted the Finished. */
static int client_flight(tpair *p, const uint8_t *rec, size_t n, int resumed)
{
	uint8_t *b = malloc(n), nonce[12];
	size_t m = n - 5 - 16, i, off = 0;
	int ok;
	memcpy(nonce, p->c->rd.iv, 12);
	for (i = 0; i < 8; i++)
		nonce[4 + i] ^= (uint8_t)(p->c->rd.seq >> (56 - 8 * i));
	ok = wt_aead_open(wt_tls_aead(p->c, &p->c->rd), nonce, 12, rec, 5, rec + 5, m, b,
			  rec + 5 + m) == 0;
	CHECK(ok, "the client's handshake read key opens the trace's flight");
	if (!ok) {
		free(b);
		return 0;
	}
	p->c->rd.seq++;
	while (m > 0 && b[m - 1] == 0)
		m--;
	m--; /* content type */
	while (off + 4 <= m) {
		size_t l = 4 +
			((size_t)b[off + 1] << 16 | (size_t)b[off + 2] << 8 | b[off + 3]);
		uint32_t t = b[off];
		if (t == HS_ENCRYPTED_EXTENSIONS && resumed) {
			/* TEST CODE: the section 4 EncryptedExtensions accepts
			 * early data we never offered (we do no 0-RTT). */
			wt_th_add(p->c, b + off, l);
			p->c->state = ST_C_EXPECT_FIN;
		} else if (t == HS_CERTIFICATE || t == HS_CERTIFICATE_VERIFY) {
			/* TEST CODE: 1024-bit RSA, not verifiable here. */
			wt_th_add(p->c, b + off, l);
			p->c->state = ST_C_EXPECT_FIN;
		} else {
			CHECK(wt_hs_client_msg(p->c, t, b + off, l) == 0,
			      "engine accepts the trace's message type %u (%s)", t,
			      wt_tls_err_string(wt_tls_error_code(p->c)));
		}
		off += l;
	}
	free(b);
	return wt_tls_is_init_finished(p->c);
}

static void check_secret(const uint8_t *got, const char *name)
{
	size_t l;
	uint8_t *w = val(name, &l);
	CHECK(memcmp(got, w, l) == 0, "RFC 8448 3 client: %s", name);
	free(w);
}

static size_t sess3_len;
static uint8_t sess3[WT_TLS_SESSION_MAX];

static void test_client_role_3(void)
{
	static const uint16_t g[] = { 0x001D };
	tpair p;
	size_t chl, kl, n, rl;
	uint8_t *ch = val("client_hello", &chl),
		*priv = val("client_x25519_private", &kl);
	uint8_t ent[64], *rec, *out = malloc(65536), buf[256];
	int pass;
	memcpy(ent, ch + 6, 32);
	memcpy(ent + 32, priv, 32);
	wt_test_set_now(1500000000000ull);
	for (pass = 0; pass < 2; pass++) {
		client_pair(&p, g, 1);
		client_hello(&p, ch, chl, ent, 64, 0);
		rec = val("server_hello_record", &rl);
		t_give_all(p.c, rec, rl);
		free(rec);
		CHECK(wt_tls_do_handshake(p.c) <= 0 &&
			      wt_tls_get_error(p.c, -1) == WT_TLS_ERROR_WANT_READ,
		      "client took the trace's ServerHello (%s)",
		      wt_tls_err_string(wt_tls_error_code(p.c)));
		check_secret(p.c->hs->ks_h.secret, "handshake_secret");
		check_secret(p.c->hs->ks_h.c_hs, "client_handshake_traffic_secret");
		check_secret(p.c->hs->ks_h.s_hs, "server_handshake_traffic_secret");
		rec = val("server_encrypted_flight_record", &rl);
		if (pass == 0) {
			/* Through the engine: it refuses the trace's 1024-bit RSA
			 * certificate. */
			t_give_all(p.c, rec, rl);
			t_expect(p.c, SENT(WT_ALERT_UNSUPPORTED_CERTIFICATE),
				 "RFC 8448 3 client: the trace's RSA-1024 certificate is "
				 "refused");
			free(rec);
			tp_free(&p);
			continue;
		}
		CHECK(client_flight(&p, rec, rl, 0),
		      "RFC 8448 3 client: server Finished verified (%s)",
		      wt_tls_err_string(wt_tls_error_code(p.c)));
		free(rec);
		check_secret(p.c->ks_m.secret, "master_secret");
		check_secret(p.c->ks_m.c_ap, "client_application_traffic_secret_0");
		check_secret(p.c->ks_m.s_ap, "server_application_traffic_secret_0");
		check_secret(p.c->ks_m.exporter, "exporter_master_secret");
		check_secret(p.c->ks_m.resumption, "resumption_master_secret");
		n = t_take(p.c, out, 65536);
		rec = val("client_finished_record", &rl);
		CHECK(n == rl && memcmp(out, rec, rl) == 0,
		      "RFC 8448 3: our client Finished record byte for byte");
		free(rec);
		/* Post-handshake, all through the public calls. */
		rec = val("new_session_ticket_record", &rl);
		t_give_all(p.c, rec, rl);
		free(rec);
		CHECK(wt_tls_read_ex(p.c, buf, sizeof buf, &n) == 0 &&
			      wt_tls_get_error(p.c, 0) == WT_TLS_ERROR_WANT_READ,
		      "NewSessionTicket processed");
		check_secret(p.c->sess->psk, "ticket_psk");
		sess3_len = wt_tls_get_session(p.c, sess3, sizeof sess3);
		CHECK(sess3_len > 0, "session from the trace's ticket");
		rec = val("server_application_data_record", &rl);
		t_give_all(p.c, rec, rl);
		free(rec);
		rec = val("server_application_data_plaintext", &rl);
		CHECK(wt_tls_read_ex(p.c, buf, sizeof buf, &n) == 1 && n == rl &&
			      memcmp(buf, rec, rl) == 0,
		      "RFC 8448 3: the server's application data decrypted");
		free(rec);
		rec = val("client_application_data_plaintext", &rl);
		CHECK(wt_tls_write(p.c, 1, rec, rl) == (int)rl,
		      "client writes the trace's data");
		free(rec);
		n = t_take(p.c, out, 65536);
		rec = val("client_application_data_record", &rl);
		CHECK(n == rl && memcmp(out, rec, rl) == 0,
		      "RFC 8448 3: our application data record byte for byte");
		free(rec);
		CHECK(wt_tls_shutdown(p.c) == 0, "shutdown");
		n = t_take(p.c, out, 65536);
		rec = val("client_alert_record", &rl);
		CHECK(n == rl && memcmp(out, rec, rl) == 0,
		      "RFC 8448 3: our close_notify record byte for byte");
		free(rec);
		rec = val("server_alert_record", &rl);
		t_give_all(p.c, rec, rl);
		free(rec);
		CHECK(wt_tls_shutdown(p.c) == 1,
		      "RFC 8448 3: the server's close_notify received");
		tp_free(&p);
	}
	free(ch);
	free(priv);
	free(out);
}

/* ---- section 4: resumed 0-RTT handshake ------------------------------------------ */

static void test_resumption_4(void)
{
	static const uint16_t g[] = { 0x001D };
	size_t chl, l, n, rl, pl;
	/* Step 2's "ClientHello" is the message before its binder (477
	 * bytes); the whole one is step 4's record payload. */
	uint8_t *ch = stepv(4, 4, "payload", &chl), *psk = val("ticket_psk", &pl);
	uint8_t *prefix, t[32], bk[32], fin[32], *x;
	wt_ks_early e;
	int pass;

	/* The key schedule from the trace's values: PSK (section 3's ticket)
	 * -> early secret -> binder key -> binder over the truncated
	 * ClientHello (4.2.11.2). */
	expect_step(psk, 32, 4, 1, "IKM", "the PSK is section 3's ticket PSK");
	wt_ks_early_init(&e, WT_SHA256, psk, 32);
	expect_step(e.secret, 32, 4, 1, "secret", "early secret from the PSK");
	prefix = stepv(4, 3, "ClientHello prefix", &l);
	wt_hash(WT_SHA256, prefix, l, t);
	expect_step(t, 32, 4, 3, "binder hash", "Transcript-Hash(Truncate(ClientHello))");
	CHECK(wt_ks_binder_key(&e, WT_SHA256, 1, bk) == 0, "binder key");
	expect_step(bk, 32, 4, 3, "PRK", "binder_key (res binder)");
	wt_ks_finished(WT_SHA256, bk, t, fin);
	expect_step(fin, 32, 4, 3, "finished", "the PSK binder");
	CHECK(chl == l + 2 + 1 + 32 && memcmp(ch, prefix, l) == 0 &&
		      memcmp(ch + l + 3, fin, 32) == 0,
	      "RFC 8448 4: the ClientHello ends with that binder");
	/* client_early_traffic_secret (we send no 0-RTT; the derivation is
	 * the same Derive-Secret). */
	wt_hash(WT_SHA256, ch, chl, t);
	wt_derive_secret(WT_SHA256, e.secret, "c e traffic", 11, t, fin);
	expect_step(fin, 32, 4, 5, "expanded", "client_early_traffic_secret");
	free(prefix);

	/* Client role, twice (through the engine, then by message). */
	for (pass = 0; pass < 2; pass++) {
		tpair p;
		uint8_t ent[64], *out = malloc(65536), buf[256];
		size_t kl;
		uint8_t *priv = stepv(4, 0, "private key", &kl), *rec;
		memcpy(ent, ch + 6, 32);
		memcpy(ent + 32, priv, 32);
		free(priv);
		client_pair(&p, g, 1);
		CHECK(sess3_len && wt_tls_set_session(p.c, sess3, sess3_len) == 0,
		      "section 3's ticket as the session");
		client_hello(&p, ch, chl, ent, 64, 0);
		expect_step(p.c->hs->ks_e.secret, 32, 4, 1, "secret",
			    "client's early secret from its session");
		give_step(p.c, 4, 21);
		CHECK(wt_tls_do_handshake(p.c) <= 0 &&
			      wt_tls_get_error(p.c, -1) == WT_TLS_ERROR_WANT_READ,
		      "client took the trace's ServerHello (%s)",
		      wt_tls_err_string(wt_tls_error_code(p.c)));
		CHECK(wt_tls_session_reused(p.c),
		      "RFC 8448 4: PSK accepted (selected_identity 0)");
		expect_step(p.c->hs->ks_h.secret, 32, 4, 16, "secret",
			    "client's handshake secret (PSK + ECDHE)");
		expect_step(p.c->hs->ks_h.c_hs, 32, 4, 17, "expanded",
			    "client's c hs traffic");
		expect_step(p.c->hs->ks_h.s_hs, 32, 4, 18, "expanded",
			    "client's s hs traffic");
		rec = stepv(4, 26, "complete record", &rl);
		if (pass == 0) {
			/* The trace's server accepted 0-RTT: its
			 * EncryptedExtensions has early_data, which our client
			 * never offered (4.2: unsupported_extension). */
			t_give_all(p.c, rec, rl);
			t_expect(p.c, SENT(WT_ALERT_UNSUPPORTED_EXTENSION),
				 "RFC 8448 4 client: early_data accepted but never "
				 "offered");
			free(rec);
			free(out);
			tp_free(&p);
			continue;
		}
		CHECK(client_flight(&p, rec, rl, 1),
		      "RFC 8448 4 client: server Finished verified (%s)",
		      wt_tls_err_string(wt_tls_error_code(p.c)));
		free(rec);
		expect_step(p.c->ks_m.secret, 32, 4, 20, "secret",
			    "client's master secret");
		expect_step(p.c->ks_m.c_ap, 32, 4, 27, "expanded",
			    "client's c ap traffic");
		expect_step(p.c->ks_m.s_ap, 32, 4, 28, "expanded",
			    "client's s ap traffic");
		expect_step(p.c->ks_m.exporter, 32, 4, 29, "expanded",
			    "client's exp master");
		/* Our client Finished has no EndOfEarlyData before it: compute
		 * the trace's from its transcript with our key schedule. */
		{
			size_t ml[6];
			uint8_t *mm[6];
			const uint8_t *cm[6];
			wt_ks_master ms;
			mm[0] = stepv(4, 4, "payload", &ml[0]);
			mm[1] = stepv(4, 14, "ServerHello", &ml[1]);
			mm[2] = stepv(4, 23, "EncryptedExtensions", &ml[2]);
			mm[3] = stepv(4, 25, "Finished", &ml[3]);
			mm[4] = stepv(4, 43, "EndOfEarlyData", &ml[4]);
			mm[5] = stepv(4, 48, "Finished", &ml[5]);
			memcpy(cm, mm, sizeof cm);
			th(cm, ml, 5, t);
			wt_ks_finished(WT_SHA256, p.c->hs->ks_h.c_hs, t, fin);
			expect_step(fin, 32, 4, 47, "finished",
				    "client Finished over CH..EndOfEarlyData");
			th(cm, ml, 6, t);
			ms = p.c->ks_m;
			wt_ks_resumption(&ms, WT_SHA256, t);
			expect_step(ms.resumption, 32, 4, 51, "expanded",
				    "resumption master secret");
			for (n = 0; n < 6; n++)
				free(mm[n]);
		}
		(void)t_take(p.c, out, 65536); /* our Finished */
		/* Application data under the trace's keys both ways. */
		give_step(p.c, 4, 57);
		x = stepv(4, 57, "payload", &l);
		CHECK(wt_tls_read_ex(p.c, buf, sizeof buf, &n) == 1 && n == l &&
			      memcmp(buf, x, l) == 0,
		      "RFC 8448 4: the server's application data decrypted");
		free(x);
		x = stepv(4, 56, "payload", &l);
		CHECK(wt_tls_write(p.c, 1, x, l) == (int)l,
		      "client writes the trace's data");
		free(x);
		n = t_take(p.c, out, 65536);
		x = stepv(4, 56, "complete record", &l);
		CHECK(n == l && memcmp(out, x, l) == 0,
		      "RFC 8448 4: our application data record byte for byte");
		free(x);
		CHECK(wt_tls_shutdown(p.c) == 0, "shutdown");
		n = t_take(p.c, out, 65536);
		x = stepv(4, 58, "complete record", &l);
		CHECK(n == l && memcmp(out, x, l) == 0,
		      "RFC 8448 4: our close_notify record byte for byte");
		free(x);
		give_step(p.c, 4, 59);
		CHECK(wt_tls_shutdown(p.c) == 1,
		      "RFC 8448 4: the server's close_notify received");
		free(out);
		tp_free(&p);
	}

	/* Server role: it cannot open the trace's ticket, so it answers with
	 * a full handshake, and skips the client's 0-RTT application data
	 * and EndOfEarlyData (both under the early traffic key) - and the
	 * trace client's Finished, under handshake keys it does not share -
	 * as early data (4.2.10), without an error. */
	{
		tpair p;
		tflight f;
		tmsg m[8];
		tmb sh;
		size_t bl, before;
		tkey k;
		server_pair(&p);
		give_step(p.s, 4, 4);
		CHECK(wt_tls_do_handshake(p.s) <= 0 &&
			      wt_tls_get_error(p.s, -1) == WT_TLS_ERROR_WANT_READ,
		      "RFC 8448 4 server: full handshake (%s)",
		      wt_tls_err_string(wt_tls_error_code(p.s)));
		CHECK(!wt_tls_session_reused(p.s),
		      "RFC 8448 4 server: the trace's ticket is not ours");
		tk_init(&k, p.s, p.s->hs->ks_h.s_hs);
		tf_take(&f, p.s, &k);
		CHECK(tf_msgs(&f, m, 8) >= 2 && m[0].p[0] == 2 && m[1].p[0] == 8,
		      "SH, EE");
		tm_set(&sh, m[0].p, m[0].len);
		CHECK(!tm_ext_body(&sh, EXT_PRE_SHARED_KEY, &bl),
		      "no pre_shared_key in our ServerHello");
		tm_set(&sh, m[1].p, m[1].len);
		CHECK(!tm_ext_body(&sh, EXT_EARLY_DATA, &bl),
		      "no early_data in our EncryptedExtensions");
		before = p.s->early_skip;
		give_step(p.s, 4, 8);
		give_step(p.s, 4, 44);
		give_step(p.s, 4, 49);
		CHECK(wt_tls_do_handshake(p.s) <= 0 &&
			      wt_tls_get_error(p.s, -1) == WT_TLS_ERROR_WANT_READ &&
			      !wt_tls_error_code(p.s),
		      "RFC 8448 4 server: 0-RTT records skipped (%s)",
		      wt_tls_err_string(wt_tls_error_code(p.s)));
		CHECK(before == WT_TLS_EARLY_SKIP_MAX &&
			      p.s->early_skip == before - 28 - 26 - 58,
		      "RFC 8448 4 server: three records skipped, headers counted (%u "
		      "left)",
		      p.s->early_skip);
		tp_free(&p);
	}
	free(ch);
	free(psk);
}

/* ---- section 5: HelloRetryRequest ------------------------------------------------ */

/* message_hash(ClientHello1) || HelloRetryRequest || ClientHello2 as the
 * transcript (TEST CODE, replacing the engine's, whose ClientHellos are
 * ours). */
static void hrr_transcript(wt_tls_conn *c, const uint8_t *ch1, size_t l1,
			   const uint8_t *hrr, size_t lh, const uint8_t *ch2, size_t l2)
{
	uint8_t mh[36] = { 254, 0, 0, 32 };
	wt_hash(WT_SHA256, ch1, l1, mh + 4);
	wt_hash_init(&c->hs->th, WT_SHA256);
	wt_hash_update(&c->hs->th, mh, 36);
	wt_hash_update(&c->hs->th, hrr, lh);
	if (ch2)
		wt_hash_update(&c->hs->th, ch2, l2);
}

static void test_hrr_5(void)
{
	static const uint16_t cg[] = { 0x001D, 0x0017 }, sg[] = { 0x0017 };
	size_t l1, lh, l2, lsh, l, n, kl;
	uint8_t *ch1 = stepv(5, 1, "ClientHello", &l1),
		*hrr = stepv(5, 3, "ServerHello", &lh);
	uint8_t *ch2 = stepv(5, 6, "ClientHello", &l2),
		*sh = stepv(5, 10, "ServerHello", &lsh);
	uint8_t *x, *out = malloc(65536);
	int pass;

	/* Client role. */
	for (pass = 0; pass < 2; pass++) {
		tpair p;
		uint8_t ent[96];
		tflight f;
		tmsg m[2];
		tmb a, b;
		size_t al, bl;
		uint8_t *ka, *kb;
		x = stepv(5, 0, "private key", &kl);
		memcpy(ent, ch1 + 6, 32);
		memcpy(ent + 32, x, 32);
		free(x);
		x = stepv(5, 5, "private key", &kl);
		memcpy(ent + 64, x, 32);
		free(x);
		client_pair(&p, cg, 2);
		client_hello(&p, ch1, l1, ent, 96, 1);
		give_step(p.c, 5, 4);
		CHECK(wt_tls_do_handshake(p.c) <= 0 &&
			      wt_tls_get_error(p.c, -1) == WT_TLS_ERROR_WANT_READ,
		      "RFC 8448 5 client: HRR accepted, ClientHello2 sent (%s)",
		      wt_tls_err_string(wt_tls_error_code(p.c)));
		wt_test_set_random(NULL, 0);
		tf_take(&f, p.c, NULL);
		CHECK(tf_msgs(&f, m, 2) == 1 && m[0].p[0] == 1, "ClientHello2");
		tm_set(&a, m[0].p, m[0].len);
		tm_set(&b, ch2, l2);
		ka = tm_ext_body(&a, EXT_COOKIE, &al);
		kb = tm_ext_body(&b, EXT_COOKIE, &bl);
		CHECK(ka && kb && al == bl && memcmp(ka, kb, al) == 0,
		      "RFC 8448 5: our ClientHello2 echoes the trace's cookie");
		ka = tm_ext_body(&a, EXT_KEY_SHARE, &al);
		kb = tm_ext_body(&b, EXT_KEY_SHARE, &bl);
		CHECK(ka && kb && al == bl && memcmp(ka, kb, al) == 0,
		      "RFC 8448 5: our ClientHello2 has the trace's P-256 share");
		CHECK(memcmp(a.b + 6, b.b + 6, 32) == 0, "ClientHello2 keeps the random");
		hrr_transcript(p.c, ch1, l1, hrr, lh, ch2, l2);
		give_step(p.c, 5, 17);
		CHECK(wt_tls_do_handshake(p.c) <= 0 &&
			      wt_tls_get_error(p.c, -1) == WT_TLS_ERROR_WANT_READ,
		      "RFC 8448 5 client: ServerHello (%s)",
		      wt_tls_err_string(wt_tls_error_code(p.c)));
		expect_step(p.c->hs->ks_h.secret, 32, 5, 12, "secret",
			    "client's handshake secret (P-256)");
		expect_step(p.c->hs->ks_h.c_hs, 32, 5, 13, "expanded",
			    "client's c hs traffic");
		expect_step(p.c->hs->ks_h.s_hs, 32, 5, 14, "expanded",
			    "client's s hs traffic");
		x = stepv(5, 24, "complete record", &l);
		if (pass == 0) {
			t_give_all(p.c, x, l);
			t_expect(p.c, SENT(WT_ALERT_UNSUPPORTED_CERTIFICATE),
				 "RFC 8448 5 client: the trace's RSA-1024 certificate is "
				 "refused");
			free(x);
			tp_free(&p);
			continue;
		}
		CHECK(client_flight(&p, x, l, 0),
		      "RFC 8448 5 client: server Finished verified (%s)",
		      wt_tls_err_string(wt_tls_error_code(p.c)));
		free(x);
		expect_step(p.c->ks_m.secret, 32, 5, 16, "secret",
			    "client's master secret");
		expect_step(p.c->ks_m.c_ap, 32, 5, 25, "expanded",
			    "client's c ap traffic");
		expect_step(p.c->ks_m.s_ap, 32, 5, 26, "expanded",
			    "client's s ap traffic");
		expect_step(p.c->ks_m.exporter, 32, 5, 27, "expanded",
			    "client's exp master");
		expect_step(p.c->ks_m.resumption, 32, 5, 48, "expanded",
			    "client's res master");
		n = t_take(p.c, out, 65536);
		x = stepv(5, 46, "complete record", &l);
		CHECK(n == l && memcmp(out, x, l) == 0,
		      "RFC 8448 5: our client Finished record byte for byte");
		free(x);
		CHECK(wt_tls_shutdown(p.c) == 0, "shutdown");
		n = t_take(p.c, out, 65536);
		x = stepv(5, 52, "complete record", &l);
		CHECK(n == l && memcmp(out, x, l) == 0,
		      "RFC 8448 5: our close_notify record byte for byte");
		free(x);
		give_step(p.c, 5, 53);
		CHECK(wt_tls_shutdown(p.c) == 1,
		      "RFC 8448 5: the server's close_notify received");
		tp_free(&p);
	}

	/* Server role. */
	{
		tpair p;
		tflight f;
		tmsg m[8];
		tmb a, b;
		size_t bl;
		uint8_t *ck, *ent = calloc(1, 32 + 64 + 512), *key, *iv, *rec;
		tp_ctx(&p);
		wt_tls_ctx_set_groups(p.sctx, sg, 1);
		tp_use_cert(p.sctx, TK_P256);
		wt_tls_ctx_set_record_size_limit(p.sctx, 16385);
		wt_tls_ctx_set_suites(p.sctx, TRACE_SERVER_SUITES, 3);
		tp_conns(&p);
		/* cookie (any), then ServerHello.random and the P-256 key. */
		memcpy(ent + 32, sh + 6, 32);
		x = stepv(5, 9, "private key", &kl);
		memcpy(ent + 64, x, 32);
		free(x);
		wt_test_set_random(ent, 32 + 64 + 512);
		give_step(p.s, 5, 2);
		CHECK(wt_tls_do_handshake(p.s) <= 0 &&
			      wt_tls_get_error(p.s, -1) == WT_TLS_ERROR_WANT_READ,
		      "RFC 8448 5 server: HRR sent (%s)",
		      wt_tls_err_string(wt_tls_error_code(p.s)));
		tf_take(&f, p.s, NULL);
		CHECK(tf_msgs(&f, m, 8) == 1 && m[0].p[0] == 2,
		      "one HRR, no CCS (empty session id)");
		tm_set(&a, m[0].p, m[0].len);
		tm_set(&b, hrr, lh);
		ck = tm_ext_body(&a, EXT_COOKIE, &bl);
		CHECK(ck && bl == 34, "our cookie: 32 bytes");
		tm_ext_drop(&a, EXT_COOKIE);
		tm_ext_drop(&b, EXT_COOKIE);
		CHECK(a.len == b.len && memcmp(a.b, b.b, a.len) == 0,
		      "RFC 8448 5: our HRR is the trace's but for the cookie's value");
		/* TEST CODE: the trace's cookie and HRR in our server's state. */
		ck = tm_ext_body(&b, EXT_COOKIE, &bl);
		tm_set(&b, hrr, lh);
		ck = tm_ext_body(&b, EXT_COOKIE, &bl);
		memcpy(p.s->hs->cookie, ck + 2, bl - 2);
		p.s->hs->cookielen = (uint32_t)(bl - 2);
		hrr_transcript(p.s, ch1, l1, hrr, lh, NULL, 0);
		give_step(p.s, 5, 7);
		CHECK(wt_tls_do_handshake(p.s) <= 0 &&
			      wt_tls_get_error(p.s, -1) == WT_TLS_ERROR_WANT_READ,
		      "RFC 8448 5 server: the trace's ClientHello2 passes the HRR rules "
		      "(%s)",
		      wt_tls_err_string(wt_tls_error_code(p.s)));
		wt_test_set_random(NULL, 0);
		n = t_take(p.s, out, 65536);
		CHECK(n > 5 + lsh && out[0] == 22 && memcmp(out + 5, sh, lsh) == 0,
		      "RFC 8448 5: our ServerHello byte for byte");
		expect_step(p.s->hs->ks_h.secret, 32, 5, 12, "secret",
			    "server's handshake secret");
		expect_step(p.s->hs->ks_h.c_hs, 32, 5, 13, "expanded",
			    "server's c hs traffic");
		expect_step(p.s->hs->ks_h.s_hs, 32, 5, 14, "expanded",
			    "server's s hs traffic");
		key = stepv(5, 18, "key expanded", &kl);
		iv = stepv(5, 18, "iv expanded", &kl);
		rec = malloc(n);
		l = open_with(out + 5 + lsh, n - 5 - lsh, key, iv, 0, rec);
		CHECK(l > 0 && rec[0] == 8,
		      "RFC 8448 5: our flight opens with the trace's server handshake "
		      "key");
		x = stepv(5, 19, "EncryptedExtensions", &kl);
		compare_ee(rec, 4 + ((size_t)rec[2] << 8 | rec[3]), x, kl,
			   "RFC 8448 5 server");
		free(x);
		free(rec);
		free(key);
		free(iv);
		give_step(p.s, 5, 46);
		t_expect(p.s, SENT(WT_ALERT_DECRYPT_ERROR),
			 "RFC 8448 5: trace client Finished at our server");
		free(ent);
		tp_free(&p);
	}
	free(ch1);
	free(hrr);
	free(ch2);
	free(sh);
	free(out);
}

/* ---- section 7: compatibility mode ------------------------------------------------ */

static void test_compat_7(void)
{
	static const uint16_t g[] = { 0x001D };
	size_t chl, shl, kl, n, l, cl;
	uint8_t *ch = stepv(7, 1, "ClientHello", &chl),
		*sh = stepv(7, 5, "ServerHello", &shl);
	uint8_t *x, *out = malloc(65536);
	int pass;
	/* Server role: ServerHello, then the dummy change_cipher_spec (D.4
	 * "immediately after its first handshake message"), byte for byte. */
	{
		tpair p;
		uint8_t *ent = calloc(1, 64 + 512), *key, *iv, *rec;
		server_pair(&p);
		memcpy(ent, sh + 6, 32);
		x = stepv(7, 4, "private key", &kl);
		memcpy(ent + 32, x, 32);
		free(x);
		wt_test_set_random(ent, 64 + 512);
		give_step(p.s, 7, 2);
		CHECK(wt_tls_do_handshake(p.s) <= 0 &&
			      wt_tls_get_error(p.s, -1) == WT_TLS_ERROR_WANT_READ,
		      "RFC 8448 7 server (%s)",
		      wt_tls_err_string(wt_tls_error_code(p.s)));
		wt_test_set_random(NULL, 0);
		n = t_take(p.s, out, 65536);
		x = stepv(7, 6, "complete record", &l);
		CHECK(n > l && memcmp(out, x, l) == 0,
		      "RFC 8448 7: our ServerHello record byte for byte");
		free(x);
		x = stepv(7, 7, "complete record", &cl);
		CHECK(n > l + cl && memcmp(out + l, x, cl) == 0,
		      "RFC 8448 7: our change_cipher_spec right after it, byte for byte");
		expect_step(p.s->hs->ks_h.c_hs, 32, 7, 10, "expanded",
			    "server's c hs traffic");
		expect_step(p.s->hs->ks_h.s_hs, 32, 7, 11, "expanded",
			    "server's s hs traffic");
		key = stepv(7, 14, "key expanded", &kl);
		iv = stepv(7, 14, "iv expanded", &kl);
		rec = malloc(n);
		CHECK(open_with(out + l + cl, n - l - cl, key, iv, 0, rec) > 0 &&
			      rec[0] == 8,
		      "RFC 8448 7: our flight opens with the trace's server handshake "
		      "key");
		free(rec);
		free(key);
		free(iv);
		free(x);
		free(ent);
		tp_free(&p);
	}
	/* Client role: a 32-byte legacy_session_id (the trace's, as entropy
	 * after the random), its CCS before the Finished. */
	compat_mode = 1;
	for (pass = 0; pass < 2; pass++) {
		tpair p;
		uint8_t ent[96];
		memcpy(ent, ch + 6, 32);
		CHECK(ch[38] == 32, "the trace's client sends a 32-byte session id");
		memcpy(ent + 32, ch + 39, 32);
		x = stepv(7, 0, "private key", &kl);
		memcpy(ent + 64, x, 32);
		free(x);
		client_pair(&p, g, 1);
		client_hello(&p, ch, chl, ent, 96, 0);
		give_step(p.c, 7, 6);
		give_step(p.c, 7, 7);
		CHECK(wt_tls_do_handshake(p.c) <= 0 &&
			      wt_tls_get_error(p.c, -1) == WT_TLS_ERROR_WANT_READ,
		      "RFC 8448 7 client: ServerHello and CCS (%s)",
		      wt_tls_err_string(wt_tls_error_code(p.c)));
		expect_step(p.c->hs->ks_h.c_hs, 32, 7, 10, "expanded",
			    "client's c hs traffic");
		expect_step(p.c->hs->ks_h.s_hs, 32, 7, 11, "expanded",
			    "client's s hs traffic");
		x = stepv(7, 20, "complete record", &l);
		if (pass == 0) {
			t_take(p.c, out, 65536);
			t_give_all(p.c, x, l);
			t_expect(p.c, SENT(WT_ALERT_UNSUPPORTED_CERTIFICATE),
				 "RFC 8448 7 client: the trace's RSA-1024 certificate is "
				 "refused");
			free(x);
			tp_free(&p);
			continue;
		}
		CHECK(client_flight(&p, x, l, 0),
		      "RFC 8448 7 client: server Finished verified (%s)",
		      wt_tls_err_string(wt_tls_error_code(p.c)));
		free(x);
		n = t_take(p.c, out, 65536);
		x = stepv(7, 38, "complete record", &kl);
		CHECK(n > kl && memcmp(out, x, kl) == 0,
		      "RFC 8448 7: our change_cipher_spec byte for byte");
		free(x);
		x = stepv(7, 43, "complete record", &l);
		CHECK(n == kl + l && memcmp(out + kl, x, l) == 0,
		      "RFC 8448 7: our client Finished record byte for byte");
		free(x);
		expect_step(p.c->ks_m.resumption, 32, 7, 45, "expanded",
			    "client's res master");
		CHECK(wt_tls_shutdown(p.c) == 0, "shutdown");
		n = t_take(p.c, out, 65536);
		x = stepv(7, 49, "complete record", &l);
		CHECK(n == l && memcmp(out, x, l) == 0,
		      "RFC 8448 7: our close_notify record byte for byte");
		free(x);
		give_step(p.c, 7, 50);
		CHECK(wt_tls_shutdown(p.c) == 1,
		      "RFC 8448 7: the server's close_notify received");
		tp_free(&p);
	}
	compat_mode = 0;
	free(ch);
	free(sh);
	free(out);
}

int main(void)
{
	json = load("rfc8448_simple_1rtt.json");
	all = load("rfc8448_all_traces.json");
	if (!json || !all) {
		printf("RFC 8448 vectors not found (set WT_RFC8448_DIR): skipped\n");
		CHECK(1, "skip");
		return t_done();
	}
	test_key_schedule();
	test_server_role_3();
	test_client_role_3();
	test_resumption_4();
	test_hrr_5();
	test_compat_7();
	free(json);
	free(all);
	return t_done();
}
