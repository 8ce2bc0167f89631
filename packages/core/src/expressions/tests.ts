import type { TestDef } from './evaluator';
import { isEmpty } from './filters-core';
import { isMap, isNumber, num } from './values';

/** `x is <test>` (the `defined` test is handled by the evaluator: it must see undefined variables). */
export const TESTS: ReadonlyMap<string, TestDef> = new Map<string, TestDef>([
  ['null', { fn: (v) => v === null || v === undefined }],
  ['empty', { fn: (v) => isEmpty(v) }],
  ['even', { fn: (v) => isNumber(v) && Number.isInteger(num(v)) && num(v) % 2 === 0 }],
  ['odd', { fn: (v) => isNumber(v) && Number.isInteger(num(v)) && Math.abs(num(v) % 2) === 1 }],
  ['iterable', { fn: (v) => Array.isArray(v) }],
  ['map', { fn: (v) => isMap(v) }],
  [
    'json',
    {
      fn: (v) => {
        if (typeof v !== 'string') return false;
        try {
          JSON.parse(v);
          return true;
        } catch {
          return false;
        }
      },
    },
  ],
]);
