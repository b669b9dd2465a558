/**
 * Server-name validation (issue #15, "Lifecycle of connect()/accept()":
 * `setServerName('a\0b')` and `setServerName(123)` were accepted).
 *
 * RFC 6066 3: the SNI HostName is an ASCII DNS host name "without a
 * trailing dot"; "Literal IPv4 and IPv6 addresses are not permitted".
 * - a table of good and bad names against the SSL object
 *   (Connection.setServerName) and connect({ servername }): a non-string is
 *   a TypeError, as Node's tls.connect throws (the oracle: its
 *   ERR_INVALID_ARG_TYPE); control bytes, non-ASCII, empty or long labels,
 *   names over 253 characters and IP literals are RangeErrors;
 * - openssl s_server, which prints the SNI it received, sees `localhost`
 *   from both `localhost` and `localhost.`, and no SNI at all when
 *   connect() is given an IP host (kept: verified as an IP, not sent).
 */
import { once } from 'node:events';
import { connect as netConnect, type Socket } from 'node:net';
import { Duplex } from 'node:stream';
import * as nodeTls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromNodeSocket } from '../ts/adapters/node-socket.js';
import type { Transport } from '../ts/adapters/types.js';
import { connect } from '../ts/api/tls.js';
import { Connection, TLSContext } from '../ts/core/connection.js';
import { useBuild } from './helpers/env.js';
import { have, Peer } from './helpers/peers.js';
import { makePki, type Pki } from './helpers/pki.js';
import { freePort } from './helpers/runtimes.js';

useBuild('simd');
const OPENSSL = have('openssl', ['version']);

const GOOD: [string, string][] = [
  ['localhost', 'localhost'],
  ['example.com', 'example.com'],
  ['example.com.', 'example.com'],
  ['a-b.c_d.example', 'a-b.c_d.example'],
  ['xn--bcher-kva.example', 'xn--bcher-kva.example'],
  ['a'.repeat(63) + '.com', 'a'.repeat(63) + '.com'],
  // 253 characters, the longest (255 octets on the wire, RFC 1035 2.3.4).
  [`${'a'.repeat(63)}.`.repeat(3) + 'a'.repeat(61), `${'a'.repeat(63)}.`.repeat(3) + 'a'.repeat(61)],
];

const BAD: [unknown, 'TypeError' | 'RangeError', RegExp][] = [
  [123, 'TypeError', /must be a string/],
  [null, 'TypeError', /must be a string/],
  [{}, 'TypeError', /must be a string/],
  ['a\0b', 'RangeError', /control character/],
  ['a\nb.com', 'RangeError', /control character/],
  ['a\x7fb.com', 'RangeError', /control character/],
  ['bücher.example', 'RangeError', /not ASCII.*A-label/],
  ['', 'RangeError', /empty/],
  ['.', 'RangeError', /empty/],
  ['a..b', 'RangeError', /empty label/],
  ['.a.b', 'RangeError', /empty label/],
  ['a.b..', 'RangeError', /empty label/],
  ['a'.repeat(64) + '.com', 'RangeError', /longer than 63/],
  [`${'a'.repeat(63)}.`.repeat(3) + 'a'.repeat(62), 'RangeError', /longer than 253/],
  ['a b.com', 'RangeError', /character other than/],
  ['a/b.com', 'RangeError', /character other than/],
  ['1.2.3.4', 'RangeError', /IP literal/],
  ['10.1', 'RangeError', /IP literal/],
  ['::1', 'RangeError', /IP literal/],
  ['[::1]', 'RangeError', /IP literal/],
];

let pki: Pki;
beforeAll(() => {
  pki = makePki();
});
afterAll(() => pki?.dispose());

/** A transport that never answers: connect() fails before using it. */
function idle(): Transport {
  return { readable: new ReadableStream(), writable: new WritableStream(), close: async () => {} };
}

