/**
 * wasmtls/fetch against real servers on 127.0.0.1: Node `https` (ALPN
 * http/1.1) and `http`, through Node sockets (connectTcp) and through the
 * wisp-js server (wispFetch). Every response is compared with Node's own
 * fetch (undici) against the same server: status, the headers that do not
 * vary, and the body's SHA-256.
 */
import { createHash, randomBytes } from 'node:crypto';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { gzipSync } from 'node:zlib';
import * as undici from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { connectTcp } from '../ts/adapters/node-socket.js';
import { createFetch, type WasmtlsFetch, wispFetch } from '../ts/http/fetch.js';
import { useBuild } from './helpers/env.js';
import { makePki, type Pki } from './helpers/pki.js';
import { startWispServer, type WispServer } from './helpers/wisp-server.js';

useBuild('simd');

const BIG = randomBytes(300_000);
const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** The test origin's routes, the same for http and https. */
function handler(req: http.IncomingMessage, res: http.ServerResponse): void {
  const u = new URL(req.url ?? '/', 'http://x');
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    switch (u.pathname) {
      case '/cl':
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': BIG.length, 'x-custom': 'yes' });
        res.end(BIG);
        return;
      case '/chunked': {
        res.writeHead(200, { 'content-type': 'text/plain', 'x-custom': 'chunky' });
        let i = 0;
        const step = (): void => {
          if (i >= BIG.length) {
            res.end();
            return;
          }
          res.write(BIG.subarray(i, i + 7001));
          i += 7001;
          setImmediate(step);
        };
        step();
        return;
      }
      case '/echo':
        res.writeHead(200, {
          'content-type': 'application/json',
          'x-method': req.method ?? '',
          'x-te': req.headers['transfer-encoding'] ?? '',
          'x-cl': req.headers['content-length'] ?? '',
          'x-sha': sha(body),
          'x-cookie': req.headers.cookie ?? '',
        });
        res.end(JSON.stringify({ length: body.length }));
        return;
      case '/gzip':
        res.writeHead(200, { 'content-type': 'text/plain', 'content-encoding': 'gzip' });
        res.end(gzipSync(BIG));
        return;
      case '/redirect':
        res.writeHead(302, { location: '/cl' });
        res.end('moved');
        return;
      default:
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end('not found');
    }
  });
}

interface Origin {
  url: string;
  connections: number;
  close(): Promise<void>;
}

