/**
 * A transport's bytes without WHATWG streams in between (issue #16, "WHATWG
 * streams and the connect() driver 15 %: 4 stream objects and 114 promises
 * per connection"). An adapter that reads events from its source (a Node
 * socket's `'data'`) can offer the TLS driver a {@link DirectPort}: a
 * reader and a writer with the same results and failures as its streams'
 * `getReader()` / `getWriter()` would give, but none of the stream
 * machinery (controllers, queues, an AbortSignal, the promises of a
 * write's trip through the WritableStream's queue). The adapter's
 * `readable` and `writable` are then made only if someone touches them;
 * whoever takes the port owns the transport's bytes, as a reader and a
 * writer locking the streams would.
 *
 * Nothing here knows about sockets: {@link ByteQueue} is the readable
 * side's queue, with a ReadableStream controller's surface, so an adapter
 * keeps one code path whether its consumer is the port or a stream.
 * @module
 */
import type { Transport } from './types.js';

/** The reader and writer half of a transport, taken once. */
export interface DirectPort {
  /** As ReadableStreamDefaultReader.read(). */
  read(): Promise<ReadableStreamReadResult<Uint8Array>>;
  /** As WritableStreamDefaultWriter.write(): resolves once the transport took the chunk. */
  write(chunk: Uint8Array): Promise<void>;
  /** As WritableStreamDefaultWriter.close(): our end of stream (half-close). */
  close(): Promise<void>;
}

/** The key under which an adapter offers its port: a function giving the
 * port, or undefined once the transport's streams were touched (their
 * owner reads and writes through them then). */
export const DIRECT_PORT: unique symbol = Symbol('wasmtls.directPort');

interface WithPort {
  [DIRECT_PORT]?: () => DirectPort | undefined;
}

/** Whether `t` offers a port (without touching its streams). */
export function offersPort(t: object): boolean {
  return typeof (t as WithPort)[DIRECT_PORT] === 'function';
}

/** Take `t`'s port, if it has one still free. */
export function takePort(t: Transport): DirectPort | undefined {
  return (t as WithPort)[DIRECT_PORT]?.();
}

/**
 * The readable side's queue: chunks counted by bytes against a high-water
 * mark, then its end or its error, with the surface of a
 * ReadableStreamDefaultController (`enqueue`, `close`, `error`,
 * `desiredSize`) for the adapter and `read()` for the consumer. `pull` is
 * called as a ReadableStream calls its source's pull: when a read took a
 * chunk and there is room again, or found the queue empty.
 */
export class ByteQueue {
  private readonly chunks: Uint8Array[] = [];
  private head = 0;
  private bytes = 0;
  private state: 'open' | 'closed' | 'errored' = 'open';
  private err: unknown;
  /** Reads waiting on an empty queue, oldest first: a reader may have
   * several pending (the TLS driver's feed and its linger or explain). */
  private readonly waiters: { resolve: (r: ReadableStreamReadResult<Uint8Array>) => void; reject: (e: unknown) => void }[] = [];

  /** A ReadableStream's controller that took over (see forwardTo). */
  private to: ReadableStreamDefaultController<Uint8Array> | undefined;

  constructor(
    private readonly hwm: number,
    private readonly pull: () => void,
  ) {}

  /**
   * Hand everything to a ReadableStream's controller from now on: what is
   * queued is enqueued there, then its end or error, and each later call
   * goes straight to it (an adapter's stream made after bytes arrived).
   * Call it from the stream's `start`, whose `pull` is then the adapter's.
   */
  forwardTo(c: ReadableStreamDefaultController<Uint8Array>): void {
    for (let i = this.head; i < this.chunks.length; i++) c.enqueue(this.chunks[i]);
    this.chunks.length = this.head = this.bytes = 0;
    if (this.state === 'closed') c.close();
    else if (this.state === 'errored') c.error(this.err);
    this.to = c;
  }

  /** As a controller's: null once errored, 0 once closed and drained
   * (until then a closed stream still counts what it holds). */
  get desiredSize(): number | null {
    if (this.to) return this.to.desiredSize;
    if (this.state === 'errored') return null;
    if (this.state === 'closed' && this.bytes === 0) return 0;
    return this.hwm - this.bytes;
  }

  enqueue(chunk: Uint8Array): void {
    if (this.to) {
      this.to.enqueue(chunk);
      return;
    }
    if (this.state !== 'open') throw new TypeError('ByteQueue: enqueue after the end');
    const w = this.waiters.shift();
    if (w) {
      w.resolve({ done: false, value: chunk });
      return;
    }
    this.chunks.push(chunk);
    this.bytes += chunk.byteLength;
  }

  /** The end of the bytes: reads give what is queued, then done. */
  close(): void {
    if (this.to) {
      this.to.close();
      return;
    }
    if (this.state !== 'open') throw new TypeError('ByteQueue: already ended');
    this.state = 'closed';
    // Reads wait only on an empty queue: each is done now.
    for (const w of this.waiters.splice(0)) w.resolve({ done: true, value: undefined });
  }

  /** Fail: what is queued is dropped (as ReadableStreamDefaultController.error). */
  error(e: unknown): void {
    if (this.to) {
      this.to.error(e);
      return;
    }
    if (this.state === 'errored') return;
    this.state = 'errored';
    this.err = e;
    this.chunks.length = this.head = this.bytes = 0;
    for (const w of this.waiters.splice(0)) w.reject(e);
  }

  read(): Promise<ReadableStreamReadResult<Uint8Array>> {
    if (this.state === 'errored') return Promise.reject(this.err);
    if (this.head < this.chunks.length) {
      const value = this.chunks[this.head];
      this.chunks[this.head++] = EMPTY;
      if (this.head === this.chunks.length) this.chunks.length = this.head = 0;
      this.bytes -= value.byteLength;
      if (this.state === 'open' && this.bytes < this.hwm) this.pull();
      return Promise.resolve({ done: false, value });
    }
    if (this.state === 'closed') return Promise.resolve({ done: true, value: undefined });
    const p = new Promise<ReadableStreamReadResult<Uint8Array>>((resolve, reject) => {
      this.waiters.push({ resolve, reject });
    });
    this.pull();
    return p;
  }
}

const EMPTY = new Uint8Array(0);
