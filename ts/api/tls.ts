/**
 * TLS over any transport as a pair of WHATWG streams: `connect()` for a
 * client, `accept()` for a server. Each returns a {@link TLSSocket}:
 * `readable` gives the peer's plaintext, `writable` takes ours, `opened`
 * resolves once the handshake is done with what was negotiated, `closed`
 * once both directions ended, and `close()` ends everything now.
 *
 * Built on the SSL object ({@link Connection}) and a {@link Transport}
 * (`wasmtls/adapters/*`): ciphertext moves between them here and nowhere
 * else. Options use Node's `tls.connect` vocabulary where one exists.
 *
 * Backpressure both ways: the readable reads from the transport only while
 * its queue (64 KiB by default) has room, and `writable.write()` resolves
 * once the transport took the records that carry the chunk.
 *
 * @example
 * ```ts
 * import { init } from 'wasmtls/loader';
 * import { connect } from 'wasmtls/tls';
 * import { fromWebSocket } from 'wasmtls/adapters/websocket';
 *
 * await init();
 * const ws = new WebSocket('wss://relay.example/tunnel?to=example.com:443');
 * const tls = connect({ transport: fromWebSocket(ws), servername: 'example.com', ca: rootsPem });
 * const info = await tls.opened;              // { version: 'TLSv1.3', cipher, authorized, ... }
 * const w = tls.writable.getWriter();
 * await w.write(new TextEncoder().encode('GET / HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\n\r\n'));
 * const body = await new Response(tls.readable).text();
 * ```
 * @module
 */
import type { CipherName, CipherSuite12Name, CipherSuiteName, GroupName, SignatureSchemeName, TLSVersion } from '../core/codepoints.js';
import { checkVersions, serverContext } from '../core/configure.js';
import { type Lease, leaseClientContext, leaseServerContext } from '../core/context-cache.js';
import { Connection, MAX_RECORD, SSL_MODE_RELEASE_BUFFERS, type CaLike } from '../core/connection.js';
import { checkOptionNames } from '../core/options.js';
import type { CertCompressionSendName, TLSContext } from '../core/context.js';
import { echConfigListBytes } from '../core/ech.js';
import { classifyEnd } from '../core/eof.js';
import { ALERT, destroyedError, TLSError, TLS_ERR } from '../core/errors.js';
import { mayOffer, unwrapSession, wrapSession } from '../core/session.js';
import type { PrivateKeySigner } from '../core/signer.js';
import { afterHandshake, type EarlyDataOutcome, type EarlyPlan, earlyPlan, writeEarly } from './early-data.js';
import { altnameMismatch, authorization, peerVerifyReason } from '../core/verdict.js';
import { parseChain, type PeerCertificate, type TrustStore } from '../core/x509.js';
import type { Transport } from '../adapters/types.js';
import { offersPort, takePort } from '../adapters/direct-port.js';

export type { Transport } from '../adapters/types.js';
export type { PeerCertificate } from '../core/x509.js';
export { TLSError } from '../core/errors.js';
export { cryptoKeySigner, p1363ToDer, type PrivateKeySigner } from '../core/signer.js';
export { releaseIdleContexts } from '../core/context-cache.js';
export { generateEchKey, type EchKey, type EchKeyOptions, type EchSuite } from '../core/ech.js';

/** Options shared by {@link connect} and {@link accept}. */
export interface CommonOptions {
  /** Where the ciphertext goes: any `wasmtls/adapters/*` result. It may
   * wrap a socket whose plaintext phase the caller already did (STARTTLS,
   * PostgreSQL's SSLRequest): the socket adapters take it over with
   * nothing lost or read twice, and take the bytes already read beyond
   * that phase as `head` (see `TakeoverOptions`). */
  transport: Transport;
  /** ALPN protocols, preference order. */
  ALPNProtocols?: readonly (string | Uint8Array)[];
  /** Trust anchors, as Node's `ca`: PEM text, PEM or DER bytes, an array
   * mixing them, or a {@link TrustStore} (reuse one store across
   * connections: it is parsed once). */
  ca?: CaLike | TrustStore;
  /** Our certificate chain (PEM or DER, leaf first). */
  cert?: string | Uint8Array | readonly Uint8Array[];
  /** The private key of `cert`'s leaf (PEM or DER: PKCS#8, SEC 1 or
   * PKCS#1), or a {@link PrivateKeySigner} that keeps it outside the
   * module (e.g. `cryptoKeySigner(nonExtractableCryptoKey)`). */
  key?: string | Uint8Array | PrivateKeySigner;
  /** The lowest version to speak (default `'TLSv1.2'`, as Node). `'TLSv1'`
   * and `'TLSv1.1'` are accepted as Node accepts them and mean TLS 1.2,
   * the lowest this engine speaks. */
  minVersion?: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';
  /** The highest version to speak (default `'TLSv1.3'`). Above
   * `minVersion`; a value below TLS 1.2 is a TypeError. */
  maxVersion?: 'TLSv1.2' | 'TLSv1.3';
  /** Node's `ciphers`: an OpenSSL cipher list, ':'-separated, preference
   * order. TLS 1.2 suites by OpenSSL's name (`ECDHE-RSA-AES128-GCM-SHA256`)
   * or IANA's (`TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256`); TLS 1.3 names in
   * it (`TLS_AES_128_GCM_SHA256`) set the TLS 1.3 list, as in Node. Only
   * ECDHE with AES-GCM or ChaCha20-Poly1305 exists here: another name (a
   * CBC or RSA key exchange suite, `HIGH`, `!aNULL`) is a TypeError naming
   * it. Without TLS 1.2 names only TLS 1.3 is offered (as Node). */
  ciphers?: string;
  /** TLS 1.3 cipher suites (IANA names), preference order. */
  ciphersuites?: readonly CipherSuiteName[];
  /** Key exchange groups, preference order (a client sends a share for the first). */
  groups?: readonly GroupName[];
  /** Signature schemes accepted and used. */
  sigalgs?: readonly SignatureSchemeName[];
  /** NSS key log lines (`SSLKEYLOGFILE` format, newline-terminated), as
   * Node's `'keylog'` event gives them. */
  keylog?: (line: string) => void;
  /** Abort the handshake or the connection: the transport is closed and
   * the streams error with the signal's reason. */
  signal?: AbortSignal;
  /** Bytes the readable queues before reading from the transport stops
   * (default 65,536). */
  readableHighWaterMark?: number;
  /**
   * What the readable does when the transport ends without the peer's
   * close_notify: `'error'` (default: a TLSError with code
   * `'ERR_SSL_UNEXPECTED_EOF_WHILE_READING'` (engineCode
   * `TLS_ERR.UNEXPECTED_EOF`), since the data may have been truncated by an
   * attacker, RFC 8446 6.1; `opened` rejects with the same code when the
   * handshake is cut) or `'end'` (end the
   * stream, as Node's TLSSocket does; for protocols that frame their own
   * messages). Data that arrived before is delivered first either way.
   */
  onUnexpectedEof?: 'error' | 'end';
  /**
   * What happens to our side once the readable has ended (the peer's
   * close_notify, or an accepted end of the transport) and its data has
   * been read. `false` (the default, Node's `allowHalfOpen: false` and
   * Deno's TlsConn): the connection ends itself: our close_notify goes
   * out, the transport is closed and `closed` resolves. Writes still in
   * progress finish first; a write started later rejects, and closing the
   * writable after that resolves (there is nothing left to close). `true`:
   * the writable stays open (TLS 1.3 allows writing after the peer's
   * close_notify, RFC 8446 6.1) until it is closed, as before.
   */
  allowHalfOpen?: boolean;
  /** A ready {@link TLSContext} to use instead of building one from the
   * options above (it is not disposed when the connection ends). Without
   * it, connections whose options have the same value (the same `ca`
   * text or bytes, the same TrustStore, cert, key, versions, suites...)
   * share one context, kept 2 s after the last of them ended for the next
   * one, then freed; `releaseIdleContexts()` (`wasmtls/tls`) frees the idle ones now. */
  context?: TLSContext;
  /**
   * Milliseconds the handshake may take before it is abandoned: `opened`
   * rejects with a TLSError whose `code` is `'ERR_TLS_HANDSHAKE_TIMEOUT'`
   * (Node's code for its server's `handshakeTimeout`), the transport is
   * closed, `closed` rejects with the same error and the engine's memory
   * is freed. A peer that opens a connection and then sends nothing (or
   * half a ClientHello) otherwise holds it, and its memory, forever.
   * Default: `accept()` 120,000 (Node's `tls.createServer` default);
   * `connect()` 30,000 (a server that has accepted the TCP connection
   * answers a ClientHello in one round trip, so 30 s is far beyond any
   * live server, yet a silent one no longer leaves `opened` pending for
   * ever; browsers give up on a stalled TLS handshake on a similar
   * scale). `0`, `Infinity` or `false` disables it. The timer never
   * keeps a process alive (unref'd in Node and Deno) and is cleared when
   * the handshake ends either way.
   */
  handshakeTimeout?: number | false;
  /**
   * Milliseconds an established connection may go without a byte of
   * ciphertext moving either way (read from or written to the transport)
   * before it is ended: the streams error and `closed` rejects with a
   * TLSError whose `code` is `'ERR_TLS_IDLE_TIMEOUT'`, and the transport
   * is closed. Bytes the peer sends while the readable is not being read
   * are not read from the transport, so they do not count as activity.
   * Default: none (`0`, `Infinity`, `false` or absent). The timer never
   * keeps a process alive and is cleared when the connection ends.
   */
  idleTimeout?: number | false;
  /**
   * Give the record buffers back while the connection is idle (OpenSSL's
   * `SSL_MODE_RELEASE_BUFFERS`: "When we no longer need a read buffer or a
   * write buffer for a given SSL, then release the memory we were using to
   * hold it"): an idle established connection then holds a few KiB of
   * wasm memory instead of its buffers (~76 KiB). They are taken again
   * when bytes arrive or are written. Default `true`; `false` keeps them
   * for the connection's life.
   */
  releaseBuffers?: boolean;
  /** RFC 8879: `false` stops offering compress_certificate (zlib, on by
   * default), so the peer sends its certificate plain. Ignored with
   * `context` (set it there). */
  certificateCompression?: false;
}

