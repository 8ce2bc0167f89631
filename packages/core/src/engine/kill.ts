import type { StateType } from '../model/state';
import { isTerminated } from '../model/state';
import type { Draft } from './draft';
import { runningItems } from './for-each-item';

/**
 * Ends every unfinished task run with `state` (KILLED or CANCELLED): workers
 * are asked to abort their attempts and running subflows are killed too
 * (cascade). Late results of these task runs are ignored.
 */
export function killAll(d: Draft, state: Extract<StateType, 'KILLED' | 'CANCELLED'>): void {
  for (const r of [...d.runs]) {
    if (isTerminated(r.state.current)) continue;
    const attempts = r.attempts?.length ?? 0;
    if (attempts > 0 && !isTerminated(r.attempts![attempts - 1].state.current)) {
      d.setAttemptState(r.id, state);
      d.emit({ kind: 'abort-task', id: `${r.id}:${attempts}:abort`, taskRunId: r.id });
    }
    const child = d.engine.subflows?.[r.id];
    if (child) d.emit({ kind: 'kill-execution', id: `${child}:kill`, targetExecutionId: child });
    for (const c of runningItems(d, r.id)) d.emit({ kind: 'kill-execution', id: `${c}:kill`, targetExecutionId: c });
    if (r.state.current !== 'KILLING' && state === 'KILLED') d.setRunState(r.id, 'KILLING');
    d.setRunState(r.id, state);
  }
}
