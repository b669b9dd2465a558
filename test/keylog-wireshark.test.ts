/**
 * The key log decrypts a capture in Wireshark: TLS 1.3 between our client
 * and our server (connect()/accept() over an in-memory pair whose bytes
 * are recorded in order), written as a pcap with synthetic TCP/IP headers
 * (port 443, a three-way handshake, exact sequence numbers), then read by
 * `tshark` (Debian `tshark`, installed by build.sh) with `tls.keylog_file`
 * set to the lines our `keylog` callback produced. The oracle is
 * Wireshark's own TLS 1.3 decryption: it must find the HTTP request and
 * response inside; without the key log it must find nothing.
 *
 * TLS 1.2: our client (the SSL object over a TCP socket) against Node's
 * `tls` server limited to TLSv1.2, both AEAD families (AES-GCM and
 * ChaCha20-Poly1305); the bytes each side sends are recorded at our
 * socket. Our one CLIENT_RANDOM line (the master secret, RFC 5246 8.1)
 * must let tshark decrypt both directions, and nothing without it.
 */
import { execFileSync } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import * as tls from 'node:tls';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromStreams } from '../ts/adapters/streams.js';
import { accept, connect } from '../ts/api/tls.js';
import { Connection, TLSContext, type CipherSuiteName } from '../ts/core/connection.js';
import { useBuild } from './helpers/env.js';
import { connectRetry, SocketPump } from './helpers/netpump.js';
import { have } from './helpers/peers.js';
import { makePki, type Pki } from './helpers/pki.js';

