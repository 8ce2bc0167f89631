import type { JsonValue } from '../model/json';

export type KvType = 'STRING' | 'NUMBER' | 'BOOLEAN' | 'DATETIME' | 'DATE' | 'DURATION' | 'JSON';

export interface KvEntry {
  readonly key: string;
  readonly type: KvType;
  readonly value: JsonValue;
  readonly creationDate: string;
  readonly updateDate: string;
  /** ISO-8601 instant from which the entry no longer exists for any reader. */
  readonly expirationDate?: string;
  readonly description?: string;
  /** Filled by adapters on reads (needed when listing a whole tenant). */
  readonly namespace?: string;
}

export interface KvPutOptions {
  /**
   * Write only when no live entry exists (kv.Set `overwrite: false`): an
   * entry expired at `entry.updateDate` counts as absent; a live one makes
   * `put` throw AlreadyExistsError (code ALREADY_EXISTS) and write nothing.
   * Must be atomic (conditional write or transaction).
   */
  readonly onlyIfAbsent?: boolean;
}

/**
 * Namespace-scoped key/value store. Adapters hide expired entries at read
 * time (`now` is passed in: an entry whose expirationDate <= now is gone),
 * not at the next cleanup. Keys and namespaces are validated by the caller
 * (`assertValidKvKey`, `assertValidNamespace`).
 */
export interface KvStore {
  get(tenantId: string, namespace: string, key: string, now: Date): Promise<KvEntry | undefined>;
  /** Creates or replaces the entry as given (the caller keeps `creationDate` of the entry it replaces). */
  put(tenantId: string, namespace: string, entry: KvEntry, options?: KvPutOptions): Promise<void>;
  /** Returns whether a live entry was deleted (an entry already expired at `now` is removed and reports false). */
  delete(tenantId: string, namespace: string, key: string, now?: Date): Promise<boolean>;
  /** Live entries of one namespace, or of every namespace of the tenant when `namespace` is undefined; sorted by namespace then key. */
  list(tenantId: string, namespace: string | undefined, now: Date): Promise<readonly KvEntry[]>;
}
