import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Execution, FlowWithSource, LogEntry, Logger, RunContext, TaskFlows, TaskKv, TaskNamespaceFiles, TaskRun } from '@windhover/core';
import { SecretMasker, buildTaskRunVariables, newExecution, newState, withState } from '@windhover/core';
import {
  SqliteAttemptResultStore,
  EnvSecretStore,
  FsInternalStorage,
  FsNamespaceFileStore,
  LocalExecutionQueue,
  SqliteExecutionRepository,
  SqliteFlowRepository,
  SqliteKvStore,
  SqliteLogRepository,
  SqliteTriggerStore,
  SystemClock,
  openSqliteDatabase,
} from '@windhover/local';
import type { FlowValidator, RuntimePorts } from '@windhover/runtime';
import { BufferedTaskLogger, FlowService, KvService, NamespaceFileService, createCoreFlowValidator, createRunContext, newExecutionId } from '@windhover/runtime';
import { createTaskRegistry } from '@windhover/tasks';

/**
 * What a Git task sees when the engine runs it, without the engine: the real
 * RunContext (createRunContext) over the local edition's adapters (SQLite,
 * folder storage, FsNamespaceFileStore, SqliteKvStore, EnvSecretStore) in a
 * temporary folder, and flows through the API's FlowService with the real
 * validator, so a sync rejects exactly what the API rejects. Several contexts
 * of one world share its stores, so task runs see each other's writes.
 */
export interface TaskWorld {
  readonly tenantId: string;
  readonly dir: string;
  readonly ports: RuntimePorts;
  /** The API's flow service (same validator as `windhover server local`). */
  readonly flowService: FlowService;
  /** Flows as tasks see them (FlowService.taskFlows). */
  readonly flows: TaskFlows;
  /** Namespace files as tasks see them (NamespaceFileService.forTasks). */
  readonly namespaceFiles: TaskNamespaceFiles;
  /** The KV store as a task of a flow in `namespace` sees it (KvService.forTasks). */
  kv(namespace: string): TaskKv;
  /** The RunContext of one attempt of task `taskId` of flow `namespace.flowId` (default system.git_sync, task git). */
  context(options?: { namespace?: string; flowId?: string; taskId?: string }): RunContext;
  /** Creates or replaces a flow as the API's POST/PUT /flows would (validated, new revision). */
  putFlow(source: string): Promise<FlowWithSource>;
  /** Every stored revision of a flow, tombstones included. */
  revisions(namespace: string, id: string): Promise<readonly FlowWithSource[]>;
  /** Log lines of every task run of this world, stored in the log repository the way the worker stores them. */
  logs(): Promise<readonly LogEntry[]>;
  /** A file of internal storage (a task's ION output) as text. */
  readIon(uri: string): Promise<string>;
  close(): Promise<void>;
}

const TENANT = 'main';
const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };
let validator: FlowValidator | undefined;
const open = new Set<TaskWorld>();

/** Closes every world not closed yet (call from afterAll). */
export async function closeTaskWorlds(): Promise<void> {
  await Promise.all([...open].map((w) => w.close()));
}

process.once('exit', () => {
  for (const w of open) rmSync(w.dir, { recursive: true, force: true });
});

export function createTaskWorld(options: { secrets?: Record<string, string> } = {}): TaskWorld {
  validator ??= createCoreFlowValidator(createTaskRegistry());
  const dir = mkdtempSync(join(tmpdir(), 'windhover-task-world-'));
  const db = openSqliteDatabase(join(dir, 'windhover.db'));
  const clock = new SystemClock();
  const queue = new LocalExecutionQueue(db);
  const secretVariables = Object.fromEntries(Object.entries(options.secrets ?? {}).map(([k, v]) => [`SECRET_${k}`, Buffer.from(v).toString('base64')]));
  const ports: RuntimePorts = {
    flows: new SqliteFlowRepository(db),
    executions: new SqliteExecutionRepository(db),
    logs: new SqliteLogRepository(db),
    storage: new FsInternalStorage(join(dir, 'storage')),
    secrets: new EnvSecretStore({ env: secretVariables }),
    kv: new SqliteKvStore(db),
    namespaceFiles: new FsNamespaceFileStore(db, join(dir, 'namespace-files')),
    queue,
    attemptResults: new SqliteAttemptResultStore(db),
    triggers: new SqliteTriggerStore(db),
    clock,
    logger: silent,
  };
  const flowService = new FlowService(ports.flows, validator, clock);
  const kvService = new KvService(ports.kv, clock);
  const loggers: BufferedTaskLogger[] = [];
  const executionIds: string[] = [];
  let closed: Promise<void> | undefined;

  const world: TaskWorld = {
    tenantId: TENANT,
    dir,
    ports,
    flowService,
    flows: flowService.taskFlows(TENANT),
    namespaceFiles: new NamespaceFileService(ports.namespaceFiles, clock).forTasks(TENANT),
    kv: (namespace) => kvService.forTasks(TENANT, namespace),
    context(o = {}) {
      const namespace = o.namespace ?? 'system';
      const flowId = o.flowId ?? 'git_sync';
      const taskId = o.taskId ?? 'git';
      const now = clock.now();
      // The flow running the task is not stored: a sync must not see itself unless a test saves it.
      const running: FlowWithSource = {
        flow: { id: flowId, namespace, revision: 1, tasks: [{ id: taskId, type: 'io.kestra.plugin.git.SyncFlows' }] },
        source: '',
        revision: 1,
        tenantId: TENANT,
        updated: now.toISOString(),
      };
      const created = newExecution({ flow: running, id: newExecutionId(), tenantId: TENANT, now });
      const run: TaskRun = {
        id: newExecutionId(),
        executionId: created.id,
        namespace,
        flowId,
        taskId,
        attempts: [{ state: newState('RUNNING', now) }],
        state: withState(newState('CREATED', now), 'RUNNING', now),
      };
      const execution: Execution = { ...created, state: withState(created.state, 'RUNNING', now), taskRunList: [run] };
      executionIds.push(execution.id);
      const masker = new SecretMasker();
      const logger = new BufferedTaskLogger({ tenantId: TENANT, run, attempt: 1 }, masker, () => clock.now());
      loggers.push(logger);
      return createRunContext({
        ports,
        execution,
        run,
        attempt: 1,
        variables: buildTaskRunVariables(running.flow, execution, run),
        logger,
        masker,
        signal: new AbortController().signal,
        metrics: [],
        flows: (tenantId) => flowService.taskFlows(tenantId),
      });
    },
    async putFlow(source) {
      const parsed = flowService.parse(source);
      const current = await flowService.find(TENANT, parsed.namespace, parsed.id);
      return current ? (await flowService.update(TENANT, parsed.namespace, parsed.id, source)).flow : flowService.create(TENANT, source);
    },
    revisions: (namespace, id) => ports.flows.revisions(TENANT, namespace, id),
    async logs() {
      for (const l of loggers) await ports.logs.append(l.drain());
      const out: LogEntry[] = [];
      for (const id of executionIds) out.push(...(await ports.logs.find(TENANT, { executionId: id })));
      return out;
    },
    async readIon(uri) {
      return new TextDecoder().decode(await ports.storage.get(uri));
    },
    close() {
      closed ??= (async () => {
        open.delete(world);
        await queue.close();
        db.close();
        rmSync(dir, { recursive: true, force: true });
      })();
      return closed;
    },
  };
  open.add(world);
  return world;
}
