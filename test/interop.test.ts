/**
 * Interop with real TLS 1.3 peers on 127.0.0.1, started by the tests, both
 * directions: our client <-> `openssl s_server`, our server <-> `openssl
 * s_client`, our client <-> `gnutls-serv`, our server <-> `gnutls-cli`, our
 * client <-> Node `tls.createServer`, our server <-> Node `tls.connect`.
 * Every case checks the application data both ways byte for byte. The
 * matrix is printed at the end with its counts.
 *
 * Each external process is killed in `finally`; waits are bounded; ports
 * come from a free-port helper (or port 0 for our own listeners).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import * as tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Connection, TLSContext, type CipherSuiteName, type TLSContextOptions } from '../ts/core/connection.js';
import { useBuild } from './helpers/env.js';
import { connectRetry, listenTls, SocketPump } from './helpers/netpump.js';
import { have, payload, Peer } from './helpers/peers.js';
import { freePort } from './helpers/runtimes.js';
import { makeTestCerts, type KeyKind, type TestCerts } from './helpers/tls-certs.js';

useBuild('simd');
let certs: TestCerts;
beforeAll(async () => {
  certs = await makeTestCerts();
}, 60_000);

// ---- the matrix ---------------------------------------------------------------

interface Row {
  peer: string;
  dir: string;
  what: string;
  result: 'ok' | 'FAIL' | 'n/a';
}
const rows: Row[] = [];
const testsRan = new Set<Row>(); // a -t filter leaves the others out of the table

afterAll(() => {
  certs?.dispose();
  const lines: string[] = ['', 'Interop matrix (TLS 1.3, 127.0.0.1; data checked both ways byte for byte)'];
  const w0 = Math.max(...rows.map((r) => `${r.peer} ${r.dir}`.length), 10);
  const w1 = Math.max(...rows.map((r) => r.what.length), 10);
  lines.push(`${'peer'.padEnd(w0)}  ${'case'.padEnd(w1)}  result`);
  const ran = rows.filter((r) => r.result !== 'FAIL' || testsRan.has(r));
  for (const r of ran) lines.push(`${`${r.peer} ${r.dir}`.padEnd(w0)}  ${r.what.padEnd(w1)}  ${r.result}`);
  const groups = new Map<string, Row[]>();
  for (const r of ran) groups.set(`${r.peer} ${r.dir}`, [...(groups.get(`${r.peer} ${r.dir}`) ?? []), r]);
  lines.push('', 'Counts:');
  let ok = 0,
    all = 0;
  for (const [k, rs] of groups) {
    const o = rs.filter((r) => r.result === 'ok').length,
      f = rs.filter((r) => r.result === 'FAIL').length;
    const na = rs.length - o - f;
    ok += o;
    all += o + f;
    lines.push(`  ${k.padEnd(w0)}  ${o}/${o + f} passed${na ? `, ${na} not available in this peer` : ''}`);
  }
  lines.push(`  ${'total'.padEnd(w0)}  ${ok}/${all} passed`);
  console.log(lines.join('\n'));
});

function scenario(peer: string, dir: string, what: string, fn: () => Promise<void>, available = true): void {
  const row: Row = { peer, dir, what, result: available ? 'FAIL' : 'n/a' };
  rows.push(row);
  if (!available) {
    it.skip(`${peer} ${dir}: ${what} (not available)`, () => {});
    return;
  }
  it(`${peer} ${dir}: ${what}`, async () => {
    testsRan.add(row);
    await fn();
    row.result = 'ok';
  }, 30_000);
}

// ---- what the peers here can do ------------------------------------------------

const OPENSSL = have('openssl', ['version']);
const GNUTLS = have('gnutls-serv', ['--version']) && have('gnutls-cli', ['--version']);
const opensslMlkem = OPENSSL && /ML-?KEM/i.test(spawnSync('openssl', ['list', '-kem-algorithms'], { encoding: 'utf8' }).stdout ?? '');
const gnutlsMlkem = GNUTLS && /MLKEM/i.test(spawnSync('gnutls-cli', ['--list'], { encoding: 'utf8' }).stdout ?? '');

const SUITES: CipherSuiteName[] = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256'];
// Our name, OpenSSL's name, GnuTLS's name.
const GROUPS: [string, string, string][] = [
  ['x25519', 'X25519', 'GROUP-X25519'],
  ['secp256r1', 'P-256', 'GROUP-SECP256R1'],
  ['secp384r1', 'P-384', 'GROUP-SECP384R1'],
];
const MLKEM: [string, string, string] = ['X25519MLKEM768', 'X25519MLKEM768', 'GROUP-X25519-MLKEM768'];
const GNUTLS_CIPHER: Record<CipherSuiteName, string> = {
  TLS_AES_128_GCM_SHA256: 'AES-128-GCM',
  TLS_AES_256_GCM_SHA384: 'AES-256-GCM',
  TLS_CHACHA20_POLY1305_SHA256: 'CHACHA20-POLY1305',
};
const short = (s: string) => s.replace('TLS_', '').replace('_SHA256', '').replace('_SHA384', '');

// ---- our side -----------------------------------------------------------------------

const equal = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));

/** Dial 127.0.0.1:port as a client. */
async function dial(port: number, opts: TLSContextOptions, session?: Uint8Array) {
  const ctx = new TLSContext({ verify: 'insecure-no-chain-validation', ...opts });
  const conn = new Connection(ctx);
  conn.setConnectState();
  conn.setServerName('localhost');
  if (session) conn.setSession(session);
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

/** Our server on 127.0.0.1:<ephemeral>; accept() gives the next connection. */
function listen(opts: TLSContextOptions, kind: KeyKind = 'ecdsa-p256') {
  const cert = certs.server[kind];
  return listenTls(new TLSContext({ cert: cert.certPem, key: cert.keyPem, ...opts }));
}

// ---- openssl s_server <-> our client -----------------------------------------------

async function withSServer(args: string[], body: (port: number, srv: Peer) => Promise<void>): Promise<void> {
  const port = await freePort();
  const srv = new Peer('openssl', ['s_server', '-accept', `127.0.0.1:${port}`, '-tls1_3', ...args]);
  try {
    await body(port, srv);
  } finally {
    srv.kill();
  }
}

const sserverCert = (k: KeyKind) => ['-cert', certs.server[k].certPath, '-key', certs.server[k].keyPath];

/** The usual exchange: 40 kB up (printed by s_server), 20 kB down (its stdin). */
async function exchangeWithSServer(srv: Peer, pump: SocketPump, seed: number): Promise<void> {
  const up = payload(40_000, seed),
    down = payload(20_000, seed + 1);
  srv.write(down);
  await pump.writeAll(up);
  expect(equal(await pump.readExactly(down.length), down)).toBe(true);
  await srv.waitFor(up);
}

describe.skipIf(!OPENSSL)('openssl s_server <-> our client', () => {
  let seed = 1000;
  const groups = opensslMlkem ? [...GROUPS, MLKEM] : GROUPS;
  for (const suite of SUITES) {
    for (const [ours, theirs] of groups) {
      for (const kind of ['ecdsa-p256', 'rsa2048'] as KeyKind[]) {
        scenario('openssl s_server', '<- our client', `${short(suite)} ${theirs} ${kind}`, async () => {
          await withSServer(
            ['-quiet', '-naccept', '1', '-ciphersuites', suite, '-groups', theirs, ...sserverCert(kind)],
            async (port, srv) => {
              const d = await dial(port, { suites: [suite], groups: [ours] });
              try {
                await d.pump.handshake();
                expect(d.conn.cipher).toBe(suite);
                expect(d.conn.group).toBe(ours);
                expect(d.conn.hrrSeen).toBe(false);
                await exchangeWithSServer(srv, d.pump, seed++);
                await d.pump.close();
              } finally {
                d.dispose();
              }
            },
          );
        });
      }
    }
  }
  if (!opensslMlkem) scenario('openssl s_server', '<- our client', 'X25519MLKEM768', async () => {}, false);

  for (const kind of ['ecdsa-p384', 'ed25519'] as KeyKind[]) {
    scenario('openssl s_server', '<- our client', `${kind} certificate`, async () => {
      await withSServer(['-quiet', '-naccept', '1', ...sserverCert(kind)], async (port, srv) => {
        const d = await dial(port, {});
        try {
          await d.pump.handshake();
          expect(d.conn.peerSignatureScheme).toBe(kind === 'ed25519' ? 'ed25519' : 'ecdsa_secp384r1_sha384');
          await exchangeWithSServer(srv, d.pump, seed++);
        } finally {
          d.dispose();
        }
      });
    });
  }

  scenario('openssl s_server', '<- our client', 'HRR forced (-groups P-256, we guess X25519)', async () => {
    await withSServer(['-quiet', '-naccept', '1', '-groups', 'P-256', ...sserverCert('ecdsa-p256')], async (port, srv) => {
      const d = await dial(port, { groups: ['x25519', 'secp256r1'] });
      try {
        await d.pump.handshake();
        expect(d.conn.hrrSeen).toBe(true);
        expect(d.conn.group).toBe('secp256r1');
        await exchangeWithSServer(srv, d.pump, seed++);
      } finally {
        d.dispose();
      }
    });
  });

  scenario('openssl s_server', '<- our client', "KeyUpdate: s_server 'k' and 'K', ours requested", async () => {
    // Not -quiet: s_server reads its stdin commands only then.
    await withSServer(['-naccept', '1', ...sserverCert('ecdsa-p256')], async (port, srv) => {
      const d = await dial(port, {});
      try {
        await d.pump.handshake();
        await exchangeWithSServer(srv, d.pump, seed++);
        for (const cmd of ['k\n', 'K\n']) {
          // The command must be a read of its own: send it, wait for the
          // KeyUpdate record to reach us, then the data.
          const before = d.pump.bytesIn;
          srv.write(cmd);
          await d.pump.waitBytesIn(before);
          const down = payload(5000, seed++);
          srv.write(down);
          expect(equal(await d.pump.readExactly(down.length), down)).toBe(true); // under s_server's new key
          const up = payload(7000, seed++);
          await d.pump.writeAll(up); // after 'K', preceded by our own KeyUpdate
          await srv.waitFor(up);
        }
        expect(d.conn.keyUpdate(true)).toBe(true);
        const up = payload(3000, seed++);
        await d.pump.writeAll(up);
        await srv.waitFor(up);
        const down = payload(4000, seed++);
        srv.write(down);
        expect(equal(await d.pump.readExactly(down.length), down)).toBe(true); // s_server answered with its update
      } finally {
        d.dispose();
      }
    });
  });

  scenario('openssl s_server', '<- our client', 'resumption with a ticket', async () => {
    await withSServer(['-quiet', '-naccept', '2', ...sserverCert('ecdsa-p256')], async (port, srv) => {
      const d1 = await dial(port, {});
      let session: Uint8Array | undefined;
      try {
        await d1.pump.handshake();
        expect(d1.conn.sessionReused).toBe(false);
        await exchangeWithSServer(srv, d1.pump, seed++);
        session = d1.conn.getSession();
        expect(session).toBeDefined();
        await d1.pump.close();
      } finally {
        d1.dispose();
      }
      const d2 = await dial(port, {}, session);
      try {
        await d2.pump.handshake();
        expect(d2.conn.sessionReused).toBe(true);
        await exchangeWithSServer(srv, d2.pump, seed++);
      } finally {
        d2.dispose();
      }
    });
  });

  scenario('openssl s_server', '<- our client', 'client certificate (-Verify 1)', async () => {
    await withSServer(['-naccept', '1', '-Verify', '1', ...sserverCert('ecdsa-p256')], async (port, srv) => {
      const d = await dial(port, { cert: certs.client.certPem, key: certs.client.keyPem });
      try {
        await d.pump.handshake();
        await exchangeWithSServer(srv, d.pump, seed++);
        // s_server prints the client certificate it was given.
        await srv.waitFor(certs.client.certPem.split('\n')[1]);
      } finally {
        d.dispose();
      }
    });
  });
});

// ---- openssl s_client -> our server ------------------------------------------------

/** The usual exchange: 40 kB up (s_client's stdin), 20 kB down (printed). */
async function exchangeWithClient(cli: Peer, pump: SocketPump, seed: number, up?: Buffer): Promise<void> {
  up ??= payload(40_000, seed);
  const down = payload(20_000, seed + 1);
  expect(equal(await pump.readExactly(up.length), up)).toBe(true);
  await pump.writeAll(down);
  await cli.waitFor(down);
}

async function withSClient(port: number, args: string[], body: (cli: Peer) => Promise<void>): Promise<void> {
  const cli = new Peer('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-tls1_3', '-servername', 'localhost', ...args]);
  try {
    await body(cli);
  } finally {
    cli.kill();
  }
}

