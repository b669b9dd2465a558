/**
 * The one error class of the TLS layer, and the error codes of the C
 * engine (crypto-src/inc/wt_tls.h: one table, one numbering on both sides).
 *
 * Codes:
 *  - 1..0xFF      a local reason ({@link TLS_ERR});
 *  - 0x100 + a    fatal alert `a` received from the peer;
 *  - 0x200 + a    fatal alert `a` sent to the peer (the local reason that
 *                 made us send it is in {@link TLSError.reasonCode}).
 *
 * Alerts are RFC 8446 section 6 AlertDescription values, and TLS 1.2's
 * no_renegotiation (RFC 5246 7.2.2) ({@link ALERT}).
 *
 * @example
 * ```ts
 * const err = conn.error;            // TLSError | undefined, after SSL
 * if (err?.alert === ALERT.bad_record_mac) ...
 * console.log(err.code.toString(16), err.reason, err.message);
 * ```
 * @module
 */

/** Local error codes (wt_tls.h `WT_TLS_ERR_*` / `WT_TLS_R_*`). */
export const TLS_ERR = /* @__PURE__ */ Object.freeze({
  NO_STATE: 1,
  NO_VERIFY_POLICY: 2,
  BAD_WRITE_RETRY: 3,
  BAD_LENGTH: 4,
  PROTOCOL_SHUTDOWN: 5,
  NO_BUFFERS: 6,
  CONFIG: 7,
  UNEXPECTED_EOF: 8,
  INTERNAL: 9,
  CRYPTO_UNAVAILABLE: 10,
  CHAIN_TOO_LARGE: 11,
  RECORD_OVERFLOW: 32,
  BAD_RECORD_TYPE: 33,
  BAD_RECORD_VERSION: 34,
  BAD_RECORD_MAC: 35,
  EMPTY_RECORD: 36,
  NO_CONTENT_TYPE: 37,
  BAD_CCS: 38,
  UNEXPECTED_MESSAGE: 39,
  HS_TOO_LARGE: 40,
  DECODE: 41,
  DUP_EXTENSION: 42,
  BAD_EXTENSION: 43,
  NO_TLS13: 44,
  NO_SHARED_SUITE: 45,
  NO_SHARED_GROUP: 46,
  NO_SHARED_SIGALG: 47,
  BAD_KEY_SHARE: 48,
  BAD_HRR: 49,
  DOWNGRADE: 50,
  BAD_FINISHED: 51,
  BAD_SIGNATURE: 52,
  BAD_CERTIFICATE: 53,
  NO_CERTIFICATE: 54,
  CERT_REJECTED: 55,
  NO_ALPN: 56,
  BAD_PSK: 57,
  BAD_BINDER: 58,
  HS_KEY_CHANGE: 59,
  BAD_KEY_UPDATE: 60,
  DATA_AFTER_CLOSE: 61,
  BAD_SESSION_ID: 62,
  BAD_COMPRESSION: 63,
  MISSING_EXTENSION: 64,
  BAD_RECORD_SIZE_LIMIT: 65,
  BAD_LEGACY_VERSION: 66,
  EARLY_DATA: 67,
  BAD_COOKIE: 68,
  TOO_MANY_EMPTY: 69,
  TOO_MANY_WARNINGS: 70,
  TOO_MANY_POST_MSGS: 71,
  KEY_USAGE: 72,
  /** No protocol version in common (TLS 1.2 and 1.3 negotiation). */
  NO_SHARED_VERSION: 73,
  /** A TLS 1.2 renegotiation refused (RFC 5746 is indicated, never done). */
  RENEGOTIATION: 74,
  /** renegotiation_info wrong (RFC 5746 3.4, 3.6). */
  BAD_RENEGOTIATION_INFO: 75,
  /** TLS_FALLBACK_SCSV from a client that could do better (RFC 7507 3). */
  INAPPROPRIATE_FALLBACK: 76,
  /** ec_point_formats without uncompressed (RFC 8422 5.1.2). */
  BAD_POINT_FORMAT: 77,
  /** Resumption of a session without extended master secret (RFC 7627 5.3). */
  NO_EMS: 78,
  /** Base of "fatal alert received" codes (code = RECV_ALERT + alert). */
  RECV_ALERT: 0x100,
  /** Base of "fatal alert sent" codes (code = SEND_ALERT + alert). */
  SEND_ALERT: 0x200,
});

/** RFC 8446 section 6 AlertDescription values (and RFC 5246's
 * no_renegotiation). */
export const ALERT = /* @__PURE__ */ Object.freeze({
  close_notify: 0,
  unexpected_message: 10,
  bad_record_mac: 20,
  record_overflow: 22,
  handshake_failure: 40,
  bad_certificate: 42,
  unsupported_certificate: 43,
  certificate_revoked: 44,
  certificate_expired: 45,
  certificate_unknown: 46,
  illegal_parameter: 47,
  unknown_ca: 48,
  access_denied: 49,
  decode_error: 50,
  decrypt_error: 51,
  protocol_version: 70,
  insufficient_security: 71,
  internal_error: 80,
  inappropriate_fallback: 86,
  user_canceled: 90,
  /** RFC 5246 7.2.2: a TLS 1.2 renegotiation refused (a warning). */
  no_renegotiation: 100,
  missing_extension: 109,
  unsupported_extension: 110,
  unrecognized_name: 112,
  bad_certificate_status_response: 113,
  unknown_psk_identity: 115,
  certificate_required: 116,
  no_application_protocol: 120,
});

/**
 * A TLS failure: a protocol or verification error, a fatal alert sent or
 * received, or a misuse of the SSL object (bad write retry, no connect or
 * accept state, no verification policy, bad configuration).
 */
export class TLSError extends Error {
  /** The C error code (see the module header). */
  readonly code: number;
  /** The alert received or sent, when the code is an alert code. */
  readonly alert: number | undefined;
  /** `'received'` or `'sent'` for alert codes, else undefined. */
  readonly alertDirection: 'received' | 'sent' | undefined;
  /** For a sent alert: the local reason code behind it (else = code). */
  readonly reasonCode: number;
  /** Text of the reason from the C table (wt_tls_err_string). */
  readonly reason: string;
  /** When certificate validation caused the failure: the verdict's name
   * as Node and OpenSSL give it (`'CERT_HAS_EXPIRED'`,
   * `'ERR_TLS_CERT_ALTNAME_INVALID'`, ...). Set by the layers that know
   * the connection (connect(), the Node socket). */
  verifyError?: string;

  /** @param code the C code; @param reason its text; @param reasonCode
   * the local reason behind a sent alert; @param reasonText its text. */
  constructor(code: number, reason: string, reasonCode = code, reasonText = reason, options?: { cause?: unknown }) {
    const alert = code >= TLS_ERR.RECV_ALERT && code < 0x300 ? code & 0xff : undefined;
    const dir = alert === undefined ? undefined : code >= TLS_ERR.SEND_ALERT ? 'sent' as const : 'received' as const;
    // A sent alert reads best with its cause: "sent fatal alert:
    // bad_record_mac (record authentication failed)".
    const text = dir === 'sent' && reasonCode !== code && reasonCode !== 0 ? `${reason} (${reasonText})` : reason;
    super(`wasmtls: ${text} [code 0x${code.toString(16)}]`, options);
    this.name = 'TLSError';
    this.code = code;
    this.alert = alert;
    this.alertDirection = dir;
    this.reasonCode = reasonCode === 0 ? code : reasonCode;
    this.reason = dir === 'sent' && reasonCode !== code && reasonCode !== 0 ? reasonText : reason;
  }
}
