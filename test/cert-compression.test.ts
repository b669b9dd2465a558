/**
 * RFC 8879 certificate compression (issue #17). The compressor is Node's
 * zlib (CompressionStream('deflate') in TLSContext.compressCertificate,
 * and node:zlib's deflateSync for crafted messages): an implementation
 * independent of the engine's inflater. Every hostile CompressedCertificate
 * is sent by our server through a test-only path (the raw
 * wt_x_tls_ctx_set_compressed_certificate with always = 1) and must end
 * the handshake with RFC 8879 4's alert, memory back to its baseline.
 *
 * No peer on this machine compresses certificates: Debian's GnuTLS 3.7.9
 * is built without zlib, brotli and zstd (`gnutls-cli --list` prints
 * "Compression: COMP-NULL"; `gnutls-serv --compress-cert=zlib` prints
 * "Unknown compression method: zlib"), OpenSSL 3.0 has no RFC 8879 (3.2
 * added it), Go's crypto/tls and Node's tls have none. The GnuTLS case
 * below shows what happens (it sends plain Certificates, we take them).
 */
import { spawnSync } from 'node:child_process';
import { brotliCompressSync, deflateSync } from 'node:zlib';
import { type AddressInfo, createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTcp, fromNodeSocket } from '../ts/adapters/node-socket.js';
import { accept, connect, type TLSInfo } from '../ts/api/tls.js';
import { Connection, TLSContext, type TLSContextOptions } from '../ts/core/connection.js';
import { ALERT, TLS_ERR } from '../ts/core/errors.js';
import { wasm } from '../ts/core/loader.js';
import { handshake, handshakeAsync } from '../ts/core/pump.js';
import { useBuild } from './helpers/env.js';
import { makePki } from './helpers/pki.js';
import { connectRetry, SocketPump } from './helpers/netpump.js';
import { have, payload, Peer } from './helpers/peers.js';
import { freePort } from './helpers/runtimes.js';
import { makeTestCerts, type CertKey, type TestCerts } from './helpers/tls-certs.js';
import { deliver, makePair as pair, pattern } from './helpers/tls-pair.js';

useBuild('simd');
const GNUTLS = have('gnutls-serv', ['--version']) && have('gnutls-cli', ['--version']);

let certs: TestCerts;
beforeAll(async () => {
  certs = await makeTestCerts();
}, 60_000);
afterAll(() => certs?.dispose());

/** The TLS 1.3 Certificate message body (empty context) of a PEM chain. */
function certificateBody(pem: string): Uint8Array {
  const ders = [...pem.matchAll(/-----BEGIN CERTIFICATE-----([^-]+)-----END CERTIFICATE-----/g)].map((m) =>
    Buffer.from((m[1] ?? '').replace(/\s+/g, ''), 'base64'),
  );
  const parts: Buffer[] = [];
  for (const d of ders) parts.push(u24(d.length), d, Buffer.from([0, 0]));
  const list = Buffer.concat(parts);
  return Buffer.concat([Buffer.from([0]), u24(list.length), list]);
}
const u24 = (n: number) => Buffer.from([n >> 16, (n >> 8) & 0xff, n & 0xff]);

/** A CompressedCertificate body (RFC 8879 4). */
function compressed(alg: number, ulen: number, data: Uint8Array): Uint8Array {
  return Buffer.concat([Buffer.from([alg >> 8, alg & 0xff]), u24(ulen), u24(data.length), data]);
}

/** Make our server send `body` as its CompressedCertificate to any client. */
function forceCompressed(ctx: TLSContext, body: Uint8Array, always = 1): void {
  const w = wasm();
  const p = w.exports.malloc(body.length);
  w.u8().set(body, p);
  held.push(p);
  w.exports.wt_x_tls_ctx_set_compressed_certificate(ctx.ptr, (body[0]! << 8) | body[1]!, p, body.length, always);
}
const held: number[] = [];
afterAll(() => {
  for (const p of held) wasm().exports.free(p);
});

/** A ClientHello record whose compress_certificate lists `algs`
 * (RFC 8446 4.1.2 layout; record, handshake and extensions lengths fixed). */
function withCertCompression(rec: Uint8Array, algs: number[]): Uint8Array {
  const b = Buffer.from(rec);
  let o = 5 + 4 + 2 + 32;
  o += 1 + b[o]!; // legacy_session_id
  o += 2 + b.readUInt16BE(o); // cipher_suites
  o += 1 + b[o]!; // legacy_compression_methods
  const extLenAt = o;
  let e = o + 2;
  const end = e + b.readUInt16BE(extLenAt);
  while (e < end && b.readUInt16BE(e) !== 27) e += 4 + b.readUInt16BE(e + 2);
  if (e >= end) throw new Error('no compress_certificate in the ClientHello');
  const old = 4 + b.readUInt16BE(e + 2);
  const list = Buffer.from(algs.flatMap((a) => [a >> 8, a & 0xff]));
  const ext = Buffer.concat([Buffer.from([0, 27, 0, list.length + 1, list.length]), list]);
  const d = ext.length - old;
  const out = Buffer.concat([b.subarray(0, e), ext, b.subarray(e + old)]);
  out.writeUInt16BE(out.readUInt16BE(3) + d, 3);
  out.writeUIntBE(out.readUIntBE(6, 3) + d, 6, 3);
  out.writeUInt16BE(out.readUInt16BE(extLenAt) + d, extLenAt);
  return out;
}

