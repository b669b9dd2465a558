/**
 * Path building over many unordered, cross-signed intermediates, made by
 * `openssl` at test time: a mesh of CA names in layers, every name of a
 * layer certified by every name of the layer above (so each name comes in
 * several cross-signed copies sharing one key), and only one name of the
 * top layer certified by the trusted root. The validator must find the
 * one way through among all the certificates sent (none cut off), both
 * through verifyChain and inside a real handshake, and `openssl verify`
 * on the path it reports must agree that it is valid.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Connection, TLSContext } from '../ts/core/connection.js';
import { handshake } from '../ts/core/pump.js';
import { verifyChain } from '../ts/core/x509.js';
import { useBuild } from './helpers/env.js';

useBuild('simd');

const LAYERS = 5;
const WIDTH = 3;
let dir: string;
const f = (n: string) => join(dir, n);
const ossl = (...a: string[]) => execFileSync('openssl', a, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
const pemOf = (n: string) => readFileSync(f(`${n}.pem`), 'utf8');
const derOf = (n: string) => new Uint8Array(Buffer.from(pemOf(n).replace(/-----[^-]+-----|\s+/g, ''), 'base64'));
const CA =
  'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid:always\n';
const LEAF =
  'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid:always\nsubjectAltName=DNS:mesh.example.test\n';

let serial = 100;
/** Certificate `out` for key `key` and subject `subj`, issued by the
 * certificate `issuer` (its key `ikey`), or self-signed. */
function cert(out: string, key: string, subj: string, ext: string, issuer?: string, ikey?: string): void {
  writeFileSync(f(`${out}.ext`), `[e]\n${ext}`);
  ossl('req', '-new', '-config', f('req.cnf'), '-key', f(`${key}.key`), '-subj', subj, '-out', f(`${out}.csr`));
  const args = [
    'x509',
    '-req',
    '-in',
    f(`${out}.csr`),
    '-out',
    f(`${out}.pem`),
    '-days',
    '30',
    '-sha256',
    '-extfile',
    f(`${out}.ext`),
    '-extensions',
    'e',
    '-set_serial',
    String(serial++),
  ];
  if (issuer) args.push('-CA', f(`${issuer}.pem`), '-CAkey', f(`${ikey}.key`));
  else args.push('-key', f(`${key}.key`));
  ossl(...args);
}
const genkey = (name: string) => ossl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', f(`${name}.key`));

// name (layer, i): subject and key; cert (layer, i, j): name (layer, i)
// certified by name (layer + 1, j).
const subj = (l: number, i: number) => `/O=wasmtls mesh/CN=Layer ${l} CA ${i}`;
const nk = (l: number, i: number) => `n${l}_${i}`;
const certName = (l: number, i: number, j: number) => `c${l}_${i}_${j}`;

