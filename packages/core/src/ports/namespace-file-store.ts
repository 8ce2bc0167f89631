export interface NamespaceFileMeta {
  /** POSIX path rooted at `/`, e.g. `/scripts/etl.py`; directories end without slash. */
  readonly path: string;
  readonly type: 'File' | 'Directory';
  readonly size: number;
  readonly revision: number;
  readonly updated: string;
  readonly deleted?: boolean;
}

/**
 * Namespace files with revisions: a write of changed content adds a
 * revision, an identical write adds none, deletes are recorded, older
 * revisions stay readable. Paths are validated by the caller
 * (`normalizeNamespacePath`) before they reach an adapter.
 */
export interface NamespaceFileStore {
  get(tenantId: string, namespace: string, path: string, revision?: number): Promise<Uint8Array | undefined>;
  stat(tenantId: string, namespace: string, path: string): Promise<NamespaceFileMeta | undefined>;
  /** Every live file and directory under `prefix` (recursive). */
  list(tenantId: string, namespace: string, prefix?: string): Promise<readonly NamespaceFileMeta[]>;
  /** Returns the stored metadata; `changed` false when the content was identical. */
  put(tenantId: string, namespace: string, path: string, content: Uint8Array, now: Date): Promise<{ meta: NamespaceFileMeta; changed: boolean }>;
  mkdir(tenantId: string, namespace: string, path: string, now: Date): Promise<void>;
  /** Deletes a file or a directory recursively; returns the deleted paths. */
  delete(tenantId: string, namespace: string, path: string, now: Date): Promise<readonly string[]>;
  revisions(tenantId: string, namespace: string, path: string): Promise<readonly NamespaceFileMeta[]>;
}
