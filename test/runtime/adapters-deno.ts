/**
 * Deno entry of the transport checks: real `Deno.connect` connections
 * through ts/adapters/deno.ts. Bundled by adapters.runtimes.test.ts and run
 * with `deno run --allow-net=127.0.0.1 main.js '<ports json>'`; prints the
 * results as one JSON line.
 */
import { fromDenoConn } from '../../ts/adapters/deno.js';
import { runChecks, type Ports } from './adapter-checks.js';

declare const Deno: {
  args: string[];
  connect(o: { hostname: string; port: number }): Promise<Parameters<typeof fromDenoConn>[0]>;
};

const ports = JSON.parse(Deno.args[0]) as Ports & { refused: number };
const results = await runChecks(async (port) => fromDenoConn(await Deno.connect({ hostname: '127.0.0.1', port })), ports);
try {
  await Deno.connect({ hostname: '127.0.0.1', port: ports.refused });
  results.push({ name: 'refused', ok: false, detail: 'connected' });
} catch (e) {
  results.push({ name: 'refused', ok: (e as Error).name === 'ConnectionRefused', detail: String(e) });
}
console.log(JSON.stringify(results));
