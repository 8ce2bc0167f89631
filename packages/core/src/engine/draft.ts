import type { Execution, LogEntry, TaskRun, TaskRunAttempt } from '../model/execution';
import type { Flow, Label, TaskDefinition } from '../model/flow';
import type { JsonValue } from '../model/json';
import type { State, StateType } from '../model/state';
import { isTerminated } from '../model/state';
import { coreTaskType, T } from './core-task-types';
import type { Unit } from './branches';
import type { EngineState } from './engine-state';
import { APPLIED_EVENTS_KEPT } from './engine-state';
import type { DecideContext, Effect, TaskTypeInfo } from './engine-types';
import { FlowIndex } from './flow-index';
import { buildOutputMaps, buildRunVariables } from './run-variables';
import { newState, withState } from './state-ops';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * A mutable working copy of an execution for one decide() step. Steps
 * change it through these methods; `build()` freezes it into the next
 * Execution. Indexes keep a step O(task runs).
 */
export class Draft {
  readonly index: FlowIndex;
  readonly now: Date;
  readonly effects: Effect[] = [];
  readonly logs: LogEntry[] = [];
  state: State;
  labels: Label[];
  variables: Record<string, JsonValue>;
  outputs: Record<string, JsonValue> | undefined;
  readonly runs: TaskRun[];
  readonly engine: Mutable<EngineState>;
  #pos = new Map<string, number>();
  #children = new Map<string, string[]>();
  /** parent id ('' = root) -> `taskId\u0000iteration` -> latest task run id. */
  #childKey = new Map<string, Map<string, string>>();
  /** Task runs not terminated yet. */
  #open = new Set<string>();
  /** Per flowable task run: units known done (resolveScope hint), valid for this step. */
  readonly scopeHints = new Map<string, number>();
  /** ForEach units by task run id (values do not change within a step). */
  readonly unitCache = new Map<string, readonly Unit[]>();
  #version = 0;
  #cache: { version: number; maps: { outputs: Record<string, unknown>; tasks: Record<string, unknown> } } | undefined;
  #byIdCache: { version: number; map: Map<string, TaskRun> } | undefined;
  /** Inline task runs this step may still execute. */
  inlineLeft: number;

  constructor(
    readonly flow: Flow,
    readonly base: Execution,
    readonly ctx: DecideContext,
  ) {
    this.index = new FlowIndex(flow);
    this.now = ctx.now;
    this.inlineLeft = ctx.inlineBudget ?? 10_000;
    this.state = base.state;
    this.labels = [...base.labels];
    this.variables = { ...(base.variables ?? {}) };
    this.outputs = base.outputs ? { ...base.outputs } : undefined;
    this.runs = [...base.taskRunList];
    const e = base.engine;
    this.engine = {
      appliedEvents: e?.appliedEvents ?? [],
      outbox: [],
      loopValues: e?.loopValues,
      firstAttemptAt: e?.firstAttemptAt,
      outputRefs: e?.outputRefs,
      subflows: e?.subflows,
      terminated: e?.terminated,
      flags: e?.flags,
    };
    this.runs.forEach((r, i) => {
      this.#index(r, i);
    });
  }

