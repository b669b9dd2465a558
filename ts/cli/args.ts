/**
 * OpenSSL-style flags for the CLI (`-connect host:port`, `-brief`): one
 * table per command gives each flag's kind and help line, so parsing and
 * the usage text cannot drift apart. `--flag` is accepted too.
 * @module
 */
import { SUITES12, suite12Code, type TLSVersion } from '../core/codepoints.js';

/** A flag: `'bool'` takes no value, `'string'` and `'int'` take the next word. */
export interface FlagSpec {
  kind: 'bool' | 'string' | 'int';
  /** The value's placeholder in the usage text (`host:port`). */
  arg?: string;
  help: string;
}

export type FlagTable = Record<string, FlagSpec>;
export type Flags = Record<string, string | number | boolean | undefined>;

/** Bad command line: the CLI prints the message and the command's usage. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A failure to report as `wasmtls <cmd>: <message>` with exit status 1. */
export class CliError extends Error {
  /** Lines printed before the message (OpenSSL's `verify error:...`). */
  readonly before: string[];
  constructor(message: string, options?: { cause?: unknown; before?: string[] }) {
    super(message, options);
    this.name = 'CliError';
    this.before = options?.before ?? [];
  }
}

export function parseFlags(argv: readonly string[], table: FlagTable): Flags {
  const out: Flags = {};
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i];
    if (!word.startsWith('-') || word === '-' || word === '--') throw new UsageError(`unexpected argument '${word}'`);
    const name = word.replace(/^--?/, '');
    const spec = Object.hasOwn(table, name) ? table[name] : undefined;
    if (!spec) throw new UsageError(`unknown option -${name}`);
    if (spec.kind === 'bool') {
      out[name] = true;
      continue;
    }
    const value = argv[++i];
    if (value === undefined) throw new UsageError(`-${name} needs a value (${spec.arg ?? spec.kind})`);
    if (spec.kind === 'int') {
      if (!/^\d+$/.test(value)) throw new UsageError(`-${name}: expected a non-negative integer, got '${value}'`);
      out[name] = Number(value);
    } else out[name] = value;
  }
  return out;
}

export function usage(synopsis: string, table: FlagTable): string {
  const rows = Object.entries(table).map(([n, s]) => [`-${n}${s.arg ? ` ${s.arg}` : ''}`, s.help]);
  const w = Math.max(...rows.map((r) => r[0].length));
  return `usage: ${synopsis}\n${rows.map(([a, h]) => `  ${a.padEnd(w)}  ${h}`).join('\n')}\n`;
}

/**
 * `host:port`, `[v6]:port`, or (with `defaultHost`) a bare `port`.
 * Ports 0..65535; 0 lets a listener pick one.
 */
export function hostPort(text: string, flag: string, defaultHost?: string): { host: string; port: number } {
  let host: string | undefined;
  let port: string;
  const v6 = /^\[([^\]]+)\]:(\d+)$/.exec(text);
  if (v6) [, host, port] = v6;
  else if (/^\d+$/.test(text) && defaultHost !== undefined) port = text;
  else {
    const i = text.lastIndexOf(':');
    if (i <= 0) throw new UsageError(`-${flag}: expected host:port, got '${text}'`);
    host = text.slice(0, i);
    port = text.slice(i + 1);
  }
  const n = Number(port);
  if (!/^\d+$/.test(port) || n > 65535) throw new UsageError(`-${flag}: bad port in '${text}'`);
  return { host: host ?? defaultHost!, port: n };
}

// ---- OpenSSL's colon-separated lists (-groups, -ciphersuites, -sigalgs) ----------

const GROUP_NAMES: Record<string, string> = {
  x25519: 'x25519',
  'p-256': 'secp256r1',
  prime256v1: 'secp256r1',
  secp256r1: 'secp256r1',
  'p-384': 'secp384r1',
  secp384r1: 'secp384r1',
  x25519mlkem768: 'X25519MLKEM768',
};

const SUITE_NAMES = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256'] as const;

// OpenSSL's two spellings of a TLS 1.3 signature scheme: the IANA name
// (`ecdsa_secp256r1_sha256`) and `ALG+HASH` (`ECDSA+SHA256`, `RSA-PSS+SHA256`
// for rsa_pss_rsae, `PSS+SHA256` for rsa_pss_pss), ssl/t1_lib.c sig_cb.
const SIGALG_NAMES: Record<string, string> = {
  'ecdsa+sha256': 'ecdsa_secp256r1_sha256',
  'ecdsa+sha384': 'ecdsa_secp384r1_sha384',
  ed25519: 'ed25519',
  'rsa-pss+sha256': 'rsa_pss_rsae_sha256',
  'rsa-pss+sha384': 'rsa_pss_rsae_sha384',
  'rsa-pss+sha512': 'rsa_pss_rsae_sha512',
  'pss+sha256': 'rsa_pss_pss_sha256',
  'pss+sha384': 'rsa_pss_pss_sha384',
  'pss+sha512': 'rsa_pss_pss_sha512',
  'rsa+sha256': 'rsa_pkcs1_sha256',
  'rsa+sha384': 'rsa_pkcs1_sha384',
  'rsa+sha512': 'rsa_pkcs1_sha512',
};
for (const v of new Set(Object.values(SIGALG_NAMES))) SIGALG_NAMES[v] = v;

