/**
 * The SSL object: a TLS 1.3 client or server (RFC 8446) over a BIO pair,
 * with OpenSSL's `SSL_write(3)` / `SSL_read(3)` / `SSL_get_error(3)` /
 * `SSL_shutdown(3)` / `SSL_CTX_set_mode(3)` semantics. The rules live once
 * in the C engine (crypto-src/tls/engine.c); this file moves bytes in and
 * out of wasm memory and maps names. Method names follow OpenSSL, so its
 * man pages apply; the differences are listed on each method.
 *
 * Two objects, as OpenSSL's `SSL_CTX` and `SSL`:
 *  - {@link TLSContext}: configuration shared by many connections (suites,
 *    groups, signature schemes, certificate chain and key, ALPN, ticket key,
 *    verification policy, modes, buffer sizes);
 *  - {@link Connection}: one connection. Its `network` side is the other
 *    half of the BIO pair: `network.read()` gives ciphertext to send,
 *    `network.write(bytes)` takes ciphertext received. The outgoing side is
 *    bounded (`network.setCap`): a full one is what makes WANT_WRITE real.
 *
 * There is no silent insecure default: a client (or a server asking for
 * client certificates) needs a verification policy on its context, either
 * `'insecure-no-chain-validation'` (the handshake signature is checked with
 * the leaf's key, the chain is not validated) or `'external'` (the
 * connection calls `onVerify(chainDer, conn)`, which answers 0 to accept or
 * an alert number to refuse). Without one the first call fails with
 * {@link TLS_ERR}.NO_VERIFY_POLICY.
 *
 * Memory: the context and each connection live in wasm memory; `dispose()`
 * wipes and frees them (or garbage collection does, where the runtime has
 * FinalizationRegistry; workerd has not, so call `dispose()` there).
 *
 * @example
 * ```ts
 * import { init } from 'wasmtls/loader';
 * import { TLSContext, Connection } from 'wasmtls/connection';
 * await init();
 * const ctx = new TLSContext({ verify: 'insecure-no-chain-validation', alpn: ['http/1.1'] });
 * const conn = new Connection(ctx);
 * conn.setConnectState();
 * conn.setServerName('example.com');
 * const r = conn.write(new TextEncoder().encode('GET / HTTP/1.1\r\n\r\n'));
 * if (r <= 0) switch (conn.getError(r)) {
 *   case 'WANT_WRITE': socket.send(conn.network.read()); break;   // then repeat the write
 *   case 'WANT_READ':  socket.send(conn.network.read()); conn.network.write(await next()); break;
 *   default: throw conn.error;
 * }
 * ```
 * @module
 */
import { abytes, aint } from './bytes.js';
import { TLS_ERR, TLSError } from './errors.js';
import { track, untrack } from './handle.js';
import { TrustStore } from './x509.js';
import { wasm, type Wasm, type WasmExports } from './loader.js';

export { ALERT, TLS_ERR, TLSError } from './errors.js';

// ---- constants (OpenSSL's names and numbers) --------------------------------

/** `SSL_get_error` results, OpenSSL's numbering. */
export const SSL_ERROR_NONE = 0;
export const SSL_ERROR_SSL = 1;
export const SSL_ERROR_WANT_READ = 2;
export const SSL_ERROR_WANT_WRITE = 3;
export const SSL_ERROR_SYSCALL = 5;
export const SSL_ERROR_ZERO_RETURN = 6;
export const SSL_ERROR_WANT_RETRY_VERIFY = 12;

/** What {@link Connection.getError} returns. */
export type SSLErrorName = 'NONE' | 'SSL' | 'WANT_READ' | 'WANT_WRITE' | 'SYSCALL' | 'ZERO_RETURN' | 'WANT_RETRY_VERIFY';
const ERROR_NAMES: Record<number, SSLErrorName> = {
  0: 'NONE', 1: 'SSL', 2: 'WANT_READ', 3: 'WANT_WRITE', 5: 'SYSCALL', 6: 'ZERO_RETURN', 12: 'WANT_RETRY_VERIFY',
};

/** `SSL_CTX_set_mode(3)` modes, OpenSSL's bit values. */
export const SSL_MODE_ENABLE_PARTIAL_WRITE = 0x1;
export const SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER = 0x2;
export const SSL_MODE_AUTO_RETRY = 0x4;
export const SSL_MODE_RELEASE_BUFFERS = 0x10;
const MODES_KNOWN = 0x17;

/** `SSL_write_ex2` flag: send close_notify after the data, same flight. */
export const SSL_WRITE_FLAG_CONCLUDE = 0x1;

/** `SSL_get_shutdown` bits. */
export const SSL_SENT_SHUTDOWN = 1;
export const SSL_RECEIVED_SHUTDOWN = 2;

/** The largest plaintext record (RFC 8446 5.1: 2^14). A read returns at
 * most one record's data, as `SSL_read` does. */
export const MAX_RECORD = 16384;

// ---- names of codepoints ------------------------------------------------------

/** TLS 1.3 cipher suites (RFC 8446 B.4). */
export type CipherSuiteName = 'TLS_AES_128_GCM_SHA256' | 'TLS_AES_256_GCM_SHA384' | 'TLS_CHACHA20_POLY1305_SHA256';
/** Key exchange groups (RFC 8446 4.2.7; X25519MLKEM768 from
 * draft-ietf-tls-ecdhe-mlkem). OpenSSL's spellings are accepted too:
 * `X25519`, `P-256`, `P-384`, `prime256v1`. */
export type GroupName = 'x25519' | 'secp256r1' | 'secp384r1' | 'X25519MLKEM768';
/** TLS 1.3 signature schemes (RFC 8446 4.2.3). */
export type SignatureSchemeName =
  | 'ecdsa_secp256r1_sha256' | 'ecdsa_secp384r1_sha384' | 'ed25519'
  | 'rsa_pss_rsae_sha256' | 'rsa_pss_rsae_sha384' | 'rsa_pss_rsae_sha512'
  | 'rsa_pss_pss_sha256' | 'rsa_pss_pss_sha384' | 'rsa_pss_pss_sha512';

const SUITES: Record<CipherSuiteName, number> = {
  TLS_AES_128_GCM_SHA256: 0x1301, TLS_AES_256_GCM_SHA384: 0x1302, TLS_CHACHA20_POLY1305_SHA256: 0x1303,
};
const GROUPS: Record<GroupName, number> = { x25519: 0x1d, secp256r1: 0x17, secp384r1: 0x18, X25519MLKEM768: 0x11ec };
const GROUP_ALIASES: Record<string, number> = {
  x25519: 0x1d, 'p-256': 0x17, prime256v1: 0x17, secp256r1: 0x17, 'p-384': 0x18, secp384r1: 0x18,
  x25519mlkem768: 0x11ec,
};
const SIGALGS: Record<SignatureSchemeName, number> = {
  ecdsa_secp256r1_sha256: 0x0403, ecdsa_secp384r1_sha384: 0x0503, ed25519: 0x0807,
  rsa_pss_rsae_sha256: 0x0804, rsa_pss_rsae_sha384: 0x0805, rsa_pss_rsae_sha512: 0x0806,
  rsa_pss_pss_sha256: 0x0809, rsa_pss_pss_sha384: 0x080a, rsa_pss_pss_sha512: 0x080b,
};

