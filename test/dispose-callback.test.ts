/**
 * dispose() inside a callback (issue #15, "Lifecycle of connect()/accept()":
 * "`conn.dispose()` called inside a synchronous `onVerify` callback makes
 * the engine run three more calls on the freed, wiped structure: a use
 * after free inside the module. Disposal during a callback is deferred or
 * refused; a test with the exports wrapped counts calls on freed memory
 * (zero).").
 *
 * The module's exports are wrapped before any object is made: every
 * connection handle given to `wt_x_tls_conn_init` is remembered, a `free`
 * of it marks it freed (until `malloc` hands the address out again), and
 * every later `wt_x_tls_*` call whose first argument (the connection) is a
 * freed handle is counted. The oracle is the module itself: what it was
 * asked to do on memory it had been told was free.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accept, connect, type TLSSocket } from '../ts/api/tls.js';
import { Connection, TLSContext, TLSError } from '../ts/core/connection.js';
import { releaseIdleContexts } from '../ts/core/context-cache.js';
import { useInstance, type Wasm, type WasmExports } from '../ts/core/loader.js';
import { freshInstance } from './helpers/env.js';
import { memoryPair } from './helpers/memory-pair.js';

/** Calls on freed connection handles, by export name. */
const onFreed: string[] = [];
const conns = new Set<number>();
const freed = new Set<number>();

function watched(w: Wasm): Wasm {
  const raw = w.exports;
  const out: Record<string, unknown> = {};
  for (const [name, v] of Object.entries(raw)) {
    if (typeof v !== 'function') {
      out[name] = v;
      continue;
    }
    const f = v as (...a: number[]) => number;
    out[name] = (...a: number[]): number => {
      if (name.startsWith('wt_x_tls_') && freed.has(a[0])) onFreed.push(name);
      const r = f(...a);
      if (name === 'wt_x_tls_conn_init') conns.add(a[0]);
      else if (name === 'malloc') freed.delete(r);
      else if (name === 'free' && conns.delete(a[0])) freed.add(a[0]);
      return r;
    };
  }
  Object.defineProperty(w, 'exports', { value: out as WasmExports });
  return w;
}

const w = watched(freshInstance('simd'));
useInstance(w);

