import type { AttemptKey, Execution, InlineTaskResult, JsonValue, LogEntry, TaskRun, LogLevel, Metric, PluginRegistry, RunnableTaskPlugin, TaskDefinition, TaskFlows, TaskRunner } from '@windhover/core';
import { FlowIndex, SecretMasker, TaskFailure, buildTaskRunVariables, isTerminated, parseDurationMs, renderTyped, toTaskFailure } from '@windhover/core';
import type { RuntimePorts } from '../runtime-ports';
import { executorMessage } from './effect-dispatcher';
import type { FlowLoader } from './flow-loader';
import type { ExecutorMessage, WorkerMessage } from './messages';
import type { OutputStore } from './output-store';
import { taskRunPrefix } from './output-store';
import { createRunContext } from './run-context-factory';
import { BufferedTaskLogger } from './task-logger';
import { taskTypeResolver } from './task-types';
import { WorkingDirectorySession, workingDirectoryParent } from './working-directory';

export interface WorkerDeps {
  readonly ports: RuntimePorts;
  readonly flows: FlowLoader;
  readonly registry: PluginRegistry;
  readonly outputs: OutputStore;
  readonly instanceVariables?: Readonly<Record<string, unknown>>;
  readonly taskFlows?: (tenantId: string) => TaskFlows;
  readonly taskRunner?: (type: string) => TaskRunner | undefined;
}

const isRunnable = (p: unknown): p is RunnableTaskPlugin =>
  typeof p === 'object' && p !== null && (p as { category?: unknown }).category === 'runnable' && typeof (p as { run?: unknown }).run === 'function';

class AbortedError extends Error {}

/**
 * How long an attempt result is kept in the attempt result store: the longest a
 * worker message can live in its queues (SQS: the worker queue keeps messages 4
 * days, its dead-letter queue 14 days from the first enqueue, and a redrive
 * from there is still a redelivery).
 */
export const ATTEMPT_RESULT_RETENTION_MS = 14 * 24 * 60 * 60 * 1000;

/**
 * Runs one attempt of one task run: skips it when the attempt is no longer
 * current (a redelivered message), builds the RunContext, enforces
 * `timeout`, stores logs (masked) and sends the result to the executor.
 */
export class Worker {
  /** Attempts running in this process, for kill (abort-task effects). */
  readonly running = new Map<string, AbortController>();
  readonly #indexes = new WeakMap<object, FlowIndex>();

  constructor(private readonly deps: WorkerDeps) {}

  abort(taskRunId: string): void {
    this.running.get(taskRunId)?.abort(new AbortedError('killed'));
  }

  async handle(message: WorkerMessage): Promise<void> {
    const { ports } = this.deps;
    const execution = await ports.executions.get(message.tenantId, message.executionId);
    if (!execution) return;
    const run = execution.taskRunList.find((r) => r.id === message.taskRunId);
    const attempts = run?.attempts ?? [];
    if (!run || isTerminated(run.state.current) || attempts.length !== message.attempt || isTerminated(attempts[attempts.length - 1].state.current)) {
      return; // a duplicate or stale delivery: that attempt is settled or superseded
    }
    // A delivery of an attempt that already ran (its acknowledgement was lost, or the
    // executor has not applied the result yet) re-sends the stored result instead of
    // running the task again. Only a crash between the task's work and this record
    // makes it run twice (at-least-once).
    const key = { tenantId: execution.tenantId, executionId: execution.id, taskRunId: run.id, attempt: message.attempt };
    const stored = await this.#storedResult(key);
    if (stored !== undefined) {
      await ports.queue.sendToExecutor([executorMessage(JSON.parse(stored) as ExecutorMessage)]);
      return;
    }
    const result = await this.runAttempt(execution, run.id, message.attempt);
    await this.#storeResult(key, JSON.stringify(result));
    await ports.queue.sendToExecutor([executorMessage(result)]);
  }

