/**
 * Wisp servers for tests:
 *  - startWispServer(): the real one from npm `@mercuryworkshop/wisp-js`
 *    (LGPL, a devDependency, never bundled) on 127.0.0.1, loopback
 *    destinations allowed, logging off; `close()` destroys its connections.
 *  - startScriptedWisp(): a tiny Wisp v1 server written here with `ws` that
 *    does not connect anywhere: it answers CONNECTs by a script, so a test
 *    can send exact CLOSE reasons, withhold or grant credits, or send
 *    malformed packets.
 * Both are bounded by their callers' `finally`.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
// @ts-expect-error wisp-js ships no types
import { server as wisp, logging } from '@mercuryworkshop/wisp-js/server';
import { WebSocketServer, type WebSocket } from 'ws';

export interface WispServer {
  /** `ws://127.0.0.1:P/` (Wisp URLs end with a slash). */
  url: string;
  close(): Promise<void>;
}

interface WispJsOptions {
  allow_loopback_ips: boolean;
  allow_private_ips: boolean;
  hostname_blacklist: RegExp[] | null;
  wisp_version: number;
  dns_method: string | ((host: string) => Promise<string>);
}
interface WispJsServerStream {
  buffer_size: number;
}

/** The wisp-js server's global options and its per-stream buffer (packets). */
export const wispJs = {
  options: (wisp as { options: WispJsOptions }).options,
  ServerStream: (wisp as { ServerStream: WispJsServerStream }).ServerStream,
};

let configured = false;
function configure(): void {
  if (configured) return;
  configured = true;
  (logging as { set_level(l: number): void; NONE: number }).set_level((logging as { NONE: number }).NONE);
  wispJs.options.allow_loopback_ips = true;
  wispJs.options.allow_private_ips = true;
  wispJs.options.hostname_blacklist = [/^blocked\.test$/];
  // No DNS in tests: names other than IP literals and localhost fail to resolve.
  wispJs.options.dns_method = async (host: string) => {
    if (host === 'localhost') return '127.0.0.1';
    throw new Error(`getaddrinfo ENOTFOUND ${host}`);
  };
}

/**
 * `connOptions`, when given, is called for each connection and passed to
 * wisp-js's `routeRequest` (its `ServerConnection` options, such as
 * `wisp_extensions`).
 */
export async function startWispServer(connOptions?: () => Record<string, unknown>): Promise<WispServer> {
  configure();
  const sockets = new Set<Socket>();
  const server: Server = createServer((_req, res) => res.writeHead(404).end());
  server.on('upgrade', (req, socket: Socket, head) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    (wisp as { routeRequest(...a: unknown[]): void }).routeRequest(req, socket, head, connOptions?.() ?? {});
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `ws://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

// ---- scripted server -----------------------------------------------------------

export interface WispPacket {
  type: number;
  id: number;
  payload: Uint8Array;
}

export function wispPacket(type: number, id: number, payload: Uint8Array | number[] = []): Buffer {
  const p = Buffer.alloc(5 + payload.length);
  p[0] = type;
  p.writeUInt32LE(id, 1);
  p.set(payload, 5);
  return p;
}

export const continuePacket = (id: number, credits: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(credits, 0);
  return wispPacket(0x03, id, b);
};

export interface ScriptedWisp extends WispServer {
  /** Every packet received, in order, per connection. */
  received: WispPacket[];
  /** The server side of the latest connection. */
  last(): WebSocket;
}

/**
 * A Wisp server that only follows a script: on connection it runs
 * `onConnection(ws)` (default: initial CONTINUE with `credits`), and on each
 * packet `onPacket(packet, ws)`.
 */
export async function startScriptedWisp(script: {
  credits?: number;
  onConnection?: (ws: WebSocket) => void;
  onPacket?: (p: WispPacket, ws: WebSocket) => void;
}): Promise<ScriptedWisp> {
  const received: WispPacket[] = [];
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  let latest: WebSocket | undefined;
  wss.on('connection', (ws) => {
    latest = ws;
    if (script.onConnection) script.onConnection(ws);
    else ws.send(continuePacket(0, script.credits ?? 128));
    ws.on('message', (data: Buffer) => {
      const p = { type: data[0], id: data.readUInt32LE(1), payload: new Uint8Array(data.subarray(5)) };
      received.push(p);
      script.onPacket?.(p, ws);
    });
  });
  const port = (wss.address() as AddressInfo).port;
  return {
    url: `ws://127.0.0.1:${port}/`,
    received,
    last: () => latest!,
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of wss.clients) c.terminate();
        wss.close(() => resolve());
      }),
  };
}
