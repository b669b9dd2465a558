/**
 * Moving ciphertext between two {@link Connection}s in memory, the way
 * rustls' test `do_handshake` / `transfer` and s2n's io pair do: each
 * side's outgoing records go into the other's incoming side, as far as
 * there is room. For tests, benchmarks and layers that pair connections
 * in one process; nothing here knows about sockets.
 *
 * @example
 * ```ts
 * const client = new Connection(cctx), server = new Connection(sctx);
 * client.setConnectState(); server.setAcceptState();
 * handshake(client, server);                  // throws TLSError on failure
 * client.write(data); transfer(client, server); server.readEx();
 * ```
 * @module
 */
import { Connection } from './connection.js';
import { TLSError } from './errors.js';

/** Move up to `max` bytes of ciphertext from `from` to `to`; returns the
 * count (a copy inside wasm memory when both share the module). */
export function transfer(from: Connection, to: Connection, max = Infinity): number {
  return Connection.transfer(from, to, max);
}

/** Move ciphertext both ways until neither side has any left that the
 * other can take; returns the bytes moved. */
export function exchange(a: Connection, b: Connection, max = Infinity): number {
  let total = 0;
  for (;;) {
    const n = transfer(a, b, max) + transfer(b, a, max);
    if (n === 0) return total;
    total += n;
  }
}

/** Options of {@link handshake}. */
export interface HandshakeOptions {
  /** Bytes per transfer (fragmentation of the flights); default: all. */
  frag?: number;
  /** Give up after this many rounds (default 100,000). */
  maxRounds?: number;
}

function failure(c: Connection, who: string): Error {
  return c.error ?? new TLSError(0, `${who}: handshake failed (${c.getError(-1)})`);
}

/**
 * Drive `client` and `server` (states already set) through their
 * handshakes, moving bytes between them, until both are done and nothing
 * is left in flight. Throws the {@link TLSError} of the side that failed,
 * or an Error when no progress is possible (e.g. a verification promise
 * is pending: use {@link handshakeAsync}).
 */
export function handshake(client: Connection, server: Connection, opts: HandshakeOptions = {}): void {
  const frag = opts.frag ?? Infinity;
  const rounds = opts.maxRounds ?? 100_000;
  let rc = 0,
    rs = 0;
  for (let i = 0; i < rounds; i++) {
    if (rc !== 1) rc = client.doHandshake();
    if (rs !== 1) rs = server.doHandshake();
    if (rc === 1 && rs === 1 && client.network.pending() === 0 && server.network.pending() === 0) return;
    for (const [c, r, who] of [
      [client, rc, 'client'],
      [server, rs, 'server'],
    ] as const) {
      if (r === 1) continue;
      const e = c.getError(r);
      if (e === 'SSL' || e === 'SYSCALL' || e === 'ZERO_RETURN') {
        // Deliver the alert before reporting, as a real transport would.
        exchange(client, server);
        throw failure(c, who);
      }
    }
    const moved = transfer(client, server, frag) + transfer(server, client, frag);
    if (moved === 0 && i > 2 && (rc !== 1 || rs !== 1)) {
      const want = `${rc === 1 ? 'done' : client.getError(rc)}/${rs === 1 ? 'done' : server.getError(rs)}`;
      throw new Error(`wasmtls: handshake stalled (client/server: ${want})`);
    }
  }
  throw new Error('wasmtls: handshake did not finish');
}

/** {@link handshake}, waiting for asynchronous verification callbacks. */
export async function handshakeAsync(client: Connection, server: Connection, opts: HandshakeOptions = {}): Promise<void> {
  for (;;) {
    try {
      handshake(client, server, opts);
      return;
    } catch (e) {
      const p = client.verifyPending ?? server.verifyPending ?? client.signPending ?? server.signPending;
      if (e instanceof TLSError || !p) throw e;
      await p;
    }
  }
}