describe.skipIf(!OPENSSL)('openssl s_client -> our server', () => {
  let seed = 2000;
  const groups = opensslMlkem ? [...GROUPS, MLKEM] : GROUPS;
  for (const suite of SUITES) {
    for (const [ours, theirs] of groups) {
      for (const kind of ['ecdsa-p256', 'rsa2048'] as KeyKind[]) {
        scenario('openssl s_client', '-> our server', `${short(suite)} ${theirs} ${kind}`, async () => {
          const l = await listen({ suites: [suite], groups: [ours] }, kind);
          try {
            await withSClient(l.port, ['-quiet', '-ciphersuites', suite, '-groups', theirs], async (cli) => {
              const s = seed++;
              cli.write(payload(40_000, s));
              const { conn, pump } = await l.accept();
              await pump.handshake();
              expect(conn.cipher).toBe(suite);
              expect(conn.group).toBe(ours);
              expect(conn.serverName).toBe('localhost');
              await exchangeWithClient(cli, pump, s);
              await pump.close();
              await cli.waitExit(); // s_client leaves on our close_notify
            });
          } finally {
            l.dispose();
          }
        });
      }
    }
  }
  if (!opensslMlkem) scenario('openssl s_client', '-> our server', 'X25519MLKEM768', async () => {}, false);

  for (const kind of ['ecdsa-p384', 'ed25519'] as KeyKind[]) {
    scenario('openssl s_client', '-> our server', `${kind} certificate`, async () => {
      const l = await listen({}, kind);
      try {
        await withSClient(l.port, ['-quiet'], async (cli) => {
          const s = seed++;
          cli.write(payload(40_000, s));
          const { pump } = await l.accept();
          await pump.handshake();
          await exchangeWithClient(cli, pump, s);
        });
      } finally {
        l.dispose();
      }
    });
  }

  scenario('openssl s_client', '-> our server', 'HRR forced (we take only P-384, s_client guesses X25519)', async () => {
    const l = await listen({ groups: ['secp384r1'] });
    try {
      await withSClient(l.port, ['-quiet', '-groups', 'X25519:P-384'], async (cli) => {
        const s = seed++;
        cli.write(payload(40_000, s));
        const { conn, pump } = await l.accept();
        await pump.handshake();
        expect(conn.hrrSeen).toBe(true);
        expect(conn.group).toBe('secp384r1');
        await exchangeWithClient(cli, pump, s);
      });
    } finally {
      l.dispose();
    }
  });

  scenario('openssl s_client', '-> our server', 'KeyUpdate requested by us, answered by s_client', async () => {
    const l = await listen({});
    try {
      await withSClient(l.port, ['-quiet'], async (cli) => {
        const s = seed++;
        cli.write(payload(40_000, s));
        const { conn, pump } = await l.accept();
        await pump.handshake();
        await exchangeWithClient(cli, pump, s);
        for (let i = 0; i < 3; i++) {
          expect(conn.keyUpdate(true)).toBe(true);
          const down = payload(6000, seed++);
          await pump.writeAll(down);
          await cli.waitFor(down);
          const up = payload(5000, seed++);
          cli.write(up); // s_client answered our request before this data
          expect(equal(await pump.readExactly(up.length), up)).toBe(true);
        }
      });
    } finally {
      l.dispose();
    }
  });

  scenario('openssl s_client', '-> our server', 'resumption (-sess_out, then -sess_in)', async () => {
    const l = await listen({ ticketKey: new Uint8Array(32).fill(7) });
    const sess = join(certs.dir, 'sess.pem');
    try {
      await withSClient(l.port, ['-quiet', '-sess_out', sess], async (cli) => {
        const s = seed++;
        cli.write(payload(40_000, s));
        const { conn, pump } = await l.accept();
        await pump.handshake();
        expect(conn.sessionReused).toBe(false);
        await exchangeWithClient(cli, pump, s);
        await pump.close();
        await cli.waitExit();
      });
      await withSClient(l.port, ['-sess_in', sess], async (cli) => {
        const s = seed++;
        const { conn, pump } = await l.accept();
        await pump.handshake();
        expect(conn.sessionReused).toBe(true);
        await cli.waitFor('Reused, TLSv1.3');
        const up = payload(40_000, s);
        cli.write(up);
        await exchangeWithClient(cli, pump, s, up);
      });
    } finally {
      l.dispose();
    }
  });

  scenario('openssl s_client', '-> our server', 'client certificate required', async () => {
    const seen: Uint8Array[][] = [];
    const l = await listen({ verify: 'external', onVerify: (chain) => (seen.push(chain), 0), clientCert: 'require' });
    try {
      await withSClient(l.port, ['-quiet', '-cert', certs.client.certPath, '-key', certs.client.keyPath], async (cli) => {
        const s = seed++;
        cli.write(payload(40_000, s));
        const { conn, pump } = await l.accept();
        await pump.handshake();
        expect(conn.peerAuthenticated).toBe(true);
        expect(equal(seen[0][0], certs.client.certDer)).toBe(true);
        await exchangeWithClient(cli, pump, s);
      });
    } finally {
      l.dispose();
    }
  });
});

