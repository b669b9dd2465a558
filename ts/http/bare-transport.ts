/**
 * A transport for `@mercuryworkshop/bare-mux` (v2): the `BareTransport`
 * interface web proxies (Ultraviolet, Scramjet) fetch and open WebSockets
 * through, implemented with wasmtls over one Wisp connection. TLS runs here,
 * in the bare-mux SharedWorker; the Wisp server only sees ciphertext.
 *
 * bare-mux loads a transport by URL and constructs its default export with
 * the options given to `setTransport()` (structured-cloned across to the
 * worker: strings and bytes, no functions), then calls `init()` whenever
 * `ready` is false, and `request()` / `connect()` for each fetch and
 * WebSocket. The build makes `dist/bare-transport.js` a standalone ES module
 * (wasmtls bundled in; it loads `wasmtls.wasm` from beside itself unless
 * `wasm` says where), so a proxy switches to wasmtls by changing one URL.
 *
 * Requests go through `createFetch` (`wasmtls/fetch`) with `redirect:
 * 'manual'` (bare-mux follows redirects itself) and the headers as the proxy
 * gave them; WebSockets through `createWebSocket` (`wasmtls/websocket`).
 * Both share the one Wisp connection, made again on the next request after
 * it closed.
 *
 * @example
 * ```ts
 * import { BareMuxConnection } from '@mercuryworkshop/bare-mux';
 * const conn = new BareMuxConnection('/baremux/worker.js');
 * await conn.setTransport('/wasmtls/bare-transport.js', [{ wisp: 'wss://proxy.example/wisp/' }]);
 * ```
 * @module
 */
import { type WebSocketConstructor, WISP_V2_SUBPROTOCOL, type WispAuth, WispClient, type WispClientOptions } from '../adapters/wisp.js';
import { init as initWasm, type WasmSource } from '../core/loader.js';
import { createFetch, type FetchOptions, type WasmtlsFetch } from './fetch.js';
import type { ConnectFunction, HttpTLSOptions } from './types.js';
import { createWebSocket, type WasmtlsWebSocket } from './websocket.js';

/** bare-mux's header record: a field given several times is an array. */
export type BareHeaders = Record<string, string | string[]>;

/** What `request()` resolves with (bare-mux's `TransferrableResponse`). */
export interface TransferrableResponse {
  /** The body, content coding removed (an empty ArrayBuffer when the response has none). */
  body: ReadableStream<Uint8Array> | ArrayBuffer | Blob | string;
  /** The response's header fields, names lower-case. */
  headers: BareHeaders;
  /** The status code. */
  status: number;
  /** The reason phrase. */
  statusText: string;
}

/**
 * Options of the transport: the first element of `setTransport(url,
 * [options])`. Besides these, the TLS options of `connect()` (`ca`,
 * `servername`, `rejectUnauthorized`, ...) for `https:` and `wss:`, and the
 * pool's limits of `createFetch` (`maxConnectionsPerOrigin`, `idleTimeout`,
 * ...), which apply to requests only.
 */
export interface BareTransportOptions extends Omit<FetchOptions, 'connect'> {
  /** The Wisp server, `ws://` or `wss://`, ending with `/`. */
  wisp: string;
  /** Wisp v2 password authentication, when the server asks for it. */
  auth?: WispAuth;
  /**
   * Offer the `wisp-v2` WebSocket subprotocol (the wisp-js server speaks v2
   * only then). A server that refuses the handshake because of it is tried
   * again without (browsers fail a handshake whose response names no
   * subprotocol when one was offered). Default true.
   */
  wispV2?: boolean;
  /** Where to load the wasm module from; default `wasmtls.wasm` beside this module. */
  wasm?: WasmSource;
  /** The WebSocket constructor that reaches the Wisp server; default the global one (npm `ws` in Node 20). */
  WebSocket?: WebSocketConstructor;
}

/** Header fields the WebSocket handshake writes itself (RFC 6455 4.1), dropped from `requestHeaders`. */
const HANDSHAKE_FIELD = /^(host|upgrade|connection|sec-websocket-.*)$/i;

