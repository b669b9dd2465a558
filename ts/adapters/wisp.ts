/**
 * Wisp protocol v1 client (MercuryWorkshop/wisp-protocol, protocol.md):
 * many TCP streams multiplexed over one WebSocket, each one a
 * {@link Transport}.
 *
 * Every WebSocket binary message is one packet: `type u8, stream id u32le,
 * payload`. CONNECT 0x01 (`stream type u8 = 1 (TCP), port u16le, hostname`),
 * DATA 0x02 (bytes), CONTINUE 0x03 (`buffer remaining u32le`), CLOSE 0x04
 * (`reason u8`). Stream id 0 is the connection itself.
 *
 * Flow control, client to server, by credits: "Immediately after a
 * websocket connection is established, the server must send a CONTINUE
 * packet containing the initial buffer size for each stream. The stream ID
 * for this packet must be set to 0." Each DATA packet spends one credit; "Once
 * the remaining buffer size reaches zero, the client cannot send any more
 * DATA packets, until it receives another CONTINUE packet which resets this
 * value." So a stream whose destination stops reading stalls only itself.
 * Server to client there is no per-stream flow control in v1; the readables
 * queue, and when all streams together hold more than `maxBufferedBytes`
 * unread the WebSocket is paused (where it can be: npm `ws`), which stalls
 * every stream until the readers catch up.
 *
 * Closing: a CLOSE with reason 0x02 (voluntary, what servers send when the
 * destination closed) ends the readable normally; any other reason errors
 * both streams with a {@link WispError} naming it. v1 has no half-close:
 * closing a stream's writable sends nothing and keeps it readable;
 * `close()`, cancel and abort send CLOSE 0x02. When the WebSocket closes,
 * every open stream errors.
 *
 * Version 2 (protocol.md "Version 2.0, draft 4", "Handshake Steps"): "the
 * server must send an INFO packet [...] Immediately afterwards, the server
 * must send a CONTINUE packet [...] If it receives the INFO packet first, it
 * must use version 2 of the protocol. If it receives the CONTINUE packet
 * first, it must use version 1". INFO (0x05) is `major u8, minor u8`, then
 * extension entries `id u8, length u32le, payload`. This client answers a
 * server's INFO with its own (2.0) listing the extensions both support:
 * password authentication (0x02: `username length u8, password length
 * u16le, username, password`, sent when {@link WispClientOptions.auth} is
 * given), the server MOTD (0x04, read from the server's entry) and UDP
 * (0x01: {@link WispClient.udp} says whether the server offers it,
 * {@link WispClient.connectUdp} opens a UDP stream) and key authentication
 * (0x03, sent when {@link WispClientOptions.keyAuth} is given): the
 * server's entry is `required u8, algorithms u8, challenge`, ours
 * `algorithm u8, SHA-256 of the public key (32 bytes), signature`, Ed25519
 * (algorithm bit 0x01) being the one algorithm defined. The signature is
 * made by the caller's `sign` (a WebCrypto key that cannot be extracted,
 * a hardware key), so our INFO may go out a little after the server's
 * CONTINUE: streams wait for it. A server that rejects the credentials
 * sends CLOSE 0xc0 (password) or 0xc1 (signature) for stream 0: `ready`
 * rejects with a {@link WispError} `'AuthBadPassword'` or
 * `'AuthBadSignature'`.
 *
 * Which version a server speaks can depend on the WebSocket handshake: the
 * wisp-js server speaks v2 only when the client offers a subprotocol (its own
 * client offers `'wisp-v2'`, {@link WISP_V2_SUBPROTOCOL}), else v1.
 *
 * @example
 * ```ts
 * import { WispClient } from 'wasmtls/adapters/wisp';
 * const wisp = new WispClient(new WebSocket('wss://proxy.example/wisp/'));
 * const t = wisp.connect('example.com', 443);
 * const w = t.writable.getWriter();
 * await w.write(bytes);
 * ```
 * @module
 */
import type { Transport } from './types.js';

export type { Transport } from './types.js';

/** The part of a WHATWG WebSocket this client uses (npm `ws` fits too). */
export interface WebSocketLike {
  /** Set to `'arraybuffer'` by the adapter. */
  binaryType: string;
  /** 0 connecting, 1 open, 2 closing, 3 closed (WHATWG numbering). */
  readonly readyState: number;
  /** Bytes queued by `send()` and not yet sent (write backpressure). */
  readonly bufferedAmount: number;
  /** Send one binary message. */
  send(data: Uint8Array): void;
  /** Close the WebSocket. */
  close(code?: number, reason?: string): void;
  /** Listen for `'open'`, `'message'`, `'close'` and `'error'`. */
  // biome-ignore lint/suspicious/noExplicitAny: the DOM's and npm ws's event types both fit only `any` here
  addEventListener(type: string, listener: (ev: any) => void): void;
  /** Remove a listener added by `addEventListener`. */
  // biome-ignore lint/suspicious/noExplicitAny: as addEventListener
  removeEventListener(type: string, listener: (ev: any) => void): void;
  /** npm `ws` only: stop reading from the socket. */
  pause?(): void;
  /** npm `ws` only: read again. */
  resume?(): void;
}

