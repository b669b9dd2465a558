/**
 * workerd entry of the PostgreSQL STARTTLS scenario (pg-scenario.ts): a
 * plain TCP socket from `connect()` of `cloudflare:sockets` (no
 * `startTls()`: it takes neither our CA nor a client certificate), the
 * plaintext phase on its streams with the locks released after it, then
 * the same socket to `fromWorkersSocket()`. postgres.test.ts bundles it
 * behind an entry that bakes in the parameters.
 */
// @ts-expect-error provided by workerd
import { connect } from 'cloudflare:sockets';
import { fromWorkersSocket, type WorkersSocketLike } from '../../ts/adapters/cloudflare.js';
import type { WasmSource } from '../../ts/core/loader.js';
import { sslRequestOverStreams } from '../helpers/pg-wire.js';
import { runPg, type PgCaseReport, type PgParams } from './pg-scenario.js';

export function runWorkerd(source: WasmSource, p: PgParams): Promise<PgCaseReport[]> {
  return runPg(source, p, async (port) => {
    const socket = connect({ hostname: '127.0.0.1', port }, { allowHalfOpen: true }) as WorkersSocketLike;
    try {
      await sslRequestOverStreams(socket);
    } catch (e) {
      await socket.close();
      throw e;
    }
    return fromWorkersSocket(socket);
  });
}
