import { createCoreFlowValidator } from '@windhover/runtime';
import { createTaskRegistry } from '@windhover/tasks';
import { describe, expect, it } from 'vitest';
import { createZip } from '../../packages/runtime/src/http/zip';
import { apiHarness } from './api-harness';

const YAML = 'application/x-yaml';
const validator = createCoreFlowValidator(createTaskRegistry());
const api = () => apiHarness({ validator });

type Json = Record<string, unknown>;
type ErrorBody = { message: string; _embedded: { errors: { message: string; path?: string }[] } };

/** A flow whose first task calls `target` (namespace.id) with a Subflow task, or only logs without a target. */
const flow = (namespace: string, id: string, target?: { namespace: string; flowId: string }, type = 'io.kestra.plugin.core.flow.Subflow') =>
  `id: ${id}\nnamespace: ${namespace}\ntasks:\n${
    target ? `  - id: call\n    type: ${type}\n    namespace: ${target.namespace}\n    flowId: ${target.flowId}\n` : '  - id: log\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n'
  }`;

const errors = (body: unknown) => (body as ErrorBody)._embedded.errors;

describe('subflow cycles across flows (POST/PUT /flows)', () => {
  it('rejects a flow that closes a cycle A -> B -> A with 422 naming the chain and the task path, and stores nothing', async () => {
    const h = api();
    expect((await h.call('POST', '/api/v1/main/flows', { body: flow('company.b', 'child', { namespace: 'company.a', flowId: 'parent' }), contentType: YAML })).status).toBe(200);
    const r = await h.call('POST', '/api/v1/main/flows', { body: flow('company.a', 'parent', { namespace: 'company.b', flowId: 'child' }), contentType: YAML });
    expect(r.status).toBe(422);
    expect(errors(r.body)).toEqual([
      {
        message: 'tasks[0].flowId: Recursive call to flow [company.a.parent]: company.a.parent -> company.b.child -> company.a.parent',
        path: 'tasks[0].flowId',
      },
    ]);
    expect((await h.call('GET', '/api/v1/main/flows/company.a/parent')).status).toBe(404);
  });

  it('rejects an update that makes a nested legacy Flow task call back through two other flows, keeping the stored revision', async () => {
    const h = api();
    await h.call('POST', '/api/v1/main/flows', { body: flow('acme', 'a'), contentType: YAML });
    // b -> c (ForEachItem) -> a
    await h.call('POST', '/api/v1/main/flows', { body: flow('acme', 'b', { namespace: 'acme', flowId: 'c' }), contentType: YAML });
    const c = `id: c\nnamespace: acme\ntasks:\n  - id: each\n    type: io.kestra.plugin.core.flow.ForEachItem\n    items: "{{ inputs.file }}"\n    batch:\n      rows: 10\n    namespace: acme\n    flowId: a\n`;
    expect((await h.call('POST', '/api/v1/main/flows', { body: c, contentType: YAML })).status).toBe(200);
    const a2 = `id: a\nnamespace: acme\ntasks:\n  - id: check\n    type: io.kestra.plugin.core.flow.If\n    condition: "{{ true }}"\n    then:\n      - id: call\n        type: io.kestra.core.tasks.flows.Flow\n        namespace: acme\n        flowId: b\n`;
    const r = await h.call('PUT', '/api/v1/main/flows/acme/a', { body: a2, contentType: YAML });
    expect(r.status).toBe(422);
    expect(errors(r.body)[0]).toMatchObject({ path: 'tasks[0].then[0].flowId', message: expect.stringContaining('acme.a -> acme.b -> acme.c -> acme.a') });
    expect(((await h.call('GET', '/api/v1/main/flows/acme/a')).body as Json)['revision']).toBe(1);
  });

  it('does not follow calls whose namespace or flowId is an expression, nor calls to deleted flows', async () => {
    const h = api();
    await h.call('POST', '/api/v1/main/flows', { body: flow('acme', 'b', { namespace: 'acme', flowId: 'a' }), contentType: YAML });
    const dynamic = flow('acme', 'a', { namespace: 'acme', flowId: '"{{ inputs.target }}"' });
    expect((await h.call('POST', '/api/v1/main/flows', { body: dynamic, contentType: YAML })).status).toBe(200);
    expect((await h.call('DELETE', '/api/v1/main/flows/acme/b')).status).toBe(204);
    const staticCall = await h.call('PUT', '/api/v1/main/flows/acme/a', { body: flow('acme', 'a', { namespace: 'acme', flowId: 'b' }), contentType: YAML });
    expect(staticCall.status).toBe(200);
    expect((staticCall.body as Json)['revision']).toBe(2);
    // b comes back calling a: now the cycle closes.
    const back = await h.call('POST', '/api/v1/main/flows', { body: flow('acme', 'b', { namespace: 'acme', flowId: 'a' }), contentType: YAML });
    expect(back.status).toBe(422);
    expect(errors(back.body)[0]?.message).toContain('acme.b -> acme.a -> acme.b');
  });
});

