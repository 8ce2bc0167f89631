import { ValidationError } from '../errors';
import type { ExpressionContext } from '../expressions/renderer';
import { renderTyped } from '../expressions/renderer';
import type { RenderOptions } from '../expressions/render-options';
import { truthy } from '../expressions/truthy';
import type { Execution } from '../model/execution';
import type { Label, TriggerDefinition } from '../model/flow';
import type { JsonValue } from '../model/json';
import type { StateType } from '../model/state';
import type { WindowState } from '../ports/trigger-store';
import { type ConditionContext, type ConditionDefinition, conditionKind, conditionsMatch, evaluateCondition } from './conditions';
import { readLabels, readStates } from './schedule-trigger';
import { type TimeWindow, readTimeWindow, windowAt } from './time-window';

/** Default `states` of a Flow trigger since 0.23: the terminated states and PAUSED (core-spec §10 #16). */
export const FLOW_TRIGGER_DEFAULT_STATES: readonly StateType[] = ['SUCCESS', 'WARNING', 'FAILED', 'KILLED', 'CANCELLED', 'RETRIED', 'SKIPPED', 'PAUSED'];

/** One thing that must have happened within the window: an upstream flow entry, a where-filter group, or a MultipleCondition entry. */
export type PreconditionKey =
  | { readonly kind: 'flow'; readonly id: string; readonly namespace: string; readonly flowId?: string; readonly states?: readonly StateType[]; readonly labels: readonly Label[] }
  | { readonly kind: 'where'; readonly id: string; readonly operand: 'AND' | 'OR'; readonly filters: readonly WhereFilter[] }
  | { readonly kind: 'condition'; readonly id: string; readonly condition: ConditionDefinition };

export interface WhereFilter {
  readonly field: string;
  readonly type: string;
  readonly value?: unknown;
  readonly values?: readonly unknown[];
}

/** A group of keys that must all be satisfied within one window, then fires once. */
export interface Precondition {
  readonly id: string;
  readonly keys: readonly PreconditionKey[];
  readonly timeWindow: TimeWindow;
  readonly resetOnSuccess: boolean;
}

/** A Flow trigger's properties, read and checked (core-spec §5.6). */
export interface FlowTrigger {
  readonly id: string;
  readonly type: string;
  readonly states: readonly StateType[];
  /** Stateless conditions: all must match the upstream execution. */
  readonly conditions: readonly ConditionDefinition[];
  /** `preconditions` and legacy MultipleCondition entries; all must fire for the trigger to fire. */
  readonly preconditions: readonly Precondition[];
  readonly inputs?: Readonly<Record<string, unknown>>;
  readonly labels: readonly Label[];
  readonly disabled: boolean;
}

export function readFlowTrigger(def: TriggerDefinition): FlowTrigger {
  const states = def.states === undefined ? FLOW_TRIGGER_DEFAULT_STATES : readStates(def.states, 'states');
  const all = Array.isArray(def.conditions) ? (def.conditions as ConditionDefinition[]) : Object.values(def.conditions ?? {});
  const conditions: ConditionDefinition[] = [];
  const preconditions: Precondition[] = [];
  for (const c of all as ConditionDefinition[]) {
    if (conditionKind(c.type) === 'MultipleCondition') preconditions.push(readMultipleCondition(c));
    else if (conditionKind(c.type) === undefined) {
      throw new ValidationError(`Unknown condition type '${String(c.type)}'`, [{ path: 'conditions', message: 'unknown condition type' }]);
    } else conditions.push(c);
  }
  if (def.preconditions) preconditions.push(readPreconditions(def.preconditions as Readonly<Record<string, unknown>>));
  return {
    id: def.id,
    type: def.type,
    states,
    conditions,
    preconditions,
    inputs: def.inputs,
    labels: readLabels(def.labels),
    disabled: def.disabled === true,
  };
}

