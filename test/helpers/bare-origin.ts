/**
 * The origins the bare-transport tests reach through Wisp, made with Node's
 * own `https` and npm `ws` on 127.0.0.1 with a certificate from the test
 * PKI (helpers/pki.ts), so the transport must be given the test CA:
 *  - GET /file: 300 KiB of fixed pseudo-random bytes, `x-test` header and
 *    two `Set-Cookie` fields;
 *  - GET /redirect: 302 to /file (the transport must not follow it);
 *  - POST /echo: the request body's SHA-256 and the request's headers as
 *    JSON (what reached the origin);
 *  - a WebSocket echo on the same port (`wss://`), text stays text.
 */
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer } from 'ws';
import type { Pki } from './pki.js';

export const FILE = (() => {
  // Deterministic, so Node's fetch and the browser see the same bytes.
  const b = Buffer.alloc(300 * 1024);
  let x = 0x2545f491;
  for (let i = 0; i < b.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = x & 0xff;
  }
  return b;
})();

export interface BareOrigin {
  port: number;
  close(): Promise<void>;
}

export async function startBareOrigin(pki: Pki): Promise<BareOrigin> {
  const server: Server = createServer({ cert: pki.serverChainPem, key: pki.serverKeyPem }, (req, res) => {
    if (req.url === '/file') {
      res.writeHead(200, {
        'content-type': 'application/octet-stream',
        'x-test': 'wasmtls bare transport',
        'set-cookie': ['a=1; Path=/', 'b=2; Path=/; HttpOnly'],
        'content-length': FILE.length,
      });
      res.end(FILE);
    } else if (req.url === '/redirect') {
      res.writeHead(302, { location: '/file' }).end();
    } else if (req.url === '/echo' && req.method === 'POST') {
      const h = createHash('sha256');
      req.on('data', (d: Buffer) => h.update(d));
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ sha256: h.digest('hex'), headers: req.headers }));
      });
    } else res.writeHead(404).end();
  });
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  const wss = new WebSocketServer({ server });
  wss.on('connection', (ws) => ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary })));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of wss.clients) c.terminate();
        wss.close();
        for (const s of sockets) s.destroy(); // keep-alive, upgraded and half-shaken ones alike
        server.close(() => resolve());
      }),
  };
}
