/**
 * A line diff of two texts in unified style: `-` deployed, `+` new, `context` unchanged
 * lines around each change, `@@ -a +b @@` headers with 1-based line numbers. Empty when
 * the texts are equal. Plain LCS: flows and namespace files are small.
 */
export function lineDiff(before: string, after: string, context = 1): string[] {
  const a = before.replace(/\r\n?/g, '\n').replace(/\n$/, '').split('\n');
  const b = after.replace(/\r\n?/g, '\n').replace(/\n$/, '').split('\n');
  const n = a.length;
  const m = b.length;
  // lcs[i][j]: longest common subsequence of a[i..] and b[j..].
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  }
  type Op = { kind: ' ' | '-' | '+'; text: string; ai: number; bi: number };
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) ops.push({ kind: ' ', text: a[i++] as string, ai: i, bi: ++j });
    else if (i < n && (j === m || lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) ops.push({ kind: '-', text: a[i++] as string, ai: i, bi: j });
    else ops.push({ kind: '+', text: b[j++] as string, ai: i, bi: j });
  }
  const changed = ops.map((o, k) => (o.kind !== ' ' ? k : -1)).filter((k) => k >= 0);
  if (changed.length === 0) return [];
  const out: string[] = [];
  let k = 0;
  while (k < changed.length) {
    const start = Math.max(0, (changed[k] as number) - context);
    let end = Math.min(ops.length - 1, (changed[k] as number) + context);
    while (k + 1 < changed.length && (changed[k + 1] as number) - context <= end + 1) {
      k++;
      end = Math.min(ops.length - 1, (changed[k] as number) + context);
    }
    const first = ops[start] as Op;
    const aStart = first.kind === '+' ? first.ai + 1 : first.ai;
    const bStart = first.kind === '-' ? first.bi + 1 : first.bi;
    out.push(`@@ -${aStart} +${bStart} @@`);
    for (let x = start; x <= end; x++) out.push(`${(ops[x] as Op).kind}${(ops[x] as Op).text}`);
    k++;
  }
  return out;
}
