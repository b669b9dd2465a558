/*
 * handshake.c: what client and server share - the handshake driver,
 * message reassembly and dispatch, the extension-block walker, and the
 * authentication messages (Certificate, CertificateVerify, Finished;
 * RFC 8446 4.4).
 *
 * Handlers see whole handshake messages only (BearSSL's jump_handshake):
 * the record layer appends fragments to hs_in and calls wt_hs_dispatch().
 *
 * Throughout the handshake code, a message or extension that does not
 * parse (a vector running past its end, a length outside the range its
 * definition gives, bytes left over) fails with RFC 8446 6.2
 * "decode_error: A message could not be decoded because some field was
 * out of the specified range or the length of the message was
 * incorrect"; a well-formed value that is not acceptable with
 * "illegal_parameter: A field in the handshake was incorrect or
 * inconsistent with other fields".
 */
#include "tls_inner.h"
#include "wt_x509.h"

uint32_t wt_hs_max_frag(const wt_tls_conn *c) { return c->send_frag; }

size_t wt_hs_out_room(const wt_tls_conn *c)
{
	return c->hs_max + 4096 - c->hso_len;
}

int wt_hs_run(wt_tls_conn *c)
{
	int r;
	for (;;) {
		if (c->err)
			return -1;
		/* Our flight goes out before we wait for the peer's answer.
		 * Once done, what is still staged (our Finished, application
		 * records) is the caller's to flush: a pending write must see
		 * its retry checked, not a WANT_WRITE from here. */
		if (!wt_tls_flush(c) && !c->hs_done) {
			c->last = WT_TLS_ERROR_WANT_WRITE;
			return 0;
		}
		if (c->hs_done)
			return 1;
		if (c->role == 1 && c->state == ST_C_START) {
			if (wt_hs_client_start(c))
				return -1;
			continue;
		}
		/* A message left waiting for the host's verification answer. */
		if (c->verify_state == 2 && c->hsi_len > 0) {
			if (wt_hs_dispatch(c))
				return -1;
			continue;
		}
		if (c->verify_state == 1) {
			c->last = WT_TLS_ERROR_WANT_RETRY_VERIFY;
			return 0;
		}
		if (c->shut & 2) {
			/* close_notify during the handshake. */
			c->last = WT_TLS_ERROR_ZERO_RETURN;
			return 0;
		}
		r = wt_tls_read_record(c);
		if (r < 0)
			return -1;
		if (r == 0) {
			if (c->eof) {
				c->err = WT_TLS_ERR_UNEXPECTED_EOF;
				c->reason = WT_TLS_ERR_UNEXPECTED_EOF;
				return -1;
			}
			c->last = WT_TLS_ERROR_WANT_READ;
			return 0;
		}
	}
}

int wt_hs_dispatch(wt_tls_conn *c)
{
	uint8_t *hs = wt_tls_hsin(c);
	while (!c->err && c->hsi_len >= 4) {
		size_t len = (size_t)hs[1] << 16 | (size_t)hs[2] << 8 | hs[3];
		uint32_t type = hs[0], epoch = c->rd_epoch;
		int r;
		if (len > c->hs_max)
			return FAIL(c, WT_ALERT_DECODE_ERROR, WT_TLS_R_HS_TOO_LARGE);
		if (c->hsi_len < 4 + len)
			break;
		/* RFC 8446 5.1: "Handshake messages MUST NOT span key changes.
		 * ... an implementation MUST verify that all messages
		 * immediately preceding a key change align with a record
		 * boundary; if not, then it MUST terminate the connection with
		 * an "unexpected_message" alert." Checked before the message is
		 * handled, so nothing goes out in answer to it: after a hello
		 * (our read key changes, or after a HelloRetryRequest the peer
		 * must wait for our answer), a Finished or a KeyUpdate, the
		 * record must end (hs_in holds the rest of the current record
		 * only, earlier messages being consumed). */
		if ((type == HS_CLIENT_HELLO || type == HS_SERVER_HELLO ||
		     type == HS_FINISHED || type == HS_KEY_UPDATE) &&
		    c->hsi_len > 4 + len)
			return FAIL(c, WT_ALERT_UNEXPECTED_MESSAGE,
				WT_TLS_R_HS_KEY_CHANGE);
		if (c->hs_done)
			r = wt_hs_post_msg(c, type, hs, 4 + len);
		else if (c->role == 1)
			r = wt_hs_client_msg(c, type, hs, 4 + len);
		else
			r = wt_hs_server_msg(c, type, hs, 4 + len);
		if (r == WT_HS_PAUSE)
			return 0;
		if (r < 0 || c->err)
			return -1;
		c->hsi_len -= 4 + len;
		memmove(hs, hs + 4 + len, c->hsi_len);
		/* The same rule, for any other message that changed the key. */
		if (epoch != c->rd_epoch && c->hsi_len > 0)
			return FAIL(c, WT_ALERT_UNEXPECTED_MESSAGE,
				WT_TLS_R_HS_KEY_CHANGE);
	}
	return 0;
}

