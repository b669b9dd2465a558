/**
 * wasmtls/bare-transport, the `BareTransport` bare-mux loads by URL.
 *
 * In Node (fast): `request()` and `connect()` called as bare-mux's worker
 * calls them, through the wisp-js server (Wisp v2) to a Node https origin
 * and a `ws` server on TLS, the test CA passed as the `ca` option; status,
 * headers and body SHA-256 compared with what Node's own fetch (undici)
 * gets from the same origin; a redirect is handed back, not followed; a
 * POST body and the `Cookie` header reach the origin as given.
 *
 * In Chromium: a page on 127.0.0.1 runs bare-mux's own client
 * (`BareMuxConnection` with its SharedWorker `worker.js`), `setTransport()`
 * to the built `dist/bare-transport.js` with `{ wisp, ca }`, then
 * `new BareClient().fetch()` and `createWebSocket()` against the same
 * origins.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
// @ts-expect-error wisp-js ships no types
import { server as wispJsServer } from '@mercuryworkshop/wisp-js/server';
import { Agent, fetch as nodeFetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { WasmtlsTransport } from '../ts/http/bare-transport.js';
import { FILE, startBareOrigin, type BareOrigin } from './helpers/bare-origin.js';
import { root, wasmBytes } from './helpers/env.js';
import { makePki, type Pki } from './helpers/pki.js';
import { CHROMIUM_ARGS } from './helpers/runtimes.js';
import { startWispServer, type WispServer } from './helpers/wisp-server.js';

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

let pki: Pki;
let origin: BareOrigin;
let wisp: WispServer;
let base: string;

beforeAll(async () => {
  pki = makePki();
  [origin, wisp] = await Promise.all([startBareOrigin(pki), startWispServer()]);
  base = `https://localhost:${origin.port}`;
});
afterAll(async () => {
  await origin?.close();
  await wisp?.close();
  pki?.dispose();
});

/** What Node's own fetch sees: the oracle. Headers that depend on the
 * moment or the client's connection handling are left out. */
async function direct(path: string): Promise<{ status: number; headers: Record<string, string | string[]>; sha256: string }> {
  const dispatcher = new Agent({ connect: { ca: pki.caPem } });
  try {
    const res = await nodeFetch(`${base}${path}`, { dispatcher, redirect: 'manual' });
    const body = new Uint8Array(await res.arrayBuffer());
    return { status: res.status, headers: comparable(Object.fromEntries(res.headers), res.headers.getSetCookie()), sha256: sha256(body) };
  } finally {
    await dispatcher.close();
  }
}

function comparable(h: Record<string, string | string[]>, cookies?: string[]): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(h)) if (!['date', 'connection', 'keep-alive', 'set-cookie'].includes(k)) out[k] = v;
  const c = cookies ?? h['set-cookie'];
  if (c !== undefined) out['set-cookie'] = c;
  return out;
}

async function bodyBytes(body: unknown): Promise<Uint8Array> {
  return new Uint8Array(await new Response(body as BodyInit).arrayBuffer());
}

