import type { Evaluation, FilterDef, ResolvedArgs } from './evaluator';
import { intArg, str } from './filters-core';
import { formatDate } from './java-date-format';
import { parseDate } from './java-date-parse';
import { plus, toZonedDate, UTC, withZone, type ZonedDate, zoneOf } from './zoned-date';

function defaultZone(ev: Evaluation, a: ResolvedArgs) {
  if (typeof a.timeZone === 'string') return zoneOf(a.timeZone);
  return ev.options.timeZone ? zoneOf(ev.options.timeZone) : UTC;
}

/** AbstractDate.convert: the input as a zoned date (parsed with existingFormat when given). */
export function convertDate(input: unknown, a: ResolvedArgs, ev: Evaluation): ZonedDate {
  const zone = defaultZone(ev, a);
  if (typeof a.existingFormat === 'string' && typeof input === 'string') return parseDate(input, a.existingFormat, zone);
  return toZonedDate(input, zone);
}

/** AbstractDate.format: renders in `timeZone` (default UTC) with `format` (default `iso`). */
export function formatIn(d: ZonedDate, a: ResolvedArgs, ev: Evaluation): string {
  const zone = defaultZone(ev, a);
  const format = typeof a.format === 'string' ? a.format : 'iso';
  return formatDate(withZone(d, zone), format, typeof a.locale === 'string' ? a.locale : undefined);
}

const DATE_ARGS = ['format', 'timeZone', 'existingFormat', 'locale'];
const TS_ARGS = ['timeZone', 'existingFormat'];

function timestamp(scale: 'sec' | 'milli' | 'micro' | 'nano'): FilterDef {
  return {
    args: TS_ARGS,
    fn: (input, a, ev) => {
      if (input === null || input === undefined) return null;
      const d = convertDate(input, a, ev);
      switch (scale) {
        case 'sec':
          return d.sec;
        case 'milli':
          return d.sec * 1000 + Math.floor(d.nano / 1e6);
        case 'micro':
          return d.sec * 1e6 + Math.floor(d.nano / 1e3);
        default:
          return BigInt(d.sec) * 1000000000n + BigInt(d.nano);
      }
    },
  };
}

/** Kestra's date filters: date, dateAdd, timestamp, timestampMilli, timestampMicro, timestampNano. */
export const DATE_FILTERS: ReadonlyMap<string, FilterDef> = new Map<string, FilterDef>([
  [
    'date',
    {
      args: DATE_ARGS,
      fn: (v, a, ev) => (v === null || v === undefined ? null : formatIn(convertDate(v, a, ev), a, ev)),
    },
  ],
  [
    'dateAdd',
    {
      args: ['amount', 'unit', ...DATE_ARGS],
      fn: (v, a, ev) => {
        if (v === null || v === undefined) return null;
        const d = convertDate(v, a, ev);
        return formatIn(plus(d, intArg(a.amount, 'amount'), str(a.unit)), a, ev);
      },
    },
  ],
  ['timestamp', timestamp('sec')],
  ['timestampMilli', timestamp('milli')],
  ['timestampMicro', timestamp('micro')],
  ['timestampNano', timestamp('nano')],
]);
