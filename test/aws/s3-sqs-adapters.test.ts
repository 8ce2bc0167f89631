import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import {
  S3InternalStorage,
  SecretsManagerSecretStore,
  SqsExecutionQueue,
  delayedExecutorMessage,
} from '@windhover/aws';
import type { AwsClients } from '@windhover/aws';
import { resolveSecret } from '@windhover/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeExecutionQueueContract } from '../contracts/execution-queue.contract';
import { describeInternalStorageContract } from '../contracts/internal-storage.contract';
import { describeSecretStoreContract } from '../contracts/secret-store.contract';
import { type AwsEmulators, createQueues, destroyAwsClients, emulatorClients, startAwsEmulators, uniqueName } from './support/emulators';
import { SqsPoller, processFifo } from './support/sqs-poller';

let emulators: AwsEmulators;
let clients: AwsClients;

beforeAll(async () => {
  emulators = await startAwsEmulators({ dynamo: false });
  clients = emulatorClients();
});

afterAll(async () => {
  destroyAwsClients(clients);
  await emulators.stop();
});

describeInternalStorageContract('S3InternalStorage on s3rver', async () => new S3InternalStorage(clients.s3, 'windhover', `${uniqueName('storage')}/`));

describeExecutionQueueContract('SqsExecutionQueue on local-aws-sqs', async () => {
  const urls = await createQueues(clients.sqs, uniqueName('q'), 1);
  const queue = new SqsExecutionQueue(clients.sqs, urls.executorQueueUrl, urls.workerQueueUrl);
  const pollers: SqsPoller[] = [];
  return {
    queue,
    consume(kind, handler) {
      if (kind === 'executor') {
        pollers.push(
          new SqsPoller(clients.sqs, urls.executorQueueUrl, (records) => processFifo(records, (r) => handler(r.body))).start(),
        );
        return;
      }
      pollers.push(
        new SqsPoller(clients.sqs, urls.workerQueueUrl, async (records) => {
          const failed: string[] = [];
          await Promise.all(
            records.map(async (r) => {
              try {
                // What the worker function does with a delayed executor message in transit.
                const forward = delayedExecutorMessage(r.body, r.attribute);
                if (forward) await queue.sendToExecutor([forward]);
                else await handler(r.body);
              } catch {
                failed.push(r.messageId);
              }
            }),
          );
          return failed;
        }).start(),
      );
    },
    close: async () => {
      await Promise.all(pollers.map((p) => p.stop()));
    },
  };
});

describe('S3InternalStorage', () => {
  it('uploads a 12 MB file in parts and reads the same bytes back', async () => {
    const storage = new S3InternalStorage(clients.s3, 'windhover', `${uniqueName('mp')}/`);
    const data = new Uint8Array(12 * 1024 * 1024).map((_, i) => (i * 31) % 251);
    await storage.put('kestra:///big/file.bin', data);
    expect(await storage.size('kestra:///big/file.bin')).toBe(data.byteLength);
    const back = await storage.get('kestra:///big/file.bin');
    expect(Buffer.compare(Buffer.from(back), Buffer.from(data))).toBe(0);
  });

  it('hands out presigned URLs that upload and download without credentials', async () => {
    const storage = new S3InternalStorage(clients.s3, 'windhover', `${uniqueName('ps')}/`);
    const put = await storage.presignPut('kestra:///inputs/upload.txt');
    expect((await fetch(put, { method: 'PUT', body: 'uploaded directly' })).status).toBe(200);
    expect(new TextDecoder().decode(await storage.get('kestra:///inputs/upload.txt'))).toBe('uploaded directly');
    const get = await storage.presignGet('kestra:///inputs/upload.txt');
    expect(await (await fetch(get)).text()).toBe('uploaded directly');
  });

  it('lists more than one page of keys', async () => {
    const storage = new S3InternalStorage(clients.s3, 'windhover', `${uniqueName('pages')}/`);
    await Promise.all(Array.from({ length: 1005 }, (_, i) => storage.put(`kestra:///many/f${i}`, new Uint8Array([i % 256]))));
    expect(await storage.list('kestra:///many')).toHaveLength(1005);
    expect(await storage.deletePrefix('kestra:///many')).toBe(1005);
  });
});

describeSecretStoreContract('SecretsManagerSecretStore on the JSON fake', async (seed) => {
  const prefix = uniqueName('contract');
  for (const [key, value] of Object.entries(seed.tenant ?? {})) emulators.fake.putSecret(`${prefix}/${seed.tenantId}/${key}`, value);
  for (const [ns, secrets] of Object.entries(seed.namespaces ?? {})) {
    for (const [key, value] of Object.entries(secrets)) emulators.fake.putSecret(`${prefix}/${seed.tenantId}/${ns}/${key}`, value);
  }
  return new SecretsManagerSecretStore(clients.secrets, { prefix });
});

describe('SecretsManagerSecretStore', () => {
  const create = (name: string, value: string) => clients.secrets.send(new CreateSecretCommand({ Name: name, SecretString: value }));

  it('reads secrets named {prefix}/{tenant}/{namespace}/{key} and falls back to parent namespaces and the tenant', async () => {
    const prefix = uniqueName('wh');
    await create(`${prefix}/main/company/DB_PASSWORD`, 'not-a-namespace-secret');
    await create(`${prefix}/main/company.team/DB_PASSWORD`, 'team-pass');
    await create(`${prefix}/main/company/API_KEY`, 'company-key');
    await create(`${prefix}/main/GLOBAL`, 'tenant-wide');
    const store = new SecretsManagerSecretStore(clients.secrets, { prefix });
    expect(store.nameOf('main', 'company.team', 'X')).toBe(`${prefix}/main/company.team/X`);
    expect(await resolveSecret(store, 'main', 'company.team.etl', 'DB_PASSWORD')).toBe('team-pass');
    expect(await resolveSecret(store, 'main', 'company.team.etl', 'API_KEY')).toBe('company-key');
    expect(await resolveSecret(store, 'main', 'company.team.etl', 'GLOBAL')).toBe('tenant-wide');
    expect(await resolveSecret(store, 'main', 'company.team.etl', 'MISSING')).toBeUndefined();
    expect(await resolveSecret(store, 'other', 'company.team', 'DB_PASSWORD')).toBeUndefined();
    expect(await store.list('main', 'company.team')).toEqual(['DB_PASSWORD']);
    expect(await store.list('main', undefined)).toEqual(['GLOBAL']);
  });

  it('serves repeated reads from its cache until the cache expires', async () => {
    const prefix = uniqueName('wh');
    await create(`${prefix}/main/ns/TOKEN`, 'v1');
    let now = 1_000_000;
    const store = new SecretsManagerSecretStore(clients.secrets, { prefix, cacheMs: 60_000, now: () => now });
    const calls = () => emulators.fake.calls.filter((c) => c === 'GetSecretValue').length;
    const before = calls();
    expect(await store.get('main', 'ns', 'TOKEN')).toBe('v1');
    emulators.fake.putSecret(`${prefix}/main/ns/TOKEN`, 'v2');
    expect(await store.get('main', 'ns', 'TOKEN')).toBe('v1');
    expect(calls() - before).toBe(1);
    now += 60_001;
    expect(await store.get('main', 'ns', 'TOKEN')).toBe('v2');
    expect(calls() - before).toBe(2);
  });
});
