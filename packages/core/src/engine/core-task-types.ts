import type { TaskCategory } from '../plugins/plugin';
import type { TaskTypeInfo } from './engine-types';

const P = 'io.kestra.plugin.core.';
const L = 'io.kestra.core.tasks.';

/** Canonical names of the tasks decide() handles itself. */
export const T = {
  sequential: `${P}flow.Sequential`,
  parallel: `${P}flow.Parallel`,
  forEach: `${P}flow.ForEach`,
  if: `${P}flow.If`,
  switch: `${P}flow.Switch`,
  allowFailure: `${P}flow.AllowFailure`,
  dag: `${P}flow.Dag`,
  loopUntil: `${P}flow.LoopUntil`,
  pause: `${P}flow.Pause`,
  workingDirectory: `${P}flow.WorkingDirectory`,
  sleep: `${P}flow.Sleep`,
  subflow: `${P}flow.Subflow`,
  forEachItem: `${P}flow.ForEachItem`,
  labels: `${P}execution.Labels`,
  setVariables: `${P}execution.SetVariables`,
  unsetVariables: `${P}execution.UnsetVariables`,
  exit: `${P}execution.Exit`,
  fail: `${P}execution.Fail`,
  assert: `${P}execution.Assert`,
  resume: `${P}execution.Resume`,
} as const;

/**
 * Core task types and their legacy aliases, with Kestra's category. The
 * runtime resolves types through the plugin registry; this table is the
 * fallback for the tasks the executor itself implements.
 */
const TABLE: readonly [string, TaskCategory, readonly string[]][] = [
  [T.sequential, 'flowable', [`${L}flows.Sequential`]],
  [T.parallel, 'flowable', [`${L}flows.Parallel`]],
  [T.forEach, 'flowable', [`${L}flows.ForEach`]],
  [T.if, 'flowable', [`${L}flows.If`]],
  [T.switch, 'flowable', [`${L}flows.Switch`]],
  [T.allowFailure, 'flowable', [`${L}flows.AllowFailure`]],
  [T.dag, 'flowable', [`${L}flows.Dag`]],
  [T.loopUntil, 'flowable', [`${P}flow.WaitFor`, `${L}flows.WaitFor`]],
  [T.pause, 'flowable', [`${L}flows.Pause`]],
  [T.workingDirectory, 'flowable', [`${L}flows.WorkingDirectory`]],
  [T.sleep, 'runnable', [`${L}flows.Sleep`]],
  [T.subflow, 'executable', [`${L}flows.Subflow`, `${L}flows.Flow`, `${P}flow.Flow`]],
  [T.forEachItem, 'executable', [`${L}flows.ForEachItem`]],
  [T.labels, 'execution-updatable', [`${L}executions.Labels`]],
  [T.setVariables, 'execution-updatable', []],
  [T.unsetVariables, 'execution-updatable', []],
  [T.exit, 'execution-updatable', []],
  [T.fail, 'execution-updatable', [`${L}executions.Fail`]],
  [T.assert, 'execution-updatable', []],
  [T.resume, 'execution-updatable', []],
  [`${P}log.Log`, 'runnable', [`${L}log.Log`]],
  [`${P}debug.Return`, 'runnable', [`${L}debugs.Return`]],
  [`${P}output.OutputValues`, 'runnable', [`${L}outputs.OutputValues`]],
];

const BY_NAME = new Map<string, TaskTypeInfo>();
for (const [canonical, category, aliases] of TABLE) {
  for (const n of [canonical, ...aliases]) BY_NAME.set(n, { canonical, category });
}

/** Type info of a core task (or alias); undefined for other types. */
export function coreTaskType(type: string): TaskTypeInfo | undefined {
  return BY_NAME.get(type);
}

/** Task types the executor runs itself, whatever the registry says about their category. */
export const EXECUTOR_TASKS: ReadonlySet<string> = new Set(Object.values(T));
