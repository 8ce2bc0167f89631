import type { Execution, ExecutionQuery, ExecutionRepository, Page, StateType } from '@windhover/core';
import { isTerminated } from '@windhover/core';
import { METRIC_NAMES } from './env-names';

/** Where metrics go: Powertools EMF in the functions, an array in tests. */
export interface MetricsSink {
  count(name: string, value: number, dimensions?: Readonly<Record<string, string>>): void;
  milliseconds(name: string, value: number, dimensions?: Readonly<Record<string, string>>): void;
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
    if (isTerminated(state) && (!before || !isTerminated(before.state))) {
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
      }
    }
    this.remember(saved);
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
