import { describe, expect, it } from 'vitest';
import { assertValidKvKey } from './kv-key';
import { coerceKvValue, inferKvType, parseKvRequestBody } from './kv-value';
import { assertValidNamespace, namespaceLineage } from './namespace-name';

const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
    return undefined;
  } catch (e) {
    return (e as { code?: string }).code;
  }
};

describe('coerceKvValue', () => {
  it('converts rendered values to each kvType', () => {
    expect(coerceKvValue('STRING', 12)).toEqual({ type: 'STRING', value: '12' });
    expect(coerceKvValue('STRING', { a: 1 })).toEqual({ type: 'STRING', value: '{"a":1}' });
    expect(coerceKvValue('NUMBER', ' 3.5 ')).toEqual({ type: 'NUMBER', value: 3.5 });
    expect(coerceKvValue('NUMBER', 7)).toEqual({ type: 'NUMBER', value: 7 });
    expect(coerceKvValue('BOOLEAN', 'TRUE')).toEqual({ type: 'BOOLEAN', value: true });
    expect(coerceKvValue('BOOLEAN', false)).toEqual({ type: 'BOOLEAN', value: false });
    expect(coerceKvValue('DATETIME', '2026-01-02T03:04:05+02:00')).toEqual({ type: 'DATETIME', value: '2026-01-02T01:04:05.000Z' });
    expect(coerceKvValue('DATE', '2024-02-29')).toEqual({ type: 'DATE', value: '2024-02-29' });
    expect(coerceKvValue('DATE', '2024-02-29T10:00:00Z')).toEqual({ type: 'DATE', value: '2024-02-29' });
    expect(coerceKvValue('DURATION', 'P1DT30M')).toEqual({ type: 'DURATION', value: 'PT24H30M' });
    expect(coerceKvValue('JSON', '{"a":[1,2]}')).toEqual({ type: 'JSON', value: { a: [1, 2] } });
    expect(coerceKvValue('JSON', [1])).toEqual({ type: 'JSON', value: [1] });
  });

  it('keeps the kind of the value without a kvType (a JSON string stays a STRING)', () => {
    expect(coerceKvValue(undefined, '{"a":1}')).toEqual({ type: 'STRING', value: '{"a":1}' });
    expect(coerceKvValue(undefined, 5)).toEqual({ type: 'NUMBER', value: 5 });
    expect(coerceKvValue(undefined, { a: 1 })).toEqual({ type: 'JSON', value: { a: 1 } });
    expect(inferKvType(true)).toBe('BOOLEAN');
  });

  it.each([
    ['NUMBER', 'abc'],
    ['NUMBER', ''],
    ['BOOLEAN', 'yes'],
    ['DATETIME', '2026-01-02'],
    ['DATETIME', 'tomorrow'],
    ['DATE', '2023-02-29'],
    ['DURATION', 'P1M'],
    ['JSON', '{broken'],
  ] as const)('rejects %s value %j with a 400', (type, value) => {
    expect(codeOf(() => coerceKvValue(type, value))).toBe('BAD_REQUEST');
  });

  it('rejects an unknown type and a missing value', () => {
    expect(codeOf(() => coerceKvValue('BLOB' as never, 'x'))).toBe('BAD_REQUEST');
    expect(codeOf(() => coerceKvValue('STRING', undefined))).toBe('BAD_REQUEST');
  });
});

describe('parseKvRequestBody', () => {
  it('types a JSON literal body by its kind', () => {
    expect(parseKvRequestBody('"Hello World"', 'application/json')).toEqual({ type: 'STRING', value: 'Hello World' });
    expect(parseKvRequestBody('42', 'application/json')).toEqual({ type: 'NUMBER', value: 42 });
    expect(parseKvRequestBody('true', undefined)).toEqual({ type: 'BOOLEAN', value: true });
    expect(parseKvRequestBody('{"a":1}', 'application/json')).toEqual({ type: 'JSON', value: { a: 1 } });
  });

  it('reads unquoted timestamps as DATETIME/DATE and text/plain as a STRING', () => {
    expect(parseKvRequestBody('2026-01-01T10:00:00Z', 'application/json')).toEqual({ type: 'DATETIME', value: '2026-01-01T10:00:00.000Z' });
    expect(parseKvRequestBody('2026-01-01', 'application/json')).toEqual({ type: 'DATE', value: '2026-01-01' });
    expect(parseKvRequestBody('not json {', 'text/plain; charset=utf-8')).toEqual({ type: 'STRING', value: 'not json {' });
  });

  it('rejects a body that is not a JSON value', () => {
    expect(codeOf(() => parseKvRequestBody('not json {', 'application/json'))).toBe('BAD_REQUEST');
    expect(codeOf(() => parseKvRequestBody('  ', 'application/json'))).toBe('BAD_REQUEST');
    expect(codeOf(() => parseKvRequestBody('null', 'application/json'))).toBe('BAD_REQUEST');
  });
});

describe('KV keys and namespaces', () => {
  it('accepts Kestra keys and rejects anything else', () => {
    for (const ok of ['my_key', 'A1', 'a.b-c_d', '9lives']) expect(assertValidKvKey(ok)).toBe(ok);
    for (const bad of ['', '.hidden', '-x', 'a b', 'a/b', '../x', 'é', 'a\u0000', 'k'.repeat(256)]) {
      expect(codeOf(() => assertValidKvKey(bad))).toBe('BAD_REQUEST');
    }
  });

  it('accepts namespaces and rejects empty segments or separators', () => {
    for (const ok of ['company', 'company.team', 'a_b-c.d9']) expect(assertValidNamespace(ok)).toBe(ok);
    for (const bad of ['', 'a..b', 'a.', '.a', 'a/b', 'a b', '../x', 'x'.repeat(151)]) {
      expect(codeOf(() => assertValidNamespace(bad))).toBe('BAD_REQUEST');
    }
    expect(namespaceLineage('a.b.c')).toEqual(['a.b.c', 'a.b', 'a']);
  });
});
