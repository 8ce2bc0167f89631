import type { Execution, LogEntry } from '../model/execution';
import type { Flow } from '../model/flow';
import type { StateType } from '../model/state';
import { isTerminated } from '../model/state';
import type { Scope } from './branches';
import { resolveScope } from './branches';
import { T } from './core-task-types';
import { Draft } from './draft';
import type { DecideContext, Effect, ExecutorEvent } from './engine-types';
import { applyEvent } from './apply-event';
import { endRun } from './end-run';
import { FLOWABLE_WITH_CHILDREN, scopeOf } from './flowables';
import { asTaskList } from './flow-index';
import { renderFlowOutputs } from './flow-outputs';
import { deriveId } from './ids';
import { nextRetryDelayMs } from './retry';
import { finishLoopIteration } from './loop-until';
import { createRun, errorMessage, startRun } from './start-run';

export interface Decision {
  readonly execution: Execution;
  /** Effects to dispatch (also kept in `execution.engine.outbox`). */
  readonly effects: readonly Effect[];
  /** Log lines the executor produced (failed expressions, Fail/Assert messages). */
  readonly logs: readonly LogEntry[];
  /** True when the event had already been applied: nothing changed; re-dispatch the outbox. */
  readonly duplicate: boolean;
}

const MAX_PASSES = 100_000;

/**
 * The executor: applies one event to an execution and returns the next
 * execution and the effects to carry out. Pure apart from the injected
 * renderer; time comes from `ctx.now`, ids are derived.
 *
 * @example
 * const { execution: next, effects } = await decide(flow, execution, { type: 'created', id: `${id}:created`, tenantId, executionId: id }, ctx);
 */
export async function decide(flow: Flow, execution: Execution, event: ExecutorEvent, ctx: DecideContext): Promise<Decision> {
  if (execution.engine?.appliedEvents.includes(event.id)) {
    return { execution, effects: execution.engine.outbox, logs: [], duplicate: true };
  }
  const d = new Draft(flow, execution, ctx);
  await applyEvent(d, event);
  await advance(d);
  announcePause(d, execution);
  d.markApplied(event.id);
  return { execution: d.build(), effects: d.effects, logs: d.logs, duplicate: false };
}

/** An execution that entered PAUSED in this step is announced once per pause (Flow triggers on PAUSED). */
function announcePause(d: Draft, before: Execution): void {
  if (d.state.current !== 'PAUSED' || before.state.current === 'PAUSED') return;
  d.emit({ kind: 'execution-paused', id: `${d.base.id}:paused:${d.state.histories.length}`, namespace: d.base.namespace, flowId: d.base.flowId });
}

/**
 * Applies several events in order, then resolves once: the same result as
 * deciding them one by one when none of them depends on the resolution of
 * the previous one (task results of independent task runs). Already applied
 * events are skipped. Used by the runtime to settle inline task runs in bulk.
 */
export async function decideBatch(flow: Flow, execution: Execution, events: readonly ExecutorEvent[], ctx: DecideContext): Promise<Decision> {
  const fresh = events.filter((ev) => !execution.engine?.appliedEvents.includes(ev.id));
  if (fresh.length === 0) return { execution, effects: execution.engine?.outbox ?? [], logs: [], duplicate: true };
  const d = new Draft(flow, execution, ctx);
  for (const ev of fresh) {
    await applyEvent(d, ev);
    d.markApplied(ev.id);
  }
  await advance(d);
  announcePause(d, execution);
  return { execution: d.build(), effects: d.effects, logs: d.logs, duplicate: false };
}

const ACTIVE_EXECUTION: ReadonlySet<StateType> = new Set(['RUNNING', 'KILLING', 'PAUSED']);

