/**
 * SHA-256 and HMAC-SHA-256 throughput at 64 B, 1 KiB and 16 KiB: wasmtls
 * (SIMD and scalar builds: the hash is scalar code in both) beside
 * node:crypto (native OpenSSL) and @noble/hashes (pure JS), same run.
 * `node bench/run.mjs hash`
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { hmac as nobleHmac } from '@noble/hashes/hmac.js';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { digest, hmac } from '../ts/core/hash.js';
import { loadShared, opsPerSec, RUNS, ratio, table } from './util.js';

loadShared('simd');
const key = randomBytes(32);
const rows: (string | number)[][] = [];
console.log(`hash throughput, MB/s (median of ${RUNS} runs), Node ${process.version}`);
for (const size of [64, 1024, 16384]) {
  const msg = new Uint8Array(randomBytes(size));
  const mbs = (ops: number) => (ops * size) / 1e6;
  const ours = mbs(opsPerSec(() => digest('SHA-256', msg)));
  const node = mbs(opsPerSec(() => createHash('sha256').update(msg).digest()));
  const noble = mbs(opsPerSec(() => nobleSha256(msg)));
  rows.push([`SHA-256 ${size} B`, ours, node, noble, ratio(ours, node), ratio(ours, noble)]);
  const oursH = mbs(opsPerSec(() => hmac('SHA-256', key, msg)));
  const nodeH = mbs(opsPerSec(() => createHmac('sha256', key).update(msg).digest()));
  const nobleH = mbs(opsPerSec(() => nobleHmac(nobleSha256, key, msg)));
  rows.push([`HMAC-SHA-256 ${size} B`, oursH, nodeH, nobleH, ratio(oursH, nodeH), ratio(oursH, nobleH)]);
}
table(['operation', 'wasmtls', 'node:crypto', '@noble/hashes', 'vs node', 'vs noble'], rows);
