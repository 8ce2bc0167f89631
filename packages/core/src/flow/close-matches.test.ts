import { describe, expect, it } from 'vitest';
import { closeMatches, levenshtein } from './close-matches';

describe('closeMatches', () => {
  it('computes the edit distance', () => {
    expect(levenshtein('kitten', 'sitting')).toBe(3);
    expect(levenshtein('', 'abc')).toBe(3);
    expect(levenshtein('same', 'same')).toBe(0);
  });

  it('suggests typos, shortened names and the same simple name in another package', () => {
    const types = ['io.kestra.plugin.core.log.Log', 'io.kestra.plugin.core.log.Fetch', 'io.kestra.plugin.core.flow.Dag', 'io.kestra.plugin.scripts.python.Script'];
    expect(closeMatches('io.kestra.plugin.core.log.Logg', types)).toEqual(['io.kestra.plugin.core.log.Log']);
    expect(closeMatches('io.kestra.plugin.python.Script', types)).toEqual(['io.kestra.plugin.scripts.python.Script']);
    expect(closeMatches('gitDir', ['gitDirectory', 'branch', 'url'])).toEqual(['gitDirectory']);
    expect(closeMatches('trigger', ['triggers', 'tasks', 'inputs'])).toEqual(['triggers']);
    expect(closeMatches('zzz', ['triggers', 'tasks'])).toEqual([]);
  });
});
