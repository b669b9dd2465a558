/**
 * HTTP/1.1 (RFC 9112) as an {@link HttpSession}: one request at a time on
 * one {@link HttpStream}, keep-alive between them.
 *
 * The response is parsed strictly: lines end with CRLF (a bare CR or LF is
 * an error, RFC 9112 2.2 lets a recipient reject them and request
 * smugglers use them), no obs-fold (5.2), one framing only (6.1, 6.3: both
 * Content-Length and Transfer-Encoding, or differing Content-Length
 * values, are errors), heads bounded in bytes and in fields. Bodies are
 * pull streams with no read-ahead: a chunk is read from the connection
 * only when the caller reads one, so a server that sends for ever holds at
 * most one transport chunk of our memory.
 * @module
 */
import { codingsOf, decodeCodings } from './decode.js';
import { HttpError } from './errors.js';
import { type HttpRequest, type HttpResponse, type HttpSession, type HttpStream, HttpUnprocessedError } from './types.js';

/** Options of {@link H1Session}. */
export interface H1Options {
  /** Bytes a response head (status line + fields, or a chunked body's
   * trailers) may take. Default 65536. */
  maxHeaderBytes?: number;
  /** Fields a response head (or trailer section) may have. Default 256. */
  maxHeaderCount?: number;
  /** Milliseconds a request with `Expect: 100-continue` waits for the
   * 100 before it sends its body anyway (RFC 9110 10.1.1). Default 1000. */
  continueTimeout?: number;
  /** Called each time the session becomes available again (the pool's
   * cue to hand it the next request). */
  onAvailable?: () => void;
}

const CR = 13;
const LF = 10;
const EMPTY = new Uint8Array(0);
const enc = new TextEncoder();
/** RFC 9110 9.2.2: requests the server may receive twice without harm. */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);
/** RFC 9110 5.6.2 token. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const STATUS_LINE = /^HTTP\/1\.([01]) ([0-9]{3})(?: ([^\0]*))?$/;
const FIELD = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+):[ \t]*(.*?)[ \t]*$/;
/** A field value may hold any byte but NUL, CR and LF (RFC 9110 5.5). */
const BAD_VALUE = /[\0\r\n]/;
/** chunk-size [ chunk-ext ] (RFC 9112 7.1.1): extensions are ignored. */
const CHUNK_SIZE = /^([0-9A-Fa-f]{1,13})[ \t]*(?:;.*)?$/;

/** Bytes as a Latin-1 string (each byte one code unit: field values are
 * octets, RFC 9110 5.5; TextDecoder('latin1') is windows-1252). */
