/**
 * HPACK (ts/http/hpack.ts) against RFC 7541's own examples (Appendix C,
 * typed in from the RFC: the blocks, the decoded lists and the dynamic
 * table after each) and the Huffman table's hex column (Appendix B); and
 * against Node's http2 (nghttp2) as a real peer: random header lists we
 * encode are decoded by a Node server and sent back, and random lists the
 * Node server encodes are decoded by us.
 */
import { randomBytes } from 'node:crypto';
import * as http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTcp } from '../ts/adapters/node-socket.js';
import { H2Session } from '../ts/http/h2.js';
import { HpackDecoder, HpackEncoder, HpackError, huffmanCode } from '../ts/http/hpack.js';

const hex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

type H = Array<[string, string]>;
interface Step {
  block: string;
  headers: H;
  table: H;
  size: number;
}

// RFC 7541 C.3 (C.4 is the same with Huffman-coded literals).
const REQ_HEADERS: H[] = [
  [
    [':method', 'GET'],
    [':scheme', 'http'],
    [':path', '/'],
    [':authority', 'www.example.com'],
  ],
  [
    [':method', 'GET'],
    [':scheme', 'http'],
    [':path', '/'],
    [':authority', 'www.example.com'],
    ['cache-control', 'no-cache'],
  ],
  [
    [':method', 'GET'],
    [':scheme', 'https'],
    [':path', '/index.html'],
    [':authority', 'www.example.com'],
    ['custom-key', 'custom-value'],
  ],
];
const REQ_TABLES: H[] = [
  [[':authority', 'www.example.com']],
  [
    ['cache-control', 'no-cache'],
    [':authority', 'www.example.com'],
  ],
  [
    ['custom-key', 'custom-value'],
    ['cache-control', 'no-cache'],
    [':authority', 'www.example.com'],
  ],
];
const REQ_SIZES = [57, 110, 164];
const C3 = [
  '8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d',
  '8286 84be 5808 6e6f 2d63 6163 6865',
  '8287 85bf 400a 6375 7374 6f6d 2d6b 6579 0c63 7573 746f 6d2d 7661 6c75 65',
];
const C4 = [
  '8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff',
  '8286 84be 5886 a8eb 1064 9cbf',
  '8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf',
];

// RFC 7541 C.5 (C.6 with Huffman): responses with a 256-byte table.
const DATE1 = 'Mon, 21 Oct 2013 20:13:21 GMT',
  DATE2 = 'Mon, 21 Oct 2013 20:13:22 GMT',
  LOC = 'https://www.example.com',
  COOKIE = 'foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1';
const RES_HEADERS: H[] = [
  [
    [':status', '302'],
    ['cache-control', 'private'],
    ['date', DATE1],
    ['location', LOC],
  ],
  [
    [':status', '307'],
    ['cache-control', 'private'],
    ['date', DATE1],
    ['location', LOC],
  ],
  [
    [':status', '200'],
    ['cache-control', 'private'],
    ['date', DATE2],
    ['location', LOC],
    ['content-encoding', 'gzip'],
    ['set-cookie', COOKIE],
  ],
];
const RES_TABLES: H[] = [
  [
    ['location', LOC],
    ['date', DATE1],
    ['cache-control', 'private'],
    [':status', '302'],
  ],
  [
    [':status', '307'],
    ['location', LOC],
    ['date', DATE1],
    ['cache-control', 'private'],
  ],
  [
    ['set-cookie', COOKIE],
    ['content-encoding', 'gzip'],
    ['date', DATE2],
  ],
];
const RES_SIZES = [222, 222, 215];
const C5 = [
  `4803 3330 3258 0770 7269 7661 7465 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133
   2032 303a 3133 3a32 3120 474d 546e 1768 7474 7073 3a2f 2f77 7777 2e65 7861 6d70 6c65 2e63 6f6d`,
  '4803 3330 37c1 c0bf',
  `88c1 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32 3220 474d
   54c0 5a04 677a 6970 7738 666f 6f3d 4153 444a 4b48 514b 425a 584f 5157 454f 5049
   5541 5851 5745 4f49 553b 206d 6178 2d61 6765 3d33 3630 303b 2076 6572 7369 6f6e 3d31`,
];
const C6 = [
  `4882 6402 5885 aec3 771a 4b61 96d0 7abe 9410 54d4 44a8 2005 9504 0b81 66e0 82a6
   2d1b ff6e 919d 29ad 1718 63c7 8f0b 97c8 e9ae 82ae 43d3`,
  '4883 640e ffc1 c0bf',
  `88c1 6196 d07a be94 1054 d444 a820 0595 040b 8166 e084 a62d 1bff c05a 839b d9ab
   77ad 94e7 821d d7f2 e6c7 b335 dfdf cd5b 3960 d5af 2708 7f36 72c1 ab27 0fb5 291f
   9587 3160 65c0 03ed 4ee5 b106 3d50 07`,
];

