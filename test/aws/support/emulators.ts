import { type ChildProcess, spawn } from 'node:child_process';
import { createServer as createNetServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { CreateTableCommand, type DynamoDBClient, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { type AwsClients, type AwsConfig, TABLE_SCHEMA, createAwsClients, destroyAwsClients } from '@windhover/aws';
// @ts-expect-error plain .mjs helper without types
import { ensureDynamoDbLocal } from '../../../scripts/aws/fetch-dynamodb-local.mjs';
// @ts-expect-error plain .mjs helper without types
import { loadPatchedLocalAwsSqs } from '../../../scripts/aws/patch-local-aws-sqs.mjs';
import { AwsJsonFake } from './aws-json-fake';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..', '..');

/** The running local servers that speak the AWS wire protocols, and how to reach them. */
export interface AwsEmulators {
  readonly endpoints: { dynamodb: string; s3: string; sqs: string; json: string };
  readonly fake: AwsJsonFake;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const srv = createNetServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const { port } = srv.address() as AddressInfo;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

async function startDynamoDbLocal(): Promise<{ url: string; proc: ChildProcess | undefined }> {
  const dir = ensureDynamoDbLocal() as string;
  const port = await freePort();
  const proc = spawn(
    'java',
    [
      '-XX:TieredStopAtLevel=1',
      '-XX:+UseSerialGC',
      '-Xmx256m',
      `-Djava.library.path=${join(dir, 'DynamoDBLocal_lib')}`,
      '-jar',
      join(dir, 'DynamoDBLocal.jar'),
      '-inMemory',
      '-port',
      String(port),
    ],
    { stdio: 'ignore', cwd: dir },
  );
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (proc.exitCode !== null) throw new Error(`DynamoDB Local exited with ${proc.exitCode}`);
    try {
      await fetch(url, { method: 'POST' });
      return { url, proc };
    } catch {
      if (i > 400) {
        proc.kill();
        throw new Error('DynamoDB Local did not start within 20 s');
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

async function startS3rver(buckets: readonly string[]): Promise<{ url: string; proc: ChildProcess }> {
  const proc = spawn(process.execPath, ['--openssl-legacy-provider', join(here, 's3rver-main.mjs'), buckets.join(',')], {
    stdio: ['pipe', 'pipe', 'inherit'],
    cwd: root,
  });
  const line = await new Promise<string>((resolveLine, reject) => {
    const rl = createInterface({ input: proc.stdout as NodeJS.ReadableStream });
    rl.once('line', (l) => resolveLine(l));
    proc.once('exit', (code) => reject(new Error(`s3rver exited with ${code}`)));
  });
  const { port } = JSON.parse(line) as { port: number };
  return { url: `http://127.0.0.1:${port}`, proc };
}

/**
 * Starts DynamoDB Local (official JAR on Java 17), s3rver (own process), the
 * patched local-aws-sqs (in process) and the JSON fake for Secrets Manager,
 * EventBridge and ECS, all on 127.0.0.1 with free ports, and points the AWS
 * SDK at them through `AWS_ENDPOINT_URL_<SERVICE>`.
 */
export async function startAwsEmulators(
  options: { buckets?: readonly string[]; dynamo?: boolean } = {},
): Promise<AwsEmulators> {
  const [ddb, s3, fake] = await Promise.all([
    options.dynamo === false ? { url: 'http://127.0.0.1:9', proc: undefined } : startDynamoDbLocal(),
    startS3rver(options.buckets ?? ['windhover']),
    (async () => {
      const f = new AwsJsonFake();
      return { fake: f, url: await f.start() };
    })(),
  ]);
  const { createSqsServer } = loadPatchedLocalAwsSqs() as {
    createSqsServer(o: { port: number; hostname: string }): Promise<import('node:http').Server>;
  };
  const sqsServer = await createSqsServer({ port: 0, hostname: '127.0.0.1' });
  const sqsUrl = `http://127.0.0.1:${(sqsServer.address() as AddressInfo).port}`;
  const endpoints = { dynamodb: ddb.url, s3: s3.url, sqs: sqsUrl, json: fake.url };
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
    AWS_ENDPOINT_URL_S3: endpoints.s3,
    AWS_ENDPOINT_URL_SQS: endpoints.sqs,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoints.json,
    AWS_ENDPOINT_URL_EVENTBRIDGE: endpoints.json,
    AWS_ENDPOINT_URL_ECS: endpoints.json,
  });
  return {
    endpoints,
    fake: fake.fake,
    async stop() {
      ddb.proc?.kill();
      s3.proc.stdin?.end();
      s3.proc.kill();
      sqsServer.closeAllConnections();
      await new Promise<void>((r) => sqsServer.close(() => r()));
      await fake.fake.stop();
    },
  };
}

let counter = 0;
/** A name unique in this test process (DynamoDB Local and SQS keep state for the whole run). */
export const uniqueName = (base: string): string => `${base}-${process.pid}-${++counter}`;

/** Creates the single table exactly as the CDK storage construct declares it. */
export async function createTable(dynamo: DynamoDBClient, name: string): Promise<void> {
  const attrs = new Set<string>([TABLE_SCHEMA.partitionKey, TABLE_SCHEMA.sortKey]);
  for (const i of TABLE_SCHEMA.indexes) {
    attrs.add(i.partitionKey);
    attrs.add(i.sortKey);
  }
  await dynamo.send(
    new CreateTableCommand({
      TableName: name,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [...attrs].map((a) => ({ AttributeName: a, AttributeType: 'S' })),
      KeySchema: [
        { AttributeName: TABLE_SCHEMA.partitionKey, KeyType: 'HASH' },
        { AttributeName: TABLE_SCHEMA.sortKey, KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: TABLE_SCHEMA.indexes.map((i) => ({
        IndexName: i.name,
        KeySchema: [
          { AttributeName: i.partitionKey, KeyType: 'HASH' },
          { AttributeName: i.sortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: [...i.projectedAttributes] },
      })),
    }),
  );
  await dynamo.send(
    new UpdateTimeToLiveCommand({
      TableName: name,
      TimeToLiveSpecification: { AttributeName: TABLE_SCHEMA.ttlAttribute, Enabled: true },
    }),
  );
}

/** Creates the FIFO executor queue, the standard worker queue and their DLQs, as the engine construct does. */
export async function createQueues(
  sqs: SQSClient,
  base: string,
  visibilityTimeout = 30,
): Promise<{ executorQueueUrl: string; workerQueueUrl: string }> {
  const create = async (name: string, attributes: Record<string, string>) =>
    (await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }))).QueueUrl as string;
  const executorDlq = await create(`${base}-executor-dlq.fifo`, { FifoQueue: 'true' });
  const workerDlq = await create(`${base}-worker-dlq`, {});
  const arn = (url: string) => `arn:aws:sqs:us-east-1:000000000000:${url.split('/').pop()}`;
  const executorQueueUrl = await create(`${base}-executor.fifo`, {
    FifoQueue: 'true',
    VisibilityTimeout: String(visibilityTimeout),
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: arn(executorDlq), maxReceiveCount: 5 }),
  });
  const workerQueueUrl = await create(`${base}-worker`, {
    VisibilityTimeout: String(visibilityTimeout),
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: arn(workerDlq), maxReceiveCount: 5 }),
  });
  return { executorQueueUrl, workerQueueUrl };
}

/** Clients configured for the emulators (path-style S3, no streamed checksums). */
export const emulatorClients = (): AwsClients =>
  createAwsClients({ region: 'us-east-1', s3ForcePathStyle: true, s3ChecksumWhenRequired: true });

/** A fresh table and queues, plus clients for them: one per test file or suite. */
export async function createDeployment(
  options: { bucketName?: string; visibilityTimeout?: number; table?: boolean } = {},
): Promise<{ config: AwsConfig; clients: AwsClients }> {
  const base = uniqueName('wh');
  const bucketName = options.bucketName ?? 'windhover';
  const clients = emulatorClients();
  if (options.table !== false) await createTable(clients.dynamo, base);
  const queues = await createQueues(clients.sqs, base, options.visibilityTimeout ?? 30);
  return {
    clients,
    config: {
      region: 'us-east-1',
      tableName: base,
      bucketName,
      ...queues,
      eventBusName: 'windhover',
      s3ForcePathStyle: true,
      s3ChecksumWhenRequired: true,
      secretCacheMs: 60_000,
    },
  };
}

export { destroyAwsClients };
