/**
 * RFC 8879 certificate compression against Chromium, the one real peer
 * here that takes a compressed certificate: it offers brotli (2) only.
 * Our accept() server (node:net + fromNodeSocket, a TLSContext on which
 * compressCertificate({ brotli: zlib.brotliCompressSync }) was called)
 * serves an HTTP/1.1 page; Chromium loads it. The leaf is made acceptable
 * with --ignore-certificate-errors-spki-list (its SPKI's SHA-256).
 *
 * Oracle: Chromium (BoringSSL) decompresses what we sent and checks it.
 * The negative control sends a brotli body whose uncompressed_length is
 * one short of what it decompresses to: Chromium must fail the handshake,
 * which shows it decoded and checked our bytes. With only zlib on our
 * side (Chromium does not offer zlib) the plain Certificate goes out.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { brotliCompressSync } from 'node:zlib';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromNodeSocket } from '../ts/adapters/node-socket.js';
import { accept, type TLSInfo } from '../ts/api/tls.js';
import { TLSContext } from '../ts/core/connection.js';
import { useBuild } from './helpers/env.js';
import { makePki, type Pki } from './helpers/pki.js';
import { CHROMIUM_ARGS } from './helpers/runtimes.js';

useBuild('simd');

const CHROMIUM = '/usr/bin/chromium';
const BODY = 'compressed certificate ok';

interface Served {
  server: Server;
  port: number;
  /** What each connection's handshake gave (TLSInfo) or failed with. */
  results: Promise<TLSInfo | Error>[];
}

/** Serve BODY over HTTP/1.1 with our accept() on ctx. */
async function serve(ctx: TLSContext, pki: Pki): Promise<Served> {
  const results: Promise<TLSInfo | Error>[] = [];
  const server = createServer((sock: Socket) => {
    const t = accept({ transport: fromNodeSocket(sock), context: ctx, cert: pki.serverChainPem, key: pki.serverKeyPem });
    results.push(t.opened.catch((e: unknown) => (e instanceof Error ? e : new Error(String(e)))));
    void (async () => {
      try {
        await t.opened;
        const r = t.readable.getReader();
        let req = '';
        while (!req.includes('\r\n\r\n')) {
          const { done, value } = await r.read();
          if (done) break;
          req += new TextDecoder().decode(value);
        }
        r.releaseLock();
        const w = t.writable.getWriter();
        await w.write(
          new TextEncoder().encode(
            `HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ${BODY.length}\r\nConnection: close\r\n\r\n${BODY}`,
          ),
        );
        await w.close();
      } catch {
        // The handshake or the peer failed: what opened says is asserted.
      } finally {
        void t.close().catch(() => {});
      }
    })();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as AddressInfo).port, results };
}

describe.skipIf(!existsSync(CHROMIUM))(`Chromium (${CHROMIUM}): brotli-compressed certificate`, () => {
  let browser: Browser;
  let pki: Pki;
  let spki: string;
  beforeAll(async () => {
    pki = makePki();
    const der = new X509Certificate(pki.serverChainPem).publicKey.export({ type: 'spki', format: 'der' });
    spki = createHash('sha256').update(der).digest('base64');
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [...CHROMIUM_ARGS, `--ignore-certificate-errors-spki-list=${spki}`],
    });
    console.log(`Chromium ${browser.version()}`);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });

  /** Load https://127.0.0.1:port/ in a fresh browser context: the page
   * text, or the navigation error. */
  async function load(ctx: TLSContext): Promise<{ text: string | Error; results: (TLSInfo | Error)[] }> {
    const s = await serve(ctx, pki);
    const bc = await browser.newContext();
    try {
      const page = await bc.newPage();
      let text: string | Error;
      try {
        await page.goto(`https://127.0.0.1:${s.port}/`, { timeout: 20_000 });
        text = await page.innerText('body');
      } catch (e) {
        text = e as Error;
      }
      await bc.close();
      return { text, results: await Promise.all(s.results) };
    } finally {
      await new Promise<void>((r) => s.server.close(() => r()));
    }
  }

  function context(): TLSContext {
    return new TLSContext({ cert: pki.serverChainPem, key: pki.serverKeyPem });
  }

  it('brotli via zlib.brotliCompressSync: Chromium takes the CompressedCertificate and loads the page', async () => {
    const ctx = context();
    try {
      expect(await ctx.compressCertificate({ brotli: (m) => brotliCompressSync(m) })).toEqual(['zlib', 'brotli']);
      const { text, results } = await load(ctx);
      expect(text).toBe(BODY);
      const ok = results.filter((r): r is TLSInfo => !(r instanceof Error));
      expect(ok.length).toBeGreaterThan(0);
      for (const r of ok) expect(r.certificateCompressionSent).toBe('brotli');
    } finally {
      ctx.dispose();
    }
  }, 60_000);

  it('negative control: uncompressed_length one short of what the brotli stream holds -> Chromium fails the handshake', async () => {
    const ctx = context();
    try {
      // compressCertificate announces msg.length; the stream holds one byte more.
      const brotli = (m: Uint8Array) => brotliCompressSync(Buffer.concat([m, Buffer.from([0])]));
      expect(await ctx.compressCertificate({ zlib: false, brotli })).toEqual(['brotli']);
      const { text, results } = await load(ctx);
      expect(text).toBeInstanceOf(Error);
      expect(String(text)).toMatch(/ERR_SSL_PROTOCOL_ERROR/);
      console.log(`Chromium: ${String(text).split('\n')[0]}`);
      expect(results.length).toBeGreaterThan(0);
      for (const r of results) {
        expect(r).toBeInstanceOf(Error);
        // BoringSSL's alert for a certificate it could not decompress.
        expect((r as Error).message).toMatch(/received fatal alert: decode_error/);
        console.log(`our server: ${(r as Error).message}`);
      }
    } finally {
      ctx.dispose();
    }
  }, 60_000);

  it('only zlib on our side (Chromium offers brotli only): the plain Certificate goes out', async () => {
    const ctx = context();
    try {
      expect(await ctx.compressCertificate()).toEqual(['zlib']);
      const { text, results } = await load(ctx);
      expect(text).toBe(BODY);
      const ok = results.filter((r): r is TLSInfo => !(r instanceof Error));
      expect(ok.length).toBeGreaterThan(0);
      for (const r of ok) expect(r.certificateCompressionSent).toBeUndefined();
    } finally {
      ctx.dispose();
    }
  }, 60_000);
});