useBuild('simd');
const haveTshark = have('tshark', ['--version']);
let pki: Pki;
let dir: string;
beforeAll(() => {
  pki = makePki();
  dir = mkdtempSync(join(tmpdir(), 'wasmtls-wireshark-'));
}, 60_000);
afterAll(() => {
  pki?.dispose();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

type Seg = { fromClient: boolean; data: Uint8Array };

/** connect() <-> accept() in memory; every chunk each side sends, in order. */
async function session(suite: CipherSuiteName, which: 'client' | 'server'): Promise<{ segs: Seg[]; keylog: string }> {
  const segs: Seg[] = [];
  const ab = new TransformStream<Uint8Array, Uint8Array>();
  const ba = new TransformStream<Uint8Array, Uint8Array>();
  const tap = (w: WritableStream<Uint8Array>, fromClient: boolean) => {
    const writer = w.getWriter();
    return new WritableStream<Uint8Array>({
      write: (x) => {
        segs.push({ fromClient, data: x.slice() });
        return writer.write(x);
      },
      close: () => writer.close(),
    });
  };
  let keylog = '';
  const log = (line: string) => {
    keylog += line;
  };
  const c = connect({
    transport: fromStreams({ readable: ba.readable, writable: tap(ab.writable, true) }),
    servername: 'localhost',
    ca: pki.caPem,
    ciphersuites: [suite],
    ...(which === 'client' ? { keylog: log } : {}),
  });
  const s = accept({
    transport: fromStreams({ readable: ab.readable, writable: tap(ba.writable, false) }),
    cert: pki.serverChainPem,
    key: pki.serverKeyPem,
    ...(which === 'server' ? { keylog: log } : {}),
  });
  await Promise.all([c.opened, s.opened]);
  const enc = new TextEncoder();
  const cw = c.writable.getWriter();
  await cw.write(enc.encode('GET /wireshark-sees-this HTTP/1.1\r\nHost: localhost\r\n\r\n'));
  const sr = s.readable.getReader();
  await sr.read();
  const body = 'decrypted by tshark with the wasmtls key log\n';
  const sw = s.writable.getWriter();
  await sw.write(enc.encode(`HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\n\r\n${body}`));
  await c.readable.getReader().read();
  await Promise.all([cw.close(), sw.close()]);
  await Promise.all([c.close(), s.close()]);
  return { segs, keylog };
}

// ---- pcap (LINKTYPE_RAW: IPv4 packets) ---------------------------------------------

function checksum(b: Uint8Array): number {
  let s = 0;
  for (let i = 0; i < b.length; i += 2) s += (b[i] << 8) | (b[i + 1] ?? 0);
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return ~s & 0xffff;
}

function pcap(segs: Seg[]): Uint8Array {
  const out: Uint8Array[] = [];
  const gh = new DataView(new ArrayBuffer(24));
  gh.setUint32(0, 0xa1b2c3d4, true);
  gh.setUint16(4, 2, true);
  gh.setUint16(6, 4, true);
  gh.setUint32(16, 65535, true);
  gh.setUint32(20, 101, true); // LINKTYPE_RAW
  out.push(new Uint8Array(gh.buffer));
  let t = 1_700_000_000;
  let cseq = 1000,
    sseq = 5000;
  const packet = (fromClient: boolean, flags: number, payload: Uint8Array) => {
    const ip = new Uint8Array(40 + payload.length);
    const v = new DataView(ip.buffer);
    ip[0] = 0x45;
    v.setUint16(2, ip.length);
    ip[8] = 64;
    ip[9] = 6; // TCP
    ip.set(fromClient ? [127, 0, 0, 1] : [127, 0, 0, 2], 12);
    ip.set(fromClient ? [127, 0, 0, 2] : [127, 0, 0, 1], 16);
    v.setUint16(10, checksum(ip.subarray(0, 20)));
    v.setUint16(20, fromClient ? 50000 : 443);
    v.setUint16(22, fromClient ? 443 : 50000);
    v.setUint32(24, fromClient ? cseq : sseq);
    v.setUint32(28, fromClient ? sseq : cseq);
    ip[32] = 5 << 4;
    ip[33] = flags;
    v.setUint16(34, 65535);
    ip.set(payload, 40);
    const syn = flags & 0x02 ? 1 : 0;
    if (fromClient) cseq += payload.length + syn;
    else sseq += payload.length + syn;
    const rh = new DataView(new ArrayBuffer(16));
    rh.setUint32(0, t++, true);
    rh.setUint32(8, ip.length, true);
    rh.setUint32(12, ip.length, true);
    out.push(new Uint8Array(rh.buffer), ip);
  };
  const SYN = 0x02,
    ACK = 0x10,
    PSH = 0x08;
  packet(true, SYN, new Uint8Array(0));
  packet(false, SYN | ACK, new Uint8Array(0));
  packet(true, ACK, new Uint8Array(0));
  for (const s of segs) {
    for (let i = 0; i < s.data.length; i += 16000) packet(s.fromClient, PSH | ACK, s.data.subarray(i, i + 16000));
  }
  const n = out.reduce((a, b) => a + b.length, 0);
  const all = new Uint8Array(n);
  let off = 0;
  for (const b of out) {
    all.set(b, off);
    off += b.length;
  }
  return all;
}

function tshark(capture: string, keylog: string | undefined): string {
  const args = ['-r', capture, '-Y', 'http', '-T', 'fields', '-e', 'http.request.uri', '-e', 'http.response.code', '-e', 'http.file_data'];
  if (keylog) args.unshift('-o', `tls.keylog_file:${keylog}`);
  return execFileSync('tshark', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

describe('the key log decrypts a capture in Wireshark (tshark)', () => {
  for (const suite of ['TLS_CHACHA20_POLY1305_SHA256', 'TLS_AES_256_GCM_SHA384'] as const) {
    for (const which of ['client', 'server'] as const) {
      it.skipIf(!haveTshark)(`${suite}, the ${which}'s key log`, async () => {
        const { segs, keylog } = await session(suite, which);
        expect(keylog.split('\n').filter(Boolean).length).toBe(5);
        const cap = join(dir, `${suite}-${which}.pcap`);
        const keys = join(dir, `${suite}-${which}.keys`);
        writeFileSync(cap, pcap(segs));
        writeFileSync(keys, keylog);
        const plain = tshark(cap, keys);
        expect(plain).toContain('/wireshark-sees-this');
        expect(plain).toContain('200');
        expect(plain).toContain('decrypted by tshark with the wasmtls key log');
        // The negative control: without the key log, nothing decrypts.
        expect(tshark(cap, undefined).trim()).toBe('');
      });
    }
  }
});

// ---- TLS 1.2 ------------------------------------------------------------------------

/** Our client <-> Node tls server (maxVersion TLSv1.2, `cipher`) over
 * 127.0.0.1; every chunk each side sends, in order, seen at our socket. */
async function session12(cipher: string): Promise<{ segs: Seg[]; keylog: string; version: number }> {
  const segs: Seg[] = [];
  const body = 'decrypted by tshark with the wasmtls key log\n';
  const server = tls.createServer({ key: pki.serverKeyPem, cert: pki.serverChainPem, maxVersion: 'TLSv1.2', ciphers: cipher }, (s) => {
    s.on('error', () => {});
    s.once('data', () => {
      s.end(`HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  let keylog = '';
  const ctx = new TLSContext({
    verify: 'insecure-no-chain-validation',
    keylog: (line) => {
      keylog += line;
    },
  });
  const conn = new Connection(ctx);
  try {
    conn.setConnectState();
    conn.setServerName('localhost');
    const sock = await connectRetry((server.address() as AddressInfo).port);
    // Record before the pump sees the bytes (listeners run in order).
    sock.on('data', (d: Buffer) => segs.push({ fromClient: false, data: new Uint8Array(d) }));
    const write = sock.write.bind(sock) as (d: Uint8Array) => boolean;
    (sock as unknown as { write: (d: Uint8Array) => boolean }).write = (d: Uint8Array) => {
      segs.push({ fromClient: true, data: new Uint8Array(d) });
      return write(d);
    };
    const pump = new SocketPump(conn, sock);
    await pump.handshake();
    const x = ctx.w.exports as unknown as Record<string, (p: number) => number>;
    const version = x.wt_x_tls_get_version((conn as unknown as { c: number }).c);
    await pump.writeAll(new TextEncoder().encode('GET /wireshark-sees-this HTTP/1.1\r\nHost: localhost\r\n\r\n'));
    const got = await pump.readToEnd();
    expect(Buffer.from(got.data).toString('latin1')).toContain(body);
    sock.destroy();
    return { segs, keylog, version };
  } finally {
    conn.dispose();
    ctx.dispose();
    server.close();
  }
}

describe('TLS 1.2: the client key log decrypts a capture in Wireshark (tshark)', () => {
  for (const cipher of ['ECDHE-ECDSA-CHACHA20-POLY1305', 'ECDHE-ECDSA-AES256-GCM-SHA384', 'ECDHE-ECDSA-AES128-GCM-SHA256']) {
    it.skipIf(!haveTshark)(`${cipher}, our client's CLIENT_RANDOM line`, async () => {
      const { segs, keylog, version } = await session12(cipher);
      expect(version).toBe(0x0303);
      expect(keylog).toMatch(/^CLIENT_RANDOM [0-9a-f]{64} [0-9a-f]{96}\n$/);
      const cap = join(dir, `tls12-${cipher}.pcap`);
      const keys = join(dir, `tls12-${cipher}.keys`);
      writeFileSync(cap, pcap(segs));
      writeFileSync(keys, keylog);
      const plain = tshark(cap, keys);
      expect(plain).toContain('/wireshark-sees-this');
      expect(plain).toContain('200');
      expect(plain).toContain('decrypted by tshark with the wasmtls key log');
      // Negative controls: without the key log nothing decrypts, nor with
      // a master secret one bit off.
      expect(tshark(cap, undefined).trim()).toBe('');
      const bad = join(dir, `tls12-${cipher}.bad.keys`);
      writeFileSync(
        bad,
        keylog.replace(/([0-9a-f])\n$/, (_m, h: string) => `${(parseInt(h, 16) ^ 1).toString(16)}\n`),
      );
      expect(tshark(cap, bad).trim()).toBe('');
    });
  }
});
