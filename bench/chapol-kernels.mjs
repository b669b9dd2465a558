// Runs the wasm builds of bench/chapol-kernels.c given on the command
// line side by side (best of 301 interleaved 2 ms runs per kernel: on a loaded
// machine, short runs and many of them give stable best figures), so
// that two versions of the ChaCha20-Poly1305 sources compare in one run.
// bench/chapol-kernels.sh builds and calls it.
import { readFileSync } from 'node:fs';

const files = process.argv.slice(2);
const runs = [];
for (const f of files) {
  const { instance } = await WebAssembly.instantiate(readFileSync(f), {
    env: { emscripten_notify_memory_growth() {} },
    wasi_snapshot_preview1: { proc_exit() {} },
  });
  runs.push(instance.exports.run);
}
const names = ['chacha20', 'poly1305', 'seal', 'open', 'chacha20 scalar'];
const ROUNDS = 301;
for (const len of [16384, 1024]) {
  const best = runs.map(() => names.map(() => 0));
  for (let r = 0; r < ROUNDS; r++) {
    for (let w = 0; w < names.length; w++) {
      for (let f = 0; f < runs.length; f++) {
        let n = 0;
        const t0 = performance.now();
        let t = t0;
        while (t - t0 < 2) {
          if (runs[f](w, len, 20) === 0xffffffff) throw new Error(`${files[f]}: open refused its own seal`);
          n += 20;
          t = performance.now();
        }
        best[f][w] = Math.max(best[f][w], (n * len) / ((t - t0) / 1000) / 1e6);
      }
    }
  }
  names.forEach((name, w) => {
    const cols = best.map((b) => b[w].toFixed(0).padStart(6)).join('  ');
    console.log(`${name.padEnd(16)} ${String(len).padStart(5)} B: ${cols}  MB/s`);
  });
}
console.log(`columns: ${files.join(' | ')}`);
