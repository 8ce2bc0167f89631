import { EvalFailure } from './signals';

/** A time zone: a fixed offset (seconds) or a region resolved through Intl. */
export interface Zone {
  readonly id: string;
  /** Fixed offset in seconds, for offset zones (`Z`, `+02:00`). */
  readonly fixed?: number;
}

/** An instant with nanosecond precision in a zone: the subset of Java's ZonedDateTime we need. */
export interface ZonedDate {
  readonly sec: number;
  readonly nano: number;
  readonly zone: Zone;
}

export interface LocalFields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  nano: number;
}

export const UTC: Zone = { id: 'Z', fixed: 0 };

const zoneCache = new Map<string, Zone>();
const dtfCache = new Map<string, Intl.DateTimeFormat>();

function parseOffset(s: string): number | undefined {
  if (s === 'Z' || s === 'z') return 0;
  const m = /^(?:UTC|GMT|UT)?([+-])(\d{1,2})(?::?(\d{2}))?(?::?(\d{2}))?$/.exec(s);
  if (!m) return undefined;
  const sign = m[1] === '-' ? -1 : 1;
  return sign * (Number(m[2]) * 3600 + Number(m[3] ?? 0) * 60 + Number(m[4] ?? 0));
}

export function formatOffsetId(seconds: number): string {
  if (seconds === 0) return 'Z';
  const sign = seconds < 0 ? '-' : '+';
  const a = Math.abs(seconds);
  const h = Math.floor(a / 3600);
  const m = Math.floor((a % 3600) / 60);
  const s = a % 60;
  return `${sign}${pad(h, 2)}:${pad(m, 2)}${s ? `:${pad(s, 2)}` : ''}`;
}

/** Java's ZoneId.of: offsets, `UTC`/`GMT`, and region ids such as `Europe/Paris`. */
export function zoneOf(id: string): Zone {
  const cached = zoneCache.get(id);
  if (cached) return cached;
  let zone: Zone;
  const off = parseOffset(id);
  if (off !== undefined) zone = { id: formatOffsetId(off), fixed: off };
  else if (id === 'UTC' || id === 'GMT' || id === 'UT' || id === 'Etc/UTC' || id === 'Etc/GMT') zone = { id, fixed: 0 };
  else {
    try {
      const dtf = new Intl.DateTimeFormat('en-US', {
        timeZone: id,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
        era: 'short',
      });
      dtfCache.set(id, dtf);
    } catch {
      throw new EvalFailure(`Unknown time-zone ID: ${id}`);
    }
    zone = { id };
  }
  if (zoneCache.size > 1000) zoneCache.clear();
  zoneCache.set(id, zone);
  return zone;
}

/** Offset of `zone` from UTC at the given epoch second, in seconds. */
export function offsetAt(zone: Zone, sec: number): number {
  if (zone.fixed !== undefined) return zone.fixed;
  const dtf = dtfCache.get(zone.id) as Intl.DateTimeFormat;
  const parts = dtf.formatToParts(new Date(sec * 1000));
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? 0);
  let year = get('year');
  if (parts.find((p) => p.type === 'era')?.value === 'BC') year = 1 - year;
  const local = daysFromCivil(year, get('month'), get('day')) * 86400 + get('hour') * 3600 + get('minute') * 60 + get('second');
  return local - Math.floor(sec);
}

// Howard Hinnant's civil calendar algorithms (proleptic Gregorian, like java.time).
export function daysFromCivil(y0: number, m: number, d: number): number {
  const y = m <= 2 ? y0 - 1 : y0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

export function civilFromDays(z0: number): { year: number; month: number; day: number } {
  const z = z0 + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const y = yoe + era * 400;
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp + (mp < 10 ? 3 : -9);
  return { year: month <= 2 ? y + 1 : y, month, day };
}

export function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

export function monthLength(y: number, m: number): number {
  return [31, isLeap(y) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1] as number;
}

export function localFields(d: ZonedDate): LocalFields & { offset: number; dayOfWeek: number; dayOfYear: number } {
  const offset = offsetAt(d.zone, d.sec);
  const local = d.sec + offset;
  const days = Math.floor(local / 86400);
  const secOfDay = local - days * 86400;
  const { year, month, day } = civilFromDays(days);
  const dayOfWeek = ((((days + 3) % 7) + 7) % 7) + 1; // 1 = Monday (1970-01-01 was a Thursday)
  const dayOfYear = days - daysFromCivil(year, 1, 1) + 1;
  return {
    year,
    month,
    day,
    hour: Math.floor(secOfDay / 3600),
    minute: Math.floor((secOfDay % 3600) / 60),
    second: secOfDay % 60,
    nano: d.nano,
    offset,
    dayOfWeek,
    dayOfYear,
  };
}

/** Resolves local fields in a zone to an instant (earlier offset in overlaps, shifted forward in gaps, like Java). */
export function fromLocal(f: LocalFields, zone: Zone): ZonedDate {
  const local = daysFromCivil(f.year, f.month, f.day) * 86400 + f.hour * 3600 + f.minute * 60 + f.second;
  if (zone.fixed !== undefined) return { sec: local - zone.fixed, nano: f.nano, zone };
  const o1 = offsetAt(zone, local - offsetAt(zone, local));
  let sec = local - o1;
  const o2 = offsetAt(zone, sec);
  if (o2 !== o1) sec = local - Math.max(o1, o2);
  return { sec, nano: f.nano, zone };
}

export function pad(n: number, width: number): string {
  const s = String(Math.abs(n));
  const p = s.length >= width ? s : '0'.repeat(width - s.length) + s;
  return n < 0 ? `-${p}` : p;
}

const ISO_RE =
  /^([+-]?\d{4,9})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|z|[+-]\d{2}(?::?\d{2}(?::?\d{2})?)?)?(?:\[([^\]]+)\])?$/;

