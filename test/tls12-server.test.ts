/**
 * Our TLS 1.2 server (crypto-src/tls/hs12_server.c; RFC 5246 with the
 * ECDHE + AEAD suites of RFC 8422 / RFC 5289 / RFC 7905, RFC 7627 EMS,
 * RFC 5746, RFC 7507, RFC 5077 tickets) against real TLS 1.2 clients on
 * 127.0.0.1, started here: `openssl s_client -tls1_2`, Node
 * `tls.connect({ maxVersion: 'TLSv1.2' })` and `gnutls-cli` with TLS 1.2
 * only. The peers' own reports (protocol, suite, temporary key, "Reused")
 * are the oracle; application data is checked both ways byte for byte.
 *
 * Our context keeps its defaults (TLS 1.2 and 1.3 on): the clients here
 * offer 1.2 only, so the server picks 1.2 and marks its random with the
 * RFC 8446 4.1.3 downgrade sentinel, which these clients (offering no 1.3)
 * must ignore.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import * as tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TLSContext, type TLSContextOptions } from '../ts/core/connection.js';
import { TLSError } from '../ts/core/errors.js';
import { useBuild } from './helpers/env.js';
import { listenTls, type SocketPump } from './helpers/netpump.js';
import { have, payload, Peer } from './helpers/peers.js';
import { makeTestCerts, type KeyKind, type TestCerts } from './helpers/tls-certs.js';

useBuild('simd');
let certs: TestCerts;
beforeAll(async () => {
  certs = await makeTestCerts();
}, 60_000);
afterAll(() => certs?.dispose());

const OPENSSL = have('openssl', ['version']);
const GNUTLS = have('gnutls-cli', ['--version']);
const equal = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));

// RFC 5289 / RFC 7905 code points, OpenSSL's and Node's (IANA) names.
const ECDSA_SUITES: [string, string][] = [
  ['ECDHE-ECDSA-AES128-GCM-SHA256', 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256'],
  ['ECDHE-ECDSA-AES256-GCM-SHA384', 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384'],
  ['ECDHE-ECDSA-CHACHA20-POLY1305', 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256'],
];
const RSA_SUITES: [string, string][] = [
  ['ECDHE-RSA-AES128-GCM-SHA256', 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256'],
  ['ECDHE-RSA-AES256-GCM-SHA384', 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384'],
  ['ECDHE-RSA-CHACHA20-POLY1305', 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256'],
];
// Our group name, OpenSSL's -groups name, what s_client prints as the
// "Server Temp Key", Node's ecdhCurve / getEphemeralKeyInfo name.
const GROUPS: [string, string, string, string][] = [
  ['x25519', 'X25519', 'X25519, 253 bits', 'X25519'],
  ['secp256r1', 'P-256', 'ECDH, prime256v1, 256 bits', 'prime256v1'],
  ['secp384r1', 'P-384', 'ECDH, secp384r1, 384 bits', 'secp384r1'],
];

// ---- the matrix (printed with its counts once the file has run) -------------
interface Row {
  peer: string;
  suite: string;
  group: string;
  cert: string;
  result: 'ok' | 'FAIL';
}
const rows: Row[] = [];
afterAll(() => {
  if (rows.length === 0) return;
  const cols: (keyof Row)[] = ['peer', 'suite', 'group', 'cert', 'result'];
  const w = cols.map((c) => Math.max(c.length, ...rows.map((r) => r[c].length)));
  const line = (v: string[]) => v.map((s, i) => s.padEnd(w[i])).join('  ');
  const ok = rows.filter((r) => r.result === 'ok').length;
  console.log(
    [
      '',
      'TLS 1.2 server interop matrix (TLS 1.2 clients -> our server on 127.0.0.1; bytes compared both ways)',
      line(cols),
      line(w.map((n) => '-'.repeat(n))),
      ...rows.map((r) => line(cols.map((c) => r[c]))),
      '',
      `${ok}/${rows.length} passed`,
    ].join('\n'),
  );
});
/** A matrix cell: the row is 'ok' only when the body completed. */
function cell(peer: string, suite: string, group: string, cert: string, body: () => Promise<void>): () => Promise<void> {
  const row: Row = { peer, suite, group, cert, result: 'FAIL' };
  return async () => {
    rows.push(row);
    await body();
    row.result = 'ok';
  };
}

