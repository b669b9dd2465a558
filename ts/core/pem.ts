/**
 * PEM (RFC 7468) decoding, once for every layer: the C decoder does the
 * base64 in constant time (private keys pass through it), and this file is
 * the only TypeScript that reads PEM. The Node layer, the CLI and the
 * context all come here.
 * @module
 */
import { abytes, u32le, cString } from './bytes.js';
import { wasm } from './loader.js';

/** A PEM block: its label (`CERTIFICATE`, `PRIVATE KEY`, ...) and DER. */
export interface PemBlock {
  /** The label of the BEGIN line (`CERTIFICATE`, `PRIVATE KEY`, ...). */
  label: string;
  /** The decoded base64 body. */
  der: Uint8Array;
}

function latin1(s: string): Uint8Array {
  const b = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    b[i] = c < 0x80 ? c : 0xff; // PEM is ASCII: anything else fails decoding
  }
  return b;
}

/** What the C decoder's codes mean (crypto-src/inc/wt_pem.h), for every
 * caller that reports a PEM failure (this file, rsa.ts). */
export const PEM_ERRORS: Readonly<Record<number, string>> = /* @__PURE__ */ Object.freeze({
  [-20]: 'malformed PEM: no "-----BEGIN ...-----" line',
  [-21]: 'malformed PEM: no END line',
  [-22]: 'malformed PEM: bad label, or the END label differs from BEGIN',
  [-23]: 'malformed PEM: invalid base64 (encrypted PEM headers are not supported)',
  [-24]: 'malformed PEM: body too large',
});

/**
 * Decode every PEM block of `text` with the module's decoder. Throws a
 * TypeError when there is none or one is malformed. The caller wipes
 * secret results.
 */
export function pemDecode(text: string | Uint8Array): PemBlock[] {
  return decode(text, false);
}

function decode(text: string | Uint8Array, noneIsEmpty: boolean): PemBlock[] {
  const w = wasm();
  const x = w.exports;
  const bytes = typeof text === 'string' ? latin1(text) : abytes(text, 'pemDecode');
  const inp = w.copyIn(bytes);
  const out = w.alloc(bytes.length);
  const meta = w.alloc(8 + 72);
  const blocks: PemBlock[] = [];
  try {
    let off = 0;
    for (;;) {
      const r = x.wt_x_pem_decode(inp + off, bytes.length - off, out, bytes.length, meta, meta + 8);
      if (r === -20 && (blocks.length > 0 || noneIsEmpty)) break; // no further BEGIN line
      if (r !== 0) throw new TypeError(`wasmtls: ${PEM_ERRORS[r] ?? `PEM decoding failed (${r})`}`);
      const u = w.u8();
      const n = u32le(u, meta),
        used = u32le(u, meta + 4);
      blocks.push({ label: cString(u, meta + 8), der: u.slice(out, out + n) });
      off += used;
      if (off >= bytes.length) break;
    }
  } finally {
    w.wipe(inp, bytes.length);
    w.wipe(out, bytes.length);
    w.free(inp);
    w.free(out);
    w.free(meta);
  }
  return blocks;
}

/** Whether `x` is PEM text: a string, or bytes that do not start as DER
 * does (a SEQUENCE, 0x30): a Buffer read from a .pem file, as Node takes
 * it. */
export function isPem(x: string | Uint8Array): boolean {
  return typeof x === 'string' || (x.length > 0 && x[0] !== 0x30);
}

/** The DER of each `CERTIFICATE` block of PEM text (none: empty list). */
export function pemCertificates(text: string | Uint8Array): Uint8Array[] {
  if (!isPem(text)) return [];
  return decode(text, true)
    .filter((b) => b.label === 'CERTIFICATE')
    .map((b) => b.der);
}

/** Certificates given as PEM text, DER, or a list mixing both (Node's
 * `ca` / `cert` shapes), as a list of DER. */
export function certificateList(x: string | Uint8Array | readonly (string | Uint8Array)[]): Uint8Array[] {
  const list = typeof x === 'string' || x instanceof Uint8Array ? [x] : x;
  const out: Uint8Array[] = [];
  for (const v of list) {
    if (isPem(v)) out.push(...pemCertificates(v));
    else out.push(abytes(v, 'certificate'));
  }
  return out;
}
