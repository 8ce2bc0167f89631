import type { Execution, Flow, FlowWithSource } from '@windhover/core';
import { FlowTriggerIndex, endNeedsDelivery, evaluateFlowTriggers, invalidatingFlowRepository } from '@windhover/runtime';
import { describe, expect, it } from 'vitest';
import { type TriggerWorld, createTriggerWorld } from './trigger-world';

const upstream: Flow = { id: 'upstream', namespace: 'company.team', tasks: [{ id: 'log', type: 'io.kestra.plugin.core.log.Log', message: 'up' }] };

const listener = (trigger: Record<string, unknown>, id = 'listener', namespace = 'company.other'): Flow => ({
  id,
  namespace,
  tasks: [{ id: 'log', type: 'io.kestra.plugin.core.log.Log', message: 'x' }],
  triggers: [{ id: 'on_end', type: 'io.kestra.plugin.core.trigger.Flow', ...trigger }],
});

async function ended(w: TriggerWorld, state: 'SUCCESS' | 'FAILED' = 'SUCCESS', trigger?: Execution['trigger']): Promise<Execution> {
  const id = `up-${Math.random().toString(36).slice(2)}`;
  await w.deps.executions.create({ id, tenantId: 'main', namespace: 'company.team', flowId: 'upstream', inputs: {}, ...(trigger ? { trigger } : {}) });
  return w.end(id, state);
}

describe('endNeedsDelivery (may the end of this execution be handled without the queue?)', () => {
  it('is false when no Flow trigger exists and the execution was not started by a trigger', async () => {
    const w = createTriggerWorld();
    await w.saveFlow(upstream);
    expect(await endNeedsDelivery(w.deps, await ended(w))).toBe(false);
  });

  it('is true when a Flow trigger without preconditions accepts the execution, false when its conditions exclude it', async () => {
    const w = createTriggerWorld();
    await w.saveFlow(upstream);
    await w.saveFlow(
      listener({ states: ['FAILED'], conditions: [{ type: 'io.kestra.plugin.core.condition.ExecutionFlow', namespace: 'company.team', flowId: 'upstream' }] }),
    );
    expect(await endNeedsDelivery(w.deps, await ended(w, 'FAILED'))).toBe(true);
    expect(await endNeedsDelivery(w.deps, await ended(w, 'SUCCESS'))).toBe(false);
    await w.saveFlow(listener({ conditions: [{ type: 'io.kestra.plugin.core.condition.ExecutionFlow', namespace: 'company.team', flowId: 'another' }] }));
    expect(await endNeedsDelivery(w.deps, await ended(w, 'FAILED'))).toBe(false);
  });

  it('is true when the execution matches a precondition (the window must record it), false when it matches none', async () => {
    const w = createTriggerWorld();
    await w.saveFlow(upstream);
    await w.saveFlow(
      listener({
        preconditions: {
          id: 'both',
          flows: [
            { namespace: 'company.team', flowId: 'upstream', states: ['SUCCESS'] },
            { namespace: 'company.team', flowId: 'second', states: ['SUCCESS'] },
          ],
        },
      }),
    );
    expect(await endNeedsDelivery(w.deps, await ended(w, 'SUCCESS'))).toBe(true);
    expect(await endNeedsDelivery(w.deps, await ended(w, 'FAILED'))).toBe(false);
  });

  it('is true for an execution of a Schedule trigger (its lock must be released) and for a stopAfter state', async () => {
    const w = createTriggerWorld();
    await w.saveFlow({
      ...upstream,
      triggers: [
        { id: 'hourly', type: 'io.kestra.plugin.core.trigger.Schedule', cron: '0 * * * *' },
        { id: 'hook', type: 'io.kestra.plugin.core.trigger.Webhook', key: 'k', stopAfter: ['FAILED'] },
      ],
    });
    expect(await endNeedsDelivery(w.deps, await ended(w, 'SUCCESS', { id: 'hourly', type: 'io.kestra.plugin.core.trigger.Schedule', variables: {} }))).toBe(true);
    const hook = { id: 'hook', type: 'io.kestra.plugin.core.trigger.Webhook', variables: {} };
    expect(await endNeedsDelivery(w.deps, await ended(w, 'FAILED', hook))).toBe(true);
    expect(await endNeedsDelivery(w.deps, await ended(w, 'SUCCESS', hook))).toBe(false);
  });

  it('says true when a Flow trigger cannot be read (in doubt, deliver)', async () => {
    const w = createTriggerWorld();
    await w.saveFlow(upstream);
    await w.saveFlow(listener({ conditions: [{ type: 'io.kestra.plugin.core.condition.NoSuchCondition' }] }));
    expect(await endNeedsDelivery(w.deps, await ended(w))).toBe(true);
  });
});

describe('FlowTriggerIndex', () => {
  const counting = (w: TriggerWorld) => {
    let lists = 0;
    const flows = {
      list: (tenantId: string) => {
        lists += 1;
        return w.flows.list(tenantId);
      },
    };
    return { flows, lists: () => lists };
  };

  it('lists the flows once per TTL instead of once per ended execution, and re-reads after it', async () => {
    const w = createTriggerWorld();
    await w.saveFlow(upstream);
    const c = counting(w);
    const index = new FlowTriggerIndex(c.flows, { now: () => w.now }, 2_000);
    const deps = { ...w.deps, flowTriggers: index };
    await w.saveFlow(listener({}));
    for (let i = 0; i < 5; i++) await evaluateFlowTriggers(deps, await ended(w), w.now);
    expect(c.lists()).toBe(1);
    expect(w.requests.filter((r) => r.flowId === 'listener')).toHaveLength(5);
    w.setNow(new Date(w.now.getTime() + 2_000));
    await evaluateFlowTriggers(deps, await ended(w), w.now);
    expect(c.lists()).toBe(2);
  });

  it('sees a Flow trigger saved through the invalidating repository at once, and one saved elsewhere after the TTL', async () => {
    const w = createTriggerWorld();
    await w.saveFlow(upstream);
    const index = new FlowTriggerIndex(w.flows, { now: () => w.now }, 2_000);
    const repo = invalidatingFlowRepository(w.flows, index);
    expect(await index.entries('main')).toHaveLength(0);
    const flow = listener({});
    const fw: FlowWithSource = { flow: { ...flow, revision: 1 }, source: JSON.stringify(flow), revision: 1, tenantId: 'main', updated: w.now.toISOString() };
    await repo.save(fw, undefined);
    expect((await index.entries('main')).map((e) => e.flow.flow.id)).toEqual(['listener']);
    // Saved behind the index's back (another process): seen once the TTL has passed.
    await w.saveFlow(listener({}, 'second'));
    expect(await index.entries('main')).toHaveLength(1);
    w.setNow(new Date(w.now.getTime() + 2_000));
    expect((await index.entries('main')).map((e) => e.flow.flow.id).sort()).toEqual(['listener', 'second']);
  });

  it('leaves out disabled triggers and disabled or deleted flows', async () => {
    const w = createTriggerWorld();
    await w.saveFlow(listener({ disabled: true }, 'off'));
    await w.saveFlow({ ...listener({}, 'flow_off'), disabled: true });
    await w.saveFlow(listener({}, 'gone'));
    await w.deleteFlow('company.other', 'gone');
    await w.saveFlow(listener({}, 'on'));
    const index = new FlowTriggerIndex(w.flows, { now: () => w.now });
    expect((await index.entries('main')).map((e) => e.flow.flow.id)).toEqual(['on']);
  });
});
