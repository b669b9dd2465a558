/**
 * The browser demo's page script (bundled by build.sh into
 * dist/demo-browser/app.js): on Fetch, open a WebSocket to the demo's relay
 * (`/relay/<host>:<port>`), run TLS 1.3 over it with wasmtls, send one
 * HTTP/1.1 GET and show what was negotiated and what came back.
 *
 * "Run fetch() and WebSocket" does the same through `wasmtls/fetch` (a GET
 * of the demo origin's /hello: status, protocol, body SHA-256) and
 * `wasmtls/websocket` (one message to the origin's wss:// echo and back),
 * each connection a WebSocket to the same relay.
 *
 * Served by ts/demo-browser.ts, which also serves the wasm beside this
 * file (init() looks there), the demo CA at /demo-ca.pem and the Mozilla
 * roots module at /roots.js.
 * @module
 */
import { connect, TLSError, type TLSInfo } from '../../ts/api/tls.js';
import type { Transport } from '../../ts/adapters/types.js';
import { fromWebSocket } from '../../ts/adapters/websocket.js';
import { ALERT } from '../../ts/core/errors.js';
import { init } from '../../ts/core/loader.js';
import type { PeerCertificate } from '../../ts/core/x509.js';
import { createFetch } from '../../ts/http/fetch.js';
import { createWebSocket } from '../../ts/http/websocket.js';

/** Body bytes shown (and read: we stop there). */
const BODY_LIMIT = 64 * 1024;
/** A response whose header block exceeds this is not one we show. */
const HEADER_LIMIT = 64 * 1024;

const $ = <T extends HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`demo page: no #${id}`);
  return el as T;
};
const form = $<HTMLFormElement>('form');
const targetIn = $<HTMLInputElement>('target');
const pathIn = $<HTMLInputElement>('path');
const nameIn = $<HTMLInputElement>('servername');
const mozillaIn = $<HTMLInputElement>('mozilla');
const button = $<HTMLButtonElement>('fetch');
const statusEl = $('status');

const ALERT_NAMES = new Map<number, string>(Object.entries(ALERT).map(([k, v]) => [v, k]));

// ---- trust anchors ---------------------------------------------------------------

let demoCa: Promise<string> | undefined;
let mozilla: Promise<{ pem: string; count: number }> | undefined;

/** PEM text of the anchors: the demo's CA, plus Mozilla's when asked;
 * and a line saying which. */
async function anchors(withMozilla: boolean): Promise<{ pem: string; label: string }> {
  demoCa ??= fetch('demo-ca.pem').then((r) => {
    if (!r.ok) throw new Error(`demo-ca.pem: HTTP ${r.status}`);
    return r.text();
  });
  demoCa.catch(() => (demoCa = undefined));
  const pem = await demoCa;
  if (withMozilla) {
    // Optional module (~220 KB): loaded only when asked for, and not
    // bundled (a computed specifier esbuild leaves alone).
    const url = new URL('./roots.js', import.meta.url).href;
    mozilla ??= (import(/* @vite-ignore */ url) as Promise<{ rootCertificates: readonly string[] }>).then((m) => ({
      pem: m.rootCertificates.join('\n'),
      count: m.rootCertificates.length,
    }));
    mozilla.catch(() => (mozilla = undefined));
    const m = await mozilla;
    return { pem: `${pem}\n${m.pem}`, label: `the demo CA and ${m.count} Mozilla roots` };
  }
  return { pem, label: 'the demo CA' };
}

// ---- input ---------------------------------------------------------------------------

interface Target {
  host: string;
  port: number;
  hostPort: string;
}

function parseTarget(text: string): Target {
  const m = /^\s*(\[[0-9A-Fa-f:.]+\]|[^\s[\]:/]+)(?::(\d{1,5}))?\s*$/.exec(text);
  if (!m) throw new InputError('Host:port must look like example.com:443 (IPv6 in brackets).');
  const port = m[2] === undefined ? 443 : Number(m[2]);
  if (port < 1 || port > 65535) throw new InputError('The port must be 1..65535.');
  const host = m[1].startsWith('[') ? m[1].slice(1, -1) : m[1];
  return { host, port, hostPort: `${m[1]}:${port}` };
}

