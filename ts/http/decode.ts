/**
 * Content and transfer codings undone with the runtime's
 * `DecompressionStream` (gzip, deflate, and br where the runtime has it).
 * A corrupt or truncated coded body errors the stream: nothing is dropped
 * silently.
 * @module
 */

let brotli: string | null | undefined;
/** The DecompressionStream format that undoes `br` here, or null: the
 * Compression Standard names it 'brotli' (Deno has it), some runtimes
 * took 'br' first, Node 20 and Chromium have neither. Ask, don't guess. */
function brotliFormat(): string | null {
  if (brotli === undefined) {
    brotli = null;
    for (const f of ['brotli', 'br']) {
      try {
        new DecompressionStream(f as CompressionFormat);
        brotli = f;
        break;
      } catch {}
    }
  }
  return brotli;
}

/** Whether this runtime can undo a `br` content coding. */
export function brSupported(): boolean {
  return brotliFormat() !== null;
}

/** A DecompressionStream typed for our byte streams (its writable takes
 * any BufferSource; we give it Uint8Arrays). */
function decompressor(format: string): ReadableWritablePair<Uint8Array, Uint8Array> {
  return new DecompressionStream(format as CompressionFormat) as unknown as ReadableWritablePair<Uint8Array, Uint8Array>;
}

/**
 * `body` with one coding undone, started at the first read. An empty body
 * stays empty (undici and browsers give "" for an empty coded body, where
 * a DecompressionStream fed nothing fails), and `deflate` is read as
 * zlib-wrapped, as RFC 9110 8.4.1.2 says, or as raw deflate when the first
 * two bytes are not a zlib header (some servers send it; browsers accept it).
 */
function decodeOne(body: ReadableStream<Uint8Array>, coding: string): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  let inner: ReadableStreamDefaultReader<Uint8Array> | undefined;
  return new ReadableStream<Uint8Array>(
    {
      async pull(c) {
        if (!inner) {
          let head = new Uint8Array(0);
          while (head.length < 2) {
            const r = await reader.read();
            if (r.done) break;
            const h = new Uint8Array(head.length + r.value.length);
            h.set(head);
            h.set(r.value, head.length);
            head = h;
          }
          if (head.length === 0) {
            c.close();
            return;
          }
          let format = coding === 'x-gzip' ? 'gzip' : coding === 'br' ? (brotliFormat() ?? 'brotli') : coding;
          // RFC 1950 2.2: CM = 8 (deflate) and CMF*256 + FLG a multiple of 31.
          if (coding === 'deflate' && !(head.length >= 2 && (head[0] & 0x0f) === 8 && ((head[0] << 8) | head[1]) % 31 === 0)) {
            format = 'deflate-raw';
          }
          const first = head;
          const rest = new ReadableStream<Uint8Array>(
            {
              start(c2) {
                c2.enqueue(first);
              },
              async pull(c2) {
                const r = await reader.read();
                if (r.done) c2.close();
                else c2.enqueue(r.value);
              },
              cancel: (why) => reader.cancel(why),
            },
            { highWaterMark: 0 },
          );
          let ds: ReadableWritablePair<Uint8Array, Uint8Array>;
          try {
            ds = decompressor(format);
          } catch (e) {
            await reader.cancel(e).catch(() => {});
            throw new TypeError(`fetch: this runtime cannot decode ${format} (DecompressionStream)`, { cause: e });
          }
          inner = rest.pipeThrough(ds).getReader();
        }
        const r = await inner.read();
        if (r.done) c.close();
        else c.enqueue(r.value);
      },
      cancel: (why) => (inner ?? reader).cancel(why),
    },
    { highWaterMark: 0 },
  );
}

/** The codings of a Content-Encoding or Transfer-Encoding value, in the
 * order they were applied, without `identity`. */
export function codingsOf(value: string): string[] {
  return value
    .split(',')
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c !== '' && c !== 'identity');
}

/** Whether {@link decodeCodings} can undo a coding here. */
export function canDecode(coding: string): boolean {
  return coding === 'gzip' || coding === 'x-gzip' || coding === 'deflate' || (coding === 'br' && brSupported());
}

/** Undo `codings` (as applied, RFC 9110 8.4: the last applied is undone
 * first); every coding must pass {@link canDecode}. */
export function decodeCodings(body: ReadableStream<Uint8Array>, codings: readonly string[]): ReadableStream<Uint8Array> {
  let out = body;
  for (const c of [...codings].reverse()) out = decodeOne(out, c);
  return out;
}
