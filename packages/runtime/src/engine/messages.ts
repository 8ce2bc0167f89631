import type { ExecutorEvent } from '@windhover/core';
import { BadRequestError } from '@windhover/core';

/**
 * Executor queue message body: one executor event (ids and small values
 * only). `notBefore` marks a timer hop: an event that must not be applied
 * before that instant is sent again with the remaining delay.
 */
export type ExecutorMessage = ExecutorEvent & { readonly notBefore?: string };

/** Worker queue message body: run one attempt of one task run. */
export interface WorkerMessage {
  readonly type: 'run-task';
  readonly tenantId: string;
  readonly executionId: string;
  readonly taskRunId: string;
  readonly attempt: number;
}

const EXECUTOR_TYPES = new Set(['created', 'task-result', 'timer', 'kill', 'resume', 'subflow-ended', 'slot-freed', 'restart', 'change-task-run-state', 'items-split', 'items-merged', 'change-status', 'unqueue', 'force-run', 'pause']);

export function parseExecutorMessage(body: string): ExecutorMessage {
  const m = JSON.parse(body) as Partial<ExecutorMessage>;
  if (!m || typeof m !== 'object' || !EXECUTOR_TYPES.has(String(m.type)) || typeof m.id !== 'string' || typeof m.executionId !== 'string' || typeof m.tenantId !== 'string') {
    throw new BadRequestError('invalid executor message');
  }
  return m as ExecutorMessage;
}

export function parseWorkerMessage(body: string): WorkerMessage {
  const m = JSON.parse(body) as Partial<WorkerMessage>;
  if (m?.type !== 'run-task' || typeof m.executionId !== 'string' || typeof m.taskRunId !== 'string' || typeof m.attempt !== 'number' || typeof m.tenantId !== 'string') {
    throw new BadRequestError('invalid worker message');
  }
  return m as WorkerMessage;
}

/** Longest delay a queue message may carry (SQS's 15 minutes). */
export const MAX_QUEUE_DELAY_SECONDS = 900;
