/**
 * The PACKED package, as a user gets it: `npm pack` of the built tree,
 * installed offline into a fresh folder outside the repository, then used
 * from there by Node (ESM), Deno (`npm:` specifiers over that
 * node_modules), workerd (an esbuild bundle importing
 * `wasmtls/wasmtls.wasm` as a compiled module), Chromium (an esbuild
 * bundle whose `init()` fetches the wasm beside it) and tsc (types for
 * every entry). Each runtime imports every entry of package.json
 * "exports" (read from the installed package.json, so new entries are
 * covered by themselves), does a TLS 1.3 handshake in memory with
 * verify 'chain' against a self-signed certificate, moves data both ways
 * and computes a SHA-256 that the test checks against node:crypto.
 *
 * Needs a build (`bash build.sh`: dist/). Nothing resolves into the
 * repository: the folder lives under the OS temp dir, so `wasmtls/...`
 * can only come from its own node_modules.
 */
import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { root } from './helpers/env.js';
import { CHROMIUM_ARGS, fetchWorkerd, serveDir } from './helpers/runtimes.js';

const run = promisify(execFile);

// ---- what each runtime must report --------------------------------------

/** The bytes every runtime hashes; the test hashes them with node:crypto. */
const DIGEST_LEN = 100_000;
const digestInput = () => new Uint8Array(DIGEST_LEN).map((_, i) => (i * 31 + 7) & 0xff);
const expectedDigest = createHash('sha256').update(digestInput()).digest('hex');

interface Report {
  error?: string;
  simd: boolean;
  /** entry specifier -> number of runtime exports */
  entries: Record<string, number>;
  sameLoader: boolean;
  version: string;
  cipher: string;
  group: string;
  scheme: string;
  verifyCode: number;
  peerAuthenticated: boolean;
  up: { sent: number; received: number; equal: boolean };
  down: { sent: number; received: number; equal: boolean; text: string };
  sha256: string;
}

// ---- the packed tarball and the install ---------------------------------

let tmp: string; // pack destination
let app: string; // the user's project: package.json + node_modules/wasmtls
let pkgDir: string; // app/node_modules/wasmtls
let tarball: string;
let tarFiles: string[]; // paths inside the tarball, without "package/"
let installedWith: string;
/** Every JS entry of the exports map: subpath -> { specifier, file, types }. */
let entries: { sub: string; spec: string; file: string; types?: string; nodeOnly: boolean }[];
let wasmEntries: { sub: string; file: string }[];

type ExportTarget = string | { types?: string; import?: string; default?: string };

function exportsOf(pkgJson: { exports: Record<string, ExportTarget> }) {
  const js: { sub: string; spec: string; file: string; types?: string }[] = [];
  const wasm: { sub: string; file: string }[] = [];
  for (const [sub, t] of Object.entries(pkgJson.exports)) {
    const file = typeof t === 'string' ? t : (t.import ?? t.default ?? '');
    if (sub.endsWith('.wasm')) wasm.push({ sub, file });
    else if (sub.endsWith('.json')) continue;
    else
      js.push({ sub, spec: sub === '.' ? 'wasmtls' : `wasmtls/${sub.slice(2)}`, file, types: typeof t === 'string' ? undefined : t.types });
  }
  return { js, wasm };
}

