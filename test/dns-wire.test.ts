/**
 * The DNS codec of wasmtls/doh (ts/dns/wire.ts) against typed-in wire
 * bytes from the RFCs: RFC 9460 Appendix D (SVCB/HTTPS RDATA; D.1 and D.2
 * decoded and compared with the presentation form the RFC gives beside
 * them, the D.3 failure cases refused in their wire form), RFC 1035
 * 4.1.4's compression example, RFC 8484 4.1.1's query. Then hostile
 * messages, each refused with its code and without a hang: pointer loops
 * and forward pointers, a 1000-pointer chain, a name over 255 octets, an
 * RDLENGTH past the end, SvcParams out of order or twice, a wrong ID or
 * question, the TC bit.
 *
 * IPv6 hints are compared through WHATWG URL's host parser (Node's own
 * IPv6 serializer), not our formatter.
 */
import { describe, expect, it } from 'vitest';
import {
  checkEchConfigList,
  DnsError,
  decodeSvcb,
  encodeName,
  encodeQuery,
  parseMessage,
  parseResponse,
  readName,
  type SvcbRecord,
  usableSvcb,
} from '../ts/dns/wire.js';

/** Hex with `;` comments and any white space, as the RFC prints it. */
function h(s: string): Uint8Array {
  const clean = s
    .split('\n')
    .map((l) => l.replace(/;.*$/, ''))
    .join('')
    .replace(/\s+/g, '');
  return new Uint8Array(Buffer.from(clean, 'hex'));
}
const ascii = (s: string): string => Buffer.from(s, 'latin1').toString('hex');
const v6 = (s: string): string => new URL(`http://[${s}]/`).hostname.slice(1, -1);

function code(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof DnsError) return e.code;
    throw e;
  }
  return 'no error';
}

const FOO_EXAMPLE_COM = '03 66 6f 6f 07 65 78 61 6d 70 6c 65 03 63 6f 6d 00';
const FOO_EXAMPLE_ORG = '03 66 6f 6f 07 65 78 61 6d 70 6c 65 03 6f 72 67 00';

describe('RFC 9460 Appendix D.1 and D.2: wire form decodes to the presentation form beside it', () => {
  const vectors: [string, string, (r: SvcbRecord) => void][] = [
    [
      'D.1 AliasMode: example.com. HTTPS 0 foo.example.com.',
      `00 00 ${FOO_EXAMPLE_COM}`,
      (r) => {
        expect(r.priority).toBe(0);
        expect(r.targetName).toBe('foo.example.com');
        expect(r.params.size).toBe(0);
      },
    ],
    [
      'D.2 Figure 2: example.com. SVCB 1 .',
      '00 01 00',
      (r) => {
        expect(r.priority).toBe(1);
        expect(r.targetName).toBe('');
        expect(r.params.size).toBe(0);
      },
    ],
    [
      'D.2 Figure 3: example.com. SVCB 16 foo.example.com. port=53',
      `00 10 ${FOO_EXAMPLE_COM} 00 03 00 02 00 35`,
      (r) => {
        expect(r.priority).toBe(16);
        expect(r.targetName).toBe('foo.example.com');
        expect(r.port).toBe(53);
      },
    ],
    [
      'D.2 Figure 4: example.com. SVCB 1 foo.example.com. key667=hello',
      `00 01 ${FOO_EXAMPLE_COM} 02 9b 00 05 68 65 6c 6c 6f`,
      (r) => {
        expect([...r.params.keys()]).toEqual([667]);
        expect(Buffer.from(r.params.get(667)!).toString('latin1')).toBe('hello');
      },
    ],
    [
      'D.2 Figure 5: key667="hello\\210qoo"',
      `00 01 ${FOO_EXAMPLE_COM} 02 9b 00 09 68 65 6c 6c 6f d2 71 6f 6f`,
      (r) => {
        expect(Buffer.from(r.params.get(667)!).toString('latin1')).toBe(`hello${String.fromCharCode(210)}qoo`);
      },
    ],
    [
      'D.2 Figure 6: ipv6hint="2001:db8::1,2001:db8::53:1"',
      `00 01 ${FOO_EXAMPLE_COM} 00 06 00 20
       20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01
       20 01 0d b8 00 00 00 00 00 00 00 00 00 53 00 01`,
      (r) => {
        expect(r.ipv6hint).toEqual([v6('2001:db8::1'), v6('2001:db8::53:1')]);
      },
    ],
    [
      'D.2 Figure 7: example.com. SVCB 1 example.com. ipv6hint="2001:db8:122:344::192.0.2.33"',
      '00 01 07 65 78 61 6d 70 6c 65 03 63 6f 6d 00 00 06 00 10 20 01 0d b8 01 22 03 44 00 00 00 00 c0 00 02 21',
      (r) => {
        expect(r.targetName).toBe('example.com');
        expect(r.ipv6hint).toEqual([v6('2001:db8:122:344::192.0.2.33')]);
      },
    ],
    [
      'D.2 Figure 8: SVCB 16 foo.example.org. (alpn=h2,h3-19 mandatory=ipv4hint,alpn ipv4hint=192.0.2.1)',
      `00 10 ${FOO_EXAMPLE_ORG}
       00 00 00 04 00 01 00 04          ; mandatory: alpn, ipv4hint
       00 01 00 09 02 68 32 05 68 33 2d 31 39 ; alpn: h2, h3-19
       00 04 00 04 c0 00 02 01          ; ipv4hint`,
      (r) => {
        expect(r.targetName).toBe('foo.example.org');
        expect(r.mandatory).toEqual([1, 4]);
        expect(r.alpn).toEqual(['h2', 'h3-19']);
        expect(r.ipv4hint).toEqual(['192.0.2.1']);
        expect(usableSvcb(r)).toBe(true);
      },
    ],
    [
      'D.2 Figure 9: alpn="f\\\\oo\\,bar,h2"',
      `00 10 ${FOO_EXAMPLE_ORG} 00 01 00 0c 08 66 5c 6f 6f 2c 62 61 72 02 68 32`,
      (r) => {
        expect(r.alpn).toEqual(['f\\oo,bar', 'h2']);
      },
    ],
  ];
  for (const [title, wire, check] of vectors) it(title, () => check(decodeSvcb(h(wire))));
});

