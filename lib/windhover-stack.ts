import { Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { ENV_NAMES } from '../functions/shared/env-names';
import { Api } from './api';
import { Dashboard } from './dashboard';
import { Engine } from './engine';
import { Events } from './events';
import { Scheduler } from './scheduler';
import { Secrets } from './secrets';
import { Storage } from './storage';
import { Workers } from './workers';

/** Everything a deployment can change (stack props, or `cdk deploy -c key=value`; see bin/windhover.ts). */
export interface WindhoverConfig {
  /** Prefix of queue, bus and dashboard names (default `windhover`). */
  readonly name: string;
  readonly tableName?: string;
  readonly bucketName?: string;
  /** DESTROY deletes the table and bucket with the stack (dev); RETAIN keeps them (default). */
  readonly removalPolicy: 'destroy' | 'retain';
  /** Days to keep logs (DynamoDB TTL and CloudWatch log groups); default 30. */
  readonly logRetentionDays: number;
  /** Days to keep execution files in S3; undefined keeps them. */
  readonly storageRetentionDays?: number;
  /** Existing Secrets Manager secret with `{"username","password","apiTokenHashes":[]}`; generated when absent. */
  readonly basicAuthSecretName?: string;
  readonly basicAuthUsername: string;
  /** Prefix of flow secrets in Secrets Manager (default `windhover`). */
  readonly secretPrefix: string;
  /** Powertools log level: DEBUG, INFO, WARN, ERROR. */
  readonly logLevel: string;
  readonly fargateCpu: number;
  readonly fargateMemoryMiB: number;
  readonly apiReservedConcurrency?: number;
  readonly executorReservedConcurrency?: number;
  readonly workerReservedConcurrency?: number;
  readonly workerTimeoutMinutes: number;
  readonly alarmEmail?: string;
  readonly corsOrigins?: readonly string[];
  /** Publish every execution that ends to the event bus (`detail-type: Execution <STATE>`); $1 per million. */
  readonly executionEvents: boolean;
}

export const DEFAULT_CONFIG: WindhoverConfig = {
  name: 'windhover',
  removalPolicy: 'retain',
  logRetentionDays: 30,
  basicAuthUsername: 'admin@windhover.local',
  secretPrefix: 'windhover',
  logLevel: 'INFO',
  fargateCpu: 1024,
  fargateMemoryMiB: 2048,
  workerTimeoutMinutes: 15,
  executionEvents: true,
};

/** CloudWatch only accepts some retention values; pick the smallest one that keeps at least `days`. */
function retentionOf(days: number): RetentionDays {
  const allowed = Object.values(RetentionDays).filter((v): v is number => typeof v === 'number' && v > 0).sort((a, b) => a - b);
  return (allowed.find((v) => v >= days) ?? RetentionDays.INFINITE) as RetentionDays;
}

/**
 * The whole AWS edition in one stack, composed from one construct per
 * service; each construct grants and configures the functions that use it,
 * so every function gets only the permissions it needs.
 */
export class WindhoverStack extends Stack {
  readonly storage: Storage;
  readonly engine: Engine;
  readonly api: Api;
  readonly scheduler: Scheduler;
  readonly workers: Workers;
  readonly secrets: Secrets;
  readonly events: Events;
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, config: WindhoverConfig = DEFAULT_CONFIG, props?: StackProps) {
    super(scope, id, props);
    const logRetention = retentionOf(config.logRetentionDays);
    const common = { logLevel: config.logLevel, logRetention };

    this.storage = new Storage(this, 'Storage', {
      tableName: config.tableName,
      bucketName: config.bucketName,
      removalPolicy: config.removalPolicy === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
      storageRetentionDays: config.storageRetentionDays,
      logRetentionDays: config.logRetentionDays,
    });
    this.secrets = new Secrets(this, 'Secrets', {
      secretPrefix: config.secretPrefix,
      basicAuthSecretName: config.basicAuthSecretName,
      basicAuthUsername: config.basicAuthUsername,
    });
    this.events = new Events(this, 'Events', { busName: config.name });
    this.engine = new Engine(this, 'Engine', {
      ...common,
      namePrefix: config.name,
      executorReservedConcurrency: config.executorReservedConcurrency,
      workerReservedConcurrency: config.workerReservedConcurrency,
      workerTimeout: Duration.minutes(config.workerTimeoutMinutes),
    });
    this.api = new Api(this, 'Api', { ...common, reservedConcurrency: config.apiReservedConcurrency, corsOrigins: config.corsOrigins });
    this.scheduler = new Scheduler(this, 'Scheduler', common);
    this.workers = new Workers(this, 'Workers', {
      cpu: config.fargateCpu,
      memoryMiB: config.fargateMemoryMiB,
      logRetention,
      bucket: this.storage.bucket,
    });

    // Engine functions: the API creates executions, the executor and scheduler drive them, the worker runs tasks.
    for (const fn of [this.api.fn, this.engine.executor, this.engine.worker, this.scheduler.fn]) {
      this.storage.configureReadWriteData(fn);
      this.secrets.configureReadFlowSecrets(fn);
      this.events.configurePutEvents(fn);
      fn.addEnvironment(ENV_NAMES.BASE_URL, this.api.url);
      fn.addEnvironment(ENV_NAMES.EXECUTION_EVENTS, String(config.executionEvents));
    }
    this.engine.configureSendMessages(this.api.fn);
    this.engine.configureSendMessages(this.scheduler.fn);
    this.secrets.configureReadAuth(this.api.fn);
    this.secrets.configureReadAuth(this.api.authorizerFn);
    this.workers.configureRunTasks(this.engine.worker);

    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: config.name,
      functions: {
        api: this.api.fn,
        authorizer: this.api.authorizerFn,
        executor: this.engine.executor,
        worker: this.engine.worker,
        scheduler: this.scheduler.fn,
      },
      executor: this.engine.executor,
      queues: [
        { name: 'executor', queue: this.engine.executorQueue },
        { name: 'worker', queue: this.engine.workerQueue },
      ],
      dlqs: [
        { name: 'executor', queue: this.engine.executorDlq },
        { name: 'worker', queue: this.engine.workerDlq },
      ],
      table: this.storage.table,
      httpApi: this.api.httpApi,
      alarmEmail: config.alarmEmail,
    });
    this.api.addOutputs();
  }
}
