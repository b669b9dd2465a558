/**
 * BoringSSL's TLS conformance suite (BoGo) against wasmtls: the TLS 1.3
 * subset (test names carrying TLS13, DTLS and QUIC variants left out),
 * run by the runner built from ../shared/bogo with our shim
 * (test/bogo/shim.ts over the SSL object). The oracle is the runner: a Go
 * TLS stack playing scripted peers, well-behaved and hostile.
 *
 * Asserted:
 *  - every failing test is listed in test/bogo/config.json (ExpectedFailures
 *    with the reason it is not a defect, or Defects awaiting a fix);
 *  - no listed test passes (the list stays true);
 *  - the run did pass tests, among them the basic handshakes both ways;
 *  - a negative control: the same judging flags a shim that cannot load
 *    the module (so these assertions can fail).
 *
 * `npm run bogo` runs the whole suite (about 8,000 tests) the same way.
 * Without ../shared/bogo the tests report themselves skipped.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script without declarations
import * as bogo from '../scripts/bogo.mjs';

interface Judged {
  counts: { pass: number; fail: number; unimplemented: number };
  unexpectedFailures: { name: string; error?: string }[];
  unexpectedPasses: { name: string; pattern: string }[];
}
interface Results {
  tests: Record<string, { actual: string; error?: string }>;
}

const present = existsSync(join(bogo.SHARED, 'sources.tar.gz')) && existsSync(join(bogo.ROOT, 'dist', 'wasmtls.wasm'));
const out = join(bogo.ROOT, 'build', 'bogo');

describe.skipIf(!present)('BoGo TLS 1.3 subset (runner from ../shared/bogo)', () => {
  let results: Results;
  let judged: Judged;
  let seconds = 0;
  let shim = '';

  beforeAll(async () => {
    mkdirSync(out, { recursive: true });
    bogo.ensureRunner();
    // Its own copy: `npm run bogo` may be running build/bogo/shim.mjs.
    shim = await bogo.buildShim(join(out, 'shim-test.mjs'));
    const t0 = Date.now();
    ({ results } = await bogo.runRunner({ test: bogo.SUBSET, skip: bogo.SUBSET_SKIP, workers: 2, json: join(out, 'subset.json'), shim }));
    seconds = (Date.now() - t0) / 1000;
    judged = bogo.judge(results);
    const { pass, fail, unimplemented } = judged.counts;
    console.log(`BoGo TLS 1.3 subset: ${pass} pass, ${fail} fail (listed), ${unimplemented} unimplemented in ${seconds.toFixed(0)} s`);
  }, 900_000);

  it('has no failure outside test/bogo/config.json', () => {
    expect(judged.unexpectedFailures.map((f) => `${f.name}: ${(f.error ?? '').split('\n').slice(0, 8).join(' | ')}`)).toEqual([]);
  });

  it('has no listed test that passes (the config stays true)', () => {
    expect(judged.unexpectedPasses.map((p) => `${p.name} (listed as ${p.pattern})`)).toEqual([]);
  });

  it('passed tests: handshakes both ways, resumption, client certificates, HRR, KeyUpdate, peek, shutdown, large messages', () => {
    expect(judged.counts.pass).toBeGreaterThan(100);
    for (const name of [
      'Resume-Client-TLS13-TLS13-TLS',
      'ClientAuth-RSA-Client-TLS13-TLS-Async',
      'ClientAuth-Server-TLS13-TLS-Sync',
      'TLS13-HelloRetryRequest-Client-TLS-Async',
      'KeyUpdate-ToClient',
      'KeyUpdate-ToServer',
      'Peek-Basic',
      'Shutdown-Shim-KeyUpdate-TLS-Sync',
      'LargeMessage',
    ]) {
      expect(results.tests[name]?.actual, name).toBe('PASS');
    }
  });

  it('negative control: a shim that cannot load the module is caught', async () => {
    const saved = process.env.WASMTLS_WASM;
    process.env.WASMTLS_WASM = join(out, 'no-such.wasm');
    try {
      const r = await bogo.runRunner({ test: 'Resume-Client-TLS13-TLS13-TLS', workers: 1, json: join(out, 'control.json'), shim });
      const j: Judged = bogo.judge(r.results);
      expect(j.counts.fail).toBe(1);
      expect(j.unexpectedFailures.map((f) => f.name)).toEqual(['Resume-Client-TLS13-TLS13-TLS']);
    } finally {
      if (saved === undefined) delete process.env.WASMTLS_WASM;
      else process.env.WASMTLS_WASM = saved;
    }
  }, 60_000);
});

// The reason for the skip, by name, only when there is one (a skipped
// describe would still count its it.skip as a skipped test).
if (!present) {
  describe('BoGo', () => {
    it.skip('skipped: ../shared/bogo (BoGo sources beside the checkout) or dist/wasmtls.wasm is absent', () => {});
  });
}
