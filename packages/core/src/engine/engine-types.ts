import type { Execution, Metric, TaskRun } from '../model/execution';
import type { TaskDefinition } from '../model/flow';
import type { JsonValue } from '../model/json';
import type { StateType } from '../model/state';
import type { TaskCategory } from '../plugins/plugin';

/**
 * Events the executor consumes, one at a time per execution. Every event has
 * a deterministic `id` so that a redelivered event is recognised and skipped.
 */
export type ExecutorEvent =
  | ExecutionCreatedEvent
  | TaskResultEvent
  | TimerFiredEvent
  | KillRequestedEvent
  | ResumeRequestedEvent
  | SubflowEndedEvent
  | ConcurrencySlotFreedEvent
  | RestartRequestedEvent
  | TaskRunStateChangeEvent
  | ItemsSplitEvent
  | ExecutionStatusChangeEvent
  | UnqueueRequestedEvent
  | ForceRunRequestedEvent
  | PauseRequestedEvent
  | ItemsMergedEvent;

interface EventBase {
  readonly id: string;
  readonly tenantId: string;
  readonly executionId: string;
}

export interface ExecutionCreatedEvent extends EventBase {
  readonly type: 'created';
}

export interface TaskResultEvent extends EventBase {
  readonly type: 'task-result';
  readonly taskRunId: string;
  /** 1-based attempt number the result belongs to. */
  readonly attempt: number;
  readonly state: 'SUCCESS' | 'WARNING' | 'FAILED' | 'KILLED';
  readonly outputs?: Readonly<Record<string, JsonValue>>;
  readonly metrics?: readonly Metric[];
  readonly errorMessage?: string;
  /** False when the failure must not be retried (TaskFailure.retryable). */
  readonly retryable?: boolean;
  /** Outputs too large for the execution document, stored in internal storage at this URI. */
  readonly outputsRef?: string;
  /** When the worker started the attempt (ISO); becomes the RUNNING history date. */
  readonly startedAt?: string;
  /**
   * Outputs the worker computed for the parent task run, merged into it: a
   * WorkingDirectory's `outputFiles`, collected from its shared folder after
   * each child.
   */
  readonly parentOutputs?: { readonly taskRunId: string; readonly outputs: Readonly<Record<string, JsonValue>> };
}

export type TimerPurpose = 'retry' | 'sleep' | 'pause' | 'loop' | 'scheduled-start' | 'flow-retry';

export interface TimerFiredEvent extends EventBase {
  readonly type: 'timer';
  readonly purpose: TimerPurpose;
  readonly taskRunId?: string;
  /** Attempt (retry) or iteration (loop) the timer was set for; stale timers are ignored. */
  readonly seq?: number;
}

export interface KillRequestedEvent extends EventBase {
  readonly type: 'kill';
}

export interface ResumeRequestedEvent extends EventBase {
  readonly type: 'resume';
  /** Validated onResume input values. */
  readonly inputs?: Readonly<Record<string, JsonValue>>;
}

export interface SubflowEndedEvent extends EventBase {
  readonly type: 'subflow-ended';
  readonly taskRunId: string;
  readonly childExecutionId: string;
  readonly childState: StateType;
  readonly childOutputs?: Readonly<Record<string, JsonValue>>;
}

export interface ConcurrencySlotFreedEvent extends EventBase {
  readonly type: 'slot-freed';
}

export interface RestartRequestedEvent extends EventBase {
  readonly type: 'restart';
}

/** Manual task-run state change (Kestra's "change status"). */
export interface TaskRunStateChangeEvent extends EventBase {
  readonly type: 'change-task-run-state';
  readonly taskRunId: string;
  readonly state: 'SUCCESS' | 'FAILED' | 'WARNING';
}

/** Kestra's "Change status" of a terminated execution: its state becomes another terminal state. */
export interface ExecutionStatusChangeEvent extends EventBase {
  readonly type: 'change-status';
  readonly state: StateType;
}

