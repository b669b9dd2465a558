/**
 * Runs the native C test binaries that build.sh made from test/native/:
 *  - test_*   in the plain and the ASan+UBSan builds: exit 0 and a closing
 *             "N passed, 0 failed" line;
 *  - ct_*     under Valgrind memcheck with secrets marked undefined
 *             (ctgrind): zero errors;
 *  - ctleak_* deliberately leaky fixtures: Valgrind must report them, which
 *             shows the constant-time check can fail.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { root } from './helpers/env.js';

function binaries(variant: string, prefix: string): string[] {
  const d = `${root}build/${variant}`;
  if (!existsSync(d)) return [];
  return readdirSync(d)
    .filter((f) => f.startsWith(prefix) && !f.includes('.'))
    .sort();
}

describe('native C tests', () => {
  it('build.sh produced the native test binaries', () => {
    expect(binaries('native', 'test_').length).toBeGreaterThan(0);
    expect(binaries('native-asan', 'test_')).toEqual(binaries('native', 'test_'));
  });
  for (const variant of ['native', 'native-asan']) {
    for (const bin of binaries(variant, 'test_')) {
      it(`${variant}/${bin}`, () => {
        const r = spawnSync(`${root}build/${variant}/${bin}`, {
          encoding: 'utf8',
          env: { ...process.env, ASAN_OPTIONS: 'detect_leaks=1', UBSAN_OPTIONS: 'print_stacktrace=1' },
          timeout: 300_000,
        });
        const out = `${r.stdout}${r.stderr}`;
        expect(r.status, out).toBe(0);
        expect(out).toMatch(/^\d+ passed, 0 failed$/m);
        const m = out.match(/^(\d+) passed/m);
        expect(Number(m![1])).toBeGreaterThan(0);
      });
    }
  }
});

// The SSL object's write/read rules over TLS 1.2 records too: the same
// binary with both sides pinned to TLS 1.2 (tls_testlib.h WT_TEST_TLS12),
// asserting TLS 1.2's differences where the protocols differ.
describe('native C tests over TLS 1.2 (WT_TEST_TLS12=1)', () => {
  for (const variant of ['native', 'native-asan']) {
    for (const bin of binaries(variant, 'test_tls_write')) {
      it(`${variant}/${bin} (TLS 1.2)`, () => {
        const r = spawnSync(`${root}build/${variant}/${bin}`, {
          encoding: 'utf8',
          env: { ...process.env, WT_TEST_TLS12: '1', ASAN_OPTIONS: 'detect_leaks=1', UBSAN_OPTIONS: 'print_stacktrace=1' },
          timeout: 300_000,
        });
        const out = `${r.stdout}${r.stderr}`;
        expect(r.status, out).toBe(0);
        expect(out).toMatch(/^\d+ passed, 0 failed$/m);
      });
    }
  }
});

describe('constant-time checks (Valgrind memcheck, ctgrind)', () => {
  const valgrind = (bin: string) =>
    spawnSync('valgrind', ['-q', '--error-exitcode=1', `${root}build/native-ct/${bin}`], { encoding: 'utf8', timeout: 600_000 });
  for (const bin of binaries('native-ct', 'ct_')) {
    it(`${bin}: zero reports`, () => {
      const r = valgrind(bin);
      expect(r.stderr, r.stderr).not.toMatch(/uninitialised|depends on/);
      expect(r.status, r.stdout + r.stderr).toBe(0);
    });
  }
  for (const bin of binaries('native-ct', 'ctleak_')) {
    it(`${bin}: the planted leak is caught`, () => {
      const r = valgrind(bin);
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/Conditional jump or move depends on uninitialised value|Use of uninitialised value/);
    });
  }
});
