/**
 * Cold start (issue #16): every sample is a fresh Node process, a fresh
 * Chromium (an empty profile of its own; then a second page of it: warm
 * cache) or a fresh workerd instance; medians of BENCH_COLD_RUNS
 * (default 7) samples, the peer measured interleaved in the same run.
 *
 * Rows: evaluating the bundle that holds wasmtls (import), compiling the
 * module, instantiating it, `init()` as an application calls it, the first
 * full handshake pair in memory (TLS 1.3, X25519, RSA-2048 server
 * certificate), the second. bench/cold-probe.ts is what runs in each.
 * `node bench/run.mjs cold`
 */
import { execFile, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { CHROMIUM_ARGS, freePort } from '../test/helpers/runtimes.js';
import { epoxyDir, root } from './harness.js';
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
const r = await m.coldRun(mode, source, c, process.argv[3] === 'warm');
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
  const { stdout } = await run(process.execPath, [`${dir}/${script}`, ...args], { timeout: 60_000 });
  const r = JSON.parse(stdout.trim().split('\n').pop()!) as Sample;
  return r;
}

const node = { init: [] as Sample[], phases: [] as Sample[], tls: [] as Sample[] };
for (let i = 0; i < RUNS; i++) {
  node.init.push(await nodeSample('node-wasmtls.mjs', 'init', 'warm'));
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
    ['pair, steady state (same process, after 40)', cell(ni.warm), '–'],
  ],
);

