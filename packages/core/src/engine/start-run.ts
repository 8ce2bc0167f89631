import type { TaskRun } from '../model/execution';
import type { TaskDefinition } from '../model/flow';
import type { JsonValue } from '../model/json';
import type { NextTask } from './branches';
import { T } from './core-task-types';
import type { Draft } from './draft';
import { parseDurationMs } from './duration';
import { endRun, settleAttempt } from './end-run';
import { applyExecutionUpdate, EXECUTION_UPDATABLE } from './execution-updates';
import { FLOWABLE_WITH_CHILDREN, normaliseLoopValues, switchBranch } from './flowables';
import { deriveId } from './ids';
import { startForEachItem } from './for-each-item';

export const errorMessage = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** Deterministic id of a task run: execution, parent run, task, loop value and iteration. */
export const taskRunId = (executionId: string, parentId: string | undefined, taskId: string, value?: string, iteration?: number): string =>
  deriveId(executionId, parentId, taskId, value, iteration);

/** Fails a task run with a logged reason (render errors, invalid properties). */
export function failRun(d: Draft, run: TaskRun, message: string): void {
  d.log('ERROR', message, run);
  endRun(d, run.id, 'FAILED');
}

/** Creates the task run of `next` under `parent` and starts it according to its kind. */
export async function createRun(d: Draft, next: NextTask, parent: TaskRun | undefined): Promise<TaskRun> {
  const { task } = next;
  const id = taskRunId(d.base.id, parent?.id, task.id, next.value, next.iteration);
  const run = d.newRun(task, parent, id, next.value, next.iteration);
  d.add(run);
  if (typeof task.runIf === 'string' || typeof task.runIf === 'boolean') {
    try {
      const rendered = await d.ctx.renderer.renderTyped(task.runIf, d.variablesFor(run, task));
      if (!d.ctx.renderer.truthy(rendered)) {
        d.setRunState(id, 'SKIPPED');
        return d.run(id)!;
      }
    } catch (e) {
      failRun(d, run, `Unable to evaluate runIf of task '${task.id}': ${errorMessage(e)}`);
      return d.run(id)!;
    }
  }
  await startRun(d, id, task);
  return d.run(id)!;
}

/** Moves a CREATED (or RESTARTED) task run into execution according to its task type. */
export async function startRun(d: Draft, id: string, task: TaskDefinition): Promise<void> {
  const run = d.run(id)!;
  const info = d.typeOf(task);
  if (!info) {
    failRun(d, run, `Unknown task type '${task.type}'`);
    return;
  }
  const c = info.canonical;
  try {
    if (FLOWABLE_WITH_CHILDREN.has(c) && c !== T.pause) {
      await startFlowable(d, d.setRunState(id, 'RUNNING'), task, c);
      return;
    }
    if (c === T.pause) {
      d.setRunState(id, 'RUNNING');
      const paused = d.setRunState(id, 'PAUSED');
      const duration = task['pauseDuration'] ?? task['delay'] ?? task['timeout'];
      if (duration !== undefined) {
        const ms = parseDurationMs(await d.ctx.renderer.renderTyped(duration, d.variablesFor(paused, task)));
        if (ms === undefined) throw new Error(`Invalid pauseDuration '${String(duration)}'`);
        d.emit({ kind: 'set-timer', id: `${id}:pause`, fireAt: new Date(d.now.getTime() + ms).toISOString(), purpose: 'pause', taskRunId: id });
      }
      return;
    }
    if (c === T.sleep) {
      const r = d.setRunState(id, 'RUNNING');
      const attempt = d.addAttempt(id);
      const ms = parseDurationMs(await d.ctx.renderer.renderTyped(task['duration'], d.variablesFor(r, task)));
      if (ms === undefined) throw new Error(`Invalid Sleep duration '${String(task['duration'])}'`);
      d.emit({ kind: 'set-timer', id: `${id}:${attempt}:sleep`, fireAt: new Date(d.now.getTime() + ms).toISOString(), purpose: 'sleep', taskRunId: id, seq: attempt });
      return;
    }
    if (c === T.subflow) {
      await startSubflow(d, id, task);
      return;
    }
    if (c === T.forEachItem) {
      await startForEachItem(d, id, task);
      return;
    }
    if (EXECUTION_UPDATABLE.has(c)) {
      d.setRunState(id, 'RUNNING');
      d.addAttempt(id);
      await applyExecutionUpdate(d, id, task, c);
      return;
    }
    // A runnable task: run it inline when it is light, else hand it to a worker.
    d.setRunState(id, 'RUNNING');
    const attempt = d.addAttempt(id);
    // Only retried tasks need their first attempt's start (retry maxDuration).
    if (task.retry && !d.engine.firstAttemptAt?.[id]) {
      d.engine.firstAttemptAt = { ...(d.engine.firstAttemptAt ?? {}), [id]: d.now.toISOString() };
    }
    const inline = d.ctx.inline;
    if (inline && d.inlineLeft > 0 && inline.accepts(c)) {
      d.inlineLeft--;
      const taskRun = d.run(id)!;
      const res = await inline.run({ execution: d.snapshot(), taskRun, task, attempt, variables: d.variablesFor(taskRun, task) });
      if (res.outputsRef) {
        d.engine.outputRefs = { ...(d.engine.outputRefs ?? {}), [id]: res.outputsRef };
        if (res.outputs) d.localOutputs.set(id, res.outputs);
      }
      if (res.state === 'KILLED') endRun(d, id, 'KILLED');
      else settleAttempt(d, id, res.state, { outputs: res.outputsRef ? undefined : res.outputs, metrics: res.metrics, retryable: res.retryable });
      return;
    }
    d.emit({ kind: 'dispatch-task', id: `${id}:${attempt}`, taskRunId: id, taskId: task.id, attempt });
  } catch (e) {
    failRun(d, d.run(id)!, errorMessage(e));
  }
}

