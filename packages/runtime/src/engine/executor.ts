import type { DecideContext, Execution, ExecutorEvent, Flow, PluginRegistry } from '@windhover/core';
import type { InlineTaskRunner, LogEntry } from '@windhover/core';
import { decide, isTerminated, isWindhoverError, SecretMasker } from '@windhover/core';
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
  readonly inline?: InlineExecutor;
  readonly flows: FlowLoader;
  readonly registry: PluginRegistry;
  readonly dispatcher: EffectDispatcher;
  readonly outputs: OutputStore;
  readonly instanceVariables?: Readonly<Record<string, unknown>>;
}

/** The runtime side of decide()'s InlineTaskRunner: task logs go to the step's sink, written once per step. */
export interface InlineExecutor {
  accepts(canonicalType: string): boolean;
  run(input: Parameters<InlineTaskRunner['run']>[0], logSink: LogEntry[]): ReturnType<InlineTaskRunner['run']>;
}

const ACTIVE_STATES = ['RUNNING', 'PAUSED', 'KILLING', 'RETRYING'] as const;
/** How long a create call may spend running a new execution's first step itself (Executor.startInline). */
export const INLINE_START_BUDGET_MS = 1_000;
const MAX_CONFLICT_RETRIES = 20;

/**
 * One executor step per event (ARCHITECTURE "Engine sketch"): load the
 * execution at version v; if the event was applied, re-dispatch the outbox;
 * else decide, save v+1 with the outbox on condition that v is still
 * current, then dispatch. A crash anywhere is repaired by redelivery.
 */
const inlineRunner = (inline: InlineExecutor, sink: LogEntry[]): InlineTaskRunner => ({
  accepts: (type) => inline.accepts(type),
  run: (input) => inline.run(input, sink),
});

/** Events on which decide() may start an execution, hence check the flow's concurrency (a restart too: RESTARTED is a created state). */
const isStartEvent = (event: ExecutorEvent): boolean =>
  event.type === 'created' ||
  event.type === 'slot-freed' ||
  event.type === 'restart' ||
  (event.type === 'timer' && event.purpose === 'scheduled-start') ||
  isForcedStart(event);

/** force-run and unqueue as RUNNING start an execution whatever the limit: it takes a free slot if there is one. */
function isForcedStart(event: ExecutorEvent): boolean {
  return event.type === 'force-run' || (event.type === 'unqueue' && event.state === 'RUNNING');
}

