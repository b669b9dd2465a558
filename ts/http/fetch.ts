/**
 * `fetch()` over wasmtls: the WHATWG `fetch(input, init)` signature on top
 * of any byte transport (`createFetch({ connect })`) or a Wisp server
 * (`wispFetch(url)`). `https:` runs TLS from `wasmtls/tls` over the
 * transport; `http:` runs over the transport as it is.
 *
 * The layer here does what the fetch standard puts above the wire
 * protocol: the request's headers and body, a connection pool per origin,
 * redirects (fetch 4.4, HTTP-redirect fetch), content decoding, and the
 * errors (a `TypeError('fetch failed')` whose `cause` is the real error,
 * as browsers and undici report them). The wire protocol is an
 * `HttpSession` (`openSession()`: HTTP/1.1 from `h1.ts`, HTTP/2 from `h2.ts`).
 *
 * Headers are taken with `new Headers(init.headers)` (guard "none"), never
 * through `new Request()`: in a browser a Request drops the forbidden
 * request headers (Cookie, Origin, ...) that a proxy has to pass on.
 * @module
 */
import { type WebSocketConstructor, WispClient, type WispClientOptions } from '../adapters/wisp.js';
import { connect as tlsConnect } from '../api/tls.js';
import { clientContext } from '../core/configure.js';
import type { TLSContext } from '../core/context.js';
import { HttpError } from './errors.js';
import { brSupported, canDecode, codingsOf, decodeCodings } from './decode.js';
import { type H1Options, H1Session } from './h1.js';
import { H2Session } from './h2.js';
import {
  type ConnectFunction,
  type HttpRequest,
  type HttpResponse,
  type HttpSession,
  type HttpStream,
  type HttpTLSOptions,
  HttpUnprocessedError,
} from './types.js';

export { HttpError, type HttpErrorCode } from './errors.js';
export { HttpUnprocessedError } from './types.js';
export { Http2Error } from './h2.js';
export type { ConnectFunction, HttpTLSOptions } from './types.js';
export type { WebSocketConstructor } from '../adapters/wisp.js';

/** Options of {@link createFetch}: the transport, the TLS options passed
 * to `connect()` of `wasmtls/tls` for `https:` URLs, and the pool's limits. */
export interface FetchOptions extends Omit<HttpTLSOptions, 'idleTimeout'> {
  /** Opens a byte stream to `host:port` (see {@link ConnectFunction}). */
  connect: ConnectFunction;
  /** Connections per origin at most; further requests wait. Default 6 (browsers' limit). */
  maxConnectionsPerOrigin?: number;
  /** Milliseconds an unused pooled connection stays open. Default 30000. */
  idleTimeout?: number;
  /** Bytes a response head (or trailer section) may take. Default 65536. */
  maxHeaderBytes?: number;
  /** Fields a response head (or trailer section) may have. Default 256. */
  maxHeaderCount?: number;
  /** Milliseconds a request with `Expect: 100-continue` waits for the
   * 100 before sending its body. Default 1000. */
  continueTimeout?: number;
}

/**
 * What {@link WasmtlsFetch} resolves to: a `Response` that also carries
 * the header fields exactly as the server sent them. A browser's
 * `Response` cannot hold `Set-Cookie` (Fetch: a forbidden response-header
 * name, dropped by the "response" guard) nor a value its `Headers`
 * refuses; a proxy (the bare-mux transport) needs both.
 */
export interface WasmtlsResponse extends Response {
  /** Every field of the final response in order, names lower-case, values as received. */
  readonly rawHeaders: ReadonlyArray<readonly [string, string]>;
}

/** A `fetch` function with a `close()` that closes its pooled connections. */
export type WasmtlsFetch = ((input: RequestInfo | URL, init?: RequestInit) => Promise<WasmtlsResponse>) & {
  /** Close every pooled connection; requests still waiting fail. */
  close(): Promise<void>;
};

/** The pool's hooks into a session it opened. */
interface SessionHooks extends H1Options {
  /** HTTP/2 keeps its own idle timer (the pool's counts `available`, which an h2 session stays while it carries streams). */
  idleTimeout?: number;
}

