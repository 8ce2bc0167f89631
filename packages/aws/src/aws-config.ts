/**
 * Everything the AWS adapters need to know about a deployment. Functions read
 * it once at cold start from their environment (functions/shared/env.ts) and
 * tests build it by hand against local emulators.
 */
export interface AwsConfig {
  readonly region: string;
  readonly tableName: string;
  readonly bucketName: string;
  readonly executorQueueUrl: string;
  readonly workerQueueUrl: string;
  /** Secrets Manager name prefix (default `windhover`): `{prefix}/{tenant}/{namespace}/{key}`. */
  readonly secretPrefix?: string;
  /** Secret cache lifetime in ms (default 60 s, Kestra's `expire-after-write`). */
  readonly secretCacheMs?: number;
  readonly eventBusName?: string;
  /** How long a process reuses its answer to "does the event bus have a rule?" (ms, default 60 s; 0 asks every time). */
  readonly eventRuleCacheMs?: number;
  /** How long a process reuses a flow's latest revision (default 1000 ms; 0 reads it every time). */
  readonly flowCacheMs?: number;
  /** Days to keep logs (DynamoDB TTL); undefined keeps them. */
  readonly logRetentionDays?: number;
  readonly fargate?: FargateConfig;
  /** S3 emulators need path-style URLs and no streamed checksums; real S3 needs neither. */
  readonly s3ForcePathStyle?: boolean;
  readonly s3ChecksumWhenRequired?: boolean;
}

export interface FargateConfig {
  readonly clusterArn: string;
  readonly taskDefinitionArn: string;
  readonly containerName: string;
  readonly subnets: readonly string[];
  readonly securityGroups: readonly string[];
  readonly assignPublicIp?: boolean;
}
