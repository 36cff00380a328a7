/** "Did you mean ...?" for names typed by hand: report names, table names (commander does commands and options). */

/** Optimal string alignment distance (Levenshtein with adjacent transpositions). */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j += 1) d[0]![j] = j;
  for (let i = 1; i <= a.length; i += 1) {
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * The candidates nearest to `word`, if they are near enough to be a typo of it (at most a third of the
 * word's length edited, and never more than 3 edits); also a candidate that contains the word.
 */
export function suggestNames(word: string, candidates: readonly string[]): string[] {
  const w = word.toLowerCase();
  const limit = Math.min(3, Math.max(1, Math.floor(w.length / 3)));
  let best = Infinity;
  let found: string[] = [];
  for (const c of candidates) {
    const distance = editDistance(w, c.toLowerCase());
    if (distance > limit) continue;
    if (distance < best) [best, found] = [distance, [c]];
    else if (distance === best) found.push(c);
  }
  if (found.length === 0 && w.length >= 3) found = candidates.filter((c) => c.toLowerCase().includes(w)).slice(0, 3);
  return found;
}

/** ` (did you mean "x"?)` or the empty string. */
export function didYouMean(word: string, candidates: readonly string[]): string {
  const s = suggestNames(word, candidates);
  return s.length ? ` (did you mean ${s.map((x) => `"${x}"`).join(' or ')}?)` : '';
}
