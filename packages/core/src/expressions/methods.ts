import { intArg } from './filters-core';
import { javaRegex, javaReplacement, javaSplit, regexReplace, regexTest } from './regex-runner';
import { EvalFailure } from './signals';
import { isMap, isNumber, javaString, type MapValue, num, printValue, valueEquals } from './values';

type Method = (self: never, args: readonly unknown[], timeoutMs: number) => unknown;

function arity(name: string, args: readonly unknown[], min: number, max = min): void {
  if (args.length < min || args.length > max) {
    throw new EvalFailure(`Method ${name}() takes ${min === max ? min : `${min} to ${max}`} argument(s), got ${args.length}`);
  }
}

function s(v: unknown): string {
  return typeof v === 'string' ? v : javaString(v);
}

function index(list: readonly unknown[], i: unknown): number {
  const n = intArg(i, 'index');
  if (n < 0 || n >= list.length) throw new EvalFailure(`Index ${n} out of bounds for length ${list.length}`);
  return n;
}

/** java.util.Map methods. `get` returns null for a missing key, as in Java. */
const MAP_METHODS: Readonly<Record<string, Method>> = {
  get: (m: MapValue, a) => (arity('get', a, 1), Object.hasOwn(m, s(a[0])) ? (m[s(a[0])] ?? null) : null),
  getOrDefault: (m: MapValue, a) => (arity('getOrDefault', a, 2), Object.hasOwn(m, s(a[0])) ? (m[s(a[0])] ?? null) : a[1]),
  containsKey: (m: MapValue, a) => (arity('containsKey', a, 1), Object.hasOwn(m, s(a[0]))),
  containsValue: (m: MapValue, a) => (arity('containsValue', a, 1), Object.values(m).some((v) => valueEquals(v, a[0]))),
  keySet: (m: MapValue, a) => (arity('keySet', a, 0), Object.keys(m)),
  values: (m: MapValue, a) => (arity('values', a, 0), Object.values(m)),
  entrySet: (m: MapValue, a) => (arity('entrySet', a, 0), Object.entries(m).map(([key, value]) => ({ key, value }))),
  size: (m: MapValue, a) => (arity('size', a, 0), Object.keys(m).length),
  isEmpty: (m: MapValue, a) => (arity('isEmpty', a, 0), Object.keys(m).length === 0),
};

/** java.util.List methods. */
const LIST_METHODS: Readonly<Record<string, Method>> = {
  get: (l: unknown[], a) => (arity('get', a, 1), l[index(l, a[0])] ?? null),
  size: (l: unknown[], a) => (arity('size', a, 0), l.length),
  isEmpty: (l: unknown[], a) => (arity('isEmpty', a, 0), l.length === 0),
  contains: (l: unknown[], a) => (arity('contains', a, 1), l.some((v) => valueEquals(v, a[0]))),
  indexOf: (l: unknown[], a) => (arity('indexOf', a, 1), l.findIndex((v) => valueEquals(v, a[0]))),
  subList: (l: unknown[], a) => {
    arity('subList', a, 2);
    const from = intArg(a[0], 'fromIndex');
    const to = intArg(a[1], 'toIndex');
    if (from < 0 || to > l.length || from > to) throw new EvalFailure(`subList(${from}, ${to}) out of bounds for length ${l.length}`);
    return l.slice(from, to);
  },
};

/** java.lang.String methods. */
const STRING_METHODS: Readonly<Record<string, Method>> = {
  length: (v: string, a) => (arity('length', a, 0), v.length),
  isEmpty: (v: string, a) => (arity('isEmpty', a, 0), v.length === 0),
  isBlank: (v: string, a) => (arity('isBlank', a, 0), v.trim().length === 0),
  toUpperCase: (v: string, a) => (arity('toUpperCase', a, 0), v.toUpperCase()),
  toLowerCase: (v: string, a) => (arity('toLowerCase', a, 0), v.toLowerCase()),
  trim: (v: string, a) => (arity('trim', a, 0), v.trim()),
  strip: (v: string, a) => (arity('strip', a, 0), v.trim()),
  startsWith: (v: string, a) => (arity('startsWith', a, 1), v.startsWith(s(a[0]))),
  endsWith: (v: string, a) => (arity('endsWith', a, 1), v.endsWith(s(a[0]))),
  contains: (v: string, a) => (arity('contains', a, 1), v.includes(s(a[0]))),
  indexOf: (v: string, a) => (arity('indexOf', a, 1), v.indexOf(s(a[0]))),
  lastIndexOf: (v: string, a) => (arity('lastIndexOf', a, 1), v.lastIndexOf(s(a[0]))),
  charAt: (v: string, a) => (arity('charAt', a, 1), v.charAt(index([...v], a[0]))),
  concat: (v: string, a) => (arity('concat', a, 1), v + s(a[0])),
  equals: (v: string, a) => (arity('equals', a, 1), v === a[0]),
  equalsIgnoreCase: (v: string, a) => (arity('equalsIgnoreCase', a, 1), typeof a[0] === 'string' && v.toLowerCase() === a[0].toLowerCase()),
  substring: (v: string, a) => {
    arity('substring', a, 1, 2);
    const from = intArg(a[0], 'beginIndex');
    const to = a.length > 1 ? intArg(a[1], 'endIndex') : v.length;
    if (from < 0 || to > v.length || from > to) throw new EvalFailure(`begin ${from}, end ${to}, length ${v.length}`);
    return v.slice(from, to);
  },
  replace: (v: string, a) => (arity('replace', a, 2), v.split(s(a[0])).join(s(a[1]))),
  replaceAll: (v: string, a, t) => (arity('replaceAll', a, 2), regexReplace(javaRegex(s(a[0]), true), v, javaReplacement(s(a[1])), t)),
  matches: (v: string, a, t) => (arity('matches', a, 1), regexTest(javaRegex(`^(?:${s(a[0])})$`, false), v, t)),
  split: (v: string, a, t) => (arity('split', a, 1, 2), javaSplit(v, s(a[0]), a.length > 1 ? intArg(a[1], 'limit') : 0, t)),
};

const NUMBER_METHODS: Readonly<Record<string, Method>> = {
  intValue: (v: unknown, a) => (arity('intValue', a, 0), Math.trunc(num(v))),
  longValue: (v: unknown, a) => (arity('longValue', a, 0), Math.trunc(num(v))),
  doubleValue: (v: unknown, a) => (arity('doubleValue', a, 0), num(v)),
};

/**
 * Calls one of the Java methods Pebble exposes on values (`map.get(k)`, `list.size()`,
 * `text.split(',')`, ...). Only this allow-list is callable: no reflection, no arbitrary code.
 */
export function callMethod(self: unknown, name: string, args: readonly unknown[], timeoutMs: number): unknown {
  if (name === 'toString' && args.length === 0) return self === null || self === undefined ? 'null' : javaString(self);
  const table = isMap(self) ? MAP_METHODS : Array.isArray(self) ? LIST_METHODS : typeof self === 'string' ? STRING_METHODS : isNumber(self) ? NUMBER_METHODS : undefined;
  const method = table && Object.hasOwn(table, name) ? table[name] : undefined;
  if (!method) throw new EvalFailure(`Method [${name}] is not available on ${self === null || self === undefined ? 'null' : printValue(self).slice(0, 50) || typeof self}`);
  return (method as (self: unknown, args: readonly unknown[], timeoutMs: number) => unknown)(self, args, timeoutMs);
}
