/**
 * HPACK: header compression for HTTP/2 (RFC 7541), written from the RFC:
 * the static table (Appendix A), the dynamic table with its size updates
 * and eviction (section 4), integer and string literals (5.1, 5.2), the
 * Huffman code (Appendix B; decoded always, encoded when shorter) and the
 * limits a client needs against a hostile peer (a header list size and a
 * table size we chose). Every decoding failure is an {@link HpackError},
 * which HTTP/2 turns into a connection error of type COMPRESSION_ERROR
 * (RFC 9113 4.3).
 *
 * Why our own: npm `hpack.js` is built on Node's `Buffer` and unmaintained
 * since 2017; the other HPACK codecs on npm are parts of whole HTTP/2
 * stacks (Node's is nghttp2 in C). This one runs on `Uint8Array` alone, so
 * it works in browsers and Workers as the rest of `wasmtls/fetch` does.
 * @module
 */

/** A decoding failure: the connection cannot go on (RFC 7541 2.3.3, 4.2, 5.2). */
export class HpackError extends Error {
  readonly code = 'ERR_HTTP2_COMPRESSION_ERROR';
  constructor(message: string) {
    super(`HPACK: ${message}`);
    this.name = 'HpackError';
  }
}

/** RFC 7541 Appendix A: the static table, index 1 first. */
export const STATIC_TABLE: ReadonlyArray<readonly [string, string]> = /* @__PURE__ */ (() =>
  [
    [':authority', ''],
    [':method', 'GET'],
    [':method', 'POST'],
    [':path', '/'],
    [':path', '/index.html'],
    [':scheme', 'http'],
    [':scheme', 'https'],
    [':status', '200'],
    [':status', '204'],
    [':status', '206'],
    [':status', '304'],
    [':status', '400'],
    [':status', '404'],
    [':status', '500'],
    ['accept-charset', ''],
    ['accept-encoding', 'gzip, deflate'],
    ['accept-language', ''],
    ['accept-ranges', ''],
    ['accept', ''],
    ['access-control-allow-origin', ''],
    ['age', ''],
    ['allow', ''],
    ['authorization', ''],
    ['cache-control', ''],
    ['content-disposition', ''],
    ['content-encoding', ''],
    ['content-language', ''],
    ['content-length', ''],
    ['content-location', ''],
    ['content-range', ''],
    ['content-type', ''],
    ['cookie', ''],
    ['date', ''],
    ['etag', ''],
    ['expect', ''],
    ['expires', ''],
    ['from', ''],
    ['host', ''],
    ['if-match', ''],
    ['if-modified-since', ''],
    ['if-none-match', ''],
    ['if-range', ''],
    ['if-unmodified-since', ''],
    ['last-modified', ''],
    ['link', ''],
    ['location', ''],
    ['max-forwards', ''],
    ['proxy-authenticate', ''],
    ['proxy-authorization', ''],
    ['range', ''],
    ['referer', ''],
    ['refresh', ''],
    ['retry-after', ''],
    ['server', ''],
    ['set-cookie', ''],
    ['strict-transport-security', ''],
    ['transfer-encoding', ''],
    ['user-agent', ''],
    ['vary', ''],
    ['via', ''],
    ['www-authenticate', ''],
  ] as const)();

const STATIC_LEN = 61;

/** Static table indexes (1-based) by name, for the encoder: a map look-up
 * instead of a scan of all 61 entries per field (profiled: the scan was
 * most of encode()'s time, which was 2.8% of a fetch over HTTP/2). */
const STATIC_BY_NAME: ReadonlyMap<string, readonly number[]> = /* @__PURE__ */ (() => {
  const m = new Map<string, number[]>();
  STATIC_TABLE.forEach(([name], i) => {
    const l = m.get(name);
    if (l) l.push(i + 1);
    else m.set(name, [i + 1]);
  });
  return m;
})();

/**
 * RFC 7541 Appendix B, the bit length of each symbol's code (0..255, then
 * EOS = 256). The code is canonical (within one length the codes count up
 * in symbol order, and each length starts where the shorter ones ended,
 * shifted left), so the lengths alone rebuild the table's codes; the tests
 * check the rebuilt codes against the RFC's hex column.
 */
