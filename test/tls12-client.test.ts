/**
 * Our TLS 1.2 client (crypto-src/tls/hs12_client.c, RFC 5246 with ECDHE and
 * AEAD suites only: RFC 5289, RFC 7905) against real TLS 1.2 servers started
 * by the test on 127.0.0.1: `openssl s_server -tls1_2`, `gnutls-serv` with
 * TLS 1.2 only, Node `tls.createServer({ maxVersion: 'TLSv1.2' })`.
 *
 * The test asserts on the server's own view (s_server's "Protocol
 * version:" / "CIPHER is" lines, Node's getProtocol()/getCipher()) and on
 * the engine's numbers read through the raw exports (wt_x_tls_get_version,
 * wt_x_tls_get_suite), below the TS getters (test/tls12-peers.test.ts
 * checks those against Node's). Node's 'keylog' line for the connection is the
 * oracle for our master secret. The matrix (peer x suite x group x cert)
 * is printed at the end with its counts.
 *
 * Each external process is killed in `finally`; waits are bounded.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import * as tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Connection, TLSContext, type TLSContextOptions } from '../ts/core/connection.js';
import { useBuild } from './helpers/env.js';
import { connectRetry, SocketPump } from './helpers/netpump.js';
import { have, payload, Peer } from './helpers/peers.js';
import { freePort } from './helpers/runtimes.js';
import { makeTestCerts, type TestCerts } from './helpers/tls-certs.js';
import { connect as tlsConnect, type TLSSocket } from '../ts/api/tls.js';
import { fromNodeSocket } from '../ts/adapters/node-socket.js';

useBuild('simd');
let certs: TestCerts;
/** An RSA-2048 client certificate besides the ECDSA P-256 one of tls-certs. */
let clientRsa: { certPath: string; keyPath: string; certPem: string; keyPem: string };
beforeAll(async () => {
  certs = await makeTestCerts();
  const certPath = join(certs.dir, 'client-rsa.crt'),
    keyPath = join(certs.dir, 'client-rsa.key');
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyPath, '-out', certPath, '-days', '3', '-subj', '/CN=client-rsa.test'],
    { stdio: 'ignore' },
  );
  clientRsa = { certPath, keyPath, certPem: readFileSync(certPath, 'utf8'), keyPem: readFileSync(keyPath, 'utf8') };
}, 60_000);

// ---- the matrix ---------------------------------------------------------------

interface Row {
  peer: string;
  suite: string;
  group: string;
  cert: string;
  result: 'ok' | 'FAIL' | 'n/a';
}
const rows: Row[] = [];
const testsRan = new Set<Row>();

afterAll(() => {
  certs?.dispose();
  const ran = rows.filter((r) => r.result !== 'FAIL' || testsRan.has(r));
  const cols: (keyof Row)[] = ['peer', 'suite', 'group', 'cert', 'result'];
  const w = cols.map((c) => Math.max(c.length, ...ran.map((r) => r[c].length)));
  const line = (v: string[]) => v.map((s, i) => s.padEnd(w[i])).join('  ');
  const out = ['', 'TLS 1.2 client interop matrix (127.0.0.1; bytes compared both ways)', line(cols), line(w.map((n) => '-'.repeat(n)))];
  for (const r of ran) out.push(line(cols.map((c) => r[c])));
  const ok = ran.filter((r) => r.result === 'ok').length,
    fail = ran.filter((r) => r.result === 'FAIL').length;
  const na = ran.length - ok - fail;
  out.push('', `${ok}/${ok + fail} passed${na ? ` (${na} not available here)` : ''}`);
  console.log(out.join('\n'));
});

function scenario(peer: string, suite: string, group: string, cert: string, fn: () => Promise<void>, available = true): void {
  const row: Row = { peer, suite, group, cert, result: available ? 'FAIL' : 'n/a' };
  rows.push(row);
  const name = `${peer}: ${suite} ${group} ${cert}`;
  if (!available) {
    it.skip(`${name} (not available)`, () => {});
    return;
  }
  it(name, async () => {
    testsRan.add(row);
    await fn();
    row.result = 'ok';
  }, 30_000);
}