function listen(opts: TLSContextOptions, kind: KeyKind = 'ecdsa-p256') {
  const cert = certs.server[kind];
  return listenTls(new TLSContext({ cert: cert.certPem, key: cert.keyPem, ...opts }));
}

async function withSClient(port: number, args: string[], body: (cli: Peer) => Promise<void>): Promise<void> {
  const cli = new Peer('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-tls1_2', '-servername', 'localhost', ...args]);
  try {
    await body(cli);
  } finally {
    cli.kill();
  }
}

/** 40 kB up (the client's stdin), 20 kB down (its stdout). */
async function exchange(cli: Peer, pump: SocketPump, seed: number, up: Buffer): Promise<void> {
  const down = payload(20_000, seed + 1);
  expect(equal(await pump.readExactly(up.length), up)).toBe(true);
  await pump.writeAll(down);
  await cli.waitFor(down);
}

/** The handshake fails on our side: the TLSError it ends with. */
async function handshakeError(pump: SocketPump): Promise<TLSError> {
  try {
    await pump.handshake();
  } catch (e) {
    if (e instanceof TLSError) return e;
    throw e;
  }
  throw new Error('the handshake succeeded');
}

describe.skipIf(!OPENSSL)('openssl s_client -tls1_2 -> our server', () => {
  let seed = 12_000;
  const matrix: [KeyKind, [string, string][]][] = [
    ['ecdsa-p256', ECDSA_SUITES],
    ['rsa2048', RSA_SUITES],
  ];
  for (const [kind, suites] of matrix) {
    for (const [osslSuite] of suites) {
      for (const [ours, theirs, temp] of GROUPS) {
        it(
          `${osslSuite} ${theirs} ${kind}`,
          cell('openssl s_client', osslSuite, theirs, kind, async () => {
            // RFC 8422 5.3: the client's groups must hold the curve of an
            // ECDSA certificate too; our server is held to the group tested.
            const l = await listen({ groups: [ours] }, kind);
            const groups = kind === 'ecdsa-p256' && theirs !== 'P-256' ? `${theirs}:P-256` : theirs;
            try {
              await withSClient(l.port, ['-brief', '-cipher', osslSuite, '-groups', groups], async (cli) => {
                const s = seed++,
                  up = payload(40_000, s);
                cli.write(up);
                const { conn, pump } = await l.accept();
                await pump.handshake();
                expect(conn.group).toBe(ours);
                expect(conn.serverName).toBe('localhost');
                await exchange(cli, pump, s, up);
                await cli.waitFor('Server Temp Key', 10_000, 'stderr');
                expect(cli.stderr).toContain('Protocol version: TLSv1.2');
                expect(cli.stderr).toContain(`Ciphersuite: ${osslSuite}`);
                expect(cli.stderr).toContain(`Server Temp Key: ${temp}`);
                await pump.close();
                await cli.waitExit();
              });
            } finally {
              l.dispose();
            }
          }),
          30_000,
        );
      }
    }
  }

  // Certificates of the other kinds, each with the ECDSA suites (RFC 8422
  // 2: ECDSA suites also carry EdDSA), and RSASSA-PKCS1-v1_5 when that is
  // all the client accepts (RFC 5246 7.4.1.4.1).
  const others: [KeyKind, string[], string][] = [
    ['ecdsa-p384', [], 'Signature type: ECDSA'],
    ['ed25519', [], 'Signature type: ed25519'],
    ['rsa2048', ['-sigalgs', 'RSA+SHA256'], 'Signature type: RSA\n'],
    ['rsa2048', [], 'Signature type: RSA-PSS'],
  ];
  for (const [kind, extra, sigtype] of others) {
    it(`${kind} certificate ${extra.join(' ')}`, async () => {
      const l = await listen({}, kind);
      try {
        await withSClient(l.port, ['-brief', ...extra], async (cli) => {
          const s = seed++,
            up = payload(40_000, s);
          cli.write(up);
          const { pump } = await l.accept();
          await pump.handshake();
          await exchange(cli, pump, s, up);
          await cli.waitFor('Server Temp Key', 10_000, 'stderr');
          expect(cli.stderr).toContain('Protocol version: TLSv1.2');
          expect(cli.stderr).toContain(sigtype);
        });
      } finally {
        l.dispose();
      }
    }, 30_000);
  }

  it('ECDSA P-256 certificate, client groups without P-256: handshake_failure (RFC 8422 5.3)', async () => {
    const l = await listen({}, 'ecdsa-p256');
    try {
      await withSClient(l.port, ['-groups', 'X25519:P-384'], async (cli) => {
        const { pump } = await l.accept();
        const e = await handshakeError(pump);
        expect(e.alert).toBe(40);
        expect(e.alertDirection).toBe('sent');
        expect(e.reasonCode).toBe(45); // WT_TLS_R_NO_SHARED_SUITE
        await cli.waitExit();
        expect(cli.stderr).toMatch(/handshake failure/);
      });
    } finally {
      l.dispose();
    }
  }, 30_000);

  it('extended master secret negotiated (RFC 7627), downgrade sentinel in our random (RFC 8446 4.1.3)', async () => {
    const l = await listen({});
    try {
      await withSClient(l.port, ['-msg'], async (cli) => {
        const { pump } = await l.accept();
        await pump.handshake();
        await cli.waitFor('Extended master secret: yes');
        // -msg dumps the ServerHello: 02 len(3) 03 03 random(32); the
        // random's last 8 bytes are "DOWNGRD\x01".
        const text = cli.stdout.toString('latin1');
        const m = text.match(/<<< TLS 1\.2, Handshake \[length [0-9a-f]+\], ServerHello\n((?:\s+(?:[0-9a-f]{2} ?)+\n)+)/);
        expect(m, text.slice(0, 3000)).not.toBeNull();
        const bytes = Buffer.from(m![1].replace(/\s+/g, ''), 'hex');
        expect(bytes.subarray(0, 6).toString('hex')).toMatch(/^02[0-9a-f]{6}0303$/);
        expect(bytes.subarray(6 + 24, 6 + 32).toString('latin1')).toBe('DOWNGRD\x01');
      });
    } finally {
      l.dispose();
    }
  }, 30_000);

  it('-fallback_scsv: inappropriate_fallback (RFC 7507 3)', async () => {
    const l = await listen({});
    try {
      await withSClient(l.port, ['-fallback_scsv'], async (cli) => {
        const { pump } = await l.accept();
        const e = await handshakeError(pump);
        expect(e.alert).toBe(86);
        expect(e.alertDirection).toBe('sent');
        expect(e.reasonCode).toBe(76); // WT_TLS_R_INAPPROPRIATE_FALLBACK
        await cli.waitExit();
        expect(cli.stderr).toMatch(/inappropriate fallback/);
      });
    } finally {
      l.dispose();
    }
  }, 30_000);

  it('client certificate required, given (CertificateVerify checked)', async () => {
    const seen: Uint8Array[][] = [];
    const l = await listen({ verify: 'external', onVerify: (chain) => (seen.push(chain), 0), clientCert: 'require' });
    try {
      await withSClient(l.port, ['-brief', '-cert', certs.client.certPath, '-key', certs.client.keyPath], async (cli) => {
        const s = seed++,
          up = payload(40_000, s);
        cli.write(up);
        const { conn, pump } = await l.accept();
        await pump.handshake();
        expect(conn.peerAuthenticated).toBe(true);
        expect(equal(seen[0][0], certs.client.certDer)).toBe(true);
        await exchange(cli, pump, s, up);
        expect(cli.stderr).toContain('Protocol version: TLSv1.2');
      });
    } finally {
      l.dispose();
    }
  }, 30_000);

  // The scheme of the client's CertificateVerify, as a number: the TS name
  // table has no rsa_pkcs1_* names (TLS 1.3 has no use for them).
  const peerSigalg = (conn: unknown): number => {
    const c = conn as { x: { wt_x_tls_get_peer_sigalg(h: number): number }; live(): number };
    return c.x.wt_x_tls_get_peer_sigalg(c.live());
  };
  const clientKeys: [KeyKind, string[], number][] = [
    // TLS 1.2's ecdsa_secp256r1_sha256 is {sha256, ecdsa}, any curve
    // (RFC 5246 7.4.1.4.1): first in our list, so OpenSSL takes it.
    ['ecdsa-p384', [], 0x0403],
    ['rsa2048', [], 0x0804],
    ['rsa2048', ['-sigalgs', 'RSA+SHA256'], 0x0401],
    ['rsa2048', ['-sigalgs', 'RSA+SHA384'], 0x0501],
  ];
  for (const [kind, extra, scheme] of clientKeys) {
    it(`client certificate ${kind} ${extra.join(' ')}: CertificateVerify 0x${scheme.toString(16)}`, async () => {
      // -sigalgs binds the server's signature too: an RSA server then.
      const l = await listen({ verify: 'external', onVerify: () => 0, clientCert: 'require' }, 'rsa2048');
      try {
        const k = certs.server[kind];
        await withSClient(l.port, ['-brief', '-cert', k.certPath, '-key', k.keyPath, ...extra], async (cli) => {
          const s = seed++,
            up = payload(4000, s);
          cli.write(up);
          const { conn, pump } = await l.accept();
          await pump.handshake();
          expect(conn.peerAuthenticated).toBe(true);
          expect(peerSigalg(conn)).toBe(scheme);
          await exchange(cli, pump, s, up);
        });
      } finally {
        l.dispose();
      }
    }, 30_000);
  }

  it('client certificate required, none given: handshake_failure (RFC 5246 7.4.6)', async () => {
    const l = await listen({ verify: 'external', onVerify: () => 0, clientCert: 'require' });
    try {
      await withSClient(l.port, [], async (cli) => {
        const { conn, pump } = await l.accept();
        const e = await handshakeError(pump);
        expect(e.alert).toBe(40);
        expect(e.alertDirection).toBe('sent');
        expect(conn.peerAuthenticated).toBe(false);
        await cli.waitExit();
        expect(cli.stderr).toMatch(/handshake failure/);
      });
    } finally {
      l.dispose();
    }
  }, 30_000);

  it('client certificate requested, none given: the handshake goes on', async () => {
    const l = await listen({ verify: 'external', onVerify: () => 0, clientCert: 'request' });
    try {
      await withSClient(l.port, ['-brief'], async (cli) => {
        const s = seed++,
          up = payload(4000, s);
        cli.write(up);
        const { conn, pump } = await l.accept();
        await pump.handshake();
        expect(conn.peerAuthenticated).toBe(false);
        await exchange(cli, pump, s, up);
      });
    } finally {
      l.dispose();
    }
  }, 30_000);

  it('ticket resumption: -sess_out, then -sess_in (RFC 5077)', async () => {
    const l = await listen({ ticketKey: new Uint8Array(32).fill(12) });
    const sess = join(certs.dir, 'sess12.pem');
    try {
      await withSClient(l.port, ['-sess_out', sess], async (cli) => {
        const s = seed++,
          up = payload(4000, s);
        cli.write(up);
        const { conn, pump } = await l.accept();
        await pump.handshake();
        expect(conn.sessionReused).toBe(false);
        await exchange(cli, pump, s, up);
        await cli.waitFor('New, TLSv1.2');
        expect(cli.stdout.toString('latin1')).toMatch(/TLS session ticket lifetime hint: 7200/);
        await pump.close();
        await cli.waitExit();
      });
      await withSClient(l.port, ['-sess_in', sess], async (cli) => {
        const s = seed++,
          up = payload(4000, s);
        cli.write(up);
        const { conn, pump } = await l.accept();
        await pump.handshake();
        expect(conn.sessionReused).toBe(true);
        await exchange(cli, pump, s, up);
        await cli.waitFor('Reused, TLSv1.2');
      });
      // Another key cannot open the ticket: a full handshake.
      const l2 = await listen({ ticketKey: new Uint8Array(32).fill(13) });
      try {
        await withSClient(l2.port, ['-sess_in', sess], async (cli) => {
          const s = seed++,
            up = payload(4000, s);
          cli.write(up);
          const { conn, pump } = await l2.accept();
          await pump.handshake();
          expect(conn.sessionReused).toBe(false);
          await exchange(cli, pump, s, up);
          await cli.waitFor('New, TLSv1.2');
        });
      } finally {
        l2.dispose();
      }
    } finally {
      l.dispose();
    }
  }, 60_000);

  it('-reconnect: five resumptions by ticket', async () => {
    const l = await listen({ ticketKey: new Uint8Array(32).fill(14) });
    try {
      await withSClient(l.port, ['-reconnect'], async (cli) => {
        const reused: boolean[] = [];
        for (let i = 0; i < 6; i++) {
          const { conn, pump } = await l.accept();
          await pump.handshake();
          reused.push(conn.sessionReused);
        }
        expect(reused).toEqual([false, true, true, true, true, true]);
        const count = () => cli.stdout.toString('latin1').match(/Reused, TLSv1\.2/g)?.length ?? 0;
        const t0 = Date.now();
        while (count() < 5 && Date.now() - t0 < 10_000) await new Promise((r) => setTimeout(r, 20));
        expect(count()).toBe(5);
        expect(cli.stdout.toString('latin1').match(/^New, TLSv1\.2/gm)?.length).toBe(1);
      });
    } finally {
      l.dispose();
    }
  }, 60_000);

  it('-reconnect -no_ticket: no resumption (we keep no session cache)', async () => {
    const l = await listen({ ticketKey: new Uint8Array(32).fill(15) });
    try {
      await withSClient(l.port, ['-reconnect', '-no_ticket'], async (cli) => {
        const reused: boolean[] = [];
        for (let i = 0; i < 6; i++) {
          const { conn, pump } = await l.accept();
          await pump.handshake();
          reused.push(conn.sessionReused);
        }
        expect(reused).toEqual([false, false, false, false, false, false]);
        const count = () => cli.stdout.toString('latin1').match(/^New, TLSv1\.2/gm)?.length ?? 0;
        const t0 = Date.now();
        while (count() < 6 && Date.now() - t0 < 10_000) await new Promise((r) => setTimeout(r, 20));
        expect(count()).toBe(6);
        expect(cli.stdout.toString('latin1')).not.toMatch(/Reused, /);
      });
    } finally {
      l.dispose();
    }
  }, 60_000);

  it('renegotiation (R): refused with a no_renegotiation warning (RFC 5746 4.4)', async () => {
    const l = await listen({});
    try {
      await withSClient(l.port, ['-brief'], async (cli) => {
        const s = seed++,
          up = payload(4000, s);
        cli.write(up);
        const { pump } = await l.accept();
        await pump.handshake();
        await exchange(cli, pump, s, up);
        // Our side reads: it takes the renegotiating ClientHello (post.c)
        // and answers no_renegotiation.
        const read = pump.readExactly(1).then(
          () => undefined,
          (x: unknown) => x,
        );
        cli.write('R\n');
        await cli.waitFor('RENEGOTIATING', 10_000, 'stderr');
        // OpenSSL ends a renegotiation it asked for that the peer refuses
        // (rec_layer_s3.c: "Terminate with a fatal alert because if
        // application tried to renegotiate it presumably had a good
        // reason"): its error names our warning; its alert ends ours.
        await cli.waitFor('no renegotiation', 10_000, 'stderr');
        const e = await read;
        expect(e).toBeInstanceOf(TLSError);
        expect((e as TLSError).alertDirection).toBe('received');
        expect((e as TLSError).alert).toBe(40);
      });
    } finally {
      l.dispose();
    }
  }, 30_000);
});

