import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import type { Logger, PluginRegistry } from '@windhover/core';
import type { ApiHandler, FlowValidator, Runtime, RuntimePorts } from '@windhover/runtime';
import { createRuntime } from '@windhover/runtime';
import { ConsoleJsonLogger } from './console-json-logger';
import { EnvSecretStore } from './env-secret-store';
import { FsNamespaceFileStore } from './fs-namespace-file-store';
import { FsInternalStorage } from './fs-internal-storage';
import { LocalApiTokens } from './local-api-tokens';
import { type ResolvedCredentials, resolveLocalCredentials } from './local-credentials';
import type { LocalEnv } from './local-env';
import { LocalExecutionQueue } from './local-execution-queue';
import { LocalFlowSync } from './local-flow-sync';
import { createNodeHttpServer } from './node-http-server';
import { openSqliteDatabase } from './sqlite-database';
import { SqliteExecutionRepository } from './sqlite-execution-repository';
import { SqliteFlowRepository } from './sqlite-flow-repository';
import { SqliteKvStore } from './sqlite-kv-store';
import { SqliteLogRepository } from './sqlite-log-repository';
import { SqliteAttemptResultStore } from './sqlite-attempt-result-store';
import { SqliteConcurrencySlots } from './sqlite-concurrency-slots';
import { SqliteTimerStore } from './sqlite-timer-store';
import { SqliteTriggerStore } from './sqlite-trigger-store';
import { SystemClock } from './system-clock';

export const DEFAULT_PORT = 8080;
export const DEFAULT_DATA_DIR = '.data';

export interface StartLocalOptions {
  /** Folder for the SQLite database, internal storage and credentials (default `.data`). */
  readonly dataDir?: string;
  /** 0 picks a free port. Default 8080. */
  readonly port?: number;
  /** Interface to listen on. Default 127.0.0.1. */
  readonly host?: string;
  /** A folder of flow YAML files to load and watch. */
  readonly flowsDir?: string;
  /** Credentials and tokens from the environment (readLocalEnv()). */
  readonly env?: LocalEnv;
  readonly logger?: Logger;
  readonly validator: FlowValidator;
  readonly registry: PluginRegistry;
  /** Scheduler tick period (timers, Schedule triggers). Default 1000 ms. */
  readonly tickMs?: number;
  readonly executorConcurrency?: number;
  readonly workerConcurrency?: number;
}

export interface LocalServer {
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  readonly credentials: ResolvedCredentials;
  readonly runtime: Runtime;
  readonly ports: RuntimePorts;
  readonly queue: LocalExecutionQueue;
  /** Stops accepting requests, drains the loops and closes the database. */
  close(): Promise<void>;
}

/**
 * The local edition's composition root: SQLite repositories, folder storage
 * and the persistent in-process queue in one data folder, the shared runtime
 * (API + engine), the executor/worker loops, the scheduler tick and the
 * node:http server. Messages left by a previous process are delivered again,
 * so executions that were running continue after a restart.
 */
export async function startLocal(options: StartLocalOptions): Promise<LocalServer> {
  const dataDir = resolve(options.dataDir ?? DEFAULT_DATA_DIR);
  const logger = options.logger ?? new ConsoleJsonLogger();
  const credentials = resolveLocalCredentials(dataDir, options.env ?? {});
  const apiTokens = new LocalApiTokens(dataDir);
  const db = openSqliteDatabase(join(dataDir, 'windhover.db'));
  const queue = new LocalExecutionQueue(db, { logger });
  const ports: RuntimePorts = {
    flows: new SqliteFlowRepository(db),
    executions: new SqliteExecutionRepository(db),
    logs: new SqliteLogRepository(db),
    storage: new FsInternalStorage(join(dataDir, 'storage')),
    queue,
    triggers: new SqliteTriggerStore(db),
    timers: new SqliteTimerStore(db),
    slots: new SqliteConcurrencySlots(db),
    attemptResults: new SqliteAttemptResultStore(db),
    clock: new SystemClock(),
    logger,
    kv: new SqliteKvStore(db),
    namespaceFiles: new FsNamespaceFileStore(db, join(dataDir, 'namespace-files')),
    secrets: new EnvSecretStore({
      env: options.env?.secretVariables ?? {},
      ...(options.env?.secretsFile ? { secretsFile: options.env.secretsFile } : {}),
    }),
  };
  let ready = false;
  const port = options.port ?? DEFAULT_PORT;
  const host = options.host ?? '127.0.0.1';
  const displayHost = host === '0.0.0.0' || host === '::' || host === '127.0.0.1' ? 'localhost' : host;

  // Listen first, so the runtime knows its URL (port 0 picks one); requests before the runtime exists get 503.
  let handler: ApiHandler = async () => ({ status: 503, body: { message: 'starting' } });
  const server: Server = createNodeHttpServer((request) => handler(request), { logger });
  try {
    await new Promise<void>((resolveListen, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolveListen();
      });
    });
  } catch (e) {
    db.close();
    throw e;
  }
  const actualPort = (server.address() as AddressInfo).port;
  const baseUrl = options.env?.url ?? `http://${displayHost}:${actualPort}`;

  const runtime = createRuntime(ports, {
    auth: {
      basic: credentials.credentials,
      // Tokens from the environment plus those created with `windhover server api-token create` (re-read when the file changes).
      get apiTokenHashes() {
        return [...(options.env?.apiTokenHashes ?? []), ...apiTokens.hashes()];
      },
    },
    baseUrl,
    validator: options.validator,
    registry: options.registry,
    isReady: () => ready,
  });
  handler = runtime.handler;

  queue.consume('executor', (body) => runtime.engine.handleExecutorMessage(body), { concurrency: options.executorConcurrency ?? 8 });
  queue.consume('worker', (body) => runtime.engine.handleWorkerMessage(body), { concurrency: options.workerConcurrency ?? 16 });

  let ticking = false;
  const tick = setInterval(() => {
    if (ticking) return;
    ticking = true;
    runtime
      .tick()
      .catch((error: unknown) => logger.error('scheduler tick failed', { error }))
      .finally(() => {
        ticking = false;
      });
  }, options.tickMs ?? 1000);
  tick.unref();

  const flowSync = options.flowsDir ? new LocalFlowSync({ dir: options.flowsDir, flows: runtime.flows, logger }) : undefined;
  await flowSync?.start();
  ready = true;
  logger.info('windhover local edition started', { url: baseUrl, dataDir });

  let closed: Promise<void> | undefined;
  return {
    url: baseUrl,
    port: actualPort,
    dataDir,
    credentials,
    runtime,
    ports,
    queue,
    close: () => {
      closed ??= (async () => {
        ready = false;
        clearInterval(tick);
        await flowSync?.stop();
        await new Promise<void>((r) => {
          server.close(() => r());
          server.closeIdleConnections();
          // Requests still open (a `wait=true` execution) get a short grace period.
          setTimeout(() => server.closeAllConnections(), 1000).unref();
        });
        await queue.close();
        db.close();
        logger.info('windhover local edition stopped', { dataDir });
      })();
      return closed;
    },
  };
}
