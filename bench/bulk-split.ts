/**
 * Where the time of bench/bulk.ts's in-memory pair goes, per 16 KiB record:
 * the client's writeEx (copy in, seal), the transfer of the ciphertext to
 * the server, the server's readEx (open, copy out), over 256 MiB after the
 * handshake (issue #16, "bulk, in-memory pair vs Node tls loopback").
 * `node bench/run.mjs bulk-split`; SUITE=<TLS 1.3 suite name> (default
 * ChaCha20-Poly1305); BENCH_PROF_WASM=<a module linked with
 * --profiling-funcs> for wasm function names under `node --cpu-prof`.
 */
import { readFileSync } from 'node:fs';
import { Connection, TLSContext, type CipherSuiteName } from '../ts/core/connection.js';
import { handshake, transfer } from '../ts/core/pump.js';
import { initSync } from '../ts/core/loader.js';
import { selfSigned } from './tlsfixture.js';
import { wasmFile } from './util.js';

initSync(process.env.BENCH_PROF_WASM ? new Uint8Array(readFileSync(process.env.BENCH_PROF_WASM)) : wasmFile('simd'));
const { key, cert } = selfSigned('p256');
const suite = (process.env.SUITE ?? 'TLS_CHACHA20_POLY1305_SHA256') as CipherSuiteName;
const TOTAL = 256 * 1024 * 1024;
const data = new Uint8Array(16384).map((_, i) => i);
const c = new Connection(new TLSContext({ verify: 'insecure-no-chain-validation', suites: [suite] }));
const s = new Connection(new TLSContext({ cert, key, suites: [suite] }));
c.setConnectState();
s.setAcceptState();
handshake(c, s);
let tw = 0;
let tt = 0;
let tr = 0;
let sent = 0;
let got = 0;
const t0 = performance.now();
while (got < TOTAL) {
  const a = performance.now();
  if (sent < TOTAL) {
    const r = c.writeEx(data);
    if (r.ok) sent += r.written;
  }
  const b = performance.now();
  transfer(c, s);
  const d = performance.now();
  for (;;) {
    const r = s.readEx(65536);
    if (!r.ok) break;
    got += r.data.length;
  }
  tw += b - a;
  tt += d - b;
  tr += performance.now() - d;
}
const ms = performance.now() - t0;
const recs = TOTAL / 16384;
const us = (x: number) => ((x * 1000) / recs).toFixed(1);
console.log(
  `${suite}: ${(TOTAL / 1e6 / (ms / 1000)).toFixed(0)} MB/s; per 16 KiB record: write ${us(tw)} us, transfer ${us(tt)} us, read ${us(tr)} us, total ${us(ms)} us`,
);
c.dispose();
s.dispose();
