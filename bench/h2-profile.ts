/**
 * The "req/s, small GETs all at once, HTTP/2" row of bench/http.ts alone,
 * wasmtls and epoxy-tls alternating in Node, for profiling the HTTP/2 path:
 *
 *   node bench/run.mjs h2-profile
 *   H2P_ROUNDS=n    rounds per client (default 10); H2P_CLIENTS=wasmtls to run ours only
 *   node --cpu-prof --cpu-prof-dir=build/prof bench/run.mjs h2-profile
 *
 * Prints req/s per round and the medians with their ratio, and the CPU
 * time per request of the server process (wisp-js server and origin, one
 * child process) and of this one (the client), for each client (Linux: from /proc; the machine's
 * noise does not change it much, unlike req/s).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { WebSocket as WsWebSocket } from 'ws';
import { initSync } from '../ts/core/loader.js';
import { epoxyDir, epoxyInNode, startServers } from './harness.js';
import { epoxyClient, type EpoxyFetchModule, type FetchClient, median } from './http-clients.js';
import { wasmtlsClient } from './http-ours.js';
import { wasmFile } from './util.js';

const ROUNDS = Number(process.env.H2P_ROUNDS ?? 10);
const N = 200;
/** CPU ms (user + system) of this process's children, from /proc (Linux); 0 elsewhere. */
function childCpuMs(): number {
  try {
    let ticks = 0;
    for (const t of readdirSync('/proc/self/task')) {
      for (const pid of readFileSync(`/proc/self/task/${t}/children`, 'utf8').split(' ').filter(Boolean)) {
        const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
        // Fields 14 and 15 of stat(5), utime and stime, in clock ticks (100/s on Linux).
        ticks += Number(f[11]) + Number(f[12]);
      }
    }
    return ticks * 10;
  } catch {
    return 0;
  }
}

const which = (process.env.H2P_CLIENTS ?? 'wasmtls,epoxy-tls').split(',');

initSync(wasmFile('simd'));
// WebSocket messages each client sends (both use npm ws): each is a Wisp
// packet the server parses and a write to the origin's TCP socket.
let wsSends = 0;
const wsSend = WsWebSocket.prototype.send;
WsWebSocket.prototype.send = function (this: WsWebSocket, ...a: Parameters<WsWebSocket['send']>) {
  wsSends++;
  return wsSend.apply(this, a);
} as WsWebSocket['send'];
const servers = await startServers();
try {
  const info = servers.info;
  const url = `https://localhost:${info.h2Port}/small`;
  const clients: Record<string, FetchClient> = {};
  if (which.includes('wasmtls')) clients.wasmtls = await wasmtlsClient(info.wispUrl, info.caPem, WsWebSocket as never);
  if (which.includes('epoxy-tls')) {
    const epoxy = await epoxyInNode<EpoxyFetchModule>(epoxyDir());
    clients['epoxy-tls'] = epoxyClient(epoxy, info.wispUrl, info.caPem);
  }
  const one = async (c: FetchClient): Promise<void> => {
    const r = await c.fetch(url);
    if (r.status !== 200 || r.headers.get('x-http-version') !== '2.0')
      throw new Error(`HTTP ${r.status} over ${r.headers.get('x-http-version')}`);
    await r.text();
  };
  const samples: Record<string, number[]> = {};
  const serverMs: Record<string, number> = {};
  const clientMs: Record<string, number> = {};
  const sends: Record<string, number> = {};
  for (const name of Object.keys(clients)) await one(clients[name]); // warm: connection open
  for (let i = 0; i < ROUNDS; i++) {
    for (const [name, c] of Object.entries(clients)) {
      const t0 = performance.now();
      const cpu0 = childCpuMs();
      const own0 = process.cpuUsage();
      const sends0 = wsSends;
      await Promise.all(Array.from({ length: N }, () => one(c)));
      (samples[name] ??= []).push((N * 1000) / (performance.now() - t0));
      serverMs[name] = (serverMs[name] ?? 0) + childCpuMs() - cpu0;
      sends[name] = (sends[name] ?? 0) + wsSends - sends0;
      const own = process.cpuUsage(own0);
      clientMs[name] = (clientMs[name] ?? 0) + (own.user + own.system) / 1000;
    }
  }
  const med: Record<string, number> = {};
  for (const [name, s] of Object.entries(samples)) {
    med[name] = median(s);
    console.log(`${name}: median ${med[name].toFixed(0)} req/s  (${s.map((x) => x.toFixed(0)).join(' ')})`);
    const per = (ms: number): string => ((ms * 1000) / (ROUNDS * N)).toFixed(0);
    console.log(
      `${name}: CPU per request: server process ${per(serverMs[name])} µs, client ${per(clientMs[name])} µs; WebSocket messages sent per round ${(sends[name] / ROUNDS).toFixed(1)}`,
    );
  }
  if (med.wasmtls && med['epoxy-tls']) console.log(`wasmtls / epoxy-tls: ${(med.wasmtls / med['epoxy-tls']).toFixed(2)}x`);
  for (const c of Object.values(clients)) await c.close();
} finally {
  servers.stop();
}
process.exit(0);