// ---- what the peers here can do ------------------------------------------------

const OPENSSL = have('openssl', ['version']);
const GNUTLS = have('gnutls-serv', ['--version']);

/** OpenSSL's suite name, the IANA code, GnuTLS's cipher name, the cert kind it needs. */
const SUITES12: [string, number, string, 'ecdsa-p256' | 'rsa2048'][] = [
  ['ECDHE-ECDSA-AES128-GCM-SHA256', 0xc02b, 'AES-128-GCM', 'ecdsa-p256'],
  ['ECDHE-ECDSA-AES256-GCM-SHA384', 0xc02c, 'AES-256-GCM', 'ecdsa-p256'],
  ['ECDHE-ECDSA-CHACHA20-POLY1305', 0xcca9, 'CHACHA20-POLY1305', 'ecdsa-p256'],
  ['ECDHE-RSA-AES128-GCM-SHA256', 0xc02f, 'AES-128-GCM', 'rsa2048'],
  ['ECDHE-RSA-AES256-GCM-SHA384', 0xc030, 'AES-256-GCM', 'rsa2048'],
  ['ECDHE-RSA-CHACHA20-POLY1305', 0xcca8, 'CHACHA20-POLY1305', 'rsa2048'],
];
/** OpenSSL/Node name, GnuTLS name, IANA group code. */
const GROUPS: [string, string, number][] = [
  ['X25519', 'GROUP-X25519', 0x1d],
  ['P-256', 'GROUP-SECP256R1', 0x17],
  ['P-384', 'GROUP-SECP384R1', 0x18],
];

// ---- our side (the engine's numbers through the raw exports) -------------------------

type Raw = Record<string, (...a: number[]) => number>;
const rawOf = (conn: Connection): { x: Raw; c: number } => ({
  x: conn.ctx.w.exports as unknown as Raw,
  c: (conn as unknown as { c: number }).c,
});
const versionOf = (conn: Connection) => rawOf(conn).x.wt_x_tls_get_version(rawOf(conn).c);
const suiteOf = (conn: Connection) => rawOf(conn).x.wt_x_tls_get_suite(rawOf(conn).c);
const groupOf = (conn: Connection) => rawOf(conn).x.wt_x_tls_get_group(rawOf(conn).c);

/** wt_tls_ctx_set_versions (no TS option for it yet). */
function setVersions(ctx: TLSContext, min: number, max: number): void {
  const x = ctx.w.exports as unknown as Raw;
  expect(x.wt_x_tls_ctx_set_versions(ctx.ptr, min, max)).toBe(0);
}

const equal = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));

interface DialOpts {
  versions?: [number, number];
  session?: Uint8Array;
}

/** Dial 127.0.0.1:port as a client (our defaults: TLS 1.2 and 1.3 enabled). */
async function dial(port: number, opts: TLSContextOptions, d: DialOpts = {}) {
  const ctx = new TLSContext({ verify: 'insecure-no-chain-validation', ...opts });
  if (d.versions) setVersions(ctx, d.versions[0], d.versions[1]);
  const conn = new Connection(ctx);
  conn.setConnectState();
  conn.setServerName('localhost');
  if (d.session) conn.setSession(d.session);
  const sock = await connectRetry(port);
  const pump = new SocketPump(conn, sock);
  return {
    conn,
    pump,
    dispose() {
      sock.destroy();
      conn.dispose();
      ctx.dispose();
    },
  };
}

// ---- openssl s_server -tls1_2 ----------------------------------------------------------

async function withSServer(args: string[], body: (port: number, srv: Peer) => Promise<void>): Promise<void> {
  const port = await freePort();
  const srv = new Peer('openssl', ['s_server', '-accept', `127.0.0.1:${port}`, ...args]);
  try {
    await body(port, srv);
  } finally {
    srv.kill();
  }
}

const sserverCert = (k: 'ecdsa-p256' | 'rsa2048') => ['-cert', certs.server[k].certPath, '-key', certs.server[k].keyPath];

