/**
 * Chromium as an ECH client, its ECHConfigList served by our own DoH
 * server in an HTTPS record (issue #17: "Chromium as the client against
 * our server (a local DoH resolver serving an HTTPS record with our
 * ECHConfig to Chromium via its DoH policy)").
 *
 * How Chromium 156 (Debian's /usr/bin/chromium, headless, launched by
 * playwright-core) was made to do it, found by trying:
 *  - DoH in secure mode: only the enterprise policies `DnsOverHttpsMode:
 *    "secure"` and `DnsOverHttpsTemplates: "https://127.0.0.1:PORT/dns-query"`
 *    in /etc/chromium/policies/managed/*.json worked. Root is needed to
 *    write there, so the test skips for other users. The file is written
 *    just before launch() and removed right after it: Chromium reads it at
 *    start and kept using DoH after the removal (checked 9 s later), so
 *    other tests' browsers launched meanwhile are exposed to it for about
 *    half a second, and nothing is left behind.
 *  - Did not work (no DoH request at all; Chromium asked the system
 *    resolver, which does not know the name, net::ERR_NAME_NOT_RESOLVED):
 *    `--enable-features=DnsOverHttps:Fallback/false/Templates/<escaped>`,
 *    and `--enable-features=DnsOverHttps<DoHTrial
 *    --force-fieldtrials=DoHTrial/Group1
 *    --force-fieldtrial-params=DoHTrial.Group1:Fallback/false/Templates/<escaped>`.
 *    A policy file under a temporary --user-data-dir is not read.
 *  - The DoH server's certificate: `--ignore-certificate-errors-spki-list=
 *    <base64 SHA-256 of the leaf's SPKI>` applies to DoH (without it
 *    Chromium sends alert 46, certificate_unknown, to the DoH server and
 *    resolves nothing); it applies to the page's server too, name
 *    mismatch included (checked by hand: a node:https page at
 *    other.ech-test.example, a name its certificate does not carry,
 *    loaded), which the second test relies on.
 *  - `--host-resolver-rules` (which RUNTIMES.md's usual flags carry) is
 *    left out: it answers before DoH is asked.
 *  - ECH needs no flag (the EncryptedClientHello feature is on by default).
 *  - A non-443 port: Chromium queries `_PORT._https.NAME` (RFC 9460 9.1)
 *    as well as A and AAAA of NAME. It uses the record's ECHConfig only
 *    when the record's TargetName is NAME itself: with TargetName "."
 *    (which RFC 9460 2.5.2 makes the owner name, `_PORT._https.NAME`) it
 *    sent a GREASE ECH extension (a random config_id) and the real name in
 *    the clear. On port 443 (no prefix), "." works. So the record served
 *    here names `ech-test.example` as its target.
 *
 * What is asserted: Chromium asks our DoH server for the HTTPS record of
 * `_PORT._https.ech-test.example` (POST, application/dns-message), then
 * connects to 127.0.0.1:PORT (the A record) with a ClientHello whose
 * `encrypted_client_hello` (0xfe0d) extension is an outer one (type 0)
 * naming our config_id and cipher suite, and whose SNI is our public_name,
 * not the real name. The payload is then opened with HPKE (RFC 9180 base
 * mode, DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-128-GCM) written
 * here over node:crypto (X25519, HMAC, AES-GCM): an implementation
 * independent of the engine's. The inner ClientHello names
 * `ech-test.example` and carries an inner ECH extension (type 1).
 * wasmtls/doh reads the same ECHConfigList from the same server.
 *
 * The second test runs Chromium against our own accept() server with the
 * matching ECH key; it is skipped (feature-detected) while accept() has
 * no `ech` option, i.e. until the engine's ECH server is merged.
 */
import {
  createHmac,
  createDecipheriv,
  createPublicKey,
  createPrivateKey,
  diffieHellman,
  generateKeyPairSync,
  X509Certificate,
  createHash,
} from 'node:crypto';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import * as https from 'node:https';
import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTcp, fromNodeSocket } from '../ts/adapters/node-socket.js';
import { accept } from '../ts/api/tls.js';
import { resolveEchConfig } from '../ts/dns/doh.js';
import { useBuild } from './helpers/env.js';
import { makePki, type Pki } from './helpers/pki.js';
import { CHROMIUM_ARGS } from './helpers/runtimes.js';

useBuild('simd');