function rootScope(d: Draft): Scope {
  const after = new Set(asTaskList(d.flow.afterExecution).map((t) => t.id));
  return {
    units: [{ tasks: asTaskList(d.flow.tasks) }],
    concurrency: 1,
    errors: asTaskList(d.flow.errors),
    finally: asTaskList(d.flow.finally),
    lookup: (taskId, it) => d.childByKey(undefined, taskId, it),
    allRuns: () => d.children(undefined).filter((r) => !after.has(r.taskId)),
  };
}

/** Ends the execution: flow outputs, terminal state, effects for waiters, parents and the concurrency slot. */
export async function finalize(d: Draft, state: StateType): Promise<void> {
  let final = state;
  if (final === 'FAILED' && d.flow.retry && d.flag('exitState') === undefined) {
    const next = flowRetry(d);
    if (next === 'retrying') return;
    if (next === 'retried') final = 'RETRIED';
  }
  if (final === 'SUCCESS' || final === 'WARNING') {
    try {
      const outputs = await renderFlowOutputs(d);
      if (outputs) d.outputs = outputs;
    } catch (e) {
      d.log('ERROR', `Unable to render flow outputs: ${errorMessage(e)}`);
      final = 'FAILED';
    }
  }
  if (final === 'KILLED' && d.state.current !== 'KILLING') d.setExecutionState('KILLING');
  d.setExecutionState(final);
  d.engine.terminated = true;
  d.setFlag('exitState', undefined);
  const seq = d.state.histories.length;
  d.emit({ kind: 'execution-terminated', id: `${d.base.id}:terminated:${seq}`, state: final, namespace: d.base.namespace, flowId: d.base.flowId });
  const trigger = d.base.trigger;
  const parentExecutionId = trigger?.variables?.['executionId'];
  const parentTaskRunId = trigger?.variables?.['taskRunId'];
  if (typeof parentExecutionId === 'string' && typeof parentTaskRunId === 'string') {
    d.emit({
      kind: 'notify-parent',
      id: `${d.base.id}:ended:${seq}`,
      parentExecutionId,
      parentTaskRunId,
      state: final,
      ...(d.outputs ? { outputs: d.outputs } : {}),
    });
  }
}

/**
 * Flow-level `retry` (core-spec §6.3): RETRY_FAILED_TASK puts the
 * execution in RETRYING and re-runs its failed task runs after the delay;
 * CREATE_NEW_EXECUTION ends this one RETRIED and starts a new attempt.
 */
function flowRetry(d: Draft): 'retrying' | 'retried' | undefined {
  const retry = d.flow.retry!;
  if (retry.behavior === 'CREATE_NEW_EXECUTION') {
    const attempt = d.base.metadata.attemptNumber;
    const elapsed = d.now.getTime() - Date.parse(d.base.metadata.originalCreatedDate);
    const delay = nextRetryDelayMs(retry, attempt, elapsed, d.base.originalId);
    if (delay === undefined) return undefined;
    d.emit({
      kind: 'retry-execution',
      id: `${d.base.id}:retry-execution`,
      newExecutionId: deriveId(d.base.originalId, 'attempt', attempt + 1),
      scheduleDate: new Date(d.now.getTime() + delay).toISOString(),
      attemptNumber: attempt + 1,
    });
    return 'retried';
  }
  const done = Number(d.flag('flowRetries') ?? 0);
  const elapsed = d.now.getTime() - Date.parse(d.base.state.startDate);
  const delay = nextRetryDelayMs(retry, done + 1, elapsed, d.base.id);
  if (delay === undefined) return undefined;
  d.setFlag('flowRetries', done + 1);
  d.setExecutionState('RETRYING');
  d.emit({ kind: 'set-timer', id: `${d.base.id}:flow-retry:${done + 1}`, fireAt: new Date(d.now.getTime() + delay).toISOString(), purpose: 'flow-retry', seq: done + 1 });
  return 'retrying';
}