/** Bytes of handshake records (type 22) the server sent, counted by
 * capturing its output during the handshake. */
function runCounting(c: Connection, s: Connection): number {
  let bytes = 0;
  for (let i = 0; i < 1000; i++) {
    const rc = c.doHandshake(),
      rs = s.doHandshake();
    const out = s.network.read();
    bytes += out.length;
    if (out.length) c.network.write(out);
    const back = c.network.read();
    if (back.length) s.network.write(back);
    if (rc === 1 && rs === 1 && out.length === 0 && back.length === 0) return bytes;
  }
  throw new Error('handshake did not finish');
}

describe('certificate compression between our client and our server', () => {
  it('server compresses (CompressionStream zlib), client decompresses: fewer bytes on the wire', async () => {
    const pki = makePki();
    const chains: [string, CertKey][] = [
      ['RSA-2048 self-signed leaf', certs.server['rsa2048']],
      ['ECDSA P-256 self-signed leaf', certs.server['ecdsa-p256']],
      ['leaf + CA (test/helpers/pki.ts)', { certPem: pki.serverChainPem, keyPem: pki.serverKeyPem } as CertKey],
    ];
    try {
      for (const [what, cert] of chains) {
        const plain = pair(cert);
        const plainBytes = runCounting(plain.c, plain.s);
        expect(plain.c.peerCertificateCompression).toBeUndefined();
        plain.dispose();

        const p = pair(cert);
        expect(await p.sctx.compressCertificate()).toEqual(['zlib']);
        const compBytes = runCounting(p.c, p.s);
        expect(p.c.peerCertificateCompression).toBe('zlib');
        expect(p.s.peerCertificateCompression).toBeUndefined();
        const data = pattern(5000, 3);
        p.c.write(data);
        expect(Buffer.from(deliver(p.c, p.s)).equals(Buffer.from(data))).toBe(true);
        const cm = certificateBody(cert.certPem).length + 4;
        console.log(
          `${what}: Certificate message ${cm} B; server flight ${plainBytes} B plain, ${compBytes} B with zlib (${plainBytes - compBytes} B saved)`,
        );
        expect(compBytes).toBeLessThan(plainBytes);
        p.dispose();
      }
    } finally {
      pki.dispose();
    }
  });

  it("the server picks, in the client's compress_certificate order, the first algorithm it has a body for (RFC 8879 3)", async () => {
    // Our client offers zlib only: its ClientHello is rewritten to list
    // `algs` instead (lengths fixed up); only the server's choice is
    // looked at (the transcript no longer matches the client's).
    const cases: [number[], string | undefined][] = [
      [[2, 1], 'brotli'],
      [[1, 2], 'zlib'],
      [[3, 2], 'brotli'],
      [[3], undefined],
    ];
    for (const [algs, want] of cases) {
      const p = pair(certs.server['rsa2048']);
      expect(await p.sctx.compressCertificate({ brotli: (m) => brotliCompressSync(m) })).toEqual(['zlib', 'brotli']);
      p.c.doHandshake();
      p.s.network.write(withCertCompression(p.c.network.read(), algs));
      p.s.doHandshake();
      expect(p.s.certificateCompressionSent, `client lists ${algs}`).toBe(want);
      p.dispose();
    }
  });

  it('connect({ certificateCompression: false }) offers nothing: accept() sends the plain Certificate; by default zlib', async () => {
    const pki = makePki();
    const sctx = new TLSContext({ cert: pki.serverChainPem, key: pki.serverKeyPem });
    const seen: Promise<TLSInfo>[] = [];
    const server = createServer((sock) => {
      const t = accept({ transport: fromNodeSocket(sock), context: sctx, cert: pki.serverChainPem, key: pki.serverKeyPem });
      seen.push(t.opened);
      void t.opened.then(() => t.close()).catch(() => {});
    });
    try {
      expect(await sctx.compressCertificate()).toEqual(['zlib']);
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const port = (server.address() as AddressInfo).port;
      for (const off of [false, true]) {
        const c = connect({
          transport: await connectTcp({ host: '127.0.0.1', port }),
          ca: pki.caPem,
          servername: 'localhost',
          ...(off ? { certificateCompression: false as const } : {}),
        });
        await c.opened;
        const info = await seen[seen.length - 1]!;
        expect(info.certificateCompressionSent).toBe(off ? undefined : 'zlib');
        await c.close();
      }
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
      sctx.dispose();
      pki.dispose();
    }
  });

  it('a client that offers nothing gets the plain Certificate', async () => {
    const p = pair(certs.server['ecdsa-p256'], { certificateCompression: false });
    await p.sctx.compressCertificate();
    handshake(p.c, p.s);
    expect(p.c.peerCertificateCompression).toBeUndefined();
    p.dispose();
  });

  it('a new chain drops the compressed form of the old one (sent plain until compressed again)', async () => {
    const cert = certs.server['ecdsa-p256'];
    const p = pair(cert);
    expect(await p.sctx.compressCertificate()).toEqual(['zlib']);
    p.sctx.useCertificateChain(cert.certPem);
    handshake(p.c, p.s);
    expect(p.c.peerCertificateCompression).toBeUndefined();
    p.dispose();
  });

  it('client certificate compressed for a server that asked (CertificateRequest carries compress_certificate)', async () => {
    const cc = certs.client;
    const p = pair(
      certs.server['ecdsa-p256'],
      { cert: cc.certPem, key: cc.keyPem },
      { verify: 'insecure-no-chain-validation', clientCert: 'require' },
    );
    expect(await p.cctx.compressCertificate()).toEqual(['zlib']);
    handshake(p.c, p.s);
    expect(p.s.peerCertificateCompression).toBe('zlib');
    p.dispose();
  });

  it('TLS 1.2: the extension is ignored, Certificates go plain', async () => {
    const p = pair(certs.server['ecdsa-p256'], { maxVersion: 'TLSv1.2' }, {});
    await p.sctx.compressCertificate();
    handshake(p.c, p.s);
    expect(p.c.version).toBe('TLSv1.2');
    expect(p.c.peerCertificateCompression).toBeUndefined();
    p.dispose();
  });

  it('an external verifier sees the decompressed chain (the pause reads it), both roles', async () => {
    const seen: Record<string, Uint8Array[]> = {};
    const cc = certs.client;
    const p = pair(
      certs.server['rsa2048'],
      { verify: 'external', onVerify: (chain) => ((seen.client = chain), 0), cert: cc.certPem, key: cc.keyPem },
      { verify: 'external', onVerify: (chain) => ((seen.server = chain), 0), clientCert: 'require' },
    );
    expect(await p.sctx.compressCertificate()).toEqual(['zlib']);
    expect(await p.cctx.compressCertificate()).toEqual(['zlib']);
    await handshakeAsync(p.c, p.s);
    expect(p.c.peerCertificateCompression).toBe('zlib');
    expect(p.s.peerCertificateCompression).toBe('zlib');
    const der = (pem: string) => Buffer.from(pem.replace(/-----[^-]+-----|\s+/g, ''), 'base64');
    expect(seen.client?.length).toBe(1);
    expect(Buffer.from(seen.client?.[0] ?? []).equals(der(certs.server['rsa2048'].certPem))).toBe(true);
    expect(Buffer.from(seen.server?.[0] ?? []).equals(der(cc.certPem))).toBe(true);
    p.dispose();
  });
});

