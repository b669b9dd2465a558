/**
 * RSASSA-PSS keys (OID id-RSASSA-PSS, RFC 4055 1.2) end to end, against
 * real peers on 127.0.0.1: keys and certificates made by
 * `openssl genpkey -algorithm RSA-PSS` at test time, a CA that is itself a
 * PSS key (so chain validation checks RSASSA-PSS certificate signatures by
 * a PSS issuer key), servers and clients both ways with openssl, Node's
 * tls and GnuTLS (which names rsa_pss_pss_* apart from rsa_pss_rsae_*),
 * client certificates both ways, and keys restricted to SHA-384 and
 * SHA-512 by their RSASSA-PSS-params.
 *
 * RFC 8446 4.2.3: rsa_pss_pss_sha{256,384,512} are for PSS-OID keys; such
 * a key is never used with rsa_pss_rsae_* or PKCS #1 v1.5. The peers are
 * the oracle: OpenSSL refuses a CertificateVerify whose scheme does not
 * match the certificate's key type or its parameters.
 *
 * Also: key types the engine cannot use are refused with an error that
 * names the type (DSA, X448, Ed448, P-521, and PSS keys whose parameters
 * TLS 1.3 cannot honour).
 */
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import * as tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Connection, TLSContext, type SignatureSchemeName, type TLSContextOptions } from '../ts/core/connection.js';
import { TLSError, TLS_ERR, ALERT } from '../ts/core/errors.js';
import { handshake } from '../ts/core/pump.js';
import { useBuild } from './helpers/env.js';
import { connectRetry, listenTls, SocketPump } from './helpers/netpump.js';
import { have, payload, Peer } from './helpers/peers.js';
import { freePort } from './helpers/runtimes.js';

useBuild('simd');

const OPENSSL = have('openssl', ['version']);

/** A PSS key kind: unrestricted, or restricted to one hash (with MGF1 of
 * the same hash and salt = hash length, what TLS 1.3 signs with). */
type Kind = 'pss' | 'pss384' | 'pss512';
const HASH: Record<Kind, string> = { pss: 'SHA256', pss384: 'SHA384', pss512: 'SHA512' };
const SCHEME: Record<Kind, SignatureSchemeName> = {
  pss: 'rsa_pss_pss_sha256',
  pss384: 'rsa_pss_pss_sha384',
  pss512: 'rsa_pss_pss_sha512',
};
const KEYGEN: Record<Kind, string[]> = {
  pss: [],
  pss384: ['-pkeyopt', 'rsa_pss_keygen_md:sha384', '-pkeyopt', 'rsa_pss_keygen_mgf1_md:sha384', '-pkeyopt', 'rsa_pss_keygen_saltlen:48'],
  pss512: ['-pkeyopt', 'rsa_pss_keygen_md:sha512', '-pkeyopt', 'rsa_pss_keygen_mgf1_md:sha512', '-pkeyopt', 'rsa_pss_keygen_saltlen:64'],
};

interface Cert {
  certPath: string;
  keyPath: string;
  certPem: string;
  keyPem: string;
}
interface Pki {
  dir: string;
  caPem: string;
  caPath: string;
  server: Record<Kind, Cert>;
  client: Cert;
  /** OpenSSL 3.0's `-pkeyopt rsa_pss_keygen_md:sha256` alone: MGF1 left
   * at its SHA-1 DEFAULT (RFC 4055 3.1), which TLS 1.3 cannot sign with. */
  mgf1sha1: Cert;
  /** SHA-256, MGF1-SHA-256, minimum salt 64 > 32. */
  salt64: Cert;
}

let pki: Pki;

