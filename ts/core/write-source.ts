/**
 * What a write is made of, for the SSL object: the identity of a caller's
 * buffer (SSL_write(3) retries must pass the same one) and the sources
 * `Connection.sendStream` reads from. No wasm here.
 * @module
 */

// ---- buffer identity for write retries ------------------------------------------

// SSL_write(3): a retry must pass the same buffer; the C engine compares a
// token naming the caller's buffer object. Each distinct object gets one.
const tokens = /* @__PURE__ */ new WeakMap<object, number>();
let nextToken = 1;
export function tokenOf(o: object): number {
  let t = tokens.get(o);
  if (t === undefined) {
    t = nextToken;
    nextToken = nextToken >= 0xffffffff ? 1 : nextToken + 1;
    tokens.set(o, t);
  }
  return t;
}

// ---- sources of sendStream ----------------------------------------------------

/** What {@link Connection.sendStream} reads from. */
export type ByteSource = ReadableStream<Uint8Array> | Blob | AsyncIterable<Uint8Array> | Iterable<Uint8Array>;

export interface Pull {
  next(): Promise<IteratorResult<unknown>>;
  cancel(): void;
}

export function pullFrom(src: ByteSource): Pull {
  if (typeof Blob === 'function' && src instanceof Blob) src = src.stream() as ReadableStream<Uint8Array>;
  if (typeof ReadableStream === 'function' && src instanceof ReadableStream) {
    const r = src.getReader();
    return {
      next: () => r.read() as Promise<IteratorResult<unknown>>,
      cancel: () => void r.cancel().catch(() => {}),
    };
  }
  const s = src as Partial<AsyncIterable<Uint8Array> & Iterable<Uint8Array>>;
  if (typeof s[Symbol.asyncIterator] === 'function') {
    const it = s[Symbol.asyncIterator]!();
    return { next: () => it.next(), cancel: () => void it.return?.()?.catch?.(() => {}) };
  }
  if (typeof s[Symbol.iterator] === 'function') {
    const it = s[Symbol.iterator]!();
    return { next: async () => it.next(), cancel: () => void it.return?.() };
  }
  throw new TypeError('sendStream: expected a ReadableStream, Blob, async iterable or iterable of Uint8Array');
}

export interface StreamState {
  source: object;
  pull: Pull;
  token: number;
  off: number; // bytes of the current chunk written
  len: number; // current chunk length (0: none)
  total: number; // bytes written from the source so far
  running: boolean;
}