/** A QUEUED execution leaves the queue: RUNNING starts it whatever the concurrency limit; CANCELLED or FAILED end it. */
export interface UnqueueRequestedEvent extends EventBase {
  readonly type: 'unqueue';
  readonly state: StateType;
}

/** Force run: a CREATED or QUEUED execution starts now, ignoring the concurrency limit and its scheduleDate. */
export interface ForceRunRequestedEvent extends EventBase {
  readonly type: 'force-run';
}

/** Pauses a RUNNING execution: task runs under way finish, no new one starts until it is resumed. */
export interface PauseRequestedEvent extends EventBase {
  readonly type: 'pause';
}

/** ForEachItem: the runtime split `items` into batch files (or failed to). */
export interface ItemsSplitEvent extends EventBase {
  readonly type: 'items-split';
  readonly taskRunId: string;
  readonly uris?: readonly string[];
  readonly error?: string;
}

/** ForEachItem: the runtime merged the children's flow outputs into one ION file. */
export interface ItemsMergedEvent extends EventBase {
  readonly type: 'items-merged';
  readonly taskRunId: string;
  readonly uri?: string;
  readonly error?: string;
}

/**
 * Effects decide() asks the runtime to carry out. `id` is deterministic
 * (execution id, task run id, attempt...) and is the idempotency key.
 */
export type Effect =
  | DispatchTaskEffect
  | SetTimerEffect
  | CreateSubflowEffect
  | KillExecutionEffect
  | AbortTaskEffect
  | NotifyParentEffect
  | ExecutionTerminatedEffect
  | ExecutionPausedEffect
  | RetryExecutionEffect
  | SplitItemsEffect
  | MergeSubflowOutputsEffect
  | ResumeExecutionEffect
  | RestartExecutionEffect;

export interface DispatchTaskEffect {
  readonly kind: 'dispatch-task';
  readonly id: string;
  readonly taskRunId: string;
  readonly taskId: string;
  readonly attempt: number;
}

export interface SetTimerEffect {
  readonly kind: 'set-timer';
  readonly id: string;
  /** ISO instant at which the timer fires. */
  readonly fireAt: string;
  readonly purpose: TimerPurpose;
  readonly taskRunId?: string;
  readonly seq?: number;
}

export interface CreateSubflowEffect {
  readonly kind: 'create-subflow';
  readonly id: string;
  /** Deterministic id of the child execution. */
  readonly childExecutionId: string;
  readonly taskRunId: string;
  readonly taskId: string;
  readonly namespace: string;
  readonly flowId: string;
  readonly revision?: number;
  readonly inputs: Readonly<Record<string, JsonValue>>;
  readonly labels: readonly { key: string; value: string }[];
  readonly wait: boolean;
  readonly scheduleDate?: string;
}

export interface KillExecutionEffect {
  readonly kind: 'kill-execution';
  readonly id: string;
  readonly targetExecutionId: string;
}

export interface AbortTaskEffect {
  readonly kind: 'abort-task';
  readonly id: string;
  readonly taskRunId: string;
}

export interface NotifyParentEffect {
  readonly kind: 'notify-parent';
  readonly id: string;
  readonly parentExecutionId: string;
  readonly parentTaskRunId: string;
  readonly state: StateType;
  readonly outputs?: Readonly<Record<string, JsonValue>>;
}

/** Restart of a parent whose Subflow failed, with restartBehavior RETRY_FAILED: restart the existing child. */
export interface RestartExecutionEffect {
  readonly kind: 'restart-execution';
  readonly id: string;
  readonly targetExecutionId: string;
}

/** execution.Resume: resume another PAUSED execution with onResume inputs. */
export interface ResumeExecutionEffect {
  readonly kind: 'resume-execution';
  readonly id: string;
  readonly targetExecutionId: string;
  readonly inputs: Readonly<Record<string, JsonValue>>;
}

/** ForEachItem: split the `items` file into batches (one line per item); answered by an ItemsSplitEvent. */
export interface SplitItemsEffect {
  readonly kind: 'split-items';
  readonly id: string;
  readonly taskRunId: string;
  readonly taskId: string;
  readonly items: string;
  readonly rows?: number;
  readonly partitions?: number;
  readonly bytes?: string | number;
  readonly separator: string;
}

