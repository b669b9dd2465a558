/*
 * tls_mitm.h: a man in the middle for the hostile-input tests. Both ends
 * run in this process, so the tests may borrow a sender's traffic secret
 * (the engine's own structures, tls_inner.h) to open what it sent, change
 * it at the handshake-message level, and seal it again the way the
 * receiver expects: fragmented, coalesced, reordered, truncated, with
 * extra or duplicated messages and extensions. Only the test reaches into
 * the engine; the receiver under test sees ordinary records.
 */
#ifndef WT_TLS_MITM_H
#define WT_TLS_MITM_H

#include "tls_testlib.h"
#include "wt_aead.h"
#include "../../crypto-src/tls/tls_inner.h"

/* TEST CODE: a secret the engine queued for the key log (keylog on for
 * c), read without taking it from the queue; NULL when none is queued.
 * The handshake's own state (wt_tls_hss, with the handshake secrets) is
 * freed once the handshake is done, so a test that needs the client's
 * handshake traffic secret after its Finished went out reads it here. */
static inline const uint8_t *t_keylog_peek(const wt_tls_conn *c, uint32_t id)
{
	uint32_t i;
	for (i = c->kl_head; i < c->kl_n; i++)
		if (c->kl[i].id == id)
			return c->kl[i].secret;
	return NULL;
}

/* ---- record protection as a peer would apply it ----------------------- */

typedef struct {
	wt_aead_ctx aead;
	uint8_t iv[12];
	uint64_t seq;
} tkey;

/* Keys of `secret` under the suite `like` negotiated (RFC 8446 7.3). */
static inline void tk_init(tkey *k, const wt_tls_conn *like, const uint8_t *secret)
{
	uint8_t key[32];
	wt_ks_traffic_keys(like->hash, secret, key, like->keylen, k->iv);
	wt_aead_init(&k->aead, like->aead, key, like->keylen);
	k->seq = 0;
}

static inline void tk_nonce(const tkey *k, uint8_t n[12])
{
	int i;
	memcpy(n, k->iv, 12);
	for (i = 0; i < 8; i++)
		n[4 + i] ^= (uint8_t)(k->seq >> (56 - 8 * i));
}

/* A protected record whose TLSInnerPlaintext is exactly inner[0..n)
 * (content, type and padding as the caller wrote them). Returns the
 * record length written to out. */
static inline size_t tk_seal_raw(tkey *k, uint8_t outer, const uint8_t *inner, size_t n,
				 uint8_t *out)
{
	uint8_t nonce[12];
	out[0] = outer;
	out[1] = 3;
	out[2] = 3;
	out[3] = (uint8_t)((n + 16) >> 8);
	out[4] = (uint8_t)(n + 16);
	memmove(out + 5, inner, n);
	tk_nonce(k, nonce);
	wt_aead_seal(&k->aead, nonce, 12, out, 5, out + 5, n, out + 5, out + 5 + n);
	k->seq++;
	return 5 + n + 16;
}

/* content || type || pad zeros, sealed. */
static inline size_t tk_seal(tkey *k, uint8_t type, const uint8_t *p, size_t n,
			     size_t pad, uint8_t *out)
{
	uint8_t *inner = malloc(n + 1 + pad);
	size_t r;
	memcpy(inner, p, n);
	inner[n] = type;
	memset(inner + n + 1, 0, pad);
	r = tk_seal_raw(k, 23, inner, n + 1 + pad, out);
	free(inner);
	return r;
}

/* Open a whole record in place: content length (padding stripped) and
 * *type, or -1. */
static inline long tk_open(tkey *k, uint8_t *rec, size_t len, uint8_t *type)
{
	uint8_t nonce[12];
	size_t n;
	if (len < 5 + 16)
		return -1;
	n = len - 5 - 16;
	tk_nonce(k, nonce);
	if (wt_aead_open(&k->aead, nonce, 12, rec, 5, rec + 5, n, rec + 5, rec + 5 + n))
		return -1;
	k->seq++;
	while (n > 0 && rec[5 + n - 1] == 0)
		n--;
	if (n == 0)
		return -1;
	*type = rec[5 + n - 1];
	return (long)n - 1;
}

/* ---- moving bytes ------------------------------------------------------ */

