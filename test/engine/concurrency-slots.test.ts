import { join } from 'node:path';
import type { Execution } from '@windhover/core';
import { isTerminated } from '@windhover/core';
import { openSqliteDatabase, SqliteConcurrencySlots } from '@windhover/local';
import type { Engine, RuntimePorts } from '@windhover/runtime';
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

/** One engine whose start decisions go through SQLite concurrency slots. */
function slotWorld(): { ports: RuntimePorts; engine: Engine; closeDb(): void } {
  const world = startEngineWorld({ consume: false });
  w = world;
  const db = openSqliteDatabase(join(world.dir, 'windhover.db'));
  const ports: RuntimePorts = { ...world.ports, slots: new SqliteConcurrencySlots(db) };
  const engine = createEngine(ports, { registry: createTaskRegistry() });
  world.queue.consume('executor', (body) => engine.handleExecutorMessage(body));
  world.queue.consume('worker', (body) => engine.handleWorkerMessage(body));
  return { ports, engine, closeDb: () => db.close() };
}

async function until(ports: RuntimePorts, id: string, test: (e: Execution) => boolean): Promise<Execution> {
  for (const deadline = Date.now() + 20_000; Date.now() < deadline; await sleep(10)) {
    const e = await ports.executions.get('main', id);
    if (e && test(e)) return e;
  }
  throw new Error(`execution ${id} did not reach the expected state: ${(await ports.executions.get("main", id))?.state.current}`);
}

const create = (engine: Engine, flowId: string) => engine.executionService.create({ tenantId: 'main', namespace: 'company.slots', flowId, inputs: {} });

describe('concurrency slots in the engine', () => {
  it('queues beyond the limit and starts the queued ones in order as slots are released', async () => {
    const { ports, engine, closeDb } = slotWorld();
    await w?.deploy(`
id: queued
namespace: company.slots
concurrency: { limit: 1 }
tasks:
  - { id: nap, type: io.kestra.plugin.core.flow.Sleep, duration: PT0.2S }
`);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await create(engine, 'queued')).id);
    await until(ports, ids[2], (e) => e.state.current === 'QUEUED');
    const done = await Promise.all(ids.map((id) => until(ports, id, (e) => isTerminated(e.state.current))));
    closeDb();
    expect(done.map((e) => e.state.current)).toEqual(['SUCCESS', 'SUCCESS', 'SUCCESS']);
    const starts = done.map((e) => Date.parse(e.state.histories.find((h) => h.state === 'RUNNING')?.date ?? ''));
    const ends = done.map((e) => Date.parse(e.state.endDate ?? ''));
    expect(starts[1]).toBeGreaterThanOrEqual(ends[0]);
    expect(starts[2]).toBeGreaterThanOrEqual(ends[1]);
  }, 30_000);

  it('cancels or fails executions beyond the limit, and the slot is free again once the holder ends', async () => {
    const { ports, engine, closeDb } = slotWorld();
    for (const behavior of ['CANCEL', 'FAIL']) {
      const flowId = `limited_${behavior.toLowerCase()}`;
      await w?.deploy(`
id: ${flowId}
namespace: company.slots
concurrency: { limit: 1, behavior: ${behavior} }
tasks:
  - { id: nap, type: io.kestra.plugin.core.flow.Sleep, duration: PT0.3S }
`);
      const a = await create(engine, flowId);
      await until(ports, a.id, (e) => e.state.current === 'RUNNING');
      const b = await create(engine, flowId);
      expect((await until(ports, b.id, (e) => isTerminated(e.state.current))).state.current).toBe(behavior === 'CANCEL' ? 'CANCELLED' : 'FAILED');
      expect((await until(ports, a.id, (e) => isTerminated(e.state.current))).state.current).toBe('SUCCESS');
      const c = await create(engine, flowId);
      expect((await until(ports, c.id, (e) => isTerminated(e.state.current))).state.current).toBe('SUCCESS');
    }
    closeDb();
  }, 30_000);

  it('queues a scheduled execution whose start time comes while the slot is held', async () => {
    const { ports, engine, closeDb } = slotWorld();
    await w?.deploy(`
id: scheduled
namespace: company.slots
concurrency: { limit: 1 }
tasks:
  - { id: nap, type: io.kestra.plugin.core.flow.Sleep, duration: PT3S }
`);
    const a = await create(engine, 'scheduled');
    await until(ports, a.id, (e) => e.state.current === 'RUNNING');
    const b = await engine.executionService.create({
      tenantId: 'main',
      namespace: 'company.slots',
      flowId: 'scheduled',
      inputs: {},
      scheduleDate: new Date(Date.now() + 200).toISOString(),
    });
    const [doneA, doneB] = await Promise.all([a.id, b.id].map((id) => until(ports, id, (e) => isTerminated(e.state.current))));
    closeDb();
    expect([doneA.state.current, doneB.state.current]).toEqual(['SUCCESS', 'SUCCESS']);
    expect(doneB.state.histories.map((h) => h.state)).toContain('QUEUED');
    expect(Date.parse(doneB.state.histories.find((h) => h.state === 'RUNNING')?.date ?? '')).toBeGreaterThanOrEqual(Date.parse(doneA.state.endDate ?? ''));
  }, 30_000);

  it('frees the slot of a deleted running execution so that the queued one starts', async () => {
    const { ports, engine, closeDb } = slotWorld();
    await w?.deploy(`
id: deleted
namespace: company.slots
concurrency: { limit: 1 }
tasks:
  - { id: nap, type: io.kestra.plugin.core.flow.Sleep, duration: PT30S }
`);
    const a = await create(engine, 'deleted');
    const running = await until(ports, a.id, (e) => e.state.current === 'RUNNING');
    const b = await create(engine, 'deleted');
    await until(ports, b.id, (e) => e.state.current === 'QUEUED');
    await ports.executions.delete('main', a.id);
    await engine.executionDeleted(running);
    await until(ports, b.id, (e) => e.state.current === 'RUNNING');
    await engine.executionService.kill('main', b.id);
    await until(ports, b.id, (e) => isTerminated(e.state.current));
    closeDb();
  }, 30_000);
});

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
