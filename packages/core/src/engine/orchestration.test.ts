import { describe, expect, it } from 'vitest';
import { Harness } from './testing/harness';

const F = 'io.kestra.plugin.core.flow';
const E = 'io.kestra.plugin.core.execution';
const LOG = 'io.kestra.plugin.core.log.Log';
const RET = 'io.kestra.plugin.core.debug.Return';

const flow = (tasks: string, extra = '', id = 'f') => `
id: ${id}
namespace: company.team
${extra}
tasks:
${tasks}`;

async function run(yaml: string, opts: ConstructorParameters<typeof Harness>[0] = {}) {
  const h = new Harness(opts);
  const id = h.create(yaml);
  await h.run();
  return { h, id, e: h.get(id), s: h.states(id) };
}

describe('decide: errors, finally, afterExecution', () => {
  it('runs errors then finally after a failure and stays FAILED', async () => {
    const { s, e } = await run(
      flow(
        `  - { id: boom, type: ${E}.Fail, errorMessage: "bad {{ flow.id }}" }
  - { id: never, type: ${LOG}, message: x }`,
        `errors:
  - { id: alert, type: ${LOG}, message: alert }
finally:
  - { id: cleanup, type: ${RET}, format: "{{ execution.state }}" }
afterExecution:
  - { id: after, type: ${RET}, format: "{{ execution.state }}" }`,
      ),
    );
    expect(s).toEqual({ boom: 'FAILED', alert: 'SUCCESS', cleanup: 'SUCCESS', after: 'SUCCESS' });
    expect(e.state.current).toBe('FAILED');
    const out = Object.fromEntries(e.taskRunList.map((r) => [r.taskId, r.outputs?.['value']]));
    expect(out['cleanup']).toBe('RUNNING');
    expect(out['after']).toBe('FAILED');
  });

  it('logs the Fail task message', async () => {
    const { h } = await run(flow(`  - { id: boom, type: ${E}.Fail, errorMessage: "bad {{ flow.id }}" }`));
    expect(h.logs).toContain('ERROR boom bad f');
  });

  it('runs finally after success without errors', async () => {
    const { s, e } = await run(flow(`  - { id: ok, type: ${LOG}, message: x }`, `errors:\n  - { id: alert, type: ${LOG}, message: a }\nfinally:\n  - { id: fin, type: ${LOG}, message: f }`));
    expect(s).toEqual({ ok: 'SUCCESS', fin: 'SUCCESS' });
    expect(e.state.current).toBe('SUCCESS');
  });

  it('runs a flowable local errors branch and fails the flowable', async () => {
    const { s } = await run(flow(`  - id: seq
    type: ${F}.Sequential
    tasks:
      - { id: ko, type: ${E}.Fail }
    errors:
      - { id: local, type: ${LOG}, message: local }`));
    expect(s).toEqual({ seq: 'FAILED', ko: 'FAILED', local: 'SUCCESS' });
  });
});

