import type { Execution, TaskRun } from '../model/execution';
import type { Flow, TaskDefinition } from '../model/flow';
import type { JsonValue } from '../model/json';

/** Reads a task run's outputs, including ones kept in internal storage. */
export type OutputsOf = (run: TaskRun) => Readonly<Record<string, JsonValue>> | undefined;

/** Whether a task run started a new loop level (a ForEach child), for output nesting. */
export type IsLoopChild = (run: TaskRun) => boolean;

export interface RunVariablesInput {
  readonly flow: Flow;
  readonly execution: Execution;
  readonly taskRun?: TaskRun;
  readonly task?: TaskDefinition;
  readonly instanceVariables?: Readonly<Record<string, unknown>>;
  readonly outputsOf?: OutputsOf;
  readonly isLoopChild?: IsLoopChild;
  /** Precomputed `outputs` and `tasks` maps (they depend only on the execution). */
  readonly cache?: { outputs: Record<string, unknown>; tasks: Record<string, unknown> };
  /** Lazily computed `outputs`/`tasks` maps: only built when a template reads them. */
  readonly lazyMaps?: () => { outputs: Record<string, unknown>; tasks: Record<string, unknown> };
  /** Task runs by id (built when absent). */
  readonly byId?: ReadonlyMap<string, TaskRun> | { get(id: string): TaskRun | undefined };
}

const defaultOutputsOf: OutputsOf = (r) => r.outputs;

/** Values of a task run and its ancestors that open a loop level, outermost first. */
export function loopPath(run: TaskRun, byId: ReadonlyMap<string, TaskRun>, isLoopChild: IsLoopChild): string[] {
  const chain: TaskRun[] = [];
  let cur: TaskRun | undefined = run;
  while (cur) {
    chain.unshift(cur);
    cur = cur.parentTaskRunId ? byId.get(cur.parentTaskRunId) : undefined;
  }
  const path: string[] = [];
  for (let i = 0; i < chain.length; i++) {
    const r = chain[i];
    if (r.value === undefined) continue;
    const parent = i > 0 ? chain[i - 1] : undefined;
    if (!parent || parent.value !== r.value || isLoopChild(r)) path.push(r.value);
  }
  return path;
}

function setNested(target: Record<string, unknown>, taskId: string, path: readonly string[], value: unknown): void {
  if (path.length === 0) {
    target[taskId] = value;
    return;
  }
  let node = target[taskId];
  if (typeof node !== 'object' || node === null || Array.isArray(node)) {
    node = {};
    target[taskId] = node;
  }
  let cur = node as Record<string, unknown>;
  for (let i = 0; i < path.length - 1; i++) {
    let next = cur[path[i]];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) {
      next = {};
      cur[path[i]] = next;
    }
    cur = next as Record<string, unknown>;
  }
  cur[path[path.length - 1]] = value;
}

/**
 * `outputs` and `tasks` maps of an execution (core-spec §7.2): outputs of
 * task runs inside loops are nested by loop value, `outputs.t[v1][v2].x`;
 * later task runs win (LoopUntil iterations).
 */
export function buildOutputMaps(
  execution: Execution,
  outputsOf: OutputsOf = defaultOutputsOf,
  isLoopChild: IsLoopChild = () => false,
): { outputs: Record<string, unknown>; tasks: Record<string, unknown> } {
  const byId = new Map(execution.taskRunList.map((r) => [r.id, r]));
  const outputs: Record<string, unknown> = {};
  const tasks: Record<string, unknown> = {};
  for (const r of execution.taskRunList) {
    const path = r.value === undefined && !r.parentTaskRunId ? [] : loopPath(r, byId, isLoopChild);
    setNested(tasks, r.taskId, path, { state: r.state.current });
    const o = outputsOf(r);
    if (o && Object.keys(o).length > 0) setNested(outputs, r.taskId, path, o);
  }
  return { outputs, tasks };
}

