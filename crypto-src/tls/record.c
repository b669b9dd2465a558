/*
 * record.c: the TLS 1.3 record layer (RFC 8446 section 5), and TLS 1.2's
 * AEAD records (RFC 5246 6.2.3.3, RFC 5288, RFC 7905): framing and
 * limits, AEAD protection with per-record nonces, the inner content type
 * and padding, sequence numbers, record_size_limit (RFC 8449), and the
 * middlebox-compatibility change_cipher_spec (RFC 8446 D.4).
 *
 * Incoming records are decrypted in place in the `in` region; their
 * application data is read from there. Outgoing records are sealed in
 * place in `stage` and moved into the bounded `out` region by
 * wt_tls_flush().
 *
 * Layer "record", a leaf (see tls_inner.h): it frames, protects and unprotects
 * records and reports what arrived (content type, bytes). It never calls
 * into the handshake, never reads handshake state and never records an
 * error on the connection: failures come back as codes, and the pump or
 * errors.c decide. What may arrive when (change_cipher_spec, plaintext
 * alerts, interleaving, application data before the handshake is done)
 * is the pump's policy (pump.c).
 */
#include "tls_inner.h"

uint32_t wt_rec_set_keys(wt_tls_conn *c, wt_tls_dir *d, const uint8_t *secret)
{
	uint8_t key[32];
	int r;
	if (secret != d->secret)
		memcpy(d->secret, secret, c->hashlen);
	r = wt_ks_traffic_keys(c->hash, d->secret, key, c->keylen, d->iv);
	/* Expanded now (a bad key fails here, not at the first record) and
	 * again from d->key whenever the arena comes back. */
	memcpy(d->key, key, sizeof d->key);
	d->alg = c->aead;
	d->keylen = c->keylen;
	d->ready = 0;
	if (r == 0 && wt_tls_aead(c, d) == NULL)
		r = -1;
	wt_wipe(key, sizeof key);
	d->seq = 0;
	d->active = 1;
	d->v12 = 0;
	d->explicit_nonce = 0;
	return r ? WT_TLS_ERR_CRYPTO_UNAVAILABLE : 0;
}

uint32_t wt_rec_set_keys12(wt_tls_conn *c, wt_tls_dir *d, const uint8_t *key,
			   const uint8_t *iv)
{
	/* RFC 5288 3: AES-GCM's "salt" is the 4-byte client/server_write_IV
	 * and each record carries its 8-byte nonce_explicit; RFC 7905 2:
	 * ChaCha20-Poly1305 has a 12-byte fixed_iv and no explicit part, the
	 * nonce made as TLS 1.3 makes it. */
	int gcm = c->aead != WT_AEAD_CHACHA20POLY1305;
	memset(d->iv, 0, sizeof d->iv);
	memcpy(d->iv, iv, gcm ? 4 : 12);
	memset(d->key, 0, sizeof d->key);
	memcpy(d->key, key, c->keylen);
	d->alg = c->aead;
	d->keylen = c->keylen;
	d->ready = 0;
	if (wt_tls_aead(c, d) == NULL)
		return WT_TLS_ERR_CRYPTO_UNAVAILABLE;
	d->seq = 0;
	d->active = 1;
	d->v12 = 1;
	d->explicit_nonce = (uint32_t)gcm;
	return 0;
}

/* TLS 1.2 per-record nonce: RFC 5288 3, salt || nonce_explicit, where we
 * send the sequence number as nonce_explicit ("may be the 64-bit sequence
 * number", and so never repeats under a key); RFC 7905 2, fixed_iv XOR
 * the padded sequence number. explicit: the 8 bytes (GCM only). */
static void nonce12(const wt_tls_dir *d, const uint8_t *explicit, uint8_t nonce[12])
{
	size_t i;
	if (d->explicit_nonce) {
		memcpy(nonce, d->iv, 4);
		memcpy(nonce + 4, explicit, 8);
		return;
	}
	memcpy(nonce, d->iv, 12);
	for (i = 0; i < 8; i++)
		nonce[4 + i] ^= (uint8_t)(d->seq >> (56 - 8 * i));
}

