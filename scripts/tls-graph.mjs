#!/usr/bin/env node
// tls-graph.mjs: the include and call graph of crypto-src/tls/ (ext/ too),
// file to file, and a check that it has no cycle (ARCHITECTURE.md: "Arrows
// point down only"). The graph is scripts/c-graph.mjs's (same rules: a
// quoted #include, a use of a name another file defines without `static`,
// a macro that expands to such a use, FAIL -> wt_tls_fail), restricted to
// this folder, with paths relative to it; c-graph.mjs checks the whole of
// crypto-src/ and wasm/.
//
//   node scripts/tls-graph.mjs          edges, layers; exit 1 on a cycle
//   node scripts/tls-graph.mjs --dot    the same graph for Graphviz
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { graph } from './c-graph.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cs = join(root, 'crypto-src');
const dir = join(cs, 'tls');
const { files, edges, sccs, layer, dupes, rel } = graph([dir], [cs, join(cs, 'inc'), join(root, 'wasm')], dir);

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
    for (const f of files) { const l = layer.get(f); if (!by.has(l)) by.set(l, []); by.get(l).push(rel(f)); }
    for (const l of [...by.keys()].sort((a, b) => b - a)) console.log(`  ${l}: ${by.get(l).join(' ')}`);
  }
}
if (dupes.length) {
  console.error(`\nNAMES DEFINED TWICE (${dupes.length}):`);
  for (const d of dupes) console.error(`  ${d}`);
}
if (sccs.length) {
  console.error(`\nCYCLES (${sccs.length}):`);
  for (const c of sccs) console.error('  ' + c.map(rel).join(' <-> '));
}
if (sccs.length || dupes.length) process.exit(1);
console.log('\nno cycle');
