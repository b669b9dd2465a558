/**
 * The Workers project layout of demo/workers/ (wrangler.toml, src/worker.ts
 * importing `wasmtls/wasmtls.wasm` as a module and calling initSync),
 * built the way a user deploys it and run in workerd against
 * `openssl s_server` on 127.0.0.1 over `cloudflare:sockets`.
 *
 * - The package: `npm pack` of this tree installed with
 *   `npm install --offline <tgz>` into a temp project (test/helpers/packed.ts),
 *   the demo's wrangler.toml, tsconfig.json and src/ copied beside it.
 * - Bundling: the REAL wrangler (npm `wrangler`, a devDependency), with
 *   `wrangler deploy --dry-run --outdir out`: it bundles with its own
 *   esbuild and module rules and uploads nothing (strace shows no
 *   connection with WRANGLER_HIDE_BANNER, which also skips its update
 *   check). wrangler is pinned to 4.86, the last release that runs on
 *   Node 20 (4.87 and later require Node 22; package.json "engines" says
 *   >=20.19).
 * - Running: the bundle (out/worker.js plus the .wasm it imports, renamed
 *   by wrangler to <hash>-wasmtls.wasm) with the repo's `workerd`, through
 *   a config like the one `wrangler dev` gives workerd: the bundle's
 *   modules (the .wasm as a compiled `wasm` module, what wrangler's
 *   CompiledWasm rule means), the [vars] and secrets as text bindings, the
 *   compatibility date of wrangler.toml, and an outbound network that may
 *   reach 127.0.0.1 (workerd's default reaches public addresses only).
 *   Not `wrangler dev` itself: it also tries to fetch the `Request.cf`
 *   object from the Internet.
 *
 * Oracles: s_server's -www page (what OpenSSL negotiated and its own
 * summary of the connection) and its certificate; a server whose
 * certificate comes from another CA must be refused (the custom CA is
 * what the handshake trusts, nothing else). `tsc` over the demo checks the
 * README's layout compiles against the installed package's types.
 */
