/**
 * A unified diff (`--- a`, `+++ b`, `@@` hunks with 3 lines of context) of two
 * texts, from a longest-common-subsequence table: flows are small, so O(n·m)
 * is fine and the output is stable.
 */
export function unifiedDiff(before: string, after: string, labels: { from: string; to: string }, context = 3): string {
  const a = before.replace(/\r\n?/g, '\n').split('\n');
  const b = after.replace(/\r\n?/g, '\n').split('\n');
  if (a[a.length - 1] === '') a.pop();
  if (b[b.length - 1] === '') b.pop();
  const n = a.length;
  const m = b.length;
  const lcs: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  type Op = { t: ' ' | '-' | '+'; line: string; ai: number; bi: number };
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) ops.push({ t: ' ', line: a[i++], ai: i, bi: ++j });
    else if (j < m && (i === n || lcs[i][j + 1] > lcs[i + 1][j])) ops.push({ t: '+', line: b[j++], ai: i, bi: j });
    else ops.push({ t: '-', line: a[i++], ai: i, bi: j });
  }
  const changed = ops.map((o, k) => (o.t !== ' ' ? k : -1)).filter((k) => k >= 0);
  if (changed.length === 0) return '';
  const out = [`--- ${labels.from}`, `+++ ${labels.to}`];
  let k = 0;
  while (k < changed.length) {
    const start = Math.max(0, changed[k] - context);
    let end = Math.min(ops.length - 1, changed[k] + context);
    while (k + 1 < changed.length && changed[k + 1] - context <= end + 1) {
      k++;
      end = Math.min(ops.length - 1, changed[k] + context);
    }
    k++;
    const hunk = ops.slice(start, end + 1);
    const aStart = countBefore(ops, start, '+') + 1;
    const bStart = countBefore(ops, start, '-') + 1;
    const aLen = hunk.filter((o) => o.t !== '+').length;
    const bLen = hunk.filter((o) => o.t !== '-').length;
    out.push(`@@ -${aLen === 0 ? aStart - 1 : aStart},${aLen} +${bLen === 0 ? bStart - 1 : bStart},${bLen} @@`);
    for (const o of hunk) out.push(`${o.t}${o.line}`);
  }
  return `${out.join('\n')}\n`;
}

/** Lines of the other side before `index`: the 1-based start of a hunk. */
function countBefore(ops: readonly { t: string }[], index: number, skip: string): number {
  let c = 0;
  for (let k = 0; k < index; k++) if (ops[k].t !== skip) c++;
  return c;
}
