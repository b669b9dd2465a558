/**
 * Chromium: closing the writer right after a request must not error the
 * readable when the response, the server's close_notify and the tunnel's
 * close (code 1000, from the relay when the server's FIN comes) arrive
 * (issue #13: "WebSocket transport: closed by the peer (code 1000)" in 4
 * of 23 connections). The page and a module Web Worker each run 30
 * connections at once (test/runtime/close-race-scenario.ts) through the
 * relay (test/helpers/relay.ts) to a Node tls server that answers each
 * request and ends (close_notify, then FIN): every response must be whole
 * and no connection may fail.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import * as nodeTls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { root } from './helpers/env.js';
import { makePki, type Pki } from './helpers/pki.js';
import { startRelay, type Relay } from './helpers/relay.js';
import { bundle, inChromium } from './helpers/runtimes.js';
import type { CloseRaceParams, CloseRaceResult } from './runtime/close-race-scenario.js';

const dir = `${root}build/ws-close-race`;
const CONNECTIONS = 30;
const BODY = 'x'.repeat(3000);
const RESPONSE = `HTTP/1.1 200 OK\r\nContent-Length: ${BODY.length}\r\nConnection: close\r\n\r\n${BODY}`;

let pki: Pki;
let server: nodeTls.Server;
let relay: Relay;
let served = 0;

beforeAll(async () => {
  pki = makePki();
  server = nodeTls.createServer({ cert: pki.serverChainPem, key: pki.serverKeyPem, allowHalfOpen: true }, (s) => {
    s.on('error', () => {});
    let got = '';
    s.on('data', (d: Buffer) => {
      got += d.toString('latin1');
      if (got.includes('\r\n\r\n') && !s.writableEnded) {
        served++;
        s.end(RESPONSE); // the answer, close_notify, FIN
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  relay = await startRelay();
  const params: CloseRaceParams = {
    wsUrl: relay.url,
    target: `127.0.0.1:${(server.address() as { port: number }).port}`,
    caPem: pki.caPem,
    servername: 'localhost',
    connections: CONNECTIONS,
    expectedLength: RESPONSE.length,
  };
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    `${dir}/entry.js`,
    [
      `import { runCloseRace } from ${JSON.stringify(`${root}test/runtime/close-race-scenario.ts`)};`,
      `export const runAll = (source) => runCloseRace(source, ${JSON.stringify(params)});`,
    ].join('\n'),
  );
  await bundle(`${dir}/entry.js`, dir);
}, 60_000);

afterAll(async () => {
  await relay?.close();
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
  pki?.dispose();
});

describe('Chromium: request, close the writer, read to the end, through the relay', () => {
  it(`${CONNECTIONS} connections in the page and ${CONNECTIONS} in a Worker: all responses whole, no error`, async () => {
    const r = await inChromium<CloseRaceResult>(dir);
    for (const [where, res] of [
      ['page', r.page],
      ['worker', r.worker],
    ] as const) {
      const bad = res.outcomes.filter((o) => o.error !== undefined || o.length !== RESPONSE.length || o.closed !== 'resolved');
      console.log(`${where}: ${res.outcomes.length - bad.length}/${res.outcomes.length} clean`);
      expect(bad, `${where}: ${JSON.stringify(bad.slice(0, 5))}`).toEqual([]);
      expect(res.outcomes).toHaveLength(CONNECTIONS);
    }
    expect(served).toBe(2 * CONNECTIONS);
  }, 120_000);
});
