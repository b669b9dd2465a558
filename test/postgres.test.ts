/**
 * STARTTLS against a real PostgreSQL server (Debian's `postgresql`, a
 * throwaway cluster from test/helpers/postgres.ts: `ssl = on` with a
 * certificate from the test CA, `hostssl` rules only, a `trust` role and
 * a `cert` role). The caller does the plaintext phase (SSLRequest, the
 * server's 'S') on its own socket and hands the socket to wasmtls:
 * `connect({ transport: fromNodeSocket(socket) })` in Node (and the Node
 * drop-in `wasmtls/node`), `fromDenoConn` in Deno, `fromWorkersSocket` in
 * workerd. The TLS chain is checked against the test CA for `localhost`;
 * then StartupMessage, authentication, `SELECT 1`, Terminate
 * (test/helpers/pg-wire.ts).
 *
 * The server is the oracle: `pg_stat_ssl` says, from its side, that the
 * session is TLS, which version and cipher, and which client certificate
 * it saw; its log says why it refused. Node's own `tls.connect({ socket })`
 * runs the same session first, so the setup is known good independently
 * of wasmtls.
 *
 * The refusals and who reports them: a server certificate the client's CA
 * did not issue fails our handshake (a TLSError: unknown_ca, the
 * certificate verdict named; the server logs our alert); a `cert` role
 * without a client certificate completes TLS (PostgreSQL asks for a
 * certificate but does not require one at the TLS layer) and is then
 * refused by the server's FATAL ErrorResponse 28000 "connection requires
 * a valid client certificate", not by a TLS alert.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { connect as nodeTlsConnect } from 'node:tls';
import { Duplex } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromNodeSocket } from '../ts/adapters/node-socket.js';
import { connect as wasmtlsNodeConnect } from '../ts/api/node.js';
import { connect, TLSError, type TLSSocket } from '../ts/api/tls.js';
import { ALERT } from '../ts/core/errors.js';
import { root, useBuild } from './helpers/env.js';
import { pgSession, PgError, type ByteDuplex } from './helpers/pg-wire.js';
import { makePki, type Pki } from './helpers/pki.js';
import { connectPg, sslRequestOverSocket, startPostgres, type PgCluster } from './helpers/postgres.js';
import { bundle, inDeno, inWorkerd } from './helpers/runtimes.js';
import type { PgCaseReport, PgParams } from './runtime/pg-scenario.js';

const SSL_QUERY = 'SELECT ssl, version, cipher, client_dn FROM pg_stat_ssl WHERE pid = pg_backend_pid()';

let pki: Pki;
let pg: PgCluster;
/** Node's verdict on the wrong CA (the oracle case sets it). */
let nodeWrongCaCode: string | undefined = 'SELF_SIGNED_CERT_IN_CHAIN';

beforeAll(async () => {
  useBuild('simd');
  pki = makePki();
  // Fails with a clear message when PostgreSQL is not installed (build.sh
  // installs it as root): this test is not skipped.
  pg = await startPostgres(pki);
}, 60_000);

afterAll(async () => {
  await pg?.stop();
  pki?.dispose();
}, 30_000);

/** TCP, SSLRequest, 'S': the socket as the plaintext phase leaves it (paused, no listener). */
async function upgradedSocket() {
  const s = await connectPg(pg);
  try {
    await sslRequestOverSocket(s);
  } catch (e) {
    s.destroy();
    throw e;
  }
  return s;
}

async function wasmtls(extra: Record<string, unknown> = {}): Promise<TLSSocket> {
  return connect({ transport: fromNodeSocket(await upgradedSocket()), servername: 'localhost', ca: pki.caPem, ...extra });
}

/** Server log lines that came after `mark` (its length when the case began). */
const logSince = (mark: number): string => pg.log().slice(mark);

