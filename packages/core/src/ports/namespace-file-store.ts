export interface NamespaceFileMeta {
  /** POSIX path rooted at `/`, e.g. `/scripts/etl.py`; directories end without slash. */
  readonly path: string;
  readonly type: 'File' | 'Directory';
  readonly size: number;
  /** 1-based revision of a file (incremented by each changed write); 0 for directories. */
  readonly revision: number;
  /** ISO-8601 instant of the first write of this path (kept across revisions); `updated` when unknown. */
  readonly created?: string;
  /** ISO-8601 instant of this revision. */
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
  /** Latest content of a live file, or the content of `revision` (readable even after a delete). */
  get(tenantId: string, namespace: string, path: string, revision?: number): Promise<Uint8Array | undefined>;
  /** A live file or directory; the root `/` always exists. */
  stat(tenantId: string, namespace: string, path: string): Promise<NamespaceFileMeta | undefined>;
  /** Every live file and directory under `prefix` (recursive). */
  list(tenantId: string, namespace: string, prefix?: string): Promise<readonly NamespaceFileMeta[]>;
  /**
   * Writes a file (creating its parent directories); returns the stored
   * metadata, `changed` false when the content equals the latest revision.
   * Callers check that no directory is in the way (the service does).
   */
  put(tenantId: string, namespace: string, path: string, content: Uint8Array, now: Date): Promise<{ meta: NamespaceFileMeta; changed: boolean }>;
  /** Creates the directory and its parents; a no-op when it exists; fails when a file is in the way. */
  mkdir(tenantId: string, namespace: string, path: string, now: Date): Promise<void>;
  /** Deletes a file or a directory recursively; returns the deleted paths. */
  delete(tenantId: string, namespace: string, path: string, now: Date): Promise<readonly string[]>;
  /**
   * Every revision of a file, oldest first. A delete adds a tombstone
   * revision (`deleted: true`, size 0) with the next number; a later write
   * continues the numbering. Empty when the path was never written.
   */
  revisions(tenantId: string, namespace: string, path: string): Promise<readonly NamespaceFileMeta[]>;
}
