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
let closeDb: (() => void) | undefined;
afterEach(async () => {
  closeDb?.();
  await w?.close();
  w = undefined;
  closeDb = undefined;
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function slotWorld(): { ports: RuntimePorts; engine: Engine } {
  const world = startEngineWorld({ consume: false });
  w = world;
  const db = openSqliteDatabase(join(world.dir, 'windhover.db'));
  closeDb = () => db.close();
  const ports: RuntimePorts = { ...world.ports, slots: new SqliteConcurrencySlots(db) };
  const engine = createEngine(ports, { registry: createTaskRegistry() });
  world.queue.consume('executor', (body) => engine.handleExecutorMessage(body));
  world.queue.consume('worker', (body) => engine.handleWorkerMessage(body));
  return { ports, engine };
}

async function until(ports: RuntimePorts, id: string, test: (e: Execution) => boolean): Promise<Execution> {
  for (const deadline = Date.now() + 20_000; Date.now() < deadline; await sleep(10)) {
    const e = await ports.executions.get('main', id);
    if (e && test(e)) return e;
  }
  throw new Error(`execution ${id} is ${(await ports.executions.get('main', id))?.state.current}`);
}

const FLOW = `
id: forced
namespace: company.slots
concurrency: { limit: 1 }
tasks:
  - { id: wait, type: io.kestra.plugin.core.flow.Pause }
`;

describe('force-run and unqueue with concurrency slots', () => {
  it('a forced start takes the free slot, so the limit holds for the executions after it', async () => {
    const { ports, engine } = slotWorld();
    await w?.deploy(FLOW);
    const create = () => engine.executionService.create({ tenantId: 'main', namespace: 'company.slots', flowId: 'forced', inputs: {} });
    const holder = (await create()).id;
    await until(ports, holder, (e) => e.state.current === 'PAUSED');
    const queued = (await create()).id;
    await until(ports, queued, (e) => e.state.current === 'QUEUED');
    // The holder's slot is lost (a crash between end and release): the queued execution is forced to start.
    await ports.slots?.release('main', 'company.slots', 'forced', holder);
    await engine.executionService.unqueue('main', queued);
    await until(ports, queued, (e) => e.state.current === 'PAUSED');
    const snap = await ports.slots?.snapshot('main', 'company.slots', 'forced');
    expect(snap?.active).toEqual([queued]);
    expect(snap?.waiting).toEqual([]);
    // The next one queues behind it, and starts once it ends.
    const next = (await create()).id;
    await until(ports, next, (e) => e.state.current === 'QUEUED');
    await engine.executionService.kill('main', queued);
    await until(ports, queued, (e) => isTerminated(e.state.current));
    await until(ports, next, (e) => e.state.current === 'PAUSED');
    for (const id of [holder, next]) await engine.executionService.kill('main', id);
  });

  it('a forced start over the limit runs without a slot and leaves the holders as they are', async () => {
    const { ports, engine } = slotWorld();
    await w?.deploy(FLOW);
    const create = () => engine.executionService.create({ tenantId: 'main', namespace: 'company.slots', flowId: 'forced', inputs: {} });
    const holder = (await create()).id;
    await until(ports, holder, (e) => e.state.current === 'PAUSED');
    const queued = (await create()).id;
    await until(ports, queued, (e) => e.state.current === 'QUEUED');
    await engine.executionService.forceRun('main', queued);
    await until(ports, queued, (e) => e.state.current === 'PAUSED');
    const snap = await ports.slots?.snapshot('main', 'company.slots', 'forced');
    expect(snap?.active).toEqual([holder]);
    for (const id of [holder, queued]) await engine.executionService.kill('main', id);
    for (const id of [holder, queued]) await until(ports, id, (e) => isTerminated(e.state.current));
    expect((await ports.slots?.snapshot('main', 'company.slots', 'forced'))?.active).toEqual([]);
  });
});
