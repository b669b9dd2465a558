/**
 * wasmtls as a drop-in for Node's `tls.TLSSocket` / `tls.connect()`: a
 * `stream.Duplex` with Node's events, properties and methods, so code
 * written for `node:tls` (undici's `connect` option, `http.request`'s
 * `createConnection`, ...) runs TLS 1.3 or 1.2 through the wasm engine
 * instead of Node's OpenSSL. Node only: it imports `node:` modules.
 *
 * Underneath is {@link tlsConnect | connect()} / `accept()` of
 * `wasmtls/tls` over a {@link Transport}: a Node socket (`host`/`port`, or
 * `socket`), or any wasmtls transport (`transport`: a WebSocket tunnel, a
 * Wisp stream). Where Node's own behaviour is a choice, this module makes
 * Node's:
 *
 * - the certificate verdict is taken after the handshake, as Node's
 *   `onConnectSecure` does: `authorized` / `authorizationError` (a string,
 *   the OpenSSL name) are set, and with `rejectUnauthorized` (the default)
 *   the socket is destroyed with an Error whose `code` is that name
 *   (`DEPTH_ZERO_SELF_SIGNED_CERT`, `ERR_TLS_CERT_ALTNAME_INVALID`, ...);
 *   nothing is written or read before the verdict;
 * - without `ca` the trust anchors are Node's own (`tls.rootCertificates`,
 *   extended by the file NODE_EXTRA_CA_CERTS names, as Node's are),
 *   parsed once;
 * - the peer's EOF without close_notify ends the stream without an error
 *   (Node's `SSL_OP_IGNORE_UNEXPECTED_EOF`): HTTP frames its own messages;
 * - `end()` sends close_notify and half-closes; `destroy()` closes the
 *   transport;
 * - after the peer's close_notify (or EOF) and `'end'`, the socket ends its
 *   side too and closes (`allowHalfOpen: false`, Node's default); with
 *   `allowHalfOpen: true` it stays writable until `end()`.
 *
 * @example
 * ```ts
 * import { connect } from 'wasmtls/node';
 * const s = connect({ host: 'example.com', port: 443, ALPNProtocols: ['http/1.1'] }, () => {
 *   console.log(s.getProtocol(), s.getCipher(), s.authorized);
 *   s.end('GET / HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\n\r\n');
 * });
 * s.pipe(process.stdout);
 * ```
 * @module
 */
import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { type AddressInfo, connect as netConnect, type Socket } from 'node:net';
import { Duplex, type DuplexOptions } from 'node:stream';
import { rootCertificates } from 'node:tls';
import { fromNodeSocket } from '../adapters/node-socket.js';
import type { Transport } from '../adapters/types.js';
import type { CipherSuiteName, GroupName, SignatureSchemeName } from '../core/connection.js';
import { isTruncation } from '../core/eof.js';
import { checkVersions, parseCiphers, versionRange } from '../core/configure.js';
import { TLSError } from '../core/errors.js';
import { init, wasm, type Wasm } from '../core/loader.js';
import { certificateList } from '../core/pem.js';
import type { PrivateKeySigner } from '../core/signer.js';
import { unwrapSession, withVerdict } from '../core/session.js';
import { altnameMismatch, peerVerifyReason } from '../core/verdict.js';
import { TrustStore, type PeerCertificate } from '../core/x509.js';
import { accept, connect as tlsConnect, type TLSInfo, type TLSSocket as StreamSocket } from './tls.js';

export type { Transport } from '../adapters/types.js';

/** PEM text or bytes, as Node's `ca` / `cert` / `key` take them (a Buffer
 * holding PEM text is PEM, as in Node; other bytes are DER). */
export type PemLike = string | Uint8Array;

/** The certificate as Node's `getPeerCertificate()` returns it. */
export interface DetailedPeerCertificate extends Omit<PeerCertificate, 'raw' | 'issuerCertificate'> {
  /** The certificate's DER. */
  raw: Buffer;
  /** SHA-1 of the DER, as Node (uppercase hex pairs joined by ':'). */
  fingerprint: string;
  /** SHA-512 of the DER, as Node. */
  fingerprint512: string;
  /** The issuer's certificate, up the validated path (a self-signed root is its own issuer, as in Node). */
  issuerCertificate?: DetailedPeerCertificate;
}