describe('decide: task options', () => {
  it('skips a task whose runIf is falsy and a disabled task', async () => {
    const { s, e, h } = await run(flow(`  - { id: a, type: ${LOG}, message: a, runIf: "{{ 1 == 2 }}" }
  - { id: b, type: ${LOG}, message: b, disabled: true }
  - { id: c, type: ${LOG}, message: c }`));
    expect(s).toEqual({ a: 'SKIPPED', c: 'SUCCESS' });
    expect(h.dispatched).toEqual(['c#1']);
    expect(e.state.current).toBe('SUCCESS');
  });

  it('turns a failure into WARNING with allowFailure and into SUCCESS with allowWarning too', async () => {
    const a = await run(flow(`  - { id: ko, type: ${E}.Fail, allowFailure: true }\n  - { id: next, type: ${LOG}, message: x }`));
    expect(a.s).toEqual({ ko: 'WARNING', next: 'SUCCESS' });
    expect(a.e.state.current).toBe('WARNING');
    const b = await run(flow(`  - { id: ko, type: ${E}.Fail, allowFailure: true, allowWarning: true }`));
    expect(b.s).toEqual({ ko: 'SUCCESS' });
    expect(b.e.state.current).toBe('SUCCESS');
  });

  it('retries with a constant interval up to maxAttempts total attempts', async () => {
    const { e, h } = await run(flow(`  - id: flaky\n    type: ${LOG}\n    message: x\n    retry: { type: constant, interval: PT5S, maxAttempts: 3 }`), {
      worker: () => ({ state: 'FAILED', errorMessage: 'nope' }),
    });
    expect(h.dispatched).toEqual(['flaky#1', 'flaky#2', 'flaky#3']);
    expect(e.state.current).toBe('FAILED');
    expect(e.taskRunList[0].attempts?.map((a) => a.state.current)).toEqual(['FAILED', 'FAILED', 'FAILED']);
    expect(e.taskRunList[0].state.histories.map((x) => x.state)).toEqual(['CREATED', 'RUNNING', 'RETRYING', 'RUNNING', 'RETRYING', 'RUNNING', 'FAILED']);
    expect(h.now.getTime() - Date.parse(e.state.startDate)).toBe(10_000);
  });

  it('succeeds on a later attempt, with WARNING when warningOnRetry', async () => {
    const worker = (_t: string, attempt: number) => (attempt < 2 ? { state: 'FAILED' as const } : { state: 'SUCCESS' as const });
    const ok = await run(flow(`  - id: flaky\n    type: ${LOG}\n    message: x\n    retry: { type: constant, interval: PT1S, maxAttempts: 5 }`), { worker });
    expect(ok.e.state.current).toBe('SUCCESS');
    const warn = await run(flow(`  - id: flaky\n    type: ${LOG}\n    message: x\n    retry: { type: constant, interval: PT1S, maxAttempts: 5, warningOnRetry: true }`), { worker });
    expect(warn.s).toEqual({ flaky: 'WARNING' });
  });

  it('spaces exponential retries geometrically, capped by maxInterval', async () => {
    const fireTimes: number[] = [];
    const h = new Harness({
      worker: () => {
        fireTimes.push(h.now.getTime());
        return { state: 'FAILED' };
      },
    });
    h.create(flow(`  - id: flaky\n    type: ${LOG}\n    message: x\n    retry: { type: exponential, interval: PT10S, maxInterval: PT30S, maxAttempts: 5 }`));
    await h.run();
    const gaps = fireTimes.slice(1).map((t, i) => (t - fireTimes[i]) / 1000);
    expect(gaps).toEqual([10, 20, 30, 30]);
  });

  it('stops retrying when maxDuration would be exceeded', async () => {
    const { h } = await run(flow(`  - id: flaky\n    type: ${LOG}\n    message: x\n    retry: { type: constant, interval: PT10S, maxDuration: PT25S }`), {
      worker: () => ({ state: 'FAILED' }),
    });
    expect(h.dispatched).toEqual(['flaky#1', 'flaky#2', 'flaky#3']);
  });

  it('does not retry a non-retryable failure', async () => {
    const { h } = await run(flow(`  - id: flaky\n    type: ${LOG}\n    message: x\n    retry: { type: constant, interval: PT1S, maxAttempts: 3 }`), {
      worker: () => ({ state: 'FAILED', retryable: false }),
    });
    expect(h.dispatched).toEqual(['flaky#1']);
  });
});

describe('decide: Pause, Sleep, timers', () => {
  it('pauses without a duration until resumed, with onResume inputs as outputs', async () => {
    const h = new Harness();
    const id = h.create(flow(`  - id: approve\n    type: ${F}.Pause\n  - { id: after, type: ${RET}, format: "{{ outputs.approve.onResume.reason }}" }`));
    await h.run();
    expect(h.get(id).state.current).toBe('PAUSED');
    expect(h.states(id)).toEqual({ approve: 'PAUSED' });
    h.send({ type: 'resume', id: 'r1', tenantId: 'main', executionId: id, inputs: { reason: 'ok by me' } });
    await h.run();
    expect(h.get(id).state.current).toBe('SUCCESS');
    expect(h.get(id).state.histories.map((x) => x.state)).toEqual(['CREATED', 'RUNNING', 'PAUSED', 'RUNNING', 'SUCCESS']);
    expect(h.get(id).taskRunList[1].outputs).toEqual({ value: 'ok by me' });
  });

  it('ends a timed Pause with its behavior when the duration elapses', async () => {
    const resume = await run(flow(`  - { id: wait, type: ${F}.Pause, pauseDuration: PT5M }`));
    expect(resume.s).toEqual({ wait: 'SUCCESS' });
    expect(resume.h.now.getTime() - Date.parse(resume.e.state.startDate)).toBe(300_000);
    const warn = await run(flow(`  - { id: wait, type: ${F}.Pause, delay: PT1M, behavior: WARN }`));
    expect(warn.e.state.current).toBe('WARNING');
    const cancel = await run(flow(`  - { id: wait, type: ${F}.Pause, pauseDuration: PT1M, behavior: CANCEL }\n  - { id: n, type: ${LOG}, message: x }`));
    expect(cancel.e.state.current).toBe('CANCELLED');
  });

  it('sleeps through a timer instead of a busy wait', async () => {
    const { e, h } = await run(flow(`  - { id: nap, type: ${F}.Sleep, duration: PT2H }\n  - { id: n, type: ${LOG}, message: x }`));
    expect(e.state.current).toBe('SUCCESS');
    expect(h.dispatched).toEqual(['n#1']);
    expect(h.now.getTime() - Date.parse(e.state.startDate)).toBe(7_200_000);
  });
});

