/**
 * Memory limits and exhaustion (issue #15): "the module's memory is capped
 * at 256 MiB (undocumented) ... The memory maximum is the platform's (4 GiB
 * for wasm32) or set by the user, documented"; "an out-of-memory inside
 * the module is a TLSError that says what happened and what to do, and the
 * instance keeps working once memory is freed"; "The CLI server and
 * accept() survive exhaustion ... A cap on concurrent connections in
 * s_server."
 *
 * Oracles: the module's own memory object (memory.buffer.byteLength, which
 * the engine cannot fake) and its allocator's count (memoryUsage().used);
 * Node's tls client as the real peer of s_server.
 */
import { createHash } from 'node:crypto';
import { connect as netConnect, type Socket } from 'node:net';
import * as nodeTls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accept, connect, type TLSSocket } from '../ts/api/tls.js';
import { clientContext, serverContext } from '../ts/core/configure.js';
import type { TLSContext } from '../ts/core/context.js';
import { TLS_ERR, TLSError } from '../ts/core/errors.js';
import { wasm } from '../ts/core/loader.js';
import { freshInstance, root, useBuild } from './helpers/env.js';
import { Peer } from './helpers/peers.js';
import { makePki, type Pki } from './helpers/pki.js';
import { memoryPair } from './helpers/memory-pair.js';

const MiB = 1048576;
// This file's shared instance (connect()/accept() use it) is limited to
// 24 MiB, so filling it takes tens of connections, not thousands.
const LIMIT = 24 * MiB;
useBuild('simd', { maxMemory: LIMIT });

let pki: Pki;
beforeAll(() => {
  pki = makePki();
}, 60_000);
afterAll(() => pki?.dispose());

/** Allocate 64 KiB blocks until the module refuses; returns them. */
function fill(w: Pick<ReturnType<typeof freshInstance>, 'exports'>): number[] {
  const blocks: number[] = [];
  for (;;) {
    const p = w.exports.malloc(65536);
    if (p === 0) return blocks;
    blocks.push(p);
  }
}

