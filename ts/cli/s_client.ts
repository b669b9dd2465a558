/**
 * `wasmtls s_client`: openssl s_client's job with our engine. Stdin goes
 * to the server, the server's data to stdout; what was negotiated goes to
 * stderr, in OpenSSL's words (`-brief`) or as a fuller block.
 *
 * {@link dial} is the part the demo reuses: a TCP connection or a
 * websockify-style WebSocket tunnel, then connect() with a context built
 * here so the validator's verdict is known even when it aborts the
 * handshake (the connection is gone by then).
 * @module
 */
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import WebSocket from 'ws';
import { connectTcp } from '../adapters/node-socket.js';
import { fromWebSocket } from '../adapters/websocket.js';
import type { Transport } from '../adapters/types.js';
import { connect, type TLSInfo, type TLSSocket } from '../api/tls.js';
import { clientContext } from '../core/configure.js';
import type { CipherSuiteName, GroupName, SignatureSchemeName, TLSVersion } from '../core/codepoints.js';
import type { TLSContext } from '../core/context.js';
import { init } from '../core/loader.js';
import { parseCertificate, TrustStore } from '../core/x509.js';
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
import {
  chainOf,
  describeError,
  keylogFile,
  oneline,
  readText,
  sigWords,
  tempKey,
  verdict,
  verifyErrorLine,
  type Verdict,
} from './common.js';

export const CLIENT_FLAGS: FlagTable = {
  connect: { kind: 'string', arg: 'host:port', help: 'server to connect to (required)' },
  servername: { kind: 'string', arg: 'name', help: 'SNI name and the name the certificate must match (default: the host)' },
  noservername: { kind: 'bool', help: 'send no SNI and check no name' },
  alpn: { kind: 'string', arg: 'p1,p2', help: 'ALPN protocols to offer, preference order' },
  CAfile: { kind: 'string', arg: 'file', help: "trust anchors, PEM (default: Node's tls.rootCertificates)" },
  cert: { kind: 'string', arg: 'file', help: 'client certificate chain, PEM (with -key)' },
  key: { kind: 'string', arg: 'file', help: 'client private key, PEM' },
  tunnel: {
    kind: 'string',
    arg: 'ws://relay[/host:port]',
    help: 'go through a websockify-style WebSocket relay; ' + 'a URL without a path gets /host:port of -connect appended',
  },
  keylogfile: { kind: 'string', arg: 'file', help: 'append the TLS secrets (SSLKEYLOGFILE format)' },
  brief: { kind: 'bool', help: 'print only a short summary of the connection' },
  quiet: { kind: 'bool', help: 'print nothing but errors on stderr' },
  insecure: { kind: 'bool', help: 'go on when the certificate does not verify (the verdict is still printed)' },
  groups: {
    kind: 'string',
    arg: 'g1:g2',
    help: 'key exchange groups, preference order (X25519, P-256, P-384, X25519MLKEM768); ' + 'a key share is sent for the first',
  },
  ...PROTOCOL_FLAGS,
  sigalgs: { kind: 'string', arg: 'a1:a2', help: 'signature algorithms accepted (ECDSA+SHA256, rsa_pss_rsae_sha256, ed25519, ...)' },
  sess_out: { kind: 'string', arg: 'file', help: 'write the session (the latest ticket) to file, for -sess_in' },
  sess_in: { kind: 'string', arg: 'file', help: 'offer the session in file (from -sess_out) for resumption' },
};

/** What {@link dial} needs. */
export interface DialOptions {
  host: string;
  port: number;
  /** SNI and the name checked; undefined sends no SNI and checks no name. */
  servername: string | undefined;
  alpn?: string[];
  /** Trust anchors, PEM text or a ready store. */
  ca: string | TrustStore;
  cert?: string;
  key?: string;
  /** Complete the handshake whatever the chain's verdict. */
  insecure?: boolean;
  /** ws:// or wss:// URL of a websockify-style relay. */
  tunnel?: string;
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
  /** A session from an earlier connection's onSession, to resume. */
  session?: Uint8Array;
  /** Called with each new session (NewSessionTicket). */
  onSession?: (session: Uint8Array) => void;
}

