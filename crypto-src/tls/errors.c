/*
 * errors.c: the one table of error codes and their reason strings
 * (exported to TypeScript through wasm/exports_tls.c). Alert codes fold
 * in: 0x100 + alert received, 0x200 + alert sent (BearSSL's
 * BR_ERR_RECV_FATAL_ALERT / BR_ERR_SEND_FATAL_ALERT).
 */
#include "tls_inner.h"

static const struct { uint32_t code; const char *text; } LOCAL[] = {
	{ WT_TLS_OK, "no error" },
	{ WT_TLS_ERR_NO_STATE, "neither connect nor accept state was set" },
	{ WT_TLS_ERR_NO_VERIFY_POLICY, "no certificate verification policy set on the context" },
	{ WT_TLS_ERR_BAD_WRITE_RETRY, "bad write retry: a write after WANT_* must repeat the same buffer, length and bytes" },
	{ WT_TLS_ERR_BAD_LENGTH, "bad length (write of 0 bytes, or too long)" },
	{ WT_TLS_ERR_PROTOCOL_SHUTDOWN, "write after close_notify was sent" },
	{ WT_TLS_ERR_NO_BUFFERS, "connection buffers released or too small" },
	{ WT_TLS_ERR_CONFIG, "bad configuration" },
	{ WT_TLS_ERR_UNEXPECTED_EOF, "unexpected EOF: transport closed without close_notify" },
	{ WT_TLS_ERR_INTERNAL, "internal error" },
	{ WT_TLS_ERR_CRYPTO_UNAVAILABLE, "cryptographic primitive not available" },
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
	{ WT_TLS_R_BAD_EXTENSION, "extension not allowed in this message or not requested" },
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
};

static const struct { uint32_t a; const char *text; } ALERTS[] = {
	{ 0, "close_notify" }, { 10, "unexpected_message" },
	{ 20, "bad_record_mac" }, { 22, "record_overflow" },
	{ 40, "handshake_failure" }, { 42, "bad_certificate" },
	{ 43, "unsupported_certificate" }, { 44, "certificate_revoked" },
	{ 45, "certificate_expired" }, { 46, "certificate_unknown" },
	{ 47, "illegal_parameter" }, { 48, "unknown_ca" },
	{ 49, "access_denied" }, { 50, "decode_error" },
	{ 51, "decrypt_error" }, { 70, "protocol_version" },
	{ 71, "insufficient_security" }, { 80, "internal_error" },
	{ 86, "inappropriate_fallback" }, { 90, "user_canceled" },
	{ 109, "missing_extension" }, { 110, "unsupported_extension" },
	{ 112, "unrecognized_name" }, { 113, "bad_certificate_status_response" },
	{ 115, "unknown_psk_identity" }, { 116, "certificate_required" },
	{ 120, "no_application_protocol" },
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
					const char *pre = sent ? "sent fatal alert: "
						: "received fatal alert: ";
					size_t a = strlen(pre), b = strlen(ALERTS[i].text);
					memcpy(t, pre, a);
					memcpy(t + a, ALERTS[i].text, b + 1);
				}
				return t;
			}
		}
		return code >= 0x200 ? "sent fatal alert (unknown)"
			: "received fatal alert (unknown)";
	}
	return "unknown error";
}