describe('memory maximum', () => {
  it('default: the wasm32 maximum, 4 GiB; 300 MiB (beyond the old 256 MiB cap) can be had', () => {
    const w = freshInstance('simd');
    expect(w.memoryUsage().limit).toBe(4 * 1024 * MiB);
    const p = w.exports.malloc(300 * MiB);
    expect(p).not.toBe(0);
    expect(w.exports.memory.buffer.byteLength).toBeGreaterThan(300 * MiB);
    w.free(p);
  });

  it('maxMemory is a real limit: memory never grows past it, and what is freed is used again', () => {
    for (const build of ['simd', 'scalar'] as const) {
      const w = freshInstance(build, { maxMemory: 8 * MiB });
      expect(w.memoryUsage().limit).toBe(8 * MiB);
      const blocks = fill(w);
      // The memory object itself stays within the limit, and the allocator
      // got close to it before refusing.
      expect(w.exports.memory.buffer.byteLength).toBeLessThanOrEqual(8 * MiB);
      expect(w.memoryUsage().used).toBeGreaterThan(7 * MiB);
      expect(() => w.alloc(65536)).toThrow(RangeError);
      for (const p of blocks) w.free(p);
      const again = fill(w);
      expect(again.length).toBe(blocks.length);
      expect(w.exports.memory.buffer.byteLength).toBeLessThanOrEqual(8 * MiB);
    }
  });

  it('maxMemory below the memory at load, or not a positive number, is refused at load with a clear error', () => {
    expect(() => freshInstance('simd', { maxMemory: 1 * MiB })).toThrow(/maxMemory .* below the module's memory at load/);
    expect(() => freshInstance('simd', { maxMemory: -1 })).toThrow(/maxMemory must be a positive number of bytes/);
  });

  it('addresses above 2 GiB work: a handshake and data with every connection buffer past the 2 GiB mark', async () => {
    const w = freshInstance('simd');
    // Push the heap's end past 2^31: what is allocated next lies above it,
    // where wasm's i32 results read as negative numbers in JavaScript.
    const low = w.exports.malloc(2 * 1024 * MiB + MiB);
    expect(low).not.toBe(0);
    const prev = (await import('../ts/core/loader.js')).useInstance(w);
    try {
      const { a, b } = memoryPair();
      const s = accept({ transport: b, cert: pki.serverChainPem, key: pki.serverKeyPem });
      const c = connect({ transport: a, servername: 'localhost', ca: pki.caPem });
      await Promise.all([c.opened, s.opened]);
      const probe = w.alloc(16);
      expect(probe).toBeGreaterThan(2 ** 31);
      w.free(probe);
      const data = new Uint8Array(100_000).map((_, i) => i * 7);
      const cw = c.writable.getWriter();
      const echo = s.readable.pipeTo(s.writable);
      void cw.write(data);
      const got: Uint8Array[] = [];
      let n = 0;
      const r = c.readable.getReader();
      while (n < data.length) {
        const x = await r.read();
        if (x.done) break;
        got.push(x.value);
        n += x.value.length;
      }
      expect(sha(Buffer.concat(got))).toBe(sha(data));
      await cw.close();
      r.releaseLock();
      await echo.catch(() => {});
      await Promise.all([c.closed.catch(() => {}), s.closed.catch(() => {})]);
    } finally {
      if (prev) (await import('../ts/core/loader.js')).useInstance(prev);
      w.free(low);
    }
  }, 60_000);
});

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** A connected pair over memory; resolves when both handshakes are done,
 * rejects with the first failure (the other side's is observed too). */
async function openPair(cctx: TLSContext, sctx: TLSContext): Promise<{ c: TLSSocket; s: TLSSocket }> {
  const { a, b } = memoryPair();
  const s = accept({ transport: b, context: sctx, cert: pki.serverChainPem, key: pki.serverKeyPem });
  const c = connect({ transport: a, context: cctx, servername: 'localhost' });
  const [cr, sr] = await Promise.allSettled([c.opened, s.opened]);
  if (cr.status === 'fulfilled' && sr.status === 'fulfilled') return { c, s };
  await Promise.allSettled([c.close(), s.close(), c.closed, s.closed]);
  const errs = [cr, sr].flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
  throw errs.find((e) => e instanceof TLSError && e.engineCode === TLS_ERR.NO_MEMORY) ?? errs[0];
}

describe('out of memory is a TLSError, and the instance goes on', () => {
  it('connections until memory runs out: the next connect()/accept() rejects with ERR_SSL_MALLOC_FAILURE saying what to do; after dispose, connections work again', async () => {
    const w = wasm();
    const sctx = serverContext({ cert: pki.serverChainPem, key: pki.serverKeyPem });
    const cctx = clientContext({ ca: pki.caPem });
    const base = w.memoryUsage().used;
    // Ballast up to the limit, then 3 MiB of it given back: the pairs
    // below fill those (a handful at today's cost per connection, a few
    // hundred at most when connections are cheap), not all 24 MiB.
    const ballast = fill(w);
    for (const p of ballast.splice(-48)) w.free(p);
    const held: { c: TLSSocket; s: TLSSocket }[] = [];
    let refusal: unknown;
    for (let i = 0; i < 1000 && refusal === undefined; i++) {
      try {
        held.push(await openPair(cctx, sctx));
      } catch (e) {
        refusal = e;
      }
    }
    expect(held.length).toBeGreaterThan(0);
    expect(refusal).toBeInstanceOf(TLSError);
    const err = refusal as TLSError;
    expect(err.code).toBe('ERR_SSL_MALLOC_FAILURE');
    expect(err.message).toMatch(/out of memory/);
    expect(err.message).toMatch(/dispose\(\)/);
    expect(err.message).toMatch(/maxMemory/);
    expect(w.exports.memory.buffer.byteLength).toBeLessThanOrEqual(LIMIT);

    // Plain allocations up to the brim: a connect() now cannot even get its
    // connection structure (the TypeScript side's allocation).
    const blocks: number[] = [];
    for (let p = w.exports.malloc(1024); p !== 0; p = w.exports.malloc(1024)) blocks.push(p);
    const { a } = memoryPair();
    const c = connect({ transport: a, context: cctx, servername: 'localhost' });
    const e2 = await c.opened.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(e2).toBeInstanceOf(TLSError);
    expect((e2 as TLSError).code).toBe('ERR_SSL_MALLOC_FAILURE');
    expect((e2 as TLSError).message).toMatch(/bytes for a connection/);
    for (const p of blocks) w.free(p);

    // Established connections still carry data at the limit.
    const { c: c0, s: s0 } = held[0];
    const echo0 = s0.readable.pipeTo(s0.writable).catch(() => {});
    const w0 = c0.writable.getWriter();
    await w0.write(new TextEncoder().encode('still here'));
    const r0 = c0.readable.getReader();
    const got0 = await r0.read();
    expect(new TextDecoder().decode(got0.value)).toBe('still here');
    r0.releaseLock();
    w0.releaseLock();

    // Free the ballast and half the pairs: new connections are served
    // again on the same instance.
    for (const p of ballast) w.free(p);
    const drop = held.splice(0, Math.ceil(held.length / 2));
    await Promise.all(drop.flatMap((p) => [p.c.close(), p.s.close()]));
    await Promise.allSettled(drop.flatMap((p) => [p.c.closed, p.s.closed]));
    await echo0;
    const again = await openPair(cctx, sctx);
    held.push(again);
    await Promise.all(held.flatMap((p) => [p.c.close(), p.s.close()]));
    await Promise.allSettled(held.flatMap((p) => [p.c.closed, p.s.closed]));
    sctx.dispose();
    cctx.dispose();
    // Everything given back (a little slack for the loader's scratch).
    expect(w.memoryUsage().used - base).toBeLessThan(64 * 1024);
  }, 120_000);
});

// ---- wasmtls s_server ------------------------------------------------------

async function startCli(extra: string[]): Promise<{ srv: Peer; port: number }> {
  const srv = new Peer(process.execPath, [
    `${root}dist/cli.js`,
    's_server',
    '-accept',
    '127.0.0.1:0',
    '-cert',
    pki.path('server-chain.crt'),
    '-key',
    pki.path('server.key'),
    ...extra,
  ]);
  await srv.waitFor('\n', 15_000);
  const m = /^ACCEPT 127\.0\.0\.1:(\d+)$/m.exec(srv.stdout.toString());
  expect(m).not.toBeNull();
  return { srv, port: Number(m![1]) };
}

/** A TCP connection that sends nothing; resolves once connected. */
function silent(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = netConnect({ host: '127.0.0.1', port }, () => resolve(s));
    s.on('error', reject);
  });
}