/**
 * Converts a template value to a date, like Kestra's AbstractDate.convert: ISO strings (with or
 * without offset; a date alone means noon, like a LocalDate), epoch seconds for integers.
 */
export function toZonedDate(value: unknown, defaultZone: Zone): ZonedDate {
  if (typeof value === 'number' && Number.isInteger(value)) return { sec: value, nano: 0, zone: defaultZone };
  if (value instanceof Date) {
    const ms = value.getTime();
    return { sec: Math.floor(ms / 1000), nano: (((ms % 1000) + 1000) % 1000) * 1e6, zone: defaultZone };
  }
  if (typeof value !== 'string') throw new EvalFailure(`Cannot convert ${JSON.stringify(value) ?? String(value)} to a date`);
  const m = ISO_RE.exec(value.trim());
  if (!m) throw new EvalFailure(`Text '${value}' could not be parsed as a date; use existingFormat to give its format`);
  const dateOnly = m[4] === undefined;
  const fields: LocalFields = {
    year: Number(m[1]),
    month: Number(m[2]),
    day: Number(m[3]),
    hour: dateOnly ? 12 : Number(m[4]),
    minute: dateOnly ? 0 : Number(m[5]),
    second: Number(m[6] ?? 0),
    nano: m[7] ? Number(m[7].padEnd(9, '0')) : 0,
  };
  validate(fields, value);
  let zone = defaultZone;
  if (m[9]) zone = zoneOf(m[9]);
  if (m[8]) {
    const off = parseOffset(m[8]) as number;
    const local = daysFromCivil(fields.year, fields.month, fields.day) * 86400 + fields.hour * 3600 + fields.minute * 60 + fields.second;
    return { sec: local - off, nano: fields.nano, zone: m[9] ? zone : zoneOf(formatOffsetId(off)) };
  }
  return fromLocal(fields, zone);
}

export function validate(f: LocalFields, text: string): void {
  if (f.month < 1 || f.month > 12 || f.day < 1 || f.day > monthLength(f.year, f.month) || f.hour > 23 || f.minute > 59 || f.second > 59) {
    throw new EvalFailure(`Text '${text}' could not be parsed: invalid date or time value`);
  }
}

const UNITS: Readonly<Record<string, number>> = {
  NANOS: 1e-9,
  MICROS: 1e-6,
  MILLIS: 1e-3,
  SECONDS: 1,
  MINUTES: 60,
  HOURS: 3600,
  HALF_DAYS: 43200,
};
const DATE_UNITS: Readonly<Record<string, [number, number]>> = {
  DAYS: [0, 1],
  WEEKS: [0, 7],
  MONTHS: [1, 0],
  YEARS: [12, 0],
  DECADES: [120, 0],
  CENTURIES: [1200, 0],
  MILLENNIA: [12000, 0],
};

/** ZonedDateTime.plus(amount, ChronoUnit): time units on the instant, date units on the local date. */
export function plus(d: ZonedDate, amount: number, unit: string): ZonedDate {
  const u = unit.toUpperCase();
  const timeUnit = UNITS[u];
  if (timeUnit !== undefined) {
    if (timeUnit >= 1) return { ...d, sec: d.sec + amount * timeUnit };
    const nanos = BigInt(d.nano) + BigInt(Math.round(amount * timeUnit * 1e9));
    const carry = nanos >= 0n ? nanos / 1000000000n : (nanos - 999999999n) / 1000000000n;
    return { ...d, sec: d.sec + Number(carry), nano: Number(nanos - carry * 1000000000n) };
  }
  const dateUnit = DATE_UNITS[u];
  if (!dateUnit) throw new EvalFailure(`No enum constant java.time.temporal.ChronoUnit.${unit}`);
  const f = localFields(d);
  const [months, days] = dateUnit;
  let year = f.year;
  let month = f.month;
  let day = f.day;
  if (months) {
    const total = year * 12 + (month - 1) + amount * months;
    year = Math.floor(total / 12);
    month = total - year * 12 + 1;
    day = Math.min(day, monthLength(year, month));
  }
  if (days) {
    const c = civilFromDays(daysFromCivil(year, month, day) + amount * days);
    year = c.year;
    month = c.month;
    day = c.day;
  }
  return fromLocal({ year, month, day, hour: f.hour, minute: f.minute, second: f.second, nano: f.nano }, d.zone);
}

export function withZone(d: ZonedDate, zone: Zone): ZonedDate {
  return { ...d, zone };
}
