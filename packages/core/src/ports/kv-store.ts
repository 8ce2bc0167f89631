import type { JsonValue } from '../model/json';

export type KvType = 'STRING' | 'NUMBER' | 'BOOLEAN' | 'DATETIME' | 'DATE' | 'DURATION' | 'JSON';

export interface KvEntry {
  readonly key: string;
  readonly type: KvType;
  readonly value: JsonValue;
  readonly creationDate: string;
  readonly updateDate: string;
  /** ISO-8601 instant after which the entry no longer exists for any reader. */
  readonly expirationDate?: string;
  readonly description?: string;
}

/**
 * Namespace-scoped key/value store. Adapters hide expired entries at read
 * time (`now` is passed in), not at the next cleanup.
 */
export interface KvStore {
  get(tenantId: string, namespace: string, key: string, now: Date): Promise<KvEntry | undefined>;
  put(tenantId: string, namespace: string, entry: KvEntry): Promise<void>;
  delete(tenantId: string, namespace: string, key: string): Promise<boolean>;
  list(tenantId: string, namespace: string, now: Date): Promise<readonly KvEntry[]>;
}
