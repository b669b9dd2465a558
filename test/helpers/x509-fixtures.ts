/**
 * X.509 fixtures made with the `openssl` CLI at test time, in a fresh
 * temporary directory (nothing generated is committed). Each case is a
 * record in the manner of BearSSL's test/x509/alltests.txt: the chain as
 * the peer sends it (leaf first), the trust anchors, the reference host,
 * the purpose, the verification time, and the expected verdict (an
 * authorizationError code, or null for a valid chain).
 *
 * `opensslVerify` runs `openssl verify` on the same files with the same
 * inputs (-purpose, -verify_hostname / -verify_ip, -attime) and returns
 * its verdict mapped to our codes, for a differential check.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type Purpose = 'server' | 'client';

export interface X509Case {
  name: string;
  /** DER, leaf first, as the peer sends it. */
  chain: Uint8Array[];
  /** DER trust anchors. */
  anchors: Uint8Array[];
  host?: string;
  purpose: Purpose;
  /** Verification time, ms since the epoch. */
  time: number;
  /** Expected code (wt_x509_err_name) or null for authorized. */
  expect: string | null;
  /** Expected OpenSSL verdict where it differs from ours, and the rule
   * that decides it. */
  openssl?: { expect: string | null; rule: string };
  /** Compare with `openssl verify -x509_strict` (the stricter RFC 5280
   * profile checks) rather than plain `openssl verify`. */
  strict?: boolean;
  /** OpenSSL reports every error it finds; compare the one at this depth
   * (default: the first reported). */
  opensslDepth?: number;
  /** Files for openssl verify. */
  files: { leaf: string; untrusted: string | null; anchors: string };
}

export interface Fixtures {
  dir: string;
  cases: X509Case[];
  /** Single certificates for parser checks, by name. */
  certs: Record<string, Uint8Array>;
  cleanup(): void;
}

const DAY = 86_400_000;

function pemToDer(pem: string): Uint8Array {
  const b64 = pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
  return new Uint8Array(Buffer.from(b64, 'base64'));
}

function derToPem(der: Uint8Array): string {
  const b64 = Buffer.from(der)
    .toString('base64')
    .replace(/(.{64})/g, '$1\n');
  return `-----BEGIN CERTIFICATE-----\n${b64.replace(/\n$/, '')}\n-----END CERTIFICATE-----\n`;
}

type KeyType = 'rsa' | 'p256' | 'p384' | 'ed25519' | 'rsa1024' | 'rsa2052' | 'p192' | 'dsa';

interface CertSpec {
  subject: string;
  key: string;
  /** Name of the issuing certificate; omitted: self-signed. */
  issuer?: string;
  ext: string;
  days?: number;
  digest?: 'sha256' | 'sha384' | null;
  pss?: boolean;
  /** Serial number as openssl -set_serial takes it (default: a counter). */
  serial?: string;
  /** A version 1 certificate: no extensions at all (ext ignored). */
  v1?: boolean;
}

