import { readFileSync, readdirSync } from 'node:fs';
import type { Execution } from '@windhover/core';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EngineWorld, startEngineWorld, states } from './engine-world';

const DIR = '/work/shared/examples/docs-flows';
const files = readdirSync(DIR);
const source = (n: string): string => readFileSync(`${DIR}/${files.find((f) => f.startsWith(n))!}`, 'utf8');

interface Case {
  readonly file: string;
  readonly state: string;
  readonly inputs?: Record<string, unknown>;
  /** Other docs flows this one calls (deployed first). */
  readonly deps?: readonly string[];
  readonly check?: (e: Execution, w: EngineWorld) => Promise<void> | void;
}

const logsOf = async (w: EngineWorld, e: Execution) => (await w.logs(e.id)).map((l) => l.message);

/**
 * Documentation flows that use only core tasks, with the final state their
 * page describes (Kestra docs, seed 002).
 */
const CASES: readonly Case[] = [
  {
    file: '0001',
    state: 'SUCCESS',
    check: async (e, w) => expect(await logsOf(w, e)).toContain('Load north into landing-north'),
  },
  { file: '0002', state: 'SUCCESS', check: async (e, w) => expect(await logsOf(w, e)).toContain('User 101 -> a@example.com') },
  { file: '0028', state: 'SUCCESS' },
  { file: '0029', state: 'SUCCESS', check: (e) => expect(states(e)).toEqual({ if: 'SUCCESS', when_true: 'SUCCESS' }) },
  { file: '0030', state: 'SUCCESS', check: async (e, w) => expect(await logsOf(w, e)).toContain('Hello World!') },
  { file: '0074', state: 'SUCCESS' },
  {
    file: '0087',
    state: 'FAILED',
    check: async (e, w) => {
      // afterExecution runs once the execution is terminal and sees the final state
      for (let i = 0; i < 100 && !(await logsOf(w, e)).includes('Execution FAILED'); i++) await new Promise((r) => setTimeout(r, 20));
      const logs = await logsOf(w, e);
      expect(logs.filter((m) => m === 'Execution RUNNING')).toHaveLength(2);
      expect(logs).toContain('Execution FAILED');
    },
  },
  { file: '0092', state: 'FAILED' },
  { file: '0093', state: 'FAILED', deps: ['0092'], check: (e) => expect(states(e)).toEqual({ disabled_subflow: 'FAILED' }) },
  { file: '0096', state: 'SUCCESS', check: (e) => expect(states(e)).toEqual({ enabled: 'SUCCESS' }) },
  { file: '0098', state: 'FAILED', check: async (e, w) => expect(await logsOf(w, e)).toContain("I'm failing task 'failed'") },
  { file: '0099', state: 'FAILED', check: (e) => expect(states(e)).toMatchObject({ t1: 'SUCCESS', 't2-t1': 'FAILED', 'error-t1': 'SUCCESS', 'parent-seq': 'FAILED' }) },
  { file: '0100', state: 'WARNING', check: (e) => expect(states(e)).toEqual({ first: 'SUCCESS', allow_failure: 'WARNING', last: 'SUCCESS' }) },
  { file: '0111', state: 'FAILED', check: (e) => expect(states(e)).toEqual({ fail: 'FAILED', send_alert: 'SUCCESS', cleanup_task: 'SUCCESS' }) },
  { file: '0117', state: 'SUCCESS' },
  { file: '0119', state: 'SUCCESS' },
  { file: '0124', state: 'SUCCESS' },
  { file: '0125', state: 'SUCCESS' },
  { file: '0127', state: 'SUCCESS' },
  { file: '0128', state: 'SUCCESS', check: async (e, w) => expect(await logsOf(w, e)).toContain(`The previous task output is my output ${e.id}`) },
  { file: '0131', state: 'SUCCESS', check: (e) => expect(e.outputs).toEqual({ final: 'this is a task output used as a final flow output' }) },
  { file: '0132', state: 'SUCCESS', deps: ['0131'], check: async (e, w) => expect(await logsOf(w, e)).toContain('this is a task output used as a final flow output') },
  { file: '0133', state: 'SUCCESS', inputs: { run_task: 'true' }, check: (e) => expect(e.outputs).toEqual({ flow_output: 'Hello World!' }) },
  { file: '0133', state: 'SUCCESS', inputs: { run_task: 'false' }, check: (e) => expect(e.outputs).toEqual({ flow_output: 'fallback output' }) },
  { file: '0134', state: 'SUCCESS' },
  { file: '0136', state: 'SUCCESS' },
  { file: '0149', state: 'SUCCESS', check: async (e, w) => expect((await logsOf(w, e)).some((m) => m.startsWith('hello {'))).toBe(true) },
  { file: '0150', state: 'SUCCESS' },
  { file: '0151', state: 'SUCCESS' },
  { file: '0152', state: 'SUCCESS', inputs: { param: 'true' }, check: (e) => expect(states(e)).toEqual({ decision: 'SUCCESS', is_true: 'SUCCESS' }) },
  { file: '0153', state: 'SUCCESS', inputs: { param: 'false' }, check: (e) => expect(states(e)).toEqual({ if: 'SUCCESS', when_false: 'SUCCESS' }) },
  { file: '0154', state: 'SUCCESS' },
  { file: '0158', state: 'WARNING', check: (e) => expect(states(e)).toEqual({ allow_failure: 'WARNING', ko: 'FAILED', end: 'SUCCESS' }) },
  { file: '0159', state: 'FAILED', inputs: { param: 'notexist' } },
  { file: '0159', state: 'SUCCESS', inputs: { param: 'case1' } },
  { file: '0160', state: 'FAILED', inputs: { param: 'fail' }, check: (e) => expect(states(e)).toEqual({ before: 'SUCCESS', fail: 'FAILED' }) },
  { file: '0160', state: 'SUCCESS', inputs: { param: 'ok' }, check: (e) => expect(states(e)).toEqual({ before: 'SUCCESS', fail: 'SUCCESS', after: 'SUCCESS' }) },
  { file: '0166', state: 'SUCCESS' },
  { file: '0168', state: 'SUCCESS' },
  { file: '0169', state: 'SUCCESS' },
  { file: '0170', state: 'SUCCESS', check: async (e, w) => expect((await w.logs(e.id)).filter((l) => l.taskId === 'log_parent').map((l) => l.message).sort()).toEqual(['1', '2']) },
  {
    file: '0171',
    state: 'SUCCESS',
    check: async (e, w) => {
      const lines = (await w.logs(e.id)).filter((l) => l.taskId === 'switch_1' || l.taskId === 'switch_2').map((l) => `${l.taskId}:${l.message}`);
      expect(lines.sort()).toEqual(['switch_1:case1', 'switch_1:caseB', 'switch_2:case2', 'switch_2:caseB']);
    },
  },
  { file: '0186', state: 'SUCCESS' },
  { file: '0187', state: 'SUCCESS' },
  { file: '0189', state: 'SUCCESS' },
  { file: '0191', state: 'SUCCESS' },
  { file: '0192', state: 'SUCCESS' },
];

