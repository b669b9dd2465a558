/**
 * Issue #15's transport-error wrapping outside Node's own sockets: a TLS
 * connection whose TCP connection the origin resets reports a TLSError
 * with a code (the errno-style one where the runtime gives one, else
 * ERR_TLS_TRANSPORT) and the transport's error as `cause`, in Deno over
 * Deno.connect, in workerd over cloudflare:sockets and in Node through a
 * Wisp stream (the wisp-js server). The oracle of "the origin reset it" is
 * the origin itself: Node's tls server calls resetAndDestroy() (an RST)
 * after the client's first bytes.
 * Scenario: test/runtime/transport-error-scenario.ts.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer, type Server } from 'node:net';
import { createSecureContext, TLSSocket } from 'node:tls';
import { WebSocket as WsWebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caChain } from '../bench/tlsfixture.js';
import { WispClient, type WebSocketLike } from '../ts/adapters/wisp.js';
import { root, wasmPath } from './helpers/env.js';
import { bundle, inDeno, inWorkerd } from './helpers/runtimes.js';
import { startWispServer, type WispServer } from './helpers/wisp-server.js';
import { type ResetParams, type ResetReport, runReset } from './runtime/transport-error-scenario.js';
import { readFileSync } from 'node:fs';

let origin: Server;
let params: ResetParams;
/** How many connections the origin reset after reading from them. */
let resets = 0;

beforeAll(async () => {
  const pki = caChain();
  // A TLSSocket over a plain net.Socket: resetAndDestroy() (an RST)
  // works on the TCP socket, not on a tls server's TLSSocket.
  const context = createSecureContext({ key: pki.keyPem, cert: pki.chainPem, minVersion: 'TLSv1.3' });
  origin = createServer((raw) => {
    raw.on('error', () => {});
    const s = new TLSSocket(raw, { isServer: true, secureContext: context });
    s.on('error', () => {});
    s.once('data', () => {
      resets++;
      raw.resetAndDestroy();
    });
  });
  await new Promise<void>((r) => origin.listen(0, '127.0.0.1', r));
  params = { port: (origin.address() as AddressInfo).port, caPem: pki.caPem };
  mkdirSync(`${root}build/transport-errors`, { recursive: true });
});

afterAll(async () => {
  await new Promise((r) => origin?.close(r));
});

function expectWrapped(r: ResetReport, runtime: string, codes: string[]): void {
  console.log(`${runtime}: ${JSON.stringify(r)}`);
  expect(r.error, runtime).toBeUndefined();
  expect(r.isTLSError, runtime).toBe(true);
  expect(codes, `${runtime}: code ${r.code}`).toContain(r.code);
  expect(r.message).toMatch(/transport error: /);
  expect(r.causeName, runtime).toBeDefined();
  expect(r.closed, runtime).toBe(`rejected ${r.code}`);
}

