import type { TriggerKey, TriggerState, TriggerStateQuery, TriggerStore } from '@windhover/core';
import { VersionConflictError, triggerKeyString } from '@windhover/core';
import type Database from 'better-sqlite3';
import type { SqliteDatabase } from './sqlite-database';

interface Row {
  readonly doc: string;
  readonly version: number;
}

type Statement = Database.Statement<unknown[]>;

/**
 * Trigger state in SQLite. The conditional write is a single statement
 * (`INSERT OR IGNORE` for a new state, `UPDATE ... WHERE version = ?`
 * otherwise), so two ticks racing for one slot cannot both win, even from
 * two processes sharing the file. Statements are prepared once: the
 * scheduler reads and writes thousands of states per tick.
 */
export class SqliteTriggerStore implements TriggerStore {
  readonly #get: Statement;
  readonly #insert: Statement;
  readonly #update: Statement;
  readonly #delete: Statement;
  readonly #deleteByFlow: Statement;
  readonly #lists = new Map<string, Statement>();

  constructor(private readonly db: SqliteDatabase) {
    db.exec(`CREATE TABLE IF NOT EXISTS trigger_states (
      tenant_id TEXT NOT NULL, namespace TEXT NOT NULL, flow_id TEXT NOT NULL, trigger_id TEXT NOT NULL,
      version INTEGER NOT NULL, doc TEXT NOT NULL,
      PRIMARY KEY (tenant_id, namespace, flow_id, trigger_id))`);
    this.#get = db.prepare('SELECT doc, version FROM trigger_states WHERE tenant_id = ? AND namespace = ? AND flow_id = ? AND trigger_id = ?');
    this.#insert = db.prepare(
      'INSERT OR IGNORE INTO trigger_states (tenant_id, namespace, flow_id, trigger_id, version, doc) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.#update = db.prepare(
      `UPDATE trigger_states SET version = ?, doc = ?
       WHERE tenant_id = ? AND namespace = ? AND flow_id = ? AND trigger_id = ? AND version = ?`,
    );
    this.#delete = db.prepare('DELETE FROM trigger_states WHERE tenant_id = ? AND namespace = ? AND flow_id = ? AND trigger_id = ?');
    this.#deleteByFlow = db.prepare('DELETE FROM trigger_states WHERE tenant_id = ? AND namespace = ? AND flow_id = ?');
  }

  async get(key: TriggerKey): Promise<TriggerState | undefined> {
    const row = this.#get.get(key.tenantId, key.namespace, key.flowId, key.triggerId) as Row | undefined;
    return row ? toState(row) : undefined;
  }

  async list(tenantId: string, query: TriggerStateQuery = {}): Promise<readonly TriggerState[]> {
    const where = ['tenant_id = ?'];
    const args: string[] = [tenantId];
    if (query.namespace !== undefined) {
      where.push('namespace = ?');
      args.push(query.namespace);
    }
    if (query.namespacePrefix !== undefined) {
      where.push("(namespace = ? OR substr(namespace, 1, length(?) + 1) = ? || '.')");
      args.push(query.namespacePrefix, query.namespacePrefix, query.namespacePrefix);
    }
    if (query.flowId !== undefined) {
      where.push('flow_id = ?');
      args.push(query.flowId);
    }
    const sql = `SELECT doc, version FROM trigger_states WHERE ${where.join(' AND ')} ORDER BY namespace, flow_id, trigger_id`;
    let statement = this.#lists.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.#lists.set(sql, statement);
    }
    return (statement.all(...args) as Row[]).map(toState);
  }

  async save(state: Omit<TriggerState, 'version'>, expectedVersion: number | undefined): Promise<TriggerState> {
    const version = (expectedVersion ?? 0) + 1;
    const { version: _ignored, ...rest } = state as TriggerState;
    const doc = JSON.stringify(rest);
    const changes =
      expectedVersion === undefined
        ? this.#insert.run(state.tenantId, state.namespace, state.flowId, state.triggerId, version, doc).changes
        : this.#update.run(version, doc, state.tenantId, state.namespace, state.flowId, state.triggerId, expectedVersion).changes;
    if (changes !== 1) throw new VersionConflictError('Trigger', triggerKeyString(state), expectedVersion);
    return { ...(rest as Omit<TriggerState, 'version'>), version };
  }

  async delete(key: TriggerKey): Promise<boolean> {
    return this.#delete.run(key.tenantId, key.namespace, key.flowId, key.triggerId).changes > 0;
  }

  async deleteByFlow(tenantId: string, namespace: string, flowId: string): Promise<number> {
    return this.#deleteByFlow.run(tenantId, namespace, flowId).changes;
  }
}

function toState(row: Row): TriggerState {
  const state = JSON.parse(row.doc) as { version: number };
  state.version = row.version;
  return state as unknown as TriggerState;
}