describe('hostile CompressedCertificate (RFC 8879 4)', () => {
  const cert = () => certs.server['ecdsa-p256'];
  const body = () => certificateBody(cert().certPem);
  const cases: [string, () => Uint8Array, number, number, TLSContextOptions?][] = [
    [
      'decompression bomb: uncompressed_length 16 MiB - 1',
      () => compressed(1, 0xffffff, deflateSync(body())),
      ALERT.bad_certificate,
      TLS_ERR.CERT_DECOMPRESS,
    ],
    [
      'expands past its small uncompressed_length',
      () => compressed(1, 100, deflateSync(Buffer.alloc(1 << 20))),
      ALERT.bad_certificate,
      TLS_ERR.CERT_DECOMPRESS,
    ],
    [
      'uncompressed_length one short',
      () => compressed(1, body().length - 1, deflateSync(body())),
      ALERT.bad_certificate,
      TLS_ERR.CERT_DECOMPRESS,
    ],
    [
      'uncompressed_length one long',
      () => compressed(1, body().length + 1, deflateSync(body())),
      ALERT.bad_certificate,
      TLS_ERR.CERT_DECOMPRESS,
    ],
    [
      'algorithm not offered (client offers none)',
      () => compressed(1, body().length, deflateSync(body())),
      ALERT.illegal_parameter,
      TLS_ERR.CERT_COMPRESSION_ALG,
      { certificateCompression: false },
    ],
    [
      'unknown algorithm id 0x1234',
      () => compressed(0x1234, body().length, deflateSync(body())),
      ALERT.illegal_parameter,
      TLS_ERR.CERT_COMPRESSION_ALG,
    ],
    [
      'brotli (2), which we do not offer',
      () => compressed(2, body().length, deflateSync(body())),
      ALERT.illegal_parameter,
      TLS_ERR.CERT_COMPRESSION_ALG,
    ],
    ['empty compressed data', () => Buffer.concat([Buffer.from([0, 1]), u24(body().length), u24(0)]), ALERT.decode_error, TLS_ERR.DECODE],
    [
      'truncated stream',
      () => compressed(1, body().length, deflateSync(body()).subarray(0, 40)),
      ALERT.bad_certificate,
      TLS_ERR.CERT_DECOMPRESS,
    ],
    [
      'bad Adler-32',
      () => {
        const z = Buffer.from(deflateSync(body()));
        z[z.length - 1] ^= 1;
        return compressed(1, body().length, z);
      },
      ALERT.bad_certificate,
      TLS_ERR.CERT_DECOMPRESS,
    ],
    [
      'FDICT set (a preset dictionary)',
      () => compressed(1, body().length, deflateSync(body(), { dictionary: Buffer.from('dictionary') })),
      ALERT.bad_certificate,
      TLS_ERR.CERT_DECOMPRESS,
    ],
    [
      'trailing bytes after the Adler-32',
      () => compressed(1, body().length, Buffer.concat([deflateSync(body()), Buffer.from([0])])),
      ALERT.bad_certificate,
      TLS_ERR.CERT_DECOMPRESS,
    ],
    [
      'the CompressedCertificate itself malformed (a byte left after the vector)',
      () => Buffer.concat([compressed(1, body().length, deflateSync(body())), Buffer.from([0])]),
      ALERT.decode_error,
      TLS_ERR.DECODE,
    ],
    [
      'CompressedCertificate under TLS 1.2',
      () => compressed(1, body().length, deflateSync(body())),
      ALERT.unexpected_message,
      TLS_ERR.UNEXPECTED_MESSAGE,
      { maxVersion: 'TLSv1.2' },
    ],
  ];
  for (const [what, make, alert, reason, clientOpts] of cases) {
    it(`${what}: ${Object.entries(ALERT).find(([, v]) => v === alert)?.[0]}`, () => {
      const w = wasm();
      const before = w.memoryUsage().used;
      const p = pair(cert(), clientOpts ?? {});
      forceCompressed(p.sctx, make());
      let err: unknown;
      try {
        handshake(p.c, p.s);
      } catch (e) {
        err = e;
      }
      expect(err).toBeDefined();
      const e = p.c.error;
      expect(e?.engineCode).toBe(TLS_ERR.SEND_ALERT + alert);
      expect(e?.reasonCode).toBe(reason);
      // The server hears the alert.
      p.s.doHandshake();
      expect(p.s.error?.engineCode).toBe(TLS_ERR.RECV_ALERT + alert);
      p.dispose();
      for (const q of held.splice(0)) w.exports.free(q);
      expect(w.memoryUsage().used).toBe(before);
    });
  }
});

