import { compilePattern, MONTHS, type Part } from './java-date-format';
import { EvalFailure } from './signals';
import {
  civilFromDays,
  daysFromCivil,
  formatOffsetId,
  fromLocal,
  type LocalFields,
  validate,
  type Zone,
  type ZonedDate,
  zoneOf,
} from './zoned-date';

const NAMED_PARSE: Readonly<Record<string, string>> = {
  iso: "yyyy-MM-dd'T'HH:mm:ss[.SSSSSSSSS][.SSSSSS][.SSS]XXX",
  iso_sec: "yyyy-MM-dd'T'HH:mm:ssXXX",
  sql: 'yyyy-MM-dd HH:mm:ss[.SSSSSSSSS][.SSSSSS][.SSS]',
  sql_seq: 'yyyy-MM-dd HH:mm:ss',
  iso_local_date: 'yyyy-MM-dd',
  iso_date: 'yyyy-MM-dd[XXX]',
  iso_local_date_time: "yyyy-MM-dd'T'HH:mm[:ss][.SSSSSSSSS][.SSSSSS][.SSS]",
  iso_local_time: 'HH:mm[:ss]',
  basic_iso_date: 'yyyyMMdd[X]',
};

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

interface Capture {
  readonly letter: string;
  readonly count: number;
}

function partsToRegex(parts: readonly Part[], caps: Capture[]): string {
  let re = '';
  for (const p of parts) {
    if (p.kind === 'lit') re += escapeRe(p.text);
    else if (p.kind === 'opt') re += `(?:${partsToRegex(p.parts, caps)})?`;
    else {
      caps.push({ letter: p.letter, count: p.count });
      re += `(${fieldRegex(p.letter, p.count)})`;
    }
  }
  return re;
}

function fieldRegex(c: string, n: number): string {
  switch (c) {
    case 'M':
    case 'L':
      if (n === 3) return '[A-Za-z]{3}';
      if (n >= 4) return '[A-Za-z]+';
      return n === 2 ? '\\d{2}' : '\\d{1,2}';
    case 'E':
      return '[A-Za-z]+';
    case 'a':
      return '[AaPp][Mm]';
    case 'y':
    case 'u':
    case 'Y':
      return n === 2 ? '\\d{2}' : n >= 4 ? '[+-]?\\d{4,9}' : '[+-]?\\d{1,9}';
    case 'S':
      return `\\d{${n}}`;
    case 'n':
      return '\\d{1,9}';
    case 'V':
      return '[A-Za-z][A-Za-z0-9_/+-]*';
    case 'z':
    case 'v':
      return '[A-Za-z][A-Za-z0-9_/+:-]*';
    case 'X':
    case 'x':
    case 'Z':
    case 'O':
      return 'Z|z|GMT|UTC|(?:GMT|UTC)?[+-]\\d{1,2}(?::?\\d{2}(?::?\\d{2})?)?';
    case 'G':
      return '[A-Za-z ]+';
    default:
      return n >= 2 ? `\\d{${n}}` : '\\d{1,9}';
  }
}

function nameIndex(names: readonly string[], value: string): number {
  const v = value.toLowerCase();
  return names.findIndex((nm) => nm.toLowerCase() === v || nm.slice(0, 3).toLowerCase() === v) + 1;
}

/**
 * Parses `text` with a DateTimeFormatter pattern or shortcut. Missing time fields default to
 * midnight, a missing zone to `zone`.
 */
export function parseDate(text: string, format: string, zone: Zone): ZonedDate {
  const pattern = NAMED_PARSE[format] ?? format;
  const caps: Capture[] = [];
  const re = new RegExp(`^${partsToRegex(compilePattern(pattern), caps)}$`);
  const m = re.exec(text);
  if (!m) throw new EvalFailure(`Text '${text}' could not be parsed with the format '${format}'`);
  const f: LocalFields = { year: 1970, month: 1, day: 1, hour: 0, minute: 0, second: 0, nano: 0 };
  let pm: boolean | undefined;
  let hour12: number | undefined;
  let offset: number | undefined;
  let parsedZone: Zone | undefined;
  let dayOfYear: number | undefined;
  caps.forEach((cap, i) => {
    const v = m[i + 1];
    if (v === undefined) return;
    switch (cap.letter) {
      case 'y':
      case 'u':
      case 'Y':
        f.year = cap.count === 2 ? 2000 + Number(v) : Number(v);
        break;
      case 'M':
      case 'L':
        f.month = cap.count >= 3 ? nameIndex(MONTHS, v) : Number(v);
        if (f.month === 0) throw new EvalFailure(`Text '${text}' could not be parsed: unknown month '${v}'`);
        break;
      case 'd':
        f.day = Number(v);
        break;
      case 'D':
        dayOfYear = Number(v);
        break;
      case 'H':
      case 'k':
        f.hour = Number(v) % 24;
        break;
      case 'h':
      case 'K':
        hour12 = Number(v) % 12;
        break;
      case 'a':
        pm = v.toUpperCase() === 'PM';
        break;
      case 'm':
        f.minute = Number(v);
        break;
      case 's':
        f.second = Number(v);
        break;
      case 'S':
        f.nano = Number(v.padEnd(9, '0').slice(0, 9));
        break;
      case 'n':
        f.nano = Number(v);
        break;
      case 'V':
      case 'z':
      case 'v':
        parsedZone = zoneOf(v);
        break;
      case 'X':
      case 'x':
      case 'Z':
      case 'O': {
        const z = zoneOf(v === 'GMT' || v === 'UTC' ? 'Z' : v.replace(/^(GMT|UTC)/, ''));
        offset = z.fixed;
        break;
      }
      default:
        break;
    }
  });
  if (hour12 !== undefined) f.hour = hour12 + (pm ? 12 : 0);
  if (dayOfYear !== undefined) {
    const c = civilFromDays(daysFromCivil(f.year, 1, 1) + dayOfYear - 1);
    f.month = c.month;
    f.day = c.day;
  }
  validate(f, text);
  if (offset !== undefined) {
    const local = daysFromCivil(f.year, f.month, f.day) * 86400 + f.hour * 3600 + f.minute * 60 + f.second;
    return { sec: local - offset, nano: f.nano, zone: parsedZone ?? zoneOf(formatOffsetId(offset)) };
  }
  return fromLocal(f, parsedZone ?? zone);
}