/** A step's log lines (its inline tasks' and decide()'s own), masked with every secret the step revealed, in one write. */
async function appendStepLogs(ports: RuntimePorts, lines: readonly LogEntry[], masker: SecretMasker): Promise<void> {
  if (lines.length === 0) return;
  await ports.logs.append(masker.size > 0 ? lines.map((l) => ({ ...l, message: masker.mask(l.message) })) : lines);
}

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
    const concurrencyKey = isStartEvent(event) ? await this.#concurrencyKey(event) : undefined;
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
      const sink: LogEntry[] = [];
      const { flow, ctx, masker } = await this.#context(execution, event, sink);
      const decision = await decide(flow, execution, event, ctx);
      if (decision.duplicate) {
        await dispatcher.dispatch(execution, decision.effects);
        return;
      }
      // Logs first: whoever sees the new state (a poller of wait=true) also sees its logs.
      // A lost save race then duplicates the inline tasks' log lines, never loses them.
      // Tasks the executor runs itself (Fail, inline Log, ...) log what decide() rendered: mask
      // them with every secret its renderer revealed, on top of each inline attempt's own masker.
      await appendStepLogs(ports, [...sink, ...decision.logs], masker);
      let saved: Execution;
      try {
        saved = await ports.executions.save(decision.execution, execution.version);
      } catch (e) {
        if (isWindhoverError(e) && e.code === 'VERSION_CONFLICT') continue;
        throw e;
      }
      await dispatcher.dispatch(saved, decision.effects);
      if (saved.state.current === 'QUEUED' && execution.state.current !== 'QUEUED') await this.#recheckQueued(saved, flow);
      return;
    }
    throw new Error(`execution ${event.executionId}: too many concurrent updates`);
  }

  /**
   * Runs the `created` step of a new, not yet stored execution inside the
   * caller (the API), so an execution that ends in its first step costs one
   * save instead of a save, a queue round trip and a second save. Returns
   * the stored terminal execution, or undefined when the step would need
   * anything after it (a worker task, a timer, a subflow, a concurrency
   * slot, a future schedule date, or end-of-execution work that must not be
   * lost, as `endNeedsDelivery` says): the caller then stores the execution
   * as created and queues its start as usual, and nothing of this attempt
   * remains. Everything it keeps happens after the single save: the
   * `execution-terminated` effects (waiters, metrics, the at-most-once
   * EventBridge event).
   */
  async startInline(
    execution: Execution,
    endNeedsDelivery: (ended: Execution) => Promise<boolean>,
    budgetMs = INLINE_START_BUDGET_MS,
  ): Promise<Execution | undefined> {
    const { ports, dispatcher, flows } = this.deps;
    if (!this.deps.inline || execution.state.current !== 'CREATED') return undefined;
    if (execution.scheduleDate && Date.parse(execution.scheduleDate) > ports.clock.now().getTime()) return undefined;
    if ((await flows.latest(execution.tenantId, execution.namespace, execution.flowId))?.flow.concurrency) return undefined;
    const event: ExecutorEvent = { type: 'created', id: `${execution.id}:created`, tenantId: execution.tenantId, executionId: execution.id };
    const sink: LogEntry[] = [];
    const { flow, ctx, masker } = await this.#context(execution, event, sink);
    // A big first step (a long inline loop) must not hold the caller (API Gateway gives up after
    // 29 s, and nothing is stored before the end): past the budget, every inline task refuses to
    // run and the execution goes through the queue instead, where a step may take as long as it needs.
    const deadline = performance.now() + budgetMs;
    let overBudget = false;
    const inline = ctx.inline;
    const budgeted: DecideContext = inline
      ? {
          ...ctx,
          inline: {
            accepts: (type) => inline.accepts(type),
            run: (input) => {
              if (performance.now() > deadline) {
                overBudget = true;
                throw new Error('the inline start ran out of time; the executor runs this execution');
              }
              return inline.run(input);
            },
          },
        }
      : ctx;
    let decision: Awaited<ReturnType<typeof decide>>;
    try {
      decision = await decide(flow, execution, event, budgeted);
    } catch (e) {
      if (overBudget) return undefined;
      throw e;
    }
    if (overBudget) return undefined;
    const ended = decision.execution;
    if (!isTerminated(ended.state.current) || ended.engine?.terminated !== true) return undefined;
    if (decision.effects.some((e) => e.kind !== 'execution-terminated')) return undefined;
    if (await endNeedsDelivery(ended)) return undefined;
    await appendStepLogs(ports, [...sink, ...decision.logs], masker);
    const saved = await ports.executions.save(ended, undefined);
    // Started without a limit (checked above) and ended in this step: no slot to release, no waiter to wake.
    await dispatcher.dispatch(saved, decision.effects, { heldNoSlot: true });
    return saved;
  }

  /**
   * A slot freed between the refused tryAcquire and the QUEUED save would
   * notify nobody (the execution was not yet listed as QUEUED): look once
   * more after the save, and if a slot is free now, start through slot-freed
   * (which takes the slot; the execution stays a waiter until then, so a
   * lost message is repaired by the scheduler's sweep).
   */
  async #recheckQueued(execution: Execution, flow: Flow): Promise<void> {
    const { ports } = this.deps;
    if (!ports.slots || !flow.concurrency) return;
    const { active } = await ports.slots.snapshot(execution.tenantId, execution.namespace, execution.flowId);
    if (active.length >= flow.concurrency.limit) return;
    const id = `${execution.id}:slot:recheck:${execution.state.histories.length}`;
    await ports.queue.sendToExecutor([executorMessage({ type: 'slot-freed', id, tenantId: execution.tenantId, executionId: execution.id })]);
  }

  async #context(execution: Execution, event: ExecutorEvent, sink: LogEntry[]): Promise<{ flow: Flow; ctx: DecideContext; masker: SecretMasker }> {
    const { ports, flows, registry, outputs } = this.deps;
    const loaded = await flows.load(execution.tenantId, execution.namespace, execution.flowId, execution.flowRevision);
    let flow = loaded.effective;
    let running: number | undefined;
    if (isStartEvent(event)) {
      // Concurrency is read from the latest revision (core-spec §6.2).
      const latest = await flows.latest(execution.tenantId, execution.namespace, execution.flowId);
      const concurrency = latest?.flow.concurrency;
      flow = { ...flow, concurrency };
      if (concurrency && ports.slots) {
        // An atomic slot (parallel executors never exceed the limit); only for an execution this event may
        // start, never for a redelivered event (decide() ignores it: a slot taken now would never be freed).
        const s = execution.state.current;
        const starting =
          !execution.engine?.appliedEvents.includes(event.id) &&
          ((event.type === 'created' && s === 'CREATED' && !(execution.scheduleDate && Date.parse(execution.scheduleDate) > ports.clock.now().getTime())) ||
            (event.type === 'slot-freed' && s === 'QUEUED') ||
            (event.type === 'timer' && s === 'CREATED') ||
            (event.type === 'restart' && (s === 'FAILED' || s === 'KILLED')) ||
            (isForcedStart(event) && (s === 'CREATED' || s === 'QUEUED')));
        const acquired = starting && (await ports.slots.tryAcquire(execution.tenantId, execution.namespace, execution.flowId, execution.id, concurrency.limit));
        // Refused with QUEUE: a waiter before its QUEUED state is saved, so the scheduler's sweep finds it whatever the listings show.
        if (starting && !acquired && !isForcedStart(event) && (concurrency.behavior ?? 'QUEUE') === 'QUEUE') {
          await ports.slots.markWaiting(execution.tenantId, execution.namespace, execution.flowId, execution.id);
        }
        running = acquired ? 0 : concurrency.limit;
      } else if (concurrency) {
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
      ...(this.deps.inline ? { inline: inlineRunner(this.deps.inline, sink) } : {}),
      renderer: engineRenderer(ports, { tenantId: execution.tenantId, namespace: execution.namespace, flowId: execution.flowId, executionId: execution.id }, masker),
      taskType: taskTypeResolver(registry),
      ...(running !== undefined ? { runningExecutionsOfFlow: running } : {}),
      ...(this.deps.instanceVariables ? { instanceVariables: this.deps.instanceVariables } : {}),
      externalOutputs: await outputs.external(
        event.type === 'task-result' && event.outputsRef
          ? { ...execution, engine: { appliedEvents: [], outbox: [], ...execution.engine, outputRefs: { ...(execution.engine?.outputRefs ?? {}), [event.taskRunId]: event.outputsRef } } }
          : execution,
      ),
    };
    return { flow, ctx, masker };
  }
}
