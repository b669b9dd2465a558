/**
 * The engine's entropy (env.wt_random) from the default source is drawn
 * from crypto.getRandomValues in batches (ts/core/loader.ts; issue #16:
 * "three cache-cold random calls" per connection): fewer calls than
 * handshakes, every handshake still with its own random, and a caller's
 * own `random` hook still asked for every request.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Connection, TLSContext } from '../ts/core/connection.js';
import { instantiateSync, useInstance, type Wasm } from '../ts/core/loader.js';
import { toHex, useBuild, wasmBytes } from './helpers/env.js';

afterEach(() => vi.restoreAllMocks());

/** The ClientHello of a fresh client: its random (bytes 11..43 of the
 * record) and its key share come from wt_random. */
function clientHello(): Uint8Array {
  const ctx = new TLSContext({ verify: 'insecure-no-chain-validation', groups: ['x25519'] });
  const c = new Connection(ctx);
  c.setConnectState();
  c.doHandshake();
  const out = c.network.read().slice();
  c.dispose();
  ctx.dispose();
  return out;
}

describe('entropy for the engine', () => {
  it('the default source: 50 ClientHellos take fewer getRandomValues calls than hellos, each random distinct', () => {
    useBuild('simd');
    clientHello(); // the first draws the batch
    const calls = vi.spyOn(crypto, 'getRandomValues');
    const randoms = new Set<string>();
    for (let i = 0; i < 50; i++) randoms.add(toHex(clientHello().subarray(11, 43)));
    expect(randoms.size).toBe(50);
    // Each hello asks three times (random, session ID, key share): 150
    // requests of 32 bytes, 4,800 bytes, drawn 1,024 at a time.
    expect(calls.mock.calls.length).toBeGreaterThan(0);
    expect(calls.mock.calls.length).toBeLessThan(10);
  });

  it("a caller's own `random` hook is asked for every request", () => {
    let asked = 0;
    const w: Wasm = instantiateSync(wasmBytes('simd'), {
      random: (buf) => {
        asked++;
        crypto.getRandomValues(buf);
      },
    });
    const before = useInstance(w);
    try {
      clientHello();
      const n = asked;
      for (let i = 0; i < 10; i++) clientHello();
      expect(asked - n).toBe(30);
    } finally {
      if (before) useInstance(before);
    }
  });
});
