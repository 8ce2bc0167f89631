import { describe, expect, it } from 'vitest';
import { render } from './index';
import { CONTEXT, testFunctions } from './test-support/context';
import {
  type Case,
  CALENDAR_CASES,
  COLLECTION_FILTER_CASES,
  CONDITION_CASES,
  CONTEXT_CASES,
  DATA_CASES,
  DATE_CASES,
  FUNCTION_CASES,
  INTERPOLATION_CASES,
  METHOD_CASES,
  NULL_CASES,
  STRING_FILTER_CASES,
  SYNTAX_CASES,
} from './test-support/doc-cases';

const TABLES: readonly (readonly [string, readonly Case[]])[] = [
  ['syntax, operators and tags', SYNTAX_CASES],
  ['null and undefined handling', NULL_CASES],
  ['conditions', CONDITION_CASES],
  ['execution context variables', CONTEXT_CASES],
  ['number and collection filters', COLLECTION_FILTER_CASES],
  ['string filters', STRING_FILTER_CASES],
  ['JSON, YAML, Ion and jq', DATA_CASES],
  ['date filters and now()', DATE_CASES],
  ['functions', FUNCTION_CASES],
  ['string interpolation', INTERPOLATION_CASES],
  ['calendar and id functions', CALENDAR_CASES],
  ['Java methods on values', METHOD_CASES],
];

describe('Kestra documentation examples render as Kestra prints them', () => {
  it('has at least 300 cases', () => {
    expect(TABLES.reduce((n, [, cases]) => n + cases.length, 0)).toBeGreaterThanOrEqual(300);
  });
  for (const [name, cases] of TABLES) {
    describe(name, () => {
      it.each(cases.map(([template, expected]) => ({ template, expected })))('$template', async ({ template, expected }) => {
        expect(await render(template, CONTEXT, { functions: testFunctions() })).toBe(expected);
      });
    });
  }
});
