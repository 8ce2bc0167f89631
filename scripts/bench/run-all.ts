/**
 * `npm run bench`: every benchmark, one after the other, each in its own
 * process so that one does not warm up or slow down the next.
 */
import { spawnSync } from 'node:child_process';

const BENCHES = ['scripts/bench/validate.ts', 'scripts/bench/expressions.ts', 'scripts/bench/kestra-benchmarks.ts', 'scripts/bench/git-sync.ts', 'scripts/bench/scheduler-tick.ts', 'scripts/bench/kv-namespace-files.ts', 'scripts/bench/execution-storage.ts'];

let failed = 0;
for (const bench of BENCHES) {
  process.stdout.write(`\n## ${bench}\n\n`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', bench, ...process.argv.slice(2)], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exitCode = failed === 0 ? 0 : 1;
