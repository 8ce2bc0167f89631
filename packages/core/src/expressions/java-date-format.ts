import { EvalFailure } from './signals';
import {
  type LocalFields,
  type ZonedDate,
  formatOffsetId,
  localFields,
  pad,
  daysFromCivil,
  civilFromDays,
} from './zoned-date';

/** One element of a compiled java.time.format.DateTimeFormatter pattern. */
export type Part =
  | { readonly kind: 'lit'; readonly text: string }
  | { readonly kind: 'field'; readonly letter: string; readonly count: number }
  | { readonly kind: 'opt'; readonly parts: readonly Part[] };

export const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const LETTERS = 'GuyDMLdQqYwWEecFaBhKkHmsSAnNVvzOXxZ';
const cache = new Map<string, readonly Part[]>();

/** Compiles a DateTimeFormatter pattern (`yyyy-MM-dd'T'HH:mm:ss.SSSXXX`, `[optional]`, `'literal'`). */
export function compilePattern(pattern: string): readonly Part[] {
  const hit = cache.get(pattern);
  if (hit) return hit;
  let i = 0;
  const parse = (inOptional: boolean): Part[] => {
    const parts: Part[] = [];
    while (i < pattern.length) {
      const c = pattern[i] as string;
      if (c === "'") {
        let j = i + 1;
        let text = '';
        for (;;) {
          if (j >= pattern.length) throw new EvalFailure(`Pattern ends with an incomplete string literal: ${pattern}`);
          if (pattern[j] === "'") {
            if (pattern[j + 1] === "'") {
              text += "'";
              j += 2;
              continue;
            }
            break;
          }
          text += pattern[j];
          j++;
        }
        parts.push({ kind: 'lit', text: j === i + 1 ? "'" : text });
        i = j + 1;
      } else if (c === '[') {
        i++;
        parts.push({ kind: 'opt', parts: parse(true) });
      } else if (c === ']') {
        if (!inOptional) throw new EvalFailure(`Pattern invalid as it contains ] without previous [: ${pattern}`);
        i++;
        return parts;
      } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
        if (!LETTERS.includes(c)) throw new EvalFailure(`Unknown pattern letter: ${c}`);
        let j = i;
        while (pattern[j] === c) j++;
        parts.push({ kind: 'field', letter: c, count: j - i });
        i = j;
      } else {
        parts.push({ kind: 'lit', text: c });
        i++;
      }
    }
    return parts;
  };
  const parts = parse(false);
  if (cache.size > 500) cache.clear();
  cache.set(pattern, parts);
  return parts;
}

function zoneShortName(d: ZonedDate, long: boolean): string {
  if (d.zone.fixed !== undefined) return d.zone.fixed === 0 ? (d.zone.id === 'Z' ? 'Z' : d.zone.id) : d.zone.id;
  const dtf = new Intl.DateTimeFormat('en-US', { timeZone: d.zone.id, timeZoneName: long ? 'long' : 'short' });
  return dtf.formatToParts(new Date(d.sec * 1000)).find((p) => p.type === 'timeZoneName')?.value ?? d.zone.id;
}

function offsetText(offset: number, letter: string, count: number): string {
  const sign = offset < 0 ? '-' : '+';
  const a = Math.abs(offset);
  const h = pad(Math.floor(a / 3600), 2);
  const m = pad(Math.floor((a % 3600) / 60), 2);
  const s = pad(a % 60, 2);
  if (letter === 'X' && offset === 0) return 'Z';
  if (letter === 'Z') {
    if (count <= 3) return `${sign}${h}${m}`;
    if (count === 4) return offset === 0 ? 'GMT' : `GMT${sign}${h}:${m}`;
    return offset === 0 ? 'Z' : `${sign}${h}:${m}`;
  }
  if (letter === 'O') {
    if (offset === 0) return 'GMT';
    return count === 1 ? `GMT${sign}${Math.floor(a / 3600)}${a % 3600 ? `:${m}` : ''}` : `GMT${sign}${h}:${m}`;
  }
  switch (count) {
    case 1:
      return `${sign}${h}${m !== '00' ? m : ''}`;
    case 2:
      return `${sign}${h}${m}`;
    case 3:
      return `${sign}${h}:${m}`;
    case 4:
      return `${sign}${h}${m}${a % 60 ? s : ''}`;
    default:
      return `${sign}${h}:${m}${a % 60 ? `:${s}` : ''}`;
  }
}

