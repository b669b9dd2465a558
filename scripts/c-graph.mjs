#!/usr/bin/env node
// c-graph.mjs: the include and call graph of the C sources, file to file,
// over the whole of crypto-src/ (tls, x509, pk, rsa, ec, aead, hash, ...)
// and wasm/ (the exports, on top), and a check that it has no cycle
// (ARCHITECTURE.md: "Arrows point down only").
//
//   node scripts/c-graph.mjs              edges, layers, folders; exit 1 on a cycle
//   node scripts/c-graph.mjs --dot        the file graph for Graphviz
//   node scripts/c-graph.mjs --json       { files, edges, cycles, layers, folders }
//   node scripts/c-graph.mjs --root DIR   the same check of another tree (tests):
//                                         every .c/.h under DIR, includes
//                                         resolved next to the file or at DIR
//
// Edges, A -> B:
//  - #include "B" (a quoted include that resolves to one of the files:
//    next to A, then on the build's include path crypto-src/,
//    crypto-src/inc/, wasm/, as build.sh passes -I);
//  - A (a .c file, or a header's inline function body) uses a name that B
//    (a .c file) defines at file scope without `static`: functions and
//    data (tables, descriptors), found after comments and strings are
//    removed. A name A itself defines `static` is A's own and not a use;
//  - A uses a macro that a header defines and whose body uses such a name
//    (FAIL -> wt_tls_fail): the call is made where the macro expands.
// A header that only declares a function does not depend on the file that
// defines it; the files that include the header and call the function do.
import { readFileSync, readdirSync, statSync, existsSync } from 'node:fs';
import { join, relative, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');

function walk(d) {
  return readdirSync(d).flatMap((n) => {
    const p = join(d, n);
    return statSync(p).isDirectory() ? walk(p) : /\.[ch]$/.test(n) ? [p] : [];
  });
}

/** Comments and the contents of string and character literals removed
 * (line breaks kept, so positions by line stay meaningful). */
export function strip(src) {
  return src
    .replace(/\/\*[\s\S]*?\*\//g, (m) => m.replace(/[^\n]/g, ' '))
    .replace(/\/\/.*$/gm, ' ')
    .replace(/"(?:\\.|[^"\\\n])*"/g, '""')
    .replace(/'(?:\\.|[^'\\\n])*'/g, "''");
}

