/**
 * Scenarios run in every runtime (Node, Deno, workerd, Chromium page and
 * Web Worker). Adding one: write scenarios/<name>.ts exporting `name` and
 * `run()` (throws on failure; may be async), and list it here.
 */
import * as aead from './aead.js';
import * as hash from './hash.js';
import * as pk from './pk.js';
import * as signKeys from './sign-keys.js';
import * as tls from './tls.js';

export const scenarios: { name: string; run: () => void | Promise<void> }[] = [hash, aead, pk, tls, signKeys];