/** The intermediates, shuffled (a fixed permutation), and the leaf. */
let intermediates: string[] = [];
const lateral: string[] = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'wasmtls-mesh-'));
  writeFileSync(f('req.cnf'), '[req]\ndistinguished_name=dn\nprompt=no\n[dn]\n');
  genkey('root');
  genkey('other');
  genkey('leaf');
  cert('root', 'root', '/O=wasmtls mesh/CN=Mesh Root', CA);
  cert('otherroot', 'other', '/O=wasmtls mesh/CN=Untrusted Root', CA);
  for (let l = 1; l <= LAYERS; l++) for (let i = 0; i < WIDTH; i++) genkey(nk(l, i));
  // Self-signed "certificates" of each name, used only as issuers when
  // signing (openssl x509 -CA needs the issuer's certificate).
  for (let l = 1; l <= LAYERS; l++) for (let i = 0; i < WIDTH; i++) cert(`self${nk(l, i)}`, nk(l, i), subj(l, i), CA);
  const names: string[] = [];
  for (let l = 1; l < LAYERS; l++) {
    for (let i = 0; i < WIDTH; i++) {
      for (let j = 0; j < WIDTH; j++) {
        cert(certName(l, i, j), nk(l, i), subj(l, i), CA, `self${nk(l + 1, j)}`, nk(l + 1, j));
        names.push(certName(l, i, j));
      }
    }
  }
  // Top layer: only name 1 is certified by the trusted root; names 0 and 2
  // by a root nobody trusts (and that is not sent).
  for (let i = 0; i < WIDTH; i++) {
    const top = certName(LAYERS, i, 0);
    if (i === 1) cert(top, nk(LAYERS, i), subj(LAYERS, i), CA, 'root', 'root');
    else cert(top, nk(LAYERS, i), subj(LAYERS, i), CA, 'otherroot', 'other');
    names.push(top);
  }
  cert('leaf', 'leaf', '/CN=mesh.example.test', LEAF, `self${nk(1, 0)}`, nk(1, 0));
  // Lateral cross-signs: every name of a layer also certified by the other
  // names of its own layer (loops everywhere, as mutually cross-signed
  // roots make).
  for (let l = 1; l <= LAYERS; l++) {
    for (let i = 0; i < WIDTH; i++) {
      for (let j = 0; j < WIDTH; j++) {
        if (i === j) continue;
        cert(`x${l}_${i}_${j}`, nk(l, i), subj(l, i), CA, `self${nk(l, j)}`, nk(l, j));
        lateral.push(`x${l}_${i}_${j}`);
      }
    }
  }
  // A fixed shuffle, then the one top certificate every valid path ends
  // with moved last: the path is out of order and reaches past the first
  // 16 certificates sent.
  const trusted = certName(LAYERS, 1, 0);
  intermediates = names
    .map((n, k) => ({ n, k: (k * 17 + 5) % names.length }))
    .sort((a, b) => a.k - b.k)
    .map((x) => x.n)
    .filter((n) => n !== trusted);
  intermediates.push(trusted);
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('path building among many cross-signed intermediates', () => {
  it(`finds the one valid path among ${(LAYERS - 1) * WIDTH * WIDTH + WIDTH} unordered intermediates; openssl verify agrees on it`, () => {
    expect(intermediates.length).toBeGreaterThanOrEqual(35);
    const chain = [derOf('leaf'), ...intermediates.map(derOf)];
    const t0 = performance.now();
    const v = verifyChain({ chain, anchors: [derOf('root')], host: 'mesh.example.test' });
    const ms = performance.now() - t0;
    expect(v.authorized, `${v.authorizationError}: ${v.reason}`).toBe(true);
    // leaf, one certificate per layer, then the root.
    expect(v.path.length).toBe(1 + LAYERS);
    const path = v.path.map((i) => (i === 0 ? 'leaf' : intermediates[i - 1]));
    expect(path[LAYERS]).toBe(certName(LAYERS, 1, 0));
    expect(v.path[LAYERS]).toBe(chain.length - 1);
    console.log(`x509 mesh: ${chain.length} certificates sent, path ${path.join(' <- ')} found in ${ms.toFixed(1)} ms`);
    // Independent check: openssl verify on exactly that path.
    writeFileSync(f('path-untrusted.pem'), path.slice(1).map(pemOf).join(''));
    const r = spawnSync(
      'openssl',
      [
        'verify',
        '-x509_strict',
        '-CAfile',
        f('root.pem'),
        '-untrusted',
        f('path-untrusted.pem'),
        '-purpose',
        'sslserver',
        '-verify_hostname',
        'mesh.example.test',
        f('leaf.pem'),
      ],
      { encoding: 'utf8' },
    );
    expect(`${r.stdout}${r.stderr}`).toMatch(/: OK$/m);
    // Without the one trusted top certificate there is no path, and the
    // search says so (not a budget error).
    const noTop = chain.filter((_, i) => i === 0 || intermediates[i - 1] !== certName(LAYERS, 1, 0));
    const none = verifyChain({ chain: noTop, anchors: [derOf('root')], host: 'mesh.example.test' });
    expect(none.authorized).toBe(false);
    expect(none.authorizationError).toBe('UNABLE_TO_GET_ISSUER_CERT_LOCALLY');
  });

  it(`with ${WIDTH * (WIDTH - 1) * LAYERS} lateral cross-signs added (loops at every layer): still found, each dead end explored once`, () => {
    // Lateral certificates first, the layered ones after, the trusted top last.
    const names = [...lateral, ...intermediates];
    expect(names.length).toBeGreaterThanOrEqual(65);
    const chain = [derOf('leaf'), ...names.map(derOf)];
    const t0 = performance.now();
    const v = verifyChain({ chain, anchors: [derOf('root')], host: 'mesh.example.test' });
    const ms = performance.now() - t0;
    expect(v.authorized, `${v.authorizationError}: ${v.reason}`).toBe(true);
    expect(v.path[v.path.length - 1]).toBe(chain.length - 1);
    const path = v.path.map((i) => (i === 0 ? 'leaf' : names[i - 1]));
    console.log(`x509 mesh with loops: ${chain.length} certificates sent, path ${path.join(' <- ')} found in ${ms.toFixed(1)} ms`);
    writeFileSync(f('loop-untrusted.pem'), path.slice(1).map(pemOf).join(''));
    const r = spawnSync(
      'openssl',
      [
        'verify',
        '-x509_strict',
        '-CAfile',
        f('root.pem'),
        '-untrusted',
        f('loop-untrusted.pem'),
        '-purpose',
        'sslserver',
        '-verify_hostname',
        'mesh.example.test',
        f('leaf.pem'),
      ],
      { encoding: 'utf8' },
    );
    expect(`${r.stdout}${r.stderr}`).toMatch(/: OK$/m);
    // And with no way to the anchor the search ends with the right
    // answer, not a spent budget.
    const none = verifyChain({ chain: chain.slice(0, -1), anchors: [derOf('root')], host: 'mesh.example.test' });
    expect(none.authorizationError).toBe('UNABLE_TO_GET_ISSUER_CERT_LOCALLY');
  });

  it('inside a handshake: our client finds the path in the 40 certificates the server sends', () => {
    const chainPem = pemOf('leaf') + intermediates.map(pemOf).join('');
    const cctx = new TLSContext({ verify: 'chain', ca: pemOf('root') });
    const sctx = new TLSContext({ cert: chainPem, key: readFileSync(f('leaf.key'), 'utf8') });
    const c = new Connection(cctx);
    const s = new Connection(sctx);
    c.setConnectState();
    s.setAcceptState();
    c.setServerName('mesh.example.test');
    try {
      handshake(c, s);
      expect(c.verifyCode).toBe(0);
    } finally {
      c.dispose();
      s.dispose();
      cctx.dispose();
      sctx.dispose();
    }
  });
});