/* Everything `from` has to send (its net-out drained). */
static inline size_t t_take(wt_tls_conn *from, uint8_t *buf, size_t cap)
{
	size_t n, got = 0;
	for (;;) {
		uint8_t *o = wt_tls_net_out_buf(from, &n);
		if (n == 0 || got == cap)
			break;
		if (n > cap - got)
			n = cap - got;
		memcpy(buf + got, o, n);
		wt_tls_net_out_ack(from, n);
		got += n;
	}
	return got;
}

/* Feed bytes to `to` as received ciphertext; 0 if they did not fit. */
static inline int t_give(wt_tls_conn *to, const uint8_t *p, size_t n)
{
	size_t room;
	uint8_t *in = wt_tls_net_in_buf(to, &room);
	if (room < n)
		return 0;
	memcpy(in, p, n);
	wt_tls_net_in_ack(to, n);
	return 1;
}

static inline int t_poke(wt_tls_conn *c);

/* Like t_give, but when the incoming side is full, let `to` process
 * what it has and go on (for long runs of tiny records). */
static inline void t_give_all(wt_tls_conn *to, const uint8_t *p, size_t n)
{
	int spins = 0;
	while (n > 0 && spins < 1000) {
		size_t room;
		uint8_t *in = wt_tls_net_in_buf(to, &room);
		if (room > n)
			room = n;
		if (room == 0) {
			(void)t_poke(to);
			spins++;
			continue;
		}
		memcpy(in, p, room);
		wt_tls_net_in_ack(to, room);
		p += room;
		n -= room;
	}
}

/* A plaintext record (any type and length the caller likes). */
static inline void t_give_plain(wt_tls_conn *to, uint8_t type, const uint8_t *p, size_t n)
{
	uint8_t *r = malloc(n + 5);
	r[0] = type;
	r[1] = 3;
	r[2] = 3;
	r[3] = (uint8_t)(n >> 8);
	r[4] = (uint8_t)n;
	if (n)
		memcpy(r + 5, p, n);
	t_give_all(to, r, n + 5);
	free(r);
}

/* data as records of at most frag bytes (0: 16384), protected with k if
 * k is not NULL, else plaintext. */
static inline void t_give_frag(wt_tls_conn *to, tkey *k, uint8_t type, const uint8_t *p,
			       size_t n, size_t frag)
{
	uint8_t *r = malloc(16384 + 5 + 1 + 16);
	if (frag == 0)
		frag = 16384;
	while (n > 0) {
		size_t m = n < frag ? n : frag, rl;
		if (k) {
			rl = tk_seal(k, type, p, m, 0, r);
			t_give_all(to, r, rl);
		} else {
			t_give_plain(to, type, p, m);
		}
		p += m;
		n -= m;
	}
	free(r);
}

/* ---- a flight opened up ------------------------------------------------- */

typedef struct {
	uint8_t outer, type; /* record type; inner type once opened */
	int enc;             /* 1 if it was protected and opened */
	uint8_t *p;          /* content */
	size_t len;
} trec;

#define TF_MAXREC 64
typedef struct {
	trec r[TF_MAXREC];
	size_t n;
	uint8_t wire[65536]; /* opened in place */
	size_t wirelen;
	/* Handshake bytes per epoch: [0] plaintext, [1] protected. */
	uint8_t hs[2][32768];
	size_t hslen[2];
} tflight;

/* Drain `from` and open what it sent; protected records with k (may be
 * NULL: then they stay as they are, enc 0, type 23). */
static inline void tf_take(tflight *f, wt_tls_conn *from, tkey *k)
{
	size_t off = 0;
	f->n = 0;
	f->hslen[0] = f->hslen[1] = 0;
	f->wirelen = t_take(from, f->wire, sizeof f->wire);
	while (off + 5 <= f->wirelen && f->n < TF_MAXREC) {
		size_t len = (size_t)f->wire[off + 3] << 8 | f->wire[off + 4];
		trec *r = &f->r[f->n++];
		r->outer = r->type = f->wire[off];
		r->enc = 0;
		r->p = f->wire + off + 5;
		r->len = len;
		if (r->outer == 23 && k) {
			uint8_t t;
			long m = tk_open(k, f->wire + off, 5 + len, &t);
			if (m >= 0) {
				r->enc = 1;
				r->type = t;
				r->len = (size_t)m;
			}
		}
		if (r->type == 22 && (r->enc || r->outer == 22)) {
			memcpy(f->hs[r->enc] + f->hslen[r->enc], r->p, r->len);
			f->hslen[r->enc] += r->len;
		}
		off += 5 + len;
	}
}

