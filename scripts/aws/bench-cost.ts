/**
 * AWS requests and dollars per execution of Kestra's benchmark01 and 02, measured by
 * running the real Lambda handlers in-process against the local emulators
 * (DynamoDB Local, s3rver, local-aws-sqs) with the request meter on (an SDK
 * middleware counting every call and DynamoDB's consumed capacity).
 *
 *   NODE_OPTIONS= npx tsx scripts/aws/bench-cost.ts [executions=20]
 *
 * Flows: Kestra's benchmark01 and 02 (only tasks the executor runs itself, so the
 * API runs them in its own call) and worker01 (benchmark01 plus a Write task:
 * the executor and worker queues).
 *
 * Lambda GB-seconds come from the handlers' in-process durations on this
 * machine (DynamoDB Local and the emulators are slower than AWS, so this is
 * pessimistic) at the memory sizes of lib/ (1024 MB, arm64).
 */
import { DynamoExecutionRepository, requestMeter } from '@windhover/aws';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { ENV_NAMES } from '../../functions/shared/env-names';
import { createDeployment, destroyAwsClients, startAwsEmulators } from '../../test/aws/support/emulators';
import { type ApiHandler, type SqsHandler, httpEvent, lambdaContext, pollOnce } from '../../test/aws/support/lambda-harness';
import { benchmarkFlows } from '../bench/benchmark-flows';

const N = Number(process.argv[2] ?? 20);

/** us-east-1 list prices (2026): per request or unit. */
const PRICE = {
  apiGatewayHttp: 1.0 / 1e6,
  lambdaRequest: 0.2 / 1e6,
  lambdaGbSecondArm: 0.0000133334,
  sqsStandard: 0.4 / 1e6,
  sqsFifo: 0.5 / 1e6,
  dynamoWrite: 0.625 / 1e6,
  dynamoRead: 0.125 / 1e6,
  s3Put: 0.005 / 1e3,
  s3Get: 0.0004 / 1e3,
  eventBridge: 1.0 / 1e6,
  secretsManager: 0.05 / 1e4,
};
const MEMORY_GB = 1;

// Kestra's benchmark flows (scripts/bench/kestra-benchmarks.ts), without `wait: true`:
// a waiting webhook keeps the API function running for the whole execution (see docs/aws.md).
const { BENCHMARK01, BENCHMARK02 } = benchmarkFlows({ wait: false });
/** benchmark01 plus one task the worker runs (a file written to internal storage): the queue path. */
const WORKER01 = `${BENCHMARK01.replace('id: benchmark01', 'id: worker01').replace('\noutputs:', `
  - id: write
    type: io.kestra.plugin.core.storage.Write
    content: "{{ outputs.hello.values.message }}"
    extension: .txt
outputs:`)}`;

const emulators = await startAwsEmulators();
const { clients, config } = await createDeployment();
const AUTH = `Basic ${Buffer.from('bench@windhover.dev:bench-password').toString('base64')}`;
emulators.fake.putSecret('bench/auth', JSON.stringify({ username: 'bench@windhover.dev', password: 'bench-password' }));
Object.assign(process.env, {
  [ENV_NAMES.TABLE_NAME]: config.tableName,
  [ENV_NAMES.BUCKET_NAME]: config.bucketName,
  [ENV_NAMES.EXECUTOR_QUEUE_URL]: config.executorQueueUrl,
  [ENV_NAMES.WORKER_QUEUE_URL]: config.workerQueueUrl,
  [ENV_NAMES.EVENT_BUS_NAME]: 'bench',
  [ENV_NAMES.AUTH_SECRET_ID]: 'bench/auth',
  [ENV_NAMES.S3_FORCE_PATH_STYLE]: 'true',
  [ENV_NAMES.S3_CHECKSUM_WHEN_REQUIRED]: 'true',
  [ENV_NAMES.METER_REQUESTS]: 'true',
  POWERTOOLS_LOG_LEVEL: 'ERROR',
  POWERTOOLS_METRICS_DISABLED: 'true',
});

const invocations = { api: 0, executor: 0, worker: 0 };
const busyMs = { api: 0, executor: 0, worker: 0 };
const timed = <E, R>(name: keyof typeof invocations, fn: (e: E, c: Context) => Promise<R>) => async (e: E, c: Context): Promise<R> => {
  const t = performance.now();
  try {
    return await fn(e, c);
  } finally {
    invocations[name]++;
    busyMs[name] += performance.now() - t;
  }
};
const api = timed('api', (await import('../../functions/api/handler')).handler as unknown as ApiHandler);
const executor = timed<SQSEvent, SQSBatchResponse>('executor', (await import('../../functions/executor/handler')).handler as unknown as SqsHandler);
const worker = timed<SQSEvent, SQSBatchResponse>('worker', (await import('../../functions/worker/handler')).handler as unknown as SqsHandler);
const repo = new DynamoExecutionRepository(clients.doc, config.tableName);
let esmRequests = 0;

async function runOne(flowId: string): Promise<void> {
  const res = await api(
    httpEvent('POST', `/api/v1/main/executions/webhook/company.team/${flowId}/benchmark`, { query: flowId === 'benchmark02' ? '' : 'name=World' }),
    lambdaContext('api'),
  );
  const id = JSON.parse(String(res.isBase64Encoded ? Buffer.from(String(res.body), 'base64') : res.body)).id as string;
  for (;;) {
    const ex = await pollOnce(clients.sqs, config.executorQueueUrl, executor);
    const wk = await pollOnce(clients.sqs, config.workerQueueUrl, worker);
    // Lambda's event source mapping: one ReceiveMessage and one DeleteMessageBatch per non-empty batch.
    esmRequests += (ex.received > 0 ? 2 : 0) + (wk.received > 0 ? 2 : 0);
    const e = await repo.get('main', id);
    if (e && ['SUCCESS', 'FAILED', 'WARNING', 'KILLED'].includes(e.state.current)) {
      if (e.state.current !== 'SUCCESS') throw new Error(`${flowId} ended ${e.state.current}`);
      return;
    }
    if (ex.received === 0 && wk.received === 0) await new Promise((r) => setTimeout(r, 20));
  }
}

