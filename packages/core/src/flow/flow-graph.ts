import { T, coreTaskType } from '../engine/core-task-types';
import { asTaskList, isDagEntry } from '../engine/flow-index';
import type { DagEntry } from '../engine/flow-index';
import { deriveId } from '../engine/ids';
import type { Execution, TaskRun } from '../model/execution';
import type { Flow, TaskDefinition, TriggerDefinition } from '../model/flow';

/** Kestra's `RelationType` of a graph edge or task node. */
export type GraphRelationType = 'SEQUENTIAL' | 'CHOICE' | 'ERROR' | 'FINALLY' | 'AFTER_EXECUTION' | 'PARALLEL' | 'DYNAMIC';

/** The branch an errors / finally / afterExecution node belongs to. */
export type GraphBranchType = 'ERROR' | 'FINALLY' | 'AFTER_EXECUTION';

export interface GraphRelation {
  readonly relationType?: GraphRelationType;
  readonly value?: string;
}

/** A node of Kestra's FlowGraph (`type` is the Java class name Kestra's UI and SDKs switch on). */
export interface GraphNode {
  readonly uid: string;
  readonly type: string;
  readonly branchType?: GraphBranchType;
  readonly task?: TaskDefinition;
  readonly relationType?: GraphRelationType;
  /** Execution graphs: the task run this node stands for, and the loop values of it and its parents. */
  readonly taskRun?: TaskRun;
  readonly values?: readonly string[];
  readonly triggerDeclaration?: TriggerDefinition;
}

export interface GraphEdge {
  readonly source: string;
  readonly target: string;
  readonly relation: GraphRelation;
}

export interface GraphClusterJson {
  readonly uid: string;
  readonly type: string;
  readonly branchType?: GraphBranchType;
  readonly relationType?: GraphRelationType;
  readonly taskNode?: GraphNode;
}

export interface GraphClusterEntry {
  readonly cluster: GraphClusterJson;
  /** Uids of the cluster's direct nodes (nested clusters appear as their `cluster_…` uid). */
  readonly nodes: readonly string[];
  /** Uids of the enclosing clusters, outermost first (the flow's root cluster is not listed). */
  readonly parents: readonly string[];
  readonly start: string;
  readonly end: string;
}

/** Kestra's `FlowGraph`: the topology the UI draws (GET /flows/{namespace}/{id}/graph). */
export interface FlowGraph {
  readonly nodes: readonly GraphNode[];
  readonly edges: readonly GraphEdge[];
  readonly clusters: readonly GraphClusterEntry[];
  /**
   * Uids of the flowable tasks' nodes (the task node of each cluster).
   * Kestra declares the field and leaves it empty; its SDKs expect a list.
   */
  readonly flowables: readonly string[];
}

const H = 'io.kestra.core.models.hierarchies.';

interface Vertex {
  readonly kind: 'vertex';
  uid: string;
  readonly type: string;
  branchType?: GraphBranchType;
  readonly task?: TaskDefinition;
  readonly relationType?: GraphRelationType;
  readonly taskRun?: TaskRun;
  readonly values?: readonly string[];
  readonly triggerDeclaration?: TriggerDefinition;
}

type Member = Vertex | Cluster;

interface Edge {
  readonly source: Vertex;
  readonly target: Vertex;
  readonly relation: GraphRelation;
}

/**
 * A cluster as Kestra's GraphCluster builds it: a root, an end, optional
 * finally and afterExecution junctions (removed when unused) and, for a
 * flowable task, the task's own node right after the root.
 */
class Cluster {
  readonly kind = 'cluster';
  readonly members: Member[] = [];
  readonly edges: Edge[] = [];
  readonly root: Vertex;
  readonly end: Vertex;
  finally?: Vertex;
  afterExecution?: Vertex;
  branchType?: GraphBranchType;

  constructor(
    readonly uid: string,
    readonly relationType: GraphRelationType | undefined,
    readonly taskNode?: Vertex,
    /** The task run of the flowable this cluster draws (execution graphs): its children are the runs under it. */
    readonly run?: TaskRun,
    /** Kestra's class of the cluster: GraphCluster, or SubflowGraphCluster for an expanded subflow. */
    readonly clusterType = 'GraphCluster',
  ) {
    const junction = (name: string, type: string): Vertex => ({ kind: 'vertex', uid: `${uid}.${name}-${deriveId(uid, name)}`, type: `${H}${type}` });
    this.root = junction('root', 'GraphClusterRoot');
    this.end = junction('end', 'GraphClusterEnd');
    this.finally = junction('finally', 'GraphClusterFinally');
    this.afterExecution = junction('after-execution', 'GraphClusterAfterExecution');
    this.members.push(this.root, this.end, this.finally, this.afterExecution);
    this.edge(this.finally, this.afterExecution, {});
    this.edge(this.afterExecution, this.end, {});
    if (taskNode) {
      this.members.push(taskNode);
      this.edge(this.root, taskNode, {});
    }
  }

