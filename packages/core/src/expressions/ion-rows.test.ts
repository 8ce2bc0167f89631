import { describe, expect, it } from 'vitest';
import { ionRows } from './ion-rows';

describe('ionRows', () => {
  it('reads one Ion value per line as plain data', () => {
    const text = '{id:1,name:"a",at:2024-01-02T03:04:05Z}\n{id:2,name:"b",tags:["x"]}\n';
    expect(ionRows(text, 10)).toEqual({
      rows: [
        { id: 1, name: 'a', at: '2024-01-02T03:04:05.000Z' },
        { id: 2, name: 'b', tags: ['x'] },
      ],
      truncated: false,
    });
  });

  it('stops at maxRows and says more rows follow', () => {
    expect(ionRows('1\n2\n3\n', 2)).toEqual({ rows: [1, 2], truncated: true });
    expect(ionRows('1\n2\n\n', 2)).toEqual({ rows: [1, 2], truncated: false });
  });

  it('throws on a line that is not Ion', () => {
    expect(() => ionRows('{a:1}\n{not ion', 5)).toThrow();
  });
});