/* RFC 5246 6.2.3.3: additional_data = seq_num + TLSCompressed.type +
 * TLSCompressed.version + TLSCompressed.length (of the plaintext). */
static void aad12(const wt_tls_dir *d, uint32_t type, size_t n, uint8_t aad[13])
{
	wt_store64_be(aad, d->seq);
	aad[8] = (uint8_t)type;
	wt_store16_be(aad + 9, 0x0303);
	wt_store16_be(aad + 11, (uint32_t)n);
}

/* RFC 8446 5.3: "the per-record nonce is formed as follows: 1. The 64-bit
 * record sequence number is encoded in network byte order and padded to
 * the left with zeros to iv_length. 2. The padded sequence number is
 * XORed with either the static client_write_iv or server_write_iv". */
static void nonce_of(const wt_tls_dir *d, uint8_t nonce[12])
{
	uint8_t s[8];
	size_t i;
	memcpy(nonce, d->iv, 12);
	wt_store64_be(s, d->seq);
	for (i = 0; i < 8; i++)
		nonce[4 + i] ^= s[i];
}

static int stage_room(wt_tls_conn *c, size_t need)
{
	uint8_t *st = wt_tls_stage(c);
	if (c->stage_cap - c->st_len >= need)
		return 1;
	if (c->st_off > 0) {
		memmove(st, st + c->st_off, c->st_len - c->st_off);
		c->st_len -= c->st_off;
		c->st_off = 0;
	}
	return c->stage_cap - c->st_len >= need;
}

/* Where the next sealed record of need bytes goes. Once the handshake's
 * stage is gone and nothing waits in the stage, straight at the end of
 * the outgoing side when it has room: wt_tls_flush would copy it there
 * next anyway (that copy was 8 % of a bulk transfer), and the order of
 * records is kept since the stage is empty. Else into the stage; NULL
 * when that has no room. *direct says which. */
static uint8_t *record_at(wt_tls_conn *c, size_t need, int *direct)
{
	uint8_t *out;
	*direct = 0;
	if (c->hs_stage == NULL && c->arena != NULL && c->st_len == c->st_off &&
	    c->out_len + need <= c->out_cap) {
		out = wt_tls_out(c);
		if (c->out_off + c->out_len + need > c->out_alloc) {
			memmove(out, out + c->out_off, c->out_len);
			c->out_off = 0;
		}
		*direct = 1;
		return out + c->out_off + c->out_len;
	}
	if (!stage_room(c, need))
		return NULL;
	return wt_tls_stage(c) + c->st_len;
}