int wt_hs_put(wt_tls_conn *c, uint32_t type, const uint8_t *body, size_t len,
	int transcript)
{
	uint8_t *m = wt_tls_hsout(c) + c->hso_len;
	if (wt_hs_out_room(c) < 4 + len)
		return FAIL(c, WT_ALERT_INTERNAL_ERROR, WT_TLS_R_HS_TOO_LARGE);
	m[0] = (uint8_t)type;
	m[1] = (uint8_t)(len >> 16);
	m[2] = (uint8_t)(len >> 8);
	m[3] = (uint8_t)len;
	if (len && body != m + 4)
		memmove(m + 4, body, len);
	if (transcript)
		wt_th_add(c, m, 4 + len);
	c->hso_len += 4 + len;
	return 0;
}


int wt_hs_flush(wt_tls_conn *c)
{
	int r = 0;
	if (c->hso_len)
		r = wt_tls_seal(c, CT_HANDSHAKE, wt_tls_hsout(c), c->hso_len);
	c->hso_len = 0;
	return r;
}

/* A writer over the free part of hs_out, 4 bytes in (the header). */
void wt_hs_writer(wt_tls_conn *c, wt_wr *w)
{
	w->buf = wt_tls_hsout(c) + c->hso_len + 4;
	w->cap = wt_hs_out_room(c) > 4 ? wt_hs_out_room(c) - 4 : 0;
	w->len = 0;
	w->overflow = 0;
}

int wt_hs_commit(wt_tls_conn *c, uint32_t type, wt_wr *w)
{
	if (w->overflow)
		return FAIL(c, WT_ALERT_INTERNAL_ERROR, WT_TLS_R_HS_TOO_LARGE);
	return wt_hs_put(c, type, w->buf, w->len, 1);
}

void wt_tls_set_suite(wt_tls_conn *c, uint32_t suite)
{
	c->suite = suite;
	(void)wt_ks_suite_params(suite, &c->hash, &c->aead, &c->keylen);
	c->hashlen = (uint32_t)wt_hash_len(c->hash);
	wt_th_select(c, c->hash);
}

/* ---- extension blocks ------------------------------------------------------ */

