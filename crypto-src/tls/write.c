/*
 * write.c: SSL_write(3), SSL_write_ex(3), SSL_write_ex2(3) over the
 * buffers (s2n's s2n_send.c): all-or-nothing or partial writes, WANT_*
 * with the retry rule checked by a digest of the consumed prefix,
 * CONCLUDE's close_notify in the same flight.
 *
 * Layer "verbs" (see tls_inner.h): runs the pump (pump.c) and post.c's
 * KeyUpdate sending; calls record.c through errors.c.
 */
#include "tls_inner.h"

/* A fast 64-bit digest of the consumed prefix of a pending write, to
 * refuse a retry with different bytes. Not a security check: it catches
 * host bugs, like OpenSSL's SSL_R_BAD_WRITE_RETRY. FNV-style, but eight
 * bytes per multiply (with a shift to fold the high bits back): a byte at
 * a time cost as much as sealing the record. Word boundaries depend on
 * where a piece starts, so the prefix is always digested in the pieces the
 * write loop sealed (see prefix_digest). */
static uint64_t fnv(uint64_t h, const uint8_t *p, size_t n)
{
	for (; n >= 8; p += 8, n -= 8) {
		h = (h ^ wt_load64_le(p)) * 0x100000001b3ull;
		h ^= h >> 32;
	}
	for (; n > 0; p++, n--)
		h = (h ^ *p) * 0x100000001b3ull;
	return h;
}
#define FNV0 0xcbf29ce484222325ull

/* The digest of buf[0..n), h being that of buf[0..off), in the pieces
 * write_ex2 seals: send_frag bytes each (fixed once the handshake is
 * done, before any write starts), so off is a multiple of it. */
static uint64_t digest_from(const wt_tls_conn *c, uint64_t h, const uint8_t *buf,
			    size_t off, size_t n)
{
	size_t k;
	while (off < n) {
		k = n - off < c->send_frag ? n - off : c->send_frag;
		h = fnv(h, buf + off, k);
		off += k;
	}
	return h;
}

static uint64_t prefix_digest(const wt_tls_conn *c, const uint8_t *buf, size_t n)
{
	return digest_from(c, FNV0, buf, 0, n);
}

static int write_records(wt_tls_conn *c, const uint8_t *buf, size_t *written);

int wt_tls_write_ex2(wt_tls_conn *c, uint32_t token, const uint8_t *buf, size_t len,
		     uint32_t flags, size_t *written)
{
	int r;
	*written = 0;
	if (!wt_tls_enter(c))
		return 0;
	r = wt_tls_pump(c, PUMP_HANDSHAKE);
	if (r <= 0)
		return 0;

	if (!c->wp_active) {
		/* A new write. SSL_write(3): after SSL_shutdown or CONCLUDE the
		 * write side is closed. OpenSSL reports this as
		 * SSL_R_PROTOCOL_IS_SHUTDOWN without failing the connection
		 * (ssl_write_internal), so a half-closed connection still reads:
		 * not sticky. */
		if (c->shut & SHUT_SENT) {
			c->transient = WT_TLS_ERR_PROTOCOL_SHUTDOWN;
			c->last = WT_TLS_ERROR_SSL;
			return 0;
		}
		c->wp_active = 1;
		c->wp_token = token;
		c->wp_len = len;
		c->wp_done = 0;
		c->wp_digest = FNV0;
		c->wp_concluding = (flags & WT_TLS_WRITE_FLAG_CONCLUDE) != 0;
	} else {
		/* SSL_write(3): "When an SSL_write() operation has to be
		 * repeated because of SSL_ERROR_WANT_READ or
		 * SSL_ERROR_WANT_WRITE, it must be repeated with the same
		 * arguments." SSL_CTX_set_mode(3) ACCEPT_MOVING_WRITE_BUFFER:
		 * the buffer may move, its contents may not. */
		/* The digest is of the caller's plaintext; whether the bytes
		 * are the same is the answer the caller gets anyway. */
		uint32_t same = prefix_digest(c, buf, c->wp_done) == c->wp_digest;
		WT_DECLASSIFY_MEM(&same, sizeof same);
		if (len != c->wp_len ||
		    (token != c->wp_token &&
		     !(c->mode & WT_TLS_MODE_ACCEPT_MOVING_WRITE_BUFFER)) ||
		    !same) {
			(void)wt_tls_fail(c, NO_ALERT, WT_TLS_ERR_BAD_WRITE_RETRY);
			return 0;
		}
	}
	/* The digest is needed only by a retry, so only when this call
	 * returns with the write unfinished: a write done in one call (the
	 * bulk of them) never pays for it (it cost 5 % of a bulk transfer). */
	{
		size_t digested = c->wp_done;
		r = write_records(c, buf, written);
		if (r == 0 && c->wp_active)
			c->wp_digest =
				digest_from(c, c->wp_digest, buf, digested, c->wp_done);
		return r;
	}
}

