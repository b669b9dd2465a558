/*
 * ech.c: Encrypted Client Hello (draft-ietf-tls-esni-22 and later, as
 * deployed by Chromium, Firefox, BoringSSL, Go and rustls: extension
 * 0xfe0d, ECHConfig version 0xfe0d, ech_outer_extensions 0xfd00), both
 * roles, over HPKE base mode (crypto-src/hpke/, RFC 9180).
 *
 * Client: the ClientHello hs13_client.c builds first is ClientHelloInner
 * (the real server_name, an inner "encrypted_client_hello"); ech.c keeps
 * it encoded (EncodedClientHelloInner, draft 5.1: legacy_session_id
 * emptied, zero padding per 6.1.3; no ech_outer_extensions compression)
 * and hs13_client.c builds ClientHelloOuter behind it (public_name as
 * server_name, a fresh random, the same key share); ech.c seals the
 * inner into the outer's payload (AAD: the outer with the payload
 * zeroed, 5.2) and runs the outer's transcript beside the inner's. The
 * ServerHello random says which one the server took (7.2); on
 * rejection the outer handshake is authenticated against public_name
 * and then aborted with ech_required (6.1.6), the server's
 * retry_configs kept for the caller.
 *
 * Server: configured keys (ECHConfig + X25519 private key, several);
 * the outer's payload is opened with every key of its config_id, the
 * ClientHelloInner rebuilt (ech_outer_extensions expanded) and handed to
 * hs13_server.c in place of the outer; the ServerHello random carries
 * the acceptance confirmation (7.2). A payload no key opens: the
 * handshake goes on with the outer and EncryptedExtensions carries
 * retry_configs (7.1).
 *
 * HelloRetryRequest: the client follows draft 6.1.5 (the HRR's own
 * confirmation decides; accepted: a second inner/outer pair under the
 * same HPKE context, enc empty; rejected: the outer's transcript and a
 * second ClientHello that is the outer's); the server puts its
 * confirmation in the HRR and opens ClientHelloOuter2 with the HPKE
 * context of the first (draft 7.1.1). Not here either:
 * GREASE ECH, PSK resumption inside ECH (the client offers no session
 * with ECH).
 *
 * Layer: called by hs13_client.c, hs13_server.c, ctx.c and engine.c,
 * and through its extension descriptor by handshake.c; calls only
 * codec.c, errors.c, the transcript hashes, HKDF and HPKE.
 */
#include <stdlib.h>
#include "tls_inner.h"
#include "wt_ec25519.h"
#include "wt_hpke.h"

#define ECH_VERSION 0xFE0Du
#define EXT_ECH 0xFE0Du
#define EXT_ECH_OUTER_EXTS 0xFD00u
enum { ECH_TYPE_OUTER = 0, ECH_TYPE_INNER = 1 };

struct wt_tls_ech {
	uint32_t status; /* WT_TLS_ECH_* */
	/* client: the chosen ECHConfig (a copy: HPKE's info holds it) */
	uint8_t *config;
	size_t configlen;
	uint8_t pk[32];
	uint32_t kdf, aead, config_id, max_name;
	uint8_t public_name[255];
	uint32_t public_namelen;
	/* client: while the hellos are built */
	uint32_t outer;     /* 1 while ClientHelloOuter is written */
	size_t payload_off; /* the outer's payload, from the body's start */
	size_t payload_len;
	uint8_t *encoded; /* EncodedClientHelloInner, padded */
	size_t encodedlen;
	uint8_t inner_random[32], outer_random[32];
	uint8_t inner_sni[256];
	uint32_t inner_snilen;
	wt_hash_ctx o256, o384; /* the transcript of ClientHelloOuter */
	/* The HPKE context (3.5 KiB with AES-GCM's tables): its own block,
	 * given back once no ClientHello is left to seal or open. */
	wt_hpke_ctx *hpke;
	uint8_t enc[32];
	/* client, HelloRetryRequest (draft 6.1.5): the HRR's confirmation
	 * (into hs_in while it is parsed), whether it matched, and the
	 * outer's extension as sent, repeated in a ClientHello2 that is the
	 * outer's once ECH was rejected */
	const uint8_t *hrr_conf;
	uint32_t hrr_accepted;
	uint8_t *outer_ext;
	size_t outer_extlen;
	/* client: the server's retry_configs (an ECHConfigList) */
	uint8_t *retry;
	size_t retrylen;
	/* server: the rebuilt ClientHelloInner (a handshake message); the
	 * offset of the HRR confirmation in the HelloRetryRequest body; the
	 * config_id and suite ClientHello2 must repeat */
	uint8_t *inner;
	size_t innerlen;
	size_t hrr_off;
	uint32_t s_id, s_kdf, s_aead;
};

/* One server key (see wt_tls_ctx_add_ech_key). */
typedef struct {
	uint8_t sk[32];
	uint8_t *config;
	size_t configlen;
} ech_key;
struct wt_tls_ech_keys {
	size_t n;
	ech_key k[]; /* n entries */
};

/* A parsed ECHConfig: pointers into the list. */
typedef struct {
	const uint8_t *p; /* the whole ECHConfig (version, length, contents) */
	size_t len;
	uint32_t config_id, kem, max_name;
	wt_rd pk, suites, name;
	uint32_t kdf, aead; /* the first suite we implement, 0 none */
} ech_cfg;

/* Read one ECHConfig (draft 4): 1 usable by us, 0 to skip (another
 * version or KEM, no suite of ours, a mandatory extension we do not
 * know: "Clients MUST ignore any ECHConfig structure whose version they
 * do not support", and 4.2 for mandatory extensions), -1 malformed. */
