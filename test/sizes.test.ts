/**
 * Handshake messages of the sizes real peers use, against real peers on
 * 127.0.0.1: certificates of 42 KB (a chain real servers send) and 100 KB
 * (just under OpenSSL's default limit for a certificate list, max_cert_list
 * = 100 KiB) made by `openssl req` with long subjectAltName lists, sent by
 * `openssl s_server` to our client and by our server to `openssl
 * s_client`, and as client certificates the other way; application data
 * checked both ways. A chain no peer could
 * take is refused when the context is configured. (In memory, both ways
 * and a 64 KiB ClientHello: test/native/test_tls_sizes.c.)
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Connection, TLS_ERR, TLSContext, TLSError } from '../ts/core/connection.js';
import { useBuild } from './helpers/env.js';
import { connectRetry, listenTls, SocketPump } from './helpers/netpump.js';
import { have, payload, Peer } from './helpers/peers.js';
import { freePort } from './helpers/runtimes.js';

useBuild('simd');
const OPENSSL = have('openssl', ['version']);
const dir = mkdtempSync(join(tmpdir(), 'wasmtls-sizes-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Big {
  certPath: string;
  keyPath: string;
  certPem: string;
  keyPem: string;
  der: Buffer;
}
const big: Record<string, Big> = {};

/** A self-signed P-256 certificate for localhost whose DER is about
 * `target` bytes (within 2%, never over), by its subjectAltName list. */
function makeBig(name: string, target: number): Big {
  const label = (i: number) => `n${String(i).padStart(5, '0')}-${'x'.repeat(40)}.example`;
  const gen = (count: number): Big => {
    const alt = ['DNS.1 = localhost'];
    for (let i = 0; i < count; i++) alt.push(`DNS.${i + 2} = ${label(i)}`);
    const cfg = join(dir, `${name}.cnf`);
    writeFileSync(
      cfg,
      [
        '[req]',
        'distinguished_name = dn',
        '[dn]',
        '[ext]',
        'subjectAltName = @alt',
        'basicConstraints = critical,CA:FALSE',
        '[alt]',
        ...alt,
        '',
      ].join('\n'),
    );
    const certPath = join(dir, `${name}.crt`),
      keyPath = join(dir, `${name}.key`);
    const r = spawnSync(
      'openssl',
      [
        'req',
        '-x509',
        '-new',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-keyout',
        keyPath,
        '-out',
        certPath,
        '-days',
        '2',
        '-subj',
        '/CN=localhost',
        '-config',
        cfg,
        '-extensions',
        'ext',
      ],
      { encoding: 'utf8' },
    );
    if (r.status !== 0) throw new Error(`openssl req: ${r.stderr}`);
    const der = spawnSync('openssl', ['x509', '-in', certPath, '-outform', 'DER'], { maxBuffer: 1 << 22 }).stdout;
    return { certPath, keyPath, certPem: readFileSync(certPath, 'utf8'), keyPem: readFileSync(keyPath, 'utf8'), der };
  };
  const per = label(0).length + 2; // GeneralName dNSName: tag, length, name
  let count = Math.floor((target - 600) / per);
  let b = gen(count);
  // One correction from the measured size (the DER length octets vary).
  count -= Math.ceil(Math.max(0, b.der.length - target) / per);
  if (b.der.length > target) b = gen(count);
  return b;
}

beforeAll(() => {
  if (!OPENSSL) return;
  big['42 KB'] = makeBig('c42k', 42_000);
  big['100 KB'] = makeBig('c100k', 100_000);
}, 60_000);

const equal = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));

