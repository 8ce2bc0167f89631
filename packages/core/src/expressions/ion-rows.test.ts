import { loadAll } from 'ion-js';
import { describe, expect, it } from 'vitest';
import { ionRows, toIonRows } from './ion-rows';

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

describe('toIonRows', () => {
  it('writes one struct per line that an Ion reader loads back, omitting null fields', () => {
    const bytes = toIonRows([
      { gitPath: 'flows/a.yml', syncState: 'ADDED', flowId: 'a', namespace: 'ns', revision: 1 },
      { gitPath: null, syncState: 'DELETED', flowId: 'b', namespace: 'ns', revision: 3 },
    ]);
    const text = new TextDecoder().decode(bytes);
    expect(text.split('\n').filter(Boolean)).toHaveLength(2);
    expect(JSON.parse(JSON.stringify(loadAll(text)))).toEqual([
      { gitPath: 'flows/a.yml', syncState: 'ADDED', flowId: 'a', namespace: 'ns', revision: 1 },
      { syncState: 'DELETED', flowId: 'b', namespace: 'ns', revision: 3 },
    ]);
  });
  it('writes an empty file for no rows', () => {
    expect(toIonRows([])).toHaveLength(0);
  });
});
