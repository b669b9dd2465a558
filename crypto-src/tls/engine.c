/*
 * engine.c: the connection object and OpenSSL's SSL object semantics,
 * implemented once over the four buffers (see wt_tls.h and
 * ARCHITECTURE.md): SSL_write(3), SSL_read(3), SSL_get_error(3),
 * SSL_shutdown(3), SSL_CTX_set_mode(3).
 *
 * The state word the host acts on is `last` (WANT_READ / WANT_WRITE / ...),
 * set by every call; the first fatal error sticks in `err` (BearSSL
 * br_ssl_engine_fail: "the first error is kept"), set by errors.c only.
 *
 * Layer "verbs" (see tls_inner.h): the verbs other than SSL_write (write.c);
 * each runs the one pump (pump.c) with the goal it waits for.
 */
#include "tls_inner.h"

/* ---- the connection object ------------------------------------------------ */

size_t wt_tls_conn_size(void)
{
	return sizeof(wt_tls_conn);
}

int wt_tls_conn_init(wt_tls_conn *c, const wt_tls_ctx *ctx, uint8_t *arena,
		     size_t arenalen)
{
	memset(c, 0, sizeof *c);
	c->ctx = ctx;
	c->role = ROLE_UNSET;
	c->verify_code = 1; /* no validation ran (yet) */
	c->mode = ctx->mode;
	c->in_cap = ctx->net_in;
	c->out_alloc = c->out_cap = ctx->net_out;
	c->hs_max = ctx->hs_max;
	wt_tls_buffers_init(c);
	c->send_frag = WT_TLS_MAX_PLAIN;
	c->recv_limit = WT_TLS_MAX_PLAIN + 1;
	if (arena != NULL)
		return wt_tls_conn_set_arena(c, arena, arenalen);
	return 0;
}

int wt_tls_conn_set_arena(wt_tls_conn *c, uint8_t *arena, size_t len)
{
	if (arena == NULL || len < wt_tls_conn_arena_size(c->ctx) || c->arena != NULL)
		return WT_TLS_ERR_NO_BUFFERS;
	c->arena = arena;
	c->arenalen = len;
	/* The expanded AEAD keys are remade in it at first use. */
	c->rd.ready = c->wr.ready = 0;
	return 0;
}

int wt_tls_conn_has_arena(const wt_tls_conn *c)
{
	return c->arena != NULL;
}

uint8_t *wt_tls_conn_release_arena(wt_tls_conn *c)
{
	uint8_t *a = c->arena;
	wt_tls_hs_trim(c);
	/* SSL_CTX_set_mode(3) RELEASE_BUFFERS: "When we no longer need a read
	 * buffer or a write buffer for a given SSL, then release the memory
	 * we were using to hold it." Only when nothing at all is held. */
	if (a == NULL || c->in_len != c->in_off || c->app_len || c->out_len ||
	    c->st_len || c->hsi_len || c->hso_len ||
	    (!c->hs_done && !wt_tls_conn_awaiting_first(c)))
		return NULL;
	/* The arena holds plaintext read and the expanded AEAD keys. */
	wt_wipe(a, c->arenalen);
	c->rd.ready = c->wr.ready = 0;
	c->arena = NULL;
	c->arenalen = 0;
	c->in_off = c->in_len = c->out_off = 0;
	return a;
}

void wt_tls_conn_free_buffers(wt_tls_conn *c)
{
	wt_keyop_free(c);
	wt_tls_hs_free(c);
	wt_tls_sess_free(c);
}

void wt_tls_conn_clear(wt_tls_conn *c)
{
	wt_ech_free(c);
	wt_keyop_free(c);
	wt_tls_hs_free(c);
	wt_tls_sess_free(c);
	if (c->arena)
		wt_wipe(c->arena, c->arenalen);
	wt_wipe(c, sizeof *c);
}

void wt_tls_set_connect_state(wt_tls_conn *c)
{
	c->role = ROLE_CLIENT;
	c->state = ST_C_START;
}
void wt_tls_set_accept_state(wt_tls_conn *c)
{
	c->role = ROLE_SERVER;
	c->state = ST_S_EXPECT_CH;
}
int wt_tls_is_server(const wt_tls_conn *c)
{
	return c->role == ROLE_UNSET ? -1 : c->role == ROLE_SERVER;
}
void wt_tls_set_mode(wt_tls_conn *c, uint32_t m)
{
	c->mode |= m;
}
void wt_tls_clear_mode(wt_tls_conn *c, uint32_t m)
{
	c->mode &= ~m;
}
uint32_t wt_tls_get_mode(const wt_tls_conn *c)
{
	return c->mode;
}

int wt_tls_set_server_name(wt_tls_conn *c, const char *name, size_t len)
{
	if (len == 0 || len > 255)
		return WT_TLS_ERR_CONFIG;
	memcpy(c->sni, name, len);
	c->snilen = (uint32_t)len;
	return 0;
}