describe.skipIf(!GNUTLS)('GnuTLS 3.7.9 (Debian: built without zlib)', () => {
  it('gnutls-serv --compress-cert=zlib cannot compress here: our client offers zlib and takes the plain Certificate', async () => {
    const version = spawnSync('gnutls-cli', ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0];
    const port = await freePort();
    const srv = new Peer('gnutls-serv', [
      '--echo',
      '-p',
      String(port),
      '--x509certfile',
      certs.server['rsa2048'].certPath,
      '--x509keyfile',
      certs.server['rsa2048'].keyPath,
      '--compress-cert=zlib',
      '-d',
      '4',
    ]);
    const ctx = new TLSContext({ verify: 'insecure-no-chain-validation' });
    const conn = new Connection(ctx);
    conn.setConnectState();
    conn.setServerName('localhost');
    const sock = await connectRetry(port);
    const pump = new SocketPump(conn, sock);
    try {
      await pump.handshake();
      expect(conn.version).toBe('TLSv1.3');
      const up = payload(1000, 7);
      await pump.writeAll(up);
      expect(Buffer.from(await pump.readExactly(up.length)).equals(up)).toBe(true);
      // GnuTLS parsed our offer, and says why it sent no compression.
      expect(srv.stderr).toMatch(/Parsing extension 'Compress Certificate\/27' \(3 bytes\)/);
      expect(srv.stderr).toMatch(/Unknown compression method: zlib/);
      expect(conn.peerCertificateCompression).toBeUndefined();
      console.log(`${version}: parsed compress_certificate, "Unknown compression method: zlib"`);
      await pump.close();
    } finally {
      sock.destroy();
      conn.dispose();
      ctx.dispose();
      srv.kill();
    }
  }, 30_000);
});