/* write_ex2's loop: flush, seal the next record, until all is written or
 * the outgoing side is full. */
static int write_records(wt_tls_conn *c, const uint8_t *buf, size_t *written)
{
	for (;;) {
		/* 1. What is sealed goes out first: a full outgoing side is
		 * WANT_WRITE, and the bytes already consumed stay counted in
		 * wp_done (never sent twice, never lost). */
		if (!wt_tls_flush(c)) {
			c->last = WT_TLS_ERROR_WANT_WRITE;
			return 0;
		}
		/* "A call to a write function can also cause read operations"
		 * (SSL_write(3)): records already buffered are processed (a
		 * KeyUpdate to answer, a ticket), without waiting for more;
		 * then our pending KeyUpdate, or the one the key usage limit
		 * calls for, goes before the next record. */
		if (wt_tls_pump(c, PUMP_BUFFERED) < 0 || wt_tls_post_send(c))
			return 0;
		if (!wt_tls_flush(c)) {
			c->last = WT_TLS_ERROR_WANT_WRITE;
			return 0;
		}
		/* 2. ENABLE_PARTIAL_WRITE: "SSL_write() ... return[s]
		 * successfully after a partial write", here after each
		 * completed record; the concluding close_notify is only sent
		 * when everything was written. */
		if ((c->mode & WT_TLS_MODE_ENABLE_PARTIAL_WRITE) && c->wp_done > 0 &&
		    c->wp_done < c->wp_len) {
			*written = c->wp_done;
			c->wp_active = 0;
			c->last = WT_TLS_ERROR_NONE;
			return 1;
		}
		if (c->wp_done == c->wp_len) {
			if (c->wp_concluding && !(c->shut & SHUT_SENT)) {
				/* SSL_write(3) SSL_WRITE_FLAG_CONCLUDE: close_notify
				 * in the same flight as the data. */
				c->shut |= SHUT_SENT;
				if (wt_tls_send_alert(c, 1, WT_ALERT_CLOSE_NOTIFY))
					return 0;
				continue;
			}
			*written = c->wp_len;
			c->wp_active = 0;
			c->last = WT_TLS_ERROR_NONE;
			return 1;
		}
		/* 3. Seal the next record straight from the caller's bytes. */
		{
			size_t n = c->wp_len - c->wp_done;
			if (n > c->send_frag)
				n = c->send_frag;
			if (wt_tls_seal(c, CT_APPDATA, buf + c->wp_done, n))
				return 0;
			c->ku_silent = 0; /* post.c: no longer silent */
			c->wp_done += n;
		}
	}
}

int wt_tls_write_ex(wt_tls_conn *c, uint32_t token, const uint8_t *buf, size_t len,
		    size_t *written)
{
	return wt_tls_write_ex2(c, token, buf, len, 0, written);
}

int wt_tls_write(wt_tls_conn *c, uint32_t token, const uint8_t *buf, size_t len)
{
	size_t w;
	/* SSL_write(3): "You should not call SSL_write() with num=0, it will
	 * return an error"; num is an int. Not sticky: nothing happened. */
	if (len == 0 || len > 0x7FFFFFFF) {
		c->transient = WT_TLS_ERR_BAD_LENGTH;
		c->last = WT_TLS_ERROR_SSL;
		return -1;
	}
	if (wt_tls_write_ex2(c, token, buf, len, 0, &w))
		return (int)w;
	return -1;
}
