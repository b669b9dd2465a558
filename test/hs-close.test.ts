/**
 * close() and abort during the handshake (issue #15, "Lifecycle of
 * connect()/accept()": "`close()` during the handshake rejects `opened`
 * with `undefined` over TCP, and never settles over a stream pair whose
 * peer does not read"). Whatever the peer does (a Node tls server
 * mid-handshake, a silent TCP server, a stream pair that never reads),
 * `opened` rejects with a TLSError (code ECONNRESET, as Node's client
 * says for a socket closed before the handshake; ABORT_ERR for an
 * abort), `closed` settles, the peer sees the transport closed, and the
 * engine is disposed, all within a bound.
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import * as nodeTls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTcp } from '../ts/adapters/node-socket.js';
import { fromStreams } from '../ts/adapters/streams.js';
import { connect, type TLSSocket } from '../ts/api/tls.js';
import { TLS_ERR, TLSError } from '../ts/core/errors.js';
import { useBuild } from './helpers/env.js';
import { makePki, type Pki } from './helpers/pki.js';

useBuild('simd');
let pki: Pki;
beforeAll(() => {
  pki = makePki();
}, 60_000);
afterAll(() => pki?.dispose());

const BOUND_MS = 8000;

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/** `p`'s outcome, or 'pending' if it did not settle within BOUND_MS. */
async function outcome<T>(p: Promise<T>): Promise<{ ok: T } | { err: unknown } | 'pending'> {
  let t: ReturnType<typeof setTimeout> | undefined;
  const timer = new Promise<'pending'>((r) => {
    t = setTimeout(() => r('pending'), BOUND_MS);
  });
  try {
    return await Promise.race([
      p.then(
        (ok) => ({ ok }),
        (err: unknown) => ({ err }),
      ),
      timer,
    ]);
  } finally {
    clearTimeout(t);
  }
}

/** close() mid-handshake: opened rejects with ECONNRESET, closed resolves,
 * the engine is freed. */
async function expectClosedMidHandshake(tls: TLSSocket): Promise<void> {
  await tls.close();
  const o = await outcome(tls.opened);
  expect(o).not.toBe('pending');
  expect(o).toHaveProperty('err');
  const err = (o as { err: unknown }).err;
  expect(err).toBeInstanceOf(TLSError);
  expect((err as TLSError).code).toBe('ECONNRESET');
  expect((err as TLSError).message).toMatch(/closed before the handshake finished/);
  expect(await outcome(tls.closed)).toEqual({ ok: undefined });
  // The streams fail with the same error (no data ever came).
  await expect(tls.readable.getReader().read()).rejects.toBe(err);
  expect(() => tls.connection.version).toThrow(); // disposed
}

/** A TCP server that reads and answers nothing; `peerClosed` resolves
 * when our side closed the connection. */
async function silentServer(): Promise<{ srv: Server; port: number; accepted: Promise<{ peerClosed: Promise<void> }> }> {
  // (An object: resolving with a promise would wait for that promise.)
  let acc!: (a: { peerClosed: Promise<void> }) => void;
  const accepted = new Promise<{ peerClosed: Promise<void> }>((r) => (acc = r));
  const srv = createServer((s: Socket) => {
    s.on('data', () => {});
    s.on('error', () => {});
    acc({ peerClosed: new Promise<void>((c) => s.once('close', () => c())) });
  });
  return { srv, port: await listen(srv), accepted };
}

describe('close() during the handshake', () => {
  it('over TCP to a silent server: opened rejects with a TLSError (ECONNRESET), closed resolves, the socket is closed', async () => {
    const { srv, port, accepted } = await silentServer();
    const t = await connectTcp({ host: '127.0.0.1', port });
    const tls = connect({ transport: t, servername: 'localhost', ca: pki.caPem });
    const { peerClosed } = await accepted;
    await expectClosedMidHandshake(tls);
    expect(await outcome(peerClosed)).toEqual({ ok: undefined });
    await closeServer(srv);
  }, 30_000);

  it("over TCP to Node's tls server, closed after the server's first flight arrived: the same, and Node's server sees the client go", async () => {
    const srv = nodeTls.createServer({ key: pki.serverKeyPem, cert: pki.serverChainPem });
    let gone!: () => void;
    const serverSawEnd = new Promise<void>((r) => (gone = r));
    srv.on('tlsClientError', (_e, s) => {
      s.destroy();
      gone();
    });
    srv.on('secureConnection', (s) => {
      s.on('error', () => {});
      s.once('close', () => gone());
    });
    const port = await listen(srv);
    const raw = await connectTcp({ host: '127.0.0.1', port });
    // Close as soon as the server's first bytes came through (the
    // handshake is then under way on both sides, but not finished: our
    // client has not verified anything yet, as verification waits here).
    let first!: () => void;
    const firstBytes = new Promise<void>((r) => (first = r));
    const reader = raw.readable.getReader();
    const t = {
      ...raw,
      readable: new ReadableStream<Uint8Array>({
        async pull(c) {
          const r = await reader.read();
          if (r.done) return c.close();
          first();
          // Hold the server's flight: the handshake stays mid-way.
          await new Promise(() => {});
        },
        cancel: (why) => reader.cancel(why),
      }),
      close: () => raw.close(),
    };
    const tls = connect({ transport: t, servername: 'localhost', ca: pki.caPem });
    await firstBytes;
    await expectClosedMidHandshake(tls);
    expect(await outcome(serverSawEnd)).toEqual({ ok: undefined });
    await closeServer(srv);
  }, 30_000);

  it('over a stream pair whose peer never reads: opened rejects, closed resolves, within a bound', async () => {
    let writes = 0;
    const t = fromStreams({
      readable: new ReadableStream<Uint8Array>(), // says nothing
      writable: new WritableStream<Uint8Array>(
        {
          write: () => {
            writes++;
            return new Promise<void>(() => {}); // never takes the bytes
          },
        },
        { highWaterMark: 0 },
      ),
    });
    const tls = connect({ transport: t, servername: 'localhost', ca: pki.caPem });
    await new Promise((r) => setTimeout(r, 50));
    expect(writes).toBe(1); // the ClientHello is stuck in the write
    await expectClosedMidHandshake(tls);
  }, 30_000);
});

