/**
 * The harness entry bundled for each runtime: loads the module from the
 * source the runtime gives (bytes, a Response, a compiled Module) and runs
 * every scenario, reporting each by name.
 */
import { init, type WasmSource } from '../../ts/core/loader.js';
import { scenarios } from './scenarios/index.js';

export interface Result {
  name: string;
  ok: boolean;
  error?: string;
}

export async function runAll(source: WasmSource): Promise<{ simd: boolean; results: Result[] }> {
  const w = await init(source);
  const results: Result[] = [];
  for (const s of scenarios) {
    try {
      await s.run();
      results.push({ name: s.name, ok: true });
    } catch (e) {
      results.push({ name: s.name, ok: false, error: e instanceof Error ? `${e.message}\n${e.stack}` : String(e) });
    }
  }
  return { simd: w.simd, results };
}
