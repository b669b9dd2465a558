/**
 * Any `{ readable, writable }` pair of WHATWG byte streams as a
 * {@link Transport}: a `TransformStream` pair in tests, a WebSocketStream's
 * streams, a socket some other library already exposes as streams.
 *
 * The adapter locks both streams and puts its own in front, so it can keep
 * the common close semantics: closing the writable closes the pair's
 * writable (its end of stream, the half-close of a stream pair); `close()`
 * closes the pair's writable (or aborts it when a write is still pending),
 * cancels its readable and calls the optional `close` hook; cancel and
 * abort cancel and abort both sides and call the hook. Backpressure comes
 * from the pair: a read is issued only while the readable's queue is below
 * its high-water mark, and `write()` resolves when the pair's writable has
 * written the chunk.
 *
 * @example
 * ```ts
 * import { fromStreams } from 'wasmtls/adapters/streams';
 * const { readable, writable } = someSocket;
 * const t = fromStreams({ readable, writable }, { close: () => someSocket.close() });
 * ```
 * @module
 */
import { headOf, type TakeoverOptions, type Transport } from './types.js';

export type { TakeoverOptions, Transport, TransportOptions } from './types.js';

/** A readable and a writable byte stream that together form a connection. */
export interface StreamPair {
  /** The bytes the peer sends. */
  readable: ReadableStream<Uint8Array>;
  /** The bytes to send. */
  writable: WritableStream<Uint8Array>;
}

/** Options of {@link fromStreams}. */
export interface StreamsTransportOptions extends TakeoverOptions {
  /** Called once by `close()`, cancel or abort, after the streams are done with. */
  close?: () => void | Promise<void>;
}

const ignore = (): void => {};

/**
 * Wrap a stream pair; both are locked by the adapter from now on. A pair
 * the caller has used for a plaintext phase is taken over once the
 * caller released its reader and writer (`releaseLock()`; a locked
 * stream is a TypeError saying so); bytes its last read gave beyond that
 * phase go in `options.head` and come first.
 *
 * @example
 * ```ts
 * const a = new TransformStream<Uint8Array, Uint8Array>();
 * const b = new TransformStream<Uint8Array, Uint8Array>();
 * const left = fromStreams({ readable: a.readable, writable: b.writable });   // in-memory pipe:
 * const right = fromStreams({ readable: b.readable, writable: a.writable });  // left <-> right
 * ```
 */
export function fromStreams(pair: StreamPair, options: StreamsTransportOptions = {}): Transport {
  const readHwm = options.readableHighWaterMark ?? 65536;
  const head = headOf(options, 'fromStreams');
  if (pair.readable.locked || pair.writable.locked) {
    throw new TypeError(
      `fromStreams: the ${pair.readable.locked ? 'readable' : 'writable'} is locked: call releaseLock() on your reader and writer after the plaintext phase (bytes read past it go in \`head\`)`,
    );
  }
  const reader = pair.readable.getReader();
  const writer = pair.writable.getWriter();

  let rc!: ReadableStreamDefaultController<Uint8Array>;
  let wc!: WritableStreamDefaultController;
  let readDone = false;
  let closing = false;
  let writing = false; // a write is in flight
  let hookCalled: Promise<void> | undefined;
  const hook = (): Promise<void> =>
    (hookCalled ??= (async () => {
      try {
        await options.close?.();
      } catch {
        // close() never rejects; the pair already failed or is gone.
      }
    })());

  // Rejects once the transport is closed, cancelled, aborted or failed: a
  // write (or half-close) stuck on a pair that no longer takes bytes (a
  // peer that does not read) then rejects, as close() promises ("pending
  // and later writes reject"), instead of holding its caller, and the TLS
  // connection above it, for ever (issue #15).
  let stop!: (err: unknown) => void;
  const stopped = new Promise<never>((_, reject) => {
    stop = reject;
  });
  stopped.catch(ignore);
  const unlessStopped = <T>(p: Promise<T>): Promise<T> => Promise.race([p, stopped]);

  // An error while chunks are still queued is held back until they are
  // read: error() would drop them, and the last of them may be why the
  // peer ended (its TLS alert).
  let held: { err: unknown } | undefined;
  const endReadable = (err?: unknown): void => {
    if (readDone) return;
    readDone = true;
    if (err === undefined) rc.close();
    else if ((rc.desiredSize ?? readHwm) < readHwm) held = { err };
    else rc.error(err);
  };
  const fail = (err: unknown): void => {
    stop(err);
    endReadable(err);
    wc.error(err);
    reader.cancel(err).catch(ignore);
    writer.abort(err).catch(ignore);
    void hook();
  };
  // Called from the writable's abort too, where erroring it is abort's job.
  const tearDown = (why: string): void => {
    closing = true;
    const err = new Error(`stream transport: closed (${why})`);
    stop(err);
    endReadable(err);
    if (why !== 'writable aborted') wc.error(err);
    reader.cancel(err).catch(ignore);
    writer.abort(err).catch(ignore);
    void hook();
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
          if (!(r.value instanceof Uint8Array)) {
            return fail(new TypeError(`stream transport: the readable gave a ${typeof r.value}, Uint8Array expected`));
          }
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
      // A pair that fails on its own fails both sides.
      writer.closed.catch((e: unknown) => {
        if (!closing) fail(e);
      });
    },
    async write(chunk) {
      if (!(chunk instanceof Uint8Array)) {
        throw new TypeError(`stream transport: expected Uint8Array chunks, got ${chunk === null ? 'null' : typeof chunk}`);
      }
      if (chunk.byteLength === 0) return;
      writing = true;
      try {
        await unlessStopped(writer.write(chunk));
      } finally {
        writing = false;
      }
    },
    async close() {
      await unlessStopped(writer.close());
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
      const err = new Error('stream transport: closed');
      stop(err);
      wc.error(err);
      // Nothing pending: an orderly end of the pair's writable; else abort.
      (writing ? writer.abort(err) : writer.close()).catch(ignore);
      reader.cancel().catch(ignore);
      await hook();
    },
  };
}
