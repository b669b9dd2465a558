/**
 * The packed package as a user gets it: `npm pack` of the built tree,
 * installed with `npm install --offline <tarball>` into a fresh project
 * under the OS temp dir (outside the repository, so `wasmtls/...` can only
 * resolve from that project's node_modules). Needs `bash build.sh` (dist/).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { root } from './env.js';

const run = promisify(execFile);

export interface PackedApp {
  /** Temp folder holding the tarball and the app. */
  tmp: string;
  /** The user's project: package.json + node_modules/wasmtls. */
  app: string;
  /** app/node_modules/wasmtls */
  pkgDir: string;
  tarball: string;
  dispose(): void;
}

/** Pack the repository and install the tarball into a new project in a
 * temp folder named from `prefix`; its package.json is `pkg` merged over a
 * private ESM one. */
export async function packAndInstall(prefix: string, pkg: Record<string, unknown> = {}): Promise<PackedApp> {
  for (const f of ['dist/wasmtls.wasm', 'dist/wasmtls-scalar.wasm', 'dist/index.js', 'dist/types/index.d.ts']) {
    if (!existsSync(`${root}${f}`)) throw new Error(`${f} is missing: run \`bash build.sh\` first`);
  }
  const tmp = mkdtempSync(join(tmpdir(), prefix));
  try {
    const { stdout } = await run('npm', ['pack', '--pack-destination', tmp, '--json', '--ignore-scripts'], { cwd: root, timeout: 60_000 });
    const tarball = join(tmp, (JSON.parse(stdout) as { filename: string }[])[0].filename);
    const app = join(tmp, 'app');
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'wasmtls-user', private: true, type: 'module', ...pkg }, null, 2));
    // The package has no dependencies: npm installs the tarball with no
    // network (--offline, and a dead registry so any attempt fails at once).
    await run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', '--registry=http://127.0.0.1:9/', tarball], {
      cwd: app,
      timeout: 60_000,
    });
    const pkgDir = join(app, 'node_modules/wasmtls');
    if (!existsSync(join(pkgDir, 'dist/wasmtls.wasm'))) throw new Error(`npm install left no ${pkgDir}/dist/wasmtls.wasm`);
    return { tmp, app, pkgDir, tarball, dispose: () => rmSync(tmp, { recursive: true, force: true }) };
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}
