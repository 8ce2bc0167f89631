import type { FlowWithSource } from '../model/flow';

export interface FlowQuery {
  readonly namespace?: string;
  /** Match the namespace and every child namespace (`a.b` matches `a.b` and `a.b.c`). */
  readonly namespacePrefix?: string;
  readonly includeDeleted?: boolean;
}

/**
 * Flows and their revisions. Every save of a changed source stores revision
 * n+1 and keeps the old ones readable; deletes are soft and recorded as a
 * revision too.
 */
export interface FlowRepository {
  /** The latest (or a given) revision. Deleted flows are returned only when `revision` is given. */
  get(tenantId: string, namespace: string, id: string, revision?: number): Promise<FlowWithSource | undefined>;
  /** Latest revision of every flow matching the query. */
  list(tenantId: string, query?: FlowQuery): Promise<readonly FlowWithSource[]>;
  revisions(tenantId: string, namespace: string, id: string): Promise<readonly FlowWithSource[]>;
  /**
   * Stores `flow.revision` as the new latest revision. Fails with
   * VersionConflictError when `expectedRevision` (the current latest, or
   * undefined for a new flow) no longer matches.
   */
  save(flow: FlowWithSource, expectedRevision: number | undefined): Promise<void>;
}
