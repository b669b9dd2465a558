/**
 * The contract between the parts of `ts/http/`: the fetch front end
 * (`fetch.ts`: Request/Response, pool, redirects, decoding) and the two
 * wire protocols under it (`h1.ts`, RFC 9112; `h2.ts`, RFC 9113), plus the
 * `connect` function every part opens its byte streams with. Nothing here
 * knows the TLS engine: a session is handed a connection made by
 * `connect()` from `wasmtls/tls` (or, for `http:`/`ws:`, the bare
 * transport).
 * @module
 */
import type { Transport } from '../adapters/types.js';
import type { ConnectOptions } from '../api/tls.js';

/**
 * Opens a byte stream to `host:port`: a Wisp stream, a WebSocket relay, a
 * Node or Workers socket, any stream pair. TLS, when the URL asks for it,
 * is run over it by the caller.
 */
export type ConnectFunction = (host: string, port: number) => Transport | Promise<Transport>;

/** The TLS options passed through to `connect()` from `wasmtls/tls` for `https:` and `wss:`. */
export type HttpTLSOptions = Omit<ConnectOptions, 'transport' | 'ALPNProtocols' | 'host' | 'signal' | 'session' | 'onSession'>;

/** A byte stream the protocol runs over: the plaintext of a TLS connection, or a bare transport. */
export interface HttpStream {
  readonly readable: ReadableStream<Uint8Array>;
  readonly writable: WritableStream<Uint8Array>;
  /** Close both directions now (a TLS connection sends close_notify first). */
  close(): Promise<void>;
}

/** One request as the wire protocols take it: the fetch layer has already
 * resolved the URL, applied redirects' rules and chosen the headers. */
export interface HttpRequest {
  /** Upper-case method token (`GET`, `POST`, ...). */
  method: string;
  /** The absolute URL; h1 sends its path and query as the request target
   * (RFC 9112 3.2.1) and its authority as `Host`, h2 as `:path` and
   * `:authority` (RFC 9113 8.3.1). */
  url: URL;
  /** Header fields in order, names lower-case, without `Host`,
   * `Connection`, `Transfer-Encoding` or `Content-Length` (the protocol
   * writes its own framing). */
  headers: Array<[string, string]>;
  /** The body, or null for none. */
  body: ReadableStream<Uint8Array> | null;
  /** The body's length when known in advance (h1 then sends
   * `Content-Length`, otherwise chunked; h2 sends `content-length` when known). */
  bodyLength: number | undefined;
  /** Aborts the request: h1 closes the connection, h2 sends RST_STREAM(CANCEL). */
  signal: AbortSignal | undefined;
  /** Called with each interim (1xx) response other than 101, if given. */
  onInformational?: (status: number, headers: Array<[string, string]>) => void;
}

/** A final response as the wire protocols give it. */
export interface HttpResponse {
  status: number;
  /** The reason phrase (h1); `''` for h2, which has none. */
  statusText: string;
  /** Header fields in order, names lower-case, values as received. */
  headers: Array<[string, string]>;
  /** The body with the transfer framing removed (chunked, Content-Length,
   * DATA frames) but not the content coding; null when the response has
   * none by definition (HEAD, 204, 304: RFC 9110 6.4.1). A body cut short
   * errors this stream: it is never a silently short body. */
  body: ReadableStream<Uint8Array> | null;
  /** `'1.1'` or `'2'`. */
  httpVersion: '1.1' | '2';
}

/**
 * One connection to one origin speaking one protocol. The pool in
 * `fetch.ts` owns sessions: it asks `available` before it sends, and drops
 * a session once `closed` settles.
 */
export interface HttpSession {
  readonly protocol: 'http/1.1' | 'h2';
  /** Whether `request()` may be called now: h1 when idle and reusable,
   * h2 while no GOAWAY came and fewer streams are open than the server's
   * SETTINGS_MAX_CONCURRENT_STREAMS. */
  readonly available: boolean;
  /** Send one request; resolves with the final response head once it
   * arrived (the body streams after). Rejects with an
   * {@link HttpUnprocessedError} when the server is known not to have
   * processed it (h2 GOAWAY with a higher last-stream-id, REFUSED_STREAM;
   * h1 a reused connection closed before any response byte of an
   * idempotent request) so the caller may retry it on a new connection. */
  request(req: HttpRequest): Promise<HttpResponse>;
  /** Close the connection (h2: GOAWAY first); open requests fail. */
  close(): Promise<void>;
  /** Settles when the connection has ended, for whatever reason. Never rejects. */
  readonly closed: Promise<void>;
}

/** A request the server did not process: safe to send again elsewhere
 * (RFC 9113 8.7, RFC 9110 9.2.2). */
export class HttpUnprocessedError extends Error {
  /** Always `'ERR_HTTP_UNPROCESSED'`. */
  readonly code = 'ERR_HTTP_UNPROCESSED';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'HttpUnprocessedError';
  }
}
