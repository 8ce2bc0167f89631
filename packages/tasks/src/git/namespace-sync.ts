import type { RunContext, RunnableTaskPlugin, TaskDefinition, TaskResult } from '@windhover/core';
import { GIT_TASK_SCHEMAS } from './descriptors';
import { TaskProperties } from './task-properties';
import { runTwoWaySync } from './two-way-sync';

/** io.kestra.plugin.git.NamespaceSync: one namespace's flows and files, Git ⇄ Windhover per `sourceOfTruth`. */
export const NamespaceSync: RunnableTaskPlugin = {
  ...GIT_TASK_SCHEMAS.NamespaceSync,
  kind: 'task',
  category: 'runnable',
  async run(task: TaskDefinition, ctx: RunContext): Promise<TaskResult> {
    const namespace = await new TaskProperties(task, ctx).required('namespace');
    return runTwoWaySync(task, ctx, { namespace, defaultCommitMessage: 'Namespace sync from Kestra' });
  },
};
