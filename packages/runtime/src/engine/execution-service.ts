import type { Effect, Execution, FlowWithSource, InputDefinition, JsonValue, Label, StateType } from '@windhover/core';
import {
  ExecutionNotFoundError,
  FlowNotFoundError,
  IllegalStateError,
  ValidationError,
  isTerminated,
  isWindhoverError,
  newExecution,
  resolveInputs,
  withState,
  FlowIndex,
} from '@windhover/core';
import { randomUUID } from 'node:crypto';
import type { RuntimePorts } from '../runtime-ports';
import type { CreateExecutionRequest, ExecutionCommands, UploadedInputFile } from '../services/execution-commands';
import { executorMessage } from './effect-dispatcher';
import { engineRenderer } from './expression-functions';
import type { FlowLoader } from './flow-loader';
import { executionPrefix } from './output-store';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** A random 22-character base62 id, the shape of Kestra's execution ids. */
export function newExecutionId(): string {
  let n = BigInt(`0x${randomUUID().replaceAll('-', '')}`);
  let out = '';
  while (out.length < 22) {
    out += BASE62[Number(n % 62n)];
    n /= 62n;
  }
  return out;
}

const SUBFLOW_TYPE = 'io.kestra.plugin.core.flow.Subflow';


/**
 * Execution commands of the API (create, kill, resume, restart, replay,
 * labels) plus reads and `waitForTerminal`. Only the executor changes an
 * execution's run state: commands validate, then send it an event.
 */
export class ExecutionService implements ExecutionCommands {
  readonly #waiters = new Map<string, Set<(e: Execution) => void>>();

  constructor(
    private readonly ports: RuntimePorts,
    private readonly flows: FlowLoader,
    /**
     * Runs a new execution's first step in this call when that step ends it
     * (Executor.startInline); undefined when it could not, or not set.
     */
    private readonly startInline?: (execution: Execution) => Promise<Execution | undefined>,
  ) {}

  async get(tenantId: string, executionId: string): Promise<Execution> {
    const e = await this.ports.executions.get(tenantId, executionId);
    if (!e || e.deleted) throw new ExecutionNotFoundError(executionId);
    return e;
  }

  async create(request: CreateExecutionRequest): Promise<Execution> {
    const flow = await this.ports.flows.get(request.tenantId, request.namespace, request.flowId, request.revision);
    if (!flow || (flow.deleted && request.revision === undefined)) throw new FlowNotFoundError(request.namespace, request.flowId, request.revision);
    return this.createFromFlow(flow, request);
  }

  /** Creates an execution of a given flow revision (also used for subflows and triggers). */
  async createFromFlow(
    flow: FlowWithSource,
    request: Omit<CreateExecutionRequest, 'namespace' | 'flowId'> & { id?: string; parentId?: string; originalId?: string },
  ): Promise<Execution> {
    const id = request.id ?? newExecutionId();
    const now = this.ports.clock.now();
    const provided: Record<string, unknown> = { ...request.inputs };
    const files = this.#fileUris(flow.flow.namespace, flow.flow.id, id, request.files ?? [], 'inputs');
    for (const f of files) provided[f.inputId] = f.uri;
    const labels = request.labels ?? [];
    const bad = labels.find((l) => l.key.startsWith('system.') && l.key !== 'system.correlationId' && l.key !== 'system.username');
    if (bad) throw new ValidationError(`Label '${bad.key}' is a system label`, [{ path: 'labels', message: `System label '${bad.key}' cannot be set` }]);
    const scope = { tenantId: request.tenantId, namespace: flow.flow.namespace, flowId: flow.flow.id, executionId: id };
    const inputs = await resolveInputs(flow.flow.inputs, provided, {
      renderer: engineRenderer(this.ports, scope),
      variables: {
        flow: { id: flow.flow.id, namespace: flow.flow.namespace, revision: flow.revision, tenantId: request.tenantId },
        ...(request.trigger ? { trigger: request.trigger.variables ?? {} } : {}),
      },
    });
    for (const f of files) await this.ports.storage.put(f.uri, f.data);
    const execution = newExecution({
      flow,
      id,
      tenantId: request.tenantId,
      now,
      inputs,
      labels,
      ...(request.trigger ? { trigger: request.trigger } : {}),
      ...(request.parentId ? { parentId: request.parentId } : {}),
      ...(request.originalId ? { originalId: request.originalId } : {}),
      ...(request.scheduleDate ? { scheduleDate: request.scheduleDate } : {}),
    });
    const ended = await this.startInline?.(execution);
    if (ended) return ended;
    const saved = await this.ports.executions.save(execution, undefined);
    await this.#send({ type: 'created', id: `${id}:created`, tenantId: request.tenantId, executionId: id });
    return saved;
  }