const rows: string[] = [];
for (const [flowId, source] of [
  ['benchmark01', BENCHMARK01],
  ['benchmark02', BENCHMARK02],
  ['worker01', WORKER01],
] as const) {
  const created = await api(
    httpEvent('POST', '/api/v1/main/flows', { body: source, headers: { authorization: AUTH, 'content-type': 'application/x-yaml' } }),
    lambdaContext('api'),
  );
  if (created.statusCode !== 200) throw new Error(`flow ${flowId}: ${created.statusCode} ${created.body}`);
  for (let i = 0; i < 3; i++) await runOne(flowId); // warm-up: cold starts, secret cache
  requestMeter.reset();
  esmRequests = 0;
  for (const k of Object.keys(invocations) as (keyof typeof invocations)[]) {
    invocations[k] = 0;
    busyMs[k] = 0;
  }
  for (let i = 0; i < N; i++) await runOne(flowId);

  const per = (n: number) => n / N;
  const reqs = requestMeter.requests;
  const count = (service: string, ops?: RegExp) => reqs.filter((r) => r.service === service && (!ops || ops.test(r.operation))).length;
  const units = (ops: RegExp) => reqs.filter((r) => r.service === 'DynamoDBClient' && ops.test(r.operation)).reduce((s, r) => s + (r.capacityUnits ?? 0), 0);
  const wru = per(units(/Put|Update|Delete|BatchWrite|TransactWrite/));
  const rru = per(units(/Get|Query|Scan|TransactGet/));
  const sqsSends = reqs.filter((r) => r.service === 'SQSClient');
  const fifoSends = per(sqsSends.length); // both queues' sends; priced at the FIFO rate (upper bound)
  const s3Puts = per(count('S3Client', /Put|Copy|List|Upload|CreateMultipart/));
  const s3Gets = per(count('S3Client', /Get|Head/));
  // PutEvents is billed per event; ListRules (whether the bus has a rule at all) is a free control-plane call.
  const events = per(count('EventBridgeClient', /PutEvents/));
  const secrets = per(count('SecretsManagerClient'));
  const lambdaInvocations = per(invocations.api + invocations.executor + invocations.worker);
  const gbSeconds = per((busyMs.api + busyMs.executor + busyMs.worker) / 1000) * MEMORY_GB;
  const cost = {
    'API Gateway': 1 * PRICE.apiGatewayHttp,
    'Lambda requests': lambdaInvocations * PRICE.lambdaRequest,
    'Lambda GB-s': gbSeconds * PRICE.lambdaGbSecondArm,
    SQS: (fifoSends + per(esmRequests)) * PRICE.sqsFifo,
    DynamoDB: wru * PRICE.dynamoWrite + rru * PRICE.dynamoRead,
    S3: s3Puts * PRICE.s3Put + s3Gets * PRICE.s3Get,
    EventBridge: events * PRICE.eventBridge,
    'Secrets Manager': secrets * PRICE.secretsManager,
  };
  const total = Object.values(cost).reduce((a, b) => a + b, 0);
  const byOp = new Map<string, { n: number; units: number }>();
  for (const r of reqs) {
    const k = `${r.service.replace('Client', '')} ${r.operation.replace('Command', '')}`;
    const v = byOp.get(k) ?? { n: 0, units: 0 };
    byOp.set(k, { n: v.n + 1, units: v.units + (r.capacityUnits ?? 0) });
  }
  const opsLine = [...byOp].map(([k, v]) => `${k} ×${per(v.n).toFixed(1)}${v.units ? ` (${per(v.units).toFixed(1)} units)` : ''}`).join(', ');
  rows.push(
    `### ${flowId} (${N} executions)`,
    '',
    '| per execution | count |',
    '|---|---:|',
    `| Lambda invocations (api / executor / worker) | ${per(invocations.api)} / ${per(invocations.executor)} / ${per(invocations.worker)} |`,
    `| Lambda GB-s (1024 MB) | ${gbSeconds.toFixed(4)} |`,
    `| DynamoDB requests / WRU / RRU | ${per(count('DynamoDBClient')).toFixed(1)} / ${wru.toFixed(1)} / ${rru.toFixed(1)} |`,
    `| SQS sends / event-source receive+delete | ${fifoSends.toFixed(1)} / ${per(esmRequests).toFixed(1)} |`,
    `| S3 PUT-class / GET-class | ${s3Puts.toFixed(1)} / ${s3Gets.toFixed(1)} |`,
    `| EventBridge PutEvents / Secrets Manager | ${events.toFixed(1)} / ${secrets.toFixed(2)} |`,
    '',
    `Requests per execution by operation: ${opsLine}.`,
    '',
    '| $ per million executions | |',
    '|---|---:|',
    ...Object.entries(cost).map(([k, v]) => `| ${k} | ${(v * 1e6).toFixed(2)} |`),
    `| **total** | **${(total * 1e6).toFixed(2)}** |`,
    '',
  );
}
process.stdout.write(`${rows.join('\n')}\n`);
destroyAwsClients(clients);
await emulators.stop();
process.exit(0);
