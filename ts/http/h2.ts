/**
 * HTTP/2 client sessions (RFC 9113) over one byte stream: the connection
 * preface and SETTINGS exchange, multiplexed streams, flow control both
 * ways, HPACK (./hpack.ts), PING, GOAWAY and RST_STREAM, and the limits a
 * client needs against a hostile server. One {@link H2Session} is one
 * connection to one origin; `fetch.ts` shares it between requests.
 *
 * Flow control follows the reader: the window of a response body's stream
 * is given back only for bytes the application has taken from its
 * ReadableStream, so an unread body stops the server once the window is
 * used up (RFC 9113 5.2.2: "the receiver can ... use flow control to limit
 * the amount of data it is willing to buffer"). The connection window is
 * given back as DATA arrives, so one unread body never stalls the others.
 * What a session buffers is then bounded by the stream window per open
 * stream, plus the header and control-frame limits below.
 * @module
 */
import { HpackDecoder, HpackEncoder, HpackError } from './hpack.js';
import { type HttpRequest, type HttpResponse, type HttpSession, type HttpStream, HttpUnprocessedError } from './types.js';

/** RFC 9113 11.4: error codes. */
export const H2_ERROR = /* @__PURE__ */ Object.freeze({
  NO_ERROR: 0x0,
  PROTOCOL_ERROR: 0x1,
  INTERNAL_ERROR: 0x2,
  FLOW_CONTROL_ERROR: 0x3,
  SETTINGS_TIMEOUT: 0x4,
  STREAM_CLOSED: 0x5,
  FRAME_SIZE_ERROR: 0x6,
  REFUSED_STREAM: 0x7,
  CANCEL: 0x8,
  COMPRESSION_ERROR: 0x9,
  CONNECT_ERROR: 0xa,
  ENHANCE_YOUR_CALM: 0xb,
  INADEQUATE_SECURITY: 0xc,
  HTTP_1_1_REQUIRED: 0xd,
});
export type H2ErrorName = keyof typeof H2_ERROR;

/** The name of an HTTP/2 error code (`UNKNOWN_0x..` for one outside the registry). */
export function h2ErrorName(code: number): string {
  for (const [k, v] of Object.entries(H2_ERROR)) if (v === code) return k;
  return `UNKNOWN_0x${code.toString(16)}`;
}

/**
 * An HTTP/2 connection or stream error. `errorCode` is the RFC 9113 name
 * (`PROTOCOL_ERROR`, `FLOW_CONTROL_ERROR`, ...); `code` is
 * `ERR_HTTP2_` + that name; `remote` says the server sent it (GOAWAY or
 * RST_STREAM) rather than us finding it.
 */
