import { type RunContext, type RunnableTaskPlugin, type TaskDefinition, TaskFailure, type TaskResult } from '@windhover/core';
import { GIT_TASK_SCHEMAS } from './descriptors';
import { cleanDirectory, joinRepoPath, sha256 } from './flow-source';
import { readConnection } from './git-connection';
import { createGitRemote } from './git-remote-factory';
import { cloneForRead, clonedCommit, decoder, requireBranch, writeIonOutput } from './git-task-support';
import { KestraIgnore } from './kestra-ignore';
import type { LocalRepo } from './local-repo';
import { recordFailure } from './sync-flows';
import { type ManagedObject, readSyncState, type SyncStateRecord, syncStateKey, writeSyncState } from './sync-state';
import { TaskProperties } from './task-properties';

export type FileSyncState = 'ADDED' | 'OVERWRITTEN' | 'UNCHANGED' | 'DELETED';

/** One row of SyncNamespaceFiles' `files` output (plugin-git's ION shape). */
export interface FileSyncRow {
  readonly gitPath: string | null;
  readonly syncState: FileSyncState;
  readonly kestraPath: string;
}

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && Buffer.compare(a, b) === 0;

/**
 * io.kestra.plugin.git.SyncNamespaceFiles: `<gitDirectory>/a/b.py` → namespace file `/a/b.py`.
 * Identical files are not rewritten (no new revision, no storage bloat), an empty
 * source never prunes unless `allowEmpty`, and a missing branch is an error.
 */