/** A WebSocket constructor, as the browser's or npm `ws`'s. */
export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => WebSocketLike;

/** Options of {@link WispClient}. */
export interface WispClientOptions {
  /** Writes are cut into DATA packets of at most this many bytes. Default 64 KiB. */
  maxPacketSize?: number;
  /** `write()` waits while the WebSocket's `bufferedAmount` is above this. Default 1 MiB. */
  highWaterMark?: number;
  /** Milliseconds between `bufferedAmount` checks while waiting. Default 4. */
  pollInterval?: number;
  /** Unread bytes, all streams together, before the WebSocket is paused. Default 16 MiB. */
  maxBufferedBytes?: number;
  /**
   * Wisp v2 password authentication (extension 0x02), sent in the client's
   * INFO when the server offers it. UTF-8: the username at most 255 bytes,
   * the password at most 65535 (the lengths' field sizes). Without it, a
   * server that requires authentication fails the connection with `code`
   * `'AuthMissingCredentials'`.
   */
  auth?: WispAuth;
  /**
   * Wisp v2 key authentication (extension 0x03): answered when the server
   * offers it with the Ed25519 algorithm. Without it, a server that
   * requires key authentication (and offers no password authentication we
   * can answer) fails the connection with `code` `'AuthMissingCredentials'`.
   */
  keyAuth?: WispKeyAuth;
}

/**
 * Wisp v2 key authentication (extension 0x03) with an Ed25519 key: the
 * private key stays with the caller, who signs the server's challenge.
 *
 * @example
 * ```ts
 * // A non-extractable WebCrypto key (Node 20, Deno, workerd, Chromium 137+).
 * const { privateKey, publicKey } = await crypto.subtle.generateKey('Ed25519', false, ['sign', 'verify']);
 * const wisp = new WispClient(new WebSocket(url, 'wisp-v2'), {
 *   keyAuth: {
 *     publicKey: new Uint8Array(await crypto.subtle.exportKey('raw', publicKey)),
 *     sign: async (challenge) => new Uint8Array(await crypto.subtle.sign('Ed25519', privateKey, challenge)),
 *   },
 * });
 * ```
 */
export interface WispKeyAuth {
  /** The raw 32-byte Ed25519 public key (RFC 8032 5.1.5); the server knows it by its SHA-256. */
  publicKey: Uint8Array;
  /** Sign the server's challenge with the private key: the 64-byte Ed25519 signature (RFC 8032 5.1.6). */
  sign(challenge: Uint8Array): Uint8Array | Promise<Uint8Array>;
}

/** Wisp v2 password authentication (extension 0x02): what the client's INFO carries. */
export interface WispAuth {
  /** The user name. */
  username: string;
  /** The password. */
  password: string;
}

/** One entry of the server's INFO packet (Wisp v2). */
export interface WispExtension {
  /** 0x01 UDP, 0x02 password authentication, 0x03 key authentication, 0x04 MOTD, or another. */
  readonly id: number;
  /** `'UDP'`, `'PasswordAuthentication'`, `'KeyAuthentication'`, `'MOTD'`, or `'Extension0x..'`. */
  readonly name: string;
  /** The extension's metadata as the server sent it. */
  readonly payload: Uint8Array;
}

/** The subprotocol the wisp-js client offers, and on which the wisp-js server switches to v2. */
export const WISP_V2_SUBPROTOCOL = 'wisp-v2';

const EXT_UDP = 0x01;
const EXT_PASSWORD = 0x02;
const EXT_KEY = 0x03;
const EXT_MOTD = 0x04;
/** Key authentication's algorithm bit for Ed25519. */
const ED25519 = 0x01;
const EXTENSION_NAMES: Readonly<Record<number, string>> = {
  [EXT_UDP]: 'UDP',
  [EXT_PASSWORD]: 'PasswordAuthentication',
  [EXT_KEY]: 'KeyAuthentication',
  [EXT_MOTD]: 'MOTD',
};

const CONNECT = 0x01;
const DATA = 0x02;
const CONTINUE = 0x03;
const CLOSE = 0x04;
const INFO = 0x05; // v2
const TCP = 0x01;
const UDP = 0x02;
const VOLUNTARY = 0x02;

const OPEN = 1;
/** 65535 minus the IPv4 and UDP headers (RFC 768, RFC 791). */
const MAX_DATAGRAM = 65507;
const CLOSED = 3;

