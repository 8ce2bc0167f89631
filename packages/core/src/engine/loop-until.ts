import type { TaskRun } from '../model/execution';
import type { TaskDefinition } from '../model/flow';
import type { StateType } from '../model/state';
import type { Draft } from './draft';
import { parseDurationMs } from './duration';
import { endRun } from './end-run';
import { errorMessage, failRun } from './start-run';

/**
 * A LoopUntil iteration ended without failure: evaluate `condition`; end the
 * loop, or wait `checkFrequency.interval` and start the next iteration
 * (0.23+ defaults: PT1M, unlimited iterations and duration).
 */
export async function finishLoopIteration(d: Draft, run: TaskRun, task: TaskDefinition, childState: StateType): Promise<boolean> {
  const k = Number(run.outputs?.['iterationCount'] ?? 1);
  const waitingKey = `loopWaiting:${run.id}`;
  if (d.flag(waitingKey) === k + 1) return false;
  let ok: boolean;
  try {
    ok = d.ctx.renderer.truthy(await d.ctx.renderer.renderTyped(task['condition'], d.variablesFor(run, task)));
  } catch (e) {
    failRun(d, run, `Unable to evaluate LoopUntil condition: ${errorMessage(e)}`);
    return true;
  }
  if (ok) {
    endRun(d, run.id, childState);
    return true;
  }
  const freq = (task['checkFrequency'] ?? {}) as { interval?: string; maxIterations?: number; maxDuration?: string };
  const maxIterations = typeof freq.maxIterations === 'number' ? freq.maxIterations : Number.POSITIVE_INFINITY;
  const maxDuration = parseDurationMs(freq.maxDuration) ?? Number.POSITIVE_INFINITY;
  const elapsed = d.now.getTime() - Date.parse(run.state.startDate);
  if (k >= maxIterations || elapsed >= maxDuration) {
    if (task['failOnMaxReached'] === true) {
      failRun(d, run, `LoopUntil reached its maximum (${k} iterations) before its condition was true`);
    } else {
      endRun(d, run.id, childState);
    }
    return true;
  }
  const interval = parseDurationMs(freq.interval) ?? 60_000;
  d.setFlag(waitingKey, k + 1);
  d.emit({
    kind: 'set-timer',
    id: `${run.id}:${k + 1}:loop`,
    fireAt: new Date(d.now.getTime() + interval).toISOString(),
    purpose: 'loop',
    taskRunId: run.id,
    seq: k + 1,
  });
  return true;
}

/** The loop timer fired: start iteration `seq`. */
export function startLoopIteration(d: Draft, run: TaskRun, seq: number): void {
  if (Number(run.outputs?.['iterationCount']) !== seq - 1) return;
  d.setFlag(`loopWaiting:${run.id}`, undefined);
  d.put({ ...run, outputs: { ...(run.outputs ?? {}), iterationCount: seq } });
}
