import { type RunContext, type RunnableTaskPlugin, type TaskDefinition, TaskFailure, type TaskResult } from '@windhover/core';
import { GIT_TASK_SCHEMAS } from './descriptors';
import { cleanDirectory, joinRepoPath } from './flow-source';
import { readConnection } from './git-connection';
import { createGitRemote } from './git-remote-factory';
import { readAuthor, writeIonOutput } from './git-task-support';
import { pathMatcher } from './globs';
import { pushToGit } from './push-engine';
import { TaskProperties } from './task-properties';

/**
 * io.kestra.plugin.git.PushNamespaceFiles: namespace file `/a/b.py` → `<gitDirectory>/a/b.py`,
 * byte for byte (binary files included), committed only when something changed.
 */
export const PushNamespaceFiles: RunnableTaskPlugin = {
  ...GIT_TASK_SCHEMAS.PushNamespaceFiles,
  kind: 'task',
  category: 'runnable',
  async run(task: TaskDefinition, ctx: RunContext): Promise<TaskResult> {
    const p = new TaskProperties(task, ctx);
    const conn = await readConnection(p);
    const branch = await p.string('branch', 'main');
    const namespace = await p.string('namespace', ctx.namespace);
    const globs = await p.stringList('files');
    const gitDirectory = cleanDirectory(await p.string('gitDirectory', '_files'));
    const commitMessage = await p.string('commitMessage', `Add files from ${namespace} namespace`);
    const errorOnMissing = await p.bool('errorOnMissing', false);
    const doDelete = await p.bool('delete', true);
    const dryRun = await p.bool('dryRun', false);
    const maxAttempts = await p.int('maxPushAttempts', 30);
    const author = await readAuthor(p, conn);
    const matches = pathMatcher(globs);

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
        const metas = (await ctx.namespaceFiles.list(namespace)).filter((m) => m.type === 'File' && !m.deleted && matches(m.path));
        if (metas.length === 0 && errorOnMissing) {
          throw TaskFailure.nonRetryable(`No namespace file of '${namespace}' matches ${JSON.stringify(globs ?? ['**'])}`);
        }
        const files = new Map<string, Uint8Array>();
        for (const m of metas) {
          const content = await ctx.namespaceFiles.get(namespace, m.path);
          if (content) files.set(joinRepoPath(gitDirectory, m.path), content);
        }
        return { files, mayDelete: doDelete ? (_repoPath, relative) => matches(`/${relative}`) : undefined };
      },
    });
    return {
      outputs: {
        commitId: outcome.commitId,
        commitURL: outcome.commitURL,
        files: await writeIonOutput(ctx, 'files', outcome.diff),
      },
    };
  },
};
