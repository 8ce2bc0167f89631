import { EvalFailure, type FilterDef } from './evaluator';
import { javaRegex, regexReplace, javaSplit, DEFAULT_REGEX_TIMEOUT_MS } from './regex-runner';
import { sha256Hex } from './hashes';
import { mergeMaps } from './java-hash-order';
import { isMap, isNumber, javaString, JDouble, mkNumber, num, isDouble, printValue, valueEquals, type MapValue } from './values';
import { numberFormat } from './number-format';

/** Text of a filter input: strings as they are, other values printed. */
export function str(v: unknown): string {
  return typeof v === 'string' ? v : printValue(v);
}

function nullSafe(f: (s: string, a: Readonly<Record<string, unknown>>) => unknown): FilterDef['fn'] {
  return (input, a) => (input === null || input === undefined ? null : f(str(input), a));
}

/** Pebble's `empty` test: null, blank string, empty list or map. */
export function isEmpty(v: unknown): boolean {
  if (v === null || v === undefined) return true;
  if (typeof v === 'string') return v.trim().length === 0;
  if (Array.isArray(v)) return v.length === 0;
  if (isMap(v)) return Object.keys(v).length === 0;
  return false;
}

export function intArg(v: unknown, name: string): number {
  if (isNumber(v)) return Math.trunc(num(v));
  if (typeof v === 'string' && /^-?\d+$/.test(v.trim())) return Number(v.trim());
  throw new EvalFailure(`Argument "${name}" must be a number, got ${printValue(v) || 'null'}`);
}

