/**
 * A raw WebSocket tunnel as a {@link Transport}, websockify style: each
 * binary message carries raw TCP bytes, in both directions; the relay at
 * the other end (websockify, or test/helpers/relay.ts) pipes them to one TCP
 * connection. Works with any WHATWG-like WebSocket: the browser's, Deno's,
 * Workers', undici's, or the npm `ws` client in Node.
 *
 * Backpressure: the WHATWG WebSocket has none, only `bufferedAmount`. A
 * write sends its chunk (in messages of at most `maxMessageSize` bytes) and
 * resolves once `bufferedAmount` is at or below `highWaterMark`, polling
 * every `pollInterval` ms until it is. Reading can be paused only where the
 * object offers it (npm `ws`: `pause()` / `resume()`, as ws
 * `lib/stream.js` does); elsewhere incoming messages queue in the readable.
 *
 * End of stream: a close with code 1000 (normal) or 1005 (no code) ends the
 * readable; any other close errors it with the code and reason. A WebSocket
 * cannot half-close: closing the writable waits until `bufferedAmount` is 0
 * and leaves the tunnel open for reading; `close()` starts the WebSocket's
 * closing handshake and returns without waiting for the peer.
 *
 * @example
 * ```ts
 * import { fromWebSocket } from 'wasmtls/adapters/websocket';
 * const t = fromWebSocket(new WebSocket('wss://relay.example/example.com:443'));
 * const w = t.writable.getWriter();
 * await w.write(bytes);              // waits for the socket to open
 * ```
 * @module
 */
import type { Transport, TransportOptions } from './types.js';

export type { Transport, TransportOptions } from './types.js';

/** The part of a WHATWG WebSocket this adapter uses (npm `ws` fits too). */
export interface WebSocketLike {
  /** Set to `'arraybuffer'` by the adapter. */
  binaryType: string;
  /** 0 connecting, 1 open, 2 closing, 3 closed (WHATWG numbering). */
  readonly readyState: number;
  /** Bytes queued by `send()` and not yet sent (write backpressure). */
  readonly bufferedAmount: number;
  /** Send one binary message. */
  send(data: Uint8Array): void;
  /** Close the WebSocket. */
  close(code?: number, reason?: string): void;
  /** Listen for `'open'`, `'message'`, `'close'` and `'error'`. */
  // biome-ignore lint/suspicious/noExplicitAny: the DOM's and npm ws's event types both fit only `any` here
  addEventListener(type: string, listener: (ev: any) => void): void;
  /** Remove a listener added by `addEventListener`. */
  // biome-ignore lint/suspicious/noExplicitAny: as addEventListener
  removeEventListener(type: string, listener: (ev: any) => void): void;
  /** npm `ws` only: stop reading from the socket. */
  pause?(): void;
  /** npm `ws` only: read again. */
  resume?(): void;
}

/** Options of {@link fromWebSocket}. */
export interface WebSocketTransportOptions extends TransportOptions {
  /** `write()` waits while `bufferedAmount` is above this. Default 1 MiB. */
  highWaterMark?: number;
  /** Larger chunks go out in messages of this size. Default 64 KiB. */
  maxMessageSize?: number;
  /** Milliseconds between `bufferedAmount` checks while waiting. Default 4. */
  pollInterval?: number;
}

const CONNECTING = 0;
const OPEN = 1;
const CLOSED = 3;

/** Bytes of a binary message (ArrayBuffer, or a view from `ws`'s
 * 'nodebuffer' binaryType); undefined for text and Blob. */
function messageBytes(data: unknown): Uint8Array | undefined {
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return undefined;
}

/**
 * Wrap a WebSocket (connecting or open) as a byte transport. Sets
 * `binaryType = 'arraybuffer'`. Writes wait for the socket to open; a
 * socket that fails to open errors both streams.
 *
 * @example
 * ```ts
 * const t = fromWebSocket(new WebSocket('wss://relay.example/example.com:443'));
 * for await (const bytes of t.readable) handle(bytes);
 * ```
 */
