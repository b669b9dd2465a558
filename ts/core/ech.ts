/**
 * Encrypted Client Hello (draft-ietf-tls-esni-22 and later, as deployed:
 * extension 0xfe0d, ECHConfig version 0xfe0d) over HPKE (RFC 9180):
 * making a server key and its ECHConfig, and reading an ECHConfigList as
 * users get it (bytes, or base64 from a DNS HTTPS record's `ech=`).
 * The protocol itself runs in the engine (crypto-src/tls/ech.c).
 *
 * @example
 * ```ts
 * import { init, generateEchKey, accept, connect } from 'wasmtls';
 * await init();
 * const key = generateEchKey({ publicName: 'public.example' });
 * // server: accept({ ..., ech: { keys: [key] } })
 * // client: connect({ ..., ech: { configList: key.configList } })
 * ```
 * @module
 */
import { x25519PublicKey } from './ec25519.js';
import { fillRandom } from './loader.js';

/** An HPKE symmetric suite of an ECHConfig (RFC 9180 7.2, 7.3 ids). */
export interface EchSuite {
  /** 0x0001 HKDF-SHA256 (the one KDF implemented). */
  kdf: number;
  /** 0x0001 AES-128-GCM, 0x0002 AES-256-GCM, 0x0003 ChaCha20-Poly1305. */
  aead: number;
}

/** Options of {@link generateEchKey}. */
export interface EchKeyOptions {
  /** The name the outer ClientHello carries and a client checks the
   * server's certificate against when ECH is rejected. */
  publicName: string;
  /** 0..255; default random. */
  configId?: number;
  /** Default AES-128-GCM then ChaCha20-Poly1305, both with HKDF-SHA256. */
  suites?: readonly EchSuite[];
  /** The longest inner name to hide by padding (draft 6.1.3); default 0. */
  maxNameLength?: number;
}

/** A server's ECH key: the ECHConfig (for `accept({ ech: { keys } })`),
 * the X25519 private key, and an ECHConfigList of this one config (what
 * a DNS HTTPS record's `ech=` publishes, base64). */
export interface EchKey {
  /** The ECHConfig (version, length, contents). */
  config: Uint8Array;
  /** The 32-byte X25519 private key: keep it like a TLS key. */
  privateKey: Uint8Array;
  /** An ECHConfigList holding `config` alone (what clients are given). */
  configList: Uint8Array;
}

const KEM_X25519_SHA256 = 0x0020;
const ECH_VERSION = 0xfe0d;

/**
 * A new ECH key: a random X25519 key pair (DHKEM(X25519, HKDF-SHA256))
 * and its ECHConfig (draft 4):
 * `version 0xfe0d, length, { config_id, kem_id, public_key, cipher_suites,
 * maximum_name_length, public_name, extensions (none) }`.
 * Requires the module: `await init()` first.
 */
export function generateEchKey(opts: EchKeyOptions): EchKey {
  const name = new TextEncoder().encode(opts.publicName);
  if (name.length === 0 || name.length > 255 || !/^[A-Za-z0-9._-]+$/.test(opts.publicName)) {
    throw new TypeError('generateEchKey: publicName must be a DNS name of 1 to 255 characters');
  }
  const suites = opts.suites ?? [
    { kdf: 1, aead: 1 },
    { kdf: 1, aead: 3 },
  ];
  if (suites.length === 0 || suites.length > 16000) throw new RangeError('generateEchKey: give 1 or more suites');
  const id = opts.configId ?? fillRandom(new Uint8Array(1))[0];
  const maxName = opts.maxNameLength ?? 0;
  for (const [v, what, max] of [
    [id, 'configId', 255],
    [maxName, 'maxNameLength', 255],
  ] as const) {
    if (!Number.isInteger(v) || (v as number) < 0 || (v as number) > max) throw new RangeError(`generateEchKey: ${what} must be 0..${max}`);
  }
  const privateKey = fillRandom(new Uint8Array(32));
  const pub = x25519PublicKey(privateKey);
  const contents = [
    id,
    ...u16(KEM_X25519_SHA256),
    ...u16(32),
    ...pub,
    ...u16(suites.length * 4),
    ...suites.flatMap((s) => [...u16(s.kdf), ...u16(s.aead)]),
    maxName,
    name.length,
    ...name,
    ...u16(0),
  ];
  const config = new Uint8Array([...u16(ECH_VERSION), ...u16(contents.length), ...contents]);
  const configList = new Uint8Array([...u16(config.length), ...config]);
  return { config, privateKey, configList };
}

function u16(n: number): number[] {
  if (!Number.isInteger(n) || n < 0 || n > 0xffff) throw new RangeError(`ECH: ${n} does not fit 16 bits`);
  return [n >> 8, n & 0xff];
}

/** An ECHConfigList from bytes, or from base64 text (the `ech=` value of
 * a DNS HTTPS record, RFC 9460 / draft-ietf-tls-svcb-ech). */
export function echConfigListBytes(list: Uint8Array | string): Uint8Array {
  if (list instanceof Uint8Array) return list;
  if (typeof list !== 'string' || !/^[A-Za-z0-9+/]+={0,2}$/.test(list.trim())) {
    throw new TypeError('ech.configList: give the ECHConfigList as bytes or base64 text');
  }
  const bin = atob(list.trim());
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** What became of ECH on a connection. */
export type EchStatus = 'accepted' | 'rejected' | 'not offered';
