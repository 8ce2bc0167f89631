import type { Execution } from '../model/execution';
import type { TriggerState } from '../ports/trigger-store';
import type { CronSchedule } from './cron-schedule';
import type { ScheduleTrigger } from './schedule-trigger';
import { formatZoned } from './zoned-time';

/** `trigger.date`, `trigger.next`, `trigger.previous` of a Schedule execution (core-spec §5.8). */
export interface ScheduleVariables {
  readonly date: string;
  readonly next?: string;
  readonly previous?: string;
}

/**
 * The trigger variables of one slot, as ISO date-times in the trigger's zone.
 * With conditions, `next` and `previous` are the nearest slots the
 * conditions accept, as Kestra documents.
 */
export async function scheduleVariables(
  schedule: CronSchedule,
  slotMs: number,
  accept: (slotMs: number) => Promise<boolean> | boolean,
): Promise<ScheduleVariables> {
  const next = await schedule.nextAccepted(slotMs, accept);
  const previous = await schedule.previousAccepted(slotMs, accept);
  return {
    date: formatZoned(slotMs, schedule.timezone),
    ...(next !== undefined ? { next: formatZoned(next, schedule.timezone) } : {}),
    ...(previous !== undefined ? { previous: formatZoned(previous, schedule.timezone) } : {}),
  };
}

/**
 * What a Schedule trigger's state becomes when one of its executions ends:
 * the lock is released, and `stopAfter` disables the trigger when the
 * execution ended in one of its states. Returns undefined when nothing
 * changes (not our execution, or already released).
 */
export function releaseScheduleLock(
  state: TriggerState,
  trigger: Pick<ScheduleTrigger, 'stopAfter'>,
  execution: Pick<Execution, 'id' | 'state'>,
  nowIso: string,
): Omit<TriggerState, 'version'> | undefined {
  const locked = state.executionId === execution.id;
  const stop = trigger.stopAfter.includes(execution.state.current) && !state.disabled;
  if (!locked && !stop) return undefined;
  const { version: _v, executionId, ...rest } = state;
  return {
    ...rest,
    ...(locked ? {} : executionId !== undefined ? { executionId } : {}),
    ...(stop ? { disabled: true } : {}),
    updatedDate: nowIso,
  };
}
