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
import { mkdirSync, writeFileSync } from 'node:fs';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import { gzipSync } from 'node:zlib';
import * as undici from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { connectTcp } from '../ts/adapters/node-socket.js';
import { WispError } from '../ts/adapters/wisp.js';
import { TLSError } from '../ts/core/errors.js';
import { wasm } from '../ts/core/loader.js';
import { createFetch, type WasmtlsFetch, wispFetch } from '../ts/http/fetch.js';
import { useBuild } from './helpers/env.js';
import { trustStoreBytes } from './helpers/trust-store-bytes.js';
import { have, Peer } from './helpers/peers.js';
import { makePki, type Pki } from './helpers/pki.js';
import { freePort } from './helpers/runtimes.js';
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
      case '/cookies':
        res.writeHead(200, [
          ['Set-Cookie', 'a=1; Path=/'],
          ['X-Twice', 'one'],
          ['Set-Cookie', 'b=2; HttpOnly'],
          ['X-Twice', 'two'],
          ['Content-Length', '2'],
        ]);
        res.end('ok');
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

  it('a certificate the CA does not vouch for: TypeError whose cause is the TLSError; nothing pooled', async () => {
    const f = createFetch({ connect: (host, port) => connectTcp({ host, port }), ca: pki.strangerPem });
    try {
      const e = await f(`${tlsOrigin.url}/cl`).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(TypeError);
      expect((e as Error).message).toBe('fetch failed');
      expect((e as Error).cause).toBeInstanceOf(TLSError);
    } finally {
      await f.close();
    }
  });

  it('TLS options pass through: client certificate, servername, rejectUnauthorized', async () => {
    const mtls = await listen(
      https.createServer(
        { cert: pki.serverChainPem, key: pki.serverKeyPem, requestCert: true, rejectUnauthorized: true, ca: pki.caPem },
        (req, res) => {
          const peer = (req.socket as import('node:tls').TLSSocket).getPeerCertificate();
          res.end(`client ${peer.subject?.CN}`);
        },
      ),
      'https',
    );
    const stranger = await listen(https.createServer({ cert: pki.strangerPem, key: pki.strangerKeyPem }, handler), 'https');
    const connect = (host: string, port: number) => connectTcp({ host, port });
    const withCert = createFetch({ connect, ca: pki.caPem, cert: pki.clientPem, key: pki.clientKeyPem, servername: 'localhost' });
    const without = createFetch({ connect, ca: pki.caPem });
    const loose = createFetch({ connect, rejectUnauthorized: false });
    try {
      expect(await (await withCert(`${mtls.url}/`)).text()).toBe('client client.test');
      // Without one the server ends the handshake (certificate_required).
      const e = await without(`${mtls.url}/`).then(
        (r) => r.arrayBuffer(),
        (x: unknown) => x,
      );
      expect(e).toBeInstanceOf(TypeError);
      expect(await (await loose(`${stranger.url}/cl`)).arrayBuffer()).toHaveProperty('byteLength', BIG.length);
    } finally {
      await withCert.close();
      await without.close();
      await loose.close();
      await mtls.close();
      await stranger.close();
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

describe('fetch: one TLS context per fetch', () => {
  it('three pooled connections to three origins with 145 trust anchors hold one trust store, not three; close() frees it', async () => {
    const ca = [...rootCertificates, pki.caPem];
    const storeBytes = trustStoreBytes(ca);
    expect(storeBytes).toBeGreaterThan(64 * 1024);
    const servers = await Promise.all(
      [0, 1, 2].map(() => listen(https.createServer({ cert: pki.serverChainPem, key: pki.serverKeyPem }, handler), 'https')),
    );
    const f = createFetch({ connect: (host, port) => connectTcp({ host, port }), ca });
    try {
      const before = wasm().memoryUsage().used;
      const used: number[] = [];
      for (const s of servers) {
        const res = await f(`${s.url}/cl`);
        expect(sha(new Uint8Array(await res.arrayBuffer()))).toBe(sha(BIG));
        // Past the 10 ms idle release of the record buffers (RELEASE_BUFFERS),
        // so what is left per connection is the connection, not its buffers.
        await new Promise((r) => setTimeout(r, 60));
        used.push(wasm().memoryUsage().used - before);
      }
      // Each connection stays pooled (keep-alive); the second and third
      // added a connection each but no trust store.
      expect(used[2] - used[0]).toBeLessThan(storeBytes);
      expect(used[0]).toBeGreaterThan(storeBytes / 2);
    } finally {
      const before = wasm().memoryUsage().used;
      await f.close();
      expect(before - wasm().memoryUsage().used).toBeGreaterThan(storeBytes / 2);
      for (const s of servers) await s.close();
    }
  });
});

describe('fetch: rawHeaders', () => {
  it('every field as sent, in order, Set-Cookie apart (what a browser Response cannot hold), as Node http reads them', async () => {
    // The oracle: Node's own HTTP client's rawHeaders for the same resource.
    const want = await new Promise<Array<[string, string]>>((resolve, reject) => {
      http
        .get(`${plainOrigin.url}/cookies`, (r) => {
          const pairs: Array<[string, string]> = [];
          for (let i = 0; i < r.rawHeaders.length; i += 2) pairs.push([r.rawHeaders[i].toLowerCase(), r.rawHeaders[i + 1]]);
          r.resume();
          r.on('end', () => resolve(pairs.filter(([n]) => n !== 'date')));
        })
        .on('error', reject);
    });
    const f = tcpFetch();
    try {
      const res = await f(`${plainOrigin.url}/cookies`);
      expect(res.rawHeaders.filter(([n]) => n !== 'date')).toEqual(want);
      expect(want.filter(([n]) => n === 'set-cookie')).toHaveLength(2);
      expect(res.headers.get('x-twice')).toBe('one, two');
      expect(await res.text()).toBe('ok');
    } finally {
      await f.close();
    }
  });
});

describe.skipIf(!have('openssl', ['version']))('fetch: against openssl s_server -WWW', () => {
  it('an HTTP/1.0 close-delimited answer over TLS 1.3 and 1.2 agrees with undici', async () => {
    const docRoot = join(pki.dir, 'www');
    mkdirSync(docRoot, { recursive: true });
    // Printable text: s_server -WWW serves files as they are.
    const text = `${randomBytes(40_000).toString('base64')}\n`;
    writeFileSync(join(docRoot, 'page.txt'), text);
    for (const version of ['-tls1_3', '-tls1_2']) {
      const port = await freePort();
      const server = new Peer(
        'openssl',
        [
          's_server',
          '-accept',
          `127.0.0.1:${port}`,
          version,
          '-cert',
          pki.path('server-chain.crt'),
          '-key',
          pki.path('server.key'),
          '-WWW',
        ],
        { cwd: docRoot },
      );
      const f = tcpFetch();
      try {
        await server.waitFor('ACCEPT');
        const url = `https://127.0.0.1:${port}/page.txt`;
        const ours = await summary(await f(url));
        expect(ours.status).toBe(200);
        expect(ours.sha).toBe(sha(Buffer.from(text)));
        expect(ours).toEqual(await summary(await undiciFetch(url)));
        // HTTP/1.0 closes: a second request opens a new connection and works.
        expect((await summary(await f(url))).sha).toBe(ours.sha);
      } finally {
        await f.close();
        server.kill();
      }
    }
  });
});

describe('wispFetch: through the wisp-js server', () => {
  it('https and http origins agree with undici; concurrent requests all arrive', async () => {
    const f = wispFetch(wisp.url, { WebSocket, ca: pki.caPem });
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
      // No Wisp server at all: fetch failed, the WebSocket's failure as the cause.
      const nowhere = wispFetch(`ws://127.0.0.1:${await freePort()}/`, { WebSocket, ca: pki.caPem });
      const down = await nowhere(`${tlsOrigin.url}/cl`).catch((e: unknown) => e);
      await nowhere.close();
      expect(down).toBeInstanceOf(TypeError);
      expect((down as Error).cause).toBeInstanceOf(WispError);
      // A refused destination: the Wisp server's CLOSE reason is the cause.
      const refused = await f(`http://127.0.0.1:${await freePort()}/`).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(TypeError);
      expect((refused as Error).cause).toBeInstanceOf(WispError);
      const all = await Promise.all(Array.from({ length: 12 }, () => f(`${tlsOrigin.url}/cl`).then((r) => r.arrayBuffer())));
      for (const b of all) expect(sha(new Uint8Array(b))).toBe(sha(BIG));
    } finally {
      await f.close();
    }
  });
});
