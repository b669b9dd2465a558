/**
 * wasmtls: a TLS engine in one WebAssembly module.
 *
 * This entry re-exports the loader, the primitives, the SSL object and
 * connect() / accept().
 * @module
 */
export { fillRandom, init, initSync, instantiate, instantiateSync, simdSupported, useInstance, wasm, Wasm } from './core/loader.js';
export type { LoadOptions, MemoryUsage, WasmSource } from './core/loader.js';
export type { PemBlock } from './core/pem.js';
export {
  digest,
  Hash,
  Hmac,
  hmac,
  hkdf,
  hkdfExtract,
  hkdfExpand,
  hkdfExpandLabel,
  deriveSecret,
  hashLength,
} from './core/hash.js';
export type { HashName } from './core/hash.js';
export { Aead, AeadError } from './core/aead.js';
export type { AeadName } from './core/aead.js';
export * from './core/ec25519.js';
export * from './core/ecp.js';
export * from './core/rsa.js';
export * from './core/mlkem.js';
export * from './core/sha3.js';
export * from './core/x509.js';
export * from './core/connection.js';
export * from './core/signer.js';
export { accept, connect } from './api/tls.js';
export * from './core/ech.js';
export type { AcceptOptions, CommonOptions, ConnectOptions, TLSInfo, TLSSocket } from './api/tls.js';
export type { EarlyDataOutcome } from './api/early-data.js';