const CHROMIUM = '/usr/bin/chromium';
const POLICY_DIR = '/etc/chromium/policies/managed';
const isRoot = process.getuid?.() === 0;
const skipReason = !existsSync(CHROMIUM)
  ? `no ${CHROMIUM}`
  : !isRoot
    ? `not root: Chromium's DoH policy can only be set in ${POLICY_DIR} (see the header)`
    : undefined;
const HOST = 'ech-test.example';
const PUBLIC_NAME = 'public.example';
const CONFIG_ID = 0x2a;

// ---- the ECHConfig (draft-ietf-tls-esni 4) -------------------------------------

const u16 = (n: number): Buffer => Buffer.from([n >> 8, n & 0xff]);
const vec8 = (b: Buffer): Buffer => Buffer.concat([Buffer.from([b.length]), b]);
const vec16 = (b: Buffer): Buffer => Buffer.concat([u16(b.length), b]);

const echKey = generateKeyPairSync('x25519');
const echPublic = Buffer.from(echKey.publicKey.export({ format: 'jwk' }).x as string, 'base64url');
const echPrivate = Buffer.from(echKey.privateKey.export({ format: 'jwk' }).d as string, 'base64url');
/** ECHConfig: version 0xfe0d, then ECHConfigContents: HpkeKeyConfig
 * (config_id, kem_id 0x0020 DHKEM(X25519, HKDF-SHA256), public_key,
 * cipher_suites [(HKDF-SHA256 0x0001, AES-128-GCM 0x0001)]),
 * maximum_name_length, public_name, extensions (none). */
const echConfig = (() => {
  const contents = Buffer.concat([
    Buffer.from([CONFIG_ID]),
    u16(0x0020),
    vec16(echPublic),
    vec16(Buffer.concat([u16(0x0001), u16(0x0001)])),
    Buffer.from([0]),
    vec8(Buffer.from(PUBLIC_NAME)),
    vec16(Buffer.alloc(0)),
  ]);
  return Buffer.concat([u16(0xfe0d), vec16(contents)]);
})();
const echConfigList = vec16(echConfig);

// ---- HPKE, RFC 9180, base mode, open only ---------------------------------------

const hmac = (key: Buffer, data: Buffer): Buffer => createHmac('sha256', key).update(data).digest();
/** RFC 5869 2.2 (an empty salt is HashLen zeros: HMAC pads the key with zeros anyway). */
const extract = (salt: Buffer, ikm: Buffer): Buffer => hmac(salt, ikm);
/** RFC 5869 2.3. */
function expand(prk: Buffer, info: Buffer, length: number): Buffer {
  const out: Buffer[] = [];
  let t: Buffer = Buffer.alloc(0);
  for (let i = 1; 32 * out.length < length; i++) {
    t = hmac(prk, Buffer.concat([t, info, Buffer.from([i])]));
    out.push(t);
  }
  return Buffer.concat(out).subarray(0, length);
}
/** RFC 9180 4: LabeledExtract and LabeledExpand, "HPKE-v1" || suite_id || label. */
const labeledExtract = (suite: Buffer, salt: Buffer, label: string, ikm: Buffer): Buffer =>
  extract(salt, Buffer.concat([Buffer.from('HPKE-v1'), suite, Buffer.from(label), ikm]));
const labeledExpand = (suite: Buffer, prk: Buffer, label: string, info: Buffer, length: number): Buffer =>
  expand(prk, Buffer.concat([u16(length), Buffer.from('HPKE-v1'), suite, Buffer.from(label), info]), length);

/** RFC 9180 4.1 (DHKEM Decap) and 5.1 (KeySchedule, mode_base), then
 * Open of the first message (sequence 0: the nonce is base_nonce). */
function hpkeOpen(skR: Buffer, pkR: Buffer, enc: Buffer, info: Buffer, aad: Buffer, ct: Buffer): Buffer {
  const x25519Private = createPrivateKey({
    key: { kty: 'OKP', crv: 'X25519', d: skR.toString('base64url'), x: pkR.toString('base64url') },
    format: 'jwk',
  });
  const x25519Public = createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: enc.toString('base64url') }, format: 'jwk' });
  const dh = diffieHellman({ privateKey: x25519Private, publicKey: x25519Public });
  const kemSuite = Buffer.concat([Buffer.from('KEM'), u16(0x0020)]);
  const eaePrk = labeledExtract(kemSuite, Buffer.alloc(0), 'eae_prk', dh);
  const shared = labeledExpand(kemSuite, eaePrk, 'shared_secret', Buffer.concat([enc, pkR]), 32);
  const suite = Buffer.concat([Buffer.from('HPKE'), u16(0x0020), u16(0x0001), u16(0x0001)]);
  const pskIdHash = labeledExtract(suite, Buffer.alloc(0), 'psk_id_hash', Buffer.alloc(0));
  const infoHash = labeledExtract(suite, Buffer.alloc(0), 'info_hash', info);
  const context = Buffer.concat([Buffer.from([0]), pskIdHash, infoHash]);
  const secret = labeledExtract(suite, shared, 'secret', Buffer.alloc(0));
  const key = labeledExpand(suite, secret, 'key', context, 16);
  const nonce = labeledExpand(suite, secret, 'base_nonce', context, 12);
  const d = createDecipheriv('aes-128-gcm', key, nonce);
  d.setAAD(aad);
  d.setAuthTag(ct.subarray(ct.length - 16));
  return Buffer.concat([d.update(ct.subarray(0, ct.length - 16)), d.final()]);
}

