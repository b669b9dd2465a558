/**
 * `ca` takes what Node's tls takes (issue #13): a PEM string, PEM bytes
 * (a Buffer read from a .pem file), DER bytes, or an array mixing any of
 * them - in the SSL object's TLSContext, in connect() and in wasmtls/node.
 * The oracle: each shape validates our server's chain in a real handshake
 * (policy 'chain'), and a list without the right anchor is refused with
 * unknown_ca, as Node's own tls refuses it.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Connection, TLSContext } from '../ts/core/connection.js';
import { TLSError } from '../ts/core/errors.js';
import { handshake } from '../ts/core/pump.js';
import { useBuild } from './helpers/env.js';
import { makeTestCerts, type TestCerts } from './helpers/tls-certs.js';

useBuild('simd');
let certs: TestCerts;
beforeAll(async () => {
  certs = await makeTestCerts();
}, 60_000);
afterAll(() => certs?.dispose());

function shake(ca: ConstructorParameters<typeof TLSContext>[0] extends infer O ? (O extends { ca?: infer C } ? C : never) : never): void {
  const srv = certs.server['ecdsa-p256'];
  const sctx = new TLSContext({ cert: srv.certPem, key: srv.keyPem });
  const cctx = new TLSContext({ verify: 'chain', ca });
  const c = new Connection(cctx),
    s = new Connection(sctx);
  try {
    c.setConnectState();
    c.setServerName('localhost');
    s.setAcceptState();
    handshake(c, s);
    expect(c.verifyError).toBeUndefined();
  } finally {
    c.dispose();
    s.dispose();
    cctx.dispose();
    sctx.dispose();
  }
}

describe('ca shapes (Node tls parity)', () => {
  it('PEM string, PEM bytes, DER bytes', () => {
    const srv = certs.server['ecdsa-p256'];
    shake(srv.certPem);
    shake(new Uint8Array(readFileSync(srv.certPath))); // a Buffer of PEM, as fs.readFileSync gives
    shake(srv.certDer);
  });
  it('arrays of strings, of PEM bytes, and mixed with DER', () => {
    const srv = certs.server['ecdsa-p256'],
      other = certs.server.rsa2048;
    shake([srv.certPem]);
    shake([other.certPem, srv.certPem]);
    shake([new Uint8Array(readFileSync(other.certPath)), srv.certDer]);
    shake([other.certDer, new TextEncoder().encode(srv.certPem)]);
    // One PEM text holding several certificates, as a bundle file does.
    shake(other.certPem + srv.certPem);
  });
  it('without the right anchor: unknown_ca, whatever the shape', () => {
    const other = certs.server.rsa2048;
    for (const ca of [other.certPem, [other.certPem], [new Uint8Array(readFileSync(other.certPath))]]) {
      let err: unknown;
      try {
        shake(ca);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(TLSError);
      expect((err as TLSError).alert).toBe(48);
    }
  });
  it('an empty or certificate-less ca is a TypeError naming ca', () => {
    expect(() => new TLSContext({ verify: 'chain', ca: [] })).toThrow(/ca/);
    expect(() => new TLSContext({ verify: 'chain', ca: 'not a certificate' })).toThrow(/ca/);
  });
});
