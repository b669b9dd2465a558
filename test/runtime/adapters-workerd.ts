/**
 * workerd entry of the transport checks: real `connect()` sockets from
 * `cloudflare:sockets` through ts/adapters/cloudflare.ts. Bundled by
 * adapters.runtimes.test.ts; GET /?p=<ports json> runs the checks and
 * answers their results as JSON.
 */
// @ts-expect-error provided by workerd
import { connect } from 'cloudflare:sockets';
import { fromWorkersSocket, type WorkersSocketLike } from '../../ts/adapters/cloudflare.js';
import { runChecks, type Ports } from './adapter-checks.js';

const open = (port: number) => fromWorkersSocket(connect({ hostname: '127.0.0.1', port }, { allowHalfOpen: true }) as WorkersSocketLike);

export default {
  async fetch(req: Request): Promise<Response> {
    const ports = JSON.parse(new URL(req.url).searchParams.get('p')!) as Ports & { refused: number };
    const results = await runChecks(async (port) => open(port), ports);
    // A refused connection errors the adapter's readable.
    const t = open(ports.refused);
    try {
      await t.readable.getReader().read();
      results.push({ name: 'refused', ok: false, detail: 'read succeeded' });
    } catch (e) {
      results.push({ name: 'refused', ok: true, detail: String(e) });
    }
    await t.close();
    return Response.json(results);
  },
};