/** Options of {@link connect}. */
export interface ConnectOptions extends CommonOptions {
  /** The server's name: sent as SNI and checked against its certificate.
   * An IP literal is never sent as SNI (RFC 6066 3) but is checked
   * against the certificate's IP addresses. Defaults to `host`. */
  servername?: string;
  /** The host the transport leads to; the default `servername`. */
  host?: string;
  /**
   * Refuse a server whose chain does not validate against `ca` (default
   * true): the handshake fails with the validator's alert. With false the
   * handshake completes and `opened` reports `authorized: false` and the
   * reason in `authorizationError`, as Node does.
   */
  rejectUnauthorized?: boolean;
  /** SPKI SHA-256 pins (32 bytes each): the validated path must hold one. */
  pins?: readonly Uint8Array[];
  /** A session from an earlier connection's `getSession()` / `onSession`:
   * offered for resumption (RFC 8446 2.2). */
  session?: Uint8Array;
  /** Called with each new session (from a NewSessionTicket), like Node's
   * `'session'` event. It holds the resumption secret: keep it like a key. */
  onSession?: (session: Uint8Array) => void;
  /**
   * Encrypted Client Hello (draft-ietf-tls-esni): the server's
   * ECHConfigList, as bytes or as the base64 of a DNS HTTPS record's
   * `ech=`. The real `servername` then travels encrypted; the outer
   * ClientHello names the config's public name. The connection is TLS
   * 1.3 only. When the server rejects ECH (it has other keys, or none),
   * the handshake is checked against the public name and then fails
   * with `code` `'ERR_SSL_ECH_REJECTED'` and the server's
   * `retryConfigs` on the error (connect again with them). A list with
   * no config we can use: ECH is not offered (`opened.ech` says so).
   */
  ech?: {
    /** The ECHConfigList: bytes, or base64 text (a DNS HTTPS record's `ech=`). */
    configList: Uint8Array | string;
  };
  /**
   * Bytes to send first (RFC 8446 2.3 0-RTT): with a `session` whose
   * ticket allows early data (its max_early_data_size holds them all)
   * they go in the first flight, before the server's answer; otherwise
   * right after the handshake, before anything written to `writable`.
   * `opened` says which in `earlyData`. Early data can be replayed by an
   * attacker (RFC 8446 8): send only what is safe to repeat (a GET).
   */
  earlyData?: Uint8Array;
  /** When the server refuses the early data (nothing of it was
   * delivered): `'resend'` (default) sends it again after the handshake;
   * `'error'` fails the handshake with code `ERR_TLS_EARLY_DATA_REJECTED`
   * instead, and the bytes are not sent. */
  earlyDataRejected?: 'resend' | 'error';
}

/** Options of {@link accept}. */
export interface AcceptOptions extends CommonOptions {
  cert: string | Uint8Array | readonly Uint8Array[];
  /** The private key of `cert`'s leaf (PEM or DER), or a
   * {@link PrivateKeySigner}. */
  key: string | Uint8Array | PrivateKeySigner;
  /** Ask the client for a certificate (validated against `ca`). */
  requestCert?: boolean;
  /** With `requestCert`: refuse a client without a valid certificate
   * (default true). With false the handshake completes and `opened` says
   * whether the client was authorized. */
  rejectUnauthorized?: boolean;
  /** 32-byte key sealing session tickets: enables resumption. */
  ticketKey?: Uint8Array;
  /**
   * Take 0-RTT early data (RFC 8446 2.3) from clients resuming a ticket
   * of `context`, which must be given, with `maxEarlyData` > 0: that
   * context holds the record of tickets already used for 0-RTT (each is
   * taken once, RFC 8446 8.1), so it must live as long as its ticket key
   * (a context made per connection would forget every ticket and take
   * replays). The bytes that came as early data are `opened`'s
   * `earlyDataBytes`, apart from the stream: an attacker can replay them
   * (RFC 8446 8), so act on them only where a repeat is harmless (a GET)
   * and refuse the rest (HTTP's 425 Too Early, RFC 8470).
   */
  earlyData?: boolean;
  /** Encrypted Client Hello keys ({@link generateEchKey}'s results, or
   * any `{ config, privateKey }`): a client's encrypted ClientHelloInner
   * is opened and answered; otherwise the outer one is, with every
   * config sent as retry configs. */
  ech?: {
    /** The keys, each an ECHConfig and its X25519 private key. */
    keys: readonly {
      /** One ECHConfig (version 0xfe0d), as {@link generateEchKey} makes it. */
      config: Uint8Array;
      /** The 32-byte X25519 private key of the config's public key. */
      privateKey: Uint8Array;
    }[];
  };
}

/** What {@link TLSSocket.opened} resolves to. */
export interface TLSInfo {
  /** The protocol version negotiated (Node's `getProtocol()`). */
  version: TLSVersion;
  /** The suite by OpenSSL's name, as Node's `getCipher().name`
   * (`ECDHE-RSA-AES128-GCM-SHA256`; for TLS 1.3 the RFC name). */
  cipher: CipherName;
  /** The suite's RFC (IANA) name, as Node's `getCipher().standardName`
   * (`TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256`). */
  cipherStandardName: CipherSuiteName | CipherSuite12Name;
  /** The key exchange group; undefined when the handshake exchanged no key (a resumption without one). */
  group: GroupName | undefined;
  /** The scheme of the peer's CertificateVerify (a TLS 1.2 server's:
   * of its ServerKeyExchange); none on resumption. */
  signatureScheme: SignatureSchemeName | undefined;
  /** The protocol ALPN selected, or false (Node's convention). */
  alpnProtocol: string | false;
  /** The SNI name (a client's own, a server's received). */
  servername: string | undefined;
  /** Whether the peer's chain validated (Node's `socket.authorized`). */
  authorized: boolean;
  /** Why not, by Node's / OpenSSL's name (`'CERT_HAS_EXPIRED'`, ...). */
  authorizationError: string | undefined;
  /** The peer's certificate in `getPeerCertificate(true)`'s shape (the
   * chain linked by `issuerCertificate`), when it sent one. */
  peerCertificate: PeerCertificate | undefined;
  /** The chain as sent, DER, leaf first. */
  peerCertificates: Uint8Array[];
  /** Resumed from a session (no certificate exchanged). */
  sessionReused: boolean;
  /** Encrypted Client Hello: `'accepted'`; `'not offered'` (a client
   * without `ech`, or whose list had no usable config; a server the
   * client offered none). (A rejected offer fails the client's
   * handshake; a server that rejected one reports `'rejected'`.) */
  ech: 'accepted' | 'rejected' | 'not offered';
  /** What became of {@link ConnectOptions.earlyData}; for a server with
   * {@link AcceptOptions.earlyData}, whether it took the client's 0-RTT
   * (`'not-sent'`: none was offered, or not asked for). */
  earlyData: EarlyDataOutcome;
  /** A server with {@link AcceptOptions.earlyData}: the bytes that came
   * as 0-RTT early data (replayable: RFC 8446 8), not in `readable`;
   * undefined when none were taken. */
  earlyDataBytes?: Uint8Array;
  /** RFC 8879: the algorithm our certificate went compressed with
   * (`TLSContext.compressCertificate()`), undefined when it went plain. */
  certificateCompressionSent: CertCompressionSendName | undefined;
}

