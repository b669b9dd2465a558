/**
 * Handshake and idle timeouts (issue #15, "Limits a hostile peer cannot
 * get around", 1st point): a silent server must not leave `opened`
 * pending for ever, a client that sends part of a ClientHello and then
 * nothing must not hold a server's connection (and its wasm memory) for
 * ever, an idle established connection ends when asked to, and none of
 * the timers keeps a process alive. Node's own tls server with
 * `handshakeTimeout` is the oracle for the error code.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect as netConnect, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as nodeTls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTcp, fromNodeSocket } from '../ts/adapters/node-socket.js';
import { TLSSocket as NodeTLSSocket } from '../ts/api/node.js';
import { accept, connect } from '../ts/api/tls.js';
import { TLSError } from '../ts/core/errors.js';
import { root, useBuild } from './helpers/env.js';
import { Peer } from './helpers/peers.js';
import { makePki, type Pki } from './helpers/pki.js';
import { memoryPair } from './helpers/memory-pair.js';

useBuild('simd');
let pki: Pki;
let clientHello: Buffer;
beforeAll(async () => {
  pki = makePki();
  clientHello = await captureClientHello();
}, 60_000);
afterAll(() => pki?.dispose());

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/** A real ClientHello, as Node's tls client sends it. */
async function captureClientHello(): Promise<Buffer> {
  let got!: (b: Buffer) => void;
  const first = new Promise<Buffer>((r) => (got = r));
  const srv = createServer((s) => {
    s.once('data', (d: Buffer) => {
      got(d);
      s.destroy();
    });
  });
  const port = await listen(srv);
  const c = nodeTls.connect({ host: '127.0.0.1', port, servername: 'localhost' });
  c.on('error', () => {});
  const hello = await first;
  c.destroy();
  await closeServer(srv);
  expect(hello[0]).toBe(22); // a handshake record
  return hello;
}

/** A raw TCP client that sends the first `n` bytes of a ClientHello and
 * then nothing; resolves when the server closes the connection. */
function silentClient(port: number, n: number): { closed: Promise<void>; socket: Socket } {
  const socket = netConnect({ host: '127.0.0.1', port });
  socket.on('error', () => {}); // a reset is a close too
  socket.on('data', () => {}); // an alert, if any, is read and dropped
  socket.once('connect', () => socket.write(clientHello.subarray(0, n)));
  const closed = new Promise<void>((r) => socket.once('close', () => r()));
  return { closed, socket };
}

