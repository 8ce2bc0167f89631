import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { namespaceApi } from './namespace-harness';

const KV = '/api/v1/main/namespaces/company.team/kv';

describe('KV API', () => {
  it('stores JSON literals with their type and returns {type, value}', async () => {
    const api = namespaceApi();
    const cases: [string, string, unknown][] = [
      ['greeting', '"Hello World"', { type: 'STRING', value: 'Hello World' }],
      ['answer', '42', { type: 'NUMBER', value: 42 }],
      ['flag', 'true', { type: 'BOOLEAN', value: true }],
      ['doc', '{"a":[1,2]}', { type: 'JSON', value: { a: [1, 2] } }],
      ['when', '2026-05-01T10:00:00Z', { type: 'DATETIME', value: '2026-05-01T10:00:00.000Z' }],
      ['day', '2026-05-01', { type: 'DATE', value: '2026-05-01' }],
    ];
    for (const [key, body] of cases) {
      const put = await api.call('PUT', `${KV}/${key}`, { body, contentType: 'application/json' });
      expect(put.status).toBe(200);
      expect(put.body).toBeUndefined();
    }
    for (const [key, , expected] of cases) expect((await api.call('GET', `${KV}/${key}`)).body).toEqual(expected);
    const text = await api.call('PUT', `${KV}/plain`, { body: 'not { json', contentType: 'text/plain' });
    expect(text.status).toBe(200);
    expect((await api.call('GET', `${KV}/plain`)).body).toEqual({ type: 'STRING', value: 'not { json' });
  });

  it('replaces a value, keeps its creation date and lists metadata without values', async () => {
    const api = namespaceApi();
    await api.call('PUT', `${KV}/k`, { body: '"one"', contentType: 'application/json' });
    api.clock.advance(5000);
    await api.call('PUT', `${KV}/k`, { body: '"two"', contentType: 'application/json' });
    const detail = await api.call('GET', `${KV}/k/detail`);
    expect(detail.body).toEqual({
      namespace: 'company.team',
      key: 'k',
      description: null,
      creationDate: '2026-01-01T00:00:00.000Z',
      updateDate: '2026-01-01T00:00:05.000Z',
      expirationDate: null,
    });
    const list = await api.call('GET', KV);
    expect(list.body).toEqual([detail.body]);
    expect(JSON.stringify(list.body)).not.toContain('two');
  });

  it('expires a value set with the ttl header at the exact instant, for every reader', async () => {
    const api = namespaceApi();
    await api.call('PUT', `${KV}/session`, { body: '"abc"', contentType: 'application/json', headers: { ttl: 'PT1M' } });
    await api.call('PUT', `${KV}/stays`, { body: '"x"', contentType: 'application/json' });
    expect(((await api.call('GET', `${KV}/session/detail`)).body as { expirationDate: string }).expirationDate).toBe('2026-01-01T00:01:00.000Z');
    api.clock.advance(59_999);
    expect((await api.call('GET', `${KV}/session`)).status).toBe(200);
    api.clock.advance(1);
    expect((await api.call('GET', `${KV}/session`)).status).toBe(404);
    expect((await api.call('GET', `${KV}/session/detail`)).status).toBe(404);
    expect(((await api.call('GET', KV)).body as { key: string }[]).map((e) => e.key)).toEqual(['stays']);
    const all = (await api.call('GET', '/api/v1/main/kv')).body as { results: { key: string }[]; total: number };
    expect(all.results.map((e) => e.key)).toEqual(['stays']);
    expect((await api.call('DELETE', `${KV}/session`)).body).toBe(false);
  });

  it('deletes one key (true/false) and several keys in bulk', async () => {
    const api = namespaceApi();
    for (const k of ['a', 'b', 'c']) await api.call('PUT', `${KV}/${k}`, { body: '1', contentType: 'application/json' });
    expect((await api.call('DELETE', `${KV}/a`)).body).toBe(true);
    expect((await api.call('DELETE', `${KV}/a`)).body).toBe(false);
    const bulk = await api.call('DELETE', KV, { body: '{"keys":["b","missing","c"]}', contentType: 'application/json' });
    expect(bulk.body).toEqual({ keys: ['b', 'c'] });
    expect((await api.call('GET', KV)).body).toEqual([]);
  });

  it('lists keys inherited from parent namespaces, nearest first, without the namespace own keys', async () => {
    const api = namespaceApi();
    const put = (ns: string, key: string, v: string) =>
      api.call('PUT', `/api/v1/main/namespaces/${ns}/kv/${key}`, { body: v, contentType: 'application/json' });
    await put('company', 'shared', '"company"');
    await put('company', 'region', '"eu"');
    await put('company.team', 'shared', '"team"');
    await put('company.team.sub', 'own', '"sub"');
    const inherited = (await api.call('GET', '/api/v1/main/namespaces/company.team.sub/kv/inheritance')).body as {
      namespace: string;
      key: string;
    }[];
    expect(inherited.map((e) => `${e.namespace}:${e.key}`)).toEqual(['company.team:shared', 'company:region']);
  });

  it('searches the whole tenant with filters, query, sort and pages', async () => {
    const api = namespaceApi();
    const put = (ns: string, key: string) => api.call('PUT', `/api/v1/main/namespaces/${ns}/kv/${key}`, { body: '1', contentType: 'application/json' });
    await put('company.team', 'alpha');
    await put('company.team', 'beta');
    await put('company.data', 'alpha_2');
    await put('other', 'alpha');
    const call = (query: Record<string, string>) => api.call('GET', '/api/v1/main/kv', { query });
    const byNs = (await call({ 'filters[namespace][EQUALS]': 'company.team' })).body as { results: { key: string }[]; total: number };
    expect(byNs.results.map((e) => e.key)).toEqual(['alpha', 'beta']);
    const prefixed = (await call({ 'filters[namespace][PREFIX]': 'company', q: 'alpha', sort: 'namespace:asc' })).body as {
      results: { namespace: string; key: string }[];
    };
    expect(prefixed.results.map((e) => `${e.namespace}:${e.key}`)).toEqual(['company.data:alpha_2', 'company.team:alpha']);
    const paged = (await call({ size: '2', page: '2', sort: 'key:desc' })).body as { results: { key: string }[]; total: number };
    expect(paged.total).toBe(4);
    expect(paged.results.map((e) => e.key)).toEqual(['alpha', 'alpha']);
  });

  it('answers 400 for a bad key, namespace, body or ttl, and stores nothing', async () => {
    const api = namespaceApi();
    const json = { contentType: 'application/json' };
    expect((await api.call('PUT', `${KV}/bad key`, { body: '1', ...json })).status).toBe(400);
    expect((await api.call('PUT', `${KV}/.hidden`, { body: '1', ...json })).status).toBe(400);
    expect((await api.call('PUT', '/api/v1/main/namespaces/a..b/kv/k', { body: '1', ...json })).status).toBe(400);
    expect((await api.call('PUT', `${KV}/k`, { body: '{broken', ...json })).status).toBe(400);
    expect((await api.call('PUT', `${KV}/k`, { body: '1', ...json, headers: { ttl: 'one hour' } })).status).toBe(400);
    expect((await api.call('PUT', `${KV}/k`, { body: '1', ...json, headers: { ttl: 'PT0S' } })).status).toBe(400);
    expect((await api.call('DELETE', KV, { body: '{"keys":"k"}', ...json })).status).toBe(400);
    expect((await api.call('GET', `${KV}/nothing`)).status).toBe(404);
    expect(await api.ports.kv.list('main', undefined, api.clock.now())).toEqual([]);
  });
});

