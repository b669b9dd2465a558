/*
 * tls_testlib.h: an in-memory client <-> server pair for the TLS tests
 * (rustls' do_handshake / transfer, s2n's io pair): each side's outgoing
 * ciphertext is copied into the other's incoming side, as far as there
 * is room, both bounded.
 *
 * Test key material: an Ed25519 key and self-signed certificate made once
 * with
 *   openssl genpkey -algorithm ed25519 -outform DER -out ed.key
 *   openssl req -x509 -new -key ed.key -keyform DER -subj /CN=wasmtls-test \
 *     -days 36500 -outform DER -out ed.crt
 * and typed in below as hex.
 */
#ifndef WT_TLS_TESTLIB_H
#define WT_TLS_TESTLIB_H

#include "wt_tls.h"
#include "wt_pk.h"
#include "testutil.h"

static const char ED_KEY_HEX[] =
	"302e020100300506032b65700422042083cb4ccd858ccd8f959c25aa407b5d2e"
	"2cd127baed7024d5a7119784520b9c83";
static const char ED_CRT_HEX[] =
	"308201443081f7a0030201020214200b0f3c2dcfe4250a1d6e257b3cea68e04f"
	"fc91300506032b657030173115301306035504030c0c7761736d746c732d7465"
	"73743020170d3236313132373231343435325a180f3231323631313033323134"
	"3435325a30173115301306035504030c0c7761736d746c732d74657374302a30"
	"0506032b65700321009976fb60f17c31c86194e4454a18dad684f766f9c34d53"
	"be7e77b1ed003ff857a3533051301d0603551d0e04160414fcbb6681782e52ed"
	"298e842e4383064e633dc243301f0603551d23041830168014fcbb6681782e52"
	"ed298e842e4383064e633dc243300f0603551d130101ff040530030101ff3005"
	"06032b6570034100fc5e33ed2a1d2e8fee63cbd6932530cf835a2584326dd8ba"
	"19a903f5b0a0cfcd67d7e1331985991c728f23d6c400174ba3bd184450f7c1ca"
	"9a7207227836840a";

/* ECDSA P-256 (PKCS#8) made the same way with
 *   openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 ... */
static const char P256_KEY_HEX[] =
	"30770201010420957263997bc51f9054abca3ee267ad107b56d0a2c06dae9edc"
	"65f7dbe1d15851a00a06082a8648ce3d030107a14403420004f6df6068aa6073"
	"f65a6026485b30928ef76282b53127f52cabe354876f4a7b29716941ef8637e3"
	"670319696ddbf0edd2930d1406f518a851f909e5fd50fa5dfe";
static const char P256_CRT_HEX[] =
	"3082018f30820135a00302010202143229765286bba1585ccdf9d91c93ef2c7c"
	"c5947f300a06082a8648ce3d040302301c311a301806035504030c117761736d"
	"746c732d746573742d703235363020170d3236313132373231343931325a180f"
	"32313236313130333231343931325a301c311a301806035504030c117761736d"
	"746c732d746573742d703235363059301306072a8648ce3d020106082a8648ce"
	"3d03010703420004f6df6068aa6073f65a6026485b30928ef76282b53127f52c"
	"abe354876f4a7b29716941ef8637e3670319696ddbf0edd2930d1406f518a851"
	"f909e5fd50fa5dfea3533051301d0603551d0e04160414de353edfc34a358c4c"
	"b0d07d60d412caccc507f6301f0603551d23041830168014de353edfc34a358c"
	"4cb0d07d60d412caccc507f6300f0603551d130101ff040530030101ff300a06"
	"082a8648ce3d04030203480030450220013c17a8d50fc439c6d3157e0e281dac"
	"875d2432f26cac030b50563df18efec2022100835c048faa21be71044457ccc6"
	"e4e8b62c6838c8b973eb23517bd8f5440c6091";

typedef struct {
	wt_tls_ctx *cctx, *sctx;
	wt_tls_conn *c, *s;
	uint8_t *ca, *sa;
	uint8_t *key, *crt;
	size_t keylen, crtlen;
} tpair;