describe('handshake timeout', () => {
  it('connect() to a TCP server that accepts and says nothing: opened and closed reject with ERR_TLS_HANDSHAKE_TIMEOUT, the socket is closed', async () => {
    let accepted!: () => void;
    const wasAccepted = new Promise<void>((r) => (accepted = r));
    let peerClosed!: Promise<void>;
    const srv = createServer((s) => {
      s.on('data', () => {}); // reads the ClientHello, answers nothing
      s.on('error', () => {});
      peerClosed = new Promise<void>((c) => s.once('close', () => c()));
      accepted();
    });
    const port = await listen(srv);
    const t = await connectTcp({ host: '127.0.0.1', port });
    const tls = connect({ transport: t, servername: 'localhost', ca: pki.caPem, handshakeTimeout: 300 });
    await wasAccepted;
    const err = await tls.opened.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(TLSError);
    expect((err as TLSError).code).toBe('ERR_TLS_HANDSHAKE_TIMEOUT');
    expect((err as TLSError).engineCode).toBe(0);
    await expect(tls.closed).rejects.toBe(err);
    await peerClosed; // our side closed the TCP connection
    expect(() => tls.connection.version).toThrow(); // the engine's memory was freed (disposed)
    await closeServer(srv);
  }, 30_000);

  it("accept() and Node's tls server, each given the first 20 bytes of a real ClientHello and then nothing: both close it, both say ERR_TLS_HANDSHAKE_TIMEOUT", async () => {
    // Oracle: Node's server with handshakeTimeout emits 'tlsClientError'.
    const nodeSrv = nodeTls.createServer({ key: pki.serverKeyPem, cert: pki.serverChainPem, handshakeTimeout: 300 });
    // With a listener Node leaves the socket to it: destroy it, as a
    // server does.
    const nodeErr = new Promise<NodeJS.ErrnoException>((r) =>
      nodeSrv.once('tlsClientError', (e, s) => {
        s.destroy();
        r(e);
      }),
    );
    const nodePort = await listen(nodeSrv);
    const viaNode = silentClient(nodePort, 20);
    expect((await nodeErr).code).toBe('ERR_TLS_HANDSHAKE_TIMEOUT');
    await viaNode.closed;
    await closeServer(nodeSrv);

    let opened!: Promise<unknown>;
    let closed!: Promise<unknown>;
    const ours = createServer({ allowHalfOpen: true }, (sock) => {
      const tls = accept({ transport: fromNodeSocket(sock), cert: pki.serverChainPem, key: pki.serverKeyPem, handshakeTimeout: 300 });
      opened = tls.opened.catch((e: unknown) => e);
      closed = tls.closed.catch((e: unknown) => e);
    });
    const port = await listen(ours);
    const c = silentClient(port, 20);
    await c.closed;
    const err = (await opened) as TLSError;
    expect(err).toBeInstanceOf(TLSError);
    expect(err.code).toBe((await nodeErr).code);
    expect(await closed).toBe(err);
    await closeServer(ours);
  }, 30_000);

  it("wasmtls/node TLSSocket as a server: Node's handshakeTimeout option, the socket destroyed with ERR_TLS_HANDSHAKE_TIMEOUT", async () => {
    let sockErr!: Promise<NodeJS.ErrnoException>;
    const srv = createServer({ allowHalfOpen: true }, (sock) => {
      const s = new NodeTLSSocket(sock, { isServer: true, cert: pki.serverChainPem, key: pki.serverKeyPem, handshakeTimeout: 300 });
      sockErr = new Promise((r) => s.once('error', (e) => r(e)));
    });
    const port = await listen(srv);
    const c = silentClient(port, clientHello.length); // the whole ClientHello: the server answers, the client never finishes
    await c.closed;
    expect((await sockErr).code).toBe('ERR_TLS_HANDSHAKE_TIMEOUT');
    await closeServer(srv);
  }, 30_000);

  it('a handshake that finishes is unaffected: data still flows after the timeout would have fired', async () => {
    const { a, b } = memoryPair();
    const s = accept({ transport: b, cert: pki.serverChainPem, key: pki.serverKeyPem, handshakeTimeout: 200 });
    const c = connect({ transport: a, servername: 'localhost', ca: pki.caPem, handshakeTimeout: 200 });
    await Promise.all([c.opened, s.opened]);
    await new Promise((r) => setTimeout(r, 600));
    const w = c.writable.getWriter();
    await w.write(new TextEncoder().encode('ping'));
    const r = s.readable.getReader();
    const got = await r.read();
    expect(new TextDecoder().decode(got.value)).toBe('ping');
    await w.close();
    r.releaseLock();
    await s.close();
    await c.closed;
    await s.closed;
  }, 30_000);

  it('bad values are refused: a negative or non-number timeout is a TypeError through opened; 0, Infinity and false disable it', async () => {
    for (const bad of [-1, Number.NaN, '300'] as unknown[]) {
      const { a } = memoryPair();
      const c = connect({ transport: a, servername: 'localhost', ca: pki.caPem, handshakeTimeout: bad as number });
      await expect(c.opened).rejects.toThrow(/handshakeTimeout/);
    }
    for (const off of [0, Number.POSITIVE_INFINITY, false] as const) {
      const { a, b } = memoryPair();
      const s = accept({ transport: b, cert: pki.serverChainPem, key: pki.serverKeyPem, handshakeTimeout: off, idleTimeout: off });
      const c = connect({ transport: a, servername: 'localhost', ca: pki.caPem, handshakeTimeout: off, idleTimeout: off });
      await Promise.all([c.opened, s.opened]);
      await c.close();
      await s.close();
    }
  }, 30_000);
});

describe('idle timeout', () => {
  it('ends an idle established connection with ERR_TLS_IDLE_TIMEOUT, and not one that keeps sending', async () => {
    const { a, b } = memoryPair();
    const s = accept({ transport: b, cert: pki.serverChainPem, key: pki.serverKeyPem, idleTimeout: 1500 });
    const c = connect({ transport: a, servername: 'localhost', ca: pki.caPem });
    await Promise.all([c.opened, s.opened]);
    const sr = s.readable.getReader();
    const reading = (async () => {
      let n = 0;
      for (;;) {
        const r = await sr.read().catch((e: unknown) => ({ error: e }));
        if ('error' in r) return { n, error: r.error };
        if (r.done) return { n, error: undefined };
        n += r.value.length;
      }
    })();
    // Active: a byte every 100 ms for 3 s, twice the idle timeout.
    const w = c.writable.getWriter();
    for (let i = 0; i < 30; i++) {
      await w.write(new Uint8Array([i]));
      await new Promise((r) => setTimeout(r, 100));
    }
    let settled = false;
    void s.closed.then(
      () => (settled = true),
      () => (settled = true),
    );
    await new Promise((r) => setImmediate(r));
    expect(settled).toBe(false);
    // Then silent: the server ends it.
    const { n, error } = await reading;
    expect(n).toBe(30);
    expect(error).toBeInstanceOf(TLSError);
    expect((error as TLSError).code).toBe('ERR_TLS_IDLE_TIMEOUT');
    await expect(s.closed).rejects.toBe(error);
    // The peer did nothing wrong: it reads our close_notify, a clean end.
    const cr = await c.readable.getReader().read();
    expect(cr.done).toBe(true);
    await c.close();
  }, 30_000);
});

