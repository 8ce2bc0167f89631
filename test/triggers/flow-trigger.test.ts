import type { Flow } from '@windhover/core';
import { handleExecutionEnded } from '@windhover/runtime';
import { describe, expect, it } from 'vitest';
import { createTriggerWorld, type TriggerWorld } from './trigger-world';

const upstream = (id: string, namespace = 'company.team'): Flow => ({
  id,
  namespace,
  tasks: [{ id: 'log', type: 'io.kestra.plugin.core.log.Log', message: id }],
});

const downstream = (trigger: Record<string, unknown>, id = 'downstream'): Flow => ({
  id,
  namespace: 'company.team',
  inputs: [{ id: 'value_from_a', type: 'STRING', required: false }],
  tasks: [{ id: 'log', type: 'io.kestra.plugin.core.log.Log', message: 'x' }],
  triggers: [{ id: 'upstream_dep', type: 'io.kestra.plugin.core.trigger.Flow', ...trigger }],
});

/** Runs one upstream execution to `state` at `at` and hands its end to the trigger side. */
async function run(w: TriggerWorld, flowId: string, state: 'SUCCESS' | 'FAILED' | 'WARNING', at: string, namespace = 'company.team', outputs?: Record<string, string>) {
  w.setNow(at);
  const id = `${flowId}-${at}`;
  await w.deps.executions.create({ id, tenantId: 'main', namespace, flowId, inputs: {} });
  const ended = await w.end(id, state, outputs);
  const result = await handleExecutionEnded(w.deps, ended, w.now);
  return { ended, result };
}

const started = (w: TriggerWorld) => w.requests.filter((r) => r.flowId === 'downstream' || r.flowId === 'alert');