/** ALPN protocols offered for `https:` (RFC 7301), HTTP/2 first (RFC 9113 3.2). */
const ALPN: readonly string[] = ['h2', 'http/1.1'];

/**
 * The session for a new connection, by the protocol ALPN chose (HTTP/1.1
 * when none was): the one place a new wire protocol plugs in.
 */
function openSession(stream: HttpStream, alpn: string, hooks: SessionHooks): HttpSession {
  if (alpn === 'h2') {
    return new H2Session(stream, {
      onAvailable: hooks.onAvailable,
      idleTimeout: hooks.idleTimeout,
      maxHeaderListSize: hooks.maxHeaderBytes,
    });
  }
  if (alpn !== 'http/1.1')
    throw new HttpError('ERR_HTTP_INVALID_REQUEST', `fetch: the server chose ALPN ${JSON.stringify(alpn)}, not offered`);
  return new H1Session(stream, hooks);
}

const OWN_OPTIONS = ['connect', 'maxConnectionsPerOrigin', 'idleTimeout', 'maxHeaderBytes', 'maxHeaderCount', 'continueTimeout'];
/** Fetch 2.2.3: statuses whose responses have no body. */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);
const REDIRECT = new Set([301, 302, 303, 307, 308]);
/** Fetch 4.4 step 12 ("request-body-header names"): dropped when a redirect turns the request into a GET. */
const BODY_HEADERS = ['content-encoding', 'content-language', 'content-location', 'content-type'];
/** Fields the wire protocol writes itself (types.ts HttpRequest.headers). */
const FRAMING = new Set(['host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive']);
/** Fetch 2.2.1: method names normalized to upper case. */
const NORMALIZED = new Set(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'POST', 'PUT']);
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const MAX_REDIRECTS = 20;
/** Origins whose TLS session is kept for resumption. */
const MAX_TICKETS = 256;
/** A redirect's body is read and dropped up to this many bytes (so the
 * connection can be reused); a longer one closes the connection. */
const DRAIN_LIMIT = 65536;

interface Waiter {
  run(s: HttpSession): void;
  fail(e: unknown): void;
}

/** One origin's connections (scheme, host, port; the TLS options are the fetch's). */
class Origin {
  readonly sessions = new Set<HttpSession>();
  readonly waiters: Waiter[] = [];
  /** Idle sessions: when each is to be closed (Date.now() ms). A session
   * taken for a request leaves this map; its timer stays (see #idleCheck). */
  readonly idle = new Map<HttpSession, number>();
  /** At most one timer per session, and the time it fires. */
  readonly timers = new Map<HttpSession, { t: ReturnType<typeof setTimeout>; at: number }>();
  opening = 0;
  /** A connection to this origin opened (its ALPN protocol is known). */
  known = false;
  constructor(
    readonly key: string,
    readonly tls: boolean,
    readonly host: string,
    readonly port: number,
  ) {}
}

/** The connection pool: per origin, up to a limit, idle connections reused and timed out. */
class Pool {
  readonly #origins = new Map<string, Origin>();
  /** The latest TLS session per origin, offered by its next connection
   * (resumption across the pool); kept after the origin's connections
   * are gone, the least recently stored dropped beyond {@link MAX_TICKETS}. */
  readonly #tickets = new Map<string, Uint8Array>();
  /** One TLS context for every connection of this fetch (as an undici
   * Agent holds one SecureContext): building it parses `ca` again, 3.3 ms
   * per connection with the 144 roots of wasmtls/roots (issue #16). Built
   * at the first https: connection, disposed by close(). */
  #context: TLSContext | undefined;
  readonly #connect: ConnectFunction;
  readonly #tls: HttpTLSOptions;
  readonly #max: number;
  readonly #idleMs: number;
  readonly #h1: H1Options;
  #closed = false;