int wt_tls_conn_set_net_out_cap(wt_tls_conn *c, size_t cap)
{
	if (cap < 1 || cap > c->out_alloc)
		return WT_TLS_ERR_CONFIG;
	c->out_cap = cap;
	return 0;
}

/* ---- network side ---------------------------------------------------------- */

uint8_t *wt_tls_net_in_buf(wt_tls_conn *c, size_t *len)
{
	uint8_t *in = c->arena;
	*len = 0;
	if (in == NULL || c->eof)
		return NULL;
	/* Compact once no application data points into the region. */
	if (c->app_len == 0 && c->in_off > 0) {
		memmove(in, in + c->in_off, c->in_len - c->in_off);
		c->in_len -= c->in_off;
		c->in_off = 0;
	}
	*len = c->in_cap - c->in_len;
	return in + c->in_len;
}

void wt_tls_net_in_ack(wt_tls_conn *c, size_t len)
{
	if (c->arena && len <= c->in_cap - c->in_len)
		c->in_len += len;
}

void wt_tls_net_in_eof(wt_tls_conn *c)
{
	c->eof = 1;
}

uint8_t *wt_tls_net_out_buf(wt_tls_conn *c, size_t *len)
{
	/* Move what the stage holds first: the host may drain more. */
	if (c->arena == NULL) {
		*len = 0;
		return NULL;
	}
	(void)wt_tls_flush(c);
	*len = c->out_len;
	return wt_tls_out(c) + c->out_off;
}

void wt_tls_net_out_ack(wt_tls_conn *c, size_t len)
{
	if (len > c->out_len)
		len = c->out_len;
	c->out_off += len;
	c->out_len -= len;
	if (c->out_len == 0)
		c->out_off = 0;
	if (c->arena) {
		(void)wt_tls_flush(c);
		/* A drained flight gives its stage back. */
		wt_tls_hs_trim(c);
	}
}

size_t wt_tls_net_out_pending(const wt_tls_conn *c)
{
	return c->out_len;
}
size_t wt_tls_net_in_pending(const wt_tls_conn *c)
{
	return c->in_len - c->in_off;
}
size_t wt_tls_pending(const wt_tls_conn *c)
{
	return c->app_len;
}

int wt_tls_get_shutdown(const wt_tls_conn *c)
{
	return (int)c->shut;
}

/* ---- SSL_do_handshake --------------------------------------------------------- */

int wt_tls_do_handshake(wt_tls_conn *c)
{
	int r;
	if (!wt_tls_enter(c))
		return -1;
	r = wt_tls_pump(c, PUMP_HANDSHAKE);
	if (r > 0) {
		/* SSL_key_update(3): "Alternatively SSL_do_handshake() can be
		 * called to force the update to take place immediately." */
		if (wt_tls_post_send(c))
			return -1;
		/* SSL_do_handshake completes when our last flight is out. */
		if (!wt_tls_flush(c)) {
			c->last = WT_TLS_ERROR_WANT_WRITE;
			return -1;
		}
		c->last = WT_TLS_ERROR_NONE;
		return 1;
	}
	/* SSL_do_handshake(3): 0 only when the handshake "was shut down
	 * controlled" (close_notify during it); < 0 on a fatal error or when
	 * "action is needed to continue the operation" (WANT_*). */
	return (r == 0 && c->last == WT_TLS_ERROR_ZERO_RETURN) ? 0 : -1;
}

/* ---- SSL_read ------------------------------------------------------------------ */

/* The plaintext is copied to buf, or (view not NULL) *view points at it
 * in the receive buffer, where the record was opened in place. Chosen by
 * view, so SSL_read_ex(c, NULL, 0, ...) stays a copy of nothing. */
static int read_core(wt_tls_conn *c, uint8_t *buf, size_t len, size_t *readbytes,
		     const uint8_t **view, int peek)
{
	int r;
	size_t n;
	*readbytes = 0;
	if (!wt_tls_enter(c))
		return 0;
	/* Every record buffered before application data is processed in one
	 * go, so the KeyUpdates among them get one answer, sealed here as
	 * the call returns (post.c). */
	r = wt_tls_pump(c, PUMP_APPDATA);
	if (r >= 0 && c->hs_done) {
		if (wt_tls_post_send(c))
			return 0;
		(void)wt_tls_flush(c);
	}
	if (r <= 0)
		return 0;
	n = len < c->app_len ? len : c->app_len;
	if (view != NULL)
		*view = wt_tls_in(c) + c->app_off;
	else
		memcpy(buf, wt_tls_in(c) + c->app_off, n);
	if (!peek) {
		c->app_off += n;
		c->app_len -= n;
	}
	*readbytes = n;
	c->last = WT_TLS_ERROR_NONE;
	return 1;
}

int wt_tls_read_ex(wt_tls_conn *c, uint8_t *buf, size_t len, size_t *readbytes)
{
	return read_core(c, buf, len, readbytes, NULL, 0);
}

int wt_tls_peek_ex(wt_tls_conn *c, uint8_t *buf, size_t len, size_t *readbytes)
{
	return read_core(c, buf, len, readbytes, NULL, 1);
}