async function listen(server: http.Server, scheme: string): Promise<Origin> {
  const sockets = new Set<Socket>();
  const o = { url: '', connections: 0, close: async () => {} };
  server.on('connection', (s: Socket) => {
    o.connections++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  o.url = `${scheme}://127.0.0.1:${(server.address() as AddressInfo).port}`;
  o.close = () =>
    new Promise<void>((r) => {
      for (const s of sockets) s.destroy();
      server.close(() => r());
    });
  return o;
}

let pki: Pki;
let tlsOrigin: Origin;
let plainOrigin: Origin;
let wisp: WispServer;
let agent: undici.Agent;

beforeAll(async () => {
  pki = makePki();
  tlsOrigin = await listen(
    https.createServer({ cert: pki.serverChainPem, key: pki.serverKeyPem, ALPNProtocols: ['http/1.1'] }, handler),
    'https',
  );
  plainOrigin = await listen(http.createServer(handler), 'http');
  wisp = await startWispServer();
  agent = new undici.Agent({ connect: { ca: pki.caPem } });
});
afterAll(async () => {
  await tlsOrigin?.close();
  await plainOrigin?.close();
  await wisp?.close();
  await agent?.close();
  pki?.dispose();
});

const tcpFetch = (): WasmtlsFetch => createFetch({ connect: (host, port) => connectTcp({ host, port }), ca: pki.caPem });

/** What must agree between two fetches of the same resource. */
async function summary(res: Response): Promise<Record<string, unknown>> {
  const body = new Uint8Array(await res.arrayBuffer());
  const h: Record<string, string | null> = {};
  for (const n of ['content-type', 'x-custom', 'x-method', 'x-te', 'x-cl', 'x-sha', 'x-cookie', 'location']) h[n] = res.headers.get(n);
  return {
    status: res.status,
    statusText: res.statusText,
    headers: h,
    sha: sha(body),
    length: body.length,
    url: res.url,
    redirected: res.redirected,
  };
}

function undiciFetch(url: string, init: RequestInit = {}): Promise<Response> {
  return undici.fetch(url, { ...(init as undici.RequestInit), dispatcher: agent }) as unknown as Promise<Response>;
}

describe('fetch: against Node http/https, compared with undici', () => {
  const cases: Array<[string, RequestInit]> = [
    ['/cl', {}],
    ['/chunked', {}],
    ['/gzip', {}],
    ['/redirect', {}],
    ['/missing', {}],
    ['/echo', { method: 'POST', body: BIG }],
    ['/echo', { method: 'POST', body: 'hello wasmtls' }],
    ['/echo', { method: 'PUT', body: new URLSearchParams({ a: '1', b: 'two' }) }],
    ['/echo', { method: 'DELETE' }],
    ['/echo', { method: 'HEAD' }],
  ];
  for (const scheme of ['https', 'http'] as const) {
    it(`${scheme}: GET/POST/PUT/DELETE/HEAD, Content-Length, chunked, gzip, redirect, 404 agree with undici`, async () => {
      const f = tcpFetch();
      const base = scheme === 'https' ? tlsOrigin.url : plainOrigin.url;
      try {
        for (const [path, init] of cases) {
          const ours = await summary(await f(base + path, init));
          const theirs = await summary(await undiciFetch(base + path, init));
          expect(ours, `${init.method ?? 'GET'} ${path}`).toEqual(theirs);
        }
      } finally {
        await f.close();
      }
    });
  }

  it('a streamed request body goes chunked and arrives whole', async () => {
    const f = tcpFetch();
    try {
      let i = 0;
      const body = new ReadableStream<Uint8Array>({
        pull(c) {
          if (i >= BIG.length) c.close();
          else c.enqueue(new Uint8Array(BIG.subarray(i, (i += 50_000))));
        },
      });
      const res = await f(`${tlsOrigin.url}/echo`, { method: 'POST', body, duplex: 'half' } as RequestInit);
      expect(res.headers.get('x-te')).toBe('chunked');
      expect(res.headers.get('x-sha')).toBe(sha(BIG));
      expect(await res.json()).toEqual({ length: BIG.length });
    } finally {
      await f.close();
    }
  });

  it('keep-alive: 10 sequential requests use one connection (counted by the server)', async () => {
    const f = tcpFetch();
    try {
      const before = tlsOrigin.connections;
      for (let i = 0; i < 10; i++) {
        const r = await f(`${tlsOrigin.url}/${i % 2 ? 'cl' : 'chunked'}`);
        expect(sha(new Uint8Array(await r.arrayBuffer()))).toBe(sha(BIG));
      }
      expect(tlsOrigin.connections - before).toBe(1);
    } finally {
      await f.close();
    }
  });

  it('the Cookie header a browser Request would drop is sent', async () => {
    const f = tcpFetch();
    try {
      const res = await f(`${plainOrigin.url}/echo`, { headers: { cookie: 'a=b' } });
      expect(res.headers.get('x-cookie')).toBe('a=b');
      await res.arrayBuffer();
    } finally {
      await f.close();
    }
  });
});

describe('wispFetch: through the wisp-js server', () => {
  it('https and http origins agree with undici; concurrent requests all arrive', async () => {
    const f = wispFetch(wisp.url, { WebSocket: WebSocket as never, ca: pki.caPem });
    try {
      for (const base of [tlsOrigin.url, plainOrigin.url]) {
        for (const [path, init] of [
          ['/cl', {}],
          ['/chunked', {}],
          ['/echo', { method: 'POST', body: BIG }],
        ] as Array<[string, RequestInit]>) {
          expect(await summary(await f(base + path, init))).toEqual(await summary(await undiciFetch(base + path, init)));
        }
      }
      const all = await Promise.all(Array.from({ length: 12 }, () => f(`${tlsOrigin.url}/cl`).then((r) => r.arrayBuffer())));
      for (const b of all) expect(sha(new Uint8Array(b))).toBe(sha(BIG));
    } finally {
      await f.close();
    }
  });
});
