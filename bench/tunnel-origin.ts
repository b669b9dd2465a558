/**
 * The HTTPS origin behind the Wisp server, for bench/tunnel.ts and
 * test/tunnel-eof.test.ts, on 127.0.0.1:
 *  - `https`: node:https, HTTP/1.1 keep-alive. `GET /small` answers a short
 *    body (time to first byte, handshakes); `GET /big` answers BIG_BYTES
 *    from one pre-generated buffer, with Content-Length; `GET /big/<n>`
 *    the first n of them. Every answer says the protocol it was served over
 *    in `x-http-version` (req.httpVersion: "1.1", "2.0"), so a client
 *    that fell back to another protocol than the one measured is caught.
 *  - `h2`: node:http2 createSecureServer, ALPN h2 only (allowHTTP1 false:
 *    a client without HTTP/2 fails the handshake, it is never quietly
 *    measured over HTTP/1.1), the same answers (bench/http.ts).
 *  - `fresh`: `freshPorts` more listeners like `https` (and as many like
 *    `plain`), so that a pooling client (fetch) is sure to open a new
 *    connection: one port per sample, a port it never used (bench/http.ts,
 *    time to first byte).
 *  - `raw`: node:tls, one response per connection. `GET /close/<n>/abrupt`
 *    answers n body bytes and then closes TCP without close_notify (what a
 *    crashing or careless server does); `GET /close/<n>/notify` ends with
 *    close_notify. A client that honours Content-Length can tell both
 *    apart from truncation; the bytes it delivers are what we compare.
 */
import { createServer as httpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as httpsServer } from 'node:https';
import { createSecureServer as http2Server, type Http2ServerRequest, type Http2ServerResponse } from 'node:http2';
import { createServer as tlsServer, type TLSSocket } from 'node:tls';
import type { AddressInfo, Socket } from 'node:net';
import { bodyByte } from './tunnel-body.js';

export const BIG_BYTES = 64 * 1024 * 1024;
export const SMALL_BODY = 'hello from the origin\n';

export interface Origin {
  httpsPort: number;
  /** The same answers over HTTP/2 (ALPN h2 only). */
  h2Port: number;
  /** More listeners like `https`, one per fresh-connection sample. */
  freshPorts: number[];
  /** As many like `plain`. */
  freshPlainPorts: number[];
  /** The same answers over plain HTTP: the tunnel's own ceiling. */
  plainPort: number;
  rawPort: number;
  close(): Promise<void>;
}

