/**
 * Run a bundled ES module in each runtime we support and collect what it
 * reports: Node (in process), Deno (npm `deno`), workerd (npm `workerd`,
 * wasm imported as a module) and headless Chromium (Debian `chromium` via
 * `playwright-core`), page and module Web Worker.
 */
import { execFile, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as netServer, type AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { root, wasmPath } from './env.js';

const run = promisify(execFile);

/** Bundle `entry` (runtime-neutral TS) to dir/harness.js beside a copy of
 * the SIMD wasm. Returns dir. `external`: modules the runtime provides
 * (`cloudflare:sockets`), left as imports. */
export async function bundle(entry: string, dir: string, external: string[] = []): Promise<string> {
  mkdirSync(dir, { recursive: true });
  await build({
    entryPoints: [entry],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    outfile: `${dir}/harness.js`,
    logLevel: 'error',
    external,
  });
  copyFileSync(wasmPath('simd'), `${dir}/wasmtls.wasm`);
  return dir;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = netServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

/** Node: import the bundle in this process and call its `runAll(bytes)`. */
export async function inNode<T>(dir: string): Promise<T> {
  const m = (await import(pathToFileURL(`${dir}/harness.js`).href)) as { runAll(src: unknown): Promise<T> };
  return m.runAll(new Uint8Array(readFileSync(`${dir}/wasmtls.wasm`)));
}

/** Deno: the module is loaded from a file: URL (the loader reads it).
 * `permissions` replaces the default `--allow-read` (a scenario that
 * opens sockets adds `--allow-net=127.0.0.1`). */
export async function inDeno<T>(dir: string, permissions: string[] = ['--allow-read']): Promise<T> {
  writeFileSync(
    `${dir}/deno_main.js`,
    [
      "import { runAll } from './harness.js';",
      "console.log(JSON.stringify(await runAll(new URL('./wasmtls.wasm', import.meta.url))));",
    ].join('\n'),
  );
  const { stdout } = await run(`${root}node_modules/.bin/deno`, ['run', ...permissions, '--no-remote', `${dir}/deno_main.js`], {
    env: { ...process.env, DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1', DENO_DIR: `${dir}/.deno` },
    timeout: 60_000,
  });
  return JSON.parse(stdout.trim().split('\n').pop()!) as T;
}

/** workerd: the wasm is a module of the worker (a WebAssembly.Module:
 * Workers refuse to compile at run time); the harness runs in a fetch.
 * `opts.network`: see {@link fetchWorkerd}. */
export async function inWorkerd<T>(dir: string, opts: { network?: boolean } = {}): Promise<T> {
  writeFileSync(
    `${dir}/worker.mjs`,
    [
      "import { runAll } from './harness.js';",
      "import mod from './wasmtls.wasm';",
      'export default { async fetch() { return Response.json(await runAll(mod)); } };',
    ].join('\n'),
  );
  const r = await fetchWorkerd(
    dir,
    [
      { name: 'worker.mjs', type: 'esModule' },
      { name: 'harness.js', type: 'esModule' },
      { name: 'wasmtls.wasm', type: 'wasm' },
    ],
    '/',
    opts,
  );
  if (r.status !== 200) throw new Error(`workerd answered ${r.status}: ${r.text}\n${r.log}`);
  return JSON.parse(r.text) as T;
}

/** One module of a workerd worker: a file in the worker's directory. */
export interface WorkerdModule {
  /** File name in dir, also the module's name (the first is the main module). */
  name: string;
  type: 'esModule' | 'wasm' | 'text' | 'data' | 'json';
}

/**
 * Serve a worker made of `modules` (files in `dir`; the first is the main
 * module) with npm `workerd` on a free 127.0.0.1 port, fetch `path` once it
 * is up, and stop workerd. Writes dir/config.capnp. Returns the answer and
 * workerd's output; throws when workerd never serves.
 *
 * `opts.network`: the worker's outbound fetch(), WebSocket and connect()
 * may reach private and local addresses (the tests' servers on 127.0.0.1);
 * workerd's default outbound allows public addresses only.
 */
export async function fetchWorkerd(
  dir: string,
  modules: WorkerdModule[],
  path = '/',
  opts: { compatibilityDate?: string; timeoutMs?: number; network?: boolean } = {},
): Promise<{ status: number; text: string; log: string }> {
  const port = await freePort();
  const mods = modules.map((m) => `(name = ${JSON.stringify(m.name)}, ${m.type} = embed ${JSON.stringify(m.name)})`);
  const net = opts.network ? ',\n    (name = "internet", network = (allow = ["public", "private", "local"]))' : '';
  writeFileSync(
    `${dir}/config.capnp`,
    `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "main", worker = .w)${net} ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ] );
const w :Workerd.Worker = (
  modules = [ ${mods.join(',\n              ')} ],
  compatibilityDate = "${opts.compatibilityDate ?? '2024-09-23'}"${opts.network ? ',\n  globalOutbound = "internet"' : ''} );
`,
  );
  const child = spawn(`${root}node_modules/.bin/workerd`, ['serve', `${dir}/config.capnp`], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout.on('data', (d) => (log += d));
  child.stderr.on('data', (d) => (log += d));
  try {
    const deadline = Date.now() + (opts.timeoutMs ?? 20_000);
    for (;;) {
      try {
        const r = await fetch(`http://127.0.0.1:${port}${path}`);
        return { status: r.status, text: await r.text(), log };
      } catch (e) {
        if (child.exitCode !== null || Date.now() > deadline) throw new Error(`workerd did not serve: ${String(e)}\n${log}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  } finally {
    child.kill('SIGTERM');
  }
}

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm' };

/** Serve dir on 127.0.0.1 (wasm as application/wasm, so streaming compile
 * applies). Returns the server and its base URL. */
export async function serveDir(dir: string): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const file = path === '/' ? '/index.html' : path;
    try {
      const body = readFileSync(`${dir}${file}`);
      res.writeHead(200, { 'content-type': TYPES[file.slice(file.lastIndexOf('.'))] ?? 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` };
}

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
];

/** Chromium: the page and a module Web Worker each load the module with
 * fetch() (a Response: streaming compile) and run the harness. */
export async function inChromium<T>(dir: string): Promise<{ page: T; worker: T }> {
  writeFileSync(
    `${dir}/index.html`,
    `<!doctype html><meta charset="utf-8"><script type="module">
import { runAll } from './harness.js';
try { window.__page = await runAll(fetch('./wasmtls.wasm')); } catch (e) { window.__page = { error: String(e && e.stack || e) }; }
const w = new Worker('./worker.js', { type: 'module' });
w.onmessage = (e) => { window.__worker = e.data; };
w.onerror = (e) => { window.__worker = { error: String(e.message) }; };
</script>`,
  );
  writeFileSync(
    `${dir}/worker.js`,
    `import { runAll } from './harness.js';
try { postMessage(await runAll(fetch('./wasmtls.wasm'))); } catch (e) { postMessage({ error: String(e && e.stack || e) }); }
`,
  );
  const { chromium } = await import('playwright-core');
  const { server, url } = await serveDir(dir);
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(url);
    await page
      .waitForFunction(
        () =>
          (window as unknown as { __page?: unknown; __worker?: unknown }).__page && (window as unknown as { __worker?: unknown }).__worker,
        undefined,
        { timeout: 30_000 },
      )
      .catch((e: unknown) => {
        throw new Error(`Chromium harness did not finish: ${errors.join('; ')} ${String(e)}`);
      });
    return await page.evaluate(() => {
      const w = window as unknown as { __page: T; __worker: T };
      return { page: w.__page, worker: w.__worker };
    });
  } finally {
    await browser.close();
    server.close();
  }
}
