/**
 * Kestra's internal storage: `kestra:///{namespace-as-path}/{flowId}/executions/...` URIs
 * mapped to bytes. Paths are always normalized by the caller; adapters reject
 * anything that is not a clean absolute path.
 */
export interface InternalStorage {
  put(uri: string, data: Uint8Array): Promise<void>;
  /** Throws NotFoundError when absent. */
  get(uri: string): Promise<Uint8Array>;
  exists(uri: string): Promise<boolean>;
  /** Size in bytes; throws NotFoundError when absent. */
  size(uri: string): Promise<number>;
  /** Returns whether something was deleted. */
  delete(uri: string): Promise<boolean>;
  /** URIs under a prefix (recursive). */
  list(prefix: string): Promise<readonly string[]>;
  deletePrefix(prefix: string): Promise<number>;
}
