import { createRequire } from 'node:module';
import type { LocalServer } from '@windhover/local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, USER, client as httpClient, startE2eServer } from '../e2e/local-client';

/**
 * Kestra's JavaScript SDK (@kestra-io/kestra-sdk 0.24.1) calling the state
 * commands and the execution graph: the SDK's own ExecutionsApi methods,
 * with the SDK's models deserializing the answers.
 */
const require = createRequire(import.meta.url);
type Callback = (error: unknown, data: unknown, response: { status: number; text: string }) => void;
interface SdkApiClient {
  authentications: { basicAuth: { username: string; password: string } };
}
type Api = Record<string, (...args: unknown[]) => void>;
const ApiClient = require('@kestra-io/kestra-sdk/dist/ApiClient').default as new (basePath: string) => SdkApiClient;
const ExecutionsApi = require('@kestra-io/kestra-sdk/dist/api/ExecutionsApi').default as new (c: SdkApiClient) => Api;
const FlowGraphModel = require('@kestra-io/kestra-sdk/dist/model/FlowGraph').default as { validateJSON(data: unknown): boolean };

const call = (api: Api, method: string, ...args: unknown[]): Promise<{ data: Record<string, unknown>; status: number; text: string }> =>
  new Promise((resolve, reject) => {
    const cb: Callback = (error, data, response) => {
      if (error) reject(Object.assign(new Error(`${method} failed: ${String((error as Error).message)}`), { status: response?.status }));
      else resolve({ data: data as Record<string, unknown>, status: response.status, text: response.text });
    };
    api[method](...args, cb);
  });

const QUICK = `id: sdk_quick
namespace: company.sdk
tasks:
  - id: each
    type: io.kestra.plugin.core.flow.ForEach
    values: [one, two]
    tasks:
      - id: log
        type: io.kestra.plugin.core.log.Log
        message: "{{ taskrun.value }}"
`;

const LIMITED = `id: sdk_limited
namespace: company.sdk
concurrency:
  limit: 1
tasks:
  - id: wait
    type: io.kestra.plugin.core.flow.Pause
`;

describe("Kestra's JavaScript SDK: change status, unqueue, force run, execution graph", () => {
  let server: LocalServer;
  let executions: Api;
  let http: ReturnType<typeof httpClient>;

  beforeAll(async () => {
    server = await startE2eServer();
    http = httpClient(server.url);
    for (const f of [QUICK, LIMITED]) expect((await http.createFlow(f)).status).toBe(200);
    const sdk = new ApiClient(server.url);
    sdk.authentications.basicAuth.username = USER;
    sdk.authentications.basicAuth.password = PASSWORD;
    executions = new ExecutionsApi(sdk);
  });
  afterAll(async () => {
    await server?.close();
  });

  const start = async (flowId: string): Promise<string> => String((await http.execute('company.sdk', flowId)).json['id']);

  it('updateExecutionStatus, updateExecutionsStatusByIds and getExecutionFlowGraph', async () => {
    const a = await start('sdk_quick');
    const b = await start('sdk_quick');
    for (const id of [a, b]) await http.waitForState(id, ['SUCCESS']);

    const changed = await call(executions, 'updateExecutionStatus', a, 'WARNING', 'main');
    expect(changed.status).toBe(200);
    expect(changed.data).toMatchObject({ id: a, state: { current: 'WARNING' } });
    await expect(call(executions, 'updateExecutionStatus', a, 'RUNNING', 'main')).rejects.toMatchObject({ status: 422 });

    const bulk = await call(executions, 'updateExecutionsStatusByIds', 'FAILED', 'main', [a, b]);
    expect(JSON.parse(bulk.text)).toEqual({ count: 2 });
    for (const id of [a, b]) await http.waitForState(id, ['FAILED'], 5_000);

    const graph = await call(executions, 'getExecutionFlowGraph', a, 'main', {});
    const parsed = JSON.parse(graph.text) as { nodes: { uid: string; taskRun?: { value?: string } }[]; edges: unknown[]; clusters: unknown[] };
    expect(parsed.nodes.filter((n) => n.uid.startsWith('root.each.log_')).map((n) => n.taskRun?.value)).toEqual(['one', 'two']);
    // The SDK's own schema check of FlowGraph (nodes, edges, clusters and their fields) accepts it.
    expect(FlowGraphModel.validateJSON(parsed)).toBe(true);
    expect(graph.data['nodes']).toHaveLength(parsed.nodes.length);
    expect(graph.data['clusters']).toHaveLength(1);
  });

  it('unqueueExecution, forceRunExecution, unqueueExecutionsByIds and forceRunByIds', async () => {
    const holder = await start('sdk_limited');
    await http.waitForState(holder, ['PAUSED']);
    const [q1, q2, q3, q4] = [await start('sdk_limited'), await start('sdk_limited'), await start('sdk_limited'), await start('sdk_limited')];
    for (const id of [q1, q2, q3, q4]) await http.waitForState(id, ['QUEUED']);

    const unqueued = await call(executions, 'unqueueExecution', q1, 'CANCELLED', 'main');
    expect(unqueued.data).toMatchObject({ id: q1, state: { current: 'CANCELLED' } });
    await expect(call(executions, 'unqueueExecution', q1, 'RUNNING', 'main')).rejects.toMatchObject({ status: 409 });

    const forced = await call(executions, 'forceRunExecution', q2, 'main');
    expect(forced.status).toBe(200);
    await http.waitForState(q2, ['PAUSED']);

    expect(JSON.parse((await call(executions, 'unqueueExecutionsByIds', 'FAILED', 'main', [q3])).text)).toEqual({ count: 1 });
    await http.waitForState(q3, ['FAILED'], 5_000);
    expect(JSON.parse((await call(executions, 'forceRunByIds', 'main', [q4])).text)).toEqual({ count: 1 });
    await http.waitForState(q4, ['PAUSED'], 5_000);
    await expect(call(executions, 'forceRunExecution', q3, 'main')).rejects.toMatchObject({ status: 409 });

    for (const id of [holder, q2, q4]) {
      await call(executions, 'forceRunExecution', id, 'main');
      await http.waitForState(id, ['SUCCESS']);
    }
  });
});
