/**
 * `npm run demo:browser`: a local page where a person types host:port and a
 * path and sees the response fetched by wasmtls in the browser, the TLS
 * bytes tunnelled through a websockify-style relay served by this process.
 *
 * One process on 127.0.0.1 serves:
 *  - the page: dist/demo-browser/{index.html,app.js}, the wasm builds and
 *    the optional Mozilla root store module (dist/roots.js);
 *  - `ws://<same origin>/relay/<host>:<port>`: each WebSocket is piped to
 *    one TCP connection, raw bytes in binary messages both ways;
 *  - a local HTTPS origin (node:https) with a throwaway CA and localhost
 *    certificate made by the `openssl` CLI, so the demo works with no other
 *    setup; the page gets that CA at /demo-ca.pem. The origin also answers
 *    `wss://localhost:<port>/echo`, a WebSocket echo (npm `ws`), for the
 *    page's wasmtls/websocket.
 *
 *   node dist/demo-browser.js [--port N]      (or PORT=N; default 8080)
 *
 * Bundled by build.sh (esbuild, platform node) with `ws` inside.
 * @module
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { connect as tcpConnect, isIP, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Duplex } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { WebSocketServer, type WebSocket } from 'ws';
import { pipeTunnel } from './relay/tunnel.js';

const HOST = '127.0.0.1';
// Each direction of a tunnel stops reading its source while this many
// bytes wait to be written to the other side.
const HIGH_WATER = 1 << 20;
const MAX_TUNNELS = 32;
// The page's adapter sends messages of at most 64 KiB; anything far bigger
// is not a tunnel client of ours.
const MAX_MESSAGE = 1 << 20;
/** What the demo origin answers at /hello; the test looks for it. */
const HELLO_BODY = 'Hello from the wasmtls demo origin: this text came through TLS 1.3 in WebAssembly.\n';

// ---- options ---------------------------------------------------------------------

function parsePort(): number {
  const args = process.argv.slice(2);
  let raw: string | undefined = process.env.PORT;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--port') raw = args[++i];
    else if (a.startsWith('--port=')) raw = a.slice(7);
    else if (a === '--help' || a === '-h') {
      console.log('usage: node dist/demo-browser.js [--port N]   (or PORT=N; default 8080, 0 = any free port)');
      process.exit(0);
    } else {
      console.error(`demo-browser: unknown argument ${a}`);
      process.exit(2);
    }
  }
  if (raw === undefined || raw === '') return 8080;
  if (!/^\d{1,5}$/.test(raw) || Number(raw) > 65535) {
    console.error(`demo-browser: bad port ${JSON.stringify(raw)}`);
    process.exit(2);
  }
  return Number(raw);
}

// ---- the demo origin's certificates ------------------------------------------------------

interface DemoPki {
  caPem: string;
  certPem: string;
  keyPem: string;
}

/** A CA and a localhost certificate (P-256, 2 days), made by openssl in a
 * temporary directory that is removed as soon as the PEM is read: the keys
 * live in this process only and nothing is left behind, even on a crash. */