  constructor(options: FetchOptions) {
    if (typeof options?.connect !== 'function') throw new TypeError('createFetch: `connect` (host, port) => transport is required');
    this.#connect = options.connect;
    const tls: Record<string, unknown> = { ...options };
    for (const k of OWN_OPTIONS) delete tls[k];
    this.#tls = tls as HttpTLSOptions;
    this.#max = options.maxConnectionsPerOrigin ?? 6;
    if (!(this.#max >= 1)) throw new RangeError('createFetch: `maxConnectionsPerOrigin` must be at least 1');
    this.#idleMs = options.idleTimeout ?? 30_000;
    this.#h1 = { maxHeaderBytes: options.maxHeaderBytes, maxHeaderCount: options.maxHeaderCount, continueTimeout: options.continueTimeout };
  }

  /** Send `req` on a connection to its origin: an idle one, a new one, or the next one free. */
  send(req: HttpRequest): Promise<HttpResponse> {
    const url = req.url;
    const tls = url.protocol === 'https:';
    const port = url.port ? Number(url.port) : tls ? 443 : 80;
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const key = `${url.protocol}//${host}:${port}`;
    let o = this.#origins.get(key);
    if (!o) {
      o = new Origin(key, tls, host, port);
      this.#origins.set(key, o);
    }
    const origin = o;
    const signal = req.signal;
    return new Promise<HttpResponse>((resolve, reject) => {
      if (this.#closed) {
        reject(new HttpError('ERR_HTTP_CONNECTION_CLOSED', 'fetch: closed'));
        return;
      }
      const onAbort = (): void => {
        const i = origin.waiters.indexOf(w);
        if (i >= 0) origin.waiters.splice(i, 1);
        this.#forget(origin);
        reject(signal?.reason);
      };
      const w: Waiter = {
        // Called synchronously by dispatch: request() marks an h1 session
        // busy at once, so no other waiter gets it.
        run: (s) => {
          signal?.removeEventListener('abort', onAbort);
          s.request(req).then(resolve, reject);
        },
        fail: (e) => {
          signal?.removeEventListener('abort', onAbort);
          reject(e);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      origin.waiters.push(w);
      this.#dispatch(origin);
    });
  }

  #dispatch(o: Origin): void {
    while (o.waiters.length > 0) {
      let free: HttpSession | undefined;
      for (const s of o.sessions) if (s.available) free = s; // the most recently added last
      if (!free) break;
      // Not idle any more; its timer, if any, finds it busy and lapses.
      o.idle.delete(free);
      o.waiters.shift()!.run(free);
    }
    // Until a TLS origin's first connection tells its protocol, open one:
    // an h2 origin takes every request on that one connection (RFC 9113 9.1).
    const max = o.tls && !o.known ? 1 : this.#max;
    while (!this.#closed && o.waiters.length > o.opening && o.sessions.size + o.opening < max) this.#open(o);
  }

  #open(o: Origin): void {
    o.opening++;
    this.#session(o).then(
      (s) => {
        o.opening--;
        if (this.#closed) {
          void s.close();
          return;
        }
        o.known = true;
        o.sessions.add(s);
        void s.closed.then(() => {
          o.sessions.delete(s);
          const t = o.timers.get(s);
          if (t !== undefined) clearTimeout(t.t);
          o.timers.delete(s);
          o.idle.delete(s);
          this.#dispatch(o);
          this.#forget(o);
        });
        this.#dispatch(o);
        this.#idleCheck(o, s);
      },
      (e) => {
        o.opening--;
        // The connection was opened for the oldest waiter: it gets the error.
        o.waiters.shift()?.fail(e);
        this.#dispatch(o);
        this.#forget(o);
      },
    );
  }

  /** Drop an origin with nothing open, opening or waiting (a proxy
   * fetches from many origins: the map must not grow with them). */
  #forget(o: Origin): void {
    if (o.sessions.size === 0 && o.opening === 0 && o.waiters.length === 0 && this.#origins.get(o.key) === o) {
      this.#origins.delete(o.key);
    }
  }

  /** Time out a session nobody is using. "Nobody" is `available` for
   * HTTP/1.1 (idle and reusable); a multiplexing session (h2) that stays
   * available while it carries streams must report its idle moments
   * through `onAvailable` and keep its own count before this is used for it. */
  #idleCheck(o: Origin, s: HttpSession): void {
    if (s.protocol === 'h2') return; // its own timer (SessionHooks.idleTimeout)
    if (!s.available || o.idle.has(s) || !o.sessions.has(s)) return;
    // The server's own idle limit, when it gave one (h1 Keep-Alive), if shorter.
    const hint = (s as { keepAliveMs?: number }).keepAliveMs;
    const ms = hint === undefined ? this.#idleMs : Math.min(this.#idleMs, hint);
    if (ms <= 0) {
      void s.close();
      return;
    }
    const at = Date.now() + ms;
    o.idle.set(s, at);
    // A timer per idle period would be one setTimeout and one clearTimeout
    // per request of a keep-alive connection (25 us a request in Chromium's
    // profile of bench/http.ts): the armed one is kept while it fires no
    // later than needed; when it fires it closes the session if it has been
    // idle long enough, else waits for the rest.
    const armed = o.timers.get(s);
    if (armed !== undefined && armed.at <= at) return;
    if (armed !== undefined) clearTimeout(armed.t);
    this.#armIdle(o, s, at);
  }

