import {
  BatchGetCommand,
  BatchWriteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
} from '@aws-sdk/lib-dynamodb';
import { VersionConflictError } from '@windhover/core';
import type { Execution, ExecutionQuery, ExecutionRepository, Label, Page, TaskRun } from '@windhover/core';
import { withVersionCheck } from './dynamo-errors';
import { allShards, keys, pad, sha256, shardOf } from './dynamo-keys';
import { mapLimit, queryAll } from './dynamo-query';
import { type BlobStore, ItemCodec } from './item-codec';

/** Task runs per chunk item once an execution no longer fits inline in its header. */
const CHUNK_SIZE = 50;
/** Task run lists up to this many JSON characters stay inline in the header (one item per write). */
const INLINE_TASK_RUNS_MAX = 32_000;
const DEFAULT_PAGE_SIZE = 10;

interface ChunkRef {
  readonly i: number;
  readonly v: number;
  readonly h: string;
}

interface HeaderState {
  readonly version: number;
  readonly refs: readonly ChunkRef[];
}

type IndexRow = Record<string, unknown> & { id: string; startDate: string };

/**
 * Executions in DynamoDB, sized for any number of task runs.
 *
 * - A header item holds the execution without its task runs; small task run
 *   lists ride inline in it, so a typical executor step is a single PutItem.
 * - Larger lists are split into immutable chunk items (`C#{i}#{version}`)
 *   that the header references; a save writes only the chunks whose content
 *   changed, then the header with the version condition, then deletes the
 *   chunks it replaced. Readers follow the header's references, so they never
 *   see a half-written execution, and no transaction (2x write cost) is needed.
 * - The header's body (the execution, with its task runs while they fit) is
 *   one Brotli-compressed attribute; task runs at rest leave out what they
 *   repeat of their execution (id, namespace, flow). A two-task-run
 *   execution is one write unit. Bodies spill to S3 above 300 KB, so no item
 *   comes near 400 KB.
 * - Listings use gsi1 (per tenant) or gsi2 (per flow, with the state), each
 *   spread over SHARDS partitions so a busy flow never concentrates writes on one key.
 */
