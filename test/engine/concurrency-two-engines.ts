import type { Execution } from '@windhover/core';
import { isTerminated } from '@windhover/core';
import type { RuntimePorts } from '@windhover/runtime';
import { createEngine, parseExecutorMessage } from '@windhover/runtime';
import { createTaskRegistry } from '@windhover/tasks';
import { expect } from 'vitest';
import type { EngineWorld } from './engine-world';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * slot-freed events that the sweep did not send: dropping them plays a lost
 * message, or a QUEUED execution the lagging listing of DynamoDB missed.
 */
export const isLostNotification = (body: string): boolean => {
  const m = parseExecutorMessage(body);
  return m.type === 'slot-freed' && !m.id.includes(':slot:sweep:');
};

/**
 * Two engines (as two executor Lambdas and two scheduler ticks) over one
 * store (`ports`, whose `slots` they share) consume the world's queue in
 * turn. Every slot-freed of a release is lost, so only the sweeps of both
 * engines, running in parallel, hand the slot on. Two FAILED executions are
 * restarted while six new ones start: all of them run one at a time and
 * end SUCCESS (a restart gets past the Fail task of its first attempt).
 */
export async function expectTwoEnginesKeepTheLimit(
  world: EngineWorld,
  ports: RuntimePorts,
  namespace: string,
  options: { timeoutMs?: number; sweepEveryMs?: number } = {},
): Promise<void> {
  const { timeoutMs = 30_000, sweepEveryMs = 5 } = options;
  const engines = [createEngine(ports, { registry: createTaskRegistry() }), createEngine(ports, { registry: createTaskRegistry() })];
  let turn = 0;
  const handled = [0, 0];
  world.queue.consume(
    'executor',
    async (body) => {
      if (isLostNotification(body)) return;
      const i = turn++ % 2;
      handled[i]++;
      await engines[i].handleExecutorMessage(body);
    },
    { concurrency: 16 },
  );
  world.queue.consume('worker', (body) => engines[turn % 2].handleWorkerMessage(body), { concurrency: 16 });
  const yaml = `
id: shared
namespace: ${namespace}
concurrency: { limit: 1 }
inputs:
  - { id: fail, type: BOOLEAN, defaults: false }
tasks:
  - { id: check, type: io.kestra.plugin.core.execution.Fail, condition: "{{ inputs.fail and taskrun.attemptsCount == 0 }}" }
  - { id: nap, type: io.kestra.plugin.core.flow.Sleep, duration: PT0.1S }
`;
  await world.deploy(yaml);
  const get = (id: string) => ports.executions.get('main', id);
  const make = (i: number, fail: boolean) => engines[i % 2].executionService.create({ tenantId: 'main', namespace, flowId: 'shared', inputs: { fail } });
  let sweeping = true;
  const sweeps = engines.map(async (engine) => {
    while (sweeping) {
      await engine.sweepQueued();
      await sleep(sweepEveryMs);
    }
  });
  try {
    const failed: string[] = [];
    for (let i = 0; i < 2; i++) {
      const f = await make(i, true);
      for (const deadline = Date.now() + timeoutMs; Date.now() < deadline && (await get(f.id))?.state.current !== 'FAILED'; await sleep(10));
      failed.push(f.id);
    }
    const created = await Promise.all(Array.from({ length: 6 }, (_, i) => make(i, false)));
    await Promise.all(failed.map((id, i) => engines[i].executionService.restart('main', id)));
    const ids = [...failed, ...created.map((e) => e.id)];
    let maxRunning = 0;
    let done: Execution[] = [];
    for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await sleep(5)) {
      const all = await Promise.all(ids.map(get));
      maxRunning = Math.max(maxRunning, all.filter((e) => e?.state.current === 'RUNNING').length);
      // A failed one is done once its restart ended.
      done = all.filter(
        (e): e is Execution => !!e && isTerminated(e.state.current) && (!failed.includes(e.id) || e.state.histories.some((h) => h.state === 'RESTARTED')),
      );
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
    // The last holder releases its slot just after its terminal state is saved.
    let snapshot = await ports.slots?.snapshot('main', namespace, 'shared');
    for (const deadline = Date.now() + 5_000; Date.now() < deadline && snapshot?.active.length; await sleep(20)) snapshot = await ports.slots?.snapshot('main', namespace, 'shared');
    expect(snapshot).toEqual({ active: [], waiting: [] });
  } finally {
    sweeping = false;
    await Promise.all(sweeps);
  }
}
