import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { TriggerKey, TriggerState, TriggerStateQuery, TriggerStore } from '@windhover/core';
import { withVersionCheck } from './dynamo-errors';
import { batchDelete } from './dynamo-execution-repository';
import { queryAll } from './dynamo-query';

const pkOf = (t: string, ns: string, flowId: string) => `T#${t}#TRG#${ns}#${flowId}`;
const listKey = (t: string) => `T#${t}#TRIGGERS`;

/**
 * Trigger state in DynamoDB: one item per trigger under its flow's partition
 * (so deleting a flow's triggers is one Query), listed per tenant through
 * gsi1. Every save is a PutItem conditioned on the stored version, which is
 * what lets exactly one of two overlapping scheduler ticks claim a slot.
 */
export class DynamoTriggerStore implements TriggerStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async get(key: TriggerKey): Promise<TriggerState | undefined> {
    const out = await this.doc.send(
      new GetCommand({
        TableName: this.table,
        Key: { pk: pkOf(key.tenantId, key.namespace, key.flowId), sk: key.triggerId },
        ConsistentRead: true,
      }),
    );
    return out.Item ? toState(out.Item) : undefined;
  }

  async list(tenantId: string, query: TriggerStateQuery = {}): Promise<readonly TriggerState[]> {
    const prefix = query.namespace ?? query.namespacePrefix;
    const items = await queryAll(this.doc, {
      TableName: this.table,
      IndexName: 'gsi1',
      KeyConditionExpression: prefix === undefined ? 'gsi1pk = :pk' : 'gsi1pk = :pk AND begins_with(gsi1sk, :p)',
      ExpressionAttributeValues: { ':pk': listKey(tenantId), ...(prefix === undefined ? {} : { ':p': prefix }) },
    });
    return items
      .map(toState)
      .filter((s) => query.namespace === undefined || s.namespace === query.namespace)
      .filter(
        (s) =>
          query.namespacePrefix === undefined ||
          s.namespace === query.namespacePrefix ||
          s.namespace.startsWith(`${query.namespacePrefix}.`),
      )
      .filter((s) => query.flowId === undefined || s.flowId === query.flowId);
  }

  async save(state: Omit<TriggerState, 'version'>, expectedVersion: number | undefined): Promise<TriggerState> {
    const version = (expectedVersion ?? 0) + 1;
    const stored = { ...(state as TriggerState), version };
    const { tenantId, namespace, flowId, triggerId } = state;
    await withVersionCheck('Trigger', `${namespace}.${flowId}.${triggerId}`, expectedVersion, () =>
      this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            pk: pkOf(tenantId, namespace, flowId),
            sk: triggerId,
            gsi1pk: listKey(tenantId),
            gsi1sk: `${namespace}#${flowId}#${triggerId}`,
            version,
            body: JSON.stringify(stored),
          },
          ConditionExpression: expectedVersion === undefined ? 'attribute_not_exists(pk)' : 'version = :expected',
          ...(expectedVersion === undefined ? {} : { ExpressionAttributeValues: { ':expected': expectedVersion } }),
        }),
      ),
    );
    return stored;
  }

  async delete(key: TriggerKey): Promise<boolean> {
    const out = await this.doc.send(
      new DeleteCommand({
        TableName: this.table,
        Key: { pk: pkOf(key.tenantId, key.namespace, key.flowId), sk: key.triggerId },
        ReturnValues: 'ALL_OLD',
      }),
    );
    return out.Attributes !== undefined;
  }

  async deleteByFlow(tenantId: string, namespace: string, flowId: string): Promise<number> {
    const items = await queryAll(this.doc, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': pkOf(tenantId, namespace, flowId) },
      ProjectionExpression: 'pk, sk',
      ConsistentRead: true,
    });
    await batchDelete(this.doc, this.table, items.map((i) => ({ pk: i.pk, sk: i.sk })));
    return items.length;
  }
}

const toState = (item: Record<string, unknown>): TriggerState => JSON.parse(String(item.body)) as TriggerState;