let dir: string;
let certPem: string;
let keyPem: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'wasmtls-uaf-'));
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'ed25519', '-nodes', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem')].concat([
      '-days',
      '2',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost',
    ]),
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  certPem = readFileSync(join(dir, 'c.pem'), 'utf8');
  keyPem = readFileSync(join(dir, 'k.pem'), 'utf8');
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** One clean handshake with each configuration the tests use, so that
 * what is made once per instance (the loader's scratch, parsed roots) is
 * in the baseline. */
beforeAll(async () => {
  const sctx = new TLSContext({ cert: certPem, key: keyPem, keylog: () => {} });
  for (const opts of [{ verify: 'chain' as const, ca: certPem, keylog: () => {} }, { verify: 'insecure-no-chain-validation' as const }]) {
    const cctx = new TLSContext(opts);
    const c = new Connection(cctx);
    const s = new Connection(sctx);
    c.setConnectState();
    c.setServerName('localhost');
    s.setAcceptState();
    expect(drive(c, s)).toBeUndefined();
    c.dispose();
    s.dispose();
    cctx.dispose();
  }
  sctx.dispose();
  const { a, b } = memoryPair();
  const s = accept({ transport: b, cert: certPem, key: keyPem });
  const c = connect({ transport: a, servername: 'localhost', ca: certPem });
  await Promise.all([c.opened, s.opened]);
  await Promise.all([c.close(), s.close()]);
  await Promise.all([c.closed, s.closed]);
});

/** Bytes in use once the contexts connect()/accept() keep idle for the
 * next connection (core/context-cache) are released. */
const used = (): number => {
  releaseIdleContexts();
  return w.memoryUsage().used;
};

/** Drive both SSL objects until `step` throws or both are done. */
function drive(c: Connection, s: Connection): unknown {
  for (let i = 0; i < 50; i++) {
    try {
      const rc = c.doHandshake();
      Connection.transfer(c, s);
      const rs = s.doHandshake();
      Connection.transfer(s, c);
      if (rc === 1 && rs === 1) return undefined;
    } catch (e) {
      return e;
    }
  }
  return new Error('no progress');
}

function expectDisposedError(e: unknown): void {
  expect(e).toBeInstanceOf(TLSError);
  expect((e as TLSError).code).toBe('ERR_STREAM_DESTROYED');
  expect((e as TLSError).message).toMatch(/disposed by a callback/);
}

describe('the SSL object: dispose() inside a callback is deferred until the call returns', () => {
  it('onVerify (policy external) disposing its connection: no engine call on freed memory, the call throws', () => {
    onFreed.length = 0;
    const base = used();
    const cctx = new TLSContext({
      verify: 'external',
      onVerify: (_chain, conn) => {
        conn.dispose();
        // Disposed as far as the caller can tell, at once.
        expect(conn.disposed).toBe(true);
        expect(() => conn.version).toThrow(/after dispose/);
        return 0;
      },
    });
    const sctx = new TLSContext({ cert: certPem, key: keyPem });
    const c = new Connection(cctx);
    const s = new Connection(sctx);
    c.setConnectState();
    s.setAcceptState();
    const e = drive(c, s);
    expect(onFreed).toEqual([]);
    expectDisposedError(e);
    expect(c.disposed).toBe(true);
    expect(() => c.doHandshake()).toThrow(/after dispose/);
    expect(c.peerCertificates).toBeUndefined(); // no engine call on a null handle
    expect(onFreed).toEqual([]);
    s.dispose();
    cctx.dispose();
    sctx.dispose();
    expect(onFreed).toEqual([]);
    expect(used()).toBe(base);
  });

  it('onVerify disposing during a handshake driven by write(): deferred too, the write throws', () => {
    // write() counts its own use of the plaintext buffer around the engine
    // call; that count must not hold back the deferred dispose (a merge once
    // made the two counters one field, and the connection stayed alive).
    onFreed.length = 0;
    const base = used();
    const cctx = new TLSContext({
      verify: 'external',
      onVerify: (_chain, conn) => {
        conn.dispose();
        return 0;
      },
    });
    const sctx = new TLSContext({ cert: certPem, key: keyPem });
    const c = new Connection(cctx);
    const s = new Connection(sctx);
    c.setConnectState();
    s.setAcceptState();
    let e: unknown;
    for (let i = 0; i < 50 && e === undefined; i++) {
      try {
        c.write(new Uint8Array([1, 2, 3]));
        Connection.transfer(c, s);
        s.doHandshake();
        Connection.transfer(s, c);
      } catch (err) {
        e = err;
      }
    }
    expectDisposedError(e);
    expect(c.disposed).toBe(true);
    expect(onFreed).toEqual([]);
    s.dispose();
    cctx.dispose();
    sctx.dispose();
    expect(onFreed).toEqual([]);
    expect(used()).toBe(base);
  });

  it('onVerify (policy chain) disposing and refusing: same', () => {
    onFreed.length = 0;
    const base = used();
    const cctx = new TLSContext({
      verify: 'chain',
      ca: certPem,
      onVerify: (_chain, conn) => {
        conn.dispose();
        return 42;
      },
    });
    const sctx = new TLSContext({ cert: certPem, key: keyPem });
    const c = new Connection(cctx);
    const s = new Connection(sctx);
    c.setConnectState();
    c.setServerName('localhost');
    s.setAcceptState();
    const e = drive(c, s);
    expect(onFreed).toEqual([]);
    expectDisposedError(e);
    s.dispose();
    cctx.dispose();
    sctx.dispose();
    expect(onFreed).toEqual([]);
    expect(used()).toBe(base);
  });

  it('a keylog callback disposing (client and server): no engine call on freed memory, no result read from it', () => {
    onFreed.length = 0;
    const base = used();
    for (const side of ['client', 'server'] as const) {
      const kill = { keylog: (_l: string, conn: Connection) => conn.dispose() };
      const cctx = new TLSContext({ verify: 'insecure-no-chain-validation', ...(side === 'client' ? kill : {}) });
      const sctx = new TLSContext({ cert: certPem, key: keyPem, ...(side === 'server' ? kill : {}) });
      const c = new Connection(cctx);
      const s = new Connection(sctx);
      c.setConnectState();
      s.setAcceptState();
      const e = drive(c, s);
      expect(onFreed).toEqual([]);
      expectDisposedError(e);
      expect((side === 'client' ? c : s).disposed).toBe(true);
      c.dispose();
      s.dispose();
      cctx.dispose();
      sctx.dispose();
    }
    expect(onFreed).toEqual([]);
    expect(used()).toBe(base);
  });

  it('an asynchronous onVerify whose connection is disposed before it settles: nothing runs on freed memory', async () => {
    onFreed.length = 0;
    const base = used();
    let release!: (a: number) => void;
    const cctx = new TLSContext({ verify: 'external', onVerify: () => new Promise<number>((r) => (release = r)) });
    const sctx = new TLSContext({ cert: certPem, key: keyPem });
    const c = new Connection(cctx);
    const s = new Connection(sctx);
    c.setConnectState();
    s.setAcceptState();
    expect(drive(c, s)).toEqual(new Error('no progress'));
    const pending = c.verifyPending;
    expect(pending).toBeDefined();
    c.dispose();
    release(0);
    await pending;
    s.dispose();
    cctx.dispose();
    sctx.dispose();
    expect(onFreed).toEqual([]);
    expect(used()).toBe(base);
  });
});

/** A promise's outcome, or 'pending' when it has not settled within 10 s. */
async function settled(p: Promise<unknown>): Promise<'ok' | 'err' | 'pending'> {
  let t: ReturnType<typeof setTimeout> | undefined;
  const timer = new Promise<'pending'>((r) => {
    t = setTimeout(() => r('pending'), 10_000);
  });
  try {
    return await Promise.race([
      p.then(
        () => 'ok' as const,
        () => 'err' as const,
      ),
      timer,
    ]);
  } finally {
    clearTimeout(t);
  }
}

/** All four of a socket's promises settle; the read and write fail. */
async function allSettle(tls: TLSSocket, opened: 'ok' | 'err' = 'err'): Promise<void> {
  const reader = tls.readable.getReader();
  const writer = tls.writable.getWriter();
  const [o, cl, r, wr] = await Promise.all([
    settled(tls.opened),
    settled(tls.closed),
    settled(reader.read()),
    settled(writer.write(new Uint8Array([1]))),
  ]);
  expect({ opened: o, read: r, write: wr }).toEqual({ opened, read: 'err', write: 'err' });
  expect(cl).not.toBe('pending');
}

describe('connect()/accept(): a callback disposing the connection', () => {
  it("the context's onVerify disposing the client's connection: opened rejects with the TLSError, all four promises settle, memory back at baseline", async () => {
    onFreed.length = 0;
    const base = used();
    const ctx = new TLSContext({
      verify: 'external',
      onVerify: (_chain, conn) => {
        conn.dispose();
        return 0;
      },
    });
    const { a, b } = memoryPair();
    const s = accept({ transport: b, cert: certPem, key: keyPem });
    const c = connect({ transport: a, servername: 'localhost', context: ctx });
    const err = await c.opened.catch((e: unknown) => e);
    expectDisposedError(err);
    await allSettle(c);
    await allSettle(s);
    ctx.dispose();
    expect(onFreed).toEqual([]);
    expect(used()).toBe(base);
  });

  it('the keylog option disposing socket.connection (client, then server): same', async () => {
    onFreed.length = 0;
    const base = used();
    for (const side of ['client', 'server'] as const) {
      const { a, b } = memoryPair();
      const sockets: { c?: TLSSocket; s?: TLSSocket } = {};
      const kill = (who: 'c' | 's') => ({ keylog: () => sockets[who]?.connection.dispose() });
      sockets.s = accept({ transport: b, cert: certPem, key: keyPem, ...(side === 'server' ? kill('s') : {}) });
      sockets.c = connect({ transport: a, servername: 'localhost', rejectUnauthorized: false, ...(side === 'client' ? kill('c') : {}) });
      const mine = side === 'client' ? sockets.c : sockets.s;
      expectDisposedError(await mine.opened.catch((e: unknown) => e));
      await allSettle(sockets.c);
      await allSettle(sockets.s);
    }
    expect(onFreed).toEqual([]);
    expect(used()).toBe(base);
  });

  it('onSession disposing socket.connection when the ticket arrives: all four promises settle, memory back at baseline', async () => {
    onFreed.length = 0;
    const base = used();
    const { a, b } = memoryPair();
    const box: { c?: TLSSocket } = {};
    let sessions = 0;
    const s = accept({ transport: b, cert: certPem, key: keyPem, ticketKey: new Uint8Array(32).fill(7) });
    box.c = connect({
      transport: a,
      servername: 'localhost',
      rejectUnauthorized: false,
      onSession: () => {
        sessions++;
        box.c?.connection.dispose();
      },
    });
    const c = box.c;
    await c.opened;
    const reader = c.readable.getReader();
    // Bounded: before the fix this read never settled.
    let t: ReturnType<typeof setTimeout> | undefined;
    const err = await Promise.race([
      reader.read().catch((e: unknown) => e),
      new Promise((r) => {
        t = setTimeout(() => r('read pending'), 20_000);
      }),
    ]);
    clearTimeout(t);
    expect(sessions).toBe(1);
    expect(err).toBeInstanceOf(TLSError);
    expect((err as TLSError).code).toBe('ERR_STREAM_DESTROYED');
    reader.releaseLock();
    expect(await settled(c.closed)).not.toBe('pending');
    expect(await settled(c.writable.getWriter().write(new Uint8Array([1])))).toBe('err');
    // The server's handshake was done; then its peer went without close_notify.
    await allSettle(s, 'ok');
    expect(onFreed).toEqual([]);
    expect(used()).toBe(base);
  });
});
