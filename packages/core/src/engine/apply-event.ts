import type { JsonValue } from '../model/json';
import type { StateType } from '../model/state';
import { isTerminated } from '../model/state';
import { T } from './core-task-types';
import type { Draft } from './draft';
import { endRun, settleAttempt } from './end-run';
import type { ExecutorEvent, SubflowEndedEvent, TaskResultEvent, TimerFiredEvent } from './engine-types';
import { itemsState, onItemEnded, onItemsMerged, onItemsSplit } from './for-each-item';
import { killAll } from './kill';
import { startLoopIteration } from './loop-until';
import { startRun } from './start-run';
import { finalize } from './decide';
import { asTaskList } from './flow-index';
import { applyStateCommand, markTaskRun } from './state-commands';

/** Applies one event to the draft (Kestra's executor handlers); resolution follows in advance(). */
export async function applyEvent(d: Draft, event: ExecutorEvent): Promise<void> {
  switch (event.type) {
    case 'created':
      return start(d, true);
    case 'slot-freed':
      if (d.state.current === 'QUEUED') return start(d, false);
      return;
    case 'task-result':
      return onTaskResult(d, event);
    case 'timer':
      return onTimer(d, event);
    case 'kill':
      return onKill(d);
    case 'resume':
      return onResume(d, event.inputs);
    case 'subflow-ended':
      return onSubflowEnded(d, event);
    case 'restart':
      return onRestart(d);
    case 'items-split':
      return onItemsSplit(d, event);
    case 'items-merged':
      return onItemsMerged(d, event);
    case 'change-status':
    case 'unqueue':
    case 'force-run':
    case 'pause':
      return applyStateCommand(d, event);
    case 'change-task-run-state': {
      const run = d.run(event.taskRunId);
      if (!run) return;
      if (run.state.current === 'PAUSED') return onResume(d, undefined, run.id, event.state);
      if (isTerminated(run.state.current)) return markTaskRun(d, run.id, event.state);
      endRun(d, run.id, event.state);
      return;
    }
  }
}

const ACTIVE: ReadonlySet<StateType> = new Set(['RUNNING', 'PAUSED', 'KILLING', 'RETRYING']);

async function start(d: Draft, checkSchedule: boolean): Promise<void> {
  const s = d.state.current;
  if (s !== 'CREATED' && s !== 'QUEUED' && s !== 'RESTARTED') return;
  if (d.flow.disabled) {
    d.log('ERROR', 'Cannot execute a flow which is disabled');
    await finalize(d, 'FAILED');
    return;
  }
  if (checkSchedule && d.base.scheduleDate && Date.parse(d.base.scheduleDate) > d.now.getTime()) {
    d.emit({ kind: 'set-timer', id: `${d.base.id}:scheduled-start`, fireAt: d.base.scheduleDate, purpose: 'scheduled-start' });
    return;
  }
  const c = d.flow.concurrency;
  if (c && s !== 'RESTARTED' && (d.ctx.runningExecutionsOfFlow ?? 0) >= c.limit) {
    const behavior = c.behavior ?? 'QUEUE';
    if (behavior === 'QUEUE') {
      if (s !== 'QUEUED') d.setExecutionState('QUEUED');
      return;
    }
    await refuseStart(d, behavior);
    return;
  }
  d.setExecutionState('RUNNING');
}

/**
 * Concurrency CANCEL / FAIL: the execution ends without running anything.
 * A FAILED end set as the exit state skips the flow's `retry` (a retry would
 * restart it around the limit).
 */
async function refuseStart(d: Draft, behavior: 'CANCEL' | 'FAIL'): Promise<void> {
  const state: StateType = behavior === 'CANCEL' ? 'CANCELLED' : 'FAILED';
  d.setFlag('exitState', state);
  await finalize(d, state);
}