describe('secrets API', () => {
  it('lists secret keys by scope and never returns a value', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wh-secrets-'));
    const file = join(dir, 'secrets.json');
    writeFileSync(file, JSON.stringify({ namespaces: { company: { PARENT_KEY: 'parent-value-123' }, 'company.team': { TEAM_KEY: 'team-value-456' } } }));
    const api = namespaceApi({ env: { SECRET_API_TOKEN: Buffer.from('tenant-value-789').toString('base64') }, secretsFile: file });
    const tenant = await api.call('GET', '/api/v1/main/secrets');
    expect(tenant.body).toEqual({ results: [{ key: 'API_TOKEN', namespace: null, description: null, tags: [] }], total: 1, readOnly: true });
    const team = await api.call('GET', '/api/v1/main/namespaces/company.team/secrets');
    expect((team.body as { results: { key: string }[] }).results.map((r) => r.key)).toEqual(['TEAM_KEY']);
    const inherited = await api.call('GET', '/api/v1/main/namespaces/company.team/inherited-secrets');
    expect(inherited.body).toEqual({ company: ['PARENT_KEY'], '': ['API_TOKEN'] });
    const everything = JSON.stringify([tenant.body, team.body, inherited.body]);
    for (const v of ['tenant-value-789', 'parent-value-123', 'team-value-456', 'dGVuYW50']) expect(everything).not.toContain(v);
  });
});
