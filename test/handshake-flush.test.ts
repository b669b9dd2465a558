/**
 * A client's Finished goes out with what the application writes in the
 * same turn (ts/api/tls.ts sendSoon; issue #16: each transport write costs
 * more CPU than the record in it): connect(), write a request, read the
 * answer, close() is three transport writes (ClientHello; Finished and the
 * request; close_notify), not four; and with nothing written, the
 * Finished still goes out by itself (the server completes its handshake
 * and speaks). The oracle is Node's tls server over TCP.
 */
import type { AddressInfo } from 'node:net';
import { createServer, type Server, type TLSSocket as NodeTLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTcp } from '../ts/adapters/node-socket.js';
import type { Transport } from '../ts/adapters/types.js';
import { connect } from '../ts/api/tls.js';
import { useBuild } from './helpers/env.js';
import { makePki, type Pki } from './helpers/pki.js';

useBuild('simd');
let pki: Pki;
let server: Server;
let port = 0;
beforeAll(async () => {
  pki = makePki();
  // Echoes the first chunk with a prefix; speaks first when the client
  // sends nothing (a greeting, as SMTP over implicit TLS does).
  server = createServer({ cert: pki.serverChainPem, key: pki.serverKeyPem, minVersion: 'TLSv1.3' }, (s: NodeTLSSocket) => {
    s.on('error', () => {});
    const greet = setTimeout(() => s.end('hello\n'), 200);
    s.once('data', (d: Buffer) => {
      clearTimeout(greet);
      s.end(`echo:${d.toString()}`);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
}, 60_000);
afterAll(async () => {
  await new Promise((r) => server?.close(r));
  pki?.dispose();
});

/** The transport, counting the chunks written to it. */
function counted(t: Transport): { t: Transport; writes: () => number } {
  let n = 0;
  const inner = t.writable.getWriter();
  const writable = new WritableStream<Uint8Array>({
    write: (c) => {
      n++;
      return inner.write(c);
    },
    close: () => inner.close(),
    abort: (r) => inner.abort(r),
  });
  return { t: { ...t, readable: t.readable, writable, close: () => t.close() }, writes: () => n };
}

async function readAll(r: ReadableStream<Uint8Array>): Promise<string> {
  let s = '';
  const dec = new TextDecoder();
  for await (const c of r as unknown as AsyncIterable<Uint8Array>) s += dec.decode(c, { stream: true });
  return s;
}

describe("the handshake's last flight waits for the application's first write", () => {
  it('connect, write at once, read, close: three transport writes, the request answered', async () => {
    const { t, writes } = counted(await connectTcp({ host: '127.0.0.1', port }));
    const c = connect({ transport: t, servername: 'localhost', ca: pki.caPem });
    const w = c.writable.getWriter();
    const wrote = w.write(new TextEncoder().encode('ping'));
    const text = readAll(c.readable);
    await c.opened;
    await wrote;
    expect(await text).toBe('echo:ping');
    await c.closed;
    // ClientHello; Finished + "ping"; close_notify (before: 4).
    expect(writes()).toBe(3);
  }, 30_000);

  it('nothing written: the Finished goes out alone and the server speaks', async () => {
    const { t, writes } = counted(await connectTcp({ host: '127.0.0.1', port }));
    const c = connect({ transport: t, servername: 'localhost', ca: pki.caPem });
    await c.opened;
    // The server's greeting comes only after it read our Finished.
    expect(await readAll(c.readable)).toBe('hello\n');
    await c.closed;
    expect(writes()).toBe(3); // ClientHello; Finished; close_notify
  }, 30_000);
});