/** s_server's own view of the protocol: the session it prints (not
 * -quiet), decoded by `openssl sess_id` ("Protocol  : TLSv1.2"). */
async function sserverProtocol(srv: Peer): Promise<string> {
  await srv.waitFor('-----END SSL SESSION PARAMETERS-----');
  const out = srv.stdout.toString('latin1');
  const pem = `${out.slice(
    out.indexOf('-----BEGIN SSL SESSION PARAMETERS-----'),
    out.indexOf('-----END SSL SESSION PARAMETERS-----') + 36,
  )}\n`;
  const text = execFileSync('openssl', ['sess_id', '-noout', '-text'], { input: pem, encoding: 'utf8' });
  return /Protocol\s*:\s*(\S+)/.exec(text)?.[1] ?? '?';
}

/** 40 kB up (printed by s_server), 20 kB down (its stdin), compared. */
async function exchangeWithSServer(srv: Peer, pump: SocketPump, seed: number): Promise<void> {
  const up = payload(40_000, seed),
    down = payload(20_000, seed + 1);
  srv.write(down);
  await pump.writeAll(up);
  expect(equal(await pump.readExactly(down.length), down)).toBe(true);
  await srv.waitFor(up);
}

describe.skipIf(!OPENSSL)('openssl s_server -tls1_2 <- our client', () => {
  let seed = 12_000;
  for (const [name, code, , kind] of SUITES12) {
    for (const [group, , gcode] of GROUPS) {
      scenario('openssl s_server', name, group, kind, async () => {
        // Not -quiet: s_server then prints its view of the connection.
        await withSServer(['-tls1_2', '-naccept', '1', '-cipher', name, '-groups', group, ...sserverCert(kind)], async (port, srv) => {
          const d = await dial(port, {});
          try {
            await d.pump.handshake();
            expect(versionOf(d.conn)).toBe(0x0303);
            expect(suiteOf(d.conn)).toBe(code);
            expect(groupOf(d.conn)).toBe(gcode);
            await srv.waitFor(`CIPHER is ${name}`);
            expect(await sserverProtocol(srv)).toBe('TLSv1.2');
            await exchangeWithSServer(srv, d.pump, seed++);
            await d.pump.close();
          } finally {
            d.dispose();
          }
        });
      });
    }
  }

  for (const [mode, args] of [
    ['ticket', []],
    ['session ID (-no_ticket)', ['-no_ticket']],
  ] as [string, string[]][]) {
    scenario('openssl s_server', `resumption: ${mode}`, 'default', 'ecdsa-p256', async () => {
      await withSServer(['-tls1_2', '-naccept', '2', ...args, ...sserverCert('ecdsa-p256')], async (port, srv) => {
        const d1 = await dial(port, {});
        let session: Uint8Array | undefined;
        try {
          await d1.pump.handshake();
          expect(versionOf(d1.conn)).toBe(0x0303);
          expect(d1.conn.sessionReused).toBe(false);
          await exchangeWithSServer(srv, d1.pump, seed++);
          session = d1.conn.getSession();
          expect(session).toBeDefined();
          await d1.pump.close();
        } finally {
          d1.dispose();
        }
        expect(srv.stdout.toString('latin1')).not.toContain('Reused session-id');
        const d2 = await dial(port, {}, { session });
        try {
          await d2.pump.handshake();
          expect(versionOf(d2.conn)).toBe(0x0303);
          expect(d2.conn.sessionReused).toBe(true);
          await srv.waitFor('Reused session-id');
          await exchangeWithSServer(srv, d2.pump, seed++);
        } finally {
          d2.dispose();
        }
      });
    });
  }

  for (const [kind, sig] of [
    ['ecdsa-p256', 'ECDSA'],
    ['rsa2048', 'RSA'],
  ] as ['ecdsa-p256' | 'rsa2048', string][]) {
    scenario('openssl s_server', `client certificate (-Verify 1), ours ${sig}`, 'default', 'ecdsa-p256', async () => {
      const cc = kind === 'rsa2048' ? clientRsa : certs.client;
      await withSServer(
        ['-tls1_2', '-naccept', '1', '-Verify', '1', '-CAfile', cc.certPath, '-verify_return_error', ...sserverCert('ecdsa-p256')],
        async (port, srv) => {
          const d = await dial(port, { cert: cc.certPem, key: cc.keyPem });
          try {
            await d.pump.handshake();
            expect(versionOf(d.conn)).toBe(0x0303);
            await exchangeWithSServer(srv, d.pump, seed++);
            // s_server prints the client certificate it verified.
            await srv.waitFor(cc.certPem.split('\n')[1]);
            expect(srv.stderr).not.toMatch(/verify error/);
          } finally {
            d.dispose();
          }
        },
      );
    });
  }

  scenario('openssl s_server', 'client certificate required, we have none', 'default', 'ecdsa-p256', async () => {
    await withSServer(
      ['-tls1_2', '-naccept', '1', '-Verify', '1', '-CAfile', certs.client.certPath, ...sserverCert('ecdsa-p256')],
      async (port, srv) => {
        const d = await dial(port, {});
        try {
          // In TLS 1.2 the client's Finished goes first: the refusal comes
          // as the server's alert (RFC 5246 7.4.6: handshake_failure).
          const e = await d.pump
            .handshake()
            .then(() => d.pump.readExactly(1))
            .then(
              () => undefined,
              (x: unknown) => x,
            );
          expect(e).toBeInstanceOf(Error);
          const err = e as { alert?: number; alertDirection?: string; message: string };
          expect(err.alertDirection).toBe('received');
          expect(err.alert).toBe(40);
          expect(err.message).toMatch(/handshake_failure/);
          await srv.waitFor('peer did not return a certificate', 10_000, 'stderr');
        } finally {
          d.dispose();
        }
      },
    );
  });

  // The same through connect() over the node-socket adapter, with the
  // session handed out by onSession and given back as `session`; the
  // server's certificate validated (ca, servername).
  for (const [mode, args] of [
    ['ticket', []],
    ['session ID (-no_ticket)', ['-no_ticket']],
  ] as [string, string[]][]) {
    scenario('openssl s_server', `connect() API: resumption, ${mode}`, 'default', 'rsa2048', async () => {
      await withSServer(['-tls1_2', '-naccept', '2', ...args, ...sserverCert('rsa2048')], async (port, srv) => {
        const sessions: Uint8Array[] = [];
        const open = async (session?: Uint8Array) => {
          const transport = fromNodeSocket(await connectRetry(port));
          return tlsConnect({
            transport,
            servername: 'localhost',
            ca: certs.server.rsa2048.certPem,
            session,
            onSession: (x) => sessions.push(x),
          });
        };
        const talk = async (t: TLSSocket, s: number) => {
          const up = payload(20_000, s),
            down = payload(10_000, s + 1);
          srv.write(down);
          const w = t.writable.getWriter();
          await w.write(up);
          const r = t.readable.getReader();
          const got: Uint8Array[] = [];
          let n = 0;
          while (n < down.length) {
            const { value, done } = await r.read();
            if (done) break;
            got.push(value);
            n += value.length;
          }
          expect(Buffer.concat(got).equals(down)).toBe(true);
          await srv.waitFor(up);
          r.releaseLock();
          w.releaseLock();
        };
        const t1 = await open();
        const i1 = await t1.opened;
        expect(i1.authorized).toBe(true);
        expect(versionOf(t1.connection)).toBe(0x0303);
        expect(t1.connection.sessionReused).toBe(false);
        await talk(t1, seed++);
        expect(sessions.length).toBe(1);
        await t1.close();
        expect(srv.stdout.toString('latin1')).not.toContain('Reused session-id');
        const t2 = await open(sessions[0]);
        await t2.opened;
        expect(versionOf(t2.connection)).toBe(0x0303);
        expect(t2.connection.sessionReused).toBe(true);
        await srv.waitFor('Reused session-id');
        await talk(t2, seed++);
        await t2.close();
      });
    });
  }

  scenario('openssl s_server', 'renegotiation (HelloRequest) refused', 'default', 'ecdsa-p256', async () => {
    await withSServer(['-tls1_2', '-naccept', '1', ...sserverCert('ecdsa-p256')], async (port, srv) => {
      const d = await dial(port, {});
      try {
        await d.pump.handshake();
        await exchangeWithSServer(srv, d.pump, seed++);
        const before = d.pump.bytesIn;
        srv.write('R\n');
        await d.pump.waitBytesIn(before); // the HelloRequest reached us
        // Reading it makes us answer with a no_renegotiation warning
        // (RFC 5746 4.2 / RFC 5246 7.4.1.1); OpenSSL 3.0 as a server takes
        // that as the end of the connection ("no renegotiation"),
        // sends handshake_failure, and says so on its stderr.
        const r = await d.pump.readToEnd();
        expect(r.data.length).toBe(0);
        await srv.waitFor('no renegotiation', 10_000, 'stderr');
        // The warning-level alert's reason (a fatal one would read "tlsv1 alert ...").
        expect(srv.stderr).toMatch(/SSL routines:[a-z0-9_]*:no renegotiation/);
        const err = d.conn.error as { alert?: number; alertDirection?: string } | undefined;
        expect(err?.alertDirection).toBe('received');
        expect(err?.alert).toBe(40);
      } finally {
        d.dispose();
      }
    });
  });

  scenario('openssl s_server', 'version: default client vs -tls1_3', 'default', 'ecdsa-p256', async () => {
    await withSServer(['-tls1_3', '-naccept', '1', ...sserverCert('ecdsa-p256')], async (port, srv) => {
      const d = await dial(port, {});
      try {
        await d.pump.handshake();
        expect(versionOf(d.conn)).toBe(0x0304);
        expect(await sserverProtocol(srv)).toBe('TLSv1.3');
        await exchangeWithSServer(srv, d.pump, seed++);
      } finally {
        d.dispose();
      }
    });
  });

  scenario('openssl s_server', 'version: default client vs -tls1_2', 'default', 'ecdsa-p256', async () => {
    await withSServer(['-tls1_2', '-naccept', '1', ...sserverCert('ecdsa-p256')], async (port, srv) => {
      const d = await dial(port, {});
      try {
        await d.pump.handshake();
        expect(versionOf(d.conn)).toBe(0x0303);
        expect(await sserverProtocol(srv)).toBe('TLSv1.2');
        await exchangeWithSServer(srv, d.pump, seed++);
      } finally {
        d.dispose();
      }
    });
  });

  scenario('openssl s_server', 'version: our max TLSv1.2 vs -tls1_3', 'default', 'ecdsa-p256', async () => {
    await withSServer(['-tls1_3', '-naccept', '1', ...sserverCert('ecdsa-p256')], async (port, srv) => {
      const d = await dial(port, {}, { versions: [0x0303, 0x0303] });
      try {
        const e = await d.pump.handshake().then(
          () => undefined,
          (x: unknown) => x,
        );
        expect(e).toBeInstanceOf(Error);
        const err = e as { alert?: number; alertDirection?: string; message: string };
        expect(err.alertDirection).toBe('received');
        expect(err.alert).toBe(70);
        expect(err.message).toMatch(/protocol_version/);
        await srv.waitFor('unsupported protocol', 10_000, 'stderr');
      } finally {
        d.dispose();
      }
    });
  });
});

