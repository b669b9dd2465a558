/**
 * TLS 1.3 client <-> server in memory through the SSL object: a full
 * handshake with an Ed25519 certificate (X25519), one with a P-256
 * certificate over X25519MLKEM768 with ChaCha20-Poly1305, data both ways,
 * and an external verifier that sees the leaf. Key material typed in from
 * test/native/tls_testlib.h (made once with the openssl CLI).
 */
import { Connection, TLSContext, type CipherSuiteName, type GroupName } from '../../../ts/core/connection.js';
import { handshake, transfer } from '../../../ts/core/pump.js';
import { check, enc, hex, unhex } from './util.js';

export const name = 'tls';

const ED_KEY = unhex('302e020100300506032b65700422042083cb4ccd858ccd8f959c25aa407b5d2e2cd127baed7024d5a7119784520b9c83');
const ED_CRT = unhex(
  '308201443081f7a0030201020214200b0f3c2dcfe4250a1d6e257b3cea68e04ffc91300506032b657030173115301306035504030c0c7761736d746c732d7465' +
    '73743020170d3236313132373231343435325a180f32313236313130333231343435325a30173115301306035504030c0c7761736d746c732d74657374302a30' +
    '0506032b65700321009976fb60f17c31c86194e4454a18dad684f766f9c34d53be7e77b1ed003ff857a3533051301d0603551d0e04160414fcbb6681782e52ed' +
    '298e842e4383064e633dc243301f0603551d23041830168014fcbb6681782e52ed298e842e4383064e633dc243300f0603551d130101ff040530030101ff3005' +
    '06032b6570034100fc5e33ed2a1d2e8fee63cbd6932530cf835a2584326dd8ba19a903f5b0a0cfcd67d7e1331985991c728f23d6c400174ba3bd184450f7c1ca' +
    '9a7207227836840a',
);
const P256_KEY = unhex(
  '30770201010420957263997bc51f9054abca3ee267ad107b56d0a2c06dae9edc65f7dbe1d15851a00a06082a8648ce3d030107a14403420004f6df6068aa6073' +
    'f65a6026485b30928ef76282b53127f52cabe354876f4a7b29716941ef8637e3670319696ddbf0edd2930d1406f518a851f909e5fd50fa5dfe',
);
export const P256_CRT = unhex(
  '3082018f30820135a00302010202143229765286bba1585ccdf9d91c93ef2c7cc5947f300a06082a8648ce3d040302301c311a301806035504030c117761736d' +
    '746c732d746573742d703235363020170d3236313132373231343931325a180f32313236313130333231343931325a301c311a301806035504030c117761736d' +
    '746c732d746573742d703235363059301306072a8648ce3d020106082a8648ce3d03010703420004f6df6068aa6073f65a6026485b30928ef76282b53127f52c' +
    'abe354876f4a7b29716941ef8637e3670319696ddbf0edd2930d1406f518a851f909e5fd50fa5dfea3533051301d0603551d0e04160414de353edfc34a358c4c' +
    'b0d07d60d412caccc507f6301f0603551d23041830168014de353edfc34a358c4cb0d07d60d412caccc507f6300f0603551d130101ff040530030101ff300a06' +
    '082a8648ce3d04030203480030450220013c17a8d50fc439c6d3157e0e281dac875d2432f26cac030b50563df18efec2022100835c048faa21be71044457ccc6' +
    'e4e8b62c6838c8b973eb23517bd8f5440c6091',
);

function readAll(c: Connection): Uint8Array {
  const parts: Uint8Array[] = [];
  for (let r = c.readEx(); r.ok; r = c.readEx()) parts.push(r.data);
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

function session(crt: Uint8Array, key: Uint8Array, suite: CipherSuiteName, group: GroupName, scheme: string): void {
  let leaf = '';
  const cctx = new TLSContext({
    verify: 'external',
    onVerify: (chain) => ((leaf = hex(chain[0])), 0),
    suites: [suite],
    groups: [group],
  });
  const sctx = new TLSContext({ cert: crt, key, suites: [suite], groups: [group] });
  const c = new Connection(cctx),
    s = new Connection(sctx);
  try {
    c.setConnectState();
    s.setAcceptState();
    c.setServerName('wasmtls.test');
    handshake(c, s);
    check(c.cipher, suite, `${suite} negotiated`);
    check(s.group, group, `${group} negotiated`);
    check(c.peerSignatureScheme, scheme, 'server signature scheme');
    check(leaf, hex(crt), 'external verifier saw the leaf');
    check(s.serverName, 'wasmtls.test', 'SNI');
    const up = new Uint8Array(40_000).map((_, i) => (i * 7) & 0xff);
    const down = enc('hello from the server');
    // 40 kB through the default one-record outgoing side: WANT_WRITE rounds.
    const got: Uint8Array[] = [];
    let r: number;
    while ((r = c.write(up)) <= 0) {
      check(c.getError(r), 'WANT_WRITE', 'client write');
      transfer(c, s);
      got.push(readAll(s));
    }
    check(r, up.length, 'all-or-nothing write');
    transfer(c, s);
    got.push(readAll(s));
    const all = new Uint8Array(up.length);
    let off = 0;
    for (const g of got) {
      all.set(g, off);
      off += g.length;
    }
    check(off, up.length, 'bytes received');
    check(hex(all), hex(up), 'data client -> server');
    check(s.writeEx2(down, 1).ok, true, 'server write with CONCLUDE');
    transfer(s, c);
    check(hex(readAll(c)), hex(down), 'data server -> client');
    check(c.getError(false), 'ZERO_RETURN', 'close_notify after the data');
  } finally {
    c.dispose();
    s.dispose();
    cctx.dispose();
    sctx.dispose();
  }
}

export function run(): void {
  session(ED_CRT, ED_KEY, 'TLS_AES_128_GCM_SHA256', 'x25519', 'ed25519');
  session(P256_CRT, P256_KEY, 'TLS_CHACHA20_POLY1305_SHA256', 'X25519MLKEM768', 'ecdsa_secp256r1_sha256');
}