  edge(source: Vertex, target: Vertex, relation: GraphRelation): void {
    this.edges.push({ source, target, relation });
  }

  /** Where edges leaving a member start: a cluster is left through its end. */
  static exit(m: Member): Vertex {
    return m.kind === 'cluster' ? m.end : m;
  }

  /** Where edges entering a member land: a cluster is entered through its root. */
  static entry(m: Member): Vertex {
    return m.kind === 'cluster' ? m.root : m;
  }

  /** Drops a junction, sending the edges that reached it to `next` (Kestra's removeFinally / removeAfterExecution). */
  dropJunction(junction: Vertex, next: Vertex): void {
    const kept: Edge[] = [];
    for (const e of this.edges) {
      if (e.source === junction) continue;
      kept.push(e.target === junction ? { ...e, target: next } : e);
    }
    this.edges.splice(0, this.edges.length, ...kept);
    const i = this.members.indexOf(junction);
    if (i >= 0) this.members.splice(i, 1);
  }

  removeFinally(): void {
    if (!this.finally) return;
    this.dropJunction(this.finally, this.afterExecution ?? this.end);
    this.finally = undefined;
  }

  removeAfterExecution(): void {
    if (!this.afterExecution) return;
    this.dropJunction(this.afterExecution, this.end);
    this.afterExecution = undefined;
  }

  /** Junction the last node of a branch links to. */
  next(relationType: GraphRelationType): Vertex {
    if (relationType === 'AFTER_EXECUTION') return this.end;
    if (relationType === 'FINALLY') return this.afterExecution ?? this.end;
    return this.finally ?? this.afterExecution ?? this.end;
  }
}

/** Marks a member and everything inside it as part of an errors / finally / afterExecution branch. */
function markBranch(m: Member, branch: GraphBranchType): void {
  m.branchType = branch;
  if (m.kind === 'cluster') {
    for (const c of m.members) markBranch(c, branch);
    if (m.taskNode) markBranch(m.taskNode, branch);
  }
}

export interface FlowGraphOptions {
  /** Canonical type of a task type (plugin aliases); core types are always known. */
  readonly canonicalType?: (type: string) => string | undefined;
  /**
   * Draws an execution of the flow (GET /executions/{id}/graph): a task
   * with several task runs (loop iterations) gets one node per run, with
   * its `taskRun` and loop `values`.
   */
  readonly execution?: Execution;
  /**
   * Uids of Subflow / ForEachItem nodes to draw with the subflow's own
   * graph inside (Kestra's `subflows` parameter), nested ones included
   * (`root.launch.child`). A subflow whose flow `subflow` does not return,
   * or whose namespace or flowId is an expression, stays one node.
   */
  readonly expandSubflows?: readonly string[];
  readonly subflow?: (namespace: string, flowId: string, revision: number | undefined) => Flow | undefined;
}

/** The namespace, flowId and revision a Subflow / ForEachItem task calls, when they are not expressions. */
export function subflowTarget(task: TaskDefinition): { namespace: string; flowId: string; revision?: number } | undefined {
  const { namespace, flowId, revision } = task;
  if (typeof namespace !== 'string' || typeof flowId !== 'string' || namespace.includes('{{') || flowId.includes('{{')) return undefined;
  return { namespace, flowId, ...(typeof revision === 'number' ? { revision } : {}) };
}

class GraphBuilder {
  readonly #byId: ReadonlyMap<string, TaskRun>;

  constructor(
    private readonly canonical: (type: string) => string,
    private readonly execution?: Execution,
    private readonly options: FlowGraphOptions = {},
  ) {
    this.#byId = new Map((execution?.taskRunList ?? []).map((r) => [r.id, r]));
  }