describe('Flow trigger', () => {
  it('starts the downstream flow when the upstream succeeds, with trigger.* and inputs from its outputs', async () => {
    const w = createTriggerWorld();
    await w.saveFlow(upstream('flow_a'));
    await w.saveFlow(
      downstream({
        inputs: { value_from_a: '{{ trigger.outputs.return_value }}' },
        preconditions: { id: 'test', flows: [{ namespace: 'company.team', flowId: 'flow_a', states: ['SUCCESS'] }] },
      }),
    );
    await run(w, 'flow_a', 'FAILED', '2026-01-01T10:00:00Z');
    expect(started(w)).toHaveLength(0);
    const { ended } = await run(w, 'flow_a', 'SUCCESS', '2026-01-01T10:05:00Z', 'company.team', { return_value: 'Flow A ran' });
    expect(started(w)).toHaveLength(1);
    expect(started(w)[0]?.inputs).toEqual({ value_from_a: 'Flow A ran' });
    expect(started(w)[0]?.trigger?.variables).toMatchObject({
      executionId: ended.id,
      namespace: 'company.team',
      flowId: 'flow_a',
      state: 'SUCCESS',
      outputs: { return_value: 'Flow A ran' },
    });
    // The same end event delivered twice starts nothing more.
    await handleExecutionEnded(w.deps, ended, w.now);
    expect(started(w)).toHaveLength(1);
  });

  it('waits for every upstream flow within the duration window, fires once, then needs a full new set', async () => {
    const w = createTriggerWorld();
    await w.saveFlow(upstream('flow_a'));
    await w.saveFlow(upstream('flow_b'));
    await w.saveFlow(
      downstream({
        preconditions: {
          id: 'both',
          flows: [
            { namespace: 'company.team', flowId: 'flow_a', states: ['SUCCESS'] },
            { namespace: 'company.team', flowId: 'flow_b', states: ['SUCCESS'] },
          ],
        },
      }),
    );
    await run(w, 'flow_a', 'SUCCESS', '2026-01-01T01:00:00Z');
    expect(started(w)).toHaveLength(0);
    await run(w, 'flow_b', 'SUCCESS', '2026-01-01T05:00:00Z');
    expect(started(w)).toHaveLength(1);
    await run(w, 'flow_a', 'SUCCESS', '2026-01-01T06:00:00Z');
    expect(started(w)).toHaveLength(1);
    // A new day is a new window: flow_a from yesterday no longer counts.
    await run(w, 'flow_b', 'SUCCESS', '2026-01-02T01:00:00Z');
    expect(started(w)).toHaveLength(1);
    await run(w, 'flow_a', 'SUCCESS', '2026-01-02T02:00:00Z');
    expect(started(w)).toHaveLength(2);
  });

  it('forgets executions older than a sliding window', async () => {
    const w = createTriggerWorld();
    await w.saveFlow(upstream('flow_a'));
    await w.saveFlow(upstream('flow_b'));
    await w.saveFlow(
      downstream({
        preconditions: {
          id: 'sliding',
          flows: [
            { namespace: 'company.team', flowId: 'flow_a' },
            { namespace: 'company.team', flowId: 'flow_b' },
          ],
          timeWindow: { type: 'SLIDING_WINDOW', window: 'PT1H' },
        },
      }),
    );
    await run(w, 'flow_a', 'SUCCESS', '2026-01-01T10:00:00Z');
    await run(w, 'flow_b', 'SUCCESS', '2026-01-01T11:30:00Z');
    expect(started(w)).toHaveLength(0);
    await run(w, 'flow_a', 'SUCCESS', '2026-01-01T11:45:00Z');
    expect(started(w)).toHaveLength(1);
  });

  it('ignores upstream executions after a daily deadline and outside a daily time window', async () => {
    const w = createTriggerWorld();
    await w.saveFlow(upstream('bronze'));
    await w.saveFlow(
      downstream({
        preconditions: {
          id: 'by_nine',
          flows: [{ namespace: 'company.team', flowId: 'bronze', states: ['SUCCESS'] }],
          timeWindow: { type: 'DAILY_TIME_DEADLINE', deadline: '09:00:00+01:00' },
        },
      }),
    );
    await run(w, 'bronze', 'SUCCESS', '2026-01-01T08:30:00Z');
    expect(started(w)).toHaveLength(0);
    await run(w, 'bronze', 'SUCCESS', '2026-01-02T07:30:00Z');
    expect(started(w)).toHaveLength(1);

    const w2 = createTriggerWorld();
    await w2.saveFlow(upstream('bronze'));
    await w2.saveFlow(
      downstream({
        preconditions: {
          id: 'morning',
          flows: [{ namespace: 'company.team', flowId: 'bronze' }],
          timeWindow: { type: 'DAILY_TIME_WINDOW', startTime: '06:00:00', endTime: '12:00:00' },
        },
      }),
    );
    await run(w2, 'bronze', 'SUCCESS', '2026-01-01T05:59:00Z');
    await run(w2, 'bronze', 'SUCCESS', '2026-01-01T12:01:00Z');
    expect(started(w2)).toHaveLength(0);
    await run(w2, 'bronze', 'SUCCESS', '2026-01-01T06:30:00Z');
    expect(started(w2)).toHaveLength(1);
  });

  it('alerts on every failure of a namespace prefix through where filters and states', async () => {
    const w = createTriggerWorld();
    await w.saveFlow(upstream('etl', 'company.data'));
    await w.saveFlow(upstream('other', 'acme'));
    await w.saveFlow({
      ...downstream({
        states: ['FAILED', 'WARNING'],
        preconditions: { id: 'company_namespace', where: [{ id: 'company', filters: [{ field: 'NAMESPACE', type: 'STARTS_WITH', value: 'company' }] }] },
      }),
      id: 'alert',
    });
    await run(w, 'etl', 'FAILED', '2026-01-01T10:00:00Z', 'company.data');
    await run(w, 'etl', 'SUCCESS', '2026-01-01T10:05:00Z', 'company.data');
    await run(w, 'other', 'FAILED', '2026-01-01T10:10:00Z', 'acme');
    await run(w, 'etl', 'WARNING', '2026-01-01T10:15:00Z', 'company.data');
    expect(started(w).map((r) => r.trigger?.variables?.state)).toEqual(['FAILED', 'WARNING']);
  });

  it('understands legacy conditions: ExecutionStatus, ExecutionNamespace and MultipleCondition', async () => {
    const w = createTriggerWorld();
    await w.saveFlow(upstream('multiplecondition_flow_a'));
    await w.saveFlow(upstream('multiplecondition_flow_b'));
    await w.saveFlow(
      downstream({
        conditions: [
          { type: 'io.kestra.plugin.core.condition.ExecutionStatus', in: ['SUCCESS'] },
          { type: 'io.kestra.core.models.conditions.types.ExecutionNamespaceCondition', namespace: 'company', prefix: true },
          {
            id: 'multiple',
            type: 'io.kestra.plugin.core.condition.MultipleCondition',
            window: 'P1D',
            windowAdvance: 'P0D',
            conditions: {
              flow_a: { type: 'io.kestra.plugin.core.condition.ExecutionFlow', namespace: 'company.team', flowId: 'multiplecondition_flow_a' },
              flow_b: { type: 'io.kestra.plugin.core.condition.ExecutionFlow', namespace: 'company.team', flowId: 'multiplecondition_flow_b' },
            },
          },
        ],
      }),
    );
    await run(w, 'multiplecondition_flow_a', 'SUCCESS', '2026-01-01T10:00:00Z');
    await run(w, 'multiplecondition_flow_b', 'FAILED', '2026-01-01T10:01:00Z');
    expect(started(w)).toHaveLength(0);
    await run(w, 'multiplecondition_flow_b', 'SUCCESS', '2026-01-01T10:02:00Z');
    expect(started(w)).toHaveLength(1);
  });

  it('disables itself through stopAfter when an execution it started ends in a listed state', async () => {
    const w = createTriggerWorld();
    await w.saveFlow(upstream('flow_a'));
    await w.saveFlow(downstream({ stopAfter: ['FAILED'], preconditions: { id: 'p', flows: [{ namespace: 'company.team', flowId: 'flow_a' }] } }));
    await run(w, 'flow_a', 'SUCCESS', '2026-01-01T10:00:00Z');
    expect(started(w)).toHaveLength(1);
    await handleExecutionEnded(w.deps, await w.end(started(w)[0]?.id as string, 'FAILED'), w.now);
    expect((await w.state('downstream', 'upstream_dep'))?.disabled).toBe(true);
    await run(w, 'flow_a', 'SUCCESS', '2026-01-01T10:05:00Z');
    expect(started(w)).toHaveLength(1);
  });

  it('does not fire for a disabled trigger or flow', async () => {
    const w = createTriggerWorld();
    await w.saveFlow(upstream('flow_a'));
    await w.saveFlow({ ...downstream({ preconditions: { id: 'p', flows: [{ namespace: 'company.team', flowId: 'flow_a' }] } }), disabled: true });
    await run(w, 'flow_a', 'SUCCESS', '2026-01-01T10:00:00Z');
    await w.saveFlow(downstream({ disabled: true, preconditions: { id: 'p', flows: [{ namespace: 'company.team', flowId: 'flow_a' }] } }));
    await run(w, 'flow_a', 'SUCCESS', '2026-01-01T10:01:00Z');
    expect(started(w)).toHaveLength(0);
  });
});