const steps = (blocks: string[], headers: H[], tables: H[], sizes: number[]): Step[] =>
  blocks.map((block, i) => ({ block, headers: headers[i], table: tables[i], size: sizes[i] }));

const SERIES: Array<[string, number, boolean, Step[]]> = [
  ['C.3 requests without Huffman', 4096, false, steps(C3, REQ_HEADERS, REQ_TABLES, REQ_SIZES)],
  ['C.4 requests with Huffman', 4096, true, steps(C4, REQ_HEADERS, REQ_TABLES, REQ_SIZES)],
  ['C.5 responses without Huffman', 256, false, steps(C5, RES_HEADERS, RES_TABLES, RES_SIZES)],
  ['C.6 responses with Huffman', 256, true, steps(C6, RES_HEADERS, RES_TABLES, RES_SIZES)],
];

describe('HPACK: RFC 7541 Appendix C', () => {
  it('C.2: one literal or indexed field each, and the table after', () => {
    const cases: Array<[string, H, H]> = [
      // C.2.1 Literal Header Field with Indexing
      [
        '400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572',
        [['custom-key', 'custom-header']],
        [['custom-key', 'custom-header']],
      ],
      // C.2.2 Literal Header Field without Indexing
      ['040c 2f73 616d 706c 652f 7061 7468', [[':path', '/sample/path']], []],
      // C.2.3 Literal Header Field Never Indexed
      ['1008 7061 7373 776f 7264 0673 6563 7265 74', [['password', 'secret']], []],
      // C.2.4 Indexed Header Field
      ['82', [[':method', 'GET']], []],
    ];
    for (const [block, headers, table] of cases) {
      const d = new HpackDecoder();
      expect(d.decode(hex(block)).headers).toEqual(headers);
      expect(d.table.entries).toEqual(table);
    }
  });

  for (const [name, tableSize, huffman, series] of SERIES) {
    it(`${name}: decoded lists and dynamic table after each block`, () => {
      const d = new HpackDecoder({ maxTableSize: tableSize });
      for (const st of series) {
        expect(d.decode(hex(st.block)).headers).toEqual(st.headers);
        expect(d.table.entries).toEqual(st.table);
        expect(d.table.size).toBe(st.size);
      }
    });
    it(`${name}: our encoder writes the RFC's bytes`, () => {
      const e = new HpackEncoder(tableSize);
      for (const st of series) {
        expect(toHex(e.encode(st.headers, { huffman }))).toBe(toHex(hex(st.block)));
        expect(e.table.entries).toEqual(st.table);
        expect(e.table.size).toBe(st.size);
      }
    });
  }

  it('Appendix B: the canonical code rebuilt from the lengths matches the hex column', () => {
    // Spot checks across every code length in the table (sym, hex, bits).
    const rows: Array<[number, number, number]> = [
      [0, 0x1ff8, 13],
      [1, 0x7fffd8, 23],
      [9, 0xffffea, 24],
      [10, 0x3ffffffc, 30],
      [32, 0x14, 6],
      [33, 0x3f8, 10],
      [39, 0x7fa, 11],
      [48, 0x0, 5],
      [58, 0x5c, 7],
      [60, 0x7ffc, 15],
      [62, 0xffb, 12],
      [92, 0x7fff0, 19],
      [94, 0x3ffc, 14],
      [122, 0x7b, 7],
      [128, 0xfffe6, 20],
      [153, 0x1fffdc, 21],
      [129, 0x3fffd2, 22],
      [199, 0x1ffffec, 25],
      [192, 0x3ffffe0, 26],
      [203, 0x7ffffde, 27],
      [254, 0x7fffff0, 27],
      [255, 0x3ffffee, 26],
      [256, 0x3fffffff, 30],
    ];
    for (const [sym, code, bits] of rows) expect(huffmanCode(sym), `symbol ${sym}`).toEqual([code, bits]);
  });

  it('decoding errors are HpackErrors (COMPRESSION_ERROR)', () => {
    const bad = [
      'be', // index 62 with an empty dynamic table
      '80', // index 0
      '7f', // integer runs off the end
      '0f ffffffffffff0f', // integer beyond 32 bits
      '410a 6162', // string runs past the block
      '4181 ff', // Huffman padding longer than 7 bits (all-ones byte)
      '4181 00', // padding not the EOS prefix
      '4184 ffff ffff', // EOS inside the string
      '82 3fe1 1f', // table size update after a field
      '3fe2 1f', // table size update above our 4096
    ];
    for (const b of bad) {
      expect(() => new HpackDecoder().decode(hex(b)), b).toThrow(HpackError);
    }
  });

  it('a list past maxHeaderListSize is flagged, the table still updated', () => {
    const e = new HpackEncoder();
    const block = e.encode([
      ['a', 'x'.repeat(100)],
      ['b', 'y'.repeat(100)],
    ]);
    const d = new HpackDecoder({ maxHeaderListSize: 150 });
    const r = d.decode(block);
    expect(r.tooLarge).toBe(true);
    expect(d.table.entries.length).toBe(2);
  });

  it('table size updates from SETTINGS_HEADER_TABLE_SIZE open the next block (smallest first)', () => {
    const e = new HpackEncoder();
    e.encode([['custom', 'v']]);
    e.setMaxTableSize(0);
    e.setMaxTableSize(100);
    const block = e.encode([[':method', 'GET']]);
    // 001 00000 (size 0), 001 11111 + 69 (size 100), then 0x82.
    expect(toHex(block)).toBe('203f4582');
    const d = new HpackDecoder();
    expect(d.decode(block).headers).toEqual([[':method', 'GET']]);
    expect(d.table.maxSize).toBe(100);
  });
});

