/**
 * Small TCP servers on 127.0.0.1 for the transport tests, each with a
 * behaviour: echo (half-close aware), sink (never reads), reset after the
 * first bytes, "hello then end" (and count what arrives after), "count then
 * reply" (reply with the byte count at our FIN). Every server tracks its
 * sockets and `close()` destroys them.
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';

export interface TcpServer {
  port: number;
  /** Connections accepted so far. */
  sockets: Socket[];
  /** What the handlers recorded, in order (e.g. `got 100`). */
  events: string[];
  close(): Promise<void>;
}

async function serve(handler: (s: Socket, events: string[]) => void): Promise<TcpServer> {
  const sockets: Socket[] = [];
  const events: string[] = [];
  const server: Server = createServer({ allowHalfOpen: true }, (s) => {
    sockets.push(s);
    s.on('error', () => {}); // resets by the client are part of the tests
    handler(s, events);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    sockets,
    events,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Echo every byte; at the client's FIN, FIN back after the echo (pipe). */
export const echoServer = (): Promise<TcpServer> => serve((s) => s.pipe(s));

/** Accept and never read: the client's writes must stall. */
export const sinkServer = (): Promise<TcpServer> => serve((s) => s.pause());

/** Reset (RST) the connection when the first bytes arrive. */
export const resetServer = (): Promise<TcpServer> => serve((s) => s.once('data', () => s.resetAndDestroy()));

/** Send "hello" and FIN at once; keep reading and record `got N` at EOF. */
export const helloServer = (): Promise<TcpServer> =>
  serve((s, events) => {
    s.end('hello');
    let n = 0;
    s.on('data', (d: Buffer) => (n += d.length));
    s.on('end', () => events.push(`got ${n}`));
  });

/** Count bytes until the client's FIN, then reply "count N" and FIN. */
export const countServer = (): Promise<TcpServer> =>
  serve((s) => {
    let n = 0;
    s.on('data', (d: Buffer) => (n += d.length));
    s.on('end', () => s.end(`count ${n}`));
  });

/** A port on 127.0.0.1 where nothing listens (bound, then released). */
export async function refusedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** Resolves when the server-side socket has closed. */
export const socketClosed = (s: Socket): Promise<void> => new Promise((r) => (s.closed ? r() : s.once('close', () => r())));
