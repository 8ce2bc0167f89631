import type { TaskRun } from '../model/execution';
import type { TaskDefinition } from '../model/flow';
import type { StateType } from '../model/state';
import { isTerminated } from '../model/state';
import { guessFinalState } from './final-state';

/**
 * A chain of tasks run one after the other: the whole list of a Sequential,
 * one branch of a Parallel, one iteration of a ForEach, one node of a Dag.
 */
export interface Unit {
  readonly tasks: readonly TaskDefinition[];
  readonly value?: string;
  readonly iteration?: number;
  /** Task ids (of other units' single task) that must have succeeded first (Dag). */
  readonly dependsOn?: readonly string[];
}

/** What a flowable (or the flow itself) resolves: units of its main tasks, then errors, then finally. */
export interface Scope {
  readonly units: readonly Unit[];
  /** Max units running at once; 0 = unbounded. */
  readonly concurrency: number;
  readonly errors: readonly TaskDefinition[];
  readonly finally: readonly TaskDefinition[];
  /** The scope's task run of a task (for a loop iteration), if any. */
  readonly lookup: (taskId: string, iteration: number | undefined) => TaskRun | undefined;
  /** Every task run of the scope (only read once the scope is over). */
  readonly allRuns: () => readonly TaskRun[];
  /** Units before this index are known to be done (a hint from earlier passes). */
  readonly doneBefore?: number;
}

/** A task run to create: the task, and the loop value/iteration it runs under. */
export interface NextTask {
  readonly task: TaskDefinition;
  readonly value?: string;
  readonly iteration?: number;
}

export const enabled = (tasks: readonly TaskDefinition[]): TaskDefinition[] => tasks.filter((t) => t.disabled !== true);

const isFailedLike = (s: StateType): boolean => s === 'FAILED' || s === 'KILLED' || s === 'CANCELLED';

interface UnitStatus {
  readonly started: boolean;
  readonly active: boolean;
  readonly failed: boolean;
  readonly done: boolean;
  /** Index (among enabled tasks) of the first task without a task run; -1 when none. */
  readonly firstMissing: number;
}

/** One pass over a unit's tasks, without allocating (scopes can hold 10,000 units). */
function statusOf(tasks: readonly TaskDefinition[], iteration: number | undefined, scope: Scope): UnitStatus {
  let started = false;
  let active = false;
  let failed = false;
  let complete = true;
  let firstMissing = -1;
  for (let i = 0; i < tasks.length; i++) {
    const r = scope.lookup(tasks[i].id, iteration);
    if (!r) {
      complete = false;
      if (firstMissing < 0) firstMissing = i;
      continue;
    }
    started = true;
    const s = r.state.current;
    if (isFailedLike(s)) failed = true;
    else if (!isTerminated(s)) {
      active = true;
      complete = false;
    }
  }
  return { started, active, failed, done: !failed && complete, firstMissing };
}

/** Next tasks of a sequential list where failures do not stop the list (errors, finally). */
function nextInList(list: readonly TaskDefinition[], scope: Scope): NextTask[] | 'done' {
  for (const t of enabled(list)) {
    const r = scope.lookup(t.id, undefined);
    if (!r) return [{ task: t }];
    if (!isTerminated(r.state.current)) return [];
  }
  return 'done';
}

export type ScopePhase = 'main' | 'errors' | 'finally' | 'done';

export interface ScopeResolution {
  readonly phase: ScopePhase;
  readonly nexts: readonly NextTask[];
  /** Terminal state when `phase` is done. */
  readonly state?: StateType;
  /** Whether a main unit failed (errors branch taken). */
  readonly failed: boolean;
  /** Units before this index are done (hint for the next pass). */
  readonly doneBefore: number;
}

/**
 * Kestra's FlowableUtils resolution for one scope (core-spec §6.1): start
 * units within the concurrency bound, continue each started unit, stop
 * starting new ones after a failure; once the main part is over, run
 * `errors` (only after a failure), then `finally`; then the scope's state.
 *
 * Units start in order, so the started ones form a prefix: the scan stops at
 * the first unit not started, and skips the prefix known to be done. A pass
 * over a 10,000-iteration ForEach costs O(running iterations).
 */
export function resolveScope(scope: Scope, killing: boolean): ScopeResolution {
  const units = scope.units;
  const shared = units.length > 0 && units.every((u) => u.tasks === units[0].tasks) ? enabled(units[0].tasks) : undefined;
  const tasksOf = (u: Unit) => shared ?? enabled(u.tasks);
  const dag = units.some((u) => u.dependsOn);
  const limit = scope.concurrency > 0 ? scope.concurrency : Number.POSITIVE_INFINITY;
  let doneBefore = Math.min(scope.doneBefore ?? 0, units.length);
  let failed = false;
  let anyActive = false;
  let allDone = true;
  let running = 0;
  const continuations: NextTask[] = [];
  const pending: number[] = [];
  const doneTaskIds = new Set<string>();
  for (let i = dag ? 0 : doneBefore; i < units.length; i++) {
    const u = units[i];
    const tasks = tasksOf(u);
    const st = tasks.length === 0 ? { started: true, active: false, failed: false, done: true, firstMissing: -1 } : statusOf(tasks, u.iteration, scope);
    if (st.done) {
      if (i === doneBefore) doneBefore = i + 1;
      if (dag) for (const t of u.tasks) doneTaskIds.add(t.id);
      continue;
    }
    allDone = false;
    if (!st.started) {
      pending.push(i);
      if (!dag) break; // later units are not started either
      continue;
    }
    if (st.failed) failed = true;
    if (st.active) anyActive = true;
    if (!st.failed) {
      running++;
      if (!st.active && st.firstMissing >= 0) continuations.push({ task: tasks[st.firstMissing], value: u.value, iteration: u.iteration });
    }
  }
  if (!failed && !allDone) {
    if (killing) return { phase: 'main', nexts: [], failed, doneBefore };
    const nexts = [...continuations];
    if (dag) {
      for (const i of pending) {
        const u = units[i];
        if (running >= limit) break;
        if (u.dependsOn && !u.dependsOn.every((d) => doneTaskIds.has(d))) continue;
        nexts.push({ task: tasksOf(u)[0], value: u.value, iteration: u.iteration });
        running++;
      }
    } else {
      for (let i = pending[0] ?? units.length; i < units.length && running < limit; i++) {
        const u = units[i];
        const tasks = tasksOf(u);
        if (tasks.length === 0) continue;
        nexts.push({ task: tasks[0], value: u.value, iteration: u.iteration });
        running++;
      }
    }
    return { phase: 'main', nexts, failed, doneBefore };
  }
  if (anyActive) return { phase: 'main', nexts: [], failed, doneBefore };
  if (killing) return { phase: 'done', nexts: [], failed, state: 'KILLED', doneBefore };
  if (failed) {
    const e = nextInList(scope.errors, scope);
    if (e !== 'done') return { phase: 'errors', nexts: e, failed, doneBefore };
  }
  const f = nextInList(scope.finally, scope);
  if (f !== 'done') return { phase: 'finally', nexts: f, failed, doneBefore };
  const mainIds = new Set<string>();
  for (const u of units) for (const t of u.tasks) mainIds.add(t.id);
  for (const t of scope.finally) mainIds.add(t.id);
  const states = scope
    .allRuns()
    .filter((r) => mainIds.has(r.taskId))
    .map((r) => r.state.current);
  return { phase: 'done', nexts: [], failed, state: guessFinalState(states), doneBefore };
}