let w: EngineWorld;
beforeAll(() => {
  w = startEngineWorld();
});
afterAll(async () => {
  await w.close();
});

describe('documentation flows on the engine', () => {
  for (const c of CASES) {
    const flow = parse(source(c.file)) as { id: string; namespace: string };
    it(`${c.file} ${flow.namespace}.${flow.id} ends ${c.state}${c.inputs ? ` with ${JSON.stringify(c.inputs)}` : ''}`, async () => {
      for (const d of c.deps ?? []) await w.deploy(source(d));
      await w.deploy(source(c.file));
      const e = await w.run(flow.namespace, flow.id, c.inputs ?? {});
      expect(e.state.current).toBe(c.state);
      await c.check?.(e, w);
    });
  }

  it('0140 flow-level retry CREATE_NEW_EXECUTION: two RETRIED attempts then FAILED', async () => {
    await w.deploy(source('0140'));
    const first = await w.run('company.team', 'flow_level_retry', {}, 30_000);
    expect(first.state.current).toBe('RETRIED');
    let attempts: Execution[] = [];
    for (let i = 0; i < 300; i++) {
      attempts = (await w.ports.executions.find('main', { namespace: 'company.team', flowId: 'flow_level_retry' })).results.filter((x) => x.originalId === first.id);
      if (attempts.length === 3 && attempts.every((x) => ['RETRIED', 'FAILED'].includes(x.state.current))) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(attempts.map((x) => [x.metadata.attemptNumber, x.state.current]).sort()).toEqual([
      [1, 'RETRIED'],
      [2, 'RETRIED'],
      [3, 'FAILED'],
    ]);
  });
});
