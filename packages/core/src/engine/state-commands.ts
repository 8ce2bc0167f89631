import type { StateType } from '../model/state';
import { isTerminated } from '../model/state';
import { finalize } from './decide';
import type { Draft } from './draft';
import type { ExecutionStatusChangeEvent, ForceRunRequestedEvent, UnqueueRequestedEvent } from './engine-types';

/** Target states of an unqueue (Kestra's ConcurrencyLimitService.VALID_TARGET_STATES). */
export const UNQUEUE_STATES: readonly StateType[] = ['RUNNING', 'CANCELLED', 'FAILED'];

/**
 * The API's state commands, applied by the executor like every other change
 * of an execution's run state. The API validated them; an event that no
 * longer applies (the state moved on meanwhile) changes nothing.
 */
export async function applyStateCommand(d: Draft, event: ExecutionStatusChangeEvent | UnqueueRequestedEvent | ForceRunRequestedEvent): Promise<void> {
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