beforeAll(async () => {
  for (const f of ['dist/wasmtls.wasm', 'dist/wasmtls-scalar.wasm', 'dist/index.js', 'dist/types/index.d.ts']) {
    if (!existsSync(`${root}${f}`)) throw new Error(`${f} is missing: run \`bash build.sh\` first`);
  }
  tmp = mkdtempSync(join(tmpdir(), 'wasmtls-pkg-'));
  const t0 = Date.now();
  const { stdout } = await run('npm', ['pack', '--pack-destination', tmp, '--json', '--ignore-scripts'], { cwd: root });
  const packed = (JSON.parse(stdout) as { filename: string }[])[0];
  tarball = join(tmp, packed.filename);
  tarFiles = (await run('tar', ['-tzf', tarball])).stdout
    .trim()
    .split('\n')
    .map((p) => p.replace(/^package\//, ''));
  const t1 = Date.now();

  app = join(tmp, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'wasmtls-user', private: true, type: 'module' }, null, 2));
  // The package has no dependencies, so npm installs the tarball without the
  // network: --offline, and a dead registry so any attempt fails at once.
  // Should npm still insist, unpack it by hand the way npm would.
  try {
    await run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', '--registry=http://127.0.0.1:9/', tarball], {
      cwd: app,
      timeout: 60_000,
    });
    installedWith = 'npm install --offline <tarball>';
  } catch (e) {
    mkdirSync(join(app, 'node_modules/wasmtls'), { recursive: true });
    await run('tar', ['-xzf', tarball, '-C', join(app, 'node_modules/wasmtls'), '--strip-components=1']);
    installedWith = `tar -xzf into node_modules/wasmtls (npm install failed: ${String(e).split('\n')[0]})`;
  }
  pkgDir = join(app, 'node_modules/wasmtls');
  const ex = exportsOf(JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')));
  // Entries whose module imports a node: builtin (node-socket) are for Node
  // and Deno; the browser and workerd bundles leave them out.
  entries = ex.js.map((e) => ({
    ...e,
    nodeOnly: /(?:^|\n)\s*(?:import|export)\b[^;]*?from\s*["']node:/.test(readFileSync(join(pkgDir, e.file), 'utf8')),
  }));
  wasmEntries = ex.wasm;

  // A self-signed P-256 certificate for "localhost": the server's identity
  // and the client's only trust anchor.
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      join(tmp, 'key.pem'),
      '-out',
      join(tmp, 'cert.pem'),
      '-days',
      '3',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  writeFileSync(
    join(app, 'certs.js'),
    `export const certPem = ${JSON.stringify(readFileSync(join(tmp, 'cert.pem'), 'utf8'))};\n` +
      `export const keyPem = ${JSON.stringify(readFileSync(join(tmp, 'key.pem'), 'utf8'))};\n`,
  );
  console.log(
    `package: ${packed.filename} ${statSync(tarball).size} bytes, ${tarFiles.length} files ` +
      `(pack ${t1 - t0} ms; installed with ${installedWith} in ${Date.now() - t1} ms)`,
  );
  console.log(
    `package: ${entries.length} JS entries: ${entries.map((e) => e.spec).join(' ')}; ` +
      `Node-only (left out of the workerd and browser bundles): ${
        entries
          .filter((e) => e.nodeOnly)
          .map((e) => e.spec)
          .join(' ') || 'none'
      }`,
  );
}, 60_000);

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/**
 * The scenario every runtime runs, as an ES module that imports the
 * package by its public names: `prefix` is '' or 'npm:' (Deno); `only`
 * filters the entries (bundles for the web leave out Node-only ones).
 * `run(source)` loads with init() (no source: the wasm beside the package)
 * or initSync(module) (workerd).
 */