function list(text: string, flag: string): string[] {
  const items = text.split(':').map((s) => s.trim());
  if (items.some((s) => s === '')) throw new UsageError(`-${flag}: expected a colon-separated list, got '${text}'`);
  return items;
}

/** `-groups X25519:P-256`: OpenSSL's names (case-insensitive) to ours. */
export function groupList(text: string, flag = 'groups'): string[] {
  return list(text, flag).map((g) => {
    const n = GROUP_NAMES[g.toLowerCase()];
    if (!n) throw new UsageError(`-${flag}: unsupported group '${g}' (supported: X25519, P-256, P-384, X25519MLKEM768)`);
    return n;
  });
}

/** `-ciphersuites TLS_AES_128_GCM_SHA256:...`: TLS 1.3 suites, OpenSSL's (= IANA) names. */
export function suiteList(text: string, flag = 'ciphersuites'): (typeof SUITE_NAMES)[number][] {
  return list(text, flag).map((s) => {
    const n = SUITE_NAMES.find((x) => x === s);
    if (!n) throw new UsageError(`-${flag}: unsupported TLS 1.3 cipher suite '${s}' (supported: ${SUITE_NAMES.join(', ')})`);
    return n;
  });
}

/**
 * `-cipher ECDHE-RSA-AES128-GCM-SHA256:...`: the TLS 1.2 suites, preference
 * order, by OpenSSL's names or IANA's; as in OpenSSL, TLS 1.3 suites go in
 * `-ciphersuites`. Returned as the cipher list connect() / accept() take.
 */
export function cipherList(text: string, flag = 'cipher'): string {
  const items = list(text, flag);
  for (const s of items) {
    if (suite12Code(s) !== undefined) continue;
    const hint = (SUITE_NAMES as readonly string[]).includes(s) ? '; TLS 1.3 suites go in -ciphersuites' : '';
    throw new UsageError(
      `-${flag}: unsupported TLS 1.2 cipher suite '${s}' ` +
        `(supported: ${SUITES12.map((x) => x.name).join(', ')}, or their IANA names)${hint}`,
    );
  }
  return items.join(':');
}

/** The version flags of s_client / s_server, OpenSSL's: `-tls1_2` and
 * `-tls1_3` speak only that version, `-no_tls1_2` / `-no_tls1_3` leave one
 * out. Returns the range to pass (undefined bounds: the defaults). */
export function versionFlags(f: Flags): { minVersion?: TLSVersion; maxVersion?: TLSVersion } {
  const only = ['tls1_2', 'tls1_3'].filter((n) => f[n]);
  const no = ['no_tls1_2', 'no_tls1_3'].filter((n) => f[n]);
  if (only.length > 1) throw new UsageError('-tls1_2 and -tls1_3 exclude each other (give neither for both)');
  if (no.length > 1) throw new UsageError('-no_tls1_2 and -no_tls1_3 leave no protocol version');
  if (only.length && no.length) {
    if (only[0].slice(-1) === no[0].slice(-1)) throw new UsageError(`-${only[0]} and -${no[0]} leave no protocol version`);
    // `-tls1_3 -no_tls1_2`: the -no_ adds nothing.
  }
  if (f.tls1_2 || f.no_tls1_3) return { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' };
  if (f.tls1_3 || f.no_tls1_2) return { minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3' };
  return {};
}

/** The rows of {@link FlagTable} for the version and cipher flags, the
 * same in s_client and s_server. */
export const PROTOCOL_FLAGS: FlagTable = {
  tls1_2: { kind: 'bool', help: 'speak only TLS 1.2' },
  tls1_3: { kind: 'bool', help: 'speak only TLS 1.3' },
  no_tls1_2: { kind: 'bool', help: 'do not speak TLS 1.2' },
  no_tls1_3: { kind: 'bool', help: 'do not speak TLS 1.3' },
  cipher: {
    kind: 'string',
    arg: 'c1:c2',
    help:
      'TLS 1.2 cipher suites, preference order (ECDHE-ECDSA-CHACHA20-POLY1305, ' +
      'ECDHE-RSA-AES128-GCM-SHA256, ...: ECDHE with AES-GCM or ChaCha20-Poly1305 only)',
  },
  ciphersuites: { kind: 'string', arg: 's1:s2', help: 'TLS 1.3 cipher suites, preference order (TLS_AES_128_GCM_SHA256, ...)' },
};

/** `-sigalgs ECDSA+SHA256:rsa_pss_rsae_sha256`: either OpenSSL spelling. */
export function sigalgList(text: string, flag = 'sigalgs'): string[] {
  return list(text, flag).map((s) => {
    const n = SIGALG_NAMES[s.toLowerCase()];
    if (!n) throw new UsageError(`-${flag}: unsupported signature algorithm '${s}'`);
    return n;
  });
}