describe('decide: execution-updatable tasks', () => {
  it('sets labels, variables and unsets variables inside the executor', async () => {
    const { e, h } = await run(
      flow(`  - { id: lab, type: ${E}.Labels, labels: { team: "{{ flow.namespace }}", env: prod } }
  - { id: setv, type: ${E}.SetVariables, variables: { count: 3, nested: { a: 1, b: 2 } } }
  - { id: unset, type: ${E}.UnsetVariables, variables: [nested.a] }
  - { id: show, type: ${RET}, format: "{{ vars.count }} {{ vars.nested | keys }} {{ labels.team }} {{ vars.fromFlow }}" }`, 'variables:\n  fromFlow: hello'),
    );
    expect(e.state.current).toBe('SUCCESS');
    expect(h.dispatched).toEqual(['show#1']);
    expect(e.labels).toEqual(expect.arrayContaining([{ key: 'team', value: 'company.team' }, { key: 'env', value: 'prod' }]));
    expect(e.taskRunList[3].outputs).toEqual({ value: '3 ["b"] company.team hello' });
  });

  it('rejects system labels in the Labels task', async () => {
    const { s } = await run(flow(`  - { id: lab, type: ${E}.Labels, labels: { system.readOnly: "true" } }`));
    expect(s).toEqual({ lab: 'FAILED' });
  });

  it('Exit ends the execution with its state and skips what follows', async () => {
    const { s, e } = await run(flow(`  - { id: bye, type: ${E}.Exit, state: WARNING }\n  - { id: never, type: ${LOG}, message: x }`));
    expect(e.state.current).toBe('WARNING');
    expect(s).toEqual({ bye: 'WARNING' });
  });

  it('Exit with a falsy condition does nothing', async () => {
    const { s, e } = await run(flow(`  - { id: bye, type: ${E}.Exit, state: FAILED, condition: "{{ 1 > 2 }}" }\n  - { id: next, type: ${LOG}, message: x }`));
    expect(s).toEqual({ bye: 'SUCCESS', next: 'SUCCESS' });
    expect(e.state.current).toBe('SUCCESS');
  });

  it('Fail with a falsy condition succeeds; Assert fails on a false condition', async () => {
    expect((await run(flow(`  - { id: f, type: ${E}.Fail, condition: "{{ 0 }}" }`))).s).toEqual({ f: 'SUCCESS' });
    const a = await run(flow(`  - { id: a, type: ${E}.Assert, conditions: ["{{ 1 == 1 }}", "{{ 1 == 2 }}"] }`));
    expect(a.s).toEqual({ a: 'FAILED' });
    expect(a.h.logs.some((l) => l.includes('Assertion `{{ 1 == 2 }}` failed'))).toBe(true);
  });
});