/** One resolution pass over running flowables and the root; returns whether anything changed. */
async function pass(d: Draft): Promise<boolean> {
  let changed = false;
  const killing = d.state.current === 'KILLING';
  // Task runs put back by a restart start a new attempt.
  for (const r of d.openRuns().filter((x) => x.state.current === 'RESTARTED').reverse()) {
    const t = d.index.get(r.taskId)?.task;
    if (!t || killing) continue;
    await startRun(d, r.id, t);
    changed = true;
  }
  // Running flowables, innermost (most recent) first.
  const ids = d.openRuns().map((r) => r.id);
  for (const id of ids) {
    const run = d.run(id);
    if (!run || isTerminated(run.state.current) || run.state.current === 'PAUSED') continue;
    const task = d.index.get(run.taskId)?.task;
    if (!task) continue;
    const c = d.typeOf(task)?.canonical;
    if (!c || !FLOWABLE_WITH_CHILDREN.has(c)) continue;
    const scope = scopeOf(d, run, task, c);
    if (!scope) continue;
    const res = resolveScope(scope, killing);
    d.scopeHints.set(id, res.doneBefore);
    if (res.phase === 'done') {
      if (c === T.loopUntil && res.state !== 'KILLED' && res.state !== 'FAILED') {
        changed = (await finishLoopIteration(d, run, task, res.state ?? 'SUCCESS')) || changed;
        continue;
      }
      let state = res.state ?? 'SUCCESS';
      if (c === T.allowFailure && state === 'FAILED') state = 'WARNING';
      endRun(d, id, state);
      changed = true;
      continue;
    }
    for (const next of res.nexts) {
      await createRun(d, next, d.run(id));
      changed = true;
    }
  }
  // The flow itself.
  const exit = d.flag('exitState');
  if (typeof exit === 'string') {
    await finalize(d, exit as StateType);
    return true;
  }
  const res = resolveScope(rootScope(d), killing);
  if (res.phase === 'done') {
    await finalize(d, res.state ?? 'SUCCESS');
    return true;
  }
  if (killing && d.openRuns().length === 0) {
    await finalize(d, 'KILLED');
    return true;
  }
  for (const next of res.nexts) {
    await createRun(d, next, undefined);
    changed = true;
  }
  return changed;
}

/** afterExecution tasks run one after the other once the execution is terminal (core-spec §6.4). */
async function afterExecutionPass(d: Draft): Promise<boolean> {
  const list = asTaskList(d.flow.afterExecution).filter((t) => t.disabled !== true);
  if (list.length === 0) return false;
  const runs = new Map(d.children(undefined).map((r) => [r.taskId, r]));
  for (const t of list) {
    const r = runs.get(t.id);
    if (!r) {
      await createRun(d, { task: t }, undefined);
      return true;
    }
    if (!isTerminated(r.state.current)) return false;
  }
  return false;
}

function syncPaused(d: Draft): void {
  const paused = d.openRuns().some((r) => r.state.current === 'PAUSED');
  if (paused && d.state.current === 'RUNNING') d.setExecutionState('PAUSED');
  else if (!paused && d.state.current === 'PAUSED') d.setExecutionState('RUNNING');
}

/** Resolves until nothing changes: Kestra's handleNext / handleEnd loop. */
async function advance(d: Draft): Promise<void> {
  // An execution paused through the API (state-commands.ts) starts nothing until it leaves PAUSED.
  if (d.state.current !== 'PAUSED' && d.flag('pausedByApi') !== undefined) d.setFlag('pausedByApi', undefined);
  const heldByApi = () => d.state.current === 'PAUSED' && d.flag('pausedByApi') === true;
  for (let i = 0; i < MAX_PASSES; i++) {
    let changed: boolean;
    if (ACTIVE_EXECUTION.has(d.state.current) && !d.engine.terminated && !heldByApi()) {
      changed = await pass(d);
      if (!d.engine.terminated) syncPaused(d);
    } else if (d.engine.terminated && isTerminated(d.state.current)) {
      changed = await afterExecutionPass(d);
    } else {
      changed = false;
    }
    if (!changed) return;
  }
  throw new Error(`execution ${d.base.id} did not settle after ${MAX_PASSES} passes`);
}