function headerPairs(headers: BareHeaders | Headers | undefined): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  if (!headers) return out;
  if (typeof Headers === 'function' && headers instanceof Headers) {
    for (const [k, v] of headers) out.push([k, v]);
    return out;
  }
  for (const [k, v] of Object.entries(headers as BareHeaders)) {
    if (Array.isArray(v)) for (const x of v) out.push([k, String(x)]);
    else out.push([k, String(v)]);
  }
  return out;
}

/** The response's fields as bare-mux's record, from `rawHeaders` (a
 * browser's `Headers` has no `Set-Cookie`): `Set-Cookie` one array entry
 * per field (RFC 6265 3: never combined), other repeated fields joined
 * with ", " as `Headers` does (RFC 9110 5.3). */
function bareHeaders(raw: ReadonlyArray<readonly [string, string]>): BareHeaders {
  const out: BareHeaders = {};
  const cookies: string[] = [];
  for (const [k, v] of raw) {
    if (k === 'set-cookie') cookies.push(v);
    else out[k] = k in out ? `${out[k] as string}, ${v}` : v;
  }
  if (cookies.length > 0) out['set-cookie'] = cookies;
  return out;
}

/**
 * The transport bare-mux constructs: `new WasmtlsTransport({ wisp, ...tls })`.
 */
export class WasmtlsTransport {
  /** False until `init()` has a ready Wisp connection, and again once it closed (bare-mux then calls `init()`). */
  ready = false;

  readonly #options: BareTransportOptions;
  readonly #tls: HttpTLSOptions;
  readonly #connect: ConnectFunction;
  readonly #fetch: WasmtlsFetch;
  #client: WispClient | undefined;
  #opening: Promise<WispClient> | undefined;

  constructor(options: BareTransportOptions) {
    if (options === null || typeof options !== 'object' || typeof options.wisp !== 'string')
      throw new TypeError("wasmtls bare transport: options.wisp must be the Wisp server's URL, as in setTransport(url, [{ wisp }])");
    const u = new URL(options.wisp);
    if (u.protocol !== 'ws:' && u.protocol !== 'wss:')
      throw new TypeError(`wasmtls bare transport: options.wisp must be a ws: or wss: URL, got ${options.wisp}`);
    const { wisp: _w, auth: _a, wispV2: _v, wasm: _m, WebSocket: _ws, ...fetchOptions } = options;
    // The pool's options are not TLS options (idleTimeout means another thing there).
    const {
      maxConnectionsPerOrigin: _c,
      idleTimeout: _i,
      maxHeaderBytes: _b,
      maxHeaderCount: _n,
      continueTimeout: _t,
      ...tls
    } = fetchOptions;
    this.#options = options;
    this.#tls = tls;
    this.#connect = async (host, port) => (await this.#wisp()).connect(host, port);
    this.#fetch = createFetch({ ...fetchOptions, connect: this.#connect });
  }