function makeDemoPki(): DemoPki {
  const dir = mkdtempSync(join(tmpdir(), 'wasmtls-demo-'));
  try {
    const f = (n: string) => join(dir, n);
    const ossl = (...a: string[]) => execFileSync('openssl', a, { stdio: ['ignore', 'ignore', 'pipe'] });
    const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
    ossl(
      'req',
      '-x509',
      ...ec,
      '-keyout',
      f('ca.key'),
      '-out',
      f('ca.crt'),
      '-days',
      '2',
      '-subj',
      '/CN=wasmtls demo CA (throwaway)',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign',
    );
    ossl('req', ...ec, '-keyout', f('leaf.key'), '-out', f('leaf.csr'), '-subj', '/CN=localhost');
    writeFileSync(
      f('leaf.ext'),
      'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n' +
        'keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n',
    );
    ossl(
      'x509',
      '-req',
      '-in',
      f('leaf.csr'),
      '-CA',
      f('ca.crt'),
      '-CAkey',
      f('ca.key'),
      '-CAcreateserial',
      '-days',
      '2',
      '-extfile',
      f('leaf.ext'),
      '-out',
      f('leaf.crt'),
    );
    const pem = (n: string) => readFileSync(f(n), 'utf8');
    const caPem = pem('ca.crt');
    return { caPem, certPem: pem('leaf.crt') + caPem, keyPem: pem('leaf.key') };
  } catch (e) {
    const err = e as { stderr?: Buffer; code?: string };
    if (err.code === 'ENOENT') throw new Error('demo-browser: the `openssl` command is needed to make the demo certificates');
    throw new Error(`demo-browser: openssl failed: ${err.stderr?.toString().trim() ?? String(e)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---- the relay ---------------------------------------------------------------------------

const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?(\.[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*\.?$/;

/** `/relay/<host>:<port>` → the target, or why not. Hosts are DNS names or
 * IP literals (IPv6 in brackets); ports are decimal 1..65535. Any host the
 * user's machine reaches is allowed: the relay answers only this page
 * (see `sameOrigin`), so it grants nothing the user did not have. */
function parseTarget(path: string): { host: string; port: number } | string {
  let rest: string;
  try {
    rest = decodeURIComponent(path.slice('/relay/'.length));
  } catch {
    return 'bad escape in the path';
  }
  const m = /^(\[[0-9A-Fa-f:.]+\]|[^[\]:/]+):([^:/]*)$/.exec(rest);
  if (!m) return 'the path must be /relay/<host>:<port>';
  const [, h, p] = m;
  if (!/^\d{1,5}$/.test(p) || Number(p) < 1 || Number(p) > 65535) return `bad port ${JSON.stringify(p)}: 1..65535`;
  const host = h.startsWith('[') ? h.slice(1, -1) : h;
  if (h.startsWith('[') ? isIP(host) !== 6 : !(isIP(host) === 4 || HOSTNAME.test(host))) {
    return `bad host ${JSON.stringify(h)}`;
  }
  return { host, port: Number(p) };
}

/** The page's WebSocket carries our Origin; a page of any other site the
 * user visits would carry its own. Without this check such a page could
 * use the relay to reach the user's LAN. The Host check stops DNS
 * rebinding (a foreign name resolving to 127.0.0.1). */
function sameOrigin(req: IncomingMessage, port: number): boolean {
  const hosts = [`${HOST}:${port}`, `localhost:${port}`];
  const host = req.headers.host ?? '';
  return hosts.includes(host) && req.headers.origin === `http://${host}`;
}

/** Close with a reason the page can show. A close reason holds at most
 * 123 bytes (RFC 6455 5.5): printable ASCII, cut at 120. */
function closeWith(ws: WebSocket, code: number, reason: string): void {
  ws.close(code, reason.replace(/[^\x20-\x7e]/g, '?').slice(0, 120));
}

function openTunnel(ws: WebSocket, target: { host: string; port: number }, tunnels: Set<Socket>): void {
  // autoSelectFamily: "localhost" may resolve to ::1 first while a server
  // listens on 127.0.0.1 only.
  const sock = tcpConnect({ host: target.host, port: target.port, autoSelectFamily: true });
  tunnels.add(sock);
  sock.on('close', () => tunnels.delete(sock));
  // Ends as websockify maps them; an error's message reaches the page
  // ("relay: connect ECONNREFUSED ...").
  pipeTunnel(ws, sock, { highWaterMark: HIGH_WATER, errorReason: (e) => `relay: ${e.message}` });
}

// ---- the page ---------------------------------------------------------------------------

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.pem': 'application/x-pem-file',
};

function main(): void {
  const wantPort = parsePort();
  // dist/demo-browser.js: the page is in dist/demo-browser/, the wasm and
  // roots.js beside this file.
  const dist = dirname(fileURLToPath(import.meta.url));
  const files: Record<string, string> = {
    '/': join(dist, 'demo-browser', 'index.html'),
    '/app.js': join(dist, 'demo-browser', 'app.js'),
    '/wasmtls.wasm': join(dist, 'wasmtls.wasm'),
    '/wasmtls-scalar.wasm': join(dist, 'wasmtls-scalar.wasm'),
    '/roots.js': join(dist, 'roots.js'),
  };

  const pki = makeDemoPki();

  // The demo origin: what the form points at by default.
  const origin = createHttpsServer({ cert: pki.certPem, key: pki.keyPem, ALPNProtocols: ['http/1.1'] }, (req, res) => {
    const path = new URL(req.url ?? '/', 'https://x').pathname;
    if (path === '/hello') {
      // x-http-version: the protocol as the origin saw it, which the page
      // shows beside what its fetch reports.
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'x-http-version': req.httpVersion });
      res.end(HELLO_BODY);
    } else if (path === '/') {
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('wasmtls demo origin. Try /hello, or /bytes/<n> for n bytes.\n');
    } else if (/^\/bytes\/\d{1,8}$/.test(path)) {
      const n = Math.min(Number(path.slice(7)), 16 << 20);
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'content-length': n });
      res.end(Buffer.alloc(n, 'wasmtls '));
    } else {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('not found\n');
    }
  });

  // wss://localhost:<origin port>/echo: every message comes back as it
  // was sent (text as text, binary as binary).
  const echo = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE });
  echo.on('connection', (ws) => ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary })));
  origin.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (new URL(req.url ?? '/', 'https://x').pathname !== '/echo') {
      socket.end('HTTP/1.1 404 Not Found\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    echo.handleUpgrade(req, socket, head, (ws) => echo.emit('connection', ws, req));
  });

  let port = wantPort;
  const tunnels = new Set<Socket>();
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE });

  const send = (res: ServerResponse, status: number, type: string, body: string | Buffer): void => {
    res.writeHead(status, {
      'content-type': type,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      // The page needs its own scripts, wasm compilation and WebSockets to
      // itself; nothing else.
      'content-security-policy':
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; " +
        "style-src 'self' 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'",
    });
    res.end(body);
  };

  const server = createHttpServer((req, res) => {
    if (!['GET', 'HEAD'].includes(req.method ?? '')) return send(res, 405, 'text/plain', 'method not allowed\n');
    if (![`${HOST}:${port}`, `localhost:${port}`].includes(req.headers.host ?? '')) {
      return send(res, 421, 'text/plain', 'this demo answers 127.0.0.1 and localhost only\n');
    }
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/demo-ca.pem') return send(res, 200, TYPES['.pem'], pki.caPem);
    if (path === '/demo-config.json') {
      const o = origin.address() as AddressInfo;
      return send(res, 200, 'application/json', JSON.stringify({ origin: `localhost:${o.port}`, path: '/hello', echo: '/echo' }));
    }
    const file = files[path === '/index.html' ? '/' : path];
    if (!file) return send(res, 404, 'text/plain', 'not found\n');
    let body: Buffer;
    try {
      body = readFileSync(file);
    } catch {
      const hint = path === '/roots.js' ? ' (build.sh writes it: bash build.sh)' : ' (run bash build.sh)';
      return send(res, 404, 'text/plain', `${path}: not built${hint}\n`);
    }
    send(res, 200, TYPES[file.slice(file.lastIndexOf('.'))] ?? TYPES['.html'], body);
  });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (!path.startsWith('/relay/') || !sameOrigin(req, port)) {
      socket.end('HTTP/1.1 403 Forbidden\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      // Refusals travel as close reasons: the page can show them, an HTTP
      // status on the upgrade it could not.
      const target = parseTarget(path);
      if (typeof target === 'string') closeWith(ws, 1008, `relay: ${target}`);
      else if (tunnels.size >= MAX_TUNNELS) ws.close(1013, 'relay: too many tunnels');
      else openTunnel(ws, target, tunnels);
    });
  });

  origin.listen(0, HOST, () => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      console.error(
        e.code === 'EADDRINUSE' ? `demo-browser: port ${wantPort} is in use; pick another with --port N` : `demo-browser: ${e.message}`,
      );
      process.exit(1);
    });
    server.listen(wantPort, HOST, () => {
      port = (server.address() as AddressInfo).port;
      const o = origin.address() as AddressInfo;
      console.log(`wasmtls browser demo: http://${HOST}:${port}/`);
      console.log(`  relay   ws://${HOST}:${port}/relay/<host>:<port>`);
      console.log(`  origin  https://localhost:${o.port}/hello (throwaway CA at /demo-ca.pem), wss://localhost:${o.port}/echo`);
      console.log('  Ctrl-C stops it');
    });
  });

  const stop = (): void => {
    for (const s of tunnels) s.destroy();
    for (const c of wss.clients) c.terminate();
    for (const c of echo.clients) c.terminate();
    server.close();
    origin.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main();
