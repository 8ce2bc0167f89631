import type { PendingSlot, TriggerKey, TriggerState } from '../ports/trigger-store';
import type { ScheduleTrigger } from './schedule-trigger';
import { triggerExecutionId } from './trigger-ids';

/** The scheduler ticks once a minute; a tick claims every slot before the next minute boundary. */
export const TICK_MS = 60_000;
/** Most executions one trigger starts in one tick (catch-up with allowConcurrent, backfills). */
export const MAX_SLOTS_PER_TICK = 1_000;

export type NewTriggerState = Omit<TriggerState, 'version'>;

export interface SchedulePlanInput {
  readonly key: TriggerKey;
  readonly trigger: ScheduleTrigger;
  readonly state: TriggerState | undefined;
  readonly nowMs: number;
  /** The flow itself is disabled. */
  readonly flowDisabled?: boolean;
  /** Whether the trigger's conditions accept a slot (false = the slot is skipped). */
  readonly accept: (slotMs: number) => Promise<boolean> | boolean;
  readonly maxSlots?: number;
}

export interface SchedulePlan {
  /** The state to write (conditionally on the input state's version) when `changed`. */
  readonly state: NewTriggerState;
  readonly changed: boolean;
  /** Slots claimed by writing `state`: create one execution each, in order. */
  readonly fire: readonly PendingSlot[];
}

const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * Decides what one Schedule trigger does in the tick at `nowMs` (pure).
 *
 * - A new trigger, or one whose cron/seconds/timezone changed, starts at the
 *   current minute; slots before are not replayed.
 * - Slots before the current minute are missed (the scheduler was down or a
 *   tick was skipped): `recoverMissedSchedules` ALL replays each, LAST only
 *   the latest, NONE none. `lateMaximumDelay` drops slots that are too late.
 * - Slots of the current minute (up to the next boundary) are claimed now,
 *   so a seconds cron fires on time with a one-minute tick; the execution
 *   carries its slot as scheduleDate.
 * - Without `allowConcurrent`, the trigger locks on the execution it starts
 *   and fires nothing more until that execution ends (Kestra queues the next
 *   slots rather than overlapping them, also during backfills).
 * - An active, unpaused backfill fires its slots instead of the regular
 *   ones; the regular slots wait, then follow the recovery policy.
 * - Disabled (API toggle, `stopAfter`, YAML, or flow): nothing fires and the
 *   trigger restarts from "now" when enabled again.
 */
