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
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket as NodeWs, WebSocketServer, type RawData } from 'ws';
import { connectTcp } from '../ts/adapters/node-socket.js';
import {
  createWebSocket,
  sha1,
  type WasmtlsWebSocket,
  type WebSocketClass,
  type WebSocketCloseEvent,
  wispWebSocket,
  WebSocketError,
} from '../ts/http/websocket.js';
import { useBuild } from './helpers/env.js';
import { makePki, type Pki } from './helpers/pki.js';
import { random, sha256 } from './helpers/transport-checks.js';
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
const viaWisp = (options: Record<string, unknown> = {}): WebSocketClass =>
  wispWebSocket(wisp.url, { WebSocket: NodeWs as never, ca: pki.caPem, ...options });

const ROUTES: [string, () => WebSocketClass, boolean][] = [
  ['wss over TCP', () => tcp(), true],
  ['ws over TCP', () => tcp(), false],
  ['wss over Wisp', () => viaWisp(), true],
  ['ws over Wisp', () => viaWisp(), false],
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