const CODE_LENGTHS = /* @__PURE__ */ new Uint8Array([
  13, 23, 28, 28, 28, 28, 28, 28, 28, 24, 30, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 28, 6, 10, 10,
  12, 13, 6, 8, 11, 10, 10, 8, 11, 8, 6, 6, 6, 5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 7, 8, 15, 6, 12, 10, 13, 6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,
  7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 8, 7, 8, 13, 19, 13, 14, 6, 15, 5, 6, 5, 6, 5, 6, 6, 6, 5, 7, 7, 6, 6, 6, 5, 6, 7, 6, 5, 5, 6, 7, 7, 7, 7,
  7, 15, 11, 14, 13, 28, 20, 22, 20, 20, 22, 22, 22, 23, 22, 23, 23, 23, 23, 23, 24, 23, 24, 24, 22, 23, 24, 23, 23, 23, 23, 21, 22, 23, 22,
  23, 23, 24, 22, 21, 20, 22, 22, 23, 23, 21, 23, 22, 22, 24, 21, 22, 23, 23, 21, 21, 22, 21, 23, 22, 23, 23, 20, 22, 22, 22, 23, 22, 22,
  23, 26, 26, 20, 19, 22, 23, 22, 25, 26, 26, 26, 27, 27, 26, 24, 25, 19, 21, 26, 27, 27, 26, 27, 24, 21, 21, 26, 26, 28, 27, 27, 27, 20,
  24, 20, 21, 22, 21, 21, 23, 22, 22, 25, 25, 24, 24, 26, 23, 26, 27, 26, 26, 27, 27, 27, 27, 27, 28, 27, 27, 27, 27, 27, 26, 30,
]);

const EOS = 256;
const MAX_CODE_LEN = 30;

interface Huffman {
  /** Code of each symbol, right-aligned. */
  codes: Uint32Array;
  /** Per length: the first code of that length, how many, and where its
   * symbols start in `sorted` (canonical decoding). */
  first: Int32Array;
  count: Int32Array;
  offset: Int32Array;
  /** Symbols in code order. */
  sorted: Uint16Array;
}

let huffman: Huffman | undefined;

/** Build the canonical code from {@link CODE_LENGTHS} (once). */
function huff(): Huffman {
  if (huffman) return huffman;
  const count = new Int32Array(MAX_CODE_LEN + 1);
  for (const l of CODE_LENGTHS) count[l]++;
  const first = new Int32Array(MAX_CODE_LEN + 1),
    offset = new Int32Array(MAX_CODE_LEN + 1);
  let code = 0,
    at = 0;
  for (let len = 1; len <= MAX_CODE_LEN; len++) {
    first[len] = code;
    offset[len] = at;
    code = (code + count[len]) * 2;
    at += count[len];
  }
  const sorted = new Uint16Array(EOS + 1),
    codes = new Uint32Array(EOS + 1),
    next = first.slice(),
    fill = offset.slice();
  for (let len = 1; len <= MAX_CODE_LEN; len++) {
    for (let sym = 0; sym <= EOS; sym++) {
      if (CODE_LENGTHS[sym] !== len) continue;
      codes[sym] = next[len]++;
      sorted[fill[len]++] = sym;
    }
  }
  huffman = { codes, first, count, offset, sorted };
  return huffman;
}

/** The Huffman code of `sym` (0..256) as [code, bit length], for the tests. */
export function huffmanCode(sym: number): [number, number] {
  return [huff().codes[sym], CODE_LENGTHS[sym]];
}

/** Bytes a Huffman coding of `s` takes. */
function huffmanLength(s: Uint8Array): number {
  let bits = 0;
  for (const b of s) bits += CODE_LENGTHS[b];
  return Math.ceil(bits / 8);
}

/** Huffman-encode `s` into `out` (RFC 7541 5.2: padded with the EOS prefix, all ones). */
function huffmanEncode(s: Uint8Array, out: number[]): void {
  const { codes } = huff();
  let acc = 0,
    bits = 0;
  for (const b of s) {
    const len = CODE_LENGTHS[b];
    // acc holds < 8 bits before this: at most 38 bits, exact in a double.
    acc = acc * 2 ** len + codes[b];
    bits += len;
    while (bits >= 8) {
      bits -= 8;
      const p = 2 ** bits;
      out.push(Math.floor(acc / p) & 0xff);
      acc %= p;
    }
  }
  if (bits > 0) out.push(((acc << (8 - bits)) | ((1 << (8 - bits)) - 1)) & 0xff);
}