/** Resolves when the server closes `s` (it sent nothing back). */
function closedByPeer(s: Socket): Promise<number> {
  let got = 0;
  s.on('data', (d: Buffer) => (got += d.length));
  s.on('error', () => {});
  return new Promise((resolve) => s.once('close', () => resolve(got)));
}

/** A Node tls client: connect, send `msg`, resolve with the echo; the
 * socket stays open (the caller ends it). Rejects if the server refuses. */
function echoClient(port: number, msg: string): Promise<{ reply: string; sock: nodeTls.TLSSocket }> {
  return new Promise((resolve, reject) => {
    const c = nodeTls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca: pki.caPem }, () => c.write(msg));
    c.once('data', (d: Buffer) => resolve({ reply: d.toString(), sock: c }));
    c.once('error', reject);
    c.once('close', () => reject(new Error('closed by the server before an echo')));
  });
}

function echoAgain(c: nodeTls.TLSSocket, msg: string): Promise<string> {
  return new Promise((resolve, reject) => {
    c.once('data', (d: Buffer) => resolve(d.toString()));
    c.once('error', reject);
    c.write(msg);
  });
}

describe('wasmtls s_server under exhaustion', () => {
  it('-max_conns 3: the 4th connection is closed at once and logged; after one closes, a new client is served', async () => {
    const { srv, port } = await startCli(['-max_conns', '3']);
    const socks: Socket[] = [];
    try {
      for (let i = 0; i < 3; i++) socks.push(await silent(port));
      const fourth = await silent(port);
      expect(await closedByPeer(fourth)).toBe(0);
      await srv.waitFor('-max_conns 3', 15_000, 'stderr');
      expect(srv.stderr.toString()).toMatch(/refused 127\.0\.0\.1:\d+: 3 connections open \(-max_conns 3\)/);
      // The three are still open: the server did not drop them.
      for (const s of socks) expect(s.destroyed).toBe(false);
      // One goes; the server sees its close when it sees it, so a client
      // may be refused a few times before a slot is free.
      const gone = socks.shift()!;
      const seen = closedByPeer(gone);
      gone.end();
      await seen;
      let served: string | undefined;
      for (let i = 0; i < 50 && served === undefined; i++) {
        try {
          const { reply, sock } = await echoClient(port, 'hello');
          served = reply;
          sock.end();
        } catch {}
      }
      expect(served).toBe('hello');
    } finally {
      for (const s of socks) s.destroy();
      srv.kill();
    }
  }, 60_000);

  it('-max_memory 4: silent connections fill memory, a new client is refused cleanly and logged, the established one goes on', async () => {
    const { srv, port } = await startCli(['-max_memory', '4', '-max_conns', '0']);
    const socks: Socket[] = [];
    let est: nodeTls.TLSSocket | undefined;
    try {
      const first = await echoClient(port, 'one');
      est = first.sock;
      expect(first.reply).toBe('one');
      // Silent connections until the server refuses one for memory; their
      // count is bounded (each holds at most what a handshake holds).
      const refusedOne = srv.waitFor('out of memory', 60_000, 'stderr');
      let refused = false;
      void refusedOne.then(() => (refused = true));
      for (let i = 0; i < 4000 && !refused; i++) {
        const s = await silent(port);
        s.on('error', () => {});
        socks.push(s);
        // Let the server take it (accept() runs on its next turn).
        if (i % 20 === 19) await new Promise((r) => setTimeout(r, 20));
      }
      await refusedOne;
      expect(srv.stderr.toString()).toMatch(/refused 127\.0\.0\.1:\d+: out of memory/);
      // A real client now: refused, cleanly (closed, no crash).
      await expect(echoClient(port, 'late')).rejects.toThrow();
      // The established connection still echoes, and the server is alive.
      expect(await echoAgain(est, 'two')).toBe('two');
      expect(srv.exited).toBeUndefined();
      // Memory comes back when the silent ones go: a new client is served.
      for (const s of socks.splice(0)) s.destroy();
      let served: string | undefined;
      for (let i = 0; i < 50 && served === undefined; i++) {
        try {
          const { reply, sock } = await echoClient(port, 'again');
          served = reply;
          sock.end();
        } catch {
          await new Promise((r) => setTimeout(r, 50));
        }
      }
      expect(served).toBe('again');
    } finally {
      est?.destroy();
      for (const s of socks) s.destroy();
      srv.kill();
    }
  }, 120_000);
});