/* Contexts with the test certificate on the server (and client, for
 * client-auth tests) and the insecure-for-tests verification policy. */
static inline void tp_ctx(tpair *p)
{
	p->c = p->s = NULL;
	p->cctx = calloc(1, wt_tls_ctx_size());
	p->sctx = calloc(1, wt_tls_ctx_size());
	wt_tls_ctx_init(p->cctx);
	wt_tls_ctx_init(p->sctx);
	p->key = unhex(ED_KEY_HEX, &p->keylen);
	p->crt = unhex(ED_CRT_HEX, &p->crtlen);
	if (wt_tls_ctx_set_chain(p->sctx, p->crt, p->crtlen) ||
	    wt_tls_ctx_set_key(p->sctx, p->key, p->keylen))
		fprintf(stderr, "test key setup failed\n");
	wt_tls_ctx_set_verify(p->cctx, WT_TLS_VERIFY_INSECURE_NO_CHAIN, 0);
}

static inline void tp_conns(tpair *p)
{
	size_t ca = wt_tls_conn_arena_size(p->cctx), sa = wt_tls_conn_arena_size(p->sctx);
	p->c = calloc(1, wt_tls_conn_size());
	p->s = calloc(1, wt_tls_conn_size());
	p->ca = malloc(ca);
	p->sa = malloc(sa);
	wt_tls_conn_init(p->c, p->cctx, p->ca, ca);
	wt_tls_conn_init(p->s, p->sctx, p->sa, sa);
	wt_tls_set_connect_state(p->c);
	wt_tls_set_accept_state(p->s);
}

static inline void tp_free_conns(tpair *p)
{
	wt_tls_conn_clear(p->c);
	wt_tls_conn_clear(p->s);
	free(p->c); free(p->s); free(p->ca); free(p->sa);
	p->c = p->s = NULL;
}

static inline void tp_free(tpair *p)
{
	if (p->c)
		tp_free_conns(p);
	wt_tls_ctx_clear(p->cctx);
	wt_tls_ctx_clear(p->sctx);
	free(p->cctx); free(p->sctx); free(p->key); free(p->crt);
}

/* Move up to max bytes (0 = all that fit) from a's out to b's in. */
static inline size_t tp_move(wt_tls_conn *a, wt_tls_conn *b, size_t max)
{
	size_t n, room, total = 0;
	for (;;) {
		uint8_t *src = wt_tls_net_out_buf(a, &n), *dst;
		if (n == 0)
			break;
		dst = wt_tls_net_in_buf(b, &room);
		if (room == 0)
			break;
		if (n > room) n = room;
		if (max && n > max - total) n = max - total;
		if (n == 0)
			break;
		memcpy(dst, src, n);
		wt_tls_net_in_ack(b, n);
		wt_tls_net_out_ack(a, n);
		total += n;
	}
	return total;
}

/* Drive both handshakes; 1 when both completed. frag: bytes per move
 * (0 = all), to exercise fragmentation. */
static inline int tp_handshake_frag(tpair *p, size_t frag)
{
	int i, rc = 0, rs = 0;
	for (i = 0; i < 100000; i++) {
		if (rc != 1) rc = wt_tls_do_handshake(p->c);
		if (rs != 1) rs = wt_tls_do_handshake(p->s);
		if (rc == 1 && rs == 1 && !wt_tls_net_out_pending(p->c) &&
		    !wt_tls_net_out_pending(p->s))
			return 1;
		if ((rc != 1 && wt_tls_get_error(p->c, rc) == WT_TLS_ERROR_SSL) ||
		    (rs != 1 && wt_tls_get_error(p->s, rs) == WT_TLS_ERROR_SSL)) {
			tp_move(p->c, p->s, 0);
			tp_move(p->s, p->c, 0);
			return 0;
		}
		if (!tp_move(p->c, p->s, frag) && !tp_move(p->s, p->c, frag) &&
		    rc != 0 && rs != 0 && i > 3) {
			/* no progress possible */
		}
	}
	return 0;
}
static inline int tp_handshake(tpair *p) { return tp_handshake_frag(p, 0); }

#endif
