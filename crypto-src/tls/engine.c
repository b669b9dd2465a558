/*
 * engine.c: the connection object and OpenSSL's SSL object semantics,
 * implemented once over the four buffers (see wt_tls.h and
 * ARCHITECTURE.md): SSL_write(3), SSL_read(3), SSL_get_error(3),
 * SSL_shutdown(3), SSL_CTX_set_mode(3).
 *
 * The state word the host acts on is `last` (WANT_READ / WANT_WRITE / ...),
 * set by every call; the first fatal error sticks in `err` (BearSSL
 * br_ssl_engine_fail: "the first error is kept").
 */
#include "tls_inner.h"

/* ---- context ------------------------------------------------------------- */

size_t wt_tls_ctx_size(void) { return sizeof(wt_tls_ctx); }

void wt_tls_ctx_init(wt_tls_ctx *ctx)
{
	/* ChaCha20-Poly1305 first: WebAssembly has no AES instructions, and
	 * constant-time AES-GCM (bitsliced AES, GHASH by masked multiplies)
	 * runs about four times slower here than SIMD ChaCha20-Poly1305
	 * (bench/aead.ts: 165 vs 731 MB/s per 16 KiB record). A client lists
	 * it first (servers that honour the client's order, as OpenSSL and
	 * Node do by default, take it); a server prefers it. BoringSSL and
	 * rustls make the same choice on hardware without AES. */
	static const uint16_t suites[] = { WT_TLS_CHACHA20_POLY1305_SHA256,
		WT_TLS_AES_128_GCM_SHA256, WT_TLS_AES_256_GCM_SHA384 };
	static const uint16_t groups[] = { WT_GROUP_X25519,
		WT_GROUP_SECP256R1, WT_GROUP_SECP384R1, WT_GROUP_X25519MLKEM768 };
	static const uint16_t sigs[] = { WT_SIG_ECDSA_SECP256R1_SHA256,
		WT_SIG_ECDSA_SECP384R1_SHA384, WT_SIG_ED25519,
		WT_SIG_RSA_PSS_RSAE_SHA256, WT_SIG_RSA_PSS_RSAE_SHA384,
		WT_SIG_RSA_PSS_RSAE_SHA512, WT_SIG_RSA_PSS_PSS_SHA256,
		WT_SIG_RSA_PSS_PSS_SHA384, WT_SIG_RSA_PSS_PSS_SHA512 };
	size_t i;
	uint32_t h, a, k;
	memset(ctx, 0, sizeof *ctx);
	/* Only what this build can do is offered. */
	for (i = 0; i < sizeof suites / sizeof suites[0]; i++)
		if (wt_ks_suite_params(suites[i], &h, &a, &k) == 0 &&
		    wt_aead_key_len(a) == k)
			ctx->suites[ctx->nsuites++] = suites[i];
	for (i = 0; i < sizeof groups / sizeof groups[0]; i++)
		if (wt_kex_supported(groups[i]))
			ctx->groups[ctx->ngroups++] = groups[i];
	for (i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		ctx->sigalgs[ctx->nsigalgs++] = sigs[i];
	ctx->mode = WT_TLS_MODE_AUTO_RETRY;
	ctx->options = WT_TLS_OP_ENABLE_MIDDLEBOX_COMPAT;
	ctx->net_in = WT_TLS_DEFAULT_NET_IN;
	ctx->net_out = WT_TLS_DEFAULT_NET_OUT;
	ctx->hs_max = WT_TLS_DEFAULT_HS_MAX;
	ctx->ticket_lifetime = 7200;
}

int wt_tls_suite_ok(const wt_tls_ctx *ctx, uint32_t s)
{
	uint32_t i;
	for (i = 0; i < ctx->nsuites; i++)
		if (ctx->suites[i] == s)
			return 1;
	return 0;
}
int wt_tls_group_ok(const wt_tls_ctx *ctx, uint32_t g)
{
	uint32_t i;
	for (i = 0; i < ctx->ngroups; i++)
		if (ctx->groups[i] == g)
			return 1;
	return 0;
}
int wt_tls_sigalg_ok(const wt_tls_ctx *ctx, uint32_t s)
{
	uint32_t i;
	for (i = 0; i < ctx->nsigalgs; i++)
		if (ctx->sigalgs[i] == s)
			return 1;
	return 0;
}

int wt_tls_ctx_set_suites(wt_tls_ctx *ctx, const uint16_t *list, size_t n)
{
	size_t i;
	uint32_t h, a, k;
	if (n == 0 || n > WT_TLS_MAX_SUITES)
		return WT_TLS_ERR_CONFIG;
	for (i = 0; i < n; i++)
		if (wt_ks_suite_params(list[i], &h, &a, &k) ||
		    wt_aead_key_len(a) != k)
			return WT_TLS_ERR_CONFIG;
	memcpy(ctx->suites, list, n * sizeof *list);
	ctx->nsuites = (uint32_t)n;
	return 0;
}

int wt_tls_ctx_set_groups(wt_tls_ctx *ctx, const uint16_t *list, size_t n)
{
	size_t i;
	if (n == 0 || n > WT_TLS_MAX_GROUPS)
		return WT_TLS_ERR_CONFIG;
	for (i = 0; i < n; i++)
		if (!wt_kex_supported(list[i]))
			return WT_TLS_ERR_CONFIG;
	memcpy(ctx->groups, list, n * sizeof *list);
	ctx->ngroups = (uint32_t)n;
	return 0;
}

int wt_tls_ctx_set_sigalgs(wt_tls_ctx *ctx, const uint16_t *list, size_t n)
{
	size_t i;
	if (n == 0 || n > WT_TLS_MAX_SIGALGS)
		return WT_TLS_ERR_CONFIG;
	for (i = 0; i < n; i++) {
		uint32_t s = list[i];
		/* RFC 8446 4.4.3: RSASSA-PKCS1-v1_5 "MUST NOT" be used in
		 * CertificateVerify; only TLS 1.3 schemes here. */
		if (!(s == 0x0403 || s == 0x0503 || s == 0x0807 ||
		      (s >= 0x0804 && s <= 0x0806) || (s >= 0x0809 && s <= 0x080B)))
			return WT_TLS_ERR_CONFIG;
	}
	memcpy(ctx->sigalgs, list, n * sizeof *list);
	ctx->nsigalgs = (uint32_t)n;
	return 0;
}

int wt_tls_ctx_set_chain(wt_tls_ctx *ctx, const uint8_t *der, size_t len)
{
	if (len == 0 || len > 0xFFFFFF)
		return WT_TLS_ERR_CONFIG;
	ctx->chain = der;
	ctx->chainlen = len;
	return 0;
}

int wt_tls_ctx_set_key(wt_tls_ctx *ctx, const uint8_t *der, size_t len)
{
	ctx->key_error[0] = 0;
	if (wt_privkey_from_der(&ctx->key, der, len) != 0) {
		/* Name what was refused: "unsupported private key type: DSA"
		 * says what to do, "bad configuration" does not. */
		const char *why = wt_pk_key_error(der, len, 1);
		const char *pre = why ? "unsupported private key type: "
			: "malformed private key (PKCS #8, PKCS #1 or SEC 1 DER)";
		size_t a = strlen(pre), b = why ? strlen(why) : 0;
		if (a + b >= sizeof ctx->key_error)
			b = sizeof ctx->key_error - 1 - a;
		memcpy(ctx->key_error, pre, a);
		memcpy(ctx->key_error + a, why ? why : "", b);
		ctx->key_error[a + b] = 0;
		wt_wipe(&ctx->key, sizeof ctx->key);
		ctx->has_key = 0;
		return WT_TLS_ERR_CONFIG;
	}
	ctx->has_key = 1;
	return 0;
}

const char *wt_tls_ctx_key_error(const wt_tls_ctx *ctx)
{
	return ctx->key_error;
}

int wt_tls_ctx_set_alpn(wt_tls_ctx *ctx, const uint8_t *wire, size_t len)
{
	size_t i = 0;
	/* RFC 7301 3.1: ProtocolName protocol_name_list<2..2^16-1>, each
	 * ProtocolName<1..2^8-1>; "Empty strings MUST NOT be included". */
	if (len > 0xFFFF)
		return WT_TLS_ERR_CONFIG;
	while (i < len) {
		if (wire[i] == 0 || i + 1 + wire[i] > len)
			return WT_TLS_ERR_CONFIG;
		i += 1 + (size_t)wire[i];
	}
	ctx->alpn = len ? wire : NULL;
	ctx->alpnlen = len;
	return 0;
}

int wt_tls_ctx_set_verify(wt_tls_ctx *ctx, uint32_t policy,
	uint32_t client_cert_flags)
{
	if (policy != WT_TLS_VERIFY_INSECURE_NO_CHAIN &&
	    policy != WT_TLS_VERIFY_EXTERNAL && policy != WT_TLS_VERIFY_CHAIN)
		return WT_TLS_ERR_CONFIG;
	if (client_cert_flags & ~(WT_TLS_CLIENT_CERT_REQUEST |
	    WT_TLS_CLIENT_CERT_REQUIRE | WT_TLS_VERIFY_CALLBACK))
		return WT_TLS_ERR_CONFIG;
	/* The callback flag refines chain validation only. */
	if ((client_cert_flags & WT_TLS_VERIFY_CALLBACK) &&
	    policy != WT_TLS_VERIFY_CHAIN)
		return WT_TLS_ERR_CONFIG;
	ctx->verify_flags = client_cert_flags & WT_TLS_VERIFY_CALLBACK;
	client_cert_flags &= ~WT_TLS_VERIFY_CALLBACK;
	if (client_cert_flags & WT_TLS_CLIENT_CERT_REQUIRE)
		client_cert_flags |= WT_TLS_CLIENT_CERT_REQUEST;
	ctx->verify = policy;
	ctx->client_cert = client_cert_flags;
	return 0;
}

int wt_tls_ctx_set_trust(wt_tls_ctx *ctx, const void *store)
{
	ctx->trust = store;
	return 0;
}

int wt_tls_ctx_add_pin(wt_tls_ctx *ctx, const uint8_t sha256[32])
{
	if (ctx->npins >= sizeof ctx->pins / sizeof ctx->pins[0])
		return WT_TLS_ERR_CONFIG;
	memcpy(ctx->pins[ctx->npins++], sha256, 32);
	return 0;
}

int wt_tls_set_verify_host(wt_tls_conn *c, const char *name, size_t len)
{
	if (len > sizeof c->vhost)
		return WT_TLS_ERR_CONFIG;
	memcpy(c->vhost, name, len);
	c->vhostlen = (uint32_t)len;
	return 0;
}

int wt_tls_verify_code(const wt_tls_conn *c)
{
	return c->verify_code;
}

int wt_tls_ctx_set_ticket_key(wt_tls_ctx *ctx, const uint8_t key[32],
	uint32_t tickets, uint32_t lifetime)
{
	/* RFC 8446 4.6.1: "Servers MUST NOT use any value greater than
	 * 604800 seconds (7 days)." */
	if (lifetime > 604800 || tickets > 16)
		return WT_TLS_ERR_CONFIG;
	memcpy(ctx->ticket_key, key, 32);
	ctx->has_ticket_key = 1;
	ctx->tickets = tickets;
	ctx->ticket_lifetime = lifetime;
	return 0;
}

void wt_tls_ctx_set_mode(wt_tls_ctx *ctx, uint32_t m) { ctx->mode |= m; }
void wt_tls_ctx_clear_mode(wt_tls_ctx *ctx, uint32_t m) { ctx->mode &= ~m; }
uint32_t wt_tls_ctx_get_mode(const wt_tls_ctx *ctx) { return ctx->mode; }
void wt_tls_ctx_set_options(wt_tls_ctx *ctx, uint32_t o) { ctx->options |= o; }
void wt_tls_ctx_clear_options(wt_tls_ctx *ctx, uint32_t o) { ctx->options &= ~o; }

int wt_tls_ctx_set_record_size_limit(wt_tls_ctx *ctx, uint32_t limit)
{
	/* RFC 8449 4: "Endpoints MUST NOT send a "record_size_limit"
	 * extension with a value smaller than 64"; in TLS 1.3 at most
	 * 2^14 + 1. */
	if (limit != 0 && (limit < 64 || limit > WT_TLS_MAX_PLAIN + 1))
		return WT_TLS_ERR_CONFIG;
	ctx->rsl = limit;
	return 0;
}

int wt_tls_ctx_set_sizes(wt_tls_ctx *ctx, size_t net_in, size_t net_out,
	size_t hs_max)
{
	/* One largest record must fit the incoming side, since records are
	 * decrypted in place. */
	if (net_in < WT_TLS_HDR + WT_TLS_MAX_CIPHER || net_out < 1 ||
	    hs_max < 4096 || hs_max > 0xFFFFFF || net_in > 0x10000000 ||
	    net_out > 0x10000000)
		return WT_TLS_ERR_CONFIG;
	ctx->net_in = net_in;
	ctx->net_out = net_out;
	ctx->hs_max = hs_max;
	return 0;
}

void wt_tls_ctx_clear(wt_tls_ctx *ctx)
{
	wt_wipe(&ctx->key, sizeof ctx->key);
	wt_wipe(ctx->ticket_key, sizeof ctx->ticket_key);
	ctx->has_key = ctx->has_ticket_key = 0;
}

/* ---- arena ---------------------------------------------------------------- */

static size_t stage_size(size_t hs_max)
{
	return hs_max + 4096 + 2 * (WT_TLS_HDR + WT_TLS_MAX_CIPHER);
}
static size_t hsin_size(size_t hs_max) { return hs_max + 4 + WT_TLS_MAX_PLAIN + 1; }
static size_t hsout_size(size_t hs_max) { return hs_max + 4096; }

size_t wt_tls_conn_arena_size(const wt_tls_ctx *ctx)
{
	return ctx->net_in + ctx->net_out + stage_size(ctx->hs_max) +
		hsin_size(ctx->hs_max) + hsout_size(ctx->hs_max);
}

uint8_t *wt_tls_in(wt_tls_conn *c) { return c->arena; }
uint8_t *wt_tls_out(wt_tls_conn *c) { return c->arena + c->in_cap; }
uint8_t *wt_tls_stage(wt_tls_conn *c) { return wt_tls_out(c) + c->out_alloc; }
uint8_t *wt_tls_hsin(wt_tls_conn *c) { return wt_tls_stage(c) + c->stage_cap; }
uint8_t *wt_tls_hsout(wt_tls_conn *c) { return wt_tls_hsin(c) + hsin_size(c->hs_max); }

size_t wt_tls_conn_size(void) { return sizeof(wt_tls_conn); }

int wt_tls_conn_init(wt_tls_conn *c, const wt_tls_ctx *ctx, uint8_t *arena,
	size_t arenalen)
{
	memset(c, 0, sizeof *c);
	c->ctx = ctx;
	c->role = -1;
	c->verify_code = 1;     /* no validation ran (yet) */
	c->mode = ctx->mode;
	c->in_cap = ctx->net_in;
	c->out_alloc = c->out_cap = ctx->net_out;
	c->stage_cap = stage_size(ctx->hs_max);
	c->hs_max = ctx->hs_max;
	c->send_frag = WT_TLS_MAX_PLAIN;
	c->recv_limit = WT_TLS_MAX_PLAIN + 1;
	if (arena != NULL)
		return wt_tls_conn_set_arena(c, arena, arenalen);
	return 0;
}

int wt_tls_conn_set_arena(wt_tls_conn *c, uint8_t *arena, size_t len)
{
	if (arena == NULL || len < wt_tls_conn_arena_size(c->ctx) ||
	    c->arena != NULL)
		return WT_TLS_ERR_NO_BUFFERS;
	c->arena = arena;
	c->arenalen = len;
	return 0;
}

int wt_tls_conn_has_arena(const wt_tls_conn *c) { return c->arena != NULL; }

uint8_t *wt_tls_conn_release_arena(wt_tls_conn *c)
{
	uint8_t *a = c->arena;
	/* SSL_CTX_set_mode(3) RELEASE_BUFFERS: "When we no longer need a read
	 * buffer or a write buffer for a given SSL, then release the memory
	 * we were using to hold it." Only when nothing at all is held. */
	if (a == NULL || c->in_len != c->in_off || c->app_len || c->out_len ||
	    c->st_len || c->hsi_len || c->hso_len || !c->hs_done)
		return NULL;
	wt_wipe(a, c->arenalen);
	c->arena = NULL;
	c->arenalen = 0;
	c->in_off = c->in_len = c->out_off = 0;
	return a;
}

void wt_tls_conn_clear(wt_tls_conn *c)
{
	if (c->arena)
		wt_wipe(c->arena, c->arenalen);
	wt_wipe(c, sizeof *c);
}

void wt_tls_set_connect_state(wt_tls_conn *c)
{
	c->role = 1;
	c->state = ST_C_START;
}
void wt_tls_set_accept_state(wt_tls_conn *c)
{
	c->role = 0;
	c->state = ST_S_EXPECT_CH;
}
int wt_tls_is_server(const wt_tls_conn *c)
{
	return c->role < 0 ? -1 : c->role == 0;
}
void wt_tls_set_mode(wt_tls_conn *c, uint32_t m) { c->mode |= m; }
void wt_tls_clear_mode(wt_tls_conn *c, uint32_t m) { c->mode &= ~m; }
uint32_t wt_tls_get_mode(const wt_tls_conn *c) { return c->mode; }

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

void wt_tls_net_in_eof(wt_tls_conn *c) { c->eof = 1; }

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
	if (c->arena)
		(void)wt_tls_flush(c);
}