/* Like tf_take, but first pass the bytes on to `to` unchanged. */
static inline void tf_tap(tflight *f, wt_tls_conn *from, wt_tls_conn *to, tkey *k)
{
	static uint8_t copy[65536];
	size_t n = t_take(from, copy, sizeof copy), off = 0;
	t_give_all(to, copy, n);
	/* Parse the copy as tf_take would. */
	f->n = 0;
	f->hslen[0] = f->hslen[1] = 0;
	memcpy(f->wire, copy, n);
	f->wirelen = n;
	while (off + 5 <= f->wirelen && f->n < TF_MAXREC) {
		size_t len = (size_t)f->wire[off + 3] << 8 | f->wire[off + 4];
		trec *r = &f->r[f->n++];
		r->outer = r->type = f->wire[off];
		r->enc = 0;
		r->p = f->wire + off + 5;
		r->len = len;
		if (r->outer == 23 && k) {
			uint8_t t;
			long m = tk_open(k, f->wire + off, 5 + len, &t);
			if (m >= 0) {
				r->enc = 1;
				r->type = t;
				r->len = (size_t)m;
			}
		}
		if (r->type == 22 && (r->enc || r->outer == 22)) {
			memcpy(f->hs[r->enc] + f->hslen[r->enc], r->p, r->len);
			f->hslen[r->enc] += r->len;
		}
		off += 5 + len;
	}
}

typedef struct {
	uint8_t *p; /* whole message, header included */
	size_t len;
	int enc;
} tmsg;

/* Split the handshake bytes of a flight into messages (plaintext epoch
 * first). Returns the count. */
static inline size_t tf_msgs(tflight *f, tmsg *m, size_t max)
{
	size_t n = 0;
	int e;
	for (e = 0; e < 2; e++) {
		size_t off = 0;
		while (off + 4 <= f->hslen[e] && n < max) {
			size_t l = 4 +
				((size_t)f->hs[e][off + 1] << 16 |
				 (size_t)f->hs[e][off + 2] << 8 | f->hs[e][off + 3]);
			m[n].p = f->hs[e] + off;
			m[n].len = l;
			m[n].enc = e;
			n++;
			off += l;
		}
	}
	return n;
}

/* ---- handshake messages and their extension blocks ----------------------- */

typedef struct {
	uint8_t b[8192];
	size_t len;
} tmb; /* a message being built */

static inline void tm_set(tmb *m, const uint8_t *p, size_t n)
{
	memcpy(m->b, p, n);
	m->len = n;
}

static inline void tm_fix_len(tmb *m)
{
	size_t l = m->len - 4;
	m->b[1] = (uint8_t)(l >> 16);
	m->b[2] = (uint8_t)(l >> 8);
	m->b[3] = (uint8_t)l;
}

/* Offset of the extensions block (its u16 length) in a whole message. */
static inline size_t tm_ext_off(const tmb *m)
{
	size_t o;
	switch (m->b[0]) {
	case 1: /* ClientHello: version, random, sid, suites, compression */
		o = 4 + 2 + 32;
		o += 1 + m->b[o];
		o += 2 + ((size_t)m->b[o] << 8 | m->b[o + 1]);
		o += 1 + m->b[o];
		return o;
	case 2: /* ServerHello: version, random, sid, suite, compression */
		return 4 + 2 + 32 + 1 + m->b[38] + 2 + 1;
	case 8: /* EncryptedExtensions */ return 4;
	case 13: /* CertificateRequest: context */ return 4 + 1 + m->b[4];
	}
	return 0;
}

/* Find extension type; offset of its type field or 0. */
static inline size_t tm_ext_find(const tmb *m, uint32_t type)
{
	size_t o = tm_ext_off(m), end = o + 2 + ((size_t)m->b[o] << 8 | m->b[o + 1]);
	o += 2;
	while (o + 4 <= end) {
		uint32_t t = (uint32_t)m->b[o] << 8 | m->b[o + 1];
		size_t l = (size_t)m->b[o + 2] << 8 | m->b[o + 3];
		if (t == type)
			return o;
		o += 4 + l;
	}
	return 0;
}

