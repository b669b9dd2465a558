/**
 * README.md's TypeScript and JavaScript examples compile under
 * `tsc --strict` as a user's project would compile them (issue #13: "the
 * README's examples compile under tsc --strict"). Each ```ts / ```js block
 * becomes one module of a fresh project in a temporary folder whose
 * node_modules has `wasmtls` (this package: its package.json `exports` and
 * the declarations in dist/types, as an installed copy resolves them) and
 * the packages the examples import (@types/node, undici, ws). tsc is the
 * oracle; zero diagnostics is the pass.
 *
 * Markers, an HTML comment on the line right before a block's fence:
 *  - `<!-- check-context: TS -->` prepends TS to the module: declarations
 *    of the example's free names (`declare const caPem: string;`), so a
 *    snippet stays short and is still checked;
 *  - `<!-- not-checked: reason -->` leaves the block out (keep these rare).
 *
 * Deno and Workers examples are checked too: the project declares the few
 * runtime names they use (`Deno.connect`, `cloudflare:sockets`, `*.wasm`
 * imports, as demo/workers/src/modules.d.ts does), and `npm:wasmtls/...`
 * and `jsr:@wasmtls/wasmtls/...` specifiers are read as `wasmtls/...`
 * (jsr.json has the same entry points as package.json, which
 * test/deno-jsr.test.ts checks).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

interface Example {
  line: number; // 1-based line of the opening fence
  lang: 'ts' | 'js';
  code: string;
  context: string;
  skipped?: string;
}

/** The fenced ts/js blocks of a Markdown text, with their markers. */
function extractExamples(md: string): Example[] {
  const lines = md.split('\n');
  const out: Example[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(ts|typescript|js|javascript)\s*$/.exec(lines[i]);
    if (!open) {
      // Skip over other fenced blocks whole (a ``` inside them is text).
      if (/^```/.test(lines[i])) {
        i++;
        while (i < lines.length && !/^```\s*$/.test(lines[i])) i++;
      }
      continue;
    }
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i]); i++) body.push(lines[i]);
    if (i >= lines.length) throw new Error(`README.md:${start + 1}: unclosed code block`);
    const prev = lines[start - 1] ?? '';
    const marker = /^<!--\s*(not-checked|check-context):\s*([\s\S]*?)\s*-->\s*$/.exec(prev);
    const lang = open[1].startsWith('t') ? 'ts' : 'js';
    const ex: Example = { line: start + 1, lang, code: body.join('\n'), context: '' };
    if (marker?.[1] === 'not-checked') ex.skipped = marker[2];
    if (marker?.[1] === 'check-context') ex.context = marker[2];
    out.push(ex);
  }
  return out;
}

/** What Deno and the Workers runtime declare, as far as the examples use it
 * (a project has Deno's own lib or @cloudflare/workers-types instead); the
 * Workers part is the demo's own (demo/workers/src/modules.d.ts). */
const RUNTIME_DECLARATIONS = `
declare namespace Deno {
  interface Conn {
    readonly readable: ReadableStream<Uint8Array>;
    readonly writable: WritableStream<Uint8Array>;
    read(p: Uint8Array): Promise<number | null>;
    write(p: Uint8Array): Promise<number>;
    closeWrite(): Promise<void>;
    close(): void;
  }
  function connect(options: { hostname: string; port: number }): Promise<Conn>;
  function readTextFile(path: string): Promise<string>;
}
`;

const examples = extractExamples(readFileSync(join(root, 'README.md'), 'utf8'));

describe('README examples', () => {
  it('the marker parser finds blocks, contexts and skips (and not other fences)', () => {
    const md = [
      '```sh',
      'npm test',
      '```',
      '<!-- check-context: declare const a: string; -->',
      '```ts',
      'a.length;',
      '```',
      '<!-- not-checked: output only -->',
      '```js',
      'x',
      '```',
      '```',
      '```ts',
      '```',
    ].join('\n');
    expect(extractExamples(md)).toEqual([
      { line: 5, lang: 'ts', code: 'a.length;', context: 'declare const a: string;' },
      { line: 9, lang: 'js', code: 'x', context: '', skipped: 'output only' },
    ]);
  });

  it('every ts/js block compiles under tsc --strict against the package (zero diagnostics)', () => {
    const checked = examples.filter((e) => e.skipped === undefined);
    // The README has its API examples in TS; finding none means the parser broke.
    expect(checked.length).toBeGreaterThanOrEqual(5);
    // Declarations are what an installed package is checked against.
    expect(existsSync(join(root, 'dist/types/index.d.ts')), 'run build.sh first').toBe(true);

    const dir = mkdtempSync(join(tmpdir(), 'wasmtls-readme-'));
    try {
      const nm = join(dir, 'node_modules');
      mkdirSync(join(nm, '@types'), { recursive: true });
      symlinkSync(root, join(nm, 'wasmtls'), 'dir');
      for (const p of ['@types/node', '@types/ws', 'undici', 'ws']) symlinkSync(join(root, 'node_modules', p), join(nm, p), 'dir');
      writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'readme-check', private: true, type: 'module' }));
      // A Node project's settings (no DOM lib); skipLibCheck as `tsc --init`
      // sets it (dist/types/core/loader.d.ts names WebAssembly and
      // BufferSource, which only the DOM lib declares with @types/node 20).
      writeFileSync(
        join(dir, 'tsconfig.json'),
        JSON.stringify({
          compilerOptions: {
            strict: true,
            noEmit: true,
            target: 'es2022',
            module: 'nodenext',
            moduleResolution: 'nodenext',
            lib: ['es2022'],
            types: ['node'],
            allowJs: true,
            checkJs: true,
            skipLibCheck: true,
          },
          include: ['*.ts', '*.mjs'],
        }),
      );
      writeFileSync(join(dir, 'runtimes.d.ts'), RUNTIME_DECLARATIONS + readFileSync(join(root, 'demo/workers/src/modules.d.ts'), 'utf8'));
      const names = new Map<string, number>();
      for (const e of checked) {
        const name = `readme-line-${e.line}.${e.lang === 'ts' ? 'ts' : 'mjs'}`;
        names.set(name, e.line);
        // `export {}` keeps each block a module of its own (top-level await,
        // no name clashes between blocks).
        const code = e.code.replace(/(['"])(?:npm:|jsr:@wasmtls\/)wasmtls(?=[/'"])/g, '$1wasmtls');
        writeFileSync(join(dir, name), `${e.context}\n${code}\nexport {};\n`);
      }
      let out = '';
      try {
        execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json', '--pretty', 'false'], {
          cwd: dir,
          encoding: 'utf8',
          stdio: 'pipe',
        });
      } catch (err) {
        const e = err as { stdout?: string; stderr?: string };
        out = `${e.stdout ?? ''}${e.stderr ?? ''}`;
      }
      // Point each diagnostic at the README line it comes from (the context
      // is one line before the block's first).
      const readable = out.replace(
        /^(readme-line-(\d+)\.m?[jt]s)\((\d+),(\d+)\)/gm,
        (_m, _f, l: string, r: string, c: string) => `README.md:${Number(l) + Number(r) - 1}:${c}`,
      );
      expect(readable, 'tsc diagnostics in README examples').toBe('');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
