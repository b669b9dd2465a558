/**
 * Full TLS 1.3 and TLS 1.2 handshakes per second, client and server in
 * one process (X25519 + ECDSA P-256, no resumption; TLS 1.2 with
 * ECDHE-ECDSA-AES128-GCM-SHA256 and the extended master secret): wasmtls
 * over an in-memory pair beside Node `tls` over loopback forced to the
 * same version, measured in the same run. Both are
 * reported per wall-clock second and per CPU-second of this process (Node
 * `tls` spends part of its time in the event loop and the kernel).
 *
 * Then clients alone, against one Node `tls` server on loopback with what
 * npm `subtls` (TLS 1.3 in TypeScript over WebCrypto) can do: P-256 key
 * exchange, TLS_AES_128_GCM_SHA256, an ECDSA P-256 certificate validated
 * against it as the root. wasmtls's connect() (the streams API, chain
 * validation included) beside subtls and Node's own tls.connect. Measured
 * twice: with the server in this process (the older column: each figure
 * per CPU second includes the server's CPU, the same for every client,
 * which dilutes the ratios), and with the same server in a child process,
 * so process.cpuUsage() counts the client alone.
 * `node bench/run.mjs handshake`
 */
import { connect, createServer, type TLSSocket } from 'node:tls';
import { fork } from 'node:child_process';
import { connect as netConnect, type AddressInfo } from 'node:net';
import { startTls, SocketReadQueue } from 'subtls';
import { connectTcp } from '../ts/adapters/node-socket.js';
import { connect as wasmtlsConnect } from '../ts/api/tls.js';
import { Connection, TLSContext } from '../ts/core/connection.js';
import { TrustStore } from '../ts/core/x509.js';
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

const med = (xs: number[]) => xs.sort((a, b) => a - b)[xs.length >> 1];
const pairRows: (string | number)[][] = [];
for (const version of ['TLSv1.3', 'TLSv1.2'] as const) {
  const v = { minVersion: version, maxVersion: version };
  // In TLS 1.2 the client's supported_groups also bounds the curve of an
  // ECDSA certificate (RFC 8422 5.3): P-256 is listed after X25519, which
  // stays the key exchange.
  const groups = version === 'TLSv1.2' ? (['x25519', 'secp256r1'] as const) : (['x25519'] as const);
  const ecdhCurve = version === 'TLSv1.2' ? 'X25519:P-256' : 'X25519';
  const cctx = new TLSContext({ ...v, verify: 'insecure-no-chain-validation', groups: [...groups] });
  const sctx = new TLSContext({ ...v, cert, key, groups: [...groups] });
  const ours = (): void => {
    const c = new Connection(cctx);
    const s = new Connection(sctx);
    c.setConnectState();
    s.setAcceptState();
    handshake(c, s);
    c.dispose();
    s.dispose();
  };
  // Node's default TLS 1.2 choice for this certificate and client.
  const cipher = version === 'TLSv1.2' ? { ciphers: 'ECDHE-ECDSA-AES128-GCM-SHA256' } : {};
  const server = createServer({ key, cert, ...v, ...cipher, ecdhCurve }, (sock) => {
    sock.on('error', () => {});
    sock.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const node = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const s: TLSSocket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false, ...v, ...cipher, ecdhCurve }, () => {
        if (s.getProtocol() !== version) reject(new Error(`Node negotiated ${s.getProtocol()}`));
        s.destroy();
        resolve();
      });
      s.on('error', reject);
    });
  const o: { wall: number; cpu: number }[] = [];
  const n: { wall: number; cpu: number }[] = [];
  for (let r = 0; r < RUNS; r++) {
    o.push(await rate(ours, (MS / RUNS) * 2));
    n.push(await rate(node, (MS / RUNS) * 2));
  }
  server.close();
  const ow = med(o.map((x) => x.wall)),
    oc = med(o.map((x) => x.cpu));
  const nw = med(n.map((x) => x.wall)),
    ncpu = med(n.map((x) => x.cpu));
  pairRows.push(
    [`${version} wasmtls (in-memory pair)`, ow, oc],
    [`${version} Node tls (loopback)`, nw, ncpu],
    [`${version} ratio`, ratio(ow, nw), ratio(oc, ncpu)],
  );
}
console.log(
  `full handshakes per second (X25519, ECDSA P-256; TLS 1.2: ECDHE-ECDSA-AES128-GCM-SHA256, EMS), median of ${RUNS} interleaved runs, Node ${process.version}`,
);
table(['implementation', 'per wall second', 'per CPU second'], pairRows);

