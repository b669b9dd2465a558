/**
 * A `Deno.Conn` (from `Deno.connect`, `Deno.connectTls` is not needed: we
 * do TLS ourselves) as a {@link Transport}, with TCP half-close through
 * `conn.closeWrite()`.
 *
 * The adapter reads and writes with `conn.read()` / `conn.write()` where
 * the object has them (every real `Deno.Conn`), not with `conn.readable` /
 * `conn.writable`: Deno closes the whole resource when `conn.readable`
 * reaches end of stream ("BadResource: Bad resource ID" on the next write,
 * checked with deno 2.9) and when `conn.writable` is closed, which would
 * break half-close in both directions. Objects that only have the two
 * streams (a test double, another runtime's socket) are read and written
 * through them, and `closeWrite()` still ends the writing side.
 *
 * Backpressure: a read is issued only while the readable's queue is below
 * its high-water mark; `write()` resolves when Deno has written the chunk.
 *
 * @example
 * ```ts
 * import { fromDenoConn } from 'wasmtls/adapters/deno';
 * const t = fromDenoConn(await Deno.connect({ hostname: 'example.com', port: 443 }));
 * ```
 * @module
 */
import { headOf, type TakeoverOptions, type Transport } from './types.js';

export type { TakeoverOptions, Transport, TransportOptions } from './types.js';

/** The part of `Deno.Conn` this adapter uses. */
export interface DenoConnLike {
  /** The bytes the peer sends. */
  readonly readable: ReadableStream<Uint8Array>;
  /** The bytes to send. */
  readonly writable: WritableStream<Uint8Array>;
  /** Deno.Conn: read into `p`; `null` at end of stream. */
  read?(p: Uint8Array): Promise<number | null>;
  /** Deno.Conn: write some of `p`; resolves with the count written. */
  write?(p: Uint8Array): Promise<number>;
  /** Half-close: end the writing side (TCP FIN). */
  closeWrite(): Promise<void>;
  /** Close the connection. */
  close(): void;
}

/** Options of {@link fromDenoConn}. */
export interface DenoTransportOptions extends TakeoverOptions {
  /** Size of the buffer each `conn.read()` fills. Default 65536. */
  readSize?: number;
}

const ignore = (): void => {};

/**
 * Wrap a connected `Deno.Conn`; the adapter owns it from now on.
 *
 * After a plaintext phase (STARTTLS, PostgreSQL's SSLRequest) done with
 * `conn.read()` / `conn.write()`, wrap the same conn: nothing is read
 * ahead, so nothing is lost; bytes a read gave beyond that phase go in
 * `options.head`. A phase done on `conn.readable` / `conn.writable` must
 * `releaseLock()` its reader and writer first (a locked stream is a
 * TypeError saying so); a released `conn.readable` holds nothing back
 * (Deno reads only when asked).
 *
 * @example
 * ```ts
 * const t = fromDenoConn(await Deno.connect({ hostname: '127.0.0.1', port: 8443 }));
 * ```
 */
