import type { Execution, Flow, FlowWithSource, KvStore, Logger, SecretStore, StateType, TriggerState } from '@windhover/core';
import { isWindhoverError } from '@windhover/core';
import { SqliteExecutionRepository, SqliteFlowRepository, SqliteTriggerStore, openSqliteDatabase } from '@windhover/local';
import type { TriggerDeps, TriggerExecutions, TriggerOptions, TriggeredExecutionRequest } from '@windhover/runtime';

/** Log lines kept for assertions. */
export class MemoryLogger implements Logger {
  readonly lines: { level: string; message: string; attributes?: Readonly<Record<string, unknown>> }[] = [];
  debug(message: string, attributes?: Readonly<Record<string, unknown>>) {
    this.lines.push({ level: 'debug', message, attributes });
  }
  info(message: string, attributes?: Readonly<Record<string, unknown>>) {
    this.lines.push({ level: 'info', message, attributes });
  }
  warn(message: string, attributes?: Readonly<Record<string, unknown>>) {
    this.lines.push({ level: 'warn', message, attributes });
  }
  error(message: string, attributes?: Readonly<Record<string, unknown>>) {
    this.lines.push({ level: 'error', message, attributes });
  }
}

export class MapSecretStore implements SecretStore {
  constructor(private readonly values: Readonly<Record<string, string>> = {}) {}
  async get(_tenantId: string, namespace: string | undefined, key: string): Promise<string | undefined> {
    return namespace === undefined ? this.values[key] : undefined;
  }
  async list(): Promise<readonly string[]> {
    return Object.keys(this.values);
  }
}

/**
 * Creates executions the way the engine's create does for triggers: with
 * the requested id, and idempotently (a second create of the same id returns
 * the stored execution). Executions are stored in the real SQLite repository.
 */
export class RepositoryExecutions implements TriggerExecutions {
  /** Requests that created an execution. */
  readonly requests: TriggeredExecutionRequest[] = [];
  /** Every create call, including those for an id that exists already. */
  calls = 0;
  constructor(
    private readonly repo: SqliteExecutionRepository,
    private readonly now: () => Date,
  ) {}
  async create(request: TriggeredExecutionRequest): Promise<Execution> {
    this.calls++;
    const existing = await this.repo.get(request.tenantId, request.id);
    if (existing) return existing;
    this.requests.push(request);
    const now = this.now().toISOString();
    const execution: Execution = {
      tenantId: request.tenantId,
      id: request.id,
      namespace: request.namespace,
      flowId: request.flowId,
      flowRevision: request.revision ?? 1,
      state: { current: 'CREATED', histories: [{ state: 'CREATED', date: now }], startDate: now },
      taskRunList: [],
      inputs: request.inputs as Execution['inputs'],
      labels: [...(request.labels ?? [])],
      originalId: request.id,
      metadata: { attemptNumber: 1, originalCreatedDate: now },
      deleted: false,
      ...(request.scheduleDate ? { scheduleDate: request.scheduleDate } : {}),
      ...(request.trigger ? { trigger: request.trigger } : {}),
    };
    try {
      return await this.repo.save(execution, undefined);
    } catch (e) {
      if (isWindhoverError(e) && e.code === 'VERSION_CONFLICT') return (await this.repo.get(request.tenantId, request.id)) as Execution;
      throw e;
    }
  }
}

/** A scheduler world on real SQLite adapters with a clock the test moves. */
export function createTriggerWorld(options: TriggerOptions = {}, secrets: Readonly<Record<string, string>> = {}) {
  const db = openSqliteDatabase(':memory:');
  let now = new Date('2026-01-01T00:00:00Z');
  const flows = new SqliteFlowRepository(db);
  const executionRepo = new SqliteExecutionRepository(db);
  const triggers = new SqliteTriggerStore(db);
  const logger = new MemoryLogger();
  const executions = new RepositoryExecutions(executionRepo, () => now);
  // Triggers only read the KV store (the `kv()` function); an empty store is enough here.
  const kv = { get: async () => undefined } as unknown as KvStore;
  const deps: TriggerDeps = {
    ports: { flows, executions: executionRepo, triggers, secrets: new MapSecretStore(secrets), kv, logger, clock: { now: () => now } },
    executions,
    options,
  };
  return {
    db,
    deps,
    flows,
    executionRepo,
    triggers,
    logger,
    requests: executions.requests,
    get now() {
      return now;
    },
    setNow(iso: string | Date) {
      now = typeof iso === 'string' ? new Date(iso) : iso;
    },
    async saveFlow(flow: Flow): Promise<FlowWithSource> {
      const current = await flows.get('main', flow.namespace, flow.id);
      const revision = (current?.revision ?? 0) + 1;
      const fw: FlowWithSource = { flow: { ...flow, revision }, source: JSON.stringify(flow), revision, tenantId: 'main', updated: now.toISOString() };
      await flows.save(fw, current?.revision);
      return fw;
    },
    async deleteFlow(namespace: string, id: string): Promise<void> {
      const current = await flows.get('main', namespace, id);
      if (!current) return;
      await flows.save({ ...current, revision: current.revision + 1, deleted: true, flow: { ...current.flow, deleted: true } }, current.revision);
    },
    async state(flowId: string, triggerId = 'schedule', namespace = 'company.team'): Promise<TriggerState | undefined> {
      return triggers.get({ tenantId: 'main', namespace, flowId, triggerId });
    },
    /** Marks an execution ended in `state` and returns it. */
    async end(id: string, state: StateType = 'SUCCESS', outputs?: Execution['outputs']): Promise<Execution> {
      const e = (await executionRepo.get('main', id)) as Execution;
      const date = now.toISOString();
      const ended: Execution = {
        ...e,
        state: { ...e.state, current: state, histories: [...e.state.histories, { state, date }], endDate: date },
        ...(outputs ? { outputs } : {}),
      };
      return executionRepo.save(ended, e.version);
    },
  };
}

export type TriggerWorld = ReturnType<typeof createTriggerWorld>;

/** A minimal flow with one trigger. */
export function flowWith(id: string, trigger: Readonly<Record<string, unknown>>, extra: Partial<Flow> = {}): Flow {
  return {
    id,
    namespace: 'company.team',
    tasks: [{ id: 'log', type: 'io.kestra.plugin.core.log.Log', message: 'hi' }],
    triggers: [{ id: 'schedule', type: 'io.kestra.plugin.core.trigger.Schedule', ...trigger } as Flow['triggers'] extends readonly (infer T)[] | undefined ? T : never],
    ...extra,
  };
}