describe('HPACK against Node http2 (nghttp2) as the peer', () => {
  let server: http2.Http2Server;
  let port: number;
  beforeAll(async () => {
    // Echo: the request's headers (as nghttp2 decoded them) back as JSON;
    // /respond?h=... sends the given headers as the response's.
    server = http2.createServer((req, res) => {
      const u = new URL(req.url, 'http://x');
      if (u.pathname === '/respond') {
        const list = JSON.parse(u.searchParams.get('h') ?? '[]') as H;
        res.writeHead(200, Object.fromEntries(list.map(([n, v]) => [n, v])));
        res.end();
        return;
      }
      res.end(JSON.stringify(req.rawHeaders));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  /** A random field name (token chars, lower case) or value (visible latin-1 and spaces). */
  const NAME = 'abcdefghijklmnopqrstuvwxyz0123456789-_.';
  const rnd = (n: number): number => randomBytes(4).readUInt32LE() % n;
  const name = (): string => Array.from({ length: 1 + rnd(20) }, () => NAME[rnd(NAME.length)]).join('');
  const value = (): string => {
    const s = Array.from({ length: rnd(60) }, () => String.fromCharCode(0x20 + rnd(0x5f))).join('');
    return s.trim();
  };

  it('random header lists: we encode, nghttp2 decodes (30 requests on one connection)', async () => {
    const session = new H2Session(await connectTcp({ host: '127.0.0.1', port }));
    try {
      for (let i = 0; i < 30; i++) {
        const want: H = [];
        const used = new Set<string>();
        for (let k = rnd(12); k >= 0; k--) {
          // Repeat some pairs so the dynamic table gets hits.
          const n = i % 3 === 0 && k % 2 === 0 ? 'x-repeat' : `x-${name()}`;
          if (used.has(n)) continue;
          used.add(n);
          want.push([n, k % 3 === 0 ? 'same value' : value()]);
        }
        const res = await session.request({
          method: 'GET',
          url: new URL(`http://127.0.0.1:${port}/echo`),
          headers: want,
          body: null,
          bodyLength: undefined,
          signal: undefined,
        });
        expect(res.status).toBe(200);
        const raw = JSON.parse(await new Response(res.body).text()) as string[];
        const got: H = [];
        for (let j = 0; j < raw.length; j += 2) if (!raw[j].startsWith(':')) got.push([raw[j], raw[j + 1]]);
        expect(got).toEqual(want);
      }
    } finally {
      await session.close();
    }
  });

  it('random header lists: nghttp2 encodes, we decode (30 responses on one connection)', async () => {
    const session = new H2Session(await connectTcp({ host: '127.0.0.1', port }));
    try {
      for (let i = 0; i < 30; i++) {
        const want: H = [];
        const used = new Set<string>();
        for (let k = rnd(12); k >= 0; k--) {
          const n = `y-${name()}`;
          if (used.has(n)) continue;
          used.add(n);
          want.push([n, value()]);
        }
        const url = new URL(`http://127.0.0.1:${port}/respond`);
        url.searchParams.set('h', JSON.stringify(want));
        const res = await session.request({ method: 'GET', url, headers: [], body: null, bodyLength: undefined, signal: undefined });
        await res.body?.cancel();
        const got = res.headers.filter(([n]) => n.startsWith('y-'));
        expect(new Map(got)).toEqual(new Map(want));
      }
    } finally {
      await session.close();
    }
  });
});
