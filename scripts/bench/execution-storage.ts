/**
 * Execution storage of the local edition (SQLite): bytes on disk per
 * execution, bytes written and time per executor step (one task run changed),
 * create/get time, for executions of 10, 1,000 and 10,000 task runs built by
 * the engine itself (a ForEach of Return tasks, as test/engine/scale.test.ts).
 * Also the time the engine spends in the repository while running them, and
 * a ForEach whose items all go through the worker (one executor step per
 * item, each rewriting the execution): `--worker N` items (default 2,000).
 * Run with `npx tsx scripts/bench/execution-storage.ts [sizes...] [--worker N]`.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Execution, TaskRun } from '@windhover/core';
import { isTerminated } from '@windhover/core';
import {
  SqliteAttemptResultStore,
  EnvSecretStore,
  FsInternalStorage,
  FsNamespaceFileStore,
  LocalExecutionQueue,
  SqliteExecutionRepository,
  SqliteFlowRepository,
  SqliteKvStore,
  SqliteLogRepository,
  SqliteTimerStore,
  SqliteTriggerStore,
  SystemClock,
  openSqliteDatabase,
} from '@windhover/local';
import { createEngine } from '@windhover/runtime';
import { createTaskRegistry } from '@windhover/tasks';
import { parse } from 'yaml';
import { startEngineWorld } from '../../test/engine/engine-world';

const args = process.argv.slice(2);
const workerAt = args.indexOf('--worker');
const WORKER_ITEMS = workerAt >= 0 ? Number(args[workerAt + 1]) : 2_000;
const sizes = args.filter((a, i) => /^\d+$/.test(a) && (workerAt < 0 || i !== workerAt + 1)).map(Number);
const SIZES = sizes.length > 0 ? sizes : [10, 1_000, 10_000];
const STEPS = 20;

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const ms = (start: bigint): number => Number(process.hrtime.bigint() - start) / 1e6;
/** CPU time of this process (user + system, µs): the machine may be shared, so per-operation figures are CPU, not wall. */
const cpuNow = (): number => {
  const u = process.cpuUsage();
  return u.user + u.system;
};
const cpuMs = (start: number): number => (cpuNow() - start) / 1000;
const kb = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KB`;

/** Time spent inside the repository's get/save while the engine runs (all instances). */
const inRepo = { saves: 0, saveMs: 0, gets: 0, getMs: 0 };
const proto = SqliteExecutionRepository.prototype;
const originalSave = proto.save;
const originalGet = proto.get;
// The repository's methods do their SQLite work synchronously before returning their promise.
proto.save = function (this: SqliteExecutionRepository, e: Execution, v: number | undefined) {
  const t = cpuNow();
  const result = originalSave.call(this, e, v);
  inRepo.saves++;
  inRepo.saveMs += cpuMs(t);
  return result;
};
proto.get = function (this: SqliteExecutionRepository, tenantId: string, id: string) {
  const t = cpuNow();
  const result = originalGet.call(this, tenantId, id);
  inRepo.gets++;
  inRepo.getMs += cpuMs(t);
  return result;
};

/** A terminated ForEach execution with exactly `taskRuns` task runs (the ForEach and its items). */
async function engineExecution(taskRuns: number): Promise<{ execution: Execution; wallMs: number }> {
  const world = startEngineWorld();
  try {
    const values = JSON.stringify(Array.from({ length: taskRuns - 1 }, (_, i) => `value-${i}`));
    await world.deploy(`
id: storage_${taskRuns}
namespace: company.bench
tasks:
  - id: each
    type: io.kestra.plugin.core.flow.ForEach
    values: '${values}'
    tasks:
      - id: item
        type: io.kestra.plugin.core.debug.Return
        format: "{{ taskrun.value }}"
