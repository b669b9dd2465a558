/**
 * TLS 1.2 as users see it, against real peers on 127.0.0.1: what
 * `wasmtls/node` reports (`getProtocol()`, `getCipher()`) equals what
 * Node's own tls reports against the same `openssl s_server -tls1_2`, for
 * an RSA and an ECDSA certificate and each suite; the CLI's `-brief` lines
 * equal `openssl s_client -brief -tls1_2`'s; the CLI's key log line for
 * TLS 1.2 (CLIENT_RANDOM) equals the one `openssl s_server -keylogfile`
 * writes for the same connection; and the version options refuse a peer
 * outside the range with protocol_version, named.
 *
 * Oracles: Node's tls (OpenSSL), the openssl CLI.
 */
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as nodeTls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTcp } from '../ts/adapters/node-socket.js';
import { createServer as netCreateServer, type AddressInfo, type Socket } from 'node:net';
import { connect as nodeConnect, TLSSocket } from '../ts/api/node.js';
import { connect } from '../ts/api/tls.js';
import { TLSContext } from '../ts/core/context.js';
import { TLS_ERR, TLSError } from '../ts/core/errors.js';
import { root, useBuild } from './helpers/env.js';
import { have, Peer } from './helpers/peers.js';
import { freePort } from './helpers/runtimes.js';
import { makeTestCerts, type CertKey, type TestCerts } from './helpers/tls-certs.js';

useBuild('simd');
const OPENSSL = have('openssl', ['version']);
/** The engine's TLS 1.2 (crypto-src/tls/hs12_*.c) is in this build. */
const CLI = `${root}dist/cli.js`;