/* One record of n <= max fragment bytes. 0 or the failure's code. */
static uint32_t seal_one(wt_tls_conn *c, uint32_t type, uint32_t ver, const uint8_t *p,
			 size_t n)
{
	wt_tls_dir *d = &c->wr;
	size_t body = d->active ? n + 1 + WT_AEAD_TAG_LEN : n;
	uint8_t *r, nonce[12];
	int direct;
	wt_aead_ctx *a = d->active ? wt_tls_aead(c, d) : NULL;
	if (d->active && d->v12) {
		/* TLS 1.2 (RFC 5246 6.2.3.3): GenericAEADCipher {
		 * nonce_explicit, aead-ciphered content }, the header's type
		 * the real one, no inner type. */
		size_t ex = d->explicit_nonce ? 8 : 0;
		uint8_t aad[13];
		body = ex + n + WT_AEAD_TAG_LEN;
		if ((r = record_at(c, WT_TLS_HDR + body, &direct)) == NULL)
			return WT_TLS_R_HS_TOO_LARGE;
		r[0] = (uint8_t)type;
		wt_store16_be(r + 1, 0x0303);
		wt_store16_be(r + 3, (uint32_t)body);
		if (n)
			memmove(r + WT_TLS_HDR + ex, p, n);
		if (ex)
			wt_store64_be(r + WT_TLS_HDR, d->seq);
		nonce12(d, r + WT_TLS_HDR, nonce);
		aad12(d, type, n, aad);
		if (a == NULL ||
		    wt_aead_seal(a, nonce, 12, aad, 13, r + WT_TLS_HDR + ex, n,
				 r + WT_TLS_HDR + ex, r + WT_TLS_HDR + ex + n) != 0)
			return WT_TLS_ERR_INTERNAL;
		/* RFC 5246 6.1: "Sequence numbers ... may not exceed 2^64-1";
		 * TLS 1.2 has no rekeying: the connection ends first. */
		if (++d->seq == 0)
			return WT_TLS_ERR_INTERNAL;
		*(direct ? &c->out_len : &c->st_len) += WT_TLS_HDR + body;
		return 0;
	}
	/* The stage holds a whole flight by construction (buffers.c sizes
	 * it from our own messages); running out means one larger than
	 * that. */
	if ((r = record_at(c, WT_TLS_HDR + body, &direct)) == NULL)
		return WT_TLS_R_HS_TOO_LARGE;
	/* The protected records' outer version is fixed (RFC 8446 5.2); the
	 * caller picks it for plaintext ones (5.1: 0x0301 allowed for an
	 * initial ClientHello). */
	if (d->active)
		ver = 0x0303;
	r[0] = (uint8_t)(d->active ? CT_APPDATA : type);
	wt_store16_be(r + 1, ver);
	wt_store16_be(r + 3, (uint32_t)body);
	if (n)
		memmove(r + WT_TLS_HDR, p, n);
	if (d->active) {
		/* TLSInnerPlaintext: content || ContentType || zeros (no padding
		 * sent: RFC 8446 5.4 leaves the policy to us). */
		r[WT_TLS_HDR + n] = (uint8_t)type;
		nonce_of(d, nonce);
		if (a == NULL ||
		    wt_aead_seal(a, nonce, 12, r, WT_TLS_HDR, r + WT_TLS_HDR, n + 1,
				 r + WT_TLS_HDR, r + WT_TLS_HDR + n + 1) != 0)
			return WT_TLS_ERR_INTERNAL;
		/* RFC 8446 5.3: "If a TLS implementation would need to wrap a
		 * sequence number, it MUST either rekey or terminate" (post.c
		 * rekeys far earlier, at the usage limit of RFC 8446 5.5). */
		if (++d->seq == 0)
			return WT_TLS_ERR_INTERNAL;
	}
	*(direct ? &c->out_len : &c->st_len) += WT_TLS_HDR + body;
	return 0;
}

uint32_t wt_rec_seal(wt_tls_conn *c, uint32_t type, uint32_t version, const uint8_t *p,
		     size_t len)
{
	size_t frag = c->wr.active ? c->send_frag : WT_TLS_MAX_PLAIN;
	uint32_t e;
	/* Alerts and a zero-length application record are one record. */
	if (len == 0)
		return seal_one(c, type, version, p, 0);
	while (len > 0) {
		size_t n = len < frag ? len : frag;
		if ((e = seal_one(c, type, version, p, n)) != 0)
			return e;
		p += n;
		len -= n;
	}
	return 0;
}

int wt_tls_flush(wt_tls_conn *c)
{
	size_t n, room;
	uint8_t *out;
	if (c->arena == NULL)
		return c->st_len == c->st_off;
	n = c->st_len - c->st_off;
	room = c->out_cap > c->out_len ? c->out_cap - c->out_len : 0;
	if (n > room)
		n = room;
	if (n > 0) {
		out = wt_tls_out(c);
		if (c->out_off + c->out_len + n > c->out_alloc) {
			memmove(out, out + c->out_off, c->out_len);
			c->out_off = 0;
		}
		memcpy(out + c->out_off + c->out_len, wt_tls_stage(c) + c->st_off, n);
		c->out_len += n;
		c->st_off += n;
	}
	if (c->st_off == c->st_len) {
		c->st_off = c->st_len = 0;
		return 1;
	}
	return 0;
}

