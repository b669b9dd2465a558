/**
 * HTTPS through a WebSocket tunnel in every runtime: one scenario
 * (test/runtime/tunnel-scenario.ts), bundled once, run by Node (a plain
 * `node` process, npm `ws` as its WebSocket: Node 20 has no global one),
 * Deno, workerd (`new WebSocket` out through a network service that allows
 * local addresses), and a Chromium page and module Web Worker. Each opens a
 * WebSocket to the relay (test/helpers/relay.ts), which pipes it to
 * `openssl s_server -WWW`; TLS 1.3 validates the chain against the test
 * root for `localhost`, a GET fetches a 300 KB file of random bytes, and
 * the body's SHA-256 must be the one node:crypto computed for the file.
 *
 * The parameters (relay URL, port, CA) are baked into the bundle by a
 * generated entry, so each runtime runs the very same module and none
 * needs its own way of passing them.
 */
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { fromWebSocket, type WebSocketLike } from '../ts/adapters/websocket.js';
import { connect, TLSError } from '../ts/api/tls.js';
import { root, useBuild } from './helpers/env.js';
import { Peer } from './helpers/peers.js';
import { makePki, type Pki } from './helpers/pki.js';
import { startRelay, type Relay } from './helpers/relay.js';
import { bundle, freePort, inChromium, inDeno, inWorkerd } from './helpers/runtimes.js';
import type { TunnelParams, TunnelReport } from './runtime/tunnel-scenario.js';

const run = promisify(execFile);
const dir = `${root}build/tunnel-runtimes`;
const FILE_SIZE = 300_000;

let pki: Pki;
let docRoot: string;
let port: number;
let server: Peer;
let relay: Relay;
let sha256: string;

beforeAll(async () => {
  pki = makePki();
  docRoot = mkdtempSync(join(tmpdir(), 'wasmtls-www-'));
  const file = randomBytes(FILE_SIZE);
  writeFileSync(join(docRoot, 'file.bin'), file);
  sha256 = createHash('sha256').update(file).digest('hex');
  port = await freePort();
  // -WWW serves files relative to the working directory, one connection
  // at a time: an HTTP/1.0 200 head, the file, then close_notify.
  server = new Peer(
    'openssl',
    ['s_server', '-accept', `127.0.0.1:${port}`, '-tls1_3', '-cert', pki.path('server-chain.crt'), '-key', pki.path('server.key'), '-WWW'],
    { cwd: docRoot },
  );
  await server.waitFor('ACCEPT');
  relay = await startRelay();

  const params: TunnelParams = {
    wsUrl: relay.url,
    target: `127.0.0.1:${port}`,
    caPem: pki.caPem,
    servername: 'localhost',
    path: '/file.bin',
    expectedSha256: sha256,
  };
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    `${dir}/entry.js`,
    [
      `import { runTunnel } from ${JSON.stringify(`${root}test/runtime/tunnel-scenario.ts`)};`,
      `export const runAll = (source, WebSocket) => runTunnel(source, ${JSON.stringify(params)}, WebSocket);`,
    ].join('\n'),
  );
  await bundle(`${dir}/entry.js`, dir);
}, 60_000);

afterAll(async () => {
  server?.kill();
  await relay?.close();
  pki?.dispose();
  if (docRoot) rmSync(docRoot, { recursive: true, force: true });
});

function expectFetched(r: TunnelReport, runtime: string, ms: number): void {
  console.log(`${runtime} (${ms} ms): ${JSON.stringify(r)}`);
  expect(r.error).toBeUndefined();
  expect(r).toMatchObject({
    version: 'TLSv1.3',
    authorized: true,
    subjectCN: 'localhost',
    status: 200,
    bodyLength: FILE_SIZE,
    bodySha256: sha256,
    bodyMatches: true,
  });
  expect(r.authorizationError).toBeUndefined();
  expect(r.cipher).toMatch(/^TLS_/);
}

async function timed<T>(f: () => Promise<T>): Promise<[T, number]> {
  const t = Date.now();
  const r = await f();
  return [r, Date.now() - t];
}

describe('HTTPS GET through a WebSocket tunnel to openssl s_server', () => {
  it('node (npm ws)', async () => {
    writeFileSync(
      `${dir}/node_main.mjs`,
      [
        "import { readFileSync } from 'node:fs';",
        "import { WebSocket } from 'ws';",
        "import { runAll } from './harness.js';",
        "const bytes = new Uint8Array(readFileSync(new URL('./wasmtls.wasm', import.meta.url)));",
        'console.log(JSON.stringify(await runAll(bytes, WebSocket)));',
      ].join('\n'),
    );
    const [r, ms] = await timed(async () => {
      const { stdout } = await run(process.execPath, [`${dir}/node_main.mjs`], { timeout: 30_000, maxBuffer: 1 << 20 });
      return JSON.parse(stdout.trim().split('\n').pop()!) as TunnelReport;
    });
    expectFetched(r, 'node', ms);
  });

  it('deno', async () => {
    const [r, ms] = await timed(() => inDeno<TunnelReport>(dir, ['--allow-read', '--allow-net=127.0.0.1']));
    expectFetched(r, 'deno', ms);
  });

  it('workerd', async () => {
    const [r, ms] = await timed(() => inWorkerd<TunnelReport>(dir, { network: true }));
    expectFetched(r, 'workerd', ms);
  });

  it('chromium page and module Web Worker', async () => {
    const [r, ms] = await timed(() => inChromium<TunnelReport>(dir));
    expectFetched(r.page, 'chromium page', ms);
    expectFetched(r.worker, 'chromium worker', ms);
  });

  it('node: a root that did not issue the chain fails the handshake with unknown_ca', async () => {
    useBuild('simd');
    const ws = new WebSocket(`${relay.url}/127.0.0.1:${port}`);
    const tls = connect({
      transport: fromWebSocket(ws as unknown as WebSocketLike),
      servername: 'localhost',
      ca: pki.strangerPem,
    });
    tls.closed.catch(() => {});
    const err = await tls.opened.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(TLSError);
    expect((err as TLSError).alert).toBe(48);
    expect((err as TLSError).alertDirection).toBe('sent');
  });
});
