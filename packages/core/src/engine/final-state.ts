import type { StateType } from '../model/state';

/**
 * Kestra's `guessFinalState` over the states of a scope's task runs
 * (core-spec §6.6): KILLED > FAILED > WARNING > PAUSED > SUCCESS;
 * SKIPPED and RETRIED count as success.
 */
export function guessFinalState(states: Iterable<StateType>): StateType {
  let kill = false;
  let fail = false;
  let warn = false;
  let pause = false;
  let cancel = false;
  for (const s of states) {
    if (s === 'KILLED') kill = true;
    else if (s === 'FAILED') fail = true;
    else if (s === 'WARNING') warn = true;
    else if (s === 'PAUSED') pause = true;
    else if (s === 'CANCELLED') cancel = true;
  }
  if (kill) return 'KILLED';
  if (fail) return 'FAILED';
  if (cancel) return 'CANCELLED';
  if (warn) return 'WARNING';
  if (pause) return 'PAUSED';
  return 'SUCCESS';
}

/** allowFailure / allowWarning applied to a task's own terminal state. */
export function applyAllowances(state: StateType, task: { allowFailure?: boolean; allowWarning?: boolean }): StateType {
  let s = state;
  if (s === 'FAILED' && task.allowFailure) s = 'WARNING';
  if (s === 'WARNING' && task.allowWarning) s = 'SUCCESS';
  return s;
}
