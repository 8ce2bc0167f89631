import type { Execution, ExecutionQuery, ExecutionRepository, Page, StateType, TaskDefinition } from '@windhover/core';
import { isTerminated } from '@windhover/core';
import { METRIC_NAMES } from './env-names';

/** Where metrics go: Powertools EMF in the functions, an array in tests. */
export interface MetricsSink {
  count(name: string, value: number, dimensions?: Readonly<Record<string, string>>): void;
  milliseconds(name: string, value: number, dimensions?: Readonly<Record<string, string>>): void;
}

/** Optional hooks of the decorator: task types (for Git sync results) and terminal executions (events). */
export interface ExecutionObservers {
  /** The type of a task of a flow revision, or undefined (reads go through the flow repository's cache). */
  taskType?(execution: Execution, taskId: string): Promise<string | undefined>;
  /** Called once per process when an execution reaches a terminal state; errors are the observer's. */
  terminated?(execution: Execution): Promise<void>;
}

/** Finds a task by id anywhere in a flow's task tree (then/else/tasks/errors/finally/...). */
export function findTaskType(tasks: readonly TaskDefinition[] | undefined, taskId: string): string | undefined {
  for (const t of tasks ?? []) {
    if (t.id === taskId) return t.type;
    for (const value of Object.values(t)) {
      if (Array.isArray(value) && value.every((v) => v && typeof v === 'object' && 'id' in v && 'type' in v)) {
        const found = findTaskType(value as TaskDefinition[], taskId);
        if (found) return found;
      }
    }
  }
  return undefined;
}

const ms = (from: string, to: string | undefined): number | undefined => {
  if (!to) return undefined;
  const d = Date.parse(to) - Date.parse(from);
  return Number.isFinite(d) && d >= 0 ? d : undefined;
};

/**
 * Observes the executions the engine saves and turns state changes into
 * metrics: executions started and ended by state with their durations, and
 * task runs ended by state with their durations. It remembers the states it
 * last read or wrote, so each transition is counted once per process even if
 * a save is retried; a redelivered event in another process may count twice
 * (at-least-once, like the engine).
 */
export class MeteredExecutionRepository implements ExecutionRepository {
  private readonly seen = new Map<string, { state: StateType; taskRuns: Map<string, StateType> }>();

  constructor(
    private readonly inner: ExecutionRepository,
    private readonly sink: MetricsSink,
    private readonly observers: ExecutionObservers = {},
  ) {}

  async get(tenantId: string, id: string): Promise<Execution | undefined> {
    const e = await this.inner.get(tenantId, id);
    if (e) this.remember(e);
    return e;
  }

  async save(execution: Execution, expectedVersion: number | undefined): Promise<Execution> {
    const saved = await this.inner.save(execution, expectedVersion);
    const before = this.seen.get(execution.id);
    if (expectedVersion === undefined) this.sink.count(METRIC_NAMES.EXECUTIONS_STARTED, 1);
    const state = execution.state.current;
    const ended = isTerminated(state) && (!before || !isTerminated(before.state));
    if (ended) {
      this.sink.count(METRIC_NAMES.EXECUTIONS_ENDED, 1, { state });
      const d = ms(execution.state.startDate, execution.state.endDate);
      if (d !== undefined) this.sink.milliseconds(METRIC_NAMES.EXECUTION_DURATION, d);
    }
    for (const tr of execution.taskRunList) {
      const was = before?.taskRuns.get(tr.id);
      if (isTerminated(tr.state.current) && (!was || !isTerminated(was))) {
        this.sink.count(METRIC_NAMES.TASK_RUNS_ENDED, 1, { state: tr.state.current });
        const d = ms(tr.state.startDate, tr.state.endDate);
        if (d !== undefined) this.sink.milliseconds(METRIC_NAMES.TASK_RUN_DURATION, d);
        const type = await this.observers.taskType?.(execution, tr.taskId);
        if (type?.startsWith('io.kestra.plugin.git.')) {
          this.sink.count(METRIC_NAMES.GIT_SYNCS, 1, { result: tr.state.current, task: type.slice('io.kestra.plugin.git.'.length) });
        }
      }
    }
    this.remember(saved);
    if (ended) await this.observers.terminated?.(saved);
    return saved;
  }

  find(tenantId: string, query: ExecutionQuery): Promise<Page<Execution>> {
    return this.inner.find(tenantId, query);
  }

  delete(tenantId: string, id: string): Promise<void> {
    this.seen.delete(id);
    return this.inner.delete(tenantId, id);
  }

  private remember(e: Execution): void {
    this.seen.delete(e.id);
    this.seen.set(e.id, { state: e.state.current, taskRuns: new Map(e.taskRunList.map((t) => [t.id, t.state.current])) });
    if (this.seen.size > 1000) this.seen.delete(this.seen.keys().next().value as string);
  }
}
