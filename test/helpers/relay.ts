/**
 * A websockify-style relay for tests: a WebSocket server on 127.0.0.1 (npm
 * `ws`) whose every connection is piped to one TCP connection, the target
 * given by the URL path (`ws://127.0.0.1:P/host:port`) or fixed. Binary
 * messages carry raw TCP bytes both ways.
 *
 * Bounded: each direction stops reading its source while more than
 * `highWaterMark` bytes wait to be written (the WebSocket is paused while
 * the TCP socket is over its buffer; the TCP socket is paused while the
 * WebSocket's unsent bytes are over the mark), and at most `maxConnections`
 * are served at once. Ends map as websockify's do: the target's FIN closes
 * the WebSocket with 1000, a target error with 1011 and the error message; a
 * WebSocket close ends the TCP connection. `close()` terminates everything;
 * call it in `finally`.
 */
import { connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

export interface Relay {
  /** `ws://127.0.0.1:P` (append `/host:port` unless the target is fixed). */
  url: string;
  port: number;
  /** Connections currently relayed. */
  readonly active: number;
  close(): Promise<void>;
}

export interface RelayOptions {
  target?: { host: string; port: number };
  highWaterMark?: number;
  maxConnections?: number;
}

export async function startRelay(options: RelayOptions = {}): Promise<Relay> {
  const hwm = options.highWaterMark ?? 1 << 20;
  const maxConnections = options.maxConnections ?? 64;
  const pairs = new Set<{ ws: WebSocket; sock: Socket }>();
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((r) => wss.once('listening', () => r()));

  wss.on('connection', (ws, req) => {
    if (pairs.size >= maxConnections) {
      ws.close(1013, 'relay: too many connections');
      return;
    }
    let target = options.target;
    if (!target) {
      const m = /^\/([^/:]+):(\d+)$/.exec(req.url ?? '');
      if (!m) {
        ws.close(1008, 'relay: path must be /host:port');
        return;
      }
      target = { host: m[1], port: Number(m[2]) };
    }
    const sock = connect({ host: target.host, port: target.port });
    sock.setNoDelay(true);
    const pair = { ws, sock };
    pairs.add(pair);

    // WebSocket -> TCP
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (!isBinary) {
        ws.close(1003, 'relay: binary messages only');
        return;
      }
      if (!sock.write(data)) {
        ws.pause();
        sock.once('drain', () => ws.resume());
      }
    });
    // TCP -> WebSocket, counting bytes not yet written to the WebSocket.
    let unsent = 0;
    sock.on('data', (d: Buffer) => {
      unsent += d.length;
      ws.send(d, () => {
        unsent -= d.length;
        if (sock.isPaused() && unsent <= hwm / 2) sock.resume();
      });
      if (unsent > hwm) sock.pause();
    });
    sock.on('end', () => ws.close(1000, 'target closed'));
    sock.on('error', (e) => ws.close(1011, e.message.slice(0, 120)));
    sock.on('close', () => pairs.delete(pair));
    ws.on('close', () => {
      pairs.delete(pair);
      sock.end();
      // A target that does not close after our FIN is released anyway.
      setTimeout(() => sock.destroy(), 2000).unref();
    });
    ws.on('error', () => sock.destroy());
  });

  const port = (wss.address() as AddressInfo).port;
  return {
    url: `ws://127.0.0.1:${port}`,
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
