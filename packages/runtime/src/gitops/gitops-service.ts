import { createHash } from 'node:crypto';
import type { FlowWithSource, KvEntry } from '@windhover/core';
import { normalizeFlowSource, SYNC_STATE_PREFIX, type SyncStateRecord } from '@windhover/tasks';
import type { RuntimePorts } from '../runtime-ports';
import { unifiedDiff } from './unified-diff';

/** Argo CD's sync vocabulary. */
export type SyncStatus = 'Synced' | 'OutOfSync' | 'Unknown';

export interface ResourceStatus {
  readonly kind: 'FLOW' | 'FILE';
  readonly namespace: string;
  /** Flow id, or namespace file path. */
  readonly key: string;
  readonly gitPath: string;
  readonly status: SyncStatus;
  /** Why a resource is OutOfSync: `modified in Windhover`, `deleted in Windhover`. */
  readonly reason?: string;
  readonly revision?: number;
}

/** One Git source applied to a namespace (one sync task's record), with its drift. */
export interface GitSourceStatus {
  readonly namespace: string;
  readonly taskType: string;
  readonly url: string;
  readonly branch: string;
  readonly gitDirectory: string;
  readonly includeChildNamespaces: boolean;
  readonly status: SyncStatus;
  readonly lastSyncedCommit: string | null;
  readonly lastSyncedAt: string | null;
  readonly lastAttemptAt: string;
  /** Result of the last attempt (Argo's operation state). */
  readonly lastResult: 'SUCCESS' | 'FAILED';
  readonly lastError: string | null;
  readonly lastExecution: { readonly id: string; readonly namespace: string; readonly flowId: string };
  readonly counts: Readonly<Record<SyncStatus, number>>;
  readonly resources: readonly ResourceStatus[];
}

export interface NamespaceGitStatus {
  readonly namespace: string;
  readonly status: SyncStatus;
  readonly sources: readonly GitSourceStatus[];
}

export interface FlowDrift {
  readonly namespace: string;
  readonly id: string;
  readonly status: SyncStatus;
  readonly reason?: string;
  readonly gitPath: string;
  readonly commit: string | null;
  /** Unified diff from the source applied from Git to the current source ('' when equal). */
  readonly diff: string;
}

const sha256 = (s: string | Uint8Array): string => createHash('sha256').update(s).digest('hex');

function asRecord(e: KvEntry): SyncStateRecord | undefined {
  if (!e.key.startsWith(SYNC_STATE_PREFIX)) return undefined;
  const v = e.value;
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
  return v as unknown as SyncStateRecord;
}

const worst = (statuses: readonly SyncStatus[]): SyncStatus =>
  statuses.includes('OutOfSync') ? 'OutOfSync' : statuses.includes('Unknown') || statuses.length === 0 ? 'Unknown' : 'Synced';

/**
 * GitOps status, as Argo CD users expect it: per namespace, the Git sources
 * applied to it (what the Git sync tasks recorded: last synced commit, time,
 * result) and, per flow and namespace file, whether Windhover still holds what
 * Git gave it (Synced) or was changed by hand since (OutOfSync, with the diff).
 */
export class GitOpsService {
  constructor(private readonly ports: RuntimePorts) {}

  async records(tenantId: string, namespace?: string): Promise<SyncStateRecord[]> {
    const entries = await this.ports.kv.list(tenantId, namespace, this.ports.clock.now());
    return entries.map(asRecord).filter((r): r is SyncStateRecord => r !== undefined);
  }

