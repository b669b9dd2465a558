/**
 * The Deno and Workers adapters in their real runtimes: test/runtime/
 * adapter-checks.ts bundled with esbuild and run by npm `deno` (real
 * `Deno.connect`) and by npm `workerd` (real `connect()` from
 * `cloudflare:sockets`; the worker's globalOutbound is a network service
 * that allows private and local addresses, since the default one allows
 * public addresses only). The TCP servers are Node's, on 127.0.0.1; the
 * server-side outcome of the half-close check is verified here.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { root } from './helpers/env.js';
import { freePort } from './helpers/runtimes.js';
import { countServer, echoServer, helloServer, refusedPort, resetServer, sinkServer, type TcpServer } from './helpers/tcp.js';
import type { CheckResult } from './runtime/adapter-checks.js';

const run = promisify(execFile);
const dir = `${root}build/adapters-runtimes`;
let servers: Record<'echo' | 'count' | 'hello' | 'sink' | 'reset', TcpServer>;
let refused: number;

const ports = () =>
  JSON.stringify({
    echo: servers.echo.port,
    count: servers.count.port,
    hello: servers.hello.port,
    sink: servers.sink.port,
    reset: servers.reset.port,
    refused,
  });

beforeAll(async () => {
  mkdirSync(dir, { recursive: true });
  servers = {
    echo: await echoServer(),
    count: await countServer(),
    hello: await helloServer(),
    sink: await sinkServer(),
    reset: await resetServer(),
  };
  refused = await refusedPort();
}, 60_000);

afterAll(async () => {
  for (const s of Object.values(servers ?? {})) await s.close();
});

const NAMES = [
  'round trip 0',
  'round trip 1',
  'round trip 16384',
  'round trip 8388608',
  'EOF client to server, reading goes on',
  'EOF server to client, writing goes on',
  'backpressure: writer stalls on a destination that does not read',
  'a reset errors the readable',
  'close() releases the transport',
  'refused',
];

function expectAll(results: CheckResult[], runtime: string): void {
  for (const r of results) console.log(`${runtime}: ${r.ok ? 'ok  ' : 'FAIL'} ${r.name}${r.detail ? ` - ${r.detail.split('\n')[0]}` : ''}`);
  expect(results.map((r) => r.name)).toEqual(NAMES);
  for (const r of results) expect(r, r.name).toMatchObject({ ok: true });
}

/** The hello server saw 100 bytes after its own FIN (the half-close check). */
function expectHalfCloseSeen(): void {
  expect(servers.hello.events).toContain('got 100');
}

describe('deno: Deno.connect through ts/adapters/deno.ts', () => {
  it('passes every transport check', async () => {
    await build({
      entryPoints: [`${root}test/runtime/adapters-deno.ts`],
      bundle: true,
      format: 'esm',
      platform: 'neutral',
      target: 'es2022',
      outfile: `${dir}/deno.js`,
      logLevel: 'error',
    });
    servers.hello.events.length = 0;
    const { stdout } = await run(
      `${root}node_modules/.bin/deno`,
      ['run', '--allow-net=127.0.0.1', '--no-remote', `${dir}/deno.js`, ports()],
      {
        env: { ...process.env, DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1', DENO_DIR: `${dir}/.deno` },
        timeout: 60_000,
        maxBuffer: 1 << 20,
      },
    );
    expectAll(JSON.parse(stdout.trim().split('\n').pop()!) as CheckResult[], 'deno');
    expectHalfCloseSeen();
  });
});

describe('workerd: connect() from cloudflare:sockets through ts/adapters/cloudflare.ts', () => {
  it('passes every transport check', async () => {
    await build({
      entryPoints: [`${root}test/runtime/adapters-workerd.ts`],
      bundle: true,
      format: 'esm',
      platform: 'neutral',
      target: 'es2022',
      outfile: `${dir}/worker.mjs`,
      logLevel: 'error',
      external: ['cloudflare:sockets'],
    });
    const port = await freePort();
    writeFileSync(
      `${dir}/config.capnp`,
      `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "main", worker = .w),
    (name = "internet", network = (allow = ["public", "private", "local"])) ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ] );
const w :Workerd.Worker = (
  modules = [ (name = "worker.mjs", esModule = embed "worker.mjs") ],
  compatibilityDate = "2024-09-23",
  globalOutbound = "internet" );
`,
    );
    servers.hello.events.length = 0;
    const child = spawn(`${root}node_modules/.bin/workerd`, ['serve', `${dir}/config.capnp`], { stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    child.stdout.on('data', (d) => (log += d));
    child.stderr.on('data', (d) => (log += d));
    try {
      let results: CheckResult[] | undefined;
      const deadline = Date.now() + 20_000;
      while (!results) {
        try {
          const r = await fetch(`http://127.0.0.1:${port}/?p=${encodeURIComponent(ports())}`);
          const text = await r.text();
          if (r.status !== 200) throw new Error(`workerd answered ${r.status}: ${text}\n${log}`);
          results = JSON.parse(text) as CheckResult[];
        } catch (e) {
          if (e instanceof Error && e.message.startsWith('workerd answered')) throw e;
          if (child.exitCode !== null || Date.now() > deadline) throw new Error(`workerd did not serve: ${log}`);
          await new Promise((r) => setTimeout(r, 100));
        }
      }
      expectAll(results, 'workerd');
      expectHalfCloseSeen();
    } finally {
      child.kill('SIGTERM');
    }
  });
});
