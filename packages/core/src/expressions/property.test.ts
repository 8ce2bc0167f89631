import { describe, expect, it } from 'vitest';
import { isExpressionError, render, renderSync, renderTyped } from './index';
import { printValue } from './values';

/** Deterministic PRNG (mulberry32). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CONTEXT = { n: 7, s: 'Kestra', list: [3, 1, 2], map: { a: 1, b: 'x' }, nil: null, flag: true };

/** Random well-formed expressions over the context above (pure: no I/O functions). */
function expression(next: () => number, depth: number): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)] as T;
  if (depth <= 0 || next() < 0.3) {
    return pick(['n', 's', 'list', 'map', 'nil', 'flag', 'map.a', 'list[0]', '42', '2.5', '"text"', "'q'", 'true', 'null', '[1, 2]', '{"k": 1}', 'missing']);
  }
  const a = expression(next, depth - 1);
  const b = expression(next, depth - 1);
  switch (Math.floor(next() * 9)) {
    case 0:
      return `(${a} ${pick(['+', '-', '*', '/', '%', '~', '==', '!=', '<', '>', 'and', 'or', 'contains', '??', '???'])} ${b})`;
    case 1:
      return `(${a} | ${pick(['upper', 'lower', 'length', 'first', 'last', 'reverse', 'toJson', 'default(1)', 'abs', 'sort', 'join(",")', 'keys', 'string', 'trim', 'slugify', 'md5'])})`;
    case 2:
      return `(${a} is ${pick(['defined', 'null', 'empty', 'even', 'odd', 'map', 'iterable', 'not defined', 'not null'])})`;
    case 3:
      return `(${a} ? ${b} : ${expression(next, depth - 1)})`;
    case 4:
      return `(not ${a})`;
    case 5:
      return `[${a}, ${b}]`;
    case 6:
      return `{"x": ${a}}`;
    case 7:
      return `${pick(['max', 'min'])}(${a}, ${b})`;
    default:
      return `(-${a})`;
  }
}

describe('renders of random well-formed expressions', () => {
  it('give the same result synchronously and asynchronously, and only ever fail with ExpressionError', async () => {
    let ok = 0;
    for (let seed = 1; seed <= 3000; seed++) {
      const template = `{{ ${expression(prng(seed), 4)} }}`;
      let syncResult: string | Error;
      try {
        syncResult = renderSync(template, CONTEXT);
      } catch (e) {
        syncResult = e as Error;
      }
      let asyncResult: string | Error;
      try {
        asyncResult = await render(template, CONTEXT);
      } catch (e) {
        asyncResult = e as Error;
      }
      if (typeof syncResult === 'string') {
        expect(asyncResult, template).toBe(syncResult);
        ok++;
      } else {
        expect(isExpressionError(syncResult), `${template}: ${String(syncResult)}`).toBe(true);
        expect(isExpressionError(asyncResult), template).toBe(true);
        expect((asyncResult as Error).message).toBe(syncResult.message);
      }
    }
    expect(ok).toBeGreaterThan(500);
  }, 60_000);

  it('print the typed value the same way as the string render, for values without doubles', async () => {
    let compared = 0;
    for (let seed = 1; seed <= 1500; seed++) {
      const template = `{{ ${expression(prng(seed), 3)} }}`;
      let text: string;
      try {
        text = await render(template, CONTEXT);
      } catch {
        continue;
      }
      if (/\d\.\d/.test(text)) continue; // Java doubles print `5.0`, typed values are plain numbers
      const typed = await renderTyped(template, CONTEXT);
      expect(printValue(typed), template).toBe(text);
      compared++;
    }
    expect(compared).toBeGreaterThan(300);
  }, 60_000);
});
