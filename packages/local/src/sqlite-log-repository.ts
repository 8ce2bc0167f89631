import type { LogEntry, LogLevel, LogQuery, LogRepository } from '@windhover/core';
import { LOG_LEVELS } from '@windhover/core';
import { type SqliteDatabase, inTransaction, statement } from './sqlite-database';

interface LogRow {
  tenant_id: string;
  namespace: string;
  flow_id: string;
  task_id: string | null;
  execution_id: string | null;
  task_run_id: string | null;
  attempt_number: number | null;
  trigger_id: string | null;
  timestamp: string;
  level: LogEntry['level'];
  thread: string | null;
  message: string;
}

const levelRank = (l: LogLevel): number => LOG_LEVELS.indexOf(l);

function toEntry(r: LogRow): LogEntry {
  return {
    tenantId: r.tenant_id,
    namespace: r.namespace,
    flowId: r.flow_id,
    ...(r.task_id !== null ? { taskId: r.task_id } : {}),
    ...(r.execution_id !== null ? { executionId: r.execution_id } : {}),
    ...(r.task_run_id !== null ? { taskRunId: r.task_run_id } : {}),
    ...(r.attempt_number !== null ? { attemptNumber: r.attempt_number } : {}),
    ...(r.trigger_id !== null ? { triggerId: r.trigger_id } : {}),
    timestamp: r.timestamp,
    level: r.level,
    ...(r.thread !== null ? { thread: r.thread } : {}),
    message: r.message,
  };
}

/** Execution and trigger logs in SQLite, kept in insertion order within a timestamp. */
export class SqliteLogRepository implements LogRepository {
  constructor(private readonly db: SqliteDatabase) {
    db.exec(`CREATE TABLE IF NOT EXISTS logs (
      seq INTEGER PRIMARY KEY AUTOINCREMENT, tenant_id TEXT NOT NULL, namespace TEXT NOT NULL, flow_id TEXT NOT NULL,
      task_id TEXT, execution_id TEXT, task_run_id TEXT, attempt_number INTEGER, trigger_id TEXT,
      timestamp TEXT NOT NULL, level TEXT NOT NULL, level_rank INTEGER NOT NULL, thread TEXT, message TEXT NOT NULL);
      CREATE INDEX IF NOT EXISTS logs_by_execution ON logs (tenant_id, execution_id, timestamp);
      CREATE INDEX IF NOT EXISTS logs_by_flow ON logs (tenant_id, namespace, flow_id, timestamp)`);
  }

  private pending: LogEntry[] = [];
  private flush: Promise<void> | undefined;

  /**
   * Appends arrive from many task runs at once; those of one event-loop turn
   * are written in one transaction. The promise resolves once they are stored.
   */
  append(entries: readonly LogEntry[]): Promise<void> {
    if (entries.length === 0) return Promise.resolve();
    this.pending.push(...entries);
    this.flush ??= new Promise<void>((resolve, reject) => {
      setImmediate(() => {
        const batch = this.pending;
        this.pending = [];
        this.flush = undefined;
        try {
          this.write(batch);
          resolve();
        } catch (e) {
          reject(e);
        }
      });
    });
    return this.flush;
  }

  private write(entries: readonly LogEntry[]): void {
    const insert = statement(
      this.db,
      `INSERT INTO logs (tenant_id, namespace, flow_id, task_id, execution_id, task_run_id, attempt_number, trigger_id, timestamp, level, level_rank, thread, message)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    inTransaction(this.db, () => {
      for (const e of entries) {
        insert.run(
          e.tenantId,
          e.namespace,
          e.flowId,
          e.taskId ?? null,
          e.executionId ?? null,
          e.taskRunId ?? null,
          e.attemptNumber ?? null,
          e.triggerId ?? null,
          e.timestamp,
          e.level,
          levelRank(e.level),
          e.thread ?? null,
          e.message,
        );
      }
    });
  }

  async find(tenantId: string, query: LogQuery): Promise<readonly LogEntry[]> {
    const where = ['tenant_id = ?'];
    const args: unknown[] = [tenantId];
    const add = (clause: string, value: unknown) => {
      where.push(clause);
      args.push(value);
    };
    if (query.executionId !== undefined) add('execution_id = ?', query.executionId);
    if (query.taskRunId !== undefined) add('task_run_id = ?', query.taskRunId);
    if (query.taskId !== undefined) add('task_id = ?', query.taskId);
    if (query.namespace !== undefined) add('namespace = ?', query.namespace);
    if (query.flowId !== undefined) add('flow_id = ?', query.flowId);
    if (query.minLevel !== undefined) add('level_rank >= ?', levelRank(query.minLevel));
    let limit = '';
    if (query.size !== undefined) {
      const size = Math.max(1, Math.floor(query.size));
      limit = ' LIMIT ? OFFSET ?';
      args.push(size, (Math.max(1, Math.floor(query.page ?? 1)) - 1) * size);
    }
    const rows = statement(this.db, `SELECT * FROM logs WHERE ${where.join(' AND ')} ORDER BY timestamp ASC, seq ASC${limit}`)
      .all(...args) as LogRow[];
    return rows.map(toEntry);
  }

  async deleteByExecution(tenantId: string, executionId: string): Promise<void> {
    statement(this.db, 'DELETE FROM logs WHERE tenant_id = ? AND execution_id = ?').run(tenantId, executionId);
  }
}