function checkPath(path: string): string {
  if (!path.startsWith('/')) throw new InputError('The path must start with "/".');
  // A space or line break would end the request line early or inject headers.
  if (/[\s\x00-\x1f\x7f]/.test(path)) throw new InputError('The path must not contain spaces or control characters (use %20).');
  return path;
}

class InputError extends Error {}

// ---- HTTP ---------------------------------------------------------------------------

interface HttpResult {
  statusLine: string;
  headers: string[];
  body: Uint8Array;
  /** Plaintext bytes received (headers and body as sent). */
  received: number;
  /** Body bytes received (decoded when chunked); `body` is the first
   * BODY_LIMIT of them. */
  bodyLength: number;
  /** The body ended (end of stream or Content-Length reached); false when
   * we stopped reading first. */
  complete: boolean;
  /** Why the stream ended early, if it did (after data). */
  late?: unknown;
}

function indexOfCrlfCrlf(b: Uint8Array, from: number): number {
  for (let i = Math.max(0, from); i + 3 < b.length; i++) {
    if (b[i] === 13 && b[i + 1] === 10 && b[i + 2] === 13 && b[i + 3] === 10) return i;
  }
  return -1;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const r = new Uint8Array(a.length + b.length);
  r.set(a);
  r.set(b, a.length);
  return r;
}

/** Decode a chunked body as far as it goes (a cut body decodes partly). */
function dechunk(b: Uint8Array): Uint8Array {
  const out: Uint8Array[] = [];
  let i = 0;
  const latin1 = new TextDecoder('latin1');
  while (i < b.length) {
    let eol = -1;
    for (let j = i; j + 1 < b.length; j++)
      if (b[j] === 13 && b[j + 1] === 10) {
        eol = j;
        break;
      }
    if (eol < 0) break;
    const size = parseInt(latin1.decode(b.subarray(i, eol)).split(';')[0].trim(), 16);
    if (!Number.isFinite(size) || size === 0) break;
    out.push(b.subarray(eol + 2, Math.min(b.length, eol + 2 + size)));
    i = eol + 2 + size + 2;
  }
  return out.reduce(concat, new Uint8Array(0));
}

/** Read one response: the header block whole, the body up to BODY_LIMIT
 * (or Content-Length), then stop. */