export class DynamoExecutionRepository implements ExecutionRepository {
  private readonly codec: ItemCodec;
  /** Chunk references of recently read or written executions: saves skip a read for them. */
  private readonly known = new Map<string, HeaderState>();

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly blobs?: BlobStore & { deleteBlobs?(prefix: string): Promise<number> },
  ) {
    this.codec = new ItemCodec(blobs);
  }

  async get(tenantId: string, id: string): Promise<Execution | undefined> {
    const pk = keys.execution(tenantId, id);
    for (let attempt = 0; ; attempt++) {
      const out = await this.doc.send(new GetCommand({ TableName: this.table, Key: { pk, sk: 'H' }, ConsistentRead: true }));
      if (!out.Item) return undefined;
      const head = out.Item;
      const refs = (head.refs ?? []) as ChunkRef[];
      const chunks = await this.readChunks(pk, refs);
      if (chunks === undefined) {
        // A concurrent save replaced the chunks after we read the header: read again.
        if (attempt < 5) continue;
        throw new Error(`execution ${id}: chunks changed under five consecutive reads`);
      }
      let base: Omit<Execution, 'taskRunList'>;
      let inline: readonly RunAtRest[];
      if (head.doc) {
        const doc = await this.codec.decode<StoredDoc>(head.doc as Record<string, unknown>);
        base = doc.h;
        inline = doc.t ?? [];
      } else {
        // Written before the single `doc` attribute: `head` and `trl` bodies.
        base = await this.codec.decode<Omit<Execution, 'taskRunList'>>(head.head as Record<string, unknown>);
        inline = head.trl ? await this.codec.decode<TaskRun[]>(head.trl as Record<string, unknown>) : [];
      }
      this.remember(pk, { version: Number(head.version), refs });
      const runs = refs.length > 0 ? chunks.flat() : inline;
      return { ...base, taskRunList: runs.map((r) => expandRun(r, base)), version: Number(head.version) };
    }
  }

  async save(execution: Execution, expectedVersion: number | undefined): Promise<Execution> {
    const version = (expectedVersion ?? 0) + 1;
    const { taskRunList, version: _ignored, ...base } = execution;
    const stored: Execution = { ...execution, version };
    const pk = keys.execution(execution.tenantId, execution.id);
    const blobPrefix = `_repository/executions/${execution.tenantId}/${execution.id}`;

    const previous = expectedVersion === undefined ? { version: 0, refs: [] } : await this.previousState(pk, expectedVersion);
    if (previous.version !== (expectedVersion ?? 0)) throw new VersionConflictError('Execution', execution.id, expectedVersion);

    const atRest = taskRunList.map((r) => compactRun(r, execution));
    const inlineJson = JSON.stringify(atRest);
    let refs: ChunkRef[] = [];
    const written: ChunkRef[] = [];
    if (inlineJson.length > INLINE_TASK_RUNS_MAX) {
      for (let i = 0; i * CHUNK_SIZE < atRest.length; i++) {
        const runs = atRest.slice(i * CHUNK_SIZE, (i + 1) * CHUNK_SIZE);
        const h = sha256(JSON.stringify(runs)).slice(0, 16);
        const old = previous.refs.find((r) => r.i === i);
        if (old && old.h === h) {
          refs.push(old);
          continue;
        }
        const ref = { i, v: version, h };
        refs.push(ref);
        written.push(ref);
      }
      await mapLimit(written, 8, async (ref) => {
        const runs = atRest.slice(ref.i * CHUNK_SIZE, (ref.i + 1) * CHUNK_SIZE);
        const body = await this.codec.encode(runs, blobPrefix);
        await this.doc.send(new PutCommand({ TableName: this.table, Item: { pk, sk: chunkKey(ref), ...body } }));
      });
    } else {
      refs = [];
    }

    const shard = shardOf(execution.id);
    const startDate = execution.state.startDate;
    // Every byte counts: DynamoDB bills a write unit per KB of the item. The id, tenant and start
    // date are read back from the keys; the execution and its inline task runs are one body.
    const doc: StoredDoc = refs.length === 0 ? { h: base, t: atRest } : { h: base };
    const item = {
      pk,
      sk: 'H',
      ns: execution.namespace,
      flowId: execution.flowId,
      state: execution.state.current,
      labels: execution.labels ?? [],
      ...(execution.parentId ? { parentId: execution.parentId } : {}),
      version,
      ...(refs.length > 0 ? { refs } : {}),
      doc: await this.codec.encode(doc, blobPrefix),
      gsi1pk: keys.executionsShard(execution.tenantId, shard),
      gsi1sk: `${startDate}#${execution.id}`,
      gsi2pk: keys.executionsOfFlowShard(execution.tenantId, execution.namespace, execution.flowId, shard),
      gsi2sk: `${startDate}#${execution.id}`,
    };
    try {
      await withVersionCheck('Execution', execution.id, expectedVersion, () =>
        this.doc.send(
          new PutCommand({
            TableName: this.table,
            Item: item,
            ConditionExpression: expectedVersion === undefined ? 'attribute_not_exists(pk)' : 'version = :expected',
            ...(expectedVersion === undefined ? {} : { ExpressionAttributeValues: { ':expected': expectedVersion } }),
          }),
        ),
      );
    } catch (e) {
      this.known.delete(pk);
      // The chunks we wrote are referenced by nobody: remove them.
      await this.deleteChunks(pk, written);
      throw e;
    }
    this.remember(pk, { version, refs });
    const replaced = previous.refs.filter((old) => !refs.some((r) => r.i === old.i && r.v === old.v));
    await this.deleteChunks(pk, replaced);
    return stored;
  }

  async find(tenantId: string, query: ExecutionQuery): Promise<Page<Execution>> {
    const byFlow = query.namespace !== undefined && query.flowId !== undefined;
    const from = query.startDate === undefined ? '0' : new Date(query.startDate).toISOString();
    const to = query.endDate === undefined ? '\uffff' : `${new Date(query.endDate).toISOString()}#\uffff`;
    let rows: IndexRow[] = (
      await Promise.all(
        allShards().map((shard) =>
          queryAll(this.doc, {
            TableName: this.table,
            IndexName: byFlow ? 'gsi2' : 'gsi1',
            KeyConditionExpression: byFlow ? 'gsi2pk = :pk AND gsi2sk BETWEEN :from AND :to' : 'gsi1pk = :pk AND gsi1sk BETWEEN :from AND :to',
            ExpressionAttributeValues: {
              ':pk': byFlow
                ? keys.executionsOfFlowShard(tenantId, query.namespace as string, query.flowId as string, shard)
                : keys.executionsShard(tenantId, shard),
              ':from': from,
              ':to': to,
            },
          }),
        ),
      )
    )
      .flat()
      .map((r) => {
        const [startDate = '', ...id] = String(r.gsi1sk ?? r.gsi2sk).split('#');
        return { ...r, id: id.join('#'), startDate };
      })
      .filter((r) => matches(r, query));
    if (query.states && query.states.length > 0) {
      const wanted = new Set<string>(query.states);
      if (byFlow) {
        rows = rows.filter((r) => wanted.has(String(r['state'])));
      } else {
        // gsi1 does not carry the state (an execution's end would rewrite it): read it from the candidates' headers.
        const states = await this.statesOf(tenantId, rows.map((r) => r.id));
        rows = rows.filter((r) => wanted.has(states.get(r.id) ?? ''));
      }
    }
    const asc = query.sort === 'startDate:asc';
    rows.sort((a, b) => (a.startDate === b.startDate ? a.id.localeCompare(b.id) : a.startDate < b.startDate ? -1 : 1) * (asc ? 1 : -1));
    const size = Math.max(1, query.size ?? DEFAULT_PAGE_SIZE);
    const page = Math.max(1, query.page ?? 1);
    const slice = rows.slice((page - 1) * size, page * size);
    const results = (await mapLimit(slice, 8, (r) => this.get(tenantId, r.id))).filter((e): e is Execution => e !== undefined);
    return { total: rows.length, results };
  }

  async delete(tenantId: string, id: string): Promise<void> {
    const pk = keys.execution(tenantId, id);
    const items = await queryAll(this.doc, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': pk },
      ProjectionExpression: 'pk, sk',
    });
    await batchDelete(this.doc, this.table, items.map((i) => ({ pk: i.pk, sk: i.sk })));
    this.known.delete(pk);
    await this.blobs?.deleteBlobs?.(`_repository/executions/${tenantId}/${id}/`);
  }

  /** Current state of each execution, by id (BatchGet of the headers' state only). */
  private async statesOf(tenantId: string, ids: readonly string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (let i = 0; i < ids.length; i += 100) {
      let request: Record<string, { Keys: Record<string, unknown>[]; ProjectionExpression: string; ExpressionAttributeNames: Record<string, string> }> | undefined = {
        [this.table]: {
          Keys: ids.slice(i, i + 100).map((id) => ({ pk: keys.execution(tenantId, id), sk: 'H' })),
          ProjectionExpression: 'pk, #s',
          ExpressionAttributeNames: { '#s': 'state' },
        },
      };
      const prefix = keys.execution(tenantId, '');
      while (request && Object.keys(request).length > 0) {
        const res = await this.doc.send(new BatchGetCommand({ RequestItems: request }));
        for (const item of res.Responses?.[this.table] ?? []) out.set(String(item.pk).slice(prefix.length), String(item.state));
        request = res.UnprocessedKeys as typeof request;
      }
    }
    return out;
  }

  private async previousState(pk: string, expectedVersion: number): Promise<HeaderState> {
    const cached = this.known.get(pk);
    if (cached && cached.version === expectedVersion) return cached;
    const out = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: { pk, sk: 'H' }, ConsistentRead: true, ProjectionExpression: 'version, refs' }),
    );
    if (!out.Item) return { version: -1, refs: [] };
    return { version: Number(out.Item.version), refs: (out.Item.refs ?? []) as ChunkRef[] };
  }

  private remember(pk: string, state: HeaderState): void {
    this.known.delete(pk);
    this.known.set(pk, state);
    if (this.known.size > 1000) this.known.delete(this.known.keys().next().value as string);
  }

  /** The chunks' task runs in order, or undefined when one of them is gone (replaced concurrently). */
  private async readChunks(pk: string, refs: readonly ChunkRef[]): Promise<TaskRun[][] | undefined> {
    if (refs.length === 0) return [];
    const found = new Map<string, Record<string, unknown>>();
    for (let i = 0; i < refs.length; i += 100) {
      let request: Record<string, { Keys: Record<string, unknown>[]; ConsistentRead: boolean }> | undefined = {
        [this.table]: { Keys: refs.slice(i, i + 100).map((r) => ({ pk, sk: chunkKey(r) })), ConsistentRead: true },
      };
      while (request && Object.keys(request).length > 0) {
        const out = await this.doc.send(new BatchGetCommand({ RequestItems: request }));
        for (const item of out.Responses?.[this.table] ?? []) found.set(String(item.sk), item);
        request = out.UnprocessedKeys as typeof request;
      }
    }
    const chunks: TaskRun[][] = [];
    for (const ref of refs) {
      const item = found.get(chunkKey(ref));
      if (!item) return undefined;
      chunks.push(await this.codec.decode<TaskRun[]>(item));
    }
    return chunks;
  }

  private async deleteChunks(pk: string, refs: readonly ChunkRef[]): Promise<void> {
    await batchDelete(this.doc, this.table, refs.map((r) => ({ pk, sk: chunkKey(r) })));
  }
}

