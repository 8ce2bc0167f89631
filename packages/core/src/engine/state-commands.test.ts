import { describe, expect, it } from 'vitest';
import type { Execution } from '../model/execution';
import { decide } from './decide';
import type { ExecutorEvent } from './engine-types';
import { Harness } from './testing/harness';

const LOG = 'io.kestra.plugin.core.log.Log';
const FLOW = `id: limited
namespace: company.team
concurrency:
  limit: 1
retry:
  type: constant
  interval: PT1S
  maxAttempts: 3
tasks:
  - id: a
    type: ${LOG}
    message: hello
`;

const command = (e: Execution, ev: Record<string, unknown>): ExecutorEvent => ({ tenantId: 'main', executionId: e.id, ...ev }) as unknown as ExecutorEvent;

/** An execution of FLOW left QUEUED by the concurrency limit (another execution holds the slot). */
async function queued(): Promise<{ h: Harness; e: Execution }> {
  const h = new Harness({ running: 1 });
  const id = h.create(FLOW);
  const e = h.get(id);
  const d = await decide(h.flowOf(e), e, command(e, { type: 'created', id: `${id}:created` }), h.ctx(e));
  expect(d.execution.state.current).toBe('QUEUED');
  return { h, e: d.execution };
}

describe('decide: state commands', () => {
  it('unqueue as RUNNING starts a QUEUED execution although the limit is reached', async () => {
    const { h, e } = await queued();
    const d = await decide(h.flowOf(e), e, command(e, { type: 'unqueue', id: 'u1', state: 'RUNNING' }), h.ctx(e));
    expect(d.execution.state.histories.map((s) => s.state)).toEqual(['CREATED', 'QUEUED', 'RUNNING']);
    expect(d.effects.map((x) => x.kind)).toEqual(['dispatch-task']);
  });

  it('unqueue as FAILED ends the execution without running anything and without the flow retry', async () => {
    const { h, e } = await queued();
    const d = await decide(h.flowOf(e), e, command(e, { type: 'unqueue', id: 'u1', state: 'FAILED' }), h.ctx(e));
    expect(d.execution.state.current).toBe('FAILED');
    expect(d.execution.taskRunList).toEqual([]);
    expect(d.effects.map((x) => x.kind)).toEqual(['execution-terminated']);
    expect(d.logs.map((l) => l.message)).toContain('Execution unqueued as FAILED');
  });

  it('unqueue ignores an execution that is no longer QUEUED and a target it does not accept', async () => {
    const { h, e } = await queued();
    const bad = await decide(h.flowOf(e), e, command(e, { type: 'unqueue', id: 'u1', state: 'SUCCESS' }), h.ctx(e));
    expect(bad.execution.state.current).toBe('QUEUED');
    const started = await decide(h.flowOf(e), e, command(e, { type: 'force-run', id: 'f1' }), h.ctx(e));
    const late = await decide(h.flowOf(e), started.execution, command(e, { type: 'unqueue', id: 'u2', state: 'CANCELLED' }), h.ctx(started.execution));
    expect(late.execution.state.current).toBe('RUNNING');
  });

  it('force-run starts a CREATED execution scheduled for later at once', async () => {
    const h = new Harness();
    const id = h.create(FLOW, {}, { scheduleDate: new Date(h.now.getTime() + 3_600_000).toISOString() });
    const e = h.get(id);
    const waiting = await decide(h.flowOf(e), e, command(e, { type: 'created', id: `${id}:created` }), h.ctx(e));
    expect(waiting.execution.state.current).toBe('CREATED');
    const d = await decide(h.flowOf(e), waiting.execution, command(e, { type: 'force-run', id: 'f1' }), h.ctx(waiting.execution));
    expect(d.execution.state.current).toBe('RUNNING');
    expect(d.effects.map((x) => x.kind)).toEqual(['dispatch-task']);
  });

  it('change-status moves a terminated execution to another terminal state and leaves its task runs alone', async () => {
    const h = new Harness();
    const id = h.create(FLOW.replace('concurrency:\n  limit: 1\n', ''));
    await h.run();
    const e = h.get(id);
    expect(e.state.current).toBe('SUCCESS');
    const d = await decide(h.flowOf(e), e, command(e, { type: 'change-status', id: 'c1', state: 'FAILED' }), h.ctx(e));
    expect(d.execution.state.current).toBe('FAILED');
    expect(d.execution.state.histories.slice(-2).map((s) => s.state)).toEqual(['SUCCESS', 'FAILED']);
    expect(d.execution.taskRunList).toEqual(e.taskRunList);
    expect(d.effects).toEqual([]);
    // A non-terminal target, or a running execution, changes nothing.
    const running = await decide(h.flowOf(e), d.execution, command(e, { type: 'change-status', id: 'c2', state: 'RUNNING' }), h.ctx(d.execution));
    expect(running.execution.state.current).toBe('FAILED');
  });

  it('marking a failed task run SUCCESS in a FAILED execution lets the flow continue after it', async () => {
    const flowSource = `id: marked\nnamespace: company.team\ntasks:\n  - id: seq\n    type: io.kestra.plugin.core.flow.Sequential\n    tasks:\n      - {id: a, type: ${LOG}, message: a}\n      - {id: b, type: ${LOG}, message: b}\n  - {id: c, type: ${LOG}, message: c}\n`;
    let aRuns = 0;
    const h = new Harness({ worker: (taskId) => (taskId === 'a' && ++aRuns === 1 ? { state: 'FAILED' } : { state: 'SUCCESS' }) });
    const id = h.create(flowSource);
    await h.run();
    expect(h.get(id).state.current).toBe('FAILED');
    const a = h.get(id).taskRunList.find((r) => r.taskId === 'a')!;
    h.send(command(h.get(id), { type: 'change-task-run-state', id: 'mark-a', taskRunId: a.id, state: 'SUCCESS' }));
    await h.run();
    const e = h.get(id);
    expect(e.state.histories.map((s) => s.state)).toEqual(['CREATED', 'RUNNING', 'FAILED', 'RESTARTED', 'RUNNING', 'SUCCESS']);
    expect(h.states(id)).toMatchObject({ a: 'SUCCESS', b: 'SUCCESS', c: 'SUCCESS', seq: 'SUCCESS' });
    expect(e.taskRunList.find((r) => r.taskId === 'a')?.attempts?.at(-1)?.state.current).toBe('SUCCESS');
    // a ran once: it was marked, not run again.
    expect(aRuns).toBe(1);
    expect(h.dispatched.filter((x) => x.startsWith('a#'))).toHaveLength(1);
  });

  it('does not mark a finished task run while its execution is still running', async () => {
    const h = new Harness();
    const id = h.create(FLOW.replace('concurrency:\n  limit: 1\n', ''));
    await h.run();
    const e = h.get(id);
    const restarted = { ...e, state: { ...e.state, current: 'RUNNING' as const } };
    const a = e.taskRunList[0];
    const d = await decide(h.flowOf(e), restarted, command(e, { type: 'change-task-run-state', id: 'm1', taskRunId: a.id, state: 'FAILED' }), h.ctx(restarted));
    expect(d.execution.taskRunList[0].state.current).toBe('SUCCESS');
  });

  it('pause holds a RUNNING execution: the running task finishes, nothing new starts until resume', async () => {
    const h = new Harness();
    const id = h.create(`id: p\nnamespace: company.team\ntasks:\n  - {id: a, type: ${LOG}, message: a}\n  - {id: b, type: ${LOG}, message: b}\n`);
    const flow = h.flowOf(h.get(id));
    const step = async (e: Execution, ev: Record<string, unknown>) => decide(flow, e, command(e, ev), h.ctx(e));
    const started = await step(h.get(id), { type: 'created', id: `${id}:created` });
    const a = started.execution.taskRunList[0];
    const paused = await step(started.execution, { type: 'pause', id: 'p1' });
    expect(paused.execution.state.current).toBe('PAUSED');
    const finished = await step(paused.execution, { type: 'task-result', id: 'r1', taskRunId: a.id, attempt: 1, state: 'SUCCESS' });
    expect(finished.execution.taskRunList.map((r) => [r.taskId, r.state.current])).toEqual([['a', 'SUCCESS']]);
    expect(finished.execution.state.current).toBe('PAUSED');
    expect(finished.effects).toEqual([]);
    const resumed = await step(finished.execution, { type: 'resume', id: 'res1' });
    expect(resumed.execution.state.current).toBe('RUNNING');
    expect(resumed.effects.map((x) => (x.kind === 'dispatch-task' ? x.taskId : x.kind))).toEqual(['b']);
    // Pausing again and killing ends it.
    const again = await step(resumed.execution, { type: 'pause', id: 'p2' });
    const killed = await step(again.execution, { type: 'kill', id: 'k1' });
    const b = killed.execution.taskRunList[1];
    const end = await step(killed.execution, { type: 'task-result', id: 'r2', taskRunId: b.id, attempt: 1, state: 'KILLED' });
    expect(end.execution.state.current).toBe('KILLED');
  });
});
