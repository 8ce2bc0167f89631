import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { Execution, TaskRun } from '../model/execution';
import type { Flow } from '../model/flow';
import type { FlowGraph, GraphEdge } from './flow-graph';
import { flowGraph } from './flow-graph';

const EXAMPLES = '/work/shared/examples/docs-flows';
const H = 'io.kestra.core.models.hierarchies.';
const example = (name: string): Flow => parse(readFileSync(join(EXAMPLES, name), 'utf8')) as Flow;
const flow = (yaml: string): Flow => parse(yaml) as Flow;

const edge = (g: FlowGraph, source: string | RegExp, target: string | RegExp): GraphEdge => {
  const m = (v: string, p: string | RegExp) => (typeof p === 'string' ? v === p : p.test(v));
  const found = g.edges.filter((e) => m(e.source, source) && m(e.target, target));
  if (found.length !== 1) throw new Error(`expected one edge ${source} -> ${target}, found ${found.length}`);
  return found[0];
};
const cluster = (g: FlowGraph, uid: string) => {
  const c = g.clusters.find((x) => x.cluster.uid === uid);
  if (!c) throw new Error(`no cluster ${uid}`);
  return c;
};
const rootStart = (g: FlowGraph) => g.nodes.find((n) => n.type === `${H}GraphClusterRoot` && /^root\.root-/.test(n.uid))!.uid;
const rootEnd = (g: FlowGraph) => g.nodes.find((n) => n.type === `${H}GraphClusterEnd` && /^root\.end-/.test(n.uid))!.uid;

/** Structural checks every graph passes: unique uids, edges between known nodes, everything reachable from the root. */
function assertWellFormed(g: FlowGraph): void {
  const uids = g.nodes.map((n) => n.uid);
  expect(new Set(uids).size).toBe(uids.length);
  const known = new Set(uids);
  for (const e of g.edges) {
    expect(known.has(e.source), `edge source ${e.source}`).toBe(true);
    expect(known.has(e.target), `edge target ${e.target}`).toBe(true);
  }
  const out = new Map<string, string[]>();
  for (const e of g.edges) out.set(e.source, [...(out.get(e.source) ?? []), e.target]);
  const starts = g.nodes.filter((n) => !g.edges.some((e) => e.target === n.uid)).map((n) => n.uid);
  const seen = new Set<string>(starts);
  const queue = [...starts];
  while (queue.length > 0) for (const t of out.get(queue.shift()!) ?? []) if (!seen.has(t)) seen.add(t) && queue.push(t);
  expect(seen.size).toBe(uids.length);
  for (const c of g.clusters) {
    expect(known.has(c.start)).toBe(true);
    expect(known.has(c.end)).toBe(true);
  }
}