describe('RFC 9460 Appendix D.3 failure cases (their wire form) are refused', () => {
  const cases: [string, string][] = [
    ['multiple instances of the same SvcParamKey (key123=abc key123=def)', `00 7b 00 03 ${ascii('abc')} 00 7b 00 03 ${ascii('def')}`],
    ['mandatory without a value', '00 00 00 00'],
    ['alpn without a value', '00 01 00 00'],
    ['port without a value', '00 03 00 00'],
    ['ipv4hint without a value', '00 04 00 00'],
    ['ipv6hint without a value', '00 06 00 00'],
    ['no-default-alpn=abc', `00 02 00 03 ${ascii('abc')}`],
    ['mandatory=key123 with key123 missing', '00 00 00 02 00 7b'],
    ['mandatory=mandatory', '00 00 00 02 00 00'],
    ['mandatory=key123,key123 key123=abc', `00 00 00 04 00 7b 00 7b 00 7b 00 03 ${ascii('abc')}`],
    // And what 2.2 says of the wire form beyond D.3:
    ['keys out of order (port before alpn)', '00 03 00 02 01 bb 00 01 00 03 02 68 32'],
    ['a SvcParam length past the RDATA', '00 03 00 08 01 bb'],
    ['a cut SvcParam header', '00 03 00'],
    ['port of 3 octets', '00 03 00 03 01 bb 00'],
    ['ipv4hint of 5 octets', '00 04 00 05 7f 00 00 01 02'],
    ['an alpn ID of length 0', '00 01 00 01 00'],
  ];
  for (const [title, params] of cases) {
    it(title, () => {
      expect(code(() => decodeSvcb(h(`00 01 ${FOO_EXAMPLE_COM} ${params}`)))).toBe('ERR_DNS_BAD_SVCB');
    });
  }
  it('a compressed TargetName (RFC 9460 2.2: "MUST NOT be compressed")', () => {
    expect(code(() => decodeSvcb(h('00 01 c0 0c')))).toBe('ERR_DNS_COMPRESSED_NAME');
  });
  it('AliasMode SvcParams are ignored, even malformed ones (2.4.2: "recipients MUST ignore")', () => {
    const r = decodeSvcb(h(`00 00 ${FOO_EXAMPLE_COM} 00 03 00 00 00 01`));
    expect(r.priority).toBe(0);
    expect(r.params.size).toBe(0);
  });
  it('a record whose mandatory key is unknown is kept out (RFC 9460 8)', () => {
    const r = decodeSvcb(h(`00 01 00 00 00 00 02 00 7b 00 7b 00 03 ${ascii('abc')}`));
    expect(r.mandatory).toEqual([123]);
    expect(usableSvcb(r)).toBe(false);
  });
});