function nameOf<T extends string>(table: Record<T, number>, v: number): T | undefined {
  for (const k in table) if (table[k] === v) return k;
  return undefined;
}

function codes(list: readonly (string | number)[], title: string, look: (s: string) => number | undefined): number[] {
  if (!Array.isArray(list) || list.length === 0) throw new TypeError(`${title}: expected a non-empty array`);
  return list.map((v) => {
    const c = typeof v === 'number' ? v : look(v);
    if (c === undefined || !Number.isInteger(c) || c < 0 || c > 0xffff) {
      throw new TypeError(`${title}: unknown value ${String(v)}`);
    }
    return c;
  });
}

// ---- configuration --------------------------------------------------------------

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
 * Called (policy `'external'`) when the peer's Certificate arrived: the
 * chain as DER, leaf first. Return 0 to accept, or the alert to send
 * (e.g. `ALERT.bad_certificate`, `ALERT.unknown_ca`). A promise pauses the
 * handshake: calls return WANT_RETRY_VERIFY until it settles (a rejection
 * refuses with certificate_unknown); await `conn.verifyPending`, then
 * repeat the call. CertificateVerify is checked by the engine either way.
 */
export type VerifyCallback = (chain: Uint8Array[], conn: Connection) => number | Promise<number>;

/**
 * Receives key log lines (option `keylog`), like Node's `'keylog'` event:
 * one line of the NSS key log format (SSLKEYLOGFILE, what Wireshark reads)
 * per TLS 1.3 secret as it comes into use,
 * `LABEL <client_random, 64 hex> <secret, hex>\n` with the labels
 * CLIENT_HANDSHAKE_TRAFFIC_SECRET, SERVER_HANDSHAKE_TRAFFIC_SECRET,
 * CLIENT_TRAFFIC_SECRET_0, SERVER_TRAFFIC_SECRET_0 and EXPORTER_SECRET, in
 * the order Node (OpenSSL) gives them for the same role. The line ends with
 * `'\n'` as Node's does, so appending it to a file is all a logger does.
 * Called synchronously from inside the call that made the secret; anything
 * it throws is ignored (logging must not break the connection). Secrets
 * after a KeyUpdate are not logged, and there is no 0-RTT line (no 0-RTT).
 * The lines are the keys to the session: log only for debugging.
 *
 * @example
 * ```ts
 * import { appendFileSync } from 'node:fs';
 * const ctx = new TLSContext({ verify: 'chain', ca, keylog: (line) => appendFileSync('/tmp/keys.log', line) });
 * ```
 */
export type KeylogCallback = (line: string, conn: Connection) => void;

/** Options of {@link TLSContext}; each has a setter method too. */
export interface TLSContextOptions {
  /** Required for a client, and for a server that asks for client
   * certificates. See {@link VerifyPolicy}. */
  verify?: VerifyPolicy;
  /** The callback of policy `'external'` (required), or of `'chain'`
   * (optional: it then sees the engine's verdict and decides). */
  onVerify?: VerifyCallback;
  /** Trust anchors for policy `'chain'`: a {@link TrustStore}, PEM text,
   * or DER certificates. */
  ca?: TrustStore | string | Uint8Array | readonly Uint8Array[];
  /** SPKI SHA-256 pins (32 bytes each, at most 8): the peer's validated
   * path (or, without chain validation, its leaf) must hold one. */
  pins?: readonly Uint8Array[];
  /** Server: ask for (`'request'`) or insist on (`'require'`) a client
   * certificate. Needs `verify`. */
  clientCert?: 'none' | 'request' | 'require';
  /** Cipher suites, preference order (default: ChaCha20-Poly1305, then
   * AES-128-GCM, AES-256-GCM: wasm has no AES instructions, and constant-time
   * AES-GCM runs about four times slower than SIMD ChaCha20-Poly1305). */
  suites?: readonly (CipherSuiteName | number)[];
  /** Groups, preference order; a client sends a key share for the first
   * (default: x25519, secp256r1, secp384r1, X25519MLKEM768). */
  groups?: readonly (GroupName | string | number)[];
  /** Signature schemes we accept and use (default: all TLS 1.3 ones). */
  sigalgs?: readonly (SignatureSchemeName | number)[];
  /** Certificate chain, leaf first: PEM text (one or more CERTIFICATE
   * blocks), one DER certificate, or a list of DER certificates. */
  cert?: string | Uint8Array | readonly Uint8Array[];
  /** Private key: PEM (`PRIVATE KEY`, `RSA PRIVATE KEY`, `EC PRIVATE KEY`)
   * or DER (PKCS #8, PKCS #1, SEC 1). */
  key?: string | Uint8Array;
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
  /** Modes OR-ed into the default (`SSL_MODE_AUTO_RETRY`). */
  mode?: number;
  /** RFC 8446 D.4 middlebox compatibility mode (default true, as OpenSSL). */
  middleboxCompat?: boolean;
  /** RFC 8449 record_size_limit to advertise (64..16385; 0: none). */
  recordSizeLimit?: number;
  /** Per-connection buffer sizes for connections made later: incoming
   * ciphertext (>= 16,645), outgoing ciphertext (the largest net-out cap),
   * largest handshake message (>= 4096; default 131072, above OpenSSL's
   * 100 KiB certificate list limit; the handshake's buffers are allocated
   * only while it runs). A certificate chain whose message exceeds it is
   * refused (`TLS_ERR.CHAIN_TOO_LARGE`). */
  bufferSizes?: { netIn?: number; netOut?: number; handshakeMax?: number };
  /** Key log lines for Wireshark and the like (see {@link KeylogCallback}).
   * Connections made while it is set record their secrets; others keep no
   * copies. */
  keylog?: KeylogCallback;
}

const enc = /* @__PURE__ */ new TextEncoder();
const dec = /* @__PURE__ */ new TextDecoder();

function latin1(s: string): Uint8Array {
  const b = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    b[i] = c < 0x80 ? c : 0xff; // PEM is ASCII: anything else fails decoding
  }
  return b;
}

/** A PEM block decoded by the C decoder (constant-time base64). */
interface PemBlock { label: string; der: Uint8Array }

/**
 * Decode every PEM block of `text` (RFC 7468) with the module's decoder.
 * The caller wipes secret results.
 */
