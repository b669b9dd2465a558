/**
 * wasmtls/doh end to end: resolveEchConfig / resolveHttpsRecords against a
 * local DoH server (node:https, the test CA), reached through wasmtls'
 * own createFetch over Node TCP sockets, so the DoH exchange itself runs
 * in the engine. The server's answers are typed-in wire bytes (RR by RR,
 * behind the header and the question the client sent), not made by our
 * encoder; the A/CNAME ones are also fed to Node's resolver (c-ares) over
 * UDP, an independent parser, which must read them as our codec does.
 *
 * Asserted: the ECHConfigList comes back byte for byte (POST and GET, the
 * GET with ID 0 and base64url without padding, RFC 8484 4.1), the
 * port-prefixed name for port 8443 (RFC 9460 9.1), AliasMode and CNAME
 * chains followed, loops and long chains refused, no-ech and NXDOMAIN
 * giving null, and the server's failures (HTTP 500, wrong media type, an
 * answer over 65535 octets, a wrong ID, a truncated answer) each a
 * DnsError with its code; the engine's memory back at its baseline after.
 */
import { createSocket } from 'node:dgram';
import { promises as dnsPromises } from 'node:dns';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTcp } from '../ts/adapters/node-socket.js';
import { wasm } from '../ts/core/loader.js';
import { DnsError, type DohOptions, resolveEchConfig, resolveHttpsRecords } from '../ts/dns/doh.js';
import { parseResponse } from '../ts/dns/wire.js';
import { useBuild } from './helpers/env.js';
import { makePki, type Pki } from './helpers/pki.js';

useBuild('simd');

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
/** A name's wire form, label by label (RFC 1035 3.1), as hex. */
const n = (name: string): string =>
  `${name
    .split('.')
    .map((l) => `${l.length.toString(16).padStart(2, '0')} ${Buffer.from(l).toString('hex')}`)
    .join(' ')} 00`;
const len16 = (h: string): string => hex(h).length.toString(16).padStart(4, '0');
/** One RR: owner (hex), type, class IN, TTL 300, RDATA (hex). */
const rr = (owner: string, type: string, rdata: string): string => `${owner} ${type} 00 01 00 00 01 2c ${len16(rdata)} ${rdata}`;

/** An ECHConfigList of one ECHConfig (draft-ietf-tls-esni 4): version
 * 0xfe0d, config_id 0x2a, DHKEM(X25519) with a 32-octet key, the suite
 * (HKDF-SHA256, AES-128-GCM), maximum_name_length 0, public_name
 * "public.test", no extensions. */
const ECH = `00 3e fe 0d 00 3a 2a 00 20 00 20 ${'5a'.repeat(32)} 00 04 00 01 00 01 00 0b ${Buffer.from('public.test').toString('hex')} 00 00`;
/** HTTPS 1 . alpn=h2,http/1.1 ech=... (keys 1 and 5, in order). */
const SVC_ECH = `00 01 00 00 01 00 0c 02 68 32 08 ${Buffer.from('http/1.1').toString('hex')} 00 05 ${len16(ECH)} ${ECH}`;
/** HTTPS 2 . port=8443 (no ech). */
const SVC_PLAIN = '00 02 00 00 03 00 02 20 fb';

