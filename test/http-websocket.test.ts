/**
 * wasmtls/websocket (RFC 6455 client) against npm `ws`'s WebSocketServer
 * (the independent peer) on Node `https` with a test PKI and on plain
 * `http`, reached through Node sockets (connectTcp) and through the
 * wisp-js server; crafted servers (raw `net`) for what `ws` will not send:
 * bad handshakes, masked frames, RSV bits, invalid UTF-8.
 */
import { createHash } from 'node:crypto';
import { createServer as createHttp, type IncomingMessage, type Server } from 'node:http';
import { createServer as createHttps } from 'node:https';
import { createServer as createNet, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';
import { rootCertificates } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket as NodeWs, WebSocketServer, type RawData } from 'ws';
import { connectTcp } from '../ts/adapters/node-socket.js';
import { IDLE_MS } from '../ts/core/context-cache.js';
import { wasm } from '../ts/core/loader.js';
import { sha1 } from '../ts/http/sha1.js';
import {
  createWebSocket,
  type WasmtlsWebSocket,
  type WebSocketClass,
  type WebSocketCloseEvent,
  type WispWebSocketClass,
  wispWebSocket,
  WebSocketError,
} from '../ts/http/websocket.js';
import { useBuild } from './helpers/env.js';
import { trustStoreBytes } from './helpers/trust-store-bytes.js';
import { makePki, type Pki } from './helpers/pki.js';
import { random, sha256 } from './helpers/transport-checks.js';
import { freePort } from './helpers/runtimes.js';
import { startWispServer, type WispServer } from './helpers/wisp-server.js';

useBuild('simd');
let pki: Pki;
let wisp: WispServer;
const servers: { close(): Promise<void> }[] = [];

beforeAll(async () => {
  pki = makePki();
  wisp = await startWispServer();
}, 60_000);
afterAll(async () => {
  for (const s of servers) await s.close();
  await wisp?.close();
  pki?.dispose();
});

interface WsPeer {
  port: number;
  wss: WebSocketServer;
  /** Server-side sockets, in connection order. */
  conns: NodeWs[];
  /** The upgrade requests, in order. */
  requests: IncomingMessage[];
  close(): Promise<void>;
}