int wt_hs_check_ext_block(wt_tls_conn *c, wt_rd *exts, uint32_t msg)
{
	/* Every type seen in this block, known or not (a 2^16-bit map: the
	 * block can hold up to 16383 empty extensions, too many to compare
	 * pairwise). */
	uint32_t all[2048];
	uint32_t seen = 0;
	memset(all, 0, sizeof all);
	while (exts->len > 0) {
		uint32_t type;
		wt_rd body;
		size_t i;
		if (wt_rd_u16(exts, &type) || wt_rd_vec(exts, 2, &body))
			return FAIL(c, WT_ALERT_DECODE_ERROR, WT_TLS_R_DECODE);
		/* RFC 8446 4.2: "There MUST NOT be more than one extension of
		 * the same type in a given extension block." */
		if (all[type >> 5] & (1u << (type & 31)))
			return FAIL(c, WT_ALERT_ILLEGAL_PARAMETER, WT_TLS_R_DUP_EXTENSION);
		all[type >> 5] |= 1u << (type & 31);
		for (i = 0; i < wt_tls_nexts; i++)
			if (wt_tls_exts[i]->type == type)
				break;
		if (i == wt_tls_nexts) {
			/* RFC 8446 4.2: unknown extensions in a request
			 * (ClientHello, CertificateRequest, NewSessionTicket) are
			 * ignored; we never ask for one, so one in a response is
			 * unsolicited: "Upon receiving such an extension, an
			 * endpoint MUST abort the handshake with an
			 * "unsupported_extension" alert." 4.4.2: extensions in a
			 * Certificate "MUST correspond to" the request's (ours
			 * carry none a certificate entry may answer). */
			if (msg == M_SH || msg == M_HRR || msg == M_EE || msg == M_CT)
				return FAIL(c, WT_ALERT_UNSUPPORTED_EXTENSION,
					WT_TLS_R_BAD_EXTENSION);
			continue;
		}
		seen |= 1u << i;
		/* RFC 8446 4.2: "If an implementation receives an extension
		 * which it recognizes and which is not specified for the
		 * message in which it appears, it MUST abort the handshake with
		 * an "illegal_parameter" alert." */
		if (!(wt_tls_exts[i]->allowed & msg))
			return FAIL(c, WT_ALERT_ILLEGAL_PARAMETER, WT_TLS_R_BAD_EXTENSION);
		/* Responses only to what we asked (cookie in HRR excepted). */
		if (c->role == 1 && (msg & (M_SH | M_HRR | M_EE | M_CT)) &&
		    !(c->ext_sent & (1u << i)) &&
		    !(msg == M_HRR && type == EXT_COOKIE))
			return FAIL(c, WT_ALERT_UNSUPPORTED_EXTENSION,
				WT_TLS_R_BAD_EXTENSION);
		/* RFC 8446 4.2.11: "The "pre_shared_key" extension MUST be the
		 * last extension in the ClientHello ... Servers MUST check
		 * that it is the last extension and otherwise fail the
		 * handshake with an "illegal_parameter" alert." */
		if (type == EXT_PRE_SHARED_KEY && msg == M_CH && exts->len != 0)
			return FAIL(c, WT_ALERT_ILLEGAL_PARAMETER, WT_TLS_R_BAD_PSK);
		if (wt_tls_exts[i]->recv(c, msg, &body))
			return -1;
	}
	c->seen_ext[0] = seen;
	return 0;
}

int wt_hs_ext_seen(const wt_tls_conn *c, uint32_t type)
{
	size_t i;
	for (i = 0; i < wt_tls_nexts; i++)
		if (wt_tls_exts[i]->type == type)
			return (c->seen_ext[0] >> i) & 1;
	return 0;
}

void wt_ext_write_all(wt_tls_conn *c, uint32_t msg, wt_wr *w)
{
	size_t i, pos = wt_wr_open(w, 2);
	for (i = 0; i < wt_tls_nexts; i++) {
		size_t before = w->len;
		wt_tls_exts[i]->send(c, msg, w);
		if (msg == M_CH && w->len != before)
			c->ext_sent |= 1u << i;
	}
	wt_wr_close(w, pos, 2);
}

/* ---- certificates: a minimal DER walk to the SubjectPublicKeyInfo ----------- */

/* One DER header: tag byte, definite length (short form or 1-3 length
 * octets). Public data, variable time. */
static int der_hdr(wt_rd *r, uint32_t *tag, wt_rd *content, const uint8_t **start)
{
	uint32_t t, l, n, b;
	*start = r->p;
	if (wt_rd_u8(r, &t) || wt_rd_u8(r, &l))
		return -1;
	if (l & 0x80) {
		n = l & 0x7F;
		if (n == 0 || n > 3)
			return -1;
		l = 0;
		while (n--) {
			if (wt_rd_u8(r, &b))
				return -1;
			l = l << 8 | b;
		}
	}
	if (r->len < l)
		return -1;
	content->p = r->p;
	content->len = l;
	r->p += l;
	r->len -= l;
	*tag = t;
	return 0;
}

/* RFC 5280 4.1: Certificate ::= SEQUENCE { tbsCertificate, ... };
 * TBSCertificate ::= SEQUENCE { version [0] EXPLICIT OPTIONAL,
 * serialNumber, signature, issuer, validity, subject,
 * subjectPublicKeyInfo, ... }. Gives the whole SPKI element. */
