#!/usr/bin/env node
// Run BoringSSL's TLS conformance suite (BoGo) against wasmtls.
//
//   node scripts/bogo.mjs            the whole suite (npm run bogo)
//   node scripts/bogo.mjs --subset   the TLS 1.3 subset of npm test
//   node scripts/bogo.mjs --test 'Pattern*;Other*' [--workers N] [--json FILE]
//
// Steps: Go and the runner are built once into build/ from ../shared/bogo
// (the folder beside the checkout; without it this prints "skip" and exits
// 0), the shim (test/bogo/shim.ts) is bundled with esbuild into
// build/bogo/shim.mjs, the runner runs it once per test, and its JSON
// results are judged against test/bogo/config.json:
//   - every failure must be listed (ExpectedFailures: not a defect, with
//     the reason; Defects: a wasmtls defect, removed when fixed);
//   - nothing listed may pass (the list stays true).
// Prints pass / fail / unimplemented counts; exits 1 on a mismatch.
// The judging is exported for test/bogo.test.ts.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, chmodSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const SHARED = resolve(ROOT, '..', 'shared', 'bogo');
const BUILD = join(ROOT, 'build');
const GO_DEST = join(BUILD, 'go');
export const RUNNER = join(BUILD, 'bogo', 'runner.test');
export const SHIM = join(BUILD, 'bogo', 'shim.mjs');
export const CONFIG = join(ROOT, 'test', 'bogo', 'config.json');
const RUNNER_DIR = join(BUILD, 'bogo', 'src', 'boringssl', 'ssl', 'test', 'runner');

/** The TLS 1.3 subset of npm test: tests whose name carries TLS13, and
 * the families that run at TLS 1.3 without saying so (KeyUpdate, peek,
 * shutdown, large messages, alerts and empty records). Left to the whole run (the shim
 * answers them 89, and a shim start costs a few hundred ms on a busy
 * machine): DTLS, QUIC and the families of features wasmtls does not
 * have (0-RTT, ALPS, OCSP, SCT, Channel ID, certificate types / raw
 * public keys, credential selection, ECH, delegated credentials, PAKE). */
export const SUBSET = [
  '*TLS13*',
  'KeyUpdate-*',
  'TooManyKeyUpdates',
  'Peek-*',
  'Shutdown-*',
  'Unclean-Shutdown*',
  'LargeMessage*',
  'SendEmptyRecords*',
  'SendWarningAlerts*',
  'SendUserCanceledAlerts*',
  'SendSplitAlert*',
  'SendBogusAlertType',
].join(';');
export const SUBSET_SKIP = [
  '*-DTLS*',
  '*DTLS-*',
  '*-QUIC*',
  '*QUIC-*',
  'EarlyData-*',
  'ALPS-*',
  '*OCSP*',
  '*SCT*',
  '*ChannelID*',
  'ClientCertificateType-*',
  'ServerCertificateType-*',
  'CertificateSelection-*',
  '*ECH*',
  'DelegatedCredentials-*',
  'PAKE-*',
  'SPAKE2*',
].join(';');