/**
 * Week fields of an English locale (WeekFields.of(Locale.ENGLISH): weeks start on Sunday, the week
 * holding January 1st is week 1), which `w`, `W` and `Y` use.
 */
function localeWeek(f: { year: number; month: number; day: number; dayOfWeek: number }): { weekYear: number; week: number } {
  const days = daysFromCivil(f.year, f.month, f.day);
  const weekStart = days - (f.dayOfWeek % 7);
  const weekYear = civilFromDays(weekStart + 6).year;
  const jan1 = daysFromCivil(weekYear, 1, 1);
  const jan1Dow = ((((jan1 + 3) % 7) + 7) % 7) + 1;
  const firstWeekStart = jan1 - (jan1Dow % 7);
  return { weekYear, week: Math.floor((weekStart - firstWeekStart) / 7) + 1 };
}

function isoWeek(f: { year: number; month: number; day: number; dayOfWeek: number }): { weekYear: number; week: number } {
  const days = daysFromCivil(f.year, f.month, f.day);
  const thursday = days + (4 - f.dayOfWeek);
  const { year } = civilFromDays(thursday);
  const week = Math.floor((thursday - daysFromCivil(year, 1, 1)) / 7) + 1;
  return { weekYear: year, week };
}

const localeNames = new Map<string, { months: string[][]; days: string[][] }>();

/** Month and day names of a locale ([narrow, short, long] per month/day), through Intl. */
function namesFor(locale: string): { months: string[][]; days: string[][] } | undefined {
  const hit = localeNames.get(locale);
  if (hit) return hit;
  let names: { months: string[][]; days: string[][] };
  try {
    const fmt = (opts: Intl.DateTimeFormatOptions) => new Intl.DateTimeFormat(locale.replace(/_/g, '-'), { ...opts, timeZone: 'UTC' });
    const widths = ['narrow', 'short', 'long'] as const;
    const months = Array.from({ length: 12 }, (_, m) => widths.map((w) => fmt({ month: w }).format(Date.UTC(2021, m, 15))));
    // 2021-02-01 was a Monday.
    const days = Array.from({ length: 7 }, (_, d) => widths.map((w) => fmt({ weekday: w }).format(Date.UTC(2021, 1, 1 + d))));
    names = { months, days };
  } catch {
    return undefined;
  }
  if (localeNames.size > 100) localeNames.clear();
  localeNames.set(locale, names);
  return names;
}

function localized(kind: 'months' | 'days', index: number, count: number, locale: string | undefined, english: string): string {
  if (!locale || /^en([-_]|$)/i.test(locale)) return text(english, count);
  const names = namesFor(locale)?.[kind][index];
  if (!names) return text(english, count);
  return (count === 4 ? names[2] : count === 5 ? names[0] : names[1]) as string;
}

function text(name: string, count: number): string {
  if (count === 4) return name;
  if (count === 5) return name.slice(0, 1);
  return name.slice(0, 3);
}