function readPreconditions(p: Readonly<Record<string, unknown>>): Precondition {
  const keys: PreconditionKey[] = [];
  const flows = Array.isArray(p.flows) ? (p.flows as Readonly<Record<string, unknown>>[]) : [];
  flows.forEach((f, i) => {
    if (typeof f.namespace !== 'string') {
      throw new ValidationError('preconditions.flows[].namespace is required', [{ path: `preconditions.flows[${i}].namespace`, message: 'is required' }]);
    }
    keys.push({
      kind: 'flow',
      id: `flow:${f.namespace}:${typeof f.flowId === 'string' ? f.flowId : '*'}:${i}`,
      namespace: f.namespace,
      flowId: typeof f.flowId === 'string' ? f.flowId : undefined,
      states: f.states === undefined ? undefined : readStates(f.states, `preconditions.flows[${i}].states`),
      labels: readLabels(f.labels),
    });
  });
  const where = Array.isArray(p.where) ? (p.where as Readonly<Record<string, unknown>>[]) : [];
  where.forEach((w, i) => {
    const operand = String(w.operand ?? 'AND').toUpperCase();
    keys.push({
      kind: 'where',
      id: `where:${typeof w.id === 'string' ? w.id : i}`,
      operand: operand === 'OR' ? 'OR' : 'AND',
      filters: (Array.isArray(w.filters) ? w.filters : []) as WhereFilter[],
    });
  });
  return {
    id: typeof p.id === 'string' ? p.id : 'preconditions',
    keys,
    timeWindow: readTimeWindow(p.timeWindow),
    resetOnSuccess: p.resetOnSuccess !== false,
  };
}

function readMultipleCondition(c: ConditionDefinition): Precondition {
  const map = (c.conditions && typeof c.conditions === 'object' ? c.conditions : {}) as Readonly<Record<string, ConditionDefinition>>;
  const keys: PreconditionKey[] = Object.entries(map).map(([id, condition]) => ({ kind: 'condition', id: `condition:${id}`, condition }));
  const timeWindow =
    c.timeWindow !== undefined
      ? readTimeWindow(c.timeWindow)
      : readTimeWindow({ type: 'DURATION_WINDOW', window: c.window ?? 'P1D', windowAdvance: c.windowAdvance ?? 'PT0S' });
  return { id: typeof c.id === 'string' ? c.id : 'multiple', keys, timeWindow, resetOnSuccess: c.resetOnSuccess !== false };
}

/** Whether an ended (or paused) execution passes the trigger's `states` and stateless `conditions`. */
export async function flowTriggerAccepts(trigger: FlowTrigger, execution: Execution, ctx: ConditionContext): Promise<boolean> {
  if (!trigger.states.includes(execution.state.current)) return false;
  return conditionsMatch(trigger.conditions, ctx);
}

/** The precondition keys that this execution satisfies. */
export async function matchingKeys(p: Precondition, execution: Execution, ctx: ConditionContext): Promise<readonly string[]> {
  const out: string[] = [];
  for (const k of p.keys) if (await keyMatches(k, execution, ctx)) out.push(k.id);
  return out;
}

async function keyMatches(k: PreconditionKey, e: Execution, ctx: ConditionContext): Promise<boolean> {
  switch (k.kind) {
    case 'flow':
      return (
        e.namespace === k.namespace &&
        (k.flowId === undefined || k.flowId === e.flowId) &&
        (k.states === undefined || k.states.includes(e.state.current)) &&
        k.labels.every((l) => e.labels.some((x) => x.key === l.key && x.value === l.value))
      );
    case 'where': {
      const results: boolean[] = [];
      for (const f of k.filters) results.push(await filterMatches(f, e, ctx.variables, ctx.renderOptions));
      return k.operand === 'OR' ? results.some(Boolean) : results.every(Boolean);
    }
    case 'condition':
      return evaluateCondition(k.condition, ctx);
  }
}