int wt_tls_spki_of_cert(const uint8_t *der, size_t len, const uint8_t **spki,
	size_t *spkilen)
{
	wt_rd r = { der, len }, cert, tbs, x;
	uint32_t tag;
	const uint8_t *st;
	int i;
	if (der_hdr(&r, &tag, &cert, &st) || tag != 0x30 || r.len != 0)
		return -1;
	if (der_hdr(&cert, &tag, &tbs, &st) || tag != 0x30)
		return -1;
	if (tbs.len > 0 && tbs.p[0] == 0xA0 && der_hdr(&tbs, &tag, &x, &st))
		return -1;
	/* serialNumber, signature, issuer, validity, subject */
	for (i = 0; i < 5; i++)
		if (der_hdr(&tbs, &tag, &x, &st))
			return -1;
	if (der_hdr(&tbs, &tag, &x, &st) || tag != 0x30)
		return -1;
	*spki = st;
	*spkilen = (size_t)(x.p + x.len - st);
	return 0;
}

/* ---- Certificate ------------------------------------------------------------ */

int wt_hs_send_certificate(wt_tls_conn *c, const uint8_t *context,
	size_t ctxlen)
{
	const wt_tls_ctx *ctx = c->ctx;
	wt_wr w;
	size_t list, off = 0;
	int have = c->role == 0 || (ctx->chainlen > 0 && ctx->has_key);
	wt_hs_writer(c, &w);
	/* RFC 8446 4.4.2: opaque certificate_request_context<0..2^8-1>;
	 * CertificateEntry certificate_list<0..2^24-1>. */
	{
		size_t p = wt_wr_open(&w, 1);
		wt_wr_bytes(&w, context, ctxlen);
		wt_wr_close(&w, p, 1);
	}
	list = wt_wr_open(&w, 3);
	while (have && off < ctx->chainlen) {
		wt_rd r = { ctx->chain + off, ctx->chainlen - off }, x;
		uint32_t tag;
		const uint8_t *st;
		size_t n, p;
		if (der_hdr(&r, &tag, &x, &st))
			return FAIL(c, WT_ALERT_INTERNAL_ERROR, WT_TLS_ERR_CONFIG);
		n = (size_t)(x.p + x.len - st);
		p = wt_wr_open(&w, 3);
		wt_wr_bytes(&w, st, n);
		wt_wr_close(&w, p, 3);
		wt_wr_u16(&w, 0);       /* no CertificateEntry extensions */
		off += n;
	}
	wt_wr_close(&w, list, 3);
	c->sent_cert = have && ctx->chainlen > 0;
	return wt_hs_commit(c, HS_CERTIFICATE, &w);
}

/*
 * WT_TLS_VERIFY_CHAIN: validate the peer's chain with crypto-src/x509
 * (RFC 5280 path validation, RFC 9525 host name on a client), then the
 * pins. The verdict is kept for wt_tls_verify_code; without the callback
 * flag a failure ends the handshake here with the alert the validator
 * names (RFC 8446 6.2: bad_certificate, certificate_expired, unknown_ca,
 * ...). With it, wt_hs_verify_gate pauses so the host decides.
 */
/* The certificate_list of a Certificate message read by index, for path
 * building over every certificate sent (no array, no count limit). The
 * entries were checked by wt_hs_recv_certificate; scans go up by index,
 * so a cursor makes each step O(1). */
typedef struct {
	wt_rd list;             /* the whole certificate_list */
	wt_rd at;               /* from entry idx on */
	size_t idx;
} cert_list;

static int cert_list_get(void *ctx, size_t i, wt_x509_blob *out)
{
	cert_list *l = ctx;
	if (i < l->idx) {
		l->at = l->list;
		l->idx = 0;
	}
	while (l->at.len > 0) {
		wt_rd here = l->at, cert, exts;
		if (wt_rd_vec(&l->at, 3, &cert) || wt_rd_vec(&l->at, 2, &exts))
			return -1;
		if (l->idx == i) {
			out->der = cert.p;
			out->len = cert.len;
			l->at = here;     /* the next call may ask for it again */
			return 0;
		}
		l->idx++;
	}
	return -1;
}

