import { describe, expect, it } from 'vitest';
import { ENV_NAMES, readEnv } from './env';

const base = {
  AWS_REGION: 'eu-west-1',
  [ENV_NAMES.TABLE_NAME]: 'table',
  [ENV_NAMES.BUCKET_NAME]: 'bucket',
  [ENV_NAMES.EXECUTOR_QUEUE_URL]: 'https://sqs/executor.fifo',
  [ENV_NAMES.WORKER_QUEUE_URL]: 'https://sqs/worker',
};

describe('readEnv', () => {
  it('names the missing variable', () => {
    expect(() => readEnv({ ...base, [ENV_NAMES.TABLE_NAME]: undefined })).toThrow(`Environment variable ${ENV_NAMES.TABLE_NAME} is required`);
  });

  it('reads the deployment, Fargate settings included, and defaults the tenant to main', () => {
    const config = readEnv({
      ...base,
      [ENV_NAMES.SECRET_CACHE_MS]: '5000',
      [ENV_NAMES.FARGATE_CLUSTER_ARN]: 'arn:cluster',
      [ENV_NAMES.FARGATE_TASK_DEFINITION_ARN]: 'arn:td',
      [ENV_NAMES.FARGATE_CONTAINER_NAME]: 'worker',
      [ENV_NAMES.FARGATE_SUBNETS]: 'subnet-a, subnet-b',
      [ENV_NAMES.FARGATE_SECURITY_GROUPS]: 'sg-1',
    });
    expect(config.aws).toMatchObject({
      region: 'eu-west-1',
      tableName: 'table',
      secretCacheMs: 5000,
      fargate: { clusterArn: 'arn:cluster', subnets: ['subnet-a', 'subnet-b'], securityGroups: ['sg-1'] },
    });
    expect(config.tenants).toEqual(['main']);
    expect(config.meterRequests).toBe(false);
    expect(config.executionEvents).toBe(true);
    expect(readEnv({ ...base, [ENV_NAMES.EXECUTION_EVENTS]: 'false' }).executionEvents).toBe(false);
  });

  it('rejects a malformed number', () => {
    expect(() => readEnv({ ...base, [ENV_NAMES.LOG_RETENTION_DAYS]: 'thirty' })).toThrow(/non-negative integer/);
  });
});
