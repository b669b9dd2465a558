/*
 * test_tls_sizes.c: handshake messages of the sizes real peers use, and
 * what a connection holds for them. Certificate messages of 42 KB (a
 * chain real servers send) and 100 KB (OpenSSL's default max_cert_list
 * is 100 KiB) both ways in memory, a 64 KiB ClientHello (RFC 7685
 * padding), a chain no peer could take refused at configuration time,
 * and the memory of a connection during and after the handshake: the
 * handshake's regions exist while it runs and are given back after.
 * (test/sizes.test.ts does the same sizes against openssl s_server and
 * s_client.)
 */
#include "tls_mitm.h"

/* The Ed25519 test certificate, then DER OCTET STRINGs of filler up to
 * about total bytes (16000 each, the size of a real certificate with a
 * long SAN list). The chain is not validated here (INSECURE_NO_CHAIN):
 * only its size and the leaf's key matter. */
static uint8_t *big_chain(size_t total, size_t *len)
{
	size_t crtlen, off;
	uint8_t *crt = unhex(ED_CRT_HEX, &crtlen), *b = malloc(total + 16);
	memcpy(b, crt, crtlen);
	off = crtlen;
	while (off + 4 + 100 < total) {
		size_t n = total - off - 4 > 16000 ? 16000 : total - off - 4;
		b[off] = 0x04;
		b[off + 1] = 0x82;
		b[off + 2] = (uint8_t)(n >> 8);
		b[off + 3] = (uint8_t)n;
		memset(b + off + 4, 0xA5, n);
		off += 4 + n;
	}
	free(crt);
	*len = off;
	return b;
}

/* Bytes the handshake's engine-allocated regions hold now. */
static size_t hs_heap(const wt_tls_conn *c)
{
	return (c->hs_stage ? c->stage_cap : 0) + (c->hsi_buf ? c->hsi_cap : 0) +
		(c->hso_buf ? c->hso_cap : 0);
}

/* A handshake and data both ways, watching the peak of the handshake
 * regions; 1 if it completed. */
static int run(tpair *p, size_t *peak_c, size_t *peak_s)
{
	int i, rc = 0, rs = 0;
	*peak_c = *peak_s = 0;
	for (i = 0; i < 10000 &&
	     !(rc == 1 && rs == 1 && !wt_tls_net_out_pending(p->c) &&
	       !wt_tls_net_out_pending(p->s));
	     i++) {
		if (rc != 1)
			rc = wt_tls_do_handshake(p->c);
		if (rs != 1)
			rs = wt_tls_do_handshake(p->s);
		if (hs_heap(p->c) > *peak_c)
			*peak_c = hs_heap(p->c);
		if (hs_heap(p->s) > *peak_s)
			*peak_s = hs_heap(p->s);
		if (wt_tls_error_code(p->c) || wt_tls_error_code(p->s))
			return 0;
		tp_move(p->c, p->s, 0);
		tp_move(p->s, p->c, 0);
	}
	return rc == 1 && rs == 1;
}

static int data_both_ways(tpair *p)
{
	uint8_t b[64];
	size_t n;
	int ok = wt_tls_write(p->c, 1, (const uint8_t *)"up", 2) == 2;
	tp_move(p->c, p->s, 0);
	ok &= wt_tls_read_ex(p->s, b, sizeof b, &n) && n == 2 && memcmp(b, "up", 2) == 0;
	ok &= wt_tls_write(p->s, 1, (const uint8_t *)"down", 4) == 4;
	tp_move(p->s, p->c, 0);
	ok &= wt_tls_read_ex(p->c, b, sizeof b, &n) && n == 4 &&
		memcmp(b, "down", 4) == 0;
	tp_move(p->c, p->s, 0);
	tp_move(p->s, p->c, 0);
	return ok;
}

