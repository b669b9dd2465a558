/**
 * Node `net.Socket` (or any Node `Duplex` carrying bytes) as a
 * {@link Transport}. Node only: the one adapter that imports `node:`
 * modules.
 *
 * Backpressure as ws `lib/stream.js` does it: the socket is paused when the
 * readable's queue is full and resumed on pull; `write()` resolves when
 * Node has handed the chunk to the kernel (the write callback), so the
 * socket holds at most one chunk in user space. TCP half-close is kept: the adapter sets
 * `allowHalfOpen` so the peer's FIN ends only the readable, and closing the
 * writable sends our FIN with `socket.end()`.
 *
 * @example
 * ```ts
 * import { connectTcp } from 'wasmtls/adapters/node-socket';
 * const t = await connectTcp({ host: 'example.com', port: 443 });
 * const w = t.writable.getWriter();
 * await w.write(bytes);
 * ```
 * @module
 */
import { connect as netConnect } from 'node:net';
import type { Duplex } from 'node:stream';
import { ByteQueue, DIRECT_PORT, type DirectPort } from './direct-port.js';
import { headOf, type TakeoverOptions, type Transport, type TransportOptions } from './types.js';

export type { TakeoverOptions, Transport, TransportOptions } from './types.js';

const closedError = (): Error => new Error('Node socket transport: closed');
/** After a write error, how long reading goes on (see fromNodeSocket). */
const WRITE_FAIL_READ_MS = 1000;

/**
 * Wrap a connected (or connecting) Node socket. Writes made while it is
 * still connecting are buffered by Node and sent on connect; a connection
 * error errors both streams with Node's error (`code` `ECONNREFUSED`, ...).
 *
 * The adapter owns the socket from now on: it attaches `'data'`, sets
 * `allowHalfOpen = true` and destroys it when both directions are done.
 *
 * Taking over a socket after a plaintext phase (STARTTLS, PostgreSQL's
 * SSLRequest), as Node's `tls.connect({ socket })` does: remove your own
 * `'data'` and `'readable'` listeners first (else every byte would be
 * read twice: a TypeError says so); a socket you paused is resumed;
 * bytes you `unshift()`ed come first, and so do bytes you pass as
 * `options.head`. Between your last read and this call no byte is lost
 * as long as no I/O turn passes in between with the socket flowing and
 * no listener (Node drops such bytes): pause the socket in your last
 * `'data'` listener, or call this in the same turn.
 *
 * @example
 * ```ts
 * import { connect } from 'node:net';
 * const t = fromNodeSocket(connect({ host: 'example.com', port: 443 }));
 * ```
 */