/** A `ws` server on http or https; `onConnection` defines its behaviour (default: echo). */
async function wsPeer(
  secure: boolean,
  onConnection: (ws: NodeWs, req: IncomingMessage) => void = echo,
  wsOptions: ConstructorParameters<typeof WebSocketServer>[0] = {},
): Promise<WsPeer> {
  const server: Server = secure ? createHttps({ cert: pki.serverChainPem, key: pki.serverKeyPem }) : createHttp();
  const wss = new WebSocketServer({ server, perMessageDeflate: false, maxPayload: 256 << 20, ...wsOptions });
  const conns: NodeWs[] = [];
  const requests: IncomingMessage[] = [];
  wss.on('connection', (ws, req) => {
    conns.push(ws);
    requests.push(req);
    ws.on('error', () => {});
    onConnection(ws, req);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const peer = {
    port: (server.address() as AddressInfo).port,
    wss,
    conns,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of wss.clients) c.terminate();
        wss.close();
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
  servers.push(peer);
  return peer;
}

function echo(ws: NodeWs): void {
  ws.on('message', (data: RawData, isBinary: boolean) => ws.send(data as Buffer, { binary: isBinary }));
}

/** What a test sees of one client: every event in order. */
interface Watched {
  ws: WasmtlsWebSocket;
  events: string[];
  opened: Promise<void>;
  closed: Promise<WebSocketCloseEvent>;
  /** The next message's data (in arrival order). */
  next(): Promise<string | ArrayBuffer>;
}

function watch(ws: WasmtlsWebSocket): Watched {
  const events: string[] = [];
  const queue: (string | ArrayBuffer)[] = [];
  const waiting: ((d: string | ArrayBuffer) => void)[] = [];
  ws.binaryType = 'arraybuffer';
  const opened = new Promise<void>((resolve, reject) => {
    ws.addEventListener('open', () => resolve());
    ws.addEventListener('close', () => reject(new Error(`closed before open: ${ws.error?.message}`)));
  });
  opened.catch(() => {});
  ws.addEventListener('open', () => events.push('open'));
  ws.addEventListener('error', () => events.push('error'));
  ws.addEventListener('message', (ev) => {
    const d = (ev as MessageEvent).data as string | ArrayBuffer;
    const w = waiting.shift();
    if (w) w(d);
    else queue.push(d);
  });
  const closed = new Promise<WebSocketCloseEvent>((resolve) =>
    ws.addEventListener('close', (ev) => {
      events.push(`close ${(ev as WebSocketCloseEvent).code}`);
      resolve(ev as WebSocketCloseEvent);
    }),
  );
  return {
    ws,
    events,
    opened,
    closed,
    next: () => {
      const d = queue.shift();
      return d !== undefined ? Promise.resolve(d) : new Promise((r) => waiting.push(r));
    },
  };
}

const tcp = (options: Record<string, unknown> = {}): WebSocketClass =>
  createWebSocket({ connect: (host, port) => connectTcp({ host, port }), ca: pki.caPem, ...options });
const viaWisp = (options: Record<string, unknown> = {}): WispWebSocketClass =>
  wispWebSocket(wisp.url, { WebSocket: NodeWs as never, ca: pki.caPem, ...options });

const ROUTES: [string, (o?: Record<string, unknown>) => WebSocketClass, boolean][] = [
  ['wss over TCP', tcp, true],
  ['ws over TCP', tcp, false],
  ['wss over Wisp', viaWisp, true],
  ['ws over Wisp', viaWisp, false],
];

const bytesOf = (d: string | ArrayBuffer): Uint8Array => (typeof d === 'string' ? new TextEncoder().encode(d) : new Uint8Array(d));

describe('websocket: echo through a ws server', () => {
  for (const [name, make, secure] of ROUTES) {
    it(`${name}: text and binary of 0, 125, 126, 65535, 65536 bytes and 1 MiB round-trip (SHA-256)`, async () => {
      const peer = await wsPeer(secure);
      const WS = make();
      const c = watch(new WS(`${secure ? 'wss' : 'ws'}://127.0.0.1:${peer.port}/echo`));
      await c.opened;
      expect(c.ws.readyState).toBe(WS.OPEN);
      expect(c.ws.protocol).toBe('');
      expect(c.ws.extensions).toBe('');
      // The server saw TLS exactly when the URL said wss.
      expect('encrypted' in peer.requests[0].socket && peer.requests[0].socket.encrypted === true).toBe(secure);
      for (const n of [0, 125, 126, 65535, 65536, 1 << 20]) {
        const bin = random(n);
        c.ws.send(bin);
        const back = await c.next();
        expect(back).toBeInstanceOf(ArrayBuffer);
        expect(sha256(bytesOf(back))).toBe(sha256(bin));
        // Text: ASCII and multi-byte characters, n bytes of UTF-8 in all.
        const text = 'é'.repeat(Math.floor(n / 2)) + 'a'.repeat(n % 2);
        c.ws.send(text);
        const t = await c.next();
        expect(typeof t).toBe('string');
        expect(t).toBe(text);
      }
      c.ws.close(1000, 'done');
      const ev = await c.closed;
      expect([ev.code, ev.reason, ev.wasClean]).toEqual([1000, 'done', true]);
      expect(c.ws.readyState).toBe(WS.CLOSED);
      expect(c.events[0]).toBe('open');
      expect(c.events.includes('error')).toBe(false);
      await peer.close();
    }, 60_000);
  }
});

describe('websocket: one TLS context for the open connections of a class', () => {
  it("three wss:// connections open at once with 145 trust anchors hold one trust store, not three (connect()'s context cache); it is freed once the last one ended and the cache's idle time passed", async () => {
    const ca = [...rootCertificates, pki.caPem];
    const storeBytes = trustStoreBytes(ca);
    expect(storeBytes).toBeGreaterThan(64 * 1024);
    const peer = await wsPeer(true);
    const WS = tcp({ ca });
    try {
      // A first connection (another class) allocates what the engine keeps
      // for good (its first-use state), so the baseline is taken after it.
      const warm = watch(new (tcp())(`wss://127.0.0.1:${peer.port}/echo`));
      await warm.opened;
      warm.ws.close(1000);
      await warm.closed;
      await new Promise((r) => setTimeout(r, 100));
      const before = wasm().memoryUsage().used;
      const used: number[] = [];
      const open: Watched[] = [];
      for (let i = 0; i < 3; i++) {
        const c = watch(new WS(`wss://127.0.0.1:${peer.port}/echo`));
        await c.opened;
        c.ws.send('ping');
        expect(await c.next()).toBe('ping');
        open.push(c);
        // Past the 10 ms idle release of the record buffers (RELEASE_BUFFERS).
        await new Promise((r) => setTimeout(r, 60));
        used.push(wasm().memoryUsage().used - before);
      }
      // The second and third connections added a connection each, no store.
      expect(used[2] - used[0]).toBeLessThan(storeBytes);
      expect(used[0]).toBeGreaterThan(storeBytes / 2);
      for (const c of open) c.ws.close(1000);
      for (const c of open) expect((await c.closed).code).toBe(1000);
      // The context stays idle IDLE_MS for a next connection, then goes.
      for (let i = 0; i < 100 && wasm().memoryUsage().used > before; i++) await new Promise((r) => setTimeout(r, (IDLE_MS * 3) / 100));
      expect(wasm().memoryUsage().used).toBeLessThanOrEqual(before);
    } finally {
      await peer.close();
    }
  }, 30_000);
});

/** The client's frames as a server reads them: unmasked payloads (RFC 6455 5.2, 5.3). */
function clientFrames(buf: Buffer): { opcode: number; fin: boolean; masked: boolean; payload: Buffer }[] {
  const out = [];
  let o = 0;
  while (o + 2 <= buf.length) {
    const fin = (buf[o] & 0x80) !== 0;
    const opcode = buf[o] & 0x0f;
    const masked = (buf[o + 1] & 0x80) !== 0;
    let len = buf[o + 1] & 0x7f;
    let p = o + 2;
    if (len === 126) {
      len = buf.readUInt16BE(p);
      p += 2;
    } else if (len === 127) {
      len = Number(buf.readBigUInt64BE(p));
      p += 8;
    }
    const mask = masked ? buf.subarray(p, p + 4) : Buffer.alloc(4);
    if (masked) p += 4;
    if (p + len > buf.length) break;
    const payload = Buffer.from(buf.subarray(p, p + len));
    for (let i = 0; i < len; i++) payload[i] ^= mask[i & 3];
    out.push({ opcode, fin, masked, payload });
    o = p + len;
  }
  return out;
}

const acceptOf = (key: string): string => createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');

interface RawPeer {
  port: number;
  /** Resolves with every byte the client sent after its request head, once it ended its side. */
  afterHead: Promise<Buffer>;
  close(): Promise<void>;
}

/**
 * A raw TCP server that reads one request head and answers with `respond(key)`
 * (bytes written as they are), then collects what the client sends until
 * its FIN (or 10 s).
 */
async function rawPeer(respond: (key: string, head: string) => Buffer | string): Promise<RawPeer> {
  let done!: (b: Buffer) => void;
  const afterHead = new Promise<Buffer>((r) => (done = r));
  const sockets: Socket[] = [];
  const server: NetServer = createNet({ allowHalfOpen: true }, (s) => {
    sockets.push(s);
    s.on('error', () => {});
    let buf = Buffer.alloc(0);
    let answered = false;
    const timer = setTimeout(() => done(buf), 10_000);
    s.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (!answered) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        answered = true;
        const head = buf.subarray(0, end).toString('latin1');
        buf = buf.subarray(end + 4);
        const key = /sec-websocket-key: *(\S+)/i.exec(head)?.[1] ?? '';
        s.write(respond(key, head));
      }
    });
    s.on('end', () => {
      clearTimeout(timer);
      done(buf);
      s.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const peer = {
    port: (server.address() as AddressInfo).port,
    afterHead,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  servers.push(peer);
  return peer;
}

const ok101 = (key: string, extra = ''): string =>
  `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${acceptOf(key)}\r\n${extra}\r\n`;

/** A server frame (unmasked unless `mask`), with the first byte's bits given whole. */
function serverFrame(b0: number, payload: Uint8Array, mask = false): Buffer {
  const head =
    payload.length < 126
      ? Buffer.from([b0, payload.length | (mask ? 0x80 : 0)])
      : Buffer.from([b0, 126 | (mask ? 0x80 : 0), payload.length >> 8, payload.length & 0xff]);
  if (!mask) return Buffer.concat([head, payload]);
  const key = Buffer.from([1, 2, 3, 4]);
  const body = Buffer.from(payload.map((b, i) => b ^ key[i & 3]));
  return Buffer.concat([head, key, body]);
}

async function expectFailure(c: Watched, code: string): Promise<void> {
  const ev = await c.closed;
  // As browsers report a failed connection: error, then close 1006, unclean.
  expect(c.events.filter((e) => e !== 'open').slice(-2)).toEqual(['error', 'close 1006']);
  expect([ev.code, ev.reason, ev.wasClean]).toEqual([1006, '', false]);
  expect(c.ws.error).toBeInstanceOf(WebSocketError);
  expect((c.ws.error as WebSocketError).code).toBe(code);
  expect(c.ws.readyState).toBe(3);
}

describe('websocket: messages and control frames from a ws server', () => {
  for (const [name, make, secure] of [ROUTES[0], ROUTES[3]]) {
    it(`${name}: fragmented messages (a ping between fragments, a character split across them) are reassembled; pings are answered with the same payload`, async () => {
      const pongs: Buffer[] = [];
      const peer = await wsPeer(secure, (ws) => {
        ws.on('pong', (d) => pongs.push(d));
        ws.on('message', (m: RawData) => {
          if (String(m) !== 'go') return;
          ws.send('ab', { fin: false });
          ws.ping(Buffer.from('between'));
          ws.send(Buffer.from([0xc3]), { fin: false, binary: false });
          ws.send(Buffer.from([0xa9, 0x21]), { fin: true, binary: false });
          const big = Buffer.alloc(200_000, 7);
          ws.send(big.subarray(0, 100), { fin: false, binary: true });
          ws.send(big.subarray(100, 70_000), { fin: false, binary: true });
          ws.send(big.subarray(70_000), { fin: true, binary: true });
          ws.ping(Buffer.alloc(125, 9));
          ws.send('after');
        });
      });
      const WS = make();
      const c = watch(new WS(`${secure ? 'wss' : 'ws'}://127.0.0.1:${peer.port}/`));
      await c.opened;
      c.ws.send('go');
      expect(await c.next()).toBe('abé!');
      const bin = bytesOf(await c.next());
      expect(sha256(bin)).toBe(sha256(new Uint8Array(200_000).fill(7)));
      expect(await c.next()).toBe('after');
      // Pongs come back before 'after' was even read (they answer at once).
      await until(() => pongs.length === 2);
      expect(pongs[0].toString()).toBe('between');
      expect(pongs[1]).toEqual(Buffer.alloc(125, 9));
      c.ws.close();
      const ev = await c.closed;
      // No code given: an empty Close, which the server reports as 1005 and echoes.
      expect([ev.code, ev.wasClean]).toEqual([1005, true]);
      await peer.close();
    }, 30_000);
  }

  it('subprotocols: the server picks one of ours (protocol set, both offered); one we did not offer fails the connection', async () => {
    const peer = await wsPeer(false, echo, { handleProtocols: (set: Set<string>) => (set.has('zeta') ? 'evil' : 'beta') });
    const WS = tcp();
    const c = watch(new WS(`ws://127.0.0.1:${peer.port}/`, ['alpha', 'beta']));
    await c.opened;
    expect(c.ws.protocol).toBe('beta');
    expect(peer.requests[0].headers['sec-websocket-protocol']).toBe('alpha, beta');
    c.ws.close(1000);
    expect((await c.closed).code).toBe(1000);
    const bad = watch(new WS(`ws://127.0.0.1:${peer.port}/`, ['zeta']));
    await expectFailure(bad, 'ERR_WS_HANDSHAKE');
    expect(bad.ws.error?.message).toMatch(/subprotocol "evil"/);
    expect(bad.ws.protocol).toBe('');
    await peer.close();
  });

  it('subprotocols offered and none chosen fails the connection, as undici WebSocket (the WHATWG algorithm) does', async () => {
    // WHATWG WebSockets, "establish a WebSocket connection": "If protocols
    // is not the empty list and extracting header list values given
    // `Sec-WebSocket-Protocol` and response's header list results in null,
    // failure, or the empty byte sequence, then fail the WebSocket
    // connection." ws omits the header when handleProtocols returns false.
    const peer = await wsPeer(false, echo, { handleProtocols: () => false });
    const { WebSocket: Undici } = await import('undici');
    const oracle = new Undici(`ws://127.0.0.1:${peer.port}/`, ['alpha']);
    const seen = await new Promise<string>((resolve) => {
      oracle.onopen = () => resolve('open');
      oracle.onerror = () => resolve('error');
    });
    expect(seen).toBe('error');
    const WS = tcp();
    const c = watch(new WS(`ws://127.0.0.1:${peer.port}/`, ['alpha']));
    await expectFailure(c, 'ERR_WS_HANDSHAKE');
    expect(c.ws.error?.message).toMatch(/no subprotocol/);
    expect(c.ws.protocol).toBe('');
    // Without protocols offered, the same server is fine.
    const ok = watch(new WS(`ws://127.0.0.1:${peer.port}/`));
    await ok.opened;
    ok.ws.close(1000);
    expect((await ok.closed).code).toBe(1000);
    await peer.close();
  });

  for (const [name, make, secure] of [ROUTES[0], ROUTES[2]]) {
    it(`${name}: close codes both ways: the server's close(4001, 'bye') is seen as 4001 'bye' clean; ours reaches the server; requestHeaders sent`, async () => {
      const seen: [number, string][] = [];
      const peer = await wsPeer(secure, (ws, req) => {
        ws.on('close', (code, reason) => seen.push([code, reason.toString()]));
        if (req.url === '/bye') ws.close(4001, 'bye');
      });
      // Fields the handshake writes itself are skipped when given (Host here).
      const WS = make({
        requestHeaders: { Cookie: 'a=1', 'User-Agent': 'wasmtls-test', Host: 'evil.example' },
        origin: 'https://app.example',
      });
      const s = secure ? 'wss' : 'ws';
      const a = watch(new WS(`${s}://127.0.0.1:${peer.port}/bye`));
      const ev = await a.closed;
      expect([ev.code, ev.reason, ev.wasClean]).toEqual([4001, 'bye', true]);
      expect(a.events).toEqual(['open', 'close 4001']);
      const h = peer.requests[0].headers;
      expect([h.cookie, h['user-agent'], h.origin, h.host]).toEqual([
        'a=1',
        'wasmtls-test',
        'https://app.example',
        `127.0.0.1:${peer.port}`,
      ]);

      const b = watch(new WS(`${s}://127.0.0.1:${peer.port}/stay`));
      await b.opened;
      b.ws.close(4321, 'ciao ✓');
      expect(b.ws.readyState).toBe(WS.CLOSING);
      const evb = await b.closed;
      expect([evb.code, evb.reason, evb.wasClean]).toEqual([4321, 'ciao ✓', true]);
      await until(() => seen.length === 2);
      // The server reports the Close it received: our echo of its code
      // (RFC 6455 5.5.1: "typically echos the status code it received").
      expect(seen).toEqual([
        [4001, ''],
        [4321, 'ciao ✓'],
      ]);
      await peer.close();
    }, 30_000);
  }

  it("the browser's argument checks: constructor, send() while connecting, close() codes and reason length", async () => {
    const peer = await wsPeer(false);
    const WS = tcp();
    const err = (f: () => unknown): string => {
      try {
        f();
      } catch (e) {
        return (e as Error).name;
      }
      return 'none';
    };
    expect(err(() => new WS('ftp://127.0.0.1/'))).toBe('SyntaxError');
    expect(err(() => new WS('ws://127.0.0.1/#frag'))).toBe('SyntaxError');
    expect(err(() => new WS('not a url'))).toBe('SyntaxError');
    expect(err(() => new WS('ws://127.0.0.1/', ['a', 'a']))).toBe('SyntaxError');
    expect(err(() => new WS('ws://127.0.0.1/', ['a b']))).toBe('SyntaxError');
    const c = watch(new WS(`http://127.0.0.1:${peer.port}/x?y=1`));
    expect(c.ws.url).toBe(`ws://127.0.0.1:${peer.port}/x?y=1`);
    expect(c.ws.readyState).toBe(WS.CONNECTING);
    expect(err(() => c.ws.send('early'))).toBe('InvalidStateError');
    await c.opened;
    expect(peer.requests[0].url).toBe('/x?y=1');
    expect(err(() => c.ws.close(1001))).toBe('InvalidAccessError');
    expect(err(() => c.ws.close(2999))).toBe('InvalidAccessError');
    expect(err(() => c.ws.close(5000))).toBe('InvalidAccessError');
    // [Clamp]: 70000 becomes 65535 and 2999.4 becomes 2999: both refused.
    expect(err(() => c.ws.close(70000))).toBe('InvalidAccessError');
    expect(err(() => c.ws.close(2999.4))).toBe('InvalidAccessError');
    expect(err(() => c.ws.close(1000, 'é'.repeat(62)))).toBe('SyntaxError'); // 124 bytes
    expect(c.ws.readyState).toBe(WS.OPEN);
    c.ws.close(1000, 'x'.repeat(123));
    // After close(), send() drops the data but counts it (WHATWG).
    c.ws.send('late');
    expect(c.ws.bufferedAmount).toBe(4);
    expect((await c.closed).reason).toBe('x'.repeat(123));
    // close() while connecting fails the connection: error, then close 1006.
    const d = watch(new WS(`ws://127.0.0.1:${peer.port}/`));
    d.ws.close();
    expect(d.ws.readyState).toBe(WS.CLOSING);
    expect(d.events).toEqual([]); // the events come later, as in browsers
    await expectFailure(d, 'ERR_WS_ABORTED');
    // ... at once, even while connect() is still pending; the transport it
    // gives afterwards is closed.
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let transportClosed = false;
    const Slow = createWebSocket({
      connect: async (host, port) => {
        await gate;
        const t = await connectTcp({ host, port });
        return { readable: t.readable, writable: t.writable, close: () => ((transportClosed = true), t.close()) };
      },
    });
    const e = watch(new Slow(`ws://127.0.0.1:${peer.port}/`));
    e.ws.close();
    await expectFailure(e, 'ERR_WS_ABORTED');
    expect(transportClosed).toBe(false);
    release();
    await until(() => transportClosed);
    await peer.close();
  });

  it("binaryType 'blob' (the default where Blob exists): binary messages arrive as Blobs; a Blob sent goes as a binary message", async () => {
    const peer = await wsPeer(true);
    const ws = new (tcp())(`wss://127.0.0.1:${peer.port}/`);
    expect(ws.binaryType).toBe('blob');
    const data = random(70_000);
    const got = new Promise<unknown>((resolve) => ws.addEventListener('message', (ev) => resolve((ev as MessageEvent).data)));
    await new Promise((r) => ws.addEventListener('open', r));
    ws.send(new Blob([Buffer.from(data.subarray(0, 1000)), Buffer.from(data.subarray(1000))]));
    expect(ws.bufferedAmount).toBe(70_000);
    const blob = await got;
    expect(blob).toBeInstanceOf(Blob);
    expect(sha256(new Uint8Array(await (blob as Blob).arrayBuffer()))).toBe(sha256(data));
    expect(ws.bufferedAmount).toBe(0);
    ws.close();
    await peer.close();
  });

  it("wispWebSocket's close() ends the shared Wisp connection (open WebSockets see 1006); the next WebSocket opens a new one", async () => {
    const peer = await wsPeer(false);
    const WS = viaWisp();
    const a = watch(new WS(`ws://127.0.0.1:${peer.port}/`));
    const b = watch(new WS(`ws://127.0.0.1:${peer.port}/`));
    await Promise.all([a.opened, b.opened]);
    await WS.close();
    for (const c of [a, b]) expect([(await c.closed).code, (await c.closed).wasClean]).toEqual([1006, false]);
    const d = watch(new WS(`ws://127.0.0.1:${peer.port}/`));
    await d.opened;
    d.ws.send('again');
    expect(await d.next()).toBe('again');
    d.ws.close();
    expect((await d.closed).code).toBe(1005);
    await WS.close();
    await peer.close();
  });

  it('SHA-1 fallback (for runtimes without crypto.subtle) matches node:crypto', () => {
    for (const n of [0, 1, 55, 56, 63, 64, 65, 1000]) {
      const b = random(n);
      expect(Buffer.from(sha1(b)).toString('hex')).toBe(createHash('sha1').update(b).digest('hex'));
    }
  });
});

describe('websocket: failures, as browsers report them', () => {
  it('a non-101 answer and a wrong Sec-WebSocket-Accept: error, then close 1006 unclean', async () => {
    const WS = tcp();
    const forbidden = await rawPeer(() => 'HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n');
    const a = watch(new WS(`ws://127.0.0.1:${forbidden.port}/`));
    await expectFailure(a, 'ERR_WS_HANDSHAKE');
    expect(a.ws.error?.message).toMatch(/403/);
    expect(a.events).toEqual(['error', 'close 1006']);

    const wrong = await rawPeer((key) => ok101(`${key}x`));
    const b = watch(new WS(`ws://127.0.0.1:${wrong.port}/`));
    await expectFailure(b, 'ERR_WS_HANDSHAKE');
    expect(b.ws.error?.message).toMatch(/Sec-WebSocket-Accept/);

    const ext = await rawPeer((key) => ok101(key, 'Sec-WebSocket-Extensions: permessage-deflate\r\n'));
    const e = watch(new WS(`ws://127.0.0.1:${ext.port}/`));
    await expectFailure(e, 'ERR_WS_HANDSHAKE');
    expect(e.ws.error?.message).toMatch(/extensions/);
  });

  const crafted: [string, (bytes: Uint8Array) => Buffer, number, RegExp][] = [
    ['a masked server frame', (b) => serverFrame(0x82, b, true), 1002, /masked/],
    ['an RSV1 bit without an extension', (b) => serverFrame(0xc2, b), 1002, /RSV/],
    ['a reserved opcode', (b) => serverFrame(0x83, b), 1002, /reserved data opcode 0x3/],
    ['a fragmented ping', (b) => serverFrame(0x09, b), 1002, /fragmented control/],
    ['a text message that is not UTF-8', () => serverFrame(0x81, Buffer.from([0x61, 0xc3, 0x28])), 1007, /not UTF-8/],
    [
      'a Close frame with the code 1005 (never sent on the wire)',
      () => serverFrame(0x88, Buffer.from([0x03, 0xed])),
      1002,
      /invalid code 1005/,
    ],
    ['a Close frame with a 1-byte body', () => serverFrame(0x88, Buffer.from([0x03])), 1002, /1-byte/],
    ['a Close reason that is not UTF-8', () => serverFrame(0x88, Buffer.from([0x03, 0xe8, 0xff])), 1007, /Close reason/],
    ['a message over maxMessageSize', () => serverFrame(0x82, new Uint8Array(2000)), 1009, /maxMessageSize/],
  ];
  for (const [what, frame, code, why] of crafted) {
    it(`${what}: the client sends Close ${code} and reports error + close 1006`, async () => {
      const peer = await rawPeer((key) =>
        Buffer.concat([Buffer.from(ok101(key)), serverFrame(0x81, Buffer.from('fine')), frame(Buffer.from('data'))]),
      );
      const WS = tcp({ maxMessageSize: 1000 });
      const c = watch(new WS(`ws://127.0.0.1:${peer.port}/`));
      // The message before the bad frame is delivered first.
      expect(await c.next()).toBe('fine');
      await expectFailure(c, 'ERR_WS_PROTOCOL');
      expect((c.ws.error as WebSocketError).closeCode).toBe(code);
      expect(c.ws.error?.message).toMatch(why);
      const frames = clientFrames(await peer.afterHead);
      expect(frames.every((f) => f.masked)).toBe(true);
      const close = frames.find((f) => f.opcode === 8);
      expect(close?.payload.readUInt16BE(0)).toBe(code);
    });
  }

  it('a Close without a code is reported as 1005, clean, and answered with an empty Close; a server that never answers our Close is left after closeTimeout (1006, unclean)', async () => {
    const WS = tcp({ closeTimeout: 300 });
    const bare = await rawPeer((key) => Buffer.concat([Buffer.from(ok101(key)), serverFrame(0x88, new Uint8Array(0))]));
    const a = watch(new WS(`ws://127.0.0.1:${bare.port}/`));
    const ev = await a.closed;
    expect([ev.code, ev.reason, ev.wasClean]).toEqual([1005, '', true]);
    expect(a.events).toEqual(['open', 'close 1005']);
    const echoed = clientFrames(await bare.afterHead);
    expect(echoed.map((f) => [f.opcode, f.payload.length])).toEqual([[8, 0]]);

    const silent = await rawPeer((key) => ok101(key));
    const b = watch(new WS(`ws://127.0.0.1:${silent.port}/`));
    await b.opened;
    b.ws.close(3000, 'anyone?');
    const evb = await b.closed;
    expect([evb.code, evb.wasClean]).toEqual([1006, false]);
    const sent = clientFrames(await silent.afterHead);
    expect(sent.length).toBe(1);
    expect([sent[0].opcode, sent[0].payload.readUInt16BE(0), sent[0].payload.subarray(2).toString()]).toEqual([8, 3000, 'anyone?']);
  });

  it('a server that accepts and never answers the handshake: openTimeout fails the connection (error, close 1006)', async () => {
    const mute = await rawPeer(() => '');
    const c = watch(new (tcp({ openTimeout: 300 }))(`ws://127.0.0.1:${mute.port}/`));
    await expectFailure(c, 'ERR_WS_HANDSHAKE');
    expect(c.ws.error?.message).toMatch(/openTimeout/);
    // Our side was closed: the server saw the end of the connection.
    expect((await mute.afterHead).length).toBe(0);
  });

  it('a refused connection and a certificate the CA does not vouch for: error, then close 1006', async () => {
    const refused = watch(new (tcp())(`ws://127.0.0.1:${await freePort()}/`));
    await expectFailure(refused, 'ERR_WS_TRANSPORT');
    expect(refused.ws.error?.message).toMatch(/could not connect/);
    const peer = await wsPeer(true);
    const stranger = watch(new (tcp({ ca: pki.strangerPem }))(`wss://127.0.0.1:${peer.port}/`));
    await expectFailure(stranger, 'ERR_WS_TRANSPORT');
    expect(stranger.ws.error?.message).toMatch(/TLS/);
    expect(peer.conns.length).toBe(0);
    await peer.close();
  });

  for (const [name, make, secure] of [ROUTES[1], ROUTES[2]]) {
    it(`${name}: the connection dying under an open WebSocket gives close 1006 unclean`, async () => {
      const peer = await wsPeer(secure, (ws) => ws.on('message', () => ws.terminate()));
      const WS = make();
      const c = watch(new WS(`${secure ? 'wss' : 'ws'}://127.0.0.1:${peer.port}/`));
      await c.opened;
      c.ws.send('die');
      const ev = await c.closed;
      expect([ev.code, ev.wasClean]).toEqual([1006, false]);
      expect(c.ws.readyState).toBe(WS.CLOSED);
      await peer.close();
    }, 30_000);
  }

  it('bufferedAmount rises while the server does not read and falls to 0 once it does; nothing is lost', async () => {
    let server!: NodeWs;
    const got: Buffer[] = [];
    const peer = await wsPeer(false, (ws) => {
      server = ws;
      (ws as unknown as { _socket: Socket })._socket.pause();
      ws.on('message', (m: RawData) => got.push(m as Buffer));
    });
    const WS = tcp();
    const c = watch(new WS(`ws://127.0.0.1:${peer.port}/`));
    await c.opened;
    await until(() => server !== undefined);
    const msg = random(1 << 20);
    const N = 48;
    for (let i = 0; i < N; i++) c.ws.send(msg);
    expect(c.ws.bufferedAmount).toBe(N << 20);
    // The kernel's buffers take a few MiB, then the transport stops taking
    // writes: the amount stays above 0 for as long as the server does not read.
    await until(() => c.ws.bufferedAmount < N << 20); // the first writes were taken
    let last = c.ws.bufferedAmount;
    for (;;) {
      await sleep(300);
      const now = c.ws.bufferedAmount;
      if (now === last) break;
      last = now;
    }
    expect(last).toBeGreaterThan(0);
    expect(last).toBeLessThan(N << 20);
    (server as unknown as { _socket: Socket })._socket.resume();
    await until(() => c.ws.bufferedAmount === 0 && got.length === N);
    for (const g of got) expect(sha256(g)).toBe(sha256(msg));
    c.ws.close();
    await c.closed;
    await peer.close();
  }, 60_000);
});

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
async function until(f: () => boolean): Promise<void> {
  while (!f()) await sleep(10);
}

describe('websocket: wss frees its TLS engine on every path', () => {
  it("clean close, server's close, transport death, TLS failure and close() while connecting: the allocator's bytes in use return to the baseline", async () => {
    const peer = await wsPeer(true, (ws, req) => {
      echo(ws);
      if (req.url === '/bye') ws.close(4001, 'bye');
      if (req.url === '/die') setTimeout(() => ws.terminate(), 20);
    });
    const url = (path: string) => `wss://127.0.0.1:${peer.port}${path}`;
    const WS = tcp();
    const used = (): number => wasm().memoryUsage().used;
    // One connection first, so lazily made module state is not counted.
    const warm = watch(new WS(url('/')));
    await warm.opened;
    warm.ws.close();
    await warm.closed;
    const before = used();
    for (let round = 0; round < 3; round++) {
      const clean = watch(new WS(url('/')));
      const bye = watch(new WS(url('/bye')));
      const die = watch(new WS(url('/die')));
      const bad = watch(new (tcp({ ca: pki.strangerPem }))(url('/')));
      const early = watch(new WS(url('/')));
      early.ws.close();
      await clean.opened;
      clean.ws.send(random(100_000));
      await clean.next();
      clean.ws.close(1000);
      const codes = await Promise.all([clean, bye, die, bad, early].map(async (c) => (await c.closed).code));
      expect(codes).toEqual([1000, 4001, 1006, 1006, 1006]);
    }
    // The engines are freed when the transports close, which may follow the close event by a turn.
    for (let i = 0; i < 100 && used() > before; i++) await sleep(20);
    expect(used()).toBeLessThanOrEqual(before);
    await peer.close();
  }, 60_000);
});
