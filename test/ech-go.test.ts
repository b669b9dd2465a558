/**
 * Encrypted Client Hello against an independent implementation: Go's
 * crypto/tls (Go 1.26 from ../shared/bogo, ECH client since 1.23, server
 * keys since 1.24), a small standard-library program (test/ech-go/main.go)
 * built offline into build/ech-go/. Asserted, from what Go prints:
 *  - Go client with our ECHConfigList -> our server: Go reports
 *    ECHAccepted=true, our server sees the inner name, data echoes;
 *  - Go server with an ECH key -> our client: accepted on both sides
 *    (Go prints ECHAccepted=true and the inner SNI);
 *  - Go server with another key -> our client: ERR_SSL_ECH_REJECTED with
 *    Go's retry configs, and a retry with them is accepted;
 *  - our server with another key -> Go client: Go's ECHRejectionError
 *    carries our retry configs;
 *  - through a HelloRetryRequest both ways (our server P-256 only; Go's
 *    server with CurvePreferences P-256): accepted, and rejected with
 *    retry configs.
 * Skipped, saying why, without ../shared/bogo (where Go comes from).
 */
import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTcp, fromNodeSocket } from '../ts/adapters/node-socket.js';
import { accept, connect } from '../ts/api/tls.js';
import type { GroupName } from '../ts/core/codepoints.js';
import { type EchKey, generateEchKey } from '../ts/core/ech.js';
import type { TLSError } from '../ts/core/errors.js';
import { root, useBuild } from './helpers/env.js';
import { selfSignedP256 } from './helpers/pki.js';

useBuild('simd');
const run = promisify(execFile);
const SHARED = join(root, '..', 'shared', 'bogo');
const present = existsSync(join(SHARED, 'get-go.sh'));
const OUT = join(root, 'build', 'ech-go');
const BIN = join(OUT, 'ech-go');
const hexOf = (b: Uint8Array) => Buffer.from(b).toString('hex');

let dir: string;
let certPem: string;
let keyPem: string;
let goVersion = '';
const procs: ChildProcess[] = [];

