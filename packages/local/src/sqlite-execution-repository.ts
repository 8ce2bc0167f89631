import { createHash } from 'node:crypto';
import { brotliCompressSync, brotliDecompressSync, constants as zlibConstants } from 'node:zlib';
import type { EngineState, Execution, ExecutionQuery, ExecutionRepository, Page, TaskRun } from '@windhover/core';
import { VersionConflictError } from '@windhover/core';
import { type SqliteDatabase, inTransaction, statement } from './sqlite-database';

const DEFAULT_PAGE_SIZE = 10;
/** Task runs per chunk row once an execution has more than that many. */
const CHUNK_SIZE = 100;
/** Documents from this many JSON characters on are stored brotli-compressed. */
const COMPRESS_MIN_CHARS = 1024;
/** First byte of a compressed body (room for other codecs later). */
const BROTLI_TAG = 1;
/** Parsed task runs kept in memory across executions, by default (about 1.6 KB of heap each). */
const DEFAULT_CACHED_TASK_RUNS = 30_000;
/** Chunk row index of the ForEach values (`engine.loopValues`): as many as task runs, and unchanged from step to step. */
const LOOP_VALUES_IDX = -1;

export interface SqliteExecutionRepositoryOptions {
  /** Upper bound of parsed task runs kept in memory to skip re-reading and re-writing unchanged chunks. */
  readonly cachedTaskRuns?: number;
}

interface Chunk {
  readonly hash: string;
  /** The chunk's task runs as parsed from its row (frozen); unset when the row was written from a caller's objects. */
  readonly runs?: readonly TaskRun[];
}

type LoopValues = NonNullable<EngineState['loopValues']>;

/** What a repository knows of a chunked execution's rows. */
interface Known {
  readonly chunks: readonly Chunk[];
  readonly loop?: { readonly hash: string; readonly values?: LoopValues };
}

type HeaderRow = { id: string; doc: string | Buffer; version: number; chunks: number };

/**
 * Execution documents in SQLite with an optimistic version check. The
 * searchable fields are columns (state, dates, labels, parent); the
 * document is JSON, brotli-compressed from 1 KB on.
 *
 * Up to CHUNK_SIZE task runs ride inline in the document (one row per save,
 * the layout of earlier versions, which therefore still read as is). Larger
 * task run lists go to `execution_chunks` rows of CHUNK_SIZE task runs, each
 * with the hash of its JSON: a save rewrites the header row and only the
 * chunks whose hash changed, in one transaction. Like the DynamoDB adapter's
 * chunk references, but SQLite's transaction replaces versioned chunk keys.
 * The ForEach values of such an execution (`engine.loopValues`: one per
 * item, unchanged from step to step) are a chunk row of their own (idx -1).
 *
 * Task runs parsed from chunk rows are frozen and kept (bounded LRU) with
 * their chunk's hash, so the next get reuses unchanged chunks without parsing
 * them, and a save of those same objects skips serializing them: an executor
 * step on a 10,000 task run execution costs about one chunk, not ten megabytes.
 */
export class SqliteExecutionRepository implements ExecutionRepository {
  private readonly cache = new Map<string, Known>();
  private cachedRuns = 0;
  private readonly maxCachedRuns: number;

  constructor(
    private readonly db: SqliteDatabase,
    options: SqliteExecutionRepositoryOptions = {},
  ) {
    this.maxCachedRuns = options.cachedTaskRuns ?? DEFAULT_CACHED_TASK_RUNS;
    inTransaction(db, () => {
      db.exec(`CREATE TABLE IF NOT EXISTS executions (
        tenant_id TEXT NOT NULL, id TEXT NOT NULL, namespace TEXT NOT NULL, flow_id TEXT NOT NULL,
        state TEXT NOT NULL, start_date TEXT NOT NULL, parent_id TEXT, labels_json TEXT NOT NULL,
        version INTEGER NOT NULL, doc TEXT NOT NULL, chunks INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (tenant_id, id));
        CREATE INDEX IF NOT EXISTS executions_by_flow ON executions (tenant_id, namespace, flow_id, start_date);
        CREATE INDEX IF NOT EXISTS executions_by_start ON executions (tenant_id, start_date);
        CREATE INDEX IF NOT EXISTS executions_by_state ON executions (tenant_id, state);
        CREATE TABLE IF NOT EXISTS execution_chunks (
          tenant_id TEXT NOT NULL, execution_id TEXT NOT NULL, idx INTEGER NOT NULL, hash TEXT NOT NULL, body BLOB NOT NULL,
          PRIMARY KEY (tenant_id, execution_id, idx))`);
      // Databases created before chunking: their rows are whole JSON documents, i.e. `chunks = 0`.
      const columns = db.prepare('PRAGMA table_info(executions)').all() as { name: string }[];
      if (!columns.some((c) => c.name === 'chunks')) db.exec('ALTER TABLE executions ADD COLUMN chunks INTEGER NOT NULL DEFAULT 0');
    });
  }