static int bad(wt_rec_in *r, uint32_t alert, uint32_t reason)
{
	r->alert = alert;
	r->reason = reason;
	return WT_REC_ERROR;
}

/* Drop one 0-RTT record the server does not accept (see the callers),
 * within the budget: RFC 8446 4.6.1 "Servers receiving more than
 * max_early_data_size bytes of 0-RTT data SHOULD terminate the connection
 * with an "unexpected_message" alert." len is the record's body; the
 * budget counts the whole record, header too, as BoringSSL does (see
 * WT_TLS_EARLY_SKIP_MAX): each record costs its header's work as well,
 * and an empty one is not free. */
static int skip_early(wt_tls_conn *c, size_t len, wt_rec_in *r)
{
	size_t whole = WT_TLS_HDR + len;
	if (whole > c->early_skip) {
		c->early_skip = 0;
		return bad(r, WT_ALERT_UNEXPECTED_MESSAGE, WT_TLS_R_EARLY_DATA);
	}
	c->early_skip -= (uint32_t)whole;
	return WT_REC_SKIPPED;
}

/* The content type of a TLSInnerPlaintext and the content length: the
 * last non-zero octet and its position, found in constant time over all
 * n bytes (no branch or index on the plaintext; padding may hide the
 * content's length from the network, so its length is not revealed by
 * where a scan stops). Only the two results are made public: the record
 * layer acts on them. */
static size_t inner_scan(const uint8_t *p, size_t n, uint32_t *type, uint32_t *found)
{
	uint64_t w, last = 0, m;
	uint32_t f = 0, pos = 0, t = 0, wpos = 0, nz, b;
	size_t i, nw = n & ~(size_t)7;
	/* Eight bytes per step (a byte at a time cost a third of ChaCha20 on
	 * a full record): keep the last word holding a non-zero octet and
	 * where it starts, by mask, for every word alike. */
	for (i = 0; i < nw; i += 8) {
		w = wt_load64_le(p + i);
		nz = (uint32_t)((w | (0 - w)) >> 63);
		m = (uint64_t)0 - (uint64_t)wt_barrier(nz);
		last ^= m & (last ^ w);
		wpos = WT_MUX(nz, (uint32_t)i, wpos);
		f |= nz;
	}
	/* That word's last non-zero octet (little-endian: the higher byte is
	 * the later one), eight steps whatever the word. */
	for (i = 0; i < 8; i++) {
		b = (uint32_t)(last >> (8 * i)) & 0xFF;
		nz = WT_NEQ(b, 0);
		pos = WT_MUX(nz, wpos + (uint32_t)i, pos);
		t = WT_MUX(nz, b, t);
	}
	/* The tail comes after every word: a non-zero octet there wins. */
	for (i = nw; i < n; i++) {
		nz = WT_NEQ(p[i], 0);
		pos = WT_MUX(nz, (uint32_t)i, pos);
		t = WT_MUX(nz, p[i], t);
		f |= nz;
	}
	WT_DECLASSIFY_MEM(&f, sizeof f);
	WT_DECLASSIFY_MEM(&pos, sizeof pos);
	WT_DECLASSIFY_MEM(&t, sizeof t);
	*found = f;
	*type = t;
	return pos;
}

/* A TLS 1.2 protected record (RFC 5246 6.2.3.3): every content type is
 * protected once the peer's ChangeCipherSpec switched the read side. */