async function filterMatches(f: WhereFilter, e: Execution, variables: ExpressionContext, options?: RenderOptions): Promise<boolean> {
  let actual: unknown;
  switch (String(f.field).toUpperCase()) {
    case 'FLOW_ID':
      actual = e.flowId;
      break;
    case 'NAMESPACE':
      actual = e.namespace;
      break;
    case 'STATE':
      actual = e.state.current;
      break;
    case 'EXPRESSION':
      actual = typeof f.value === 'string' ? await renderTyped(f.value, variables, options) : f.value;
      break;
    default:
      throw new ValidationError(`where filter field '${String(f.field)}' is not supported`, [{ path: 'preconditions.where.filters.field', message: 'unsupported field' }]);
  }
  const str = actual === undefined || actual === null ? undefined : String(actual);
  const value = f.value === undefined || f.value === null ? undefined : String(f.value);
  const values = (f.values ?? (Array.isArray(f.value) ? (f.value as unknown[]) : [])).map(String);
  switch (String(f.type).toUpperCase()) {
    case 'EQUAL_TO':
      return str === value;
    case 'NOT_EQUAL_TO':
      return str !== value;
    case 'IS_NULL':
      return str === undefined;
    case 'IS_NOT_NULL':
      return str !== undefined;
    case 'IS_TRUE':
      return truthy(actual);
    case 'IS_FALSE':
      return !truthy(actual);
    case 'STARTS_WITH':
      return str !== undefined && value !== undefined && str.startsWith(value);
    case 'ENDS_WITH':
      return str !== undefined && value !== undefined && str.endsWith(value);
    case 'CONTAINS':
      return str !== undefined && value !== undefined && str.includes(value);
    case 'REGEX':
      return str !== undefined && value !== undefined && new RegExp(`^(?:${value})$`).test(str);
    case 'IN':
      return str !== undefined && values.includes(str);
    case 'NOT_IN':
      return str === undefined || !values.includes(str);
    default:
      throw new ValidationError(`where filter type '${String(f.type)}' is not supported`, [{ path: 'preconditions.where.filters.type', message: 'unsupported type' }]);
  }
}

export interface WindowDecision {
  /** The window state to store (undefined = nothing changed). */
  readonly state: WindowState | undefined;
  /** Every key is satisfied: fire once (with `firing` as the occasion number). */
  readonly fire: boolean;
  readonly firing: number;
}

/**
 * Adds an execution that satisfied `matched` keys to a precondition's
 * window and decides whether the trigger fires. A new window starts empty;
 * a sliding window forgets keys older than its length; a daily deadline or
 * window ignores executions outside its hours. After firing, the keys reset
 * (`resetOnSuccess`, default true) so a full new set is needed.
 */
export function applyToWindow(
  p: Precondition,
  previous: WindowState | undefined,
  matched: readonly string[],
  executionId: string,
  nowMs: number,
  eventId: string = executionId,
): WindowDecision {
  const w = windowAt(p.timeWindow, nowMs);
  const fired = previous?.fired ?? 0;
  if (previous?.seen?.includes(eventId)) {
    // A redelivered event: count it once; if it caused the last firing, fire the same occasion again (idempotent).
    return { state: undefined, fire: previous.firedBy === eventId, firing: fired };
  }
  if (matched.length === 0 || !w.accepting) return { state: undefined, fire: false, firing: fired };
  const startIso = w.start === undefined ? undefined : new Date(w.start).toISOString();
  const sameWindow = previous !== undefined && previous.start === startIso;
  const satisfied: Record<string, { date: string; executionId: string }> = {};
  if (sameWindow || w.start === undefined) {
    for (const [k, v] of Object.entries(previous?.satisfied ?? {})) {
      if (w.notBefore === undefined || Date.parse(v.date) >= w.notBefore) satisfied[k] = v;
    }
  }
  const date = new Date(nowMs).toISOString();
  for (const k of matched) satisfied[k] = { date, executionId };
  const fire = p.keys.every((k) => satisfied[k.id] !== undefined);
  const seen = [...(previous?.seen ?? []), eventId].slice(-SEEN_EVENTS);
  const base = {
    ...(startIso !== undefined ? { start: startIso } : {}),
    ...(w.end !== undefined ? { end: new Date(w.end).toISOString() } : {}),
    seen,
  };
  if (fire) {
    return { state: { ...base, satisfied: p.resetOnSuccess ? {} : satisfied, fired: fired + 1, firedBy: eventId }, fire: true, firing: fired + 1 };
  }
  return { state: { ...base, satisfied, fired, ...(previous?.firedBy ? { firedBy: previous.firedBy } : {}) }, fire: false, firing: fired };
}

/** How many recent upstream events a window remembers for deduplication. */
const SEEN_EVENTS = 200;

/** `trigger.*` variables of an execution started by a Flow trigger (core-spec §5.8). */
export function flowTriggerVariables(upstream: Execution): { [key: string]: JsonValue } {
  return {
    executionId: upstream.id,
    namespace: upstream.namespace,
    flowId: upstream.flowId,
    flowRevision: upstream.flowRevision,
    state: upstream.state.current,
    ...(upstream.outputs ? { outputs: upstream.outputs as { [key: string]: JsonValue } } : {}),
    labels: upstream.labels.map((l) => ({ key: l.key, value: l.value })),
  };
}