describe('wasmtls s_server -handshake_timeout', () => {
  it('50 clients that send part of a ClientHello and then nothing are all closed; a real client is still served', async () => {
    const CLI = `${root}dist/cli.js`;
    const srv = new Peer(process.execPath, [
      CLI,
      's_server',
      '-accept',
      '127.0.0.1:0',
      '-cert',
      pki.path('server-chain.crt'),
      '-key',
      pki.path('server.key'),
      '-handshake_timeout',
      '500',
    ]);
    try {
      await srv.waitFor('\n', 15_000);
      const m = /^ACCEPT 127\.0\.0\.1:(\d+)$/m.exec(srv.stdout.toString());
      expect(m).not.toBeNull();
      const port = Number(m![1]);
      const silent = Array.from({ length: 50 }, (_, i) => silentClient(port, 10 + (i % 40)));
      await Promise.all(silent.map((s) => s.closed));
      // Node's tls client, a real peer, still gets an echo.
      const echoed = await new Promise<string>((resolve, reject) => {
        const c = nodeTls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca: pki.caPem }, () => c.write('hello'));
        c.once('data', (d: Buffer) => {
          resolve(d.toString());
          c.end();
        });
        c.once('error', reject);
      });
      expect(echoed).toBe('hello');
      await srv.waitFor('handshake failed', 15_000, 'stderr');
      expect(srv.stderr.toString()).toMatch(/ERR_TLS_HANDSHAKE_TIMEOUT|TLS handshake timeout/);
    } finally {
      srv.kill();
    }
  }, 60_000);
});

describe('timers never keep a process alive', () => {
  it('a Node process whose connection finished, and one whose handshake is pending with a 60 s timeout, exit at once', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'wasmtls-timeouts-'));
    const nodeSrv = nodeTls.createServer({ key: pki.serverKeyPem, cert: pki.serverChainPem }, (s) => s.on('data', () => {}));
    const port = await listen(nodeSrv);
    try {
      const script = join(tmp, 'child.mjs');
      const dist = `${root}dist`;
      writeFileSync(
        script,
        `import { init } from ${JSON.stringify(`${dist}/loader.js`)};
import { connect } from ${JSON.stringify(`${dist}/tls.js`)};
import { connectTcp } from ${JSON.stringify(`${dist}/adapters/node-socket.js`)};
import { fromStreams } from ${JSON.stringify(`${dist}/adapters/streams.js`)};
await init();
// 1. A connection that completes and is closed: its timers are cleared.
const t = await connectTcp({ host: '127.0.0.1', port: ${port} });
const a = connect({ transport: t, servername: 'localhost', ca: ${JSON.stringify(pki.caPem)}, handshakeTimeout: 60000, idleTimeout: 60000 });
await a.opened;
await a.close();
// 2. A handshake left pending over a transport with no I/O behind it:
// only its 60 s timer is left, and it must not hold the process.
const ab = new TransformStream();
const ba = new TransformStream();
const b = connect({ transport: fromStreams({ readable: ba.readable, writable: ab.writable }), servername: 'localhost', ca: ${JSON.stringify(pki.caPem)}, handshakeTimeout: 60000 });
b.opened.catch(() => {});
console.log('done');
`,
      );
      const child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let errOut = '';
      child.stdout.on('data', (d: Buffer) => (out += d));
      child.stderr.on('data', (d: Buffer) => (errOut += d));
      // The timers are 60 s: an exit before 30 s means they held nothing.
      const code = await new Promise<number | null | 'hung'>((resolve) => {
        const kill = setTimeout(() => {
          child.kill('SIGKILL');
          resolve('hung');
        }, 30_000);
        child.once('exit', (c) => {
          clearTimeout(kill);
          resolve(c);
        });
      });
      expect(errOut).toBe('');
      expect(out.trim()).toBe('done');
      expect(code).toBe(0);
    } finally {
      await closeServer(nodeSrv);
      rmSync(tmp, { recursive: true, force: true });
    }
  }, 60_000);
});
