import type { LogEntry, Metric } from '../model/execution';
import type { FlowWithSource, LogLevel } from '../model/flow';
import type { JsonValue } from '../model/json';
import type { KvEntry, KvType } from '../ports/kv-store';
import type { LogQuery } from '../ports/log-repository';
import type { NamespaceFileMeta } from '../ports/namespace-file-store';
import type { TaskRunner } from '../ports/task-runner';

/** Logs of one task run; the runtime masks secrets before storing them. */
export interface TaskLogger {
  log(level: LogLevel, message: string): void;
  trace(message: string): void;
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** Internal storage as a task sees it: files of its execution, addressed by `kestra://` URIs. */
export interface TaskStorage {
  /** Stores bytes under this task run's prefix and returns the `kestra:///...` URI. */
  putFile(fileName: string, data: Uint8Array): Promise<string>;
  /** Reads a `kestra://` URI this execution may read; throws NotFoundError when absent. */
  getFile(uri: string): Promise<Uint8Array>;
  exists(uri: string): Promise<boolean>;
  size(uri: string): Promise<number>;
  delete(uri: string): Promise<boolean>;
  /** Every file of the current execution (PurgeCurrentExecutionFiles); absent where the edition cannot list. */
  listExecutionFiles?(): Promise<readonly string[]>;
}

/** Read access to execution logs of the tenant (log.Fetch). */
export interface TaskLogs {
  find(query: LogQuery): Promise<readonly LogEntry[]>;
}

/** The KV store scoped to the flow's tenant; `namespace` defaults to the flow's. */
export interface TaskKv {
  get(key: string, namespace?: string): Promise<KvEntry | undefined>;
  set(key: string, value: JsonValue, options?: { namespace?: string; type?: KvType; ttl?: string; overwrite?: boolean }): Promise<void>;
  delete(key: string, namespace?: string): Promise<boolean>;
  list(namespace?: string): Promise<readonly KvEntry[]>;
}

/** Namespace files of the tenant; paths are validated and can never escape their namespace. */
export interface TaskNamespaceFiles {
  get(namespace: string, path: string): Promise<Uint8Array | undefined>;
  list(namespace: string, prefix?: string): Promise<readonly NamespaceFileMeta[]>;
  put(namespace: string, path: string, content: Uint8Array): Promise<{ meta: NamespaceFileMeta; changed: boolean }>;
  delete(namespace: string, path: string): Promise<readonly string[]>;
}

/** Outcome of saving a flow from a task (Git sync): Kestra's diff vocabulary. */
export type FlowSaveStatus = 'ADDED' | 'UPDATED' | 'UNCHANGED';

/** Flow management for tasks that manage flows (Git sync/push, backups). Always validates. */
export interface TaskFlows {
  list(options: { namespace: string; includeChildNamespaces?: boolean }): Promise<readonly FlowWithSource[]>;
  get(namespace: string, id: string): Promise<FlowWithSource | undefined>;
  /** Validates without saving; returns the problems (empty when valid). */
  validate(source: string): Promise<readonly { message: string; path?: string; line?: number; column?: number }[]>;
  /** Validates then saves; identical source creates no new revision and reports UNCHANGED. */
  save(source: string, options?: { namespaceOverride?: string }): Promise<{ flow: FlowWithSource; status: FlowSaveStatus }>;
  /**
   * What saving these valid sources together (saveAll) would do, without
   * saving: per source, the status and revision it would get (revisions
   * continue after a deleted flow's tombstone) and the problems that would
   * reject it (a subflow cycle through the set and the stored flows).
   */
  plan(sources: readonly string[], options?: FlowBatchOptions): Promise<readonly FlowSavePlan[]>;
  /** Validates and saves several sources as one change: when one is rejected (422), nothing is saved. */
  saveAll(sources: readonly string[], options?: FlowBatchOptions): Promise<readonly { flow: FlowWithSource; status: FlowSaveStatus }[]>;
  delete(namespace: string, id: string): Promise<boolean>;
}

/** Options of a batch of flow saves (a Git sync). */
export interface FlowBatchOptions {
  /** Flows the same change deletes (saveAll deletes them first): references to them do not count when looking for subflow cycles. */
  readonly deleting?: readonly { readonly namespace: string; readonly id: string }[];
}

/** What saving one source of a batch would do (TaskFlows.plan). */
export interface FlowSavePlan {
  readonly namespace: string;
  readonly id: string;
  readonly status: FlowSaveStatus;
  /** The revision the flow has (UNCHANGED) or would get. */
  readonly revision: number;
  /** Why saving the batch would be rejected because of this source; empty when it would not. */
  readonly problems: readonly { readonly message: string; readonly path?: string }[];
}

/**
 * Everything a runnable task may use. Tasks never see SDK clients or
 * adapters; the runtime builds this for each attempt.
 */
export interface RunContext {
  readonly tenantId: string;
  readonly namespace: string;
  readonly flowId: string;
  readonly executionId: string;
  readonly taskRunId: string;
  readonly taskId: string;
  /** 1-based attempt number. */
  readonly attempt: number;
  /** The expression context (flow, execution, inputs, outputs, vars, taskrun, ...). */
  readonly variables: Readonly<Record<string, unknown>>;
  /** Typed rendering of a property value (deep: strings in maps and lists are rendered). */
  render(value: unknown, extraVariables?: Readonly<Record<string, unknown>>): Promise<unknown>;
  /** Renders to a string (the whole value as text). */
  renderString(value: unknown, extraVariables?: Readonly<Record<string, unknown>>): Promise<string>;
  readonly logger: TaskLogger;
  /**
   * The shared working directory when the task runs inside
   * io.kestra.plugin.core.flow.WorkingDirectory: tasks that produce files
   * (git Clone, namespace DownloadFiles) write there and script tasks run
   * there. Undefined elsewhere: such tasks then use a private temporary folder.
   */
  readonly workingDir?: string;
  /** Aborted on kill or timeout. */
  readonly signal: AbortSignal;
  readonly storage: TaskStorage;
  readonly kv: TaskKv;
  readonly namespaceFiles: TaskNamespaceFiles;
  readonly flows: TaskFlows;
  /** `secret('KEY')` resolution for the flow's namespace (namespace, parents, tenant). */
  secret(key: string): Promise<string>;
  /** Logs of executions of the tenant (log.Fetch); absent where the edition gives none. */
  readonly logs?: TaskLogs;
  metric(metric: Metric): void;
  now(): Date;
  /**
   * The edition's runner for a `taskRunner.type` (e.g. Fargate for the Docker
   * runner on AWS). Undefined when the edition has none for that type: script
   * tasks then fall back to the Process runner and log that they did.
   */
  taskRunner?(type: string): TaskRunner | undefined;
}
