/**
 * Error codes are strings, Node's (issue #13): for the same failure
 * against the same peer, `err.code` of wasmtls/tls (`connect()`) and of
 * wasmtls/node equals the code of Node's own `tls.connect`, the oracle:
 * OpenSSL's verification names (DEPTH_ZERO_SELF_SIGNED_CERT,
 * SELF_SIGNED_CERT_IN_CHAIN, UNABLE_TO_VERIFY_LEAF_SIGNATURE), Node's
 * ERR_TLS_CERT_ALTNAME_INVALID with Node's message (for a name and for an
 * IP address), and `ERR_SSL_` + OpenSSL's reason for the peer's alerts
 * (unknown_ca, handshake_failure, certificate_required). The engine's
 * number stays in `engineCode`. Peers: Node tls servers and openssl
 * s_server on 127.0.0.1.
 */
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import * as nodeTls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTcp } from '../ts/adapters/node-socket.js';
import { connect as nodeConnect } from '../ts/api/node.js';
import { connect } from '../ts/api/tls.js';
import { ALERT, codeName, TLS_ERR, TLSError } from '../ts/core/errors.js';
import { useBuild } from './helpers/env.js';
import { have, Peer } from './helpers/peers.js';
import { makePki, type Pki } from './helpers/pki.js';
import { freePort } from './helpers/runtimes.js';

useBuild('simd');
const OPENSSL = have('openssl', ['version']);

let pki: Pki;
let ipless: { cert: string; key: string };
const servers: nodeTls.Server[] = [];

beforeAll(() => {
  pki = makePki();
  // A certificate from the test CA for localhost and 10.0.0.1 only: an
  // address the connection's (127.0.0.1) is not in.
  const f = pki.path;
  execFileSync(
    'openssl',
    [
      'req',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      f('ipless.key'),
      '-out',
      f('ipless.csr'),
      '-subj',
      '/CN=localhost',
    ],
    { stdio: 'ignore' },
  );
  writeFileSync(f('ipless.ext'), 'subjectAltName=DNS:localhost,IP:10.0.0.1\nbasicConstraints=CA:FALSE\n');
  execFileSync(
    'openssl',
    [
      'x509',
      '-req',
      '-in',
      f('ipless.csr'),
      '-CA',
      f('ca.crt'),
      '-CAkey',
      f('ca.key'),
      '-CAcreateserial',
      '-days',
      '3',
      '-extfile',
      f('ipless.ext'),
      '-out',
      f('ipless.crt'),
    ],
    { stdio: 'ignore' },
  );
  ipless = { cert: readFileSync(f('ipless.crt'), 'utf8'), key: readFileSync(f('ipless.key'), 'utf8') };
});

afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  pki?.dispose();
});

/** A Node tls server on 127.0.0.1 that ends each connection after its handshake. */
async function nodeServer(o: nodeTls.TlsOptions): Promise<number> {
  const s = nodeTls.createServer(o, (sock) => sock.end());
  s.on('tlsClientError', () => {});
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  servers.push(s);
  return (s.address() as AddressInfo).port;
}

interface Outcome {
  code: unknown;
  message: string;
  reason?: unknown;
  host?: unknown;
}

function outcome(e: unknown): Outcome {
  const x = e as Error & { code?: unknown; reason?: unknown; host?: unknown };
  return { code: x.code, message: x.message, reason: x.reason, host: x.host };
}

type Opts = {
  port: number;
  host?: string;
  servername?: string;
  ca?: string;
  cert?: string;
  key?: string;
  ciphers?: string;
  minVersion?: 'TLSv1.3';
};

/** Node's tls.connect: the oracle. */
async function theirs(o: Opts): Promise<Outcome> {
  const s = nodeTls.connect({ host: '127.0.0.1', ...o });
  try {
    const [e] = (await Promise.race([once(s, 'error'), once(s, 'close').then(() => [new Error('closed without an error')])])) as [Error];
    return outcome(e);
  } finally {
    s.destroy();
  }
}

/** wasmtls/node's connect. */
async function oursNode(o: Opts): Promise<Outcome> {
  const s = nodeConnect({ host: '127.0.0.1', ...o });
  try {
    const [e] = (await Promise.race([once(s, 'error'), once(s, 'close').then(() => [new Error('closed without an error')])])) as [Error];
    return outcome(e);
  } finally {
    s.destroy();
  }
}