static void test_big_chains(void)
{
	static const size_t sizes[] = { 42 * 1000, 100 * 1000 };
	size_t i, len, pc, ps;
	for (i = 0; i < 2; i++) {
		uint8_t *chain = big_chain(sizes[i], &len);
		tpair p;
		/* Server -> client. */
		tp_ctx(&p);
		CHECK(wt_tls_ctx_set_chain(p.sctx, chain, len) == 0,
		      "%zu-byte chain accepted by the ctx", len);
		tp_conns(&p);
		CHECK(run(&p, &pc, &ps) && data_both_ways(&p),
		      "server sends a %zu-byte chain: handshake and data (client %s)",
		      len, wt_tls_err_string(wt_tls_error_code(p.c)));
		CHECK(pc >= len && hs_heap(p.c) == 0 && hs_heap(p.s) == 0,
		      "%zu-byte chain: the client's hs_in grew to it (peak %zu), "
		      "both give the handshake regions back (%zu, %zu)",
		      len, pc, hs_heap(p.c), hs_heap(p.s));
		tp_free(&p);
		/* Client -> server (client authentication). */
		tp_ctx(&p);
		wt_tls_ctx_set_verify(p.sctx, WT_TLS_VERIFY_INSECURE_NO_CHAIN,
				      WT_TLS_CLIENT_CERT_REQUIRE);
		tp_use_cert(p.cctx, TK_ED25519);
		CHECK(wt_tls_ctx_set_chain(p.cctx, chain, len) == 0,
		      "client ctx: %zu-byte chain", len);
		tp_conns(&p);
		CHECK(run(&p, &pc, &ps) && data_both_ways(&p) &&
			      wt_tls_peer_authenticated(p.s) == 1,
		      "client sends a %zu-byte chain: handshake, authenticated, data "
		      "(server %s)",
		      len, wt_tls_err_string(wt_tls_error_code(p.s)));
		tp_free(&p);
		free(chain);
	}

	/* A receiver keeps its own limit: a 42 KB chain to a client whose
	 * hs_max is 32 KiB is refused at the message header. */
	{
		uint8_t *chain = big_chain(42 * 1000, &len);
		tpair p;
		tp_ctx(&p);
		wt_tls_ctx_set_chain(p.sctx, chain, len);
		wt_tls_ctx_set_sizes(p.cctx, WT_TLS_DEFAULT_NET_IN,
				     WT_TLS_DEFAULT_NET_OUT, 32768);
		tp_conns(&p);
		CHECK(!run(&p, &pc, &ps) &&
			      wt_tls_error_code(p.c) ==
				      WT_TLS_ERR_SEND_ALERT + WT_ALERT_DECODE_ERROR &&
			      wt_tls_reason(p.c) == WT_TLS_R_HS_TOO_LARGE,
		      "42 KB chain to a client limited to 32 KiB: decode_error, "
		      "handshake message too large");
		tp_free(&p);
		free(chain);
	}
}

/* A server context refuses a chain it could never send (its Certificate
 * message over hs_max), with its own error. */
static void test_chain_too_large(void)
{
	wt_tls_ctx *ctx = calloc(1, wt_tls_ctx_size());
	size_t len, small;
	uint8_t *chain = big_chain(140 * 1000, &len), *one = big_chain(20000, &small);
	wt_tls_ctx_init(ctx);
	CHECK(wt_tls_ctx_set_chain(ctx, chain, len) == WT_TLS_ERR_CHAIN_TOO_LARGE,
	      "140 KB chain with the default hs_max (128 KiB): CHAIN_TOO_LARGE");
	CHECK(strstr(wt_tls_err_string(WT_TLS_ERR_CHAIN_TOO_LARGE), "hs_max") != NULL,
	      "its text names the limit: %s",
	      wt_tls_err_string(WT_TLS_ERR_CHAIN_TOO_LARGE));
	CHECK(wt_tls_ctx_set_sizes(ctx, WT_TLS_DEFAULT_NET_IN, WT_TLS_DEFAULT_NET_OUT,
				   160 * 1024) == 0 &&
		      wt_tls_ctx_set_chain(ctx, chain, len) == 0,
	      "... accepted with hs_max 160 KiB");
	CHECK(wt_tls_ctx_set_sizes(ctx, WT_TLS_DEFAULT_NET_IN, WT_TLS_DEFAULT_NET_OUT,
				   64 * 1024) == WT_TLS_ERR_CHAIN_TOO_LARGE,
	      "... and hs_max cannot then shrink below it");
	CHECK(wt_tls_ctx_set_chain(ctx, one, small) == 0 &&
		      wt_tls_ctx_set_sizes(ctx, WT_TLS_DEFAULT_NET_IN,
					   WT_TLS_DEFAULT_NET_OUT, 64 * 1024) == 0,
	      "a 20 KB chain, then hs_max 64 KiB: accepted");
	{
		/* Not DER: a length running past the end. */
		static const uint8_t bad[] = { 0x30, 0x82, 0x10, 0x00, 1, 2, 3 };
		CHECK(wt_tls_ctx_set_chain(ctx, bad, sizeof bad) == WT_TLS_ERR_CONFIG,
		      "a chain that is not DER elements: CONFIG");
	}
	wt_tls_ctx_clear(ctx);
	free(ctx);
	free(chain);
	free(one);
}

