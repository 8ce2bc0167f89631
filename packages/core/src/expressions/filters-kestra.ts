import * as ion from 'ion-js';
import YAML from 'yaml';
import { EvalFailure, type Evaluation, type FilterDef, type ResolvedArgs } from './evaluator';
import { intArg, str } from './filters-core';
import { md5Hex, sha1Hex, sha512Hex } from './hashes';
import { formatDate, parseDate } from './java-date-format';
import { jqFilter } from './jq';
import { DEFAULT_REGEX_TIMEOUT_MS, javaRegex, javaReplacement, regexExec, regexReplace, regexTest } from './regex-runner';
import { isMap, isNumber, JDouble, printValue, toJson, toPlain, typeName, valueEquals } from './values';
import { UTC, type ZonedDate, plus, toZonedDate, withZone, zoneOf } from './zoned-date';

function timeoutOf(ev: Evaluation): number {
  return ev.options.regexTimeoutMs ?? DEFAULT_REGEX_TIMEOUT_MS;
}

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
  return formatDate(withZone(d, zone), format);
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

function indent(input: unknown, amount: unknown, prefix: unknown, newline: boolean): string | null {
  if (input === null || input === undefined) return null;
  const n = intArg(amount, 'amount');
  const pad = (typeof prefix === 'string' ? prefix : ' ').repeat(n);
  const s = str(input).replace(/\r?\n/g, (nl) => nl + pad);
  return newline ? `\n${pad}${s}` : s;
}

function slugify(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** Ion text as Jackson's Ion writer produces it. */
export function toIon(v: unknown): string {
  return ion.dumpText(toPlain(v) ?? null);
}

/** Parses Ion text into plain data. */
export function fromIon(s: string): unknown {
  let loaded: unknown;
  try {
    // loadAll reads to the end, so truncated input is an error rather than a partial value.
    loaded = ion.loadAll(s)[0] ?? null;
  } catch (e) {
    throw new EvalFailure(`Invalid Ion: ${(e as Error).message}`);
  }
  return loaded === null ? null : (JSON.parse(JSON.stringify(loaded)) as unknown);
}

export function parseJson(s: unknown): unknown {
  if (s === null || s === undefined) return null;
  if (typeof s !== 'string') return s;
  try {
    return JSON.parse(s) as unknown;
  } catch (e) {
    throw new EvalFailure(`Invalid JSON: ${(e as Error).message}`);
  }
}

export function parseYaml(s: unknown): unknown {
  if (s === null || s === undefined) return null;
  if (typeof s !== 'string') return s;
  try {
    return (YAML.parse(s, { maxAliasCount: 100 }) as unknown) ?? null;
  } catch (e) {
    throw new EvalFailure(`Invalid YAML: ${(e as Error).message}`);
  }
}

function toNumber(input: unknown, type: unknown): unknown {
  if (input === null || input === undefined) return null;
  if (isNumber(input)) return input;
  const s = str(input).trim();
  const t = typeof type === 'string' ? type.toUpperCase() : undefined;
  const fail = () => new EvalFailure(`"${s}" is not a valid number${t ? ` of type ${t}` : ''}`);
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?[dDfFlL]?$/.test(s)) throw fail();
  const clean = s.replace(/[dDfFlL]$/, '');
  const isInt = /^[+-]?\d+$/.test(clean);
  switch (t) {
    case 'INT':
    case 'LONG':
      if (!isInt) throw fail();
      return Number(clean);
    case 'BIGINTEGER':
      if (!isInt) throw fail();
      return BigInt(clean);
    case 'FLOAT':
      return new JDouble(Number(clean), 'java.lang.Float');
    case 'DOUBLE':
      return new JDouble(Number(clean));
    case 'BIGDECIMAL':
      return new JDouble(Number(clean), 'java.math.BigDecimal', clean.replace(/^\+/, ''));
    case undefined: {
      // commons-lang NumberUtils.createNumber: Integer, Long, BigInteger, then Float for decimals.
      if (isInt) {
        const n = Number(clean);
        return Number.isSafeInteger(n) ? n : BigInt(clean);
      }
      return new JDouble(Number(clean), 'java.lang.Float');
    }
    default:
      throw new EvalFailure(`Unknown number type "${String(type)}"; expected INT, LONG, FLOAT, DOUBLE, BIGDECIMAL or BIGINTEGER`);
  }
}