  /** The result recorded for an attempt (AttemptResultStore), if it ran already. */
  async #storedResult(key: AttemptKey): Promise<string | undefined> {
    const { ports } = this.deps;
    return ports.attemptResults.get(key, ports.clock.now());
  }

  async #storeResult(key: AttemptKey, result: string): Promise<void> {
    const { ports } = this.deps;
    const now = ports.clock.now();
    await ports.attemptResults.put(key, result, new Date(now.getTime() + ATTEMPT_RESULT_RETENTION_MS), now);
  }

  /** Runs one attempt against the given execution document and returns the result event (also used inline by the executor). */
  async runAttempt(execution: Execution, taskRunId: string, attempt: number): Promise<ExecutorMessage> {
    const loaded = await this.deps.flows.load(execution.tenantId, execution.namespace, execution.flowId, execution.flowRevision);
    let index = this.#indexes.get(loaded.effective);
    if (!index) {
      index = new FlowIndex(loaded.effective);
      this.#indexes.set(loaded.effective, index);
    }
    const run = execution.taskRunList.find((r) => r.id === taskRunId)!;
    return this.#run(execution, taskRunId, attempt, index.get(run.taskId)?.task, index);
  }

  /** Runs a light task inside the executor's decide() with the variables it computed (InlineTaskRunner). */
  async runInline(
    input: { execution: Execution; taskRun: TaskRun; task: TaskDefinition; attempt: number; variables: Readonly<Record<string, unknown>> },
    logSink?: LogEntry[],
  ): Promise<InlineTaskResult> {
    const { execution, taskRun, task, attempt, variables } = input;
    const loaded = await this.deps.flows.load(execution.tenantId, execution.namespace, execution.flowId, execution.flowRevision);
    let index = this.#indexes.get(loaded.effective);
    if (!index) {
      index = new FlowIndex(loaded.effective);
      this.#indexes.set(loaded.effective, index);
    }
    const r = await this.#run(execution, taskRun.id, attempt, task, index, variables, logSink);
    if (r.type !== 'task-result') throw new Error('unexpected result');
    const outputs = r.outputs ?? (r.outputsRef ? (await this.deps.outputs.external({ ...execution, engine: { appliedEvents: [], outbox: [], outputRefs: { [taskRun.id]: r.outputsRef } } })).get(taskRun.id) : undefined);
    return {
      state: r.state,
      ...(outputs ? { outputs } : {}),
      ...(r.outputsRef ? { outputsRef: r.outputsRef } : {}),
      ...(r.metrics ? { metrics: r.metrics } : {}),
      ...(r.retryable !== undefined ? { retryable: r.retryable } : {}),
    };
  }

  async #run(
    execution: Execution,
    taskRunId: string,
    attempt: number,
    task: TaskDefinition | undefined,
    index: FlowIndex,
    given?: Readonly<Record<string, unknown>>,
    logSink?: LogEntry[],
  ): Promise<ExecutorMessage> {
    const { ports, registry } = this.deps;
    const run = execution.taskRunList.find((r) => r.id === taskRunId)!;
    const base = { type: 'task-result' as const, id: `${taskRunId}:${attempt}:result`, tenantId: execution.tenantId, executionId: execution.id, taskRunId, attempt };
    const masker = new SecretMasker();
    const logger = new BufferedTaskLogger({ tenantId: execution.tenantId, run, attempt }, masker, () => ports.clock.now(), (task?.logLevel as LogLevel | undefined) ?? 'TRACE');
    const metrics: Metric[] = [];
    const controller = new AbortController();
    this.running.set(taskRunId, controller);
    let timer: NodeJS.Timeout | undefined;
    let session: WorkingDirectorySession | undefined;
    try {
      if (!task) throw TaskFailure.nonRetryable(`Task '${run.taskId}' is not in flow revision ${execution.flowRevision}`);
      const plugin = registry.get(task.type);
      if (!isRunnable(plugin)) throw TaskFailure.nonRetryable(`No runnable implementation for task type '${task.type}'`);
      const variables =
        given ??
        buildTaskRunVariables(index.flow, execution, run, {
          taskType: taskTypeResolver(registry),
          externalOutputs: await this.deps.outputs.external(execution),
          index,
          ...(this.deps.instanceVariables ? { instanceVariables: this.deps.instanceVariables } : {}),
        });
      for (const def of index.flow.inputs ?? []) {
        const v = execution.inputs?.[def.id];
        if (def.type === 'SECRET' && typeof v === 'string') masker.add(v);
      }
      const wdParent = workingDirectoryParent(execution, run, index, registry);
      if (wdParent) session = new WorkingDirectorySession(ports, execution, wdParent, `${run.id}-${attempt}`);
      const ctx = createRunContext({
        ports,
        execution,
        run,
        attempt,
        variables,
        logger,
        masker,
        signal: controller.signal,
        metrics,
        ...(this.deps.taskFlows ? { flows: this.deps.taskFlows } : {}),
        ...(this.deps.taskRunner ? { taskRunner: this.deps.taskRunner } : {}),
        ...(session ? { workingDir: session.path } : {}),
      });
      await session?.open(ctx);
      let timeoutMs: number | undefined;
      if (task.timeout !== undefined) {
        timeoutMs = parseDurationMs(await renderTyped(task.timeout, variables));
        if (timeoutMs === undefined) throw TaskFailure.nonRetryable(`Invalid timeout '${String(task.timeout)}'`);
      }
      const aborted = new Promise<never>((_, reject) => {
        controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true });
      });
      if (timeoutMs !== undefined) {
        timer = setTimeout(() => controller.abort(new TaskFailure(`Task timeout after ${task.timeout}`, true)), timeoutMs);
      }
      const result = await Promise.race([plugin.run(task, ctx), aborted]);
      // Outputs are masked before they are stored or sent: a secret a task saw (an echoed
      // header, a printed token) must not reach the execution document or a later task's logs.
      const outputs = masker.maskDeep(result.outputs) as Readonly<Record<string, JsonValue>> | undefined;
      const outputsRef = await this.deps.outputs.maybeStore(taskRunPrefix(execution.namespace, execution.flowId, execution.id, run.taskId, run.id), attempt, outputs);
      const parentOutputs = await session?.collectOutputFiles(ctx);
      return {
        ...base,
        ...(parentOutputs ? { parentOutputs } : {}),
        state: result.state ?? 'SUCCESS',
        ...(outputsRef ? { outputsRef } : outputs ? { outputs } : {}),
        ...(metrics.length || result.metrics?.length ? { metrics: [...metrics, ...(result.metrics ?? [])] } : {}),
      };
    } catch (e) {
      if (e instanceof AbortedError) {
        logger.warn('Task killed');
        return { ...base, state: 'KILLED' };
      }
      const failure = toTaskFailure(e);
      logger.error(failure.message);
      return {
        ...base,
        state: 'FAILED',
        errorMessage: masker.mask(failure.message),
        retryable: failure.retryable,
        ...(failure.outputs ? { outputs: masker.maskDeep(failure.outputs) as Readonly<Record<string, JsonValue>> } : {}),
        ...(metrics.length ? { metrics } : {}),
      };
    } finally {
      if (timer) clearTimeout(timer);
      this.running.delete(taskRunId);
      await session?.close().catch((error: unknown) => logger.error(`Could not save the WorkingDirectory folder: ${error instanceof Error ? error.message : String(error)}`));
      const entries = logger.drain();
      if (logSink) logSink.push(...entries);
      else if (entries.length > 0) await ports.logs.append(entries);
    }
  }
}