  #index(r: TaskRun, i: number): void {
    this.#pos.set(r.id, i);
    const key = r.parentTaskRunId ?? '';
    const list = this.#children.get(key);
    if (list) list.push(r.id);
    else this.#children.set(key, [r.id]);
    let keys = this.#childKey.get(key);
    if (!keys) {
      keys = new Map();
      this.#childKey.set(key, keys);
    }
    keys.set(`${r.taskId}\u0000${r.iteration ?? ''}`, r.id);
    this.#track(r);
  }

  #track(r: TaskRun): void {
    if (isTerminated(r.state.current)) this.#open.delete(r.id);
    else this.#open.add(r.id);
  }

  /** The task run of `taskId` (for a loop iteration) under a parent (undefined = root). */
  childByKey(parentId: string | undefined, taskId: string, iteration: number | undefined): TaskRun | undefined {
    const id = this.#childKey.get(parentId ?? '')?.get(`${taskId}\u0000${iteration ?? ''}`);
    return id === undefined ? undefined : this.run(id);
  }

  /** Task runs not terminated yet, most recent first. */
  openRuns(): TaskRun[] {
    return [...this.#open]
      .map((id) => this.#pos.get(id)!)
      .sort((a, b) => b - a)
      .map((i) => this.runs[i]);
  }

  #reindex(): void {
    this.#pos.clear();
    this.#children.clear();
    this.#childKey.clear();
    this.#open.clear();
    this.scopeHints.clear();
    this.runs.forEach((r, i) => {
      this.#index(r, i);
    });
    this.#version++;
  }

  typeOf(task: TaskDefinition): TaskTypeInfo | undefined {
    return this.ctx.taskType(task.type) ?? coreTaskType(task.type);
  }

  run(id: string): TaskRun | undefined {
    const i = this.#pos.get(id);
    return i === undefined ? undefined : this.runs[i];
  }

  children(parentId: string | undefined): TaskRun[] {
    return (this.#children.get(parentId ?? '') ?? []).map((id) => this.run(id)!).filter(Boolean);
  }

  add(run: TaskRun): void {
    this.runs.push(run);
    this.#index(run, this.runs.length - 1);
    this.#version++;
  }

  put(run: TaskRun): void {
    const i = this.#pos.get(run.id);
    if (i === undefined) throw new Error(`task run ${run.id} not found`);
    this.runs[i] = run;
    this.#track(run);
    this.#version++;
  }

  /** Removes task runs (restart); indexes are rebuilt. */
  remove(ids: ReadonlySet<string>): void {
    const kept = this.runs.filter((r) => !ids.has(r.id));
    this.runs.length = 0;
    this.runs.push(...kept);
    this.#reindex();
  }

  newRun(task: TaskDefinition, parent: TaskRun | undefined, id: string, value?: string, iteration?: number): TaskRun {
    const run: Mutable<TaskRun> = {
      id,
      executionId: this.base.id,
      namespace: this.base.namespace,
      flowId: this.base.flowId,
      taskId: task.id,
      state: newState('CREATED', this.now),
    };
    if (parent) run.parentTaskRunId = parent.id;
    if (value !== undefined) run.value = value;
    if (iteration !== undefined) run.iteration = iteration;
    return run;
  }

  /** Moves a task run to `type` (no-op when already there). */
  setRunState(id: string, type: StateType, patch?: Partial<Mutable<TaskRun>>): TaskRun {
    const r = this.run(id)!;
    const next: TaskRun = { ...r, ...(patch ?? {}), state: withState(r.state, type, this.now) };
    this.put(next);
    return next;
  }

  /** Updates the last attempt's state (and metrics). */
  setAttemptState(id: string, type: StateType, metrics?: TaskRunAttempt['metrics']): void {
    const r = this.run(id)!;
    const attempts = [...(r.attempts ?? [])];
    if (attempts.length === 0) return;
    const last = attempts[attempts.length - 1];
    attempts[attempts.length - 1] = { ...last, state: withState(last.state, type, this.now), ...(metrics ? { metrics } : {}) };
    this.put({ ...r, attempts });
  }

  addAttempt(id: string): number {
    const r = this.run(id)!;
    const attempts = [...(r.attempts ?? []), { state: withState(newState('CREATED', this.now), 'RUNNING', this.now) }];
    this.put({ ...r, attempts });
    return attempts.length;
  }

  setExecutionState(type: StateType): void {
    this.state = withState(this.state, type, this.now);
  }

  emit(effect: Effect): void {
    if (!this.effects.some((e) => e.id === effect.id)) this.effects.push(effect);
  }

  log(level: LogEntry['level'], message: string, run?: TaskRun): void {
    this.logs.push({
      tenantId: this.base.tenantId,
      namespace: this.base.namespace,
      flowId: this.base.flowId,
      executionId: this.base.id,
      ...(run ? { taskId: run.taskId, taskRunId: run.id, attemptNumber: Math.max(1, run.attempts?.length ?? 1) } : {}),
      timestamp: this.now.toISOString(),
      level,
      message,
    });
  }

  setFlag(key: string, value: JsonValue | undefined): void {
    const flags = { ...(this.engine.flags ?? {}) };
    if (value === undefined) delete flags[key];
    else flags[key] = value;
    this.engine.flags = flags;
  }

  flag(key: string): JsonValue | undefined {
    return this.engine.flags?.[key];
  }

  /** The execution as it stands now (used for rendering and as the result). */
  snapshot(): Execution {
    const { version: _v, ...rest } = this.base;
    return {
      ...rest,
      ...(this.base.version !== undefined ? { version: this.base.version } : {}),
      state: this.state,
      labels: this.labels,
      variables: this.variables,
      ...(this.outputs ? { outputs: this.outputs } : {}),
      taskRunList: this.runs,
    };
  }

  #isLoopChild = (r: TaskRun): boolean => {
    if (!r.parentTaskRunId) return false;
    const p = this.run(r.parentTaskRunId);
    if (!p) return false;
    const t = this.index.get(p.taskId);
    const info = t && this.typeOf(t.task);
    return info?.canonical === T.forEach;
  };

  /** Outputs kept in storage that this step produced (inline runs): task run id -> outputs. */
  readonly localOutputs = new Map<string, Readonly<Record<string, JsonValue>>>();

  outputsOf = (r: TaskRun): Readonly<Record<string, JsonValue>> | undefined =>
    this.localOutputs.get(r.id) ?? this.ctx.externalOutputs?.get(r.id) ?? r.outputs;

  byId(): Map<string, TaskRun> {
    if (!this.#byIdCache || this.#byIdCache.version !== this.#version) {
      this.#byIdCache = { version: this.#version, map: new Map(this.runs.map((r) => [r.id, r])) };
    }
    return this.#byIdCache.map;
  }

  /** The expression context for a task run (or the execution when none). */
  variablesFor(run?: TaskRun, task?: TaskDefinition): Record<string, unknown> {
    const execution = this.snapshot();
    const version = this.#version;
    return buildRunVariables({
      flow: this.flow,
      execution,
      taskRun: run,
      task,
      instanceVariables: this.ctx.instanceVariables,
      outputsOf: this.outputsOf,
      lazyMaps: () => {
        if (!this.#cache || this.#cache.version !== version) {
          this.#cache = { version, maps: buildOutputMaps(execution, this.outputsOf, this.#isLoopChild) };
        }
        return this.#cache.maps;
      },
      byId: { get: (id: string) => this.run(id) },
    });
  }

  markApplied(eventId: string): void {
    const list = [...this.engine.appliedEvents, eventId];
    this.engine.appliedEvents = list.length > APPLIED_EVENTS_KEPT ? list.slice(list.length - APPLIED_EVENTS_KEPT) : list;
  }

  build(): Execution {
    this.engine.outbox = this.effects;
    const engine: EngineState = Object.fromEntries(
      Object.entries(this.engine).filter(([, v]) => v !== undefined),
    ) as unknown as EngineState;
    return { ...this.snapshot(), engine };
  }
}
