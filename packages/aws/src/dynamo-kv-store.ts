import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { KvEntry, KvStore } from '@windhover/core';
import { keys } from './dynamo-keys';
import { queryAll } from './dynamo-query';
import { type BlobStore, ItemCodec } from './item-codec';

/**
 * Namespace KV entries in DynamoDB, one item per key under the namespace's
 * partition. Expiring entries carry the `ttl` attribute so DynamoDB removes
 * them eventually (up to ~48 h late), and every read also hides entries whose
 * expiration date has passed, so expiry is exact for readers.
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
    if (!out.Item) return undefined;
    const entry = await this.codec.decode<KvEntry>(out.Item);
    return isLive(entry, now) ? entry : undefined;
  }

  async put(tenantId: string, namespace: string, entry: KvEntry): Promise<void> {
    const expires = entry.expirationDate === undefined ? undefined : Date.parse(entry.expirationDate);
    await this.doc.send(
      new PutCommand({
        TableName: this.table,
        Item: {
          pk: keys.kv(tenantId, namespace),
          sk: entry.key,
          ...(await this.codec.encode(entry, `_repository/kv/${tenantId}/${namespace}`)),
          ...(expires === undefined ? {} : { ttl: Math.ceil(expires / 1000) }),
        },
      }),
    );
  }

  async delete(tenantId: string, namespace: string, key: string): Promise<boolean> {
    const out = await this.doc.send(
      new DeleteCommand({ TableName: this.table, Key: { pk: keys.kv(tenantId, namespace), sk: key }, ReturnValues: 'ALL_OLD' }),
    );
    return out.Attributes !== undefined;
  }

  async list(tenantId: string, namespace: string, now: Date): Promise<readonly KvEntry[]> {
    const items = await queryAll(this.doc, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': keys.kv(tenantId, namespace) },
      ConsistentRead: true,
    });
    const entries = await Promise.all(items.map((i) => this.codec.decode<KvEntry>(i)));
    return entries.filter((e) => isLive(e, now)).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }
}

const isLive = (e: KvEntry, now: Date): boolean =>
  e.expirationDate === undefined || Date.parse(e.expirationDate) > now.getTime();
