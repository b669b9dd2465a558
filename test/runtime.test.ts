/**
 * The same scenarios (test/runtime/scenarios/) in every runtime: Node,
 * Deno, workerd, Chromium page and Chromium Web Worker. Each runtime loads
 * the module its own way: bytes (Node), a file: URL (Deno), a compiled
 * WebAssembly.Module imported by the worker (workerd), fetch() Responses
 * (Chromium).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { bundle, inChromium, inDeno, inNode, inWorkerd } from './helpers/runtimes.js';
import { root } from './helpers/env.js';
import { scenarios } from './runtime/scenarios/index.js';

interface Report {
  simd: boolean;
  results: { name: string; ok: boolean; error?: string }[];
  error?: string;
}

const dir = `${root}build/runtime`;
const reports: Record<string, Report> = {};

beforeAll(async () => {
  await bundle(`${root}test/runtime/harness.ts`, dir);
}, 60_000);

function scenarioTests(runtime: string, get: () => Promise<Report>): void {
  describe(runtime, () => {
    beforeAll(async () => {
      reports[runtime] = await get();
    }, 120_000);
    it('loaded the module (SIMD build)', () => {
      expect(reports[runtime].error).toBeUndefined();
      expect(reports[runtime].simd).toBe(true);
    });
    for (const s of scenarios) {
      it(`scenario ${s.name}`, () => {
        const r = reports[runtime].results?.find((x) => x.name === s.name);
        expect(r, `no result for ${s.name}: ${JSON.stringify(reports[runtime])}`).toBeDefined();
        expect(r!.error).toBeUndefined();
        expect(r!.ok).toBe(true);
      });
    }
  });
}

let chromium: Promise<{ page: Report; worker: Report }> | undefined;
scenarioTests('node', () => inNode<Report>(dir));
scenarioTests('deno', () => inDeno<Report>(dir));
scenarioTests('workerd', () => inWorkerd<Report>(dir));
scenarioTests('chromium page', async () => (await (chromium ??= inChromium<Report>(dir))).page);
scenarioTests('chromium worker', async () => (await (chromium ??= inChromium<Report>(dir))).worker);
