import { describe, expect, it } from 'vitest';
import { mergeOutputs, parseProtocolLine } from './output-protocol';

describe('parseProtocolLine', () => {
  it('reads outputs from a ::{...}:: line', () => {
    expect(parseProtocolLine('::{"outputs":{"a":1,"b":{"c":"x"}}}::')).toEqual({ outputs: { a: 1, b: { c: 'x' } } });
  });

  it('reads metrics and drops malformed ones', () => {
    const m = parseProtocolLine('::{"metrics":[{"name":"rows","type":"counter","value":3,"tags":{"t":1}},{"name":"bad"}]}::');
    expect(m?.metrics).toEqual([{ name: 'rows', type: 'counter', value: 3, tags: { t: '1' } }]);
  });

  it('reads log entries with their levels', () => {
    expect(parseProtocolLine('::{"logs":[{"level":"warn","message":"careful"}]}::')?.logs).toEqual([{ level: 'WARN', message: 'careful' }]);
  });

  it('treats ordinary and broken lines as plain output', () => {
    expect(parseProtocolLine('hello')).toBeUndefined();
    expect(parseProtocolLine('::{not json}::')).toBeUndefined();
    expect(parseProtocolLine('::[1,2]::')).toBeUndefined();
  });
});

describe('mergeOutputs', () => {
  it('merges nested maps and overwrites scalars', () => {
    expect(mergeOutputs({ a: { x: 1 }, b: 1 }, { a: { y: 2 }, b: 2 })).toEqual({ a: { x: 1, y: 2 }, b: 2 });
  });
});