/** A TLS connection as WHATWG streams. */
export interface TLSSocket {
  /** The peer's plaintext. Ends at the peer's close_notify; then, unless
   * `allowHalfOpen`, the connection ends once the data is read. */
  readonly readable: ReadableStream<Uint8Array>;
  /** Our plaintext; `close()` on it (or its writer) sends close_notify and
   * half-closes the transport; reading goes on (RFC 8446 6.1). A chunk
   * that is not a Uint8Array is a TypeError that ends the connection
   * (close_notify; the readable and `closed` fail with it). Errored when
   * the connection ended on its own, so `writer.closed` always settles. */
  readonly writable: WritableStream<Uint8Array>;
  /** The handshake's outcome; rejects with a {@link TLSError}. */
  readonly opened: Promise<TLSInfo>;
  /** Resolves when both directions ended and the transport is closed
   * (without `allowHalfOpen`, the peer's close_notify read to the end is
   * enough: our side ends itself);
   * rejects with the error that ended the connection. After a fatal alert
   * of ours that is once the peer ended too, or 2 s passed: the transport
   * is half-closed and drained first, so the alert is not lost to a TCP
   * reset. */
  readonly closed: Promise<void>;
  /** Send close_notify (when possible) and close the transport now. */
  close(): Promise<void>;
  /** The latest session (client), for {@link ConnectOptions.session}. */
  getSession(): Uint8Array | undefined;
  /** Send a KeyUpdate (RFC 8446 4.6.3), asking the peer to update too.
   * TLS 1.3 only: on a TLS 1.2 connection it rejects with an Error and
   * the connection goes on (TLS 1.2 keys last the connection). */
  keyUpdate(requestPeer?: boolean): Promise<void>;
  /** The SSL object underneath, for what this layer does not expose.
   * When the connection could not be set up (see {@link connect}) there is
   * none: reading it throws the error `opened` rejects with. */
  readonly connection: Connection;
}

const SLICE = 4 * 16384; // plaintext per engine write (NET_OUT has room for its records)
/** At most this much plaintext per chunk of the readable (see Driver.readSome). */
const COALESCE = 4 * 16384;
/** How long a connection that sent a fatal alert goes on reading (and
 * discarding) before it closes the transport: see Driver.fail(). */
const LINGER_MS = 2000;
/** How long a transport error waits for the bytes that may explain it
 * (the peer's alert): see Driver.explain(). */