describe('flowGraph', () => {
  it('chains sequential tasks from the root to the end like Kestra (n+2 nodes, n+1 edges, no cluster)', () => {
    const g = flowGraph(flow(`id: f\nnamespace: a\ntasks:\n  - {id: date, type: io.kestra.plugin.core.debug.Return, format: x}\n  - {id: task-id, type: io.kestra.plugin.core.debug.Return, format: y}\n  - {id: task-type, type: io.kestra.plugin.core.log.Log, message: z}\n`));
    expect(g.nodes).toHaveLength(5);
    expect(g.edges).toHaveLength(4);
    expect(g.clusters).toHaveLength(0);
    expect(g.nodes[2]).toMatchObject({ uid: 'root.date', type: `${H}GraphTask`, relationType: 'SEQUENTIAL', task: { id: 'date' } });
    expect(edge(g, rootStart(g), 'root.date').relation).toEqual({});
    expect(edge(g, 'root.date', 'root.task-id').relation).toEqual({ relationType: 'SEQUENTIAL' });
    expect(edge(g, 'root.task-type', rootEnd(g)).relation).toEqual({});
    assertWellFormed(g);
  });

  it('draws a Parallel as a cluster whose children all start from the task and end at the cluster end', () => {
    const tasks = [1, 2, 3, 4, 5, 6].map((i) => `      - {id: t${i}, type: io.kestra.plugin.core.log.Log, message: m}`).join('\n');
    const g = flowGraph(flow(`id: f\nnamespace: a\ntasks:\n  - id: parent\n    type: io.kestra.plugin.core.flow.Parallel\n    tasks:\n${tasks}\n  - {id: last, type: io.kestra.plugin.core.log.Log, message: m}\n`));
    // Kestra's FlowGraphTest.parallel: 12 nodes, 16 edges, 1 cluster.
    expect(g.nodes).toHaveLength(12);
    expect(g.edges).toHaveLength(16);
    const c = cluster(g, 'cluster_root.parent');
    expect(c.cluster).toMatchObject({ type: `${H}GraphCluster`, relationType: 'PARALLEL', taskNode: { uid: 'root.parent', relationType: 'PARALLEL' } });
    expect(c.parents).toEqual([]);
    expect(edge(g, 'root.parent', 'root.parent.t2').relation).toEqual({ relationType: 'PARALLEL' });
    expect(edge(g, 'root.parent', 'root.parent.t6').relation).toEqual({ relationType: 'PARALLEL' });
    expect(edge(g, 'root.parent.t4', c.end).relation).toEqual({});
    expect(edge(g, c.end, 'root.last').relation).toEqual({ relationType: 'SEQUENTIAL' });
    expect(edge(g, c.start, 'root.parent').relation).toEqual({});
    expect(g.nodes.find((n) => n.uid === 'root.parent.t1')?.relationType).toBe('PARALLEL');
    expect(g.flowables).toEqual(['root.parent']);
    assertWellFormed(g);
  });

  it('labels Switch cases as CHOICE edges carrying the case value', () => {
    const g = flowGraph(example('0152-company.team.switch.yaml'));
    expect(edge(g, 'root.decision', 'root.decision.is_true').relation).toEqual({ relationType: 'CHOICE', value: 'true' });
    expect(edge(g, 'root.decision', 'root.decision.is_false').relation).toEqual({ relationType: 'CHOICE', value: 'false' });
    const c = cluster(g, 'cluster_root.decision');
    expect(edge(g, 'root.decision.is_true', c.end).relation).toEqual({});
    expect(c.cluster.relationType).toBe('CHOICE');
    assertWellFormed(g);
  });

  it('adds the defaults branch of a Switch and sequences the tasks inside a case', () => {
    const g = flowGraph(
      flow(`id: f\nnamespace: a\ntasks:\n  - id: s\n    type: io.kestra.plugin.core.flow.Switch\n    value: x\n    cases:\n      FIRST:\n        - {id: t1, type: io.kestra.plugin.core.log.Log, message: m}\n        - {id: t1b, type: io.kestra.plugin.core.log.Log, message: m}\n    defaults:\n      - {id: d, type: io.kestra.plugin.core.log.Log, message: m}\n`),
    );
    expect(edge(g, 'root.s', 'root.s.t1').relation).toEqual({ relationType: 'CHOICE', value: 'FIRST' });
    expect(edge(g, 'root.s.t1', 'root.s.t1b').relation).toEqual({ relationType: 'SEQUENTIAL', value: 'FIRST' });
    expect(edge(g, 'root.s', 'root.s.d').relation).toEqual({ relationType: 'CHOICE', value: 'defaults' });
    assertWellFormed(g);
  });

  it('starts the errors branch at the root with ERROR relations and marks its nodes', () => {
    const g = flowGraph(example('0097-company.team.errors.yaml'));
    expect(edge(g, rootStart(g), 'root.alert_on_failure').relation).toEqual({ relationType: 'ERROR' });
    expect(edge(g, rootStart(g), 'root.failed_task').relation).toEqual({});
    expect(g.nodes.find((n) => n.uid === 'root.alert_on_failure')).toMatchObject({ branchType: 'ERROR', relationType: 'ERROR' });
    expect(g.nodes.find((n) => n.uid === 'root.failed_task')?.branchType).toBeUndefined();
    expect(edge(g, 'root.alert_on_failure', rootEnd(g)).relation).toEqual({});
    assertWellFormed(g);
  });

  it('routes the tasks and the errors through the finally junction, then afterExecution, then the end', () => {
    const g = flowGraph(
      flow(`id: f\nnamespace: a\ntasks:\n  - {id: a, type: io.kestra.plugin.core.log.Log, message: m}\nerrors:\n  - {id: e, type: io.kestra.plugin.core.log.Log, message: m}\nfinally:\n  - {id: fin, type: io.kestra.plugin.core.log.Log, message: m}\nafterExecution:\n  - {id: after, type: io.kestra.plugin.core.log.Log, message: m}\n`),
    );
    const fin = g.nodes.find((n) => n.type === `${H}GraphClusterFinally`)!.uid;
    const after = g.nodes.find((n) => n.type === `${H}GraphClusterAfterExecution`)!.uid;
    expect(edge(g, 'root.a', fin).relation).toEqual({});
    expect(edge(g, 'root.e', fin).relation).toEqual({});
    expect(edge(g, fin, 'root.fin').relation).toEqual({});
    expect(edge(g, 'root.fin', after).relation).toEqual({});
    expect(edge(g, after, 'root.after').relation).toEqual({});
    expect(edge(g, 'root.after', rootEnd(g)).relation).toEqual({});
    expect(g.nodes.find((n) => n.uid === 'root.fin')).toMatchObject({ branchType: 'FINALLY', relationType: 'FINALLY' });
    expect(g.nodes.find((n) => n.uid === 'root.after')).toMatchObject({ branchType: 'AFTER_EXECUTION', relationType: 'AFTER_EXECUTION' });
    expect(g.edges.some((e) => e.source === fin && e.target === after)).toBe(false);
    assertWellFormed(g);
  });

  it('drops the finally junction of a flow without finally (the docs example with finally keeps it)', () => {
    const without = flowGraph(example('0097-company.team.errors.yaml'));
    expect(without.nodes.some((n) => n.type === `${H}GraphClusterFinally` || n.type === `${H}GraphClusterAfterExecution`)).toBe(false);
    const withFinally = flowGraph(example('0111-company.team.finally_example.yaml'));
    const fin = withFinally.nodes.find((n) => n.type === `${H}GraphClusterFinally`)!.uid;
    expect(edge(withFinally, fin, 'root.cleanup_task').relation).toEqual({});
    expect(edge(withFinally, 'root.cleanup_task', rootEnd(withFinally)).relation).toEqual({});
    assertWellFormed(withFinally);
  });

  it('links Dag tasks along dependsOn with PARALLEL relations and sends the leaves to the cluster end', () => {
    const g = flowGraph(example('0166-company.team.dag.yaml'));
    const c = cluster(g, 'cluster_root.dag');
    expect(edge(g, rootStart(g), c.start).relation).toEqual({});
    expect(edge(g, 'root.dag', 'root.dag.task1').relation).toEqual({ relationType: 'PARALLEL' });
    expect(edge(g, 'root.dag.task1', 'root.dag.task2').relation).toEqual({ relationType: 'PARALLEL' });
    expect(edge(g, 'root.dag.task1', 'root.dag.task3').relation).toEqual({ relationType: 'PARALLEL' });
    expect(edge(g, 'root.dag.task3', 'root.dag.task5').relation).toEqual({ relationType: 'PARALLEL' });
    expect(edge(g, 'root.dag.task4', 'root.dag.task5').relation).toEqual({ relationType: 'PARALLEL' });
    expect(edge(g, 'root.dag.task5', c.end).relation).toEqual({});
    expect(g.edges.filter((e) => e.target === c.end)).toHaveLength(1);
    expect(g.nodes.find((n) => n.uid === 'root.dag.task2')?.relationType).toBe('SEQUENTIAL');
    assertWellFormed(g);
  });

  it('draws If branches as then/else CHOICE edges and ForEach children as DYNAMIC', () => {
    const g = flowGraph(
      flow(`id: f\nnamespace: a\ntasks:\n  - id: each\n    type: io.kestra.plugin.core.flow.ForEach\n    values: [1, 2]\n    tasks:\n      - id: cond\n        type: io.kestra.plugin.core.flow.If\n        condition: "{{ true }}"\n        then:\n          - {id: yes, type: io.kestra.plugin.core.log.Log, message: m}\n        else:\n          - {id: no, type: io.kestra.plugin.core.log.Log, message: m}\n      - {id: after, type: io.kestra.plugin.core.log.Log, message: m}\n`),
    );
    const each = cluster(g, 'cluster_root.each');
    const cond = cluster(g, 'cluster_root.each.cond');
    expect(each.cluster.relationType).toBe('DYNAMIC');
    expect(cond.parents).toEqual(['cluster_root.each']);
    expect(each.nodes).toContain('cluster_root.each.cond');
    expect(edge(g, 'root.each', cond.start).relation).toEqual({ relationType: 'DYNAMIC' });
    expect(edge(g, cond.end, 'root.each.after').relation).toEqual({ relationType: 'DYNAMIC' });
    expect(edge(g, 'root.each.cond', 'root.each.cond.yes').relation).toEqual({ relationType: 'CHOICE', value: 'then' });
    expect(edge(g, 'root.each.cond', 'root.each.cond.no').relation).toEqual({ relationType: 'CHOICE', value: 'else' });
    expect(cond.cluster.taskNode).toMatchObject({ uid: 'root.each.cond', relationType: 'CHOICE' });
    assertWellFormed(g);
  });

  it('nests a Sequential with its own errors, and draws Subflow as a SubflowGraphTask', () => {
    const g = flowGraph(
      flow(`id: f\nnamespace: a\ntasks:\n  - id: seq\n    type: io.kestra.plugin.core.flow.Sequential\n    tasks:\n      - {id: s1, type: io.kestra.plugin.core.log.Log, message: m}\n      - {id: sub, type: io.kestra.plugin.core.flow.Subflow, namespace: a, flowId: child}\n    errors:\n      - {id: oops, type: io.kestra.plugin.core.log.Log, message: m}\n`),
    );
    const seq = cluster(g, 'cluster_root.seq');
    expect(edge(g, 'root.seq', 'root.seq.s1').relation).toEqual({ relationType: 'SEQUENTIAL' });
    expect(edge(g, seq.start, 'root.seq.oops').relation).toEqual({ relationType: 'ERROR' });
    expect(g.nodes.find((n) => n.uid === 'root.seq.sub')).toMatchObject({ type: `${H}SubflowGraphTask`, relationType: 'SEQUENTIAL' });
    expect(edge(g, 'root.seq.oops', seq.end).relation).toEqual({});
    assertWellFormed(g);
  });

  it('puts triggers in a Triggers cluster that leads into the root', () => {
    const g = flowGraph(
      flow(`id: f\nnamespace: a\ntasks:\n  - {id: t, type: io.kestra.plugin.core.log.Log, message: m}\ntriggers:\n  - {id: schedule, type: io.kestra.plugin.core.trigger.Schedule, cron: "* * * * *"}\n  - {id: hook, type: io.kestra.plugin.core.trigger.Webhook, key: k}\n`),
    );
    // Kestra's FlowGraphTest.multipleTriggers: 7 nodes, 7 edges, 1 cluster.
    expect(g.nodes).toHaveLength(7);
    expect(g.edges).toHaveLength(7);
    const c = cluster(g, 'cluster_root.Triggers');
    expect(g.nodes.find((n) => n.uid === 'root.Triggers.schedule')).toMatchObject({ type: `${H}GraphTrigger`, triggerDeclaration: { id: 'schedule' } });
    expect(edge(g, c.start, 'root.Triggers.hook').relation).toEqual({});
    expect(edge(g, c.end, rootStart(g)).relation).toEqual({});
    assertWellFormed(g);
  });

  it('draws an execution with one node per loop iteration, its task run and values', () => {
    const f = flow(`id: f\nnamespace: a\ntasks:\n  - id: each\n    type: io.kestra.plugin.core.flow.ForEach\n    values: [a, b]\n    tasks:\n      - {id: log, type: io.kestra.plugin.core.log.Log, message: m}\n  - {id: last, type: io.kestra.plugin.core.log.Log, message: m}\n`);
    const run = (id: string, taskId: string, extra: Partial<TaskRun> = {}): TaskRun => ({
      id,
      executionId: 'e1',
      namespace: 'a',
      flowId: 'f',
      taskId,
      state: { current: 'SUCCESS', histories: [], startDate: '2026-01-01T00:00:00Z', duration: 'PT0S' },
      ...extra,
    });
    const execution = { id: 'e1', taskRunList: [run('r0', 'each'), run('r1', 'log', { parentTaskRunId: 'r0', value: 'a' }), run('r2', 'log', { parentTaskRunId: 'r0', value: 'b' })] } as unknown as Execution;
    const g = flowGraph(f, { execution });
    const each = cluster(g, 'cluster_root.each');
    expect(g.nodes.find((n) => n.uid === 'root.each')).toMatchObject({ taskRun: { id: 'r0' }, values: [] });
    expect(g.nodes.find((n) => n.uid === 'root.each.log_a')).toMatchObject({ taskRun: { id: 'r1' }, values: ['a'], relationType: 'SEQUENTIAL' });
    expect(edge(g, 'root.each', 'root.each.log_a').relation).toEqual({ relationType: 'DYNAMIC', value: 'a' });
    expect(edge(g, 'root.each.log_a', 'root.each.log_b').relation).toEqual({ relationType: 'DYNAMIC', value: 'b' });
    expect(edge(g, 'root.each.log_b', each.end).relation).toEqual({});
    // Like Kestra, every run of the last task of a branch links to the branch's end.
    expect(edge(g, 'root.each.log_a', each.end).relation).toEqual({});
    // A task that has not run yet is drawn without a task run.
    const last = g.nodes.find((n) => n.uid === 'root.last');
    expect(last?.taskRun).toBeUndefined();
    expect(edge(g, each.end, 'root.last').relation).toEqual({ relationType: 'SEQUENTIAL' });
    assertWellFormed(g);
  });

  it('expands the subflows it is asked to, nested ones included, as SubflowGraphClusters', () => {
    const parent = flow(`id: parent\nnamespace: a\ntasks:\n  - {id: launch, type: io.kestra.plugin.core.flow.Subflow, namespace: a, flowId: child}\n  - {id: dynamic, type: io.kestra.plugin.core.flow.Subflow, namespace: a, flowId: "{{ inputs.f }}"}\n  - {id: last, type: io.kestra.plugin.core.log.Log, message: m}\n`);
    const child = flow(`id: child\nnamespace: a\ntriggers:\n  - {id: schedule, type: io.kestra.plugin.core.trigger.Schedule, cron: "0 * * * *"}\ntasks:\n  - id: pick\n    type: io.kestra.plugin.core.flow.Switch\n    value: x\n    cases:\n      x:\n        - {id: deeper, type: io.kestra.plugin.core.flow.Subflow, namespace: a, flowId: grandchild}\n`);
    const grandchild = flow(`id: grandchild\nnamespace: a\ntasks:\n  - {id: leaf, type: io.kestra.plugin.core.log.Log, message: m}\n`);
    const asked: string[] = [];
    const subflow = (ns: string, id: string) => {
      asked.push(`${ns}.${id}`);
      return ({ child, grandchild } as Record<string, Flow>)[id];
    };
    const plain = flowGraph(parent, { subflow });
    expect(plain.clusters).toHaveLength(0);
    expect(asked).toEqual([]);

    const g = flowGraph(parent, { subflow, expandSubflows: ['root.launch', 'root.dynamic', 'root.launch.pick.deeper'] });
    const launch = cluster(g, 'cluster_root.launch');
    expect(launch.cluster).toMatchObject({ type: `${H}SubflowGraphCluster`, relationType: 'SEQUENTIAL', taskNode: { uid: 'root.launch', type: `${H}SubflowGraphTask` } });
    expect(g.nodes.find((n) => n.uid === 'root.launch.pick')).toMatchObject({ relationType: 'CHOICE', task: { id: 'pick' } });
    expect(g.nodes.find((n) => n.uid === 'root.launch.Triggers.schedule')?.type).toBe(`${H}GraphTrigger`);
    expect(edge(g, launch.start, 'root.launch').relation).toEqual({});
    expect(edge(g, rootStart(g), launch.start).relation).toEqual({});
    expect(edge(g, launch.end, 'root.dynamic').relation).toEqual({ relationType: 'SEQUENTIAL' });
    const deeper = cluster(g, 'cluster_root.launch.pick.deeper');
    expect(deeper.parents).toEqual(['cluster_root.launch', 'cluster_root.launch.pick']);
    expect(edge(g, 'root.launch.pick.deeper', 'root.launch.pick.deeper.leaf').relation).toEqual({ relationType: 'SEQUENTIAL' });
    // A subflow named by an expression cannot be drawn before it runs.
    expect(g.nodes.find((n) => n.uid === 'root.dynamic')?.type).toBe(`${H}SubflowGraphTask`);
    expect(g.clusters.some((c) => c.cluster.uid === 'cluster_root.dynamic')).toBe(false);
    expect(asked).toEqual(['a.child', 'a.grandchild']);
    assertWellFormed(g);
  });

  it('is a pure function of the flow: the same flow gives the same uids', () => {
    const f = example('0166-company.team.dag.yaml');
    expect(flowGraph(f)).toEqual(flowGraph(f));
  });

  it('builds a well-formed graph for every documentation flow', () => {
    const files = readdirSync(EXAMPLES).filter((f) => f.endsWith('.yaml'));
    expect(files.length).toBeGreaterThan(100);
    for (const file of files) {
      const f = example(file);
      const g = flowGraph(f);
      const taskIds = new Set<string>();
      const walk = (v: unknown): void => {
        if (Array.isArray(v)) v.forEach(walk);
        else if (v && typeof v === 'object') {
          const o = v as Record<string, unknown>;
          if (typeof o['id'] === 'string' && typeof o['type'] === 'string' && !String(o['type']).includes('.trigger.') && !String(o['type']).includes('condition')) taskIds.add(o['id']);
          for (const [k, x] of Object.entries(o)) if (k !== 'triggers' && k !== 'taskRunner' && k !== 'pluginDefaults') walk(x);
        }
      };
      walk({ tasks: f.tasks, errors: f.errors, finally: f.finally, afterExecution: f.afterExecution });
      const drawn = new Set(g.nodes.filter((n) => n.task).map((n) => n.task!.id));
      for (const id of taskIds) expect(drawn.has(id), `${file}: task ${id}`).toBe(true);
      assertWellFormed(g);
    }
  });
});
