import { intArg } from './filters-core';
import { javaRegex, javaReplacement, javaSplit, regexReplace, regexTest } from './regex-runner';
import { EvalFailure } from './signals';
import { isMap, isNumber, javaString, type MapValue, num, printValue, valueEquals } from './values';

interface Method {
  readonly min: number;
  readonly max: number;
  readonly fn: (self: never, args: readonly unknown[], timeoutMs: number) => unknown;
}

function method<T>(min: number, max: number, fn: (self: T, args: readonly unknown[], timeoutMs: number) => unknown): Method {
  return { min, max, fn: fn as Method['fn'] };
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
  get: method(1, 1, (m: MapValue, a) => Object.hasOwn(m, s(a[0])) ? (m[s(a[0])] ?? null) : null),
  getOrDefault: method(2, 2, (m: MapValue, a) => Object.hasOwn(m, s(a[0])) ? (m[s(a[0])] ?? null) : a[1]),
  containsKey: method(1, 1, (m: MapValue, a) => Object.hasOwn(m, s(a[0]))),
  containsValue: method(1, 1, (m: MapValue, a) => Object.values(m).some((v) => valueEquals(v, a[0]))),
  keySet: method(0, 0, (m: MapValue, _a) => Object.keys(m)),
  values: method(0, 0, (m: MapValue, _a) => Object.values(m)),
  entrySet: method(0, 0, (m: MapValue, _a) => Object.entries(m).map(([key, value]) => ({ key, value }))),
  size: method(0, 0, (m: MapValue, _a) => Object.keys(m).length),
  isEmpty: method(0, 0, (m: MapValue, _a) => Object.keys(m).length === 0),
};

/** java.util.List methods. */
const LIST_METHODS: Readonly<Record<string, Method>> = {
  get: method(1, 1, (l: unknown[], a) => l[index(l, a[0])] ?? null),
  size: method(0, 0, (l: unknown[], _a) => l.length),
  isEmpty: method(0, 0, (l: unknown[], _a) => l.length === 0),
  contains: method(1, 1, (l: unknown[], a) => l.some((v) => valueEquals(v, a[0]))),
  indexOf: method(1, 1, (l: unknown[], a) => l.findIndex((v) => valueEquals(v, a[0]))),
  subList: method(2, 2, (l: unknown[], a) => {
    const from = intArg(a[0], 'fromIndex');
    const to = intArg(a[1], 'toIndex');
    if (from < 0 || to > l.length || from > to) throw new EvalFailure(`subList(${from}, ${to}) out of bounds for length ${l.length}`);
    return l.slice(from, to);
  }),
};

/** java.lang.String methods. */
const STRING_METHODS: Readonly<Record<string, Method>> = {
  length: method(0, 0, (v: string, _a) => v.length),
  isEmpty: method(0, 0, (v: string, _a) => v.length === 0),
  isBlank: method(0, 0, (v: string, _a) => v.trim().length === 0),
  toUpperCase: method(0, 0, (v: string, _a) => v.toUpperCase()),
  toLowerCase: method(0, 0, (v: string, _a) => v.toLowerCase()),
  trim: method(0, 0, (v: string, _a) => v.trim()),
  strip: method(0, 0, (v: string, _a) => v.trim()),
  startsWith: method(1, 1, (v: string, a) => v.startsWith(s(a[0]))),
  endsWith: method(1, 1, (v: string, a) => v.endsWith(s(a[0]))),
  contains: method(1, 1, (v: string, a) => v.includes(s(a[0]))),
  indexOf: method(1, 1, (v: string, a) => v.indexOf(s(a[0]))),
  lastIndexOf: method(1, 1, (v: string, a) => v.lastIndexOf(s(a[0]))),
  charAt: method(1, 1, (v: string, a) => v.charAt(index([...v], a[0]))),
  concat: method(1, 1, (v: string, a) => v + s(a[0])),
  equals: method(1, 1, (v: string, a) => v === a[0]),
  equalsIgnoreCase: method(1, 1, (v: string, a) => typeof a[0] === 'string' && v.toLowerCase() === a[0].toLowerCase()),
  substring: method(1, 2, (v: string, a) => {
    const from = intArg(a[0], 'beginIndex');
    const to = a.length > 1 ? intArg(a[1], 'endIndex') : v.length;
    if (from < 0 || to > v.length || from > to) throw new EvalFailure(`begin ${from}, end ${to}, length ${v.length}`);
    return v.slice(from, to);
  }),
  replace: method(2, 2, (v: string, a) => v.split(s(a[0])).join(s(a[1]))),
  replaceAll: method(2, 2, (v: string, a, t) => regexReplace(javaRegex(s(a[0]), true), v, javaReplacement(s(a[1])), t)),
  matches: method(1, 1, (v: string, a, t) => regexTest(javaRegex(`^(?:${s(a[0])})$`, false), v, t)),
  split: method(1, 2, (v: string, a, t) => javaSplit(v, s(a[0]), a.length > 1 ? intArg(a[1], 'limit') : 0, t)),
};

const NUMBER_METHODS: Readonly<Record<string, Method>> = {
  intValue: method(0, 0, (v: unknown, _a) => Math.trunc(num(v))),
  longValue: method(0, 0, (v: unknown, _a) => Math.trunc(num(v))),
  doubleValue: method(0, 0, (v: unknown, _a) => num(v)),
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
  if (args.length < method.min || args.length > method.max) {
    const expected = method.min === method.max ? method.min : `${method.min} to ${method.max}`;
    throw new EvalFailure(`Method ${name}() takes ${expected} argument(s), got ${args.length}`);
  }
  return (method.fn as (self: unknown, args: readonly unknown[], timeoutMs: number) => unknown)(self, args, timeoutMs);
}
