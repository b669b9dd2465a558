/**
 * The server side of bench/tunnel.ts and bench/http.ts in a process of its own, so that the
 * Node clients being measured do not share an event loop with the Wisp
 * server and the origin: the wisp-js server and the origin
 * (tunnel-origin.ts) on 127.0.0.1, with a fresh test CA. Prints one JSON
 * line (URL, ports, CA), then serves until stdin closes.
 */
import { startWispServer } from '../test/helpers/wisp-server.js';
import { caChain } from './tlsfixture.js';
import { startOrigin } from './tunnel-origin.js';

const pki = caChain();
// bench/http.ts's time to first byte takes one port per sample and client
// (BENCH_RUNS x 3 + 1).
const origin = await startOrigin(pki, { freshPorts: 64 });
const wisp = await startWispServer();
console.log(
  JSON.stringify({
    wispUrl: wisp.url,
    httpsPort: origin.httpsPort,
    h2Port: origin.h2Port,
    freshPorts: origin.freshPorts,
    freshPlainPorts: origin.freshPlainPorts,
    plainPort: origin.plainPort,
    rawPort: origin.rawPort,
    caPem: pki.caPem,
  }),
);
const stop = async (): Promise<void> => {
  await Promise.race([Promise.all([wisp.close(), origin.close()]), new Promise((r) => setTimeout(r, 2000))]);
  process.exit(0);
};
process.stdin.on('end', stop);
process.stdin.on('close', stop);
process.stdin.resume();
process.on('SIGTERM', stop);
