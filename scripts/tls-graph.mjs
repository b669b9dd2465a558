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
import { graph, report } from './c-graph.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cs = join(root, 'crypto-src');
const dir = join(cs, 'tls');
report(graph([dir], [cs, join(cs, 'inc'), join(root, 'wasm')], dir), process.argv.slice(2), {
  folders: false,
  layersTitle: 'layers (each file calls only lower layers):',
  pad: 0,
  dotName: 'tls',
});