static int read_config(wt_rd *l, ech_cfg *e)
{
	wt_rd body, exts;
	uint32_t ver, t;
	const uint8_t *start = l->p;
	if (wt_rd_u16(l, &ver) || wt_rd_vec(l, 2, &body))
		return -1;
	e->p = start;
	e->len = (size_t)(l->p - start);
	if (ver != ECH_VERSION)
		return 0;
	if (wt_rd_u8(&body, &e->config_id) || wt_rd_u16(&body, &e->kem) ||
	    wt_rd_vec(&body, 2, &e->pk) || e->pk.len == 0 ||
	    wt_rd_vec(&body, 2, &e->suites) || e->suites.len < 4 || (e->suites.len & 3) ||
	    wt_rd_u8(&body, &e->max_name) || wt_rd_vec(&body, 1, &e->name) ||
	    e->name.len == 0 || wt_rd_vec(&body, 2, &exts) || body.len)
		return -1;
	e->kdf = e->aead = 0;
	{
		wt_rd s = e->suites;
		uint32_t kdf, aead;
		while (s.len && !e->kdf) {
			(void)wt_rd_u16(&s, &kdf);
			(void)wt_rd_u16(&s, &aead);
			if (wt_hpke_suite_ok(e->kem, kdf, aead)) {
				e->kdf = kdf;
				e->aead = aead;
			}
		}
	}
	while (exts.len) {
		wt_rd eb;
		if (wt_rd_u16(&exts, &t) || wt_rd_vec(&exts, 2, &eb))
			return -1;
		if (t & 0x8000)
			return 0;
	}
	return e->kdf != 0 && e->pk.len == 32;
}

/* HPKE's info (draft 6.1): "tls ech" || 0x00 || ECHConfig. */
static uint8_t *make_info(const uint8_t *config, size_t len, size_t *infolen)
{
	uint8_t *info = malloc(8 + len);
	if (info != NULL) {
		memcpy(info, "tls ech", 8); /* with its NUL: the 0x00 */
		memcpy(info + 8, config, len);
		*infolen = 8 + len;
	}
	return info;
}

static void drop_hpke(wt_tls_ech *e)
{
	if (e->hpke != NULL) {
		wt_hpke_clear(e->hpke);
		free(e->hpke);
		e->hpke = NULL;
	}
}

void wt_ech_free(wt_tls_conn *c)
{
	wt_tls_ech *e = c->ech;
	if (e == NULL)
		return;
	drop_hpke(e);
	if (e->config)
		free(e->config);
	if (e->encoded) {
		wt_wipe(e->encoded, e->encodedlen);
		free(e->encoded);
	}
	if (e->retry)
		free(e->retry);
	if (e->outer_ext)
		free(e->outer_ext);
	if (e->inner) {
		wt_wipe(e->inner, e->innerlen);
		free(e->inner);
	}
	wt_wipe(e, sizeof *e);
	free(e);
	c->ech = NULL;
}

/* ---- client ----------------------------------------------------------------- */

int wt_tls_set_ech_config_list(wt_tls_conn *c, const uint8_t *list, size_t len)
{
	wt_rd r = { list, len }, l;
	ech_cfg cfg, pick;
	int k, found = 0;
	wt_tls_ech *e;
	if (c->role != ROLE_CLIENT || c->state != ST_C_START)
		return -3;
	/* ECHConfigList: ECHConfig echconfigs<4..2^16-1> (draft 4). */
	if (wt_rd_vec(&r, 2, &l) || r.len || l.len < 4)
		return -1;
	while (l.len) {
		k = read_config(&l, &cfg);
		if (k < 0)
			return -1;
		if (k && !found) {
			pick = cfg;
			found = 1;
		}
	}
	if (!found)
		return -2;
	wt_ech_free(c);
	e = calloc(1, sizeof *e);
	if (e == NULL || (e->config = malloc(pick.len)) == NULL) {
		free(e);
		return -4;
	}
	memcpy(e->config, pick.p, pick.len);
	e->configlen = pick.len;
	memcpy(e->pk, pick.pk.p, 32);
	e->kdf = pick.kdf;
	e->aead = pick.aead;
	e->config_id = pick.config_id;
	e->max_name = pick.max_name;
	memcpy(e->public_name, pick.name.p, pick.name.len);
	e->public_namelen = (uint32_t)pick.name.len;
	e->status = WT_TLS_ECH_OFFERED;
	c->ech = e;
	return 0;
}

int wt_ech_client_start(wt_tls_conn *c)
{
	wt_tls_ech *e = c->ech;
	uint8_t skE[32], *info;
	size_t infolen;
	int r;
	/* Draft 6.1: "ClientHelloInner MUST NOT offer TLS 1.2 or below";
	 * our inner and outer offer the same versions, so ECH needs a
	 * TLS 1.3-only context. */
	if (c->ctx->min_version < WT_TLS_VERSION_13)
		return FAIL(c, NO_ALERT, WT_TLS_ERR_CONFIG);
	/* No session is offered with ECH (its binder would have to be made
	 * over the inner and a GREASE PSK put in the outer, draft 6.1.2). */
	c->offered_psk = 0;
	c->offered_sess12 = 0;
	c->psk_hash_first = 0;
	info = make_info(e->config, e->configlen, &infolen);
	if (info == NULL)
		return FAIL(c, WT_ALERT_INTERNAL_ERROR, WT_TLS_ERR_NO_MEMORY);
	/* SetupBaseS(pkR, info) with a fresh ephemeral key (draft 6.1). */
	wt_random(skE, 32);
	drop_hpke(e);
	e->hpke = malloc(sizeof *e->hpke);
	r = e->hpke == NULL ? -1 :
			      wt_hpke_setup_s(e->hpke, e->kdf, e->aead, e->enc, e->pk,
					      skE, info, infolen);
	wt_wipe(skE, sizeof skE);
	free(info);
	if (r)
		return FAIL(c, WT_ALERT_INTERNAL_ERROR, WT_TLS_R_ECH_CONFIG);
	return 0;
}