export function fromNodeSocket(socket: Duplex, options: TakeoverOptions = {}): Transport {
  const readHwm = options.readableHighWaterMark ?? 65536;
  const head = headOf(options, 'fromNodeSocket');
  for (const ev of ['data', 'readable']) {
    const n = socket.listenerCount(ev);
    if (n > 0) {
      throw new TypeError(
        `fromNodeSocket: the socket still has ${n} '${ev}' listener(s): remove them before handing it over (each byte would be read twice)`,
      );
    }
  }
  socket.allowHalfOpen = true;

  // The readable side's queue (the readable stream's controller once
  // that is made) and the writable side's error: the transport's streams
  // are made only when first touched, and connect() / accept() read and
  // write through a DirectPort instead (adapters/direct-port.ts, issue #16).
  const rc = new ByteQueue(readHwm, () => pull());
  let writeErr: { e: unknown } | undefined;
  let wsc: WritableStreamDefaultController | undefined;
  const wc = {
    error(e: unknown): void {
      writeErr ??= { e };
      wsc?.error(e);
    },
  };
  let readDone = false; // readable closed, errored or cancelled
  let closing = false; // close(), cancel or abort by our side
  let paused = false;

  const closed = new Promise<void>((resolve) => {
    if (socket.closed) resolve();
    else socket.once('close', () => resolve());
  });

  // A transport error while chunks are still queued is held back until
  // they are read: error() would drop them, and the last of them may be
  // why the peer ended (its TLS alert, before the reset that followed).
  let held: { err: unknown } | undefined;
  const endReadable = (err?: unknown): void => {
    if (readDone) return;
    readDone = true;
    if (err === undefined) rc.close();
    else if ((rc.desiredSize ?? readHwm) < readHwm) held = { err };
    else rc.error(err);
  };

  const onData = (buf: Buffer | string): void => {
    if (readDone) return;
    if (typeof buf === 'string') {
      fail(new TypeError('Node socket transport: the socket has an encoding set; bytes expected'));
      return;
    }
    // A plain Uint8Array view of Node's Buffer: no copy.
    rc.enqueue(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength));
    if ((rc.desiredSize ?? 0) <= 0 && !paused) {
      paused = true;
      socket.pause();
    }
  };
  // Node destroys a socket on a write error (EPIPE, ECONNRESET): what the
  // kernel had received and not yet handed over is thrown away, and that
  // is often the peer's last word (a TLS alert) before the reset our write
  // drew. So the socket does not destroy itself (autoDestroy off, done
  // here instead once both directions ended): a write error fails the
  // writable only, reading goes on to the end of what arrived, for at
  // most WRITE_FAIL_READ_MS, then the socket is destroyed.
  const rs = (socket as { _readableState?: { autoDestroy?: boolean; errored?: unknown; errorEmitted?: boolean } })._readableState;
  const ws = (socket as { _writableState?: { autoDestroy?: boolean } })._writableState;
  if (rs && ws) rs.autoDestroy = ws.autoDestroy = false;
  let readEnd = false;
  let writeEnd = false;
  let writeFailed: Error | undefined;
  const bothDone = (): void => {
    if (readEnd && (writeEnd || writeFailed)) {
      closing = true;
      socket.destroy();
    }
  };
  const onFinish = (): void => {
    writeEnd = true;
    bothDone();
  };
  const onEnd = (): void => {
    readEnd = true;
    endReadable();
    bothDone();
  };
  const onError = (err: Error): void => {
    if ((err as NodeJS.ErrnoException).syscall === 'write' && !readDone && !writeFailed) {
      writeFailed = err;
      wc.error(err);
      // Node marks both sides errored and the error emitted
      // (streams/destroy.js errorOrDestroy, emitErrorNT); a readable so
      // marked drops what is pushed, emits no 'data' and never ends. The
      // read side has not failed: its marks are cleared.
      if (rs && rs.errored === err) {
        rs.errored = null;
        rs.errorEmitted = false;
      }
      const t = setTimeout(() => {
        closing = true;
        endReadable(err);
        socket.destroy();
      }, WRITE_FAIL_READ_MS);
      t.unref?.();
      socket.once('close', () => clearTimeout(t));
      return;
    }
    fail(err);
  };
  const onClose = (): void => {
    socket.off('data', onData);
    if (!closing) {
      // Destroyed without 'end' or 'error': by someone else than us.
      const err = new Error('Node socket transport: the socket was destroyed before its end of stream');
      endReadable(err);
      wc.error(err);
    } else {
      endReadable();
    }
  };

  function fail(err: unknown): void {
    endReadable(err);
    wc.error(err);
    socket.destroy();
  }

  if (head) rc.enqueue(head);
  socket.on('data', onData);
  socket.once('end', onEnd);
  socket.once('finish', onFinish);
  socket.on('error', onError);
  socket.once('close', onClose);
  // A 'data' listener starts the flow, except on a socket paused
  // explicitly (Node keeps such a socket paused): one the caller
  // paused after its plaintext phase is resumed here, unless the
  // head already fills the queue (then the first pull resumes it).
  if (socket.isPaused()) {
    if ((rc.desiredSize ?? 0) > 0) socket.resume();
    else paused = true;
  }
  function pull(): void {
    if (held) {
      if ((rc.desiredSize ?? 0) >= readHwm) rc.error(held.err);
      return;
    }
    if (paused) {
      paused = false;
      socket.resume();
    }
  }

  const abortAll = (): void => {
    closing = true;
    endReadable(new Error('Node socket transport: closed (writable aborted)'));
    socket.destroy();
  };
  async function write(chunk: Uint8Array): Promise<void> {
    if (!(chunk instanceof Uint8Array)) {
      throw new TypeError(`Node socket transport: expected Uint8Array chunks, got ${chunk === null ? 'null' : typeof chunk}`);
    }
    if (socket.destroyed || socket.writableEnded) throw closedError();
    if (chunk.byteLength === 0) return;
    await new Promise<void>((resolve, reject) => {
      // Node calls back without an error for a write cut short by
      // destroy() (net.js onWriteComplete): that write was not accepted.
      socket.write(chunk, (err) => (err ? reject(err) : socket.destroyed ? reject(closedError()) : resolve()));
    });
  }
  async function endWrite(): Promise<void> {
    if (socket.destroyed) throw closedError();
    // TCP half-close: FIN after the buffered bytes; reading goes on.
    await new Promise<void>((resolve, reject) => {
      const onErr = (e: Error): void => {
        socket.off('finish', onFinish);
        reject(e);
      };
      const onFinish = (): void => {
        socket.off('error', onErr);
        resolve();
      };
      socket.once('finish', onFinish);
      socket.once('error', onErr);
      socket.end();
    });
  }

  // Made when first touched (see rc above).
  let streams: { readable: ReadableStream<Uint8Array>; writable: WritableStream<Uint8Array> } | undefined;
  let port: DirectPort | undefined;
  const makeStreams = (): NonNullable<typeof streams> => {
    if (streams) return streams;
    if (port) {
      // The port's taker reads and writes: the streams exist (a Transport
      // has them) but stay locked, as a reader and a writer would keep them.
      const taken = { readable: new ReadableStream<Uint8Array>(), writable: new WritableStream<Uint8Array>() };
      taken.readable.getReader();
      taken.writable.getWriter();
      streams = taken;
      return taken;
    }
    const readable = new ReadableStream<Uint8Array>(
      {
        start(c) {
          rc.forwardTo(c);
        },
        pull,
        cancel() {
          readDone = true;
          closing = true;
          wc.error(new Error('Node socket transport: closed (readable cancelled)'));
          socket.destroy();
        },
      },
      { highWaterMark: readHwm, size: (c) => c.byteLength },
    );
    const writable = new WritableStream<Uint8Array>({
      start(c) {
        wsc = c;
        if (writeErr) c.error(writeErr.e);
        // abort() is called only after an in-flight write settles; the signal
        // fires at once, so a write stalled on a peer that does not read ends.
        c.signal?.addEventListener('abort', abortAll);
      },
      write,
      close: endWrite,
      abort: abortAll,
    });
    streams = { readable, writable };
    return streams;
  };
  // Writes after a failure reject with it, as an errored WritableStream's.
  const portWrite = async (chunk: Uint8Array): Promise<void> => {
    if (writeErr) throw writeErr.e;
    try {
      await write(chunk);
    } catch (e) {
      writeErr ??= { e };
      throw writeErr.e;
    }
  };
  const portClose = async (): Promise<void> => {
    if (writeErr) throw writeErr.e;
    try {
      await endWrite();
    } catch (e) {
      writeErr ??= { e };
      throw writeErr.e;
    }
  };

  const transport: Transport & { [DIRECT_PORT]: () => DirectPort | undefined } = {
    get readable() {
      return makeStreams().readable;
    },
    get writable() {
      return makeStreams().writable;
    },
    [DIRECT_PORT]: (): DirectPort | undefined => {
      if (streams || port) return undefined;
      port = { read: () => rc.read(), write: portWrite, close: portClose };
      return port;
    },
    async close() {
      closing = true;
      endReadable();
      wc.error(closedError());
      // What write() accepted is in the kernel, which sends it before FIN.
      socket.destroy();
      await closed;
    },
  };
  return transport;
}

/** Where {@link connectTcp} connects. */
export interface ConnectTcpOptions extends TransportOptions {
  /** The host to connect to (default `'localhost'`). */
  host?: string;
  /** The TCP port. */
  port: number;
  /** Disable Nagle's algorithm (default true: TLS flights are small). */
  noDelay?: boolean;
}

/**
 * Open a TCP connection with `node:net` and wrap it; rejects with Node's
 * error (`ECONNREFUSED`, `ENOTFOUND`, ...) when it cannot connect.
 *
 * @example
 * ```ts
 * const t = await connectTcp({ host: '127.0.0.1', port: 8443 });
 * ```
 */
export function connectTcp(options: ConnectTcpOptions): Promise<Transport> {
  return new Promise((resolve, reject) => {
    const socket = netConnect({ host: options.host ?? 'localhost', port: options.port, allowHalfOpen: true });
    socket.setNoDelay(options.noDelay ?? true);
    const onError = (err: Error): void => reject(err);
    socket.once('error', onError);
    socket.once('connect', () => {
      socket.off('error', onError);
      resolve(fromNodeSocket(socket, options));
    });
  });
}
