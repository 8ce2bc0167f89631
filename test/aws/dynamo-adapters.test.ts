import { type AttributeValue, PutItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { brotliDecompressSync, gzipSync } from 'node:zlib';
import {
  DynamoAttemptResultStore,
  DynamoConcurrencySlots,
  DynamoExecutionRepository,
  DynamoFlowRepository,
  DynamoKvStore,
  DynamoLogRepository,
  DynamoS3NamespaceFileStore,
  DynamoTimerStore,
  DynamoTriggerStore,
  S3InternalStorage,
} from '@windhover/aws';
import type { AwsClients, AwsConfig } from '@windhover/aws';
import type { Execution, TaskRun } from '@windhover/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeAttemptResultStoreContract } from '../contracts/attempt-result-store.contract';
import { describeConcurrencySlotsContract } from '../contracts/concurrency-slots.contract';
import { contractExecution, describeExecutionRepositoryContract } from '../contracts/execution-repository.contract';
import { describeFlowRepositoryContract } from '../contracts/flow-repository.contract';
import { describeLogRepositoryContract } from '../contracts/log-repository.contract';
import { describeKvStoreContract } from '../contracts/kv-store.contract';
import { describeNamespaceFileStoreContract } from '../contracts/namespace-file-store.contract';
import { describeTimerStoreContract } from '../contracts/timer-store.contract';
import { describeTriggerStoreContract } from '../contracts/trigger-store.contract';
import { type AwsEmulators, createDeployment, createTable, destroyAwsClients, startAwsEmulators, uniqueName } from './support/emulators';

let emulators: AwsEmulators;
let clients: AwsClients;
let config: AwsConfig;

beforeAll(async () => {
  emulators = await startAwsEmulators();
  ({ clients, config } = await createDeployment());
});

afterAll(async () => {
  destroyAwsClients(clients);
  await emulators.stop();
});

/** A fresh table per repository: the contracts expect an empty store each time. */
const freshTable = async (): Promise<string> => {
  const name = uniqueName('t');
  await createTable(clients.dynamo, name);
  return name;
};
const blobs = () => new S3InternalStorage(clients.s3, config.bucketName, `${uniqueName('blobs')}/`);

describeFlowRepositoryContract('DynamoFlowRepository on DynamoDB Local', async () => new DynamoFlowRepository(clients.doc, await freshTable()));
describeExecutionRepositoryContract(
  'DynamoExecutionRepository on DynamoDB Local',
  async () => new DynamoExecutionRepository(clients.doc, await freshTable(), blobs()),
);
describeLogRepositoryContract('DynamoLogRepository on DynamoDB Local', async () => new DynamoLogRepository(clients.doc, await freshTable()));
describeTriggerStoreContract('DynamoTriggerStore on DynamoDB Local', async () => new DynamoTriggerStore(clients.doc, await freshTable()));
describeTimerStoreContract('DynamoTimerStore on DynamoDB Local', async () => new DynamoTimerStore(clients.doc, await freshTable()));
describeConcurrencySlotsContract('DynamoConcurrencySlots on DynamoDB Local', async () => new DynamoConcurrencySlots(clients.doc, await freshTable()));
describeAttemptResultStoreContract('DynamoAttemptResultStore on DynamoDB Local and s3rver', async () => new DynamoAttemptResultStore(clients.doc, await freshTable(), blobs()));
describeKvStoreContract('DynamoKvStore on DynamoDB Local', async () => new DynamoKvStore(clients.doc, await freshTable(), blobs()));
describeNamespaceFileStoreContract(
  'DynamoS3NamespaceFileStore on DynamoDB Local and s3rver',
  async () => new DynamoS3NamespaceFileStore(clients.doc, await freshTable(), blobs()),
);

const taskRun = (e: Execution, i: number, payload: string): TaskRun => ({
  id: `tr${i}`,
  executionId: e.id,
  namespace: e.namespace,
  flowId: e.flowId,
  taskId: `t${i % 7}`,
  state: { current: 'SUCCESS', histories: [{ state: 'SUCCESS', date: e.state.startDate }], startDate: e.state.startDate },
  outputs: { value: `${payload}${i}` },
});

/** Largest item of a table, in bytes of its attribute names and values (DynamoDB's measure, approximately). */
async function largestItem(table: string): Promise<number> {
  let max = 0;
  let start: Record<string, never> | undefined;
  do {
    const out = await clients.dynamo.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start }));
    for (const item of out.Items ?? []) {
      let size = 0;
      for (const [k, v] of Object.entries(item)) size += k.length + JSON.stringify(v).length;
      max = Math.max(max, size);
    }
    start = out.LastEvaluatedKey as typeof start;
  } while (start);
  return max;
}

