import type { LocalServer } from '@windhover/local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, startE2eServer } from '../e2e/local-client';

let server: LocalServer;
let api: ReturnType<typeof client>;
beforeAll(async () => {
  server = await startE2eServer();
  api = client(server.url);
});
afterAll(async () => {
  await server?.close();
});

const flow = (id: string, msg: string, readOnly = true) =>
  `id: ${id}\nnamespace: prod\n${readOnly ? 'labels:\n  system.readOnly: "true"\n' : ''}tasks:\n  - id: log\n    type: io.kestra.plugin.core.log.Log\n    message: ${msg}\n`;

const yaml = (body: string, headers: Record<string, string> = {}) => ({ body, contentType: 'application/x-yaml', ...headers });

async function call(method: string, path: string, body?: string, headers: Record<string, string> = {}) {
  return fetch(`${server.url}${path}`, {
    method,
    headers: { authorization: `Basic ${Buffer.from('e2e@windhover.dev:e2e-password-not-default').toString('base64')}`, 'content-type': 'application/x-yaml', ...headers },
    ...(body !== undefined ? { body } : {}),
  });
}

describe('read-only flows (system.readOnly: "true")', () => {
  it('refuses hand edits and deletes with 409, even when the edit drops the label', async () => {
    expect((await api.call('POST', '/api/v1/main/flows', yaml(flow('locked', 'v1')))).status).toBe(200);
    const edit = await call('PUT', '/api/v1/main/flows/prod/locked', flow('locked', 'hand edit'));
    expect(edit.status).toBe(409);
    expect(((await edit.json()) as { message: string }).message).toMatch(/read-only.*X-Windhover-Managed-By/);
    expect((await call('PUT', '/api/v1/main/flows/prod/locked', flow('locked', 'sneaky', false))).status).toBe(409);
    expect((await call('DELETE', '/api/v1/main/flows/prod/locked')).status).toBe(409);
    expect((await call('POST', '/api/v1/main/flows/prod?delete=true', flow('other', 'x', false))).status).toBe(409);
    const current = await api.call('GET', '/api/v1/main/flows/prod/locked?source=true');
    expect(current.json['source']).toContain('message: v1');
  });

  it('lets a deploy that says it manages the flow change it, and allows identical redeploys', async () => {
    expect((await api.call('POST', '/api/v1/main/flows', yaml(flow('managed', 'v1')))).status).toBe(200);
    expect((await call('PUT', '/api/v1/main/flows/prod/managed', flow('managed', 'v1'))).status).toBe(200);
    expect((await call('PUT', '/api/v1/main/flows/prod/managed', flow('managed', 'v2'), { 'x-windhover-managed-by': 'windhover-cli' })).status).toBe(200);
    expect((await api.call('GET', '/api/v1/main/flows/prod/managed?source=true')).json['source']).toContain('message: v2');
    expect((await call('DELETE', '/api/v1/main/flows/prod/managed?managedBy=ci')).status).toBe(204);
  });

  it('leaves flows without the label editable', async () => {
    expect((await api.call('POST', '/api/v1/main/flows', yaml(flow('open', 'v1', false)))).status).toBe(200);
    expect((await call('PUT', '/api/v1/main/flows/prod/open', flow('open', 'v2', false))).status).toBe(200);
  });
});
