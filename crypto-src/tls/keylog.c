/*
 * keylog.c: the key log queue (NSS key log format, the SSLKEYLOGFILE of
 * draft-ietf-tls-keylogfile; what Wireshark reads). The engine may not
 * call out to the host (the wasm module has no callback import), so each
 * secret is copied into a fixed queue in the connection when it comes
 * into use and the host takes it with wt_tls_keylog_next() after the call.
 *
 * The labels name RFC 8446 7.1's secrets:
 *   CLIENT_HANDSHAKE_TRAFFIC_SECRET  client_handshake_traffic_secret
 *   SERVER_HANDSHAKE_TRAFFIC_SECRET  server_handshake_traffic_secret
 *   CLIENT_TRAFFIC_SECRET_0          client_application_traffic_secret_0
 *   SERVER_TRAFFIC_SECRET_0          server_application_traffic_secret_0
 *   EXPORTER_SECRET                  exporter_master_secret
 * All of them are Hash.length bytes (7.1: "Derive-Secret(Secret, Label,
 * Messages) = HKDF-Expand-Label(Secret, Label, Transcript-Hash(Messages),
 * Hash.length)"), so 32 or 48 here.
 *
 * Nothing is copied unless the host asked (a copy of a traffic secret is
 * a copy of the session), and every copy is wiped when taken, when
 * keylog is turned off, and by wt_tls_conn_clear (which wipes the whole
 * connection).
 */
#include "tls_inner.h"

static const char *const LABELS[] = {
	NULL, "CLIENT_HANDSHAKE_TRAFFIC_SECRET", "SERVER_HANDSHAKE_TRAFFIC_SECRET",
	"CLIENT_TRAFFIC_SECRET_0", "SERVER_TRAFFIC_SECRET_0", "EXPORTER_SECRET",
	/* TLS 1.2: the master secret (NSS key log format) */
	"CLIENT_RANDOM",
	/* TLS 1.3 0-RTT */
	"CLIENT_EARLY_TRAFFIC_SECRET"
};

/* see wt_tls.h */
const char *wt_tls_keylog_label(uint32_t id)
{
	return id < sizeof LABELS / sizeof LABELS[0] ? LABELS[id] : NULL;
}

/* see wt_tls.h */
void wt_tls_set_keylog(wt_tls_conn *c, int on)
{
	c->keylog = on ? 1 : 0;
	if (!on) {
		wt_wipe(c->kl, sizeof c->kl);
		c->kl_head = c->kl_n = 0;
	}
}

/* see tls_inner.h */
void wt_tls_keylog_put(wt_tls_conn *c, uint32_t id, const uint8_t *secret)
{
	wt_tls_keylog_entry *e;
	if (!c->keylog)
		return;
	/* At most six secrets per handshake (five, and 0-RTT's) and no more after it (KeyUpdate
	 * secrets are not logged), so the queue cannot fill; if it ever did,
	 * a line would be lost, never memory overwritten. */
	size_t n = id == WT_TLS_KEYLOG_CLIENT_RANDOM ? 48 : c->hashlen;
	if (c->kl_n >= WT_TLS_KEYLOG_SLOTS || n > WT_TLS_KEYLOG_SECRET_MAX)
		return;
	e = &c->kl[c->kl_n++];
	e->id = (uint8_t)id;
	e->len = (uint8_t)n;
	memcpy(e->secret, secret, n);
}

/* see wt_tls.h */
uint32_t wt_tls_keylog_next(wt_tls_conn *c, uint8_t out[WT_TLS_KEYLOG_SECRET_MAX],
			    size_t *len)
{
	wt_tls_keylog_entry *e;
	uint32_t id;
	*len = 0;
	if (c->kl_head >= c->kl_n)
		return WT_TLS_KEYLOG_NONE;
	e = &c->kl[c->kl_head++];
	id = e->id;
	*len = e->len;
	memcpy(out, e->secret, e->len);
	wt_wipe(e, sizeof *e);
	if (c->kl_head == c->kl_n)
		c->kl_head = c->kl_n = 0;
	return id;
}

/* see wt_tls.h */
const uint8_t *wt_tls_client_random(const wt_tls_conn *c)
{
	/* hs_seen_ch: the client set it once its ClientHello was built, the
	 * server once one parsed. */
	if (!c->hs_seen_ch)
		return NULL;
	return c->role == ROLE_CLIENT ? c->random : c->peer_random;
}
