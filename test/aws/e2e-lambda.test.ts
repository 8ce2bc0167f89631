import { PutRuleCommand } from '@aws-sdk/client-eventbridge';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoExecutionRepository, DynamoLogRepository, S3InternalStorage } from '@windhover/aws';
import type { AwsClients, AwsConfig } from '@windhover/aws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENV_NAMES } from '../../functions/shared/env-names';
import { type AwsEmulators, createDeployment, destroyAwsClients, startAwsEmulators } from './support/emulators';
import { FaultProxy } from './support/fault-proxy';
import { type ApiHandler, type SqsHandler, httpEvent, lambdaContext, pollOnce } from './support/lambda-harness';

const USER = 'admin@windhover.local';
const PASSWORD = 'e2e-secret-password';
const AUTH = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;

let emulators: AwsEmulators;
let clients: AwsClients;
let config: AwsConfig;
let sqsProxy: FaultProxy;
let api: ApiHandler;
let executor: SqsHandler;
let worker: SqsHandler;

beforeAll(async () => {
  emulators = await startAwsEmulators();
  // Short visibility timeout: a failed record comes back after 2 s, as SQS would after the function's timeout.
  ({ clients, config } = await createDeployment({ visibilityTimeout: 2 }));
  sqsProxy = new FaultProxy(emulators.endpoints.sqs);
  const proxyUrl = await sqsProxy.start();
  const viaProxy = (queueUrl: string) => `${proxyUrl}${new URL(queueUrl).pathname}`;
  emulators.fake.putSecret('windhover-e2e/auth', JSON.stringify({ username: USER, password: PASSWORD, apiTokenHashes: [] }));
  // A user's rule on the bus: execution-ended events are published only while the bus has one.
  await clients.events.send(
    new PutRuleCommand({ EventBusName: 'windhover-e2e', Name: 'failed-or-succeeded', EventPattern: JSON.stringify({ source: ['windhover'] }) }),
  );
  // What the CDK constructs set on every function (see lib/), pointed at the emulators.
  Object.assign(process.env, {
    [ENV_NAMES.TABLE_NAME]: config.tableName,
    [ENV_NAMES.BUCKET_NAME]: config.bucketName,
    // The SDK sends SQS calls to the queue URL's host: the functions' queue URLs name the fault proxy.
    [ENV_NAMES.EXECUTOR_QUEUE_URL]: viaProxy(config.executorQueueUrl),
    [ENV_NAMES.WORKER_QUEUE_URL]: viaProxy(config.workerQueueUrl),
    [ENV_NAMES.EVENT_BUS_NAME]: 'windhover-e2e',
    [ENV_NAMES.SECRET_PREFIX]: 'windhover-e2e',
    [ENV_NAMES.AUTH_SECRET_ID]: 'windhover-e2e/auth',
    [ENV_NAMES.BASE_URL]: 'https://api.example.com',
    [ENV_NAMES.LOG_RETENTION_DAYS]: '7',
    [ENV_NAMES.S3_FORCE_PATH_STYLE]: 'true',
    [ENV_NAMES.S3_CHECKSUM_WHEN_REQUIRED]: 'true',
    // The functions' SQS traffic goes through the fault proxy.
    AWS_ENDPOINT_URL_SQS: proxyUrl,
    POWERTOOLS_LOG_LEVEL: 'ERROR',
    POWERTOOLS_METRICS_DISABLED: 'true',
  });
  api = (await import('../../functions/api/handler')).handler as unknown as ApiHandler;
  executor = (await import('../../functions/executor/handler')).handler as unknown as SqsHandler;
  worker = (await import('../../functions/worker/handler')).handler as unknown as SqsHandler;
}, 120_000);

afterAll(async () => {
  destroyAwsClients(clients);
  await sqsProxy?.stop();
  await emulators?.stop();
});