describe('Node tls.connect({ maxVersion: TLSv1.2 }) -> our server', () => {
  let seed = 13_000;
  async function nodeClient(port: number, opts: tls.ConnectionOptions) {
    const sock = tls.connect({
      host: '127.0.0.1',
      port,
      servername: 'localhost',
      rejectUnauthorized: false,
      maxVersion: 'TLSv1.2',
      ...opts,
    });
    const secure = new Promise<void>((r, j) => {
      sock.once('secureConnect', r);
      sock.once('error', j);
    });
    const chunks: Buffer[] = [];
    sock.on('data', (d: Buffer) => chunks.push(d));
    sock.on('error', () => {});
    return { sock, secure, got: () => Buffer.concat(chunks) };
  }
  const matrix: [KeyKind, [string, string][]][] = [
    ['ecdsa-p256', ECDSA_SUITES],
    ['rsa2048', RSA_SUITES],
  ];
  for (const [kind, suites] of matrix) {
    for (const [osslSuite, iana] of suites) {
      for (const [ours, , , nodeCurve] of GROUPS) {
        it(
          `${iana} ${nodeCurve} ${kind}`,
          cell('Node tls', osslSuite, nodeCurve, kind, async () => {
            const l = await listen({ alpn: ['http/1.1'], groups: [ours] }, kind);
            const curves = kind === 'ecdsa-p256' && nodeCurve !== 'prime256v1' ? `${nodeCurve}:prime256v1` : nodeCurve;
            const n = await nodeClient(l.port, { ciphers: osslSuite, ecdhCurve: curves, ALPNProtocols: ['h2', 'http/1.1'] });
            try {
              const { conn, pump } = await l.accept();
              await pump.handshake();
              await n.secure;
              expect(n.sock.getProtocol()).toBe('TLSv1.2');
              expect(n.sock.getCipher().standardName).toBe(iana);
              expect(n.sock.getEphemeralKeyInfo()).toMatchObject({ name: nodeCurve });
              expect(n.sock.alpnProtocol).toBe('http/1.1');
              expect(conn.group).toBe(ours);
              expect(conn.alpnProtocol).toBe('http/1.1');
              const up = payload(30_000, seed++),
                down = payload(20_000, seed++);
              n.sock.write(up);
              expect(equal(await pump.readExactly(up.length), up)).toBe(true);
              await pump.writeAll(down);
              const t0 = Date.now();
              while (n.got().length < down.length && Date.now() - t0 < 10_000) await new Promise((r) => setTimeout(r, 10));
              expect(equal(n.got(), down)).toBe(true);
            } finally {
              n.sock.destroy();
              l.dispose();
            }
          }),
          30_000,
        );
      }
    }
  }

  it("key log: our CLIENT_RANDOM line is Node's (the EMS master secret), full and resumed", async () => {
    const ours: string[] = [];
    const l = await listen({ ticketKey: new Uint8Array(32).fill(22), keylog: (line) => ours.push(line) });
    try {
      const theirs: string[] = [];
      const a = await nodeClient(l.port, {});
      a.sock.on('keylog', (line: Buffer) => theirs.push(line.toString('latin1')));
      const session = new Promise<Buffer>((r) => a.sock.once('session', r));
      const first = await l.accept();
      await first.pump.handshake();
      await a.secure;
      const sess = await session;
      a.sock.destroy();
      const b = await nodeClient(l.port, { session: sess });
      b.sock.on('keylog', (line: Buffer) => theirs.push(line.toString('latin1')));
      const second = await l.accept();
      await second.pump.handshake();
      await b.secure;
      expect(b.sock.isSessionReused()).toBe(true);
      b.sock.destroy();
      // Node logs a resumed TLS 1.2 session's line too (OpenSSL's
      // ssl_log_secret at the key derivation).
      expect(ours.length).toBe(2);
      expect(ours.every((x) => /^CLIENT_RANDOM [0-9a-f]{64} [0-9a-f]{96}\n$/.test(x))).toBe(true);
      expect(ours).toEqual(theirs);
      // Same master secret, other client randoms.
      expect(ours[0].split(' ')[2]).toBe(ours[1].split(' ')[2]);
      expect(ours[0].split(' ')[1]).not.toBe(ours[1].split(' ')[1]);
    } finally {
      l.dispose();
    }
  }, 30_000);

  it('ticket resumption (session event, then session option)', async () => {
    const l = await listen({ ticketKey: new Uint8Array(32).fill(21) });
    try {
      const a = await nodeClient(l.port, {});
      const session = new Promise<Buffer>((r) => a.sock.once('session', r));
      const first = await l.accept();
      await first.pump.handshake();
      await a.secure;
      expect(a.sock.isSessionReused()).toBe(false);
      const sess = await session;
      a.sock.destroy();
      const b = await nodeClient(l.port, { session: sess });
      const second = await l.accept();
      await second.pump.handshake();
      await b.secure;
      expect(b.sock.isSessionReused()).toBe(true);
      expect(second.conn.sessionReused).toBe(true);
      const up = payload(5000, seed++);
      b.sock.write(up);
      expect(equal(await second.pump.readExactly(up.length), up)).toBe(true);
      b.sock.destroy();
    } finally {
      l.dispose();
    }
  }, 30_000);
});

