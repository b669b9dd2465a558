/**
 * `npm run demo:browser` as a person uses it: the built server
 * (dist/demo-browser.js) runs as a child process, headless Chromium opens
 * its page, fills the form, clicks Fetch and reads what the page shows. The
 * TLS runs in the page (wasm), through the demo's relay, to the demo's own
 * HTTPS origin. A screenshot of the result goes to build/demo-browser.png.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { root } from './helpers/env.js';
import { CHROMIUM_ARGS, freePort } from './helpers/runtimes.js';

const SHOT = `${root}build/demo-browser.png`;
// What the demo origin serves at /hello (ts/demo-browser.ts HELLO_BODY).
const HELLO = 'Hello from the wasmtls demo origin: this text came through TLS 1.3 in WebAssembly.';

let child: ChildProcess | undefined;
let browser: Browser | undefined;
let page: Page;
let url: string;
let log = '';

/** Start the server and wait for the line with its URL. */
async function startDemo(): Promise<string> {
  const port = await freePort();
  child = spawn(process.execPath, [`${root}dist/demo-browser.js`, '--port', String(port)], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const c = child;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`demo did not start in 10 s:\n${log}`)), 10_000);
    c.stderr!.on('data', (d) => (log += d));
    c.stdout!.on('data', (d) => {
      log += d;
      const m = /(http:\/\/127\.0\.0\.1:\d+\/)/.exec(log);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    c.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`demo exited with ${code}:\n${log}`));
    });
  });
}

/** Fill the form, click Fetch, wait until the page says it is done. */
async function fetchWith(fields: { target?: string; path: string; servername?: string }): Promise<void> {
  if (fields.target !== undefined) await page.getByLabel('Host:port').fill(fields.target);
  await page.getByLabel('Path').fill(fields.path);
  await page.getByLabel('Server name').fill(fields.servername ?? '');
  await page.evaluate(() => {
    delete document.body.dataset.done;
  });
  await page.getByRole('button', { name: 'Fetch', exact: true }).click();
  await page.waitForSelector('body[data-done="1"]', { timeout: 15_000 });
}

