import type { Execution, PluginRegistry, TaskFlows, TaskRunner } from '@windhover/core';
import type { RuntimePorts } from '../runtime-ports';
import { EffectDispatcher, executorMessage } from './effect-dispatcher';
import { ExecutionService } from './execution-service';
import { Executor } from './executor';
import { FlowLoader } from './flow-loader';
import { parseExecutorMessage, parseWorkerMessage } from './messages';
import { OutputStore } from './output-store';
import { type QueuedSweepResult, sweepQueuedExecutions } from './queued-sweep';
import { Worker } from './worker';

export interface EngineOptions {
  /** Task plugins (createTaskRegistry() from @windhover/tasks). */
  readonly registry: PluginRegistry;
  /** `envs`, `globals`, `kestra` expression variables of the instance. */
  readonly instanceVariables?: Readonly<Record<string, unknown>>;
  /** Flow management for tasks (FlowService.taskFlows). */
  readonly taskFlows?: (tenantId: string) => TaskFlows;
  /** The edition's task runners by `taskRunner.type`. */
  readonly taskRunner?: (type: string) => TaskRunner | undefined;
  /**
   * Task types run inside the executor step instead of the worker queue
   * (they do no I/O besides logs). Default: Log, Return, OutputValues.
   */
  readonly inlineTaskTypes?: readonly string[];
  /** Called when an execution becomes terminal (flow triggers, metrics). */
  readonly onTerminated?: (execution: Execution) => Promise<void> | void;
  /** Called when an execution enters PAUSED (Flow triggers listening for PAUSED). */
  readonly onPaused?: (execution: Execution) => Promise<void> | void;
  /**
   * Whether `onTerminated` would change anything durable for this ended
   * execution (start a flow, release a schedule, disable a trigger). When
   * given, a new execution whose first step ends it runs inside the create
   * call (Executor.startInline) unless this says true; when absent, every
   * execution starts through the executor queue.
   */
  readonly endNeedsDelivery?: (execution: Execution) => Promise<boolean>;
  /** How long a create call may run that first step before handing it to the queue (ms). Default 1,000. */
  readonly inlineStartBudgetMs?: number;
}

const DEFAULT_INLINE_TYPES = ['io.kestra.plugin.core.log.Log', 'io.kestra.plugin.core.debug.Return', 'io.kestra.plugin.core.output.OutputValues'];

export interface Engine {
  readonly executionService: ExecutionService;
  /** Same object as executionService: the API's ExecutionCommands. */
  readonly executions: ExecutionService;
  handleExecutorMessage(body: string): Promise<void>;
  handleWorkerMessage(body: string): Promise<void>;
  /**
   * Call after deleting an execution: a deleted non-terminal execution frees
   * its concurrency slot, so the oldest QUEUED one may start (Kestra leaks it).
   */
  executionDeleted(execution: Execution): Promise<void>;
  /** Sends due TimerStore timers to the executor (call from the scheduler tick). */
  fireDueTimers(limit?: number): Promise<number>;
  /**
   * Starts QUEUED executions that a lost or lagging slot-freed left waiting
   * while their flow has a free slot (call from the scheduler tick; safe to
   * repeat and to run in parallel). Tenants default to `main`.
   */
  sweepQueued(tenantIds?: readonly string[]): Promise<QueuedSweepResult>;
  readonly worker: Worker;
}

/**
 * The engine of either edition from its ports: the execution service for
 * the API and the two queue handlers (executor FIFO per execution, worker).
 *
 * @example
 * const engine = createEngine(ports, { registry: createTaskRegistry() });
 * queue.consume('executor', (body) => engine.handleExecutorMessage(body));
 */