export async function planScheduleTick(input: SchedulePlanInput): Promise<SchedulePlan> {
  const { key, trigger, state, nowMs } = input;
  const schedule = trigger.schedule;
  const horizon = Math.floor(nowMs / TICK_MS) * TICK_MS + TICK_MS;
  const minuteStart = horizon - TICK_MS;
  const updatedDate = iso(nowMs);

  const disabled = state?.disabled === true || trigger.disabled || input.flowDisabled === true;
  if (disabled) {
    if (state && state.nextExecutionDate === undefined && state.type === trigger.type) return unchanged(state);
    const { nextExecutionDate: _n, ...rest } = state ? stripVersion(state) : base(key, trigger, updatedDate);
    return { state: { ...rest, type: trigger.type, scheduleKey: schedule.key, updatedDate }, changed: true, fire: [] };
  }

  // Fast path: the usual tick for a trigger that is not due.
  if (state && state.scheduleKey === schedule.key && state.nextExecutionDate !== undefined && !activeBackfill(state)) {
    if (Date.parse(state.nextExecutionDate) >= horizon) return unchanged(state);
  }

  let current: NewTriggerState = state ? stripVersion(state) : base(key, trigger, updatedDate);
  let changed = !state;
  if (current.scheduleKey !== schedule.key || current.nextExecutionDate === undefined) {
    const first = schedule.nextOrSame(minuteStart);
    current = { ...current, type: trigger.type, scheduleKey: schedule.key, nextExecutionDate: first === undefined ? undefined : iso(first), updatedDate };
    changed = true;
  }
  if (current.executionId && !trigger.allowConcurrent) return { state: current, changed, fire: [] };

  const limit = trigger.allowConcurrent ? (input.maxSlots ?? MAX_SLOTS_PER_TICK) : 1;
  const backfill = activeBackfill(current);
  if (backfill) {
    const fire: PendingSlot[] = [];
    const end = Date.parse(backfill.end);
    let s = schedule.nextOrSame(Date.parse(backfill.currentDate));
    let scanned = 0;
    while (s !== undefined && s <= end && fire.length < limit && scanned < MAX_SLOTS_PER_TICK * 10) {
      scanned++;
      if (await input.accept(s)) {
        fire.push({ date: iso(s), executionId: triggerExecutionId(key, 'backfill', backfill.start, backfill.end, backfill.createdDate ?? '', s), backfill: true });
      }
      s = schedule.next(s);
    }
    const done = s === undefined || s > end;
    const { backfill: _b, ...withoutBackfill } = current;
    const next: NewTriggerState = done
      ? withoutBackfill
      : { ...current, backfill: { ...backfill, currentDate: iso(s as number), executed: (backfill.executed ?? 0) + fire.length } };
    return { state: withLock({ ...next, updatedDate, pending: fire.length ? fire : undefined }, fire, trigger), changed: true, fire };
  }

  const nextMs = current.nextExecutionDate === undefined ? undefined : Date.parse(current.nextExecutionDate);
  if (nextMs === undefined || nextMs >= horizon) return { state: current, changed, fire: [] };

  // Candidate slots: the missed ones (by policy), then those of the current minute.
  const candidates: number[] = [];
  let truncated = false;
  if (nextMs < minuteStart) {
    if (trigger.recoverMissedSchedules === 'ALL') {
      const missed = schedule.between(nextMs, minuteStart, MAX_SLOTS_PER_TICK * 10);
      truncated = missed.length === MAX_SLOTS_PER_TICK * 10;
      candidates.push(...missed);
    } else if (trigger.recoverMissedSchedules === 'LAST') {
      const last = schedule.previous(minuteStart);
      if (last !== undefined && last >= nextMs) candidates.push(last);
    }
  }
  if (!truncated) candidates.push(...schedule.between(Math.max(nextMs, minuteStart), horizon));

  const fire: PendingSlot[] = [];
  let lastExamined: number | undefined;
  for (const s of candidates) {
    if (fire.length >= limit) break;
    lastExamined = s;
    if (trigger.lateMaximumDelayMs !== undefined && nowMs - s > trigger.lateMaximumDelayMs) continue;
    if (!(await input.accept(s))) continue;
    fire.push({ date: iso(s), executionId: triggerExecutionId(key, s) });
  }
  const allExamined = lastExamined === candidates[candidates.length - 1] && !truncated;
  const after = allExamined && fire.length < limit ? schedule.nextOrSame(horizon) : schedule.next(lastExamined ?? nextMs);
  const lastFired = fire[fire.length - 1];
  const next: NewTriggerState = {
    ...current,
    nextExecutionDate: after === undefined ? undefined : iso(after),
    ...(lastFired ? { date: lastFired.date } : {}),
    pending: fire.length ? fire : undefined,
    updatedDate,
  };
  return { state: withLock(next, fire, trigger), changed: true, fire };
}

function activeBackfill(state: NewTriggerState) {
  return state.backfill && !state.backfill.paused ? state.backfill : undefined;
}

function withLock(state: NewTriggerState, fire: readonly PendingSlot[], trigger: ScheduleTrigger): NewTriggerState {
  if (trigger.allowConcurrent || fire.length === 0) return state;
  return { ...state, executionId: fire[0]?.executionId };
}

function base(key: TriggerKey, trigger: ScheduleTrigger, updatedDate: string): NewTriggerState {
  const legacy = trigger.legacyBackfill;
  return {
    ...key,
    type: trigger.type,
    disabled: false,
    scheduleKey: trigger.schedule.key,
    updatedDate,
    ...(legacy
      ? {
          backfill: {
            start: legacy.start,
            end: legacy.end ?? updatedDate,
            currentDate: legacy.start,
            ...(legacy.inputs ? { inputs: legacy.inputs } : {}),
            ...(legacy.labels.length ? { labels: legacy.labels } : {}),
            paused: false,
            executed: 0,
            createdDate: updatedDate,
          },
        }
      : {}),
  };
}

function stripVersion(state: TriggerState): NewTriggerState {
  const { version: _v, ...rest } = state;
  return rest;
}

function unchanged(state: TriggerState): SchedulePlan {
  return { state: stripVersion(state), changed: false, fire: [] };
}