// ---- Chromium -------------------------------------------------------------
// Each sample: a new browser with an empty profile and a page in it ("cold
// cache"); then, 3 s later, a second page of that browser ("warm cache":
// the .wasm comes from the HTTP cache, and with it whatever compiled code
// V8 cached for it). Files are served cacheable, as a site serves them.
const epoxy = epoxyDir();
copyFileSync(`${epoxy}/full/epoxy.wasm`, `${dir}/epoxy.wasm`);
await build({
  entryPoints: [`${epoxy}/full/epoxy.js`],
  bundle: true,
  format: 'esm',
  platform: 'neutral',
  target: 'es2022',
  outfile: `${dir}/epoxy.js`,
  logLevel: 'error',
});
writeFileSync(
  `${dir}/index.html`,
  `<!doctype html><meta charset="utf-8"><script type="module">
const q = new URLSearchParams(location.search);
const mode = q.get('mode');
try {
  const c = await (await fetch('./cert.json')).json();
  if (q.get('who') === 'epoxy') {
    const t0 = performance.now();
    const m = await import('./epoxy.js');
    const r = { import: performance.now() - t0 };
    let t = performance.now();
    if (mode === 'init') {
      await m.default({ module_or_path: fetch('./epoxy.wasm') });
      r.init = performance.now() - t;
    } else {
      const res = await fetch('./epoxy.wasm');
      r.fetch = performance.now() - t; t = performance.now();
      const mod = await WebAssembly.compileStreaming(res);
      r.compile = performance.now() - t; t = performance.now();
      await m.default({ module_or_path: mod });
      r.instantiate = performance.now() - t;
    }
    window.__result = r;
  } else {
    const t0 = performance.now();
    const m = await import('./probe.js');
    const imported = performance.now() - t0;
    const r = await m.coldRun(mode, () => fetch('./wasmtls.wasm'), c, q.get('warm') === '1');
    window.__result = { import: imported, ...r };
  }
} catch (e) { window.__result = { error: String(e && e.stack || e) }; }
</script>`,
);
const TYPES: Record<string, string> = { html: 'text/html', js: 'text/javascript', json: 'application/json', wasm: 'application/wasm' };
const server = createServer((req, res) => {
  const path = new URL(req.url ?? '/', 'http://x').pathname;
  const file = path === '/' ? 'index.html' : path.slice(1);
  try {
    const body = readFileSync(`${dir}/${file}`);
    res.writeHead(200, {
      'content-type': TYPES[file.slice(file.lastIndexOf('.') + 1)] ?? 'application/octet-stream',
      'cache-control': 'max-age=3600',
    });
    res.end(body);
  } catch {
    res.writeHead(404).end();
  }
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
const { chromium } = await import('playwright-core');
type Page = Awaited<ReturnType<Awaited<ReturnType<typeof chromium.launchPersistentContext>>['newPage']>>;
async function pageRun(page: Page, query: string): Promise<Sample> {
  await page.goto(`${base}?${query}`);
  await page.waitForFunction(() => (window as unknown as { __result?: unknown }).__result, undefined, { timeout: 60_000, polling: 50 });
  const r = await page.evaluate(() => (window as unknown as { __result: Sample | { error: string } }).__result);
  if ('error' in r) throw new Error(`Chromium page (${query}): ${r.error}`);
  return r as Sample;
}
const chr: Record<string, Sample[]> = {};
const add = (k: string, s: Sample): void => {
  (chr[k] ??= []).push(s);
};
let chromiumVersion = '';
try {
  for (let i = 0; i < RUNS; i++) {
    for (const [who, mode] of [
      ['wasmtls', 'init'],
      ['wasmtls', 'phases'],
      ['epoxy', 'init'],
      ['epoxy', 'phases'],
    ] as const) {
      // A browser with a profile of its own on disk: an incognito context
      // (browser.newContext()) keeps no compiled-code cache, which a
      // returning visitor's browser has.
      const profile = mkdtempSync(join(tmpdir(), 'wasmtls-cold-'));
      const ctx = await chromium.launchPersistentContext(profile, { executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
      try {
        const q = `who=${who}&mode=${mode}${who === 'wasmtls' && mode === 'init' ? '&warm=1' : ''}`;
        const first = await ctx.newPage();
        chromiumVersion ||= await first.evaluate(() => navigator.userAgent.match(/Chrome\/([\d.]+)/)?.[1] ?? '');
        add(`${who} ${mode} cold`, await pageRun(first, q));
        await first.close();
        // V8 writes a module's compiled code to the cache once it has
        // tiered up for a while (its caching timeout is 2 s).
        await new Promise((r) => setTimeout(r, 3000));
        add(`${who} ${mode} warm`, await pageRun(await ctx.newPage(), q.replace('&warm=1', '')));
      } finally {
        await ctx.close();
        rmSync(profile, { recursive: true, force: true });
      }
    }
  }
} finally {
  server.close();
}
const cc = (k: string): Record<string, number> => collect(chr[k]);
const [wic, wiw, wpc, wpw, eic, eiw, epc, epw] = [
  'wasmtls init cold',
  'wasmtls init warm',
  'wasmtls phases cold',
  'wasmtls phases warm',
  'epoxy init cold',
  'epoxy init warm',
  'epoxy phases cold',
  'epoxy phases warm',
].map(cc);
const both = (a: number | undefined, b: number | undefined): string => `${cell(a)} / ${cell(b)}`;
console.log(
  `\nChromium ${chromiumVersion}, cold start, ms, cold cache (a new profile) / warm cache (a second page, same profile, 3 s later); median of ${RUNS} pages each, interleaved`,
);
table(
  ['row', 'wasmtls', 'epoxy-tls 2.1.19-1 (full)'],
  [
    ['import (fetch + JS evaluation)', both(wic.import, wiw.import), both(eic.import, eiw.import)],
    ['fetch .wasm (response headers)', both(wpc.fetch, wpw.fetch), both(epc.fetch, epw.fetch)],
    ['wasm compileStreaming', both(wpc.compile, wpw.compile), both(epc.compile, epw.compile)],
    ['instantiate', both(wpc.instantiate, wpw.instantiate), both(epc.instantiate, epw.instantiate)],
    ['init() total (fetch + compile + instantiate)', both(wic.init, wiw.init), both(eic.init, eiw.init)],
    ['first handshake pair', both(wic.pair1, wiw.pair1), 'no in-memory pair (client only, over Wisp)'],
    ['second handshake pair', both(wic.pair2, wiw.pair2), '–'],
    ['pair, steady state (after 40)', cell(wic.warm), '–'],
  ],
);

// ---- workerd ----------------------------------------------------------------
// workerd loads the worker's modules when it starts: the bundle is evaluated
// and the .wasm compiled then (a `wasm` module is a WebAssembly.Module; a
// worker may not compile at run time). So: the time from spawn to the first
// answer, beside a worker without wasmtls (the difference is import and
// compile); then, in the same instance, each step as its own request, timed
// from here less the round trip of an empty request.
writeFileSync(`${dir}/worker-empty.mjs`, "export default { async fetch() { return new Response('ok'); } };\n");
writeFileSync(
  `${dir}/worker-wasmtls.mjs`,
  `import mod from './wasmtls.wasm';
import c from './cert.json';
import { init, pair } from './probe.js';
export default {
  async fetch(req) {
    const p = new URL(req.url).pathname;
    const t = performance.now();
    if (p === '/init') await init(mod);
    else if (p === '/pair') pair(c);
    return new Response(String(performance.now() - t));
  },
};
`,
);
writeFileSync(
  `${dir}/worker-epoxy.mjs`,
  `import mod from './epoxy.wasm';
import init from './epoxy.js';
export default {
  async fetch(req) {
    if (new URL(req.url).pathname === '/init') await init({ module_or_path: mod });
    return new Response('ok');
  },
};
`,
);
const WORKERS = {
  empty: [['worker-empty.mjs', 'esModule']],
  wasmtls: [
    ['worker-wasmtls.mjs', 'esModule'],
    ['probe.js', 'esModule'],
    ['wasmtls.wasm', 'wasm'],
    ['cert.json', 'json'],
  ],
  epoxy: [
    ['worker-epoxy.mjs', 'esModule'],
    ['epoxy.js', 'esModule'],
    ['epoxy.wasm', 'wasm'],
  ],
} as const;

async function workerdSample(name: keyof typeof WORKERS, steps: string[]): Promise<Sample> {
  const port = await freePort();
  const mods = WORKERS[name].map(([f, type]) => `(name = "${f}", ${type} = embed "${f}")`).join(', ');
  writeFileSync(
    `${dir}/${name}.capnp`,
    `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "main", worker = .w) ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ] );
const w :Workerd.Worker = ( modules = [ ${mods} ], compatibilityDate = "2024-09-23" );
`,
  );
  const t0 = performance.now();
  const child = spawn(`${root}node_modules/.bin/workerd`, ['serve', `${dir}/${name}.capnp`], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr.on('data', (d) => (log += d));
  let inside = 0;
  const get = async (path: string): Promise<number> => {
    const t = performance.now();
    const r = await fetch(`http://127.0.0.1:${port}${path}`);
    const body = await r.text();
    if (r.status !== 200) throw new Error(`workerd ${name} ${path}: ${r.status} ${body}\n${log}`);
    inside = Number(body);
    return performance.now() - t;
  };
  try {
    const r: Sample = {};
    for (;;) {
      try {
        await get('/');
        break;
      } catch (e) {
        if (child.exitCode !== null || performance.now() - t0 > 30_000)
          throw new Error(`workerd ${name} did not serve: ${String(e)}\n${log}`);
        await new Promise((res) => setTimeout(res, 2));
      }
    }
    r.start = performance.now() - t0;
    const rtts = [await get('/'), await get('/'), await get('/')];
    const rtt = rtts.sort((a, b) => a - b)[1];
    for (const s of steps) {
      r[s] = (await get(`/${s.replace(/\d$/, '')}`)) - rtt;
      // The worker's own clock (workerd's performance.now() has 1 ms steps).
      r[`${s}In`] = inside;
    }
    return r;
  } finally {
    child.kill('SIGTERM');
  }
}

const wd: Record<string, Sample[]> = { empty: [], wasmtls: [], epoxy: [] };
for (let i = 0; i < RUNS; i++) {
  wd.empty.push(await workerdSample('empty', []));
  wd.wasmtls.push(await workerdSample('wasmtls', ['init', 'pair1', 'pair2']));
  wd.epoxy.push(await workerdSample('epoxy', ['init']));
}
const [we, ww, wx] = [collect(wd.empty), collect(wd.wasmtls), collect(wd.epoxy)];
console.log(
  `\nworkerd, cold start, ms (median of ${RUNS} fresh instances each, interleaved; requests timed from this process less an empty request's round trip)`,
);
table(
  ['row', 'wasmtls', 'epoxy-tls 2.1.19-1 (full)'],
  [
    [`spawn to first answer (empty worker: ${cell(we.start)})`, cell(ww.start), cell(wx.start)],
    ['  less the empty worker: import + wasm compile', cell(ww.start - we.start), cell(wx.start - we.start)],
    ['instantiate: init(module)', cell(ww.init), cell(wx.init)],
    ['first handshake pair', cell(ww.pair1), 'no in-memory pair (client only, over Wisp)'],
    ['second handshake pair', cell(ww.pair2), '–'],
    ["the same three by the worker's clock (1 ms steps)", `${cell(ww.initIn)}, ${cell(ww.pair1In)}, ${cell(ww.pair2In)}`, '–'],
  ],
);
