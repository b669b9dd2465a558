/*
 * errors.c: the one table of error codes and their reason strings
 * (exported to TypeScript through wasm/exports_tls.c). Alert codes fold
 * in: 0x100 + alert received, 0x200 + alert sent (BearSSL's
 * BR_ERR_RECV_FATAL_ALERT / BR_ERR_SEND_FATAL_ALERT).
 *
 * Layer "failure" (see tls_inner.h): also the ONE failure path. Every failure of
 * the engine goes through wt_tls_fail_code (BearSSL br_ssl_engine_fail):
 * the first error wins by construction, and this file is the only place
 * that writes the connection's error field. The record layer below
 * reports failures as codes; the failing forms of its calls for the
 * layers above (wt_tls_seal, wt_tls_set_keys, wt_tls_send_alert) are
 * here.
 */
#include "tls_inner.h"

static const struct {
	uint32_t code;
	const char *text;
} LOCAL[] = {
	{ WT_TLS_OK, "no error" },
	{ WT_TLS_ERR_NO_STATE, "neither connect nor accept state was set" },
	{ WT_TLS_ERR_NO_VERIFY_POLICY,
	  "no certificate verification policy set on the context" },
	{ WT_TLS_ERR_BAD_WRITE_RETRY,
	  "bad write retry: a write after WANT_* must repeat the same buffer, length and "
	  "bytes" },
	{ WT_TLS_ERR_BAD_LENGTH, "bad length (write of 0 bytes, or too long)" },
	{ WT_TLS_ERR_PROTOCOL_SHUTDOWN, "write after close_notify was sent" },
	{ WT_TLS_ERR_NO_BUFFERS, "connection buffers released or too small" },
	{ WT_TLS_ERR_CONFIG, "bad configuration" },
	{ WT_TLS_ERR_UNEXPECTED_EOF,
	  "unexpected EOF: transport closed without close_notify" },
	{ WT_TLS_ERR_INTERNAL, "internal error" },
	{ WT_TLS_ERR_CRYPTO_UNAVAILABLE, "cryptographic primitive not available" },
	{ WT_TLS_ERR_CHAIN_TOO_LARGE,
	  "certificate chain too large: its Certificate message exceeds the handshake "
	  "message limit (hs_max)" },
	{ WT_TLS_ERR_NO_MEMORY,
	  "out of memory: the module's memory is exhausted (at its maximum or the "
	  "limit set at load time)" },
	{ WT_TLS_R_RECORD_OVERFLOW, "record too long" },
	{ WT_TLS_R_BAD_RECORD_TYPE, "unexpected record content type" },
	{ WT_TLS_R_BAD_RECORD_VERSION, "bad record version" },
	{ WT_TLS_R_BAD_RECORD_MAC, "record authentication failed" },
	{ WT_TLS_R_EMPTY_RECORD, "empty record where none is allowed" },
	{ WT_TLS_R_NO_CONTENT_TYPE, "protected record without a content type" },
	{ WT_TLS_R_BAD_CCS, "bad or misplaced change_cipher_spec" },
	{ WT_TLS_R_UNEXPECTED_MESSAGE, "unexpected handshake message" },
	{ WT_TLS_R_HS_TOO_LARGE, "handshake message too large" },
	{ WT_TLS_R_DECODE, "malformed handshake message" },
	{ WT_TLS_R_DUP_EXTENSION, "duplicate extension" },
	{ WT_TLS_R_BAD_EXTENSION,
	  "extension not allowed in this message or not requested" },
	{ WT_TLS_R_NO_TLS13, "peer does not support TLS 1.3" },
	{ WT_TLS_R_NO_SHARED_SUITE, "no shared cipher suite" },
	{ WT_TLS_R_NO_SHARED_GROUP, "no shared key exchange group" },
	{ WT_TLS_R_NO_SHARED_SIGALG, "no shared signature scheme" },
	{ WT_TLS_R_BAD_KEY_SHARE, "bad key share" },
	{ WT_TLS_R_BAD_HRR, "bad HelloRetryRequest" },
	{ WT_TLS_R_DOWNGRADE, "downgrade sentinel in ServerHello.random" },
	{ WT_TLS_R_BAD_FINISHED, "Finished verify_data mismatch" },
	{ WT_TLS_R_BAD_SIGNATURE, "CertificateVerify signature does not verify" },
	{ WT_TLS_R_BAD_CERTIFICATE, "bad certificate" },
	{ WT_TLS_R_NO_CERTIFICATE, "peer sent no certificate" },
	{ WT_TLS_R_CERT_REJECTED, "certificate rejected by verification" },
	{ WT_TLS_R_NO_ALPN, "no shared application protocol" },
	{ WT_TLS_R_BAD_PSK, "bad pre_shared_key" },
	{ WT_TLS_R_BAD_BINDER, "PSK binder mismatch" },
	{ WT_TLS_R_HS_KEY_CHANGE, "handshake message spans a key change" },
	{ WT_TLS_R_BAD_KEY_UPDATE, "bad KeyUpdate" },
	{ WT_TLS_R_DATA_AFTER_CLOSE, "data after close_notify" },
	{ WT_TLS_R_BAD_SESSION_ID, "legacy_session_id_echo mismatch" },
	{ WT_TLS_R_BAD_COMPRESSION, "legacy compression method not null" },
	{ WT_TLS_R_MISSING_EXTENSION, "required extension missing" },
	{ WT_TLS_R_BAD_RECORD_SIZE_LIMIT, "bad record_size_limit" },
	{ WT_TLS_R_BAD_LEGACY_VERSION, "ServerHello legacy_version is not 0x0303" },
	{ WT_TLS_R_EARLY_DATA, "early data not acceptable" },
	{ WT_TLS_R_BAD_COOKIE, "HelloRetryRequest cookie not echoed" },
	{ WT_TLS_R_TOO_MANY_EMPTY,
	  "too many consecutive empty or change_cipher_spec records" },
	{ WT_TLS_R_TOO_MANY_WARNINGS, "too many consecutive user_canceled alerts" },
	{ WT_TLS_R_TOO_MANY_POST_MSGS,
	  "too many KeyUpdate or NewSessionTicket messages without application data" },
	{ WT_TLS_R_KEY_USAGE,
	  "peer certificate's keyUsage does not allow digitalSignature" },
	{ WT_TLS_R_NO_SHARED_VERSION, "no protocol version in common" },
	{ WT_TLS_R_RENEGOTIATION, "renegotiation refused" },
	{ WT_TLS_R_BAD_RENEGOTIATION_INFO, "bad renegotiation_info (RFC 5746)" },
	{ WT_TLS_R_INAPPROPRIATE_FALLBACK,
	  "inappropriate fallback (TLS_FALLBACK_SCSV, RFC 7507)" },
	{ WT_TLS_R_BAD_POINT_FORMAT, "no uncompressed EC point format (RFC 8422)" },
	{ WT_TLS_R_NO_EMS, "session without extended master secret (RFC 7627)" },
	{ WT_TLS_R_ECH_REJECTED, "the server rejected Encrypted Client Hello" },
	{ WT_TLS_R_ECH_BAD_INNER, "bad ClientHelloInner (Encrypted Client Hello)" },
	{ WT_TLS_R_ECH_CONFIG, "ECHConfig public key unusable" },
	{ WT_TLS_R_CERT_DECOMPRESS,
	  "compressed certificate refused: bad stream, or not its announced length (RFC "
	  "8879)" },
	{ WT_TLS_R_CERT_COMPRESSION_ALG,
	  "certificate compressed with an algorithm not offered (RFC 8879)" },
	{ WT_TLS_R_KEYOP_FAILED, "the private key operation (signer) failed" },
};