export function fromDenoConn(conn: DenoConnLike, options: DenoTransportOptions = {}): Transport {
  const readHwm = options.readableHighWaterMark ?? 65536;
  const readSize = options.readSize ?? 65536;
  const head = headOf(options, 'fromDenoConn');
  if (conn.readable.locked || conn.writable.locked) {
    throw new TypeError(
      `fromDenoConn: the conn's ${conn.readable.locked ? 'readable' : 'writable'} is locked: call releaseLock() on your reader and writer after the plaintext phase (bytes read past it go in \`head\`)`,
    );
  }

  // One read: the bytes, or null at end of stream.
  let readSome: () => Promise<Uint8Array | null>;
  let writeAll: (chunk: Uint8Array) => Promise<void>;
  let releaseStreams = ignore;
  if (typeof conn.read === 'function' && typeof conn.write === 'function') {
    const read = conn.read.bind(conn);
    const write = conn.write.bind(conn);
    let buf = new Uint8Array(readSize);
    readSome = async () => {
      const n = await read(buf);
      if (n === null) return null;
      // A small read is copied out and the buffer kept; a large one is
      // handed over as is and a new buffer made.
      if (n <= readSize >>> 2) return buf.slice(0, n);
      const out = buf.subarray(0, n);
      buf = new Uint8Array(readSize);
      return out;
    };
    writeAll = async (chunk) => {
      for (let off = 0; off < chunk.byteLength; ) off += await write(chunk.subarray(off));
    };
  } else {
    const reader = conn.readable.getReader();
    const writer = conn.writable.getWriter();
    readSome = async () => {
      const r = await reader.read();
      return r.done ? null : r.value;
    };
    writeAll = (chunk) => writer.write(chunk);
    releaseStreams = () => {
      reader.cancel().catch(ignore);
    };
  }

  let rc!: ReadableStreamDefaultController<Uint8Array>;
  let wc!: WritableStreamDefaultController;
  let readDone = false;
  let closing = false;
  let connClosed = false;

  const closeConn = (): void => {
    if (connClosed) return;
    connClosed = true;
    releaseStreams();
    try {
      conn.close();
    } catch {
      // Already closed by Deno (e.g. after an error).
    }
  };
  // An error while chunks are still queued is held back until they are
  // read: error() would drop them, and the last of them may be why the
  // peer ended (its TLS alert, before the reset that followed).
  let held: { err: unknown } | undefined;
  const endReadable = (err?: unknown): void => {
    if (readDone) return;
    readDone = true;
    if (err === undefined) rc.close();
    else if ((rc.desiredSize ?? readHwm) < readHwm) held = { err };
    else rc.error(err);
  };
  const fail = (err: unknown): void => {
    endReadable(err);
    wc.error(err);
    closeConn();
  };
  // Called from the writable's abort too, where erroring it is abort's job.
  const tearDown = (why: string): void => {
    closing = true;
    const err = new Error(`Deno.Conn transport: closed (${why})`);
    endReadable(err);
    if (why !== 'writable aborted') wc.error(err);
    closeConn();
  };

  const readable = new ReadableStream<Uint8Array>(
    {
      start(c) {
        rc = c;
        if (head) c.enqueue(head);
      },
      async pull(c) {
        if (held) {
          if ((c.desiredSize ?? 0) >= readHwm) c.error(held.err);
          return;
        }
        for (;;) {
          let bytes: Uint8Array | null;
          try {
            bytes = await readSome();
          } catch (e) {
            // Our own close() interrupts a pending read: that is the end.
            if (closing || connClosed) endReadable();
            else fail(e);
            return;
          }
          if (readDone) return;
          if (bytes === null) return endReadable();
          if (bytes.byteLength === 0) continue;
          c.enqueue(bytes);
          return;
        }
      },
      cancel() {
        readDone = true;
        tearDown('readable cancelled');
      },
    },
    { highWaterMark: readHwm, size: (c) => c.byteLength },
  );

  const writable = new WritableStream<Uint8Array>({
    start(c) {
      wc = c;
      // abort() is called only after an in-flight write settles; the signal
      // fires at once, so a write stalled on a peer that does not read ends.
      c.signal?.addEventListener('abort', () => tearDown('writable aborted'));
    },
    async write(chunk) {
      if (!(chunk instanceof Uint8Array)) {
        throw new TypeError(`Deno.Conn transport: expected Uint8Array chunks, got ${chunk === null ? 'null' : typeof chunk}`);
      }
      if (connClosed) throw new Error('Deno.Conn transport: closed');
      if (chunk.byteLength === 0) return;
      try {
        await writeAll(chunk);
      } catch (e) {
        if (!closing) fail(e);
        throw e;
      }
    },
    async close() {
      // TCP half-close: FIN, reading goes on.
      await conn.closeWrite();
    },
    abort() {
      tearDown('writable aborted');
    },
  });

  return {
    readable,
    writable,
    async close() {
      closing = true;
      endReadable();
      wc.error(new Error('Deno.Conn transport: closed'));
      closeConn(); // a write still pending was not accepted: it fails
    },
  };
}