import { execFile, spawn } from 'node:child_process';
import { cpSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { root } from './helpers/env.js';
import { have, Peer } from './helpers/peers.js';
import { makePki, type Pki } from './helpers/pki.js';
import { packAndInstall, type PackedApp } from './helpers/packed.js';
import { freePort } from './helpers/runtimes.js';

const run = promisify(execFile);
const bin = (n: string) => `${root}node_modules/.bin/${n}`;
const OPENSSL = have('openssl', ['version']);

let packed: PackedApp;
let pki: Pki;
let out: string;
let wasmName: string;

/** `openssl s_server -www` on a free port with `cert`/`key` (files). */
async function sServer(cert: string, key: string): Promise<{ srv: Peer; port: number }> {
  const port = await freePort();
  const srv = new Peer('openssl', ['s_server', '-accept', `127.0.0.1:${port}`, '-www', '-cert', cert, '-key', key]);
  await srv.waitFor('ACCEPT', 10_000);
  return { srv, port };
}

/**
 * Serve out/ with workerd as `wrangler dev` would (see the header), with
 * `vars` as text bindings, GET `path` once it is up, and stop workerd.
 */
async function runWorker(
  vars: Record<string, string>,
  path = '/',
): Promise<{ status: number; body: Record<string, unknown>; log: string }> {
  const port = await freePort();
  const toml = readFileSync(join(packed.app, 'wrangler.toml'), 'utf8');
  const date = /^compatibility_date\s*=\s*"([^"]+)"/m.exec(toml)?.[1];
  if (!date) throw new Error('wrangler.toml has no compatibility_date');
  const q = JSON.stringify;
  writeFileSync(
    join(out, 'config.capnp'),
    `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "main", worker = .w),
               (name = "internet", network = (allow = ["public", "private", "local"])) ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ] );
const w :Workerd.Worker = (
  modules = [ (name = "worker.js", esModule = embed "worker.js"),
              (name = ${q(wasmName)}, wasm = embed ${q(wasmName)}) ],
  bindings = [ ${Object.entries(vars)
    .map(([k, v]) => `(name = ${q(k)}, text = ${q(v)})`)
    .join(',\n               ')} ],
  compatibilityDate = ${q(date)},
  globalOutbound = "internet" );
`,
  );
  const child = spawn(bin('workerd'), ['serve', join(out, 'config.capnp')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout.on('data', (d) => (log += d));
  child.stderr.on('data', (d) => (log += d));
  try {
    const deadline = Date.now() + 30_000;
    for (;;) {
      let r: Response;
      try {
        r = await fetch(`http://127.0.0.1:${port}${path}`);
      } catch (e) {
        if (child.exitCode !== null || Date.now() > deadline) throw new Error(`workerd did not serve: ${String(e)}\n${log}`);
        await new Promise((res) => setTimeout(res, 100));
        continue;
      }
      const text = await r.text();
      try {
        return { status: r.status, body: JSON.parse(text) as Record<string, unknown>, log };
      } catch {
        throw new Error(`workerd answered ${r.status}, not JSON: ${text.slice(0, 500)}\n${log}`);
      }
    }
  } finally {
    child.kill('SIGTERM');
  }
}

beforeAll(async () => {
  if (!OPENSSL) return;
  packed = await packAndInstall('wasmtls-workers-');
  for (const f of ['wrangler.toml', 'tsconfig.json', 'src'])
    cpSync(join(root, 'demo/workers', f), join(packed.app, f), { recursive: true });
  pki = makePki();
  out = join(packed.app, 'out');
  const env = {
    ...process.env,
    CI: 'true',
    NO_COLOR: '1',
    WRANGLER_SEND_METRICS: 'false',
    WRANGLER_HIDE_BANNER: 'true',
    // Its config and logs go to the temp folder, not the user's home.
    XDG_CONFIG_HOME: join(packed.tmp, 'config'),
    NPM_CONFIG_REGISTRY: 'http://127.0.0.1:9/',
  };
  await run(bin('wrangler'), ['deploy', '--dry-run', '--outdir', out], { cwd: packed.app, env, timeout: 120_000 });
  const wasm = readdirSync(out).filter((f) => f.endsWith('.wasm'));
  if (wasm.length !== 1) throw new Error(`wrangler wrote ${wasm.length} .wasm files: ${wasm.join(' ')}`);
  wasmName = wasm[0];
}, 180_000);

afterAll(() => {
  pki?.dispose();
  packed?.dispose();
});

describe.skipIf(!OPENSSL)('Workers: the demo/workers wrangler layout, bundled by wrangler, run in workerd', () => {
  it('wrangler keeps `import mod from "wasmtls/wasmtls.wasm"` a module import of the package\'s SIMD build', () => {
    const js = readFileSync(join(out, 'worker.js'), 'utf8');
    // An ES import of the renamed file (the CompiledWasm rule), not inlined
    // bytes and not a fetch; cloudflare:sockets stays a runtime import.
    expect(js).toMatch(new RegExp(`import\\s+\\w+\\s+from\\s+"\\./${wasmName.replace(/\./g, '\\.')}"`));
    expect(js).toMatch(/from\s+"cloudflare:sockets"/);
    expect(readFileSync(join(out, wasmName))).toEqual(readFileSync(join(packed.pkgDir, 'dist/wasmtls.wasm')));
  });

  it('GET / connects to openssl s_server over cloudflare:sockets, verifies it against the custom CA, reads its page', async () => {
    const { srv, port } = await sServer(pki.path('server-chain.crt'), pki.path('server.key'));
    try {
      const r = await runWorker({ TLS_HOST: '127.0.0.1', TLS_PORT: String(port), TLS_SERVERNAME: 'localhost', TLS_CA: pki.caPem });
      expect(r.body.error, r.log).toBeUndefined();
      expect(r.status).toBe(200);
      const body = String(r.body.body);
      // s_server -www: its own account of the connection it served.
      expect(body).toMatch(/^HTTP\/1\.0 200 ok\r\n/);
      const served = /New, (TLSv1\.[23]), Cipher is (\S+)/.exec(body);
      expect(served, body.slice(0, 2000)).not.toBeNull();
      expect(r.body.version).toBe(served![1]);
      expect(r.body.cipher).toBe(served![2]);
      expect(r.body.authorized).toBe(true);
      expect(r.body.peer).toEqual({ CN: 'localhost' });
      console.log(`workers: ${served![1]} ${served![2]} with ${wasmName}`);
    } finally {
      srv.kill();
    }
  });

  it('a server whose certificate another CA issued is refused (the handshake trusts TLS_CA only)', async () => {
    const { srv, port } = await sServer(pki.path('stranger.crt'), pki.path('stranger.key'));
    try {
      const r = await runWorker({ TLS_HOST: '127.0.0.1', TLS_PORT: String(port), TLS_SERVERNAME: 'localhost', TLS_CA: pki.caPem });
      console.log(`workers: refused: ${String(r.body.error)}`);
      expect(r.status, r.log).toBe(502);
      // Our client refused the chain (Node's name for why: the leaf is
      // self-signed, and not by TLS_CA) ...
      expect(String(r.body.error)).toMatch(/DEPTH_ZERO_SELF_SIGNED_CERT/);
      // ... and told the server so: OpenSSL reports the alert it received.
      await srv.waitFor('alert unknown ca', 10_000, 'stderr');
    } finally {
      srv.kill();
    }
  });

  it("the demo type-checks against the installed package (tsc --strict, the demo's tsconfig)", async () => {
    const r = await run(bin('tsc'), ['-p', 'tsconfig.json'], { cwd: packed.app, timeout: 60_000 }).then(
      () => '',
      (e: { stdout?: string; stderr?: string }) => `${e.stdout}${e.stderr}`,
    );
    expect(r).toBe('');
  });
});
