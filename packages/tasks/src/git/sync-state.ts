import type { JsonValue, RunContext } from '@windhover/core';
import { sha256 } from './flow-source';

/** A flow or namespace file as last applied from Git. */
export interface ManagedObject {
  readonly kind: 'FLOW' | 'FILE';
  readonly namespace: string;
  /** Flow id, or namespace file path. */
  readonly key: string;
  readonly gitPath: string;
  /** sha256 of the normalized flow source, or of the file bytes, as applied. */
  readonly hash: string;
  readonly revision?: number;
}

/**
 * What a Git → Windhover sync last did, kept in the KV store of the target
 * namespace under `windhover.gitops.<id>`. The GitOps status API reads these
 * records; a sync uses its own to skip work when nothing moved.
 */
export interface SyncStateRecord {
  readonly type: string;
  readonly url: string;
  readonly branch: string;
  readonly gitDirectory: string;
  readonly namespace: string;
  readonly includeChildNamespaces: boolean;
  readonly configHash: string;
  readonly lastSyncedCommit?: string;
  readonly lastSyncedAt?: string;
  readonly lastAttemptAt: string;
  readonly lastResult: 'SUCCESS' | 'FAILED';
  readonly lastError?: string;
  readonly executionId: string;
  readonly flowId: string;
  readonly flowNamespace: string;
  /** kestra:// URI of a JSON snapshot `{ [namespace/key]: source }` of what was applied, for drift diffs. */
  readonly snapshotUri?: string;
  readonly objects: readonly ManagedObject[];
}

export const SYNC_STATE_PREFIX = 'windhover.gitops.';

export function syncStateKey(type: string, url: string, branch: string, gitDirectory: string, namespace: string): string {
  return `${SYNC_STATE_PREFIX}${sha256([type, url, branch, gitDirectory, namespace].join('\n')).slice(0, 24)}`;
}

export async function readSyncState(ctx: RunContext, namespace: string, key: string): Promise<SyncStateRecord | undefined> {
  try {
    const entry = await ctx.kv.get(key, namespace);
    const v = entry?.value;
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
    return v as unknown as SyncStateRecord;
  } catch {
    return undefined;
  }
}

export async function writeSyncState(ctx: RunContext, namespace: string, key: string, record: SyncStateRecord): Promise<void> {
  try {
    await ctx.kv.set(key, JSON.parse(JSON.stringify(record)) as JsonValue, { namespace, type: 'JSON' });
  } catch (e) {
    // Status is an extra: a KV failure must not fail a sync that already applied its changes.
    ctx.logger.warn(`Could not record the GitOps sync status: ${e instanceof Error ? e.message : String(e)}`);
  }
}
