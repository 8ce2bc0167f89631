#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { DEFAULT_CONFIG, type WindhoverConfig, WindhoverStack } from '../lib/windhover-stack';

/**
 * The CDK app. Every setting can be given as context, e.g.
 *   npx cdk deploy -c name=windhover-dev -c removalPolicy=destroy -c logLevel=DEBUG
 * (see docs/aws.md for the list).
 */
const app = new App();
const ctx = (key: string): string | undefined => {
  const v = app.node.tryGetContext(key);
  return v === undefined || v === null || v === '' ? undefined : String(v);
};
const int = (key: string): number | undefined => {
  const v = ctx(key);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`context ${key} must be a non-negative integer, got '${v}'`);
  return n;
};

const config: WindhoverConfig = {
  ...DEFAULT_CONFIG,
  name: ctx('name') ?? DEFAULT_CONFIG.name,
  tableName: ctx('tableName'),
  bucketName: ctx('bucketName'),
  removalPolicy: ctx('removalPolicy') === 'destroy' ? 'destroy' : 'retain',
  logRetentionDays: int('logRetentionDays') ?? DEFAULT_CONFIG.logRetentionDays,
  storageRetentionDays: int('storageRetentionDays'),
  basicAuthSecretName: ctx('basicAuthSecretName'),
  basicAuthUsername: ctx('basicAuthUsername') ?? DEFAULT_CONFIG.basicAuthUsername,
  secretPrefix: ctx('secretPrefix') ?? DEFAULT_CONFIG.secretPrefix,
  logLevel: ctx('logLevel') ?? DEFAULT_CONFIG.logLevel,
  fargateCpu: int('fargateCpu') ?? DEFAULT_CONFIG.fargateCpu,
  fargateMemoryMiB: int('fargateMemoryMiB') ?? DEFAULT_CONFIG.fargateMemoryMiB,
  apiReservedConcurrency: int('apiReservedConcurrency'),
  executorReservedConcurrency: int('executorReservedConcurrency'),
  workerReservedConcurrency: int('workerReservedConcurrency'),
  workerTimeoutMinutes: int('workerTimeoutMinutes') ?? DEFAULT_CONFIG.workerTimeoutMinutes,
  alarmEmail: ctx('alarmEmail'),
  corsOrigins: ctx('corsOrigins')?.split(','),
  executionEvents: ctx('executionEvents') !== 'false',
};

new WindhoverStack(app, ctx('stackName') ?? 'Windhover', config, {
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  description: 'Windhover: Kestra-compatible orchestration on AWS serverless',
});
