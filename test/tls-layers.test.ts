/**
 * The shape of crypto-src/tls/ (ARCHITECTURE.md): its include and call
 * graph has no cycle (scripts/tls-graph.mjs builds it from the sources),
 * the record layer is a leaf that calls nothing above it, and the
 * connection's error field is written in one place only (errors.c's
 * wt_tls_fail_code: the first error wins by construction).
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { root } from './helpers/env.js';

const tls = join(root, 'crypto-src/tls');
const graph = () => spawnSync(process.execPath, [join(root, 'scripts/tls-graph.mjs')], { encoding: 'utf8' });

function sources(d: string): string[] {
  return readdirSync(d).flatMap((n) => {
    const p = join(d, n);
    return statSync(p).isDirectory() ? sources(p) : n.endsWith('.c') ? [p] : [];
  });
}

describe('crypto-src/tls layers', () => {
  it('the include and call graph has no cycle', () => {
    const r = graph();
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('no cycle');
  });

  it('record.c is a leaf: it calls only the buffers and the key schedule', () => {
    const edges = graph()
      .stdout.split('\n')
      .filter((l) => l.startsWith('record.c -> '));
    const targets = edges.map((l) => l.split(' ')[2]).sort();
    expect(targets).toEqual(['buffers.c', 'keysched13.c', 'tls_inner.h']);
  });

  it("the error field is written in one place ('c->err =' once, in errors.c)", () => {
    const hits: string[] = [];
    for (const f of sources(tls)) {
      const lines = readFileSync(f, 'utf8').split('\n');
      lines.forEach((l, i) => {
        if (/->err\s*=[^=]/.test(l)) hits.push(`${f.slice(tls.length + 1)}:${i + 1}`);
      });
    }
    expect(hits).toHaveLength(1);
    expect(hits[0]).toMatch(/^errors\.c:/);
  });

  it('the two roles are siblings: hs13_client.c and hs13_server.c use nothing of each other (wt_hrr_random is in handshake.c)', () => {
    const lines = graph().stdout.split('\n');
    expect(lines.filter((l) => /^hs13_(client|server)\.c -> hs13_(client|server)\.c /.test(l))).toEqual([]);
    expect(lines.find((l) => l.startsWith('hs13_server.c -> handshake.c '))).toContain('wt_hrr_random');
    expect(lines.find((l) => l.startsWith('hs13_client.c -> handshake.c '))).toContain('wt_hrr_random');
  });

  it('role, verify_state, shut, ku_pending and peer_auth are compared and set by name (enum wt_role, ...), not by number', () => {
    const hits: string[] = [];
    const magic =
      /\b(role|verify_state|shut|ku_pending|peer_auth)\s*(==|!=|&|\|=|&=|=)\s*-?\d|\b\d+\s*(==|!=)\s*\w+->(role|verify_state|shut|ku_pending|peer_auth)\b|\bpeer_auth\s*=[^=;]*\?\s*\d/;
    for (const f of sources(tls)) {
      readFileSync(f, 'utf8')
        .split('\n')
        .forEach((l, i) => {
          const code = l.replace(/\/\*.*?\*\/|\/\/.*$/g, '');
          if (magic.test(code)) hits.push(`${f.slice(tls.length + 1)}:${i + 1}: ${l.trim()}`);
        });
    }
    expect(hits).toEqual([]);
  });
});