export function fromWebSocket(ws: WebSocketLike, options: WebSocketTransportOptions = {}): Transport {
  const hwm = options.highWaterMark ?? 1 << 20;
  const maxMsg = options.maxMessageSize ?? 1 << 16;
  const poll = options.pollInterval ?? 4;
  const readHwm = options.readableHighWaterMark ?? 65536;
  if (!(maxMsg > 0)) throw new RangeError('WebSocket transport: maxMessageSize must be positive');
  ws.binaryType = 'arraybuffer';

  let rc!: ReadableStreamDefaultController<Uint8Array>;
  let wc!: WritableStreamDefaultController;
  let readDone = false;
  let closing = false; // close(), cancel or abort by our side
  let paused = false;
  let errorText = ''; // from an 'error' event, reported with the close
  let failure: Error | undefined; // why writes fail from now on

  let markOpen!: () => void;
  let failOpen!: (e: Error) => void;
  const opened = new Promise<void>((resolve, reject) => {
    markOpen = resolve;
    failOpen = reject;
  });
  opened.catch(() => {});
  if (ws.readyState === OPEN) markOpen();

  // An error while chunks are still queued is held back until they are
  // read: error() would drop them, and the last of them may be why the
  // peer ended (its TLS alert).
  let held: { err: Error } | undefined;
  const endReadable = (err?: Error): void => {
    if (readDone) return;
    readDone = true;
    if (err === undefined) rc.close();
    else if ((rc.desiredSize ?? readHwm) < readHwm) held = { err };
    else rc.error(err);
  };
  const stopWrites = (err: Error): void => {
    failure ??= err;
    wc.error(err);
  };
  const shut = (): void => {
    if (ws.readyState === CONNECTING || ws.readyState === OPEN) ws.close(1000);
  };

  const onOpen = (): void => markOpen();
  const onMessage = (ev: { data: unknown }): void => {
    if (readDone) return;
    const bytes = messageBytes(ev.data);
    if (bytes === undefined) {
      const err = new TypeError(
        `WebSocket transport: got a ${typeof ev.data === 'string' ? 'text' : 'non-binary'} message; a tunnel carries bytes in binary messages`,
      );
      endReadable(err);
      stopWrites(err);
      closing = true;
      shut();
      return;
    }
    if (bytes.byteLength === 0) return;
    rc.enqueue(bytes);
    if ((rc.desiredSize ?? 0) <= 0 && ws.pause && !paused) {
      paused = true;
      ws.pause();
    }
  };
  const onError = (ev: { message?: string; error?: unknown }): void => {
    // Browsers give no detail; `ws` gives the cause.
    errorText = ev.message ?? (ev.error instanceof Error ? ev.error.message : '');
  };
  const onClose = (ev: { code?: number; reason?: string }): void => {
    ws.removeEventListener('open', onOpen);
    ws.removeEventListener('message', onMessage);
    ws.removeEventListener('error', onError);
    ws.removeEventListener('close', onClose);
    const code = ev.code ?? 1005;
    const detail = `${ev.reason ? `: ${ev.reason}` : ''}${errorText ? ` (${errorText})` : ''}`;
    let err: Error | undefined;
    if (!closing && code !== 1000 && code !== 1005) {
      err = new Error(`WebSocket transport: closed with code ${code}${detail}`);
    }
    failOpen(new Error(`WebSocket transport: the WebSocket closed before it opened (code ${code}${detail})`));
    endReadable(err);
    stopWrites(err ?? new Error(`WebSocket transport: closed${closing ? '' : ' by the peer'} (code ${code}${detail})`));
  };
  ws.addEventListener('open', onOpen);
  ws.addEventListener('message', onMessage);
  ws.addEventListener('error', onError);
  ws.addEventListener('close', onClose);
  if (ws.readyState === CLOSED) queueMicrotask(() => onClose({ code: 1006, reason: 'the WebSocket was already closed' }));

  // Resolves once `bufferedAmount <= limit`; rejects when the socket goes.
  const drained = (limit: number): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      const tick = (): void => {
        if (failure) reject(failure);
        else if (ws.readyState !== OPEN) reject(new Error('WebSocket transport: closed'));
        else if (ws.bufferedAmount <= limit) resolve();
        else setTimeout(tick, poll);
      };
      tick();
    });

  const readable = new ReadableStream<Uint8Array>(
    {
      start(c) {
        rc = c;
      },
      pull() {
        if (held) {
          if ((rc.desiredSize ?? 0) >= readHwm) rc.error(held.err);
          return;
        }
        if (paused) {
          paused = false;
          ws.resume?.();
        }
      },
      cancel() {
        readDone = true;
        closing = true;
        stopWrites(new Error('WebSocket transport: closed (readable cancelled)'));
        shut();
      },
    },
    { highWaterMark: readHwm, size: (c) => c.byteLength },
  );

  const abortAll = (): void => {
    closing = true;
    const err = new Error('WebSocket transport: closed (writable aborted)');
    failure ??= err;
    endReadable(err);
    shut();
  };
  const writable = new WritableStream<Uint8Array>({
    start(c) {
      wc = c;
      // abort() is called only after an in-flight write settles; the signal
      // fires at once, so a write stalled on a peer that does not read ends.
      c.signal?.addEventListener('abort', abortAll);
    },
    async write(chunk) {
      if (!(chunk instanceof Uint8Array)) {
        throw new TypeError(`WebSocket transport: expected Uint8Array chunks, got ${chunk === null ? 'null' : typeof chunk}`);
      }
      await opened;
      for (let off = 0; off < chunk.byteLength; off += maxMsg) {
        if (failure) throw failure;
        if (ws.readyState !== OPEN) throw new Error('WebSocket transport: closed');
        ws.send(chunk.subarray(off, off + maxMsg));
        if (ws.bufferedAmount > hwm) await drained(hwm);
      }
    },
    async close() {
      // No half-close in a WebSocket: let the bytes leave, keep reading.
      await opened;
      await drained(0);
    },
    abort: abortAll,
  });

  return {
    readable,
    writable,
    async close() {
      closing = true;
      endReadable();
      stopWrites(new Error('WebSocket transport: closed'));
      shut(); // the close frame follows the queued messages
    },
  };
}