// ---- ClientHello reading (RFC 8446 4.1.2) ---------------------------------------

interface Hello {
  /** The ClientHello structure (no handshake header). */
  body: Buffer;
  /** type -> [offset of the extension data within body, data]. */
  extensions: Map<number, { at: number; data: Buffer }>;
}
function parseHello(body: Buffer): Hello {
  let p = 2 + 32;
  p += 1 + body[p]; // legacy_session_id
  p += 2 + body.readUInt16BE(p); // cipher_suites
  p += 1 + body[p]; // legacy_compression_methods
  const end = p + 2 + body.readUInt16BE(p);
  p += 2;
  const extensions = new Map<number, { at: number; data: Buffer }>();
  while (p < end) {
    const type = body.readUInt16BE(p);
    const len = body.readUInt16BE(p + 2);
    extensions.set(type, { at: p + 4, data: body.subarray(p + 4, p + 4 + len) });
    p += 4 + len;
  }
  return { body, extensions };
}
/** server_name (RFC 6066 3): the host_name of the one entry. */
function sniOf(h: Hello): string | undefined {
  const d = h.extensions.get(0)?.data;
  if (!d) return undefined;
  expect(d[2]).toBe(0);
  return d.subarray(5, 5 + d.readUInt16BE(3)).toString('latin1');
}

/** A raw TCP server keeping the first ClientHello of each connection (the
 * handshake message reassembled from its records), then closing. */
async function helloCatcher(): Promise<{ server: Server; port: number; hellos: Buffer[] }> {
  const hellos: Buffer[] = [];
  const server = createServer((sock: Socket) => {
    let buf = Buffer.alloc(0);
    let hs = Buffer.alloc(0);
    sock.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 5 && buf.length >= 5 + buf.readUInt16BE(3)) {
        if (buf[0] === 22) hs = Buffer.concat([hs, buf.subarray(5, 5 + buf.readUInt16BE(3))]);
        buf = buf.subarray(5 + buf.readUInt16BE(3));
      }
      if (hs.length >= 4 && hs.length >= 4 + hs.readUIntBE(1, 3)) {
        if (hs[0] === 1) hellos.push(hs.subarray(4, 4 + hs.readUIntBE(1, 3)));
        sock.destroy();
      }
    });
    sock.on('error', () => {});
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as AddressInfo).port, hellos };
}

// ---- the DoH server ---------------------------------------------------------------

/** A DNS name's wire form (RFC 1035 3.1). */
const wireName = (name: string): Buffer => Buffer.concat([...name.split('.').map((l) => vec8(Buffer.from(l))), Buffer.from([0])]);

let pki: Pki;
let doh: https.Server;
let dohUrl: string;
let spki: string;
/** The port whose `_PORT._https` record the DoH server answers. */
let servicePort = 0;
const queries: { method: string; contentType: string | undefined; name: string; type: number }[] = [];

/** The answer to a query: A 127.0.0.1 and (for the service port's name)
 * HTTPS 1 ech-test.example. alpn=http/1.1 ech=...; AAAA: no data; any
 * other name: NXDOMAIN. Chromium checks the answer; it is the oracle. */