function onTaskResult(d: Draft, ev: TaskResultEvent): void {
  const run = d.run(ev.taskRunId);
  if (!run || isTerminated(run.state.current)) return;
  const attempts = run.attempts ?? [];
  if (attempts.length !== ev.attempt || isTerminated(attempts[attempts.length - 1].state.current)) return;
  if (ev.outputsRef) d.engine.outputRefs = { ...(d.engine.outputRefs ?? {}), [run.id]: ev.outputsRef };
  const outputs = ev.outputsRef ? undefined : ev.outputs;
  if (ev.state === 'KILLED') {
    endRun(d, run.id, 'KILLED');
    return;
  }
  if (ev.parentOutputs) {
    const parent = d.run(ev.parentOutputs.taskRunId);
    if (parent && !isTerminated(parent.state.current)) d.put({ ...parent, outputs: { ...(parent.outputs ?? {}), ...ev.parentOutputs.outputs } });
  }
  settleAttempt(d, run.id, ev.state, { outputs, metrics: ev.metrics, retryable: ev.retryable });
}

async function onTimer(d: Draft, ev: TimerFiredEvent): Promise<void> {
  if (ev.purpose === 'scheduled-start') return start(d, false);
  if (ev.purpose === 'flow-retry') {
    if (d.state.current === 'RETRYING' && d.flag('flowRetries') === ev.seq) reopenFailed(d, 'RUNNING');
    return;
  }
  const run = ev.taskRunId ? d.run(ev.taskRunId) : undefined;
  if (!run) return;
  const task = d.index.get(run.taskId)?.task;
  if (!task) return;
  switch (ev.purpose) {
    case 'sleep':
      if (run.state.current === 'RUNNING' && run.attempts?.length === ev.seq) endRun(d, run.id, 'SUCCESS');
      return;
    case 'retry':
      if (run.state.current === 'RETRYING' && (run.attempts?.length ?? 0) === (ev.seq ?? 0) - 1 && ACTIVE.has(d.state.current) && d.state.current !== 'KILLING') {
        await startRun(d, run.id, task);
      }
      return;
    case 'loop':
      if (run.state.current === 'RUNNING' && ev.seq !== undefined) startLoopIteration(d, run, ev.seq);
      return;
    case 'pause': {
      if (run.state.current !== 'PAUSED') return;
      const behavior = String(task['behavior'] ?? 'RESUME');
      if (behavior === 'CANCEL') {
        killAll(d, 'CANCELLED');
        await finalize(d, 'CANCELLED');
        return;
      }
      const state: StateType = behavior === 'WARN' ? 'WARNING' : behavior === 'FAIL' ? 'FAILED' : 'SUCCESS';
      resumePauseRun(d, run.id, state, undefined);
      return;
    }
  }
}

function resumePauseRun(d: Draft, id: string, state: StateType, inputs: Readonly<Record<string, JsonValue>> | undefined): void {
  const run = d.run(id)!;
  const task = d.index.get(run.taskId)?.task;
  const outputs = inputs ? { onResume: inputs } : undefined;
  const hasChildren = asTaskList(task?.['tasks']).length > 0;
  if (state === 'SUCCESS' && hasChildren) {
    d.setRunState(id, 'RUNNING', outputs ? { outputs: { ...(run.outputs ?? {}), ...outputs } } : undefined);
    return;
  }
  endRun(d, id, state, outputs ? { outputs } : undefined);
}

function onResume(d: Draft, inputs: Readonly<Record<string, JsonValue>> | undefined, only?: string, state: StateType = 'SUCCESS'): void {
  if (d.state.current !== 'PAUSED' && !only) return;
  for (const r of [...d.runs]) {
    if (r.state.current !== 'PAUSED' || (only && r.id !== only)) continue;
    const t = d.index.get(r.taskId)?.task;
    if (t && d.typeOf(t)?.canonical === T.pause) resumePauseRun(d, r.id, state, inputs);
    else d.setRunState(r.id, 'RUNNING');
  }
  if (d.state.current === 'PAUSED') d.setExecutionState('RUNNING');
}

async function onKill(d: Draft): Promise<void> {
  const s = d.state.current;
  if (isTerminated(s)) return;
  if (s === 'CREATED' || s === 'QUEUED' || s === 'RESTARTED') {
    d.setExecutionState('KILLING');
    await finalize(d, 'KILLED');
    return;
  }
  d.setExecutionState('KILLING');
  killAll(d, 'KILLED');
}