export function pemDecode(text: string | Uint8Array): PemBlock[] {
  const w = wasm();
  const x = w.exports;
  const bytes = typeof text === 'string' ? latin1(text) : abytes(text, 'pemDecode');
  const inp = w.copyIn(bytes);
  const out = w.alloc(bytes.length);
  const meta = w.alloc(8 + 72);
  const blocks: PemBlock[] = [];
  try {
    let off = 0;
    for (;;) {
      const r = x.wt_x_pem_decode(inp + off, bytes.length - off, out, bytes.length, meta, meta + 8);
      if (r === -20 && blocks.length > 0) break; // no further BEGIN line
      if (r !== 0) {
        const why: Record<number, string> = {
          [-20]: 'no BEGIN line', [-21]: 'no END line', [-22]: 'bad label', [-23]: 'invalid base64', [-24]: 'too large',
        };
        throw new TypeError(`wasmtls: PEM decoding failed: ${why[r] ?? r}`);
      }
      const u = w.u8();
      const n = u32(u, meta), used = u32(u, meta + 4);
      let l = meta + 8;
      while (u[l] !== 0) l++;
      blocks.push({ label: dec.decode(u.subarray(meta + 8, l)), der: u.slice(out, out + n) });
      off += used;
      if (off >= bytes.length) break;
    }
  } finally {
    w.wipe(inp, bytes.length);
    w.wipe(out, bytes.length);
    w.free(inp);
    w.free(out);
    w.free(meta);
  }
  return blocks;
}

function u32(u: Uint8Array, p: number): number {
  return (u[p] | (u[p + 1] << 8) | (u[p + 2] << 16) | (u[p + 3] << 24)) >>> 0;
}

function isPem(x: string | Uint8Array): boolean {
  return typeof x === 'string' || (x.length > 0 && x[0] !== 0x30);
}

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
  private refs = 0;
  private disposed = false;
  private _verify: VerifyPolicy | undefined;
  /** The callback of policy `'external'`. */
  onVerify: VerifyCallback | undefined;
  /** The key log callback (see {@link KeylogCallback}). */
  keylog: KeylogCallback | undefined;

  /** @throws TypeError / TLSError (code CONFIG) for a bad setting. */
  constructor(opts: TLSContextOptions = {}) {
    this.w = wasm();
    const x = this.w.exports;
    this.size = x.wt_x_tls_ctx_size();
    this.ptr = this.w.alloc(this.size);
    x.wt_x_tls_ctx_init(this.ptr);
    track(this, this.w, this.ptr, this.size);
    try {
      if (opts.suites) this.setCipherSuites(opts.suites);
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
      if (opts.mode !== undefined) this.setMode(opts.mode);
      if (opts.middleboxCompat === false) x.wt_x_tls_ctx_clear_options(this.ptr, 0x00100000);
      if (opts.recordSizeLimit !== undefined) this.setRecordSizeLimit(opts.recordSizeLimit);
      if (opts.keylog !== undefined) this.setKeylog(opts.keylog);
    } catch (e) {
      this.dispose();
      throw e;
    }
  }

  /** The verification policy, or undefined when none was set. */
  get verify(): VerifyPolicy | undefined {
    return this._verify;
  }

  private live(): number {
    if (this.disposed) throw new Error('wasmtls: TLSContext used after dispose()');
    return this.ptr;
  }

  private check(r: number, what: string): void {
    if (r !== 0) {
      const x = this.w.exports;
      throw new TLSError(r, `${cString(this.w, x.wt_x_tls_err_string(r))}: ${what}`);
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
    const p = this.w.copyIn(bytes);
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
      ders = pemDecode(chain as string | Uint8Array).filter((b) => b.label === 'CERTIFICATE').map((b) => b.der);
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
    return this;
  }

  /** Private key (`SSL_CTX_use_PrivateKey`): PEM or DER. Our copies in
   * wasm memory are wiped; the parsed key is wiped by `dispose()`. */
  usePrivateKey(key: string | Uint8Array): this {
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
      der = k.der;
      wipeDer = true;
    } else der = abytes(key, 'usePrivateKey');
    const w = this.w;
    const p = w.copyIn(der);
    try {
      this.check(w.exports.wt_x_tls_ctx_set_key(this.live(), p, der.length), 'private key (PKCS #8, PKCS #1 or SEC 1 DER)');
    } finally {
      w.wipe(p, der.length);
      w.free(p);
      if (wipeDer) der.fill(0);
    }
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
    // WT_TLS_VERIFY_CALLBACK: pause after the engine's verdict.
    if (pol === 3 && typeof onVerify === 'function') flags |= 0x4;
    this.check(this.w.exports.wt_x_tls_ctx_set_verify(this.live(), pol, flags), 'verification policy');
    this._verify = policy;
    this.onVerify = onVerify;
    return this;
  }

  /** The anchors of policy `'chain'`. Kept referenced: the engine reads
   * the store during every handshake of every connection of this ctx. */
  trust: TrustStore | undefined;

  /** Trust anchors for policy `'chain'` (replaces earlier ones). */
  setTrust(ca: TrustStore | string | Uint8Array | readonly Uint8Array[]): this {
    let store: TrustStore;
    if (ca instanceof TrustStore) store = ca;
    else {
      store = new TrustStore();
      if (typeof ca === 'string') store.addPEM(ca);
      else if (ca instanceof Uint8Array) store.addDER(ca);
      else for (const d of ca) store.addDER(d);
    }
    if (store.size === 0) throw new TypeError('setTrust: no certificate in `ca`');
    this.check(this.w.exports.wt_x_tls_ctx_set_trust(this.live(), store.handle), 'trust anchors');
    this.trust = store;
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

  /** Buffer sizes of connections made later (see {@link TLSContextOptions}). */
  setBufferSizes(s: { netIn?: number; netOut?: number; handshakeMax?: number }): this {
    const netIn = s.netIn ?? 33290, netOut = s.netOut ?? 16709, hs = s.handshakeMax ?? 131072;
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
    untrack(this);
  }
}

/** Lowercase hex of n bytes of wasm memory at p (key log lines). */
function hexAt(u: Uint8Array, p: number, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += (u[p + i] < 16 ? '0' : '') + u[p + i].toString(16);
  return s;
}

function cString(w: Wasm, p: number): string {
  const u = w.u8();
  let e = p;
  while (u[e] !== 0) e++;
  return dec.decode(u.subarray(p, e));
}

// ---- buffer identity for write retries ------------------------------------------

// SSL_write(3): a retry must pass the same buffer; the C engine compares a
// token naming the caller's buffer object. Each distinct object gets one.
const tokens = /* @__PURE__ */ new WeakMap<object, number>();
let nextToken = 1;
function tokenOf(o: object): number {
  let t = tokens.get(o);
  if (t === undefined) {
    t = nextToken;
    nextToken = nextToken >= 0xffffffff ? 1 : nextToken + 1;
    tokens.set(o, t);
  }
  return t;
}

// ---- sources of sendStream ----------------------------------------------------

/** What {@link Connection.sendStream} reads from. */
export type ByteSource = ReadableStream<Uint8Array> | Blob | AsyncIterable<Uint8Array> | Iterable<Uint8Array>;