async function readResponse(readable: ReadableStream<Uint8Array>): Promise<HttpResult> {
  const reader = readable.getReader();
  let buf: Uint8Array = new Uint8Array(0);
  let headEnd = -1;
  let received = 0;
  let bodyWanted = Infinity;
  let chunked = false;
  let late: unknown;
  let done = false;
  try {
    for (;;) {
      let r: ReadableStreamReadResult<Uint8Array>;
      try {
        r = await reader.read();
      } catch (e) {
        // Data first, then the error (a missing close_notify, a reset):
        // worth showing both.
        if (headEnd < 0 && buf.length === 0) throw e;
        late = e;
        done = true;
        break;
      }
      if (r.done) {
        done = true;
        break;
      }
      received += r.value.length;
      buf = concat(buf, r.value);
      if (headEnd < 0) {
        headEnd = indexOfCrlfCrlf(buf, buf.length - r.value.length - 3);
        if (headEnd < 0) {
          if (buf.length > HEADER_LIMIT) throw new Error(`no end of the HTTP header block in the first ${HEADER_LIMIT} bytes`);
          continue;
        }
        const head = new TextDecoder('latin1').decode(buf.subarray(0, headEnd));
        const cl = /^content-length:\s*(\d+)\s*$/im.exec(head);
        chunked = /^transfer-encoding:.*\bchunked\b/im.test(head);
        if (cl && !chunked) bodyWanted = Number(cl[1]);
        if (/^HTTP\/\d\.\d (1\d\d|204|304)\b/.test(head)) bodyWanted = 0;
      }
      const bodyHave = buf.length - (headEnd + 4);
      // Chunk framing is included in the raw count: keep a little slack.
      if (bodyHave >= Math.min(bodyWanted, chunked ? BODY_LIMIT + 4096 : BODY_LIMIT)) break;
    }
  } finally {
    if (!done) await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
  if (headEnd < 0) throw new Error(`the server closed after ${received} bytes, before a complete HTTP header block`);
  const lines = new TextDecoder('latin1').decode(buf.subarray(0, headEnd)).split('\r\n');
  let body = buf.subarray(headEnd + 4);
  if (chunked) body = dechunk(body);
  // Complete: the stream ended, or Content-Length bytes arrived.
  const complete = done || body.length >= bodyWanted;
  return {
    statusLine: lines[0],
    headers: lines.slice(1),
    body: body.subarray(0, BODY_LIMIT),
    bodyLength: body.length,
    received,
    complete,
    late,
  };
}

// ---- output -------------------------------------------------------------------------

function row(dl: HTMLElement, term: string, value: string | Node, cls?: string): void {
  const dt = document.createElement('dt');
  dt.textContent = term;
  const dd = document.createElement('dd');
  if (typeof value === 'string') dd.textContent = value;
  else dd.append(value);
  if (cls) dd.className = cls;
  dl.append(dt, dd);
}

function nameText(n: PeerCertificate['subject']): string {
  return Object.entries(n)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : v}`)
    .join(', ');
}

function showHandshake(info: TLSInfo, ms: number, servername: string, trusted: string): void {
  const dl = $('handshake-details');
  dl.replaceChildren();
  const verdict = document.createElement('span');
  verdict.id = 'verdict';
  verdict.className = `verdict ${info.authorized ? 'ok' : 'bad'}`;
  verdict.textContent = info.authorized
    ? `authorized: the chain leads to a trusted root and names ${servername}`
    : `NOT authorized: ${info.authorizationError ?? 'unknown reason'}`;
  row(dl, 'Verification', verdict);
  row(dl, 'Trust anchors', trusted);
  row(dl, 'Version', info.version);
  row(dl, 'Cipher suite', info.cipher);
  row(dl, 'Key exchange group', info.group ?? '(none: resumed)');
  row(dl, 'Signature scheme', info.signatureScheme ?? '(none)');
  row(dl, 'ALPN', info.alpnProtocol === false ? '(none negotiated)' : info.alpnProtocol);
  row(dl, 'Handshake', `${ms.toFixed(0)} ms (WebSocket, relay's TCP connect and TLS)`);
  const c = info.peerCertificate;
  if (c) {
    row(dl, 'Certificate subject', nameText(c.subject));
    row(dl, 'Issuer', nameText(c.issuer));
    if (c.subjectaltname) row(dl, 'Subject alt names', c.subjectaltname);
    row(dl, 'Valid', `${c.valid_from} to ${c.valid_to}`);
    row(dl, 'SHA-256 fingerprint', c.fingerprint256);
    row(dl, 'Chain sent', `${info.peerCertificates.length} certificate(s)`);
  }
  $('handshake').hidden = false;
}

function showResponse(r: HttpResult, ms: number, wire: number): void {
  $('status-line').textContent = r.statusLine;
  $('headers').textContent = r.headers.join('\n');
  const text = new TextDecoder('utf-8').decode(r.body);
  const n = (x: number) => x.toLocaleString('en');
  $('body').textContent =
    text +
    (!r.complete
      ? `\n[... stopped reading after the first ${n(r.body.length)} bytes of the body]`
      : r.bodyLength > r.body.length
        ? `\n[... the first ${n(r.body.length)} of ${n(r.bodyLength)} bytes of the body shown]`
        : '');
  const late = r.late === undefined ? '' : ` The stream then ended with an error: ${describe(r.late).message}`;
  $('response-meta').textContent =
    `${r.received.toLocaleString('en')} bytes of HTTP received (${wire.toLocaleString('en')} bytes from the relay, handshake included) ` +
    `in ${ms.toFixed(0)} ms after the handshake.${late}`;
  $('response').hidden = false;
}

function describe(e: unknown): { message: string; rows: [string, string][] } {
  if (e instanceof TLSError) {
    const rows: [string, string][] = [
      ['Error', e.message],
      ['Code', `${e.code} (engine 0x${e.engineCode.toString(16)})`],
      ['Reason', e.reason],
    ];
    if (e.alert !== undefined) {
      rows.push([
        'Alert',
        `${ALERT_NAMES.get(e.alert) ?? 'unknown'} (${e.alert}), ${e.alertDirection} ${e.alertDirection === 'sent' ? 'to' : 'from'} the server`,
      ]);
    }
    return { message: e.message, rows };
  }
  const msg = e instanceof Error ? e.message : String(e);
  return { message: msg, rows: [['Error', msg]] };
}

function showError(e: unknown): void {
  const { rows } = describe(e);
  const dl = $('error-details');
  dl.replaceChildren();
  for (const [k, v] of rows) row(dl, k, v);
  $('error').hidden = false;
  setStatus(`Failed: ${rows[0][1]}`, true);
}

function setStatus(text: string, error = false): void {
  statusEl.textContent = text;
  statusEl.className = error ? 'error' : '';
}

// ---- the fetch ------------------------------------------------------------------------

async function run(): Promise<void> {
  // Nothing of the previous fetch stays, hidden or not.
  for (const id of ['error', 'handshake', 'response']) $(id).hidden = true;
  for (const id of ['error-details', 'handshake-details', 'status-line', 'response-meta', 'headers', 'body']) {
    $(id).replaceChildren();
  }
  let target: Target;
  let path: string;
  try {
    target = parseTarget(targetIn.value);
    path = checkPath(pathIn.value.trim());
  } catch (e) {
    showError(e);
    return;
  }
  const servername = nameIn.value.trim() || target.host;
  setStatus(`Connecting to ${target.hostPort} through the relay ...`);
  await init();
  const ca = await anchors(mozillaIn.checked);

  const relayUrl = new URL(`relay/${target.hostPort}`, location.href);
  relayUrl.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const transport = fromWebSocket(new WebSocket(relayUrl.href));
  // Count the TLS bytes arriving, to show next to the plaintext count.
  let wire = 0;
  const counted = {
    readable: transport.readable.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, c) {
          wire += chunk.byteLength;
          c.enqueue(chunk);
        },
      }),
    ),
    writable: transport.writable,
    close: () => transport.close(),
  };

  const t0 = performance.now();
  // rejectUnauthorized: false lets the handshake finish so the page can
  // show the certificate and why it failed, as a browser's warning page
  // does; the request is then not sent: nothing goes to an unverified peer.
  const tls = connect({
    transport: counted,
    servername,
    ca: ca.pem,
    ALPNProtocols: ['http/1.1'],
    rejectUnauthorized: false,
  });
  try {
    const info = await tls.opened;
    const hsMs = performance.now() - t0;
    showHandshake(info, hsMs, servername, ca.label);
    if (!info.authorized) {
      setStatus(`Certificate verification failed (${info.authorizationError ?? 'unknown'}): the request was not sent.`, true);
      return;
    }
    setStatus(`Handshake done in ${hsMs.toFixed(0)} ms; GET ${path} ...`);
    const hostHeader = target.port === 443 ? target.hostPort.replace(/:443$/, '') : target.hostPort;
    const request = `GET ${path} HTTP/1.1\r\nHost: ${hostHeader}\r\nUser-Agent: wasmtls-demo\r\nAccept: */*\r\nConnection: close\r\n\r\n`;
    const t1 = performance.now();
    const writer = tls.writable.getWriter();
    await writer.write(new TextEncoder().encode(request));
    writer.releaseLock();
    const res = await readResponse(tls.readable);
    const ms = performance.now() - t1;
    showResponse(res, ms, wire);
    setStatus(`Done: ${res.statusLine} in ${(performance.now() - t0).toFixed(0)} ms in all.`);
  } finally {
    await tls.close();
  }
}