int wt_ech_client_begin_outer(wt_tls_conn *c, const uint8_t *inner, size_t len)
{
	wt_tls_ech *e = c->ech;
	wt_rd r = { inner + 4, len - 4 }, sid;
	const uint8_t *head;
	size_t pad, n;
	/* EncodedClientHelloInner (draft 5.1): the ClientHello body with
	 * legacy_session_id empty (the server copies the outer's back),
	 * then zeros. */
	if (wt_rd_bytes(&r, 34, &head) || wt_rd_vec(&r, 1, &sid))
		return FAIL(c, WT_ALERT_INTERNAL_ERROR, WT_TLS_ERR_INTERNAL);
	n = 34 + 1 + r.len;
	/* Padding, draft 6.1.3: with a server_name of length D, max(0, L -
	 * D) bytes (L = maximum_name_length), else L + 9; then up to a
	 * multiple of 32, "N = 31 - ((L - 1) % 32)". */
	pad = c->snilen ? (e->max_name > c->snilen ? e->max_name - c->snilen : 0) :
			  e->max_name + 9;
	pad += 31 - ((n + pad - 1) % 32);
	e->encoded = calloc(1, n + pad);
	if (e->encoded == NULL)
		return FAIL(c, WT_ALERT_INTERNAL_ERROR, WT_TLS_ERR_NO_MEMORY);
	memcpy(e->encoded, head, 34);
	e->encoded[34] = 0;
	memcpy(e->encoded + 35, r.p, r.len);
	e->encodedlen = n + pad;
	e->payload_len = e->encodedlen + WT_HPKE_TAG_LEN;
	/* The outer: public_name as server_name (6.1: "MUST set the value
	 * of the server_name ... to the public_name"), a fresh random
	 * (6.1: "distinct from ClientHelloInner.random"), and the same key
	 * share (key_share.c reuses it while ech_outer is set). */
	memcpy(e->inner_sni, c->sni, c->snilen);
	e->inner_snilen = c->snilen;
	memcpy(c->sni, e->public_name, e->public_namelen);
	c->snilen = e->public_namelen;
	memcpy(e->inner_random, c->random, 32);
	/* ClientHello2 repeats ClientHello1's random (RFC 8446 4.1.2). */
	if (!c->hrr)
		wt_random(e->outer_random, 32);
	memcpy(c->random, e->outer_random, 32);
	e->outer = 1;
	c->ech_outer = 1;
	return 0;
}

int wt_ech_client_end_outer(wt_tls_conn *c, uint8_t *outer, size_t len)
{
	wt_tls_ech *e = c->ech;
	uint8_t *ct;
	int r;
	memcpy(c->sni, e->inner_sni, e->inner_snilen);
	c->snilen = e->inner_snilen;
	memcpy(c->random, e->inner_random, 32);
	e->outer = 0;
	c->ech_outer = 0;
	if (e->payload_off + e->payload_len > len - 4)
		return FAIL(c, WT_ALERT_INTERNAL_ERROR, WT_TLS_ERR_INTERNAL);
	/* Draft 5.2: payload = Seal(aad = ClientHelloOuterAAD, the outer
	 * ClientHello - not the Handshake message - with the payload
	 * zeroed, as it is now). Sealed aside: out must not overlap aad. */
	ct = malloc(e->payload_len);
	if (ct == NULL)
		return FAIL(c, WT_ALERT_INTERNAL_ERROR, WT_TLS_ERR_NO_MEMORY);
	r = wt_hpke_seal(e->hpke, outer + 4, len - 4, e->encoded, e->encodedlen, ct);
	memcpy(outer + 4 + e->payload_off, ct, e->payload_len);
	free(ct);
	wt_wipe(e->encoded, e->encodedlen);
	free(e->encoded);
	e->encoded = NULL;
	if (r)
		return FAIL(c, WT_ALERT_INTERNAL_ERROR, WT_TLS_ERR_INTERNAL);
	/* The extension's body as sent (it ends with the payload: ours is
	 * the last extension), for a ClientHello2 after a rejecting HRR. */
	if (!c->hrr) {
		size_t body = 1 + 2 + 2 + 1 + 2 + 32 + 2;
		free(e->outer_ext);
		e->outer_ext = malloc(body + e->payload_len);
		if (e->outer_ext == NULL)
			return FAIL(c, WT_ALERT_INTERNAL_ERROR, WT_TLS_ERR_NO_MEMORY);
		memcpy(e->outer_ext, outer + 4 + e->payload_off - body,
		       body + e->payload_len);
		e->outer_extlen = body + e->payload_len;
	}
	/* The transcript if the server rejects: ClientHelloOuter first. */
	(void)wt_hash_init(&e->o256, WT_SHA256);
	(void)wt_hash_init(&e->o384, WT_SHA384);
	wt_hash_update(&e->o256, outer, len);
	wt_hash_update(&e->o384, outer, len);
	return 0;
}