size_t wt_tls_net_out_pending(const wt_tls_conn *c) { return c->out_len; }
size_t wt_tls_net_in_pending(const wt_tls_conn *c) { return c->in_len - c->in_off; }
size_t wt_tls_pending(const wt_tls_conn *c) { return c->app_len; }

/* ---- errors ----------------------------------------------------------------- */

int wt_tls_fail(wt_tls_conn *c, uint32_t alert, uint32_t reason)
{
	if (c->err)
		return -1;
	if (alert != NO_ALERT) {
		/* RFC 8446 6.2: "Upon transmission or receipt of a fatal alert
		 * message, both parties MUST immediately close the connection."
		 * Pending handshake output is dropped; the alert goes after
		 * what is already sealed. */
		c->hso_len = 0;
		c->err = WT_TLS_ERR_SEND_ALERT + alert;
		if (c->arena)
			(void)wt_tls_send_alert(c, 2, alert);
	} else {
		c->err = reason;
	}
	c->reason = reason;
	return -1;
}

uint32_t wt_tls_error_code(const wt_tls_conn *c) { return c->err; }
uint32_t wt_tls_reason(const wt_tls_conn *c) { return c->reason ? c->reason : c->transient; }

int wt_tls_get_error(const wt_tls_conn *c, int ret)
{
	/* SSL_get_error(3): "The current thread's error queue must be empty
	 * before the TLS/SSL I/O operation is attempted" - here the state is
	 * per connection and set by every call. */
	if (ret > 0)
		return WT_TLS_ERROR_NONE;
	if (c->err == WT_TLS_ERR_UNEXPECTED_EOF)
		return WT_TLS_ERROR_SYSCALL;
	if (c->err || c->transient)
		return WT_TLS_ERROR_SSL;
	return c->last;
}

