/*
 * ct_pair.h: the two connections the record-layer ctgrind checks
 * (ct_tls_record.c, TLS 1.3; ct_tls12_record.c, TLS 1.2) key directly
 * and move secret data between, through the public calls. Ciphertext
 * handed from one side to the other is marked public (it is on the
 * wire); the test's own comparison is made in the open.
 */
#ifndef WT_CT_PAIR_H
#define WT_CT_PAIR_H

#include "ct.h"
#include "testutil.h"
#include "wt_tls.h"
#include "../../crypto-src/tls/tls_inner.h"

#define PT_MAX 40000

static uint8_t pt[PT_MAX], got[PT_MAX];
static wt_tls_ctx ctx;

typedef struct {
	wt_tls_conn c;
	uint8_t *arena;
} side;

/* Everything a has sent, to b, as public wire bytes. */
static size_t wire(side *a, side *b)
{
	size_t n, room, total = 0;
	for (;;) {
		uint8_t *o = wt_tls_net_out_buf(&a->c, &n), *i;
		if (n == 0)
			break;
		i = wt_tls_net_in_buf(&b->c, &room);
		if (room == 0)
			break;
		if (n > room)
			n = room;
		memcpy(i, o, n);
		CT_PUBLIC(i, n);
		wt_tls_net_in_ack(&b->c, n);
		wt_tls_net_out_ack(&a->c, n);
		total += n;
	}
	return total;
}

/* len secret bytes from a to b; 1 if they arrived intact. */
static int send_secret(side *a, side *b, size_t len)
{
	size_t w = 0, r = 0, n;
	int loops = 0, ok;
	wt_random(pt, len);
	CT_SECRET(pt, len);
	while ((w < len || r < len) && loops++ < 1000) {
		if (w < len && wt_tls_write_ex(&a->c, 1, pt, len, &n))
			w = n;
		wire(a, b);
		while (r < len && wt_tls_read_ex(&b->c, got + r, len - r, &n))
			r += n;
		wire(b, a); /* KeyUpdate answers */
		if (wt_tls_error_code(&a->c) || wt_tls_error_code(&b->c))
			break;
	}
	/* Compared in the open (the test's own check, not the engine). */
	CT_PUBLIC(pt, len);
	CT_PUBLIC(got, len);
	ok = w == len && r == len && memcmp(pt, got, len) == 0;
	return ok;
}

#endif