  async get(tenantId: string, id: string): Promise<Execution | undefined> {
    return this.reading(() => {
      const row = statement(this.db, 'SELECT id, doc, version, chunks FROM executions WHERE tenant_id = ? AND id = ?').get(tenantId, id) as
        | HeaderRow
        | undefined;
      return row ? this.load(tenantId, row) : undefined;
    });
  }

  async save(execution: Execution, expectedVersion: number | undefined): Promise<Execution> {
    const version = (expectedVersion ?? 0) + 1;
    const stored: Execution = { ...execution, version };
    const { taskRunList, ...base } = stored;
    const chunked = taskRunList.length > CHUNK_SIZE;
    const loopValues = chunked ? base.engine?.loopValues : undefined;
    const header = loopValues ? { ...base, engine: { ...base.engine, loopValues: undefined } } : base;
    const cols = [
      execution.namespace,
      execution.flowId,
      execution.state.current,
      execution.state.startDate,
      execution.parentId ?? null,
      JSON.stringify(execution.labels ?? []),
      version,
      encode(JSON.stringify(chunked ? header : stored)),
      chunked ? Math.ceil(taskRunList.length / CHUNK_SIZE) : 0,
    ];
    const key = cacheKey(execution.tenantId, execution.id);
    const known = inTransaction(this.db, (): Known | undefined => {
      const r =
        expectedVersion === undefined
          ? statement(
              this.db,
              `INSERT OR IGNORE INTO executions (namespace, flow_id, state, start_date, parent_id, labels_json, version, doc, chunks, tenant_id, id)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
            ).run(...cols, execution.tenantId, execution.id)
          : statement(
              this.db,
              `UPDATE executions SET namespace = ?, flow_id = ?, state = ?, start_date = ?, parent_id = ?, labels_json = ?, version = ?, doc = ?, chunks = ?
               WHERE tenant_id = ? AND id = ? AND version = ?`,
            ).run(...cols, execution.tenantId, execution.id, expectedVersion);
      if (r.changes !== 1) throw new VersionConflictError('Execution', execution.id, expectedVersion);
      if (chunked) return this.writeChunks(execution.tenantId, execution.id, taskRunList, loopValues, this.cache.get(key));
      // Back inline (task runs removed by a restart): the chunk rows go.
      statement(this.db, 'DELETE FROM execution_chunks WHERE tenant_id = ? AND execution_id = ? AND idx >= ?').run(execution.tenantId, execution.id, LOOP_VALUES_IDX);
      return undefined;
    });
    if (known) this.remember(key, known);
    else this.forget(key);
    return stored;
  }

  async find(tenantId: string, query: ExecutionQuery): Promise<Page<Execution>> {
    const where = ['tenant_id = ?'];
    const args: unknown[] = [tenantId];
    const add = (clause: string, ...values: unknown[]) => {
      where.push(clause);
      args.push(...values);
    };
    if (query.namespace !== undefined) add('namespace = ?', query.namespace);
    if (query.namespacePrefix !== undefined) {
      add("(namespace = ? OR substr(namespace, 1, ?) = ? || '.')", query.namespacePrefix, query.namespacePrefix.length + 1, query.namespacePrefix);
    }
    if (query.flowId !== undefined) add('flow_id = ?', query.flowId);
    if (query.states && query.states.length > 0) add(`state IN (${query.states.map(() => '?').join(', ')})`, ...query.states);
    // ISO-8601 instants in UTC compare correctly as text once normalized.
    if (query.startDate !== undefined) add('start_date >= ?', new Date(query.startDate).toISOString());
    if (query.endDate !== undefined) add('start_date <= ?', new Date(query.endDate).toISOString());
    if (query.parentId !== undefined) add('parent_id = ?', query.parentId);
    for (const [key, value] of Object.entries(query.labels ?? {})) {
      add(
        "EXISTS (SELECT 1 FROM json_each(labels_json) l WHERE json_extract(l.value, '$.key') = ? AND json_extract(l.value, '$.value') = ?)",
        key,
        value,
      );
    }
    const whereSql = where.join(' AND ');
    const size = Math.max(1, query.size ?? DEFAULT_PAGE_SIZE);
    const page = Math.max(1, query.page ?? 1);
    const order = query.sort === 'startDate:asc' ? 'ASC' : 'DESC';
    return this.reading(() => {
      const total = (statement(this.db, `SELECT COUNT(*) AS n FROM executions WHERE ${whereSql}`).get(...args) as { n: number }).n;
      const rows = statement(
        this.db,
        `SELECT id, doc, version, chunks FROM executions WHERE ${whereSql} ORDER BY start_date ${order}, id ${order} LIMIT ? OFFSET ?`,
      ).all(...args, size, (page - 1) * size) as HeaderRow[];
      return { total, results: rows.map((r) => this.load(tenantId, r, false)) };
    });
  }

  async delete(tenantId: string, id: string): Promise<void> {
    inTransaction(this.db, () => {
      statement(this.db, 'DELETE FROM executions WHERE tenant_id = ? AND id = ?').run(tenantId, id);
      statement(this.db, 'DELETE FROM execution_chunks WHERE tenant_id = ? AND execution_id = ?').run(tenantId, id);
    });
    this.forget(cacheKey(tenantId, id));
  }

  /**
   * The execution of a header row, its task runs from the chunk rows (parsed
   * only where the cache misses). Listings do not `keep` what they parse, so
   * they never push out the executions the executor is working on.
   */
  private load(tenantId: string, row: HeaderRow, keep = true): Execution {
    const doc = JSON.parse(decode(row.doc)) as Execution;
    if (row.chunks === 0) return { ...doc, version: row.version };
    const key = cacheKey(tenantId, row.id);
    const cached = this.cache.get(key);
    const hashes = statement(this.db, 'SELECT idx, hash FROM execution_chunks WHERE tenant_id = ? AND execution_id = ? ORDER BY idx').all(tenantId, row.id) as {
      idx: number;
      hash: string;
    }[];
    const loopRow = hashes[0]?.idx === LOOP_VALUES_IDX ? hashes.shift() : undefined;
    if (hashes.length !== row.chunks) throw new Error(`execution ${row.id}: ${hashes.length} task run chunks stored, ${row.chunks} expected`);
    const chunks = hashes.map(({ idx, hash }): Chunk => {
      const c = cached?.chunks[idx];
      return c?.runs && c.hash === hash ? c : { hash, runs: freezeRuns(JSON.parse(this.body(tenantId, row.id, idx)) as TaskRun[]) };
    });
    const loop = !loopRow
      ? undefined
      : cached?.loop?.values && cached.loop.hash === loopRow.hash
        ? cached.loop
        : { hash: loopRow.hash, values: freezeLoopValues(JSON.parse(this.body(tenantId, row.id, LOOP_VALUES_IDX)) as Record<string, string[]>) };
    if (keep) this.remember(key, { chunks, ...(loop ? { loop } : {}) });
    const taskRunList: TaskRun[] = [];
    for (const c of chunks) for (const r of c.runs ?? []) taskRunList.push(r);
    const engine = loop ? { engine: { ...(doc.engine as EngineState), loopValues: loop.values } } : {};
    return { ...doc, ...engine, taskRunList, version: row.version };
  }

  private body(tenantId: string, id: string, idx: number): string {
    const body = statement(this.db, 'SELECT body FROM execution_chunks WHERE tenant_id = ? AND execution_id = ? AND idx = ?').pluck().get(tenantId, id, idx);
    return decode(body as Buffer | string);
  }

  /**
   * Writes the chunks of `runs` (and the loop values) that differ from the
   * stored ones, inside the save's transaction, and returns what is stored.
   * A chunk made of the very objects cached under the stored hash is
   * unchanged without serializing it.
   */
  private writeChunks(tenantId: string, id: string, runs: readonly TaskRun[], loopValues: LoopValues | undefined, cached: Known | undefined): Known {
    const stored = new Map<number, string>();
    for (const r of statement(this.db, 'SELECT idx, hash FROM execution_chunks WHERE tenant_id = ? AND execution_id = ?').all(tenantId, id) as {
      idx: number;
      hash: string;
    }[]) {
      stored.set(r.idx, r.hash);
    }
    /** Writes `value` at `idx` unless the stored hash is the same; returns the hash. */
    const put = (idx: number, value: unknown): string => {
      const json = JSON.stringify(value);
      const hash = createHash('sha1').update(json).digest('base64');
      if (hash !== stored.get(idx)) {
        statement(this.db, 'INSERT OR REPLACE INTO execution_chunks (tenant_id, execution_id, idx, hash, body) VALUES (?, ?, ?, ?, ?)').run(
          tenantId,
          id,
          idx,
          hash,
          encode(json),
        );
      }
      return hash;
    };
    const chunks: Chunk[] = [];
    for (let idx = 0; idx * CHUNK_SIZE < runs.length; idx++) {
      const slice = runs.slice(idx * CHUNK_SIZE, (idx + 1) * CHUNK_SIZE);
      const known = cached?.chunks[idx];
      if (known?.runs && known.hash === stored.get(idx) && sameRuns(known.runs, slice)) {
        chunks.push(known);
        continue;
      }
      const hash = put(idx, slice);
      // The caller's objects are not frozen behind its back: the next get parses this chunk once.
      chunks.push(known?.hash === hash ? known : { hash });
    }
    statement(this.db, 'DELETE FROM execution_chunks WHERE tenant_id = ? AND execution_id = ? AND idx >= ?').run(tenantId, id, chunks.length);
    if (!loopValues) {
      if (stored.has(LOOP_VALUES_IDX)) statement(this.db, 'DELETE FROM execution_chunks WHERE tenant_id = ? AND execution_id = ? AND idx = ?').run(tenantId, id, LOOP_VALUES_IDX);
      return { chunks };
    }
    const knownLoop = cached?.loop;
    if (knownLoop?.values === loopValues && knownLoop.hash === stored.get(LOOP_VALUES_IDX)) return { chunks, loop: knownLoop };
    const hash = put(LOOP_VALUES_IDX, loopValues);
    return { chunks, loop: knownLoop?.hash === hash ? knownLoop : { hash } };
  }

  /** Runs `fn` in one read transaction (one snapshot of header and chunk rows), unless one is open. */
  private reading<T>(fn: () => T): T {
    if (this.db.inTransaction) return fn();
    statement(this.db, 'BEGIN').run();
    try {
      return fn();
    } finally {
      if (this.db.inTransaction) statement(this.db, 'COMMIT').run();
    }
  }

  private remember(key: string, known: Known): void {
    this.forget(key);
    const runs = countRuns(known);
    if (runs > this.maxCachedRuns) return;
    this.cache.set(key, known);
    this.cachedRuns += runs;
    for (const [oldest, old] of this.cache) {
      if (this.cachedRuns <= this.maxCachedRuns) break;
      this.forget(oldest, old);
    }
  }

  private forget(key: string, known = this.cache.get(key)): void {
    if (!known) return;
    this.cache.delete(key);
    this.cachedRuns -= countRuns(known);
  }
}

const cacheKey = (tenantId: string, id: string): string => `${tenantId}\u0000${id}`;

const countRuns = (known: Known): number => known.chunks.reduce((n, c) => n + (c.runs?.length ?? 0), 0);

function sameRuns(a: readonly TaskRun[], b: readonly TaskRun[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** JSON as TEXT when short, else a tagged brotli BLOB (quality 4: about 35x on task runs at ~100 MB/s). */
function encode(json: string): string | Buffer {
  if (json.length < COMPRESS_MIN_CHARS) return json;
  const packed = brotliCompressSync(json, {
    params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 4, [zlibConstants.BROTLI_PARAM_SIZE_HINT]: json.length },
  });
  return packed.length + 1 < Buffer.byteLength(json) ? Buffer.concat([Buffer.of(BROTLI_TAG), packed]) : json;
}

function decode(body: string | Buffer): string {
  if (typeof body === 'string') return body;
  if (body[0] !== BROTLI_TAG) throw new Error(`unknown execution body codec ${body[0]}`);
  return brotliDecompressSync(body.subarray(1)).toString('utf8');
}

/**
 * Freezes task runs shared through the cache, with the objects a change of
 * state, attempts or outputs goes through: they are readonly by type, and an
 * in-place change would otherwise go unnoticed by the identity check. (Deeper
 * levels stay as parsed: freezing every object costs a third of the parse.)
 */
function freezeRuns(runs: TaskRun[]): readonly TaskRun[] {
  for (const r of runs) {
    Object.freeze(r.state);
    Object.freeze(r.state.histories);
    if (r.attempts) Object.freeze(r.attempts);
    if (r.outputs) Object.freeze(r.outputs);
    Object.freeze(r);
  }
  return Object.freeze(runs);
}

function freezeLoopValues(values: Record<string, string[]>): LoopValues {
  for (const list of Object.values(values)) Object.freeze(list);
  return Object.freeze(values);
}
