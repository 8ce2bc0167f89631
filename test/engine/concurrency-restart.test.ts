import { join } from 'node:path';
import type { Execution, StateType } from '@windhover/core';
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
  closeDb = undefined;
  await w?.close();
  w = undefined;
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One engine whose start decisions go through SQLite concurrency slots. */
function slotWorld(): { ports: RuntimePorts; engine: Engine } {
  const world = startEngineWorld({ consume: false });
  w = world;
  const db = openSqliteDatabase(join(world.dir, 'windhover.db'));
  closeDb = () => db.close();
  const ports: RuntimePorts = { ...world.ports, slots: new SqliteConcurrencySlots(db) };
  const engine = createEngine(ports, { registry: createTaskRegistry() });
  world.queue.consume('executor', (body) => engine.handleExecutorMessage(body), { concurrency: 8 });
  world.queue.consume('worker', (body) => engine.handleWorkerMessage(body), { concurrency: 8 });
  return { ports, engine };
}

async function until(ports: RuntimePorts, id: string, test: (e: Execution) => boolean, what: string): Promise<Execution> {
  for (const deadline = Date.now() + 20_000; Date.now() < deadline; await sleep(10)) {
    const e = await ports.executions.get('main', id);
    if (e && test(e)) return e;
  }
  throw new Error(`execution ${id} did not become ${what}: ${(await ports.executions.get('main', id))?.state.histories.map((h) => h.state).join(' > ')}`);
}

/** A flow of limit 1 whose executions fail at once when `fail` is true (first attempt only: a restart gets past it), then sleep a while. */
const flowYaml = (id: string, behavior: string, nap = 'PT1S') => `
id: ${id}
namespace: company.restarts
concurrency: { limit: 1, behavior: ${behavior} }
inputs:
  - { id: fail, type: BOOLEAN, defaults: false }
tasks:
  - { id: check, type: io.kestra.plugin.core.execution.Fail, condition: "{{ inputs.fail and taskrun.attemptsCount == 0 }}" }
  - { id: nap, type: io.kestra.plugin.core.flow.Sleep, duration: ${nap} }
`;

const create = (engine: Engine, flowId: string, fail: boolean) => engine.executionService.create({ tenantId: 'main', namespace: 'company.restarts', flowId, inputs: { fail } });

/** The states after the last FAILED before the restart (the restart's own history). */
const afterRestart = (e: Execution): StateType[] => {
  const all = e.state.histories.map((h) => h.state);
  return all.slice(all.indexOf('RESTARTED'));
};

describe('restarting an execution of a flow with a concurrency limit', () => {
  it('queues the restart of a FAILED execution while another one runs, and runs it once the slot frees', async () => {
    const { ports, engine } = slotWorld();
    await w?.deploy(flowYaml('restart_queue', 'QUEUE'));
    const failed = await create(engine, 'restart_queue', true);
    await until(ports, failed.id, (e) => e.state.current === 'FAILED', 'FAILED');
    const holder = await create(engine, 'restart_queue', false);
    await until(ports, holder.id, (e) => e.state.current === 'RUNNING', 'RUNNING');

    await engine.executionService.restart('main', failed.id);
    const queued = await until(ports, failed.id, (e) => e.state.current === 'QUEUED', 'QUEUED');
    expect(afterRestart(queued)).toEqual(['RESTARTED', 'QUEUED']);
    // The failed task run is already put back for its new attempt; nothing runs while QUEUED.
    expect(queued.taskRunList.find((r) => r.taskId === 'check')?.state.current).toBe('RESTARTED');
    expect((await ports.executions.get('main', holder.id))?.state.current).toBe('RUNNING');

    const doneHolder = await until(ports, holder.id, (e) => isTerminated(e.state.current), 'terminal');
    const doneRestarted = await until(ports, failed.id, (e) => isTerminated(e.state.current) && e.state.histories.some((h) => h.state === 'QUEUED'), 'terminal again');
    expect(doneHolder.state.current).toBe('SUCCESS');
    // It ran again (its Fail task passes on the second attempt) only after the holder ended.
    expect(afterRestart(doneRestarted)).toEqual(['RESTARTED', 'QUEUED', 'RUNNING', 'SUCCESS']);
    expect(doneRestarted.taskRunList.find((r) => r.taskId === 'check')?.attempts).toHaveLength(2);
    const ranAt = Date.parse(doneRestarted.state.histories.findLast((h) => h.state === 'RUNNING')?.date ?? '');
    expect(ranAt).toBeGreaterThanOrEqual(Date.parse(doneHolder.state.endDate ?? ''));
  }, 30_000);

  it('cancels or fails the restart at the limit with behavior CANCEL or FAIL, leaving its task runs as they were', async () => {
    const { ports, engine } = slotWorld();
    for (const [behavior, expected] of [
      ['CANCEL', 'CANCELLED'],
      ['FAIL', 'FAILED'],
    ] as const) {
      const flowId = `restart_${behavior.toLowerCase()}`;
      await w?.deploy(flowYaml(flowId, behavior));
      const failed = await create(engine, flowId, true);
      await until(ports, failed.id, (e) => e.state.current === 'FAILED', 'FAILED');
      const holder = await create(engine, flowId, false);
      await until(ports, holder.id, (e) => e.state.current === 'RUNNING', 'RUNNING');

      await engine.executionService.restart('main', failed.id);
      const refused = await until(ports, failed.id, (e) => e.state.histories.some((h) => h.state === 'RESTARTED') && isTerminated(e.state.current), 'refused');
      expect(afterRestart(refused)).toEqual(['RESTARTED', expected]);
      expect(refused.taskRunList.find((r) => r.taskId === 'check')?.state.current).toBe('FAILED');
      expect(refused.taskRunList.find((r) => r.taskId === 'check')?.attempts).toHaveLength(1);
      expect((await ports.executions.get('main', holder.id))?.state.current).toBe('RUNNING');
      await until(ports, holder.id, (e) => e.state.current === 'SUCCESS', 'SUCCESS');
    }
  }, 30_000);

  it('runs the restart at once when the flow has a free slot, and holds the slot while it runs', async () => {
    const { ports, engine } = slotWorld();
    await w?.deploy(flowYaml('restart_free', 'QUEUE', 'PT0.5S'));
    const failed = await create(engine, 'restart_free', true);
    await until(ports, failed.id, (e) => e.state.current === 'FAILED', 'FAILED');
    await engine.executionService.restart('main', failed.id);
    await until(ports, failed.id, (e) => e.state.current === 'RUNNING', 'RUNNING');
    // Holding the slot: a new execution queues behind it.
    const next = await create(engine, 'restart_free', false);
    await until(ports, next.id, (e) => e.state.current === 'QUEUED', 'QUEUED');
    const done = await until(ports, failed.id, (e) => isTerminated(e.state.current) && e.state.histories.some((h) => h.state === 'RESTARTED'), 'terminal');
    expect(afterRestart(done)).toEqual(['RESTARTED', 'RUNNING', 'SUCCESS']);
    expect((await until(ports, next.id, (e) => isTerminated(e.state.current), 'terminal')).state.current).toBe('SUCCESS');
  }, 30_000);
});
