import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ConcurrencySlots } from '@windhover/core';
import { isConditionFailure } from './dynamo-errors';
import { keys } from './dynamo-keys';

/**
 * Concurrency slots in DynamoDB: one item per flow holding the string set
 * `active` of the execution ids with a slot. Acquiring is a single
 * conditional UpdateItem (`ADD` when the set is absent, smaller than the
 * limit, or already holds the id), which DynamoDB serialises per item, so
 * executors in parallel Lambdas never grant more than `limit` slots.
 * DynamoDB drops an emptied set, so `attribute_not_exists` covers it.
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
          Key: { pk: keys.concurrencySlots(tenantId, namespace, flowId), sk: 'S' },
          UpdateExpression: 'ADD active :id',
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
        Key: { pk: keys.concurrencySlots(tenantId, namespace, flowId), sk: 'S' },
        UpdateExpression: 'DELETE active :id',
        ExpressionAttributeValues: { ':id': new Set([executionId]) },
      }),
    );
  }
}
