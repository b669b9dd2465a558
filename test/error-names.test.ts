/**
 * Errors name what happened. A client refused by the server after its
 * side of the handshake (TLS 1.3: the server checks the client's
 * certificate after the client is done) and writing on gets the server's
 * alert, not the transport's `EPIPE` / `ECONNRESET` that follows it: what
 * arrived is read before a transport error is reported. A server's
 * protocol_version alert says which versions the server lacks (TLS 1.2 and
 * 1.3, or the one this side allows). In each layer: `wasmtls/tls`,
 * `wasmtls/node` (compared with Node's own tls against the same server)
 * and the CLI.
 *
 * Peers: `openssl s_server -Verify 1` (requires a client certificate),
 * Node's tls server requiring one, and `openssl s_server -tls1_1`.
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { existsSync } from 'node:fs';
import * as nodeTls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTcp } from '../ts/adapters/node-socket.js';
import { connect as nodeConnect } from '../ts/api/node.js';
import { connect } from '../ts/api/tls.js';
import { TLSError } from '../ts/core/errors.js';
import { root, useBuild } from './helpers/env.js';
import { have, Peer } from './helpers/peers.js';
import { makePki, type Pki } from './helpers/pki.js';
import { freePort } from './helpers/runtimes.js';

useBuild('simd');
const OPENSSL = have('openssl', ['version']);
const CLI = `${root}dist/cli.js`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let pki: Pki;
beforeAll(() => {
  pki = makePki();
});
afterAll(() => pki?.dispose());

/** openssl s_server on a free port, with `args`; ready once it printed ACCEPT. */
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

const chunk = new Uint8Array(1024).fill(0x61);

describe.skipIf(!OPENSSL)('a client the server refuses after the handshake, writing on', () => {
  it('wasmtls/tls: the write and the readable fail with the received certificate_required alert', async () => {
    // The refusing peer is Node's tls server here, not s_server: after its
    // alert, s_server shuts down its sending side and then reads on until
    // our side stops sending (apps/lib/s_socket.c drains before it closes),
    // so a client writing at a slow pace could write for tens of seconds
    // before any write failed (observed: 4 s to over 40 s for the same run).
    // Node's server destroys the refused socket at once; with our records
    // unread in its buffer, the kernel answers the next ones with a reset.
    const server = nodeTls.createServer({
      cert: pki.serverChainPem,
      key: pki.serverKeyPem,
      ca: pki.caPem,
      requestCert: true,
      rejectUnauthorized: true,
      minVersion: 'TLSv1.3',
    });
    const refused = once(server, 'tlsClientError');
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    try {
      // No read-ahead (high-water mark 0): nothing reads the transport
      // while the application only writes, so the alert waits in the
      // transport when a write meets the reset behind it.
      const tls = connect({
        transport: await connectTcp({ host: '127.0.0.1', port }),
        servername: 'localhost',
        ca: pki.caPem,
        readableHighWaterMark: 0,
      });
      await tls.opened; // TLS 1.3: the client is done before the server judged it
      const w = tls.writable.getWriter();
      let err: unknown;
      // The server's refusal is the oracle that it judged us; then writes
      // go on, one event-loop turn apart, until one meets the reset.
      const [why] = (await refused) as [Error];
      expect(why.message).toMatch(/certificate/i);
      for (let i = 0; i < 10_000 && err === undefined; i++) {
        try {
          await w.write(chunk);
          await new Promise((r) => setImmediate(r));
        } catch (e) {
          err = e;
        }
      }
      expect(err).toBeInstanceOf(TLSError);
      expect((err as TLSError).alertDirection).toBe('received');
      expect((err as TLSError).alert).toBe(116); // certificate_required
      const readErr = await tls.readable
        .getReader()
        .read()
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect((readErr as TLSError).alert).toBe(116);
    } finally {
      server.close();
    }
  });

  it('wasmtls/tls: a client writing without a pause gets the alert, not the EPIPE its writes drew', async () => {
    // The writes complete at once, so nothing is read until one fails:
    // the alert is still in the kernel then (Node marks the socket errored
    // and would drop it; the adapter reads on).
    const { srv, port } = await opensslServer('-Verify', '1', '-tls1_3');
    try {
      const tls = connect({ transport: await connectTcp({ host: '127.0.0.1', port }), servername: 'localhost', ca: pki.caPem });
      await tls.opened;
      const w = tls.writable.getWriter();
      let err: unknown;
      for (let i = 0; i < 100_000 && err === undefined; i++) {
        try {
          await w.write(chunk);
        } catch (e) {
          err = e;
        }
      }
      expect(err).toBeInstanceOf(TLSError);
      expect([(err as TLSError).alertDirection, (err as TLSError).alert]).toEqual(['received', 116]);
    } finally {
      srv.kill();
    }
  });

  it("wasmtls/node: the error code is the alert, as Node's own tls reports it", async () => {
    const codes: string[] = [];
    for (const which of ['node:tls', 'wasmtls/node']) {
      const { srv, port } = await opensslServer('-Verify', '1', '-tls1_3');
      try {
        // An application that only writes (nothing consumes the socket's
        // data) and no read-ahead: the alert waits in the transport.
        const o = { host: '127.0.0.1', port, servername: 'localhost', ca: pki.caPem, highWaterMark: 0 };
        const s = which === 'node:tls' ? nodeTls.connect(o) : nodeConnect(o);
        const failed = once(s, 'error');
        await once(s, 'secureConnect');
        let stop = false;
        failed
          .finally(() => {
            stop = true;
          })
          .catch(() => {});
        for (const until = Date.now() + 10_000; Date.now() < until && !stop && !s.destroyed; ) {
          await new Promise<void>((r) => s.write(Buffer.from(chunk), () => r()));
          await new Promise((r) => setImmediate(r));
        }
        const [e] = (await failed) as [NodeJS.ErrnoException];
        codes.push(`${which} ${e.code}`);
        s.destroy();
      } finally {
        srv.kill();
      }
    }
    expect(codes).toEqual(['node:tls ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED', 'wasmtls/node ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED']);
  });

  it("wasmtls/node: a client writing without a pause gets the alert every time, as Node's own tls does", async () => {
    const codes: string[] = [];
    for (const which of ['node:tls', 'wasmtls/node', 'node:tls', 'wasmtls/node', 'node:tls', 'wasmtls/node']) {
      const { srv, port } = await opensslServer('-Verify', '1', '-tls1_3');
      try {
        const o = { host: '127.0.0.1', port, servername: 'localhost', ca: pki.caPem };
        const s = which === 'node:tls' ? nodeTls.connect(o) : nodeConnect(o);
        const failed = once(s, 'error');
        await once(s, 'secureConnect');
        let stop = false;
        failed
          .finally(() => {
            stop = true;
          })
          .catch(() => {});
        for (let i = 0; i < 100_000 && !stop && !s.destroyed; i++) {
          await new Promise<void>((r) => s.write(Buffer.from(chunk), () => r()));
        }
        const [e] = (await failed) as [NodeJS.ErrnoException];
        codes.push(`${which} ${e.code}`);
        s.destroy();
      } finally {
        srv.kill();
      }
    }
    expect(codes).toEqual(
      Array(3)
        .fill(['node:tls ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED', 'wasmtls/node ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED'])
        .flat(),
    );
  });

  it.skipIf(!existsSync(CLI))('CLI s_client: the refusal is reported with the received alert', async () => {
    const { srv, port } = await opensslServer('-Verify', '1', '-tls1_3');
    const cli = new Peer(process.execPath, [
      CLI,
      's_client',
      '-brief',
      '-connect',
      `127.0.0.1:${port}`,
      '-servername',
      'localhost',
      '-CAfile',
      pki.path('ca.crt'),
    ]);
    try {
      await cli.waitFor('CONNECTION ESTABLISHED', 10_000, 'stderr');
      for (let i = 0; i < 50 && cli.exited === undefined; i++) {
        cli.write(Buffer.alloc(1024, 0x61));
        await sleep(20);
      }
      await cli.waitExit(10_000);
      expect(cli.exited).toBe(1);
      expect(cli.stderr).toMatch(/received fatal alert certificate_required/);
      expect(cli.stderr).not.toMatch(/EPIPE|ECONNRESET/);
    } finally {
      cli.kill();
      srv.kill();
    }
  });
});