// ---- gnutls-serv, TLS 1.2 only ------------------------------------------------------------

describe.skipIf(!GNUTLS)('gnutls-serv (TLS 1.2 only) <- our client', () => {
  let seed = 13_000;
  const cases: [string, number, string, 'ecdsa-p256' | 'rsa2048', [string, string, number]][] = [];
  for (const [name, code, gname, kind] of SUITES12) cases.push([name, code, gname, kind, GROUPS[0]]);
  for (const g of GROUPS.slice(1))
    cases.push([...SUITES12[0].slice(0, 4), g] as (typeof cases)[0], [...SUITES12[4].slice(0, 4), g] as (typeof cases)[0]);
  for (const [name, code, gname, kind, [group, ggroup, gcode]] of cases) {
    scenario('gnutls-serv', name, group, kind, async () => {
      const port = await freePort();
      const kx = kind === 'rsa2048' ? 'ECDHE-RSA' : 'ECDHE-ECDSA';
      const srv = new Peer('gnutls-serv', [
        '--echo',
        '-p',
        String(port),
        '--x509certfile',
        certs.server[kind].certPath,
        '--x509keyfile',
        certs.server[kind].keyPath,
        '--priority',
        `NORMAL:-VERS-ALL:+VERS-TLS1.2:-CIPHER-ALL:+${gname}:-KX-ALL:+${kx}:-GROUP-ALL:+${ggroup}`,
      ]);
      try {
        const d = await dial(port, {});
        try {
          await d.pump.handshake();
          expect(versionOf(d.conn)).toBe(0x0303);
          expect(suiteOf(d.conn)).toBe(code);
          expect(groupOf(d.conn)).toBe(gcode);
          // Echo: what goes up comes back (complete lines: every size ends one).
          for (const n of [40_000, 64, 16_384]) {
            const up = payload(n, seed++);
            await d.pump.writeAll(up);
            expect(equal(await d.pump.readExactly(up.length), up)).toBe(true);
          }
          await d.pump.close();
        } finally {
          d.dispose();
        }
      } finally {
        srv.kill();
      }
    });
  }
});