/** Options of {@link TLSSocket} (both roles) and {@link connect}. */
export interface TLSSocketOptions {
  /** Serve instead of connect (needs `cert` and `key`). */
  isServer?: boolean;
  /** Run TLS over this wasmtls transport instead of a Node socket. */
  transport?: Transport;
  /** The SNI name and the name the certificate is checked for (default
   * `host`; an IP address is checked but not sent, RFC 6066 3). */
  servername?: string;
  /** ALPN protocols to offer (client) or accept (server), preference order. */
  ALPNProtocols?: readonly (string | Uint8Array)[];
  /** Trust anchors; default Node's `tls.rootCertificates`. */
  ca?: PemLike | readonly PemLike[];
  /** Our certificate chain, leaf first (a server's, or a client's when asked). */
  cert?: PemLike | readonly PemLike[];
  /** The private key of `cert`'s leaf, or a {@link PrivateKeySigner}
   * (the key stays outside the module). */
  key?: PemLike | PrivateKeySigner;
  /** Client: refuse a server that is not authorized (default true).
   * Server: with `requestCert`, refuse a client without a valid chain. */
  rejectUnauthorized?: boolean;
  /** Server: ask the client for a certificate. */
  requestCert?: boolean;
  /** Lowest version (default `'TLSv1.2'`); `'TLSv1'` and `'TLSv1.1'` are
   * accepted as in Node and mean TLS 1.2, the lowest spoken here. */
  minVersion?: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';
  /** Highest version (default `'TLSv1.3'`). */
  maxVersion?: 'TLSv1.2' | 'TLSv1.3';
  /** A session from `getSession()` or the `'session'` event, to resume. */
  session?: Uint8Array;
  /** Called after a validated handshake with the name and the peer's
   * certificate; an Error it returns fails the connection, as in Node.
   * The engine has already checked the name against the certificate. */
  checkServerIdentity?: (hostname: string, cert: DetailedPeerCertificate) => Error | undefined;
  /** Server: 32-byte session ticket key (enables resumption). */
  ticketKey?: Uint8Array;
  /** Node's `ciphers`, an OpenSSL cipher list (':'-separated): TLS 1.2
   * suites by OpenSSL's or IANA's name, TLS 1.3 ones by theirs; a name
   * this engine lacks (CBC, RSA key exchange, `HIGH`, ...) is an error
   * naming it (see `wasmtls/tls` `ciphers`). */
  ciphers?: string;
  /** TLS 1.3 suites (IANA names), preference order. */
  ciphersuites?: readonly CipherSuiteName[];
  /** Key exchange groups, preference order. */
  groups?: readonly GroupName[];
  /** Keep the writable open after the peer ended (default false, as Node). */
  allowHalfOpen?: boolean;
  /** The readable's high-water mark in bytes. */
  highWaterMark?: number;
  /**
   * Node's `handshakeTimeout` (a `tls.createServer` option there): abort
   * the connection if the handshake has not finished within this many
   * ms; the socket is destroyed with an error whose `code` is
   * `'ERR_TLS_HANDSHAKE_TIMEOUT'`, as Node's server reports it in
   * `'tlsClientError'`. Default 120,000 for a server (Node's) and 30,000
   * for a client (Node's client has none; a silent server would leave it
   * connecting for ever: see `wasmtls/tls` `handshakeTimeout`). `0`,
   * `Infinity` or `false` disables it. For idle connections use
   * `setTimeout()` / `timeout`, as in Node.
   */
  handshakeTimeout?: number | false;
  /** Give the record buffers back while the connection is idle
   * (`SSL_MODE_RELEASE_BUFFERS`; see `wasmtls/tls` `releaseBuffers`).
   * Default `true`; `false` keeps them. */
  releaseBuffers?: boolean;
}

/** Options of {@link connect}: Node's `tls.connect` names. */
export interface ConnectOptions extends TLSSocketOptions {
  /** The host to connect to over TCP (default `'localhost'`, as Node). */
  host?: string;
  /** The TCP port to connect to. */
  port?: number;
  /** A connected (or connecting) socket or byte Duplex to run TLS over. */
  socket?: Duplex;
  /** Idle timeout in ms, as `socket.setTimeout()`. */
  timeout?: number;
}

/** What {@link TLSSocket.getCipher} returns, as Node's `getCipher()`. */
export interface CipherNameInfo {
  /** OpenSSL's name of the suite (for TLS 1.3 the IANA name). */
  name: string;
  /** The IANA name of the suite. */
  standardName: string;
  /** The protocol version that defines the suite (`'TLSv1.2'`, `'TLSv1.3'`). */
  version: string;
}

/** What {@link TLSSocket.getEphemeralKeyInfo} returns, as Node's. */
export interface EphemeralKeyInfo {
  /** `'ECDH'` (an elliptic curve group) or, for a group that is not a curve, its kind. */
  type: string;
  /** OpenSSL's name of the group (`'X25519'`, `'prime256v1'`, ...). */
  name: string;
  /** The group's size in bits, where Node reports one. */
  size?: number;
}

/** Node's error shape: an Error with a string `code`. */
export interface NodeTLSError extends Error {
  /** Node's code (`'ERR_TLS_CERT_ALTNAME_INVALID'`, `'ECONNRESET'`, ...). */
  code: string;
  /** The engine's error behind it, when there is one. */
  cause?: unknown;
}

const IGNORE = (): void => {};

// ---- trust anchors -------------------------------------------------------------------

// One parsed store of Node's roots per wasm instance: a store lives in that
// instance's memory, and tests may swap instances.
const defaultStores = /* @__PURE__ */ new WeakMap<Wasm, TrustStore>();

