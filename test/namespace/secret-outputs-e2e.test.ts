/*
 * Secrets must not leak through task outputs, through a later task that logs
 * them, or through the logs of tasks the executor runs itself; a missing
 * secret's error names the namespace it was looked up in.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Json } from '../e2e/local-client';
import { type SecretsE2e, TOKEN, startSecretsE2e, stateOf } from './secrets-e2e-server';

describe('secrets never leak through task outputs (local edition over HTTP)', () => {
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

  it('never returns a secret in execution documents or task outputs', async () => {
    const execution = await run(`id: leaky_outputs
namespace: company.team
tasks:
  - id: ret
    type: io.kestra.plugin.core.debug.Return
    format: "value={{ secret('API_TOKEN') }}"
  - id: http
    type: io.kestra.plugin.core.http.Request
    uri: ${echoUrl}
    headers:
      Authorization: "Bearer {{ secret('API_TOKEN') }}"
`);
    expect(stateOf(execution)).toBe('SUCCESS');
    expect(JSON.stringify(execution)).not.toContain(TOKEN);
    const fetched = await api.execution(String(execution['id']));
    expect(fetched.text).not.toContain(TOKEN);
    const search = await api.call('GET', '/api/v1/main/executions/search?filters[namespace][EQUALS]=company.team&size=100');
    expect(search.text).not.toContain(TOKEN);
  });

  it('masks a secret echoed by an HTTP response when a later task logs that response', async () => {
    const execution = await run(`id: echo_then_log
namespace: company.team
tasks:
  - id: http
    type: io.kestra.plugin.core.http.Request
    uri: ${echoUrl}
    headers:
      Authorization: "Bearer {{ secret('API_TOKEN') }}"
  - id: log_echo
    type: io.kestra.plugin.core.log.Log
    message: "server said {{ outputs.http.body }}"
`);
    expect(stateOf(execution)).toBe('SUCCESS');
    const logs = await api.call('GET', `/api/v1/main/logs/${execution['id']}`);
    expect(logs.text).toContain('server said');
    expect(logs.text).not.toContain(TOKEN);
  });

  it('masks a secret in a Fail task message', async () => {
    const execution = await run(`id: fail_with_secret
namespace: company.team
tasks:
  - id: fail
    type: io.kestra.plugin.core.execution.Fail
    errorMessage: "cannot go on with {{ secret('API_TOKEN') }}"
`);
    expect(stateOf(execution)).toBe('FAILED');
    const logs = await api.call('GET', `/api/v1/main/logs/${execution['id']}`);
    expect(logs.text + JSON.stringify(execution)).not.toContain(TOKEN);
  });

  it('fails a task that reads a missing secret with a message naming the namespace', async () => {
    const execution = await run(`id: missing_secret_ns
namespace: company.team
tasks:
  - id: use
    type: io.kestra.plugin.core.log.Log
    message: "{{ secret('DOES_NOT_EXIST') }}"
`);
    expect(stateOf(execution)).toBe('FAILED');
    const logs = await api.call('GET', `/api/v1/main/logs/${execution['id']}`);
    const messages = (logs.json as unknown as Json[]).map((l) => String(l['message'])).join('\n');
    expect(messages).toContain("Secret 'DOES_NOT_EXIST' not found in namespace 'company.team'");
  });

});
