import type { Execution } from '../model/execution';
import type { StateType } from '../model/state';

export interface ExecutionQuery {
  readonly namespace?: string;
  readonly namespacePrefix?: string;
  readonly flowId?: string;
  readonly states?: readonly StateType[];
  /** ISO-8601 bounds on state.startDate. */
  readonly startDate?: string;
  readonly endDate?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly parentId?: string;
  /** 1-based page, Kestra's convention. */
  readonly page?: number;
  readonly size?: number;
  readonly sort?: 'startDate:asc' | 'startDate:desc';
}

export interface Page<T> {
  readonly results: readonly T[];
  readonly total: number;
}

/**
 * Execution documents with optimistic locking: `save` writes version
 * `expectedVersion + 1` only if the stored version is still `expectedVersion`
 * (undefined = must not exist), else throws VersionConflictError.
 */
export interface ExecutionRepository {
  get(tenantId: string, id: string): Promise<Execution | undefined>;
  save(execution: Execution, expectedVersion: number | undefined): Promise<Execution>;
  find(tenantId: string, query: ExecutionQuery): Promise<Page<Execution>>;
  delete(tenantId: string, id: string): Promise<void>;
}
