import { join } from 'node:path';
import type { Execution } from '@windhover/core';
import { isTerminated } from '@windhover/core';
import { openSqliteDatabase, SqliteConcurrencySlots } from '@windhover/local';
import type { Runtime, RuntimePorts } from '@windhover/runtime';
import { createRuntime, parseExecutorMessage } from '@windhover/runtime';
import { createTaskRegistry } from '@windhover/tasks';
import { afterEach, describe, expect, it } from 'vitest';
import { minimalValidator } from '../api/api-harness';
import { expectTwoEnginesKeepTheLimit, isLostNotification } from './concurrency-two-engines';
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

describe('the sweep across engines', () => {
  it('never runs two executions of a limit-1 flow at once when two engines sweep, start and restart in parallel over one SQLite file', async () => {
    w = startEngineWorld({ consume: false });
    const db = openSqliteDatabase(join(w.dir, 'windhover.db'));
    closeDb = () => db.close();
    await expectTwoEnginesKeepTheLimit(w, { ...w.ports, slots: new SqliteConcurrencySlots(db) }, NS);
  }, 60_000);
});