`);
    Object.assign(inRepo, { saves: 0, saveMs: 0, gets: 0, getMs: 0 });
    const t = process.hrtime.bigint();
    const execution = await world.run('company.bench', `storage_${taskRuns}`, {}, 600_000);
    const wallMs = ms(t);
    if (execution.state.current !== 'SUCCESS' || execution.taskRunList.length !== taskRuns) {
      throw new Error(`engine run ended ${execution.state.current} with ${execution.taskRunList.length} task runs`);
    }
    return { execution, wallMs };
  } finally {
    await world.close();
  }
}

/** One executor step's change: one task run gets a new state history entry. */
function changeOne(e: Execution, step: number): Execution {
  const i = (step * 7919) % e.taskRunList.length;
  const taskRunList: TaskRun[] = e.taskRunList.map((r, j) =>
    j === i ? { ...r, state: { ...r.state, histories: [...r.state.histories, { state: 'SUCCESS', date: new Date(Date.UTC(2026, 0, 1, 0, 0, step)).toISOString() }] } } : r,
  );
  return { ...e, taskRunList };
}

function dbBytes(file: string): number {
  const size = (f: string) => {
    try {
      return statSync(f).size;
    } catch {
      return 0;
    }
  };
  return size(file) + size(`${file}-wal`);
}

const header = `${'task runs'.padStart(9)} | ${'JSON'.padStart(10)} | ${'on disk'.padStart(10)} | ${'create'.padStart(9)} | ${'cold get'.padStart(9)} | ${'warm get'.padStart(9)} | ${'step save'.padStart(9)} | ${'step written'.padStart(12)} | engine run (repository share)`;
process.stdout.write(`Per-operation figures: median CPU time of this process. Engine run: wall time, and CPU time inside the repository.\n${header}\n${'-'.repeat(header.length + 10)}\n`);

for (const n of SIZES) {
  const { execution, wallMs } = await engineExecution(n);
  const engineRepo = { ...inRepo };
  const json = JSON.stringify(execution).length;
  const copies = n >= 10_000 ? 3 : n >= 1_000 ? 10 : 100;

  const dir = mkdtempSync(join(tmpdir(), 'wh-bench-exec-'));
  const file = join(dir, 'bench.db');
  const db = openSqliteDatabase(file);
  const repo = new SqliteExecutionRepository(db);
  db.pragma('wal_checkpoint(TRUNCATE)');
  const empty = dbBytes(file);

  // Create: `copies` executions with their own ids, then the file size per execution.
  const createMs: number[] = [];
  for (let c = 0; c < copies; c++) {
    const copy: Execution = { ...execution, id: `${execution.id}c${c}`, version: undefined };
    const t = cpuNow();
    await repo.save(copy, undefined);
    createMs.push(cpuMs(t));
  }
  db.pragma('wal_checkpoint(TRUNCATE)');
  const onDisk = (dbBytes(file) - empty) / copies;

  // Get: cold = a fresh repository each time (as in a new process); warm = the same repository again (as the executor).
  const coldMs: number[] = [];
  const warmMs: number[] = [];
  for (let s = 0; s < STEPS; s++) {
    const cold = new SqliteExecutionRepository(db);
    const t = cpuNow();
    const got = await cold.get(execution.tenantId, `${execution.id}c${s % copies}`);
    coldMs.push(cpuMs(t));
    if (got?.taskRunList.length !== n) throw new Error('get returned a different execution');
  }
  await repo.get(execution.tenantId, `${execution.id}c0`);
  for (let s = 0; s < STEPS; s++) {
    const t = cpuNow();
    await repo.get(execution.tenantId, `${execution.id}c0`);
    warmMs.push(cpuMs(t));
  }

  // Executor steps (get, change one task run, save): time of the save; then bytes written = WAL growth from an empty WAL.
  const stepMs: number[] = [];
  const written: number[] = [];
  const id0 = `${execution.id}c0`;
  for (let s = 0; s < STEPS * 2; s++) {
    const current = (await repo.get(execution.tenantId, id0)) as Execution;
    const next = changeOne(current, s);
    if (s >= STEPS) db.pragma('wal_checkpoint(TRUNCATE)');
    const t = cpuNow();
    await repo.save(next, current.version);
    if (s < STEPS) stepMs.push(cpuMs(t));
    else written.push(dbBytes(file) - statSync(file).size);
  }
  db.close();
  rmSync(dir, { recursive: true, force: true });

  process.stdout.write(
    `${String(n).padStart(9)} | ${kb(json).padStart(10)} | ${kb(onDisk).padStart(10)} | ${`${median(createMs).toFixed(2)} ms`.padStart(9)} | ${`${median(coldMs).toFixed(2)} ms`.padStart(9)} | ${`${median(warmMs).toFixed(2)} ms`.padStart(9)} | ${`${median(stepMs).toFixed(2)} ms`.padStart(9)} | ${kb(median(written)).padStart(12)} | ${(wallMs / 1000).toFixed(2)} s (${engineRepo.saves} saves ${(engineRepo.saveMs / 1000).toFixed(2)} s, ${engineRepo.gets} gets ${(engineRepo.getMs / 1000).toFixed(2)} s)\n`,
  );
}

/** A ForEach of `items` Return tasks, every one dispatched to the worker (no inline tasks), on a file database. */
async function workerForEach(items: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'wh-bench-worker-'));
  const file = join(dir, 'windhover.db');
  const db = openSqliteDatabase(file);
  const queue = new LocalExecutionQueue(db, { retryDelayMs: 50 });
  const silent = { debug() {}, info() {}, warn() {}, error() {} };
  const ports = {
    flows: new SqliteFlowRepository(db),
    executions: new SqliteExecutionRepository(db),
    logs: new SqliteLogRepository(db),
    storage: new FsInternalStorage(join(dir, 'storage')),
    secrets: new EnvSecretStore({ env: {} }),
    kv: new SqliteKvStore(db),
    namespaceFiles: new FsNamespaceFileStore(db, join(dir, 'namespace-files')),
    queue,
    attemptResults: new SqliteAttemptResultStore(db),
    triggers: new SqliteTriggerStore(db),
    timers: new SqliteTimerStore(db),
    clock: new SystemClock(),
    logger: silent,
  };
  const engine = createEngine(ports, { registry: createTaskRegistry(), inlineTaskTypes: [] });
  queue.consume('executor', (body) => engine.handleExecutorMessage(body));
  queue.consume('worker', (body) => engine.handleWorkerMessage(body), { concurrency: 8 });
  try {
    const values = JSON.stringify(Array.from({ length: items }, (_, i) => `value-${i}`));
    const source = `
