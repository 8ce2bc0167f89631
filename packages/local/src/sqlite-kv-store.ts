import { AlreadyExistsError, type JsonValue, type KvEntry, type KvPutOptions, type KvStore, type KvType } from '@windhover/core';
import type { SqliteDatabase } from './sqlite-database';

interface KvRow {
  readonly namespace: string;
  readonly key: string;
  readonly type: string;
  readonly value: string;
  readonly creation_date: string;
  readonly update_date: string;
  readonly expiration_date: string | null;
  readonly description: string | null;
}

const LIVE = '(expires_at_ms IS NULL OR expires_at_ms > ?)';

/**
 * The KV store of the local edition: one SQLite row per key with the value
 * as JSON. Expiry is an epoch-millisecond column compared with the reader's
 * `now` in every query, so an expired entry is gone at the exact instant for
 * every reader; the row itself is removed by the next write, delete or
 * `purgeExpired`.
 */
export class SqliteKvStore implements KvStore {
  constructor(private readonly db: SqliteDatabase) {
    db.exec(`CREATE TABLE IF NOT EXISTS kv_entries (
      tenant_id TEXT NOT NULL, namespace TEXT NOT NULL, key TEXT NOT NULL, type TEXT NOT NULL, value TEXT NOT NULL,
      creation_date TEXT NOT NULL, update_date TEXT NOT NULL, expiration_date TEXT, expires_at_ms INTEGER, description TEXT,
      PRIMARY KEY (tenant_id, namespace, key));
      CREATE INDEX IF NOT EXISTS kv_entries_by_expiry ON kv_entries (expires_at_ms) WHERE expires_at_ms IS NOT NULL`);
  }

  async get(tenantId: string, namespace: string, key: string, now: Date): Promise<KvEntry | undefined> {
    const row = this.db
      .prepare(`SELECT * FROM kv_entries WHERE tenant_id = ? AND namespace = ? AND key = ? AND ${LIVE}`)
      .get(tenantId, namespace, key, now.getTime()) as KvRow | undefined;
    return row ? toEntry(row) : undefined;
  }

  async put(tenantId: string, namespace: string, entry: KvEntry, options: KvPutOptions = {}): Promise<void> {
    const write = this.db.transaction(() => {
      if (options.onlyIfAbsent) {
        const live = this.db
          .prepare(`SELECT 1 FROM kv_entries WHERE tenant_id = ? AND namespace = ? AND key = ? AND ${LIVE}`)
          .get(tenantId, namespace, entry.key, Date.parse(entry.updateDate));
        if (live) throw new AlreadyExistsError('KV pair', `${namespace}:${entry.key}`);
      }
      this.db
        .prepare(
          `INSERT OR REPLACE INTO kv_entries (tenant_id, namespace, key, type, value, creation_date, update_date,
           expiration_date, expires_at_ms, description) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          tenantId,
          namespace,
          entry.key,
          entry.type,
          JSON.stringify(entry.value),
          entry.creationDate,
          entry.updateDate,
          entry.expirationDate ?? null,
          entry.expirationDate === undefined ? null : Date.parse(entry.expirationDate),
          entry.description ?? null,
        );
    });
    write.immediate();
  }

  async delete(tenantId: string, namespace: string, key: string, now?: Date): Promise<boolean> {
    const remove = this.db.transaction(() => {
      const live =
        now === undefined
          ? this.db.prepare('SELECT 1 FROM kv_entries WHERE tenant_id = ? AND namespace = ? AND key = ?').get(tenantId, namespace, key)
          : this.db
              .prepare(`SELECT 1 FROM kv_entries WHERE tenant_id = ? AND namespace = ? AND key = ? AND ${LIVE}`)
              .get(tenantId, namespace, key, now.getTime());
      this.db.prepare('DELETE FROM kv_entries WHERE tenant_id = ? AND namespace = ? AND key = ?').run(tenantId, namespace, key);
      return live !== undefined;
    });
    return remove.immediate();
  }

  async list(tenantId: string, namespace: string | undefined, now: Date): Promise<readonly KvEntry[]> {
    const rows = (
      namespace === undefined
        ? this.db.prepare(`SELECT * FROM kv_entries WHERE tenant_id = ? AND ${LIVE} ORDER BY namespace, key`).all(tenantId, now.getTime())
        : this.db
            .prepare(`SELECT * FROM kv_entries WHERE tenant_id = ? AND namespace = ? AND ${LIVE} ORDER BY key`)
            .all(tenantId, namespace, now.getTime())
    ) as KvRow[];
    return rows.map(toEntry);
  }

  /** Physically removes entries expired at `now` (readers never see them anyway); returns how many. */
  purgeExpired(now: Date): number {
    return this.db.prepare('DELETE FROM kv_entries WHERE expires_at_ms IS NOT NULL AND expires_at_ms <= ?').run(now.getTime()).changes;
  }
}

function toEntry(r: KvRow): KvEntry {
  return {
    key: r.key,
    namespace: r.namespace,
    type: r.type as KvType,
    value: JSON.parse(r.value) as JsonValue,
    creationDate: r.creation_date,
    updateDate: r.update_date,
    ...(r.expiration_date ? { expirationDate: r.expiration_date } : {}),
    ...(r.description !== null ? { description: r.description } : {}),
  };
}