function scenario(prefix: string, only: (e: (typeof entries)[number]) => boolean = () => true): string {
  const list = entries.filter(only);
  const p = (s: string) => JSON.stringify(prefix + s);
  return `// generated by test/package.test.ts
${list.map((e, i) => `import * as E${i} from ${p(e.spec)};`).join('\n')}
import { init, initSync } from ${p('wasmtls/loader')};
import { Connection, TLSContext } from ${p('wasmtls/connection')};
import { handshake, transfer } from ${p('wasmtls/pump')};
import { digest } from ${p('wasmtls/hash')};
import { certPem, keyPem } from './certs.js';

const ENTRIES = { ${list.map((e, i) => `${JSON.stringify(e.spec)}: E${i}`).join(', ')} };

function readAll(c) {
  const parts = [];
  for (let r = c.readEx(); r.ok; r = c.readEx()) parts.push(r.data);
  const out = new Uint8Array(parts.reduce((n, x) => n + x.length, 0));
  let off = 0;
  for (const x of parts) { out.set(x, off); off += x.length; }
  return out;
}
function concat(parts) {
  const out = new Uint8Array(parts.reduce((n, x) => n + x.length, 0));
  let off = 0;
  for (const x of parts) { out.set(x, off); off += x.length; }
  return out;
}
// SSL_write all-or-nothing: on WANT_WRITE move ciphertext and retry.
function send(from, to, data) {
  const got = [];
  let r;
  while ((r = from.write(data)) <= 0) {
    const e = from.getError(r);
    if (e !== 'WANT_WRITE') throw new Error('write: ' + e + ' ' + (from.error && from.error.message));
    transfer(from, to);
    got.push(readAll(to));
  }
  transfer(from, to);
  got.push(readAll(to));
  return concat(got);
}
const same = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);
const hex = (b) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

export async function run(source) {
  const w = typeof WebAssembly.Module === 'function' && source instanceof WebAssembly.Module
    ? initSync(source) : await init(source);
  const entries = {};
  for (const [k, m] of Object.entries(ENTRIES)) entries[k] = Object.keys(m).length;
  const cctx = new TLSContext({ verify: 'chain', ca: certPem });
  const sctx = new TLSContext({ cert: certPem, key: keyPem });
  const c = new Connection(cctx), s = new Connection(sctx);
  try {
    c.setConnectState();
    s.setAcceptState();
    c.setServerName('localhost');
    handshake(c, s);
    const up = new Uint8Array(50000).map((_, i) => (i * 7 + 3) & 0xff);
    const down = new TextEncoder().encode('hello from the server, ' + 'x'.repeat(3000));
    const gotUp = send(c, s, up);
    const gotDown = send(s, c, down);
    return {
      simd: w.simd, entries,
      sameLoader: ENTRIES['wasmtls'] ? ENTRIES['wasmtls'].init === init : false,
      version: c.version, cipher: c.cipher, group: c.group, scheme: c.peerSignatureScheme,
      verifyCode: c.verifyCode, peerAuthenticated: c.peerAuthenticated,
      up: { sent: up.length, received: gotUp.length, equal: same(up, gotUp) },
      down: { sent: down.length, received: gotDown.length, equal: same(down, gotDown),
        text: new TextDecoder().decode(gotDown.subarray(0, 21)) },
      sha256: hex(digest('SHA-256', new Uint8Array(${DIGEST_LEN}).map((_, i) => (i * 31 + 7) & 0xff))),
    };
  } finally {
    c.dispose(); s.dispose(); cctx.dispose(); sctx.dispose();
  }
}
`;
}

/** What every runtime's report must say. */
function checkReport(runtime: string, r: Report, expectEntries: string[]): void {
  expect(r.error, r.error).toBeUndefined();
  console.log(
    `package: ${runtime}: ${Object.keys(r.entries ?? {}).length} entries imported, simd ${r.simd}, ` +
      `${r.version} ${r.cipher} ${r.group} ${r.scheme}, verifyCode ${r.verifyCode}`,
  );
  expect(r.simd).toBe(true);
  expect(Object.keys(r.entries).sort()).toEqual([...expectEntries].sort());
  for (const [spec, n] of Object.entries(r.entries)) expect(n, `${spec} has no exports`).toBeGreaterThan(0);
  if (expectEntries.includes('wasmtls')) expect(r.sameLoader, "'wasmtls' and 'wasmtls/loader' share one loader").toBe(true);
  expect(r.version).toBe('TLSv1.3');
  expect(r.cipher).toMatch(/^TLS_/);
  expect(r.scheme).toBe('ecdsa_secp256r1_sha256');
  expect(r.verifyCode).toBe(0);
  expect(r.peerAuthenticated).toBe(true);
  expect(r.up).toEqual({ sent: 50_000, received: 50_000, equal: true });
  expect(r.down).toMatchObject({ sent: 3023, received: 3023, equal: true, text: 'hello from the server' });
  expect(r.sha256).toBe(expectedDigest);
}

