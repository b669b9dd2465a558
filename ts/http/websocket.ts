/**
 * A `WebSocket`-shaped client (RFC 6455) over any {@link ConnectFunction}:
 * `wss://` runs TLS with `connect()` from `wasmtls/tls` over the byte
 * stream `connect(host, port)` gives, `ws://` uses that stream as it is.
 * The object behaves as the browser's (WHATWG WebSockets): an
 * `EventTarget` with `open`/`message`/`error`/`close`, `readyState`,
 * `protocol`, `extensions` (always `''`: no extension is offered),
 * `binaryType`, `bufferedAmount`, `send()` and `close(code, reason)` with
 * the same argument checks, and failures reported as browsers report
 * them: an `error` event without details, then a `close` event with code
 * 1006 and `wasClean` false. The details are on the instance's `error`
 * property.
 *
 * What the wire carries, RFC 6455: the opening handshake (4.1) with a
 * random `Sec-WebSocket-Key` and its `Sec-WebSocket-Accept` checked,
 * subprotocols, client-to-server masking with a fresh key per frame (5.3),
 * fragmented messages reassembled (5.4) up to `maxMessageSize`, pings
 * answered (5.5.2), text checked as UTF-8 (8.1), and the closing handshake
 * (7) with codes.
 *
 * @example
 * ```ts
 * import { wispWebSocket } from 'wasmtls/websocket';
 * const WebSocket = wispWebSocket('wss://proxy.example/wisp/', { ca: rootsPem });
 * const ws = new WebSocket('wss://echo.example/', ['chat']);
 * ws.onmessage = (ev) => console.log(ev.data);
 * ws.onopen = () => ws.send('hello');
 * ```
 * @module
 */
import { type WebSocketConstructor, type WebSocketLike, WispClient, type WispClientOptions } from '../adapters/wisp.js';
import type { Transport } from '../adapters/types.js';
import { connect as tlsConnect } from '../api/tls.js';
import { sha1 } from './sha1.js';
import type { ConnectFunction, HttpTLSOptions } from './types.js';

/** RFC 6455 1.3: the GUID appended to the key before hashing. */
const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const CONNECTING = 0;
const OPEN = 1;
const CLOSING = 2;
const CLOSED = 3;
/** Opcodes (RFC 6455 5.2). */
const OP_CONT = 0x0;
const OP_TEXT = 0x1;
const OP_BINARY = 0x2;
const OP_CLOSE = 0x8;
const OP_PING = 0x9;
const OP_PONG = 0xa;
/** Status codes (RFC 6455 7.4.1). */
const PROTOCOL_ERROR = 1002;
const NO_STATUS = 1005;
const ABNORMAL = 1006;
const INVALID_DATA = 1007;
const TOO_BIG = 1009;
const MAX_HEAD = 64 * 1024; // bytes of the 101 response head we accept
const MAX_HEADERS = 256;
/** After the Close frames were exchanged, how long we wait for the server
 * to close the connection (RFC 6455 7.1.1: "the client SHOULD wait for the
 * server to close the connection but MAY close the connection at any time
 * after sending and receiving a Close message"). */
const TCP_CLOSE_WAIT_MS = 2000;
/** After failing the connection, how long we keep draining so our Close
 * frame is not lost to a TCP reset (unread input makes the kernel reset). */
const FAIL_DRAIN_MS = 1000;
/** RFC 7230 3.2.6 token characters: subprotocol names are tokens (RFC 6455 4.1). */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const ignore = (): void => {};

/** Options of {@link createWebSocket}: the TLS options of `connect()` (for `wss:`) and these. */
export interface WebSocketOptions extends HttpTLSOptions {
  /** Opens the byte stream to `host:port` (Wisp stream, Node socket, ...). */
  connect: ConnectFunction;
  /** Extra request header fields sent with the opening handshake (a
   * bare-mux transport passes `Origin`, `Cookie`, `User-Agent`). The
   * fields the handshake writes itself (`Host`, `Upgrade`, `Connection`,
   * `Sec-WebSocket-*`) and body framing (`Content-Length`,
   * `Transfer-Encoding`) are skipped when given: a proxy may pass the page's
   * whole header set, and the handshake's own fields must stay as RFC 6455
   * 4.1 has them. A name or value that cannot be sent is a TypeError. */
  requestHeaders?: Record<string, string> | Iterable<readonly [string, string]>;
  /** The `Origin` header field (RFC 6455 4.1 item 8); none by default. */
  origin?: string;
  /** The largest message, after reassembly, we accept; a larger one fails
   * the connection with 1009 (RFC 6455 7.4.1: "a message that is too big
   * for it to process"). Default 64 MiB. */
  maxMessageSize?: number;
  /** Milliseconds the opening may take (connect, TLS, the HTTP
   * handshake) before the connection fails (error, close 1006; `error.code`
   * `'ERR_WS_HANDSHAKE'`): a server that accepts the connection and never
   * answers would otherwise hold it CONNECTING for ever. `0` or `Infinity`:
   * none. Default 30,000. */
  openTimeout?: number;
  /** Milliseconds we wait for the server's Close after sending ours before
   * closing the connection anyway (the close event then says 1006).
   * Default 30,000. */
  closeTimeout?: number;
}

/** The event `close` is: the global `CloseEvent` where the runtime has one
 * (browsers, Deno, Node 23+), else an `Event` with the same fields. */
export interface WebSocketCloseEvent extends Event {
  /** The close code (RFC 6455 7.1.5): the server's, 1005 when its Close had none, 1006 when there was no closing handshake. */
  readonly code: number;
  /** The close reason (RFC 6455 7.1.6), `''` when none. */
  readonly reason: string;
  /** Whether the closing handshake completed (RFC 6455 7.1.4). */
  readonly wasClean: boolean;
}

class CloseEventShim extends Event implements WebSocketCloseEvent {
  readonly code: number;
  readonly reason: string;
  readonly wasClean: boolean;
  constructor(type: string, init: { code?: number; reason?: string; wasClean?: boolean } = {}) {
    super(type);
    this.code = init.code ?? 0;
    this.reason = init.reason ?? '';
    this.wasClean = init.wasClean ?? false;
  }
}

type CloseEventCtor = new (type: string, init: { code: number; reason: string; wasClean: boolean }) => WebSocketCloseEvent;
function closeEvent(code: number, reason: string, wasClean: boolean): WebSocketCloseEvent {
  const G = (globalThis as { CloseEvent?: CloseEventCtor }).CloseEvent ?? CloseEventShim;
  return new G('close', { code, reason, wasClean });
}