  #fileUris(namespace: string, flowId: string, id: string, files: readonly UploadedInputFile[], kind: string) {
    return files.map((f) => ({
      inputId: f.inputId,
      data: f.data,
      uri: `${executionPrefix(namespace, flowId, id)}/${kind}/${f.inputId}/${f.fileName.replace(/^.*[/\\]/, '') || 'file'}`,
    }));
  }

  async #send(event: Parameters<typeof executorMessage>[0]): Promise<void> {
    await this.ports.queue.sendToExecutor([executorMessage(event)]);
  }

  async kill(tenantId: string, executionId: string): Promise<Execution> {
    const e = await this.get(tenantId, executionId);
    if (isTerminated(e.state.current)) throw new IllegalStateError(`Execution '${executionId}' is already ${e.state.current} and cannot be killed`);
    await this.#send({ type: 'kill', id: `${executionId}:kill:${e.state.histories.length}`, tenantId, executionId });
    return e;
  }

  async resume(tenantId: string, executionId: string, inputs: Readonly<Record<string, unknown>>, files: readonly UploadedInputFile[] = []): Promise<Execution> {
    const e = await this.get(tenantId, executionId);
    if (e.state.current !== 'PAUSED') throw new IllegalStateError(`Execution '${executionId}' is ${e.state.current}, not PAUSED`);
    const { effective } = await this.flows.load(tenantId, e.namespace, e.flowId, e.flowRevision);
    const index = new FlowIndex(effective);
    const defs: InputDefinition[] = [];
    for (const r of e.taskRunList) {
      if (r.state.current !== 'PAUSED') continue;
      const onResume = index.get(r.taskId)?.task['onResume'];
      if (Array.isArray(onResume)) defs.push(...(onResume as InputDefinition[]));
    }
    const provided: Record<string, unknown> = { ...inputs };
    const uris = this.#fileUris(e.namespace, e.flowId, executionId, files, 'resume');
    for (const f of uris) provided[f.inputId] = f.uri;
    const values: Record<string, JsonValue> = await resolveInputs(defs, provided, {
      renderer: engineRenderer(this.ports, { tenantId, namespace: e.namespace, flowId: e.flowId, executionId }),
    });
    for (const f of uris) await this.ports.storage.put(f.uri, f.data);
    await this.#send({ type: 'resume', id: `${executionId}:resume:${e.state.histories.length}`, tenantId, executionId, inputs: values });
    return e;
  }

  async restart(tenantId: string, executionId: string): Promise<Execution> {
    const e = await this.get(tenantId, executionId);
    const s = e.state.current;
    if (s !== 'FAILED' && s !== 'KILLED' && s !== 'PAUSED') throw new IllegalStateError(`Execution '${executionId}' is ${s}; only FAILED, KILLED or PAUSED executions can be restarted`);
    await this.#send({ type: 'restart', id: `${executionId}:restart:${e.state.histories.length}`, tenantId, executionId });
    return e;
  }

  /**
   * Replay (core-spec §3.4 #9): a new execution (same originalId) that keeps
   * the successful task runs before `taskRunId`, re-opens its parents and
   * runs again from there; without `taskRunId` it starts from the beginning.
   */
  async replay(tenantId: string, executionId: string, options: { taskRunId?: string; revision?: number; inputs?: Readonly<Record<string, JsonValue>> } = {}): Promise<Execution> {
    const source = await this.get(tenantId, executionId);
    if (!isTerminated(source.state.current)) throw new IllegalStateError(`Execution '${executionId}' is still ${source.state.current}`);
    const revision = options.revision ?? source.flowRevision;
    const flow = await this.ports.flows.get(tenantId, source.namespace, source.flowId, revision);
    if (!flow) throw new FlowNotFoundError(source.namespace, source.flowId, revision);
    const now = this.ports.clock.now();
    const id = newExecutionId();
    const runs = source.taskRunList;
    let kept: Execution['taskRunList'] = [];
    if (options.taskRunId) {
      const target = runs.findIndex((r) => r.id === options.taskRunId);
      if (target < 0) throw new ValidationError(`Task run '${options.taskRunId}' is not part of execution '${executionId}'`, [{ path: 'taskRunId', message: 'unknown task run' }]);
      const byId = new Map(runs.map((r) => [r.id, r]));
      const ancestors = new Set<string>();
      for (let p = runs[target].parentTaskRunId; p; p = byId.get(p)?.parentTaskRunId) ancestors.add(p);
      const index = new FlowIndex(flow.flow);
      const isDescendant = (r: (typeof runs)[number]): boolean => {
        for (let p = r.parentTaskRunId; p; p = byId.get(p)?.parentTaskRunId) if (p === options.taskRunId) return true;
        return false;
      };
      kept = runs
        .filter((r, i) => {
          if (ancestors.has(r.id)) return true;
          if (i >= target || r.id === options.taskRunId || isDescendant(r)) return false;
          const branch = index.get(r.taskId)?.branch;
          if (branch === 'errors' || branch === 'finally' || branch === 'afterExecution') return false;
          return ['SUCCESS', 'WARNING', 'SKIPPED'].includes(r.state.current);
        })
        .map((r) => (ancestors.has(r.id) ? { ...r, executionId: id, state: withState(r.state, 'RUNNING', now) } : { ...r, executionId: id }));
    }
    const keptIds = new Set(kept.map((r) => r.id));
    const pick = <T>(m: Readonly<Record<string, T>> | undefined) =>
      m ? Object.fromEntries(Object.entries(m).filter(([k]) => keptIds.has(k))) : undefined;
    const fresh = newExecution({ flow, id, tenantId, now, inputs: options.inputs ?? source.inputs ?? {}, labels: source.labels.filter((l) => l.key !== 'system.correlationId'), originalId: source.originalId, ...(source.trigger ? { trigger: source.trigger } : {}) });
    const execution: Execution = {
      ...fresh,
      taskRunList: kept,
      ...(source.variables ? { variables: source.variables } : {}),
      metadata: { attemptNumber: source.metadata.attemptNumber + 1, originalCreatedDate: source.metadata.originalCreatedDate },
      engine: {
        appliedEvents: [],
        outbox: [],
        ...(pick(source.engine?.loopValues) ? { loopValues: pick(source.engine?.loopValues) } : {}),
        ...(pick(source.engine?.outputRefs) ? { outputRefs: pick(source.engine?.outputRefs) } : {}),
      },
    };
    const saved = await this.ports.executions.save(execution, undefined);
    await this.#send({ type: 'created', id: `${id}:created`, tenantId, executionId: id });
    return saved;
  }

  async setLabels(tenantId: string, executionId: string, labels: readonly Label[]): Promise<Execution> {
    const bad = labels.find((l) => l.key.startsWith('system.'));
    if (bad) throw new ValidationError(`Label '${bad.key}' is a system label`, [{ path: 'labels', message: `System label '${bad.key}' cannot be set` }]);
    for (let i = 0; i < 20; i++) {
      const e = await this.get(tenantId, executionId);
      const system = e.labels.filter((l) => l.key.startsWith('system.'));
      try {
        return await this.ports.executions.save({ ...e, labels: [...system, ...labels] }, e.version);
      } catch (err) {
        if (isWindhoverError(err) && err.code === 'VERSION_CONFLICT') continue;
        throw err;
      }
    }
    throw new IllegalStateError(`Execution '${executionId}' is changing too fast to set its labels`);
  }

  /** Manual task-run state change (Kestra's "change status"). */
  async changeTaskRunState(tenantId: string, executionId: string, taskRunId: string, state: 'SUCCESS' | 'FAILED' | 'WARNING'): Promise<Execution> {
    const e = await this.get(tenantId, executionId);
    if (!e.taskRunList.some((r) => r.id === taskRunId)) throw new ValidationError(`Unknown task run '${taskRunId}'`, [{ path: 'taskRunId', message: 'unknown task run' }]);
    await this.#send({ type: 'change-task-run-state', id: `${executionId}:change:${taskRunId}:${state}:${e.version ?? 0}`, tenantId, executionId, taskRunId, state });
    return e;
  }

  /**
   * Resolves once the execution is terminal (Kestra's `wait=true`), or with
   * its current state after `timeoutMs`. In-process completions wake it at
   * once; a poll covers executors in other processes.
   */
  async waitForTerminal(tenantId: string, executionId: string, timeoutMs = 60_000): Promise<Execution> {
    return this.#waitUntil(tenantId, executionId, (e) => isTerminated(e.state.current) && e.engine?.terminated !== false, timeoutMs, { firstMs: 20, maxMs: 500 });
  }

  /**
   * Reads the execution until `done` says so or `timeoutMs` has passed, and
   * returns it as it is then. Polls with a doubling delay; an execution that
   * ends in this process wakes the wait at once (notifyTerminated).
   */
  async #waitUntil(
    tenantId: string,
    executionId: string,
    done: (e: Execution) => boolean,
    timeoutMs: number,
    delays: { readonly firstMs: number; readonly maxMs: number },
  ): Promise<Execution> {
    const deadline = Date.now() + timeoutMs;
    let current = await this.get(tenantId, executionId);
    let delay = delays.firstMs;
    while (!done(current) && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const set = this.#waiters.get(executionId) ?? new Set();
        const wake = () => {
          clearTimeout(t);
          set.delete(wake);
          resolve();
        };
        const t = setTimeout(wake, Math.min(delay, Math.max(0, deadline - Date.now())));
        set.add(wake);
        this.#waiters.set(executionId, set);
      });
      delay = Math.min(delay * 2, delays.maxMs);
      current = await this.get(tenantId, executionId);
      if (this.#waiters.get(executionId)?.size === 0) this.#waiters.delete(executionId);
    }
    return current;
  }


  /** Called by the engine when an execution of this process reached a terminal state. */
  notifyTerminated(execution: Execution): void {
    for (const wake of this.#waiters.get(execution.id) ?? []) wake(execution);
  }

  /** The next attempt of a failed execution (flow retry CREATE_NEW_EXECUTION): same inputs, labels and trigger. */
  async createRetryExecution(old: Execution, effect: Extract<Effect, { kind: 'retry-execution' }>): Promise<void> {
    if (await this.ports.executions.get(old.tenantId, effect.newExecutionId)) {
      await this.#send({ type: 'created', id: `${effect.newExecutionId}:created`, tenantId: old.tenantId, executionId: effect.newExecutionId });
      return;
    }
    const flow = await this.ports.flows.get(old.tenantId, old.namespace, old.flowId, old.flowRevision);
    if (!flow) throw new FlowNotFoundError(old.namespace, old.flowId, old.flowRevision);
    const fresh = newExecution({
      flow,
      id: effect.newExecutionId,
      tenantId: old.tenantId,
      now: this.ports.clock.now(),
      inputs: old.inputs ?? {},
      labels: old.labels,
      originalId: old.originalId,
      scheduleDate: effect.scheduleDate,
      ...(old.trigger ? { trigger: old.trigger } : {}),
      ...(old.parentId ? { parentId: old.parentId } : {}),
    });
    try {
      await this.ports.executions.save({ ...fresh, metadata: { attemptNumber: effect.attemptNumber, originalCreatedDate: old.metadata.originalCreatedDate } }, undefined);
    } catch (e) {
      if (!(isWindhoverError(e) && (e.code === 'VERSION_CONFLICT' || e.code === 'ALREADY_EXISTS'))) throw e;
    }
    await this.#send({ type: 'created', id: `${effect.newExecutionId}:created`, tenantId: old.tenantId, executionId: effect.newExecutionId });
  }

  /** Creates a Subflow's child execution; invalid inputs or a missing flow fail the parent's task run. */
  async createSubflow(parent: Execution, effect: Extract<Effect, { kind: 'create-subflow' }>): Promise<void> {
    const existing = await this.ports.executions.get(parent.tenantId, effect.childExecutionId);
    if (existing) {
      // Created before a crash: make sure its start event went out (deduplicated by id).
      if (existing.state.current === 'CREATED') await this.#send({ type: 'created', id: `${existing.id}:created`, tenantId: existing.tenantId, executionId: existing.id });
      return;
    }
    const fail = async (message: string) => {
      await this.ports.logs.append([
        {
          tenantId: parent.tenantId,
          namespace: parent.namespace,
          flowId: parent.flowId,
          executionId: parent.id,
          taskId: effect.taskId,
          taskRunId: effect.taskRunId,
          timestamp: this.ports.clock.now().toISOString(),
          level: 'ERROR',
          message,
        },
      ]);
      await this.#send({
        type: 'subflow-ended',
        id: `${effect.childExecutionId}:not-created`,
        tenantId: parent.tenantId,
        executionId: parent.id,
        taskRunId: effect.taskRunId,
        childExecutionId: effect.childExecutionId,
        childState: 'FAILED' as StateType,
      });
    };
    const flow = await this.ports.flows.get(parent.tenantId, effect.namespace, effect.flowId, effect.revision);
    if (!flow || (flow.deleted && effect.revision === undefined)) {
      await fail(`Unable to find flow '${effect.namespace}'.'${effect.flowId}'`);
      return;
    }
    try {
      await this.createFromFlow(flow, {
        id: effect.childExecutionId,
        tenantId: parent.tenantId,
        inputs: effect.inputs,
        labels: effect.labels,
        parentId: parent.id,
        ...(effect.scheduleDate ? { scheduleDate: effect.scheduleDate } : {}),
        trigger: {
          id: effect.taskId,
          type: SUBFLOW_TYPE,
          variables: { executionId: parent.id, namespace: parent.namespace, flowId: parent.flowId, flowRevision: parent.flowRevision, taskRunId: effect.taskRunId },
        },
      });
    } catch (e) {
      if (isWindhoverError(e) && (e.code === 'ALREADY_EXISTS' || e.code === 'VERSION_CONFLICT')) return;
      if (isWindhoverError(e) && (e.code === 'INVALID' || e.code === 'NOT_FOUND')) {
        await fail(e.message);
        return;
      }
      throw e;
    }
  }

  /** Waits (up to `timeoutMs`) until the executor applied event `eventId`; returns the execution as it is then. */
  async #applied(tenantId: string, executionId: string, eventId: string, timeoutMs = 10_000): Promise<Execution> {
    return this.#waitUntil(tenantId, executionId, (e) => e.engine?.appliedEvents.includes(eventId) === true, timeoutMs, { firstMs: 2, maxMs: 100 });
  }


  /**
   * Kestra's "Change status" (POST /executions/{id}/change-status): a
   * terminated execution gets another terminal state. 422 for a target that
   * is not terminal, 409 when the execution has not terminated.
   */
  async changeStatus(tenantId: string, executionId: string, state: StateType, options: { wait?: boolean } = {}): Promise<Execution> {
    if (!isTerminated(state)) {
      throw new ValidationError('You can only change the state of an execution to a terminal state.', [{ path: 'status', message: `${state} is not a terminal state` }]);
    }
    const e = await this.get(tenantId, executionId);
    if (!isTerminated(e.state.current) || e.engine?.terminated === false) {
      throw new IllegalStateError(`Cannot change execution state: execution '${executionId}' is ${e.state.current}, not terminated.`);
    }
    const id = `${executionId}:change-status:${e.state.histories.length}:${state}`;
    await this.#send({ type: 'change-status', id, tenantId, executionId, state });
    return options.wait === false ? e : this.#applied(tenantId, executionId, id);
  }

  /**
   * A QUEUED execution leaves the queue (POST /executions/{id}/unqueue):
   * RUNNING (default) starts it whatever the concurrency limit, CANCELLED or
   * FAILED ends it. 422 for another target state, 409 when it is not QUEUED.
   */
  async unqueue(tenantId: string, executionId: string, state: StateType = 'RUNNING', options: { wait?: boolean } = {}): Promise<Execution> {
    if (state !== 'RUNNING' && state !== 'CANCELLED' && state !== 'FAILED') {
      throw new ValidationError(`Invalid target state: ${state}. Valid states are: [RUNNING, CANCELLED, FAILED]`, [{ path: 'state', message: `${state} is not RUNNING, CANCELLED or FAILED` }]);
    }
    const e = await this.get(tenantId, executionId);
    if (e.state.current !== 'QUEUED') throw new IllegalStateError(`Cannot unqueue execution: only QUEUED executions can be unqueued; '${executionId}' is ${e.state.current}.`);
    const id = `${executionId}:unqueue:${e.state.histories.length}`;
    await this.#send({ type: 'unqueue', id, tenantId, executionId, state });
    return options.wait === false ? e : this.#applied(tenantId, executionId, id);
  }

  /**
   * Force run (POST /executions/{id}/force-run): a CREATED or QUEUED
   * execution starts now, ignoring the concurrency limit and its
   * scheduleDate; a PAUSED one resumes (without onResume inputs); a running
   * one is processed again. 409 when it has terminated.
   */
  async forceRun(tenantId: string, executionId: string, options: { wait?: boolean } = {}): Promise<Execution> {
    const e = await this.get(tenantId, executionId);
    if (isTerminated(e.state.current)) throw new IllegalStateError(`Cannot force run execution: only non-terminated executions can be force run; '${executionId}' is ${e.state.current}.`);
    const id = `${executionId}:force-run:${e.state.histories.length}`;
    await this.#send(e.state.current === 'PAUSED' ? { type: 'resume', id, tenantId, executionId } : { type: 'force-run', id, tenantId, executionId });
    return options.wait === false ? e : this.#applied(tenantId, executionId, id);
  }

  /**
   * Kestra's task-run "Change status" (POST /executions/{id}/state): a
   * PAUSED task run resumes with the state (RUNNING continues it, as
   * SUCCESS); a task run of a terminated execution takes the state and the
   * execution continues after it; a running task run ends with it. 422 for
   * an unknown task run or a state other than SUCCESS, FAILED or WARNING,
   * 409 for a finished task run of an execution that is still running.
   */
  async setTaskRunState(tenantId: string, executionId: string, taskRunId: string, state: StateType, options: { wait?: boolean } = {}): Promise<Execution> {
    const e = await this.get(tenantId, executionId);
    const run = e.taskRunList.find((r) => r.id === taskRunId);
    if (!run) throw new ValidationError(`Task run '${taskRunId}' is not part of execution '${executionId}'`, [{ path: 'taskRunId', message: 'unknown task run' }]);
    const target = state === 'RUNNING' && run.state.current === 'PAUSED' ? 'SUCCESS' : state;
    if (target !== 'SUCCESS' && target !== 'FAILED' && target !== 'WARNING') {
      throw new ValidationError(`A task run can be marked SUCCESS, FAILED or WARNING (RUNNING resumes a paused one), not ${state}`, [{ path: 'state', message: `${state} is not allowed` }]);
    }
    if (isTerminated(run.state.current) && !isTerminated(e.state.current)) {
      throw new IllegalStateError(`Cannot change task run state: task run '${taskRunId}' has ended and execution '${executionId}' is still ${e.state.current}.`);
    }
    const id = `${executionId}:task-run-state:${taskRunId}:${target}:${e.state.histories.length}`;
    await this.#send({ type: 'change-task-run-state', id, tenantId, executionId, taskRunId, state: target });
    return options.wait === false ? e : this.#applied(tenantId, executionId, id);
  }

  /**
   * Pauses a RUNNING execution (POST /executions/{id}/pause): task runs
   * under way finish, no new one starts until it is resumed (or killed).
   * 409 when it is not RUNNING.
   */
  async pause(tenantId: string, executionId: string, options: { wait?: boolean } = {}): Promise<Execution> {
    const e = await this.get(tenantId, executionId);
    if (e.state.current !== 'RUNNING') throw new IllegalStateError(`Only a RUNNING execution can be paused; '${executionId}' is ${e.state.current}.`);
    const id = `${executionId}:pause:${e.state.histories.length}`;
    await this.#send({ type: 'pause', id, tenantId, executionId });
    return options.wait === false ? e : this.#applied(tenantId, executionId, id);
  }

  /**
   * Replay with new inputs (POST /executions/{id}/replay-with-inputs): the
   * inputs are checked against the replayed revision like a new
   * execution's (422 when invalid), then the replay runs with them. FILE
   * inputs are stored under the source execution (the replay's id is made
   * by replay()).
   */
  async replayWithInputs(
    tenantId: string,
    executionId: string,
    inputs: Readonly<Record<string, unknown>>,
    files: readonly UploadedInputFile[] = [],
    options: { taskRunId?: string; revision?: number } = {},
  ): Promise<Execution> {
    const source = await this.get(tenantId, executionId);
    if (!isTerminated(source.state.current)) throw new IllegalStateError(`Execution '${executionId}' is still ${source.state.current}`);
    const revision = options.revision ?? source.flowRevision;
    const flow = await this.ports.flows.get(tenantId, source.namespace, source.flowId, revision);
    if (!flow) throw new FlowNotFoundError(source.namespace, source.flowId, revision);
    const provided: Record<string, unknown> = { ...inputs };
    const uris = this.#fileUris(source.namespace, source.flowId, executionId, files, 'replay-inputs');
    for (const f of uris) provided[f.inputId] = f.uri;
    const resolved = await resolveInputs(flow.flow.inputs, provided, {
      renderer: engineRenderer(this.ports, { tenantId, namespace: source.namespace, flowId: source.flowId, executionId }),
      variables: { flow: { id: flow.flow.id, namespace: flow.flow.namespace, revision: flow.revision, tenantId } },
    });
    for (const f of uris) await this.ports.storage.put(f.uri, f.data);
    return this.replay(tenantId, executionId, { ...options, inputs: resolved });
  }
}

