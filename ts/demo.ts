/**
 * `npm start`: the whole path in one process on 127.0.0.1, with the CLI's
 * own pieces: a throwaway CA and server certificate (openssl CLI, in a
 * temp dir removed at exit), our `s_server -www`, our websockify-style
 * `relay`, and our client reaching the server through the WebSocket
 * tunnel, as a browser would. It prints the handshake, the certificate
 * verdict and the throughput of a 64 MiB download, then OK; any failure
 * exits non-zero.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startRelay, type RunningRelay } from './relay/relay.js';
import { dial, type Dialed } from './cli/s_client.js';
import { startServer, type RunningServer } from './cli/s_server.js';
import { describeError, oneline, chainOf } from './cli/common.js';
import { CliError } from './cli/args.js';
import { digest } from './core/hash.js';
import { init } from './core/loader.js';

const BULK = 64 << 20;
const DEADLINE_MS = 55_000;

const out = (label: string, text: string): void => {
  process.stdout.write(`  ${label.padEnd(12)}${text}\n`);
};

/** A CA and a localhost certificate it issued, both P-256 (openssl CLI). */
function makePki(dir: string): { caPem: string; chainPem: string; keyPem: string } {
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
    '1',
    '-subj',
    '/CN=wasmtls demo CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign',
  );
  ossl('req', ...ec, '-keyout', f('server.key'), '-out', f('server.csr'), '-subj', '/CN=localhost');
  writeFileSync(
    f('server.ext'),
    'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n' +
      'keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n',
  );
  ossl(
    'x509',
    '-req',
    '-in',
    f('server.csr'),
    '-CA',
    f('ca.crt'),
    '-CAkey',
    f('ca.key'),
    '-CAcreateserial',
    '-days',
    '1',
    '-extfile',
    f('server.ext'),
    '-out',
    f('server.crt'),
  );
  const caPem = readFileSync(f('ca.crt'), 'utf8');
  return { caPem, chainPem: readFileSync(f('server.crt'), 'utf8') + caPem, keyPem: readFileSync(f('server.key'), 'utf8') };
}

/** Read an HTTP/1.0 response: the status line, Content-Length, and the
 * body's byte count (not kept: 64 MiB only pass through). */
async function fetchCount(d: Dialed, path: string): Promise<{ status: string; length: number; got: number; body: string }> {
  const w = d.tls.writable.getWriter();
  await w.write(new TextEncoder().encode(`GET ${path} HTTP/1.0\r\nHost: localhost\r\n\r\n`));
  // Half-close: our close_notify says the request is complete; the
  // response still flows (RFC 8446 6.1).
  await w.close();
  let head: string | undefined;
  let pending = '';
  let got = 0;
  let body = '';
  // windows-1252 ('latin1' in WHATWG): one character per byte, so string
  // lengths count bytes.
  const td = new TextDecoder('latin1');
  const reader = d.tls.readable.getReader();
  for (let r = await reader.read(); !r.done; r = await reader.read()) {
    const chunk = r.value;
    if (head !== undefined) {
      got += chunk.length;
      if (body.length < 4096) body += td.decode(chunk.subarray(0, 4096 - body.length));
      continue;
    }
    pending += td.decode(chunk);
    const i = pending.indexOf('\r\n\r\n');
    if (i >= 0) {
      head = pending.slice(0, i + 4);
      got += pending.length - head.length;
      body = pending.slice(i + 4, i + 4 + 4096);
    }
  }
  head ??= pending;
  const status = head.split('\r\n', 1)[0];
  const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? NaN);
  return { status, length, got, body };
}