/** Node's NODE_EXTRA_CA_CERTS: "the well known root CAs will be extended
 * with the extra certificates in file" (PEM), read once; a missing or
 * malformed file is one process warning and otherwise ignored, as Node
 * does. */
let extraCa: Uint8Array[] | undefined;
function extraCaCerts(): Uint8Array[] {
  if (extraCa) return extraCa;
  extraCa = [];
  const file = typeof process !== 'undefined' ? process.env.NODE_EXTRA_CA_CERTS : undefined;
  if (file) {
    try {
      extraCa = certificateList(readFileSync(file, 'latin1'));
    } catch (e) {
      process.emitWarning(`wasmtls/node: ignoring extra certificates from ${file}: ${(e as Error).message}`);
    }
  }
  return extraCa;
}

function defaultTrust(): TrustStore {
  const w = wasm();
  let s = defaultStores.get(w);
  if (!s) {
    s = new TrustStore(256 * 1024);
    for (const pem of rootCertificates) {
      // One bad root must not cost the others (the engine may not parse
      // every algorithm some old root uses).
      try {
        s.addPEM(pem);
      } catch {
        /* skipped */
      }
    }
    for (const der of extraCaCerts()) {
      try {
        s.addDER(der);
      } catch {
        /* as a root the engine cannot parse */
      }
    }
    defaultStores.set(w, s);
  }
  return s;
}

// ---- errors ----------------------------------------------------------------------------

/**
 * Protocol options that cannot be used throw when the socket is made, as
 * Node's do (its secure context is made then), with Node's codes: an
 * unknown or unmeetable version `ERR_TLS_INVALID_PROTOCOL_VERSION`, a
 * cipher list with a name we lack `ERR_SSL_NO_CIPHER_MATCH`, options that
 * contradict each other `ERR_INVALID_ARG_VALUE`. Nothing is opened yet.
 */
function checkProtocolOptions(o: TLSSocketOptions, who: string): void {
  const coded = (f: () => unknown, code: string): void => {
    try {
      f();
    } catch (e) {
      if (e instanceof TypeError) (e as TypeError & { code?: string }).code = code;
      throw e;
    }
  };
  coded(() => versionRange(o, who), 'ERR_TLS_INVALID_PROTOCOL_VERSION');
  if (o.ciphers !== undefined) coded(() => parseCiphers(o.ciphers!, who), 'ERR_SSL_NO_CIPHER_MATCH');
  coded(() => checkVersions(o, who), 'ERR_INVALID_ARG_VALUE');
}

function nodeError(message: string, code: string, cause?: unknown): NodeTLSError {
  const e = new Error(message, cause === undefined ? undefined : { cause }) as NodeTLSError;
  e.code = code;
  return e;
}

/**
 * An error of the layers below in Node's shape. Errors that already carry
 * a string `code` pass through: Node's socket errors (ECONNREFUSED,
 * ECONNRESET) and the TLSError, whose `code` is OpenSSL's name as Node
 * gives it (`ERR_SSL_TLSV1_ALERT_UNKNOWN_CA` for a received alert,
 * `ERR_SSL_NO_SHARED_CIPHER`, ...; `engineCode` keeps the number). A
 * handshake cut by the transport's end reads as Node's ECONNRESET, with
 * the TLSError as `cause`.
 */
function toNodeError(e: unknown, secure: boolean): Error {
  if (e instanceof TLSError) {
    if (!secure && isTruncation(e)) {
      // Node's words and code for the same event (_tls_wrap.js onSocketClose).
      return nodeError('Client network socket disconnected before secure TLS connection was established', 'ECONNRESET', e);
    }
    return e;
  }
  if (e instanceof Error) return e;
  return nodeError(String(e), 'ERR_SSL_INTERNAL_ERROR');
}

// ---- certificates ---------------------------------------------------------------------

function fingerprint(alg: string, der: Uint8Array): string {
  return createHash(alg)
    .update(der)
    .digest('hex')
    .toUpperCase()
    .replace(/(..)(?!$)/g, '$1:');
}

/** Our PeerCertificate in Node's shape (Buffer raw, SHA-1 and SHA-512
 * fingerprints), the chain kept linked (a self-signed root to itself). */
function nodeCert(
  c: PeerCertificate,
  detailed: boolean,
  seen = new Map<PeerCertificate, DetailedPeerCertificate>(),
): DetailedPeerCertificate {
  const done = seen.get(c);
  if (done) return done;
  const { raw, issuerCertificate, ...rest } = c;
  const out: DetailedPeerCertificate = {
    ...rest,
    raw: Buffer.from(raw),
    fingerprint: fingerprint('sha1', raw),
    fingerprint512: fingerprint('sha512', raw),
  };
  seen.set(c, out);
  if (detailed && issuerCertificate) out.issuerCertificate = nodeCert(issuerCertificate, true, seen);
  return out;
}

