import { parse } from 'yaml';
import { render, renderTyped, truthy } from '../../expressions';
import type { Execution } from '../../model/execution';
import type { Flow, FlowWithSource, TaskDefinition } from '../../model/flow';
import type { JsonValue } from '../../model/json';
import { decide } from '../decide';
import type { DecideContext, EngineRenderer, ExecutorEvent, TaskResultEvent } from '../engine-types';
import { coreTaskType } from '../core-task-types';
import { newExecution } from '../new-execution';
import { buildRunVariables } from '../run-variables';

/** The real expression engine behind decide()'s renderer port. */
export const testRenderer: EngineRenderer = {
  render: (t, v) => render(t, v),
  renderTyped: (t, v) => renderTyped(t, v),
  truthy,
};

export type SimulatedResult = Omit<TaskResultEvent, 'id' | 'tenantId' | 'executionId' | 'type' | 'taskRunId' | 'attempt'>;

/** How the simulated worker answers a dispatched task (by task id); default: run Return/OutputValues, else SUCCESS. */
export type Worker = (taskId: string, attempt: number, vars: Record<string, unknown>, task: Record<string, unknown>) => Promise<SimulatedResult | 'hang'> | SimulatedResult | 'hang';

export interface HarnessOptions {
  readonly flows?: readonly (Flow | string)[];
  readonly inputs?: Record<string, JsonValue>;
  readonly worker?: Worker;
  readonly start?: Date;
  /** Stop before delivering events of this kind (to inspect intermediate state). */
  readonly stopWhen?: (executions: ReadonlyMap<string, Execution>) => boolean;
  readonly running?: number;
}

const asFlow = (f: Flow | string): Flow => (typeof f === 'string' ? (parse(f) as Flow) : f);

const defaultWorker: Worker = async (_taskId, _attempt, vars, task): Promise<SimulatedResult> => {
  const type = String(task['type']);
  if (type.endsWith('debug.Return')) return { state: 'SUCCESS', outputs: { value: await render(String(task['format'] ?? ''), vars) } };
  if (type.endsWith('output.OutputValues')) return { state: 'SUCCESS', outputs: { values: (await renderTyped(task['values'] ?? {}, vars)) as JsonValue } };
  return { state: 'SUCCESS' };
};

/**
 * Drives decide() like the runtime does, with a simulated worker and a
 * virtual clock: events are delivered one at a time, timers advance time.
 */
export class Harness {
  readonly flows = new Map<string, FlowWithSource>();
  readonly executions = new Map<string, Execution>();
  readonly queue: ExecutorEvent[] = [];
  readonly timers: { at: number; event: ExecutorEvent }[] = [];
  readonly dispatched: string[] = [];
  readonly logs: string[] = [];
  now: Date;
  #n = 0;

  constructor(private readonly options: HarnessOptions = {}) {
    this.now = options.start ?? new Date('2026-01-01T00:00:00.000Z');
    for (const f of options.flows ?? []) this.addFlow(f);
  }

  addFlow(f: Flow | string): FlowWithSource {
    const flow = asFlow(f);
    const fw: FlowWithSource = { flow, source: '', revision: 1, tenantId: 'main', updated: this.now.toISOString() };
    this.flows.set(`${flow.namespace}.${flow.id}`, fw);
    return fw;
  }

  ctx(execution: Execution): DecideContext {
    const running = [...this.executions.values()].filter(
      (e) => e.id !== execution.id && e.flowId === execution.flowId && e.namespace === execution.namespace && ['RUNNING', 'PAUSED', 'KILLING'].includes(e.state.current),
    ).length;
    return { now: this.now, renderer: testRenderer, taskType: coreTaskType, runningExecutionsOfFlow: this.options.running ?? running };
  }

  create(flow: Flow | string, inputs: Record<string, JsonValue> = this.options.inputs ?? {}, extra: Partial<Parameters<typeof newExecution>[0]> = {}): string {
    const f = asFlow(flow);
    const fw = this.flows.get(`${f.namespace}.${f.id}`) ?? this.addFlow(f);
    const id = extra.id ?? `exec${++this.#n}`;
    const e = newExecution({ flow: fw, id, tenantId: 'main', now: this.now, inputs, ...extra });
    this.executions.set(id, e);
    this.send({ type: 'created', id: `${id}:created`, tenantId: 'main', executionId: id });
    return id;
  }

  send(event: ExecutorEvent): void {
    this.queue.push(event);
  }

  flowOf(e: Execution): Flow {
    return this.flows.get(`${e.namespace}.${e.flowId}`)!.flow;
  }