describe('abort during the handshake', () => {
  it('over TCP to a silent server: opened and closed reject with a TLSError (ABORT_ERR) whose cause is the reason', async () => {
    const { srv, port, accepted } = await silentServer();
    const t = await connectTcp({ host: '127.0.0.1', port });
    const ac = new AbortController();
    const tls = connect({ transport: t, servername: 'localhost', ca: pki.caPem, signal: ac.signal });
    const { peerClosed } = await accepted;
    const reason = new Error('took too long');
    ac.abort(reason);
    const o = await outcome(tls.opened);
    expect(o).toHaveProperty('err');
    const err = (o as { err: unknown }).err as TLSError;
    expect(err).toBeInstanceOf(TLSError);
    expect(err.code).toBe('ABORT_ERR');
    expect(err.cause).toBe(reason);
    expect(err.message).toMatch(/took too long/);
    expect(await outcome(tls.closed)).toEqual({ err });
    expect(await outcome(peerClosed)).toEqual({ ok: undefined });
    expect(() => tls.connection.version).toThrow(); // disposed
    await closeServer(srv);
  }, 30_000);
});

/** Read `tls`'s readable to its end or error: the bytes, and the error. */
async function drain(tls: TLSSocket): Promise<{ text: string; err: unknown }> {
  const r = tls.readable.getReader();
  let text = '';
  try {
    for (;;) {
      const x = await r.read();
      if (x.done) return { text, err: undefined };
      text += Buffer.from(x.value).toString();
    }
  } catch (err) {
    return { text, err };
  }
}

/** A Node tls server that writes 'hi' and then ends the connection with
 * `end`, given the TLS socket and its TCP socket (no close_notify, or a
 * reset: a TLSSocket's own handle cannot be reset). */
async function rudeServer(end: (s: nodeTls.TLSSocket, tcp: Socket) => void): Promise<{ srv: nodeTls.Server; port: number }> {
  const tcps: Socket[] = [];
  const srv = nodeTls.createServer({ key: pki.serverKeyPem, cert: pki.serverChainPem }, (s) => {
    s.on('error', () => {});
    const tcp = tcps.shift()!;
    s.write('hi', () => setTimeout(() => end(s, tcp), 50));
  });
  srv.on('connection', (tcp: Socket) => {
    tcp.on('error', () => {});
    tcps.push(tcp);
  });
  return { srv, port: await listen(srv) };
}

describe('errors are TLSErrors with a code', () => {
  it("a TCP reset mid-stream: a TLSError with Node's code ECONNRESET, the socket's error as its cause", async () => {
    // Oracle: Node's tls client names the same reset ECONNRESET.
    const { srv, port } = await rudeServer((_s, tcp) => tcp.resetAndDestroy());
    const nodeCode = await new Promise<string>((resolve) => {
      const c = nodeTls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca: pki.caPem });
      c.on('data', () => {});
      c.on('error', (e: NodeJS.ErrnoException) => resolve(String(e.code)));
      c.on('close', () => resolve('closed without an error'));
    });
    expect(nodeCode).toBe('ECONNRESET');
    const tls = connect({ transport: await connectTcp({ host: '127.0.0.1', port }), servername: 'localhost', ca: pki.caPem });
    await tls.opened;
    const { text, err } = await drain(tls);
    expect(text).toBe('hi');
    expect(err).toBeInstanceOf(TLSError);
    expect((err as TLSError).code).toBe(nodeCode);
    expect((err as TLSError).engineCode).toBe(0);
    expect(((err as TLSError).cause as NodeJS.ErrnoException).code).toBe('ECONNRESET');
    expect(await outcome(tls.closed)).toEqual({ err });
    await closeServer(srv);
  }, 30_000);

  it('a FIN without close_notify, after the handshake and during it: UNEXPECTED_EOF (0x8) in connect() as in the SSL object', async () => {
    // After the handshake: Node's destroy() closes the TCP connection
    // without close_notify.
    const { srv, port } = await rudeServer((s) => s.destroy());
    const tls = connect({ transport: await connectTcp({ host: '127.0.0.1', port }), servername: 'localhost', ca: pki.caPem });
    await tls.opened;
    const { text, err } = await drain(tls);
    expect(text).toBe('hi');
    expect(err).toBeInstanceOf(TLSError);
    expect((err as TLSError).engineCode).toBe(TLS_ERR.UNEXPECTED_EOF);
    expect((err as TLSError).code).toBe('ERR_SSL_UNEXPECTED_EOF_WHILE_READING');
    await closeServer(srv);
    // During the handshake: a TCP server that FINs after the ClientHello.
    const raw = createServer((s) => {
      s.on('error', () => {});
      s.once('data', () => s.end());
    });
    const port2 = await listen(raw);
    const tls2 = connect({ transport: await connectTcp({ host: '127.0.0.1', port: port2 }), servername: 'localhost', ca: pki.caPem });
    const o = await outcome(tls2.opened);
    expect(o).toHaveProperty('err');
    const hsErr = (o as { err: unknown }).err as TLSError;
    expect(hsErr).toBeInstanceOf(TLSError);
    expect(hsErr.engineCode).toBe(TLS_ERR.UNEXPECTED_EOF);
    await closeServer(raw);
  }, 30_000);
});
