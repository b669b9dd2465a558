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
 * A {@link TLSError}'s `code` is a string, as Node's errors' are (so code
 * written for `node:tls` reads it the same way): OpenSSL's reason name
 * with Node's `ERR_SSL_` prefix (`ERR_SSL_TLSV1_ALERT_UNKNOWN_CA` for a
 * received alert, `ERR_SSL_NO_SHARED_CIPHER` for a reason of ours; see
 * {@link codeName}), or, for a refused certificate, Node's verification
 * name (`DEPTH_ZERO_SELF_SIGNED_CERT`, `ERR_TLS_CERT_ALTNAME_INVALID`).
 * The engine's number is `engineCode`.
 *
 * @example
 * ```ts
 * const err = conn.error;            // TLSError | undefined, after SSL
 * if (err?.alert === ALERT.bad_record_mac) ...
 * if (err?.code === 'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA') ...
 * console.log(err.engineCode.toString(16), err.reason, err.message);
 * ```
 * @module
 */

import type { Wasm } from './loader.js';

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
  /** Out of memory: the module's memory is at its maximum (4 GiB) or at
   * the `maxMemory` set at load time, and an allocation for a connection,
   * a context or their buffers failed. */
  NO_MEMORY: 12,
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
  /** The server did not take Encrypted Client Hello; its retry configs,
   * if any, are on the error (draft-ietf-tls-esni 6.1.6). */
  ECH_REJECTED: 96,
  /** A ClientHelloInner that does not decode or references what the
   * outer lacks (draft-ietf-tls-esni 7.1). */
  ECH_BAD_INNER: 97,
  /** The chosen ECHConfig's public key is unusable. */
  ECH_CONFIG: 98,
  /** RFC 8879 4: a CompressedCertificate that cannot be decompressed to
   * its announced length, or announcing more than the handshake limit. */
  CERT_DECOMPRESS: 79,
  /** RFC 8879 4: a CompressedCertificate in an algorithm we did not offer. */
  CERT_COMPRESSION_ALG: 80,
  /** The private key operation failed: the signer rejected or returned
   * no signature (RFC 8446 6.2 internal_error sent). */
  KEYOP_FAILED: 99,
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
  ech_required: 121,
});

// OpenSSL's reason names for alerts (ssl/ssl_err.c: SSL_R_SSLV3_ALERT_*,
// SSL_R_TLSV1_ALERT_*, SSL_R_TLSV13_ALERT_*; SSLv3 names for the alerts
// SSLv3 defined), which Node shows as "ERR_SSL_" + name in `code`.
const ALERT_REASON: Readonly<Record<number, string>> = /* @__PURE__ */ Object.freeze({
  [ALERT.unexpected_message]: 'SSLV3_ALERT_UNEXPECTED_MESSAGE',
  [ALERT.bad_record_mac]: 'SSLV3_ALERT_BAD_RECORD_MAC',
  [ALERT.record_overflow]: 'TLSV1_ALERT_RECORD_OVERFLOW',
  [ALERT.handshake_failure]: 'SSLV3_ALERT_HANDSHAKE_FAILURE',
  [ALERT.bad_certificate]: 'SSLV3_ALERT_BAD_CERTIFICATE',
  [ALERT.unsupported_certificate]: 'SSLV3_ALERT_UNSUPPORTED_CERTIFICATE',
  [ALERT.certificate_revoked]: 'SSLV3_ALERT_CERTIFICATE_REVOKED',
  [ALERT.certificate_expired]: 'SSLV3_ALERT_CERTIFICATE_EXPIRED',
  [ALERT.certificate_unknown]: 'SSLV3_ALERT_CERTIFICATE_UNKNOWN',
  [ALERT.illegal_parameter]: 'SSLV3_ALERT_ILLEGAL_PARAMETER',
  [ALERT.unknown_ca]: 'TLSV1_ALERT_UNKNOWN_CA',
  [ALERT.access_denied]: 'TLSV1_ALERT_ACCESS_DENIED',
  [ALERT.decode_error]: 'TLSV1_ALERT_DECODE_ERROR',
  [ALERT.decrypt_error]: 'TLSV1_ALERT_DECRYPT_ERROR',
  [ALERT.protocol_version]: 'TLSV1_ALERT_PROTOCOL_VERSION',
  [ALERT.insufficient_security]: 'TLSV1_ALERT_INSUFFICIENT_SECURITY',
  [ALERT.internal_error]: 'TLSV1_ALERT_INTERNAL_ERROR',
  [ALERT.inappropriate_fallback]: 'TLSV1_ALERT_INAPPROPRIATE_FALLBACK',
  [ALERT.user_canceled]: 'TLSV1_ALERT_USER_CANCELLED',
  [ALERT.no_renegotiation]: 'TLSV1_ALERT_NO_RENEGOTIATION',
  [ALERT.missing_extension]: 'TLSV13_ALERT_MISSING_EXTENSION',
  [ALERT.unsupported_extension]: 'TLSV1_UNSUPPORTED_EXTENSION',
  [ALERT.unrecognized_name]: 'TLSV1_UNRECOGNIZED_NAME',
  [ALERT.bad_certificate_status_response]: 'TLSV1_BAD_CERTIFICATE_STATUS_RESPONSE',
  [ALERT.unknown_psk_identity]: 'TLSV1_ALERT_UNKNOWN_PSK_IDENTITY',
  [ALERT.certificate_required]: 'TLSV13_ALERT_CERTIFICATE_REQUIRED',
  [ALERT.no_application_protocol]: 'TLSV1_ALERT_NO_APPLICATION_PROTOCOL',
});

