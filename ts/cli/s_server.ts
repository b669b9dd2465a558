/**
 * `wasmtls s_server`: a TLS 1.3 and 1.2 server on TCP with our accept(),
 * serving any number of connections at once. Two modes:
 *  - echo (default): every connection gets its own bytes back, until the
 *    client's close_notify, answered with ours. (openssl s_server instead
 *    wires its stdin/stdout to one client at a time.)
 *  - `-www`: one HTTP/1.0 request per connection, as openssl s_server
 *    -www: `GET /` gives a text page of what was negotiated, and
 *    `GET /bytes/N` streams N bytes (with Content-Length), a bulk source
 *    for throughput tests.
 *
 * One line per connection on stderr with the negotiated parameters.
 * {@link startServer} is what the demo runs in-process.
 * @module
 */
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { fromNodeSocket } from '../adapters/node-socket.js';
import { accept, type TLSInfo, type TLSSocket } from '../api/tls.js';
import { serverContext } from '../core/configure.js';
import type { CipherSuiteName, GroupName, SignatureSchemeName, TLSVersion } from '../core/codepoints.js';
import type { TLSContext } from '../core/context.js';
import { fillRandom, init, wasm } from '../core/loader.js';
import {
  cipherList,
  CliError,
  groupList,
  hostPort,
  parseFlags,
  PROTOCOL_FLAGS,
  sigalgList,
  suiteList,
  UsageError,
  versionFlags,
  type FlagTable,
} from './args.js';
import { StdinCommands } from './s_client.js';
import { describeError, keylogFile, oneline, readText, tempKey, verdict } from './common.js';

/**
 * Default for -max_conns. OpenSSL's s_server has no such cap (it serves
 * one client at a time); Node's net.Server has `maxConnections`, unset by
 * default. Here every connection costs wasm memory inside one module whose
 * memory is at most 4 GiB: an idle one ~2.4 KiB, one with bytes in flight
 * its record buffers too (125 KiB, given back when idle; bench/conns.ts
 * measures both), so 10,000 at once (1.2 GiB if all are busy at the same
 * moment) stay within that maximum.
 */
export const DEFAULT_MAX_CONNS = 10000;

/**
 * Memory kept free for the connections already served: a new one is
 * refused while less than this is left under the limit, so an
 * established connection that needs a buffer again (RELEASE_BUFFERS gives
 * idle ones back) still gets it. The larger of 1 MiB and 1/16 of the
 * limit: several record-sized buffers either way.
 */
function headroom(limit: number): number {
  return Math.max(1048576, Math.floor(limit / 16));
}

export const SERVER_FLAGS: FlagTable = {
  accept: { kind: 'string', arg: '[host:]port', help: 'where to listen (default 4433 on all interfaces; port 0: any free port)' },
  cert: { kind: 'string', arg: 'file', help: 'certificate chain, PEM, leaf first (required)' },
  key: { kind: 'string', arg: 'file', help: 'private key, PEM (default: the -cert file)' },
  alpn: { kind: 'string', arg: 'p1,p2', help: 'ALPN protocols to accept, preference order' },
  CAfile: { kind: 'string', arg: 'file', help: 'anchors for client certificates, PEM' },
  verify: { kind: 'int', arg: 'depth', help: 'ask for a client certificate (depth ignored: the validator has its own limit)' },
  Verify: { kind: 'int', arg: 'depth', help: 'require a valid client certificate' },
  keylogfile: { kind: 'string', arg: 'file', help: 'append the TLS secrets (SSLKEYLOGFILE format)' },
  www: { kind: 'bool', help: 'answer one HTTP GET per connection: / a status page, /bytes/N N bytes' },
  naccept: { kind: 'int', arg: 'n', help: 'exit after n connections have ended' },
  handshake_timeout: {
    kind: 'int',
    arg: 'ms',
    help: 'close a connection whose handshake has not finished after ms milliseconds (default 120000, as Node; 0: never)',
  },
  idle_timeout: {
    kind: 'int',
    arg: 'ms',
    help: 'close an established connection after ms milliseconds with no bytes either way (default 0: never)',
  },
  max_conns: {
    kind: 'int',
    arg: 'n',
    help: `serve at most n connections at once; more are closed at once and logged (default ${DEFAULT_MAX_CONNS}; 0: no cap)`,
  },
  max_memory: {
    kind: 'int',
    arg: 'MiB',
    help: "the module's memory limit (default 4096, the wasm32 maximum); a connection that cannot get memory is refused",
  },
  no_release_buffers: {
    kind: 'bool',
    help: "keep each connection's record buffers while it is idle (default: given back, SSL_MODE_RELEASE_BUFFERS)",
  },
  brief: { kind: 'bool', help: 'one line per connection (the default)' },
  quiet: { kind: 'bool', help: 'no per-connection lines' },
  groups: { kind: 'string', arg: 'g1:g2', help: 'key exchange groups, preference order (X25519, P-256, P-384, X25519MLKEM768)' },
  ...PROTOCOL_FLAGS,
  sigalgs: { kind: 'string', arg: 'a1:a2', help: 'signature algorithms accepted (ECDSA+SHA256, rsa_pss_rsae_sha256, ed25519, ...)' },
};

