import type { EngineState } from '../engine/engine-state';
import type { JsonValue } from './json';
import type { Label } from './flow';
import type { State } from './state';

/** Kestra's Execution document (core-spec §3.5), as the API returns it. */
export interface Execution {
  readonly tenantId: string;
  readonly id: string;
  readonly namespace: string;
  readonly flowId: string;
  readonly flowRevision: number;
  readonly state: State;
  readonly taskRunList: readonly TaskRun[];
  readonly inputs?: Readonly<Record<string, JsonValue>>;
  readonly outputs?: Readonly<Record<string, JsonValue>>;
  readonly labels: readonly Label[];
  readonly variables?: Readonly<Record<string, JsonValue>>;
  readonly parentId?: string;
  readonly originalId: string;
  readonly trigger?: ExecutionTrigger;
  readonly metadata: { readonly attemptNumber: number; readonly originalCreatedDate: string };
  readonly scheduleDate?: string;
  readonly deleted: boolean;
  /** Optimistic-lock version; not part of Kestra's JSON but harmless to expose. */
  readonly version?: number;
  /** Engine bookkeeping (applied event ids, outbox, loop values); not part of Kestra's JSON, strip it in API answers. */
  readonly engine?: EngineState;
}

export interface ExecutionTrigger {
  readonly id: string;
  readonly type: string;
  readonly variables?: Readonly<Record<string, JsonValue>>;
}

export interface TaskRun {
  readonly id: string;
  readonly executionId: string;
  readonly namespace: string;
  readonly flowId: string;
  readonly taskId: string;
  readonly parentTaskRunId?: string;
  /** Loop value (JSON string for objects), as Kestra. */
  readonly value?: string;
  readonly iteration?: number;
  readonly attempts?: readonly TaskRunAttempt[];
  readonly outputs?: Readonly<Record<string, JsonValue>>;
  readonly state: State;
  readonly dynamic?: boolean;
}

export interface TaskRunAttempt {
  readonly state: State;
  readonly metrics?: readonly Metric[];
  readonly workerId?: string;
}

export interface Metric {
  readonly name: string;
  readonly type: 'counter' | 'timer' | 'gauge';
  readonly value: number;
  readonly tags?: Readonly<Record<string, string>>;
}

/** Kestra's LogEntry (core-spec §3.5). */
export interface LogEntry {
  readonly tenantId: string;
  readonly namespace: string;
  readonly flowId: string;
  readonly taskId?: string;
  readonly executionId?: string;
  readonly taskRunId?: string;
  readonly attemptNumber?: number;
  readonly triggerId?: string;
  readonly timestamp: string;
  readonly level: 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  readonly thread?: string;
  readonly message: string;
}
