import type { Metric } from '../model/execution';
import type { JsonValue } from '../model/json';
import type { StateType } from '../model/state';
import { isTerminated } from '../model/state';
import type { Draft } from './draft';
import { applyAllowances } from './final-state';
import { nextRetryDelayMs } from './retry';

/**
 * Ends a task run's current attempt with `state` and the task run with the
 * same state after allowFailure / allowWarning (core-spec §6.6).
 */
export function endRun(
  d: Draft,
  id: string,
  state: StateType,
  patch?: { outputs?: Readonly<Record<string, JsonValue>>; metrics?: readonly Metric[] },
): void {
  const run = d.run(id);
  if (!run) return;
  const task = d.index.get(run.taskId)?.task;
  const attempts = run.attempts ?? [];
  if (attempts.length > 0 && !isTerminated(attempts[attempts.length - 1].state.current)) {
    d.setAttemptState(id, state, patch?.metrics);
  }
  let final = state;
  const retry = task?.retry as { warningOnRetry?: boolean } | undefined;
  if (final === 'SUCCESS' && attempts.length > 1 && retry?.warningOnRetry) final = 'WARNING';
  if (task) final = applyAllowances(final, task);
  d.setRunState(id, final, patch?.outputs ? { outputs: { ...(run.outputs ?? {}), ...patch.outputs } } : undefined);
}

/**
 * Applies the outcome of an attempt: a failure is retried when the task's
 * `retry` allows it (RETRYING, then a timer or an immediate new attempt),
 * otherwise the task run ends. Returns the retry delay when retrying.
 */
export function settleAttempt(
  d: Draft,
  id: string,
  state: StateType,
  options: { outputs?: Readonly<Record<string, JsonValue>>; metrics?: readonly Metric[]; retryable?: boolean } = {},
): number | undefined {
  const run = d.run(id)!;
  const task = d.index.get(run.taskId)?.task;
  if (state === 'FAILED' && options.retryable !== false && task?.retry && d.state.current !== 'KILLING') {
    const attempts = run.attempts?.length ?? 1;
    const first = d.engine.firstAttemptAt?.[id];
    const elapsed = first ? d.now.getTime() - Date.parse(first) : 0;
    const delay = nextRetryDelayMs(task.retry, attempts, elapsed, id);
    if (delay !== undefined) {
      d.setAttemptState(id, 'FAILED', options.metrics);
      d.setRunState(id, 'RETRYING', options.outputs ? { outputs: options.outputs } : undefined);
      d.emit({
        kind: 'set-timer',
        id: `${id}:${attempts + 1}:retry`,
        fireAt: new Date(d.now.getTime() + delay).toISOString(),
        purpose: 'retry',
        taskRunId: id,
        seq: attempts + 1,
      });
      return delay;
    }
  }
  endRun(d, id, state, options);
  return undefined;
}
