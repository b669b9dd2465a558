/**
 * The network side of the BIO pair: ciphertext out of and into one
 * connection's buffers in wasm memory. Bytes only; the connection gives
 * it the few handles it needs (its buffers come and go with
 * RELEASE_BUFFERS).
 * @module
 */
import { abytes, aint } from './bytes.js';
import { TLSError } from './errors.js';
import type { Wasm } from './loader.js';

/** The network side of the BIO pair. */
export interface Network {
  /** Ciphertext to send to the peer: at most `max` bytes (default: all
   * that is ready). Empty when there is none. */
  read(max?: number): Uint8Array;
  /** Copy ciphertext to send into `dest`; returns the byte count. */
  readInto(dest: Uint8Array): number;
  /** Ciphertext received from the peer; returns how many bytes were taken
   * (fewer when the incoming side is full: process first, then give the
   * rest). */
  write(bytes: Uint8Array): number;
  /** The transport reached EOF (`BIO_set_mem_eof_return` / a closed
   * socket): a read then sees close_notify (ZERO_RETURN) or, without it,
   * truncation (SYSCALL). */
  end(): void;
  /** Ciphertext waiting to be sent (`BIO_ctrl_pending`). */
  pending(): number;
  /** Room for incoming ciphertext (`BIO_ctrl_get_write_guarantee`). */
  writable(): number;
  /** Ciphertext received but not processed yet. */
  unprocessed(): number;
  /** Bound the outgoing side (1 .. context netOut bytes). */
  setCap(cap: number): void;
}

/** @internal What the network side needs of its connection. */
export interface NetworkHost {
  /** The connection's handle (throws after dispose). */
  live(): number;
  /** Attach record buffers if there are none. */
  ensureArena(): void;
  /** Give idle buffers back (RELEASE_BUFFERS). */
  maybeRelease(): void;
  /** Whether buffers are attached. */
  hasArena(): boolean;
  /** Address of the connection's size_t result slot. */
  readonly slot: number;
  /** The result slot's value. */
  getSlot(): number;
}

const EMPTY = /* @__PURE__ */ new Uint8Array(0);

/** @internal The network side of one connection. */
export function makeNetwork(w: Wasm, self: NetworkHost): Network {
  const x = w.exports;
  return {
    read(max?: number): Uint8Array {
      const c = self.live();
      let limit = max === undefined ? Infinity : aint(max, 'network.read max', 0, 0x7fffffff);
      // Without record buffers nothing waits to be sent (the engine is
      // given them before any call that could produce output, and gives
      // them back only when empty), so asking must not take them: a
      // server with nothing received holds none (issue #15).
      if (!self.hasArena()) return EMPTY;
      let first: Uint8Array | undefined;
      let more: Uint8Array[] | undefined;
      let total = 0;
      while (limit > 0) {
        const p = x.wt_x_tls_net_out_buf(c, self.slot) >>> 0;
        let n = self.getSlot();
        if (n === 0) break;
        if (n > limit) n = limit;
        const chunk = w.u8().slice(p, p + n);
        x.wt_x_tls_net_out_ack(c, n);
        limit -= n;
        total += n;
        if (!first) first = chunk;
        else (more ??= [first]).push(chunk);
      }
      self.maybeRelease();
      if (!first) return EMPTY;
      if (!more) return first;
      // The outgoing side was smaller than what was staged: join.
      const out = new Uint8Array(total);
      let off = 0;
      for (const m of more) {
        out.set(m, off);
        off += m.length;
      }
      return out;
    },
    readInto(dest: Uint8Array): number {
      abytes(dest, 'network.readInto dest');
      const c = self.live();
      if (!self.hasArena()) return 0; // nothing waits (see read())
      let total = 0;
      while (total < dest.length) {
        const p = x.wt_x_tls_net_out_buf(c, self.slot) >>> 0;
        const n = Math.min(self.getSlot(), dest.length - total);
        if (n === 0) break;
        dest.set(w.u8().subarray(p, p + n), total);
        x.wt_x_tls_net_out_ack(c, n);
        total += n;
      }
      self.maybeRelease();
      return total;
    },
    write(bytes: Uint8Array): number {
      abytes(bytes, 'network.write bytes');
      const c = self.live();
      self.ensureArena();
      const p = x.wt_x_tls_net_in_buf(c, self.slot) >>> 0;
      const n = Math.min(self.getSlot(), bytes.length);
      if (n === 0) return 0;
      w.u8().set(n === bytes.length ? bytes : bytes.subarray(0, n), p);
      x.wt_x_tls_net_in_ack(c, n);
      return n;
    },
    end(): void {
      x.wt_x_tls_net_in_eof(self.live());
    },
    pending(): number {
      const c = self.live();
      if (!self.hasArena()) return 0;
      // net_out_buf first moves staged records into the outgoing side.
      x.wt_x_tls_net_out_buf(c, self.slot);
      return self.getSlot();
    },
    writable(): number {
      const c = self.live();
      self.ensureArena();
      x.wt_x_tls_net_in_buf(c, self.slot);
      const n = self.getSlot();
      self.maybeRelease();
      return n;
    },
    unprocessed(): number {
      return x.wt_x_tls_net_in_pending(self.live());
    },
    setCap(cap: number): void {
      aint(cap, 'network.setCap', 1, 0x7fffffff);
      const r = x.wt_x_tls_set_net_out_cap(self.live(), cap);
      if (r !== 0) throw new TLSError(r, `network cap ${cap} outside 1..the context's netOut size`);
    },
  };
}