interface Pull { next(): Promise<IteratorResult<unknown>>; cancel(): void }

function pullFrom(src: ByteSource): Pull {
  if (typeof Blob === 'function' && src instanceof Blob) src = src.stream() as ReadableStream<Uint8Array>;
  if (typeof ReadableStream === 'function' && src instanceof ReadableStream) {
    const r = src.getReader();
    return {
      next: () => r.read() as Promise<IteratorResult<unknown>>,
      cancel: () => void r.cancel().catch(() => {}),
    };
  }
  const s = src as Partial<AsyncIterable<Uint8Array> & Iterable<Uint8Array>>;
  if (typeof s[Symbol.asyncIterator] === 'function') {
    const it = s[Symbol.asyncIterator]!();
    return { next: () => it.next(), cancel: () => void it.return?.()?.catch?.(() => {}) };
  }
  if (typeof s[Symbol.iterator] === 'function') {
    const it = s[Symbol.iterator]!();
    return { next: async () => it.next(), cancel: () => void it.return?.() };
  }
  throw new TypeError('sendStream: expected a ReadableStream, Blob, async iterable or iterable of Uint8Array');
}

interface StreamState {
  source: object;
  pull: Pull;
  token: number;
  off: number;      // bytes of the current chunk written
  len: number;      // current chunk length (0: none)
  total: number;    // bytes written from the source so far
  running: boolean;
}

/** Options of {@link Connection.sendStream}. */
export interface SendStreamOptions {
  /** Called on WANT_READ / WANT_WRITE (and WANT_RETRY_VERIFY without a
   * pending verification): move bytes, then resolve; the stream goes on.
   * Without it, sendStream returns -1 and the caller repeats the call
   * with the same source. */
  onWant?: (want: 'WANT_READ' | 'WANT_WRITE' | 'WANT_RETRY_VERIFY') => void | Promise<void>;
}

/** Options of {@link Connection}. */
export interface ConnectionOptions {
  /** The bounded outgoing side, in bytes (1 .. the context's netOut). */
  netOutCap?: number;
}

/** Result of the `_ex` calls. */
export interface ExResult { ok: boolean; written: number }
export interface ReadResult { ok: boolean; data: Uint8Array }

const EMPTY = /* @__PURE__ */ new Uint8Array(0);
// Send buffers beyond this are freed after the write that needed them.
const SEND_KEEP = 1 << 20;

/** The network side of the BIO pair. */
export interface Network {
  /** Ciphertext to send to the peer: at most `max` bytes (default: all
   * that is ready). Empty when there is none. */
  read(max?: number): Uint8Array;
  /** Copy ciphertext to send into `dest`; returns the byte count. */
  readInto(dest: Uint8Array): number;
  /** Ciphertext received from the peer; returns how many bytes were taken
   * (fewer when the incoming side is full: process first, then give the
   * rest). */
  write(bytes: Uint8Array): number;
  /** The transport reached EOF (`BIO_set_mem_eof_return` / a closed
   * socket): a read then sees close_notify (ZERO_RETURN) or, without it,
   * truncation (SYSCALL). */
  end(): void;
  /** Ciphertext waiting to be sent (`BIO_ctrl_pending`). */
  pending(): number;
  /** Room for incoming ciphertext (`BIO_ctrl_get_write_guarantee`). */
  writable(): number;
  /** Ciphertext received but not processed yet. */
  unprocessed(): number;
  /** Bound the outgoing side (1 .. context netOut bytes). */
  setCap(cap: number): void;
}

/**
 * One TLS 1.3 connection (OpenSSL's `SSL`) over a BIO pair.
 *
 * @example
 * ```ts
 * const conn = new Connection(serverCtx);
 * conn.setAcceptState();
 * conn.network.write(bytesFromSocket);       // ciphertext in
 * const r = conn.readEx();                    // runs the handshake first
 * if (!r.ok && conn.getError(r.ok) === 'WANT_READ') socket.write(conn.network.read());
 * ```
 */
export class Connection {
  readonly ctx: TLSContext;
  /** The network side (ciphertext). */
  readonly network: Network;
  /** Pending asynchronous verification (policy 'external' with a callback
   * returning a promise); await it, then repeat the call. */
  verifyPending: Promise<void> | undefined;

  private readonly w: Wasm;
  private readonly x: WasmExports;
  private c: number;            // wt_tls_conn
  private readonly csize: number;
  private readonly slot: number; // two size_t result slots
  private arena = 0;
  private arenaSize = 0;
  private arenaOwner: object = {};
  private mode: number;
  private sendPtr = 0;
  private sendCap = 0;
  private sendOwner: object = {};
  private readPtr = 0;
  private chain: Uint8Array[] | undefined;
  private stream: StreamState | undefined;
  private readonly keylogOn: boolean;

  constructor(ctx: TLSContext, opts: ConnectionOptions = {}) {
    if (!(ctx instanceof TLSContext)) throw new TypeError('Connection: expected a TLSContext');
    ctx.ref();
    this.ctx = ctx;
    this.w = ctx.w;
    this.x = this.w.exports;
    const x = this.x;
    this.csize = x.wt_x_tls_conn_size();
    this.c = this.w.alloc(this.csize + 16);
    this.slot = this.c + this.csize + (8 - (this.csize & 7)) % 8;
    // Collected without dispose(): the handshake buffers the engine
    // allocated for it (a handshake that never finished) go too.
    track(this, this.w, this.c, this.csize + 16, (p) => x.wt_x_tls_conn_free_buffers(p));
    this.arenaSize = x.wt_x_tls_conn_arena_size(ctx.ptr);
    const r = x.wt_x_tls_conn_init(this.c, ctx.ptr, 0, 0);
    if (r !== 0) {
      this.dispose();
      throw new TLSError(r, 'connection init failed');
    }
    this.mode = x.wt_x_tls_get_mode(this.c) >>> 0;
    // Without a callback the engine keeps no copies of secrets at all.
    this.keylogOn = ctx.keylog !== undefined;
    if (this.keylogOn) x.wt_x_tls_set_keylog(this.c, 1);
    this.network = this.makeNetwork();
    if (opts.netOutCap !== undefined) this.network.setCap(opts.netOutCap);
  }

  // ---- plumbing ------------------------------------------------------------

  private live(): number {
    if (this.c === 0) throw new Error('wasmtls: Connection used after dispose()');
    return this.c;
  }

  /** Attach an arena when there is none (first use, or RELEASE_BUFFERS
   * gave the last one back). */
  private ensureArena(): void {
    if (this.arena !== 0) return;
    const p = this.w.alloc(this.arenaSize);
    const r = this.x.wt_x_tls_set_arena(this.live(), p, this.arenaSize);
    if (r !== 0) {
      this.w.free(p);
      throw new TLSError(r, 'attaching connection buffers failed');
    }
    this.arena = p;
    this.arenaOwner = {};
    track(this.arenaOwner, this.w, p, this.arenaSize);
  }

