/*
 * ctx.c: the context (SSL_CTX): configuration shared by many connections,
 * its setters with their checks, and the *_ok questions the handshake asks
 * of it. Split from engine.c as Node splits _tls_common.js (context) from
 * _tls_wrap.js (socket).
 *
 * Layer "record" (see tls_inner.h): calls nothing in crypto-src/tls/ but the key
 * schedule's suite table.
 */
#include "tls_inner.h"

size_t wt_tls_ctx_size(void)
{
	return sizeof(wt_tls_ctx);
}

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
					   WT_TLS_AES_128_GCM_SHA256,
					   WT_TLS_AES_256_GCM_SHA384 };
	static const uint16_t groups[] = { WT_GROUP_X25519, WT_GROUP_SECP256R1,
					   WT_GROUP_SECP384R1, WT_GROUP_X25519MLKEM768 };
	static const uint16_t sigs[] = { WT_SIG_ECDSA_SECP256R1_SHA256,
					 WT_SIG_ECDSA_SECP384R1_SHA384,
					 WT_SIG_ED25519,
					 WT_SIG_RSA_PSS_RSAE_SHA256,
					 WT_SIG_RSA_PSS_RSAE_SHA384,
					 WT_SIG_RSA_PSS_RSAE_SHA512,
					 WT_SIG_RSA_PSS_PSS_SHA256,
					 WT_SIG_RSA_PSS_PSS_SHA384,
					 WT_SIG_RSA_PSS_PSS_SHA512 };
	/* TLS 1.2: the same order of AEADs, ECDSA before RSA at each. */
	static const uint16_t suites12[] = {
		WT_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
		WT_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
		WT_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
		WT_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
		WT_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
		WT_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384
	};
	size_t i;
	uint32_t h, a, k, e;
	memset(ctx, 0, sizeof *ctx);
	for (i = 0; i < sizeof suites12 / sizeof suites12[0]; i++)
		if (wt_ks12_suite_params(suites12[i], &h, &a, &k, &e) == 0 &&
		    wt_aead_key_len(a) == k)
			ctx->suites12[ctx->nsuites12++] = suites12[i];
	/* Both versions, as Node's default (minVersion TLSv1.2). */
	ctx->min_version = WT_TLS_VERSION_12;
	ctx->max_version = WT_TLS_VERSION_13;
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
	ctx->pkcs1_mask = 7;
	ctx->mode = WT_TLS_MODE_AUTO_RETRY;
	ctx->options = WT_TLS_OP_ENABLE_MIDDLEBOX_COMPAT;
	ctx->net_in = WT_TLS_DEFAULT_NET_IN;
	ctx->net_out = WT_TLS_DEFAULT_NET_OUT;
	ctx->hs_max = WT_TLS_DEFAULT_HS_MAX;
	ctx->ticket_lifetime = 7200;
	ctx->cc_algs = 1; /* RFC 8879 zlib offered (certcomp.c) */
}

int wt_tls_suite_ok(const wt_tls_ctx *ctx, uint32_t s)
{
	uint32_t i;
	for (i = 0; i < ctx->nsuites; i++)
		if (ctx->suites[i] == s)
			return 1;
	return 0;
}
int wt_tls_suite12_ok(const wt_tls_ctx *ctx, uint32_t s)
{
	uint32_t i;
	for (i = 0; i < ctx->nsuites12; i++)
		if (ctx->suites12[i] == s)
			return 1;
	return 0;
}

const uint16_t wt_tls_sigalgs_pkcs1[3] = { WT_SIG_RSA_PKCS1_SHA256,
					   WT_SIG_RSA_PKCS1_SHA384,
					   WT_SIG_RSA_PKCS1_SHA512 };

int wt_tls_sigalg12_ok(const wt_tls_ctx *ctx, uint32_t s)
{
	uint32_t i;
	if (wt_tls_sigalg_ok(ctx, s))
		return 1;
	for (i = 0; i < 3 && ctx->min_version <= WT_TLS_VERSION_12; i++)
		if (wt_tls_sigalgs_pkcs1[i] == s && ((ctx->pkcs1_mask >> i) & 1))
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
		if (wt_ks_suite_params(list[i], &h, &a, &k) || wt_aead_key_len(a) != k)
			return WT_TLS_ERR_CONFIG;
	memcpy(ctx->suites, list, n * sizeof *list);
	ctx->nsuites = (uint32_t)n;
	return 0;
}

