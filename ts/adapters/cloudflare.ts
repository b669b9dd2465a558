/**
 * A Cloudflare Workers socket (`connect()` from `cloudflare:sockets`, also
 * workerd) as a {@link Transport}. Plain TCP: open it with
 * `secureTransport: 'off'` (the default) and never call `startTls()`; the
 * TLS runs in our engine over these bytes. Open it with
 * `allowHalfOpen: true` to keep TLS half-close: otherwise Workers close the
 * writable side as soon as the readable side ends.
 *
 * The socket's `opened` and `closed` promises carry connection errors
 * (refused, reset) to both streams. `write()` resolves when the socket's
 * writable has written the chunk; closing the writable closes the socket's
 * writable (FIN); `close()` calls `socket.close()`.
 *
 * @example
 * ```ts
 * import { connect } from 'cloudflare:sockets';
 * import { fromWorkersSocket } from 'wasmtls/adapters/cloudflare';
 * const t = fromWorkersSocket(connect({ hostname: 'example.com', port: 443 }, { allowHalfOpen: true }));
 * ```
 * @module
 */
import { headOf, type TakeoverOptions, type Transport } from './types.js';

export type { TakeoverOptions, Transport, TransportOptions } from './types.js';

/** The part of a Workers `Socket` this adapter uses. */
export interface WorkersSocketLike {
  /** The bytes the peer sends. */
  readonly readable: ReadableStream<Uint8Array>;
  /** The bytes to send. */
  readonly writable: WritableStream<Uint8Array>;
  /** Resolves once connected; rejects when the connection fails. */
  readonly opened?: Promise<unknown>;
  /** Settles when the socket is closed. */
  readonly closed: Promise<void>;
  /** Close both directions. */
  close(): Promise<void> | void;
}

const ignore = (): void => {};

/**
 * Wrap a Workers socket; the adapter owns it from now on.
 *
 * STARTTLS with our engine, where `socket.startTls()` cannot be used (it
 * takes no CA of our own and no client certificate): do the plaintext
 * phase on the socket's streams, `releaseLock()` the reader and writer
 * (a locked stream is a TypeError saying so), then wrap it here, with
 * bytes the last read gave beyond that phase in `options.head`.
 *
 * @example
 * ```ts
 * const t = fromWorkersSocket(connect('example.com:443', { allowHalfOpen: true }));
 * ```
 */
export function fromWorkersSocket(socket: WorkersSocketLike, options: TakeoverOptions = {}): Transport {
  const readHwm = options.readableHighWaterMark ?? 65536;
  const head = headOf(options, 'fromWorkersSocket');
  if (socket.readable.locked || socket.writable.locked) {
    throw new TypeError(
      `fromWorkersSocket: the socket's ${socket.readable.locked ? 'readable' : 'writable'} is locked: call releaseLock() on your reader and writer after the plaintext phase (bytes read past it go in \`head\`)`,
    );
  }
  const reader = socket.readable.getReader();
  const writer = socket.writable.getWriter();

  let rc!: ReadableStreamDefaultController<Uint8Array>;
  let wc!: WritableStreamDefaultController;
  let readDone = false;
  let closing = false;
  let socketClosed: Promise<void> | undefined;
  const closeSocket = (): Promise<void> =>
    (socketClosed ??= (async () => {
      try {
        await socket.close();
      } catch {
        // Already closed or failed.
      }
    })());

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
    const e = err instanceof Error ? err : new Error(`Workers socket transport: ${String(err)}`);
    endReadable(e);
    wc.error(e);
    void closeSocket();
  };
  // Called from the writable's abort too, where erroring it is abort's job.
  const tearDown = (why: string): void => {
    closing = true;
    const err = new Error(`Workers socket transport: closed (${why})`);
    endReadable(err);
    if (why !== 'writable aborted') wc.error(err);
    reader.cancel(err).catch(ignore);
    writer.abort(err).catch(ignore);
    void closeSocket();
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
          let r: ReadableStreamReadResult<Uint8Array>;
          try {
            r = await reader.read();
          } catch (e) {
            if (closing) endReadable();
            else fail(e);
            return;
          }
          if (readDone) return;
          if (r.done) return endReadable();
          if (r.value.byteLength === 0) continue;
          c.enqueue(r.value);
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
      socket.opened?.catch((e: unknown) => {
        if (!closing) fail(e);
      });
      socket.closed.catch((e: unknown) => {
        if (!closing) fail(e);
      });
    },
    async write(chunk) {
      if (!(chunk instanceof Uint8Array)) {
        throw new TypeError(`Workers socket transport: expected Uint8Array chunks, got ${chunk === null ? 'null' : typeof chunk}`);
      }
      if (chunk.byteLength === 0) return;
      await writer.write(chunk);
    },
    async close() {
      await writer.close(); // FIN; reading goes on with allowHalfOpen
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
      wc.error(new Error('Workers socket transport: closed'));
      reader.cancel().catch(ignore);
      await closeSocket();
    },
  };
}