  #armIdle(o: Origin, s: HttpSession, at: number): void {
    const t = setTimeout(
      () => {
        o.timers.delete(s);
        const until = o.idle.get(s);
        if (until === undefined || !o.sessions.has(s)) return; // busy: armed again when next idle
        if (until > Date.now()) {
          this.#armIdle(o, s, until);
          return;
        }
        o.idle.delete(s);
        if (s.available) void s.close();
      },
      Math.max(0, at - Date.now()),
    );
    (t as { unref?: () => void }).unref?.();
    o.timers.set(s, { t, at });
  }

  async #session(o: Origin): Promise<HttpSession> {
    let session: HttpSession | undefined;
    const hooks: SessionHooks = {
      ...this.#h1,
      idleTimeout: this.#idleMs,
      onAvailable: () => {
        if (!session) return;
        this.#dispatch(o);
        this.#idleCheck(o, session);
      },
    };
    const transport = await this.#connect(o.host, o.port);
    if (this.#closed) {
      // close() ran while the transport was opening: start nothing on it
      // (a TLS context made now would outlive close(), which freed ours).
      await transport.close().catch(() => {});
      throw new HttpError('ERR_HTTP_CONNECTION_CLOSED', 'fetch: closed');
    }
    if (!o.tls) {
      session = openSession(transport, 'http/1.1', hooks);
      return session;
    }
    // The caller's own `context` wins; the other context options are then
    // ignored by connect(), as they would be there.
    this.#context ??= this.#tls.context ? undefined : clientContext({ ...this.#tls, ALPNProtocols: ALPN }, 'fetch');
    const sock = tlsConnect({
      ...this.#tls,
      context: this.#tls.context ?? this.#context,
      transport,
      host: o.host,
      ALPNProtocols: ALPN,
      session: this.#tickets.get(o.key),
      // Session resumption across the pool: the latest ticket per origin.
      onSession: (t) => {
        this.#tickets.delete(o.key);
        this.#tickets.set(o.key, t);
        if (this.#tickets.size > MAX_TICKETS) this.#tickets.delete(this.#tickets.keys().next().value as string);
      },
    });
    sock.closed.catch(() => {});
    let alpn: string | false;
    try {
      alpn = (await sock.opened).alpnProtocol;
    } catch (e) {
      await sock.close().catch(() => {});
      throw e;
    }
    const stream: HttpStream = { readable: sock.readable, writable: sock.writable, close: () => sock.close() };
    try {
      session = openSession(stream, alpn || 'http/1.1', hooks);
    } catch (e) {
      await sock.close().catch(() => {});
      throw e;
    }
    return session;
  }

  async close(): Promise<void> {
    this.#closed = true;
    const all: Promise<void>[] = [];
    for (const o of this.#origins.values()) {
      for (const w of o.waiters.splice(0)) w.fail(new HttpError('ERR_HTTP_CONNECTION_CLOSED', 'fetch: closed'));
      for (const t of o.timers.values()) clearTimeout(t.t);
      o.timers.clear();
      o.idle.clear();
      for (const s of o.sessions) all.push(s.close());
    }
    this.#origins.clear();
    this.#tickets.clear();
    await Promise.all(all);
    // After the connections: each Connection holds the context until it is disposed.
    this.#context?.dispose();
    this.#context = undefined;
  }
}

