/**
 * 0-RTT early data, client side (RFC 8446 2.3, 4.2.10), against
 * `openssl s_server -early_data` (OpenSSL 3.0) on 127.0.0.1. The oracle is
 * the server's own word: s_server prints what SSL_read_early_data gave it
 * after "Early data received:", or "Early data was rejected"
 * (apps/s_server.c sv_body), and echoes nothing of its own; what it read
 * as normal data comes after.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Connection, TLSContext, type TLSContextOptions } from '../ts/core/connection.js';
import { useBuild } from './helpers/env.js';
import { connectRetry, SocketPump } from './helpers/netpump.js';
import { have, payload, Peer } from './helpers/peers.js';
import { freePort } from './helpers/runtimes.js';
import { makeTestCerts, type TestCerts } from './helpers/tls-certs.js';

useBuild('simd');
let certs: TestCerts;
beforeAll(async () => {
  certs = await makeTestCerts();
}, 60_000);
afterAll(() => certs?.dispose());

const OPENSSL = have('openssl', ['version']);
const count = (hay: string, needle: Uint8Array) => hay.split(Buffer.from(needle).toString('latin1')).length - 1;

async function dial(port: number, opts: TLSContextOptions, session?: Uint8Array) {
  const ctx = new TLSContext({ verify: 'insecure-no-chain-validation', ...opts });
  const conn = new Connection(ctx);
  conn.setConnectState();
  conn.setServerName('localhost');
  if (session) conn.setSession(session);
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

function sServer(port: number, extra: string[], naccept = 2): Peer {
  return new Peer('openssl', [
    's_server',
    '-accept',
    `127.0.0.1:${port}`,
    '-tls1_3',
    '-naccept',
    String(naccept),
    '-cert',
    certs.server['ecdsa-p256'].certPath,
    '-key',
    certs.server['ecdsa-p256'].keyPath,
    ...extra,
  ]);
}

/** A first connection whose session (with the server's NewSessionTicket,
 * which s_server sends after the handshake) is kept. */
async function firstSession(port: number, srv: Peer): Promise<Uint8Array> {
  const d = await dial(port, {});
  try {
    await d.pump.handshake();
    const down = payload(64, 7);
    srv.write(down);
    await d.pump.readExactly(down.length);
    const s = d.conn.getSession();
    expect(s).toBeDefined();
    await d.pump.close();
    return s as Uint8Array;
  } finally {
    d.dispose();
  }
}

describe.skipIf(!OPENSSL)('client 0-RTT against openssl s_server', () => {
  it('s_server -early_data: the ticket allows it, the early bytes are accepted and read as early data', async () => {
    const port = await freePort();
    const srv = sServer(port, ['-early_data']);
    try {
      const session = await firstSession(port, srv);
      const d = await dial(port, {}, session);
      try {
        // OpenSSL 3.0 s_server -early_data: max_early_data 16384 in its tickets.
        expect(d.conn.getMaxEarlyData()).toBe(16384);
        expect(d.conn.getEarlyDataStatus()).toBe('NOT_SENT');
        const early = payload(1000, 11);
        const w = d.conn.writeEarlyData(early);
        expect(w).toEqual({ ok: true, written: early.length });
        d.pump.flush();
        await d.pump.handshake();
        expect(d.conn.sessionReused).toBe(true);
        expect(d.conn.getEarlyDataStatus()).toBe('ACCEPTED');
        const late = payload(200, 12);
        await d.pump.writeAll(late);
        await srv.waitFor(late);
        const out = srv.stdout.toString('latin1');
        // s_server writes the data it reads straight to fd 1 and its own
        // lines through a buffered BIO, so the two interleave out of order:
        // the oracle is its verdict line, and the early bytes delivered
        // exactly once, before the normal data.
        expect(out).toContain('Early data received:');
        expect(out).toContain('End of early data');
        expect(out).not.toContain('Early data was rejected');
        expect(count(out, early)).toBe(1);
        expect(out.indexOf(late.toString('latin1'))).toBeGreaterThan(out.indexOf(early.toString('latin1')));
        await d.pump.close();
      } finally {
        d.dispose();
      }
    } finally {
      srv.kill();
    }
  }, 30_000);
});
