/**
 * `npm start`: a self-check in Node. Loads the module the way a user would,
 * prints what it supports, and checks each primitive against a known answer
 * typed from its standard. (The TLS demo takes this place in a later issue.)
 */
import { readFileSync, statSync } from 'node:fs';
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
console.log(`  imports     ${WebAssembly.Module.imports(mod).map((i) => `${i.module}.${i.name}`).join(', ')}`);

const checks: [string, () => string, string][] = [
  ['SHA-256', () => hex(digest('SHA-256', enc('abc'))), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
  ['SHA-384', () => hex(digest('SHA-384', enc('abc'))),
    'cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7'],
  ['SHA-512', () => hex(digest('SHA-512', enc('abc'))).slice(0, 32), 'ddaf35a193617abacc417349ae204131'],
  ['HMAC-SHA-256', () => hex(hmac('SHA-256', enc('Jefe'), enc('what do ya want for nothing?'))),
    '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843'],
  ['HKDF-SHA-256', () => hex(hkdf('SHA-256', new Uint8Array(22).fill(11), Buffer.from('000102030405060708090a0b0c', 'hex'),
    Buffer.from('f0f1f2f3f4f5f6f7f8f9', 'hex'), 42)),
    '3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865'],
  ['HKDF-Expand-Label', () => {
    // RFC 8448 section 3: early secret -> "derived"
    const early = hkdfExtract('SHA-256', new Uint8Array(0), new Uint8Array(32));
    return hex(hkdfExpandLabel('SHA-256', early, 'derived', digest('SHA-256', new Uint8Array(0)), 32));
  }, '6f2615a108c702c5678f54fc9dbab69716c076189c48250cebeac3576c3611ba'],
];
let bad = 0;
for (const [name, run, want] of checks) {
  const ok = run() === want;
  if (!ok) bad++;
  console.log(`  ${name.padEnd(18)} ${ok ? 'ok' : 'MISMATCH'}`);
}
console.log(bad ? `${bad} check(s) failed` : 'all checks passed');
process.exitCode = bad ? 1 : 0;