int wt_tls_ctx_set_suites12(wt_tls_ctx *ctx, const uint16_t *list, size_t n)
{
	size_t i;
	uint32_t h, a, k, e;
	if (n == 0 || n > WT_TLS_MAX_SUITES)
		return WT_TLS_ERR_CONFIG;
	for (i = 0; i < n; i++)
		if (wt_ks12_suite_params(list[i], &h, &a, &k, &e) ||
		    wt_aead_key_len(a) != k)
			return WT_TLS_ERR_CONFIG;
	memcpy(ctx->suites12, list, n * sizeof *list);
	ctx->nsuites12 = (uint32_t)n;
	return 0;
}

int wt_tls_ctx_set_versions(wt_tls_ctx *ctx, uint32_t min, uint32_t max)
{
	if ((min != WT_TLS_VERSION_12 && min != WT_TLS_VERSION_13) ||
	    (max != WT_TLS_VERSION_12 && max != WT_TLS_VERSION_13) || min > max)
		return WT_TLS_ERR_CONFIG;
	ctx->min_version = min;
	ctx->max_version = max;
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
	uint16_t keep[WT_TLS_MAX_SIGALGS];
	size_t i, k = 0;
	uint32_t mask = 0, j;
	if (n == 0 || n > WT_TLS_MAX_SIGALGS)
		return WT_TLS_ERR_CONFIG;
	for (i = 0; i < n; i++) {
		uint32_t s = list[i];
		int pkcs1 = 0;
		/* RSASSA-PKCS1-v1_5: TLS 1.2 only (RFC 8446 4.4.3: "MUST NOT"
		 * be used in a TLS 1.3 CertificateVerify): kept apart. */
		for (j = 0; j < 3; j++)
			if (wt_tls_sigalgs_pkcs1[j] == s) {
				mask |= 1u << j;
				pkcs1 = 1;
			}
		if (pkcs1)
			continue;
		if (!(s == 0x0403 || s == 0x0503 || s == 0x0807 ||
		      (s >= 0x0804 && s <= 0x0806) || (s >= 0x0809 && s <= 0x080B)))
			return WT_TLS_ERR_CONFIG;
		keep[k++] = (uint16_t)s;
	}
	memcpy(ctx->sigalgs, keep, k * sizeof *keep);
	ctx->nsigalgs = (uint32_t)k;
	ctx->pkcs1_mask = mask;
	return 0;
}

/* The Certificate message (RFC 8446 4.4.2) that sends this chain: header
 * (4), empty certificate_request_context (1), certificate_list length
 * (3), and per certificate its u24 length and an empty extensions block
 * (5). 0 when der is not a sequence of DER elements (tag, definite length
 * in at most 3 octets: what wt_hs_send_certificate walks). */
static size_t cert_msg_len(const uint8_t *der, size_t len)
{
	size_t off = 0, total = 4 + 1 + 3;
	while (off < len) {
		size_t l, n, h = 2;
		if (len - off < 2)
			return 0;
		l = der[off + 1];
		if (l & 0x80) {
			n = l & 0x7F;
			if (n == 0 || n > 3 || len - off < 2 + n)
				return 0;
			for (l = 0, h = 2; h < 2 + n; h++)
				l = l << 8 | der[off + h];
		}
		if (l > len - off - h)
			return 0;
		total += 3 + h + l + 2;
		off += h + l;
	}
	return total;
}

int wt_tls_ctx_set_chain(wt_tls_ctx *ctx, const uint8_t *der, size_t len)
{
	size_t m;
	if (len == 0 || len > 0xFFFFFF)
		return WT_TLS_ERR_CONFIG;
	m = cert_msg_len(der, len);
	if (m == 0)
		return WT_TLS_ERR_CONFIG;
	/* A chain whose message is larger than the handshake limit could
	 * never be sent: refused now, with its own code, rather than failing
	 * every handshake with internal_error. */
	if (m > ctx->hs_max)
		return WT_TLS_ERR_CHAIN_TOO_LARGE;
	ctx->chain = der;
	ctx->chainlen = len;
	/* RFC 8879: a compressed form was of the old chain */
	wt_tls_ctx_set_compressed_certificate(ctx, 0, NULL, 0, 0);
	ctx->cert_msg_len = m;
	return 0;
}