static const struct {
	uint32_t a;
	const char *text;
} ALERTS[] = {
	{ 0, "close_notify" },
	{ 10, "unexpected_message" },
	{ 20, "bad_record_mac" },
	{ 22, "record_overflow" },
	{ 40, "handshake_failure" },
	{ 42, "bad_certificate" },
	{ 43, "unsupported_certificate" },
	{ 44, "certificate_revoked" },
	{ 45, "certificate_expired" },
	{ 46, "certificate_unknown" },
	{ 47, "illegal_parameter" },
	{ 48, "unknown_ca" },
	{ 49, "access_denied" },
	{ 50, "decode_error" },
	{ 51, "decrypt_error" },
	{ 70, "protocol_version" },
	{ 71, "insufficient_security" },
	{ 80, "internal_error" },
	{ 86, "inappropriate_fallback" },
	{ 90, "user_canceled" },
	{ 100, "no_renegotiation" },
	{ 109, "missing_extension" },
	{ 110, "unsupported_extension" },
	{ 112, "unrecognized_name" },
	{ 113, "bad_certificate_status_response" },
	{ 115, "unknown_psk_identity" },
	{ 116, "certificate_required" },
	{ 120, "no_application_protocol" },
	{ 121, "ech_required" },
};

/* "received alert: " / "sent alert: " + name, built once per code into
 * a static table so the caller gets a stable string. */
