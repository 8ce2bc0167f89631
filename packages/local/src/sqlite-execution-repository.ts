import type { Execution, ExecutionQuery, ExecutionRepository, Page } from '@windhover/core';
import { VersionConflictError } from '@windhover/core';
import { type SqliteDatabase, statement } from './sqlite-database';

const DEFAULT_PAGE_SIZE = 10;

/**
 * Execution documents in SQLite with an optimistic version check. The
 * searchable fields are columns; the document itself is JSON.
 */
export class SqliteExecutionRepository implements ExecutionRepository {
  constructor(private readonly db: SqliteDatabase) {
    db.exec(`CREATE TABLE IF NOT EXISTS executions (
      tenant_id TEXT NOT NULL, id TEXT NOT NULL, namespace TEXT NOT NULL, flow_id TEXT NOT NULL,
      state TEXT NOT NULL, start_date TEXT NOT NULL, parent_id TEXT, labels_json TEXT NOT NULL,
      version INTEGER NOT NULL, doc TEXT NOT NULL, PRIMARY KEY (tenant_id, id));
      CREATE INDEX IF NOT EXISTS executions_by_flow ON executions (tenant_id, namespace, flow_id, start_date);
      CREATE INDEX IF NOT EXISTS executions_by_start ON executions (tenant_id, start_date);
      CREATE INDEX IF NOT EXISTS executions_by_state ON executions (tenant_id, state)`);
  }

  async get(tenantId: string, id: string): Promise<Execution | undefined> {
    const row = statement(this.db, 'SELECT doc, version FROM executions WHERE tenant_id = ? AND id = ?').get(tenantId, id) as
      | { doc: string; version: number }
      | undefined;
    return row ? { ...(JSON.parse(row.doc) as Execution), version: row.version } : undefined;
  }

  async save(execution: Execution, expectedVersion: number | undefined): Promise<Execution> {
    const version = (expectedVersion ?? 0) + 1;
    const stored: Execution = { ...execution, version };
    const cols = [
      execution.namespace,
      execution.flowId,
      execution.state.current,
      execution.state.startDate,
      execution.parentId ?? null,
      JSON.stringify(execution.labels ?? []),
      version,
      JSON.stringify(stored),
    ];
    // One statement each, so atomic without an explicit transaction.
    const r =
      expectedVersion === undefined
        ? statement(
            this.db,
            `INSERT OR IGNORE INTO executions (namespace, flow_id, state, start_date, parent_id, labels_json, version, doc, tenant_id, id)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          ).run(...cols, execution.tenantId, execution.id)
        : statement(
            this.db,
            `UPDATE executions SET namespace = ?, flow_id = ?, state = ?, start_date = ?, parent_id = ?, labels_json = ?, version = ?, doc = ?
             WHERE tenant_id = ? AND id = ? AND version = ?`,
          ).run(...cols, execution.tenantId, execution.id, expectedVersion);
    if (r.changes !== 1) throw new VersionConflictError('Execution', execution.id, expectedVersion);
    return stored;
  }

  async find(tenantId: string, query: ExecutionQuery): Promise<Page<Execution>> {
    const where = ['tenant_id = ?'];
    const args: unknown[] = [tenantId];
    const add = (clause: string, ...values: unknown[]) => {
      where.push(clause);
      args.push(...values);
    };
    if (query.namespace !== undefined) add('namespace = ?', query.namespace);
    if (query.namespacePrefix !== undefined) {
      add("(namespace = ? OR substr(namespace, 1, ?) = ? || '.')", query.namespacePrefix, query.namespacePrefix.length + 1, query.namespacePrefix);
    }
    if (query.flowId !== undefined) add('flow_id = ?', query.flowId);
    if (query.states && query.states.length > 0) add(`state IN (${query.states.map(() => '?').join(', ')})`, ...query.states);
    // ISO-8601 instants in UTC compare correctly as text once normalized.
    if (query.startDate !== undefined) add('start_date >= ?', new Date(query.startDate).toISOString());
    if (query.endDate !== undefined) add('start_date <= ?', new Date(query.endDate).toISOString());
    if (query.parentId !== undefined) add('parent_id = ?', query.parentId);
    for (const [key, value] of Object.entries(query.labels ?? {})) {
      add(
        "EXISTS (SELECT 1 FROM json_each(labels_json) l WHERE json_extract(l.value, '$.key') = ? AND json_extract(l.value, '$.value') = ?)",
        key,
        value,
      );
    }
    const whereSql = where.join(' AND ');
    const total = (statement(this.db, `SELECT COUNT(*) AS n FROM executions WHERE ${whereSql}`).get(...args) as { n: number }).n;
    const size = Math.max(1, query.size ?? DEFAULT_PAGE_SIZE);
    const page = Math.max(1, query.page ?? 1);
    const order = query.sort === 'startDate:asc' ? 'ASC' : 'DESC';
    const rows = statement(this.db, `SELECT doc, version FROM executions WHERE ${whereSql} ORDER BY start_date ${order}, id ${order} LIMIT ? OFFSET ?`)
      .all(...args, size, (page - 1) * size) as { doc: string; version: number }[];
    return { total, results: rows.map((r) => ({ ...(JSON.parse(r.doc) as Execution), version: r.version })) };
  }

  async delete(tenantId: string, id: string): Promise<void> {
    statement(this.db, 'DELETE FROM executions WHERE tenant_id = ? AND id = ?').run(tenantId, id);
  }
}
