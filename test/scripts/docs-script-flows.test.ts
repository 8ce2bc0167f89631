import type { LocalServer } from '@windhover/local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Json, client, startE2eServer } from '../e2e/local-client';
import { docsFlow, logsOf, runFlow } from './script-harness';

/**
 * The documentation's script examples that need no external service
 * (no Docker Hub, no PyPI, no Kestra Python library), run as written on the
 * local edition over HTTP.
 */
describe('documentation script examples on the local edition', () => {
  let server: LocalServer;
  let api: ReturnType<typeof client>;

  beforeAll(async () => {
    server = await startE2eServer();
    api = client(server.url);
    for (const [path, content] of [
      ['/file1.txt', 'one'],
      ['/file2.txt', 'two'],
      ['/file3.json', '{}'],
    ]) {
      const form = new FormData();
      form.append('fileContent', new Blob([content]), path.slice(1));
      const up = await api.call('POST', `/api/v1/main/namespaces/company.team/files?path=${path}`, { body: form });
      expect(up.status, up.text).toBe(200);
    }
  });
  afterAll(async () => {
    await server?.close();
  });

  const run = async (prefix: string, flowId: string, form?: FormData): Promise<{ execution: Json; logs: string[] }> => {
    const execution = await runFlow(api, docsFlow(prefix), flowId, form);
    return { execution, logs: (await logsOf(api, String(execution['id']))).map((l) => l.message) };
  };
  const fileForm = (id: string, content: string) => {
    const form = new FormData();
    form.append(id, new Blob([content]), 'upload.txt');
    return form;
  };

  it('0022 stages only the included namespace files', async () => {
    const { execution, logs } = await run('0022', 'include_namespace_files');
    expect(execution['state']).toMatchObject({ current: 'SUCCESS' });
    expect(logs).toEqual(expect.arrayContaining(['file1.txt', 'file3.json']));
    expect(logs).not.toContain('file2.txt');
  });

  it('0023 stages every namespace file but the excluded ones', async () => {
    const { execution, logs } = await run('0023', 'exclude_namespace_files');
    expect(execution['state']).toMatchObject({ current: 'SUCCESS' });
    expect(logs).toContain('file2.txt');
    expect(logs).not.toContain('file1.txt');
    expect(logs).not.toContain('file3.json');
  });

  it('0104 cats an uploaded JSON FILE input', async () => {
    const { execution, logs } = await run('0104', 'large_json_payload', fileForm('myCustomFileInput', '{"big":true}\n'));
    expect(execution['state']).toMatchObject({ current: 'SUCCESS' });
    expect(logs).toContain('{"big":true}');
  });

  it('0109 reads a FILE input from a script and with read()', async () => {
    const { execution, logs } = await run('0109', 'subflow', fileForm('items', 'line-a\n'));
    expect(execution['state']).toMatchObject({ current: 'SUCCESS' });
    expect(logs.filter((l) => l.startsWith('line-a'))).toHaveLength(2);
  });

  it('0118 renames a FILE input whose id has a hyphen', async () => {
    const { execution } = await run('0118', 'input_files', fileForm('my-file', 'renamed'));
    expect(execution['state']).toMatchObject({ current: 'SUCCESS' });
    const run1 = (execution['taskRunList'] as Json[]).find((t) => t['taskId'] === 'rename');
    const outputs = (run1?.['outputs'] ?? {}) as Json;
    expect(Object.keys((outputs['outputFiles'] ?? {}) as Json)).toEqual(['output.tmp']);
  });

  it('0139 succeeds on the fifth attempt, ending WARNING because of warningOnRetry', async () => {
    const { execution } = await run('0139', 'retry');
    const failed = (execution['taskRunList'] as Json[]).find((t) => t['taskId'] === 'failed');
    expect(((failed?.['attempts'] ?? []) as Json[]).length).toBe(5);
    expect(execution['state']).toMatchObject({ current: 'WARNING' });
  });
});