// ---- clients alone, one Node tls server (what subtls supports) ----------------
const p256srv = createServer({ key, cert, minVersion: 'TLSv1.3', ecdhCurve: 'P-256', ciphers: 'TLS_AES_128_GCM_SHA256' }, (sock) => {
  sock.on('error', () => {});
  sock.end();
});
await new Promise<void>((r) => p256srv.listen(0, '127.0.0.1', r));
const inProcessPort = (p256srv.address() as AddressInfo).port;
// The same server in a child process (its CPU is not this process's).
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
const childPort = await new Promise<number>((r) => child.once('message', (m) => r(m as number)));
let p256port = inProcessPort;
const anchors = new TrustStore().addPEM(cert);
async function wasmtlsClient(): Promise<void> {
  const t = await connectTcp({ host: '127.0.0.1', port: p256port });
  const c = wasmtlsConnect({
    transport: t,
    servername: 'localhost',
    ca: anchors,
    groups: ['secp256r1'],
    ciphersuites: ['TLS_AES_128_GCM_SHA256'],
  });
  await c.opened;
  await c.close();
}
const subtlsRoots = cert;
function subtlsClient(): Promise<void> {
  return new Promise((resolve, reject) => {
    const sock = netConnect({ host: '127.0.0.1', port: p256port }, () => {
      const q = new SocketReadQueue(sock);
      startTls('localhost', subtlsRoots, q.read.bind(q), (d: Uint8Array) => void sock.write(d), {
        requireServerTlsExtKeyUsage: false,
        requireDigitalSigKeyUsage: false,
      }).then(
        () => {
          sock.destroy();
          resolve();
        },
        (e: unknown) => {
          sock.destroy();
          reject(e);
        },
      );
    });
    sock.on('error', reject);
  });
}
function nodeClient(): Promise<void> {
  return new Promise((resolve, reject) => {
    const s: TLSSocket = connect(
      { host: '127.0.0.1', port: p256port, ca: cert, servername: 'localhost', minVersion: 'TLSv1.3', ecdhCurve: 'P-256' },
      () => {
        s.destroy();
        resolve();
      },
    );
    s.on('error', reject);
  });
}
// [in-process server, child-process server] per client.
const runs = { w: [[], []], s: [[], []], n: [[], []] } as Record<'w' | 's' | 'n', { wall: number; cpu: number }[][]>;
for (let r = 0; r < RUNS; r++) {
  for (const [i, port] of [inProcessPort, childPort].entries()) {
    p256port = port;
    runs.w[i].push(await rate(wasmtlsClient, (MS / RUNS) * 2));
    runs.s[i].push(await rate(subtlsClient, (MS / RUNS) * 2));
    runs.n[i].push(await rate(nodeClient, (MS / RUNS) * 2));
  }
}
p256srv.close();
child.kill();
// Medians: wall (in-process server), CPU with the server in this process, CPU of the client alone.
const fig = (k: 'w' | 's' | 'n') => [
  med(runs[k][0].map((x) => x.wall)),
  med(runs[k][0].map((x) => x.cpu)),
  med(runs[k][1].map((x) => x.cpu)),
];
const [w, sub, n] = [fig('w'), fig('s'), fig('n')];
console.log(
  `\nclients against one Node tls server on loopback (P-256, TLS_AES_128_GCM_SHA256, chain validated), ` +
    `handshakes per second, median of ${RUNS} interleaved runs; CPU with the server in this process (older column, ` +
    `the server's CPU counted for every client) and of the client alone (the server in a child process)`,
);
table(
  [
    'client',
    'per wall second',
    'per CPU second, server in process',
    'wasmtls vs it',
    'per CPU second, client alone',
    'wasmtls vs it (client alone)',
  ],
  [
    ['wasmtls connect() (streams API)', w[0], w[1], '-', w[2], '-'],
    ['subtls (TypeScript + WebCrypto)', sub[0], sub[1], ratio(w[1], sub[1]), sub[2], ratio(w[2], sub[2])],
    ['Node tls.connect (OpenSSL)', n[0], n[1], ratio(w[1], n[1]), n[2], ratio(w[2], n[2])],
  ],
);
