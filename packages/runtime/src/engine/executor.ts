import type { DecideContext, Execution, ExecutorEvent, Flow, PluginRegistry } from '@windhover/core';
import type { Decision, Effect } from '@windhover/core';
import { decide, decideBatch, FlowIndex, isWindhoverError, SecretMasker } from '@windhover/core';
import type { RuntimePorts } from '../runtime-ports';
import type { EffectDispatcher } from './effect-dispatcher';
import { executorMessage } from './effect-dispatcher';
import { engineRenderer } from './expression-functions';
import type { FlowLoader } from './flow-loader';
import type { ExecutorMessage } from './messages';
import { MAX_QUEUE_DELAY_SECONDS } from './messages';
import type { OutputStore } from './output-store';
import { taskTypeResolver } from './task-types';

export interface ExecutorDeps {
  readonly ports: RuntimePorts;
  /** Runs light task runs inside the executor step (no queue round trip). */
  readonly inline?: InlineRunner;
  readonly flows: FlowLoader;
  readonly registry: PluginRegistry;
  readonly dispatcher: EffectDispatcher;
  readonly outputs: OutputStore;
  readonly instanceVariables?: Readonly<Record<string, unknown>>;
}

/** Runs task runs of light types (Log, Return, OutputValues) in the executor's process. */
export interface InlineRunner {
  /** Whether this task type runs inline (pure CPU plus log writes). */
  accepts(type: string): boolean;
  run(execution: Execution, taskRunId: string, attempt: number): Promise<ExecutorEvent>;
}

/** Bounds of one executor step's inline work, so a huge loop still saves progress regularly. */
const INLINE_MAX_ROUNDS = 50_000;
const INLINE_MAX_MS = 5_000;

const ACTIVE_STATES = ['RUNNING', 'PAUSED', 'KILLING', 'RETRYING'] as const;
const MAX_CONFLICT_RETRIES = 20;

/**
 * One executor step per event (ARCHITECTURE "Engine sketch"): load the
 * execution at version v; if the event was applied, re-dispatch the outbox;
 * else decide, save v+1 with the outbox on condition that v is still
 * current, then dispatch. A crash anywhere is repaired by redelivery.
 */
export class Executor {
  readonly #locks = new Map<string, Promise<void>>();

  constructor(private readonly deps: ExecutorDeps) {}

  async handle(message: ExecutorMessage): Promise<void> {
    const { ports } = this.deps;
    const now = ports.clock.now().getTime();
    if (message.notBefore && Date.parse(message.notBefore) - now > 1000) {
      const { notBefore, ...event } = message;
      const seconds = Math.min(MAX_QUEUE_DELAY_SECONDS, Math.ceil((Date.parse(notBefore) - now) / 1000));
      await ports.queue.sendToExecutor([{ ...executorMessage({ ...event, notBefore }, seconds), id: `${event.id}:hop:${now}` }]);
      return;
    }
    const { notBefore: _ignored, ...event } = message;
    const concurrencyKey = event.type === 'created' || event.type === 'slot-freed' ? await this.#concurrencyKey(event) : undefined;
    if (!concurrencyKey) return this.#step(event);
    // Executions of one flow with a concurrency limit start one at a time in this process.
    const previous = this.#locks.get(concurrencyKey) ?? Promise.resolve();
    const mine = previous.then(() => this.#step(event));
    const tail = mine.catch(() => undefined);
    this.#locks.set(concurrencyKey, tail);
    try {
      await mine;
    } finally {
      if (this.#locks.get(concurrencyKey) === tail) this.#locks.delete(concurrencyKey);
    }
  }

  async #concurrencyKey(event: ExecutorEvent): Promise<string | undefined> {
    const e = await this.deps.ports.executions.get(event.tenantId, event.executionId);
    if (!e) return undefined;
    const latest = await this.deps.flows.latest(e.tenantId, e.namespace, e.flowId);
    return latest?.flow.concurrency ? `${e.tenantId}\u0000${e.namespace}\u0000${e.flowId}` : undefined;
  }

  async #step(event: ExecutorEvent): Promise<void> {
    const { ports, dispatcher } = this.deps;
    for (let i = 0; i < MAX_CONFLICT_RETRIES; i++) {
      const execution = await ports.executions.get(event.tenantId, event.executionId);
      if (!execution) {
        ports.logger.warn('executor event for an unknown execution', { executionId: event.executionId, eventId: event.id });
        return;
      }
      const { flow, ctx } = await this.#context(execution, event);
      const first = await decide(flow, execution, event, ctx);
      if (first.duplicate) {
        await dispatcher.dispatch(execution, first.effects);
        return;
      }
      const decision = await this.#inline(flow, first, ctx);
      let saved: Execution;
      try {
        saved = await ports.executions.save(decision.execution, execution.version);
      } catch (e) {
        if (isWindhoverError(e) && e.code === 'VERSION_CONFLICT') continue;
        throw e;
      }
      if (decision.logs.length > 0) await ports.logs.append(decision.logs);
      await dispatcher.dispatch(saved, decision.effects);
      return;
    }
    throw new Error(`execution ${event.executionId}: too many concurrent updates`);
  }