/* Rejected (draft 6.1.6): the handshake goes on with ClientHelloOuter -
 * its transcript, its random (the key log's), its name - and "MUST
 * verify that the certificate is valid for
 * ECHConfig.contents.public_name". */
static void reject(wt_tls_conn *c)
{
	wt_tls_ech *e = c->ech;
	e->status = WT_TLS_ECH_REJECTED;
	c->hs->th = c->hash == WT_SHA384 ? e->o384 : e->o256;
	memcpy(c->random, e->outer_random, 32);
	memcpy(c->vhost, e->public_name, e->public_namelen);
	c->vhostlen = e->public_namelen;
	memcpy(c->sni, e->public_name, e->public_namelen);
	c->snilen = e->public_namelen;
}

/* 1 when the next ClientHello is an inner/outer pair (not after ECH was
 * rejected by a HelloRetryRequest). */
int wt_ech_client_pair(const wt_tls_conn *c)
{
	return c->ech->status != WT_TLS_ECH_REJECTED;
}

/* accept_confirmation (draft 7.2) = HKDF-Expand-Label(HKDF-Extract(0,
 * ClientHelloInner.random), "ech accept confirmation",
 * transcript_ech_conf, 8), the transcript running over ClientHelloInner
 * .. ServerHello with the last 8 bytes of its random zero. th: the
 * transcript before the ServerHello; sh: its body (a handshake header
 * of type 2 and length len is hashed before it). */
static void confirmation(const wt_tls_conn *c, const wt_hash_ctx *th, const uint8_t *sh,
			 size_t len, const uint8_t random[32], uint8_t out[8])
{
	wt_hash_ctx t = *th;
	uint8_t hdr[4] = { HS_SERVER_HELLO, (uint8_t)(len >> 16), (uint8_t)(len >> 8),
			   (uint8_t)len };
	uint8_t zeros[8] = { 0 }, h[WT_HASH_MAX_LEN], prk[WT_HASH_MAX_LEN];
	wt_hash_update(&t, hdr, 4);
	wt_hash_update(&t, sh, 2 + 24);
	wt_hash_update(&t, zeros, 8);
	wt_hash_update(&t, sh + 34, len - 34);
	wt_hash_out(&t, h);
	(void)wt_hkdf_extract(c->hash, NULL, 0, random, 32, prk);
	(void)wt_hkdf_expand_label(c->hash, prk, c->hashlen, "ech accept confirmation",
				   23, h, c->hashlen, out, 8);
	wt_wipe(prk, sizeof prk);
}

int wt_ech_client_server_hello(wt_tls_conn *c, const uint8_t *msg, size_t len)
{
	wt_tls_ech *e = c->ech;
	uint8_t conf[8];
	/* No ClientHello is left to seal. */
	drop_hpke(e);
	if (e->status == WT_TLS_ECH_REJECTED)
		return 0; /* by the HelloRetryRequest: all is the outer's now */
	confirmation(c, &c->hs->th, msg + 4, len - 4, e->inner_random, conf);
	if (memcmp(conf, msg + 4 + 2 + 24, 8) == 0) {
		e->status = WT_TLS_ECH_ACCEPTED;
		return 0;
	}
	/* Draft 6.1.5: after an HRR that accepted ECH, a ServerHello that
	 * does not confirm it: "illegal_parameter". */
	if (e->hrr_accepted)
		return FAIL(c, WT_ALERT_ILLEGAL_PARAMETER, WT_TLS_R_ECH_REJECTED);
	reject(c);
	return 0;
}

int wt_ech_client_hrr(wt_tls_conn *c, const uint8_t *msg, size_t len)
{
	wt_tls_ech *e = c->ech;
	wt_hash_ctx t;
	uint8_t h[4 + WT_HASH_MAX_LEN], prk[WT_HASH_MAX_LEN], conf[8];
	size_t off;
	/* Draft 7.2.1: hrr_accept_confirmation = HKDF-Expand-Label(
	 * HKDF-Extract(0, ClientHelloInner1.random), "hrr ech accept
	 * confirmation", transcript over message_hash(ClientHelloInner1) ||
	 * HelloRetryRequest with the extension's 8 bytes zeroed, 8). */
	if (e->hrr_conf != NULL) {
		off = (size_t)(e->hrr_conf - msg);
		(void)wt_hash_init(&t, c->hash);
		h[0] = HS_MESSAGE_HASH;
		h[1] = h[2] = 0;
		h[3] = (uint8_t)c->hashlen;
		wt_hash_out(&c->hs->th, h + 4);
		wt_hash_update(&t, h, 4 + c->hashlen);
		wt_hash_update(&t, msg, off);
		memset(conf, 0, 8);
		wt_hash_update(&t, conf, 8);
		wt_hash_update(&t, msg + off + 8, len - off - 8);
		wt_hash_out(&t, h);
		(void)wt_hkdf_extract(c->hash, NULL, 0, e->inner_random, 32, prk);
		(void)wt_hkdf_expand_label(c->hash, prk, c->hashlen,
					   "hrr ech accept confirmation", 27, h,
					   c->hashlen, conf, 8);
		wt_wipe(prk, sizeof prk);
		e->hrr_accepted = memcmp(conf, e->hrr_conf, 8) == 0;
		e->hrr_conf = NULL;
	}
	/* Rejected: from here the handshake is ClientHelloOuter's (its
	 * transcript goes into the HRR reset hs13_client.c does next), and
	 * ClientHello2 is the outer's with the same extension (reject()). */
	if (!e->hrr_accepted)
		reject(c);
	return 0;
}