beforeAll(() => {
  if (!present) return;
  let goroot = join(root, 'build', 'go', 'root', 'usr', 'lib', 'go-1.26');
  if (!existsSync(join(goroot, 'bin', 'go'))) {
    goroot = execFileSync('sh', [join(SHARED, 'get-go.sh')], {
      env: { ...process.env, DEST: join(root, 'build', 'go') },
      encoding: 'utf8',
    }).trim();
  }
  const go = join(goroot, 'bin', 'go');
  goVersion = execFileSync(go, ['version'], { encoding: 'utf8' }).trim();
  mkdirSync(OUT, { recursive: true });
  // Standard library only, no module download (GO111MODULE off, GOFLAGS
  // cleared); the binary is rebuilt each run (a few seconds, cached).
  execFileSync(go, ['build', '-o', BIN, 'main.go'], {
    cwd: join(root, 'test', 'ech-go'),
    env: { ...process.env, GOROOT: goroot, GO111MODULE: 'off', GOFLAGS: '', GOCACHE: join(OUT, 'cache'), GOPROXY: 'off' },
    stdio: 'pipe',
  });
  dir = mkdtempSync(join(tmpdir(), 'wasmtls-ech-go-'));
  ({ certPem, keyPem } = selfSignedP256(dir, 'secret.test', ['secret.test', 'public.test']));
  writeFileSync(join(dir, 'ca.pem'), certPem);
}, 180_000);
afterAll(() => {
  for (const p of procs) p.kill();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// Go's crypto/tls wants the X25519 private key as 32 raw bytes (its
// EncryptedClientHelloKey.PrivateKey), which is what we hold.
function goServer(
  key: EchKey | undefined,
  p256 = false,
): Promise<{ port: number; lines: string[]; next: (re: RegExp) => Promise<string> }> {
  const p = spawn(
    BIN,
    [
      'server',
      join(dir, 'c.pem'),
      join(dir, 'k.pem'),
      key ? hexOf(key.config) : '',
      key ? hexOf(key.privateKey) : '',
      ...(p256 ? ['p256'] : []),
    ],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  procs.push(p);
  const lines: string[] = [];
  const waiters: { re: RegExp; done: (l: string) => void }[] = [];
  createInterface({ input: p.stdout! }).on('line', (l) => {
    lines.push(l);
    for (const w of waiters.splice(0)) {
      if (w.re.test(l)) w.done(l);
      else waiters.push(w);
    }
  });
  const next = (re: RegExp) =>
    new Promise<string>((done) => {
      const hit = lines.find((l) => re.test(l));
      if (hit) done(hit);
      else waiters.push({ re, done });
    });
  return next(/^listening /).then((l) => ({ port: Number(l.split(' ')[1]), lines, next }));
}

// Asynchronous: our server answers from this process's event loop.
async function goClient(port: number, list: Uint8Array): Promise<string> {
  const { stdout } = await run(BIN, ['client', String(port), join(dir, 'ca.pem'), hexOf(list), 'secret.test'], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  return stdout;
}

async function ourServer(
  keys: EchKey[],
  groups?: GroupName[],
): Promise<{ server: Server; port: number; seen: Promise<{ ech: string; servername?: string }> }> {
  let report!: (v: { ech: string; servername?: string }) => void;
  const seen = new Promise<{ ech: string; servername?: string }>((r) => {
    report = r;
  });
  const server = createServer((sock) => {
    const s = accept({ transport: fromNodeSocket(sock), cert: certPem, key: keyPem, ech: { keys }, ...(groups ? { groups } : {}) });
    s.opened.then(
      async (info) => {
        report({ ech: info.ech, servername: info.servername });
        // Echo one chunk back. A client that rejected ECH answers our
        // Finished with ech_required: the read fails, as it should.
        try {
          const r = s.readable.getReader();
          const got = await r.read();
          r.releaseLock();
          const w = s.writable.getWriter();
          if (got.value) await w.write(got.value);
          w.releaseLock();
          await s.close();
        } catch {
          await s.closed.catch(() => {});
        }
      },
      (e: TLSError) => report({ ech: `error ${e.code}: ${e.message}` }),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as { port: number }).port, seen };
}

describe.skipIf(!present)("ECH interop with Go's crypto/tls (Go from ../shared/bogo)", () => {
  it('Go client -> our server: ECHAccepted=true, our server sees the inner name', async () => {
    const key = generateEchKey({ publicName: 'public.test' });
    const { server, port, seen } = await ourServer([key]);
    try {
      const out = await goClient(port, key.configList);
      console.log(`${goVersion} client -> wasmtls server:\n${out}`);
      expect(out).toContain('client ECHAccepted=true');
      expect(out).toContain('echo hello from go');
      expect(await seen).toEqual({ ech: 'accepted', servername: 'secret.test' });
    } finally {
      server.close();
    }
  }, 60_000);

  it('Go client -> our server (P-256 only) via HelloRetryRequest: ECHAccepted=true', async () => {
    const key = generateEchKey({ publicName: 'public.test' });
    const { server, port, seen } = await ourServer([key], ['secp256r1']);
    try {
      const out = await goClient(port, key.configList);
      console.log(`${goVersion} client -> wasmtls server (HRR to P-256):\n${out}`);
      if (!out.includes('ECHAccepted=true')) console.log(await seen);
      expect(out).toContain('client ECHAccepted=true');
      expect(out).toContain('echo hello from go');
      expect(await seen).toEqual({ ech: 'accepted', servername: 'secret.test' });
    } finally {
      server.close();
    }
  }, 60_000);

  it('Go client -> our server with another key: Go gets our retry configs', async () => {
    const key = generateEchKey({ publicName: 'public.test', configId: 7 });
    const stale = generateEchKey({ publicName: 'public.test', configId: 8 });
    const { server, port } = await ourServer([key]);
    try {
      const out = await goClient(port, stale.configList);
      console.log(`${goVersion} client (stale config) -> wasmtls server:\n${out}`);
      expect(out).toMatch(/client error: .*ECH/i);
      expect(out).toContain(`retry=${hexOf(key.configList)}`);
    } finally {
      server.close();
    }
  }, 60_000);

  it('our client -> Go server with the key: accepted on both sides', async () => {
    const key = generateEchKey({ publicName: 'public.test' });
    const go = await goServer(key);
    const c = connect({
      transport: await connectTcp({ host: '127.0.0.1', port: go.port }),
      servername: 'secret.test',
      ca: certPem,
      ech: { configList: key.configList },
    });
    const info = await c.opened;
    expect(info.ech).toBe('accepted');
    const line = await go.next(/^server /);
    console.log(`wasmtls client -> ${goVersion} server: ${line}`);
    expect(line).toBe('server ECHAccepted=true sni=secret.test');
    const w = c.writable.getWriter();
    await w.write(new TextEncoder().encode('hi go\n'));
    w.releaseLock();
    const r = c.readable.getReader();
    expect(new TextDecoder().decode((await r.read()).value)).toBe('hi go\n');
    r.releaseLock();
    await c.close();
  }, 60_000);

  it("our client -> Go server with another key: ERR_SSL_ECH_REJECTED with Go's retry configs; the retry is accepted", async () => {
    const key = generateEchKey({ publicName: 'public.test', configId: 1 });
    const stale = generateEchKey({ publicName: 'public.test', configId: 2 });
    const go = await goServer(key);
    const c = connect({
      transport: await connectTcp({ host: '127.0.0.1', port: go.port }),
      servername: 'secret.test',
      ca: certPem,
      ech: { configList: stale.configList },
    });
    const err = (await c.opened.then(
      () => undefined,
      (e: unknown) => e,
    )) as TLSError & { retryConfigs?: Uint8Array };
    expect(err?.code).toBe('ERR_SSL_ECH_REJECTED');
    console.log(`wasmtls client (stale config) -> ${goVersion} server: ${err.message}; retry configs ${err.retryConfigs?.length} bytes`);
    expect(hexOf(err.retryConfigs ?? new Uint8Array())).toBe(hexOf(key.configList));
    await c.closed.catch(() => {});
    const c2 = connect({
      transport: await connectTcp({ host: '127.0.0.1', port: go.port }),
      servername: 'secret.test',
      ca: certPem,
      ech: { configList: err.retryConfigs as Uint8Array },
    });
    expect((await c2.opened).ech).toBe('accepted');
    await c2.close();
  }, 60_000);

  // A Go server with P-256 only and our client's X25519 share: a
  // HelloRetryRequest.
  it('our client -> Go server via HelloRetryRequest: accepted (HRR confirmation, second pair under the same HPKE context)', async () => {
    const key = generateEchKey({ publicName: 'public.test' });
    const go = await goServer(key, true);
    const c = connect({
      transport: await connectTcp({ host: '127.0.0.1', port: go.port }),
      servername: 'secret.test',
      ca: certPem,
      groups: ['x25519', 'secp256r1'],
      ech: { configList: key.configList },
    });
    const info = await c.opened;
    expect(info.ech).toBe('accepted');
    expect(info.group).toBe('secp256r1');
    expect(c.connection.hrrSeen).toBe(true);
    const line = await go.next(/^server /);
    console.log(`wasmtls client (HRR) -> ${goVersion} server: ${line}`);
    expect(line).toBe('server ECHAccepted=true sni=secret.test');
    await c.close();
  }, 60_000);

  it('our client -> Go server with another key via HelloRetryRequest: rejected, retry configs', async () => {
    const key = generateEchKey({ publicName: 'public.test', configId: 3 });
    const stale = generateEchKey({ publicName: 'public.test', configId: 4 });
    const go = await goServer(key, true);
    const c = connect({
      transport: await connectTcp({ host: '127.0.0.1', port: go.port }),
      servername: 'secret.test',
      ca: certPem,
      groups: ['x25519', 'secp256r1'],
      ech: { configList: stale.configList },
    });
    const err = (await c.opened.then(
      () => undefined,
      (e: unknown) => e,
    )) as TLSError & { retryConfigs?: Uint8Array };
    expect(err?.code).toBe('ERR_SSL_ECH_REJECTED');
    expect(hexOf(err.retryConfigs ?? new Uint8Array())).toBe(hexOf(key.configList));
    expect(c.connection.disposed || c.connection.hrrSeen).toBe(true);
    await c.closed.catch(() => {});
  }, 60_000);
});