describe.skipIf(!GNUTLS)('gnutls-cli TLS 1.2 only -> our server', () => {
  let seed = 14_000;
  for (const kind of ['ecdsa-p256', 'rsa2048'] as KeyKind[]) {
    it(
      `NORMAL:-VERS-ALL:+VERS-TLS1.2 ${kind}`,
      cell('gnutls-cli', 'NORMAL (its choice)', 'X25519', kind, async () => {
        const l = await listen({}, kind);
        const cli = new Peer('gnutls-cli', [
          '--insecure',
          '--priority',
          'NORMAL:-VERS-ALL:+VERS-TLS1.2',
          '-p',
          String(l.port),
          '127.0.0.1',
        ]);
        try {
          const s = seed++,
            up = payload(4000, s);
          cli.write(up);
          const { pump } = await l.accept();
          await pump.handshake();
          await exchange(cli, pump, s, up);
          expect(cli.stdout.toString('latin1')).toMatch(/Description: \(TLS1\.2-X\.509\)-\(ECDHE-X25519\)/);
          expect(cli.stdout.toString('latin1')).toMatch(/Options: extended master secret, safe renegotiation/);
        } finally {
          cli.kill();
          l.dispose();
        }
      }),
      30_000,
    );
  }
});

describe.skipIf(!GNUTLS)('gnutls-cli --resume (TLS 1.2) -> our server', () => {
  it('the second connection resumes by ticket', async () => {
    const l = await listen({ ticketKey: new Uint8Array(32).fill(31) });
    const cli = new Peer('gnutls-cli', [
      '--insecure',
      '--resume',
      '--priority',
      'NORMAL:-VERS-ALL:+VERS-TLS1.2',
      '-p',
      String(l.port),
      '127.0.0.1',
    ]);
    try {
      const a = await l.accept();
      await a.pump.handshake();
      expect(a.conn.sessionReused).toBe(false);
      await a.pump.close();
      const b = await l.accept();
      await b.pump.handshake();
      expect(b.conn.sessionReused).toBe(true);
      await cli.waitFor('This is a resumed session');
    } finally {
      cli.kill();
      l.dispose();
    }
  }, 30_000);
});