/** A request body: bytes (replayable: redirects and retries send it
 * again) or a stream (sent once). */
type Body = { bytes: Uint8Array } | { stream: ReadableStream<Uint8Array> } | null;

function bodyStream(b: Body): { body: ReadableStream<Uint8Array> | null; bodyLength: number | undefined } {
  if (b === null) return { body: null, bodyLength: undefined };
  if ('stream' in b) return { body: b.stream, bodyLength: undefined };
  const bytes = b.bytes;
  return {
    body: new ReadableStream<Uint8Array>({
      start(c) {
        if (bytes.byteLength > 0) c.enqueue(bytes);
        c.close();
      },
    }),
    bodyLength: bytes.byteLength,
  };
}

/** Fetch's "extract a body": any BodyInit but a stream becomes bytes and
 * maybe a Content-Type (the runtime's Response does the serializing:
 * FormData's multipart boundary, URLSearchParams, Blob's type). */
async function extract(init: BodyInit): Promise<{ body: Body; type: string | null }> {
  if (init instanceof ReadableStream) return { body: { stream: init as ReadableStream<Uint8Array> }, type: null };
  const r = new Response(init);
  return { body: { bytes: new Uint8Array(await r.arrayBuffer()) }, type: r.headers.get('content-type') };
}

/** Read and drop a redirect's body if it is short, so its connection
 * stays reusable; cancel it (closing the connection) if not. */
async function drain(body: ReadableStream<Uint8Array> | null): Promise<void> {
  if (!body) return;
  const reader = body.getReader();
  let total = 0;
  try {
    for (;;) {
      const r = await reader.read();
      if (r.done) return;
      total += r.value.byteLength;
      if (total > DRAIN_LIMIT) {
        await reader.cancel();
        return;
      }
    }
  } catch {
    // The redirect's body failing does not fail the redirect.
  }
}

function toResponse(r: HttpResponse, url: URL, redirected: boolean): WasmtlsResponse {
  if (r.status < 200 || r.status > 599) {
    r.body?.cancel().catch(() => {});
    throw new HttpError('ERR_HTTP_INVALID_STATUS_LINE', `fetch: status ${r.status} is outside 200-599`);
  }
  const headers = new Headers();
  for (const [n, v] of r.headers) {
    try {
      headers.append(n, v);
    } catch {
      // A value the runtime's Headers refuses (it is stricter than RFC
      // 9110): left out of `headers`, kept in `rawHeaders`.
    }
  }
  let body = r.body;
  if (NULL_BODY.has(r.status)) {
    body?.cancel().catch(() => {});
    body = null;
  } else if (body) {
    // RFC 9110 8.4: undo the content codings; a body with one we cannot
    // undo is given as it came (as browsers do), Content-Encoding intact.
    const coding = headers.get('content-encoding');
    const codings = coding === null ? [] : codingsOf(coding);
    if (codings.length > 0 && codings.every(canDecode)) body = decodeCodings(body, codings);
  }
  let res: Response;
  try {
    res = new Response(body, { status: r.status, statusText: r.statusText, headers });
  } catch {
    // A reason phrase Response refuses (obs-text): the status is what counts.
    res = new Response(body, { status: r.status, headers });
  }
  // Response's constructor cannot set these (fetch: "response's URL ...
  // serialized with exclude fragment set to true").
  let href = url.href;
  // (An empty fragment, `#` alone, has an empty `hash` but is in `href`.)
  if (href.includes('#')) {
    const u = new URL(href);
    u.hash = '';
    href = u.href;
  }
  Object.defineProperty(res, 'url', { value: href, enumerable: true });
  Object.defineProperty(res, 'redirected', { value: redirected, enumerable: true });
  const raw = Object.freeze(r.headers.map(([n, v]) => Object.freeze([n, v] as const)));
  Object.defineProperty(res, 'rawHeaders', { value: raw, enumerable: true });
  return res as WasmtlsResponse;
}

