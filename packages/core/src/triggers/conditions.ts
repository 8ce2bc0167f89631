import { ValidationError } from '../errors';
import { render, renderTyped } from '../expressions/renderer';
import type { ExpressionContext } from '../expressions/renderer';
import type { RenderOptions } from '../expressions/render-options';
import { truthy } from '../expressions/truthy';
import type { Execution } from '../model/execution';
import type { StateType } from '../model/state';
import { type LocalFields, parseTimeOfDay, parseZoned } from './zoned-time';

/** A condition as written in the flow: `type` plus the condition's properties. */
export type ConditionDefinition = Readonly<Record<string, unknown>>;

/** Public holidays by country (and subdivision), e.g. backed by the date-holidays package. */
export interface HolidayCalendar {
  isHoliday(date: { year: number; month: number; day: number }, country: string, subDivision?: string): boolean;
}

/** What a condition can look at (Kestra's ConditionContext). */
export interface ConditionContext {
  /** The flow that owns the trigger. */
  readonly flow: { readonly tenantId: string; readonly namespace: string; readonly id: string; readonly revision?: number };
  /** The execution that the condition judges (Flow trigger: the upstream execution). */
  readonly execution?: Execution;
  /** Variables for `Expression` conditions and `date` properties: `trigger`, `flow`, `execution`, ... */
  readonly variables: ExpressionContext;
  readonly renderOptions?: RenderOptions;
  readonly holidays?: HolidayCalendar;
}

/**
 * Condition kinds by their short name. Kestra's legacy names
 * (`io.kestra.core.models.conditions.types.*Condition`,
 * `io.kestra.plugin.core.condition.*Condition`) resolve to the same kinds.
 */
export const CONDITION_KINDS = [
  'ExecutionStatus',
  'ExecutionNamespace',
  'ExecutionFlow',
  'ExecutionLabels',
  'ExecutionOutputs',
  'Expression',
  'HasRetryAttempt',
  'MultipleCondition',
  'Not',
  'Or',
  'DateTimeBetween',
  'DayWeek',
  'DayWeekInMonth',
  'Weekend',
  'PublicHoliday',
  'TimeBetween',
] as const;
export type ConditionKind = (typeof CONDITION_KINDS)[number];

const LEGACY_NAMES: Readonly<Record<string, ConditionKind>> = {
  FlowNamespace: 'ExecutionNamespace',
  Flow: 'ExecutionFlow',
  Variable: 'Expression',
};

/** The kind of a condition type, or undefined for a type we do not know. */
export function conditionKind(type: unknown): ConditionKind | undefined {
  if (typeof type !== 'string') return undefined;
  if (!type.startsWith('io.kestra.plugin.core.condition.') && !type.startsWith('io.kestra.core.models.conditions.types.')) {
    return undefined;
  }
  let name = type.slice(type.lastIndexOf('.') + 1);
  if (name !== 'MultipleCondition' && name.endsWith('Condition')) name = name.slice(0, -'Condition'.length);
  const kind = LEGACY_NAMES[name] ?? name;
  return (CONDITION_KINDS as readonly string[]).includes(kind) ? (kind as ConditionKind) : undefined;
}

/** Conditions evaluated with a time window and stored state (Flow triggers), not by `conditionsMatch`. */
export const isStatefulCondition = (c: ConditionDefinition): boolean => conditionKind(c.type) === 'MultipleCondition';

/**
 * True when every condition matches (Kestra: all conditions must match).
 * MultipleCondition is skipped here: the Flow trigger evaluator handles it
 * with its window state.
 */
export async function conditionsMatch(conditions: readonly ConditionDefinition[] | undefined, ctx: ConditionContext): Promise<boolean> {
  for (const c of conditions ?? []) {
    if (isStatefulCondition(c)) continue;
    if (!(await evaluateCondition(c, ctx))) return false;
  }
  return true;
}

const DAYS = ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY'];