export interface ServerOptions {
  /** Default: all interfaces (as openssl s_server). */
  host?: string;
  port: number;
  cert: string;
  key: string;
  alpn?: string[];
  /** Client certificates: ask (`'request'`) or insist (`'require'`); needs `ca`. */
  clientCert?: 'request' | 'require';
  ca?: string;
  keylog?: (line: string) => void;
  /** Preference lists, our names (see args.ts groupList, ...). */
  groups?: string[];
  suites?: CipherSuiteName[];
  /** TLS 1.2 suites, an OpenSSL cipher list (see args.ts cipherList). */
  ciphers?: string;
  /** The version range (undefined: TLS 1.2 to 1.3). */
  minVersion?: TLSVersion;
  maxVersion?: TLSVersion;
  sigalgs?: string[];
  mode: 'echo' | 'www';
  /** Per-connection lines (default: none). */
  log?: (line: string) => void;
  /** Called when `naccept` connections have ended. */
  naccept?: number;
  /** accept()'s `handshakeTimeout` (default its own, 120 s; 0 disables):
   * a client that connects and sends nothing must not hold a connection
   * for ever. */
  handshakeTimeout?: number;
  /** accept()'s `idleTimeout` (default none). */
  idleTimeout?: number;
  /** Connections served at once (default {@link DEFAULT_MAX_CONNS}; 0: no
   * cap): one more is closed as it arrives, with a log line. */
  maxConns?: number;
  /** LoadOptions.maxMemory for the module, in bytes, when this call loads
   * it (the CLI's case; an already loaded module keeps its limit). */
  maxMemory?: number;
  /** accept()'s `releaseBuffers` (default true). */
  releaseBuffers?: boolean;
  onDone?: () => void;
}

export interface RunningServer {
  host: string;
  port: number;
  /** Connections open now. */
  readonly active: number;
  /** Send a KeyUpdate (RFC 8446 4.6.3) on every established connection,
   * asking the peer to update too with `requestPeer`; how many were sent. */
  keyUpdate(requestPeer: boolean): Promise<number>;
  /** Stop listening and end every connection. */
  close(): Promise<void>;
}

/** The largest /bytes/N served: past 2^53 the count is no longer exact. */
const MAX_BYTES = Number.MAX_SAFE_INTEGER;
const REQUEST_MAX = 16384;
const BULK = 1 << 16;

const te = new TextEncoder();

/** One line for a connection: what s_server -brief shows, on one line. */
function summary(info: TLSInfo, ms: number): string {
  // No group: a resumption without key exchange (TLS 1.3 psk_ke, or any
  // TLS 1.2 abbreviated handshake, which reuses the master secret).
  const parts = [info.version, info.cipher, info.group ?? (info.version === 'TLSv1.2' ? 'no key exchange' : 'psk')];
  parts.push(`ALPN ${info.alpnProtocol === false ? 'none' : info.alpnProtocol}`);
  parts.push(`SNI ${info.servername ?? 'none'}`);
  parts.push(clientCertText(info));
  if (info.sessionReused) parts.push('resumed');
  parts.push(`${ms.toFixed(1)} ms`);
  return parts.join(', ');
}

function clientCertText(info: TLSInfo): string {
  if (!info.peerCertificate) return 'no client certificate';
  const subj = oneline(info.peerCertificate.subject);
  return `client ${subj} (${info.authorized ? 'verified' : `not verified: ${info.authorizationError}`})`;
}

