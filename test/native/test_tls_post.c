/*
 * test_tls_post.c: the established connection's own messages (RFC 8446
 * 4.6.3 KeyUpdate, 5.5 key usage limits), seen on the wire: the test
 * borrows the sender's traffic secret (tls_mitm.h), opens every record
 * it sent and follows its key generations, so a KeyUpdate counts only if
 * the records after it really are under the next key.
 */
#include "tls_mitm.h"

typedef struct {
	size_t records;     /* records opened */
	size_t kus, ku_req; /* KeyUpdate messages; of them update_requested */
	size_t max_per_key; /* most records under one key generation */
	size_t data;        /* application bytes */
	int bad;            /* a record that did not open */
} tcount;

/* Open wire[0..n) as `from` sealed it, starting at key generation
 * secret (a copy is advanced at each KeyUpdate) and sequence seq. */
static void count_wire(const wt_tls_conn *from, uint8_t *secret, uint64_t *seq,
		       size_t *per, const uint8_t *wire, size_t n, tcount *t)
{
	static uint8_t copy[1 << 20];
	size_t off = 0;
	tkey k;
	memcpy(copy, wire, n);
	tk_init(&k, from, secret);
	k.seq = *seq;
	while (off + 5 <= n) {
		size_t len = (size_t)copy[off + 3] << 8 | copy[off + 4];
		uint8_t ty = 0;
		long m = tk_open(&k, copy + off, 5 + len, &ty);
		if (m < 0) {
			t->bad++;
			break;
		}
		t->records++;
		if (++*per > t->max_per_key)
			t->max_per_key = *per;
		if (ty == 22 && m == 5 && copy[off + 5] == HS_KEY_UPDATE) {
			t->kus++;
			t->ku_req += copy[off + 9] != 0;
			wt_ks_next_traffic(from->hash, secret);
			tk_init(&k, from, secret);
			*per = 0;
		} else if (ty == 23) {
			t->data += (size_t)m;
		}
		off += 5 + len;
	}
	*seq = k.seq;
}

static void connected(tpair *p, tkey *k, uint8_t *csecret)
{
	tp_conns(p);
	CHECK(tp_handshake(p), "handshake");
	memcpy(csecret, p->c->wr.secret, p->c->hashlen);
	tk_init(k, p->c, csecret);
	k->seq = p->c->wr.seq;
}

/* RFC 8446 4.6.3: a KeyUpdate with update_requested "MUST" be answered
 * before the next application data; several that arrive together get
 * one answer (BoringSSL's rule), and a request in a later flight gets its
 * own. */
static void test_key_update_once_per_flight(void)
{
	static uint8_t wire[65536], out[65536];
	tpair p;
	tkey k;
	uint8_t csec[WT_HASH_MAX_LEN], ssec[WT_HASH_MAX_LEN], b[64];
	uint8_t ku[5] = { HS_KEY_UPDATE, 0, 0, 1, 1 };
	uint64_t sseq;
	size_t wl = 0, n, on, per = 0;
	tcount t;
	int i, round;

	tp_ctx(&p);
	connected(&p, &k, csec);
	memcpy(ssec, p.s->wr.secret, p.s->hashlen);
	sseq = p.s->wr.seq;
	for (round = 0; round < 2; round++) {
		int nku = round == 0 ? 5 : 1;
		wl = 0;
		/* nku requests, each under the key the previous one made. */
		for (i = 0; i < nku; i++) {
			wl += tk_seal(&k, 22, ku, 5, 0, wire + wl);
			wt_ks_next_traffic(p.c->hash, csec);
			tk_init(&k, p.c, csec);
		}
		wl += tk_seal(&k, 23, (const uint8_t *)"ping", 4, 0, wire + wl);
		CHECK(t_give(p.s, wire, wl), "round %d: records fit", round);
		CHECK(wt_tls_read_ex(p.s, b, sizeof b, &n) && n == 4 &&
			      memcmp(b, "ping", 4) == 0,
		      "round %d: data after %d KeyUpdates read", round, nku);
		CHECK(wt_tls_write_ex(p.s, 1, (const uint8_t *)"pong", 4, &n) == 1,
		      "round %d: server writes", round);
		on = t_take(p.s, out, sizeof out);
		memset(&t, 0, sizeof t);
		count_wire(p.s, ssec, &sseq, &per, out, on, &t);
		CHECK(t.bad == 0 && t.kus == 1 && t.ku_req == 0 && t.data == 4,
		      "round %d: %d requests in one flight, one answer before the data "
		      "(KeyUpdates %zu, requesting %zu, data %zu, unopened %d)",
		      round, nku, t.kus, t.ku_req, t.data, t.bad);
		/* The client follows the answer to the server's next key. */
		CHECK(t_give(p.c, out, on) && wt_tls_read_ex(p.c, b, sizeof b, &n) &&
			      n == 4 && memcmp(b, "pong", 4) == 0,
		      "round %d: client reads under the new key", round);
	}
	tp_free(&p);
}