async function main(): Promise<void> {
  console.log(`wasmtls demo: TLS 1.3 in WebAssembly, through a WebSocket tunnel (Node ${process.version})`);
  const t0 = performance.now();
  const w = await init();
  const file = fileURLToPath(new URL(w.simd ? './wasmtls.wasm' : './wasmtls-scalar.wasm', import.meta.url));
  const sha = Buffer.from(digest('SHA-256', new TextEncoder().encode('abc'))).toString('hex');
  if (sha !== 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad') throw new CliError('SHA-256 self-check failed');
  out('wasm', `${file.split('/').pop()} loaded in ${(performance.now() - t0).toFixed(0)} ms, SHA-256("abc") ok`);

  const dir = mkdtempSync(join(tmpdir(), 'wasmtls-demo-'));
  // Also on the deadline's process.exit, which skips finally.
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  let server: RunningServer | undefined;
  let relay: RunningRelay | undefined;
  try {
    const pki = makePki(dir);
    out('PKI', 'throwaway CA "wasmtls demo CA" -> server certificate for localhost (openssl, P-256)');
    server = await startServer({ host: '127.0.0.1', port: 0, cert: pki.chainPem, key: pki.keyPem, alpn: ['http/1.1'], mode: 'www' });
    // The relay reaches this one server and nothing else.
    relay = await startRelay({ host: '127.0.0.1', port: 0, allow: [`127.0.0.1:${server.port}`] });
    const url = `${relay.url}/127.0.0.1:${server.port}`;
    out('server', `wasmtls s_server -www on 127.0.0.1:${server.port}; relay ${relay.url} (WebSocket -> TCP)`);

    const connectOpts = {
      host: '127.0.0.1',
      port: server.port,
      servername: 'localhost',
      alpn: ['http/1.1'],
      ca: pki.caPem,
      tunnel: url,
    };
    const first = await dial(connectOpts);
    const i = first.info;
    out('tunnel', `${url} (WebSocket open in ${first.connectMs.toFixed(1)} ms)`);
    out(
      'handshake',
      `${i.version} ${i.cipher} ${i.group} ${i.signatureScheme}, ALPN ${i.alpnProtocol || 'none'}, ` + `${first.handshakeMs.toFixed(1)} ms`,
    );
    const path = chainOf(i.peerCertificate)
      .map((c) => oneline(c.subject))
      .join(' <- ');
    if (!i.authorized) throw new CliError(`certificate NOT verified: ${i.authorizationError}`);
    out('certificate', `verified for localhost: ${path}`);
    const page = await fetchCount(first, '/');
    const seen = /Ciphersuite: (\S+)/.exec(page.body)?.[1];
    if (!page.status.startsWith('HTTP/1.0 200') || seen !== i.cipher) throw new CliError(`status page: ${page.status}`);
    out('server saw', `${/Protocol version: (\S+)/.exec(page.body)?.[1]} ${seen}, SNI ${/SNI: (\S+)/.exec(page.body)?.[1]} (GET /)`);
    first.context.dispose();

    const bulk = await dial(connectOpts);
    const tb = performance.now();
    const r = await fetchCount(bulk, `/bytes/${BULK}`);
    const secs = (performance.now() - tb) / 1000;
    bulk.context.dispose();
    if (r.length !== BULK || r.got !== BULK) throw new CliError(`GET /bytes/${BULK}: ${r.status}, got ${r.got} of ${r.length} bytes`);
    out(
      'bulk',
      `GET /bytes/${BULK}: ${BULK >> 20} MiB in ${secs.toFixed(2)} s = ${(BULK / 1e6 / secs).toFixed(0)} MB/s ` +
        '(ws -> relay -> TLS server)',
    );
    console.log(`OK: TLS 1.3 handshake, chain verified, ${BULK >> 20} MiB through the tunnel, closed with close_notify`);
  } finally {
    await relay?.close();
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const guard = setTimeout(() => {
  console.error(`demo: FAILED: not done after ${DEADLINE_MS / 1000} s`);
  process.exit(1);
}, DEADLINE_MS);
guard.unref();
main().then(
  () => process.exit(0),
  (e) => {
    console.error(`demo: FAILED: ${e instanceof CliError ? [...e.before, e.message].join('\n') : describeError(e)}`);
    process.exit(1);
  },
);