/** An open connection and how it was made. */
export interface Dialed {
  tls: TLSSocket;
  info: TLSInfo;
  /** The validator's complaint, when the chain did not verify (-insecure). */
  verdict: Verdict | undefined;
  /** `tcp 127.0.0.1:4433` or the tunnel URL. */
  via: string;
  /** Transport set-up (TCP connect or WebSocket open), ms. */
  connectMs: number;
  /** First ClientHello to the server's Finished checked, ms. */
  handshakeMs: number;
  context: TLSContext;
}

/** The relay URL for a target: as given, or with `/host:port` appended
 * when it has no path (the websockify convention of our `relay`). */
export function tunnelUrl(tunnel: string, host: string, port: number): string {
  let u: URL;
  try {
    u = new URL(tunnel);
  } catch {
    throw new UsageError(`-tunnel: not a URL: '${tunnel}'`);
  }
  if (u.protocol !== 'ws:' && u.protocol !== 'wss:') throw new UsageError(`-tunnel: expected ws:// or wss://, got '${tunnel}'`);
  if ((u.pathname === '/' || u.pathname === '') && !u.search && !tunnel.endsWith('/')) {
    u.pathname = `/${host.includes(':') ? `[${host}]` : host}:${port}`;
  }
  return u.toString();
}

async function openTunnel(url: string): Promise<Transport> {
  const ws = new WebSocket(url, { perMessageDeflate: false });
  ws.on('unexpected-response', (_req, res) => {
    ws.emit('error', new Error(`relay answered HTTP ${res.statusCode} ${res.statusMessage ?? ''}`.trim()));
    ws.terminate();
  });
  try {
    await Promise.race([
      once(ws, 'open'),
      once(ws, 'close').then(([code, reason]) => {
        throw new Error(`relay closed the WebSocket before it opened (code ${code}${reason?.length ? `: ${reason}` : ''})`);
      }),
    ]);
  } catch (e) {
    ws.terminate();
    throw new CliError(`cannot open tunnel ${url}: ${describeError(e)}`);
  }
  return fromWebSocket(ws);
}

/** Let the readable of a failed connection go; its error is reported elsewhere. */
const ignore = (): void => {};

/**
 * Connect and complete the TLS handshake. Throws a {@link CliError} that
 * says what failed: the transport, or the handshake with the alert and,
 * for a refused certificate, OpenSSL's `verify error:num=...` line.
 */
export async function dial(o: DialOptions): Promise<Dialed> {
  await init();
  let v: Verdict | undefined;
  let context: TLSContext;
  try {
    // Built by the code connect() builds its own with (core/configure.ts),
    // so what s_client measures is what users get; the verdict is kept for
    // OpenSSL's `verify error` line.
    context = clientContext(
      {
        ca: o.ca,
        rejectUnauthorized: !o.insecure,
        ...(o.alpn?.length && { ALPNProtocols: o.alpn }),
        ...(o.groups?.length && { groups: o.groups as GroupName[] }),
        ...(o.suites?.length && { ciphersuites: o.suites }),
        ...(o.ciphers !== undefined && { ciphers: o.ciphers }),
        ...(o.minVersion && { minVersion: o.minVersion }),
        ...(o.maxVersion && { maxVersion: o.maxVersion }),
        ...(o.sigalgs?.length && { sigalgs: o.sigalgs as SignatureSchemeName[] }),
        ...(o.cert !== undefined && { cert: o.cert }),
        ...(o.key !== undefined && { key: o.key }),
        ...(o.keylog && { keylog: o.keylog }),
        onVerdict: (code) => {
          if (code < 0) v = verdict(code);
        },
      },
      's_client',
    );
  } catch (e) {
    throw new CliError(`bad configuration: ${describeError(e)}`);
  }
  const target = `${o.host}:${o.port}`;
  const t0 = performance.now();
  let transport: Transport;
  let via: string;
  try {
    if (o.tunnel) {
      via = tunnelUrl(o.tunnel, o.host, o.port);
      transport = await openTunnel(via);
    } else {
      via = `tcp ${target}`;
      transport = await connectTcp({ host: o.host, port: o.port }).catch((e) => {
        throw new CliError(`cannot connect to ${target}: ${describeError(e)}`);
      });
    }
  } catch (e) {
    context.dispose();
    throw e;
  }
  const t1 = performance.now();
  const tls = connect({
    transport,
    context,
    servername: o.servername,
    host: o.servername ?? '',
    ...(o.session && { session: o.session }),
    ...(o.onSession && { onSession: o.onSession }),
  });
  let info: TLSInfo;
  try {
    info = await tls.opened;
  } catch (e) {
    tls.readable.cancel().catch(ignore);
    context.dispose();
    const before = v && !o.insecure ? [verifyErrorLine(v)] : [];
    // What the TLS layer added to the alert's name (the server does not
    // offer TLS 1.2 or 1.3, ...) says more than the name alone.
    const note = e instanceof Error ? / \((the (?:server|client) does not [^()]*)\)$/.exec(e.message)?.[1] : undefined;
    throw new CliError(`handshake with ${target} failed: ${describeError(e)}${note ? `: ${note}` : ''}`, { cause: e, before });
  }
  return { tls, info, verdict: v, via, connectMs: t1 - t0, handshakeMs: performance.now() - t1, context };
}

