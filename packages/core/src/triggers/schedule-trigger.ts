import { ValidationError } from '../errors';
import type { Label, TriggerDefinition } from '../model/flow';
import type { JsonValue } from '../model/json';
import { STATE_TYPES, type StateType } from '../model/state';
import type { ConditionDefinition } from './conditions';
import { CronSchedule } from './cron-schedule';
import { parseIsoDuration } from './zoned-time';

export const SCHEDULE_TRIGGER_TYPES: readonly string[] = [
  'io.kestra.plugin.core.trigger.Schedule',
  'io.kestra.core.models.triggers.types.Schedule',
];
export const WEBHOOK_TRIGGER_TYPES: readonly string[] = [
  'io.kestra.plugin.core.trigger.Webhook',
  'io.kestra.core.models.triggers.types.Webhook',
];
export const FLOW_TRIGGER_TYPES: readonly string[] = ['io.kestra.plugin.core.trigger.Flow', 'io.kestra.core.models.triggers.types.Flow'];

export const isScheduleTrigger = (t: { type: string }): boolean => SCHEDULE_TRIGGER_TYPES.includes(t.type);
export const isWebhookTrigger = (t: { type: string }): boolean => WEBHOOK_TRIGGER_TYPES.includes(t.type);
export const isFlowTrigger = (t: { type: string }): boolean => FLOW_TRIGGER_TYPES.includes(t.type);

export type RecoverMissedSchedules = 'ALL' | 'LAST' | 'NONE';

/** A Schedule trigger's properties, read and checked (core-spec §5.2). */
export interface ScheduleTrigger {
  readonly id: string;
  readonly type: string;
  readonly schedule: CronSchedule;
  readonly conditions: readonly ConditionDefinition[];
  readonly inputs?: Readonly<Record<string, unknown>>;
  readonly labels: readonly Label[];
  readonly stopAfter: readonly StateType[];
  readonly recoverMissedSchedules: RecoverMissedSchedules;
  readonly lateMaximumDelayMs?: number;
  readonly allowConcurrent: boolean;
  readonly disabled: boolean;
  /** Deprecated `backfill: {start, end, inputs, labels}` property: replayed once, when the trigger is first seen. */
  readonly legacyBackfill?: { readonly start: string; readonly end?: string; readonly inputs?: Readonly<Record<string, JsonValue>>; readonly labels: readonly Label[] };
}

/**
 * Reads a Schedule trigger definition. `recoverMissedSchedules` defaults to
 * the global setting (Kestra's `kestra.plugins.configurations`), itself ALL.
 * Legacy `scheduleConditions` is an alias of `conditions`.
 */
export function readScheduleTrigger(def: TriggerDefinition, defaults: { recoverMissedSchedules?: RecoverMissedSchedules } = {}): ScheduleTrigger {
  const schedule = CronSchedule.compile({
    cron: String(def.cron ?? ''),
    withSeconds: def.withSeconds === true,
    timezone: typeof def.timezone === 'string' ? def.timezone : undefined,
  });
  const recover = String(def.recoverMissedSchedules ?? defaults.recoverMissedSchedules ?? 'ALL');
  if (recover !== 'ALL' && recover !== 'LAST' && recover !== 'NONE') {
    throw new ValidationError(`recoverMissedSchedules must be ALL, LAST or NONE, not '${recover}'`, [
      { path: 'recoverMissedSchedules', message: 'must be ALL, LAST or NONE' },
    ]);
  }
  let lateMaximumDelayMs: number | undefined;
  if (def.lateMaximumDelay !== undefined && def.lateMaximumDelay !== null) {
    lateMaximumDelayMs = parseIsoDuration(def.lateMaximumDelay);
    if (lateMaximumDelayMs === undefined) {
      throw new ValidationError(`lateMaximumDelay '${String(def.lateMaximumDelay)}' is not an ISO-8601 duration`, [
        { path: 'lateMaximumDelay', message: 'not a duration' },
      ]);
    }
  }
  const conditions = [...asConditionList(def.conditions), ...asConditionList(def.scheduleConditions)];
  const legacy = def.backfill as Readonly<Record<string, unknown>> | undefined | null;
  let legacyBackfill: ScheduleTrigger['legacyBackfill'];
  if (legacy && typeof legacy === 'object' && typeof legacy.start === 'string') {
    for (const k of ['start', 'end'] as const) {
      if (legacy[k] !== undefined && legacy[k] !== null && Number.isNaN(Date.parse(String(legacy[k])))) {
        throw new ValidationError(`backfill.${k} '${String(legacy[k])}' is not a date-time`, [{ path: `backfill.${k}`, message: 'not a date-time' }]);
      }
    }
    legacyBackfill = {
      start: new Date(Date.parse(legacy.start)).toISOString(),
      ...(typeof legacy.end === 'string' ? { end: new Date(Date.parse(legacy.end)).toISOString() } : {}),
      ...(legacy.inputs && typeof legacy.inputs === 'object' ? { inputs: legacy.inputs as Readonly<Record<string, JsonValue>> } : {}),
      labels: readLabels(legacy.labels),
    };
  }
  return {
    id: def.id,
    type: def.type,
    schedule,
    conditions,
    inputs: def.inputs,
    labels: readLabels(def.labels),
    stopAfter: readStates(def.stopAfter, 'stopAfter'),
    recoverMissedSchedules: recover,
    lateMaximumDelayMs,
    allowConcurrent: def.allowConcurrent === true,
    disabled: def.disabled === true,
    ...(legacyBackfill ? { legacyBackfill } : {}),
  };
}

function asConditionList(v: unknown): readonly ConditionDefinition[] {
  if (Array.isArray(v)) return v as ConditionDefinition[];
  if (v && typeof v === 'object') return Object.values(v) as ConditionDefinition[];
  return [];
}

/** Trigger `labels` in Kestra's map or list form. */
export function readLabels(v: unknown): readonly Label[] {
  if (Array.isArray(v)) {
    return v.flatMap((l) => (l && typeof l === 'object' && 'key' in l ? [{ key: String(l.key), value: String((l as { value?: unknown }).value) }] : []));
  }
  if (v && typeof v === 'object') return Object.entries(v).map(([key, value]) => ({ key, value: String(value) }));
  return [];
}

export function readStates(v: unknown, path: string): readonly StateType[] {
  if (v === undefined || v === null) return [];
  const list = (Array.isArray(v) ? v : [v]).map(String);
  for (const s of list) {
    if (!(STATE_TYPES as readonly string[]).includes(s)) {
      throw new ValidationError(`${path}: '${s}' is not an execution state`, [{ path, message: `unknown state '${s}'` }]);
    }
  }
  return list as StateType[];
}