int wt_ech_client_finished(wt_tls_conn *c)
{
	/* Draft 6.1.6: once the outer handshake is authenticated (the
	 * server's Finished verified), "the client MUST abort the handshake
	 * with an "ech_required" alert" when ECH was rejected. */
	if (c->ech->status == WT_TLS_ECH_REJECTED)
		return FAIL(c, WT_ALERT_ECH_REQUIRED, WT_TLS_R_ECH_REJECTED);
	return 0;
}

uint32_t wt_tls_ech_status(const wt_tls_conn *c)
{
	return c->ech ? c->ech->status : WT_TLS_ECH_NONE;
}

size_t wt_tls_ech_retry_configs(const wt_tls_conn *c, uint8_t *out, size_t cap)
{
	if (c->ech == NULL || c->ech->retry == NULL)
		return 0;
	if (out != NULL && cap >= c->ech->retrylen)
		memcpy(out, c->ech->retry, c->ech->retrylen);
	return c->ech->retrylen;
}

/* ---- server ----------------------------------------------------------------- */

int wt_tls_ctx_add_ech_key(wt_tls_ctx *ctx, const uint8_t *config, size_t len,
			   const uint8_t sk[32])
{
	wt_rd r = { config, len };
	ech_cfg cfg;
	wt_tls_ech_keys *ks;
	size_t n = ctx->ech_keys ? ctx->ech_keys->n : 0;
	uint8_t pk[32];
	/* One ECHConfig we can use, whose public key is sk's. */
	if (read_config(&r, &cfg) != 1 || r.len)
		return -1;
	wt_x25519_base(pk, sk);
	if (memcmp(pk, cfg.pk.p, 32) != 0)
		return -1;
	/* Not realloc: the old block holds private keys, and realloc would
	 * free it unwiped when it moves. A new block, the old one wiped. */
	ks = malloc(sizeof *ks + (n + 1) * sizeof(ech_key));
	if (ks == NULL)
		return -2;
	if (n) {
		memcpy(ks->k, ctx->ech_keys->k, n * sizeof(ech_key));
		wt_wipe(ctx->ech_keys, sizeof *ks + n * sizeof(ech_key));
	}
	free(ctx->ech_keys);
	ctx->ech_keys = ks;
	ks->n = n;
	if ((ks->k[n].config = malloc(len)) == NULL)
		return -2;
	memcpy(ks->k[n].config, config, len);
	ks->k[n].configlen = len;
	memcpy(ks->k[n].sk, sk, 32);
	ks->n = n + 1;
	return 0;
}

void wt_ech_ctx_clear(wt_tls_ctx *ctx)
{
	size_t i;
	if (ctx->ech_keys == NULL)
		return;
	for (i = 0; i < ctx->ech_keys->n; i++)
		free(ctx->ech_keys->k[i].config);
	wt_wipe(ctx->ech_keys,
		sizeof *ctx->ech_keys + ctx->ech_keys->n * sizeof(ech_key));
	free(ctx->ech_keys);
	ctx->ech_keys = NULL;
}

/* Find extension type in an extension list from *from on; on success
 * *from moves past it. */
static int find_ext(wt_rd *from, uint32_t type, const uint8_t **start, size_t *len)
{
	while (from->len) {
		const uint8_t *s = from->p;
		uint32_t t;
		wt_rd b;
		if (wt_rd_u16(from, &t) || wt_rd_vec(from, 2, &b))
			return -1;
		if (t == type) {
			*start = s;
			*len = (size_t)(from->p - s);
			return 0;
		}
	}
	return -1;
}

/* Rebuild ClientHelloInner from the decrypted EncodedClientHelloInner
 * (draft 5.1) and the outer's session ID and extensions. */
