import { DeleteCommand, type DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { TimerRecord, TimerStore } from '@windhover/core';
import { allShards, shardOf } from './dynamo-keys';

const timerKey = (id: string) => ({ pk: `TIMER#${id}`, sk: 'T' });

/**
 * Timers longer than an SQS delay, in DynamoDB: one item per timer (put and
 * delete by id are idempotent), indexed in gsi1 by due instant over SHARDS
 * partitions so that many executions sleeping at once do not share one hot
 * key. The scheduler tick queries every shard for `fireAt <= now`.
 */
export class DynamoTimerStore implements TimerStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async put(timer: TimerRecord): Promise<void> {
    // Normalized to UTC so that the index orders instants, not texts with offsets.
    const due = new Date(timer.fireAt).toISOString();
    await this.doc.send(
      new PutCommand({
        TableName: this.table,
        Item: { ...timerKey(timer.id), gsi1pk: `TIMERS#${shardOf(timer.id)}`, gsi1sk: `${due}#${timer.id}`, body: JSON.stringify(timer) },
      }),
    );
  }

  async due(now: Date, limit: number): Promise<readonly TimerRecord[]> {
    const upTo = `${now.toISOString()}#\uffff`;
    // Each shard returns its earliest `limit` due timers; the earliest `limit` overall are among them.
    const rows = await Promise.all(
      allShards().map(async (shard) => {
        const out = await this.doc.send(
          new QueryCommand({
            TableName: this.table,
            IndexName: 'gsi1',
            KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk <= :upTo',
            ExpressionAttributeValues: { ':pk': `TIMERS#${shard}`, ':upTo': upTo },
            Limit: limit,
          }),
        );
        return (out.Items ?? []) as Record<string, unknown>[];
      }),
    );
    return rows
      .flat()
      .sort((a, b) => (String(a.gsi1sk) < String(b.gsi1sk) ? -1 : 1))
      .slice(0, limit)
      .map((r) => JSON.parse(String(r.body)) as TimerRecord);
  }

  async delete(id: string): Promise<void> {
    await this.doc.send(new DeleteCommand({ TableName: this.table, Key: timerKey(id) }));
  }
}