  /** RELEASE_BUFFERS: give an idle connection's arena back (the C engine
   * wipes it and refuses while anything is buffered). */
  private maybeRelease(): void {
    if (!(this.mode & SSL_MODE_RELEASE_BUFFERS) || this.arena === 0 || this.c === 0) return;
    const p = this.x.wt_x_tls_release_arena(this.c);
    if (p !== 0) {
      untrack(this.arenaOwner);
      this.w.free(p);
      this.arena = 0;
    }
  }

  /** Whether the connection holds its record buffers now (RELEASE_BUFFERS
   * frees them while idle). */
  get hasBuffers(): boolean {
    return this.arena !== 0;
  }

  private getSlot(i = 0): number {
    return u32(this.w.u8(), this.slot + 4 * i);
  }

  /** Client: the name checked against the server's certificate under
   * policy `'chain'` when it differs from the SNI name (an IP literal,
   * which is never sent as SNI). */
  setVerifyHost(name: string): this {
    const b = new TextEncoder().encode(name);
    const p = this.w.scratch(b.length);
    this.w.u8().set(b, p);
    if (this.x.wt_x_tls_set_verify_host(this.live(), p, b.length) !== 0) throw new RangeError('setVerifyHost: name too long');
    return this;
  }

  /** The engine's verdict on the peer's chain: 0 valid, a negative code
   * (see {@link verifyError}), or 1 when no validation ran. */
  get verifyCode(): number {
    return this.x.wt_x_tls_verify_code(this.live());
  }

  /** The verdict's name when validation failed ("CERT_HAS_EXPIRED",
   * "ERR_TLS_CERT_ALTNAME_INVALID", "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
   * ... as Node and OpenSSL name them), else undefined. */
  get verifyError(): string | undefined {
    const code = this.verifyCode;
    return code < 0 ? cString(this.w, this.x.wt_x_x509_err_name(code)) : undefined;
  }

  /** Run one SSL call; answer WANT_RETRY_VERIFY from the callback and
   * repeat while it answers synchronously. */
  private call(fn: (c: number) => number): number {
    const c = this.live();
    this.ensureArena();
    let r = fn(c);
    while (r <= 0 && this.x.wt_x_tls_get_error(c, r) === SSL_ERROR_WANT_RETRY_VERIFY &&
           this.verifyPending === undefined && this.ctx.onVerify) {
      const chain = this.collectChain();
      this.chain = chain;
      let ans: number | Promise<number>;
      try {
        ans = this.ctx.onVerify(chain.map((d) => d.slice()), this);
      } catch {
        ans = 46; // certificate_unknown: the verifier itself failed
      }
      if (typeof ans === 'object' && ans !== null && typeof (ans as Promise<number>).then === 'function') {
        const settle = (a: number): void => {
          this.verifyPending = undefined;
          if (this.c !== 0) this.x.wt_x_tls_set_verify_result(this.c, verdict(a));
        };
        this.verifyPending = Promise.resolve(ans).then(settle, () => settle(46));
        break;
      }
      this.x.wt_x_tls_set_verify_result(c, verdict(ans as number));
      r = fn(c);
    }
    // Every engine step that can make a secret runs inside an SSL call,
    // so this is the one place the key log queue needs draining (the
    // network side only moves bytes).
    if (this.keylogOn) this.drainKeylog();
    this.maybeRelease();
    return r;
  }

  /** Give the engine's queued secrets to the context's keylog callback as
   * NSS key log lines. The secret's copy in wasm memory is wiped; a
   * throwing callback is ignored. */
  private drainKeylog(): void {
    const c = this.c, w = this.w, x = this.x;
    if (c === 0) return; // disposed by a callback during the call
    // Not this.slot: the caller of call() still has to read its result.
    const out = w.scratch(48 + 4), len = out + 48;
    const lines: string[] = [];
    try {
      for (;;) {
        const id = x.wt_x_tls_keylog_next(c, out, len);
        if (id === 0) break;
        const u = w.u8();
        const random = x.wt_x_tls_client_random(c);
        lines.push(`${cString(w, x.wt_x_tls_keylog_label(id))} ${hexAt(u, random, 32)} ${hexAt(u, out, u32(u, len))}\n`);
      }
    } finally {
      w.wipe(out, 48);
    }
    // Called after the queue is empty: a callback may dispose the
    // connection or make more calls on it.
    for (const line of lines) {
      try {
        this.ctx.keylog?.(line, this);
      } catch {
        // Node's 'keylog' listeners cannot fail a handshake either.
      }
    }
  }

  private collectChain(): Uint8Array[] {
    const out: Uint8Array[] = [];
    for (let i = 0; ; i++) {
      const p = this.x.wt_x_tls_peer_cert(this.c, i, this.slot);
      if (p === 0) break;
      const n = this.getSlot();
      out.push(this.w.u8().slice(p, p + n));
    }
    return out;
  }

  private sendSpace(n: number): number {
    if (n > this.sendCap) {
      this.dropSend();
      this.sendCap = Math.max(n, 4096);
      this.sendPtr = this.w.alloc(this.sendCap);
      // Its own owner object: the buffer is replaced as writes grow.
      this.sendOwner = {};
      track(this.sendOwner, this.w, this.sendPtr, this.sendCap);
    }
    return this.sendPtr;
  }

  private dropSend(): void {
    if (this.sendPtr !== 0) {
      untrack(this.sendOwner);
      this.w.wipe(this.sendPtr, this.sendCap);
      this.w.free(this.sendPtr);
    }
    this.sendPtr = 0;
    this.sendCap = 0;
  }

  private noStream(what: string): void {
    if (this.stream) throw new Error(`wasmtls: ${what} while a sendStream is pending; finish it first`);
  }

  // ---- state ------------------------------------------------------------------

  /** `SSL_set_connect_state`: act as a client. */
  setConnectState(): void {
    this.x.wt_x_tls_set_connect_state(this.live());
  }

  /** `SSL_set_accept_state`: act as a server. */
  setAcceptState(): void {
    this.x.wt_x_tls_set_accept_state(this.live());
  }

  /** `SSL_is_server`: true, false, or undefined before a state was set. */
  get isServer(): boolean | undefined {
    const r = this.x.wt_x_tls_is_server(this.live());
    return r < 0 ? undefined : r === 1;
  }

  /** `SSL_set_tlsext_host_name`: the SNI host name a client sends. */
  setServerName(name: string): void {
    const b = enc.encode(name);
    if (b.length === 0 || b.length > 255) throw new RangeError('setServerName: 1..255 bytes');
    const p = this.w.scratch(b.length);
    this.w.u8().set(b, p);
    const r = this.x.wt_x_tls_set_server_name(this.live(), p, b.length);
    if (r !== 0) throw new TLSError(r, 'bad server name');
  }