/* RFC 8446 4.6.3: "an implementation which receives multiple KeyUpdates
 * while it is silent" responds "with a single update", also when the
 * requests come one call at a time (a slow transport, BoGo's
 * KeyUpdate-Requested-UnfinishedWrite); once it has sent application
 * data under the new key, the next request gets its own answer. */
static void test_key_update_while_silent(void)
{
	static uint8_t wire[4096], out[65536];
	tpair p;
	tkey k;
	uint8_t csec[WT_HASH_MAX_LEN], ssec[WT_HASH_MAX_LEN], b[64];
	uint8_t ku[5] = { HS_KEY_UPDATE, 0, 0, 1, 1 };
	uint64_t sseq;
	size_t wl, n, on = 0, per = 0;
	tcount t;
	int i;

	tp_ctx(&p);
	connected(&p, &k, csec);
	memcpy(ssec, p.s->wr.secret, p.s->hashlen);
	sseq = p.s->wr.seq;
	/* Five requests, each given and read on its own. */
	for (i = 0; i < 5; i++) {
		wl = tk_seal(&k, 22, ku, 5, 0, wire);
		wt_ks_next_traffic(p.c->hash, csec);
		tk_init(&k, p.c, csec);
		CHECK(t_give(p.s, wire, wl), "silent: request %d fits", i);
		CHECK(wt_tls_read_ex(p.s, b, sizeof b, &n) == 0 &&
			      wt_tls_get_error(p.s, 0) == WT_TLS_ERROR_WANT_READ,
		      "silent: request %d read, nothing for the app", i);
		on += t_take(p.s, out + on, sizeof out - on);
	}
	CHECK(wt_tls_write_ex(p.s, 1, (const uint8_t *)"pong", 4, &n) == 1,
	      "silent: server writes");
	on += t_take(p.s, out + on, sizeof out - on);
	memset(&t, 0, sizeof t);
	count_wire(p.s, ssec, &sseq, &per, out, on, &t);
	CHECK(t.bad == 0 && t.kus == 1 && t.ku_req == 0 && t.data == 4,
	      "silent: five requests one call at a time, one answer (KeyUpdates %zu, "
	      "data %zu, unopened %d)",
	      t.kus, t.data, t.bad);
	/* Data went out under the new key: a new request is answered. */
	wl = tk_seal(&k, 22, ku, 5, 0, wire);
	wt_ks_next_traffic(p.c->hash, csec);
	tk_init(&k, p.c, csec);
	CHECK(t_give(p.s, wire, wl), "silent: later request fits");
	(void)wt_tls_read_ex(p.s, b, sizeof b, &n);
	CHECK(wt_tls_write_ex(p.s, 1, (const uint8_t *)"pong", 4, &n) == 1,
	      "silent: server writes again");
	on = t_take(p.s, out, sizeof out);
	memset(&t, 0, sizeof t);
	count_wire(p.s, ssec, &sseq, &per, out, on, &t);
	CHECK(t.bad == 0 && t.kus == 1 && t.data == 4,
	      "silent: a request after our data gets its own answer (KeyUpdates %zu, "
	      "data %zu)",
	      t.kus, t.data);
	tp_free(&p);
}