  /** Status of every namespace with a Git source (or of one namespace). */
  async status(tenantId: string, namespace?: string): Promise<{ status: SyncStatus; namespaces: NamespaceGitStatus[] }> {
    const records = await this.records(tenantId, namespace);
    const byNamespace = new Map<string, GitSourceStatus[]>();
    for (const r of records) {
      const s = await this.sourceStatus(tenantId, r);
      const list = byNamespace.get(r.namespace) ?? [];
      list.push(s);
      byNamespace.set(r.namespace, list);
    }
    const namespaces = [...byNamespace.entries()]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([ns, sources]) => ({ namespace: ns, status: worst(sources.map((s) => s.status)), sources }));
    return { status: worst(namespaces.map((n) => n.status)), namespaces };
  }

  /** Drift of one flow: its status and the diff from what Git applied to what Windhover holds now. */
  async flowDrift(tenantId: string, namespace: string, id: string): Promise<FlowDrift | undefined> {
    const candidates = [namespace, ...namespace.split('.').map((_, i, parts) => parts.slice(0, parts.length - 1 - i).join('.'))].filter(Boolean);
    for (const ns of candidates) {
      for (const r of await this.records(tenantId, ns)) {
        const o = r.objects.find((x) => x.kind === 'FLOW' && x.namespace === namespace && x.key === id);
        if (!o) continue;
        const current = await this.ports.flows.get(tenantId, namespace, id);
        const live = current && !current.deleted ? current : undefined;
        let applied = '';
        if (r.snapshotUri) {
          try {
            const snapshot = JSON.parse(new TextDecoder().decode(await this.ports.storage.get(r.snapshotUri))) as Record<string, string>;
            applied = snapshot[`${namespace}/${id}`] ?? '';
          } catch {
            applied = '';
          }
        }
        const status = this.flowStatus(o.hash, live);
        const diff = applied || !live ? unifiedDiff(applied, live?.source ?? '', { from: `git:${o.gitPath}@${(r.lastSyncedCommit ?? '').slice(0, 12)}`, to: `windhover:${namespace}.${id}` }) : '';
        return { namespace, id, status: status.status, ...(status.reason ? { reason: status.reason } : {}), gitPath: o.gitPath, commit: r.lastSyncedCommit ?? null, diff };
      }
    }
    return undefined;
  }

  /** Whether a flow is managed by a Git sync (so that hand edits are drift). */
  async isManaged(tenantId: string, namespace: string, id: string): Promise<boolean> {
    return (await this.flowDrift(tenantId, namespace, id)) !== undefined;
  }

  private flowStatus(hash: string, current: FlowWithSource | undefined): { status: SyncStatus; reason?: string } {
    if (!current) return { status: 'OutOfSync', reason: 'deleted in Windhover' };
    return sha256(normalizeFlowSource(current.source)) === hash ? { status: 'Synced' } : { status: 'OutOfSync', reason: 'modified in Windhover' };
  }

  private async sourceStatus(tenantId: string, r: SyncStateRecord): Promise<GitSourceStatus> {
    const resources: ResourceStatus[] = [];
    const flowObjects = r.objects.filter((o) => o.kind === 'FLOW');
    if (flowObjects.length > 0) {
      const live = await this.ports.flows.list(tenantId, r.includeChildNamespaces ? { namespacePrefix: r.namespace } : { namespace: r.namespace });
      const byKey = new Map(live.filter((f) => !f.deleted).map((f) => [`${f.flow.namespace}/${f.flow.id}`, f]));
      for (const o of flowObjects) {
        const current = byKey.get(`${o.namespace}/${o.key}`);
        const s = this.flowStatus(o.hash, current);
        resources.push({ kind: 'FLOW', namespace: o.namespace, key: o.key, gitPath: o.gitPath, ...s, ...(current ? { revision: current.revision } : {}) });
      }
    }
    const fileObjects = r.objects.filter((o) => o.kind === 'FILE');
    const filesByNamespace = new Map<string, Map<string, number>>();
    for (const o of fileObjects) {
      let metas = filesByNamespace.get(o.namespace);
      if (!metas) {
        metas = new Map((await this.ports.namespaceFiles.list(tenantId, o.namespace)).filter((m) => m.type === 'File' && !m.deleted).map((m) => [m.path, m.revision]));
        filesByNamespace.set(o.namespace, metas);
      }
      const revision = metas.get(o.key);
      let status: { status: SyncStatus; reason?: string };
      if (revision === undefined) status = { status: 'OutOfSync', reason: 'deleted in Windhover' };
      else if (o.revision === undefined) {
        const bytes = await this.ports.namespaceFiles.get(tenantId, o.namespace, o.key);
        status = bytes && sha256(bytes) === o.hash ? { status: 'Synced' } : { status: 'OutOfSync', reason: 'modified in Windhover' };
      } else status = revision === o.revision ? { status: 'Synced' } : { status: 'OutOfSync', reason: 'modified in Windhover' };
      resources.push({ kind: 'FILE', namespace: o.namespace, key: o.key, gitPath: o.gitPath, ...status, ...(revision !== undefined ? { revision } : {}) });
    }
    const counts: Record<SyncStatus, number> = { Synced: 0, OutOfSync: 0, Unknown: 0 };
    for (const res of resources) counts[res.status]++;
    const status: SyncStatus = !r.lastSyncedCommit ? 'Unknown' : counts.OutOfSync > 0 ? 'OutOfSync' : 'Synced';
    return {
      namespace: r.namespace,
      taskType: r.type,
      url: r.url,
      branch: r.branch,
      gitDirectory: r.gitDirectory,
      includeChildNamespaces: r.includeChildNamespaces,
      status,
      lastSyncedCommit: r.lastSyncedCommit ?? null,
      lastSyncedAt: r.lastSyncedAt ?? null,
      lastAttemptAt: r.lastAttemptAt,
      lastResult: r.lastResult,
      lastError: r.lastError ?? null,
      lastExecution: { id: r.executionId, namespace: r.flowNamespace, flowId: r.flowId },
      counts,
      resources,
    };
  }
}
