/**
 * The packed package passes publint and "Are the Types Wrong?" (issue #13:
 * "publint and @arethetypeswrong/cli pass in a test"): the tarball `npm pack`
 * makes, as users install it, is checked by both tools, which are the
 * oracles (exports conditions, files present, types resolving under
 * node16 and bundler resolution).
 *
 * attw runs with its esm-only profile: the package is ESM only ("type":
 * "module", `import` conditions only), so the node10 and require() from
 * CommonJS resolutions it skips are not supported by design (README: Node
 * >= 20 imports it).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
let dir: string;
let tarball: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'wasmtls-pack-'));
  const out = execFileSync('npm', ['pack', '--json', '--pack-destination', dir], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const [info] = JSON.parse(out) as { filename: string }[];
  tarball = join(dir, info.filename);
}, 120_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function run(bin: string, args: string[]): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, [join(root, 'node_modules', bin), ...args], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
  });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

describe('the packed tarball', () => {
  it('publint: no error, warning or suggestion', () => {
    const r = run('publint/src/cli.js', ['run', tarball, '--strict']);
    expect(r.out).toMatch(/All good/);
    expect(r.status, r.out).toBe(0);
  }, 120_000);

  it('attw (esm-only profile): every entry resolves to its types under node16 and bundler', () => {
    const r = run('@arethetypeswrong/cli/dist/index.js', [tarball, '--profile', 'esm-only', '--format', 'json']);
    expect(r.status, r.out).toBe(0);
    const res = JSON.parse(r.out) as { analysis: { problems: unknown[]; entrypoints: Record<string, unknown> } };
    expect(
      res.analysis.problems.filter((p) => {
        const k = (p as { resolutionKind?: string }).resolutionKind;
        return k !== 'node10' && k !== 'node16-cjs';
      }),
    ).toEqual([]);
    // Every export of package.json was analysed (none silently dropped).
    expect(Object.keys(res.analysis.entrypoints)).toContain('./node');
    expect(Object.keys(res.analysis.entrypoints)).toContain('./wasmtls.wasm');
  }, 120_000);
});