/** OpenSSL's -brief summary (apps/lib/s_cb.c print_ssl_summary), plus ALPN. */
export function briefLines(d: Dialed): string[] {
  const { info } = d;
  const out = ['CONNECTION ESTABLISHED', `Protocol version: ${info.version}`, `Ciphersuite: ${info.cipher}`];
  if (info.peerCertificate) out.push(`Peer certificate: ${oneline(info.peerCertificate.subject)}`);
  else out.push('No peer certificate');
  const s = sigWords(info.signatureScheme);
  if (s) out.push(`Hash used: ${s.hash}`, `Signature type: ${s.type}`);
  if (info.authorized) {
    out.push('Verification: OK');
    if (info.servername) out.push(`Verified peername: ${info.servername}`);
  } else out.push(`Verification error: ${d.verdict?.reason ?? info.authorizationError ?? 'unknown'}`);
  out.push(`Server Temp Key: ${tempKey(info.group)}`);
  if (info.alpnProtocol !== false) out.push(`ALPN protocol: ${info.alpnProtocol}`);
  return out;
}

/** The fuller block (s_client without -brief), on stderr rather than
 * OpenSSL's stdout so stdout carries the server's bytes only. */
export function fullLines(d: Dialed): string[] {
  const { info } = d;
  const out = [`CONNECTED(${d.via})`, '---', 'Certificate chain'];
  const certs = info.peerCertificates.map((der) => {
    try {
      return parseCertificate(der);
    } catch {
      return undefined;
    }
  });
  certs.forEach((c, i) => {
    if (!c) {
      out.push(` ${i} (not parseable)`);
      return;
    }
    out.push(` ${i} s:${oneline(c.subject)}`, `   i:${oneline(c.issuer)}`, `   v:NotBefore: ${c.valid_from}; NotAfter: ${c.valid_to}`);
  });
  const leaf = info.peerCertificate;
  out.push('---');
  if (leaf) {
    out.push('Server certificate', `subject=${oneline(leaf.subject)}`, `issuer=${oneline(leaf.issuer)}`);
    if (leaf.subjectaltname) out.push(`subjectAltName=${leaf.subjectaltname}`);
    out.push(`SHA256 Fingerprint=${leaf.fingerprint256}`);
    const path = chainOf(leaf).length;
    if (path !== certs.length) out.push(`(validated path: ${path} certificates)`);
  } else out.push('No server certificate');
  out.push('---');
  const s = sigWords(info.signatureScheme);
  if (s) out.push(`Peer signing digest: ${s.hash}`, `Peer signature type: ${s.type} (${info.signatureScheme})`);
  out.push(`Server Temp Key: ${tempKey(info.group)}`, '---');
  out.push(info.authorized ? 'Verification: OK' : `Verification error: ${d.verdict?.reason ?? info.authorizationError}`);
  out.push('---', `${info.sessionReused ? 'Reused' : 'New'}, ${info.version}, Cipher is ${info.cipher}`);
  out.push(info.alpnProtocol === false ? 'No ALPN negotiated' : `ALPN protocol: ${info.alpnProtocol}`);
  out.push(`SNI: ${info.servername ?? '(none sent)'}`, `Session reused: ${info.sessionReused ? 'yes' : 'no'}`);
  out.push(`Handshake: ${d.handshakeMs.toFixed(1)} ms (after ${d.connectMs.toFixed(1)} ms to connect)`);
  const code = info.authorized
    ? '0 (ok)'
    : d.verdict
      ? `${d.verdict.num ?? d.verdict.name} (${d.verdict.reason})`
      : `(${info.authorizationError})`;
  out.push(`Verify return code: ${code}`, '---');
  return out;
}

