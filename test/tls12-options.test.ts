/**
 * TLS 1.2 on the user side, the parts that need no handshake: Node's
 * `minVersion` / `maxVersion` and `ciphers` options to the engine's
 * version range and suite lists (ts/core/configure.ts), the suite names
 * both ways (ts/core/codepoints.ts), and the CLI's version and cipher
 * flags (ts/cli/args.ts).
 *
 * Oracles: `openssl ciphers -V -stdname` (OpenSSL's codepoint, IANA name
 * and OpenSSL name of each suite), Node's own `tls.getCiphers()`, and the
 * option semantics of Node's documentation typed in.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as nodeTls from 'node:tls';
import { describe, expect, it } from 'vitest';
import { cipherInfo, SUITES12, suite12Code } from '../ts/core/codepoints.js';
import { parseCiphers, protocolChoice, versionRange } from '../ts/core/configure.js';
import { cipherList, PROTOCOL_FLAGS, sigalgList, UsageError, versionFlags } from '../ts/cli/args.js';
import { sigWords } from '../ts/cli/common.js';
import { CLIENT_FLAGS } from '../ts/cli/s_client.js';
import { type ConnectOptions as NodeConnectOptions, connect as nodeConnect } from '../ts/api/node.js';
import { versionNote } from '../ts/api/tls.js';
import { SERVER_FLAGS } from '../ts/cli/s_server.js';
import { TLSContext } from '../ts/core/context.js';
import { useBuild } from './helpers/env.js';
import { have } from './helpers/peers.js';

useBuild('simd');
const OPENSSL = have('openssl', ['version']);

describe('TLS 1.2 suite names (codepoints.ts)', () => {
  it.skipIf(!OPENSSL)('codepoint, IANA name and OpenSSL name of each suite are what `openssl ciphers -V -stdname` prints', () => {
    const out = execFileSync('openssl', ['ciphers', '-V', '-stdname', '-tls1_2', 'ALL'], { encoding: 'utf8' });
    const seen = new Map<number, { std: string; name: string; version: string }>();
    for (const line of out.split('\n')) {
      // "0xC0,0x2F - TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 - ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 Kx=ECDH ..."
      const m = /^\s*0x([0-9A-F]{2}),0x([0-9A-F]{2}) - (\S+)\s+- (\S+)\s+(\S+)/.exec(line);
      if (m) seen.set(parseInt(m[1] + m[2], 16), { std: m[3], name: m[4], version: m[5] });
    }
    expect(SUITES12.map((s) => s.code)).toEqual([0xcca9, 0xcca8, 0xc02b, 0xc02f, 0xc02c, 0xc030]);
    for (const s of SUITES12) {
      expect({ code: s.code, ...seen.get(s.code) }).toEqual({ code: s.code, std: s.standardName, name: s.name, version: 'TLSv1.2' });
      expect(cipherInfo(s.code)).toEqual({ name: s.name, standardName: s.standardName, version: 'TLSv1.2' });
      expect(suite12Code(s.name)).toBe(s.code);
      expect(suite12Code(s.standardName)).toBe(s.code);
    }
  });

  it("every TLS 1.2 name is one Node's OpenSSL knows (tls.getCiphers)", () => {
    const node = new Set(nodeTls.getCiphers());
    for (const s of SUITES12) expect(node.has(s.name.toLowerCase()), s.name).toBe(true);
  });

  it('TLS 1.3 suites keep their one name and report TLSv1.3; unknown codes have none', () => {
    expect(cipherInfo(0x1301)).toEqual({ name: 'TLS_AES_128_GCM_SHA256', standardName: 'TLS_AES_128_GCM_SHA256', version: 'TLSv1.3' });
    expect(cipherInfo(0x1303)?.version).toBe('TLSv1.3');
    expect(cipherInfo(0xc013)).toBeUndefined(); // ECDHE-RSA-AES128-SHA (CBC): not ours
    expect(cipherInfo(0)).toBeUndefined();
    expect(suite12Code('ecdhe-rsa-aes128-gcm-sha256')).toBeUndefined(); // OpenSSL's names are case-sensitive
  });
});

describe('minVersion / maxVersion (Node semantics)', () => {
  it('defaults TLSv1.2 to TLSv1.3; each bound takes TLSv1.2 or TLSv1.3', () => {
    expect(versionRange({}, 'connect')).toEqual({ min: 'TLSv1.2', max: 'TLSv1.3' });
    expect(versionRange({ minVersion: 'TLSv1.3' }, 'connect')).toEqual({ min: 'TLSv1.3', max: 'TLSv1.3' });
    expect(versionRange({ maxVersion: 'TLSv1.2' }, 'connect')).toEqual({ min: 'TLSv1.2', max: 'TLSv1.2' });
    expect(versionRange({ minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' }, 'connect')).toEqual({ min: 'TLSv1.2', max: 'TLSv1.2' });
  });

  it('a lower minimum (TLSv1, TLSv1.1) means "anything we have": TLS 1.2', () => {
    expect(versionRange({ minVersion: 'TLSv1' }, 'connect')).toEqual({ min: 'TLSv1.2', max: 'TLSv1.3' });
    expect(versionRange({ minVersion: 'TLSv1.1', maxVersion: 'TLSv1.2' }, 'connect')).toEqual({ min: 'TLSv1.2', max: 'TLSv1.2' });
  });

  it('a maximum below TLS 1.2 cannot be met: TypeError naming what is spoken', () => {
    for (const max of ['TLSv1', 'TLSv1.1']) {
      expect(() => versionRange({ maxVersion: max }, 'connect')).toThrow(TypeError);
      expect(() => versionRange({ maxVersion: max }, 'connect')).toThrow(
        `connect: maxVersion ${max} cannot be met: wasmtls speaks TLSv1.2 and TLSv1.3`,
      );
    }
  });

  it('min above max, and unknown names, are TypeErrors', () => {
    expect(() => versionRange({ minVersion: 'TLSv1.3', maxVersion: 'TLSv1.2' }, 'accept')).toThrow(
      'accept: minVersion TLSv1.3 is above maxVersion TLSv1.2',
    );
    expect(() => versionRange({ minVersion: 'TLSv1.4' }, 'connect')).toThrow(/unknown minVersion "TLSv1\.4"/);
    expect(() => versionRange({ maxVersion: 'SSLv3' }, 'connect')).toThrow(/unknown maxVersion "SSLv3"/);
    expect(() => versionRange({ minVersion: 'tlsv1.2' }, 'connect')).toThrow(TypeError); // Node's names are exact
  });
});

describe('ciphers (an OpenSSL cipher list, Node semantics)', () => {
  it('OpenSSL and IANA names for TLS 1.2 go to the 1.2 list in order; TLS 1.3 names to the 1.3 list', () => {
    expect(parseCiphers('ECDHE-RSA-AES128-GCM-SHA256:TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256', 'connect')).toEqual({
      suites12: [0xc02f, 0xcca9],
      suites13: [],
    });
    expect(parseCiphers('TLS_AES_256_GCM_SHA384:ECDHE-ECDSA-AES256-GCM-SHA384:TLS_CHACHA20_POLY1305_SHA256', 'connect')).toEqual({
      suites12: [0xc02c],
      suites13: ['TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256'],
    });
    // OpenSSL also separates with commas and spaces; repeats count once.
    expect(parseCiphers('ECDHE-RSA-AES256-GCM-SHA384, ECDHE-RSA-CHACHA20-POLY1305 ECDHE-RSA-AES256-GCM-SHA384', 'connect')).toEqual({
      suites12: [0xc030, 0xcca8],
      suites13: [],
    });
  });

  it('an unknown or unsupported name is a TypeError naming it and listing what is supported', () => {
    for (const bad of [
      'ECDHE-RSA-AES128-SHA',
      'AES128-GCM-SHA256',
      'DHE-RSA-AES128-GCM-SHA256',
      'HIGH',
      '!aNULL',
      'RC4-SHA',
      'TLS_RSA_WITH_AES_128_GCM_SHA256',
    ]) {
      let err: unknown;
      try {
        parseCiphers(`ECDHE-RSA-AES128-GCM-SHA256:${bad}`, 'connect');
      } catch (e) {
        err = e;
      }
      expect(err, bad).toBeInstanceOf(TypeError);
      expect((err as Error).message).toContain(`unsupported cipher "${bad}"`);
      expect((err as Error).message).toContain('ECDHE-ECDSA-CHACHA20-POLY1305');
      expect((err as Error).message).toContain('TLS_AES_128_GCM_SHA256');
    }
    expect(() => parseCiphers('', 'connect')).toThrow(/names no cipher suite/);
    expect(() => parseCiphers(':', 'connect')).toThrow(/names no cipher suite/);
  });

  it('with the versions: only 1.3 names leave TLS 1.2 no suite (the minimum becomes TLS 1.3), as Node', () => {
    expect(protocolChoice({ ciphers: 'TLS_AES_128_GCM_SHA256' }, 'connect')).toEqual({
      min: 'TLSv1.3',
      max: 'TLSv1.3',
      suites12: undefined,
      suites13: ['TLS_AES_128_GCM_SHA256'],
    });
    expect(() => protocolChoice({ ciphers: 'TLS_AES_128_GCM_SHA256', maxVersion: 'TLSv1.2' }, 'connect')).toThrow(
      /has no TLS 1\.2 suite, and maxVersion is TLSv1\.2/,
    );
    // Only 1.2 names: TLS 1.3 keeps its default suites (Node's behaviour).
    expect(protocolChoice({ ciphers: 'ECDHE-RSA-AES128-GCM-SHA256' }, 'connect')).toEqual({
      min: 'TLSv1.2',
      max: 'TLSv1.3',
      suites12: [0xc02f],
      suites13: undefined,
    });
    expect(protocolChoice({ ciphersuites: ['TLS_AES_256_GCM_SHA384'], maxVersion: 'TLSv1.2' }, 'connect')).toEqual({
      min: 'TLSv1.2',
      max: 'TLSv1.2',
      suites12: undefined,
      suites13: ['TLS_AES_256_GCM_SHA384'],
    });
    expect(() => protocolChoice({ ciphers: 'TLS_AES_128_GCM_SHA256', ciphersuites: ['TLS_AES_256_GCM_SHA384'] }, 'connect')).toThrow(
      /in both ciphers and ciphersuites/,
    );
  });
});

describe('CLI version and cipher flags (cli/args.ts)', () => {
  it.skipIf(!OPENSSL)("the flags are OpenSSL's: s_client and s_server -help list each one", () => {
    for (const cmd of ['s_client', 's_server']) {
      // OpenSSL 3.0 prints the help on stderr.
      const r = spawnSync('openssl', [cmd, '-help'], { encoding: 'utf8' });
      const help = `${r.stdout}${r.stderr}`;
      for (const flag of Object.keys(PROTOCOL_FLAGS)) expect(help, `${cmd} -${flag}`).toMatch(new RegExp(`^ -${flag} `, 'm'));
    }
    expect(CLIENT_FLAGS).toMatchObject(PROTOCOL_FLAGS);
    expect(SERVER_FLAGS).toMatchObject(PROTOCOL_FLAGS);
  });

  it('-tls1_2 / -tls1_3 speak only that version; -no_tls1_2 / -no_tls1_3 leave one out', () => {
    expect(versionFlags({})).toEqual({});
    expect(versionFlags({ tls1_2: true })).toEqual({ minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' });
    expect(versionFlags({ tls1_3: true })).toEqual({ minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3' });
    expect(versionFlags({ no_tls1_3: true })).toEqual({ minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' });
    expect(versionFlags({ no_tls1_2: true })).toEqual({ minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3' });
    expect(versionFlags({ tls1_3: true, no_tls1_2: true })).toEqual({ minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3' });
    expect(() => versionFlags({ tls1_2: true, tls1_3: true })).toThrow(UsageError);
    expect(() => versionFlags({ no_tls1_2: true, no_tls1_3: true })).toThrow(/leave no protocol version/);
    expect(() => versionFlags({ tls1_2: true, no_tls1_2: true })).toThrow('-tls1_2 and -no_tls1_2 leave no protocol version');
  });

  it('-cipher takes TLS 1.2 names (OpenSSL or IANA), and points TLS 1.3 names to -ciphersuites', () => {
    expect(cipherList('ECDHE-RSA-AES128-GCM-SHA256:TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384')).toBe(
      'ECDHE-RSA-AES128-GCM-SHA256:TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384',
    );
    expect(() => cipherList('ECDHE-RSA-AES128-SHA256')).toThrow(UsageError);
    expect(() => cipherList('ECDHE-RSA-AES128-SHA256')).toThrow(
      /-cipher: unsupported TLS 1\.2 cipher suite 'ECDHE-RSA-AES128-SHA256' \(supported: ECDHE-ECDSA-CHACHA20-POLY1305, /,
    );
    expect(() => cipherList('TLS_AES_128_GCM_SHA256')).toThrow(/TLS 1\.3 suites go in -ciphersuites/);
    expect(() => cipherList('ECDHE-RSA-AES128-GCM-SHA256::')).toThrow(/colon-separated/);
    // What cipherList passes on is what connect()'s `ciphers` takes.
    expect(parseCiphers(cipherList('TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256:ECDHE-ECDSA-AES128-GCM-SHA256'), 's_client')).toEqual({
      suites12: [0xcca8, 0xc02b],
      suites13: [],
    });
  });
});

describe('what a protocol_version refusal says (api/tls.ts versionNote)', () => {
  it('names the side and the versions this side allowed', () => {
    expect(versionNote(false, 'TLSv1.2', 'TLSv1.3')).toBe('the server does not offer TLS 1.2 or 1.3');
    expect(versionNote(true, 'TLSv1.2', 'TLSv1.3')).toBe('the client does not offer TLS 1.2 or 1.3');
    expect(versionNote(false, 'TLSv1.3', 'TLSv1.3')).toBe('the server does not offer TLS 1.3, the only version allowed here');
    expect(versionNote(true, 'TLSv1.2', 'TLSv1.2')).toBe('the client does not offer TLS 1.2, the only version allowed here');
  });
});

describe("TLS 1.2's RSA PKCS #1 signatures in the CLI's words", () => {
  // `openssl s_client -brief -tls1_2` to `openssl s_server -sigalgs RSA+SHA384`
  // prints "Hash used: SHA384" and "Signature type: RSA".
  it('rsa_pkcs1_sha384 is Hash used SHA384, Signature type RSA; RSA+SHA256 is accepted by -sigalgs', () => {
    expect(sigWords('rsa_pkcs1_sha384')).toEqual({ hash: 'SHA384', type: 'RSA' });
    expect(sigWords('rsa_pss_rsae_sha256')).toEqual({ hash: 'SHA256', type: 'RSA-PSS' });
    expect(sigalgList('RSA+SHA256:rsa_pkcs1_sha512')).toEqual(['rsa_pkcs1_sha256', 'rsa_pkcs1_sha512']);
  });
});

describe('wasmtls/node: bad protocol options throw when the socket is made, as Node does', () => {
  /** The error connect() throws synchronously (undefined: none). */
  const thrown = (f: () => unknown): { name: string; code: unknown } | undefined => {
    try {
      const s = f() as { destroy(): void };
      s.destroy();
      return undefined;
    } catch (e) {
      return { name: (e as Error).name, code: (e as { code?: unknown }).code };
    }
  };

  it("an unknown version name and a cipher list with nothing usable: Node's error class and code", () => {
    for (const o of [{ minVersion: 'TLSv9' }, { maxVersion: 'SSLv3' }, { ciphers: 'FOO' }, { ciphers: 'FOO:BAR' }]) {
      const theirs = thrown(() => nodeTls.connect({ port: 1, host: '127.0.0.1', ...o } as nodeTls.ConnectionOptions));
      const ours = thrown(() => nodeConnect({ port: 1, host: '127.0.0.1', ...o } as NodeConnectOptions));
      expect(theirs, JSON.stringify(o)).toBeDefined();
      // Node's class for a cipher list is Error (OpenSSL's), ours TypeError:
      // the code is what callers test.
      expect(ours?.code, JSON.stringify(o)).toBe(theirs?.code);
    }
  });

  it('what Node accepts but this engine cannot meet also throws at once, with a code saying which', () => {
    const codeOf = (o: object) => thrown(() => nodeConnect({ port: 1, host: '127.0.0.1', ...o } as NodeConnectOptions))?.code;
    expect(codeOf({ maxVersion: 'TLSv1.1' })).toBe('ERR_TLS_INVALID_PROTOCOL_VERSION');
    expect(codeOf({ minVersion: 'TLSv1.3', maxVersion: 'TLSv1.2' })).toBe('ERR_TLS_INVALID_PROTOCOL_VERSION');
    expect(codeOf({ ciphers: 'ECDHE-RSA-AES128-GCM-SHA256:AES128-SHA' })).toBe('ERR_SSL_NO_CIPHER_MATCH');
    expect(codeOf({ ciphers: 'TLS_AES_128_GCM_SHA256', maxVersion: 'TLSv1.2' })).toBe('ERR_INVALID_ARG_VALUE');
  });
});

describe('TLSContext: the version range and the TLS 1.2 list are checked before the engine sees them', () => {
  it('min above max, a version the engine lacks, and an unknown TLS 1.2 suite name are TypeErrors', () => {
    expect(() => new TLSContext({ minVersion: 'TLSv1.3', maxVersion: 'TLSv1.2' })).toThrow(/TLSv1\.3 is above TLSv1\.2/);
    expect(() => new TLSContext({ minVersion: 'TLSv1.1' as 'TLSv1.2' })).toThrow(TypeError);
    expect(() => new TLSContext({ suites12: ['ECDHE-RSA-AES128-SHA' as 'ECDHE-RSA-AES128-GCM-SHA256'] })).toThrow(
      /setCipherSuites12: unknown value ECDHE-RSA-AES128-SHA/,
    );
    expect(() => new TLSContext({ suites12: [] })).toThrow(/non-empty/);
    // Nothing set: the engine's defaults, as the getters say.
    const ctx = new TLSContext({});
    expect([ctx.minVersion, ctx.maxVersion]).toEqual(['TLSv1.2', 'TLSv1.3']);
    ctx.dispose();
  });
});
