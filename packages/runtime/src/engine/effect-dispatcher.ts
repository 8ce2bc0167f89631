import type { Effect, Execution, ExecutorEvent, QueueMessage } from '@windhover/core';
import type { RuntimePorts } from '../runtime-ports';
import { mergeSubflowOutputs, splitItems } from './for-each-item-io';
import type { ExecutorMessage, WorkerMessage } from './messages';
import { MAX_QUEUE_DELAY_SECONDS } from './messages';

/** What the dispatcher needs besides the ports (implemented by the engine). */
export interface DispatchTargets {
  /** Creates a Subflow's child execution (idempotent by child id). */
  createSubflow(parent: Execution, effect: Extract<Effect, { kind: 'create-subflow' }>): Promise<void>;
  /** Creates the next attempt of an execution (flow retry CREATE_NEW_EXECUTION), idempotent by id. */
  retryExecution(execution: Execution, effect: Extract<Effect, { kind: 'retry-execution' }>): Promise<void>;
  /** execution.Resume: resumes another execution (validating its onResume inputs). */
  resumeExecution(execution: Execution, effect: Extract<Effect, { kind: 'resume-execution' }>): Promise<void>;
  /** Aborts a running attempt in this process, if it runs here. */
  abortTask(taskRunId: string): void;
  /** The execution reached a terminal state (waiters, concurrency slots). */
  terminated(execution: Execution, effect: Extract<Effect, { kind: 'execution-terminated' }>, context: DispatchContext): Promise<void>;
  /** The execution entered PAUSED (Flow triggers listening for PAUSED). */
  paused(execution: Execution): Promise<void>;
}

/** What the caller of dispatch knows about the execution beyond its document. */
export interface DispatchContext {
  /** The execution never took a concurrency slot (it started and ended in one inline step without a limit). */
  readonly heldNoSlot?: boolean;
}

export const executorMessage = (event: ExecutorMessage, delaySeconds?: number): QueueMessage => ({
  id: event.id,
  groupId: event.executionId,
  body: JSON.stringify(event),
  ...(delaySeconds ? { delaySeconds } : {}),
});

/**
 * Carries out decide()'s effects through the ports. Every message id is the
 * effect's deterministic id, so dispatching an outbox twice is harmless.
 */
export class EffectDispatcher {
  constructor(
    private readonly ports: RuntimePorts,
    private readonly targets: DispatchTargets,
  ) {}

  async dispatch(execution: Execution, effects: readonly Effect[], context: DispatchContext = {}): Promise<void> {
    const toExecutor: QueueMessage[] = [];
    const toWorker: QueueMessage[] = [];
    const base = { tenantId: execution.tenantId };
    for (const e of effects) {
      switch (e.kind) {
        case 'dispatch-task': {
          const m: WorkerMessage = { type: 'run-task', tenantId: execution.tenantId, executionId: execution.id, taskRunId: e.taskRunId, attempt: e.attempt };
          toWorker.push({ id: e.id, groupId: execution.id, body: JSON.stringify(m) });
          break;
        }
        case 'set-timer': {
          const event: ExecutorEvent = { ...base, type: 'timer', id: e.id, executionId: execution.id, purpose: e.purpose, ...(e.taskRunId ? { taskRunId: e.taskRunId } : {}), ...(e.seq !== undefined ? { seq: e.seq } : {}) };
          const msg = await this.timer(event, e.fireAt);
          if (msg) toExecutor.push(msg);
          break;
        }
        case 'kill-execution':
          toExecutor.push(executorMessage({ ...base, type: 'kill', id: e.id, executionId: e.targetExecutionId }));
          break;
        case 'restart-execution':
          toExecutor.push(executorMessage({ ...base, type: 'restart', id: e.id, executionId: e.targetExecutionId }));
          break;
        case 'notify-parent':
          toExecutor.push(
            executorMessage({
              ...base,
              type: 'subflow-ended',
              id: e.id,
              executionId: e.parentExecutionId,
              taskRunId: e.parentTaskRunId,
              childExecutionId: execution.id,
              childState: e.state,
              ...(e.outputs ? { childOutputs: e.outputs } : {}),
            }),
          );
          break;
        case 'create-subflow':
          await this.targets.createSubflow(execution, e);
          break;
        case 'resume-execution':
          await this.targets.resumeExecution(execution, e);
          break;
        case 'split-items':
          toExecutor.push(executorMessage(await splitItems(this.ports, execution, e)));
          break;
        case 'merge-subflow-outputs':
          toExecutor.push(executorMessage(await mergeSubflowOutputs(this.ports, execution, e)));
          break;
        case 'retry-execution':
          await this.targets.retryExecution(execution, e);
          break;
        case 'abort-task':
          this.targets.abortTask(e.taskRunId);
          break;
        case 'execution-terminated':
          await this.targets.terminated(execution, e, context);
          break;
        case 'execution-paused':
          await this.targets.paused(execution);
          break;
      }
    }
    if (toWorker.length) await this.ports.queue.sendToWorker(toWorker);
    if (toExecutor.length) await this.ports.queue.sendToExecutor(toExecutor);
  }

  /**
   * A timer: a delayed executor message when the delay fits the queue,
   * else a TimerStore record (or, without a store, a 15-minute hop that the
   * executor re-sends until due).
   */
  async timer(event: ExecutorEvent, fireAt: string): Promise<QueueMessage | undefined> {
    const delayMs = Date.parse(fireAt) - this.ports.clock.now().getTime();
    if (delayMs <= 0) return executorMessage(event);
    const seconds = Math.ceil(delayMs / 1000);
    if (seconds <= MAX_QUEUE_DELAY_SECONDS) return executorMessage({ ...event, notBefore: fireAt }, seconds);
    if (this.ports.timers) {
      await this.ports.timers.put({ id: event.id, tenantId: event.tenantId, executionId: event.executionId, fireAt, body: JSON.stringify(event) });
      return undefined;
    }
    return executorMessage({ ...event, notBefore: fireAt }, MAX_QUEUE_DELAY_SECONDS);
  }
}
