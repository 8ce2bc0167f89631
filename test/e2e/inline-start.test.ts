import type { LocalServer } from '@windhover/local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Json, client, startE2eServer } from './local-client';

/**
 * An execution whose first step ends it (only tasks the executor runs
 * itself) is run and stored by the create call; anything else starts
 * through the executor queue as before. Observable over HTTP: the create
 * response already carries the final state.
 */
let server: LocalServer;
let api: ReturnType<typeof client>;

beforeAll(async () => {
  server = await startE2eServer();
  api = client(server.url);
});
afterAll(async () => {
  await server?.close();
});

const flow = (id: string, body: string, namespace = 'company.inline') => `id: ${id}\nnamespace: ${namespace}\n${body}`;
const stateOf = (execution: Json): string => String((execution['state'] as Json)['current']);

async function create(source: string): Promise<void> {
  const r = await api.createFlow(source);
  expect(r.status, r.text).toBe(200);
}

async function execute(namespace: string, flowId: string): Promise<Json> {
  const r = await api.execute(namespace, flowId);
  expect(r.status, r.text).toBe(200);
  return r.json;
}

describe('executions that end in their first step', () => {
  it('are stored SUCCESS by the create call, with outputs and logs readable at once', async () => {
    await create(
      flow(
        'inline_only',
        `tasks:
  - id: hello
    type: io.kestra.plugin.core.log.Log
    message: "Hello {{ execution.id }}"
  - id: values
    type: io.kestra.plugin.core.output.OutputValues
    values:
      answer: "forty-{{ 1 + 1 }}"
`,
      ),
    );
    const created = await execute('company.inline', 'inline_only');
    expect(stateOf(created)).toBe('SUCCESS');
    expect((created['taskRunList'] as Json[]).map((r) => [r['taskId'], stateOf(r)])).toEqual([
      ['hello', 'SUCCESS'],
      ['values', 'SUCCESS'],
    ]);
    const stored = await api.execution(String(created['id']));
    expect(stateOf(stored.json)).toBe('SUCCESS');
    const values = (stored.json['taskRunList'] as Json[]).find((r) => r['taskId'] === 'values');
    expect((values?.['outputs'] as Json | undefined)?.['values']).toEqual({ answer: 'forty-2' });
    const logs = await api.call('GET', `/api/v1/main/logs/${String(created['id'])}`);
    expect(logs.status).toBe(200);
    expect((logs.json as Json[]).map((l) => l['message'])).toContain(`Hello ${String(created['id'])}`);
  });

  it('end FAILED in the call when a task fails, after running the errors branch', async () => {
    await create(
      flow(
        'inline_fail',
        `tasks:
  - id: boom
    type: io.kestra.plugin.core.execution.Fail
    errorMessage: "stop here"
errors:
  - id: handled
    type: io.kestra.plugin.core.log.Log
    message: "handled {{ errorLogs()[0].message ?? 'x' }}"
`,
      ),
    );
    const created = await execute('company.inline', 'inline_fail');
    expect(stateOf(created)).toBe('FAILED');
    expect((created['taskRunList'] as Json[]).map((r) => r['taskId'])).toEqual(['boom', 'handled']);
  });

  it('start through the queue when a task needs the worker, then end SUCCESS', async () => {
    await create(
      flow(
        'needs_timer',
        `tasks:
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: before
  - id: wait
    type: io.kestra.plugin.core.flow.Sleep
    duration: PT0.2S
`,
      ),
    );
    const created = await execute('company.inline', 'needs_timer');
    expect(stateOf(created)).toBe('CREATED');
    // Nothing of the discarded attempt remains: no task run, no log line yet.
    expect(created['taskRunList'] ?? []).toEqual([]);
    const ended = await api.waitForState(String(created['id']), ['SUCCESS', 'FAILED']);
    expect(stateOf(ended)).toBe('SUCCESS');
    const logs = await api.call('GET', `/api/v1/main/logs/${String(created['id'])}`);
    expect((logs.json as Json[]).filter((l) => l['message'] === 'before')).toHaveLength(1);
  });

  it('start through the queue when the flow has a concurrency limit', async () => {
    await create(
      flow(
        'limited',
        `concurrency:
  limit: 1
tasks:
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: limited
`,
      ),
    );
    const created = await execute('company.inline', 'limited');
    expect(stateOf(created)).toBe('CREATED');
    expect(stateOf(await api.waitForState(String(created['id']), ['SUCCESS']))).toBe('SUCCESS');
  });

  it('start through the queue when a Flow trigger listens for their end, and the listener starts', async () => {
    await create(flow('upstream', `tasks:\n  - id: log\n    type: io.kestra.plugin.core.log.Log\n    message: up\n`, 'company.listened'));
    await create(
      flow(
        'listener',
        `tasks:
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: "after {{ trigger.executionId }}"
triggers:
  - id: on_upstream
    type: io.kestra.plugin.core.trigger.Flow
    conditions:
      - type: io.kestra.plugin.core.condition.ExecutionFlow
        namespace: company.listened
        flowId: upstream
`,
        'company.listener',
      ),
    );
    const created = await execute('company.listened', 'upstream');
    // Saved in the same process as the execution: the new trigger is seen at once.
    expect(stateOf(created)).toBe('CREATED');
    await api.waitForState(String(created['id']), ['SUCCESS']);
    const deadline = Date.now() + 10_000;
    for (;;) {
      const found = await api.call('GET', '/api/v1/main/executions/search?namespace=company.listener&flowId=listener');
      const results = (found.json['results'] ?? []) as Json[];
      if (results.some((e) => stateOf(e) === 'SUCCESS')) break;
      if (Date.now() > deadline) throw new Error(`listener did not run: ${found.text}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    // A flow that no Flow trigger can match still ends in its create call.
    const other = await execute('company.inline', 'inline_only');
    expect(stateOf(other)).toBe('SUCCESS');
  });
});
