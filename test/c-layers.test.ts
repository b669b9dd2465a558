/**
 * The shape of all the C (ARCHITECTURE.md: "Arrows point down only"): the
 * include and call graph of crypto-src/ (every folder) and wasm/, built by
 * scripts/c-graph.mjs from the sources, has no cycle among files, every
 * exported name has one definition, and wasm/ sits on top (nothing in
 * crypto-src/ uses it). The checker is tried on small trees that hold a
 * cycle, so a checker that saw nothing would fail here.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { root } from './helpers/env.js';

interface Graph {
  files: string[];
  edges: { from: string; to: string; why: string[] }[];
  cycles: string[][];
  layers: Record<string, number>;
  duplicates: string[];
}

const script = join(root, 'scripts/c-graph.mjs');
function graph(args: string[] = []): { status: number | null; g: Graph; stderr: string } {
  const r = spawnSync(process.execPath, [script, '--json', ...args], { encoding: 'utf8' });
  return { status: r.status, g: JSON.parse(r.stdout) as Graph, stderr: r.stderr };
}

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function tree(files: Record<string, string>): string {
  const d = mkdtempSync(join(tmpdir(), 'wasmtls-cgraph-'));
  dirs.push(d);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(d, name)), { recursive: true });
    writeFileSync(join(d, name), text);
  }
  return d;
}

describe('C layers (crypto-src/ and wasm/)', () => {
  const whole = graph();

  it('the include and call graph of every folder has no cycle, and no name is defined twice', () => {
    expect(whole.g.cycles).toEqual([]);
    expect(whole.g.duplicates).toEqual([]);
    expect(whole.status).toBe(0);
    const folders = new Set(whole.g.files.map((f) => f.split('/').slice(0, 2).join('/')));
    for (const f of [
      'crypto-src/tls',
      'crypto-src/x509',
      'crypto-src/pk',
      'crypto-src/rsa',
      'crypto-src/ec',
      'crypto-src/aead',
      'crypto-src/hash',
      'crypto-src/pq',
      'crypto-src/int',
      'wasm/exports_tls.c',
    ]) {
      expect(folders).toContain(f);
    }
    // Every file has a layer, and each edge goes to a lower one.
    for (const e of whole.g.edges) expect(whole.g.layers[e.from]).toBeGreaterThan(whole.g.layers[e.to]);
  });

  it('wasm/ is on top: nothing in crypto-src/ includes or calls it', () => {
    const up = whole.g.edges.filter((e) => e.from.startsWith('crypto-src/') && e.to.startsWith('wasm/'));
    expect(up).toEqual([]);
    expect(whole.g.edges.some((e) => e.from === 'wasm/exports_tls.c' && e.to.startsWith('crypto-src/tls/'))).toBe(true);
  });

  it('the cycles once there stay broken: x509 names.c -> cert.c only, ML-KEM tables below both NTTs', () => {
    const to = (from: string) => whole.g.edges.filter((e) => e.from === from).map((e) => e.to);
    expect(to('crypto-src/x509/cert.c')).not.toContain('crypto-src/x509/names.c');
    expect(to('crypto-src/x509/names.c')).toContain('crypto-src/x509/cert.c');
    expect(to('crypto-src/pq/mlkem_ntt_v128.c')).not.toContain('crypto-src/pq/mlkem_poly.c');
    expect(to('crypto-src/pq/mlkem_poly.c')).toContain('crypto-src/pq/mlkem_ntt_v128.c');
    expect(to('crypto-src/pq/mlkem_poly.c')).toContain('crypto-src/pq/mlkem_zetas.c');
  });

  it('the checker sees a cycle through calls, data and a macro, and ignores prototypes and statics', () => {
    const base = {
      'lib.h': '#define FAIL(c) lib_fail(c)\nint lib_fail(int code);\nint high(void);\nextern const int table[2];\n',
      // low.c: data and a function, and a static `twice` of its own that
      // high.c's static `twice` neither uses nor duplicates.
      'low.c':
        '#include "lib.h"\nconst int table[2] = { 1, 2 };\nint lib_fail(int code) { return code; }\n' +
        'static int twice(int x) { return 2 * x; }\nint low_twice(void) { return twice(1); }\n',
      'high.c':
        '#include "lib.h"\n/* lib_fail in a comment */\nstatic int twice(int x) { return x + x; }\n' +
        'int high(void) { return twice(table[0]) + FAIL(3); }\n',
    };
    const ok = graph(['--root', tree(base)]);
    expect(ok.g.cycles).toEqual([]);
    expect(ok.g.duplicates).toEqual([]);
    expect(ok.status).toBe(0);
    expect(ok.g.edges.find((e) => e.from === 'high.c' && e.to === 'low.c')?.why.sort()).toEqual(['FAIL->lib_fail', 'table']);
    // lib.h declares high() and lib_fail() but depends on neither file.
    expect(ok.g.edges.filter((e) => e.from === 'lib.h')).toEqual([]);

    // low.c calling high() back closes a cycle.
    const back = graph(['--root', tree({ ...base, 'low.c': `${base['low.c']}int again(void) { return high(); }\n` })]);
    expect(back.status).toBe(1);
    expect(back.g.cycles).toEqual([['high.c', 'low.c']]);
    expect(back.stderr).toContain('high.c <-> low.c');

    // A header's inline body uses what a .c file defines, which includes it.
    const inl = graph([
      '--root',
      tree({
        'a.h': '#define INL static inline\nint a_f(void);\nINL int a_g(void) { return a_f(); }\n',
        'a.c': '#include "a.h"\nint a_f(void) { return a_g() - 1; }\n',
      }),
    ]);
    expect(inl.g.cycles).toEqual([['a.c', 'a.h']]);

    // Two files exporting one name is reported (the link would fail).
    const dup = graph(['--root', tree({ 'x.c': 'int f(void) { return 1; }\n', 'y.c': 'int f(void) { return 2; }\n' })]);
    expect(dup.status).toBe(1);
    expect(dup.g.duplicates).toEqual(['f: x.c and y.c']);
  });
});