/** The DoH server's zone: "name/type" -> [flags, answer RRs (hex; c0 0c is the question's name)]. */
const ZONE: Record<string, [string, string[]]> = {
  'ech.test/65': ['81 80', [rr('c0 0c', '00 41', SVC_ECH), rr('c0 0c', '00 41', SVC_PLAIN)]],
  '_8443._https.ech.test/65': ['81 80', [rr('c0 0c', '00 41', `00 01 ${n('ech.test')} 00 05 ${len16(ECH)} ${ECH}`)]],
  'plain.test/65': ['81 80', [rr('c0 0c', '00 41', SVC_PLAIN)]],
  'alias.test/65': ['81 80', [rr('c0 0c', '00 41', `00 00 ${n('ech.test')}`)]],
  'gone.test/65': ['81 80', [rr('c0 0c', '00 41', '00 00 00')]],
  // A CNAME whose answer stops at it (the client asks again for the target).
  'cname.test/65': ['81 80', [rr('c0 0c', '00 05', n('alias.test'))]],
  // A CNAME and the records at its target in one answer.
  'www.test/65': [
    '81 80',
    [
      rr('c0 0c', '00 05', `03 ${Buffer.from('svc').toString('hex')} c0 0c`),
      rr(`03 ${Buffer.from('svc').toString('hex')} c0 0c`, '00 41', SVC_ECH),
    ],
  ],
  'loop1.test/65': ['81 80', [rr('c0 0c', '00 41', `00 00 ${n('loop2.test')}`)]],
  'loop2.test/65': ['81 80', [rr('c0 0c', '00 41', `00 00 ${n('loop1.test')}`)]],
  'nx.test/65': ['81 83', []],
  'servfail.test/65': ['81 82', []],
  'tc.test/65': ['83 80', []],
  'www.test/1': [
    '81 80',
    [
      rr('c0 0c', '00 05', `03 ${Buffer.from('svc').toString('hex')} c0 0c`),
      rr(`03 ${Buffer.from('svc').toString('hex')} c0 0c`, '00 01', '7f 00 00 07'),
    ],
  ],
};
ZONE['www.test/5'] = ['81 80', [ZONE['www.test/1'][1][0]]];
for (let i = 0; i < 12; i++) ZONE[`chain${i}.test/65`] = ['81 80', [rr('c0 0c', '00 41', `00 00 ${n(`chain${i + 1}.test`)}`)]];

/** The question of a query (offset 12 to the end of QTYPE/QCLASS), read
 * just far enough to route it: labels to the root, then 4 octets. */
function question(q: Buffer): { name: string; type: number; end: number } {
  const labels: string[] = [];
  let p = 12;
  while (q[p] !== 0) {
    labels.push(q.subarray(p + 1, p + 1 + q[p]).toString('latin1'));
    p += 1 + q[p];
  }
  return { name: labels.join('.').toLowerCase(), type: q.readUInt16BE(p + 1), end: p + 5 };
}

/** The answer to a query from ZONE, or null when the zone has no entry. */
function answer(q: Buffer, idOverride?: number): Buffer | null {
  const { name, type, end } = question(q);
  const entry = ZONE[`${name}/${type}`];
  if (!entry) return null;
  const [flags, rrs] = entry;
  const header = hex(
    `${(idOverride ?? q.readUInt16BE(0)).toString(16).padStart(4, '0')} ${flags} 00 01 ${rrs.length.toString(16).padStart(4, '0')} 00 00 00 00`,
  );
  return Buffer.concat([header, q.subarray(12, end), ...rrs.map(hex)]);
}

let pki: Pki;
let server: https.Server;
let dohUrl: string;
const seen: { method: string; id: number; name: string; type: number; dnsParam?: string }[] = [];

beforeAll(async () => {
  pki = makePki();
  server = https.createServer({ cert: pki.serverChainPem, key: pki.serverKeyPem }, (req, res) => {
    const url = new URL(req.url ?? '/', 'https://x');
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (url.pathname === '/500') return void res.writeHead(500).end('no');
      const dnsParam = url.searchParams.get('dns') ?? undefined;
      const q = req.method === 'GET' ? Buffer.from(dnsParam ?? '', 'base64url') : Buffer.concat(chunks);
      const { name, type } = question(q);
      seen.push({ method: req.method ?? '', id: q.readUInt16BE(0), name, type, dnsParam });
      if (url.pathname === '/text') return void res.writeHead(200, { 'content-type': 'text/plain' }).end('hello');
      if (url.pathname === '/huge') return void res.writeHead(200, { 'content-type': 'application/dns-message' }).end(Buffer.alloc(70_000));
      const a = answer(q, url.pathname === '/wrong-id' ? q.readUInt16BE(0) ^ 1 : undefined);
      if (!a) return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'application/dns-message', 'content-length': a.length });
      res.end(a);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  dohUrl = `https://127.0.0.1:${(server.address() as AddressInfo).port}/dns-query`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  pki.dispose();
});

