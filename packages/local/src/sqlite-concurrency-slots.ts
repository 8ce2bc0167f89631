import type { ConcurrencySlots } from '@windhover/core';
import { inTransaction, type SqliteDatabase, statement } from './sqlite-database';

/** Concurrency slots in SQLite: one row per held slot; acquiring counts and inserts in one immediate transaction. */
export class SqliteConcurrencySlots implements ConcurrencySlots {
  constructor(private readonly db: SqliteDatabase) {
    db.exec(`CREATE TABLE IF NOT EXISTS concurrency_slots (
      tenant_id TEXT NOT NULL, namespace TEXT NOT NULL, flow_id TEXT NOT NULL, execution_id TEXT NOT NULL,
      PRIMARY KEY (tenant_id, namespace, flow_id, execution_id))`);
  }

  async tryAcquire(tenantId: string, namespace: string, flowId: string, executionId: string, limit: number): Promise<boolean> {
    return inTransaction(this.db, () => {
      const held = statement(this.db, 'SELECT 1 FROM concurrency_slots WHERE tenant_id = ? AND namespace = ? AND flow_id = ? AND execution_id = ?').get(
        tenantId,
        namespace,
        flowId,
        executionId,
      );
      if (held) return true;
      const { n } = statement(this.db, 'SELECT COUNT(*) AS n FROM concurrency_slots WHERE tenant_id = ? AND namespace = ? AND flow_id = ?').get(tenantId, namespace, flowId) as {
        n: number;
      };
      if (n >= limit) return false;
      statement(this.db, 'INSERT INTO concurrency_slots (tenant_id, namespace, flow_id, execution_id) VALUES (?, ?, ?, ?)').run(tenantId, namespace, flowId, executionId);
      return true;
    });
  }

  async release(tenantId: string, namespace: string, flowId: string, executionId: string): Promise<void> {
    statement(this.db, 'DELETE FROM concurrency_slots WHERE tenant_id = ? AND namespace = ? AND flow_id = ? AND execution_id = ?').run(tenantId, namespace, flowId, executionId);
  }
}
