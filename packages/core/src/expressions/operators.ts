import type { Pos } from './ast';
import { EvalFailure, UndefinedSignal } from './signals';
import { isDouble, isMap, isNumber, type JDouble, javaString, mkNumber, num, printValue, valueEquals } from './values';

/**
 * Pebble's boolean coercion (TypeUtils.compatibleCast): numbers are true when non-zero, strings
 * when non-empty. Used by `and`, `or`, `not` and the ternary; null is false there.
 */
export function condTruthy(v: unknown): boolean {
  if (v === null || v === undefined || v === false) return false;
  if (v === true) return true;
  if (isNumber(v)) {
    const n = num(v);
    return n !== 0 && !Number.isNaN(n);
  }
  if (typeof v === 'string') return v.length > 0;
  if (Array.isArray(v)) return v.length > 0;
  if (isMap(v)) return Object.keys(v).length > 0;
  return true;
}

/** The `if` tag under strict variables (Pebble IfNode): null and collections are errors. */
export function ifTruthy(v: unknown): boolean {
  if (v === null || v === undefined) throw new EvalFailure('null value given to if statement and strict variables is set to true');
  if (typeof v === 'boolean' || typeof v === 'string' || isNumber(v)) return condTruthy(v);
  throw new EvalFailure(`Unsupported value type ${Array.isArray(v) ? 'List' : 'Map'}. Expected Boolean, String, Number in "if" statement`);
}

export function toIterable(v: unknown): unknown[] {
  if (v === null || v === undefined) return [];
  if (Array.isArray(v)) return v;
  if (isMap(v)) return Object.entries(v).map(([key, value]) => ({ key, value }));
  if (typeof v === 'string') return [...v];
  throw new EvalFailure(`Cannot iterate over ${printValue(v)}: not a list or a map`);
}

export function getAttribute(obj: unknown, key: unknown, pos: Pos): unknown {
  if (Array.isArray(obj)) {
    const idx = isNumber(key) ? num(key) : typeof key === 'string' && /^\d+$/.test(key) ? Number(key) : Number.NaN;
    if (Number.isInteger(idx) && idx >= 0 && idx < obj.length) {
      const v = obj[idx];
      return v === undefined ? null : v;
    }
    throw new UndefinedSignal(printValue(key), pos);
  }
  if (isMap(obj)) {
    const k = typeof key === 'string' ? key : printValue(key);
    if (Object.hasOwn(obj, k)) {
      const v = obj[k];
      return v === undefined ? null : v;
    }
    throw new UndefinedSignal(k, pos);
  }
  throw new UndefinedSignal(typeof key === 'string' ? key : printValue(key), pos);
}

export function compareOp(op: string, a: unknown, b: unknown): boolean {
  if (a === null || a === undefined || b === null || b === undefined) return false;
  let c: number;
  if (isNumber(a) && isNumber(b)) c = num(a) - num(b);
  else if (typeof a === 'string' && typeof b === 'string') c = a < b ? -1 : a > b ? 1 : 0;
  else throw new EvalFailure(`invalid operands for mathematical comparison [${op}]: ${printValue(a)} and ${printValue(b)}`);
  switch (op) {
    case '<':
      return c < 0;
    case '>':
      return c > 0;
    case '<=':
      return c <= 0;
    default:
      return c >= 0;
  }
}

export function arithmetic(op: string, a: unknown, b: unknown): number | JDouble {
  if (!isNumber(a) || !isNumber(b)) {
    throw new EvalFailure(`invalid operands for mathematical operation [${op}]: ${printValue(a)} and ${printValue(b)}`);
  }
  const x = num(a);
  const y = num(b);
  const dbl = isDouble(a) || isDouble(b);
  switch (op) {
    case '+':
      return mkNumber(x + y, dbl);
    case '-':
      return mkNumber(x - y, dbl);
    case '*':
      return mkNumber(x * y, dbl);
    case '/':
      if (!dbl) {
        if (y === 0) throw new EvalFailure('/ by zero');
        return Math.trunc(x / y);
      }
      return mkNumber(x / y, true);
    default:
      if (!dbl && y === 0) throw new EvalFailure('/ by zero');
      return mkNumber(x % y, dbl);
  }
}

export function contains(container: unknown, item: unknown): boolean {
  if (container === null || container === undefined) return false;
  if (Array.isArray(container)) {
    if (Array.isArray(item)) return item.every((i) => container.some((c) => valueEquals(c, i)));
    return container.some((c) => valueEquals(c, item));
  }
  if (isMap(container)) {
    if (Array.isArray(item)) return item.every((i) => Object.hasOwn(container, javaString(i)));
    return Object.hasOwn(container, typeof item === 'string' ? item : javaString(item));
  }
  if (typeof container === 'string') return container.includes(javaString(item));
  return false;
}
