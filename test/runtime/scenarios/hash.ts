/** Hash family: known answers typed from FIPS 180-4, RFC 4231, RFC 5869. */
import { digest, Hash, hkdf, hmac } from '../../../ts/core/hash.js';
import { check, enc, hex, unhex } from './util.js';

export const name = 'hash';

export function run(): void {
  check(hex(digest('SHA-256', enc('abc'))), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad', 'SHA-256(abc)');
  const h = new Hash('SHA-384').update(enc('ab'));
  const fork = h.clone();
  h.update(enc('c'));
  check(
    hex(h.digest()),
    'cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7',
    'SHA-384(abc)',
  );
  check(hex(fork.update(enc('c')).digest()), hex(h.digest()), 'cloned SHA-384');
  h.dispose();
  fork.dispose();
  check(
    hex(hmac('SHA-512', enc('Jefe'), enc('what do ya want for nothing?'))),
    '164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737',
    'HMAC-SHA-512',
  );
  check(
    hex(hkdf('SHA-256', new Uint8Array(22).fill(11), unhex('000102030405060708090a0b0c'), unhex('f0f1f2f3f4f5f6f7f8f9'), 42)),
    '3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865',
    'HKDF-SHA-256',
  );
}
