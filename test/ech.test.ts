/**
 * Encrypted Client Hello (draft-ietf-tls-esni, extension 0xfe0d), our
 * client against our server over memory, with the bytes on the wire
 * tapped: the outer ClientHello on the wire names only the public name
 * (parsed from the captured record), the server answers the inner name;
 * rejection (the server holds other keys, or none) fails the client with
 * ERR_SSL_ECH_REJECTED after authenticating the public name, carrying
 * the server's retry configs, with which a second connection succeeds;
 * a HelloRetryRequest (the server knows P-256 only) accepted and
 * rejected; hostile bytes (a flipped payload or ServerHello random, a TLS 1.2-only
 * server) end the handshake with an alert, never a hang; wasm memory
 * goes back to its baseline. Go's crypto/tls as the independent peer is
 * in test/ech-go.test.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromStreams } from '../ts/adapters/streams.js';
import type { Transport } from '../ts/adapters/types.js';
import { accept, connect, type TLSSocket } from '../ts/api/tls.js';
import { Connection } from '../ts/core/connection.js';
import type { GroupName } from '../ts/core/codepoints.js';
import { TLSContext } from '../ts/core/context.js';
import { releaseIdleContexts } from '../ts/core/context-cache.js';
import { x25519PublicKey } from '../ts/core/ec25519.js';
import { generateEchKey } from '../ts/core/ech.js';
import { TLSError } from '../ts/core/errors.js';
import { fillRandom, wasm } from '../ts/core/loader.js';
import { useBuild } from './helpers/env.js';
import { selfSignedP256 } from './helpers/pki.js';

useBuild('simd');

// One certificate for both names: the inner (secret.test) and the
// public name a rejected client checks instead (public.test).
let dir: string;
let certPem: string;
let keyPem: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'wasmtls-ech-'));
  ({ certPem, keyPem } = selfSignedP256(dir, 'secret.test', ['secret.test', 'public.test']));
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Tamper = (chunk: Uint8Array, index: number) => Uint8Array;
// A memory pair whose client-to-server and server-to-client chunks are
// recorded (and optionally altered) on the way.
function tappedPair(c2s?: Tamper, s2c?: Tamper) {
  const seen = { c2s: [] as Uint8Array[], s2c: [] as Uint8Array[] };
  const tap = (log: Uint8Array[], f?: Tamper) =>
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, ctl) {
        const out = f ? f(chunk.slice(), log.length) : chunk;
        log.push(chunk.slice());
        ctl.enqueue(out);
      },
    });
  const ab = tap(seen.c2s, c2s);
  const ba = tap(seen.s2c, s2c);
  const client: Transport = fromStreams({ readable: ba.readable, writable: ab.writable });
  const server: Transport = fromStreams({ readable: ab.readable, writable: ba.writable });
  return { client, server, seen };
}

interface Hello {
  sni: string | undefined;
  exts: Map<number, Uint8Array>;
}
// The first handshake message of the first record: a ClientHello, its
// server_name and extensions by type.
function parseClientHello(rec: Uint8Array): Hello {
  expect(rec[0]).toBe(22);
  const m = rec.subarray(5);
  expect(m[0]).toBe(1);
  let i = 4 + 2 + 32;
  i += 1 + m[i];
  i += 2 + ((m[i] << 8) | m[i + 1]);
  i += 1 + m[i];
  const end = i + 2 + ((m[i] << 8) | m[i + 1]);
  i += 2;
  const exts = new Map<number, Uint8Array>();
  while (i < end) {
    const t = (m[i] << 8) | m[i + 1];
    const n = (m[i + 2] << 8) | m[i + 3];
    exts.set(t, m.slice(i + 4, i + 4 + n));
    i += 4 + n;
  }
  const s = exts.get(0);
  const sni = s ? new TextDecoder().decode(s.subarray(5)) : undefined;
  return { sni, exts };
}

const used = () => wasm().memoryUsage().used;

async function pair(
  ech: { configList?: Uint8Array | string; keys?: ReturnType<typeof generateEchKey>[] },
  tap?: { c2s?: Tamper; s2c?: Tamper },
  server: { maxVersion?: 'TLSv1.2'; groups?: GroupName[] } = {},
  client: { groups?: GroupName[] } = {},
) {
  const t = tappedPair(tap?.c2s, tap?.s2c);
  const s = accept({
    transport: t.server,
    cert: certPem,
    key: keyPem,
    ...server,
    ...(ech.keys ? { ech: { keys: ech.keys } } : {}),
  });
  const c = connect({
    transport: t.client,
    servername: 'secret.test',
    ca: certPem,
    ...client,
    ...(ech.configList ? { ech: { configList: ech.configList } } : {}),
  });
  const [ci, si] = await Promise.allSettled([c.opened, s.opened]);
  return { c, s, ci, si, seen: t.seen };
}

async function closeBoth(c: TLSSocket, s: TLSSocket) {
  await Promise.allSettled([c.close(), s.close()]);
  await Promise.allSettled([c.closed, s.closed]);
}

async function roundTrip(c: TLSSocket, s: TLSSocket) {
  const w = c.writable.getWriter();
  await w.write(new TextEncoder().encode('ping'));
  w.releaseLock();
  const r = s.readable.getReader();
  const got = await r.read();
  r.releaseLock();
  expect(new TextDecoder().decode(got.value)).toBe('ping');
}

describe('Encrypted Client Hello, our client and server', () => {
  it('accepted: the server answers the inner name; the wire carries only the public name', async () => {
    const key = generateEchKey({ publicName: 'public.test', maxNameLength: 32 });
    const { c, s, ci, si, seen } = await pair({ configList: key.configList, keys: [key] });
    expect(ci.status).toBe('fulfilled');
    expect(si.status).toBe('fulfilled');
    if (ci.status !== 'fulfilled' || si.status !== 'fulfilled') return;
    expect(ci.value.ech).toBe('accepted');
    expect(si.value.ech).toBe('accepted');
    expect(ci.value.version).toBe('TLSv1.3');
    expect(si.value.servername).toBe('secret.test');
    expect(ci.value.authorized).toBe(true);
    // The ClientHello on the wire: public.test as SNI, an outer ECH
    // extension (type 0) with our config_id, and no trace of the name.
    const first = Buffer.concat(seen.c2s);
    const hello = parseClientHello(first);
    expect(hello.sni).toBe('public.test');
    const e = hello.exts.get(0xfe0d);
    expect(e?.[0]).toBe(0);
    expect(e?.[5]).toBe(key.config[4]);
    expect(first.includes(Buffer.from('secret.test'))).toBe(false);
    await roundTrip(c, s);
    await closeBoth(c, s);
  });

  it('accepted from the base64 text a DNS HTTPS record carries', async () => {
    const key = generateEchKey({ publicName: 'public.test', suites: [{ kdf: 1, aead: 3 }] });
    const { c, s, ci } = await pair({ configList: Buffer.from(key.configList).toString('base64'), keys: [key] });
    expect(ci.status === 'fulfilled' && ci.value.ech).toBe('accepted');
    await closeBoth(c, s);
  });

  it('rejected (the server holds another key): ERR_SSL_ECH_REJECTED with its retry configs; retrying with them succeeds', async () => {
    const stale = generateEchKey({ publicName: 'public.test', configId: 1 });
    const current = generateEchKey({ publicName: 'public.test', configId: 2 });
    const r1 = await pair({ configList: stale.configList, keys: [current] });
    expect(r1.ci.status).toBe('rejected');
    const err = (r1.ci as PromiseRejectedResult).reason as TLSError & { retryConfigs?: Uint8Array };
    expect(err).toBeInstanceOf(TLSError);
    expect(err.code).toBe('ERR_SSL_ECH_REJECTED');
    expect(err.alert).toBe(121); // ech_required, sent
    expect(err.alertDirection).toBe('sent');
    expect(Buffer.from(err.retryConfigs ?? []).equals(Buffer.from(current.configList))).toBe(true);
    // The server saw our alert.
    expect(r1.si.status).toBe('rejected');
    expect(((r1.si as PromiseRejectedResult).reason as TLSError).alert).toBe(121);
    await closeBoth(r1.c, r1.s);

    const r2 = await pair({ configList: err.retryConfigs, keys: [current] });
    expect(r2.ci.status === 'fulfilled' && r2.ci.value.ech).toBe('accepted');
    expect(r2.si.status === 'fulfilled' && r2.si.value.servername).toBe('secret.test');
    await closeBoth(r2.c, r2.s);
  });

  it('rejected by a server without ECH keys: no retry configs; without `ech` nothing is offered', async () => {
    const key = generateEchKey({ publicName: 'public.test' });
    const r = await pair({ configList: key.configList });
    expect(r.ci.status).toBe('rejected');
    const err = (r.ci as PromiseRejectedResult).reason as TLSError & { retryConfigs?: Uint8Array };
    expect(err.code).toBe('ERR_SSL_ECH_REJECTED');
    expect(err.retryConfigs).toBeUndefined();
    await closeBoth(r.c, r.s);
    const plain = await pair({});
    expect(plain.ci.status === 'fulfilled' && plain.ci.value.ech).toBe('not offered');
    expect(parseClientHello(Buffer.concat(plain.seen.c2s)).exts.has(0xfe0d)).toBe(false);
    await closeBoth(plain.c, plain.s);
  });

  it('a list with no usable config offers no ECH; a malformed one is refused', async () => {
    const key = generateEchKey({ publicName: 'public.test', suites: [{ kdf: 2, aead: 1 }] }); // HKDF-SHA384: not ours
    const r = await pair({ configList: key.configList });
    expect(r.ci.status === 'fulfilled' && r.ci.value.ech).toBe('not offered');
    await closeBoth(r.c, r.s);
    const bad = await pair({ configList: new Uint8Array([0, 3, 0xfe, 0x0d, 0]) });
    expect(bad.ci.status).toBe('rejected');
    expect(String((bad.ci as PromiseRejectedResult).reason)).toMatch(/ECHConfigList/);
    await closeBoth(bad.c, bad.s);
  });

  it('hostile: a flipped payload byte is not opened (the server falls back to the outer, the handshake fails); a flipped ServerHello confirmation fails the client', async () => {
    const key = generateEchKey({ publicName: 'public.test' });
    // The last byte of the first record is in the ECH payload's tag (the
    // extension is last in our ClientHello).
    const flipLast: Tamper = (b, i) => {
      if (i === 0) b[b.length - 1] ^= 1;
      return b;
    };
    const r1 = await pair({ configList: key.configList, keys: [key] }, { c2s: flipLast });
    expect(r1.ci.status).toBe('rejected');
    expect(r1.si.status).toBe('rejected');
    expect(r1.s.connection.disposed || r1.s.connection.echStatus).not.toBe('accepted');
    await closeBoth(r1.c, r1.s);
    // ServerHello.random's last byte (the acceptance confirmation): the
    // client takes it as a rejection and reads the server's flight under
    // the outer transcript's keys, which fail (bad_record_mac).
    const flipConfirm: Tamper = (b, i) => {
      if (i === 0) b[5 + 4 + 2 + 31] ^= 1;
      return b;
    };
    const r2 = await pair({ configList: key.configList, keys: [key] }, { s2c: flipConfirm });
    expect(r2.ci.status).toBe('rejected');
    expect(((r2.ci as PromiseRejectedResult).reason as TLSError).alert).toBeDefined();
    await closeBoth(r2.c, r2.s);
  });

  // The server knows P-256 only, the client's share is X25519: a
  // HelloRetryRequest, carrying the server's confirmation (draft 7.2.1);
  // the second pair is sealed under the same HPKE context (enc empty).
  const HRR = [undefined, { groups: ['secp256r1'] as GroupName[] }, { groups: ['x25519', 'secp256r1'] as GroupName[] }] as const;
  it('HelloRetryRequest, accepted: the second ClientHello pair under the first HPKE context', async () => {
    const key = generateEchKey({ publicName: 'public.test' });
    const { c, s, ci, si, seen } = await pair({ configList: key.configList, keys: [key] }, ...HRR);
    expect(ci.status === 'fulfilled' && ci.value.ech).toBe('accepted');
    expect(si.status === 'fulfilled' && si.value.servername).toBe('secret.test');
    expect(c.connection.hrrSeen).toBe(true);
    expect(ci.status === 'fulfilled' && ci.value.group).toBe('secp256r1');
    // Both ClientHellos on the wire name only the public name.
    expect(Buffer.concat(seen.c2s).includes(Buffer.from('secret.test'))).toBe(false);
    await roundTrip(c, s);
    await closeBoth(c, s);
  });

  it('HelloRetryRequest, rejected (other keys): the outer goes on, ERR_SSL_ECH_REJECTED with the retry configs', async () => {
    const key = generateEchKey({ publicName: 'public.test', configId: 5 });
    const other = generateEchKey({ publicName: 'public.test', configId: 6 });
    const r = await pair({ configList: key.configList, keys: [other] }, ...HRR);
    expect(r.ci.status).toBe('rejected');
    const err = (r.ci as PromiseRejectedResult).reason as TLSError & { retryConfigs?: Uint8Array };
    expect(err.code).toBe('ERR_SSL_ECH_REJECTED');
    expect(Buffer.from(err.retryConfigs ?? []).equals(Buffer.from(other.configList))).toBe(true);
    expect(r.c.connection.disposed || r.c.connection.hrrSeen).toBe(true);
    await closeBoth(r.c, r.s);
  });

  it('a TLS 1.2-only server: the ECH client (TLS 1.3 only) ends with protocol_version', async () => {
    const key = generateEchKey({ publicName: 'public.test' });
    const r = await pair({ configList: key.configList }, undefined, { maxVersion: 'TLSv1.2' });
    expect(r.ci.status).toBe('rejected');
    expect(((r.ci as PromiseRejectedResult).reason as TLSError).alert).toBe(70);
    await closeBoth(r.c, r.s);
  });

  it('wasm memory returns to its baseline after accepted and rejected handshakes', async () => {
    const key = generateEchKey({ publicName: 'public.test' });
    const other = generateEchKey({ publicName: 'public.test' });
    const round = async () => {
      const a = await pair({ configList: key.configList, keys: [key] });
      await closeBoth(a.c, a.s);
      const b = await pair({ configList: key.configList, keys: [other] });
      await closeBoth(b.c, b.s);
    };
    await round();
    releaseIdleContexts();
    const base = used();
    for (let i = 0; i < 3; i++) await round();
    releaseIdleContexts();
    expect(used()).toBe(base);
  });
});

// ---- ClientHellos made here, byte by byte, for the server's checks ---------

const u16 = (n: number) => [n >> 8, n & 0xff];
const v1 = (b: number[]) => [b.length, ...b];
const v2 = (b: number[]) => [...u16(b.length), ...b];
const ext = (t: number, body: number[]) => [...u16(t), ...v2(body)];
const ascii = (s: string) => [...new TextEncoder().encode(s)];
const sni = (name: string) => ext(0, v2([0, ...v2(ascii(name))]));

// HPKE SetupBaseS + Seal through the module's HPKE exports (base mode,
// KDF HKDF-SHA256, AEAD AES-128-GCM) with the ephemeral key skE (enc is
// its public key, known before sealing: the AAD holds it).
function hpkeSeal(pkR: Uint8Array, skE: Uint8Array, info: Uint8Array, aad: Uint8Array, pt: Uint8Array): Uint8Array {
  const w = wasm();
  const x = w.exports;
  const size = x.wt_x_hpke_ctx_size() >>> 0;
  const ptrs: number[] = [];
  const put = (b: Uint8Array) => {
    const p = w.alloc(Math.max(1, b.length));
    w.u8().set(b, p);
    ptrs.push(p);
    return p;
  };
  const ctx = put(new Uint8Array(size));
  const enc = put(new Uint8Array(32));
  const out = put(new Uint8Array(pt.length + 16));
  expect(x.wt_x_hpke_setup_s(ctx, 1, 1, enc, put(pkR), put(skE), put(info), info.length)).toBe(0);
  expect(x.wt_x_hpke_seal(ctx, put(aad), aad.length, put(pt), pt.length, out)).toBe(0);
  const ct = w.copyOut(out, pt.length + 16);
  w.wipe(ctx, size);
  for (const p of ptrs) w.free(p);
  return ct;
}

// A ClientHelloOuter (as a TLS record) for `key` whose encrypted inner
// carries these extensions, then `padding`.
function craftedHello(key: ReturnType<typeof generateEchKey>, innerExts: number[], padding: number[] = new Array(16).fill(0)): Uint8Array {
  const pub = [...x25519PublicKey(fillRandom(new Uint8Array(32)))];
  const suites = v2([0x13, 0x01]);
  const comp = v1([0]);
  const outerExts = [
    ...sni('public.test'),
    ...ext(10, v2(u16(0x1d))),
    ...ext(51, v2([...u16(0x1d), ...v2(pub)])),
    ...ext(43, v1(u16(0x0304))),
    ...ext(13, v2([...u16(0x0403), ...u16(0x0804)])),
  ];
  const encoded = new Uint8Array([...u16(0x0303), ...fillRandom(new Uint8Array(32)), 0, ...suites, ...comp, ...v2(innerExts), ...padding]);
  const config = [...key.config];
  const pkR = new Uint8Array(config.slice(4 + 1 + 2 + 2, 4 + 1 + 2 + 2 + 32));
  const skE = fillRandom(new Uint8Array(32));
  const enc = [...x25519PublicKey(skE)];
  const head = [...u16(0x0303), ...fillRandom(new Uint8Array(32)), ...v1([...fillRandom(new Uint8Array(32))]), ...suites, ...comp];
  const build = (payload: number[]) =>
    new Uint8Array([...head, ...v2([...outerExts, ...ext(0xfe0d, [0, ...u16(1), ...u16(1), config[4], ...v2(enc), ...v2(payload)])])]);
  const info = new Uint8Array([...ascii('tls ech'), 0, ...config]);
  const ct = hpkeSeal(pkR, skE, info, build(new Array(encoded.length + 16).fill(0)), encoded);
  const body = build([...ct]);
  const msg = [1, 0, ...u16(body.length), ...body];
  return new Uint8Array([22, 3, 1, ...u16(msg.length), ...msg]);
}

describe('ECH server: ClientHelloInner rebuilt from ech_outer_extensions, hostile ones refused (draft 5.1, 7.1)', () => {
  const key = generateEchKey({ publicName: 'public.test' });
  const OUTER_REFS = ext(0xfd00, v1([...u16(10), ...u16(51), ...u16(43), ...u16(13)]));
  const INNER_ECH = ext(0xfe0d, [1]);

  // Feed one ClientHello record to a fresh server; what it sent back
  // and its error.
  function serve(record: Uint8Array) {
    const ctx = new TLSContext({ cert: certPem, key: keyPem });
    ctx.addEchKey(key.config, key.privateKey);
    const conn = new Connection(ctx);
    conn.setAcceptState();
    conn.network.write(record);
    conn.doHandshake();
    const out = conn.network.read();
    const r = { out, error: conn.error, ech: conn.echStatus, name: conn.serverName };
    conn.dispose();
    ctx.dispose();
    return r;
  }

  it('references to the outer, in its order, are expanded: the server answers the inner name with a ServerHello', () => {
    const r = serve(craftedHello(key, [...sni('secret.test'), ...OUTER_REFS, ...INNER_ECH]));
    expect(r.error).toBeUndefined();
    expect(r.ech).toBe('accepted');
    expect(r.name).toBe('secret.test');
    expect([r.out[0], r.out[5]]).toEqual([22, 2]); // handshake record, ServerHello
  });

  const hostile: [string, number[], number[]?][] = [
    [
      'a reference to an extension the outer lacks (ALPN)',
      [...sni('secret.test'), ...ext(0xfd00, v1([...u16(10), ...u16(16)])), ...INNER_ECH],
    ],
    ['a reference to encrypted_client_hello itself', [...sni('secret.test'), ...ext(0xfd00, v1(u16(0xfe0d))), ...INNER_ECH]],
    [
      'references out of the outer order',
      [...sni('secret.test'), ...ext(0xfd00, v1([...u16(51), ...u16(10), ...u16(43), ...u16(13)])), ...INNER_ECH],
    ],
    ['no inner encrypted_client_hello', [...sni('secret.test'), ...OUTER_REFS]],
    ['padding that is not zeros', [...sni('secret.test'), ...OUTER_REFS, ...INNER_ECH], [0, 0, 1]],
  ];
  for (const [what, exts, pad] of hostile) {
    it(`${what}: illegal_parameter`, () => {
      const base = used();
      const r = serve(craftedHello(key, exts, pad));
      expect(r.error?.alert).toBe(47);
      expect(r.error?.alertDirection).toBe('sent');
      expect(r.error?.code).toBe('ERR_SSL_ECH_BAD_INNER');
      // The alert record went out: alert(21), fatal(2), illegal_parameter.
      expect([...r.out.subarray(0, 1), ...r.out.subarray(5, 7)]).toEqual([21, 2, 47]);
      expect(used()).toBe(base);
    });
  }
});