const EXPLAIN_MS = 1000;
/** Marks the note explaining a protocol_version alert (added once). */
const NO_VERSION = / \(the (?:server|client) does not offer TLS 1\.[23]/;
const ignore = (): void => {};
/** How long a connection goes without a call before RELEASE_BUFFERS gives
 * its buffers back. */
const RELEASE_IDLE_MS = 10;
/** Node's default `handshakeTimeout` for `tls.createServer` ("Abort the
 * connection if the SSL/TLS handshake does not finish in the specified
 * number of milliseconds. Default: 120000"). */
const SERVER_HANDSHAKE_MS = 120_000;
/** Ours for clients: see {@link CommonOptions.handshakeTimeout}. */
const CLIENT_HANDSHAKE_MS = 30_000;
/** setTimeout's largest delay (a longer one fires at once, in Node and
 * browsers alike); beyond it a timeout counts as none (24.8 days). */
const MAX_TIMER_MS = 0x7fffffff;
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

function isIp(s: string): boolean {
  return IPV4.test(s) || s.includes(':');
}

function transportOf(o: CommonOptions | undefined, who: string): Transport {
  const t = o?.transport;
  if (!t || typeof t.close !== 'function' || !(offersPort(t) || (t.readable && t.writable))) {
    throw new TypeError(`${who}: \`transport\` is required (a wasmtls/adapters/* result)`);
  }
  return t;
}

/** The option names of connect() and accept(), checked at run time (a
 * misspelt security option must not be silently ignored). */
const COMMON_OPTIONS = [
  'transport',
  'ALPNProtocols',
  'ca',
  'cert',
  'key',
  'minVersion',
  'maxVersion',
  'ciphers',
  'ciphersuites',
  'groups',
  'sigalgs',
  'keylog',
  'signal',
  'readableHighWaterMark',
  'onUnexpectedEof',
  'allowHalfOpen',
  'context',
  'handshakeTimeout',
  'idleTimeout',
  'releaseBuffers',
  'certificateCompression',
];
const CONNECT_OPTIONS = [
  ...COMMON_OPTIONS,
  'servername',
  'host',
  'rejectUnauthorized',
  'pins',
  'session',
  'onSession',
  'earlyData',
  'earlyDataRejected',
  'ech',
];
const ACCEPT_OPTIONS = [...COMMON_OPTIONS, 'requestCert', 'rejectUnauthorized', 'ticketKey', 'ech', 'earlyData'];

/**
 * Open a TLS client connection (TLS 1.3 or 1.2) over `transport`. The
 * handshake starts at once; `opened` tells how it went.
 *
 * Certificates are checked against `ca` (there is no built-in default:
 * pass `rootCertificates` from `wasmtls/roots` for the public web), for
 * `servername` (or `host`). Without `ca`, `rejectUnauthorized: false` is
 * required and `opened` reports `authorized: false`.
 *
 * A configuration that cannot work (no `ca`, a bad key, the module not
 * loaded by `init()`, a bad `session`) does not throw: the transport is
 * closed and `opened` and `closed` reject with the error. Only a missing
 * `transport` throws (there is nothing to close).
 */
export function connect(options: ConnectOptions): TLSSocket {
  const transport = transportOf(options, 'connect');
  const o = options;
  let ctx: TLSContext | undefined;
  let lease: Lease | undefined;
  let conn: Connection | undefined;
  try {
    checkOptionNames(o, CONNECT_OPTIONS, 'connect');
    const reject = o.rejectUnauthorized !== false;
    const name = o.servername ?? o.host;
    // Node's tls.connect throws ERR_INVALID_ARG_TYPE for a non-string name;
    // the rest (control bytes, non-ASCII, labels) is setServerName's check.
    if (name !== undefined && typeof name !== 'string') {
      throw new TypeError(`connect: \`${o.servername !== undefined ? 'servername' : 'host'}\` must be a string`);
    }
    ctx = o.context;
    if (!ctx) {
      if (o.ca !== undefined && reject && name === undefined) {
        throw new TypeError('connect: give `servername` (or `host`): the certificate is checked for that name');
      }
      // Shared with the other connections whose options have the same
      // value, and kept a moment after the last ends (core/context-cache).
      // ECH needs TLS 1.3 only (draft-ietf-tls-esni 6.1: ClientHelloInner
      // "MUST NOT offer TLS 1.2 or below"; our outer offers the same).
      lease = leaseClientContext(o.ech ? { ...o, minVersion: 'TLSv1.3' } : o, 'connect');
      ctx = lease.ctx;
    } else {
      checkVersions(o, 'connect');
    }
    conn = new Connection(ctx);
    conn.setConnectState();
    if (o.ech) {
      if (ctx.minVersion !== 'TLSv1.3') throw new TypeError('connect: `ech` needs a TLS 1.3-only context (minVersion TLSv1.3)');
      conn.setEchConfigList(echConfigListBytes(o.ech.configList));
    }
    if (name !== undefined && name !== '') {
      if (isIp(name)) conn.setVerifyHost(name.replace(/^\[|\]$/g, ''));
      else conn.setServerName(name);
    }
    let offeredAuthorized = false;
    if (o.session) {
      const sess = unwrapSession(o.session);
      // Same name, and an authorized origin unless the caller accepts
      // unauthorized servers anyway; else a full handshake.
      if (mayOffer(sess, name, reject)) {
        conn.setSession(sess.blob);
        offeredAuthorized = sess.authorized;
      }
    }
    const d = new Driver(conn, lease, o, o.onSession, name, offeredAuthorized, earlyPlan(o));
    return d.socket;
  } catch (e) {
    conn?.dispose();
    lease?.release();
    return failed(transport, e);
  }
}

/**
 * Serve a TLS connection (TLS 1.3 or 1.2) arriving on `transport` (our
 * certificate `cert` with `key`). With `requestCert` the client's chain
 * is checked against `ca`. A configuration error is reported as by {@link connect}:
 * the transport is closed and `opened` rejects.
 */
export function accept(options: AcceptOptions): TLSSocket {
  const transport = transportOf(options, 'accept');
  const o = options;
  let ctx: TLSContext | undefined;
  let lease: Lease | undefined;
  let conn: Connection | undefined;
  try {
    checkOptionNames(o, ACCEPT_OPTIONS, 'accept');
    ctx = o.context;
    if (o.ech) {
      // ECH keys make the context this connection's own (not shared by
      // the cache, whose keys do not name them): disposed with it.
      if (ctx) throw new TypeError('accept: give `ech` keys to the `context` (addEchKey), not beside it');
      const own = serverContext(o, 'accept');
      lease = { ctx: own, release: () => own.dispose() };
      ctx = own;
      for (const k of o.ech.keys) own.addEchKey(k.config, k.privateKey);
    } else if (!ctx) {
      lease = leaseServerContext(o, 'accept');
      ctx = lease.ctx;
    } else {
      checkVersions(o, 'accept');
    }
    if (o.earlyData !== undefined && o.earlyData !== false) {
      if (o.earlyData !== true) throw new TypeError('accept: `earlyData` must be a boolean');
      if (!o.context || o.context.maxEarlyData === 0) {
        throw new TypeError(
          "accept: `earlyData` needs a `context` with `maxEarlyData` > 0, kept for its ticket key's life (it records the tickets used for 0-RTT, RFC 8446 8.1)",
        );
      }
    }
    conn = new Connection(ctx);
    conn.setAcceptState();
    return new Driver(conn, lease, o, undefined, undefined, false, undefined, o.earlyData === true).socket;
  } catch (e) {
    conn?.dispose();
    lease?.release();
    return failed(transport, e);
  }
}

/** A server's SSL_get_early_data_status as the TLSInfo names it. */
function serverEarlyOutcome(c: Connection): EarlyDataOutcome {
  const s = c.getEarlyDataStatus();
  return s === 'ACCEPTED' ? 'accepted' : s === 'REJECTED' ? 'rejected' : 'not-sent';
}

/**
 * The socket of a connection that could not be set up: the caller's
 * transport is closed at once (a transport left open is a leaked socket:
 * one hung a single-threaded server), and every promise rejects with the
 * error, as a failed handshake's do.
 */
function failed(transport: Transport, error: unknown): TLSSocket {
  const closing = transport.close().catch(ignore);
  const opened = Promise.reject(error);
  opened.catch(ignore);
  const closed = closing.then(() => Promise.reject(error));
  closed.catch(ignore);
  const readable = new ReadableStream<Uint8Array>({ start: (c) => c.error(error) });
  const writable = new WritableStream<Uint8Array>({ start: (c) => c.error(error) });
  return {
    readable,
    writable,
    opened,
    closed,
    close: () => closing,
    getSession: () => undefined,
    keyUpdate: () => Promise.reject(error),
    get connection(): Connection {
      throw error;
    },
  };
}

/** Moves ciphertext between one Connection and one Transport. */
class Driver {
  readonly socket: TLSSocket;
  private readonly reader: Pick<ReadableStreamDefaultReader<Uint8Array>, 'read'>;
  private readonly writer: Pick<WritableStreamDefaultWriter<Uint8Array>, 'write' | 'close'>;
  private inLeft: Uint8Array | undefined;
  private eof = false;
  private eofSpins = 0;
  private failed: unknown;
  private finished = false; // transport closed, connection disposed
  private readEnded = false;
  private writeEnded = false;
  /** The transport's writable was closed by us (see send()). */
  private halfClosed = false;
  /** The last plaintext write handed to us, and how many were: see autoEnd(). */
  private writing: Promise<void> | undefined;
  private writes = 0;
  /** Our close_notify and the transport's half-close, once started. */
  private ending: Promise<void> | undefined;
  /** The connection ended itself after the peer's (allowHalfOpen false). */
  private autoEnded = false;
  /** Ends autoEnd()'s wait for a turn of the event loop at once. */
  private endTurn: (() => void) | undefined;
  private lastSession: Uint8Array | undefined;
  private ticketsSeen = 0;
  private rc!: ReadableStreamDefaultController<Uint8Array>;
  private wc!: WritableStreamDefaultController;
  private pendingEnd: 'close' | unknown = undefined;
  private resolveClosed!: () => void;
  private rejectClosed!: (e: unknown) => void;
  private readonly opened: Promise<TLSInfo>;
  /** Rejects `opened` at once when the connection ends during the
   * handshake: the handshake itself may be stuck on a write the peer
   * never takes, and `opened` must settle anyway. */
  private rejectOpened!: (e: unknown) => void;
  /** The handshake and idle timers (see {@link CommonOptions.handshakeTimeout}). */
  private hsTimer: ReturnType<typeof setTimeout> | undefined;
  private idleTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly idleMs: number | undefined;
  /** When ciphertext last moved either way (Date.now()). */
  private lastActive = 0;
  /** The end of a failed connection still lingering (see fail()). */
  // biome-ignore lint/correctness/noUnusedPrivateClassMembers: set by fail(), kept so the lingering end stays visible in a debugger
  private finishing: Promise<void> | undefined;

  constructor(
    private readonly conn: Connection,
    /** The context lent by the cache (none when the caller gave one). */
    private readonly lease: Lease | undefined,
    private readonly o: CommonOptions,
    private readonly onSession: ((s: Uint8Array) => void) | undefined,
    private readonly name: string | undefined,
    private readonly offeredAuthorized: boolean,
    /** connect()'s earlyData (early-data.ts). */
    private readonly early?: EarlyPlan,
    /** accept()'s earlyData: read 0-RTT before the handshake. */
    private readonly serverEarly = false,
  ) {
    // Checked before the transport is taken: a bad value is a
    // configuration error (connect()/accept() close the transport).
    const hsMs = timeoutOption(o.handshakeTimeout, 'handshakeTimeout', conn.isServer ? SERVER_HANDSHAKE_MS : CLIENT_HANDSHAKE_MS);
    this.idleMs = timeoutOption(o.idleTimeout, 'idleTimeout', undefined);
    if (o.releaseBuffers !== undefined && typeof o.releaseBuffers !== 'boolean') {
      throw new TypeError('`releaseBuffers` must be a boolean');
    }
    if (o.releaseBuffers !== false) {
      // Once idle for RELEASE_IDLE_MS, not between the records of a
      // transfer (see Connection.releaseDelay).
      conn.releaseDelay = RELEASE_IDLE_MS;
      conn.setMode(SSL_MODE_RELEASE_BUFFERS);
    }
    // A transport's bytes without its streams when it offers that (the
    // Node socket adapter: adapters/direct-port.ts, issue #16).
    const port = takePort(o.transport);
    this.reader = port ?? o.transport.readable.getReader();
    this.writer = port ?? o.transport.writable.getWriter();
    const closed = new Promise<void>((res, rej) => {
      this.resolveClosed = res;
      this.rejectClosed = rej;
    });
    closed.catch(ignore);
    if (hsMs !== undefined) {
      this.hsTimer = backgroundTimer(() => {
        this.hsTimer = undefined;
        // Node's code and words (ERR_TLS_HANDSHAKE_TIMEOUT, "TLS handshake
        // timeout"); engineCode 0: the engine raised nothing.
        void this.fail(timeoutError('ERR_TLS_HANDSHAKE_TIMEOUT', `TLS handshake timeout (no handshake within ${hsMs} ms)`));
      }, hsMs);
    }
    this.opened = new Promise<TLSInfo>((res, rej) => {
      this.rejectOpened = rej;
      this.handshake().then(res, rej);
    });
    this.opened.then(
      () => {
        this.clearHandshakeTimer();
        this.startIdleTimer();
      },
      () => this.clearHandshakeTimer(),
    );
    const hwm = o.readableHighWaterMark ?? 65536;
    const readable = new ReadableStream<Uint8Array>(
      {
        start: (c) => {
          this.rc = c;
        },
        pull: () => this.pull(),
        cancel: () => {
          this.readEnded = true;
          this.maybeFinish();
        },
      },
      { highWaterMark: hwm, size: (c) => c.byteLength },
    );
    const writable = new WritableStream<Uint8Array>(
      {
        start: (c) => {
          this.wc = c;
        },
        write: (chunk) => this.write(chunk),
        close: () => this.end(),
        abort: (reason) => this.fail(reason ?? new Error('wasmtls: writable aborted')),
      },
      { highWaterMark: 1 },
    );
    const signal = o.signal;
    if (signal) {
      const onAbort = () => {
        const reason: unknown = signal.reason ?? new Error('wasmtls: aborted');
        // During the handshake `opened` rejects with a TLSError like every
        // other handshake failure, the reason kept as its `cause`; Node's
        // code for an aborted operation (AbortError) is ABORT_ERR.
        void this.fail(this.info === undefined && !this.finished ? handshakeEndError('ABORT_ERR', 'handshake aborted', reason) : reason);
      };
      if (signal.aborted) queueMicrotask(onAbort);
      else signal.addEventListener('abort', onAbort, { once: true });
    }
    this.socket = {
      readable,
      writable,
      opened: this.opened,
      closed,
      close: () => this.close(),
      getSession: () => {
        const raw = this.finished || conn.isServer ? undefined : conn.getSession();
        return raw ? this.wrap(raw) : this.lastSession;
      },
      keyUpdate: async (requestPeer = true) => {
        await this.opened;
        this.check();
        // OpenSSL's SSL_key_update fails the same way ("wrong ssl
        // version"); the connection goes on.
        if (conn.version === 'TLSv1.2') {
          throw new Error('wasmtls: KeyUpdate is a TLS 1.3 message (RFC 8446 4.6.3); this connection is TLSv1.2');
        }
        if (!conn.keyUpdate(requestPeer)) throw conn.error ?? new TLSError(TLS_ERR.INTERNAL, 'KeyUpdate refused');
        await this.send();
      },
      connection: conn,
    };
  }

  // ---- ciphertext ---------------------------------------------------------------

  /** Hand the transport whatever the engine has to send; resolves once it
   * took it (the writer keeps the order of concurrent sends). */
  private send(): Promise<void> {
    // A callback may have disposed the connection (its SSL call then
    // threw ERR_STREAM_DESTROYED): nothing is left to send.
    if (this.finished || this.conn.disposed) return Promise.resolve();
    const out = this.conn.network.read();
    if (out.length === 0) return Promise.resolve();
    // After our half-close the transport takes nothing more: the alert
    // answering a record that came later (RFC 8446 5.2: bad_record_mac for
    // a forged one) has nowhere to go, and the error is reported on the
    // readable all the same. Node 20's writer.write() on a closed
    // WritableStream throws ERR_INTERNAL_ASSERTION synchronously, past any
    // .catch() (issue #15).
    if (this.halfClosed) return Promise.resolve();
    this.lastActive = Date.now();
    try {
      return this.writer.write(out).catch((e: unknown) => {
        throw transportFault(e);
      });
    } catch (e) {
      // A transport whose writer throws instead of rejecting (see above):
      // a rejection like any other, so every caller's catch sees it.
      return Promise.reject(transportFault(e));
    }
  }

  /** Give the engine more ciphertext; false once the transport ended. */
  private async feed(): Promise<boolean> {
    // The handshake may resume after close() disposed the engine, and a
    // callback may have disposed it (check() ends the connection then).
    if (this.finished) throw this.failed ?? this.closedError();
    this.check();
    if (!this.inLeft) {
      if (this.eof) return false;
      let r: ReadableStreamReadResult<Uint8Array>;
      try {
        r = await this.reader.read();
      } catch (e) {
        throw transportFault(e);
      }
      if (this.finished) throw this.failed ?? this.closedError();
      if (r.done) {
        this.eof = true;
        this.conn.network.end();
        return false;
      }
      this.inLeft = r.value;
      this.lastActive = Date.now();
    }
    const n = this.conn.network.write(this.inLeft);
    this.inLeft = n < this.inLeft.length ? this.inLeft.subarray(n) : undefined;
    return true;
  }

  private check(): void {
    // The SSL object underneath was disposed (socket.connection.dispose(),
    // maybe from a callback): the connection ends here, every promise
    // settles and the transport is closed.
    if (this.failed === undefined && !this.finished && this.conn.disposed) void this.fail(disposedError());
    if (this.failed !== undefined) throw this.failed;
    if (this.finished) throw this.closedError();
  }

  /** The error of a connection that ended normally, made once: a normal
   * close reached it from the writable, the pending read and finish()
   * (three Errors, each capturing a stack: issue #16, "an Error built on
   * every normal close"). Made again if the connection has since ended
   * itself, whose message says why. */
  private closedErr: Error | undefined;
  private closedErrAuto = false;

  private closedError(): Error {
    if (this.closedErr === undefined || this.closedErrAuto !== this.autoEnded) {
      this.closedErrAuto = this.autoEnded;
      this.closedErr = new Error(
        this.autoEnded
          ? "wasmtls: connection closed: the peer ended it and allowHalfOpen is false (pass allowHalfOpen: true to write after the peer's close_notify)"
          : 'wasmtls: connection closed',
      );
    }
    return this.closedErr;
  }

  private error(what: string): Error {
    const e = this.conn.error;
    if (e) return e;
    return new TLSError(TLS_ERR.INTERNAL, `${what}: ${this.conn.getError(-1)}`);
  }

  // ---- handshake --------------------------------------------------------------------

  /** accept()'s earlyData: SSL_read_early_data until FINISH (none
   * offered, refused, or EndOfEarlyData read); the bytes, joined. */
  private async readEarly(): Promise<Uint8Array> {
    const c = this.conn;
    const parts: Uint8Array[] = [];
    let total = 0;
    let ends = 0;
    for (;;) {
      this.check();
      const r = c.readEarlyData();
      if (r.status === 'SUCCESS') {
        parts.push(r.data);
        total += r.data.length;
        continue;
      }
      if (r.status === 'FINISH') break;
      const e = c.getError(0);
      if (e !== 'WANT_READ' && e !== 'WANT_WRITE') throw this.error('handshake failed');
      await this.send();
      if (e === 'WANT_READ' && !(await this.feed()) && ++ends > 1) {
        throw this.error('handshake stalled after the end of the transport');
      }
    }
    const out = new Uint8Array(total);
    let off = 0;
    for (const p of parts) {
      out.set(p, off);
      off += p.length;
    }
    return out;
  }

  private async handshake(): Promise<TLSInfo> {
    const c = this.conn;
    let ends = 0;
    try {
      const earlySent = this.early ? await writeEarly(c, this.early, () => this.send()) : 0;
      const earlyIn = this.serverEarly ? await this.readEarly() : undefined;
      for (;;) {
        this.check();
        const r = c.doHandshake();
        if (r === 1) break;
        const e = c.getError(r);
        if (e === 'WANT_READ' || e === 'WANT_WRITE') {
          await this.send();
          // At the transport's end the engine knows it (network.end): the
          // next step reports truncation (UNEXPECTED_EOF), or the alert
          // that came before the end.
          if (e === 'WANT_READ' && !(await this.feed()) && ++ends > 1) {
            throw this.error('handshake stalled after the end of the transport');
          }
          continue;
        }
        if (e === 'WANT_RETRY_VERIFY' && c.verifyPending) {
          await c.verifyPending;
          continue;
        }
        if (e === 'WANT_PRIVATE_KEY_OPERATION' && c.signPending) {
          // What the flight has so far (ServerHello ...) goes out while
          // the signer works; a signer that never answers meets the
          // handshake timeout, whose fail() settles every promise.
          await this.send();
          await c.signPending;
          continue;
        }
        throw this.error('handshake failed');
      }
      await this.send();
      this.check();
      const early = afterHandshake(c, this.early, earlySent);
      if (early.error) throw early.error;
      if (early.rest) await this.writeAll(early.rest);
      this.info = this.makeInfo(earlyIn ? serverEarlyOutcome(c) : early.outcome);
      if (earlyIn && earlyIn.length) this.info.earlyDataBytes = earlyIn;
      // A TLS 1.2 session exists once the handshake is done (its ticket
      // came before the server's Finished, or it has only a session ID):
      // hand it out now, as Node's 'session' fires, not at the first read.
      this.noteSession();
      return this.info;
    } catch (thrown) {
      const e = await this.explain(thrown);
      // No version in common: say which the other side lacks, not only
      // "protocol_version" (a TLS 1.1-only server answers our ClientHello
      // with it, RFC 5246 E.1; we send it when the peer offers or picks
      // none of ours, RFC 8446 4.2.1).
      if (e instanceof TLSError && e.alert === ALERT.protocol_version && !NO_VERSION.test(e.message) && !this.conn.disposed) {
        e.message += ` (${versionNote(this.conn.isServer === true, this.conn.ctx.minVersion, this.conn.ctx.maxVersion)})`;
      }
      // Name the certificate verdict behind our refusal, as Node's error
      // code does (the alert alone says little: bad_certificate covers a
      // wrong name and a wrong key usage alike): `code` is Node's
      // (DEPTH_ZERO_SELF_SIGNED_CERT, ...), and a wrong name reads as
      // Node's checkServerIdentity error.
      if (
        e instanceof TLSError &&
        e.verifyError === undefined &&
        e.alertDirection !== 'received' &&
        !this.conn.disposed &&
        this.conn.verifyCode < 0
      ) {
        const name = this.conn.verifyError;
        if (name !== undefined) {
          e.verifyError = name;
          e.code = name;
          if (name === 'ERR_TLS_CERT_ALTNAME_INVALID') this.altnameError(e);
          else
            e.message += ` (certificate: ${name}: ${peerVerifyReason(this.conn.verifyCode, this.conn.peerCertificates?.length ?? 0) ?? name})`;
        }
      }
      // ECH rejected (draft-ietf-tls-esni 6.1.6): the server's retry
      // configs go with the error, for the caller to connect again.
      if (e instanceof TLSError && e.reasonCode === TLS_ERR.ECH_REJECTED && !this.conn.disposed) {
        (e as TLSError & { retryConfigs?: Uint8Array }).retryConfigs = this.conn.echRetryConfigs();
      }
      await this.fail(e);
      throw this.failed ?? e;
    }
  }

  private info: TLSInfo | undefined;

  /** A refused name in Node's words and shape (its
   * ERR_TLS_CERT_ALTNAME_INVALID has `reason`, `host` and `cert`); the
   * engine's account (the alert we sent) stays in the other properties. */
  private altnameError(e: TLSError): void {
    const host = this.name ?? '';
    let cert: PeerCertificate | undefined;
    try {
      const chain = this.conn.peerCertificates;
      cert = chain?.length ? parseChain(chain) : undefined;
    } catch {
      /* not parseable here: the message says so without names */
    }
    const m = altnameMismatch(host, cert);
    e.message = m.message;
    Object.assign(e, { reason: m.reason, host, cert });
  }

  private wrap(raw: Uint8Array): Uint8Array {
    return wrapSession(raw, this.info?.authorized === true, this.name);
  }

  private makeInfo(earlyData: EarlyDataOutcome = 'not-sent'): TLSInfo {
    const c = this.conn;
    const chain = c.peerCertificates ?? [];
    const { authorized, authorizationError } = authorization(
      c.verifyCode,
      c.isServer === true,
      c.sessionReused,
      chain.length,
      this.offeredAuthorized,
    );
    const info: TLSInfo = {
      version: c.version!,
      cipher: c.cipher!,
      cipherStandardName: c.cipherStandardName!,
      group: c.group,
      signatureScheme: c.peerSignatureScheme,
      alpnProtocol: c.alpnProtocol ?? false,
      servername: c.serverName,
      authorized,
      authorizationError,
      peerCertificate: undefined,
      peerCertificates: chain,
      sessionReused: c.sessionReused,
      ech: c.echStatus,
      earlyData,
      certificateCompressionSent: c.certificateCompressionSent,
    };
    // Parsed on first use: fingerprints and names cost more than the rest
    // of a connection's setup, and most callers only read `authorized`.
    let parsed: PeerCertificate | undefined | null = null;
    Object.defineProperty(info, 'peerCertificate', {
      enumerable: true,
      get: (): PeerCertificate | undefined => {
        if (parsed === null) {
          try {
            parsed = chain.length ? parseChain(chain) : undefined;
          } catch {
            parsed = undefined; // accepted by an external verifier but not parseable here
          }
        }
        return parsed;
      },
    });
    return info;
  }

  // ---- plaintext in ----------------------------------------------------------------

  private async pull(): Promise<void> {
    // Once open, not awaited again: each read of a keep-alive connection
    // would pay a turn of the microtask queue for nothing.
    if (this.info === undefined) {
      try {
        await this.opened;
      } catch (e) {
        this.rc.error(e);
        return;
      }
    }
    const c = this.conn;
    const rc = this.rc;
    const hwm = this.o.readableHighWaterMark ?? 65536;
    for (;;) {
      if (this.readEnded) return;
      if (this.pendingEnd !== undefined) {
        // Deliver what is queued before ending or erroring: error() would
        // drop it (no lost byte when a peer closes right after sending).
        if ((rc.desiredSize ?? 0) < hwm) return;
        const p = this.pendingEnd;
        this.pendingEnd = undefined;
        if (p === 'close') this.endRead();
        else {
          try {
            rc.error(p);
          } catch {
            /* closed */
          }
          await this.fail(p);
        }
        return;
      }
      if (this.finished) {
        try {
          rc.error(this.failed ?? this.closedError());
        } catch {
          /* closed */
        }
        return;
      }
      if (c.disposed) {
        // Disposed by the application (an onSession callback, say):
        // delivered so far, then the error.
        this.pendingEnd = this.failed ?? disposedError();
        continue;
      }
      const r = this.readSome(c, rc.desiredSize ?? 0);
      if (r.ok) {
        rc.enqueue(r.data);
        this.noteSession();
        // Records already decrypted or buffered keep flowing without a
        // transport read; otherwise let the queue ask again.
        if ((rc.desiredSize ?? 0) > 0 && (c.pending() > 0 || c.network.unprocessed() > 0)) continue;
        return;
      }
      const e = c.getError(r.ok);
      const end = classifyEnd(e);
      try {
        if (e === 'WANT_READ' || e === 'WANT_WRITE') {
          this.noteSession();
          await this.send(); // KeyUpdate answers, alerts
          // At the transport's end the engine knows it (network.end) and
          // the next readEx says ZERO_RETURN or SYSCALL.
          if (e === 'WANT_READ' && !(await this.feed()) && ++this.eofSpins > 2) {
            this.pendingEnd = new TLSError(TLS_ERR.INTERNAL, 'read stalled after the end of the transport');
          }
          continue;
        }
        if (end === 'close_notify' || (end === 'truncated' && this.o.onUnexpectedEof === 'end')) {
          this.pendingEnd = 'close';
          continue;
        }
        // Truncation is the engine's UNEXPECTED_EOF, handed on as it is.
        this.pendingEnd = this.error('read failed');
        await this.send().catch(ignore); // our alert, if the engine made one
      } catch (err) {
        this.pendingEnd = await this.explain(err);
      }
    }
  }

  /**
   * One chunk for the readable: a record, or when more input is already
   * buffered, as many records as it holds, up to what the queue wants
   * (at most COALESCE bytes), read straight into one array. A transport
   * chunk carries several records (a Wisp DATA packet is one TCP read of
   * the relay); one chunk for them all costs the reader one read() and
   * the queue one enqueue instead of one per record. The array is sized
   * by the ciphertext waiting, which bounds the plaintext it holds.
   */
  private readSome(c: Connection, want: number): { ok: boolean; data: Uint8Array } {
    const waiting = c.pending() + c.network.unprocessed();
    const size = Math.min(want, COALESCE, waiting);
    if (size <= MAX_RECORD) return c.readEx();
    const buf = new Uint8Array(size);
    let got = 0;
    while (got < size) {
      const r = c.readEx(buf.subarray(got));
      if (!r.ok) {
        // Nothing read: the failure is this call's answer (getError).
        if (got === 0) return r;
        // Otherwise it comes again at the next read (WANT_READ, the
        // peer's close_notify and errors all repeat).
        break;
      }
      got += r.data.length;
    }
    // A partial record at the end of the input leaves room unused: keep
    // the array when it is mostly full, else hand out a fitting copy.
    return { ok: true, data: got * 2 >= size ? buf.subarray(0, got) : buf.slice(0, got) };
  }

  private endRead(): void {
    if (this.readEnded) return;
    this.readEnded = true;
    try {
      this.rc.close();
    } catch {
      /* already closed or cancelled */
    }
    // pull() ends the readable only once its queue is empty: the data was
    // read, as Node ends its side after 'end' was emitted.
    if (this.o.allowHalfOpen !== true && !this.writeEnded && !this.finished) void this.autoEnd();
    this.maybeFinish();
  }

  /**
   * Node's `allowHalfOpen: false` ("the socket will automatically end the
   * writable side when the readable side ends", net.Socket docs) and
   * Deno's TlsConn: after the peer's end, ours. Writes the application has
   * already made go out first: a pipeTo() that read the last chunk writes
   * it in the same turn, and the writable's queue hands each chunk to the
   * sink as the previous write resolves; so the end waits until a whole
   * turn of the event loop passes without a new write. A write made after
   * that rejects (as Node's write after end). Failures are the
   * connection's (`closed` rejects); a peer already gone is not one.
   */
  /** One turn of the event loop; cut short when the connection finishes,
   * so a closed connection leaves no timer behind. */
  private nextTurn(): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(t);
        if (this.endTurn === done) this.endTurn = undefined;
        resolve();
      };
      const t = setTimeout(done, 0);
      this.endTurn = done;
    });
  }

  private async autoEnd(): Promise<void> {
    for (;;) {
      const n = this.writes;
      await this.writing?.catch(ignore);
      await this.nextTurn();
      if (this.finished) return;
      if (n === this.writes) break;
    }
    if (this.finished || this.writeEnded || this.ending) return;
    this.autoEnded = true;
    await this.end().catch(ignore);
  }

  /** Hand out each new session once: the engine counts tickets, so the
   * session is read across the boundary only when one came. */
  private noteSession(): void {
    if (!this.onSession || this.conn.isServer) return;
    const n = this.conn.ticketsReceived;
    if (n === this.ticketsSeen) return;
    this.ticketsSeen = n;
    const raw = this.conn.getSession();
    if (!raw) return;
    const s = this.wrap(raw);
    this.lastSession = s;
    try {
      this.onSession(s);
    } catch {
      /* a listener's error is not the connection's */
    }
  }

  // ---- plaintext out ---------------------------------------------------------------

  private write(chunk: Uint8Array): Promise<void> {
    const p = this.writeChunk(chunk);
    this.writing = p;
    this.writes++;
    return p;
  }

  private async writeChunk(chunk: Uint8Array): Promise<void> {
    if (!(chunk instanceof Uint8Array)) {
      // A WritableStream is errored for good by its sink's rejection, so
      // the connection cannot go on writing (issue #15: "a non-bytes chunk
      // written leaves closed pending and the connection leaked"). The
      // writer gets the TypeError; the connection ends cleanly on the
      // wire (close_notify after the handshake: what was written before
      // is delivered whole) and the readable and `closed` fail with the
      // same TypeError, so the mistake is seen wherever it is awaited.
      const e = Object.assign(
        new TypeError(`wasmtls: writable takes Uint8Array chunks, got ${chunk === null ? 'null' : typeof chunk}: the connection is closed`),
        // Node's code for the same mistake (socket.write(123)).
        { code: 'ERR_INVALID_ARG_TYPE' },
      );
      void this.endWith(e);
      throw e;
    }
    if (this.info === undefined) await this.opened; // (as in pull())
    if (this.autoEnded || this.ending) throw this.failed ?? this.closedError();
    try {
      await this.writeAll(chunk);
    } catch (e) {
      throw await this.transportFailed(e);
    }
  }

  private async writeAll(chunk: Uint8Array): Promise<void> {
    const c = this.conn;
    for (let off = 0; off < chunk.length; ) {
      this.check();
      const slice = chunk.subarray(off, Math.min(chunk.length, off + SLICE));
      for (;;) {
        const r = c.writeEx(slice);
        if (r.ok) {
          off += r.written;
          break;
        }
        const e = c.getError(r.ok);
        if (e !== 'WANT_WRITE') {
          const err = this.error('write failed');
          await this.fail(err);
          throw err;
        }
        // The outgoing side is full: drain it and repeat with the same
        // buffer (SSL_write(3)).
        await this.send();
        this.check();
      }
      await this.send();
    }
  }

  /** Close our side: close_notify, then the transport's half-close. Once:
   * closing again (or after the connection ended itself) is the same. */
  private end(): Promise<void> {
    this.ending ??= this.shutdownWrite();
    return this.ending;
  }

  private async shutdownWrite(): Promise<void> {
    await this.opened;
    this.check();
    // SSL_shutdown(3): a full outgoing side is WANT_WRITE; drain it and
    // repeat (the repeat answers the first step once close_notify is out).
    for (;;) {
      const r = this.conn.shutdown();
      if (r >= 0) break;
      if (this.conn.getError(r) !== 'WANT_WRITE') throw this.error('shutdown failed');
      try {
        await this.send();
      } catch (e) {
        if (await this.peerGone(e)) return this.wroteEnd();
        throw await this.transportFailed(e);
      }
      this.check();
    }
    try {
      await this.send();
      this.halfClosed = true;
      await this.writer.close().catch((e: unknown) => {
        throw transportFault(e);
      });
    } catch (e) {
      if (await this.peerGone(e)) return this.wroteEnd();
      throw await this.transportFailed(e);
    }
    this.wroteEnd();
  }

  private wroteEnd(): void {
    this.writeEnded = true;
    this.maybeFinish();
  }

  /**
   * Whether a transport failure while our close_notify goes out means only
   * that the peer has gone first, which is a normal end: its close_notify
   * is in, once the engine has been given every byte that arrived before
   * the failure (a WebSocket tunnel is closed with 1000 when the server's
   * FIN reaches the relay, maybe while our close_notify is still queued; a
   * TCP peer that closed fully answers it with a reset), or the readable
   * accepted the transport's end (`onUnexpectedEof: 'end'`). Nothing the
   * peer sent is lost then, and nothing of ours was owed.
   */
  private async peerGone(e: unknown): Promise<boolean> {
    if (e instanceof TLSError || this.finished) return false;
    const over = (): boolean =>
      !this.finished && !this.conn.error && ((this.conn.getShutdown() & 2) !== 0 || (this.eof && this.o.onUnexpectedEof === 'end'));
    if (over()) return true;
    const x = await this.explain(e);
    return x === e && over();
  }

  // ---- the end -------------------------------------------------------------------------

  private maybeFinish(): void {
    if (this.readEnded && this.writeEnded && !this.finished) void this.finish(undefined);
  }

  private async finish(err: unknown, linger = false): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    // Every stream settles (issue #15): a writable the connection ended on
    // its own (the peer's end with allowHalfOpen false) was never closed
    // by its owner, and a writer waiting on `closed` waited for ever. A
    // later write rejects as one after Node's end() does; a writable
    // already closed or errored is left as it is.
    try {
      this.wc.error(err ?? this.closedError());
    } catch {
      /* closed */
    }
    this.endTurn?.();
    this.clearHandshakeTimer();
    if (this.idleTimer !== undefined) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    if (!this.conn.disposed && !this.conn.isServer && this.info !== undefined) {
      const raw = this.conn.getSession();
      if (raw) this.lastSession = this.wrap(raw);
    }
    if (linger) {
      // The engine has nothing more to say: free it before waiting.
      this.conn.dispose();
      this.lease?.release();
      await this.linger();
    }
    try {
      // Bounded: a transport whose close waits on a write the peer never
      // takes must not keep `closed` (and the engine's memory) for ever.
      await bounded(this.o.transport.close(), LINGER_MS);
    } catch {
      /* close() never rejects; belt and braces */
    }
    if (!linger) {
      this.conn.dispose();
      this.lease?.release();
    }
    if (err === undefined) this.resolveClosed();
    else this.rejectClosed(err);
  }

  /** End everything with an error: our alert (if any) goes out first. */
  private async fail(e: unknown): Promise<void> {
    if (this.finished) return;
    if (this.failed === undefined) this.failed = e;
    try {
      if (!this.conn.disposed && (!this.conn.isInitFinished || this.conn.error)) await bounded(this.send(), 1000);
    } catch {
      /* the transport is gone */
    }
    // After our alert went out (a caller that closes the transport as soon
    // as `opened` rejects must not cut it off), but without waiting on the
    // handshake, which may be stuck on a write the peer never takes.
    if (this.info === undefined) this.rejectOpened(this.failed);
    try {
      this.rc.error(this.failed);
    } catch {
      /* closed */
    }
    try {
      this.wc.error(this.failed);
    } catch {
      /* closed */
    }
    this.readEnded = this.writeEnded = true;
    if (!this.conn.disposed && this.conn.error?.alertDirection === 'sent') {
      // Our fatal alert is out, but the peer's flight may still be coming.
      // Closing now with bytes unread (or arriving later) makes the kernel
      // answer with a TCP reset, and a peer still writing its flight (as
      // OpenSSL does before it reads) then fails on EPIPE / ECONNRESET
      // without ever reading the alert (RFC 8446 6.2: the alert is how the
      // peer learns why). So, as OpenSSL's s_server and lingering TCP
      // servers do: half-close after the alert, read and discard what
      // still comes for a short bounded time, then close. The caller
      // learns of the failure now; `closed` settles after the linger.
      this.finishing = this.finish(this.failed, true);
      return;
    }
    await this.finish(this.failed);
  }

  /**
   * A transport error (a write's `EPIPE`, a read's `ECONNRESET`) often
   * follows the peer's fatal alert: it refused us and closed, and our
   * bytes drew a reset. Before reporting the transport's error, give the
   * engine what had arrived (bounded by {@link EXPLAIN_MS}); if it holds
   * the peer's alert, that is the error, as OpenSSL and Node report it.
   */
  private async explain(e: unknown): Promise<unknown> {
    return asTransportError(await this.explainRaw(e));
  }

  private async explainRaw(e: unknown): Promise<unknown> {
    if (e instanceof TLSError || this.finished || this.conn.disposed) return e;
    const c = this.conn;
    const until = Date.now() + EXPLAIN_MS;
    const { timeUp, clear } = deadline(EXPLAIN_MS);
    try {
      for (;;) {
        if (c.error) return c.error;
        while (this.inLeft) {
          const n = c.network.write(this.inLeft);
          this.inLeft = n < this.inLeft.length ? this.inLeft.subarray(n) : undefined;
          if (!this.runEngine() || n === 0) break;
        }
        this.runEngine();
        if (c.error) return c.error;
        // After the peer's close_notify nothing can follow that explains
        // more (RFC 8446 6.1: data after it is ignored).
        if (this.eof || this.inLeft || (c.getShutdown() & 2) !== 0 || Date.now() >= until) return e;
        const r = await Promise.race([this.reader.read(), timeUp]);
        await tick(); // a pull() that read the alert first gets to run
        if (this.finished) return this.failed ?? e;
        if (r === 'time') return e;
        if (r.done) {
          this.eof = true;
          c.network.end();
          this.runEngine();
          return c.error ?? e;
        }
        this.inLeft = r.value;
      }
    } catch {
      await tick();
      return this.finished ? e : (c.error ?? e);
    } finally {
      clear();
    }
  }

  /** Let the engine read what it was given (within explain()); plaintext
   * still arriving goes to the readable. False once it fails. */
  private runEngine(): boolean {
    const c = this.conn;
    if (!c.isInitFinished) {
      c.doHandshake();
      return !c.error;
    }
    for (;;) {
      const r = c.readEx();
      if (!r.ok) return !c.error;
      if (!this.readEnded) {
        try {
          this.rc.enqueue(r.data);
        } catch {
          /* the readable is done */
        }
      }
    }
  }

  /** A write or end failed: end the connection with the best name for it. */
  private async transportFailed(e: unknown): Promise<unknown> {
    const x = await this.explain(e);
    await this.fail(x);
    return this.failed ?? x;
  }

  /** Half-close the transport and discard its input until the peer's end
   * or {@link LINGER_MS}, whichever comes first. */
  private async linger(): Promise<void> {
    this.inLeft = undefined;
    this.halfClosed = true;
    const until = Date.now() + LINGER_MS;
    try {
      await bounded(this.writer.close(), LINGER_MS);
    } catch {
      /* no half-close on this transport, or it failed: still drain */
    }
    if (this.eof) return;
    const { timeUp, clear } = deadline(Math.max(0, until - Date.now()));
    try {
      for (;;) {
        const r = await Promise.race([this.reader.read(), timeUp]);
        if (r === 'time' || r.done) return;
      }
    } catch {
      /* the transport failed: nothing more to wait for */
    } finally {
      clear();
    }
  }

  private clearHandshakeTimer(): void {
    if (this.hsTimer !== undefined) clearTimeout(this.hsTimer);
    this.hsTimer = undefined;
  }

  /** One timer for the whole connection, not one per chunk: when it fires
   * it looks at when ciphertext last moved and waits the rest, or ends
   * the connection once a whole idleTimeout passed without any. */
  private startIdleTimer(): void {
    const ms = this.idleMs;
    if (ms === undefined || this.finished) return;
    this.lastActive = Date.now();
    const check = (): void => {
      this.idleTimer = undefined;
      if (this.finished) return;
      const quiet = Date.now() - this.lastActive;
      if (quiet < ms) {
        this.idleTimer = backgroundTimer(check, ms - quiet);
        return;
      }
      void this.idleEnd(ms);
    };
    this.idleTimer = backgroundTimer(check, ms);
  }

  /** End an idle connection: our close_notify first (the peer did nothing
   * wrong, and reads a clean end, RFC 8446 6.1), then the transport is
   * closed and our side's streams and `closed` fail with
   * ERR_TLS_IDLE_TIMEOUT, so the application learns why. */
  private async idleEnd(ms: number): Promise<void> {
    await this.endWith(timeoutError('ERR_TLS_IDLE_TIMEOUT', `TLS connection idle for ${ms} ms (idleTimeout)`));
  }

  /** End with our close_notify (after the handshake; the peer reads a
   * clean end of what we sent), then fail everything else with `err`. */
  private async endWith(err: unknown): Promise<void> {
    if (this.finished) return;
    if (this.failed === undefined) this.failed = err;
    try {
      if (this.conn.isInitFinished && !this.conn.error && !(this.conn.getShutdown() & 1)) {
        this.conn.shutdown();
        await bounded(this.send(), 1000);
      }
    } catch {
      /* best effort: the transport may already be gone */
    }
    await this.fail(err);
  }

  private async close(): Promise<void> {
    if (this.finished) return;
    if (this.info === undefined && this.failed === undefined) {
      // Closed before the handshake finished: `opened` rejects now (it
      // must not wait on the handshake, which may be stuck on a write the
      // peer never reads), with Node's code for a client socket closed
      // before the handshake ('Client network socket disconnected before
      // secure TLS connection was established', ECONNRESET). `closed`
      // resolves: the caller asked for the end.
      this.failed = handshakeEndError('ECONNRESET', 'connection closed before the handshake finished', undefined);
      this.rejectOpened(this.failed);
    }
    try {
      if (this.conn.isInitFinished && !this.conn.error && !(this.conn.getShutdown() & 1)) {
        this.conn.shutdown();
        await bounded(this.send(), 1000);
      }
    } catch {
      /* best effort: the transport may already be gone */
    }
    // Before the handshake finished both streams fail with its error
    // (there was never any data); after it, the readable ends cleanly.
    const err = this.failed ?? this.closedError();
    try {
      if (this.failed === undefined) this.rc.close();
      else this.rc.error(err);
    } catch {
      /* already closed */
    }
    try {
      this.wc.error(err);
    } catch {
      /* closed */
    }
    this.readEnded = this.writeEnded = true;
    await this.finish(undefined);
  }
}