let certs: TestCerts;
let dir: string;
beforeAll(async () => {
  certs = await makeTestCerts();
  dir = mkdtempSync(join(tmpdir(), 'wasmtls-tls12-'));
}, 60_000);
afterAll(() => {
  certs?.dispose();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** openssl s_server on a free port; ready once it printed ACCEPT. Its
 * stdin stays open (at EOF s_server would end the connection). */
async function opensslServer(cert: CertKey, ...args: string[]): Promise<{ srv: Peer; port: number }> {
  const port = await freePort();
  const srv = new Peer('openssl', ['s_server', '-accept', `127.0.0.1:${port}`, '-cert', cert.certPath, '-key', cert.keyPath, ...args]);
  await srv.waitFor('ACCEPT', 10_000);
  return { srv, port };
}

const SUITES: Record<'rsa2048' | 'ecdsa-p256', string[]> = {
  rsa2048: ['ECDHE-RSA-AES128-GCM-SHA256', 'ECDHE-RSA-AES256-GCM-SHA384', 'ECDHE-RSA-CHACHA20-POLY1305'],
  'ecdsa-p256': ['ECDHE-ECDSA-AES128-GCM-SHA256', 'ECDHE-ECDSA-AES256-GCM-SHA384', 'ECDHE-ECDSA-CHACHA20-POLY1305'],
};

describe('TLSContext: the engine takes the range and the TLS 1.2 list', () => {
  it('setProtoVersions and setCipherSuites12 reach the engine; a suite it lacks or more than 8 is CONFIG', () => {
    const ctx = new TLSContext({ minVersion: 'TLSv1.3', suites12: ['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 0xcca9] });
    expect([ctx.minVersion, ctx.maxVersion]).toEqual(['TLSv1.3', 'TLSv1.3']);
    ctx.setProtoVersions('TLSv1.2', 'TLSv1.2');
    expect([ctx.minVersion, ctx.maxVersion]).toEqual(['TLSv1.2', 'TLSv1.2']);
    ctx.dispose();
    for (const list of [[0xc013], Array<number>(9).fill(0xc02f)]) {
      let err: unknown;
      try {
        new TLSContext({ suites12: list }).dispose();
      } catch (e) {
        err = e;
      }
      expect(err, list.join()).toBeInstanceOf(TLSError);
      expect((err as TLSError).engineCode).toBe(TLS_ERR.CONFIG);
      expect((err as TLSError).message).toContain('TLS 1.2 cipher suites');
    }
  });
});

describe.skipIf(!OPENSSL)('wasmtls/node against openssl s_server -tls1_2: what Node reports', () => {
  for (const kind of ['rsa2048', 'ecdsa-p256'] as const) {
    it(`${kind}: getProtocol(), getCipher(), getEphemeralKeyInfo() equal Node's own tls for each suite`, async () => {
      const got: string[] = [];
      const want: string[] = [];
      for (const suite of SUITES[kind]) {
        // The server allows one suite, so both clients land on it whatever
        // their preference order.
        for (const which of ['node:tls', 'wasmtls/node']) {
          const { srv, port } = await opensslServer(certs.server[kind], '-tls1_2', '-cipher', suite);
          try {
            const o = { host: '127.0.0.1', port, servername: 'localhost', ca: certs.server[kind].certPem };
            const s = which === 'node:tls' ? nodeTls.connect(o) : nodeConnect(o);
            await Promise.race([
              once(s, 'secureConnect'),
              once(s, 'error').then(([e]) => {
                throw e;
              }),
            ]);
            const line = JSON.stringify({
              protocol: s.getProtocol(),
              cipher: s.getCipher(),
              authorized: s.authorized,
              ephemeral: s.getEphemeralKeyInfo(),
              reused: s.isSessionReused(),
            });
            (which === 'node:tls' ? want : got).push(line);
            s.destroy();
          } finally {
            srv.kill();
          }
        }
      }
      expect(got).toEqual(want);
      expect(want.every((l) => l.includes('"protocol":"TLSv1.2"'))).toBe(true);
    });
  }

  it("server role: a TLS 1.2 client (Node's tls, maxVersion TLSv1.2) sees the same from new TLSSocket({ isServer }) as from Node's own server", async () => {
    const seen: string[] = [];
    for (const which of ['node:tls', 'wasmtls/node']) {
      for (const [kind, ciphers] of [
        ['rsa2048', 'ECDHE-RSA-CHACHA20-POLY1305'],
        ['ecdsa-p256', 'ECDHE-ECDSA-AES256-GCM-SHA384'],
      ] as const) {
        const cert = certs.server[kind];
        let serverSide: unknown;
        const server = netCreateServer((raw: Socket) => {
          const t =
            which === 'node:tls'
              ? new nodeTls.TLSSocket(raw, {
                  isServer: true,
                  secureContext: nodeTls.createSecureContext({ cert: cert.certPem, key: cert.keyPem }),
                })
              : new TLSSocket(raw, { isServer: true, cert: cert.certPem, key: cert.keyPem });
          t.on('error', () => {});
          t.on('secure', () => {
            serverSide = { protocol: t.getProtocol(), cipher: t.getCipher() };
            t.end('x');
          });
        });
        await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
        try {
          const port = (server.address() as AddressInfo).port;
          const c = nodeTls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca: cert.certPem, maxVersion: 'TLSv1.2', ciphers });
          await Promise.race([
            once(c, 'secureConnect'),
            once(c, 'error').then(([e]) => {
              throw e;
            }),
          ]);
          const clientSide = { protocol: c.getProtocol(), cipher: c.getCipher() };
          c.resume();
          await once(c, 'end');
          c.destroy();
          seen.push(`${kind} ${JSON.stringify(clientSide)} ${JSON.stringify(serverSide)}`);
        } finally {
          server.close();
        }
      }
    }
    expect(seen.slice(2)).toEqual(seen.slice(0, 2));
    expect(seen[0]).toContain('"protocol":"TLSv1.2"');
  });

  it("the connect() API: opened reports TLSv1.2 and the suite's two names", async () => {
    const { srv, port } = await opensslServer(certs.server.rsa2048, '-tls1_2', '-cipher', 'ECDHE-RSA-AES256-GCM-SHA384');
    try {
      const tls = connect({
        transport: await connectTcp({ host: '127.0.0.1', port }),
        servername: 'localhost',
        ca: certs.server.rsa2048.certPem,
      });
      const info = await tls.opened;
      expect({ version: info.version, cipher: info.cipher, std: info.cipherStandardName, conn: tls.connection.version }).toEqual({
        version: 'TLSv1.2',
        cipher: 'ECDHE-RSA-AES256-GCM-SHA384',
        std: 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384',
        conn: 'TLSv1.2',
      });
      await tls.close();
    } finally {
      srv.kill();
    }
  });

  it('ciphers / maxVersion choose the TLS 1.2 suite and version offered', async () => {
    const { srv, port } = await opensslServer(certs.server['ecdsa-p256']);
    try {
      const tls = connect({
        transport: await connectTcp({ host: '127.0.0.1', port }),
        servername: 'localhost',
        ca: certs.server['ecdsa-p256'].certPem,
        maxVersion: 'TLSv1.2',
        ciphers: 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384',
      });
      const info = await tls.opened;
      expect([info.version, info.cipher]).toEqual(['TLSv1.2', 'ECDHE-ECDSA-AES256-GCM-SHA384']);
      await tls.close();
    } finally {
      srv.kill();
    }
  });

  it('TLS 1.2 resumption: onSession fires by the end of the handshake, and the session resumes (ticket, then session ID)', async () => {
    for (const args of [[], ['-no_ticket']]) {
      const { srv, port } = await opensslServer(certs.server.rsa2048, '-tls1_2', ...args);
      try {
        const o = { servername: 'localhost', ca: certs.server.rsa2048.certPem };
        const sessions: Uint8Array[] = [];
        const first = connect({ ...o, transport: await connectTcp({ host: '127.0.0.1', port }), onSession: (x) => sessions.push(x) });
        const info = await first.opened;
        // Nothing read yet: the session was handed out with the handshake.
        expect([info.version, info.sessionReused, sessions.length], args.join(' ')).toEqual(['TLSv1.2', false, 1]);
        await first.close();
        const again = connect({ ...o, transport: await connectTcp({ host: '127.0.0.1', port }), session: sessions[0] });
        const info2 = await again.opened;
        expect([info2.version, info2.sessionReused, info2.authorized, info2.cipher], args.join(' ')).toEqual([
          'TLSv1.2',
          true,
          true,
          info.cipher,
        ]);
        await again.close();
      } finally {
        srv.kill();
      }
    }
  });

  it('keyUpdate() on a TLS 1.2 connection rejects, naming why, and the connection goes on', async () => {
    const { srv, port } = await opensslServer(certs.server.rsa2048, '-tls1_2');
    try {
      const tls = connect({
        transport: await connectTcp({ host: '127.0.0.1', port }),
        servername: 'localhost',
        ca: certs.server.rsa2048.certPem,
      });
      await tls.opened;
      await expect(tls.keyUpdate()).rejects.toThrow(/KeyUpdate is a TLS 1\.3 message .*this connection is TLSv1\.2/);
      const w = tls.writable.getWriter();
      await w.write(new TextEncoder().encode('after the refused KeyUpdate\n'));
      await srv.waitFor('after the refused KeyUpdate', 5000);
      await tls.close();
    } finally {
      srv.kill();
    }
  });

  it('limited to TLS 1.3 against a TLS 1.2-only server: protocol_version, and the message says so', async () => {
    const { srv, port } = await opensslServer(certs.server.rsa2048, '-tls1_2');
    try {
      const tls = connect({
        transport: await connectTcp({ host: '127.0.0.1', port }),
        servername: 'localhost',
        ca: certs.server.rsa2048.certPem,
        minVersion: 'TLSv1.3',
      });
      const err = await tls.opened.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(TLSError);
      expect((err as TLSError).alert).toBe(70);
      expect((err as TLSError).message).toMatch(/the server does not offer TLS 1\.3, the only version allowed here/);
    } finally {
      srv.kill();
    }
  });

  it("wasmtls/node limited to TLS 1.3 against -tls1_2: Node's own tls's error code", async () => {
    const codes: string[] = [];
    for (const which of ['node:tls', 'wasmtls/node']) {
      const { srv, port } = await opensslServer(certs.server.rsa2048, '-tls1_2');
      try {
        const o = { host: '127.0.0.1', port, servername: 'localhost', ca: certs.server.rsa2048.certPem, minVersion: 'TLSv1.3' as const };
        const s = which === 'node:tls' ? nodeTls.connect(o) : nodeConnect(o);
        const [e] = (await once(s, 'error').catch((x: unknown) => [x])) as [NodeJS.ErrnoException];
        codes.push(`${which} ${e.code}`);
        s.destroy();
      } finally {
        srv.kill();
      }
    }
    expect(codes).toEqual(['node:tls ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION', 'wasmtls/node ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION']);
  });
});

/** Wait until stderr holds a whole line starting with `prefix` (not a
 * piece of it from a short read). */
async function waitLine(p: Peer, prefix: string): Promise<void> {
  await p.waitFor(prefix, 10_000, 'stderr');
  const whole = new RegExp(`^${prefix}[^\\n]*\\n`, 'm');
  for (const until = Date.now() + 5000; Date.now() < until && !whole.test(p.stderr); ) await new Promise((r) => setTimeout(r, 20));
}

/** The lines of `-brief` output a TLS 1.2 summary shares with OpenSSL's
 * (OpenSSL prints "Verified peername" only with -verify_hostname, and
 * the server's point formats, which we do not keep). */
function briefOf(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => /^(Protocol version|Ciphersuite|Peer certificate|Hash used|Signature type|Verification|Server Temp Key): /.test(l));
}

describe.skipIf(!OPENSSL || !existsSync(CLI))('wasmtls s_client / s_server with TLS 1.2 flags', () => {
  for (const [kind, suite] of [
    ['rsa2048', 'ECDHE-RSA-AES128-GCM-SHA256'],
    ['ecdsa-p256', 'ECDHE-ECDSA-CHACHA20-POLY1305'],
  ] as const) {
    it(`${kind}: s_client -brief -tls1_2 prints the lines openssl s_client -brief -tls1_2 prints`, async () => {
      const out: Record<string, string[]> = {};
      for (const [name, cmd] of [
        ['openssl', ['openssl', 's_client']],
        ['wasmtls', [process.execPath, CLI, 's_client']],
      ] as const) {
        const { srv, port } = await opensslServer(certs.server[kind], '-tls1_2', '-cipher', suite);
        const cli = new Peer(cmd[0], [
          ...cmd.slice(1),
          '-brief',
          '-tls1_2',
          '-connect',
          `127.0.0.1:${port}`,
          '-servername',
          'localhost',
          '-CAfile',
          certs.server[kind].certPath,
        ]);
        try {
          await waitLine(cli, 'Ciphersuite: ');
          await waitLine(cli, 'Server Temp Key: ');
          out[name] = briefOf(cli.stderr);
        } finally {
          cli.kill();
          srv.kill();
        }
      }
      expect(out.wasmtls).toEqual(out.openssl);
      expect(out.wasmtls).toContain('Protocol version: TLSv1.2');
      expect(out.wasmtls).toContain(`Ciphersuite: ${suite}`);
    });
  }

  it('s_client -tls1_2 -cipher A:B: openssl s_server -trace saw those suites in that order, and no TLS 1.3 offered', async () => {
    const { srv, port } = await opensslServer(certs.server.rsa2048, '-trace');
    const cli = new Peer(process.execPath, [
      CLI,
      's_client',
      '-brief',
      '-tls1_2',
      '-cipher',
      'ECDHE-RSA-AES256-GCM-SHA384:TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256',
      '-connect',
      `127.0.0.1:${port}`,
      '-servername',
      'localhost',
      '-CAfile',
      certs.server.rsa2048.certPath,
    ]);
    try {
      await waitLine(cli, 'Ciphersuite: ');
      expect(briefOf(cli.stderr).slice(0, 2)).toEqual(['Protocol version: TLSv1.2', 'Ciphersuite: ECDHE-RSA-AES256-GCM-SHA384']);
      const trace = srv.stdout.toString('latin1');
      expect(trace).toMatch(
        /cipher_suites \(len=4\)\n\s+\{0xC0, 0x30\} TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384\n\s+\{0xCC, 0xA8\} TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256\n/,
      );
      // Nothing of TLS 1.3: no TLS 1.3 suite (above) and no version 0x0304.
      expect(trace).not.toContain('TLS 1.3 (772)');
    } finally {
      cli.kill();
      srv.kill();
    }
  });

  it('s_client: a k line on a TLS 1.2 connection prints KEYUPDATE and why none is sent, and data still flows', async () => {
    const { srv, port } = await opensslServer(certs.server.rsa2048, '-tls1_2');
    const cli = new Peer(process.execPath, [
      CLI,
      's_client',
      '-brief',
      '-connect',
      `127.0.0.1:${port}`,
      '-servername',
      'localhost',
      '-CAfile',
      certs.server.rsa2048.certPath,
    ]);
    try {
      await cli.waitFor('CONNECTION ESTABLISHED', 10_000, 'stderr');
      cli.write('k\n');
      await cli.waitFor('KeyUpdate is a TLS 1.3 message', 5000, 'stderr');
      cli.write('still here\n');
      await srv.waitFor('still here', 5000);
      expect(cli.stderr).toMatch(/^KEYUPDATE$/m);
      expect(cli.exited).toBeUndefined();
    } finally {
      cli.kill();
      srv.kill();
    }
  });

  it('s_client -tls1_2 -sess_out, then -sess_in: Reused, TLSv1.2', async () => {
    const sess = join(dir, 'tls12.sess');
    const { srv, port } = await opensslServer(certs.server.rsa2048, '-tls1_2');
    try {
      const runs: string[] = [];
      for (const flag of ['-sess_out', '-sess_in']) {
        const cli = new Peer(process.execPath, [
          CLI,
          's_client',
          '-tls1_2',
          flag,
          sess,
          '-connect',
          `127.0.0.1:${port}`,
          '-servername',
          'localhost',
          '-CAfile',
          certs.server.rsa2048.certPath,
        ]);
        try {
          await waitLine(cli, 'Session reused: ');
          cli.child.stdin.end();
          await cli.waitExit(10_000);
          runs.push(cli.stderr);
        } finally {
          cli.kill();
        }
      }
      expect(runs[0]).toMatch(/^New, TLSv1\.2, Cipher is ECDHE-RSA-/m);
      expect(runs[1]).toMatch(/^Reused, TLSv1\.2, Cipher is ECDHE-RSA-/m);
      expect(runs[1]).toContain('Session reused: yes');
    } finally {
      srv.kill();
    }
  });

  it('s_client -tls1_3 against a TLS 1.2-only openssl s_server fails clearly (protocol_version)', async () => {
    const { srv, port } = await opensslServer(certs.server.rsa2048, '-tls1_2');
    const cli = new Peer(process.execPath, [
      CLI,
      's_client',
      '-tls1_3',
      '-connect',
      `127.0.0.1:${port}`,
      '-servername',
      'localhost',
      '-CAfile',
      certs.server.rsa2048.certPath,
    ]);
    try {
      cli.child.stdin.end();
      await cli.waitExit(10_000);
      expect(cli.exited).toBe(1);
      expect(cli.stderr).toMatch(/received fatal alert protocol_version/);
      expect(cli.stderr).toContain('the server does not offer TLS 1.3, the only version allowed here');
    } finally {
      cli.kill();
      srv.kill();
    }
  });

  it('s_server -tls1_2 -cipher: openssl s_client -brief reports TLSv1.2 and that suite', async () => {
    const port = await freePort();
    const srv = new Peer(process.execPath, [
      CLI,
      's_server',
      '-accept',
      `127.0.0.1:${port}`,
      '-tls1_2',
      '-cipher',
      'ECDHE-ECDSA-AES256-GCM-SHA384',
      '-cert',
      certs.server['ecdsa-p256'].certPath,
      '-key',
      certs.server['ecdsa-p256'].keyPath,
    ]);
    try {
      await srv.waitFor('ACCEPT', 10_000);
      const cli = new Peer('openssl', [
        's_client',
        '-brief',
        '-connect',
        `127.0.0.1:${port}`,
        '-servername',
        'localhost',
        '-CAfile',
        certs.server['ecdsa-p256'].certPath,
      ]);
      try {
        await waitLine(cli, 'Ciphersuite: ');
        expect(briefOf(cli.stderr).slice(0, 2)).toEqual(['Protocol version: TLSv1.2', 'Ciphersuite: ECDHE-ECDSA-AES256-GCM-SHA384']);
      } finally {
        cli.kill();
      }
    } finally {
      srv.kill();
    }
  });

  it('s_server -tls1_2: openssl s_client -reconnect resumes, and the log lines say TLSv1.2 and resumed', async () => {
    const port = await freePort();
    const srv = new Peer(process.execPath, [
      CLI,
      's_server',
      '-accept',
      `127.0.0.1:${port}`,
      '-tls1_2',
      '-cert',
      certs.server.rsa2048.certPath,
      '-key',
      certs.server.rsa2048.keyPath,
    ]);
    try {
      await srv.waitFor('ACCEPT', 10_000);
      const cli = new Peer('openssl', [
        's_client',
        '-reconnect',
        '-connect',
        `127.0.0.1:${port}`,
        '-servername',
        'localhost',
        '-CAfile',
        certs.server.rsa2048.certPath,
      ]);
      try {
        cli.child.stdin.end();
        await cli.waitExit(20_000);
        // openssl prints "Reused, TLSv1.2, Cipher is ..." for each resumed connection.
        expect(cli.stdout.toString('latin1').match(/^Reused, TLSv1\.2, Cipher is ECDHE-RSA-\S+$/gm)?.length).toBe(5);
      } finally {
        cli.kill();
      }
      for (const until = Date.now() + 5000; Date.now() < until && (srv.stderr.match(/resumed/g)?.length ?? 0) < 5; ) {
        await new Promise((r) => setTimeout(r, 50));
      }
      // "#1 127.0.0.1:40000 TLSv1.2, ECDHE-RSA-..., x25519, ALPN none, ..."
      const lines = srv.stderr
        .split('\n')
        .map((l) => /^#\d+ \S+ (TLSv1\.2, .*)$/.exec(l)?.[1])
        .filter((l) => l !== undefined);
      expect(lines.length).toBe(6);
      expect(lines[0]).toMatch(/^TLSv1\.2, ECDHE-RSA-\S+, x25519, /);
      for (const l of lines.slice(1)) expect(l).toMatch(/^TLSv1\.2, ECDHE-RSA-\S+, no key exchange, .*, resumed, /);
    } finally {
      srv.kill();
    }
  });

  it("-keylogfile: the CLIENT_RANDOM line equals openssl s_server's for the same connection", async () => {
    const ours = join(dir, 'client.keys'),
      theirs = join(dir, 'server.keys');
    const { srv, port } = await opensslServer(certs.server.rsa2048, '-tls1_2', '-keylogfile', theirs);
    const cli = new Peer(process.execPath, [
      CLI,
      's_client',
      '-brief',
      '-connect',
      `127.0.0.1:${port}`,
      '-servername',
      'localhost',
      '-CAfile',
      certs.server.rsa2048.certPath,
      '-keylogfile',
      ours,
    ]);
    try {
      await cli.waitFor('CONNECTION ESTABLISHED', 10_000, 'stderr');
      const line = (f: string) =>
        readFileSync(f, 'latin1')
          .split('\n')
          .filter((l) => l.startsWith('CLIENT_RANDOM '));
      for (const until = Date.now() + 5000; Date.now() < until && line(theirs).length === 0; ) await new Promise((r) => setTimeout(r, 50));
      const [mine] = line(ours);
      expect(mine).toMatch(/^CLIENT_RANDOM [0-9a-f]{64} [0-9a-f]{96}$/);
      expect(line(ours)).toHaveLength(1);
      // The same client random and master secret, both sides' hex lowercase.
      expect(line(theirs)).toEqual([mine]);
    } finally {
      cli.kill();
      srv.kill();
    }
  });
});