  /**
   * Runs the light task runs a decision dispatched right here and feeds
   * their results back (decideBatch) until none is left or the step's
   * budget is spent. The outbox of the saved execution then holds every
   * effect still to dispatch.
   */
  async #inline(flow: Flow, first: Decision, ctx: DecideContext): Promise<Decision> {
    const inline = this.deps.inline;
    if (!inline) return first;
    const flowIndex = new FlowIndex(flow);
    const typeOf = (taskId: string): string | undefined => flowIndex.get(taskId)?.task.type;
    let current = first;
    let pending: Effect[] = [...first.effects];
    const logs = [...first.logs];
    const started = Date.now();
    for (let round = 0; round < INLINE_MAX_ROUNDS && Date.now() - started < INLINE_MAX_MS; round++) {
      const light = pending.filter((e): e is Extract<Effect, { kind: 'dispatch-task' }> => e.kind === 'dispatch-task' && inline.accepts(typeOf(e.taskId) ?? ''));
      if (light.length === 0) break;
      const results: ExecutorEvent[] = [];
      for (const e of light) results.push(await inline.run(current.execution, e.taskRunId, e.attempt));
      const next = await decideBatch(flow, current.execution, results, { ...ctx, now: this.deps.ports.clock.now() });
      const done = new Set(light.map((e) => e.id));
      pending = [...pending.filter((e) => !done.has(e.id)), ...next.effects];
      logs.push(...next.logs);
      current = next;
    }
    if (current === first) return first;
    const execution: Execution = { ...current.execution, engine: { ...current.execution.engine!, outbox: pending } };
    return { execution, effects: pending, logs, duplicate: false };
  }

  async #context(execution: Execution, event: ExecutorEvent): Promise<{ flow: Flow; ctx: DecideContext }> {
    const { ports, flows, registry, outputs } = this.deps;
    const loaded = await flows.load(execution.tenantId, execution.namespace, execution.flowId, execution.flowRevision);
    let flow = loaded.effective;
    let running: number | undefined;
    if (event.type === 'created' || event.type === 'slot-freed') {
      // Concurrency is read from the latest revision (core-spec §6.2).
      const latest = await flows.latest(execution.tenantId, execution.namespace, execution.flowId);
      const concurrency = latest?.flow.concurrency;
      flow = { ...flow, concurrency };
      if (concurrency) {
        const page = await ports.executions.find(execution.tenantId, {
          namespace: execution.namespace,
          flowId: execution.flowId,
          states: ACTIVE_STATES,
          size: concurrency.limit + 1,
        });
        running = page.results.filter((e) => e.id !== execution.id && e.namespace === execution.namespace).length;
      }
    }
    const masker = new SecretMasker();
    const ctx: DecideContext = {
      now: ports.clock.now(),
      renderer: engineRenderer(ports, { tenantId: execution.tenantId, namespace: execution.namespace, flowId: execution.flowId, executionId: execution.id }, masker),
      taskType: taskTypeResolver(registry),
      ...(running !== undefined ? { runningExecutionsOfFlow: running } : {}),
      ...(this.deps.instanceVariables ? { instanceVariables: this.deps.instanceVariables } : {}),
      externalOutputs: await outputs.external(execution),
    };
    return { flow, ctx };
  }
}