/** Close reasons (protocol.md, "Close Reasons"): name and meaning. */
export const WISP_CLOSE_REASONS: Readonly<Record<number, readonly [string, string]>> = /* @__PURE__ */ Object.freeze({
  0x01: ['Unknown', 'reason unspecified'],
  0x02: ['Voluntary', 'closed voluntarily'],
  0x03: ['NetworkError', 'network error'],
  0x04: ['IncompatibleExtensions', 'incompatible extensions'],
  0x41: ['InvalidInfo', 'invalid destination'],
  0x42: ['UnreachableHost', 'destination unreachable'],
  0x43: ['NoResponse', 'destination did not respond'],
  0x44: ['ConnRefused', 'destination refused the connection'],
  0x47: ['TransferTimeout', 'data transfer timed out'],
  0x48: ['HostBlocked', 'destination blocked by the proxy'],
  0x49: ['ConnThrottled', 'connection throttled by the proxy'],
  0x81: ['ClientError', 'client error'],
  0xc0: ['AuthBadPassword', 'bad password'],
  0xc1: ['AuthBadSignature', 'bad signature'],
  0xc2: ['AuthMissingCredentials', 'missing credentials'],
});

/**
 * A Wisp stream or connection failed. `code` names the CLOSE reason
 * (`'ConnRefused'`, `'UnreachableHost'`, ...) and `reason` is its byte;
 * failures of the WebSocket itself have `code` `'WebSocketClosed'` or
 * `'ProtocolError'` and no `reason`.
 *
 * @example
 * ```ts
 * try { await reader.read(); }
 * catch (e) { if (e instanceof WispError && e.code === 'ConnRefused') retryLater(); }
 * ```
 */
export class WispError extends Error {
  /** Always `'WispError'`. */
  override name = 'WispError';
  /** What failed: `'ClientClosed'`, `'WebSocketClosed'`, `'ProtocolError'`,
   * `'AuthMissingCredentials'` / `'AuthUnsupported'` (a v2 server requires
   * authentication we cannot give), `'AuthSignFailed'` (the
   * {@link WispKeyAuth.sign} function failed or returned no 64-byte
   * signature; `cause` says why), or the name of the server's CLOSE reason. */
  readonly code: string;
  /** The CLOSE packet's reason byte from the server (Wisp v1), when the server sent one. */
  readonly reason: number | undefined;
  constructor(message: string, code: string, reason?: number, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.reason = reason;
  }
}

function reasonError(what: string, reason: number): WispError {
  const [name, text] = WISP_CLOSE_REASONS[reason] ?? [`Reason0x${reason.toString(16).padStart(2, '0')}`, 'unknown reason'];
  return new WispError(`${what} closed by the server: ${text} (${name}, 0x${reason.toString(16).padStart(2, '0')})`, name, reason);
}

function messageBytes(data: unknown): Uint8Array | undefined {
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return undefined;
}

interface Stream {
  readonly id: number;
  /** A UDP stream: no credits, one DATA packet per datagram. */
  readonly udp: boolean;
  readonly what: string; // "Wisp stream 3 to host:port", for messages
  credits: number;
  creditWait: { resolve(): void; reject(e: Error): void } | undefined;
  queue: Uint8Array[];
  wantData: boolean; // a read is waiting on an empty queue
  readDone: boolean;
  /** An error held back until the chunks before it are read. */
  held: Error | undefined;
  writeError: Error | undefined;
  rc: ReadableStreamDefaultController<Uint8Array>;
  wc: WritableStreamDefaultController;
}

/**
 * A Wisp connection (v2, or v1 with a v1 server) over one WebSocket (connecting or open; its URL
 * should end with `/`, as protocol.md asks).
 *
 * @example
 * ```ts
 * const wisp = new WispClient(new WebSocket('wss://proxy.example/wisp/'));
 * const a = wisp.connect('example.com', 443);
 * const b = wisp.connect('example.org', 443); // same WebSocket
 * await wisp.close();                          // every stream, then the WebSocket
 * ```
 */
export class WispClient {
  /** Resolves when the server's initial CONTINUE arrived; rejects if the WebSocket closed first. */
  readonly ready: Promise<void>;
  /** Resolves when the WebSocket has closed. */
  readonly closed: Promise<void>;

  readonly #ws: WebSocketLike;
  readonly #maxPacket: number;
  readonly #hwm: number;
  readonly #poll: number;
  readonly #maxBuffered: number;
  readonly #streams = new Map<number, Stream>();
  #nextId = 1;
  #initialCredits = -1; // -1 until the initial CONTINUE
  #failure: WispError | undefined;
  #closing = false;
  #auth: { username: Uint8Array; password: Uint8Array } | undefined;
  readonly #keyAuth: WispKeyAuth | undefined;
  /** False while our INFO waits for a signature: the initial CONTINUE's
   * credits are then held in #heldCredits, and streams wait. */
  #infoSent = true;
  #heldCredits = -1;
  #version: 1 | 2 | undefined;
  #serverVersion: string | undefined;
  #extensions: readonly WispExtension[] = [];
  #buffered = 0; // unread bytes queued in all streams
  #paused = false;
  #errorText = '';
  #markReady!: () => void;
  #failReady!: (e: Error) => void;
  #markClosed!: () => void;

