/**
 * Paired A/B of RSA-2048 PSS signing between two builds of the module in
 * one process, beside node:crypto: the rounds interleave A, B and Node
 * (bench/util's compare), so load drift hits all three alike.
 * `BENCH_AB=old.wasm,new.wasm node bench/run.mjs pk-ab` (SIMD builds;
 * BENCH_RUNS sets the rounds). Prints sign/s per build and the ratios.
 */
import * as nc from 'node:crypto';
import { readFileSync } from 'node:fs';
import { instantiateSync, useInstance } from '../ts/core/loader.js';
import { rsaParsePrivateKey, rsaSign } from '../ts/core/rsa.js';
import { compare } from './util.js';

const files = (process.env.BENCH_AB ?? '').split(',').filter((s) => s !== '');
if (files.length !== 2) throw new Error('BENCH_AB=a.wasm,b.wasm: two module files');
const [wa, wb] = files.map((f) => instantiateSync(new Uint8Array(readFileSync(f))));
const msg = new Uint8Array(nc.randomBytes(100));
const { privateKey } = nc.generateKeyPairSync('rsa', { modulusLength: 2048 });
const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
useInstance(wa);
const ka = rsaParsePrivateKey(pem);
useInstance(wb);
const kb = rsaParsePrivateKey(pem);
const pss = { padding: nc.constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 };
const r = await compare({
  a: () => {
    useInstance(wa);
    return rsaSign(ka, 'pss', 'SHA-256', msg);
  },
  b: () => {
    useInstance(wb);
    return rsaSign(kb, 'pss', 'SHA-256', msg);
  },
  node: () => nc.sign('sha256', msg, { key: privateKey, ...pss }),
});
const f = (x: number) => x.toFixed(1);
console.log(
  `RSA-2048 PSS sign/s: A ${f(r.a)} (${(r.a / r.node).toFixed(3)}x node), B ${f(r.b)} (${(r.b / r.node).toFixed(3)}x node), node ${f(r.node)}; B/A ${(r.b / r.a).toFixed(3)}`,
);
