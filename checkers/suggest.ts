// "Did you mean …?" for a mistyped word: the nearest of the valid words by edit distance
// (Levenshtein with adjacent transpositions), if it is near enough to be a typo. Pure, no dependency.

/** Edits (insert, delete, substitute, swap two neighbours) that turn `a` into `b`. */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/** The valid word nearest to `word` (case aside), if within about a third of its length; else undefined. */
export function nearest(word: string, candidates: Iterable<string>): string | undefined {
  const w = word.toLowerCase();
  const limit = Math.max(1, Math.floor(w.length / 3));
  let best: { word: string; d: number } | undefined;
  for (const c of candidates) {
    if (c === word) return undefined;
    const d = editDistance(w, c.toLowerCase());
    if (d <= limit && (best === undefined || d < best.d)) best = { word: c, d };
  }
  return best?.word;
}

/** "; did you mean "kill"?" (or without quotes), or "" when nothing is near. */
export function didYouMean(word: unknown, candidates: Iterable<string>, quote = true): string {
  if (typeof word !== "string" && typeof word !== "number") return "";
  const near = nearest(String(word), candidates);
  return near === undefined ? "" : `; did you mean ${quote ? JSON.stringify(near) : near}?`;
}

/** " (did you mean "kill"?)", or "" when nothing is near. */
export function meant(word: unknown, candidates: Iterable<string>): string {
  const hint = didYouMean(word, candidates);
  return hint ? ` (${hint.slice(2)})` : "";
}