/**
 * Why a protocol_version alert, from the versions this side allowed:
 * `the server does not offer TLS 1.2 or 1.3`, or with a narrowed range
 * `the server does not offer TLS 1.3, the only version allowed here`.
 */
export function versionNote(isServer: boolean, min: TLSVersion, max: TLSVersion): string {
  const who = isServer ? 'the client' : 'the server';
  if (min === 'TLSv1.2' && max === 'TLSv1.3') return `${who} does not offer TLS 1.2 or 1.3`;
  return `${who} does not offer TLS ${min.slice(4)}, the only version allowed here`;
}

/** One turn of the event loop. */
function tick(): Promise<void> {
  return new Promise((r) => setTimeout(r, 0));
}

/** `p`, but no longer than `ms` (a transport that stopped taking bytes
 * must not hold up a close). The timer is cleared either way, so a closed
 * connection leaves nothing that keeps a process alive. */
/** 'time' after ms, on a timer that never keeps the process alive (a
 * lingering or explaining connection must not); clear() stops it. */
function deadline(ms: number): { timeUp: Promise<'time'>; clear: () => void } {
  let t: ReturnType<typeof setTimeout> | undefined;
  const timeUp = new Promise<'time'>((r) => {
    t = setTimeout(() => r('time'), ms);
    (t as { unref?: () => void }).unref?.();
  });
  return { timeUp, clear: () => clearTimeout(t) };
}