/** Build Go and the runner when absent (cached under build/). */
export function ensureRunner(log = (s) => process.stderr.write(`${s}\n`)) {
  if (existsSync(RUNNER) && existsSync(RUNNER_DIR)) return;
  let goroot = join(GO_DEST, 'root', 'usr', 'lib', 'go-1.26');
  if (!existsSync(join(goroot, 'bin', 'go'))) {
    log('bogo: fetching Go (../shared/bogo/get-go.sh)');
    goroot = execFileSync('sh', [join(SHARED, 'get-go.sh')], {
      env: { ...process.env, DEST: GO_DEST },
      stdio: ['ignore', 'pipe', 'inherit'],
    })
      .toString()
      .trim()
      .split('\n')
      .pop();
  }
  log('bogo: building the runner (../shared/bogo/build-runner.sh, about a minute)');
  execFileSync('sh', [join(SHARED, 'build-runner.sh')], {
    env: { ...process.env, GO: join(goroot, 'bin', 'go'), WORK: join(BUILD, 'bogo') },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

/** Bundle the shim (a few ms) with node's absolute path as its #! line. */
export async function buildShim(out = SHIM) {
  const esbuild = await import('esbuild');
  mkdirSync(dirname(out), { recursive: true });
  await esbuild.build({
    entryPoints: [join(ROOT, 'test', 'bogo', 'shim.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    banner: { js: `#!${process.execPath}` },
    outfile: out,
    logLevel: 'warning',
  });
  chmodSync(out, 0o755);
  return out;
}

/** Run the runner; resolves to its JSON results. */
export function runRunner({ test, skip, workers = 2, json, shim = SHIM } = {}) {
  const args = [
    '-shim-path',
    shim,
    '-shim-config',
    CONFIG,
    '-allow-unimplemented',
    '-loose-errors',
    '-num-workers',
    String(workers),
    '-json-output',
    json,
    '-pipe',
  ];
  if (test) args.push('-test', test);
  if (skip) args.push('-skip', skip);
  return new Promise((resolvePromise, reject) => {
    const p = spawn(RUNNER, args, { cwd: RUNNER_DIR, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (out += d));
    p.on('error', reject);
    p.on('close', () => {
      try {
        resolvePromise({ results: JSON.parse(readFileSync(json, 'utf8')), output: out });
      } catch (e) {
        reject(new Error(`bogo: no JSON results from the runner: ${e.message}\n${out.slice(-4000)}`));
      }
    });
  });
}

function globToRegExp(glob) {
  return new RegExp(
    `^${glob
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  );
}

/** The listed failures of config.json: pattern -> { reason, kind }. */
export function listed(config = JSON.parse(readFileSync(CONFIG, 'utf8'))) {
  const out = [];
  for (const [kind, table] of [
    ['expected', config.ExpectedFailures ?? {}],
    ['defect', config.Defects ?? {}],
  ]) {
    for (const [pattern, reason] of Object.entries(table)) {
      if (pattern.startsWith('_')) continue; // comments
      out.push({ pattern, re: globToRegExp(pattern), reason, kind });
    }
  }
  return out;
}

/** Judge runner results against the config. */
export function judge(results, list = listed()) {
  const counts = { pass: 0, fail: 0, unimplemented: 0 };
  const unexpectedFailures = [];
  const unexpectedPasses = [];
  const failures = [];
  for (const [name, r] of Object.entries(results.tests)) {
    const hit = list.find((l) => l.re.test(name));
    if (r.actual === 'PASS') {
      counts.pass++;
      if (hit) unexpectedPasses.push({ name, pattern: hit.pattern, kind: hit.kind });
    } else if (r.actual === 'SKIP') counts.unimplemented++;
    else {
      counts.fail++;
      failures.push({ name, kind: hit?.kind, error: r.error });
      if (!hit) unexpectedFailures.push({ name, error: r.error });
    }
  }
  return { counts, unexpectedFailures, unexpectedPasses, failures };
}

async function main(argv) {
  const opt = { workers: 2, json: join(BUILD, 'bogo', 'results.json') };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--subset') {
      opt.test = SUBSET;
      opt.skip = SUBSET_SKIP;
    } else if (a === '--test') opt.test = argv[++i];
    else if (a === '--skip') opt.skip = argv[++i];
    else if (a === '--workers') opt.workers = Number(argv[++i]);
    else if (a === '--json') opt.json = resolve(argv[++i]);
    else throw new Error(`bogo: unknown option ${a}`);
  }
  if (!existsSync(join(SHARED, 'sources.tar.gz'))) {
    console.log(`bogo: skip: ${SHARED} is absent (BoGo sources sit beside the checkout)`);
    return 0;
  }
  if (!existsSync(join(ROOT, 'dist', 'wasmtls.wasm'))) throw new Error('bogo: dist/wasmtls.wasm missing: run bash build.sh first');
  ensureRunner();
  await buildShim();
  const t0 = Date.now();
  const { results } = await runRunner(opt);
  const secs = ((Date.now() - t0) / 1000).toFixed(0);
  const j = judge(results);
  for (const f of j.failures) console.log(`FAIL ${f.kind ?? 'UNLISTED'} ${f.name}`);
  for (const f of j.unexpectedFailures)
    console.log(`unexpected failure: ${f.name}\n  ${(f.error ?? '').split('\n').slice(0, 12).join('\n  ')}`);
  for (const p of j.unexpectedPasses)
    console.log(
      `unexpected pass (remove from config "${p.kind === 'defect' ? 'Defects' : 'ExpectedFailures'}"): ${p.name} (pattern ${p.pattern})`,
    );
  const { pass, fail, unimplemented } = j.counts;
  const listedFail = fail - j.unexpectedFailures.length;
  console.log(
    `bogo: ${pass} pass, ${fail} fail (${listedFail} listed in config.json), ${unimplemented} unimplemented, ` +
      `${pass + fail + unimplemented} tests in ${secs} s`,
  );
  return j.unexpectedFailures.length || j.unexpectedPasses.length ? 1 : 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (c) => process.exit(c),
    (e) => {
      console.error(e.message ?? e);
      process.exit(1);
    },
  );
}
