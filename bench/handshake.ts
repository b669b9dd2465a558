/**
 * Full TLS 1.3 handshakes per second, client and server in one process
 * (X25519 + ECDSA P-256, no resumption): wasmtls over an in-memory pair
 * beside Node `tls` over loopback, measured in the same run. Both are
 * reported per wall-clock second and per CPU-second of this process (Node
 * `tls` spends part of its time in the event loop and the kernel).
 * `node bench/run.mjs handshake`
 */
import { connect, createServer, type TLSSocket } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { Connection, TLSContext } from '../ts/core/connection.js';
import { handshake } from '../ts/core/pump.js';
import { selfSigned } from './tlsfixture.js';
import { loadShared, RUNS, ratio, table } from './util.js';

loadShared('simd');
const { key, cert } = selfSigned('p256');
const MS = Number(process.env.BENCH_MS ?? 1500);

// Handshakes/s by wall clock and by CPU time over `ms` of repeated runs.
async function rate(fn: () => Promise<void> | void, ms: number): Promise<{ wall: number; cpu: number }> {
  for (let i = 0; i < 5; i++) await fn();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  let n = 0;
  while (performance.now() - t0 < ms) {
    await fn();
    n++;
  }
  const wall = (performance.now() - t0) / 1000;
  const cu = process.cpuUsage(c0);
  return { wall: n / wall, cpu: n / ((cu.user + cu.system) / 1e6) };
}

const cctx = new TLSContext({ verify: 'insecure-no-chain-validation', groups: ['x25519'] });
const sctx = new TLSContext({ cert, key, groups: ['x25519'] });
function ours(): void {
  const c = new Connection(cctx);
  const s = new Connection(sctx);
  c.setConnectState();
  s.setAcceptState();
  handshake(c, s);
  c.dispose();
  s.dispose();
}

const server = createServer({ key, cert, minVersion: 'TLSv1.3', ecdhCurve: 'X25519' }, (sock) => {
  sock.on('error', () => {});
  sock.end();
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const port = (server.address() as AddressInfo).port;
function node(): Promise<void> {
  return new Promise((resolve, reject) => {
    const s: TLSSocket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false, minVersion: 'TLSv1.3', ecdhCurve: 'X25519' }, () => {
      s.destroy();
      resolve();
    });
    s.on('error', reject);
  });
}

const o: { wall: number; cpu: number }[] = [];
const n: { wall: number; cpu: number }[] = [];
for (let r = 0; r < RUNS; r++) {
  o.push(await rate(ours, MS / RUNS * 2));
  n.push(await rate(node, MS / RUNS * 2));
}
server.close();
const med = (xs: number[]) => xs.sort((a, b) => a - b)[xs.length >> 1];
const ow = med(o.map((x) => x.wall)), oc = med(o.map((x) => x.cpu));
const nw = med(n.map((x) => x.wall)), ncpu = med(n.map((x) => x.cpu));
console.log(`full TLS 1.3 handshakes per second (X25519, ECDSA P-256), median of ${RUNS} interleaved runs, Node ${process.version}`);
table(['implementation', 'per wall second', 'per CPU second'], [
  ['wasmtls (in-memory pair)', ow, oc],
  ['Node tls (loopback)', nw, ncpu],
  ['ratio', ratio(ow, nw), ratio(oc, ncpu)],
]);