function answerFor(q: Buffer): Buffer {
  let p = 12;
  const labels: string[] = [];
  while (q[p] !== 0) {
    labels.push(q.subarray(p + 1, p + 1 + q[p]).toString('latin1'));
    p += 1 + q[p];
  }
  const name = labels.join('.').toLowerCase();
  const type = q.readUInt16BE(p + 1);
  const question = q.subarray(12, p + 5);
  const rrs: Buffer[] = [];
  const rr = (t: number, rdata: Buffer) => Buffer.concat([u16(0xc00c), u16(t), u16(1), Buffer.from([0, 0, 0, 60]), vec16(rdata)]);
  let rcode = 0;
  if (name === HOST && type === 1) rrs.push(rr(1, Buffer.from([127, 0, 0, 1])));
  else if (name === `_${servicePort}._https.${HOST}` && type === 65) {
    const alpn = vec8(Buffer.from('http/1.1'));
    rrs.push(rr(65, Buffer.concat([u16(1), wireName(HOST), u16(1), vec16(alpn), u16(5), vec16(echConfigList)])));
  } else if (name !== HOST && !name.endsWith(`._https.${HOST}`)) rcode = 3;
  return Buffer.concat([q.subarray(0, 2), u16(0x8180 | rcode), u16(1), u16(rrs.length), u16(0), u16(0), question, ...rrs]);
}

beforeAll(async () => {
  if (skipReason) return;
  pki = makePki();
  const leaf = new X509Certificate(pki.serverChainPem);
  spki = createHash('sha256')
    .update(leaf.publicKey.export({ type: 'spki', format: 'der' }))
    .digest('base64');
  doh = https.createServer({ cert: pki.serverChainPem, key: pki.serverKeyPem }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const q =
        req.method === 'GET'
          ? Buffer.from(new URL(req.url ?? '/', 'https://x').searchParams.get('dns') ?? '', 'base64url')
          : Buffer.concat(chunks);
      if (q.length < 17) return void res.writeHead(400).end();
      const a = answerFor(q);
      let p = 12;
      while (q[p] !== 0) p += 1 + q[p];
      const labels: string[] = [];
      for (let i = 12; q[i] !== 0; i += 1 + q[i]) labels.push(q.subarray(i + 1, i + 1 + q[i]).toString('latin1'));
      queries.push({
        method: req.method ?? '',
        contentType: req.headers['content-type'],
        name: labels.join('.'),
        type: q.readUInt16BE(p + 1),
      });
      res.writeHead(200, { 'content-type': 'application/dns-message', 'content-length': a.length });
      res.end(a);
    });
  });
  await new Promise<void>((r) => doh.listen(0, '127.0.0.1', r));
  dohUrl = `https://127.0.0.1:${(doh.address() as AddressInfo).port}/dns-query`;
});
afterAll(async () => {
  if (skipReason) return;
  await new Promise((r) => doh.close(r));
  pki.dispose();
});

/** Launch Chromium with DoH in secure mode through our server (the
 * managed policy, written for the launch only) and the DoH/page leaf's
 * key trusted. */
async function launch() {
  mkdirSync(POLICY_DIR, { recursive: true });
  const policy = `${POLICY_DIR}/wasmtls-ech-test-${process.pid}.json`;
  writeFileSync(policy, JSON.stringify({ DnsOverHttpsMode: 'secure', DnsOverHttpsTemplates: dohUrl }));
  try {
    return await chromium.launch({
      executablePath: CHROMIUM,
      args: [...CHROMIUM_ARGS.filter((a) => !a.startsWith('--host-resolver-rules')), `--ignore-certificate-errors-spki-list=${spki}`],
    });
  } finally {
    rmSync(policy, { force: true });
  }
}