/**
 * A `fetch` over wasmtls through `options.connect`. See the module comment.
 *
 * @example
 * ```ts
 * import { connectTcp } from 'wasmtls/adapters/node-socket';
 * const fetch = createFetch({ connect: (host, port) => connectTcp({ host, port }), ca: rootCertificates });
 * const res = await fetch('https://example.com/');
 * ```
 */
export function createFetch(options: FetchOptions): WasmtlsFetch {
  const pool = new Pool(options);
  const max = options.maxConnectionsPerOrigin ?? 6;

  async function fetch(input: RequestInfo | URL, init: RequestInit = {}): Promise<WasmtlsResponse> {
    const req = typeof Request !== 'undefined' && input instanceof Request ? input : undefined;
    // Argument errors are TypeErrors of their own, as fetch's are.
    let url: URL;
    try {
      url = new URL(req ? req.url : String(input));
    } catch (e) {
      throw new TypeError(`fetch: invalid URL ${JSON.stringify(String(req ? req.url : input))}`, { cause: e });
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`fetch: unsupported scheme ${url.protocol}`);
    if (url.username || url.password) throw new TypeError('fetch: a URL with credentials is not fetched (fetch 5.4 Request constructor)');
    let method = init.method ?? req?.method ?? 'GET';
    if (!TOKEN.test(method)) throw new TypeError(`fetch: invalid method ${JSON.stringify(method)}`);
    if (NORMALIZED.has(method.toUpperCase())) method = method.toUpperCase();
    if (method === 'CONNECT') throw new TypeError('fetch: CONNECT is not a fetch method');
    const headers = new Headers(init.headers ?? req?.headers);
    const signal = init.signal ?? req?.signal ?? undefined;
    const mode = init.redirect ?? req?.redirect ?? 'follow';
    signal?.throwIfAborted();
    let body: Body = null;
    if (init.body !== undefined && init.body !== null) {
      if (method === 'GET' || method === 'HEAD') throw new TypeError('fetch: a GET or HEAD request cannot have a body');
      const x = await extract(init.body);
      body = x.body;
      if (x.type !== null && !headers.has('content-type')) headers.set('content-type', x.type);
    } else if (init.body === undefined && req?.body) {
      body = { bytes: new Uint8Array(await req.arrayBuffer()) };
    }

    try {
      let redirected = false;
      for (let hops = 0; ; hops++) {
        const res = await sendOnce(method, url, headers, body, signal);
        const location = res.headers.find(([n]) => n === 'location')?.[1];
        if (!REDIRECT.has(res.status) || location === undefined || mode === 'manual') {
          return toResponse(res, url, redirected);
        }
        // Fetch 4.4, HTTP-redirect fetch.
        if (mode === 'error') {
          await res.body?.cancel().catch(() => {});
          throw new HttpError('ERR_HTTP_REDIRECT', `fetch: redirect (${res.status}) with redirect mode "error"`);
        }
        let next: URL;
        try {
          next = new URL(location, url);
        } catch (e) {
          await res.body?.cancel().catch(() => {});
          throw new HttpError('ERR_HTTP_REDIRECT', `fetch: invalid Location ${JSON.stringify(location)}`, { cause: e });
        }
        if (next.protocol !== 'http:' && next.protocol !== 'https:') {
          await res.body?.cancel().catch(() => {});
          throw new HttpError('ERR_HTTP_REDIRECT', `fetch: redirect to a ${next.protocol} URL`);
        }
        if (hops + 1 > MAX_REDIRECTS) {
          await res.body?.cancel().catch(() => {});
          throw new HttpError('ERR_HTTP_TOO_MANY_REDIRECTS', `fetch: more than ${MAX_REDIRECTS} redirects`);
        }
        // Step 12: a body that cannot be sent again fails any redirect but 303.
        if (res.status !== 303 && body !== null && 'stream' in body) {
          await res.body?.cancel().catch(() => {});
          throw new HttpError('ERR_HTTP_REDIRECT', `fetch: a ${res.status} redirect would resend a stream body, which was already sent`);
        }
        await drain(res.body);
        // Step 13: 301/302 after POST, and 303 after anything but GET/HEAD, become a GET without body.
        if (
          ((res.status === 301 || res.status === 302) && method === 'POST') ||
          (res.status === 303 && method !== 'GET' && method !== 'HEAD')
        ) {
          method = 'GET';
          body = null;
          for (const n of BODY_HEADERS) headers.delete(n);
        }
        // Step 14: credentials do not follow a redirect to another origin.
        if (next.origin !== url.origin) headers.delete('authorization');
        url = next;
        redirected = true;
        signal?.throwIfAborted();
      }
    } catch (e) {
      if (signal?.aborted) throw signal.reason;
      throw new TypeError('fetch failed', { cause: e });
    }
  }

  async function sendOnce(method: string, url: URL, headers: Headers, body: Body, signal: AbortSignal | undefined): Promise<HttpResponse> {
    const fields: Array<[string, string]> = [];
    for (const [n, v] of headers) if (!FRAMING.has(n)) fields.push([n, v]);
    if (!headers.has('accept')) fields.push(['accept', '*/*']);
    if (!headers.has('accept-encoding')) fields.push(['accept-encoding', brSupported() ? 'gzip, deflate, br' : 'gzip, deflate']);
    // A reused connection the server closed meanwhile: send again on
    // another (each try drops one dead connection, so this ends).
    for (let attempt = 0; ; attempt++) {
      const { body: stream, bodyLength } = bodyStream(body);
      try {
        return await pool.send({ method, url, headers: fields, body: stream, bodyLength, signal });
      } catch (e) {
        const replayable = body === null || 'bytes' in body;
        if (!(e instanceof HttpUnprocessedError) || !replayable || attempt > max) throw e;
      }
    }
  }

  return Object.assign(fetch, { close: () => pool.close() });
}