// Our local reasons by OpenSSL's name for the same failure where OpenSSL
// has one (SSL_R_*: a bad Finished is DIGEST_CHECK_FAILED, no suite in
// common NO_SHARED_CIPHER, a refused chain CERTIFICATE_VERIFY_FAILED),
// else by our own (the TLS_ERR key).
const REASON_NAME: Readonly<Record<number, string>> = /* @__PURE__ */ Object.freeze({
  [TLS_ERR.NO_STATE]: 'CONNECTION_TYPE_NOT_SET',
  [TLS_ERR.PROTOCOL_SHUTDOWN]: 'PROTOCOL_IS_SHUTDOWN',
  [TLS_ERR.UNEXPECTED_EOF]: 'UNEXPECTED_EOF_WHILE_READING',
  [TLS_ERR.INTERNAL]: 'INTERNAL_ERROR',
  [TLS_ERR.CHAIN_TOO_LARGE]: 'EXCESSIVE_MESSAGE_SIZE',
  // OpenSSL's reason for a failed allocation is ERR_R_MALLOC_FAILURE
  // ("malloc failure"), so a memory failure inside OpenSSL's SSL library
  // reaches Node code as ERR_SSL_MALLOC_FAILURE: the same name here.
  [TLS_ERR.NO_MEMORY]: 'MALLOC_FAILURE',
  [TLS_ERR.RECORD_OVERFLOW]: 'PACKET_LENGTH_TOO_LONG',
  [TLS_ERR.BAD_RECORD_TYPE]: 'UNEXPECTED_RECORD',
  [TLS_ERR.BAD_RECORD_VERSION]: 'WRONG_VERSION_NUMBER',
  [TLS_ERR.BAD_RECORD_MAC]: 'DECRYPTION_FAILED_OR_BAD_RECORD_MAC',
  [TLS_ERR.BAD_CCS]: 'BAD_CHANGE_CIPHER_SPEC',
  [TLS_ERR.HS_TOO_LARGE]: 'EXCESSIVE_MESSAGE_SIZE',
  [TLS_ERR.DECODE]: 'BAD_PACKET',
  [TLS_ERR.NO_TLS13]: 'UNSUPPORTED_PROTOCOL',
  [TLS_ERR.NO_SHARED_SUITE]: 'NO_SHARED_CIPHER',
  [TLS_ERR.NO_SHARED_GROUP]: 'NO_SUITABLE_KEY_SHARE',
  [TLS_ERR.NO_SHARED_SIGALG]: 'NO_SUITABLE_SIGNATURE_ALGORITHM',
  [TLS_ERR.BAD_HRR]: 'BAD_HELLO_RETRY_REQUEST',
  [TLS_ERR.BAD_FINISHED]: 'DIGEST_CHECK_FAILED',
  [TLS_ERR.NO_CERTIFICATE]: 'PEER_DID_NOT_RETURN_A_CERTIFICATE',
  [TLS_ERR.CERT_REJECTED]: 'CERTIFICATE_VERIFY_FAILED',
  [TLS_ERR.NO_ALPN]: 'NO_APPLICATION_PROTOCOL',
  [TLS_ERR.BAD_BINDER]: 'BINDER_DOES_NOT_VERIFY',
  [TLS_ERR.HS_KEY_CHANGE]: 'NOT_ON_RECORD_BOUNDARY',
  [TLS_ERR.DATA_AFTER_CLOSE]: 'APPLICATION_DATA_AFTER_CLOSE_NOTIFY',
  [TLS_ERR.BAD_COMPRESSION]: 'INVALID_COMPRESSION_ALGORITHM',
  [TLS_ERR.TOO_MANY_EMPTY]: 'TOO_MANY_EMPTY_RECORDS',
  [TLS_ERR.TOO_MANY_WARNINGS]: 'TOO_MANY_WARN_ALERTS',
  [TLS_ERR.TOO_MANY_POST_MSGS]: 'TOO_MANY_POST_HANDSHAKE_MESSAGES',
  [TLS_ERR.NO_SHARED_VERSION]: 'UNSUPPORTED_PROTOCOL',
  [TLS_ERR.RENEGOTIATION]: 'NO_RENEGOTIATION',
  [TLS_ERR.BAD_RENEGOTIATION_INFO]: 'RENEGOTIATION_MISMATCH',
  [TLS_ERR.BAD_POINT_FORMAT]: 'TLS_INVALID_ECPOINTFORMAT_LIST',
  [TLS_ERR.NO_EMS]: 'INCONSISTENT_EXTMS',
  [TLS_ERR.CERT_DECOMPRESS]: 'CERT_DECOMPRESSION_FAILED',
  [TLS_ERR.CERT_COMPRESSION_ALG]: 'UNKNOWN_CERT_COMPRESSION_ALG',
  // BoringSSL's reason for a failed SSL_PRIVATE_KEY_METHOD sign.
  [TLS_ERR.KEYOP_FAILED]: 'PRIVATE_KEY_OPERATION_FAILED',
});

