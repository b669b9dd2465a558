/**
 * `npm run selfcheck`: a self-check in Node. Loads the module the way a user would,
 * prints what it supports, checks the hash family against known answers
 * typed from its standards, then does real TLS: our client against Node's
 * `tls` server (OpenSSL) on 127.0.0.1, with the certificate chain validated
 * by the engine, and prints the handshake and the throughput. (`npm
 * start` is the tunnel demo, ts/demo.ts.)
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:tls';
import { Connection, TLSContext } from './core/connection.js';
import { fileURLToPath } from 'node:url';
import { init, simdSupported } from './core/loader.js';
import { digest, hmac, hkdf, hkdfExpandLabel, hkdfExtract } from './core/hash.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

const t0 = performance.now();
const w = await init();
const ms = (performance.now() - t0).toFixed(1);
const file = fileURLToPath(new URL(w.simd ? './wasmtls.wasm' : './wasmtls-scalar.wasm', import.meta.url));
const mod = new WebAssembly.Module(readFileSync(file));
console.log(`wasmtls self-check (Node ${process.version})`);
console.log(`  module      ${file.split('/').pop()} ${statSync(file).size} bytes, loaded in ${ms} ms`);
console.log(`  SIMD128     runtime ${simdSupported() ? 'yes' : 'no'}, build ${w.simd ? 'yes' : 'no'}`);
console.log(
  `  imports     ${WebAssembly.Module.imports(mod)
    .map((i) => `${i.module}.${i.name}`)
    .join(', ')}`,
);

const checks: [string, () => string, string][] = [
  ['SHA-256', () => hex(digest('SHA-256', enc('abc'))), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
  [
    'SHA-384',
    () => hex(digest('SHA-384', enc('abc'))),
    'cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7',
  ],
  ['SHA-512', () => hex(digest('SHA-512', enc('abc'))).slice(0, 32), 'ddaf35a193617abacc417349ae204131'],
  [
    'HMAC-SHA-256',
    () => hex(hmac('SHA-256', enc('Jefe'), enc('what do ya want for nothing?'))),
    '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
  ],
  [
    'HKDF-SHA-256',
    () =>
      hex(
        hkdf(
          'SHA-256',
          new Uint8Array(22).fill(11),
          Buffer.from('000102030405060708090a0b0c', 'hex'),
          Buffer.from('f0f1f2f3f4f5f6f7f8f9', 'hex'),
          42,
        ),
      ),
    '3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865',
  ],
  [
    'HKDF-Expand-Label',
    () => {
      // RFC 8448 section 3: early secret -> "derived"
      const early = hkdfExtract('SHA-256', new Uint8Array(0), new Uint8Array(32));
      return hex(hkdfExpandLabel('SHA-256', early, 'derived', digest('SHA-256', new Uint8Array(0)), 32));
    },
    '6f2615a108c702c5678f54fc9dbab69716c076189c48250cebeac3576c3611ba',
  ],
];
let bad = 0;
for (const [name, run, want] of checks) {
  const ok = run() === want;
  if (!ok) bad++;
  console.log(`  ${name.padEnd(18)} ${ok ? 'ok' : 'MISMATCH'}`);
}
console.log(bad ? `${bad} check(s) failed` : 'all checks passed');
process.exitCode = bad ? 1 : 0;

// ---- real TLS: our client <-> Node's tls server (OpenSSL) on 127.0.0.1 ----
const dir = mkdtempSync(join(tmpdir(), 'wasmtls-start-'));
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
    '1',
    '-subj',
    '/CN=localhost',
    '-addext',
    'subjectAltName=DNS:localhost',
    '-addext',
    'extendedKeyUsage=serverAuth',
    '-keyout',
    join(dir, 'key.pem'),
    '-out',
    join(dir, 'cert.pem'),
  ],
  { stdio: 'ignore' },
);
const certPem = readFileSync(join(dir, 'cert.pem'), 'utf8');
const keyPem = readFileSync(join(dir, 'key.pem'), 'utf8');
rmSync(dir, { recursive: true, force: true });
const TOTAL = 16 << 20;
const server = createServer({ cert: certPem, key: keyPem, minVersion: 'TLSv1.3', ALPNProtocols: ['demo/1'] }, (s) => {
  let n = 0;
  s.on('data', (d: Buffer) => {
    n += d.length;
    if (n >= TOTAL) s.end(`received ${n} bytes\n`);
  });
  s.on('error', () => {});
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const port = (server.address() as { port: number }).port;

const ctx = new TLSContext({ verify: 'chain', ca: certPem, alpn: ['demo/1'] });
const conn = new Connection(ctx);
conn.setConnectState();
conn.setServerName('localhost');
const sock = tcpConnect(port, '127.0.0.1');
let waiting: (() => void) | undefined;
let eof = false;
sock.on('data', (d: Buffer) => {
  conn.network.write(new Uint8Array(d));
  waiting?.();
});
sock.on('end', () => {
  eof = true;
  conn.network.end();
  waiting?.();
});
const flush = () => {
  for (let out = conn.network.read(); out.length > 0; out = conn.network.read()) sock.write(out);
};
const more = () => new Promise<void>((r) => (waiting = r));

const th = performance.now();
for (;;) {
  const r = conn.doHandshake();
  flush();
  if (r === 1) break;
  const e = conn.getError(r);
  if (e !== 'WANT_READ') throw conn.error ?? new Error(`handshake: ${e}`);
  await more();
}
const hsMs = performance.now() - th;
console.log(`\nTLS with Node's tls server (OpenSSL) on 127.0.0.1:${port}`);
console.log(
  `  handshake   ${conn.version} ${conn.cipher} ${conn.group} ${conn.peerSignatureScheme}, ALPN ${conn.alpnProtocol}, ${hsMs.toFixed(1)} ms`,
);
console.log(
  `  certificate ${conn.verifyCode === 0 ? 'verified' : `NOT verified: ${conn.verifyError}`} (chain to the configured anchor, host localhost)`,
);
const chunk = new Uint8Array(16384).map((_, i) => i);
const t1 = performance.now();
for (let sent = 0; sent < TOTAL; ) {
  const r = conn.writeEx(chunk);
  if (r.ok) sent += r.written;
  flush();
  if (!r.ok && conn.getError(false) !== 'WANT_WRITE') throw conn.error ?? new Error('write failed');
  if (sock.writableLength > 1 << 20) await new Promise((r2) => sock.once('drain', r2));
}
let reply = '';
for (;;) {
  const r = conn.readEx(4096);
  flush();
  if (r.ok) {
    reply += new TextDecoder().decode(r.data);
    continue;
  }
  const e = conn.getError(false);
  if (e === 'ZERO_RETURN' || (e === 'SYSCALL' && eof)) break;
  if (e !== 'WANT_READ') throw conn.error ?? new Error(`read: ${e}`);
  if (eof) break;
  await more();
}
const secs = (performance.now() - t1) / 1000;
console.log(
  `  data        ${TOTAL >> 20} MiB sent in ${secs.toFixed(2)} s (${(TOTAL / 1e6 / secs).toFixed(0)} MB/s), peer says: ${reply.trim()}`,
);
conn.shutdown();
flush();
sock.removeAllListeners('data');
sock.removeAllListeners('end');
sock.end();
conn.dispose();
ctx.dispose();
server.close();
if (!reply.startsWith(`received ${TOTAL}`)) process.exitCode = 1;
