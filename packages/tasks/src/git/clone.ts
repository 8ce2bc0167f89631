import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { type RunContext, type RunnableTaskPlugin, type TaskDefinition, TaskFailure, type TaskResult } from '@windhover/core';
import { git } from './isomorphic-git-loader';
import { GIT_TASK_SCHEMAS } from './descriptors';
import { readConnection } from './git-connection';
import { createGitRemote } from './git-remote-factory';
import { TaskProperties } from './task-properties';

/**
 * io.kestra.plugin.git.Clone: clones into the WorkingDirectory (or a private
 * temporary folder), so later tasks of the same WorkingDirectory see the files.
 * Shallow (depth 1) and single-branch by default: Kestra fetches every branch
 * unless told otherwise, about 20 times slower on large monorepos (plugin-git#277).
 * `commit` and `tag` fetch the full history and check out a detached HEAD.
 */
export const Clone: RunnableTaskPlugin = {
  ...GIT_TASK_SCHEMAS.Clone,
  kind: 'task',
  category: 'runnable',
  async run(task: TaskDefinition, ctx: RunContext): Promise<TaskResult> {
    const p = new TaskProperties(task, ctx);
    const conn = await readConnection(p);
    const directory = await p.string('directory');
    const branch = await p.string('branch');
    const depth = await p.int('depth', 1);
    const commit = await p.string('commit');
    const tag = await p.string('tag');
    const cloneAllBranches = await p.bool('cloneAllBranches', false);
    const noTags = await p.bool('noTags', false);
    const cloneSubmodules = await p.bool('cloneSubmodules', false);
    const gitConfig = conn.gitConfig;
    if (tag && noTags && !commit) throw TaskFailure.nonRetryable('Clone: `tag` cannot be used with `noTags: true`');

    const root = ctx.workingDir ?? (await mkdtemp(join(tmpdir(), 'windhover-clone-')));
    const target = directory ? resolve(root, directory) : root;
    const rel = relative(root, target);
    if (rel.startsWith('..') || isAbsolute(rel)) throw TaskFailure.nonRetryable(`Clone: directory '${directory}' is outside the working directory`);
    await mkdir(target, { recursive: true });

    const remote = createGitRemote(conn, ctx.signal);
    const refs = await remote.listRefs();
    if (branch && !refs.heads.has(branch)) {
      throw TaskFailure.nonRetryable(`Branch '${branch}' does not exist in ${conn.url}${refs.heads.size ? ` (branches: ${[...refs.heads.keys()].sort().join(', ')})` : ': the repository is empty'}`);
    }
    if (tag && !commit && !refs.tags.has(tag)) throw TaskFailure.nonRetryable(`Tag '${tag}' does not exist in ${conn.url}`);
    const full = Boolean(commit || tag);
    const ref = commit ? undefined : tag ? tag : branch;
    await remote.clone(target, {
      ref,
      depth: full ? undefined : depth,
      singleBranch: full ? !commit : !cloneAllBranches,
      noTags: full ? false : noTags,
      noCheckout: Boolean(commit || tag),
    });

    if (commit || tag) {
      let oid: string;
      try {
        oid = commit ? await git.expandOid({ fs, dir: target, oid: commit }) : await git.resolveRef({ fs, dir: target, ref: `refs/tags/${tag}` });
        if (!commit) {
          const peeled = await git.readTag({ fs, dir: target, oid }).catch(() => undefined);
          if (peeled) oid = peeled.tag.object;
        }
      } catch {
        throw TaskFailure.nonRetryable(commit ? `Commit '${commit}' not found in ${conn.url}` : `Tag '${tag}' not found in ${conn.url}`);
      }
      await git.checkout({ fs, dir: target, ref: oid, force: true });
      // Detached HEAD at the commit, as `git checkout <sha>`.
      await fs.promises.writeFile(join(target, '.git', 'HEAD'), `${oid}\n`);
    }
    if (gitConfig) {
      for (const [path, value] of Object.entries(gitConfig)) {
        await git.setConfig({ fs, dir: target, path, value: value === null || value === '' ? undefined : (value as string | boolean | number) });
      }
    }
    if (cloneSubmodules && fs.existsSync(join(target, '.gitmodules'))) {
      await new Promise<void>((res, rej) =>
        execFile('git', ['submodule', 'update', '--init', '--recursive', '--depth', '1'], { cwd: target }, (err) =>
          err ? rej(TaskFailure.nonRetryable(`Clone: submodules need a git binary and access to their repositories: ${err.message}`)) : res(),
        ),
      );
    }
    const head = await git.resolveRef({ fs, dir: target, ref: 'HEAD' }).catch(() => undefined);
    ctx.logger.info(`Cloned ${conn.url}${ref ? ` (${ref})` : ''}${commit ? ` at ${commit}` : ''} into ${target}`);
    return { outputs: { directory: target, ...(head ? { commitId: head } : {}) } };
  },
};