export function createEngine(ports: RuntimePorts, options: EngineOptions): Engine {
  const flows = new FlowLoader(ports);
  const outputs = new OutputStore(ports);
  const { endNeedsDelivery } = options;
  const service: ExecutionService = new ExecutionService(
    ports,
    flows,
    endNeedsDelivery
      ? (execution: Execution): Promise<Execution | undefined> => executor.startInline(execution, endNeedsDelivery, options.inlineStartBudgetMs)
      : undefined,
  );
  const worker = new Worker({
    ports,
    flows,
    registry: options.registry,
    outputs,
    ...(options.instanceVariables ? { instanceVariables: options.instanceVariables } : {}),
    ...(options.taskFlows ? { taskFlows: options.taskFlows } : {}),
    ...(options.taskRunner ? { taskRunner: options.taskRunner } : {}),
  });
  const dispatcher = new EffectDispatcher(ports, {
    createSubflow: (parent, effect) => service.createSubflow(parent, effect),
    retryExecution: (execution, effect) => service.createRetryExecution(execution, effect),
    resumeExecution: async (execution, effect) => {
      try {
        await service.resume(execution.tenantId, effect.targetExecutionId, effect.inputs);
      } catch (e) {
        // A target that is gone or no longer PAUSED is not retried; the Resume task already ended.
        ports.logger.warn('execution.Resume could not resume its target', { executionId: execution.id, target: effect.targetExecutionId, error: e instanceof Error ? e.message : String(e) });
      }
    },
    abortTask: (taskRunId) => worker.abort(taskRunId),
    terminated: async (execution, _effect, context) => {
      service.notifyTerminated(execution);
      if (!context.heldNoSlot) await releaseSlot(execution);
      await options.onTerminated?.(execution);
    },
    paused: async (execution) => {
      await options.onPaused?.(execution);
    },
  });
  const inlineTypes = new Set(options.inlineTaskTypes ?? DEFAULT_INLINE_TYPES);
  const executor = new Executor({
    ports,
    ...(inlineTypes.size > 0
      ? {
          inline: {
            accepts: (type: string) => inlineTypes.has(options.registry.get(type)?.type ?? type),
            run: (input, sink) => worker.runInline(input, sink),
          },
        }
      : {}),
    flows,
    registry: options.registry,
    dispatcher,
    outputs,
    ...(options.instanceVariables ? { instanceVariables: options.instanceVariables } : {}),
  });

  /** A terminal execution frees its concurrency slot: the oldest QUEUED execution of the flow may start. */
  async function releaseSlot(execution: Execution): Promise<void> {
    const latest = await flows.latest(execution.tenantId, execution.namespace, execution.flowId);
    if (ports.slots) {
      const { tenantId, namespace, flowId, id } = execution;
      // A flow without a limit now may still have held a slot (a limit removed since the start):
      // a consistent read, a fifth of a write's price, says whether there is anything to release.
      const held = async () => {
        const { active, waiting } = await ports.slots?.snapshot(tenantId, namespace, flowId) ?? { active: [], waiting: [] };
        return active.includes(id) || waiting.includes(id);
      };
      if (latest?.flow.concurrency || (await held())) await ports.slots.release(tenantId, namespace, flowId, id);
    }
    if (!latest?.flow.concurrency) return;
    const queued = await ports.executions.find(execution.tenantId, {
      namespace: execution.namespace,
      flowId: execution.flowId,
      states: ['QUEUED'],
      sort: 'startDate:asc',
      size: latest.flow.concurrency.limit,
    });
    const messages = queued.results
      .filter((q) => q.namespace === execution.namespace)
      // Per end of the holder (a restarted execution ends again) and per queuing of the waiter.
      .map((q) =>
        executorMessage({
          type: 'slot-freed',
          id: `${q.id}:slot:${execution.id}:${execution.state.histories.length}:${q.state.histories.length}`,
          tenantId: q.tenantId,
          executionId: q.id,
        }),
      );
    if (messages.length) await ports.queue.sendToExecutor(messages);
  }

  return {
    executionService: service,
    executions: service,
    worker,
    executionDeleted: (execution) => releaseSlot(execution),
    sweepQueued: (tenantIds = ['main']) => sweepQueuedExecutions(ports, tenantIds),
    handleExecutorMessage: (body) => executor.handle(parseExecutorMessage(body)),
    handleWorkerMessage: (body) => worker.handle(parseWorkerMessage(body)),
    fireDueTimers: async (limit = 100) => {
      if (!ports.timers) return 0;
      const due = await ports.timers.due(ports.clock.now(), limit);
      for (const t of due) {
        const event = parseExecutorMessage(t.body);
        await ports.queue.sendToExecutor([executorMessage(event)]);
        await ports.timers.delete(t.id);
      }
      return due.length;
    },
  };
}