  /** `SSL_set_mode`: OR modes in; returns the new mode. */
  setMode(mode: number): number {
    aint(mode, 'setMode', 0, MODES_KNOWN);
    this.x.wt_x_tls_set_mode(this.live(), mode);
    this.mode = this.x.wt_x_tls_get_mode(this.c) >>> 0;
    this.maybeRelease();
    return this.mode;
  }

  /** `SSL_clear_mode`; returns the new mode. */
  clearMode(mode: number): number {
    aint(mode, 'clearMode', 0, MODES_KNOWN);
    this.x.wt_x_tls_clear_mode(this.live(), mode);
    this.mode = this.x.wt_x_tls_get_mode(this.c) >>> 0;
    return this.mode;
  }

  /** `SSL_get_mode`. */
  getMode(): number {
    return this.mode;
  }

  // ---- SSL calls ----------------------------------------------------------------

  /** `SSL_do_handshake`: 1 done, <= 0 see {@link getError}. */
  doHandshake(): number {
    return this.call((c) => this.x.wt_x_tls_do_handshake(c));
  }

  /**
   * `SSL_write`: > 0 bytes written, <= 0 see {@link getError}. All or
   * nothing unless ENABLE_PARTIAL_WRITE (then the count after each
   * completed 16 KiB record). After WANT_READ / WANT_WRITE repeat with the
   * same Uint8Array object and bytes (a different object with the same
   * bytes only with ACCEPT_MOVING_WRITE_BUFFER): anything else is a bad
   * write retry. A length of 0 is an error. The first write runs the
   * handshake. The bytes are copied into wasm memory once per call.
   */
  write(data: Uint8Array): number {
    abytes(data, 'Connection.write data');
    this.live();
    this.noStream('write');
    const n = data.length;
    const p = this.sendSpace(n);
    this.w.u8().set(data, p);
    const t = tokenOf(data);
    const r = this.call((c) => this.x.wt_x_tls_write(c, t, p, n));
    if (r > 0 && this.sendCap > SEND_KEEP) this.dropSend();
    return r;
  }

  /** `SSL_write_ex`: `{ ok, written }`; a length of 0 succeeds and sends
   * nothing. Otherwise as {@link write}. */
  writeEx(data: Uint8Array): ExResult {
    return this.writeEx2(data, 0);
  }

  /** `SSL_write_ex2`: flags `SSL_WRITE_FLAG_CONCLUDE` sends close_notify
   * right after the data, in the same flight (the write side closes,
   * reading goes on); not concluded on a partial write. An empty buffer
   * with CONCLUDE just concludes. */
  writeEx2(data: Uint8Array, flags: number): ExResult {
    abytes(data, 'Connection.writeEx2 data');
    aint(flags, 'writeEx2 flags', 0, SSL_WRITE_FLAG_CONCLUDE);
    this.live();
    this.noStream('writeEx2');
    const n = data.length;
    const p = this.sendSpace(n);
    if (n) this.w.u8().set(data, p);
    const t = tokenOf(data);
    const r = this.call((c) => this.x.wt_x_tls_write_ex2(c, t, p, n, flags, this.slot));
    const written = r === 1 ? this.getSlot() : 0;
    if (r === 1 && this.sendCap > SEND_KEEP) this.dropSend();
    return { ok: r === 1, written };
  }

  private readPtrOf(): number {
    this.live();
    if (this.readPtr === 0) {
      this.readPtr = this.w.alloc(MAX_RECORD);
      track(this, this.w, this.readPtr, MAX_RECORD);
    }
    return this.readPtr;
  }

  /** `SSL_read` into `buf`: > 0 bytes read (at most one record's, and at
   * most buf.length), 0 or < 0 see {@link getError} (0 with ZERO_RETURN:
   * close_notify). The first read runs the handshake. */
  read(buf: Uint8Array): number {
    abytes(buf, 'Connection.read buf');
    const n = Math.min(buf.length, MAX_RECORD);
    const p = this.readPtrOf();
    const r = this.call((c) => this.x.wt_x_tls_read(c, p, n));
    if (r > 0) buf.set(this.w.u8().subarray(p, p + r));
    return r;
  }

  private readCore(fn: string, max: number | Uint8Array | undefined, title: string): ReadResult {
    let dest: Uint8Array | undefined;
    let n: number;
    if (max instanceof Uint8Array) {
      dest = max;
      n = Math.min(dest.length, MAX_RECORD);
    } else n = Math.min(aint(max ?? MAX_RECORD, title, 0, 0x7fffffff), MAX_RECORD);
    const p = this.readPtrOf();
    const r = this.call((c) => this.x[fn](c, p, n, this.slot));
    if (r !== 1) return { ok: false, data: EMPTY };
    const got = this.getSlot();
    const src = this.w.u8().subarray(p, p + got);
    if (dest) {
      dest.set(src);
      return { ok: true, data: dest.subarray(0, got) };
    }
    return { ok: true, data: src.slice() };
  }

  /** `SSL_read_ex`: `{ ok, data }` with up to `max` bytes (default and
   * limit: one record, 16,384), or into `buf` (data is a view of it). */
  readEx(max?: number | Uint8Array): ReadResult {
    return this.readCore('wt_x_tls_read_ex', max, 'readEx max');
  }

  /** `SSL_peek_ex`: as {@link readEx}, leaving the data to read. */
  peek(max?: number | Uint8Array): ReadResult {
    return this.readCore('wt_x_tls_peek_ex', max, 'peek max');
  }

  /** `SSL_pending`: plaintext bytes readable without more input. */
  pending(): number {
    return this.x.wt_x_tls_pending(this.live());
  }

  /**
   * `SSL_get_error(ret)`: why the call that returned `ret` (a number, or
   * the `ok` of an `_ex` call) did not succeed.
   */
  getError(ret: number | boolean): SSLErrorName {
    const r = typeof ret === 'boolean' ? (ret ? 1 : 0) : ret;
    return ERROR_NAMES[this.x.wt_x_tls_get_error(this.live(), r)] ?? 'SSL';
  }

  /** The error behind SSL (and SYSCALL): the sticky error, or the misuse
   * the last call reported; undefined when there is none. */
  get error(): TLSError | undefined {
    const c = this.live();
    const x = this.x;
    const reason = x.wt_x_tls_reason(c) >>> 0;
    const code = (x.wt_x_tls_error_code(c) >>> 0) || reason;
    if (code === 0) return undefined;
    return new TLSError(code, cString(this.w, x.wt_x_tls_err_string(code)), reason,
      cString(this.w, x.wt_x_tls_err_string(reason)));
  }

  /**
   * `SSL_shutdown`: 0 once our close_notify is out, 1 when the peer's has
   * arrived too (call again to wait for it), < 0 see {@link getError}.
   * Refused during the handshake.
   */
  shutdown(): number {
    return this.call((c) => this.x.wt_x_tls_shutdown(c));
  }

