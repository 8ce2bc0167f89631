import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ConcurrencySlots, ConcurrencySlotsSnapshot } from '@windhover/core';
import { isConditionFailure } from './dynamo-errors';
import { keys } from './dynamo-keys';

/**
 * Concurrency slots in DynamoDB: one item per flow holding the string set
 * `active` of the execution ids with a slot and the string set `waiting` of
 * the queued ones. Acquiring is a single conditional UpdateItem (`ADD` to
 * `active` and `DELETE` from `waiting` when the set is absent, smaller than
 * the limit, or already holds the id), which DynamoDB serialises per item,
 * so executors in parallel Lambdas never grant more than `limit` slots.
 * DynamoDB drops an emptied set, so `attribute_not_exists` covers it.
 * The sweep's snapshot is one strongly consistent GetItem.
 */
export class DynamoConcurrencySlots implements ConcurrencySlots {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async tryAcquire(tenantId: string, namespace: string, flowId: string, executionId: string, limit: number): Promise<boolean> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: this.key(tenantId, namespace, flowId),
          UpdateExpression: 'ADD active :id DELETE waiting :id',
          ConditionExpression: 'attribute_not_exists(active) OR size(active) < :limit OR contains(active, :idStr)',
          ExpressionAttributeValues: { ':id': new Set([executionId]), ':idStr': executionId, ':limit': limit },
        }),
      );
      return true;
    } catch (e) {
      if (isConditionFailure(e)) return false;
      throw e;
    }
  }

  async release(tenantId: string, namespace: string, flowId: string, executionId: string): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: this.key(tenantId, namespace, flowId),
        UpdateExpression: 'DELETE active :id, waiting :id',
        ExpressionAttributeValues: { ':id': new Set([executionId]) },
      }),
    );
  }

  async markWaiting(tenantId: string, namespace: string, flowId: string, executionId: string): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: this.key(tenantId, namespace, flowId),
        UpdateExpression: 'ADD waiting :id',
        ExpressionAttributeValues: { ':id': new Set([executionId]) },
      }),
    );
  }

  async snapshot(tenantId: string, namespace: string, flowId: string): Promise<ConcurrencySlotsSnapshot> {
    const out = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: this.key(tenantId, namespace, flowId), ConsistentRead: true, ProjectionExpression: 'active, waiting' }),
    );
    const ids = (v: unknown): string[] => (v instanceof Set ? [...v].map(String).sort() : []);
    return { active: ids(out.Item?.active), waiting: ids(out.Item?.waiting) };
  }

  private key(tenantId: string, namespace: string, flowId: string): { pk: string; sk: string } {
    return { pk: keys.concurrencySlots(tenantId, namespace, flowId), sk: 'S' };
  }
}