/** Evaluates one condition. Throws ValidationError for an unknown type or a bad property. */
export async function evaluateCondition(c: ConditionDefinition, ctx: ConditionContext): Promise<boolean> {
  const kind = conditionKind(c.type);
  switch (kind) {
    case 'ExecutionStatus': {
      const state = requireExecution(ctx, kind).state.current;
      const inList = stringList(c.in);
      const notIn = stringList(c.notIn);
      if (inList && !inList.includes(state)) return false;
      if (notIn?.includes(state)) return false;
      return true;
    }
    case 'ExecutionNamespace': {
      const ns = requireExecution(ctx, kind).namespace;
      const want = requireString(c, 'namespace');
      const comparison = c.prefix === true ? 'PREFIX' : String(c.comparison ?? 'EQUALS');
      if (comparison === 'PREFIX') return ns.startsWith(want);
      if (comparison === 'SUFFIX') return ns.endsWith(want);
      return ns === want;
    }
    case 'ExecutionFlow': {
      const e = requireExecution(ctx, kind);
      return e.namespace === requireString(c, 'namespace') && e.flowId === requireString(c, 'flowId');
    }
    case 'ExecutionLabels': {
      const e = requireExecution(ctx, kind);
      const want = labelPairs(c.labels);
      return want.every(([k, v]) => e.labels.some((l) => l.key === k && l.value === v));
    }
    case 'ExecutionOutputs': {
      const e = requireExecution(ctx, kind);
      if (!e.outputs || Object.keys(e.outputs).length === 0) return false;
      const value = await renderTyped(requireString(c, 'expression'), { ...ctx.variables, outputs: e.outputs }, ctx.renderOptions);
      return truthy(value);
    }
    case 'Expression':
      return truthy(await renderTyped(requireString(c, 'expression'), ctx.variables, ctx.renderOptions));
    case 'HasRetryAttempt': {
      const e = requireExecution(ctx, kind);
      const inList = stringList(c.in);
      const notIn = stringList(c.notIn);
      return e.taskRunList.some((tr) =>
        (tr.attempts ?? []).length > 1 &&
        (tr.attempts ?? []).some((a) => (!inList || inList.includes(a.state.current)) && !notIn?.includes(a.state.current)),
      );
    }
    case 'Not': {
      // Kestra: true when none of the conditions match.
      for (const inner of conditionList(c.conditions)) if (await evaluateCondition(inner, ctx)) return false;
      return true;
    }
    case 'Or': {
      for (const inner of conditionList(c.conditions)) if (await evaluateCondition(inner, ctx)) return true;
      return false;
    }
    case 'DateTimeBetween': {
      const date = await conditionDate(c, ctx);
      const after = optionalDate(c, 'after');
      const before = optionalDate(c, 'before');
      if (before !== undefined && !(date.instantMs < before)) return false;
      if (after !== undefined && !(date.instantMs > after)) return false;
      return true;
    }
    case 'DayWeek': {
      const date = await conditionDate(c, ctx);
      return DAYS[date.local.dayOfWeek - 1] === requireDay(c);
    }
    case 'DayWeekInMonth': {
      const date = await conditionDate(c, ctx);
      if (DAYS[date.local.dayOfWeek - 1] !== requireDay(c)) return false;
      return inWeekOfMonth(date.local, String(c.dayInMonth ?? ''));
    }
    case 'Weekend': {
      const date = await conditionDate(c, ctx);
      return date.local.dayOfWeek >= 6;
    }
    case 'PublicHoliday': {
      const date = await conditionDate(c, ctx);
      if (!ctx.holidays) throw new ValidationError('PublicHoliday needs a holiday calendar, and none is configured');
      const country = requireString(c, 'country');
      const sub = typeof c.subDivision === 'string' ? c.subDivision : undefined;
      return ctx.holidays.isHoliday({ year: date.local.year, month: date.local.month, day: date.local.day }, country, sub);
    }
    case 'TimeBetween': {
      const date = await conditionDate(c, ctx);
      // Java OffsetTime comparison: both sides as seconds of day at UTC.
      const at = date.local.hour * 3600 + date.local.minute * 60 + date.local.second - date.local.offsetMinutes * 60;
      const bound = (name: 'after' | 'before'): number | undefined => {
        const raw = c[name];
        if (raw === undefined || raw === null) return undefined;
        const t = typeof raw === 'string' ? parseTimeOfDay(raw) : undefined;
        if (!t) throw new ValidationError(`TimeBetween.${name} '${String(raw)}' is not a time`, [{ path: name, message: 'not a time' }]);
        return t.secondsOfDay - (t.offsetMinutes ?? date.local.offsetMinutes) * 60;
      };
      const before = bound('before');
      const after = bound('after');
      if (before !== undefined && !(at < before)) return false;
      if (after !== undefined && !(at > after)) return false;
      return true;
    }
    case 'MultipleCondition':
      throw new ValidationError('MultipleCondition is only allowed on Flow triggers');
    default:
      throw new ValidationError(`Unknown condition type '${String(c.type)}'`, [{ path: 'type', message: 'unknown condition type' }]);
  }
}

