/**
 * Run-time check of option names: an options object with a name the API
 * does not know is refused with the closest known one ("unknown option
 * `alpnProtocols` (did you mean `ALPNProtocols`?)"), as TypeScript's types
 * already refuse it at compile time. A misspelt option silently ignored
 * is a security setting silently lost (`rejectUnauthorised`, `CA`).
 * @module
 */

/** Edit distance (Levenshtein), small strings only. */
function distance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length];
}

/** The known name closest to `name`: the same letters in another case
 * first, else the nearest by edit distance within a third of its length. */
export function closestName(name: string, known: readonly string[]): string | undefined {
  const lower = name.toLowerCase();
  const same = known.find((k) => k.toLowerCase() === lower);
  if (same) return same;
  let best: string | undefined;
  let bestD = Math.max(2, Math.floor(name.length / 3)) + 1;
  for (const k of known) {
    const d = distance(lower, k.toLowerCase());
    if (d < bestD) {
      best = k;
      bestD = d;
    }
  }
  return best;
}

/** Throw a TypeError for the first own key of `o` not in `known`. Keys
 * whose value is undefined are checked too (a misspelling is one either
 * way). */
export function checkOptionNames(o: object, known: readonly string[], who: string): void {
  if (o === null || typeof o !== 'object') return;
  for (const key of Object.keys(o)) {
    if (known.includes(key)) continue;
    const near = closestName(key, known);
    throw new TypeError(`${who}: unknown option \`${key}\`${near ? ` (did you mean \`${near}\`?)` : ''}`);
  }
}