static int read12(wt_tls_conn *c, wt_rec_in *rec, const uint8_t *h, uint8_t *body,
		  size_t len)
{
	wt_tls_dir *d = &c->rd;
	size_t ex = d->explicit_nonce ? 8 : 0, n;
	uint8_t nonce[12], aad[13];
	wt_aead_ctx *a;
	int r;
	uint32_t type = h[0];
	/* A record too short to hold the explicit nonce and the tag cannot
	 * authenticate: bad_record_mac, as any failed deprotection. */
	if (len < ex + WT_AEAD_TAG_LEN)
		return bad(rec, WT_ALERT_BAD_RECORD_MAC, WT_TLS_R_BAD_RECORD_MAC);
	n = len - ex - WT_AEAD_TAG_LEN;
	/* RFC 5246 6.2.3: "The length (in bytes) of the following
	 * TLSCompressed.fragment. The length MUST NOT exceed 2^14"; RFC 8449
	 * 4: in TLS 1.2 record_size_limit bounds the plaintext. Checked
	 * before the work of opening. */
	if (n > c->recv_limit)
		return bad(rec, WT_ALERT_RECORD_OVERFLOW, WT_TLS_R_RECORD_OVERFLOW);
	nonce12(d, body, nonce);
	aad12(d, type, n, aad);
	a = wt_tls_aead(c, d);
	r = a == NULL ? -1 :
			wt_aead_open(a, nonce, 12, aad, 13, body + ex, n, body + ex,
				     body + ex + n);
	WT_DECLASSIFY_MEM(&r, sizeof r);
	/* RFC 5246 6.2.3.3: "If the decryption fails, a fatal bad_record_mac
	 * alert MUST be generated." */
	if (r != 0)
		return bad(rec, WT_ALERT_BAD_RECORD_MAC, WT_TLS_R_BAD_RECORD_MAC);
	d->seq++;
	if (type != CT_APPDATA)
		WT_DECLASSIFY_MEM(body + ex, n);
	rec->type = type;
	rec->prot = 1;
	rec->body = body + ex;
	rec->len = n;
	return WT_REC_GOT;
}

