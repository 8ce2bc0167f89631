import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LocalServer } from '@windhover/local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Json, client, startE2eServer } from './local-client';

const flow = (id: string, message: string) => `id: ${id}
namespace: company.sync
tasks:
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: ${message}
`;

async function eventually<T>(fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const start = Date.now();
  while (true) {
    const v = await fn();
    if (ok(v)) return v;
    if (Date.now() - start > timeoutMs) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('local edition with a flows folder (--flows)', () => {
  let server: LocalServer;
  let api: ReturnType<typeof client>;
  const dir = mkdtempSync(join(tmpdir(), 'wh-flows-'));

  beforeAll(async () => {
    mkdirSync(join(dir, 'nested'));
    writeFileSync(join(dir, 'first.yml'), flow('first', 'one'));
    writeFileSync(join(dir, 'nested', 'second.yaml'), flow('second', 'two'));
    writeFileSync(join(dir, 'broken.yml'), 'id: broken\nnamespace: company.sync\ntasks: []\n');
    writeFileSync(join(dir, 'notes.txt'), 'not a flow');
    server = await startE2eServer(undefined, dir);
    api = client(server.url);
  });
  afterAll(async () => {
    await server?.close();
  });

  it('loads every valid YAML file at start and skips invalid ones', async () => {
    const list = await api.call('GET', '/api/v1/main/flows/company.sync');
    expect((list.json as unknown as Json[]).map((f) => f['id']).sort()).toEqual(['first', 'second']);
  });

  it('stores a new revision when a file changes, runs it at once, and deletes the flow with its file', async () => {
    writeFileSync(join(dir, 'first.yml'), flow('first', 'edited'));
    const updated = await eventually(
      () => api.call('GET', '/api/v1/main/flows/company.sync/first'),
      (r) => r.json?.['revision'] === 2,
    );
    expect(updated.json['revision']).toBe(2);
    const run = await api.execute('company.sync', 'first', undefined, '?wait=true');
    expect((run.json['state'] as Json)['current']).toBe('SUCCESS');
    const logs = await api.call('GET', `/api/v1/main/logs/${run.json['id']}`);
    expect((logs.json as unknown as Json[]).map((l) => l['message'])).toEqual(['edited']);

    writeFileSync(join(dir, 'new.yml'), flow('third', 'three'));
    expect((await eventually(() => api.call('GET', '/api/v1/main/flows/company.sync/third'), (r) => r.status === 200)).status).toBe(200);

    rmSync(join(dir, 'nested', 'second.yaml'));
    expect((await eventually(() => api.call('GET', '/api/v1/main/flows/company.sync/second'), (r) => r.status === 404)).status).toBe(404);
    // Unchanged files keep their revision.
    expect((await api.call('GET', '/api/v1/main/flows/company.sync/first')).json['revision']).toBe(2);
  });
});
