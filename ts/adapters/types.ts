/**
 * The one shape every transport adapter returns: a byte stream in each
 * direction plus `close()`. The TLS layer is written against this shape
 * only, so it runs unchanged over a WebSocket tunnel, a Wisp stream, a Node
 * socket, a `Deno.Conn`, a Workers socket or any WHATWG stream pair.
 *
 * Adapters move bytes and apply backpressure, nothing else (after ws
 * `lib/stream.js` and undici's `WebSocketStream`). This module holds the
 * types and the check of the options they share: no adapter imports
 * another, and none imports the TLS code.
 * @module
 */

/**
 * A bidirectional byte transport.
 *
 * Semantics every adapter keeps:
 *
 * - `readable` is pull-based: when its queue reaches the high-water mark the
 *   adapter pauses its source (socket `pause()`, WebSocket `pause()` where
 *   the object has one, no read issued on a `Deno.Conn` or stream pair) and
 *   resumes on the next pull. It closes at the transport's end of stream and
 *   errors, with a message naming the transport, when the transport fails;
 *   the error comes after the chunks that arrived before it (they often say
 *   why: a TLS alert before the reset). Cancelling it closes the transport.
 * - `writable.write(chunk)` takes `Uint8Array`s only and resolves once the
 *   transport took the chunk: handed to the kernel (Node, Deno), written to
 *   the Workers socket or stream pair, sent on a WebSocket whose
 *   `bufferedAmount` is below the adapter's mark, sent on a Wisp stream
 *   that had credit. The chunk belongs to the transport from then on: do
 *   not modify it. `writable.close()` is the orderly end: it waits for the
 *   bytes to leave and half-closes where the transport can (TCP FIN through
 *   `end()` / `closeWrite()` / the Workers writable); where it cannot
 *   (WebSocket tunnel, Wisp v1) it sends nothing more and the transport
 *   stays open for reading. Aborting it closes the transport.
 * - `close()` closes both directions now, without waiting for the peer: the
 *   readable ends (chunks already queued stay readable), pending and later
 *   writes reject, and the transport is closed (socket destroyed, conn
 *   closed, WebSocket close frame queued after its messages, Wisp CLOSE
 *   sent). Bytes whose `write()` resolved are still delivered by the
 *   transport itself (a TCP socket's kernel buffer is sent before its FIN),
 *   though a TCP socket closed with unread incoming bytes is reset by the
 *   kernel: for an orderly end close the writable, read to the end, then
 *   call `close()`. Resolves once closed; never rejects.
 */
export interface Transport {
  /** Bytes from the peer. */
  readonly readable: ReadableStream<Uint8Array>;
  /** Bytes to the peer. */
  readonly writable: WritableStream<Uint8Array>;
  /** Close both directions; see {@link Transport}. */
  close(): Promise<void>;
}

/** Options every adapter accepts. */
export interface TransportOptions {
  /**
   * Bytes the readable queues before the adapter pauses its source.
   * Default 65536.
   */
  readableHighWaterMark?: number;
}

/**
 * Options of the adapters that can take over a byte stream the caller has
 * already used (a Node socket, a `Deno.Conn`, a Workers socket, a stream
 * pair): the upgrade after a plaintext phase.
 */
export interface TakeoverOptions extends TransportOptions {
  /**
   * Bytes the caller already read from the transport and that belong to
   * what follows (Node's `head` of an `'upgrade'` event): the readable
   * gives them first, then what the transport still holds, each byte once.
   * For a socket whose plaintext phase was done by the caller (STARTTLS,
   * PostgreSQL's SSLRequest) and whose last read went past that phase, or
   * for a server that read the first bytes to tell TLS (0x16) from
   * plaintext. The chunk belongs to the transport from then on.
   *
   * Never keep such bytes for the protocol above TLS: bytes that arrived
   * before the handshake were not protected, and reading them as if they
   * came through TLS is the STARTTLS injection flaw (CVE-2011-0411,
   * libpq's CVE-2021-23222). Given here they go to the TLS engine, where
   * forged bytes can only fail the handshake. A client that finds bytes
   * after the server's go-ahead ('S', `220`) had better refuse them, as
   * libpq does: a TLS server speaks only after the ClientHello.
   */
  head?: Uint8Array;
}

/** The `head` option checked: a Uint8Array or nothing. */
export function headOf(options: TakeoverOptions, who: string): Uint8Array | undefined {
  const h = options.head;
  if (h === undefined) return undefined;
  if (!(h instanceof Uint8Array)) {
    throw new TypeError(
      `${who}: \`head\` must be a Uint8Array (bytes already read from the transport), got ${h === null ? 'null' : typeof h}`,
    );
  }
  return h.byteLength > 0 ? h : undefined;
}
