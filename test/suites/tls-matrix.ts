/**
 * In-memory client <-> server through the TypeScript SSL object: every
 * cipher suite x group x signature scheme, with application data both
 * ways; resumption with a ticket; HelloRetryRequest; KeyUpdate under load;
 * client certificates; ALPN and SNI; record_size_limit. Certificates and
 * keys are made at test time with the openssl CLI. Run in both builds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALERT, Connection, TLS_ERR, TLSContext, TLSError, type CipherSuiteName, type GroupName } from '../../ts/core/connection.js';
import { type Build, useBuild } from '../helpers/env.js';
import { KEY_KINDS, makeTestCerts, SCHEME_OF, type TestCerts } from '../helpers/tls-certs.js';
import { BIG_OUT, connected, deliver, equalBytes, handshake, makePair, pattern, readAll, records } from '../helpers/tls-pair.js';

const enc = (s: string) => new TextEncoder().encode(s);

const SUITES: CipherSuiteName[] = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256'];
const GROUPS: GroupName[] = ['x25519', 'secp256r1', 'secp384r1', 'X25519MLKEM768'];

/** Defines the suite for one build; test/tls-matrix.<build>.test.ts call it. */
export function tlsMatrixSuite(build: Build): void {
  useBuild(build);
  let certs: TestCerts;
  beforeAll(async () => {
    certs = await makeTestCerts();
  }, 60_000);
  afterAll(() => certs?.dispose());

  describe(`every suite x group x signature scheme (${build} build)`, () => {
    it(`${SUITES.length} x ${GROUPS.length} x ${KEY_KINDS.length} handshakes with data both ways`, () => {
      let n = 0;
      for (const suite of SUITES) {
        for (const group of GROUPS) {
          for (const kind of KEY_KINDS) {
            const what = `${suite} ${group} ${kind}`;
            const p = makePair(
              certs.server[kind],
              { suites: [suite], groups: [group], ...BIG_OUT },
              { suites: [suite], groups: [group], ...BIG_OUT },
            );
            handshake(p.c, p.s);
            for (const side of [p.c, p.s]) {
              expect(side.version, what).toBe('TLSv1.3');
              expect(side.cipher, what).toBe(suite);
              expect(side.group, what).toBe(group);
              expect(side.hrrSeen, what).toBe(false);
            }
            expect(p.c.peerSignatureScheme, what).toBe(SCHEME_OF[kind]);
            expect(p.c.peerAuthenticated, what).toBe(true);
            const up = pattern(20_000 + n, n + 1),
              down = pattern(30_000 - n, n + 100);
            expect(p.c.write(up), what).toBe(up.length);
            expect(p.s.write(down), what).toBe(down.length);
            expect(equalBytes(deliver(p.c, p.s), up), what).toBe(true);
            expect(equalBytes(deliver(p.s, p.c), down), what).toBe(true);
            p.dispose();
            n++;
          }
        }
      }
      expect(n).toBe(48);
      console.log(
        `in-memory matrix (${build} build): ${n} handshakes (${SUITES.length} suites x ${GROUPS.length} groups x ${KEY_KINDS.length} schemes), data checked both ways`,
      );
    });

    it('no shared suite / group: handshake_failure alert both ends', () => {
      const ed = certs.server.ed25519;
      const p = makePair(ed, { suites: ['TLS_AES_128_GCM_SHA256'] }, { suites: ['TLS_CHACHA20_POLY1305_SHA256'] });
      expect(() => handshake(p.c, p.s)).toThrow(TLSError);
      expect(p.s.error!.engineCode).toBe(TLS_ERR.SEND_ALERT + ALERT.handshake_failure);
      expect(p.s.error!.reasonCode).toBe(TLS_ERR.NO_SHARED_SUITE);
      expect(p.c.doHandshake()).toBe(-1);
      expect(p.c.error!.engineCode).toBe(TLS_ERR.RECV_ALERT + ALERT.handshake_failure);
      p.dispose();
    });
  });

  describe('HelloRetryRequest', () => {
    it('the client guessed a group the server does not take: one HRR, then the shared group', () => {
      const p = connected(certs.server['ecdsa-p256'], { groups: ['x25519', 'secp256r1'] }, { groups: ['secp256r1'] });
      expect(p.c.hrrSeen).toBe(true);
      expect(p.s.hrrSeen).toBe(true);
      expect(p.c.group).toBe('secp256r1');
      expect(p.c.write(enc('after HRR'))).toBe(9);
      expect(deliver(p.c, p.s)).toEqual(enc('after HRR'));
      p.dispose();
    });
  });

  describe('resumption with a ticket', () => {
    it('a second connection resumes (psk_dhe_ke), both sides say so, data flows', () => {
      const cert = certs.server['ecdsa-p384'];
      const cctx = new TLSContext({ verify: 'insecure-no-chain-validation' });
      const sctx = new TLSContext({ cert: cert.certPem, key: cert.keyPem, ticketKey: new Uint8Array(32).fill(9), tickets: 2 });
      const run = (session?: Uint8Array) => {
        const c = new Connection(cctx),
          s = new Connection(sctx);
        c.setConnectState();
        s.setAcceptState();
        if (session) c.setSession(session);
        handshake(c, s);
        expect(s.write(enc('hello'))).toBe(5);
        expect(deliver(s, c)).toEqual(enc('hello')); // the read takes the tickets first
        return { c, s };
      };
      const first = run();
      expect(first.c.sessionReused).toBe(false);
      expect(first.c.peerAuthenticated).toBe(true);
      const session = first.c.getSession()!;
      expect(session.length).toBeGreaterThan(0);
      const second = run(session);
      expect(second.c.sessionReused).toBe(true);
      expect(second.s.sessionReused).toBe(true);
      expect(second.c.peerSignatureScheme).toBeUndefined(); // no certificate in a resumed handshake
      // A wrong ticket key: the server falls back to a full handshake.
      const other = new TLSContext({ cert: cert.certPem, key: cert.keyPem, ticketKey: new Uint8Array(32).fill(1) });
      const c = new Connection(cctx),
        s = new Connection(other);
      c.setConnectState();
      s.setAcceptState();
      c.setSession(session);
      handshake(c, s);
      expect(c.sessionReused).toBe(false);
      expect(c.peerAuthenticated).toBe(true);
      for (const x of [first.c, first.s, second.c, second.s, c, s, cctx, sctx, other]) x.dispose();
    });
  });

  describe('KeyUpdate under load', () => {
    it('random KeyUpdates (requested or not) from both sides among writes of random sizes', () => {
      const p = connected(certs.server.ed25519, BIG_OUT, BIG_OUT);
      let seed = 12345;
      const rnd = (n: number) => {
        seed = (seed * 1103515245 + 12345) >>> 0;
        return seed % n;
      };
      const sent = [[] as Uint8Array[], [] as Uint8Array[]];
      const got = [[] as Uint8Array[], [] as Uint8Array[]];
      const sides = [p.c, p.s];
      let updates = 0;
      for (let i = 0; i < 300; i++) {
        const k = rnd(2),
          me = sides[k],
          peer = sides[1 - k];
        if (rnd(3) === 0) {
          expect(me.keyUpdate(rnd(2) === 1)).toBe(true);
          updates++;
        }
        const d = pattern(1 + rnd(40_000), i + 1);
        expect(me.write(d)).toBe(d.length);
        sent[k].push(d);
        if (rnd(4) === 0) {
          // Let both directions catch up; reads answer requested updates.
          got[1 - k].push(deliver(me, peer));
          got[k].push(deliver(peer, me));
        }
      }
      got[1].push(deliver(p.c, p.s));
      got[0].push(deliver(p.s, p.c));
      for (const k of [0, 1]) {
        const a = Buffer.concat(sent[k]),
          b = Buffer.concat(got[1 - k]);
        expect(a.length).toBe(b.length);
        expect(a.equals(b)).toBe(true);
      }
      expect(updates).toBeGreaterThan(80);
      console.log(
        `KeyUpdate under load: ${updates} updates among 300 writes, ${Buffer.concat(sent[0]).length + Buffer.concat(sent[1]).length} bytes checked`,
      );
      p.dispose();
    });
  });

  describe('client certificates', () => {
    const client = () => ({ cert: certs.client.certPem, key: certs.client.keyPem });

    it('required and given: the server sees the chain through its external verifier', () => {
      const seen: Uint8Array[][] = [];
      const p = connected(certs.server.rsa2048, client(), {
        verify: 'external',
        onVerify: (chain) => (seen.push(chain), 0),
        clientCert: 'require',
      });
      expect(p.s.peerAuthenticated).toBe(true);
      expect(p.s.peerSignatureScheme).toBe('ecdsa_secp256r1_sha256');
      expect(seen.length).toBe(1);
      expect(equalBytes(seen[0][0], certs.client.certDer)).toBe(true);
      expect(p.c.write(enc('authenticated'))).toBe(13);
      expect(deliver(p.c, p.s)).toEqual(enc('authenticated'));
      p.dispose();
    });

    it('requested, not given: the handshake completes unauthenticated', () => {
      const p = connected(certs.server.ed25519, {}, { verify: 'insecure-no-chain-validation', clientCert: 'request' });
      expect(p.s.peerAuthenticated).toBe(false);
      p.dispose();
    });

    it('required, not given: certificate_required', () => {
      const p = makePair(certs.server.ed25519, {}, { verify: 'insecure-no-chain-validation', clientCert: 'require' });
      expect(() => handshake(p.c, p.s)).toThrow(TLSError);
      expect(p.s.error!.engineCode).toBe(TLS_ERR.SEND_ALERT + ALERT.certificate_required);
      expect(p.c.readEx().ok).toBe(false);
      expect(p.c.error!.engineCode).toBe(TLS_ERR.RECV_ALERT + ALERT.certificate_required);
      p.dispose();
    });

    it('refused by the server verifier: the client gets the alert', () => {
      const p = makePair(certs.server.ed25519, client(), {
        verify: 'external',
        onVerify: () => ALERT.access_denied,
        clientCert: 'require',
      });
      expect(() => handshake(p.c, p.s)).toThrow(TLSError);
      expect(p.s.error!.engineCode).toBe(TLS_ERR.SEND_ALERT + ALERT.access_denied);
      expect(p.c.readEx().ok).toBe(false);
      expect(p.c.error!.engineCode).toBe(TLS_ERR.RECV_ALERT + ALERT.access_denied);
      p.dispose();
    });
  });

  describe('ALPN, SNI, record_size_limit', () => {
    it('ALPN picks the server preference among the client offer; SNI reaches the server', () => {
      const p = makePair(certs.server.ed25519, { alpn: ['h2', 'http/1.1'] }, { alpn: ['http/1.1', 'h2'] });
      p.c.setServerName('example.test');
      handshake(p.c, p.s);
      expect(p.c.alpnProtocol).toBe('http/1.1');
      expect(p.s.alpnProtocol).toBe('http/1.1');
      expect(p.s.serverName).toBe('example.test');
      p.dispose();
      const q = makePair(certs.server.ed25519, { alpn: ['h2'] }, { alpn: ['http/1.1'] });
      expect(() => handshake(q.c, q.s)).toThrow(TLSError);
      expect(q.s.error!.alert).toBe(ALERT.no_application_protocol);
      q.dispose();
      const r = connected(certs.server.ed25519, {}, { alpn: ['http/1.1'] });
      expect(r.c.alpnProtocol).toBeUndefined(); // client offered none
      r.dispose();
    });

    it('record_size_limit: the peer sends records no larger than we asked for', () => {
      const p = connected(certs.server.ed25519, { recordSizeLimit: 256 }, BIG_OUT);
      const d = pattern(5000, 77);
      expect(p.s.write(d)).toBe(5000);
      const out = p.s.network.read();
      const lens = records(out).map((r) => r[1]);
      // RFC 8449 4: in TLS 1.3 the limit counts the inner content type, so
      // 255 bytes of data + 1 + 16-byte tag.
      expect(Math.max(...lens)).toBe(255 + 1 + 16);
      expect(lens.length).toBe(Math.ceil(5000 / 255));
      p.c.network.write(out);
      expect(equalBytes(readAll(p.c).data, d)).toBe(true);
      // Our own records to the peer are unaffected.
      expect(p.c.write(d)).toBe(5000);
      expect(records(p.c.network.read()).length).toBe(1);
      p.dispose();
    });
  });
}