/**
 * The string `code` of an engine code, Node's way: `ERR_SSL_` and
 * OpenSSL's reason name. A received alert is named by the alert
 * (`ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE`, as Node reports a peer's
 * refusal); a sent alert by the local reason behind it (`reasonCode`: we
 * refused because `ERR_SSL_NO_SHARED_CIPHER`), as OpenSSL reports its own
 * failures; a local reason by its name.
 *
 * @example
 * ```ts
 * codeName(TLS_ERR.RECV_ALERT + ALERT.unknown_ca); // 'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA'
 * codeName(TLS_ERR.BAD_RECORD_MAC);                // 'ERR_SSL_DECRYPTION_FAILED_OR_BAD_RECORD_MAC'
 * ```
 */
export function codeName(code: number, reasonCode = code): string {
  if (code >= TLS_ERR.RECV_ALERT && code < TLS_ERR.SEND_ALERT) {
    const a = code & 0xff;
    return `ERR_SSL_${ALERT_REASON[a] ?? `TLSV1_ALERT_${alertName(a).toUpperCase()}`}`;
  }
  if (code >= TLS_ERR.SEND_ALERT && code < 0x300) {
    // A sent alert without a local reason recorded: named by the alert.
    if (reasonCode === code || reasonCode === 0) return `ERR_SSL_SENT_ALERT_${alertName(code & 0xff).toUpperCase()}`;
    return codeName(reasonCode);
  }
  const own = REASON_NAME[code] ?? (Object.keys(TLS_ERR) as (keyof typeof TLS_ERR)[]).find((k) => TLS_ERR[k] === code);
  return own === undefined ? `ERR_SSL_WASMTLS_${code}` : `ERR_SSL_${own}`;
}

function alertName(a: number): string {
  return (Object.keys(ALERT) as (keyof typeof ALERT)[]).find((k) => ALERT[k] === a) ?? `alert_${a}`;
}

/** What to do about an out-of-memory {@link TLSError}. */
export const NO_MEMORY_HINT =
  'dispose() connections and contexts no longer in use (wasm memory does not make the JavaScript ' +
  'garbage collector run, so forgotten objects are freed late or never), or raise the limit: ' +
  'init(source, { maxMemory }) (default and most: 4 GiB)';

