import type { TaskRun } from '../model/execution';
import type { TaskDefinition } from '../model/flow';
import type { JsonValue } from '../model/json';
import type { Scope, Unit } from './branches';
import { T } from './core-task-types';
import type { Draft } from './draft';
import { asTaskList, isDagEntry } from './flow-index';

const list = (v: unknown): readonly TaskDefinition[] => asTaskList(v);
const num = (v: unknown, dflt: number): number => (typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : dflt);

/** Child tasks of a Switch for its rendered value (`cases`, else `defaults`/`default`). */
export function switchBranch(task: TaskDefinition, value: string): { tasks: readonly TaskDefinition[]; isDefault: boolean } {
  const cases = (task['cases'] ?? {}) as Record<string, unknown>;
  if (Object.hasOwn(cases, value)) return { tasks: list(cases[value]), isDefault: false };
  return { tasks: list(task['defaults'] ?? task['default']), isDefault: true };
}

/**
 * The scope a running flowable resolves (its units, errors and finally), or
 * undefined when the flowable does not resolve children (yet).
 */
export function scopeOf(d: Draft, run: TaskRun, task: TaskDefinition, canonical: string): Scope | undefined {
  const errors = list(task['errors']);
  const fin = list(task['finally']);
  const value = run.value;
  const iteration = run.iteration;
  const seq = (tasks: readonly TaskDefinition[]): Unit[] => [{ tasks, value, iteration: undefined }];
  const base = {
    errors,
    finally: fin,
    lookup: (taskId: string, it: number | undefined) => d.childByKey(run.id, taskId, it),
    allRuns: () => d.children(run.id),
    doneBefore: d.scopeHints.get(run.id),
  };
  void iteration;
  switch (canonical) {
    case T.sequential:
    case T.allowFailure:
    // WorkingDirectory runs its children one after the other; the worker gives them one shared folder.
    case T.workingDirectory:
      return { ...base, units: seq(list(task['tasks'])), concurrency: 1 };
    case T.parallel:
      return {
        ...base,
        units: list(task['tasks']).map((t) => ({ tasks: [t], value })),
        concurrency: num(task['concurrent'], 0),
      };
    case T.if: {
      const result = run.outputs?.['evaluationResult'];
      if (typeof result !== 'boolean') return undefined;
      return { ...base, units: seq(list(result ? task['then'] : task['else'])), concurrency: 1 };
    }
    case T.switch: {
      const v = run.outputs?.['value'];
      if (typeof v !== 'string') return undefined;
      return { ...base, units: seq(switchBranch(task, v).tasks), concurrency: 1 };
    }
    case T.forEach: {
      const values = d.engine.loopValues?.[run.id];
      if (!values) return undefined;
      const tasks = list(task['tasks']);
      let units = d.unitCache.get(run.id);
      if (!units) {
        units = values.map((v, i) => ({ tasks, value: v, iteration: i }));
        d.unitCache.set(run.id, units);
      }
      return {
        ...base,
        units,
        concurrency: num(task['concurrencyLimit'], 1),
      };
    }
    case T.dag: {
      const entries = (Array.isArray(task['tasks']) ? task['tasks'] : []).filter(isDagEntry);
      return {
        ...base,
        units: entries.map((e) => ({ tasks: [e.task], value, dependsOn: e.dependsOn ?? [] })),
        concurrency: num(task['concurrent'], 0),
      };
    }
    case T.loopUntil: {
      const k = run.outputs?.['iterationCount'];
      if (typeof k !== 'number') return undefined;
      // One unit per iteration: the done-prefix hint of an earlier iteration does not apply.
      return { ...base, doneBefore: undefined, units: [{ tasks: list(task['tasks']), value, iteration: k - 1 }], concurrency: 1 };
    }
    case T.pause: {
      if (run.state.current === 'PAUSED') return undefined;
      return { ...base, units: seq(list(task['tasks'])), concurrency: 1 };
    }
    default:
      return undefined;
  }
}

/** Flowable types that resolve children. */
export const FLOWABLE_WITH_CHILDREN: ReadonlySet<string> = new Set([
  T.sequential,
  T.allowFailure,
  T.parallel,
  T.if,
  T.switch,
  T.forEach,
  T.dag,
  T.loopUntil,
  T.pause,
  T.workingDirectory,
]);

/** ForEach `values`: a list, or a JSON array string; objects become JSON strings (Kestra's taskrun.value). */
export function normaliseLoopValues(rendered: unknown): string[] {
  let v = rendered;
  if (typeof v === 'string') {
    const t = v.trim();
    if (t.startsWith('[')) {
      try {
        v = JSON.parse(t);
      } catch {
        throw new Error(`Unable to parse ForEach values '${t}' as a JSON array`);
      }
    } else {
      throw new Error(`ForEach values must be a list or a JSON array, got '${t}'`);
    }
  }
  if (!Array.isArray(v)) throw new Error('ForEach values must be a list');
  return v.map((x: JsonValue) => (typeof x === 'string' ? x : JSON.stringify(x)));
}
