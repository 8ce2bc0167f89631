import type { TimerRecord, TimerStore } from '@windhover/core';
import { type SqliteDatabase, statement } from './sqlite-database';

/** Long timers in SQLite, indexed by due time (epoch milliseconds, so offsets compare correctly). */
export class SqliteTimerStore implements TimerStore {
  constructor(private readonly db: SqliteDatabase) {
    db.exec(`CREATE TABLE IF NOT EXISTS timers (
      id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, execution_id TEXT NOT NULL, fire_at TEXT NOT NULL,
      fire_at_ms INTEGER NOT NULL, body TEXT NOT NULL);
      CREATE INDEX IF NOT EXISTS timers_by_due ON timers (fire_at_ms, id)`);
  }

  async put(timer: TimerRecord): Promise<void> {
    statement(this.db, 'INSERT OR IGNORE INTO timers (id, tenant_id, execution_id, fire_at, fire_at_ms, body) VALUES (?, ?, ?, ?, ?, ?)')
      .run(timer.id, timer.tenantId, timer.executionId, timer.fireAt, new Date(timer.fireAt).getTime(), timer.body);
  }

  async due(now: Date, limit: number): Promise<readonly TimerRecord[]> {
    const rows = statement(this.db, 'SELECT id, tenant_id, execution_id, fire_at, body FROM timers WHERE fire_at_ms <= ? ORDER BY fire_at_ms, id LIMIT ?')
      .all(now.getTime(), Math.max(0, limit)) as { id: string; tenant_id: string; execution_id: string; fire_at: string; body: string }[];
    return rows.map((r) => ({ id: r.id, tenantId: r.tenant_id, executionId: r.execution_id, fireAt: r.fire_at, body: r.body }));
  }

  async delete(id: string): Promise<void> {
    statement(this.db, 'DELETE FROM timers WHERE id = ?').run(id);
  }
}
