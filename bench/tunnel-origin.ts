/**
 * The HTTPS origin behind the Wisp server, for bench/tunnel.ts and
 * test/tunnel-eof.test.ts, on 127.0.0.1:
 *  - `https`: node:https, HTTP/1.1 keep-alive. `GET /small` answers a short
 *    body (time to first byte, handshakes); `GET /big` answers BIG_BYTES
 *    from one pre-generated buffer, with Content-Length.
 *  - `raw`: node:tls, one response per connection. `GET /close/<n>/abrupt`
 *    answers n body bytes and then closes TCP without close_notify (what a
 *    crashing or careless server does); `GET /close/<n>/notify` ends with
 *    close_notify. A client that honours Content-Length can tell both
 *    apart from truncation; the bytes it delivers are what we compare.
 */
import { createServer as httpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as httpsServer } from 'node:https';
import { createServer as tlsServer, type TLSSocket } from 'node:tls';
import type { AddressInfo, Socket } from 'node:net';
import { bodyByte } from './tunnel-body.js';

export const BIG_BYTES = 64 * 1024 * 1024;
export const SMALL_BODY = 'hello from the origin\n';

export interface Origin {
  httpsPort: number;
  /** The same answers over plain HTTP: the tunnel's own ceiling. */
  plainPort: number;
  rawPort: number;
  close(): Promise<void>;
}

export async function startOrigin(o: { chainPem: string; keyPem: string }): Promise<Origin> {
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

  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    if (req.url === '/small') {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(SMALL_BODY) });
      res.end(SMALL_BODY);
    } else if (req.url === '/big') {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': BIG_BYTES });
      // 1 MiB slices with backpressure: the whole buffer handed to end()
      // at once would sit in the socket's queue, which is not streaming.
      let off = 0;
      const pump = (): void => {
        while (off < BIG_BYTES) {
          const chunk = big.subarray(off, off + (1 << 20));
          off += chunk.length;
          if (off >= BIG_BYTES) return void res.end(chunk);
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
      };
      pump();
    } else {
      res.writeHead(404, { 'content-length': 0 }).end();
    }
  };
  const https = httpsServer({ ...tlsOpts, keepAliveTimeout: 30_000 }, handler);
  https.on('secureConnection', track);
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
  const rawPort = await listen(raw);
  const plainPort = await listen(plain);
  return {
    httpsPort,
    plainPort,
    rawPort,
    close: async () => {
      for (const s of sockets) s.destroy();
      await Promise.all([new Promise((r) => https.close(r)), new Promise((r) => raw.close(r)), new Promise((r) => plain.close(r))]);
    },
  };
}
