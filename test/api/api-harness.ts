import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Flow, Violation } from '@windhover/core';
import { PluginRegistry } from '@windhover/core';
import {
  SqliteAttemptResultStore,
  ConsoleJsonLogger,
  FsInternalStorage,
  LocalExecutionQueue,
  SqliteExecutionRepository,
  SqliteFlowRepository,
  SqliteLogRepository,
  SqliteTimerStore,
  SystemClock,
  openSqliteDatabase,
} from '@windhover/local';
import type { ApiHandler, ApiRequest, ApiResponse, EngineHandle, FlowValidator, RuntimePorts } from '@windhover/runtime';
import { createRuntime } from '@windhover/runtime';
import { parseAllDocuments } from 'yaml';

/**
 * A deliberately small validator for API tests that must not depend on the
 * flow language: id, namespace and a non-empty task list with ids and types.
 */
export const minimalValidator: FlowValidator = {
  validate: (source) => {
    const docs = parseAllDocuments(source);
    const doc = docs[0];
    if (!doc || doc.errors.length > 0) return { violations: [{ message: doc?.errors[0]?.message ?? 'empty document' }] };
    const value = doc.toJS() as Record<string, unknown> | null;
    const violations: Violation[] = [];
    if (!value || typeof value !== 'object') return { violations: [{ message: 'a flow must be a mapping' }] };
    if (typeof value['id'] !== 'string' || !/^[a-zA-Z0-9][a-zA-Z0-9._-]*$/.test(value['id'])) violations.push({ message: 'must match the id pattern', path: 'id' });
    if (typeof value['namespace'] !== 'string' || !/^[a-z0-9][a-z0-9._-]*$/.test(value['namespace'])) violations.push({ message: 'must match the namespace pattern', path: 'namespace' });
    const tasks = value['tasks'];
    if (!Array.isArray(tasks) || tasks.length === 0) violations.push({ message: 'must not be empty', path: 'tasks' });
    else
      tasks.forEach((t: { id?: unknown; type?: unknown }, i) => {
        if (typeof t?.type !== 'string') violations.push({ message: 'type is required', path: `tasks[${i}].type` });
      });
    return violations.length > 0 ? { violations } : { flow: value as unknown as Flow, violations: [] };
  },
};

export interface ApiHarness {
  readonly handler: ApiHandler;
  readonly ports: RuntimePorts;
  call(method: string, path: string, options?: { body?: string | Uint8Array; contentType?: string; query?: Record<string, string | string[]>; auth?: string | null }): Promise<ApiResponse>;
}

export const AUTH = { username: 'admin@kestra.io', password: 'test-password' };
export const basicHeader = `Basic ${Buffer.from(`${AUTH.username}:${AUTH.password}`).toString('base64')}`;

/** The API over the local adapters, with an injected engine and validator. */
export function apiHarness(options: { validator?: FlowValidator; engine?: (ports: RuntimePorts) => EngineHandle } = {}): ApiHarness {
  const dir = mkdtempSync(join(tmpdir(), 'wh-api-'));
  const db = openSqliteDatabase(join(dir, 'windhover.db'));
  const unavailable = new Proxy(
    {},
    {
      get: () => () => {
        throw new Error('not available in this test');
      },
    },
  );
  const ports: RuntimePorts = {
    flows: new SqliteFlowRepository(db),
    executions: new SqliteExecutionRepository(db),
    logs: new SqliteLogRepository(db),
    storage: new FsInternalStorage(join(dir, 'storage')),
    queue: new LocalExecutionQueue(db),
    attemptResults: new SqliteAttemptResultStore(db),
    timers: new SqliteTimerStore(db),
    clock: new SystemClock(),
    logger: new ConsoleJsonLogger({ level: 'error', write: () => {} }),
    secrets: unavailable as RuntimePorts['secrets'],
    kv: unavailable as RuntimePorts['kv'],
    namespaceFiles: unavailable as RuntimePorts['namespaceFiles'],
    triggers: unavailable as RuntimePorts['triggers'],
  };
  const engine =
    options.engine ??
    (() => ({
      executions: unavailable as EngineHandle['executions'],
      handleExecutorMessage: async () => {},
      handleWorkerMessage: async () => {},
    }));
  const runtime = createRuntime(ports, {
    auth: { basic: AUTH },
    baseUrl: 'http://localhost:8080',
    validator: options.validator ?? minimalValidator,
    registry: new PluginRegistry(),
    engine: (p) => engine(p),
  });
  return {
    handler: runtime.handler,
    ports,
    call: (method, path, o = {}) => {
      const body = o.body === undefined ? new Uint8Array() : typeof o.body === 'string' ? new TextEncoder().encode(o.body) : o.body;
      const headers: Record<string, string> = {};
      if (o.auth !== null) headers['authorization'] = o.auth ?? basicHeader;
      if (o.contentType) headers['content-type'] = o.contentType;
      const req: ApiRequest = { method, path, query: o.query ?? {}, headers, body };
      return runtime.handler(req);
    },
  };
}