function hashFilter(f: (s: string) => string): FilterDef {
  return { args: [], fn: (v) => (v === null || v === undefined ? null : f(str(v))) };
}

/** Filters Kestra adds to Pebble. */
export const KESTRA_FILTERS: ReadonlyMap<string, FilterDef> = new Map<string, FilterDef>([
  [
    'chunk',
    {
      args: ['size'],
      fn: (v, a) => {
        if (!Array.isArray(v)) throw new EvalFailure(`chunk expects a list, got ${printValue(v)}`);
        const size = intArg(a.size, 'size');
        if (size <= 0) throw new EvalFailure('chunk size must be positive');
        const out: unknown[][] = [];
        for (let i = 0; i < v.length; i += size) out.push(v.slice(i, i + size));
        return out;
      },
    },
  ],
  ['className', { args: [], fn: (v) => typeName(v) }],
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
  ['jq', { args: ['expression'], fn: (v, a, ev) => jqFilter(v, a.expression, ev) }],
  [
    'escapeChar',
    {
      args: ['type'],
      fn: (v, a) => {
        if (v === null || v === undefined) return null;
        const s = str(v);
        switch (a.type) {
          case 'single':
            return s.replace(/'/g, "\\'");
          case 'double':
            return s.replace(/"/g, '\\"');
          case 'shell':
            return s.replace(/'/g, "'\\''");
          default:
            throw new EvalFailure(`escapeChar type must be 'single', 'double' or 'shell', got ${printValue(a.type)}`);
        }
      },
    },
  ],
  ['toJson', { args: [], fn: (v) => toJson(v ?? null) }],
  ['json', { args: [], fn: (v) => toJson(v ?? null) }],
  ['jsonEncode', { args: [], fn: (v) => toJson(v ?? null) }],
  ['toIon', { args: [], fn: (v) => toIon(v) }],
  [
    'keys',
    {
      args: [],
      fn: (v) => {
        if (v === null || v === undefined) return null;
        if (isMap(v)) return Object.keys(v);
        if (Array.isArray(v)) return v.map((_, i) => i);
        throw new EvalFailure(`keys expects a map, got ${printValue(v)}`);
      },
    },
  ],
  [
    'values',
    {
      args: [],
      fn: (v) => {
        if (v === null || v === undefined) return null;
        if (isMap(v)) return Object.values(v);
        if (Array.isArray(v)) return v;
        throw new EvalFailure(`values expects a map, got ${printValue(v)}`);
      },
    },
  ],
  ['number', { args: ['type'], fn: (v, a) => toNumber(v, a.type) }],
  [
    'urldecode',
    {
      args: [],
      fn: (v) => {
        if (v === null || v === undefined) return null;
        try {
          return decodeURIComponent(str(v).replace(/\+/g, ' '));
        } catch {
          throw new EvalFailure(`urldecode: malformed percent-encoding in "${str(v)}"`);
        }
      },
    },
  ],
  ['slugify', { args: [], fn: (v) => (v === null || v === undefined ? null : slugify(str(v))) }],
  [
    'substringBefore',
    {
      args: ['separator'],
      fn: (v, a) => {
        if (v === null || v === undefined) return null;
        const s = str(v);
        const sep = str(a.separator);
        if (sep.length === 0) return '';
        const i = s.indexOf(sep);
        return i < 0 ? s : s.slice(0, i);
      },
    },
  ],
  [
    'substringBeforeLast',
    {
      args: ['separator'],
      fn: (v, a) => {
        if (v === null || v === undefined) return null;
        const s = str(v);
        const sep = str(a.separator);
        if (sep.length === 0) return s;
        const i = s.lastIndexOf(sep);
        return i < 0 ? s : s.slice(0, i);
      },
    },
  ],
  [
    'substringAfter',
    {
      args: ['separator'],
      fn: (v, a) => {
        if (v === null || v === undefined) return null;
        const s = str(v);
        const sep = str(a.separator);
        if (sep.length === 0) return s;
        const i = s.indexOf(sep);
        return i < 0 ? '' : s.slice(i + sep.length);
      },
    },
  ],
  [
    'substringAfterLast',
    {
      args: ['separator'],
      fn: (v, a) => {
        if (v === null || v === undefined) return null;
        const s = str(v);
        const sep = str(a.separator);
        if (sep.length === 0) return '';
        const i = s.lastIndexOf(sep);
        return i < 0 || i === s.length - sep.length ? '' : s.slice(i + sep.length);
      },
    },
  ],
  [
    'flatten',
    {
      args: [],
      fn: (v) => {
        if (!Array.isArray(v)) throw new EvalFailure(`flatten expects a list, got ${printValue(v)}`);
        return v.flatMap((x) => (Array.isArray(x) ? x : [x]));
      },
    },
  ],
  [
    'distinct',
    {
      args: [],
      fn: (v) => {
        if (!Array.isArray(v)) throw new EvalFailure(`distinct expects a list, got ${printValue(v)}`);
        const out: unknown[] = [];
        for (const x of v) if (!out.some((y) => valueEquals(x, y))) out.push(x);
        return out;
      },
    },
  ],
  ['indent', { args: ['amount', 'prefix'], fn: (v, a) => indent(v, a.amount, a.prefix, false) }],
  ['nindent', { args: ['amount', 'prefix'], fn: (v, a) => indent(v, a.amount, a.prefix, true) }],
  [
    'yaml',
    {
      args: [],
      // Kestra's YamlFilter serializes any value (a string becomes a YAML string scalar).
      fn: (v) => (v === null || v === undefined ? 'null' : YAML.stringify(toPlain(v), { lineWidth: 0, singleQuote: false })),
    },
  ],
  ['startsWith', { args: ['prefix'], fn: (v, a) => (v === null || v === undefined ? false : str(v).startsWith(str(a.prefix))) }],
  ['endsWith', { args: ['suffix'], fn: (v, a) => (v === null || v === undefined ? false : str(v).endsWith(str(a.suffix))) }],
  ['string', { args: [], fn: (v) => (v === null || v === undefined ? null : str(v)) }],
  ['md5', hashFilter(md5Hex)],
  ['sha1', hashFilter(sha1Hex)],
  ['sha512', hashFilter(sha512Hex)],
  [
    'regexMatch',
    {
      args: ['regex'],
      fn: (v, a, ev) => (v === null || v === undefined ? false : regexTest(javaRegex(str(a.regex), false), str(v), timeoutOf(ev))),
    },
  ],
  [
    'regexReplace',
    {
      args: ['regex', 'replacement'],
      fn: (v, a, ev) =>
        v === null || v === undefined
          ? null
          : regexReplace(javaRegex(str(a.regex), true), str(v), javaReplacement(str(a.replacement ?? '')), timeoutOf(ev)),
    },
  ],
  [
    'regexExtract',
    {
      args: ['regex', 'group'],
      fn: (v, a, ev) => {
        if (v === null || v === undefined) return null;
        const m = regexExec(javaRegex(str(a.regex), false), str(v), timeoutOf(ev));
        if (!m) return null;
        const group = a.group === undefined || a.group === null ? 0 : intArg(a.group, 'group');
        if (group < 0 || group >= m.length) throw new EvalFailure(`No group ${group} in regular expression '${str(a.regex)}'`);
        return m[group] ?? null;
      },
    },
  ],
]);

