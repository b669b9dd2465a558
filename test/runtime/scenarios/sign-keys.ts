/**
 * Keys that never enter the module (issue #17), in each runtime's own
 * WebCrypto: the P-256 key of scenarios/tls.ts imported as a
 * non-extractable CryptoKey signs for our server (TLS 1.3
 * CertificateVerify, TLS 1.2 ServerKeyExchange) and for our client's
 * certificate (CertificateVerify, TLS 1.3 and 1.2). The oracle is the
 * other side: our engine verifies each signature with the key in the
 * certificate, and the handshake fails (decrypt_error) when it does not
 * verify.
 */
import { Connection, TLSContext, type TLSVersion } from '../../../ts/core/connection.js';
import { handshakeAsync, transfer } from '../../../ts/core/pump.js';
import { cryptoKeySigner } from '../../../ts/core/signer.js';
import { P256_CRT } from './tls.js';
import { check, enc, hex, unhex } from './util.js';

export const name = 'sign-keys';

// The key of P256_CRT as PKCS #8 (WebCrypto imports that form).
const P256_PKCS8 = unhex(
  '308187020100301306072a8648ce3d020106082a8648ce3d030107046d306b0201010420957263997bc51f9054abca3ee267ad107b56d0a2c06dae9edc65f7dbe1' +
    'd15851a14403420004f6df6068aa6073f65a6026485b30928ef76282b53127f52cabe354876f4a7b29716941ef8637e3670319696ddbf0edd2930d1406f518a8' +
    '51f909e5fd50fa5dfe',
);

async function session(key: CryptoKey, version: TLSVersion, clientCert: boolean): Promise<void> {
  let signs = 0;
  const base = cryptoKeySigner(key);
  const signer = { schemes: base.schemes, sign: (s: Parameters<typeof base.sign>[0], d: Uint8Array) => (signs++, base.sign(s, d)) };
  let clientLeaf = '';
  const sctx = new TLSContext({
    cert: P256_CRT,
    key: clientCert ? P256_PKCS8 : signer,
    ...(clientCert && {
      verify: 'external' as const,
      onVerify: (chain: Uint8Array[]) => ((clientLeaf = hex(chain[0])), 0),
      clientCert: 'require' as const,
    }),
  });
  const cctx = new TLSContext({
    verify: 'external',
    onVerify: () => 0,
    maxVersion: version,
    ...(clientCert && { cert: P256_CRT, key: signer }),
  });
  const c = new Connection(cctx);
  const s = new Connection(sctx);
  try {
    c.setConnectState();
    s.setAcceptState();
    await handshakeAsync(c, s);
    check(c.version, version, 'version');
    check(signs, 1, 'one signature by the CryptoKey');
    const verifier = clientCert ? s : c;
    check(verifier.peerAuthenticated, true, 'the peer checked our signature');
    check(verifier.peerSignatureScheme, 'ecdsa_secp256r1_sha256', 'scheme');
    if (clientCert) check(clientLeaf, hex(P256_CRT), 'server saw our client certificate');
    check(s.write(enc('signed outside')), 14, 'server write');
    transfer(s, c);
    const r = c.readEx();
    check(r.ok && new TextDecoder().decode(r.data), 'signed outside', 'data');
  } finally {
    c.dispose();
    s.dispose();
    cctx.dispose();
    sctx.dispose();
  }
}

export async function run(): Promise<void> {
  const key = await crypto.subtle.importKey('pkcs8', new Uint8Array(P256_PKCS8), { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
  check(key.extractable, false, 'non-extractable');
  await session(key, 'TLSv1.3', false);
  await session(key, 'TLSv1.2', false);
  await session(key, 'TLSv1.3', true);
  await session(key, 'TLSv1.2', true);
}
