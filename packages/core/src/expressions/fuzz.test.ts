import { describe, expect, it } from 'vitest';
import { isExpressionError, render, renderSync } from './index';
import { CONTEXT } from './test-support/context';

/** Deterministic PRNG (mulberry32) so a failing input can be reproduced from its seed. */
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

const FRAGMENTS = [
  '{{', '}}', '{%', '%}', '{#', '#}', '{{-', '-}}', '{%-', '-%}', ' ', '\n', 'if', 'elseif', 'else', 'endif', 'for', 'in', 'endfor',
  'set', 'macro', 'endmacro', 'filter', 'endfilter', 'raw', 'endraw', 'block', 'endblock', 'x', 'inputs', 'outputs', 'items',
  'loop', '.', ',', ':', '?', '??', '???', '(', ')', '[', ']', '{', '}', '"', "'", '\\', '|', 'upper', 'length', 'jq', 'date',
  'split', 'replace', 'default', 'range', 'render', 'now', 'is', 'not', 'defined', 'null', 'empty', 'and', 'or', 'contains',
  '==', '!=', '<', '>', '<=', '>=', '+', '-', '*', '/', '%', '~', '..', '=', '0', '1', '42', '2.5', 'true', 'false', 'abc',
  '"s"', "'t'", '\u00e9', '\u{1F600}', '#', '@', '$', '`',
];

function randomTemplate(next: () => number): string {
  const n = 1 + Math.floor(next() * 25);
  let out = '';
  for (let i = 0; i < n; i++) {
    if (next() < 0.1) out += String.fromCharCode(Math.floor(next() * 128));
    else out += FRAGMENTS[Math.floor(next() * FRAGMENTS.length)];
  }
  return out;
}

const LIMITS = { maxIterations: 10_000, maxOutputLength: 100_000, maxDepth: 50, regexTimeoutMs: 500 };

describe('the parser and evaluator on random input', () => {
  it('throw only ExpressionError and never hang', async () => {
    const started = Date.now();
    let rendered = 0;
    let failed = 0;
    for (let seed = 1; seed <= 4000; seed++) {
      const template = randomTemplate(prng(seed));
      const t0 = Date.now();
      try {
        await render(template, CONTEXT, LIMITS);
        rendered++;
      } catch (e) {
        if (!isExpressionError(e)) throw new Error(`seed ${seed}: ${JSON.stringify(template)} threw ${String(e)}`);
        failed++;
      }
      expect(Date.now() - t0, `seed ${seed}: ${JSON.stringify(template)}`).toBeLessThan(2000);
    }
    // The generator must exercise both paths, or the property says little.
    expect(rendered).toBeGreaterThan(100);
    expect(failed).toBeGreaterThan(100);
    expect(Date.now() - started).toBeLessThan(60_000);
  }, 120_000);

  it.each([
    ['deep brackets', `{{ ${'['.repeat(100_000)} }}`],
    ['deep parentheses', `{{ ${'('.repeat(100_000)}1${')'.repeat(100_000)} }}`],
    ['deep maps', `{{ ${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)} }}`],
    ['long attribute chain', `{{ a${'.b'.repeat(100_000)} }}`],
    ['long filter chain', `{{ "x"${' | upper'.repeat(50_000)} }}`],
    ['long operator chain', `{{ 1${' + 1'.repeat(100_000)} }}`],
    ['deep unary chain', `{{ ${'not '.repeat(100_000)}true }}`],
    ['deep if nesting', `${'{% if true %}'.repeat(50_000)}x${'{% endif %}'.repeat(50_000)}`],
    ['deep for nesting', `${'{% for i in [1] %}'.repeat(50_000)}x${'{% endfor %}'.repeat(50_000)}`],
    ['unclosed everything', '{{ {% {# [ ( " \''.repeat(10_000)],
    ['huge string literal', `{{ "${'a'.repeat(1_000_000)}" | length }}`],
  ])('fails cleanly (or renders) on %s', (_name, template) => {
    const t0 = Date.now();
    try {
      renderSync(template, { a: {} }, LIMITS);
    } catch (e) {
      expect(isExpressionError(e), String(e)).toBe(true);
    }
    expect(Date.now() - t0).toBeLessThan(10_000);
  });

  it('stops output explosion through nested loops', async () => {
    const bomb = '{% for a in range(1, 1000) %}{% for b in range(1, 1000) %}{% for c in range(1, 1000) %}xxxxxxxx{% endfor %}{% endfor %}{% endfor %}';
    await expect(render(bomb, CONTEXT, LIMITS)).rejects.toSatisfy(isExpressionError);
  });

  it('stops exponential growth through string concatenation in set', async () => {
    const doubling = `{% set s = "xx" %}${'{% set s = s ~ s %}'.repeat(40)}{{ s | length }}`;
    await expect(render(doubling, CONTEXT, LIMITS)).rejects.toSatisfy(isExpressionError);
  });
});