const opts = (o: Partial<DohOptions> = {}): DohOptions => ({
  dohUrl,
  connect: (host, port) => connectTcp({ host, port }),
  ca: pki.caPem,
  ...o,
});
async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return e instanceof DnsError ? e.code : `not a DnsError: ${String(e)}`;
  }
  return 'no error';
}

describe('resolveEchConfig over the engine (createFetch over TCP, test CA)', () => {
  it('POST: the ech SvcParam of the most preferred record, byte for byte; memory back at the baseline', async () => {
    // One lookup first: the engine's first connection leaves state it
    // keeps (1,084 B measured); from then on a lookup leaves nothing.
    await resolveEchConfig('ech.test', opts());
    const before = wasm().memoryUsage().used;
    seen.length = 0;
    const list = await resolveEchConfig('ech.test', opts());
    expect(Buffer.from(list!).toString('hex')).toBe(hex(ECH).toString('hex'));
    expect(seen).toMatchObject([{ method: 'POST', name: 'ech.test', type: 65 }]);
    expect(wasm().memoryUsage().used).toBe(before);
  });
  it('GET: ?dns= base64url without padding, ID 0 (RFC 8484 4.1)', async () => {
    seen.length = 0;
    const list = await resolveEchConfig('ech.test', opts({ method: 'GET' }));
    expect(Buffer.from(list!).equals(hex(ECH))).toBe(true);
    expect(seen).toMatchObject([{ method: 'GET', id: 0, name: 'ech.test', type: 65 }]);
    expect(seen[0].dnsParam).toMatch(/^[A-Za-z0-9_-]+$/);
  });
  it('port 8443: the query is for _8443._https.ech.test (RFC 9460 9.1)', async () => {
    seen.length = 0;
    const recs = await resolveHttpsRecords('ech.test', opts({ port: 8443 }));
    expect(seen.map((s) => s.name)).toEqual(['_8443._https.ech.test']);
    expect(recs.map((r) => [r.owner, r.target])).toEqual([['_8443._https.ech.test', 'ech.test']]);
    expect(Buffer.from(recs[0].ech!).equals(hex(ECH))).toBe(true);
  });
  it('records sorted by SvcPriority with their parameters; "." as target is the owner name', async () => {
    const recs = await resolveHttpsRecords('ech.test', opts());
    expect(recs.map((r) => [r.priority, r.target, r.alpn, r.port])).toEqual([
      [1, 'ech.test', ['h2', 'http/1.1'], undefined],
      [2, 'ech.test', undefined, 8443],
    ]);
  });
  it('AliasMode followed to its target; a CNAME in the answer followed; a CNAME alone asked again', async () => {
    seen.length = 0;
    expect(Buffer.from((await resolveEchConfig('alias.test', opts()))!).equals(hex(ECH))).toBe(true);
    expect(seen.map((s) => s.name)).toEqual(['alias.test', 'ech.test']);
    seen.length = 0;
    expect(Buffer.from((await resolveEchConfig('www.test', opts()))!).equals(hex(ECH))).toBe(true);
    expect(seen.map((s) => s.name)).toEqual(['www.test']);
    seen.length = 0;
    expect(Buffer.from((await resolveEchConfig('cname.test', opts()))!).equals(hex(ECH))).toBe(true);
    expect(seen.map((s) => s.name)).toEqual(['cname.test', 'alias.test', 'ech.test']);
  });
  it('null without an ech param, for NXDOMAIN, and for an AliasMode "." (RFC 9460 2.5.1: no service)', async () => {
    expect(await resolveEchConfig('plain.test', opts())).toBeNull();
    expect(await resolveEchConfig('nx.test', opts())).toBeNull();
    expect(await resolveEchConfig('gone.test', opts())).toBeNull();
  });
  it('chains: an AliasMode loop and a chain over maxChain are refused', async () => {
    expect(await codeOf(resolveEchConfig('loop1.test', opts()))).toBe('ERR_DNS_CHAIN');
    expect(await codeOf(resolveEchConfig('chain0.test', opts()))).toBe('ERR_DNS_CHAIN');
    seen.length = 0;
    expect(await codeOf(resolveEchConfig('chain0.test', opts({ maxChain: 3 })))).toBe('ERR_DNS_CHAIN');
    expect(seen).toHaveLength(4);
  });
  it("the server's failures: each a DnsError with its code, memory back at the baseline", async () => {
    const before = wasm().memoryUsage().used;
    const base = dohUrl.replace('/dns-query', '');
    const got = {
      servfail: await codeOf(resolveEchConfig('servfail.test', opts())),
      truncated: await codeOf(resolveEchConfig('tc.test', opts())),
      http500: await codeOf(resolveEchConfig('ech.test', opts({ dohUrl: `${base}/500` }))),
      mediaType: await codeOf(resolveEchConfig('ech.test', opts({ dohUrl: `${base}/text` }))),
      tooBig: await codeOf(resolveEchConfig('ech.test', opts({ dohUrl: `${base}/huge` }))),
      wrongId: await codeOf(resolveEchConfig('ech.test', opts({ dohUrl: `${base}/wrong-id` }))),
      httpUrl: await codeOf(resolveEchConfig('ech.test', opts({ dohUrl: dohUrl.replace('https:', 'http:') }))),
      noTransport: await codeOf(resolveEchConfig('ech.test', { dohUrl })),
      badName: await codeOf(resolveEchConfig('a..test', opts())),
    };
    expect(got).toEqual({
      servfail: 'ERR_DNS_RCODE',
      truncated: 'ERR_DNS_TRUNCATED',
      http500: 'ERR_DOH_HTTP',
      mediaType: 'ERR_DOH_HTTP',
      tooBig: 'ERR_DOH_HTTP',
      wrongId: 'ERR_DNS_ID_MISMATCH',
      httpUrl: 'ERR_DNS_INVALID_ARG',
      noTransport: 'ERR_DNS_INVALID_ARG',
      badName: 'ERR_DNS_INVALID_ARG',
    });
    expect(wasm().memoryUsage().used).toBe(before);
  });
  it('a TLS failure to the DoH server (an untrusted certificate) rejects as fetch does', async () => {
    const e = await resolveEchConfig('ech.test', opts({ ca: pki.strangerPem })).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(TypeError);
    expect(String((e as Error).cause)).toMatch(/certificate|verify|issuer/i);
  });
});

