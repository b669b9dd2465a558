/**
 * bench/http.ts does not rot: `BENCH_SMOKE=1 node bench/run.mjs http` runs
 * one tiny run of wasmtls's rows in Node (fetch through the wisp-js server
 * to the HTTPS, HTTP/2 and plain origins; the bench checks every answer's
 * status, body bytes and the protocol the origin says it served) and must
 * exit 0 with a number in each of those cells of the markdown table.
 */
import { spawn } from 'node:child_process';
import { expect, it } from 'vitest';
import { root } from './helpers/env.js';

it('BENCH_SMOKE=1 node bench/run.mjs http: every wasmtls row measured (the HTTP/2 row against an h2-only origin)', async () => {
  const child = spawn(process.execPath, [`${root}bench/run.mjs`, 'http'], {
    cwd: root,
    env: { ...process.env, BENCH_SMOKE: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  expect(code, out).toBe(0);
  const rows = out.split('\n').filter((l) => l.startsWith('| Node'));
  expect(rows.length, out).toBe(4);
  const num = /^\d[\d,]*(\.\d+)?$/;
  for (const row of rows) {
    const cells = row.split(' | ').map((c) => c.replace(/^\| |\s*\|$/g, '').trim());
    // runtime | metric | wasmtls | epoxy-tls | libcurl.js | vs epoxy | vs libcurl | no TLS
    expect(cells[3], row).toBe('not run');
    expect(cells[2], row).toMatch(num);
    expect(Number(cells[2].replace(/,/g, '')), row).toBeGreaterThan(0);
    if (cells[1].includes('HTTP/2')) expect(cells[7], row).toMatch(/^n\/a/);
    else expect(cells[7], row).toMatch(num);
  }
}, 90_000);
