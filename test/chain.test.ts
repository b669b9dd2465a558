/**
 * Certificate validation inside the handshake (policy 'chain'): a CA and
 * leaves made by `openssl` at test time (nothing committed), in memory and
 * against real peers on 127.0.0.1: our client validating the chains served
 * by `openssl s_server` and `gnutls-serv` against the test root, and mutual
 * TLS both ways with OpenSSL.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALERT, Connection, TLSContext, TLSError } from '../ts/core/connection.js';
import { handshake } from '../ts/core/pump.js';
import { spkiSha256 } from '../ts/core/x509.js';
import { useBuild } from './helpers/env.js';
import { connectRetry, SocketPump } from './helpers/netpump.js';
import { have, payload, Peer } from './helpers/peers.js';
import { freePort } from './helpers/runtimes.js';

// The module's clock: Date.now() moved by `skew` ms (certificate validity
// tests run days ahead without waiting).
let skew = 0;
useBuild('simd', { now: () => Date.now() + skew });
let dir: string;
const f = (n: string) => join(dir, n);
const pem = (n: string) => readFileSync(f(n), 'utf8');
const der = (n: string) => new Uint8Array(Buffer.from(pem(n).replace(/-----[^-]+-----|\s+/g, ''), 'base64'));
const ossl = (...a: string[]) => execFileSync('openssl', a, { stdio: ['ignore', 'ignore', 'pipe'] });

/** A P-256 key and a certificate for `cn` signed by the CA. */
function issue(name: string, cn: string, ext: string): void {
  ossl(
    'req',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    f(`${name}.key`),
    '-out',
    f(`${name}.csr`),
    '-subj',
    `/CN=${cn}`,
  );
  writeFileSync(f(`${name}.ext`), ext);
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
    '-out',
    f(`${name}.crt`),
  );
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'wasmtls-chain-'));
  ossl(
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    f('ca.key'),
    '-out',
    f('ca.crt'),
    '-days',
    '3',
    '-subj',
    '/CN=wasmtls chain test CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign',
  );
  issue(
    'server',
    'localhost',
    'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n' +
      'keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n',
  );
  issue('client', 'client.test', 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n');
  writeFileSync(f('server-chain.crt'), pem('server.crt') + pem('ca.crt'));
  // A leaf that claims to be a CA (cA=TRUE), from the same CA.
  issue(
    'caleaf',
    'localhost',
    'subjectAltName=DNS:localhost\nbasicConstraints=critical,CA:TRUE\n' +
      'keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n',
  );
  // A root that expires (2 days) before its leaf (3 days).
  ossl(
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    f('shortca.key'),
    '-out',
    f('shortca.crt'),
    '-days',
    '2',
    '-subj',
    '/CN=wasmtls short-lived CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign',
  );
  ossl(
    'req',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    f('shortleaf.key'),
    '-out',
    f('shortleaf.csr'),
    '-subj',
    '/CN=localhost',
  );
  writeFileSync(f('shortleaf.ext'), 'subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n');
  ossl(
    'x509',
    '-req',
    '-in',
    f('shortleaf.csr'),
    '-CA',
    f('shortca.crt'),
    '-CAkey',
    f('shortca.key'),
    '-set_serial',
    '77',
    '-days',
    '3',
    '-extfile',
    f('shortleaf.ext'),
    '-out',
    f('shortleaf.crt'),
  );
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const equal = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));