describe("the typed-in answers are sound DNS: Node's resolver (c-ares) reads them as our codec does", () => {
  it('www.test A: CNAME to svc.www.test (compressed), then 127.0.0.7', async () => {
    const udp = createSocket('udp4');
    udp.on('message', (q, from) => {
      const a = answer(q);
      if (a) udp.send(a, from.port, from.address);
    });
    await new Promise<void>((r) => udp.bind(0, '127.0.0.1', r));
    try {
      const resolver = new dnsPromises.Resolver({ timeout: 5000, tries: 2 });
      resolver.setServers([`127.0.0.1:${udp.address().port}`]);
      const cares = await resolver.resolve4('www.test');
      // Our codec on the same bytes, for the same query.
      const q = hex(`ab cd 01 00 00 01 00 00 00 00 00 00 ${n('www.test')} 00 01 00 01`);
      const ours = parseResponse(answer(q)!, { id: 0xabcd, name: 'www.test', type: 1 });
      expect(ours.answers.map((r) => [r.name, r.type, r.data])).toEqual([
        ['www.test', 5, 'svc.www.test'],
        ['svc.www.test', 1, '127.0.0.7'],
      ]);
      expect(cares).toEqual(['127.0.0.7']);
      // And c-ares follows the same compressed CNAME name.
      expect(await resolver.resolveCname('www.test')).toEqual(['svc.www.test']);
    } finally {
      udp.close();
    }
  });
});