export async function startOrigin(o: { chainPem: string; keyPem: string }, opts: { freshPorts?: number } = {}): Promise<Origin> {
  // bodyByte() repeats every 256 bytes: fill() copies one period.
  const period = Buffer.from(Array.from({ length: 256 }, (_, i) => bodyByte(i)));
  const big = Buffer.alloc(BIG_BYTES, period);
  const tlsOpts = { key: o.keyPem, cert: o.chainPem, minVersion: 'TLSv1.3' as const, ALPNProtocols: ['http/1.1'] };
  const sockets = new Set<Socket>();
  const track = (s: Socket): void => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
    s.on('error', () => {});
  };

  // One handler for node:http(s) and node:http2's compatibility API, which
  // has the same writeHead/write/end/'drain' shape.
  type Req = IncomingMessage | Http2ServerRequest;
  type Res = ServerResponse | Http2ServerResponse;
  const handler = (req: Req, r: Res): void => {
    // The two response classes' overloads do not unify in TypeScript; the
    // calls below exist on both with these shapes.
    const res = r as ServerResponse;
    const url = new URL(req.url ?? '/', 'https://origin');
    const common = { 'x-http-version': req.httpVersion };
    const bigN = /^\/big(?:\/(\d+))?$/.exec(url.pathname);
    if (url.pathname === '/cpu') {
      // bench/tunnel-trace.ts: this process's CPU time in µs (the Wisp
      // relay shares it: tunnel-servers.ts), read from the page (CORS).
      const body = JSON.stringify(process.cpuUsage());
      res.writeHead(200, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
        'access-control-allow-origin': '*',
      });
      res.end(body);
    } else if (url.pathname === '/small') {
      res.writeHead(200, { ...common, 'content-type': 'text/plain', 'content-length': Buffer.byteLength(SMALL_BODY) });
      res.end(SMALL_BODY);
    } else if (bigN && Number(bigN[1] ?? BIG_BYTES) <= BIG_BYTES) {
      const n = Number(bigN[1] ?? BIG_BYTES);
      res.writeHead(200, { ...common, 'content-type': 'application/octet-stream', 'content-length': n });
      // 1 MiB slices with backpressure: the whole buffer handed to end()
      // at once would sit in the socket's queue, which is not streaming.
      let off = 0;
      const pump = (): void => {
        while (off < n) {
          const chunk = big.subarray(off, Math.min(n, off + (1 << 20)));
          off += chunk.length;
          if (off >= n) return void res.end(chunk);
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        if (n === 0) res.end();
      };
      pump();
    } else {
      res.writeHead(404, { ...common, 'content-length': 0 }).end();
    }
  };
  const https = httpsServer({ ...tlsOpts, keepAliveTimeout: 30_000 }, handler);
  https.on('secureConnection', track);
  const fresh = Array.from({ length: opts.freshPorts ?? 0 }, () => {
    const f = httpsServer({ ...tlsOpts, keepAliveTimeout: 30_000 }, handler);
    f.on('secureConnection', track);
    return f;
  });
  const freshPlain = Array.from({ length: opts.freshPorts ?? 0 }, () => {
    const f = httpServer({ keepAliveTimeout: 30_000 }, handler);
    f.on('connection', track);
    return f;
  });
  const h2 = http2Server({ ...tlsOpts, ALPNProtocols: ['h2'], allowHTTP1: false }, handler);
  h2.on('secureConnection', track);
  // A session error (a client that went away mid-stream) must not reach
  // the process as an unhandled 'error'.
  h2.on('sessionError', () => {});
  const plain = httpServer({ keepAliveTimeout: 30_000 }, handler);
  plain.on('connection', track);

  const raw = tlsServer(tlsOpts, (sock: TLSSocket) => {
    let head = '';
    const onData = (d: Buffer): void => {
      head += d.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      sock.off('data', onData);
      const m = /^GET \/close\/(\d+)\/(abrupt|notify) /.exec(head);
      if (!m || Number(m[1]) > BIG_BYTES) return void sock.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      const n = Number(m[1]);
      const body = big.subarray(0, n);
      sock.write(`HTTP/1.1 200 OK\r\nContent-Length: ${n}\r\nConnection: close\r\n\r\n`);
      // The callback runs once the records are handed to the kernel, which
      // still sends them before its FIN: destroy() loses nothing on the
      // wire, it only skips close_notify (SSL_shutdown runs on end() only).
      sock.write(body, () => (m[2] === 'notify' ? sock.end() : sock.destroy()));
    };
    sock.on('data', onData);
  });
  raw.on('secureConnection', track);

  const listen = (s: { listen(p: number, h: string, cb: () => void): unknown; address(): unknown }) =>
    new Promise<number>((r) => s.listen(0, '127.0.0.1', () => r((s.address() as AddressInfo).port)));
  const httpsPort = await listen(https);
  const h2Port = await listen(h2);
  const freshPorts = await Promise.all(fresh.map(listen));
  const freshPlainPorts = await Promise.all(freshPlain.map(listen));
  const rawPort = await listen(raw);
  const plainPort = await listen(plain);
  return {
    httpsPort,
    h2Port,
    freshPorts,
    freshPlainPorts,
    plainPort,
    rawPort,
    close: async () => {
      for (const s of sockets) s.destroy();
      await Promise.all([
        new Promise((r) => https.close(r)),
        new Promise((r) => h2.close(r)),
        new Promise((r) => raw.close(r)),
        new Promise((r) => plain.close(r)),
        ...[...fresh, ...freshPlain].map((f) => new Promise((r) => f.close(r))),
      ]);
    },
  };
}
