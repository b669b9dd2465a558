/**
 * Deno entry of the PostgreSQL STARTTLS scenario (pg-scenario.ts): the
 * plaintext phase with `conn.write()` / `conn.read()` on a real
 * `Deno.connect` connection, then the same conn to `fromDenoConn()`; one
 * more session does the phase on `conn.readable` / `conn.writable` and
 * releases their locks (the adapter then reads with `conn.read()`: no
 * byte may be left behind in the released stream).
 * postgres.test.ts bundles it behind an entry that bakes in the
 * parameters and runs it with `--allow-net=127.0.0.1`.
 */
import { fromDenoConn, type DenoConnLike } from '../../ts/adapters/deno.js';
import type { WasmSource } from '../../ts/core/loader.js';
import { checkSslResponse, SSL_REQUEST, sslRequestOverStreams } from '../helpers/pg-wire.js';
import { runPg, type PgCaseReport, type PgParams } from './pg-scenario.js';

declare const Deno: {
  connect(o: { hostname: string; port: number }): Promise<DenoConnLike & Required<Pick<DenoConnLike, 'read' | 'write'>>>;
};

export function runDeno(source: WasmSource, p: PgParams): Promise<PgCaseReport[]> {
  return runPg(
    source,
    p,
    async (port) => {
      const conn = await Deno.connect({ hostname: '127.0.0.1', port });
      try {
        for (let off = 0; off < SSL_REQUEST.length; ) off += await conn.write(SSL_REQUEST.subarray(off));
        const buf = new Uint8Array(64);
        const n = await conn.read(buf);
        if (n === null) throw new Error('PostgreSQL: the connection ended before the answer to SSLRequest');
        checkSslResponse(buf.subarray(0, n));
      } catch (e) {
        conn.close();
        throw e;
      }
      return fromDenoConn(conn);
    },
    async (port) => {
      // The same on conn.readable / conn.writable, locks released after.
      const conn = await Deno.connect({ hostname: '127.0.0.1', port });
      try {
        await sslRequestOverStreams(conn);
      } catch (e) {
        conn.close();
        throw e;
      }
      return fromDenoConn(conn);
    },
  );
}
