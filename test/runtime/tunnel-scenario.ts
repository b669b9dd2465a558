/**
 * One HTTPS fetch through a WebSocket tunnel, the same code in every
 * runtime: a websockify-style relay (test/helpers/relay.ts) carries the TCP
 * bytes to `openssl s_server -WWW`; connect() runs TLS 1.3 over
 * fromWebSocket(), validates the chain against the test root, sends an
 * HTTP/1.1 GET and reads to the end. Bundled by tunnel.runtimes.test.ts,
 * which bakes the parameters into the bundle, so no runtime needs its own
 * way (argv, env, query) of passing them.
 *
 * s_server -WWW answers HTTP/1.0 with no Content-Length and ends the body
 * with close_notify: the readable ending cleanly is what proves the body
 * is whole (a truncation would error it, RFC 8446 6.1).
 */
import { fromWebSocket, type WebSocketLike } from '../../ts/adapters/websocket.js';
import { connect } from '../../ts/api/tls.js';
import { Hash } from '../../ts/core/hash.js';
import { init, type WasmSource } from '../../ts/core/loader.js';

export interface TunnelParams {
  /** The relay, `ws://127.0.0.1:P`. */
  wsUrl: string;
  /** Where the relay connects, `127.0.0.1:port` (the URL path). */
  target: string;
  caPem: string;
  servername: string;
  /** The file's path on the server, `/file.bin`. */
  path: string;
  /** Hex SHA-256 of the file, computed by Node (compared here too, so a
   * failing runtime says so in its own report). */
  expectedSha256: string;
}

export interface TunnelReport {
  version?: string;
  cipher?: string;
  group?: string;
  alpnProtocol?: string | false;
  authorized?: boolean;
  authorizationError?: string;
  subjectCN?: string;
  status?: number;
  statusLine?: string;
  headers?: Record<string, string>;
  bodyLength?: number;
  bodySha256?: string;
  bodyMatches?: boolean;
  /** Milliseconds: handshake done, response read. */
  handshakeMs?: number;
  totalMs?: number;
  error?: string;
}

/** A WHATWG WebSocket constructor (global, or npm `ws`'s in Node 20). */
export type WebSocketCtor = new (url: string) => WebSocketLike;

const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

/** Index of "\r\n\r\n" in b, or -1. */
function headEnd(b: Uint8Array): number {
  for (let i = 0; i + 3 < b.length; i++) {
    if (b[i] === 13 && b[i + 1] === 10 && b[i + 2] === 13 && b[i + 3] === 10) return i;
  }
  return -1;
}

export async function runTunnel(source: WasmSource, p: TunnelParams, WS?: WebSocketCtor): Promise<TunnelReport> {
  const report: TunnelReport = {};
  const t0 = Date.now();
  try {
    await init(source);
    const Ctor = WS ?? (globalThis as unknown as { WebSocket?: WebSocketCtor }).WebSocket;
    if (!Ctor) throw new Error('no WebSocket in this runtime and none given');
    const tls = connect({
      transport: fromWebSocket(new Ctor(`${p.wsUrl}/${p.target}`)),
      servername: p.servername,
      ca: p.caPem,
      ALPNProtocols: ['http/1.1'],
    });
    const info = await tls.opened;
    report.handshakeMs = Date.now() - t0;
    Object.assign(report, {
      version: info.version,
      cipher: info.cipher,
      group: info.group,
      alpnProtocol: info.alpnProtocol,
      authorized: info.authorized,
      authorizationError: info.authorizationError,
      subjectCN: info.peerCertificate?.subject.CN,
    });

    const w = tls.writable.getWriter();
    await w.write(new TextEncoder().encode(`GET ${p.path} HTTP/1.1\r\nHost: ${p.servername}\r\nConnection: close\r\n\r\n`));
    w.releaseLock();

    // Head bytes pile up until the blank line; the body streams into the
    // hash, so its size costs no memory here.
    let head: Uint8Array | undefined = new Uint8Array(0);
    const h = new Hash('SHA-256');
    let bodyLength = 0;
    const body = (b: Uint8Array): void => {
      h.update(b);
      bodyLength += b.length;
    };
    const r = tls.readable.getReader();
    for (let x = await r.read(); !x.done; x = await r.read()) {
      const chunk = x.value;
      if (head === undefined) {
        body(chunk);
        continue;
      }
      const joined: Uint8Array = new Uint8Array(head.length + chunk.length);
      joined.set(head);
      joined.set(chunk, head.length);
      const end = headEnd(joined);
      if (end < 0) {
        if (joined.length > 16384) throw new Error('no end of the response head in 16 KiB');
        head = joined;
        continue;
      }
      const lines = new TextDecoder().decode(joined.subarray(0, end)).split('\r\n');
      report.statusLine = lines[0];
      report.status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(lines[0])?.[1] ?? NaN);
      report.headers = {};
      for (const l of lines.slice(1)) {
        const c = l.indexOf(':');
        if (c > 0) report.headers[l.slice(0, c).trim().toLowerCase()] = l.slice(c + 1).trim();
      }
      head = undefined;
      body(joined.subarray(end + 4));
    }
    if (head !== undefined) throw new Error(`the response ended inside its head (${head.length} bytes)`);
    report.bodyLength = bodyLength;
    report.bodySha256 = hex(h.digest());
    h.dispose();
    report.bodyMatches = report.bodySha256 === p.expectedSha256;
    await tls.close();
    report.totalMs = Date.now() - t0;
  } catch (e) {
    report.error = e instanceof Error ? `${e.name}: ${e.message}\n${e.stack ?? ''}` : String(e);
  }
  return report;
}
