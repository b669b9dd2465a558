/**
 * The "req/s, small GETs all at once, HTTP/2" row of bench/http.ts alone,
 * wasmtls and epoxy-tls alternating in Node, for profiling the HTTP/2 path:
 *
 *   node bench/run.mjs h2-profile
 *   H2P_ROUNDS=n    rounds per client (default 10); H2P_CLIENTS=wasmtls to run ours only
 *   node --cpu-prof --cpu-prof-dir=build/prof bench/run.mjs h2-profile
 *
 * Prints req/s per round and the medians with their ratio.
 */
import { WebSocket as WsWebSocket } from 'ws';
import { initSync } from '../ts/core/loader.js';
import { epoxyDir, epoxyInNode, startServers } from './harness.js';
import { epoxyClient, type EpoxyFetchModule, type FetchClient, median } from './http-clients.js';
import { wasmtlsClient } from './http-ours.js';
import { wasmFile } from './util.js';

const ROUNDS = Number(process.env.H2P_ROUNDS ?? 10);
const N = 200;
const which = (process.env.H2P_CLIENTS ?? 'wasmtls,epoxy-tls').split(',');

initSync(wasmFile('simd'));
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
  for (const name of Object.keys(clients)) await one(clients[name]); // warm: connection open
  for (let i = 0; i < ROUNDS; i++) {
    for (const [name, c] of Object.entries(clients)) {
      const t0 = performance.now();
      await Promise.all(Array.from({ length: N }, () => one(c)));
      (samples[name] ??= []).push((N * 1000) / (performance.now() - t0));
    }
  }
  const med: Record<string, number> = {};
  for (const [name, s] of Object.entries(samples)) {
    med[name] = median(s);
    console.log(`${name}: median ${med[name].toFixed(0)} req/s  (${s.map((x) => x.toFixed(0)).join(' ')})`);
  }
  if (med.wasmtls && med['epoxy-tls']) console.log(`wasmtls / epoxy-tls: ${(med.wasmtls / med['epoxy-tls']).toFixed(2)}x`);
  for (const c of Object.values(clients)) await c.close();
} finally {
  servers.stop();
}
process.exit(0);
