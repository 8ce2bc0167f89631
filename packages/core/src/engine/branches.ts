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
  /** All task runs whose parent is the scope's task run (root: runs without parent). */
  readonly runs: readonly TaskRun[];
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
  readonly runs: readonly (TaskRun | undefined)[];
  readonly started: boolean;
  readonly active: boolean;
  readonly failed: boolean;
  readonly done: boolean;
}

function unitRuns(unit: Unit, byKey: ReadonlyMap<string, TaskRun>): (TaskRun | undefined)[] {
  return enabled(unit.tasks).map((t) => byKey.get(runKey(t.id, unit.iteration)));
}

const runKey = (taskId: string, iteration: number | undefined): string => `${taskId}\u0000${iteration ?? ''}`;

function statusOf(unit: Unit, byKey: ReadonlyMap<string, TaskRun>): UnitStatus {
  const runs = unitRuns(unit, byKey);
  const present = runs.filter((r): r is TaskRun => r !== undefined);
  const failed = present.some((r) => isFailedLike(r.state.current));
  const active = present.some((r) => !isTerminated(r.state.current));
  const done = !failed && runs.every((r) => r !== undefined && isTerminated(r.state.current));
  return { runs, started: present.length > 0, active, failed, done };
}

function keyRuns(runs: readonly TaskRun[]): Map<string, TaskRun> {
  const m = new Map<string, TaskRun>();
  for (const r of runs) m.set(runKey(r.taskId, r.iteration), r);
  return m;
}

/** Next tasks of a sequential list where failures do not stop the list (errors, finally). */
function nextInList(list: readonly TaskDefinition[], byKey: ReadonlyMap<string, TaskRun>): NextTask[] | 'done' {
  for (const t of enabled(list)) {
    const r = byKey.get(runKey(t.id, undefined));
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
}

/**
 * Kestra's FlowableUtils resolution for one scope (core-spec §6.1): start
 * units within the concurrency bound, continue each started unit, stop
 * starting new ones after a failure; once the main part is over, run
 * `errors` (only after a failure), then `finally`; then the scope's state.
 */
export function resolveScope(scope: Scope, killing: boolean): ScopeResolution {
  const byKey = keyRuns(scope.runs);
  const statuses = scope.units.map((u) => statusOf(u, byKey));
  const failed = statuses.some((s) => s.failed);
  const anyMainActive = statuses.some((s) => s.active);
  const allDone = statuses.every((s) => s.done);
  const nexts: NextTask[] = [];

  if (!failed && !allDone) {
    if (killing) return { phase: 'main', nexts, failed };
    let running = statuses.filter((s) => s.started && !s.done && !s.failed).length;
    const limit = scope.concurrency > 0 ? scope.concurrency : Number.POSITIVE_INFINITY;
    const doneTaskIds = new Set<string>();
    scope.units.forEach((u, i) => {
      if (statuses[i].done) for (const t of u.tasks) doneTaskIds.add(t.id);
    });
    scope.units.forEach((u, i) => {
      const s = statuses[i];
      const tasks = enabled(u.tasks);
      if (s.started) {
        if (s.active || s.done || s.failed) return;
        const idx = s.runs.indexOf(undefined);
        if (idx >= 0) nexts.push({ task: tasks[idx], value: u.value, iteration: u.iteration });
        return;
      }
      if (tasks.length === 0 || running >= limit) return;
      if (u.dependsOn && !u.dependsOn.every((d) => doneTaskIds.has(d))) return;
      nexts.push({ task: tasks[0], value: u.value, iteration: u.iteration });
      running++;
    });
    return { phase: 'main', nexts, failed };
  }
  if (anyMainActive) return { phase: 'main', nexts, failed };
  if (killing) {
    return { phase: 'done', nexts, failed, state: 'KILLED' };
  }
  if (failed) {
    const e = nextInList(scope.errors, byKey);
    if (e !== 'done') return { phase: 'errors', nexts: e, failed };
  }
  const f = nextInList(scope.finally, byKey);
  if (f !== 'done') return { phase: 'finally', nexts: f, failed };
  const mainIds = new Set<string>();
  for (const u of scope.units) for (const t of u.tasks) mainIds.add(t.id);
  for (const t of scope.finally) mainIds.add(t.id);
  const states = scope.runs.filter((r) => mainIds.has(r.taskId)).map((r) => r.state.current);
  return { phase: 'done', nexts, failed, state: guessFinalState(states) };
}