describe('decide: flow-level behaviour', () => {
  it('renders flow outputs at the end and coerces them by type', async () => {
    const { e } = await run(flow(`  - { id: r, type: ${RET}, format: "42" }`, 'outputs:\n  - { id: answer, type: INT, value: "{{ outputs.r.value }}" }\n  - { id: text, type: STRING, value: "v={{ outputs.r.value }}" }'));
    expect(e.outputs).toEqual({ answer: 42, text: 'v=42' });
  });

  it('fails the execution of a disabled flow', async () => {
    const { e, h } = await run(flow(`  - { id: a, type: ${LOG}, message: x }`, 'disabled: true'));
    expect(e.state.current).toBe('FAILED');
    expect(h.dispatched).toEqual([]);
    expect(h.logs.join()).toContain('Cannot execute a flow which is disabled');
  });

  it('applies the concurrency behaviors QUEUE, CANCEL and FAIL when the limit is reached', async () => {
    for (const [behavior, state] of [['QUEUE', 'QUEUED'], ['CANCEL', 'CANCELLED'], ['FAIL', 'FAILED']] as const) {
      const { e, h } = await run(flow(`  - { id: a, type: ${LOG}, message: x }`, `concurrency: { limit: 1, behavior: ${behavior} }`), { running: 1 });
      expect(e.state.current).toBe(state);
      expect(h.dispatched).toEqual([]);
    }
  });

  it('starts a QUEUED execution when a slot is freed', async () => {
    let running = 1;
    const h = new Harness();
    h.ctx = ((orig) => (e) => ({ ...orig(e), runningExecutionsOfFlow: running }))(h.ctx.bind(h));
    const id = h.create(flow(`  - { id: a, type: ${LOG}, message: x }`, 'concurrency: { limit: 1 }'));
    await h.run();
    expect(h.get(id).state.current).toBe('QUEUED');
    running = 0;
    h.send({ type: 'slot-freed', id: 's1', tenantId: 'main', executionId: id });
    await h.run();
    expect(h.get(id).state.histories.map((x) => x.state)).toEqual(['CREATED', 'QUEUED', 'RUNNING', 'SUCCESS']);
  });

  it('kills running task runs and reaches KILLED; late results are ignored', async () => {
    const h = new Harness({ worker: () => 'hang' });
    const id = h.create(flow(`  - { id: slow, type: ${LOG}, message: x }\n  - { id: n, type: ${LOG}, message: y }`));
    await h.run();
    h.send({ type: 'kill', id: 'k1', tenantId: 'main', executionId: id });
    await h.run();
    expect(h.get(id).state.histories.map((x) => x.state)).toEqual(['CREATED', 'RUNNING', 'KILLING', 'KILLED']);
    expect(h.states(id)).toEqual({ slow: 'KILLED' });
    const run1 = h.get(id).taskRunList[0];
    h.send({ type: 'task-result', id: 'late', tenantId: 'main', executionId: id, taskRunId: run1.id, attempt: 1, state: 'SUCCESS' });
    await h.run();
    expect(h.states(id)).toEqual({ slow: 'KILLED' });
  });

  it('restarts a failed execution from the failed task with a new attempt', async () => {
    let fail = true;
    const h = new Harness({ worker: (taskId) => (taskId === 'b' && fail ? { state: 'FAILED' } : { state: 'SUCCESS' }) });
    const id = h.create(flow(`  - { id: a, type: ${LOG}, message: a }\n  - { id: b, type: ${LOG}, message: b }\n  - { id: c, type: ${LOG}, message: c }`, `errors:\n  - { id: alert, type: ${LOG}, message: alert }`));
    await h.run();
    expect(h.get(id).state.current).toBe('FAILED');
    fail = false;
    h.send({ type: 'restart', id: 'rs1', tenantId: 'main', executionId: id });
    await h.run();
    const e = h.get(id);
    expect(e.state.current).toBe('SUCCESS');
    expect(h.states(id)).toEqual({ a: 'SUCCESS', b: 'SUCCESS', c: 'SUCCESS' });
    expect(h.dispatched).toEqual(['a#1', 'b#1', 'alert#1', 'b#2', 'c#1']);
    expect(e.labels).toContainEqual({ key: 'system.restarted', value: 'true' });
    expect(e.state.histories.map((x) => x.state)).toEqual(['CREATED', 'RUNNING', 'FAILED', 'RESTARTED', 'RUNNING', 'SUCCESS']);
  });
});