static int rebuild(wt_tls_conn *c, const uint8_t *pt, size_t n, wt_rd osid, wt_rd oexts)
{
	wt_tls_ech *e = c->ech;
	wt_rd r = { pt, n }, sid, suites, comp, exts, cur = oexts;
	const uint8_t *head;
	wt_wr w;
	size_t p, q;
	int inner_ext = 0;
	if (wt_rd_bytes(&r, 34, &head) || wt_rd_vec(&r, 1, &sid) ||
	    wt_rd_vec(&r, 2, &suites) || wt_rd_vec(&r, 1, &comp) ||
	    wt_rd_vec(&r, 2, &exts))
		return FAIL(c, WT_ALERT_DECODE_ERROR, WT_TLS_R_DECODE);
	/* "the padding ... MUST be all zeros" and legacy_session_id empty
	 * (draft 5.1, 7.1: otherwise "illegal_parameter"). */
	for (p = 0; p < r.len; p++)
		if (r.p[p])
			return FAIL(c, WT_ALERT_ILLEGAL_PARAMETER,
				    WT_TLS_R_ECH_BAD_INNER);
	if (sid.len)
		return FAIL(c, WT_ALERT_ILLEGAL_PARAMETER, WT_TLS_R_ECH_BAD_INNER);
	w.cap = 4 + n + osid.len + oexts.len;
	w.buf = e->inner = malloc(w.cap);
	if (w.buf == NULL)
		return FAIL(c, WT_ALERT_INTERNAL_ERROR, WT_TLS_ERR_NO_MEMORY);
	w.len = 0;
	w.overflow = 0;
	wt_wr_u8(&w, HS_CLIENT_HELLO);
	p = wt_wr_open(&w, 3);
	wt_wr_bytes(&w, head, 34);
	wt_wr_u8(&w, (uint32_t)osid.len);
	wt_wr_bytes(&w, osid.p, osid.len);
	wt_wr_u16(&w, (uint32_t)suites.len);
	wt_wr_bytes(&w, suites.p, suites.len);
	wt_wr_u8(&w, (uint32_t)comp.len);
	wt_wr_bytes(&w, comp.p, comp.len);
	q = wt_wr_open(&w, 2);
	while (exts.len) {
		const uint8_t *s = exts.p;
		uint32_t t, ref;
		wt_rd b, refs;
		if (wt_rd_u16(&exts, &t) || wt_rd_vec(&exts, 2, &b))
			return FAIL(c, WT_ALERT_DECODE_ERROR, WT_TLS_R_DECODE);
		if (t == EXT_ECH)
			inner_ext = b.len == 1 && b.p[0] == ECH_TYPE_INNER;
		if (t != EXT_ECH_OUTER_EXTS) {
			wt_wr_bytes(&w, s, (size_t)(exts.p - s));
			continue;
		}
		/* ech_outer_extensions (draft 5.1): ExtensionType
		 * outer_extensions<2..254>, copied from the outer in order;
		 * "If ... any referenced extension is missing, if
		 * "encrypted_client_hello" appears in the list, or if the
		 * list is not in the order of the outer, the server MUST abort
		 * the connection with an "illegal_parameter" alert." */
		if (wt_rd_vec(&b, 1, &refs) || b.len || refs.len < 2 || (refs.len & 1))
			return FAIL(c, WT_ALERT_DECODE_ERROR, WT_TLS_R_DECODE);
		while (refs.len) {
			const uint8_t *os;
			size_t olen;
			(void)wt_rd_u16(&refs, &ref);
			if (ref == EXT_ECH || find_ext(&cur, ref, &os, &olen))
				return FAIL(c, WT_ALERT_ILLEGAL_PARAMETER,
					    WT_TLS_R_ECH_BAD_INNER);
			wt_wr_bytes(&w, os, olen);
		}
	}
	wt_wr_close(&w, q, 2);
	wt_wr_close(&w, p, 3);
	/* 7.1: ClientHelloInner without an inner "encrypted_client_hello":
	 * "illegal_parameter". */
	if (w.overflow || !inner_ext)
		return FAIL(c, WT_ALERT_ILLEGAL_PARAMETER, WT_TLS_R_ECH_BAD_INNER);
	e->innerlen = w.len;
	return 0;
}

/* ClientHelloOuter2 after an HRR that accepted ECH (draft 7.1.1): the
 * same config_id and suite, enc empty ("illegal_parameter" otherwise),
 * opened with the first's HPKE context ("decrypt_error" if it does not
 * open), and the inner rebuilt. */
static int open_second(wt_tls_conn *c, const uint8_t **msg, size_t *len, wt_rd sid,
		       wt_rd exts, uint32_t kdf, uint32_t aead, uint32_t id, wt_rd enc,
		       wt_rd payload)
{
	wt_tls_ech *e = c->ech;
	uint8_t *aad, *pt;
	int r;
	if (enc.len != 0 || id != e->s_id || kdf != e->s_kdf || aead != e->s_aead)
		return FAIL(c, WT_ALERT_ILLEGAL_PARAMETER, WT_TLS_R_ECH_BAD_INNER);
	if (payload.len <= WT_HPKE_TAG_LEN)
		return FAIL(c, WT_ALERT_DECRYPT_ERROR, WT_TLS_R_ECH_BAD_INNER);
	aad = malloc(*len - 4);
	pt = malloc(payload.len);
	if (aad == NULL || pt == NULL) {
		free(aad);
		free(pt);
		return FAIL(c, WT_ALERT_INTERNAL_ERROR, WT_TLS_ERR_NO_MEMORY);
	}
	memcpy(aad, *msg + 4, *len - 4);
	memset(aad + (payload.p - (*msg + 4)), 0, payload.len);
	r = e->hpke == NULL ?
		-1 :
		wt_hpke_open(e->hpke, aad, *len - 4, payload.p, payload.len, pt);
	free(aad);
	drop_hpke(e);
	if (r)
		r = FAIL(c, WT_ALERT_DECRYPT_ERROR, WT_TLS_R_ECH_BAD_INNER);
	else
		r = rebuild(c, pt, payload.len - WT_HPKE_TAG_LEN, sid, exts);
	wt_wipe(pt, payload.len);
	free(pt);
	if (r)
		return -1;
	*msg = e->inner;
	*len = e->innerlen;
	return 0;
}