  /** `SSL_get_shutdown`: SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN bits. */
  getShutdown(): number {
    return this.x.wt_x_tls_get_shutdown(this.live());
  }

  /** `SSL_key_update`: a KeyUpdate goes out before the next application
   * data (with `requestPeer`, the peer must answer with its own). False
   * before the handshake is done or after an error. */
  keyUpdate(requestPeer: boolean): boolean {
    return this.x.wt_x_tls_key_update(this.live(), requestPeer ? 1 : 0) === 1;
  }

  /** Answer a pending WANT_RETRY_VERIFY yourself (0 accepts, else the
   * alert to send); for callers that verify without a callback. */
  setVerifyResult(alert: number): void {
    aint(alert, 'setVerifyResult', 0, 255);
    const r = this.x.wt_x_tls_set_verify_result(this.live(), alert);
    if (r !== 0) throw new TLSError(r, 'no verification is pending');
  }

  /**
   * `SSL_sendfile` analog: write everything a stream, Blob or (async)
   * iterable of Uint8Array yields. Each chunk is copied into wasm memory
   * once and written from there (no copy per record). Resolves to the
   * bytes written (0 for an empty source) once the source is exhausted and
   * everything is written, or -1: see {@link getError}. After WANT_READ /
   * WANT_WRITE (without `onWant`) call again with the same source: the
   * stream continues where it stopped, nothing sent twice or lost; another
   * source meanwhile is refused with a TLSError (code BAD_WRITE_RETRY, not
   * sticky), and plain writes throw until the stream is finished.
   *
   * @example
   * ```ts
   * const n = await conn.sendStream(file.stream(), {
   *   onWant: async () => { await send(conn.network.read()); conn.network.write(await received()); },
   * });
   * ```
   */
  async sendStream(source: ByteSource, opts: SendStreamOptions = {}): Promise<number> {
    this.live();
    let st = this.stream;
    if (st && st.source !== source) {
      // SSL_write(3): a repeated call must pass the same buffer. The C
      // engine cannot judge this one (the old source's bytes are not in
      // the new one), so it is refused here; the pending stream stays.
      throw new TLSError(TLS_ERR.BAD_WRITE_RETRY,
        'bad write retry: sendStream repeated with a different source while one is pending');
    }
    if (st?.running) throw new Error('wasmtls: sendStream already running');
    if (!st) {
      st = { source, pull: pullFrom(source), token: tokenOf(source), off: 0, len: 0, total: 0, running: false };
      this.stream = st;
    }
    st.running = true;
    try {
      for (;;) {
        if (st.off === st.len) {
          let next: IteratorResult<unknown>;
          try {
            next = await st.pull.next();
          } catch (e) {
            this.stream = undefined;
            throw e;
          }
          if (this.c === 0) throw new Error('wasmtls: Connection disposed during sendStream');
          if (next.done) {
            this.stream = undefined;
            return st.total;
          }
          const v = next.value;
          const chunk = v instanceof Uint8Array ? v : v instanceof ArrayBuffer ? new Uint8Array(v) : undefined;
          if (!chunk) {
            st.pull.cancel();
            this.stream = undefined;
            throw new TypeError('sendStream: the source yielded something other than a Uint8Array');
          }
          if (chunk.length === 0) continue;
          const p = this.sendSpace(chunk.length);
          this.w.u8().set(chunk, p);
          st.off = 0;
          st.len = chunk.length;
        }
        const s = st;
        const r = this.call((cc) => this.x.wt_x_tls_write_ex2(cc, s.token, this.sendPtr + s.off, s.len - s.off, 0, this.slot));
        if (r === 1) {
          const n = this.getSlot();
          st.off += n;
          st.total += n;
          continue;
        }
        const e = this.getError(0);
        if (e === 'WANT_RETRY_VERIFY' && this.verifyPending) {
          await this.verifyPending;
          continue;
        }
        if ((e === 'WANT_READ' || e === 'WANT_WRITE' || e === 'WANT_RETRY_VERIFY') && opts.onWant) {
          await opts.onWant(e);
          if (this.c === 0) throw new Error('wasmtls: Connection disposed during sendStream');
          continue;
        }
        if (e !== 'WANT_READ' && e !== 'WANT_WRITE' && e !== 'WANT_RETRY_VERIFY') {
          st.pull.cancel();
          this.stream = undefined;
        }
        return -1;
      }
    } finally {
      st.running = false;
    }
  }

  // ---- negotiated information ---------------------------------------------------

  /** `SSL_is_init_finished`. */
  get isInitFinished(): boolean {
    return this.x.wt_x_tls_is_init_finished(this.live()) === 1;
  }

  /** `SSL_get_version`: 'TLSv1.3' once negotiated. */
  get version(): 'TLSv1.3' | undefined {
    return this.x.wt_x_tls_get_version(this.live()) === 0x0304 ? 'TLSv1.3' : undefined;
  }

  /** `SSL_get_cipher_name`: the suite's RFC name. */
  get cipher(): CipherSuiteName | undefined {
    return nameOf(SUITES, this.x.wt_x_tls_get_suite(this.live()));
  }

  /** The key exchange group (`SSL_get_negotiated_group`), by IANA name. */
  get group(): GroupName | undefined {
    return nameOf(GROUPS, this.x.wt_x_tls_get_group(this.live()));
  }

  /** The scheme the peer signed CertificateVerify with. */
  get peerSignatureScheme(): SignatureSchemeName | undefined {
    return nameOf(SIGALGS, this.x.wt_x_tls_get_peer_sigalg(this.live()));
  }

  /** `SSL_get0_alpn_selected`. */
  get alpnProtocol(): string | undefined {
    const p = this.x.wt_x_tls_get_alpn(this.live(), this.slot);
    const n = this.getSlot();
    return p && n ? dec.decode(this.w.u8().subarray(p, p + n)) : undefined;
  }

  /** `SSL_get_servername`: a server's received SNI, a client's own. */
  get serverName(): string | undefined {
    const p = this.x.wt_x_tls_get_server_name(this.live(), this.slot);
    const n = this.getSlot();
    return p && n ? dec.decode(this.w.u8().subarray(p, p + n)) : undefined;
  }

  /** `SSL_session_reused`. */
  get sessionReused(): boolean {
    return this.x.wt_x_tls_session_reused(this.live()) === 1;
  }

  /** Whether a HelloRetryRequest was part of this handshake. */
  get hrrSeen(): boolean {
    return this.x.wt_x_tls_hrr_seen(this.live()) === 1;
  }

  /** Whether the peer authenticated with a certificate and signature. */
  get peerAuthenticated(): boolean {
    return this.x.wt_x_tls_peer_authenticated(this.live()) === 1;
  }

  /**
   * The peer's certificate chain as DER, leaf first: read from the engine
   * while the handshake waits on WANT_RETRY_VERIFY, and kept (a copy) once
   * the verify callback saw it. Undefined when the chain was never
   * exposed (policy 'insecure-no-chain-validation', or resumption).
   */
  get peerCertificates(): Uint8Array[] | undefined {
    const live = this.collectChain();
    if (live.length) this.chain = live;
    return this.chain?.map((d) => d.slice());
  }