static int check_chain(wt_tls_conn *c, cert_list *blobs, size_t n)
{
	const wt_tls_ctx *ctx = c->ctx;
	wt_x509_params p;
	wt_x509_result res;
	int code;
	if (ctx->verify != WT_TLS_VERIFY_CHAIN && ctx->npins == 0)
		return 0;
	memset(&p, 0, sizeof p);
	p.purpose = c->role == 1 ? WT_X509_PURPOSE_SERVER : WT_X509_PURPOSE_CLIENT;
	if (c->role == 1) {
		/* RFC 9525 6: the reference identity is the name the client
		 * meant to reach: the verify host if set, else the SNI name. */
		if (c->vhostlen > 0) {
			p.host = (const char *)c->vhost;
			p.host_len = c->vhostlen;
		} else if (c->snilen > 0) {
			p.host = (const char *)c->sni;
			p.host_len = c->snilen;
		}
	}
	memset(&res, 0, sizeof res);
	if (ctx->verify == WT_TLS_VERIFY_CHAIN) {
		code = wt_x509_verify_fn(&p, cert_list_get, blobs, n,
			(const wt_x509_store *)ctx->trust, &res);
	} else {
		/* Pins without chain validation: the leaf alone. */
		code = WT_X509_OK;
		res.path_len = 1;
		res.path[0] = 0;
	}
	if (code == WT_X509_OK && ctx->npins > 0) {
		uint32_t i;
		code = WT_X509_ERR_PIN;
		for (i = 0; i < res.path_len && code != WT_X509_OK; i++) {
			wt_x509_blob b;
			wt_x509_cert cert;
			if (cert_list_get(blobs, res.path[i], &b) == 0
			    && wt_x509_parse(&cert, b.der, b.len) == WT_X509_OK)
				code = wt_x509_check_pin(b.der, &cert, ctx->pins[0], ctx->npins);
		}
		/* ... or the anchor the path ended at. */
		if (code != WT_X509_OK && ctx->verify == WT_TLS_VERIFY_CHAIN && res.anchor >= 0) {
			size_t al;
			const uint8_t *a = wt_x509_store_get((const wt_x509_store *)ctx->trust,
				(uint32_t)res.anchor, &al);
			wt_x509_cert cert;
			if (a != NULL && wt_x509_parse(&cert, a, al) == WT_X509_OK)
				code = wt_x509_check_pin(a, &cert, ctx->pins[0], ctx->npins);
		}
	}
	c->verify_code = code;
	if (code != WT_X509_OK && !(ctx->verify_flags & WT_TLS_VERIFY_CALLBACK))
		return FAIL(c, wt_x509_err_alert(code), WT_TLS_R_CERT_REJECTED);
	return 0;
}

int wt_hs_recv_certificate(wt_tls_conn *c, const uint8_t *msg, size_t len)
{
	wt_rd r = { msg + 4, len - 4 }, ctxv, list;
	cert_list blobs;
	size_t nblobs = 0;
	int first = 1;
	if (wt_rd_vec(&r, 1, &ctxv) || wt_rd_vec(&r, 3, &list) || r.len)
		return FAIL(c, WT_ALERT_DECODE_ERROR, WT_TLS_R_DECODE);
	/* RFC 8446 4.4.2: in the handshake the server's context is empty;
	 * a client's echoes the CertificateRequest's. */
	if (c->role == 1 ? ctxv.len != 0 :
	    (ctxv.len != c->cr_contextlen ||
	     memcmp(ctxv.p, c->cr_context, ctxv.len) != 0))
		return FAIL(c, WT_ALERT_ILLEGAL_PARAMETER, WT_TLS_R_DECODE);
	if (list.len == 0) {
		/* RFC 8446 4.4.2.4: "If the server supplies an empty
		 * Certificate message, the client MUST abort the handshake with
		 * a "decode_error" alert." For a client: "the server MAY ...
		 * abort the handshake with a "certificate_required" alert". */
		if (c->role == 1)
			return FAIL(c, WT_ALERT_DECODE_ERROR, WT_TLS_R_NO_CERTIFICATE);
		if (c->ctx->client_cert & WT_TLS_CLIENT_CERT_REQUIRE)
			return FAIL(c, WT_ALERT_CERTIFICATE_REQUIRED,
				WT_TLS_R_NO_CERTIFICATE);
		return 0;
	}
	blobs.list = blobs.at = list;
	blobs.idx = 0;
	while (list.len > 0) {
		wt_rd cert, exts;
		if (wt_rd_vec(&list, 3, &cert) || wt_rd_vec(&list, 2, &exts) ||
		    cert.len == 0)
			return FAIL(c, WT_ALERT_DECODE_ERROR, WT_TLS_R_DECODE);
		if (wt_hs_check_ext_block(c, &exts, M_CT))
			return -1;
		/* RFC 8446 4.4.2: "The sender's certificate MUST come in the
		 * first CertificateEntry"; the rest may come in any order and
		 * are handed to path building as they are. */
		nblobs++;
		if (first) {
			const uint8_t *spki;
			size_t sl;
			if (wt_tls_spki_of_cert(cert.p, cert.len, &spki, &sl))
				return FAIL(c, WT_ALERT_BAD_CERTIFICATE,
					WT_TLS_R_BAD_CERTIFICATE);
			/* The same end-entity key rule as the validator's.
			 * RFC 8446 6.2: unsupported_certificate "A certificate
			 * was of an unsupported type" (a key type or parameters
			 * we cannot use: DSA, RSA-1024, a PSS key restricted to
			 * SHA-1 ...); bad_certificate "A certificate was
			 * corrupt" (a malformed key). */
			int kr = 0;
			if (wt_x509_leaf_key(spki, sl, &c->peer_key, &kr) != WT_X509_OK)
				return FAIL(c, kr == WT_PK_ERR_KEY
					? WT_ALERT_BAD_CERTIFICATE
					: WT_ALERT_UNSUPPORTED_CERTIFICATE,
					WT_TLS_R_BAD_CERTIFICATE);
			first = 0;
		}
	}
	c->peer_auth = 2;   /* certificate seen; 1 once CertificateVerify ok */
	return check_chain(c, &blobs, nblobs);
}