function inWeekOfMonth(d: LocalFields, which: string): boolean {
  const lengthOfMonth = new Date(Date.UTC(d.year, d.month, 0)).getUTCDate();
  switch (which) {
    case 'FIRST':
      return d.day <= 7;
    case 'SECOND':
      return d.day > 7 && d.day <= 14;
    case 'THIRD':
      return d.day > 14 && d.day <= 21;
    case 'FOURTH':
      return d.day > 21 && d.day <= 28;
    case 'LAST':
      return d.day + 7 > lengthOfMonth;
    default:
      throw new ValidationError(`DayWeekInMonth.dayInMonth '${which}' must be FIRST, SECOND, THIRD, FOURTH or LAST`, [
        { path: 'dayInMonth', message: 'invalid value' },
      ]);
  }
}

const DEFAULT_DATE = /^\{\{\s*trigger\.date\s*\}\}$/;

/** The `date` property (default `{{ trigger.date }}`), rendered and parsed with its offset. */
async function conditionDate(c: ConditionDefinition, ctx: ConditionContext) {
  const raw = c.date;
  let text: unknown;
  if (raw === undefined || raw === null || (typeof raw === 'string' && DEFAULT_DATE.test(raw.trim()))) {
    const trigger = ctx.variables.trigger as Readonly<Record<string, unknown>> | undefined;
    text = trigger?.date;
    if (text === undefined) {
      throw new ValidationError('This condition needs trigger.date: use it on a Schedule trigger or set its date property');
    }
  } else {
    text = typeof raw === 'string' ? await render(raw, ctx.variables, ctx.renderOptions) : raw;
  }
  const parsed = typeof text === 'string' ? parseZoned(text) : undefined;
  if (!parsed) throw new ValidationError(`Condition date '${String(text)}' is not a date-time`, [{ path: 'date', message: 'not a date-time' }]);
  return parsed;
}

function optionalDate(c: ConditionDefinition, name: string): number | undefined {
  const raw = c[name];
  if (raw === undefined || raw === null) return undefined;
  const parsed = typeof raw === 'string' ? parseZoned(raw) : undefined;
  if (!parsed) throw new ValidationError(`${name} '${String(raw)}' is not a date-time`, [{ path: name, message: 'not a date-time' }]);
  return parsed.instantMs;
}

function requireExecution(ctx: ConditionContext, kind: string): Execution {
  if (!ctx.execution) throw new ValidationError(`${kind} conditions only apply to Flow triggers`);
  return ctx.execution;
}

function requireString(c: ConditionDefinition, name: string): string {
  const v = c[name];
  if (typeof v !== 'string' || v === '') {
    throw new ValidationError(`${conditionKind(c.type) ?? 'condition'}.${name} is required`, [{ path: name, message: 'is required' }]);
  }
  return v;
}

function requireDay(c: ConditionDefinition): string {
  const d = String(c.dayOfWeek ?? '').toUpperCase();
  if (!DAYS.includes(d)) throw new ValidationError(`dayOfWeek '${String(c.dayOfWeek)}' is not a day`, [{ path: 'dayOfWeek', message: 'not a day' }]);
  return d;
}

function stringList(v: unknown): readonly StateType[] | undefined {
  if (v === undefined || v === null) return undefined;
  return (Array.isArray(v) ? v : [v]).map(String) as StateType[];
}

function conditionList(v: unknown): readonly ConditionDefinition[] {
  if (Array.isArray(v)) return v as ConditionDefinition[];
  if (v && typeof v === 'object') return Object.values(v) as ConditionDefinition[];
  return [];
}

/** Labels in Kestra's map form or list form. */
function labelPairs(v: unknown): readonly [string, string][] {
  if (Array.isArray(v)) {
    return v.flatMap((l) => (l && typeof l === 'object' && 'key' in l ? [[String(l.key), String((l as { value?: unknown }).value)] as [string, string]] : []));
  }
  if (v && typeof v === 'object') return Object.entries(v).map(([k, val]) => [k, String(val)] as [string, string]);
  return [];
}
