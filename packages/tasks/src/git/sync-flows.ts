import { type FlowSavePlan, type FlowWithSource, type RunContext, type RunnableTaskPlugin, type TaskDefinition, TaskFailure, type TaskResult } from '@windhover/core';
import { GIT_TASK_SCHEMAS } from './descriptors';
import {
  cleanDirectory,
  isInNamespaceTree,
  joinRepoPath,
  namespaceOfFolder,
  normalizeFlowSource,
  readFlowIdentity,
  rewriteTopLevelNamespace,
  sha256,
} from './flow-source';
import { readConnection } from './git-connection';
import { createGitRemote } from './git-remote-factory';
import { cloneForRead, clonedCommit, decoder, isRunningFlow, requireBranch, writeIonOutput } from './git-task-support';
import { KestraIgnore } from './kestra-ignore';
import type { LocalRepo } from './local-repo';
import { type ManagedObject, readSyncState, type SyncStateRecord, syncStateKey, writeSyncState } from './sync-state';
import { TaskProperties } from './task-properties';

export type FlowSyncState = 'ADDED' | 'UPDATED' | 'UNCHANGED' | 'DELETED';

/** One row of SyncFlows' `flows` output (plugin-git's ION shape). */
export interface FlowSyncRow {
  readonly gitPath: string | null;
  readonly syncState: FlowSyncState;
  readonly flowId: string;
  readonly namespace: string;
  readonly revision: number;
}

interface Candidate {
  readonly gitPath: string;
  readonly source: string;
  readonly id: string;
  readonly namespace: string;
}

interface Invalid {
  readonly gitPath: string;
  readonly message: string;
}

function formatInvalid(invalid: readonly Invalid[]): string {
  return invalid.map((i) => `  - ${i.message}`).join('\n');
}

/**
 * io.kestra.plugin.git.SyncFlows: Git → Windhover flows, plan then apply.
 * Every file is validated before anything is written; an invalid flow means
 * nothing is applied (unless `ignoreInvalidFlows`). Identical sources stay
 * UNCHANGED with no new revision; an empty source never prunes (unless
 * `allowEmpty`); a missing branch is an error; the running flow is never deleted.
 * When the branch head is the commit already applied and nothing drifted, the
 * sync costs one ref lookup and writes nothing.
 */