/** Formats a date with a compiled pattern (English names). */
export function formatPattern(d: ZonedDate, pattern: string, locale?: string): string {
  const f = localFields(d);
  const out: string[] = [];
  const emit = (parts: readonly Part[]) => {
    for (const p of parts) {
      if (p.kind === 'lit') out.push(p.text);
      else if (p.kind === 'opt') emit(p.parts);
      else out.push(field(p.letter, p.count));
    }
  };
  const num = (v: number, count: number) => pad(v, count);
  const field = (c: string, n: number): string => {
    switch (c) {
      case 'G':
        return n === 4 ? (f.year > 0 ? 'Anno Domini' : 'Before Christ') : n === 5 ? (f.year > 0 ? 'A' : 'B') : f.year > 0 ? 'AD' : 'BC';
      case 'u':
      case 'y':
      case 'Y': {
        const y = c === 'Y' ? localeWeek(f).weekYear : c === 'y' && f.year <= 0 ? 1 - f.year : f.year;
        if (n === 2) return pad(((y % 100) + 100) % 100, 2);
        return n >= 4 && y > 9999 ? `+${y}` : pad(y, n);
      }
      case 'Q':
      case 'q': {
        const q = Math.ceil(f.month / 3);
        if (n <= 2) return num(q, n);
        return n === 3 ? `Q${q}` : n === 4 ? `${['1st', '2nd', '3rd', '4th'][q - 1]} quarter` : String(q);
      }
      case 'M':
      case 'L':
        return n <= 2 ? num(f.month, n) : localized('months', f.month - 1, n, locale, MONTHS[f.month - 1] as string);
      case 'd':
        return num(f.day, n);
      case 'D':
        return num(f.dayOfYear, n);
      case 'w':
        return num(localeWeek(f).week, n);
      case 'W': {
        // Sunday-based index of the 1st of the month (1970-01-01 was a Thursday).
        const firstDow = (((daysFromCivil(f.year, f.month, 1) + 4) % 7) + 7) % 7;
        return num(Math.floor((f.day - 1 + firstDow) / 7) + 1, n);
      }
      case 'F':
        // JDK 17 maps F to ALIGNED_DAY_OF_WEEK_IN_MONTH.
        return num(((f.day - 1) % 7) + 1, n);
      case 'E':
        return localized('days', f.dayOfWeek - 1, n, locale, DAYS[f.dayOfWeek - 1] as string);
      case 'e':
      case 'c':
        return n <= 2 ? num((f.dayOfWeek % 7) + 1, n) : localized('days', f.dayOfWeek - 1, n, locale, DAYS[f.dayOfWeek - 1] as string);
      case 'a':
        return f.hour < 12 ? 'AM' : 'PM';
      case 'B': {
        // CLDR English day periods, as java.time prints them.
        const m = f.hour * 60 + f.minute;
        if (m === 0) return 'midnight';
        if (m === 720) return 'noon';
        return m < 360 ? 'at night' : m < 720 ? 'in the morning' : m < 1080 ? 'in the afternoon' : m < 1260 ? 'in the evening' : 'at night';
      }
      case 'h':
        return num(f.hour % 12 === 0 ? 12 : f.hour % 12, n);
      case 'K':
        return num(f.hour % 12, n);
      case 'k':
        return num(f.hour === 0 ? 24 : f.hour, n);
      case 'H':
        return num(f.hour, n);
      case 'm':
        return num(f.minute, n);
      case 's':
        return num(f.second, n);
      case 'S':
        return pad(f.nano, 9).slice(0, n).padEnd(n, '0');
      case 'A':
        return num((f.hour * 3600 + f.minute * 60 + f.second) * 1000 + Math.floor(f.nano / 1e6), n);
      case 'n':
        return num(f.nano, n);
      case 'N':
        return num((f.hour * 3600 + f.minute * 60 + f.second) * 1e9 + f.nano, n);
      case 'V':
        return d.zone.id;
      case 'v':
      case 'z':
        return zoneShortName(d, n === 4);
      default:
        return offsetText(f.offset, c, n);
    }
  };
  emit(compilePattern(pattern));
  return out.join('');
}

function fraction(nano: number, minDigits: number): string {
  if (nano === 0 && minDigits === 0) return '';
  return `.${pad(nano, 9).replace(/0+$/, '').padEnd(Math.max(minDigits, 1), '0')}`;
}

