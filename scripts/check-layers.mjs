#!/usr/bin/env node
/**
 * The layers of ts/ and the imports between them, checked (ARCHITECTURE.md:
 * "Arrows point down only: no cycle among files").
 *
 *   node scripts/check-layers.mjs [--json]
 *
 * Reads every ts/**.ts file, parses its import / export-from / import()
 * specifiers (relative ones: the graph of our own files), and checks:
 *  1. layers: a file imports only from its own layer or the layers below
 *       core      ts/core/         the SSL object and the shared policy
 *       adapters  ts/adapters/     transport bytes (types shared only)
 *       api       ts/api/          connect()/accept(), the Node socket
 *       http      ts/http/         fetch, WebSocket (on api)
 *       dns       ts/dns/          wasmtls/doh: DNS wire format, DoH lookups
 *                                  (on http's fetch)
 *       relay     ts/relay/        wasmtls/relay: the WebSocket-to-TCP relay
 *                                  server for Node (imports none of ours)
 *       cli       ts/cli/          s_client, s_server, relay
 *       programs  ts/*.ts          entries: index, cli, demo, selfcheck
 *     with adapters beside core (neither imports the other), and relay
 *     beside both (a server: it moves a client's TLS records, never runs TLS);
 *  2. no cycle among files, through any import: run-time ones and
 *     type-only ones (`import type`, all-`type` specifier lists, and
 *     `declare module './x.js'` augmentations, which depend on x's types).
 *     TypeScript erases the type-only ones, so a cycle through one cannot
 *     affect loading, but it still ties the two files' types together
 *     (neither can be read, compiled or replaced without the other); both
 *     kinds fail and are listed apart;
 *  3. only ts/core/ calls the raw wasm exports (every one is named
 *     `wt_x_*`; no other file names one).
 * Prints the layers, the edges between them and any violation; exits 1 on
 * a violation.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const tsRoot = join(root, 'ts');
const args = new Set(process.argv.slice(2));

/** Layer of a file (path relative to ts/) and its rank; the allowed
 * targets of each layer. */
const LAYERS = {
  core: { allow: ['core'] },
  adapters: { allow: ['adapters'] },
  api: { allow: ['api', 'core', 'adapters'] },
  http: { allow: ['http', 'api', 'core', 'adapters'] },
  dns: { allow: ['dns', 'http', 'api', 'core', 'adapters'] },
  relay: { allow: ['relay'] },
  cli: { allow: ['cli', 'api', 'core', 'adapters', 'relay'] },
  programs: { allow: ['programs', 'cli', 'dns', 'http', 'api', 'core', 'adapters', 'relay'] },
};

function layerOf(rel) {
  const top = rel.split('/')[0];
  if (!rel.includes('/')) return 'programs';
  if (top in LAYERS && top !== 'programs') return top;
  return undefined;
}

