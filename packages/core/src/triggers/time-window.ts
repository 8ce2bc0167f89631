import { ValidationError } from '../errors';
import { parseIsoDuration, parseTimeOfDay } from './zoned-time';

export type TimeWindowType = 'DURATION_WINDOW' | 'SLIDING_WINDOW' | 'DAILY_TIME_DEADLINE' | 'DAILY_TIME_WINDOW';

/** A Flow trigger precondition's `timeWindow` (core-spec §5.6). */
export interface TimeWindow {
  readonly type: TimeWindowType;
  readonly windowMs: number;
  readonly advanceMs: number;
  /** Seconds of day and offset in minutes. */
  readonly deadline?: { readonly secondsOfDay: number; readonly offsetMinutes: number };
  readonly startTime?: { readonly secondsOfDay: number; readonly offsetMinutes: number };
  readonly endTime?: { readonly secondsOfDay: number; readonly offsetMinutes: number };
}

/** The window that applies at one instant. */
export interface WindowAt {
  /** Absent for a sliding window. */
  readonly start?: number;
  readonly end?: number;
  /** Events older than this do not count (sliding window). */
  readonly notBefore?: number;
  /** Whether an event at this instant counts at all (daily deadline/window). */
  readonly accepting: boolean;
}

const DAY = 86_400_000;

export function readTimeWindow(raw: unknown): TimeWindow {
  const t = (raw && typeof raw === 'object' ? raw : {}) as Readonly<Record<string, unknown>>;
  const type = String(t.type ?? 'DURATION_WINDOW') as TimeWindowType;
  if (!['DURATION_WINDOW', 'SLIDING_WINDOW', 'DAILY_TIME_DEADLINE', 'DAILY_TIME_WINDOW'].includes(type)) {
    throw new ValidationError(`timeWindow.type '${type}' is unknown`, [{ path: 'timeWindow.type', message: 'unknown window type' }]);
  }
  const duration = (name: string, dflt: number): number => {
    if (t[name] === undefined || t[name] === null) return dflt;
    const ms = parseIsoDuration(t[name]);
    if (ms === undefined) throw new ValidationError(`timeWindow.${name} is not a duration`, [{ path: `timeWindow.${name}`, message: 'not a duration' }]);
    return ms;
  };
  const time = (name: string, required: boolean) => {
    if (t[name] === undefined || t[name] === null) {
      if (required) throw new ValidationError(`timeWindow.${name} is required for ${type}`, [{ path: `timeWindow.${name}`, message: 'is required' }]);
      return undefined;
    }
    const parsed = parseTimeOfDay(String(t[name]));
    if (!parsed) throw new ValidationError(`timeWindow.${name} is not a time`, [{ path: `timeWindow.${name}`, message: 'not a time' }]);
    return { secondsOfDay: parsed.secondsOfDay, offsetMinutes: parsed.offsetMinutes ?? 0 };
  };
  const windowMs = duration('window', DAY);
  if (windowMs <= 0) throw new ValidationError('timeWindow.window must be positive', [{ path: 'timeWindow.window', message: 'must be positive' }]);
  return {
    type,
    windowMs,
    advanceMs: duration('windowAdvance', 0),
    deadline: time('deadline', type === 'DAILY_TIME_DEADLINE'),
    startTime: time('startTime', type === 'DAILY_TIME_WINDOW'),
    endTime: time('endTime', type === 'DAILY_TIME_WINDOW'),
  };
}

/**
 * The window at `nowMs`:
 * - DURATION_WINDOW: consecutive windows of `window` aligned on midnight UTC
 *   (the epoch), shifted by `windowAdvance` (PT6H → 06:00-06:00 for P1D).
 * - SLIDING_WINDOW: the last `window` up to now.
 * - DAILY_TIME_DEADLINE: the day (in the deadline's offset) up to the
 *   deadline; after it nothing counts until the next day.
 * - DAILY_TIME_WINDOW: between startTime and endTime each day.
 */
export function windowAt(w: TimeWindow, nowMs: number): WindowAt {
  switch (w.type) {
    case 'SLIDING_WINDOW':
      return { notBefore: nowMs - w.windowMs, accepting: true };
    case 'DAILY_TIME_DEADLINE': {
      const d = w.deadline ?? { secondsOfDay: 0, offsetMinutes: 0 };
      const dayStart = localDayStart(nowMs, d.offsetMinutes);
      const deadline = dayStart + d.secondsOfDay * 1000;
      return { start: dayStart, end: deadline, accepting: nowMs <= deadline };
    }
    case 'DAILY_TIME_WINDOW': {
      const s = w.startTime ?? { secondsOfDay: 0, offsetMinutes: 0 };
      const e = w.endTime ?? { secondsOfDay: 86_399, offsetMinutes: 0 };
      const dayStart = localDayStart(nowMs, s.offsetMinutes);
      const start = dayStart + s.secondsOfDay * 1000;
      const end = localDayStart(nowMs, e.offsetMinutes) + e.secondsOfDay * 1000;
      return { start, end, accepting: nowMs >= start && nowMs <= end };
    }
    default: {
      const start = w.advanceMs + Math.floor((nowMs - w.advanceMs) / w.windowMs) * w.windowMs;
      return { start, end: start + w.windowMs, accepting: true };
    }
  }
}

function localDayStart(nowMs: number, offsetMinutes: number): number {
  const shifted = nowMs + offsetMinutes * 60_000;
  return Math.floor(shifted / DAY) * DAY - offsetMinutes * 60_000;
}
