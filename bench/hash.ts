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
import { compare, loadShared, RUNS, ratio, table } from './util.js';

loadShared('simd');
const key = randomBytes(32);
const rows: (string | number)[][] = [];
console.log(`hash throughput, MB/s (median of ${RUNS} interleaved runs), Node ${process.version}`);
for (const size of [64, 1024, 16384]) {
  const msg = new Uint8Array(randomBytes(size));
  const mbs = (ops: number) => (ops * size) / 1e6;
  const h = await compare({
    ours: () => digest('SHA-256', msg),
    node: () => createHash('sha256').update(msg).digest(),
    noble: () => nobleSha256(msg),
  });
  rows.push([`SHA-256 ${size} B`, mbs(h.ours), mbs(h.node), mbs(h.noble), ratio(h.ours, h.node), ratio(h.ours, h.noble)]);
  const m = await compare({
    ours: () => hmac('SHA-256', key, msg),
    node: () => createHmac('sha256', key).update(msg).digest(),
    noble: () => nobleHmac(nobleSha256, key, msg),
  });
  rows.push([`HMAC-SHA-256 ${size} B`, mbs(m.ours), mbs(m.node), mbs(m.noble), ratio(m.ours, m.node), ratio(m.ours, m.noble)]);
}
table(['operation', 'wasmtls', 'node:crypto', '@noble/hashes', 'vs node', 'vs noble'], rows);
