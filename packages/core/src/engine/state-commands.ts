import type { StateType } from '../model/state';
import { isTerminated } from '../model/state';
import { finalize } from './decide';
import type { Draft } from './draft';
import type { ExecutionStatusChangeEvent, ForceRunRequestedEvent, PauseRequestedEvent, UnqueueRequestedEvent } from './engine-types';

/** Target states of an unqueue (Kestra's ConcurrencyLimitService.VALID_TARGET_STATES). */
export const UNQUEUE_STATES: readonly StateType[] = ['RUNNING', 'CANCELLED', 'FAILED'];

/**
 * The API's state commands, applied by the executor like every other change
 * of an execution's run state. The API validated them; an event that no
 * longer applies (the state moved on meanwhile) changes nothing.
 */
export async function applyStateCommand(d: Draft, event: ExecutionStatusChangeEvent | UnqueueRequestedEvent | ForceRunRequestedEvent | PauseRequestedEvent): Promise<void> {
  const s = d.state.current;
  switch (event.type) {
    case 'change-status':
      // Kestra's "Change status": a terminated execution gets another terminal state; task runs stay as they are.
      if (isTerminated(s) && isTerminated(event.state) && s !== event.state) d.setExecutionState(event.state);
      return;
    case 'unqueue':
      if (s !== 'QUEUED' || !UNQUEUE_STATES.includes(event.state)) return;
      if (event.state === 'RUNNING') return forceStart(d);
      // Ends without running anything; as the exit state, a FAILED end skips the flow's retry.
      d.log('INFO', `Execution unqueued as ${event.state}`);
      d.setFlag('exitState', event.state);
      await finalize(d, event.state);
      return;
    case 'force-run':
      if (s === 'CREATED' || s === 'QUEUED') return forceStart(d);
      return;
    case 'pause':
      // The flag holds decide() back (advance) until the execution leaves PAUSED (resume, kill).
      if (s !== 'RUNNING') return;
      d.setFlag('pausedByApi', true);
      d.setExecutionState('PAUSED');
      return;
  }
}

/** Starts now, whatever the flow's concurrency limit and the execution's scheduleDate say. */
async function forceStart(d: Draft): Promise<void> {
  if (d.flow.disabled) {
    d.log('ERROR', 'Cannot execute a flow which is disabled');
    await finalize(d, 'FAILED');
    return;
  }
  d.setExecutionState('RUNNING');
}

/**
 * Kestra's "Change status" of a task run of a terminated execution
 * (ExecutionService.markAs): the task run and its last attempt take the
 * state, its flowable parents run again, and the execution goes RESTARTED
 * then RUNNING, so that the flow continues after it (marking a failed task
 * SUCCESS lets the next ones run). Task runs of errors and finally
 * branches stay as they are, as in Kestra.
 */
export function markTaskRun(d: Draft, runId: string, state: StateType): void {
  const run = d.run(runId);
  if (!run || !isTerminated(d.state.current) || !isTerminated(run.state.current) || run.state.current === state) return;
  d.setRunState(runId, state);
  d.setAttemptState(runId, state);
  for (let p = run.parentTaskRunId; p; p = d.run(p)?.parentTaskRunId) {
    if (d.run(p)) d.setRunState(p, 'RUNNING');
  }
  d.outputs = undefined;
  d.engine.terminated = false;
  d.setFlag('exitState', undefined);
  d.setExecutionState('RESTARTED');
  d.setExecutionState('RUNNING');
}
