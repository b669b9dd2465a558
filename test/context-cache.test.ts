/**
 * connect() and accept() share the context built from their options
 * (ts/core/context-cache.ts; issue #16: "connect() builds a new context and
 * trust store on every call unless `context` is passed ... Cache by `ca`
 * value, free what is built"): sequential connections with the same `ca`
 * parse it once and hold the same wasm memory; a different `ca` is a
 * different context (a connection never validates against anchors it was
 * not given); a buffer rewritten or a TrustStore grown since is a new
 * context; the idle contexts are freed (memoryUsage back at the baseline).
 *
 * Oracles: the count of certificates parsed into trust stores
 * (TrustStore.prototype.addDER, what each context built from PEM calls),
 * the allocator's bytes in use, and the handshake's verdict.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { accept, connect } from '../ts/api/tls.js';
import { contextCacheStats, IDLE_MS, MAX_IDLE, releaseIdleContexts } from '../ts/core/context-cache.js';
import { TLSContext } from '../ts/core/context.js';
import { TrustStore } from '../ts/core/x509.js';
import { useBuild } from './helpers/env.js';
import { memoryPair } from './helpers/memory-pair.js';
import { makePki, type Pki } from './helpers/pki.js';

const W = useBuild('simd');
let pki: Pki;
let sctx: TLSContext;
beforeAll(() => {
  pki = makePki();
  sctx = new TLSContext({ cert: pki.serverChainPem, key: pki.serverKeyPem });
}, 60_000);
// One whole connection first: what the module allocates once (the
// loader's scratch, tables) is then in the baseline.
beforeAll(async () => {
  expect(await once(pki.caPem)).toMatchObject({ authorized: true });
  releaseIdleContexts();
}, 60_000);
afterAll(() => {
  sctx?.dispose();
  pki?.dispose();
});
afterEach(() => {
  vi.restoreAllMocks();
  releaseIdleContexts();
});

const used = (): number => W.memoryUsage().used;

/** One whole connection (client with `ca`, against a server with its own
 * context): resolves with the client's verdict, once both ended. */
async function once(ca: unknown, extra: Record<string, unknown> = {}): Promise<{ authorized: boolean } | Error> {
  const { a, b } = memoryPair();
  const s = accept({ transport: b, context: sctx, cert: pki.serverChainPem, key: pki.serverKeyPem });
  const c = connect({ transport: a, servername: 'localhost', ca: ca as string, ...extra });
  s.opened.catch(() => {});
  s.closed.catch(() => {});
  let r: { authorized: boolean } | Error;
  try {
    r = await c.opened;
  } catch (e) {
    r = e as Error;
  }
  await Promise.allSettled([c.close(), s.close()]);
  await Promise.allSettled([c.closed, s.closed]);
  return r;
}

