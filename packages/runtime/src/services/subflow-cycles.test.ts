import type { Flow, TaskDefinition } from '@windhover/core';
import { describe, expect, it } from 'vitest';
import { MAX_SUBFLOW_DEPTH, findSubflowCycles, subflowCalls } from './subflow-cycles';

const call = (id: string, namespace: string, flowId: string, type = 'io.kestra.plugin.core.flow.Subflow'): TaskDefinition => ({ id, type, namespace, flowId });
const flow = (namespace: string, id: string, tasks: TaskDefinition[], extra: Partial<Flow> = {}): Flow => ({ namespace, id, tasks, ...extra });

describe('subflowCalls', () => {
  it('finds Subflow, legacy Flow and ForEachItem calls in nested, errors and finally task lists, skipping expressions', () => {
    const f = flow(
      'ns',
      'root',
      [
        call('direct', 'ns', 'one'),
        { id: 'par', type: 'io.kestra.plugin.core.flow.Parallel', tasks: [call('legacy', 'ns', 'two', 'io.kestra.core.tasks.flows.Flow')] },
        call('dynamic', 'ns', '{{ inputs.target }}'),
        call('dynamicNs', '{{ vars.ns }}', 'three'),
        { id: 'log', type: 'io.kestra.plugin.core.log.Log', message: 'flowId: nope' },
      ],
      { errors: [call('onError', 'ns', 'four', 'io.kestra.plugin.core.flow.ForEachItem')], finally: [call('last', 'other', 'five')] },
    );
    expect(subflowCalls(f)).toEqual([
      { namespace: 'ns', flowId: 'one', path: 'tasks[0].flowId' },
      { namespace: 'ns', flowId: 'two', path: 'tasks[1].tasks[0].flowId' },
      { namespace: 'ns', flowId: 'four', path: 'errors[0].flowId' },
      { namespace: 'other', flowId: 'five', path: 'finally[0].flowId' },
    ]);
  });
});

describe('findSubflowCycles', () => {
  const store = (flows: Flow[]) => {
    const byKey = new Map(flows.map((f) => [`${f.namespace}.${f.id}`, f]));
    return async (namespace: string, id: string) => byKey.get(`${namespace}.${id}`);
  };

  it('reports a self call and an indirect cycle with the chain from the starting flow', async () => {
    const self = flow('ns', 'self', [call('again', 'ns', 'self', 'io.kestra.plugin.core.flow.ForEachItem')]);
    const a = flow('ns', 'a', [call('log', 'ns', 'x'), call('toB', 'ns', 'b')]);
    const lookup = store([flow('ns', 'x', []), flow('ns', 'b', [call('toC', 'ns', 'c')]), flow('ns', 'c', [call('toA', 'ns', 'a')])]);
    expect(await findSubflowCycles([self, a], lookup)).toEqual([
      { flow: 'ns.self', chain: ['ns.self', 'ns.self'], path: 'tasks[0].flowId' },
      { flow: 'ns.a', chain: ['ns.a', 'ns.b', 'ns.c', 'ns.a'], path: 'tasks[1].flowId' },
    ]);
  });

  it('does not report a stored cycle the starting flow only leads into', async () => {
    const start = flow('ns', 'start', [call('in', 'ns', 'p')]);
    const lookup = store([flow('ns', 'p', [call('q', 'ns', 'q')]), flow('ns', 'q', [call('p', 'ns', 'p')])]);
    expect(await findSubflowCycles([start], lookup)).toEqual([]);
  });

  it(`follows chains up to ${MAX_SUBFLOW_DEPTH} calls deep`, async () => {
    const chain = (length: number) => {
      const flows = Array.from({ length }, (_, i) => flow('ns', `f${i + 1}`, [call('next', 'ns', i + 1 === length ? 'f0' : `f${i + 2}`)]));
      return { start: flow('ns', 'f0', [call('next', 'ns', 'f1')]), lookup: store(flows) };
    };
    const within = chain(MAX_SUBFLOW_DEPTH - 1);
    expect((await findSubflowCycles([within.start], within.lookup))[0]?.chain.length).toBe(MAX_SUBFLOW_DEPTH + 1);
    const beyond = chain(MAX_SUBFLOW_DEPTH + 5);
    expect(await findSubflowCycles([beyond.start], beyond.lookup)).toEqual([]);
  });
});
