import { type IonRow, type RunContext, TaskFailure, toIonRows } from '@windhover/core';
import type { GitConnection } from './git-connection';
import type { GitRemote, RemoteRefs } from './git-remote';
import { LocalRepo } from './local-repo';
import type { TaskProperties } from './task-properties';

/** Stores rows as an ION file in the execution's internal storage and returns its kestra:// URI. */
export async function writeIonOutput(ctx: RunContext, name: string, rows: readonly IonRow[]): Promise<string> {
  return ctx.storage.putFile(`${name}.ion`, toIonRows(rows));
}

/** Commit author: `authorName` falls back to `username` (as Kestra), `authorEmail` to a neutral address. */
export async function readAuthor(p: TaskProperties, conn: GitConnection): Promise<{ name: string; email: string }> {
  const fallbackName = conn.username && conn.username !== 'x-access-token' ? conn.username : 'Windhover';
  return {
    name: (await p.string('authorName')) || fallbackName,
    email: (await p.string('authorEmail')) || 'windhover@localhost',
  };
}

/**
 * Fails when the branch does not exist. Kestra silently reads the default branch
 * instead, so a typo in `branch` syncs the wrong content (gitops-spec §10.10).
 */
export function requireBranch(refs: RemoteRefs, branch: string, conn: GitConnection): string {
  const head = refs.heads.get(branch);
  if (head) return head;
  if (refs.heads.size === 0) {
    throw TaskFailure.nonRetryable(`Branch '${branch}' does not exist in ${conn.url}: the repository is empty`);
  }
  const known = [...refs.heads.keys()].sort().slice(0, 20).join(', ');
  throw TaskFailure.nonRetryable(`Branch '${branch}' does not exist in ${conn.url} (branches: ${known})`);
}

/** Shallow, single-branch clone without a working tree: sync tasks read the commit's tree directly. */
export async function cloneForRead(remote: GitRemote, branch: string): Promise<LocalRepo> {
  const repo = await LocalRepo.temporary();
  try {
    await remote.clone(repo.dir, { ref: branch, depth: 1, singleBranch: true, noTags: true, noCheckout: true });
    return repo;
  } catch (e) {
    await repo.dispose();
    throw e;
  }
}

/**
 * The commit a clone really fetched: the branch may have moved between the ref
 * lookup and the clone, and a shallow clone only holds the newer commit.
 */
export async function clonedCommit(repo: LocalRepo, fallback: string): Promise<string> {
  return (await repo.resolve('HEAD')) ?? fallback;
}

/** Reasons to keep a flow that sync would delete: the flow running the task is never deleted. */
export function isRunningFlow(ctx: RunContext, namespace: string, id: string): boolean {
  return ctx.namespace === namespace && ctx.flowId === id;
}

/** `system` and its children by default: never deleted by NamespaceSync/TenantSync. */
export function isProtected(namespace: string, protectedNamespaces: readonly string[]): boolean {
  return protectedNamespaces.some((p) => namespace === p || namespace.startsWith(`${p}.`));
}

export const decoder = new TextDecoder();
export const encoder = new TextEncoder();