  /** Kestra's findTaskRuns: the runs of a task (under the parent run, if any); one undrawn slot without an execution. */
  runs(taskId: string, parent: TaskRun | undefined): readonly (TaskRun | undefined)[] {
    if (!this.execution) return [undefined];
    const all = this.execution.taskRunList.filter((r) => r.taskId === taskId);
    if (all.length === 0) return [undefined];
    return parent ? all.filter((r) => r.parentTaskRunId === parent.id) : all;
  }

  /** Kestra's findParentsValues(run, true): loop values of the run's ancestors, outermost first, then its own. */
  values(run: TaskRun): string[] {
    const chain: TaskRun[] = [];
    for (let r: TaskRun | undefined = run; r; r = r.parentTaskRunId ? this.#byId.get(r.parentTaskRunId) : undefined) chain.unshift(r);
    return chain.flatMap((r) => (r.value !== undefined ? [r.value] : []));
  }

  /** A task as a node, or as a cluster for a flowable task with children (Kestra's FlowableTask.tasksTree). */
  member(task: TaskDefinition, prefix: string, relationType: GraphRelationType, run?: TaskRun): Member {
    const values = run ? this.values(run) : [];
    // Kestra suffixes a task run's node with its loop values; clusters get the suffix too here, so that
    // the iterations of a nested flowable never share a uid.
    const uid = `${prefix}.${task.id}${values.length > 0 ? `_${values.join('_')}` : ''}`;
    const type = this.canonical(task.type);
    const node = (rel: GraphRelationType, kind = 'GraphTask'): Vertex => ({
      kind: 'vertex',
      uid,
      type: `${H}${kind}`,
      task,
      relationType: rel,
      ...(run ? { taskRun: run, values } : {}),
    });
    const list = (key: string) => asTaskList(task[key]);
    const clusterOf = (rel: GraphRelationType) => new Cluster(uid, rel, node(rel), run);
    switch (type) {
      case T.sequential:
      case T.allowFailure:
      case T.workingDirectory:
      case T.loopUntil: {
        const c = clusterOf('SEQUENTIAL');
        this.fill(c, list('tasks'), 'SEQUENTIAL');
        this.alternatives(c, list('errors'), list('finally'), []);
        return c;
      }
      case T.pause: {
        // A Pause without children is drawn as a plain task.
        if (list('tasks').length === 0) return node(relationType);
        const c = clusterOf('SEQUENTIAL');
        this.fill(c, list('tasks'), 'SEQUENTIAL');
        this.alternatives(c, list('errors'), list('finally'), []);
        return c;
      }
      case T.parallel: {
        const c = clusterOf('PARALLEL');
        this.fill(c, list('tasks'), 'PARALLEL');
        this.alternatives(c, list('errors'), list('finally'), []);
        return c;
      }
      case T.forEach: {
        const c = clusterOf('DYNAMIC');
        // concurrencyLimit defaults to 1 (one value after the other); any other value runs in parallel.
        const limit = task['concurrencyLimit'];
        this.fill(c, list('tasks'), limit === undefined || limit === 1 ? 'SEQUENTIAL' : 'PARALLEL');
        this.alternatives(c, list('errors'), list('finally'), []);
        return c;
      }
      case T.switch: {
        const c = clusterOf('CHOICE');
        const cases = task['cases'];
        if (cases && typeof cases === 'object' && !Array.isArray(cases)) {
          for (const [key, tasks] of Object.entries(cases)) this.fill(c, asTaskList(tasks), 'SEQUENTIAL', key);
        }
        const defaults = list('defaults');
        if (defaults.length > 0) this.fill(c, defaults, 'SEQUENTIAL', 'defaults');
        this.alternatives(c, list('errors'), list('finally'), []);
        return c;
      }
      case T.if: {
        const c = clusterOf('CHOICE');
        this.fill(c, list('then'), 'SEQUENTIAL', 'then');
        if (list('else').length > 0) this.fill(c, list('else'), 'SEQUENTIAL', 'else');
        this.alternatives(c, list('errors'), list('finally'), []);
        return c;
      }
      case T.dag: {
        const c = clusterOf('SEQUENTIAL');
        const entries = Array.isArray(task['tasks']) ? (task['tasks'] as unknown[]).filter(isDagEntry) : [];
        this.fillDag(c, entries);
        this.alternatives(c, list('errors'), list('finally'), []);
        return c;
      }
      case T.subflow:
      case T.forEachItem: {
        const target = this.options.expandSubflows?.includes(uid) ? subflowTarget(task) : undefined;
        const sub = target ? this.options.subflow?.(target.namespace, target.flowId, target.revision) : undefined;
        if (!sub) return node(relationType, 'SubflowGraphTask');
        // Kestra's SubflowGraphCluster: the subflow's own graph (drawn without the execution) behind the task.
        const c = new Cluster(uid, 'SEQUENTIAL', node(relationType, 'SubflowGraphTask'), run, 'SubflowGraphCluster');
        const nested = (this.options.expandSubflows ?? []).filter((x) => x.startsWith(`${uid}.`));
        new GraphBuilder(this.canonical, undefined, { ...this.options, expandSubflows: nested }).flowInto(c, sub);
        return c;
      }
      default:
        return node(relationType);
    }
  }

  /** Kestra's GraphUtils.fillGraph: links a list of tasks into the cluster under one relation type. */
  fill(c: Cluster, tasks: readonly TaskDefinition[], relationType: GraphRelationType, value?: string): void {
    let previous: Member = c.taskNode ?? c.root;
    if (relationType === 'FINALLY' && c.finally) {
      previous = c.finally;
      c.edges.splice(0, c.edges.length, ...c.edges.filter((e) => !(e.source === c.finally && e.target === c.afterExecution)));
    }
    if (relationType === 'AFTER_EXECUTION' && c.afterExecution) {
      previous = c.afterExecution;
      c.edges.splice(0, c.edges.length, ...c.edges.filter((e) => !(e.source === c.afterExecution && e.target === c.end)));
    }
    const linkAllToNext = relationType === 'PARALLEL' || relationType === 'CHOICE';
    const next = c.next(relationType);
    let first = true;
    tasks.forEach((task, i) => {
      for (const run of this.runs(task.id, c.run)) {
        let rel = c.relationType;
        if (relationType === 'ERROR') rel = relationType;
        else if (!first && relationType !== 'PARALLEL' && c.relationType !== 'DYNAMIC') rel = relationType;
        const edgeValue = run ? run.value : value;
        const relation: GraphRelation = { ...(rel ? { relationType: rel } : {}), ...(edgeValue !== undefined ? { value: edgeValue } : {}) };
        const current = this.member(task, c.uid, relationType, run);
        c.members.push(current);
        if (relationType === 'ERROR' || relationType === 'FINALLY' || relationType === 'AFTER_EXECUTION') markBranch(current, relationType);
        // The errors branch starts at the cluster's root: it runs when anything in the cluster fails.
        if (relationType === 'ERROR' && first) previous = c.root;
        c.edge(Cluster.exit(previous), Cluster.entry(current), relation);
        if (relationType !== 'PARALLEL') previous = current;
        if (linkAllToNext || i === tasks.length - 1) c.edge(Cluster.exit(current), next, {});
        first = false;
      }
    });
  }

  /** Kestra's fillGraphDag: tasks in dependency waves, edges from each dependency, leaves to the cluster's exit. */
  fillDag(c: Cluster, entries: readonly DagEntry[]): void {
    const dependencies = new Set(entries.flatMap((e) => e.dependsOn ?? []));
    const created = new Map<string, Member>();
    const done = new Set<string>();
    const start: Member = c.taskNode ?? c.root;
    const relation: GraphRelation = { relationType: 'PARALLEL' };
    while (done.size < entries.length) {
      const wave = entries.filter((e) => !done.has(e.task.id) && (e.dependsOn ?? []).every((d) => done.has(d)));
      // Unknown dependencies or a cycle (rejected by validation): draw the rest from the start.
      const batch = wave.length > 0 ? wave : entries.filter((e) => !done.has(e.task.id));
      for (const entry of batch) {
        for (const run of this.runs(entry.task.id, c.run)) {
          const current = this.member(entry.task, c.uid, 'SEQUENTIAL', run);
          c.members.push(current);
          const deps = (entry.dependsOn ?? []).filter((d) => created.has(d));
          if (deps.length === 0) c.edge(Cluster.exit(start), Cluster.entry(current), relation);
          for (const d of deps) c.edge(Cluster.exit(created.get(d)!), Cluster.entry(current), relation);
          if (!dependencies.has(entry.task.id)) c.edge(Cluster.exit(current), c.next('SEQUENTIAL'), {});
          if (!created.has(entry.task.id)) created.set(entry.task.id, current);
        }
        done.add(entry.task.id);
      }
    }
  }

  /** errors, then finally, then afterExecution; unused junctions are removed. */
  alternatives(c: Cluster, errors: readonly TaskDefinition[], fin: readonly TaskDefinition[], after: readonly TaskDefinition[]): void {
    if (errors.length > 0) this.fill(c, errors, 'ERROR');
    if (fin.length > 0) this.fill(c, fin, 'FINALLY');
    else c.removeFinally();
    if (after.length > 0) this.fill(c, after, 'AFTER_EXECUTION');
    else c.removeAfterExecution();
  }

  /** A flow drawn into a cluster (Kestra's GraphUtils.of): triggers, tasks, errors, finally, afterExecution. */
  flowInto(c: Cluster, flow: Flow): void {
    if (flow.triggers && flow.triggers.length > 0) this.triggers(c, flow.triggers);
    this.fill(c, asTaskList(flow.tasks), 'SEQUENTIAL');
    this.alternatives(c, asTaskList(flow.errors), asTaskList(flow.finally), asTaskList(flow.afterExecution));
  }

  triggers(root: Cluster, triggers: readonly TriggerDefinition[]): void {
    const c = new Cluster(`${root.uid}.Triggers`, undefined);
    c.removeFinally();
    c.removeAfterExecution();
    for (const t of triggers) {
      const v: Vertex = { kind: 'vertex', uid: `${c.uid}.${t.id}`, type: `${H}GraphTrigger`, triggerDeclaration: t };
      c.members.push(v);
      c.edge(c.root, v, {});
      c.edge(v, c.end, {});
    }
    root.members.push(c);
    root.edge(c.end, root.root, {});
  }
}

function vertexJson(v: Vertex): GraphNode {
  return {
    uid: v.uid,
    type: v.type,
    ...(v.branchType ? { branchType: v.branchType } : {}),
    ...(v.task ? { task: v.task } : {}),
    ...(v.relationType ? { relationType: v.relationType } : {}),
    ...(v.taskRun ? { taskRun: v.taskRun, values: v.values ?? [] } : {}),
    ...(v.triggerDeclaration ? { triggerDeclaration: v.triggerDeclaration } : {}),
  };
}

function flatten(c: Cluster, nodes: GraphNode[], edges: GraphEdge[], clusters: GraphClusterEntry[], parents: readonly string[]): void {
  for (const e of c.edges) edges.push({ source: e.source.uid, target: e.target.uid, relation: e.relation });
  for (const m of c.members) {
    if (m.kind === 'vertex') {
      nodes.push(vertexJson(m));
      continue;
    }
    const uid = `cluster_${m.uid}`;
    clusters.push({
      cluster: {
        uid,
        type: `${H}${m.clusterType}`,
        ...(m.branchType ? { branchType: m.branchType } : {}),
        ...(m.relationType ? { relationType: m.relationType } : {}),
        ...(m.taskNode ? { taskNode: vertexJson(m.taskNode) } : {}),
      },
      nodes: m.members.map((x) => (x.kind === 'vertex' ? x.uid : `cluster_${x.uid}`)),
      parents,
      start: m.root.uid,
      end: m.end.uid,
    });
    flatten(m, nodes, edges, clusters, [...parents, uid]);
  }
}

/**
 * The flow's topology in Kestra's FlowGraph shape, built the way Kestra's
 * GraphUtils does: a root cluster with the Triggers cluster, the tasks in
 * sequence, errors from the root, finally and afterExecution junctions;
 * every flowable task with children becomes a cluster (Parallel, Sequential,
 * Switch and If as CHOICE, ForEach as DYNAMIC, Dag with its dependencies).
 * Uids are Kestra's dotted paths (`root.parent.child`); the junction uids
 * Kestra makes random are derived from the path here, so the graph is a pure
 * function of the flow.
 *
 * @example
 * const graph = flowGraph(flow);
 * graph.edges.find((e) => e.target === 'root.first'); // { source: 'root.root-…', relation: {} }
 */
export function flowGraph(flow: Flow, options: FlowGraphOptions = {}): FlowGraph {
  const canonical = (type: string) => coreTaskType(type)?.canonical ?? options.canonicalType?.(type) ?? type;
  const root = new Cluster('root', undefined);
  new GraphBuilder(canonical, options.execution, options).flowInto(root, flow);
  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  const clusters: GraphClusterEntry[] = [];
  flatten(root, nodes, edges, clusters, []);
  const flowables = clusters.flatMap((c) => (c.cluster.taskNode ? [c.cluster.taskNode.uid] : []));
  return { nodes, edges, clusters, flowables };
}
