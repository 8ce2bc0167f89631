import type { LogEntry } from '../model/execution';
import type { LogLevel } from '../model/flow';

export interface LogQuery {
  readonly executionId?: string;
  readonly taskRunId?: string;
  readonly taskId?: string;
  readonly namespace?: string;
  readonly flowId?: string;
  readonly minLevel?: LogLevel;
  readonly page?: number;
  readonly size?: number;
}

/** Execution and trigger logs, queryable by execution and level. Secrets are masked before they get here. */
export interface LogRepository {
  append(entries: readonly LogEntry[]): Promise<void>;
  find(tenantId: string, query: LogQuery): Promise<readonly LogEntry[]>;
  deleteByExecution(tenantId: string, executionId: string): Promise<void>;
}