export async function sClient(argv: readonly string[]): Promise<number> {
  const f = parseFlags(argv, CLIENT_FLAGS);
  if (f.connect === undefined) throw new UsageError('-connect host:port is required');
  const { host, port } = hostPort(f.connect as string, 'connect');
  if ((f.cert === undefined) !== (f.key === undefined)) throw new UsageError('-cert and -key go together');
  if (f.servername !== undefined && f.noservername) throw new UsageError('-servername and -noservername exclude each other');
  const bare = host.replace(/^\[|\]$/g, '');
  const servername = f.noservername ? undefined : ((f.servername as string | undefined) ?? bare);
  const keylog = f.keylogfile ? keylogFile(f.keylogfile as string) : undefined;
  const groups = f.groups !== undefined ? groupList(f.groups as string) : undefined;
  const suites = f.ciphersuites !== undefined ? suiteList(f.ciphersuites as string) : undefined;
  const ciphers = f.cipher !== undefined ? cipherList(f.cipher as string) : undefined;
  const versions = versionFlags(f);
  const sigalgs = f.sigalgs !== undefined ? sigalgList(f.sigalgs as string) : undefined;
  const session = f.sess_in !== undefined ? readSession(f.sess_in as string) : undefined;
  const sessOut = f.sess_out as string | undefined;
  await init();
  let ca: string | TrustStore;
  if (f.CAfile) ca = readText(f.CAfile as string, 'CA file');
  else {
    // Node's bundled Mozilla roots, one by one: a root our parser refuses
    // (an unsupported key type) is skipped instead of failing them all.
    const store = new TrustStore(1 << 18);
    for (const pem of rootCertificates) {
      try {
        store.addPEM(pem);
      } catch {
        /* skipped */
      }
    }
    ca = store;
  }
  const d = await dial({
    host: bare,
    port,
    servername,
    alpn: f.alpn ? String(f.alpn).split(',').filter(Boolean) : undefined,
    ca,
    cert: f.cert ? readText(f.cert as string, 'certificate file') : undefined,
    key: f.key ? readText(f.key as string, 'key file') : undefined,
    insecure: Boolean(f.insecure),
    tunnel: f.tunnel as string | undefined,
    keylog: keylog?.write,
    groups,
    suites,
    ciphers,
    ...versions,
    sigalgs,
    session,
    // Each new ticket replaces the file's session, as OpenSSL's
    // -sess_out keeps the latest (apps/s_client.c new_session_cb).
    onSession: sessOut === undefined ? undefined : (s) => writeSession(sessOut, s),
  });
  if (!f.quiet) {
    const lines = f.brief ? briefLines(d) : fullLines(d);
    if (d.verdict && !f.brief) lines.unshift(verifyErrorLine(d.verdict));
    process.stderr.write(`${lines.join('\n')}\n`);
  }
  return relayStdio(d, Boolean(f.quiet));
}

const SESSION_LABEL = 'WASMTLS SESSION';

/** A session file: PEM armour around the session connect() hands out
 * (the format is ours: OpenSSL's SSL_SESSION is not what our engine
 * resumes from, and a label of our own keeps the two from being mixed). */
function writeSession(path: string, s: Uint8Array): void {
  const b64 = Buffer.from(s)
    .toString('base64')
    .replace(/.{1,64}/g, '$&\n');
  try {
    writeFileSync(path, `-----BEGIN ${SESSION_LABEL}-----\n${b64}-----END ${SESSION_LABEL}-----\n`, { mode: 0o600 });
  } catch (e) {
    process.stderr.write(`wasmtls s_client: cannot write session file ${path}: ${describeError(e)}\n`);
  }
}