function messageEvent(data: unknown, origin: string): Event {
  const G = (globalThis as { MessageEvent?: typeof MessageEvent }).MessageEvent;
  if (G) {
    // WHATWG's MessageEventInit.data is `any`; the global is used only if
    // it keeps the data as given (a runtime's may be narrower).
    const ev = new G('message', { data, origin });
    if (ev.data === data) return ev;
  }
  const ev = new Event('message') as Event & { data: unknown; origin: string };
  Object.defineProperties(ev, { data: { value: data, enumerable: true }, origin: { value: origin, enumerable: true } });
  return ev;
}

let nativeOn: boolean | undefined;
/** Whether this runtime's EventTarget calls an `on<type>` property of the
 * target when it dispatches (workerd does; browsers, Node and Deno leave
 * that to the event handler IDL attributes of each interface). */
function nativeOnHandlers(): boolean {
  if (nativeOn === undefined) {
    nativeOn = false;
    const probe = new EventTarget() as EventTarget & { onwasmtlsprobe?: () => void };
    probe.onwasmtlsprobe = () => {
      nativeOn = true;
    };
    probe.dispatchEvent(new Event('wasmtlsprobe'));
  }
  return nativeOn;
}

function domError(message: string, name: string): Error {
  return typeof DOMException === 'function' ? new DOMException(message, name) : Object.assign(new Error(message), { name });
}

/** Why the connection failed: on the instance's `error` property. */
export class WebSocketError extends Error {
  /** `'ERR_WS_HANDSHAKE'` (the opening handshake failed), `'ERR_WS_PROTOCOL'`
   * (the server broke RFC 6455; `closeCode` is the code we sent),
   * `'ERR_WS_TRANSPORT'` (the connection or TLS failed), `'ERR_WS_ABORTED'`
   * (`close()` before the connection was open). */
  readonly code: string;
  /** The status code of the Close frame we sent when failing the connection. */
  readonly closeCode: number | undefined;
  constructor(message: string, code: string, options?: { cause?: unknown; closeCode?: number }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'WebSocketError';
    this.code = code;
    this.closeCode = options?.closeCode;
  }
}

/** Fills masks and keys from crypto.getRandomValues in batches. */
class RandomPool {
  #buf = new Uint8Array(4096);
  #off = 4096;
  take(n: number): Uint8Array {
    if (this.#off + n > this.#buf.length) {
      crypto.getRandomValues(this.#buf);
      this.#off = 0;
    }
    const out = this.#buf.slice(this.#off, this.#off + n);
    this.#off += n;
    return out;
  }
}
const random = /* @__PURE__ */ new RandomPool();

function base64(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

async function acceptFor(key: string): Promise<string> {
  const input = new TextEncoder().encode(key + GUID);
  const subtle = globalThis.crypto?.subtle;
  if (subtle) return base64(new Uint8Array(await subtle.digest('SHA-1', input)));
  return base64(sha1(input));
}

/** One frame, masked (RFC 6455 5.2, 5.3): the client masks every frame. */
function encodeFrame(opcode: number, payload: Uint8Array): Uint8Array {
  const n = payload.length;
  const extra = n < 126 ? 0 : n < 65536 ? 2 : 8;
  const headLength = 2 + extra + 4;
  // The frame starts `pad` bytes into its buffer so that the payload is
  // 4-byte aligned and can be masked a 32-bit word at a time.
  const pad = (4 - (headLength & 3)) & 3;
  const out = new Uint8Array(new ArrayBuffer(pad + headLength + n), pad, headLength + n);
  out[0] = 0x80 | opcode;
  if (extra === 0) out[1] = 0x80 | n;
  else if (extra === 2) {
    out[1] = 0x80 | 126;
    out[2] = n >>> 8;
    out[3] = n & 0xff;
  } else {
    out[1] = 0x80 | 127;
    const dv = new DataView(out.buffer, pad);
    dv.setUint32(2, Math.floor(n / 0x100000000));
    dv.setUint32(6, n >>> 0);
  }
  const maskAt = 2 + extra;
  // RFC 6455 5.3: "The masking key MUST be derived from a strong source of
  // entropy, and the masking key for a given frame MUST NOT make it simple
  // for a server or a proxy to predict the masking key for a subsequent frame."
  const mask = random.take(4);
  out.set(mask, maskAt);
  out.set(payload, headLength);
  // In place: whole words with the key read as a word in the same (native)
  // byte order, then the tail byte by byte.
  const words = n >>> 2;
  const w = new Uint32Array(out.buffer, pad + headLength, words);
  const key = new Uint32Array(mask.buffer, mask.byteOffset, 1)[0];
  for (let i = 0; i < words; i++) w[i] ^= key;
  for (let i = words << 2; i < n; i++) out[headLength + i] ^= mask[i & 3];
  return out;
}

function closePayload(code: number | undefined, reason: string): Uint8Array {
  if (code === undefined) return new Uint8Array(0);
  const r = new TextEncoder().encode(reason);
  const out = new Uint8Array(2 + r.length);
  out[0] = code >>> 8;
  out[1] = code & 0xff;
  out.set(r, 2);
  return out;
}

/** A close code a peer may put in a Close frame (RFC 6455 7.4.1, 7.4.2; the
 * IANA registry adds 1012-1014). */
function validCloseCode(c: number): boolean {
  return (c >= 1000 && c <= 1003) || (c >= 1007 && c <= 1014) || (c >= 3000 && c <= 4999);
}

/** A protocol failure found while parsing: fail with `code`. */
class Violation extends Error {
  constructor(
    readonly closeCode: number,
    message: string,
  ) {
    super(message);
  }
}

interface Frame {
  fin: boolean;
  opcode: number;
  payload: Uint8Array;
}

/**
 * Server frames from a byte stream (RFC 6455 5.2): chunks go in, whole
 * frames come out; a broken frame throws a {@link Violation}.
 */
class FrameParser {
  #chunks: Uint8Array[] = [];
  #size = 0;
  #header: { fin: boolean; opcode: number; length: number; headerLength: number } | undefined;
  #fragmented = 0; // bytes of the message being reassembled
  #inMessage = false;

  constructor(readonly maxMessageSize: number) {}

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.#chunks.push(chunk);
    this.#size += chunk.length;
  }

  #peek(n: number): Uint8Array {
    const out = new Uint8Array(n);
    let got = 0;
    for (const c of this.#chunks) {
      const k = Math.min(c.length, n - got);
      out.set(c.subarray(0, k), got);
      got += k;
      if (got === n) break;
    }
    return out;
  }

