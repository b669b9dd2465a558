/**
 * The policy connect() / accept() share with the layers above, checked
 * where users meet it:
 *  - a ready `context` gives the same answers as the options it was built
 *    from (authorized, the peer's certificate and chain, the refusal);
 *  - a configuration that cannot work (no init(), no `ca`, a bad key)
 *    closes the caller's transport and rejects `opened`, never throws and
 *    leaves a socket open;
 *  - the CLI's context is built as connect()'s (same modes: it had
 *    ENABLE_PARTIAL_WRITE, which connect() does not use);
 *  - PEM and DER inputs of wasmtls/node go through the one PEM decoder;
 *  - truncation (the transport ends without close_notify, inside a record
 *    or after a complete one) reaches connect(), wasmtls/node and the CLI
 *    as the engine's UNEXPECTED_EOF, against Node `net` / `tls` peers on
 *    127.0.0.1 that cut the connection.
 */
import { X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { connect as netConnect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import * as nodeTls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { fromNodeSocket } from '../ts/adapters/node-socket.js';
import { fromStreams } from '../ts/adapters/streams.js';
import type { Transport } from '../ts/adapters/types.js';
import { connect as nodeConnect, TLSSocket as NodeTLSSocket } from '../ts/api/node.js';
import { accept, connect, type TLSInfo } from '../ts/api/tls.js';
import { dial } from '../ts/cli/s_client.js';
import { TLSContext } from '../ts/core/connection.js';
import { TLS_ERR, TLSError } from '../ts/core/errors.js';
import { root, useBuild } from './helpers/env.js';
import { Peer } from './helpers/peers.js';
import { makePki, type Pki } from './helpers/pki.js';

useBuild('simd');
let pki: Pki;
beforeAll(() => {
  pki = makePki();
}, 60_000);
afterAll(() => pki?.dispose());

/** Two transports joined in memory; `closes` counts close() calls. */
function memoryPair(): { a: Transport; b: Transport; closes: { a: number; b: number } } {
  const ab = new TransformStream<Uint8Array, Uint8Array>();
  const ba = new TransformStream<Uint8Array, Uint8Array>();
  const closes = { a: 0, b: 0 };
  const a = fromStreams({ readable: ba.readable, writable: ab.writable });
  const b = fromStreams({ readable: ab.readable, writable: ba.writable });
  const count = (t: Transport, k: 'a' | 'b'): Transport => ({
    readable: t.readable,
    writable: t.writable,
    close: () => {
      closes[k]++;
      return t.close();
    },
  });
  return { a: count(a, 'a'), b: count(b, 'b'), closes };
}

const same = (x: TLSInfo) => ({
  authorized: x.authorized,
  authorizationError: x.authorizationError,
  subject: x.peerCertificate?.subject,
  issuer: x.peerCertificate?.issuerCertificate?.subject,
  chain: x.peerCertificates.map((d) => Buffer.from(d).toString('hex')),
});

describe('connect({ context }) / accept({ context }) give the same answers as the options', () => {
  it('client: authorized, peer certificate and chain are reported either way', async () => {
    const run = async (ctx?: TLSContext) => {
      const { a, b } = memoryPair();
      const s = accept({ transport: b, cert: pki.serverChainPem, key: pki.serverKeyPem });
      const c = connect({ transport: a, servername: 'localhost', ca: pki.caPem, ...(ctx && { context: ctx }) });
      const info = await c.opened;
      await s.opened;
      await Promise.all([c.close(), s.close()]);
      return info;
    };
    const plain = await run();
    const ctx = new TLSContext({ verify: 'chain', ca: pki.caPem });
    const viaCtx = await run(ctx);
    ctx.dispose();
    expect(plain.authorized).toBe(true);
    expect(plain.peerCertificates.length).toBe(2);
    expect(same(viaCtx)).toEqual(same(plain));
    expect(viaCtx.peerCertificate?.subject).toEqual({ CN: 'localhost' });
  });

  it('client: an untrusted server is refused the same way (alert, verifyError)', async () => {
    const run = async (ctx?: TLSContext) => {
      const { a, b } = memoryPair();
      const s = accept({ transport: b, cert: pki.strangerPem, key: pki.strangerKeyPem });
      const c = connect({ transport: a, servername: 'localhost', ca: pki.caPem, ...(ctx && { context: ctx }) });
      const e = await c.opened.catch((x: unknown) => x);
      await s.opened.catch(() => {});
      return e as TLSError;
    };
    const plain = await run();
    const ctx = new TLSContext({ verify: 'chain', ca: pki.caPem });
    const viaCtx = await run(ctx);
    ctx.dispose();
    expect(plain).toBeInstanceOf(TLSError);
    expect(viaCtx).toBeInstanceOf(TLSError);
    expect(viaCtx.code).toBe(plain.code);
    expect(viaCtx.alert).toBe(48); // unknown_ca
    expect(viaCtx.verifyError).toBe(plain.verifyError);
    expect(viaCtx.verifyError).toMatch(/SELF_SIGNED|UNABLE_TO_GET_ISSUER/);
  });

  it('server: a client certificate checked by a context is reported as with requestCert/ca', async () => {
    const run = async (ctx?: TLSContext) => {
      const { a, b } = memoryPair();
      const s = ctx
        ? accept({ transport: b, cert: pki.serverChainPem, key: pki.serverKeyPem, context: ctx })
        : accept({ transport: b, cert: pki.serverChainPem, key: pki.serverKeyPem, requestCert: true, ca: pki.caPem });
      const c = connect({ transport: a, servername: 'localhost', ca: pki.caPem, cert: pki.clientPem, key: pki.clientKeyPem });
      const info = await s.opened;
      await c.opened;
      await Promise.all([c.close(), s.close()]);
      return info;
    };
    const plain = await run();
    const ctx = new TLSContext({ cert: pki.serverChainPem, key: pki.serverKeyPem, verify: 'chain', ca: pki.caPem, clientCert: 'require' });
    const viaCtx = await run(ctx);
    ctx.dispose();
    expect(plain.authorized).toBe(true);
    expect(plain.peerCertificate?.subject).toEqual({ CN: 'client.test' });
    expect(same(viaCtx)).toEqual(same(plain));
  });
});

describe('the CLI builds its context as connect() does', () => {
  it('s_client (dial, what `npm start` and `wasmtls s_client` use): the same modes and verification policy as connect()', async () => {
    const server = nodeTls.createServer({ cert: pki.serverChainPem, key: pki.serverKeyPem }, (t) => t.end());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    try {
      const d = await dial({ host: '127.0.0.1', port, servername: 'localhost', ca: pki.caPem });
      const c = connect({ transport: fromNodeSocket(await dialTcp(port)), servername: 'localhost', ca: pki.caPem });
      const info = await c.opened;
      // SSL_MODE_AUTO_RETRY only: no ENABLE_PARTIAL_WRITE in either.
      expect(d.context.getMode()).toBe(c.connection.ctx.getMode());
      expect(d.context.verify).toBe(c.connection.ctx.verify);
      expect(same(d.info)).toEqual(same(info));
      await Promise.all([d.tls.close(), c.close()]);
      d.context.dispose();
    } finally {
      server.close();
    }
  });
});

/** A TCP server that records when each accepted socket closes. */
async function watchedServer(): Promise<{ port: number; closed: Promise<void>; server: Server; sockets: Socket[] }> {
  const sockets: Socket[] = [];
  let gotClose!: () => void;
  const closed = new Promise<void>((r) => {
    gotClose = r;
  });
  const server = createServer({ allowHalfOpen: true }, (s) => {
    sockets.push(s);
    s.on('error', () => {});
    s.resume();
    s.once('end', () => gotClose());
    s.once('close', () => gotClose());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as AddressInfo).port, closed, server, sockets };
}

async function dialTcp(port: number): Promise<Socket> {
  const s = netConnect({ host: '127.0.0.1', port, allowHalfOpen: true });
  await once(s, 'connect');
  return s;
}

const within = (p: Promise<unknown>, ms: number) =>
  Promise.race([p.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms))]);

