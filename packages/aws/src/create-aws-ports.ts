import type { Clock, Logger } from '@windhover/core';
import type { RuntimePorts } from '@windhover/runtime';
import { type AwsClients, createAwsClients } from './aws-clients';
import type { AwsConfig } from './aws-config';
import { DynamoExecutionRepository } from './dynamo-execution-repository';
import { DynamoFlowRepository } from './dynamo-flow-repository';
import { DynamoKvStore } from './dynamo-kv-store';
import { DynamoLogRepository } from './dynamo-log-repository';
import { DynamoAttemptResultStore } from './dynamo-attempt-result-store';
import { DynamoConcurrencySlots } from './dynamo-concurrency-slots';
import { DynamoTimerStore } from './dynamo-timer-store';
import { DynamoTriggerStore } from './dynamo-trigger-store';
import { DynamoS3NamespaceFileStore } from './dynamo-s3-namespace-file-store';
import { EventBridgeEventPublisher } from './eventbridge-event-publisher';
import { S3InternalStorage } from './s3-internal-storage';
import { SecretsManagerSecretStore } from './secrets-manager-secret-store';
import { SqsExecutionQueue } from './sqs-execution-queue';

/** The AWS edition's ports, plus AWS-only pieces the functions use directly. */
export interface AwsPorts extends RuntimePorts {
  readonly storage: S3InternalStorage;
  readonly logs: DynamoLogRepository;
  readonly events?: EventBridgeEventPublisher;
  readonly clients: AwsClients;
}

const systemClock: Clock = { now: () => new Date() };

/**
 * The AWS composition root: every adapter built once from the deployment's
 * configuration (call at cold start). Clients may be injected (tests, or a
 * process that already has them).
 */
export function createAwsPorts(
  config: AwsConfig,
  deps: {
    readonly logger: Logger;
    readonly clock?: Clock;
    readonly clients?: AwsClients;
    /** Buffer log writes until `logs.flush()` (queue consumers flush after each message). */
    readonly bufferLogs?: boolean;
  },
): AwsPorts {
  const clients = deps.clients ?? createAwsClients(config);
  const storage = new S3InternalStorage(clients.s3, config.bucketName);
  return {
    clients,
    flows: new DynamoFlowRepository(clients.doc, config.tableName, { latestCacheMs: config.flowCacheMs ?? 1000 }),
    executions: new DynamoExecutionRepository(clients.doc, config.tableName, storage),
    logs: new DynamoLogRepository(clients.doc, config.tableName, {
      retentionDays: config.logRetentionDays,
      blobs: storage,
      buffered: deps.bufferLogs ?? false,
    }),
    storage,
    secrets: new SecretsManagerSecretStore(clients.secrets, { prefix: config.secretPrefix, cacheMs: config.secretCacheMs }),
    kv: new DynamoKvStore(clients.doc, config.tableName, storage),
    namespaceFiles: new DynamoS3NamespaceFileStore(clients.doc, config.tableName, storage),
    triggers: new DynamoTriggerStore(clients.doc, config.tableName),
    timers: new DynamoTimerStore(clients.doc, config.tableName),
    slots: new DynamoConcurrencySlots(clients.doc, config.tableName),
    attemptResults: new DynamoAttemptResultStore(clients.doc, config.tableName, storage),
    queue: new SqsExecutionQueue(clients.sqs, config.executorQueueUrl, config.workerQueueUrl),
    ...(config.eventBusName
      ? {
          events: new EventBridgeEventPublisher(clients.events, config.eventBusName, {
            logger: deps.logger,
            ...(config.eventRuleCacheMs === undefined ? {} : { ruleCacheMs: config.eventRuleCacheMs }),
          }),
        }
      : {}),
    clock: deps.clock ?? systemClock,
    logger: deps.logger,
  };
}
