// Paired A/B of two or more builds of the library in one process (issue
// #16: separate processes on this shared 2-core machine spread more than
// the changes measured). Each build is a bundle of
//   export { connect } from './ts/api/tls.js';
//   export { connectTcp } from './ts/adapters/node-socket.js';
//   export { TrustStore } from './ts/core/x509.js';
//   export { loadShared } from './bench/util.js';
// made by esbuild from a tree of that commit (`git archive <commit> ts bench`)
// into build/bench/lib-<name>.mjs. Then
//   AB=base,cur N=40 R=31 node bench/ab-builds.mjs
// (copied into build/bench/ beside the bundles) runs R interleaved rounds
// of N connections per build and Node's tls.connect, against one Node tls
// server in a child process, and prints each client's CPU per connection
// (process.cpuUsage of this process: the client alone) and the per-round
// ratios.
import { fork } from 'node:child_process';
import { connect as nodeConnect } from 'node:tls';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
const names = (process.env.AB ?? 'base,cur').split(',');
const libs = await Promise.all(names.map((n) => import(`./lib-${n}.mjs`)));
for (const l of libs) l.loadShared('simd');
const dir = mkdtempSync(join(tmpdir(), 'ab-'));
execFileSync(
  'openssl',
  [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=localhost',
    '-addext',
    'subjectAltName=DNS:localhost',
    '-keyout',
    join(dir, 'k.pem'),
    '-out',
    join(dir, 'c.pem'),
  ],
  { stdio: 'ignore' },
);
const key = readFileSync(join(dir, 'k.pem'), 'utf8'),
  cert = readFileSync(join(dir, 'c.pem'), 'utf8');
const serverCode = `
const tls = require('node:tls');
process.once('message', ({ key, cert }) => {
  const s = tls.createServer({ key, cert, minVersion: 'TLSv1.3', ecdhCurve: 'P-256', ciphers: 'TLS_AES_128_GCM_SHA256' }, (sock) => { sock.on('error', () => {}); sock.end(); });
  s.listen(0, '127.0.0.1', () => process.send(s.address().port));
});`;
const child = fork('-e', [serverCode], { execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
child.send({ key, cert });
const port = await new Promise((r) => child.once('message', r));
const clients = libs.map((l) => {
  const ca = new l.TrustStore().addPEM(cert);
  return async () => {
    const t = await l.connectTcp({ host: '127.0.0.1', port });
    const c = l.connect({ transport: t, servername: 'localhost', ca, groups: ['secp256r1'], ciphersuites: ['TLS_AES_128_GCM_SHA256'] });
    await c.opened;
    await c.close();
  };
});
clients.push(
  () =>
    new Promise((resolve, reject) => {
      const s = nodeConnect(
        { host: '127.0.0.1', port, ca: cert, servername: 'localhost', minVersion: 'TLSv1.3', ecdhCurve: 'P-256' },
        () => {
          s.destroy();
          resolve();
        },
      );
      s.on('error', reject);
    }),
);
const labels = [...names, 'node tls.connect'];
const N = Number(process.env.N ?? 60),
  R = Number(process.env.R ?? 15);
for (const f of clients) for (let i = 0; i < 30; i++) await f();
const res = clients.map(() => []);
for (let r = 0; r < R; r++)
  for (let i = 0; i < clients.length; i++) {
    const c0 = process.cpuUsage();
    for (let k = 0; k < N; k++) await clients[i]();
    const cu = process.cpuUsage(c0);
    res[i].push((cu.user + cu.system) / 1000 / N);
  }
const med = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const q = (xs, f) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * f)];
for (let i = 0; i < clients.length; i++)
  console.log(
    `${labels[i].padEnd(18)} ${med(res[i]).toFixed(3)} ms CPU/conn (q25 ${q(res[i], 0.25).toFixed(3)}, q75 ${q(res[i], 0.75).toFixed(3)}); vs node ${(med(res.at(-1)) / med(res[i])).toFixed(2)}x`,
  );
// paired per-round ratio base/cur
for (let i = 1; i < names.length; i++) {
  const rr = res[i - 1].map((x, j) => x / res[i][j]);
  console.log(
    `per-round ${names[i - 1]}/${names[i]} CPU: median ${med(rr).toFixed(3)} (q25 ${q(rr, 0.25).toFixed(3)}, q75 ${q(rr, 0.75).toFixed(3)})`,
  );
}
for (let i = 0; i < names.length; i++) {
  const rr = res.at(-1).map((x, j) => x / res[i][j]);
  console.log(`per-round node/${names[i]}: median ${med(rr).toFixed(3)} (q25 ${q(rr, 0.25).toFixed(3)}, q75 ${q(rr, 0.75).toFixed(3)})`);
}
child.kill();
