/**
 * Cold start (issue #16): every sample is a fresh Node process, a fresh
 * Chromium page or a fresh workerd instance; medians of BENCH_COLD_RUNS
 * (default 7) samples, the peer measured interleaved in the same run.
 *
 * Rows: evaluating the bundle that holds wasmtls (import), compiling the
 * module, instantiating it, `init()` as an application calls it, the first
 * full handshake pair in memory (TLS 1.3, X25519, RSA-2048 server
 * certificate), the second. bench/cold-probe.ts is what runs in each.
 * `node bench/run.mjs cold`
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { root } from './harness.js';
import { selfSigned } from './tlsfixture.js';
import { fmt, table } from './util.js';

const run = promisify(execFile);
const RUNS = Number(process.env.BENCH_COLD_RUNS ?? 7);
const dir = `${root}build/bench/cold`;
mkdirSync(dir, { recursive: true });

// The probe as an application bundles it: one ES module, wasmtls.wasm
// beside it (init() with no source finds it there).
await build({
  entryPoints: [`${root}bench/cold-probe.ts`],
  bundle: true,
  format: 'esm',
  platform: 'neutral',
  target: 'es2022',
  outfile: `${dir}/probe.js`,
  logLevel: 'error',
});
copyFileSync(`${root}dist/wasmtls.wasm`, `${dir}/wasmtls.wasm`);
const cert = selfSigned('rsa2048');
writeFileSync(`${dir}/cert.json`, JSON.stringify(cert));

// Node, wasmtls: import the probe (timed here), then init() or the phases.
writeFileSync(
  `${dir}/node-wasmtls.mjs`,
  `const t0 = performance.now();
const m = await import('./probe.js');
const imported = performance.now() - t0;
const { readFileSync } = await import('node:fs');
const { readFile } = await import('node:fs/promises');
const c = JSON.parse(readFileSync(new URL('./cert.json', import.meta.url), 'utf8'));
const mode = process.argv[2];
const source = mode === 'init' ? () => undefined : async () => new Uint8Array(await readFile(new URL('./wasmtls.wasm', import.meta.url)));
const r = await m.coldRun(mode, source, c);
console.log(JSON.stringify({ import: imported, ...r }));
`,
);
// Node's own tls: the same pair (server and client in this process, over
// loopback: Node has no in-memory TLS pair), first and second.
writeFileSync(
  `${dir}/node-tls.mjs`,
  `const t0 = performance.now();
const tls = await import('node:tls');
const imported = performance.now() - t0;
const { readFileSync } = await import('node:fs');
const c = JSON.parse(readFileSync(new URL('./cert.json', import.meta.url), 'utf8'));
function pair() {
  return new Promise((resolve, reject) => {
    let n = 0;
    const sockets = [];
    const done = () => {
      if (++n < 2) return;
      if (client.getProtocol() !== 'TLSv1.3') reject(new Error('Node negotiated ' + client.getProtocol()));
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    };
    const server = tls.createServer({ key: c.key, cert: c.cert }, (s) => { sockets.push(s); done(); });
    server.on('tlsClientError', reject);
    let client;
    server.listen(0, '127.0.0.1', () => {
      client = tls.connect({ host: '127.0.0.1', port: server.address().port, rejectUnauthorized: false }, done);
      sockets.push(client);
      client.on('error', reject);
    });
  });
}
let t = performance.now();
await pair();
const pair1 = performance.now() - t;
t = performance.now();
await pair();
const pair2 = performance.now() - t;
console.log(JSON.stringify({ import: imported, pair1, pair2 }));
`,
);

type Sample = Record<string, number>;
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
function collect(samples: Sample[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of Object.keys(samples[0] ?? {})) out[k] = median(samples.map((s) => s[k]));
  return out;
}
const cell = (x: number | undefined): string => (x === undefined ? '–' : fmt(x));

async function nodeSample(script: string, ...args: string[]): Promise<Sample> {
  const t = performance.now();
  const { stdout } = await run(process.execPath, [`${dir}/${script}`, ...args], { timeout: 60_000 });
  const r = JSON.parse(stdout.trim().split('\n').pop()!) as Sample;
  // The whole process, start to exit: Node's own start-up included.
  r.process = performance.now() - t;
  return r;
}

const node = { init: [] as Sample[], phases: [] as Sample[], tls: [] as Sample[] };
for (let i = 0; i < RUNS; i++) {
  node.init.push(await nodeSample('node-wasmtls.mjs', 'init'));
  node.phases.push(await nodeSample('node-wasmtls.mjs', 'phases'));
  node.tls.push(await nodeSample('node-tls.mjs'));
}
const ni = collect(node.init);
const np = collect(node.phases);
const nt = collect(node.tls);
console.log(`\nNode ${process.version}, cold start, ms (median of ${RUNS} fresh processes each, interleaved)`);
table(
  ['row', 'wasmtls', "Node's tls (OpenSSL)"],
  [
    ['import (JS evaluation)', cell(ni.import), `${cell(nt.import)} (node:tls)`],
    ['read the .wasm file', cell(np.fetch), '–'],
    ['wasm compile', cell(np.compile), '–'],
    ['instantiate', cell(np.instantiate), '–'],
    ['init() total', cell(ni.init), '–'],
    ['first handshake pair', cell(ni.pair1), cell(nt.pair1)],
    ['second handshake pair', cell(ni.pair2), cell(nt.pair2)],
    ['whole process, start to exit', cell(ni.process), cell(nt.process)],
  ],
);