describe.skipIf(!GNUTLS)('gnutls-cli --rehandshake -> our server', () => {
  it('each renegotiating ClientHello gets a no_renegotiation warning, not a fatal alert', async () => {
    const l = await listen({});
    const cli = new Peer('gnutls-cli', [
      '--insecure',
      '--rehandshake',
      '--priority',
      'NORMAL:-VERS-ALL:+VERS-TLS1.2',
      '-p',
      String(l.port),
      '127.0.0.1',
    ]);
    try {
      const { pump } = await l.accept();
      await pump.handshake();
      // Our side reads, so the renegotiating hellos are taken (post.c).
      const read = pump.readExactly(1).then(
        () => undefined,
        (x: unknown) => x,
      );
      await cli.waitFor('Received alert [100]: No renegotiation is allowed');
      await cli.waitFor('ReHandshake has failed', 10_000, 'stderr');
      const out = cli.stderr;
      // GnuTLS takes the warning as "Non fatal" and sends its hello again,
      // each answered alike, until it gives up by itself (with an
      // internal_error alert of its own): the refusal never ends the
      // connection from our side.
      expect(out).toMatch(/Non fatal error: A TLS warning alert has been received/);
      const e = await read;
      expect(e).toBeInstanceOf(TLSError);
      expect((e as TLSError).alertDirection).toBe('received');
    } finally {
      cli.kill();
      l.dispose();
    }
  }, 30_000);
});

