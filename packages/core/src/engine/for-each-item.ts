import type { TaskRun } from '../model/execution';
import type { TaskDefinition } from '../model/flow';
import type { JsonValue } from '../model/json';
import type { StateType } from '../model/state';
import type { Draft } from './draft';
import { endRun } from './end-run';
import type { ItemsMergedEvent, ItemsSplitEvent } from './engine-types';
import { deriveId } from './ids';
import { errorMessage, failRun, subflowLabels } from './start-run';

/**
 * ForEachItem (core-spec §4.2): split `items` into batch files (runtime
 * effect), start one child execution of the subflow per batch with
 * `taskrun.items` and `taskrun.iteration`, count their states in
 * `iterations`, then merge their flow outputs into `subflowOutputs`.
 * Kestra shows three task runs (`_split`, `_items`, `_merge`); here the one
 * ForEachItem task run carries all of their outputs.
 */
interface ItemsState {
  readonly phase: 'split' | 'items' | 'merge';
  readonly children?: readonly string[];
  readonly ended?: Readonly<Record<string, string>>;
}

const key = (runId: string) => `items:${runId}`;

export function itemsState(d: Draft, runId: string): ItemsState | undefined {
  return d.flag(key(runId)) as ItemsState | undefined;
}

function setItemsState(d: Draft, runId: string, state: ItemsState): void {
  d.setFlag(key(runId), state as unknown as JsonValue);
}

export async function startForEachItem(d: Draft, id: string, task: TaskDefinition): Promise<void> {
  const run = d.setRunState(id, 'RUNNING');
  d.addAttempt(id);
  const vars = d.variablesFor(run, task);
  const items = String(await d.ctx.renderer.renderTyped(task['items'], vars));
  const batch = (task['batch'] ?? {}) as { rows?: unknown; partitions?: unknown; bytes?: unknown; separator?: unknown };
  const num = async (v: unknown) => (v === undefined ? undefined : Number(await d.ctx.renderer.renderTyped(v, vars)));
  const rows = await num(batch.rows);
  const partitions = await num(batch.partitions);
  setItemsState(d, id, { phase: 'split' });
  d.emit({
    kind: 'split-items',
    id: `${id}:split`,
    taskRunId: id,
    taskId: task.id,
    items,
    ...(rows !== undefined ? { rows } : {}),
    ...(partitions !== undefined ? { partitions } : {}),
    ...(batch.bytes !== undefined ? { bytes: batch.bytes as string | number } : {}),
    ...(rows === undefined && partitions === undefined && batch.bytes === undefined ? { rows: 1 } : {}),
    separator: typeof batch.separator === 'string' ? batch.separator : '\n',
  });
}

export async function onItemsSplit(d: Draft, ev: ItemsSplitEvent): Promise<void> {
  const run = d.run(ev.taskRunId);
  if (run?.state.current !== 'RUNNING' || itemsState(d, run.id)?.phase !== 'split') return;
  const task = d.index.get(run.taskId)?.task;
  if (!task) return;
  if (ev.error || !ev.uris) {
    failRun(d, run, `Unable to split items: ${ev.error ?? 'no batches'}`);
    return;
  }
  try {
    const base = d.variablesFor(run, task);
    const render = (v: unknown, vars: Record<string, unknown>) => d.ctx.renderer.renderTyped(v, vars);
    const namespace = String(await render(task['namespace'], base));
    const flowId = String(await render(task['flowId'], base));
    const labels = await subflowLabels(d, task, base);
    const revision = task['revision'] === undefined ? undefined : Number(await render(task['revision'], base));
    const wait = task['wait'] !== false;
    const attempt = run.attempts?.length ?? 1;
    const children: string[] = [];
    for (const [i, uri] of ev.uris.entries()) {
      const vars = { ...base, taskrun: { ...(base['taskrun'] as Record<string, unknown>), items: uri, iteration: i } };
      const inputs = ((await render(task['inputs'] ?? {}, vars)) ?? {}) as Record<string, JsonValue>;
      const childExecutionId = deriveId(d.base.id, run.id, attempt, 'item', i);
      children.push(childExecutionId);
      d.emit({ kind: 'create-subflow', id: `${run.id}:${attempt}:item:${i}`, childExecutionId, taskRunId: run.id, taskId: task.id, namespace, flowId, ...(revision ? { revision } : {}), inputs, labels, wait });
    }
    const outputs = { numberOfBatches: children.length, iterations: { CREATED: children.length }, uri: ev.uris.length ? ev.uris[0].replace(/\/[^/]*$/, '') : '' };
    d.put({ ...d.run(run.id)!, outputs });
    if (!wait || children.length === 0) {
      d.setFlag(key(run.id), undefined);
      addPhaseRuns(d, d.run(run.id)!, outputs);
      endRun(d, run.id, 'SUCCESS', { outputs });
      return;
    }
    setItemsState(d, run.id, { phase: 'items', children, ended: {} });
  } catch (e) {
    failRun(d, run, errorMessage(e));
  }
}