static inline void tm_ext_adjust(tmb *m, long delta)
{
	size_t o = tm_ext_off(m);
	size_t l = ((size_t)m->b[o] << 8 | m->b[o + 1]) + (size_t)delta;
	m->b[o] = (uint8_t)(l >> 8);
	m->b[o + 1] = (uint8_t)l;
	tm_fix_len(m);
}

/* Insert an extension at position pos of the block (0 first, -1 last). */
static inline void tm_ext_add(tmb *m, uint32_t type, const uint8_t *body, size_t blen,
			      int pos)
{
	size_t o = tm_ext_off(m), end = o + 2 + ((size_t)m->b[o] << 8 | m->b[o + 1]);
	size_t at = end;
	if (pos >= 0) {
		at = o + 2;
		while (pos-- > 0 && at < end)
			at += 4 + ((size_t)m->b[at + 2] << 8 | m->b[at + 3]);
	}
	memmove(m->b + at + 4 + blen, m->b + at, m->len - at);
	m->b[at] = (uint8_t)(type >> 8);
	m->b[at + 1] = (uint8_t)type;
	m->b[at + 2] = (uint8_t)(blen >> 8);
	m->b[at + 3] = (uint8_t)blen;
	if (blen)
		memcpy(m->b + at + 4, body, blen);
	m->len += 4 + blen;
	tm_ext_adjust(m, (long)(4 + blen));
}

/* Remove extension type (if present). */
static inline void tm_ext_drop(tmb *m, uint32_t type)
{
	size_t at = tm_ext_find(m, type), l;
	if (!at)
		return;
	l = 4 + ((size_t)m->b[at + 2] << 8 | m->b[at + 3]);
	memmove(m->b + at, m->b + at + l, m->len - at - l);
	m->len -= l;
	tm_ext_adjust(m, -(long)l);
}

/* Body of extension type (NULL if absent). */
static inline uint8_t *tm_ext_body(tmb *m, uint32_t type, size_t *blen)
{
	size_t at = tm_ext_find(m, type);
	if (!at)
		return NULL;
	*blen = (size_t)m->b[at + 2] << 8 | m->b[at + 3];
	return m->b + at + 4;
}

/* Replace the body of extension type. */
static inline void tm_ext_set(tmb *m, uint32_t type, const uint8_t *body, size_t blen)
{
	size_t at = tm_ext_find(m, type), i = 0, o;
	uint8_t tmp[4096];
	if (!at)
		return;
	/* its index, to put it back in place */
	o = tm_ext_off(m) + 2;
	while (o < at) {
		o += 4 + ((size_t)m->b[o + 2] << 8 | m->b[o + 3]);
		i++;
	}
	if (blen)
		memcpy(tmp, body, blen);
	tm_ext_drop(m, type);
	tm_ext_add(m, type, tmp, blen, (int)i);
}

/* A copy of extension type added again at the end. */
static inline void tm_ext_dup(tmb *m, uint32_t type)
{
	size_t bl;
	uint8_t tmp[4096], *b = tm_ext_body(m, type, &bl);
	if (!b)
		return;
	memcpy(tmp, b, bl);
	tm_ext_add(m, type, tmp, bl, -1);
}

/* ---- expected failures ---------------------------------------------------- */

/* One step for c: the handshake if not done, else a read. 1 success. */
static inline int t_poke(wt_tls_conn *c)
{
	uint8_t b[64];
	size_t n;
	if (!wt_tls_is_init_finished(c))
		return wt_tls_do_handshake(c) == 1;
	return wt_tls_read_ex(c, b, sizeof b, &n);
}

/* c was just fed something bad (its earlier output already drained):
 * the next call fails with error `code`; if code is a sent alert, c's
 * output is that one alert (after at most one compatibility CCS of the
 * same call), opened with c's own write key when protected; later calls
 * return the same error and send nothing. Returns 1 if all held. */