describe('ech SvcParam (draft-ietf-tls-svcb-ech): an ECHConfigList, framing checked', () => {
  // A list of one ECHConfig of version 0xfe0d with a 3-octet body, and
  // one of an unknown version (kept: a client skips what it does not know).
  const good = '00 0c fe 0d 00 03 01 02 03 ff 00 00 01 09';
  it('decoded with its length prefix', () => {
    const r = decodeSvcb(h(`00 01 00 00 05 00 0e ${good}`));
    expect(Buffer.from(r.ech!).toString('hex')).toBe(good.replace(/ /g, ''));
  });
  const bad: [string, string][] = [
    ['list length longer than the value', '00 0d fe 0d 00 03 01 02 03 ff 00 00 01 09'],
    ['an ECHConfig length past the list', '00 0c fe 0d 00 09 01 02 03 ff 00 00 01 09'],
    ['a cut ECHConfig header', '00 06 fe 0d 00 00 fe 0d'],
    ['an empty list', '00 00'],
    ['no list length', '00'],
  ];
  for (const [title, v] of bad) {
    it(title, () => {
      const b = h(v);
      expect(code(() => checkEchConfigList(b))).toBe('ERR_DNS_BAD_ECH');
      const len = b.length.toString(16).padStart(4, '0');
      expect(code(() => decodeSvcb(h(`00 01 00 00 05 ${len} ${v}`)))).toBe('ERR_DNS_BAD_ECH');
    });
  }
});

