/** Lines added and removed between two texts (Myers' O(ND) edit distance on lines). */
export function lineDiffStats(before: string, after: string): { additions: number; deletions: number } {
  const a = splitLines(before);
  const b = splitLines(after);
  // Trim the common prefix and suffix: most edits touch a few lines of a large file.
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const x = a.slice(start, endA);
  const y = b.slice(start, endB);
  const n = x.length;
  const m = y.length;
  if (n === 0 || m === 0) return { additions: m, deletions: n };
  const max = n + m;
  const v = new Int32Array(2 * max + 2);
  for (let d = 0; d <= max; d++) {
    for (let k = -d; k <= d; k += 2) {
      let px: number;
      if (k === -d || (k !== d && v[max + k - 1] < v[max + k + 1])) px = v[max + k + 1];
      else px = v[max + k - 1] + 1;
      let py = px - k;
      while (px < n && py < m && x[px] === y[py]) {
        px++;
        py++;
      }
      v[max + k] = px;
      if (px >= n && py >= m) {
        // d edits = insertions + deletions, and insertions - deletions = m - n.
        return { additions: (d + (m - n)) / 2, deletions: (d - (m - n)) / 2 };
      }
    }
  }
  return { additions: m, deletions: n };
}

function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** True when bytes look binary (a NUL in the first 8 KB), as git decides. */
export function isBinary(bytes: Uint8Array): boolean {
  const n = Math.min(bytes.length, 8000);
  for (let i = 0; i < n; i++) if (bytes[i] === 0) return true;
  return false;
}
