import { describe, expect, it } from 'vitest';
import { Harness } from './testing/harness';

const F = 'io.kestra.plugin.core.flow';
const LOG = 'io.kestra.plugin.core.log.Log';
const RET = 'io.kestra.plugin.core.debug.Return';

const flow = (tasks: string, extra = '') => `
id: f
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

describe('decide: Parallel', () => {
  it('starts every child at once when concurrent is 0', async () => {
    const started: string[] = [];
    const h = new Harness({ worker: (taskId) => {
        started.push(taskId);
        return 'hang';
      }, });
    h.create(flow(`  - id: p
    type: ${F}.Parallel
    tasks:
      - { id: a, type: ${LOG}, message: a }
      - { id: b, type: ${LOG}, message: b }
      - { id: c, type: ${LOG}, message: c }`));
    await h.run();
    expect(started).toEqual(['a', 'b', 'c']);
  });

  it('keeps at most `concurrent` children running', async () => {
    const { h, e } = await run(flow(`  - id: p
    type: ${F}.Parallel
    concurrent: 2
    tasks:
      - { id: a, type: ${LOG}, message: a }
      - { id: b, type: ${LOG}, message: b }
      - { id: c, type: ${LOG}, message: c }`));
    expect(e.state.current).toBe('SUCCESS');
    // a and b are dispatched before c, which waits for a free slot
    expect(h.dispatched.slice(0, 2).sort()).toEqual(['a#1', 'b#1']);
    expect(h.dispatched[2]).toBe('c#1');
  });

  it('fails when a child fails and then runs its errors branch', async () => {
    const { s, e } = await run(
      flow(`  - id: p
    type: ${F}.Parallel
    tasks:
      - { id: a, type: ${LOG}, message: a }
      - { id: b, type: io.kestra.plugin.core.execution.Fail }
    errors:
      - { id: handle, type: ${LOG}, message: handled }`),
    );
    expect(e.state.current).toBe('FAILED');
    expect(s).toMatchObject({ a: 'SUCCESS', b: 'FAILED', p: 'FAILED', handle: 'SUCCESS' });
  });
});

describe('decide: ForEach', () => {
  it('iterates one value at a time by default with taskrun.value and iteration', async () => {
    const { e } = await run(flow(`  - id: each
    type: ${F}.ForEach
    values: ["x", {"k": 1}, 3]
    tasks:
      - id: r
        type: ${RET}
        format: "{{ taskrun.value }}#{{ taskrun.iteration }}"`));
    expect(e.state.current).toBe('SUCCESS');
    const rs = e.taskRunList.filter((r) => r.taskId === 'r');
    expect(rs.map((r) => r.outputs?.['value'])).toEqual(['x#0', '{"k":1}#1', '3#2']);
  });

  it('runs all iterations concurrently with concurrencyLimit 0', async () => {
    const started: string[] = [];
    const h = new Harness({ worker: (_t, _a, vars) => {
        started.push(String((vars['taskrun'] as { value: string }).value));
        return 'hang';
      }, });
    h.create(flow(`  - id: each
    type: ${F}.ForEach
    values: [1, 2, 3, 4]
    concurrencyLimit: 0
    tasks:
      - { id: l, type: ${LOG}, message: "{{ taskrun.value }}" }`));
    await h.run();
    expect(started).toEqual(['1', '2', '3', '4']);
  });

  it('bounds concurrent iterations by concurrencyLimit', async () => {
    const started: string[] = [];
    const h = new Harness({ worker: (_t, _a, vars) => {
        started.push(String((vars['taskrun'] as { value: string }).value));
        return 'hang';
      }, });
    h.create(flow(`  - id: each
    type: ${F}.ForEach
    values: [1, 2, 3, 4]
    concurrencyLimit: 2
    tasks:
      - { id: l, type: ${LOG}, message: "{{ taskrun.value }}" }`));
    await h.run();
    expect(started).toEqual(['1', '2']);
  });

  it('nests outputs of nested loops by outer then inner value and exposes parents', async () => {
    const { e } = await run(flow(`  - id: outer
    type: ${F}.ForEach
    values: ["s1", "s2"]
    tasks:
      - id: inner
        type: ${F}.ForEach
        values: ["a a", "b"]
        tasks:
          - id: r
            type: ${RET}
            format: "{{ parents[0].taskrun.value }}/{{ taskrun.value }}"
  - id: read
    type: ${RET}
    format: "{{ outputs.r['s2']['a a'].value }}"`));
    expect(e.state.current).toBe('SUCCESS');
    expect(e.taskRunList.find((r) => r.taskId === 'read')?.outputs).toEqual({ value: 's2/a a' });
  });

  it('gives parent.taskrun.value to tasks nested in an If inside the loop', async () => {
    const { e } = await run(flow(`  - id: each
    type: ${F}.ForEach
    values: [1, 2]
    tasks:
      - id: cond
        type: ${F}.If
        condition: "{{ true }}"
        then:
          - id: lp
            type: ${RET}
            format: "{{ parent.taskrun.value }}"`));
    expect(e.taskRunList.filter((r) => r.taskId === 'lp').map((r) => r.outputs?.['value'])).toEqual(['1', '2']);
  });

  it('fails when values is not a list', async () => {
    const { e, h } = await run(flow(`  - id: each
    type: ${F}.ForEach
    values: "not a list"
    tasks:
      - { id: l, type: ${LOG}, message: x }`));
    expect(e.state.current).toBe('FAILED');
    expect(h.logs.join('\n')).toContain('ForEach values');
  });
});

describe('decide: If and Switch', () => {
  it('runs `then` when the condition is truthy and records evaluationResult', async () => {
    const { s, e } = await run(
      flow(`  - id: cond
    type: ${F}.If
    condition: "{{ inputs.n > 2 }}"
    then:
      - { id: yes, type: ${LOG}, message: yes }
    else:
      - { id: no, type: ${LOG}, message: no }`, 'inputs:\n  - { id: n, type: INT }'),
      { inputs: { n: 3 } },
    );
    expect(s).toEqual({ cond: 'SUCCESS', yes: 'SUCCESS' });
    expect(e.taskRunList[0].outputs).toEqual({ evaluationResult: true });
  });

  it('runs `else` for falsy values such as an empty string', async () => {
    const { s } = await run(flow(`  - id: cond
    type: ${F}.If
    condition: ""
    then:
      - { id: yes, type: ${LOG}, message: yes }
    else:
      - { id: no, type: ${LOG}, message: no }`));
    expect(s).toEqual({ cond: 'SUCCESS', no: 'SUCCESS' });
  });

  it('runs the matching Switch case, and `defaults` (or `default`) otherwise', async () => {
    const sw = (value: string, key: string) =>
      flow(`  - id: sw
    type: ${F}.Switch
    value: "${value}"
    cases:
      A:
        - { id: a, type: ${LOG}, message: a }
    ${key}:
      - { id: d, type: ${LOG}, message: d }`);
    expect((await run(sw('A', 'defaults'))).s).toEqual({ sw: 'SUCCESS', a: 'SUCCESS' });
    const other = await run(sw('Z', 'defaults'));
    expect(other.s).toEqual({ sw: 'SUCCESS', d: 'SUCCESS' });
    expect(other.e.taskRunList[0].outputs).toEqual({ value: 'Z', defaults: true });
    expect((await run(sw('Z', 'default'))).s).toEqual({ sw: 'SUCCESS', d: 'SUCCESS' });
  });
});

describe('decide: AllowFailure, Dag, LoopUntil', () => {
  it('AllowFailure ends WARNING, stops its children, and the execution continues to WARNING', async () => {
    const { s, e } = await run(flow(`  - id: allow
    type: ${F}.AllowFailure
    tasks:
      - { id: ko, type: io.kestra.plugin.core.execution.Fail }
      - { id: next, type: ${LOG}, message: never }
  - { id: end, type: ${LOG}, message: end }`));
    expect(s).toEqual({ allow: 'WARNING', ko: 'FAILED', end: 'SUCCESS' });
    expect(e.state.current).toBe('WARNING');
  });

  it('Dag starts a task once all its dependencies succeeded', async () => {
    const { h, e } = await run(flow(`  - id: dag
    type: ${F}.Dag
    tasks:
      - task: { id: t1, type: ${LOG}, message: "1" }
      - task: { id: t2, type: ${LOG}, message: "2" }
        dependsOn: [t1]
      - task: { id: t3, type: ${LOG}, message: "3" }
        dependsOn: [t1]
      - task: { id: t4, type: ${LOG}, message: "4" }
        dependsOn: [t2, t3]`));
    expect(e.state.current).toBe('SUCCESS');
    expect(h.dispatched[0]).toBe('t1#1');
    expect(h.dispatched.slice(1, 3).sort()).toEqual(['t2#1', 't3#1']);
    expect(h.dispatched[3]).toBe('t4#1');
  });

  it('LoopUntil repeats until its condition holds and counts iterations', async () => {
    let calls = 0;
    const { e, h } = await run(
      flow(`  - id: loop
    type: ${F}.LoopUntil
    condition: "{{ outputs.probe.value == '3' }}"
    checkFrequency:
      interval: PT10S
    tasks:
      - { id: probe, type: ${RET}, format: x }`),
      { worker: () => ({ state: 'SUCCESS', outputs: { value: String(++calls) } }) },
    );
    expect(e.state.current).toBe('SUCCESS');
    expect(e.taskRunList[0].outputs).toEqual({ iterationCount: 3 });
    // two waits of 10 s between the three iterations
    expect(h.now.getTime() - Date.parse(e.state.startDate)).toBe(20_000);
  });

  it('LoopUntil fails at maxIterations when failOnMaxReached', async () => {
    const { e } = await run(flow(`  - id: loop
    type: ${F}.LoopUntil
    condition: "{{ false }}"
    failOnMaxReached: true
    checkFrequency: { interval: PT1S, maxIterations: 2 }
    tasks:
      - { id: probe, type: ${LOG}, message: x }`));
    expect(e.state.current).toBe('FAILED');
    expect(e.taskRunList.filter((r) => r.taskId === 'probe')).toHaveLength(2);
  });
});
