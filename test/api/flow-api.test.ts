import { describe, expect, it } from 'vitest';
import { createZip } from '../../packages/runtime/src/http/zip';
import { apiHarness } from './api-harness';

const YAML = 'application/x-yaml';
const flowSource = (id: string, namespace = 'company.team', message = 'hello') =>
  `# a comment kept verbatim\nid: ${id}\nnamespace: ${namespace}\nlabels:\n  team: data\ntasks:\n  - id: log\n    type: io.kestra.plugin.core.log.Log\n    message: ${message}\n`;

type Json = Record<string, unknown>;

describe('flow API', () => {
  it('creates a flow from YAML and returns it with its source, revision 1', async () => {
    const api = apiHarness();
    const r = await api.call('POST', '/api/v1/main/flows', { body: flowSource('hello'), contentType: YAML });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ id: 'hello', namespace: 'company.team', revision: 1, disabled: false, deleted: false, source: flowSource('hello') });
    expect((r.body as Json)['labels']).toEqual([{ key: 'team', value: 'data' }]);
    const get = await api.call('GET', '/api/v1/main/flows/company.team/hello');
    expect(get.status).toBe(200);
    expect((get.body as Json)['source']).toBeUndefined();
    const withSource = await api.call('GET', '/api/v1/main/flows/company.team/hello', { query: { source: 'true' } });
    expect((withSource.body as Json)['source']).toBe(flowSource('hello'));
  });

  it('refuses to create a flow that exists with 409 and keeps the stored one', async () => {
    const api = apiHarness();
    await api.call('POST', '/api/v1/main/flows', { body: flowSource('dup'), contentType: YAML });
    const again = await api.call('POST', '/api/v1/main/flows', { body: flowSource('dup', 'company.team', 'changed'), contentType: YAML });
    expect(again.status).toBe(409);
    const revisions = await api.call('GET', '/api/v1/main/flows/company.team/dup/revisions');
    expect((revisions.body as Json[]).length).toBe(1);
  });

  it('rejects an invalid flow with 422 naming the property path, and stores nothing', async () => {
    const api = apiHarness();
    const r = await api.call('POST', '/api/v1/main/flows', { body: 'id: bad\nnamespace: company.team\ntasks: []\n', contentType: YAML });
    expect(r.status).toBe(422);
    expect(JSON.stringify(r.body)).toContain('tasks');
    expect((await api.call('GET', '/api/v1/main/flows/company.team/bad')).status).toBe(404);
  });

  it('creates revision n+1 on a changed update and none on an identical one', async () => {
    const api = apiHarness();
    await api.call('POST', '/api/v1/main/flows', { body: flowSource('rev'), contentType: YAML });
    const same = await api.call('PUT', '/api/v1/main/flows/company.team/rev', { body: flowSource('rev').replace(/\n/g, '\r\n'), contentType: YAML });
    expect((same.body as Json)['revision']).toBe(1);
    const changed = await api.call('PUT', '/api/v1/main/flows/company.team/rev', { body: flowSource('rev', 'company.team', 'bye'), contentType: YAML });
    expect(changed.status).toBe(200);
    expect((changed.body as Json)['revision']).toBe(2);
    const old = await api.call('GET', '/api/v1/main/flows/company.team/rev', { query: { revision: '1', source: 'true' } });
    expect((old.body as Json)['source']).toContain('message: hello');
    const revisions = await api.call('GET', '/api/v1/main/flows/company.team/rev/revisions');
    expect((revisions.body as Json[]).map((f) => f['revision'])).toEqual([1, 2]);
  });

  it('refuses to change the namespace or id of a flow with 422', async () => {
    const api = apiHarness();
    await api.call('POST', '/api/v1/main/flows', { body: flowSource('fixed'), contentType: YAML });
    const moved = await api.call('PUT', '/api/v1/main/flows/company.team/fixed', { body: flowSource('fixed', 'other.ns'), contentType: YAML });
    expect(moved.status).toBe(422);
    expect(JSON.stringify(moved.body)).toContain('Illegal namespace update');
    const renamed = await api.call('PUT', '/api/v1/main/flows/company.team/fixed', { body: flowSource('renamed'), contentType: YAML });
    expect(renamed.status).toBe(422);
    expect((await api.call('GET', '/api/v1/main/flows/other.ns/fixed')).status).toBe(404);
    expect(((await api.call('GET', '/api/v1/main/flows/company.team/fixed')).body as Json)['revision']).toBe(1);
  });

  it('updates a missing flow with 404', async () => {
    const api = apiHarness();
    expect((await api.call('PUT', '/api/v1/main/flows/company.team/ghost', { body: flowSource('ghost'), contentType: YAML })).status).toBe(404);
  });

  it('deletes a flow as a tombstone revision; it can be created again as the next revision', async () => {
    const api = apiHarness();
    await api.call('POST', '/api/v1/main/flows', { body: flowSource('gone'), contentType: YAML });
    expect((await api.call('DELETE', '/api/v1/main/flows/company.team/gone')).status).toBe(204);
    expect((await api.call('GET', '/api/v1/main/flows/company.team/gone')).status).toBe(404);
    expect((await api.call('DELETE', '/api/v1/main/flows/company.team/gone')).status).toBe(404);
    const deleted = await api.call('GET', '/api/v1/main/flows/company.team/gone', { query: { revision: '2', allowDeleted: 'true' } });
    expect(deleted.body).toMatchObject({ revision: 2, deleted: true });
    const recreated = await api.call('POST', '/api/v1/main/flows', { body: flowSource('gone'), contentType: YAML });
    expect((recreated.body as Json)['revision']).toBe(3);
  });

  it('lists flows by namespace and searches them with paging and filters', async () => {
    const api = apiHarness();
    for (const [id, ns] of [['a', 'acme.one'], ['b', 'acme.one'], ['c', 'acme.one.sub'], ['d', 'other']]) {
      await api.call('POST', '/api/v1/main/flows', { body: flowSource(id, ns), contentType: YAML });
    }
    const list = await api.call('GET', '/api/v1/main/flows/acme.one');
    expect((list.body as Json[]).map((f) => f['id'])).toEqual(['a', 'b']);
    const search = await api.call('GET', '/api/v1/main/flows/search', { query: { 'filters[namespace][PREFIX]': 'acme.one', size: '2', page: '1' } });
    expect(search.body).toMatchObject({ total: 3 });
    expect(((search.body as Json)['results'] as Json[]).map((f) => f['id'])).toEqual(['a', 'b']);
    const page2 = await api.call('GET', '/api/v1/main/flows/search', { query: { namespace: 'acme', size: '2', page: '2' } });
    expect(((page2.body as Json)['results'] as Json[]).map((f) => f['id'])).toEqual(['c']);
    const q = await api.call('GET', '/api/v1/main/flows/search', { query: { q: 'other' } });
    expect((q.body as Json)['total']).toBe(1);
    const labels = await api.call('GET', '/api/v1/main/flows/search', { query: { 'filters[labels][EQUALS][team]': 'data' } });
    expect((labels.body as Json)['total']).toBe(4);
    const ns = await api.call('GET', '/api/v1/main/flows/distinct-namespaces');
    expect(ns.body).toEqual(['acme.one', 'acme.one.sub', 'other']);
  });

  it('validates each document of a multi-document body and reports its index', async () => {
    const api = apiHarness();
    const r = await api.call('POST', '/api/v1/main/flows/validate', {
      body: `${flowSource('ok')}---\nid: broken\nnamespace: company.team\ntasks: []\n`,
      contentType: YAML,
    });
    expect(r.status).toBe(200);
    const results = r.body as Json[];
    expect(results.length).toBe(2);
    expect(results[0]).toMatchObject({ index: 0, flow: 'ok', namespace: 'company.team', outdated: false });
    expect(results[0]['constraints']).toBeUndefined();
    expect(results[1]).toMatchObject({ index: 1, flow: 'broken' });
    expect(String(results[1]['constraints'])).toContain('tasks');
  });

  it('updates a namespace in bulk, deleting flows missing from the body, and changes nothing when one flow is invalid', async () => {
    const api = apiHarness();
    for (const id of ['keep', 'drop']) await api.call('POST', '/api/v1/main/flows', { body: flowSource(id, 'bulk.ns'), contentType: YAML });
    const invalid = await api.call('POST', '/api/v1/main/flows/bulk.ns', {
      body: `${flowSource('keep', 'bulk.ns', 'v2')}---\nid: nope\nnamespace: bulk.ns\ntasks: []\n`,
      contentType: YAML,
    });
    expect(invalid.status).toBe(422);
    expect(((await api.call('GET', '/api/v1/main/flows/bulk.ns')).body as Json[]).length).toBe(2);
    const wrongNs = await api.call('POST', '/api/v1/main/flows/bulk.ns', { body: flowSource('x', 'elsewhere'), contentType: YAML });
    expect(wrongNs.status).toBe(422);
    const ok = await api.call('POST', '/api/v1/main/flows/bulk.ns', { body: `${flowSource('keep', 'bulk.ns', 'v2')}---\n${flowSource('new', 'bulk.ns')}`, contentType: YAML });
    expect(ok.status).toBe(200);
    const after = (await api.call('GET', '/api/v1/main/flows/bulk.ns')).body as Json[];
    expect(after.map((f) => [f['id'], f['revision']])).toEqual([
      ['keep', 2],
      ['new', 1],
    ]);
    const noDelete = await api.call('POST', '/api/v1/main/flows/bulk.ns', { body: flowSource('third', 'bulk.ns'), contentType: YAML, query: { delete: 'false' } });
    expect(noDelete.status).toBe(200);
    expect(((await api.call('GET', '/api/v1/main/flows/bulk.ns')).body as Json[]).length).toBe(3);
  });

  it('exports flows as a ZIP and imports them back', async () => {
    const source = apiHarness();
    for (const id of ['e1', 'e2']) await source.call('POST', '/api/v1/main/flows', { body: flowSource(id, 'exp.ns'), contentType: YAML });
    const zip = await source.call('GET', '/api/v1/main/flows/export/by-query', { query: { 'filters[namespace][EQUALS]': 'exp.ns' } });
    expect(zip.status).toBe(200);
    const target = apiHarness();
    const boundary = 'xBOUNDARYx';
    const bytes = zip.body as Uint8Array;
    const body = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="fileUpload"; filename="flows.zip"\r\nContent-Type: application/zip\r\n\r\n`),
      Buffer.from(bytes),
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const imported = await target.call('POST', '/api/v1/main/flows/import', { body: new Uint8Array(body), contentType: `multipart/form-data; boundary=${boundary}` });
    expect(imported.status).toBe(200);
    expect(imported.body).toEqual([]);
    const got = await target.call('GET', '/api/v1/main/flows/exp.ns/e2', { query: { source: 'true' } });
    expect((got.body as Json)['source']).toBe(flowSource('e2', 'exp.ns'));
  });

  it('imports a ZIP with an invalid file, reports it and imports the others', async () => {
    const api = apiHarness();
    const zip = createZip([
      { name: 'good.yml', data: new TextEncoder().encode(flowSource('good', 'imp.ns')) },
      { name: 'bad.yml', data: new TextEncoder().encode('id: bad\nnamespace: imp.ns\ntasks: []\n') },
    ]);
    const boundary = 'b0undary';
    const body = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="fileUpload"; filename="f.zip"\r\n\r\n`),
      Buffer.from(zip),
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const r = await api.call('POST', '/api/v1/main/flows/import', { body: new Uint8Array(body), contentType: `multipart/form-data; boundary=${boundary}` });
    expect(r.body).toEqual(['bad.yml']);
    expect((await api.call('GET', '/api/v1/main/flows/imp.ns/good')).status).toBe(200);
  });

  it('requires credentials on every flow route', async () => {
    const api = apiHarness();
    expect((await api.call('POST', '/api/v1/main/flows', { body: flowSource('x'), contentType: YAML, auth: null })).status).toBe(401);
    expect((await api.call('GET', '/api/v1/main/flows/search', { auth: null })).status).toBe(401);
    expect((await api.call('GET', '/api/v1/main/flows/search', { auth: 'Basic YWRtaW5Aa2VzdHJhLmlvOndyb25n' })).status).toBe(401);
    expect((await api.call('GET', '/api/v1/main/flows/company.team/x')).status).toBe(404);
  });
});