/** Options of {@link wispFetch}: those of {@link createFetch} but `connect`, and the WebSocket's. */
export interface WispFetchOptions extends Omit<FetchOptions, 'connect'> {
  /** The WebSocket class (default `globalThis.WebSocket`; in Node 20 pass npm `ws`'s). */
  WebSocket?: WebSocketConstructor;
  /** Options of the {@link WispClient}. */
  wisp?: WispClientOptions;
}

/**
 * {@link createFetch} over a Wisp server: one WebSocket (opened at the
 * first request, opened again if it closes) carries every connection.
 *
 * @example
 * ```ts
 * const fetch = wispFetch('wss://wisp.example/', { ca: rootCertificates });
 * const res = await fetch('https://example.com/');
 * ```
 */
export function wispFetch(wispUrl: string | URL, options: WispFetchOptions = {}): WasmtlsFetch {
  const { WebSocket: WS, wisp, ...rest } = options;
  let client: Promise<WispClient> | undefined;
  const get = (): Promise<WispClient> => {
    if (client) return client;
    const Ctor = WS ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    if (!Ctor) return Promise.reject(new TypeError('wispFetch: no WebSocket in this runtime: pass `WebSocket` (npm ws in Node 20)'));
    const c = new WispClient(new Ctor(String(wispUrl)), wisp);
    const p = c.ready.then(() => c);
    client = p;
    const forget = (): void => {
      if (client === p) client = undefined;
    };
    c.closed.then(forget, forget);
    p.catch(forget);
    return p;
  };
  const f = createFetch({ ...rest, connect: async (host, port) => (await get()).connect(host, port) });
  return Object.assign((input: RequestInfo | URL, init?: RequestInit) => f(input, init), {
    close: async () => {
      await f.close();
      const c = client;
      client = undefined;
      if (c) await (await c.catch(() => undefined))?.close();
    },
  });
}
