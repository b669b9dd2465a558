/**
 * `wasmtls relay`: a websockify-style WebSocket-to-TCP relay, so a TLS
 * client in a browser (or `s_client -tunnel`) can reach a TCP server.
 * Each WebSocket is piped to one TCP connection; the target is the URL
 * path (`ws://relay:8080/example.com:443`) or fixed with `-target`.
 * Binary messages carry raw TCP bytes both ways; the relay never sees
 * plaintext, only TLS records.
 *
 * Bounded memory, as ws `lib/stream.js` does it: the WebSocket is paused
 * while the TCP socket cannot take more, and the TCP socket is paused
 * while more than `highWaterMark` bytes wait to go out on the WebSocket.
 * Ends map as websockify's: the target's FIN closes the WebSocket with
 * 1000, a target error with 1011 and the message; the WebSocket's close
 * ends the TCP connection.
 *
 * An open relay reaches whatever its host can: it listens on 127.0.0.1
 * unless told otherwise, and `-target` pins it to one destination.
 * @module
 */
import { connect, type AddressInfo, type Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { CliError, hostPort, parseFlags, UsageError, type FlagTable } from './args.js';
import { describeError } from './common.js';

export const RELAY_FLAGS: FlagTable = {
  listen: { kind: 'string', arg: '[host:]port', help: 'where to accept WebSockets (default host 127.0.0.1; port 0: any free port)' },
  target: { kind: 'string', arg: 'host:port', help: 'relay every connection there (default: the URL path /host:port)' },
  max: { kind: 'int', arg: 'n', help: 'connections relayed at once (default 256)' },
  quiet: { kind: 'bool', help: 'no per-connection lines' },
};

export interface RelayOptions {
  host?: string;
  port: number;
  target?: { host: string; port: number };
  /** Bytes waiting for the WebSocket before the TCP side is paused (1 MiB). */
  highWaterMark?: number;
  maxConnections?: number;
  log?: (line: string) => void;
}

export interface RunningRelay {
  /** `ws://host:port` (append `/host:port` unless the target is fixed). */
  url: string;
  port: number;
  readonly active: number;
  close(): Promise<void>;
}

const TARGET_PATH = /^\/(\[[^\]]+\]|[^/:]+):(\d{1,5})$/;

/** How {@link pipeTunnel} maps ends and bounds memory. */
export interface PipeOptions {
  /** Bytes waiting for the WebSocket before the TCP side is paused. */
  highWaterMark: number;
  /** The close reason (code 1011) for a TCP error; printable ASCII, cut
   * to 120 bytes here (RFC 6455 5.5: a reason holds at most 123). */
  errorReason: (e: Error) => string;
}

/**
 * Pipe one WebSocket to one TCP socket (connecting or connected), raw
 * bytes in binary messages both ways, with the bounds and the ends
 * described in the module header. Returns live byte counts.
 */
export function pipeTunnel(ws: WebSocket, sock: Socket, o: PipeOptions): { readonly up: number; readonly down: number } {
  const n = { up: 0, down: 0 };
  sock.setNoDelay(true);
  // WebSocket -> TCP: stop reading the WebSocket while the socket's buffer is full.
  ws.on('message', (data: Buffer, isBinary: boolean) => {
    if (!isBinary) {
      ws.close(1003, 'relay: binary messages only');
      return;
    }
    n.up += data.length;
    if (!sock.write(data) && !ws.isPaused) {
      ws.pause();
      sock.once('drain', () => ws.resume());
    }
  });
  // TCP -> WebSocket, counting bytes not yet handed to the WebSocket's socket.
  let unsent = 0;
  sock.on('data', (d: Buffer) => {
    n.down += d.length;
    unsent += d.length;
    ws.send(d, { binary: true }, () => {
      unsent -= d.length;
      if (sock.isPaused() && unsent <= o.highWaterMark / 2) sock.resume();
    });
    if (unsent > o.highWaterMark) sock.pause();
  });
  sock.on('end', () => ws.close(1000, 'target closed'));
  sock.on('error', (e) => ws.close(1011, o.errorReason(e).replace(/[^\x20-\x7e]/g, '?').slice(0, 120)));
  ws.on('close', () => {
    sock.end();
    // A target that does not close after our FIN is released anyway.
    setTimeout(() => sock.destroy(), 2000).unref();
  });
  ws.on('error', () => sock.destroy());
  return n;
}

