/**
 * "Never a lost byte" through a Wisp tunnel: the origin (bench/tunnel-origin.ts,
 * behind the wisp-js server) writes an HTTP response and closes its TCP
 * socket at once, without close_notify, or with it. Every body byte must
 * come out of `connect()`'s readable, in order, before it ends: with
 * `onUnexpectedEof: 'end'` the stream then ends normally; by default it
 * then errors with a TLSError naming close_notify (RFC 8446 6.1: the
 * application decides whether Content-Length made the truncation
 * harmless). With close_notify it ends cleanly in both modes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { connect, TLSError } from '../ts/api/tls.js';
import { WispClient } from '../ts/adapters/wisp.js';
import { caChain } from '../bench/tlsfixture.js';
import { bodyByte } from '../bench/tunnel-body.js';
import { startOrigin, type Origin } from '../bench/tunnel-origin.js';
import { useBuild } from './helpers/env.js';
import { startWispServer, type WispServer } from './helpers/wisp-server.js';

useBuild('simd');
let wispServer: WispServer;
let origin: Origin;
let wisp: WispClient;
let caPem: string;

beforeAll(async () => {
  const pki = caChain();
  caPem = pki.caPem;
  origin = await startOrigin(pki);
  wispServer = await startWispServer();
  wisp = new WispClient(new WebSocket(wispServer.url) as never);
  await wisp.ready;
});
afterAll(async () => {
  await wisp?.close();
  await wispServer?.close();
  await origin?.close();
});

interface Outcome {
  head: string;
  body: Uint8Array;
  end: 'eof' | unknown;
}

/** GET /close/n/variant and read until the stream ends or errors. */
async function fetchClose(n: number, variant: 'abrupt' | 'notify', eof?: 'error' | 'end'): Promise<Outcome> {
  const tls = connect({
    transport: wisp.connect('localhost', origin.rawPort),
    servername: 'localhost',
    ca: caPem,
    ALPNProtocols: ['http/1.1'],
    ...(eof ? { onUnexpectedEof: eof } : {}),
  });
  tls.closed.catch(() => {});
  const w = tls.writable.getWriter();
  await w.write(new TextEncoder().encode(`GET /close/${n}/${variant} HTTP/1.1\r\nHost: localhost\r\n\r\n`));
  const chunks: Uint8Array[] = [];
  const r = tls.readable.getReader();
  let end: unknown = 'eof';
  for (;;) {
    try {
      const x = await r.read();
      if (x.done) break;
      chunks.push(x.value);
    } catch (e) {
      end = e;
      break;
    }
  }
  const all = new Uint8Array(chunks.reduce((a, c) => a + c.length, 0));
  let off = 0;
  for (const c of chunks) all.set(c, (off += c.length) - c.length);
  const split = all.findIndex((_, i) => all[i] === 13 && all[i + 1] === 10 && all[i + 2] === 13 && all[i + 3] === 10);
  expect(split).toBeGreaterThan(0);
  return { head: new TextDecoder().decode(all.subarray(0, split)), body: all.subarray(split + 4), end };
}

function expectWholeBody(o: Outcome, n: number): void {
  expect(o.head).toMatch(new RegExp(`^HTTP/1\\.1 200 OK\\r\\nContent-Length: ${n}\\r\\n`));
  expect(o.body.length).toBe(n);
  const bad = o.body.findIndex((b, i) => b !== bodyByte(i));
  expect(bad).toBe(-1);
}

describe('tunnel: the origin closes right after responding (through the wisp-js server)', () => {
  // One record's worth, and many records in flight when the TCP FIN comes.
  for (const n of [1000, 1 << 20]) {
    it(`no close_notify, onUnexpectedEof 'end': all ${n} bytes, then a normal end`, async () => {
      const o = await fetchClose(n, 'abrupt', 'end');
      expectWholeBody(o, n);
      expect(o.end).toBe('eof');
    });

    it(`no close_notify, default mode: all ${n} bytes, then a TLSError about close_notify`, async () => {
      const o = await fetchClose(n, 'abrupt');
      expectWholeBody(o, n);
      expect(o.end).toBeInstanceOf(TLSError);
      expect(String((o.end as Error).message)).toMatch(/close_notify/);
    });

    it(`close_notify: all ${n} bytes, then a clean end in both modes`, async () => {
      for (const mode of [undefined, 'end'] as const) {
        const o = await fetchClose(n, 'notify', mode);
        expectWholeBody(o, n);
        expect(o.end).toBe('eof');
      }
    });
  }
});
