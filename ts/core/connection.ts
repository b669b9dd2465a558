/**
 * The SSL object: a TLS 1.3 (RFC 8446) or 1.2 (RFC 5246) client or server
 * over a BIO pair, with OpenSSL's `SSL_write(3)` / `SSL_read(3)` /
 * `SSL_get_error(3)` / `SSL_shutdown(3)` / `SSL_CTX_set_mode(3)` semantics. The rules live once
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
import { abytes, aint, cString as cStringAt, u32le as u32 } from './bytes.js';
import {
  cipherInfo,
  GROUPS,
  nameOf,
  SIGALGS,
  VERSIONS,
  type CipherName,
  type CipherSuite12Name,
  type CipherSuiteName,
  type GroupName,
  type SignatureSchemeName,
  type TLSVersion,
} from './codepoints.js';
import { MODES_KNOWN, SSL_MODE_RELEASE_BUFFERS, TLSContext } from './context.js';
import type { CertCompressionSendName } from './context.js';
import { allocFor, destroyedError, TLS_ERR, TLSError } from './errors.js';
import type { PrivateKeyOperation } from './signer.js';
import { track, untrack } from './handle.js';
import type { Wasm, WasmExports } from './loader.js';
import { makeNetwork, type Network } from './network.js';
import { checkServerName } from './servername.js';
import { pullFrom, tokenOf, type ByteSource, type StreamState } from './write-source.js';
import { peerVerifyName, verdictAlert } from './verdict.js';

// The public surface of `wasmtls/connection` (and of the package's main
// entry): the SSL object and everything it is configured and read with.
export { ALERT, codeName, TLS_ERR, TLSError } from './errors.js';
export { pemDecode } from './pem.js';
export type {
  Cipher12Name,
  CipherName,
  CipherSuite12Name,
  CipherSuiteName,
  GroupName,
  SignatureSchemeName,
  TLSVersion,
} from './codepoints.js';
export { TLSContext } from './context.js';
export type {
  CaLike,
  CertCompressionName,
  CertCompressionSendName,
  CertCompressor,
  CertCompressors,
  CallbackConnection,
  KeylogCallback,
  TLSContextOptions,
  VerifyCallback,
  VerifyPolicy,
} from './context.js';
export type { Network } from './network.js';
export type { ByteSource } from './write-source.js';

// The context's callbacks receive the Connection they run for. context.ts
// sits below this file and cannot name Connection (a type import would be a
// cycle: this file imports context.ts), so it declares an empty
// CallbackConnection and this augmentation makes it the Connection: it adds
// no member, and a Connection and a CallbackConnection are assignable both
// ways (the private members come from the same declaration).
declare module './context.js' {
  interface CallbackConnection extends Connection {}
}

// ---- constants (OpenSSL's names and numbers) --------------------------------

/** `SSL_get_error` results, OpenSSL's numbering. */
export const SSL_ERROR_NONE = 0;
/** A protocol or verification error; see `conn.error`. */
export const SSL_ERROR_SSL = 1;
/** More ciphertext from the peer is needed: feed `conn.network` and retry. */
export const SSL_ERROR_WANT_READ = 2;
/** Outgoing ciphertext is waiting: drain `conn.network` and retry. */
export const SSL_ERROR_WANT_WRITE = 3;
/** The transport ended without close_notify (or another I/O failure). */
export const SSL_ERROR_SYSCALL = 5;
/** The peer sent close_notify: no more data. */
export const SSL_ERROR_ZERO_RETURN = 6;
/** An asynchronous verification callback has not decided yet: retry after it has. */
export const SSL_ERROR_WANT_RETRY_VERIFY = 12;
/** The context's signer has not signed yet (BoringSSL's
 * `SSL_ERROR_WANT_PRIVATE_KEY_OPERATION`): await `conn.signPending` (or
 * answer {@link Connection.privateKeyOperation} yourself), then retry. */
export const SSL_ERROR_WANT_PRIVATE_KEY_OPERATION = 13;

/** What {@link Connection.getError} returns. */
export type SSLErrorName =
  | 'NONE'
  | 'SSL'
  | 'WANT_READ'
  | 'WANT_WRITE'
  | 'SYSCALL'
  | 'ZERO_RETURN'
  | 'WANT_RETRY_VERIFY'
  | 'WANT_PRIVATE_KEY_OPERATION';