  #take(n: number): Uint8Array {
    this.#size -= n;
    const first = this.#chunks[0];
    if (first && first.length >= n) {
      const out = first.subarray(0, n);
      if (first.length === n) this.#chunks.shift();
      else this.#chunks[0] = first.subarray(n);
      return out;
    }
    const out = new Uint8Array(n);
    let got = 0;
    while (got < n) {
      const c = this.#chunks[0];
      const k = Math.min(c.length, n - got);
      out.set(c.subarray(0, k), got);
      got += k;
      if (k === c.length) this.#chunks.shift();
      else this.#chunks[0] = c.subarray(k);
    }
    return out;
  }

  /** The next whole frame, or undefined until more bytes arrive. */
  next(): Frame | undefined {
    if (!this.#header) {
      if (this.#size < 2) return undefined;
      const h = this.#peek(Math.min(this.#size, 14));
      const b0 = h[0],
        b1 = h[1];
      // RFC 6455 5.2: "MUST be 0 unless an extension is negotiated that
      // defines meanings for non-zero values. If a nonzero value is
      // received and none of the negotiated extensions defines the meaning
      // of such a nonzero value, the receiving endpoint MUST _Fail the
      // WebSocket Connection_."
      if (b0 & 0x70) throw new Violation(PROTOCOL_ERROR, 'the server set an RSV bit without a negotiated extension');
      // RFC 6455 5.1: "A client MUST close a connection if it detects a masked frame."
      if (b1 & 0x80) throw new Violation(PROTOCOL_ERROR, 'the server sent a masked frame');
      const fin = (b0 & 0x80) !== 0;
      const opcode = b0 & 0x0f;
      let length = b1 & 0x7f;
      let headerLength = 2;
      if (length === 126) {
        if (h.length < 4) return undefined;
        length = (h[2] << 8) | h[3];
        headerLength = 4;
      } else if (length === 127) {
        if (h.length < 10) return undefined;
        const dv = new DataView(h.buffer, 2, 8);
        const hi = dv.getUint32(0);
        // RFC 6455 5.2: "the most significant bit MUST be 0".
        if (hi & 0x80000000) throw new Violation(PROTOCOL_ERROR, 'frame length with the most significant bit set');
        length = hi * 0x100000000 + dv.getUint32(4);
        headerLength = 10;
      }
      if (opcode >= 0x8) {
        if (opcode !== OP_CLOSE && opcode !== OP_PING && opcode !== OP_PONG)
          throw new Violation(PROTOCOL_ERROR, `reserved control opcode 0x${opcode.toString(16)}`);
        // RFC 6455 5.5: "All control frames MUST have a payload length of
        // 125 bytes or less and MUST NOT be fragmented."
        if (length > 125) throw new Violation(PROTOCOL_ERROR, `a control frame of ${length} bytes (at most 125)`);
        if (!fin) throw new Violation(PROTOCOL_ERROR, 'a fragmented control frame');
      } else if (opcode === OP_CONT) {
        if (!this.#inMessage) throw new Violation(PROTOCOL_ERROR, 'a continuation frame outside a fragmented message');
      } else if (opcode === OP_TEXT || opcode === OP_BINARY) {
        if (this.#inMessage) throw new Violation(PROTOCOL_ERROR, 'a new message inside a fragmented one');
      } else {
        throw new Violation(PROTOCOL_ERROR, `reserved data opcode 0x${opcode.toString(16)}`);
      }
      if (opcode < 0x8) {
        const total = (opcode === OP_CONT ? this.#fragmented : 0) + length;
        if (total > this.maxMessageSize)
          throw new Violation(TOO_BIG, `a message of more than ${this.maxMessageSize} bytes (maxMessageSize)`);
      }
      this.#header = { fin, opcode, length, headerLength };
    }
    const hd = this.#header;
    if (this.#size < hd.headerLength + hd.length) return undefined;
    this.#take(hd.headerLength);
    const payload = this.#take(hd.length);
    this.#header = undefined;
    if (hd.opcode < 0x8) {
      if (hd.fin) {
        this.#inMessage = false;
        this.#fragmented = 0;
      } else {
        this.#inMessage = true;
        this.#fragmented += hd.length;
      }
    }
    return { fin: hd.fin, opcode: hd.opcode, payload };
  }
}

interface Queued {
  /** The frame as it goes on the wire. */
  bytes: Uint8Array | (() => Promise<Uint8Array>);
  /** Application bytes it carries, counted in bufferedAmount. */
  size: number;
  /** Resolved once written (or dropped). */
  done?: () => void;
}

/** A `WebSocket` class made by {@link createWebSocket}: the browser's constructor and constants. */
export interface WebSocketClass {
  new (url: string | URL, protocols?: string | readonly string[]): WasmtlsWebSocket;
  /** 0: The connection is not yet open. */
  readonly CONNECTING: 0;
  /** 1: The connection is open: messages can be sent. */
  readonly OPEN: 1;
  /** 2: The closing handshake is under way. */
  readonly CLOSING: 2;
  /** 3: The connection is closed (or could not be opened). */
  readonly CLOSED: 3;
}

/** An event handler attribute's value (`onopen`, ...): called with the event, `this` the WebSocket. */
export type WebSocketHandler<E extends Event = Event> = ((this: WasmtlsWebSocket, ev: E) => unknown) | null;
type Handler = WebSocketHandler<never>;

/**
 * The WebSocket instance. Made with `new` on the class {@link createWebSocket}
 * or {@link wispWebSocket} returns; it connects at once.
 */
export class WasmtlsWebSocket extends EventTarget {
  /** 0: The connection is not yet open. */
  static readonly CONNECTING = CONNECTING;
  /** 1: The connection is open: messages can be sent. */
  static readonly OPEN = OPEN;
  /** 2: The closing handshake is under way. */
  static readonly CLOSING = CLOSING;
  /** 3: The connection is closed (or could not be opened). */
  static readonly CLOSED = CLOSED;
  /** 0: The connection is not yet open. */
  readonly CONNECTING = CONNECTING;
  /** 1: The connection is open: messages can be sent. */
  readonly OPEN = OPEN;
  /** 2: The closing handshake is under way. */
  readonly CLOSING = CLOSING;
  /** 3: The connection is closed (or could not be opened). */
  readonly CLOSED = CLOSED;

  /** The URL as given (serialized), with `http(s):` turned into `ws(s):`. */
  readonly url: string;
  /** Extensions the server accepted: none are offered, so always `''`. */
  readonly extensions = '';
  /** Why the connection failed, when it did (the events carry no details, as in browsers). */
  error: WebSocketError | undefined;

  #readyState = CONNECTING;
  #protocol = '';
  #binaryType: 'blob' | 'arraybuffer' = typeof Blob === 'function' ? 'blob' : 'arraybuffer';
  #buffered = 0;
  // biome-ignore lint/suspicious/noExplicitAny: as #setHandler
  readonly #handlers = new Map<string, { h: WebSocketHandler<any>; l: EventListener }>();

  readonly #opts: WebSocketOptions;
  readonly #u: URL;
  readonly #protocols: string[];
  readonly #origin: string;
  #stream: { readable: ReadableStream<Uint8Array>; writable: WritableStream<Uint8Array>; close(): Promise<void> } | undefined;
  #transport: Transport | undefined;
  #reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  #writer: WritableStreamDefaultWriter<Uint8Array> | undefined;
  #queue: Queued[] = [];
  #writing = false;
  #closeQueued = false; // our Close frame is queued or sent
  #closeWritten: Promise<void> | undefined;
  #closeReceived: { code: number; reason: string } | undefined;
  #failure: WebSocketError | undefined; // the connection is being failed
  #aborted: WebSocketError | undefined; // close() while connecting, or openTimeout
  #openTimer: ReturnType<typeof setTimeout> | undefined;
  #finished = false;
  #closeTimer: ReturnType<typeof setTimeout> | undefined;
  #wake: (() => void) | undefined; // ends a wait in #run early
  #message: Uint8Array[] = [];
  #messageOp = 0;

  /** @internal use the class {@link createWebSocket} returns. */
  constructor(options: WebSocketOptions, url: string | URL, protocols?: string | readonly string[]) {
    super();
    let u: URL;
    try {
      u = new URL(String(url));
    } catch {
      throw domError(`Failed to construct 'WebSocket': The URL '${String(url)}' is invalid.`, 'SyntaxError');
    }
    // WHATWG WebSockets, constructor steps 4-6: http(s) become ws(s); other
    // schemes and fragments are a SyntaxError.
    if (u.protocol === 'http:') u.protocol = 'ws:';
    else if (u.protocol === 'https:') u.protocol = 'wss:';
    if (u.protocol !== 'ws:' && u.protocol !== 'wss:')
      throw domError(
        `Failed to construct 'WebSocket': The URL's scheme must be 'ws' or 'wss'. '${u.protocol}' is not allowed.`,
        'SyntaxError',
      );
    if (u.hash !== '' || String(url).includes('#'))
      throw domError(`Failed to construct 'WebSocket': The URL contains a fragment identifier ('${u.hash}').`, 'SyntaxError');
    const list = protocols === undefined ? [] : typeof protocols === 'string' ? [protocols] : [...protocols].map(String);
    const seen = new Set<string>();
    for (const p of list) {
      if (!TOKEN.test(p)) throw domError(`Failed to construct 'WebSocket': The subprotocol '${p}' is invalid.`, 'SyntaxError');
      if (seen.has(p)) throw domError(`Failed to construct 'WebSocket': The subprotocol '${p}' is duplicated.`, 'SyntaxError');
      seen.add(p);
    }
    if (typeof options?.connect !== 'function')
      throw new TypeError('WebSocket: options.connect must be a function (host, port) => Transport');
    this.#opts = options;
    this.#u = u;
    this.url = u.href;
    this.#protocols = list;
    this.#origin = u.origin;
    // Checked now so a bad header is a synchronous error, as fetch's are.
    this.#headerLines();
    const openMs = options.openTimeout ?? 30_000;
    if (openMs > 0 && openMs < 0x7fffffff) {
      this.#openTimer = setTimeout(() => {
        this.#abortOpening(
          new WebSocketError(`WebSocket: the opening handshake took more than ${openMs} ms (openTimeout)`, 'ERR_WS_HANDSHAKE'),
        );
      }, openMs);
      unref(this.#openTimer);
    }
    this.#run().catch((e) => this.#finish(ABNORMAL, '', false, asWsError(e, 'ERR_WS_TRANSPORT')));
  }

  /** `CONNECTING` (0), `OPEN` (1), `CLOSING` (2) or `CLOSED` (3). */
  get readyState(): number {
    return this.#readyState;
  }
  /** The subprotocol the server chose, `''` before open or when none. */
  get protocol(): string {
    return this.#protocol;
  }
  /** Bytes of application data passed to `send()` not yet written to the transport. */
  get bufferedAmount(): number {
    return this.#buffered;
  }
  /** What binary messages arrive as: `'blob'` (the default where `Blob` exists) or `'arraybuffer'`. */
  get binaryType(): 'blob' | 'arraybuffer' {
    return this.#binaryType;
  }
  /** Set it: `'blob'` (where Blob exists) or `'arraybuffer'`; another value is ignored, as in browsers. */
  set binaryType(v: 'blob' | 'arraybuffer') {
    // WHATWG: an invalid value is ignored (the IDL enum drops it).
    if (v === 'arraybuffer' || (v === 'blob' && typeof Blob === 'function')) this.#binaryType = v;
  }

  /** Called once the opening handshake succeeded. */
  get onopen(): WebSocketHandler {
    return this.#getHandler('open') as WebSocketHandler;
  }
  /** Set the handler; `null` removes it. */
  set onopen(h: WebSocketHandler) {
    this.#setHandler('open', h);
  }
  /** Called with each message: `data` a string (text), or a Blob / ArrayBuffer by `binaryType`. */
  get onmessage(): WebSocketHandler<MessageEvent> {
    return this.#getHandler('message') as WebSocketHandler<MessageEvent>;
  }
  /** Set the handler; `null` removes it. */
  set onmessage(h: WebSocketHandler<MessageEvent>) {
    this.#setHandler('message', h);
  }
  /** Called when the connection failed (the details are on `error`), just before `onclose`. */
  get onerror(): WebSocketHandler {
    return this.#getHandler('error') as WebSocketHandler;
  }
  /** Set the handler; `null` removes it. */
  set onerror(h: WebSocketHandler) {
    this.#setHandler('error', h);
  }
  /** Called once at the end with `code`, `reason` and `wasClean`. */
  get onclose(): WebSocketHandler<WebSocketCloseEvent> {
    return this.#getHandler('close') as WebSocketHandler<WebSocketCloseEvent>;
  }
  /** Set the handler; `null` removes it. */
  set onclose(h: WebSocketHandler<WebSocketCloseEvent>) {
    this.#setHandler('close', h);
  }

  #getHandler(type: string): Handler {
    return this.#handlers.get(type)?.h ?? null;
  }
  // biome-ignore lint/suspicious/noExplicitAny: one setter for the four handler types
  #setHandler(type: string, h: WebSocketHandler<any>): void {
    const old = this.#handlers.get(type);
    if (old) {
      if (!nativeOnHandlers()) this.removeEventListener(type, old.l);
      this.#handlers.delete(type);
    }
    if (typeof h === 'function') {
      const l: EventListener = (ev) => {
        h.call(this, ev as never);
      };
      this.#handlers.set(type, { h, l });
      // Where dispatchEvent itself calls the `on<type>` property (workerd),
      // the getter is enough: a listener too would call the handler twice.
      if (!nativeOnHandlers()) this.addEventListener(type, l);
    }
  }

  /**
   * Queue a message: a string goes as a text message (UTF-8), bytes and
   * Blobs as a binary one. Throws `InvalidStateError` while connecting; once
   * closing or closed the data is dropped and counted in `bufferedAmount`,
   * as the WHATWG standard says.
   */
  send(data: string | ArrayBufferLike | ArrayBufferView | Blob): void {
    if (this.#readyState === CONNECTING)
      throw domError("Failed to execute 'send' on 'WebSocket': Still in CONNECTING state.", 'InvalidStateError');
    let opcode = OP_BINARY;
    let bytes: Uint8Array | undefined;
    let blob: Blob | undefined;
    if (typeof data === 'string') {
      opcode = OP_TEXT;
      bytes = new TextEncoder().encode(data);
    } else if (data instanceof ArrayBuffer || (typeof SharedArrayBuffer === 'function' && data instanceof SharedArrayBuffer)) {
      bytes = new Uint8Array(data.slice(0));
    } else if (ArrayBuffer.isView(data)) {
      bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
    } else if (typeof Blob === 'function' && data instanceof Blob) {
      blob = data;
    } else {
      opcode = OP_TEXT;
      bytes = new TextEncoder().encode(String(data));
    }
    const size = bytes ? bytes.length : (blob as Blob).size;
    this.#buffered += size;
    // WHATWG: after close() the data is not sent, but bufferedAmount grows.
    if (this.#readyState !== OPEN || this.#closeQueued || this.#failure) return;
    const b = blob;
    this.#queue.push({
      bytes: b ? async () => encodeFrame(opcode, new Uint8Array(await b.arrayBuffer())) : encodeFrame(opcode, bytes as Uint8Array),
      size,
    });
    this.#pump();
  }

  /**
   * Start the closing handshake (RFC 6455 7.1.2) with `code` (1000 or
   * 3000-4999) and `reason` (at most 123 UTF-8 bytes): else
   * `InvalidAccessError` / `SyntaxError`, as browsers throw. Before the
   * connection is open this fails it (error, then close 1006).
   */
  close(code?: number, reason?: string): void {
    if (code !== undefined) {
      // WebIDL `[Clamp] unsigned short`: NaN is 0, then clamped to
      // [0, 65535] and rounded to the nearest integer, ties to even.
      let x = Number(code);
      x = Number.isNaN(x) ? 0 : Math.min(65535, Math.max(0, x));
      const f = Math.floor(x);
      code = x - f > 0.5 || (x - f === 0.5 && f % 2 === 1) ? f + 1 : f;
      if (code !== 1000 && !(code >= 3000 && code <= 4999))
        throw domError(
          `Failed to execute 'close' on 'WebSocket': The close code must be either 1000, or between 3000 and 4999. ${code} is neither.`,
          'InvalidAccessError',
        );
    }
    const why = reason === undefined ? '' : String(reason);
    if (new TextEncoder().encode(why).length > 123)
      throw domError("Failed to execute 'close' on 'WebSocket': The close reason must not be greater than 123 UTF-8 bytes.", 'SyntaxError');
    if (this.#readyState === CLOSING || this.#readyState === CLOSED) return;
    if (this.#readyState === CONNECTING) {
      // WHATWG: "If the WebSocket connection is not yet established: Fail
      // the WebSocket connection and set this's ready state to CLOSING."
      // The events come in a later turn, as a browser queues them, and do
      // not wait for a connect() still in progress: #open closes what it
      // gets from then on.
      this.#abortOpening(aborted());
      return;
    }
    // WHATWG: "If reason is non-empty but code is null, then set code to 1000."
    if (code === undefined && why !== '') code = 1000;
    this.#readyState = CLOSING;
    this.#sendClose(code, why);
    const ms = this.#opts.closeTimeout ?? 30_000;
    this.#closeTimer = setTimeout(() => {
      this.#closeTimer = undefined;
      this.#finish(ABNORMAL, '', false, undefined);
    }, ms);
    unref(this.#closeTimer);
  }

  /** Queue our Close frame after the messages already queued. */
  #sendClose(code: number | undefined, reason: string): void {
    if (this.#closeQueued) return;
    this.#closeQueued = true;
    let done!: () => void;
    this.#closeWritten = new Promise<void>((r) => (done = r));
    this.#queue.push({ bytes: encodeFrame(OP_CLOSE, closePayload(code, reason)), size: 0, done });
    this.#pump();
  }

  /** Write the queue in order, one frame at a time, each once the
   * transport took the one before (its backpressure). */
  #pump(): void {
    if (this.#writing || !this.#writer) return;
    this.#writing = true;
    (async () => {
      try {
        while (this.#queue.length > 0 && !this.#finished) {
          const item = this.#queue[0];
          const bytes = typeof item.bytes === 'function' ? await item.bytes() : item.bytes;
          await (this.#writer as WritableStreamDefaultWriter<Uint8Array>).write(bytes);
          this.#queue.shift();
          this.#buffered -= item.size;
          item.done?.();
        }
      } catch (e) {
        for (const q of this.#queue.splice(0)) q.done?.();
        this.#transportDied(e);
      } finally {
        this.#writing = false;
      }
    })();
  }

  /** A Pong (RFC 6455 5.5.3) goes before queued messages: it answers now. */
  #sendPong(payload: Uint8Array): void {
    if (this.#closeQueued) return; // nothing after our Close (RFC 6455 5.5.1)
    const at = this.#writing ? 1 : 0;
    this.#queue.splice(Math.min(at, this.#queue.length), 0, { bytes: encodeFrame(OP_PONG, payload), size: 0 });
    this.#pump();
  }

  #transportDied(e: unknown): void {
    if (this.#finished) return;
    if (this.#failure || this.#closeReceived) {
      this.#wake?.();
      return;
    }
    this.#finish(ABNORMAL, '', false, asWsError(e, 'ERR_WS_TRANSPORT'));
  }

  #headerLines(): string {
    const own = new Set([
      'host',
      'upgrade',
      'connection',
      'sec-websocket-key',
      'sec-websocket-version',
      'sec-websocket-protocol',
      'sec-websocket-extensions',
      'content-length',
      'transfer-encoding',
    ]);
    let lines = '';
    let hasOrigin = false;
    const h = this.#opts.requestHeaders;
    const pairs: Array<readonly [string, string]> =
      h === undefined
        ? []
        : Symbol.iterator in Object(h)
          ? [...(h as Iterable<readonly [string, string]>)]
          : Object.entries(h as Record<string, string>);
    for (const [name, value] of pairs) {
      const n = String(name);
      const v = String(value);
      if (!TOKEN.test(n)) throw new TypeError(`WebSocket: invalid request header name ${JSON.stringify(n)}`);
      if (/[\r\n\0]/.test(v)) throw new TypeError(`WebSocket: invalid value of request header ${n}`);
      if (own.has(n.toLowerCase()) || n.toLowerCase().startsWith('sec-websocket-')) continue;
      if (n.toLowerCase() === 'origin') hasOrigin = true;
      lines += `${n}: ${v.trim()}\r\n`;
    }
    const origin = this.#opts.origin;
    if (origin !== undefined && !hasOrigin) {
      if (/[\r\n\0]/.test(origin)) throw new TypeError('WebSocket: invalid origin');
      lines += `Origin: ${origin}\r\n`;
    }
    return lines;
  }

  /** Fail the connection while it opens (close(), openTimeout). */
  #abortOpening(err: WebSocketError): void {
    if (this.#aborted || this.#finished) return;
    this.#aborted = err;
    this.#readyState = CLOSING;
    queueMicrotask(() => this.#finish(ABNORMAL, '', false, err));
  }

  /** After each wait of the opening: once close() failed the connection,
   * close what was opened since (#finish may have run before it existed). */
  #checkAborted(): void {
    if (!this.#aborted) return;
    this.#stream?.close().catch(ignore);
    this.#transport?.close().catch(ignore);
    throw this.#aborted;
  }

  /** Connect, run TLS for wss:, do the opening handshake; returns the bytes after the 101 head. */
  async #open(): Promise<Uint8Array> {
    const u = this.#u;
    const host = u.hostname.replace(/^\[|\]$/g, '');
    const secure = u.protocol === 'wss:';
    const port = u.port ? Number(u.port) : secure ? 443 : 80;
    const { connect, requestHeaders: _h, origin: _o, maxMessageSize: _m, closeTimeout: _c, openTimeout: _t, ...tls } = this.#opts;
    let transport: Transport;
    try {
      transport = await connect(host, port);
    } catch (e) {
      throw new WebSocketError(`WebSocket: could not connect to ${host}:${port}: ${messageOf(e)}`, 'ERR_WS_TRANSPORT', { cause: e });
    }
    this.#transport = transport;
    this.#checkAborted();
    if (secure) {
      // ALPN: a WebSocket handshake is HTTP/1.1 (RFC 6455 4.1); RFC 8441's
      // WebSocket over HTTP/2 is not spoken here.
      // The TLS context is connect()'s, shared with every connection whose
      // options have the same value (ts/core/context-cache.ts): the
      // connections of one class parse `ca` once, not once each.
      const s = tlsConnect({ ...tls, transport, host, ALPNProtocols: ['http/1.1'] });
      this.#stream = s;
      // `closed` settles on every path (connect()'s contract).
      s.closed.catch(ignore);
      try {
        await s.opened;
      } catch (e) {
        throw new WebSocketError(`WebSocket: TLS with ${host}:${port} failed: ${messageOf(e)}`, 'ERR_WS_TRANSPORT', { cause: e });
      }
    } else {
      this.#stream = transport;
    }
    this.#checkAborted();
    const stream = this.#stream;
    this.#reader = stream.readable.getReader();
    this.#writer = stream.writable.getWriter();
    this.#writer.closed.catch(ignore);

    const key = base64(random.take(16));
    const expected = acceptFor(key);
    expected.catch(ignore); // awaited below; never an unhandled rejection meanwhile
    let req = `GET ${u.pathname || '/'}${u.search} HTTP/1.1\r\nHost: ${u.host}\r\n`;
    req += 'Upgrade: websocket\r\nConnection: Upgrade\r\n';
    req += `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n`;
    if (this.#protocols.length > 0) req += `Sec-WebSocket-Protocol: ${this.#protocols.join(', ')}\r\n`;
    req += `${this.#headerLines()}\r\n`;
    await this.#writer.write(new TextEncoder().encode(req));

    // Read the response head: everything up to CRLF CRLF; what follows is frames.
    let buf = new Uint8Array(0);
    let end = -1;
    while (end < 0) {
      const r = await this.#reader.read();
      this.#checkAborted();
      if (r.done) throw new WebSocketError('WebSocket: the server closed the connection during the opening handshake', 'ERR_WS_HANDSHAKE');
      const nb = new Uint8Array(buf.length + r.value.length);
      nb.set(buf);
      nb.set(r.value, buf.length);
      const from = Math.max(0, buf.length - 3);
      buf = nb;
      for (let i = from; i + 3 < buf.length; i++) {
        if (buf[i] === 13 && buf[i + 1] === 10 && buf[i + 2] === 13 && buf[i + 3] === 10) {
          end = i;
          break;
        }
      }
      if (end < 0 && buf.length > MAX_HEAD)
        throw new WebSocketError(`WebSocket: the response head is longer than ${MAX_HEAD} bytes`, 'ERR_WS_HANDSHAKE');
    }
    const head = new TextDecoder('latin1').decode(buf.subarray(0, end));
    const rest = buf.subarray(end + 4);
    const lines = head.split('\r\n');
    const m = /^HTTP\/1\.1 (\d{3})(?: (.*))?$/.exec(lines[0]);
    if (!m) throw new WebSocketError(`WebSocket: not an HTTP/1.1 response: ${JSON.stringify(lines[0].slice(0, 80))}`, 'ERR_WS_HANDSHAKE');
    // RFC 6455 4.1: "If the status code received from the server is not 101,
    // the client handles the response per HTTP procedures" - for a WebSocket
    // that is a failure (WHATWG Fetch, "obtain a WebSocket connection").
    if (m[1] !== '101')
      throw new WebSocketError(`WebSocket: the server answered ${m[1]} ${m[2] ?? ''} instead of 101`.trimEnd(), 'ERR_WS_HANDSHAKE');
    if (lines.length - 1 > MAX_HEADERS)
      throw new WebSocketError(`WebSocket: more than ${MAX_HEADERS} response header fields`, 'ERR_WS_HANDSHAKE');
    const fields = new Map<string, string[]>();
    for (const line of lines.slice(1)) {
      const i = line.indexOf(':');
      if (i <= 0 || !TOKEN.test(line.slice(0, i)))
        throw new WebSocketError(`WebSocket: malformed response header line ${JSON.stringify(line.slice(0, 80))}`, 'ERR_WS_HANDSHAKE');
      const name = line.slice(0, i).toLowerCase();
      const list = fields.get(name) ?? [];
      list.push(line.slice(i + 1).trim());
      fields.set(name, list);
    }
    const tokens = (name: string): string[] =>
      (fields.get(name) ?? [])
        .join(',')
        .split(',')
        .map((t) => t.trim().toLowerCase())
        .filter((t) => t !== '');
    // RFC 6455 4.1, the client's checks of the server's handshake, items 2-6.
    const upgrade = tokens('upgrade');
    if (upgrade.length !== 1 || upgrade[0] !== 'websocket')
      throw new WebSocketError("WebSocket: the response's Upgrade is not 'websocket'", 'ERR_WS_HANDSHAKE');
    if (!tokens('connection').includes('upgrade'))
      throw new WebSocketError("WebSocket: the response's Connection has no 'Upgrade' token", 'ERR_WS_HANDSHAKE');
    const accept = fields.get('sec-websocket-accept');
    if (accept?.length !== 1 || accept[0] !== (await expected))
      throw new WebSocketError('WebSocket: Sec-WebSocket-Accept is missing or does not match the key', 'ERR_WS_HANDSHAKE');
    if (tokens('sec-websocket-extensions').length > 0)
      throw new WebSocketError('WebSocket: the server accepted extensions that were not offered', 'ERR_WS_HANDSHAKE');
    const proto = fields.get('sec-websocket-protocol');
    if (proto !== undefined) {
      if (proto.length !== 1 || !this.#protocols.includes(proto[0]))
        throw new WebSocketError(
          `WebSocket: the server chose the subprotocol ${JSON.stringify(proto.join(', '))}, which was not offered`,
          'ERR_WS_HANDSHAKE',
        );
      this.#protocol = proto[0];
    } else if (this.#protocols.length > 0) {
      // WHATWG WebSockets, "establish a WebSocket connection": protocols
      // offered and the header absent fails the connection (browsers and
      // undici do; RFC 6455 4.1 alone would let it through).
      throw new WebSocketError(
        `WebSocket: the server chose no subprotocol, and ${JSON.stringify(this.#protocols.join(', '))} were offered`,
        'ERR_WS_HANDSHAKE',
      );
    }
    return rest;
  }

  async #run(): Promise<void> {
    let rest: Uint8Array;
    try {
      rest = await this.#open();
    } catch (e) {
      return this.#finish(ABNORMAL, '', false, this.#aborted ?? asWsError(e, 'ERR_WS_HANDSHAKE'));
    }
    const reader = this.#reader as ReadableStreamDefaultReader<Uint8Array>;
    clearTimeout(this.#openTimer);
    this.#readyState = OPEN;
    this.dispatchEvent(new Event('open'));
    this.#pump();

    const parser = new FrameParser(this.#opts.maxMessageSize ?? 64 * 1024 * 1024);
    let ended = false;
    let readError: unknown;
    try {
      parser.push(rest);
      this.#drain(parser);
      while (!this.#finished && !this.#failure && !this.#closeReceived) {
        const r = await this.#readOrWake(reader);
        if (r === undefined) break; // woken: the loop's condition no longer holds
        if (r.done) {
          ended = true;
          break;
        }
        parser.push(r.value);
        this.#drain(parser);
      }
    } catch (e) {
      readError = e;
    }
    if (this.#finished) return;
    if (this.#failure) return this.#failConnection(this.#failure, reader);
    if (this.#closeReceived) {
      const { code, reason } = this.#closeReceived;
      // RFC 6455 5.5.1: "If an endpoint receives a Close frame and did not
      // previously send a Close frame, the endpoint MUST send a Close frame
      // in response. (When sending a Close frame in response, the endpoint
      // typically echos the status code it received.)"
      if (this.#readyState !== CLOSED) this.#readyState = CLOSING;
      this.#sendClose(code === NO_STATUS ? undefined : code, '');
      await this.#closeWritten;
      this.#writer?.close().catch(ignore);
      if (!ended) await this.#readUntilEnd(reader, TCP_CLOSE_WAIT_MS);
      // RFC 6455 7.1.5/7.1.6: the code and reason of the Close frame received.
      return this.#finish(code, reason, true, undefined);
    }
    // The transport ended or failed without a Close frame: 1006 (RFC 6455 7.1.5).
    if (readError !== undefined) return this.#finish(ABNORMAL, '', false, asWsError(readError, 'ERR_WS_TRANSPORT'));
    this.error = new WebSocketError('WebSocket: the connection ended without a Close frame', 'ERR_WS_TRANSPORT');
    return this.#finish(ABNORMAL, '', false, undefined);
  }

  /** One read, or undefined when something else ended the wait (#wake). */
  #readOrWake(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<ReadableStreamReadResult<Uint8Array> | undefined> {
    return new Promise((resolve, reject) => {
      this.#wake = () => resolve(undefined);
      reader.read().then(resolve, reject);
    }).finally(() => {
      this.#wake = undefined;
    }) as Promise<ReadableStreamReadResult<Uint8Array> | undefined>;
  }

  /** Keep reading (and dropping) until the stream ends or `ms` passed. */
  async #readUntilEnd(reader: ReadableStreamDefaultReader<Uint8Array>, ms: number): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<void>((r) => {
      timer = setTimeout(r, ms);
      unref(timer);
    });
    const drain = (async () => {
      try {
        for (;;) {
          const r = await reader.read();
          if (r.done) return;
        }
      } catch {
        // the end, however it came
      }
    })();
    await Promise.race([drain, timeout]);
    clearTimeout(timer);
  }

  /** RFC 6455 7.1.7 _Fail the WebSocket Connection_: our Close with the
   * code, then the connection closed; the events say 1006 as browsers do. */
  async #failConnection(err: WebSocketError, reader: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
    this.#readyState = CLOSING;
    // Messages not yet written are dropped: only the Close goes out.
    const inFlight = this.#writing ? this.#queue.slice(0, 1) : [];
    for (const q of this.#queue.splice(inFlight.length)) q.done?.();
    this.#sendClose(err.closeCode, '');
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      this.#closeWritten,
      new Promise<void>((r) => {
        timer = setTimeout(r, FAIL_DRAIN_MS);
        unref(timer);
      }),
    ]);
    clearTimeout(timer);
    // Half-close and drain so the Close frame is not lost to a reset.
    this.#writer?.close().catch(ignore);
    await this.#readUntilEnd(reader, FAIL_DRAIN_MS);
    return this.#finish(ABNORMAL, '', false, err);
  }

  /** Handle every whole frame the parser holds. */
  #drain(parser: FrameParser): void {
    try {
      for (let f = parser.next(); f && !this.#closeReceived && !this.#failure && !this.#finished; f = parser.next()) this.#frame(f);
    } catch (e) {
      if (!(e instanceof Violation)) throw e;
      this.#failure = new WebSocketError(`WebSocket: ${e.message}`, 'ERR_WS_PROTOCOL', { closeCode: e.closeCode });
    }
  }

  #frame(f: Frame): void {
    switch (f.opcode) {
      case OP_PING:
        this.#sendPong(f.payload.slice());
        return;
      case OP_PONG:
        return; // unsolicited pongs are allowed and ignored (RFC 6455 5.5.3)
      case OP_CLOSE: {
        const p = f.payload;
        let code = NO_STATUS;
        let reason = '';
        if (p.length === 1) throw new Violation(PROTOCOL_ERROR, 'a Close frame with a 1-byte body');
        if (p.length >= 2) {
          code = (p[0] << 8) | p[1];
          if (!validCloseCode(code)) throw new Violation(PROTOCOL_ERROR, `a Close frame with the invalid code ${code}`);
          try {
            reason = new TextDecoder('utf-8', { fatal: true }).decode(p.subarray(2));
          } catch {
            throw new Violation(INVALID_DATA, 'a Close reason that is not UTF-8');
          }
        }
        this.#closeReceived = { code, reason };
        return;
      }
      default: {
        if (f.opcode !== OP_CONT) this.#messageOp = f.opcode;
        this.#message.push(f.payload);
        if (!f.fin) return;
        const parts = this.#message;
        this.#message = [];
        const data = parts.length === 1 ? parts[0] : concat(parts);
        let value: string | ArrayBuffer | Blob;
        if (this.#messageOp === OP_TEXT) {
          try {
            value = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(data);
          } catch {
            // RFC 6455 8.1: "When an endpoint is to interpret a byte stream
            // as UTF-8 but finds that the byte stream is not, in fact, a
            // valid UTF-8 stream, that endpoint MUST _Fail the WebSocket Connection_."
            throw new Violation(INVALID_DATA, 'a text message that is not UTF-8');
          }
        } else {
          const ab = data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer;
          value = this.#binaryType === 'blob' ? new Blob([ab]) : ab;
        }
        // WHATWG: messages arriving once the state is not OPEN are dropped.
        if (this.#readyState === OPEN) this.dispatchEvent(messageEvent(value, this.#origin));
      }
    }
  }

  /** The end: close the transport, then `error` (when failed) and `close`. Runs once. */
  #finish(code: number, reason: string, wasClean: boolean, err: WebSocketError | undefined): void {
    if (this.#finished) return;
    this.#finished = true;
    if (this.#closeTimer !== undefined) clearTimeout(this.#closeTimer);
    clearTimeout(this.#openTimer);
    this.#wake?.();
    for (const q of this.#queue.splice(0)) q.done?.();
    this.#reader?.cancel().catch(ignore);
    this.#writer?.abort().catch(ignore);
    this.#stream?.close().catch(ignore);
    this.#transport?.close().catch(ignore);
    this.#readyState = CLOSED;
    if (err) {
      this.error = err;
      this.dispatchEvent(new Event('error'));
    }
    this.dispatchEvent(closeEvent(code, reason, wasClean));
  }
}

function concat(parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function aborted(): WebSocketError {
  return new WebSocketError('WebSocket: closed before the connection was established', 'ERR_WS_ABORTED');
}

function asWsError(e: unknown, code: string): WebSocketError {
  if (e instanceof WebSocketError) return e;
  return new WebSocketError(`WebSocket: ${messageOf(e)}`, code, { cause: e });
}

function unref(t: unknown): void {
  (t as { unref?: () => void }).unref?.();
}

/**
 * A `WebSocket` class whose connections go through `options.connect`, with
 * the TLS options for `wss:`. `new` on it takes the browser's arguments.
 *
 * @example
 * ```ts
 * import { createWebSocket } from 'wasmtls/websocket';
 * import { connectTcp } from 'wasmtls/adapters/node-socket';
 * const WebSocket = createWebSocket({ connect: (host, port) => connectTcp({ host, port }), ca });
 * const ws = new WebSocket('wss://localhost:8443/');
 * ws.binaryType = 'arraybuffer';
 * ws.onopen = () => ws.send(new Uint8Array([1, 2, 3]));
 * ```
 */
export function createWebSocket(options: WebSocketOptions): WebSocketClass {
  if (typeof options?.connect !== 'function')
    throw new TypeError('createWebSocket: options.connect must be a function (host, port) => Transport');
  const o = { ...options };
  class WebSocket extends WasmtlsWebSocket {
    constructor(url: string | URL, protocols?: string | readonly string[]) {
      super(o, url, protocols);
    }
  }
  return WebSocket as unknown as WebSocketClass;
}

/** Options of {@link wispWebSocket}. */
export interface WispWebSocketOptions extends Omit<WebSocketOptions, 'connect'> {
  /** The WebSocket constructor that reaches the Wisp server (default the
   * global `WebSocket`; npm `ws`'s in Node 20). */
  WebSocket?: WebSocketConstructor;
  /** Options of the {@link WispClient}. */
  wisp?: WispClientOptions;
}

/** The class {@link wispWebSocket} returns: a WebSocket class with a `close()` for its Wisp connection. */
export interface WispWebSocketClass extends WebSocketClass {
  /** Close the shared Wisp connection: WebSockets still open through it end
   * with close 1006. A WebSocket made later opens a new one. */
  close(): Promise<void>;
}

/**
 * A `WebSocket` class whose connections are Wisp streams through the Wisp
 * server at `wispUrl`: one WispClient (one WebSocket to the server) carries
 * them all, opened on first use and again after it closed; the class's
 * `close()` closes it.
 *
 * @example
 * ```ts
 * import { wispWebSocket } from 'wasmtls/websocket';
 * const WebSocket = wispWebSocket('wss://proxy.example/wisp/', { ca: rootsPem });
 * const ws = new WebSocket('wss://echo.example/');
 * ws.onopen = () => ws.send('hi');
 * ws.onmessage = (ev) => console.log(ev.data);
 * ```
 */
export function wispWebSocket(wispUrl: string | URL, options: WispWebSocketOptions = {}): WispWebSocketClass {
  const { WebSocket: WS, wisp: wispOptions, ...rest } = options;
  const Ctor = WS ?? (globalThis as { WebSocket?: new (url: string) => WebSocketLike }).WebSocket;
  if (typeof Ctor !== 'function')
    throw new TypeError('wispWebSocket: no WebSocket constructor: pass options.WebSocket (npm ws in Node 20)');
  let client: WispClient | undefined;
  const connect: ConnectFunction = async (host, port) => {
    if (!client) {
      const c = new WispClient(new Ctor(String(wispUrl)), wispOptions);
      client = c;
      c.closed.then(() => {
        if (client === c) client = undefined;
      });
    }
    const c = client;
    try {
      await c.ready;
    } catch (e) {
      if (client === c) client = undefined;
      throw e;
    }
    return c.connect(host, port);
  };
  const WebSocket = createWebSocket({ ...rest, connect });
  return Object.assign(WebSocket, {
    close: async (): Promise<void> => {
      const c = client;
      client = undefined;
      await c?.close();
    },
  });
}
