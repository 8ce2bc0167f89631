import type { Flow, FlowQuery, FlowRepository, FlowWithSource } from '@windhover/core';
import { VersionConflictError } from '@windhover/core';
import { type SqliteDatabase, inTransaction, statement } from './sqlite-database';

interface FlowRow {
  tenant_id: string;
  namespace: string;
  id: string;
  revision: number;
  deleted: number;
  source: string;
  flow_json: string;
  updated: string;
}

const toFlow = (r: FlowRow): FlowWithSource => ({
  flow: JSON.parse(r.flow_json) as Flow,
  source: r.source,
  revision: r.revision,
  tenantId: r.tenant_id,
  updated: r.updated,
  ...(r.deleted ? { deleted: true } : {}),
});

/** Flows in SQLite: one row per revision (Kestra's JDBC layout), deletes are tombstone revisions. */
export class SqliteFlowRepository implements FlowRepository {
  constructor(private readonly db: SqliteDatabase) {
    db.exec(`CREATE TABLE IF NOT EXISTS flows (
      tenant_id TEXT NOT NULL, namespace TEXT NOT NULL, id TEXT NOT NULL, revision INTEGER NOT NULL,
      deleted INTEGER NOT NULL DEFAULT 0, source TEXT NOT NULL, flow_json TEXT NOT NULL, updated TEXT NOT NULL,
      PRIMARY KEY (tenant_id, namespace, id, revision))`);
  }

  /** Parsed revisions: a stored revision never changes, so it is parsed once. */
  private readonly parsed = new Map<string, FlowWithSource>();

  private cached(tenantId: string, namespace: string, id: string, revision: number): FlowWithSource | undefined {
    const key = `${tenantId}\u0000${namespace}\u0000${id}\u0000${revision}`;
    const hit = this.parsed.get(key);
    if (hit) return hit;
    const row = statement(this.db, 'SELECT * FROM flows WHERE tenant_id = ? AND namespace = ? AND id = ? AND revision = ?').get(tenantId, namespace, id, revision) as
      | FlowRow
      | undefined;
    if (!row) return undefined;
    const flow = toFlow(row);
    if (this.parsed.size >= 2000) this.parsed.delete(this.parsed.keys().next().value as string);
    this.parsed.set(key, flow);
    return flow;
  }

  private latest(tenantId: string, namespace: string, id: string): FlowRow | undefined {
    return statement(this.db, 'SELECT * FROM flows WHERE tenant_id = ? AND namespace = ? AND id = ? ORDER BY revision DESC LIMIT 1')
      .get(tenantId, namespace, id) as FlowRow | undefined;
  }

  async get(tenantId: string, namespace: string, id: string, revision?: number): Promise<FlowWithSource | undefined> {
    if (revision !== undefined) return this.cached(tenantId, namespace, id, revision);
    const head = statement(this.db, 'SELECT revision, deleted FROM flows WHERE tenant_id = ? AND namespace = ? AND id = ? ORDER BY revision DESC LIMIT 1').get(
      tenantId,
      namespace,
      id,
    ) as { revision: number; deleted: number } | undefined;
    return head && !head.deleted ? this.cached(tenantId, namespace, id, head.revision) : undefined;
  }

  async list(tenantId: string, query: FlowQuery = {}): Promise<readonly FlowWithSource[]> {
    const where = ['f.tenant_id = ?'];
    const args: unknown[] = [tenantId];
    if (query.namespace !== undefined) {
      where.push('f.namespace = ?');
      args.push(query.namespace);
    }
    if (query.namespacePrefix !== undefined) {
      where.push("(f.namespace = ? OR substr(f.namespace, 1, ?) = ? || '.')");
      args.push(query.namespacePrefix, query.namespacePrefix.length + 1, query.namespacePrefix);
    }
    if (!query.includeDeleted) where.push('f.deleted = 0');
    const rows = statement(
      this.db,
        `SELECT f.* FROM flows f JOIN (SELECT tenant_id, namespace, id, MAX(revision) AS revision FROM flows
           WHERE tenant_id = ? GROUP BY tenant_id, namespace, id) m
         ON f.tenant_id = m.tenant_id AND f.namespace = m.namespace AND f.id = m.id AND f.revision = m.revision
         WHERE ${where.join(' AND ')} ORDER BY f.namespace, f.id`,
      )
      .all(tenantId, ...args) as FlowRow[];
    return rows.map(toFlow);
  }

  async revisions(tenantId: string, namespace: string, id: string): Promise<readonly FlowWithSource[]> {
    const rows = statement(this.db, 'SELECT * FROM flows WHERE tenant_id = ? AND namespace = ? AND id = ? ORDER BY revision ASC')
      .all(tenantId, namespace, id) as FlowRow[];
    return rows.map(toFlow);
  }

  async save(flow: FlowWithSource, expectedRevision: number | undefined): Promise<void> {
    const { namespace, id } = flow.flow;
    inTransaction(this.db, () => {
      const current = this.latest(flow.tenantId, namespace, id)?.revision;
      if (current !== expectedRevision || flow.revision <= (current ?? 0)) {
        throw new VersionConflictError('Flow', `${namespace}.${id}`, expectedRevision);
      }
      statement(this.db, 'INSERT INTO flows (tenant_id, namespace, id, revision, deleted, source, flow_json, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
        .run(flow.tenantId, namespace, id, flow.revision, flow.deleted ? 1 : 0, flow.source, JSON.stringify(flow.flow), flow.updated);
    });
  }
}