function bounded(p: Promise<void>, ms: number): Promise<void> {
  let t: ReturnType<typeof setTimeout> | undefined;
  const timer = new Promise<void>((r) => {
    t = setTimeout(r, ms);
  });
  return Promise.race([p, timer]).finally(() => clearTimeout(t));
}

/**
 * A timeout option in ms: undefined takes the default; `0`, `Infinity`
 * and `false` disable it (undefined); a delay beyond setTimeout's range
 * counts as none; anything else not a positive number is a TypeError.
 */
function timeoutOption(v: unknown, name: string, dflt: number | undefined): number | undefined {
  if (v === undefined) return dflt;
  if (v === false || v === 0 || v === Number.POSITIVE_INFINITY) return undefined;
  if (typeof v !== 'number' || !(v > 0)) {
    throw new TypeError(`wasmtls: \`${name}\` must be a number of milliseconds > 0, or 0 / Infinity / false for none (got ${String(v)})`);
  }
  return v > MAX_TIMER_MS ? undefined : v;
}

/** A timer that does not keep the process alive: Node's Timeout has
 * unref(), Deno has Deno.unrefTimer(id); browsers and workerd have no
 * such notion (a page or request outlives it anyway). */
function backgroundTimer(fn: () => void, ms: number): ReturnType<typeof setTimeout> {
  const t = setTimeout(fn, ms);
  const n = t as unknown as { unref?: () => void };
  if (typeof t === 'object' && t !== null && typeof n.unref === 'function') n.unref();
  else if (typeof t === 'number') {
    const deno = (globalThis as { Deno?: { unrefTimer?: (id: number) => void } }).Deno;
    deno?.unrefTimer?.(t);
  }
  return t;
}