/** Decode a Huffman string (RFC 7541 5.2): more than 7 bits of padding,
 * padding that is not the EOS prefix, or an EOS symbol are errors. */
function huffmanDecode(src: Uint8Array, start: number, end: number): string {
  const { first, count, offset, sorted } = huff();
  let out = '',
    code = 0,
    len = 0,
    ones = true;
  for (let i = start; i < end; i++) {
    const byte = src[i];
    for (let bit = 7; bit >= 0; bit--) {
      const v = (byte >> bit) & 1;
      code = code * 2 + v;
      len++;
      ones &&= v === 1;
      const k = code - first[len];
      if (k >= 0 && k < count[len]) {
        const sym = sorted[offset[len] + k];
        if (sym === EOS) throw new HpackError('Huffman string contains EOS');
        out += String.fromCharCode(sym);
        code = 0;
        len = 0;
        ones = true;
      } else if (len >= MAX_CODE_LEN) {
        throw new HpackError('invalid Huffman code');
      }
    }
  }
  if (len > 7) throw new HpackError('Huffman padding longer than 7 bits');
  if (!ones) throw new HpackError('Huffman padding is not the EOS prefix');
  return out;
}

/** Field bytes as a string, one char per byte (a fetch ByteString). */
function latin1(src: Uint8Array, start: number, end: number): string {
  let s = '';
  // Short strings (most fields) char by char: cheaper than spreading a subarray.
  if (end - start <= 64) {
    for (let i = start; i < end; i++) s += String.fromCharCode(src[i]);
    return s;
  }
  for (let i = start; i < end; i += 4096) s += String.fromCharCode(...src.subarray(i, Math.min(end, i + 4096)));
  return s;
}

function bytesOf(s: string): Uint8Array {
  const b = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0xff) throw new TypeError(`HPACK: header text has a character above U+00FF (${JSON.stringify(s.slice(0, 40))})`);
    b[i] = c;
  }
  return b;
}

/** RFC 7541 5.1: an integer with an N-bit prefix; `flags` fill the bits above it. */
function encodeInt(out: number[], value: number, prefix: number, flags: number): void {
  const max = (1 << prefix) - 1;
  if (value < max) {
    out.push(flags | value);
    return;
  }
  out.push(flags | max);
  value -= max;
  while (value >= 128) {
    out.push((value % 128) + 128);
    value = Math.floor(value / 128);
  }
  out.push(value);
}

function encodeString(out: number[], s: string, huffmanAllowed: boolean): void {
  const raw = bytesOf(s);
  const hlen = huffmanAllowed ? huffmanLength(raw) : Number.POSITIVE_INFINITY;
  if (hlen <= raw.length) {
    encodeInt(out, hlen, 7, 0x80);
    huffmanEncode(raw, out);
  } else {
    encodeInt(out, raw.length, 7, 0);
    for (const b of raw) out.push(b);
  }
}

/** RFC 7541 4.1: an entry's size is its name and value lengths plus 32. */
export function entrySize(name: string, value: string): number {
  return name.length + value.length + 32;
}

/** The dynamic table (RFC 7541 2.3.2): newest first, evicted from the end. */
export class DynamicTable {
  readonly entries: Array<[string, string]> = [];
  size = 0;
  constructor(public maxSize: number) {}

  /** RFC 7541 4.4: an entry larger than the table empties it and is not added. */
  add(name: string, value: string): void {
    const s = entrySize(name, value);
    this.evictTo(this.maxSize - s);
    if (s <= this.maxSize) {
      this.entries.unshift([name, value]);
      this.size += s;
    }
  }

  /** RFC 7541 4.3: evict from the end until the size fits. */
  resize(max: number): void {
    this.maxSize = max;
    this.evictTo(max);
  }

  private evictTo(limit: number): void {
    while (this.size > Math.max(limit, 0) && this.entries.length > 0) {
      const [n, v] = this.entries.pop() as [string, string];
      this.size -= entrySize(n, v);
    }
  }
}

