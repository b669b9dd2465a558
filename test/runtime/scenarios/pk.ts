/**
 * Public-key primitives: RFC 7748 6.1 and RFC 8032 7.1 test 1 typed in;
 * P-256 and ML-KEM-768 round trips, which draw entropy through the
 * module's env.wt_random import (the runtime's crypto.getRandomValues).
 */
import { ecdh, ecdhKeygen, ecdsaSign, ecdsaVerify } from '../../../ts/core/ecp.js';
import { ed25519Sign, ed25519Verify, x25519 } from '../../../ts/core/ec25519.js';
import { mlkem768Decapsulate, mlkem768Encapsulate, mlkem768Keygen } from '../../../ts/core/mlkem.js';
import { check, enc, hex, unhex } from './util.js';

export const name = 'pk';

export function run(): void {
  const alice = unhex('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a');
  const bobPub = unhex('de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f');
  check(hex(x25519(alice, bobPub)), '4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742', 'RFC 7748 6.1');
  const seed = unhex('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60');
  const sig = ed25519Sign(seed, new Uint8Array(0));
  check(
    hex(sig),
    'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
    'RFC 8032 test 1',
  );
  check(
    ed25519Verify(unhex('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a'), new Uint8Array(0), sig),
    true,
    'Ed25519 verify',
  );
  const a = ecdhKeygen('P-256');
  const b = ecdhKeygen('P-256');
  check(hex(ecdh('P-256', a.privateKey, b.publicKey)), hex(ecdh('P-256', b.privateKey, a.publicKey)), 'P-256 ECDH agreement');
  const msg = enc('runtime scenario');
  const s1 = ecdsaSign('P-256', a.privateKey, msg, { der: true });
  const s2 = ecdsaSign('P-256', a.privateKey, msg, { der: true });
  check(s1.length > 0 && hex(s1) !== hex(s2), true, 'hedged ECDSA signatures differ (fresh entropy)');
  check(ecdsaVerify('P-256', a.publicKey, msg, s1, { der: true }), true, 'ECDSA verify');
  const kp = mlkem768Keygen();
  const e = mlkem768Encapsulate(kp.publicKey);
  check(hex(mlkem768Decapsulate(kp.secretKey, e.ciphertext)), hex(e.sharedSecret), 'ML-KEM-768 round trip');
}
