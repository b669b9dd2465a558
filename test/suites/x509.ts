/**
 * X.509 parsing, trust stores and path validation, in both builds.
 *
 * - Fixture chains made by `openssl` at test time (test/helpers/
 *   x509-fixtures.ts): each case's verdict is checked against its expected
 *   code and against `openssl verify` on the same files (differential);
 *   where the two must differ, the case names the RFC rule that decides.
 * - Parsed certificates against node:crypto's X509Certificate
 *   (toLegacyObject is the getPeerCertificate() shape), for the fixtures and
 *   for every root of Node's tls.rootCertificates.
 * - Every Mozilla root: parses, verifies its own self-signature (where the
 *   algorithm is one TLS 1.3 can name), and is found by anchor matching.
 */
import { execFileSync } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { rootCertificates } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CertificateError,
  checkSignature,
  parseCertificate,
  parseChain,
  pemCertificates,
  spkiSha256,
  TrustStore,
  verifyChain,
  type PeerCertificate,
} from '../../ts/core/x509.js';
import { type Build, root, useBuild } from '../helpers/env.js';
import { makeFixtures, opensslVerify, type Fixtures } from '../helpers/x509-fixtures.js';

type Legacy = Record<string, unknown>;

// The getPeerCertificate() fields we compute, from Node (OpenSSL).
function nodeView(der: Uint8Array): Legacy {
  const o = new X509Certificate(der).toLegacyObject() as unknown as Legacy;
  const norm = (n: unknown) => JSON.parse(JSON.stringify(n)) as unknown;
  return {
    subject: norm(o.subject),
    issuer: norm(o.issuer),
    subjectaltname: o.subjectaltname,
    ca: o.ca,
    valid_from: o.valid_from,
    valid_to: o.valid_to,
    serialNumber: o.serialNumber,
    fingerprint256: o.fingerprint256,
  };
}
function ourView(c: PeerCertificate): Legacy {
  return {
    subject: JSON.parse(JSON.stringify(c.subject)),
    issuer: JSON.parse(JSON.stringify(c.issuer)),
    subjectaltname: c.subjectaltname,
    ca: c.ca,
    valid_from: c.valid_from,
    valid_to: c.valid_to,
    serialNumber: c.serialNumber,
    fingerprint256: c.fingerprint256,
  };
}

// ---- a minimal DER splicer (test only): replace the issuer Name ----------
function tlv(b: Uint8Array, off: number): { hdr: number; len: number; end: number } {
  let len = b[off + 1];
  let hdr = 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + b[off + 2 + i];
    hdr = 2 + n;
  }
  return { hdr, len, end: off + hdr + len };
}
function wrap(tag: number, body: Uint8Array): Uint8Array {
  const n = body.length;
  const len = n < 128 ? [n] : n < 256 ? [0x81, n] : n < 65536 ? [0x82, n >> 8, n & 255] : [0x83, n >> 16, (n >> 8) & 255, n & 255];
  return Uint8Array.from([tag, ...len, ...body]);
}
function children(b: Uint8Array, start: number, end: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let o = start; o < end; ) {
    const t = tlv(b, o);
    out.push(b.subarray(o, t.end));
    o = t.end;
  }
  return out;
}
/** The certificate with its TBS issuer replaced by `name` (signature left
 * as is: only usable with signature checks skipped). */
export function withIssuer(cert: Uint8Array, name: Uint8Array): Uint8Array {
  const c = tlv(cert, 0);
  const [tbs, alg, sig] = children(cert, c.hdr, c.end);
  const t = tlv(tbs, 0);
  const parts = children(tbs, t.hdr, t.end);
  const i = parts[0][0] === 0xa0 ? 3 : 2; // [version] serial signature issuer
  parts[i] = name;
  const body = (xs: Uint8Array[]) => Uint8Array.from(xs.flatMap((x) => [...x]));
  return wrap(0x30, body([wrap(0x30, body(parts)), alg, sig]));
}
export function subjectName(cert: Uint8Array): Uint8Array {
  const c = tlv(cert, 0);
  const [tbs] = children(cert, c.hdr, c.end);
  const t = tlv(tbs, 0);
  const parts = children(tbs, t.hdr, t.end);
  return parts[parts[0][0] === 0xa0 ? 5 : 4];
}

