import { FLOW_LIMITS, parseFlow, validateMultiDocument } from '@windhover/core';
import { createDescriptorRegistry } from '@windhover/tasks';
import { describe, expect, it } from 'vitest';
import { DOCS_FLOWS, read, yamlFiles } from './flow-fixtures';

const registry = createDescriptorRegistry();
const opts = { registry, fileName: 'bad.yml' };
const only = (input: string | Uint8Array) => {
  const r = parseFlow(input, opts);
  expect(r.ok).toBe(false);
  if (r.ok) throw new Error('expected a rejection');
  return r.violations;
};

/** Deterministic pseudo-random bytes (a linear congruential generator), so failures replay. */
function bytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    out[i] = s >>> 24;
  }
  return out;
}

describe('hostile input', () => {
  it('refuses binary files with a clear message', () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
    expect(only(png)[0].message).toMatch(/not valid UTF-8|binary/);
    expect(only(bytes(4096, 7))[0].message).toMatch(/not valid UTF-8|binary/);
    expect(only('id: a\u0000b\nnamespace: x\n')[0].message).toContain('binary data');
  });

  it('refuses sources over 1 MB before parsing them', () => {
    const huge = `id: big\nnamespace: company.team\ndescription: "${'x'.repeat(FLOW_LIMITS.maxSourceBytes)}"\ntasks: []\n`;
    const started = performance.now();
    const [v] = only(huge);
    expect(v.message).toMatch(/^flow source is \d+ bytes; the limit is 1048576 bytes \(1 MB\)$/);
    expect(v).toMatchObject({ line: 1, column: 1, file: 'bad.yml' });
    expect(performance.now() - started).toBeLessThan(500);
    expect(only(new Uint8Array(FLOW_LIMITS.maxSourceBytes + 1).fill(0x61))[0].message).toContain('the limit is 1048576 bytes');
  });

  it('refuses deeply nested flow collections', () => {
    const deep = `id: a\nnamespace: b\ntasks: []\nvariables:\n  x: ${'['.repeat(5000)}${']'.repeat(5000)}\n`;
    expect(only(deep)[0].message).toMatch(/nested (more than )?\d+ levels deep.*the limit is 64/);
  });

  it('refuses deeply nested compact sequences quickly', () => {
    const started = performance.now();
    expect(only(`id: a\nnamespace: b\ntasks: []\nvariables:\n  x:\n    ${'- '.repeat(100_000)}x\n`)[0].message).toMatch(/nested more than 64 levels deep/);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('refuses deeply nested block mappings', () => {
    let yaml = 'id: a\nnamespace: b\ntasks: []\nvariables:\n';
    for (let i = 1; i <= 200; i++) yaml += `${' '.repeat(i * 2)}k${i}:\n`;
    yaml += `${' '.repeat(402)}leaf: 1\n`;
    expect(only(yaml)[0].message).toMatch(/nested (more than )?\d+ levels deep/);
  });

  it('refuses deeply nested task trees without overflowing the stack', () => {
    let tasks = '{id: leaf, type: io.kestra.plugin.core.log.Log, message: hi}';
    for (let i = 0; i < 2000; i++) tasks = `{id: s${i}, type: io.kestra.plugin.core.flow.Sequential, tasks: [${tasks}]}`;
    const violations = only(`id: a\nnamespace: b\ntasks: [${tasks}]\n`);
    expect(violations[0].message).toMatch(/nested (more than )?\d+ levels deep/);
  });

  it('refuses more than 1,000 documents before parsing them', () => {
    const started = performance.now();
    const results = validateMultiDocument('a: 1\n---\n'.repeat(100_000), opts);
    expect(results).toHaveLength(1);
    expect(results[0].violations[0].message).toBe('source has 100001 YAML documents; the limit is 1000');
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('finds duplicate keys without quadratic time', () => {
    const keys = Array.from({ length: 20_000 }, (_, i) => `  k${i}: ${i}`).join('\n');
    const [v] = only(`id: a\nnamespace: b\ntasks: []\nvariables:\n${keys}\n  k7: again\n`);
    expect(v).toMatchObject({ message: 'YAML syntax error: duplicate key `k7` (keys of a mapping must be unique)', line: 20_005, column: 3 });
  });

  it('refuses a billion-laughs alias bomb', () => {
    const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (const [prev, name] of [['a', 'b'], ['b', 'c'], ['c', 'd'], ['d', 'e'], ['e', 'f'], ['f', 'g'], ['g', 'h'], ['h', 'i']]) {
      lines.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(',')}]`);
    }
    const bomb = `id: lol\nnamespace: company.team\nvariables:\n${lines.map((l) => `  ${l}`).join('\n')}\ntasks: []\n`;
    const started = performance.now();
    const [v] = only(bomb);
    expect(v.message).toContain('billion laughs');
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('accepts a few ordinary aliases', () => {
    const src = `id: alias\nnamespace: company.team\nvariables:\n  greeting: &greeting hi\n  level: &level WARN\ntasks:\n  - id: a\n    type: io.kestra.plugin.core.log.Log\n    message: *greeting\n    level: *level\n`;
    const r = parseFlow(src, opts);
    expect(r.ok && r.flow.tasks[0]).toEqual({ id: 'a', type: 'io.kestra.plugin.core.log.Log', message: 'hi', level: 'WARN' });
  });

  it('never throws on random mutations of real flows', () => {
    const sources = yamlFiles(DOCS_FLOWS).slice(0, 40).map((f) => read(DOCS_FLOWS, f));
    let seed = 42;
    const next = () => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed;
    };
    const junk = [':', '-', '[', '{', '}', ']', '&a', '*a', '!!binary', '\t', '"', "'", '---', '\n  ', '{{', '%', '|', '>', '#', 'null', '~'];
    let rejected = 0;
    for (let round = 0; round < 400; round++) {
      const src = sources[next() % sources.length];
      const chars = [...src];
      for (let k = 0; k < 1 + (next() % 4); k++) chars.splice(next() % chars.length, next() % 3, junk[next() % junk.length]);
      const results = validateMultiDocument(chars.join(''), opts);
      expect(results.length).toBeGreaterThan(0);
      for (const r of results) for (const v of r.violations) expect(typeof v.message).toBe('string');
      if (results.some((r) => r.violations.length > 0)) rejected++;
    }
    expect(rejected).toBeGreaterThan(100);
  });
});