/** A TLSError for a handshake ended by our side (close() or an abort):
 * `code` is Node's string; `engineCode` is 0, as the engine raised
 * nothing (no TLS_ERR code is 0); an abort's reason is the `cause`. */
function handshakeEndError(code: 'ECONNRESET' | 'ABORT_ERR', text: string, cause: unknown): TLSError {
  const why = cause instanceof Error ? `: ${cause.message}` : cause === undefined ? '' : `: ${String(cause)}`;
  const e = new TLSError(0, `${text}${why}`, 0, `${text}${why}`, cause === undefined ? undefined : { cause });
  e.code = code;
  return e;
}

/**
 * Errors are TLSErrors with a code (issue #15): a transport's system error
 * (Node's, with `code` and `syscall`: a read's ECONNRESET, a write's EPIPE)
 * becomes a TLSError that keeps the code, as Node's tls socket reports
 * the socket's ECONNRESET under that code, with the original as `cause`
 * (engineCode 0: the engine raised nothing). Any other failure of the
 * transport's streams (a stream pair's, a WebSocket's close 1006, a
 * Deno or Workers socket's, a Wisp stream's) becomes one too, with code
 * {@link TRANSPORT_ERROR} unless it carries an errno-style code. Anything
 * else (an abort's reason, a callback's error, a TLSError) is handed on
 * as it is.
 */
