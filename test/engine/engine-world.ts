import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type {
  Execution,
  Flow,
  FlowWithSource,
  JsonValue,
  KvEntry,
  KvStore,
  LogEntry,
  Logger,
  NamespaceFileMeta,
  NamespaceFileStore,
  SecretStore,
} from '@windhover/core';
import { isTerminated } from '@windhover/core';
import {
  SqliteAttemptResultStore,
  FsInternalStorage,
  LocalExecutionQueue,
  SqliteExecutionRepository,
  SqliteFlowRepository,
  SqliteLogRepository,
  SqliteTimerStore,
  SqliteTriggerStore,
  SystemClock,
  openSqliteDatabase,
} from '@windhover/local';
import type { Engine, EngineOptions, RuntimePorts } from '@windhover/runtime';
import { createEngine } from '@windhover/runtime';
import { createTaskRegistry } from '@windhover/tasks';
import { parse } from 'yaml';

/** Secrets from a map (the local edition reads SECRET_* env vars the same way). */
class MapSecretStore implements SecretStore {
  constructor(private readonly values: Record<string, string>) {}
  async get(_t: string, namespace: string | undefined, key: string): Promise<string | undefined> {
    return namespace === undefined ? this.values[key] : undefined;
  }
  async list(): Promise<readonly string[]> {
    return Object.keys(this.values);
  }
}

class MemoryKvStore implements KvStore {
  readonly #m = new Map<string, KvEntry>();
  async get(t: string, ns: string, key: string, now: Date): Promise<KvEntry | undefined> {
    const e = this.#m.get(`${t}/${ns}/${key}`);
    return e && (!e.expirationDate || Date.parse(e.expirationDate) > now.getTime()) ? e : undefined;
  }
  async put(t: string, ns: string, entry: KvEntry): Promise<void> {
    this.#m.set(`${t}/${ns}/${entry.key}`, entry);
  }
  async delete(t: string, ns: string, key: string): Promise<boolean> {
    return this.#m.delete(`${t}/${ns}/${key}`);
  }
  async list(t: string, ns: string, now: Date): Promise<readonly KvEntry[]> {
    const out: KvEntry[] = [];
    for (const [k, e] of this.#m) if (k.startsWith(`${t}/${ns}/`) && (!e.expirationDate || Date.parse(e.expirationDate) > now.getTime())) out.push(e);
    return out;
  }
}

class MemoryNamespaceFiles implements NamespaceFileStore {
  readonly #m = new Map<string, Uint8Array>();
  async get(t: string, ns: string, path: string): Promise<Uint8Array | undefined> {
    return this.#m.get(`${t}/${ns}${path}`);
  }
  async stat(): Promise<NamespaceFileMeta | undefined> {
    return undefined;
  }
  async list(): Promise<readonly NamespaceFileMeta[]> {
    return [];
  }
  async put(t: string, ns: string, path: string, content: Uint8Array, now: Date) {
    this.#m.set(`${t}/${ns}${path}`, content);
    return { meta: { path, type: 'File' as const, size: content.length, revision: 1, updated: now.toISOString() }, changed: true };
  }
  async mkdir(): Promise<void> {}
  async delete(): Promise<readonly string[]> {
    return [];
  }
  async revisions(): Promise<readonly NamespaceFileMeta[]> {
    return [];
  }
}

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };

export interface EngineWorld {
  readonly ports: RuntimePorts;
  readonly engine: Engine;
  readonly queue: LocalExecutionQueue;
  readonly dir: string;
  deploy(yaml: string): Promise<FlowWithSource>;
  run(namespace: string, flowId: string, inputs?: Record<string, unknown>, timeoutMs?: number): Promise<Execution>;
  wait(id: string, timeoutMs?: number): Promise<Execution>;
  logs(executionId: string): Promise<readonly LogEntry[]>;
  close(): Promise<void>;
}

export interface WorldOptions {
  readonly dir?: string;
  readonly secrets?: Record<string, string>;
  readonly workerConcurrency?: number;
  readonly visibilityTimeoutMs?: { executor?: number; worker?: number };
  /** Do not start consuming (fault tests drive delivery themselves). */
  readonly consume?: boolean;
  /** A clock to use instead of the system clock (timer tests move it forward). */
  readonly clock?: { now(): Date };
  /** Engine options besides the task registry (e.g. the inline start). */
  readonly engine?: Omit<EngineOptions, 'registry'>;
}

/** The engine on the real local adapters (SQLite, folder storage, persistent queue) in a temp folder. */
export function startEngineWorld(options: WorldOptions = {}): EngineWorld {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'windhover-engine-'));
  const db = openSqliteDatabase(join(dir, 'windhover.db'));
  const queue = new LocalExecutionQueue(db, { retryDelayMs: 50, ...(options.visibilityTimeoutMs ? { visibilityTimeoutMs: options.visibilityTimeoutMs } : {}) });
  const ports: RuntimePorts = {
    flows: new SqliteFlowRepository(db),
    executions: new SqliteExecutionRepository(db),
    logs: new SqliteLogRepository(db),
    storage: new FsInternalStorage(join(dir, 'storage')),
    secrets: new MapSecretStore(options.secrets ?? {}),
    kv: new MemoryKvStore(),
    namespaceFiles: new MemoryNamespaceFiles(),
    queue,
    attemptResults: new SqliteAttemptResultStore(db),
    triggers: new SqliteTriggerStore(db),
    timers: new SqliteTimerStore(db),
    clock: options.clock ?? new SystemClock(),
    logger: silent,
  };
  const engine = createEngine(ports, { registry: createTaskRegistry(), ...options.engine });
  if (options.consume !== false) {
    queue.consume('executor', (body) => engine.handleExecutorMessage(body));
    queue.consume('worker', (body) => engine.handleWorkerMessage(body), { concurrency: options.workerConcurrency ?? 8 });
  }
  const world: EngineWorld = {
    ports,
    engine,
    queue,
    dir,
    async deploy(yaml) {
      const flow = parse(yaml) as Flow;
      const existing = await ports.flows.get('main', flow.namespace, flow.id);
      const fw: FlowWithSource = { flow, source: yaml, revision: (existing?.revision ?? 0) + 1, tenantId: 'main', updated: new Date().toISOString() };
      await ports.flows.save(fw, existing?.revision);
      return fw;
    },
    async run(namespace, flowId, inputs = {}, timeoutMs = 20_000) {
      const e = await engine.executionService.create({ tenantId: 'main', namespace, flowId, inputs });
      return world.wait(e.id, timeoutMs);
    },
    async wait(id, timeoutMs = 20_000) {
      const e = await engine.executionService.waitForTerminal('main', id, timeoutMs);
      if (!isTerminated(e.state.current)) throw new Error(`execution ${id} still ${e.state.current} after ${timeoutMs} ms`);
      return e;
    },
    logs: (executionId) => ports.logs.find('main', { executionId }),
    async close() {
      await queue.close();
      db.close();
      if (!options.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
  return world;
}

/** `taskId` -> state (loop runs as `taskId[value]`). */
export function states(e: Execution): Record<string, string> {
  const out: Record<string, string> = {};
  for (const r of e.taskRunList) out[r.value === undefined ? r.taskId : `${r.taskId}[${r.value}]`] = r.state.current;
  return out;
}

export type { JsonValue };