function onSubflowEnded(d: Draft, ev: SubflowEndedEvent): void {
  const run = d.run(ev.taskRunId);
  if (run && run.state.current === 'RUNNING' && itemsState(d, run.id)) {
    onItemEnded(d, run, ev.childExecutionId, ev.childState);
    return;
  }
  if (run?.state.current !== 'RUNNING' || d.engine.subflows?.[run.id] !== ev.childExecutionId) return;
  const task = d.index.get(run.taskId)?.task;
  const transmitFailed = task?.['transmitFailed'] !== false;
  const failedLike = ev.childState === 'FAILED' || ev.childState === 'KILLED' || ev.childState === 'CANCELLED';
  const state: StateType = failedLike ? (transmitFailed ? 'FAILED' : 'SUCCESS') : ev.childState === 'WARNING' ? 'WARNING' : 'SUCCESS';
  const outputs: Record<string, JsonValue> = { executionId: ev.childExecutionId, state: ev.childState };
  if (ev.childOutputs) outputs['outputs'] = ev.childOutputs as JsonValue;
  settleAttempt(d, run.id, state, { outputs });
}

/**
 * Restart (core-spec §3.4 #8): failed task runs get a new attempt, their
 * failed parents run again, errors/finally/afterExecution task runs are
 * dropped, the execution goes RESTARTED then RUNNING.
 *
 * A restarted FAILED or KILLED execution goes through the flow's
 * concurrency check like a new one (Kestra: RESTARTED is a created state):
 * at the limit, QUEUE reopens it as QUEUED (it runs when a slot frees),
 * CANCEL ends it CANCELLED and FAIL ends it FAILED, its task runs
 * untouched. A PAUSED execution still holds its slot.
 */
async function onRestart(d: Draft): Promise<void> {
  const s = d.state.current;
  if (s !== 'FAILED' && s !== 'KILLED' && s !== 'PAUSED') return;
  const i = d.labels.findIndex((l) => l.key === 'system.restarted');
  if (i < 0) d.labels.push({ key: 'system.restarted', value: 'true' });
  d.setExecutionState('RESTARTED');
  const c = d.flow.concurrency;
  if (c && s !== 'PAUSED' && (d.ctx.runningExecutionsOfFlow ?? 0) >= c.limit) {
    const behavior = c.behavior ?? 'QUEUE';
    if (behavior === 'QUEUE') {
      reopenFailed(d, 'QUEUED');
      return;
    }
    await refuseStart(d, behavior);
    return;
  }
  reopenFailed(d, 'RUNNING');
}

/** Failed task runs get a new attempt, their failed parents run again, error/finally/afterExecution runs are dropped. */
function reopenFailed(d: Draft, state: StateType): void {
  const failed = d.runs.filter((r) => r.state.current === 'FAILED' || r.state.current === 'KILLED');
  const failedIds = new Set(failed.map((r) => r.id));
  const hasFailedChild = new Set<string>();
  for (const r of failed) if (r.parentTaskRunId) hasFailedChild.add(r.parentTaskRunId);
  // Runs of errors / finally branches and afterExecution, with their descendants, go away.
  const drop = new Set<string>();
  for (const r of d.runs) {
    const branch = d.index.get(r.taskId)?.branch;
    if (branch === 'errors' || branch === 'finally' || branch === 'afterExecution') drop.add(r.id);
  }
  let grew = true;
  while (grew) {
    grew = false;
    for (const r of d.runs) {
      if (!drop.has(r.id) && r.parentTaskRunId && drop.has(r.parentTaskRunId)) {
        drop.add(r.id);
        grew = true;
      }
    }
  }
  d.remove(drop);
  for (const id of failedIds) {
    const r = d.run(id);
    if (!r) continue;
    const task = d.index.get(r.taskId)?.task;
    const child = d.engine.subflows?.[id];
    // Subflow with restartBehavior RETRY_FAILED (default): restart the existing child and wait for it again.
    if (child && task && d.typeOf(task)?.canonical === T.subflow && task['restartBehavior'] !== 'NEW_EXECUTION') {
      d.setRunState(id, 'RUNNING');
      d.emit({ kind: 'restart-execution', id: `${child}:restart:${d.state.histories.length}`, targetExecutionId: child });
      continue;
    }
    d.setRunState(id, hasFailedChild.has(id) ? 'RUNNING' : 'RESTARTED');
  }
  d.outputs = undefined;
  d.engine.terminated = false;
  d.setExecutionState(state);
}