/** What {@link Connection.readEarlyData} returns (`SSL_read_early_data`). */
export interface ReadEarlyResult {
  /** `'SUCCESS'`: `data` came as 0-RTT; `'FINISH'`: no more can come (go
   * on with the handshake); `'ERROR'`: see `getError` (WANT_READ /
   * WANT_WRITE: network I/O, then call again). */
  status: 'SUCCESS' | 'ERROR' | 'FINISH';
  /** The early data read (empty unless `'SUCCESS'`). */
  data: Uint8Array;
}
/** `SSL_get_early_data_status` (see {@link Connection.getEarlyDataStatus}). */
export type EarlyDataStatus = 'NOT_SENT' | 'REJECTED' | 'ACCEPTED';
const ERROR_NAMES: Record<number, SSLErrorName> = {
  0: 'NONE',
  1: 'SSL',
  2: 'WANT_READ',
  3: 'WANT_WRITE',
  5: 'SYSCALL',
  6: 'ZERO_RETURN',
  12: 'WANT_RETRY_VERIFY',
  13: 'WANT_PRIVATE_KEY_OPERATION',
};

export {
  SSL_MODE_ENABLE_PARTIAL_WRITE,
  SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER,
  SSL_MODE_AUTO_RETRY,
  SSL_MODE_RELEASE_BUFFERS,
} from './context.js';

/** `SSL_write_ex2` flag: send close_notify after the data, same flight. */
export const SSL_WRITE_FLAG_CONCLUDE = 0x1;

/** `SSL_get_shutdown` bits. */
/** close_notify was sent. */
export const SSL_SENT_SHUTDOWN = 1;
/** The peer's close_notify was received. */
export const SSL_RECEIVED_SHUTDOWN = 2;

/** The largest plaintext record (RFC 8446 5.1: 2^14). A read returns at
 * most one record's data, as `SSL_read` does. */
export const MAX_RECORD = 16384;

const enc = /* @__PURE__ */ new TextEncoder();
const dec = /* @__PURE__ */ new TextDecoder();

/** Lowercase hex of n bytes of wasm memory at p (key log lines). */
function hexAt(u: Uint8Array, p: number, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += (u[p + i] < 16 ? '0' : '') + u[p + i].toString(16);
  return s;
}

