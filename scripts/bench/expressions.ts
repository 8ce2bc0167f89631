/**
 * Expression engine throughput: renders the brief's template N times and prints renders/s.
 * Run alone with `npx tsx scripts/bench/expressions.ts [count]`, or through `npm run bench`.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { render, renderSync } from '@windhover/core';

const TEMPLATE = 'Hello {{ inputs.name | upper }} {{ outputs.t.values.x }}';
const CONTEXT = { inputs: { name: 'world' }, outputs: { t: { values: { x: 42 } } } };
const TARGET = 200_000;

export interface BenchResult {
  readonly name: string;
  readonly count: number;
  readonly seconds: number;
  readonly perSecond: number;
  readonly target: number;
}

async function measureAsync(count: number): Promise<BenchResult> {
  for (let i = 0; i < 10_000; i++) await render(TEMPLATE, CONTEXT); // warm-up (JIT, template cache)
  const start = process.hrtime.bigint();
  for (let i = 0; i < count; i++) await render(TEMPLATE, CONTEXT);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { name: 'expressions: render (async API)', count, seconds, perSecond: count / seconds, target: TARGET };
}

function measureSync(count: number): BenchResult {
  for (let i = 0; i < 10_000; i++) renderSync(TEMPLATE, CONTEXT);
  const start = process.hrtime.bigint();
  for (let i = 0; i < count; i++) renderSync(TEMPLATE, CONTEXT);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { name: 'expressions: renderSync', count, seconds, perSecond: count / seconds, target: TARGET };
}

/** Runs the benchmark and returns its figures (used by scripts/bench/run-all.ts). */
export async function runExpressionsBench(count = 100_000): Promise<BenchResult[]> {
  const check = await render(TEMPLATE, CONTEXT);
  if (check !== 'Hello WORLD 42') throw new Error(`unexpected render result: ${check}`);
  return [await measureAsync(count), measureSync(count)];
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href;
if (isMain) {
  const countArg = process.argv.slice(2).find((a) => /^\d+$/.test(a));
  const count = countArg ? Number(countArg) : 100_000;
  const results = await runExpressionsBench(count);
  for (const r of results) {
    const verdict = r.perSecond >= r.target ? 'OK' : 'BELOW TARGET';
    process.stdout.write(
      `${r.name}: ${Math.round(r.perSecond).toLocaleString('en-US')} renders/s (${r.count} renders in ${r.seconds.toFixed(3)} s; target ${r.target.toLocaleString('en-US')}) ${verdict}\n`,
    );
  }
}