export async function startRelay(o: RelayOptions): Promise<RunningRelay> {
  const hwm = o.highWaterMark ?? 1 << 20;
  const max = o.maxConnections ?? 256;
  const log = o.log ?? (() => {});
  const host = o.host ?? '127.0.0.1';
  const pairs = new Set<{ ws: WebSocket; sock: Socket }>();
  // perMessageDeflate off: TLS records do not compress, and inflating
  // would put an unbounded buffer between the two sides.
  const wss = new WebSocketServer({ host, port: o.port, perMessageDeflate: false, maxPayload: 1 << 20 });
  await new Promise<void>((resolve, reject) => {
    wss.once('listening', () => resolve());
    wss.once('error', (e) => reject(new CliError(`cannot listen on ${host}:${o.port}: ${describeError(e)}`)));
  });
  let next = 0;

  wss.on('connection', (ws, req) => {
    const id = ++next;
    const from = `${req.socket.remoteAddress}:${req.socket.remotePort}`;
    if (pairs.size >= max) {
      ws.close(1013, 'relay: too many connections');
      log(`#${id} ${from} refused: ${max} connections already`);
      return;
    }
    let target = o.target;
    if (!target) {
      const m = TARGET_PATH.exec(req.url ?? '');
      if (!m || Number(m[2]) > 65535) {
        ws.close(1008, 'relay: path must be /host:port');
        log(`#${id} ${from} refused: bad path ${JSON.stringify(req.url)}`);
        return;
      }
      target = { host: m[1].replace(/^\[|\]$/g, ''), port: Number(m[2]) };
    }
    const to = `${target.host}:${target.port}`;
    const sock = connect({ host: target.host, port: target.port });
    const pair = { ws, sock };
    pairs.add(pair);
    const n = pipeTunnel(ws, sock, {
      highWaterMark: hwm,
      errorReason: (e) => {
        log(`#${id} ${from} -> ${to}: ${describeError(e)}`);
        return describeError(e);
      },
    });
    sock.on('connect', () => log(`#${id} ${from} -> ${to}`));
    sock.on('close', () => pairs.delete(pair));
    ws.on('close', () => {
      pairs.delete(pair);
      log(`#${id} closed: ${n.up} bytes up, ${n.down} bytes down`);
    });
  });

  const port = (wss.address() as AddressInfo).port;
  return {
    url: `ws://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    get active() {
      return pairs.size;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const { ws, sock } of pairs) {
          ws.terminate();
          sock.destroy();
        }
        pairs.clear();
        for (const c of wss.clients) c.terminate();
        wss.close(() => resolve());
      }),
  };
}

export async function relay(argv: readonly string[]): Promise<number> {
  const f = parseFlags(argv, RELAY_FLAGS);
  if (f.listen === undefined) throw new UsageError('-listen [host:]port is required');
  const { host, port } = hostPort(f.listen as string, 'listen', '127.0.0.1');
  const r = await startRelay({
    host,
    port,
    target: f.target === undefined ? undefined : hostPort(f.target as string, 'target'),
    maxConnections: f.max as number | undefined,
    log: f.quiet ? undefined : (line) => process.stderr.write(`${line}\n`),
  });
  process.stdout.write(`RELAY ${r.url}${f.target === undefined ? '/<host>:<port>' : ` -> ${String(f.target)}`}\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await r.close();
  return 0;
}