function makePki(): Pki {
  const dir = mkdtempSync(join(tmpdir(), 'wasmtls-pss-'));
  const f = (n: string) => join(dir, n);
  const ossl = (...a: string[]) => execFileSync('openssl', a, { stdio: ['ignore', 'ignore', 'pipe'] });
  // Certificate signatures: RSASSA-PSS with SHA-256, MGF1-SHA-256, salt 32
  // (RFC 8446 4.2.3 salt = hash length; OpenSSL's default is the longest salt).
  const sig = ['-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_pss_saltlen:digest', '-sigopt', 'rsa_mgf1_md:sha256', '-sha256'];
  ossl('genpkey', '-algorithm', 'RSA-PSS', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', f('ca.key'));
  ossl(
    'req',
    '-x509',
    '-key',
    f('ca.key'),
    '-subj',
    '/CN=wasmtls PSS CA',
    '-days',
    '3',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign',
    ...sig,
    '-out',
    f('ca.crt'),
  );
  const issue = (name: string, keygen: string[], cn: string, ext: string, selfSigned = false): Cert => {
    ossl('genpkey', '-algorithm', 'RSA-PSS', '-pkeyopt', 'rsa_keygen_bits:2048', ...keygen, '-out', f(`${name}.key`));
    writeFileSync(f(`${name}.ext`), ext);
    if (selfSigned) {
      // Signed by its own key, so with the hash its parameters allow.
      ossl(
        'req',
        '-x509',
        '-key',
        f(`${name}.key`),
        '-subj',
        `/CN=${cn}`,
        '-days',
        '3',
        '-addext',
        'subjectAltName=DNS:localhost',
        '-out',
        f(`${name}.crt`),
      );
    } else {
      ossl('req', '-new', '-key', f(`${name}.key`), '-subj', `/CN=${cn}`, '-out', f(`${name}.csr`));
      ossl(
        'x509',
        '-req',
        '-in',
        f(`${name}.csr`),
        '-CA',
        f('ca.crt'),
        '-CAkey',
        f('ca.key'),
        '-CAcreateserial',
        '-days',
        '3',
        '-extfile',
        f(`${name}.ext`),
        ...sig,
        '-out',
        f(`${name}.crt`),
      );
    }
    return {
      certPath: f(`${name}.crt`),
      keyPath: f(`${name}.key`),
      certPem: readFileSync(f(`${name}.crt`), 'utf8'),
      keyPem: readFileSync(f(`${name}.key`), 'utf8'),
    };
  };
  const srvExt =
    'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n' +
    'keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n';
  const server = {} as Record<Kind, Cert>;
  for (const k of Object.keys(KEYGEN) as Kind[]) server[k] = issue(`server-${k}`, KEYGEN[k], 'localhost', srvExt);
  return {
    dir,
    caPem: readFileSync(f('ca.crt'), 'utf8'),
    caPath: f('ca.crt'),
    server,
    client: issue(
      'client',
      [],
      'client.test',
      'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n',
    ),
    mgf1sha1: issue('mgf1sha1', ['-pkeyopt', 'rsa_pss_keygen_md:sha256'], 'localhost', '', true),
    salt64: issue(
      'salt64',
      ['-pkeyopt', 'rsa_pss_keygen_md:sha256', '-pkeyopt', 'rsa_pss_keygen_mgf1_md:sha256', '-pkeyopt', 'rsa_pss_keygen_saltlen:64'],
      'localhost',
      '',
      true,
    ),
  };
}

beforeAll(() => {
  if (OPENSSL) pki = makePki();
}, 60_000);
afterAll(() => {
  if (pki) rmSync(pki.dir, { recursive: true, force: true });
});

const equal = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));