/** Make all fixtures; takes a few seconds (key generation). */
export function makeFixtures(): Fixtures {
  const dir = mkdtempSync(join(tmpdir(), 'wasmtls-x509-'));
  const p = (f: string) => join(dir, f);
  const ossl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  writeFileSync(p('req.cnf'), '[req]\ndistinguished_name=dn\nprompt=no\n[dn]\n');

  const keys = new Set<string>();
  const key = (name: string, type: KeyType): string => {
    if (keys.has(name)) return name;
    const args: Record<KeyType, string[]> = {
      rsa: ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'],
      p256: ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'],
      p384: ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-384'],
      ed25519: ['-algorithm', 'ED25519'],
      rsa1024: ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:1024'],
      rsa2052: ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2052'],
      p192: ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-192'],
      dsa: ['-paramfile', p('dsa.param')],
    };
    if (type === 'dsa') ossl('genpkey', '-genparam', '-algorithm', 'DSA', '-pkeyopt', 'dsa_paramgen_bits:1024', '-out', p('dsa.param'));
    ossl('genpkey', ...args[type], '-out', p(`${name}.key`));
    keys.add(name);
    return name;
  };

  const CA =
    'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid:always\n';
  const caPath = (n: number) => CA.replace('CA:TRUE', `CA:TRUE,pathlen:${n}`);
  const LEAF = (san: string, eku = 'serverAuth') =>
    `basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=${eku}\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid:always\n${san ? `subjectAltName=${san}\n` : ''}`;

  const der: Record<string, Uint8Array> = {};
  let serial = 0x1000;
  const cert = (name: string, s: CertSpec): Uint8Array => {
    writeFileSync(p(`${name}.ext`), `[e]\n${s.ext}`);
    ossl('req', '-new', '-config', p('req.cnf'), '-key', p(`${s.key}.key`), '-subj', s.subject, '-out', p(`${name}.csr`));
    const args = [
      'x509',
      '-req',
      '-in',
      p(`${name}.csr`),
      '-out',
      p(`${name}.pem`),
      '-days',
      String(s.days ?? 3650),
      ...(s.v1 ? [] : ['-extfile', p(`${name}.ext`), '-extensions', 'e']),
      '-set_serial',
      s.serial ?? String(serial++),
    ];
    if (s.issuer) args.push('-CA', p(`${s.issuer}.pem`), '-CAkey', p(`${certKey[s.issuer]}.key`));
    else args.push('-key', p(`${s.key}.key`));
    if (s.digest !== null) args.push(`-${s.digest ?? 'sha256'}`);
    if (s.pss) args.push('-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_pss_saltlen:digest', '-sigopt', 'rsa_mgf1_md:sha256');
    ossl(...args);
    certKey[name] = s.key;
    der[name] = pemToDer(readFileSync(p(`${name}.pem`), 'utf8'));
    return der[name];
  };
  const certKey: Record<string, string> = {};
  const write = (file: string, certs: Uint8Array[]) => writeFileSync(p(file), certs.map(derToPem).join(''));

  // ---- keys ----
  key('rsaroot', 'rsa');
  key('rsaint', 'rsa');
  key('rsaleaf', 'rsa');
  key('ecroot', 'p256');
  key('ecint', 'p256');
  key('ecleaf', 'p256');
  key('p384root', 'p384');
  key('p384int', 'p384');
  key('edroot', 'ed25519');
  key('edleaf', 'ed25519');
  key('other', 'p256');

  // ---- hierarchies ----
  // RSA: root (notAfter past 2049: GeneralizedTime) -> int -> leaves
  cert('rsaroot', { subject: '/C=US/O=wasmtls test/CN=RSA Root', key: 'rsaroot', ext: CA, days: 36500 });
  cert('rsaint', { subject: '/C=US/O=wasmtls test/CN=RSA Intermediate', key: 'rsaint', issuer: 'rsaroot', ext: CA });
  cert('rsaleaf', {
    subject: '/CN=www.example.test',
    key: 'rsaleaf',
    issuer: 'rsaint',
    ext: LEAF('DNS:www.example.test,DNS:example.test'),
    days: 30,
  });
  // ECDSA P-256 throughout
  cert('ecroot', { subject: '/O=wasmtls test/CN=EC Root', key: 'ecroot', ext: CA });
  cert('ecint', { subject: '/O=wasmtls test/CN=EC Intermediate', key: 'ecint', issuer: 'ecroot', ext: CA });
  cert('ecleaf', { subject: '/CN=ec.example.test', key: 'ecleaf', issuer: 'ecint', ext: LEAF('DNS:ec.example.test'), days: 30 });
  // P-384 CA signing with SHA-384 (the TLS pairing), P-256 leaf
  cert('p384root', { subject: '/O=wasmtls test/CN=P-384 Root', key: 'p384root', ext: CA, digest: 'sha384' });
  cert('p384int', { subject: '/O=wasmtls test/CN=P-384 Intermediate', key: 'p384int', issuer: 'p384root', ext: CA, digest: 'sha384' });
  cert('p384leaf', {
    subject: '/CN=p384.example.test',
    key: 'ecleaf',
    issuer: 'p384int',
    ext: LEAF('DNS:p384.example.test'),
    digest: 'sha384',
    days: 30,
  });
  // Ed25519
  cert('edroot', { subject: '/O=wasmtls test/CN=Ed25519 Root', key: 'edroot', ext: CA, digest: null });
  cert('edleaf', {
    subject: '/CN=ed.example.test',
    key: 'edleaf',
    issuer: 'edroot',
    ext: LEAF('DNS:ed.example.test'),
    digest: null,
    days: 30,
  });
  // RSA-PSS signatures (rsaEncryption keys)
  cert('pssroot', { subject: '/O=wasmtls test/CN=PSS Root', key: 'rsaroot', ext: CA, pss: true });
  cert('pssleaf', {
    subject: '/CN=pss.example.test',
    key: 'rsaleaf',
    issuer: 'pssroot',
    ext: LEAF('DNS:pss.example.test'),
    pss: true,
    days: 30,
  });

  // Leaves under the EC intermediate for identity and usage cases
  const L = (name: string, ext: string, subject = '/CN=leaf.example.test') =>
    cert(name, { subject, key: 'ecleaf', issuer: 'ecint', ext, days: 30 });
  L('wild', LEAF('DNS:*.a.example'));
  L('ipleaf', LEAF('IP:192.0.2.1,IP:2001:db8::1'));
  L('cnonly', LEAF(''), '/CN=cn.example.test');
  L('clientleaf', LEAF('DNS:client.example.test', 'clientAuth'));
  L('critleaf', `${LEAF('DNS:crit.example.test')}1.3.6.1.4.1.55555.1=critical,ASN1:UTF8String:must understand\n`);
  L('noncritleaf', `${LEAF('DNS:noncrit.example.test')}1.3.6.1.4.1.55555.2=ASN1:UTF8String:may ignore\n`);
  L('noaki', LEAF('DNS:noaki.example.test').replace('authorityKeyIdentifier=keyid:always', 'authorityKeyIdentifier=none'));
  L('kuleaf', LEAF('DNS:ku.example.test').replace('digitalSignature', 'keyEncipherment'));
  // Self-signed leaf
  cert('selfleaf', {
    subject: '/CN=self.example.test',
    key: 'other',
    ext: LEAF('DNS:self.example.test').replace('authorityKeyIdentifier=keyid:always\n', ''),
    days: 30,
  });
  // CA:FALSE intermediate
  cert('notca', {
    subject: '/O=wasmtls test/CN=Not a CA',
    key: 'other',
    issuer: 'ecroot',
    ext: 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,keyCertSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid:always\n',
  });
  cert('notcaleaf', { subject: '/CN=notca.example.test', key: 'ecleaf', issuer: 'notca', ext: LEAF('DNS:notca.example.test'), days: 30 });
  // pathLen: root -> int0 (pathlen:0) -> int2 -> leaf
  cert('pl0', { subject: '/O=wasmtls test/CN=PathLen 0', key: 'ecint', issuer: 'ecroot', ext: caPath(0) });
  cert('plsub', { subject: '/O=wasmtls test/CN=Below PathLen 0', key: 'other', issuer: 'pl0', ext: CA });
  cert('plleaf', { subject: '/CN=pl.example.test', key: 'ecleaf', issuer: 'plsub', ext: LEAF('DNS:pl.example.test'), days: 30 });
  cert('pl0leaf', { subject: '/CN=pl0.example.test', key: 'ecleaf', issuer: 'pl0', ext: LEAF('DNS:pl0.example.test'), days: 30 });
  // name constraints on an intermediate
  cert('ncint', {
    subject: '/O=wasmtls test/CN=Constrained',
    key: 'other',
    issuer: 'ecroot',
    ext: `${CA}nameConstraints=critical,permitted;DNS:good.example,excluded;DNS:bad.good.example,permitted;IP:192.0.2.0/255.255.255.0\n`,
  });
  cert('ncok', {
    subject: '/CN=www.good.example',
    key: 'ecleaf',
    issuer: 'ncint',
    ext: LEAF('DNS:www.good.example,IP:192.0.2.7'),
    days: 30,
  });
  cert('ncbad', { subject: '/CN=www.evil.example', key: 'ecleaf', issuer: 'ncint', ext: LEAF('DNS:www.evil.example'), days: 30 });
  cert('ncexcl', { subject: '/CN=x.bad.good.example', key: 'ecleaf', issuer: 'ncint', ext: LEAF('DNS:x.bad.good.example'), days: 30 });
  cert('ncip', {
    subject: '/CN=ip.good.example',
    key: 'ecleaf',
    issuer: 'ncint',
    ext: LEAF('DNS:ip.good.example,IP:198.51.100.1'),
    days: 30,
  });
  // Wrong issuer: a leaf from a CA that is neither sent nor trusted
  cert('otherca', { subject: '/O=wasmtls test/CN=Other CA', key: 'other', ext: CA });
  cert('strayleaf', { subject: '/CN=ec.example.test', key: 'ecleaf', issuer: 'otherca', ext: LEAF('DNS:ec.example.test'), days: 30 });
  // Cross-signing: one intermediate key and name, certified by two roots
  cert('xroot1', { subject: '/O=wasmtls test/CN=Cross Root 1', key: 'rsaroot', ext: CA });
  cert('xroot2', { subject: '/O=wasmtls test/CN=Cross Root 2', key: 'p384root', ext: CA, digest: 'sha384' });
  cert('xint1', { subject: '/O=wasmtls test/CN=Cross Intermediate', key: 'ecint', issuer: 'xroot1', ext: CA });
  cert('xint2', { subject: '/O=wasmtls test/CN=Cross Intermediate', key: 'ecint', issuer: 'xroot2', ext: CA, digest: 'sha384' });
  cert('xleaf', { subject: '/CN=cross.example.test', key: 'ecleaf', issuer: 'xint1', ext: LEAF('DNS:cross.example.test'), days: 30 });

  // ---- trust anchors are checked too (RFC 5280 6.1.1 d is trust input,
  // but OpenSSL, Go and pyca refuse these) ----
  // A root that expires before its leaf (20 days vs 30).
  cert('shortroot', { subject: '/O=wasmtls test/CN=Short Root', key: 'ecroot', ext: CA, days: 20 });
  cert('shortleaf', {
    subject: '/CN=short.example.test',
    key: 'ecleaf',
    issuer: 'shortroot',
    ext: LEAF('DNS:short.example.test'),
    days: 30,
  });
  // A root with an unknown critical extension.
  cert('critroot', {
    subject: '/O=wasmtls test/CN=Critical Root',
    key: 'ecroot',
    ext: `${CA}1.3.6.1.4.1.55555.3=critical,ASN1:UTF8String:must understand\n`,
  });
  cert('critrootleaf', {
    subject: '/CN=critroot.example.test',
    key: 'ecleaf',
    issuer: 'critroot',
    ext: LEAF('DNS:critroot.example.test'),
    days: 30,
  });
  // Roots that are not CAs: cA=FALSE, no basicConstraints (v3), version 1.
  cert('falseroot', {
    subject: '/O=wasmtls test/CN=CA False Root',
    key: 'ecroot',
    ext: 'basicConstraints=critical,CA:FALSE\nsubjectKeyIdentifier=hash\n',
  });
  cert('nobcroot', { subject: '/O=wasmtls test/CN=No BC Root', key: 'ecroot', ext: 'subjectKeyIdentifier=hash\n' });
  cert('v1root', { subject: '/O=wasmtls test/CN=V1 Root', key: 'ecroot', ext: '', v1: true });
  // Under an issuer without subjectKeyIdentifier the leaf's AKI names the
  // issuer and serial instead (openssl -x509_strict wants an AKI).
  const NOAKI = (san: string) => LEAF(san).replace('authorityKeyIdentifier=keyid:always', 'authorityKeyIdentifier=issuer:always');
  cert('falserootleaf', {
    subject: '/CN=false.example.test',
    key: 'ecleaf',
    issuer: 'falseroot',
    ext: LEAF('DNS:false.example.test'),
    days: 30,
  });
  cert('nobcrootleaf', {
    subject: '/CN=nobc.example.test',
    key: 'ecleaf',
    issuer: 'nobcroot',
    ext: LEAF('DNS:nobc.example.test'),
    days: 30,
  });
  cert('v1rootleaf', { subject: '/CN=v1.example.test', key: 'ecleaf', issuer: 'v1root', ext: NOAKI('DNS:v1.example.test'), days: 30 });

  // ---- end entities that are not end entities, or not well formed ----
  L('cafleaf', LEAF('DNS:caleaf.example.test').replace('CA:FALSE', 'CA:TRUE'));
  L('kcsleaf', LEAF('DNS:kcs.example.test').replace('digitalSignature', 'digitalSignature,keyCertSign'));
  L('ncleaf', `${LEAF('DNS:ncleaf.example.test')}nameConstraints=critical,permitted;DNS:example.test\n`);
  L('dotsan', LEAF('DNS:.lead.example.test'));
  L('underscoresan', LEAF('DNS:under_score.example.test'));
  L('emptylabelsan', LEAF('DNS:a..b.example.test'));
  L('critsan', LEAF('critical,DNS:critsan.example.test'));
  // An empty subject: the SAN must then be critical (RFC 5280 4.2.1.6).
  L('emptysubj', LEAF('DNS:emptysubj.example.test'), '/');
  L('emptysubjcrit', LEAF('critical,DNS:emptysubj.example.test'), '/');
  cert('negserialleaf', {
    subject: '/CN=neg.example.test',
    key: 'ecleaf',
    issuer: 'ecint',
    ext: LEAF('DNS:neg.example.test'),
    days: 30,
    serial: '-4660',
  });
  // Keys the handshake refuses, each under the EC intermediate.
  key('rsa1024', 'rsa1024');
  key('rsa2052', 'rsa2052');
  key('p192', 'p192');
  key('dsa', 'dsa');
  cert('rsa1024leaf', {
    subject: '/CN=rsa1024.example.test',
    key: 'rsa1024',
    issuer: 'ecint',
    ext: LEAF('DNS:rsa1024.example.test'),
    days: 30,
  });
  cert('rsa2052leaf', {
    subject: '/CN=rsa2052.example.test',
    key: 'rsa2052',
    issuer: 'ecint',
    ext: LEAF('DNS:rsa2052.example.test'),
    days: 30,
  });
  cert('p192leaf', { subject: '/CN=p192.example.test', key: 'p192', issuer: 'ecint', ext: LEAF('DNS:p192.example.test'), days: 30 });
  cert('dsaleaf', { subject: '/CN=dsa.example.test', key: 'dsa', issuer: 'ecint', ext: LEAF('DNS:dsa.example.test'), days: 30 });
  // Malformed AIA (an empty SEQUENCE, RFC 5280 4.2.2.1 says SIZE (1..MAX)).
  L('badaia', `${LEAF('DNS:aia.example.test')}1.3.6.1.5.5.7.1.1=DER:30:00\n`);
  // A well-formed AIA passes.
  L(
    'aialeaf',
    `${LEAF('DNS:aia.example.test')}authorityInfoAccess=caIssuers;URI:http://ca.example.test/int.crt,OCSP;URI:http://ocsp.example.test\n`,
  );

  // ---- CA profile ----
  cert('negint', { subject: '/O=wasmtls test/CN=Negative Serial CA', key: 'other', issuer: 'ecroot', ext: CA, serial: '-22136' });
  cert('negintleaf', {
    subject: '/CN=negint.example.test',
    key: 'ecleaf',
    issuer: 'negint',
    ext: LEAF('DNS:negint.example.test'),
    days: 30,
  });
  cert('noskiint', {
    subject: '/O=wasmtls test/CN=No SKI CA',
    key: 'other',
    issuer: 'ecroot',
    ext: CA.replace('subjectKeyIdentifier=hash', 'subjectKeyIdentifier=none'),
  });
  cert('noskileaf', {
    subject: '/CN=noski.example.test',
    key: 'ecleaf',
    issuer: 'noskiint',
    ext: NOAKI('DNS:noski.example.test'),
    days: 30,
  });
  cert('noakiint', {
    subject: '/O=wasmtls test/CN=No AKI CA',
    key: 'other',
    issuer: 'ecroot',
    ext: CA.replace('authorityKeyIdentifier=keyid:always', 'authorityKeyIdentifier=none'),
  });
  cert('noakiintleaf', {
    subject: '/CN=noakiint.example.test',
    key: 'ecleaf',
    issuer: 'noakiint',
    ext: LEAF('DNS:noakiint.example.test'),
    days: 30,
  });
  // Malformed name constraints on an intermediate: a DNS base with an
  // underscore, an IP mask that is not a prefix.
  cert('badncdns', {
    subject: '/O=wasmtls test/CN=Bad NC DNS',
    key: 'other',
    issuer: 'ecroot',
    ext: `${CA}nameConstraints=critical,permitted;DNS:bad_name.example\n`,
  });
  cert('badncdnsleaf', {
    subject: '/CN=www.bad_name.example',
    key: 'ecleaf',
    issuer: 'badncdns',
    ext: LEAF('DNS:www.bad_name.example'),
    days: 30,
  });
  cert('badncip', {
    subject: '/O=wasmtls test/CN=Bad NC IP',
    key: 'other',
    issuer: 'ecroot',
    ext: `${CA}nameConstraints=critical,permitted;IP:192.0.2.0/255.0.255.0\n`,
  });
  cert('badncipleaf', {
    subject: '/CN=badncip.example.test',
    key: 'ecleaf',
    issuer: 'badncip',
    ext: LEAF('DNS:badncip.example.test,IP:192.0.2.1'),
    days: 30,
  });

  // Bad signature: the leaf's last signature octet flipped.
  const bad = der.ecleaf.slice();
  bad[bad.length - 1] ^= 0x01;
  der.badsig = bad;
  // An unrelated certificate to pad chains with.
  const pad = der.edroot;

  const now = Date.now();
  const cases: X509Case[] = [];
  const add = (c: Omit<X509Case, 'files' | 'purpose' | 'time'> & { purpose?: Purpose; time?: number }) => {
    const i = cases.length;
    write(`case${i}-leaf.pem`, [c.chain[0]]);
    const rest = c.chain.slice(1);
    if (rest.length) write(`case${i}-untrusted.pem`, rest);
    write(`case${i}-anchors.pem`, c.anchors);
    cases.push({
      purpose: 'server',
      time: now,
      ...c,
      files: {
        leaf: p(`case${i}-leaf.pem`),
        untrusted: rest.length ? p(`case${i}-untrusted.pem`) : null,
        anchors: p(`case${i}-anchors.pem`),
      },
    });
  };
  const d = der;
  add({ name: 'valid RSA chain', chain: [d.rsaleaf, d.rsaint], anchors: [d.rsaroot], host: 'www.example.test', expect: null });
  add({
    name: 'valid RSA chain, second SAN, upper case host',
    chain: [d.rsaleaf, d.rsaint],
    anchors: [d.rsaroot],
    host: 'EXAMPLE.test',
    expect: null,
  });
  add({ name: 'valid ECDSA P-256 chain', chain: [d.ecleaf, d.ecint], anchors: [d.ecroot], host: 'ec.example.test', expect: null });
  add({
    name: 'valid P-384 CA chain (SHA-384)',
    chain: [d.p384leaf, d.p384int],
    anchors: [d.p384root],
    host: 'p384.example.test',
    expect: null,
  });
  add({ name: 'valid Ed25519 chain', chain: [d.edleaf], anchors: [d.edroot], host: 'ed.example.test', expect: null });
  add({ name: 'valid RSA-PSS-signed chain', chain: [d.pssleaf], anchors: [d.pssroot], host: 'pss.example.test', expect: null });
  add({
    name: 'expired leaf',
    chain: [d.ecleaf, d.ecint],
    anchors: [d.ecroot],
    host: 'ec.example.test',
    time: now + 60 * DAY,
    expect: 'CERT_HAS_EXPIRED',
  });
  add({
    name: 'not yet valid',
    chain: [d.ecleaf, d.ecint],
    anchors: [d.ecroot],
    host: 'ec.example.test',
    time: now - DAY,
    expect: 'CERT_NOT_YET_VALID',
  });
  add({
    name: 'wrong host',
    chain: [d.ecleaf, d.ecint],
    anchors: [d.ecroot],
    host: 'other.example.test',
    expect: 'ERR_TLS_CERT_ALTNAME_INVALID',
  });
  add({ name: 'wildcard *.a.example vs b.a.example', chain: [d.wild, d.ecint], anchors: [d.ecroot], host: 'b.a.example', expect: null });
  add({
    name: 'wildcard *.a.example vs a.example',
    chain: [d.wild, d.ecint],
    anchors: [d.ecroot],
    host: 'a.example',
    expect: 'ERR_TLS_CERT_ALTNAME_INVALID',
  });
  add({
    name: 'wildcard *.a.example vs x.y.a.example',
    chain: [d.wild, d.ecint],
    anchors: [d.ecroot],
    host: 'x.y.a.example',
    expect: 'ERR_TLS_CERT_ALTNAME_INVALID',
  });
  add({ name: 'IPv4 SAN', chain: [d.ipleaf, d.ecint], anchors: [d.ecroot], host: '192.0.2.1', expect: null });
  add({ name: 'IPv6 SAN', chain: [d.ipleaf, d.ecint], anchors: [d.ecroot], host: '2001:db8::1', expect: null });
  add({
    name: 'IPv4 not in SAN',
    chain: [d.ipleaf, d.ecint],
    anchors: [d.ecroot],
    host: '192.0.2.2',
    expect: 'ERR_TLS_CERT_ALTNAME_INVALID',
  });
  add({
    name: 'CN only, no SAN: no CN fallback',
    chain: [d.cnonly, d.ecint],
    anchors: [d.ecroot],
    host: 'cn.example.test',
    expect: 'ERR_TLS_CERT_ALTNAME_INVALID',
    openssl: { expect: null, rule: 'RFC 9525 6.3: the CN-ID is not used (OpenSSL falls back to the subject CN when there is no DNS SAN)' },
  });
  add({
    name: 'missing serverAuth EKU',
    chain: [d.clientleaf, d.ecint],
    anchors: [d.ecroot],
    host: 'client.example.test',
    expect: 'INVALID_PURPOSE',
  });
  add({ name: 'clientAuth EKU for a client', chain: [d.clientleaf, d.ecint], anchors: [d.ecroot], purpose: 'client', expect: null });
  add({
    name: 'serverAuth-only leaf as a client',
    chain: [d.ecleaf, d.ecint],
    anchors: [d.ecroot],
    purpose: 'client',
    expect: 'INVALID_PURPOSE',
  });
  add({
    name: 'leaf keyUsage without digitalSignature',
    chain: [d.kuleaf, d.ecint],
    anchors: [d.ecroot],
    expect: 'KEYUSAGE_NO_DIGITAL_SIGNATURE',
    openssl: {
      expect: null,
      rule: 'RFC 5280 4.2.1.3 / RFC 8446 4.4.2.2: an ECDHE-only TLS peer signs, so digitalSignature is required (OpenSSL sslserver also accepts keyEncipherment for RSA key exchange)',
    },
  });
  add({ name: 'CA:false intermediate', chain: [d.notcaleaf, d.notca], anchors: [d.ecroot], expect: 'INVALID_CA' });
  add({ name: 'pathLen exceeded', chain: [d.plleaf, d.plsub, d.pl0], anchors: [d.ecroot], expect: 'PATH_LENGTH_EXCEEDED' });
  add({ name: 'pathLen 0 with a leaf directly below', chain: [d.pl0leaf, d.pl0], anchors: [d.ecroot], expect: null });
  add({
    name: 'name constraints: permitted DNS and IP',
    chain: [d.ncok, d.ncint],
    anchors: [d.ecroot],
    host: 'www.good.example',
    expect: null,
  });
  add({ name: 'name constraints: DNS outside permitted', chain: [d.ncbad, d.ncint], anchors: [d.ecroot], expect: 'PERMITTED_VIOLATION' });
  add({ name: 'name constraints: DNS in excluded', chain: [d.ncexcl, d.ncint], anchors: [d.ecroot], expect: 'EXCLUDED_VIOLATION' });
  add({ name: 'name constraints: IP outside permitted', chain: [d.ncip, d.ncint], anchors: [d.ecroot], expect: 'PERMITTED_VIOLATION' });
  add({ name: 'unknown critical extension', chain: [d.critleaf, d.ecint], anchors: [d.ecroot], expect: 'UNHANDLED_CRITICAL_EXTENSION' });
  add({
    name: 'unknown non-critical extension',
    chain: [d.noncritleaf, d.ecint],
    anchors: [d.ecroot],
    host: 'noncrit.example.test',
    expect: null,
  });
  add({ name: 'bad signature', chain: [d.badsig, d.ecint], anchors: [d.ecroot], expect: 'CERT_SIGNATURE_FAILURE' });
  add({
    name: 'wrong issuer (issuer not sent, not trusted)',
    chain: [d.strayleaf, d.ecint],
    anchors: [d.ecroot],
    expect: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  });
  add({
    name: 'self-signed leaf, untrusted',
    chain: [d.selfleaf],
    anchors: [d.ecroot],
    host: 'self.example.test',
    expect: 'DEPTH_ZERO_SELF_SIGNED_CERT',
  });
  add({
    name: 'self-signed leaf, trusted as its own anchor',
    chain: [d.selfleaf],
    anchors: [d.selfleaf],
    host: 'self.example.test',
    expect: null,
  });
  add({
    name: 'root sent in chain but not trusted',
    chain: [d.ecleaf, d.ecint, d.ecroot],
    anchors: [d.rsaroot],
    expect: 'SELF_SIGNED_CERT_IN_CHAIN',
  });
  add({ name: 'no anchors match', chain: [d.ecleaf, d.ecint], anchors: [d.rsaroot], expect: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY' });
  add({ name: 'out-of-order chain', chain: [d.plleaf, d.pl0, d.plsub], anchors: [d.ecroot], expect: 'PATH_LENGTH_EXCEEDED' });
  add({
    name: 'out-of-order chain with root',
    chain: [d.rsaleaf, d.rsaroot, d.rsaint],
    anchors: [d.rsaroot],
    host: 'www.example.test',
    expect: null,
  });
  add({
    name: 'padded chain (unrelated and repeated certificates)',
    chain: [d.ecleaf, pad, d.rsaint, d.ecint, pad, d.ecint],
    anchors: [d.ecroot, d.rsaroot],
    host: 'ec.example.test',
    expect: null,
  });
  add({ name: 'leaf only, intermediate missing', chain: [d.ecleaf], anchors: [d.ecroot], expect: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY' });
  add({
    name: 'intermediate as anchor (partial chain)',
    chain: [d.ecleaf],
    anchors: [d.ecint],
    host: 'ec.example.test',
    expect: null,
    openssl: {
      expect: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
      rule: 'RFC 5280 6.1.1 (d): a trust anchor is any configured name and key, not only a self-signed root (OpenSSL needs -partial_chain)',
    },
  });
  // OpenSSL takes the first untrusted issuer by name and, its "alternative
  // chains" looking only for trusted issuers of certificates already on the
  // chain, never tries the second intermediate.
  const cross = {
    expect: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
    rule: 'RFC 4158 2.3 path building as a tree search: when one candidate issuer leads to no anchor, backtrack and try the next (cross-certified intermediates); RFC 8446 4.4.2: be prepared for extraneous certificates and arbitrary orderings',
  };
  add({
    name: 'cross-signed: untrusted path first, backtrack to the trusted root',
    chain: [d.xleaf, d.xint1, d.xint2],
    anchors: [d.xroot2],
    host: 'cross.example.test',
    expect: null,
    openssl: cross,
  });
  add({
    name: 'cross-signed: other order, other root trusted',
    chain: [d.xleaf, d.xint2, d.xint1],
    anchors: [d.xroot1],
    host: 'cross.example.test',
    expect: null,
    openssl: cross,
  });
  add({
    name: 'cross-signed: trusted path first',
    chain: [d.xleaf, d.xint2, d.xint1],
    anchors: [d.xroot2],
    host: 'cross.example.test',
    expect: null,
  });

  // Trust anchors (see the certificates above).
  const pyca = 'pyca/cryptography and rustls-webpki policy; RFC 5280';
  add({
    name: 'anchor expired (leaf still valid)',
    chain: [d.shortleaf],
    anchors: [d.shortroot],
    host: 'short.example.test',
    time: now + 25 * DAY,
    expect: 'CERT_HAS_EXPIRED',
  });
  add({ name: 'anchor not yet valid', chain: [d.shortleaf], anchors: [d.shortroot], time: now - DAY, expect: 'CERT_NOT_YET_VALID' });
  add({
    name: 'anchor with an unknown critical extension',
    chain: [d.critrootleaf],
    anchors: [d.critroot],
    expect: 'UNHANDLED_CRITICAL_EXTENSION',
  });
  add({ name: 'anchor with cA=FALSE', chain: [d.falserootleaf], anchors: [d.falseroot], expect: 'INVALID_CA' });
  add({ name: 'anchor without basicConstraints (v3)', chain: [d.nobcrootleaf], anchors: [d.nobcroot], expect: 'INVALID_CA', strict: true });
  add({ name: 'anchor of version 1', chain: [d.v1rootleaf], anchors: [d.v1root], expect: 'INVALID_CA', strict: true, opensslDepth: 1 });
  // End entities.
  add({
    name: 'leaf with cA=TRUE',
    chain: [d.cafleaf, d.ecint],
    anchors: [d.ecroot],
    expect: 'INVALID_NON_CA',
    strict: true,
    openssl: {
      expect: null,
      rule: `RFC 5280 4.2.1.9: cA asserts the key verifies certificate signatures, not what an end entity is (${pyca})`,
    },
  });
  add({ name: 'leaf with keyCertSign', chain: [d.kcsleaf, d.ecint], anchors: [d.ecroot], expect: 'INVALID_NON_CA', strict: true });
  add({
    name: 'leaf with nameConstraints',
    chain: [d.ncleaf, d.ecint],
    anchors: [d.ecroot],
    expect: 'INVALID_NON_CA',
    strict: true,
    openssl: { expect: null, rule: `RFC 5280 4.2.1.10: "MUST be used only in a CA certificate" (${pyca})` },
  });
  add({
    name: 'dNSName SAN with a leading dot',
    chain: [d.dotsan, d.ecint],
    anchors: [d.ecroot],
    expect: 'CERT_BAD_EXTENSION',
    strict: true,
    openssl: { expect: null, rule: `RFC 5280 4.2.1.6: dNSName in the preferred name syntax of RFC 1034 3.5 (${pyca})` },
  });
  add({
    name: 'dNSName SAN with an underscore',
    chain: [d.underscoresan, d.ecint],
    anchors: [d.ecroot],
    expect: 'CERT_BAD_EXTENSION',
    strict: true,
    openssl: { expect: null, rule: `RFC 5280 4.2.1.6 / RFC 1123 2.1: letters, digits and hyphens only (${pyca})` },
  });
  add({
    name: 'dNSName SAN with an empty label',
    chain: [d.emptylabelsan, d.ecint],
    anchors: [d.ecroot],
    expect: 'CERT_BAD_EXTENSION',
    strict: true,
    openssl: { expect: null, rule: `RFC 1034 3.5: labels are 1..63 octets (${pyca})` },
  });
  add({
    name: 'critical SAN with a non-empty subject',
    chain: [d.critsan, d.ecint],
    anchors: [d.ecroot],
    expect: 'SAN_CRITICALITY_INVALID',
    strict: true,
    openssl: { expect: null, rule: `RFC 5280 4.2.1.6: with a non-empty subject the SAN SHOULD be non-critical (${pyca} refuse it)` },
  });
  add({
    name: 'non-critical SAN with an empty subject',
    chain: [d.emptysubj, d.ecint],
    anchors: [d.ecroot],
    expect: 'SAN_CRITICALITY_INVALID',
    strict: true,
  });
  add({
    name: 'critical SAN with an empty subject',
    chain: [d.emptysubjcrit, d.ecint],
    anchors: [d.ecroot],
    host: 'emptysubj.example.test',
    expect: null,
    strict: true,
  });
  add({
    name: 'leaf with a negative serial',
    chain: [d.negserialleaf, d.ecint],
    anchors: [d.ecroot],
    expect: 'CERT_NEGATIVE_SERIAL',
    strict: true,
    openssl: { expect: null, rule: `RFC 5280 4.1.2.2: "The serial number MUST be a positive integer" (${pyca})` },
  });
  const weak = (what: string) => ({
    expect: null,
    rule: `the TLS handshake refuses ${what}, so the validator does too (CA/B BR 6.1.5; pyca: RSA >= 2048)`,
  });
  add({
    name: 'leaf RSA-1024 key',
    chain: [d.rsa1024leaf, d.ecint],
    anchors: [d.ecroot],
    expect: 'EE_KEY_UNSUPPORTED',
    openssl: weak('RSA below 2048 bits'),
  });
  add({
    name: 'leaf RSA-2052 key (not a multiple of 8 bits)',
    chain: [d.rsa2052leaf, d.ecint],
    anchors: [d.ecroot],
    expect: 'EE_KEY_UNSUPPORTED',
    openssl: weak('RSA moduli that are not whole octets'),
  });
  add({ name: 'leaf P-192 key', chain: [d.p192leaf, d.ecint], anchors: [d.ecroot], expect: 'EE_KEY_UNSUPPORTED', openssl: weak('P-192') });
  add({ name: 'leaf DSA key', chain: [d.dsaleaf, d.ecint], anchors: [d.ecroot], expect: 'EE_KEY_UNSUPPORTED', openssl: weak('DSA') });
  add({
    name: 'leaf with a malformed AIA',
    chain: [d.badaia, d.ecint],
    anchors: [d.ecroot],
    expect: 'CERT_BAD_EXTENSION',
    openssl: { expect: null, rule: `RFC 5280 4.2.2.1: AuthorityInfoAccessSyntax is SEQUENCE SIZE (1..MAX) (${pyca} parse it)` },
  });
  add({
    name: 'leaf with a well-formed AIA',
    chain: [d.aialeaf, d.ecint],
    anchors: [d.ecroot],
    host: 'aia.example.test',
    expect: null,
    strict: true,
  });
  // CA profile.
  add({
    name: 'intermediate with a negative serial',
    chain: [d.negintleaf, d.negint],
    anchors: [d.ecroot],
    expect: 'CERT_NEGATIVE_SERIAL',
    strict: true,
    openssl: { expect: null, rule: `RFC 5280 4.1.2.2 (${pyca})` },
  });
  add({
    name: 'intermediate without subjectKeyIdentifier',
    chain: [d.noskileaf, d.noskiint],
    anchors: [d.ecroot],
    expect: 'MISSING_SUBJECT_KEY_IDENTIFIER',
    strict: true,
    opensslDepth: 1,
  });
  add({
    name: 'intermediate without authorityKeyIdentifier',
    chain: [d.noakiintleaf, d.noakiint],
    anchors: [d.ecroot],
    expect: 'MISSING_AUTHORITY_KEY_IDENTIFIER',
    strict: true,
  });
  add({
    name: 'intermediate with a malformed DNS name constraint',
    chain: [d.badncdnsleaf, d.badncdns],
    anchors: [d.ecroot],
    expect: 'CERT_BAD_EXTENSION',
    openssl: { expect: null, rule: `RFC 5280 4.2.1.10: a dNSName constraint is a host name (${pyca} refuse it)` },
  });
  add({
    name: 'intermediate with a non-prefix IP mask constraint',
    chain: [d.badncipleaf, d.badncip],
    anchors: [d.ecroot],
    expect: 'CERT_BAD_EXTENSION',
    openssl: { expect: null, rule: `RFC 5280 4.2.1.10: the mask is a CIDR prefix (RFC 4632) (${pyca} refuse it)` },
  });

  return {
    dir,
    cases,
    certs: der,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

// OpenSSL X509_V_ERR_* numbers (include/openssl/x509_vfy.h) -> our names.
const OSSL: Record<number, string> = {
  2: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  7: 'CERT_SIGNATURE_FAILURE',
  9: 'CERT_NOT_YET_VALID',
  10: 'CERT_HAS_EXPIRED',
  18: 'DEPTH_ZERO_SELF_SIGNED_CERT',
  19: 'SELF_SIGNED_CERT_IN_CHAIN',
  20: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  21: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  22: 'CERT_CHAIN_TOO_LONG',
  79: 'INVALID_CA',
  39: 'KEYUSAGE_NO_DIGITAL_SIGNATURE',
  6: 'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY',
  25: 'PATH_LENGTH_EXCEEDED',
  26: 'INVALID_PURPOSE',
  32: 'KEYUSAGE_NO_CERTSIGN',
  34: 'UNHANDLED_CRITICAL_EXTENSION',
  47: 'PERMITTED_VIOLATION',
  48: 'EXCLUDED_VIOLATION',
  62: 'ERR_TLS_CERT_ALTNAME_INVALID',
  64: 'ERR_TLS_CERT_ALTNAME_INVALID',
  // -x509_strict profile checks (OpenSSL 3.0)
  82: 'INVALID_NON_CA',
  85: 'MISSING_AUTHORITY_KEY_IDENTIFIER',
  86: 'MISSING_SUBJECT_KEY_IDENTIFIER',
  88: 'SAN_CRITICALITY_INVALID',
};

/** `openssl verify` on a case's files; its verdict as one of our codes
 * (null: OK). Unknown OpenSSL errors come back as "OPENSSL_<n>". */
export function opensslVerify(c: X509Case): string | null {
  const args = [
    'verify',
    '-CAfile',
    c.files.anchors,
    '-purpose',
    c.purpose === 'server' ? 'sslserver' : 'sslclient',
    '-attime',
    String(Math.floor(c.time / 1000)),
    ...(c.strict ? ['-x509_strict'] : []),
  ];
  if (c.files.untrusted) args.push('-untrusted', c.files.untrusted);
  if (c.host !== undefined) {
    if (/^[0-9.]+$/.test(c.host) || c.host.includes(':')) args.push('-verify_ip', c.host);
    else args.push('-verify_hostname', c.host);
  }
  args.push(c.files.leaf);
  const r = spawnSync('openssl', args, { encoding: 'utf8' });
  const out = `${r.stdout}${r.stderr}`;
  if (r.status === 0 && /: OK$/m.test(out)) return null;
  const errs = [...out.matchAll(/error (\d+) at (\d+) depth/g)];
  const m = c.opensslDepth === undefined ? errs[0] : errs.find((e) => Number(e[2]) === c.opensslDepth);
  if (!m) return `OPENSSL_UNPARSED: ${out.trim()}`;
  return OSSL[Number(m[1])] ?? `OPENSSL_${m[1]}`;
}
