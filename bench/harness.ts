/**
 * What the Wisp benchmarks (bench/tunnel.ts, bench/http.ts) share: the
 * server process (tunnel-servers.ts: the wisp-js server and the origins,
 * apart from the clients being measured) and a Chromium page that runs a
 * bundled harness and leaves its results in `window.__result`.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { WebSocket as WsWebSocket } from 'ws';
import { CHROMIUM_ARGS, serveDir } from '../test/helpers/runtimes.js';

// Bundled into build/bench/: the checkout is two levels up.
export const root = fileURLToPath(new URL('../../', import.meta.url));

/** What tunnel-servers.ts prints. */
export interface ServerInfo {
  wispUrl: string;
  /** HTTPS, ALPN http/1.1. */
  httpsPort: number;
  /** HTTPS, ALPN h2 only. */
  h2Port: number;
  /** HTTPS like httpsPort, one per fresh-connection sample. */
  freshPorts: number[];
  /** Plain HTTP like plainPort, as many. */
  freshPlainPorts: number[];
  /** Plain HTTP/1.1: the ceiling. */
  plainPort: number;
  rawPort: number;
  caPem: string;
}

/** Start tunnel-servers.ts in a child process; `stop()` ends it. */
export async function startServers(): Promise<{ info: ServerInfo; stop(): void }> {
  const out = `${root}build/bench/tunnel-servers.mjs`;
  await build({
    entryPoints: [`${root}bench/tunnel-servers.ts`],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    outfile: out,
    logLevel: 'error',
  });
  const child = spawn(process.execPath, [out], { stdio: ['pipe', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (c) => reject(new Error(`tunnel servers exited with ${c}`)));
  });
  return { info: JSON.parse(line) as ServerInfo, stop: () => child.stdin!.end() };
}

export interface PageSpec {
  /** Directory name under build/bench/. */
  name: string;
  /** The page script (bundled for the browser as harness.js). */
  entry: string;
  plugins?: Plugin[];
  /** Files copied beside the page: served name -> source path. */
  files: Record<string, string>;
  /** Written as config.json. */
  config: unknown;
  /** How long the page may run, ms. */
  timeoutMs: number;
  /** Write the page's CPU profile (Chrome DevTools format) here. */
  cpuProfile?: string;
}

/** Bundle and serve the page, run it in headless Chromium, return what it
 * left in `window.__result` (or throw with its `{ error }`). The page's
 * console.log lines are printed here. */
export async function runPage<T>(spec: PageSpec): Promise<T> {
  const page = `${root}build/bench/${spec.name}`;
  mkdirSync(page, { recursive: true });
  await build({
    entryPoints: [spec.entry],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    outfile: `${page}/harness.js`,
    logLevel: 'error',
    plugins: spec.plugins ?? [],
  });
  for (const [to, from] of Object.entries(spec.files)) copyFileSync(from, `${page}/${to}`);
  writeFileSync(`${page}/config.json`, JSON.stringify(spec.config));
  writeFileSync(`${page}/index.html`, '<!doctype html><meta charset="utf-8"><script type="module" src="./harness.js"></script>\n');
  const { chromium } = await import('playwright-core');
  const { server, url } = await serveDir(page);
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  try {
    const p = await browser.newPage();
    const errors: string[] = [];
    p.on('pageerror', (e) => errors.push(String(e)));
    p.on('console', (m) => {
      if (m.type() === 'log') console.log(m.text());
    });
    const cdp = spec.cpuProfile ? await p.context().newCDPSession(p) : undefined;
    if (cdp) {
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
      await cdp.send('Profiler.start');
    }
    await p.goto(url);
    await p
      .waitForFunction(() => (window as unknown as { __result?: unknown }).__result, undefined, {
        timeout: spec.timeoutMs,
        polling: 250,
      })
      .catch((e: unknown) => {
        throw new Error(`Chromium page did not finish: ${errors.join('; ')} ${String(e)}`);
      });
    if (cdp && spec.cpuProfile) {
      const { profile } = await cdp.send('Profiler.stop');
      writeFileSync(spec.cpuProfile, JSON.stringify(profile));
    }
    const r = await p.evaluate(() => (window as unknown as { __result: unknown }).__result);
    if (r && typeof r === 'object' && 'error' in r) throw new Error(`Chromium page failed: ${String((r as { error: unknown }).error)}`);
    return r as T;
  } finally {
    await browser.close();
    server.close();
  }
}

const EPOXY_VERSION = '2.1.19-1';

/** The epoxy-tls package directory: the 2.x full build package.json pins
 * (the minimal build has no custom roots; 1.5.0, npm's `latest` tag, has
 * no way to add a root). */
export function epoxyDir(): string {
  const installed = `${root}node_modules/@mercuryworkshop/epoxy-tls`;
  const v = (JSON.parse(readFileSync(`${installed}/package.json`, 'utf8')) as { version: string }).version;
  if (v !== EPOXY_VERSION || !existsSync(`${installed}/full/epoxy.js`)) {
    throw new Error(`bench: expected @mercuryworkshop/epoxy-tls ${EPOXY_VERSION} (full build) in node_modules, found ${v}: run npm ci`);
  }
  return installed;
}

/** epoxy-tls's full build, loaded and initialised in this Node. */
export async function epoxyInNode<M>(dir: string): Promise<M> {
  const epoxy = (await import(pathToFileURL(`${dir}/full/epoxy.js`).href)) as M & { default(o: unknown): Promise<unknown> };
  await epoxy.default({ module_or_path: readFileSync(`${dir}/full/epoxy.wasm`) });
  // Node 20 has no global WebSocket; epoxy-tls makes its own from the
  // global, so it gets npm `ws`, the same class wasmtls is given.
  (globalThis as { WebSocket?: unknown }).WebSocket ??= WsWebSocket;
  // epoxy-tls turns every chunk written to a TLS stream into bytes with
  // `new Request("", { method: "POST", body })`: a page resolves "" against
  // its own URL, Node has no base URL and throws ("Invalid payload"). Give
  // it one, as a page would have.
  const NodeRequest = globalThis.Request;
  if (!(NodeRequest as { __wasmtlsBase?: boolean }).__wasmtlsBase) {
    globalThis.Request = class extends NodeRequest {
      static __wasmtlsBase = true;
      constructor(input: RequestInfo | URL, init?: RequestInit) {
        super(input === '' ? 'http://localhost/' : input, init);
      }
    };
  }
  return epoxy;
}