function labelsMap(execution: Execution): Record<string, string> {
  const m: Record<string, string> = {};
  for (const l of execution.labels) if (!(l.key in m)) m[l.key] = l.value;
  return m;
}

/** Builds `inputs` with nested ids (`a.b` -> `inputs.a.b`) while keeping the flat key too. */
export function nestInputs(inputs: Readonly<Record<string, JsonValue>> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(inputs ?? {})) {
    out[k] = v;
    if (k.includes('.')) {
      const parts = k.split('.');
      let cur = out;
      for (let i = 0; i < parts.length - 1; i++) {
        const existing = cur[parts[i]];
        if (typeof existing !== 'object' || existing === null || Array.isArray(existing)) cur[parts[i]] = {};
        cur = cur[parts[i]] as Record<string, unknown>;
      }
      cur[parts[parts.length - 1]] = v;
    }
  }
  return out;
}

/**
 * The expression context of a task run (core-spec §7.2, Kestra's
 * RunVariables): flow, execution, task, taskrun, parent(s), inputs, outputs,
 * tasks, vars, labels, trigger, envs, globals, kestra.
 */
export function buildRunVariables(input: RunVariablesInput): Record<string, unknown> {
  const { flow, execution, taskRun, task } = input;
  const outputsOf = input.outputsOf ?? defaultOutputsOf;
  let computed = input.cache;
  const maps = () => {
    if (!computed) computed = input.lazyMaps ? input.lazyMaps() : buildOutputMaps(execution, outputsOf, input.isLoopChild);
    return computed;
  };
  const vars: Record<string, unknown> = {
    flow: { id: flow.id, namespace: flow.namespace, revision: execution.flowRevision, tenantId: execution.tenantId },
    execution: {
      id: execution.id,
      startDate: execution.state.startDate,
      originalId: execution.originalId,
      state: execution.state.current,
    },
    inputs: nestInputs(execution.inputs),
    vars: { ...(flow.variables ?? {}), ...(execution.variables ?? {}) },
    labels: labelsMap(execution),
    envs: {},
    globals: {},
    kestra: {},
    ...(input.instanceVariables ?? {}),
  };
  // `outputs` and `tasks` cost O(task runs): computed on first read only.
  Object.defineProperty(vars, 'outputs', { enumerable: true, configurable: true, get: () => maps().outputs });
  Object.defineProperty(vars, 'tasks', { enumerable: true, configurable: true, get: () => maps().tasks });
  if (execution.trigger) vars['trigger'] = { ...(execution.trigger.variables ?? {}) };
  if (task) vars['task'] = { id: task.id, type: task.type };
  if (taskRun) {
    vars['taskrun'] = {
      id: taskRun.id,
      startDate: taskRun.state.startDate,
      attemptsCount: Math.max(0, (taskRun.attempts?.length ?? 1) - 1),
      ...(taskRun.parentTaskRunId ? { parentId: taskRun.parentTaskRunId } : {}),
      ...(taskRun.value !== undefined ? { value: taskRun.value } : {}),
      ...(taskRun.iteration !== undefined ? { iteration: taskRun.iteration } : {}),
      ...(taskRun.outputs && typeof taskRun.outputs['items'] === 'string' ? { items: taskRun.outputs['items'] } : {}),
    };
    const byId = input.byId ?? new Map(execution.taskRunList.map((r) => [r.id, r]));
    const parents: Record<string, unknown>[] = [];
    let cur = taskRun.parentTaskRunId ? byId.get(taskRun.parentTaskRunId) : undefined;
    while (cur) {
      parents.push({
        taskrun: { id: cur.id, ...(cur.value !== undefined ? { value: cur.value } : {}), ...(cur.iteration !== undefined ? { iteration: cur.iteration } : {}) },
        outputs: outputsOf(cur) ?? {},
      });
      cur = cur.parentTaskRunId ? byId.get(cur.parentTaskRunId) : undefined;
    }
    if (parents.length > 0) {
      vars['parent'] = parents[0];
      vars['parents'] = parents;
    }
  }
  return vars;
}