function latin1(b: Uint8Array): string {
  // apply() with the typed array itself: no spread into an argument list
  // (5x faster for a field line); in slices, under engines' argument limits.
  if (b.length <= 8192) return String.fromCharCode.apply(null, b as unknown as number[]);
  let s = '';
  for (let i = 0; i < b.length; i += 8192) s += String.fromCharCode.apply(null, b.subarray(i, i + 8192) as unknown as number[]);
  return s;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** A buffered reader over the connection's readable that reads only when asked. */
class ByteReader {
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  #buf: Uint8Array = EMPTY;
  #pending: Promise<ReadableStreamReadResult<Uint8Array>> | undefined;
  /** Bytes received since {@link resetCount}. */
  count = 0;
  eof = false;

  constructor(readable: ReadableStream<Uint8Array>) {
    this.#reader = readable.getReader();
  }

  get buffered(): Uint8Array {
    return this.#buf;
  }

  /** Read one more transport chunk into the buffer; false at the end. */
  async fill(): Promise<boolean> {
    if (this.eof) return false;
    const p = this.#pending ?? this.#reader.read();
    this.#pending = undefined;
    const r = await p;
    if (r.done) {
      this.eof = true;
      return false;
    }
    this.count += r.value.byteLength;
    this.#buf = this.#buf.length ? concat(this.#buf, r.value) : r.value;
    return true;
  }

  /** Start a read without consuming it (an idle connection watching for
   * the server's close); the next {@link fill} takes its result. */
  watch(): Promise<ReadableStreamReadResult<Uint8Array>> {
    this.#pending ??= this.#reader.read();
    return this.#pending;
  }

  /** Take up to `n` buffered bytes. */
  take(n: number): Uint8Array {
    const b = this.#buf;
    if (n >= b.length) {
      this.#buf = EMPTY;
      return b;
    }
    this.#buf = b.subarray(n);
    return b.subarray(0, n);
  }
}

/** How a response body is delimited, and the transfer codings to undo
 * once it is (RFC 9112 6.3, 7). */
type Framing =
  | { kind: 'none' }
  | { kind: 'length'; length: number; codings: string[] }
  | { kind: 'chunked'; codings: string[] }
  | { kind: 'close'; codings: string[] };

interface Head {
  minor: number;
  status: number;
  reason: string;
  fields: Array<[string, string]>;
}

/** An HTTP/1.1 connection; see the module comment. */
export class H1Session implements HttpSession {
  readonly protocol = 'http/1.1' as const;
  readonly closed: Promise<void>;
  readonly #stream: HttpStream;
  readonly #in: ByteReader;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  readonly #maxHeaderBytes: number;
  readonly #maxHeaderCount: number;
  readonly #continueTimeout: number;
  readonly #onAvailable: (() => void) | undefined;
  #markClosed!: () => void;
  #busy = false;
  #isClosed = false;
  #requests = 0;
  #keepAliveMs: number | undefined;
  /** Fails the exchange in progress (head promise or body stream). */
  #failCurrent: ((e: unknown) => void) | undefined;
  /** The request body being sent, cancelled if the connection ends first
   * (a producer that never produces must not hold anything). */
  #upload: ReadableStreamDefaultReader<Uint8Array> | undefined;

  constructor(stream: HttpStream, options: H1Options = {}) {
    this.#stream = stream;
    this.#in = new ByteReader(stream.readable);
    this.#writer = stream.writable.getWriter();
    this.#writer.closed.catch(() => {});
    this.#maxHeaderBytes = options.maxHeaderBytes ?? 65536;
    this.#maxHeaderCount = options.maxHeaderCount ?? 256;
    this.#continueTimeout = options.continueTimeout ?? 1000;
    this.#onAvailable = options.onAvailable;
    this.closed = new Promise<void>((r) => (this.#markClosed = r));
    this.#watchIdle();
  }

  get available(): boolean {
    return !this.#busy && !this.#isClosed;
  }

  /** Milliseconds the server said it keeps this connection idle
   * (`Keep-Alive: timeout=N` on the latest response, less a second for
   * the trip, as undici does), or undefined when it did not say. The
   * pool closes the connection before then, so a request is not sent
   * into the server's close (which only an idempotent one survives). */
  get keepAliveMs(): number | undefined {
    return this.#keepAliveMs;
  }

  /** Requests sent on this connection so far. */
  get requestCount(): number {
    return this.#requests;
  }

  close(): Promise<void> {
    this.#shut(new HttpError('ERR_HTTP_CONNECTION_CLOSED', 'HTTP/1.1: the connection was closed'));
    return this.closed;
  }

  request(req: HttpRequest): Promise<HttpResponse> {
    if (this.#isClosed) return Promise.reject(new HttpError('ERR_HTTP_CONNECTION_CLOSED', 'HTTP/1.1: the connection is closed'));
    if (this.#busy) return Promise.reject(new Error('HTTP/1.1: request() while another request is in progress'));
    this.#busy = true;
    const reused = this.#requests++ > 0;
    return this.#exchange(req, reused);
  }

  /** End the connection: fail what is in progress with `err`, close the stream. */
  #shut(err: unknown): void {
    const fail = this.#failCurrent;
    this.#failCurrent = undefined;
    fail?.(err);
    if (this.#isClosed) return;
    this.#isClosed = true;
    this.#upload?.cancel(err).catch(() => {});
    this.#upload = undefined;
    // close(), not an abort of the writable or a cancel of the readable:
    // a TLS stream then ends with close_notify and frees its engine at
    // once, where an abort is a failure (a fatal alert and a linger).
    // Pending reads end and pending writes reject either way.
    this.#stream.close().then(this.#markClosed, this.#markClosed);
  }

  /** While idle, keep one read pending: the server closing an idle
   * connection (or sending bytes nobody asked for) ends it at once, so
   * the pool does not hand out a dead connection. */
  #watchIdle(): void {
    if (this.#in.buffered.length > 0) {
      this.#shut(new HttpError('ERR_HTTP_UNEXPECTED_DATA', 'HTTP/1.1: the server sent bytes after the response'));
      return;
    }
    this.#in.watch().then(
      (r) => {
        if (this.#busy || this.#isClosed) return; // a request took the read over
        this.#shut(
          r.done
            ? new HttpError('ERR_HTTP_CONNECTION_CLOSED', 'HTTP/1.1: the server closed the idle connection')
            : new HttpError('ERR_HTTP_UNEXPECTED_DATA', 'HTTP/1.1: the server sent bytes on an idle connection'),
        );
      },
      (e) => {
        if (!this.#busy) this.#shut(e);
      },
    );
  }

  async #exchange(req: HttpRequest, reused: boolean): Promise<HttpResponse> {
    const signal = req.signal;
    const method = req.method;
    let settle: ((e: unknown) => void) | undefined;
    // Every failure while the head is awaited lands here: abort, the body
    // writer's error, the connection ending.
    const failed = new Promise<never>((_, reject) => (settle = reject));
    failed.catch(() => {});
    this.#failCurrent = (e) => settle?.(e);
    const onAbort = (): void => this.#shut(signal?.reason);
    if (signal) {
      if (signal.aborted) {
        this.#shut(signal.reason);
        throw signal.reason;
      }
      signal.addEventListener('abort', onAbort, { once: true });
    }
    const dropAbort = (): void => signal?.removeEventListener('abort', onAbort);
    this.#in.count = 0;
    let sent = false; // the request body has been written in full
    let sendFailed = false;
    let bodyRefused = false; // a final response came before a 100-continue body went out
    try {
      const head = this.#head(req);
      const expectContinue = req.body !== null && req.headers.some(([n, v]) => n === 'expect' && /^100-continue$/i.test(v.trim()));
      // The 100-continue gate: opened by a 100 or the timeout, shut by a
      // final status that came first.
      let gateOpen = !expectContinue;
      let openGate: (go: boolean) => void = () => {};
      const gate = expectContinue
        ? new Promise<boolean>((resolve) => {
            const t = setTimeout(() => openGate(true), this.#continueTimeout);
            (t as { unref?: () => void }).unref?.();
            openGate = (go) => {
              clearTimeout(t);
              if (go) gateOpen = true;
              resolve(go);
            };
          })
        : Promise.resolve(true);
      const sending = this.#send(req, head, gate).then(
        () => {
          sent = true;
        },
        (e) => {
          sendFailed = true;
          // Before the response head: the exchange fails. After it, the
          // response may still be read; the connection is not reused.
          settle?.(e);
          if (!this.#failCurrent) this.#shut(e);
        },
      );
      let final: Head;
      for (;;) {
        const h = await Promise.race([this.#readHead(), failed]);
        if (h.status >= 200) {
          final = h;
          break;
        }
        // RFC 9110 15.2: 1xx are interim; 101 switches protocols, which
        // fetch cannot follow (RFC 9110 7.8: only when we asked to upgrade).
        if (h.status === 101) {
          throw new HttpError('ERR_HTTP_UNEXPECTED_UPGRADE', 'HTTP/1.1: the server switched protocols (101) unasked');
        }
        if (h.status === 100) openGate(true);
        req.onInformational?.(h.status, h.fields);
      }
      if (!gateOpen) {
        // RFC 9110 10.1.1: a final status before 100: the body is not sent
        // (and the connection, which the server may still read a body
        // from, is not reused).
        bodyRefused = true;
        openGate(false);
      }
      const framing = this.#framing(method, final);
      const hint = /(?:^|[,\s])timeout\s*=\s*(\d+)/i.exec(final.fields.find(([n]) => n === 'keep-alive')?.[1] ?? '');
      this.#keepAliveMs = hint ? Math.max(0, Number(hint[1]) * 1000 - 1000) : undefined;
      const keepAlive =
        final.minor === 1 &&
        !final.fields.some(([n, v]) => n === 'connection' && v.split(',').some((t) => t.trim().toLowerCase() === 'close'));
      let done = false;
      const finish = (): void => {
        if (done) return;
        done = true;
        dropAbort();
        this.#failCurrent = undefined;
        // Reuse only a connection whose request went out whole and whose
        // response was read to its end (RFC 9112 9.3).
        void sending.then(() => {
          if (this.#isClosed) return;
          if (keepAlive && framing.kind !== 'close' && sent && !sendFailed && !bodyRefused) {
            this.#busy = false;
            this.#watchIdle();
            if (!this.#isClosed) this.#onAvailable?.();
          } else {
            this.#shut(new HttpError('ERR_HTTP_CONNECTION_CLOSED', 'HTTP/1.1: connection not reusable'));
          }
        });
      };
      let body: ReadableStream<Uint8Array> | null = null;
      if (framing.kind === 'none') {
        finish();
      } else if (framing.kind === 'length' && framing.length === 0) {
        // An empty body is a body (an empty stream, as fetch gives it), but
        // the exchange is over now: the connection need not wait for the
        // caller to read nothing.
        finish();
        body = new ReadableStream<Uint8Array>({ start: (c) => c.close() });
      } else {
        body = this.#body(framing, finish, (e) => {
          done = true;
          dropAbort();
          this.#shut(e);
        });
        if (framing.codings.length > 0) body = decodeCodings(body, framing.codings);
      }
      return { status: final.status, statusText: final.reason, headers: final.fields, body, httpVersion: '1.1' };
    } catch (e) {
      dropAbort();
      this.#failCurrent = undefined;
      let err = e;
      if (signal?.aborted) err = signal.reason;
      else if (
        reused &&
        this.#in.count === 0 &&
        IDEMPOTENT.has(method) &&
        !(e instanceof HttpError && e.code !== 'ERR_HTTP_CONNECTION_CLOSED' && e.code !== 'ERR_HTTP_PREMATURE_CLOSE')
      ) {
        // RFC 9112 9.3.1: a reused connection the server closed before
        // answering; the request may be sent again on a new one.
        err = new HttpUnprocessedError('HTTP/1.1: the reused connection closed before a response', { cause: e });
      }
      this.#shut(err);
      if (req.body && !req.body.locked) req.body.cancel(err).catch(() => {});
      throw err;
    }
  }

  /** The request line and fields (RFC 9112 3, 5), with our framing. */
  #head(req: HttpRequest): Uint8Array {
    if (!TOKEN.test(req.method)) throw new HttpError('ERR_HTTP_INVALID_REQUEST', `HTTP/1.1: invalid method ${JSON.stringify(req.method)}`);
    const target = (req.url.pathname || '/') + req.url.search;
    let s = `${req.method} ${target} HTTP/1.1\r\nhost: ${req.url.host}\r\n`;
    for (const [n, v] of req.headers) {
      if (!TOKEN.test(n) || BAD_VALUE.test(v)) {
        throw new HttpError('ERR_HTTP_INVALID_REQUEST', `HTTP/1.1: invalid request field ${JSON.stringify(n)}`);
      }
      const lower = n.toLowerCase();
      if (
        lower === 'host' ||
        lower === 'connection' ||
        lower === 'transfer-encoding' ||
        lower === 'content-length' ||
        lower === 'keep-alive'
      )
        continue;
      s += `${n}: ${v}\r\n`;
    }
    if (req.body !== null) {
      s += req.bodyLength !== undefined ? `content-length: ${req.bodyLength}\r\n` : 'transfer-encoding: chunked\r\n';
    } else if (req.method === 'POST' || req.method === 'PUT' || req.method === 'PATCH') {
      // RFC 9110 8.6: a user agent SHOULD send Content-Length when a
      // method defines a meaning for a body and there is none.
      s += 'content-length: 0\r\n';
    }
    s += '\r\n';
    // Field values are octets; those from Headers are ByteStrings (one byte per code unit).
    const out = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 0xff;
    return out;
  }

  /** Write the head, then the body (after the 100-continue gate), with the
   * writer's backpressure: one chunk in flight at a time. */
  async #send(req: HttpRequest, head: Uint8Array, gate: Promise<boolean>): Promise<void> {
    const w = this.#writer;
    await w.write(head);
    if (req.body === null) return;
    const go = await gate;
    const reader = req.body.getReader();
    if (this.#isClosed) {
      reader.cancel().catch(() => {});
      throw new HttpError('ERR_HTTP_CONNECTION_CLOSED', 'HTTP/1.1: the connection closed before the request body was sent');
    }
    if (!go) {
      reader.cancel().catch(() => {});
      return;
    }
    this.#upload = reader;
    let total = 0;
    const length = req.bodyLength;
    try {
      for (;;) {
        if (this.#isClosed)
          throw new HttpError('ERR_HTTP_CONNECTION_CLOSED', 'HTTP/1.1: the connection closed while the request body was sent');
        const r = await reader.read();
        if (r.done) break;
        const chunk = r.value;
        if (!(chunk instanceof Uint8Array)) throw new TypeError('HTTP/1.1: a request body chunk is not a Uint8Array');
        if (chunk.byteLength === 0) continue;
        total += chunk.byteLength;
        if (length !== undefined) {
          if (total > length) {
            throw new HttpError('ERR_HTTP_REQUEST_BODY_LENGTH', `HTTP/1.1: the request body is longer than its length ${length}`);
          }
          await w.write(chunk);
        } else {
          // RFC 9112 7.1: chunk = chunk-size CRLF chunk-data CRLF.
          const size = enc.encode(`${chunk.byteLength.toString(16)}\r\n`);
          const framed = new Uint8Array(size.length + chunk.byteLength + 2);
          framed.set(size);
          framed.set(chunk, size.length);
          framed[framed.length - 2] = CR;
          framed[framed.length - 1] = LF;
          await w.write(framed);
        }
      }
    } catch (e) {
      reader.cancel(e).catch(() => {});
      throw e;
    } finally {
      if (this.#upload === reader) this.#upload = undefined;
    }
    if (length !== undefined && total !== length) {
      throw new HttpError('ERR_HTTP_REQUEST_BODY_LENGTH', `HTTP/1.1: the request body ended after ${total} of ${length} bytes`);
    }
    if (length === undefined) await w.write(enc.encode('0\r\n\r\n'));
  }

  /** Read one line ending in CRLF (without it), at most `limit` bytes. */
  async #line(limit: number, what: string): Promise<Uint8Array> {
    let scanned = 0;
    for (;;) {
      const b = this.#in.buffered;
      for (let i = scanned; i < b.length; i++) {
        if (b[i] === LF) {
          if (i === 0 || b[i - 1] !== CR) throw new HttpError('ERR_HTTP_INVALID_LINE_ENDING', `HTTP/1.1: a bare LF in ${what}`);
          const line = this.#in.take(i + 1);
          return line.subarray(0, i - 1);
        }
        if (b[i - 1] === CR && i > 0) throw new HttpError('ERR_HTTP_INVALID_LINE_ENDING', `HTTP/1.1: a bare CR in ${what}`);
      }
      scanned = b.length;
      if (scanned > limit) throw new HttpError('ERR_HTTP_HEADERS_TOO_LARGE', `HTTP/1.1: ${what} longer than ${limit} bytes`);
      if (!(await this.#in.fill())) throw new HttpError('ERR_HTTP_PREMATURE_CLOSE', `HTTP/1.1: the connection ended in ${what}`);
    }
  }

  /** Field lines up to the empty line, within the limits (`used` bytes
   * already spent). Shared by heads and trailers (RFC 9112 7.1.2). */
  async #fields(used: number, what: string): Promise<Array<[string, string]>> {
    const fields: Array<[string, string]> = [];
    let bytes = used;
    for (;;) {
      const line = await this.#line(this.#maxHeaderBytes - bytes, what);
      bytes += line.length + 2;
      if (bytes > this.#maxHeaderBytes) {
        throw new HttpError('ERR_HTTP_HEADERS_TOO_LARGE', `HTTP/1.1: ${what} larger than ${this.#maxHeaderBytes} bytes`);
      }
      if (line.length === 0) return fields;
      if (fields.length >= this.#maxHeaderCount) {
        throw new HttpError('ERR_HTTP_TOO_MANY_HEADERS', `HTTP/1.1: more than ${this.#maxHeaderCount} fields in ${what}`);
      }
      const s = latin1(line);
      if (s[0] === ' ' || s[0] === '\t') {
        // RFC 9112 5.2: obs-fold is deprecated; rejecting it leaves no
        // room for two parsers to disagree about where a field ends.
        throw new HttpError('ERR_HTTP_OBS_FOLD', `HTTP/1.1: a folded field line (obs-fold) in ${what}`);
      }
      const m = FIELD.exec(s);
      if (!m || m[2].includes('\0'))
        throw new HttpError('ERR_HTTP_INVALID_HEADER', `HTTP/1.1: an invalid field line in ${what}: ${JSON.stringify(s.slice(0, 80))}`);
      fields.push([m[1].toLowerCase(), m[2]]);
    }
  }

  async #readHead(): Promise<Head> {
    const first = await this.#line(this.#maxHeaderBytes, 'the response head');
    const s = latin1(first);
    const m = STATUS_LINE.exec(s);
    if (!m) throw new HttpError('ERR_HTTP_INVALID_STATUS_LINE', `HTTP/1.1: not an HTTP/1.x status line: ${JSON.stringify(s.slice(0, 80))}`);
    const fields = await this.#fields(first.length + 2, 'the response head');
    return { minor: Number(m[1]), status: Number(m[2]), reason: m[3] ?? '', fields };
  }

  /** How the response body is delimited: RFC 9112 6.3, in its order. */
  #framing(method: string, h: Head): Framing {
    // 1. HEAD, 1xx, 204 and 304 have no body.
    if (method === 'HEAD' || h.status === 204 || h.status === 304) return { kind: 'none' };
    const te = h.fields.filter(([n]) => n === 'transfer-encoding').map(([, v]) => v);
    const cl = h.fields.filter(([n]) => n === 'content-length').map(([, v]) => v);
    if (te.length > 0) {
      // 3. "If a message is received with both a Transfer-Encoding and a
      // Content-Length header field, ... [it] ought to be handled as an
      // error": it is the classic smuggling shape.
      if (cl.length > 0) {
        throw new HttpError(
          'ERR_HTTP_CONTENT_LENGTH_AND_TRANSFER_ENCODING',
          'HTTP/1.1: the response has both Content-Length and Transfer-Encoding (RFC 9112 6.3)',
        );
      }
      const codings = codingsOf(te.join(','));
      const chunked = codings[codings.length - 1] === 'chunked';
      const others = chunked ? codings.slice(0, -1) : codings;
      if (others.includes('chunked')) {
        throw new HttpError(
          'ERR_HTTP_INVALID_CHUNK',
          'HTTP/1.1: chunked is not the last transfer coding, or is there twice (RFC 9112 6.1)',
        );
      }
      // Registered transfer codings we can undo (RFC 9112 7.2); any other
      // leaves the body unreadable.
      const bad = others.filter((c) => c !== 'gzip' && c !== 'x-gzip' && c !== 'deflate');
      if (bad.length > 0) {
        throw new HttpError(
          'ERR_HTTP_UNSUPPORTED_TRANSFER_ENCODING',
          `HTTP/1.1: unsupported transfer coding ${JSON.stringify(bad.join(', '))}`,
        );
      }
      // 4. chunked last: chunked; otherwise, for a response, the body
      // runs to the end of the connection.
      return chunked ? { kind: 'chunked', codings: others } : { kind: 'close', codings: others };
    }
    if (cl.length > 0) {
      // 5. Several values (repeated fields or a list) must all be the same
      // valid number.
      const values = cl
        .join(',')
        .split(',')
        .map((v) => v.trim());
      if (!values.every((v) => /^[0-9]{1,15}$/.test(v)) || new Set(values.map(Number)).size !== 1) {
        throw new HttpError('ERR_HTTP_INVALID_CONTENT_LENGTH', `HTTP/1.1: invalid Content-Length ${JSON.stringify(cl.join(', '))}`);
      }
      const length = Number(values[0]);
      return { kind: 'length', length, codings: [] };
    }
    // 8. Otherwise the body ends when the connection does.
    return { kind: 'close', codings: [] };
  }

  /** The body as a pull stream: nothing is read from the connection until
   * the caller asks for a chunk. */
  #body(framing: Exclude<Framing, { kind: 'none' }>, finish: () => void, fail: (e: unknown) => void): ReadableStream<Uint8Array> {
    const input = this.#in;
    let remaining = framing.kind === 'length' ? framing.length : 0;
    // chunked: 'size' before a chunk-size line, 'data' inside a chunk, 'crlf' after it
    let state: 'size' | 'data' | 'crlf' = 'size';
    const premature = (): HttpError =>
      new HttpError('ERR_HTTP_PREMATURE_CLOSE', 'HTTP/1.1: the connection ended before the response body did');
    const bytes = async (): Promise<Uint8Array> => {
      if (input.buffered.length === 0 && !(await input.fill())) throw premature();
      const b = input.take(remaining);
      remaining -= b.length;
      return b;
    };
    const next = async (): Promise<Uint8Array | null> => {
      if (framing.kind === 'length') return remaining === 0 ? null : bytes();
      if (framing.kind === 'close') {
        if (input.buffered.length === 0 && !(await input.fill())) return null;
        return input.take(input.buffered.length);
      }
      for (;;) {
        if (state === 'data') {
          const b = await bytes();
          if (remaining === 0) state = 'crlf';
          if (b.length > 0) return b;
          continue;
        }
        if (state === 'crlf') {
          // chunk-data is followed by CRLF at once (RFC 9112 7.1).
          while (input.buffered.length < 2) if (!(await input.fill())) throw premature();
          const b = input.take(2);
          if (b[0] !== CR || b[1] !== LF) throw new HttpError('ERR_HTTP_INVALID_CHUNK', 'HTTP/1.1: chunk data longer than its chunk-size');
          state = 'size';
          continue;
        }
        const line = await this.#line(this.#maxHeaderBytes, 'a chunk-size line');
        const m = CHUNK_SIZE.exec(latin1(line));
        if (!m)
          throw new HttpError(
            'ERR_HTTP_INVALID_CHUNK',
            `HTTP/1.1: an invalid chunk-size line ${JSON.stringify(latin1(line).slice(0, 40))}`,
          );
        const size = Number.parseInt(m[1], 16);
        if (size === 0) {
          // RFC 9112 7.1.2: trailers are read (within the head's limits) and dropped.
          await this.#fields(0, 'the trailer section');
          return null;
        }
        remaining = size;
        state = 'data';
      }
    };
    let ctrl!: ReadableStreamDefaultController<Uint8Array>;
    let ended = false;
    this.#failCurrent = (e) => {
      if (ended) return;
      ended = true;
      try {
        ctrl.error(e);
      } catch {}
    };
    return new ReadableStream<Uint8Array>(
      {
        start: (c) => {
          ctrl = c;
        },
        pull: async (c) => {
          try {
            const chunk = await next();
            if (ended) return;
            if (chunk === null) {
              ended = true;
              c.close();
              finish();
            } else {
              c.enqueue(chunk);
            }
          } catch (e) {
            if (ended) return;
            ended = true;
            c.error(e);
            fail(e);
          }
        },
        cancel: () => {
          // The body was not read to its end: the connection cannot carry
          // another exchange (RFC 9112 9.3), so it is closed.
          if (ended) return;
          ended = true;
          fail(new HttpError('ERR_HTTP_CONNECTION_CLOSED', 'HTTP/1.1: the response body was cancelled'));
        },
      },
      { highWaterMark: 0 },
    );
  }
}