static inline int t_expect(wt_tls_conn *c, uint32_t code, const char *what)
{
	static uint8_t out[65536];
	size_t n, off = 0, last = 0, nrec = 0;
	int ok = 1, r = t_poke(c);
	CHECK(!r && wt_tls_get_error(c, 0) == WT_TLS_ERROR_SSL, "%s: fails", what);
	CHECK(wt_tls_error_code(c) == code, "%s: error %s (want %s)", what,
	      wt_tls_err_string(wt_tls_error_code(c)), wt_tls_err_string(code));
	ok = !r && wt_tls_error_code(c) == code;
	n = t_take(c, out, sizeof out);
	while (off + 5 <= n) {
		size_t l = (size_t)out[off + 3] << 8 | out[off + 4];
		if (nrec > 0 && out[last] != 20)
			ok = 0; /* only CCS may precede the alert */
		last = off;
		nrec++;
		off += 5 + l;
	}
	if (code >= WT_TLS_ERR_SEND_ALERT && code < WT_TLS_ERR_SEND_ALERT + 256) {
		uint8_t t = 0;
		long m = -1;
		CHECK(nrec >= 1 && off == n, "%s: alert sent (%zu records)", what, nrec);
		if (nrec >= 1 && c->wr.active) {
			tkey k;
			tk_init(&k, c, c->wr.secret);
			k.seq = c->wr.seq - 1;
			m = tk_open(&k, out + last, n - last, &t);
		} else if (nrec >= 1) {
			t = out[last];
			m = (long)(n - last - 5);
		}
		CHECK(m == 2 && t == 21 && out[last + 5] == 2 &&
			      out[last + 6] == (code & 0xFF),
		      "%s: the alert is fatal %u", what, code & 0xFF);
		ok &= m == 2 && t == 21 && out[last + 5] == 2 &&
			out[last + 6] == (code & 0xFF);
	} else {
		/* Nothing, but a compatibility CCS made in the same call. */
		int only_ccs = nrec == 0 || (nrec == 1 && out[0] == 20 && n == 6);
		CHECK(only_ccs, "%s: nothing sent (%zu bytes)", what, n);
		ok &= only_ccs;
	}
	CHECK(nrec <= 2, "%s: at most CCS + alert (%zu records)", what, nrec);
	/* Sticky, silent. */
	r = t_poke(c);
	CHECK(!r && wt_tls_error_code(c) == code && wt_tls_net_out_pending(c) == 0,
	      "%s: sticky and silent", what);
	return ok && nrec <= 2;
}

/* ---- a relay that refragments handshake messages -------------------------- */

static uint8_t scratch_rec[16384 + 300];

typedef struct {
	tkey dec[2], enc[2]; /* [0] handshake epoch, [1] first application */
	int have[2];
	size_t records; /* records given to the receiver */
} trelay;

/* Move everything `from` sent to `to`, each handshake message stream cut
 * into records of at most frag bytes (plaintext and protected alike);
 * other records keep their content (resealed when the relay holds the
 * key, so the receiver's sequence numbers match). Keys are picked up as
 * `from` derives them; records under keys the relay does not hold (after
 * a KeyUpdate) pass unchanged. */
/* The handshake traffic secret `from` writes with: from its handshake
 * state while it runs, else from the key log queue (keylog on). */
static inline const uint8_t *t_hs_traffic(const wt_tls_conn *from)
{
	int client = from->role == 1;
	if (from->hs)
		return client ? from->hs->ks_h.c_hs : from->hs->ks_h.s_hs;
	return t_keylog_peek(from,
			     client ? WT_TLS_KEYLOG_CLIENT_HANDSHAKE_TRAFFIC_SECRET :
				      WT_TLS_KEYLOG_SERVER_HANDSHAKE_TRAFFIC_SECRET);
}