export const SyncNamespaceFiles: RunnableTaskPlugin = {
  ...GIT_TASK_SCHEMAS.SyncNamespaceFiles,
  kind: 'task',
  category: 'runnable',
  async run(task: TaskDefinition, ctx: RunContext): Promise<TaskResult> {
    const p = new TaskProperties(task, ctx);
    const conn = await readConnection(p);
    const branch = await p.string('branch', 'main');
    const namespace = await p.string('namespace', ctx.namespace);
    const gitDirectory = cleanDirectory(await p.string('gitDirectory', '_files'));
    const doDelete = await p.bool('delete', false);
    const dryRun = await p.bool('dryRun', false);
    const failOnMissingDirectory = await p.bool('failOnMissingDirectory', true);
    const allowEmpty = await p.bool('allowEmpty', false);
    const remote = createGitRemote(conn, ctx.signal);
    const stateKey = syncStateKey(task.type, conn.url, branch, gitDirectory, namespace);
    const configHash = sha256(JSON.stringify({ doDelete, failOnMissingDirectory, allowEmpty }));
    const previous = await readSyncState(ctx, namespace, stateKey);

    let repo: LocalRepo | undefined;
    try {
      let head = requireBranch(await remote.listRefs(), branch, conn);
      const existing = (await ctx.namespaceFiles.list(namespace)).filter((m) => m.type === 'File' && !m.deleted);

      // No-op fast path: same commit and settings, every managed file at the revision we wrote.
      if (!dryRun && previous?.lastResult === 'SUCCESS' && previous.lastSyncedCommit === head && previous.configHash === configHash) {
        const revisions = new Map(existing.map((m) => [m.path, m.revision]));
        const intact = previous.objects.every((o) => revisions.get(o.key) === o.revision);
        const managed = new Set(previous.objects.map((o) => o.key));
        if (intact && (!doDelete || existing.every((m) => managed.has(m.path)))) {
          ctx.logger.info(`Branch '${branch}' is still at ${head.slice(0, 12)}, already applied: nothing to do`);
          const rows: FileSyncRow[] = previous.objects.map((o) => ({ gitPath: o.gitPath, syncState: 'UNCHANGED', kestraPath: o.key }));
          return { outputs: { files: await writeIonOutput(ctx, 'files', rows), commitId: head, syncStatus: 'Synced' } };
        }
      }

      repo = await cloneForRead(remote, branch);
      head = await clonedCommit(repo, head);
      if (!(await repo.isDirectory(head, gitDirectory))) {
        if (failOnMissingDirectory) {
          throw TaskFailure.nonRetryable(
            `The directory '${gitDirectory}' was not found on branch '${branch}' of ${conn.url}; set failOnMissingDirectory: false to treat it as empty`,
          );
        }
        ctx.logger.warn(`The directory '${gitDirectory}' was not found on branch '${branch}': treating it as empty`);
      }
      const ignoreBytes = await repo.readFile(head, joinRepoPath(gitDirectory, '.kestraignore'));
      const ignore = new KestraIgnore(ignoreBytes ? decoder.decode(ignoreBytes) : undefined);
      const files = (await repo.listFiles(head, gitDirectory, true)).filter((f) => !ignore.ignores(f.relative));
      const inGit = new Set(files.map((f) => `/${f.relative}`));
      const toDelete = doDelete ? existing.filter((m) => !inGit.has(m.path)) : [];
      if (files.length === 0 && toDelete.length > 0 && !allowEmpty) {
        throw TaskFailure.nonRetryable(
          `Refusing to delete all ${toDelete.length} namespace file(s) of '${namespace}': the Git source (branch '${branch}', directory '${gitDirectory || '.'}') is empty. Check the branch and gitDirectory, or set allowEmpty: true to prune anyway`,
        );
      }

      const rows: FileSyncRow[] = [];
      const managed: ManagedObject[] = [];
      const revisions = new Map(existing.map((m) => [m.path, m.revision]));
      for (const f of files) {
        const kestraPath = `/${f.relative}`;
        const content = await repo.readBlob(f.oid);
        const current = revisions.has(kestraPath) ? await ctx.namespaceFiles.get(namespace, kestraPath) : undefined;
        let state: FileSyncState = current === undefined ? 'ADDED' : sameBytes(current, content) ? 'UNCHANGED' : 'OVERWRITTEN';
        let revision = revisions.get(kestraPath) ?? 0;
        if (!dryRun && state !== 'UNCHANGED') {
          const { meta, changed } = await ctx.namespaceFiles.put(namespace, kestraPath, content);
          revision = meta.revision;
          if (!changed) state = 'UNCHANGED';
        } else if (dryRun && state !== 'UNCHANGED') {
          revision += 1;
        }
        rows.push({ gitPath: f.path, syncState: state, kestraPath });
        managed.push({ kind: 'FILE', namespace, key: kestraPath, gitPath: f.path, hash: sha256(content), revision });
      }
      const deleted: FileSyncRow[] = [];
      for (const m of toDelete) {
        if (!dryRun) await ctx.namespaceFiles.delete(namespace, m.path);
        deleted.push({ gitPath: null, syncState: 'DELETED', kestraPath: m.path });
      }
      rows.sort((a, b) => ((a.gitPath ?? '') < (b.gitPath ?? '') ? -1 : 1));
      deleted.sort((a, b) => (a.kestraPath < b.kestraPath ? -1 : 1));
      const all = [...deleted, ...rows];
      ctx.logger.info(`${dryRun ? 'Dry run: ' : ''}synced ${all.length} namespace file(s) of '${namespace}' from ${head.slice(0, 12)}`);

      if (!dryRun) {
        const record: SyncStateRecord = {
          type: task.type,
          url: conn.url,
          branch,
          gitDirectory,
          namespace,
          includeChildNamespaces: false,
          configHash,
          lastSyncedCommit: head,
          lastSyncedAt: ctx.now().toISOString(),
          lastAttemptAt: ctx.now().toISOString(),
          lastResult: 'SUCCESS',
          executionId: ctx.executionId,
          flowId: ctx.flowId,
          flowNamespace: ctx.namespace,
          objects: managed,
        };
        await writeSyncState(ctx, namespace, stateKey, record);
      }
      const drift = all.filter((r) => r.syncState !== 'UNCHANGED').length;
      return { outputs: { files: await writeIonOutput(ctx, 'files', all), commitId: head, syncStatus: dryRun && drift > 0 ? 'OutOfSync' : 'Synced' } };
    } catch (e) {
      if (!dryRun) {
        await recordFailure(ctx, namespace, stateKey, previous, e, {
          type: task.type,
          url: conn.url,
          branch,
          gitDirectory,
          includeChildNamespaces: false,
          configHash,
        });
      }
      throw e;
    } finally {
      await repo?.dispose();
    }
  },
};
