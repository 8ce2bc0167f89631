import { ListBucketsCommand } from '@aws-sdk/client-s3';
import { ListQueuesCommand } from '@aws-sdk/client-sqs';
import { type AwsClients, RequestMeter, onAwsServiceClient } from '@windhover/aws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AwsEmulators, destroyAwsClients, emulatorClients, startAwsEmulators } from './support/emulators';

let emulators: AwsEmulators;
beforeAll(async () => {
  emulators = await startAwsEmulators({ dynamo: false });
});
afterAll(async () => {
  await emulators?.stop();
});

/** The class names of the service clients of `clients` as they get created. */
function watch(clients: AwsClients): string[] {
  const created: string[] = [];
  onAwsServiceClient(clients, (client) => created.push(client.constructor.name));
  return created;
}

describe('createAwsClients', () => {
  it('creates each client on first use and reuses it; attaching a meter or destroying creates none', async () => {
    const clients = emulatorClients();
    const created = watch(clients);
    const meter = new RequestMeter();
    meter.attach(clients);
    expect(created).toEqual([]);

    await clients.sqs.send(new ListQueuesCommand({}));
    expect(clients.sqs).toBe(clients.sqs);
    expect(created).toEqual(['SQSClient']);

    destroyAwsClients(clients);
    expect(created).toEqual(['SQSClient']);
  });

  it('a meter attached before a client exists meters that client once it is created, and one attached later meters the clients already created', async () => {
    const clients = emulatorClients();
    const early = new RequestMeter();
    early.attach(clients);
    await clients.sqs.send(new ListQueuesCommand({}));
    const late = new RequestMeter();
    late.attach(clients);
    await clients.s3.send(new ListBucketsCommand({}));
    await clients.sqs.send(new ListQueuesCommand({}));

    expect(early.requests).toEqual([
      { service: 'SQSClient', operation: 'ListQueuesCommand' },
      { service: 'S3Client', operation: 'ListBucketsCommand' },
      { service: 'SQSClient', operation: 'ListQueuesCommand' },
    ]);
    expect(late.requests).toEqual([
      { service: 'S3Client', operation: 'ListBucketsCommand' },
      { service: 'SQSClient', operation: 'ListQueuesCommand' },
    ]);
    destroyAwsClients(clients);
  });

  it('a hand-built clients object is metered as a whole: every client it holds gets the meter', async () => {
    const built = emulatorClients();
    const plain: AwsClients = {
      dynamo: built.dynamo,
      doc: built.doc,
      s3: built.s3,
      sqs: built.sqs,
      secrets: built.secrets,
      events: built.events,
      ecs: built.ecs,
    };
    const meter = new RequestMeter();
    meter.attach(plain);
    await plain.s3.send(new ListBucketsCommand({}));
    expect(meter.requests).toEqual([{ service: 'S3Client', operation: 'ListBucketsCommand' }]);
    expect(watch(plain)).toEqual(['DynamoDBClient', 'S3Client', 'SQSClient', 'SecretsManagerClient', 'EventBridgeClient', 'ECSClient']);
    destroyAwsClients(plain);
  });
});
