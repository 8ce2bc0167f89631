import { join } from 'node:path';
import type { Execution } from '@windhover/core';
import { isTerminated } from '@windhover/core';
import { openSqliteDatabase, SqliteConcurrencySlots } from '@windhover/local';
import type { Runtime, RuntimePorts } from '@windhover/runtime';
import { createEngine, createRuntime, parseExecutorMessage } from '@windhover/runtime';
import { createTaskRegistry } from '@windhover/tasks';
import { afterEach, describe, expect, it } from 'vitest';
import { minimalValidator } from '../api/api-harness';
import { type EngineWorld, startEngineWorld } from './engine-world';

let w: EngineWorld | undefined;
let closeDb: (() => void) | undefined;
afterEach(async () => {
  closeDb?.();
  closeDb = undefined;
  await w?.close();
  w = undefined;
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const NS = 'company.sweep';

/**
 * slot-freed events that the sweep did not send: dropping them plays a lost
 * message, or a QUEUED execution the lagging listing of DynamoDB missed.
 */
const isLostNotification = (body: string): boolean => {
  const m = parseExecutorMessage(body);
  return m.type === 'slot-freed' && !m.id.includes(':slot:sweep:');
};

interface SweepWorld {
  readonly ports: RuntimePorts;
  readonly runtime: Runtime;
  readonly slots: SqliteConcurrencySlots;
  /** slot-freed messages dropped so far. */
  readonly lost: string[];
}

/** The shared runtime (its tick as both editions call it) over SQLite with slots; every slot-freed not sent by the sweep is lost. */
function sweepWorld(): SweepWorld {
  const world = startEngineWorld({ consume: false });
  w = world;
  const db = openSqliteDatabase(join(world.dir, 'windhover.db'));
  closeDb = () => db.close();
  const slots = new SqliteConcurrencySlots(db);
  const ports: RuntimePorts = { ...world.ports, slots };
  const runtime = createRuntime(ports, { auth: { basic: { username: 'u@windhover.dev', password: 'password-1' } }, baseUrl: 'http://127.0.0.1', validator: minimalValidator, registry: createTaskRegistry() });
  const lost: string[] = [];
  world.queue.consume(
    'executor',
    async (body) => {
      if (isLostNotification(body)) {
        lost.push(parseExecutorMessage(body).executionId);
        return;
      }
      await runtime.engine.handleExecutorMessage(body);
    },
    { concurrency: 8 },
  );
  world.queue.consume('worker', (body) => runtime.engine.handleWorkerMessage(body), { concurrency: 8 });
  return { ports, runtime, slots, lost };
}

async function until(ports: RuntimePorts, id: string, test: (e: Execution | undefined) => boolean, what: string): Promise<Execution | undefined> {
  for (const deadline = Date.now() + 20_000; Date.now() < deadline; await sleep(10)) {
    const e = await ports.executions.get('main', id);
    if (test(e)) return e;
  }
  throw new Error(`execution ${id} did not become ${what}: ${(await ports.executions.get('main', id))?.state.current}`);
}

const limited = (id: string, nap: string) => `
id: ${id}
namespace: ${NS}
concurrency: { limit: 1 }
tasks:
  - { id: nap, type: io.kestra.plugin.core.flow.Sleep, duration: ${nap} }
`;

const create = (runtime: Runtime, flowId: string) => runtime.engine.executions.create({ tenantId: 'main', namespace: NS, flowId, inputs: {} });
const state = (e: Execution | undefined) => e?.state.current;

describe('the scheduler tick sweeps QUEUED executions of flows with a concurrency limit', () => {
  it('starts at the next tick a QUEUED execution whose slot-freed message was lost', async () => {
    const { ports, runtime, slots, lost } = sweepWorld();
    await w?.deploy(limited('lost', 'PT0.3S'));
    const a = await create(runtime, 'lost');
    await until(ports, a.id, (e) => state(e) === 'RUNNING', 'RUNNING');
    const b = await create(runtime, 'lost');
    await until(ports, b.id, (e) => state(e) === 'QUEUED', 'QUEUED');
    expect(await slots.snapshot('main', NS, 'lost')).toEqual({ active: [a.id], waiting: [b.id] });

    const doneA = await until(ports, a.id, (e) => state(e) === 'SUCCESS', 'SUCCESS');
    await until(ports, b.id, () => lost.includes(b.id), 'notified (and the notification lost)');
    await sleep(300);
    expect(state(await ports.executions.get('main', b.id))).toBe('QUEUED');

    await runtime.tick();
    const doneB = await until(ports, b.id, (e) => isTerminated(e?.state.current ?? 'QUEUED'), 'terminal');
    expect(state(doneB)).toBe('SUCCESS');
    expect(Date.parse(doneB?.state.histories.find((h) => h.state === 'RUNNING')?.date ?? '')).toBeGreaterThanOrEqual(Date.parse(doneA?.state.endDate ?? ''));
    expect(await slots.snapshot('main', NS, 'lost')).toEqual({ active: [], waiting: [] });
  }, 30_000);

  it('starts the waiters one at a time, oldest first, over repeated ticks, never two at once', async () => {
    const { ports, runtime } = sweepWorld();
    await w?.deploy(limited('fifo', 'PT0.2S'));
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      ids.push((await create(runtime, 'fifo')).id);
      await sleep(5);
    }
    await until(ports, ids[3], (e) => state(e) === 'QUEUED', 'QUEUED');
    let maxRunning = 0;
    let done: Execution[] = [];
    for (const deadline = Date.now() + 20_000; Date.now() < deadline; await sleep(20)) {
      await runtime.tick();
      const all = await Promise.all(ids.map((id) => ports.executions.get('main', id)));
      maxRunning = Math.max(maxRunning, all.filter((e) => state(e) === 'RUNNING').length);
      done = all.filter((e): e is Execution => !!e && isTerminated(e.state.current));
      if (done.length === ids.length) break;
    }
    expect(done.map((e) => e.state.current)).toEqual(ids.map(() => 'SUCCESS'));
    expect(maxRunning).toBe(1);
    const startedAt = done.map((e) => Date.parse(e.state.histories.find((h) => h.state === 'RUNNING')?.date ?? ''));
    for (let i = 1; i < startedAt.length; i++) {
      expect(startedAt[i]).toBeGreaterThanOrEqual(Date.parse(done[i - 1].state.endDate ?? ''));
    }
  }, 30_000);

  it('frees the slot of a running execution deleted without notice, and forgets a QUEUED one deleted or killed', async () => {
    const { ports, runtime, slots } = sweepWorld();
    await w?.deploy(limited('deleted', 'PT30S'));
    const a = await create(runtime, 'deleted');
    await until(ports, a.id, (e) => state(e) === 'RUNNING', 'RUNNING');
    const b = await create(runtime, 'deleted');
    const c = await create(runtime, 'deleted');
    const d = await create(runtime, 'deleted');
    for (const id of [b.id, c.id, d.id]) await until(ports, id, (e) => state(e) === 'QUEUED', 'QUEUED');
    // As the API's DELETE does: the documents go, the engine hears nothing.
    await ports.executions.delete('main', a.id);
    await ports.executions.delete('main', b.id);
    await runtime.engine.executions.kill('main', c.id);
    await until(ports, c.id, (e) => state(e) === 'KILLED', 'KILLED');
    expect((await slots.snapshot('main', NS, 'deleted')).waiting).toEqual([b.id, d.id].sort());

    await runtime.tick();
    await until(ports, d.id, (e) => state(e) === 'RUNNING', 'RUNNING');
    expect(await slots.snapshot('main', NS, 'deleted')).toEqual({ active: [d.id], waiting: [] });
    await runtime.engine.executions.kill('main', d.id);
    await until(ports, d.id, (e) => state(e) === 'KILLED', 'KILLED');
  }, 30_000);

  it('never starts a waiter while the slot is held, however often the scheduler ticks', async () => {
    const { ports, runtime, slots } = sweepWorld();
    await w?.deploy(limited('busy', 'PT30S'));
    const a = await create(runtime, 'busy');
    await until(ports, a.id, (e) => state(e) === 'RUNNING', 'RUNNING');
    const b = await create(runtime, 'busy');
    await until(ports, b.id, (e) => state(e) === 'QUEUED', 'QUEUED');
    for (let i = 0; i < 3; i++) await runtime.tick();
    await sleep(200);
    expect(state(await ports.executions.get('main', b.id))).toBe('QUEUED');
    expect(await slots.snapshot('main', NS, 'busy')).toEqual({ active: [a.id], waiting: [b.id] });
    for (const id of [a.id, b.id]) await runtime.engine.executions.kill('main', id);
    for (const id of [a.id, b.id]) await until(ports, id, (e) => state(e) === 'KILLED', 'KILLED');
    expect(await slots.snapshot('main', NS, 'busy')).toEqual({ active: [], waiting: [] });
  }, 30_000);
});

/**
 * Two engines (as two executor Lambdas and two scheduler ticks) over one
 * SQLite file: every slot-freed of a release is lost, so only the sweeps of
 * both engines, running in parallel, hand the slot on; restarts of failed
 * executions go through the same limit.
 */
describe('the sweep across engines', () => {
  it('never runs two executions of a limit-1 flow at once when two engines sweep, start and restart in parallel', async () => {
    w = startEngineWorld({ consume: false });
    const db = openSqliteDatabase(join(w.dir, 'windhover.db'));
    closeDb = () => db.close();
    const ports: RuntimePorts = { ...w.ports, slots: new SqliteConcurrencySlots(db) };
    const engines = [createEngine(ports, { registry: createTaskRegistry() }), createEngine(ports, { registry: createTaskRegistry() })];
    let turn = 0;
    const handled = [0, 0];
    w.queue.consume(
      'executor',
      async (body) => {
        if (isLostNotification(body)) return;
        const i = turn++ % 2;
        handled[i]++;
        await engines[i].handleExecutorMessage(body);
      },
      { concurrency: 16 },
    );
    w.queue.consume('worker', (body) => engines[turn % 2].handleWorkerMessage(body), { concurrency: 16 });
    await w.deploy(`
id: shared
namespace: ${NS}
concurrency: { limit: 1 }
inputs:
  - { id: fail, type: BOOLEAN, defaults: false }
tasks:
  - { id: check, type: io.kestra.plugin.core.execution.Fail, condition: "{{ inputs.fail and taskrun.attemptsCount == 0 }}" }
  - { id: nap, type: io.kestra.plugin.core.flow.Sleep, duration: PT0.1S }
`);
    const make = (i: number, fail: boolean) => engines[i % 2].executionService.create({ tenantId: 'main', namespace: NS, flowId: 'shared', inputs: { fail } });
    let sweeping = true;
    const sweeps = engines.map(async (engine) => {
      while (sweeping) {
        await engine.sweepQueued();
        await sleep(5);
      }
    });
    try {
      const failed: string[] = [];
      for (let i = 0; i < 2; i++) {
        const f = await make(i, true);
        await until(ports, f.id, (e) => state(e) === 'FAILED', 'FAILED');
        failed.push(f.id);
      }
      const created = await Promise.all(Array.from({ length: 6 }, (_, i) => make(i, false)));
      await Promise.all(failed.map((id, i) => engines[i].executionService.restart('main', id)));
      const ids = [...failed, ...created.map((e) => e.id)];
      let maxRunning = 0;
      let done: Execution[] = [];
      for (const deadline = Date.now() + 30_000; Date.now() < deadline; await sleep(5)) {
        const all = await Promise.all(ids.map((id) => ports.executions.get('main', id)));
        maxRunning = Math.max(maxRunning, all.filter((e) => state(e) === 'RUNNING').length);
        // A failed one is done once its restart ended.
        done = all.filter((e): e is Execution => !!e && isTerminated(e.state.current) && (!failed.includes(e.id) || e.state.histories.some((h) => h.state === 'RESTARTED')));
        if (done.length === ids.length) break;
      }
      expect(done.map((e) => e.state.current)).toEqual(ids.map(() => 'SUCCESS'));
      expect(maxRunning).toBe(1);
      expect(handled[0]).toBeGreaterThan(0);
      expect(handled[1]).toBeGreaterThan(0);
      // Every RUNNING period (a restarted execution has two) ends before the next one starts.
      const periods: [number, number][] = [];
      for (const e of done) {
        let from: number | undefined;
        for (const h of e.state.histories) {
          if (h.state === 'RUNNING') from = Date.parse(h.date);
          else if (from !== undefined && isTerminated(h.state)) {
            periods.push([from, Date.parse(h.date)]);
            from = undefined;
          }
        }
      }
      expect(periods).toHaveLength(ids.length + failed.length);
      periods.sort((x, y) => x[0] - y[0]);
      for (let i = 1; i < periods.length; i++) expect(periods[i][0]).toBeGreaterThanOrEqual(periods[i - 1][1]);
    } finally {
      sweeping = false;
      await Promise.all(sweeps);
    }
  }, 60_000);
});
