/**
 * The layers of ts/ (scripts/check-layers.mjs): imports point down only,
 * no cycle among files through run-time imports, raw wasm exports only in
 * ts/core/. The checker itself is tried on small trees that break each
 * rule, so a checker that saw nothing would fail here.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error a plain .mjs script without declarations
import { check, importsOf } from '../scripts/check-layers.mjs';

interface Report {
  files: number;
  byLayer: Record<string, string[]>;
  valueCycles: string[][];
  typeCycles: string[][];
  problems: string[];
}
const run = check as (dir?: string, opts?: { strictTypes: boolean }) => Report;

const dirs: string[] = [];
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

function tree(files: Record<string, string>): string {
  const d = mkdtempSync(join(tmpdir(), 'wasmtls-layers-'));
  dirs.push(d);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(d, name)), { recursive: true });
    writeFileSync(join(d, name), text);
  }
  return d;
}

describe('ts/ layers', () => {
  it('this checkout: no violation, no run-time cycle, core holds the SSL object and the policy', () => {
    const r = run();
    expect(r.problems).toEqual([]);
    expect(r.valueCycles).toEqual([]);
    for (const f of ['connection.ts', 'context.ts', 'codepoints.ts', 'network.ts', 'verdict.ts', 'session.ts',
      'eof.ts', 'pem.ts', 'configure.ts']) {
      expect(r.byLayer.core).toContain(`core/${f}`);
    }
  });

  it('the checker finds a cycle, an upward import and a raw export outside core', () => {
    const d = tree({
      'core/a.ts': "import { b } from './b.js';\nexport const a = 1 + b;\n",
      'core/b.ts': "import { a } from './a.js';\nexport const b = 2;\nexport const c = a;\n",
      'core/up.ts': "import { x } from '../api/x.js';\nexport const u = x;\n",
      'api/x.ts': "import { wasm } from '../core/w.js';\nexport const x = wasm().exports.wt_x_tls_pending(0);\n",
      'core/w.ts': 'export const wasm = () => ({ exports: {} as Record<string, (n: number) => number> });\n',
      'core/t1.ts': "import type { T2 } from './t2.js';\nexport type T1 = { t: T2 };\n",
      'core/t2.ts': "import { type T1 } from './t1.js';\nexport type T2 = { t?: T1 };\n",
    });
    const r = run(d, { strictTypes: false });
    expect(r.valueCycles).toEqual([['core/a.ts', 'core/b.ts']]);
    expect(r.typeCycles).toEqual([['core/t1.ts', 'core/t2.ts']]);
    expect(r.problems).toContain('cycle through run-time imports: core/a.ts <-> core/b.ts');
    expect(r.problems).toContain('core/up.ts: layer core imports api/x.ts (layer api)');
    expect(r.problems).toContain('api/x.ts: calls raw wasm exports; only ts/core/ does');
    expect(run(d, { strictTypes: true }).problems).toContain('cycle through type-only imports: core/t1.ts <-> core/t2.ts');
  });

  it('imports are read from code, not comments; type-only imports are told apart', () => {
    const src = [
      '/** @example import { x } from "./nope.js"; */',
      "// import { y } from './nope2.js';",
      "import { a, type B } from './a.js';",
      "import type { C } from './c.js';",
      "import { type D } from './d.js';",
      "export { e } from './e.js';",
      "const f = await import('./f.js');",
      "import 'node:fs';",
    ].join('\n');
    expect(importsOf(src)).toEqual([
      { spec: './a.js', typeOnly: false }, { spec: './c.js', typeOnly: true }, { spec: './d.js', typeOnly: true },
      { spec: './e.js', typeOnly: false }, { spec: './f.js', typeOnly: false },
    ]);
  });
});