export class Http2Error extends Error {
  /** `ERR_HTTP2_` + {@link errorCode}, in the style of Node's error codes. */
  readonly code: string;
  /** The RFC 9113 name of the error code (`PROTOCOL_ERROR`, ...). */
  readonly errorCode: string;
  /** The error code's number (RFC 9113 7). */
  readonly h2Code: number;
  /** The server sent it (GOAWAY or RST_STREAM); false when we found the fault. */
  readonly remote: boolean;
  constructor(h2Code: number, message: string, options?: { remote?: boolean; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'Http2Error';
    this.h2Code = h2Code;
    this.errorCode = h2ErrorName(h2Code);
    this.code = `ERR_HTTP2_${this.errorCode}`;
    this.remote = options?.remote ?? false;
  }
}

// RFC 9113 6: frame types.
const DATA = 0x0,
  HEADERS = 0x1,
  PRIORITY = 0x2,
  RST_STREAM = 0x3,
  SETTINGS = 0x4,
  PUSH_PROMISE = 0x5,
  PING = 0x6,
  GOAWAY = 0x7,
  WINDOW_UPDATE = 0x8,
  CONTINUATION = 0x9;
// Flags.
const END_STREAM = 0x1,
  ACK = 0x1,
  END_HEADERS = 0x4,
  PADDED = 0x8,
  PRIORITY_FLAG = 0x20;
// RFC 9113 6.5.2: settings.
const S_HEADER_TABLE_SIZE = 0x1,
  S_ENABLE_PUSH = 0x2,
  S_MAX_CONCURRENT_STREAMS = 0x3,
  S_INITIAL_WINDOW_SIZE = 0x4,
  S_MAX_FRAME_SIZE = 0x5,
  S_MAX_HEADER_LIST_SIZE = 0x6;

/** RFC 9113 3.4: "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n". */
const PREFACE = /* @__PURE__ */ new TextEncoder().encode('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
const MAX_WINDOW = 0x7fffffff;
const DEFAULT_WINDOW = 65535;
const MIN_FRAME = 16384;
const MAX_FRAME = 0xffffff;
const MAX_STREAM_ID = 0x7fffffff;
/** Control frames (PING, SETTINGS, RST_STREAM, empty DATA, ...) a server
 * may send per {@link FLOOD_WINDOW_MS} before we call it a flood: far above
 * what a well-behaved server sends, low enough to bound the work and the
 * answers queued for it (nghttp2 answers a flood of the same frames with
 * ENHANCE_YOUR_CALM too). */
const FLOOD_LIMIT = 1000;
const FLOOD_WINDOW_MS = 10_000;
/** Answers (PING and SETTINGS ACKs, RST_STREAM) we keep queued unwritten
 * at most: a server that never reads but keeps asking is stopped. */
const MAX_PENDING_ANSWERS = 1000;
/** Streams one session opens at most, whatever the server allows. */
const MAX_OPEN_STREAMS = 256;
/** How long a closing session waits for its last frames to be written. */
const CLOSE_FLUSH_MS = 2000;

/** Options of {@link H2Session}. */
export interface H2SessionOptions {
  /** Our SETTINGS_INITIAL_WINDOW_SIZE: bytes of one response body the
   * server may send ahead of the reader (default 1 MiB). */
  windowSize?: number;
  /** The connection window: bytes of all bodies together the server may
   * send ahead of our WINDOW_UPDATE, given back as they arrive (default 4 MiB). */
  connectionWindowSize?: number;
  /** Our SETTINGS_MAX_FRAME_SIZE (default 16384, RFC 9113's initial value). */
  maxFrameSize?: number;
  /** Our SETTINGS_MAX_HEADER_LIST_SIZE: a response whose header section
   * decodes to more (names, values, 32 per field) fails (default 64 KiB). */
  maxHeaderListSize?: number;
  /** Our SETTINGS_HEADER_TABLE_SIZE (default 4096). */
  headerTableSize?: number;
  /** Called when a stream slot frees up or the server allows more streams
   * (the pool then hands this session its waiting requests). */
  onAvailable?: () => void;
  /** Close the session (GOAWAY) after this many ms without a stream
   * (default: never; `fetch` passes its `idleTimeout`). */
  idleTimeout?: number;
  /** Milliseconds to wait for the server's SETTINGS and its ACK of ours
   * before a SETTINGS_TIMEOUT connection error (RFC 9113 6.5.3; default 10000). */
  settingsTimeout?: number;
}

/** A request body ended with a length other than the one announced. */
class BodyLengthError extends TypeError {}

interface Stream {
  id: number;
  req: HttpRequest;
  resolve(res: HttpResponse): void;
  reject(err: unknown): void;
  /** Response head arrived (final). */
  headed: boolean;
  /** Body controller once headed. */
  body?: ReadableStreamDefaultController<Uint8Array>;
  /** DATA not yet given to the reader. */
  queue: Uint8Array[];
  queued: number;
  /** A reader waits (pull() returned a pending promise). */
  wake?: () => void;
  /** Window we granted and the server has not used yet. */
  recvWindow: number;
  /** Bytes taken by the reader but not yet given back by WINDOW_UPDATE. */
  unacked: number;
  sendWindow: number;
  /** The server ended its side (END_STREAM). */
  remoteEnded: boolean;
  /** We ended our side. */
  localEnded: boolean;
  /** content-length of the response, when given and meaningful. */
  expectLength: number | undefined;
  received: number;
  /** A HEAD request or a 204/304: no body by definition. */
  noBody: boolean;
  done: boolean;
  onAbort?: () => void;
}

/** A simple FIFO of byte chunks with cheap reads across chunk borders. */
class ByteQueue {
  private chunks: Uint8Array[] = [];
  private head = 0;
  length = 0;
  push(c: Uint8Array): void {
    if (c.length === 0) return;
    this.chunks.push(c);
    this.length += c.length;
  }
  /** Byte at `i` from the front. */
  at(i: number): number {
    let j = this.head;
    for (const c of this.chunks) {
      const n = c.length - j;
      if (i < n) return c[j + i];
      i -= n;
      j = 0;
    }
    throw new RangeError('ByteQueue: out of range');
  }
  /** Take `n` bytes off the front (a view when they lie in one chunk). */
  take(n: number): Uint8Array {
    const first = this.chunks[0];
    if (first && first.length - this.head >= n) {
      const v = first.subarray(this.head, this.head + n);
      this.head += n;
      if (this.head === first.length) {
        this.chunks.shift();
        this.head = 0;
      }
      this.length -= n;
      return v;
    }
    const out = new Uint8Array(n);
    let o = 0;
    while (o < n) {
      const c = this.chunks[0];
      const k = Math.min(c.length - this.head, n - o);
      out.set(c.subarray(this.head, this.head + k), o);
      o += k;
      this.head += k;
      if (this.head === c.length) {
        this.chunks.shift();
        this.head = 0;
      }
    }
    this.length -= n;
    return out;
  }
}

function frame(type: number, flags: number, stream: number, payload: Uint8Array = new Uint8Array(0)): Uint8Array {
  const f = new Uint8Array(9 + payload.length);
  const n = payload.length;
  f[0] = n >>> 16;
  f[1] = (n >>> 8) & 0xff;
  f[2] = n & 0xff;
  f[3] = type;
  f[4] = flags;
  const id = stream & MAX_STREAM_ID;
  f[5] = id >>> 24;
  f[6] = (id >>> 16) & 0xff;
  f[7] = (id >>> 8) & 0xff;
  f[8] = id & 0xff;
  if (n > 0) f.set(payload, 9);
  return f;
}

function u32s(...v: number[]): Uint8Array {
  const b = new Uint8Array(v.length * 4);
  const dv = new DataView(b.buffer);
  v.forEach((x, i) => {
    dv.setUint32(i * 4, x >>> 0);
  });
  return b;
}

/** RFC 9113 8.2.2: connection-specific fields a message must not carry. */
const CONNECTION_SPECIFIC = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade']);
/** RFC 9113 8.2.1: a field name is lower-case token characters (no
 * controls, space, upper case, DEL or non-ASCII) and not empty. */
const BAD_NAME = /[^!#$%&'*+\-.^_`|~0-9a-z]/;
/** RFC 9113 8.2.1: a value has no NUL, CR or LF and no leading or trailing space or tab. */
const BAD_VALUE = /[\0\r\n]|^[ \t]|[ \t]$/;

const ignore = (): void => {};
/** A content-length value we take (at most 15 digits: a safe integer). */
const DIGITS = /^\d{1,15}$/;

/**
 * One HTTP/2 connection (RFC 9113), client side, over a byte stream that
 * ALPN (or prior knowledge) said speaks `h2`.
 *
 * @example
 * ```ts
 * const tls = connect({ transport, host, ALPNProtocols: ['h2'], ca });
 * if ((await tls.opened).alpnProtocol === 'h2') {
 *   const session = new H2Session(tls);
 *   const res = await session.request({ method: 'GET', url: new URL('https://example.com/'),
 *     headers: [], body: null, bodyLength: undefined, signal: undefined });
 * }
 * ```
 */
export class H2Session implements HttpSession {
  readonly protocol = 'h2' as const;
  readonly closed: Promise<void>;
  private readonly io: HttpStream;
  private readonly writer: WritableStreamDefaultWriter<Uint8Array>;
  private readonly encoder = new HpackEncoder();
  private readonly decoder: HpackDecoder;
  private readonly streams = new Map<number, Stream>();
  private nextId = 1;
  /** Highest stream id we opened (frames on higher odd ids are for idle streams). */
  private lastOpened = 0;
  // Our settings.
  private readonly windowSize: number;
  private readonly connWindowSize: number;
  private readonly maxFrameIn: number;
  private readonly maxHeaderListSize: number;
  // The server's settings.
  private peerMaxConcurrent = 100;
  private peerInitialWindow = DEFAULT_WINDOW;
  private peerMaxFrame = MIN_FRAME;
  private peerSettingsSeen = false;
  private peerSettings: Promise<void>;
  private resolvePeerSettings!: () => void;
  // Flow control, connection level.
  private connSend = DEFAULT_WINDOW;
  private connRecv: number;
  private connUnacked = 0;
  private windowWaiters: Array<() => void> = [];
  // Header block being assembled (HEADERS + CONTINUATION).
  private block: { stream: number; flags: number; parts: Uint8Array[]; size: number; frames: number } | undefined;
  // Requests waiting for a stream slot.
  private waiting: Array<{ go: () => void; fail: (e: unknown) => void }> = [];
  private goaway: { lastStreamId: number; code: number } | undefined;
  private error: Error | undefined;
  private ended = false;
  private resolveClosed!: () => void;
  /** Settles when the read side has ended. */
  private readonly drained: Promise<void>;
  private resolveDrained!: () => void;
  private pings = new Map<string, { resolve: (ms: number) => void; reject: (e: unknown) => void; t0: number }>();
  private flood = { count: 0, since: Date.now() };
  private pendingAnswers = 0;
  private readonly onAvailable: (() => void) | undefined;
  private readonly idleMs: number | undefined;
  private idleTimer: ReturnType<typeof setTimeout> | undefined;
  private settingsTimer: ReturnType<typeof setTimeout> | undefined;
  private settingsAcked = false;

  constructor(io: HttpStream, options: H2SessionOptions = {}) {
    this.io = io;
    this.windowSize = options.windowSize ?? 1 << 20;
    this.connWindowSize = Math.max(options.connectionWindowSize ?? 4 << 20, DEFAULT_WINDOW);
    this.maxFrameIn = options.maxFrameSize ?? MIN_FRAME;
    this.maxHeaderListSize = options.maxHeaderListSize ?? 64 * 1024;
    const table = options.headerTableSize ?? 4096;
    if (this.windowSize < 0 || this.windowSize > MAX_WINDOW) throw new RangeError('H2Session: windowSize must be 0..2^31-1');
    if (this.connWindowSize > MAX_WINDOW) throw new RangeError('H2Session: connectionWindowSize must be at most 2^31-1');
    if (this.maxFrameIn < MIN_FRAME || this.maxFrameIn > MAX_FRAME) throw new RangeError('H2Session: maxFrameSize must be 16384..16777215');
    this.decoder = new HpackDecoder({ maxTableSize: table, maxHeaderListSize: this.maxHeaderListSize });
    this.connRecv = this.connWindowSize;
    this.onAvailable = options.onAvailable;
    // RFC 9113 6.5.3: "If the sender of a SETTINGS frame does not receive an
    // acknowledgment within a reasonable amount of time, it MAY issue a
    // connection error of type SETTINGS_TIMEOUT"; a server that sends no
    // SETTINGS at all is not speaking HTTP/2 either. Either way no request hangs.
    this.settingsTimer = setTimeout(() => {
      this.settingsTimer = undefined;
      const what = this.peerSettingsSeen ? 'no ACK of our SETTINGS' : 'no SETTINGS from the server';
      this.connectionError(H2_ERROR.SETTINGS_TIMEOUT, `${what} within ${options.settingsTimeout ?? 10_000} ms`);
    }, options.settingsTimeout ?? 10_000);
    (this.settingsTimer as { unref?: () => void }).unref?.();
    this.idleMs = options.idleTimeout;
    this.closed = new Promise((r) => {
      this.resolveClosed = r;
    });
    this.drained = new Promise((r) => {
      this.resolveDrained = r;
    });
    this.peerSettings = new Promise((r) => {
      this.resolvePeerSettings = r;
    });
    this.writer = io.writable.getWriter();
    // RFC 9113 3.4: the preface, then our SETTINGS (6.5.2), then the
    // connection window beyond its initial 65535 (6.9.2: only WINDOW_UPDATE changes it).
    const settings = new Uint8Array(30);
    const dv = new DataView(settings.buffer);
    [
      [S_ENABLE_PUSH, 0],
      [S_INITIAL_WINDOW_SIZE, this.windowSize],
      [S_MAX_FRAME_SIZE, this.maxFrameIn],
      [S_MAX_HEADER_LIST_SIZE, this.maxHeaderListSize],
      [S_HEADER_TABLE_SIZE, table],
    ].forEach(([id, v], i) => {
      dv.setUint16(i * 6, id);
      dv.setUint32(i * 6 + 2, v);
    });
    this.write(PREFACE);
    this.write(frame(SETTINGS, 0, 0, settings));
    if (this.connWindowSize > DEFAULT_WINDOW) this.write(frame(WINDOW_UPDATE, 0, 0, u32s(this.connWindowSize - DEFAULT_WINDOW)));
    void this.readLoop();
  }

  /** See {@link HttpSession.available}. */
  get available(): boolean {
    return !this.ended && !this.goaway && this.nextId <= MAX_STREAM_ID && this.streams.size + this.queued < this.peerMaxConcurrent;
  }

  /** Streams open now (for tests and the pool's accounting). */
  get openStreams(): number {
    return this.streams.size;
  }

  /** Send a PING (RFC 9113 6.7) and resolve with the round trip in ms. */
  ping(): Promise<number> {
    if (this.ended) return Promise.reject(this.error ?? new Error('HTTP/2 session closed'));
    if (this.pings.size >= 10) return Promise.reject(new Error('HTTP/2: 10 PINGs already outstanding'));
    const data = crypto.getRandomValues(new Uint8Array(8));
    const key = Array.from(data).join(',');
    return new Promise((resolve, reject) => {
      this.pings.set(key, { resolve, reject, t0: Date.now() });
      this.write(frame(PING, 0, 0, data));
    });
  }

  /** See {@link HttpSession.request}. */
  request(req: HttpRequest): Promise<HttpResponse> {
    // The usual case: the server's SETTINGS are in and a stream slot is
    // free, so the stream opens now, without the awaits of ready() (three
    // promise hops per request; the slow path below gives the same result).
    if (
      this.peerSettingsSeen &&
      !this.ended &&
      !this.goaway &&
      this.waiting.length === 0 &&
      this.streams.size < this.peerMaxConcurrent &&
      this.nextId <= MAX_STREAM_ID &&
      !req.signal?.aborted
    ) {
      this.stopIdle();
      try {
        return this.open(req);
      } catch (e) {
        return Promise.reject(e);
      }
    }
    return this.requestSlow(req);
  }

  private async requestSlow(req: HttpRequest): Promise<HttpResponse> {
    // Counted in `available` until it has a stream (or failed).
    this.queued++;
    this.stopIdle();
    // Uncounted the moment the stream opens (it is then in `streams`), not
    // after ready()'s promise settles a microtask later: counted twice
    // meanwhile, 200 requests opened in one turn looked like 256 open
    // streams and the pool opened a second connection for the rest.
    let counted = true;
    const unqueue = (): void => {
      if (counted) {
        counted = false;
        this.queued--;
      }
    };
    let opened: { response: Promise<HttpResponse> };
    try {
      opened = await this.ready(req, unqueue);
    } finally {
      unqueue();
    }
    return opened.response;
  }

  /** Requests waiting for the server's SETTINGS or a stream slot. */
  private queued = 0;

  /** Wait for the server's SETTINGS and a free stream slot, then open the
   * stream in the same turn as the check (wrapped: an async function would
   * wait for the response itself). */
  private async ready(req: HttpRequest, unqueue: () => void): Promise<{ response: Promise<HttpResponse> }> {
    req.signal?.throwIfAborted();
    if (this.ended) throw new HttpUnprocessedError('HTTP/2 session closed before the request was sent', { cause: this.error });
    if (!this.peerSettingsSeen) {
      // The server's SETTINGS (its preface) tell how many streams it
      // takes; opening streams before them risks REFUSED_STREAM.
      await this.wait(this.peerSettings, req.signal);
    }
    while (this.streams.size >= this.peerMaxConcurrent || this.goaway || this.ended) {
      if (this.goaway || this.ended) {
        throw new HttpUnprocessedError('HTTP/2 session going away: request not sent', { cause: this.error });
      }
      // SETTINGS_MAX_CONCURRENT_STREAMS (RFC 9113 5.1.2): wait for a slot.
      let entry!: H2Session['waiting'][number];
      const slot = new Promise<void>((go, fail) => {
        entry = { go, fail };
        this.waiting.push(entry);
      });
      try {
        await this.wait(slot, req.signal);
      } finally {
        const i = this.waiting.indexOf(entry);
        if (i >= 0) this.waiting.splice(i, 1);
      }
    }
    if (this.nextId > MAX_STREAM_ID) throw new HttpUnprocessedError('HTTP/2 stream ids exhausted: open a new connection');
    unqueue();
    return { response: this.open(req) };
  }

  /** Await `p`, rejecting early on `signal`. */
  private async wait(p: Promise<void>, signal: AbortSignal | undefined): Promise<void> {
    if (!signal) return p;
    signal.throwIfAborted();
    let off = ignore;
    const aborted = new Promise<never>((_, reject) => {
      const on = (): void => reject(signal.reason);
      signal.addEventListener('abort', on, { once: true });
      off = () => signal.removeEventListener('abort', on);
    });
    try {
      await Promise.race([p, aborted]);
    } finally {
      off();
    }
  }

  private open(req: HttpRequest): Promise<HttpResponse> {
    const url = req.url;
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new TypeError(`HTTP/2: cannot request ${url.protocol} URLs`);
    if (req.method === 'CONNECT') throw new TypeError('HTTP/2: CONNECT is not supported');
    // RFC 9113 8.3.1: the control data as pseudo-header fields, first.
    const headers: Array<[string, string]> = [
      [':method', req.method],
      [':scheme', url.protocol.slice(0, -1)],
      [':authority', url.host],
      [':path', `${url.pathname || '/'}${url.search}`],
    ];
    for (const [rawName, value] of req.headers) {
      const name = rawName.toLowerCase();
      if (name === 'host' || name === 'content-length' || CONNECTION_SPECIFIC.has(name)) continue;
      // RFC 9113 8.2.2: "the TE header field ... MUST NOT contain any value other than 'trailers'".
      if (name === 'te') {
        if (value.trim().toLowerCase() !== 'trailers') throw new TypeError(`HTTP/2: te: ${value} is not allowed (only "trailers")`);
      }
      if (BAD_NAME.test(name) || name.startsWith(':')) throw new TypeError(`HTTP/2: invalid header name ${JSON.stringify(rawName)}`);
      if (BAD_VALUE.test(value)) throw new TypeError(`HTTP/2: invalid value for header ${name}`);
      headers.push([name, value]);
    }
    if (req.bodyLength !== undefined && (req.body || req.bodyLength > 0)) headers.push(['content-length', String(req.bodyLength)]);
    const block = this.encoder.encode(headers);
    const id = this.nextId;
    this.nextId += 2;
    this.lastOpened = id;
    return new Promise<HttpResponse>((resolve, reject) => {
      const s: Stream = {
        id,
        req,
        resolve,
        reject,
        headed: false,
        queue: [],
        queued: 0,
        recvWindow: this.windowSize,
        unacked: 0,
        sendWindow: this.peerInitialWindow,
        remoteEnded: false,
        localEnded: !req.body,
        expectLength: undefined,
        received: 0,
        noBody: req.method === 'HEAD',
        done: false,
      };
      this.streams.set(id, s);
      const signal = req.signal;
      if (signal) {
        const on = (): void => this.resetStream(s, H2_ERROR.CANCEL, signal.reason);
        signal.addEventListener('abort', on, { once: true });
        s.onAbort = () => signal.removeEventListener('abort', on);
      }
      this.writeHeaders(id, block, !req.body);
      if (req.body) void this.pumpBody(s, req.body);
    });
  }

  /** HEADERS, then CONTINUATION frames as the server's frame size needs
   * (RFC 9113 6.2, 6.10), written back to back: nothing may come between. */
  private writeHeaders(id: number, block: Uint8Array, endStream: boolean): void {
    const max = this.peerMaxFrame;
    let off = 0;
    let type = HEADERS;
    do {
      const part = block.subarray(off, off + max);
      off += part.length;
      const last = off >= block.length;
      const flags = (last ? END_HEADERS : 0) | (type === HEADERS && endStream ? END_STREAM : 0);
      this.write(frame(type, flags, id, part));
      type = CONTINUATION;
    } while (off < block.length);
  }

  /** Send a request body as DATA within both send windows (RFC 9113 6.9.1). */
  private async pumpBody(s: Stream, body: ReadableStream<Uint8Array>): Promise<void> {
    const reader = body.getReader();
    let sent = 0;
    try {
      for (;;) {
        if (s.done) break;
        const { done, value } = await reader.read();
        if (s.done) break;
        if (done) {
          if (s.req.bodyLength !== undefined && sent !== s.req.bodyLength) {
            throw new BodyLengthError(`HTTP/2: request body was ${sent} bytes, ${s.req.bodyLength} announced`);
          }
          s.localEnded = true;
          await this.writeAwait(frame(DATA, END_STREAM, s.id));
          this.maybeFinish(s);
          return;
        }
        if (!(value instanceof Uint8Array)) throw new TypeError('HTTP/2: request body chunks must be Uint8Array');
        let off = 0;
        while (off < value.length) {
          while (!s.done && !this.ended && (s.sendWindow <= 0 || this.connSend <= 0)) {
            await new Promise<void>((r) => this.windowWaiters.push(r));
          }
          if (s.done || this.ended) return;
          const n = Math.min(value.length - off, s.sendWindow, this.connSend, this.peerMaxFrame);
          s.sendWindow -= n;
          this.connSend -= n;
          await this.writeAwait(frame(DATA, 0, s.id, value.subarray(off, off + n)));
          off += n;
          sent += n;
          if (s.req.bodyLength !== undefined && sent > s.req.bodyLength) {
            throw new BodyLengthError(`HTTP/2: request body is longer than the ${s.req.bodyLength} bytes announced`);
          }
        }
      }
    } catch (e) {
      if (!s.done) this.resetStream(s, H2_ERROR.CANCEL, e);
    } finally {
      if (s.done) reader.cancel().catch(ignore);
      reader.releaseLock();
    }
  }

  /** See {@link HttpSession.close}: GOAWAY(NO_ERROR), then close. */
  async close(): Promise<void> {
    if (!this.ended) {
      this.write(frame(GOAWAY, 0, 0, u32s(0, H2_ERROR.NO_ERROR)));
      this.shutdown(new Error('HTTP/2 session closed'), true);
    }
    await this.closed;
  }

  // ---- writing ----
  //
  // Frames are not written one by one: each `writer.write()` of a TLS
  // stream is one TLS record, one Wisp DATA packet and one WebSocket
  // message, and the peer pays for each (200 requests opened at once were
  // 200 records of one HEADERS frame each). Frames produced in one turn go
  // into `out` and leave as one write, a microtask later; while that write
  // is in flight (the transport has not taken it yet) further frames
  // gather behind it and leave together once it has. The order of frames
  // is the order of the calls (a header block's CONTINUATIONs stay right
  // behind its HEADERS, RFC 9113 6.10), and at most one write is pending
  // on the stream: the transport's backpressure holds the queue back.

  /** Frames waiting for the next write. */
  private out: Uint8Array[] = [];
  private outBytes = 0;
  /** Settled with the write that carries the frames now in `out`. */
  private outWaiters: Array<{ resolve: () => void; reject: (e: unknown) => void }> = [];
  /** Answers (see {@link answer}) among the frames in `out`. */
  private outAnswers = 0;
  /** A flush is scheduled or a write is in flight. */
  private flushing = false;

  private enqueue(bytes: Uint8Array): void {
    this.out.push(bytes);
    this.outBytes += bytes.length;
    if (!this.flushing) {
      this.flushing = true;
      queueMicrotask(() => this.flush());
    }
  }

  /** Write what `out` holds as one chunk; once the transport took it, go on with what gathered meanwhile. */
  private flush(): void {
    if (this.out.length === 0) {
      this.flushing = false;
      return;
    }
    const done = this.writeOut();
    done.then(
      () => this.flush(),
      () => this.flush(),
    );
  }

  /** Hand `out` to the writer now (in order behind any write in flight). */
  private writeOut(): Promise<void> {
    const parts = this.out,
      n = this.outBytes,
      waiters = this.outWaiters,
      answers = this.outAnswers;
    this.out = [];
    this.outBytes = 0;
    this.outWaiters = [];
    this.outAnswers = 0;
    let all = parts[0];
    if (parts.length > 1) {
      all = new Uint8Array(n);
      let o = 0;
      for (const part of parts) {
        all.set(part, o);
        o += part.length;
      }
    }
    let p: Promise<void>;
    try {
      p = this.writer.write(all);
    } catch (e) {
      // A writer that throws instead of rejecting (a closed stream in Node 20).
      p = Promise.reject(e);
    }
    return p.then(
      () => {
        this.pendingAnswers -= answers;
        for (const w of waiters) w.resolve();
      },
      (e: unknown) => {
        this.pendingAnswers -= answers;
        for (const w of waiters) w.reject(e);
      },
    );
  }

  /** The session is over: frames not yet written are dropped, their waiters fail. */
  private dropOut(err: unknown): void {
    const waiters = this.outWaiters;
    this.pendingAnswers -= this.outAnswers;
    this.out = [];
    this.outBytes = 0;
    this.outWaiters = [];
    this.outAnswers = 0;
    for (const w of waiters) w.reject(err);
  }

  private write(bytes: Uint8Array): void {
    if (this.writerClosed) return;
    this.enqueue(bytes);
  }

  /** Write `bytes`; settles once the transport took them (a request body's backpressure). */
  private writeAwait(bytes: Uint8Array): Promise<void> {
    if (this.writerClosed) return Promise.reject(this.error ?? new Error('HTTP/2 session closed'));
    return new Promise<void>((resolve, reject) => {
      this.outWaiters.push({ resolve, reject });
      this.enqueue(bytes);
    });
  }

  /** An answer the server asked for (PING/SETTINGS ACK, RST_STREAM): counted while unwritten. */
  private answer(bytes: Uint8Array): void {
    if (this.writerClosed) return;
    if (++this.pendingAnswers > MAX_PENDING_ANSWERS) {
      this.pendingAnswers--;
      this.connectionError(H2_ERROR.ENHANCE_YOUR_CALM, `more than ${MAX_PENDING_ANSWERS} answers queued: the server does not read`);
      return;
    }
    this.outAnswers++;
    this.enqueue(bytes);
  }

  private writerClosed = false;

  // ---- reading ----

  private async readLoop(): Promise<void> {
    const reader = this.io.readable.getReader();
    const q = new ByteQueue();
    let cause: unknown;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        // After our GOAWAY, read on and discard until the server closes (or
        // the transport is closed): closing a TCP socket with unread bytes
        // resets it, and the reset can destroy our GOAWAY before the server reads it.
        if (this.ended) continue;
        q.push(value);
        while (!this.ended && q.length >= 9) {
          const len = (q.at(0) << 16) | (q.at(1) << 8) | q.at(2);
          const type = q.at(3);
          // RFC 9113 3.4: the server's preface is a SETTINGS frame.
          if (!this.peerSettingsSeen && type !== SETTINGS) {
            this.connectionError(
              H2_ERROR.PROTOCOL_ERROR,
              `the server's first frame is type ${type}, not SETTINGS (is it an HTTP/2 server?)`,
            );
            break;
          }
          // RFC 9113 4.2: "An endpoint MUST send an error code of
          // FRAME_SIZE_ERROR if a frame exceeds the size defined in SETTINGS_MAX_FRAME_SIZE".
          if (len > this.maxFrameIn) {
            this.connectionError(H2_ERROR.FRAME_SIZE_ERROR, `frame of ${len} bytes exceeds our SETTINGS_MAX_FRAME_SIZE ${this.maxFrameIn}`);
            break;
          }
          if (q.length < 9 + len) break;
          const head = q.take(9);
          const flags = head[4];
          const id = ((head[5] << 24) | (head[6] << 16) | (head[7] << 8) | head[8]) & MAX_STREAM_ID;
          const payload = q.take(len);
          this.onFrame(type, flags, id, payload);
        }
      }
    } catch (e) {
      cause = e;
    } finally {
      reader.releaseLock?.();
      this.resolveDrained();
    }
    if (!this.ended) {
      const err = new Error(
        cause ? `HTTP/2 connection failed: ${(cause as Error).message ?? cause}` : 'HTTP/2 connection closed by the server',
        {
          cause,
        },
      );
      this.shutdown(err, false);
    }
  }

  private onFrame(type: number, flags: number, id: number, p: Uint8Array): void {
    // RFC 9113 6.10: "If the END_HEADERS flag is not set, this frame MUST be
    // followed by another CONTINUATION frame" on the same stream.
    if (this.block && type !== CONTINUATION) {
      this.connectionError(H2_ERROR.PROTOCOL_ERROR, `frame type ${type} in the middle of a header block (CONTINUATION expected)`);
      return;
    }
    switch (type) {
      case DATA: {
        this.onData(flags, id, p);
        return;
      }
      case HEADERS: {
        this.onHeaders(flags, id, p);
        return;
      }
      case PRIORITY:
        // RFC 9113 6.3: deprecated; checked for size, otherwise ignored.
        if (id === 0) {
          this.connectionError(H2_ERROR.PROTOCOL_ERROR, 'PRIORITY on stream 0');
          return;
        }
        if (p.length !== 5) this.streamErrorById(id, H2_ERROR.FRAME_SIZE_ERROR, 'PRIORITY frame not 5 bytes');
        return;
      case RST_STREAM: {
        this.onRstStream(id, p);
        return;
      }
      case SETTINGS: {
        this.onSettings(flags, id, p);
        return;
      }
      case PUSH_PROMISE: // RFC 9113 8.4: we sent SETTINGS_ENABLE_PUSH 0.
        {
          this.connectionError(H2_ERROR.PROTOCOL_ERROR, 'PUSH_PROMISE received with push disabled');
          return;
        }
      case PING: {
        this.onPing(flags, id, p);
        return;
      }
      case GOAWAY: {
        this.onGoaway(id, p);
        return;
      }
      case WINDOW_UPDATE: {
        this.onWindowUpdate(id, p);
        return;
      }
      case CONTINUATION: {
        this.onContinuation(flags, id, p);
        return;
      }
      default:
        // RFC 9113 5.5: "Implementations MUST ignore unknown or unsupported values".
        return;
    }
  }

  /** Count a frame that costs us work but carries no data. */
  private floodCheck(what: string): boolean {
    const now = Date.now();
    if (now - this.flood.since > FLOOD_WINDOW_MS) this.flood = { count: 0, since: now };
    if (++this.flood.count > FLOOD_LIMIT) {
      this.connectionError(H2_ERROR.ENHANCE_YOUR_CALM, `${what}: more than ${FLOOD_LIMIT} control frames in ${FLOOD_WINDOW_MS / 1000} s`);
      return false;
    }
    return true;
  }

  /** Strip padding (RFC 9113 6.1, 6.2); undefined after a connection error. */
  private unpad(flags: number, p: Uint8Array, what: string): Uint8Array | undefined {
    if (!(flags & PADDED)) return p;
    if (p.length < 1 || p[0] >= p.length) {
      // "If the length of the padding is the length of the frame payload or
      // greater, the recipient MUST treat this as a connection error of type PROTOCOL_ERROR."
      this.connectionError(H2_ERROR.PROTOCOL_ERROR, `${what}: padding longer than the frame`);
      return undefined;
    }
    return p.subarray(1, p.length - p[0]);
  }

  /** The stream a frame names, or undefined when it is closed; a
   * connection error when it is idle (never opened). */
  private streamFor(id: number, what: string): Stream | undefined | null {
    if (id === 0) {
      this.connectionError(H2_ERROR.PROTOCOL_ERROR, `${what} on stream 0`);
      return null;
    }
    if (id % 2 === 0 || id > this.lastOpened) {
      // RFC 9113 5.1: frames other than PRIORITY on an idle stream.
      this.connectionError(H2_ERROR.PROTOCOL_ERROR, `${what} on stream ${id}, which we never opened`);
      return null;
    }
    return this.streams.get(id);
  }

  private onData(flags: number, id: number, p: Uint8Array): void {
    const s = this.streamFor(id, 'DATA');
    if (s === null) return;
    // RFC 9113 6.9: the whole payload, padding included, counts.
    if (p.length > this.connRecv) {
      this.connectionError(H2_ERROR.FLOW_CONTROL_ERROR, `DATA of ${p.length} bytes beyond the connection window (${this.connRecv} left)`);
      return;
    }
    this.connRecv -= p.length;
    this.creditConnection(p.length);
    if (p.length === 0 && !(flags & END_STREAM) && !this.floodCheck('empty DATA')) return;
    if (!s || s.remoteEnded) {
      // A stream we reset or that ended: the bytes are dropped (their
      // connection window was given back above, RFC 9113 6.9).
      if (s?.remoteEnded) this.streamError(s, H2_ERROR.STREAM_CLOSED, 'DATA after END_STREAM');
      return;
    }
    if (p.length > s.recvWindow) {
      this.connectionError(H2_ERROR.FLOW_CONTROL_ERROR, `DATA of ${p.length} bytes beyond stream ${id}'s window (${s.recvWindow} left)`);
      return;
    }
    s.recvWindow -= p.length;
    const data = this.unpad(flags, p, 'DATA');
    if (!data) return;
    // Padding is never read by anyone: give its window back now.
    if (p.length > data.length) this.consumed(s, p.length - data.length);
    if (!s.headed) {
      this.consumed(s, data.length);
      this.streamError(s, H2_ERROR.PROTOCOL_ERROR, 'DATA before the response headers');
      return;
    }
    s.received += data.length;
    if (s.noBody && data.length > 0) {
      this.consumed(s, data.length);
      this.streamError(s, H2_ERROR.PROTOCOL_ERROR, 'DATA in a response that has no body (HEAD, 204 or 304)');
      return;
    }
    if (s.expectLength !== undefined && s.received > s.expectLength) {
      this.consumed(s, data.length);
      this.streamError(s, H2_ERROR.PROTOCOL_ERROR, `response body longer than its content-length ${s.expectLength}`);
      return;
    }
    if (data.length > 0) {
      s.queue.push(data);
      s.queued += data.length;
      s.wake?.();
    }
    if (flags & END_STREAM) this.remoteEnd(s);
  }

  /** The server ended its side of `s`: check content-length (RFC 9113 8.1.1), end the body. */
  private remoteEnd(s: Stream): void {
    s.remoteEnded = true;
    if (s.headed && s.expectLength !== undefined && !s.noBody && s.received !== s.expectLength) {
      this.streamError(s, H2_ERROR.PROTOCOL_ERROR, `response body of ${s.received} bytes, content-length said ${s.expectLength}`);
      return;
    }
    if (!s.headed) {
      this.streamError(s, H2_ERROR.PROTOCOL_ERROR, 'stream ended without a final response');
      return;
    }
    s.wake?.();
    this.maybeFinish(s);
  }

  private onHeaders(flags: number, id: number, p: Uint8Array): void {
    if (id === 0) {
      this.connectionError(H2_ERROR.PROTOCOL_ERROR, 'HEADERS on stream 0');
      return;
    }
    const body = this.unpad(flags, p, 'HEADERS');
    if (!body) return;
    let frag = body;
    if (flags & PRIORITY_FLAG) {
      if (frag.length < 5) {
        this.connectionError(H2_ERROR.FRAME_SIZE_ERROR, 'HEADERS too short for its priority fields');
        return;
      }
      frag = frag.subarray(5);
    }
    this.block = { stream: id, flags, parts: [], size: 0, frames: 0 };
    this.addFragment(frag, flags);
  }

  private onContinuation(flags: number, id: number, p: Uint8Array): void {
    if (!this.block || this.block.stream !== id) {
      this.connectionError(H2_ERROR.PROTOCOL_ERROR, 'CONTINUATION without a header block in progress on that stream');
      return;
    }
    this.addFragment(p, flags);
  }

  private addFragment(frag: Uint8Array, flags: number): void {
    const b = this.block as NonNullable<H2Session['block']>;
    b.size += frag.length;
    b.frames++;
    // Bounded memory against endless headers and CONTINUATION floods: a
    // block's encoded size cannot usefully exceed twice the header list
    // size we announced, and empty CONTINUATIONs cost work, not bytes.
    if (b.size > 2 * this.maxHeaderListSize + 1024 || b.frames > 1 + (2 * this.maxHeaderListSize) / 1024) {
      this.connectionError(
        H2_ERROR.ENHANCE_YOUR_CALM,
        `header block of ${b.size} bytes in ${b.frames} frames exceeds our limit (SETTINGS_MAX_HEADER_LIST_SIZE ${this.maxHeaderListSize})`,
      );
      return;
    }
    if (!(flags & END_HEADERS)) {
      // Kept past this frame: a copy (the view may be into a buffer reused for the next read).
      b.parts.push(frag.slice());
      return;
    }
    this.block = undefined;
    let whole: Uint8Array;
    // A block in one frame (the usual case) is decoded now, from the view.
    if (b.parts.length === 0) whole = frag;
    else {
      whole = new Uint8Array(b.size);
      let o = 0;
      for (const part of b.parts) {
        whole.set(part, o);
        o += part.length;
      }
      whole.set(frag, o);
    }
    this.onHeaderBlock(b.stream, b.flags, whole);
  }

  private onHeaderBlock(id: number, flags: number, block: Uint8Array): void {
    // RFC 9113 4.3: decode every block, even for a stream we no longer
    // want, or the table falls out of step.
    let decoded: ReturnType<HpackDecoder['decode']>;
    try {
      decoded = this.decoder.decode(block);
    } catch (e) {
      this.connectionError(H2_ERROR.COMPRESSION_ERROR, e instanceof HpackError ? e.message : String(e));
      return;
    }
    const s = this.streamFor(id, 'HEADERS');
    if (s === null) return;
    if (!s || s.remoteEnded) {
      if (s) this.streamError(s, H2_ERROR.STREAM_CLOSED, 'HEADERS after END_STREAM');
      return;
    }
    if (decoded.tooLarge) {
      this.streamError(s, H2_ERROR.CANCEL, `response header list exceeds our SETTINGS_MAX_HEADER_LIST_SIZE ${this.maxHeaderListSize}`);
      return;
    }
    const endStream = (flags & END_STREAM) !== 0;
    if (s.headed) {
      // RFC 9113 8.1: trailers: a HEADERS frame that ends the stream, with no pseudo-fields.
      if (!endStream) {
        this.streamError(s, H2_ERROR.PROTOCOL_ERROR, 'a second HEADERS without END_STREAM');
        return;
      }
      const bad = this.checkFields(decoded.headers, true);
      if (bad) {
        this.streamError(s, H2_ERROR.PROTOCOL_ERROR, `malformed trailers: ${bad}`);
        return;
      }
      // Trailers are read and dropped (the fetch API does not expose them).
      this.remoteEnd(s);
      return;
    }
    const bad = this.checkFields(decoded.headers, false);
    if (bad) {
      this.streamError(s, H2_ERROR.PROTOCOL_ERROR, `malformed response: ${bad}`);
      return;
    }
    const statusText = decoded.headers[0]?.[0] === ':status' ? decoded.headers[0][1] : '';
    const status = Number(statusText);
    const fields = decoded.headers.filter(([n]) => n[0] !== ':');
    if (status < 200) {
      // RFC 9113 8.1: interim responses; 101 does not exist in HTTP/2 (8.6).
      if (status === 101) {
        this.streamError(s, H2_ERROR.PROTOCOL_ERROR, 'status 101 is not allowed in HTTP/2');
        return;
      }
      if (endStream) {
        this.streamError(s, H2_ERROR.PROTOCOL_ERROR, 'an interim (1xx) response ended the stream');
        return;
      }
      try {
        s.req.onInformational?.(status, fields);
      } catch {
        // The callback's error is the caller's; the exchange goes on.
      }
      return;
    }
    s.headed = true;
    if (status === 204 || status === 304) s.noBody = true;
    let cls: Array<[string, string]> | undefined;
    for (const f of fields) if (f[0] === 'content-length') (cls ??= []).push(f);
    // One field of digits only (the usual case) needs no splitting.
    if (cls?.length === 1 && DIGITS.test(cls[0][1])) {
      if (!s.noBody) s.expectLength = Number(cls[0][1]);
    } else if (cls) {
      const values = new Set(cls.flatMap(([, v]) => v.split(',').map((x) => x.trim())));
      const v = [...values][0];
      if (values.size !== 1 || !DIGITS.test(v)) {
        this.streamError(s, H2_ERROR.PROTOCOL_ERROR, 'invalid content-length');
        return;
      }
      if (!s.noBody) s.expectLength = Number(v);
    }
    const stream = s;
    const bodyStream = s.noBody
      ? null
      : new ReadableStream<Uint8Array>(
          {
            start: (c) => {
              stream.body = c;
            },
            pull: (c) => this.pull(stream, c),
            cancel: (reason) => {
              if (!stream.done) this.resetStream(stream, H2_ERROR.CANCEL, reason);
            },
          },
          { highWaterMark: 0 },
        );
    s.resolve({ status, statusText: '', headers: fields, body: bodyStream, httpVersion: '2' });
    if (endStream) this.remoteEnd(s);
  }

  /** RFC 9113 8.2, 8.3.2: a response's (or trailers') fields; the reason, or undefined when fine. */
  private checkFields(headers: Array<[string, string]>, trailers: boolean): string | undefined {
    let regular = false,
      status = 0;
    for (const [name, value] of headers) {
      if (name.startsWith(':')) {
        if (trailers) return `pseudo-header ${name} in trailers`;
        if (regular) return `pseudo-header ${name} after a regular field`;
        if (name !== ':status') return `pseudo-header ${name} in a response`;
        if (status++) return 'more than one :status';
        if (!/^[1-9]\d\d$/.test(value)) return `invalid :status ${JSON.stringify(value)}`;
        continue;
      }
      regular = true;
      if (name.length === 0 || BAD_NAME.test(name)) {
        return /[A-Z]/.test(name) ? `upper-case field name ${JSON.stringify(name)}` : `invalid field name ${JSON.stringify(name)}`;
      }
      if (BAD_VALUE.test(value)) return `invalid value of ${name}`;
      if (CONNECTION_SPECIFIC.has(name)) return `connection-specific field ${name}`;
      if (name === 'te' && value !== 'trailers') return `te: ${value}`;
    }
    if (!trailers && !status) return 'no :status';
    return undefined;
  }

  /** The reader wants bytes: hand over one chunk and give its window back. */
  private pull(s: Stream, c: ReadableStreamDefaultController<Uint8Array>): Promise<void> | undefined {
    const chunk = s.queue.shift();
    if (chunk) {
      s.queued -= chunk.length;
      c.enqueue(chunk);
      this.consumed(s, chunk.length);
      if (s.queue.length === 0 && s.remoteEnded) this.endBody(s);
      return;
    }
    if (s.remoteEnded) {
      this.endBody(s);
      return;
    }
    if (s.done) return;
    return new Promise<void>((resolve) => {
      s.wake = () => {
        s.wake = undefined;
        resolve();
        // Re-enter: with highWaterMark 0 pull() runs again only after an
        // enqueue, so deliver now.
        if (s.body) this.pull(s, s.body);
      };
    });
  }

  private endBody(s: Stream): void {
    if (s.body) {
      try {
        s.body.close();
      } catch {
        // already closed or errored
      }
    }
  }

  /**
   * The connection window is given back as DATA arrives (in batches of a
   * quarter window): what a body buffers is bounded by its stream's window,
   * which only its reader gives back ({@link consumed}). Giving the
   * connection window back only as bodies are read would let a few unread
   * bodies stall every other stream on the connection (Go's client avoids
   * that with a 1 GiB connection window; the effect is the same).
   */
  private creditConnection(n: number): void {
    if (n <= 0 || this.ended) return;
    this.connUnacked += n;
    if (this.connUnacked >= this.connWindowSize / 4) {
      this.connRecv += this.connUnacked;
      this.write(frame(WINDOW_UPDATE, 0, 0, u32s(this.connUnacked)));
      this.connUnacked = 0;
    }
  }

  /** `n` bytes of `s` left our buffers (read, or padding): give them back
   * as stream window (RFC 9113 6.9), in batches of a quarter window so we
   * do not answer every frame. */
  private consumed(s: Stream, n: number): void {
    if (n <= 0 || this.ended) return;
    if (!s.remoteEnded && !s.done) {
      s.unacked += n;
      if (s.unacked >= this.windowSize / 4) {
        s.recvWindow += s.unacked;
        this.write(frame(WINDOW_UPDATE, 0, s.id, u32s(s.unacked)));
        s.unacked = 0;
      }
    }
  }

  private onRstStream(id: number, p: Uint8Array): void {
    if (p.length !== 4) {
      this.connectionError(H2_ERROR.FRAME_SIZE_ERROR, 'RST_STREAM frame not 4 bytes');
      return;
    }
    const s = this.streamFor(id, 'RST_STREAM');
    if (s === null) return;
    if (!s) {
      // Resets of streams already closed do nothing but cost work: counted
      // (a reset of an open stream ends a request the server owns).
      this.floodCheck('RST_STREAM');
      return;
    }
    const code = new DataView(p.buffer, p.byteOffset, 4).getUint32(0);
    // RFC 9113 8.1: a server may answer before the request body is done and
    // then reset with NO_ERROR: the response stands, the body stops.
    if (code === H2_ERROR.NO_ERROR && s.headed && s.remoteEnded) {
      s.localEnded = true;
      this.finish(s);
      return;
    }
    const err =
      code === H2_ERROR.REFUSED_STREAM && !s.headed
        ? // RFC 9113 8.7: "REFUSED_STREAM ... indicates that the stream is
          // being closed prior to any processing having occurred".
          new HttpUnprocessedError(`HTTP/2 server refused stream ${id} (REFUSED_STREAM): not processed`, {
            cause: new Http2Error(code, 'REFUSED_STREAM', { remote: true }),
          })
        : new Http2Error(code, `HTTP/2 stream ${id} reset by the server: ${h2ErrorName(code)}`, { remote: true });
    this.fail(s, err);
  }

  private onSettings(flags: number, id: number, p: Uint8Array): void {
    if (id !== 0) {
      this.connectionError(H2_ERROR.PROTOCOL_ERROR, 'SETTINGS on a stream');
      return;
    }
    if (flags & ACK) {
      if (p.length !== 0) {
        this.connectionError(H2_ERROR.FRAME_SIZE_ERROR, 'SETTINGS ACK with a payload');
        return;
      }
      this.settingsAcked = true;
      this.settingsSettled();
      return;
    }
    if (p.length % 6 !== 0) {
      this.connectionError(H2_ERROR.FRAME_SIZE_ERROR, `SETTINGS of ${p.length} bytes (not a multiple of 6)`);
      return;
    }
    if (this.peerSettingsSeen && !this.floodCheck('SETTINGS')) return;
    // RFC 9113 6.5.2, SETTINGS_MAX_CONCURRENT_STREAMS: "Initially, there is
    // no limit to this value." Until the server's first SETTINGS we assume
    // 100 (its recommended minimum); a first SETTINGS without it (Node's
    // http2 server sends none) means no limit but our own. Keeping 100 made
    // the pool open a second, third, ... connection for requests 101 and
    // on (200 GETs at once went out on 4 connections: 4 TLS writes, where
    // one connection takes them in one).
    if (!this.peerSettingsSeen) this.peerMaxConcurrent = MAX_OPEN_STREAMS;
    const dv = new DataView(p.buffer, p.byteOffset, p.length);
    for (let o = 0; o < p.length; o += 6) {
      const key = dv.getUint16(o),
        v = dv.getUint32(o + 2);
      switch (key) {
        case S_HEADER_TABLE_SIZE:
          this.encoder.setMaxTableSize(v);
          break;
        case S_ENABLE_PUSH:
          // RFC 9113 6.5.2: "A client MUST treat receipt of a SETTINGS frame
          // with SETTINGS_ENABLE_PUSH set to 1 as a connection error".
          if (v !== 0) {
            this.connectionError(H2_ERROR.PROTOCOL_ERROR, `SETTINGS_ENABLE_PUSH ${v} from a server`);
            return;
          }
          break;
        case S_MAX_CONCURRENT_STREAMS:
          // Ours is lower when the server allows more (Node's default is
          // 2^32-1): each open stream may buffer a window of body.
          this.peerMaxConcurrent = Math.min(v, MAX_OPEN_STREAMS);
          break;
        case S_INITIAL_WINDOW_SIZE: {
          if (v > MAX_WINDOW) {
            this.connectionError(H2_ERROR.FLOW_CONTROL_ERROR, `SETTINGS_INITIAL_WINDOW_SIZE ${v} above 2^31-1`);
            return;
          }
          // RFC 9113 6.9.2: the change applies to every open stream's window.
          const delta = v - this.peerInitialWindow;
          this.peerInitialWindow = v;
          for (const s of this.streams.values()) {
            s.sendWindow += delta;
            if (s.sendWindow > MAX_WINDOW) {
              this.connectionError(H2_ERROR.FLOW_CONTROL_ERROR, 'a stream window went above 2^31-1');
              return;
            }
          }
          break;
        }
        case S_MAX_FRAME_SIZE:
          if (v < MIN_FRAME || v > MAX_FRAME) {
            this.connectionError(H2_ERROR.PROTOCOL_ERROR, `SETTINGS_MAX_FRAME_SIZE ${v} out of range`);
            return;
          }
          this.peerMaxFrame = v;
          break;
        case S_MAX_HEADER_LIST_SIZE:
          // Advisory (RFC 9113 6.5.2); our request headers are small.
          break;
        default:
          // "An endpoint that receives a SETTINGS frame with any unknown or
          // unsupported identifier MUST ignore that setting."
          break;
      }
    }
    this.answer(frame(SETTINGS, ACK, 0));
    if (!this.peerSettingsSeen) {
      this.peerSettingsSeen = true;
      this.resolvePeerSettings();
      this.settingsSettled();
    }
    this.wakeWindows();
    this.wakeWaiting();
    this.idled();
  }

  private onPing(flags: number, id: number, p: Uint8Array): void {
    if (p.length !== 8) {
      this.connectionError(H2_ERROR.FRAME_SIZE_ERROR, 'PING frame not 8 bytes');
      return;
    }
    if (id !== 0) {
      this.connectionError(H2_ERROR.PROTOCOL_ERROR, 'PING on a stream');
      return;
    }
    if (flags & ACK) {
      const key = Array.from(p).join(',');
      const ping = this.pings.get(key);
      if (ping) {
        this.pings.delete(key);
        ping.resolve(Date.now() - ping.t0);
      }
      return;
    }
    if (!this.floodCheck('PING')) return;
    this.answer(frame(PING, ACK, 0, p.slice()));
  }

  private onGoaway(id: number, p: Uint8Array): void {
    if (id !== 0) {
      this.connectionError(H2_ERROR.PROTOCOL_ERROR, 'GOAWAY on a stream');
      return;
    }
    if (p.length < 8) {
      this.connectionError(H2_ERROR.FRAME_SIZE_ERROR, 'GOAWAY shorter than 8 bytes');
      return;
    }
    const dv = new DataView(p.buffer, p.byteOffset, p.length);
    const last = dv.getUint32(0) & MAX_STREAM_ID,
      code = dv.getUint32(4);
    const debug = new TextDecoder().decode(p.subarray(8, Math.min(p.length, 8 + 256)));
    // RFC 9113 6.8: a later GOAWAY may lower last-stream-id, never raise it.
    const lastId = Math.min(last, this.goaway?.lastStreamId ?? MAX_STREAM_ID);
    this.goaway = { lastStreamId: lastId, code };
    const why = `GOAWAY ${h2ErrorName(code)} (last stream ${lastId}${debug ? `: ${debug}` : ''})`;
    // "Streams ... with identifiers higher than the included last stream
    // identifier ... were not processed": safe to retry elsewhere (8.7).
    for (const s of [...this.streams.values()]) {
      if (s.id > lastId) this.fail(s, new HttpUnprocessedError(`HTTP/2 server sent ${why}: stream ${s.id} not processed`));
    }
    for (const w of this.waiting.splice(0)) w.fail(new HttpUnprocessedError(`HTTP/2 server sent ${why}: request not sent`));
    if (code !== H2_ERROR.NO_ERROR) this.error = new Http2Error(code, `HTTP/2 server sent ${why}`, { remote: true });
    this.maybeEnd();
  }

  private onWindowUpdate(id: number, p: Uint8Array): void {
    if (p.length !== 4) {
      this.connectionError(H2_ERROR.FRAME_SIZE_ERROR, 'WINDOW_UPDATE frame not 4 bytes');
      return;
    }
    const inc = new DataView(p.buffer, p.byteOffset, 4).getUint32(0) & MAX_WINDOW;
    if (id === 0) {
      if (inc === 0) {
        this.connectionError(H2_ERROR.PROTOCOL_ERROR, 'WINDOW_UPDATE of 0 on the connection');
        return;
      }
      this.connSend += inc;
      if (this.connSend > MAX_WINDOW) {
        this.connectionError(H2_ERROR.FLOW_CONTROL_ERROR, 'connection send window above 2^31-1');
        return;
      }
    } else {
      const s = this.streamFor(id, 'WINDOW_UPDATE');
      if (s === null) return;
      if (!s) return;
      if (inc === 0) {
        this.streamError(s, H2_ERROR.PROTOCOL_ERROR, 'WINDOW_UPDATE of 0');
        return;
      }
      s.sendWindow += inc;
      if (s.sendWindow > MAX_WINDOW) {
        this.streamError(s, H2_ERROR.FLOW_CONTROL_ERROR, 'stream send window above 2^31-1');
        return;
      }
    }
    this.wakeWindows();
  }

  private wakeWindows(): void {
    for (const w of this.windowWaiters.splice(0)) w();
  }

  private wakeWaiting(): void {
    while (this.waiting.length > 0 && this.streams.size < this.peerMaxConcurrent) {
      // Each woken request re-checks the count before it opens.
      const free = this.peerMaxConcurrent - this.streams.size;
      for (const w of this.waiting.splice(0, free)) w.go();
    }
  }

  // ---- stream and connection ends ----

  /** We reset `s` (abort, cancel, a body error): RST_STREAM(code) and fail it. */
  private resetStream(s: Stream, code: number, reason: unknown): void {
    if (s.done) return;
    if (!this.ended) this.answer(frame(RST_STREAM, 0, s.id, u32s(code)));
    this.fail(s, reason ?? new Http2Error(code, `HTTP/2 stream ${s.id} cancelled`));
  }

  /** A stream error found by us (RFC 9113 5.4.2). */
  private streamError(s: Stream, code: number, message: string): void {
    this.resetStream(s, code, new Http2Error(code, `HTTP/2 stream ${s.id}: ${message} (${h2ErrorName(code)})`));
  }

  private streamErrorById(id: number, code: number, message: string): void {
    const s = this.streams.get(id);
    if (s) this.streamError(s, code, message);
  }

  /** Fail `s` with `err` wherever it is: the head promise or the body. */
  private fail(s: Stream, err: unknown): void {
    if (s.done) return;
    s.reject(err);
    if (s.body) {
      try {
        s.body.error(err);
      } catch {
        // already closed
      }
    }
    // Bytes queued for a reader that will never read.
    s.queue = [];
    s.queued = 0;
    this.finish(s);
  }

  private maybeFinish(s: Stream): void {
    if (s.remoteEnded && s.localEnded && s.queue.length === 0) this.finish(s);
    else if (s.remoteEnded && s.localEnded) {
      // Stream done on the wire: it no longer counts against the server's
      // limit, though its body is still being read.
      this.release(s);
    }
  }

  private released = new Set<number>();

  /** Take `s` out of the stream count (its slot is free). */
  private release(s: Stream): void {
    if (this.released.has(s.id)) return;
    this.released.add(s.id);
    this.streams.delete(s.id);
    this.wakeWaiting();
    this.maybeEnd();
    this.idled();
  }

  /** A slot is free: tell the pool; with no stream left, start the idle timer. */
  private idled(): void {
    if (this.ended) return;
    if (this.available) this.onAvailable?.();
    if (this.idleMs === undefined || this.streams.size > 0 || this.queued > 0 || this.idleTimer !== undefined) return;
    this.idleTimer = setTimeout(() => {
      this.idleTimer = undefined;
      if (this.streams.size === 0 && this.queued === 0) void this.close();
    }, this.idleMs);
    (this.idleTimer as { unref?: () => void }).unref?.();
  }

  /** Both ways of the SETTINGS exchange done: no more timeout. */
  private settingsSettled(): void {
    if (this.peerSettingsSeen && this.settingsAcked && this.settingsTimer !== undefined) {
      clearTimeout(this.settingsTimer);
      this.settingsTimer = undefined;
    }
  }

  private stopIdle(): void {
    if (this.idleTimer !== undefined) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }

  private finish(s: Stream): void {
    if (s.done) return;
    s.done = true;
    s.onAbort?.();
    s.wake?.();
    this.wakeWindows();
    this.release(s);
    this.released.delete(s.id);
  }

  /** After GOAWAY: once the last stream is done, close. */
  private maybeEnd(): void {
    if (this.goaway && !this.ended && this.streams.size === 0) {
      this.shutdown(this.error ?? new Error('HTTP/2 session ended by GOAWAY'), true);
    }
  }

  /** A connection error (RFC 9113 5.4.1): GOAWAY with `code`, fail everything. */
  private connectionError(code: number, message: string): void {
    if (this.ended) return;
    const err = new Http2Error(code, `HTTP/2 connection error ${h2ErrorName(code)}: ${message}`);
    // The last stream id we processed: server-initiated streams, of which we take none.
    const debug = new TextEncoder().encode(message.slice(0, 200));
    const payload = new Uint8Array(8 + debug.length);
    payload.set(u32s(0, code));
    payload.set(debug, 8);
    this.write(frame(GOAWAY, 0, 0, payload));
    this.shutdown(err, true);
  }

  /** End the session: fail what is open, close the stream (after our last writes). */
  private shutdown(err: Error, flush: boolean): void {
    if (this.ended) return;
    this.ended = true;
    this.stopIdle();
    if (this.settingsTimer !== undefined) clearTimeout(this.settingsTimer);
    this.error ??= err;
    for (const s of [...this.streams.values()]) this.fail(s, err);
    for (const w of this.waiting.splice(0))
      w.fail(new HttpUnprocessedError('HTTP/2 session closed before the request was sent', { cause: err }));
    for (const p of this.pings.values()) p.reject(err);
    this.pings.clear();
    this.resolvePeerSettings();
    this.wakeWindows();
    // What is queued (our GOAWAY last) goes to the writer before its close.
    if (flush && this.out.length > 0) this.writeOut().catch(ignore);
    else this.dropOut(err);
    this.writerClosed = true;
    // Our last frames (GOAWAY) go out first, unless the server stopped
    // reading: then the transport is closed after CLOSE_FLUSH_MS anyway.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const flushed = flush
      ? Promise.race([
          this.writer
            .close()
            .catch(ignore)
            .then(() => this.drained),
          new Promise<void>((r) => {
            timer = setTimeout(r, CLOSE_FLUSH_MS);
            (timer as { unref?: () => void }).unref?.();
          }),
        ])
      : Promise.resolve();
    void flushed
      .then(() => {
        clearTimeout(timer);
        return this.io.close();
      })
      .catch(ignore)
      .finally(() => this.resolveClosed());
  }
}
