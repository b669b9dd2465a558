/**
 * A server's check of the peer's SNI bytes (issue #15: the engine copied
 * NUL and control bytes from a ClientHello's server_name; its parser
 * checked only the length).
 *
 * RFC 6066 3: host_name is "the fully qualified DNS hostname of the
 * server ... represented as a byte string using ASCII encoding without a
 * trailing dot", and "The ServerNameList MUST NOT contain more than one
 * name of the same name_type". A name outside that shape is refused with
 * unrecognized_name (OpenSSL and BoringSSL's alert for a NUL in it); a
 * second host_name with illegal_parameter (rustls); an IP literal, which
 * clients do send although RFC 6066 forbids it, is left out as if no name
 * came (rustls). Nothing refused is stored (`serverName` stays undefined).
 *
 * The ClientHellos are real ones (our client's), with the server_name
 * extension rewritten and every length around it fixed; the oracle for a
 * valid name is `openssl s_client -servername` against `wasmtls s_server`.
 */
import { connect as tcpConnect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALERT, Connection, TLS_ERR, TLSContext, TLSError } from '../ts/core/connection.js';
import { root, useBuild } from './helpers/env.js';
import { have, Peer } from './helpers/peers.js';
import { makePki, type Pki } from './helpers/pki.js';

useBuild('simd');
const OPENSSL = have('openssl', ['version']);
let pki: Pki;
let hello: Uint8Array;
beforeAll(() => {
  pki = makePki();
  // A real ClientHello (TLS 1.3 and 1.2 offered, key shares, one record).
  const ctx = new TLSContext({ verify: 'insecure-no-chain-validation' });
  const c = new Connection(ctx);
  c.setConnectState();
  c.setServerName('placeholder.example');
  c.doHandshake();
  hello = c.network.read();
  c.dispose();
  ctx.dispose();
}, 60_000);
afterAll(() => pki?.dispose());

const u16 = (b: Uint8Array, i: number) => (b[i] << 8) | b[i + 1];
const be16 = (n: number) => [n >> 8, n & 0xff];

/** The ClientHello with its server_name extension's data replaced. */
function withServerNames(names: (string | Uint8Array)[]): Uint8Array {
  const b = hello;
  expect(b[0]).toBe(22); // one handshake record ...
  expect(u16(b, 3)).toBe(b.length - 5); // ... holding the whole ClientHello
  let i = 9 + 2 + 32;
  i += 1 + b[i]; // legacy_session_id
  i += 2 + u16(b, i); // cipher_suites
  i += 1 + b[i]; // legacy_compression_methods
  const extStart = i + 2;
  const out: number[] = [];
  for (let j = extStart; j < b.length; ) {
    const type = u16(b, j);
    const len = u16(b, j + 2);
    if (type === 0) {
      const list: number[] = [];
      for (const n of names) {
        const bytes = typeof n === 'string' ? new TextEncoder().encode(n) : n;
        list.push(0, ...be16(bytes.length), ...bytes);
      }
      out.push(0, 0, ...be16(list.length + 2), ...be16(list.length), ...list);
    } else out.push(...b.subarray(j, j + 4 + len));
    j += 4 + len;
  }
  const body = [...b.subarray(9, extStart - 2), ...be16(out.length), ...out];
  const hs = [1, 0, ...be16(body.length), ...body];
  return new Uint8Array([22, b[1], b[2], ...be16(hs.length), ...hs]);
}

/** Our server's answer to a ClientHello: its error, what it stored, what it sent. */
function serve(ch: Uint8Array): { error: TLSError | undefined; serverName: string | undefined; out: Uint8Array } {
  const ctx = new TLSContext({ cert: pki.serverChainPem, key: pki.serverKeyPem });
  const s = new Connection(ctx);
  s.setAcceptState();
  try {
    expect(s.network.write(ch)).toBe(ch.length);
    const r = s.doHandshake();
    expect(r).toBeLessThan(1);
    return { error: s.error, serverName: s.serverName, out: s.network.read() };
  } finally {
    s.dispose();
    ctx.dispose();
  }
}

/** A plaintext fatal alert record (before any key: the ClientHello failed). */
const alertRecord = (a: number) => Buffer.from([21, 3, 3, 0, 2, 2, a]);

