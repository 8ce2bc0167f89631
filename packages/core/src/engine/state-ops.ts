import type { State, StateType } from '../model/state';

/** A new State that starts in `type` at `now`. */
export function newState(type: StateType, now: Date): State {
  const date = now.toISOString();
  return { current: type, histories: [{ state: type, date }], startDate: date, duration: 'PT0S' };
}

const ENDING: ReadonlySet<StateType> = new Set(['FAILED', 'WARNING', 'SUCCESS', 'KILLED', 'CANCELLED', 'RETRIED', 'SKIPPED', 'PAUSED']);

/**
 * Appends a history entry (Kestra's `State.withState`). Setting the current
 * state again is a no-op. `endDate` is set when terminated or paused.
 */
export function withState(state: State, type: StateType, now: Date): State {
  if (state.current === type) return state;
  const date = now.toISOString();
  const histories = [...state.histories, { state: type, date }];
  const end = ENDING.has(type) ? date : undefined;
  return {
    current: type,
    histories,
    startDate: state.startDate,
    ...(end ? { endDate: end } : {}),
    duration: isoDuration(Date.parse(end ?? date) - Date.parse(state.startDate)),
  };
}

/** Milliseconds as an ISO-8601 duration (`PT1.5S`, `PT2M3S`), Kestra's format. */
export function isoDuration(ms: number): string {
  const safe = Math.max(0, Math.round(ms));
  const h = Math.floor(safe / 3_600_000);
  const m = Math.floor((safe % 3_600_000) / 60_000);
  const s = (safe % 60_000) / 1000;
  let out = 'PT';
  if (h) out += `${h}H`;
  if (m) out += `${m}M`;
  if (s || (!h && !m)) out += `${Number(s.toFixed(3))}S`;
  return out;
}
