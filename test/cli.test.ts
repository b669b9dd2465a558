/**
 * The CLI (dist/cli.js) and the demo (dist/demo.js) as a user runs them:
 * child processes against real peers on 127.0.0.1. Our s_client against
 * `openssl s_server -www` (and refusing a server no anchor vouches for),
 * `openssl s_client` against our s_server, our s_client through our relay
 * to our s_server -www, the key log files of both ends, the error paths,
 * and `npm start`'s demo. Needs a build (bash build.sh). Every child is
 * killed in `finally`.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { root } from './helpers/env.js';
import { have, Peer } from './helpers/peers.js';
import { makePki, type Pki } from './helpers/pki.js';
import { freePort } from './helpers/runtimes.js';

const CLI = `${root}dist/cli.js`;
const DEMO = `${root}dist/demo.js`;
const OPENSSL = have('openssl', ['version']);
const wasmtls = (...args: string[]) => new Peer(process.execPath, [CLI, ...args]);
const lines = (s: string) => s.split('\n').map((l) => l.trimEnd());

const KEYLOG_SECRET = /^(CLIENT|SERVER)_(HANDSHAKE_TRAFFIC_SECRET|TRAFFIC_SECRET_0) [0-9a-f]{64} [0-9a-f]{64,96}$/;

let pki: Pki;
let tmp: string;
beforeAll(() => {
  pki = makePki();
  tmp = mkdtempSync(join(tmpdir(), 'wasmtls-cli-'));
});
afterAll(() => {
  pki?.dispose();
  rmSync(tmp, { recursive: true, force: true });
});

/** Start our s_server on a free port (port 0) and learn it from ACCEPT. */
async function ourServer(...args: string[]): Promise<{ srv: Peer; port: number }> {
  const srv = wasmtls('s_server', '-accept', '127.0.0.1:0', '-cert', pki.path('server-chain.crt'),
    '-key', pki.path('server.key'), ...args);
  await srv.waitFor('\n', 15_000);
  const m = /^ACCEPT 127\.0\.0\.1:(\d+)$/m.exec(srv.stdout.toString());
  if (!m) throw new Error(`no ACCEPT line: ${srv.stdout.toString()} ${srv.stderr}`);
  return { srv, port: Number(m[1]) };
}