describe('bare-transport in Node: request() and connect() as bare-mux calls them', () => {
  let t: WasmtlsTransport;
  beforeAll(async () => {
    t = new WasmtlsTransport({ wisp: wisp.url, ca: pki.caPem, wasm: wasmBytes(), WebSocket });
    expect(t.ready).toBe(false);
    await t.init();
    expect(t.ready).toBe(true);
    expect(t.meta()).toEqual({});
  });
  afterAll(async () => {
    await t?.close();
    expect(t.ready).toBe(false);
  });

  it('GET: status, headers (two Set-Cookie as an array) and body SHA-256 as Node fetch gets them', async () => {
    const want = await direct('/file');
    const res = await t.request(new URL(`${base}/file`), 'GET', null, {}, undefined);
    expect(res.status).toBe(want.status);
    expect(res.statusText).toBe('OK');
    expect(comparable(res.headers)).toEqual(want.headers);
    expect(res.headers['set-cookie']).toEqual(['a=1; Path=/', 'b=2; Path=/; HttpOnly']);
    expect(sha256(await bodyBytes(res.body))).toBe(want.sha256);
    expect(want.sha256).toBe(sha256(FILE));
  });

  it('a redirect comes back as it is (bare-mux follows redirects itself)', async () => {
    const want = await direct('/redirect');
    const res = await t.request(new URL(`${base}/redirect`), 'GET', null, {}, undefined);
    expect(res.status).toBe(302);
    expect(want.status).toBe(302);
    expect(res.headers.location).toBe('/file');
    await bodyBytes(res.body);
  });

  it('POST a stream body; Cookie and Origin reach the origin as given', async () => {
    const data = new Uint8Array(FILE.subarray(0, 100_000));
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(data.subarray(0, 40_000));
        c.enqueue(data.subarray(40_000));
        c.close();
      },
    });
    const res = await t.request(
      new URL(`${base}/echo`),
      'POST',
      body,
      { cookie: 'session=abc', origin: 'https://proxied.example', 'x-multi': ['1', '2'] },
      undefined,
    );
    expect(res.status).toBe(200);
    const got = JSON.parse(new TextDecoder().decode(await bodyBytes(res.body)));
    expect(got.sha256).toBe(sha256(data));
    expect(got.headers.cookie).toBe('session=abc');
    expect(got.headers.origin).toBe('https://proxied.example');
    expect(got.headers['x-multi']).toBe('1, 2');
  });

  it('connect(): a wss:// echo, text and binary, then a clean close', async () => {
    const events: unknown[] = [];
    const done = new Promise<void>((resolve, reject) => {
      const [send, close] = t.connect(
        new URL(`wss://localhost:${origin.port}/`),
        [],
        { Origin: 'https://proxied.example', Host: 'ignored' },
        (protocol) => {
          events.push(['open', protocol]);
          send('hello');
          send(new Uint8Array([1, 2, 3]).buffer);
        },
        (data) => {
          events.push(['message', typeof data === 'string' ? data : [...new Uint8Array(data as ArrayBuffer)]]);
          if (events.length === 3) close(1000, 'bye');
        },
        (code, reason) => {
          events.push(['close', code, reason]);
          resolve();
        },
        (error) => reject(new Error(error)),
      );
    });
    await done;
    expect(events).toEqual([
      ['open', ''],
      ['message', 'hello'],
      ['message', [1, 2, 3]],
      ['close', 1000, 'bye'],
    ]);
  });

  it('connect() to a certificate the CA does not vouch for reports an error, then close 1006', async () => {
    const u = new WasmtlsTransport({ wisp: wisp.url, wasm: wasmBytes(), WebSocket }); // no ca: public roots only
    const events = await new Promise<unknown[]>((resolve) => {
      const ev: unknown[] = [];
      u.connect(
        new URL(`wss://localhost:${origin.port}/`),
        [],
        {},
        () => ev.push('open'),
        () => ev.push('message'),
        (code) => {
          ev.push(['close', code]);
          resolve(ev);
        },
        (error) => ev.push(['error', error]),
      );
    });
    await u.close();
    expect(events).toHaveLength(2);
    expect((events[0] as [string, string])[0]).toBe('error');
    expect((events[0] as [string, string])[1]).toMatch(/certificate|CERT/i);
    expect(events[1]).toEqual(['close', 1006]);
  });
});

/**
 * The wisp-js server behind a front of our own: `dropAll()` cuts every
 * WebSocket while it keeps listening; `refuseSubprotocol` removes the
 * offered subprotocol before wisp-js sees it, so the handshake's response
 * names none (npm ws then fails it, as browsers do) and wisp-js would speak v1.
 */
async function wispFront(refuseSubprotocol: boolean): Promise<{ url: string; dropAll(): void; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((_q, r) => r.writeHead(404).end());
  server.on('upgrade', (req, socket: Socket, head) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    if (refuseSubprotocol) delete req.headers['sec-websocket-protocol'];
    (wispJsServer as { routeRequest(...a: unknown[]): void }).routeRequest(req, socket, head, {});
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const dropAll = (): void => {
    for (const s of sockets) s.destroy();
  };
  return {
    url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    dropAll,
    close: () =>
      new Promise<void>((resolve) => {
        dropAll();
        server.close(() => resolve());
      }),
  };
}

describe('bare-transport in Node: the Wisp connection', () => {
  it('a server whose handshake refuses the wisp-v2 subprotocol: tried again without, requests work', async () => {
    const front = await wispFront(true);
    const t = new WasmtlsTransport({ wisp: front.url, ca: pki.caPem, wasm: wasmBytes(), WebSocket });
    const strict = new WasmtlsTransport({ wisp: front.url, ca: pki.caPem, wasm: wasmBytes(), WebSocket, wispV2: false });
    try {
      await t.init();
      const res = await t.request(new URL(`${base}/file`), 'GET', null, {}, undefined);
      expect(sha256(await bodyBytes(res.body))).toBe(sha256(FILE));
      // wispV2: false never offers it: the same server works at once.
      await strict.init();
      expect(strict.ready).toBe(true);
    } finally {
      await t.close();
      await strict.close();
      await front.close();
    }
  });

  it('after the Wisp connection drops, ready turns false and init() connects again', async () => {
    const front = await wispFront(false);
    const t = new WasmtlsTransport({ wisp: front.url, ca: pki.caPem, wasm: wasmBytes(), WebSocket });
    try {
      await t.init();
      await bodyBytes((await t.request(new URL(`${base}/file`), 'GET', null, {}, undefined)).body);
      front.dropAll();
      for (let i = 0; i < 500 && t.ready; i++) await new Promise((r) => setTimeout(r, 10));
      expect(t.ready).toBe(false);
      await t.init(); // what bare-mux's worker does when ready is false
      expect(t.ready).toBe(true);
      const res = await t.request(new URL(`${base}/file`), 'GET', null, {}, undefined);
      expect(sha256(await bodyBytes(res.body))).toBe(sha256(FILE));
    } finally {
      await t.close();
      await front.close();
    }
  });
});

// ---- Chromium --------------------------------------------------------------------

const PAGE = `<!doctype html><meta charset="utf-8"><script type="module">
import { BareMuxConnection, BareClient } from '/bare-mux/index.mjs';
const hex = (b) => [...new Uint8Array(b)].map((x) => x.toString(16).padStart(2, '0')).join('');
window.run = async ({ wisp, ca, url, wss }) => {
  const conn = new BareMuxConnection('/bare-mux/worker.js');
  await conn.setTransport(location.origin + '/wasmtls/bare-transport.js', [{ wisp, ca }]);
  const client = new BareClient();
  const res = await client.fetch(url);
  const body = await res.arrayBuffer();
  const fetched = {
    status: res.status,
    headers: res.rawHeaders,
    sha256: hex(await crypto.subtle.digest('SHA-256', body)),
  };
  const ws = client.createWebSocket(wss);
  ws.binaryType = 'arraybuffer';
  const echoed = await new Promise((resolve, reject) => {
    const got = [];
    ws.addEventListener('open', () => { ws.send('hello from bare-mux'); ws.send(new Uint8Array([9, 8, 7]).buffer); });
    ws.addEventListener('message', (e) => {
      got.push(typeof e.data === 'string' ? e.data : [...new Uint8Array(e.data)]);
      if (got.length === 2) ws.close(1000, 'done');
    });
    ws.addEventListener('close', (e) => resolve({ got, code: e.code }));
    ws.addEventListener('error', () => reject(new Error('WebSocket error')));
  });
  return { fetched, echoed, transport: await conn.getTransport() };
};
window.ready = true;
</script>`;

const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.wasm': 'application/wasm',
};