  /** Load the wasm module and open the Wisp connection. */
  async init(): Promise<void> {
    await initWasm(this.#options.wasm);
    await this.#wisp();
  }

  /**
   * Not part of bare-mux's interface (it never drops a transport): close the
   * pooled connections and the Wisp connection, for callers that own the
   * object (tests, a proxy switching transports by hand).
   */
  async close(): Promise<void> {
    await this.#fetch.close();
    const c = this.#client ?? (await this.#opening?.catch(() => undefined));
    this.#client = undefined;
    this.ready = false;
    await c?.close();
  }

  /** bare-mux asks for it; this transport has nothing to report. */
  meta(): Record<string, never> {
    return {};
  }

  /** One HTTP request: the response head, and the body as a stream. */
  async request(
    remote: URL,
    method: string,
    body: BodyInit | null | undefined,
    headers: BareHeaders,
    signal: AbortSignal | null | undefined,
  ): Promise<TransferrableResponse> {
    const init: RequestInit & { duplex?: 'half' } = {
      method,
      headers: headerPairs(headers),
      redirect: 'manual',
      signal: signal ?? undefined,
    };
    if (body !== null && body !== undefined) {
      init.body = body;
      // A stream body needs it (Fetch: "duplex member must be specified").
      if (typeof ReadableStream === 'function' && body instanceof ReadableStream) init.duplex = 'half';
    }
    const res = await this.#fetch(remote.href, init);
    return {
      // null for HEAD, 204 and 304; bare-mux hands the body to `new Response()`.
      body: res.body ?? new ArrayBuffer(0),
      headers: bareHeaders(res.rawHeaders),
      status: res.status,
      statusText: res.statusText,
    };
  }

  /**
   * One WebSocket (`ws:`/`wss:`): returns bare-mux's `[send, close]` and
   * reports through the callbacks. Messages arrive as string or ArrayBuffer.
   */
  connect(
    url: URL,
    protocols: string[],
    requestHeaders: BareHeaders,
    onopen: (protocol: string) => void,
    onmessage: (data: Blob | ArrayBuffer | string) => void,
    onclose: (code: number, reason: string) => void,
    onerror: (error: string) => void,
  ): [(data: Blob | ArrayBuffer | ArrayBufferView | string) => void, (code?: number, reason?: string) => void] {
    const WebSocket = createWebSocket({
      ...this.#tls,
      connect: this.#connect,
      requestHeaders: headerPairs(requestHeaders).filter(([k]) => !HANDSHAKE_FIELD.test(k)),
    });
    let ws: WasmtlsWebSocket;
    try {
      ws = new WebSocket(url.href, protocols);
    } catch (e) {
      // bare-mux expects the failure through the callbacks, as a browser's WebSocket reports it.
      queueMicrotask(() => {
        onerror(e instanceof Error ? e.message : String(e));
        onclose(1006, '');
      });
      return [() => {}, () => {}];
    }
    ws.binaryType = 'arraybuffer';
    ws.onopen = () => onopen(ws.protocol);
    ws.onmessage = (ev) => onmessage((ev as MessageEvent).data as ArrayBuffer | string);
    ws.onerror = () => onerror(ws.error?.message ?? 'WebSocket error');
    ws.onclose = (ev) => {
      const c = ev as Event & { code: number; reason: string };
      onclose(c.code, c.reason);
    };
    return [
      (data) => ws.send(data),
      (code, reason) => {
        // bare-mux forwards the page's close() arguments, possibly undefined.
        if (code === undefined) ws.close();
        else ws.close(code, reason);
      },
    ];
  }

  /** The ready Wisp connection, opened (again) when there is none. */
  #wisp(): Promise<WispClient> {
    if (this.#client) return Promise.resolve(this.#client);
    this.#opening ??= this.#open().then(
      (c) => {
        this.#opening = undefined;
        this.#client = c;
        this.ready = true;
        c.closed.then(() => {
          if (this.#client === c) {
            this.#client = undefined;
            this.ready = false;
          }
        });
        return c;
      },
      (e: unknown) => {
        this.#opening = undefined;
        throw e;
      },
    );
    return this.#opening;
  }

  async #open(): Promise<WispClient> {
    const Ctor = this.#options.WebSocket ?? (globalThis as { WebSocket?: BareTransportOptions['WebSocket'] }).WebSocket;
    if (typeof Ctor !== 'function') throw new TypeError('wasmtls bare transport: no WebSocket constructor: pass options.WebSocket');
    const attempt = async (protocols: string[]): Promise<{ client?: WispClient; opened: boolean; error?: unknown }> => {
      const ws = new Ctor(this.#options.wisp, protocols);
      let opened = ws.readyState === 1;
      ws.addEventListener('open', () => (opened = true));
      const client = new WispClient(ws, { auth: this.#options.auth });
      try {
        await client.ready;
        return { client, opened: true };
      } catch (error) {
        return { opened, error };
      }
    };
    const v2 = this.#options.wispV2 ?? true;
    let r = await attempt(v2 ? [WISP_V2_SUBPROTOCOL] : []);
    // The WebSocket handshake itself failed with the subprotocol offered: try without it (v1).
    if (r.error !== undefined && v2 && !r.opened) r = await attempt([]);
    if (r.client) return r.client;
    throw r.error;
  }
}

export default WasmtlsTransport;