// Node's getEphemeralKeyInfo() names and sizes (OpenSSL's curve names).
const GROUP_INFO: Record<GroupName, { type: string; name: string; size?: number }> = {
  x25519: { type: 'ECDH', name: 'X25519', size: 253 },
  secp256r1: { type: 'ECDH', name: 'prime256v1', size: 256 },
  secp384r1: { type: 'ECDH', name: 'secp384r1', size: 384 },
  X25519MLKEM768: { type: 'KEM', name: 'X25519MLKEM768' },
};

// ---- the socket ---------------------------------------------------------------------

interface SocketLike {
  remoteAddress?: string;
  remotePort?: number;
  remoteFamily?: string;
  localAddress?: string;
  localPort?: number;
  connecting?: boolean;
  bytesRead?: number;
  bytesWritten?: number;
  setNoDelay?(noDelay?: boolean): unknown;
  setKeepAlive?(enable?: boolean, delay?: number): unknown;
  ref?(): unknown;
  unref?(): unknown;
  address?(): AddressInfo | Record<string, never>;
  autoSelectFamilyAttemptedAddresses?: string[];
  resetAndDestroy?(): unknown;
}

/**
 * A TLS 1.3 or 1.2 connection as Node's `tls.TLSSocket`: a `Duplex` of
 * plaintext.
 *
 * Events: `'secure'` (both roles) and `'secureConnect'` (client) once the
 * handshake is done and the peer is accepted, `'session'` (Buffer),
 * `'keylog'` (Buffer line), `'connect'` (the TCP connection), `'timeout'`,
 * and the stream events. Writes made before the handshake wait for it.
 *
 * @example
 * ```ts
 * // Server side, on a socket from net.createServer:
 * const tls = new TLSSocket(raw, { isServer: true, cert, key });
 * tls.on('secure', () => tls.end('hello'));
 * ```
 */
export class TLSSocket extends Duplex {
  /** Always true, as Node's (http checks it). */
  readonly encrypted = true;
  /** Whether the peer's chain validated for the name. */
  authorized = false;
  /** Why not: OpenSSL's name (`'CERT_HAS_EXPIRED'`, ...) or an error's
   * message; null when authorized or not yet known. */
  authorizationError: string | null = null;
  /** The protocol ALPN selected, false for none, null before the handshake. */
  alpnProtocol: string | false | null = null;
  /** The SNI name: the client's own, the one a server received. */
  servername: string | false | null = null;
  /** True until the handshake is done, as Node's. */
  secureConnecting = true;

  readonly #opts: TLSSocketOptions;
  readonly #raw: Duplex | undefined;
  readonly #ready: Promise<void>;
  #markReady!: () => void;
  #failReady!: (e: unknown) => void;
  #tls: StreamSocket | undefined;
  #reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  #writer: WritableStreamDefaultWriter<Uint8Array> | undefined;
  #info: TLSInfo | undefined;
  #reading = false;
  #secure = false;
  #session: Buffer | undefined;
  #offered: boolean | undefined; // the offered session's verdict
  #early: Uint8Array | undefined; // a session that came before the verdict
  #timer: ReturnType<typeof setTimeout> | undefined;
  #timeoutMs = 0;
  #read = 0;
  #written = 0;