/* The host's answer for WT_TLS_VERIFY_EXTERNAL: WT_HS_PAUSE until given. */
int wt_hs_verify_gate(wt_tls_conn *c)
{
	/* The host decides under EXTERNAL, and after the engine's verdict
	 * under CHAIN with the callback flag. */
	if (c->ctx->verify != WT_TLS_VERIFY_EXTERNAL &&
	    !(c->ctx->verify == WT_TLS_VERIFY_CHAIN &&
	      (c->ctx->verify_flags & WT_TLS_VERIFY_CALLBACK)))
		return 0;
	if (c->verify_state == 0) {
		c->verify_state = 1;
		return WT_HS_PAUSE;
	}
	if (c->verify_state == 1)
		return WT_HS_PAUSE;
	c->verify_state = 0;
	if (c->verify_alert != 0)
		return FAIL(c, c->verify_alert & 0xFF, WT_TLS_R_CERT_REJECTED);
	return 0;
}

const uint8_t *wt_tls_peer_cert(const wt_tls_conn *c, size_t i, size_t *len)
{
	const uint8_t *hs;
	wt_rd r, ctxv, list;
	*len = 0;
	if (c->verify_state != 1 || c->arena == NULL)
		return NULL;
	hs = c->arena + c->in_cap + c->out_alloc + c->stage_cap;
	if (c->hsi_len < 4 || hs[0] != HS_CERTIFICATE)
		return NULL;
	r.p = hs + 4;
	r.len = c->hsi_len - 4;
	if (wt_rd_vec(&r, 1, &ctxv) || wt_rd_vec(&r, 3, &list))
		return NULL;
	while (list.len > 0) {
		wt_rd cert, exts;
		if (wt_rd_vec(&list, 3, &cert) || wt_rd_vec(&list, 2, &exts))
			return NULL;
		if (i-- == 0) {
			*len = cert.len;
			return cert.p;
		}
	}
	return NULL;
}

/* ---- CertificateVerify ----------------------------------------------------- */

/* RFC 8446 4.4.3: 64 bytes of 0x20, the context string, a 0 byte, then
 * Transcript-Hash(Handshake Context, Certificate). */
static size_t cv_content(const wt_tls_conn *c, int server, uint8_t *out)
{
	static const char sctx[] = "TLS 1.3, server CertificateVerify";
	static const char cctx[] = "TLS 1.3, client CertificateVerify";
	memset(out, 0x20, 64);
	memcpy(out + 64, server ? sctx : cctx, sizeof sctx);  /* with the NUL */
	wt_th_out(c, out + 64 + sizeof sctx);
	return 64 + sizeof sctx + c->hashlen;
}