describe('names: RFC 1035 4.1.4 compression, and the bounds of 2.3.4', () => {
  it("RFC 1035 4.1.4's example: F.ISI.ARPA, FOO.F.ISI.ARPA, ARPA at offsets 20, 40, 64", () => {
    const msg = new Uint8Array(80);
    msg.set(h(`01 ${ascii('F')} 03 ${ascii('ISI')} 04 ${ascii('ARPA')} 00`), 20);
    msg.set(h(`03 ${ascii('FOO')} c0 14`), 40);
    msg.set(h('c0 1a'), 64);
    expect(readName(msg, 20)).toEqual({ name: 'F.ISI.ARPA', end: 32 });
    expect(readName(msg, 40)).toEqual({ name: 'FOO.F.ISI.ARPA', end: 46 });
    expect(readName(msg, 64)).toEqual({ name: 'ARPA', end: 66 });
  });
  it('the root is ""; odd octets come out as RFC 1035 5.1 escapes', () => {
    expect(readName(h('00'), 0).name).toBe('');
    expect(readName(h('03 61 2e 00 01 5c 00'), 0).name).toBe('a\\.\\000.\\\\');
  });
  it('a pointer to itself, a two-pointer loop, and a pointer forward are refused', () => {
    expect(code(() => readName(h('00 00 c0 02'), 2))).toBe('ERR_DNS_BAD_POINTER');
    // 2 -> 4 is forward, so the loop 2 -> 4 -> 2 never starts.
    expect(code(() => readName(h('00 00 c0 04 c0 02'), 2))).toBe('ERR_DNS_BAD_POINTER');
    // A pointer into the name it is part of (would repeat "a" forever).
    expect(code(() => readName(h('01 61 c0 00'), 0))).toBe('ERR_DNS_BAD_POINTER');
    // Forward past the end of the message.
    expect(code(() => readName(h('c3 ff'), 0))).toBe('ERR_DNS_BAD_POINTER');
  });
  it('a chain of 1000 pointers, each to the one before, stops at the hop bound', () => {
    const msg = new Uint8Array(1 + 2 * 1000);
    for (let i = 1; i < 1000; i++) msg.set([0xc0 | ((2 * i - 1) >> 8), (2 * i - 1) & 0xff], 2 * i + 1);
    msg.set([0xc0, 0], 1);
    expect(code(() => readName(msg, msg.length - 2))).toBe('ERR_DNS_BAD_POINTER');
    // The first hundred of them are a fine (root) name.
    expect(readName(msg, 2 * 100 + 1).name).toBe('');
  });
  it('names over 255 octets, directly or through pointers; label types 0x40 and 0x80', () => {
    const label63 = `3f ${'61 '.repeat(63)}`;
    expect(code(() => readName(h(`${label63.repeat(4)} 00`), 0))).toBe('ERR_DNS_NAME_TOO_LONG');
    // 3 labels of 63 (192 octets) then a pointer back to them: 384.
    const three = h(`${label63.repeat(3)} 00`);
    const msg = new Uint8Array(three.length + 130);
    msg.set(three);
    msg.set(h(`${label63} c0 00`), three.length);
    expect(code(() => readName(msg, three.length))).toBe('ERR_DNS_NAME_TOO_LONG');
    expect(readName(h(`${label63.repeat(3)} 3d ${'62 '.repeat(61)} 00`), 0).name).toHaveLength(255 - 2);
    expect(code(() => readName(h('40 00'), 0))).toBe('ERR_DNS_BAD_LABEL_TYPE');
    expect(code(() => readName(h('80 00'), 0))).toBe('ERR_DNS_BAD_LABEL_TYPE');
    expect(code(() => readName(h('05 61 62'), 0))).toBe('ERR_DNS_SHORT');
  });
  it('encodeName refuses a 64-octet label, a 256-octet name, empty labels, non-ASCII', () => {
    expect(code(() => encodeName(`${'a'.repeat(64)}.com`))).toBe('ERR_DNS_LABEL_TOO_LONG');
    expect(code(() => encodeName(`${'a'.repeat(63)}.`.repeat(4)))).toBe('ERR_DNS_NAME_TOO_LONG');
    expect(encodeName(`${'a'.repeat(63)}.`.repeat(3) + 'b'.repeat(61))).toHaveLength(255);
    expect(code(() => encodeName('a..b'))).toBe('ERR_DNS_INVALID_ARG');
    expect(code(() => encodeName('bücher.example'))).toBe('ERR_DNS_INVALID_ARG');
  });
});

