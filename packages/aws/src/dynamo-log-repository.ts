import { BatchGetCommand, BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { LOG_LEVELS } from '@windhover/core';
import type { LogEntry, LogLevel, LogQuery, LogRepository } from '@windhover/core';
import { batchDelete } from './dynamo-execution-repository';
import { allShards, keys, pad, shardOf } from './dynamo-keys';
import { queryAll } from './dynamo-query';
import { type BlobStore, ItemCodec } from './item-codec';

const levelRank = (l: LogLevel): number => LOG_LEVELS.indexOf(l);
/** Entries per item: one append of a task run's lines is usually one item (one write). */
const ENTRIES_PER_ITEM = 200;

/**
 * Logs in DynamoDB, one item per batch of entries of one execution (or one
 * trigger): a task run's lines cost one write, not one per line. Items are
 * keyed by the batch's first timestamp and a process-monotonic sequence so
 * that reading an execution's logs is one ordered Query. gsi1 spreads every
 * batch over SHARDS partitions for searches by namespace or flow. A TTL
 * attribute drops logs after the configured retention.
 */
export class DynamoLogRepository implements LogRepository {
  private readonly codec: ItemCodec;
  private seq = 0n;
  private buffer: LogEntry[] = [];

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly options: {
      readonly retentionDays?: number;
      readonly blobs?: BlobStore;
      /**
       * Keep appended entries in memory until `flush()` (the executor and
       * worker functions flush after each message): the lines of all tasks of
       * one executor step become one item, one write.
       */
      readonly buffered?: boolean;
    } = {},
  ) {
    this.codec = new ItemCodec(options.blobs);
  }

  async append(entries: readonly LogEntry[]): Promise<void> {
    if (this.options.buffered) {
      this.buffer.push(...entries);
      return;
    }
    await this.write(entries);
  }

  /** Writes the buffered entries (a no-op when not buffered or empty). */
  async flush(): Promise<void> {
    if (this.buffer.length === 0) return;
    const entries = this.buffer;
    this.buffer = [];
    await this.write(entries);
  }

  private async write(entries: readonly LogEntry[]): Promise<void> {
    const groups = new Map<string, LogEntry[]>();
    for (const e of entries) {
      const owner = ownerOf(e);
      const key = `${e.tenantId}\u0000${owner}`;
      const list = groups.get(key) ?? [];
      list.push(e);
      groups.set(key, list);
    }
    const items: Record<string, unknown>[] = [];
    for (const list of groups.values()) {
      for (let i = 0; i < list.length; i += ENTRIES_PER_ITEM) {
        const batch = list.slice(i, i + ENTRIES_PER_ITEM);
        const first = batch[0];
        const owner = ownerOf(first);
        const sk = `${first.timestamp}#${this.nextSeq()}`;
        const minLevel = Math.min(...batch.map((e) => levelRank(e.level)));
        const maxLevel = Math.max(...batch.map((e) => levelRank(e.level)));
        items.push({
          pk: keys.logs(first.tenantId, owner),
          sk,
          ns: first.namespace,
          flowId: first.flowId,
          lvl: maxLevel,
          minLvl: minLevel,
          gsi1pk: keys.logsShard(first.tenantId, shardOf(`${owner}#${sk}`)),
          gsi1sk: sk,
          ...(await this.codec.encode(batch, `_repository/logs/${first.tenantId}/${owner}`)),
          ...(this.options.retentionDays
            ? { ttl: Math.floor(Date.parse(first.timestamp) / 1000) + this.options.retentionDays * 86_400 }
            : {}),
        });
      }
    }
    for (let i = 0; i < items.length; i += 25) {
      let request: Record<string, { PutRequest: { Item: Record<string, unknown> } }[]> | undefined = {
        [this.table]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })),
      };
      for (let attempt = 0; request && (request[this.table]?.length ?? 0) > 0; attempt++) {
        if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 50 * 2 ** attempt)));
        const out = await this.doc.send(new BatchWriteCommand({ RequestItems: request }));
        request = out.UnprocessedItems as typeof request;
      }
    }
  }

  async find(tenantId: string, query: LogQuery): Promise<readonly LogEntry[]> {
    await this.flush();
    const min = query.minLevel === undefined ? undefined : levelRank(query.minLevel);
    const levelFilter = min === undefined ? {} : { FilterExpression: 'lvl >= :min', ExpressionAttributeValues: { ':min': min } };
    let items: Record<string, unknown>[];
    if (query.executionId !== undefined) {
      items = await queryAll(this.doc, {
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk',
        ...levelFilter,
        ExpressionAttributeValues: { ':pk': keys.logs(tenantId, query.executionId), ...levelFilter.ExpressionAttributeValues },
        ConsistentRead: true,
      });
    } else {
      // Searches without an execution go through the sharded index, then fetch the bodies.
      const rows = (
        await Promise.all(
          allShards().map((shard) =>
            queryAll(this.doc, {
              TableName: this.table,
              IndexName: 'gsi1',
              KeyConditionExpression: 'gsi1pk = :pk',
              ExpressionAttributeValues: { ':pk': keys.logsShard(tenantId, shard) },
            }),
          ),
        )
      )
        .flat()
        .filter((r) => query.namespace === undefined || r.ns === query.namespace)
        .filter((r) => query.flowId === undefined || r.flowId === query.flowId)
        .filter((r) => min === undefined || Number(r.lvl) >= min);
      items = await this.fetch(rows);
    }
    const entries: { e: LogEntry; sk: string; i: number }[] = [];
    for (const item of items) {
      const batch = await this.codec.decode<LogEntry[]>(item);
      for (const [i, e] of batch.entries()) entries.push({ e, sk: String(item.sk), i });
    }
    const filtered = entries
      .filter(({ e }) => query.executionId === undefined || e.executionId === query.executionId)
      .filter(({ e }) => query.taskRunId === undefined || e.taskRunId === query.taskRunId)
      .filter(({ e }) => query.taskId === undefined || e.taskId === query.taskId)
      .filter(({ e }) => query.namespace === undefined || e.namespace === query.namespace)
      .filter(({ e }) => query.flowId === undefined || e.flowId === query.flowId)
      .filter(({ e }) => min === undefined || levelRank(e.level) >= min)
      .sort((a, b) => (a.e.timestamp < b.e.timestamp ? -1 : a.e.timestamp > b.e.timestamp ? 1 : a.sk < b.sk ? -1 : a.sk > b.sk ? 1 : a.i - b.i))
      .map(({ e }) => e);
    if (query.size === undefined) return filtered;
    const size = Math.max(1, query.size);
    const page = Math.max(1, query.page ?? 1);
    return filtered.slice((page - 1) * size, page * size);
  }

  async deleteByExecution(tenantId: string, executionId: string): Promise<void> {
    await this.flush();
    const items = await queryAll(this.doc, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': keys.logs(tenantId, executionId) },
      ProjectionExpression: 'pk, sk',
    });
    await batchDelete(this.doc, this.table, items.map((i) => ({ pk: i.pk, sk: i.sk })));
  }

  private async fetch(rows: readonly Record<string, unknown>[]): Promise<Record<string, unknown>[]> {
    const out: Record<string, unknown>[] = [];
    for (let i = 0; i < rows.length; i += 100) {
      let request: Record<string, { Keys: Record<string, unknown>[] }> | undefined = {
        [this.table]: { Keys: rows.slice(i, i + 100).map((r) => ({ pk: r.pk, sk: r.sk })) },
      };
      while (request && Object.keys(request).length > 0) {
        const res = await this.doc.send(new BatchGetCommand({ RequestItems: request }));
        out.push(...((res.Responses?.[this.table] ?? []) as Record<string, unknown>[]));
        request = res.UnprocessedKeys as typeof request;
      }
    }
    return out;
  }

  private nextSeq(): string {
    // Monotonic within the process; keeps batches appended in the same millisecond in order.
    const now = process.hrtime.bigint();
    this.seq = now > this.seq ? now : this.seq + 1n;
    return pad(Number(this.seq % 10n ** 15n), 15);
  }
}

/** Logs are partitioned by execution; trigger logs (no execution) by flow and trigger. */
function ownerOf(e: LogEntry): string {
  return e.executionId ?? `_trigger#${e.namespace}#${e.flowId}#${e.triggerId ?? ''}`;
}