// ---- GnuTLS --------------------------------------------------------------------------------

const prio = (suite?: CipherSuiteName, group?: string) =>
  `NORMAL:-VERS-ALL:+VERS-TLS1.3${suite ? `:-CIPHER-ALL:+${GNUTLS_CIPHER[suite]}` : ''}${group ? `:-GROUP-ALL:+${group}` : ''}`;

describe.skipIf(!GNUTLS)('gnutls-serv <-> our client', () => {
  let seed = 3000;
  const cases: [CipherSuiteName | undefined, [string, string, string] | undefined, KeyKind][] = [
    ...SUITES.map((s) => [s, GROUPS[0], 'ecdsa-p256'] as [CipherSuiteName, [string, string, string], KeyKind]),
    [undefined, GROUPS[1], 'rsa2048'],
    [undefined, GROUPS[2], 'ed25519'],
    ...(gnutlsMlkem ? [[undefined, MLKEM, 'ecdsa-p256'] as [undefined, [string, string, string], KeyKind]] : []),
  ];
  for (const [suite, group, kind] of cases) {
    scenario('gnutls-serv', '<- our client', `${suite ? short(suite) : 'default suite'} ${group?.[1] ?? ''} ${kind}`, async () => {
      const port = await freePort();
      const srv = new Peer('gnutls-serv', [
        '--echo',
        '-p',
        String(port),
        '--x509certfile',
        certs.server[kind].certPath,
        '--x509keyfile',
        certs.server[kind].keyPath,
        '--priority',
        prio(suite, group?.[2]),
      ]);
      try {
        const d = await dial(port, { ...(suite ? { suites: [suite] } : {}), ...(group ? { groups: [group[0]] } : {}) });
        try {
          await d.pump.handshake();
          if (suite) expect(d.conn.cipher).toBe(suite);
          if (group) expect(d.conn.group).toBe(group[0]);
          // Echo server: what goes up comes back down (its echo mode
          // answers complete lines: every size here ends one).
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
  if (!gnutlsMlkem) scenario('gnutls-serv', '<- our client', 'X25519MLKEM768', async () => {}, false);
});

describe.skipIf(!GNUTLS)('gnutls-cli -> our server', () => {
  let seed = 4000;
  const cases: [CipherSuiteName | undefined, [string, string, string] | undefined, KeyKind][] = [
    ...SUITES.map((s) => [s, GROUPS[0], 'ecdsa-p256'] as [CipherSuiteName, [string, string, string], KeyKind]),
    [undefined, GROUPS[1], 'rsa2048'],
    [undefined, GROUPS[2], 'ed25519'],
  ];
  for (const [suite, group, kind] of cases) {
    scenario('gnutls-cli', '-> our server', `${suite ? short(suite) : 'default suite'} ${group?.[1] ?? ''} ${kind}`, async () => {
      const l = await listen({ ...(suite ? { suites: [suite] } : {}), ...(group ? { groups: [group[0]] } : {}) }, kind);
      const cli = new Peer('gnutls-cli', ['-p', String(l.port), '127.0.0.1', '--insecure', '--priority', prio(suite, group?.[2])]);
      try {
        const s = seed++;
        cli.write(payload(40_000, s));
        const { conn, pump } = await l.accept();
        await pump.handshake();
        if (suite) expect(conn.cipher).toBe(suite);
        if (group) expect(conn.group).toBe(group[0]);
        await exchangeWithClient(cli, pump, s);
      } finally {
        cli.kill();
        l.dispose();
      }
    });
  }

  scenario('gnutls-cli', '-> our server', 'resumption (--resume)', async () => {
    const l = await listen({ ticketKey: new Uint8Array(32).fill(5) });
    const cli = new Peer('gnutls-cli', ['-p', String(l.port), '127.0.0.1', '--insecure', '--resume', '--priority', prio()]);
    try {
      const a = await l.accept();
      await a.pump.handshake();
      expect(a.conn.sessionReused).toBe(false);
      await a.pump.readToEnd(); // gnutls-cli leaves after its handshake
      const b = await l.accept();
      await b.pump.handshake();
      expect(b.conn.sessionReused).toBe(true);
      await cli.waitFor('This is a resumed session');
      const s = seed++;
      const up = payload(40_000, s);
      cli.write(up);
      await exchangeWithClient(cli, b.pump, s, up);
    } finally {
      cli.kill();
      l.dispose();
    }
  });
});

// ---- Node tls --------------------------------------------------------------------------------

const NODE_CURVE: Record<string, string> = { x25519: 'X25519', secp256r1: 'P-256', secp384r1: 'P-384' };

describe('Node tls.createServer <-> our client', () => {
  let seed = 5000;
  const cases: [CipherSuiteName, string, KeyKind][] = [
    ...SUITES.map(
      (s, i) => [s, GROUPS[i][0], (['ecdsa-p256', 'rsa2048', 'ed25519'] as KeyKind[])[i]] as [CipherSuiteName, string, KeyKind],
    ),
  ];
  async function nodeServer(opts: tls.TlsOptions, kind: KeyKind, up: Buffer, down: Buffer) {
    let gotUp!: Promise<Buffer>;
    let peerCert: tls.PeerCertificate | undefined;
    const done = new Promise<tls.TLSSocket>((res) => {
      const srv = tls.createServer(
        {
          key: certs.server[kind].keyPem,
          cert: certs.server[kind].certPem,
          minVersion: 'TLSv1.3',
          ...opts,
        },
        (s) => {
          peerCert = s.getPeerCertificate();
          gotUp = new Promise((r) => {
            const parts: Buffer[] = [];
            let n = 0;
            s.on('data', (d: Buffer) => {
              parts.push(d);
              n += d.length;
              if (n >= up.length) r(Buffer.concat(parts));
            });
          });
          s.write(down);
          res(s);
        },
      );
      servers.push(srv);
    });
    const srv = servers.at(-1)!;
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    return { port: (srv.address() as AddressInfo).port, done, gotUp: () => gotUp, peerCert: () => peerCert };
  }
  const servers: tls.Server[] = [];
  afterAll(() => {
    for (const s of servers) s.close();
  });

  for (const [suite, group, kind] of cases) {
    scenario('node tls.createServer', '<- our client', `${short(suite)} ${NODE_CURVE[group]} ${kind}`, async () => {
      const up = payload(40_000, seed++),
        down = payload(20_000, seed++);
      const n = await nodeServer({ ciphers: suite, ecdhCurve: NODE_CURVE[group] }, kind, up, down);
      const d = await dial(n.port, { suites: [suite], groups: [group as 'x25519'] });
      try {
        await d.pump.handshake();
        expect(d.conn.cipher).toBe(suite);
        expect(d.conn.group).toBe(group);
        await d.pump.writeAll(up);
        expect(equal(await d.pump.readExactly(down.length), down)).toBe(true);
        const sock = await n.done;
        expect(equal(await n.gotUp(), up)).toBe(true);
        // Our KeyUpdate with update_requested: Node's OpenSSL answers.
        expect(d.conn.keyUpdate(true)).toBe(true);
        const up2 = payload(3000, seed++);
        await d.pump.writeAll(up2);
        const back = payload(3000, seed++);
        sock.write(back);
        expect(equal(await d.pump.readExactly(back.length), back)).toBe(true);
        sock.destroy();
      } finally {
        d.dispose();
      }
    });
  }

  scenario('node tls.createServer', '<- our client', 'resumption with a Node ticket', async () => {
    const up = payload(1000, seed++),
      down = payload(1000, seed++);
    const n = await nodeServer({}, 'ecdsa-p256', up, down);
    const d1 = await dial(n.port, {});
    let session: Uint8Array | undefined;
    try {
      await d1.pump.handshake();
      await d1.pump.writeAll(up);
      expect(equal(await d1.pump.readExactly(down.length), down)).toBe(true);
      // Read to the server's close_notify: its tickets come before it.
      (await n.done).end();
      expect((await d1.pump.readToEnd()).stop).toBe('ZERO_RETURN');
      session = d1.conn.getSession();
      expect(session).toBeDefined();
    } finally {
      d1.dispose();
    }
    const d2 = await dial(n.port, {}, session);
    try {
      await d2.pump.handshake();
      expect(d2.conn.sessionReused).toBe(true);
      await d2.pump.writeAll(up);
      expect(equal(await d2.pump.readExactly(down.length), down)).toBe(true);
    } finally {
      d2.dispose();
    }
  });

  scenario('node tls.createServer', '<- our client', 'client certificate (requestCert)', async () => {
    const up = payload(1000, seed++),
      down = payload(1000, seed++);
    const n = await nodeServer({ requestCert: true, rejectUnauthorized: false }, 'ecdsa-p256', up, down);
    const d = await dial(n.port, { cert: certs.client.certPem, key: certs.client.keyPem });
    try {
      await d.pump.handshake();
      await d.pump.writeAll(up);
      expect(equal(await d.pump.readExactly(down.length), down)).toBe(true);
      expect(equal(await n.gotUp(), up)).toBe(true);
      expect(n.peerCert()?.subject?.CN).toBe('client.test');
    } finally {
      d.dispose();
    }
  });
});

describe('Node tls.connect -> our server', () => {
  let seed = 6000;
  async function nodeClient(port: number, opts: tls.ConnectionOptions, up: Buffer, downLen: number) {
    const sock = tls.connect({
      host: '127.0.0.1',
      port,
      servername: 'localhost',
      rejectUnauthorized: false,
      minVersion: 'TLSv1.3',
      ...opts,
    });
    const secure = new Promise<void>((r, j) => {
      sock.once('secureConnect', () => {
        sock.write(up);
        r();
      });
      sock.once('error', j);
    });
    const gotDown = new Promise<Buffer>((r) => {
      const parts: Buffer[] = [];
      let n = 0;
      sock.on('data', (d: Buffer) => {
        parts.push(d);
        n += d.length;
        if (n >= downLen) r(Buffer.concat(parts));
      });
    });
    sock.on('error', () => {});
    return { sock, secure, gotDown };
  }

  const cases: [CipherSuiteName, string, KeyKind][] = SUITES.map((s, i) => [
    s,
    GROUPS[(i + 1) % 3][0],
    (['rsa2048', 'ed25519', 'ecdsa-p384'] as KeyKind[])[i],
  ]);
  for (const [suite, group, kind] of cases) {
    scenario('node tls.connect', '-> our server', `${short(suite)} ${NODE_CURVE[group]} ${kind}`, async () => {
      const l = await listen({ suites: [suite], groups: [group as 'x25519'], alpn: ['http/1.1'] }, kind);
      const up = payload(40_000, seed++),
        down = payload(20_000, seed++);
      const n = await nodeClient(
        l.port,
        { ciphers: suite, ecdhCurve: NODE_CURVE[group], ALPNProtocols: ['h2', 'http/1.1'] },
        up,
        down.length,
      );
      try {
        const { conn, pump } = await l.accept();
        await pump.handshake();
        await n.secure;
        expect(conn.cipher).toBe(suite);
        expect(conn.alpnProtocol).toBe('http/1.1');
        expect(n.sock.alpnProtocol).toBe('http/1.1');
        expect(n.sock.getCipher().standardName).toBe(suite);
        expect(equal(await pump.readExactly(up.length), up)).toBe(true);
        await pump.writeAll(down);
        expect(equal(await n.gotDown, down)).toBe(true);
      } finally {
        n.sock.destroy();
        l.dispose();
      }
    });
  }

  scenario('node tls.connect', '-> our server', 'resumption (Node session reused)', async () => {
    const l = await listen({ ticketKey: new Uint8Array(32).fill(6) });
    try {
      const up = payload(2000, seed++),
        down = payload(2000, seed++);
      const n1 = await nodeClient(l.port, {}, up, down.length);
      const session = new Promise<Buffer>((r) => n1.sock.once('session', r));
      const a = await l.accept();
      await a.pump.handshake();
      expect(equal(await a.pump.readExactly(up.length), up)).toBe(true);
      await a.pump.writeAll(down);
      expect(equal(await n1.gotDown, down)).toBe(true);
      const sess = await session;
      n1.sock.destroy();
      const n2 = await nodeClient(l.port, { session: sess }, up, down.length);
      try {
        const b = await l.accept();
        await b.pump.handshake();
        await n2.secure;
        expect(b.conn.sessionReused).toBe(true);
        expect(n2.sock.isSessionReused()).toBe(true);
        expect(equal(await b.pump.readExactly(up.length), up)).toBe(true);
        await b.pump.writeAll(down);
        expect(equal(await n2.gotDown, down)).toBe(true);
      } finally {
        n2.sock.destroy();
      }
    } finally {
      l.dispose();
    }
  });
});

// ---- handshake behaviours (hs): key shares, large tickets ----------------------------

describe.skipIf(!OPENSSL)('handshake behaviours with real peers', () => {
  let seed = 9000;

  // Our client with the hybrid first also sends an X25519 share (key_share.c):
  // a server without ML-KEM (OpenSSL 3.0) takes it, with no HelloRetryRequest.
  scenario('openssl s_server', '<- our client', 'hybrid first, X25519 share beside it: no HRR', async () => {
    await withSServer(['-quiet', '-naccept', '1', ...sserverCert('ecdsa-p256')], async (port, srv) => {
      const d = await dial(port, { groups: ['X25519MLKEM768', 'x25519'] });
      try {
        await d.pump.handshake();
        expect(d.conn.hrrSeen).toBe(false);
        expect(d.conn.group).toBe(opensslMlkem ? 'X25519MLKEM768' : 'x25519');
        await exchangeWithSServer(srv, d.pump, seed++);
      } finally {
        d.dispose();
      }
    });
  });

  // GnuTLS puts the client's whole chain in its tickets: with an RSA-2048
  // leaf and intermediate about 1.9 kB, which the client used to drop.
  scenario(
    'gnutls-serv',
    '<- our client',
    'session with a client chain (leaf + intermediate)',
    async () => {
      const dir = certs.dir,
        at = (n: string) => join(dir, n);
      const { writeFileSync, readFileSync } = await import('node:fs');
      const ossl = (args: string[]) => {
        const r = spawnSync('openssl', args, { encoding: 'utf8' });
        if (r.status !== 0) throw new Error(`openssl ${args[0]}: ${r.stderr}`);
      };
      ossl([
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        at('hs-ca.key'),
        '-out',
        at('hs-ca.crt'),
        '-days',
        '3',
        '-subj',
        '/CN=hs root',
        '-addext',
        'basicConstraints=critical,CA:TRUE',
        '-addext',
        'keyUsage=critical,keyCertSign',
      ]);
      writeFileSync(at('hs-int.ext'), 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign\n');
      writeFileSync(at('hs-leaf.ext'), 'basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n');
      ossl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', at('hs-int.key'), '-out', at('hs-int.csr'), '-subj', '/CN=hs intermediate']);
      ossl([
        'x509',
        '-req',
        '-in',
        at('hs-int.csr'),
        '-CA',
        at('hs-ca.crt'),
        '-CAkey',
        at('hs-ca.key'),
        '-CAcreateserial',
        '-out',
        at('hs-int.crt'),
        '-days',
        '3',
        '-extfile',
        at('hs-int.ext'),
      ]);
      ossl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', at('hs-leaf.key'), '-out', at('hs-leaf.csr'), '-subj', '/CN=hs client']);
      ossl([
        'x509',
        '-req',
        '-in',
        at('hs-leaf.csr'),
        '-CA',
        at('hs-int.crt'),
        '-CAkey',
        at('hs-int.key'),
        '-CAcreateserial',
        '-out',
        at('hs-leaf.crt'),
        '-days',
        '3',
        '-extfile',
        at('hs-leaf.ext'),
      ]);
      const chain = readFileSync(at('hs-leaf.crt'), 'utf8') + readFileSync(at('hs-int.crt'), 'utf8');
      const key = readFileSync(at('hs-leaf.key'), 'utf8');
      const port = await freePort();
      const srv = new Peer('gnutls-serv', [
        '--echo',
        '-p',
        String(port),
        '--x509certfile',
        certs.server['ecdsa-p256'].certPath,
        '--x509keyfile',
        certs.server['ecdsa-p256'].keyPath,
        '--x509cafile',
        at('hs-ca.crt'),
        '--require-client-cert',
        '--priority',
        'NORMAL:-VERS-ALL:+VERS-TLS1.3',
      ]);
      try {
        let session: Uint8Array | undefined;
        const d1 = await dial(port, { cert: chain, key });
        try {
          await d1.pump.handshake();
          const up = payload(1000, seed++);
          await d1.pump.writeAll(up);
          expect(equal(await d1.pump.readExactly(up.length), up)).toBe(true);
          session = d1.conn.getSession();
          expect(session).toBeDefined();
          expect(session!.length).toBeGreaterThan(1273); // more than the old 1200-byte ticket cap
          await d1.pump.close();
        } finally {
          d1.dispose();
        }
        const d2 = await dial(port, { cert: chain, key }, session);
        try {
          await d2.pump.handshake();
          expect(d2.conn.sessionReused).toBe(true);
          const up = payload(64, seed++);
          await d2.pump.writeAll(up);
          expect(equal(await d2.pump.readExactly(up.length), up)).toBe(true);
        } finally {
          d2.dispose();
        }
      } finally {
        srv.kill();
      }
    },
    GNUTLS,
  );
});

describe.skipIf(!OPENSSL)('handshake behaviours with real peers: server_name on resumption', () => {
  let seed = 9500;
  // RFC 6066 3: a resuming server does not acknowledge server_name. s_client
  // -msg prints the EncryptedExtensions it received: with the name
  // acknowledged (full handshake, 08 00 00 06 00 04 00 00 00 00) and
  // without (resumed, 08 00 00 02 00 00).
  const eeOf = (out: string) => /EncryptedExtensions\s*\n\s*((?:[0-9a-f]{2} ?)+)/.exec(out)?.[1].trim();
  scenario('openssl s_client', '-> our server', 'resumed: no server_name in EncryptedExtensions', async () => {
    const l = await listen({ ticketKey: new Uint8Array(32).fill(9) });
    const sess = join(certs.dir, 'sess-sni.pem');
    try {
      await withSClient(l.port, ['-msg', '-sess_out', sess], async (cli) => {
        const s = seed++;
        const { conn, pump } = await l.accept();
        await pump.handshake();
        expect(conn.sessionReused).toBe(false);
        await cli.waitFor('EncryptedExtensions');
        await cli.waitFor('Verify return code');
        expect(eeOf(cli.stdout.toString('latin1'))).toBe('08 00 00 06 00 04 00 00 00 00');
        const up = payload(1000, s);
        cli.write(up);
        expect(equal(await pump.readExactly(up.length), up)).toBe(true);
        await pump.close();
        await cli.waitExit();
      });
      await withSClient(l.port, ['-msg', '-sess_in', sess], async (cli) => {
        const { conn, pump } = await l.accept();
        await pump.handshake();
        expect(conn.sessionReused).toBe(true);
        await cli.waitFor('Reused, TLSv1.3');
        expect(eeOf(cli.stdout.toString('latin1'))).toBe('08 00 00 02 00 00');
        await pump.close();
      });
    } finally {
      l.dispose();
    }
  });
});