describe('a configuration that cannot work closes the transport and rejects opened', () => {
  it('connect() without ca: no throw; opened and closed reject; the TCP peer sees the socket close', async () => {
    const srv = await watchedServer();
    try {
      const sock = await dialTcp(srv.port);
      const c = connect({ transport: fromNodeSocket(sock), servername: 'localhost' });
      await expect(c.opened).rejects.toThrow(/no trust anchors/);
      await expect(c.closed).rejects.toThrow(/no trust anchors/);
      await expect(c.readable.getReader().read()).rejects.toThrow(/no trust anchors/);
      expect(await within(srv.closed, 3000)).toBe(true);
      await c.close(); // harmless
    } finally {
      for (const s of srv.sockets) s.destroy();
      srv.server.close();
    }
  });

  it('accept() with a bad key: the TLSError comes through opened; the transport is closed', async () => {
    const { b, closes } = memoryPair();
    const s = accept({ transport: b, cert: pki.serverChainPem, key: new Uint8Array([0x30, 0x03, 2, 1, 0]) });
    const e = await s.opened.catch((x: unknown) => x);
    expect(e).toBeInstanceOf(TLSError);
    await expect(s.closed).rejects.toBe(e);
    expect(closes.b).toBe(1);
    expect(() => s.connection).toThrow(e as Error);
  });

  it('accept() without cert, connect() with a bad session or maxVersion: same path', async () => {
    const p1 = memoryPair();
    const s = accept({ transport: p1.b } as never);
    await expect(s.opened).rejects.toThrow(/`cert` and `key` are required/);
    expect(p1.closes.b).toBe(1);
    const p2 = memoryPair();
    const c = connect({ transport: p2.a, servername: 'localhost', ca: pki.caPem, session: new Uint8Array([7, 7, 7, 7]) });
    await expect(c.opened).rejects.toThrow(TypeError);
    expect(p2.closes.a).toBe(1);
    // Without a transport there is nothing to close: a TypeError at once.
    expect(() => connect({} as never)).toThrow(/transport/);
  });

  it('before init(): the module-not-loaded error comes through opened and the socket is closed', async () => {
    vi.resetModules();
    const fresh = await import('../ts/api/tls.js');
    const srv = await watchedServer();
    try {
      const sock = await dialTcp(srv.port);
      const c = fresh.connect({ transport: fromNodeSocket(sock), servername: 'localhost', ca: 'x' });
      await expect(c.opened).rejects.toThrow(/init\(\)/);
      expect(await within(srv.closed, 3000)).toBe(true);
    } finally {
      for (const s of srv.sockets) s.destroy();
      srv.server.close();
    }
  });
});

