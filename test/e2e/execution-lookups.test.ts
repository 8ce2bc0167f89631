import type { LocalServer } from '@windhover/local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Json, client, startE2eServer } from './local-client';

const flow = (namespace: string, id: string) => `id: ${id}
namespace: ${namespace}
inputs:
  - id: who
    type: STRING
    defaults: you
tasks:
  - id: hi
    type: io.kestra.plugin.core.log.Log
    message: "hi {{ inputs.who }}"
`;

describe('execution lookups and labels by query over HTTP', () => {
  let server: LocalServer;
  let api: ReturnType<typeof client>;
  const post = (path: string, body: unknown) => api.call('POST', `/api/v1/main${path}`, { body: JSON.stringify(body), contentType: 'application/json' });

  beforeAll(async () => {
    server = await startE2eServer();
    api = client(server.url);
    for (const [ns, id] of [
      ['company.lookup', 'one'],
      ['company.lookup', 'two'],
      ['company.lookup.sub', 'three'],
      ['company.gone', 'deleted'],
    ]) {
      expect((await api.createFlow(flow(ns, id))).status).toBe(200);
    }
    expect((await api.call('DELETE', '/api/v1/main/flows/company.gone/deleted')).status).toBe(204);
  });
  afterAll(async () => {
    await server?.close();
  });

  it('POST /executions/latest answers the last execution of each flow that has one', async () => {
    const first = String((await api.execute('company.lookup', 'one')).json['id']);
    await api.waitForState(first, ['SUCCESS']);
    await new Promise((r) => setTimeout(r, 5));
    const second = String((await api.execute('company.lookup', 'one')).json['id']);
    const last = await api.waitForState(second, ['SUCCESS']);
    const r = await post('/executions/latest', [
      { namespace: 'company.lookup', id: 'one' },
      { namespace: 'company.lookup', id: 'two' },
    ]);
    expect(r.status).toBe(200);
    expect(r.json).toEqual([{ id: second, flowId: 'one', namespace: 'company.lookup', startDate: (last['state'] as Json)['startDate'], status: 'SUCCESS' }]);
    expect((await post('/executions/latest', { namespace: 'x' })).status).toBe(400);
  });

  it('lists the namespaces with flows, the flows of one namespace and one flow for execution', async () => {
    const ns = await api.call('GET', '/api/v1/main/executions/namespaces');
    expect(ns.json).toEqual(expect.arrayContaining(['company.lookup', 'company.lookup.sub']));
    expect(ns.json).not.toContain('company.gone');
    const flows = await api.call('GET', '/api/v1/main/executions/namespaces/company.lookup/flows');
    expect((flows.json as unknown as Json[]).map((f) => f['id']).sort()).toEqual(['one', 'two']);
    const one = await api.call('GET', '/api/v1/main/executions/flows/company.lookup/one');
    expect(one.json).toMatchObject({ id: 'one', namespace: 'company.lookup', revision: 1, inputs: [{ id: 'who', type: 'STRING' }] });
    expect(one.json['source']).toBeUndefined();
    expect((await api.call('GET', '/api/v1/main/executions/flows/company.lookup/nope')).status).toBe(404);
    expect((await api.call('GET', '/api/v1/main/executions/flows/company.lookup/one?revision=7')).status).toBe(404);
  });

  it('POST /executions/labels/by-query adds the body labels to the executions the filters select', async () => {
    const a = String((await api.execute('company.lookup', 'two')).json['id']);
    await api.waitForState(a, ['SUCCESS']);
    const r = await api.call('POST', '/api/v1/main/executions/labels/by-query?namespace=company.lookup&flowId=two', {
      body: JSON.stringify([{ key: 'reviewed', value: 'yes' }]),
      contentType: 'application/json',
    });
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ count: 1 });
    expect((await api.execution(a)).json['labels']).toEqual(expect.arrayContaining([{ key: 'reviewed', value: 'yes' }, { key: 'system.correlationId', value: a }]));
    // by-ids merges the same way, keeping the execution's system labels.
    expect((await post('/executions/labels/by-ids', { executionsId: [a], executionLabels: [{ key: 'team', value: 'data' }] })).json).toEqual({ count: 1 });
    expect((await api.execution(a)).json['labels']).toEqual(
      expect.arrayContaining([{ key: 'reviewed', value: 'yes' }, { key: 'team', value: 'data' }, { key: 'system.correlationId', value: a }]),
    );
    const others = (await api.call('GET', '/api/v1/main/executions/search?namespace=company.lookup&flowId=one')).json['results'] as Json[];
    for (const e of others) expect(e['labels']).not.toContainEqual({ key: 'reviewed', value: 'yes' });
    expect((await api.call('POST', '/api/v1/main/executions/labels/by-query', { body: '{}', contentType: 'application/json' })).status).toBe(400);
  });

  it('POST /executions/{id}/eval/{taskRunId} renders an expression in the task run context, masking secrets', async () => {
    const source = `id: evalme\nnamespace: company.lookup\ninputs:\n  - id: who\n    type: STRING\n    defaults: you\ntasks:\n  - id: ret\n    type: io.kestra.plugin.core.debug.Return\n    format: "v={{ inputs.who }}"\n  - id: log\n    type: io.kestra.plugin.core.log.Log\n    message: "{{ outputs.ret.value }}"\n`;
    expect((await api.createFlow(source)).status).toBe(200);
    const id = String((await api.execute('company.lookup', 'evalme')).json['id']);
    const done = await api.waitForState(id, ['SUCCESS']);
    const log = (done['taskRunList'] as Json[]).find((r) => r['taskId'] === 'log')!;
    const evaluate = (expr: string, taskRunId = String(log['id'])) => api.call('POST', `/api/v1/main/executions/${id}/eval/${taskRunId}`, { body: expr, contentType: 'text/plain' });
    const ok = await evaluate('{{ outputs.ret.value }} {{ task.id }} {{ taskrun.id }} {{ inputs.who | upper }}');
    expect(ok.status).toBe(200);
    expect(ok.json).toEqual({ result: `v=you log ${log['id']} YOU` });
    const bad = await evaluate('{{ nothing.here }}');
    expect(bad.status).toBe(200);
    expect(bad.json['result']).toBeUndefined();
    expect(String(bad.json['error'])).toContain('nothing');
    expect(String(bad.json['stackTrace'])).toContain(String(bad.json['error']));
    const secret = await evaluate("{{ secret('API_TOKEN') }}");
    expect(secret.status).toBe(200);
    expect(secret.text).not.toContain('tok-3x4mpl3-value');
    expect((await evaluate('{{ 1 }}', 'noSuchTaskRun')).status).toBe(404);
  });

  it('GET /executions/{id}/file/preview shows Ion rows and text lines of the execution files', async () => {
    const source = `id: files\nnamespace: company.lookup\ninputs:\n  - id: rows\n    type: FILE\n  - id: table\n    type: FILE\ntasks:\n  - id: hi\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n`;
    expect((await api.createFlow(source)).status).toBe(200);
    const form = new FormData();
    // A part named after the input keeps its file name, hence the .ion extension.
    form.append('rows', new Blob(['{id:1,name:"a"}\n{id:2,name:"b"}\n{id:3,name:"c"}\n']), 'rows.ion');
    form.append('files', new Blob(['h1,h2\n1,2\n']), 'table');
    const created = await api.execute('company.lookup', 'files', form);
    expect(created.status).toBe(200);
    const id = String(created.json['id']);
    const inputs = (await api.waitForState(id, ['SUCCESS']))['inputs'] as Json;
    const preview = (path: unknown, q = '') => api.call('GET', `/api/v1/main/executions/${id}/file/preview?path=${encodeURIComponent(String(path))}${q}`);
    const rows = await preview(inputs['rows'], '&maxRows=2');
    expect(rows.status).toBe(200);
    expect(rows.json).toEqual({ extension: 'ion', type: 'LIST', content: [{ id: 1, name: 'a' }, { id: 2, name: 'b' }], maxLine: 2, truncated: true });
    const table = await preview(inputs['table']);
    expect(table.json).toMatchObject({ type: 'TEXT', content: 'h1,h2\n1,2', maxLine: 100, truncated: false });
    expect((await preview('kestra:///elsewhere/file.txt')).status).toBe(404);
  });

  it('POST /executions/{id}/replay-with-inputs replays with new, validated inputs', async () => {
    const source = `id: replayme\nnamespace: company.lookup\ninputs:\n  - id: n\n    type: INT\n  - id: who\n    type: STRING\n    defaults: you\ntasks:\n  - id: ret\n    type: io.kestra.plugin.core.debug.Return\n    format: "{{ inputs.n * 2 }} {{ inputs.who }}"\n`;
    expect((await api.createFlow(source)).status).toBe(200);
    const first = new FormData();
    first.append('n', '1');
    const original = await api.waitForState(String((await api.execute('company.lookup', 'replayme', first)).json['id']), ['SUCCESS']);
    const form = new FormData();
    form.append('n', '21');
    const r = await api.call('POST', `/api/v1/main/executions/${original['id']}/replay-with-inputs`, { body: form });
    expect(r.status).toBe(200);
    expect(r.json['id']).not.toBe(original['id']);
    expect(r.json).toMatchObject({ originalId: original['originalId'], inputs: { n: 21, who: 'you' } });
    const replayed = await api.waitForState(String(r.json['id']), ['SUCCESS']);
    expect((replayed['taskRunList'] as Json[])[0]['outputs']).toEqual({ value: '42 you' });
    const bad = new FormData();
    bad.append('n', 'many');
    expect((await api.call('POST', `/api/v1/main/executions/${original['id']}/replay-with-inputs`, { body: bad })).status).toBe(422);
  });
});
