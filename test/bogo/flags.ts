/**
 * BoGo shim flags: the parser for the flags BoringSSL's runner passes
 * (ssl/test/test_config.cc is the contract), and the list of those this
 * shim implements over the SSL object.
 *
 * Every flag the runner can pass is either implemented here (its value
 * lands in a Config field that the shim acts on or checks), or makes the
 * shim exit 89 ("unimplemented", PORTING.md) with the flag's name on
 * stderr. Nothing is silently ignored: the only accepted no-ops are flags
 * that BoringSSL's own shim ignores too (-trust-cert), or whose meaning
 * is already what wasmtls does in every case (noted beside each).
 *
 * @module
 */

/** Exit code the runner reads as "this shim does not implement that". */
export const UNIMPLEMENTED = 89;

export class Unimplemented extends Error {}

/** The parameter kinds of test_config.cc, for the flags we accept. */
type Kind = 'bool' | 'int' | 'string' | 'intvec';

/** Flags this shim implements, with their kind (test_config.cc). */
export const IMPLEMENTED: Record<string, Kind> = {
  '-port': 'int',
  '-shim-id': 'string', // a uint64: kept as text, written as 8 bytes LE
  '-ipv6': 'bool',
  '-server': 'bool',
  '-resume-count': 'int',
  '-is-handshaker-supported': 'bool',
  '-cert-file': 'string',
  '-key-file': 'string',
  // BoringSSL's shim parses -trust-cert and never uses it (the runner's
  // chain is never validated by the shim: SSL_VERIFY_NONE or a callback).
  '-trust-cert': 'string',
  '-min-version': 'int',
  '-max-version': 'int',
  '-expect-version': 'int',
  // SSL_OP_NO_TLSv1_3 / _2 narrow the range (shim.ts versionRange); TLS 1.1
  // and 1.0 are not implemented, so turning them off changes nothing.
  '-no-tls13': 'bool',
  '-no-tls12': 'bool',
  '-no-tls11': 'bool',
  '-no-tls1': 'bool',
  // TLS 1.2: SSL_get_extms_support / SSL_get_secure_renegotiation_support.
  '-expect-extended-master-secret': 'bool',
  '-expect-secure-renegotiation': 'bool',
  '-expect-no-secure-renegotiation': 'bool',
  '-host-name': 'string',
  '-expect-server-name': 'string',
  '-expect-no-server-name': 'bool',
  '-advertise-alpn': 'string',
  '-expect-alpn': 'string',
  '-select-alpn': 'string',
  '-decline-alpn': 'bool',
  '-curves': 'intvec',
  '-expect-curve-id': 'int',
  '-expect-cipher': 'int',
  // Checked only when the machine has AES instructions (EVP_has_aes_hardware);
  // WebAssembly has none, so BoringSSL's shim skips the check on such hosts.
  '-expect-cipher-aes': 'int',
  '-expect-cipher-no-aes': 'int',
  '-expect-peer-signature-algorithm': 'int',
  '-signing-prefs': 'intvec',
  '-verify-prefs': 'intvec',
  '-require-any-client-certificate': 'bool',
  '-verify-peer': 'bool',
  '-verify-fail': 'bool',
  '-use-custom-verify-callback': 'bool',
  '-expect-peer-cert-file': 'string',
  '-expect-no-peer-cert': 'bool',
  '-shim-writes-first': 'bool',
  '-shim-initial-write': 'string',
  '-repeat-shim-initial-write': 'int',
  '-read-size': 'int',
  '-peek-then-read': 'bool',
  '-async': 'bool',
  '-partial-write': 'bool',
  '-implicit-handshake': 'bool',
  '-handshake-twice': 'bool',
  '-no-op-extra-handshake': 'bool',
  '-write-different-record-sizes': 'bool',
  '-key-update': 'bool',
  '-key-update-before-read': 'bool',
  '-shim-shuts-down': 'bool',
  '-check-close-notify': 'bool',
  '-expect-session-miss': 'bool',
  '-expect-no-session': 'bool',
  // In TLS 1.3 BoringSSL's shim checks new sessions after the exchange
  // whatever this says (tickets are post-handshake); it only matters below 1.3.
  '-expect-ticket-renewal': 'bool',
  '-no-ticket': 'bool',
  '-expect-hrr': 'bool',
  '-expect-no-hrr': 'bool',
  // wasmtls never offers 0-RTT, which is what this asserts.
  '-expect-no-offer-early-data': 'bool',
  '-expect-total-renegotiations': 'int',
  '-max-cert-list': 'int',
  '-read-with-unfinished-write': 'bool',
};

/** One connection's settings (initial, resumption: -on-initial-/-on-resume-). */
export interface Config {
  [flag: string]: boolean | number | string | number[] | undefined;
}

export interface Parsed {
  initial: Config;
  resume: Config;
}

/**
 * Parse argv as test_config.cc's ParseConfig does: "-on-initial-",
 * "-on-resume-" and "-on-retry-" prefixes send a flag to one connection,
 * unprefixed flags go to all. Throws Unimplemented for a flag outside
 * {@link IMPLEMENTED} (the caller exits 89), Error for a malformed one.
 */
export function parseFlags(argv: string[]): Parsed {
  const initial: Config = {};
  const resume: Config = {};
  for (let i = 0; i < argv.length; i++) {
    let name = argv[i];
    let targets: Config[] = [initial, resume];
    if (name.startsWith('-on-shim-')) name = name.slice('-on-shim'.length);
    else if (name.startsWith('-on-handshaker-')) {
      // Only for the split handshaker, which we say we do not have.
      throw new Unimplemented(`flag ${name} (split handshaker)`);
    }
    if (name.startsWith('-on-initial-')) {
      name = name.slice('-on-initial'.length);
      targets = [initial];
    } else if (name.startsWith('-on-resume-')) {
      name = name.slice('-on-resume'.length);
      targets = [resume];
    } else if (name.startsWith('-on-retry-')) {
      // The retry connection exists only after a 0-RTT rejection: no 0-RTT here.
      throw new Unimplemented(`flag ${argv[i]} (0-RTT retry)`);
    }
    const kind = IMPLEMENTED[name];
    if (kind === undefined) throw new Unimplemented(`flag ${name}`);
    let value: boolean | number | string;
    if (kind === 'bool') value = true;
    else {
      if (i + 1 >= argv.length) throw new Error(`missing parameter for ${name}`);
      const p = argv[++i];
      if (kind === 'string') value = p;
      else {
        if (!/^-?\d+$/.test(p)) throw new Error(`invalid parameter for ${name}: ${p}`);
        value = Number(p);
      }
    }
    for (const t of targets) {
      if (kind === 'intvec') ((t[name] as number[] | undefined) ?? (t[name] = [])).push(value as number);
      else t[name] = value;
    }
  }
  return { initial, resume };
}
