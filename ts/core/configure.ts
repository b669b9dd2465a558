/**
 * Building a {@link TLSContext} from the options connect() / accept() take
 * (Node's `tls.connect` vocabulary), once: connect() and accept(), the Node
 * socket (through them) and the CLI all build their contexts here, so what
 * `wasmtls s_client` / `s_server` measure is what users get.
 * @module
 */
import type { CipherSuiteName, GroupName, SignatureSchemeName } from './codepoints.js';
import type { Connection } from './connection.js';
import { TLSContext, type TLSContextOptions } from './context.js';
import { verdictAlert } from './verdict.js';
import type { TrustStore } from './x509.js';

/** Room for the records of one 64 KiB slice of plaintext (4 full records):
 * connect() hands the engine up to 64 KiB per write. */
export const NET_OUT = 4 * 16709;

/** The policy options of connect() / accept() a context is built from. */
export interface ContextPolicy {
  ALPNProtocols?: readonly (string | Uint8Array)[];
  ca?: string | Uint8Array | readonly Uint8Array[] | TrustStore;
  cert?: string | Uint8Array | readonly Uint8Array[];
  key?: string | Uint8Array;
  minVersion?: string;
  maxVersion?: string;
  ciphersuites?: readonly CipherSuiteName[];
  groups?: readonly GroupName[];
  sigalgs?: readonly SignatureSchemeName[];
  keylog?: (line: string) => void;
  /** Client: refuse an unauthorized server; server (with requestCert): an
   * unauthorized client. Default true. */
  rejectUnauthorized?: boolean;
  /** Client: SPKI SHA-256 pins. */
  pins?: readonly Uint8Array[];
  /** Server: ask for a client certificate. */
  requestCert?: boolean;
  /** Server, with requestCert: whether a client must send one (default:
   * `rejectUnauthorized`, as accept() has it; `openssl s_server -verify`
   * asks without insisting yet refuses a certificate that fails). */
  requireCert?: boolean;
  /** Server: 32-byte ticket key. */
  ticketKey?: Uint8Array;
  /** Sees the engine's verification code of each connection that got a
   * chain (the CLI prints OpenSSL's `verify error` line from it). */
  onVerdict?: (code: number, conn: Connection) => void;
}

/** Refuse version bounds TLS 1.3 cannot meet. */
export function checkVersions(o: { minVersion?: string; maxVersion?: string }, who: string): void {
  if (o.maxVersion !== undefined && o.maxVersion !== 'TLSv1.3') {
    throw new TypeError(`${who}: maxVersion ${String(o.maxVersion)} cannot be met: wasmtls speaks TLS 1.3 only`);
  }
  const ok = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];
  if (o.minVersion !== undefined && !ok.includes(o.minVersion)) {
    throw new TypeError(`${who}: unknown minVersion ${String(o.minVersion)}`);
  }
}

/** The verdict callback both roles use: the engine validated the chain
 * (policy 'chain'); refuse with its alert unless the caller said not to. */
function judge(reject: boolean, observe: ContextPolicy['onVerdict']) {
  return (_chain: Uint8Array[], conn: Connection): number => {
    const code = conn.verifyCode;
    observe?.(code, conn);
    return verdictAlert(code, reject);
  };
}

function base(o: ContextPolicy): TLSContextOptions {
  const c: TLSContextOptions = { bufferSizes: { netOut: NET_OUT } };
  if (o.ALPNProtocols) c.alpn = o.ALPNProtocols;
  if (o.ciphersuites) c.suites = o.ciphersuites;
  if (o.groups) c.groups = o.groups;
  if (o.sigalgs) c.sigalgs = o.sigalgs;
  if (o.cert !== undefined) c.cert = o.cert;
  if (o.key !== undefined) c.key = o.key;
  if (o.keylog) {
    const f = o.keylog;
    c.keylog = (line: string) => f(line);
  }
  return c;
}

/** The context options of a client (connect()). */
function clientContextOptions(o: ContextPolicy, who = 'connect'): TLSContextOptions {
  checkVersions(o, who);
  const reject = o.rejectUnauthorized !== false;
  const c = base(o);
  if (o.ca !== undefined) {
    c.verify = 'chain';
    c.ca = o.ca;
    c.onVerify = judge(reject, o.onVerdict);
    if (o.pins) c.pins = o.pins;
  } else if (!reject) {
    // No anchors and the caller accepts any chain: still look at it so
    // opened reports the certificate (and authorized: false).
    c.verify = 'external';
    c.onVerify = () => 0;
  } else {
    throw new TypeError(
      `${who}: no trust anchors: pass \`ca\` (for the public web: rootCertificates from wasmtls/roots) ` +
      'or rejectUnauthorized: false');
  }
  return c;
}

/** The context options of a server (accept()). */
function serverContextOptions(o: ContextPolicy, who = 'accept'): TLSContextOptions {
  checkVersions(o, who);
  if (o.cert === undefined || o.key === undefined) throw new TypeError(`${who}: \`cert\` and \`key\` are required`);
  const c = base(o);
  if (o.ticketKey) c.ticketKey = o.ticketKey;
  if (o.requestCert) {
    const reject = o.rejectUnauthorized !== false;
    c.clientCert = (o.requireCert ?? reject) ? 'require' : 'request';
    if (o.ca !== undefined) {
      c.verify = 'chain';
      c.ca = o.ca;
      c.onVerify = judge(reject, o.onVerdict);
    } else if (!reject) {
      c.verify = 'external';
      c.onVerify = () => 0;
    } else {
      throw new TypeError(`${who}: requestCert needs \`ca\` to check client certificates (or rejectUnauthorized: false)`);
    }
  }
  return c;
}

/** A client context (see {@link clientContextOptions}). */
export function clientContext(o: ContextPolicy, who = 'connect'): TLSContext {
  return new TLSContext(clientContextOptions(o, who));
}

/** A server context (see {@link serverContextOptions}). */
export function serverContext(o: ContextPolicy, who = 'accept'): TLSContext {
  return new TLSContext(serverContextOptions(o, who));
}
