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
  /** Revisions never change: cached for the life of the process (bounded). */
  private readonly revisionCache = new Map<string, FlowWithSource>();
  /** Latest revisions, cached for `latestCacheMs` (an executor step reads its flow several times). */
  private readonly latestCache = new Map<string, { at: number; flow: FlowWithSource | undefined }>();

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly options: { readonly latestCacheMs?: number; readonly now?: () => number } = {},
  ) {}

  async get(tenantId: string, namespace: string, id: string, revision?: number): Promise<FlowWithSource | undefined> {
    const pk = keys.flow(tenantId, namespace, id);
    const sk = revision === undefined ? 'LATEST' : `REV#${pad(revision)}`;
    const cacheKey = `${pk}|${sk}`;
    const now = this.options.now?.() ?? Date.now();
    if (revision !== undefined) {
      const hit = this.revisionCache.get(cacheKey);
      if (hit) return hit;
    } else {
      const hit = this.latestCache.get(cacheKey);
      if (hit && now - hit.at < (this.options.latestCacheMs ?? 0)) return hit.flow;
    }
    const out = await this.doc.send(
      new GetCommand({
        TableName: this.table,
        Key: { pk, sk },
        // A revision item is immutable: an eventually consistent read (half the cost) is exact.
        ConsistentRead: revision === undefined,
      }),
    );
    const flow = out.Item ? toFlow(out.Item) : undefined;
    if (revision !== undefined) {
      if (flow) remember(this.revisionCache, cacheKey, flow);
      return flow;
    }
    const visible = flow && !flow.deleted ? flow : undefined;
    if (this.options.latestCacheMs) remember(this.latestCache, cacheKey, { at: now, flow: visible });
    return visible;
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
    this.latestCache.delete(`${keys.flow(flow.tenantId, namespace, id)}|LATEST`);
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

function remember<V>(cache: Map<string, V>, key: string, value: V): void {
  cache.delete(key);
  cache.set(key, value);
  if (cache.size > 500) cache.delete(cache.keys().next().value as string);
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
