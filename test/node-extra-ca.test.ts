/**
 * wasmtls/node honours NODE_EXTRA_CA_CERTS as Node's tls does (issue #13):
 * without `ca`, the trust anchors are Node's root store plus the
 * certificates in that file, read once. The oracle is Node's own
 * tls.connect in the same child process, against the same local server
 * whose self-signed certificate is in the file: both authorize it with
 * the variable set, both refuse it without.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { root } from './helpers/env.js';
import { makeTestCerts, type TestCerts } from './helpers/tls-certs.js';

let certs: TestCerts;
let server: tls.Server;
let port = 0;
beforeAll(async () => {
  certs = await makeTestCerts();
  const c = certs.server['ecdsa-p256'];
  server = tls.createServer({ cert: c.certPem, key: c.keyPem }, (s) => s.end('hi'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
}, 60_000);
afterAll(() => {
  server?.close();
  certs?.dispose();
});

// Both clients in one child, so the variable is read at its start as Node reads it.
const CHILD = `
import * as tls from 'node:tls';
const { connect } = await import(process.argv[1]);
const port = Number(process.argv[2]);
const theirs = await new Promise((r) => {
  const s = tls.connect({ host: '127.0.0.1', port, servername: 'localhost' }, () => { r(s.authorized ? 'authorized' : 'refused'); s.destroy(); });
  s.on('error', (e) => r('error ' + e.code));
});
const ours = await new Promise((r) => {
  const s = connect({ host: '127.0.0.1', port, servername: 'localhost' }, () => { r(s.authorized ? 'authorized' : 'refused'); s.destroy(); });
  s.on('error', (e) => r('error ' + e.code));
});
console.log(JSON.stringify({ theirs, ours }));
`;

// Asynchronously: the server above runs in this process's event loop.
async function run(env: Record<string, string | undefined>): Promise<{ theirs: string; ours: string }> {
  const e = { ...process.env, ...env };
  for (const k of Object.keys(e)) if (e[k] === undefined) delete e[k];
  const r = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', CHILD, join(root, 'dist', 'node.js'), String(port)], {
    encoding: 'utf8',
    env: e,
    timeout: 30_000,
  });
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

describe('NODE_EXTRA_CA_CERTS', () => {
  it('with the server certificate in the file: both Node and wasmtls/node authorize it', async () => {
    const file = join(certs.dir, 'extra.pem');
    writeFileSync(file, certs.server.rsa2048.certPem + certs.server['ecdsa-p256'].certPem);
    const got = await run({ NODE_EXTRA_CA_CERTS: file });
    expect(got.theirs).toBe('authorized');
    expect(got.ours).toBe(got.theirs);
  });
  it('without it: both refuse (self-signed certificate)', async () => {
    const got = await run({ NODE_EXTRA_CA_CERTS: undefined });
    expect(got.theirs).toBe('error DEPTH_ZERO_SELF_SIGNED_CERT');
    expect(got.ours).toBe(got.theirs);
  });
  it('a missing file: a warning, the root store still used (as Node)', async () => {
    const got = await run({ NODE_EXTRA_CA_CERTS: join(certs.dir, 'missing.pem') });
    expect(got.ours).toBe(got.theirs);
  });
});