/** Our client on 127.0.0.1:port, validating the chain against the PSS CA. */
async function dial(port: number, opts: TLSContextOptions = {}) {
  const ctx = new TLSContext({ verify: 'chain', ca: pki.caPem, ...opts });
  const conn = new Connection(ctx);
  conn.setConnectState();
  conn.setServerName('localhost');
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

async function withPeer(cmd: string, args: string[], body: (p: Peer) => Promise<void>): Promise<void> {
  const p = new Peer(cmd, args);
  try {
    await body(p);
  } finally {
    p.kill();
  }
}

// ---- our server, PSS certificate and key -------------------------------------------------

describe.skipIf(!OPENSSL)('our server with an id-RSASSA-PSS key', () => {
  let seed = 7000;
  for (const kind of ['pss', 'pss384', 'pss512'] as Kind[]) {
    it(`openssl s_client verifies our ${kind} CertificateVerify (${SCHEME[kind]})`, async () => {
      const c = pki.server[kind];
      const l = await listenTls(new TLSContext({ cert: c.certPem, key: c.keyPem }));
      try {
        await withPeer(
          'openssl',
          [
            's_client',
            '-connect',
            `127.0.0.1:${l.port}`,
            '-tls1_3',
            '-brief',
            '-servername',
            'localhost',
            '-CAfile',
            pki.caPath,
            '-verify_return_error',
            '-verify_hostname',
            'localhost',
            '-nocommands',
          ],
          async (cli) => {
            const up = payload(10_000, seed++),
              down = payload(5_000, seed++);
            cli.write(up);
            const { pump } = await l.accept();
            await pump.handshake();
            // s_client -brief (stderr): the chain verified, and the hash of
            // our CertificateVerify is the one the key's parameters name.
            await cli.waitFor('Verification: OK', 10_000, 'stderr');
            expect(cli.stderr).toContain(`Hash used: ${HASH[kind]}`);
            expect(cli.stderr).toContain('Signature type: RSA-PSS');
            expect(equal(await pump.readExactly(up.length), up)).toBe(true);
            await pump.writeAll(down);
            await cli.waitFor(down);
          },
        );
      } finally {
        l.dispose();
      }
    }, 30_000);
  }

  it('openssl s_client offering only rsa_pss_rsae_*: no shared scheme (a PSS key never signs rsae)', async () => {
    const c = pki.server.pss;
    const l = await listenTls(new TLSContext({ cert: c.certPem, key: c.keyPem }));
    try {
      await withPeer(
        'openssl',
        [
          's_client',
          '-connect',
          `127.0.0.1:${l.port}`,
          '-tls1_3',
          '-brief',
          '-sigalgs',
          'rsa_pss_rsae_sha256:rsa_pss_rsae_sha384:rsa_pss_rsae_sha512:rsa_pkcs1_sha256',
          '-nocommands',
        ],
        async (cli) => {
          const { conn, pump } = await l.accept();
          await expect(pump.handshake()).rejects.toThrow();
          expect(conn.error?.engineCode).toBe(TLS_ERR.SEND_ALERT + ALERT.handshake_failure);
          expect(conn.error?.reasonCode).toBe(TLS_ERR.NO_SHARED_SIGALG);
          await cli.waitFor('handshake failure', 10_000, 'stderr');
        },
      );
    } finally {
      l.dispose();
    }
  }, 30_000);

  it('Node tls.connect validates our PSS chain and talks', async () => {
    const c = pki.server.pss384;
    const l = await listenTls(new TLSContext({ cert: c.certPem, key: c.keyPem }));
    const sock = tls.connect({ port: l.port, host: '127.0.0.1', servername: 'localhost', ca: pki.caPem, minVersion: 'TLSv1.3' });
    try {
      const { pump } = await l.accept();
      const got: Buffer[] = [];
      sock.on('data', (d: Buffer) => got.push(d));
      const secure = new Promise<void>((resolve, reject) => {
        sock.once('secureConnect', resolve);
        sock.once('error', reject);
      });
      await pump.handshake();
      await secure;
      expect(sock.authorized).toBe(true);
      sock.write('ping from node');
      expect(Buffer.from(await pump.readExactly(14)).toString()).toBe('ping from node');
      await pump.writeAll(Buffer.from('pong from wasmtls'));
      await new Promise<void>((resolve) => {
        const t = setInterval(() => {
          if (Buffer.concat(got).toString() === 'pong from wasmtls') {
            clearInterval(t);
            resolve();
          }
        }, 10);
      });
    } finally {
      sock.destroy();
      l.dispose();
    }
  }, 30_000);

  it('requires a client certificate with a PSS key from openssl s_client, validated against the PSS CA', async () => {
    const c = pki.server.pss;
    const l = await listenTls(new TLSContext({ cert: c.certPem, key: c.keyPem, verify: 'chain', ca: pki.caPem, clientCert: 'require' }));
    try {
      await withPeer(
        'openssl',
        [
          's_client',
          '-connect',
          `127.0.0.1:${l.port}`,
          '-tls1_3',
          '-brief',
          '-cert',
          pki.client.certPath,
          '-key',
          pki.client.keyPath,
          '-nocommands',
        ],
        async (cli) => {
          const up = payload(3_000, seed++);
          cli.write(up);
          const { conn, pump } = await l.accept();
          await pump.handshake();
          expect(equal(await pump.readExactly(up.length), up)).toBe(true);
          expect(conn.peerAuthenticated).toBe(true);
          expect(conn.peerSignatureScheme).toBe('rsa_pss_pss_sha256');
        },
      );
    } finally {
      l.dispose();
    }
  }, 30_000);
});

// ---- our client, PSS server certificate -----------------------------------------------------

describe.skipIf(!OPENSSL)('our client against a server with an id-RSASSA-PSS key', () => {
  let seed = 8000;
  for (const kind of ['pss', 'pss384', 'pss512'] as Kind[]) {
    it(`openssl s_server ${kind}: chain of PSS signatures validated, ${SCHEME[kind]} verified`, async () => {
      const port = await freePort();
      const c = pki.server[kind];
      await withPeer(
        'openssl',
        ['s_server', '-accept', `127.0.0.1:${port}`, '-tls1_3', '-quiet', '-naccept', '1', '-cert', c.certPath, '-key', c.keyPath],
        async (srv) => {
          const d = await dial(port);
          try {
            await d.pump.handshake();
            expect(d.conn.peerSignatureScheme).toBe(SCHEME[kind]);
            const up = payload(5_000, seed++),
              down = payload(5_000, seed++);
            srv.write(down);
            await d.pump.writeAll(up);
            expect(equal(await d.pump.readExactly(down.length), down)).toBe(true);
            await srv.waitFor(up);
          } finally {
            d.dispose();
          }
        },
      );
    }, 30_000);
  }

  it('openssl s_server -Verify 1 takes our PSS client certificate', async () => {
    const port = await freePort();
    const c = pki.server.pss512;
    await withPeer(
      'openssl',
      [
        's_server',
        '-accept',
        `127.0.0.1:${port}`,
        '-tls1_3',
        '-naccept',
        '1',
        '-cert',
        c.certPath,
        '-key',
        c.keyPath,
        '-Verify',
        '1',
        '-CAfile',
        pki.caPath,
        '-verify_return_error',
      ],
      async (srv) => {
        const d = await dial(port, { cert: pki.client.certPem, key: pki.client.keyPem });
        try {
          await d.pump.handshake();
          const up = payload(3_000, seed++);
          await d.pump.writeAll(up);
          await srv.waitFor(up);
          // s_server prints the client certificate it verified.
          await srv.waitFor(pki.client.certPem.split('\n')[1]);
        } finally {
          d.dispose();
        }
      },
    );
  }, 30_000);

  it('Node tls.createServer (PSS key, client certificate requested) <- our client', async () => {
    const c = pki.server.pss;
    const seen: { authorized: boolean; cn?: string }[] = [];
    const server = tls.createServer(
      { cert: c.certPem, key: c.keyPem, ca: pki.caPem, requestCert: true, rejectUnauthorized: true, minVersion: 'TLSv1.3' },
      (s) => {
        seen.push({ authorized: s.authorized, cn: String(s.getPeerCertificate().subject?.CN) });
        s.on('data', (d: Buffer) => s.write(Buffer.concat([Buffer.from('echo:'), d])));
      },
    );
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const d = await dial((server.address() as AddressInfo).port, { cert: pki.client.certPem, key: pki.client.keyPem });
    try {
      await d.pump.handshake();
      expect(d.conn.peerSignatureScheme).toBe('rsa_pss_pss_sha256');
      await d.pump.writeAll(Buffer.from('hi'));
      expect(Buffer.from(await d.pump.readExactly(7)).toString()).toBe('echo:hi');
      expect(seen).toEqual([{ authorized: true, cn: 'client.test' }]);
    } finally {
      d.dispose();
      server.close();
    }
  }, 30_000);

  it('refuses a server key whose PSS parameters TLS 1.3 cannot use (MGF1-SHA-1): unsupported_certificate', async () => {
    const port = await freePort();
    const c = pki.mgf1sha1;
    await withPeer(
      'openssl',
      ['s_server', '-accept', `127.0.0.1:${port}`, '-tls1_3', '-quiet', '-naccept', '1', '-cert', c.certPath, '-key', c.keyPath],
      async () => {
        const d = await dial(port, { verify: 'insecure-no-chain-validation' });
        try {
          await expect(d.pump.handshake()).rejects.toThrow();
          expect(d.conn.error?.engineCode).toBe(TLS_ERR.SEND_ALERT + ALERT.unsupported_certificate);
        } finally {
          d.dispose();
        }
      },
    );
  }, 30_000);
});

// ---- GnuTLS: it names rsa_pss_pss_* ("RSA-PSS-SHA384") apart from rsae ----------------------

const GNUTLS = have('gnutls-serv', ['--version']) && have('gnutls-cli', ['--version']);
const GNUTLS_NAME: Record<Kind, string> = { pss: 'RSA-PSS-SHA256', pss384: 'RSA-PSS-SHA384', pss512: 'RSA-PSS-SHA512' };

describe.skipIf(!OPENSSL || !GNUTLS)('GnuTLS and id-RSASSA-PSS keys', () => {
  let seed = 9000;
  for (const kind of ['pss', 'pss384', 'pss512'] as Kind[]) {
    it(`gnutls-cli -> our ${kind} server: chain trusted, ${GNUTLS_NAME[kind]} (not RSA-PSS-RSAE)`, async () => {
      const c = pki.server[kind];
      const l = await listenTls(new TLSContext({ cert: c.certPem, key: c.keyPem }));
      try {
        await withPeer('gnutls-cli', ['-p', String(l.port), '--x509cafile', pki.caPath, '127.0.0.1'], async (cli) => {
          const up = payload(4_000, seed++),
            down = payload(4_000, seed++);
          cli.write(up);
          const { pump } = await l.accept();
          await pump.handshake();
          await cli.waitFor('The certificate is trusted');
          await cli.waitFor(`-(${GNUTLS_NAME[kind]})-`);
          expect(equal(await pump.readExactly(up.length), up)).toBe(true);
          await pump.writeAll(down);
          await cli.waitFor(down);
        });
      } finally {
        l.dispose();
      }
    }, 30_000);
  }

  it('gnutls-cli with a PSS client certificate -> our server (clientCert require, PSS CA)', async () => {
    const c = pki.server.pss;
    const l = await listenTls(new TLSContext({ cert: c.certPem, key: c.keyPem, verify: 'chain', ca: pki.caPem, clientCert: 'require' }));
    try {
      await withPeer(
        'gnutls-cli',
        [
          '-p',
          String(l.port),
          '--x509cafile',
          pki.caPath,
          '--x509certfile',
          pki.client.certPath,
          '--x509keyfile',
          pki.client.keyPath,
          '127.0.0.1',
        ],
        async (cli) => {
          const up = payload(2_000, seed++);
          cli.write(up);
          const { conn, pump } = await l.accept();
          await pump.handshake();
          expect(equal(await pump.readExactly(up.length), up)).toBe(true);
          expect(conn.peerAuthenticated).toBe(true);
          expect(conn.peerSignatureScheme).toBe('rsa_pss_pss_sha256');
        },
      );
    } finally {
      l.dispose();
    }
  }, 30_000);

  it('our client with a PSS client certificate -> gnutls-serv (PSS SHA-512 key, --require-client-cert)', async () => {
    const port = await freePort();
    const c = pki.server.pss512;
    await withPeer(
      'gnutls-serv',
      [
        '--echo',
        '-p',
        String(port),
        '--x509certfile',
        c.certPath,
        '--x509keyfile',
        c.keyPath,
        '--x509cafile',
        pki.caPath,
        '--require-client-cert',
        '--verify-client-cert',
      ],
      async (srv) => {
        const d = await dial(port, { cert: pki.client.certPem, key: pki.client.keyPem });
        try {
          await d.pump.handshake();
          expect(d.conn.peerSignatureScheme).toBe('rsa_pss_pss_sha512');
          const up = payload(3_000, seed++);
          await d.pump.writeAll(up);
          expect(equal(await d.pump.readExactly(up.length), up)).toBe(true);
          // gnutls-serv prints the client's certificate and that it verified.
          await srv.waitFor('client.test');
        } finally {
          d.dispose();
        }
      },
    );
  }, 30_000);
});

// ---- in memory: which scheme a PSS key signs with ----------------------------------------------

describe.skipIf(!OPENSSL)('scheme choice for PSS keys (our client and server in memory)', () => {
  const pair = (c: Cert, client: TLSContextOptions, server: TLSContextOptions = {}) => {
    const cctx = new TLSContext({ verify: 'chain', ca: pki.caPem, ...client });
    const sctx = new TLSContext({ cert: c.certPem, key: c.keyPem, ...server });
    const cc = new Connection(cctx),
      sc = new Connection(sctx);
    cc.setConnectState();
    cc.setServerName('localhost');
    sc.setAcceptState();
    return {
      cc,
      sc,
      dispose: () => {
        cc.dispose();
        sc.dispose();
        cctx.dispose();
        sctx.dispose();
      },
    };
  };

  for (const kind of ['pss', 'pss384', 'pss512'] as Kind[]) {
    it(`${kind}: the server signs with ${SCHEME[kind]} although sha256 comes first in the list`, () => {
      const p = pair(pki.server[kind], {});
      try {
        handshake(p.cc, p.sc);
        expect(p.cc.peerSignatureScheme).toBe(SCHEME[kind]);
      } finally {
        p.dispose();
      }
    });
  }

  it('a PSS certificate whose key parameters are malformed: bad_certificate, not unsupported_certificate', () => {
    // The SHA-384 leaf's SPKI carries RSASSA-PSS-params { [0] sha384, ... };
    // turn its [0] into [5] (same length): a corrupt key (RFC 8446 6.2).
    const der = Buffer.from(pki.server.pss384.certPem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
    const sha384 = Buffer.from('a00f300d06096086480165030402020500', 'hex');
    const at = der.indexOf(sha384);
    expect(at).toBeGreaterThan(0);
    expect(der.indexOf(sha384, at + 1)).toBe(-1); // only in the SPKI (the CA signs with SHA-256)
    const bad = Buffer.from(der);
    bad[at] = 0xa5;
    const p = pair(pki.server.pss384, { verify: 'insecure-no-chain-validation' }, { cert: new Uint8Array(bad) });
    try {
      expect(() => handshake(p.cc, p.sc)).toThrow(TLSError);
      expect(p.cc.error?.engineCode).toBe(TLS_ERR.SEND_ALERT + ALERT.bad_certificate);
    } finally {
      p.dispose();
    }
    // The same certificate intact goes through (the server's key matches).
    const q = pair(pki.server.pss384, { verify: 'insecure-no-chain-validation' }, { cert: new Uint8Array(der) });
    try {
      handshake(q.cc, q.sc);
      expect(q.cc.peerSignatureScheme).toBe('rsa_pss_pss_sha384');
    } finally {
      q.dispose();
    }
  });

  it('chain validation checks the PSS CA signature: one flipped bit of it and the chain is refused', () => {
    const der = Buffer.from(pki.server.pss.certPem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
    der[der.length - 1] ^= 1; // last byte of the signatureValue BIT STRING
    const p = pair(pki.server.pss, {}, { cert: new Uint8Array(der) });
    try {
      expect(() => handshake(p.cc, p.sc)).toThrow(TLSError);
      expect(p.cc.error?.reasonCode).toBe(TLS_ERR.CERT_REJECTED);
      expect(p.cc.verifyError).toBe('CERT_SIGNATURE_FAILURE');
    } finally {
      p.dispose();
    }
  });

  it('a PSS certificate with its key given as PKCS #1 (rsaEncryption): no rsae signature goes out', () => {
    // The unrestricted PSS key's PKCS #8 holds a plain RSAPrivateKey
    // (RFC 8017 A.1.2) in its privateKey OCTET STRING: as "RSA PRIVATE
    // KEY" it is the same key with the rsaEncryption type.
    const p8 = Buffer.from(pki.server.pss.keyPem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
    const tlv = (b: Buffer, o: number) => {
      const n = b[o + 1];
      if (n < 0x80) return { start: o + 2, end: o + 2 + n };
      let len = 0;
      for (let i = 0; i < (n & 0x7f); i++) len = len * 256 + b[o + 2 + i];
      return { start: o + 2 + (n & 0x7f), end: o + 2 + (n & 0x7f) + len };
    };
    const seq = tlv(p8, 0),
      ver = tlv(p8, seq.start),
      alg = tlv(p8, ver.end),
      oct = tlv(p8, alg.end);
    expect(p8[alg.end]).toBe(0x04);
    const pkcs1 = p8.subarray(oct.start, oct.end);
    const p = pair(pki.server.pss, {}, { key: new Uint8Array(pkcs1) });
    try {
      expect(() => handshake(p.cc, p.sc)).toThrow(TLSError);
      // The server finds no scheme that fits both its certificate (PSS:
      // pss_pss only) and its key (rsaEncryption: rsae only) ...
      expect(p.sc.error?.engineCode).toBe(TLS_ERR.SEND_ALERT + ALERT.handshake_failure);
      expect(p.sc.error?.reasonCode).toBe(TLS_ERR.NO_SHARED_SIGALG);
      // ... rather than signing rsa_pss_rsae_* for a PSS certificate,
      // which the client would have to refuse.
      expect(p.cc.peerSignatureScheme).toBeUndefined();
    } finally {
      p.dispose();
    }
  });

  it('a SHA-384-restricted key and a client offering only rsa_pss_pss_sha256 and rsae: handshake_failure', () => {
    const p = pair(pki.server.pss384, { sigalgs: ['rsa_pss_pss_sha256', 'rsa_pss_rsae_sha384', 'rsa_pss_rsae_sha256'] });
    try {
      expect(() => handshake(p.cc, p.sc)).toThrow(TLSError);
      expect(p.sc.error?.engineCode).toBe(TLS_ERR.SEND_ALERT + ALERT.handshake_failure);
      expect(p.sc.error?.reasonCode).toBe(TLS_ERR.NO_SHARED_SIGALG);
    } finally {
      p.dispose();
    }
  });
});

// ---- keys we cannot use: named -------------------------------------------------------------------

describe('private keys the engine cannot use are refused by name', () => {
  // node:crypto (OpenSSL) makes the keys: PKCS #8 PEM of any type it has.
  const keygen = generateKeyPairSync as unknown as (type: string, opts: object) => { privateKey: KeyObject };
  const pkcs8 = (type: string, opts: object): string => keygen(type, opts).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  const cases: [string, () => string, RegExp][] = [
    ['DSA', () => pkcs8('dsa', { modulusLength: 1024, divisorLength: 160 }), /^wasmtls: unsupported private key type: DSA \[code 0x7\]$/],
    ['X448', () => pkcs8('x448', {}), /unsupported private key type: X448 /],
    ['Ed448', () => pkcs8('ed448', {}), /unsupported private key type: Ed448 /],
    ['X25519', () => pkcs8('x25519', {}), /unsupported private key type: X25519 \(key agreement only/],
    ['P-521', () => pkcs8('ec', { namedCurve: 'P-521' }), /unsupported private key type: EC P-521 /],
    ['secp256k1', () => pkcs8('ec', { namedCurve: 'secp256k1' }), /unsupported private key type: EC secp256k1 /],
    ['RSA 1024', () => pkcs8('rsa', { modulusLength: 1024 }), /unsupported private key type: RSA with a modulus outside 2048\.\.4096 bits/],
  ];
  for (const [name, make, msg] of cases) {
    it(name, () => {
      const key = make();
      let err: unknown;
      try {
        new TLSContext({ key }).dispose();
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(TLSError);
      expect((err as TLSError).engineCode).toBe(TLS_ERR.CONFIG);
      expect((err as TLSError).message).toMatch(msg);
    });
  }

  it.skipIf(!OPENSSL)('PSS key with MGF1-SHA-1 (OpenSSL 3.0 rsa_pss_keygen_md:sha256 alone)', () => {
    expect(() => new TLSContext({ key: pki.mgf1sha1.keyPem })).toThrow(
      /unsupported private key type: RSASSA-PSS whose MGF1 hash differs from its hash/,
    );
  });

  it.skipIf(!OPENSSL)('PSS key with a minimum salt longer than its hash', () => {
    expect(() => new TLSContext({ key: pki.salt64.keyPem })).toThrow(
      /unsupported private key type: RSASSA-PSS with a minimum salt length above the hash length/,
    );
  });

  it.skipIf(!OPENSSL)('PSS key restricted to SHA-1', () => {
    const der = execFileSync(
      'openssl',
      [
        'genpkey',
        '-algorithm',
        'RSA-PSS',
        '-pkeyopt',
        'rsa_keygen_bits:2048',
        '-pkeyopt',
        'rsa_pss_keygen_md:sha1',
        '-pkeyopt',
        'rsa_pss_keygen_mgf1_md:sha1',
        '-outform',
        'DER',
      ],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    );
    expect(() => new TLSContext({ key: new Uint8Array(der) })).toThrow(/unsupported private key type: RSASSA-PSS restricted to SHA-1/);
  });

  it.skipIf(!OPENSSL)('traditional PEM of another type: "DSA PRIVATE KEY", OpenSSL\'s "RSA-PSS PRIVATE KEY"', () => {
    const dsa8 = pkcs8('dsa', { modulusLength: 1024, divisorLength: 160 });
    const dsa = execFileSync('openssl', ['pkey', '-traditional'], { input: dsa8, stdio: ['pipe', 'pipe', 'ignore'] }).toString();
    expect(dsa).toContain('-----BEGIN DSA PRIVATE KEY-----');
    expect(() => new TLSContext({ key: dsa })).toThrow(/^wasmtls: unsupported private key type: DSA \[code 0x7\]$/);
    // `openssl rsa -traditional` on a PSS key: PKCS #1 under a label of
    // its own, the parameters gone (OpenSSL 3.0 cannot read it back).
    const pss = execFileSync('openssl', ['rsa', '-in', pki.server.pss384.keyPath, '-traditional'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    }).toString();
    expect(pss).toContain('-----BEGIN RSA-PSS PRIVATE KEY-----');
    expect(() => new TLSContext({ key: pss })).toThrow(/unsupported private key type: RSA-PSS PRIVATE KEY .*PKCS #8/);
  });

  it('a malformed key says so, not "unsupported"', () => {
    const key = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'der' });
    expect(() => new TLSContext({ key: new Uint8Array(key.subarray(0, key.length - 1)) })).toThrow(/malformed private key/);
  });

  it.skipIf(!OPENSSL)('an unrestricted PSS key loads (PEM "PRIVATE KEY")', () => {
    const ctx = new TLSContext({ key: pki.server.pss.keyPem });
    ctx.dispose();
  });
});
