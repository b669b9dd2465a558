/**
 * Scenarios run in every runtime (Node, Deno, workerd, Chromium page and
 * Web Worker). Adding one: write scenarios/<name>.ts exporting `name` and
 * `run()` (throws on failure; may be async), and list it here.
 */
import * as hash from './hash.js';

export const scenarios: { name: string; run: () => void | Promise<void> }[] = [hash];
