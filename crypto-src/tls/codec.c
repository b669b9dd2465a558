/*
 * codec.c: bounded read and write cursors for handshake messages (after
 * s2n's stuffer and rustls' Reader). A read can only see the bytes its
 * cursor covers, so a length field can never reach past its enclosing
 * vector; a failed read consumes nothing. Writers record an overflow
 * instead of writing past cap; the caller checks it once at the end.
 */
#include "tls_inner.h"

static int rd_be(wt_rd *r, size_t n, uint32_t *v)
{
	uint32_t x = 0;
	size_t i;
	if (r->len < n)
		return -1;
	for (i = 0; i < n; i++)
		x = (x << 8) | r->p[i];
	r->p += n;
	r->len -= n;
	*v = x;
	return 0;
}

int wt_rd_u8(wt_rd *r, uint32_t *v)
{
	return rd_be(r, 1, v);
}
int wt_rd_u16(wt_rd *r, uint32_t *v)
{
	return rd_be(r, 2, v);
}
int wt_rd_u32(wt_rd *r, uint32_t *v)
{
	return rd_be(r, 4, v);
}

int wt_rd_bytes(wt_rd *r, size_t n, const uint8_t **p)
{
	if (r->len < n)
		return -1;
	*p = r->p;
	r->p += n;
	r->len -= n;
	return 0;
}

int wt_rd_vec(wt_rd *r, size_t lenbytes, wt_rd *sub)
{
	wt_rd save = *r;
	uint32_t n;
	if (rd_be(r, lenbytes, &n) || r->len < n) {
		*r = save;
		return -1;
	}
	sub->p = r->p;
	sub->len = n;
	r->p += n;
	r->len -= n;
	return 0;
}

static void wr_be(wt_wr *w, uint32_t v, size_t n)
{
	size_t i;
	if (w->cap - w->len < n) {
		w->overflow = 1;
		return;
	}
	for (i = 0; i < n; i++)
		w->buf[w->len + i] = (uint8_t)(v >> (8 * (n - 1 - i)));
	w->len += n;
}

void wt_wr_u8(wt_wr *w, uint32_t v)
{
	wr_be(w, v, 1);
}
void wt_wr_u16(wt_wr *w, uint32_t v)
{
	wr_be(w, v, 2);
}
void wt_wr_u32(wt_wr *w, uint32_t v)
{
	wr_be(w, v, 4);
}

void wt_wr_bytes(wt_wr *w, const void *p, size_t n)
{
	if (w->cap - w->len < n) {
		w->overflow = 1;
		return;
	}
	if (n)
		memcpy(w->buf + w->len, p, n);
	w->len += n;
}

size_t wt_wr_open(wt_wr *w, size_t lenbytes)
{
	size_t pos = w->len;
	wr_be(w, 0, lenbytes);
	return pos;
}

void wt_wr_close(wt_wr *w, size_t pos, size_t lenbytes)
{
	size_t n, i;
	if (w->overflow)
		return;
	n = w->len - pos - lenbytes;
	/* A vector longer than its length field can say is an overflow too. */
	if (lenbytes < 4 && n >> (8 * lenbytes)) {
		w->overflow = 1;
		return;
	}
	for (i = 0; i < lenbytes; i++)
		w->buf[pos + i] = (uint8_t)(n >> (8 * (lenbytes - 1 - i)));
}