describe('setServerName (the SSL object)', () => {
  it.each(GOOD)('accepts %j (sends %j)', (name, sent) => {
    const ctx = new TLSContext({});
    const c = new Connection(ctx);
    try {
      c.setConnectState();
      c.setServerName(name);
      expect(c.serverName).toBe(sent);
    } finally {
      c.dispose();
      ctx.dispose();
    }
  });

  it.each(BAD)('refuses %j with %s', (name, type, why) => {
    const ctx = new TLSContext({});
    const c = new Connection(ctx);
    try {
      c.setConnectState();
      let err: unknown;
      try {
        c.setServerName(name as string);
      } catch (e) {
        err = e;
      }
      expect((err as Error)?.name).toBe(type);
      expect((err as Error).message).toMatch(why);
      expect(c.serverName).toBeUndefined();
    } finally {
      c.dispose();
      ctx.dispose();
    }
  });
});

describe('connect({ servername })', () => {
  it('a non-string is a TypeError, as in Node tls.connect', async () => {
    // The oracle: Node's tls.connect throws ERR_INVALID_ARG_TYPE (a TypeError)
    // before it writes anything; over an inert Duplex, no network.
    const inert = new Duplex({ read() {}, write: (_c, _e, cb) => cb() });
    try {
      expect(() => nodeTls.connect({ socket: inert, servername: 123 as unknown as string })).toThrow(TypeError);
    } finally {
      inert.destroy();
    }
    for (const key of ['servername', 'host'] as const) {
      const tls = connect({ transport: idle(), [key]: 123 as unknown as string, rejectUnauthorized: false });
      const err = await tls.opened.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(TypeError);
      expect((err as Error).message).toContain(`\`${key}\` must be a string`);
    }
  });

  it.each(BAD.filter(([n, t]) => t === 'RangeError' && typeof n === 'string' && n !== '' && !/:|^\d/.test(n)))(
    'refuses %j',
    async (name, type, why) => {
      const tls = connect({ transport: idle(), servername: name as string, rejectUnauthorized: false });
      const err = await tls.opened.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect((err as Error)?.name).toBe(type);
      expect((err as Error).message).toMatch(why);
    },
  );
});

async function tcp(port: number): Promise<Socket> {
  const s = netConnect({ port, host: '127.0.0.1' });
  await once(s, 'connect');
  return s;
}

/** Runs one handshake against openssl s_server and returns the SNI line it
 * printed (`Hostname in TLS extension: "..."`), or undefined for none. */
async function sniSeenByOpenssl(opts: { servername?: string; host?: string }): Promise<string | undefined> {
  const port = await freePort();
  // -servername with -cert2/-key2 installs s_server's SNI callback, which
  // prints the name it received; both certificates are the same here.
  const srv = new Peer(
    'openssl',
    [
      's_server',
      '-accept',
      `127.0.0.1:${port}`,
      '-cert',
      pki.path('server-chain.crt'),
      '-key',
      pki.path('server.key'),
      '-cert2',
      pki.path('server-chain.crt'),
      '-key2',
      pki.path('server.key'),
      '-servername',
      'localhost',
      '-naccept',
      '1',
    ],
    { cwd: pki.dir },
  );
  try {
    await srv.waitFor('ACCEPT');
    const sock = await tcp(port);
    const tls = connect({ transport: fromNodeSocket(sock), ca: pki.caPem, ...opts });
    await tls.opened;
    await tls.close();
    // Printed after the session ends, so the SNI line (printed while the
    // ClientHello was read) is in what we have by then.
    await srv.waitFor('CONNECTION CLOSED', 30_000);
    const m = /Hostname in TLS extension: "([^"]*)"/.exec(srv.stdout.toString('latin1'));
    return m?.[1];
  } finally {
    srv.kill();
  }
}

describe.skipIf(!OPENSSL)('the SNI openssl s_server receives', () => {
  it('localhost and localhost. both arrive as "localhost"', async () => {
    expect(await sniSeenByOpenssl({ servername: 'localhost' })).toBe('localhost');
    expect(await sniSeenByOpenssl({ servername: 'localhost.' })).toBe('localhost');
  }, 60_000);

  it('an IP host is verified, not sent: no SNI', async () => {
    // The test PKI's server certificate carries IP:127.0.0.1 (or the
    // handshake would fail here, which is the check that IPs are verified).
    expect(await sniSeenByOpenssl({ host: '127.0.0.1' })).toBeUndefined();
  }, 60_000);
});
