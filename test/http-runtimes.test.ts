/**
 * wasmtls/fetch in the runtimes the issue names: `wispFetch` through the
 * wisp-js server in a Chromium page and in a module Web Worker, and
 * `createFetch` in workerd with a `connect` on `cloudflare:sockets`
 * (fromWorkersSocket). All GET the same local HTTPS origin (node:https,
 * TLS 1.3, a certificate from a test CA every client is given); status,
 * the protocol the origin served and the body's SHA-256 must be those of
 * Node's own fetch (undici, trusting the same CA) of the same URL.
 *
 * Scenario: test/runtime/http-fetch-scenario.ts, bundled with the
 * parameters baked in (one bundle per kind of runtime).
 */
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { brotliCompressSync } from 'node:zlib';
import { build } from 'esbuild';
import { Agent, fetch as undiciFetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caChain } from '../bench/tlsfixture.js';
import { root } from './helpers/env.js';
import { bundle, inChromium, inWorkerd } from './helpers/runtimes.js';
import { startWispServer, type WispServer } from './helpers/wisp-server.js';
import type { FetchParams, FetchReport } from './runtime/http-fetch-scenario.js';

const BODY = randomBytes(200_000);
/** Per /br request, whether the client offered br. */
const brAsked: boolean[] = [];
let origin: Server;
let wisp: WispServer;
let params: FetchParams;
/** What Node's fetch got: the oracle. */
let expected: FetchReport;

beforeAll(async () => {
  const pki = caChain();
  origin = createServer({ key: pki.keyPem, cert: pki.chainPem, minVersion: 'TLSv1.3', ALPNProtocols: ['http/1.1'] }, (req, res) => {
    if (req.url === '/br') {
      // Content-Encoding: br only to a client that asks for it (RFC 9110
      // 12.5.3): a runtime whose DecompressionStream has no brotli gets the
      // identity body, which must hash the same.
      const br = /\bbr\b/.test(String(req.headers['accept-encoding'] ?? ''));
      brAsked.push(br);
      res.writeHead(200, {
        'content-type': 'application/octet-stream',
        'x-http-version': req.httpVersion,
        ...(br ? { 'content-encoding': 'br' } : {}),
      });
      return void res.end(br ? brotliCompressSync(BODY) : BODY);
    }
    if (req.url !== '/data') return void res.writeHead(404, { 'content-length': 0 }).end();
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'x-http-version': req.httpVersion });
    // Chunked (no Content-Length), in two writes.
    res.write(BODY.subarray(0, 70_000));
    res.end(BODY.subarray(70_000));
  });
  await new Promise<void>((r) => origin.listen(0, '127.0.0.1', r));
  wisp = await startWispServer();
  params = { wispUrl: wisp.url, url: `https://localhost:${(origin.address() as AddressInfo).port}/data`, caPem: pki.caPem };

  const dispatcher = new Agent({ connect: { ca: pki.caPem } });
  const r = await undiciFetch(params.url, { dispatcher });
  const body = Buffer.from(await r.arrayBuffer());
  await dispatcher.close();
  expected = {
    status: r.status,
    httpVersion: r.headers.get('x-http-version'),
    contentType: r.headers.get('content-type'),
    bodyLength: body.length,
    bodySha256: createHash('sha256').update(body).digest('hex'),
  };
  // Node's fetch itself got what the origin sent.
  expect(expected.bodySha256).toBe(createHash('sha256').update(BODY).digest('hex'));
}, 30_000);

afterAll(async () => {
  await wisp?.close();
  origin?.closeAllConnections();
  await new Promise((r) => origin?.close(r));
});

function expectSame(r: FetchReport, runtime: string): void {
  console.log(`${runtime}: ${JSON.stringify(r)}`);
  expect(r.error, runtime).toBeUndefined();
  expect(r).toEqual(expected);
}

describe('wasmtls/fetch: same answer as Node fetch', () => {
  it('wispFetch in a Chromium page and a module Web Worker, through the wisp-js server', async () => {
    const dir = `${root}build/http-runtimes/chromium`;
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      `${dir}/entry.js`,
      [
        `import { runWisp } from ${JSON.stringify(`${root}test/runtime/http-fetch-scenario.ts`)};`,
        `export const runAll = (source) => runWisp(source, ${JSON.stringify(params)});`,
      ].join('\n'),
    );
    await bundle(`${dir}/entry.js`, dir);
    const r = await inChromium<FetchReport>(dir);
    expectSame(r.page, 'chromium page');
    expectSame(r.worker, 'chromium worker');
  }, 60_000);

  it('createFetch in workerd over cloudflare:sockets (fromWorkersSocket)', async () => {
    const dir = `${root}build/http-runtimes/workerd`;
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      `${dir}/entry.js`,
      [
        "import { connect } from 'cloudflare:sockets';",
        `import { fromWorkersSocket } from ${JSON.stringify(`${root}ts/adapters/cloudflare.ts`)};`,
        `import { runConnect } from ${JSON.stringify(`${root}test/runtime/http-fetch-scenario.ts`)};`,
        // allowHalfOpen: the TLS layer, not the socket, decides when the
        // write side ends (close_notify first).
        'const tcp = (host, port) => fromWorkersSocket(connect({ hostname: host, port }, { allowHalfOpen: true }));',
        `export const runAll = (source) => runConnect(source, ${JSON.stringify(params)}, tcp);`,
      ].join('\n'),
    );
    await bundle(`${dir}/entry.js`, dir, ['cloudflare:sockets']);
    const r = await inWorkerd<FetchReport>(dir, { network: true });
    expectSame(r, 'workerd');
  }, 60_000);

  it('createFetch in Deno over Deno.connect: a br-coded body is decoded (DecompressionStream "brotli"), same bytes as Node fetch', async () => {
    const dir = `${root}build/http-runtimes/deno`;
    mkdirSync(dir, { recursive: true });
    await build({
      entryPoints: [`${root}test/runtime/http-fetch-deno.ts`],
      bundle: true,
      format: 'esm',
      platform: 'neutral',
      target: 'es2022',
      outfile: `${dir}/main.js`,
      logLevel: 'error',
    });
    const wasm = `${root}dist/wasmtls.wasm`;
    // The oracle: Node's fetch (undici, which offers and decodes br) of /br.
    brAsked.length = 0;
    const dispatcher = new Agent({ connect: { ca: params.caPem } });
    const viaNode = Buffer.from(await (await undiciFetch(params.url.replace('/data', '/br'), { dispatcher })).arrayBuffer());
    await dispatcher.close();
    expect(brAsked).toEqual([true]);
    expect(createHash('sha256').update(viaNode).digest('hex')).toBe(expected.bodySha256);
    brAsked.length = 0;
    const { stdout } = await promisify(execFile)(
      `${root}node_modules/.bin/deno`,
      [
        'run',
        '--allow-net=127.0.0.1',
        `--allow-read=${wasm}`,
        '--no-remote',
        `${dir}/main.js`,
        wasm,
        JSON.stringify({ ...params, url: params.url.replace('/data', '/br') }),
      ],
      { env: { ...process.env, DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1', DENO_DIR: `${dir}/.deno` }, timeout: 60_000 },
    );
    const r = JSON.parse(stdout.trim().split('\n').pop()!) as FetchReport;
    // Deno's DecompressionStream takes 'brotli' (the Compression Standard's
    // name), so fetch offered br and the origin coded the body.
    expect(brAsked).toEqual([true]);
    expectSame(r, 'deno');
  }, 90_000);
});