describe('Node: a socket after SSLRequest, through fromNodeSocket and connect({ transport })', () => {
  it("node:tls (the oracle): tls.connect({ socket }) after the 'S' runs the session", async () => {
    const s = await upgradedSocket();
    const tls = nodeTlsConnect({ socket: s, servername: 'localhost', ca: pki.caPem });
    await new Promise<void>((res, rej) => tls.once('secureConnect', res).once('error', rej));
    const seen = [tls.getProtocol(), tls.getCipher().name];
    const r = await pgSession(Duplex.toWeb(tls) as unknown as ByteDuplex, { user: 'trusted', queries: ['SELECT 1', SSL_QUERY] });
    expect(r.rows).toEqual([[['1']], [['t', ...seen, null]]]);
    tls.destroy();
  }, 30_000);

  it('node:tls (the oracle) refuses the server for a CA that did not issue it: the verdict our client must name', async () => {
    const s = await upgradedSocket();
    const tls = nodeTlsConnect({ socket: s, servername: 'localhost', ca: pki.strangerPem });
    const err = await new Promise<NodeJS.ErrnoException>((res, rej) =>
      tls.once('secureConnect', () => rej(new Error('connected'))).once('error', res),
    );
    tls.destroy();
    nodeWrongCaCode = err.code;
    expect(err.code).toBe('SELF_SIGNED_CERT_IN_CHAIN');
  }, 30_000);

  it.each(['TLSv1.3', 'TLSv1.2'] as const)(
    'trust role over %s: chain and name verified, SELECT 1, the server sees our TLS',
    async (v) => {
      const mark = pg.log().length;
      const tls = await wasmtls({ maxVersion: v });
      const info = await tls.opened;
      expect(info).toMatchObject({ version: v, authorized: true, authorizationError: undefined });
      const r = await pgSession(tls, { user: 'trusted', queries: ['SELECT 1', SSL_QUERY] });
      expect(r.rows[0]).toEqual([['1']]);
      // pg_stat_ssl names the cipher as OpenSSL does: Node's getCipher().name,
      // which is what `cipher` reports.
      expect(r.rows[1]).toEqual([['t', v, info.cipher, null]]);
      expect(r.parameters.session_authorization).toBe('trusted');
      expect(r.ended).toBe('end');
      await tls.closed;
      // The server's own account (its stderr may trail the socket a little).
      const line = new RegExp(`connection authorized: user=trusted .*SSL enabled \\(protocol=${v.replace('.', '\\.')}`);
      await waitFor(() => line.test(logSince(mark)), `the server to log the ${v} session`, pg.log);
    },
    30_000,
  );

  it('cert role with our client certificate: the server saw it (client_dn) and let the role in', async () => {
    const tls = await wasmtls({ cert: pki.clientPem, key: pki.clientKeyPem });
    expect((await tls.opened).authorized).toBe(true);
    const r = await pgSession(tls, { user: 'certuser', queries: ['SELECT 1', SSL_QUERY] });
    expect(r.parameters.session_authorization).toBe('certuser');
    expect(r.rows[0]).toEqual([['1']]);
    expect(r.rows[1][0].slice(0, 2)).toEqual(['t', 'TLSv1.3']);
    expect(r.rows[1][0][3]).toBe('/CN=client.test');
    await tls.closed;
  }, 30_000);

  it('cert role without a client certificate: TLS completes, then the server refuses with FATAL 28000', async () => {
    const mark = pg.log().length;
    const tls = await wasmtls();
    try {
      // The handshake is not where it fails: PostgreSQL requests a
      // certificate but takes a client without one (SSL_VERIFY_PEER
      // without FAIL_IF_NO_PEER_CERT); the `cert` rule refuses after.
      expect((await tls.opened).authorized).toBe(true);
      const err = await pgSession(tls, { user: 'certuser', queries: ['SELECT 1'] }).then(
        () => {
          throw new Error('the session was not refused');
        },
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(PgError);
      expect((err as PgError).fields).toMatchObject({ S: 'FATAL', C: '28000', M: 'connection requires a valid client certificate' });
      await waitFor(
        () => logSince(mark).includes('FATAL:  connection requires a valid client certificate'),
        'the server to log its refusal',
        pg.log,
      );
    } finally {
      await tls.close();
    }
  }, 30_000);

  it('a server certificate the CA did not issue: the handshake fails with unknown_ca and the verdict named', async () => {
    const mark = pg.log().length;
    const tls = await wasmtls({ ca: pki.strangerPem });
    const err = await tls.opened.then(
      () => {
        throw new Error('the handshake succeeded');
      },
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(TLSError);
    const e = err as TLSError;
    expect(e.alert).toBe(ALERT.unknown_ca);
    expect(e.alertDirection).toBe('sent');
    // The server sends its chain up to the test root, which this client
    // does not trust: Node's verdict (the case above) for the same chain.
    expect(e.verifyError).toBe(nodeWrongCaCode);
    expect(e.message).toMatch(/unknown_ca.*certificate: SELF_SIGNED_CERT_IN_CHAIN/s);
    await tls.closed.catch(() => {});
    // The server (OpenSSL) received our alert.
    await waitFor(() => /alert unknown ca/i.test(logSince(mark)), 'the server to log our alert', pg.log);
  }, 30_000);

  it('a host name the certificate does not hold: refused, the verdict named', async () => {
    const tls = await wasmtls({ servername: 'db.example.com' });
    const err = await tls.opened.then(
      () => {
        throw new Error('the handshake succeeded');
      },
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(TLSError);
    expect((err as TLSError).verifyError).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
    await tls.closed.catch(() => {});
  }, 30_000);

  it("wasmtls/node (the node:tls drop-in): connect({ socket }) after the 'S' runs the session", async () => {
    const s = await upgradedSocket();
    const tls = wasmtlsNodeConnect({ socket: s, servername: 'localhost', ca: pki.caPem, cert: pki.clientPem, key: pki.clientKeyPem });
    await new Promise<void>((res, rej) => tls.once('secureConnect', res).once('error', rej));
    expect(tls.authorized).toBe(true);
    const r = await pgSession(Duplex.toWeb(tls) as unknown as ByteDuplex, { user: 'certuser', queries: ['SELECT 1', SSL_QUERY] });
    expect(r.rows).toEqual([[['1']], [['t', tls.getProtocol(), tls.getCipher()?.name, '/CN=client.test']]]);
    tls.destroy();
  }, 30_000);
});

async function waitFor(cond: () => boolean, what: string, log: () => string): Promise<void> {
  for (const until = Date.now() + 10_000; !cond(); ) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}; server log:\n${log()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** What every runtime's scenario must report (test/runtime/pg-scenario.ts). */
function expectRuntime(reports: PgCaseReport[], runtime: string, other = false): void {
  console.log(`${runtime}: ${JSON.stringify(reports)}`);
  expect(reports.map((r) => r.name)).toEqual([
    'trusted',
    'client certificate',
    'wrong CA',
    'no client certificate',
    ...(other ? ['trusted, the other plaintext phase'] : []),
  ]);
  const [trusted, cert, wrongCa, noCert, streams] = reports;
  if (other) {
    expect(streams).toMatchObject({ version: 'TLSv1.3', authorized: true, user: 'trusted', ended: 'end' });
    expect(streams.rows).toEqual([[['1']], [['t', 'TLSv1.3', streams.cipher, null]]]);
  }
  expect(trusted).toMatchObject({ version: 'TLSv1.3', authorized: true, user: 'trusted', ended: 'end' });
  expect(trusted.error).toBeUndefined();
  expect(trusted.rows).toEqual([[['1']], [['t', 'TLSv1.3', trusted.cipher, null]]]);
  expect(cert).toMatchObject({ version: 'TLSv1.3', authorized: true, user: 'certuser', ended: 'end' });
  expect(cert.error).toBeUndefined();
  expect(cert.rows).toEqual([[['1']], [['t', 'TLSv1.3', cert.cipher, '/CN=client.test']]]);
  expect(wrongCa).toMatchObject({ alert: ALERT.unknown_ca, verifyError: nodeWrongCaCode });
  expect(wrongCa.rows).toBeUndefined();
  expect(noCert).toMatchObject({ authorized: true, pgCode: '28000' });
  expect(noCert.error).toMatch(/FATAL 28000: connection requires a valid client certificate/);
}

function params(): PgParams {
  return { port: pg.port, caPem: pki.caPem, wrongCaPem: pki.strangerPem, clientPem: pki.clientPem, clientKeyPem: pki.clientKeyPem };
}

/** Bundle a runtime entry whose runAll(source) runs the scenario with the
 * parameters baked in (no runtime needs its own way of passing them). */
async function bundleEntry(name: string, module: string, fn: string, external: string[] = []): Promise<string> {
  const dir = `${root}build/pg-${name}`;
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    `${dir}/entry.js`,
    [
      `import { ${fn} } from ${JSON.stringify(`${root}test/runtime/${module}`)};`,
      `export const runAll = (source) => ${fn}(source, ${JSON.stringify(params())});`,
    ].join('\n'),
  );
  return bundle(`${dir}/entry.js`, dir, external);
}

describe('Deno: Deno.connect, SSLRequest with conn.read/write (or its streams), then fromDenoConn', () => {
  it('trust and cert roles run SELECT 1; wrong CA and missing certificate are refused', async () => {
    const dir = await bundleEntry('deno', 'pg-deno.ts', 'runDeno');
    expectRuntime(await inDeno<PgCaseReport[]>(dir, ['--allow-read', '--allow-net=127.0.0.1']), 'deno', true);
  }, 90_000);
});

describe('workerd: connect() from cloudflare:sockets, SSLRequest on its streams, then fromWorkersSocket', () => {
  it('trust and cert roles run SELECT 1; wrong CA and missing certificate are refused', async () => {
    const dir = await bundleEntry('workerd', 'pg-workerd.ts', 'runWorkerd', ['cloudflare:sockets']);
    expectRuntime(await inWorkerd<PgCaseReport[]>(dir, { network: true }), 'workerd');
  }, 90_000);
});
