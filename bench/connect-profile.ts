/**
 * What bench/handshake.ts's "clients alone" rows do, with the Node tls
 * server in a child process, so this process's CPU (and a profile of it)
 * holds the client alone:
 *
 *   node --cpu-prof --cpu-prof-dir=build/prof bench/run.mjs connect-profile
 *
 *   PROFILE_CLIENT=wasmtls|node|both|tcp   (default both: interleaved
 *                                      rounds; tcp: the transport alone,
 *                                      connect and close, no TLS: the floor)
 *   PROFILE_N=n                        connections per round (default 300)
 *   PROFILE_ROUNDS=r                   rounds (default 5)
 *   PROFILE_CA=roots                   `ca` is the test certificate plus
 *                                      Node's rootCertificates as PEM text
 *                                      (default: one TrustStore, as the bench)
 *
 * Prints the client CPU per connection (process.cpuUsage) per client,
 * median over the rounds, and the ratio.
 */
import { fork } from 'node:child_process';
import { connect as nodeConnect, rootCertificates, type TLSSocket } from 'node:tls';
import { connectTcp } from '../ts/adapters/node-socket.js';
import { connect } from '../ts/api/tls.js';
import { wasm } from '../ts/core/loader.js';
import { TrustStore } from '../ts/core/x509.js';
import { selfSigned } from './tlsfixture.js';
import { loadShared } from './util.js';

loadShared('simd');
const which = process.env.PROFILE_CLIENT ?? 'both';
const N = Number(process.env.PROFILE_N ?? 300);
const ROUNDS = Number(process.env.PROFILE_ROUNDS ?? 5);
const { key, cert } = selfSigned('p256');

// The server: Node tls in its own process (the same settings as
// bench/handshake.ts's clients-alone server).
const serverCode = `
const tls = require('node:tls');
process.once('message', ({ key, cert }) => {
  const s = tls.createServer({ key, cert, minVersion: 'TLSv1.3', ecdhCurve: 'P-256', ciphers: 'TLS_AES_128_GCM_SHA256' }, (sock) => {
    sock.on('error', () => {});
    sock.end();
  });
  s.listen(0, '127.0.0.1', () => process.send(s.address().port));
});`;
const child = fork('-e', [serverCode], { execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
child.send({ key, cert });
const port = await new Promise<number>((r) => child.once('message', (m) => r(m as number)));

const ca = process.env.PROFILE_CA === 'roots' ? [cert, ...rootCertificates] : new TrustStore().addPEM(cert);

async function wasmtlsClient(): Promise<void> {
  const t = await connectTcp({ host: '127.0.0.1', port });
  const c = connect({ transport: t, servername: 'localhost', ca, groups: ['secp256r1'], ciphersuites: ['TLS_AES_128_GCM_SHA256'] });
  await c.opened;
  await c.close();
}
function nodeClient(): Promise<void> {
  return new Promise((resolve, reject) => {
    const s: TLSSocket = nodeConnect(
      { host: '127.0.0.1', port, ca: cert, servername: 'localhost', minVersion: 'TLSv1.3', ecdhCurve: 'P-256' },
      () => {
        s.destroy();
        resolve();
      },
    );
    s.on('error', reject);
  });
}

async function round(fn: () => Promise<void>): Promise<number> {
  const c0 = process.cpuUsage();
  for (let i = 0; i < N; i++) await fn();
  const cu = process.cpuUsage(c0);
  return (cu.user + cu.system) / 1000 / N;
}
async function tcpFloor(): Promise<void> {
  const t = await connectTcp({ host: '127.0.0.1', port });
  await t.close();
}

const med = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const clients: [string, () => Promise<void>][] = [];
if (which === 'tcp') clients.push(['TCP connect + close (no TLS)', tcpFloor]);
else {
  if (which !== 'node') clients.push(['wasmtls connect()', wasmtlsClient]);
  if (which !== 'wasmtls') clients.push(['Node tls.connect', nodeClient]);
}
for (const [, fn] of clients) for (let i = 0; i < 20; i++) await fn();
const used0 = wasm().memoryUsage().used;
const res = clients.map(() => [] as number[]);
for (let r = 0; r < ROUNDS; r++) for (let i = 0; i < clients.length; i++) res[i].push(await round(clients[i][1]));
for (let i = 0; i < clients.length; i++) console.log(`${clients[i][0]}: ${med(res[i]).toFixed(3)} ms CPU per connection (client alone)`);
if (clients.length === 2) console.log(`wasmtls vs Node (CPU): ${(med(res[1]) / med(res[0])).toFixed(2)}x as fast`);
console.log(`wasm memory in use: ${used0} B after warm-up, ${wasm().memoryUsage().used} B at the end`);
child.kill();