/* RFC 8446 4.1.2 ClientHello "extensions<8..2^16-1>": with RFC 7685's
 * padding extension a ClientHello reaches 64 KiB, legal, and a server
 * takes it (it spans five plaintext records). */
static void test_big_client_hello(void)
{
	static uint8_t wire[65536], ch[70000], out[65536];
	tpair p;
	size_t wl, off, exts, extlen, pad, chlen, n;
	tp_ctx(&p);
	tp_conns(&p);
	(void)wt_tls_do_handshake(p.c);
	wl = t_take(p.c, wire, sizeof wire);
	/* One plaintext record holding the ClientHello. */
	CHECK(wl > 9 && wire[0] == 22 && wire[5] == HS_CLIENT_HELLO,
	      "a ClientHello record");
	memcpy(ch, wire + 5, wl - 5);
	/* legacy_version, random, session id, suites, compression. */
	off = 4 + 2 + 32;
	off += 1 + ch[off];
	off += 2 + ((size_t)ch[off] << 8 | ch[off + 1]);
	off += 1 + ch[off];
	exts = off;
	extlen = (size_t)ch[exts] << 8 | ch[exts + 1];
	pad = 0xFFFF - extlen - 4;
	/* padding: type 21, length, zeros (RFC 7685 3). */
	off = exts + 2 + extlen;
	ch[off] = 0;
	ch[off + 1] = 21;
	ch[off + 2] = (uint8_t)(pad >> 8);
	ch[off + 3] = (uint8_t)pad;
	memset(ch + off + 4, 0, pad);
	ch[exts] = 0xFF;
	ch[exts + 1] = 0xFF;
	chlen = off + 4 + pad;
	ch[1] = (uint8_t)((chlen - 4) >> 16);
	ch[2] = (uint8_t)((chlen - 4) >> 8);
	ch[3] = (uint8_t)(chlen - 4);
	CHECK(chlen >= 65536, "ClientHello of %zu bytes (>= 64 KiB)", chlen);
	t_give_frag(p.s, NULL, 22, ch, chlen, 16384);
	(void)wt_tls_do_handshake(p.s);
	n = t_take(p.s, out, sizeof out);
	CHECK(wt_tls_error_code(p.s) == 0 && n > 9 && out[0] == 22 &&
		      out[5] == HS_SERVER_HELLO,
	      "the server takes it and answers with a ServerHello (%s)",
	      wt_tls_err_string(wt_tls_error_code(p.s)));
	tp_free(&p);
}

/* What a connection holds: before the handshake regions moved out of the
 * arena, every connection held 206174 bytes of arena (hs_max 32 KiB:
 * in 33290 + out 16709 + stage 70154 + hs_in 49157 + hs_out 36864), idle
 * or not. */
static void test_memory(void)
{
	tpair p;
	size_t pc, ps, arena;
	tp_ctx(&p);
	arena = wt_tls_conn_arena_size(p.cctx);
	tp_conns(&p);
	CHECK(run(&p, &pc, &ps) && data_both_ways(&p), "handshake");
	printf("memory: arena %zu bytes + connection struct %zu = %zu per established "
	       "idle "
	       "connection (before: 206174 + struct); handshake regions at their peak: "
	       "client %zu, server %zu bytes, after: %zu, %zu\n",
	       arena, wt_tls_conn_size(), arena + wt_tls_conn_size(), pc, ps,
	       hs_heap(p.c), hs_heap(p.s));
	CHECK(arena < 80000 && hs_heap(p.c) == 0 && hs_heap(p.s) == 0 && pc > 0 && ps > 0,
	      "an idle established connection holds its arena (%zu) and nothing of the "
	      "handshake",
	      arena);
	/* A KeyUpdate (a post-handshake message) takes hs_in for its time
	 * only. */
	CHECK(wt_tls_key_update(p.s, 1) == 1 && data_both_ways(&p) &&
		      data_both_ways(&p) && hs_heap(p.c) == 0 && hs_heap(p.s) == 0,
	      "after KeyUpdates both ways: nothing held");
	tp_free(&p);
}

int main(void)
{
	(void)scratch_rec;
	test_memory();
	test_big_chains();
	test_chain_too_large();
	test_big_client_hello();
	return t_done();
}