  /** `SSL_get1_session`: the session from the last NewSessionTicket, or
   * undefined. It holds the resumption secret: keep it like a key. */
  getSession(): Uint8Array | undefined {
    const c = this.live();
    const n = this.x.wt_x_tls_get_session(c, 0, 0);
    if (n === 0) return undefined;
    const p = this.w.alloc(n);
    try {
      this.x.wt_x_tls_get_session(c, p, n);
      return this.w.copyOut(p, n);
    } finally {
      this.w.wipe(p, n);
      this.w.free(p);
    }
  }

  /** NewSessionTickets received so far (client): when it moves,
   * {@link getSession} has a new session. */
  get ticketsReceived(): number {
    return this.x.wt_x_tls_tickets_received(this.live()) >>> 0;
  }

  /** `SSL_set_session`: offer this session (client, before the first call). */
  setSession(session: Uint8Array): void {
    abytes(session, 'setSession');
    const p = this.w.copyIn(session);
    try {
      const r = this.x.wt_x_tls_set_session(this.live(), p, session.length);
      if (r !== 0) throw new TLSError(r, 'bad session');
    } finally {
      this.w.wipe(p, session.length);
      this.w.free(p);
    }
  }

  // ---- network side -----------------------------------------------------------

  private makeNetwork(): Network {
    const self = this;
    const x = this.x;
    const w = this.w;
    return {
      read(max?: number): Uint8Array {
        const c = self.live();
        self.ensureArena();
        let limit = max === undefined ? Infinity : aint(max, 'network.read max', 0, 0x7fffffff);
        let first: Uint8Array | undefined;
        let more: Uint8Array[] | undefined;
        let total = 0;
        while (limit > 0) {
          const p = x.wt_x_tls_net_out_buf(c, self.slot);
          let n = self.getSlot();
          if (n === 0) break;
          if (n > limit) n = limit;
          const chunk = w.u8().slice(p, p + n);
          x.wt_x_tls_net_out_ack(c, n);
          limit -= n;
          total += n;
          if (!first) first = chunk;
          else (more ??= [first]).push(chunk);
        }
        self.maybeRelease();
        if (!first) return EMPTY;
        if (!more) return first;
        // The outgoing side was smaller than what was staged: join.
        const out = new Uint8Array(total);
        let off = 0;
        for (const m of more) {
          out.set(m, off);
          off += m.length;
        }
        return out;
      },
      readInto(dest: Uint8Array): number {
        abytes(dest, 'network.readInto dest');
        const c = self.live();
        self.ensureArena();
        let total = 0;
        while (total < dest.length) {
          const p = x.wt_x_tls_net_out_buf(c, self.slot);
          const n = Math.min(self.getSlot(), dest.length - total);
          if (n === 0) break;
          dest.set(w.u8().subarray(p, p + n), total);
          x.wt_x_tls_net_out_ack(c, n);
          total += n;
        }
        self.maybeRelease();
        return total;
      },
      write(bytes: Uint8Array): number {
        abytes(bytes, 'network.write bytes');
        const c = self.live();
        self.ensureArena();
        const p = x.wt_x_tls_net_in_buf(c, self.slot);
        const n = Math.min(self.getSlot(), bytes.length);
        if (n === 0) return 0;
        w.u8().set(n === bytes.length ? bytes : bytes.subarray(0, n), p);
        x.wt_x_tls_net_in_ack(c, n);
        return n;
      },
      end(): void {
        x.wt_x_tls_net_in_eof(self.live());
      },
      pending(): number {
        const c = self.live();
        if (self.arena === 0) return 0;
        // net_out_buf first moves staged records into the outgoing side.
        x.wt_x_tls_net_out_buf(c, self.slot);
        return self.getSlot();
      },
      writable(): number {
        const c = self.live();
        self.ensureArena();
        x.wt_x_tls_net_in_buf(c, self.slot);
        const n = self.getSlot();
        self.maybeRelease();
        return n;
      },
      unprocessed(): number {
        return x.wt_x_tls_net_in_pending(self.live());
      },
      setCap(cap: number): void {
        aint(cap, 'network.setCap', 1, 0x7fffffff);
        const r = x.wt_x_tls_set_net_out_cap(self.live(), cap);
        if (r !== 0) throw new TLSError(r, `network cap ${cap} outside 1..the context's netOut size`);
      },
    };
  }

  /**
   * Move ciphertext from one connection's outgoing side to another's
   * incoming side (an in-memory BIO pair), at most `max` bytes; returns
   * the count. Connections of one module instance copy inside wasm memory
   * with no JS copy at all.
   */
  static transfer(from: Connection, to: Connection, max = Infinity): number {
    const a = from.live(), b = to.live();
    if (from.w !== to.w) {
      let moved = 0;
      while (moved < max) {
        const room = to.network.writable();
        if (room === 0) break;
        const data = from.network.read(Math.min(room, max - moved));
        if (data.length === 0) break;
        to.network.write(data);
        moved += data.length;
      }
      return moved;
    }
    if (from.arena === 0) return 0; // released: nothing waits to be sent
    const x = from.x;
    let moved = 0;
    while (moved < max) {
      const src = x.wt_x_tls_net_out_buf(a, from.slot);
      let n = from.getSlot();
      if (n === 0) break;
      to.ensureArena();
      const dst = x.wt_x_tls_net_in_buf(b, to.slot);
      n = Math.min(n, to.getSlot(), max - moved);
      if (n === 0) break;
      from.w.u8().copyWithin(dst, src, src + n);
      x.wt_x_tls_net_in_ack(b, n);
      x.wt_x_tls_net_out_ack(a, n);
      moved += n;
    }
    from.maybeRelease();
    return moved;
  }

  // ---- lifetime -----------------------------------------------------------------

  /** Wipe every secret (`wt_tls_conn_clear`) and free the connection. */
  dispose(): void {
    if (this.c === 0) return;
    const w = this.w;
    this.stream?.pull.cancel();
    this.stream = undefined;
    this.x.wt_x_tls_conn_clear(this.c);
    if (this.arena !== 0) {
      untrack(this.arenaOwner);
      w.free(this.arena);
      this.arena = 0;
    }
    this.dropSend();
    if (this.readPtr !== 0) {
      w.wipe(this.readPtr, MAX_RECORD);
      w.free(this.readPtr);
      this.readPtr = 0;
    }
    w.wipe(this.c, this.csize + 16);
    w.free(this.c);
    this.c = 0;
    untrack(this);
    this.chain = undefined;
    this.ctx.unref();
  }
}

function verdict(a: unknown): number {
  return typeof a === 'number' && Number.isInteger(a) && a >= 0 && a <= 255 ? a : 46;
}