describe.skipIf(!OPENSSL)('certificates of 42 KB and 100 KB with openssl', () => {
  it('the certificates are the sizes named', () => {
    expect(big['42 KB'].der.length).toBeGreaterThan(41_000);
    expect(big['42 KB'].der.length).toBeLessThanOrEqual(42_000);
    expect(big['100 KB'].der.length).toBeGreaterThan(98_000);
    expect(big['100 KB'].der.length).toBeLessThanOrEqual(100_000);
  });

  for (const size of ['42 KB', '100 KB']) {
    it(`openssl s_server sends a ${size} certificate to our client`, async () => {
      const b = big[size];
      const port = await freePort();
      const srv = new Peer('openssl', [
        's_server',
        '-accept',
        `127.0.0.1:${port}`,
        '-tls1_3',
        '-quiet',
        '-naccept',
        '1',
        '-cert',
        b.certPath,
        '-key',
        b.keyPath,
      ]);
      // The host sees the chain the engine reassembled: it must be
      // openssl's certificate, byte for byte.
      let seen: Uint8Array[] = [];
      const ctx = new TLSContext({ verify: 'external', onVerify: (chain) => ((seen = chain), 0) });
      const conn = new Connection(ctx);
      try {
        conn.setConnectState();
        conn.setServerName('localhost');
        const sock = await connectRetry(port);
        const pump = new SocketPump(conn, sock);
        try {
          await pump.handshake();
          expect(seen.length).toBe(1);
          expect(equal(seen[0], b.der)).toBe(true);
          const up = payload(30_000, 7),
            down = payload(20_000, 8);
          srv.write(down);
          await pump.writeAll(up);
          expect(equal(await pump.readExactly(down.length), down)).toBe(true);
          await srv.waitFor(up);
        } finally {
          sock.destroy();
        }
      } finally {
        srv.kill();
        conn.dispose();
        ctx.dispose();
      }
    }, 30_000);

    it(`our server sends a ${size} certificate to openssl s_client`, async () => {
      const b = big[size];
      const l = await listenTls(new TLSContext({ cert: b.certPem, key: b.keyPem }));
      const cli = new Peer('openssl', ['s_client', '-connect', `127.0.0.1:${l.port}`, '-tls1_3', '-servername', 'localhost', '-showcerts']);
      try {
        const up = payload(30_000, 9),
          down = payload(20_000, 10);
        cli.write(up);
        const { pump } = await l.accept();
        await pump.handshake();
        expect(equal(await pump.readExactly(up.length), up)).toBe(true);
        await pump.writeAll(down);
        await cli.waitFor(down);
        // s_client printed the certificate it was given: the whole PEM.
        const pemBody = b.certPem
          .split('\n')
          .filter((x) => x && !x.startsWith('-----'))
          .join('\n');
        expect(cli.stdout.toString('latin1').replace(/\r/g, '')).toContain(pemBody);
        await pump.close();
      } finally {
        cli.kill();
        l.dispose();
      }
    }, 30_000);
  }

  // openssl s_server (3.0) fails a 100 KB client certificate even from
  // openssl s_client (it resets the connection), so that one pair is not
  // a test of ours; the other direction takes both sizes.
  for (const size of ['42 KB']) {
    it(`our client presents a ${size} certificate to openssl s_server -Verify 1`, async () => {
      const b = big[size];
      const port = await freePort();
      // Not -quiet: s_server prints the client certificate it was given.
      const srv = new Peer('openssl', [
        's_server',
        '-accept',
        `127.0.0.1:${port}`,
        '-tls1_3',
        '-naccept',
        '1',
        '-Verify',
        '1',
        '-cert',
        big['42 KB'].certPath,
        '-key',
        big['42 KB'].keyPath,
      ]);
      const ctx = new TLSContext({ verify: 'insecure-no-chain-validation', cert: b.certPem, key: b.keyPem });
      const conn = new Connection(ctx);
      try {
        conn.setConnectState();
        conn.setServerName('localhost');
        const sock = await connectRetry(port);
        const pump = new SocketPump(conn, sock);
        try {
          await pump.handshake();
          const up = payload(30_000, 11),
            down = payload(20_000, 12);
          srv.write(down);
          await pump.writeAll(up);
          expect(equal(await pump.readExactly(down.length), down)).toBe(true);
          await srv.waitFor(up);
          await srv.waitFor(b.certPem.split('\n').slice(-3, -2)[0]);
        } finally {
          sock.destroy();
        }
      } finally {
        srv.kill();
        conn.dispose();
        ctx.dispose();
      }
    }, 30_000);
  }

  for (const size of ['42 KB', '100 KB']) {
    it(`openssl s_client presents a ${size} certificate to our server`, async () => {
      const b = big[size];
      let seen: Uint8Array[] = [];
      const l = await listenTls(
        new TLSContext({
          cert: big['42 KB'].certPem,
          key: big['42 KB'].keyPem,
          clientCert: 'require',
          verify: 'external',
          onVerify: (chain) => ((seen = chain), 0),
        }),
      );
      const cli = new Peer('openssl', [
        's_client',
        '-connect',
        `127.0.0.1:${l.port}`,
        '-tls1_3',
        '-servername',
        'localhost',
        '-quiet',
        '-cert',
        b.certPath,
        '-key',
        b.keyPath,
      ]);
      try {
        const up = payload(30_000, 13),
          down = payload(20_000, 14);
        cli.write(up);
        const { conn, pump } = await l.accept();
        await pump.handshake();
        expect(conn.peerAuthenticated).toBe(true);
        expect(seen.length).toBe(1);
        expect(equal(seen[0], b.der)).toBe(true);
        expect(equal(await pump.readExactly(up.length), up)).toBe(true);
        await pump.writeAll(down);
        await cli.waitFor(down);
      } finally {
        cli.kill();
        l.dispose();
      }
    }, 30_000);
  }

  it('a chain larger than the handshake limit is refused when configured, with its own code', () => {
    const b = big['100 KB'];
    let err: unknown;
    try {
      new TLSContext({ cert: b.certPem, key: b.keyPem, bufferSizes: { handshakeMax: 64 * 1024 } }).dispose();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(TLSError);
    expect((err as TLSError).engineCode).toBe(TLS_ERR.CHAIN_TOO_LARGE);
    expect((err as TLSError).message).toMatch(/too large.*hs_max/);
    // The same chain with the default limit is accepted.
    new TLSContext({ cert: b.certPem, key: b.keyPem }).dispose();
  });
});
