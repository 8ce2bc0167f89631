import { describe, expect, it } from 'vitest';
import { decide } from './decide';
import { Harness } from './testing/harness';

const LOG = 'io.kestra.plugin.core.log.Log';
const RET = 'io.kestra.plugin.core.debug.Return';

const seq = (n: number) => `
id: seq
namespace: company.team
tasks:
${Array.from({ length: n }, (_, i) => `  - id: t${i}\n    type: ${LOG}\n    message: hello ${i}`).join('\n')}
`;

describe('decide: sequential flows', () => {
  it('runs the tasks of a flow one after the other and ends SUCCESS', async () => {
    const h = new Harness();
    const id = h.create(seq(3));
    await h.run();
    const e = h.get(id);
    expect(e.state.current).toBe('SUCCESS');
    expect(h.dispatched).toEqual(['t0#1', 't1#1', 't2#1']);
    expect(e.state.histories.map((x) => x.state)).toEqual(['CREATED', 'RUNNING', 'SUCCESS']);
    expect(e.taskRunList.map((r) => r.state.histories.map((x) => x.state))).toEqual([
      ['CREATED', 'RUNNING', 'SUCCESS'],
      ['CREATED', 'RUNNING', 'SUCCESS'],
      ['CREATED', 'RUNNING', 'SUCCESS'],
    ]);
  });

  it('dispatches only the first task when the execution starts', async () => {
    const h = new Harness();
    const id = h.create(seq(2));
    const flow = h.flowOf(h.get(id));
    const d = await decide(flow, h.get(id), { type: 'created', id: `${id}:created`, tenantId: 'main', executionId: id }, h.ctx(h.get(id)));
    expect(d.effects.map((e) => e.kind)).toEqual(['dispatch-task']);
    expect(d.execution.state.current).toBe('RUNNING');
    expect(d.execution.taskRunList).toHaveLength(1);
  });

  it('skips an event it has already applied and returns the same outbox', async () => {
    const h = new Harness();
    const id = h.create(seq(2));
    const ev = { type: 'created' as const, id: `${id}:created`, tenantId: 'main', executionId: id };
    const first = await decide(h.flowOf(h.get(id)), h.get(id), ev, h.ctx(h.get(id)));
    const again = await decide(h.flowOf(h.get(id)), first.execution, ev, h.ctx(first.execution));
    expect(again.duplicate).toBe(true);
    expect(again.execution).toBe(first.execution);
    expect(again.effects).toEqual(first.effects);
  });

  it('derives the same task run ids when a step is replayed', async () => {
    const h1 = new Harness();
    const h2 = new Harness();
    const a = h1.create(seq(2));
    const b = h2.create(seq(2));
    await h1.run();
    await h2.run();
    expect(h1.get(a).taskRunList.map((r) => r.id)).toEqual(h2.get(b).taskRunList.map((r) => r.id));
    expect(h1.get(a).taskRunList[0].id).toMatch(/^[0-9A-Za-z]{22}$/);
  });

  it('ignores a late result for an attempt that is already settled', async () => {
    const h = new Harness();
    const id = h.create(seq(1));
    await h.run();
    const run = h.get(id).taskRunList[0];
    const d = await decide(h.flowOf(h.get(id)), h.get(id), { type: 'task-result', id: 'other', tenantId: 'main', executionId: id, taskRunId: run.id, attempt: 1, state: 'FAILED' }, h.ctx(h.get(id)));
    expect(d.execution.taskRunList[0].state.current).toBe('SUCCESS');
    expect(d.effects).toEqual([]);
  });

  it('passes outputs of earlier tasks to later ones', async () => {
    const h = new Harness();
    const id = h.create(`
id: outs
namespace: company.team
tasks:
  - id: first
    type: ${RET}
    format: "{{ flow.id }}-{{ execution.id }}"
  - id: second
    type: ${RET}
    format: "got {{ outputs.first.value }}"
`);
    await h.run();
    expect(h.get(id).taskRunList[1].outputs).toEqual({ value: `got outs-${id}` });
  });

  it('fails the execution when a task fails and does not run the next one', async () => {
    const h = new Harness({ worker: (taskId) => (taskId === 't0' ? { state: 'FAILED', errorMessage: 'boom' } : { state: 'SUCCESS' }) });
    const id = h.create(seq(2));
    await h.run();
    expect(h.get(id).state.current).toBe('FAILED');
    expect(h.states(id)).toEqual({ t0: 'FAILED' });
  });
});