/** Preprocessor lines (continuations joined) apart from the code. */
function splitPre(src) {
  const lines = src.replace(/\\\n/g, ' ').split('\n');
  const pre = lines.filter((l) => /^\s*#/.test(l));
  const code = lines.map((l) => (/^\s*#/.test(l) ? '' : l)).join('\n');
  return { pre, code };
}

/** The file-scope text (brace depth 0, each closed block ending a
 * statement) and the text inside blocks. */
function levels(code) {
  let depth = 0,
    top = '',
    inner = '';
  for (const ch of code) {
    if (ch === '{') {
      depth++;
      if (depth === 1) {
        inner += ' ';
        continue;
      }
    }
    if (ch === '}') {
      depth--;
      if (depth === 0) {
        top += ';';
        inner += ' ';
        continue;
      }
    }
    if (depth === 0) top += ch;
    else inner += ch;
  }
  return { top, inner };
}

/** Names a file declares at file scope, exported (no `static`) and local:
 * functions (prototypes too: graph() keeps those with a body) and data. */
export function definitions(code) {
  const out = { exported: new Set(), local: new Set() };
  const { top } = levels(code);
  for (const stmt of top.split(';')) {
    const s = stmt.replace(/\s+/g, ' ').trim();
    if (!s || /^(typedef|extern)\b/.test(s) || /^(struct|union|enum)\s+\w*\s*$/.test(s)) continue;
    const isStatic = /^(?:(?:const|inline|volatile)\s+)*static\b/.test(s);
    // A function: "... name(args)" (levels() ended a definition's
    // statement right after its argument list).
    let m = s.match(/([A-Za-z_]\w*)\s*\((?:[^()]|\([^()]*\))*\)\s*(?:__attribute__\s*\(\([^)]*\)\)\s*)?$/);
    if (!m) {
      // Data: "type name[...] = ..." or "type name" (a tentative definition);
      // a lone word or a keyword is none.
      m = s.match(/^[^=(]*?\b([A-Za-z_]\w*)\s*(?:\[[^\]]*\]\s*)*(?:=|$)/);
      if (m && (/^(return|if|while|for|do|else|case|default)$/.test(m[1]) || !/\s/.test(s.split('=')[0].trim()))) m = null;
    }
    if (m) (isStatic ? out.local : out.exported).add(m[1]);
  }
  return out;
}

/** Function definitions only: names whose body follows at depth 0. */
function functionDefs(code) {
  const names = new Set();
  const re = /([A-Za-z_]\w*)\s*\((?:[^()]|\([^()]*\))*\)\s*\{/g;
  let depth = 0,
    last = 0;
  // Only matches that start at brace depth 0 are definitions.
  for (let m = re.exec(code); m; m = re.exec(code)) {
    for (; last < m.index; last++) {
      if (code[last] === '{') depth++;
      else if (code[last] === '}') depth--;
    }
    if (depth === 0 && !/^(if|while|for|switch|return|sizeof)$/.test(m[1])) names.add(m[1]);
  }
  return names;
}

const identifiers = (text) => text.match(/\b[A-Za-z_]\w*\b/g) ?? [];

/**
 * The graph of the .c/.h files under `dirs` (absolute), with `incPath`
 * the directories a quoted include is looked up in after the includer's.
 */
export function graph(dirs, incPath, base) {
  const files = dirs.flatMap(walk).sort();
  const fileSet = new Set(files);
  const parsed = new Map();
  for (const f of files) {
    const raw = readFileSync(f, 'utf8');
    const { pre, code } = splitPre(strip(raw));
    parsed.set(f, { raw, pre, code });
  }
  // Macros that stand for `static` (WT_INLINE: `static inline` plus an
  // attribute): a definition they start is local to its file.
  const statics = new Set();
  for (const f of files) {
    for (const l of parsed.get(f).pre) {
      const m = l.match(/^\s*#\s*define\s+([A-Za-z_]\w*)\s+(.*)$/);
      if (m && /\bstatic\b/.test(m[2])) statics.add(m[1]);
    }
  }
  if (statics.size) {
    const re = new RegExp(`\\b(?:${[...statics].join('|')})\\b`, 'g');
    for (const p of parsed.values()) p.code = p.code.replace(re, 'static');
  }

  // Who defines each exported name (a .c file); a name two files export is
  // reported (the link would fail, or the graph would guess).
  const owner = new Map(),
    dupes = [];
  const local = new Map();
  for (const f of files) {
    const { code } = parsed.get(f);
    if (f.endsWith('.c')) {
      const d = definitions(code);
      const fns = functionDefs(code);
      local.set(f, d.local);
      for (const n of d.exported) {
        // A prototype without a body is a declaration, not a definition.
        const isFn = new RegExp(`\\b${n}\\s*\\(`).test(code);
        if (isFn && !fns.has(n)) continue;
        if (owner.has(n) && owner.get(n) !== f) dupes.push(`${n}: ${rel(owner.get(n))} and ${rel(f)}`);
        else owner.set(n, f);
      }
    } else {
      // Header inline functions are local to each includer.
      local.set(f, definitions(code).local);
    }
  }

  // Macros (any header or .c): the exported names their bodies use.
  const macros = new Map();
  for (const f of files) {
    for (const l of parsed.get(f).pre) {
      const m = l.match(/^\s*#\s*define\s+([A-Za-z_]\w*)(\([^)]*\))?\s*(.*)$/);
      if (!m) continue;
      const uses = identifiers(m[3]).filter((n) => owner.has(n));
      if (uses.length) macros.set(m[1], new Set(uses));
    }
  }

  function rel(p) {
    return relative(base, p).split('\\').join('/');
  }

  const edges = new Map(files.map((f) => [f, new Map()]));
  const add = (a, b, why) => {
    if (a === b) return;
    const m = edges.get(a);
    if (!m.has(b)) m.set(b, new Set());
    m.get(b).add(why);
  };
  for (const f of files) {
    const { raw, code } = parsed.get(f);
    for (const m of raw.matchAll(/^\s*#\s*include\s+"([^"]+)"/gm)) {
      const p = [dirname(f), ...incPath].map((d) => resolve(d, m[1])).find((q) => fileSet.has(q) || existsSync(q));
      if (p && fileSet.has(p)) add(f, p, '#include');
    }
    // A .c file's whole code; a header's function bodies only (its
    // prototypes name what others define without depending on them).
    const used = f.endsWith('.c') ? code : levels(code).inner;
    const mine = local.get(f);
    for (const n of new Set(identifiers(used))) {
      if (mine.has(n)) continue;
      if (owner.has(n)) add(f, owner.get(n), n);
      for (const u of macros.get(n) ?? []) if (!mine.has(u)) add(f, owner.get(u), `${n}->${u}`);
    }
  }

  // Strongly connected components (Tarjan), iteratively deep enough here.
  let index = 0;
  const idx = new Map(),
    low = new Map(),
    on = new Set(),
    stack = [],
    sccs = [];
  const strong = (v) => {
    idx.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    on.add(v);
    for (const w of edges.get(v).keys()) {
      if (!idx.has(w)) {
        strong(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
    }
    if (low.get(v) === idx.get(v)) {
      const c = [];
      let w;
      do {
        w = stack.pop();
        on.delete(w);
        c.push(w);
      } while (w !== v);
      if (c.length > 1) sccs.push(c.sort());
    }
  };
  for (const f of files) if (!idx.has(f)) strong(f);

  // Layer: 0 for a file that uses nothing of the others, else one more
  // than the highest it uses (defined when there is no cycle).
  const layer = new Map();
  const lay = (f, seen = new Set()) => {
    if (layer.has(f)) return layer.get(f);
    if (seen.has(f)) return 0;
    seen.add(f);
    let l = 0;
    for (const g of edges.get(f).keys()) l = Math.max(l, lay(g, seen) + 1);
    layer.set(f, l);
    return l;
  };
  for (const f of files) lay(f);

  // Folders (crypto-src/tls/ext counts as crypto-src/tls/ext): the edges
  // between them, summed.
  const folderOf = (f) => rel(dirname(f)) || '.';
  const folders = new Map();
  for (const [a, m] of edges) {
    for (const b of m.keys()) {
      const fa = folderOf(a),
        fb = folderOf(b);
      if (fa === fb) continue;
      const k = `${fa} -> ${fb}`;
      folders.set(k, (folders.get(k) ?? 0) + 1);
    }
  }
  return { files, edges, sccs, layer, folders, dupes, rel };
}

/** Print a graph from graph(): edges with their reasons (or `--dot`), the
 * layers when there is no cycle, then names defined twice and cycles on
 * stderr; exits 1 on either. `folders`: print the folder graph too;
 * `layersTitle`, `pad`, `dotName`: how the layers and the dot graph are
 * named (tls-graph.mjs prints the same report for crypto-src/tls/). */
export function report(g, argv, { folders = true, layersTitle, pad = 2, dotName = 'c' } = {}) {
  const { files, edges, sccs, layer, rel } = g;
  if (argv.includes('--dot')) {
    console.log(`digraph ${dotName} {`);
    for (const [a, m] of edges) for (const b of m.keys()) console.log(`  "${rel(a)}" -> "${rel(b)}";`);
    console.log('}');
  } else {
    for (const [a, m] of edges) {
      for (const [b, why] of m) {
        const w = [...why];
        console.log(`${rel(a)} -> ${rel(b)}  (${w.slice(0, 6).join(', ')}${w.length > 6 ? `, +${w.length - 6}` : ''})`);
      }
    }
    if (folders) {
      console.log('\nfolders (edges between their files):');
      for (const [k, n] of [...g.folders].sort()) console.log(`  ${k.padEnd(40)} ${n}`);
    }
    if (sccs.length === 0) {
      console.log(`\n${layersTitle ?? `layers of ${files.length} files (each uses only lower layers):`}`);
      const by = new Map();
      for (const f of files) {
        const l = layer.get(f);
        if (!by.has(l)) by.set(l, []);
        by.get(l).push(rel(f));
      }
      for (const l of [...by.keys()].sort((a, b) => b - a)) console.log(`  ${String(l).padStart(pad)}: ${by.get(l).join(' ')}`);
    }
  }
  problems(g);
  if (!argv.includes('--dot')) console.log('\nno cycle');
}

/** Names defined twice and cycles, on stderr; exit 1 on either. */
function problems({ sccs, dupes, rel }) {
  if (dupes.length) {
    console.error(`\nNAMES DEFINED TWICE (${dupes.length}):`);
    for (const d of dupes) console.error(`  ${d}`);
  }
  if (sccs.length) {
    console.error(`\nCYCLES (${sccs.length}):`);
    for (const c of sccs) console.error(`  ${c.map(rel).join(' <-> ')}`);
  }
  if (sccs.length || dupes.length) process.exit(1);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const argv = process.argv.slice(2);
  const ri = argv.indexOf('--root');
  let g;
  if (ri >= 0) {
    const r = resolve(argv[ri + 1]);
    g = graph([r], [r], r);
  } else {
    const cs = join(repo, 'crypto-src');
    g = graph([cs, join(repo, 'wasm')], [cs, join(cs, 'inc'), join(repo, 'wasm')], repo);
  }
  if (argv.includes('--json')) {
    const { files, edges, sccs, layer, folders, dupes, rel } = g;
    console.log(
      JSON.stringify(
        {
          files: files.map(rel),
          edges: [...edges].flatMap(([a, m]) => [...m].map(([b, why]) => ({ from: rel(a), to: rel(b), why: [...why] }))),
          cycles: sccs.map((c) => c.map(rel)),
          layers: sccs.length ? {} : Object.fromEntries(files.map((f) => [rel(f), layer.get(f)])),
          folders: Object.fromEntries(folders),
          duplicates: dupes,
        },
        null,
        2,
      ),
    );
    problems(g);
  } else {
    report(g, argv);
  }
}
