/*
 * Secrets must not leak through task outputs, through a later task that logs
 * them, or through the logs of tasks the executor runs itself; a missing
 * secret's error names the namespace it was looked up in.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConsoleJsonLogger, type LocalServer, startLocal } from '@windhover/local';
import { createTaskRegistry } from '@windhover/tasks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { e2eValidator } from '../e2e/e2e-validator';
import { client, type Json, PASSWORD, USER } from '../e2e/local-client';

/** The secret under test: a value that cannot appear by accident. */
const TOKEN = 'tok-Zq8-nsKV-4471-secret';
const TEAM_SECRET = 'team-only-Vx93-secret';

const stateOf = (execution: Json): string => String((execution['state'] as Json)['current']);

describe('secrets never leak through task outputs (local edition over HTTP)', () => {
  let server: LocalServer;
  let api: ReturnType<typeof client>;
  let echo: Server;
  let echoUrl: string;

  beforeAll(async () => {
    // An HTTP endpoint that echoes the request's Authorization header back in its body.
    echo = createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ youSent: req.headers['authorization'] ?? null }));
    });
    await new Promise<void>((r) => echo.listen(0, '127.0.0.1', () => r()));
    echoUrl = `http://127.0.0.1:${(echo.address() as AddressInfo).port}/echo`;
    const dataDir = mkdtempSync(join(tmpdir(), 'wh-ns-e2e-'));
    const secretsFile = join(dataDir, 'secrets.json');
    writeFileSync(secretsFile, JSON.stringify({ namespaces: { company: { TEAM_SECRET } } }));
    server = await startLocal({
      dataDir,
      port: 0,
      env: { username: USER, password: PASSWORD, secretVariables: { SECRET_API_TOKEN: Buffer.from(TOKEN).toString('base64') }, secretsFile },
      logger: new ConsoleJsonLogger({ level: 'error', write: () => {} }),
      validator: e2eValidator,
      registry: createTaskRegistry(),
      tickMs: 200,
    });
    api = client(server.url);
  });
  afterAll(async () => {
    await server?.close();
    await new Promise<void>((r) => (echo ? echo.close(() => r()) : r()));
  });

  async function run(source: string): Promise<Json> {
    const created = await api.createFlow(source);
    expect(created.status, created.text).toBe(200);
    const flow = created.json as Json;
    const r = await api.execute(String(flow['namespace']), String(flow['id']), undefined, '?wait=true');
    expect(r.status, r.text).toBe(200);
    return r.json;
  }

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
