/**
 * Time-zone arithmetic for triggers, on top of Intl (no I/O, deterministic).
 * Kestra hands schedule dates to flows as ZonedDateTime in the trigger's
 * zone; we carry them as ISO-8601 strings with the zone's offset.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Whether the runtime knows this IANA zone id. */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** Local wall-clock fields of an instant in a zone. */
export interface LocalFields {
  readonly year: number;
  /** 1-12 */
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  readonly millisecond: number;
  /** ISO day of week: 1 = Monday ... 7 = Sunday. */
  readonly dayOfWeek: number;
  /** Offset from UTC in minutes (east positive). */
  readonly offsetMinutes: number;
}

const offsetCache = new Map<string, number>();

/** Offset of `timeZone` at `instantMs`, in minutes (memoized per zone and minute: offsets change on minute boundaries). */
export function zoneOffsetMinutes(instantMs: number, timeZone: string): number {
  if (timeZone === 'UTC' || timeZone === 'Etc/UTC' || timeZone === 'Z') return 0;
  const cacheKey = `${timeZone}|${Math.floor(instantMs / 60_000)}`;
  const hit = offsetCache.get(cacheKey);
  if (hit !== undefined) return hit;
  const offset = computeOffset(instantMs, timeZone);
  if (offsetCache.size > 50_000) offsetCache.clear();
  offsetCache.set(cacheKey, offset);
  return offset;
}

function computeOffset(instantMs: number, timeZone: string): number {
  const parts = formatter(timeZone).formatToParts(new Date(instantMs));
  const get = (t: string): number => Number(parts.find((p) => p.type === t)?.value);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  const wholeSeconds = Math.floor(instantMs / 1000) * 1000;
  return Math.round((asUtc - wholeSeconds) / 60_000);
}

/** Wall-clock fields of an instant shifted by a fixed offset. */
export function fieldsAtOffset(instantMs: number, offsetMinutes: number): LocalFields {
  const d = new Date(instantMs + offsetMinutes * 60_000);
  const dow = d.getUTCDay();
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    millisecond: d.getUTCMilliseconds(),
    dayOfWeek: dow === 0 ? 7 : dow,
    offsetMinutes,
  };
}

export function localFields(instantMs: number, timeZone: string): LocalFields {
  return fieldsAtOffset(instantMs, zoneOffsetMinutes(instantMs, timeZone));
}

const pad = (n: number, w = 2): string => String(Math.abs(n)).padStart(w, '0');

function offsetText(offsetMinutes: number): string {
  if (offsetMinutes === 0) return 'Z';
  const sign = offsetMinutes < 0 ? '-' : '+';
  const a = Math.abs(offsetMinutes);
  return `${sign}${pad(Math.floor(a / 60))}:${pad(a % 60)}`;
}

/**
 * ISO-8601 with the zone's offset, the way Kestra serializes a
 * ZonedDateTime: `2026-03-29T03:00:00+02:00`, `2026-01-01T09:00:00Z`;
 * milliseconds only when not zero.
 */
export function formatZoned(instantMs: number, timeZone: string): string {
  const f = localFields(instantMs, timeZone);
  const ms = f.millisecond ? `.${pad(f.millisecond, 3)}` : '';
  return `${pad(f.year, 4)}-${pad(f.month)}-${pad(f.day)}T${pad(f.hour)}:${pad(f.minute)}:${pad(f.second)}${ms}${offsetText(f.offsetMinutes)}`;
}

const ZONED =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(Z|[+-]\d{2}(?::?\d{2})?)?(?:\[([^\]]+)\])?$/i;

/** A parsed date-time: its instant and its local fields at its own offset. */
export interface ZonedDate {
  readonly instantMs: number;
  readonly local: LocalFields;
}

/**
 * Parses an ISO date-time with an offset (`Z`, `+02:00`) and an optional
 * `[Zone/Id]` suffix, as Kestra's conditions read their `date`. Without an
 * offset the time is read in `defaultZone`. Returns undefined when invalid.
 */
export function parseZoned(text: string, defaultZone = 'UTC'): ZonedDate | undefined {
  const m = ZONED.exec(text.trim());
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac, off, zone] = m;
  const ms = frac ? Number(frac.padEnd(3, '0').slice(0, 3)) : 0;
  const wall = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s ?? 0), ms);
  if (Number.isNaN(wall)) return undefined;
  let offset: number;
  if (off && off.toUpperCase() !== 'Z') {
    const sign = off.startsWith('-') ? -1 : 1;
    const digits = off.slice(1).replace(':', '');
    offset = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || 0));
  } else if (off) {
    offset = 0;
  } else {
    const z = zone ?? defaultZone;
    if (!isValidTimeZone(z)) return undefined;
    // Wall time in a zone: guess with the offset at the wall instant, then correct once.
    offset = zoneOffsetMinutes(wall - zoneOffsetMinutes(wall, z) * 60_000, z);
  }
  const instantMs = wall - offset * 60_000;
  return { instantMs, local: fieldsAtOffset(instantMs, offset) };
}

/** Parses `HH:mm[:ss[.fff]][Z|±hh:mm]` (Java's OffsetTime / LocalTime) into seconds of day and an optional offset. */
export function parseTimeOfDay(text: string): { secondsOfDay: number; offsetMinutes?: number } | undefined {
  const m = /^(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/i.exec(text.trim());
  if (!m) return undefined;
  const [, h, mi, s, off] = m;
  const secondsOfDay = Number(h) * 3600 + Number(mi) * 60 + Number(s ?? 0);
  if (Number(h) > 23 || Number(mi) > 59 || Number(s ?? 0) > 59) return undefined;
  if (!off) return { secondsOfDay };
  if (off.toUpperCase() === 'Z') return { secondsOfDay, offsetMinutes: 0 };
  const sign = off.startsWith('-') ? -1 : 1;
  const digits = off.slice(1).replace(':', '');
  return { secondsOfDay, offsetMinutes: sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) };
}

const DURATION = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i;

/** ISO-8601 duration (weeks, days, hours, minutes, seconds) in milliseconds; undefined when invalid. */
export function parseIsoDuration(text: unknown): number | undefined {
  if (typeof text !== 'string') return undefined;
  const t = text.trim();
  const m = DURATION.exec(t);
  if (!m || /^PT?$/i.test(t)) return undefined;
  const [, w, d, h, mi, s] = m;
  return Math.round(
    (Number(w ?? 0) * 604_800 + Number(d ?? 0) * 86_400 + Number(h ?? 0) * 3600 + Number(mi ?? 0) * 60 + Number(s ?? 0)) *
      1000,
  );
}