function compareValues(a: unknown, b: unknown): number {
  if (isNumber(a) && isNumber(b)) return num(a) - num(b);
  if (a === null || a === undefined) return b === null || b === undefined ? 0 : -1;
  if (b === null || b === undefined) return 1;
  const x = typeof a === 'string' ? a : printValue(a);
  const y = typeof b === 'string' ? b : printValue(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

function listOf(v: unknown, filter: string): unknown[] {
  if (Array.isArray(v)) return v;
  if (v === null || v === undefined) return [];
  throw new EvalFailure(`The ${filter} filter expects a list, got ${printValue(v)}`);
}

/** Java's String.trim: removes chars <= U+0020 at both ends. */
export function javaTrim(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && s.charCodeAt(a) <= 32) a++;
  while (b > a && s.charCodeAt(b - 1) <= 32) b--;
  return s.slice(a, b);
}

/** URLEncoder.encode(s, UTF-8): spaces as `+`, `*-._` and alphanumerics kept. */
export function urlEncode(s: string): string {
  return encodeURIComponent(s)
    .replace(/%20/g, '+')
    .replace(/[!'()~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function codepoints(s: string): string[] {
  return Array.from(s);
}

/** Filters of Pebble's core extension. */
export const CORE_FILTERS: ReadonlyMap<string, FilterDef> = new Map<string, FilterDef>([
  [
    'abbreviate',
    {
      args: ['length'],
      fn: nullSafe((s, a) => {
        const max = intArg(a.length, 'length');
        if (s.length <= max) return s;
        return `${s.slice(0, Math.max(0, max - 3))}...`;
      }),
    },
  ],
  [
    'abs',
    {
      args: [],
      fn: (v) => {
        if (v === null || v === undefined) return null;
        if (!isNumber(v)) throw new EvalFailure(`abs expects a number, got ${printValue(v)}`);
        return mkNumber(Math.abs(num(v)), isDouble(v));
      },
    },
  ],
  ['capitalize', { args: [], fn: nullSafe((s) => (s.length === 0 ? s : s.charAt(0).toUpperCase() + s.slice(1))) }],
  [
    'title',
    {
      args: [],
      fn: nullSafe((s) => {
        let cap = true;
        let out = '';
        for (const c of s) {
          if (/\s/.test(c)) {
            cap = true;
            out += c;
          } else if (cap) {
            out += c.toUpperCase();
            cap = false;
          } else out += c;
        }
        return out;
      }),
    },
  ],
  ['default', { args: ['default'], fn: (v, a) => (isEmpty(v) ? (a.default ?? null) : v) }],
  [
    'escape',
    {
      args: ['strategy'],
      fn: nullSafe((s) =>
        s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string),
      ),
    },
  ],
  ['raw', { args: [], fn: (v) => v }],
  [
    'first',
    {
      args: [],
      fn: (v) => {
        if (typeof v === 'string') return v.length === 0 ? null : (codepoints(v)[0] ?? null);
        if (Array.isArray(v)) return v.length === 0 ? null : v[0];
        if (isMap(v)) {
          const k = Object.keys(v)[0];
          return k === undefined ? null : v[k];
        }
        return v ?? null;
      },
    },
  ],
  [
    'last',
    {
      args: [],
      fn: (v) => {
        if (typeof v === 'string') return v.length === 0 ? null : (codepoints(v).at(-1) ?? null);
        if (Array.isArray(v)) return v.length === 0 ? null : v[v.length - 1];
        if (isMap(v)) {
          const k = Object.keys(v).at(-1);
          return k === undefined ? null : v[k];
        }
        return v ?? null;
      },
    },
  ],
  [
    'join',
    {
      args: ['separator'],
      fn: (v, a) => {
        if (v === null || v === undefined) return null;
        const sep = a.separator === undefined || a.separator === null ? '' : str(a.separator);
        const items = Array.isArray(v) ? v : isMap(v) ? Object.values(v) : [v];
        return items.map((x) => javaString(x)).join(sep);
      },
    },
  ],
  [
    'length',
    {
      args: [],
      fn: (v) => {
        if (v === null || v === undefined) return 0;
        if (typeof v === 'string') return v.length;
        if (Array.isArray(v)) return v.length;
        if (isMap(v)) return Object.keys(v).length;
        return str(v).length;
      },
    },
  ],
  ['lower', { args: [], fn: nullSafe((s) => s.toLowerCase()) }],
  ['upper', { args: [], fn: nullSafe((s) => s.toUpperCase()) }],
  ['trim', { args: [], fn: nullSafe((s) => javaTrim(s)) }],
  [
    'merge',
    {
      args: ['items'],
      fn: (v, a) => {
        const other = a.items;
        if (isMap(v)) {
          if (!isMap(other)) throw new EvalFailure('merge: a map can only be merged with a map');
          return mergeMaps(v, other);
        }
        if (Array.isArray(v)) {
          if (Array.isArray(other)) return [...v, ...other];
          if (isMap(other)) return [...v, ...Object.entries(other).map(([key, value]) => ({ [key]: value }))];
          return [...v, other];
        }
        throw new EvalFailure(`merge expects a list or a map, got ${printValue(v)}`);
      },
    },
  ],
  ['numberformat', { args: ['format'], fn: (v, a) => (v === null || v === undefined ? null : numberFormat(v, str(a.format))) }],
  [
    'slice',
    {
      args: ['fromIndex', 'toIndex'],
      fn: (v, a) => {
        if (v === null || v === undefined) return null;
        const len = typeof v === 'string' ? v.length : Array.isArray(v) ? v.length : -1;
        if (len < 0) throw new EvalFailure(`slice expects a list or a string, got ${printValue(v)}`);
        const from = a.fromIndex === undefined ? 0 : intArg(a.fromIndex, 'fromIndex');
        const to = a.toIndex === undefined ? len : intArg(a.toIndex, 'toIndex');
        if (from < 0 || to > len || from > to) throw new EvalFailure(`slice: indexes ${from}..${to} out of bounds for length ${len}`);
        return (v as string | unknown[]).slice(from, to);
      },
    },
  ],
  ['sort', { args: [], fn: (v) => [...listOf(v, 'sort')].sort(compareValues) }],
  ['rsort', { args: [], fn: (v) => [...listOf(v, 'rsort')].sort((x, y) => compareValues(y, x)) }],
  [
    'reverse',
    {
      args: [],
      fn: (v) => {
        if (typeof v === 'string') return codepoints(v).reverse().join('');
        return [...listOf(v, 'reverse')].reverse();
      },
    },
  ],
  ['urlencode', { args: [], fn: nullSafe((s) => urlEncode(s)) }],
  [
    'replace',
    {
      args: ['replace_pairs', 'regexp'],
      fn: (v, a, ev) => {
        if (v === null || v === undefined) return null;
        const pairs = a.replace_pairs;
        if (!isMap(pairs)) throw new EvalFailure('replace expects a map of replacements, e.g. replace({"a": "b"})');
        let s = str(v);
        const regexp = a.regexp === true || a.regexp === 'true';
        for (const [from, to] of Object.entries(pairs as MapValue)) {
          const replacement = to === null || to === undefined ? '' : javaString(to);
          if (regexp) s = regexReplace(javaRegex(from, true), s, replacement, ev.options.regexTimeoutMs ?? DEFAULT_REGEX_TIMEOUT_MS);
          else s = s.split(from).join(replacement);
        }
        return s;
      },
    },
  ],
  [
    'split',
    {
      args: ['delimiter', 'limit'],
      fn: (v, a, ev) => {
        if (v === null || v === undefined) return null;
        const limit = a.limit === undefined || a.limit === null ? 0 : intArg(a.limit, 'limit');
        return javaSplit(str(v), str(a.delimiter), limit, ev.options.regexTimeoutMs ?? DEFAULT_REGEX_TIMEOUT_MS);
      },
    },
  ],
  ['base64encode', { args: [], fn: nullSafe((s) => Buffer.from(s, 'utf8').toString('base64')) }],
  [
    'base64decode',
    {
      args: [],
      fn: nullSafe((s) => {
        const compact = s.replace(/[\r\n]/g, '');
        if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.replace(/=+$/, '').length % 4 === 1) throw new EvalFailure('base64decode: input is not valid Base64');
        return Buffer.from(s, 'base64').toString('utf8');
      }),
    },
  ],
  ['sha256', { args: [], fn: nullSafe((s) => sha256Hex(s)) }],
  ['nl2br', { args: [], fn: nullSafe((s) => s.replace(/\r?\n/g, '<br />')) }],
]);

export { JDouble, valueEquals };
