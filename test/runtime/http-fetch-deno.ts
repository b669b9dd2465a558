/**
 * Deno entry of test/http-runtimes.test.ts: `createFetch` with a `connect`
 * on `Deno.connect` (ts/adapters/deno.ts), one GET of the URL given as
 * `Deno.args[1]`; prints the FetchReport as one JSON line. Run with
 * `deno run --allow-net=127.0.0.1 --allow-read=<wasm> main.js <wasm> '<params>'`.
 */
import { fromDenoConn } from '../../ts/adapters/deno.js';
import { type FetchParams, runConnect } from './http-fetch-scenario.js';

declare const Deno: {
  args: string[];
  readFile(path: string): Promise<Uint8Array>;
  connect(o: { hostname: string; port: number }): Promise<Parameters<typeof fromDenoConn>[0]>;
};

const bytes = await Deno.readFile(Deno.args[0]);
const params = JSON.parse(Deno.args[1]) as FetchParams;
// The origin is on 127.0.0.1 and its certificate names localhost.
const tcp = async (_host: string, port: number) => fromDenoConn(await Deno.connect({ hostname: '127.0.0.1', port }));
console.log(JSON.stringify(await runConnect(bytes, params, tcp)));