// ---- Node tls.createServer({ maxVersion: 'TLSv1.2' }) ----------------------------------------

describe('node tls server (maxVersion TLSv1.2) <- our client', () => {
  let seed = 14_000;
  const cases: [string, number, string, 'ecdsa-p256' | 'rsa2048'][] = [];
  for (const [name, code, , kind] of SUITES12) cases.push([name, code, GROUPS[0][0], kind]);
  cases.push([SUITES12[0][0], SUITES12[0][1], 'P-256', 'ecdsa-p256'], [SUITES12[4][0], SUITES12[4][1], 'P-384', 'rsa2048']);
  for (const [name, code, group, kind] of cases) {
    scenario('node tls', `${name} (+keylog)`, group, kind, async () => {
      const serverLines: Buffer[] = [];
      const ourLines: string[] = [];
      const seen: { protocol?: string | null; cipher?: string } = {};
      const up = payload(30_000, seed++),
        down = payload(20_000, seed++);
      const server = tls.createServer(
        {
          key: certs.server[kind].keyPem,
          cert: certs.server[kind].certPem,
          maxVersion: 'TLSv1.2',
          ciphers: name,
          ecdhCurve: group,
        },
        (s) => {
          seen.protocol = s.getProtocol();
          seen.cipher = s.getCipher().name;
          const got: Buffer[] = [];
          let n = 0;
          s.on('data', (b: Buffer) => {
            got.push(b);
            n += b.length;
            if (n === up.length) {
              // Echo only after the whole upload, so the check is bytes, not timing.
              if (Buffer.concat(got).equals(up)) s.write(down);
              else s.destroy();
            }
          });
          s.on('error', () => {});
        },
      );
      server.on('keylog', (line) => serverLines.push(line));
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      try {
        const port = (server.address() as AddressInfo).port;
        const d = await dial(port, { keylog: (line) => ourLines.push(line) });
        try {
          await d.pump.handshake();
          expect(versionOf(d.conn)).toBe(0x0303);
          expect(suiteOf(d.conn)).toBe(code);
          await d.pump.writeAll(up);
          expect(equal(await d.pump.readExactly(down.length), down)).toBe(true);
          expect(seen.protocol).toBe('TLSv1.2');
          expect(seen.cipher).toBe(name);
          // The master secret: Node's (OpenSSL's) line for this connection
          // is the same as ours, byte for byte.
          expect(ourLines.length).toBe(1);
          expect(ourLines[0]).toMatch(/^CLIENT_RANDOM [0-9a-f]{64} [0-9a-f]{96}\n$/);
          expect(serverLines.map((b) => b.toString('latin1'))).toEqual(ourLines);
          await d.pump.close();
        } finally {
          d.dispose();
        }
      } finally {
        server.close();
      }
    });
  }
});