int wt_tls_get_shutdown(const wt_tls_conn *c) { return (int)c->shut; }

/* Common entry: sticky error, buffers, state. 1 go on, 0 return failure. */
static int enter(wt_tls_conn *c)
{
	c->transient = 0;
	c->last = WT_TLS_ERROR_SSL;
	if (c->err) {
		/* Let the alert drain; do nothing else. */
		if (c->arena)
			(void)wt_tls_flush(c);
		return 0;
	}
	if (c->arena == NULL) {
		c->transient = WT_TLS_ERR_NO_BUFFERS;
		return 0;
	}
	if (c->role < 0) {
		/* SSL_write(3)/SSL_read(3): "If the underlying BIO is ... and
		 * SSL_set_connect_state() or SSL_set_accept_state() has not
		 * yet been called" - a clear error instead. */
		c->transient = WT_TLS_ERR_NO_STATE;
		return 0;
	}
	return 1;
}

/* Run post-handshake housekeeping: a pending KeyUpdate goes out. */
static int send_pending(wt_tls_conn *c)
{
	if (c->ku_pending && !(c->shut & 1)) {
		uint8_t m[5] = { HS_KEY_UPDATE, 0, 0, 1, 0 };
		m[4] = (uint8_t)(c->ku_pending - 1);
		c->ku_pending = 0;
		/* RFC 8446 4.6.3: the sender switches to the next generation
		 * of keys right after sending KeyUpdate. */
		if (wt_tls_seal(c, CT_HANDSHAKE, m, 5) ||
		    wt_ks_next_traffic(c->hash, c->wr.secret) ||
		    wt_tls_set_keys(c, &c->wr, c->wr.secret))
			return -1;
	}
	return 0;
}