/**
 * The out-of-memory TLSError for an allocation the TypeScript side made
 * (the engine's own failures carry the same code): `what` was being
 * allocated, `usage` is {@link Wasm.memoryUsage}'s figures at the time.
 */
export function noMemoryError(what: string, usage?: { used: number; limit: number }, cause?: unknown): TLSError {
  const mib = (n: number) => `${(n / 1048576).toFixed(1)} MiB`;
  const at = usage ? ` (${mib(usage.used)} in use, limit ${mib(usage.limit)})` : '';
  const text = `out of memory allocating ${what}${at}`;
  return new TLSError(TLS_ERR.NO_MEMORY, text, TLS_ERR.NO_MEMORY, text, cause === undefined ? undefined : { cause });
}

/**
 * `w.alloc(n)`, failing with the out-of-memory TLSError (code
 * ERR_SSL_MALLOC_FAILURE, what to do in its message) instead of the
 * loader's RangeError: the module's memory is at its limit, which only the
 * application can change (dispose(), maxMemory); nothing was allocated.
 */
export function allocFor(w: Pick<Wasm, 'alloc' | 'memoryUsage'>, n: number, what: string): number {
  try {
    return w.alloc(n);
  } catch (e) {
    throw noMemoryError(`${n} bytes for ${what}`, w.memoryUsage(), e);
  }
}

/**
 * The TLSError for a connection whose SSL object was disposed while it was
 * in use (from a callback, or under a connect()/accept() socket): Node's
 * code for an operation on a destroyed stream; engineCode 0, the engine
 * raised nothing.
 */
export function destroyedError(message: string): TLSError {
  const e = new TLSError(0, message);
  e.code = 'ERR_STREAM_DESTROYED';
  return e;
}

/**
 * A TLS failure: a protocol or verification error, a fatal alert sent or
 * received, or a misuse of the SSL object (bad write retry, no connect or
 * accept state, no verification policy, bad configuration).
 */
export class TLSError extends Error {
  /** What failed, as a string in Node's manner (see {@link codeName}):
   * `ERR_SSL_TLSV1_ALERT_UNKNOWN_CA`, `ERR_SSL_NO_SHARED_CIPHER`, ...; for
   * a certificate the connection refused, Node's verification code
   * (`CERT_HAS_EXPIRED`, `ERR_TLS_CERT_ALTNAME_INVALID`: see
   * {@link verifyError}). */
  code: string;
  /** The engine's numeric code (see the module header): compare with
   * {@link TLS_ERR} (`TLS_ERR.RECV_ALERT + ALERT.unknown_ca`). */
  readonly engineCode: number;
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
   * `'ERR_TLS_CERT_ALTNAME_INVALID'`, ...), which is then `code` too, as
   * in Node. Set by the layers that know the connection (connect(), the
   * Node socket). */
  verifyError?: string;

  /** @param code the C code; @param reason its text; @param reasonCode
   * the local reason behind a sent alert; @param reasonText its text. */
  constructor(code: number, reason: string, reasonCode = code, reasonText = reason, options?: { cause?: unknown }) {
    const alert = code >= TLS_ERR.RECV_ALERT && code < 0x300 ? code & 0xff : undefined;
    const dir = alert === undefined ? undefined : code >= TLS_ERR.SEND_ALERT ? ('sent' as const) : ('received' as const);
    // A sent alert reads best with its cause: "sent fatal alert:
    // bad_record_mac (record authentication failed)".
    const text = dir === 'sent' && reasonCode !== code && reasonCode !== 0 ? `${reason} (${reasonText})` : reason;
    // Out of memory is the one failure the application fixes, not the
    // peer: the message says how (engine and TypeScript side alike).
    const hint = code === TLS_ERR.NO_MEMORY || reasonCode === TLS_ERR.NO_MEMORY ? `; ${NO_MEMORY_HINT}` : '';
    super(`wasmtls: ${text}${hint} [code 0x${code.toString(16)}]`, options);
    this.name = 'TLSError';
    this.engineCode = code;
    this.code = codeName(code, reasonCode);
    this.alert = alert;
    this.alertDirection = dir;
    this.reasonCode = reasonCode === 0 ? code : reasonCode;
    this.reason = dir === 'sent' && reasonCode !== code && reasonCode !== 0 ? reasonText : reason;
  }
}