describe('npm run demo:browser in Chromium', () => {
  beforeAll(async () => {
    if (!existsSync(`${root}dist/demo-browser.js`)) throw new Error('dist/demo-browser.js is missing: run bash build.sh');
    // Both take seconds on a busy machine: start them together.
    const { chromium } = await import('playwright-core');
    [url, browser] = await Promise.all([startDemo(), chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS })]);
    page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    page.on('pageerror', (e) => (log += `pageerror: ${String(e)}\n`));
    page.on('console', (m) => {
      if (m.type() === 'error') log += `console: ${m.text()}\n`;
    });
    await page.goto(url);
    await page.waitForSelector('body[data-ready="1"]', { timeout: 10_000 });
  }, 30_000);

  afterAll(async () => {
    await browser?.close();
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child!.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
  });

  it('fetches the prefilled origin over TLS 1.3 and shows handshake, verdict and response', async () => {
    const target = await page.getByLabel('Host:port').inputValue();
    expect(target).toMatch(/^localhost:\d+$/);
    const t0 = Date.now();
    await fetchWith({ path: '/hello' });
    expect(await page.locator('#error').isHidden(), `${await page.locator('#error').innerText()}\n${log}`).toBe(true);
    expect(await page.locator('#response').isVisible()).toBe(true);
    const hs = await page.locator('#handshake').innerText();
    expect(hs).toContain('TLSv1.3');
    expect(hs).toMatch(/TLS_(AES_128_GCM_SHA256|AES_256_GCM_SHA384|CHACHA20_POLY1305_SHA256)/);
    expect(hs).toContain('ecdsa_secp256r1_sha256');
    expect(hs).toContain('http/1.1');
    expect(hs).toContain('CN=localhost');
    expect(hs).toContain('wasmtls demo CA');
    expect(await page.locator('#verdict').innerText()).toMatch(/^authorized/);
    expect(await page.locator('#status-line').innerText()).toMatch(/^HTTP\/1\.1 200/);
    expect(await page.locator('#headers').innerText()).toMatch(/content-type: text\/plain/i);
    expect(await page.locator('#body').innerText()).toContain(HELLO);
    expect(await page.locator('#response-meta').innerText()).toMatch(/\d+ bytes of HTTP received/);
    console.log(`demo-browser: fetch ${Date.now() - t0} ms; ${await page.locator('#status').innerText()}`);

    mkdirSync(`${root}build`, { recursive: true });
    rmSync(SHOT, { force: true });
    await page.screenshot({ path: SHOT, fullPage: true });
    const size = statSync(SHOT).size;
    console.log(`demo-browser: screenshot ${SHOT} ${size} bytes`);
    expect(size).toBeGreaterThan(10_000);
  });

  it('shows ERR_TLS_CERT_ALTNAME_INVALID for a servername the certificate does not name, and sends nothing', async () => {
    await fetchWith({ path: '/hello', servername: 'wrong.test' });
    expect(await page.locator('#handshake').isVisible()).toBe(true);
    expect(await page.locator('#verdict').innerText()).toContain('ERR_TLS_CERT_ALTNAME_INVALID');
    expect(await page.locator('#status').innerText()).toMatch(/verification failed.*not sent/i);
    expect(await page.locator('#response').isHidden()).toBe(true);
  });

  it('loads the Mozilla roots module when asked (the demo CA stays trusted)', async () => {
    await page.getByLabel(/use Mozilla roots/).check();
    await fetchWith({ path: '/hello' });
    expect(await page.locator('#handshake').innerText()).toMatch(/the demo CA and \d{2,} Mozilla roots/);
    expect(await page.locator('#verdict').innerText()).toMatch(/^authorized/);
    expect(await page.locator('#response').isVisible()).toBe(true);
    expect(await page.locator('#body').innerText()).toContain(HELLO);
    await page.getByLabel(/use Mozilla roots/).uncheck();
  });

  it('fetches /hello with wasmtls/fetch and echoes a message over wss:// with wasmtls/websocket, through the relay', async () => {
    await page.evaluate(() => {
      delete document.body.dataset.httpDone;
    });
    await page.getByRole('button', { name: 'Run fetch() and WebSocket' }).click();
    await page.waitForSelector('body[data-http-done="1"]', { timeout: 20_000 });
    const text = async (id: string) => ((await page.locator(`#${id}`).count()) ? page.locator(`#${id}`).innerText() : '');
    expect(await text('fetch-error'), log).toBe('');
    expect(await text('fetch-status')).toMatch(/^200\b/);
    expect(await text('fetch-protocol')).toBe('HTTP/1.1');
    // The oracle: Node's SHA-256 of what the origin sends.
    expect(await text('fetch-sha256')).toBe(createHash('sha256').update(`${HELLO}\n`).digest('hex'));
    expect(await text('ws-error'), log).toBe('');
    const sent = await text('ws-sent');
    expect(sent).toMatch(/^hello through wasmtls\/websocket [0-9a-f-]{36}$/);
    // The echo server (npm ws in the demo) sends back what it got.
    expect(await text('ws-received')).toBe(sent);
    expect(await text('ws-match')).toBe('yes');
    expect(await text('ws-close')).toMatch(/^closed cleanly \(1000/);
    await page.locator('#http').screenshot({ path: `${root}build/demo-browser-http.png` });
  });

  it('shows the relay refusing a non-numeric port, and an unreachable target', async () => {
    await fetchWith({ target: 'localhost:https', path: '/' });
    expect(await page.locator('#error').isVisible()).toBe(true);
    expect(await page.locator('#error').innerText()).toMatch(/Host:port must look like/);
    // The page only sends numeric ports; ask the relay directly.
    const refused = await page.evaluate(
      async () =>
        new Promise<string>((resolve) => {
          const ws = new WebSocket(new URL('relay/localhost:https', location.href).href.replace(/^http/, 'ws'));
          ws.onclose = (e) => resolve(`${e.code} ${e.reason}`);
        }),
    );
    expect(refused).toMatch(/^1008 relay: .*port/);
    const port = await freePort(); // nothing listens there
    await fetchWith({ target: `127.0.0.1:${port}`, path: '/' });
    const err = await page.locator('#error').innerText();
    expect(err).toMatch(/ECONNREFUSED/);
    console.log(`demo-browser: unreachable target shows: ${err.replace(/\s+/g, ' ')}`);
  });
});