const call = async (method: string, path: string, init: { body?: string; contentType?: string; auth?: string | null } = {}) => {
  const headers: Record<string, string> = {};
  if (init.auth !== null) headers.authorization = init.auth ?? AUTH;
  if (init.contentType) headers['content-type'] = init.contentType;
  const res = await api(httpEvent(method, path, { headers, ...(init.body !== undefined ? { body: init.body } : {}) }), lambdaContext('api'));
  const text = res.body === undefined ? '' : res.isBase64Encoded ? Buffer.from(res.body, 'base64').toString('utf8') : res.body;
  return { status: res.statusCode ?? 0, json: (text ? JSON.parse(text) : undefined) as Record<string, unknown> };
};

const FLOW = `id: e2e
namespace: company.team
inputs:
  - id: name
    type: STRING
    defaults: World
tasks:
  - id: greet
    type: io.kestra.plugin.core.output.OutputValues
    values:
      greeting: "Hello {{ inputs.name }}"
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: "{{ outputs.greet.values.greeting }} from the AWS edition"
  - id: write
    type: io.kestra.plugin.core.storage.Write
    content: "{{ outputs.greet.values.greeting }}"
    extension: .txt
triggers:
  - id: hook
    type: io.kestra.plugin.core.trigger.Webhook
    key: e2e-key
`;

/** Lambda's event source mappings, one poll each in turn, until the execution ends. */
async function drain(sqs: SQSClient, executionId: string, options: { crashFirstExecutorBatch?: boolean; duplicateFirstBatches?: boolean }) {
  const stats = { executorInvocations: 0, workerInvocations: 0, failedRecords: 0 };
  let crashPending = options.crashFirstExecutorBatch ?? false;
  let duplicates = options.duplicateFirstBatches ? 2 : 0;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (crashPending) sqsProxy.failTargets = /AmazonSQS\.SendMessage/;
    const ex = await pollOnce(sqs, config.executorQueueUrl, executor, { deliverTwice: duplicates > 0 });
    if (ex.received > 0) {
      stats.executorInvocations++;
      if (duplicates > 0) duplicates--;
      if (crashPending) {
        // The executor saved its step, then could not send its effects: the batch failed and comes back.
        expect(ex.failed.length).toBeGreaterThan(0);
        crashPending = false;
      }
    }
    sqsProxy.failTargets = undefined;
    stats.failedRecords += ex.failed.length;
    const wk = await pollOnce(sqs, config.workerQueueUrl, worker);
    if (wk.received > 0) stats.workerInvocations++;
    const state = ((await call('GET', `/api/v1/main/executions/${executionId}`)).json.state as { current: string }).current;
    if (['SUCCESS', 'FAILED', 'WARNING', 'KILLED'].includes(state)) return { state, stats };
    if (ex.received === 0 && wk.received === 0) await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('execution did not end within 60 s');
}