describe('subflow cycles in multi-document saves', () => {
  it('rejects a namespace update whose flows call each other, applying none of it (no save, no delete)', async () => {
    const h = api();
    await h.call('POST', '/api/v1/main/flows', { body: flow('team', 'old'), contentType: YAML });
    const body = `${flow('team', 'a', { namespace: 'team', flowId: 'b' })}---\n${flow('team', 'b', { namespace: 'team', flowId: 'a' })}`;
    const r = await h.call('POST', '/api/v1/main/flows/team', { body, contentType: YAML });
    expect(r.status).toBe(422);
    expect(errors(r.body).map((e) => e.message)).toEqual([
      'tasks[0].flowId: Recursive call to flow [team.a]: team.a -> team.b -> team.a',
      'tasks[0].flowId: Recursive call to flow [team.b]: team.b -> team.a -> team.b',
    ]);
    const listed = (await h.call('GET', '/api/v1/main/flows/team')).body as Json[];
    expect(listed.map((f) => f['id'])).toEqual(['old']);
  });

  it('accepts a bulk body that breaks a stored cycle path, whatever the order of its documents', async () => {
    const h = api();
    // Stored: b -> a. The body changes b to call nothing and a to call b: fine as a whole,
    // although saving a alone first would close a cycle with the stored b.
    await h.call('POST', '/api/v1/main/flows', { body: flow('team', 'b', { namespace: 'team', flowId: 'a' }), contentType: YAML });
    const body = `${flow('team', 'a', { namespace: 'team', flowId: 'b' })}---\n${flow('team', 'b')}`;
    const r = await h.call('POST', '/api/v1/main/flows/bulk', { body, contentType: YAML, query: { delete: 'false' } });
    expect(r.status).toBe(200);
    expect((r.body as Json[]).map((f) => [f['id'], f['revision']])).toEqual([
      ['a', 1],
      ['b', 2],
    ]);
  });

  it('counts the flows a namespace update deletes as gone', async () => {
    const h = api();
    // Stored: x -> y. The update holds only y -> x, so it deletes x: with x gone there is no cycle.
    await h.call('POST', '/api/v1/main/flows', { body: flow('ns', 'x', { namespace: 'ns', flowId: 'y' }), contentType: YAML });
    const r = await h.call('POST', '/api/v1/main/flows/ns', { body: flow('ns', 'y', { namespace: 'ns', flowId: 'x' }), contentType: YAML });
    expect(r.status).toBe(200);
    expect((r.body as Json[]).map((f) => [f['id'], f['deleted']])).toEqual([
      ['x', true],
      ['y', false],
    ]);
  });

  it('reports the cycle of every document in /flows/validate, and rejects an import that forms one', async () => {
    const h = api();
    const a = flow('imp', 'a', { namespace: 'imp', flowId: 'b' });
    const b = flow('imp', 'b', { namespace: 'imp', flowId: 'a' });
    const v = await h.call('POST', '/api/v1/main/flows/validate', { body: `${a}---\n${b}`, contentType: YAML });
    expect(v.status).toBe(200);
    expect((v.body as Json[]).map((x) => x['constraints'])).toEqual([
      'tasks[0].flowId: Recursive call to flow [imp.a]: imp.a -> imp.b -> imp.a',
      'tasks[0].flowId: Recursive call to flow [imp.b]: imp.b -> imp.a -> imp.b',
    ]);
    const zip = createZip([
      { name: 'a.yml', data: new TextEncoder().encode(a) },
      { name: 'b.yml', data: new TextEncoder().encode(b) },
    ]);
    const boundary = 'wh-boundary';
    const head = `--${boundary}\r\nContent-Disposition: form-data; name="fileUpload"; filename="flows.zip"\r\nContent-Type: application/zip\r\n\r\n`;
    const form = Buffer.concat([Buffer.from(head), Buffer.from(zip), Buffer.from(`\r\n--${boundary}--\r\n`)]);
    const imported = await h.call('POST', '/api/v1/main/flows/import', { body: new Uint8Array(form), contentType: `multipart/form-data; boundary=${boundary}` });
    expect(imported.status).toBe(422);
    expect((await h.call('GET', '/api/v1/main/flows/imp')).body).toEqual([]);
  });
});