id: worker_each
namespace: company.bench
tasks:
  - id: each
    type: io.kestra.plugin.core.flow.ForEach
    concurrencyLimit: 8
    values: '${values}'
    tasks:
      - id: item
        type: io.kestra.plugin.core.debug.Return
        format: "{{ taskrun.value }}"
`;
    await ports.flows.save({ flow: parse(source), source, revision: 1, tenantId: 'main', updated: new Date().toISOString() }, undefined);
    Object.assign(inRepo, { saves: 0, saveMs: 0, gets: 0, getMs: 0 });
    const t = process.hrtime.bigint();
    const c = cpuNow();
    const created = await engine.executionService.create({ tenantId: 'main', namespace: 'company.bench', flowId: 'worker_each', inputs: {} });
    const e = await engine.executionService.waitForTerminal('main', created.id, 1_800_000);
    const wallMs = ms(t);
    const runCpuMs = cpuMs(c);
    if (!isTerminated(e.state.current) || e.state.current !== 'SUCCESS') throw new Error(`worker ForEach ended ${e.state.current}`);
    db.pragma('wal_checkpoint(TRUNCATE)');
    process.stdout.write(
      `\nForEach of ${items} Return tasks on the worker (concurrencyLimit 8, ${e.taskRunList.length} task runs): ${(wallMs / 1000).toFixed(2)} s wall, ${(runCpuMs / 1000).toFixed(2)} s CPU, ` +
        `${inRepo.saves} saves ${(inRepo.saveMs / 1000).toFixed(2)} s, ${inRepo.gets} gets ${(inRepo.getMs / 1000).toFixed(2)} s, database file ${kb(dbBytes(file))}\n`,
    );
  } finally {
    await queue.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (WORKER_ITEMS > 0) await workerForEach(WORKER_ITEMS);