/** The -www status page: the negotiated parameters, one per line. */
function statusPage(info: TLSInfo, tls: TLSSocket, peer: string, id: number): string {
  const c = tls.connection;
  return [
    'wasmtls s_server -www',
    '',
    `Protocol version: ${info.version}`,
    `Ciphersuite: ${info.cipher}`,
    `Server Temp Key: ${tempKey(info.group)}`,
    `Group: ${info.group ?? 'none'}`,
    `HelloRetryRequest: ${c.hrrSeen ? 'yes' : 'no'}`,
    `ALPN protocol: ${info.alpnProtocol === false ? 'none' : info.alpnProtocol}`,
    `SNI: ${info.servername ?? 'none'}`,
    `Client certificate: ${info.peerCertificate ? clientCertText(info).replace(/^client /, '') : 'none'}`,
    `Session reused: ${info.sessionReused ? 'yes' : 'no'}`,
    `Client address: ${peer}`,
    `Connection: #${id}`,
    '',
    'GET /bytes/N returns N bytes.',
    '',
  ].join('\n');
}

/** Read the request head (up to the blank line); undefined when the
 * client ended or sent more than {@link REQUEST_MAX} bytes without one. */
async function readHead(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<string | undefined> {
  let head = '';
  const td = new TextDecoder('latin1');
  while (head.length < REQUEST_MAX) {
    const r = await reader.read();
    if (r.done) return undefined;
    head += td.decode(r.value, { stream: true });
    const end = head.indexOf('\r\n\r\n');
    const endLf = head.indexOf('\n\n');
    if (end >= 0 || endLf >= 0) return head;
  }
  return undefined;
}

async function serveWww(tls: TLSSocket, info: TLSInfo, peer: string, id: number): Promise<string> {
  const reader = tls.readable.getReader();
  const w = tls.writable.getWriter();
  const head = await readHead(reader);
  let what: string;
  if (head === undefined) {
    what = 'no request';
  } else {
    const line = head.split(/\r?\n/, 1)[0];
    const m = /^GET (\S+)(?: HTTP\/1\.[01])?$/.exec(line);
    const bytes = m && /^\/bytes\/(\d+)$/.exec(m[1]);
    if (!m) {
      const body = 'only GET is served\n';
      await w.write(te.encode(`HTTP/1.0 400 Bad Request\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\n\r\n${body}`));
      what = `400 for ${JSON.stringify(line.slice(0, 60))}`;
    } else if (bytes && Number(bytes[1]) <= MAX_BYTES) {
      const n = Number(bytes[1]);
      await w.write(te.encode(`HTTP/1.0 200 ok\r\nContent-Type: application/octet-stream\r\nContent-Length: ${n}\r\n\r\n`));
      // One buffer, written again and again: the writable has encrypted a
      // chunk by the time its write() resolves, so reuse is safe.
      const chunk = new Uint8Array(BULK).map((_, i) => 0x61 + (i % 26));
      for (let left = n; left > 0; left -= BULK) await w.write(left >= BULK ? chunk : chunk.subarray(0, left));
      what = `GET ${m[1]}: ${n} bytes`;
    } else {
      const body = statusPage(info, tls, peer, id);
      await w.write(te.encode(`HTTP/1.0 200 ok\r\nContent-Type: text/plain\r\nContent-Length: ${te.encode(body).length}\r\n\r\n${body}`));
      what = `GET ${m[1]}: status page`;
    }
  }
  // HTTP/1.0: the response ends with the connection. Our close_notify
  // goes out; the client's is read (and anything else discarded) so the
  // connection ends cleanly, not with a reset the client may see first.
  await w.close();
  const drain = (async () => {
    while (!(await reader.read()).done) {
      /* discard */
    }
  })();
  const timeout = new Promise<void>((r) => setTimeout(r, 5000).unref());
  await Promise.race([drain.catch(() => {}), timeout]);
  return what;
}

/** Listen and serve until {@link RunningServer.close}. */
export async function startServer(o: ServerOptions): Promise<RunningServer> {
  try {
    await init(undefined, o.maxMemory === undefined ? undefined : { maxMemory: o.maxMemory });
  } catch (e) {
    throw new CliError(`cannot load the module: ${describeError(e)}`);
  }
  const log = o.log ?? (() => {});
  const maxConns = o.maxConns ?? DEFAULT_MAX_CONNS;
  const w = wasm();
  // The validator's verdict per connection, for the log line of a refused
  // client (the connection is disposed by the time the failure is seen).
  const verdicts = new WeakMap<object, string>();
  if (o.clientCert && o.ca === undefined) throw new UsageError('-verify/-Verify need -CAfile');
  let context: TLSContext;
  try {
    // One context for every connection: the key and anchors are parsed
    // once. Built by the code accept() builds its own with
    // (core/configure.ts), so what s_server serves is what users get.
    context = serverContext(
      {
        cert: o.cert,
        key: o.key,
        // Session tickets, as openssl s_server sends them; the key lives as
        // long as the process.
        ticketKey: fillRandom(new Uint8Array(32)),
        ...(o.alpn?.length && { ALPNProtocols: o.alpn }),
        ...(o.groups?.length && { groups: o.groups as GroupName[] }),
        ...(o.suites?.length && { ciphersuites: o.suites }),
        ...(o.ciphers !== undefined && { ciphers: o.ciphers }),
        ...(o.minVersion && { minVersion: o.minVersion }),
        ...(o.maxVersion && { maxVersion: o.maxVersion }),
        ...(o.sigalgs?.length && { sigalgs: o.sigalgs as SignatureSchemeName[] }),
        ...(o.keylog && { keylog: o.keylog }),
        // A certificate that does not verify is refused in both modes; with
        // 'request' a client may still send none.
        ...(o.clientCert && {
          requestCert: true,
          requireCert: o.clientCert === 'require',
          ca: o.ca,
          onVerdict: (code: number, conn: object) => {
            if (code < 0) verdicts.set(conn, verdict(code).name);
          },
        }),
      },
      's_server',
    );
  } catch (e) {
    throw new CliError(`bad certificate, key or protocol options: ${describeError(e)}`);
  }

  const sockets = new Set<Socket>();
  const live = new Set<TLSSocket>();
  const established = new Set<TLSSocket>();
  let next = 0;
  let ended = 0;
  const done = (): void => {
    ended++;
    if (o.naccept !== undefined && ended >= o.naccept) o.onDone?.();
  };

  const handle = async (sock: Socket): Promise<void> => {
    const id = ++next;
    const peer = `${sock.remoteAddress}:${sock.remotePort}`;
    const tag = `#${id} ${peer}`;
    sockets.add(sock);
    sock.once('close', () => sockets.delete(sock));
    const t0 = performance.now();
    const tls = accept({
      transport: fromNodeSocket(sock),
      context,
      cert: o.cert,
      key: o.key,
      ...(o.handshakeTimeout !== undefined && { handshakeTimeout: o.handshakeTimeout }),
      ...(o.idleTimeout !== undefined && { idleTimeout: o.idleTimeout }),
      ...(o.releaseBuffers !== undefined && { releaseBuffers: o.releaseBuffers }),
    });
    live.add(tls);
    try {
      let info: TLSInfo;
      try {
        info = await tls.opened;
      } catch (e) {
        // A connection accept() could not set up (out of memory, say) has
        // no `connection`: its getter throws the setup error.
        let v: string | undefined;
        try {
          v = verdicts.get(tls.connection);
        } catch {}
        log(`${tag} handshake failed: ${describeError(e)}${v ? ` (client certificate: ${v})` : ''}`);
        return;
      }
      log(`${tag} ${summary(info, performance.now() - t0)}`);
      established.add(tls);
      try {
        if (o.mode === 'www') log(`${tag} ${await serveWww(tls, info, peer, id)}`);
        else await tls.readable.pipeTo(tls.writable);
      } catch (e) {
        log(`${tag} ended: ${describeError(e)}`);
      }
    } finally {
      established.delete(tls);
      await tls.close();
      live.delete(tls);
      done();
    }
  };

  const server = createServer({ allowHalfOpen: true, noDelay: true }, (sock) => {
    if (maxConns > 0 && sockets.size >= maxConns) {
      // Refused before any wasm memory is taken: the connections already
      // served keep theirs.
      log(`refused ${sock.remoteAddress}:${sock.remotePort}: ${sockets.size} connections open (-max_conns ${maxConns})`);
      sock.destroy();
      return;
    }
    const mem = w.memoryUsage();
    if (mem.limit - mem.used < headroom(mem.limit)) {
      // What accept() would do at the limit anyway (its TLSError is logged
      // as a failed handshake), decided before it takes anything.
      const mib = (n: number) => (n / 1048576).toFixed(1);
      log(
        `refused ${sock.remoteAddress}:${sock.remotePort}: out of memory (${mib(mem.used)} of ${mib(mem.limit)} MiB in use; ` +
          'raise -max_memory or lower -max_conns)',
      );
      sock.destroy();
      return;
    }
    // handle() catches what a connection's life throws; this is for a bug
    // in it (or a transport that throws while being wrapped): one line and
    // that socket closed, never an unhandled rejection that ends the server
    // and every other connection.
    handle(sock).catch((e: unknown) => {
      log(`${sock.remoteAddress}:${sock.remotePort} dropped: ${describeError(e)}`);
      sock.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e) => reject(new CliError(`cannot listen on ${o.host ?? '*'}:${o.port}: ${describeError(e)}`)));
    if (o.host === undefined) server.listen(o.port, resolve);
    else server.listen(o.port, o.host, resolve);
  });
  const addr = server.address() as AddressInfo;
  return {
    host: o.host ?? addr.address,
    port: addr.port,
    get active() {
      return live.size;
    },
    keyUpdate: async (requestPeer) => {
      const sent = await Promise.all(
        [...established].map((t) =>
          t.keyUpdate(requestPeer).then(
            () => 1,
            () => 0,
          ),
        ),
      );
      return sent.reduce<number>((a, b) => a + b, 0);
    },
    close: async () => {
      const closed = new Promise<void>((r) => server.close(() => r()));
      await Promise.all([...live].map((t) => t.close()));
      for (const s of sockets) s.destroy();
      await closed;
      context.dispose();
    },
  };
}

export async function sServer(argv: readonly string[]): Promise<number> {
  const f = parseFlags(argv, SERVER_FLAGS);
  if (f.cert === undefined) throw new UsageError('-cert is required');
  if (f.verify !== undefined && f.Verify !== undefined) throw new UsageError('-verify and -Verify exclude each other');
  const { host, port } = f.accept === undefined ? { host: undefined, port: 4433 } : hostPort(f.accept as string, 'accept', '');
  const certPem = readText(f.cert as string, 'certificate file');
  const keyPem = f.key === undefined ? certPem : readText(f.key as string, 'key file');
  const keylog = f.keylogfile ? keylogFile(f.keylogfile as string) : undefined;
  const quiet = Boolean(f.quiet);
  const groups = f.groups !== undefined ? groupList(f.groups as string) : undefined;
  const suites = f.ciphersuites !== undefined ? suiteList(f.ciphersuites as string) : undefined;
  const ciphers = f.cipher !== undefined ? cipherList(f.cipher as string) : undefined;
  const versions = versionFlags(f);
  const sigalgs = f.sigalgs !== undefined ? sigalgList(f.sigalgs as string) : undefined;
  let finish!: () => void;
  const finished = new Promise<void>((r) => (finish = r));
  const srv = await startServer({
    host: host === '' ? undefined : host,
    port,
    cert: certPem,
    key: keyPem,
    alpn: f.alpn ? String(f.alpn).split(',').filter(Boolean) : undefined,
    clientCert: f.Verify !== undefined ? 'require' : f.verify !== undefined ? 'request' : undefined,
    ca: f.CAfile ? readText(f.CAfile as string, 'CA file') : undefined,
    keylog: keylog?.write,
    groups,
    suites,
    ciphers,
    ...versions,
    sigalgs,
    mode: f.www ? 'www' : 'echo',
    log: quiet ? undefined : (line) => process.stderr.write(`${line}\n`),
    naccept: f.naccept as number | undefined,
    handshakeTimeout: f.handshake_timeout as number | undefined,
    idleTimeout: f.idle_timeout as number | undefined,
    maxConns: f.max_conns as number | undefined,
    maxMemory: f.max_memory === undefined ? undefined : (f.max_memory as number) * 1048576,
    ...(f.no_release_buffers === true && { releaseBuffers: false }),
    onDone: () => finish(),
  });
  // openssl s_server prints ACCEPT on stdout once it listens; the address
  // is added so a script that asked for port 0 learns the port.
  const shown = srv.host.includes(':') ? `[${srv.host}]` : srv.host;
  process.stdout.write(`ACCEPT ${shown}:${srv.port}\n`);
  const stop = (): void => finish();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  // openssl s_server's stdin commands that apply here: a line `k` sends a
  // KeyUpdate to the clients, `K` one with update_requested. Other input
  // is ignored (the clients are echoed, not fed from stdin).
  const cmds = new StdinCommands();
  const onStdin = (chunk: Buffer): void => {
    for (const part of cmds.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength))) {
      if (typeof part !== 'string') continue;
      void srv.keyUpdate(part === 'K').then((n) => {
        if (!quiet) process.stderr.write(`KEYUPDATE (${n} connection${n === 1 ? '' : 's'})\n`);
      });
    }
  };
  process.stdin.on('data', onStdin);
  process.stdin.on('error', () => {});
  await finished;
  process.stdin.off('data', onStdin);
  process.stdin.pause();
  await srv.close();
  keylog?.close();
  return 0;
}