async function startFlowable(d: Draft, run: TaskRun, task: TaskDefinition, c: string): Promise<void> {
  const vars = () => d.variablesFor(d.run(run.id)!, task);
  if (c === T.if) {
    const result = d.ctx.renderer.truthy(await d.ctx.renderer.renderTyped(task['condition'], vars()));
    d.put({ ...d.run(run.id)!, outputs: { evaluationResult: result } });
  } else if (c === T.switch) {
    const rendered = await d.ctx.renderer.renderTyped(task['value'], vars());
    const value = typeof rendered === 'string' ? rendered : JSON.stringify(rendered);
    d.put({ ...d.run(run.id)!, outputs: { value, defaults: switchBranch(task, value).isDefault } });
  } else if (c === T.forEach) {
    const values = normaliseLoopValues(await d.ctx.renderer.renderTyped(task['values'], vars()));
    d.engine.loopValues = { ...(d.engine.loopValues ?? {}), [run.id]: values };
  } else if (c === T.loopUntil) {
    d.put({ ...d.run(run.id)!, outputs: { iterationCount: 1 } });
  }
}

/** Labels of a child execution: the parent's when `inheritLabels`, the task's `labels`, the correlation id. */
export async function subflowLabels(d: Draft, task: TaskDefinition, vars: Record<string, unknown>): Promise<{ key: string; value: string }[]> {
  const labels: { key: string; value: string }[] = [];
  if (task['inheritLabels'] === true) for (const l of d.labels) if (!l.key.startsWith('system.')) labels.push(l);
  const own = await d.ctx.renderer.renderTyped(task['labels'] ?? {}, vars);
  if (Array.isArray(own)) for (const l of own as { key: string; value: unknown }[]) labels.push({ key: String(l.key), value: String(l.value) });
  else if (own && typeof own === 'object') for (const [k, v] of Object.entries(own)) labels.push({ key: k, value: String(v) });
  const correlation = d.labels.find((l) => l.key === 'system.correlationId')?.value ?? d.base.id;
  labels.push({ key: 'system.correlationId', value: correlation });
  return labels;
}

async function startSubflow(d: Draft, id: string, task: TaskDefinition): Promise<void> {
  const r = d.setRunState(id, 'RUNNING');
  const attempt = d.addAttempt(id);
  const vars = d.variablesFor(r, task);
  const render = async (v: unknown) => d.ctx.renderer.renderTyped(v, vars);
  const namespace = String(await render(task['namespace']));
  const flowId = String(await render(task['flowId']));
  const inputs = ((await render(task['inputs'] ?? {})) ?? {}) as Record<string, JsonValue>;
  const labels = await subflowLabels(d, task, vars);
  const wait = task['wait'] !== false;
  const childExecutionId = deriveId(d.base.id, id, attempt, 'subflow');
  const revision = task['revision'] === undefined ? undefined : Number(await render(task['revision']));
  const scheduleDate = task['scheduleDate'] === undefined ? undefined : String(await render(task['scheduleDate']));
  d.engine.subflows = { ...(d.engine.subflows ?? {}), [id]: childExecutionId };
  d.emit({
    kind: 'create-subflow',
    id: `${id}:${attempt}:subflow`,
    childExecutionId,
    taskRunId: id,
    taskId: task.id,
    namespace,
    flowId,
    ...(revision ? { revision } : {}),
    inputs,
    labels,
    wait,
    ...(scheduleDate ? { scheduleDate } : {}),
  });
  if (!wait) {
    endRun(d, id, 'SUCCESS', { outputs: { executionId: childExecutionId } });
  } else {
    d.put({ ...d.run(id)!, outputs: { executionId: childExecutionId } });
  }
}
