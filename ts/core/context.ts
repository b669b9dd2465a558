/**
 * The context (OpenSSL's `SSL_CTX`): configuration shared by many
 * connections (suites, groups, signature schemes, certificate chain and
 * key, ALPN, ticket key, verification policy, modes, buffer sizes). See
 * `connection.ts` for the connection made from it.
 * @module
 */
import { abytes, aint, cString } from './bytes.js';
import {
  codes,
  GROUP_ALIASES,
  SIGALGS,
  SUITES,
  suite12Code,
  VERSIONS,
  type Cipher12Name,
  type CipherSuite12Name,
  type CipherSuiteName,
  type GroupName,
  type SignatureSchemeName,
  type TLSVersion,
} from './codepoints.js';
import { allocFor, TLSError, TLS_ERR } from './errors.js';
import { track, untrack } from './handle.js';
import { wasm, type Wasm } from './loader.js';
import { checkOptionNames } from './options.js';
import { certificateList, isPem, pemDecode } from './pem.js';
import { isSigner, signerCodes, type PrivateKeySigner } from './signer.js';
import { TrustStore } from './x509.js';

/** `SSL_CTX_set_mode(3)` modes, OpenSSL's bit values. */
export const SSL_MODE_ENABLE_PARTIAL_WRITE = 0x1;
/** A retried write may pass a different buffer holding the same bytes. */
export const SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER = 0x2;
/** A read goes past non-application records (post-handshake messages) instead of returning WANT_READ; in the default modes, as in OpenSSL 1.1.1 and later. */
export const SSL_MODE_AUTO_RETRY = 0x4;
/** An idle connection gives its record buffers back until it next needs them. */
export const SSL_MODE_RELEASE_BUFFERS = 0x10;
/** @internal every mode bit known */
export const MODES_KNOWN = 0x17;

/**
 * Certificate verification policy. There is no default.
 * - `'chain'`: full validation by the engine against `ca` (path building,
 *   signatures, validity, CA and key-usage rules, name constraints, the
 *   host name on a client); a failure sends the validator's alert. With
 *   `onVerify` the callback sees the chain and the verdict
 *   (`conn.verifyError`) and decides.
 * - `'external'`: the callback alone decides (CertificateVerify is still
 *   checked by the engine).
 * - `'insecure-no-chain-validation'`: only CertificateVerify with the leaf's
 *   key; for tests and debugging.
 */
export type VerifyPolicy = 'chain' | 'insecure-no-chain-validation' | 'external';

/**
 * The connection a callback runs for: the `Connection` itself (same
 * object, same type: assignable both ways). Declared here empty and filled
 * in by connection.ts (`interface CallbackConnection extends Connection`,
 * a module augmentation), so that this file, which sits below
 * connection.ts, names nothing of it: the context's types do not depend on
 * the connection's (ARCHITECTURE.md: no cycle among files, type imports
 * included; scripts/check-layers.mjs).
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled in by declaration merging in connection.ts (see above)
export interface CallbackConnection {}

/**
 * Called (policy `'external'`) when the peer's Certificate arrived: the
 * chain as DER, leaf first. Return 0 to accept, or the alert to send
 * (e.g. `ALERT.bad_certificate`, `ALERT.unknown_ca`). A promise pauses the
 * handshake: calls return WANT_RETRY_VERIFY until it settles (a rejection
 * refuses with certificate_unknown); await `conn.verifyPending`, then
 * repeat the call. CertificateVerify is checked by the engine either way.
 */
export type VerifyCallback = (chain: Uint8Array[], conn: CallbackConnection) => number | Promise<number>;

/**
 * Receives key log lines (option `keylog`), like Node's `'keylog'` event:
 * one line of the NSS key log format (SSLKEYLOGFILE, what Wireshark reads)
 * per TLS 1.3 secret as it comes into use,
 * `LABEL <client_random, 64 hex> <secret, hex>\n` with the labels
 * CLIENT_HANDSHAKE_TRAFFIC_SECRET, SERVER_HANDSHAKE_TRAFFIC_SECRET,
 * CLIENT_TRAFFIC_SECRET_0, SERVER_TRAFFIC_SECRET_0 and EXPORTER_SECRET, in
 * the order Node (OpenSSL) gives them for the same role; a TLS 1.2
 * connection logs one line, `CLIENT_RANDOM <client_random> <master secret,
 * 96 hex>`, once the master secret exists. The line ends with
 * `'\n'` as Node's does, so appending it to a file is all a logger does.
 * Called synchronously from inside the call that made the secret; anything
 * it throws is ignored (logging must not break the connection). Secrets
 * after a KeyUpdate are not logged; a client sending 0-RTT data logs
 * CLIENT_EARLY_TRAFFIC_SECRET first (a server accepts no 0-RTT).
 * The lines are the keys to the session: log only for debugging.
 *
 * @example
 * ```ts
 * import { appendFileSync } from 'node:fs';
 * const ctx = new TLSContext({ verify: 'chain', ca, keylog: (line) => appendFileSync('/tmp/keys.log', line) });
 * ```
 */
export type KeylogCallback = (line: string, conn: CallbackConnection) => void;