int wt_ech_server_open(wt_tls_conn *c, const uint8_t **msg, size_t *len)
{
	const wt_tls_ech_keys *ks = c->ctx->ech_keys;
	wt_rd r = { *msg + 4, *len - 4 }, sid, v, exts, cur, body, enc, payload;
	const uint8_t *s;
	size_t elen, i, off;
	uint32_t type, kdf, aead, id;
	uint8_t *aad, *pt;
	int opened = 0;
	if (wt_rd_bytes(&r, 34, &s) || wt_rd_vec(&r, 1, &sid) || wt_rd_vec(&r, 2, &v) ||
	    wt_rd_vec(&r, 1, &v) || wt_rd_vec(&r, 2, &exts))
		return 0; /* on_client_hello says what is wrong with it */
	/* ClientHello2 after an HRR: ECH goes on only if the first was
	 * accepted (a rejected one stays the outer's). */
	if (c->hrr && (c->ech == NULL || c->ech->status != WT_TLS_ECH_ACCEPTED))
		return 0;
	cur = exts;
	if (find_ext(&cur, EXT_ECH, &s, &elen)) {
		/* Draft 7.1.1: ClientHelloOuter2 without the extension after
		 * ECH was accepted: "illegal_parameter". */
		if (c->hrr)
			return FAIL(c, WT_ALERT_ILLEGAL_PARAMETER,
				    WT_TLS_R_ECH_BAD_INNER);
		return 0;
	}
	body.p = s + 4;
	body.len = elen - 4;
	/* An inner-typed extension in what reached us is no ECH offer. */
	if (wt_rd_u8(&body, &type) || (type != ECH_TYPE_OUTER && !c->hrr))
		return 0;
	if (type != ECH_TYPE_OUTER || wt_rd_u16(&body, &kdf) || wt_rd_u16(&body, &aead) ||
	    wt_rd_u8(&body, &id) || wt_rd_vec(&body, 2, &enc) ||
	    wt_rd_vec(&body, 2, &payload) || body.len || payload.len == 0)
		return FAIL(c, WT_ALERT_DECODE_ERROR, WT_TLS_R_DECODE);
	if (c->hrr)
		return open_second(c, msg, len, sid, exts, kdf, aead, id, enc, payload);
	wt_ech_free(c);
	c->ech = calloc(1, sizeof *c->ech);
	if (c->ech == NULL)
		return FAIL(c, WT_ALERT_INTERNAL_ERROR, WT_TLS_ERR_NO_MEMORY);
	/* Offered, not (yet) accepted: EncryptedExtensions will carry
	 * retry_configs unless a key opens the payload. */
	c->ech->status = WT_TLS_ECH_REJECTED;
	if (enc.len != 32 || payload.len <= WT_HPKE_TAG_LEN)
		return 0;
	/* ClientHelloOuterAAD: the outer ClientHello (no handshake header)
	 * with the payload zeroed (draft 5.2). */
	off = (size_t)(payload.p - (*msg + 4));
	aad = malloc(*len - 4);
	pt = malloc(payload.len);
	c->ech->hpke = malloc(sizeof *c->ech->hpke);
	if (aad == NULL || pt == NULL || c->ech->hpke == NULL) {
		free(aad);
		free(pt);
		return FAIL(c, WT_ALERT_INTERNAL_ERROR, WT_TLS_ERR_NO_MEMORY);
	}
	memcpy(aad, *msg + 4, *len - 4);
	memset(aad + off, 0, payload.len);
	/* Trial decryption with every key of this config_id (draft 7.1:
	 * the server "MAY" try all of them; a config_id may repeat). */
	for (i = 0; ks != NULL && i < ks->n && !opened; i++) {
		wt_rd cr = { ks->k[i].config, ks->k[i].configlen };
		ech_cfg cfg;
		uint8_t *info;
		size_t infolen;
		int ok = 0;
		wt_rd su;
		if (read_config(&cr, &cfg) != 1 || cfg.config_id != id)
			continue;
		for (su = cfg.suites; su.len >= 4; su.p += 4, su.len -= 4)
			ok |= ((uint32_t)su.p[0] << 8 | su.p[1]) == kdf &&
				((uint32_t)su.p[2] << 8 | su.p[3]) == aead;
		if (!ok || (info = make_info(cfg.p, cfg.len, &infolen)) == NULL)
			continue;
		opened = wt_hpke_setup_r(c->ech->hpke, kdf, aead, enc.p, ks->k[i].sk,
					 info, infolen) == 0 &&
			wt_hpke_open(c->ech->hpke, aad, *len - 4, payload.p, payload.len,
				     pt) == 0;
		free(info);
	}
	free(aad);
	if (opened) {
		/* The HPKE context stays for a ClientHelloOuter2 (wiped with
		 * c->ech). */
		c->ech->status = WT_TLS_ECH_ACCEPTED;
		c->ech->s_id = id;
		c->ech->s_kdf = kdf;
		c->ech->s_aead = aead;
		if (rebuild(c, pt, payload.len - WT_HPKE_TAG_LEN, sid, exts))
			opened = -1;
	} else {
		drop_hpke(c->ech);
	}
	wt_wipe(pt, payload.len);
	free(pt);
	if (opened < 0)
		return -1;
	if (opened) {
		*msg = c->ech->inner;
		*len = c->ech->innerlen;
	}
	return 0;
}

int wt_ech_server_hello(wt_tls_conn *c, wt_wr *w, int hrr)
{
	wt_tls_ech *e = c->ech;
	uint8_t conf[8];
	if (e->status != WT_TLS_ECH_ACCEPTED)
		return 0;
	/* The ClientHelloInner no longer needed (everything in it that
	 * lives on was copied out while it was parsed). */
	wt_wipe(e->inner, e->innerlen);
	free(e->inner);
	e->inner = NULL;
	if (hrr) {
		/* Draft 7.2.1: the HRR's extension carries
		 * hrr_accept_confirmation, over message_hash(ClientHelloInner1)
		 * (the transcript now) || the HRR with those 8 bytes zero (as
		 * written: send() put zeros there). */
		wt_hash_ctx t = c->hs->th;
		uint8_t hdr[4] = { HS_SERVER_HELLO, (uint8_t)(w->len >> 16),
				   (uint8_t)(w->len >> 8), (uint8_t)w->len };
		uint8_t h[WT_HASH_MAX_LEN], prk[WT_HASH_MAX_LEN];
		wt_hash_update(&t, hdr, 4);
		wt_hash_update(&t, w->buf, w->len);
		wt_hash_out(&t, h);
		(void)wt_hkdf_extract(c->hash, NULL, 0, c->peer_random, 32, prk);
		(void)wt_hkdf_expand_label(c->hash, prk, c->hashlen,
					   "hrr ech accept confirmation", 27, h,
					   c->hashlen, w->buf + e->hrr_off, 8);
		wt_wipe(prk, sizeof prk);
		return 0;
	}
	drop_hpke(e); /* no ClientHello is left to open */
	confirmation(c, &c->hs->th, w->buf, w->len, c->peer_random, conf);
	memcpy(w->buf + 2 + 24, conf, 8);
	memcpy(c->random + 24, conf, 8);
	return 0;
}