/* The key type and PSS restriction of our leaf certificate (the first of
 * ctx->chain): what the peer checks CertificateVerify against. -1 when
 * there is none or it does not parse (then only the private key decides).
 * From the AlgorithmIdentifier alone: this runs twice per server
 * handshake. */
static int own_leaf_type(const wt_tls_ctx *ctx, uint32_t *type, uint32_t *pss_hash)
{
	wt_rd r = { ctx->chain, ctx->chainlen }, x;
	uint32_t tag;
	const uint8_t *st, *spki;
	size_t sl;
	if (ctx->chainlen == 0 || der_hdr(&r, &tag, &x, &st) ||
	    wt_tls_spki_of_cert(st, (size_t)(x.p + x.len - st), &spki, &sl) ||
	    wt_pk_spki_type(spki, sl, type, pss_hash) != 0)
		return -1;
	return 0;
}

/* Pick our scheme: our preference, offered by the peer, fits the key.
 * RFC 8446 4.2.3: an rsaEncryption key signs with rsa_pss_rsae_*, an
 * id-RSASSA-PSS key with rsa_pss_pss_* only, and one whose parameters
 * name a hash only with that hash's scheme (wt_sig_privkey_fits). The
 * key in our certificate must fit as well: the peer judges the scheme by
 * it, so a PSS certificate configured with its key as a PKCS #1
 * rsaEncryption file (or the reverse) finds no scheme instead of sending
 * a signature the peer must refuse. */
static uint32_t pick_sigalg(const wt_tls_conn *c)
{
	const wt_tls_ctx *ctx = c->ctx;
	uint32_t i, ltype, lhash;
	int have_leaf = own_leaf_type(ctx, &ltype, &lhash) == 0;
	/* peer_sigalg_mask: which of ours the peer's whole list holds
	 * (ext/signature_algorithms.c); the scheme must fit our private key
	 * and the key in our leaf certificate. */
	for (i = 0; i < ctx->nsigalgs; i++)
		if (((c->peer_sigalg_mask >> i) & 1) &&
		    wt_sig_privkey_fits(ctx->sigalgs[i], &ctx->key) &&
		    (!have_leaf || wt_sig_type_fits(ctx->sigalgs[i], ltype, lhash)))
			return ctx->sigalgs[i];
	return 0;
}

uint32_t wt_hs_pick_sigalg(const wt_tls_conn *c) { return pick_sigalg(c); }

int wt_hs_send_cert_verify(wt_tls_conn *c)
{
	uint8_t content[64 + 34 + WT_HASH_MAX_LEN], sig[WT_SIG_MAX];
	size_t n = cv_content(c, c->role == 0, content), siglen = 0, p;
	uint32_t scheme = pick_sigalg(c);
	wt_wr w;
	if (scheme == 0)
		return FAIL(c, WT_ALERT_HANDSHAKE_FAILURE, WT_TLS_R_NO_SHARED_SIGALG);
	if (wt_sig_sign(&c->ctx->key, scheme, content, n, sig, &siglen) != 0)
		return FAIL(c, WT_ALERT_INTERNAL_ERROR, WT_TLS_ERR_INTERNAL);
	c->own_sigalg = scheme;
	wt_hs_writer(c, &w);
	wt_wr_u16(&w, scheme);
	p = wt_wr_open(&w, 2);
	wt_wr_bytes(&w, sig, siglen);
	wt_wr_close(&w, p, 2);
	return wt_hs_commit(c, HS_CERTIFICATE_VERIFY, &w);
}

int wt_hs_recv_cert_verify(wt_tls_conn *c, const uint8_t *msg, size_t len)
{
	uint8_t content[64 + 34 + WT_HASH_MAX_LEN];
	wt_rd r = { msg + 4, len - 4 }, sig;
	uint32_t scheme;
	size_t n;
	if (wt_rd_u16(&r, &scheme) || wt_rd_vec(&r, 2, &sig) || r.len)
		return FAIL(c, WT_ALERT_DECODE_ERROR, WT_TLS_R_DECODE);
	/* RFC 8446 4.4.3: the algorithm "MUST be one offered in the ...
	 * "signature_algorithms" extension"; PKCS #1 v1.5 never. */
	if (!wt_tls_sigalg_ok(c->ctx, scheme) ||
	    !wt_sig_pubkey_fits(scheme, &c->peer_key))
		return FAIL(c, WT_ALERT_ILLEGAL_PARAMETER, WT_TLS_R_NO_SHARED_SIGALG);
	n = cv_content(c, c->role == 1, content);
	/* RFC 8446 4.4.3: "If the verification fails, the receiver MUST
	 * terminate the handshake with a "decrypt_error" alert." */
	if (wt_sig_verify(&c->peer_key, scheme, content, n, sig.p, sig.len) != 0)
		return FAIL(c, WT_ALERT_DECRYPT_ERROR, WT_TLS_R_BAD_SIGNATURE);
	c->peer_sigalg = scheme;
	c->peer_auth = 1;
	wt_th_add(c, msg, len);
	return 0;
}