export const SyncFlows: RunnableTaskPlugin = {
  ...GIT_TASK_SCHEMAS.SyncFlows,
  kind: 'task',
  category: 'runnable',
  async run(task: TaskDefinition, ctx: RunContext): Promise<TaskResult> {
    const p = new TaskProperties(task, ctx);
    const conn = await readConnection(p);
    const branch = await p.string('branch', 'main');
    const targetNamespace = await p.required('targetNamespace');
    const gitDirectory = cleanDirectory(await p.string('gitDirectory', '_flows'));
    const includeChildNamespaces = await p.bool('includeChildNamespaces', false);
    const doDelete = await p.bool('delete', false);
    const dryRun = await p.bool('dryRun', false);
    const ignoreInvalidFlows = await p.bool('ignoreInvalidFlows', false);
    const failOnMissingDirectory = await p.bool('failOnMissingDirectory', true);
    const allowEmpty = await p.bool('allowEmpty', false);

    const remote = createGitRemote(conn, ctx.signal);
    const stateKey = syncStateKey(task.type, conn.url, branch, gitDirectory, targetNamespace);
    const configHash = sha256(JSON.stringify({ includeChildNamespaces, doDelete, ignoreInvalidFlows, failOnMissingDirectory, allowEmpty }));
    const inScope = (ns: string) => (includeChildNamespaces ? isInNamespaceTree(ns, targetNamespace) : ns === targetNamespace);

    const previous = await readSyncState(ctx, targetNamespace, stateKey);
    const listExisting = async () =>
      (await ctx.flows.list({ namespace: targetNamespace, includeChildNamespaces })).filter((f) => !f.deleted && inScope(f.flow.namespace));

    let repo: LocalRepo | undefined;
    try {
    let head = requireBranch(await remote.listRefs(), branch, conn);
    // No-op fast path: same commit, same settings, and every managed flow still as applied.
    if (!dryRun && previous?.lastResult === 'SUCCESS' && previous.lastSyncedCommit === head && previous.configHash === configHash) {
      const existing = await listExisting();
      const rows = unchangedIfNoDrift(previous, existing, doDelete, ctx);
      if (rows) {
        ctx.logger.info(`Branch '${branch}' is still at ${head.slice(0, 12)}, already applied: nothing to do`);
        return { outputs: { flows: await writeIonOutput(ctx, 'flows', rows), commitId: head, syncStatus: 'Synced', counts: { UNCHANGED: rows.length } } };
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
      const files = (await repo.listFiles(head, gitDirectory, includeChildNamespaces)).filter((f) => !ignore.ignores(f.relative));

      // Plan: read and validate everything before touching anything.
      const existing = await listExisting();
      const byKey = new Map(existing.map((f) => [`${f.flow.namespace}/${f.flow.id}`, f]));
      const candidates: Candidate[] = [];
      const invalid: Invalid[] = [];
      const seen = new Map<string, string>();
      const contents = await repo.readBlobs(files.map((f) => f.oid));
      for (const [i, f] of files.entries()) {
        const dir = f.relative.includes('/') ? f.relative.slice(0, f.relative.lastIndexOf('/')) : '';
        const namespace = namespaceOfFolder(targetNamespace, dir);
        const source = rewriteTopLevelNamespace(decoder.decode(contents[i]), namespace);
        const ident = readFlowIdentity(source);
        if (!ident.identity) {
          invalid.push({ gitPath: f.path, message: `${f.path}${ident.problem?.line ? `:${ident.problem.line}` : ''}: ${ident.problem?.message}` });
          continue;
        }
        // A source identical to the stored flow was valid when stored: no need to validate it again.
        const stored = byKey.get(`${namespace}/${ident.identity.id}`);
        const unchanged = stored !== undefined && normalizeFlowSource(stored.source) === normalizeFlowSource(source);
        const problems = unchanged ? [] : await ctx.flows.validate(source);
        if (problems.length > 0) {
          for (const pr of problems) {
            invalid.push({ gitPath: f.path, message: `${f.path}${pr.line ? `:${pr.line}` : ''}: ${pr.path ? `${pr.path}: ` : ''}${pr.message}` });
          }
          continue;
        }
        const key = `${namespace}/${ident.identity.id}`;
        const other = seen.get(key);
        if (other) {
          invalid.push({ gitPath: f.path, message: `${f.path}: flow '${namespace}.${ident.identity.id}' is also defined in ${other}` });
          continue;
        }
        seen.set(key, f.path);
        candidates.push({ gitPath: f.path, source, id: ident.identity.id, namespace });
      }
      const sameAsStored = (c: Candidate) => {
        const current = byKey.get(`${c.namespace}/${c.id}`);
        return current !== undefined && normalizeFlowSource(current.source) === normalizeFlowSource(c.source);
      };
      const deletions = () => {
        const wanted = new Set(candidates.map((c) => `${c.namespace}/${c.id}`));
        return doDelete ? existing.filter((f) => !wanted.has(`${f.flow.namespace}/${f.flow.id}`) && !isRunningFlow(ctx, f.flow.namespace, f.flow.id)) : [];
      };
      // The changed flows are planned together (the dry run reports what the sync would store): subflow
      // cycles through the set and the stored flows are invalid; skipping one changes the set, so plan again.
      let changed: Candidate[] = [];
      let plans: readonly FlowSavePlan[] = [];
      for (;;) {
        changed = candidates.filter((c) => !sameAsStored(c));
        plans = await ctx.flows.plan(
          changed.map((c) => c.source),
          { deleting: deletions().map((f) => ({ namespace: f.flow.namespace, id: f.flow.id })) },
        );
        const rejected = changed.filter((_, i) => (plans[i]?.problems.length ?? 0) > 0);
        for (const [i, c] of changed.entries()) {
          for (const pr of plans[i]?.problems ?? []) invalid.push({ gitPath: c.gitPath, message: `${c.gitPath}: ${pr.path ? `${pr.path}: ` : ''}${pr.message}` });
        }
        if (rejected.length === 0 || !ignoreInvalidFlows) break;
        for (const c of rejected) candidates.splice(candidates.indexOf(c), 1);
      }
      if (invalid.length > 0) {
        if (!ignoreInvalidFlows) {
          const files = new Set(invalid.map((i) => i.gitPath)).size;
          throw TaskFailure.nonRetryable(
            `Invalid flows imported from Git: ${files} file(s) failed validation, nothing was applied:\n${formatInvalid(invalid)}`,
          );
        }
        ctx.logger.warn(`Skipping ${new Set(invalid.map((i) => i.gitPath)).size} invalid flow file(s):\n${formatInvalid(invalid)}`);
      }

      const toDelete = deletions();
      if (candidates.length === 0 && toDelete.length > 0 && !allowEmpty) {
        throw TaskFailure.nonRetryable(
          `Refusing to delete all ${toDelete.length} flow(s) of '${targetNamespace}': the Git source (branch '${branch}', directory '${gitDirectory || '.'}') has no valid flow. Check the branch and gitDirectory, or set allowEmpty: true to prune anyway`,
        );
      }

      // Apply: the changed flows in one batch (nothing saved when it is rejected), then the deletions.
      const rows: FlowSyncRow[] = [];
      const managed: ManagedObject[] = [];
      const snapshot: Record<string, string> = {};
      const deleting = toDelete.map((f) => ({ namespace: f.flow.namespace, id: f.flow.id }));
      const saved = dryRun ? [] : await ctx.flows.saveAll(changed.map((c) => c.source), { deleting });
      for (const c of candidates) {
        const current = byKey.get(`${c.namespace}/${c.id}`);
        const i = changed.indexOf(c);
        // The plan counts revisions the way a save does (after a deleted flow's tombstone), so a dry run reports what the sync stores.
        const done = saved[i];
        const plan = plans[i];
        const outcome = done ? { status: done.status, revision: done.flow.revision } : plan ? { status: plan.status, revision: plan.revision } : undefined;
        const revision = outcome?.revision ?? current?.revision ?? 1;
        const state: FlowSyncState = outcome === undefined || outcome.status === 'UNCHANGED' ? 'UNCHANGED' : current ? 'UPDATED' : 'ADDED';
        rows.push({ gitPath: c.gitPath, syncState: state, flowId: c.id, namespace: c.namespace, revision });
        managed.push({ kind: 'FLOW', namespace: c.namespace, key: c.id, gitPath: c.gitPath, hash: sha256(normalizeFlowSource(c.source)), revision });
        snapshot[`${c.namespace}/${c.id}`] = c.source;
      }
      const deletedRows: FlowSyncRow[] = [];
      // saveAll deleted them first.
      for (const f of toDelete) {
        deletedRows.push({ gitPath: null, syncState: 'DELETED', flowId: f.flow.id, namespace: f.flow.namespace, revision: f.revision });
      }
      rows.sort((a, b) => ((a.gitPath ?? '') < (b.gitPath ?? '') ? -1 : 1));
      deletedRows.sort((a, b) => (`${a.namespace}.${a.flowId}` < `${b.namespace}.${b.flowId}` ? -1 : 1));
      const all = [...deletedRows, ...rows];
      const counts = countStates(all);
      ctx.logger.info(`${dryRun ? 'Dry run: ' : ''}synced ${all.length} flow(s) from ${head.slice(0, 12)}: ${JSON.stringify(counts)}`);

      if (!dryRun) {
        const snapshotUri = await ctx.storage.putFile('gitops-snapshot.json', new TextEncoder().encode(JSON.stringify(snapshot)));
        const record: SyncStateRecord = {
          type: task.type,
          url: conn.url,
          branch,
          gitDirectory,
          namespace: targetNamespace,
          includeChildNamespaces,
          configHash,
          lastSyncedCommit: head,
          lastSyncedAt: ctx.now().toISOString(),
          lastAttemptAt: ctx.now().toISOString(),
          lastResult: 'SUCCESS',
          executionId: ctx.executionId,
          flowId: ctx.flowId,
          flowNamespace: ctx.namespace,
          snapshotUri,
          objects: managed,
        };
        await writeSyncState(ctx, targetNamespace, stateKey, record);
      }
      const drift = all.filter((r) => r.syncState !== 'UNCHANGED').length;
      return {
        outputs: {
          flows: await writeIonOutput(ctx, 'flows', all),
          commitId: head,
          // Argo CD's vocabulary: a dry run tells whether Windhover is OutOfSync with Git.
          syncStatus: dryRun && drift > 0 ? 'OutOfSync' : 'Synced',
          counts: countStates(all),
        },
      };
    } catch (e) {
      if (!dryRun) await recordFailure(ctx, targetNamespace, stateKey, previous, e, { type: task.type, url: conn.url, branch, gitDirectory, includeChildNamespaces, configHash });
      throw e;
    } finally {
      await repo?.dispose();
    }
  },
};

function countStates(rows: readonly { syncState: string }[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of rows) out[r.syncState] = (out[r.syncState] ?? 0) + 1;
  return out;
}

function unchangedIfNoDrift(previous: SyncStateRecord, existing: readonly FlowWithSource[], doDelete: boolean, ctx: RunContext): FlowSyncRow[] | undefined {
  const byKey = new Map(existing.map((f) => [`${f.flow.namespace}/${f.flow.id}`, f]));
  const rows: FlowSyncRow[] = [];
  for (const o of previous.objects) {
    const current = byKey.get(`${o.namespace}/${o.key}`);
    if (!current || sha256(normalizeFlowSource(current.source)) !== o.hash) return undefined;
    rows.push({ gitPath: o.gitPath, syncState: 'UNCHANGED', flowId: o.key, namespace: o.namespace, revision: current.revision });
  }
  if (doDelete) {
    const managed = new Set(previous.objects.map((o) => `${o.namespace}/${o.key}`));
    if (existing.some((f) => !managed.has(`${f.flow.namespace}/${f.flow.id}`) && !isRunningFlow(ctx, f.flow.namespace, f.flow.id))) return undefined;
  }
  return rows.sort((a, b) => ((a.gitPath ?? '') < (b.gitPath ?? '') ? -1 : 1));
}

async function recordFailure(
  ctx: RunContext,
  namespace: string,
  key: string,
  previous: SyncStateRecord | undefined,
  e: unknown,
  base: { type: string; url: string; branch: string; gitDirectory: string; includeChildNamespaces: boolean; configHash: string },
): Promise<void> {
  const record: SyncStateRecord = {
    objects: [],
    ...previous,
    ...base,
    namespace,
    lastAttemptAt: ctx.now().toISOString(),
    lastResult: 'FAILED',
    lastError: e instanceof Error ? e.message : String(e),
    executionId: ctx.executionId,
    flowId: ctx.flowId,
    flowNamespace: ctx.namespace,
  };
  await writeSyncState(ctx, namespace, key, record);
}

export { recordFailure };