export function asTransportError(e: unknown): unknown {
  if (e instanceof TLSError || !(e instanceof Error)) return e;
  const x = e as Error & { code?: unknown; syscall?: unknown };
  const system = typeof x.code === 'string' && typeof x.syscall === 'string';
  if (!system && !faults.has(e)) return e;
  const text = `transport error: ${e.message}`;
  const t = new TLSError(0, text, 0, text, { cause: e });
  // A system error's code (Node's, Deno's `ECONNRESET`) is kept, as Node's
  // tls socket reports it; another (a WispError's `'ClientClosed'`) stays
  // on the cause.
  t.code = system || (typeof x.code === 'string' && SYSTEM_CODE.test(x.code)) ? (x.code as string) : TRANSPORT_ERROR;
  return t;
}

const SYSTEM_CODE = /^E[A-Z0-9_]+$/;

/**
 * `code` of a TLSError for a transport's failure that carries no code of
 * its own (a stream pair's or WebSocket's error, a Deno error without
 * one): issue #15, "Errors are always TLSErrors with a code (a transport
 * ECONNRESET/EPIPE becomes a TLSError whose cause is the original)". The
 * transport's error is the `cause`.
 */
export const TRANSPORT_ERROR = 'ERR_TLS_TRANSPORT';

/** Errors that came from the transport's streams (a read, a write, the
 * half-close): only these become transport TLSErrors, not an abort's
 * reason or a callback's error, which pass through as they are. */
const faults = new WeakSet<Error>();

/** Mark `e` as the transport's; a rejection with something that is not an
 * Error (a string reason) becomes one, so it can carry the mark. */
function transportFault(e: unknown): Error {
  const err = e instanceof Error ? e : new Error(`transport failed: ${String(e)}`, { cause: e });
  if (!(err instanceof TLSError)) faults.add(err);
  return err;
}

/** The connection's SSL object was disposed under the socket. */
function disposedError(): TLSError {
  return destroyedError('the connection was disposed (socket.connection.dispose())');
}

/** A timeout's TLSError: `code` is Node's string; `engineCode` is 0, as
 * the engine raised nothing (no TLS_ERR code is 0). */
function timeoutError(code: 'ERR_TLS_HANDSHAKE_TIMEOUT' | 'ERR_TLS_IDLE_TIMEOUT', text: string): TLSError {
  const e = new TLSError(0, text);
  e.code = code;
  return e;
}
