/* server_name (RFC 6066 3). */
#include "../tls_inner.h"

/* What a received host_name is (RFC 6066 3: "the fully qualified DNS
 * hostname of the server ... represented as a byte string using ASCII
 * encoding without a trailing dot"; labels as RFC 1035 2.3.1 / 2.3.4 have
 * them, 1..63 octets of letters, digits and '-', plus the '_' real names
 * carry). The same rules ts/core/servername.ts applies to names we send. */
enum { SNI_OK, SNI_IP, SNI_BAD };

static int is_hex(uint8_t ch)
{
	return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') ||
		(ch >= 'A' && ch <= 'F');
}

static int sni_shape(const uint8_t *p, size_t n)
{
	size_t i, label = 0, last = 0;
	int v6 = 1, colon = 0, digits = 1, hex = 0;
	/* 255 octets in DNS wire form (RFC 1035 2.3.4) are 253 as text. */
	if (n > 253)
		return SNI_BAD;
	for (i = 0; i < n; i++) {
		if (p[i] == ':')
			colon = 1;
		else if (!(is_hex(p[i]) || p[i] == '.'))
			v6 = 0;
	}
	/* An IPv6 literal ("::1", "fe80::1"): RFC 6066 3 forbids it, but
	 * some clients send one (rustls ignores it as if no name came). */
	if (v6 && colon)
		return SNI_IP;
	for (i = 0; i < n; i++) {
		uint8_t ch = p[i];
		if (ch == '.') {
			/* Empty label: a leading dot, "..", or the trailing dot
			 * RFC 6066 3 excludes. */
			if (label == 0 || i + 1 == n)
				return SNI_BAD;
			label = 0;
			last = i + 1;
			continue;
		}
		/* NUL, control bytes, space, non-ASCII and punctuation:
		 * none is in a DNS host name. */
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '-' || ch == '_'))
			return SNI_BAD;
		if (++label > 63)
			return SNI_BAD;
	}
	/* The last label all digits (or 0x-hex, as inet_aton reads it):
	 * an IPv4 literal ("127.0.0.1"), ignored as above. */
	for (i = last; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			digits = 0;
		if (i == last + 1 && (p[i] == 'x' || p[i] == 'X') && p[last] == '0')
			hex = 1;
		else if (i > last + 1 && !is_hex(p[i]))
			hex = 0;
	}
	return digits || hex ? SNI_IP : SNI_OK;
}

static int recv(wt_tls_conn *c, uint32_t msg, wt_rd *b)
{
	wt_rd list, name;
	uint32_t type;
	int seen = 0, shape;
	if (msg == M_EE || msg == M_SH12) {
		/* "The "extension_data" field of this extension SHALL be
		 * empty." */
		if (b->len)
			return FAIL(c, WT_ALERT_DECODE_ERROR, WT_TLS_R_DECODE);
		return 0;
	}
	if (wt_rd_vec(b, 2, &list) || b->len || list.len == 0)
		return FAIL(c, WT_ALERT_DECODE_ERROR, WT_TLS_R_DECODE);
	c->snilen = 0;
	while (list.len) {
		if (wt_rd_u8(&list, &type) || wt_rd_vec(&list, 2, &name))
			return FAIL(c, WT_ALERT_DECODE_ERROR, WT_TLS_R_DECODE);
		if (type != 0)
			continue;
		/* RFC 6066 3: "The ServerNameList MUST NOT contain more than
		 * one name of the same name_type." rustls refuses a second
		 * one with illegal_parameter; before, it was ignored. */
		if (seen) {
			c->snilen = 0; /* nothing of a refused list stays */
			return FAIL(c, WT_ALERT_ILLEGAL_PARAMETER,
				    WT_TLS_R_DUP_EXTENSION);
		}
		seen = 1;
		if (name.len == 0 || name.len > 255)
			return FAIL(c, WT_ALERT_DECODE_ERROR, WT_TLS_R_DECODE);
		/* Checked before anything is stored: a NUL or control byte
		 * copied here would reach the application, where a C string
		 * cuts the name short or a log takes the bytes. OpenSSL
		 * (tls_parse_ctos_server_name: PACKET_contains_zero_byte) and
		 * BoringSSL refuse a NUL with unrecognized_name, and so do we
		 * for every name that is not a DNS host name (rustls sends
		 * decode_error). An IP literal is left out, not refused. */
		shape = sni_shape(name.p, name.len);
		if (shape == SNI_BAD)
			return FAIL(c, WT_ALERT_UNRECOGNIZED_NAME, WT_TLS_R_DECODE);
		if (shape == SNI_IP)
			continue;
		memcpy(c->sni, name.p, name.len);
		c->snilen = (uint32_t)name.len;
	}
	return 0;
}

static void send(wt_tls_conn *c, uint32_t msg, wt_wr *w)
{
	size_t p, q, r;
	if (msg == M_CH && c->snilen) {
		wt_wr_u16(w, EXT_SERVER_NAME);
		p = wt_wr_open(w, 2);
		q = wt_wr_open(w, 2);
		wt_wr_u8(w, 0); /* host_name */
		r = wt_wr_open(w, 2);
		wt_wr_bytes(w, c->sni, c->snilen);
		wt_wr_close(w, r, 2);
		wt_wr_close(w, q, 2);
		wt_wr_close(w, p, 2);
	} else if ((msg == M_EE || msg == M_SH12) && c->snilen && !c->resumed) {
		/* The server acknowledges the name it received, on a full
		 * handshake only: RFC 6066 3, "When resuming a session, the
		 * server MUST NOT include a server_name extension in the server
		 * hello" (TLS 1.3 moved it to EncryptedExtensions; OpenSSL and
		 * BoringSSL leave it out of a resumed one). */
		wt_wr_u16(w, EXT_SERVER_NAME);
		wt_wr_u16(w, 0);
	}
}

const wt_tls_ext wt_ext_server_name = { EXT_SERVER_NAME, M_CH | M_EE | M_SH12, recv,
					send };