/** Names whose values must never enter a compression table (RFC 7541 7.1.3:
 * guessable secrets; RFC 9113 8.2.3 short cookies). */
const SENSITIVE = new Set(['authorization', 'proxy-authorization']);

/** Options of {@link HpackEncoder.encode}. */
export interface EncodeOptions {
  /** Huffman-code strings when not longer (default true). */
  huffman?: boolean;
  /** Add entries to the dynamic table (default true). */
  index?: boolean;
}

/**
 * Encodes header lists into header blocks. The peer decodes with a table
 * of at most its SETTINGS_HEADER_TABLE_SIZE; {@link setMaxTableSize} is
 * called with that, and the next block starts with the size update
 * (RFC 7541 4.2, 6.3).
 *
 * @example
 * ```ts
 * const enc = new HpackEncoder();
 * const block = enc.encode([[':method', 'GET'], ['accept', '*\/*']]);
 * ```
 */
export class HpackEncoder {
  readonly table: DynamicTable;
  private pendingUpdate = false;
  private pendingMin: number | undefined;
  constructor(maxTableSize = 4096) {
    this.table = new DynamicTable(maxTableSize);
  }

  /** Use a table of `size` bytes from the next block on (announced there). */
  setMaxTableSize(size: number): void {
    // Our own cap: a larger table would only cost us memory.
    const s = Math.min(size, 4096);
    if (s === this.table.maxSize) return;
    this.table.resize(s);
    // RFC 7541 4.2: several changes between two blocks are signalled as
    // the smallest size first, then the final one.
    this.pendingMin = Math.min(this.pendingMin ?? s, s);
    this.pendingUpdate = true;
  }

  /** One header block for `headers` (names lower-case). */
  encode(headers: ReadonlyArray<readonly [string, string]>, options: EncodeOptions = {}): Uint8Array {
    const out: number[] = [];
    const huffmanOn = options.huffman ?? true,
      index = options.index ?? true;
    if (this.pendingUpdate) {
      // RFC 7541 6.3: Dynamic Table Size Update, 001xxxxx.
      const min = this.pendingMin ?? this.table.maxSize;
      if (min < this.table.maxSize) encodeInt(out, min, 5, 0x20);
      encodeInt(out, this.table.maxSize, 5, 0x20);
      this.pendingUpdate = false;
      this.pendingMin = undefined;
    }
    for (const [name, value] of headers) {
      const [full, nameIdx] = this.find(name, value);
      if (full) {
        encodeInt(out, full, 7, 0x80); // 6.1 Indexed
        continue;
      }
      if (SENSITIVE.has(name) || (name === 'cookie' && value.length < 20)) {
        encodeInt(out, nameIdx, 4, 0x10); // 6.2.3 Never Indexed
      } else if (index && entrySize(name, value) <= this.table.maxSize / 2) {
        encodeInt(out, nameIdx, 6, 0x40); // 6.2.1 Incremental Indexing
        this.table.add(name, value);
      } else {
        encodeInt(out, nameIdx, 4, 0); // 6.2.2 Without Indexing
      }
      if (nameIdx === 0) encodeString(out, name, huffmanOn);
      encodeString(out, value, huffmanOn);
    }
    return Uint8Array.from(out);
  }

  /** [index of name+value (0 for none), index of the name (0 for none)]. */
  private find(name: string, value: string): [number, number] {
    let nameIdx = 0;
    const statics = STATIC_BY_NAME.get(name);
    if (statics) {
      for (const i of statics) if (STATIC_TABLE[i - 1][1] === value) return [i, i];
      nameIdx = statics[0];
    }
    const d = this.table.entries;
    for (let i = 0; i < d.length; i++) {
      if (d[i][0] !== name) continue;
      if (d[i][1] === value && !SENSITIVE.has(name)) return [STATIC_LEN + 1 + i, nameIdx || STATIC_LEN + 1 + i];
      nameIdx ||= STATIC_LEN + 1 + i;
    }
    return [0, nameIdx];
  }
}

/** Options of {@link HpackDecoder}. */
export interface DecoderOptions {
  /** The table size we announced (SETTINGS_HEADER_TABLE_SIZE): the
   * largest size update the peer may send (default 4096). */
  maxTableSize?: number;
  /** The header list size past which a block's fields are no longer
   * kept (RFC 9113 6.5.2: names, values and 32 per field). */
  maxHeaderListSize?: number;
}

