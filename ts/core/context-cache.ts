/**
 * The contexts connect() and accept() build from their options, shared by
 * the connections whose options have the same value (issue #16: "connect()
 * builds a new context and trust store on every call unless `context` is
 * passed: 25-60 us with one CA certificate, 3.3 ms with the 144
 * `rootCertificates` ... Cache by `ca` value, free what is built").
 *
 * A context is held while a connection uses it (a count of users), then
 * kept idle for {@link IDLE_MS} in case the next connection has the same
 * options (sequential connections to one origin, a server's accepts), at
 * most {@link MAX_IDLE} of them, the least recently used released first,
 * then disposed: its memory is freed. The timer never keeps a process
 * alive. {@link releaseIdleContexts} frees the idle ones at once.
 *
 * The key is the options' value, not the objects': PEM text by its
 * content, byte arrays by identity and then by content (a copy is kept and
 * compared on each use, so a buffer rewritten since gets a new context),
 * callbacks (keylog) by identity, a {@link TrustStore} by identity and its
 * current block (a store that grew or was disposed since is a new key:
 * the engine's context points at the block it was given).
 * @module
 */
import { clientContext, type ContextPolicy, serverContext } from './configure.js';
import type { TLSContext } from './context.js';
import { wasm } from './loader.js';
import { TrustStore } from './x509.js';

/** How long a context no connection uses is kept for the next one. */
export const IDLE_MS = 2000;
/** At most this many idle contexts are kept (the oldest go first). */
export const MAX_IDLE = 8;

/** The options a context is built from (configure.ts reads these). */
const KEYED: readonly (keyof ContextPolicy)[] = [
  'ALPNProtocols',
  'ca',
  'cert',
  'key',
  'minVersion',
  'maxVersion',
  'ciphers',
  'ciphersuites',
  'groups',
  'sigalgs',
  'keylog',
  'rejectUnauthorized',
  'pins',
  'requestCert',
  'requireCert',
  'ticketKey',
  'onVerdict',
  'certificateCompression',
];

interface Entry {
  key: string;
  ctx: TLSContext;
  users: number;
  /** When the last connection using it ended (Date.now()). */
  idleSince: number;
  /** Strings this entry holds in {@link strings} (released with it). */
  strs: string[];
  /** Byte options and the copy of their content the context was built from. */
  bytes: [Uint8Array, Uint8Array][];
  /** TrustStores and the block each had. */
  stores: [TrustStore, number][];
}

/** A context lent to one connection: `release()` once, when it ends. */
export interface Lease {
  ctx: TLSContext;
  release: () => void;
}

const entries = new Map<string, Entry>();
/** Idle entries, least recently used first (a Set keeps insertion order). */
const idle = new Set<Entry>();
/** One timer for every idle entry, armed while there is one (a timer set
 * and cleared per connection cost more than the rest of a cache hit). */
let sweeper: ReturnType<typeof setTimeout> | undefined;
/** Strings in keys: an id each, counted by the entries holding them, so a
 * long PEM text is hashed by the Map (once per string object: V8 keeps the
 * hash) rather than copied into each key. */
const strings = new Map<string, { id: number; refs: number }>();
let nextString = 0;
/** Objects in keys (byte arrays, stores, callbacks), by identity. */
const objects = new WeakMap<object, number>();
let nextObject = 0;
let built = 0;

/** @internal what the cache holds and how many contexts it built. */
export function contextCacheStats(): { built: number; live: number; idle: number } {
  return { built, live: entries.size - idle.size, idle: idle.size };
}

/** Free every idle context now (each is built again when next needed). */
export function releaseIdleContexts(): void {
  for (const e of [...idle]) drop(e);
  if (sweeper !== undefined) clearTimeout(sweeper);
  sweeper = undefined;
}

/** Drop the entries idle for IDLE_MS; come back for the others. */
function sweep(): void {
  sweeper = undefined;
  const now = Date.now();
  for (const e of idle) {
    const left = e.idleSince + IDLE_MS - now;
    if (left > 0) {
      sweeper = backgroundTimer(sweep, left);
      return;
    }
    drop(e);
  }
}

/** A client context for `o` (see {@link clientContext}), shared. */
export function leaseClientContext(o: ContextPolicy, who: string): Lease {
  return lease(o, 'c', () => clientContext(o, who));
}

/** A server context for `o` (see {@link serverContext}), shared. */
export function leaseServerContext(o: ContextPolicy, who: string): Lease {
  return lease(o, 's', () => serverContext(o, who));
}

/** Key building state: what the key names, to check and to keep. */
interface Parts {
  strs: string[];
  bytes: Uint8Array[];
  stores: TrustStore[];
}

function objectId(x: object): number {
  let id = objects.get(x);
  if (id === undefined) {
    id = nextObject++;
    objects.set(x, id);
  }
  return id;
}

