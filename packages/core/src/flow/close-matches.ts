/** Levenshtein distance, two rows (inputs are short names). */
export function levenshtein(a: string, b: string): number {
  if (a === b) return 0;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  let cur = new Array<number>(b.length + 1);
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
    }
    [prev, cur] = [cur, prev];
  }
  return prev[b.length];
}

/**
 * Candidates closest to `name`, best first: small edit distance on the whole
 * name, the same simple name (last dot segment) in another package, or a
 * name that one of them starts with.
 */
export function closeMatches(name: string, candidates: Iterable<string>, max = 3): string[] {
  const lower = name.toLowerCase();
  const simple = lower.slice(lower.lastIndexOf('.') + 1);
  const scored: { c: string; d: number }[] = [];
  for (const c of candidates) {
    const cl = c.toLowerCase();
    const d = levenshtein(lower, cl);
    const limit = Math.max(2, Math.floor(Math.min(lower.length, cl.length) / 10));
    const sameSimple = simple.length > 2 && cl.slice(cl.lastIndexOf('.') + 1) === simple;
    // A shortened name (`gitDir` for `gitDirectory`) is a likely mistake too.
    const prefix = lower.length > 2 && (cl.startsWith(lower) || lower.startsWith(cl));
    if (d <= limit || sameSimple || prefix) scored.push({ c, d: sameSimple || prefix ? Math.min(d, limit) : d });
  }
  return scored
    .sort((x, y) => x.d - y.d || x.c.localeCompare(y.c))
    .slice(0, max)
    .map((s) => s.c);
}