/** A decoded block. */
export interface DecodedBlock {
  headers: Array<[string, string]>;
  /** The list went past `maxHeaderListSize`: `headers` is incomplete and
   * must not be used (the table was still updated, RFC 9113 10.5.1). */
  tooLarge: boolean;
}

/**
 * Decodes header blocks. Each block is decoded in full even past the
 * header list limit, so that the table stays in step with the encoder's
 * (RFC 9113 4.3: "A decoding error in a field block MUST be treated as a
 * connection error of type COMPRESSION_ERROR").
 *
 * @example
 * ```ts
 * const dec = new HpackDecoder({ maxHeaderListSize: 65536 });
 * const { headers } = dec.decode(block);
 * ```
 */
export class HpackDecoder {
  readonly table: DynamicTable;
  private readonly maxTableSize: number;
  private readonly maxListSize: number;
  constructor(options: DecoderOptions = {}) {
    this.maxTableSize = options.maxTableSize ?? 4096;
    this.maxListSize = options.maxHeaderListSize ?? Number.POSITIVE_INFINITY;
    this.table = new DynamicTable(this.maxTableSize);
  }

  decode(block: Uint8Array): DecodedBlock {
    const headers: Array<[string, string]> = [];
    let pos = 0,
      listSize = 0,
      tooLarge = false,
      fieldSeen = false;
    const int = (prefix: number): number => {
      if (pos >= block.length) throw new HpackError('block ends inside an integer');
      const max = (1 << prefix) - 1;
      let v = block[pos++] & max;
      if (v < max) return v;
      let m = 1;
      for (;;) {
        if (pos >= block.length) throw new HpackError('block ends inside an integer');
        const b = block[pos++];
        v += (b & 0x7f) * m;
        m *= 128;
        // Nothing we accept needs more than 32 bits (RFC 7541 5.1: "Integer
        // encodings that exceed implementation limits ... MUST be treated as
        // decoding errors").
        if (v > 0xffffffff) throw new HpackError('integer too large');
        if ((b & 0x80) === 0) return v;
      }
    };
    const str = (): string => {
      if (pos >= block.length) throw new HpackError('block ends before a string');
      const h = (block[pos] & 0x80) !== 0;
      const len = int(7);
      if (len > block.length - pos) throw new HpackError('string runs past the end of the block');
      const s = h ? huffmanDecode(block, pos, pos + len) : latin1(block, pos, pos + len);
      pos += len;
      return s;
    };
    const entry = (i: number): readonly [string, string] => {
      if (i === 0) throw new HpackError('index 0');
      if (i <= STATIC_LEN) return STATIC_TABLE[i - 1];
      const e = this.table.entries[i - STATIC_LEN - 1];
      if (!e) throw new HpackError(`index ${i} is beyond the table (${STATIC_LEN + this.table.entries.length} entries)`);
      return e;
    };
    const emit = (name: string, value: string): void => {
      fieldSeen = true;
      listSize += entrySize(name, value);
      if (listSize > this.maxListSize) tooLarge = true;
      if (!tooLarge) headers.push([name, value]);
    };
    while (pos < block.length) {
      const b = block[pos];
      if (b & 0x80) {
        const [n, v] = entry(int(7)); // 6.1
        emit(n, v);
      } else if (b & 0x40) {
        const i = int(6); // 6.2.1
        const name = i ? entry(i)[0] : str();
        const value = str();
        this.table.add(name, value);
        emit(name, value);
      } else if (b & 0x20) {
        // 6.3; 4.2: "This dynamic table size update MUST occur at the
        // beginning of the first header block following the change".
        if (fieldSeen) throw new HpackError('table size update after a field');
        const size = int(5);
        if (size > this.maxTableSize) throw new HpackError(`table size update to ${size} exceeds our limit ${this.maxTableSize}`);
        this.table.resize(size);
      } else {
        const i = int(4); // 6.2.2 and 6.2.3
        const name = i ? entry(i)[0] : str();
        emit(name, str());
      }
    }
    return { headers, tooLarge };
  }
}