const lastJson = (out: string) => JSON.parse(out.trim().split('\n').pop()!) as Report;
const timed = async <T>(what: string, f: () => Promise<T>): Promise<T> => {
  const t = Date.now();
  try {
    return await f();
  } finally {
    console.log(`package: ${what}: ${Date.now() - t} ms`);
  }
};

/** it(), or it.skip() with the reason printed when a runtime is absent. */
function itIf(missing: string | undefined, name: string, fn: () => Promise<void>, timeout = 60_000): void {
  if (missing) {
    console.warn(`package: skipping "${name}": ${missing}`);
    it.skip(`${name} (skipped: ${missing})`, fn);
  } else {
    it(name, fn, timeout);
  }
}

const bin = (n: string) => `${root}node_modules/.bin/${n}`;
const missingBin = (p: string) => (existsSync(p) ? undefined : `${p} not found`);
const chromiumMissing = (() => {
  if (!existsSync('/usr/bin/chromium')) return '/usr/bin/chromium not found';
  if (!existsSync(`${root}node_modules/playwright-core`)) return 'playwright-core not installed';
  return undefined;
})();

describe('npm pack: the tarball', () => {
  it('holds dist (both wasm builds, the JS, the types), every "exports" target, and no sources or tests', () => {
    const has = new Set(tarFiles);
    for (const f of [
      'package.json',
      'README.md',
      'LICENSE',
      'dist/wasmtls.wasm',
      'dist/wasmtls-scalar.wasm',
      'dist/index.js',
      'dist/types/index.d.ts',
    ])
      expect(has.has(f), f).toBe(true);
    // Every target named in the exports map (read from the repo's package.json
    // and from the packed one: they must be the same file).
    const repoPkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8'));
    expect(JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')).exports).toEqual(repoPkg.exports);
    const targets = (Object.values(repoPkg.exports) as ExportTarget[]).flatMap((t) =>
      typeof t === 'string' ? [t] : (Object.values(t) as string[]),
    );
    for (const t of [...targets, repoPkg.main, repoPkg.types])
      expect(has.has(posix.normalize(t)), `${t} (named in package.json)`).toBe(true);
    // Nothing but dist/ and npm's own files.
    for (const f of tarFiles) {
      expect(f, `${f} should not be packed`).toMatch(/^(dist\/|package\.json$|README\.md$|CHANGELOG\.md$|LICENSE$)/);
      expect(f).not.toMatch(/^(test|crypto-src|build|ts|wasm|bench|scripts|node_modules)\//);
      expect(f, 'source maps point at ts/, which is not packed').not.toMatch(/\.map$/);
    }
    // Every relative import of a packed .js / .d.ts names a packed file
    // (chunks of the split bundle, types/ siblings).
    for (const f of tarFiles.filter((x) => /\.(js|d\.ts)$/.test(x))) {
      // Code only: doc comments show user code (`import mod from './wasmtls.wasm'`).
      const text = readFileSync(join(pkgDir, f), 'utf8')
        .replace(/\/\*[\s\S]*?\*\//g, '')
        .replace(/^\s*\/\/.*$/gm, '');
      for (const m of text.matchAll(/(?:from\s*|import\s*\(\s*|import\s+)["'](\.\.?\/[^"']+)["']/g)) {
        let target = posix.join(posix.dirname(f), m[1]);
        if (f.endsWith('.d.ts')) target = target.replace(/\.js$/, '.d.ts');
        expect(has.has(target), `${f} imports ${m[1]}, which is not packed`).toBe(true);
      }
    }
    console.log(`package: tarball ${statSync(tarball).size} bytes, ${tarFiles.length} files`);
  });

  it('installs into a fresh project with no network', () => {
    expect(existsSync(join(pkgDir, 'dist/wasmtls.wasm'))).toBe(true);
    console.log(`package: installed with ${installedWith}`);
  });
});

describe('the installed package, per runtime', () => {
  it('Node (ESM, node_modules resolution): every entry imports; handshake, data, SHA-256', async () => {
    writeFileSync(join(app, 'scenario.mjs'), scenario(''));
    writeFileSync(join(app, 'node-main.mjs'), "import { run } from './scenario.mjs';\nconsole.log(JSON.stringify(await run()));\n");
    const env = { ...process.env };
    delete env.NODE_OPTIONS; // a plain `node`, not vitest's
    const { stdout } = await timed('node', () => run(process.execPath, ['node-main.mjs'], { cwd: app, env, timeout: 30_000 }));
    checkReport(
      'node',
      lastJson(stdout),
      entries.map((e) => e.spec),
    );
  });

  itIf(missingBin(bin('deno')), 'Deno (npm: specifiers, --node-modules-dir=manual, no network)', async () => {
    writeFileSync(join(app, 'deno-main.ts'), `${scenario('npm:')}\nconsole.log(JSON.stringify(await run()));\n`);
    const denoDir = join(tmp, 'deno-dir');
    const { stdout } = await timed('deno', () =>
      run(bin('deno'), ['run', '--allow-read', '--node-modules-dir=manual', 'deno-main.ts'], {
        cwd: app,
        timeout: 30_000,
        // A dead registry: resolving from npm instead of node_modules fails.
        env: { ...process.env, DENO_DIR: denoDir, DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1', NPM_CONFIG_REGISTRY: 'http://127.0.0.1:9/' },
      }),
    );
    checkReport(
      'deno',
      lastJson(stdout),
      entries.map((e) => e.spec),
    );
  });

  itIf(missingBin(bin('workerd')), "workerd (esbuild bundle, import mod from 'wasmtls/wasmtls.wasm', initSync)", async () => {
    const web = entries.filter((e) => !e.nodeOnly);
    const out = join(app, 'workerd');
    writeFileSync(
      join(app, 'scenario-web.mjs'),
      scenario('', (e) => !e.nodeOnly),
    );
    writeFileSync(
      join(app, 'worker.js'),
      [
        "import mod from 'wasmtls/wasmtls.wasm';",
        "import { run } from './scenario-web.mjs';",
        'export default { async fetch() {',
        '  try { return Response.json(await run(mod)); }',
        '  catch (e) { return Response.json({ error: String(e && e.stack || e) }); }',
        '} };',
      ].join('\n'),
    );
    // The .wasm import stays an import (copied beside the bundle under its
    // own name), which workerd gives as a compiled WebAssembly.Module.
    await build({
      absWorkingDir: app,
      entryPoints: ['worker.js'],
      bundle: true,
      format: 'esm',
      platform: 'neutral',
      conditions: ['workerd', 'worker', 'browser', 'import'],
      target: 'es2022',
      outdir: out,
      loader: { '.wasm': 'copy' },
      assetNames: '[name]',
      logLevel: 'error',
    });
    expect(readFileSync(join(out, 'worker.js'), 'utf8')).toMatch(/from\s*"\.\/wasmtls\.wasm"/);
    expect(readFileSync(join(out, 'wasmtls.wasm'))).toEqual(readFileSync(join(pkgDir, 'dist/wasmtls.wasm')));
    const r = await timed('workerd', () =>
      fetchWorkerd(out, [
        { name: 'worker.js', type: 'esModule' },
        { name: 'wasmtls.wasm', type: 'wasm' },
      ]),
    );
    expect(r.status, r.log).toBe(200);
    checkReport(
      'workerd',
      JSON.parse(r.text) as Report,
      web.map((e) => e.spec),
    );
  });

  itIf(chromiumMissing, 'Chromium (esbuild browser bundle, init() fetches the wasm beside it)', async () => {
    const web = entries.filter((e) => !e.nodeOnly);
    const out = join(app, 'web');
    writeFileSync(
      join(app, 'scenario-web.mjs'),
      scenario('', (e) => !e.nodeOnly),
    );
    writeFileSync(
      join(app, 'browser.js'),
      [
        "import { run } from './scenario-web.mjs';",
        'try { window.__result = await run(); }',
        'catch (e) { window.__result = { error: String(e && e.stack || e) }; }',
      ].join('\n'),
    );
    await build({
      absWorkingDir: app,
      entryPoints: ['browser.js'],
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      outdir: out,
      logLevel: 'error',
    });
    // What a user deploys: the bundle, the page, and the package's wasm
    // builds beside the bundle, where init() looks (import.meta.url).
    for (const w of wasmEntries) copyFileSync(join(pkgDir, w.file), join(out, posix.basename(w.file)));
    writeFileSync(join(out, 'index.html'), '<!doctype html><meta charset="utf-8"><script type="module" src="./browser.js"></script>');
    const { chromium } = await import('playwright-core');
    const { server, url } = await serveDir(out);
    const t = Date.now();
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      await page.goto(url);
      await page
        .waitForFunction(() => (window as unknown as { __result?: unknown }).__result, undefined, { timeout: 30_000 })
        .catch((e: unknown) => {
          throw new Error(`the page did not finish: ${errors.join('; ')} ${String(e)}`);
        });
      const r = await page.evaluate(() => (window as unknown as { __result: Report }).__result);
      console.log(`package: chromium: ${Date.now() - t} ms`);
      checkReport(
        'chromium',
        r,
        web.map((e) => e.spec),
      );
    } finally {
      await browser.close();
      server.close();
    }
  });

  it('tsc --strict, nodenext: every entry has types (none is any)', async () => {
    const typed = entries.map((e, i) => `import * as E${i} from ${JSON.stringify(e.spec)};`);
    writeFileSync(
      join(app, 'check.ts'),
      `// generated by test/package.test.ts
${typed.join('\n')}
import { init, initSync, type Wasm } from 'wasmtls/loader';
import { Connection, TLSContext, type TLSContextOptions } from 'wasmtls/connection';
import { handshake } from 'wasmtls/pump';
import { digest } from 'wasmtls/hash';
import { rootCertificates } from 'wasmtls/roots';

/** never when T is any: assigning to it fails for an untyped entry. */
type NotAny<T> = 0 extends 1 & T ? never : T;
${entries.map((_, i) => `export const e${i}: NotAny<typeof E${i}> = E${i};`).join('\n')}

export async function use(bytes: Uint8Array): Promise<Uint8Array> {
  const w: Wasm = bytes.length ? initSync(bytes) : await init();
  void w.simd;
  const opts: TLSContextOptions = { verify: 'chain', ca: rootCertificates.join('\\n') };
  const ctx = new TLSContext(opts);
  const c: Connection = new Connection(ctx), s = new Connection(ctx);
  handshake(c, s);
  // @ts-expect-error digest returns bytes, not a string (fails if it were any)
  const wrong: string = digest('SHA-256', bytes);
  void wrong;
  return digest('SHA-256', bytes);
}
`,
    );
    const args = [
      '--noEmit',
      '--module',
      'nodenext',
      '--moduleResolution',
      'nodenext',
      '--strict',
      '--target',
      'es2022',
      '--lib',
      'es2022,dom',
      '--types',
      'node',
      '--typeRoots',
      `${root}node_modules/@types`,
      'check.ts',
    ];
    const r = await timed('tsc', () =>
      run(bin('tsc'), args, { cwd: app, timeout: 60_000 }).then(
        () => ({ ok: true, out: '' }),
        (e: { stdout?: string; stderr?: string }) => ({ ok: false, out: `${e.stdout}${e.stderr}` }),
      ),
    );
    expect(r.out).toBe('');
    expect(r.ok).toBe(true);
  });
});