static char alert_text[2][sizeof ALERTS / sizeof ALERTS[0]][64];

const char *wt_tls_err_string(uint32_t code)
{
	size_t i;
	if (code < 0x100) {
		for (i = 0; i < sizeof LOCAL / sizeof LOCAL[0]; i++)
			if (LOCAL[i].code == code)
				return LOCAL[i].text;
		return "unknown error";
	}
	if (code < 0x300) {
		int sent = code >= 0x200;
		for (i = 0; i < sizeof ALERTS / sizeof ALERTS[0]; i++) {
			if (ALERTS[i].a == (code & 0xFF)) {
				char *t = alert_text[sent][i];
				if (!t[0]) {
					const char *pre = sent ? "sent fatal alert: " :
								 "received fatal alert: ";
					size_t a = strlen(pre),
					       b = strlen(ALERTS[i].text);
					memcpy(t, pre, a);
					memcpy(t + a, ALERTS[i].text, b + 1);
				}
				return t;
			}
		}
		return code >= 0x200 ? "sent fatal alert (unknown)" :
				       "received fatal alert (unknown)";
	}
	return "unknown error";
}

/* ---- the one failure path ------------------------------------------------- */

int wt_tls_fail_code(wt_tls_conn *c, uint32_t alert, uint32_t err, uint32_t reason)
{
	if (c->err)
		return -1; /* the first error wins */
	if (alert != NO_ALERT)
		err = WT_TLS_ERR_SEND_ALERT + alert;
	c->err = err;
	c->reason = reason;
	if (alert != NO_ALERT) {
		/* RFC 8446 6.2: "Upon transmission or receipt of a fatal alert
		 * message, both parties MUST immediately close the connection."
		 * Pending handshake output is dropped; the alert goes after
		 * what is already sealed. No room for it (a stage full of a
		 * flight that could not be sealed) leaves the error without
		 * it: the error is already recorded, nothing to undo. */
		uint8_t a[2];
		c->hso_len = 0;
		a[0] = 2;
		a[1] = (uint8_t)alert;
		if (c->arena)
			(void)wt_rec_seal(c, CT_ALERT, 0x0303, a, 2);
	}
	return -1;
}

int wt_tls_fail(wt_tls_conn *c, uint32_t alert, uint32_t reason)
{
	return wt_tls_fail_code(c, alert, reason, reason);
}

int wt_tls_set_keys(wt_tls_conn *c, wt_tls_dir *d, const uint8_t *secret)
{
	uint32_t e = wt_rec_set_keys(c, d, secret);
	return e ? wt_tls_fail(c, WT_ALERT_INTERNAL_ERROR, e) : 0;
}

int wt_tls_seal_version(wt_tls_conn *c, uint32_t type, uint32_t version, const uint8_t *p,
			size_t len)
{
	uint32_t e = wt_rec_seal(c, type, version, p, len);
	/* A stage too small for a flight or an AEAD failure: internal, and
	 * no alert could follow anyway. */
	return e ? wt_tls_fail_code(c, NO_ALERT, WT_TLS_ERR_INTERNAL,
				    e == WT_TLS_ERR_INTERNAL ? 0 : e) :
		   0;
}

int wt_tls_seal(wt_tls_conn *c, uint32_t type, const uint8_t *p, size_t len)
{
	/* RFC 8446 5.1: legacy_record_version "MUST be set to 0x0303 for all
	 * records generated by a TLS 1.3 implementation other than an initial
	 * ClientHello" (see wt_hs_flush for that one). */
	return wt_tls_seal_version(c, type, 0x0303, p, len);
}

int wt_tls_send_alert(wt_tls_conn *c, uint32_t level, uint32_t desc)
{
	uint8_t a[2];
	a[0] = (uint8_t)level;
	a[1] = (uint8_t)desc;
	return wt_tls_seal(c, CT_ALERT, a, 2);
}

uint32_t wt_tls_error_code(const wt_tls_conn *c)
{
	return c->err;
}
uint32_t wt_tls_reason(const wt_tls_conn *c)
{
	return c->reason ? c->reason : c->transient;
}

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
