import { type DynamoDBDocumentClient, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { VersionConflictError } from '@windhover/core';
import type { Flow, FlowQuery, FlowRepository, FlowWithSource } from '@windhover/core';
import { withVersionCheck } from './dynamo-errors';
import { keys, pad } from './dynamo-keys';
import { queryAll } from './dynamo-query';

interface FlowBody {
  readonly tenantId: string;
  readonly revision: number;
  readonly flow: Flow;
  readonly source: string;
  readonly updated: string;
  readonly deleted?: boolean;
}

/**
 * Flows in DynamoDB. Each revision is an item; a `LATEST` item carries a copy
 * of the newest revision (one read for `get`, and the flow listing via gsi1).
 * A save writes both in one transaction, conditioned on the latest revision
 * still being the expected one.
 */
export class DynamoFlowRepository implements FlowRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async get(tenantId: string, namespace: string, id: string, revision?: number): Promise<FlowWithSource | undefined> {
    const out = await this.doc.send(
      new GetCommand({
        TableName: this.table,
        Key: { pk: keys.flow(tenantId, namespace, id), sk: revision === undefined ? 'LATEST' : `REV#${pad(revision)}` },
        ConsistentRead: true,
      }),
    );
    if (!out.Item) return undefined;
    const flow = toFlow(out.Item);
    if (revision === undefined && flow.deleted) return undefined;
    return flow;
  }

  async list(tenantId: string, query: FlowQuery = {}): Promise<readonly FlowWithSource[]> {
    const prefix = query.namespace ?? query.namespacePrefix;
    const items = await queryAll(this.doc, {
      TableName: this.table,
      IndexName: 'gsi1',
      KeyConditionExpression: prefix === undefined ? 'gsi1pk = :pk' : 'gsi1pk = :pk AND begins_with(gsi1sk, :ns)',
      ExpressionAttributeValues: { ':pk': keys.flows(tenantId), ...(prefix === undefined ? {} : { ':ns': prefix }) },
    });
    return items
      .map(toFlow)
      .filter((f) => query.includeDeleted || !f.deleted)
      .filter((f) => query.namespace === undefined || f.flow.namespace === query.namespace)
      .filter(
        (f) =>
          query.namespacePrefix === undefined ||
          f.flow.namespace === query.namespacePrefix ||
          f.flow.namespace.startsWith(`${query.namespacePrefix}.`),
      )
      .sort((a, b) => a.flow.namespace.localeCompare(b.flow.namespace) || a.flow.id.localeCompare(b.flow.id));
  }

  async revisions(tenantId: string, namespace: string, id: string): Promise<readonly FlowWithSource[]> {
    const items = await queryAll(this.doc, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :rev)',
      ExpressionAttributeValues: { ':pk': keys.flow(tenantId, namespace, id), ':rev': 'REV#' },
      ConsistentRead: true,
    });
    return items.map(toFlow);
  }

  async save(flow: FlowWithSource, expectedRevision: number | undefined): Promise<void> {
    const { namespace, id } = flow.flow;
    const name = `${namespace}.${id}`;
    if (flow.revision <= (expectedRevision ?? 0)) throw new VersionConflictError('Flow', name, expectedRevision);
    const pk = keys.flow(flow.tenantId, namespace, id);
    const body: FlowBody = {
      tenantId: flow.tenantId,
      revision: flow.revision,
      flow: flow.flow,
      source: flow.source,
      updated: flow.updated,
      ...(flow.deleted ? { deleted: true } : {}),
    };
    const common = { ns: namespace, flowId: id, tenantId: flow.tenantId, revision: flow.revision, body: JSON.stringify(body) };
    await withVersionCheck('Flow', name, expectedRevision, () =>
      this.doc.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.table,
                Item: { pk, sk: `REV#${pad(flow.revision)}`, ...common },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            {
              Put: {
                TableName: this.table,
                Item: { pk, sk: 'LATEST', gsi1pk: keys.flows(flow.tenantId), gsi1sk: `${namespace}#${id}`, ...common },
                ConditionExpression: expectedRevision === undefined ? 'attribute_not_exists(pk)' : 'revision = :expected',
                ...(expectedRevision === undefined ? {} : { ExpressionAttributeValues: { ':expected': expectedRevision } }),
              },
            },
          ],
        }),
      ),
    );
  }
}

function toFlow(item: Record<string, unknown>): FlowWithSource {
  const body = JSON.parse(String(item.body)) as FlowBody;
  return {
    flow: body.flow,
    source: body.source,
    revision: body.revision,
    tenantId: body.tenantId,
    updated: body.updated,
    ...(body.deleted ? { deleted: true } : {}),
  };
}
