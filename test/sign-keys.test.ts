/**
 * Private keys that never enter the module (issue #17): the key is a
 * non-extractable WebCrypto CryptoKey (cryptoKeySigner) or any
 * `{ sign, schemes }`; the engine pauses with WANT_PRIVATE_KEY_OPERATION
 * and resumes with the signature. The oracle is always the peer that
 * verifies the signature: Node's tls (OpenSSL) as client of our server
 * (TLS 1.3 CertificateVerify, TLS 1.2 ServerKeyExchange) and as server
 * requiring our client certificate (TLS 1.3 CertificateVerify), `openssl
 * s_client -verify_return_error`, and our own client in memory.
 */
import { execFileSync, spawn } from 'node:child_process';
import { sign as nodeSign } from 'node:crypto';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { type AddressInfo, createServer, connect as netConnect, type Server } from 'node:net';
import * as nodeTls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromNodeSocket } from '../ts/adapters/node-socket.js';
import { type AcceptOptions, accept, connect, type TLSSocket } from '../ts/api/tls.js';
import { Connection } from '../ts/core/connection.js';
import { TLSContext } from '../ts/core/context.js';
import { TLS_ERR, TLSError } from '../ts/core/errors.js';
import { wasm } from '../ts/core/loader.js';
import { cryptoKeySigner, p1363ToDer, type PrivateKeySigner } from '../ts/core/signer.js';
import { useBuild } from './helpers/env.js';
import { memoryPair } from './helpers/memory-pair.js';
import { makePki, type Pki } from './helpers/pki.js';

useBuild('simd');
const subtle = globalThis.crypto.subtle;
const enc = new TextEncoder();
const dec = new TextDecoder();

type Kind = 'P-256' | 'P-384' | 'RSA-PSS';
const KINDS: Kind[] = ['P-256', 'P-384', 'RSA-PSS'];

interface Identity {
  key: CryptoKey; // non-extractable
  serverChain: string; // leaf (localhost, serverAuth) + CA
  clientChain: string; // leaf (client.test, clientAuth) + CA
}

let pki: Pki;
const ids = new Map<Kind, Identity>();

function pem(label: string, der: ArrayBuffer): string {
  const b64 = Buffer.from(der).toString('base64');
  return `-----BEGIN ${label}-----\n${b64.replace(/.{64}/g, '$&\n').replace(/\n?$/, '\n')}-----END ${label}-----\n`;
}

/** A certificate from the test CA for a public key we only have as SPKI
 * (openssl x509 -force_pubkey over a CSR of another key: the CSR gives the
 * subject, the extensions file the rest). */