/** The header's body: the execution without its task runs, and the task runs when they fit inline. */
interface StoredDoc {
  readonly h: Omit<Execution, 'taskRunList'>;
  readonly t?: readonly RunAtRest[];
}

type RunAtRest = Omit<TaskRun, 'executionId' | 'namespace' | 'flowId'> & Partial<Pick<TaskRun, 'executionId' | 'namespace' | 'flowId'>>;

/** A task run without what it repeats of its execution (restored by expandRun). */
function compactRun(r: TaskRun, e: Pick<Execution, 'id' | 'namespace' | 'flowId'>): RunAtRest {
  const { executionId, namespace, flowId, ...rest } = r;
  return {
    ...rest,
    ...(executionId === e.id ? {} : { executionId }),
    ...(namespace === e.namespace ? {} : { namespace }),
    ...(flowId === e.flowId ? {} : { flowId }),
  };
}

function expandRun(r: RunAtRest, e: Pick<Execution, 'id' | 'namespace' | 'flowId'>): TaskRun {
  if (r.executionId !== undefined && r.namespace !== undefined && r.flowId !== undefined) return r as TaskRun;
  const { id, ...rest } = r;
  return { id, executionId: r.executionId ?? e.id, namespace: r.namespace ?? e.namespace, flowId: r.flowId ?? e.flowId, ...rest } as TaskRun;
}