  /** Delivers events (then due timers) until nothing is left or `stopWhen` holds. */
  async run(maxSteps = 100_000): Promise<void> {
    for (let i = 0; i < maxSteps; i++) {
      if (this.options.stopWhen?.(this.executions)) return;
      let ev = this.queue.shift();
      if (!ev) {
        this.timers.sort((a, b) => a.at - b.at);
        const t = this.timers.shift();
        if (!t) return;
        if (t.at > this.now.getTime()) this.now = new Date(t.at);
        ev = t.event;
      }
      await this.step(ev);
    }
    throw new Error('harness did not settle');
  }

  async step(ev: ExecutorEvent): Promise<void> {
    const e = this.executions.get(ev.executionId);
    if (!e) return;
    const flow = this.flowOf(e);
    const decision = await decide(flow, e, ev, this.ctx(e));
    this.executions.set(e.id, decision.execution);
    for (const l of decision.logs) this.logs.push(`${l.level} ${l.taskId ?? ''} ${l.message}`);
    for (const eff of decision.effects) await this.carry(decision.execution, eff);
  }

  async carry(e: Execution, eff: (Awaited<ReturnType<typeof decide>>)['effects'][number]): Promise<void> {
    const base = { tenantId: 'main', executionId: e.id };
    switch (eff.kind) {
      case 'dispatch-task': {
        this.dispatched.push(`${eff.taskId}#${eff.attempt}`);
        const run = e.taskRunList.find((r) => r.id === eff.taskRunId)!;
        const flow = this.flowOf(e);
        const task = findTask(flow, eff.taskId)!;
        const vars = buildRunVariables({ flow, execution: e, taskRun: run, task });
        const result = await (this.options.worker ?? defaultWorker)(eff.taskId, eff.attempt, vars, task);
        if (result === 'hang') return;
        this.send({ ...base, ...result, type: 'task-result', id: `${eff.id}:result`, taskRunId: eff.taskRunId, attempt: eff.attempt });
        return;
      }
      case 'set-timer':
        this.timers.push({ at: Date.parse(eff.fireAt), event: { ...base, type: 'timer', id: eff.id, purpose: eff.purpose, taskRunId: eff.taskRunId, seq: eff.seq } });
        return;
      case 'create-subflow': {
        const fw = this.flows.get(`${eff.namespace}.${eff.flowId}`);
        if (!fw) throw new Error(`no flow ${eff.namespace}.${eff.flowId}`);
        this.create(fw.flow, eff.inputs as Record<string, JsonValue>, {
          id: eff.childExecutionId,
          labels: eff.labels,
          parentId: e.id,
          trigger: { id: eff.taskId, type: 'io.kestra.plugin.core.flow.Subflow', variables: { executionId: e.id, namespace: e.namespace, flowId: e.flowId, flowRevision: e.flowRevision, taskRunId: eff.taskRunId } },
        });
        return;
      }
      case 'notify-parent':
        this.send({ type: 'subflow-ended', id: eff.id, tenantId: 'main', executionId: eff.parentExecutionId, taskRunId: eff.parentTaskRunId, childExecutionId: e.id, childState: eff.state, childOutputs: eff.outputs });
        return;
      case 'retry-execution': {
        const fw = this.flows.get(`${e.namespace}.${e.flowId}`)!;
        const next = newExecution({ flow: fw, id: eff.newExecutionId, tenantId: 'main', now: this.now, inputs: e.inputs ?? {}, labels: e.labels, originalId: e.originalId, scheduleDate: eff.scheduleDate });
        this.executions.set(next.id, { ...next, metadata: { attemptNumber: eff.attemptNumber, originalCreatedDate: e.metadata.originalCreatedDate } });
        this.send({ type: 'created', id: `${next.id}:created`, tenantId: 'main', executionId: next.id });
        return;
      }
      case 'restart-execution':
        this.send({ type: 'restart', id: eff.id, tenantId: 'main', executionId: eff.targetExecutionId });
        return;
      case 'kill-execution':
        this.send({ type: 'kill', id: eff.id, tenantId: 'main', executionId: eff.targetExecutionId });
        return;
      default:
        return;
    }
  }

  get(id: string): Execution {
    return this.executions.get(id)!;
  }

  /** `taskId` -> state, for every task run (loop runs as `taskId[value]`). */
  states(id: string): Record<string, string> {
    const out: Record<string, string> = {};
    for (const r of this.get(id).taskRunList) out[r.value === undefined ? r.taskId : `${r.taskId}[${r.value}]`] = r.state.current;
    return out;
  }
}

function findTask(flow: Flow, id: string): TaskDefinition | undefined {
  const stack: unknown[] = [flow.tasks, flow.errors, flow.finally, flow.afterExecution];
  while (stack.length) {
    const v = stack.pop();
    if (Array.isArray(v)) stack.push(...v);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (o['id'] === id && typeof o['type'] === 'string') return o as unknown as TaskDefinition;
      for (const val of Object.values(o)) if (val && typeof val === 'object') stack.push(val);
    }
  }
  return undefined;
}