function certFor(spkiPem: string, name: 'server' | 'client', tag: string): string {
  const pub = pki.path(`${tag}-${name}.pub`);
  writeFileSync(pub, spkiPem);
  const out = pki.path(`${tag}-${name}.crt`);
  execFileSync(
    'openssl',
    [
      'x509',
      '-req',
      '-in',
      pki.path(`${name}.csr`),
      '-force_pubkey',
      pub,
      '-CA',
      pki.path('ca.crt'),
      '-CAkey',
      pki.path('ca.key'),
      '-CAcreateserial',
      '-days',
      '3',
      '-extfile',
      pki.path(`${name}.ext`),
      '-out',
      out,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  return execFileSync('cat', [out], { encoding: 'utf8' }) + pki.caPem;
}

async function makeIdentity(kind: Kind): Promise<Identity> {
  const pair =
    kind === 'RSA-PSS'
      ? await subtle.generateKey(
          { name: 'RSA-PSS', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
          false,
          ['sign', 'verify'],
        )
      : await subtle.generateKey({ name: 'ECDSA', namedCurve: kind }, false, ['sign', 'verify']);
  expect(pair.privateKey.extractable).toBe(false);
  const spki = pem('PUBLIC KEY', await subtle.exportKey('spki', pair.publicKey));
  return { key: pair.privateKey, serverChain: certFor(spki, 'server', kind), clientChain: certFor(spki, 'client', kind) };
}

beforeAll(async () => {
  pki = makePki();
  for (const k of KINDS) ids.set(k, await makeIdentity(k));
}, 60_000);
afterAll(() => pki?.dispose());

const id = (k: Kind): Identity => ids.get(k) as Identity;
const used = (): number => wasm().memoryUsage().used;

/** Our accept() behind a loopback port, one connection. */
async function ourServer(opts: Omit<AcceptOptions, 'transport'>): Promise<{ port: number; server: Server; tls: Promise<TLSSocket> }> {
  let give: (s: TLSSocket) => void = () => {};
  const tls = new Promise<TLSSocket>((r) => {
    give = r;
  });
  const server = createServer({ allowHalfOpen: true }, (sock) => give(accept({ transport: fromNodeSocket(sock), ...opts })));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { port: (server.address() as AddressInfo).port, server, tls };
}

async function readSome(s: TLSSocket): Promise<string> {
  const r = s.readable.getReader();
  const { value } = await r.read();
  r.releaseLock();
  return dec.decode(value);
}

describe('our server, key as a non-extractable CryptoKey; Node tls.connect verifies', () => {
  for (const kind of KINDS) {
    for (const version of ['TLSv1.3', 'TLSv1.2'] as const) {
      it(`${kind} ${version}`, async () => {
        let calls = 0;
        const signer = cryptoKeySigner(id(kind).key);
        const counted: PrivateKeySigner = {
          schemes: signer.schemes,
          sign: (scheme, data) => {
            calls++;
            return signer.sign(scheme, data);
          },
        };
        const { port, server, tls } = await ourServer({ cert: id(kind).serverChain, key: counted });
        try {
          const sock = nodeTls.connect({
            host: '127.0.0.1',
            port,
            servername: 'localhost',
            ca: pki.caPem,
            minVersion: version,
            maxVersion: version,
          });
          await once(sock, 'secureConnect');
          // The oracle: OpenSSL (in Node) checked the chain and our
          // signature (CertificateVerify / ServerKeyExchange) with the
          // public key in the certificate.
          expect(sock.authorized).toBe(true);
          expect(sock.getProtocol()).toBe(version);
          expect(sock.getPeerX509Certificate()?.subject).toContain('CN=localhost');
          const s = await tls;
          const info = await s.opened;
          expect(info.version).toBe(version);
          expect(calls).toBe(1);
          const w = s.writable.getWriter();
          await w.write(enc.encode('signed outside'));
          const [got] = (await once(sock, 'data')) as [Buffer];
          expect(got.toString()).toBe('signed outside');
          sock.end();
          await s.close();
        } finally {
          server.close();
        }
      });
    }
  }

  it('openssl s_client -verify_return_error (TLS 1.3, P-384)', async () => {
    const { port, server, tls } = await ourServer({ cert: id('P-384').serverChain, key: cryptoKeySigner(id('P-384').key) });
    try {
      const p = spawn(
        'openssl',
        [
          's_client',
          '-connect',
          `127.0.0.1:${port}`,
          '-servername',
          'localhost',
          '-CAfile',
          pki.path('ca.crt'),
          '-verify_return_error',
          '-tls1_3',
        ],
        { stdio: ['pipe', 'pipe', 'pipe'] },
      );
      // Registered now: s_client may exit (at stdin's end) before close() returns.
      const exited = once(p, 'exit');
      let out = '';
      p.stdout.on('data', (d: Buffer) => {
        out += d.toString();
      });
      const s = await tls;
      await s.opened;
      const w = s.writable.getWriter();
      await w.write(enc.encode('from-our-server\n'));
      for (let i = 0; i < 200 && !out.includes('from-our-server'); i++) await new Promise((r) => setTimeout(r, 25));
      p.stdin.end();
      await s.close();
      await exited;
      expect(out).toContain('Verify return code: 0 (ok)');
      expect(out).toMatch(/Peer signature type: ECDSA/);
      expect(out).toContain('from-our-server');
    } finally {
      server.close();
    }
  });
});

describe('our client certificate key as a CryptoKey; Node tls.createServer requires and verifies it', () => {
  for (const kind of KINDS) {
    it(`${kind} TLSv1.3`, async () => {
      const srv = nodeTls.createServer({
        cert: pki.serverChainPem,
        key: pki.serverKeyPem,
        ca: pki.caPem,
        requestCert: true,
        rejectUnauthorized: true,
        minVersion: 'TLSv1.3',
      });
      srv.listen(0, '127.0.0.1');
      await once(srv, 'listening');
      const accepted = once(srv, 'secureConnection') as Promise<[nodeTls.TLSSocket]>;
      try {
        const port = (srv.address() as AddressInfo).port;
        const c = connect({
          transport: fromNodeSocket(netConnect({ host: '127.0.0.1', port, allowHalfOpen: true })),
          servername: 'localhost',
          ca: pki.caPem,
          cert: id(kind).clientChain,
          key: cryptoKeySigner(id(kind).key),
        });
        await c.opened;
        const [peer] = await accepted;
        // The oracle: Node's server verified our CertificateVerify.
        expect(peer.authorized).toBe(true);
        expect(peer.getPeerX509Certificate()?.subject).toContain('CN=client.test');
        peer.write('ok');
        expect(await readSome(c)).toBe('ok');
        peer.end();
        await c.close();
      } finally {
        srv.close();
      }
    });
  }

  it('TLSv1.2 (CertificateVerify over the handshake messages themselves, kept for the signer)', async () => {
    const srv = nodeTls.createServer({
      cert: pki.serverChainPem,
      key: pki.serverKeyPem,
      ca: pki.caPem,
      requestCert: true,
      rejectUnauthorized: true,
      maxVersion: 'TLSv1.2',
    });
    srv.listen(0, '127.0.0.1');
    await once(srv, 'listening');
    try {
      for (const kind of KINDS) {
        const accepted = once(srv, 'secureConnection') as Promise<[nodeTls.TLSSocket]>;
        const port = (srv.address() as AddressInfo).port;
        const c = connect({
          transport: fromNodeSocket(netConnect({ host: '127.0.0.1', port, allowHalfOpen: true })),
          servername: 'localhost',
          ca: pki.caPem,
          cert: id(kind).clientChain,
          key: cryptoKeySigner(id(kind).key),
        });
        const info = await c.opened;
        expect(info.version).toBe('TLSv1.2');
        const [peer] = await accepted;
        expect(peer.authorized).toBe(true);
        expect(peer.getPeerX509Certificate()?.subject).toContain('CN=client.test');
        peer.end();
        await c.close();
      }
    } finally {
      srv.close();
    }
  });
});

describe('misuse and hostile signers (our client verifies, in memory)', () => {
  const pair = (key: PrivateKeySigner, cert = id('P-256').serverChain, client: { maxVersion?: 'TLSv1.2' | 'TLSv1.3' } = {}) => {
    const { a, b } = memoryPair();
    const s = accept({ transport: b, cert, key });
    const c = connect({ transport: a, servername: 'localhost', ca: pki.caPem, ...client });
    const settle = (p: Promise<unknown>) =>
      p.then(
        () => undefined,
        (e: unknown) => e as TLSError,
      );
    return { s, c, se: settle(s.opened), ce: settle(c.opened) };
  };

  it('sign rejects: our server fails with PRIVATE_KEY_OPERATION_FAILED (the rejection as cause); the peer gets internal_error', async () => {
    const why = new Error('HSM offline');
    for (const maxVersion of ['TLSv1.3', 'TLSv1.2'] as const) {
      const { se, ce } = pair({ schemes: ['ecdsa_secp256r1_sha256'], sign: () => Promise.reject(why) }, undefined, { maxVersion });
      const [s, c] = await Promise.all([se, ce]);
      expect(s).toBeInstanceOf(TLSError);
      expect(s?.reasonCode).toBe(TLS_ERR.KEYOP_FAILED);
      expect(s?.code).toBe('ERR_SSL_PRIVATE_KEY_OPERATION_FAILED');
      expect(s?.alert).toBe(80);
      expect(s?.alertDirection).toBe('sent');
      expect(s?.cause).toBe(why);
      expect(c?.alertDirection).toBe('received');
      expect(c?.alert).toBe(80); // internal_error, RFC 8446 6.2
    }
  });

  it('sign throws synchronously or returns no bytes: the same clear failure', async () => {
    for (const sign of [
      () => {
        throw new Error('sync');
      },
      () => new Uint8Array(0),
      () => Promise.resolve('nope' as unknown as Uint8Array),
    ]) {
      const { se, ce } = pair({ schemes: ['ecdsa_secp256r1_sha256'], sign });
      const [s, c] = await Promise.all([se, ce]);
      expect(s?.reasonCode).toBe(TLS_ERR.KEYOP_FAILED);
      expect(c?.alert).toBe(80);
    }
  });

  it('sign returns garbage: the peer refuses it with decrypt_error and we report the received alert', async () => {
    for (const maxVersion of ['TLSv1.3', 'TLSv1.2'] as const) {
      // A well-formed DER signature over other bytes: verification fails.
      const other = p1363ToDer(
        new Uint8Array(await subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, id('P-256').key, enc.encode('something else'))),
      );
      const { se, ce } = pair({ schemes: ['ecdsa_secp256r1_sha256'], sign: async () => other }, undefined, { maxVersion });
      const [s, c] = await Promise.all([se, ce]);
      expect(c?.alertDirection).toBe('sent');
      expect(c?.alert).toBe(51); // decrypt_error, RFC 8446 4.4.3
      expect(c?.reasonCode).toBe(TLS_ERR.BAD_SIGNATURE);
      expect(s?.alertDirection).toBe('received');
      expect(s?.alert).toBe(51);
    }
  });

  it('a signer with no scheme that fits (the leaf is P-256, the signer does P-384 only): handshake_failure', async () => {
    const { se, ce } = pair({
      schemes: ['ecdsa_secp384r1_sha384', 'rsa_pss_rsae_sha256'],
      sign: () => Promise.reject(new Error('never called')),
    });
    const [s, c] = await Promise.all([se, ce]);
    expect(s?.reasonCode).toBe(TLS_ERR.NO_SHARED_SIGALG);
    expect(s?.alert).toBe(40);
    expect(c?.alert).toBe(40);
  });

  it("the peer's signature_algorithms decide among the signer's schemes (RSA-PSS key, client offers SHA-256 only)", async () => {
    const seen: string[] = [];
    const base = cryptoKeySigner(id('RSA-PSS').key);
    const { a, b } = memoryPair();
    const s = accept({
      transport: b,
      cert: id('RSA-PSS').serverChain,
      key: { schemes: base.schemes, sign: (sc, d) => (seen.push(sc), base.sign(sc, d)) },
    });
    const c = connect({ transport: a, servername: 'localhost', ca: pki.caPem, sigalgs: ['ecdsa_secp256r1_sha256', 'rsa_pss_rsae_sha256'] });
    const [ci] = await Promise.all([c.opened, s.opened]);
    expect(ci.signatureScheme).toBe('rsa_pss_rsae_sha256');
    expect(seen).toEqual(['rsa_pss_rsae_sha256']);
    await Promise.all([c.close(), s.close()]);
  });

  it('a signature that comes after close is ignored; memory returns to the baseline', async () => {
    // Warm-up: the module's own one-time allocations.
    {
      const { s, c } = pair(cryptoKeySigner(id('P-256').key));
      await Promise.all([s.opened, c.opened]);
      await Promise.all([s.close(), c.close()]);
    }
    const before = used();
    let deliver: (sig: Uint8Array) => void = () => {};
    let asked: () => void = () => {};
    const signing = new Promise<void>((r) => {
      asked = r;
    });
    const { s, c, se, ce } = pair({
      schemes: ['ecdsa_secp256r1_sha256'],
      sign: () => {
        asked();
        return new Promise<Uint8Array>((r) => {
          deliver = r;
        });
      },
    });
    await signing;
    await s.close();
    const err = await se;
    expect(err).toBeInstanceOf(Error);
    // The signature arrives now: nothing happens (no throw, no write).
    deliver(new Uint8Array(70).fill(1));
    await new Promise((r) => setTimeout(r, 20));
    await c.close();
    await ce;
    expect(s.connection.disposed).toBe(true);
    expect(used()).toBe(before);
  });

  it('sign never settles: the handshake timeout fires and every promise settles', async () => {
    const { a, b } = memoryPair();
    const s = accept({
      transport: b,
      cert: id('P-256').serverChain,
      key: { schemes: ['ecdsa_secp256r1_sha256'], sign: () => new Promise(() => {}) },
      handshakeTimeout: 300,
    });
    const c = connect({ transport: a, servername: 'localhost', ca: pki.caPem, handshakeTimeout: 5000 });
    const e = (await s.opened.then(
      () => undefined,
      (x: unknown) => x,
    )) as TLSError;
    expect(e.code).toBe('ERR_TLS_HANDSHAKE_TIMEOUT');
    await expect(s.closed).rejects.toBe(e);
    await c.opened.then(
      () => expect.unreachable(),
      (x: unknown) => expect(x).toBeInstanceOf(Error),
    );
  });
});

describe('the SSL object: WANT_PRIVATE_KEY_OPERATION, privateKeyOperation(), completePrivateKeyOperation()', () => {
  /** Move ciphertext until neither side has any to give. */
  function shuttle(x: Connection, y: Connection): void {
    for (let moved = true; moved; ) {
      moved = false;
      for (const [from, to] of [
        [x, y],
        [y, x],
      ] as const) {
        const d = from.network.read();
        if (d.length) {
          to.network.write(d);
          moved = true;
        }
      }
    }
  }

  for (const version of ['TLSv1.3', 'TLSv1.2'] as const) {
    it(`${version}: the server pauses with the scheme and the message; Node's crypto.sign answers; our client verifies`, async () => {
      let late: (x: Uint8Array) => void = () => {};
      let given: Uint8Array | undefined;
      const sctx = new TLSContext({
        cert: pki.serverChainPem,
        key: {
          schemes: ['ecdsa_secp256r1_sha256'],
          sign: (_s, data) => {
            given = data.slice();
            return new Promise<Uint8Array>((r) => {
              late = r;
            });
          },
        },
      });
      const cctx = new TLSContext({ verify: 'chain', ca: pki.caPem, maxVersion: version });
      const server = new Connection(sctx);
      const client = new Connection(cctx);
      server.setAcceptState();
      client.setConnectState();
      client.setServerName('localhost');
      try {
        expect(client.doHandshake()).toBeLessThan(1);
        shuttle(client, server);
        const r = server.doHandshake();
        expect(r).toBeLessThan(1);
        expect(server.getError(r)).toBe('WANT_PRIVATE_KEY_OPERATION');
        expect(server.signPending).toBeInstanceOf(Promise);
        const op = server.privateKeyOperation();
        expect(op?.scheme).toBe('ecdsa_secp256r1_sha256');
        expect(op?.input).toEqual(given);
        const input = op?.input as Uint8Array;
        if (version === 'TLSv1.3') {
          // RFC 8446 4.4.3: 64 spaces, the context string, 0, the
          // transcript hash (SHA-256 for TLS_AES_128_GCM_SHA256).
          expect(input.subarray(0, 64).every((b) => b === 0x20)).toBe(true);
          expect(dec.decode(input.subarray(64, 97))).toBe('TLS 1.3, server CertificateVerify');
          expect(input[97]).toBe(0);
          expect(input.length).toBe(98 + 32);
        } else {
          // RFC 8422 5.4: client_random, server_random, ServerECDHParams
          // (named_curve 3, the group, the point).
          expect(input[64]).toBe(3);
          expect(input.length).toBe(64 + 4 + input[67]);
        }
        // Repeating the call while it waits keeps waiting.
        const again = server.doHandshake();
        expect(server.getError(again)).toBe('WANT_PRIVATE_KEY_OPERATION');
        // Answer it by hand with the PEM key through Node's crypto (DER
        // ECDSA, the TLS form); the signer's own answer comes too late.
        server.completePrivateKeyOperation(nodeSign('sha256', input, pki.serverKeyPem));
        expect(server.signPending).toBeUndefined();
        expect(server.privateKeyOperation()).toBeUndefined();
        expect(() => server.completePrivateKeyOperation(new Uint8Array(8))).toThrow(/no private key operation is pending/);
        late(new Uint8Array(64));
        for (let i = 0; i < 6 && !(client.isInitFinished && server.isInitFinished); i++) {
          server.doHandshake();
          shuttle(client, server);
          client.doHandshake();
          shuttle(client, server);
        }
        expect(client.isInitFinished).toBe(true);
        expect(server.isInitFinished).toBe(true);
        expect(client.version).toBe(version);
        // Our client checked the signature against the certificate's key.
        expect(client.peerAuthenticated).toBe(true);
        expect(client.peerSignatureScheme).toBe('ecdsa_secp256r1_sha256');
      } finally {
        client.dispose();
        server.dispose();
        sctx.dispose();
        cctx.dispose();
      }
    });
  }

  it('completePrivateKeyOperation(null) fails the handshake with internal_error', () => {
    const sctx = new TLSContext({
      cert: pki.serverChainPem,
      key: { schemes: ['ecdsa_secp256r1_sha256'], sign: () => new Promise(() => {}) },
    });
    const cctx = new TLSContext({ verify: 'chain', ca: pki.caPem });
    const server = new Connection(sctx);
    const client = new Connection(cctx);
    server.setAcceptState();
    client.setConnectState();
    client.setServerName('localhost');
    try {
      client.doHandshake();
      shuttle(client, server);
      expect(server.getError(server.doHandshake())).toBe('WANT_PRIVATE_KEY_OPERATION');
      server.completePrivateKeyOperation(null);
      expect(server.getError(server.doHandshake())).toBe('SSL');
      expect(server.error?.reasonCode).toBe(TLS_ERR.KEYOP_FAILED);
      expect(server.error?.alert).toBe(80);
      shuttle(client, server);
      client.doHandshake();
      expect(client.error?.alert).toBe(80);
      expect(client.error?.alertDirection).toBe('received');
    } finally {
      client.dispose();
      server.dispose();
      sctx.dispose();
      cctx.dispose();
    }
  });

  it('configuration errors are clear', () => {
    expect(() => new TLSContext({ key: { schemes: ['ecdsa_secp256r1_sha256'], sign: () => new Uint8Array(1) } })).toThrow(
      /set the certificate chain first/,
    );
    expect(() => new TLSContext({ cert: pki.serverChainPem, key: { schemes: [], sign: () => new Uint8Array(1) } })).toThrow(
      /1 to 16 signature schemes/,
    );
    expect(
      () => new TLSContext({ cert: pki.serverChainPem, key: { schemes: ['md5' as 'ed25519'], sign: () => new Uint8Array(1) } }),
    ).toThrow(/unknown signature scheme "md5"/);
    expect(() => cryptoKeySigner({} as CryptoKey)).toThrow(/private CryptoKey/);
  });

  it('p1363ToDer: r || s as a DER ECDSA-Sig-Value (Node verifies it)', async () => {
    const data = enc.encode('p1363');
    const pair = await subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
    const raw = new Uint8Array(await subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, pair.privateKey, data));
    const der = p1363ToDer(raw);
    const { createPublicKey, verify } = await import('node:crypto');
    const pub = createPublicKey({ key: Buffer.from(await subtle.exportKey('spki', pair.publicKey)), format: 'der', type: 'spki' });
    expect(verify('sha256', data, pub, der)).toBe(true);
    // Leading zeros dropped, a 0 put back before a high bit.
    const fixed = new Uint8Array(64);
    fixed[31] = 1;
    fixed[32] = 0x80;
    expect(Array.from(p1363ToDer(fixed))).toEqual([0x30, 0x26, 0x02, 0x01, 0x01, 0x02, 0x21, 0x00, 0x80, ...new Array(31).fill(0)]);
  });
});