/** One option's value as key text, or undefined when it cannot be keyed
 * (an object of another kind: that connection gets a context of its own). */
function atom(v: unknown, p: Parts): string | undefined {
  if (v === undefined) return '';
  if (typeof v === 'boolean' || typeof v === 'number') return String(v);
  if (typeof v === 'string') {
    let s = strings.get(v);
    if (!s) {
      s = { id: nextString++, refs: 0 };
      strings.set(v, s);
    }
    p.strs.push(v);
    return `s${s.id}`;
  }
  if (typeof v === 'function') return `f${objectId(v)}`;
  if (v instanceof Uint8Array) {
    p.bytes.push(v);
    return `b${objectId(v)}`;
  }
  if (v instanceof TrustStore) {
    p.stores.push(v);
    return `t${objectId(v)}`;
  }
  if (Array.isArray(v)) {
    let t = '[';
    for (const x of v) {
      const a = atom(x, p);
      if (a === undefined) return undefined;
      t += `${a},`;
    }
    return `${t}]`;
  }
  return undefined;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function handleOf(s: TrustStore): number {
  try {
    return s.handle;
  } catch {
    return 0; // disposed
  }
}

/** Whether the entry was built from what its key's objects hold now. */
function current(e: Entry): boolean {
  if (e.ctx.w !== wasm()) return false; // the module was loaded again
  for (const [s, h] of e.stores) if (handleOf(s) !== h) return false;
  for (const [b, copy] of e.bytes) if (!sameBytes(b, copy)) return false;
  return true;
}

/** Strings named by a key that no entry holds are forgotten. */
function forget(strs: string[]): void {
  for (const v of strs) {
    const s = strings.get(v);
    if (s && s.refs === 0) strings.delete(v);
  }
}

function lease(o: ContextPolicy, role: string, build: () => TLSContext): Lease {
  const p: Parts = { strs: [], bytes: [], stores: [] };
  let key: string | undefined = role;
  for (const name of KEYED) {
    const a = atom(o[name], p);
    if (a === undefined) {
      key = undefined;
      break;
    }
    key += `|${a}`;
  }
  if (key === undefined) {
    // Not keyable: built for this connection alone, freed when it ends.
    forget(p.strs);
    const ctx = build();
    built++;
    return { ctx, release: () => ctx.dispose() };
  }
  let e = entries.get(key);
  if (e && !current(e)) {
    // Built from what the objects no longer hold: no longer found; freed
    // once its connections end.
    entries.delete(key);
    if (e.users === 0) drop(e);
    e = undefined;
  }
  if (!e) {
    let ctx: TLSContext;
    try {
      ctx = build();
    } catch (err) {
      forget(p.strs);
      throw err;
    }
    built++;
    e = {
      key,
      ctx,
      users: 0,
      idleSince: 0,
      strs: p.strs,
      bytes: p.bytes.map((b) => [b, b.slice()]),
      stores: p.stores.map((s) => [s, handleOf(s)]),
    };
    for (const v of p.strs) (strings.get(v) as { refs: number }).refs++;
    entries.set(key, e);
  }
  const entry = e;
  entry.users++;
  idle.delete(entry);
  let released = false;
  return {
    ctx: entry.ctx,
    release: () => {
      if (released) return;
      released = true;
      if (--entry.users > 0) return;
      if (entries.get(entry.key) !== entry) {
        drop(entry);
        return;
      }
      entry.idleSince = Date.now();
      idle.add(entry);
      if (idle.size > MAX_IDLE) drop(idle.values().next().value as Entry);
      sweeper ??= backgroundTimer(sweep, IDLE_MS);
    },
  };
}

/** Forget an entry and dispose its context (freed at once, or when the
 * connections still using it are disposed: TLSContext counts them). */
function drop(e: Entry): void {
  idle.delete(e);
  if (entries.get(e.key) === e) entries.delete(e.key);
  for (const v of e.strs) {
    const s = strings.get(v);
    if (s && --s.refs === 0) strings.delete(v);
  }
  e.strs = [];
  // The copies may be key material (a DER private key, a ticket key).
  for (const [, copy] of e.bytes) copy.fill(0);
  e.bytes = [];
  e.stores = [];
  e.ctx.dispose();
}

/** A timer that does not keep the process alive (Node's unref(), Deno's
 * unrefTimer; browsers and workerd have no such notion). */
function backgroundTimer(fn: () => void, ms: number): ReturnType<typeof setTimeout> {
  const t = setTimeout(fn, ms);
  const n = t as unknown as { unref?: () => void };
  if (typeof t === 'object' && t !== null && typeof n.unref === 'function') n.unref();
  else if (typeof t === 'number') {
    (globalThis as { Deno?: { unrefTimer?: (id: number) => void } }).Deno?.unrefTimer?.(t);
  }
  return t;
}