// A server without a version in common: `openssl s_server -tls1_1`
// (OpenSSL 3.0 needs SECLEVEL 0 for it) against our default range refuses
// with protocol_version (RFC 8446 4.2.1: our supported_versions holds none
// of its versions). A client limited to TLS 1.3 against `-tls1_2`:
// test/tls12-peers.test.ts.
const TLS11 = ['-tls1_1', '-cipher', 'DEFAULT@SECLEVEL=0'];

describe.skipIf(!OPENSSL)('a server without a version in common', () => {
  it('wasmtls/tls: the protocol_version alert says the server does not offer TLS 1.2 or 1.3', async () => {
    const { srv, port } = await opensslServer(...TLS11);
    try {
      const tls = connect({ transport: await connectTcp({ host: '127.0.0.1', port }), servername: 'localhost', ca: pki.caPem });
      const err = await tls.opened.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(TLSError);
      expect([(err as TLSError).alertDirection, (err as TLSError).alert]).toEqual(['received', 70]);
      expect((err as TLSError).message).toMatch(/\(the server does not offer TLS 1\.2 or 1\.3\)/);
    } finally {
      srv.kill();
    }
  });

  it("wasmtls/node: Node's code for the alert, as Node's own tls reports it, and the message says why", async () => {
    const codes: string[] = [];
    for (const which of ['node:tls', 'wasmtls/node']) {
      const { srv, port } = await opensslServer(...TLS11);
      try {
        const o = { host: '127.0.0.1', port, servername: 'localhost', ca: pki.caPem };
        const s = which === 'node:tls' ? nodeTls.connect(o) : nodeConnect(o);
        const [e] = (await once(s, 'error').catch((x: unknown) => [x])) as [NodeJS.ErrnoException];
        codes.push(`${which} ${e.code}`);
        if (which === 'wasmtls/node') expect(e.message).toMatch(/the server does not offer TLS 1\.2 or 1\.3/);
        s.destroy();
      } finally {
        srv.kill();
      }
    }
    expect(codes).toEqual(['node:tls ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION', 'wasmtls/node ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION']);
  });

  it.skipIf(!existsSync(CLI))('CLI s_client: exit 1, the message names the version problem', async () => {
    const { srv, port } = await opensslServer(...TLS11);
    const cli = new Peer(process.execPath, [
      CLI,
      's_client',
      '-connect',
      `127.0.0.1:${port}`,
      '-servername',
      'localhost',
      '-CAfile',
      pki.path('ca.crt'),
    ]);
    try {
      cli.child.stdin.end();
      await cli.waitExit(10_000);
      expect(cli.exited).toBe(1);
      expect(cli.stderr).toMatch(/received fatal alert protocol_version/);
      expect(cli.stderr).toContain('the server does not offer TLS 1.2 or 1.3');
    } finally {
      cli.kill();
      srv.kill();
    }
  });
});
