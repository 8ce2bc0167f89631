import type { Execution, TaskRun } from '../model/execution';
import type { Flow } from '../model/flow';
import type { JsonValue } from '../model/json';
import { coreTaskType, T } from './core-task-types';
import type { TaskTypeInfo } from './engine-types';
import { FlowIndex } from './flow-index';
import { buildRunVariables } from './run-variables';

export interface TaskRunVariablesOptions {
  readonly taskType?: (type: string) => TaskTypeInfo | undefined;
  readonly instanceVariables?: Readonly<Record<string, unknown>>;
  /** Outputs kept in internal storage (task run id -> outputs). */
  readonly externalOutputs?: ReadonlyMap<string, Readonly<Record<string, JsonValue>>>;
  readonly index?: FlowIndex;
}

/**
 * The expression context of one task run as a worker sees it (core-spec
 * §7.2), with outputs of loop children nested by value like decide() does.
 */
export function buildTaskRunVariables(flow: Flow, execution: Execution, taskRun: TaskRun | undefined, options: TaskRunVariablesOptions = {}): Record<string, unknown> {
  const index = options.index ?? new FlowIndex(flow);
  const typeOf = (type: string) => options.taskType?.(type) ?? coreTaskType(type);
  const byId = new Map(execution.taskRunList.map((r) => [r.id, r]));
  const isLoopChild = (r: TaskRun): boolean => {
    const p = r.parentTaskRunId ? byId.get(r.parentTaskRunId) : undefined;
    const t = p && index.get(p.taskId);
    return !!t && typeOf(t.task.type)?.canonical === T.forEach;
  };
  const ext = options.externalOutputs;
  return buildRunVariables({
    flow,
    execution,
    taskRun,
    task: taskRun ? index.get(taskRun.taskId)?.task : undefined,
    instanceVariables: options.instanceVariables,
    outputsOf: (r) => ext?.get(r.id) ?? r.outputs,
    isLoopChild,
    byId,
  });
}