function cString(w: Wasm, p: number): string {
  return cStringAt(w.u8(), p);
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
export interface ExResult {
  /** Whether the call succeeded (`SSL_write_ex`'s return); else see `getError`. */
  ok: boolean;
  /** Plaintext bytes taken. */
  written: number;
}
/** What {@link Connection.readEx} returns, as `SSL_read_ex`. */
export interface ReadResult {
  /** Whether data was read; else see `getError`. */
  ok: boolean;
  /** The plaintext read (empty when not ok). */
  data: Uint8Array;
}

const EMPTY = /* @__PURE__ */ new Uint8Array(0);
// Send buffers beyond this are freed after the write that needed them.
const SEND_KEEP = 1 << 20;

/**
 * One TLS connection (OpenSSL's `SSL`) over a BIO pair.
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
  /** The context the connection was made with (kept alive while the connection is). */
  readonly ctx: TLSContext;
  /** The network side (ciphertext). */
  readonly network: Network;
  /** Pending asynchronous verification (policy 'external' with a callback
   * returning a promise); await it, then repeat the call. */
  verifyPending: Promise<void> | undefined;
  /** Pending signature of the context's signer (see
   * {@link TLSContext.useSigner}); await it, then repeat the call. It
   * never rejects: a failed signer fails the handshake. */
  signPending: Promise<void> | undefined;
  /** Why the signer failed (its rejection), for the handshake's error. */
  signFailure: unknown;
  /** Counts private key operations: an answer for an older one (a
   * signature arriving after a manual answer or after dispose) is
   * dropped. */
  private signGen = 0;
  private signDone: (() => void) | undefined;

  private readonly w: Wasm;
  private readonly x: WasmExports;
  private c: number; // wt_tls_conn
  private readonly csize: number;
  private readonly slot: number; // two size_t result slots
  private arena = 0;
  private arenaSize = 0;
  private arenaOwner: object = {};
  private mode: number;
  private sendPtr = 0;
  private sendCap = 0;
  private sendOwner: object = {};
  /** Reads and writes copying through the receive buffer / sendPtr now. */
  private copying = 0;
  private chain: Uint8Array[] | undefined;
  private stream: StreamState | undefined;
  private readonly keylogOn: boolean;
  /** SSL calls in progress (call() nests when a callback makes one). */
  private busy = 0;
  /** dispose() was called inside a callback of a call in progress: it
   * takes effect when that call has unwound (see {@link dispose}). */
  private disposeAfterCall = false;

  constructor(ctx: TLSContext, opts: ConnectionOptions = {}) {
    if (!(ctx instanceof TLSContext)) throw new TypeError('Connection: expected a TLSContext');
    ctx.ref();
    this.ctx = ctx;
    this.w = ctx.w;
    this.x = this.w.exports;
    const x = this.x;
    this.csize = x.wt_x_tls_conn_size();
    this.c = allocFor(this.w, this.csize + 16, 'a connection');
    this.slot = this.c + this.csize + ((8 - (this.csize & 7)) % 8);
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
    this.network = makeNetwork(this.w, {
      live: () => this.live(),
      ensureArena: () => this.ensureArena(),
      maybeRelease: () => this.maybeRelease(),
      hasArena: () => this.arena !== 0,
      slot: this.slot,
      getSlot: () => this.getSlot(),
    });
    if (opts.netOutCap !== undefined) this.network.setCap(opts.netOutCap);
  }

  // ---- plumbing ------------------------------------------------------------

  private live(): number {
    if (this.c === 0 || this.disposeAfterCall) throw new Error('wasmtls: Connection used after dispose()');
    return this.c;
  }

  /** Attach an arena when there is none (first use, or RELEASE_BUFFERS
   * gave the last one back). */
  private ensureArena(): void {
    if (this.arena !== 0) return;
    const p = allocFor(this.w, this.arenaSize, "a connection's record buffers");
    const r = this.x.wt_x_tls_set_arena(this.live(), p, this.arenaSize);
    if (r !== 0) {
      this.w.free(p);
      throw new TLSError(r, 'attaching connection buffers failed');
    }
    this.arena = p;
    this.arenaOwner = {};
    track(this.arenaOwner, this.w, p, this.arenaSize);
  }

  /** @internal How long RELEASE_BUFFERS waits for a connection to stay
   * idle before it gives the buffers back (connect()/accept() set it); <
   * 0: at once, as OpenSSL does once the buffers are empty. Giving them
   * back after every record of a bulk transfer costs a new arena, a
   * wipe and an AES key expansion per record (ChaCha20-Poly1305 over a
   * stream pair ran at 0.42 of its speed). */
  releaseDelay = -1;
  /** Calls since the idle timer was armed: it releases only when none. */
  private activity = 0;
  private idleTimer: ReturnType<typeof setTimeout> | undefined;

  /** RELEASE_BUFFERS: give an idle connection's arena back (the C engine
   * wipes it and refuses while anything is buffered). */
  private maybeRelease(): void {
    if (!(this.mode & SSL_MODE_RELEASE_BUFFERS) || this.arena === 0 || this.c === 0 || this.viewing !== 0) return;
    // After our close_notify nothing more is sent, so there is no bulk
    // transfer to keep the buffers for: give them back at once. Closing
    // many idle connections together then holds one arena at a time, not
    // one each until their timers fire (10,000 took 1.2 GiB).
    if (this.releaseDelay >= 0 && !(this.x.wt_x_tls_get_shutdown(this.c) & SSL_SENT_SHUTDOWN)) {
      this.activity++;
      if (this.idleTimer === undefined) this.armIdle();
      return;
    }
    this.releaseNow();
  }

  private armIdle(): void {
    const seen = this.activity;
    this.idleTimer = setTimeout(() => {
      this.idleTimer = undefined;
      if (this.c === 0) return;
      if (this.activity !== seen) this.armIdle();
      else this.releaseNow();
    }, this.releaseDelay);
    // Never keeps a process alive (Node, Deno).
    const t = this.idleTimer as unknown as { unref?: () => void };
    if (typeof t === 'object' && t !== null && typeof t.unref === 'function') t.unref();
    else if (typeof this.idleTimer === 'number') {
      (globalThis as { Deno?: { unrefTimer?: (id: number) => void } }).Deno?.unrefTimer?.(this.idleTimer);
    }
  }

  private releaseNow(): void {
    if (!(this.mode & SSL_MODE_RELEASE_BUFFERS) || this.arena === 0 || this.c === 0) return;
    const p = this.x.wt_x_tls_release_arena(this.c) >>> 0;
    if (p !== 0) {
      untrack(this.arenaOwner);
      this.w.free(p);
      this.arena = 0;
      // SSL_CTX_set_mode(3) RELEASE_BUFFERS: "When we no longer need a
      // read buffer or a write buffer for a given SSL, then release the
      // memory we were using to hold it": our plaintext buffers too.
      this.dropIdle();
    }
  }

  /** With the arena released (RELEASE_BUFFERS), the plaintext buffers go
   * too (SSL_CTX_set_mode(3): "When we no longer need a read buffer or a
   * write buffer for a given SSL, then release the memory we were using
   * to hold it"); not while a read or write is copying through them or a
   * sendStream's chunk waits in one. */
  private dropIdle(): void {
    if (this.arena !== 0 || this.copying !== 0 || !(this.mode & SSL_MODE_RELEASE_BUFFERS)) return;
    if (this.stream === undefined) this.dropSend();
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
   * ... as Node and OpenSSL name them for a peer's chain: see
   * peerVerifyName in verdict.ts), else undefined. */
  get verifyError(): string | undefined {
    const code = this.verifyCode;
    return code < 0 ? peerVerifyName(code, this.peerCertificates?.length ?? 0) : undefined;
  }

  /** Run one SSL call; answer WANT_RETRY_VERIFY from the callback and
   * repeat while it answers synchronously. */
  private call(fn: (c: number) => number): number {
    const c = this.live();
    // A server that has received nothing waits without record buffers
    // (the engine answers WANT_READ); they come with the first byte.
    if (this.arena !== 0 || this.x.wt_x_tls_awaiting_first(c) === 0) this.ensureArena();
    this.busy++;
    let r: number;
    try {
      r = this.callIn(c, fn);
    } finally {
      this.busy--;
    }
    if (this.disposeAfterCall && this.busy === 0) {
      // A callback disposed the connection: the engine call has unwound,
      // so now it can go; the caller must not read a result slot or the
      // read buffer of a freed connection, so this call ends in an error.
      this.dispose();
      throw destroyedError('Connection disposed by a callback during the call; it has been freed');
    }
    return r;
  }

  private callIn(c: number, fn: (c: number) => number): number {
    let r = fn(c);
    while (r <= 0 && this.x.wt_x_tls_get_error(c, r) === SSL_ERROR_WANT_RETRY_VERIFY && this.verifyPending === undefined) {
      const chain = this.collectChain();
      this.chain = chain;
      const cb = this.ctx.onVerify;
      let ans: number | Promise<number>;
      if (cb === undefined) {
        // Policy 'chain' without a callback: the engine's verdict stands;
        // 'external' whose callback was removed: nobody vouched, refuse.
        ans = verdictAlert(this.verifyCode, true, 'refuse');
      } else {
        try {
          ans = cb(
            chain.map((d) => d.slice()),
            this,
          );
        } catch {
          ans = 46; // certificate_unknown: the verifier itself failed
        }
      }
      // The callback disposed the connection: no further engine step on
      // it (set_verify_result, the repeated call and get_error would run
      // on a structure that dispose() is about to wipe and free).
      if (this.disposeAfterCall) return r;
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
    while (r <= 0 && this.x.wt_x_tls_get_error(c, r) === SSL_ERROR_WANT_PRIVATE_KEY_OPERATION && this.signPending === undefined) {
      const signer = this.ctx.signer;
      const op = this.privateKeyOperation();
      // No signer in the context (one set in C alone): the caller
      // answers with completePrivateKeyOperation.
      if (signer === undefined || op === undefined) break;
      let out: Promise<Uint8Array> | Uint8Array;
      try {
        out = signer.sign(op.scheme, op.input);
      } catch (e) {
        out = Promise.reject(e);
      }
      if (this.disposeAfterCall) return r;
      if (!(out instanceof Uint8Array)) {
        const gen = this.signGen;
        this.signPending = new Promise<void>((done) => {
          this.signDone = done;
          Promise.resolve(out).then(
            (sig) => this.settleSign(gen, sig),
            (e: unknown) => this.settleSign(gen, undefined, e),
          );
        });
        break;
      }
      this.settleSign(this.signGen, out);
      r = fn(c);
    }
    // Every engine step that can make a secret runs inside an SSL call,
    // so this is the one place the key log queue needs draining (the
    // network side only moves bytes).
    if (this.keylogOn) this.drainKeylog();
    this.maybeRelease();
    return r;
  }

  /** Whether {@link dispose} has freed the connection (or will, once the
   * SSL call whose callback asked for it has returned). */
  get disposed(): boolean {
    return this.c === 0 || this.disposeAfterCall;
  }

  /** Give the engine's queued secrets to the context's keylog callback as
   * NSS key log lines. The secret's copy in wasm memory is wiped; a
   * throwing callback is ignored. */
  private drainKeylog(): void {
    const c = this.c,
      w = this.w,
      x = this.x;
    if (c === 0 || this.disposeAfterCall) return; // disposed by a callback during the call
    // Not this.slot: the caller of call() still has to read its result.
    const out = w.scratch(48 + 4),
      len = out + 48;
    const lines: string[] = [];
    try {
      for (;;) {
        const id = x.wt_x_tls_keylog_next(c, out, len);
        if (id === 0) break;
        const u = w.u8();
        const random = x.wt_x_tls_client_random(c) >>> 0;
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
    // Disposed: no engine call on a freed (null) handle, whose result slot
    // would be written in freed memory; the kept copy is what remains.
    if (this.c === 0 || this.disposeAfterCall) return out;
    for (let i = 0; ; i++) {
      const p = this.x.wt_x_tls_peer_cert(this.c, i, this.slot) >>> 0;
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
      this.sendPtr = allocFor(this.w, this.sendCap, 'a write buffer');
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
    // RFC 6066 3: an ASCII DNS host name, no IP literal, no trailing dot.
    const b = enc.encode(checkServerName(name, 'setServerName'));
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
    this.copying++;
    let r: number;
    try {
      const p = this.sendSpace(n);
      this.w.u8().set(data, p);
      const t = tokenOf(data);
      r = this.call((c) => this.x.wt_x_tls_write(c, t, p, n));
    } finally {
      this.copying--;
    }
    if (r > 0 && this.sendCap > SEND_KEEP) this.dropSend();
    this.dropIdle();
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
    this.copying++;
    let r: number;
    try {
      const p = this.sendSpace(n);
      if (n) this.w.u8().set(data, p);
      const t = tokenOf(data);
      r = this.call((c) => this.x.wt_x_tls_write_ex2(c, t, p, n, flags, this.slot));
    } finally {
      this.copying--;
    }
    const written = r === 1 ? this.getSlot() : 0;
    if (r === 1 && this.sendCap > SEND_KEEP) this.dropSend();
    this.dropIdle();
    return { ok: r === 1, written };
  }

  /** `SSL_read` into `buf`: > 0 bytes read (at most one record's, and at
   * most buf.length), 0 or < 0 see {@link getError} (0 with ZERO_RETURN:
   * close_notify). The first read runs the handshake. */
  read(buf: Uint8Array): number {
    abytes(buf, 'Connection.read buf');
    const r = this.readView(Math.min(buf.length, MAX_RECORD), 0, buf);
    if (r !== undefined) return r.length;
    // SSL_read(3): 0 for close_notify, < 0 otherwise.
    return this.x.wt_x_tls_get_error(this.live(), 0) === SSL_ERROR_ZERO_RETURN ? 0 : -1;
  }

  /**
   * One read without the engine's copy: the engine opens each record in
   * place in its receive buffer and answers where the plaintext is; it is
   * copied from there straight into `dest` (or a new array). The bytes in wasm memory stay valid only until the
   * next engine call (the next record is opened over them, input given
   * moves them, an idle release wipes them), so no view of them ever
   * leaves this method: RELEASE_BUFFERS waits (`viewing`) until the copy
   * is made. Returns the bytes read (a view of `dest`, or the new array),
   * or undefined (see getError(0)).
   */
  private readView(n: number, peek: number, dest?: Uint8Array): Uint8Array | undefined {
    this.copying++;
    this.viewing++;
    let out: Uint8Array | undefined;
    try {
      const r = this.call((c) => this.x.wt_x_tls_read_view(c, n, this.slot, peek));
      if (r === 1) {
        const got = this.getSlot(0);
        const p = this.getSlot(1);
        const src = this.w.u8().subarray(p, p + got);
        if (dest) {
          dest.set(src);
          out = dest.subarray(0, got);
        } else out = src.slice();
      }
    } finally {
      this.copying--;
      this.viewing--;
    }
    this.maybeRelease();
    this.dropIdle();
    return out;
  }

  /** readView is between its engine call and its copy: no release. */
  private viewing = 0;

  private readCore(peek: number, max: number | Uint8Array | undefined, title: string): ReadResult {
    let dest: Uint8Array | undefined;
    let n: number;
    if (max instanceof Uint8Array) {
      dest = max;
      n = Math.min(dest.length, MAX_RECORD);
    } else n = Math.min(aint(max ?? MAX_RECORD, title, 0, 0x7fffffff), MAX_RECORD);
    const data = this.readView(n, peek, dest);
    return data === undefined ? { ok: false, data: EMPTY } : { ok: true, data };
  }

  /** `SSL_read_ex`: `{ ok, data }` with up to `max` bytes (default and
   * limit: one record, 16,384), or into `buf` (data is a view of it). */
  readEx(max?: number | Uint8Array): ReadResult {
    return this.readCore(0, max, 'readEx max');
  }

  /** `SSL_peek_ex`: as {@link readEx}, leaving the data to read. */
  peek(max?: number | Uint8Array): ReadResult {
    return this.readCore(1, max, 'peek max');
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
    const code = x.wt_x_tls_error_code(c) >>> 0 || reason;
    if (code === 0) return undefined;
    // A failed signer: its own error is the cause.
    const cause = reason === TLS_ERR.KEYOP_FAILED && this.signFailure !== undefined ? { cause: this.signFailure } : undefined;
    return new TLSError(code, cString(this.w, x.wt_x_tls_err_string(code)), reason, cString(this.w, x.wt_x_tls_err_string(reason)), cause);
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
   * before the handshake is done, after an error, and on a TLS 1.2
   * connection (TLS 1.2 has no KeyUpdate). */
  keyUpdate(requestPeer: boolean): boolean {
    return this.x.wt_x_tls_key_update(this.live(), requestPeer ? 1 : 0) === 1;
  }

  /** The private key operation the handshake waits for
   * (WANT_PRIVATE_KEY_OPERATION): the scheme and the message to sign (not
   * a digest: RFC 8446 4.4.3's 64 spaces, context string, 0 and
   * transcript hash; TLS 1.2's client_random, server_random and
   * ServerECDHParams, RFC 8422 5.4; or, for a TLS 1.2 client's
   * CertificateVerify, the handshake messages before it, RFC 5246 7.4.8).
   * Undefined when none waits. */
  privateKeyOperation(): PrivateKeyOperation | undefined {
    const c = this.live();
    const code = this.x.wt_x_tls_keyop_scheme(c) >>> 0;
    const p = this.x.wt_x_tls_keyop_input(c, this.slot) >>> 0;
    const scheme = nameOf(SIGALGS, code);
    if (p === 0 || scheme === undefined) return undefined;
    return { scheme, input: this.w.copyOut(p, this.getSlot()) };
  }

  /** Answer the pending private key operation yourself: the signature in
   * TLS wire form (DER for ECDSA), or null to fail it (the handshake then
   * ends with internal_error, RFC 8446 6.2). A signature the signer still
   * delivers later is dropped. Repeat the handshake call after. */
  completePrivateKeyOperation(signature: Uint8Array | null): void {
    if (signature !== null) abytes(signature, 'completePrivateKeyOperation');
    if (!this.settleSign(this.signGen, signature ?? undefined, null)) {
      throw new TLSError(TLS_ERR.CONFIG, 'completePrivateKeyOperation: no private key operation is pending');
    }
  }

  /** Deliver operation gen's outcome (a signature, or the failure e);
   * false when it is stale (another answer came first, or the connection
   * is gone). */
  private settleSign(gen: number, sig: unknown, e?: unknown): boolean {
    if (gen !== this.signGen || this.c === 0) return false;
    const c = this.c;
    const ok = sig instanceof Uint8Array && sig.length > 0 && sig.length <= 512;
    if (this.x.wt_x_tls_keyop_scheme(c) === 0) return false;
    this.signGen++;
    if (!ok) {
      this.signFailure =
        e !== undefined
          ? e
          : new TypeError(
              `the signer returned ${sig instanceof Uint8Array ? `${sig.length} bytes` : typeof sig}, not a signature of 1 to 512 bytes`,
            );
    }
    let p = 0;
    if (ok) p = this.w.copyIn(sig);
    try {
      this.x.wt_x_tls_keyop_complete(c, p, ok ? sig.length : 0);
    } finally {
      if (p) this.w.free(p);
    }
    this.signPending = undefined;
    const done = this.signDone;
    this.signDone = undefined;
    done?.();
    return true;
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
      throw new TLSError(TLS_ERR.BAD_WRITE_RETRY, 'bad write retry: sendStream repeated with a different source while one is pending');
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
        if (e === 'WANT_PRIVATE_KEY_OPERATION' && this.signPending) {
          await this.signPending;
          if (this.c === 0) throw new Error('wasmtls: Connection disposed during sendStream');
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

  /** `SSL_get_version`: 'TLSv1.2' or 'TLSv1.3' once negotiated. */
  get version(): TLSVersion | undefined {
    return nameOf(VERSIONS, this.x.wt_x_tls_get_version(this.live()));
  }

  /** `SSL_get_cipher_name`: the suite by OpenSSL's name
   * (`ECDHE-RSA-AES128-GCM-SHA256`; a TLS 1.3 suite's is its RFC name). */
  get cipher(): CipherName | undefined {
    return cipherInfo(this.x.wt_x_tls_get_suite(this.live()))?.name;
  }

  /** `SSL_CIPHER_standard_name`: the suite's RFC (IANA) name
   * (`TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256`). */
  get cipherStandardName(): CipherSuiteName | CipherSuite12Name | undefined {
    return cipherInfo(this.x.wt_x_tls_get_suite(this.live()))?.standardName;
  }

  /** TLS 1.2: whether the extended master secret (RFC 7627) is in use
   * (`SSL_get_extms_support`); false for TLS 1.3, which needs none. */
  get extendedMasterSecret(): boolean {
    return this.x.wt_x_tls_ems(this.live()) === 1;
  }

  /** `SSL_get_secure_renegotiation_support`: the peer signalled RFC 5746
   * in TLS 1.2 (always true in TLS 1.3). wasmtls never renegotiates. */
  get secureRenegotiation(): boolean {
    return this.x.wt_x_tls_secure_renegotiation(this.live()) === 1;
  }

  /** The key exchange group (`SSL_get_negotiated_group`), by IANA name. */
  get group(): GroupName | undefined {
    return nameOf(GROUPS, this.x.wt_x_tls_get_group(this.live()));
  }

  /** The scheme the peer signed CertificateVerify with. */
  get peerSignatureScheme(): SignatureSchemeName | undefined {
    return nameOf(SIGALGS, this.x.wt_x_tls_get_peer_sigalg(this.live()));
  }

  /** RFC 8879: the algorithm the peer's certificate came compressed with
   * (a CompressedCertificate instead of a Certificate), or undefined when
   * it came uncompressed (or none came). */
  get peerCertificateCompression(): 'zlib' | undefined {
    return this.x.wt_x_tls_peer_cert_compression(this.live()) === 1 ? 'zlib' : undefined;
  }

  /** RFC 8879: the algorithm our certificate went compressed with (a
   * CompressedCertificate instead of a Certificate; see
   * TLSContext.compressCertificate), or undefined when it went plain (or
   * none went). */
  get certificateCompressionSent(): CertCompressionSendName | undefined {
    const a = this.x.wt_x_tls_cert_compression_sent(this.live());
    return a === 1 ? 'zlib' : a === 2 ? 'brotli' : a === 3 ? 'zstd' : undefined;
  }

  /** `SSL_get0_alpn_selected`. */
  get alpnProtocol(): string | undefined {
    const p = this.x.wt_x_tls_get_alpn(this.live(), this.slot) >>> 0;
    const n = this.getSlot();
    return p && n ? dec.decode(this.w.u8().subarray(p, p + n)) : undefined;
  }

  /** `SSL_get_servername`: a server's received SNI, a client's own. */
  get serverName(): string | undefined {
    const p = this.x.wt_x_tls_get_server_name(this.live(), this.slot) >>> 0;
    const n = this.getSlot();
    return p && n ? dec.decode(this.w.u8().subarray(p, p + n)) : undefined;
  }

  /**
   * Client, before the handshake: offer Encrypted Client Hello with the
   * first usable config of an ECHConfigList (draft-ietf-tls-esni 6.1).
   * Returns false when the list holds no config we can use (ECH is then
   * not offered, as the draft has a client do); throws on a malformed
   * list. The context must be TLS 1.3-only.
   */
  setEchConfigList(list: Uint8Array): boolean {
    abytes(list, 'setEchConfigList');
    const p = this.w.copyIn(list);
    let r: number;
    try {
      r = this.x.wt_x_tls_set_ech_config_list(this.live(), p, list.length);
    } finally {
      this.w.free(p);
    }
    if (r === -2) return false;
    if (r === -1) throw new TypeError('setEchConfigList: not an ECHConfigList (draft-ietf-tls-esni 4)');
    if (r === -3) throw new Error('setEchConfigList: a client before its handshake only');
    if (r !== 0) throw new TLSError(TLS_ERR.NO_MEMORY, 'out of wasm memory: ECH config');
    return true;
  }

  /** What became of Encrypted Client Hello: `'accepted'`, `'rejected'`
   * (a client learns it from the ServerHello; a server when no key of
   * its opened the client's offer), or `'not offered'`. */
  get echStatus(): 'accepted' | 'rejected' | 'not offered' {
    const s = this.x.wt_x_tls_ech_status(this.live());
    return s === 1 ? 'accepted' : s === 2 ? 'rejected' : 'not offered';
  }

  /** Client: the ECHConfigList the server sent in retry_configs when it
   * rejected ECH (to retry with), or undefined. */
  echRetryConfigs(): Uint8Array | undefined {
    const n = this.x.wt_x_tls_ech_retry_configs(this.live(), 0, 0) >>> 0;
    if (n === 0) return undefined;
    const p = this.w.alloc(n);
    try {
      this.x.wt_x_tls_ech_retry_configs(this.live(), p, n);
      return this.w.copyOut(p, n);
    } finally {
      this.w.free(p);
    }
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
    const p = allocFor(this.w, n, 'a session');
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

  // ---- 0-RTT early data (client; RFC 8446 2.3, 4.2.10) -----------------------

  /**
   * `SSL_write_early_data`: a client whose session (see {@link setSession})
   * allows early data ({@link getMaxEarlyData} > 0) sends `data` as 0-RTT
   * application data. The first call sends the ClientHello and the bytes
   * right after it; later calls add more until the server's reply is read
   * (any read, write or handshake call reads it). `{ ok: true, written }`:
   * `written` may be less than `data.length` when the outgoing side filled
   * (drain {@link network} and write the rest). `ok: false`: see
   * {@link getError} - `WANT_WRITE`, or `SSL` when early data cannot be
   * sent (a server, no session allowing it, more than its
   * max_early_data_size in all, or the server's reply already read): then
   * nothing was sent and the connection goes on. Early data is replayable
   * by an attacker (RFC 8446 8): send only idempotent requests. Whether
   * the server took it: {@link getEarlyDataStatus} after the handshake;
   * when it is `'REJECTED'` nothing of it was delivered.
   */
  writeEarlyData(data: Uint8Array): ExResult {
    abytes(data, 'Connection.writeEarlyData data');
    this.live();
    this.noStream('writeEarlyData');
    const n = data.length;
    this.copying++;
    let r: number;
    try {
      const p = this.sendSpace(n);
      if (n) this.w.u8().set(data, p);
      r = this.call((c) => this.x.wt_x_tls_write_early(c, p, n, this.slot));
    } finally {
      this.copying--;
    }
    const written = r === 1 ? this.getSlot() : 0;
    this.dropIdle();
    return { ok: r === 1, written };
  }

  /** `SSL_get_early_data_status`: `'NOT_SENT'` (no early data offered),
   * `'REJECTED'` (offered, and the server refused it or has not answered
   * yet), `'ACCEPTED'` (the server's EncryptedExtensions took it). */
  getEarlyDataStatus(): EarlyDataStatus {
    const s = this.x.wt_x_tls_get_early_data_status(this.live());
    return s === 2 ? 'ACCEPTED' : s === 1 ? 'REJECTED' : 'NOT_SENT';
  }

  /** `SSL_SESSION_get_max_early_data` of the offered (or, after a
   * NewSessionTicket, the last received) session: the most 0-RTT bytes
   * its ticket allows; 0 when it allows none. */
  getMaxEarlyData(): number {
    return this.x.wt_x_tls_get_max_early_data(this.live()) >>> 0;
  }

  /**
   * `SSL_read_early_data` (server, before the handshake): the first call
   * asks for early data (0-RTT is accepted only then, as OpenSSL, and only
   * with a context {@link TLSContext.setMaxEarlyData} > 0). `'SUCCESS'`
   * with `data`: bytes the client sent as 0-RTT. They are replayable by an
   * attacker (RFC 8446 8; this context accepts each ticket's first 0-RTT
   * only, but another server sharing the ticket key would not know):
   * act only on idempotent requests. `'FINISH'`: no more early data can
   * come (none offered, refused, or EndOfEarlyData read); go on with the
   * handshake. `'ERROR'`: see {@link getError} (`WANT_READ` /
   * `WANT_WRITE`: feed or drain and call again). Call it until `'FINISH'`
   * before {@link doHandshake}: early data still unread when the handshake
   * is driven otherwise is not lost, but later reads return it like 1-RTT
   * data.
   */
  readEarlyData(max = MAX_RECORD): ReadEarlyResult {
    const n = Math.min(aint(max, 'readEarlyData max', 1, 0x7fffffff), MAX_RECORD);
    this.live();
    const p = this.w.alloc(n);
    try {
      const r = this.call((c) => this.x.wt_x_tls_read_early(c, p, n, this.slot));
      if (r !== 1) return { status: r === 2 ? 'FINISH' : 'ERROR', data: EMPTY };
      const got = this.getSlot();
      return { status: 'SUCCESS', data: this.w.u8().slice(p, p + got) };
    } finally {
      this.w.wipe(p, n);
      this.w.free(p);
      this.dropIdle();
    }
  }

  // ---- network side -----------------------------------------------------------

  /**
   * Move ciphertext from one connection's outgoing side to another's
   * incoming side (an in-memory BIO pair), at most `max` bytes; returns
   * the count. Connections of one module instance copy inside wasm memory
   * with no JS copy at all.
   */
  static transfer(from: Connection, to: Connection, max = Infinity): number {
    const a = from.live(),
      b = to.live();
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
      const src = x.wt_x_tls_net_out_buf(a, from.slot) >>> 0;
      let n = from.getSlot();
      if (n === 0) break;
      to.ensureArena();
      const dst = x.wt_x_tls_net_in_buf(b, to.slot) >>> 0;
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

  /**
   * Wipe every secret (`wt_tls_conn_clear`) and free the connection.
   *
   * Inside a callback of an SSL call (`onVerify`, `keylog`, both run
   * while a `read`/`write`/`doHandshake`/... is in progress) disposal is
   * deferred: this marks the connection, the call stops driving the
   * engine, and once it has unwound the connection is wiped and freed and
   * the call throws a TLSError with code `'ERR_STREAM_DESTROYED'`.
   * Freeing at once would leave the call in progress to run the engine
   * on wiped, freed memory (OpenSSL leaves `SSL_free` from within a
   * callback undefined); refusing (throwing here) would be swallowed by
   * the callback's own error handling (a throwing `onVerify` refuses the
   * certificate) and leave the connection alive although its owner asked
   * for it to go.
   */
  dispose(): void {
    if (this.c === 0) return;
    if (this.busy > 0) {
      this.disposeAfterCall = true;
      return;
    }
    this.disposeAfterCall = false;
    const w = this.w;
    this.stream?.pull.cancel();
    this.stream = undefined;
    // A signature still being made is dropped when it comes (settleSign
    // sees the generation moved on); whoever awaits signPending wakes now.
    this.signGen++;
    const signDone = this.signDone;
    this.signDone = this.signPending = undefined;
    signDone?.();
    if (this.idleTimer !== undefined) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    this.x.wt_x_tls_conn_clear(this.c);
    if (this.arena !== 0) {
      untrack(this.arenaOwner);
      w.free(this.arena);
      this.arena = 0;
    }
    this.dropSend();
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