function isoLocalTime(f: LocalFields): string {
  return `${pad(f.hour, 2)}:${pad(f.minute, 2)}:${pad(f.second, 2)}${fraction(f.nano, 0)}`;
}

function isoLocalDate(f: LocalFields): string {
  return `${f.year > 9999 ? '+' : ''}${pad(f.year, 4)}-${pad(f.month, 2)}-${pad(f.day, 2)}`;
}

/** Java's named formatters that Kestra exposes as shortcuts (`iso`, `sql`, `iso_date_time`, ...). */
export function formatNamed(d: ZonedDate, name: string): string | undefined {
  switch (name) {
    case 'iso':
      return formatPattern(d, "yyyy-MM-dd'T'HH:mm:ss.SSSSSSXXX");
    case 'iso_sec':
      return formatPattern(d, "yyyy-MM-dd'T'HH:mm:ssXXX");
    case 'sql':
      return formatPattern(d, 'yyyy-MM-dd HH:mm:ss.SSSSSS');
    case 'sql_seq':
      return formatPattern(d, 'yyyy-MM-dd HH:mm:ss');
  }
  const f = localFields(d);
  const offset = formatOffsetId(f.offset);
  const region = d.zone.fixed === undefined || (d.zone.id !== 'Z' && !/^[+-]/.test(d.zone.id)) ? `[${d.zone.id}]` : '';
  switch (name) {
    case 'iso_date_time':
    case 'iso_zoned_date_time':
      return `${isoLocalDate(f)}T${isoLocalTime(f)}${offset}${region}`;
    case 'iso_offset_date_time':
      return `${isoLocalDate(f)}T${isoLocalTime(f)}${offset}`;
    case 'iso_date':
    case 'iso_offset_date':
      return `${isoLocalDate(f)}${offset}`;
    case 'iso_time':
    case 'iso_offset_time':
      return `${isoLocalTime(f)}${offset}`;
    case 'iso_local_date':
      return isoLocalDate(f);
    case 'iso_local_time':
      return isoLocalTime(f);
    case 'iso_local_date_time':
      return `${isoLocalDate(f)}T${isoLocalTime(f)}`;
    case 'iso_instant': {
      const u = localFields({ ...d, zone: { id: 'Z', fixed: 0 } });
      const frac = u.nano === 0 ? '' : `.${pad(u.nano, 9).replace(/(000)+$/, '')}`;
      return `${isoLocalDate(u)}T${pad(u.hour, 2)}:${pad(u.minute, 2)}:${pad(u.second, 2)}${frac}Z`;
    }
    case 'iso_ordinal_date':
      return `${pad(f.year, 4)}-${pad(f.dayOfYear, 3)}${offset}`;
    case 'iso_week_date': {
      const w = isoWeek(f);
      return `${pad(w.weekYear, 4)}-W${pad(w.week, 2)}-${f.dayOfWeek}${offset}`;
    }
    case 'rfc_1123_date_time':
      return `${(DAYS[f.dayOfWeek - 1] as string).slice(0, 3)}, ${f.day} ${(MONTHS[f.month - 1] as string).slice(0, 3)} ${f.year} ${pad(f.hour, 2)}:${pad(f.minute, 2)}:${pad(f.second, 2)} ${f.offset === 0 ? 'GMT' : offsetText(f.offset, 'Z', 1)}`;
    case 'basic_iso_date':
      return `${pad(f.year, 4)}${pad(f.month, 2)}${pad(f.day, 2)}${f.offset === 0 ? 'Z' : offsetText(f.offset, 'Z', 1)}`;
  }
  return undefined;
}

/** Formats with a Kestra format argument: a shortcut name or a pattern. */
export function formatDate(d: ZonedDate, format: string, locale?: string): string {
  return formatNamed(d, format) ?? formatPattern(d, format, locale);
}