static inline void relay(wt_tls_conn *from, wt_tls_conn *to, trelay *r, size_t frag)
{
	static uint8_t w[1 << 17], tmp[16384 + 300];
	size_t n = t_take(from, w, sizeof w), off = 0;
	int j;
	if (!r->have[0] && from->rd_epoch > 0) {
		tk_init(&r->dec[0], from, t_hs_traffic(from));
		r->enc[0] = r->dec[0];
		r->have[0] = 1;
	}
	if (!r->have[1] &&
	    (from->role == 1 ? from->state == ST_CONNECTED :
			       from->state >= ST_S_EXPECT_CERT)) {
		tk_init(&r->dec[1], from,
			from->role == 1 ? from->ks_m.c_ap : from->ks_m.s_ap);
		r->enc[1] = r->dec[1];
		r->have[1] = 1;
	}
	while (off + 5 <= n) {
		size_t len = (size_t)w[off + 3] << 8 | w[off + 4];
		uint8_t *rec = w + off;
		int done = 0;
		if (rec[0] == 22) {
			size_t k;
			for (k = 0; k < len; k += frag ? frag : len)
				r->records++;
			t_give_frag(to, NULL, 22, rec + 5, len, frag);
			done = 1;
		} else if (rec[0] == 23) {
			for (j = 1; j >= 0 && !done; j--) {
				uint8_t t;
				long m;
				if (!r->have[j])
					continue;
				memcpy(tmp, rec, 5 + len);
				m = tk_open(&r->dec[j], tmp, 5 + len, &t);
				if (m < 0)
					continue;
				if (t == 22) {
					size_t k;
					for (k = 0; k < (size_t)m;
					     k += frag ? frag : (size_t)m)
						r->records++;
					t_give_frag(to, &r->enc[j], 22, tmp + 5,
						    (size_t)m, frag);
				} else {
					size_t rl = tk_seal(&r->enc[j], t, tmp + 5,
							    (size_t)m, 0, scratch_rec);
					t_give_all(to, scratch_rec, rl);
					r->records++;
				}
				done = 1;
			}
		}
		if (!done) {
			t_give_all(to, rec, 5 + len);
			r->records++;
		}
		off += 5 + len;
	}
}

/* ---- a scene: the first flights of a handshake, opened ------------------- */

typedef struct {
	tpair p;
	tflight cf; /* the client's first flight (ClientHello) */
	tflight sf; /* the server's flight */
	tmsg cm[8], sm[16];
	size_t ncm, nsm;
	tkey sk; /* server handshake key, to seal replacements */
} tscene;

/* tp_ctx done by the caller (and any ctx settings); runs client -> CH ->
 * server -> flight, all captured, nothing delivered to the client yet. */
static inline void sc_run(tscene *s)
{
	tkey k;
	(void)wt_tls_do_handshake(s->p.c);
	tf_take(&s->cf, s->p.c, NULL);
	s->ncm = tf_msgs(&s->cf, s->cm, 8);
	t_give(s->p.s, s->cf.wire, s->cf.wirelen);
	(void)wt_tls_do_handshake(s->p.s);
	if (s->p.s->suite) {
		tk_init(&k, s->p.s, s->p.s->hs->ks_h.s_hs);
		tf_take(&s->sf, s->p.s, &k);
		tk_init(&s->sk, s->p.s, s->p.s->hs->ks_h.s_hs);
	} else {
		tf_take(&s->sf, s->p.s, NULL);
	}
	s->nsm = tf_msgs(&s->sf, s->sm, 16);
}

static inline void sc_start(tscene *s)
{
	tp_conns(&s->p);
	wt_tls_set_keylog(s->p.c, 1); /* t_keylog_peek */
	sc_run(s);
}

/* The same with a session offered. */
static inline void sc_start_with(tscene *s, const uint8_t *sess, size_t sl)
{
	tp_conns(&s->p);
	wt_tls_set_keylog(s->p.c, 1); /* t_keylog_peek */
	wt_tls_set_session(s->p.c, sess, sl);
	sc_run(s);
}

/* Deliver the server's plaintext messages as captured (records as they
 * were) up to the first protected record. */
static inline void sc_give_plain(tscene *s)
{
	size_t i;
	for (i = 0; i < s->sf.n && !(s->sf.r[i].outer == 23); i++) {
		trec *r = &s->sf.r[i];
		t_give_plain(s->p.c, r->outer, r->p, r->len);
	}
}

/* Protected handshake messages from the server, sealed anew (sequence
 * numbers continue in s->sk). */
static inline void sc_give_enc(tscene *s, const uint8_t *p, size_t n, size_t frag)
{
	t_give_frag(s->p.c, &s->sk, 22, p, n, frag);
}

#endif
