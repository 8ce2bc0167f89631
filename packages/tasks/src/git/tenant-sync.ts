import type { RunContext, RunnableTaskPlugin, TaskDefinition, TaskResult } from '@windhover/core';
import { GIT_TASK_SCHEMAS } from './descriptors';
import { runTwoWaySync } from './two-way-sync';

/**
 * io.kestra.plugin.git.TenantSync: every namespace of the tenant (those with flows,
 * and those found in Git), flows and namespace files. `kestraUrl` and `auth` are
 * accepted for compatibility and not needed: tasks reach Windhover in-process.
 */
export const TenantSync: RunnableTaskPlugin = {
  ...GIT_TASK_SCHEMAS.TenantSync,
  kind: 'task',
  category: 'runnable',
  async run(task: TaskDefinition, ctx: RunContext): Promise<TaskResult> {
    return runTwoWaySync(task, ctx, { defaultCommitMessage: 'Tenant sync from Kestra' });
  },
};