  constructor(ws: WebSocketLike, options: WispClientOptions = {}) {
    this.#ws = ws;
    this.#maxPacket = options.maxPacketSize ?? 1 << 16;
    this.#hwm = options.highWaterMark ?? 1 << 20;
    this.#poll = options.pollInterval ?? 4;
    this.#maxBuffered = options.maxBufferedBytes ?? 1 << 24;
    if (!(this.#maxPacket > 0)) throw new RangeError('Wisp: maxPacketSize must be positive');
    if (options.auth !== undefined) {
      const { username, password } = options.auth;
      if (typeof username !== 'string' || typeof password !== 'string')
        throw new TypeError('Wisp: auth.username and auth.password must be strings');
      const u = new TextEncoder().encode(username);
      const pw = new TextEncoder().encode(password);
      // Their lengths travel as u8 and u16le (extension 0x02, "Client Message").
      if (u.byteLength > 0xff) throw new RangeError(`Wisp: auth.username is ${u.byteLength} bytes in UTF-8, at most 255`);
      if (pw.byteLength > 0xffff) throw new RangeError(`Wisp: auth.password is ${pw.byteLength} bytes in UTF-8, at most 65535`);
      this.#auth = { username: u, password: pw };
    }
    if (options.keyAuth !== undefined) {
      const { publicKey, sign } = options.keyAuth;
      if (!(publicKey instanceof Uint8Array) || publicKey.byteLength !== 32)
        throw new TypeError('Wisp: keyAuth.publicKey must be the 32-byte raw Ed25519 public key (a Uint8Array)');
      if (typeof sign !== 'function') throw new TypeError('Wisp: keyAuth.sign must be a function');
      this.#keyAuth = { publicKey: new Uint8Array(publicKey), sign }; // a copy on its own ArrayBuffer
    }
    this.ready = new Promise<void>((resolve, reject) => {
      this.#markReady = resolve;
      this.#failReady = reject;
    });
    this.ready.catch(() => {});
    this.closed = new Promise<void>((resolve) => (this.#markClosed = resolve));
    ws.binaryType = 'arraybuffer';
    ws.addEventListener('message', this.#onMessage);
    ws.addEventListener('error', this.#onError);
    ws.addEventListener('close', this.#onClose);
    if (ws.readyState === CLOSED) queueMicrotask(() => this.#onClose({ code: 1006, reason: 'the WebSocket was already closed' }));
  }

  /** Streams currently open. */
  get streamCount(): number {
    return this.#streams.size;
  }

  /**
   * The protocol version in use: 2 when the server's INFO came before its
   * initial CONTINUE, 1 when the CONTINUE came first; `undefined` until then.
   */
  get version(): 1 | 2 | undefined {
    return this.#version;
  }

  /** The version the server's INFO announced (`'2.0'`), or `undefined` (v1, or not yet known). */
  get serverVersion(): string | undefined {
    return this.#serverVersion;
  }

  /** The extensions the server's INFO listed, in its order (empty for v1). */
  get extensions(): readonly WispExtension[] {
    return this.#extensions;
  }

  /** The server's message of the day (extension 0x04), if it sent one. */
  get motd(): string | undefined {
    const e = this.#extensions.find((x) => x.id === EXT_MOTD);
    return e === undefined ? undefined : new TextDecoder().decode(e.payload);
  }

  /** Whether the server offers UDP streams (extension 0x01; v2 only, so false for v1, where UDP is optional and untold). */
  get udp(): boolean {
    return this.#extensions.some((x) => x.id === EXT_UDP);
  }

  /**
   * Open a TCP stream to `host:port` through the server. Returns at once:
   * CONNECT goes out when the connection is ready, and writes may follow it
   * before the server has connected (the protocol allows it). A refusal
   * arrives as a CLOSE and errors both streams with a {@link WispError}.
   */
  connect(host: string, port: number): Transport {
    return this.#open(host, port, false);
  }

  /**
   * Open a UDP stream to `host:port` (stream type 0x02): each chunk written
   * is sent as one datagram (one DATA packet, never split; at most 65507
   * bytes, the largest UDP payload over IPv4) and each chunk read is one
   * datagram from the destination. Protocol.md: "If the associated stream
   * is a UDP socket, then CONTINUE packets must not be sent, and the client
   * does not keep track of any buffer for the stream", so writes never wait
   * for credits; datagrams may be lost as UDP loses them. A v2 server that
   * does not list the UDP extension fails the stream with `code`
   * `'UdpUnsupported'`; UDP is optional in v1, where the server's CLOSE
   * says whether it has it.
   */
  connectUdp(host: string, port: number): Transport {
    return this.#open(host, port, true);
  }

  #open(host: string, port: number, udp: boolean): Transport {
    if (typeof host !== 'string' || host.length === 0) throw new TypeError('Wisp: host must be a non-empty string');
    if (!Number.isInteger(port) || port < 1 || port > 65535)
      throw new RangeError(`Wisp: port must be an integer in [1, 65535], got ${String(port)}`);
    if (this.#failure) throw this.#failure;
    if (this.#closing) throw new WispError('Wisp: the client is closed', 'ClientClosed');
    const id = this.#allocateId();
    const s = {
      id,
      udp,
      what: `Wisp ${udp ? 'UDP ' : ''}stream ${id} to ${host}:${port}`,
      credits: 0,
      creditWait: undefined,
      queue: [],
      wantData: false,
      readDone: false,
      held: undefined,
      writeError: undefined,
    } as unknown as Stream;

    const readable = new ReadableStream<Uint8Array>(
      {
        start: (c) => {
          s.rc = c;
        },
        pull: () => this.#pull(s),
        cancel: () => {
          this.#endReadable(s, new Error(`${s.what}: closed (readable cancelled)`));
          this.#stopWrites(s, new Error(`${s.what}: closed (readable cancelled)`));
          this.#sendClose(s, VOLUNTARY);
        },
      },
      // The queue is the stream's own (s.queue), counted across streams.
      { highWaterMark: 0 },
    );
    const abort = (): void => {
      const err = new Error(`${s.what}: closed (writable aborted)`);
      this.#endReadable(s, err);
      // Not #stopWrites: erroring the writable is abort's own job.
      s.writeError ??= err;
      s.creditWait?.reject(err);
      s.creditWait = undefined;
      this.#sendClose(s, VOLUNTARY);
    };
    const writable = new WritableStream<Uint8Array>({
      start: (c) => {
        s.wc = c;
        // abort() is called only after an in-flight write settles; the signal
        // fires at once, so a write stalled on a peer that does not read ends.
        c.signal?.addEventListener('abort', abort);
      },
      write: (chunk) => this.#write(s, chunk),
      close: async () => {
        // v1 has no half-close: nothing to send, the stream stays readable.
        await this.ready;
        if (s.writeError) throw s.writeError;
      },
      abort,
    });

    this.#streams.set(id, s);
    const hostBytes = new TextEncoder().encode(host);
    const open = (): void => {
      if (this.#streams.get(id) !== s) return;
      if (udp && this.#version === 2 && !this.udp) {
        const err = new WispError(`${s.what}: the server does not offer UDP (its INFO lists no extension 0x01)`, 'UdpUnsupported');
        this.#streams.delete(id);
        this.#endReadable(s, err);
        this.#stopWrites(s, err);
        return;
      }
      s.credits = udp ? Number.POSITIVE_INFINITY : this.#initialCredits;
      const p = this.#packet(CONNECT, id, 3 + hostBytes.length);
      p[5] = udp ? UDP : TCP;
      p[6] = port & 0xff; // u16 little-endian
      p[7] = port >>> 8;
      p.set(hostBytes, 8);
      this.#ws.send(p);
    };
    if (this.#initialCredits >= 0) open();
    else this.ready.then(open, () => {});

    return {
      readable,
      writable,
      close: async () => {
        this.#endReadable(s);
        this.#stopWrites(s, new Error(`${s.what}: closed`));
        this.#sendClose(s, VOLUNTARY);
      },
    };
  }

  /** Close every stream and the WebSocket; resolves when it has closed. */
  async close(): Promise<void> {
    this.#closing = true;
    for (const s of this.#streams.values()) {
      this.#endReadable(s);
      this.#stopWrites(s, new Error(`${s.what}: closed (client closed)`));
    }
    this.#streams.clear();
    this.#failReady(new WispError('Wisp: the client was closed before the connection was ready', 'ClientClosed'));
    if (this.#ws.readyState <= OPEN) this.#ws.close(1000);
    await this.closed;
  }

  // ---- streams ---------------------------------------------------------------

  #allocateId(): number {
    for (;;) {
      const id = this.#nextId;
      this.#nextId = id >= 0xffffffff ? 1 : id + 1; // id 0 is the connection's
      if (!this.#streams.has(id)) return id;
    }
  }

  #packet(type: number, id: number, payloadLength: number): Uint8Array {
    const p = new Uint8Array(5 + payloadLength);
    p[0] = type;
    // u32 little-endian (no DataView: one per packet is measurable).
    p[1] = id & 0xff;
    p[2] = (id >>> 8) & 0xff;
    p[3] = (id >>> 16) & 0xff;
    p[4] = id >>> 24;
    return p;
  }

  async #write(s: Stream, chunk: Uint8Array): Promise<void> {
    if (!(chunk instanceof Uint8Array)) {
      throw new TypeError(`${s.what}: expected Uint8Array chunks, got ${chunk === null ? 'null' : typeof chunk}`);
    }
    // Awaited only until the initial CONTINUE: after it, a turn of the
    // microtask queue per write for nothing.
    if (this.#initialCredits < 0) await this.ready;
    if (s.udp) {
      if (s.writeError) throw s.writeError;
      if (chunk.byteLength > MAX_DATAGRAM)
        throw new RangeError(`${s.what}: a datagram of ${chunk.byteLength} bytes; UDP carries at most ${MAX_DATAGRAM}`);
      const p = this.#packet(DATA, s.id, chunk.byteLength);
      p.set(chunk, 5);
      this.#ws.send(p);
      if (this.#ws.bufferedAmount > this.#hwm) await this.#drained(s);
      return;
    }
    for (let off = 0; off < chunk.byteLength; off += this.#maxPacket) {
      while (s.credits <= 0 && !s.writeError) {
        await new Promise<void>((resolve, reject) => (s.creditWait = { resolve, reject }));
      }
      if (s.writeError) throw s.writeError;
      s.credits--;
      const data = chunk.subarray(off, off + this.#maxPacket);
      const p = this.#packet(DATA, s.id, data.byteLength);
      p.set(data, 5);
      this.#ws.send(p);
      if (this.#ws.bufferedAmount > this.#hwm) await this.#drained(s);
    }
  }

  // Resolves once bufferedAmount is back under the high-water mark.
  #drained(s: Stream): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const tick = (): void => {
        if (s.writeError) reject(s.writeError);
        else if (this.#ws.bufferedAmount <= this.#hwm) resolve();
        else setTimeout(tick, this.#poll);
      };
      setTimeout(tick, this.#poll);
    });
  }

  #pull(s: Stream): void {
    if (s.held) {
      s.rc.error(s.held);
      return;
    }
    const chunk = s.queue.shift();
    if (chunk === undefined) {
      s.wantData = true;
      return;
    }
    this.#unbuffer(chunk.byteLength);
    s.rc.enqueue(chunk);
  }

  #deliver(s: Stream, data: Uint8Array): void {
    if (s.readDone || data.byteLength === 0) return;
    if (s.wantData) {
      s.wantData = false;
      s.rc.enqueue(data);
      return;
    }
    s.queue.push(data);
    this.#buffered += data.byteLength;
    if (this.#buffered > this.#maxBuffered && this.#ws.pause && !this.#paused) {
      this.#paused = true;
      this.#ws.pause();
    }
  }

  #unbuffer(n: number): void {
    this.#buffered -= n;
    if (this.#paused && this.#buffered <= this.#maxBuffered / 2) {
      this.#paused = false;
      this.#ws.resume?.();
    }
  }

  /**
   * End the readable: the queued chunks move into the stream's own queue,
   * still readable, and stop counting against maxBufferedBytes (no more
   * data comes for this stream); then it closes, or errors with err once
   * they are read (error() would drop them, and the last of them may say
   * why the peer ended: its TLS alert).
   */
  #endReadable(s: Stream, err?: Error): void {
    if (s.readDone) return;
    s.readDone = true;
    const queued = s.queue;
    s.queue = [];
    let n = 0;
    let kept = 0;
    for (const c of queued) {
      n += c.byteLength;
      try {
        s.rc.enqueue(c);
        kept++;
      } catch {
        /* the readable is already done (cancelled) */
      }
    }
    this.#unbuffer(n);
    if (err === undefined) s.rc.close();
    else if (kept > 0) s.held = err;
    else {
      try {
        s.rc.error(err);
      } catch {
        /* already done */
      }
    }
  }

  #stopWrites(s: Stream, err: Error): void {
    s.writeError ??= err;
    s.wc.error(err);
    s.creditWait?.reject(err);
    s.creditWait = undefined;
  }

  #sendClose(s: Stream, reason: number): void {
    if (this.#streams.get(s.id) !== s) return;
    this.#streams.delete(s.id);
    // Before the initial CONTINUE the CONNECT has not gone out: nothing to close.
    if (this.#initialCredits < 0 || this.#ws.readyState !== OPEN) return;
    const p = this.#packet(CLOSE, s.id, 1);
    p[5] = reason;
    this.#ws.send(p);
  }

  // ---- the WebSocket -----------------------------------------------------------

  #onMessage = (ev: { data: unknown }): void => {
    const b = messageBytes(ev.data);
    if (b === undefined) return; // text: not Wisp; ignored
    if (b.byteLength < 5) {
      this.#protocolError(`a packet of ${b.byteLength} bytes (the header alone is 5)`);
      return;
    }
    const type = b[0];
    const id = (b[1] | (b[2] << 8) | (b[3] << 16) | (b[4] << 24)) >>> 0; // u32 little-endian
    const s = id === 0 ? undefined : this.#streams.get(id);
    switch (type) {
      case DATA:
        // DATA for a stream we closed may still be in flight: dropped.
        if (s) this.#deliver(s, b.subarray(5));
        return;
      case CONTINUE: {
        if (b.byteLength < 9) {
          this.#protocolError(`a CONTINUE of ${b.byteLength} bytes (9 expected)`);
          return;
        }
        const credits = new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(5, true);
        if (id === 0) {
          if (this.#initialCredits < 0 && !this.#infoSent) {
            // Our INFO awaits its signature: no stream may start before it.
            this.#heldCredits = credits;
          } else if (this.#initialCredits < 0) {
            // CONTINUE before any INFO: a v1 server ("Handshake Steps").
            this.#version ??= 1;
            this.#initialCredits = credits;
            this.#markReady();
          }
        } else if (s && !s.udp) {
          // (wisp-js sends CONTINUE for UDP streams too: ignored, they have no credits.)
          s.credits = credits;
          if (credits > 0 && s.creditWait) {
            s.creditWait.resolve();
            s.creditWait = undefined;
          }
        }
        return;
      }
      case CLOSE: {
        const reason = b.byteLength > 5 ? b[5] : 0x01;
        if (id === 0) {
          this.#failAll(reasonError('Wisp connection', reason));
          this.#ws.close(1000);
          return;
        }
        if (!s) return;
        this.#streams.delete(id);
        if (reason === VOLUNTARY) {
          this.#endReadable(s);
          this.#stopWrites(s, reasonError(s.what, reason));
        } else {
          const err = reasonError(s.what, reason);
          this.#endReadable(s, err);
          this.#stopWrites(s, err);
        }
        return;
      }
      case INFO:
        // Only the server's first packet may be INFO; after its CONTINUE the
        // connection is v1 ("If it receives the CONTINUE packet first, it
        // must use version 1") and a late INFO is ignored.
        if (id === 0 && this.#version === undefined) this.#negotiate(b.subarray(5));
        return;
      default:
        return; // CONNECT from a server, extension packets: ignored
    }
  };

  /** The server's INFO payload: record it, check authentication, answer with ours. */
  #negotiate(info: Uint8Array): void {
    if (info.byteLength < 2) {
      this.#protocolError(`an INFO of ${5 + info.byteLength} bytes (7 at least)`);
      return;
    }
    const extensions: WispExtension[] = [];
    const dv = new DataView(info.buffer, info.byteOffset, info.byteLength);
    for (let off = 2; off < info.byteLength; ) {
      if (info.byteLength - off < 5) {
        this.#protocolError(`an INFO whose extension list ends inside an entry header (at byte ${off})`);
        return;
      }
      const id = info[off];
      const length = dv.getUint32(off + 1, true);
      if (length > info.byteLength - off - 5) {
        this.#protocolError(`an INFO whose extension 0x${id.toString(16)} claims ${length} bytes, past the packet's end`);
        return;
      }
      const name = EXTENSION_NAMES[id] ?? `Extension0x${id.toString(16).padStart(2, '0')}`;
      extensions.push(Object.freeze({ id, name, payload: info.slice(off + 5, off + 5 + length) }));
      off += 5 + length;
    }
    this.#version = 2;
    this.#serverVersion = `${info[0]}.${info[1]}`;
    this.#extensions = Object.freeze(extensions);

    const password = extensions.find((e) => e.id === EXT_PASSWORD);
    const key = extensions.find((e) => e.id === EXT_KEY);
    // Both carry "Required u8" first (draft 4); an empty password payload is
    // draft 2's form, where "the presence of this extension indicates that a
    // username and password is required".
    const passwordRequired = password !== undefined && (password.payload.byteLength === 0 || password.payload[0] !== 0);
    const keyRequired = key !== undefined && key.payload.byteLength > 0 && key.payload[0] !== 0;
    // Key authentication: "required u8, algorithms u8, challenge"; Ed25519
    // is algorithm bit 0x01.
    const keyEd25519 = key !== undefined && key.payload.byteLength >= 2 && (key.payload[1] & ED25519) !== 0;
    const useKey = keyEd25519 && this.#keyAuth !== undefined;
    const usePassword = password !== undefined && this.#auth !== undefined;
    if (keyRequired && !useKey && !usePassword) {
      if (this.#keyAuth !== undefined) {
        this.#fail(
          new WispError(
            `Wisp: the server requires key authentication with algorithms 0x${(key.payload[1] ?? 0).toString(16)}, and this client signs with Ed25519 (0x01) only`,
            'AuthUnsupported',
          ),
        );
      } else {
        this.#fail(
          new WispError(
            `Wisp: the server requires key authentication; pass { keyAuth: { publicKey, sign } }${password ? ' or { auth: { username, password } }' : ''}`,
            'AuthMissingCredentials',
          ),
        );
      }
      return;
    }
    if (passwordRequired && !usePassword && !useKey) {
      this.#fail(
        new WispError('Wisp: the server requires password authentication; pass { auth: { username, password } }', 'AuthMissingCredentials'),
      );
      return;
    }

    // Our INFO: version 2.0 and the extensions we use of those it offered.
    const entries: Uint8Array[] = [];
    const entry = (id: number, payload: Uint8Array): void => {
      const e = new Uint8Array(5 + payload.byteLength);
      e[0] = id;
      new DataView(e.buffer).setUint32(1, payload.byteLength, true);
      e.set(payload, 5);
      entries.push(e);
    };
    if (usePassword) {
      const { username, password: pw } = this.#auth!;
      const m = new Uint8Array(3 + username.byteLength + pw.byteLength);
      m[0] = username.byteLength;
      m[1] = pw.byteLength & 0xff; // u16 little-endian
      m[2] = pw.byteLength >>> 8;
      m.set(username, 3);
      m.set(pw, 3 + username.byteLength);
      entry(EXT_PASSWORD, m);
    }
    if (extensions.some((e) => e.id === EXT_UDP)) entry(EXT_UDP, new Uint8Array(0)); // "There is no payload."
    if (extensions.some((e) => e.id === EXT_MOTD)) entry(EXT_MOTD, new Uint8Array(0)); // "The client does not need to send a payload."
    const send = (): void => {
      const length = entries.reduce((n, e) => n + e.byteLength, 0);
      const p = this.#packet(INFO, 0, 2 + length);
      p[5] = 2;
      p[6] = 0;
      let off = 7;
      for (const e of entries) {
        p.set(e, off);
        off += e.byteLength;
      }
      if (this.#ws.readyState === OPEN) this.#ws.send(p);
    };
    if (!useKey) {
      send();
      return;
    }
    // The signature comes from the caller, perhaps asynchronously: hold the
    // initial CONTINUE's credits (and so every stream) until INFO is out.
    this.#infoSent = false;
    const { publicKey, sign } = this.#keyAuth!;
    const challenge = key.payload.slice(2);
    void (async () => {
      let signature: Uint8Array;
      let hash: Uint8Array;
      try {
        [signature, hash] = await Promise.all([
          Promise.resolve().then(() => sign(challenge)),
          crypto.subtle.digest('SHA-256', publicKey as Uint8Array<ArrayBuffer>).then((d) => new Uint8Array(d)),
        ]);
        if (!(signature instanceof Uint8Array) || signature.byteLength !== 64)
          throw new TypeError(
            `keyAuth.sign returned ${signature instanceof Uint8Array ? `${signature.byteLength} bytes` : String(signature)}, not a 64-byte Ed25519 signature`,
          );
      } catch (e) {
        this.#fail(
          new WispError(
            `Wisp: key authentication: signing the challenge failed: ${(e as Error)?.message ?? e}`,
            'AuthSignFailed',
            undefined,
            { cause: e },
          ),
        );
        return;
      }
      if (this.#failure !== undefined || this.#ws.readyState !== OPEN) return;
      const m = new Uint8Array(1 + 32 + 64);
      m[0] = ED25519;
      m.set(hash, 1);
      m.set(signature, 33);
      entry(EXT_KEY, m);
      send();
      this.#infoSent = true;
      if (this.#heldCredits >= 0 && this.#initialCredits < 0) {
        this.#initialCredits = this.#heldCredits;
        this.#markReady();
      }
    })();
  }

  /** Fail the connection from our side (a handshake we cannot complete) and close the WebSocket. */
  #fail(err: WispError): void {
    this.#failAll(err);
    if (this.#ws.readyState <= OPEN) this.#ws.close(1000);
  }

  #onError = (ev: { message?: string; error?: unknown }): void => {
    this.#errorText = ev.message ?? (ev.error instanceof Error ? ev.error.message : '');
  };

  #onClose = (ev: { code?: number; reason?: string }): void => {
    this.#ws.removeEventListener('message', this.#onMessage);
    this.#ws.removeEventListener('error', this.#onError);
    this.#ws.removeEventListener('close', this.#onClose);
    const code = ev.code ?? 1005;
    const detail = `${ev.reason ? `: ${ev.reason}` : ''}${this.#errorText ? ` (${this.#errorText})` : ''}`;
    this.#failAll(new WispError(`Wisp: the WebSocket closed with code ${code}${detail}`, 'WebSocketClosed'));
    this.#markClosed();
  };

  #protocolError(what: string): void {
    this.#fail(new WispError(`Wisp: protocol error: the server sent ${what}`, 'ProtocolError'));
  }

  #failAll(err: WispError): void {
    this.#failure ??= err;
    this.#failReady(err);
    for (const s of this.#streams.values()) {
      this.#endReadable(s, err);
      this.#stopWrites(s, err);
    }
    this.#streams.clear();
  }
}