const rootDers = (): Uint8Array[] => rootCertificates.flatMap((p) => pemCertificates(p));

/** Defines the suite for one build; test/x509.<build>.test.ts call it. */
export function x509Suite(build: Build): void {
  useBuild(build);
  describe(`X.509 (${build} build)`, () => {
    let fx: Fixtures;
    beforeAll(() => {
      fx = makeFixtures();
    }, 120_000);
    afterAll(() => fx?.cleanup());

    it('fixture verdicts: expected, and the same as openssl verify (or the RFC rule that decides)', () => {
      const rows: string[] = [];
      let run = 0;
      let disagreements = 0;
      for (const c of fx.cases) {
        const v = verifyChain({ chain: c.chain, anchors: c.anchors, host: c.host, purpose: c.purpose, time: c.time });
        const ours = v.authorized ? null : v.authorizationError!;
        expect(ours, `${c.name}: ${v.reason}`).toBe(c.expect);
        expect(v.authorized).toBe(c.expect === null);
        if (!v.authorized) expect(v.alert).toBeGreaterThan(0);
        const theirs = opensslVerify(c);
        const want = c.openssl ? c.openssl.expect : c.expect;
        expect(theirs, `openssl verify on ${c.name}`).toBe(want);
        if (c.openssl) disagreements++;
        rows.push(
          `${(ours ?? 'OK').padEnd(34)} openssl ${(theirs ?? 'OK').padEnd(34)} ${c.name}${c.openssl ? `  [differs: ${c.openssl.rule}]` : ''}`,
        );
        run++;
      }
      console.log(
        `x509 fixture verdicts (${build}): ${run} cases, ${disagreements} documented disagreements with openssl\n${rows.join('\n')}`,
      );
      expect(run).toBe(fx.cases.length);
      // The loudly named test mode skips signatures and nothing else.
      const bad = fx.cases.find((c) => c.expect === 'CERT_SIGNATURE_FAILURE')!;
      expect(verifyChain({ ...bad, insecureSkipSignatureCheck: true }).authorized).toBe(true);
    });

    it('signature checks: valid links verify, a flipped bit does not', () => {
      const d = fx.certs;
      for (const [child, issuer] of [
        ['rsaint', 'rsaroot'],
        ['rsaleaf', 'rsaint'],
        ['ecleaf', 'ecint'],
        ['p384int', 'p384root'],
        ['p384leaf', 'p384int'],
        ['edleaf', 'edroot'],
        ['pssleaf', 'pssroot'],
        ['pssroot', 'pssroot'],
      ]) {
        expect(checkSignature(d[child], d[issuer]), `${child} by ${issuer}`).toBeNull();
      }
      expect(checkSignature(d.badsig, d.ecint)).toBe('CERT_SIGNATURE_FAILURE');
      expect(checkSignature(d.ecleaf, d.rsaint)).not.toBeNull();
    });

    it('parsed fixtures match node:crypto (getPeerCertificate shape)', () => {
      let n = 0;
      for (const [name, der] of Object.entries(fx.certs)) {
        // Malformed on purpose: a flipped signature bit (parses), and
        // certificates our parser refuses (a bad AIA or name constraint).
        // Node's `ca` is OpenSSL's X509_check_ca (a keyUsage without
        // keyCertSign makes it false), ours is basicConstraints cA.
        if (name === 'badsig' || name === 'cafleaf') continue;
        if (['badaia', 'badncdns', 'badncip'].includes(name)) {
          expect(() => parseCertificate(der), name).toThrow(/CERT_BAD_EXTENSION/);
          continue;
        }
        expect(ourView(parseCertificate(der)), name).toEqual(nodeView(der));
        n++;
      }
      expect(n).toBeGreaterThan(30);
      const ip = parseCertificate(fx.certs.ipleaf);
      expect(ip.subjectaltname).toBe('IP Address:192.0.2.1, IP Address:2001:DB8:0:0:0:0:0:1');
      // notAfter beyond 2049 is a GeneralizedTime (RFC 5280 4.1.2.5).
      expect(Number(parseCertificate(fx.certs.rsaroot).valid_to.split(' ').at(-2))).toBeGreaterThan(2100);
    });

    it('chain linking, pins, stores, errors', () => {
      const d = fx.certs;
      const now = Date.now();
      const v = verifyChain({ chain: [d.ecleaf, d.rsaint, d.ecint], anchors: [d.ecroot], host: 'ec.example.test', time: now });
      expect(v.authorized).toBe(true);
      expect(v.path).toEqual([0, 2]);
      expect(v.anchor).toEqual(d.ecroot);
      const top = parseChain([d.ecleaf, d.rsaint, d.ecint], v.path, v.anchor);
      expect(top.subject.CN).toBe('ec.example.test');
      expect(top.issuerCertificate!.subject.CN).toBe('EC Intermediate');
      expect(top.issuerCertificate!.issuerCertificate!.subject.CN).toBe('EC Root');
      expect(top.issuerCertificate!.issuerCertificate!.issuerCertificate!.subject.CN).toBe('EC Root');
      // SPKI pins: the intermediate's key pinned; then a pin that matches nothing.
      const base = { chain: [d.ecleaf, d.ecint], anchors: [d.ecroot], time: now };
      expect(verifyChain({ ...base, pins: [spkiSha256(d.ecint)] }).authorized).toBe(true);
      const bad = verifyChain({ ...base, pins: [new Uint8Array(32)] });
      expect(bad.authorizationError).toBe('CERT_PIN_MISMATCH');
      expect(Buffer.from(spkiSha256(d.ecleaf)).toString('base64')).toBe(parseCertificate(d.ecleaf).pubkeyPin);
      const spki = new X509Certificate(d.ecleaf).publicKey.export({ type: 'spki', format: 'der' });
      expect(Buffer.from(spkiSha256(d.ecleaf)).toString('hex')).toBe(createHash('sha256').update(spki).digest('hex'));
      // Store from PEM (a bundle with a non-certificate block), duplicates, growth.
      const pem = `junk before\n-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n${new X509Certificate(d.ecroot).toString()}${new X509Certificate(d.ecroot).toString()}${new X509Certificate(d.rsaroot).toString()}`;
      const s = new TrustStore(64).addPEM(pem);
      expect(s.size).toBe(2);
      s.addDER(d.ecroot);
      expect(s.size).toBe(2);
      expect(verifyChain({ ...base, anchors: s }).authorized).toBe(true);
      expect(verifyChain({ ...base, anchors: pem }).authorized).toBe(true);
      s.dispose();
      // Errors: a certificate that does not parse.
      expect(() => parseCertificate(d.ecleaf.subarray(0, 100))).toThrow(CertificateError);
      expect(() => parseCertificate(d.ecleaf.subarray(0, 100))).toThrow(/CERT_DECODE_ERROR/);
      expect(() => new TrustStore().addDER(new Uint8Array([0x30, 0x00]))).toThrow(CertificateError);
      const empty = verifyChain({ chain: [], anchors: [d.ecroot] });
      expect(empty.authorizationError).toBe('NO_PEER_CERTIFICATE');
      const trunc = verifyChain({ chain: [d.ecleaf.subarray(1)], anchors: [d.ecroot] });
      expect(trunc.authorizationError).toBe('CERT_DECODE_ERROR');
      expect(trunc.alert).toBe(42);
      // Depth limit: root -> pl0 -> plsub -> leaf needs 3 chain certificates.
      const deep = verifyChain({ chain: [d.plleaf, d.plsub, d.pl0], anchors: [d.ecroot], time: now, maxDepth: 2 });
      expect(deep.authorizationError).toBe('CERT_CHAIN_TOO_LONG');
    });

    it('scripts/gen-roots.mjs writes a roots module that loads into a TrustStore', async () => {
      const out = mkdtempSync(join(tmpdir(), 'wasmtls-roots-'));
      try {
        execFileSync(process.execPath, [`${root}scripts/gen-roots.mjs`, out], { stdio: 'pipe' });
        const m = (await import(pathToFileURL(join(out, 'roots.js')).href)) as { rootCertificates: readonly string[]; rootsSource: string };
        expect(m.rootCertificates.length).toBe(rootCertificates.length);
        expect(m.rootsSource).toContain(process.version);
        const s = new TrustStore().addPEM(m.rootCertificates.join('\n'));
        expect(s.size).toBe(rootCertificates.length);
        const leaf = withIssuer(fx.certs.noaki, subjectName(pemCertificates(m.rootCertificates[7])[0]));
        const v = verifyChain({ chain: [leaf], anchors: s, insecureSkipSignatureCheck: true, time: Date.now() });
        expect(v.authorized, v.authorizationError).toBe(true);
        s.dispose();
      } finally {
        rmSync(out, { recursive: true, force: true });
      }
    });

    it('every root in tls.rootCertificates parses like node:crypto reads it', () => {
      const roots = rootDers();
      expect(roots.length).toBe(rootCertificates.length);
      for (const der of roots) expect(ourView(parseCertificate(der))).toEqual(nodeView(der));
      console.log(`x509 (${build}): ${roots.length} Mozilla roots parsed, all fields equal to node:crypto`);
    });

    it('every root: anchor matching finds it; self-signature verifies where TLS can name the algorithm', () => {
      const roots = rootDers();
      const store = new TrustStore();
      for (const r of roots) store.addDER(r);
      expect(store.size).toBe(roots.length);
      // A leaf whose issuer is the root's subject (no AKI, so only the name
      // selects): the search must reach that root among all of them. Only
      // the issuer is rewritten, so signatures are not checked here.
      // Anchors are checked too (their validity period): a root that has
      // expired (per node:crypto) is found but refused as CERT_HAS_EXPIRED.
      let matched = 0;
      let expired = 0;
      const now = Date.now();
      for (const r of roots) {
        const leaf = withIssuer(fx.certs.noaki, subjectName(r));
        const v = verifyChain({ chain: [leaf], anchors: store, insecureSkipSignatureCheck: true, time: now });
        if (Date.parse(new X509Certificate(r).validTo) < now) {
          expect(v.authorizationError, new X509Certificate(r).subject).toBe('CERT_HAS_EXPIRED');
          expired++;
          continue;
        }
        expect(v.authorized, `${new X509Certificate(r).subject}: ${v.authorizationError}`).toBe(true);
        expect(Buffer.from(subjectName(v.anchor!)).equals(Buffer.from(subjectName(r)))).toBe(true);
        matched++;
      }
      // Self-signatures.
      let ok = 0;
      let unsupported = 0;
      for (const r of roots) {
        const e = checkSignature(r, r);
        if (e === 'CERT_UNSUPPORTED_SIGNATURE_ALGORITHM') {
          unsupported++;
          continue;
        }
        expect(e, new X509Certificate(r).subject).toBeNull();
        ok++;
      }
      store.dispose();
      console.log(
        `x509 (${build}): anchor matching found ${matched}/${roots.length} roots (${expired} expired, refused as anchors); self-signatures: ${ok} verified, ${unsupported} with algorithms TLS cannot name (SHA-1, ECDSA curve/hash mixes)`,
      );
      expect(matched + expired).toBe(roots.length);
      expect(matched).toBeGreaterThan(roots.length - 10);
      expect(ok + unsupported).toBe(roots.length);
      expect(ok).toBeGreaterThan(roots.length / 2);
    });
  });
}
