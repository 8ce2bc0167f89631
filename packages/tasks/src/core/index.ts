import type { PluginDescriptor, RunnableTaskPlugin } from '@windhover/core';
import { CORE_EXECUTION_DESCRIPTORS } from '../schemas/core-execution';
import { CORE_FLOW_DESCRIPTORS } from '../schemas/core-flow';
import { Return } from './debug';
import { Download, Request } from './http';
import { Fetch, Log } from './log';
import { OutputValues } from './output';
import { Concat, Delete, PurgeCurrentExecutionFiles, Size, Split, Write } from './storage';

export { Return } from './debug';
export { Download, Request } from './http';
export { Fetch, Log } from './log';
export { OutputValues } from './output';
export { Concat, Delete, PurgeCurrentExecutionFiles, Size, Split, Write, parseBytes } from './storage';
export { toIon } from './ion';

/** Runnable core tasks that run on a worker. */
export const CORE_RUNNABLE_TASKS: readonly RunnableTaskPlugin[] = [Log, Fetch, Return, OutputValues, Write, Delete, Size, Concat, Split, PurgeCurrentExecutionFiles, Request, Download];

/** Types the executor itself runs (flowable, executable, execution-updatable, Sleep, Pause). */
const EXECUTOR_TYPES = new Set([
  'io.kestra.plugin.core.flow.Sequential',
  'io.kestra.plugin.core.flow.Parallel',
  'io.kestra.plugin.core.flow.ForEach',
  'io.kestra.plugin.core.flow.If',
  'io.kestra.plugin.core.flow.Switch',
  'io.kestra.plugin.core.flow.AllowFailure',
  'io.kestra.plugin.core.flow.Dag',
  'io.kestra.plugin.core.flow.LoopUntil',
  'io.kestra.plugin.core.flow.Pause',
  'io.kestra.plugin.core.flow.WorkingDirectory',
  'io.kestra.plugin.core.flow.Sleep',
  'io.kestra.plugin.core.flow.Subflow',
  'io.kestra.plugin.core.flow.ForEachItem',
  'io.kestra.plugin.core.execution.Fail',
  'io.kestra.plugin.core.execution.Exit',
  'io.kestra.plugin.core.execution.Labels',
  'io.kestra.plugin.core.execution.SetVariables',
  'io.kestra.plugin.core.execution.UnsetVariables',
  'io.kestra.plugin.core.execution.Assert',
  'io.kestra.plugin.core.execution.Resume',
]);

/** Descriptors of the core tasks the engine implements inside the executor. */
export const CORE_EXECUTOR_TASKS: readonly PluginDescriptor[] = [...CORE_FLOW_DESCRIPTORS, ...CORE_EXECUTION_DESCRIPTORS].filter((d) => EXECUTOR_TYPES.has(d.type));