/** wasmtls/tls's connect(): `opened` rejects with a TLSError. */
async function oursTls(o: Opts): Promise<Outcome & { err: unknown }> {
  const tls = connect({
    transport: await connectTcp({ host: '127.0.0.1', port: o.port }),
    servername: o.servername ?? o.host ?? '127.0.0.1',
    ...(o.ca !== undefined && { ca: o.ca }),
    ...(o.cert !== undefined && { cert: o.cert, key: o.key }),
    ...(o.ciphers !== undefined && { ciphersuites: o.ciphers.split(':') as ['TLS_AES_128_GCM_SHA256'] }),
    ...(o.minVersion && { minVersion: o.minVersion }),
  });
  tls.closed.catch(() => {});
  let err: unknown = new Error('opened');
  await tls.opened.then(
    async () => {
      // A refusal after our side of a TLS 1.3 handshake arrives on reading.
      err = await tls.readable
        .getReader()
        .read()
        .then(
          () => new Error('read without an error'),
          (e: unknown) => e,
        );
    },
    (e: unknown) => {
      err = e;
    },
  );
  await tls.close();
  return { ...outcome(err), err };
}

describe("certificate verification: the code (and for a name, the message) is Node's", () => {
  const cases: [string, () => Promise<Opts>, string][] = [
    [
      'a self-signed server certificate',
      async () => ({ port: await nodeServer({ cert: pki.strangerPem, key: pki.strangerKeyPem }), servername: 'localhost', ca: pki.caPem }),
      'DEPTH_ZERO_SELF_SIGNED_CERT',
    ],
    [
      'a chain whose root is not trusted',
      async () => ({
        port: await nodeServer({ cert: pki.serverChainPem, key: pki.serverKeyPem }),
        servername: 'localhost',
        ca: pki.strangerPem,
      }),
      'SELF_SIGNED_CERT_IN_CHAIN',
    ],
    [
      'a leaf alone whose issuer is unknown',
      async () => ({
        port: await nodeServer({ cert: readFileSync(pki.path('server.crt'), 'utf8'), key: pki.serverKeyPem }),
        servername: 'localhost',
        ca: pki.strangerPem,
      }),
      'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    ],
  ];
  for (const [what, setup, expected] of cases) {
    it(what, async () => {
      const o = await setup();
      const oracle = await theirs(o);
      expect(oracle.code).toBe(expected);
      const t = await oursTls(o);
      expect(t.err).toBeInstanceOf(TLSError);
      expect(t.code).toBe(oracle.code);
      expect((t.err as TLSError).verifyError).toBe(oracle.code);
      expect((t.err as TLSError).alertDirection).toBe('sent');
      expect(typeof (t.err as TLSError).engineCode).toBe('number');
      expect((await oursNode(o)).code).toBe(oracle.code);
    });
  }

  it("a name the certificate lacks: ERR_TLS_CERT_ALTNAME_INVALID, Node's message, host and reason", async () => {
    const o = { port: await nodeServer({ cert: pki.serverChainPem, key: pki.serverKeyPem }), servername: 'example.com', ca: pki.caPem };
    const oracle = await theirs(o);
    expect(oracle.code).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
    expect(oracle.message).toBe(
      "Hostname/IP does not match certificate's altnames: Host: example.com. is not in the cert's altnames: DNS:localhost, IP Address:127.0.0.1",
    );
    const t = await oursTls(o);
    expect(t.code).toBe(oracle.code);
    expect(t.message).toBe(oracle.message);
    expect(t.reason).toBe(oracle.reason);
    expect(t.host).toBe(oracle.host);
    expect((t.err as TLSError & { cert?: { subject: { CN: string } } }).cert?.subject.CN).toBe('localhost');
    const n = await oursNode(o);
    expect([n.code, n.message]).toEqual([oracle.code, oracle.message]);
  });

  it('an IP address the certificate lacks: Node\'s "IP: ... is not in the cert\'s list" message', async () => {
    const o = { port: await nodeServer({ cert: ipless.cert, key: ipless.key }), host: '127.0.0.1', ca: pki.caPem };
    const oracle = await theirs(o);
    expect(oracle.code).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
    expect(oracle.message).toBe("Hostname/IP does not match certificate's altnames: IP: 127.0.0.1 is not in the cert's list: 10.0.0.1");
    const t = await oursTls(o);
    expect([t.code, t.message, t.host]).toEqual([oracle.code, oracle.message, oracle.host]);
    const n = await oursNode(o);
    expect([n.code, n.message]).toEqual([oracle.code, oracle.message]);
  });
});

describe.skipIf(!OPENSSL)("the peer's alerts: ERR_SSL_ and OpenSSL's name, as Node reports them", () => {
  async function opensslServer(...args: string[]): Promise<{ srv: Peer; port: number }> {
    const port = await freePort();
    const srv = new Peer('openssl', [
      's_server',
      '-accept',
      `127.0.0.1:${port}`,
      '-cert',
      pki.path('server.crt'),
      '-key',
      pki.path('server.key'),
      '-cert_chain',
      pki.path('ca.crt'),
      '-CAfile',
      pki.path('ca.crt'),
      ...args,
    ]);
    await srv.waitFor('ACCEPT', 10_000);
    return { srv, port };
  }
  const cases: [string, string[], Omit<Opts, 'port'>, string][] = [
    [
      'no cipher suite in common: handshake_failure',
      ['-ciphersuites', 'TLS_AES_256_GCM_SHA384', '-tls1_3'],
      { ciphers: 'TLS_AES_128_GCM_SHA256', minVersion: 'TLSv1.3' },
      'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE',
    ],
    [
      'a client certificate from an unknown CA: unknown_ca',
      ['-Verify', '1', '-verify_return_error', '-tls1_3'],
      { cert: '', key: '' },
      'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA',
    ],
    [
      'no client certificate where one is required: certificate_required',
      ['-Verify', '1', '-tls1_3'],
      {},
      'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED',
    ],
  ];
  for (const [what, args, extra, expected] of cases) {
    it(what, async () => {
      const o0 = { ...extra, servername: 'localhost', ca: pki.caPem };
      if (o0.cert === '') Object.assign(o0, { cert: pki.strangerPem, key: pki.strangerKeyPem });
      const got: unknown[] = [];
      for (const who of [theirs, oursTls, oursNode]) {
        const { srv, port } = await opensslServer(...args);
        try {
          const r = await who({ ...o0, port });
          got.push(r.code);
          if (who === oursTls) {
            const e = (r as unknown as { err: unknown }).err as TLSError;
            expect(e).toBeInstanceOf(TLSError);
            expect(e.alertDirection).toBe('received');
            expect(e.engineCode).toBe(TLS_ERR.RECV_ALERT + e.alert!);
          }
        } finally {
          srv.kill();
        }
      }
      expect(got).toEqual([expected, expected, expected]);
    });
  }
});

describe('codeName', () => {
  it('names engine codes as OpenSSL (and Node) do', () => {
    expect(codeName(TLS_ERR.RECV_ALERT + ALERT.unknown_ca)).toBe('ERR_SSL_TLSV1_ALERT_UNKNOWN_CA');
    expect(codeName(TLS_ERR.SEND_ALERT + ALERT.handshake_failure, TLS_ERR.NO_SHARED_SUITE)).toBe('ERR_SSL_NO_SHARED_CIPHER');
    expect(codeName(TLS_ERR.BAD_RECORD_MAC)).toBe('ERR_SSL_DECRYPTION_FAILED_OR_BAD_RECORD_MAC');
    expect(codeName(TLS_ERR.UNEXPECTED_EOF)).toBe('ERR_SSL_UNEXPECTED_EOF_WHILE_READING');
    // Ours where OpenSSL has no name: the TLS_ERR key.
    expect(codeName(TLS_ERR.CONFIG)).toBe('ERR_SSL_CONFIG');
    // Every local reason and alert has a name of the form Node uses.
    for (const v of Object.values(TLS_ERR)) if (v < 0x100) expect(codeName(v)).toMatch(/^ERR_SSL_[A-Z0-9_]+$/);
    for (const a of Object.values(ALERT)) expect(codeName(TLS_ERR.RECV_ALERT + a)).toMatch(/^ERR_SSL_(SSLV3|TLSV1|TLSV13)_[A-Z_]+$/);
  });
});
