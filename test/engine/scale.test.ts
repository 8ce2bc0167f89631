import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EngineWorld, startEngineWorld } from './engine-world';

let w: EngineWorld;
let server: Server;
let base = '';
const FIVE_MB = 'x'.repeat(5 * 1024 * 1024);

beforeAll(async () => {
  w = startEngineWorld();
  server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(FIVE_MB);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  await w.close();
});

describe('large executions', () => {
  it('finishes a ForEach over 10,000 values', async () => {
    const values = JSON.stringify(Array.from({ length: 10_000 }, (_, i) => i));
    await w.deploy(`
id: foreach_10k
namespace: company.scale
tasks:
  - id: each
    type: io.kestra.plugin.core.flow.ForEach
    values: '${values}'
    tasks:
      - id: item
        type: io.kestra.plugin.core.debug.Return
        format: "{{ taskrun.value }}"
  - id: last
    type: io.kestra.plugin.core.debug.Return
    format: "{{ outputs.item['9999'].value }}"
`);
    const started = Date.now();
    const e = await w.run('company.scale', 'foreach_10k', {}, 240_000);
    const elapsed = Date.now() - started;
    expect(e.state.current).toBe('SUCCESS');
    expect(e.taskRunList).toHaveLength(10_002);
    expect(e.taskRunList.every((r) => r.state.current === 'SUCCESS')).toBe(true);
    expect(e.taskRunList.find((r) => r.taskId === 'last')?.outputs).toEqual({ value: '9999' });
    const bytes = JSON.stringify(e).length;
    process.stdout.write(`foreach 10k: ${elapsed} ms, stored execution ${(bytes / 1024 / 1024).toFixed(2)} MB\n`);
  }, 300_000);

  it('keeps 5 MB of task outputs in internal storage and the execution small', async () => {
    await w.deploy(`
id: big_outputs
namespace: company.scale
tasks:
  - id: req
    type: io.kestra.plugin.core.http.Request
    uri: ${base}/big
  - id: measure
    type: io.kestra.plugin.core.debug.Return
    format: "{{ outputs.req.body | length }}"
`);
    const e = await w.run('company.scale', 'big_outputs', {}, 60_000);
    expect(e.state.current).toBe('SUCCESS');
    expect(e.taskRunList[1].outputs).toEqual({ value: String(5 * 1024 * 1024) });
    const stored = await w.ports.executions.get('main', e.id);
    expect(JSON.stringify(stored).length).toBeLessThan(20_000);
    const ref = stored?.engine?.outputRefs?.[e.taskRunList[0].id];
    expect(ref).toMatch(/^kestra:\/\/\//);
    expect((await w.ports.storage.size(ref!)) > 5 * 1024 * 1024).toBe(true);
  }, 120_000);
});
