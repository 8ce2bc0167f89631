import type { Execution, ExecutionTrigger, Label, StateType } from '@windhover/core';

/** A FILE input sent as a multipart part (`files` part with `filename=<inputId>`, or a part named after the input). */
export interface UploadedInputFile {
  readonly inputId: string;
  readonly fileName: string;
  readonly contentType?: string;
  readonly data: Uint8Array;
}

/** `wait: false` returns once the command is sent (bulk actions); by default the executor's result is awaited (up to 10 s). */
export interface CommandOptions {
  readonly wait?: boolean;
}

export interface CreateExecutionRequest {
  readonly tenantId: string;
  readonly namespace: string;
  readonly flowId: string;
  /** Latest when absent. */
  readonly revision?: number;
  /** Raw input values as sent (form fields); the engine validates and converts them by input type. */
  readonly inputs: Readonly<Record<string, unknown>>;
  readonly files?: readonly UploadedInputFile[];
  readonly labels?: readonly Label[];
  readonly scheduleDate?: string;
  readonly trigger?: ExecutionTrigger;
}

/**
 * What the API asks of the engine. The engine's ExecutionService implements
 * it; illegal transitions throw IllegalStateError (409), unknown executions
 * ExecutionNotFoundError (404), invalid inputs ValidationError (422).
 */
export interface ExecutionCommands {
  create(request: CreateExecutionRequest): Promise<Execution>;
  kill(tenantId: string, executionId: string, options?: { cascade?: boolean }): Promise<Execution>;
  resume(tenantId: string, executionId: string, inputs: Readonly<Record<string, unknown>>, files?: readonly UploadedInputFile[]): Promise<Execution>;
  restart(tenantId: string, executionId: string, options?: { revision?: number }): Promise<Execution>;
  replay(tenantId: string, executionId: string, options?: { taskRunId?: string; revision?: number }): Promise<Execution>;
  setLabels(tenantId: string, executionId: string, labels: readonly Label[]): Promise<Execution>;
  /** A terminated execution gets another terminal state (Kestra's "Change status"); the execution once the executor applied it. */
  changeStatus(tenantId: string, executionId: string, state: StateType, options?: CommandOptions): Promise<Execution>;
  /** A QUEUED execution leaves the queue as RUNNING (default), CANCELLED or FAILED. */
  unqueue(tenantId: string, executionId: string, state?: StateType, options?: CommandOptions): Promise<Execution>;
  /** A CREATED or QUEUED execution starts now whatever the concurrency limit; a PAUSED one resumes. */
  forceRun(tenantId: string, executionId: string, options?: CommandOptions): Promise<Execution>;
  /** A task run's "Change status": resumes a paused one, ends a running one, or marks one of a terminated execution and continues after it. */
  setTaskRunState(tenantId: string, executionId: string, taskRunId: string, state: StateType, options?: CommandOptions): Promise<Execution>;
  /** Pauses a RUNNING execution: running task runs finish, nothing new starts until it is resumed. */
  pause(tenantId: string, executionId: string, options?: CommandOptions): Promise<Execution>;
  /** Replay with new inputs, validated like a new execution's; the new execution. */
  replayWithInputs(
    tenantId: string,
    executionId: string,
    inputs: Readonly<Record<string, unknown>>,
    files?: readonly UploadedInputFile[],
    options?: { taskRunId?: string; revision?: number },
  ): Promise<Execution>;
  /** Resolves when the execution is terminal, or with its current state after `timeoutMs` (the API polls when absent). */
  waitForTerminal?(tenantId: string, executionId: string, timeoutMs?: number): Promise<Execution>;
}