describe('a reset under an established connection is a TLSError with a code and the cause', () => {
  it('Deno: Deno.connect through ts/adapters/deno.ts', async () => {
    const dir = `${root}build/transport-errors/deno`;
    writeFileSync(
      `${dir}.entry.ts`,
      [
        `import { fromDenoConn } from ${JSON.stringify(`${root}ts/adapters/deno.ts`)};`,
        `import { runReset } from ${JSON.stringify(`${root}test/runtime/transport-error-scenario.ts`)};`,
        "const open = async (port) => fromDenoConn(await Deno.connect({ hostname: '127.0.0.1', port }));",
        `export const runAll = (source) => runReset(source, ${JSON.stringify(params)}, open);`,
      ].join('\n'),
    );
    await bundle(`${dir}.entry.ts`, dir);
    const before = resets;
    const r = await inDeno<ResetReport>(dir, ['--allow-read', '--allow-net=127.0.0.1']);
    expect(resets - before).toBe(1);
    // Deno's ConnectionReset carries code 'ECONNRESET', kept as Node's would be.
    expectWrapped(r, 'deno', ['ECONNRESET', 'ERR_TLS_TRANSPORT']);
  }, 90_000);

  it('workerd: cloudflare:sockets through ts/adapters/cloudflare.ts', async () => {
    const dir = `${root}build/transport-errors/workerd`;
    writeFileSync(
      `${dir}.entry.js`,
      [
        "import { connect } from 'cloudflare:sockets';",
        `import { fromWorkersSocket } from ${JSON.stringify(`${root}ts/adapters/cloudflare.ts`)};`,
        `import { runReset } from ${JSON.stringify(`${root}test/runtime/transport-error-scenario.ts`)};`,
        "const open = async (port) => fromWorkersSocket(connect({ hostname: '127.0.0.1', port }, { allowHalfOpen: true }));",
        `export const runAll = (source) => runReset(source, ${JSON.stringify(params)}, open);`,
      ].join('\n'),
    );
    await bundle(`${dir}.entry.js`, dir, ['cloudflare:sockets']);
    const before = resets;
    const r = await inWorkerd<ResetReport>(dir, { network: true });
    expect(resets - before).toBe(1);
    expectWrapped(r, 'workerd', ['ECONNRESET', 'ERR_TLS_TRANSPORT']);
  }, 90_000);

  describe('Node: a Wisp stream through the wisp-js server', () => {
    let wisp: WispServer;
    /** A TLS origin that answers nothing and keeps the connection. */
    let quiet: Server;
    beforeAll(async () => {
      wisp = await startWispServer();
      const pki = caChain();
      const context = createSecureContext({ key: pki.keyPem, cert: pki.chainPem, minVersion: 'TLSv1.3' });
      quiet = createServer((raw) => {
        raw.on('error', () => {});
        new TLSSocket(raw, { isServer: true, secureContext: context }).on('error', () => {});
      });
      await new Promise<void>((r) => quiet.listen(0, '127.0.0.1', r));
      quietParams = { port: (quiet.address() as AddressInfo).port, caPem: pki.caPem };
    });
    let quietParams: ResetParams;
    afterAll(async () => {
      quiet?.close();
      await wisp?.close();
    });
    const bytes = () => new Uint8Array(readFileSync(wasmPath('simd')));

    it('the origin resets: wisp-js closes the stream as voluntary (0x02), so TLS sees a truncation: ERR_SSL_UNEXPECTED_EOF_WHILE_READING, never a clean end', async () => {
      // wisp-js (src/server/connection.mjs, tcp_to_ws) sends CLOSE 0x02 when
      // its TCP socket's recv() ends, reset or not: nothing in the Wisp
      // packets tells a reset from a FIN. The missing close_notify does.
      const client = new WispClient(new WsWebSocket(wisp.url) as unknown as WebSocketLike);
      try {
        const before = resets;
        const r = await runReset(bytes(), params, async (port) => client.connect('127.0.0.1', port));
        console.log(`wisp reset: ${JSON.stringify(r)}`);
        expect(resets - before).toBe(1);
        expect(r.error).toBeUndefined();
        expect([r.isTLSError, r.code, r.closed]).toEqual([
          true,
          'ERR_SSL_UNEXPECTED_EOF_WHILE_READING',
          'rejected ERR_SSL_UNEXPECTED_EOF_WHILE_READING',
        ]);
      } finally {
        client.close();
      }
    }, 60_000);

    it('the WebSocket under the stream drops: a TLSError ERR_TLS_TRANSPORT whose cause is the WispError', async () => {
      const ws = new WsWebSocket(wisp.url);
      const client = new WispClient(ws as unknown as WebSocketLike);
      try {
        // terminate(): the socket is destroyed without a Close frame (1006).
        const r = await runReset(
          bytes(),
          quietParams,
          async (port) => client.connect('127.0.0.1', port),
          () => ws.terminate(),
        );
        expectWrapped(r, 'wisp', ['ERR_TLS_TRANSPORT']);
        expect(r.causeName).toBe('WispError');
        expect(r.causeMessage).toMatch(/1006/);
      } finally {
        client.close();
      }
    }, 60_000);
  });
});