int wt_rec_read(wt_tls_conn *c, wt_rec_in *rec)
{
	uint8_t *in = wt_tls_in(c), *h, *body, nonce[12];
	size_t avail = c->in_len - c->in_off, len, n;
	uint32_t type;
	int r;
	wt_aead_ctx *a;

	if (avail < WT_TLS_HDR)
		return WT_REC_NONE;
	h = in + c->in_off;
	type = h[0];
	len = (size_t)h[3] << 8 | h[4];
	/* RFC 8446 5: "If a TLS implementation receives an unexpected record
	 * type, it MUST terminate the connection with an "unexpected_message"
	 * alert." (legacy_record_version "MUST be ignored for all purposes".) */
	if (type < CT_CCS || type > CT_APPDATA)
		return bad(rec, WT_ALERT_UNEXPECTED_MESSAGE, WT_TLS_R_BAD_RECORD_TYPE);
	/* RFC 8446 5.2: "The length MUST NOT exceed 2^14 + 256 bytes. An
	 * endpoint that receives a record that exceeds this length MUST
	 * terminate the connection with a "record_overflow" alert." 5.1: a
	 * TLSPlaintext "length MUST NOT exceed 2^14 bytes". */
	if (len > WT_TLS_MAX_CIPHER ||
	    ((!c->rd.active || (type != CT_APPDATA && !c->rd.v12)) &&
	     len > WT_TLS_MAX_PLAIN && !(type == CT_APPDATA && c->early_skip)))
		return bad(rec, WT_ALERT_RECORD_OVERFLOW, WT_TLS_R_RECORD_OVERFLOW);
	if (avail < WT_TLS_HDR + len)
		return WT_REC_NONE;
	body = h + WT_TLS_HDR;
	/* The bytes stay where they are (application data is read from
	 * there); wt_tls_net_in_buf() compacts once nothing points in. */
	c->in_off += WT_TLS_HDR + len;
	rec->type = type;
	rec->prot = 0;
	rec->body = body;
	rec->len = len;

	if (c->rd.active && c->rd.v12)
		return read12(c, rec, h, body, len);
	if (!c->rd.active || type != CT_APPDATA) {
		/* 4.2.10: after a HelloRetryRequest the server "skips past early
		 * data by skipping all records with an external content type of
		 * "application_data" (indicating that they are encrypted), up to
		 * the configured max_early_data_size". */
		if (type == CT_APPDATA && c->early_skip)
			return skip_early(c, len, rec);
		/* In the clear: the pump decides whether this may come so. */
		return WT_REC_GOT;
	}

	if (len < WT_AEAD_TAG_LEN) {
		/* Too short to deprotect: a failed deprotection, which a server
		 * skipping early data skips (RFC 8446 4.2.10, below). */
		if (c->early_skip)
			return skip_early(c, len, rec);
		return bad(rec, WT_ALERT_BAD_RECORD_MAC, WT_TLS_R_BAD_RECORD_MAC);
	}
	n = len - WT_AEAD_TAG_LEN;
	nonce_of(&c->rd, nonce);
	/* RFC 8446 5.2: additional_data = the record header. "If the
	 * decryption fails, the receiver MUST terminate the connection with a
	 * "bad_record_mac" alert." */
	a = wt_tls_aead(c, &c->rd);
	r = a == NULL ?
		-1 :
		wt_aead_open(a, nonce, 12, h, WT_TLS_HDR, body, n, body, body + n);
	/* The verdict is public by design (the record is dropped or the
	 * connection fails). */
	WT_DECLASSIFY_MEM(&r, sizeof r);
	if (r != 0) {
		/* RFC 8446 4.2.10: a server ignoring "early_data" "skips past
		 * early data by attempting to deprotect received records using
		 * the handshake traffic key, discarding records which fail
		 * deprotection (up to the configured max_early_data_size)." */
		if (c->early_skip)
			return skip_early(c, len, rec);
		return bad(rec, WT_ALERT_BAD_RECORD_MAC, WT_TLS_R_BAD_RECORD_MAC);
	}
	/* "Once a record is deprotected successfully, it is treated as the
	 * start of the client's second flight". */
	c->early_skip = 0;
	c->rd.seq++;
	/* RFC 8446 5.4: "The length [of TLSInnerPlaintext] MUST NOT exceed
	 * 2^14 + 1 octets"; RFC 8449 4: an endpoint that has advertised a
	 * limit treats a larger record as record_overflow. */
	if (n > c->recv_limit)
		return bad(rec, WT_ALERT_RECORD_OVERFLOW, WT_TLS_R_RECORD_OVERFLOW);
	/* RFC 8446 5.4: strip the zero padding; "If a receiving implementation
	 * does not find a non-zero octet in the cleartext, it MUST terminate
	 * the connection with an "unexpected_message" alert." */
	{
		uint32_t found;
		n = inner_scan(body, n, &type, &found);
		if (!found)
			return bad(rec, WT_ALERT_UNEXPECTED_MESSAGE,
				   WT_TLS_R_NO_CONTENT_TYPE);
	}
	/* RFC 8446 5: "An implementation which receives ... a protected
	 * change_cipher_spec record MUST abort the handshake with an
	 * "unexpected_message" alert"; unknown inner types likewise (5). */
	if (type != CT_HANDSHAKE && type != CT_ALERT && type != CT_APPDATA)
		return bad(rec, WT_ALERT_UNEXPECTED_MESSAGE, WT_TLS_R_BAD_RECORD_TYPE);
	/* Handshake messages and alerts are parsed, which branches on their
	 * bytes by design (they are protocol data, not the application's);
	 * application data is only copied. */
	if (type != CT_APPDATA)
		WT_DECLASSIFY_MEM(body, n);
	rec->type = type;
	rec->prot = 1;
	rec->len = n;
	return WT_REC_GOT;
}