function readSession(path: string): Uint8Array {
  const text = readText(path, 'session file');
  const m = new RegExp(`-----BEGIN ${SESSION_LABEL}-----([A-Za-z0-9+/=\\s]+)-----END ${SESSION_LABEL}-----`).exec(text);
  if (!m) throw new CliError(`${path} holds no ${SESSION_LABEL} (write one with -sess_out)`);
  return new Uint8Array(Buffer.from(m[1].replace(/\s+/g, ''), 'base64'));
}

/**
 * Split stdin into data and the commands of openssl s_client / s_server:
 * a line that is only `k` sends a KeyUpdate, `K` one with update_requested
 * (RFC 8446 4.6.3). Other bytes pass unchanged; a `k` at the start of a
 * line is held until the next byte says whether it is a command.
 */
export class StdinCommands {
  private atLineStart = true;
  private held = '';

  /** The data to send and the commands, in stream order. */
  push(chunk: Uint8Array): (Uint8Array | 'k' | 'K')[] {
    const out: (Uint8Array | 'k' | 'K')[] = [];
    let data: number[] = [];
    const flush = (): void => {
      if (data.length) out.push(Uint8Array.from(data));
      data = [];
    };
    for (const b of chunk) {
      if (this.held) {
        if (b === 0x0d && this.held.length === 1) {
          this.held += '\r';
          continue;
        }
        if (b === 0x0a) {
          flush();
          out.push(this.held[0] as 'k' | 'K');
          this.held = '';
          this.atLineStart = true;
          continue;
        }
        for (const c of this.held) data.push(c.charCodeAt(0));
        this.held = '';
      }
      if (this.atLineStart && (b === 0x6b || b === 0x4b)) {
        this.held = String.fromCharCode(b);
        this.atLineStart = false;
        continue;
      }
      data.push(b);
      this.atLineStart = b === 0x0a;
    }
    flush();
    return out;
  }

  /** At the end of stdin: a held `k` is data after all. */
  end(): Uint8Array | undefined {
    const h = this.held;
    this.held = '';
    return h ? Uint8Array.from(h, (c) => c.charCodeAt(0)) : undefined;
  }
}

/**
 * Stdin to the server, the server to stdout, until the server ends: at
 * stdin's end our close_notify goes out and reading goes on (TLS 1.3
 * half-close); at the server's close_notify we answer with ours.
 */
async function relayStdio(d: Dialed, quiet: boolean): Promise<number> {
  const { tls } = d;
  const w = tls.writable.getWriter();
  let writerClosed = false;
  const closeWriter = async (): Promise<void> => {
    if (writerClosed) return;
    writerClosed = true;
    await w.close();
  };
  const cmds = new StdinCommands();
  const up = (async () => {
    for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
      if (writerClosed) return;
      for (const part of cmds.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength))) {
        if (typeof part !== 'string') {
          await w.write(part);
          continue;
        }
        // As openssl s_client: the word on stderr, then the KeyUpdate
        // (after the data before it: the writes are awaited in order).
        if (!quiet) process.stderr.write('KEYUPDATE\n');
        // On a TLS 1.2 connection there is none to send: say so and go on
        // (OpenSSL prints its "wrong ssl version" error).
        await tls.keyUpdate(part === 'K').catch((e: unknown) => {
          if (tls.connection.version !== 'TLSv1.2') throw e;
          process.stderr.write(`wasmtls s_client: ${describeError(e)}\n`);
        });
      }
    }
    const rest = cmds.end();
    if (rest && !writerClosed) await w.write(rest);
    await closeWriter();
  })();
  let status = 0;
  // A write fails when the connection failed; the read side says why, so
  // a send error is reported only when reading ended well.
  let sendError: unknown;
  up.catch((e) => {
    sendError = e;
  });
  try {
    const reader = tls.readable.getReader();
    for (let r = await reader.read(); !r.done; r = await reader.read()) {
      if (!process.stdout.write(r.value)) await once(process.stdout, 'drain');
    }
    await closeWriter().catch(ignore);
    if (sendError !== undefined) {
      process.stderr.write(`wasmtls s_client: sending failed: ${describeError(sendError)}\n`);
      status = 1;
    } else if (!quiet) process.stderr.write('DONE\n');
  } catch (e) {
    process.stderr.write(`wasmtls s_client: ${describeError(e)}\n`);
    status = 1;
  }
  await tls.close();
  d.context.dispose();
  return status;
}