describe('connect() shares the context built from its options', () => {
  it('200 sequential connections with the same `ca` parse it once and hold the same memory; released, memory is back at the baseline', async () => {
    releaseIdleContexts();
    const base = used();
    const parsed = vi.spyOn(TrustStore.prototype, 'addDER');
    const built0 = contextCacheStats().built;
    expect(await once(pki.caPem)).toMatchObject({ authorized: true });
    expect(parsed).toHaveBeenCalledTimes(1); // one CA certificate
    const after1 = used();
    expect(after1).toBeGreaterThan(base); // the idle context, kept for the next
    for (let i = 0; i < 199; i++) {
      // A copy of the text (another string object, the same value) hits too.
      const ca = i % 2 ? pki.caPem : Buffer.from(pki.caPem).toString();
      const r = await once(ca);
      expect(r).toMatchObject({ authorized: true });
      expect(used()).toBe(after1);
    }
    expect(parsed).toHaveBeenCalledTimes(1);
    expect(contextCacheStats().built - built0).toBe(1);
    releaseIdleContexts();
    expect(contextCacheStats()).toMatchObject({ live: 0, idle: 0 });
    expect(used()).toBe(base);
  }, 120_000);

  it('a different `ca` is a different context: a root not given is never trusted', async () => {
    const parsed = vi.spyOn(TrustStore.prototype, 'addDER');
    expect(await once(pki.caPem)).toMatchObject({ authorized: true });
    // The stranger alone does not vouch for the server (whose chain ends
    // in the CA): refused, although a context trusting the CA is idle in
    // the cache.
    const r = await once(pki.strangerPem);
    expect(r).toBeInstanceOf(Error);
    expect((r as { code?: string }).code).toBe('SELF_SIGNED_CERT_IN_CHAIN');
    expect(await once([pki.strangerPem, pki.caPem])).toMatchObject({ authorized: true });
    // CA, stranger, stranger + CA: three stores built.
    expect(parsed).toHaveBeenCalledTimes(4);
    // rejectUnauthorized is part of the key too: the same `ca`, not refusing.
    expect(await once(pki.strangerPem, { rejectUnauthorized: false })).toMatchObject({ authorized: false });
  }, 60_000);

  it('a `ca` buffer rewritten since is a new context', async () => {
    const parsed = vi.spyOn(TrustStore.prototype, 'addDER');
    const enc = new TextEncoder();
    const buf = new Uint8Array(Math.max(pki.caPem.length, pki.strangerPem.length) + 1);
    // One buffer, PEM text padded with newlines (allowed after the block).
    const hold = (pem: string): Uint8Array => {
      buf.fill(0x0a);
      buf.set(enc.encode(pem));
      return buf;
    };
    expect(await once(hold(pki.caPem))).toMatchObject({ authorized: true });
    expect(await once(hold(pki.caPem))).toMatchObject({ authorized: true });
    expect(parsed).toHaveBeenCalledTimes(1);
    expect(await once(hold(pki.strangerPem))).toBeInstanceOf(Error);
    expect(await once(hold(pki.caPem))).toMatchObject({ authorized: true });
    expect(parsed).toHaveBeenCalledTimes(3);
  }, 60_000);

  it('a TrustStore is keyed by identity; grown or disposed since, it is a new context (no stale pointer)', async () => {
    const store = new TrustStore(64).addPEM(pki.strangerPem);
    expect(await once(store)).toBeInstanceOf(Error);
    const built0 = contextCacheStats().built;
    expect(await once(store)).toBeInstanceOf(Error);
    expect(contextCacheStats().built).toBe(built0);
    // Adding the CA grows the block (64 bytes): the cached context points
    // at the old one, so it must not be used.
    store.addPEM(pki.caPem);
    expect(await once(store)).toMatchObject({ authorized: true });
    expect(contextCacheStats().built).toBe(built0 + 1);
    store.dispose();
    const r = await once(store);
    expect(r).toBeInstanceOf(Error);
    expect(String(r)).toMatch(/TrustStore used after dispose/);
  }, 60_000);

  it('idle contexts are bounded and freed after the idle time (memory back at the baseline)', async () => {
    releaseIdleContexts();
    const base = used();
    const extra = [pki.clientPem, pki.strangerPem, pki.serverChainPem];
    // MAX_IDLE + 2 different `ca` values: at most MAX_IDLE stay idle.
    for (let i = 0; i < MAX_IDLE + 2; i++) {
      expect(await once([pki.caPem, ...extra.slice(0, i % 4)], { ALPNProtocols: [`p${i}`] })).toMatchObject({ authorized: true });
    }
    expect(contextCacheStats().idle).toBe(MAX_IDLE);
    expect(used()).toBeGreaterThan(base);
    // The idle timer (unref'd) frees them: polled, not timed.
    await vi.waitFor(() => expect(contextCacheStats().idle).toBe(0), { timeout: IDLE_MS * 10, interval: 100 });
    expect(used()).toBe(base);
  }, 60_000);

  it('accept() shares its context too', async () => {
    const built0 = contextCacheStats().built;
    for (let i = 0; i < 5; i++) {
      const { a, b } = memoryPair();
      const s = accept({ transport: b, cert: pki.serverChainPem, key: pki.serverKeyPem });
      const c = connect({ transport: a, servername: 'localhost', ca: pki.caPem });
      await Promise.all([c.opened, s.opened]);
      await Promise.all([c.close(), s.close()]);
      await Promise.allSettled([c.closed, s.closed]);
    }
    expect(contextCacheStats().built - built0).toBe(2); // one server, one client
  }, 60_000);
});
