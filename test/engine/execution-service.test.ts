import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Execution } from '@windhover/core';
import { type EngineWorld, startEngineWorld, states } from './engine-world';

let w: EngineWorld;
beforeAll(() => {
  w = startEngineWorld();
});
afterAll(async () => {
  await w.close();
});

const svc = () => w.engine.executionService;
const create = (flowId: string, inputs: Record<string, unknown> = {}) => svc().create({ tenantId: 'main', namespace: 'company.svc', flowId, inputs });

async function until(id: string, predicate: (e: Execution) => boolean, timeoutMs = 10_000): Promise<Execution> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const e = await svc().get('main', id);
    if (predicate(e)) return e;
    if (Date.now() > deadline) throw new Error(`execution ${id} stuck in ${e.state.current}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('ExecutionService on the local adapters', () => {
  it('pauses, refuses a second resume, and resumes with validated onResume inputs', async () => {
    await w.deploy(`
id: approval
namespace: company.svc
tasks:
  - id: wait
    type: io.kestra.plugin.core.flow.Pause
    onResume:
      - id: approved
        type: BOOL
      - id: reason
        type: STRING
        defaults: none given
  - id: after
    type: io.kestra.plugin.core.debug.Return
    format: "{{ outputs.wait.onResume.approved }} / {{ outputs.wait.onResume.reason }}"
`);
    const created = await create('approval');
    await until(created.id, (e) => e.state.current === 'PAUSED');
    await expect(svc().resume('main', created.id, { approved: 'maybe' })).rejects.toMatchObject({ code: 'INVALID' });
    await svc().resume('main', created.id, { approved: 'true' });
    const done = await w.wait(created.id);
    expect(done.state.current).toBe('SUCCESS');
    expect(done.taskRunList[1].outputs).toEqual({ value: 'true / none given' });
    await expect(svc().resume('main', created.id, {})).rejects.toMatchObject({ code: 'ILLEGAL_STATE' });
  });

  it('resumes another paused execution from an execution.Resume task', async () => {
    await w.deploy(`
id: gate
namespace: company.svc
tasks:
  - id: hold
    type: io.kestra.plugin.core.flow.Pause
    onResume:
      - { id: note, type: STRING }
  - { id: after, type: io.kestra.plugin.core.debug.Return, format: "{{ outputs.hold.onResume.note }}" }
`);
    await w.deploy(`
id: opener
namespace: company.svc
inputs:
  - { id: target, type: STRING }
tasks:
  - id: open
    type: io.kestra.plugin.core.execution.Resume
    executionId: "{{ inputs.target }}"
    inputs:
      note: "opened by {{ flow.id }}"
`);
    const gate = await create('gate');
    await until(gate.id, (e) => e.state.current === 'PAUSED');
    const opener = await create('opener', { target: gate.id });
    expect((await w.wait(opener.id)).state.current).toBe('SUCCESS');
    const done = await w.wait(gate.id);
    expect(done.state.current).toBe('SUCCESS');
    expect(done.taskRunList[1].outputs).toEqual({ value: 'opened by opener' });
  });

  it('kills a running execution and its subflow child', async () => {
    await w.deploy(`
id: sleepy_child
namespace: company.svc
tasks:
  - { id: nap, type: io.kestra.plugin.core.flow.Sleep, duration: PT30S }
`);
    await w.deploy(`
id: parent
namespace: company.svc
tasks:
  - { id: call, type: io.kestra.plugin.core.flow.Subflow, namespace: company.svc, flowId: sleepy_child }
`);
    const created = await create('parent');
    const running = await until(created.id, (e) => e.taskRunList.some((r) => r.outputs?.['executionId']));
    const childId = String(running.taskRunList[0].outputs?.['executionId']);
    await until(childId, (e) => e.state.current === 'RUNNING');
    await svc().kill('main', created.id);
    expect((await w.wait(created.id)).state.current).toBe('KILLED');
    expect((await w.wait(childId)).state.current).toBe('KILLED');
    await expect(svc().kill('main', created.id)).rejects.toMatchObject({ code: 'ILLEGAL_STATE' });
  });

  it('restarts a failed execution and replays from a task run into a new execution', async () => {
    await w.deploy(`
id: flaky_input
namespace: company.svc
tasks:
  - { id: first, type: io.kestra.plugin.core.debug.Return, format: "one" }
  - { id: check, type: io.kestra.plugin.core.execution.Fail, condition: "{{ kv('MODE', errorOnMissing=false) != 'ok' }}" }
  - { id: last, type: io.kestra.plugin.core.debug.Return, format: "{{ outputs.first.value }}" }
`);
    const created = await create('flaky_input');
    expect((await w.wait(created.id)).state.current).toBe('FAILED');
    await w.ports.kv.put('main', 'company.svc', { key: 'MODE', type: 'STRING', value: 'ok', creationDate: new Date().toISOString(), updateDate: new Date().toISOString() });
    await svc().restart('main', created.id);
    const restarted = await until(created.id, (e) => e.state.current === 'SUCCESS');
    expect(states(restarted)).toEqual({ first: 'SUCCESS', check: 'SUCCESS', last: 'SUCCESS' });
    expect(restarted.labels).toContainEqual({ key: 'system.restarted', value: 'true' });
    await expect(svc().restart('main', created.id)).rejects.toMatchObject({ code: 'ILLEGAL_STATE' });

    const checkRun = restarted.taskRunList.find((r) => r.taskId === 'check')!;
    const replay = await svc().replay('main', created.id, { taskRunId: checkRun.id });
    expect(replay.id).not.toBe(created.id);
    const replayed = await w.wait(replay.id);
    expect(replayed.state.current).toBe('SUCCESS');
    expect(replayed.originalId).toBe(created.id);
    // `first` was copied, not run again: same task run id and output
    const first = replayed.taskRunList.find((r) => r.taskId === 'first')!;
    expect(first.id).toBe(restarted.taskRunList.find((r) => r.taskId === 'first')!.id);
    expect(replayed.taskRunList.find((r) => r.taskId === 'last')?.outputs).toEqual({ value: 'one' });
  });

  it('queues executions beyond the concurrency limit and starts them in order', async () => {
    await w.deploy(`
id: one_at_a_time
namespace: company.svc
concurrency:
  limit: 1
tasks:
  - { id: nap, type: io.kestra.plugin.core.flow.Sleep, duration: PT0.3S }
`);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await create('one_at_a_time')).id);
    await until(ids[2], (e) => e.state.current === 'QUEUED');
    const done = await Promise.all(ids.map((id) => w.wait(id)));
    expect(done.map((e) => e.state.current)).toEqual(['SUCCESS', 'SUCCESS', 'SUCCESS']);
    const starts = done.map((e) => Date.parse(e.state.histories.find((h) => h.state === 'RUNNING')!.date));
    const ends = done.map((e) => Date.parse(e.state.endDate!));
    expect(starts[1]).toBeGreaterThanOrEqual(ends[0]);
    expect(starts[2]).toBeGreaterThanOrEqual(ends[1]);
  });

  it('cancels or fails executions beyond the limit with CANCEL and FAIL', async () => {
    for (const behavior of ['CANCEL', 'FAIL']) {
      await w.deploy(`
id: limited_${behavior.toLowerCase()}
namespace: company.svc
concurrency: { limit: 1, behavior: ${behavior} }
tasks:
  - { id: nap, type: io.kestra.plugin.core.flow.Sleep, duration: PT0.5S }
`);
      const a = await create(`limited_${behavior.toLowerCase()}`);
      await until(a.id, (e) => e.state.current === 'RUNNING');
      const b = await create(`limited_${behavior.toLowerCase()}`);
      expect((await w.wait(b.id)).state.current).toBe(behavior === 'CANCEL' ? 'CANCELLED' : 'FAILED');
      expect((await w.wait(a.id)).state.current).toBe('SUCCESS');
    }
  });

  it('stores FILE inputs in internal storage under the execution', async () => {
    await w.deploy(`
id: with_file
namespace: company.svc
inputs:
  - { id: doc, type: FILE }
tasks:
  - { id: size, type: io.kestra.plugin.core.storage.Size, uri: "{{ inputs.doc }}" }
`);
    const e = await svc().create({
      tenantId: 'main',
      namespace: 'company.svc',
      flowId: 'with_file',
      inputs: {},
      files: [{ inputId: 'doc', fileName: 'notes.txt', data: new TextEncoder().encode('hello file') }],
    });
    const done = await w.wait(e.id);
    expect(done.inputs?.['doc']).toBe(`kestra:///company/svc/with_file/executions/${e.id}/inputs/doc/notes.txt`);
    expect(done.taskRunList[0].outputs).toEqual({ size: 10 });
  });
});
