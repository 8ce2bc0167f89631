import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { AttemptKey, AttemptResultStore, JsonValue } from '@windhover/core';
import { keys, pad } from './dynamo-keys';
import { type BlobStore, ItemCodec } from './item-codec';

/** `T#{tenant}#ATT#{executionId}` / `{taskRunId}#{attempt:5}` (see table-schema.ts). */
const itemKey = (k: AttemptKey) => ({ pk: keys.attemptResults(k.tenantId, k.executionId), sk: `${k.taskRunId}#${pad(k.attempt, 5)}` });

/**
 * Attempt results in DynamoDB: one item per attempt under the execution's
 * attempt partition, written once per worker task run (1 write unit for a
 * typical result; bodies above 512 bytes are Brotli-compressed by the
 * ItemCodec, and only one too large for an item goes to the blob store, S3).
 * `ttl` (epoch seconds) lets DynamoDB delete the item after its expiry, for
 * free and up to ~48 h late; reads also compare `exp` (epoch ms) with `now`.
 *
 * Reads are eventually consistent (half the read units): the worker writes a
 * result before it sends it, and the only read of it is a redelivery of the
 * worker message, which SQS makes a visibility timeout (minutes) after the
 * first delivery, far beyond the store's replication lag (about a second). A
 * duplicate delivered at the same moment is not helped by a strongly
 * consistent read either: the result is only written once the task has run.
 */
export class DynamoAttemptResultStore implements AttemptResultStore {
  private readonly codec: ItemCodec;

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
    blobs?: BlobStore,
  ) {
    this.codec = new ItemCodec(blobs);
  }

  async get(key: AttemptKey, now: Date): Promise<string | undefined> {
    const out = await this.doc.send(new GetCommand({ TableName: this.table, Key: itemKey(key) }));
    if (!out.Item || Number(out.Item.exp) <= now.getTime()) return undefined;
    return JSON.stringify(await this.codec.decode<JsonValue>(out.Item));
  }

  async put(key: AttemptKey, result: string, expiresAt: Date): Promise<void> {
    const exp = expiresAt.getTime();
    // Stored as the JSON value, not as a string of it (no escaped quotes in the item).
    const body = await this.codec.encode(JSON.parse(result) as JsonValue, `_repository/attempts/${key.tenantId}/${key.executionId}`);
    await this.doc.send(new PutCommand({ TableName: this.table, Item: { ...itemKey(key), ...body, exp, ttl: Math.ceil(exp / 1000) } }));
  }
}
