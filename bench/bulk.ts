/**
 * Bulk application-data throughput, client to server in one process:
 * wasmtls over an in-memory pair (16 KiB writes, records sealed, moved,
 * opened and read) beside Node `tls` over loopback, per cipher suite:
 * the three TLS 1.3 suites, then the same AEADs in TLS 1.2 (ECDHE-ECDSA
 * suites, both sides forced to TLS 1.2).
 * `node bench/run.mjs bulk`
 */
import { connect, createServer } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { Connection, TLSContext, type CipherSuiteName } from '../ts/core/connection.js';
import type { Cipher12Name } from '../ts/core/codepoints.js';
import { handshake, transfer } from '../ts/core/pump.js';
import { selfSigned } from './tlsfixture.js';
import { loadShared, RUNS, ratio, table } from './util.js';

loadShared('simd');
const { key, cert } = selfSigned('p256');
const TOTAL = Number(process.env.BENCH_BYTES ?? 32 * 1024 * 1024);
const CHUNK = 16384;
const data = new Uint8Array(CHUNK).map((_, i) => i);

type Suite = CipherSuiteName | Cipher12Name;
const is12 = (suite: Suite) => !suite.startsWith('TLS_');
function ours(suite: Suite): number {
  const o = is12(suite)
    ? ({ minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2', suites12: [suite as Cipher12Name] } as const)
    : { suites: [suite as CipherSuiteName] };
  const c = new Connection(new TLSContext({ verify: 'insecure-no-chain-validation', ...o }));
  const s = new Connection(new TLSContext({ cert, key, ...o }));
  c.setConnectState();
  s.setAcceptState();
  handshake(c, s);
  const t0 = performance.now();
  let sent = 0,
    got = 0;
  while (got < TOTAL) {
    if (sent < TOTAL) {
      const r = c.writeEx(data);
      if (r.ok) sent += r.written;
    }
    transfer(c, s);
    for (;;) {
      const r = s.readEx(65536);
      if (!r.ok) break;
      got += r.data.length;
    }
  }
  const mbs = TOTAL / 1e6 / ((performance.now() - t0) / 1000);
  c.dispose();
  s.dispose();
  return mbs;
}

// Node's options for one suite: TLS 1.3 names go to `ciphersuites`, TLS
// 1.2 (OpenSSL) names to `ciphers` with the version pinned.
const nodeOpts = (suite: Suite) =>
  is12(suite)
    ? ({ minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2', ciphers: suite } as const)
    : ({ minVersion: 'TLSv1.3', ciphersuites: suite } as const);
async function node(suite: Suite): Promise<number> {
  let got = 0;
  let t0 = 0;
  const done = new Promise<number>((resolve) => {
    const server = createServer({ key, cert, ...nodeOpts(suite) }, (sock) => {
      sock.on('data', (d: Buffer) => {
        got += d.length;
        if (got >= TOTAL) {
          resolve(TOTAL / 1e6 / ((performance.now() - t0) / 1000));
          sock.destroy();
          server.close();
        }
      });
      sock.on('error', () => {});
    });
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as AddressInfo).port;
      const s = connect({ host: '127.0.0.1', port, rejectUnauthorized: false, ...nodeOpts(suite) }, () => {
        t0 = performance.now();
        let sent = 0;
        const pump = () => {
          while (sent < TOTAL) {
            sent += CHUNK;
            if (!s.write(data)) return void s.once('drain', pump);
          }
        };
        pump();
      });
      s.on('error', () => {});
    });
  });
  return done;
}

const rows: (string | number)[][] = [];
for (const suite of [
  'TLS_AES_128_GCM_SHA256',
  'TLS_CHACHA20_POLY1305_SHA256',
  'TLS_AES_256_GCM_SHA384',
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
] as Suite[]) {
  const a: number[] = [],
    b: number[] = [];
  for (let r = 0; r < Math.max(3, RUNS >> 1); r++) {
    a.push(ours(suite));
    b.push(await node(suite));
  }
  const med = (xs: number[]) => xs.sort((x, y) => x - y)[xs.length >> 1];
  rows.push([suite, med(a), med(b), ratio(med(a), med(b))]);
}
console.log(`bulk MB/s, ${TOTAL >> 20} MiB client to server in one process, median of runs, Node ${process.version}`);
table(['suite', 'wasmtls (memory pair)', 'Node tls (loopback)', 'ratio'], rows);
