/**
 * Scheduler benchmark: one tick over 10,000 flows with a Schedule trigger
 * each, on the local edition's SQLite adapters (in memory), through the
 * real runSchedulerTick. Three ticks are measured:
 *  - first: every trigger gets its state (10,000 conditional creates);
 *  - idle: nothing is due (the usual minute);
 *  - due: every trigger fires (10,000 claims + 10,000 executions created
 *    with derived ids in the execution repository).
 * Usage: node --import tsx scripts/bench/scheduler-tick.ts [count]
 */
import type { Execution, Flow, FlowWithSource, KvStore, Logger } from '@windhover/core';
import { SqliteExecutionRepository, SqliteFlowRepository, SqliteTriggerStore, openSqliteDatabase } from '@windhover/local';
import { type TriggerDeps, runSchedulerTick } from '@windhover/runtime';

const count = Number(process.argv[2] ?? 10_000);
const db = openSqliteDatabase(':memory:');
const flows = new SqliteFlowRepository(db);
const executionRepo = new SqliteExecutionRepository(db);
const triggers = new SqliteTriggerStore(db);
const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };
let now = new Date('2026-01-01T09:59:30Z');

const crons = ['0 * * * *', '*/5 * * * *', '0 10 * * *', '30 2 * * MON-FRI', '@daily'];
for (let i = 0; i < count; i++) {
  const flow: Flow = {
    id: `flow_${i}`,
    namespace: `company.team${i % 50}`,
    tasks: [{ id: 'log', type: 'io.kestra.plugin.core.log.Log', message: 'tick' }],
    triggers: [
      {
        id: 'schedule',
        type: 'io.kestra.plugin.core.trigger.Schedule',
        cron: crons[i % crons.length],
        timezone: i % 3 === 0 ? 'Europe/Paris' : 'UTC',
        allowConcurrent: true,
        inputs: { n: i },
      },
    ],
  };
  const fw: FlowWithSource = { flow: { ...flow, revision: 1 }, source: JSON.stringify(flow), revision: 1, tenantId: 'main', updated: now.toISOString() };
  await flows.save(fw, undefined);
}

let created = 0;
const deps: TriggerDeps = {
  ports: {
    flows,
    executions: executionRepo,
    triggers,
    logger: silent,
    clock: { now: () => now },
    secrets: { get: async () => undefined, list: async () => [] },
    kv: { get: async () => undefined } as unknown as KvStore,
  },
  executions: {
    async create(request) {
      created++;
      const date = now.toISOString();
      const e: Execution = {
        tenantId: request.tenantId,
        id: request.id,
        namespace: request.namespace,
        flowId: request.flowId,
        flowRevision: request.revision ?? 1,
        state: { current: 'CREATED', histories: [{ state: 'CREATED', date }], startDate: date },
        taskRunList: [],
        inputs: request.inputs as Execution['inputs'],
        labels: [...(request.labels ?? [])],
        originalId: request.id,
        metadata: { attemptNumber: 1, originalCreatedDate: date },
        deleted: false,
        ...(request.trigger ? { trigger: request.trigger } : {}),
        ...(request.scheduleDate ? { scheduleDate: request.scheduleDate } : {}),
      };
      return executionRepo.save(e, undefined);
    },
  },
};

async function measure(label: string, at: string): Promise<void> {
  now = new Date(at);
  const before = created;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const r = await runSchedulerTick(deps, now);
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  process.stdout.write(
    `| ${label.padEnd(28)} | ${String(r.evaluated).padStart(7)} | ${String(created - before).padStart(8)} | ${ms.toFixed(0).padStart(7)} ms | ${cpuMs.toFixed(0).padStart(7)} ms |\n`,
  );
}

process.stdout.write(`Scheduler tick over ${count} Schedule triggers (SQLite in memory, Node ${process.version})\n\n`);
process.stdout.write(`Machine load average: ${(await import('node:os')).loadavg()[0].toFixed(1)} (CPU time is the process's own, wall time includes waiting for a core)\n\n`);
process.stdout.write('| tick                         | triggers | executions | wall time | CPU time |\n|---|---:|---:|---:|---:|\n');
await measure('first (states created)', '2026-01-01T09:59:30Z');
await measure('idle (nothing due)', '2026-01-01T09:59:45Z');
// 10:00 is a slot of every cron except the weekday 02:30 one and @daily; force all due with a second pass at midnight.
await measure('due at 10:00', '2026-01-01T10:00:00.050Z');
await measure('idle again', '2026-01-01T10:00:30Z');
if (process.env.BENCH_DETAIL) {
  let t = performance.now();
  await flows.list('main');
  process.stdout.write(`flows.list ${(performance.now() - t).toFixed(0)} ms\n`);
  t = performance.now();
  await triggers.list('main');
  process.stdout.write(`triggers.list ${(performance.now() - t).toFixed(0)} ms\n`);
}
db.close();
