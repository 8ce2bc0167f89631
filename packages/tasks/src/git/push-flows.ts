import type { RunContext, RunnableTaskPlugin, TaskDefinition, TaskResult } from '@windhover/core';
import { GIT_TASK_SCHEMAS } from './descriptors';
import { cleanDirectory, folderOfNamespace, isInNamespaceTree, joinRepoPath, rewriteNamespaceReferences, stripRevision } from './flow-source';
import { readConnection } from './git-connection';
import { createGitRemote } from './git-remote-factory';
import { encoder, readAuthor, writeIonOutput } from './git-task-support';
import { nameMatcher } from './globs';
import { pushToGit } from './push-engine';
import { TaskProperties } from './task-properties';

const isYaml = (path: string): boolean => /\.ya?ml$/i.test(path);

/**
 * io.kestra.plugin.git.PushFlows: flows of a namespace → `<gitDirectory>/<child folders>/<id>.yml`,
 * one commit when something changed, pushed with rebase-and-retry on concurrent pushes.
 * Pruning (`delete`, default true) only removes flow files (`.yml`/`.yaml`) of the
 * namespaces this task exports: child-namespace folders are left alone unless
 * `includeChildNamespaces`, and READMEs and other files are never removed.
 */
export const PushFlows: RunnableTaskPlugin = {
  ...GIT_TASK_SCHEMAS.PushFlows,
  kind: 'task',
  category: 'runnable',
  async run(task: TaskDefinition, ctx: RunContext): Promise<TaskResult> {
    const p = new TaskProperties(task, ctx);
    const conn = await readConnection(p);
    const branch = await p.string('branch', 'main');
    const sourceNamespace = await p.string('sourceNamespace', ctx.namespace);
    const targetNamespace = (await p.string('targetNamespace')) || sourceNamespace;
    const globs = await p.stringList('flows');
    const includeChildNamespaces = await p.bool('includeChildNamespaces', false);
    const gitDirectory = cleanDirectory(await p.string('gitDirectory', '_flows'));
    const commitMessage = await p.string('commitMessage', `Add flows from ${sourceNamespace} namespace`);
    const doDelete = await p.bool('delete', true);
    const dryRun = await p.bool('dryRun', false);
    const maxAttempts = await p.int('maxPushAttempts', 30);
    const author = await readAuthor(p, conn);
    const matches = nameMatcher(globs);

    const outcome = await pushToGit({
      ctx,
      conn,
      remote: createGitRemote(conn, ctx.signal),
      branch,
      gitDirectory,
      dryRun,
      commitMessage,
      author,
      maxAttempts,
      content: async () => {
        const flows = (await ctx.flows.list({ namespace: sourceNamespace, includeChildNamespaces })).filter(
          (f) =>
            !f.deleted &&
            (includeChildNamespaces ? isInNamespaceTree(f.flow.namespace, sourceNamespace) : f.flow.namespace === sourceNamespace) &&
            matches(f.flow.id),
        );
        const files = new Map<string, Uint8Array>();
        for (const f of flows) {
          const path = joinRepoPath(gitDirectory, folderOfNamespace(sourceNamespace, f.flow.namespace), `${f.flow.id}.yml`);
          files.set(path, encoder.encode(rewriteNamespaceReferences(stripRevision(f.source), sourceNamespace, targetNamespace)));
        }
        const mayDelete = (_repoPath: string, relative: string): boolean => {
          if (!isYaml(relative)) return false;
          if (!includeChildNamespaces && relative.includes('/')) return false;
          if (!globs) return true;
          const name = relative.slice(relative.lastIndexOf('/') + 1);
          const stem = name.replace(/\.ya?ml$/i, '');
          return matches(stem) || matches(name) || matches(relative);
        };
        return { files, mayDelete: doDelete ? mayDelete : undefined };
      },
    });
    return {
      outputs: {
        commitId: outcome.commitId,
        commitURL: outcome.commitURL,
        flows: await writeIonOutput(ctx, 'flows', outcome.diff),
      },
    };
  },
};