describe('AWS edition end to end (real handlers, emulated services)', () => {
  it('rejects API calls without credentials but lets webhooks and health through', async () => {
    expect((await call('GET', '/api/v1/main/flows/company.team/e2e', { auth: null })).status).toBe(401);
    expect((await call('GET', '/health', { auth: null })).status).toBe(200);
  });

  it('creates a flow, starts it by webhook, survives a crash and a duplicate delivery, and ends SUCCESS with logs and an output file', async () => {
    const created = await call('POST', '/api/v1/main/flows', { body: FLOW, contentType: 'application/x-yaml' });
    expect(created.status).toBe(200);
    expect(created.json).toMatchObject({ id: 'e2e', namespace: 'company.team', revision: 1 });

    const hook = await call('POST', '/api/v1/main/executions/webhook/company.team/e2e/e2e-key', {
      body: JSON.stringify({ from: 'e2e' }),
      contentType: 'application/json',
      auth: null,
    });
    expect(hook.status).toBe(200);
    const executionId = String(hook.json.id);

    const { state, stats } = await drain(clients.sqs, executionId, { crashFirstExecutorBatch: true, duplicateFirstBatches: true });
    expect(state).toBe('SUCCESS');
    expect(sqsProxy.failed).toBeGreaterThan(0);
    expect(stats.failedRecords).toBeGreaterThan(0);

    const execution = (await call('GET', `/api/v1/main/executions/${executionId}`)).json as {
      taskRunList: { taskId: string; state: { current: string }; outputs?: Record<string, unknown> }[];
    };
    // Exactly one task run per task despite the redelivered and duplicated messages.
    expect(execution.taskRunList.map((t) => `${t.taskId}:${t.state.current}`)).toEqual(['greet:SUCCESS', 'log:SUCCESS', 'write:SUCCESS']);

    const logs = await new DynamoLogRepository(clients.doc, config.tableName).find('main', { executionId });
    expect(logs.filter((l) => l.message === 'Hello World from the AWS edition')).toHaveLength(1);

    const uri = String(execution.taskRunList[2].outputs?.uri);
    expect(uri).toMatch(/^kestra:\/\/\/company\/team\/e2e\/executions\//);
    const storage = new S3InternalStorage(clients.s3, config.bucketName);
    expect(new TextDecoder().decode(await storage.get(uri))).toBe('Hello World');

    // Users' own EventBridge rules see the execution end once.
    const ended = emulators.fake.events.filter((e) => e.EventBusName === 'windhover-e2e' && JSON.parse(e.Detail ?? '{}').executionId === executionId);
    expect(ended.map((e) => `${e.Source} ${e.DetailType}`)).toEqual(['windhover Execution SUCCESS']);

    const apiLogs = await call('GET', `/api/v1/main/logs/${executionId}`);
    expect(JSON.stringify(apiLogs.json)).toContain('Hello World from the AWS edition');
  });

  it('runs an execution that ends in its first step inside the webhook call: no queue message, SUCCESS in DynamoDB with its logs', async () => {
    const flow = `id: inline
namespace: company.team
tasks:
  - id: greet
    type: io.kestra.plugin.core.output.OutputValues
    values:
      greeting: "Hello {{ trigger.body.from }}"
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: "{{ outputs.greet.values.greeting }} without a queue hop"
triggers:
  - id: hook
    type: io.kestra.plugin.core.trigger.Webhook
    key: inline-key
`;
    expect((await call('POST', '/api/v1/main/flows', { body: flow, contentType: 'application/x-yaml' })).status).toBe(200);
    const hook = await call('POST', '/api/v1/main/executions/webhook/company.team/inline/inline-key', {
      body: JSON.stringify({ from: 'Lambda' }),
      contentType: 'application/json',
      auth: null,
    });
    expect(hook.status).toBe(200);
    expect((hook.json.state as { current: string }).current).toBe('SUCCESS');
    const executionId = String(hook.json.id);
    // Nothing was queued for it: the executor and worker queues are empty.
    expect((await pollOnce(clients.sqs, config.executorQueueUrl, executor)).received).toBe(0);
    expect((await pollOnce(clients.sqs, config.workerQueueUrl, worker)).received).toBe(0);
    const stored = await new DynamoExecutionRepository(clients.doc, config.tableName).get('main', executionId);
    expect(stored?.state.current).toBe('SUCCESS');
    expect(stored?.taskRunList.map((t) => `${t.taskId}:${t.state.current}`)).toEqual(['greet:SUCCESS', 'log:SUCCESS']);
    const logs = await new DynamoLogRepository(clients.doc, config.tableName).find('main', { executionId });
    expect(logs.map((l) => l.message)).toContain('Hello Lambda without a queue hop');
    const ended = emulators.fake.events.filter((e) => e.EventBusName === 'windhover-e2e' && JSON.parse(e.Detail ?? '{}').executionId === executionId);
    expect(ended.map((e) => e.DetailType)).toEqual(['Execution SUCCESS']);
  });
});