  /**
   * @param socket the Node socket (or byte Duplex) to run TLS over, or
   *   undefined with `options.transport`
   * @param options see {@link TLSSocketOptions}
   */
  constructor(socket: Duplex | undefined, options: TLSSocketOptions = {}) {
    const dOpts: DuplexOptions = { allowHalfOpen: options.allowHalfOpen ?? false, decodeStrings: true };
    if (options.highWaterMark !== undefined) dOpts.readableHighWaterMark = options.highWaterMark;
    super(dOpts);
    if (!socket && !options.transport) throw new TypeError('TLSSocket: give a socket or options.transport');
    checkProtocolOptions(options, 'TLSSocket');
    this.#opts = options;
    this.#raw = socket;
    this.#ready = new Promise<void>((res, rej) => {
      this.#markReady = res;
      this.#failReady = rej;
    });
    this.#ready.catch(IGNORE);
    if (socket) {
      const s = socket as Duplex & SocketLike;
      if (s.connecting) s.once('connect', () => this.emit('connect'));
    }
    // After the caller's synchronous listeners are on ('keylog' is only
    // recorded when someone listens, as Node does).
    queueMicrotask(() => void this.#start());
  }

  // ---- handshake ------------------------------------------------------------------

  async #start(): Promise<void> {
    const o = this.#opts;
    try {
      await init();
      if (this.destroyed) return;
      const transport = o.transport ?? fromNodeSocket(this.#raw!);
      const keylog = this.listenerCount('keylog') > 0 ? (line: string) => this.emit('keylog', Buffer.from(line, 'latin1')) : undefined;
      const common = {
        transport,
        ...(o.ALPNProtocols && { ALPNProtocols: o.ALPNProtocols }),
        ...(o.cert !== undefined && { cert: certificateList(o.cert) }),
        ...(o.key !== undefined && { key: o.key }),
        ...(o.minVersion && { minVersion: o.minVersion }),
        ...(o.maxVersion && { maxVersion: o.maxVersion }),
        ...(o.ciphers !== undefined && { ciphers: o.ciphers }),
        ...(o.ciphersuites && { ciphersuites: o.ciphersuites }),
        ...(o.groups && { groups: o.groups }),
        ...(keylog && { keylog }),
        ...(o.handshakeTimeout !== undefined && { handshakeTimeout: o.handshakeTimeout }),
        ...(o.releaseBuffers !== undefined && { releaseBuffers: o.releaseBuffers }),
        onUnexpectedEof: 'end' as const,
        // The Duplex ends our side after 'end' itself (allowHalfOpen
        // false, Node's default): after the data was consumed and after
        // the writes made before it, as Node's does. The layer below must
        // not end it first.
        allowHalfOpen: true,
      };
      if (o.isServer) {
        this.#tls = accept({
          ...common,
          cert: common.cert ?? '',
          key: common.key ?? '',
          ...(o.requestCert && { requestCert: true, ca: o.ca !== undefined ? certificateList(o.ca) : defaultTrust() }),
          ...(o.rejectUnauthorized !== undefined && { rejectUnauthorized: o.rejectUnauthorized }),
          ...(o.ticketKey && { ticketKey: o.ticketKey }),
        });
      } else {
        const reject = o.rejectUnauthorized !== false;
        let session: Uint8Array | undefined;
        let sealed: { authorized: boolean } | undefined;
        try {
          sealed = o.session && unwrapSession(o.session);
        } catch {
          /* not a session of ours: a full handshake, as Node does */
        }
        // A session from an unauthorized handshake would resume into an
        // unauthorized connection: only offered to a caller who accepts that
        // (the layer below, told rejectUnauthorized: false, would offer it).
        if (sealed && (sealed.authorized || !reject)) {
          session = o.session;
          this.#offered = sealed.authorized;
        }
        // The engine validates with policy 'chain' but never refuses: the
        // verdict is ours to take after the handshake, as Node takes it.
        this.#tls = tlsConnect({
          ...common,
          servername: this.#hostname(),
          ca: o.ca !== undefined ? certificateList(o.ca) : defaultTrust(),
          rejectUnauthorized: false,
          ...(session && { session }),
          onSession: (s) => this.#onSession(s),
        });
      }
      this.#reader = this.#tls.readable.getReader();
      this.#writer = this.#tls.writable.getWriter();
      const info = await this.#tls.opened;
      if (this.destroyed) return;
      this.#verdict(info);
    } catch (e) {
      this.#failReady(e);
      this.destroy(toNodeError(e, this.#secure));
    }
  }

  /** Take the handshake's outcome, as Node's _finishInit + onConnectSecure. */
  #verdict(info: TLSInfo): void {
    const o = this.#opts;
    this.#info = info;
    this.alpnProtocol = info.alpnProtocol;
    this.servername = info.servername ?? (o.isServer ? false : null);
    this.#secure = true;
    // Over a transport there is no TCP 'connect' to forward; http waits for
    // one while `connecting` is true (setSocketTimeout), so say it now.
    if (!this.#raw) this.emit('connect');
    let err: NodeTLSError | undefined;
    if (o.isServer) {
      this.authorized = info.authorized;
      this.authorizationError = info.authorizationError ?? null;
    } else if (info.sessionReused) {
      // No certificate on resumption: the original verdict stands.
      this.authorized = this.#offered === true;
      this.authorizationError = this.authorized ? null : 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY';
    } else if (!info.authorized) {
      err = this.#verifyError(info);
    } else if (o.checkServerIdentity) {
      const cert = info.peerCertificate;
      const r = cert ? o.checkServerIdentity(this.#hostname(), nodeCert(cert, true)) : undefined;
      if (r instanceof Error) {
        err = r as NodeTLSError;
      }
    }
    if (!o.isServer && !info.sessionReused) {
      this.authorized = err === undefined;
      this.authorizationError = err ? err.code || err.message : null;
    }
    this.emit('secure');
    if (err && o.rejectUnauthorized !== false) {
      this.#failReady(err);
      this.destroy(err);
      return;
    }
    this.secureConnecting = false;
    this.#markReady();
    if (!o.isServer) this.emit('secureConnect');
    if (this.#early && !this.destroyed) {
      const s = this.#early;
      this.#early = undefined;
      this.#onSession(s);
    }
    // Start reading as a net.Socket does once connected: session tickets
    // and the peer's data arrive without waiting for a consumer.
    if (!this.destroyed && !this.isPaused()) this.read(0);
  }

  /** The chain's failure as Node reports it: an Error with OpenSSL's text
   * and name (`code`), or checkServerIdentity's error for the name. */
  #verifyError(info: TLSInfo): NodeTLSError {
    const name = info.authorizationError ?? 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY';
    if (name === 'ERR_TLS_CERT_ALTNAME_INVALID') {
      const host = this.#hostname();
      const m = altnameMismatch(host, info.peerCertificate);
      const e = nodeError(m.message, name) as NodeTLSError & { reason: string; host: string; cert: DetailedPeerCertificate | undefined };
      e.reason = m.reason;
      e.host = host;
      e.cert = info.peerCertificate && nodeCert(info.peerCertificate, true);
      return e;
    }
    let text = name;
    try {
      const code = this.#tls!.connection.verifyCode;
      text = peerVerifyReason(code, info.peerCertificates.length) ?? name;
    } catch {
      /* the connection is gone: the name says it */
    }
    return nodeError(text, name);
  }

  /** The name the certificate is checked for (Node's `hostname` in
   * onConnectSecure). */
  #hostname(): string {
    const o = this.#opts as ConnectOptions;
    return o.servername || o.host || 'localhost';
  }

  #onSession(s: Uint8Array): void {
    // The TLS layer reads (and meets tickets) as soon as the handshake is
    // done, possibly before #verdict ran: keep the ticket until it has.
    if (!this.#secure) {
      this.#early = s;
      return;
    }
    // Sessions of a connection we refuse are not handed out.
    if (!this.authorized && this.#opts.rejectUnauthorized !== false) return;
    // One session format for every layer (core/session.ts); the verdict
    // in it is ours, which checkServerIdentity may have changed.
    const sealed = withVerdict(s, this.authorized);
    this.#session = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
    this.emit('session', this.#session);
  }

  // ---- plaintext ---------------------------------------------------------------------

  /** Duplex implementation: reads plaintext from the connection while there is room. */
  override _read(): void {
    if (this.#reading) return;
    this.#reading = true;
    void this.#pump();
  }

  async #pump(): Promise<void> {
    try {
      await this.#ready;
      for (;;) {
        const r = await this.#reader!.read();
        if (r.done) {
          this.push(null);
          return;
        }
        this.#read += r.value.byteLength;
        this.#touch();
        const more = this.push(Buffer.from(r.value.buffer, r.value.byteOffset, r.value.byteLength));
        if (!more) return;
      }
    } catch (e) {
      if (!this.destroyed) this.destroy(toNodeError(e, this.#secure));
    } finally {
      this.#reading = false;
    }
  }

  /** Duplex implementation: plaintext to send (after the handshake). */
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.#send(chunk).then(
      () => cb(),
      (e: unknown) => cb(toNodeError(e, this.#secure)),
    );
  }

  /** Duplex implementation: several writes sent together. */
  override _writev(chunks: { chunk: Buffer }[], cb: (err?: Error | null) => void): void {
    // cork()/uncork() (undici, http) hand over a batch: one TLS write.
    const all = chunks.length === 1 ? chunks[0]!.chunk : Buffer.concat(chunks.map((c) => c.chunk));
    this.#send(all).then(
      () => cb(),
      (e: unknown) => cb(toNodeError(e, this.#secure)),
    );
  }

  async #send(chunk: Buffer): Promise<void> {
    await this.#ready;
    if (chunk.length === 0) return;
    // The TLS layer keeps no reference after the write resolves, but Node
    // lets a caller reuse its Buffer after the callback: no copy needed.
    await this.#writer!.write(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    this.#written += chunk.length;
    this.#touch();
  }

  /** Duplex implementation: `end()` sends close_notify. */
  override _final(cb: (err?: Error | null) => void): void {
    // close_notify, then the transport's half-close (FIN); reading goes on.
    this.#ready
      .then(() => this.#writer!.close())
      .then(
        () => cb(),
        (e: unknown) => {
          // The peer's transport ended without close_notify and the readable
          // ended with it ('end', as Node): there is no one to say goodbye
          // to, which is not an error of ours (Node's end() is silent too).
          if (isTruncation(e) && this.readableEnded) cb();
          else cb(toNodeError(e, this.#secure));
        },
      );
  }

  /** Duplex implementation: `destroy()` closes the connection and its transport. */
  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    this.#clearTimer();
    this.#failReady(err ?? new Error('wasmtls: socket destroyed'));
    const t = this.#tls;
    if (t) {
      // Sends close_notify if nobody did and the handshake had finished,
      // then closes the transport.
      t.close().then(
        () => cb(err),
        () => cb(err),
      );
    } else {
      if (this.#opts.transport) void this.#opts.transport.close();
      else this.#raw?.destroy();
      cb(err);
    }
  }

  // ---- Node's TLSSocket methods ------------------------------------------------------------

  /** The peer's certificate, with the chain under `issuerCertificate` when
   * `detailed`; `{}` when there is none (yet), as Node. */
  getPeerCertificate(detailed = false): DetailedPeerCertificate | Record<string, never> {
    const c = this.#info?.peerCertificate;
    return c ? nodeCert(c, detailed) : {};
  }

  /** The peer's leaf as a Node `X509Certificate`, or undefined. */
  getPeerX509Certificate(): X509Certificate | undefined {
    const d = this.#info?.peerCertificates[0];
    return d ? new X509Certificate(d) : undefined;
  }

  /** `'TLSv1.2'` or `'TLSv1.3'`, or null before the handshake. */
  getProtocol(): string | null {
    return this.#info ? this.#info.version : null;
  }

  /** The suite as Node reports it: `name` is OpenSSL's
   * (`ECDHE-RSA-AES128-GCM-SHA256`; for TLS 1.3 the IANA name),
   * `standardName` IANA's, `version` the first protocol version that
   * defines the suite (OpenSSL's SSL_CIPHER_get_version). Every suite
   * here belongs to one version only, so that is the version negotiated. */
  getCipher(): CipherNameInfo | null {
    const i = this.#info;
    return i ? { name: i.cipher, standardName: i.cipherStandardName, version: i.version } : null;
  }

  /** The key exchange, as Node's (client only; `{}` on a server). */
  getEphemeralKeyInfo(): EphemeralKeyInfo | Record<string, never> | null {
    const i = this.#info;
    if (!i) return null;
    if (this.#opts.isServer || !i.group) return {};
    return { ...GROUP_INFO[i.group] };
  }

  /** The signature scheme of the peer's CertificateVerify (not in Node). */
  getSignatureScheme(): SignatureSchemeName | undefined {
    return this.#info?.signatureScheme;
  }

  /** The latest session, for `connect({ session })`. */
  getSession(): Buffer | undefined {
    return this.#session;
  }

  /** Whether the handshake resumed the session given as `session`. */
  isSessionReused(): boolean {
    return this.#info?.sessionReused ?? false;
  }

  /** Node's TLS 1.2 session ticket: not exposed here (it travels inside
   * `getSession()`'s session); always undefined. */
  getTLSTicket(): Buffer | undefined {
    return undefined;
  }

  // ---- net.Socket surface (http and undici call these) -----------------------------------------

  get #net(): SocketLike | undefined {
    return this.#raw as (Duplex & SocketLike) | undefined;
  }

  /** The peer's IP address (of the TCP connection; undefined over a transport). */
  get remoteAddress(): string | undefined {
    return this.#net?.remoteAddress;
  }
  /** The peer's port (of the TCP connection). */
  get remotePort(): number | undefined {
    return this.#net?.remotePort;
  }
  /** `'IPv4'` or `'IPv6'` (of the TCP connection). */
  get remoteFamily(): string | undefined {
    return this.#net?.remoteFamily;
  }
  /** Our IP address (of the TCP connection). */
  get localAddress(): string | undefined {
    return this.#net?.localAddress;
  }
  /** Our port (of the TCP connection). */
  get localPort(): number | undefined {
    return this.#net?.localPort;
  }
  /** Plaintext bytes read (Node counts the socket's; the transport may not be one). */
  get bytesRead(): number {
    return this.#read;
  }
  /** Plaintext bytes written (Node counts the socket's; the transport may not be one). */
  get bytesWritten(): number {
    return this.#written;
  }
  /** True while the TCP connection (or, over a transport, the handshake)
   * is being set up. */
  get connecting(): boolean {
    const n = this.#net;
    return n ? !!n.connecting : !this.#secure && !this.destroyed;
  }
  /** As {@link TLSSocket.connecting}, Node's alias. */
  get pending(): boolean {
    return this.connecting;
  }
  /** Node's `readyState`: `'opening'` while connecting, then which sides are open. */
  get readyState(): 'opening' | 'open' | 'readOnly' | 'writeOnly' | 'closed' {
    if (this.connecting) return 'opening';
    if (this.readable && this.writable) return 'open';
    if (this.readable) return 'readOnly';
    if (this.writable) return 'writeOnly';
    return 'closed';
  }
  /** The idle timeout set by setTimeout(), in ms (undefined for none). */
  get timeout(): number | undefined {
    return this.#timeoutMs || undefined;
  }

  /** Disable Nagle's algorithm on the TCP connection (a no-op over a transport). */
  setNoDelay(noDelay = true): this {
    this.#net?.setNoDelay?.(noDelay);
    return this;
  }

  /** TCP keep-alive on the TCP connection (a no-op over a transport). */
  setKeepAlive(enable = false, initialDelay = 0): this {
    this.#net?.setKeepAlive?.(enable, initialDelay);
    return this;
  }

  /** Let the TCP connection keep the event loop alive (the default). */
  ref(): this {
    this.#net?.ref?.();
    return this;
  }

  /** Let the process exit while the TCP connection is open. */
  unref(): this {
    this.#net?.unref?.();
    return this;
  }

  /** The local address of the TCP connection, as Node's; `{}` over a
   * transport. */
  address(): AddressInfo | Record<string, never> {
    return this.#net?.address?.() ?? {};
  }

  // The rest of net.Socket's members, so that the socket is a `net.Socket`
  // to the type checker where libraries take one (undici's connector
  // callback is typed `[null, net.Socket | tls.TLSSocket]`), each doing
  // what Node's does for a socket that is already connected.

  /** The addresses tried by the TCP connection's family autoselection
   * (Node's `net.Socket` property); empty over a transport. */
  get autoSelectFamilyAttemptedAddresses(): string[] {
    return this.#net?.autoSelectFamilyAttemptedAddresses ?? [];
  }

  /** Deprecated in Node as there: the plaintext waiting to be written
   * (`writableLength`). */
  get bufferSize(): number {
    return this.writableLength;
  }

  /** End the writable side (close_notify), then destroy the socket once
   * everything was written, as Node's `socket.destroySoon()`. */
  destroySoon(): void {
    if (this.writable) this.end();
    if (this.writableFinished) this.destroy();
    else this.once('finish', () => this.destroy());
  }

  /** Close the TCP connection with a reset (RST) and destroy the socket,
   * as Node's `socket.resetAndDestroy()`; over a transport, which has no
   * reset, the transport is closed. */
  resetAndDestroy(): this {
    this.#net?.resetAndDestroy?.();
    return this.destroy();
  }

  /** A wasmtls socket is connected when it is made (by {@link connect} or
   * over the socket given to the constructor) and cannot be connected
   * again: always throws `ERR_METHOD_NOT_IMPLEMENTED`. (Node's `tls.connect`
   * calls the inherited `net.Socket` method internally; callers of a
   * connected socket never do.) */
  connect(..._args: unknown[]): never {
    throw Object.assign(new Error('wasmtls/node TLSSocket: connect() is not supported; use connect() from wasmtls/node'), {
      code: 'ERR_METHOD_NOT_IMPLEMENTED',
    });
  }

  /** Emit `'timeout'` after `ms` without plaintext moving either way (0
   * turns it off); like Node's, it does not close the socket. */
  setTimeout(ms: number, callback?: () => void): this {
    this.#timeoutMs = ms;
    if (callback) {
      if (ms === 0) this.off('timeout', callback);
      else this.once('timeout', callback);
    }
    this.#clearTimer();
    if (ms > 0 && !this.destroyed) {
      this.#timer = setTimeout(() => this.emit('timeout'), ms);
      // Node's socket timers do not keep the process alive.
      this.#timer.unref?.();
    }
    return this;
  }

  #touch(): void {
    this.#timer?.refresh();
  }

  #clearTimer(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}

/**
 * Open a TLS connection as `tls.connect` does: over TCP to `host`:`port`,
 * over an existing `socket`, or over a wasmtls `transport`. Returns the
 * socket at once; `callback` runs on `'secureConnect'`. The wasm module is
 * loaded on first use (`init()`), writes wait for the handshake.
 *
 * @example
 * ```ts
 * import { Agent, request } from 'undici';
 * import { connect } from 'wasmtls/node';
 * const dispatcher = new Agent({
 *   connect: (o, cb) => {
 *     const s = connect({ host: o.hostname, port: Number(o.port), servername: o.servername });
 *     s.once('secureConnect', () => cb(null, s)).once('error', (e) => cb(e, null));
 *   },
 * });
 * const res = await request('https://example.com/', { dispatcher });
 * ```
 */
export function connect(options: ConnectOptions, callback?: () => void): TLSSocket;
export function connect(port: number, host?: string, options?: ConnectOptions, callback?: () => void): TLSSocket;
export function connect(a: ConnectOptions | number, b?: string | (() => void), c?: ConnectOptions, d?: () => void): TLSSocket {
  let options: ConnectOptions;
  let callback: (() => void) | undefined;
  if (typeof a === 'number') {
    options = { ...c, port: a, ...(typeof b === 'string' && { host: b }) };
    callback = d;
  } else {
    options = a;
    callback = typeof b === 'function' ? b : undefined;
  }
  checkProtocolOptions(options, 'connect');
  let raw: Duplex | undefined;
  if (!options.transport) {
    raw = options.socket;
    if (!raw) {
      if (options.port === undefined) throw new TypeError('connect: give `port` (and `host`), `socket` or `transport`');
      const s: Socket = netConnect({ host: options.host ?? 'localhost', port: options.port, allowHalfOpen: true });
      // TLS flights are small and latency-bound, as in connectTcp().
      s.setNoDelay(true);
      raw = s;
    }
  }
  // The name is checked even when it is an IP address (never sent as SNI,
  // RFC 6066 3); Node's default host is localhost.
  const host = options.host ?? 'localhost';
  const sock = new TLSSocket(raw, { ...options, host, servername: options.servername || host } as TLSSocketOptions);
  if (options.timeout !== undefined) sock.setTimeout(options.timeout);
  if (callback) sock.once('secureConnect', callback);
  return sock;
}