/** ForEachItem: write the children's flow outputs as one ION file; answered by an ItemsMergedEvent. */
export interface MergeSubflowOutputsEffect {
  readonly kind: 'merge-subflow-outputs';
  readonly id: string;
  readonly taskRunId: string;
  readonly taskId: string;
  readonly childExecutionIds: readonly string[];
}

/** Flow-level retry with behavior CREATE_NEW_EXECUTION: a new attempt of this execution (core-spec §6.3). */
export interface RetryExecutionEffect {
  readonly kind: 'retry-execution';
  readonly id: string;
  /** Deterministic id of the new execution. */
  readonly newExecutionId: string;
  /** ISO instant at which the new attempt starts. */
  readonly scheduleDate: string;
  readonly attemptNumber: number;
}

export interface ExecutionTerminatedEffect {
  readonly kind: 'execution-terminated';
  readonly id: string;
  readonly state: StateType;
  readonly namespace: string;
  readonly flowId: string;
}

/** The execution became PAUSED (a Pause task, or paused through the API): Flow triggers listening for PAUSED see it. */
export interface ExecutionPausedEffect {
  readonly kind: 'execution-paused';
  readonly id: string;
  readonly namespace: string;
  readonly flowId: string;
}

/**
 * Renders expressions for decide(). Rendering is CPU work plus reads through
 * ports (secrets, KV), so it is async; it has no other side effect.
 */
export interface EngineRenderer {
  render(template: string, variables: Readonly<Record<string, unknown>>): Promise<string>;
  renderTyped(value: unknown, variables: Readonly<Record<string, unknown>>): Promise<unknown>;
  truthy(value: unknown): boolean;
}

/** What decide() needs to know about a task type (from the plugin registry). */
export interface TaskTypeInfo {
  readonly canonical: string;
  readonly category: TaskCategory;
}

/** Outcome of a task run executed inline (see DecideContext.inline). */
export interface InlineTaskResult {
  readonly state: 'SUCCESS' | 'WARNING' | 'FAILED' | 'KILLED';
  /** The outputs (also when they were stored at `outputsRef`; they are not kept in the execution then). */
  readonly outputs?: Readonly<Record<string, JsonValue>>;
  readonly outputsRef?: string;
  readonly metrics?: readonly Metric[];
  readonly retryable?: boolean;
}

/**
 * Runs light runnable tasks (Log, Return, OutputValues: CPU work plus log
 * writes) during decide() instead of dispatching them to a worker, so that
 * a long chain of them costs one executor step. A port like the renderer.
 */
export interface InlineTaskRunner {
  accepts(canonicalType: string): boolean;
  run(input: {
    readonly execution: Execution;
    readonly taskRun: TaskRun;
    readonly task: TaskDefinition;
    readonly attempt: number;
    readonly variables: Readonly<Record<string, unknown>>;
  }): Promise<InlineTaskResult>;
}

export interface DecideContext {
  /** Runs light tasks inside the step; absent = every runnable task is dispatched. */
  readonly inline?: InlineTaskRunner;
  /** Maximum inline task runs in one step (default 10,000); the rest are dispatched. */
  readonly inlineBudget?: number;
  /** The instant of this step (from the Clock port). */
  readonly now: Date;
  readonly renderer: EngineRenderer;
  /** Resolves a task type or alias; undefined when unknown. */
  readonly taskType: (type: string) => TaskTypeInfo | undefined;
  /** Non-terminal executions of the same flow, other than this one (for `concurrency`). */
  readonly runningExecutionsOfFlow?: number;
  /** `envs`, `globals`, `kestra` variables of the instance. */
  readonly instanceVariables?: Readonly<Record<string, unknown>>;
  /** Outputs kept in internal storage, already loaded by the runtime (task run id -> outputs). */
  readonly externalOutputs?: ReadonlyMap<string, Readonly<Record<string, JsonValue>>>;
}