describe.skipIf(!existsSync(CLI))('wasmtls CLI', () => {
  it.skipIf(!OPENSSL)('s_client -brief against openssl s_server -www: OpenSSL\'s summary lines, the page on stdout, exit 0', async () => {
    const port = await freePort();
    const srv = new Peer('openssl', ['s_server', '-accept', `127.0.0.1:${port}`, '-tls1_3', '-www', '-quiet',
      '-cert', pki.path('server.crt'), '-key', pki.path('server.key'), '-cert_chain', pki.path('ca.crt'), '-alpn', 'http/1.1']);
    const cli = wasmtls('s_client', '-brief', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost',
      '-CAfile', pki.path('ca.crt'), '-alpn', 'h2,http/1.1');
    try {
      await new Promise((r) => setTimeout(r, 300)); // s_server binds
      cli.write('GET / HTTP/1.0\r\n\r\n');
      cli.child.stdin.end();
      await cli.waitExit(15_000);
      const err = lines(cli.stderr);
      expect(cli.exited, cli.stderr).toBe(0);
      expect(err).toContain('CONNECTION ESTABLISHED');
      expect(err).toContain('Protocol version: TLSv1.3');
      expect(err.find((l) => l.startsWith('Ciphersuite: '))).toMatch(/^Ciphersuite: TLS_(AES_128_GCM_SHA256|AES_256_GCM_SHA384|CHACHA20_POLY1305_SHA256)$/);
      expect(err).toContain('Peer certificate: CN = localhost');
      expect(err).toContain('Verification: OK');
      expect(err).toContain('Server Temp Key: X25519, 253 bits');
      expect(err).toContain('ALPN protocol: http/1.1');
      const page = cli.stdout.toString('latin1');
      expect(page).toMatch(/^HTTP\/1\.0 200 ok\r\n/);
      expect(page).toContain('TLSv1.3');
    } finally {
      cli.kill();
      srv.kill();
    }
  });

  it.skipIf(!OPENSSL)('s_client with a CA that does not issue the server: non-zero exit, verify error and alert named', async () => {
    const port = await freePort();
    const srv = new Peer('openssl', ['s_server', '-accept', `127.0.0.1:${port}`, '-tls1_3', '-www', '-quiet',
      '-cert', pki.path('server.crt'), '-key', pki.path('server.key'), '-cert_chain', pki.path('ca.crt')]);
    const cli = wasmtls('s_client', '-brief', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost',
      '-CAfile', pki.path('stranger.crt'));
    try {
      await new Promise((r) => setTimeout(r, 300));
      cli.child.stdin.end();
      await cli.waitExit(15_000);
      expect(cli.exited).toBe(1);
      // The server sends its root too: a self-signed certificate no anchor
      // matches, which OpenSSL names the same way (X509_V_ERR 19).
      expect(cli.stderr).toContain('verify error:num=19:self-signed certificate in certificate chain (SELF_SIGNED_CERT_IN_CHAIN)');
      expect(cli.stderr).toMatch(/handshake with 127\.0\.0\.1:\d+ failed: sent fatal alert unknown_ca/);
      expect(cli.stdout.length).toBe(0);
    } finally {
      cli.kill();
      srv.kill();
    }
  });

  it.skipIf(!OPENSSL)('openssl s_client -brief against our s_server: TLSv1.3, Verification: OK, echo', async () => {
    const { srv, port } = await ourServer('-alpn', 'http/1.1');
    const ossl = new Peer('openssl', ['s_client', '-brief', '-connect', `127.0.0.1:${port}`, '-CAfile', pki.path('ca.crt'),
      '-servername', 'localhost', '-verify_hostname', 'localhost', '-verify_return_error', '-alpn', 'http/1.1']);
    try {
      await ossl.waitFor('Verification', 15_000, 'stderr');
      ossl.write('echo-me-0123456789\n');
      await ossl.waitFor('echo-me-0123456789\n', 10_000);
      const err = lines(ossl.stderr);
      expect(err).toContain('Protocol version: TLSv1.3');
      expect(err).toContain('Verification: OK');
      expect(err).toContain('Peer certificate: CN = localhost');
      await srv.waitFor('ALPN http/1.1', 5000, 'stderr');
      expect(srv.stderr).toMatch(/^#1 127\.0\.0\.1:\d+ TLSv1\.3, TLS_\w+, x25519, ALPN http\/1\.1, SNI localhost, no client certificate, [\d.]+ ms$/m);
    } finally {
      ossl.kill();
      srv.kill();
    }
  });

  it('s_client -tunnel through `wasmtls relay` to our s_server -www; both key logs agree', async () => {
    const ckl = join(tmp, 'client.keylog');
    const skl = join(tmp, 'server.keylog');
    const { srv, port } = await ourServer('-www', '-alpn', 'http/1.1', '-keylogfile', skl);
    const relay = wasmtls('relay', '-listen', '127.0.0.1:0');
    let cli: Peer | undefined;
    try {
      await relay.waitFor('\n', 15_000);
      const url = /^RELAY (ws:\/\/127\.0\.0\.1:\d+)/m.exec(relay.stdout.toString())?.[1];
      expect(url).toBeDefined();
      // A URL without a path gets /host:port of -connect appended.
      cli = wasmtls('s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost', '-CAfile', pki.path('ca.crt'),
        '-tunnel', url!, '-alpn', 'http/1.1', '-keylogfile', ckl);
      cli.write('GET / HTTP/1.0\r\n\r\n');
      cli.child.stdin.end();
      await cli.waitExit(15_000);
      expect(cli.exited, cli.stderr).toBe(0);
      const page = cli.stdout.toString('latin1');
      expect(page).toMatch(/^HTTP\/1\.0 200 ok\r\n/);
      const cipher = /^New, TLSv1\.3, Cipher is (\S+)$/m.exec(cli.stderr)?.[1];
      expect(cipher).toMatch(/^TLS_/);
      for (const l of ['Protocol version: TLSv1.3', `Ciphersuite: ${cipher}`, 'ALPN protocol: http/1.1', 'SNI: localhost',
        'Server Temp Key: X25519, 253 bits', 'Client certificate: none']) expect(page).toContain(l);
      // The fuller block: chain, verdict, how we came.
      expect(cli.stderr).toContain(`CONNECTED(${url}/127.0.0.1:${port})`);
      expect(cli.stderr).toMatch(/ 0 s:CN = localhost\n {3}i:CN = wasmtls test CA\n/);
      expect(cli.stderr).toContain('Verify return code: 0 (ok)');
      await relay.waitFor(`-> 127.0.0.1:${port}`, 5000, 'stderr');
      await srv.waitFor('GET /: status page', 5000, 'stderr');

      const client = readFileSync(ckl, 'utf8').trimEnd().split('\n');
      expect(client).toHaveLength(5);
      for (const l of client) expect(l).toMatch(/^[A-Z_0-9]+ [0-9a-f]{64} [0-9a-f]{64,96}$/);
      expect(client.filter((l) => KEYLOG_SECRET.test(l))).toHaveLength(4);
      expect(client.filter((l) => /^EXPORTER_SECRET [0-9a-f]{64} [0-9a-f]{64,96}$/.test(l))).toHaveLength(1);
      // The server logs the same five secrets for the same client random.
      await srv.waitFor('GET /', 1000, 'stderr');
      expect(readFileSync(skl, 'utf8').trimEnd().split('\n').sort()).toEqual([...client].sort());
    } finally {
      cli?.kill();
      relay.kill();
      srv.kill();
    }
  });

  it('errors: bad flag (usage), refused connection, unreachable tunnel; exit 1 with a clear message', async () => {
    const bad = wasmtls('s_client', '-connect', '127.0.0.1:1', '-frobnicate');
    const refused = wasmtls('s_client', '-connect', `127.0.0.1:${await freePort()}`, '-CAfile', pki.path('ca.crt'));
    const noRelay = wasmtls('s_client', '-connect', '127.0.0.1:443', '-tunnel', `ws://127.0.0.1:${await freePort()}`,
      '-CAfile', pki.path('ca.crt'));
    const noCmd = wasmtls('s_frob');
    try {
      await Promise.all([bad, refused, noRelay, noCmd].map((p) => p.waitExit(15_000)));
      expect(bad.exited).toBe(1);
      expect(bad.stderr).toContain('wasmtls s_client: unknown option -frobnicate');
      expect(bad.stderr).toContain('usage: wasmtls s_client -connect host:port');
      expect(refused.exited).toBe(1);
      expect(refused.stderr).toMatch(/^wasmtls s_client: cannot connect to 127\.0\.0\.1:\d+: .*ECONNREFUSED/m);
      expect(noRelay.exited).toBe(1);
      expect(noRelay.stderr).toMatch(/cannot open tunnel ws:\/\/127\.0\.0\.1:\d+\/127\.0\.0\.1:443: .*ECONNREFUSED/);
      expect(noCmd.exited).toBe(1);
      expect(noCmd.stderr).toContain("unknown command 's_frob'");
    } finally {
      for (const p of [bad, refused, noRelay, noCmd]) p.kill();
    }
  });
});

describe.skipIf(!existsSync(DEMO) || !OPENSSL)('npm start (dist/demo.js)', () => {
  it('runs to completion: handshake line, certificate verdict, MB/s, OK', async () => {
    const demo = new Peer(process.execPath, [DEMO]);
    try {
      await demo.waitExit(60_000);
      const out = demo.stdout.toString();
      expect(demo.exited, `${out}\n${demo.stderr}`).toBe(0);
      const l = lines(out).filter(Boolean);
      expect(l.length).toBeGreaterThanOrEqual(8);
      expect(l.length).toBeLessThanOrEqual(15);
      expect(out).toMatch(/^ {2}handshake +TLSv1\.3 TLS_\w+ x25519 ecdsa_secp256r1_sha256, ALPN http\/1\.1, [\d.]+ ms$/m);
      expect(out).toMatch(/^ {2}certificate +verified for localhost: CN = localhost <- CN = wasmtls demo CA$/m);
      expect(out).toMatch(/^ {2}bulk +GET \/bytes\/67108864: 64 MiB in [\d.]+ s = \d+ MB\/s/m);
      expect(l[l.length - 1]).toMatch(/^OK: /);
      expect(demo.stderr).toBe('');
    } finally {
      demo.kill();
    }
  }, 70_000);
});