describe.skipIf(skipReason !== undefined)(`Chromium ECH through our DoH server${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  it('Chromium takes our ECHConfig from the HTTPS record: outer SNI is the public_name, the HPKE-opened inner ClientHello names the host', async () => {
    const catcher = await helloCatcher();
    servicePort = catcher.port;
    queries.length = 0;
    const browser = await launch();
    try {
      const page = await browser.newPage();
      // The catcher closes the connection after the ClientHello: the
      // navigation fails, which is expected.
      const err = await page.goto(`https://${HOST}:${catcher.port}/`, { timeout: 20_000 }).then(
        () => 'loaded',
        (e: Error) => e.message.split('\n')[0],
      );
      expect(err).toMatch(/ERR_CONNECTION_CLOSED|ERR_EMPTY_RESPONSE|ERR_CONNECTION_RESET/);
    } finally {
      await browser.close();
      catcher.server.close();
    }
    // The DoH exchange: RFC 8484 POST, the port-prefixed HTTPS query and the A query.
    const mine = queries.filter((q) => q.name.endsWith(HOST));
    expect(mine.every((q) => q.method === 'POST' && q.contentType === 'application/dns-message')).toBe(true);
    expect(mine.map((q) => `${q.name}/${q.type}`)).toEqual(expect.arrayContaining([`_${catcher.port}._https.${HOST}/65`, `${HOST}/1`]));

    expect(catcher.hellos.length).toBeGreaterThan(0);
    const outer = parseHello(catcher.hellos[0]);
    const ech = outer.extensions.get(0xfe0d);
    expect(ech, 'no encrypted_client_hello extension').toBeDefined();
    const e = ech!.data;
    // ECHClientHello (draft-ietf-tls-esni 5): type outer(0), cipher_suite,
    // config_id, enc<0..2^16-1>, payload<1..2^16-1>.
    expect(e[0]).toBe(0);
    expect(e.readUInt16BE(1)).toBe(0x0001);
    expect(e.readUInt16BE(3)).toBe(0x0001);
    expect(e[5]).toBe(CONFIG_ID);
    const encLen = e.readUInt16BE(6);
    expect(encLen).toBe(32);
    const enc = e.subarray(8, 8 + encLen);
    const payloadLen = e.readUInt16BE(8 + encLen);
    const payloadAt = ech!.at + 10 + encLen;
    const payload = outer.body.subarray(payloadAt, payloadAt + payloadLen);
    expect(sniOf(outer)).toBe(PUBLIC_NAME);

    // draft-ietf-tls-esni 5.2: info = "tls ech" || 0x00 || ECHConfig; the
    // AAD is the ClientHelloOuter with the payload zeroed.
    const aad = Buffer.from(outer.body);
    aad.fill(0, payloadAt, payloadAt + payloadLen);
    const inner = hpkeOpen(echPrivate, echPublic, enc, Buffer.concat([Buffer.from('tls ech'), Buffer.from([0]), echConfig]), aad, payload);
    // EncodedClientHelloInner: a ClientHello (session ID left out: 6.1.3),
    // then zero padding.
    const innerHello = parseHello(inner);
    expect(sniOf(innerHello)).toBe(HOST);
    expect(innerHello.extensions.get(0xfe0d)?.data).toEqual(Buffer.from([1]));
    // eslint-style evidence for the report.
    console.log(
      `ECH evidence: outer SNI ${sniOf(outer)}, fe0d ${e.subarray(0, 8).toString('hex')}... config_id 0x${e[5].toString(16)}, enc ${encLen} B, payload ${payloadLen} B, inner SNI ${sniOf(innerHello)}`,
    );

    // wasmtls/doh reads the same ECHConfigList from the same server, over the engine.
    const viaDoh = await resolveEchConfig(HOST, {
      dohUrl,
      port: catcher.port,
      connect: (host, port) => connectTcp({ host, port }),
      ca: pki.caPem,
    });
    expect(Buffer.from(viaDoh!).equals(echConfigList)).toBe(true);
  }, 60_000);
});

describe.skipIf(skipReason !== undefined)(`Chromium against our ECH server${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  it('Chromium connects with ECH to accept({ ech: { keys } }): accepted, inner SNI the host, the page gets the body', async () => {
    const results: { info?: unknown; error?: string }[] = [];
    const server = createServer((sock: Socket) => {
      const t = accept({
        transport: fromNodeSocket(sock),
        cert: pki.serverChainPem,
        key: pki.serverKeyPem,
        ech: { keys: [{ config: echConfig, privateKey: echPrivate }] },
      });
      t.opened.then(
        async (info) => {
          results.push({ info });
          const reader = t.readable.getReader();
          let head = '';
          while (!head.includes('\r\n\r\n')) {
            const { done, value } = await reader.read();
            if (done) return;
            head += Buffer.from(value).toString('latin1');
          }
          const body = 'hello over ECH';
          const w = t.writable.getWriter();
          await w.write(
            new TextEncoder().encode(
              `HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n${body}`,
            ),
          );
          await w.close();
        },
        (e: Error) => results.push({ error: e.message }),
      );
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    servicePort = (server.address() as AddressInfo).port;
    const browser = await launch();
    try {
      const page = await browser.newPage();
      await page.goto(`https://${HOST}:${servicePort}/`, { timeout: 20_000 });
      expect(await page.textContent('body')).toBe('hello over ECH');
    } finally {
      await browser.close();
      server.close();
    }
    const ok = results.find((r) => r.info);
    expect(ok, JSON.stringify(results)).toBeDefined();
    // opened.ech is the engine's verdict; servername the inner hello's name.
    expect(ok!.info).toMatchObject({ servername: HOST, ech: 'accepted' });
  }, 60_000);
});