describe('policy chain, in memory', () => {
  function pair(client: ConstructorParameters<typeof TLSContext>[0], sni = 'localhost') {
    const cctx = new TLSContext(client);
    const sctx = new TLSContext({ cert: pem('server-chain.crt'), key: pem('server.key') });
    const c = new Connection(cctx);
    const s = new Connection(sctx);
    c.setConnectState();
    s.setAcceptState();
    if (sni) c.setServerName(sni);
    return {
      c,
      s,
      done: () => {
        c.dispose();
        s.dispose();
        cctx.dispose();
        sctx.dispose();
      },
    };
  }

  it('a valid chain for the name: verifyCode 0', () => {
    const p = pair({ verify: 'chain', ca: pem('ca.crt') });
    handshake(p.c, p.s);
    expect(p.c.verifyCode).toBe(0);
    expect(p.c.verifyError).toBeUndefined();
    p.done();
  });

  it('an IP literal checked through setVerifyHost (never sent as SNI)', () => {
    const p = pair({ verify: 'chain', ca: der('ca.crt') }, '');
    p.c.setVerifyHost('127.0.0.1');
    handshake(p.c, p.s);
    expect(p.c.verifyCode).toBe(0);
    p.done();
  });

  it('wrong host: ERR_TLS_CERT_ALTNAME_INVALID, the alert sent, a sticky TLSError', () => {
    const p = pair({ verify: 'chain', ca: pem('ca.crt') }, 'example.com');
    let err: unknown;
    try {
      handshake(p.c, p.s);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(TLSError);
    expect(p.c.verifyError).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
    expect((err as TLSError).alert).toBe(ALERT.bad_certificate);
    p.done();
  });

  it('untrusted root: unknown_ca', () => {
    // The server's own leaf as the only anchor would validate; a foreign CA does not.
    ossl(
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      f('other.key'),
      '-out',
      f('other.crt'),
      '-days',
      '3',
      '-subj',
      '/CN=other CA',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
    );
    const p = pair({ verify: 'chain', ca: pem('other.crt') });
    expect(() => handshake(p.c, p.s)).toThrow(TLSError);
    // The server sends its root too: a self-signed certificate that no
    // anchor vouches for (OpenSSL's name for the same case).
    expect(p.c.verifyError).toBe('SELF_SIGNED_CERT_IN_CHAIN');
    expect(p.c.error?.alert).toBe(ALERT.unknown_ca);
    p.done();
  });

  it('onVerify sees the chain and the verdict, and may overrule it', () => {
    const seen: { n: number; verdict?: string }[] = [];
    const p = pair(
      {
        verify: 'chain',
        ca: pem('ca.crt'),
        onVerify: (chain, conn) => {
          seen.push({ n: chain.length, verdict: conn.verifyError });
          return 0; // accept even though the host is wrong
        },
      },
      'wrong.example',
    );
    handshake(p.c, p.s);
    expect(seen).toEqual([{ n: 2, verdict: 'ERR_TLS_CERT_ALTNAME_INVALID' }]);
    p.done();
  });

  it('SPKI pins: the leaf pin passes, a wrong pin fails with PIN mismatch', () => {
    const good = pair({ verify: 'chain', ca: pem('ca.crt'), pins: [spkiSha256(der('server.crt'))] });
    handshake(good.c, good.s);
    good.done();
    const bad = pair({ verify: 'chain', ca: pem('ca.crt'), pins: [new Uint8Array(32)] });
    expect(() => handshake(bad.c, bad.s)).toThrow(TLSError);
    expect(bad.c.verifyError).toMatch(/PIN/);
    bad.done();
  });

  /** Handshake with `server`'s chain and key against anchor `ca`; the
   * client's verdict, alert and whether the handshake threw. */
  function verdict(server: string, ca: string) {
    const cctx = new TLSContext({ verify: 'chain', ca: pem(ca) });
    const sctx = new TLSContext({ cert: pem(`${server}.crt`), key: pem(`${server}.key`) });
    const c = new Connection(cctx);
    const s = new Connection(sctx);
    c.setConnectState();
    s.setAcceptState();
    c.setServerName('localhost');
    let threw = false;
    try {
      handshake(c, s);
    } catch (e) {
      expect(e).toBeInstanceOf(TLSError);
      threw = true;
    }
    const out = { threw, code: c.verifyCode, error: c.verifyError, alert: c.error?.alert };
    c.dispose();
    s.dispose();
    cctx.dispose();
    sctx.dispose();
    return out;
  }

  it('the handshake uses the same validator: a leaf with cA=TRUE is refused (INVALID_NON_CA, bad_certificate)', () => {
    expect(verdict('server', 'ca.crt')).toMatchObject({ threw: false, code: 0 });
    expect(verdict('caleaf', 'ca.crt')).toMatchObject({ threw: true, error: 'INVALID_NON_CA', alert: ALERT.bad_certificate });
  });

  it('the handshake uses the same validator: an expired trust anchor is refused (certificate_expired)', () => {
    try {
      expect(verdict('shortleaf', 'shortca.crt')).toMatchObject({ threw: false, code: 0 });
      skew = 2.5 * 86_400_000; // the root has expired, its leaf has not
      expect(verdict('shortleaf', 'shortca.crt')).toMatchObject({
        threw: true,
        error: 'CERT_HAS_EXPIRED',
        alert: ALERT.certificate_expired,
      });
    } finally {
      skew = 0;
    }
  });

  it("'chain' without anchors is refused at configuration", () => {
    expect(() => new TLSContext({ verify: 'chain' })).toThrow(/needs trust anchors/);
  });
});

describe("the handshake's end-entity key rule is the validator's (Node tls as the server)", () => {
  /** Our client (no chain validation: the key rule applies regardless)
   * against a Node TLS server whose RSA key has `bits` bits. */
  async function against(bits: number) {
    const { createServer } = await import('node:tls');
    const name = `rsa${bits}`;
    ossl('genpkey', '-algorithm', 'RSA', '-pkeyopt', `rsa_keygen_bits:${bits}`, '-out', f(`${name}.key`));
    ossl(
      'req',
      '-x509',
      '-key',
      f(`${name}.key`),
      '-out',
      f(`${name}.crt`),
      '-days',
      '3',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost',
    );
    const server = createServer({ cert: pem(`${name}.crt`), key: pem(`${name}.key`), minVersion: 'TLSv1.3' }, (s) => s.end());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const ctx = new TLSContext({ verify: 'insecure-no-chain-validation' });
    const conn = new Connection(ctx);
    conn.setConnectState();
    conn.setServerName('localhost');
    const sock = await connectRetry((server.address() as { port: number }).port);
    const pump = new SocketPump(conn, sock);
    try {
      await pump.handshake();
      return { ok: true, alert: undefined };
    } catch (e) {
      return { ok: false, alert: (e as TLSError).alert };
    } finally {
      sock.destroy();
      server.close();
      conn.dispose();
      ctx.dispose();
    }
  }

  it('RSA-2048 is accepted; RSA-2056 (whole octets) too; RSA-2052 (not a multiple of 8 bits) is refused with unsupported_certificate', async () => {
    expect(await against(2048)).toEqual({ ok: true, alert: undefined });
    expect(await against(2056)).toEqual({ ok: true, alert: undefined });
    expect(await against(2052)).toEqual({ ok: false, alert: ALERT.unsupported_certificate });
  });
});

const OPENSSL = have('openssl', ['version']);
const GNUTLS = have('gnutls-serv', ['--version']);

/** Our client, policy chain, to 127.0.0.1:port; data both ways. */
async function clientTo(port: number, srv: Peer, extra: ConstructorParameters<typeof TLSContext>[0] = {}) {
  const ctx = new TLSContext({ verify: 'chain', ca: pem('ca.crt'), ...extra });
  const conn = new Connection(ctx);
  conn.setConnectState();
  conn.setServerName('localhost');
  const sock = await connectRetry(port);
  const pump = new SocketPump(conn, sock);
  try {
    await pump.handshake();
    expect(conn.verifyCode).toBe(0);
    const up = payload(5000, port),
      down = payload(3000, port + 1);
    srv.write(down);
    await pump.writeAll(up);
    expect(equal(await pump.readExactly(down.length), down)).toBe(true);
    await srv.waitFor(up);
  } finally {
    sock.destroy();
    conn.dispose();
    ctx.dispose();
  }
}

describe.skipIf(!OPENSSL)('real peers: OpenSSL', () => {
  it('our client validates the chain served by openssl s_server', async () => {
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
      f('server.crt'),
      '-key',
      f('server.key'),
      '-cert_chain',
      f('ca.crt'),
    ]);
    try {
      await clientTo(port, srv);
    } finally {
      srv.kill();
    }
  });

  it('mutual TLS: openssl s_server requires our client certificate', async () => {
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
      f('server.crt'),
      '-key',
      f('server.key'),
      '-cert_chain',
      f('ca.crt'),
      '-Verify',
      '2',
      '-CAfile',
      f('ca.crt'),
      '-verify_return_error',
    ]);
    try {
      await clientTo(port, srv, { cert: pem('client.crt'), key: pem('client.key') });
    } finally {
      srv.kill();
    }
  });

  it('mutual TLS: our server (policy chain, client certificate required) validates openssl s_client', async () => {
    const { createServer } = await import('node:net');
    const sctx = new TLSContext({
      cert: pem('server-chain.crt'),
      key: pem('server.key'),
      verify: 'chain',
      ca: pem('ca.crt'),
      clientCert: 'require',
    });
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const accepted = new Promise<import('node:net').Socket>((r) => server.once('connection', r));
    const cli = new Peer('openssl', [
      's_client',
      '-connect',
      `127.0.0.1:${port}`,
      '-tls1_3',
      '-quiet',
      '-servername',
      'localhost',
      '-cert',
      f('client.crt'),
      '-key',
      f('client.key'),
      '-CAfile',
      f('ca.crt'),
      '-verify_return_error',
    ]);
    const sock = await accepted;
    const conn = new Connection(sctx);
    conn.setAcceptState();
    const pump = new SocketPump(conn, sock);
    try {
      const up = payload(4000, 7);
      cli.write(up);
      await pump.handshake();
      expect(conn.verifyCode).toBe(0);
      expect(equal(await pump.readExactly(up.length), up)).toBe(true);
    } finally {
      cli.kill();
      sock.destroy();
      server.close();
      conn.dispose();
      sctx.dispose();
    }
  });
});

describe.skipIf(!GNUTLS)('real peers: GnuTLS', () => {
  it('our client validates the chain served by gnutls-serv', async () => {
    const port = await freePort();
    const srv = new Peer('gnutls-serv', [
      '--port',
      String(port),
      '--x509certfile',
      f('server-chain.crt'),
      '--x509keyfile',
      f('server.key'),
      '--priority',
      'NORMAL:-VERS-ALL:+VERS-TLS1.3',
      '--echo',
    ]);
    try {
      const ctx = new TLSContext({ verify: 'chain', ca: pem('ca.crt') });
      const conn = new Connection(ctx);
      conn.setConnectState();
      conn.setServerName('localhost');
      const sock = await connectRetry(port);
      const pump = new SocketPump(conn, sock);
      try {
        await pump.handshake();
        expect(conn.verifyCode).toBe(0);
        const data = payload(2000, 11);
        await pump.writeAll(data);
        expect(equal(await pump.readExactly(data.length), data)).toBe(true); // --echo
      } finally {
        sock.destroy();
        conn.dispose();
        ctx.dispose();
      }
    } finally {
      srv.kill();
    }
  });
});