describe('DynamoExecutionRepository at scale', () => {
  it('stores an execution of 3000 task runs and 10 MB of outputs with every item far below 400 KB', async () => {
    const table = await freshTable();
    const repo = new DynamoExecutionRepository(clients.doc, table, blobs());
    const e = contractExecution();
    // Random-looking payloads so gzip cannot shrink them away: 3.4 KB per task run.
    const noise = Array.from({ length: 3400 }, (_, i) => String.fromCharCode(33 + ((i * 7919) % 94))).join('');
    const big: Execution = { ...e, taskRunList: Array.from({ length: 3000 }, (_, i) => taskRun(e, i, noise)), outputs: { blob: noise.repeat(200) } };
    const saved = await repo.save(big, undefined);
    const got = await new DynamoExecutionRepository(clients.doc, table, blobs()).get('main', e.id);
    expect(got?.taskRunList).toHaveLength(3000);
    expect(got?.taskRunList[2999]).toEqual(big.taskRunList[2999]);
    expect(got?.outputs).toEqual(big.outputs);
    expect(await largestItem(table)).toBeLessThan(350_000);

    // One more task run changes one chunk: the others are kept, the replaced one is deleted.
    const next: Execution = { ...big, taskRunList: [...big.taskRunList, taskRun(e, 3000, 'x')] };
    await repo.save(next, saved.version);
    const again = await repo.get('main', e.id);
    expect(again?.taskRunList).toHaveLength(3001);
    expect(again?.version).toBe(2);
    const count = await clients.dynamo.send(new ScanCommand({ TableName: table, Select: 'COUNT' }));
    expect(count.Count).toBe(1 + Math.ceil(3001 / 50));
  });

  it('keeps a small execution in a single item', async () => {
    const table = await freshTable();
    const repo = new DynamoExecutionRepository(clients.doc, table, blobs());
    const e = contractExecution();
    await repo.save({ ...e, taskRunList: [taskRun(e, 0, 'hello'), taskRun(e, 1, 'world')] }, undefined);
    const count = await clients.dynamo.send(new ScanCommand({ TableName: table, Select: 'COUNT' }));
    expect(count.Count).toBe(1);
  });

  it('spreads the executions of one flow over several index partitions', async () => {
    const table = await freshTable();
    const repo = new DynamoExecutionRepository(clients.doc, table, blobs());
    for (let i = 0; i < 40; i++) {
      await repo.save(contractExecution({ namespace: 'busy.ns', flowId: 'hot', stateType: i % 10 === 0 ? 'QUEUED' : 'RUNNING' }), undefined);
    }
    const out = await clients.dynamo.send(new ScanCommand({ TableName: table, IndexName: 'gsi2' }));
    const partitions = new Set((out.Items ?? []).map((i) => i.gsi2pk?.S));
    expect(partitions.size).toBeGreaterThanOrEqual(5);
    expect((await repo.find('main', { namespace: 'busy.ns', flowId: 'hot', size: 100 })).total).toBe(40);
    // A flow's QUEUED executions (concurrency limits) come from the per-flow index alone.
    expect((await repo.find('main', { namespace: 'busy.ns', flowId: 'hot', states: ['QUEUED'], size: 100 })).total).toBe(4);
    expect((await repo.find('main', { namespacePrefix: 'busy', states: ['QUEUED'], size: 100 })).total).toBe(4);
  });
});

