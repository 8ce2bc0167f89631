import { mkdtempSync, rmSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutionQueue, Flow, Logger, QueueMessage, SecretStore } from '@windhover/core';
import {
  FsInternalStorage,
  FsNamespaceFileStore,
  LocalExecutionQueue,
  SqliteAttemptResultStore,
  SqliteExecutionRepository,
  SqliteFlowRepository,
  SqliteKvStore,
  SqliteLogRepository,
  SqliteTriggerStore,
  SystemClock,
  openSqliteDatabase,
} from '@windhover/local';
import type { RuntimePorts } from '@windhover/runtime';
import { createEngine } from '@windhover/runtime';
import { createTaskRegistry } from '@windhover/tasks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';

let server: Server;
let base = '';
let hits = 0;
beforeAll(async () => {
  server = createServer((_req, res) => {
    hits++;
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
});

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const noSecrets: SecretStore = { get: async () => undefined, list: async () => [] };

/**
 * The real local queue, except that task results sent to the executor are held
 * until released: the executor has not applied the result yet, so a
 * redelivered worker message finds its attempt still current.
 */
class HoldingQueue implements ExecutionQueue {
  readonly held: QueueMessage[] = [];
  holding = true;
  constructor(private readonly queue: LocalExecutionQueue) {}
  async sendToExecutor(messages: readonly QueueMessage[]): Promise<void> {
    const results = messages.filter((m) => this.holding && (JSON.parse(m.body) as { type?: string }).type === 'task-result');
    this.held.push(...results);
    await this.queue.sendToExecutor(messages.filter((m) => !results.includes(m)));
  }
  sendToWorker(messages: readonly QueueMessage[]): Promise<void> {
    return this.queue.sendToWorker(messages);
  }
  async release(): Promise<void> {
    this.holding = false;
    await this.queue.sendToExecutor(this.held.splice(0));
  }
}

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('worker with an attempt result store', () => {
  it('re-sends the stored result from the attempt result store on a redelivered worker message, without running the task again', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'windhover-attempts-'));
    const db = openSqliteDatabase(join(dir, 'windhover.db'));
    const local = new LocalExecutionQueue(db, { retryDelayMs: 50 });
    const queue = new HoldingQueue(local);
    const attemptResults = new SqliteAttemptResultStore(db);
    const ports: RuntimePorts = {
      flows: new SqliteFlowRepository(db),
      executions: new SqliteExecutionRepository(db),
      logs: new SqliteLogRepository(db),
      storage: new FsInternalStorage(join(dir, 'storage')),
      secrets: noSecrets,
      kv: new SqliteKvStore(db),
      namespaceFiles: new FsNamespaceFileStore(db, join(dir, 'namespace-files')),
      queue,
      triggers: new SqliteTriggerStore(db),
      attemptResults,
      clock: new SystemClock(),
      logger: silent,
    };
    const engine = createEngine(ports, { registry: createTaskRegistry() });
    const workerBodies: string[] = [];
    local.consume('executor', (body) => engine.handleExecutorMessage(body));
    local.consume('worker', (body) => {
      workerBodies.push(body);
      return engine.handleWorkerMessage(body);
    });
    try {
      const yaml = `
id: once
namespace: company.attempts
tasks:
  - id: call
    type: io.kestra.plugin.core.http.Request
    uri: ${base}/once
`;
      await ports.flows.save({ flow: parse(yaml) as Flow, source: yaml, revision: 1, tenantId: 'main', updated: new Date().toISOString() }, undefined);
      const created = await engine.executionService.create({ tenantId: 'main', namespace: 'company.attempts', flowId: 'once', inputs: {} });
      await until(() => queue.held.length === 1);
      expect(hits).toBe(1);

      const message = JSON.parse(workerBodies[0]) as { taskRunId: string; attempt: number };
      const key = { tenantId: 'main', executionId: created.id, taskRunId: message.taskRunId, attempt: message.attempt };
      const stored = await attemptResults.get(key, new Date());
      expect(stored).toBe(queue.held[0].body);
      // Internal storage no longer holds the attempt's result.
      expect(await ports.storage.exists(`kestra:///_windhover/attempts/${created.id}/${message.taskRunId}-${message.attempt}.json`)).toBe(false);

      // The same worker message again (its acknowledgement was lost): the result is re-sent, the task does not run.
      await engine.handleWorkerMessage(workerBodies[0]);
      expect(hits).toBe(1);
      expect(queue.held.map((m) => m.body)).toEqual([stored, stored]);

      await queue.release();
      const done = await engine.executionService.waitForTerminal('main', created.id, 10_000);
      expect(done.state.current).toBe('SUCCESS');
      expect(done.taskRunList.map((r) => r.attempts?.length)).toEqual([1]);
      expect(hits).toBe(1);
    } finally {
      await local.close();
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