/* RFC 8446 5.5: rekey before a key has protected its limit of records
 * (rustls pre_encrypt_action); lowered for the test, every key generation
 * on the wire must carry at most that many records, the KeyUpdate
 * included, and the peer must read everything. */
static void test_key_limit(void)
{
	static uint8_t out[1 << 16];
	tpair p;
	tkey k;
	uint8_t csec[WT_HASH_MAX_LEN], sec[WT_HASH_MAX_LEN], msg[100], got[2000];
	uint64_t seq;
	size_t n, on, per = 0, r = 0;
	tcount t;
	int i, ok = 1;

	tp_ctx(&p);
	CHECK(wt_tls_ctx_set_key_limit(p.cctx, 4) == 0, "limit set");
	connected(&p, &k, csec);
	memcpy(sec, p.c->wr.secret, p.c->hashlen);
	seq = p.c->wr.seq;
	memset(&t, 0, sizeof t);
	for (i = 0; i < 20; i++) {
		memset(msg, 'a' + i, sizeof msg);
		ok &= wt_tls_write_ex(p.c, 1, msg, sizeof msg, &n) == 1 &&
			n == sizeof msg;
		on = t_take(p.c, out, sizeof out);
		count_wire(p.c, sec, &seq, &per, out, on, &t);
		ok &= t_give(p.s, out, on);
		while (r < sizeof got && wt_tls_read_ex(p.s, got + r, sizeof got - r, &n))
			r += n;
	}
	CHECK(ok, "20 writes delivered");
	CHECK(t.bad == 0 && t.max_per_key <= 4 && t.kus >= 6 && t.ku_req == 0 &&
		      t.data == 2000,
	      "limit 4: at most 4 records per key (most %zu), %zu KeyUpdates "
	      "(not requesting: %zu requesting), %zu data bytes",
	      t.max_per_key, t.kus, t.ku_req, t.data);
	for (i = 0; i < 20 && r == sizeof got; i++)
		ok &= got[i * 100] == 'a' + i && got[i * 100 + 99] == 'a' + i;
	CHECK(r == sizeof got && ok, "the server read all 2000 bytes in order (%zu)", r);
	tp_free(&p);

	/* The defaults, typed from RFC 8446 5.5: AES-GCM 2^24.5 full records
	 * (23726566.4); ChaCha20-Poly1305 none before the sequence number
	 * would wrap. */
	{
		static const uint16_t gcm[] = { WT_TLS_AES_128_GCM_SHA256 },
				      chacha[] = { WT_TLS_CHACHA20_POLY1305_SHA256 };
		tp_ctx(&p);
		wt_tls_ctx_set_suites(p.cctx, gcm, 1);
		tp_conns(&p);
		CHECK(tp_handshake(&p) && wt_tls_key_limit(p.c) == 23726566u,
		      "AES-128-GCM: limit 2^24.5 records (%llu)",
		      (unsigned long long)wt_tls_key_limit(p.c));
		tp_free(&p);
		tp_ctx(&p);
		wt_tls_ctx_set_suites(p.cctx, chacha, 1);
		tp_conns(&p);
		CHECK(tp_handshake(&p) && wt_tls_key_limit(p.c) == UINT64_MAX,
		      "ChaCha20-Poly1305: no limit short of the sequence number");
		tp_free(&p);
	}
}

int main(void)
{
	(void)scratch_rec;
	test_key_update_once_per_flight();
	test_key_update_while_silent();
	test_key_limit();
	return t_done();
}
