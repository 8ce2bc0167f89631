import { type RunContext, type RunnableTaskPlugin, type TaskDefinition, TaskFailure, type TaskResult } from '@windhover/core';
import { GIT_TASK_SCHEMAS } from './descriptors';
import { cleanDirectory, readFlowIdentity, rewriteTopLevelNamespace } from './flow-source';
import { readConnection } from './git-connection';
import { createGitRemote } from './git-remote-factory';
import { cloneForRead, clonedCommit, decoder, requireBranch } from './git-task-support';
import type { LocalRepo } from './local-repo';
import { TaskProperties } from './task-properties';

/** io.kestra.plugin.git.SyncFlow: one flow file from Git into `targetNamespace`; outputs flowId, namespace, revision. */
export const SyncFlow: RunnableTaskPlugin = {
  ...GIT_TASK_SCHEMAS.SyncFlow,
  kind: 'task',
  category: 'runnable',
  async run(task: TaskDefinition, ctx: RunContext): Promise<TaskResult> {
    const p = new TaskProperties(task, ctx);
    const conn = await readConnection(p);
    const branch = await p.string('branch', 'main');
    const targetNamespace = await p.required('targetNamespace');
    const flowPath = cleanDirectory(await p.required('flowPath'));
    const dryRun = await p.bool('dryRun', false);
    const remote = createGitRemote(conn, ctx.signal);
    let head = requireBranch(await remote.listRefs(), branch, conn);
    let repo: LocalRepo | undefined;
    try {
      repo = await cloneForRead(remote, branch);
      head = await clonedCommit(repo, head);
      const bytes = await repo.readFile(head, flowPath);
      if (!bytes) throw TaskFailure.nonRetryable(`The file '${flowPath}' was not found on branch '${branch}' of ${conn.url}`);
      const source = rewriteTopLevelNamespace(decoder.decode(bytes), targetNamespace);
      const ident = readFlowIdentity(source);
      if (!ident.identity) {
        throw TaskFailure.nonRetryable(`Invalid flow imported from Git (${flowPath}${ident.problem?.line ? `:${ident.problem.line}` : ''}): ${ident.problem?.message}`);
      }
      const problems = await ctx.flows.validate(source);
      if (problems.length > 0) {
        const list = problems.map((pr) => `  - ${flowPath}${pr.line ? `:${pr.line}` : ''}: ${pr.path ? `${pr.path}: ` : ''}${pr.message}`).join('\n');
        throw TaskFailure.nonRetryable(`Invalid flow imported from Git (${flowPath}), nothing was applied:\n${list}`);
      }
      const { id } = ident.identity;
      // Planned first, dry run or not: a subflow cycle with the stored flows fails the same way in both, and
      // the plan counts revisions the way the save does (a flow deleted at revision 2 comes back as 3).
      const [plan] = await ctx.flows.plan([source]);
      if (plan && plan.problems.length > 0) {
        const list = plan.problems.map((pr) => `  - ${flowPath}: ${pr.path ? `${pr.path}: ` : ''}${pr.message}`).join('\n');
        throw TaskFailure.nonRetryable(`Invalid flow imported from Git (${flowPath}), nothing was applied:\n${list}`);
      }
      let revision = plan?.revision ?? 1;
      if (!dryRun) {
        const saved = await ctx.flows.save(source);
        revision = saved.flow.revision;
        ctx.logger.info(`Flow '${targetNamespace}.${id}' ${saved.status.toLowerCase()} from ${flowPath} at ${head.slice(0, 12)} (revision ${revision})`);
      }
      return { outputs: { flowId: id, namespace: targetNamespace, revision, commitId: head } };
    } finally {
      await repo?.dispose();
    }
  },
};