int wt_tls_do_handshake(wt_tls_conn *c)
{
	int r;
	if (!enter(c))
		return -1;
	r = wt_hs_run(c);
	if (r > 0) {
		/* SSL_key_update(3): "Alternatively SSL_do_handshake() can be
		 * called to force the update to take place immediately." */
		if (send_pending(c))
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

int wt_tls_key_update(wt_tls_conn *c, int update_requested)
{
	if (c->err || !c->hs_done)
		return 0;
	c->ku_pending = update_requested ? 2 : 1;
	return 1;
}

/* ---- SSL_write ---------------------------------------------------------------- */

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

/* The digest of buf[0..n) in the pieces write_ex2 seals: send_frag bytes
 * each (fixed once the handshake is done, before any write starts). */
static uint64_t prefix_digest(const wt_tls_conn *c, const uint8_t *buf,
	size_t n)
{
	uint64_t h = FNV0;
	size_t off = 0, k;
	while (off < n) {
		k = n - off < c->send_frag ? n - off : c->send_frag;
		h = fnv(h, buf + off, k);
		off += k;
	}
	return h;
}

/* Process records that are already buffered, without waiting: "a call to
 * a write function can also cause read operations" (SSL_write(3)). Stops
 * at application data (left for SSL_read). */
static int absorb_incoming(wt_tls_conn *c)
{
	int r;
	while (c->app_len == 0 && !(c->shut & 2)) {
		r = wt_tls_read_record(c);
		if (r < 0)
			return -1;
		if (r != 1)
			break;
	}
	return 0;
}

static int write_fail(wt_tls_conn *c, uint32_t code)
{
	c->err = code;
	c->reason = code;
	c->last = WT_TLS_ERROR_SSL;
	return 0;
}

int wt_tls_write_ex2(wt_tls_conn *c, uint32_t token, const uint8_t *buf,
	size_t len, uint32_t flags, size_t *written)
{
	int r;
	*written = 0;
	if (!enter(c))
		return 0;
	r = wt_hs_run(c);
	if (r <= 0)
		return 0;

	if (!c->wp_active) {
		/* A new write. SSL_write(3): after SSL_shutdown or CONCLUDE the
		 * write side is closed. OpenSSL reports this as
		 * SSL_R_PROTOCOL_IS_SHUTDOWN without failing the connection
		 * (ssl_write_internal), so a half-closed connection still reads:
		 * not sticky. */
		if (c->shut & 1) {
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
		    !same)
			return write_fail(c, WT_TLS_ERR_BAD_WRITE_RETRY);
	}

	for (;;) {
		/* 1. What is sealed goes out first: a full outgoing side is
		 * WANT_WRITE, and the bytes already consumed stay counted in
		 * wp_done (never sent twice, never lost). */
		if (!wt_tls_flush(c)) {
			c->last = WT_TLS_ERROR_WANT_WRITE;
			return 0;
		}
		if (absorb_incoming(c) || send_pending(c))
			return 0;
		if (!wt_tls_flush(c)) {
			c->last = WT_TLS_ERROR_WANT_WRITE;
			return 0;
		}
		/* 2. ENABLE_PARTIAL_WRITE: "SSL_write() ... return[s]
		 * successfully after a partial write", here after each
		 * completed record; the concluding close_notify is only sent
		 * when everything was written. */
		if ((c->mode & WT_TLS_MODE_ENABLE_PARTIAL_WRITE) &&
		    c->wp_done > 0 && c->wp_done < c->wp_len) {
			*written = c->wp_done;
			c->wp_active = 0;
			c->last = WT_TLS_ERROR_NONE;
			return 1;
		}
		if (c->wp_done == c->wp_len) {
			if (c->wp_concluding && !(c->shut & 1)) {
				/* SSL_write(3) SSL_WRITE_FLAG_CONCLUDE: close_notify
				 * in the same flight as the data. */
				c->shut |= 1;
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
			c->wp_digest = fnv(c->wp_digest, buf + c->wp_done, n);
			c->wp_done += n;
		}
	}
}

int wt_tls_write_ex(wt_tls_conn *c, uint32_t token, const uint8_t *buf,
	size_t len, size_t *written)
{
	return wt_tls_write_ex2(c, token, buf, len, 0, written);
}

int wt_tls_write(wt_tls_conn *c, uint32_t token, const uint8_t *buf,
	size_t len)
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

/* ---- SSL_read ------------------------------------------------------------------ */

static int read_core(wt_tls_conn *c, uint8_t *buf, size_t len,
	size_t *readbytes, int peek)
{
	int r;
	*readbytes = 0;
	if (!enter(c))
		return 0;
	r = wt_hs_run(c);
	if (r <= 0)
		return 0;
	for (;;) {
		if (c->app_len > 0) {
			size_t n = len < c->app_len ? len : c->app_len;
			memcpy(buf, wt_tls_in(c) + c->app_off, n);
			if (!peek) {
				c->app_off += n;
				c->app_len -= n;
			}
			*readbytes = n;
			c->last = WT_TLS_ERROR_NONE;
			return 1;
		}
		if (c->shut & 2) {
			/* SSL_get_error(3) ZERO_RETURN: "The TLS/SSL peer has
			 * closed the connection for writing by sending the
			 * close_notify alert." */
			c->last = WT_TLS_ERROR_ZERO_RETURN;
			return 0;
		}
		if (send_pending(c))
			return 0;
		(void)wt_tls_flush(c);
		r = wt_tls_read_record(c);
		if (r < 0)
			return 0;
		if (r == 0) {
			if (c->eof) {
				/* Transport ended without close_notify: truncation
				 * (SSL_ERROR_SYSCALL with EOF). */
				c->err = WT_TLS_ERR_UNEXPECTED_EOF;
				c->reason = WT_TLS_ERR_UNEXPECTED_EOF;
				return 0;
			}
			c->last = WT_TLS_ERROR_WANT_READ;
			return 0;
		}
		if (r == 1 && !(c->mode & WT_TLS_MODE_AUTO_RETRY) &&
		    !(c->shut & 2)) {
			/* SSL_CTX_set_mode(3): without AUTO_RETRY, "SSL_read()
			 * ... will return with -1 and SSL_ERROR_WANT_READ" after
			 * processing non-application data. */
			if (send_pending(c))
				return 0;
			(void)wt_tls_flush(c);
			c->last = WT_TLS_ERROR_WANT_READ;
			return 0;
		}
	}
}

int wt_tls_read_ex(wt_tls_conn *c, uint8_t *buf, size_t len,
	size_t *readbytes)
{
	return read_core(c, buf, len, readbytes, 0);
}

int wt_tls_peek_ex(wt_tls_conn *c, uint8_t *buf, size_t len,
	size_t *readbytes)
{
	return read_core(c, buf, len, readbytes, 1);
}

int wt_tls_read(wt_tls_conn *c, uint8_t *buf, size_t len)
{
	size_t n;
	if (len > 0x7FFFFFFF)
		len = 0x7FFFFFFF;
	if (read_core(c, buf, len, &n, 0))
		return (int)n;
	return wt_tls_get_error(c, 0) == WT_TLS_ERROR_ZERO_RETURN ? 0 : -1;
}

/* ---- SSL_shutdown ---------------------------------------------------------------- */

int wt_tls_shutdown(wt_tls_conn *c)
{
	int r;
	if (!enter(c))
		return -1;
	if (!c->hs_done) {
		/* SSL_shutdown(3) is for an established connection; a
		 * shutdown during the handshake is refused (OpenSSL:
		 * SSL_R_SHUTDOWN_WHILE_IN_INIT). */
		c->transient = WT_TLS_ERR_PROTOCOL_SHUTDOWN;
		return -1;
	}
	if (!(c->shut & 1)) {
		c->shut |= 1;
		if (send_pending(c) || wt_tls_send_alert(c, 1, WT_ALERT_CLOSE_NOTIFY))
			return -1;
		if (!wt_tls_flush(c)) {
			c->last = WT_TLS_ERROR_WANT_WRITE;
			return -1;
		}
		/* "SSL_shutdown() ... returns 0 when the close_notify was sent
		 * ... 1 when the peer's close_notify was also received." */
		c->last = WT_TLS_ERROR_NONE;
		return (c->shut & 2) ? 1 : 0;
	}
	if (!wt_tls_flush(c)) {
		c->last = WT_TLS_ERROR_WANT_WRITE;
		return -1;
	}
	/* Second call: wait for the peer's close_notify, discarding the
	 * application data that comes before it (the app asked to close). */
	while (!(c->shut & 2)) {
		c->app_len = 0;
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
			return -1;
		}
	}
	c->app_len = 0;
	c->last = WT_TLS_ERROR_NONE;
	return 1;
}

/* ---- information ------------------------------------------------------------------ */

int wt_tls_is_init_finished(const wt_tls_conn *c) { return (int)c->hs_done; }
uint32_t wt_tls_get_suite(const wt_tls_conn *c) { return c->suite; }
uint32_t wt_tls_get_group(const wt_tls_conn *c) { return c->group; }
uint32_t wt_tls_get_peer_sigalg(const wt_tls_conn *c) { return c->peer_sigalg; }
uint32_t wt_tls_get_version(const wt_tls_conn *c) { return c->suite ? 0x0304 : 0; }
int wt_tls_session_reused(const wt_tls_conn *c) { return (int)c->resumed; }
int wt_tls_hrr_seen(const wt_tls_conn *c) { return (int)c->hrr; }
int wt_tls_peer_authenticated(const wt_tls_conn *c) { return (int)c->peer_auth; }

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
	if (c->verify_state != 1)
		return WT_TLS_ERR_CONFIG;
	c->verify_state = 2;
	c->verify_alert = alert;
	return 0;
}