// RFC 8446 4.2.1 / RFC 5246 E.1 at our server: 1.3 when both have it,
// 1.2 when the client has no more, and a clean protocol_version when a
// server configured for one version meets a client with only the other.
describe.skipIf(!OPENSSL)('version negotiation at our server (openssl s_client)', () => {
  const cases: [string, TLSContextOptions, string, string | null][] = [
    ['default server, client offering 1.3 and 1.2', {}, '', 'TLSv1.3'],
    ['default server, client offering 1.2 only', {}, '-tls1_2', 'TLSv1.2'],
    ['server 1.2 only, client offering 1.3 and 1.2', { maxVersion: 'TLSv1.2' }, '', 'TLSv1.2'],
    ['server 1.2 only, client 1.3 only', { maxVersion: 'TLSv1.2' }, '-tls1_3', null],
    ['server 1.3 only, client 1.2 only', { minVersion: 'TLSv1.3' }, '-tls1_2', null],
  ];
  for (const [what, opts, flag, want] of cases) {
    it(`${what}: ${want ?? 'protocol_version'}`, async () => {
      const l = await listen(opts);
      const cli = new Peer('openssl', ['s_client', '-connect', `127.0.0.1:${l.port}`, '-servername', 'localhost', ...(flag ? [flag] : [])]);
      try {
        const { conn, pump } = await l.accept();
        if (want) {
          await pump.handshake();
          expect(conn.version).toBe(want);
          // s_client's own view, once it has exited (its stdout is a pipe,
          // flushed then): we close, it ends.
          await pump.writeAll(Buffer.from('hello\n'));
          await pump.close();
          await cli.waitExit();
          expect(cli.stdout.toString('latin1')).toContain(`New, ${want}, Cipher is`);
        } else {
          const e = await handshakeError(pump);
          expect(e.alert).toBe(70);
          expect(e.alertDirection).toBe('sent');
          await cli.waitExit();
          expect(cli.stderr).toMatch(/protocol version|unsupported protocol/i);
        }
      } finally {
        cli.kill();
        l.dispose();
      }
    }, 30_000);
  }
});

it('the peers are here (so the suites above did run)', () => {
  expect(OPENSSL).toBe(true);
  expect(spawnSync('openssl', ['version']).stdout.toString()).toMatch(/OpenSSL 3/);
});