const chunkKey = (r: ChunkRef): string => `C#${pad(r.i, 5)}#${pad(r.v)}`;

function matches(r: IndexRow, q: ExecutionQuery): boolean {
  const ns = String(r.ns);
  if (q.namespace !== undefined && ns !== q.namespace) return false;
  if (q.namespacePrefix !== undefined && ns !== q.namespacePrefix && !ns.startsWith(`${q.namespacePrefix}.`)) return false;
  if (q.flowId !== undefined && r.flowId !== q.flowId) return false;
  if (q.parentId !== undefined && r.parentId !== q.parentId) return false;
  const labels = (r.labels ?? []) as Label[];
  for (const [key, value] of Object.entries(q.labels ?? {})) {
    if (!labels.some((l) => l.key === key && l.value === value)) return false;
  }
  return true;
}

/** Deletes keys 25 at a time, retrying unprocessed ones. */
export async function batchDelete(
  doc: DynamoDBDocumentClient,
  table: string,
  itemKeys: readonly Record<string, unknown>[],
): Promise<void> {
  for (let i = 0; i < itemKeys.length; i += 25) {
    let request: Record<string, { DeleteRequest: { Key: Record<string, unknown> } }[]> | undefined = {
      [table]: itemKeys.slice(i, i + 25).map((Key) => ({ DeleteRequest: { Key } })),
    };
    for (let attempt = 0; request && (request[table]?.length ?? 0) > 0; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 50 * 2 ** attempt)));
      const out = await doc.send(new BatchWriteCommand({ RequestItems: request }));
      request = out.UnprocessedItems as typeof request;
    }
  }
}
