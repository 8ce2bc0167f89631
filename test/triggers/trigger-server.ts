import { mkdtempSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  SqliteAttemptResultStore,
  ConsoleJsonLogger,
  EnvSecretStore,
  FsInternalStorage,
  FsNamespaceFileStore,
  LocalExecutionQueue,
  SqliteExecutionRepository,
  SqliteKvStore,
  SqliteFlowRepository,
  SqliteLogRepository,
  SqliteTimerStore,
  SqliteTriggerStore,
  SystemClock,
  createNodeHttpServer,
  openSqliteDatabase,
} from '@windhover/local';
import type { Runtime, RuntimePorts, TriggerOptions } from '@windhover/runtime';
import { createRuntime } from '@windhover/runtime';
import { createTaskRegistry } from '@windhover/tasks';
import { minimalValidator } from '../api/api-harness';

export const AUTH = `Basic ${Buffer.from('triggers@windhover.dev:triggers-password').toString('base64')}`;

export interface TriggerServer {
  readonly url: string;
  readonly runtime: Runtime;
  readonly ports: RuntimePorts;
  close(): Promise<void>;
  call(method: string, path: string, init?: { body?: string | Uint8Array; headers?: Record<string, string>; auth?: boolean }): Promise<{ status: number; text: string; json: unknown; headers: Headers }>;
}

/**
 * The local edition's parts (SQLite, folder storage, in-process queue, the
 * shared runtime with its engine, the node:http server) on a free port, with
 * SECRET_* values for `secret()`. Started and stopped by each test file.
 */
export async function startTriggerServer(secrets: Readonly<Record<string, string>> = {}, triggerOptions: TriggerOptions = {}): Promise<TriggerServer> {
  const dir = mkdtempSync(join(tmpdir(), 'wh-triggers-'));
  const db = openSqliteDatabase(join(dir, 'windhover.db'));
  const logger = new ConsoleJsonLogger({ level: 'error', write: () => {} });
  const queue = new LocalExecutionQueue(db, { logger });
  const env = Object.fromEntries(Object.entries(secrets).map(([k, v]) => [`SECRET_${k}`, Buffer.from(v).toString('base64')]));
  const ports: RuntimePorts = {
    flows: new SqliteFlowRepository(db),
    executions: new SqliteExecutionRepository(db),
    logs: new SqliteLogRepository(db),
    storage: new FsInternalStorage(join(dir, 'storage')),
    queue,
    attemptResults: new SqliteAttemptResultStore(db),
    triggers: new SqliteTriggerStore(db),
    timers: new SqliteTimerStore(db),
    clock: new SystemClock(),
    logger,
    kv: new SqliteKvStore(db),
    namespaceFiles: new FsNamespaceFileStore(db, join(dir, 'namespace-files')),
    secrets: new EnvSecretStore({ env }),
  };
  let handler: Runtime['handler'] = async () => ({ status: 503 });
  const server: Server = createNodeHttpServer((r) => handler(r), { logger });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const runtime = createRuntime(ports, {
    auth: { basic: { username: 'triggers@windhover.dev', password: 'triggers-password' } },
    baseUrl: url,
    validator: minimalValidator,
    registry: createTaskRegistry(),
    triggerOptions,
  });
  handler = runtime.handler;
  queue.consume('executor', (body) => runtime.engine.handleExecutorMessage(body), { concurrency: 4 });
  queue.consume('worker', (body) => runtime.engine.handleWorkerMessage(body), { concurrency: 4 });
  return {
    url,
    runtime,
    ports,
    async close() {
      await new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      });
      await queue.close();
      db.close();
    },
    async call(method, path, init = {}) {
      const headers: Record<string, string> = { ...(init.headers ?? {}) };
      if (init.auth !== false) headers.authorization = AUTH;
      const res = await fetch(`${url}${path}`, { method, headers, ...(init.body !== undefined ? { body: init.body } : {}) });
      const text = await res.text();
      let json: unknown;
      try {
        json = text ? JSON.parse(text) : undefined;
      } catch {
        json = undefined;
      }
      return { status: res.status, text, json, headers: res.headers };
    },
  };
}