int wt_tls_read_view(wt_tls_conn *c, size_t len, size_t *readbytes, const uint8_t **view,
		     int peek)
{
	*view = NULL;
	return read_core(c, NULL, len, readbytes, view, peek);
}

int wt_tls_read(wt_tls_conn *c, uint8_t *buf, size_t len)
{
	size_t n;
	if (len > 0x7FFFFFFF)
		len = 0x7FFFFFFF;
	if (read_core(c, buf, len, &n, NULL, 0))
		return (int)n;
	return wt_tls_get_error(c, 0) == WT_TLS_ERROR_ZERO_RETURN ? 0 : -1;
}

/* ---- SSL_shutdown ---------------------------------------------------------------- */

int wt_tls_shutdown(wt_tls_conn *c)
{
	int r;
	if (!wt_tls_enter(c))
		return -1;
	if (!c->hs_done) {
		/* SSL_shutdown(3) is for an established connection; a
		 * shutdown during the handshake is refused (OpenSSL:
		 * SSL_R_SHUTDOWN_WHILE_IN_INIT). */
		c->transient = WT_TLS_ERR_PROTOCOL_SHUTDOWN;
		return -1;
	}
	if (!(c->shut & SHUT_SENT)) {
		/* No KeyUpdate after this: none is owed without application
		 * data to follow (RFC 8446 4.6.3). */
		c->shut |= SHUT_SENT;
		if (wt_tls_send_alert(c, 1, WT_ALERT_CLOSE_NOTIFY))
			return -1;
		c->close_pending = 1;
	}
	if (!wt_tls_flush(c)) {
		c->last = WT_TLS_ERROR_WANT_WRITE;
		return -1;
	}
	if (c->close_pending) {
		/* The close_notify is out, on this call or on the repeat of
		 * one that returned WANT_WRITE. SSL_shutdown(3): with a
		 * nonblocking BIO "The calling process then must repeat the
		 * call after taking appropriate action to satisfy the needs of
		 * SSL_shutdown()" - the repeat finishes that same step (as
		 * OpenSSL's re-dispatch of its pending alert does), so its
		 * answer is the first step's: 0 "the close_notify was sent but
		 * the peer did not send it back yet", 1 when the peer's was
		 * received. Only a later call waits for the peer (BoGo
		 * Shutdown-Shim-KeyUpdate-TLS-Async). */
		c->close_pending = 0;
		c->last = WT_TLS_ERROR_NONE;
		return (c->shut & SHUT_RECEIVED) ? 1 : 0;
	}
	/* Second call: wait for the peer's close_notify, discarding the
	 * application data that comes before it (the app asked to close). */
	r = wt_tls_pump(c, PUMP_CLOSE);
	if (r <= 0)
		return -1;
	c->last = WT_TLS_ERROR_NONE;
	return 1;
}

/* ---- information ------------------------------------------------------------------ */

int wt_tls_is_init_finished(const wt_tls_conn *c)
{
	return (int)c->hs_done;
}
uint32_t wt_tls_get_suite(const wt_tls_conn *c)
{
	return c->suite;
}
uint32_t wt_tls_get_group(const wt_tls_conn *c)
{
	return c->group;
}
uint32_t wt_tls_get_peer_sigalg(const wt_tls_conn *c)
{
	return c->peer_sigalg;
}
uint32_t wt_tls_get_version(const wt_tls_conn *c)
{
	return c->suite ? c->version : 0;
}
int wt_tls_session_reused(const wt_tls_conn *c)
{
	return (int)c->resumed;
}
int wt_tls_ems(const wt_tls_conn *c)
{
	return c->version == WT_TLS_VERSION_12 && c->ems;
}
int wt_tls_secure_renegotiation(const wt_tls_conn *c)
{
	return c->version == WT_TLS_VERSION_13 ||
		(c->version == WT_TLS_VERSION_12 && c->peer_reneg);
}
int wt_tls_hrr_seen(const wt_tls_conn *c)
{
	return (int)c->hrr;
}
int wt_tls_peer_authenticated(const wt_tls_conn *c)
{
	/* Only once CertificateVerify was checked (peer_auth is CERT_SEEN
	 * between Certificate and CertificateVerify). */
	return c->peer_auth == PEER_AUTH_VERIFIED;
}

const uint8_t *wt_tls_get_alpn(const wt_tls_conn *c, size_t *len)
{
	*len = c->alpnlen;
	return c->alpnlen ? c->alpn : NULL;
}

const char *wt_tls_get_server_name(const wt_tls_conn *c, size_t *len)
{
	*len = c->snilen;
	return c->snilen ? (const char *)c->sni : NULL;
}

int wt_tls_set_verify_result(wt_tls_conn *c, uint32_t alert)
{
	if (c->verify_state != VERIFY_WAITING)
		return WT_TLS_ERR_CONFIG;
	c->verify_state = VERIFY_ANSWERED;
	c->verify_alert = alert;
	return 0;
}
