import type { AwsConfig } from '@windhover/aws';
import { ENV_NAMES } from './env-names';

export { ENV_NAMES } from './env-names';

type Env = Readonly<Record<string, string | undefined>>;

/** A required variable; throws "Environment variable X is required" when missing. */
export function requiredEnv(env: Env, name: string): string {
  const value = env[name];
  if (value === undefined || value === '') throw new Error(`Environment variable ${name} is required`);
  return value;
}

const optionalInt = (env: Env, name: string): number | undefined => {
  const v = env[name];
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`Environment variable ${name} must be a non-negative integer, got '${v}'`);
  return n;
};

const list = (env: Env, name: string): string[] =>
  (env[name] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** Everything a function knows about its deployment, read once at cold start. */
export interface FunctionConfig {
  readonly aws: AwsConfig;
  readonly authSecretId?: string;
  readonly baseUrl: string;
  readonly tenants: readonly string[];
  readonly meterRequests: boolean;
  /** Publish terminal executions to the event bus (when one is configured). */
  readonly executionEvents: boolean;
}

export function readEnv(env: Env = process.env): FunctionConfig {
  const clusterArn = env[ENV_NAMES.FARGATE_CLUSTER_ARN];
  return {
    aws: {
      region: env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1',
      tableName: requiredEnv(env, ENV_NAMES.TABLE_NAME),
      bucketName: requiredEnv(env, ENV_NAMES.BUCKET_NAME),
      executorQueueUrl: requiredEnv(env, ENV_NAMES.EXECUTOR_QUEUE_URL),
      workerQueueUrl: requiredEnv(env, ENV_NAMES.WORKER_QUEUE_URL),
      ...(env[ENV_NAMES.EVENT_BUS_NAME] ? { eventBusName: env[ENV_NAMES.EVENT_BUS_NAME] } : {}),
      ...(env[ENV_NAMES.SECRET_PREFIX] ? { secretPrefix: env[ENV_NAMES.SECRET_PREFIX] } : {}),
      secretCacheMs: optionalInt(env, ENV_NAMES.SECRET_CACHE_MS),
      logRetentionDays: optionalInt(env, ENV_NAMES.LOG_RETENTION_DAYS),
      s3ForcePathStyle: env[ENV_NAMES.S3_FORCE_PATH_STYLE] === 'true',
      s3ChecksumWhenRequired: env[ENV_NAMES.S3_CHECKSUM_WHEN_REQUIRED] === 'true',
      ...(clusterArn
        ? {
            fargate: {
              clusterArn,
              taskDefinitionArn: requiredEnv(env, ENV_NAMES.FARGATE_TASK_DEFINITION_ARN),
              containerName: requiredEnv(env, ENV_NAMES.FARGATE_CONTAINER_NAME),
              subnets: list(env, ENV_NAMES.FARGATE_SUBNETS),
              securityGroups: list(env, ENV_NAMES.FARGATE_SECURITY_GROUPS),
            },
          }
        : {}),
    },
    ...(env[ENV_NAMES.AUTH_SECRET_ID] ? { authSecretId: env[ENV_NAMES.AUTH_SECRET_ID] } : {}),
    baseUrl: env[ENV_NAMES.BASE_URL] ?? '',
    tenants: list(env, ENV_NAMES.TENANTS).length > 0 ? list(env, ENV_NAMES.TENANTS) : ['main'],
    meterRequests: env[ENV_NAMES.METER_REQUESTS] === 'true',
    executionEvents: env[ENV_NAMES.EXECUTION_EVENTS] !== 'false',
  };
}
