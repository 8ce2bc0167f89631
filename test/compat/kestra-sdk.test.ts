import { createRequire } from 'node:module';
import type { LocalServer } from '@windhover/local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, USER, startE2eServer } from '../e2e/local-client';

/**
 * Kestra's own JavaScript client (@kestra-io/kestra-sdk, generated from
 * Kestra's OpenAPI document) against the local edition: the promise that
 * Kestra's API clients work against Windhover, checked with the real client.
 * Two defects of the published 0.24.1 package are worked around with the
 * same client's callApi, sending exactly what the SDK method sends: FlowsApi
 * cannot be loaded (it requires a model file missing from the package), and
 * createExecution declares an array response where Kestra (and Kestra's Java
 * SDK from the same generator) returns one ExecutionControllerExecutionResponse.
 */
const require = createRequire(import.meta.url);
type Callback = (error: unknown, data: unknown, response: { status: number; text: string }) => void;
interface SdkApiClient {
  basePath: string;
  authentications: { basicAuth: { username: string; password: string } };
  callApi(path: string, method: string, pathParams: object, queryParams: object, headerParams: object, formParams: object, body: unknown, authNames: string[], contentTypes: string[], accepts: string[], returnType: unknown, apiBasePath: unknown, callback: Callback): void;
}
type Api = Record<string, (...args: unknown[]) => void>;
const ApiClient = require('@kestra-io/kestra-sdk/dist/ApiClient').default as new (basePath: string) => SdkApiClient;
const ExecutionsApi = require('@kestra-io/kestra-sdk/dist/api/ExecutionsApi').default as new (c: SdkApiClient) => Api;
const KVApi = require('@kestra-io/kestra-sdk/dist/api/KVApi').default as new (c: SdkApiClient) => Api;
const LogsApi = require('@kestra-io/kestra-sdk/dist/api/LogsApi').default as new (c: SdkApiClient) => Api;

/** Calls an SDK method (callback style) and resolves with its data and raw response. */
const call = (api: Api, method: string, ...args: unknown[]): Promise<{ data: Record<string, unknown> & unknown[]; status: number; text: string }> =>
  new Promise((resolve, reject) => {
    api[method](...args, (error: unknown, data: unknown, response: { status: number; text: string }) => {
      if (error) reject(Object.assign(new Error(`${method} failed: ${String((error as Error).message)} ${response?.text ?? ''}`), { status: response?.status }));
      else resolve({ data: data as Record<string, unknown> & unknown[], status: response.status, text: response.text });
    });
  });

const FLOW = `id: sdk_flow
namespace: company.team
labels:
  owner: data
inputs:
  - id: name
    type: STRING
    defaults: SDK
tasks:
  - id: hello
    type: io.kestra.plugin.core.log.Log
    message: "Hello {{ inputs.name }} {{ kv('greeting') }}"
  - id: out
    type: io.kestra.plugin.core.output.OutputValues
    values:
      said: "Hello {{ inputs.name }}"
outputs:
  - id: said
    type: STRING
    value: "{{ outputs.out.values.said }}"
`;

describe("Kestra's JavaScript SDK against the local edition", () => {
  let server: LocalServer;
  let client: SdkApiClient;

  beforeAll(async () => {
    server = await startE2eServer();
    client = new ApiClient(server.url);
    client.authentications.basicAuth.username = USER;
    client.authentications.basicAuth.password = PASSWORD;
  });
  afterAll(async () => {
    await server?.close();
  });

  it('creates a flow from YAML source the way FlowsApi.createFlow sends it', async () => {
    const created = await new Promise<{ status: number; data: Record<string, unknown> }>((resolve, reject) =>
      client.callApi('/api/v1/{tenant}/flows', 'POST', { tenant: 'main' }, {}, {}, {}, FLOW, ['basicAuth'], ['application/x-yaml'], ['application/json'], Object, null, (error, data, response) =>
        error ? reject(error) : resolve({ status: response.status, data: data as Record<string, unknown> }),
      ),
    );
    expect(created.status).toBe(200);
    expect(created.data).toMatchObject({ id: 'sdk_flow', namespace: 'company.team', revision: 1 });
  });

  it('sets and reads a KV pair with KVApi', async () => {
    const kv = new KVApi(client);
    await call(kv, 'setKeyValue', 'company.team', 'greeting', 'main', '"from the SDK"');
    const got = await call(kv, 'getKeyValue', 'company.team', 'greeting', 'main');
    expect(got.data).toMatchObject({ type: 'STRING', value: 'from the SDK' });
    const keys = await call(kv, 'listKeys', 'company.team', 'main');
    expect((keys.data as unknown as { key: string }[]).map((k) => k.key)).toContain('greeting');
  });

  it('runs an execution synchronously with ExecutionsApi.createExecution (wait=true) and reads it back', async () => {
    const executions = new ExecutionsApi(client);
    const created = await new Promise<{ status: number; text: string }>((resolve, reject) =>
      client.callApi(
        '/api/v1/{tenant}/executions/{namespace}/{id}',
        'POST',
        { tenant: 'main', namespace: 'company.team', id: 'sdk_flow' },
        { labels: ['team:platform'], wait: true },
        {},
        {},
        null,
        ['basicAuth'],
        ['multipart/form-data'],
        ['application/json'],
        Object,
        null,
        (error, _data, response) => (error ? reject(error) : resolve(response)),
      ),
    );
    expect(created.status).toBe(200);
    const body = JSON.parse(created.text) as Record<string, unknown>;
    expect(body['state']).toMatchObject({ current: 'SUCCESS' });
    expect(body['outputs']).toEqual({ said: 'Hello SDK' });
    expect(body['labels']).toEqual(expect.arrayContaining([{ key: 'team', value: 'platform' }, { key: 'owner', value: 'data' }]));

    const fetched = await call(executions, 'getExecution', body['id'], 'main');
    expect(JSON.parse(fetched.text)).toMatchObject({ id: body['id'], flowId: 'sdk_flow', state: { current: 'SUCCESS' } });

    const logs = await call(new LogsApi(client), 'listLogsFromExecution', body['id'], 'main', {});
    expect((JSON.parse(logs.text) as { message: string }[]).map((l) => l.message)).toContain('Hello SDK from the SDK');

    const search = await call(executions, 'searchExecutions', 1, 10, 'main', { namespace: 'company.team', flowId: 'sdk_flow' });
    const page = JSON.parse(search.text) as { total: number; results: { id: string }[] };
    expect(page.total).toBeGreaterThanOrEqual(1);
    expect(page.results.map((r) => r.id)).toContain(body['id']);
  });

  it('refuses the SDK without credentials', async () => {
    const anonymous = new ApiClient(server.url);
    await expect(call(new ExecutionsApi(anonymous), 'getExecution', 'nope', 'main')).rejects.toMatchObject({ status: 401 });
  });
});
