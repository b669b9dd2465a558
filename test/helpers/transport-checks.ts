/**
 * Checks shared by the transport tests: read to a length or to the end,
 * round trips, a race against a timer, and Node-socket-backed WHATWG stream
 * pairs to build test doubles of Deno and Workers sockets.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import type { Transport } from '../../ts/adapters/types.js';

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export const random = (n: number): Uint8Array => new Uint8Array(randomBytes(n));

export const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

export function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.byteLength;
  }
  return out;
}

/** 'ok' with the value, or 'timeout' after ms. */
export async function within<T>(p: Promise<T>, ms: number): Promise<{ ok: true; value: T } | { ok: false }> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const t = new Promise<{ ok: false }>((r) => (timer = setTimeout(() => r({ ok: false }), ms)));
  const settled = p.then((value) => ({ ok: true as const, value }));
  settled.catch(() => {}); // a late rejection is observed through p by the caller
  try {
    return await Promise.race([settled, t]);
  } finally {
    clearTimeout(timer);
  }
}

/** Read until `limit` bytes (if given) or the end of stream. */
export async function readAll(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  limit = Infinity,
): Promise<{ bytes: Uint8Array; eof: boolean }> {
  const chunks: Uint8Array[] = [];
  let n = 0;
  while (n < limit) {
    const { value, done } = await reader.read();
    if (done) return { bytes: concat(chunks), eof: true };
    if (!(value instanceof Uint8Array)) throw new TypeError('readable gave a non-Uint8Array chunk');
    chunks.push(value);
    n += value.byteLength;
  }
  return { bytes: concat(chunks), eof: false };
}

/**
 * Send `data` through `t` to an echo server and read it back. With
 * `halfClose` the writable is closed after the data and the echo's end of
 * stream is awaited; without, reading stops at data.length and close()
 * ends the transport.
 */
export async function echoRoundTrip(t: Transport, data: Uint8Array, halfClose: boolean): Promise<{ bytes: Uint8Array; eof: boolean }> {
  const w = t.writable.getWriter();
  const r = t.readable.getReader();
  const reading = readAll(r, halfClose ? Infinity : data.byteLength);
  await w.write(data);
  if (halfClose) await w.close();
  const got = await reading;
  if (!halfClose) await w.close();
  await t.close();
  return got;
}

/**
 * A WHATWG stream pair over a Node socket with byte-counted backpressure
 * (Node's own Duplex.toWeb counts chunks, 16384 of them). `closeDestroys`
 * makes closing the writable destroy the socket, as Deno's `conn.writable`
 * closes the whole resource.
 */
export function webPair(
  sock: Socket,
  opts: { closeDestroys?: boolean } = {},
): {
  readable: ReadableStream<Uint8Array>;
  writable: WritableStream<Uint8Array>;
} {
  let done = false;
  const readable = new ReadableStream<Uint8Array>(
    {
      start(c) {
        sock.on('data', (d: Buffer) => {
          if (done) return;
          c.enqueue(new Uint8Array(d));
          if ((c.desiredSize ?? 0) <= 0) sock.pause();
        });
        sock.on('end', () => {
          if (!done) c.close();
          done = true;
        });
        sock.on('error', (e) => {
          done = true;
          c.error(e);
        });
        sock.on('close', () => {
          if (!done) c.error(new Error('socket closed'));
          done = true;
        });
      },
      pull() {
        if (sock.isPaused()) sock.resume();
      },
      cancel() {
        done = true;
        sock.destroy();
      },
    },
    { highWaterMark: 65536, size: (c) => c.byteLength },
  );
  const writable = new WritableStream<Uint8Array>({
    // Node calls back without an error for a write cut short by destroy().
    write: (c) =>
      new Promise<void>((res, rej) => sock.write(c, (e) => (e ? rej(e) : sock.destroyed ? rej(new Error('destroyed')) : res()))),
    close: () => {
      if (opts.closeDestroys) {
        sock.destroy();
        return;
      }
      return new Promise<void>((r) => sock.end(() => r()));
    },
    abort: () => {
      sock.destroy();
    },
  });
  return { readable, writable };
}
