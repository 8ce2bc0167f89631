import type { AttemptKey, AttemptResultStore } from '@windhover/core';
import { type SqliteDatabase, inTransaction, statement } from './sqlite-database';

/**
 * Attempt results in SQLite, one row per attempt with its expiry (epoch ms).
 * Reads ignore expired rows; every put first deletes the rows expired by
 * then (an index range scan that finds only the few expired since the last
 * put), so the table holds about one retention period of results.
 */
export class SqliteAttemptResultStore implements AttemptResultStore {
  constructor(private readonly db: SqliteDatabase) {
    db.exec(`CREATE TABLE IF NOT EXISTS attempt_results (
      tenant_id TEXT NOT NULL, execution_id TEXT NOT NULL, task_run_id TEXT NOT NULL, attempt INTEGER NOT NULL,
      result TEXT NOT NULL, expires_at_ms INTEGER NOT NULL,
      PRIMARY KEY (tenant_id, execution_id, task_run_id, attempt));
      CREATE INDEX IF NOT EXISTS attempt_results_by_expiry ON attempt_results (expires_at_ms)`);
  }

  async get(key: AttemptKey, now: Date): Promise<string | undefined> {
    const row = statement(
      this.db,
      'SELECT result FROM attempt_results WHERE tenant_id = ? AND execution_id = ? AND task_run_id = ? AND attempt = ? AND expires_at_ms > ?',
    ).get(key.tenantId, key.executionId, key.taskRunId, key.attempt, now.getTime()) as { result: string } | undefined;
    return row?.result;
  }

  async put(key: AttemptKey, result: string, expiresAt: Date, now: Date): Promise<void> {
    inTransaction(this.db, () => {
      statement(this.db, 'DELETE FROM attempt_results WHERE expires_at_ms <= ?').run(now.getTime());
      statement(
        this.db,
        'INSERT OR REPLACE INTO attempt_results (tenant_id, execution_id, task_run_id, attempt, result, expires_at_ms) VALUES (?, ?, ?, ?, ?, ?)',
      ).run(key.tenantId, key.executionId, key.taskRunId, key.attempt, result, expiresAt.getTime());
    });
  }
}