function walk(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** Remove comments (keeping strings), so commented-out imports and the
 * examples in doc comments do not count. */
function stripComments(src) {
  let out = '';
  for (let i = 0; i < src.length; ) {
    const c = src[i],
      d = src[i + 1];
    if (c === '/' && d === '/') {
      while (i < src.length && src[i] !== '\n') i++;
    } else if (c === '/' && d === '*') {
      i += 2;
      while (i < src.length && !(src[i] === '*' && src[i + 1] === '/')) i++;
      i += 2;
    } else if (c === '"' || c === "'" || c === '`') {
      let j = i + 1;
      while (j < src.length && src[j] !== c) j += src[j] === '\\' ? 2 : 1;
      out += src.slice(i, j + 1);
      i = j + 1;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** The relative imports of a source: { spec, typeOnly }. */
export function importsOf(src) {
  const code = stripComments(src);
  const found = [];
  const stmt = /(?:^|[;\n])\s*(import|export)\s+(type\s+)?([^'";]*?)\s*from\s*['"]([^'"]+)['"]/g;
  for (let m = stmt.exec(code); m; m = stmt.exec(code)) {
    const [, , typeKw, clause, spec] = m;
    let typeOnly = Boolean(typeKw);
    // `import { type A, type B } from` is erased too.
    const braces = /^\{([\s\S]*)\}$/.exec(clause.trim());
    if (!typeOnly && braces) {
      const names = braces[1]
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      typeOnly = names.length > 0 && names.every((n) => n.startsWith('type '));
    }
    found.push({ spec, typeOnly });
  }
  // A module augmentation needs the augmented file's declarations.
  const aug = /(?:^|[;\n])\s*declare\s+module\s*['"]([^'"]+)['"]/g;
  for (let m = aug.exec(code); m; m = aug.exec(code)) found.push({ spec: m[1], typeOnly: true });
  const bare = /(?:^|[;\n])\s*import\s*['"]([^'"]+)['"]/g;
  for (let m = bare.exec(code); m; m = bare.exec(code)) found.push({ spec: m[1], typeOnly: false });
  const dyn = /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;
  for (let m = dyn.exec(code); m; m = dyn.exec(code)) found.push({ spec: m[1], typeOnly: false });
  return found.filter((f) => f.spec.startsWith('.'));
}

/** Strongly connected components with more than one file, or a file that
 * imports itself (Tarjan). */
function cycles(nodes, edges) {
  let index = 0;
  const idx = new Map(),
    low = new Map(),
    on = new Set(),
    stack = [],
    out = [];
  const visit = (v) => {
    idx.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    on.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
    }
    if (low.get(v) === idx.get(v)) {
      const comp = [];
      let w;
      do {
        w = stack.pop();
        on.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1 || (edges.get(v) ?? new Set()).has(v)) out.push(comp.sort());
    }
  };
  for (const v of nodes) if (!idx.has(v)) visit(v);
  return out;
}

/** Check the tree at `dir` (default: this checkout's ts/). */
export function check(dir = tsRoot) {
  const files = walk(dir)
    .map((p) => relative(dir, p).split('\\').join('/'))
    .sort();
  const value = new Map(),
    all = new Map();
  const problems = [];
  const layerEdges = new Map();
  for (const f of files) {
    const src = readFileSync(join(dir, f), 'utf8');
    const from = layerOf(f);
    if (!from) problems.push(`${f}: in no layer (ts/<layer>/ or a program at ts/*.ts)`);
    value.set(f, new Set());
    all.set(f, new Set());
    for (const { spec, typeOnly } of importsOf(src)) {
      const target = relative(dir, resolve(join(dir, dirname(f)), spec.replace(/\.js$/, '.ts')))
        .split('\\')
        .join('/');
      if (!files.includes(target)) {
        if (!target.startsWith('..')) problems.push(`${f}: imports ${spec}, which is not a file of ts/`);
        continue;
      }
      all.get(f).add(target);
      if (!typeOnly) value.get(f).add(target);
      const to = layerOf(target);
      if (from && to) {
        const k = `${from} -> ${to}`;
        layerEdges.set(k, (layerEdges.get(k) ?? 0) + 1);
        if (!LAYERS[from].allow.includes(to)) problems.push(`${f}: layer ${from} imports ${target} (layer ${to})`);
      }
    }
    // Every raw export is named wt_x_* (wasm/exports*.c): naming one
    // outside core, through any alias of the exports object, is calling it.
    if (from !== 'core' && /\bwt_x_\w+/.test(stripComments(src))) {
      problems.push(`${f}: calls raw wasm exports; only ts/core/ does`);
    }
  }
  const valueCycles = cycles(files, value);
  const allCycles = cycles(files, all);
  for (const c of valueCycles) problems.push(`cycle through run-time imports: ${c.join(' <-> ')}`);
  const typeCycles = allCycles.filter((c) => !valueCycles.some((v) => v.join() === c.join()));
  for (const c of typeCycles) problems.push(`cycle through type-only imports: ${c.join(' <-> ')}`);
  const byLayer = {};
  for (const f of files) (byLayer[layerOf(f) ?? '?'] ??= []).push(f);
  // Rank of each file when there is no cycle: 0 imports none of ours, else
  // one more than the highest it imports (type-only imports included).
  const rank = new Map();
  const rankOf = (f) => {
    if (!rank.has(f)) {
      rank.set(f, 0);
      rank.set(f, Math.max(0, ...[...all.get(f)].map((g) => rankOf(g) + 1)));
    }
    return rank.get(f);
  };
  const ranks = allCycles.length ? {} : Object.fromEntries(files.map((f) => [f, rankOf(f)]));
  return { files: files.length, byLayer, layerEdges: Object.fromEntries([...layerEdges].sort()), valueCycles, typeCycles, ranks, problems };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const r = check();
  if (args.has('--json')) {
    console.log(JSON.stringify(r, null, 2));
  } else {
    console.log(`ts/: ${r.files} files`);
    for (const name of Object.keys(LAYERS)) {
      const fs = r.byLayer[name] ?? [];
      console.log(`  ${name.padEnd(9)} ${String(fs.length).padStart(3)} files, may import: ${LAYERS[name].allow.join(', ')}`);
    }
    console.log('imports between layers (count):');
    for (const [k, n] of Object.entries(r.layerEdges)) console.log(`  ${k.padEnd(22)} ${n}`);
    if (Object.keys(r.ranks).length) {
      console.log('files by rank (each imports only lower ranks):');
      const by = new Map();
      for (const [f, n] of Object.entries(r.ranks)) by.set(n, [...(by.get(n) ?? []), f]);
      for (const n of [...by.keys()].sort((a, b) => b - a)) console.log(`  ${String(n).padStart(2)}: ${by.get(n).join(' ')}`);
    }
    console.log(`cycles through run-time imports: ${r.valueCycles.length}`);
    console.log(`cycles through type-only imports: ${r.typeCycles.length}`);
    for (const c of r.typeCycles) console.log(`  ${c.join(' <-> ')}`);
    if (r.problems.length) {
      console.log('VIOLATIONS:');
      for (const p of r.problems) console.log(`  ${p}`);
    } else
      console.log(
        'OK: every import points down or sideways within its layer; no cycle among files (run-time or type-only imports); raw exports only in core',
      );
  }
  process.exit(r.problems.length ? 1 : 0);
}
