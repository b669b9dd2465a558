/**
 * One WebSocket piped to one TCP socket: the byte mover of the relay
 * (ts/relay/relay.ts), the CLI's `wasmtls relay` and the browser demo.
 * Internal: not an entry of its own (its signature names `ws` types, which
 * the package does not depend on).
 *
 * Bounded memory, as ws `lib/stream.js` does it: the WebSocket is paused
 * while the TCP socket cannot take more, and the TCP socket is paused
 * while more than `highWaterMark` bytes wait to go out on the WebSocket.
 * Ends map as websockify's: the target's FIN closes the WebSocket with
 * 1000, a target error with 1011 and the message; the WebSocket's close
 * ends the TCP connection.
 * @module
 */
import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';

/** How {@link pipeTunnel} maps ends and bounds memory. */
export interface PipeOptions {
  /** Bytes waiting for the WebSocket before the TCP side is paused. */
  highWaterMark: number;
  /** The close reason (code 1011) for a TCP error; printable ASCII, cut
   * to 120 bytes here (RFC 6455 5.5: a reason holds at most 123). */
  errorReason: (e: Error) => string;
  /** Bytes (both directions together) after which the tunnel is closed
   * with 1008 and `onLimit` is called. Default: no limit. */
  maxBytes?: number;
  onLimit?: () => void;
}

/** A close reason as RFC 6455 5.5 allows it: at most 123 bytes; printable
 * ASCII here, cut at 120. */
export const closeReason = (s: string): string => s.replace(/[^\x20-\x7e]/g, '?').slice(0, 120);

/**
 * Pipe one WebSocket to one TCP socket (connecting or connected), raw
 * bytes in binary messages both ways, with the bounds and the ends
 * described in the module header. Returns live byte counts.
 */
export function pipeTunnel(ws: WebSocket, sock: Socket, o: PipeOptions): { readonly up: number; readonly down: number } {
  const n = { up: 0, down: 0 };
  const max = o.maxBytes ?? Infinity;
  let limited = false;
  const overLimit = (): boolean => {
    if (n.up + n.down <= max) return false;
    if (!limited) {
      limited = true;
      o.onLimit?.();
      ws.close(1008, closeReason(`relay: byte limit (${max} bytes) reached`));
      sock.destroy();
    }
    return true;
  };
  sock.setNoDelay(true);
  // WebSocket -> TCP: stop reading the WebSocket while the socket's buffer is full.
  ws.on('message', (data: Buffer, isBinary: boolean) => {
    if (!isBinary) {
      ws.close(1003, 'relay: binary messages only');
      return;
    }
    n.up += data.length;
    if (overLimit()) return;
    if (!sock.write(data) && !ws.isPaused) {
      ws.pause();
      sock.once('drain', () => ws.resume());
    }
  });
  // TCP -> WebSocket, counting bytes not yet handed to the WebSocket's socket.
  let unsent = 0;
  sock.on('data', (d: Buffer) => {
    n.down += d.length;
    if (overLimit()) return;
    unsent += d.length;
    ws.send(d, { binary: true }, () => {
      unsent -= d.length;
      if (sock.isPaused() && unsent <= o.highWaterMark / 2) sock.resume();
    });
    if (unsent > o.highWaterMark) sock.pause();
  });
  sock.on('end', () => ws.close(1000, 'target closed'));
  sock.on('error', (e) => ws.close(1011, closeReason(o.errorReason(e))));
  ws.on('close', () => {
    sock.end();
    // A target that does not close after our FIN is released anyway.
    setTimeout(() => sock.destroy(), 2000).unref();
  });
  ws.on('error', () => sock.destroy());
  return n;
}