/* ---- Finished ---------------------------------------------------------------- */

int wt_hs_send_finished(wt_tls_conn *c, const uint8_t *base_key)
{
	uint8_t th[WT_HASH_MAX_LEN], vd[WT_HASH_MAX_LEN];
	wt_th_out(c, th);
	if (wt_ks_finished(c->hash, base_key, th, vd))
		return FAIL(c, WT_ALERT_INTERNAL_ERROR, WT_TLS_ERR_INTERNAL);
	return wt_hs_put(c, HS_FINISHED, vd, c->hashlen, 1);
}

int wt_hs_recv_finished(wt_tls_conn *c, const uint8_t *msg, size_t len,
	const uint8_t *base_key)
{
	uint8_t th[WT_HASH_MAX_LEN], vd[WT_HASH_MAX_LEN];
	uint32_t ok;
	if (len - 4 != c->hashlen)
		return FAIL(c, WT_ALERT_DECODE_ERROR, WT_TLS_R_DECODE);
	wt_th_out(c, th);
	if (wt_ks_finished(c->hash, base_key, th, vd))
		return FAIL(c, WT_ALERT_INTERNAL_ERROR, WT_TLS_ERR_INTERNAL);
	/* RFC 8446 4.4.4: "Recipients of Finished messages MUST verify that
	 * the contents are correct and if incorrect MUST terminate the
	 * connection with a "decrypt_error" alert." Constant-time compare. */
	ok = wt_ct_eq(vd, msg + 4, c->hashlen);
	wt_wipe(vd, sizeof vd);
	if (!WT_DECLASSIFY(ok))
		return FAIL(c, WT_ALERT_DECRYPT_ERROR, WT_TLS_R_BAD_FINISHED);
	wt_th_add(c, msg, len);
	return 0;
}

/* ---- post-handshake messages (both roles) ---------------------------------- */

int wt_hs_client_ticket(wt_tls_conn *c, const uint8_t *msg, size_t len);

int wt_hs_post_msg(wt_tls_conn *c, uint32_t type, const uint8_t *msg,
	size_t len)
{
	if (type == HS_KEY_UPDATE) {
		/* RFC 8446 4.6.3: enum { update_not_requested(0),
		 * update_requested(1) } KeyUpdateRequest; "If an implementation
		 * receives any other value, it MUST terminate the connection
		 * with an "illegal_parameter" alert." */
		if (len != 5)
			return FAIL(c, WT_ALERT_DECODE_ERROR, WT_TLS_R_DECODE);
		if (msg[4] > 1)
			return FAIL(c, WT_ALERT_ILLEGAL_PARAMETER,
				WT_TLS_R_BAD_KEY_UPDATE);
		if (wt_ks_next_traffic(c->hash, c->rd.secret) ||
		    wt_tls_set_keys(c, &c->rd, c->rd.secret))
			return -1;
		c->rd_epoch++;
		/* "If the request_update field is set to "update_requested",
		 * then the receiver MUST send a KeyUpdate of its own with
		 * request_update set to "update_not_requested" prior to sending
		 * its next Application Data record." */
		if (msg[4] == 1 && c->ku_pending == 0)
			c->ku_pending = 1;
		return 0;
	}
	if (type == HS_NEW_SESSION_TICKET && c->role == 1)
		return wt_hs_client_ticket(c, msg, len);
	/* Post-handshake authentication was not offered; anything else is
	 * out of place. */
	return FAIL(c, WT_ALERT_UNEXPECTED_MESSAGE, WT_TLS_R_UNEXPECTED_MESSAGE);
}
