import { BatchGetCommand, DeleteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { AlreadyExistsError } from '@windhover/core';
import type { KvEntry, KvPutOptions, KvStore } from '@windhover/core';
import { isConditionFailure } from './dynamo-errors';
import { keys } from './dynamo-keys';
import { queryAll } from './dynamo-query';
import { type BlobStore, ItemCodec } from './item-codec';

const tenantIndexKey = (t: string) => `T#${t}#KVS`;

/**
 * Namespace KV entries in DynamoDB, one item per key under the namespace's
 * partition (gsi1 lists a whole tenant). Expiring entries carry `exp`
 * (epoch ms) and the `ttl` attribute, so DynamoDB removes them eventually (up
 * to ~48 h late); every read also compares `exp` with `now`, so an entry is
 * gone for readers at the exact instant it expires. `onlyIfAbsent` is a
 * conditional put: no item, or an item already expired.
 */
export class DynamoKvStore implements KvStore {
  private readonly codec: ItemCodec;

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
    blobs?: BlobStore,
  ) {
    this.codec = new ItemCodec(blobs);
  }

  async get(tenantId: string, namespace: string, key: string, now: Date): Promise<KvEntry | undefined> {
    const out = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: { pk: keys.kv(tenantId, namespace), sk: key }, ConsistentRead: true }),
    );
    if (!out.Item || !isLive(out.Item, now)) return undefined;
    return this.toEntry(out.Item, namespace);
  }

  async put(tenantId: string, namespace: string, entry: KvEntry, options: KvPutOptions = {}): Promise<void> {
    const exp = entry.expirationDate === undefined ? undefined : Date.parse(entry.expirationDate);
    const { namespace: _ns, ...stored } = entry;
    const item = {
      pk: keys.kv(tenantId, namespace),
      sk: entry.key,
      ns: namespace,
      gsi1pk: tenantIndexKey(tenantId),
      gsi1sk: `${namespace}#${entry.key}`,
      ...(await this.codec.encode(stored, `_repository/kv/${tenantId}/${namespace}`)),
      ...(exp === undefined ? {} : { exp, ttl: Math.ceil(exp / 1000) }),
    };
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: item,
          ...(options.onlyIfAbsent
            ? {
                ConditionExpression: 'attribute_not_exists(pk) OR exp <= :now',
                ExpressionAttributeValues: { ':now': Date.parse(entry.updateDate) },
              }
            : {}),
        }),
      );
    } catch (e) {
      if (isConditionFailure(e)) throw new AlreadyExistsError('KV entry', `${namespace}:${entry.key}`, { cause: e });
      throw e;
    }
  }

  async delete(tenantId: string, namespace: string, key: string, now: Date = new Date()): Promise<boolean> {
    const out = await this.doc.send(
      new DeleteCommand({ TableName: this.table, Key: { pk: keys.kv(tenantId, namespace), sk: key }, ReturnValues: 'ALL_OLD' }),
    );
    return out.Attributes !== undefined && isLive(out.Attributes, now);
  }

  async list(tenantId: string, namespace: string | undefined, now: Date): Promise<readonly KvEntry[]> {
    let items: Record<string, unknown>[];
    if (namespace !== undefined) {
      items = await queryAll(this.doc, {
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': keys.kv(tenantId, namespace) },
        ConsistentRead: true,
      });
    } else {
      const index = await queryAll(this.doc, {
        TableName: this.table,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': tenantIndexKey(tenantId) },
      });
      items = await this.fetch(index);
    }
    const live = items.filter((i) => isLive(i, now));
    const entries = await Promise.all(live.map((i) => this.toEntry(i, String(i.ns))));
    return entries.sort((a, b) => cmp(a.namespace ?? '', b.namespace ?? '') || cmp(a.key, b.key));
  }

  private async toEntry(item: Record<string, unknown>, namespace: string): Promise<KvEntry> {
    return { ...(await this.codec.decode<KvEntry>(item)), namespace };
  }

  private async fetch(rows: readonly Record<string, unknown>[]): Promise<Record<string, unknown>[]> {
    const out: Record<string, unknown>[] = [];
    for (let i = 0; i < rows.length; i += 100) {
      let request: Record<string, { Keys: Record<string, unknown>[]; ConsistentRead: boolean }> | undefined = {
        [this.table]: { Keys: rows.slice(i, i + 100).map((r) => ({ pk: r.pk, sk: r.sk })), ConsistentRead: true },
      };
      while (request && Object.keys(request).length > 0) {
        const res = await this.doc.send(new BatchGetCommand({ RequestItems: request }));
        out.push(...((res.Responses?.[this.table] ?? []) as Record<string, unknown>[]));
        request = res.UnprocessedKeys as typeof request;
      }
    }
    return out;
  }
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const isLive = (item: Record<string, unknown>, now: Date): boolean => item.exp === undefined || Number(item.exp) > now.getTime();
