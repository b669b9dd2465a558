#!/usr/bin/env node
// tls-graph.mjs: the include and call graph of crypto-src/tls/ (ext/ too),
// file to file, and a check that it has no cycle (ARCHITECTURE.md: "Arrows
// point down only").
//
//   node scripts/tls-graph.mjs          edges, layers; exit 1 on a cycle
//   node scripts/tls-graph.mjs --dot    the same graph for Graphviz
//
// A "call" is any use of a name another file defines at file scope without
// `static` (functions and data such as the extension descriptors), found
// after comments and strings are removed, plus macros of tls_inner.h that
// expand to such a call (FAIL -> wt_tls_fail). Includes are the quoted
// #include lines that resolve to a file in the directory.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, dirname, basename } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dir = join(root, 'crypto-src/tls');

function walk(d) {
  return readdirSync(d).flatMap((n) => {
    const p = join(d, n);
    return statSync(p).isDirectory() ? walk(p) : /\.[ch]$/.test(n) ? [p] : [];
  });
}
const files = walk(dir).sort();
const rel = (p) => relative(dir, p);

function strip(src) {
  return src
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .replace(/\/\/.*$/gm, ' ')
    .replace(/"(?:\\.|[^"\\\n])*"/g, '""')
    .replace(/'(?:\\.|[^'\\\n])*'/g, "''");
}

const text = new Map(files.map((f) => [f, strip(readFileSync(f, 'utf8'))]));

// Names each .c file defines at file scope and exports (not static).
const owner = new Map();
for (const f of files.filter((f) => f.endsWith('.c'))) {
  const src = text.get(f);
  let depth = 0;
  // Walk top-level text only: definitions start at brace depth 0.
  let top = '';
  for (const ch of src) {
    if (ch === '{') depth++;
    if (depth === 0) top += ch;
    else if (ch === '\n') top += '\n';
    if (ch === '}') { depth--; if (depth === 0) top += ';'; }
  }
  for (const stmt of top.split(';')) {
    const s = stmt.trim();
    if (!s || /^\s*(static|typedef|extern|#)/m.test(s.split('\n').filter((l) => !l.startsWith('#')).join('\n').trim())) continue;
    const body = s.split('\n').filter((l) => !l.trim().startsWith('#')).join(' ').trim();
    if (!body || body.startsWith('static') || body.startsWith('typedef') || body.startsWith('extern')) continue;
    // function: "type name(args)" ; data: "type name = ..." or "type name[]"
    let m = body.match(/([A-Za-z_]\w*)\s*\([^()]*(?:\([^()]*\)[^()]*)*\)\s*$/);
    if (!m) m = body.match(/([A-Za-z_]\w*)\s*(?:\[[^\]]*\])?\s*=?\s*[^=]*$/) && body.includes('=')
      ? body.match(/([A-Za-z_]\w*)\s*(?:\[[^\]]*\])?\s*=/) : null;
    if (m && !owner.has(m[1])) owner.set(m[1], f);
  }
}
// Macros in headers that stand for a call.
const macroCalls = { FAIL: 'wt_tls_fail' };

const edges = new Map(files.map((f) => [f, new Map()]));
function add(a, b, why) {
  if (a === b) return;
  const m = edges.get(a);
  if (!m.has(b)) m.set(b, new Set());
  m.get(b).add(why);
}
for (const f of files) {
  const raw = readFileSync(f, 'utf8');
  for (const m of raw.matchAll(/^#\s*include\s+"([^"]+)"/gm)) {
    const p = join(dirname(f), m[1]);
    if (files.includes(p)) add(f, p, '#include');
  }
  if (!f.endsWith('.c')) continue;
  for (const m of text.get(f).matchAll(/\b([A-Za-z_]\w*)\b/g)) {
    let name = m[1];
    if (macroCalls[name]) name = macroCalls[name];
    const o = owner.get(name);
    if (o && o !== f) add(f, o, name);
  }
}

// Cycle check (Tarjan's strongly connected components).
let index = 0;
const idx = new Map(), low = new Map(), on = new Set(), stack = [], sccs = [];
function strong(v) {
  idx.set(v, index); low.set(v, index); index++;
  stack.push(v); on.add(v);
  for (const w of edges.get(v).keys()) {
    if (!idx.has(w)) { strong(w); low.set(v, Math.min(low.get(v), low.get(w))); }
    else if (on.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
  }
  if (low.get(v) === idx.get(v)) {
    const c = [];
    let w;
    do { w = stack.pop(); on.delete(w); c.push(w); } while (w !== v);
    if (c.length > 1) sccs.push(c);
  }
}
for (const f of files) if (!idx.has(f)) strong(f);

// Layers: 0 for files that call nothing in the directory, else 1 + the
// highest layer called (defined only without cycles).
const layer = new Map();
function lay(f, seen = new Set()) {
  if (layer.has(f)) return layer.get(f);
  if (seen.has(f)) return 0;
  seen.add(f);
  let l = 0;
  for (const g of edges.get(f).keys()) l = Math.max(l, lay(g, seen) + 1);
  layer.set(f, l);
  return l;
}

if (process.argv.includes('--dot')) {
  console.log('digraph tls {');
  for (const [a, m] of edges) for (const b of m.keys()) console.log(`  "${rel(a)}" -> "${rel(b)}";`);
  console.log('}');
} else {
  for (const [a, m] of edges) {
    for (const [b, why] of m) {
      const w = [...why];
      console.log(`${rel(a)} -> ${rel(b)}  (${w.slice(0, 6).join(', ')}${w.length > 6 ? `, +${w.length - 6}` : ''})`);
    }
  }
  if (sccs.length === 0) {
    console.log('\nlayers (each file calls only lower layers):');
    const by = new Map();
    for (const f of files) { const l = lay(f); if (!by.has(l)) by.set(l, []); by.get(l).push(basename(f) === rel(f) ? rel(f) : rel(f)); }
    for (const l of [...by.keys()].sort((a, b) => b - a)) console.log(`  ${l}: ${by.get(l).join(' ')}`);
  }
}
if (sccs.length) {
  console.error(`\nCYCLES (${sccs.length}):`);
  for (const c of sccs) console.error('  ' + c.map(rel).join(' <-> '));
  process.exit(1);
}
console.log('\nno cycle');