/** RFC 8879 certificate compression algorithms this build decodes. */
export type CertCompressionName = 'zlib';
/** RFC 8879 algorithms our certificate can be sent with. */
export type CertCompressionSendName = 'zlib' | 'brotli' | 'zstd';
/** A compressor of the Certificate message body (RFC 8879 4). */
export type CertCompressor = (msg: Uint8Array) => Uint8Array | Promise<Uint8Array>;
/** {@link TLSContext.compressCertificate}'s compressors: zlib is built in
 * (the runtime's CompressionStream) unless false; brotli and zstd come
 * from the host (Node: `zlib.brotliCompressSync`, `zlib.zstdCompressSync`). */
export interface CertCompressors {
  /** zlib (RFC 1950, algorithm 1): the runtime's CompressionStream by
   * default, a host compressor instead, or false for none. */
  zlib?: CertCompressor | false;
  /** brotli (RFC 7932, algorithm 2; what Chromium offers), e.g. Node's
   * `zlib.brotliCompressSync`. */
  brotli?: CertCompressor;
  /** zstd (RFC 8878, algorithm 3), e.g. Node's `zlib.zstdCompressSync`
   * where it exists. */
  zstd?: CertCompressor;
}
/** RFC 8879 7.3 codepoints. */
export const CERT_COMPRESSION: Readonly<Record<string, number>> = Object.freeze({ zlib: 1, brotli: 2, zstd: 3 });

/** The body of a TLS 1.3 Certificate message (RFC 8446 4.4.2) with an
 * empty certificate_request_context for a chain of concatenated DER
 * certificates, as the engine writes it (handshake.c); undefined when
 * there is none or it does not split into DER elements. */
function certificateBody(chain: Uint8Array | undefined): Uint8Array | undefined {
  if (!chain || chain.length === 0) return undefined;
  const certs: Uint8Array[] = [];
  for (let off = 0; off < chain.length; ) {
    // One DER element: tag, then a short or 1..3-byte long length.
    if (off + 2 > chain.length) return undefined;
    let len = chain[off + 1] ?? 0,
      hdr = 2;
    if (len & 0x80) {
      const n = len & 0x7f;
      if (n < 1 || n > 3 || off + 2 + n > chain.length) return undefined;
      len = 0;
      for (let i = 0; i < n; i++) len = len * 256 + (chain[off + 2 + i] ?? 0);
      hdr += n;
    }
    if (off + hdr + len > chain.length) return undefined;
    certs.push(chain.subarray(off, off + hdr + len));
    off += hdr + len;
  }
  const listLen = certs.reduce((n, c) => n + 3 + c.length + 2, 0);
  const out = new Uint8Array(1 + 3 + listLen);
  out.set([0, listLen >> 16, (listLen >> 8) & 0xff, listLen & 0xff]);
  let o = 4;
  for (const c of certs) {
    out.set([c.length >> 16, (c.length >> 8) & 0xff, c.length & 0xff], o);
    out.set(c, o + 3);
    o += 3 + c.length + 2; // CertificateEntry extensions: none (two zero bytes)
  }
  return out;
}

