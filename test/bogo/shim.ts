/**
 * wasmtls's shim for BoringSSL's TLS conformance runner (BoGo).
 *
 * The runner starts this program once per test with flags
 * (ssl/test/test_config.cc), it connects to 127.0.0.1:port, writes the shim
 * id (8 bytes, little-endian), and plays the test's side over the SSL object
 * (ts/core/connection.ts) as bssl_shim.cc's DoConnection/DoExchange do:
 * handshake, check the negotiated properties the flags name, echo
 * application data XORed with 0xff, shut down. Every call goes through the
 * WANT_* loop: ciphertext moves between the socket and the BIO pair only
 * when the SSL object asks for it (-async feeds one byte at a time and
 * bounds the outgoing side to one byte, so every WANT_READ / WANT_WRITE
 * path runs).
 *
 * Exit codes: 0 success, 1 failure (reason on stderr), 89 unimplemented
 * (a flag outside flags.ts IMPLEMENTED, or a test needing TLS 1.2 / DTLS /
 * QUIC or a feature wasmtls does not have).
 *
 * Built by scripts/bogo.mjs with esbuild into build/bogo/shim.mjs; it reads
 * the wasm bytes from dist/wasmtls.wasm (WASMTLS_WASM overrides).
 */
import { constants as cryptoConstants, createPrivateKey, sign as cryptoSign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as net from 'node:net';
import { initSync } from '../../ts/core/loader.js';
import { Connection, TLSContext, SSL_MODE_ENABLE_PARTIAL_WRITE, type TLSContextOptions } from '../../ts/core/connection.js';
import { SIGALGS, SUITES12, VERSIONS, type SignatureSchemeName, type TLSVersion } from '../../ts/core/codepoints.js';
import type { PrivateKeySigner } from '../../ts/core/signer.js';
import { type Config, parseFlags, Unimplemented, UNIMPLEMENTED } from './flags.js';

const TLS12 = 0x0303;
const TLS13 = 0x0304;

// IANA code points of what the SSL object reports by name (a TLS 1.2
// suite by OpenSSL's name, as SSL_get_cipher_name gives it).
const SUITE_CODES: Record<string, number> = {
  TLS_AES_128_GCM_SHA256: 0x1301,
  TLS_AES_256_GCM_SHA384: 0x1302,
  TLS_CHACHA20_POLY1305_SHA256: 0x1303,
  ...Object.fromEntries(SUITES12.map((s) => [s.name, s.code])),
};
const GROUP_CODES: Record<string, number> = { x25519: 0x1d, secp256r1: 0x17, secp384r1: 0x18, X25519MLKEM768: 0x11ec };
const SIGALG_CODES: Record<string, number> = {
  ecdsa_secp256r1_sha256: 0x0403,
  ecdsa_secp384r1_sha384: 0x0503,
  ed25519: 0x0807,
  rsa_pss_rsae_sha256: 0x0804,
  rsa_pss_rsae_sha384: 0x0805,
  rsa_pss_rsae_sha512: 0x0806,
  rsa_pss_pss_sha256: 0x0809,
  rsa_pss_pss_sha384: 0x080a,
  rsa_pss_pss_sha512: 0x080b,
  rsa_pkcs1_sha256: 0x0401,
  rsa_pkcs1_sha384: 0x0501,
  rsa_pkcs1_sha512: 0x0601,
};
// The alerts BoringSSL sends when its verify callback refuses: the legacy
// X.509 callback (X509_V_ERR_APPLICATION_VERIFICATION) gives
// handshake_failure, the custom one (ssl_verify_invalid) certificate_unknown.
const ALERT_HANDSHAKE_FAILURE = 40;
const ALERT_CERTIFICATE_UNKNOWN = 46;

class Failure extends Error {}

function fail(msg: string): never {
  throw new Failure(msg);
}

function unimplemented(msg: string): never {
  throw new Unimplemented(msg);
}

// ---- the socket: a byte queue the WANT_READ path awaits -----------------------

class Transport {
  private chunks: Uint8Array[] = [];
  private eof = false;
  private wake: (() => void) | undefined;
  private closed: Promise<void>;

  constructor(readonly sock: net.Socket) {
    sock.on('data', (d: Buffer) => {
      this.chunks.push(new Uint8Array(d.buffer, d.byteOffset, d.length));
      this.wake?.();
    });
    sock.on('end', () => {
      this.eof = true;
      this.wake?.();
    });
    sock.on('error', () => {
      this.eof = true;
      this.wake?.();
    });
    this.closed = new Promise((resolve) => sock.on('close', () => resolve()));
  }

  /** Wait for bytes (or EOF), then give the SSL object at most `max` of
   * them (all that fit when max is undefined). */
  async feed(conn: Connection, max?: number): Promise<void> {
    while (this.chunks.length === 0 && !this.eof) {
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = undefined;
    }
    if (this.chunks.length === 0) {
      conn.network.end();
      return;
    }
    let c = this.chunks[0];
    if (max !== undefined && c.length > max) c = c.subarray(0, max);
    const n = conn.network.write(c);
    if (n === this.chunks[0].length) this.chunks.shift();
    else this.chunks[0] = this.chunks[0].subarray(n);
  }

  flush(conn: Connection): void {
    for (;;) {
      const d = conn.network.read();
      if (d.length === 0) break;
      this.sock.write(d);
    }
  }

  /** Half-close, then drain until the runner closes (bssl_shim's
   * set_drain_on_close: the runner must not see a reset). */
  async close(): Promise<void> {
    this.sock.end();
    this.sock.resume();
    await Promise.race([this.closed, new Promise((r) => setTimeout(r, 5000).unref())]);
  }
}

// ---- one SSL call through the WANT_* loop (bssl_shim's RetryAsync) -------------

async function retry(conn: Connection, io: Transport, cfg: Config, call: () => number): Promise<number> {
  for (;;) {
    const r = call();
    io.flush(conn);
    if (r > 0) return r;
    const e = conn.getError(r);
    if (e === 'WANT_READ') await io.feed(conn, cfg['-async'] ? 1 : undefined);
    else if (e === 'WANT_WRITE') {
      // flush() above emptied the outgoing side: the call can go on.
    } else if (e === 'WANT_RETRY_VERIFY') {
      if (!conn.verifyPending) fail('WANT_RETRY_VERIFY without a pending verification');
      await conn.verifyPending;
    } else if (e === 'WANT_PRIVATE_KEY_OPERATION') {
      if (!conn.signPending) fail('WANT_PRIVATE_KEY_OPERATION without a pending signature');
      await conn.signPending;
    } else return r;
  }
}

/** bssl_shim WriteAll: the whole buffer, repeating each retry with the same
 * Uint8Array (SSL_write's retry rule), continuing after partial writes. */
async function writeAll(conn: Connection, io: Transport, cfg: Config, data: Uint8Array): Promise<void> {
  let rest = data;
  while (rest.length > 0) {
    const cur = rest;
    const r = await retry(conn, io, cfg, () => conn.write(cur));
    if (r <= 0) fail(`SSL_write failed: ${conn.getError(r)} ${conn.error?.message ?? ''}`);
    rest = cur.subarray(r);
  }
}

/** bssl_shim DoRead, with -peek-then-read. Returns the SSL_read result. */
async function doRead(conn: Connection, io: Transport, cfg: Config, buf: Uint8Array): Promise<number> {
  const peek = cfg['-peek-then-read'] === true;
  const r = await retry(conn, io, cfg, () => {
    if (!peek) return conn.read(buf);
    const p = conn.peek(buf);
    return p.ok ? p.data.length : 0;
  });
  if (peek && r > 0) {
    const first = buf.slice(0, r);
    // SSL_peek again, then SSL_read: both must give the same bytes at once.
    const again = conn.peek(r);
    if (!again.ok || !equal(again.data, first)) fail('First and second SSL_peek did not match.');
    const got = new Uint8Array(r);
    if (conn.read(got) !== r || !equal(got, first)) fail('SSL_peek and SSL_read did not match.');
  }
  return r;
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

// ---- configuration: flags -> TLSContext -------------------------------------

function pemCerts(file: string): Uint8Array[] {
  const text = readFileSync(file, 'latin1');
  const out: Uint8Array[] = [];
  const re = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g;
  for (let m = re.exec(text); m; m = re.exec(text)) out.push(new Uint8Array(Buffer.from(m[1].replace(/\s+/g, ''), 'base64')));
  return out;
}

/** -advertise-alpn is the wire list (length-prefixed names). */
function alpnWire(s: string): Uint8Array[] {
  const b = Buffer.from(s, 'latin1');
  const out: Uint8Array[] = [];
  for (let i = 0; i < b.length; ) {
    const n = b[i];
    if (n === 0 || i + 1 + n > b.length) fail(`bad -advertise-alpn list`);
    out.push(new Uint8Array(b.subarray(i + 1, i + 1 + n)));
    i += 1 + n;
  }
  return out;
}

function checkVersions(cfg: Config): void {
  for (const f of ['-min-version', '-max-version'] as const) {
    const v = cfg[f] as number | undefined;
    if (v === undefined) continue;
    if (v >= 0xfe00) unimplemented(`${f} ${v.toString(16)}: DTLS`);
    if (v < 0x0300 || v > TLS13) fail(`${f} ${v.toString(16)}: unknown version`);
  }
  const max = cfg['-max-version'] as number | undefined;
  // TLS 1.0 and 1.1 are not implemented (RFC 8996 deprecates them).
  if (max !== undefined && max < TLS12) unimplemented(`-max-version ${max.toString(16)}: TLS 1.1 or lower`);
}

/** The version range of test_config.cc's flags, as the SSL object's
 * names: -min-version / -max-version (a minimum below TLS 1.2 is met by
 * what we have, as SSL_CTX_set_min_proto_version's would be), and
 * -no-tls13 / -no-tls12 (SSL_OP_NO_TLSv1_3 / _2). */
function versionRange(cfg: Config): { minVersion: TLSVersion; maxVersion: TLSVersion } {
  let min = Math.max((cfg['-min-version'] as number | undefined) ?? TLS12, TLS12);
  let max = (cfg['-max-version'] as number | undefined) ?? TLS13;
  if (cfg['-no-tls13']) max = Math.min(max, TLS12);
  if (cfg['-no-tls12']) min = Math.max(min, TLS13);
  // Nothing left of TLS 1.2 and 1.3: the test wants TLS 1.0 or 1.1 (not
  // implemented), unless those are off too (BoringSSL then fails with
  // NO_SUPPORTED_VERSIONS_ENABLED; so do we).
  if (min > max) {
    if (cfg['-no-tls1'] && cfg['-no-tls11']) fail('no supported versions enabled');
    unimplemented('only TLS 1.1 or lower left enabled');
  }
  const name = (v: number) => (v === TLS12 ? 'TLSv1.2' : 'TLSv1.3') as TLSVersion;
  return { minVersion: name(min), maxVersion: name(max) };
}

/** test_config.cc's g_async_private_key_method: under -async the key is a
 * signer that answers on a later turn (WANT_PRIVATE_KEY_OPERATION first),
 * signing the message with the scheme's hash (PSS salt = hash length). It
 * offers every scheme; the engine keeps those the certificate's key fits. */
function asyncSigner(pem: string): PrivateKeySigner {
  const key = createPrivateKey(pem);
  return {
    schemes: Object.keys(SIGALGS) as SignatureSchemeName[],
    sign: (scheme, data) =>
      new Promise((resolve, reject) =>
        setImmediate(() => {
          try {
            const hash = scheme === 'ed25519' ? null : `sha${/(256|384|512)$/.exec(scheme)?.[1] ?? '256'}`;
            const pss = scheme.startsWith('rsa_pss_');
            const k = pss
              ? { key, padding: cryptoConstants.RSA_PKCS1_PSS_PADDING, saltLength: cryptoConstants.RSA_PSS_SALTLEN_DIGEST }
              : key;
            resolve(new Uint8Array(cryptoSign(hash, data, k)));
          } catch (e) {
            reject(e);
          }
        }),
      ),
  };
}

function makeContext(cfg: Config, server: boolean, ticketKey: Uint8Array | undefined): TLSContext {
  const o: TLSContextOptions = { ...versionRange(cfg) };
  const certFile = cfg['-cert-file'] as string | undefined;
  const keyFile = cfg['-key-file'] as string | undefined;
  if ((certFile === undefined) !== (keyFile === undefined)) fail('-cert-file and -key-file go together');
  if (certFile && keyFile) {
    o.cert = pemCerts(certFile);
    o.key = cfg['-async'] ? asyncSigner(readFileSync(keyFile, 'latin1')) : readFileSync(keyFile, 'latin1');
  }
  const verifyPeer = cfg['-verify-peer'] === true;
  const requireAny = cfg['-require-any-client-certificate'] === true;
  const verifyFail = cfg['-verify-fail'] === true;
  // BoringSSL's verify callback refuses only under -verify-fail, and the
  // refusal fails the handshake only when verification is on (SSL_VERIFY_PEER:
  // a client with -verify-peer, a server asking for a certificate).
  const refuse = verifyFail && (verifyPeer || requireAny);
  const answer = !refuse ? 0 : cfg['-use-custom-verify-callback'] ? ALERT_CERTIFICATE_UNKNOWN : ALERT_HANDSHAKE_FAILURE;
  o.verify = 'external';
  if (cfg['-use-custom-verify-callback'] && cfg['-async']) {
    // ssl_verify_retry first: the handshake pauses (WANT_RETRY_VERIFY).
    o.onVerify = () => new Promise((resolve) => setImmediate(() => resolve(answer)));
  } else o.onVerify = () => answer;
  if (server) o.clientCert = requireAny ? 'require' : verifyPeer ? 'request' : 'none';
  if (!server && cfg['-advertise-alpn'] !== undefined) o.alpn = alpnWire(cfg['-advertise-alpn'] as string);
  if (server && cfg['-select-alpn'] !== undefined && !cfg['-decline-alpn']) o.alpn = [cfg['-select-alpn'] as string];
  if (cfg['-curves']) o.groups = cfg['-curves'] as number[];
  // wasmtls has one signature scheme list: what we sign with, and what we
  // accept and advertise (signature_algorithms in ClientHello or
  // CertificateRequest). BoringSSL has two. One flag maps onto it only
  // where the other use cannot arise: signing prefs on a server that asks
  // for no client certificate, verify prefs on a client with no certificate.
  const sign = cfg['-signing-prefs'] as number[] | undefined;
  const verifyPrefs = cfg['-verify-prefs'] as number[] | undefined;
  if (sign) {
    if (!server || verifyPeer || requireAny || verifyPrefs)
      unimplemented('-signing-prefs where it would also change the schemes we accept (one list in wasmtls)');
    o.sigalgs = sign;
  }
  if (verifyPrefs) {
    if (server || certFile) unimplemented('-verify-prefs where it would also change the schemes we sign with (one list in wasmtls)');
    o.sigalgs = verifyPrefs;
  }
  if (server && ticketKey) o.ticketKey = ticketKey;
  if (cfg['-partial-write']) o.mode = SSL_MODE_ENABLE_PARTIAL_WRITE;
  // Largest handshake message: BoringSSL's default SSL_MAX_CERT_LIST_DEFAULT
  // (100 KiB), or -max-cert-list (SSL_set_max_cert_list).
  const maxCertList = (cfg['-max-cert-list'] as number | undefined) || 100 * 1024;
  if (maxCertList < 4096) unimplemented(`-max-cert-list ${maxCertList} (wasmtls's smallest handshake limit is 4096)`);
  o.bufferSizes = { handshakeMax: maxCertList };
  try {
    return new TLSContext(o);
  } catch (e) {
    // A group, scheme or key type wasmtls does not have (P-521, ...).
    unimplemented(`configuration refused: ${(e as Error).message}`);
  }
}

// ---- DoConnection / DoExchange -------------------------------------------------

interface Outcome {
  session: Uint8Array | undefined;
}

function checkHandshake(conn: Connection, cfg: Config, server: boolean, isResume: boolean): void {
  const ev = cfg['-expect-version'] as number | undefined;
  if (!conn.version) fail('no version after the handshake');
  const got = VERSIONS[conn.version];
  if (ev !== undefined && ev !== got) fail(`want version ${ev.toString(16)}, got ${got.toString(16)}`);
  if (cfg['-expect-extended-master-secret'] && !conn.extendedMasterSecret && got === TLS12) {
    fail('No EMS for connection when expected');
  }
  if (cfg['-expect-secure-renegotiation'] && !conn.secureRenegotiation) fail('No secure renegotiation for connection when expected');
  if (cfg['-expect-no-secure-renegotiation'] && conn.secureRenegotiation) fail('Secure renegotiation unexpectedly negotiated');
  const expectResume = isResume && !cfg['-expect-session-miss'];
  if (conn.sessionReused !== expectResume) fail(`session unexpectedly was${conn.sessionReused ? '' : ' not'} reused`);
  if (!conn.isInitFinished) fail('handshake was not completed');
  const esn = cfg['-expect-server-name'] as string | undefined;
  if (esn !== undefined && conn.serverName !== esn) fail(`servername mismatch (got ${conn.serverName}; want ${esn})`);
  if (cfg['-expect-no-server-name'] && conn.serverName !== undefined) fail(`unexpected server name ${conn.serverName}`);
  // Checked even without flags (then: no ALPN). A server reports what its
  // selection gave: -select-alpn, or nothing under -decline-alpn.
  const wantAlpn = server
    ? cfg['-decline-alpn']
      ? ''
      : ((cfg['-select-alpn'] as string | undefined) ?? '')
    : ((cfg['-expect-alpn'] as string | undefined) ?? '');
  const gotAlpn = conn.alpnProtocol ?? '';
  if (gotAlpn !== wantAlpn) fail(`negotiated alpn proto mismatch (got "${gotAlpn}", want "${wantAlpn}")`);
  const esa = cfg['-expect-peer-signature-algorithm'] as number | undefined;
  if (esa !== undefined && esa !== 0) {
    // BoringSSL reports the original handshake's scheme on resumption;
    // wasmtls sessions do not keep it.
    if (conn.sessionReused && !conn.peerSignatureScheme)
      unimplemented('-expect-peer-signature-algorithm on a resumed connection (sessions keep no peer signature scheme)');
    const got = conn.peerSignatureScheme ? SIGALG_CODES[conn.peerSignatureScheme] : 0;
    if (got !== esa) fail(`Peer signature algorithm was ${got.toString(16)}, wanted ${esa.toString(16)}.`);
  }
  const ec = cfg['-expect-curve-id'] as number | undefined;
  if (ec !== undefined && ec !== 0) {
    const got = conn.group ? GROUP_CODES[conn.group] : 0;
    if (got !== ec) fail(`curve_id was ${got.toString(16)}, wanted ${ec.toString(16)}`);
  }
  const suite = conn.cipher ? SUITE_CODES[conn.cipher] : 0;
  for (const f of ['-expect-cipher', '-expect-cipher-no-aes'] as const) {
    const want = cfg[f] as number | undefined;
    if (want !== undefined && want !== 0 && want !== suite) fail(`Cipher ID was ${suite.toString(16)}, wanted ${want.toString(16)} (${f})`);
  }
  if (cfg['-expect-hrr'] && !conn.hrrSeen) fail('Got no HRR, but wanted opposite.');
  if (cfg['-expect-no-hrr'] && conn.hrrSeen) fail('Got HRR, but wanted opposite.');
  // Peer certificates. wasmtls keeps no peer chain in a session, so a
  // resumed connection has none to show (BoringSSL shows the session's).
  const chain = conn.peerCertificates;
  const have = chain !== undefined && chain.length > 0;
  if (cfg['-expect-no-peer-cert']) {
    if (have) fail('Received unexpected peer certificate.');
  } else if ((!server || cfg['-require-any-client-certificate']) && !conn.sessionReused && !have) {
    fail('Received no peer certificate but expected one.');
  }
  const epc = cfg['-expect-peer-cert-file'] as string | undefined;
  if (epc !== undefined) {
    if (conn.sessionReused) unimplemented('-expect-peer-cert-file on a resumed connection (sessions keep no peer chain)');
    const want = pemCerts(epc);
    if (!chain || chain.length !== want.length) fail(`Received a chain of length ${chain?.length ?? 0} instead of ${want.length}.`);
    want.forEach((w, i) => {
      if (!equal(w, chain[i])) fail(`Chain certificate ${i} did not match.`);
    });
  }
}

async function doConnection(
  cfg: Config,
  server: boolean,
  isResume: boolean,
  ticketKey: Uint8Array | undefined,
  offer: Uint8Array | undefined,
  shimId: bigint,
): Promise<Outcome> {
  const ctx = makeContext(cfg, server, ticketKey);
  const conn = new Connection(ctx);
  if (server) conn.setAcceptState();
  else conn.setConnectState();
  const host = cfg['-host-name'] as string | undefined;
  if (host !== undefined) {
    try {
      conn.setServerName(host);
    } catch (e) {
      fail(`SSL_set_tlsext_host_name: ${(e as Error).message}`);
    }
  }
  if (offer) conn.setSession(offer);
  if (cfg['-async']) conn.network.setCap(1);

  const sock = net.connect({ host: cfg['-ipv6'] ? '::1' : '127.0.0.1', port: cfg['-port'] as number, noDelay: true });
  await new Promise<void>((resolve, reject) => {
    sock.once('connect', resolve);
    sock.once('error', reject);
  });
  const io = new Transport(sock);
  const id = Buffer.alloc(8);
  id.writeBigUInt64LE(shimId);
  sock.write(id);
  const ticketsBefore = conn.ticketsReceived;
  try {
    await doExchange(conn, io, cfg, server, isResume);
    let session: Uint8Array | undefined;
    if (!server) {
      // TLS 1.3: tickets come after the handshake; bssl_shim expects one
      // unless told otherwise (or the shim shut down before reading). TLS
      // 1.2: the session is made in the handshake, and a resumed one is
      // new only when the server renewed its ticket (bssl_shim:
      // !SSL_session_reused || -expect-ticket-renewal).
      const got = conn.ticketsReceived > ticketsBefore;
      const want =
        !cfg['-expect-no-session'] &&
        (conn.version === 'TLSv1.2' ? !conn.sessionReused || cfg['-expect-ticket-renewal'] === true : !cfg['-shim-shuts-down']);
      if (got !== want) fail(`new session was${got ? '' : ' not'} cached, but we expected the opposite`);
      if (got) session = conn.getSession();
    }
    await shutdown(conn, io, cfg);
    return { session };
  } catch (e) {
    io.flush(conn); // the alert, if the engine has one to send
    const err = conn.error;
    if (err && !(e instanceof Unimplemented)) process.stderr.write(`SSL error: ${err.message} (code 0x${err.engineCode.toString(16)})\n`);
    throw e;
  } finally {
    await io.close();
    conn.dispose();
    ctx.dispose();
  }
}

async function doExchange(conn: Connection, io: Transport, cfg: Config, server: boolean, isResume: boolean): Promise<void> {
  if (!cfg['-implicit-handshake']) {
    const r = await retry(conn, io, cfg, () => conn.doHandshake());
    if (r !== 1) fail(`SSL_do_handshake: ${conn.getError(r)}`);
    checkHandshake(conn, cfg, server, isResume);
    if (cfg['-handshake-twice']) {
      const r2 = await retry(conn, io, cfg, () => conn.doHandshake());
      if (r2 !== 1) fail('second SSL_do_handshake failed');
    }
    if (cfg['-no-op-extra-handshake'] && conn.doHandshake() !== 1) fail('Extra SSL_do_handshake was not a no-op.');
  }
  if (cfg['-write-different-record-sizes']) {
    // Record sizes around the 16 KiB boundary (bssl_shim's kRecordSizes).
    const buf = new Uint8Array(32769).fill(0x42);
    for (const len of [0, 1, 255, 256, 257, 16383, 16384, 16385, 32767, 32768, 32769]) {
      if (len > 0) await writeAll(conn, io, cfg, buf.subarray(0, len));
    }
    return;
  }
  const initial = new Uint8Array(Buffer.from((cfg['-shim-initial-write'] as string | undefined) ?? 'hello', 'latin1'));
  let pendingWrite: Uint8Array | undefined;
  if (cfg['-read-with-unfinished-write']) {
    // bssl_shim lets one byte of the record through and leaves SSL_write
    // at WANT_WRITE; reads go on with the write unfinished, and the first
    // successful read is followed by the retry with the same buffer. Here
    // the outgoing side is capped at one byte (-async) and one byte leaves.
    if (!cfg['-async']) fail('-read-with-unfinished-write requires -async.');
    const r = conn.write(initial);
    if (r > 0 || conn.getError(r) !== 'WANT_WRITE') fail('Failed to leave unfinished write.');
    io.sock.write(conn.network.read(1));
    pendingWrite = initial;
  } else if (cfg['-shim-writes-first']) {
    const times = (cfg['-repeat-shim-initial-write'] as number | undefined) ?? 1;
    for (let i = 0; i < times; i++) await writeAll(conn, io, cfg, initial);
  }
  if (cfg['-shim-shuts-down']) return;
  const size = (cfg['-read-size'] as number | undefined) || 512; // records may span reads
  for (;;) {
    if (cfg['-key-update-before-read'] && !conn.keyUpdate(false)) fail('SSL_key_update failed.');
    const buf = new Uint8Array(size);
    const n = await doRead(conn, io, cfg, buf);
    const err = conn.getError(n);
    if (err === 'ZERO_RETURN' || (n === 0 && err === 'SYSCALL')) break; // clean or unclean shutdown
    if (n <= 0) fail(`SSL_read: ${err}`);
    if (!conn.isInitFinished) fail('handshake was not completed after SSL_read');
    if (pendingWrite) {
      await writeAll(conn, io, cfg, pendingWrite);
      pendingWrite = undefined;
    }
    if (cfg['-key-update'] && !conn.keyUpdate(false)) fail('SSL_key_update failed.');
    const out = buf.slice(0, n);
    for (let i = 0; i < n; i++) out[i] ^= 0xff;
    await writeAll(conn, io, cfg, out);
  }
}

async function shutdown(conn: Connection, io: Transport, cfg: Config): Promise<void> {
  // Without -check-close-notify BoringSSL's shim sets quiet shutdown:
  // SSL_shutdown returns 1 and sends nothing. That is not calling it.
  if (!cfg['-check-close-notify']) return;
  // SSL_shutdown's 0 is a result, not a WANT: only negative results retry.
  let r: number;
  for (;;) {
    r = conn.shutdown();
    io.flush(conn);
    if (r >= 0) break;
    const e = conn.getError(r);
    if (e === 'WANT_READ') await io.feed(conn, cfg['-async'] ? 1 : undefined);
    else if (e !== 'WANT_WRITE') fail(`SSL_shutdown: ${e} ${conn.error?.message ?? ''}`);
  }
  if (cfg['-shim-shuts-down']) {
    // We go first: 0 once our close_notify is out, then 1 with the peer's.
    if (r !== 0) fail(`Unexpected SSL_shutdown result: ${r} != 0`);
    for (;;) {
      r = conn.shutdown();
      io.flush(conn);
      if (r === 1) break;
      const e = conn.getError(r);
      if (r < 0 && e !== 'WANT_READ' && e !== 'WANT_WRITE') fail(`SSL_shutdown: ${e} ${conn.error?.message ?? ''}`);
      await io.feed(conn, cfg['-async'] ? 1 : undefined);
    }
  }
  if (r !== 1) fail(`Unexpected SSL_shutdown result: ${r} != 1`);
}

// ---- main ---------------------------------------------------------------------

async function main(argv: string[]): Promise<number> {
  const { initial, resume } = parseFlags(argv);
  if (initial['-is-handshaker-supported']) {
    process.stdout.write('No\n');
    return 0;
  }
  const server = initial['-server'] === true;
  const renego = initial['-expect-total-renegotiations'] as number | undefined;
  if (renego !== undefined && renego !== 0) unimplemented('renegotiation (TLS 1.2)');
  checkVersions(initial);
  checkVersions(resume);
  const wasmPath = process.env.WASMTLS_WASM ?? new URL('../../dist/wasmtls.wasm', import.meta.url);
  initSync(readFileSync(wasmPath));
  // BoringSSL servers issue tickets under a key shared by the resumption
  // connections (SetupCtx copies it); -no-ticket turns them off.
  const resumeCount = (initial['-resume-count'] as number | undefined) ?? 0;
  const ticketKey = crypto.getRandomValues(new Uint8Array(32));
  const shimId = BigInt((initial['-shim-id'] as string) ?? '0');
  let session: Uint8Array | undefined;
  for (let i = 0; i <= resumeCount; i++) {
    const isResume = i > 0;
    const cfg = isResume ? resume : initial;
    if (isResume && !server && !session) fail('No session to offer.');
    const out = await doConnection(cfg, server, isResume, cfg['-no-ticket'] ? undefined : ticketKey, server ? undefined : session, shimId);
    session = out.session;
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.stderr.write('--- DONE ---\n');
    process.exit(code);
  },
  (e: unknown) => {
    if (e instanceof Unimplemented) {
      process.stderr.write(`unimplemented: ${e.message}\n--- DONE ---\n`);
      process.exit(UNIMPLEMENTED);
    }
    process.stderr.write(`${e instanceof Failure ? e.message : `shim error: ${(e as Error)?.stack ?? String(e)}`}\n--- DONE ---\n`);
    process.exit(1);
  },
);