/** The page, bare-mux's dist/ under /bare-mux/ and our dist/ under /wasmtls/. */
async function serveHarness(): Promise<{ server: Server; url: string }> {
  const dirs: Record<string, string> = {
    '/bare-mux/': `${root}node_modules/@mercuryworkshop/bare-mux/dist/`,
    '/wasmtls/': `${root}dist/`,
  };
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/') {
      res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
      return;
    }
    for (const [prefix, dir] of Object.entries(dirs)) {
      const name = path.slice(prefix.length);
      if (path.startsWith(prefix) && /^[\w.-]+$/.test(name) && existsSync(dir + name)) {
        res.writeHead(200, { 'content-type': TYPES[name.slice(name.lastIndexOf('.'))] ?? 'application/octet-stream' });
        res.end(readFileSync(dir + name));
        return;
      }
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` };
}

describe('bare-transport in Chromium: bare-mux 2 client, SharedWorker, our module by URL', () => {
  it('BareClient.fetch() equals Node fetch; createWebSocket() echoes over wss://', async () => {
    if (!existsSync(`${root}dist/bare-transport.js`)) throw new Error('dist/bare-transport.js is missing: run bash build.sh');
    const want = await direct('/file');
    const { chromium } = await import('playwright-core');
    const [{ server, url }, browser] = await Promise.all([
      serveHarness(),
      chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS }),
    ]);
    const log: string[] = [];
    try {
      const page = await browser.newPage();
      page.on('pageerror', (e) => log.push(`pageerror: ${String(e)}`));
      page.on('console', (m) => log.push(`console.${m.type()}: ${m.text()}`));
      await page.goto(url);
      await page.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true, undefined, { timeout: 20_000 });
      const r = await page
        .evaluate((args) => (window as unknown as { run(a: unknown): Promise<unknown> }).run(args), {
          wisp: wisp.url,
          ca: pki.caPem,
          url: `${base}/file`,
          wss: `wss://localhost:${origin.port}/`,
        })
        .catch((e: unknown) => {
          throw new Error(`${String(e)}\n${log.join('\n')}`);
        });
      const { fetched, echoed, transport } = r as {
        fetched: { status: number; headers: Record<string, string | string[]>; sha256: string };
        echoed: { got: unknown[]; code: number };
        transport: string;
      };
      expect(transport).toMatch(/\/wasmtls\/bare-transport\.js$/);
      expect(fetched.status).toBe(want.status);
      // Set-Cookie too: a browser's Response cannot hold it (a forbidden
      // response-header name), so the transport reads `rawHeaders`.
      expect(comparable(fetched.headers)).toEqual(want.headers);
      expect(fetched.sha256).toBe(want.sha256);
      expect(echoed).toEqual({ got: ['hello from bare-mux', [9, 8, 7]], code: 1000 });
    } finally {
      await browser.close();
      server.close();
    }
  }, 60_000);
});
