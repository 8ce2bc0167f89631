import type { Execution, ExecutionTrigger, Label } from '@windhover/core';

/** A FILE input sent as a multipart part (`files` part with `filename=<inputId>`, or a part named after the input). */
export interface UploadedInputFile {
  readonly inputId: string;
  readonly fileName: string;
  readonly contentType?: string;
  readonly data: Uint8Array;
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
  /** Resolves when the execution is terminal, or with its current state after `timeoutMs` (the API polls when absent). */
  waitForTerminal?(tenantId: string, executionId: string, timeoutMs?: number): Promise<Execution>;
}
