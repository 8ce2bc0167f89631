import { join } from 'node:path';
import type { Execution } from '@windhover/core';
import { isTerminated } from '@windhover/core';
import { openSqliteDatabase, SqliteConcurrencySlots } from '@windhover/local';
import type { RuntimePorts } from '@windhover/runtime';
import { createEngine } from '@windhover/runtime';
import { createTaskRegistry } from '@windhover/tasks';
import { afterEach, describe, expect, it } from 'vitest';
import { type EngineWorld, startEngineWorld } from './engine-world';

let w: EngineWorld | undefined;
afterEach(async () => {
  await w?.close();
  w = undefined;
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Two engines (as two executor Lambdas) over one SQLite file, each with its
 * own in-process lock, handling the executor messages of one queue in turn:
 * only the shared ConcurrencySlots keeps the flow's limit.
 */
describe('concurrency slots across engines', () => {
  it('never runs two executions of a limit-1 flow at once when two engines decide the starts', async () => {
    w = startEngineWorld({ consume: false });
    const db = openSqliteDatabase(join(w.dir, 'windhover.db'));
    const ports: RuntimePorts = { ...w.ports, slots: new SqliteConcurrencySlots(db) };
    const engines = [createEngine(ports, { registry: createTaskRegistry() }), createEngine(ports, { registry: createTaskRegistry() })];
    let turn = 0;
    const handled = [0, 0];
    w.queue.consume(
      'executor',
      (body) => {
        const i = turn++ % 2;
        handled[i]++;
        return engines[i].handleExecutorMessage(body);
      },
      { concurrency: 16 },
    );
    w.queue.consume('worker', (body) => engines[turn % 2].handleWorkerMessage(body), { concurrency: 16 });
    await w.deploy(`
id: one_at_a_time
namespace: company.slots
concurrency:
  limit: 1
tasks:
  - { id: nap, type: io.kestra.plugin.core.flow.Sleep, duration: PT0.1S }
`);
    const created = await Promise.all(
      Array.from({ length: 8 }, (_, i) => engines[i % 2].executionService.create({ tenantId: 'main', namespace: 'company.slots', flowId: 'one_at_a_time', inputs: {} })),
    );
    let maxRunning = 0;
    let done: Execution[] = [];
    for (const deadline = Date.now() + 30_000; Date.now() < deadline; await sleep(5)) {
      const page = await ports.executions.find('main', { namespace: 'company.slots', flowId: 'one_at_a_time', states: ['RUNNING'], size: 10 });
      maxRunning = Math.max(maxRunning, page.results.length);
      done = (await Promise.all(created.map((e) => ports.executions.get('main', e.id)))).filter((e): e is Execution => !!e && isTerminated(e.state.current));
      if (done.length === created.length) break;
    }
    db.close();
    expect(done.map((e) => e.state.current)).toEqual(created.map(() => 'SUCCESS'));
    expect(maxRunning).toBe(1);
    expect(handled[0]).toBeGreaterThan(0);
    expect(handled[1]).toBeGreaterThan(0);
    // Run intervals [RUNNING, end] never overlap.
    const intervals = done
      .map((e) => [Date.parse(e.state.histories.find((h) => h.state === 'RUNNING')?.date ?? ''), Date.parse(e.state.endDate ?? '')] as const)
      .sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < intervals.length; i++) expect(intervals[i][0]).toBeGreaterThanOrEqual(intervals[i - 1][1]);
  }, 40_000);
});
