import type { ConcurrencySlots, ConcurrencySlotsSnapshot } from '@windhover/core';
import { inTransaction, type SqliteDatabase, statement } from './sqlite-database';

/**
 * Concurrency slots in SQLite: one row per held slot and one per waiter;
 * acquiring counts, inserts and drops the waiter in one immediate transaction.
 */
export class SqliteConcurrencySlots implements ConcurrencySlots {
  constructor(private readonly db: SqliteDatabase) {
    db.exec(`CREATE TABLE IF NOT EXISTS concurrency_slots (
      tenant_id TEXT NOT NULL, namespace TEXT NOT NULL, flow_id TEXT NOT NULL, execution_id TEXT NOT NULL,
      PRIMARY KEY (tenant_id, namespace, flow_id, execution_id))`);
    db.exec(`CREATE TABLE IF NOT EXISTS concurrency_waiting (
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
      if (!held) {
        const { n } = statement(this.db, 'SELECT COUNT(*) AS n FROM concurrency_slots WHERE tenant_id = ? AND namespace = ? AND flow_id = ?').get(tenantId, namespace, flowId) as {
          n: number;
        };
        if (n >= limit) return false;
        statement(this.db, 'INSERT INTO concurrency_slots (tenant_id, namespace, flow_id, execution_id) VALUES (?, ?, ?, ?)').run(tenantId, namespace, flowId, executionId);
      }
      statement(this.db, 'DELETE FROM concurrency_waiting WHERE tenant_id = ? AND namespace = ? AND flow_id = ? AND execution_id = ?').run(tenantId, namespace, flowId, executionId);
      return true;
    });
  }

  async release(tenantId: string, namespace: string, flowId: string, executionId: string): Promise<void> {
    inTransaction(this.db, () => {
      statement(this.db, 'DELETE FROM concurrency_slots WHERE tenant_id = ? AND namespace = ? AND flow_id = ? AND execution_id = ?').run(tenantId, namespace, flowId, executionId);
      statement(this.db, 'DELETE FROM concurrency_waiting WHERE tenant_id = ? AND namespace = ? AND flow_id = ? AND execution_id = ?').run(tenantId, namespace, flowId, executionId);
    });
  }

  async markWaiting(tenantId: string, namespace: string, flowId: string, executionId: string): Promise<void> {
    statement(this.db, 'INSERT OR IGNORE INTO concurrency_waiting (tenant_id, namespace, flow_id, execution_id) VALUES (?, ?, ?, ?)').run(tenantId, namespace, flowId, executionId);
  }

  /** One statement, hence one consistent read, without the write lock of a transaction (the local tick runs it every second). */
  async snapshot(tenantId: string, namespace: string, flowId: string): Promise<ConcurrencySlotsSnapshot> {
    const rows = statement(
      this.db,
      `SELECT 'a' AS kind, execution_id AS id FROM concurrency_slots WHERE tenant_id = ? AND namespace = ? AND flow_id = ?
       UNION ALL SELECT 'w' AS kind, execution_id AS id FROM concurrency_waiting WHERE tenant_id = ? AND namespace = ? AND flow_id = ?
       ORDER BY id`,
    ).all(tenantId, namespace, flowId, tenantId, namespace, flowId) as { kind: 'a' | 'w'; id: string }[];
    return { active: rows.filter((r) => r.kind === 'a').map((r) => r.id), waiting: rows.filter((r) => r.kind === 'w').map((r) => r.id) };
  }
}
