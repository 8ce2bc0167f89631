/**
 * Kestra's published benchmarks (specs/platform-spec.md §3) against the local
 * edition, with the open-loop method of specs/peer-bench.md: a fresh
 * `windhover server local`, a 10 s warm-up, then 30 s steps at fixed rates;
 * latency from the scheduled send to the end of the webhook response, which
 * waits for the execution to end (`wait: true`).
 *
 *   npx tsx scripts/bench/kestra-benchmarks.ts [--rates 5,10,20] [--duration 30]
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchmarkFlows } from './benchmark-flows';
import { openLoop, type OpenLoopResult } from './openloop';

const { BENCHMARK01, BENCHMARK02, BENCHMARK03 } = benchmarkFlows({ wait: true });

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? (process.argv[i + 1] as string) : fallback;
};
const RATES = arg('rates', '5,10,20').split(',').map(Number);
const DURATION_S = Number(arg('duration', '30'));
const USER = 'bench@windhover.dev';
const PASSWORD = 'bench-password';
const AUTH = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (typeof a === 'object' && a ? resolve(a.port) : reject(new Error('no port'))));
    });
  });

interface Server {
  readonly base: string;
  readonly child: ChildProcess;
  readonly dataDir: string;
}

async function startServer(): Promise<Server> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'wh-bench-'));
  const child = spawn(process.execPath, ['packages/cli/bin/windhover.js', 'server', 'local', '--port', String(port), '--data-dir', dataDir], {
    env: { ...process.env, WINDHOVER_USERNAME: USER, WINDHOVER_PASSWORD: PASSWORD, WINDHOVER_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(`${base}/health`)).ok) return { base, child, dataDir };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill();
  throw new Error('server did not start');
}

async function stopServer(s: Server): Promise<void> {
  await new Promise<void>((resolve) => {
    s.child.once('exit', () => resolve());
    s.child.kill('SIGTERM');
  });
  rmSync(s.dataDir, { recursive: true, force: true });
}

async function createFlow(s: Server, source: string): Promise<void> {
  const res = await fetch(`${s.base}/api/v1/main/flows`, { method: 'POST', headers: { authorization: AUTH, 'content-type': 'application/x-yaml' }, body: source });
  if (!res.ok) throw new Error(`flow not created: ${res.status} ${await res.text()}`);
}

const row = (name: string, r: OpenLoopResult) =>
  `| ${name} | ${r.offered_rps}/s (${r.offered_rps * 60}/min) | ${r.achieved_per_min} | ${r.p50_ms} | ${r.p95_ms} | ${r.p99_ms} | ${r.errors} |`;

async function webhookSteps(name: string, flowId: string, source: string, query: string, expect: string): Promise<string[]> {
  const rows: string[] = [];
  for (const rate of RATES) {
    const s = await startServer();
    try {
      await createFlow(s, source);
      const url = `${s.base}/api/v1/main/executions/webhook/company.team/${flowId}/benchmark${query}`;
      await openLoop({ url, rate: 5, durationS: 10, expect });
      const r = await openLoop({ url, rate, durationS: DURATION_S, expect });
      rows.push(row(name, r));
      process.stderr.write(`${name} ${JSON.stringify(r)}\n`);
    } finally {
      await stopServer(s);
    }
  }
  return rows;
}

/** Median wall time of `runs` synchronous executions (`wait=true`) of a flow, one after the other. */
async function sequentialRuns(s: Server, flowId: string, runs: number): Promise<{ medianMs: number; taskRuns: number }> {
  const durations: number[] = [];
  let taskRuns = 0;
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    const res = await fetch(`${s.base}/api/v1/main/executions/company.team/${flowId}?wait=true`, { method: 'POST', headers: { authorization: AUTH } });
    const body = (await res.json()) as { state?: { current?: string }; taskRunList?: unknown[] };
    if (body.state?.current !== 'SUCCESS') throw new Error(`${flowId} ended ${body.state?.current}`);
    durations.push(performance.now() - t);
    taskRuns = body.taskRunList?.length ?? 0;
  }
  durations.sort((a, b) => a - b);
  return { medianMs: durations[Math.floor(durations.length / 2)] as number, taskRuns };
}

const logChain = (id: string, n: number) =>
  `id: ${id}\nnamespace: company.team\ntasks:\n${Array.from({ length: n }, (_, i) => `  - id: log${i}\n    type: io.kestra.plugin.core.log.Log\n    message: "step ${i} of {{ flow.id }}"`).join('\n')}\n`;

async function sequentialBenchmarks(): Promise<string[]> {
  const s = await startServer();
  try {
    await createFlow(s, BENCHMARK03);
    await createFlow(s, logChain('one_log', 1));
    await createFlow(s, logChain('forty_logs', 40));
    await sequentialRuns(s, 'forty_logs', 5); // warm-up
    const each = await sequentialRuns(s, 'benchmark03', 11);
    const one = await sequentialRuns(s, 'one_log', 21);
    const forty = await sequentialRuns(s, 'forty_logs', 21);
    const perTask = (forty.medianMs - one.medianMs) / 39;
    return [
      `| benchmark03 (ForEach 100 × OutputValues, concurrencyLimit 0, ${each.taskRuns} task runs) | one at a time, 11 runs | — | median ${(each.medianMs / 1000).toFixed(3)} s per execution | | | 0 |`,
      `| 40 sequential Log tasks vs 1 (request → end, wait=true) | one at a time, 21 runs | — | ${forty.medianMs.toFixed(1)} ms vs ${one.medianMs.toFixed(1)} ms: ${perTask.toFixed(2)} ms per extra task | | | 0 |`,
    ];
  } finally {
    await stopServer(s);
  }
}

async function main(): Promise<void> {
  const lines = [
    `Machine: ${(await import('node:os')).cpus().length} cores, ${process.version}; each step ${DURATION_S} s on a fresh server after a 10 s warm-up at 5/s.`,
    '',
    '| flow | offered | completed /min | p50 ms | p95 ms | p99 ms | errors |',
    '|---|---|---|---|---|---|---|',
    ...(await webhookSteps('benchmark01 (OutputValues → Log)', 'benchmark01', BENCHMARK01, '?name=World', 'Hello World')),
    ...(await webhookSteps('benchmark02 (5 × If, 10 task runs)', 'benchmark02', BENCHMARK02, '', '')),
    ...(await sequentialBenchmarks()),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

await main();