describe('decide: Subflow', () => {
  const child = `
id: child
namespace: company.team
inputs:
  - { id: who, type: STRING }
outputs:
  - { id: greeting, type: STRING, value: "hi {{ inputs.who }}" }
tasks:
  - { id: c1, type: ${LOG}, message: "{{ inputs.who }}" }`;

  it('waits for the child and exposes its outputs', async () => {
    const { e, h } = await run(
      flow(`  - { id: sub, type: ${F}.Subflow, namespace: company.team, flowId: child, inputs: { who: Ada } }
  - { id: use, type: ${RET}, format: "{{ outputs.sub.outputs.greeting }} / {{ outputs.sub.state }}" }`),
      { flows: [child] },
    );
    expect(e.state.current).toBe('SUCCESS');
    expect(e.taskRunList[1].outputs).toEqual({ value: 'hi Ada / SUCCESS' });
    const childExec = [...h.executions.values()].find((x) => x.flowId === 'child')!;
    expect(childExec.parentId).toBe(e.id);
    expect(childExec.labels).toContainEqual({ key: 'system.correlationId', value: e.id });
  });

  it('fails the parent task when the child fails, unless transmitFailed is false', async () => {
    const failing = `
id: bad
namespace: company.team
tasks:
  - { id: x, type: ${E}.Fail }`;
    const a = await run(flow(`  - { id: sub, type: ${F}.Subflow, namespace: company.team, flowId: bad }`), { flows: [failing] });
    expect(a.s).toEqual({ sub: 'FAILED' });
    const b = await run(flow(`  - { id: sub, type: ${F}.Subflow, namespace: company.team, flowId: bad, transmitFailed: false }`), { flows: [failing] });
    expect(b.s).toEqual({ sub: 'SUCCESS' });
  });

  it('does not wait when wait is false', async () => {
    const h = new Harness({ flows: [child] });
    const id = h.create(flow(`  - { id: sub, type: ${F}.Subflow, namespace: company.team, flowId: child, wait: false, inputs: { who: x } }`));
    await h.step(h.queue.shift()!);
    expect(h.get(id).state.current).toBe('SUCCESS');
    expect(Object.keys(h.get(id).taskRunList[0].outputs ?? {})).toEqual(['executionId']);
  });

  it('restarts the failed child itself on restart, unless restartBehavior is NEW_EXECUTION', async () => {
    for (const behavior of ['RETRY_FAILED', 'NEW_EXECUTION']) {
      let fail = true;
      const h = new Harness({ flows: [child], worker: () => (fail ? { state: 'FAILED' } : { state: 'SUCCESS' }) });
      const id = h.create(flow(`  - { id: sub, type: ${F}.Subflow, namespace: company.team, flowId: child, restartBehavior: ${behavior}, inputs: { who: x } }`));
      await h.run();
      expect(h.get(id).state.current).toBe('FAILED');
      fail = false;
      h.send({ type: 'restart', id: 'r', tenantId: 'main', executionId: id });
      await h.run();
      expect(h.get(id).state.current).toBe('SUCCESS');
      const children = [...h.executions.values()].filter((x) => x.flowId === 'child');
      expect(children.length).toBe(behavior === 'RETRY_FAILED' ? 1 : 2);
      expect(children.at(-1)?.state.current).toBe('SUCCESS');
    }
  });

  it('cascades a kill to a running child', async () => {
    const h = new Harness({ flows: [child], worker: (taskId) => (taskId === 'c1' ? 'hang' : { state: 'SUCCESS' }) });
    const id = h.create(flow(`  - { id: sub, type: ${F}.Subflow, namespace: company.team, flowId: child, inputs: { who: x } }`));
    await h.run();
    h.send({ type: 'kill', id: 'k', tenantId: 'main', executionId: id });
    await h.run();
    const childExec = [...h.executions.values()].find((x) => x.flowId === 'child')!;
    expect(h.get(id).state.current).toBe('KILLED');
    expect(childExec.state.current).toBe('KILLED');
  });
});

describe('decide: flow-level retry', () => {
  const flowRetry = (behavior: string) =>
    flow(`  - { id: ok, type: ${LOG}, message: x }\n  - { id: flaky, type: ${LOG}, message: y }`, `retry:\n  type: constant\n  interval: PT1S\n  maxAttempts: 3\n  behavior: ${behavior}`);

  it('RETRY_FAILED_TASK re-runs only the failed task in the same execution', async () => {
    const { e, h } = await run(flowRetry('RETRY_FAILED_TASK'), { worker: (taskId, attempt) => (taskId === 'flaky' && attempt < 3 ? { state: 'FAILED' } : { state: 'SUCCESS' }) });
    expect(e.state.current).toBe('SUCCESS');
    expect(h.dispatched).toEqual(['ok#1', 'flaky#1', 'flaky#2', 'flaky#3']);
    expect(e.state.histories.map((x) => x.state)).toEqual(['CREATED', 'RUNNING', 'RETRYING', 'RUNNING', 'RETRYING', 'RUNNING', 'SUCCESS']);
  });

  it('CREATE_NEW_EXECUTION marks the execution RETRIED and starts a new attempt until maxAttempts', async () => {
    const h = new Harness({ worker: (taskId) => (taskId === 'flaky' ? { state: 'FAILED' } : { state: 'SUCCESS' }) });
    const id = h.create(flowRetry('CREATE_NEW_EXECUTION'));
    await h.run();
    const all = [...h.executions.values()];
    expect(all.map((x) => [x.metadata.attemptNumber, x.state.current])).toEqual([
      [1, 'RETRIED'],
      [2, 'RETRIED'],
      [3, 'FAILED'],
    ]);
    expect(new Set(all.map((x) => x.originalId))).toEqual(new Set([id]));
  });
});