describe('a server refuses a host_name that is not a DNS host name', () => {
  const bad: [string, string | Uint8Array][] = [
    ['a NUL', 'evil.example\0.good.example'],
    ['a NUL at the end', 'evil.example\0'],
    ['a control byte', 'evil\x01.example'],
    ['DEL', 'evil\x7f.example'],
    ['a trailing dot', 'localhost.example.'],
    ['a leading dot', '.localhost'],
    ['an empty label', 'a..example'],
    ['a space', 'evil example'],
    ['a byte above 0x7f (not ASCII)', new Uint8Array([0x65, 0xc3, 0xa9, 0x2e, 0x63, 0x6f])],
    ['a 64-octet label', `${'a'.repeat(64)}.example`],
    ['254 octets', `${'abcdefghi.'.repeat(25)}abcd`],
    ['a slash', 'evil.example/path'],
  ];
  for (const [what, name] of bad) {
    it(`${what}: unrecognized_name sent, nothing stored`, () => {
      const r = serve(withServerNames([name]));
      expect(r.error).toBeInstanceOf(TLSError);
      expect(r.error?.alert).toBe(ALERT.unrecognized_name);
      expect(r.error?.alertDirection).toBe('sent');
      // The local reason behind the alert: a malformed ClientHello.
      expect(r.error?.reasonCode).toBe(TLS_ERR.DECODE);
      expect(r.serverName).toBeUndefined();
      expect(Buffer.from(r.out).equals(alertRecord(ALERT.unrecognized_name))).toBe(true);
    });
  }

  it('two host_names (RFC 6066 3: not more than one of a type): illegal_parameter', () => {
    const r = serve(withServerNames(['one.example', 'two.example']));
    expect(r.error?.alert).toBe(ALERT.illegal_parameter);
    expect(r.error?.alertDirection).toBe('sent');
    expect(r.error?.reasonCode).toBe(TLS_ERR.DUP_EXTENSION);
    expect(r.serverName).toBeUndefined();
    expect(Buffer.from(r.out).equals(alertRecord(ALERT.illegal_parameter))).toBe(true);
  });

  it('valid names are taken as sent (letters, digits, -, _, 63-octet labels, 253 octets)', () => {
    for (const name of [
      'other.example',
      'xn--bcher-kva.example',
      'a_b-c.d0.example',
      `${'a'.repeat(63)}.example`,
      `${'abcdefghi.'.repeat(25)}abc`,
    ]) {
      const r = serve(withServerNames([name]));
      expect(r.error, name).toBeUndefined();
      expect(r.serverName).toBe(name);
      expect(r.out[0]).toBe(22); // the ServerHello goes out
    }
  });

  it('an IP literal (forbidden by RFC 6066 3, sent by some clients) is left out, not refused', () => {
    for (const ip of ['127.0.0.1', '::1', 'fe80::1', '10.1', '0x7f.1']) {
      const r = serve(withServerNames([ip]));
      expect(r.error, ip).toBeUndefined();
      expect(r.serverName).toBeUndefined();
      expect(r.out[0]).toBe(22);
    }
  });
});

describe('wasmtls s_server', () => {
  async function ourServer(): Promise<{ srv: Peer; port: number }> {
    const srv = new Peer(process.execPath, [
      `${root}dist/cli.js`,
      's_server',
      '-accept',
      '127.0.0.1:0',
      '-cert',
      pki.path('server-chain.crt'),
      '-key',
      pki.path('server.key'),
    ]);
    await srv.waitFor('\n', 15_000);
    const m = /^ACCEPT 127\.0\.0\.1:(\d+)$/m.exec(srv.stdout.toString());
    if (!m) throw new Error(`no ACCEPT line: ${srv.stdout.toString()} ${srv.stderr}`);
    return { srv, port: Number(m[1]) };
  }

  /** Send `bytes`, collect the answer until the server closes. */
  function rawExchange(port: number, bytes: Uint8Array): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const got: Buffer[] = [];
      const s = tcpConnect(port, '127.0.0.1', () => s.write(bytes));
      const timer = setTimeout(() => {
        s.destroy();
        reject(new Error(`no close within 15 s; got ${Buffer.concat(got).toString('hex')}`));
      }, 15_000);
      s.on('data', (d: Buffer) => got.push(d));
      s.on('error', () => {}); // a reset after the alert still ends it
      s.on('close', () => {
        clearTimeout(timer);
        resolve(Buffer.concat(got));
      });
    });
  }

  it('a NUL in the SNI: the alert goes out, the connection is closed, the server goes on', async () => {
    const { srv, port } = await ourServer();
    try {
      const answer = await rawExchange(port, withServerNames(['evil.example\0.localhost']));
      expect(answer.equals(alertRecord(ALERT.unrecognized_name))).toBe(true);
      expect(srv.stderr).not.toContain('evil.example');
      if (OPENSSL) {
        // The next client, with a valid name, is served.
        const ossl = new Peer('openssl', [
          's_client',
          '-brief',
          '-connect',
          `127.0.0.1:${port}`,
          '-CAfile',
          pki.path('ca.crt'),
          '-servername',
          'localhost',
          '-verify_return_error',
        ]);
        try {
          await ossl.waitFor('Verification', 15_000, 'stderr');
          await srv.waitFor('SNI localhost', 10_000, 'stderr');
        } finally {
          ossl.kill();
        }
      }
    } finally {
      srv.kill();
    }
  }, 60_000);
});