/** A child of a ForEachItem ended: count it; once all ended, ask for the merge. */
export function onItemEnded(d: Draft, run: TaskRun, childId: string, childState: StateType): void {
  const st = itemsState(d, run.id);
  if (st?.phase !== 'items' || !st.children?.includes(childId) || st.ended?.[childId]) return;
  const ended = { ...(st.ended ?? {}), [childId]: childState };
  setItemsState(d, run.id, { ...st, ended });
  const counts: Record<string, number> = {};
  for (const s of Object.values(ended)) counts[s] = (counts[s] ?? 0) + 1;
  const running = st.children.length - Object.keys(ended).length;
  if (running > 0) counts['RUNNING'] = running;
  d.put({ ...d.run(run.id)!, outputs: { ...(d.run(run.id)!.outputs ?? {}), iterations: counts } });
  if (running === 0) {
    setItemsState(d, run.id, { ...st, ended, phase: 'merge' });
    d.emit({ kind: 'merge-subflow-outputs', id: `${run.id}:merge`, taskRunId: run.id, taskId: run.taskId, childExecutionIds: st.children });
  }
}

/**
 * Kestra's three internal task runs of a ForEachItem, `<id>_split`,
 * `<id>_items` and `<id>_merge`, added as ended children so that flows can
 * read `outputs.<id>_merge.subflowOutputs` as they do in Kestra.
 */
function addPhaseRuns(d: Draft, run: TaskRun, outputs: Readonly<Record<string, JsonValue>>, merged?: string): void {
  const phases: [string, Record<string, JsonValue>][] = [
    [`${run.taskId}_split`, { splits: String(outputs['uri'] ?? '') }],
    [`${run.taskId}_items`, { numberOfBatches: outputs['numberOfBatches'] ?? 0, iterations: outputs['iterations'] ?? {}, uri: outputs['uri'] ?? '' }],
  ];
  if (merged) phases.push([`${run.taskId}_merge`, { subflowOutputs: merged }]);
  for (const [taskId, out] of phases) {
    const id = deriveId(d.base.id, run.id, taskId);
    if (d.run(id)) continue;
    const child = d.newRun({ id: taskId, type: 'io.kestra.plugin.core.flow.ForEachItem' }, run, id);
    d.add({ ...child, outputs: out });
    d.setRunState(id, 'RUNNING');
    d.setRunState(id, 'SUCCESS');
  }
}

export function onItemsMerged(d: Draft, ev: ItemsMergedEvent): void {
  const run = d.run(ev.taskRunId);
  const st = run && itemsState(d, run.id);
  if (run?.state.current !== 'RUNNING' || st?.phase !== 'merge') return;
  d.setFlag(key(run.id), undefined);
  if (ev.error) {
    failRun(d, run, `Unable to merge subflow outputs: ${ev.error}`);
    return;
  }
  const task = d.index.get(run.taskId)?.task;
  const states = Object.values(st.ended ?? {});
  const failed = states.some((s) => s === 'FAILED' || s === 'KILLED' || s === 'CANCELLED');
  const state: StateType = failed && task?.['transmitFailed'] !== false ? 'FAILED' : states.includes('WARNING') ? 'WARNING' : 'SUCCESS';
  const outputs = { ...(run.outputs ?? {}), ...(ev.uri ? { subflowOutputs: ev.uri } : {}) };
  addPhaseRuns(d, run, outputs, ev.uri);
  endRun(d, run.id, state, { outputs });
}

/** Children of a ForEachItem still running (for kill). */
export function runningItems(d: Draft, runId: string): string[] {
  const st = itemsState(d, runId);
  if (!st?.children) return [];
  return st.children.filter((c) => !st.ended?.[c]);
}