describe('queries and responses', () => {
  it("RFC 8484 4.1.1's GET example: www.example.com A, ID 0, RD", () => {
    const q = encodeQuery('www.example.com', 1, { id: 0, edns: false });
    expect(Buffer.from(q.bytes).toString('base64url')).toBe('AAABAAABAAAAAAAAA3d3dwdleGFtcGxlA2NvbQAAAQAB');
  });
  it('an EDNS(0) OPT record by default (RFC 6891 6.1.2: root name, type 41, payload size as class); a random ID', () => {
    const q = encodeQuery('example.com', 65);
    expect(Buffer.from(q.bytes.subarray(-11)).toString('hex')).toBe('00002904d0000000000000');
    expect(Buffer.from(q.bytes.subarray(10, 12)).toString('hex')).toBe('0001');
    const ids = new Set(Array.from({ length: 16 }, () => encodeQuery('example.com', 65).id));
    expect(ids.size).toBeGreaterThan(1);
  });

  /** A typed-in answer to "example.com HTTPS" with ID 0x1234: a CNAME in
   * the answer whose target is compressed against the question, then the
   * HTTPS record of D.2 Figure 8 at the target, its owner compressed. */
  const Q = `07 ${ascii('example')} 03 ${ascii('com')} 00 00 41 00 01`;
  const RD8 = `00 10 ${FOO_EXAMPLE_ORG} 00 00 00 04 00 01 00 04 00 01 00 09 02 68 32 05 68 33 2d 31 39 00 04 00 04 c0 00 02 01`;
  const rd8len = h(RD8).length.toString(16).padStart(4, '0');
  const answer = (
    flags = '81 80',
    id = '12 34',
    q = Q,
    rr = `c0 0c 00 05 00 01 00 00 0e 10 00 06 03 ${ascii('svc')} c0 0c
    c0 29 00 41 00 01 00 00 0e 10 ${rd8len} ${RD8}`,
  ) => h(`${id} ${flags} 00 01 00 02 00 00 00 00 ${q} ${rr}`);
  const query = { id: 0x1234, name: 'example.com', type: 65 };

  it('a good answer parses: the CNAME (compressed target) and the HTTPS record at its target', () => {
    const m = parseResponse(answer(), query);
    expect(m.rcode).toBe(0);
    expect(m.answers.map((r) => [r.name, r.type, r.ttl])).toEqual([
      ['example.com', 5, 3600],
      ['svc.example.com', 65, 3600],
    ]);
    expect(m.answers[0].data).toBe('svc.example.com');
    expect((m.answers[1].data as SvcbRecord).alpn).toEqual(['h2', 'h3-19']);
    // Names compare case-insensitively (RFC 4343).
    expect(parseResponse(answer(), { ...query, name: 'EXAMPLE.com.' }).answers).toHaveLength(2);
  });
  it('hostile and wrong answers: each refused with its code', () => {
    const cases: [string, Uint8Array, string][] = [
      ['wrong ID', answer('81 80', '43 21'), 'ERR_DNS_ID_MISMATCH'],
      [
        'wrong question name',
        answer('81 80', '12 34', `07 ${ascii('exbmple')} 03 ${ascii('com')} 00 00 41 00 01`),
        'ERR_DNS_QUESTION_MISMATCH',
      ],
      [
        'wrong question type',
        answer('81 80', '12 34', `07 ${ascii('example')} 03 ${ascii('com')} 00 00 01 00 01`),
        'ERR_DNS_QUESTION_MISMATCH',
      ],
      ['a query, not a response (QR 0)', answer('01 00'), 'ERR_DNS_NOT_A_RESPONSE'],
      ['TC bit', answer('83 80'), 'ERR_DNS_TRUNCATED'],
      ['TC bit with the message cut', answer('83 80').subarray(0, 40), 'ERR_DNS_TRUNCATED'],
      ['SERVFAIL', answer('81 82'), 'ERR_DNS_RCODE'],
      ['REFUSED', answer('81 85'), 'ERR_DNS_RCODE'],
      ['RDLENGTH past the end', answer().subarray(0, answer().length - 1), 'ERR_DNS_SHORT'],
      ['a byte after the last record', h(`${Buffer.from(answer()).toString('hex')} 00`), 'ERR_DNS_TRAILING_BYTES'],
      [
        'SvcParams out of order',
        answer('81 80', '12 34', Q, `c0 0c 00 41 00 01 00 00 0e 10 00 0f 00 01 00 00 03 00 02 01 bb 00 01 00 03 02 68 32`),
        'ERR_DNS_BAD_SVCB',
      ],
      [
        'SvcParam twice',
        answer('81 80', '12 34', Q, 'c0 0c 00 41 00 01 00 00 0e 10 00 0b 00 01 00 00 03 00 00 00 03 00 00'),
        'ERR_DNS_BAD_SVCB',
      ],
      [
        'an answer owner pointing at itself',
        answer('81 80', '12 34', Q, 'c0 1d 00 41 00 01 00 00 0e 10 00 03 00 01 00'),
        'ERR_DNS_BAD_POINTER',
      ],
      ['A record of 5 octets', answer('81 80', '12 34', Q, 'c0 0c 00 01 00 01 00 00 0e 10 00 05 7f 00 00 01 00'), 'ERR_DNS_BAD_RDATA'],
      ['a header of 11 octets', h('12 34 81 80 00 01 00 00 00 00 00'), 'ERR_DNS_SHORT'],
    ];
    const got = cases.map(([title, msg]) => [title, code(() => parseResponse(msg, query))]);
    expect(got).toEqual(cases.map(([title, , c]) => [title, c]));
  });
  it('NXDOMAIN is an answer (no records), not an error', () => {
    const m = parseResponse(h(`12 34 81 83 00 01 00 00 00 00 00 00 ${Q}`), query);
    expect(m.rcode).toBe(3);
    expect(m.answers).toEqual([]);
  });
  it('an OPT record in the additional section is read past', () => {
    const m = parseMessage(h(`12 34 81 80 00 01 00 00 00 00 00 01 ${Q} 00 00 29 04 d0 00 00 00 00 00 00`));
    expect(m.additional.map((r) => r.type)).toEqual([41]);
  });
});