int wt_tls_ctx_set_key(wt_tls_ctx *ctx, const uint8_t *der, size_t len)
{
	ctx->key_error[0] = 0;
	ctx->signer = 0; /* a key in the module replaces a signer (signer.c) */
	if (wt_privkey_from_der(&ctx->key, der, len) != 0) {
		/* Name what was refused: "unsupported private key type: DSA"
		 * says what to do, "bad configuration" does not. */
		const char *why = wt_pk_key_error(der, len, 1);
		const char *pre = why ?
			"unsupported private key type: " :
			"malformed private key (PKCS #8, PKCS #1 or SEC 1 DER)";
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

int wt_tls_ctx_set_verify(wt_tls_ctx *ctx, uint32_t policy, uint32_t client_cert_flags)
{
	if (policy != WT_TLS_VERIFY_INSECURE_NO_CHAIN &&
	    policy != WT_TLS_VERIFY_EXTERNAL && policy != WT_TLS_VERIFY_CHAIN)
		return WT_TLS_ERR_CONFIG;
	if (client_cert_flags &
	    ~(WT_TLS_CLIENT_CERT_REQUEST | WT_TLS_CLIENT_CERT_REQUIRE |
	      WT_TLS_VERIFY_CALLBACK))
		return WT_TLS_ERR_CONFIG;
	/* The callback flag refines chain validation only. */
	if ((client_cert_flags & WT_TLS_VERIFY_CALLBACK) && policy != WT_TLS_VERIFY_CHAIN)
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

int wt_tls_ctx_set_ticket_key(wt_tls_ctx *ctx, const uint8_t key[32], uint32_t tickets,
			      uint32_t lifetime)
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

void wt_tls_ctx_set_mode(wt_tls_ctx *ctx, uint32_t m)
{
	ctx->mode |= m;
}
void wt_tls_ctx_clear_mode(wt_tls_ctx *ctx, uint32_t m)
{
	ctx->mode &= ~m;
}
uint32_t wt_tls_ctx_get_mode(const wt_tls_ctx *ctx)
{
	return ctx->mode;
}
void wt_tls_ctx_set_options(wt_tls_ctx *ctx, uint32_t o)
{
	ctx->options |= o;
}
void wt_tls_ctx_clear_options(wt_tls_ctx *ctx, uint32_t o)
{
	ctx->options &= ~o;
}

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

int wt_tls_ctx_set_sizes(wt_tls_ctx *ctx, size_t net_in, size_t net_out, size_t hs_max)
{
	/* One largest record must fit the incoming side, since records are
	 * decrypted in place. */
	if (net_in < WT_TLS_HDR + WT_TLS_MAX_CIPHER || net_out < 1 || hs_max < 4096 ||
	    hs_max > 0xFFFFFF || net_in > 0x10000000 || net_out > 0x10000000)
		return WT_TLS_ERR_CONFIG;
	if (ctx->cert_msg_len > hs_max)
		return WT_TLS_ERR_CHAIN_TOO_LARGE;
	ctx->net_in = net_in;
	ctx->net_out = net_out;
	ctx->hs_max = hs_max;
	return 0;
}

int wt_tls_ctx_set_key_limit(wt_tls_ctx *ctx, uint64_t records)
{
	/* One record is the KeyUpdate itself: at least one more for data. */
	if (records == 1)
		return WT_TLS_ERR_CONFIG;
	ctx->key_limit = records;
	return 0;
}

void wt_tls_ctx_clear(wt_tls_ctx *ctx)
{
	wt_ech_ctx_clear(ctx);
	wt_wipe(&ctx->key, sizeof ctx->key);
	wt_wipe(ctx->ticket_key, sizeof ctx->ticket_key);
	ctx->has_key = ctx->has_ticket_key = 0;
}
