import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUTH, type Json } from '../e2e/local-client';
import { type SecretsE2e, TEAM_SECRET, TOKEN, startSecretsE2e, stateOf } from './secrets-e2e-server';

const FILES = '/api/v1/main/namespaces/company.team/files';

const taskRun = (execution: Json, taskId: string): Json | undefined =>
  (execution['taskRunList'] as Json[] | undefined)?.find((t) => t['taskId'] === taskId);
const outputs = (execution: Json, taskId: string): Json => (taskRun(execution, taskId)?.['outputs'] as Json | undefined) ?? {};

describe('namespace files, KV and secrets end to end over HTTP (local edition)', () => {
  let env: SecretsE2e;
  let api: SecretsE2e['api'];
  let echoUrl: string;
  const run = (source: string): Promise<Json> => env.run(source);

  beforeAll(async () => {
    env = await startSecretsE2e();
    api = env.api;
    echoUrl = env.echoUrl;
  });
  afterAll(async () => {
    await env?.close();
  });

  it('uploads a Python script as a namespace file, reads it with read() and runs it with namespaceFiles', async () => {
    const script = 'import sys\nprint("hello from a namespace file", sys.version_info[0])\n';
    const form = new FormData();
    form.append('fileContent', new Blob([script]), 'hello.py');
    const up = await api.call('POST', `${FILES}?path=/scripts/hello.py`, { body: form });
    expect(up.status, up.text).toBe(200);

    const execution = await run(`id: nsfile_reader
namespace: company.team
tasks:
  - id: read
    type: io.kestra.plugin.core.debug.Return
    format: "{{ read('scripts/hello.py') }}"
  - id: read_uri
    type: io.kestra.plugin.core.debug.Return
    format: "{{ read('nsfile:///scripts/hello.py') | length }}"
  - id: run
    type: io.kestra.plugin.scripts.shell.Commands
    taskRunner:
      type: io.kestra.plugin.core.runner.Process
    namespaceFiles:
      enabled: true
      include:
        - /scripts/**
    commands:
      - python3 scripts/hello.py
`);
    expect(stateOf(execution)).toBe('SUCCESS');
    expect(outputs(execution, 'read')['value']).toBe(script);
    expect(outputs(execution, 'read_uri')['value']).toBe(String(script.length));
    const logs = await api.call('GET', `/api/v1/main/logs/${execution['id']}`);
    expect(logs.text).toContain('hello from a namespace file 3');
  });

  it('refuses a namespace file upload above 50 MB over HTTP with 413 and keeps the namespace unchanged', async () => {
    const form = new FormData();
    form.append('fileContent', new Blob([new Uint8Array(50 * 1024 * 1024 + 1)]), 'big.bin');
    const res = await api.call('POST', `${FILES}?path=/big.bin`, { body: form });
    expect(res.status).toBe(413);
    expect((await api.call('GET', `${FILES}/stats?path=/big.bin`)).status).toBe(404);
  });

  it('accepts the ttl header of a KV PUT over HTTP', async () => {
    const res = await fetch(`${env.server.url}/api/v1/main/namespaces/company.team/kv/short`, {
      method: 'PUT',
      headers: { authorization: AUTH, 'content-type': 'application/json', ttl: 'PT1H' },
      body: '"soon gone"',
    });
    expect(res.status).toBe(200);
    const detail = await api.call('GET', '/api/v1/main/namespaces/company.team/kv/short/detail');
    expect(Date.parse(String(detail.json['expirationDate'])) - Date.parse(String(detail.json['updateDate']))).toBe(3_600_000);
  });

  it('sets a KV value with a TTL in one execution, reads it from another, and loses it at expiry', async () => {
    const setter = await run(`id: kv_setter
namespace: company.team
tasks:
  - id: set
    type: io.kestra.plugin.core.kv.Set
    key: session
    value: "abc-{{ execution.id }}"
    ttl: PT2S
  - id: count
    type: io.kestra.plugin.core.kv.Set
    key: counter
    value: "41"
    kvType: NUMBER
`);
    expect(stateOf(setter)).toBe('SUCCESS');
    const detail = await api.call('GET', '/api/v1/main/namespaces/company.team/kv/session/detail');
    const expiresAt = Date.parse(String(detail.json['expirationDate']));
    expect(expiresAt - Date.parse(String(detail.json['updateDate']))).toBe(2000);
    expect((await api.call('GET', '/api/v1/main/namespaces/company.team/kv/counter')).json).toEqual({ type: 'NUMBER', value: 41 });

    const reader = `id: kv_reader
namespace: company.team
tasks:
  - id: get
    type: io.kestra.plugin.core.kv.Get
    key: session
  - id: fn
    type: io.kestra.plugin.core.debug.Return
    format: "{{ kv('session', errorOnMissing=false) }}"
  - id: next
    type: io.kestra.plugin.core.debug.Return
    format: "{{ kv('counter') + 1 }}"
`;
    const before = await run(reader);
    expect(stateOf(before)).toBe('SUCCESS');
    expect(outputs(before, 'get')['value']).toBe(`abc-${setter['id']}`);
    expect(outputs(before, 'fn')['value']).toBe(`abc-${setter['id']}`);
    expect(outputs(before, 'next')['value']).toBe('42');

    await new Promise((r) => setTimeout(r, Math.max(0, expiresAt - Date.now() + 50)));
    const after = await api.execute('company.team', 'kv_reader', undefined, '?wait=true');
    expect(stateOf(after.json)).toBe('SUCCESS');
    expect(outputs(after.json, 'get')['value']).toBeNull();
    expect(outputs(after.json, 'fn')['value'] ?? '').toBe('');
    expect((await api.call('GET', '/api/v1/main/namespaces/company.team/kv/session')).status).toBe(404);
  });

  it('fails kv.Set with overwrite: false on an existing key and keeps the value', async () => {
    await api.call('PUT', '/api/v1/main/namespaces/company.team/kv/locked', { body: '"original"', contentType: 'application/json' });
    const execution = await run(`id: kv_no_overwrite
namespace: company.team
tasks:
  - id: set
    type: io.kestra.plugin.core.kv.Set
    key: locked
    value: replaced
    overwrite: false
`);
    expect(stateOf(execution)).toBe('FAILED');
    const logs = await api.call('GET', `/api/v1/main/logs/${execution['id']}`);
    expect(logs.text).toContain("key 'locked'");
    expect((await api.call('GET', '/api/v1/main/namespaces/company.team/kv/locked')).json).toEqual({ type: 'STRING', value: 'original' });
  });

  it('resolves a namespace-scoped secret from a parent namespace', async () => {
    const execution = await run(`id: team_secret
namespace: company.team
tasks:
  - id: len
    type: io.kestra.plugin.core.debug.Return
    format: "{{ secret('TEAM_SECRET') | length }}"
`);
    expect(stateOf(execution)).toBe('SUCCESS');
    expect(outputs(execution, 'len')['value']).toBe(String(TEAM_SECRET.length));
  });

  it('masks a secret in every stored log line: plain, inside a larger string, printed by a script', async () => {
    const execution = await run(`id: leaky
namespace: company.team
tasks:
  - id: plain
    type: io.kestra.plugin.core.log.Log
    message: "token={{ secret('API_TOKEN') }}"
  - id: embedded
    type: io.kestra.plugin.core.log.Log
    message: "Authorization: Bearer{{ secret('API_TOKEN') }}/and-more"
  - id: script
    type: io.kestra.plugin.scripts.shell.Commands
    taskRunner:
      type: io.kestra.plugin.core.runner.Process
    env:
      TOK: "{{ secret('API_TOKEN') }}"
    commands:
      - echo "printed $TOK by a script"
      - echo "direct {{ secret('API_TOKEN') }}"
  - id: http
    type: io.kestra.plugin.core.http.Request
    uri: ${echoUrl}
    headers:
      Authorization: "Bearer {{ secret('API_TOKEN') }}"
`);
    expect(stateOf(execution)).toBe('SUCCESS');
    const logs = await api.call('GET', `/api/v1/main/logs/${execution['id']}`);
    expect(logs.status).toBe(200);
    expect(logs.text).toContain('token=');
    expect(logs.text).toContain('printed ');
    expect(logs.text).not.toContain(TOKEN);
    const download = await api.call('GET', `/api/v1/main/logs/${execution['id']}/download`);
    expect(download.text).not.toContain(TOKEN);
  });

  it('masks a secret inside error messages of failed tasks', async () => {
    const execution = await run(`id: failing_with_secret
namespace: company.team
tasks:
  - id: call
    type: io.kestra.plugin.core.http.Request
    uri: "http://127.0.0.1:1/{{ secret('API_TOKEN') }}"
`);
    expect(stateOf(execution)).toBe('FAILED');
    const logs = await api.call('GET', `/api/v1/main/logs/${execution['id']}`);
    expect(logs.text).toContain('ERROR');
    expect(logs.text).not.toContain(TOKEN);
    expect(JSON.stringify(execution)).not.toContain(TOKEN);
  });

  it('fails a task that reads a missing secret with a message naming the key, without a stack trace', async () => {
    const execution = await run(`id: missing_secret
namespace: company.team
tasks:
  - id: use
    type: io.kestra.plugin.core.log.Log
    message: "{{ secret('DOES_NOT_EXIST') }}"
`);
    expect(stateOf(execution)).toBe('FAILED');
    const logs = await api.call('GET', `/api/v1/main/logs/${execution['id']}`);
    const messages = (logs.json as unknown as Json[]).map((l) => String(l['message'])).join('\n');
    expect(messages).toContain("Secret 'DOES_NOT_EXIST'");
    expect(messages).not.toMatch(/\n\s+at /);
  });

  it('lists secret keys over HTTP without their values', async () => {
    const res = await api.call('GET', '/api/v1/main/secrets');
    expect(res.status).toBe(200);
    expect((res.json['results'] as Json[]).map((r) => r['key'])).toEqual(['API_TOKEN']);
    const inherited = await api.call('GET', '/api/v1/main/namespaces/company.team/inherited-secrets');
    expect(inherited.json).toEqual({ company: ['TEAM_SECRET'], '': ['API_TOKEN'] });
    expect(res.text + inherited.text).not.toContain(TOKEN);
    expect(res.text + inherited.text).not.toContain(TEAM_SECRET);
  });
});