// ---- fetch() and WebSocket ----------------------------------------------------------

const runHttp = $<HTMLButtonElement>('run-http');
/** The demo origin (host:port) and its echo path, from demo-config.json. */
let demoOrigin = '';
let echoPath = '/echo';

/** Every connection of wasmtls/fetch and wasmtls/websocket: a WebSocket
 * to this page's relay, as the form's fetch uses. */
function relayConnect(host: string, port: number): Transport {
  const u = new URL(`relay/${host.includes(':') ? `[${host}]` : host}:${port}`, location.href);
  u.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return fromWebSocket(new WebSocket(u.href));
}

function showRows(id: string, rows: [string, string, string?][]): void {
  const dl = $(id);
  dl.replaceChildren();
  for (const [term, value, key] of rows) {
    row(dl, term, value);
    if (key) (dl.lastElementChild as HTMLElement).id = key;
  }
}

const hex = (b: ArrayBuffer): string => [...new Uint8Array(b)].map((x) => x.toString(16).padStart(2, '0')).join('');

async function demoFetch(ca: string): Promise<void> {
  const f = createFetch({ connect: relayConnect, ca });
  try {
    const url = `https://${demoOrigin}/hello`;
    const t0 = performance.now();
    const res = await f(url);
    const body = new Uint8Array(await res.arrayBuffer());
    const ms = performance.now() - t0;
    showRows('fetch-result', [
      ['Request', `GET ${url}`],
      ['Status', `${res.status} ${res.statusText}`.trim(), 'fetch-status'],
      // The origin says which protocol it served (x-http-version).
      ['Protocol', `HTTP/${res.headers.get('x-http-version') ?? '?'}`, 'fetch-protocol'],
      ['Body', `${body.length} bytes`, 'fetch-length'],
      ['Body SHA-256', hex(await crypto.subtle.digest('SHA-256', body)), 'fetch-sha256'],
      ['Time', `${ms.toFixed(0)} ms (relay, TLS handshake, request and body)`],
    ]);
  } catch (e) {
    showRows('fetch-result', [['Error', describe(e).message, 'fetch-error']]);
  } finally {
    await f.close();
  }
}

