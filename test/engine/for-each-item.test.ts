import { readFileSync, readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EngineWorld, startEngineWorld } from './engine-world';

let w: EngineWorld;
beforeAll(() => {
  w = startEngineWorld();
});
afterAll(async () => {
  await w.close();
});

const docs = (n: string) => {
  const dir = '/work/shared/examples/docs-flows';
  return readFileSync(`${dir}/${readdirSync(dir).find((f) => f.startsWith(n))!}`, 'utf8');
};

describe('ForEachItem', () => {
  it('runs the documented child flow once per batch and merges their outputs', async () => {
    await w.deploy(docs('0004')); // company.team.process_order_batch
    await w.deploy(`
id: parent_items
namespace: company.team
tasks:
  - id: orders
    type: io.kestra.plugin.core.storage.Write
    content: |
      {order_id:1}
      {order_id:2}
      {order_id:3}
      {order_id:4}
      {order_id:5}
  - id: process_batches
    type: io.kestra.plugin.core.flow.ForEachItem
    items: "{{ outputs.orders.uri }}"
    batch:
      rows: 2
    namespace: company.team
    flowId: process_order_batch
    wait: true
    transmitFailed: true
    inputs:
      orders_file: "{{ taskrun.items }}"
  - id: preview_merged_outputs
    type: io.kestra.plugin.core.log.Log
    message: "{{ read(outputs.process_batches_merge.subflowOutputs) }}"
`);
    const e = await w.run('company.team', 'parent_items', {}, 30_000);
    expect(e.state.current).toBe('SUCCESS');
    const fei = e.taskRunList.find((r) => r.taskId === 'process_batches')!;
    expect(fei.outputs).toMatchObject({ numberOfBatches: 3, iterations: { SUCCESS: 3 } });
    const children = (await w.ports.executions.find('main', { namespace: 'company.team', flowId: 'process_order_batch' })).results.filter((c) => c.parentId === e.id);
    expect(children).toHaveLength(3);
    const preview = (await w.logs(e.id)).find((l) => l.taskId === 'preview_merged_outputs')!.message;
    expect(preview.trim().split('\n')).toHaveLength(3);
    expect(preview).toContain('Processed batch content: {order_id:5}');
  });

  it('fails when a child fails and transmitFailed is true', async () => {
    await w.deploy(`
id: picky_child
namespace: company.team
inputs:
  - { id: batch, type: FILE }
tasks:
  - { id: check, type: io.kestra.plugin.core.execution.Fail, condition: "{{ read(inputs.batch) contains 'bad' }}" }
`);
    await w.deploy(`
id: parent_picky
namespace: company.team
tasks:
  - { id: rows, type: io.kestra.plugin.core.storage.Write, content: "good\\nbad\\ngood\\n" }
  - id: each
    type: io.kestra.plugin.core.flow.ForEachItem
    items: "{{ outputs.rows.uri }}"
    namespace: company.team
    flowId: picky_child
    inputs:
      batch: "{{ taskrun.items }}"
`);
    const e = await w.run('company.team', 'parent_picky', {}, 30_000);
    expect(e.state.current).toBe('FAILED');
    expect(e.taskRunList.find((r) => r.taskId === 'each')?.outputs).toMatchObject({ numberOfBatches: 3, iterations: { SUCCESS: 2, FAILED: 1 } });
  });
});
