import type { Metric } from '../model/execution';
import type { TaskDefinition } from '../model/flow';
import type { JsonValue } from '../model/json';
import type { PluginDescriptor } from './plugin';
import type { RunContext } from './run-context';

export interface TaskResult {
  readonly outputs?: Readonly<Record<string, JsonValue>>;
  /** SUCCESS unless the task says WARNING. Failures are thrown (see TaskFailure). */
  readonly state?: 'SUCCESS' | 'WARNING';
  readonly metrics?: readonly Metric[];
}

/** A task that runs on a worker: `run` receives the task as written (after pluginDefaults) and renders what it needs. */
export interface RunnableTaskPlugin extends PluginDescriptor {
  readonly kind: 'task';
  readonly category: 'runnable';
  run(task: TaskDefinition, ctx: RunContext): Promise<TaskResult>;
}