async function demoWebSocket(ca: string): Promise<void> {
  const WS = createWebSocket({ connect: relayConnect, ca });
  const url = `wss://${demoOrigin}${echoPath}`;
  const sent = `hello through wasmtls/websocket ${crypto.randomUUID()}`;
  const t0 = performance.now();
  let result: { received: string; close: string };
  try {
    result = await echoOnce(new WS(url), sent);
  } catch (e) {
    showRows('ws-result', [['Error', describe(e).message, 'ws-error']]);
    return;
  }
  showRows('ws-result', [
    ['URL', url],
    ['Sent', sent, 'ws-sent'],
    ['Received', result.received, 'ws-received'],
    ['Echoed intact', result.received === sent ? 'yes' : 'NO', 'ws-match'],
    ['Closed', result.close, 'ws-close'],
    ['Time', `${(performance.now() - t0).toFixed(0)} ms (relay, TLS handshake, upgrade, message both ways, close)`],
  ]);
}

/** Send `sent`, wait for the echo, close; settles on every path (the
 * close event always comes, after an error too). */
function echoOnce(ws: InstanceType<ReturnType<typeof createWebSocket>>, sent: string): Promise<{ received: string; close: string }> {
  return new Promise<{ received: string; close: string }>((resolve, reject) => {
    let received = '';
    ws.onopen = () => ws.send(sent);
    ws.onmessage = (ev) => {
      received = String((ev as MessageEvent).data);
      ws.close(1000, 'done');
    };
    ws.onclose = (ev) => {
      const c = ev as CloseEvent;
      const close = `${c.wasClean ? 'closed cleanly' : 'closed NOT cleanly'} (${c.code}${c.reason ? ` ${c.reason}` : ''})`;
      if (!received) reject(ws.error ?? new Error(`the WebSocket ${close} before the echo came back`));
      else resolve({ received, close });
    };
  });
}

runHttp.addEventListener('click', () => {
  if (runHttp.disabled) return;
  runHttp.disabled = true;
  delete document.body.dataset.httpDone;
  for (const id of ['fetch-result', 'ws-result']) $(id).replaceChildren();
  (async () => {
    await init();
    const { pem } = await anchors(false);
    // One after the other; each shows its own result or error.
    await demoFetch(pem);
    await demoWebSocket(pem);
  })()
    .catch((e) => showRows('fetch-result', [['Error', describe(e).message, 'fetch-error']]))
    .finally(() => {
      runHttp.disabled = false;
      document.body.dataset.httpDone = '1';
    });
});

async function prefill(): Promise<void> {
  try {
    const r = await fetch('demo-config.json');
    const cfg = (await r.json()) as { origin: string; path: string; echo?: string };
    demoOrigin = cfg.origin;
    if (cfg.echo) echoPath = cfg.echo;
    if (!targetIn.value) targetIn.value = cfg.origin;
    if (pathIn.value === '/') pathIn.value = cfg.path;
  } catch {
    /* the form still works; it is just not prefilled */
  }
  button.disabled = false;
  document.body.dataset.ready = '1';
}

form.addEventListener('submit', (ev) => {
  ev.preventDefault();
  if (button.disabled) return;
  button.disabled = true;
  delete document.body.dataset.done;
  run()
    .catch(showError)
    .finally(() => {
      button.disabled = false;
      // A hook for the test (and anyone scripting the page).
      document.body.dataset.done = '1';
    });
});

button.disabled = true;
void prefill();