describe('PEM and DER inputs go through the one PEM decoder (core/pem.ts)', () => {
  it('wasmtls/node: ca as DER, as a PEM Buffer, as a list mixing both; cert/key as PEM Buffers (Node tls peers)', async () => {
    const server = nodeTls.createServer({ cert: pki.serverChainPem, key: pki.serverKeyPem }, (t) => t.end('ok'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    const caDer = new X509Certificate(pki.caPem).raw;
    try {
      for (const ca of [caDer, Buffer.from(pki.caPem), [pki.strangerPem, caDer]]) {
        const s = nodeConnect({ host: '127.0.0.1', port, servername: 'localhost', ca });
        let got = '';
        s.on('data', (d: Buffer) => {
          got += d.toString();
        });
        await once(s, 'secureConnect');
        expect(s.authorized).toBe(true);
        await once(s, 'end');
        expect(got).toBe('ok');
        s.destroy();
      }
    } finally {
      server.close();
    }
    // Our server with its chain and key as Buffers of PEM text; Node's
    // client checks the chain against the CA.
    const ours = createServer((raw) => {
      const t = new NodeTLSSocket(raw, { isServer: true, cert: Buffer.from(pki.serverChainPem), key: Buffer.from(pki.serverKeyPem) });
      t.on('error', () => {});
      t.on('secure', () => t.end('hi'));
    });
    await new Promise<void>((r) => ours.listen(0, '127.0.0.1', r));
    try {
      const c = nodeTls.connect({ host: '127.0.0.1', port: (ours.address() as AddressInfo).port, servername: 'localhost', ca: pki.caPem });
      let got = '';
      c.on('data', (d: Buffer) => {
        got += d.toString();
      });
      await once(c, 'secureConnect');
      expect(c.authorized).toBe(true);
      await once(c, 'end');
      expect(got).toBe('hi');
      c.destroy();
    } finally {
      ours.close();
    }
  });
});

// ---- truncation -------------------------------------------------------------------------

/**
 * A TCP server on 127.0.0.1 that cuts the connection without close_notify:
 * - 'partial': after the ClientHello it sends the first 7 bytes of a
 *   handshake record (a header announcing 122 bytes, 2 of them) and ends;
 * - 'after-record': a Node TLS server completes the handshake, sends
 *   "hello" in a complete record, and the TCP side ends (FIN) with no
 *   close_notify.
 */
async function cutter(mode: 'partial' | 'after-record'): Promise<{ port: number; close: () => void }> {
  const sockets: Socket[] = [];
  const ctx = nodeTls.createSecureContext({ cert: pki.serverChainPem, key: pki.serverKeyPem });
  const server = createServer({ allowHalfOpen: true }, (raw) => {
    sockets.push(raw);
    raw.on('error', () => {});
    if (mode === 'partial') {
      raw.once('data', () => raw.end(Buffer.from([0x16, 0x03, 0x03, 0x00, 0x7a, 0x02, 0x00])));
      return;
    }
    const t = new nodeTls.TLSSocket(raw, { isServer: true, secureContext: ctx });
    t.on('error', () => {});
    t.once('secure', () => {
      t.write('hello', () => setTimeout(() => raw.end(), 50));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

describe('truncation has one code in every layer (UNEXPECTED_EOF)', () => {
  it('connect(): part of a record, then the end, during the handshake', async () => {
    const srv = await cutter('partial');
    try {
      const c = connect({ transport: fromNodeSocket(await dialTcp(srv.port)), servername: 'localhost', ca: pki.caPem });
      const e = await c.opened.catch((x: unknown) => x);
      expect(e).toBeInstanceOf(TLSError);
      expect((e as TLSError).engineCode).toBe(TLS_ERR.UNEXPECTED_EOF);
      expect((e as TLSError).message).toMatch(/without close_notify/);
    } finally {
      srv.close();
    }
  });

  it('connect(): the end without close_notify after a complete record', async () => {
    const srv = await cutter('after-record');
    try {
      const c = connect({ transport: fromNodeSocket(await dialTcp(srv.port)), servername: 'localhost', ca: pki.caPem });
      await c.opened;
      const r = c.readable.getReader();
      const first = await r.read();
      expect(Buffer.from(first.value!).toString()).toBe('hello');
      const e = await r.read().catch((x: unknown) => x);
      expect(e).toBeInstanceOf(TLSError);
      expect((e as TLSError).engineCode).toBe(TLS_ERR.UNEXPECTED_EOF);
      await expect(c.closed).rejects.toBe(e);
    } finally {
      srv.close();
    }
  });

  it("wasmtls/node: during the handshake Node's ECONNRESET, caused by UNEXPECTED_EOF; after a record a quiet end", async () => {
    const srv = await cutter('partial');
    try {
      const s = nodeConnect({ host: '127.0.0.1', port: srv.port, servername: 'localhost', ca: pki.caPem });
      const [err] = (await once(s, 'error')) as [Error & { code: string; cause?: unknown }];
      expect(err.code).toBe('ECONNRESET');
      expect(err.cause).toBeInstanceOf(TLSError);
      expect((err.cause as TLSError).engineCode).toBe(TLS_ERR.UNEXPECTED_EOF);
    } finally {
      srv.close();
    }
    const srv2 = await cutter('after-record');
    try {
      const s = nodeConnect({ host: '127.0.0.1', port: srv2.port, servername: 'localhost', ca: pki.caPem });
      let data = '';
      let error: unknown;
      s.on('data', (d: Buffer) => {
        data += d.toString();
      });
      s.on('error', (e) => {
        error = e;
      });
      await once(s, 'end');
      // Node's SSL_OP_IGNORE_UNEXPECTED_EOF: the data, then 'end'.
      expect(data).toBe('hello');
      expect(error).toBeUndefined();
      s.destroy();
    } finally {
      srv2.close();
    }
  });

  const CLI = `${root}dist/cli.js`;
  it.skipIf(!existsSync(CLI))("the CLI (s_client) names the engine's truncation in both cases", async () => {
    for (const [mode, want] of [
      ['partial', /handshake with 127\.0\.0\.1:\d+ failed: unexpected EOF: transport closed without close_notify/],
      ['after-record', /wasmtls s_client: unexpected EOF: transport closed without close_notify/],
    ] as const) {
      const srv = await cutter(mode);
      const cli = new Peer(process.execPath, [
        CLI,
        's_client',
        '-connect',
        `127.0.0.1:${srv.port}`,
        '-servername',
        'localhost',
        '-CAfile',
        pki.path('ca.crt'),
        '-quiet',
      ]);
      try {
        cli.child.stdin.end();
        await cli.waitExit(15_000);
        expect(cli.stderr.toString()).toMatch(want);
        expect(cli.exited).not.toBe(0);
        if (mode === 'after-record') expect(cli.stdout.toString()).toBe('hello');
      } finally {
        cli.kill();
        srv.close();
      }
    }
  });
});

describe('closing the writable when the outgoing side is full', () => {
  it("end(): shutdown()'s WANT_WRITE is drained and repeated (SSL_shutdown(3)), the peer gets every byte and close_notify", async () => {
    // A context whose network side holds 10 bytes: every record, and the
    // 24-byte close_notify, leaves in pieces (WANT_WRITE on each call).
    const ctx = new TLSContext({ verify: 'chain', ca: pki.caPem, bufferSizes: { netOut: 10 } });
    try {
      const { a, b } = memoryPair();
      const s = accept({ transport: b, cert: pki.serverChainPem, key: pki.serverKeyPem });
      const c = connect({ transport: a, servername: 'localhost', ca: pki.caPem, context: ctx });
      await Promise.all([c.opened, s.opened]);
      const data = new TextEncoder().encode('every byte, then close_notify');
      const w = c.writable.getWriter();
      await w.write(data);
      await w.close(); // rejected with 'shutdown failed' before the fix
      const got: Uint8Array[] = [];
      for await (const x of s.readable as unknown as AsyncIterable<Uint8Array>) got.push(x);
      expect(Buffer.concat(got).toString()).toBe('every byte, then close_notify');
      await Promise.all([c.close(), s.close()]);
    } finally {
      ctx.dispose();
    }
  });
});
