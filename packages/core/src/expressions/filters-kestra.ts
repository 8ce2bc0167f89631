import YAML from 'yaml';
import { toIon, toNumber } from './data-formats';
import { EvalFailure, type Evaluation, type FilterDef, } from './evaluator';
import { intArg, str } from './filters-core';
import { md5Hex, sha1Hex, sha512Hex } from './hashes';
import { jqFilter } from './jq';
import { DEFAULT_REGEX_TIMEOUT_MS, javaRegex, javaReplacement, regexExec, regexReplace, regexTest } from './regex-runner';
import { isMap, printValue, toJson, toPlain, typeName, valueEquals } from './values';

function timeoutOf(ev: Evaluation): number {
  return ev.options.regexTimeoutMs ?? DEFAULT_REGEX_TIMEOUT_MS;
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

