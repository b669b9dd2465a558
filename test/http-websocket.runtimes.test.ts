/**
 * wasmtls/websocket in Chromium (page and module Web Worker) and Deno: the
 * runtime's own WebSocket reaches the wisp-js server, and our RFC 6455 client runs
 * wss:// through it to npm `ws` over Node https with the test PKI. The
 * server (the oracle) records what it received; the harness reports what
 * the client saw in that runtime.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { root } from './helpers/env.js';
import { makePki, type Pki } from './helpers/pki.js';
import { bundle, inChromium, inDeno, inWorkerd } from './helpers/runtimes.js';
import { startWispServer, type WispServer } from './helpers/wisp-server.js';
import type { WsScenarioParams, WsScenarioReport } from './runtime/websocket-scenario.js';

const dir = `${root}build/websocket-runtimes`;
const SIZE = 200_000;
let pki: Pki;
let wisp: WispServer;
let https: ReturnType<typeof createServer>;
const received: { text: string[]; binary: string[]; protocols: string[]; closes: [number, string][] } = {
  text: [],
  binary: [],
  protocols: [],
  closes: [],
};

beforeAll(async () => {
  pki = makePki();
  wisp = await startWispServer();
  https = createServer({ cert: pki.serverChainPem, key: pki.serverKeyPem });
  const wss = new WebSocketServer({
    server: https,
    perMessageDeflate: false,
    handleProtocols: (set) => (set.has('superchat') ? 'superchat' : false),
  });
  wss.on('connection', (ws, req) => {
    received.protocols.push(ws.protocol);
    ws.on('error', () => {});
    ws.on('close', (code, reason) => received.closes.push([code, reason.toString()]));
    if (req.url === '/bye') return void ws.close(4001, 'bye');
    ws.on('message', (data, isBinary) => {
      const b = data as Buffer;
      if (isBinary) received.binary.push(createHash('sha256').update(b).digest('hex'));
      else received.text.push(b.toString());
      ws.send(b, { binary: isBinary });
    });
  });
  await new Promise<void>((r) => https.listen(0, '127.0.0.1', r));
  const params: WsScenarioParams = {
    wispUrl: wisp.url,
    echoUrl: `wss://127.0.0.1:${(https.address() as AddressInfo).port}/`,
    caPem: pki.caPem,
    size: SIZE,
  };
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    `${dir}/entry.js`,
    [
      `import { runWebSocket } from ${JSON.stringify(`${root}test/runtime/websocket-scenario.ts`)};`,
      `export const runAll = (source) => runWebSocket(source, ${JSON.stringify(params)});`,
    ].join('\n'),
  );
  await bundle(`${dir}/entry.js`, dir);
}, 60_000);

afterAll(async () => {
  https?.closeAllConnections();
  https?.close();
  await wisp?.close();
  pki?.dispose();
});

function expectReport(where: string, r: WsScenarioReport, sha: string): void {
  console.log(`${where}: ${JSON.stringify(r)}`);
  expect(r.error, where).toBeUndefined();
  expect(r).toMatchObject({
    protocol: 'superchat',
    text: 'héllo ✓',
    defaultBinaryType: 'blob',
    blobSha256: sha,
    binaryLength: SIZE,
    binarySha256: sha,
    ourClose: { code: 4000, reason: 'done', wasClean: true, isCloseEvent: true },
    serverClose: { code: 4001, reason: 'bye', wasClean: true },
    events: [],
  });
}

/** The server's view of `runs` runs: each one's messages arrived intact, our Close 4000 'done' and the echo of its 4001. */
function expectReceived(runs: number, sha: string): void {
  expect(received.text).toEqual(Array(runs).fill('héllo ✓'));
  expect(received.binary).toEqual(Array(2 * runs).fill(sha));
  expect(received.protocols.filter((p) => p === 'superchat').length).toBe(runs);
  expect(received.closes.filter(([c]) => c === 4000)).toEqual(Array(runs).fill([4000, 'done']));
  expect(received.closes.filter(([c]) => c === 4001).length).toBe(runs);
}

function reset(): string {
  for (const list of Object.values(received)) list.length = 0;
  return createHash('sha256')
    .update(new Uint8Array(SIZE).map((_, i) => i & 0xff))
    .digest('hex');
}

it('chromium page and module Web Worker: wss echo of text, Blob and ArrayBuffer through Wisp, subprotocol, close codes both ways', async () => {
  const sha = reset();
  const { page, worker } = await inChromium<WsScenarioReport>(dir);
  expectReport('chromium page', page, sha);
  expectReport('chromium worker', worker, sha);
  await until(() => received.closes.length >= 4);
  expectReceived(2, sha);
}, 90_000);

it("deno: the same scenario with Deno's WebSocket, CloseEvent and crypto.subtle", async () => {
  const sha = reset();
  const r = await inDeno<WsScenarioReport>(dir, ['--allow-read', '--allow-net=127.0.0.1']);
  expectReport('deno', r, sha);
  await until(() => received.closes.length >= 2);
  expectReceived(1, sha);
}, 90_000);

it("workerd: the same scenario with the Workers runtime's WebSocket client", async () => {
  const sha = reset();
  const r = await inWorkerd<WsScenarioReport>(dir, { network: true });
  expectReport('workerd', r, sha);
  await until(() => received.closes.length >= 2);
  expectReceived(1, sha);
}, 90_000);

async function until(f: () => boolean): Promise<void> {
  while (!f()) await new Promise((r) => setTimeout(r, 10));
}
