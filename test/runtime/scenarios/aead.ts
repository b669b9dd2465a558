/** AEADs: RFC 8439 2.8.2 and GCM spec test case 2, typed in. */
import { Aead, AeadError } from '../../../ts/core/aead.js';
import { check, enc, hex, unhex } from './util.js';

export const name = 'aead';

export function run(): void {
  const key = unhex('808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f');
  const nonce = unhex('070000004041424344454647');
  const aad = unhex('50515253c0c1c2c3c4c5c6c7');
  const pt = enc("Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.");
  const c = new Aead('CHACHA20-POLY1305', key);
  const sealed = c.seal(nonce, pt, aad);
  check(hex(sealed.subarray(0, 16)), 'd31a8d34648e60db7b86afbc53ef7ec2', 'RFC 8439 2.8.2 ciphertext');
  check(hex(sealed.subarray(sealed.length - 16)), '1ae10b594f09e26a7e902ecbd0600691', 'RFC 8439 2.8.2 tag');
  check(hex(c.open(nonce, sealed, aad)), hex(pt), 'ChaCha20-Poly1305 open');
  sealed[0] ^= 1;
  let refused = false;
  try {
    c.open(nonce, sealed, aad);
  } catch (e) {
    refused = e instanceof AeadError;
  }
  check(refused, true, 'tampered ciphertext refused');
  c.dispose();
  const g = new Aead('AES-128-GCM', new Uint8Array(16));
  const s = g.seal(new Uint8Array(12), new Uint8Array(16));
  check(hex(s), '0388dace60b6a392f328c2b971b2fe78ab6e47d42cec13bdf53a67b21257bddf', 'GCM test case 2');
  g.dispose();
}
