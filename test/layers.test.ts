/**
 * The layers of ts/ (scripts/check-layers.mjs): imports point down only,
 * no cycle among files (through run-time or type-only imports), raw wasm
 * exports only in ts/core/. The checker itself is tried on small trees that break each
 * rule, so a checker that saw nothing would fail here.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import { root } from './helpers/env.js';
// @ts-expect-error a plain .mjs script without declarations
import { check, importsOf } from '../scripts/check-layers.mjs';

interface Report {
  files: number;
  byLayer: Record<string, string[]>;
  valueCycles: string[][];
  typeCycles: string[][];
  ranks: Record<string, number>;
  problems: string[];
}
const run = check as (dir?: string) => Report;

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

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
  it('this checkout: no violation, no cycle (not even through type-only imports), core holds the SSL object and the policy', () => {
    const r = run();
    expect(r.problems).toEqual([]);
    expect(r.valueCycles).toEqual([]);
    expect(r.typeCycles).toEqual([]);
    // Every file has a rank (none without a cycle), and the context sits
    // below the connection made from it.
    expect(Object.keys(r.ranks)).toHaveLength(r.files);
    expect(r.ranks['core/context.ts']).toBeLessThan(r.ranks['core/connection.ts']);
    for (const f of [
      'connection.ts',
      'context.ts',
      'codepoints.ts',
      'network.ts',
      'verdict.ts',
      'session.ts',
      'eof.ts',
      'pem.ts',
      'configure.ts',
    ]) {
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
    const r = run(d);
    expect(r.valueCycles).toEqual([['core/a.ts', 'core/b.ts']]);
    expect(r.typeCycles).toEqual([['core/t1.ts', 'core/t2.ts']]);
    expect(r.problems).toContain('cycle through run-time imports: core/a.ts <-> core/b.ts');
    expect(r.problems).toContain('cycle through type-only imports: core/t1.ts <-> core/t2.ts');
    expect(r.problems).toContain('core/up.ts: layer core imports api/x.ts (layer api)');
    expect(r.problems).toContain('api/x.ts: calls raw wasm exports; only ts/core/ does');
  });

  it('a type-only cycle alone fails the check, and so does one closed by a module augmentation', () => {
    // The shape ts/core/context.ts <-> connection.ts had: the context's
    // callback type names the connection, the connection holds its context.
    const typeOnly = run(
      tree({
        'core/ctx.ts': "import type { Conn } from './conn.js';\nexport type Cb = (c: Conn) => void;\nexport class Ctx { cb?: Cb; }\n",
        'core/conn.ts': "import { Ctx } from './ctx.js';\nexport class Conn { constructor(readonly ctx: Ctx) {} }\n",
      }),
    );
    expect(typeOnly.valueCycles).toEqual([]);
    expect(typeOnly.problems).toEqual(['cycle through type-only imports: core/conn.ts <-> core/ctx.ts']);
    expect(typeOnly.ranks).toEqual({});
    // The fix it got: ctx.ts declares an empty interface that conn.ts
    // fills in. The augmentation is an edge conn -> ctx (the way its
    // import already points), so this tree is clean...
    const fixed = {
      'core/ctx.ts': 'export interface CbConn {}\nexport type Cb = (c: CbConn) => void;\nexport class Ctx { cb?: Cb; }\n',
      'core/conn.ts':
        "import { Ctx } from './ctx.js';\nexport class Conn { constructor(readonly ctx: Ctx) {} }\n" +
        "declare module './ctx.js' {\n  interface CbConn extends Conn {}\n}\n",
    };
    const clean = run(tree(fixed));
    expect(clean.problems).toEqual([]);
    expect(clean.ranks).toEqual({ 'core/conn.ts': 1, 'core/ctx.ts': 0 });
    // ...but an augmentation pointing back up is seen as the type edge it is.
    const back = run(
      tree({
        ...fixed,
        'core/ctx.ts': `${fixed['core/ctx.ts']}declare module './conn.js' {\n  interface Extra { n: number }\n}\n`,
      }),
    );
    expect(back.problems).toEqual(['cycle through type-only imports: core/conn.ts <-> core/ctx.ts']);
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
      "declare module './g.js' { interface G { g: number } }",
    ].join('\n');
    expect(importsOf(src)).toEqual([
      { spec: './a.js', typeOnly: false },
      { spec: './c.js', typeOnly: true },
      { spec: './d.js', typeOnly: true },
      { spec: './e.js', typeOnly: false },
      { spec: './g.js', typeOnly: true },
      { spec: './f.js', typeOnly: false },
    ]);
  });

  it('the callbacks still receive a Connection: the compiler accepts it both ways, and rejects a look-alike', () => {
    // context.ts no longer imports connection.ts: its callbacks take a
    // CallbackConnection that connection.ts makes the Connection (module
    // augmentation). A user's code typed against Connection must compile
    // as before (tsc is the oracle).
    const d = tree({
      'user.ts': [
        `import { Connection, TLSContext, type CallbackConnection, type KeylogCallback, type VerifyCallback } from '${join(root, 'ts/index.js')}';`,
        'const seen = new Map<Connection, string>();',
        'const keylog: KeylogCallback = (line, conn) => { seen.set(conn, line); const c: Connection = conn; void c.isServer; };',
        'const onVerify: VerifyCallback = (chain, conn: Connection) => chain.length + conn.verifyCode;',
        "const back: CallbackConnection = new Connection(new TLSContext({ verify: 'external', onVerify, keylog }));",
        'void back.peerCertificates;',
        '// @ts-expect-error an object with one of its members is not a Connection',
        'const fake: CallbackConnection = { verifyCode: 0 };',
        'void fake;',
        '',
      ].join('\n'),
    });
    const program = ts.createProgram([join(d, 'user.ts')], {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
      types: ['node'],
      typeRoots: [join(root, 'node_modules/@types')],
      strict: true,
      noEmit: true,
      skipLibCheck: true,
    });
    const diags = ts.getPreEmitDiagnostics(program).map((x) => ts.flattenDiagnosticMessageText(x.messageText, '\n'));
    expect(diags).toEqual([]);
  }, 60_000);
});
