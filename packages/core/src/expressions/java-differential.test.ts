import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { urlEncode } from './filters-core';
import { formatNamed, formatPattern } from './java-date-format';
import { parseDate } from './java-date-parse';
import { numberFormat } from './number-format';
import { javaSplit } from './regex-runner';
import { javaDouble } from './values';
import { toZonedDate, UTC, withZone, zoneOf } from './zoned-date';

/**
 * Outputs of the JDK 17 classes that Kestra's Pebble relies on (Double.toString, DateTimeFormatter
 * patterns and constants, DecimalFormat, String.split, URLEncoder), generated once with a small Java
 * program, one tab-separated row per case.
 */
const rows = readFileSync(join(import.meta.dirname, 'test-support/java-fixtures.tsv'), 'utf8')
  .trimEnd()
  .split('\n')
  .map((line) => line.split('\t').map((f) => f.replace(/\\(.)/g, (_m, c: string) => (c === 't' ? '\t' : c === 'n' ? '\n' : c))));

function kind(name: string): string[][] {
  return rows.filter((r) => r[0] === name).map((r) => r.slice(1));
}

/** Java features this engine does not reproduce (scientific DecimalFormat patterns). */
const UNSUPPORTED_DECIMAL = new Set(['0.###E0']);

describe('agreement with the JDK', () => {
  it('prints doubles like Double.toString', () => {
    const cases = kind('double');
    expect(cases.length).toBeGreaterThan(20);
    for (const [input, expected] of cases) expect(javaDouble(Number(input)), input).toBe(expected);
  });

  it('formats DateTimeFormatter patterns like Java (English)', () => {
    const cases = kind('date');
    expect(cases.length).toBeGreaterThan(800);
    for (const [pattern, instant, zone, expected] of cases) {
      const d = withZone(toZonedDate(instant as string, UTC), zoneOf(zone as string));
      expect(formatPattern(d, pattern as string), `${pattern} ${instant} ${zone}`).toBe(expected);
    }
  });

  it('formats the ISO_* and RFC_1123 constants like Java', () => {
    const cases = kind('named');
    expect(cases.length).toBeGreaterThan(500);
    for (const [name, instant, zone, expected] of cases) {
      const d = withZone(toZonedDate(instant as string, UTC), zoneOf(zone as string));
      expect(formatNamed(d, name as string), `${name} ${instant} ${zone}`).toBe(expected);
    }
  });

  it('formats numbers like DecimalFormat (HALF_EVEN)', () => {
    const cases = kind('decimal').filter(([p]) => !UNSUPPORTED_DECIMAL.has(p as string));
    expect(cases.length).toBeGreaterThan(100);
    for (const [pattern, input, expected] of cases) expect(numberFormat(Number(input), pattern as string), `${pattern} ${input}`).toBe(expected);
  });

  it('splits like String.split(regex, limit)', () => {
    const cases = kind('split');
    expect(cases.length).toBeGreaterThan(50);
    for (const [text, regex, limit, joined, count] of cases) {
      const parts = javaSplit(text as string, regex as string, Number(limit), 1000);
      expect(parts.length, `${JSON.stringify(text)}.split(${JSON.stringify(regex)}, ${limit})`).toBe(Number(count));
      if (Number(count) > 0) expect(parts.join('\u0001')).toBe(joined);
    }
  });

  it('URL-encodes like URLEncoder.encode(s, UTF-8)', () => {
    for (const [input, expected] of kind('urlencode')) expect(urlEncode(input as string), input).toBe(expected);
  });

  it('parses like DateTimeFormatter.parse (missing time: midnight; missing zone: UTC)', () => {
    const parse = readFileSync(join(import.meta.dirname, 'test-support/java-parse-fixtures.tsv'), 'utf8').trimEnd().split('\n');
    expect(parse.length).toBeGreaterThan(10);
    for (const row of parse) {
      const [pattern, text, sec, nano] = row.split('\t') as [string, string, string, string];
      const d = parseDate(text, pattern, UTC);
      expect({ sec: d.sec, nano: d.nano }, `${text} with ${pattern}`).toEqual({ sec: Number(sec), nano: Number(nano) });
    }
  });
});
