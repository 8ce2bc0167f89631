import type { Execution, ExecutionTrigger } from '../model/execution';
import type { FlowWithSource, Label } from '../model/flow';
import type { JsonValue } from '../model/json';
import { newState } from './state-ops';

/** Flow labels in either YAML form (map or list of {key, value}) as a list. */
export function flowLabels(labels: unknown): Label[] {
  if (Array.isArray(labels)) return labels.map((l: { key: unknown; value: unknown }) => ({ key: String(l.key), value: String(l.value) }));
  if (labels && typeof labels === 'object') return Object.entries(labels).map(([key, value]) => ({ key, value: String(value) }));
  return [];
}

/** Later labels override earlier ones with the same key; order of first appearance is kept. */
export function mergeLabels(...lists: readonly (readonly Label[])[]): Label[] {
  const out: Label[] = [];
  for (const list of lists) {
    for (const l of list) {
      const i = out.findIndex((x) => x.key === l.key);
      if (i >= 0) out[i] = l;
      else out.push(l);
    }
  }
  return out;
}

export interface NewExecutionInput {
  readonly flow: FlowWithSource;
  readonly id: string;
  readonly tenantId: string;
  readonly now: Date;
  readonly inputs?: Readonly<Record<string, JsonValue>>;
  /** Labels of the request (added to the flow's). */
  readonly labels?: readonly Label[];
  readonly trigger?: ExecutionTrigger;
  readonly parentId?: string;
  readonly scheduleDate?: string;
  readonly originalId?: string;
}

/**
 * A new execution in state CREATED (core-spec §3.4 #1): labels are the
 * flow's, then the request's, then system labels (`system.correlationId`
 * defaults to the execution id).
 */
export function newExecution(input: NewExecutionInput): Execution {
  const { flow, id, now } = input;
  const labels = mergeLabels(flowLabels(flow.flow.labels), input.labels ?? []);
  if (!labels.some((l) => l.key === 'system.correlationId')) labels.push({ key: 'system.correlationId', value: id });
  return {
    tenantId: input.tenantId,
    id,
    namespace: flow.flow.namespace,
    flowId: flow.flow.id,
    flowRevision: flow.revision,
    state: newState('CREATED', now),
    taskRunList: [],
    inputs: input.inputs ?? {},
    labels,
    ...(input.parentId ? { parentId: input.parentId } : {}),
    originalId: input.originalId ?? id,
    ...(input.trigger ? { trigger: input.trigger } : {}),
    metadata: { attemptNumber: 1, originalCreatedDate: now.toISOString() },
    ...(input.scheduleDate ? { scheduleDate: input.scheduleDate } : {}),
    deleted: false,
  };
}