/* ---- the extension ---------------------------------------------------------- */

static int recv(wt_tls_conn *c, uint32_t msg, wt_rd *b)
{
	wt_rd l;
	if (msg == M_CH)
		return 0; /* wt_ech_server_open read it already */
	if (msg == M_HRR) {
		/* Draft 7.2.1: 8 bytes of confirmation. */
		if (b->len != 8)
			return FAIL(c, WT_ALERT_DECODE_ERROR, WT_TLS_R_DECODE);
		c->ech->hrr_conf = b->p;
		return 0;
	}
	/* EncryptedExtensions: retry_configs (draft 5). 7.1.1 / 6.1.4: a
	 * client that sees it after ECH was accepted "MUST abort the
	 * handshake with an "unsupported_extension" alert". */
	if (c->ech == NULL || c->ech->status == WT_TLS_ECH_ACCEPTED)
		return FAIL(c, WT_ALERT_UNSUPPORTED_EXTENSION, WT_TLS_R_BAD_EXTENSION);
	l = *b;
	if (wt_rd_vec(b, 2, &l) || b->len || l.len < 4)
		return FAIL(c, WT_ALERT_DECODE_ERROR, WT_TLS_R_DECODE);
	free(c->ech->retry);
	c->ech->retry = malloc(2 + l.len);
	if (c->ech->retry == NULL)
		return FAIL(c, WT_ALERT_INTERNAL_ERROR, WT_TLS_ERR_NO_MEMORY);
	memcpy(c->ech->retry, l.p - 2, 2 + l.len);
	c->ech->retrylen = 2 + l.len;
	return 0;
}

static void send(wt_tls_conn *c, uint32_t msg, wt_wr *w)
{
	wt_tls_ech *e = c->ech;
	size_t p, q, i;
	if (e == NULL)
		return;
	if (msg == M_CH && e->status == WT_TLS_ECH_REJECTED) {
		/* ClientHello2 after a rejecting HRR: the extension as in
		 * ClientHello1 (RFC 8446 4.1.2 allows no change to it). */
		wt_wr_u16(w, EXT_ECH);
		wt_wr_u16(w, (uint32_t)e->outer_extlen);
		wt_wr_bytes(w, e->outer_ext, e->outer_extlen);
	} else if (msg == M_CH && !e->outer) {
		/* ClientHelloInner: the inner type, empty (draft 5). */
		wt_wr_u16(w, EXT_ECH);
		wt_wr_u16(w, 1);
		wt_wr_u8(w, ECH_TYPE_INNER);
	} else if (msg == M_CH) {
		/* ClientHelloOuter: cipher_suite, config_id, enc, and the
		 * payload, zeros until sealed (wt_ech_client_end_outer). */
		wt_wr_u16(w, EXT_ECH);
		p = wt_wr_open(w, 2);
		wt_wr_u8(w, ECH_TYPE_OUTER);
		wt_wr_u16(w, e->kdf);
		wt_wr_u16(w, e->aead);
		wt_wr_u8(w, e->config_id);
		/* enc: "empty" in ClientHelloOuter2 (draft 5, 6.1.5): the
		 * server keeps the HPKE context of the first. */
		wt_wr_u16(w, c->hrr ? 0 : 32);
		if (!c->hrr)
			wt_wr_bytes(w, e->enc, 32);
		wt_wr_u16(w, (uint32_t)e->payload_len);
		e->payload_off = w->len;
		for (i = 0; i < e->payload_len; i++)
			wt_wr_u8(w, 0);
		wt_wr_close(w, p, 2);
	} else if (msg == M_HRR && e->status == WT_TLS_ECH_ACCEPTED) {
		/* The HRR's confirmation, zeros until wt_ech_server_hello. */
		wt_wr_u16(w, EXT_ECH);
		wt_wr_u16(w, 8);
		e->hrr_off = w->len;
		for (i = 0; i < 8; i++)
			wt_wr_u8(w, 0);
	} else if (msg == M_EE && c->role == ROLE_SERVER &&
		   e->status == WT_TLS_ECH_REJECTED && c->ctx->ech_keys) {
		/* retry_configs: every configured ECHConfig (7.1). */
		wt_wr_u16(w, EXT_ECH);
		p = wt_wr_open(w, 2);
		q = wt_wr_open(w, 2);
		for (i = 0; i < c->ctx->ech_keys->n; i++)
			wt_wr_bytes(w, c->ctx->ech_keys->k[i].config,
				    c->ctx->ech_keys->k[i].configlen);
		wt_wr_close(w, q, 2);
		wt_wr_close(w, p, 2);
	}
}

const wt_tls_ext wt_ext_ech = { EXT_ECH, M_CH | M_EE | M_HRR, recv, send };
