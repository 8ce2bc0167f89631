import { loadAll } from 'ion-js';
import { describe, expect, it } from 'vitest';
import { toIonRows } from './ion-rows';

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
