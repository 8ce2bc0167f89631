import { LocalApiTokens, type LocalServer } from '@windhover/local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Json, client, startE2eServer } from './local-client';

const HELLO = `id: hello
namespace: company.team
inputs:
  - id: name
    type: STRING
    defaults: World
  - id: count
    type: INT
    defaults: 1
tasks:
  - id: greet
    type: io.kestra.plugin.core.log.Log
    message: "Hello {{ inputs.name }}"
  - id: ret
    type: io.kestra.plugin.core.debug.Return
    format: "{{ inputs.name }}-{{ inputs.count }}"
  - id: values
    type: io.kestra.plugin.core.output.OutputValues
    values:
      greeting: "Hi {{ inputs.name }}"
  - id: each
    type: io.kestra.plugin.core.flow.ForEach
    values: ["a", "b", "c"]
    tasks:
      - id: inner
        type: io.kestra.plugin.core.log.Log
        message: "item {{ taskrun.value }}"
outputs:
  - id: greeting
    type: STRING
    value: "{{ outputs.values.values.greeting }}"
  - id: returned
    type: STRING
    value: "{{ outputs.ret.value }}"
`;

describe('local edition over HTTP', () => {
  let server: LocalServer;
  let api: ReturnType<typeof client>;

  beforeAll(async () => {
    server = await startE2eServer();
    api = client(server.url);
    expect((await api.createFlow(HELLO)).status).toBe(200);
  });
  afterAll(async () => {
    await server?.close();
  });

  it('answers /health without credentials and refuses the API without them', async () => {
    const health = await api.call('GET', '/health', { auth: null });
    expect(health.status).toBe(200);
    expect(health.json).toMatchObject({ status: 'UP' });
    expect((await api.call('GET', '/api/v1/main/flows/company.team/hello', { auth: null })).status).toBe(401);
    expect((await api.call('GET', '/api/v1/main/flows/company.team/hello', { auth: `Basic ${Buffer.from('e2e@windhover.dev:wrong').toString('base64')}` })).status).toBe(401);
  });

  it('accepts an API token created while it runs, stores only its hash, and refuses it once revoked', async () => {
    const tokens = new LocalApiTokens(server.dataDir);
    const { token, stored } = tokens.create('ci');
    expect(JSON.stringify(tokens.list())).not.toContain(token);
    const bearer = `Bearer ${token}`;
    expect((await api.call('GET', '/api/v1/main/flows/company.team/hello', { auth: bearer })).status).toBe(200);
    expect((await api.call('GET', '/api/v1/main/flows/company.team/hello', { auth: `Bearer ${token}x` })).status).toBe(401);
    expect(tokens.revoke(stored.id)).toBe(true);
    expect((await api.call('GET', '/api/v1/main/flows/company.team/hello', { auth: bearer })).status).toBe(401);
  });

  it('answers 401 to an anonymous upload without reading it', async () => {
    const big = new Uint8Array(50 * 1024 * 1024);
    const start = Date.now();
    const r = await api.call('POST', '/api/v1/main/executions/company.team/hello', { body: big, contentType: 'application/octet-stream', auth: null });
    expect(r.status).toBe(401);
    expect(Date.now() - start).toBeLessThan(5000);
    expect((await api.call('GET', '/health', { auth: null })).status).toBe(200);
  });

  it('runs Log, Return, OutputValues and ForEach to SUCCESS with wait=true and multipart inputs', async () => {
    const form = new FormData();
    form.append('name', 'Windhover');
    form.append('count', '3');
    const r = await api.execute('company.team', 'hello', form, '?wait=true&labels=team:data&labels=env:test');
    expect(r.status).toBe(200);
    const e = r.json;
    expect((e['state'] as Json)['current']).toBe('SUCCESS');
    expect(e['inputs']).toEqual({ name: 'Windhover', count: 3 });
    expect(e['outputs']).toEqual({ greeting: 'Hi Windhover', returned: 'Windhover-3' });
    expect(e['labels']).toEqual(expect.arrayContaining([{ key: 'team', value: 'data' }, { key: 'env', value: 'test' }]));
    expect(String(e['url'])).toBe(`${server.url}/ui/main/executions/company.team/hello/${e['id']}`);
    const runs = e['taskRunList'] as Json[];
    expect(runs.filter((t) => t['taskId'] === 'inner').map((t) => t['value']).sort()).toEqual(['a', 'b', 'c']);
    expect(runs.every((t) => (t['state'] as Json)['current'] === 'SUCCESS')).toBe(true);

    const logs = await api.call('GET', `/api/v1/main/logs/${e['id']}`);
    expect(logs.status).toBe(200);
    const messages = (logs.json as unknown as Json[]).map((l) => l['message']);
    expect(messages).toEqual(expect.arrayContaining(['Hello Windhover', 'item a', 'item b', 'item c']));
    const download = await api.call('GET', `/api/v1/main/logs/${e['id']}/download`);
    expect(download.headers.get('content-type')).toContain('text/plain');
    expect(download.text).toMatch(/INFO\s+greet Hello Windhover/);
  });

  it('validates inputs without creating an execution', async () => {
    const before = (await api.call('GET', '/api/v1/main/executions/search?flowId=hello&size=1')).json['total'];
    const form = new FormData();
    form.append('count', 'twelve');
    const r = await api.call('POST', '/api/v1/main/executions/company.team/hello/validate', { body: form });
    expect(r.status).toBe(200);
    const inputs = r.json['inputs'] as Json[];
    const count = inputs.find((i) => (i['input'] as Json)['id'] === 'count');
    expect((count?.['errors'] as Json[] | undefined)?.length).toBe(1);
    const name = inputs.find((i) => (i['input'] as Json)['id'] === 'name');
    expect(name).toMatchObject({ value: 'World', isDefault: true, errors: [] });
    expect((await api.call('GET', '/api/v1/main/executions/search?flowId=hello&size=1')).json['total']).toBe(before);
  });

  it('creates an execution asynchronously, then finds it by search', async () => {
    const created = await api.execute('company.team', 'hello', undefined, '?labels=run:async');
    expect(created.status).toBe(200);
    expect(['CREATED', 'RUNNING', 'SUCCESS']).toContain((created.json['state'] as Json)['current']);
    const id = String(created.json['id']);
    await api.waitForState(id, ['SUCCESS']);
    const byLabel = await api.call('GET', '/api/v1/main/executions/search?filters[labels][EQUALS][run]=async');
    expect((byLabel.json['results'] as Json[]).map((x) => x['id'])).toContain(id);
    const byState = await api.call('GET', '/api/v1/main/executions/search?namespace=company.team&flowId=hello&state=SUCCESS&size=100');
    expect((byState.json['results'] as Json[]).map((x) => x['id'])).toContain(id);
    const none = await api.call('GET', '/api/v1/main/executions/search?namespace=company.team&state=FAILED');
    expect((none.json['results'] as Json[]).map((x) => x['id'])).not.toContain(id);
    const perFlow = await api.call('GET', '/api/v1/main/executions?namespace=company.team&flowId=hello');
    expect(perFlow.json['total']).toBeGreaterThanOrEqual(1);
  });

  it('rejects executing a missing flow with 404 and invalid inputs with 422; a disabled flow runs to FAILED (Kestra 1.x docs)', async () => {
    expect((await api.execute('company.team', 'nope')).status).toBe(404);
    await api.createFlow('id: off\nnamespace: company.team\ndisabled: true\ntasks:\n  - id: t\n    type: io.kestra.plugin.core.log.Log\n    message: never\n');
    const disabled = await api.execute('company.team', 'off', undefined, '?wait=true');
    expect(disabled.status).toBe(200);
    expect((disabled.json['state'] as Json)['current']).toBe('FAILED');
    expect((disabled.json['taskRunList'] as Json[] | undefined) ?? []).toEqual([]);
    const form = new FormData();
    form.append('count', 'not-a-number');
    const r = await api.execute('company.team', 'hello', form);
    expect(r.status).toBe(422);
    expect(r.text).toContain('count');
  });

  it('ends a failing flow FAILED and restarts it', async () => {
    await api.createFlow(`id: failing
namespace: company.team
tasks:
  - id: boom
    type: io.kestra.plugin.core.execution.Fail
    errorMessage: planned failure
`);
    const r = await api.execute('company.team', 'failing', undefined, '?wait=true');
    expect((r.json['state'] as Json)['current']).toBe('FAILED');
    const logs = await api.call('GET', `/api/v1/main/logs/${r.json['id']}?minLevel=ERROR`);
    expect(JSON.stringify(logs.json)).toContain('planned failure');
    const restarted = await api.call('POST', `/api/v1/main/executions/${r.json['id']}/restart`);
    expect(restarted.status).toBe(200);
    const again = await api.waitForState(String(r.json['id']), ['FAILED'], 20_000);
    expect(((again['state'] as Json)['histories'] as Json[]).map((h) => h['state'])).toContain('RESTARTED');
  });

  it('pauses, resumes once, and answers 409 to a second resume', async () => {
    await api.createFlow(`id: approval
namespace: company.team
tasks:
  - id: wait
    type: io.kestra.plugin.core.flow.Pause
  - id: after
    type: io.kestra.plugin.core.log.Log
    message: resumed
`);
    const created = await api.execute('company.team', 'approval');
    const id = String(created.json['id']);
    await api.waitForState(id, ['PAUSED']);
    expect((await api.call('POST', `/api/v1/main/executions/${id}/resume`)).status).toBe(204);
    await api.waitForState(id, ['SUCCESS']);
    expect((await api.call('POST', `/api/v1/main/executions/${id}/resume`)).status).toBe(409);
  });

  it('kills a sleeping execution and answers 409 to a second kill', async () => {
    await api.createFlow(`id: sleepy
namespace: company.team
tasks:
  - id: nap
    type: io.kestra.plugin.core.flow.Sleep
    duration: PT30S
`);
    const created = await api.execute('company.team', 'sleepy');
    const id = String(created.json['id']);
    await api.waitForState(id, ['RUNNING']);
    expect((await api.call('DELETE', `/api/v1/main/executions/${id}/kill`)).status).toBe(202);
    await api.waitForState(id, ['KILLED']);
    expect((await api.call('DELETE', `/api/v1/main/executions/${id}/kill`)).status).toBe(409);
  });

  it('stores a FILE input and serves it back only under its execution', async () => {
    await api.createFlow(`id: files
namespace: company.team
inputs:
  - id: doc
    type: FILE
tasks:
  - id: size
    type: io.kestra.plugin.core.storage.Size
    uri: "{{ inputs.doc }}"
`);
    const form = new FormData();
    form.append('files', new Blob(['hello file content']), 'doc');
    const r = await api.execute('company.team', 'files', form, '?wait=true');
    expect((r.json['state'] as Json)['current']).toBe('SUCCESS');
    const uri = String((r.json['inputs'] as Json)['doc']);
    expect(uri).toMatch(/^kestra:\/\/\/company\/team\/files\/executions\//);
    const sizeRun = (r.json['taskRunList'] as Json[]).find((t) => t['taskId'] === 'size');
    expect(Number((sizeRun?.['outputs'] as Json | undefined)?.['size'])).toBe(18);
    const file = await api.call('GET', `/api/v1/main/executions/${r.json['id']}/file?path=${encodeURIComponent(uri)}`);
    expect(file.status).toBe(200);
    expect(file.text).toBe('hello file content');
    const metas = await api.call('GET', `/api/v1/main/executions/${r.json['id']}/file/metas?path=${encodeURIComponent(uri)}`);
    expect(metas.json).toEqual({ size: 18 });
    // Another execution cannot be used to read this file.
    const other = await api.execute('company.team', 'hello', undefined, '?wait=true');
    expect((await api.call('GET', `/api/v1/main/executions/${other.json['id']}/file?path=${encodeURIComponent(uri)}`)).status).toBe(404);
    const escaping = uri.replace(/executions\/[^/]+\//, `executions/${other.json['id']}/../`);
    expect((await api.call('GET', `/api/v1/main/executions/${other.json['id']}/file?path=${encodeURIComponent(escaping)}`)).status).toBe(404);
  });

  it('resolves secrets for tasks but never returns them in executions or logs', async () => {
    await api.createFlow(`id: secretive
namespace: company.team
tasks:
  - id: use
    type: io.kestra.plugin.core.log.Log
    message: "token is {{ secret('API_TOKEN') }}"
  - id: out
    type: io.kestra.plugin.core.output.OutputValues
    values:
      length: "{{ secret('API_TOKEN') | length }}"
`);
    const r = await api.execute('company.team', 'secretive', undefined, '?wait=true');
    expect((r.json['state'] as Json)['current']).toBe('SUCCESS');
    const logs = await api.call('GET', `/api/v1/main/logs/${r.json['id']}`);
    expect(logs.text).not.toContain('tok-3x4mpl3-value');
    expect(logs.text).toContain('token is ');
    expect(JSON.stringify(r.json)).not.toContain('tok-3x4mpl3-value');
    const out = (r.json['taskRunList'] as Json[]).find((t) => t['taskId'] === 'out');
    expect((out?.['outputs'] as Json | undefined)?.['values']).toEqual({ length: 17 });
  });

  it('never returns the value of a SECRET input', async () => {
    await api.createFlow(`id: secretinput
namespace: company.team
inputs:
  - id: password
    type: SECRET
tasks:
  - id: len
    type: io.kestra.plugin.core.debug.Return
    format: "{{ inputs.password | length }}"
`);
    const form = new FormData();
    form.append('password', 'pa55-w0rd-value');
    const r = await api.execute('company.team', 'secretinput', form, '?wait=true');
    expect((r.json['state'] as Json)['current']).toBe('SUCCESS');
    expect(r.text).not.toContain('pa55-w0rd-value');
    const got = await api.execution(String(r.json['id']));
    expect(got.text).not.toContain('pa55-w0rd-value');
    const search = await api.call('GET', '/api/v1/main/executions/search?flowId=secretinput');
    expect(search.text).not.toContain('pa55-w0rd-value');
  });

  it('reads a KV value set through the API from a flow', async () => {
    const put = await api.call('PUT', '/api/v1/main/namespaces/company.team/kv/greeting', { body: '"bonjour"', contentType: 'application/json' });
    expect(put.status).toBeLessThan(300);
    await api.createFlow(`id: kvreader
namespace: company.team
tasks:
  - id: read
    type: io.kestra.plugin.core.debug.Return
    format: "{{ kv('greeting') }}"
`);
    const r = await api.execute('company.team', 'kvreader', undefined, '?wait=true');
    const read = (r.json['taskRunList'] as Json[]).find((t) => t['taskId'] === 'read');
    expect((read?.['outputs'] as Json | undefined)?.['value']).toBe('bonjour');
  });

  it('kills and deletes executions in bulk, and changes nothing when one is not eligible', async () => {
    await api.createFlow(`id: sleepy2
namespace: company.team
tasks:
  - id: nap
    type: io.kestra.plugin.core.flow.Sleep
    duration: PT30S
`);
    const ids: string[] = [];
    for (let i = 0; i < 2; i++) ids.push(String((await api.execute('company.team', 'sleepy2')).json['id']));
    for (const id of ids) await api.waitForState(id, ['RUNNING']);
    const done = String((await api.execute('company.team', 'hello', undefined, '?wait=true')).json['id']);
    // Deleting running executions is refused as a whole: the finished one stays too.
    const refused = await api.call('DELETE', '/api/v1/main/executions/by-ids', { body: JSON.stringify([...ids, done]), contentType: 'application/json' });
    expect(refused.status).toBe(422);
    expect((await api.execution(done)).status).toBe(200);
    const killed = await api.call('DELETE', '/api/v1/main/executions/kill/by-ids', { body: JSON.stringify(ids), contentType: 'application/json' });
    expect(killed.json).toEqual({ count: 2 });
    for (const id of ids) await api.waitForState(id, ['KILLED']);
    const deleted = await api.call('DELETE', '/api/v1/main/executions/by-ids', { body: JSON.stringify([...ids, done]), contentType: 'application/json' });
    expect(deleted.json).toEqual({ count: 3 });
    for (const id of [...ids, done]) expect((await api.execution(id)).status).toBe(404);
  });

  it('serves Prometheus metrics and the task metrics of an execution', async () => {
    const r = await api.execute('company.team', 'hello', undefined, '?wait=true');
    const metrics = await api.call('GET', '/metrics');
    expect(metrics.status).toBe(200);
    const success = /windhover_executions\{tenant="main",state="SUCCESS"\} (\d+)/.exec(metrics.text);
    expect(Number(success?.[1])).toBeGreaterThan(0);
    expect((await api.call('GET', '/metrics', { auth: null })).status).toBe(401);
    const task = await api.call('GET', `/api/v1/main/metrics/${r.json['id']}?taskId=ret`);
    expect((task.json['results'] as Json[]).map((m) => m['name'])).toContain('length');
  });

  it('replays an execution as a new one with the same originalId, and sets labels', async () => {
    const first = await api.execute('company.team', 'hello', undefined, '?wait=true');
    const id = String(first.json['id']);
    const replay = await api.call('POST', `/api/v1/main/executions/${id}/replay`);
    expect(replay.status).toBe(200);
    expect(replay.json['id']).not.toBe(id);
    expect(replay.json['originalId']).toBe(id);
    await api.waitForState(String(replay.json['id']), ['SUCCESS']);
    const labelled = await api.call('POST', `/api/v1/main/executions/${id}/labels`, { body: JSON.stringify([{ key: 'reviewed', value: 'yes' }]), contentType: 'application/json' });
    expect(labelled.status).toBe(200);
    expect((await api.execution(id)).json['labels']).toEqual(expect.arrayContaining([{ key: 'reviewed', value: 'yes' }]));
    expect((await api.call('POST', `/api/v1/main/executions/${id}/labels`, { body: '{"not":"a list"}', contentType: 'application/json' })).status).toBe(400);
  });

  it('follows an execution as server-sent events until its end', async () => {
    const created = await api.execute('company.team', 'hello');
    const follow = await api.call('GET', `/api/v1/main/executions/${created.json['id']}/follow`);
    expect(follow.headers.get('content-type')).toContain('text/event-stream');
    const end = /id: end\nevent: end\ndata: (.*)\n/.exec(follow.text);
    expect(JSON.parse(end?.[1] ?? '{}').state.current).toBe('SUCCESS');
  });

  it('deletes an execution with its logs', async () => {
    const r = await api.execute('company.team', 'hello', undefined, '?wait=true');
    const id = String(r.json['id']);
    expect((await api.call('DELETE', `/api/v1/main/executions/${id}`)).status).toBe(204);
    expect((await api.execution(id)).status).toBe(404);
    expect((await api.call('GET', `/api/v1/main/logs/${id}`)).json).toEqual([]);
  });
});