describe('DynamoExecutionRepository items', () => {
  it('stores a two-task-run execution in one item of under 1 KB (one write unit), task runs without their execution ids', async () => {
    const table = await freshTable();
    const repo = new DynamoExecutionRepository(clients.doc, table, blobs());
    const e = contractExecution();
    const runs = [taskRun(e, 0, 'Hello World'), taskRun(e, 1, 'done')];
    await repo.save({ ...e, taskRunList: runs }, undefined);
    const raw = (await clients.dynamo.send(new ScanCommand({ TableName: table }))).Items ?? [];
    expect(raw).toHaveLength(1);
    const item = raw[0] as Record<string, AttributeValue>;
    // Re-writing the same item elsewhere measures it the way DynamoDB bills it.
    const { gsi1pk: _g1, gsi2pk: _g2, ...rest } = item;
    const copy: Record<string, AttributeValue> = { ...rest, pk: { S: `${item.pk?.S}#copy` } };
    const put = await clients.dynamo.send(new PutItemCommand({ TableName: table, Item: copy, ReturnConsumedCapacity: 'TOTAL' }));
    expect(put.ConsumedCapacity?.CapacityUnits).toBe(1);
    expect(Object.keys(item).sort()).toEqual(['doc', 'flowId', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk', 'labels', 'ns', 'pk', 'sk', 'state', 'version']);
    const body = JSON.parse(brotliDecompressSync(item.doc?.M?.b?.B as Uint8Array).toString('utf8')) as { t: Record<string, unknown>[] };
    expect(body.t.map((r) => [r.id, r.executionId, r.namespace, r.flowId])).toEqual([
      ['tr0', undefined, undefined, undefined],
      ['tr1', undefined, undefined, undefined],
    ]);
    expect((await repo.get('main', e.id))?.taskRunList).toEqual(runs);
  });

  it('reads executions written in the earlier format (gzipped head and trl bodies, id and dates as attributes)', async () => {
    const table = await freshTable();
    const repo = new DynamoExecutionRepository(clients.doc, table, blobs());
    const e = contractExecution({ namespace: 'old.ns', flowId: 'legacy' });
    const runs = [taskRun(e, 0, 'a'.repeat(600)), taskRun(e, 1, 'b')];
    const { taskRunList: _runs, version: _v, ...head } = e;
    const gsiSk = `${e.state.startDate}#${e.id}`;
    await clients.doc.send(
      new PutCommand({
        TableName: table,
        Item: {
          pk: `T#main#EXEC#${e.id}`,
          sk: 'H',
          tenantId: 'main',
          id: e.id,
          ns: e.namespace,
          flowId: e.flowId,
          state: e.state.current,
          startDate: e.state.startDate,
          labels: e.labels,
          version: 4,
          refs: [],
          head: { z: gzipSync(JSON.stringify(head)) },
          trl: { z: gzipSync(JSON.stringify(runs)) },
          gsi1pk: 'T#main#EXS#0',
          gsi1sk: gsiSk,
          gsi2pk: 'T#main#EXF#old.ns#legacy#0',
          gsi2sk: gsiSk,
        },
      }),
    );
    const got = await repo.get('main', e.id);
    expect(got).toEqual({ ...e, taskRunList: runs, version: 4 });
    expect((await repo.find('main', { namespace: 'old.ns', flowId: 'legacy', states: [e.state.current] })).results.map((x) => x.id)).toEqual([e.id]);
    expect((await repo.find('main', { namespacePrefix: 'old', states: [e.state.current] })).results.map((x) => x.id)).toEqual([e.id]);
    // The next save writes the new format over it.
    await repo.save({ ...got, taskRunList: runs } as Execution, 4);
    expect((await repo.get('main', e.id))?.taskRunList).toEqual(runs);
  });
});

describe('DynamoKvStore', () => {
  const entry = (key: string, value: string, expirationDate?: string) => ({
    key,
    type: 'STRING' as const,
    value,
    creationDate: '2026-01-01T00:00:00.000Z',
    updateDate: '2026-01-01T00:00:00.000Z',
    ...(expirationDate ? { expirationDate } : {}),
  });

  it('hides an expired entry at read time although DynamoDB has not deleted it yet', async () => {
    const table = await freshTable();
    const kv = new DynamoKvStore(clients.doc, table, blobs());
    await kv.put('main', 'ns', entry('short', 'v', '2026-01-01T00:10:00.000Z'));
    await kv.put('main', 'ns', entry('forever', 'w'));
    expect((await kv.get('main', 'ns', 'short', new Date('2026-01-01T00:09:59Z')))?.value).toBe('v');
    expect(await kv.get('main', 'ns', 'short', new Date('2026-01-01T00:10:01Z'))).toBeUndefined();
    expect((await kv.list('main', 'ns', new Date('2026-01-01T00:10:01Z'))).map((e) => e.key)).toEqual(['forever']);
    const raw = await clients.dynamo.send(new ScanCommand({ TableName: table }));
    expect(raw.Items?.find((i) => i.sk?.S === 'short')?.ttl?.N).toBe(String(Date.parse('2026-01-01T00:10:00Z') / 1000));
  });

  it('stores a 1 MB value and keeps tenants and namespaces apart', async () => {
    const kv = new DynamoKvStore(clients.doc, await freshTable(), blobs());
    const large = 'x'.repeat(1_000_000);
    await kv.put('main', 'a', entry('k', large));
    await kv.put('main', 'b', entry('k', 'b'));
    const now = new Date('2026-01-02T00:00:00Z');
    expect((await kv.get('main', 'a', 'k', now))?.value).toBe(large);
    expect((await kv.get('main', 'b', 'k', now))?.value).toBe('b');
    expect(await kv.get('other', 'a', 'k', now)).toBeUndefined();
    expect(await kv.delete('main', 'a', 'k')).toBe(true);
    expect(await kv.delete('main', 'a', 'k')).toBe(false);
  });
});