/** zlib (RFC 1950) by the runtime's CompressionStream('deflate'). */
async function deflate(data: Uint8Array): Promise<Uint8Array> {
  const cs = new CompressionStream('deflate');
  const w = cs.writable.getWriter();
  void w.write(data as Uint8Array<ArrayBuffer>).catch(() => {});
  void w.close().catch(() => {});
  const parts: Uint8Array[] = [];
  const r = cs.readable.getReader();
  for (;;) {
    const { done, value } = await r.read();
    if (done) break;
    parts.push(value);
  }
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Options of {@link TLSContext}; each has a setter method too. */
/** The names of {@link TLSContextOptions} (checked at run time). */
const CONTEXT_OPTIONS = [
  'verify',
  'onVerify',
  'ca',
  'pins',
  'clientCert',
  'minVersion',
  'maxVersion',
  'suites',
  'suites12',
  'groups',
  'sigalgs',
  'cert',
  'key',
  'alpn',
  'ticketKey',
  'tickets',
  'ticketLifetime',
  'maxEarlyData',
  'mode',
  'middleboxCompat',
  'recordSizeLimit',
  'bufferSizes',
  'keylog',
  'certificateCompression',
] as const;

/** What Node's `ca` takes: PEM text (one or several certificates), PEM
 * bytes, DER bytes, or an array mixing them. */
export type CaLike = string | Uint8Array | readonly (string | Uint8Array)[];

/** Options of {@link TLSContext}: OpenSSL's `SSL_CTX` settings. */
export interface TLSContextOptions {
  /** Required for a client, and for a server that asks for client
   * certificates. See {@link VerifyPolicy}. */
  verify?: VerifyPolicy;
  /** The callback of policy `'external'` (required), or of `'chain'`
   * (optional: it then sees the engine's verdict and decides). */
  onVerify?: VerifyCallback;
  /** Trust anchors for policy `'chain'`: a {@link TrustStore}, PEM text,
   * or DER certificates. */
  ca?: TrustStore | CaLike;
  /** SPKI SHA-256 pins (32 bytes each, at most 8): the peer's validated
   * path (or, without chain validation, its leaf) must hold one. */
  pins?: readonly Uint8Array[];
  /** Server: ask for (`'request'`) or insist on (`'require'`) a client
   * certificate. Needs `verify`. */
  clientCert?: 'none' | 'request' | 'require';
  /** Lowest and highest protocol version (`SSL_CTX_set_min_proto_version`
   * / `_max_`; default TLS 1.2 to TLS 1.3). A client offers the range; a
   * server picks TLS 1.3 when the client offers it and the range has it. */
  minVersion?: TLSVersion;
  /** See `minVersion`. */
  maxVersion?: TLSVersion;
  /** TLS 1.3 cipher suites, preference order (default: ChaCha20-Poly1305,
   * then AES-128-GCM, AES-256-GCM: wasm has no AES instructions, and
   * constant-time AES-GCM runs about four times slower than SIMD
   * ChaCha20-Poly1305). */
  suites?: readonly (CipherSuiteName | number)[];
  /** TLS 1.2 cipher suites, preference order, by OpenSSL's or IANA's name
   * or codepoint, 1 to 8 (`SSL_CTX_set_cipher_list`; default the
   * ChaCha20-Poly1305 pair, then AES-128-GCM, then AES-256-GCM, ECDSA
   * before RSA in each: see `SUITES12`). */
  suites12?: readonly (Cipher12Name | CipherSuite12Name | number)[];
  /** Groups, preference order; a client sends a key share for the first
   * (default: x25519, secp256r1, secp384r1, X25519MLKEM768). */
  groups?: readonly (GroupName | string | number)[];
  /** Signature schemes we accept and use (default: every one the engine
   * has; `rsa_pkcs1_*` sign only TLS 1.2 handshakes, RFC 8446 4.2.3). */
  sigalgs?: readonly (SignatureSchemeName | number)[];
  /** Certificate chain, leaf first: PEM text (one or more CERTIFICATE
   * blocks), one DER certificate, or a list of DER certificates. */
  cert?: string | Uint8Array | readonly Uint8Array[];
  /** Private key: PEM (`PRIVATE KEY`, `RSA PRIVATE KEY`, `EC PRIVATE KEY`)
   * or DER (PKCS #8, PKCS #1, SEC 1): RSA (rsaEncryption or RSASSA-PSS,
   * as `openssl genpkey -algorithm RSA-PSS` writes), EC P-256/P-384,
   * Ed25519. Another type fails with a TLSError naming it
   * (`unsupported private key type: DSA`). Or a {@link PrivateKeySigner}:
   * the key stays outside the module (see {@link TLSContext.useSigner}). */
  key?: string | Uint8Array | PrivateKeySigner;
  /** ALPN protocols, preference order (RFC 7301). */
  alpn?: readonly (string | Uint8Array)[];
  /** Server: 32-byte session ticket key (tickets sealed with
   * ChaCha20-Poly1305 under it). Enables resumption. */
  ticketKey?: Uint8Array;
  /** Server: NewSessionTickets after each full handshake (default 2 with a
   * ticket key, as OpenSSL). */
  tickets?: number;
  /** Server: ticket lifetime in seconds (default 7200, max 604800). */
  ticketLifetime?: number;
  /** Server: 0-RTT bytes its tickets allow (see {@link TLSContext.setMaxEarlyData}; default 0, none). */
  maxEarlyData?: number;
  /** Modes OR-ed into the default (`SSL_MODE_AUTO_RETRY`). */
  mode?: number;
  /** RFC 8446 D.4 middlebox compatibility mode (default true, as OpenSSL). */
  middleboxCompat?: boolean;
  /** RFC 8449 record_size_limit to advertise (64..16385; 0: none). */
  recordSizeLimit?: number;
  /** RFC 8879 certificate compression: the algorithms offered for the
   * peer to compress its certificate with (TLS 1.3 only; a client offers
   * them in its ClientHello, a server in its CertificateRequest). Default
   * `['zlib']`, the only one built in (brotli and zstd decoders do not fit
   * the module's size budget); `false` or `[]` offers none. */
  certificateCompression?: readonly CertCompressionName[] | false;
  /** Per-connection buffer sizes for connections made later: incoming
   * ciphertext (>= 16,645), outgoing ciphertext (the largest net-out cap),
   * largest handshake message (>= 4096; default 131072, above OpenSSL's
   * 100 KiB certificate list limit; the handshake's buffers are allocated
   * only while it runs). A certificate chain whose message exceeds it is
   * refused (`TLS_ERR.CHAIN_TOO_LARGE`). */
  bufferSizes?: {
    /** Incoming ciphertext buffer, bytes (>= 16,645). */
    netIn?: number;
    /** Outgoing ciphertext buffer, bytes. */
    netOut?: number;
    /** Largest handshake message, bytes (>= 4096; default 131072). */
    handshakeMax?: number;
  };
  /** Key log lines for Wireshark and the like (see {@link KeylogCallback}).
   * Connections made while it is set record their secrets; others keep no
   * copies. */
  keylog?: KeylogCallback;
}

const enc = /* @__PURE__ */ new TextEncoder();

/**
 * Configuration shared by connections (OpenSSL's `SSL_CTX`). Settings
 * apply to connections made afterwards, and memory the C context keeps by
 * reference (chain, ALPN) is held until `dispose()`.
 *
 * @example
 * ```ts
 * const server = new TLSContext({ cert: pemChain, key: pemKey, alpn: ['h2', 'http/1.1'],
 *   ticketKey: crypto.getRandomValues(new Uint8Array(32)) });
 * const client = new TLSContext({ verify: 'external', onVerify: (chain) => (pinned(chain[0]) ? 0 : ALERT.bad_certificate) });
 * ```
 */
export class TLSContext {
  /** @internal */
  readonly w: Wasm;
  /** @internal */
  ptr: number;
  private readonly size: number;
  private held: number[] = [];
  /** The chain as set (concatenated DER), for compressCertificate(). */
  private chainDer: Uint8Array | undefined;
  private refs = 0;
  private disposed = false;
  private _verify: VerifyPolicy | undefined;
  /** The callback of policy `'external'`. */
  onVerify: VerifyCallback | undefined;
  /** The key log callback (see {@link KeylogCallback}). */
  keylog: KeylogCallback | undefined;
  /** The signer of {@link useSigner}, which holds the private key. */
  signer: PrivateKeySigner | undefined;
  private versions: [TLSVersion, TLSVersion] = ['TLSv1.2', 'TLSv1.3'];
  private _maxEarlyData = 0;

  /** @throws TypeError / TLSError (code CONFIG) for a bad setting. */
  constructor(opts: TLSContextOptions = {}) {
    // Before any wasm memory is taken: nothing to free on this refusal.
    checkOptionNames(opts, CONTEXT_OPTIONS, 'TLSContext');
    this.w = wasm();
    const x = this.w.exports;
    this.size = x.wt_x_tls_ctx_size();
    this.ptr = allocFor(this.w, this.size, 'a context');
    x.wt_x_tls_ctx_init(this.ptr);
    track(this, this.w, this.ptr, this.size);
    try {
      if (opts.minVersion !== undefined || opts.maxVersion !== undefined) {
        this.setProtoVersions(opts.minVersion ?? 'TLSv1.2', opts.maxVersion ?? 'TLSv1.3');
      }
      if (opts.suites) this.setCipherSuites(opts.suites);
      if (opts.suites12) this.setCipherSuites12(opts.suites12);
      if (opts.groups) this.setGroups(opts.groups);
      if (opts.sigalgs) this.setSigalgs(opts.sigalgs);
      // Sizes first: the chain is checked against the handshake limit.
      if (opts.bufferSizes) this.setBufferSizes(opts.bufferSizes);
      if (opts.cert !== undefined) this.useCertificateChain(opts.cert);
      if (opts.key !== undefined) this.usePrivateKey(opts.key);
      if (opts.alpn) this.setAlpnProtos(opts.alpn);
      if (opts.ca !== undefined) this.setTrust(opts.ca);
      if (opts.pins) for (const p of opts.pins) this.addPin(p);
      if (opts.verify !== undefined) this.setVerify(opts.verify, opts.onVerify, opts.clientCert ?? 'none');
      else if (opts.clientCert && opts.clientCert !== 'none') {
        throw new TypeError('TLSContext: clientCert needs a verify policy (the client chain must be judged somehow)');
      }
      if (opts.ticketKey) this.setTicketKey(opts.ticketKey, opts.tickets ?? 2, opts.ticketLifetime ?? 7200);
      if (opts.maxEarlyData !== undefined) this.setMaxEarlyData(opts.maxEarlyData);
      if (opts.mode !== undefined) this.setMode(opts.mode);
      if (opts.middleboxCompat === false) x.wt_x_tls_ctx_clear_options(this.ptr, 0x00100000);
      if (opts.recordSizeLimit !== undefined) this.setRecordSizeLimit(opts.recordSizeLimit);
      if (opts.certificateCompression !== undefined) this.setCertificateCompression(opts.certificateCompression);
      if (opts.keylog !== undefined) this.setKeylog(opts.keylog);
    } catch (e) {
      this.dispose();
      throw e;
    }
  }

  /** The lowest protocol version spoken (see {@link setProtoVersions}). */
  get minVersion(): TLSVersion {
    return this.versions[0];
  }

  /** The highest protocol version spoken. */
  get maxVersion(): TLSVersion {
    return this.versions[1];
  }

  /** The verification policy, or undefined when none was set. */
  get verify(): VerifyPolicy | undefined {
    return this._verify;
  }

  /**
   * Server: add an Encrypted Client Hello key (an ECHConfig and the
   * X25519 private key of its public key, as {@link generateEchKey}
   * makes them). Several may be added (a client's config_id picks); all
   * their configs go to a client as retry configs when ECH is rejected.
   * Both are copied (the key is wiped from the scratch copy).
   */
  addEchKey(config: Uint8Array, privateKey: Uint8Array): this {
    abytes(config, 'addEchKey config');
    abytes(privateKey, 'addEchKey privateKey', 32);
    const w = this.w;
    const p = w.scratch(32 + config.length);
    w.u8().set(privateKey, p);
    w.u8().set(config, p + 32);
    const r = w.exports.wt_x_tls_ctx_add_ech_key(this.live(), p + 32, config.length, p);
    w.wipe(p, 32 + config.length);
    if (r === -2) throw new TLSError(TLS_ERR.NO_MEMORY, 'out of wasm memory: ECH key');
    if (r !== 0) {
      throw new TypeError(
        'addEchKey: not an ECHConfig we can use (version 0xfe0d, DHKEM(X25519, HKDF-SHA256), an HKDF-SHA256 suite) for this private key',
      );
    }
    return this;
  }

  private live(): number {
    if (this.disposed) throw new Error('wasmtls: TLSContext used after dispose()');
    return this.ptr;
  }

  private check(r: number, what: string): void {
    if (r !== 0) {
      const x = this.w.exports;
      throw new TLSError(r, `${cString(this.w.u8(), x.wt_x_tls_err_string(r))}: ${what}`);
    }
  }

  private list16(list: number[], fn: string, what: string): void {
    const p = this.w.scratch(list.length * 2);
    const u = this.w.u8();
    list.forEach((v, i) => {
      u[p + 2 * i] = v & 0xff;
      u[p + 2 * i + 1] = v >> 8;
    });
    this.check(this.w.exports[fn](this.live(), p, list.length), what);
  }

  /** TLS 1.3 cipher suites, preference order (`SSL_CTX_set_ciphersuites`). */
  setCipherSuites(list: readonly (CipherSuiteName | number)[]): this {
    const c = codes(list, 'setCipherSuites', (s) => SUITES[s as CipherSuiteName]);
    this.list16(c, 'wt_x_tls_ctx_set_suites', `cipher suites ${list.join(',')}`);
    return this;
  }

  /** TLS 1.2 cipher suites, preference order (`SSL_CTX_set_cipher_list`):
   * OpenSSL's names (`ECDHE-RSA-AES128-GCM-SHA256`), IANA's
   * (`TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256`) or codepoints; 1 to 8. */
  setCipherSuites12(list: readonly (Cipher12Name | CipherSuite12Name | number)[]): this {
    const c = codes(list, 'setCipherSuites12', suite12Code);
    this.list16(c, 'wt_x_tls_ctx_set_suites12', `TLS 1.2 cipher suites ${list.join(',')}`);
    return this;
  }

  /** The protocol versions spoken, lowest and highest
   * (`SSL_CTX_set_min_proto_version` / `SSL_CTX_set_max_proto_version`). */
  setProtoVersions(min: TLSVersion, max: TLSVersion): this {
    const lo = Object.hasOwn(VERSIONS, min) ? VERSIONS[min] : undefined;
    const hi = Object.hasOwn(VERSIONS, max) ? VERSIONS[max] : undefined;
    if (lo === undefined || hi === undefined) {
      throw new TypeError(`setProtoVersions: expected 'TLSv1.2' or 'TLSv1.3', got ${String(min)}, ${String(max)}`);
    }
    if (lo > hi) throw new TypeError(`setProtoVersions: ${min} is above ${max}`);
    this.check(this.w.exports.wt_x_tls_ctx_set_versions(this.live(), lo, hi), `protocol versions ${min} to ${max}`);
    this.versions = [min, max];
    return this;
  }

  /** Groups, preference order (`SSL_CTX_set1_groups_list`). */
  setGroups(list: readonly (GroupName | string | number)[]): this {
    const c = codes(list, 'setGroups', (s) => GROUP_ALIASES[s.toLowerCase()]);
    this.list16(c, 'wt_x_tls_ctx_set_groups', `groups ${list.join(',')} (unknown, or not built in)`);
    return this;
  }

  /** Signature schemes (`SSL_CTX_set1_sigalgs_list`). */
  setSigalgs(list: readonly (SignatureSchemeName | number)[]): this {
    const c = codes(list, 'setSigalgs', (s) => SIGALGS[s.toLowerCase() as SignatureSchemeName]);
    this.list16(c, 'wt_x_tls_ctx_set_sigalgs', `signature schemes ${list.join(',')}`);
    return this;
  }

  private keep(bytes: Uint8Array): number {
    const p = allocFor(this.w, bytes.length, 'context configuration');
    this.w.u8().set(bytes, p);
    this.held.push(p);
    // Freed with the context (untrack(this) drops every registration).
    track(this, this.w, p, bytes.length);
    return p;
  }

  /** Certificate chain, leaf first (`SSL_CTX_use_certificate_chain_file`):
   * PEM text, one DER certificate, or a list of DER certificates. */
  useCertificateChain(chain: string | Uint8Array | readonly Uint8Array[]): this {
    let ders: Uint8Array[];
    if (Array.isArray(chain)) ders = chain.map((c, i) => abytes(c, `useCertificateChain[${i}]`));
    else if (isPem(chain as string | Uint8Array)) {
      ders = pemDecode(chain as string | Uint8Array)
        .filter((b) => b.label === 'CERTIFICATE')
        .map((b) => b.der);
      if (ders.length === 0) throw new TypeError('useCertificateChain: no CERTIFICATE block in the PEM text');
    } else ders = [chain as Uint8Array];
    const total = ders.reduce((n, d) => n + d.length, 0);
    const all = new Uint8Array(total);
    let off = 0;
    for (const d of ders) {
      all.set(d, off);
      off += d.length;
    }
    const p = this.keep(all);
    this.check(this.w.exports.wt_x_tls_ctx_set_chain(this.live(), p, total), 'certificate chain');
    this.chainDer = all; // (the engine dropped a compressed form of the old chain)
    return this;
  }

  /**
   * RFC 8879: compress our certificate chain once per algorithm and send
   * it compressed to every TLS 1.3 peer that offers one of them from then
   * on (a server to clients; a client to a server that asks for its
   * certificate), with the first algorithm in the peer's
   * compress_certificate list that we have a body for (RFC 8879 3: the
   * peer lists what it can decompress, the sender picks one); a plain
   * Certificate when there is none. zlib is done by the runtime
   * (`CompressionStream('deflate')`: Node 18+, Deno, workerd, browsers)
   * unless `zlib: false`; brotli and zstd, which the module cannot
   * produce (nor decode: we never offer them for the peer's certificate),
   * take a compressor from the host, e.g. in Node
   * `{ brotli: (m) => zlib.brotliCompressSync(m) }`. Chromium offers
   * brotli only. With an empty certificate_request_context, which RFC
   * 8446 4.3.2 requires during the handshake, the Certificate message is
   * the same for every connection, so one compression serves them all.
   * Resolves to the algorithms in use (those whose output is smaller than
   * the message). Call again after a new chain.
   */
  async compressCertificate(opts: CertCompressors = {}): Promise<CertCompressionSendName[]> {
    const msg = certificateBody(this.chainDer);
    if (msg === undefined) throw new TypeError('compressCertificate: no certificate chain set');
    const jobs: [CertCompressionSendName, CertCompressor][] = [];
    if (opts.zlib !== false) jobs.push(['zlib', opts.zlib ?? deflate]);
    if (opts.brotli) jobs.push(['brotli', opts.brotli]);
    if (opts.zstd) jobs.push(['zstd', opts.zstd]);
    const outs = await Promise.all(jobs.map(async ([, f]) => new Uint8Array(await f(msg.slice()))));
    this.live();
    const used: CertCompressionSendName[] = [];
    jobs.forEach(([name], i) => {
      const z = outs[i]!;
      const alg = CERT_COMPRESSION[name]!;
      // CompressedCertificate (RFC 8879 4): algorithm, uncompressed_length
      // (uint24), compressed_certificate_message<1..2^24-1>.
      if (z.length === 0 || z.length + 8 >= msg.length) {
        this.w.exports.wt_x_tls_ctx_set_compressed_certificate(this.live(), alg, 0, 0, 0);
        return;
      }
      const body = new Uint8Array(8 + z.length);
      body.set([0, alg, msg.length >> 16, (msg.length >> 8) & 0xff, msg.length & 0xff]);
      body.set([z.length >> 16, (z.length >> 8) & 0xff, z.length & 0xff], 5);
      body.set(z, 8);
      const p = this.keep(body);
      this.w.exports.wt_x_tls_ctx_set_compressed_certificate(this.live(), alg, p, body.length, 0);
      used.push(name);
    });
    return used;
  }

  /** Private key (`SSL_CTX_use_PrivateKey`): PEM or DER. Our copies in
   * wasm memory are wiped; the parsed key is wiped by `dispose()`. */
  usePrivateKey(key: string | Uint8Array | PrivateKeySigner): this {
    if (isSigner(key)) return this.useSigner(key);
    let der: Uint8Array;
    let wipeDer = false;
    if (isPem(key)) {
      const blocks = pemDecode(key);
      const k = blocks.find((b) => /PRIVATE KEY$/.test(b.label));
      for (const b of blocks) if (b !== k) b.der.fill(0);
      if (!k) throw new TypeError('usePrivateKey: no PRIVATE KEY block in the PEM text');
      if (k.label.includes('ENCRYPTED')) {
        k.der.fill(0);
        throw new TypeError('usePrivateKey: encrypted private keys are not supported');
      }
      // The engine takes PKCS #8 ("PRIVATE KEY"), PKCS #1 and SEC 1; other
      // traditional labels name their type, which the DER alone may not
      // ("DSA PRIVATE KEY" would only read as malformed), so say it here.
      if (!['PRIVATE KEY', 'RSA PRIVATE KEY', 'EC PRIVATE KEY'].includes(k.label)) {
        k.der.fill(0);
        const what = k.label.replace(/ PRIVATE KEY$/, '');
        throw new TLSError(
          TLS_ERR.CONFIG,
          what === 'RSA-PSS'
            ? 'unsupported private key type: RSA-PSS PRIVATE KEY (OpenSSL\'s traditional form, without the PSS parameters); use the PKCS #8 "PRIVATE KEY" file'
            : `unsupported private key type: ${what}`,
        );
      }
      der = k.der;
      wipeDer = true;
    } else der = abytes(key, 'usePrivateKey');
    const w = this.w;
    const p = allocFor(w, der.length, 'a private key');
    w.u8().set(der, p);
    try {
      const r = w.exports.wt_x_tls_ctx_set_key(this.live(), p, der.length);
      // The engine names what it refused: "unsupported private key
      // type: DSA", "... RSASSA-PSS restricted to SHA-1", or a malformed key.
      if (r !== 0) {
        throw new TLSError(
          r,
          cString(w.u8(), w.exports.wt_x_tls_ctx_key_error(this.live()) >>> 0) || cString(w.u8(), w.exports.wt_x_tls_err_string(r)),
        );
      }
    } finally {
      w.wipe(p, der.length);
      w.free(p);
      if (wipeDer) der.fill(0);
    }
    this.signer = undefined;
    return this;
  }

  /**
   * The private key of the chain's leaf as a signer
   * (BoringSSL's `SSL_CTX_set_private_key_method`): the key never enters
   * the module. Set the certificate chain first; the engine reads the
   * leaf's key type to choose schemes. Each handshake that must sign
   * calls `signer.sign(scheme, message)` and waits
   * (`WANT_PRIVATE_KEY_OPERATION`); connect() and accept() await it.
   */
  useSigner(signer: PrivateKeySigner): this {
    if (!isSigner(signer)) throw new TypeError('useSigner: expected { sign(scheme, data), schemes }');
    this.list16(
      signerCodes(signer, 'useSigner'),
      'wt_x_tls_ctx_set_signer',
      'signer: set the certificate chain first, with a leaf whose key the engine can use (RSA, RSA-PSS, EC P-256/P-384, Ed25519)',
    );
    this.signer = signer;
    return this;
  }

  /** ALPN protocols, preference order (`SSL_CTX_set_alpn_protos`; a server
   * picks the first of its list the client offers). */
  setAlpnProtos(list: readonly (string | Uint8Array)[]): this {
    const names = list.map((n) => (typeof n === 'string' ? enc.encode(n) : abytes(n, 'setAlpnProtos')));
    const wire = new Uint8Array(names.reduce((s, n) => s + 1 + n.length, 0));
    let off = 0;
    for (const n of names) {
      if (n.length === 0 || n.length > 255) throw new RangeError('setAlpnProtos: each name is 1..255 bytes (RFC 7301 3.1)');
      wire[off++] = n.length;
      wire.set(n, off);
      off += n.length;
    }
    const p = this.keep(wire);
    this.check(this.w.exports.wt_x_tls_ctx_set_alpn(this.live(), p, wire.length), 'ALPN list');
    return this;
  }

  /**
   * The verification policy (required: see the module header) and, for a
   * server, whether to ask for a client certificate.
   */
  setVerify(policy: VerifyPolicy, onVerify?: VerifyCallback, clientCert: 'none' | 'request' | 'require' = 'none'): this {
    const pol = policy === 'insecure-no-chain-validation' ? 1 : policy === 'external' ? 2 : policy === 'chain' ? 3 : 0;
    if (pol === 0) {
      throw new TypeError(`setVerify: unknown policy ${String(policy)}; expected 'chain', 'insecure-no-chain-validation' or 'external'`);
    }
    if (pol === 2 && typeof onVerify !== 'function') throw new TypeError("setVerify: policy 'external' needs an onVerify callback");
    if (pol === 3 && this.trust === undefined) throw new TypeError("setVerify: policy 'chain' needs trust anchors (option `ca`)");
    let flags = clientCert === 'require' ? 3 : clientCert === 'request' ? 1 : clientCert === 'none' ? 0 : -1;
    if (flags < 0) throw new TypeError(`setVerify: clientCert must be 'none', 'request' or 'require'`);
    // WT_TLS_VERIFY_CALLBACK: pause after the engine's verdict, with or
    // without a callback: the pause is when the peer's chain can be read
    // (Connection.peerCertificates), and a context must give the same
    // answers whoever built it (connect() with or without `context`).
    // Without a callback the connection answers with the engine's own
    // verdict (verdictAlert), so nothing else changes.
    if (pol === 3) flags |= 0x4;
    this.check(this.w.exports.wt_x_tls_ctx_set_verify(this.live(), pol, flags), 'verification policy');
    this._verify = policy;
    this.onVerify = onVerify;
    return this;
  }

  /** The anchors of policy `'chain'`. Kept referenced: the engine reads
   * the store during every handshake of every connection of this ctx. */
  trust: TrustStore | undefined;

  /** Trust anchors for policy `'chain'` (replaces earlier ones): a
   * TrustStore, or what Node's `ca` takes - PEM text, PEM bytes (a Buffer
   * read from a .pem file), DER bytes, or an array mixing them. */
  setTrust(ca: TrustStore | CaLike): this {
    if (ca instanceof TrustStore) return this.useTrust(ca, false);
    const list = typeof ca === 'string' || ca instanceof Uint8Array ? [ca] : ca;
    if (!Array.isArray(list)) throw new TypeError('setTrust: `ca` must be PEM text, bytes, or an array of them');
    const store = new TrustStore();
    try {
      for (const d of certificateList(list)) store.addDER(d);
      return this.useTrust(store, true);
    } catch (e) {
      store.dispose();
      throw e;
    }
  }

  /** A store this context built from PEM/DER (not the caller's): freed
   * with the context. Left to the garbage collector it stayed in wasm
   * memory after dispose() (16 KiB per connect() with `ca`; issue #15,
   * "every path ... frees the wasm memory"), and wasm memory does not
   * push the collector. */
  private ownTrust: TrustStore | undefined;

  private useTrust(store: TrustStore, own: boolean): this {
    if (store.size === 0) throw new TypeError('setTrust: no certificate in `ca`');
    this.check(this.w.exports.wt_x_tls_ctx_set_trust(this.live(), store.handle), 'trust anchors');
    this.trust = store;
    if (this.ownTrust !== store) this.ownTrust?.dispose();
    this.ownTrust = own ? store : undefined;
    return this;
  }

  /** Add an SPKI SHA-256 pin (see {@link TLSContextOptions.pins}). */
  addPin(sha256: Uint8Array): this {
    abytes(sha256, 'addPin', 32);
    const p = this.w.scratch(32);
    this.w.u8().set(sha256, p);
    this.check(this.w.exports.wt_x_tls_ctx_add_pin(this.live(), p), 'pin (at most 8)');
    return this;
  }

  /** Server: the 32-byte ticket key, tickets per full handshake, lifetime
   * (seconds). */
  setTicketKey(key: Uint8Array, tickets = 2, lifetime = 7200): this {
    abytes(key, 'setTicketKey key', 32);
    aint(tickets, 'setTicketKey tickets', 0, 16);
    aint(lifetime, 'setTicketKey lifetime', 0, 604800);
    const w = this.w;
    const p = w.scratch(32);
    w.u8().set(key, p);
    const r = w.exports.wt_x_tls_ctx_set_ticket_key(this.live(), p, tickets, lifetime);
    w.wipe(p, 32);
    this.check(r, 'ticket key');
    return this;
  }

  /** Server: `SSL_CTX_set_max_early_data`: the 0-RTT bytes its tickets
   * allow (RFC 8446 4.6.1; 0, the default: no 0-RTT). Early data is read
   * with {@link Connection.readEarlyData}. */
  setMaxEarlyData(max: number): this {
    aint(max, 'setMaxEarlyData', 0, 0xffffffff);
    this.w.exports.wt_x_tls_ctx_set_max_early_data(this.live(), max);
    this._maxEarlyData = max;
    return this;
  }

  /** The 0-RTT bytes this context's tickets allow ({@link setMaxEarlyData}). */
  get maxEarlyData(): number {
    return this._maxEarlyData;
  }

  /** OR modes in (`SSL_CTX_set_mode`); returns the new mode. */
  setMode(mode: number): number {
    aint(mode, 'setMode', 0, MODES_KNOWN);
    this.w.exports.wt_x_tls_ctx_set_mode(this.live(), mode);
    return this.getMode();
  }

  /** Clear modes (`SSL_CTX_clear_mode`); returns the new mode. */
  clearMode(mode: number): number {
    aint(mode, 'clearMode', 0, MODES_KNOWN);
    this.w.exports.wt_x_tls_ctx_clear_mode(this.live(), mode);
    return this.getMode();
  }

  /** `SSL_CTX_get_mode`. */
  getMode(): number {
    return this.w.exports.wt_x_tls_ctx_get_mode(this.live()) >>> 0;
  }

  /** RFC 8449 record_size_limit to advertise (64..16385; 0 = none). */
  setRecordSizeLimit(limit: number): this {
    aint(limit, 'setRecordSizeLimit', 0, 16385);
    this.check(this.w.exports.wt_x_tls_ctx_set_record_size_limit(this.live(), limit), 'record_size_limit (64..16385)');
    return this;
  }

  /** RFC 8879: the algorithms to offer for the peer's certificate
   * (see {@link TLSContextOptions.certificateCompression}). */
  setCertificateCompression(algs: readonly CertCompressionName[] | false): this {
    const list = algs === false ? [] : algs;
    if (!Array.isArray(list)) throw new TypeError('setCertificateCompression: an array of algorithm names, or false');
    const c = list.map((a) => {
      if (a !== 'zlib') {
        throw new TypeError(
          `setCertificateCompression: ${String(a)} is not built in (only 'zlib': a brotli or zstd decoder does not fit the module)`,
        );
      }
      return CERT_COMPRESSION.zlib;
    });
    this.list16(c, 'wt_x_tls_ctx_set_cert_compression', 'certificate compression');
    return this;
  }

  /** Buffer sizes of connections made later (see {@link TLSContextOptions}). */
  setBufferSizes(s: { netIn?: number; netOut?: number; handshakeMax?: number }): this {
    const netIn = s.netIn ?? 33290,
      netOut = s.netOut ?? 16709,
      hs = s.handshakeMax ?? 131072;
    this.check(this.w.exports.wt_x_tls_ctx_set_sizes(this.live(), netIn, netOut, hs), 'buffer sizes');
    return this;
  }

  /** The key log callback for connections made later (undefined: none;
   * connections made before keep logging to whatever is set when their
   * secrets come). See {@link KeylogCallback}. */
  setKeylog(cb: KeylogCallback | undefined): this {
    if (cb !== undefined && typeof cb !== 'function') throw new TypeError('setKeylog: expected a function or undefined');
    this.keylog = cb;
    return this;
  }

  /** @internal */
  ref(): void {
    this.live();
    this.refs++;
  }

  /** @internal */
  unref(): void {
    if (--this.refs === 0 && this.disposed) this.free();
  }

  /** Wipe the key and ticket key and free the context. Connections still
   * using it keep it alive until they are disposed. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.refs === 0) this.free();
  }

  private free(): void {
    if (this.ptr === 0) return;
    const w = this.w;
    w.exports.wt_x_tls_ctx_clear(this.ptr);
    w.wipe(this.ptr, this.size);
    w.free(this.ptr);
    for (const p of this.held) w.free(p);
    this.held = [];
    this.ptr = 0;
    // After the engine's context, which points at the store, is gone.
    this.ownTrust?.dispose();
    this.ownTrust = undefined;
    this.trust = undefined;
    untrack(this);
  }
}
